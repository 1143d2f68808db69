//! Session records and scores saved on plans: through the library as the command line
//! and the window call it (a revision each, verify covers them, the index answers a lot
//! recall without reading a plan), in the FHIR bundle and the calendar, and a few runs
//! of the real binary for `plans record`, `plans score`, `plans show --format json` and
//! `lots find --format json`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly on anything unexpected"
)]

mod common;

use std::collections::{BTreeMap, BTreeSet};

use jiff::civil::Date;
use regen_planner::catalog::{Area, Catalog, CellSource, Indication, Modality, Selection};
use regen_planner::desk::{
    TreatmentError, add_score, export_document_for, record_session, remove_record, remove_score,
};
use regen_planner::export;
use regen_planner::planning::{
    Administration, AdverseEvent, AdverseSeverity, Anaesthetic, Harvest, Material, MaterialKind,
    PlanStatus, Product, RecordError, SessionRecord, Spin,
};
use regen_planner::store::{Patient, PlanId, Settings, Store, recall};
use serde_json::Value;

use common::{Desk, stderr, stdout};

fn date(text: &str) -> Date {
    text.parse().unwrap()
}

fn knee() -> Selection {
    Selection {
        modality: Modality::Injection,
        source: CellSource::AutologousPrp,
        area: Area::Knee,
        indication: Indication::Osteoarthritis,
        adjuncts: Vec::new(),
    }
}

/// A knee PRP plan from Monday 18 January 2027 for a new patient.
fn knee_plan(store: &Store, catalog: &Catalog, name: &str) -> PlanId {
    let (patient, _) = store
        .create_patient(&Patient::new(name), "Dr. Vega")
        .unwrap();
    let record = common::record(
        catalog,
        &patient,
        knee(),
        BTreeSet::new(),
        date("2027-01-18"),
    );
    store.create_plan(&record, "Dr. Vega").unwrap().0
}

fn kit(lot: &str) -> Material {
    Material {
        name: "PRP preparation kit".to_owned(),
        kind: MaterialKind::Kit,
        lot: Some(lot.to_owned()),
        expiry: Some(date("2028-06-30")),
    }
}

/// Session 1 as a careful clinic records it: every part of the record, and an
/// anaesthetic above the protocol's maximum (4.5 mg/kg, at most 300 mg, of plain
/// lidocaine for the skin) with the adverse event it asks for.
fn full_record(lot: &str) -> SessionRecord {
    let mut record = SessionRecord::new(1, date("2027-01-18"));
    record.performed_at = Some(jiff::civil::Time::new(9, 30, 0, 0).unwrap());
    record.performer = Some("Dr. Vega".to_owned());
    record.harvest = Some(Harvest {
        site: Some("right antecubital vein".to_owned()),
        volume_ml: Some(30.0),
    });
    record.materials = vec![
        kit(lot),
        Material {
            name: "Spinal needle 22 G".to_owned(),
            kind: MaterialKind::Device,
            lot: Some("SN-77".to_owned()),
            expiry: None,
        },
        Material {
            name: "Lidocaine 1%".to_owned(),
            kind: MaterialKind::Product,
            lot: Some("LA-2611-A".to_owned()),
            expiry: Some(date("2029-03-31")),
        },
    ];
    record.spins = vec![
        Spin {
            g: 1500,
            minutes: 10,
        },
        Spin {
            g: 3000,
            minutes: 10,
        },
    ];
    record.product = Some(Product {
        platelet_factor: Some(4.5),
        volume_ml: Some(5.0),
        ..Product::default()
    });
    record.administration = vec![Administration {
        site: "left knee, lateral".to_owned(),
        volume_ml: Some(5.0),
    }];
    record.weight_kg = Some(60.0);
    record.anaesthetics = vec![Anaesthetic {
        agent: "plain lidocaine 1%".to_owned(),
        technique: None,
        total_mg: 400.0,
    }];
    record.harvest_to_injection_minutes = Some(25);
    record.adverse_events = vec![AdverseEvent {
        what: "Perioral tingling".to_owned(),
        severity: AdverseSeverity::Moderate,
        action: Some("Observed for six hours".to_owned()),
        resolved: true,
    }];
    record.notes = Some("Tolerated well.".to_owned());
    record
}

