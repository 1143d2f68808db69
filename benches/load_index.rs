//! Start-up with 10,000 patients and about 13,000 plans (demo data, see
//! `common/mod.rs`): `Store::load_index` with the index cache present (the usual
//! start), and with it missing (first start, or after the cache was deleted), when every
//! record's newest revision is parsed; beside them, the baseline of just reading the
//! same files' bytes.
//!
//! Target: under 1 s, and within 3x of reading the same files' bytes.
//! Run with `cargo bench --bench load_index`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a benchmark stops loudly on anything unexpected"
)]

mod common;

use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use divan::Bencher;
use divan::counter::BytesCount;

fn main() {
    divan::main();
    common::clean_up();
}

static FOLDER: LazyLock<common::DemoFolder> = LazyLock::new(common::demo_folder);

/// The usual start: the cache is there and no record changed since.
#[divan::bench(sample_count = 20, sample_size = 1)]
fn load_index_with_cache(bencher: Bencher) {
    let store = &FOLDER.store;
    store.load_index(&mut |_| {}).unwrap();
    bencher.bench(|| {
        let index = store.load_index(&mut |_| {}).unwrap();
        assert_eq!(index.patients.len(), common::PATIENTS);
        index
    });
}

/// The cache is missing: every record's newest revision is parsed and the cache
/// written.
#[divan::bench(sample_count = 10, sample_size = 1)]
fn load_index_rebuild(bencher: Bencher) {
    let store = &FOLDER.store;
    let cache = store.data_dir().join("index.json");
    bencher
        .with_inputs(|| {
            let _ = std::fs::remove_file(&cache);
        })
        .bench_values(|()| {
            let index = store.load_index(&mut |_| {}).unwrap();
            assert_eq!(index.patients.len(), common::PATIENTS);
            index
        });
}

/// The baseline: list the record folders and read every record's newest revision
/// file, the same files a rebuild parses, on as many threads as the load uses.
#[divan::bench(sample_count = 10, sample_size = 1)]
fn read_newest_revision_files(bencher: Bencher) {
    let data = FOLDER.store.data_dir().to_path_buf();
    let bytes: usize = newest_files(&data)
        .iter()
        .map(|file| std::fs::read(file).unwrap().len())
        .sum();
    bencher.counter(BytesCount::new(bytes)).bench(|| {
        let files = newest_files(&data);
        let threads = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
        let chunk = files.len().div_ceil(threads);
        std::thread::scope(|scope| {
            let handles: Vec<_> = files
                .chunks(chunk)
                .map(|chunk| {
                    scope.spawn(move || {
                        chunk
                            .iter()
                            .map(|file| std::fs::read(file).unwrap().len())
                            .sum::<usize>()
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|handle| handle.join().unwrap())
                .sum::<usize>()
        })
    });
}

/// The baseline of the usual start: read the cache file's bytes and look at what the
/// load with the cache looks at (list the two record folders; for every record, the
/// newest revision file and the name after it), without parsing or building anything.
#[divan::bench(sample_count = 20, sample_size = 1)]
fn read_cache_and_stat_newest_files(bencher: Bencher) {
    let data = FOLDER.store.data_dir().to_path_buf();
    FOLDER.store.load_index(&mut |_| {}).unwrap();
    let newest = newest_files(&data);
    bencher.bench(|| {
        let cache = std::fs::read(data.join("index.json")).unwrap();
        let listed: usize = ["patients", "plans"]
            .iter()
            .map(|kind| std::fs::read_dir(data.join(kind)).unwrap().count())
            .sum();
        let threads = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
        let chunk = newest.len().div_ceil(threads);
        let found: usize = std::thread::scope(|scope| {
            let handles: Vec<_> = newest
                .chunks(chunk)
                .map(|chunk| {
                    scope.spawn(move || {
                        chunk
                            .iter()
                            .filter(|file| {
                                std::fs::metadata(file).is_ok()
                                    && !file.with_extension("next").exists()
                            })
                            .count()
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|handle| handle.join().unwrap())
                .sum()
        });
        (cache.len(), listed, found)
    });
}

/// The newest revision file of every record, found by listing each record's folder.
fn newest_files(data: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for kind in ["patients", "plans"] {
        for record in std::fs::read_dir(data.join(kind)).unwrap() {
            let record = record.unwrap().path();
            let newest = std::fs::read_dir(&record)
                .unwrap()
                .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
                .filter(|name| name.starts_with("revision-"))
                .max()
                .unwrap();
            files.push(record.join(newest));
        }
    }
    files
}
