//! The desktop as a physician uses it all day (issue 13): each screen opens at its
//! top, search ignores accents, a half-filled new plan is kept, aftercare waits for its
//! session, and the layout keeps every control whole. Driven through the accessibility
//! tree of the real `App`, with temporary folders.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly on anything unexpected"
)]

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use common::window::{
    click, folders, harness, harness_with_plan, type_into, wait_for_label, wait_until,
};
use egui::{Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT as _, Queryable as _};
use jiff::civil::Date;
use regen_planner::catalog::{Area, Catalog, CellSource, Factor, Indication, Modality, Selection};
use regen_planner::planning::checklist::is_information;
use regen_planner::store::{Patient, PlanId, Store};
use regen_planner::ui::App;

/// Today, as the window reads it.
fn today() -> Date {
    jiff::Zoned::now().date()
}

/// Saves a patient and a PRP plan for hair loss through the store, its first session
/// `start`, and returns the plan's id.
fn prp_hair_plan(data: &Path, name: &str, factors: BTreeSet<Factor>, start: Date) -> PlanId {
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
    let record = common::record(&Catalog::builtin().0, &patient, selection, factors, start);
    store.create_plan(&record, "Dr Test").unwrap().0
}

/// Chooses PRP injections for pattern hair loss on the new-plan screen.
fn choose_prp_hair(harness: &mut Harness<'static, App>) {
    click(harness, "Injection");
    click(harness, "Platelet-rich plasma (PRP)");
    click(harness, "Scalp");
    click(harness, "Androgenetic alopecia (pattern hair loss)");
}

/// Whether the widget labelled `label` is at least partly inside the window's height.
fn is_in_view(harness: &Harness<'static, App>, label: &str, height: f32) -> bool {
    let rect = harness.get_by_label(label).rect();
    rect.bottom() > 0.0 && rect.top() < height
}

#[test]
fn a_created_plan_opens_at_its_top_on_its_cautions() {
    let (data, config) = folders();
    // A plan scrolled to its end is left for the new-plan screen.
    let old = prp_hair_plan(
        data.path(),
        "Nora Berg",
        BTreeSet::new(),
        today().checked_add(jiff::Span::new().days(40)).unwrap(),
    );
    let mut harness = harness_with_plan(data.path(), config.path(), &old);
    for _ in 0..20 {
        harness.get_by_label("New note").scroll_down();
        harness.run_steps(1);
    }
    harness.get_by_label("New note").scroll_to_me();
    harness.run_steps(2);
    assert!(!is_in_view(&harness, "Regulatory status:", 800.0));

    harness.key_press_modifiers(Modifiers::COMMAND, Key::N);
    harness.run_steps(2);
    assert!(
        is_in_view(&harness, "1. Patient", 800.0),
        "the new-plan form opens at its top"
    );
    type_into(&mut harness, "Name", "Maria Alvarez");
    choose_prp_hair(&mut harness);
    click(&mut harness, "Does the patient smoke?");
    harness.get_by_label("Create plan").scroll_to_me();
    harness.run_steps(1);
    click(&mut harness, "Create plan");
    wait_until(&mut harness, "the plan to be created", |app| {
        app.open_plan_record()
            .is_some_and(|record| record.plan.sessions.len() == 3)
    });
    harness.run_steps(2);
    assert!(
        is_in_view(&harness, "Cautions", 800.0),
        "a created plan opens on its cautions, at {:?}",
        harness.get_by_label("Cautions").rect()
    );
}

