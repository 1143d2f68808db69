//! The home screen is the clinic's agenda: what is overdue at the top, then the coming
//! days; its filters and the patient list's search narrow it; a click on an item opens
//! the plan at that item; a saved change moves it at once. Through the accessibility
//! tree, as a screen reader sees it.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly on anything unexpected"
)]

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use common::window::{click, folders, harness, type_into, wait_for_label, wait_until};
use egui_kittest::kittest::Queryable as _;
use jiff::ToSpan as _;
use jiff::civil::Date;
use regen_planner::catalog::{Area, Catalog, CellSource, Indication, Modality, Selection};
use regen_planner::planning::PlanStatus;
use regen_planner::planning::agenda::ItemPlace;
use regen_planner::store::{Patient, PlanId, Store};

fn today() -> Date {
    jiff::Zoned::now().date()
}

/// Saves a patient with a PRP plan for hair loss whose first session is on the first
/// working day from `start`, with the status given.
fn plan(data: &Path, name: &str, start: Date, status: PlanStatus) -> (PlanId, Date) {
    let store = Store::open(data).unwrap();
    let (patient, _) = store
        .create_patient(&Patient::new(name), "Dr Test")
        .unwrap();
    let selection = Selection {
        modality: Modality::Injection,
        source: CellSource::AutologousPrp,
        area: Area::Scalp,
        indication: Indication::AndrogeneticAlopecia,
        adjuncts: Vec::new(),
    };
    let mut record = common::record(
        &Catalog::builtin().0,
        &patient,
        selection,
        BTreeSet::new(),
        start,
    );
    record.status = status;
    let first = record.plan.sessions[0].date;
    (store.create_plan(&record, "Dr Test").unwrap().0, first)
}

#[test]
fn the_first_screen_is_the_agenda_with_what_was_missed_on_top() {
    let (data, config) = folders();
    let (missed, missed_on) = plan(
        data.path(),
        "Ines Missed",
        today().checked_sub(20.days()).unwrap(),
        PlanStatus::Active,
    );
    let (_, coming_on) = plan(
        data.path(),
        "Olav Coming",
        today().checked_add(1.days()).unwrap(),
        PlanStatus::Draft,
    );
    plan(
        data.path(),
        "Cora Cancelled",
        today().checked_add(1.days()).unwrap(),
        PlanStatus::Cancelled,
    );
    let mut harness = harness(data.path(), config.path());
    wait_for_label(&mut harness, "Overdue (");
    assert_eq!(
        harness.query_all_by_label("Agenda").count(),
        2,
        "the heading and the button"
    );
    assert!(missed_on < today());
    assert!(coming_on <= today().checked_add(7.days()).unwrap());
    // The missed session is overdue; the coming one is under its day; the cancelled
    // plan is not on the agenda.
    assert!(
        harness
            .query_all_by_label_contains("Overdue since")
            .next()
            .is_some()
    );
    // Each patient is once in the patient list; the rest is the agenda. Ines has the
    // session she missed; Olav his session and the call the day before it (unless
    // that day is today or was a closed one).
    let on_agenda =
        |harness: &egui_kittest::Harness<'static, regen_planner::ui::App>,
         name: &str,
         listed: bool| { harness.query_all_by_label(name).count() - usize::from(listed) };
    assert!(on_agenda(&harness, "Ines Missed", true) >= 1);
    assert!(on_agenda(&harness, "Olav Coming", true) >= 1);
    assert_eq!(on_agenda(&harness, "Cora Cancelled", true), 0);

    // Only what is overdue: every item then says since when.
    let items = |harness: &egui_kittest::Harness<'static, regen_planner::ui::App>| {
        let kinds = ["Preparation", "Call", "Follow-up"]
            .iter()
            .map(|kind| harness.query_all_by_label(kind).count())
            .sum::<usize>();
        kinds + harness.query_all_by_label_contains("Session, ").count()
    };
    let overdue = |harness: &egui_kittest::Harness<'static, regen_planner::ui::App>| {
        harness.query_all_by_label_contains("Overdue since").count()
    };
    assert!(
        items(&harness) > overdue(&harness),
        "Olav's session is due, not overdue"
    );
    click(&mut harness, "Status");
    click(&mut harness, "Overdue");
    harness.run_steps(2);
    assert!(on_agenda(&harness, "Ines Missed", true) >= 1);
    assert!(overdue(&harness) > 0);
    assert_eq!(items(&harness), overdue(&harness));
    // The list of choices opens again (unless it stayed open).
    if harness.query_by_label("Everything").is_none() {
        click(&mut harness, "Status");
    }
    click(&mut harness, "Everything");
    harness.run_steps(2);
    assert!(items(&harness) > overdue(&harness));

    // The patient list's search narrows the agenda too.
    type_into(&mut harness, "Search", "olav");
    harness.run_steps(2);
    assert_eq!(on_agenda(&harness, "Ines Missed", false), 0);
    assert!(on_agenda(&harness, "Olav Coming", true) >= 1);
    harness.get_by_label("Search").focus();
    harness.run_steps(1);
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    harness.key_press(egui::Key::Backspace);
    harness.run_steps(2);
    assert!(on_agenda(&harness, "Ines Missed", true) >= 1);

    // A click on the patient on the agenda (the last one of that name: the list is on
    // the left, drawn first) opens the plan.
    harness
        .query_all_by_label("Ines Missed")
        .last()
        .unwrap()
        .click_accesskit();
    wait_until(&mut harness, "the plan to open", |app| {
        app.open_plan_record().is_some()
    });
    assert_eq!(
        harness.state().open_plan_record().unwrap().patient,
        Store::open(data.path())
            .unwrap()
            .load_plan(&missed)
            .unwrap()
            .value
            .patient
    );
    // Back to the agenda, one click away.
    harness
        .get_by_role_and_label(egui::accesskit::Role::Button, "Agenda")
        .click_accesskit();
    wait_for_label(&mut harness, "Overdue (");
}

