//! What was done and how it turned out, through the real `App` (issue 14): a
//! stretch-marks course and a knee PRP course recorded session by session through the
//! form, scores entered at the follow-ups and plotted against the plan, a value outside
//! the scale refused with its range, and a lot found across patients. Driven through
//! the accessibility tree, with temporary folders; every step is checked on the disk.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly on anything unexpected"
)]

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use common::window::{click, folders, harness, harness_with_plan, wait_for_saved};
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT as _, Queryable as _};
use jiff::civil::Date;
use regen_planner::catalog::{Area, Catalog, CellSource, Indication, Modality, Selection};
use regen_planner::store::{Patient, PlanId, Store};
use regen_planner::ui::App;

/// Today, as the window reads it.
fn today() -> Date {
    jiff::Zoned::now().date()
}

fn days_ago(days: i64) -> Date {
    today().checked_sub(jiff::Span::new().days(days)).unwrap()
}

/// Saves a patient and a plan of `selection` whose first session was `start`.
fn plan(data: &Path, name: &str, selection: Selection, start: Date) -> PlanId {
    let store = Store::open(data).unwrap();
    let (patient, _) = store
        .create_patient(&Patient::new(name), "Dr Test")
        .unwrap();
    let record = common::record(
        &Catalog::builtin().0,
        &patient,
        selection,
        BTreeSet::new(),
        start,
    );
    store.create_plan(&record, "Dr Test").unwrap().0
}

fn stretch_marks() -> Selection {
    Selection {
        modality: Modality::Injection,
        source: CellSource::AutologousAdipose,
        area: Area::Abdomen,
        indication: Indication::StretchMarks,
        adjuncts: Vec::new(),
    }
}

fn knee_prp() -> Selection {
    Selection {
        modality: Modality::Injection,
        source: CellSource::AutologousPrp,
        area: Area::Knee,
        indication: Indication::Osteoarthritis,
        adjuncts: Vec::new(),
    }
}

/// Replaces the text of a labelled field, and lets the form check it (the check of a
/// frame reads what was typed before it).
fn type_into(harness: &mut Harness<'static, App>, label: &str, text: &str) {
    common::window::type_into(harness, label, text);
    harness.run_steps(2);
}

/// The text of the chart of a scale (its accessible label), if it is drawn.
fn chart_text(harness: &Harness<'static, App>, scale: &str) -> Option<String> {
    harness
        .query_by_label_contains(&format!("Chart of {scale}"))
        .map(|node| node.accesskit_node().label().unwrap_or_default())
}

fn shows(harness: &Harness<'static, App>, text: &str) -> bool {
    harness.query_all_by_label_contains(text).next().is_some()
}

/// Types a score at a visit and enters it.
fn enter_score(harness: &mut Harness<'static, App>, scale: &str, visit: &str, value: &str) {
    let field = format!("{scale} score, {visit}");
    harness.get_by_label(&field).scroll_to_me();
    harness.run_steps(1);
    type_into(harness, &field, value);
    click(harness, &format!("Enter {scale} score, {visit}"));
}

