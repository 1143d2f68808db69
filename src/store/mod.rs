//! Everything the app keeps on disk: the clinic's protocol files, settings, patients and
//! plans with their revisions.

mod paths;
mod protocol_files;
mod records;
mod settings;

pub use paths::{AppDirs, DirsError};
pub use protocol_files::{ProtocolDirError, read_protocol_dir};
pub use records::{
    ExtraTask, Note, Patient, PatientId, PatientSummary, PlanId, PlanRecord, PlanStatus,
    PlanSummary, Revision, Screening,
};
pub use settings::{Settings, ThemePreference};
