//! Where the app's folders are: per-OS defaults from `directories`, overridable for
//! tests and shared clinic folders.

use std::path::{Path, PathBuf};

/// The environment variable that points the app at another data folder.
pub const DATA_DIR_VAR: &str = "REGEN_PLANNER_DATA_DIR";
/// The environment variable that points the app at another configuration folder.
pub const CONFIG_DIR_VAR: &str = "REGEN_PLANNER_CONFIG_DIR";

/// The system could not tell where the app's folders belong.
#[derive(Debug, thiserror::Error)]
#[error(
    "could not find a home folder for the app's files; pass --data-dir DIR and --config-dir DIR, or set {DATA_DIR_VAR} and {CONFIG_DIR_VAR}"
)]
pub struct DirsError;

/// The folders the app reads and writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppDirs {
    /// Patients and plans.
    pub data: PathBuf,
    /// Settings and the clinic's protocol files.
    pub config: PathBuf,
}

impl AppDirs {
    /// The folders: an explicit folder wins, then the environment variable, then the
    /// operating system's default for the app.
    ///
    /// # Errors
    /// When no folder is given and the system has no home folder.
    pub fn resolve(data: Option<&Path>, config: Option<&Path>) -> Result<Self, DirsError> {
        let from_env = |name: &str| {
            std::env::var_os(name)
                .filter(|value| !value.is_empty())
                .map(PathBuf::from)
        };
        let data = data
            .map(Path::to_path_buf)
            .or_else(|| from_env(DATA_DIR_VAR));
        let config = config
            .map(Path::to_path_buf)
            .or_else(|| from_env(CONFIG_DIR_VAR));
        let project = || directories::ProjectDirs::from("", "", "Regen Planner");
        let data = match data {
            Some(dir) => dir,
            None => project().ok_or(DirsError)?.data_dir().to_path_buf(),
        };
        let config = match config {
            Some(dir) => dir,
            None => project().ok_or(DirsError)?.config_dir().to_path_buf(),
        };
        Ok(Self { data, config })
    }

    /// The folder of the clinic's protocol files.
    #[must_use]
    pub fn protocols(&self) -> PathBuf {
        self.config.join("protocols")
    }

    /// This desk's folder of derived data it can always make again (the thumbnails of
    /// photographs kept on a database), inside the configuration folder: never shared,
    /// never trusted.
    #[must_use]
    pub fn cache(&self) -> PathBuf {
        self.config.join("cache")
    }
}
