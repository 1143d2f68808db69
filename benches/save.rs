//! Saving one revision of a plan, with every flush to the disk the store makes
//! (revision file, its folder, the head file, its folder), on the real disk of the
//! temporary folder (not a RAM disk: the flushes are what is measured).
//!
//! Target: under 20 ms. Run with `cargo bench --bench save`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a benchmark stops loudly on anything unexpected"
)]

mod common;

use divan::Bencher;
use regen_planner::catalog::Catalog;
use regen_planner::planning::{Note, checklist_keys, generate};
use regen_planner::store::{Patient, PlanId, PlanRecord, Store};

fn main() {
    common::run_benchmarks();
}

const AUTHOR: &str = "Dr. Bench";

/// A store on the disk with one patient, and a plan record with a few ticks and notes.
fn store_and_record() -> (tempfile::TempDir, Store, PlanRecord) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("data")).unwrap();
    let (patient, _) = store
        .create_patient(&Patient::new("Zoë Lefèvre"), AUTHOR)
        .unwrap();
    let (catalog, _) = Catalog::builtin();
    let request = common::stretch_marks_request();
    let plan = generate(&catalog, &request).unwrap();
    let mut record = PlanRecord::new(patient, request, plan);
    let at = "2027-01-18T17:00:00Z".parse().unwrap();
    record.checklist.insert(checklist_keys::session(1), at);
    record.notes.push(Note {
        written_at: at,
        author: AUTHOR.to_owned(),
        text: "Baseline photographs taken under standard lighting.".to_owned(),
    });
    (dir, store, record)
}

/// One more revision of a plan: `Store::save_plan`, flushed to the disk.
#[divan::bench(sample_count = 50, sample_size = 1)]
fn save_one_revision(bencher: Bencher) {
    let (_dir, store, record) = store_and_record();
    let (id, first) = store.create_plan(&record, AUTHOR).unwrap();
    let mut base = first.number;
    bencher.bench_local(|| {
        let saved = store.save_plan(&id, base, &record, AUTHOR).unwrap();
        base = saved.number;
    });
}

/// What the app's saving thread does for one edit of a plan that has nine revisions:
/// save the tenth, then read the history back for the plan screen.
#[divan::bench(sample_count = 20, sample_size = 1)]
fn save_and_read_history_as_the_app_does(bencher: Bencher) {
    let (_dir, store, record) = store_and_record();
    bencher
        .with_inputs(|| {
            let (id, _) = store.create_plan(&record, AUTHOR).unwrap();
            for base in 1..9 {
                store.save_plan(&id, base, &record, AUTHOR).unwrap();
            }
            id
        })
        .bench_local_values(|id: PlanId| {
            store.save_plan(&id, 9, &record, AUTHOR).unwrap();
            store.history(&id).unwrap()
        });
}