#[test]
fn a_stretch_marks_course_is_recorded_through_the_form_and_its_scores_are_plotted() {
    let (data, config) = folders();
    let start = days_ago(200);
    let id = plan(data.path(), "Lena Vogel", stretch_marks(), start);
    let mut harness = harness_with_plan(data.path(), config.path(), &id);
    // The session whose day passed without a record is overdue, in words.
    assert!(
        shows(&harness, "Session 1: overdue"),
        "the first session is overdue"
    );
    let timeline = harness
        .get_by_label_contains("Timeline:")
        .accesskit_node()
        .label()
        .unwrap_or_default();
    assert!(timeline.contains("0 done"), "{timeline}");
    assert!(!timeline.contains(" 0 overdue"), "{timeline}");

    click(&mut harness, "Record session 1…");
    // A wrong entry is refused with the domain's sentence beside it, and nothing is
    // saved.
    type_into(&mut harness, "Patient's weight (kg)", "seventy");
    assert!(shows(
        &harness,
        "The patient's weight 'seventy' is not a number"
    ));
    type_into(&mut harness, "Patient's weight (kg)", "400");
    assert!(shows(
        &harness,
        "The patient's weight must be at least 20 kg"
    ));
    let future = today().checked_add(jiff::Span::new().days(3)).unwrap();
    type_into(
        &mut harness,
        "Performed on (YYYY-MM-DD)",
        &future.to_string(),
    );
    assert!(shows(&harness, "is in the future"));
    assert!(
        harness
            .get_by_label("Save the record of session 1")
            .accesskit_node()
            .is_disabled(),
        "Save waits for the entries to be corrected"
    );

    // Two days late, with a lot and a dose above the tumescent maximum for 60 kg.
    let performed = start.checked_add(jiff::Span::new().days(2)).unwrap();
    type_into(
        &mut harness,
        "Performed on (YYYY-MM-DD)",
        &performed.to_string(),
    );
    type_into(&mut harness, "Performed by", "Dr Aydin");
    type_into(&mut harness, "Harvest site", "lower abdomen");
    type_into(&mut harness, "Harvested volume (mL)", "60");
    type_into(&mut harness, "Patient's weight (kg)", "60");
    click(&mut harness, "Add a material");
    type_into(&mut harness, "Material 1", "Fat processing kit");
    type_into(&mut harness, "Lot of material 1", "FK-7781");
    click(&mut harness, "Add an anaesthetic");
    type_into(&mut harness, "Anaesthetic 1", "lidocaine 0.1% tumescent");
    type_into(&mut harness, "Total of anaesthetic 1 (mg)", "3000");
    assert!(shows(
        &harness,
        "Saved but flagged: The anaesthetic given, 3000 mg"
    ));
    assert!(shows(&harness, "Record what happened as an adverse event"));
    click(&mut harness, "Save the record of session 1");
    wait_for_saved(
        &mut harness,
        data.path(),
        &id,
        "session 1's record",
        |saved| saved.record_of(1).is_some(),
    );
    let saved = Store::open(data.path())
        .unwrap()
        .load_plan(&id)
        .unwrap()
        .value;
    let record = saved.record_of(1).unwrap();
    assert_eq!(record.performed_on, performed);
    assert_eq!(record.materials[0].lot.as_deref(), Some("FK-7781"));
    // The plan follows the performed date.
    assert_eq!(saved.plan.sessions[0].date, performed);
    harness.run_steps(2);
    assert!(shows(&harness, "Session 1: done on"));
    assert!(shows(&harness, "Session 1 needs an adverse-event entry"));

    // Correcting the record adds the adverse event the warning asked for.
    click(&mut harness, "Correct the record of session 1…");
    click(&mut harness, "Add an adverse event");
    type_into(
        &mut harness,
        "Adverse event 1",
        "dose above the maximum; no symptoms of toxicity over 4 hours",
    );
    click(&mut harness, "Save the correction of session 1");
    wait_for_saved(&mut harness, data.path(), &id, "the correction", |saved| {
        saved
            .record_of(1)
            .is_some_and(|record| record.adverse_events.len() == 1)
    });
    harness.run_steps(2);
    assert!(!shows(&harness, "Session 1 needs an adverse-event entry"));

    posas_scores_are_plotted(&mut harness, data.path(), &id);
}

/// POSAS scores entered at the reviews of the stretch-marks plan: none yet, so no
/// chart; a value outside the scale is refused; each score changes the chart's text.
fn posas_scores_are_plotted(harness: &mut Harness<'static, App>, data: &Path, id: &PlanId) {
    // Scores: none yet, so no chart; each score changes the chart's text.
    assert_eq!(chart_text(harness, "POSAS patient"), None);
    enter_score(harness, "POSAS patient", "One-month review", "99");
    assert!(
        shows(harness, "POSAS patient scores run from 6 to 60"),
        "a value outside the scale is refused with its range"
    );
    assert_eq!(chart_text(harness, "POSAS patient"), None);
    enter_score(harness, "POSAS patient", "One-month review", "44");
    wait_for_saved(harness, data, id, "the first score", |saved| {
        saved.scores.len() == 1
    });
    harness.run_steps(2);
    let first = chart_text(harness, "POSAS patient").expect("the chart shows");
    assert!(first.contains("44 on"), "{first}");
    assert!(first.contains("Only the first score is entered"), "{first}");
    enter_score(harness, "POSAS patient", "Three-month review", "30");
    wait_for_saved(harness, data, id, "the second score", |saved| {
        saved.scores.len() == 2
    });
    harness.run_steps(2);
    let second = chart_text(harness, "POSAS patient").unwrap();
    assert_ne!(first, second);
    assert!(second.contains("30 on"), "{second}");
    assert!(
        // POSAS has no published minimal important difference: the chart says so
        // rather than call the change one that matters.
        second.contains(
            "14 points better than the first score; no minimal important difference is published"
        ),
        "{second}"
    );
}

