//! A verified copy of the whole data folder, as private as the data folder itself.

use std::fs::File;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use super::error::StoreError;
use super::folder::Store;
use super::format::{HEAD_FILE, sha256_hex};
use super::fsio::{FileKind, ReadFailure, not_a_file, read_regular, sync_dir};
use super::verify::{VerifyProblem, VerifyReport};

/// The name every backup being built starts with, beside its destination.
const STAGING_PREFIX: &str = ".regen-planner-backup-";
/// The lock file a backup being built holds, beside its folder: `<folder>.lock`.
const LOCK_SUFFIX: &str = ".lock";
/// A backup folder left by an app that did not lock it is removed after this long.
const UNLOCKED_STAGING_AGE: Duration = Duration::from_hours(24);

/// What [`Store::backup`] copied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupReport {
    /// The backup folder.
    pub dest: PathBuf,
    /// Files copied.
    pub files: usize,
    /// Bytes copied.
    pub bytes: u64,
    /// Entries that were not copied: links (never followed, so nothing outside the
    /// data folder is copied), named pipes and devices, and files too large for what
    /// they are. None of them was written by the app.
    pub skipped: Vec<VerifyProblem>,
    /// Folders of earlier backups that were interrupted (their app stopped) and were
    /// removed.
    pub cleaned_up: Vec<PathBuf>,
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

/// What a copy collects as it goes.
struct Copy<'a> {
    copied: Vec<Copied>,
    bytes: u64,
    skipped: Vec<VerifyProblem>,
    fail: &'a dyn Fn(String) -> StoreError,
}

impl Store {
    /// Copies the whole data folder to `dest`, a folder that must not exist yet, then
    /// reads every copied file back and compares it with the original, and verifies the
    /// copy's chains. The copy is built beside `dest` under a hidden name and renamed
    /// to `dest` only when complete, so a folder named `dest` is always a whole backup.
    /// It may be read only by its owner, like the data folder: folders 0700, files
    /// 0600, whatever the umask. Links are never followed (and so nothing outside the
    /// data folder is copied); they, pipes, devices and oversized files are left out
    /// and reported. A hidden folder left beside `dest` by an interrupted backup is
    /// removed.
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
        self.refuse_folder_backup(dest)?;
        let fail = |what: String| StoreError::Backup {
            dest: dest.to_path_buf(),
            what,
        };
        if std::fs::symlink_metadata(dest).is_ok() {
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
        let Some(name) = dest.file_name() else {
            return Err(fail(
                "it names no folder; give the name of a new folder".into(),
            ));
        };
        let dest = parent.join(name);
        let cleaned_up = remove_interrupted_backups(&parent);
        let (staging, lock_path, lock) = begin_staging(&parent).map_err(|error| {
            fail(format!(
                "could not create a folder in {} ({error}); check that it is writable and has free space",
                parent.display()
            ))
        })?;
        // Removed with everything in it if the copy fails; kept once it has its name.
        let staging = StagingDir(Some(staging));
        let staging_path = staging.path().to_path_buf();

        let mut copy = Copy {
            copied: Vec::new(),
            bytes: 0,
            skipped: Vec::new(),
            fail: &fail,
        };
        let top = [
            self.folder_of::<super::records::PlanRecord>(),
            self.folder_of::<super::records::Patient>(),
        ];
        for folder in &top {
            if super::folder::is_real_dir(folder) {
                let name = folder.file_name().unwrap_or_default();
                copy.tree(folder, &staging_path.join(name))?;
            }
        }
        copy.other_top_level(self, &staging_path, &top)?;
        sync_dir(&staging_path)
            .map_err(|error| fail(format!("could not flush the copy ({error})")))?;

        for file in &copy.copied {
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

        let result = std::fs::rename(&staging_path, &dest);
        if result.is_ok() {
            staging.keep();
        } else {
            drop(staging);
        }
        drop(lock);
        let _ = std::fs::remove_file(&lock_path);
        if let Err(error) = result {
            return Err(fail(format!(
                "could not give the finished copy its name ({error}); nothing was left behind, try again"
            )));
        }
        sync_dir(&parent)
            .map_err(|error| fail(format!("could not flush {} ({error})", parent.display())))?;
        let verify = Store::open(&dest)?.verify();
        Ok(BackupReport {
            dest,
            files: copy.copied.len(),
            bytes: copy.bytes,
            skipped: copy.skipped,
            cleaned_up,
            verify,
        })
    }
}

impl Copy<'_> {
    /// Copies a folder, each folder's head before its revisions; entries that are not
    /// folders or regular files are left out and reported.
    fn tree(&mut self, from: &Path, to: &Path) -> Result<(), StoreError> {
        let fail = self.fail;
        std::fs::create_dir(to)
            .and_then(|()| make_private(to))
            .map_err(|error| fail(format!("could not create {} ({error})", to.display())))?;
        let mut entries: Vec<(PathBuf, std::fs::FileType)> = std::fs::read_dir(from)
            .and_then(|entries| {
                entries
                    .map(|entry| entry.and_then(|entry| Ok((entry.path(), entry.file_type()?))))
                    .collect()
            })
            .map_err(|error| {
                fail(format!(
                    "could not list {} ({error}); check that the data folder is reachable",
                    from.display()
                ))
            })?;
        entries
            .sort_by_key(|(path, _)| (path.file_name() != Some(HEAD_FILE.as_ref()), path.clone()));
        for (path, file_type) in entries {
            let name = path.file_name().unwrap_or_default();
            if file_type.is_dir() {
                self.tree(&path, &to.join(name))?;
            } else {
                self.file(&path, file_type, &to.join(name))?;
            }
        }
        sync_dir(to).map_err(|error| fail(format!("could not flush {} ({error})", to.display())))
    }

