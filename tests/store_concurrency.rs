//! Two desks saving the same plan at once: one wins, the other gets a conflict that
//! says who saved when, and nothing is lost or overwritten.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly on anything unexpected"
)]

mod common;

use std::sync::{Arc, Barrier};

use regen_planner::catalog::Catalog;
use regen_planner::store::{Patient, PatientId, PlanStatus, Store, StoreError};

#[test]
fn two_desks_saving_the_same_revision_one_wins_and_nothing_is_lost() {
    let (catalog, _) = Catalog::builtin();
    for attempt in 0..25 {
        let (_dir, store, id, record) = common::store_with_plan();
        // Two desks: two stores on the same folder, as two machines would open it.
        let desks = [
            Store::open(store.data_dir()).unwrap(),
            Store::open(store.data_dir()).unwrap(),
        ];
        let mut edits = [record.clone(), record.clone()];
        edits[0].status = PlanStatus::Active;
        edits[0].notes = common::record_of_save(&catalog, &record.patient, 100).notes;
        edits[1].status = PlanStatus::Cancelled;
        edits[1].notes = common::record_of_save(&catalog, &record.patient, 200).notes;
        let authors = ["Dr. Vega", "Dr. Lima"];
        let barrier = Arc::new(Barrier::new(2));
        let results: Vec<_> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..2)
                .map(|desk| {
                    let (store, edit, author, barrier) =
                        (&desks[desk], &edits[desk], authors[desk], barrier.clone());
                    let id = id.clone();
                    scope.spawn(move || {
                        barrier.wait();
                        store.save_plan(&id, 1, edit, author)
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });

        let winners: Vec<usize> = (0..2).filter(|&desk| results[desk].is_ok()).collect();
        assert_eq!(winners.len(), 1, "attempt {attempt}: {results:?}");
        let (winner, loser) = (winners[0], 1 - winners[0]);
        match &results[loser] {
            Err(StoreError::Conflict {
                file,
                saved_by,
                saved_at,
            }) => {
                assert_eq!(saved_by, authors[winner]);
                assert_eq!(
                    *saved_at,
                    results[winner].as_ref().unwrap().saved_at,
                    "the conflict names the winner's save"
                );
                assert!(file.ends_with("revision-000002.ron"));
                let message = results[loser].as_ref().unwrap_err().to_string();
                assert!(
                    message.contains(&format!("{} saved revision 2", authors[winner]))
                        && message.contains("reopen it")
                        && message.ends_with("nothing was overwritten"),
                    "{message}"
                );
            }
            other => panic!("attempt {attempt}: expected a conflict, got {other:?}"),
        }

        // The winner's save is what loads; the first revision is untouched.
        let loaded = store.load_plan(&id).unwrap();
        assert_eq!(loaded.number, 2);
        assert_eq!(loaded.value, edits[winner]);
        assert_eq!(loaded.saved_by, authors[winner]);
        assert_eq!(store.load_plan_revision(&id, 1).unwrap().value, record);

        // The loser reopens the plan and saves on top: both edits are in the history.
        let reopened = desks[loser].load_plan(&id).unwrap();
        let mut merged = reopened.value.clone();
        merged.notes.extend(edits[loser].notes.clone());
        let third = desks[loser]
            .save_plan(&id, reopened.number, &merged, authors[loser])
            .unwrap();
        assert_eq!(third.number, 3);
        let history = store.history(&id).unwrap();
        let by: Vec<&str> = history.iter().map(|rev| rev.saved_by.as_str()).collect();
        assert_eq!(by, ["Dr. Vega", authors[winner], authors[loser]]);
        let report = store.verify();
        assert!(report.is_ok(), "{:?}", report.problems);
    }
}

#[test]
fn a_save_from_an_old_revision_is_refused_even_after_many_saves() {
    let (_dir, store, id, record) = common::store_with_plan();
    for base in 1..=3 {
        store.save_plan(&id, base, &record, "Dr. Vega").unwrap();
    }
    let before = common::snapshot(store.data_dir());
    let error = store.save_plan(&id, 2, &record, "Dr. Lima").unwrap_err();
    assert!(
        matches!(&error, StoreError::Conflict { saved_by, .. } if saved_by == "Dr. Vega"),
        "{error:?}"
    );
    let mut after = common::snapshot(store.data_dir());
    after.retain(|name, _| !name.starts_with("tmp"));
    let mut before = before;
    before.retain(|name, _| !name.starts_with("tmp"));
    assert_eq!(before, after, "a refused save changed the data folder");
}

#[test]
fn plans_created_at_the_same_moment_all_stay() {
    // Plans made at the same moment get different ids and folders.
    let (_dir, store, _, record) = common::store_with_plan();
    let ids: Vec<_> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..8)
            .map(|_| {
                let store = store.clone();
                let record = record.clone();
                scope.spawn(move || store.create_plan(&record, "Dr. Vega").unwrap().0)
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let index = store.load_index(&mut |_| {}).unwrap();
    assert_eq!(index.plans.len(), 9);
    for id in ids {
        assert!(index.plans.iter().any(|plan| plan.id == id));
    }
}

/// Desks saving a new patient with the same clinic id at once, as the command line
/// does: a new patient with their plan, or, when the clinic id is taken meanwhile, the
/// plan for the patient who has it.
fn save_for_clinic_id(store: &Store, clinic_id: &str, name: &str) -> PatientId {
    let (catalog, _) = Catalog::builtin();
    let mut patient = Patient::new(name);
    patient.clinic_id = Some(clinic_id.to_owned());
    if let Some(existing) = store.patient_with_clinic_id(clinic_id).unwrap() {
        let record = common::record_of_save(&catalog, &existing, 1);
        store.create_plan(&record, "Dr. Vega").unwrap();
        return existing;
    }
    let made = |id: &PatientId| common::record_of_save(&catalog, id, 1);
    match store.create_patient_with_plan(&patient, made, "Dr. Vega") {
        Ok(created) => created.patient,
        Err(StoreError::ClinicIdTaken { patient, .. }) => {
            let record = common::record_of_save(&catalog, &patient, 1);
            store.create_plan(&record, "Dr. Vega").unwrap();
            patient
        }
        Err(error) => panic!("{error}"),
    }
}

#[test]
fn one_clinic_id_is_one_patient_however_many_desks_save_it_at_once() {
    const DESKS: usize = 6;
    for attempt in 0..15 {
        let (_dir, first) = common::temp_store();
        let barrier = Arc::new(Barrier::new(DESKS));
        // The same id as different desks type it.
        let spellings = ["CH-1", " ch-1", "Ch-1 ", "CH-1", "ch-1", "CH-1"];
        let patients: Vec<PatientId> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..DESKS)
                .map(|desk| {
                    let barrier = barrier.clone();
                    let data = first.data_dir().to_path_buf();
                    let spelling = spellings[desk];
                    scope.spawn(move || {
                        let store = Store::open(&data).unwrap();
                        barrier.wait();
                        save_for_clinic_id(&store, spelling, &format!("Ana Souza {desk}"))
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let index = first.load_index(&mut |_| {}).unwrap();
        assert_eq!(
            index.patients.len(),
            1,
            "attempt {attempt}: one clinic id made {} patients",
            index.patients.len()
        );
        assert!(patients.iter().all(|id| *id == index.patients[0].id));
        assert_eq!(
            index.plans.len(),
            DESKS,
            "attempt {attempt}: a plan was lost"
        );
        assert!(
            index
                .plans
                .iter()
                .all(|plan| plan.patient == index.patients[0].id)
        );
        assert!(index.problems.is_empty(), "{:?}", index.problems);
        let report = first.verify();
        assert!(report.is_ok(), "{:?}", report.problems);
    }
}

#[test]
fn racing_command_line_saves_with_one_clinic_id_make_one_patient() {
    let dir = tempfile::tempdir().unwrap();
    let (data, config) = (dir.path().join("data"), dir.path().join("config"));
    std::fs::create_dir_all(&config).unwrap();
    std::fs::write(
        config.join("settings.ron"),
        "(format_version: 1, physician_name: \"Dr. Vega\")",
    )
    .unwrap();
    let mut args = vec!["plan"];
    args.extend_from_slice(common::STRETCH_MARKS);
    args.extend_from_slice(&[
        "--save",
        "--patient-name",
        "Ana Souza",
        "--patient-id",
        "CH-1",
    ]);
    let children: Vec<_> = (0..4)
        .map(|_| {
            std::process::Command::new(env!("CARGO_BIN_EXE_regen-planner"))
                .args(&args)
                .env("REGEN_PLANNER_DATA_DIR", &data)
                .env("REGEN_PLANNER_CONFIG_DIR", &config)
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let output = child.wait_with_output().unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let store = Store::open(&data).unwrap();
    let index = store.load_index(&mut |_| {}).unwrap();
    assert_eq!(index.patients.len(), 1, "{:?}", index.patients);
    assert_eq!(index.plans.len(), 4, "a save was lost");
    assert!(store.verify().is_ok());
}

#[test]
fn a_data_folder_from_before_clinic_id_claims_keeps_its_patients() {
    let (_dir, store) = common::temp_store();
    let mut patient = Patient::new("Ana Souza");
    patient.clinic_id = Some("CH-7".into());
    let (first, _) = store.create_patient(&patient, "Dr. Vega").unwrap();
    let mut twin = Patient::new("Ana Souza");
    twin.clinic_id = Some("CH-8".into());
    store.create_patient(&twin, "Dr. Vega").unwrap();
    // A folder saved by an app from before the claims: no clinic-ids folder.
    std::fs::remove_dir_all(store.data_dir().join("clinic-ids")).unwrap();

    let reopened = Store::open(store.data_dir()).unwrap();
    assert_eq!(
        reopened.patient_with_clinic_id(" ch-7 ").unwrap(),
        Some(first.clone())
    );
    assert!(
        store
            .data_dir()
            .join("clinic-ids/before-claims.json")
            .is_file()
    );
    let error = reopened.create_patient(&patient, "Dr. Lima").unwrap_err();
    assert!(
        matches!(&error, StoreError::ClinicIdTaken { patient, .. } if *patient == first),
        "{error:?}"
    );
    assert!(error.to_string().contains("is already patient"), "{error}");
    let mut other = Patient::new("Bea Lima");
    other.clinic_id = Some("CH-9".into());
    reopened.create_patient(&other, "Dr. Lima").unwrap();
    assert_eq!(reopened.load_index(&mut |_| {}).unwrap().patients.len(), 3);
}

#[test]
fn a_patients_clinic_id_stays_theirs() {
    let (_dir, store) = common::temp_store();
    let mut patient = Patient::new("Ana Souza");
    patient.clinic_id = Some("CH-7".into());
    let (id, first) = store.create_patient(&patient, "Dr. Vega").unwrap();
    let mut changed = patient.clone();
    changed.clinic_id = Some("CH-70".into());
    let error = store
        .save_patient(&id, first.number, &changed, "Dr. Vega")
        .unwrap_err();
    assert!(
        matches!(error, StoreError::ClinicIdChange { .. }),
        "{error:?}"
    );
    // The same id written another way is the same id.
    changed.clinic_id = Some(" ch-7".into());
    store
        .save_patient(&id, first.number, &changed, "Dr. Vega")
        .unwrap();
    // A patient without one may be given a free one, not another's.
    let (bea, bea_first) = store
        .create_patient(&Patient::new("Bea Lima"), "Dr. Vega")
        .unwrap();
    let mut bea_with = Patient::new("Bea Lima");
    bea_with.clinic_id = Some("CH-7".into());
    let error = store
        .save_patient(&bea, bea_first.number, &bea_with, "Dr. Vega")
        .unwrap_err();
    assert!(
        matches!(error, StoreError::ClinicIdTaken { .. }),
        "{error:?}"
    );
    bea_with.clinic_id = Some("CH-8".into());
    store
        .save_patient(&bea, bea_first.number, &bea_with, "Dr. Vega")
        .unwrap();
    assert_eq!(store.patient_with_clinic_id("ch-8").unwrap(), Some(bea));
}

#[test]
fn another_desk_starting_up_never_breaks_a_new_patient_being_saved() {
    let (catalog, _) = Catalog::builtin();
    let (_dir, store) = common::temp_store();
    let data = store.data_dir().to_path_buf();
    let stop = std::sync::atomic::AtomicBool::new(false);
    let created: Vec<(PatientId, regen_planner::store::PlanId)> = std::thread::scope(|scope| {
        // The other desk: starts up (finishing interrupted saves) and lists, again and
        // again, while this desk saves.
        let other = scope.spawn(|| {
            let mut starts = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let desk = Store::open(&data).unwrap();
                desk.load_index(&mut |_| {}).unwrap();
                starts += 1;
            }
            starts
        });
        let mut created = Vec::new();
        for k in 0..40 {
            let mut patient = Patient::new(format!("Patient {k}"));
            if k % 2 == 0 {
                patient.clinic_id = Some(format!("CH-{k}"));
            }
            let made = |id: &PatientId| common::record_of_save(&catalog, id, k);
            let done = store
                .create_patient_with_plan(&patient, made, "Dr. Vega")
                .unwrap();
            created.push((done.patient, done.plan));
            // A patient alone, as the window's patient screen saves one: never taken
            // for someone else's because the other desk put it in place.
            let mut alone = Patient::new(format!("Alone {k}"));
            alone.clinic_id = Some(format!("AL-{k}"));
            store.create_patient(&alone, "Dr. Vega").unwrap();
        }
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        assert!(other.join().unwrap() > 0);
        created
    });
    let index = store.load_index(&mut |_| {}).unwrap();
    assert_eq!(index.patients.len(), 80);
    assert_eq!(index.plans.len(), 40);
    for (patient, plan) in &created {
        assert!(
            index
                .plans
                .iter()
                .any(|p| &p.id == plan && &p.patient == patient)
        );
    }
    assert!(index.problems.is_empty(), "{:?}", index.problems);
    assert!(store.verify().is_ok());
}
