//! The real `App`, driven through the accessibility tree as a physician would: create a
//! patient and a plan, tick, move, close, reopen and find everything again.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly on anything unexpected"
)]

mod common;

use common::saved_plan;
use common::window::{
    Closing, choose_stretch_marks, click, close_window, folders, harness, harness_with_plan,
    type_into, wait_for_label, wait_for_saved, wait_until, wait_until_saved,
};
use egui::{Key, Modifiers};
use egui_kittest::kittest::{NodeT as _, Queryable as _};
use regen_planner::desk::worker::ExportProblem;
use regen_planner::planning::checklist::is_information;
use regen_planner::planning::{PlanStatus, Weekday};
use regen_planner::store::Store;
use regen_planner::ui::{SaveState, checklist_keys};

#[test]
fn a_plan_made_ticked_and_moved_is_found_again_after_reopening() {
    let (data, config) = folders();
    let (plan_id, moved_to, ticked_key) = {
        let mut harness = harness(data.path(), config.path());
        harness.key_press_modifiers(Modifiers::COMMAND, Key::N);
        harness.run_steps(2);
        type_into(&mut harness, "Name", "Maria Alvarez");
        type_into(&mut harness, "Clinic id", "C-1042");
        choose_stretch_marks(&mut harness);
        assert!(
            harness
                .query_by_label_contains("Adipose stem-cell injections for stretch marks")
                .is_some(),
            "the preview names the protocol"
        );
        click(&mut harness, "Create plan");
        wait_until(&mut harness, "the plan to be created", |app| {
            app.open_plan_record().is_some()
        });

        let record = harness.state().open_plan_record().unwrap().clone();
        assert_eq!(record.plan.protocol.id.as_str(), "adipose-stretch-marks");
        assert_eq!(record.status, PlanStatus::Draft);
        assert_eq!(record.plan.sessions.len(), 2);

        // Session 1 was held; tick the first aftercare item of it.
        click(&mut harness, "Session 1 held");
        let first = record
            .plan
            .aftercare
            .iter()
            .find(|item| item.session == 1 && !is_information(&item.task))
            .unwrap();
        let label = format!("{} to {}: {}", first.from, first.until, first.task);
        click(&mut harness, &label);
        let ticked_key = checklist_keys::aftercare(1, first.site, &first.task);
        assert!(
            harness
                .state()
                .open_plan_record()
                .unwrap()
                .checklist
                .contains_key(&ticked_key)
        );

        // Move session 2 a week later, onto a Monday.
        let old = record.plan.sessions[1].date;
        let mut moved_to = old.checked_add(jiff::Span::new().days(7)).unwrap();
        while moved_to.weekday() != jiff::civil::Weekday::Monday {
            moved_to = moved_to.checked_add(jiff::Span::new().days(1)).unwrap();
        }
        type_into(&mut harness, "Session 2 date", &moved_to.to_string());
        harness.key_press(Key::Enter);
        harness.run_steps(2);
        let record = harness.state().open_plan_record().unwrap();
        assert_eq!(record.plan.sessions[1].date, moved_to, "session 2 moved");
        assert_eq!(record.request.moved_sessions.get(&2), Some(&moved_to));

        wait_until_saved(&mut harness);
        let (plan_id, revision) = harness.state().open_plan_revision().unwrap();
        assert!(
            revision >= 4,
            "creation, two ticks and a move each saved a revision, got {revision}"
        );
        (plan_id.clone(), moved_to, ticked_key)
    };

    // Reopen from the same folder: the patient, the tick and the move are there. (The
    // table of all plans, not the agenda, beside the list: the agenda names her too.)
    let mut harness = harness(data.path(), config.path());
    click(&mut harness, "All plans");
    type_into(&mut harness, "Search", "alva");
    assert!(
        harness
            .query_by_label_contains("Maria Alvarez (C-1042)")
            .is_some(),
        "search finds the patient by part of the name"
    );
    click(&mut harness, "Maria Alvarez (C-1042)");
    let link = "Adipose stem-cell injections for stretch marks (from";
    wait_for_label(&mut harness, link);
    harness.get_by_label_contains(link).click();
    wait_until(&mut harness, "the plan to open", |app| {
        app.open_plan_record().is_some()
    });
    let (open_id, _) = harness
        .state()
        .open_plan_revision()
        .expect("the plan opens");
    assert_eq!(open_id, &plan_id);
    let record = harness.state().open_plan_record().unwrap();
    assert_eq!(record.plan.sessions[1].date, moved_to);
    assert!(
        record.checklist.contains_key(&ticked_key),
        "the tick survived closing"
    );
    assert!(
        harness.query_all_by_label_contains("ticked ").count() >= 2,
        "the tick shows when it was ticked"
    );
    wait_for_label(&mut harness, "Revision 4: ");
}

