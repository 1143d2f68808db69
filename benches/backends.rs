//! The store on the data folder against the store on PostgreSQL, on the same demo data
//! of 10,000 patients (see `common/mod.rs`): the list (`Store::load_index`, its cache
//! present: `index.json` on the folder, the `summaries` table on the database), one
//! save of a plan, the agenda of 7 days as `regen-planner agenda` makes it (the list
//! loaded, then its rows), and a lot recall as `lots find` makes it.
//!
//! The database is `REGEN_PLANNER_BENCH_DATABASE_URL` when it is set (a database
//! `db init` made, or an empty one, which gets the schema; it is filled once and
//! reused when it already holds the demo data), else a throwaway cluster started here
//! (`initdb` in a temporary folder, PostgreSQL's own defaults, `fsync` on, a Unix socket
//! only; as root it runs as `nobody`). The demo data gets there through `migrate` of
//! the benchmarks' data folder; how long that and the first listing (which fills
//! `summaries`) take is printed. Without `initdb` and without the variable, the
//! database's half says so and measures nothing.
//!
//! Run with `cargo bench --bench backends`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a benchmark stops loudly on anything unexpected"
)]

mod common;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;
use std::sync::LazyLock;
use std::time::Instant;

use divan::Bencher;
use regen_planner::desk::agenda::agenda_rows;
use regen_planner::planning::agenda::AgendaQuery;
use regen_planner::store::{Store, recall};

fn main() {
    common::run_benchmarks();
    if let Some(database) = DATABASE.as_ref() {
        database.stop();
    }
}

/// A database holding the demo data, and the cluster it runs on when it is ours.
struct BenchDatabase {
    store: Store,
    cluster: Option<Cluster>,
}

impl BenchDatabase {
    fn stop(&self) {
        if let Some(cluster) = &self.cluster {
            cluster.stop();
        }
    }
}

/// A throwaway cluster in a temporary folder.
struct Cluster {
    dir: PathBuf,
    bin: PathBuf,
    as_nobody: bool,
}

impl Cluster {
    fn command(&self, program: &str) -> Command {
        let program = self.bin.join(program);
        if self.as_nobody {
            let mut command = Command::new("runuser");
            command.args(["-u", "nobody", "--"]).arg(program);
            command
        } else {
            Command::new(program)
        }
    }

    fn start() -> Option<Cluster> {
        let bin = std::fs::read_dir("/usr/lib/postgresql")
            .ok()?
            .flatten()
            .map(|entry| entry.path().join("bin"))
            .find(|bin| bin.join("initdb").is_file())?;
        let dir = tempfile::Builder::new()
            .prefix("regen-bench-pg-")
            .tempdir()
            .ok()?
            .keep();
        let as_nobody = Command::new("id")
            .arg("-u")
            .output()
            .is_ok_and(|out| String::from_utf8_lossy(&out.stdout).trim() == "0");
        if as_nobody {
            let status = Command::new("chown")
                .arg("nobody:")
                .arg(&dir)
                .status()
                .ok()?;
            assert!(status.success());
        }
        let cluster = Cluster {
            dir,
            bin,
            as_nobody,
        };
        let data = cluster.dir.join("data");
        let init = cluster
            .command("initdb")
            .arg("-D")
            .arg(&data)
            .args(["-A", "trust", "-U", "postgres", "-E", "UTF8"])
            .output()
            .ok()?;
        assert!(
            init.status.success(),
            "{}",
            String::from_utf8_lossy(&init.stderr)
        );
        let start = cluster
            .command("pg_ctl")
            .arg("-D")
            .arg(&data)
            .arg("-o")
            .arg(format!(
                "-k {} -c listen_addresses=''",
                cluster.dir.display()
            ))
            .arg("-l")
            .arg(cluster.dir.join("log"))
            .args(["-w", "-t", "60", "start"])
            .output()
            .ok()?;
        assert!(
            start.status.success(),
            "{}",
            String::from_utf8_lossy(&start.stderr)
        );
        Some(cluster)
    }

    fn url(&self) -> String {
        format!(
            "postgresql://postgres@localhost/postgres?host={}",
            self.dir.display()
        )
    }

