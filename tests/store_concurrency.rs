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
use regen_planner::store::{PlanStatus, Store, StoreError};

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