#[test]
fn a_contraindicated_patient_shows_the_banner() {
    let (data, config) = folders();
    let mut harness = harness(data.path(), config.path());
    click(&mut harness, "New plan… (Ctrl+N)");
    choose_stretch_marks(&mut harness);
    assert!(
        harness
            .query_by_label("Not a candidate for this protocol")
            .is_none()
    );
    click(
        &mut harness,
        "Does the patient have active cancer, or is cancer being treated now?",
    );
    assert!(
        harness
            .query_by_label("Not a candidate for this protocol")
            .is_some(),
        "the banner shows"
    );
    assert!(
        harness
            .query_by_label_contains("Active cancer: Fat and its growth-factor-secreting cells")
            .is_some(),
        "the banner says why"
    );
}

#[test]
fn the_screening_asks_the_new_questions_and_the_weight_where_a_dose_depends_on_it() {
    let data = tempfile::tempdir().unwrap();
    let config = tempfile::tempdir().unwrap();
    let mut harness = harness(data.path(), config.path());
    click(&mut harness, "New plan… (Ctrl+N)");
    choose_stretch_marks(&mut harness);
    for question in [
        "Does the patient have a bleeding disorder (haemophilia, von Willebrand disease or another coagulation disorder)?",
        "Has the patient had an allergic reaction to a local anaesthetic (lidocaine or another)?",
        "Has the patient had cancer in the past that was treated and is in remission?",
    ] {
        assert!(harness.query_by_label(question).is_some(), "{question}");
    }
    // The harvest uses tumescent lidocaine, dosed by weight.
    assert!(
        harness
            .query_by_label_contains("needed for the maximum dose")
            .is_some()
    );
    type_into(&mut harness, "Weight (kg)", "7x");
    assert!(
        harness
            .query_by_label_contains("write the weight as whole kilograms")
            .is_some()
    );
    type_into(&mut harness, "Weight (kg)", "72");
    for hint in [
        "write the weight as whole kilograms",
        "needed for the maximum dose",
    ] {
        assert!(harness.query_by_label_contains(hint).is_none(), "{hint}");
    }
}

#[test]
fn a_treatment_given_only_in_a_trial_refers_the_patient_unless_the_trial_is_recorded() {
    let (data, config) = folders();
    let mut harness = harness(data.path(), config.path());
    click(&mut harness, "New plan… (Ctrl+N)");
    let allogeneic = harness.get_by_label("Allogeneic (donor) cells");
    assert!(
        !allogeneic.accesskit_node().is_disabled(),
        "a trial-only treatment stays a choice, for a patient in a trial"
    );
    click(&mut harness, "Injection");
    click(&mut harness, "Allogeneic (donor) cells");
    click(&mut harness, "Knee");
    click(&mut harness, "Osteoarthritis");
    wait_for_label(&mut harness, "Not a candidate for this protocol");
    assert!(
        harness
            .query_all_by_label_contains("Referral to a registered clinical trial")
            .next()
            .is_some(),
        "the referral to a trial is offered"
    );
    click(
        &mut harness,
        "Is the patient treated within a registered trial, or under an IND or a hospital exemption?",
    );
    harness.run_steps(2);
    assert!(
        harness
            .query_by_label("Not a candidate for this protocol")
            .is_none(),
        "within a trial the sessions are planned"
    );
    assert!(
        harness
            .query_all_by_label_contains("Session 1")
            .next()
            .is_some(),
        "the preview shows the session"
    );
}

#[test]
fn search_finds_a_patient_by_part_of_the_name() {
    let (data, config) = folders();
    let store = Store::open(data.path()).unwrap();
    for name in ["Maria Alvarez", "John Smith", "Alvaro Costa"] {
        store
            .create_patient(&regen_planner::store::Patient::new(name), "Dr Test")
            .unwrap();
    }
    let mut harness = harness(data.path(), config.path());
    assert!(harness.query_by_label("John Smith").is_some());
    type_into(&mut harness, "Search", "ALVA");
    assert!(harness.query_by_label("Maria Alvarez").is_some());
    assert!(harness.query_by_label("Alvaro Costa").is_some());
    assert!(
        harness.query_by_label("John Smith").is_none(),
        "a patient who does not match is hidden"
    );
    assert!(
        harness
            .query_by_label_contains("2 of 3 patients match")
            .is_some()
    );
}

