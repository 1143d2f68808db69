//! What the benchmarks share: their `main`, the README's example plan request, and the
//! data folder they measure: demo data of 10,000 patients (about 13,000 plans; set
//! `REGEN_PLANNER_BENCH_PATIENTS` for another number), made by
//! the same generator as `regen-planner demo-data`, with a fixed seed and a fixed "now",
//! so every run measures the same files.
//!
//! It is made on a RAM disk (`/dev/shm`) when there is one, so that making it does not
//! wait on the disk; loads read from the page cache either way. To make it once and
//! reuse it across runs, set `REGEN_PLANNER_BENCH_DATA` to a folder: it is made there
//! if missing and reused if it holds demo data; otherwise it is removed at the end.

#![allow(
    dead_code,
    reason = "each benchmark uses some of the helpers, none uses all"
)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::{LazyLock, Mutex};
use std::time::Instant;

use regen_planner::catalog::{Area, Catalog, CellSource, Factor, Indication, Modality, Selection};
use regen_planner::demo::{DemoOptions, create_demo};
use regen_planner::planning::PlanRequest;
use regen_planner::store::{DEMO_MARKER_FILE, Store};

/// Patients in the benchmarks' data folder, unless `REGEN_PLANNER_BENCH_PATIENTS` says
/// otherwise (the README's figures are for 10,000, and 20,000 for the index check).
pub const PATIENTS: usize = 10_000;

/// The patients of this run: `REGEN_PLANNER_BENCH_PATIENTS`, else [`PATIENTS`].
pub fn patients() -> usize {
    std::env::var("REGEN_PLANNER_BENCH_PATIENTS")
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(PATIENTS)
}

/// The seed of the benchmarks' demo data.
pub const SEED: u64 = 6;

/// The "now" the benchmarks' demo data is made at.
pub const NOW: &str = "2027-01-18T12:00:00Z";

/// Runs the benchmarks of the file, then removes the demo data they made: every
/// benchmark's `main`.
pub fn run_benchmarks() {
    divan::main();
    clean_up();
}

/// The README's example: adipose stem cells for stretch marks, starting on Monday
/// 18 January 2027, with NSAIDs to pause.
pub fn stretch_marks_request() -> PlanRequest {
    PlanRequest::new(
        Selection {
            modality: Modality::Injection,
            source: CellSource::AutologousAdipose,
            area: Area::Abdomen,
            indication: Indication::StretchMarks,
            adjuncts: Vec::new(),
        },
        BTreeSet::from([Factor::Nsaids]),
        "2027-01-18".parse().expect("a valid date"),
    )
}

/// The benchmarks' data folder, made (or found) on first use.
static DEMO_STORE: LazyLock<Store> = LazyLock::new(open_or_make_demo_store);

/// The store of the benchmarks' data folder, made (or found) once per process and
/// kept until it ends.
pub fn demo_store() -> &'static Store {
    &DEMO_STORE
}

/// The temporary folders this process made, for [`clean_up`]: the data folder's store
/// is kept in a static, which is never dropped.
static MADE: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Removes the temporary data folders this process made (not one given by
/// `REGEN_PLANNER_BENCH_DATA`), once divan is done.
fn clean_up() {
    let made = MADE.lock().map(|mut made| std::mem::take(&mut *made));
    for dir in made.unwrap_or_default() {
        let _ = std::fs::remove_dir_all(dir);
    }
}

/// Opens the benchmarks' data folder, making its demo data first if it has none.
#[allow(
    clippy::print_stderr,
    reason = "the benchmark says how its data was made, beside divan's table"
)]
fn open_or_make_demo_store() -> Store {
    let dir = if let Some(dir) = std::env::var_os("REGEN_PLANNER_BENCH_DATA") {
        PathBuf::from(dir)
    } else {
        let temp = scratch_dir().keep();
        MADE.lock()
            .expect("no benchmark panicked")
            .push(temp.clone());
        temp.join("data")
    };
    if dir.join(DEMO_MARKER_FILE).is_file() {
        return Store::open(&dir).expect("the benchmark data folder opens");
    }
    let started = Instant::now();
    let (catalog, _) = Catalog::builtin();
    let options = DemoOptions {
        patients: patients(),
        seed: SEED,
        now: NOW.parse().expect("a valid timestamp"),
    };
    let (store, report) = create_demo(&dir, &catalog, &options).expect("the demo data is made");
    eprintln!(
        "made {} patients and {} plans ({} revision files) in {} in {:.1} s",
        report.patients,
        report.plans,
        report.revisions,
        dir.display(),
        started.elapsed().as_secs_f64()
    );
    store
}

/// A temporary folder on the RAM disk when there is one.
fn scratch_dir() -> tempfile::TempDir {
    let ram_disk = Path::new("/dev/shm");
    if ram_disk.is_dir() {
        tempfile::tempdir_in(ram_disk).expect("a temporary folder on /dev/shm")
    } else {
        tempfile::tempdir().expect("a temporary folder")
    }
}
