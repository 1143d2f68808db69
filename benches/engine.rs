//! The plan engine alone: one `generate` call, from a selection to a dated plan.
//!
//! Target: under 100 µs for one plan. Run with `cargo bench --bench engine`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a benchmark stops loudly on anything unexpected"
)]

mod common;

use std::collections::BTreeSet;
use std::sync::LazyLock;

use divan::Bencher;
use divan::counter::ItemsCount;
use regen_planner::catalog::{Area, Catalog, CellSource, Factor, Indication, Modality, Selection};
use regen_planner::planning::{PlanRequest, generate};

fn main() {
    common::run_benchmarks();
}

static CATALOG: LazyLock<Catalog> = LazyLock::new(|| Catalog::builtin().0);

/// Every selection the built-in catalog covers, as a plan request starting on a
/// Monday, with a screening answer that adds a dated caution.
static REQUESTS: LazyLock<Vec<PlanRequest>> = LazyLock::new(|| {
    let mut requests = Vec::new();
    for &modality in Modality::ALL {
        for &source in CellSource::ALL {
            for &area in Area::ALL {
                for &indication in Indication::ALL {
                    let selection = Selection {
                        modality,
                        source,
                        area,
                        indication,
                        adjuncts: Vec::new(),
                    };
                    if CATALOG.covering(&selection).is_some() {
                        requests.push(PlanRequest::new(
                            selection,
                            BTreeSet::from([Factor::Nsaids]),
                            "2027-01-18".parse().unwrap(),
                        ));
                    }
                }
            }
        }
    }
    requests
});

/// The README's example: adipose stem cells for stretch marks, with NSAIDs to pause.
#[divan::bench]
fn generate_stretch_marks(bencher: Bencher) {
    let request = common::stretch_marks_request();
    bencher.bench(|| generate(&CATALOG, divan::black_box(&request)).unwrap());
}

/// The covered selection whose plan takes longest to make (most sessions, aftercare
/// and follow-ups).
#[divan::bench]
fn generate_slowest_pathway(bencher: Bencher) {
    let slowest = REQUESTS
        .iter()
        .max_by_key(|request| {
            let started = std::time::Instant::now();
            for _ in 0..20 {
                divan::black_box(generate(&CATALOG, request).unwrap());
            }
            started.elapsed()
        })
        .unwrap();
    bencher.bench(|| generate(&CATALOG, divan::black_box(slowest)).unwrap());
}

/// Every covered selection once; the figure per item is the mean per plan.
#[divan::bench]
fn generate_every_pathway(bencher: Bencher) {
    bencher.counter(ItemsCount::new(REQUESTS.len())).bench(|| {
        for request in REQUESTS.iter() {
            divan::black_box(generate(&CATALOG, divan::black_box(request)).unwrap());
        }
    });
}