#[test]
fn closing_the_window_saves_the_last_edit() {
    let (data, config) = folders();
    let id = saved_plan(data.path(), "Nora Berg");
    let mut harness = harness_with_plan(data.path(), config.path(), &id);
    harness.get_by_label("New note").focus();
    harness.run_steps(1);
    harness
        .get_by_label("New note")
        .type_text("Patient prefers Monday mornings.");
    harness.run_steps(1);
    // The close request arrives in the same frame as the edit: the window stays open
    // until the note is on the disk, then closes.
    harness.get_by_label("Add note").click_accesskit();
    assert_eq!(close_window(&mut harness), Closing::Closed);
    let store = Store::open(data.path()).unwrap();
    let saved = store.load_plan(&id).unwrap();
    assert_eq!(
        saved.value.notes.len(),
        1,
        "the note was saved before the window closed"
    );
    assert_eq!(
        saved.value.notes[0].text,
        "Patient prefers Monday mornings."
    );
}

#[test]
fn an_added_task_can_be_withdrawn_and_is_kept_struck_out() {
    let (data, config) = folders();
    let id = saved_plan(data.path(), "Nora Berg");
    let mut harness = harness_with_plan(data.path(), config.path(), &id);
    type_into(&mut harness, "New task", "Bring last year's photographs");
    click(&mut harness, "Add task");
    wait_for_saved(
        &mut harness,
        data.path(),
        &id,
        "the task to be saved",
        |record| record.extra_tasks.len() == 1,
    );
    click(&mut harness, "Withdraw task: Bring last year's photographs");
    wait_for_saved(
        &mut harness,
        data.path(),
        &id,
        "the withdrawal to be saved",
        |record| {
            record
                .extra_tasks
                .first()
                .is_some_and(|task| task.withdrawn)
        },
    );
    drop(harness);

    let mut harness = harness_with_plan(data.path(), config.path(), &id);
    harness.run_steps(2);
    let _ = harness.get_by_label("Restore task: Bring last year's photographs");
    assert!(
        harness
            .query_by_label("Withdraw task: Bring last year's photographs")
            .is_none()
    );
    let saved = Store::open(data.path()).unwrap().history(&id).unwrap();
    assert_eq!(saved.len(), 3, "adding and withdrawing are two revisions");
}

#[test]
fn an_edit_made_while_a_save_is_on_its_way_is_saved_after_it() {
    let (data, config) = folders();
    let id = saved_plan(data.path(), "Nora Berg");
    let mut harness = harness_with_plan(data.path(), config.path(), &id);
    type_into(&mut harness, "New note", "Prefers mornings.");
    type_into(&mut harness, "New task", "Bring the old photographs");
    // Both in one frame: the note's save is still on its way when the task is added.
    harness.get_by_label("Add note").click_accesskit();
    harness.get_by_label("Add task").click_accesskit();
    harness.step();
    wait_for_saved(
        &mut harness,
        data.path(),
        &id,
        "both edits to be saved",
        |record| record.notes.len() == 1 && record.extra_tasks.len() == 1,
    );
}

#[test]
fn a_new_patient_with_a_name_already_in_the_records_is_offered_the_existing_one() {
    let (data, config) = folders();
    let first = saved_plan(data.path(), "Maria Alvarez");
    let existing = Store::open(data.path())
        .unwrap()
        .load_plan(&first)
        .unwrap()
        .value
        .patient;
    let mut harness = harness(data.path(), config.path());
    harness.key_press_modifiers(Modifiers::COMMAND, Key::N);
    harness.run_steps(2);
    // Another case and spacing: still the same name.
    type_into(&mut harness, "Name", "maria  ALVAREZ");
    wait_for_label(&mut harness, "already in the records");
    click(&mut harness, "Use Maria Alvarez");
    choose_stretch_marks(&mut harness);
    click(&mut harness, "Create plan");
    wait_until(&mut harness, "the plan to be created", |app| {
        app.open_plan_record().is_some()
    });
    assert_eq!(
        harness.state().open_plan_record().unwrap().patient,
        existing
    );
    let index = Store::open(data.path())
        .unwrap()
        .load_index(&mut |_| {})
        .unwrap();
    assert_eq!(
        index.patients.len(),
        1,
        "no second record for the same person"
    );
    assert_eq!(index.plans.len(), 2);
}