/// The patient, lot, session and day of each session the index recalls for PK-2611-A.
fn hits(store: &Store) -> Vec<(String, String, u32, String)> {
    let index = store.load_index(&mut |_| {}).unwrap();
    recall("pk-2611-A", &index.plans)
        .into_iter()
        .map(|hit| {
            (
                hit.patient_name,
                hit.lot,
                hit.session,
                hit.performed.to_string(),
            )
        })
        .collect()
}

#[test]
fn records_and_scores_are_saved_as_revisions_and_the_index_recalls_their_lots() {
    let (_dir, store) = common::temp_store();
    let (catalog, _) = Catalog::builtin();
    let today = date("2027-03-01");
    let ana = knee_plan(&store, &catalog, "Ana Ruiz");
    let lee = knee_plan(&store, &catalog, "Lee Chan");
    let other = knee_plan(&store, &catalog, "Sam Berg");

    let recorded = record_session(
        &store,
        &ana,
        full_record("PK-2611-A"),
        &catalog,
        today,
        "Dr. Vega",
    )
    .unwrap();
    assert_eq!(recorded.revision.number, 2);
    assert_eq!(recorded.warnings.len(), 1, "{:?}", recorded.warnings);
    assert!(
        recorded.warnings[0]
            .message
            .contains("above the maximum of 270 mg for 60 kg")
    );
    let mut second = SessionRecord::new(2, date("2027-01-26"));
    second.materials.push(kit(" pk-2611-a "));
    record_session(&store, &ana, second, &catalog, today, "Dr. Vega").unwrap();
    let mut lee_first = SessionRecord::new(1, date("2027-01-19"));
    lee_first.materials.push(kit("PK-2611-A"));
    record_session(&store, &lee, lee_first, &catalog, today, "Dr. Vega").unwrap();
    let mut other_first = SessionRecord::new(1, date("2027-01-18"));
    other_first.materials.push(kit("PK-2612-B"));
    record_session(&store, &other, other_first, &catalog, today, "Dr. Vega").unwrap();
    let (revision, womac) = add_score(
        &store,
        &ana,
        ("womac", 41.0, date("2027-01-18")),
        &catalog,
        today,
        "Dr. Vega",
    )
    .unwrap();
    assert_eq!(revision.number, 4);
    assert_eq!(womac.scale.as_str(), "womac");

    // Everything round-trips through the files, and verify covers it.
    let saved = store.load_plan(&ana).unwrap().value;
    assert_eq!(saved.status, PlanStatus::Active);
    assert_eq!(saved.records.len(), 2);
    assert_eq!(saved.record_of(1), Some(&full_record("PK-2611-A")));
    assert_eq!(saved.scores, [womac]);
    assert!(store.verify().is_ok());

    // The recall comes from the summaries: oldest first, whatever the case and spaces,
    // with the patient's name; the same after the index cache is rebuilt.
    let expected = vec![
        (
            "Ana Ruiz".to_owned(),
            "PK-2611-A".to_owned(),
            1,
            "2027-01-18".to_owned(),
        ),
        (
            "Lee Chan".to_owned(),
            "PK-2611-A".to_owned(),
            1,
            "2027-01-19".to_owned(),
        ),
        (
            "Ana Ruiz".to_owned(),
            "pk-2611-a".to_owned(),
            2,
            "2027-01-26".to_owned(),
        ),
    ];
    assert_eq!(hits(&store), expected);
    assert_eq!(hits(&store), expected, "from the index cache");
    std::fs::remove_file(store.data_dir().join("index.json")).unwrap();
    assert_eq!(hits(&store), expected, "with the cache rebuilt");

    // A corrected record replaces the old one: its lot is no longer recalled.
    let mut corrected = SessionRecord::new(1, date("2027-01-19"));
    corrected.materials.push(kit("PK-2612-B"));
    record_session(&store, &lee, corrected, &catalog, today, "Dr. Vega").unwrap();
    let index = store.load_index(&mut |_| {}).unwrap();
    assert_eq!(recall("PK-2611-A", &index.plans).len(), 2);
    let both: BTreeSet<String> = recall("pk-2612-b", &index.plans)
        .into_iter()
        .map(|hit| hit.patient_name)
        .collect();
    assert_eq!(both, BTreeSet::from(["Lee Chan".into(), "Sam Berg".into()]));
    assert!(recall("  ", &index.plans).is_empty());
    assert!(
        recall("PK-2611", &index.plans).is_empty(),
        "whole lots only"
    );
}

