//! Reading a folder of the clinic's protocol files.

use std::path::{Path, PathBuf};

use super::fsio::{FileKind, ReadFailure, read_failure, read_regular};
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
    /// A protocol file is a link, a pipe or a device, or larger than a protocol can
    /// be: it was not read.
    #[error("the protocol file {}", crate::untrusted::escape_controls(&.0.to_string()))]
    Refused(crate::store::StoreError),
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
        let is_dir = entry.file_type().is_ok_and(|file_type| file_type.is_dir());
        if path.extension().is_some_and(|extension| extension == "ron") && !is_dir {
            paths.push(path);
        }
    }
    paths.sort();
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for path in paths {
        match read_regular(&path, FileKind::Protocol) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(text) => files.push(ProtocolFile {
                    name: path.display().to_string(),
                    text,
                }),
                Err(_) => errors.push(ProtocolDirError::File {
                    path,
                    cause: std::io::Error::from(std::io::ErrorKind::InvalidData),
                }),
            },
            Err(ReadFailure::Io(cause)) => errors.push(ProtocolDirError::File { path, cause }),
            Err(failure) => errors.push(ProtocolDirError::Refused(read_failure(
                &path,
                FileKind::Protocol,
                failure,
                |file| crate::store::StoreError::Read {
                    file,
                    cause: std::io::Error::from(std::io::ErrorKind::NotFound),
                },
            ))),
        }
    }
    Ok((files, errors))
}