#[test]
fn search_ignores_accents_in_the_list_all_plans_and_the_picker() {
    let (data, config) = folders();
    let start = today().checked_add(jiff::Span::new().days(30)).unwrap();
    for name in ["Péter Varga", "Ingrid Håkansson", "John Smith"] {
        prp_hair_plan(data.path(), name, BTreeSet::new(), start);
    }
    let mut harness = harness(data.path(), config.path());
    type_into(&mut harness, "Search", "peter");
    // The patient list and the All plans table both show her, and no one else.
    assert_eq!(harness.query_all_by_label("Péter Varga").count(), 2);
    assert!(harness.query_by_label("John Smith").is_none());
    type_into(&mut harness, "Search", "HAKANSSON");
    assert_eq!(harness.query_all_by_label("Ingrid Håkansson").count(), 2);
    assert!(harness.query_by_label("Péter Varga").is_none());
    assert!(
        harness
            .query_by_label_contains("1 of 3 plans match the search")
            .is_some()
    );

    // The new-plan patient picker: typing down to one picks her.
    type_into(&mut harness, "Search", "");
    harness.key_press_modifiers(Modifiers::COMMAND, Key::N);
    harness.run_steps(2);
    click(&mut harness, "Existing patient");
    type_into(&mut harness, "Find", "hakans");
    choose_prp_hair(&mut harness);
    click(&mut harness, "Create plan");
    wait_until(&mut harness, "the plan to be created", |app| {
        app.open_plan_record().is_some()
    });
    wait_for_label(&mut harness, "Ingrid Håkansson");
}

#[test]
fn a_half_filled_new_plan_is_kept_when_another_screen_is_opened() {
    let (data, config) = folders();
    let start = today().checked_add(jiff::Span::new().days(30)).unwrap();
    prp_hair_plan(data.path(), "Nora Berg", BTreeSet::new(), start);
    let mut harness = harness(data.path(), config.path());
    harness.key_press_modifiers(Modifiers::COMMAND, Key::N);
    harness.run_steps(2);
    type_into(&mut harness, "Name", "Maria Alvarez");
    click(&mut harness, "Injection");

    // A click on a patient in the list keeps the draft aside; Ctrl+N brings it back.
    click(&mut harness, "Nora Berg");
    wait_for_label(&mut harness, "New plan for this patient…");
    assert!(harness.state().has_new_plan_draft());
    harness.key_press_modifiers(Modifiers::COMMAND, Key::N);
    harness.run_steps(2);
    assert_eq!(
        harness.get_by_label("Name").value().as_deref(),
        Some("Maria Alvarez"),
        "Ctrl+N shows the plan being made again"
    );

    // Ctrl+N on the form itself keeps it too.
    harness.key_press_modifiers(Modifiers::COMMAND, Key::N);
    harness.run_steps(2);
    assert_eq!(
        harness.get_by_label("Name").value().as_deref(),
        Some("Maria Alvarez")
    );

    // Esc asks; "Keep it" keeps it.
    harness.key_press(Key::Escape);
    harness.run_steps(3);
    assert!(harness.state().is_asking_about_draft());
    wait_for_label(&mut harness, "A new plan for a new patient, Maria Alvarez");
    click(&mut harness, "Keep it");
    assert!(!harness.state().is_asking_about_draft());
    assert_eq!(
        harness.get_by_label("Name").value().as_deref(),
        Some("Maria Alvarez")
    );

    // Cancel asks; "Drop it" drops it.
    click(&mut harness, "Cancel");
    click(&mut harness, "Drop it");
    assert!(!harness.state().has_new_plan_draft());
    assert!(
        harness.query_by_label("Name").is_none(),
        "the form is closed"
    );
}

#[test]
fn a_new_plan_for_another_patient_asks_before_the_draft_is_dropped() {
    let (data, config) = folders();
    let start = today().checked_add(jiff::Span::new().days(30)).unwrap();
    prp_hair_plan(data.path(), "Nora Berg", BTreeSet::new(), start);
    let mut harness = harness(data.path(), config.path());
    harness.key_press_modifiers(Modifiers::COMMAND, Key::N);
    harness.run_steps(2);
    type_into(&mut harness, "Name", "Maria Alvarez");
    click(&mut harness, "Nora Berg");
    wait_for_label(&mut harness, "New plan for this patient…");
    click(&mut harness, "New plan for this patient…");
    assert!(harness.state().is_asking_about_draft());
    click(&mut harness, "Drop it and start another");
    assert!(!harness.state().is_asking_about_draft());
    assert!(
        harness.query_by_label("Name").is_none(),
        "the new patient's form is gone"
    );
    let picked = harness.get_by_label("Patient").value().unwrap_or_default();
    assert!(
        picked.contains("Nora Berg"),
        "the new plan is for the patient asked for: {picked}"
    );
}

