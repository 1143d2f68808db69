//! Demo data: realistic, made-up patients and plans, for benchmarks, screenshots, and a
//! clinic that wants to try the app before real use.
//!
//! Everything comes from a seed and the "now" the caller passes in: the same seed, now
//! and catalog give the same files, byte for byte. Patients have names from several
//! cultures, birth dates, screening answers; their plans use every pathway the
//! new-plan screen offers, start from eighteen months ago to four months ahead, and have
//! the statuses, ticks, notes and revisions that those dates call for. Sessions that
//! took place have records (harvest, kits and products with lots shared by the
//! patients of the same weeks, as a recall finds them, the product, the anaesthetic),
//! and the follow-ups have outcome scores, mostly improving, some not.
//!
//! Demo data is marked three ways: a marker file in the data folder
//! ([`crate::store::DEMO_MARKER_FILE`]; the app shows a banner while it is there), clinic ids that
//! start with `DEMO-`, and contact addresses at `example.org`. It goes only into a new
//! or empty data folder, so it never mixes with real patients.
//!
//! Every file is written through the store's public writers, the same path as a save
//! (temporary file, flushed to the disk, linked without replacing, folder flushed):
//! demo data has the same guarantees as a physician's save. It is fast because many patients are written
//! at once on parallel threads, whose flushes the file system commits together; a save
//! in the app waits for its own flushes exactly as before.

mod names;
mod photos;
mod rng;
mod story;
mod treatment;

use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use jiff::Timestamp;

use crate::catalog::Catalog;
use crate::store::{DemoMarker, Store, StoreError};
pub use photos::synthetic_photo;
use story::{DemoPatient, Story};

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

/// Makes demo data in `data_dir`, which must not exist yet or be empty (a data folder
/// with no patient and no plan), and returns the store. The marker file is written
/// first, so a folder left half-made by a crash is still marked as demo.
///
/// # Errors
/// [`StoreError::NotEmptyForDemo`] when the folder holds anything else (nothing is
/// written then); otherwise as a save.
pub fn create_demo(
    data_dir: &Path,
    catalog: &Catalog,
    options: &DemoOptions,
) -> Result<(Store, DemoReport), StoreError> {
    let store = Store::open_for_demo(data_dir, &marker_of(options))?;
    fill_with_photos(store, catalog, options)
}

/// Makes demo data on a PostgreSQL database whose schema `regen-planner db init` made
/// and that holds no patient, no plan and no demo data yet, and returns the store. The
/// database is marked as demo first. The demo photographs are kept in the database's
/// photos table, as on a data folder.
///
/// # Errors
/// [`StoreError::NotEmptyForDemo`] when the database holds records or demo data
/// already (nothing is written then); otherwise as a save.
pub fn create_demo_on_database(
    url: &str,
    catalog: &Catalog,
    options: &DemoOptions,
) -> Result<(Store, DemoReport), StoreError> {
    let store = Store::open_database_for_demo(url, &marker_of(options))?;
    fill_with_photos(store, catalog, options)
}

/// The marker of demo data made with `options`.
fn marker_of(options: &DemoOptions) -> DemoMarker {
    DemoMarker {
        seed: options.seed,
        patients: options.patients,
        made_at: options.now,
    }
}

/// Keeps the demo photographs in a store marked as demo, then fills it.
fn fill_with_photos(
    store: Store,
    catalog: &Catalog,
    options: &DemoOptions,
) -> Result<(Store, DemoReport), StoreError> {
    let photos = photos::DemoPhotos::keep(&store)?;
    let report = fill(&store, catalog, options, Some(&photos))?;
    Ok((store, report))
}

/// Writes the demo patients and plans into a store marked as demo, with the demo
/// photographs kept in it when there are any.
fn fill(
    store: &Store,
    catalog: &Catalog,
    options: &DemoOptions,
    photos: Option<&photos::DemoPhotos>,
) -> Result<DemoReport, StoreError> {
    let (views, _) = crate::catalog::PhotoViews::builtin();
    let extras = Extras {
        photos,
        views: &views,
        now: options.now,
    };
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
                        match write_patient(store, &stories.patient(index), &extras) {
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
            if let Err(cause) = spawned {
                fail(StoreError::Write {
                    record: "demo data".to_owned(),
                    file: store.data_dir().to_path_buf(),
                    cause,
                });
                break;
            }
        }
    });
    if let Some(error) = failure.into_inner().ok().flatten() {
        return Err(error);
    }
    Ok(report.into_inner().unwrap_or_default())
}

/// What is added to the story's plans: made-up photographs of the sessions held.
struct Extras<'a> {
    photos: Option<&'a photos::DemoPhotos>,
    views: &'a crate::catalog::PhotoViews,
    /// Nothing is saved after this.
    now: Timestamp,
}

/// Writes one patient's revisions, then each plan's, oldest first, each on top of the
/// one before; a plan whose sessions began gets one more revision with demo
/// photographs.
fn write_patient(
    store: &Store,
    patient: &DemoPatient,
    extras: &Extras<'_>,
) -> Result<DemoReport, StoreError> {
    let mut counts = DemoReport::default();
    for (base, revision) in (0u32..).zip(&patient.revisions) {
        store.write_patient_at(
            &patient.id,
            base,
            &revision.value,
            revision.saved_by,
            revision.saved_at,
        )?;
    }
    counts.revisions += patient.revisions.len();
    for plan in &patient.plans {
        for (base, revision) in (0u32..).zip(&plan.revisions) {
            store.write_plan_at(
                &plan.id,
                base,
                &revision.value,
                revision.saved_by,
                revision.saved_at,
            )?;
        }
        counts.plans += 1;
        counts.revisions += plan.revisions.len();
        // The photographs' revision comes a minute after the last one, never after now.
        if let Some(last) = plan.revisions.last()
            && let Ok(at) = last
                .saved_at
                .checked_add(jiff::SignedDuration::from_mins(1))
            && at <= extras.now
            && let Some(photos) = extras.photos
            && let Some(with_photos) = photos.on_plan(&last.value, extras.views, at)
        {
            let base = u32::try_from(plan.revisions.len()).unwrap_or(u32::MAX);
            store.write_plan_at(&plan.id, base, &with_photos, last.saved_by, at)?;
            counts.revisions += 1;
        }
    }
    Ok(counts)
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
