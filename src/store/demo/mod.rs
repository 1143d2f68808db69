//! Demo data: realistic, made-up patients and plans, for benchmarks, screenshots, and a
//! clinic that wants to try the app before real use.
//!
//! Everything comes from a seed and the "now" the caller passes in: the same seed, now
//! and catalog give the same files, byte for byte. Patients have names from several
//! cultures, birth dates, screening answers; their plans use every pathway the
//! new-plan screen offers, start from eighteen months ago to four months ahead, and have
//! the statuses, ticks, notes and revisions that those dates call for.
//!
//! Demo data is marked three ways: a marker file in the data folder
//! ([`DEMO_MARKER_FILE`]; the app shows a banner while it is there), clinic ids that
//! start with `DEMO-`, and contact addresses at `example.org`. It goes only into a new
//! or empty data folder, so it never mixes with real patients.
//!
//! Every file is written through the store's own path for saves (temporary file,
//! flushed to the disk, linked without replacing, folder flushed): demo data has the
//! same guarantees as a physician's save. It is fast because many patients are written
//! at once on parallel threads, whose flushes the file system commits together; a save
//! in the app waits for its own flushes exactly as before.

mod names;
mod rng;
mod story;

use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use jiff::Timestamp;
use serde::Serialize;

use super::error::{StoreError, write_error};
use super::folder::Store;
use super::fsio::{NewFileError, write_new};
use super::records::{Patient, PlanRecord};
use crate::catalog::Catalog;
use story::{DemoPatient, Story};

/// The file in the data folder that says it holds demo data. The app shows "Demo data:
/// not real patients" while it is there.
pub const DEMO_MARKER_FILE: &str = "demo-data.ron";

/// The seed used when none is given.
pub const DEFAULT_DEMO_SEED: u64 = 20_270_118;

/// How many patients are written at once. Most of a save's time is spent waiting for
/// the disk, so this is well above the number of cores.
const WRITERS: usize = 32;

/// What demo data to make.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoOptions {
    /// How many patients; each has zero to three plans.
    pub patients: usize,
    /// The same seed (with the same `now`) makes the same data.
    pub seed: u64,
    /// The moment the data is made at: plans start around it, and nothing in them
    /// happened later. The caller reads the clock; nothing here does.
    pub now: Timestamp,
}

/// What was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DemoReport {
    /// Patients written.
    pub patients: usize,
    /// Plans written.
    pub plans: usize,
    /// Revision files written, of patients and plans.
    pub revisions: usize,
    /// How many pathways (combinations of the catalog) the plans are spread over.
    pub pathways: usize,
}

/// The marker file's content, after its comment.
#[derive(Serialize)]
struct Marker {
    seed: u64,
    patients: usize,
    made_at: Timestamp,
}

impl Store {
    /// Whether the data folder holds demo data (it has the [`DEMO_MARKER_FILE`]).
    #[must_use]
    pub fn is_demo(&self) -> bool {
        self.data_dir().join(DEMO_MARKER_FILE).is_file()
    }

