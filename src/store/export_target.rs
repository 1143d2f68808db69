//! Where an export may be written: never inside the app's own folders, never over
//! anything but a regular file, and over an existing export only when asked.
//!
//! An export names a path the user typed, and a path can lead anywhere: `..`, links to
//! folders, a revision file, `head.ron`, `settings.ron`, `/dev/null`. So the target is
//! resolved first (every link and `..` followed, as the system would, for the folders
//! that exist; folders still to be made are taken as written), and refused when it lies
//! inside the data folder or the configuration folder (resolved the same way), when it
//! is a link, a folder, a pipe or a device, or when it exists and replacing was not
//! asked for. The file is then written beside its target and renamed into place, which
//! replaces the name, never the contents of whatever the old name was linked to.

use std::io;
use std::path::{Component, Path, PathBuf};

use super::error::StoreError;
use super::fsio::{create_private_dir, not_a_file, sync_dir};
use super::paths::AppDirs;

/// Whether an export may replace a file of the same name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Replace {
    /// Only a new file is written; an existing one is [`StoreError::ExportExists`].
    Never,
    /// An existing regular file (an earlier export) is replaced, in one step.
    Existing,
}

/// The folders no export may write into: the data folder and the configuration folder,
/// resolved.
#[derive(Debug, Clone)]
pub struct ExportGuard {
    protected: Vec<(PathBuf, &'static str)>,
}

/// A checked export target: where the bytes go, and whether a file is there now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportTarget {
    /// The resolved path that is written.
    pub path: PathBuf,
    /// Whether a regular file of that name is there now (it is replaced only with
    /// [`Replace::Existing`]).
    pub exists: bool,
    replace: Replace,
}

impl ExportGuard {
    /// The guard for the app's folders.
    #[must_use]
    pub fn new(dirs: &AppDirs) -> Self {
        let mut protected = Vec::new();
        for (folder, which) in [
            (&dirs.data, "data folder"),
            (&dirs.config, "configuration folder"),
        ] {
            // A folder that cannot be resolved (the current folder is gone) is kept as
            // given: nothing is ever written in a folder that is not resolved.
            protected.push((resolve(folder).unwrap_or_else(|_| folder.clone()), which));
        }
        Self { protected }
    }

    /// Checks where an export of `path` would be written.
    ///
    /// # Errors
    /// [`StoreError::ExportInsideAppFolder`] for a path inside the data or configuration
    /// folder, [`StoreError::ExportNotAFile`] for a link, folder, pipe or device (or a
    /// path that names no file), [`StoreError::ExportExists`] for an existing file
    /// with [`Replace::Never`], and [`StoreError::Export`] when the path cannot be
    /// resolved.
    pub fn check(&self, path: &Path, replace: Replace) -> Result<ExportTarget, StoreError> {
        let export_error = |cause| StoreError::Export {
            file: path.to_path_buf(),
            cause,
        };
        let Some(name) = path.file_name().filter(|_| {
            !matches!(
                path.components().next_back(),
                Some(Component::ParentDir | Component::CurDir)
            )
        }) else {
            return Err(StoreError::ExportNotAFile {
                file: path.to_path_buf(),
                what: "a folder, not a file name".to_owned(),
            });
        };
        let parent = match path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent,
            _ => Path::new("."),
        };
        let folder = resolve(parent).map_err(export_error)?;
        let target = folder.join(name);
        for (protected, which) in &self.protected {
            if target.starts_with(protected) {
                return Err(StoreError::ExportInsideAppFolder {
                    file: path.to_path_buf(),
                    folder: protected.clone(),
                    which,
                });
            }
        }
        let exists = match std::fs::symlink_metadata(&target) {
            Ok(meta) => {
                if let Some(what) = not_a_file(&target, meta.file_type()) {
                    return Err(StoreError::ExportNotAFile {
                        file: path.to_path_buf(),
                        what,
                    });
                }
                true
            }
            Err(error) if error.kind() == io::ErrorKind::NotFound => false,
            // A folder on the way is a file, or may not be looked into.
            Err(error) => return Err(export_error(error)),
        };
        if exists && replace == Replace::Never {
            return Err(StoreError::ExportExists { file: target });
        }
        Ok(ExportTarget {
            path: target,
            exists,
            replace,
        })
    }
}

