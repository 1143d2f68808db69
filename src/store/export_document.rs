//! Writing an exported file: whole or not at all. What goes in it is gathered by
//! [`crate::desk::export`]; the store only writes the bytes.

use super::error::StoreError;

/// Writes an exported file in one step (a temporary file beside it, flushed, then
/// renamed over any older export of the same name), creating its folder if needed: a
/// reader never sees half a file.
///
/// # Errors
/// When the folder or the file cannot be written; the error names the file.
pub fn write_export(path: &std::path::Path, bytes: &[u8]) -> Result<(), StoreError> {
    // A bare file name is in the current folder; the folder is then ".", not "".
    let path = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => path.to_path_buf(),
        _ => std::path::Path::new(".").join(path),
    };
    let export_error = |cause| StoreError::Export {
        file: path.clone(),
        cause,
    };
    let folder = path.parent().unwrap_or(std::path::Path::new("."));
    std::fs::create_dir_all(folder).map_err(export_error)?;
    super::fsio::write_replace(folder, &path, bytes).map_err(export_error)
}