    /// Makes demo data in `data_dir`, which must not exist yet or be empty (a data
    /// folder with no patient and no plan), and returns the store. The marker file is
    /// written first, so a folder left half-made by a crash is still marked as demo.
    ///
    /// # Errors
    /// [`StoreError::NotEmptyForDemo`] when the folder holds anything else (nothing is
    /// written then); otherwise as a save.
    pub fn create_demo(
        data_dir: &Path,
        catalog: &Catalog,
        options: &DemoOptions,
    ) -> Result<(Store, DemoReport), StoreError> {
        check_empty_for_demo(data_dir)?;
        let store = Store::open(data_dir)?;
        store.write_marker(options)?;
        let stories = Story::new(catalog, options.seed, options.now);
        let next = AtomicUsize::new(0);
        let stop = AtomicBool::new(false);
        let failure: Mutex<Option<StoreError>> = Mutex::new(None);
        let report = Mutex::new(DemoReport {
            pathways: stories.pathway_count(),
            ..DemoReport::default()
        });
        let fail = |error: StoreError| {
            stop.store(true, Ordering::Relaxed);
            if let Ok(mut slot) = failure.lock() {
                slot.get_or_insert(error);
            }
        };
        std::thread::scope(|scope| {
            for _ in 0..WRITERS.min(options.patients) {
                let spawned = std::thread::Builder::new()
                    .name("demo-data".into())
                    .spawn_scoped(scope, || {
                        let mut written = DemoReport::default();
                        while !stop.load(Ordering::Relaxed) {
                            let index = next.fetch_add(1, Ordering::Relaxed);
                            if index >= options.patients {
                                break;
                            }
                            match store.write_demo_patient(&stories.patient(index)) {
                                Ok(counts) => {
                                    written.patients += 1;
                                    written.plans += counts.plans;
                                    written.revisions += counts.revisions;
                                }
                                Err(error) => fail(error),
                            }
                        }
                        if let Ok(mut report) = report.lock() {
                            report.patients += written.patients;
                            report.plans += written.plans;
                            report.revisions += written.revisions;
                        }
                    });
                if let Err(source) = spawned {
                    fail(write_error("demo data", data_dir, source));
                    break;
                }
            }
        });
        if let Some(error) = failure.into_inner().ok().flatten() {
            return Err(error);
        }
        let report = report.into_inner().unwrap_or_default();
        Ok((store, report))
    }

    /// Writes one patient's revisions, then each plan's, oldest first.
    fn write_demo_patient(&self, patient: &DemoPatient) -> Result<DemoReport, StoreError> {
        let mut counts = DemoReport::default();
        write_revisions::<Patient>(self, patient.id.as_str(), &patient.revisions)?;
        counts.revisions += patient.revisions.len();
        for plan in &patient.plans {
            write_revisions::<PlanRecord>(self, plan.id.as_str(), &plan.revisions)?;
            counts.plans += 1;
            counts.revisions += plan.revisions.len();
        }
        Ok(counts)
    }

    fn write_marker(&self, options: &DemoOptions) -> Result<(), StoreError> {
        let file = self.data_dir().join(DEMO_MARKER_FILE);
        let marker = Marker {
            seed: options.seed,
            patients: options.patients,
            made_at: options.now,
        };
        let body =
            ron::ser::to_string_pretty(&marker, ron::ser::PrettyConfig::new().new_line("\n"))
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

/// Saves the revisions of one record in order, each on top of the one before.
fn write_revisions<T: super::format::Record>(
    store: &Store,
    id: &str,
    revisions: &[story::DemoRevision<T>],
) -> Result<(), StoreError> {
    for (base, revision) in (0u32..).zip(revisions) {
        if base == 0 {
            store.create_record_at(id, &revision.value, revision.saved_by, revision.saved_at)?;
        } else {
            store.save_record_at(
                id,
                base,
                &revision.value,
                revision.saved_by,
                revision.saved_at,
            )?;
        }
    }
    Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_pathway_is_used_and_patients_are_marked() {
        let (catalog, _) = Catalog::builtin();
        let now: Timestamp = "2027-01-18T10:00:00Z".parse().unwrap();
        let story = Story::new(&catalog, 7, now);
        let mut used = std::collections::BTreeSet::new();
        for index in 0..story.pathway_count() {
            let patient = story.patient(index);
            let first = &patient.revisions[0].value;
            assert!(first.clinic_id.as_deref().unwrap().starts_with("DEMO-"));
            if let Some(plan) = patient.plans.first() {
                used.insert(plan.revisions[0].value.plan.selection.to_string());
            }
            for plan in &patient.plans {
                for revision in &plan.revisions {
                    assert!(revision.saved_at <= now, "nothing happens after now");
                    for ticked in revision.value.checklist.values() {
                        assert!(*ticked <= revision.saved_at, "a tick is saved after it");
                    }
                }
            }
        }
        assert_eq!(used.len(), story.pathway_count(), "every pathway is used");
    }
}