    /// Copies the files and folders beside `patients` and `plans`, except the index
    /// cache and temporary files.
    fn other_top_level(
        &mut self,
        store: &Store,
        staging: &Path,
        done: &[PathBuf],
    ) -> Result<(), StoreError> {
        let fail = self.fail;
        let skip = [store.tmp_dir(), store.index_file()];
        let list_error = |error: std::io::Error| {
            fail(format!(
                "could not list {} ({error})",
                store.data_dir().display()
            ))
        };
        for entry in std::fs::read_dir(store.data_dir()).map_err(list_error)? {
            let entry = entry.map_err(list_error)?;
            let path = entry.path();
            if done.contains(&path) || skip.contains(&path) {
                continue;
            }
            let file_type = entry.file_type().map_err(list_error)?;
            let name = path.file_name().unwrap_or_default();
            if file_type.is_dir() {
                self.tree(&path, &staging.join(name))?;
            } else {
                self.file(&path, file_type, &staging.join(name))?;
            }
        }
        Ok(())
    }

    /// Copies one regular file, readable only by its owner and flushed; anything else
    /// is reported and left out.
    fn file(
        &mut self,
        from: &Path,
        file_type: std::fs::FileType,
        to: &Path,
    ) -> Result<(), StoreError> {
        let fail = self.fail;
        if let Some(what) = not_a_file(from, file_type) {
            self.skipped.push(VerifyProblem {
                file: from.to_path_buf(),
                what: format!(
                    "was not copied: it is {what}, which the app never makes, and a backup never follows a link out of the data folder or into it"
                ),
            });
            return Ok(());
        }
        let extension = from.extension().and_then(|extension| extension.to_str());
        let is_photo = from
            .parent()
            .and_then(Path::file_name)
            .is_some_and(|folder| folder == super::originals::PHOTO_FOLDER)
            && matches!(extension, Some("jpg" | "png"));
        let kind = match extension {
            _ if is_photo => FileKind::Photo,
            Some("json") => FileKind::ClaimList,
            _ => FileKind::Revision,
        };
        let content = match read_regular(from, kind) {
            Ok(content) => content,
            Err(ReadFailure::Io(error)) => {
                return Err(fail(format!(
                    "could not read {} ({error}); check its permissions",
                    from.display()
                )));
            }
            Err(ReadFailure::NotAFile { what }) => {
                self.skipped.push(VerifyProblem {
                    file: from.to_path_buf(),
                    what: format!("was not copied: it is {what}, which the app never makes"),
                });
                return Ok(());
            }
            Err(ReadFailure::TooLarge { len, limit }) => {
                self.skipped.push(VerifyProblem {
                    file: from.to_path_buf(),
                    what: format!(
                        "was not copied: it is {}, larger than any file of the app can be (at most {}), so it is not one of the app's",
                        super::error::size_in_words(len),
                        super::error::size_in_words(limit)
                    ),
                });
                return Ok(());
            }
        };
        // A photograph is named by the SHA-256 of its bytes: one that no longer has it
        // is not copied as if it were whole.
        if is_photo
            && from.file_stem().and_then(|stem| stem.to_str())
                != Some(super::format::sha256_hex(&content).as_str())
        {
            self.skipped.push(VerifyProblem {
                file: from.to_path_buf(),
                what: "was not copied: the photograph has changed since it was stored (its bytes no longer have the SHA-256 in its name); restore it from an earlier backup".to_owned(),
            });
            return Ok(());
        }
        let write = || -> std::io::Result<()> {
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::OpenOptionsExt as _;
                options.mode(0o600);
            }
            let mut file = options.open(to)?;
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt as _;
                file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
            }
            file.write_all(&content)?;
            file.sync_all()
        };
        write().map_err(|error| {
            fail(format!(
                "could not write {} ({error}); check that the place is writable and has free space",
                to.display()
            ))
        })?;
        self.bytes += content.len() as u64;
        self.copied.push(Copied {
            to: to.to_path_buf(),
            from: from.to_path_buf(),
            sha256: sha256_hex(&content),
        });
        Ok(())
    }
}

