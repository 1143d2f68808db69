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
        if let Some(database) = self.database() {
            return database
                .with_client(|client| client.query_opt("SELECT 1 FROM demo_marker", &[]))
                .is_ok_and(|row| row.is_some());
        }
        self.data_dir().join(DEMO_MARKER_FILE).is_file()
    }

    /// Opens a database for demo data (see [`Store::open_for_demo`]): it must hold no
    /// record and no demo data yet, and gets its marker (the row of `demo_marker`)
    /// before anything else, in the statement that checks it is empty.
    ///
    /// # Errors
    /// [`StoreError::NotEmptyForDemo`] when it holds records or demo data (nothing is
    /// written then); as [`Store::open_database`] when it cannot be used.
    pub fn open_database_for_demo(url: &str, marker: &DemoMarker) -> Result<Store, StoreError> {
        let store = Store::open_database(url)?;
        let body = marker_text(marker, true)?;
        let database_error = |error: super::database::DatabaseError| StoreError::Database {
            what: error.to_string(),
        };
        let Some(database) = store.database() else {
            return Err(StoreError::Database {
                what: "the store is not on a database".to_owned(),
            });
        };
        let (placed, records, earlier) = database
            .with_client(|client| {
                let mut transaction = client.transaction()?;
                let placed = transaction.execute(
                    "INSERT INTO demo_marker (body) SELECT $1 WHERE NOT EXISTS (SELECT 1 FROM records) ON CONFLICT DO NOTHING",
                    &[&body.as_bytes()],
                )? == 1;
                let records: i64 = transaction
                    .query_one("SELECT count(*) FROM records", &[])?
                    .get(0);
                let earlier: i64 = transaction
                    .query_one("SELECT count(*) FROM demo_marker", &[])?
                    .get(0);
                transaction.commit()?;
                Ok((placed, records, earlier))
            })
            .map_err(database_error)?;
        if placed {
            return Ok(store);
        }
        let found = if records > 0 {
            format!("{records} patient(s) and plan(s)")
        } else if earlier > 0 {
            "demo data made earlier".to_owned()
        } else {
            "something another desk wrote meanwhile".to_owned()
        };
        Err(StoreError::NotEmptyForDemo {
            path: store.data_dir().to_path_buf(),
            found,
        })
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

    /// Carries the demo marker of this store to `target` before a copy into it
    /// (`migrate --to`, or a backup from a database), so that demo patients never
    /// arrive unmarked, and refuses a copy that would mix demo patients with real ones:
    /// demo data into a store that holds records and is not demo, or records into a
    /// demo store. Nothing is written when it refuses.
    ///
    /// # Errors
    /// [`StoreError::DemoMix`] when the copy would mix them; as a save when the marker
    /// cannot be written.
    pub(crate) fn carry_demo_marker(&self, target: &Store) -> Result<(), StoreError> {
        let (source_demo, target_demo) = (self.is_demo(), target.is_demo());
        if source_demo == target_demo {
            return Ok(());
        }
        let target_has_records = !target.is_empty_of_records()?;
        if !source_demo {
            if self.is_empty_of_records()? {
                return Ok(());
            }
            return Err(StoreError::DemoMix {
                target: target.data_dir().to_path_buf(),
                what: "it holds demo data, and the patients copied into it are real ones"
                    .to_owned(),
            });
        }
        if target_has_records {
            return Err(StoreError::DemoMix {
                target: target.data_dir().to_path_buf(),
                what: "it holds real patients, and the data copied into it is demo data".to_owned(),
            });
        }
        let body = self.demo_marker_body()?;
        if let Some(database) = target.database() {
            return database
                .with_client(|client| {
                    client.execute(
                        "INSERT INTO demo_marker (body) VALUES ($1) ON CONFLICT DO NOTHING",
                        &[&body],
                    )
                })
                .map(|_| ())
                .map_err(|error| StoreError::Database {
                    what: error.to_string(),
                });
        }
        let file = target.data_dir().join(DEMO_MARKER_FILE);
        match write_new(&target.tmp_dir(), &file, &body) {
            Ok(()) | Err(NewFileError::Exists) => Ok(()),
            Err(NewFileError::Io(source)) => Err(write_error("demo data", &file, source)),
        }
    }

    /// The demo marker's bytes as this store keeps them (its file, or its row).
    fn demo_marker_body(&self) -> Result<Vec<u8>, StoreError> {
        if let Some(database) = self.database() {
            return database
                .with_client(|client| {
                    client
                        .query_opt("SELECT body FROM demo_marker", &[])
                        .map(|row| row.map(|row| row.get::<_, Vec<u8>>(0)).unwrap_or_default())
                })
                .map_err(|error| StoreError::Database {
                    what: error.to_string(),
                });
        }
        let file = self.data_dir().join(DEMO_MARKER_FILE);
        super::fsio::read_regular(&file, super::fsio::FileKind::Head).map_err(|failure| {
            let cause = match failure {
                super::fsio::ReadFailure::Io(error) => error,
                super::fsio::ReadFailure::NotAFile { what } => {
                    std::io::Error::other(format!("it is {what}, not a file the app wrote"))
                }
                super::fsio::ReadFailure::TooLarge { len, limit } => std::io::Error::other(
                    format!("it is {len} bytes, more than a marker's {limit}"),
                ),
            };
            StoreError::Read { file, cause }
        })
    }

    /// Whether the store holds no patient and no plan.
    fn is_empty_of_records(&self) -> Result<bool, StoreError> {
        let (patients, _) = self.ids_of::<super::records::Patient>()?;
        let (plans, _) = self.ids_of::<super::records::PlanRecord>()?;
        Ok(patients.is_empty() && plans.is_empty())
    }

    fn write_marker(&self, marker: &DemoMarker) -> Result<(), StoreError> {
        let file = self.data_dir().join(DEMO_MARKER_FILE);
        let text = marker_text(marker, false)?;
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

/// The marker's text, as the file and the database's row hold it.
fn marker_text(marker: &DemoMarker, on_database: bool) -> Result<String, StoreError> {
    let body = ron::ser::to_string_pretty(marker, ron::ser::PrettyConfig::new().new_line("\n"))
        .map_err(|error| StoreError::Serialize {
            record: "the demo data marker".to_owned(),
            what: error.to_string(),
        })?;
    let (place, marker) = if on_database {
        ("database", "row")
    } else {
        ("folder", "file")
    };
    Ok(format!(
        "// Regen Planner demo data: every patient and plan in this {place} was made up by `regen-planner demo-data`; none is a real patient. The app shows a banner while this {marker} is here.\n{body}\n"
    ))
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