/// Whether a widget's rectangle lies within the window (1280x800), below the top bar.
fn in_view(rect: egui::Rect) -> bool {
    rect.top() > 40.0 && rect.bottom() < 800.0
}

#[test]
fn a_click_on_an_item_opens_the_plan_at_that_item() {
    let (data, config) = folders();
    let start = today().checked_add(1.days()).unwrap();
    let (id, _) = plan(data.path(), "Tove Target", start, PlanStatus::Active);
    // A task the physician added, due in two days: far down the plan screen, under
    // "Extra tasks".
    let due = today().checked_add(2.days()).unwrap();
    let store = Store::open(data.path()).unwrap();
    let revision = store.load_plan(&id).unwrap();
    let mut record = revision.value.clone();
    record.extra_tasks.push(regen_planner::store::ExtraTask {
        text: "Ask the GP for the blood count".into(),
        due: Some(due),
        withdrawn: false,
        audience: regen_planner::catalog::Audience::Clinic,
    });
    store
        .save_plan(&id, revision.number, &record, "Dr Test")
        .unwrap();
    let task_line = format!(
        "By {} {due}: Ask the GP for the blood count (for the clinic)",
        due.strftime("%a")
    );
    let session_line = "Session 1: planned for";

    let mut harness = harness(data.path(), config.path());
    wait_for_label(&mut harness, "Added task: Ask the GP");
    harness
        .get_by_label_contains("Added task: Ask the GP")
        .click_accesskit();
    wait_until(&mut harness, "the plan to open", |app| {
        app.open_plan_record().is_some()
    });
    harness.run_steps(3);
    assert_eq!(harness.state().open_plan_revision().unwrap().0, &id);
    let task = harness.get_by_label(&task_line).rect();
    assert!(in_view(task), "the added task is in view: {task:?}");
    assert_eq!(
        harness.state().open_plan_highlight(),
        Some(&ItemPlace::ExtraTask(0)),
        "the task's line is highlighted"
    );
    // The plan did not open at its top: the treatment record is scrolled away.
    let session = harness.get_by_label_contains(session_line).rect();
    assert!(!in_view(session), "the top is scrolled away: {session:?}");

    // From the agenda again, the session: its line in the treatment record is in
    // view, and the added task far below it is not.
    harness
        .get_by_role_and_label(egui::accesskit::Role::Button, "Agenda")
        .click_accesskit();
    wait_for_label(&mut harness, "Session 1 of ");
    harness
        .get_by_label_contains("Session 1 of ")
        .click_accesskit();
    harness.run_steps(4);
    wait_for_label(&mut harness, session_line);
    harness.run_steps(2);
    let session = harness.get_by_label_contains(session_line).rect();
    assert!(in_view(session), "the session is in view: {session:?}");
    assert_eq!(
        harness.state().open_plan_highlight(),
        Some(&ItemPlace::Session(1))
    );
    let task = harness.get_by_label(&task_line).rect();
    assert!(!in_view(task), "the added task is out of view: {task:?}");
}

#[test]
fn an_empty_data_folder_says_how_to_start() {
    let (data, config) = folders();
    let mut harness = harness(data.path(), config.path());
    wait_for_label(&mut harness, "No plan yet, so nothing is due");
    click(&mut harness, "New plan…");
    wait_for_label(&mut harness, "Injection");
}