/// Writes an export to a checked target, whole or not at all: the bytes go to a
/// temporary file beside it (readable only by its owner), are flushed, and the file is
/// renamed into place, without replacing anything when the target asked for a new
/// file. Folders on the way are created, readable only by their owner.
///
/// # Errors
/// When the folder or file cannot be written, or (for a new file) a file of that name
/// appeared meanwhile; the error names the file, and nothing was replaced.
pub fn write_export(target: &ExportTarget, bytes: &[u8]) -> Result<(), StoreError> {
    let path = &target.path;
    let export_error = |cause| StoreError::Export {
        file: path.clone(),
        cause,
    };
    let folder = path.parent().unwrap_or(Path::new("."));
    create_private_dir(folder).map_err(export_error)?;
    let mut file = tempfile::Builder::new()
        .prefix(".regen-planner-export-")
        .suffix(".tmp")
        .tempfile_in(folder)
        .map_err(export_error)?;
    io::Write::write_all(&mut file, bytes).map_err(export_error)?;
    file.as_file().sync_all().map_err(export_error)?;
    match target.replace {
        Replace::Never => match file.persist_noclobber(path) {
            Ok(_) => {}
            Err(error) if error.error.kind() == io::ErrorKind::AlreadyExists => {
                return Err(StoreError::ExportExists { file: path.clone() });
            }
            Err(error) => return Err(export_error(error.error)),
        },
        Replace::Existing => {
            // Looked at again just before: what is there now must still be a file.
            if let Ok(meta) = std::fs::symlink_metadata(path)
                && let Some(what) = not_a_file(path, meta.file_type())
            {
                return Err(StoreError::ExportNotAFile {
                    file: path.clone(),
                    what,
                });
            }
            file.persist(path)
                .map_err(|error| export_error(error.error))?;
        }
    }
    sync_dir(folder).map_err(export_error)
}

/// A path as the system would reach it: absolute, with every link and `..` of the
/// folders that exist followed; the folders that do not exist yet are added as
/// written (a `..` after one goes back to its parent, as it will once it is made).
fn resolve(path: &Path) -> io::Result<PathBuf> {
    let absolute = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()?.join(path)
    };
    let mut resolved = PathBuf::new();
    // How many of the last components of `resolved` do not exist yet.
    let mut missing = 0_usize;
    for component in absolute.components() {
        match component {
            Component::Prefix(_) | Component::RootDir => resolved.push(component.as_os_str()),
            Component::CurDir => {}
            Component::ParentDir => {
                resolved.pop();
                missing = missing.saturating_sub(1);
            }
            Component::Normal(name) => {
                let next = resolved.join(name);
                if missing == 0 && std::fs::symlink_metadata(&next).is_ok() {
                    resolved = next.canonicalize()?;
                } else {
                    resolved = next;
                    missing += 1;
                }
            }
        }
    }
    Ok(resolved)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dot_dot_and_links_are_followed_as_the_system_would() {
        let dir = tempfile::tempdir().unwrap();
        let base = dir.path().canonicalize().unwrap();
        std::fs::create_dir_all(base.join("data/plans")).unwrap();
        assert_eq!(
            resolve(&base.join("elsewhere/../data/plans/x")).unwrap(),
            base.join("data/plans/x")
        );
        assert_eq!(
            resolve(&base.join("new/deeper/../../data")).unwrap(),
            base.join("data")
        );
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(base.join("data"), base.join("link")).unwrap();
            assert_eq!(
                resolve(&base.join("link/plans/../plans")).unwrap(),
                base.join("data/plans")
            );
        }
    }
}
