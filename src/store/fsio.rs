//! Writing files so that a crash, a power cut or another desk never leaves a half-written
//! or overwritten record: temp file, fsync, link into place without replacing, fsync
//! the folder.

use std::fs::File;
use std::io::{self, Read as _, Write as _};
use std::path::{Path, PathBuf};

use super::error::StoreError;

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

/// The kinds of file the app reads from its folders, each with the largest size it may
/// have. The limits are far above anything the app writes (a revision is about 25 kB),
/// so only a file that is not the app's is refused, before a byte of it is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FileKind {
    /// A revision of a patient or plan.
    Revision,
    /// A record's `head.ron`.
    Head,
    /// A plan's generated plan, `generated-<sha256>.ron` (about 25 kB).
    Generated,
    /// The index cache `index.json`; its limit grows with the number of records.
    Index {
        /// Patients and plans in the data folder.
        records: usize,
    },
    /// `settings.ron`.
    Settings,
    /// A clinic's protocol file.
    Protocol,
    /// A clinic id's claim.
    Claim,
    /// The clinic ids claimed when a data folder from before claims was upgraded.
    ClaimList,
    /// A clinical photograph's original, `photos/<sha256>.jpg` or `.png`.
    Photo,
    /// A photograph's thumbnail.
    Thumbnail,
}

impl FileKind {
    /// The largest size a file of this kind may have, in bytes.
    pub(crate) fn limit(self) -> u64 {
        const MIB: u64 = 1024 * 1024;
        match self {
            FileKind::Revision => 16 * MIB,
            FileKind::Head | FileKind::Settings => MIB,
            FileKind::Protocol | FileKind::Generated | FileKind::Thumbnail => 4 * MIB,
            FileKind::Claim => 64 * 1024,
            FileKind::ClaimList => 256 * MIB,
            FileKind::Photo => super::photo_bytes::MAX_PHOTO_BYTES,
            // Each record's entry is a summary of bounded size, about 400 bytes.
            FileKind::Index { records } => {
                MIB.saturating_add((16 * 1024_u64).saturating_mul(records as u64))
            }
        }
    }

    /// "a revision file", for messages.
    pub(crate) fn label(self) -> &'static str {
        match self {
            FileKind::Revision => "a revision file",
            FileKind::Head => "a record's head file",
            FileKind::Generated => "a generated plan's file",
            FileKind::Index { .. } => "the index cache",
            FileKind::Settings => "a settings file",
            FileKind::Protocol => "a protocol file",
            FileKind::Claim => "a clinic id's claim file",
            FileKind::ClaimList => "the list of clinic ids",
            FileKind::Photo => "a photograph",
            FileKind::Thumbnail => "a photograph's thumbnail",
        }
    }
}

/// Why a file of the app's folders was not read.
#[derive(Debug)]
pub(crate) enum ReadFailure {
    /// The system could not read it (`NotFound` included).
    Io(io::Error),
    /// It is not a regular file: a link, a named pipe, a folder, a device. Such a file
    /// was not made by the app; it is never opened (a pipe would wait forever) or
    /// followed (a link may point anywhere).
    NotAFile {
        /// What it is instead, such as "a symbolic link to /etc/passwd".
        what: String,
    },
    /// It is larger than any file of its kind the app writes.
    TooLarge {
        /// Its size in bytes.
        len: u64,
        /// The largest size allowed.
        limit: u64,
    },
}

impl From<io::Error> for ReadFailure {
    fn from(error: io::Error) -> Self {
        Self::Io(error)
    }
}

impl ReadFailure {
    /// Whether the file is not there at all.
    pub(crate) fn is_not_found(&self) -> bool {
        matches!(self, ReadFailure::Io(error) if error.kind() == io::ErrorKind::NotFound)
    }
}

/// What a file that is not a regular file is, in words: "a symbolic link to X",
/// "a named pipe", "a folder", ...; `None` for a regular file.
pub(crate) fn not_a_file(path: &Path, file_type: std::fs::FileType) -> Option<String> {
    if file_type.is_file() {
        return None;
    }
    if file_type.is_symlink() {
        return Some(match std::fs::read_link(path) {
            Ok(target) => format!(
                "a symbolic link to {}",
                crate::untrusted::for_message(&target.display().to_string())
            ),
            Err(_) => "a symbolic link".to_owned(),
        });
    }
    if file_type.is_dir() {
        return Some("a folder".to_owned());
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt as _;
        if file_type.is_fifo() {
            return Some("a named pipe (FIFO)".to_owned());
        }
        if file_type.is_socket() {
            return Some("a socket".to_owned());
        }
        if file_type.is_block_device() || file_type.is_char_device() {
            return Some("a device".to_owned());
        }
    }
    Some("not a regular file".to_owned())
}

