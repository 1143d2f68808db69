//! Demo data: the same seed gives the same files, a folder with real records is
//! refused and left alone, the plans are consistent with their dates, and the app says
//! plainly that the patients are not real.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly on anything unexpected"
)]

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use common::{regen, snapshot, stderr, stdout};
use egui_kittest::kittest::Queryable as _;
use jiff::Timestamp;
use regen_planner::catalog::Catalog;
use regen_planner::demo::{DemoOptions, create_demo};
use regen_planner::planning::{PlanStatus, checklist_keys};
use regen_planner::store::{DEMO_MARKER_FILE, Patient, Store, StoreError};

fn options(patients: usize, seed: u64) -> DemoOptions {
    DemoOptions {
        patients,
        seed,
        now: "2027-01-18T10:30:00Z".parse().unwrap(),
    }
}

/// The records of a data folder (not the index cache, which records modification
/// times, nor the folder for temporary files).
fn records(data: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    snapshot(data)
        .into_iter()
        .filter(|(name, _)| name != "index.json" && !name.starts_with("tmp"))
        .collect()
}

#[test]
fn the_same_seed_makes_the_same_files_and_another_seed_other_ones() {
    let (catalog, _) = Catalog::builtin();
    let folders: Vec<_> = (0..3).map(|_| tempfile::tempdir().unwrap()).collect();
    for (folder, seed) in folders.iter().zip([11, 11, 12]) {
        let (_, report) = create_demo(folder.path(), &catalog, &options(25, seed)).unwrap();
        assert_eq!(report.patients, 25);
        assert!(report.plans >= 25, "the first patients all have a plan");
        assert!(
            report.revisions > report.patients + report.plans,
            "some records have several revisions"
        );
    }
    let first = records(folders[0].path());
    assert!(first.len() > 50, "{} files", first.len());
    assert_eq!(first, records(folders[1].path()), "same seed, same bytes");
    assert_ne!(
        first,
        records(folders[2].path()),
        "another seed, other data"
    );
}

#[test]
fn plans_are_consistent_with_their_dates_and_patients_are_marked() {
    let (catalog, _) = Catalog::builtin();
    let folder = tempfile::tempdir().unwrap();
    let now: Timestamp = "2027-01-18T10:30:00Z".parse().unwrap();
    let today = now.to_zoned(jiff::tz::TimeZone::UTC).date();
    let (store, _) = create_demo(folder.path(), &catalog, &options(60, 3)).unwrap();
    assert!(store.is_demo());
    let index = store.load_index(&mut |_| {}).unwrap();
    assert!(index.problems.is_empty(), "{:?}", index.problems);
    assert_eq!(index.patients.len(), 60);
    let names: BTreeSet<&str> = index.patients.iter().map(|p| p.name.as_str()).collect();
    assert!(names.len() > 40, "names vary: {names:?}");
    assert!(
        names.iter().any(|name| !name.is_ascii()),
        "names have accents: {names:?}"
    );
    for patient in &index.patients {
        assert!(patient.clinic_id.as_deref().unwrap().starts_with("DEMO-"));
    }
    let statuses: BTreeSet<PlanStatus> = index.plans.iter().map(|plan| plan.status).collect();
    assert!(statuses.len() >= 3, "statuses vary: {statuses:?}");
    let protocols: BTreeSet<&str> = index.plans.iter().map(|p| p.protocol_id.as_str()).collect();
    assert!(protocols.len() >= 10, "pathways vary: {protocols:?}");

    let mut ticks = 0;
    for summary in &index.plans {
        let revision = store.load_plan(&summary.id).unwrap();
        assert!(revision.saved_at <= now);
        let record = &revision.value;
        let plan = &record.plan;
        let mut known: BTreeSet<String> = BTreeSet::new();
        known.extend(
            plan.pre_procedure
                .iter()
                .map(|task| checklist_keys::pre(&task.task)),
        );
        known.extend(
            plan.sessions
                .iter()
                .map(|s| checklist_keys::session(s.number)),
        );
        known.extend(
            plan.aftercare
                .iter()
                .map(|item| checklist_keys::aftercare(item.session, item.site, &item.task)),
        );
        known.extend(
            plan.follow_ups
                .iter()
                .map(|v| checklist_keys::follow_up(&v.purpose)),
        );
        known.extend((0..record.extra_tasks.len()).map(checklist_keys::extra));
        let history = store.history(&summary.id).unwrap();
        let created = history[0].saved_at;
        assert!(
            history
                .windows(2)
                .all(|pair| pair[0].saved_at < pair[1].saved_at),
            "revisions were saved one after the other"
        );
        for (key, ticked_at) in &record.checklist {
            ticks += 1;
            assert!(known.contains(key), "{key} is an item of the plan");
            assert!(
                created < *ticked_at && *ticked_at <= revision.saved_at,
                "{key} was ticked after the plan was made and before it was saved"
            );
        }
        for session in &plan.sessions {
            let done = record
                .checklist
                .contains_key(&checklist_keys::session(session.number));
            if session.date >= today {
                assert!(
                    !done,
                    "session {} on {} is not done yet",
                    session.number, session.date
                );
            }
            if record.status == PlanStatus::Completed {
                assert!(done, "a completed plan had every session");
            }
        }
        if record.status == PlanStatus::Draft {
            assert!(record.checklist.is_empty(), "a draft has nothing ticked");
        }
    }
    assert!(ticks > 100, "plans under way have ticked items ({ticks})");
}

