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

/// Fresh folders with one plan for Nora Berg (PRP for hair loss, no screening
/// findings) that starts `days` from today.
fn nora_in_days(days: i64) -> (tempfile::TempDir, tempfile::TempDir, PlanId) {
    let (data, config) = folders();
    let start = today().checked_add(jiff::Span::new().days(days)).unwrap();
    let id = prp_hair_plan(data.path(), "Nora Berg", BTreeSet::new(), start);
    (data, config, id)
}

/// Opens the new-plan form with Ctrl+N and types a new patient's name.
fn start_draft_for(harness: &mut Harness<'static, App>, name: &str) {
    harness.key_press_modifiers(Modifiers::COMMAND, Key::N);
    harness.run_steps(2);
    type_into(harness, "Name", name);
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
    // The plan left open has three sessions too: wait for the new plan by its id.
    wait_until(&mut harness, "the plan to be created", |app| {
        app.open_plan_revision().is_some_and(|(id, _)| *id != old)
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
    // The home screen is the agenda; All plans is one click away.
    click(&mut harness, "All plans");
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
    let (data, config, _) = nora_in_days(30);
    let mut harness = harness(data.path(), config.path());
    start_draft_for(&mut harness, "Maria Alvarez");
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
    let (data, config, _) = nora_in_days(30);
    let mut harness = harness(data.path(), config.path());
    start_draft_for(&mut harness, "Maria Alvarez");
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
    start_draft_for(&mut harness, "Maria Alvarez");
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
    let (data, config, id) = nora_in_days(20);
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
    let (data, config, id) = nora_in_days(30);
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
    click(&mut harness, "All plans");
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
    let (data, config, id) = nora_in_days(30);
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

    start_draft_for(&mut harness, "Maria Alvarez");
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
    let (data, config, id) = nora_in_days(30);
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
    let (data, config, _) = nora_in_days(30);
    for (width, height) in [(1024.0, 640.0), (1920.0, 1080.0)] {
        let options = common::window::options(data.path(), config.path(), None);
        let mut harness = Harness::builder()
            .with_size(egui::vec2(width, height))
            .build_eframe(move |cc| App::new(cc, options));
        wait_until(&mut harness, "the index to load", App::is_index_loaded);
        click(&mut harness, "All plans");
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

/// The window on a patient's screen, their details being edited, with "Dr. Vega" as the
/// desk's physician.
fn editing_patient(data: &Path, config: &Path, button: &str) -> Harness<'static, App> {
    regen_planner::store::Settings {
        physician_name: "Dr. Vega".to_owned(),
        ..regen_planner::store::Settings::default()
    }
    .save(config)
    .unwrap();
    let mut harness = harness(data, config);
    // All plans beside the list, not the agenda, which names the patient too.
    click(&mut harness, "All plans");
    harness
        .get_by_role_and_label(egui::accesskit::Role::Button, button)
        .click();
    wait_for_label(&mut harness, "Edit details…");
    click(&mut harness, "Edit details…");
    harness
}

#[test]
fn a_patients_details_are_edited_and_each_save_is_a_revision_with_its_author() {
    let (data, config) = folders();
    let start = today().checked_add(jiff::Span::new().days(30)).unwrap();
    let plan = prp_hair_plan(data.path(), "Nora Berg", BTreeSet::new(), start);
    let store = Store::open(data.path()).unwrap();
    let patient = store.load_plan(&plan).unwrap().value.patient;
    let mut harness = editing_patient(data.path(), config.path(), "Nora Berg");
    type_into(&mut harness, "Name", "Nora Berg-Lund");
    type_into(&mut harness, "Date of birth", "1981-04-12");
    type_into(&mut harness, "Clinic id", "CH-77");
    type_into(&mut harness, "Contact", "+46 8 123 45 67");
    type_into(&mut harness, "Allergies", "Lidocaine (hives)");
    type_into(
        &mut harness,
        "Current medication",
        "Apixaban 5 mg twice daily",
    );
    type_into(
        &mut harness,
        "Relevant history",
        "Keloid after surgery, 2019",
    );
    click(&mut harness, "Save details");
    wait_for_label(&mut harness, "Saved the patient's details as revision 2");
    let saved = store.load_patient(&patient).unwrap();
    assert_eq!(saved.number, 2);
    assert_eq!(saved.saved_by, "Dr. Vega");
    let value = &saved.value;
    assert_eq!(value.name, "Nora Berg-Lund");
    assert_eq!(value.birth_date, Some(Date::constant(1981, 4, 12)));
    assert_eq!(value.clinic_id.as_deref(), Some("CH-77"));
    assert_eq!(value.contact, "+46 8 123 45 67");
    assert_eq!(value.allergies, "Lidocaine (hives)");
    assert_eq!(value.medication, "Apixaban 5 mg twice daily");
    assert_eq!(value.history, "Keloid after surgery, 2019");
    // The screen shows the saved details, the list and All plans the new name.
    assert!(harness.query_by_label("Lidocaine (hives)").is_some());
    assert!(harness.query_by_label("Nora Berg-Lund (CH-77)").is_some());
    // A second edit is revision 3; a clinic id once given is shown, not edited.
    click(&mut harness, "Edit details…");
    assert!(
        harness
            .query_all_by_label_contains("Once given, a clinic id stays")
            .next()
            .is_some()
    );
    type_into(&mut harness, "Allergies", "Lidocaine (hives); latex");
    click(&mut harness, "Save details");
    wait_for_label(&mut harness, "Saved the patient's details as revision 3");
    assert_eq!(
        store.load_patient(&patient).unwrap().value.allergies,
        "Lidocaine (hives); latex"
    );
}

#[test]
fn a_birth_date_in_the_future_or_after_a_plan_is_refused_beside_the_field() {
    let (data, config) = folders();
    // A plan that began more than a year ago.
    let start = today().checked_sub(jiff::Span::new().days(400)).unwrap();
    let plan = prp_hair_plan(data.path(), "Nora Berg", BTreeSet::new(), start);
    let store = Store::open(data.path()).unwrap();
    let plan_start = store
        .load_plan(&plan)
        .unwrap()
        .value
        .first_session()
        .unwrap();
    let mut harness = editing_patient(data.path(), config.path(), "Nora Berg");
    let beside = |harness: &Harness<'static, App>, sentence: &str| {
        let field = harness.get_by_label("Date of birth").rect();
        let said = harness.get_by_label_contains(sentence).rect();
        assert!(
            said.left() >= field.right()
                && said.top() < field.bottom()
                && said.bottom() > field.top(),
            "'{sentence}' at {said:?} is not beside the field at {field:?}"
        );
    };
    let tomorrow = today().tomorrow().unwrap();
    type_into(&mut harness, "Date of birth", &tomorrow.to_string());
    beside(&harness, "and today");
    assert!(
        harness
            .get_by_label("Save details")
            .accesskit_node()
            .is_disabled()
    );
    let after = plan_start.checked_add(jiff::Span::new().days(1)).unwrap();
    type_into(&mut harness, "Date of birth", &after.to_string());
    beside(
        &harness,
        "after the first session of one of the patient's plans",
    );
    assert!(
        harness
            .get_by_label("Save details")
            .accesskit_node()
            .is_disabled()
    );
    type_into(&mut harness, "Date of birth", "12/04/1981");
    beside(&harness, "is not a date in the format YYYY-MM-DD");
    type_into(&mut harness, "Date of birth", &plan_start.to_string());
    assert!(
        harness
            .query_all_by_label_contains("after the first session")
            .next()
            .is_none()
    );
    assert!(
        !harness
            .get_by_label("Save details")
            .accesskit_node()
            .is_disabled()
    );
}

#[test]
fn a_clinic_id_of_another_patient_or_a_save_from_another_desk_is_refused_and_named() {
    let (data, config) = folders();
    let store = Store::open(data.path()).unwrap();
    let mut holder = Patient::new("Ingrid Håkansson");
    holder.clinic_id = Some("CH-1".to_owned());
    store.create_patient(&holder, "Dr Test").unwrap();
    let (patient, _) = store
        .create_patient(&Patient::new("John Smith"), "Dr Test")
        .unwrap();
    let mut harness = editing_patient(data.path(), config.path(), "John Smith");
    type_into(&mut harness, "Clinic id", " ch-1 ");
    click(&mut harness, "Save details");
    wait_for_label(&mut harness, "is already patient");
    assert!(
        harness
            .query_all_by_label_contains("(Ingrid Håkansson)")
            .next()
            .is_some()
    );
    assert_eq!(store.load_patient(&patient).unwrap().number, 1);
    // Another desk saves the patient while the form is open: the save names them.
    let mut other = store.load_patient(&patient).unwrap().value;
    other.contact = "new phone".to_owned();
    store
        .save_patient(&patient, 1, &other, "Dr. Okafor")
        .unwrap();
    type_into(&mut harness, "Clinic id", "CH-2");
    type_into(&mut harness, "Allergies", "Penicillin");
    click(&mut harness, "Save details");
    wait_for_label(&mut harness, "Dr. Okafor saved revision 2");
    assert_eq!(store.load_patient(&patient).unwrap().value.allergies, "");
    click(&mut harness, "Reopen the patient (drops what you typed)");
    wait_for_label(&mut harness, "new phone");
}

#[test]
fn closing_over_unsaved_patient_details_asks_first() {
    let (data, config, _) = nora_in_days(30);
    let mut harness = editing_patient(data.path(), config.path(), "Nora Berg");
    type_into(&mut harness, "Allergies", "Latex");
    // Another screen keeps the typing; the patient's screen shows it again.
    click(&mut harness, "All plans");
    harness
        .get_by_role_and_label(egui::accesskit::Role::Button, "Nora Berg")
        .click();
    wait_for_label(&mut harness, "Save details");
    assert_eq!(
        harness.get_by_label("Allergies").value().as_deref(),
        Some("Latex")
    );
    assert_eq!(
        common::window::close_window(&mut harness),
        common::window::Closing::StaysOpen
    );
    wait_for_label(&mut harness, "the changes to the details of Nora Berg");
}

/// What the window asked the system to open, and on which thread.
static OPENED: std::sync::Mutex<Vec<(std::path::PathBuf, Option<String>)>> =
    std::sync::Mutex::new(Vec::new());

/// Records an opening instead of starting a viewer.
#[expect(
    clippy::unnecessary_wraps,
    reason = "the window's opener reports whether a viewer started"
)]
fn record_opening(path: &Path) -> std::io::Result<()> {
    OPENED.lock().unwrap().push((
        path.to_path_buf(),
        std::thread::current().name().map(str::to_owned),
    ));
    Ok(())
}