#[test]
fn a_knee_prp_course_is_recorded_with_lots_offered_and_found_again() {
    let (data, config) = folders();
    let start = days_ago(120);
    let id = plan(data.path(), "Omar Haddad", knee_prp(), start);
    let mut harness = harness_with_plan(data.path(), config.path(), &id);
    let sessions = harness
        .state()
        .open_plan_record()
        .unwrap()
        .plan
        .sessions
        .len();
    assert!(sessions >= 2, "the knee course has {sessions} sessions");

    click(&mut harness, "Record session 1…");
    type_into(
        &mut harness,
        "Performed on (YYYY-MM-DD)",
        &start.to_string(),
    );
    click(&mut harness, "Add a material");
    type_into(&mut harness, "Material 1", "PRP tube set");
    type_into(&mut harness, "Lot of material 1", "PRP-2291");
    click(&mut harness, "Add a spin");
    type_into(&mut harness, "Spin 1 force (× g)", "1500");
    type_into(&mut harness, "Spin 1 minutes", "5");
    type_into(
        &mut harness,
        "Platelet concentration factor (× blood)",
        "2.5",
    );
    click(&mut harness, "Add an injection site");
    type_into(
        &mut harness,
        "Injection site 1",
        "right knee, superolateral",
    );
    type_into(&mut harness, "Volume at site 1 (mL)", "4");
    click(&mut harness, "Save the record of session 1");
    wait_for_saved(&mut harness, data.path(), &id, "session 1", |saved| {
        saved.record_of(1).is_some()
    });
    harness.run_steps(2);

    // The second session: the lot used at the first is offered while typing.
    let second_day = harness.state().open_plan_record().unwrap().plan.sessions[1].date;
    click(&mut harness, "Record session 2…");
    type_into(
        &mut harness,
        "Performed on (YYYY-MM-DD)",
        &second_day.min(today()).to_string(),
    );
    click(&mut harness, "Add a material");
    harness.get_by_label("Lot of material 1").focus();
    harness.run_steps(1);
    harness.get_by_label("Lot of material 1").type_text("prp-2");
    harness.run_steps(2);
    click(&mut harness, "Use lot PRP-2291");
    click(&mut harness, "Save the record of session 2");
    wait_for_saved(&mut harness, data.path(), &id, "session 2", |saved| {
        saved.record_of(2).is_some_and(|record| {
            record.materials[0].lot.as_deref() == Some("PRP-2291")
                && record.materials[0].name == "PRP tube set"
        })
    });
    harness.run_steps(2);
    assert!(shows(&harness, "Session 2: done on"));

    // A pain score at the six-week review.
    enter_score(&mut harness, "VAS pain", "Six-week review", "11");
    assert!(shows(&harness, "VAS pain scores run from 0 to 10"));
    enter_score(&mut harness, "VAS pain", "Six-week review", "6.5");
    wait_for_saved(&mut harness, data.path(), &id, "the score", |saved| {
        saved.scores.len() == 1
    });
    harness.run_steps(2);
    assert!(
        chart_text(&harness, "VAS pain").is_some_and(|text| text.contains("6.5 on")),
        "the chart shows the score"
    );
    // A baseline before the first session: 8 to 6.5 is 1.5 cm, less than the 1.75 cm
    // that matters, and the chart says so.
    enter_score(
        &mut harness,
        "VAS pain",
        "Baseline, before the first session",
        "8",
    );
    wait_for_saved(&mut harness, data.path(), &id, "the baseline", |saved| {
        saved.scores.len() == 2
    });
    harness.run_steps(2);
    let text = chart_text(&harness, "VAS pain").unwrap();
    assert!(text.contains("First score 8 cm"), "{text}");
    assert!(text.contains("Not yet: 1.5 cm better"), "{text}");
}

