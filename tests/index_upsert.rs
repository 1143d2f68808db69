//! `Index::upsert`: the summaries made where records are saved, put into an index
//! that was loaded before, give the index a fresh load reads from the folder.

#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on anything unexpected"
)]

mod common;

use regen_planner::catalog::Catalog;
use regen_planner::planning::PlanStatus;
use regen_planner::store::{Index, Patient, Summary};

fn fresh(store: &regen_planner::store::Store) -> Index {
    store.load_index(&mut |_| {}).unwrap()
}

#[test]
fn summaries_put_into_a_loaded_index_give_what_a_fresh_load_reads() {
    let (_dir, store) = common::temp_store();
    let (catalog, _) = Catalog::builtin();
    let (zoe, zoe_revision) = store
        .create_patient(&Patient::new("Zoë Ångström"), "Dr. Vega")
        .unwrap();
    let (first_plan, _) = store
        .create_plan(&common::record_of_save(&catalog, &zoe, 1), "Dr. Vega")
        .unwrap();
    let mut index = fresh(&store);

    // A new patient whose name sorts first, with a plan.
    let (anna, anna_revision) = store
        .create_patient(&Patient::new("anna Berg"), "Dr. Vega")
        .unwrap();
    let (anna_plan, anna_plan_revision) = store
        .create_plan(&common::record_of_save(&catalog, &anna, 2), "Dr. Vega")
        .unwrap();
    index.upsert(Summary::of_patient(&anna, &anna_revision));
    index.upsert(Summary::of_plan(&anna_plan, &anna_plan_revision));

    // A new revision of the first plan: cancelled.
    let mut record = store.load_plan(&first_plan).unwrap().value;
    record.status = PlanStatus::Cancelled;
    let saved = store.save_plan(&first_plan, 1, &record, "Dr. Ito").unwrap();
    index.upsert(Summary::of_plan(&first_plan, &saved));

    // The first patient is renamed (their plan shows the new name) and gets a clinic id.
    let mut renamed = zoe_revision.value.clone();
    renamed.name = "Zoë Berg".to_owned();
    renamed.clinic_id = Some("C-7".to_owned());
    let renamed = store.save_patient(&zoe, 1, &renamed, "Dr. Ito").unwrap();
    let changed = index.upsert(Summary::of_patient(&zoe, &renamed));
    assert_eq!(changed, zoe, "the renamed patient's rows change");

    let expected = fresh(&store);
    assert_eq!(index.patients, expected.patients);
    assert_eq!(index.plans, expected.plans);
    assert_eq!(index.plans[0].patient_name, "Zoë Berg");
    assert_eq!(index.plans[0].clinic_id.as_deref(), Some("C-7"));
    assert_eq!(
        index.patients[0].name, "anna Berg",
        "patients stay in name order"
    );
}
