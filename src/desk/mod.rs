//! What one desk does with its data folder, the same in the window and on the command
//! line: open it with its protocols and settings ([`Workspace`]), gather what an export
//! of a saved plan prints and write its files ([`export`]), and run the window's reads
//! and writes on threads of their own ([`worker`]), so that the UI thread never touches
//! the disk.
//!
//! This layer sits above `store` and `export` and joins them, so that neither knows the
//! other: `store` keeps records, `export` turns a [`crate::export::Document`] into
//! bytes, and only this module reads one to make the other. Recording a session or a
//! score on a saved plan ([`treatment`]) is here too. It knows no egui.

pub mod agenda;
pub mod export;
pub mod lots;
pub mod photos;
pub mod screenshot;
pub mod treatment;
pub mod worker;
mod workspace;

pub use export::{
    ExportFailure, ExportKind, ExportOrder, export_document, export_document_for, file_name,
    write_exports,
};
pub use treatment::{
    Recorded, TreatmentError, add_score, record_session, remove_record, remove_score,
};
pub use workspace::Workspace;