#[test]
fn the_number_of_sessions_is_chosen_within_the_protocols_range() {
    let (data, config) = folders();
    let mut harness = harness(data.path(), config.path());
    harness.key_press_modifiers(Modifiers::COMMAND, Key::N);
    harness.run_steps(2);
    type_into(&mut harness, "Name", "Maria Alvarez");
    choose_prp_hair(&mut harness);
    assert_eq!(
        harness.get_by_label("Sessions").value().as_deref(),
        Some("3 sessions (typical)"),
        "the typical count is chosen"
    );
    click(&mut harness, "Sessions");
    // The protocol allows 3 to 6.
    assert!(harness.query_by_label("2 sessions").is_none());
    assert!(harness.query_by_label("7 sessions").is_none());
    click(&mut harness, "5 sessions");
    click(&mut harness, "Create plan");
    wait_until(&mut harness, "the plan to be created", |app| {
        app.open_plan_record().is_some()
    });
    let record = harness.state().open_plan_record().unwrap();
    assert_eq!(record.plan.sessions.len(), 5);
    assert_eq!(record.request.session_count, Some(5));
}

#[test]
fn aftercare_of_a_session_not_held_cannot_be_ticked_and_information_is_not_a_task() {
    let (data, config) = folders();
    let start = today().checked_add(jiff::Span::new().days(20)).unwrap();
    let id = prp_hair_plan(data.path(), "Nora Berg", BTreeSet::new(), start);
    let mut harness = harness_with_plan(data.path(), config.path(), &id);
    let record = harness.state().open_plan_record().unwrap().clone();
    let label = |item: &regen_planner::planning::AftercareItem| {
        format!("{} to {}: {}", item.from, item.until, item.task)
    };
    let task = record
        .plan
        .aftercare
        .iter()
        .find(|item| item.session == 1 && !is_information(&item.task))
        .unwrap();
    let information = record
        .plan
        .aftercare
        .iter()
        .find(|item| item.session == 1 && is_information(&item.task))
        .unwrap();
    assert!(
        harness
            .get_by_label(&label(task))
            .accesskit_node()
            .is_disabled(),
        "aftercare of a session in the future is not tickable"
    );
    click(&mut harness, &label(task));
    assert!(harness.state().open_plan_record().unwrap().checklist.len() == record.checklist.len());

    // The information line is not a checkbox.
    let line = harness.get_by_label_contains(&information.task);
    assert_ne!(
        line.accesskit_node().role(),
        egui::accesskit::Role::CheckBox
    );

    // Once the session is ticked as held, its aftercare can be ticked.
    click(&mut harness, "Session 1 held");
    assert!(
        !harness
            .get_by_label(&label(task))
            .accesskit_node()
            .is_disabled()
    );
    click(&mut harness, &label(task));
    wait_for_label(&mut harness, "ticked ");
}

#[test]
fn a_contraindicated_answer_stays_in_the_form_column_at_1024() {
    let (data, config) = folders();
    let options = common::window::options(data.path(), config.path(), None);
    let mut harness = Harness::builder()
        .with_size(egui::vec2(1024.0, 640.0))
        .build_eframe(move |cc| App::new(cc, options));
    wait_until(&mut harness, "the index to load", App::is_index_loaded);
    harness.key_press_modifiers(Modifiers::COMMAND, Key::N);
    harness.run_steps(2);
    common::window::choose_stretch_marks(&mut harness);
    let question = "Does the patient have active cancer, or is cancer being treated now?";
    click(&mut harness, question);
    let preview_left = harness.get_by_label("Create plan").rect().left();
    let badge = harness.get_by_label("Contraindicated").rect();
    assert!(
        badge.right() < preview_left,
        "the badge {badge:?} stays left of the preview at {preview_left}"
    );
    for node in harness.query_all_by_label_contains("Does the patient") {
        assert!(
            node.rect().right() < preview_left,
            "the question {:?} wraps in its column",
            node.accesskit_node().label()
        );
    }
}

