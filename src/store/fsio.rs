//! Writing files so that a crash, a power cut or another desk never leaves a half-written
//! or overwritten record: temp file, fsync, link into place without replacing, fsync
//! the folder.

use std::fs::File;
use std::io::{self, Write as _};
use std::path::Path;

/// Creates a folder and its missing parents; on Unix the folders it creates may be
/// read only by their owner. Existing folders keep their permissions.
pub(crate) fn create_private_dir(path: &Path) -> io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt as _;
        builder.mode(0o700);
    }
    builder.create(path)
}

/// Makes a folder's entries durable: after a new name was linked into it, this makes
/// sure the name survives a power cut. On systems that cannot open a folder as a file
/// (Windows), the rename itself is durable enough and this does nothing.
pub(crate) fn sync_dir(path: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        File::open(path)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        Ok(())
    }
}

/// Why a new file was not written.
#[derive(Debug)]
pub(crate) enum NewFileError {
    /// A file of that name was already there; it was left as it was.
    Exists,
    /// Writing failed; nothing was left under the destination name.
    Io(io::Error),
}

impl From<io::Error> for NewFileError {
    fn from(error: io::Error) -> Self {
        Self::Io(error)
    }
}

/// A temporary file in `tmp_dir` holding `bytes`, flushed to the disk.
fn durable_temp(tmp_dir: &Path, bytes: &[u8]) -> io::Result<tempfile::NamedTempFile> {
    let mut file = tempfile::Builder::new()
        .prefix("write-")
        .suffix(".tmp")
        .tempfile_in(tmp_dir)?;
    file.write_all(bytes)?;
    file.as_file().sync_all()?;
    Ok(file)
}

/// Writes `bytes` as the new file `dest`, never replacing a file that is there: the
/// bytes go to a temporary file in `tmp_dir` (on the same file system), are flushed,
/// and the file is then linked under its name only if that name is free (rename without
/// replacing, or a hard link), and the folder is flushed. Other readers see either no
/// file or the whole file.
pub(crate) fn write_new(tmp_dir: &Path, dest: &Path, bytes: &[u8]) -> Result<(), NewFileError> {
    if dest.exists() {
        return Err(NewFileError::Exists);
    }
    let file = durable_temp(tmp_dir, bytes)?;
    match file.persist_noclobber(dest) {
        Ok(_) => {}
        Err(error) if error.error.kind() == io::ErrorKind::AlreadyExists => {
            return Err(NewFileError::Exists);
        }
        Err(error) => return Err(NewFileError::Io(error.error)),
    }
    if let Some(parent) = dest.parent() {
        sync_dir(parent)?;
    }
    Ok(())
}

/// Replaces `dest` with `bytes` in one step: readers see the old file or the new one,
/// never a mix. For files that are not records (settings, the head pointer, the index).
pub(crate) fn write_replace(tmp_dir: &Path, dest: &Path, bytes: &[u8]) -> io::Result<()> {
    let file = durable_temp(tmp_dir, bytes)?;
    file.persist(dest).map_err(|error| error.error)?;
    if let Some(parent) = dest.parent() {
        sync_dir(parent)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_file_never_replaces_one_that_is_there() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("revision-000001.ron");
        write_new(dir.path(), &dest, b"first").unwrap();
        assert!(matches!(
            write_new(dir.path(), &dest, b"second"),
            Err(NewFileError::Exists)
        ));
        assert_eq!(std::fs::read(&dest).unwrap(), b"first");
        let leftovers = std::fs::read_dir(dir.path()).unwrap().count();
        assert_eq!(leftovers, 1, "the temporary file was not cleaned up");
    }
}