/// Sets a folder to 0700, whatever the umask made of it.
fn make_private(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o700))
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        Ok(())
    }
}

/// The folder a backup is built in, removed with its contents unless kept.
struct StagingDir(Option<PathBuf>);

impl StagingDir {
    fn path(&self) -> &Path {
        self.0.as_deref().unwrap_or(Path::new(""))
    }

    fn keep(mut self) {
        self.0 = None;
    }
}

impl Drop for StagingDir {
    fn drop(&mut self) {
        if let Some(path) = self.0.take() {
            let _ = std::fs::remove_dir_all(path);
        }
    }
}

/// Makes the hidden folder a backup is built in, after taking its lock: the lock file
/// `<folder>.lock` is created and locked before the folder exists, so a backup that
/// finds the folder and can take its lock knows its app stopped.
fn begin_staging(parent: &Path) -> std::io::Result<(PathBuf, PathBuf, File)> {
    loop {
        let name = format!("{STAGING_PREFIX}{}", uuid::Uuid::now_v7().simple());
        let staging = parent.join(&name);
        let lock_path = lock_of(&staging);
        let lock = match File::options()
            .write(true)
            .create_new(true)
            .open(&lock_path)
        {
            Ok(lock) => lock,
            Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(error) => return Err(error),
        };
        lock.lock()?;
        let mut builder = std::fs::DirBuilder::new();
        #[cfg(unix)]
        {
            use std::os::unix::fs::DirBuilderExt as _;
            builder.mode(0o700);
        }
        if let Err(error) = builder
            .create(&staging)
            .and_then(|()| make_private(&staging))
        {
            drop(lock);
            let _ = std::fs::remove_file(&lock_path);
            return Err(error);
        }
        return Ok((staging, lock_path, lock));
    }
}

/// The lock file of a backup folder being built.
fn lock_of(staging: &Path) -> PathBuf {
    let mut name = staging.file_name().unwrap_or_default().to_os_string();
    name.push(LOCK_SUFFIX);
    staging.with_file_name(name)
}

/// Removes the hidden folders that interrupted backups left in `parent`: those whose
/// lock can be taken (the app that held it has stopped), and, for folders without a
/// lock (left by an older app), those older than a day. Links are never followed.
fn remove_interrupted_backups(parent: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return Vec::new();
    };
    let now = SystemTime::now();
    let mut removed = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let is_folder = entry.file_type().is_ok_and(|file_type| file_type.is_dir());
        if !name.starts_with(STAGING_PREFIX) || name.ends_with(LOCK_SUFFIX) || !is_folder {
            continue;
        }
        let path = entry.path();
        let lock_path = lock_of(&path);
        let abandoned = match File::options().write(true).open(&lock_path) {
            Ok(lock) => lock.try_lock().is_ok(),
            Err(_) => entry
                .metadata()
                .and_then(|meta| meta.modified())
                .is_ok_and(|modified| {
                    now.duration_since(modified)
                        .is_ok_and(|age| age > UNLOCKED_STAGING_AGE)
                }),
        };
        if abandoned && std::fs::remove_dir_all(&path).is_ok() {
            let _ = std::fs::remove_file(&lock_path);
            removed.push(path);
        }
    }
    removed
}