#[test]
fn the_plan_line_under_a_patients_name_opens_the_plan() {
    let (data, config) = folders();
    let start = today().checked_add(jiff::Span::new().days(30)).unwrap();
    let id = prp_hair_plan(data.path(), "Nora Berg", BTreeSet::new(), start);
    let mut harness = harness(data.path(), config.path());
    harness
        .get_by_role_and_label(
            egui::accesskit::Role::Button,
            "PRP injections or microneedling for hair loss",
        )
        .click();
    wait_until(&mut harness, "the plan to open", |app| {
        app.open_plan_revision()
            .is_some_and(|(open, _)| open == &id)
    });
}

#[test]
fn all_plans_sort_by_a_click_on_a_header() {
    let (data, config) = folders();
    let start = today().checked_add(jiff::Span::new().days(30)).unwrap();
    for name in ["Carla Diaz", "Ágnes Bálint", "Bruno Costa"] {
        prp_hair_plan(data.path(), name, BTreeSet::new(), start);
    }
    let mut harness = harness(data.path(), config.path());
    assert!(
        harness
            .query_by_label_contains("3 plans, newest save first")
            .is_some()
    );
    // The table's patient links, top to bottom.
    let order = |harness: &Harness<'static, App>| {
        let mut links: Vec<(f32, String)> = harness
            .query_all_by_role(egui::accesskit::Role::Link)
            .map(|node| {
                (
                    node.rect().top(),
                    node.accesskit_node().label().unwrap_or_default(),
                )
            })
            .collect();
        links.sort_by(|a, b| a.0.total_cmp(&b.0));
        links.into_iter().map(|(_, name)| name).collect::<Vec<_>>()
    };
    assert_eq!(
        order(&harness),
        ["Bruno Costa", "Ágnes Bálint", "Carla Diaz"]
    );
    harness.get_by_label("Patient").click();
    harness.run_steps(2);
    assert_eq!(
        order(&harness),
        ["Ágnes Bálint", "Bruno Costa", "Carla Diaz"],
        "accents sort with their letters"
    );
    assert!(
        harness
            .query_by_label_contains("by patient, A to Z")
            .is_some()
    );
    harness.get_by_label("Patient").click();
    harness.run_steps(2);
    assert_eq!(
        order(&harness),
        ["Carla Diaz", "Bruno Costa", "Ágnes Bálint"]
    );
}

#[test]
fn prp_with_fat_grafting_is_said_to_be_an_add_on() {
    let (data, config) = folders();
    let mut harness = harness(data.path(), config.path());
    harness.key_press_modifiers(Modifiers::COMMAND, Key::N);
    harness.run_steps(2);
    click(&mut harness, "Fat grafting");
    let prp = harness.get_by_label("Platelet-rich plasma (PRP)");
    assert!(prp.accesskit_node().is_disabled());
    prp.hover();
    let reason = "it is offered as an add-on";
    wait_for_label(&mut harness, reason);
    let text = harness
        .get_by_label_contains(reason)
        .accesskit_node()
        .value()
        .unwrap_or_default();
    assert!(
        text.contains("Choose Autologous adipose (mini-liposuction) as the cell source"),
        "{text}"
    );
    assert!(!text.contains("No protocol covers"), "{text}");
}