    fn stop(&self) {
        let _ = self
            .command("pg_ctl")
            .arg("-D")
            .arg(self.dir.join("data"))
            .args(["-m", "fast", "-w", "stop"])
            .output();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The database of the benchmarks, filled once per process.
static DATABASE: LazyLock<Option<BenchDatabase>> = LazyLock::new(open_database);

#[allow(
    clippy::print_stderr,
    reason = "the benchmark says how its database was filled, beside divan's table"
)]
fn open_database() -> Option<BenchDatabase> {
    let (url, cluster) = if let Ok(url) = std::env::var("REGEN_PLANNER_BENCH_DATABASE_URL") {
        (url, None)
    } else if let Some(cluster) = Cluster::start() {
        (cluster.url(), Some(cluster))
    } else {
        eprintln!(
            "no PostgreSQL: set REGEN_PLANNER_BENCH_DATABASE_URL or install PostgreSQL; the database's half measures nothing"
        );
        return None;
    };
    regen_planner::store::init_database(&url).unwrap();
    let store = Store::open_database(&url).unwrap();
    let folder = common::demo_store();
    let started = Instant::now();
    let report = folder.copy_into(&store).unwrap();
    assert!(report.is_ok(), "{report:?}");
    let copied = started.elapsed();
    let started = Instant::now();
    let index = store.load_index(&mut |_| {}).unwrap();
    assert_eq!(index.patients.len(), common::patients());
    eprintln!(
        "the database {}: migrate of the folder took {:.1} s, the first listing (which fills the summaries) {:.1} s",
        store.data_dir().display(),
        copied.as_secs_f64(),
        started.elapsed().as_secs_f64()
    );
    Some(BenchDatabase { store, cluster })
}

/// The store of a backend: the benchmarks' data folder, or the database filled from it.
fn store(backend: &str) -> Option<&'static Store> {
    match backend {
        "folder" => Some(common::demo_store()),
        _ => DATABASE.as_ref().map(|database| &database.store),
    }
}

const BACKENDS: &[&str] = &["folder", "postgresql"];

fn today() -> jiff::civil::Date {
    common::NOW[..10].parse().unwrap()
}

/// The list of every patient and plan, its cache present and current.
#[divan::bench(args = BACKENDS, sample_count = 20, sample_size = 1)]
fn load_index(bencher: Bencher, backend: &str) {
    let Some(store) = store(backend) else {
        return;
    };
    store.load_index(&mut |_| {}).unwrap();
    bencher.bench(|| {
        let index = store.load_index(&mut |_| {}).unwrap();
        assert_eq!(index.patients.len(), common::patients());
        index
    });
}

/// One more revision of a plan of the demo data (on the folder, with every flush the
/// store makes; the data folder is on a RAM disk when there is one, so the flushes
/// cost little there, see `benches/save.rs` for a save on the disk).
#[divan::bench(args = BACKENDS, sample_count = 50, sample_size = 1)]
fn save_one_revision(bencher: Bencher, backend: &str) {
    let Some(store) = store(backend) else {
        return;
    };
    let index = store.load_index(&mut |_| {}).unwrap();
    let id = index.plans[index.plans.len() / 3].id.clone();
    let newest = store.load_plan(&id).unwrap();
    let record = newest.value;
    let mut base = newest.number;
    bencher.bench_local(|| {
        let saved = store.save_plan(&id, base, &record, "Dr. Bench").unwrap();
        base = saved.number;
    });
}

/// `regen-planner agenda`: the list loaded, then today and the next 7 days.
#[divan::bench(args = BACKENDS, sample_count = 20, sample_size = 1)]
fn agenda_week_with_index_load(bencher: Bencher, backend: &str) {
    let Some(store) = store(backend) else {
        return;
    };
    let query = AgendaQuery::week_from(today());
    bencher.bench(|| {
        let index = store.load_index(&mut |_| {}).unwrap();
        let rows = agenda_rows(&index, &query);
        assert!(rows.len() > 500, "{} items", rows.len());
        rows
    });
}

/// `regen-planner lots find`: the list loaded, then the recall of the busiest lot.
#[divan::bench(args = BACKENDS, sample_count = 20, sample_size = 1)]
fn lots_find_with_index_load(bencher: Bencher, backend: &str) {
    let Some(store) = store(backend) else {
        return;
    };
    let index = store.load_index(&mut |_| {}).unwrap();
    let mut uses: BTreeMap<&str, usize> = BTreeMap::new();
    for plan in &index.plans {
        for used in &plan.lots {
            *uses.entry(used.lot.as_str()).or_default() += 1;
        }
    }
    let lot = uses
        .into_iter()
        .max_by_key(|(_, count)| *count)
        .map(|(lot, _)| lot.to_owned())
        .unwrap();
    bencher.bench(|| {
        let index = store.load_index(&mut |_| {}).unwrap();
        let found = recall(&lot, &index.plans);
        assert!(!found.is_empty());
        found
    });
}
