//! The patient's progress report (issue 14): made from a saved plan with its session
//! records and scores, read back with `pdftotext`. It names the sessions done, every
//! score with its date, what each chart shows in plain words, the numbered sources,
//! and never an internal key.

#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on anything unexpected"
)]

use std::collections::BTreeSet;
use std::process::Command;

use jiff::civil::Date;
use regen_planner::catalog::{Area, Catalog, CellSource, Indication, Modality, Selection};
use regen_planner::desk::{ExportKind, export_document};
use regen_planner::planning::{PlanRequest, Score, SessionRecord, generate};
use regen_planner::store::{Patient, PlanId, PlanRecord, Settings, Store};

fn date(text: &str) -> Date {
    text.parse().unwrap()
}

/// The day the report is made.
const TODAY: &str = "2026-11-20";

/// A knee PRP plan from 2026-03-02 with every session recorded (the first two days
/// late) and the given VAS pain and WOMAC scores.
fn knee_plan(store: &Store, catalog: &Catalog, scores: &[(&str, f64, &str)]) -> PlanId {
    let (patient, _) = store
        .create_patient(&Patient::new("Omar Haddad"), "Dr Test")
        .unwrap();
    let selection = Selection {
        modality: Modality::Injection,
        source: CellSource::AutologousPrp,
        area: Area::Knee,
        indication: Indication::Osteoarthritis,
        adjuncts: Vec::new(),
    };
    let request = PlanRequest::new(selection, BTreeSet::new(), date("2026-03-02"));
    let plan = generate(catalog, &request).unwrap();
    let mut record = PlanRecord::new(patient, request, plan);
    let sessions = record.plan.sessions.len();
    for number in 1..=sessions {
        let planned = record.plan.sessions[number - 1].date;
        let performed = if number == 1 {
            planned.checked_add(jiff::Span::new().days(2)).unwrap()
        } else {
            planned
        };
        let number = u32::try_from(number).unwrap();
        record
            .treatment()
            .record(SessionRecord::new(number, performed), catalog, date(TODAY))
            .unwrap();
    }
    for (scale, value, day) in scores {
        record
            .scores
            .push(Score::new(catalog.scales(), scale, *value, date(day), date(TODAY)).unwrap());
    }
    store.create_plan(&record, "Dr Test").unwrap().0
}

/// The report's text as `pdftotext` reads it, whitespace folded.
fn report_text(store: &Store, id: &PlanId, catalog: &Catalog) -> String {
    let document = export_document(
        store,
        id,
        &Settings::default(),
        catalog.scales(),
        date(TODAY),
    )
    .unwrap();
    let bytes = ExportKind::Progress.render(&document).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("progress.pdf");
    std::fs::write(&path, bytes).unwrap();
    let output = Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(&path)
        .arg("-")
        .output()
        .unwrap_or_else(|error| panic!("pdftotext could not run ({error}); install poppler-utils"));
    assert!(output.status.success());
    String::from_utf8(output.stdout)
        .unwrap()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn the_progress_report_shows_the_sessions_the_scores_and_what_they_mean() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let (catalog, _) = Catalog::builtin();
    let id = knee_plan(
        &store,
        &catalog,
        &[
            ("vas-pain", 7.0, "2026-02-23"),
            ("vas-pain", 5.5, "2026-05-04"),
            ("vas-pain", 4.5, "2026-06-08"),
            ("womac", 52.0, "2026-02-23"),
            ("womac", 50.0, "2026-06-08"),
        ],
    );
    let text = report_text(&store, &id, &catalog);
    for expected in [
        "Your progress",
        "Prepared for Omar Haddad",
        // The first session two days late, as recorded.
        "Session 1: done on Wednesday 4 March 2026",
        "A change in a score does not on its own show that the treatment caused it",
        "Visual analogue scale (VAS) for pain",
        "7 cm",
        "4.5 cm",
        "before your first session",
        // 7 to 4.5 is 2.5 cm better, more than the 1.75 cm that matters.
        "Improved by more than the minimal important difference: 2.5 cm better than the first score, where 1.75 cm is the smallest change known to matter to patients.",
        // WOMAC: 52 to 50 is 2 points, less than 12% of the baseline.
        "Not yet: 2 points better than the first score, less than the 6.24 points known to matter",
        "What the plan expected, and when",
        "Sources",
        "[1]",
    ] {
        assert!(text.contains(expected), "'{expected}' missing from: {text}");
    }
    // No internal keys: no scale ids, no protocol files' reference keys.
    for internal in ["vas-pain", "womac,", "[CF", "CF 62", "seed"] {
        assert!(!text.contains(internal), "'{internal}' in: {text}");
    }
}

#[test]
fn a_report_without_scores_says_so_and_the_handout_is_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let (catalog, _) = Catalog::builtin();
    let id = knee_plan(&store, &catalog, &[]);
    let text = report_text(&store, &id, &catalog);
    assert!(text.contains("No scores have been entered yet"), "{text}");
    // The handout of a plan with records and scores is the handout of the plan alone.
    let scored = knee_plan(&store, &catalog, &[("vas-pain", 6.0, "2026-05-04")]);
    let document = export_document(
        &store,
        &scored,
        &Settings::default(),
        catalog.scales(),
        date(TODAY),
    )
    .unwrap();
    let plain = regen_planner::export::Document {
        records: Vec::new(),
        scores: Vec::new(),
        ..document.clone()
    };
    assert_eq!(
        ExportKind::Handout.render(&document).unwrap(),
        ExportKind::Handout.render(&plain).unwrap()
    );
    assert_eq!(
        ExportKind::Consent.render(&document).unwrap(),
        ExportKind::Consent.render(&plain).unwrap()
    );
}