#[test]
fn an_existing_patient_is_found_by_typing_part_of_the_name() {
    let (data, config) = folders();
    for name in ["Maria Alvarez", "Nora Berg", "Ingrid Bergström"] {
        saved_plan(data.path(), name);
    }
    let mut harness = harness(data.path(), config.path());
    harness.key_press_modifiers(Modifiers::COMMAND, Key::N);
    harness.run_steps(2);
    click(&mut harness, "Existing patient");
    // Two match "berg": the open list holds them and not the third, who is only in
    // the patient list on the left.
    type_into(&mut harness, "Find", "berg");
    click(&mut harness, "Patient");
    assert_eq!(harness.query_all_by_label("Maria Alvarez").count(), 1);
    assert_eq!(harness.query_all_by_label("Nora Berg").count(), 2);
    assert_eq!(harness.query_all_by_label("Ingrid Bergström").count(), 2);
    harness.key_press(Key::Escape);
    harness.run_steps(2);
    // Typing down to one picks them.
    type_into(&mut harness, "Find", "nora");
    choose_stretch_marks(&mut harness);
    click(&mut harness, "Create plan");
    wait_until(&mut harness, "the plan to be created", |app| {
        app.open_plan_record().is_some()
    });
    let patient = harness.state().open_plan_record().unwrap().patient.clone();
    let index = Store::open(data.path())
        .unwrap()
        .load_index(&mut |_| {})
        .unwrap();
    let chosen = index
        .patients
        .iter()
        .find(|known| known.id == patient)
        .unwrap();
    assert_eq!(chosen.name, "Nora Berg");
    assert_eq!(index.patients.len(), 3);
}

#[test]
fn a_save_from_another_desk_is_shown_as_a_conflict() {
    let data = tempfile::tempdir().unwrap();
    let config_one = tempfile::tempdir().unwrap();
    let config_two = tempfile::tempdir().unwrap();
    let id = saved_plan(data.path(), "Omar Haddad");
    let mut desk_one = harness_with_plan(data.path(), config_one.path(), &id);
    let mut desk_two = harness_with_plan(data.path(), config_two.path(), &id);

    click(&mut desk_two, "Session 1 held");
    wait_until_saved(&mut desk_two);

    click(&mut desk_one, "Session 2 held");
    wait_until(
        &mut desk_one,
        "the second desk's save to be refused",
        |app| matches!(app.open_plan_save_state(), Some(SaveState::Conflict(_))),
    );
    assert!(
        desk_one.query_by_label("Reopen the saved plan").is_some(),
        "the conflict is shown with a way forward"
    );
    assert!(
        desk_one
            .query_all_by_label_contains("saved revision 2 at")
            .next()
            .is_some(),
        "the conflict says who saved what when: {:?}",
        desk_one.state().messages()
    );

    click(&mut desk_one, "Reopen the saved plan");
    wait_until(&mut desk_one, "the saved plan to open again", |app| {
        app.open_plan_revision()
            .is_some_and(|(_, revision)| revision == 2)
    });
    let record = desk_one.state().open_plan_record().unwrap();
    assert!(
        record.checklist.contains_key(&checklist_keys::session(1)),
        "the other desk's tick is there after reopening"
    );
    assert_eq!(desk_one.state().open_plan_revision().unwrap().1, 2);
}

#[test]
fn escape_closes_the_settings_dialog() {
    let (data, config) = folders();
    let mut harness = harness(data.path(), config.path());
    click(&mut harness, "Settings…");
    assert!(harness.state().is_settings_open());
    harness.key_press(Key::Escape);
    harness.run_steps(2);
    assert!(!harness.state().is_settings_open(), "Esc closes the dialog");
}

