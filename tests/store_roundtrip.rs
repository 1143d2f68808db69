//! What was saved loads back equal: patients and plans with arbitrary text, dates,
//! notes and ticks, through every revision, the index and the history.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly on anything unexpected"
)]

mod common;

use std::collections::{BTreeMap, BTreeSet};

use jiff::Timestamp;
use jiff::civil::Date;
use proptest::prelude::*;
use regen_planner::catalog::{Catalog, Factor};
use regen_planner::store::{
    ExtraTask, Note, Patient, PatientSummary, PlanStatus, PlanSummary, Screening,
};

fn date() -> impl Strategy<Value = Date> {
    (1920i16..2090, 1i8..=12, 1i8..=28).prop_map(|(y, m, d)| Date::new(y, m, d).unwrap())
}

fn timestamp() -> impl Strategy<Value = Timestamp> {
    (0i64..4_000_000_000, 0i32..1_000_000_000)
        .prop_map(|(seconds, nanos)| Timestamp::new(seconds, nanos).unwrap())
}

fn factors() -> impl Strategy<Value = BTreeSet<Factor>> {
    proptest::sample::subsequence(Factor::ALL.to_vec(), 0..=Factor::ALL.len())
        .prop_map(|chosen| chosen.into_iter().collect())
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "\\PC{0,40}",
        ".{0,40}",
        Just("\"quoted\" \\ back\\slash\nnew line\ttab\r\u{0}".to_owned()),
        Just(")\n// not a comment\n(".to_owned()),
    ]
}

/// A name as the entry rules allow it (see `store::rules`): one line of any script,
/// with no control characters, line separators or direction overrides.
fn one_line() -> impl Strategy<Value = String> {
    prop_oneof![
        "[^\\p{Cc}\u{2028}\u{2029}\u{202A}-\u{202E}\u{2066}-\u{2069}]{1,40}",
        Just("\"quoted\" \\ back\\slash ) // not a comment (".to_owned()),
        Just("Zoë Ngô Thị Ánh, محمد عبد الله".to_owned()),
    ]
    .prop_filter("a name is not blank", |name| !name.trim().is_empty())
}

fn birth_date() -> impl Strategy<Value = Date> {
    (1920i16..2025, 1i8..=12, 1i8..=28).prop_map(|(y, m, d)| Date::new(y, m, d).unwrap())
}

fn patient() -> impl Strategy<Value = Patient> {
    (
        one_line(),
        proptest::option::of(birth_date()),
        proptest::option::of(one_line()),
        text(),
        factors(),
        proptest::option::of(date()),
        (text(), text(), text()),
    )
        .prop_map(
            |(name, birth_date, clinic_id, contact, factors, asked_on, free)| Patient {
                name,
                birth_date,
                clinic_id,
                contact,
                screening: Screening { factors, asked_on },
                allergies: free.0,
                medication: free.1,
                history: free.2,
            },
        )
}

/// What the physician adds to a generated plan.
#[derive(Debug, Clone)]
struct Edits {
    selection: usize,
    factors: BTreeSet<Factor>,
    start: Date,
    notes: Vec<Note>,
    extra_tasks: Vec<ExtraTask>,
    status: PlanStatus,
    checklist: BTreeMap<String, Timestamp>,
}

