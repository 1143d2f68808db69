//! Start-up with 10,000 patients and about 13,000 plans (demo data, see
//! `common/mod.rs`; `REGEN_PLANNER_BENCH_PATIENTS=20000` for twice as many):
//! `Store::load_index` with the index cache present (the usual start, which is also
//! the check of the cache against the records: every record's head is read for the
//! hash of its summary), and with it missing (first start, or after the cache was
//! deleted), when every record's head and newest revision are read and hashed; beside
//! them, the baselines of just reading the same files' bytes.
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

use divan::Bencher;
use divan::counter::BytesCount;

fn main() {
    common::run_benchmarks();
}

/// The usual start: the cache is there and no record changed since. Every cached
/// summary is checked against the hash its record's head records.
#[divan::bench(sample_count = 20, sample_size = 1)]
fn load_index_with_cache(bencher: Bencher) {
    let store = common::demo_store();
    store.load_index(&mut |_| {}).unwrap();
    bencher.bench(|| {
        let index = store.load_index(&mut |_| {}).unwrap();
        assert_eq!(index.patients.len(), common::patients());
        index
    });
}

/// The cache is missing: every record is summarized from its head (after checking the
/// newest revision file's SHA-256 against it) and the cache written.
#[divan::bench(sample_count = 10, sample_size = 1)]
fn load_index_rebuild(bencher: Bencher) {
    let store = common::demo_store();
    let cache = store.data_dir().join("index.json");
    bencher
        .with_inputs(|| {
            let _ = std::fs::remove_file(&cache);
        })
        .bench_values(|()| {
            let index = store.load_index(&mut |_| {}).unwrap();
            assert_eq!(index.patients.len(), common::patients());
            index
        });
}

/// The baseline: list the record folders, and read every record's newest revision
/// file and its head, the same files a rebuild reads, on as many threads as the load
/// uses.
#[divan::bench(sample_count = 10, sample_size = 1)]
fn read_newest_revision_and_head_files(bencher: Bencher) {
    let data = common::demo_store().data_dir().to_path_buf();
    let read = |file: &PathBuf| {
        std::fs::read(file).unwrap().len()
            + std::fs::read(file.with_file_name("head.ron"))
                .unwrap()
                .len()
    };
    let bytes: usize = newest_files(&data).iter().map(read).sum();
    bencher.counter(BytesCount::new(bytes)).bench(|| {
        let files = newest_files(&data);
        sum_on_every_thread(&files, read)
    });
}

/// The baseline of the usual start: read the cache file's bytes and look at what the
/// load with the cache looks at (list the two record folders; for every record, the
/// newest revision file and the name after it), without parsing or building anything.
#[divan::bench(sample_count = 20, sample_size = 1)]
fn read_cache_and_stat_newest_files(bencher: Bencher) {
    let store = common::demo_store();
    let data = store.data_dir().to_path_buf();
    store.load_index(&mut |_| {}).unwrap();
    let newest = newest_files(&data);
    bencher.bench(|| {
        let cache = std::fs::read(data.join("index.json")).unwrap();
        let listed: usize = ["patients", "plans"]
            .iter()
            .map(|kind| std::fs::read_dir(data.join(kind)).unwrap().count())
            .sum();
        let found = sum_on_every_thread(&newest, |file| {
            usize::from(std::fs::metadata(file).is_ok() && !file.with_extension("next").exists())
        });
        (cache.len(), listed, found)
    });
}

/// The baseline of the index check: what the usual start reads (the cache file, the
/// two record folders, each record's newest revision file and the name after it), and
/// every record's `head.ron`, read whole, without parsing, hashing or building anything.
#[divan::bench(sample_count = 20, sample_size = 1)]
fn read_cache_stat_newest_and_read_heads(bencher: Bencher) {
    let store = common::demo_store();
    let data = store.data_dir().to_path_buf();
    store.load_index(&mut |_| {}).unwrap();
    let newest = newest_files(&data);
    bencher.bench(|| {
        let cache = std::fs::read(data.join("index.json")).unwrap();
        let listed: usize = ["patients", "plans"]
            .iter()
            .map(|kind| std::fs::read_dir(data.join(kind)).unwrap().count())
            .sum();
        let found = sum_on_every_thread(&newest, |file| {
            let seen = std::fs::metadata(file).is_ok() && !file.with_extension("next").exists();
            usize::from(seen)
                + std::fs::read(file.with_file_name("head.ron"))
                    .unwrap()
                    .len()
        });
        (cache.len(), listed, found)
    });
}

/// The sum of `measure` over `files`, shared out in equal chunks over as many threads
/// as the load uses.
fn sum_on_every_thread(files: &[PathBuf], measure: impl Fn(&PathBuf) -> usize + Sync) -> usize {
    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let chunk = files.len().div_ceil(threads);
    let measure = &measure;
    std::thread::scope(|scope| {
        let handles: Vec<_> = files
            .chunks(chunk)
            .map(|chunk| scope.spawn(move || chunk.iter().map(measure).sum::<usize>()))
            .collect();
        handles
            .into_iter()
            .map(|handle| handle.join().unwrap())
            .sum()
    })
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
