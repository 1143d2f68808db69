//! What one desk does with its data folder, the same in the window and on the command
//! line: gather what an export of a saved plan prints and write its files.
//!
//! This layer sits above `store` and `export` and joins them, so that neither knows the
//! other: `store` keeps records, `export` turns a [`crate::export::Document`] into
//! bytes, and only this module reads one to make the other.

pub mod export;

pub use export::{ExportFailure, ExportKind, export_document, file_name, write_exports};
