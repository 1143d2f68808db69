//! Everything the app keeps on disk: the clinic's protocol files, the desk's settings,
//! and patients and plans as chains of revisions that are never overwritten.
//!
//! See [`Store`] for the data folder's layout, [`Store::verify`] for what the chains
//! protect against, and [`Store::load_index`] for start-up with many plans.

mod backup;
mod claims;
mod demo;
mod error;
mod export_document;
mod export_target;
mod folder;
mod format;
mod fsio;
mod ids;
mod index;
mod paths;
mod protocol_files;
mod records;
pub mod rules;
mod settings;
mod verify;

pub use backup::BackupReport;
pub use demo::{DEFAULT_DEMO_SEED, DEMO_MARKER_FILE, DemoOptions, DemoReport};
pub use error::{LoadProblem, ProblemKind, StoreError};
pub use export_target::{ExportGuard, ExportTarget, Replace, write_export};
pub use folder::{Created, Loaded, Store};
pub use format::FORMAT_VERSION;
pub use ids::{InvalidId, PatientId, PlanId};
pub use index::{Index, LoadProgress};
pub use paths::{AppDirs, DirsError};
pub use protocol_files::{ProtocolDirError, read_protocol_dir};
pub use records::{
    ExtraTask, Note, Patient, PatientSummary, PlanRecord, PlanStatus, PlanSummary, Revision,
    RevisionInfo, Screening,
};
pub use settings::{SETTINGS_FILE, Settings, ThemePreference};
pub use verify::{VerifyProblem, VerifyReport};