#[test]
fn a_refused_record_or_score_saves_nothing() {
    let (_dir, store) = common::temp_store();
    let (catalog, _) = Catalog::builtin();
    let id = knee_plan(&store, &catalog, "Ana Ruiz");
    let before = common::snapshot(&store.data_dir().join("plans"));
    let mut future = SessionRecord::new(1, date("2027-03-02"));
    future.weight_kg = Some(5.0);
    let error = record_session(
        &store,
        &id,
        future,
        &catalog,
        date("2027-03-01"),
        "Dr. Vega",
    )
    .unwrap_err();
    let TreatmentError::Record(RecordError::Invalid(invalid)) = &error else {
        panic!("{error:?}");
    };
    let fields: Vec<&str> = invalid
        .problems
        .iter()
        .map(|problem| problem.field.as_str())
        .collect();
    assert_eq!(fields, ["performed_on", "weight_kg"]);
    let error = add_score(
        &store,
        &id,
        ("womac", 97.0, date("2027-02-01")),
        &catalog,
        date("2027-03-01"),
        "Dr. Vega",
    )
    .unwrap_err();
    assert_eq!(
        error.to_string(),
        "WOMAC scores run from 0 to 96 points in whole numbers; 97 is outside that range."
    );
    let error = add_score(
        &store,
        &id,
        ("pain", 3.0, date("2027-02-01")),
        &catalog,
        date("2027-03-01"),
        "Dr. Vega",
    )
    .unwrap_err();
    assert!(
        error
            .to_string()
            .starts_with("unknown outcome scale 'pain'; valid ids are: dash,"),
        "{error}"
    );
    assert_eq!(common::snapshot(&store.data_dir().join("plans")), before);
}

/// A plan with its first session recorded in full and two scores, as an export sees it.
fn exported() -> (export::Document, PlanId) {
    let (dir, store) = common::temp_store();
    let (catalog, _) = Catalog::builtin();
    let id = knee_plan(&store, &catalog, "Ana Ruiz");
    let today = date("2027-03-01");
    record_session(
        &store,
        &id,
        full_record("PK-2611-A"),
        &catalog,
        today,
        "Dr. Vega",
    )
    .unwrap();
    for (scale, value, day) in [
        ("womac", 48.0, "2027-01-18"),
        ("vas-pain", 6.5, "2027-01-18"),
        ("womac", 30.0, "2027-02-28"),
    ] {
        add_score(
            &store,
            &id,
            (scale, value, date(day)),
            &catalog,
            today,
            "Dr. Vega",
        )
        .unwrap();
    }
    let document = export_document_for(&store, &id, &Settings::default(), &catalog, today).unwrap();
    drop(dir);
    (document, id)
}