#[test]
fn settings_are_saved_and_used_for_the_next_plan() {
    let (data, config) = folders();
    let mut harness = harness(data.path(), config.path());
    click(&mut harness, "Settings…");
    type_into(&mut harness, "Physician name", "Dr Ines Ortega");
    click(&mut harness, "Sat");
    click(&mut harness, "Save");
    wait_until(&mut harness, "the settings to be saved", |app| {
        !app.is_settings_open()
    });
    let saved = regen_planner::store::Settings::load(config.path()).unwrap();
    assert_eq!(saved.physician_name, "Dr Ines Ortega");
    assert!(saved.working_days.contains(Weekday::Saturday));

    // The next plan starts on a Saturday, which the clinic now opens, and is saved
    // under the physician's name.
    harness.key_press_modifiers(Modifiers::COMMAND, Key::N);
    harness.run_steps(2);
    type_into(&mut harness, "Name", "Lena Fischer");
    choose_stretch_marks(&mut harness);
    let saturday: jiff::civil::Date = "2027-03-06".parse().unwrap();
    assert_eq!(saturday.weekday(), jiff::civil::Weekday::Saturday);
    type_into(&mut harness, "First session", &saturday.to_string());
    harness.key_press(Key::Enter);
    harness.run_steps(2);
    click(&mut harness, "Create plan");
    wait_until(&mut harness, "the plan to be created", |app| {
        app.open_plan_record().is_some()
    });
    let (id, _) = harness.state().open_plan_revision().unwrap();
    let plan = Store::open(data.path()).unwrap().load_plan(id).unwrap();
    assert_eq!(plan.saved_by, "Dr Ines Ortega");
    assert!(
        plan.value
            .request
            .options
            .working_days
            .contains(Weekday::Saturday)
    );
    assert_eq!(
        plan.value.plan.sessions[0].date, saturday,
        "session 1 stays on the Saturday the clinic opens"
    );
}

#[test]
fn an_open_plan_names_its_patient_and_describes_its_timeline_to_screen_readers() {
    let (data, config) = folders();
    let id = saved_plan(data.path(), "Ravi Kumar");
    let harness = harness_with_plan(data.path(), config.path(), &id);
    assert!(
        harness
            .query_by_label_contains("Ravi Kumar: Adipose stem-cell injections for stretch marks")
            .is_some()
    );
    assert!(
        harness
            .query_by_label_contains("Timeline: 2 sessions")
            .is_some(),
        "the timeline describes itself to screen readers"
    );
}

#[test]
fn a_date_in_the_wrong_format_is_said_and_changes_nothing() {
    let (data, config) = folders();
    let id = saved_plan(data.path(), "Lea Novak");
    let mut harness = harness_with_plan(data.path(), config.path(), &id);
    let before = harness.state().open_plan_record().unwrap().plan.sessions[1].date;
    type_into(&mut harness, "Session 2 date", "15/04/2027");
    harness.key_press(Key::Enter);
    harness.run_steps(2);
    harness.key_press(Key::Tab);
    harness.run_steps(2);
    assert_eq!(
        harness.state().open_plan_record().unwrap().plan.sessions[1].date,
        before,
        "nothing moved"
    );
    assert!(
        harness
            .query_by_label_contains("'15/04/2027' is not a date; use YYYY-MM-DD")
            .is_some(),
        "the mistake is said next to the field"
    );
}

