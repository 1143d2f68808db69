//! Reading a folder of the clinic's protocol files.

use std::path::{Path, PathBuf};

use crate::catalog::ProtocolFile;

/// A protocol folder or file that could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ProtocolDirError {
    /// The folder could not be listed.
    #[error("could not read the protocol folder {}: {cause}; check that it exists and that you may read it", path.display())]
    Folder {
        /// The folder.
        path: PathBuf,
        /// Why.
        cause: std::io::Error,
    },
    /// A file could not be read.
    #[error("could not read the protocol file {}: {cause}; check its permissions, or that it is UTF-8 text", path.display())]
    File {
        /// The file.
        path: PathBuf,
        /// Why.
        cause: std::io::Error,
    },
}

/// Reads every `*.ron` file of a folder, ordered by name. A folder that does not exist
/// holds no files. Files that cannot be read are returned as errors beside the others,
/// so one bad file never hides the rest.
///
/// # Errors
/// When the folder exists but cannot be listed.
pub fn read_protocol_dir(
    dir: &Path,
) -> Result<(Vec<ProtocolFile>, Vec<ProtocolDirError>), ProtocolDirError> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            return Ok((Vec::new(), Vec::new()));
        }
        Err(cause) => {
            return Err(ProtocolDirError::Folder {
                path: dir.to_path_buf(),
                cause,
            });
        }
    };
    let mut paths: Vec<PathBuf> = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|cause| ProtocolDirError::Folder {
            path: dir.to_path_buf(),
            cause,
        })?;
        let path = entry.path();
        if path.extension().is_some_and(|extension| extension == "ron") && path.is_file() {
            paths.push(path);
        }
    }
    paths.sort();
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for path in paths {
        match std::fs::read_to_string(&path) {
            Ok(text) => files.push(ProtocolFile {
                name: path.display().to_string(),
                text,
            }),
            Err(cause) => errors.push(ProtocolDirError::File { path, cause }),
        }
    }
    Ok((files, errors))
}
