//! The marker of a data folder that holds demo data, and the only way demo data gets a
//! folder: a new or empty one, so that it never mixes with real patients. What goes in
//! the folder is made by [`crate::demo`] and written through the store's public writers.

use std::path::Path;

use jiff::Timestamp;
use serde::Serialize;

use super::error::{StoreError, write_error};
use super::folder::Store;
use super::fsio::{NewFileError, write_new};

/// The file in the data folder that says it holds demo data. The app shows "Demo data:
/// not real patients" while it is there.
pub const DEMO_MARKER_FILE: &str = "demo-data.ron";

/// What the marker file records about the demo data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DemoMarker {
    /// The seed the data was made from.
    pub seed: u64,
    /// How many patients were asked for.
    pub patients: usize,
    /// The moment the data was made at.
    pub made_at: Timestamp,
}

impl Store {
    /// Whether the data folder holds demo data (it has the [`DEMO_MARKER_FILE`]).
    #[must_use]
    pub fn is_demo(&self) -> bool {
        self.data_dir().join(DEMO_MARKER_FILE).is_file()
    }

    /// Opens `data_dir` for demo data: it must not exist yet or be empty (a data folder
    /// with no patient and no plan), and gets the marker file before anything else, so
    /// that a folder left half-made by a crash is still marked as demo.
    ///
    /// # Errors
    /// [`StoreError::NotEmptyForDemo`] when the folder holds anything else (nothing is
    /// written then); otherwise as a save.
    pub fn open_for_demo(data_dir: &Path, marker: &DemoMarker) -> Result<Store, StoreError> {
        check_empty_for_demo(data_dir)?;
        let store = Store::open(data_dir)?;
        store.write_marker(marker)?;
        Ok(store)
    }

    fn write_marker(&self, marker: &DemoMarker) -> Result<(), StoreError> {
        let file = self.data_dir().join(DEMO_MARKER_FILE);
        let body = ron::ser::to_string_pretty(marker, ron::ser::PrettyConfig::new().new_line("\n"))
            .map_err(|error| StoreError::Serialize {
                record: "the demo data marker".to_owned(),
                what: error.to_string(),
            })?;
        let text = format!(
            "// Regen Planner demo data: every patient and plan in this folder was made up by `regen-planner demo-data`; none is a real patient. The app shows a banner while this file is here.\n{body}\n"
        );
        match write_new(&self.tmp_dir(), &file, text.as_bytes()) {
            Ok(()) => Ok(()),
            Err(NewFileError::Exists) => Err(StoreError::NotEmptyForDemo {
                path: self.data_dir().to_path_buf(),
                found: format!("demo data made earlier ({DEMO_MARKER_FILE})"),
            }),
            Err(NewFileError::Io(source)) => Err(write_error("demo data", &file, source)),
        }
    }
}

/// Refuses a folder that holds anything but an empty data folder's own parts (the
/// `patients`, `plans` and `tmp` folders without records, and the index cache).
fn check_empty_for_demo(data_dir: &Path) -> Result<(), StoreError> {
    let entries = match std::fs::read_dir(data_dir) {
        Ok(entries) => entries,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(source) => {
            return Err(StoreError::DataFolder {
                path: data_dir.to_path_buf(),
                cause: source,
            });
        }
    };
    let read_error = |source| StoreError::Read {
        file: data_dir.to_path_buf(),
        cause: source,
    };
    let mut records = [0usize; 2];
    let mut other = None;
    for entry in entries {
        let entry = entry.map_err(read_error)?;
        let name = entry.file_name().to_string_lossy().into_owned();
        match name.as_str() {
            "patients" | "plans" if entry.path().is_dir() => {
                let count = std::fs::read_dir(entry.path()).map_err(read_error)?.count();
                records[usize::from(name == "plans")] += count;
            }
            "tmp" | "index.json" => {}
            // The claims folder of a new data folder holds nothing but its README.
            "clinic-ids" if holds_no_claim(&entry.path()) => {}
            _ => {
                other.get_or_insert(name);
            }
        }
    }
    let found = match (records, other) {
        ([0, 0], None) => return Ok(()),
        (_, Some(name)) if name == DEMO_MARKER_FILE => {
            format!("demo data made earlier ({DEMO_MARKER_FILE})")
        }
        ([0, 0], Some(name)) => format!("other files, such as {name}"),
        ([patients, plans], _) => format!("{patients} patient(s) and {plans} plan(s)"),
    };
    Err(StoreError::NotEmptyForDemo {
        path: data_dir.to_path_buf(),
        found,
    })
}

/// Whether a claims folder holds no claim (only its README and an empty list of the
/// claims made before claims existed).
fn holds_no_claim(folder: &Path) -> bool {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return false;
    };
    entries.flatten().all(|entry| {
        let name = entry.file_name();
        name == "README.txt"
            || (name == "before-claims.json"
                && std::fs::read_to_string(entry.path())
                    .is_ok_and(|text| text.contains("\"claims\": {}")))
    })
}