#[test]
fn the_export_dialog_keeps_its_place_and_prints_a_pdf_in_the_systems_viewer() {
    let (data, config) = folders();
    let exports = tempfile::tempdir().unwrap();
    let start = today().checked_add(jiff::Span::new().days(30)).unwrap();
    let plan = prp_hair_plan(data.path(), "Nora Berg", BTreeSet::new(), start);
    let options = common::window::options(data.path(), config.path(), Some(plan));
    let mut harness = Harness::builder()
        .with_size(egui::vec2(1024.0, 640.0))
        .build_eframe(move |cc| App::new(cc, options).with_opener(record_opening));
    wait_until(&mut harness, "the plan to open", |app| {
        app.open_plan_record().is_some()
    });
    click(&mut harness, "Export…");
    type_into(
        &mut harness,
        "Folder",
        &exports.path().display().to_string(),
    );
    let place = |harness: &Harness<'static, App>| {
        (
            harness.get_by_label("Export documents").rect(),
            harness.get_by_label("Close").rect(),
        )
    };
    let before = place(&harness);
    click(&mut harness, "Export");
    wait_until(&mut harness, "the export to finish", |app| {
        matches!(app.export_outcome(), Some(Some(Ok(_))))
    });
    harness.run_steps(3);
    assert_eq!(place(&harness), before, "the dialog stays where it was");
    // Every written file is inside the dialog, which fits the window.
    let handout = harness.get_by_label("Print handout…").rect();
    assert!(handout.bottom() <= 640.0, "{handout:?}");

    click(&mut harness, "Print handout…");
    let start = std::time::Instant::now();
    let opened = loop {
        let found = OPENED
            .lock()
            .unwrap()
            .iter()
            .find(|(path, _)| path.starts_with(exports.path()))
            .cloned();
        if let Some(found) = found {
            break found;
        }
        assert!(start.elapsed() < std::time::Duration::from_secs(5));
        harness.step();
        std::thread::sleep(std::time::Duration::from_millis(5));
    };
    assert!(
        opened.0.to_string_lossy().ends_with("handout.pdf"),
        "{}",
        opened.0.display()
    );
    assert!(opened.0.is_file());
    assert_eq!(
        opened.1.as_deref(),
        Some("open-viewer"),
        "the viewer is started off the UI thread"
    );
    assert!(harness.query_by_label("Print consent form…").is_some());
}

