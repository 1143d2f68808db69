//! Start-up with 10,000 plans: `Store::load_index` with the index cache present (the
//! usual start), and with it missing (first start, or after the cache was deleted), when
//! every plan's newest revision is parsed.
//!
//! Run with `cargo bench --bench load_index`. The data folder lives on a RAM disk
//! (`/dev/shm`) when there is one, so that building 10,000 plans does not wait on
//! fsync; the measured loads read from the page cache either way.
//!
//! Measured on a 2-core machine shared with other builds (load average 3 to 4), 10,000
//! plans of about 23 KiB and 2,500 patients: cache present 70-190 ms (median 90-130 ms),
//! cache missing 1.6-3.1 s (median 2.2-2.8 s). The window loads on a background thread
//! either way.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a benchmark stops loudly on anything unexpected"
)]

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::LazyLock;

use divan::Bencher;
use regen_planner::catalog::{Area, Catalog, CellSource, Indication, Modality, Selection};
use regen_planner::planning::{PlanRequest, generate};
use regen_planner::store::{Patient, PlanRecord, Store};

const PLANS: usize = 10_000;
const PLANS_PER_PATIENT: usize = 4;

fn main() {
    divan::main();
}

struct Fixture {
    _dir: tempfile::TempDir,
    store: Store,
}

static FIXTURE: LazyLock<Fixture> = LazyLock::new(|| {
    let ram_disk = Path::new("/dev/shm");
    let dir = if ram_disk.is_dir() {
        tempfile::tempdir_in(ram_disk).unwrap()
    } else {
        tempfile::tempdir().unwrap()
    };
    let store = Store::open(&dir.path().join("data")).unwrap();
    let (catalog, _) = Catalog::builtin();
    let selection = Selection {
        modality: Modality::Injection,
        source: CellSource::AutologousAdipose,
        area: Area::Abdomen,
        indication: Indication::StretchMarks,
        adjuncts: Vec::new(),
    };
    let request = PlanRequest::new(selection, BTreeSet::new(), "2027-01-18".parse().unwrap());
    let plan = generate(&catalog, &request).unwrap();
    let mut patient = None;
    for index in 0..PLANS {
        if index % PLANS_PER_PATIENT == 0 {
            let (id, _) = store
                .create_patient(&Patient::new(format!("Patient {index}")), "Dr. Bench")
                .unwrap();
            patient = Some(id);
        }
        let record = PlanRecord::new(patient.clone().unwrap(), request.clone(), plan.clone());
        store.create_plan(&record, "Dr. Bench").unwrap();
    }
    Fixture { _dir: dir, store }
});

/// The usual start: the cache is there and no plan changed since.
#[divan::bench(sample_count = 20, sample_size = 1)]
fn load_index_with_cache(bencher: Bencher) {
    let store = &FIXTURE.store;
    store.load_index(&mut |_| {}).unwrap();
    bencher.bench(|| {
        let index = store.load_index(&mut |_| {}).unwrap();
        assert_eq!(index.plans.len(), PLANS);
        index
    });
}

/// The cache is missing: every plan's newest revision is parsed and the cache written.
#[divan::bench(sample_count = 5, sample_size = 1)]
fn load_index_rebuild(bencher: Bencher) {
    let store = &FIXTURE.store;
    let cache = store.data_dir().join("index.json");
    bencher
        .with_inputs(|| {
            let _ = std::fs::remove_file(&cache);
        })
        .bench_values(|()| {
            let index = store.load_index(&mut |_| {}).unwrap();
            assert_eq!(index.plans.len(), PLANS);
            index
        });
}