#[test]
fn lot_recall_finds_every_patient_of_a_lot_and_opens_their_plan() {
    let (data, config) = folders();
    let store = Store::open(data.path()).unwrap();
    let mut ids = Vec::new();
    for (name, lot) in [
        ("Ana Ruiz", "KIT-5"),
        ("Lee Chan", "kit-5 "),
        ("Sam Ode", "KIT-6"),
    ] {
        let id = plan(data.path(), name, knee_prp(), days_ago(100));
        let mut record = store.load_plan(&id).unwrap().value;
        let mut session = regen_planner::planning::SessionRecord::new(1, days_ago(99));
        session.materials.push(regen_planner::planning::Material {
            name: "PRP tube set".into(),
            kind: regen_planner::planning::MaterialKind::Kit,
            lot: Some(lot.into()),
            expiry: None,
        });
        record.records.push(session);
        store.save_plan(&id, 1, &record, "Dr Test").unwrap();
        ids.push(id);
    }
    let mut harness = harness(data.path(), config.path());
    click(&mut harness, "Lot recall");
    let start = std::time::Instant::now();
    while harness.query_by_label("Lot number").is_none() || shows(&harness, "Reading the lots") {
        assert!(start.elapsed().as_secs() < 5, "the lots were not read");
        harness.step();
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    type_into(&mut harness, "Lot number", "Kit-5");
    assert!(shows(&harness, "Lot Kit-5: 2 sessions of 2 patients"));
    assert!(shows(&harness, "Ana Ruiz: session 1"));
    assert!(shows(&harness, "Lee Chan: session 1"));
    assert!(!shows(&harness, "Sam Ode: session"));
    let label = format!("Open the plan of Lee Chan (session 1 on {})", days_ago(99));
    click(&mut harness, &label);
    common::window::wait_until(&mut harness, "Lee Chan's plan to open", |app| {
        app.open_plan_revision()
            .is_some_and(|(open, _)| *open == ids[1])
    });
}

/// The full label of the one widget whose label holds `part` and ends as `end` does.
fn label_with(harness: &Harness<'static, App>, part: &str, end: &str) -> String {
    let labels: Vec<String> = harness
        .query_all_by_label_contains(part)
        .filter_map(|node| node.accesskit_node().label())
        .filter(|label| label.ends_with(end))
        .collect();
    assert_eq!(labels.len(), 1, "{labels:?}");
    labels[0].clone()
}

#[test]
fn a_wrong_score_and_a_record_on_the_wrong_session_are_removed_after_asking() {
    let (data, config) = folders();
    let start = days_ago(120);
    let id = plan(data.path(), "Omar Haddad", knee_prp(), start);
    let (catalog, _) = Catalog::builtin();
    {
        let store = Store::open(data.path()).unwrap();
        let mut record = regen_planner::planning::SessionRecord::new(1, start);
        record.performer = Some("Dr Test".to_owned());
        regen_planner::desk::record_session(&store, &id, record, &catalog, today(), "Dr Test")
            .unwrap();
        for value in [6.0, 3.0] {
            regen_planner::desk::add_score(
                &store,
                &id,
                ("vas-pain", value, days_ago(100)),
                &catalog,
                today(),
                "Dr Test",
            )
            .unwrap();
        }
    }
    let mut harness = harness_with_plan(data.path(), config.path(), &id);

    // Each score is listed under its chart with a button named after it.
    let header = "VAS pain scores entered (2)";
    harness.get_by_label(header).scroll_to_me();
    click(&mut harness, header);
    let remove = label_with(&harness, "Remove the VAS pain score of 6 cm on", "…");
    harness.get_by_label(&remove).scroll_to_me();
    click(&mut harness, &remove);
    let confirm = remove.trim_end_matches('…').to_owned();
    assert!(shows(&harness, "Do this for a score entered by mistake"));
    // Keeping it changes nothing.
    click(&mut harness, "Keep it");
    assert!(harness.query_by_label(&confirm).is_none());
    click(&mut harness, &remove);
    click(&mut harness, &confirm);
    wait_for_saved(&mut harness, data.path(), &id, "the removal", |saved| {
        saved.scores.len() == 1
    });
    let saved = Store::open(data.path())
        .unwrap()
        .load_plan(&id)
        .unwrap()
        .value;
    assert!(
        (saved.scores[0].value - 3.0).abs() < 1e-9,
        "the other score stays"
    );
    harness.run_steps(2);
    assert!(shows(&harness, "VAS pain scores entered (1)"));

    // The record of session 1, entered on the wrong session.
    let remove = "Remove the record of session 1…";
    harness.get_by_label(remove).scroll_to_me();
    click(&mut harness, remove);
    assert!(shows(
        &harness,
        "The session keeps that date and shows as not done"
    ));
    click(&mut harness, "Remove the record of session 1");
    wait_for_saved(
        &mut harness,
        data.path(),
        &id,
        "the record's removal",
        |saved| saved.record_of(1).is_none(),
    );
    harness.run_steps(2);
    assert!(shows(&harness, "Record session 1…"));
    let store = Store::open(data.path()).unwrap();
    assert_eq!(
        store.history(&id).unwrap().len(),
        6,
        "each removal is a revision"
    );
    assert!(
        store
            .load_plan_revision(&id, 4)
            .unwrap()
            .value
            .record_of(1)
            .is_some()
    );
}
