//! A verified copy of the whole data folder.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use super::error::StoreError;
use super::folder::Store;
use super::format::{HEAD_FILE, sha256_hex};
use super::fsio::{create_private_dir, sync_dir};
use super::verify::VerifyReport;

/// What [`Store::backup`] copied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupReport {
    /// The backup folder.
    pub dest: PathBuf,
    /// Files copied.
    pub files: usize,
    /// Bytes copied.
    pub bytes: u64,
    /// The chains of the copy, verified after copying; a problem here was already in
    /// the original (every copied file was compared byte for byte).
    pub verify: VerifyReport,
}

/// One copied file, to compare after copying.
struct Copied {
    to: PathBuf,
    from: PathBuf,
    sha256: String,
}

impl Store {
    /// Copies the whole data folder to `dest`, a folder that must not exist yet, then
    /// reads every copied file back and compares it with the original, and verifies the
    /// copy's chains. The copy is built beside `dest` under a hidden name and renamed
    /// to `dest` only when complete, so a folder named `dest` is always a whole backup.
    ///
    /// It is consistent while other desks keep saving: revision files never change once
    /// written; each record's head is copied before its revisions; and plans are copied
    /// before patients, so every copied plan finds its patient. Saves that land during
    /// the copy may or may not be in it. The index cache and temporary files are left
    /// out.
    ///
    /// # Errors
    /// When `dest` exists or lies inside the data folder, a file cannot be read or
    /// written, or a copy differs from its original.
    pub fn backup(&self, dest: &Path) -> Result<BackupReport, StoreError> {
        let fail = |what: String| StoreError::Backup {
            dest: dest.to_path_buf(),
            what,
        };
        if dest.exists() {
            return Err(fail(
                "it already exists; give the name of a new folder, for example one with today's date".into(),
            ));
        }
        let parent = match dest.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let parent = parent.canonicalize().map_err(|error| {
            fail(format!(
                "its parent folder {} cannot be used ({error}); create it or choose another place",
                parent.display()
            ))
        })?;
        let data = self
            .data_dir()
            .canonicalize()
            .unwrap_or_else(|_| self.data_dir().to_path_buf());
        if parent.starts_with(&data) {
            return Err(fail(format!(
                "it lies inside the data folder {}; choose a place outside it, ideally on another disk",
                data.display()
            )));
        }
        let staging = tempfile::Builder::new()
            .prefix(".regen-planner-backup-")
            .tempdir_in(&parent)
            .map_err(|error| {
                fail(format!(
                    "could not create a folder in {} ({error}); check that it is writable and has free space",
                    parent.display()
                ))
            })?;

        let mut copied = Vec::new();
        let mut bytes = 0;
        let top = [
            self.folder_of::<super::records::PlanRecord>(),
            self.folder_of::<super::records::Patient>(),
        ];
        for folder in &top {
            if folder.is_dir() {
                let name = folder.file_name().unwrap_or_default();
                copy_tree(
                    folder,
                    &staging.path().join(name),
                    &mut copied,
                    &mut bytes,
                    &fail,
                )?;
            }
        }
        copy_other_top_level(self, staging.path(), &top, &mut copied, &mut bytes, &fail)?;
        sync_dir(staging.path())
            .map_err(|error| fail(format!("could not flush the copy ({error})")))?;

        for file in &copied {
            let again = std::fs::read(&file.to).map_err(|error| {
                fail(format!("could not read back {} ({error}); the backup medium may be failing, try another place", file.to.display()))
            })?;
            if sha256_hex(&again) != file.sha256 {
                return Err(fail(format!(
                    "the copy {} differs from the original {} after copying; the backup medium may be failing, try another place",
                    file.to.display(),
                    file.from.display()
                )));
            }
        }

        let staged = staging.keep();
        if let Err(error) = std::fs::rename(&staged, dest) {
            let _ = std::fs::remove_dir_all(&staged);
            return Err(fail(format!(
                "could not give the finished copy its name ({error}); nothing was left behind, try again"
            )));
        }
        sync_dir(&parent)
            .map_err(|error| fail(format!("could not flush {} ({error})", parent.display())))?;
        let verify = Store::open(dest)?.verify();
        Ok(BackupReport {
            dest: dest.to_path_buf(),
            files: copied.len(),
            bytes,
            verify,
        })
    }
}

/// Copies a folder, each folder's head before its revisions.
fn copy_tree(
    from: &Path,
    to: &Path,
    copied: &mut Vec<Copied>,
    bytes: &mut u64,
    fail: &dyn Fn(String) -> StoreError,
) -> Result<(), StoreError> {
    create_private_dir(to)
        .map_err(|error| fail(format!("could not create {} ({error})", to.display())))?;
    let mut entries: Vec<PathBuf> = std::fs::read_dir(from)
        .and_then(|entries| {
            entries
                .map(|entry| entry.map(|entry| entry.path()))
                .collect()
        })
        .map_err(|error| {
            fail(format!(
                "could not list {} ({error}); check that the data folder is reachable",
                from.display()
            ))
        })?;
    entries.sort_by_key(|path| (path.file_name() != Some(HEAD_FILE.as_ref()), path.clone()));
    for path in entries {
        let name = path.file_name().unwrap_or_default();
        if path.is_dir() {
            copy_tree(&path, &to.join(name), copied, bytes, fail)?;
        } else if path.is_file() {
            copy_file(&path, &to.join(name), copied, bytes, fail)?;
        }
    }
    sync_dir(to).map_err(|error| fail(format!("could not flush {} ({error})", to.display())))
}

/// Copies the files and folders beside `patients` and `plans`, except the index cache
/// and temporary files.
fn copy_other_top_level(
    store: &Store,
    staging: &Path,
    done: &[PathBuf],
    copied: &mut Vec<Copied>,
    bytes: &mut u64,
    fail: &dyn Fn(String) -> StoreError,
) -> Result<(), StoreError> {
    let skip = [store.tmp_dir(), store.index_file()];
    let entries = std::fs::read_dir(store.data_dir()).map_err(|error| {
        fail(format!(
            "could not list {} ({error})",
            store.data_dir().display()
        ))
    })?;
    for entry in entries {
        let path = entry
            .map_err(|error| {
                fail(format!(
                    "could not list {} ({error})",
                    store.data_dir().display()
                ))
            })?
            .path();
        if done.contains(&path) || skip.contains(&path) {
            continue;
        }
        let name = path.file_name().unwrap_or_default();
        if path.is_dir() {
            copy_tree(&path, &staging.join(name), copied, bytes, fail)?;
        } else if path.is_file() {
            copy_file(&path, &staging.join(name), copied, bytes, fail)?;
        }
    }
    Ok(())
}

fn copy_file(
    from: &Path,
    to: &Path,
    copied: &mut Vec<Copied>,
    bytes: &mut u64,
    fail: &dyn Fn(String) -> StoreError,
) -> Result<(), StoreError> {
    let content = std::fs::read(from).map_err(|error| {
        fail(format!(
            "could not read {} ({error}); check its permissions",
            from.display()
        ))
    })?;
    let write = || -> std::io::Result<()> {
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(to)?;
        file.write_all(&content)?;
        file.sync_all()
    };
    write().map_err(|error| {
        fail(format!(
            "could not write {} ({error}); check that the place is writable and has free space",
            to.display()
        ))
    })?;
    *bytes += content.len() as u64;
    copied.push(Copied {
        to: to.to_path_buf(),
        from: from.to_path_buf(),
        sha256: sha256_hex(&content),
    });
    Ok(())
}