/// The width of the patient list, as its resize handle reports it, in points of a
/// window `width` wide.
fn list_width(harness: &Harness<'static, App>, width: f32) -> f32 {
    let fraction: f64 = harness
        .get_by_label("Resize panel")
        .accesskit_node()
        .numeric_value()
        .unwrap();
    #[expect(clippy::cast_possible_truncation, reason = "a width in points")]
    let points = fraction as f32 * width;
    points
}

#[test]
fn the_patient_list_widens_at_1920_and_keeps_its_width_in_the_windows_memory() {
    let (data, config, _) = nora_in_days(30);
    let build = |memory: Option<String>| {
        let options = common::window::options(data.path(), config.path(), None);
        let mut harness = Harness::builder()
            .with_size(egui::vec2(1920.0, 1080.0))
            .build_eframe(move |cc| {
                // As eframe gives the app the memory it saved at the last close.
                if let Some(memory) = &memory {
                    let memory: egui::Memory = ron::from_str(memory).unwrap();
                    cc.egui_ctx.memory_mut(|saved| *saved = memory);
                }
                App::new(cc, options)
            });
        wait_until(&mut harness, "the index to load", App::is_index_loaded);
        harness
    };
    let mut harness = build(None);
    assert!((list_width(&harness, 1920.0) - 320.0).abs() < 2.0);
    harness
        .get_by_label("Resize panel")
        .set_value_accesskit(f64::from(760.0_f32 / 1920.0));
    harness.run_steps(3);
    let widened = list_width(&harness, 1920.0);
    assert!((widened - 760.0).abs() < 2.0, "the list is {widened} wide");
    let row = harness
        .get_by_role_and_label(egui::accesskit::Role::Button, "Nora Berg")
        .rect();
    assert!(row.width() > 600.0, "the rows widen with the list: {row:?}");
    let memory = harness.ctx.memory(|memory| ron::to_string(memory).unwrap());
    drop(harness);
    let harness = build(Some(memory));
    let kept = list_width(&harness, 1920.0);
    assert!((kept - 760.0).abs() < 2.0, "the list opens {kept} wide");
}