/// Reads a whole file of the app's folders, only if it is a regular file (never a
/// link, pipe or device) no larger than its kind allows. On Unix the file is opened
/// without following a link and without waiting (`O_NOFOLLOW`, `O_NONBLOCK`: a named pipe
/// cannot block), and its type and size are checked on the opened file before a byte
/// is read; elsewhere they are checked before it is opened, and again after. At most
/// the limit is read, whatever the file claims. (A device node, which only the system's
/// administrator can make, is opened before it is refused on Unix.)
///
/// This is the one read of every record, head and cache file, so it makes as few
/// system calls as it can: open, one look at the open file, one read (the app never
/// appends to a file it reads: revisions never change, heads and caches are replaced
/// whole), close.
pub(crate) fn read_regular(path: &Path, kind: FileKind) -> Result<Vec<u8>, ReadFailure> {
    let limit = kind.limit();
    #[cfg(not(unix))]
    check_regular(path, &std::fs::symlink_metadata(path)?, limit)?;
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.custom_flags(libc::O_NONBLOCK | libc::O_NOFOLLOW | libc::O_NOCTTY);
    }
    let mut file = match options.open(path) {
        Ok(file) => file,
        Err(error) => {
            // A link (O_NOFOLLOW refuses it), a socket: say what it is.
            if let Ok(meta) = std::fs::symlink_metadata(path) {
                check_regular(path, &meta, limit)?;
            }
            return Err(ReadFailure::Io(error));
        }
    };
    let opened = file.metadata()?;
    check_regular(path, &opened, limit)?;
    // One byte more than the file holds, so that one read both fills and ends it.
    let expected = usize::try_from(opened.len()).unwrap_or(0);
    let mut bytes = vec![0; expected + 1];
    let mut filled = 0;
    loop {
        match file.read(&mut bytes[filled..]) {
            Ok(0) => break,
            Ok(read) => {
                filled += read;
                if filled == expected {
                    break;
                }
                if filled == bytes.len() {
                    // It grew since it was looked at: read on, up to the limit.
                    bytes.truncate(filled);
                    (&mut file)
                        .take(limit + 1 - filled as u64)
                        .read_to_end(&mut bytes)?;
                    filled = bytes.len();
                    break;
                }
            }
            Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
            Err(error) => return Err(ReadFailure::Io(error)),
        }
    }
    bytes.truncate(filled);
    let len = bytes.len() as u64;
    if len > limit {
        return Err(ReadFailure::TooLarge { len, limit });
    }
    Ok(bytes)
}

/// The most bytes [`with_small_file`] reads.
pub(crate) const SMALL_FILE_BYTES: usize = 8 * 1024;

/// Calls `look` with the bytes of a small file, read as cheaply as can be: the check of
/// the index cache reads every record's head at every start. The file is opened as
/// [`read_regular`] opens (never following a link, never waiting) and read into a
/// buffer the thread keeps, without looking at what the file is first: anything but the
/// small regular file it should be gives `None` (a failure, or more than
/// [`SMALL_FILE_BYTES`]), and the caller then reads it the careful way, which says what
/// is wrong.
pub(crate) fn with_small_file<R>(path: &Path, look: impl FnOnce(&[u8]) -> R) -> Option<R> {
    #[cfg(unix)]
    {
        use std::cell::RefCell;
        use std::os::unix::fs::OpenOptionsExt as _;
        thread_local! {
            static BUFFER: RefCell<Vec<u8>> = RefCell::new(vec![0; SMALL_FILE_BYTES]);
        }
        let mut file = std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NONBLOCK | libc::O_NOFOLLOW | libc::O_NOCTTY)
            .open(path)
            .ok()?;
        BUFFER.with_borrow_mut(|buffer| {
            let mut filled = 0;
            loop {
                match file.read(&mut buffer[filled..]) {
                    Ok(0) => break,
                    Ok(read) => {
                        filled += read;
                        if filled == buffer.len() {
                            return None;
                        }
                    }
                    Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
                    Err(_) => return None,
                }
            }
            Some(look(&buffer[..filled]))
        })
    }
    #[cfg(not(unix))]
    {
        read_regular(path, FileKind::Head)
            .ok()
            .filter(|bytes| bytes.len() < SMALL_FILE_BYTES)
            .map(|bytes| look(&bytes))
    }
}

fn check_regular(path: &Path, meta: &std::fs::Metadata, limit: u64) -> Result<(), ReadFailure> {
    if let Some(what) = not_a_file(path, meta.file_type()) {
        return Err(ReadFailure::NotAFile { what });
    }
    if meta.len() > limit {
        return Err(ReadFailure::TooLarge {
            len: meta.len(),
            limit,
        });
    }
    Ok(())
}

/// The store error for a file that could not be read, with `not_found` for a file
/// that is not there.
pub(crate) fn read_failure(
    file: &Path,
    kind: FileKind,
    failure: ReadFailure,
    not_found: impl FnOnce(PathBuf) -> StoreError,
) -> StoreError {
    let file = file.to_path_buf();
    match failure {
        ReadFailure::Io(error) if error.kind() == io::ErrorKind::NotFound => not_found(file),
        ReadFailure::Io(cause) => StoreError::Read { file, cause },
        ReadFailure::NotAFile { what } => StoreError::NotAFile {
            file,
            what,
            kind: kind.label(),
        },
        ReadFailure::TooLarge { len, limit } => StoreError::TooLarge {
            file,
            len,
            limit,
            kind: kind.label(),
        },
    }
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

/// Creates the new file `path` with `bytes`, readable only by its owner, and flushes it
/// to the disk. For files inside a folder nobody else sees yet (a record being created
/// under `tmp/`, a backup being built); elsewhere [`write_new`] is the way.
pub(crate) fn write_file_new(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
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