#[test]
fn a_plan_is_exported_from_its_screen_into_a_folder() {
    let (data, config) = folders();
    let exports = tempfile::tempdir().unwrap();
    let id = saved_plan(data.path(), "Zoë Ångström");
    let mut harness = harness_with_plan(data.path(), config.path(), &id);
    click(&mut harness, "Export…");
    type_into(
        &mut harness,
        "Folder",
        &exports.path().display().to_string(),
    );
    click(&mut harness, "Export");
    wait_until(&mut harness, "the export to finish", |app| {
        app.export_outcome()
            .is_some_and(|outcome| outcome.is_some())
    });
    let written = match harness.state().export_outcome() {
        Some(Some(Ok(paths))) => paths.clone(),
        other => panic!("the export failed: {other:?}"),
    };
    assert!(!written.is_empty());
    for path in &written {
        assert!(
            path.starts_with(exports.path()),
            "{} is in the chosen folder",
            path.display()
        );
        assert!(
            std::fs::metadata(path).unwrap().len() > 0,
            "{} is not empty",
            path.display()
        );
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        assert!(
            name.starts_with("Zoë Ångström - adipose-stretch-marks - "),
            "{name}"
        );
    }
    assert!(
        harness.query_by_label("Open folder").is_some(),
        "the dialog offers the folder"
    );
    // A second export into the same folder asks before replacing the first.
    let first = std::fs::read(&written[0]).unwrap();
    std::fs::write(&written[0], b"kept until replacing is asked for").unwrap();
    click(&mut harness, "Export");
    wait_until(&mut harness, "the second export to answer", |app| {
        matches!(app.export_outcome(), Some(Some(Err(_))))
    });
    match harness.state().export_outcome() {
        Some(Some(Err(ExportProblem::Exists(files)))) => assert_eq!(files, &written),
        other => panic!("the existing exports are named: {other:?}"),
    }
    assert!(
        harness
            .query_by_label("These files are already there; nothing was written:")
            .is_some()
    );
    assert_eq!(
        std::fs::read(&written[0]).unwrap(),
        b"kept until replacing is asked for",
        "nothing is replaced before the physician says so"
    );
    click(&mut harness, "Replace them");
    wait_until(&mut harness, "the replacing export to finish", |app| {
        matches!(app.export_outcome(), Some(Some(Ok(_))))
    });
    assert_eq!(std::fs::read(&written[0]).unwrap(), first);
    // The data folder is never a place for an export.
    type_into(&mut harness, "Folder", &data.path().display().to_string());
    click(&mut harness, "Export");
    wait_until(&mut harness, "the refused export to answer", |app| {
        matches!(app.export_outcome(), Some(Some(Err(_))))
    });
    match harness.state().export_outcome() {
        Some(Some(Err(ExportProblem::Failed(message)))) => {
            assert!(message.contains("data folder"), "{message}");
        }
        other => panic!("an export into the data folder is refused: {other:?}"),
    }
    harness.key_press(Key::Escape);
    harness.run_steps(3);
    assert!(
        harness.state().export_outcome().is_none(),
        "Esc closes the export dialog"
    );
}

/// Saves a patient with a screening on file (they smoke, asked on 2 November 2026) and
/// a date of birth, through the store, and returns their id.
fn patient_who_smokes(data: &std::path::Path, name: &str) -> regen_planner::store::PatientId {
    use regen_planner::catalog::Factor;
    use regen_planner::store::{Patient, Screening};
    let mut patient = Patient::new(name);
    patient.birth_date = Some("1980-05-02".parse().unwrap());
    patient.screening = Screening {
        factors: [Factor::Smoker].into(),
        asked_on: Some("2026-11-02".parse().unwrap()),
    };
    let store = Store::open(data).unwrap();
    store.create_patient(&patient, "Dr Desk Two").unwrap().0
}

/// Whether the "Create plan" button can be pressed.
fn can_create(harness: &egui_kittest::Harness<'static, regen_planner::ui::App>) -> bool {
    !harness
        .get_by_label("Create plan")
        .accesskit_node()
        .is_disabled()
}

#[test]
fn a_note_typed_but_not_added_is_not_lost_on_close() {
    let (data, config) = folders();
    let id = saved_plan(data.path(), "Nora Berg");
    let mut harness = harness_with_plan(data.path(), config.path(), &id);
    type_into(
        &mut harness,
        "New note",
        "Call her about the compression garment",
    );
    assert_eq!(
        close_window(&mut harness),
        Closing::StaysOpen,
        "the window does not close over a note that was not added"
    );
    wait_for_label(
        &mut harness,
        "the note being written on Nora Berg's plan: \u{201c}Call her about the compression garment\u{201d}",
    );
    click(&mut harness, "Keep editing");
    click(&mut harness, "Add note");
    wait_for_saved(
        &mut harness,
        data.path(),
        &id,
        "the note to be saved",
        |record| record.notes.len() == 1,
    );
    assert_eq!(close_window(&mut harness), Closing::Closed);

    // Text typed and then deliberately dropped closes when the physician says so.
    let mut harness = harness_with_plan(data.path(), config.path(), &id);
    type_into(&mut harness, "New task", "Book the follow-up photographs");
    assert_eq!(close_window(&mut harness), Closing::StaysOpen);
    wait_for_label(&mut harness, "the task being written on Nora Berg's plan");
    click(&mut harness, "Discard and close");
    assert_eq!(close_window(&mut harness), Closing::Closed);
}

