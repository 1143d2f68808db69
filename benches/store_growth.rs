//! How storage grows with edits, and how long `plans verify` takes at the README's
//! scale: 10,000 patients with one plan each and 50 edits per plan (ticks, notes, and
//! every tenth edit a moved session, which generates the plan again). Prints the bytes
//! written per edit (the revision, the head that is replaced, and a generated plan's
//! file when the request changed) and the time of one `Store::verify` over the whole
//! folder.
//!
//! Run with `cargo bench --bench store_growth` (set `REGEN_PLANNER_BENCH_PATIENTS` for
//! another number of patients). The folder is made on `/dev/shm` when there is one
//! and removed at the end (it takes about 2.5 GB there in format version 3, 4 GB in
//! version 2, and ten to thirty minutes to make on two busy cores). The README's
//! performance section reports the figures. A tick or a note writes a revision of
//! changes, and every twentieth revision is whole: the average counts both.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::cast_precision_loss,
    reason = "a benchmark prints its figures and stops loudly on anything unexpected"
)]

mod common;

use std::path::Path;
use std::time::Instant;

use jiff::Timestamp;
use jiff::civil::Date;
use regen_planner::catalog::Catalog;
use regen_planner::planning::{Note, checklist_keys, generate};
use regen_planner::store::{Patient, PlanId, PlanRecord, Store};

const AUTHOR: &str = "Dr. Bench";
const EDITS: u32 = 50;

/// Bytes written by the edits of one kind.
#[derive(Default, Clone, Copy)]
struct Tally {
    edits: u64,
    bytes: u64,
}

impl Tally {
    fn add(&mut self, other: Tally) {
        self.edits += other.edits;
        self.bytes += other.bytes;
    }
    fn per_edit(self) -> f64 {
        self.bytes as f64 / self.edits.max(1) as f64
    }
}

fn size(path: &Path) -> u64 {
    std::fs::metadata(path).map_or(0, |meta| meta.len())
}

/// What one save wrote: the new revision, the replaced head, and any new file.
fn written(dir: &Path, before: &[String], number: u32) -> u64 {
    let mut bytes =
        size(&dir.join(format!("revision-{number:06}.ron"))) + size(&dir.join("head.ron"));
    for entry in std::fs::read_dir(dir).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if name.starts_with("generated-") && !before.contains(&name) {
            bytes += size(&dir.join(&name));
        }
    }
    bytes
}

fn names(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

/// Makes `count` patients with a plan and [`EDITS`] edits each; returns the tallies of
/// ticks and notes, and of moved sessions.
fn make(store: &Store, catalog: &Catalog, first: usize, count: usize) -> (Tally, Tally) {
    let request = common::stretch_marks_request();
    let plan = generate(catalog, &request).unwrap();
    let mut small = Tally::default();
    let mut moved = Tally::default();
    let at: Timestamp = "2027-01-18T17:00:00Z".parse().unwrap();
    for i in first..first + count {
        let (patient, _) = store
            .create_patient(&Patient::new(format!("Patient {i}")), AUTHOR)
            .unwrap();
        let mut record = PlanRecord::new(patient, request.clone(), plan.clone());
        let (id, first_revision): (PlanId, _) = store.create_plan(&record, AUTHOR).unwrap();
        let dir = store.data_dir().join("plans").join(id.as_str());
        let mut base = first_revision.number;
        for edit in 1..=EDITS {
            let tally = if edit % 10 == 0 {
                let day = Date::new(2027, 3, 1).unwrap() + jiff::Span::new().days(i64::from(edit));
                record.request.moved_sessions.insert(2, day);
                record.plan = generate(catalog, &record.request).unwrap();
                &mut moved
            } else if edit % 3 == 0 {
                record.notes.push(Note {
                    written_at: at,
                    author: AUTHOR.to_owned(),
                    text: format!("Edit {edit}: the patient called about the aftercare."),
                });
                &mut small
            } else {
                record
                    .checklist
                    .insert(format!("{}:{edit}", checklist_keys::session(1)), at);
                &mut small
            };
            let before = names(&dir);
            base = store.save_plan(&id, base, &record, AUTHOR).unwrap().number;
            tally.add(Tally {
                edits: 1,
                bytes: written(&dir, &before, base),
            });
        }
    }
    (small, moved)
}

fn folder_bytes(path: &Path) -> u64 {
    let mut total = 0;
    for entry in std::fs::read_dir(path).unwrap() {
        let entry = entry.unwrap();
        let kind = entry.file_type().unwrap();
        if kind.is_dir() {
            total += folder_bytes(&entry.path());
        } else {
            total += entry.metadata().unwrap().len();
        }
    }
    total
}

fn main() {
    let patients = common::patients();
    let shm = Path::new("/dev/shm");
    let root = if shm.is_dir() {
        tempfile::tempdir_in(shm).unwrap()
    } else {
        tempfile::tempdir().unwrap()
    };
    let store = Store::open(&root.path().join("data")).unwrap();
    let (catalog, _) = Catalog::builtin();
    println!("making {patients} patients with a plan and {EDITS} edits each...");
    let started = Instant::now();
    let half = patients / 2;
    let (a, b) = std::thread::scope(|scope| {
        let one = std::thread::Builder::new()
            .name("bench-make-1".into())
            .spawn_scoped(scope, || make(&store, &catalog, 0, half))
            .unwrap();
        let two = make(&store, &catalog, half, patients - half);
        (one.join().unwrap(), two)
    });
    let (mut small, mut moved) = a;
    small.add(b.0);
    moved.add(b.1);
    println!("made in {:.1} s", started.elapsed().as_secs_f64());
    println!(
        "tick or note: {:.0} bytes per edit ({} edits); moved session (plan generated again): {:.0} bytes per edit ({} edits)",
        small.per_edit(),
        small.edits,
        moved.per_edit(),
        moved.edits
    );
    println!(
        "data folder: {:.1} MB",
        folder_bytes(store.data_dir()) as f64 / 1e6
    );
    let started = Instant::now();
    let report = store.verify();
    let elapsed = started.elapsed();
    assert!(report.is_ok(), "{:?}", report.problems.first());
    println!(
        "verify: {} records, {} revisions in {:.2} s",
        report.records,
        report.revisions,
        elapsed.as_secs_f64()
    );
}
