//! Everything the app keeps on disk: the clinic's protocol files, the desk's settings,
//! and patients and plans as chains of revisions that are never overwritten.
//!
//! See [`Store`] for the data folder's layout, [`Store::verify`] for what the chains
//! protect against, and [`Store::load_index`] for start-up with many plans.

mod backup;
mod bodies;
mod changes;
mod claims;
mod database;
mod demo_marker;
mod disk;
mod disk_records;
mod error;
mod export_target;
mod folder;
mod format;
mod fsio;
mod ids;
mod index;
mod medium;
mod migrate;
mod originals;
mod paths;
mod pgpass;
mod photo_bytes;
mod photos;
mod protocol_files;
mod records;
pub mod rules;
mod settings;
mod verify;
mod watch;

/// The parts of a plan a plan record holds, defined by `planning` and named here too, so
/// that code that reads records finds them beside [`PlanRecord`].
pub use crate::planning::{ExtraTask, Note, PlanStatus};
pub use backup::BackupReport;
pub use database::{
    CONNECT_TIMEOUT, DatabaseError, STATEMENT_TIMEOUT, check_url_for_settings, database_label,
    init as init_database,
};
pub use demo_marker::{DEMO_MARKER_FILE, DemoMarker};
pub use error::{LoadProblem, ProblemKind, StoreError};
pub use export_target::{ExportGuard, ExportTarget, Replace, write_export};
pub use folder::{Created, Loaded, Store};
pub use format::FORMAT_VERSION;
pub use ids::{InvalidId, PatientId, PlanId};
pub use index::{Index, LoadProgress, Summary};
pub use migrate::MigrateReport;
pub use paths::{AppDirs, DirsError};
pub use photo_bytes::{
    MAX_PHOTO_BYTES, PhotoFormat, PhotoProbe, PhotoRefusal, THUMBNAIL_SIDE_PIXELS, decode_oriented,
    decode_reduced, exif_taken_date, probe as probe_photo, thumbnail_png, without_metadata,
};
pub use photos::{
    CheckedPhoto, PURGE_GRACE_HOURS, PhotoError, PhotoReference, PurgeError, PurgeOptions,
    PurgeReport, StoredPhoto, check_photo,
};
pub use protocol_files::{ProtocolDirError, read_protocol_dir};
pub use records::{
    AgendaItems, LotUse, Patient, PatientSummary, PlanRecord, PlanSummary, Revision, RevisionInfo,
    Screening, recall,
};
pub use settings::{SETTINGS_FILE, Settings, ThemePreference};
pub use verify::{VerifyProblem, VerifyReport};
pub use watch::{Change, ChangeWatch};
