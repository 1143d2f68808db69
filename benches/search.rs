//! One keystroke in the patient search over 10,000 patients (`PatientList::set_query`,
//! which the list calls when the query changed), on the benchmarks' demo data.
//!
//! Target: under 2 ms per keystroke. Run with `cargo bench --bench search`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a benchmark stops loudly on anything unexpected"
)]

mod common;

use std::sync::LazyLock;

use divan::Bencher;
use regen_planner::store::{Index, Summary};
use regen_planner::ui::PatientList;

fn main() {
    common::run_benchmarks();
}

/// The index of the benchmarks' data folder.
static INDEX: LazyLock<Index> =
    LazyLock::new(|| common::demo_store().load_index(&mut |_| {}).unwrap());

/// The list as the app builds it once the index is loaded.
static LIST: LazyLock<PatientList> = LazyLock::new(|| {
    let list = PatientList::new(&INDEX.patients, &INDEX.plans);
    assert_eq!(list.rows().len(), common::patients());
    list
});

/// Measures the keystroke that turns the query `before` into `after`.
fn keystroke(bencher: Bencher, before: &str, after: &str) {
    let list = &*LIST;
    bencher
        .with_inputs(|| {
            let mut list = list.clone();
            list.set_query(before);
            list
        })
        .bench_local_refs(|list| {
            list.set_query(after);
            list.match_count()
        });
}

/// The first letter typed into an empty search: nearly every patient matches.
#[divan::bench]
fn first_letter(bencher: Bencher) {
    keystroke(bencher, "", "m");
}

/// A rare letter typed as the first keystroke: only a few patients match (Lindqvist),
/// so nearly every row's text is read to its end, the slowest case.
#[divan::bench]
fn first_keystroke_matching_few(bencher: Bencher) {
    keystroke(bencher, "", "q");
}

/// The next letter of a name being typed.
#[divan::bench]
fn next_letter(bencher: Bencher) {
    keystroke(bencher, "gonç", "gonça");
}

/// A second word: a clinic id after part of a name.
#[divan::bench]
fn second_word(bencher: Bencher) {
    keystroke(bencher, "mar", "mar demo-0");
}

/// Backspace: the query gets shorter, so more patients match again.
#[divan::bench]
fn backspace(bencher: Bencher) {
    keystroke(bencher, "sato", "sat");
}

/// A protocol and a status, the way a clinic looks for plans under way.
#[divan::bench]
fn protocol_and_status(bencher: Bencher) {
    keystroke(bencher, "prp activ", "prp active");
}

/// Building every row from the index, as when the list has loaded (and, before the
/// list was updated row by row, after every save).
#[divan::bench(sample_count = 20)]
fn build_the_whole_list(bencher: Bencher) {
    bencher.bench(|| PatientList::new(&INDEX.patients, &INDEX.plans));
}

/// What a save does to the lists now, as the window does it: the saved plan's summary
/// is put into the index (`Index::upsert`), then its patient's row is rebuilt from
/// their plans and put in its place, and the query is matched again.
#[divan::bench]
fn update_one_row_after_a_save(bencher: Bencher) {
    let mut index = INDEX.clone();
    let saved = index
        .plans
        .iter()
        .find(|plan| plan.patient == index.patients[index.patients.len() / 2].id)
        .or(index.plans.first())
        .cloned()
        .unwrap();
    let mut list = PatientList::new(&index.patients, &index.plans);
    list.set_query("ma");
    bencher.bench_local(|| {
        let patient_id = index.upsert(Summary::Plan(saved.clone()));
        let plans: Vec<_> = index
            .plans
            .iter()
            .filter(|plan| plan.patient == patient_id)
            .cloned()
            .collect();
        if let Some(patient) = index.patients.iter().find(|known| known.id == patient_id) {
            list.update_patient(patient, &plans);
        }
    });
}
