//! The data folder the benchmarks measure: demo data of 10,000 patients (about 13,000
//! plans), made by the same generator as `regen-planner demo-data`, with a fixed seed
//! and a fixed "now", so every run measures the same files.
//!
//! It is made on a RAM disk (`/dev/shm`) when there is one, so that making it does not
//! wait on the disk; loads read from the page cache either way. To make it once and
//! reuse it across runs, set `REGEN_PLANNER_BENCH_DATA` to a folder: it is made there
//! if missing and reused if it holds demo data.

#![allow(
    dead_code,
    reason = "each benchmark uses some of the helpers, none uses all"
)]

use std::path::{Path, PathBuf};
use std::time::Instant;

use regen_planner::catalog::Catalog;
use regen_planner::store::{DEMO_MARKER_FILE, DemoOptions, Store};

/// Patients in the benchmarks' data folder.
pub const PATIENTS: usize = 10_000;

/// The seed of the benchmarks' demo data.
pub const SEED: u64 = 6;

/// The "now" the benchmarks' demo data is made at.
pub const NOW: &str = "2027-01-18T12:00:00Z";

/// A demo data folder and its store; the folder is removed at the end unless it was
/// given by `REGEN_PLANNER_BENCH_DATA`.
pub struct DemoFolder {
    _temp: Option<tempfile::TempDir>,
    pub store: Store,
}

/// The benchmarks' data folder, made (or found) once per process.
#[allow(
    clippy::print_stderr,
    reason = "the benchmark says how its data was made, beside divan's table"
)]
pub fn demo_folder() -> DemoFolder {
    let (temp, dir) = if let Some(dir) = std::env::var_os("REGEN_PLANNER_BENCH_DATA") {
        (None, PathBuf::from(dir))
    } else {
        let temp = scratch_dir();
        let dir = temp.path().join("data");
        (Some(temp), dir)
    };
    if dir.join(DEMO_MARKER_FILE).is_file() {
        let store = Store::open(&dir).expect("the benchmark data folder opens");
        return DemoFolder { _temp: temp, store };
    }
    let started = Instant::now();
    let (catalog, _) = Catalog::builtin();
    let options = DemoOptions {
        patients: PATIENTS,
        seed: SEED,
        now: NOW.parse().expect("a valid timestamp"),
    };
    let (store, report) =
        Store::create_demo(&dir, &catalog, &options).expect("the demo data is made");
    eprintln!(
        "made {} patients and {} plans ({} revision files) in {} in {:.1} s",
        report.patients,
        report.plans,
        report.revisions,
        dir.display(),
        started.elapsed().as_secs_f64()
    );
    DemoFolder { _temp: temp, store }
}

/// A temporary folder on the RAM disk when there is one.
pub fn scratch_dir() -> tempfile::TempDir {
    let ram_disk = Path::new("/dev/shm");
    if ram_disk.is_dir() {
        tempfile::tempdir_in(ram_disk).expect("a temporary folder on /dev/shm")
    } else {
        tempfile::tempdir().expect("a temporary folder")
    }
}