fn edits() -> impl Strategy<Value = Edits> {
    let note = (timestamp(), text(), text()).prop_map(|(written_at, author, text)| Note {
        written_at,
        author,
        text,
    });
    let task = (
        text(),
        proptest::option::of(date()),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(text, due, withdrawn, for_clinic)| ExtraTask {
            text,
            due,
            withdrawn,
            audience: if for_clinic {
                regen_planner::catalog::Audience::Clinic
            } else {
                regen_planner::catalog::Audience::Patient
            },
        });
    (
        0usize..1000,
        factors(),
        (2020i16..2090, 1i8..=12, 1i8..=28).prop_map(|(y, m, d)| Date::new(y, m, d).unwrap()),
        proptest::collection::vec(note, 0..3),
        proptest::collection::vec(task, 0..3),
        proptest::sample::select(PlanStatus::ALL),
        proptest::collection::btree_map(text(), timestamp(), 0..4),
    )
        .prop_map(
            |(selection, factors, start, notes, extra_tasks, status, checklist)| Edits {
                selection,
                factors,
                start,
                notes,
                extra_tasks,
                status,
                checklist,
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn what_was_saved_loads_back_equal(
        patient in patient(),
        first in edits(),
        second in edits(),
        author in one_line(),
    ) {
        let (catalog, _) = Catalog::builtin();
        let selections = common::selections(&catalog);
        let (_dir, store) = common::temp_store();

        let (patient_id, saved_patient) = store.create_patient(&patient, &author).unwrap();
        let loaded_patient = store.load_patient(&patient_id).unwrap();
        prop_assert_eq!(&loaded_patient, &saved_patient);
        prop_assert_eq!(&loaded_patient.value, &patient);
        prop_assert_eq!(&loaded_patient.saved_by, &author);

        let make = |edits: &Edits| {
            let selection = selections[edits.selection % selections.len()].clone();
            let mut record = common::record(
                &catalog, &patient_id, selection, edits.factors.clone(), edits.start,
            );
            record.notes.clone_from(&edits.notes);
            record.extra_tasks.clone_from(&edits.extra_tasks);
            record.status = edits.status;
            record.checklist.clone_from(&edits.checklist);
            record
        };
        let first_record = make(&first);
        let second_record = make(&second);
        let (plan_id, revision_1) = store.create_plan(&first_record, &author).unwrap();
        let revision_2 = store.save_plan(&plan_id, 1, &second_record, "Dr. Two").unwrap();
        prop_assert_eq!(revision_2.number, 2);

        let newest = store.load_plan(&plan_id).unwrap();
        prop_assert_eq!(&newest, &revision_2);
        prop_assert_eq!(&newest.value, &second_record);
        prop_assert_eq!(store.load_plan_revision(&plan_id, 1).unwrap(), revision_1);

        let history = store.history(&plan_id).unwrap();
        prop_assert_eq!(history.len(), 2);
        prop_assert_eq!(&history[0].saved_by, &author);
        prop_assert_eq!(history[1].saved_at, revision_2.saved_at);

        let mut indexes = Vec::new();
        for _ in 0..2 {
            // Once rebuilt from the heads' summaries, once from the cache.
            let index = store.load_index(&mut |_| {}).unwrap();
            prop_assert!(index.problems.is_empty(), "{:?}", index.problems);
            prop_assert_eq!(index.plans.len(), 1);
            let summary = &index.plans[0];
            prop_assert_eq!(&summary.patient_name, &patient.name);
            prop_assert_eq!(&summary.clinic_id, &patient.clinic_id);
            prop_assert_eq!(summary.status, second.status);
            prop_assert_eq!(summary.revision, 2);
            prop_assert_eq!(summary.first_session, second_record.first_session());
            prop_assert_eq!(&index.patients[0].name, &patient.name);
            indexes.push(index);
        }
        let report = store.verify();
        prop_assert!(report.is_ok(), "{:?}", report.problems);
        prop_assert!(report.notes.is_empty(), "{:?}", report.notes);

        // Without the heads and the cache, the index is rebuilt by parsing every
        // revision: it must be the same as the one the heads gave.
        for kind in ["patients", "plans"] {
            for record in std::fs::read_dir(store.data_dir().join(kind)).unwrap() {
                std::fs::remove_file(record.unwrap().path().join("head.ron")).unwrap();
            }
        }
        std::fs::remove_file(store.data_dir().join("index.json")).unwrap();
        // Records without their heads are listed as their files say, and marked
        // unverified.
        let parsed = store.load_index(&mut |_| {}).unwrap();
        prop_assert_eq!(&parsed.patients, &indexes[0].patients);
        prop_assert_eq!(&parsed.plans, &indexes[0].plans);
        prop_assert_eq!(&parsed.plans, &indexes[1].plans);
        prop_assert_eq!(parsed.unverified.len(), 2);
        prop_assert!(parsed.is_unverified(&parsed.plans[0]));
    }
}

#[test]
fn a_patient_saved_again_keeps_every_revision() {
    let (_dir, store) = common::temp_store();
    let mut patient = Patient::new("Ana Souza");
    let (id, first) = store.create_patient(&patient, "Dr. Vega").unwrap();
    patient.contact = "+55 11 5555-0100".into();
    patient.screening.factors.insert(Factor::ALL[0]);
    patient.screening.asked_on = Some(Date::new(2027, 1, 4).unwrap());
    let second = store
        .save_patient(&id, first.number, &patient, "Dr. Lima")
        .unwrap();
    assert_eq!(second.number, 2);
    let loaded = store.load_patient(&id).unwrap();
    assert_eq!(loaded, second);
    assert_eq!(loaded.value, patient);
    assert_eq!(loaded.saved_by, "Dr. Lima");
    assert!(store.verify().is_ok());
}

#[test]
fn the_index_shows_a_save_made_after_it_was_cached() {
    let (_dir, store, id, mut record) = common::store_with_plan();
    let before = store.load_index(&mut |_| {}).unwrap();
    assert_eq!(before.plans[0].status, record.status);
    record.status = PlanStatus::Cancelled;
    store.save_plan(&id, 1, &record, "Dr. Lima").unwrap();
    let mut progress = Vec::new();
    let after = store
        .load_index(&mut |step| progress.push((step.done, step.total)))
        .unwrap();
    assert_eq!(after.plans[0].status, PlanStatus::Cancelled);
    assert_eq!(after.plans[0].revision, 2);
    assert_eq!(after.plans[0].saved_by, "Dr. Lima");
    assert_eq!(progress.first(), Some(&(0, 2)));
    assert_eq!(progress.last(), Some(&(2, 2)));
    let of_patient = store.plans_of(&after.plans[0].patient).unwrap();
    assert_eq!(of_patient, after.plans);
}

#[test]
fn a_saved_revision_has_the_summary_the_index_shows() {
    let (_dir, store, id, mut record) = common::store_with_plan();
    let patient_id = record.patient.clone();
    record.status = PlanStatus::Active;
    let revision = store.save_plan(&id, 1, &record, "Dr. Lima").unwrap();
    let patient = store.load_patient(&patient_id).unwrap();
    let index = store.load_index(&mut |_| {}).unwrap();
    let patient_summary = PatientSummary::new(
        patient_id.clone(),
        &patient.value,
        patient.number,
        patient.saved_at,
    );
    assert_eq!(index.patients, std::slice::from_ref(&patient_summary));
    let mut plan_summary = PlanSummary::new(
        id.clone(),
        &revision.value,
        revision.number,
        revision.saved_at,
        &revision.saved_by,
    );
    // The index fills in the patient's name and clinic id from the patient's summary.
    plan_summary.patient_name.clone_from(&patient_summary.name);
    plan_summary
        .clinic_id
        .clone_from(&patient_summary.clinic_id);
    assert_eq!(index.plans, [plan_summary]);
}