/// A text the last frame painted: where it was clipped, where it lies, what it says,
/// and whether it was justified (its spaces stretched to fill the line).
struct Painted {
    clip: egui::Rect,
    rect: egui::Rect,
    text: String,
    justified: bool,
    rows: usize,
}

/// Every text the last frame painted.
fn painted_texts(harness: &Harness<'static, App>) -> Vec<Painted> {
    fn walk(shape: &egui::Shape, clip: egui::Rect, out: &mut Vec<Painted>) {
        match shape {
            egui::Shape::Vec(shapes) => {
                for shape in shapes {
                    walk(shape, clip, out);
                }
            }
            egui::Shape::Text(text) => out.push(Painted {
                clip,
                rect: text.visual_bounding_rect(),
                text: text.galley.text().to_owned(),
                justified: text.galley.job.justify,
                rows: text.galley.rows.len(),
            }),
            _ => {}
        }
    }
    let mut out = Vec::new();
    for clipped in &harness.output().shapes {
        walk(&clipped.shape, clipped.clip_rect, &mut out);
    }
    out
}

#[test]
fn timeline_labels_end_inside_the_chart_at_1024() {
    let (data, config) = folders();
    let store = Store::open(data.path()).unwrap();
    let (patient, _) = store
        .create_patient(&Patient::new("Nora Berg"), "Dr Test")
        .unwrap();
    let catalog = Catalog::builtin().0;
    let selection = Selection {
        modality: Modality::Injection,
        source: CellSource::AutologousPrp,
        area: Area::Scalp,
        indication: Indication::AndrogeneticAlopecia,
        adjuncts: Vec::new(),
    };
    // A start whose axis ends (a week after the last follow-up) just after the first
    // of a month: that month's name stands at the very right of the chart.
    let record = (30..90)
        .map(|days| {
            let start = today().checked_add(jiff::Span::new().days(days)).unwrap();
            common::record(
                &catalog,
                &patient,
                selection.clone(),
                BTreeSet::new(),
                start,
            )
        })
        .find(|record| {
            let last = record.plan.follow_ups.last().unwrap().date;
            let end = last.checked_add(jiff::Span::new().days(7)).unwrap();
            (2..=3).contains(&end.day())
        })
        .unwrap();
    let end = record.plan.follow_ups.last().unwrap().date;
    let plan = store.create_plan(&record, "Dr Test").unwrap().0;
    let options = common::window::options(data.path(), config.path(), Some(plan));
    let mut harness = Harness::builder()
        .with_size(egui::vec2(1024.0, 640.0))
        .build_eframe(move |cc| App::new(cc, options));
    wait_until(&mut harness, "the plan to open", |app| {
        app.open_plan_record().is_some()
    });
    harness.get_by_label_contains("Timeline: ").scroll_to_me();
    harness.run_steps(3);
    let chart = harness.get_by_label_contains("Timeline: ").rect();
    let last_month = end.strftime("%b %Y").to_string();
    let texts = painted_texts(&harness);
    let labels: Vec<&Painted> = texts
        .iter()
        .filter(|text| {
            chart.contains_rect(text.clip.intersect(chart)) && chart.intersects(text.rect)
        })
        .collect();
    assert!(
        labels.iter().any(|label| label.text == last_month),
        "the month of the last follow-up, {last_month}, is named: {:?}",
        labels.iter().map(|label| &label.text).collect::<Vec<_>>()
    );
    for label in labels {
        assert!(
            label.rect.right() <= chart.right().min(label.clip.right()) + 0.5,
            "'{}' at {:?} is cut by the edge of the chart at {} (clipped at {})",
            label.text,
            label.rect,
            chart.right(),
            label.clip.right()
        );
    }
}

