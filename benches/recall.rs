//! Lot recall over 10,000 demo patients and about 13,000 plans (demo data, see
//! `common/mod.rs`), whose recorded sessions used kits, devices and products of lots
//! shared by the patients treated in the same weeks, as in a real recall:
//! `store::recall` over the index as the window holds it (the plans' summaries keep
//! their lots, so no plan is read), and what `regen-planner lots find` does, loading
//! the index (with its cache, as at every start) and then searching it.
//!
//! Target: under 200 ms for the recall over 10,000 patients.
//! Run with `cargo bench --bench recall`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a benchmark stops loudly on anything unexpected"
)]

mod common;

use std::collections::BTreeMap;
use std::sync::LazyLock;

use divan::Bencher;
use regen_planner::store::{Index, recall};

fn main() {
    common::run_benchmarks();
}

/// The index of the demo data, loaded once.
static INDEX: LazyLock<Index> = LazyLock::new(|| {
    let store = common::demo_store();
    store.load_index(&mut |_| {}).expect("the index loads")
});

/// The lot recorded most often in the demo data: the largest recall.
fn busiest_lot() -> String {
    let mut uses: BTreeMap<&str, usize> = BTreeMap::new();
    for plan in &INDEX.plans {
        for used in &plan.lots {
            *uses.entry(used.lot.as_str()).or_default() += 1;
        }
    }
    let (lot, count) = uses
        .into_iter()
        .max_by_key(|(_, count)| *count)
        .expect("the demo data has lots");
    assert!(count > 50, "a lot shared by many patients ({count})");
    lot.to_owned()
}

/// The recall of the busiest lot over the index in memory, as the window's search does.
#[divan::bench(sample_count = 100)]
fn recall_busiest_lot(bencher: Bencher) {
    let lot = busiest_lot().to_lowercase();
    bencher.bench(|| {
        let found = recall(&lot, &INDEX.plans);
        assert!(!found.is_empty());
        found
    });
}

/// A lot no session received: every summary's lots are still compared.
#[divan::bench(sample_count = 100)]
fn recall_unknown_lot(bencher: Bencher) {
    bencher.bench(|| recall("XX-0000-Z", &INDEX.plans));
}

/// What `lots find` does: load the index (its cache present, every record's head
/// checked against it), then recall the busiest lot.
#[divan::bench(sample_count = 20, sample_size = 1)]
fn lots_find_with_index_load(bencher: Bencher) {
    let store = common::demo_store();
    let lot = busiest_lot();
    bencher.bench(|| {
        let index = store.load_index(&mut |_| {}).unwrap();
        let found = recall(&lot, &index.plans);
        assert!(!found.is_empty());
        found
    });
}