#[test]
fn the_command_makes_demo_data_that_lists_and_verifies() {
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("demo");
    let config = root.path().join("config");
    let output = regen(
        &data,
        &config,
        &["demo-data", "--patients", "30", "--seed", "5"],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stdout(&output).starts_with("Made 30 demo patients with "),
        "{}",
        stdout(&output)
    );
    assert!(data.join(DEMO_MARKER_FILE).is_file());
    assert!(
        data.join("index.json").is_file(),
        "the index is ready for the app"
    );
    let verify = regen(&data, &config, &["plans", "verify"]);
    assert!(
        verify.status.success(),
        "{}{}",
        stdout(&verify),
        stderr(&verify)
    );
    let list = regen(&data, &config, &["plans", "list"]);
    assert!(list.status.success());
    assert!(stdout(&list).contains("DEMO-00001"), "{}", stdout(&list));
}

#[test]
fn a_folder_with_real_records_is_refused_and_left_alone() {
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("data");
    let config = root.path().join("config");
    let store = Store::open(&data).unwrap();
    store
        .create_patient(&Patient::new("Ana Souza"), "Dr. Vega")
        .unwrap();
    let before = snapshot(&data);
    let output = regen(&data, &config, &["demo-data", "--patients", "5"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("already holds 1 patient(s) and 0 plan(s)"),
        "{}",
        stderr(&output)
    );
    assert_eq!(snapshot(&data), before, "nothing was written");

    let (catalog, _) = Catalog::builtin();
    let error = create_demo(&data, &catalog, &options(5, 1)).unwrap_err();
    assert!(
        matches!(error, StoreError::NotEmptyForDemo { .. }),
        "{error}"
    );

    // A folder that already holds demo data is refused too: demo data is never mixed.
    let demo = root.path().join("demo");
    create_demo(&demo, &catalog, &options(3, 1)).unwrap();
    let error = create_demo(&demo, &catalog, &options(3, 2)).unwrap_err();
    assert!(error.to_string().contains("already holds"), "{error}");
}

#[test]
fn the_command_needs_an_explicit_data_folder() {
    let home = tempfile::tempdir().unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_regen-planner"))
        .args(["demo-data", "--patients", "5"])
        .env_remove("REGEN_PLANNER_DATA_DIR")
        .env("HOME", home.path())
        .env("XDG_DATA_HOME", home.path().join("data"))
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("demo-data needs --data-dir DIR"),
        "{}",
        stderr(&output)
    );
    assert!(!home.path().join("data").exists(), "nothing was made");
}

