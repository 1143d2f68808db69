//! Everything the app keeps on disk: the clinic's protocol files, and (in later
//! modules) patients and plans with their revisions.

mod paths;
mod protocol_files;

pub use paths::{AppDirs, DirsError};
pub use protocol_files::{ProtocolDirError, read_protocol_dir};
