//! Saves at one desk heard at another within a second, on a real PostgreSQL server
//! (see `common::postgres`): the store's [`Store::watch_changes`], through the server
//! going and coming back. A data folder has nothing to listen to.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly on anything unexpected"
)]

mod common;

use std::time::{Duration, Instant};

use regen_planner::catalog::Catalog;
use regen_planner::store::{Change, ChangeWatch, Patient, PlanId, Store};

/// Waits for a change that `wanted` accepts, skipping others, for at most `patience`;
/// returns it and how long it took.
fn wait_for(
    watch: &ChangeWatch,
    patience: Duration,
    wanted: impl Fn(&Change) -> bool,
) -> Option<(Change, Duration)> {
    let start = Instant::now();
    while let Some(left) = patience.checked_sub(start.elapsed()) {
        match watch.recv_timeout(left) {
            Ok(change) if wanted(&change) => return Some((change, start.elapsed())),
            Ok(_) => {}
            Err(_) => return None,
        }
    }
    None
}

fn is_plan(id: &PlanId, number: u32) -> impl Fn(&Change) -> bool + '_ {
    move |change| matches!(change, Change::Plan { id: heard, revision } if heard == id && *revision == number)
}

#[test]
fn a_save_at_one_desk_is_heard_at_another_within_a_second_also_after_the_server_was_gone() {
    // A data folder: nothing to listen to.
    let folder = tempfile::tempdir().unwrap();
    assert!(
        Store::open(folder.path())
            .unwrap()
            .watch_changes(|| {})
            .unwrap()
            .is_none()
    );

    let Some(database) = common::postgres::database("changes heard") else {
        return;
    };
    let listening = Store::open_database(&database.url).unwrap();
    let watch = listening.watch_changes(|| {}).unwrap().expect("a watch");
    let saving = Store::open_database(&database.url).unwrap();
    let (catalog, _) = Catalog::builtin();
    let created = saving
        .create_patient_with_plan(
            &Patient::new("Ana Souza"),
            |id| common::record_of_save(&catalog, id, 1),
            "Dr. Vega",
        )
        .unwrap();
    let patient = created.patient.clone();
    let id = created.plan.clone();

    // The watch connects on its own thread: saves before it listens are not heard, so
    // save until one is, then time the next one.
    let mut number = 1;
    let start = Instant::now();
    loop {
        number += 1;
        let record = common::record_of_save(&catalog, &patient, u64::from(number));
        saving
            .save_plan(&id, number - 1, &record, "Dr. Vega")
            .unwrap();
        if wait_for(&watch, Duration::from_millis(300), is_plan(&id, number)).is_some() {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(15),
            "the watch never heard a save"
        );
    }
    for _ in 0..3 {
        number += 1;
        let record = common::record_of_save(&catalog, &patient, u64::from(number));
        saving
            .save_plan(&id, number - 1, &record, "Dr. Vega")
            .unwrap();
        let (_, took) = wait_for(&watch, Duration::from_secs(1), is_plan(&id, number))
            .unwrap_or_else(|| panic!("revision {number} was not heard within a second"));
        assert!(took < Duration::from_secs(1), "{took:?}");
    }
    // A patient saved is heard as a patient, with their revision.
    let mut details = listening.load_patient(&patient).unwrap();
    details.value.contact = "+34 600 000 000".into();
    saving
        .save_patient(&patient, details.number, &details.value, "Dr. Vega")
        .unwrap();
    let (change, _) = wait_for(&watch, Duration::from_secs(1), |change| {
        matches!(change, Change::Patient { .. })
    })
    .expect("the patient's save heard within a second");
    assert_eq!(
        change,
        Change::Patient {
            id: patient.clone(),
            revision: details.number + 1
        }
    );
    // A save refused as a conflict moves no head and announces nothing.
    let stale = common::record_of_save(&catalog, &patient, 99);
    assert!(saving.save_plan(&id, 1, &stale, "Dr. Vega").is_err());
    assert!(
        wait_for(&watch, Duration::from_millis(300), |change| matches!(
            change,
            Change::Plan { .. }
        ))
        .is_none()
    );

    // The server goes: said once, within seconds.
    if !database.stop_server() {
        return;
    }
    let (change, took) = wait_for(&watch, Duration::from_secs(15), |_| true).expect("the loss");
    let Change::Lost { message } = change else {
        panic!("{change:?}")
    };
    assert!(took < Duration::from_secs(12), "{took:?}");
    assert!(!message.contains('\n'), "{message}");
    assert!(message.contains("database server"), "{message}");
    // Back: said once it listens again, and the next save is heard within a second.
    database.start_server();
    let (change, _) = wait_for(&watch, Duration::from_secs(20), |_| true).expect("back");
    assert_eq!(change, Change::Back);
    number += 1;
    let record = common::record_of_save(&catalog, &patient, u64::from(number));
    saving
        .save_plan(&id, number - 1, &record, "Dr. Vega")
        .unwrap();
    let (_, took) = wait_for(&watch, Duration::from_secs(1), is_plan(&id, number))
        .expect("a save after the server came back heard within a second");
    assert!(took < Duration::from_secs(1), "{took:?}");
}