#[test]
fn the_app_says_the_patients_are_not_real() {
    let root = tempfile::tempdir().unwrap();
    let config = root.path().join("config");
    let (catalog, _) = Catalog::builtin();
    let demo = root.path().join("demo");
    create_demo(&demo, &catalog, &options(8, 1)).unwrap();
    let harness = common::window::harness(&demo, &config);
    assert!(
        harness
            .query_by_label("Demo data: not real patients")
            .is_some()
    );
    assert!(
        harness.query_by_label_contains("(DEMO-00001)").is_some(),
        "the clinic ids in the list say demo too"
    );

    let real = root.path().join("real");
    Store::open(&real).unwrap();
    let harness = common::window::harness(&real, &config);
    assert!(
        harness
            .query_by_label("Demo data: not real patients")
            .is_none()
    );
}

#[test]
fn demo_records_share_lots_as_a_recall_finds_them_and_scores_follow_the_visits() {
    use regen_planner::planning::{RecallSource, find_lot, saved_record_warnings};
    use std::collections::BTreeMap;

    let (catalog, _) = Catalog::builtin();
    let folder = tempfile::tempdir().unwrap();
    let today: jiff::civil::Date = "2027-01-18".parse().unwrap();
    let (store, _) = create_demo(folder.path(), &catalog, &options(150, 5)).unwrap();
    let index = store.load_index(&mut |_| {}).unwrap();
    let mut plans = Vec::new();
    for summary in &index.plans {
        plans.push((summary.clone(), store.load_plan(&summary.id).unwrap().value));
    }
    let mut patients_of_lot: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let (mut records, mut over_the_maximum, mut improved, mut not_improved) = (0, 0, 0, 0);
    for (summary, plan) in &plans {
        for record in &plan.records {
            records += 1;
            assert!(record.performed_on < today);
            // Every demo record passes the checks a physician's record passes.
            let planned = plan
                .plan
                .sessions
                .iter()
                .find(|s| s.number == record.session);
            assert_eq!(planned.map(|s| s.date), Some(record.performed_on));
            for warning in saved_record_warnings(&catalog, &plan.plan, record, today) {
                assert!(warning.message.contains("above the maximum"), "{warning:?}");
                assert!(!record.adverse_events.is_empty(), "the event it asks for");
                over_the_maximum += 1;
            }
            for material in &record.materials {
                let lot = material.lot.clone().unwrap();
                assert!(material.expiry.unwrap() > record.performed_on);
                patients_of_lot
                    .entry(lot)
                    .or_default()
                    .insert(summary.patient.to_string());
            }
        }
        // Scores: a baseline at the first session, later ones at the follow-ups.
        let mut by_scale: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
        for score in &plan.scores {
            assert!(score.date < today);
            by_scale
                .entry(score.scale.as_str())
                .or_default()
                .push(score.value);
        }
        for (scale, values) in by_scale {
            let scale = catalog.scales().find(scale).unwrap();
            if let [first, .., last] = values.as_slice() {
                if scale.improved(*first, *last) {
                    improved += 1;
                } else {
                    not_improved += 1;
                }
            }
        }
    }
    assert!(records > 100, "{records} records");
    assert!(over_the_maximum <= records / 50, "rare: {over_the_maximum}");
    let widest = patients_of_lot.values().map(BTreeSet::len).max().unwrap();
    assert!(widest >= 5, "a lot shared by many patients: {widest}");
    assert!(
        improved > not_improved && not_improved > 0,
        "{improved} {not_improved}"
    );

    // The index's summaries recall exactly what the records hold.
    let (lot, _) = patients_of_lot
        .iter()
        .max_by_key(|(_, patients)| patients.len())
        .unwrap();
    let sources = plans.iter().map(|(summary, plan)| RecallSource {
        patient: summary.patient.as_str(),
        patient_name: &summary.patient_name,
        plan: summary.id.as_str(),
        records: &plan.records,
    });
    let from_records = find_lot(lot, sources);
    assert_eq!(
        regen_planner::store::recall(lot, &index.plans),
        from_records
    );
}