/// The resources of a bundle by type, and every `fullUrl`.
fn resources(bundle: &Value) -> (BTreeMap<String, Vec<Value>>, BTreeMap<String, String>) {
    let mut by_type: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    let mut urls = BTreeMap::new();
    for entry in bundle["entry"].as_array().unwrap() {
        let url = entry["fullUrl"].as_str().unwrap().to_owned();
        let uuid = url.strip_prefix("urn:uuid:").expect("a urn:uuid full URL");
        assert!(uuid::Uuid::try_parse(uuid).is_ok(), "{url}");
        let kind = entry["resource"]["resourceType"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(
            urls.insert(url.clone(), kind.clone()).is_none(),
            "{url} twice"
        );
        by_type
            .entry(kind)
            .or_default()
            .push(entry["resource"].clone());
    }
    (by_type, urls)
}

/// Every `reference` anywhere in a value.
fn references(value: &Value, found: &mut Vec<String>) {
    match value {
        Value::Object(object) => {
            for (key, inner) in object {
                if key == "reference" {
                    found.push(inner.as_str().unwrap().to_owned());
                } else {
                    references(inner, found);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| references(item, found)),
        _ => {}
    }
}

/// The type of the resource a reference points at, inside the bundle.
fn target<'a>(urls: &'a BTreeMap<String, String>, reference: &Value) -> &'a str {
    urls.get(reference["reference"].as_str().unwrap())
        .map_or_else(
            || panic!("{reference} does not resolve inside the bundle"),
            String::as_str,
        )
}

fn is_fhir_date(text: &str) -> bool {
    text.len() == 10 && text.parse::<Date>().is_ok()
}

#[test]
fn the_fhir_bundle_has_a_procedure_per_session_with_its_lots_and_an_observation_per_score() {
    let (document, _) = exported();
    let json = export::fhir_bundle_json(&document).unwrap();
    assert_eq!(json, export::fhir_bundle_json(&document).unwrap(), "stable");
    let bundle: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(bundle["type"], "collection");
    let (by_type, urls) = resources(&bundle);
    let mut all = Vec::new();
    references(&bundle, &mut all);
    for reference in &all {
        assert!(urls.contains_key(reference), "{reference} resolves");
    }
    let patient = urls
        .iter()
        .find(|(_, kind)| *kind == "Patient")
        .map(|(url, _)| url.clone())
        .unwrap();

    check_procedure(&by_type, &urls, &patient);
    check_materials(&by_type);
    check_adverse_event(&by_type, &urls, &patient);
    check_observations(&by_type, &patient);
    check_care_plan(&by_type, &urls);
}

type ByType = BTreeMap<String, Vec<Value>>;
type Urls = BTreeMap<String, String>;

fn check_procedure(by_type: &ByType, urls: &Urls, patient: &str) {
    let procedures = &by_type["Procedure"];
    assert_eq!(procedures.len(), 1);
    let procedure = &procedures[0];
    assert_eq!(procedure["status"], "completed");
    assert_eq!(procedure["performedDateTime"], "2027-01-18");
    assert_eq!(procedure["subject"]["reference"], patient);
    assert_eq!(target(urls, &procedure["basedOn"][0]), "CarePlan");
    assert!(
        procedure["code"]["text"]
            .as_str()
            .unwrap()
            .ends_with(": session 1")
    );
    assert_eq!(
        procedure["complication"][0]["text"],
        "Perioral tingling (moderate)"
    );
    let notes: Vec<&str> = procedure["note"]
        .as_array()
        .unwrap()
        .iter()
        .map(|note| note["text"].as_str().unwrap())
        .collect();
    assert!(
        notes[0].starts_with("Warning: The anaesthetic given, 400 mg, is above the maximum"),
        "{notes:?}"
    );
    assert!(notes.contains(&"Centrifuged: 1500 × g for 10 min, then 3000 × g for 10 min."));
    let used: Vec<&str> = procedure["usedReference"]
        .as_array()
        .unwrap()
        .iter()
        .map(|reference| target(urls, reference))
        .collect();
    assert_eq!(used, ["Device", "Device", "Medication"]);
}

fn check_materials(by_type: &ByType) {
    let devices = &by_type["Device"];
    assert_eq!(devices[0]["lotNumber"], "PK-2611-A");
    assert_eq!(devices[0]["expirationDate"], "2028-06-30");
    assert_eq!(devices[0]["deviceName"][0]["name"], "PRP preparation kit");
    assert_eq!(devices[0]["deviceName"][0]["type"], "user-friendly-name");
    assert_eq!(devices[1]["lotNumber"], "SN-77");
    assert!(devices[1].get("expirationDate").is_none());
    let medication = &by_type["Medication"][0];
    assert_eq!(medication["code"]["text"], "Lidocaine 1%");
    assert_eq!(medication["batch"]["lotNumber"], "LA-2611-A");
    assert_eq!(medication["batch"]["expirationDate"], "2029-03-31");
}

fn check_adverse_event(by_type: &ByType, urls: &Urls, patient: &str) {
    let event = &by_type["AdverseEvent"][0];
    assert_eq!(event["actuality"], "actual");
    assert_eq!(event["subject"]["reference"], patient);
    assert_eq!(event["event"]["text"], "Perioral tingling");
    assert!(is_fhir_date(event["date"].as_str().unwrap()));
    assert_eq!(event["severity"]["coding"][0]["code"], "moderate");
    assert_eq!(event["outcome"]["coding"][0]["code"], "resolved");
    assert_eq!(
        target(urls, &event["suspectEntity"][0]["instance"]),
        "Procedure"
    );
}

fn check_observations(by_type: &ByType, patient: &str) {
    let observations = &by_type["Observation"];
    let summary: Vec<(String, String, String, String)> = observations
        .iter()
        .map(|observation| {
            assert_eq!(observation["status"], "final");
            assert_eq!(observation["subject"]["reference"], patient);
            assert!(is_fhir_date(
                observation["effectiveDateTime"].as_str().unwrap()
            ));
            let value = if let Some(whole) = observation.get("valueInteger") {
                whole.to_string()
            } else {
                let quantity = &observation["valueQuantity"];
                format!(
                    "{} {}",
                    quantity["value"],
                    quantity["unit"].as_str().unwrap()
                )
            };
            (
                observation["code"]["coding"][0]["code"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
                observation["code"]["text"].as_str().unwrap().to_owned(),
                observation["effectiveDateTime"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
                value,
            )
        })
        .collect();
    assert_eq!(summary.len(), 3);
    assert_eq!(summary[0].0, "womac");
    assert!(
        summary[0].1.starts_with("Western Ontario and McMaster"),
        "{}",
        summary[0].1
    );
    assert_eq!(
        (summary[0].2.as_str(), summary[0].3.as_str()),
        ("2027-01-18", "48")
    );
    assert_eq!(summary[1].0, "vas-pain");
    assert_eq!(summary[1].3, "6.5 cm");
    assert_eq!(
        (summary[2].2.as_str(), summary[2].3.as_str()),
        ("2027-02-28", "30")
    );
}

/// The care plan's session 1 is completed, with the procedure as its outcome.
fn check_care_plan(by_type: &ByType, urls: &Urls) {
    let care_plan = &by_type["CarePlan"][0];
    let sessions: Vec<&Value> = care_plan["activity"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|activity| activity["detail"]["kind"] == "ServiceRequest")
        .collect();
    assert_eq!(sessions[0]["detail"]["status"], "completed");
    assert_eq!(
        target(urls, &sessions[0]["outcomeReference"][0]),
        "Procedure"
    );
    assert_eq!(sessions[1]["detail"]["status"], "scheduled");
    assert!(sessions[1].get("outcomeReference").is_none());
}

#[test]
fn the_calendar_marks_a_performed_session_done_with_its_record_and_no_patient_name() {
    let (document, id) = exported();
    let ics = export::calendar_ics(&document).unwrap();
    let unfolded = ics.replace("\r\n ", "");
    let events: Vec<&str> = unfolded.split("BEGIN:VEVENT").skip(1).collect();
    let first = events
        .iter()
        .find(|event| event.contains(&format!("UID:{id}-session-1@regen-planner")))
        .unwrap();
    assert!(first.contains("SUMMARY:Done: PRP"), "{first}");
    assert!(first.contains("STATUS:CONFIRMED"));
    assert!(first.contains("DTSTART;VALUE=DATE:20270118"), "{first}");
    assert!(!first.contains("VALARM"), "no reminder for what took place");
    assert!(first.contains("lot PK-2611-A"));
    assert!(first.contains("Warning: The anaesthetic given"));
    let second = events
        .iter()
        .find(|event| event.contains(&format!("UID:{id}-session-2@regen-planner")))
        .unwrap();
    assert!(!second.contains("Done:"));
    assert!(second.contains("VALARM"));
    assert!(
        !unfolded.contains("Ana Ruiz"),
        "no patient name without the opt-in"
    );
    // JSON stays the plan.
    let json: Value = serde_json::from_str(&export::plan_json(&document.plan).unwrap()).unwrap();
    assert!(json.get("records").is_none());
}

/// A date `days` before today, as the command line reads today.
fn days_ago(days: i64) -> String {
    jiff::Zoned::now()
        .date()
        .saturating_sub(jiff::Span::new().days(days))
        .to_string()
}

/// A knee PRP plan from `start` for Ana Ruiz, saved through the command line.
fn save_knee_plan(desk: &Desk, start: &str) -> String {
    desk.save_plan_with(
        &[
            "--modality",
            "injection",
            "--source",
            "autologous-prp",
            "--area",
            "knee",
            "--indication",
            "osteoarthritis",
            "--start",
            start,
        ],
        &["--patient-name", "Ana Ruiz"],
    )
}

#[test]
fn the_command_line_records_scores_shows_and_recalls() {
    let desk = Desk::with_physician("Dr. Vega");
    let start = days_ago(40);
    let id = save_knee_plan(&desk, &start);
    let performed = days_ago(39);
    let output = desk.run(&[
        "plans",
        "record",
        &id,
        "--session",
        "1",
        "--performed",
        &performed,
        "--time",
        "09:30",
        "--material",
        "PRP preparation kit",
        "--lot",
        "PK-2611-A",
        "--expiry",
        "2030-06-30",
        "--material",
        "Spinal needle;device;SN-77",
        "--material",
        "Lidocaine 1%",
        "--kind",
        "product",
        "--spin",
        "1500:10",
        "--site",
        "left knee=5",
        "--weight-kg",
        "60",
        "--anaesthetic",
        "plain lidocaine 1%",
        "--anaesthetic-mg",
        "400",
        "--adverse-event",
        "Bruise",
        "--severity",
        "mild",
        "--adverse-event",
        "Perioral tingling",
        "--action",
        "Observed",
        "--severity",
        "moderate",
        "--resolved",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stdout(&output).starts_with(&format!("Recorded session 1 of plan {id}")));
    assert!(
        stderr(&output).contains("warning: The anaesthetic given, 400 mg, is above the maximum"),
        "{}",
        stderr(&output)
    );

    let output = desk.run(&["plans", "score", &id, "--scale", "womac", "--value", "97"]);
    assert!(!output.status.success());
    assert_eq!(
        stderr(&output),
        "error: WOMAC scores run from 0 to 96 points in whole numbers; 97 is outside that range; nothing was saved\n"
    );
    let output = desk.run(&[
        "plans", "score", &id, "--scale", "womac", "--value", "44", "--date", &performed,
    ]);
    assert!(output.status.success(), "{}", stderr(&output));

    check_shown(&desk, &id, &performed);
    check_recall(&desk, &id, &performed);

    // A flag out of its group is one sentence, and nothing is saved.
    let output = desk.run(&[
        "plans",
        "record",
        &id,
        "--session",
        "2",
        "--performed",
        &performed,
        "--lot",
        "X1",
        "--material",
        "Kit",
    ]);
    assert!(!output.status.success());
    assert_eq!(
        stderr(&output),
        "error: --lot belongs to the --material before it; put it after that --material\n"
    );
    let history = desk.store().history(&id.parse().unwrap()).unwrap();
    assert_eq!(history.len(), 3, "the plan, the record and the score");
}

/// `plans show --format json` has the record with every field and its warnings, and
/// the score.
fn check_shown(desk: &Desk, id: &str, performed: &str) {
    let output = desk.run(&["plans", "show", id, "--format", "json"]);
    let shown: Value = serde_json::from_str(&stdout(&output)).unwrap();
    let record = &shown["records"][0];
    assert_eq!(record["session"], 1);
    assert_eq!(record["performed_on"], performed);
    assert_eq!(record["performed_at"], "09:30:00");
    let materials: Vec<(String, String, Option<String>)> = record["materials"]
        .as_array()
        .unwrap()
        .iter()
        .map(|material| {
            (
                material["name"].as_str().unwrap().to_owned(),
                material["kind"].as_str().unwrap().to_owned(),
                material["lot"].as_str().map(str::to_owned),
            )
        })
        .collect();
    assert_eq!(
        materials,
        [
            (
                "PRP preparation kit".into(),
                "kit".into(),
                Some("PK-2611-A".into())
            ),
            (
                "Spinal needle".into(),
                "device".into(),
                Some("SN-77".into())
            ),
            ("Lidocaine 1%".into(), "product".into(), None),
        ]
    );
    assert_eq!(record["materials"][0]["expiry"], "2030-06-30");
    assert_eq!(record["administration"][0]["site"], "left knee");
    assert_eq!(record["administration"][0]["volume_ml"], 5.0);
    let events = record["adverse_events"].as_array().unwrap();
    assert_eq!(events[0]["severity"], "mild");
    assert_eq!(events[0]["resolved"], false);
    assert!(events[0].get("action").is_none());
    assert_eq!(events[1]["action"], "Observed");
    assert_eq!(events[1]["resolved"], true);
    assert!(
        record["warnings"][0]
            .as_str()
            .unwrap()
            .contains("above the maximum")
    );
    assert_eq!(
        shown["scores"],
        serde_json::json!([{ "number": 1, "scale": "womac", "value": 44.0, "date": performed }])
    );
}

/// `lots find --format json` has the fields of the contract.
fn check_recall(desk: &Desk, id: &str, performed: &str) {
    let output = desk.run(&["lots", "find", "pk-2611-a", "--format", "json"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let found: Value = serde_json::from_str(&stdout(&output)).unwrap();
    let hit = &found[0];
    for key in [
        "lot",
        "material",
        "kind",
        "patient",
        "patient_name",
        "plan",
        "session",
        "performed",
        "expiry",
        "verified",
    ] {
        assert!(hit.get(key).is_some(), "{key} in {hit}");
    }
    assert_eq!(hit["patient_name"], "Ana Ruiz");
    assert_eq!(hit["plan"], id);
    assert_eq!(hit["performed"], performed);
}

/// What each revision of a plan changed, as the window's revision history says it.
fn changes_said(store: &Store, id: &PlanId) -> Vec<Vec<String>> {
    fn state(record: &regen_planner::store::PlanRecord) -> regen_planner::planning::PlanState<'_> {
        regen_planner::planning::PlanState {
            plan: &record.plan,
            status: record.status,
            checklist: &record.checklist,
            notes: &record.notes,
            extra_tasks: &record.extra_tasks,
            records: &record.records,
            scores: &record.scores,
            photos: &record.photos,
        }
    }
    let mut said = Vec::new();
    let mut before: Option<regen_planner::store::PlanRecord> = None;
    for info in store.history(id).unwrap() {
        let revision = store.load_plan_revision(id, info.number).unwrap().value;
        said.push(regen_planner::planning::changes(
            before.as_ref().map(state).as_ref(),
            &state(&revision),
        ));
        before = Some(revision);
    }
    said
}

#[test]
fn a_wrong_score_or_a_record_on_the_wrong_session_is_removed_as_a_new_revision() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let (catalog, _) = Catalog::builtin();
    let id = knee_plan(&store, &catalog, "Ana Ruiz");
    let today = date("2027-06-01");
    let mut wrong = SessionRecord::new(2, date("2027-01-25"));
    wrong.performer = Some("Dr. Vega".to_owned());
    record_session(
        &store,
        &id,
        SessionRecord::new(1, date("2027-01-18")),
        &catalog,
        today,
        "Dr. Vega",
    )
    .unwrap();
    record_session(&store, &id, wrong, &catalog, today, "Dr. Vega").unwrap();
    let planned_3 = store.load_plan(&id).unwrap().value.plan.sessions[2].date;
    for value in [6.0, 6.0, 4.0] {
        add_score(
            &store,
            &id,
            ("vas-pain", value, date("2027-03-01")),
            &catalog,
            today,
            "Dr. Vega",
        )
        .unwrap();
    }

    // One of two equal scores, entered twice by mistake.
    let (revision, removed) = remove_score(&store, &id, 2, "Dr. Vega").unwrap();
    assert_eq!((removed.value, revision.number), (6.0, 7));
    let saved = store.load_plan(&id).unwrap().value;
    let values: Vec<f64> = saved.scores.iter().map(|score| score.value).collect();
    assert_eq!(values, [6.0, 4.0]);
    // The record of session 2 was entered on the wrong session: it goes, and nothing
    // else in the plan moves.
    let (_, removed) = remove_record(&store, &id, 2, &catalog, "Dr. Vega").unwrap();
    assert_eq!(removed.performer.as_deref(), Some("Dr. Vega"));
    let saved = store.load_plan(&id).unwrap().value;
    assert!(saved.record_of(2).is_none() && saved.record_of(1).is_some());
    assert_eq!(saved.plan.sessions[1].date, date("2027-01-25"));
    assert_eq!(saved.plan.sessions[2].date, planned_3);
    // Nothing is rewritten: the revisions before still hold what was removed, verify
    // passes, and the history says what changed.
    let earlier = store.load_plan_revision(&id, 6).unwrap().value;
    assert_eq!(earlier.scores.len(), 3);
    assert!(earlier.record_of(2).is_some());
    assert!(store.verify().problems.is_empty());
    let said = changes_said(&store, &id);
    assert_eq!(said[6], ["score vas-pain 6 on 2027-03-01 removed"]);
    assert_eq!(
        said[7],
        ["record of session 2 (performed on 2027-01-25) removed"]
    );

    // A number that is not there, or a session without a record, is one sentence and
    // saves nothing.
    let error = remove_score(&store, &id, 5, "Dr. Vega").unwrap_err();
    assert_eq!(
        error.to_string(),
        "the plan has no score 5; its scores are numbered 1 to 2, as `plans show` lists them"
    );
    let error = remove_record(&store, &id, 3, &catalog, "Dr. Vega").unwrap_err();
    assert_eq!(
        error.to_string(),
        "session 3 has no record to remove; the sessions recorded are: 1"
    );
    assert!(matches!(error, TreatmentError::Removal(_)));
    assert_eq!(store.history(&id).unwrap().len(), 8);
}

#[test]
fn the_command_line_lists_scores_by_number_and_removes_one() {
    let desk = Desk::with_physician("Dr. Vega");
    let id = save_knee_plan(&desk, &days_ago(40));
    let measured = days_ago(39);
    for value in ["7", "70"] {
        let output = desk.run(&[
            "plans", "score", &id, "--scale", "koos", "--value", value, "--date", &measured,
        ]);
        assert!(output.status.success(), "{}", stderr(&output));
    }
    let output = desk.run(&["plans", "show", &id]);
    let shown = stdout(&output);
    assert!(
        shown.contains("Scores (by number, for `plans remove-score`)"),
        "{shown}"
    );
    assert!(
        shown.contains(&format!("1. {measured} koos: 7\n2. {measured} koos: 70")),
        "{shown}"
    );
    let output = desk.run(&["plans", "remove-score", &id, "--score", "3"]);
    assert!(!output.status.success());
    assert_eq!(
        stderr(&output),
        "error: the plan has no score 3; its scores are numbered 1 to 2, as `plans show` lists them; nothing was saved\n"
    );
    let output = desk.run(&["plans", "remove-score", &id, "--score", "1"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stdout(&output).starts_with(&format!(
            "Removed score 1 (KOOS 7 on {measured}) from plan {id}; saved as revision 4."
        )),
        "{}",
        stdout(&output)
    );
    let output = desk.run(&["plans", "remove-record", &id, "--session", "1"]);
    assert!(!output.status.success());
    assert_eq!(
        stderr(&output),
        "error: session 1 has no record to remove; the sessions recorded are: none; nothing was saved\n"
    );
    let saved = desk.store().load_plan(&id.parse().unwrap()).unwrap().value;
    let values: Vec<f64> = saved.scores.iter().map(|score| score.value).collect();
    assert_eq!(values, [70.0]);

    // A dose above the maximum without an adverse event: recorded, flagged, and the
    // record asks for the adverse event with the command that adds it.
    let output = desk.run(&[
        "plans",
        "record",
        &id,
        "--session",
        "1",
        "--performed",
        &measured,
        "--weight-kg",
        "60",
        "--anaesthetic",
        "plain lidocaine 1%",
        "--anaesthetic-mg",
        "400",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let said = stderr(&output);
    assert!(
        said.contains("is above the maximum of 270 mg for 60 kg"),
        "{said}"
    );
    assert!(
        said.contains(&format!("warning: record what happened: run `regen-planner plans record {id} --session 1 --performed {measured} ... --adverse-event TEXT --severity mild|moderate|severe` again")),
        "{said}"
    );
}

/// The text of a PDF as `pdftotext` reads it, its whitespace made single spaces.
fn pdf_words(bytes: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("out.pdf");
    std::fs::write(&file, bytes).unwrap();
    let output = std::process::Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(&file)
        .arg("-")
        .output()
        .unwrap_or_else(|error| panic!("pdftotext could not run ({error}); install poppler-utils"));
    assert!(output.status.success(), "pdftotext failed");
    String::from_utf8(output.stdout)
        .unwrap()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn a_dose_above_the_maximum_is_told_to_the_patient_in_every_document_they_take_home() {
    let (document, _) = exported();
    let told = "At your session 1 on 18 January 2027, you were given 400 mg of local anaesthetic (plain lidocaine for the skin), more than the maximum of 270 mg that the treatment protocol sets for your weight of 60 kg. Your physician has recorded this and will talk it through with you.";
    for (kind, bytes) in [
        ("handout", export::handout_pdf(&document).unwrap()),
        ("consent", export::consent_pdf(&document).unwrap()),
        ("progress report", export::progress_pdf(&document).unwrap()),
    ] {
        let text = pdf_words(&bytes);
        assert!(
            text.contains("What happened at your sessions"),
            "{kind}:\n{text}"
        );
        assert!(text.contains(told), "{kind}:\n{text}");
        assert!(
            text.contains("if you notice any of these, call your local emergency number"),
            "{kind}"
        );
        // The clinic's own words (what to watch, what to record) are not the patient's.
        assert!(!text.contains("record an adverse event"), "{kind}");
    }
    // The physician's exports keep the physician's words.
    let bundle = export::fhir_bundle_json(&document).unwrap();
    assert!(bundle.contains("is above the maximum of 270 mg for 60 kg"));
    let calendar = export::calendar_ics(&document).unwrap();
    assert!(
        calendar
            .replace("\r\n ", "")
            .contains("above the maximum of 270 mg")
    );

    // Without a flag, the section is not there.
    let mut plain = document.clone();
    for performed in &mut plain.performed {
        performed.for_patient.clear();
    }
    let text = pdf_words(&export::handout_pdf(&plain).unwrap());
    assert!(!text.contains("What happened at your sessions"));
}