#[test]
fn choosing_an_existing_patient_from_the_list_keeps_their_screening_on_file() {
    let (data, config) = folders();
    let nora = patient_who_smokes(data.path(), "Nora Berg");
    saved_plan(data.path(), "Maria Alvarez");
    let mut harness = harness(data.path(), config.path());
    harness.key_press_modifiers(Modifiers::COMMAND, Key::N);
    harness.run_steps(2);
    click(&mut harness, "Existing patient");
    click(&mut harness, "Patient");
    click(&mut harness, "Nora Berg (born 1980-05-02)");
    wait_for_label(
        &mut harness,
        "The answers are those of the last screening on 2026-11-02",
    );
    assert!(
        harness
            .get_by_label("Does the patient smoke?")
            .accesskit_node()
            .is_selected()
            .unwrap_or(false)
            || harness
                .get_by_label("Does the patient smoke?")
                .accesskit_node()
                .toggled()
                .is_some_and(|toggled| toggled == egui::accesskit::Toggled::True),
        "the answer on file is ticked"
    );
    choose_stretch_marks(&mut harness);
    click(&mut harness, "Create plan");
    wait_until(&mut harness, "the plan to be created", |app| {
        app.open_plan_record().is_some()
    });
    assert_eq!(harness.state().open_plan_record().unwrap().patient, nora);
    let on_file = Store::open(data.path())
        .unwrap()
        .load_patient(&nora)
        .unwrap()
        .value
        .screening;
    assert!(
        on_file
            .factors
            .contains(&regen_planner::catalog::Factor::Smoker),
        "the screening on file was kept: {on_file:?}"
    );
}

#[test]
fn the_existing_patient_picker_picks_no_one_the_physician_did_not_pick() {
    let (data, config) = folders();
    for name in ["Anna Adams", "Nora Berg", "Ingrid Bergström"] {
        patient_who_smokes(data.path(), name);
    }
    let mut harness = harness(data.path(), config.path());
    harness.key_press_modifiers(Modifiers::COMMAND, Key::N);
    harness.run_steps(2);
    choose_stretch_marks(&mut harness);
    click(&mut harness, "Existing patient");
    assert!(
        !can_create(&harness),
        "no patient is picked until the physician picks one"
    );

    click(&mut harness, "Patient");
    click(&mut harness, "Anna Adams (born 1980-05-02)");
    wait_for_label(&mut harness, "The answers are those of the last screening");
    assert!(can_create(&harness));

    // Find narrows the list to others: the patient picked before is no longer picked.
    type_into(&mut harness, "Find", "berg");
    harness.run_steps(2);
    assert!(
        !can_create(&harness),
        "Anna is not among the patients found, so the plan cannot go to her"
    );

    // Typing down to one patient picks them, as the physician sees.
    type_into(&mut harness, "Find", "nora");
    wait_for_label(&mut harness, "The answers are those of the last screening");
    click(&mut harness, "Create plan");
    wait_until(&mut harness, "the plan to be created", |app| {
        app.open_plan_record().is_some()
    });
    let patient = harness.state().open_plan_record().unwrap().patient.clone();
    let name = Store::open(data.path())
        .unwrap()
        .load_patient(&patient)
        .unwrap()
        .value
        .name;
    assert_eq!(name, "Nora Berg");
}

#[test]
fn a_note_typed_on_a_plan_left_for_another_is_kept_and_asked_about_on_close() {
    let (data, config) = folders();
    let first = saved_plan(data.path(), "Nora Berg");
    saved_plan(data.path(), "Omar Haddad");
    let mut harness = harness_with_plan(data.path(), config.path(), &first);
    type_into(&mut harness, "New note", "Allergic to the tape");

    // Another plan is opened from the patient list: the note typed on the first waits.
    click(&mut harness, "Omar Haddad");
    let link = "Adipose stem-cell injections for stretch marks (from";
    wait_for_label(&mut harness, link);
    harness.get_by_label_contains(link).click();
    wait_until(&mut harness, "the other plan to open", |app| {
        app.open_plan_record()
            .is_some_and(|_| app.open_plan_revision().is_some_and(|(id, _)| *id != first))
    });
    assert_eq!(close_window(&mut harness), Closing::StaysOpen);
    wait_for_label(
        &mut harness,
        "the note being written on Nora Berg's plan: \u{201c}Allergic to the tape\u{201d}",
    );
    click(&mut harness, "Keep editing");

    // Back on the first plan, the note is still in its field.
    click(&mut harness, "Nora Berg");
    wait_for_label(&mut harness, link);
    harness.get_by_label_contains(link).click();
    wait_until(&mut harness, "the first plan to open again", |app| {
        app.open_plan_revision().is_some_and(|(id, _)| *id == first)
    });
    let field = harness.get_by_label("New note");
    assert_eq!(
        field.accesskit_node().value().as_deref(),
        Some("Allergic to the tape")
    );
}