#[test]
fn text_is_left_aligned_never_justified_on_the_new_plan_and_plan_screens() {
    let (data, config) = folders();
    let start = today().checked_add(jiff::Span::new().days(30)).unwrap();
    let plan = prp_hair_plan(data.path(), "Nora Berg", BTreeSet::new(), start);
    let mut harness = Harness::builder()
        .with_size(egui::vec2(1024.0, 640.0))
        .build_eframe({
            let options = common::window::options(data.path(), config.path(), Some(plan));
            move |cc| App::new(cc, options)
        });
    wait_until(&mut harness, "the plan to open", |app| {
        app.open_plan_record().is_some()
    });
    let justified = |harness: &Harness<'static, App>| {
        painted_texts(harness)
            .into_iter()
            .filter(|text| text.justified && text.text.contains(' '))
            .map(|text| text.text)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        justified(&harness),
        Vec::<String>::new(),
        "on the plan screen"
    );
    start_draft_for(&mut harness, "Maria Alvarez");
    choose_prp_hair(&mut harness);
    harness.run_steps(2);
    assert!(
        painted_texts(&harness)
            .iter()
            .any(|text| text.rows > 1 && text.text.contains(' ')),
        "the preview has paragraphs that wrap"
    );
    assert_eq!(
        justified(&harness),
        Vec::<String>::new(),
        "on the new-plan screen with its preview"
    );
}