#[test]
fn ctrl_s_says_which_revision_was_saved() {
    let (data, config) = folders();
    let start = today().checked_add(jiff::Span::new().days(30)).unwrap();
    let id = prp_hair_plan(data.path(), "Nora Berg", BTreeSet::new(), start);
    let mut harness = harness_with_plan(data.path(), config.path(), &id);
    harness.key_press_modifiers(Modifiers::COMMAND, Key::S);
    harness.run_steps(2);
    assert_eq!(
        harness.state().confirmation(),
        Some("Saved revision 1: every change is on the disk")
    );
    wait_for_label(
        &mut harness,
        "Saved revision 1: every change is on the disk",
    );

    type_into(&mut harness, "New note", "Prefers mornings");
    click(&mut harness, "Add note");
    harness.key_press_modifiers(Modifiers::COMMAND, Key::S);
    // The note saves at once; Ctrl+S confirms it is on the disk.
    wait_until(&mut harness, "the save to be confirmed", |app| {
        app.confirmation()
            .is_some_and(|text| text.starts_with("Saved revision 2"))
    });
    wait_for_label(&mut harness, "Saved revision 2");
}

/// The first day on or after `from` that is this weekday.
fn next(from: Date, weekday: jiff::civil::Weekday) -> Date {
    let mut day = from;
    while day.weekday() != weekday {
        day = day.tomorrow().unwrap();
    }
    day
}

#[test]
fn closed_dates_set_in_settings_keep_sessions_off_them_and_say_so() {
    let (data, config) = folders();
    let mut harness = harness(data.path(), config.path());
    let monday = next(
        today().checked_add(jiff::Span::new().days(40)).unwrap(),
        jiff::civil::Weekday::Monday,
    );
    click(&mut harness, "Settings…");
    type_into(&mut harness, "Closed dates", &format!("{monday}"));
    click(&mut harness, "Save");
    wait_until(&mut harness, "the settings to be saved", |app| {
        !app.is_settings_open()
    });
    assert!(harness.state().settings().closed_dates.contains(&monday));

    harness.key_press_modifiers(Modifiers::COMMAND, Key::N);
    harness.run_steps(2);
    type_into(&mut harness, "Name", "Maria Alvarez");
    choose_prp_hair(&mut harness);
    type_into(&mut harness, "First session", &monday.to_string());
    harness.key_press(Key::Enter);
    harness.run_steps(2);
    let tuesday = monday.tomorrow().unwrap();
    let said = format!(
        "Monday {monday} is closed (the clinic is closed that day); moved to Tuesday {tuesday}."
    );
    wait_for_label(&mut harness, &said);
    click(&mut harness, "Create plan");
    wait_until(&mut harness, "the plan to be created", |app| {
        app.open_plan_record().is_some()
    });
    let record = harness.state().open_plan_record().unwrap().clone();
    assert_eq!(record.plan.sessions[0].date, tuesday);
    assert!(record.request.options.closed_dates.contains(&monday));
    wait_for_label(&mut harness, &said);

    // Session 2 moved onto a Saturday lands on Monday, and says so beside it.
    let saturday = next(
        record.plan.sessions[1]
            .date
            .checked_add(jiff::Span::new().days(1))
            .unwrap(),
        jiff::civil::Weekday::Saturday,
    );
    let after = next(saturday, jiff::civil::Weekday::Monday);
    type_into(&mut harness, "Session 2 date", &saturday.to_string());
    harness.key_press(Key::Enter);
    harness.run_steps(3);
    assert_eq!(
        harness.state().open_plan_record().unwrap().plan.sessions[1].date,
        after
    );
    wait_for_label(
        &mut harness,
        &format!("Saturday {saturday} is closed (not an opening day); moved to Monday {after}."),
    );
}

#[test]
fn a_session_moved_too_soon_is_flagged_beside_it_and_needs_a_reason() {
    let (data, config) = folders();
    let start = next(
        today().checked_add(jiff::Span::new().days(30)).unwrap(),
        jiff::civil::Weekday::Monday,
    );
    let id = prp_hair_plan(data.path(), "Nora Berg", BTreeSet::new(), start);
    let mut harness = harness_with_plan(data.path(), config.path(), &id);
    let before = harness.state().open_plan_record().unwrap().clone();
    let tuesday = start.tomorrow().unwrap();
    type_into(&mut harness, "Session 2 date", &tuesday.to_string());
    harness.key_press(Key::Enter);
    harness.run_steps(3);
    wait_for_label(
        &mut harness,
        "Session 2 would be 1 day after session 1; the protocol asks for at least 28 days between them.",
    );
    assert_eq!(
        harness.state().open_plan_record().unwrap().plan.sessions[1].date,
        before.plan.sessions[1].date,
        "nothing moves before the physician confirms"
    );
    assert!(
        harness
            .get_by_label("Move anyway")
            .accesskit_node()
            .is_disabled(),
        "a reason is needed"
    );
    // "Keep the date" leaves it.
    click(&mut harness, "Keep the date");
    assert!(harness.query_by_label("Move anyway").is_none());

    type_into(&mut harness, "Session 2 date", &tuesday.to_string());
    harness.key_press(Key::Enter);
    harness.run_steps(3);
    type_into(
        &mut harness,
        "Reason for session 2",
        "Travels abroad for a year",
    );
    click(&mut harness, "Move anyway");
    common::window::wait_for_saved(
        &mut harness,
        data.path(),
        &id,
        "the move and its reason to be saved",
        |record| {
            record.plan.sessions[1].date == tuesday
                && record.notes.iter().any(|note| {
                    note.text
                        == format!("Session 2 moved to {tuesday}, 1 day after session 1 (the protocol asks for at least 28 days). Reason: Travels abroad for a year")
                })
        },
    );
    wait_until(&mut harness, "the save to land", |app| {
        matches!(
            app.open_plan_save_state(),
            Some(regen_planner::ui::SaveState::Saved { .. })
        )
    });
    assert_eq!(
        harness.state().open_plan_revision().unwrap().1,
        2,
        "the move and its reason are one revision"
    );
}

#[test]
fn the_revision_history_says_what_each_revision_changed() {
    let (data, config) = folders();
    let start = today().checked_add(jiff::Span::new().days(30)).unwrap();
    let id = prp_hair_plan(data.path(), "Nora Berg", BTreeSet::new(), start);
    let mut harness = harness_with_plan(data.path(), config.path(), &id);
    wait_for_label(&mut harness, "Changed: plan created as Draft");
    click(&mut harness, "Session 1 held");
    wait_for_label(&mut harness, "Changed: session 1 held ticked");
    type_into(&mut harness, "New note", "Prefers mornings");
    click(&mut harness, "Add note");
    wait_for_label(
        &mut harness,
        "Changed: note added: \u{201c}Prefers mornings\u{201d}",
    );
}

#[test]
fn the_calendar_has_no_buttons_named_only_by_arrows() {
    let (data, config) = folders();
    let mut harness = harness(data.path(), config.path());
    harness.key_press_modifiers(Modifiers::COMMAND, Key::N);
    harness.run_steps(2);
    click(&mut harness, "Calendar…");
    harness.run_steps(2);
    for arrow in ["<", "<<", "<<<", ">", ">>", ">>>"] {
        assert!(
            harness.query_by_label(arrow).is_none(),
            "a button named only \"{arrow}\" is in the calendar"
        );
    }
}

#[test]
fn all_plans_fit_a_1024_window_and_widen_the_protocol_at_1920() {
    let (data, config) = folders();
    let start = today().checked_add(jiff::Span::new().days(30)).unwrap();
    prp_hair_plan(data.path(), "Nora Berg", BTreeSet::new(), start);
    for (width, height) in [(1024.0, 640.0), (1920.0, 1080.0)] {
        let options = common::window::options(data.path(), config.path(), None);
        let mut harness = Harness::builder()
            .with_size(egui::vec2(width, height))
            .build_eframe(move |cc| App::new(cc, options));
        wait_until(&mut harness, "the index to load", App::is_index_loaded);
        let last = harness.get_by_label("Last saved").rect();
        assert!(
            last.right() <= width,
            "the last column's header {last:?} is inside the {width} window"
        );
        if width > 1900.0 {
            let protocol = harness.get_by_label("Protocol").rect().left();
            let status = harness.get_by_label("Status").rect().left();
            assert!(
                status - protocol > 400.0,
                "at 1920 the protocol column takes the room: {}",
                status - protocol
            );
        }
    }
}
