//! The data exports: the calendar (iCalendar, read back with the icalendar crate), the
//! FHIR R4 bundle and the plan's JSON, made through the command line from plans saved in
//! temporary folders.

#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on anything unexpected"
)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use icalendar::{Calendar, Component, DatePerhapsTime, Event, EventStatus};
use jiff::ToSpan as _;
use jiff::civil::Date;
use regen_planner::catalog::Catalog;
use regen_planner::export::{self, Document};
use regen_planner::planning::{Plan, generate};
use regen_planner::store::{ExtraTask, Note, PlanId, PlanRecord, PlanStatus, Settings};
use serde_json::Value;

mod common;

use common::Desk;

const PATIENT: &str = "Zoë Ångström";

/// The arguments of a PRP hair plan: preparation tasks (one for each session from the
/// smoking caution), three sessions and three follow-up visits.
const PRP_HAIR: &[&str] = &[
    "--modality",
    "injection",
    "--source",
    "autologous-prp",
    "--area",
    "scalp",
    "--indication",
    "androgenetic-alopecia",
    "--factor",
    "smoker",
    "--start",
    "2027-01-18",
];

/// What the export tests do on a desk whose settings name Dr. Vega.
impl Desk {
    /// The PRP hair plan of Zoë Ångström, with her date of birth and chart number.
    fn save_prp_hair(&self) -> String {
        self.save_plan_with(
            PRP_HAIR,
            &[
                "--patient-name",
                PATIENT,
                "--birth-date",
                "1985-03-04",
                "--patient-id",
                "H-77",
            ],
        )
    }

    /// Runs `export ID FLAG FILE --force` (a test exports again over its earlier
    /// export, as a clinic updating a calendar does) and returns what was written.
    fn export(&self, id: &str, flag: &str, name: &str) -> String {
        let file = self.dir.path().join(name);
        let output = self.run(&["export", id, flag, file.to_str().unwrap(), "--force"]);
        assert!(output.status.success(), "{}", common::stderr(&output));
        assert_eq!(common::stdout(&output).trim(), file.display().to_string());
        std::fs::read_to_string(&file).unwrap()
    }

    fn calendar(&self, id: &str) -> (String, Calendar) {
        let text = self.export(id, "--calendar", "plan.ics");
        let calendar: Calendar = text.parse().unwrap();
        (text, calendar)
    }

    fn fhir(&self, id: &str) -> Value {
        let text = self.export(id, "--fhir", "plan.fhir.json");
        assert!(text.ends_with("}\n"), "pretty JSON ending in a newline");
        serde_json::from_str(&text).unwrap()
    }

    /// The newest revision of a saved plan, with its number.
    fn record(&self, id: &str) -> (u32, PlanRecord) {
        let revision = self.store().load_plan(&plan_id(id)).unwrap();
        (revision.number, revision.value)
    }

    /// Saves the next revision of a plan after `change`.
    fn revise(&self, id: &str, change: impl FnOnce(&mut PlanRecord)) {
        let (number, mut record) = self.record(id);
        change(&mut record);
        self.store()
            .save_plan(&plan_id(id), number, &record, "Dr. Vega")
            .unwrap();
    }
}

fn plan_id(id: &str) -> PlanId {
    id.parse().unwrap()
}

fn naive(date: Date) -> NaiveDate {
    NaiveDate::from_ymd_opt(
        i32::from(date.year()),
        u32::try_from(date.month()).unwrap(),
        u32::try_from(date.day()).unwrap(),
    )
    .unwrap()
}

/// The events by UID; every UID is unique.
fn events_by_uid(calendar: &Calendar) -> BTreeMap<String, &Event> {
    let mut events = BTreeMap::new();
    for event in calendar.events() {
        let uid = event.get_uid().unwrap().to_owned();
        assert!(events.insert(uid.clone(), event).is_none(), "{uid} twice");
    }
    events
}

/// The all-day date of an event, after checking that it lasts exactly that day.
fn all_day(event: &Event) -> NaiveDate {
    let Some(DatePerhapsTime::Date(start)) = event.get_start() else {
        panic!("{:?} is not all-day", event.get_summary());
    };
    assert_eq!(
        event.get_end(),
        Some(DatePerhapsTime::Date(start.succ_opt().unwrap())),
        "an all-day event ends at the start of the next day"
    );
    start
}

/// The seconds of a negative RFC 5545 duration of hours, minutes and seconds
/// (`-PT15H`, `-PT54000S`).
fn seconds_before(duration: &str) -> i64 {
    let mut rest = duration
        .strip_prefix("-PT")
        .unwrap_or_else(|| panic!("{duration} is not a time before the start"));
    let mut seconds = 0;
    while !rest.is_empty() {
        let digits = rest.find(|c: char| !c.is_ascii_digit()).unwrap();
        let number: i64 = rest[..digits].parse().unwrap();
        seconds += number
            * match &rest[digits..=digits] {
                "H" => 3600,
                "M" => 60,
                "S" => 1,
                unit => panic!("unit {unit} in {duration}"),
            };
        rest = &rest[digits + 1..];
    }
    seconds
}

/// The one event whose date and description match, with the description's first line.
fn event_on<'a>(events: &[&'a Event], date: Date, description_start: &str) -> &'a Event {
    let found: Vec<&&Event> = events
        .iter()
        .filter(|event| {
            all_day(event) == naive(date)
                && event
                    .get_description()
                    .is_some_and(|text| text.starts_with(description_start))
        })
        .collect();
    assert_eq!(found.len(), 1, "one event on {date}: {description_start}");
    found[0]
}

#[test]
fn the_calendar_has_every_session_follow_up_and_task_on_its_day_with_a_reminder() {
    let desk = Desk::with_physician("Dr. Vega");
    let id = desk.save_prp_hair();
    let (_, record) = desk.record(&id);
    let plan = &record.plan;
    assert!(plan.sessions.len() >= 2 && !plan.follow_ups.is_empty());
    assert!(!plan.pre_procedure.is_empty());
    let (text, calendar) = desk.calendar(&id);
    assert!(text.contains("\r\n"), "RFC 5545 lines end in CRLF");

    let events = events_by_uid(&calendar);
    assert_eq!(
        events.len(),
        plan.sessions.len() + plan.follow_ups.len() + plan.pre_procedure.len()
    );
    assert_eq!(calendar.todos().count(), 0);
    let title = &plan.protocol.title;
    for session in &plan.sessions {
        let uid = format!("{id}-session-{}@regen-planner", session.number);
        let event = events[&uid];
        assert_eq!(all_day(event), naive(session.date), "{uid}");
        assert_eq!(
            event.get_summary(),
            Some(format!("{title}: session {}", session.number).as_str())
        );
        let description = event.get_description().unwrap();
        assert!(
            description.contains(&format!("{} minutes", session.duration_minutes)),
            "{description}"
        );
        for step in &session.steps {
            assert!(description.contains(&step.text), "{description}");
        }
    }
    let all: Vec<&Event> = events.values().copied().collect();
    for visit in &plan.follow_ups {
        let event = event_on(&all, visit.date, &format!("{title}: follow-up visit."));
        assert!(event.get_description().unwrap().contains(&visit.purpose));
        assert!(event.get_uid().unwrap().contains("-follow-up-"));
        assert!(event.get_summary().unwrap().contains(": follow-up, "));
    }
    for task in &plan.pre_procedure {
        let event = event_on(&all, task.due, &task.task);
        assert!(event.get_uid().unwrap().contains("-task-"));
    }

    for event in calendar.events() {
        let uid = event.get_uid().unwrap();
        assert!(uid.starts_with(&format!("{id}-")) && uid.ends_with("@regen-planner"));
        assert_eq!(event.get_sequence(), Some(0), "revision 1 is sequence 0");
        assert_eq!(event.get_status(), Some(EventStatus::Tentative), "a draft");
        let stamp = event.get_timestamp().unwrap();
        assert_eq!(
            stamp.time(),
            chrono::NaiveTime::MIN,
            "the day of the export"
        );
        let alarms: Vec<_> = event
            .components()
            .iter()
            .filter(|component| component.component_kind() == "VALARM")
            .collect();
        assert_eq!(alarms.len(), 1, "one reminder for {uid}");
        let alarm = alarms[0];
        assert_eq!(alarm.property_value("ACTION"), Some("DISPLAY"));
        assert_eq!(alarm.property_value("DESCRIPTION"), event.get_summary());
        // The crate's own Trigger parser reads no negative duration (ISO 8601 has no
        // sign), so the value is read here.
        let trigger = alarm.properties().get("TRIGGER").unwrap();
        assert_eq!(
            trigger
                .params()
                .get("RELATED")
                .map(icalendar::Parameter::value),
            Some("START")
        );
        assert_eq!(
            seconds_before(trigger.value()),
            15 * 3600,
            "the day before at 09:00"
        );
    }

    let unfolded = icalendar::parser::unfold(&text);
    for part in ["Zoë", "Ångström", "H-77", "1985"] {
        assert!(
            !unfolded.contains(part),
            "{part} is in the calendar without the clinic's opt-in"
        );
    }
}

#[test]
fn the_patient_name_is_in_the_titles_only_when_the_clinic_opts_in() {
    let desk = Desk::with_physician("Dr. Vega");
    let id = desk.save_prp_hair();
    Settings {
        physician_name: "Dr. Vega".into(),
        calendar_patient_names: true,
        ..Settings::default()
    }
    .save(&desk.config)
    .unwrap();
    let (_, record) = desk.record(&id);
    let (_, calendar) = desk.calendar(&id);
    let title = &record.plan.protocol.title;
    let events = events_by_uid(&calendar);
    assert_eq!(
        events[&format!("{id}-session-1@regen-planner")].get_summary(),
        Some(format!("{title}: session 1 ({PATIENT})").as_str())
    );
    for event in events.values() {
        let summary = event.get_summary().unwrap();
        assert!(summary.ends_with(&format!(" ({PATIENT})")), "{summary}");
    }
}

#[test]
fn uids_stay_the_same_across_exports_and_a_revision_that_moves_a_session() {
    let desk = Desk::with_physician("Dr. Vega");
    let id = desk.save_prp_hair();
    let (_, first) = desk.calendar(&id);
    let (_, again) = desk.calendar(&id);
    let first = events_by_uid(&first);
    let again = events_by_uid(&again);
    assert_eq!(
        first.keys().collect::<Vec<_>>(),
        again.keys().collect::<Vec<_>>()
    );

    // The physician moves session 2 by a week; the engine makes the plan again.
    let (_, record) = desk.record(&id);
    let old_date = record.plan.sessions[1].date;
    let wished = old_date.checked_add(7_i64.days()).unwrap();
    desk.revise(&id, |record| {
        record.request.moved_sessions.insert(2, wished);
        let (catalog, _) = Catalog::builtin();
        record.plan = generate(&catalog, &record.request).unwrap();
    });
    let (revision, record) = desk.record(&id);
    assert_eq!(revision, 2);
    let new_date = record.plan.sessions[1].date;
    assert_ne!(new_date, old_date);

    let (_, moved) = desk.calendar(&id);
    let moved = events_by_uid(&moved);
    assert_eq!(
        first.keys().collect::<Vec<_>>(),
        moved.keys().collect::<Vec<_>>(),
        "the same events, so a calendar app moves them instead of adding copies"
    );
    let session_2 = format!("{id}-session-2@regen-planner");
    assert_eq!(all_day(first[&session_2]), naive(old_date));
    assert_eq!(all_day(moved[&session_2]), naive(new_date));
    for (uid, event) in &moved {
        assert_eq!(event.get_sequence(), Some(1), "{uid}");
        assert!(event.get_sequence() > first[uid].get_sequence());
    }

    // Without the smoking caution its tasks go; no other item changes its UID, as it
    // would if UIDs were counted.
    desk.revise(&id, |record| {
        record.request.factors.clear();
        let (catalog, _) = Catalog::builtin();
        record.plan = generate(&catalog, &record.request).unwrap();
    });
    let (_, fewer) = desk.calendar(&id);
    let fewer = events_by_uid(&fewer);
    assert!(fewer.len() < moved.len(), "the smoking tasks are gone");
    for (uid, event) in &fewer {
        assert!(moved.contains_key(uid), "{uid} is new");
        assert_eq!(all_day(event), all_day(moved[uid]), "{uid}");
        assert_eq!(event.get_sequence(), Some(2), "{uid}");
    }
}

#[test]
fn a_cancelled_plan_cancels_its_events_and_drops_their_reminders() {
    let desk = Desk::with_physician("Dr. Vega");
    let id = desk.save_prp_hair();
    let (_, before) = desk.calendar(&id);
    desk.revise(&id, |record| record.status = PlanStatus::Cancelled);
    let (_, after) = desk.calendar(&id);
    let before = events_by_uid(&before);
    let after = events_by_uid(&after);
    assert_eq!(
        before.keys().collect::<Vec<_>>(),
        after.keys().collect::<Vec<_>>()
    );
    for (uid, event) in &after {
        assert_eq!(event.get_status(), Some(EventStatus::Cancelled), "{uid}");
        assert_eq!(event.get_sequence(), Some(1), "{uid}");
        assert!(event.components().is_empty(), "no reminder for {uid}");
    }
}

#[test]
fn active_and_completed_plans_have_confirmed_events() {
    let desk = Desk::with_physician("Dr. Vega");
    let id = desk.save_prp_hair();
    for status in [PlanStatus::Active, PlanStatus::Completed] {
        desk.revise(&id, |record| record.status = status);
        let (_, calendar) = desk.calendar(&id);
        for event in calendar.events() {
            assert_eq!(event.get_status(), Some(EventStatus::Confirmed), "{status}");
        }
    }
}

/// The document the command line would make (default settings), with a fixed day of
/// export.
fn document(desk: &Desk, id: &str, generated_on: Date) -> Document {
    regen_planner::desk::export_document(
        &desk.store(),
        &plan_id(id),
        &Settings::default(),
        regen_planner::catalog::Catalog::builtin().0.scales(),
        generated_on,
    )
    .unwrap()
}

#[test]
fn the_same_document_gives_the_same_bytes_with_no_clock_in_them() {
    let desk = Desk::with_physician("Dr. Vega");
    let id = desk.save_prp_hair();
    let day = Date::new(2027, 1, 10).unwrap();
    let document = document(&desk, &id, day);
    let calendar = export::calendar_ics(&document).unwrap();
    assert_eq!(calendar, export::calendar_ics(&document).unwrap());
    let stamps: BTreeSet<&str> = calendar
        .lines()
        .filter(|line| line.starts_with("DTSTAMP:"))
        .collect();
    assert_eq!(stamps, BTreeSet::from(["DTSTAMP:20270110T000000Z"]));
    let parsed: Calendar = calendar.parse().unwrap();
    let midnight = naive(day).and_hms_opt(0, 0, 0).unwrap().and_utc();
    for event in parsed.events() {
        assert_eq!(event.get_timestamp(), Some(midnight));
    }
    let bundle = export::fhir_bundle_json(&document).unwrap();
    assert_eq!(bundle, export::fhir_bundle_json(&document).unwrap());
}

/// The entry of the bundle whose resource has this type.
fn entry<'a>(bundle: &'a Value, resource_type: &str) -> &'a Value {
    let found: Vec<&Value> = bundle["entry"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|entry| entry["resource"]["resourceType"] == resource_type)
        .collect();
    assert_eq!(found.len(), 1, "one {resource_type}");
    found[0]
}

fn is_fhir_date(text: &str) -> bool {
    text.len() == 10
        && text.char_indices().all(|(index, character)| match index {
            4 | 7 => character == '-',
            _ => character.is_ascii_digit(),
        })
        && text.parse::<Date>().is_ok()
}

/// FHIR R4 value sets of the coded elements the export writes.
const CARE_PLAN_STATUSES: &[&str] = &[
    "draft",
    "active",
    "on-hold",
    "revoked",
    "completed",
    "entered-in-error",
    "unknown",
];
const CARE_PLAN_INTENTS: &[&str] = &["proposal", "plan", "order", "option"];
const ACTIVITY_KINDS: &[&str] = &[
    "Appointment",
    "CommunicationRequest",
    "DeviceRequest",
    "MedicationRequest",
    "NutritionOrder",
    "Task",
    "ServiceRequest",
    "VisionPrescription",
];
const ACTIVITY_STATUSES: &[&str] = &[
    "not-started",
    "scheduled",
    "in-progress",
    "on-hold",
    "completed",
    "cancelled",
    "stopped",
    "unknown",
    "entered-in-error",
];
const NAME_USES: &[&str] = &[
    "usual",
    "official",
    "temp",
    "nickname",
    "anonymous",
    "old",
    "maiden",
];

fn one_of(value: &Value, codes: &[&str], what: &str) {
    let code = value.as_str().unwrap_or_default();
    assert!(
        codes.contains(&code),
        "{what} {value} is not one of {codes:?}"
    );
}

/// FHIR JSON has no null and no empty string, array or object; dates are `YYYY-MM-DD`.
fn assert_no_empty_values_and_iso_dates(path: &str, value: &Value) {
    match value {
        Value::Null => panic!("{path} is null"),
        Value::String(text) => assert!(!text.trim().is_empty(), "{path} is empty"),
        Value::Array(items) => {
            assert!(!items.is_empty(), "{path} is an empty array");
            for (index, item) in items.iter().enumerate() {
                assert_no_empty_values_and_iso_dates(&format!("{path}[{index}]"), item);
            }
        }
        Value::Object(fields) => {
            assert!(!fields.is_empty(), "{path} is an empty object");
            for (key, item) in fields {
                let path = format!("{path}.{key}");
                if matches!(key.as_str(), "birthDate" | "start" | "end") {
                    let text = item.as_str().unwrap_or_default();
                    assert!(is_fhir_date(text), "{path} is {item}, not YYYY-MM-DD");
                }
                assert_no_empty_values_and_iso_dates(&path, item);
            }
        }
        Value::Bool(_) | Value::Number(_) => {}
    }
}

/// The required elements and codes of a `CarePlan`; its subject must be one of `urls`.
fn assert_care_plan_shape(care_plan: &Value, urls: &BTreeSet<&str>) {
    one_of(&care_plan["status"], CARE_PLAN_STATUSES, "CarePlan.status");
    one_of(&care_plan["intent"], CARE_PLAN_INTENTS, "CarePlan.intent");
    let subject = care_plan["subject"]["reference"].as_str().unwrap();
    assert!(urls.contains(subject), "the subject {subject} resolves");
    for activity in care_plan["activity"].as_array().into_iter().flatten() {
        let detail = &activity["detail"];
        one_of(&detail["kind"], ACTIVITY_KINDS, "activity.detail.kind");
        one_of(
            &detail["status"],
            ACTIVITY_STATUSES,
            "activity.detail.status",
        );
        assert!(detail["code"]["text"].is_string());
    }
    for note in care_plan["note"].as_array().into_iter().flatten() {
        assert!(note["text"].is_string());
    }
}

/// The rules of FHIR R4 JSON this export relies on: no empty or null values, dates as
/// `YYYY-MM-DD`, the required elements of each resource, codes from their value sets,
/// unique `urn:uuid:` full URLs, and references that resolve inside the bundle.
fn assert_fhir_shape(bundle: &Value) {
    assert_no_empty_values_and_iso_dates("Bundle", bundle);
    assert_eq!(bundle["resourceType"], "Bundle");
    one_of(
        &bundle["type"],
        &["collection", "transaction", "batch", "document"],
        "Bundle.type",
    );
    let entries = bundle["entry"].as_array().unwrap();
    let urls: BTreeSet<&str> = entries
        .iter()
        .map(|entry| entry["fullUrl"].as_str().unwrap())
        .collect();
    assert_eq!(urls.len(), entries.len(), "full URLs are unique");
    for url in &urls {
        let uuid = url.strip_prefix("urn:uuid:").unwrap();
        assert!(uuid::Uuid::try_parse(uuid).is_ok(), "{url}");
    }
    for entry in entries {
        let resource = &entry["resource"];
        assert!(resource.get("id").is_none(), "urn:uuid entries carry no id");
        match resource["resourceType"].as_str().unwrap() {
            "Patient" => {
                for name in resource["name"].as_array().into_iter().flatten() {
                    one_of(&name["use"], NAME_USES, "Patient.name.use");
                }
            }
            "CarePlan" => assert_care_plan_shape(resource, &urls),
            other => panic!("unexpected resource {other}"),
        }
    }
}

#[test]
fn the_fhir_bundle_holds_the_patient_and_a_care_plan_with_every_date() {
    let desk = Desk::with_physician("Dr. Vega");
    let id = desk.save_prp_hair();
    let (_, record) = desk.record(&id);
    let plan: &Plan = &record.plan;
    let bundle = desk.fhir(&id);
    assert_fhir_shape(&bundle);
    assert_eq!(bundle["resourceType"], "Bundle");
    assert_eq!(bundle["type"], "collection");
    assert_eq!(bundle["entry"].as_array().unwrap().len(), 2);

    let patient_entry = entry(&bundle, "Patient");
    let patient = &patient_entry["resource"];
    assert_eq!(patient["name"][0]["text"], PATIENT);
    assert_eq!(patient["birthDate"], "1985-03-04");
    assert_eq!(patient["identifier"][0]["value"], "H-77");
    assert_eq!(patient["identifier"][0]["type"]["coding"][0]["code"], "MR");

    let care_plan_entry = entry(&bundle, "CarePlan");
    let care_plan = &care_plan_entry["resource"];
    assert_eq!(care_plan["subject"]["reference"], patient_entry["fullUrl"]);
    assert_eq!(care_plan["status"], "draft");
    assert_eq!(care_plan["intent"], "plan");
    assert_eq!(care_plan["title"], plan.protocol.title.as_str());
    assert_eq!(care_plan["description"], plan.summary.as_str());
    let identifier = care_plan["identifier"][0]["value"].as_str().unwrap();
    assert_eq!(identifier.replace('-', ""), format!("urn:uuid:{id}"));
    assert_eq!(care_plan_entry["fullUrl"], identifier);

    let activities = care_plan["activity"].as_array().unwrap();
    assert_eq!(
        activities.len(),
        plan.pre_procedure.len() + plan.sessions.len() + plan.follow_ups.len()
    );
    let scheduled = |kind: &str| -> Vec<(String, String)> {
        activities
            .iter()
            .map(|activity| &activity["detail"])
            .filter(|detail| detail["kind"] == kind)
            .map(|detail| {
                assert_eq!(detail["status"], "scheduled");
                let period = &detail["scheduledPeriod"];
                let day = period["start"].as_str().unwrap_or_default().to_owned();
                let end = period["end"].as_str().unwrap().to_owned();
                (day, end)
            })
            .collect()
    };
    let sessions: Vec<(String, String)> = plan
        .sessions
        .iter()
        .map(|session| (session.date.to_string(), session.date.to_string()))
        .collect();
    assert_eq!(scheduled("ServiceRequest"), sessions);
    let visits: Vec<(String, String)> = plan
        .follow_ups
        .iter()
        .map(|visit| (visit.date.to_string(), visit.date.to_string()))
        .collect();
    assert_eq!(scheduled("Appointment"), visits);
    let tasks: Vec<(String, String)> = plan
        .pre_procedure
        .iter()
        .map(|task| (String::new(), task.due.to_string()))
        .collect();
    assert_eq!(scheduled("Task"), tasks, "a task is due by its day");

    let first = plan
        .pre_procedure
        .iter()
        .map(|task| task.due)
        .min()
        .unwrap();
    let last = plan
        .follow_ups
        .iter()
        .map(|visit| visit.date)
        .max()
        .unwrap();
    assert_eq!(care_plan["period"]["start"], first.to_string());
    assert_eq!(care_plan["period"]["end"], last.to_string());

    let notes: Vec<&str> = care_plan["note"]
        .as_array()
        .unwrap()
        .iter()
        .map(|note| note["text"].as_str().unwrap())
        .collect();
    assert_eq!(
        notes[0],
        format!("Regulatory status: {}.", plan.regulatory.status.label())
    );
    for warning in &plan.warnings {
        assert!(
            notes.iter().any(|note| note.contains(&warning.message)),
            "{}",
            warning.message
        );
    }
}

#[test]
fn the_care_plan_status_follows_the_plan_status() {
    let desk = Desk::with_physician("Dr. Vega");
    let id = desk.save_prp_hair();
    let check = |status: PlanStatus, care_plan_status: &str, activity_status: &str| {
        desk.revise(&id, |record| record.status = status);
        let bundle = desk.fhir(&id);
        assert_fhir_shape(&bundle);
        let care_plan = &entry(&bundle, "CarePlan")["resource"];
        assert_eq!(care_plan["status"], care_plan_status, "{status}");
        for activity in care_plan["activity"].as_array().unwrap() {
            assert_eq!(activity["detail"]["status"], activity_status, "{status}");
        }
    };
    check(PlanStatus::Active, "active", "scheduled");
    check(PlanStatus::Completed, "completed", "completed");
    check(PlanStatus::Cancelled, "revoked", "cancelled");
    check(PlanStatus::Draft, "draft", "scheduled");
}

#[test]
fn a_patient_known_only_by_name_and_a_plan_without_sessions_still_make_valid_exports() {
    let desk = Desk::with_physician("Dr. Vega");
    let mut args = PRP_HAIR.to_vec();
    args.extend(["--factor", "no-living-follicles"]);
    let id = desk.save_plan_with(&args, &["--patient-name", "Ana Souza"]);
    let (_, record) = desk.record(&id);
    assert!(!record.plan.candidate && record.plan.sessions.is_empty());

    let bundle = desk.fhir(&id);
    assert_fhir_shape(&bundle);
    let patient = &entry(&bundle, "Patient")["resource"];
    assert_eq!(patient["name"][0]["text"], "Ana Souza");
    assert!(patient.get("birthDate").is_none() && patient.get("identifier").is_none());
    let care_plan = &entry(&bundle, "CarePlan")["resource"];
    assert!(care_plan.get("period").is_none() && care_plan.get("activity").is_none());
    let notes = care_plan["note"].as_array().unwrap();
    assert!(
        notes.iter().any(|note| note["text"]
            .as_str()
            .unwrap()
            .starts_with("Not a candidate: ")),
        "{notes:?}"
    );

    let (_, calendar) = desk.calendar(&id);
    assert_eq!(calendar.events().count(), 0);
}

#[test]
fn the_json_export_is_byte_for_byte_the_plan_command_s_json() {
    let desk = Desk::with_physician("Dr. Vega");
    let id = desk.save_prp_hair();
    let exported = desk.export(&id, "--json", "plan.json");
    let mut args = vec!["plan"];
    args.extend_from_slice(PRP_HAIR);
    args.extend(["--format", "json"]);
    let printed = desk.run(&args);
    assert!(printed.status.success(), "{}", common::stderr(&printed));
    assert_eq!(exported.as_bytes(), printed.stdout.as_slice());
}

#[test]
fn one_command_writes_every_export_asked_for() {
    let desk = Desk::with_physician("Dr. Vega");
    let id = desk.save_prp_hair();
    let folder = desk.dir.path();
    let files = ["plan.json", "plan.ics", "plan.fhir.json"].map(|name| folder.join(name));
    let [json, ics, fhir] = files.each_ref().map(|path| path.to_str().unwrap());
    let output = desk.run(&[
        "export",
        &id,
        "--json",
        json,
        "--calendar",
        ics,
        "--fhir",
        fhir,
    ]);
    assert!(output.status.success(), "{}", common::stderr(&output));
    assert_eq!(common::stdout(&output), format!("{json}\n{ics}\n{fhir}\n"));
    for path in &files {
        assert!(
            std::fs::metadata(path).unwrap().len() > 100,
            "{}",
            path.display()
        );
    }
}

#[test]
fn export_without_a_file_says_what_can_be_exported() {
    let desk = Desk::with_physician("Dr. Vega");
    let id = desk.save_prp_hair();
    let output = desk.run(&["export", &id]);
    assert!(!output.status.success());
    let message = common::stderr(&output);
    for flag in [
        "--json OUT",
        "--handout OUT.pdf",
        "--consent OUT.pdf",
        "--calendar OUT.ics",
        "--fhir OUT.json",
    ] {
        assert!(message.contains(flag), "{message}");
    }
}

#[test]
fn an_export_that_cannot_be_written_says_which_file() {
    let desk = Desk::with_physician("Dr. Vega");
    let id = desk.save_prp_hair();
    // A missing folder is created; a folder that is really a file cannot be.
    let blocker = desk.dir.path().join("not-a-folder");
    std::fs::write(&blocker, "a file").unwrap();
    let file: PathBuf = blocker.join("plan.ics");
    let output = desk.run(&["export", &id, "--calendar", file.to_str().unwrap()]);
    assert!(!output.status.success());
    let message = common::stderr(&output);
    assert!(message.contains(&file.display().to_string()), "{message}");
    assert!(!Path::new(&file).exists());
}

#[test]
fn an_export_into_a_new_folder_creates_it() {
    let desk = Desk::with_physician("Dr. Vega");
    let id = desk.save_prp_hair();
    let file: PathBuf = desk.dir.path().join("exports").join("plan.ics");
    let output = desk.run(&["export", &id, "--calendar", file.to_str().unwrap()]);
    assert!(output.status.success(), "{}", common::stderr(&output));
    assert!(file.is_file());
}

/// A change that breaks a valid bundle.
type Breaking = fn(&mut Value);

#[test]
fn the_shape_check_rejects_what_fhir_forbids() {
    let desk = Desk::with_physician("Dr. Vega");
    let id = desk.save_prp_hair();
    let bundle = desk.fhir(&id);
    assert_fhir_shape(&bundle);
    let broken: [(&str, Breaking); 5] = [
        ("a date with a time", |bundle| {
            bundle["entry"][0]["resource"]["birthDate"] = "1985-03-04T00:00:00Z".into();
        }),
        ("a dangling subject", |bundle| {
            bundle["entry"][1]["resource"]["subject"]["reference"] = "Patient/1".into();
        }),
        ("an empty string", |bundle| {
            bundle["entry"][1]["resource"]["title"] = "".into();
        }),
        ("an unknown status", |bundle| {
            bundle["entry"][1]["resource"]["status"] = "cancelled".into();
        }),
        ("a missing intent", |bundle| {
            bundle["entry"][1]["resource"]
                .as_object_mut()
                .unwrap()
                .remove("intent");
        }),
    ];
    for (what, breaking) in broken {
        let mut copy = bundle.clone();
        breaking(&mut copy);
        let checked = std::panic::catch_unwind(|| assert_fhir_shape(&copy));
        assert!(checked.is_err(), "the shape check let {what} through");
    }
}

#[test]
fn an_export_to_a_bare_file_name_lands_in_the_current_folder() {
    let desk = Desk::with_physician("Dr. Vega");
    let id = desk.save_prp_hair();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_regen-planner"))
        .args(["export", &id, "--calendar", "plan.ics"])
        .current_dir(desk.dir.path())
        .env("REGEN_PLANNER_DATA_DIR", &desk.data)
        .env("REGEN_PLANNER_CONFIG_DIR", &desk.config)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", common::stderr(&output));
    assert!(desk.dir.path().join("plan.ics").is_file());
}

/// Adds to a plan a dated task, an undated one and a note; returns the dated task's day.
fn add_tasks_and_a_note(desk: &Desk, id: &str) -> Date {
    let due = Date::new(2027, 1, 6).unwrap();
    desk.revise(id, |record| {
        record.extra_tasks.push(ExtraTask {
            withdrawn: false,
            text: PHOTOS_TASK.into(),
            due: Some(due),
            audience: regen_planner::catalog::Audience::Patient,
        });
        record.extra_tasks.push(ExtraTask {
            withdrawn: false,
            text: "Ask the GP for the thyroid results".into(),
            due: None,
            audience: regen_planner::catalog::Audience::Patient,
        });
        record.notes.push(Note {
            written_at: "2027-01-04T09:30:15.5Z".parse().unwrap(),
            author: "Dr. Vega".into(),
            text: "Prefers morning appointments.".into(),
        });
    });
    due
}

const PHOTOS_TASK: &str = "Bring the scalp photographs from the dermatologist";

/// The UID of the event whose description starts with `text`.
fn uid_of_event(calendar: &Calendar, text: &str) -> String {
    events_by_uid(calendar)
        .into_iter()
        .find(|(_, event)| {
            event
                .get_description()
                .is_some_and(|description| description.starts_with(text))
        })
        .map_or_else(|| panic!("no event for {text}"), |(uid, _)| uid)
}

/// The care plan activity whose code is `text`.
fn activity_detail<'a>(care_plan: &'a Value, text: &str) -> &'a Value {
    care_plan["activity"]
        .as_array()
        .unwrap()
        .iter()
        .map(|activity| &activity["detail"])
        .find(|detail| detail["code"]["text"] == text)
        .unwrap_or_else(|| panic!("no activity {text}"))
}

#[test]
fn the_physician_s_tasks_reach_the_calendar_and_the_record_with_the_notes() {
    let desk = Desk::with_physician("Dr. Vega");
    let id = desk.save_prp_hair();
    let (_, before) = desk.calendar(&id);
    let due = add_tasks_and_a_note(&desk, &id);

    let (_, calendar) = desk.calendar(&id);
    let events = events_by_uid(&calendar);
    assert_eq!(
        events.len(),
        events_by_uid(&before).len() + 1,
        "only the dated task"
    );
    let task = events[&uid_of_event(&calendar, PHOTOS_TASK)];
    assert_eq!(all_day(task), naive(due));
    assert!(
        task.get_description()
            .unwrap()
            .contains("added to the plan by the physician")
    );
    let (_, again) = desk.calendar(&id);
    assert_eq!(
        events.keys().collect::<Vec<_>>(),
        events_by_uid(&again).keys().collect::<Vec<_>>(),
        "the task's UID is stable"
    );

    let bundle = desk.fhir(&id);
    assert_fhir_shape(&bundle);
    let care_plan = &entry(&bundle, "CarePlan")["resource"];
    let dated = activity_detail(care_plan, PHOTOS_TASK);
    assert_eq!(dated["kind"], "Task");
    assert_eq!(dated["scheduledPeriod"]["end"], "2027-01-06");
    let undated = activity_detail(care_plan, "Ask the GP for the thyroid results");
    assert_eq!(undated["kind"], "Task");
    assert!(undated.get("scheduledPeriod").is_none());
    let note = care_plan["note"]
        .as_array()
        .unwrap()
        .iter()
        .find(|note| note["text"] == "Prefers morning appointments.")
        .expect("the physician's note is in the care plan");
    assert_eq!(note["authorString"], "Dr. Vega");
    assert_eq!(note["time"], "2027-01-04T09:30:15Z");
}

#[test]
fn a_withdrawn_task_cancels_its_event_and_its_activity() {
    let desk = Desk::with_physician("Dr. Vega");
    let id = desk.save_prp_hair();
    add_tasks_and_a_note(&desk, &id);
    let (_, calendar) = desk.calendar(&id);
    let task_uid = uid_of_event(&calendar, PHOTOS_TASK);

    desk.revise(&id, |record| record.extra_tasks[0].withdrawn = true);
    let (_, calendar) = desk.calendar(&id);
    let events = events_by_uid(&calendar);
    let cancelled = events[&task_uid];
    assert_eq!(cancelled.get_status(), Some(EventStatus::Cancelled));
    assert!(
        !cancelled
            .components()
            .iter()
            .any(|component| component.component_kind() == "VALARM"),
        "no reminder for a withdrawn task"
    );
    for (uid, event) in events.iter().filter(|(uid, _)| **uid != task_uid) {
        assert_eq!(event.get_status(), Some(EventStatus::Tentative), "{uid}");
    }
    let bundle = desk.fhir(&id);
    assert_fhir_shape(&bundle);
    let care_plan = &entry(&bundle, "CarePlan")["resource"];
    assert_eq!(
        activity_detail(care_plan, PHOTOS_TASK)["status"],
        "cancelled"
    );
}

#[test]
fn items_ticked_off_are_completed_activities_with_their_time() {
    let desk = Desk::with_physician("Dr. Vega");
    let id = desk.save_prp_hair();
    let (_, record) = desk.record(&id);
    let first_task = record.plan.pre_procedure[0].task.clone();
    let at: jiff::Timestamp = "2027-01-11T08:15:00Z".parse().unwrap();
    desk.revise(&id, |record| {
        record
            .checklist
            .insert(regen_planner::planning::checklist_keys::session(1), at);
        record.checklist.insert(
            regen_planner::planning::checklist_keys::pre(&first_task),
            at,
        );
    });
    let bundle = desk.fhir(&id);
    assert_fhir_shape(&bundle);
    let care_plan = &entry(&bundle, "CarePlan")["resource"];
    let title = record.plan.protocol.title;
    for code in [format!("{title}: session 1"), first_task] {
        let detail = activity_detail(care_plan, &code);
        assert_eq!(detail["status"], "completed", "{code}");
        assert!(
            detail["description"]
                .as_str()
                .unwrap()
                .ends_with("Ticked off as done at 2027-01-11T08:15:00Z."),
            "{detail}"
        );
    }
    assert_eq!(
        activity_detail(care_plan, &format!("{title}: session 2"))["status"],
        "scheduled"
    );
}

/// Text meant to break out of any format: line breaks that would start a new
/// calendar property or event, RFC 5545's separators, a terminal colour code, NUL,
/// a direction override, JSON and PDF syntax.
const HOSTILE: &str = "Ana\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nSUMMARY:injected;x=1,y\\z\nX-EVIL:1\u{1b}[31mred\u{0}nul\u{202e}rev\", \"}]) >> /Type /Page";

/// A saved plan's document with hostile text everywhere a person types: the name, the
/// clinic, the notes and tasks, and the plan's own text as a hand-edited file could
/// hold it.
fn hostile_document() -> (Document, Document) {
    let desk = Desk::new();
    let id = desk.save_prp_hair();
    desk.revise(&id, |record| {
        record.extra_tasks.push(ExtraTask {
            text: "plain task".into(),
            due: Some(Date::new(2027, 2, 1).unwrap()),
            withdrawn: false,
            audience: regen_planner::catalog::Audience::Patient,
        });
    });
    let plain = document(&desk, &id, Date::new(2027, 1, 10).unwrap());
    let mut hostile = plain.clone();
    hostile.calendar_patient_names = true;
    HOSTILE.clone_into(&mut hostile.patient.name);
    hostile.patient.clinic_id = Some(HOSTILE.to_owned());
    HOSTILE.clone_into(&mut hostile.clinic.name);
    HOSTILE.clone_into(&mut hostile.clinic.physician);
    HOSTILE.clone_into(&mut hostile.extra_tasks[0].text);
    hostile.notes.push(regen_planner::export::PhysicianNote {
        written_at: "2027-01-05T10:00:00Z".parse().unwrap(),
        author: HOSTILE.to_owned(),
        text: HOSTILE.to_owned(),
    });
    HOSTILE.clone_into(&mut hostile.plan.summary);
    hostile.plan.protocol.title = format!("Title {HOSTILE}");
    HOSTILE.clone_into(&mut hostile.plan.follow_ups[0].purpose);
    let mut plain = plain;
    plain.calendar_patient_names = true;
    (plain, hostile)
}

/// Whether a text holds a control character other than the line ends allowed.
fn raw_controls(text: &str, allowed: &[char]) -> Vec<char> {
    text.chars()
        .filter(|c| regen_planner::untrusted::is_unsafe_to_show(*c) && !allowed.contains(c))
        .collect()
}

#[test]
fn hostile_text_cannot_add_or_change_calendar_properties() {
    let (plain, hostile) = hostile_document();
    let expected = export::calendar_ics(&plain).unwrap();
    let text = export::calendar_ics(&hostile).unwrap();
    assert!(
        raw_controls(&text, &['\r', '\n']).is_empty(),
        "{:?}",
        raw_controls(&text, &['\r', '\n'])
    );
    // Every line ends in CRLF, and a line that does not start a property continues the
    // one before it (folding).
    let unfolded = text.replace("\r\n ", "").replace("\r\n\t", "");
    let names = |ics: &str| -> Vec<String> {
        ics.split("\r\n")
            .filter(|line| !line.is_empty())
            .map(|line| {
                let end = line
                    .find([':', ';'])
                    .unwrap_or_else(|| panic!("not a property: {line:?}"));
                let name = &line[..end];
                assert!(
                    !name.is_empty() && name.bytes().all(|b| b.is_ascii_uppercase() || b == b'-'),
                    "a line that is not a property: {line:?}"
                );
                name.to_owned()
            })
            .collect()
    };
    let expected_unfolded = expected.replace("\r\n ", "").replace("\r\n\t", "");
    assert_eq!(
        names(&unfolded),
        names(&expected_unfolded),
        "the hostile text changed which properties the calendar has"
    );
    assert!(!unfolded.contains("\r\nX-EVIL"), "{unfolded}");
    assert!(!unfolded.contains("\r\nSUMMARY:injected"));
    // What a calendar app reads back is the text, on one line where it must be.
    let parsed: Calendar = text.parse().unwrap();
    // NAME is read back as written (escaped, as RFC 5545 TEXT is), on one line.
    let name = parsed.get_name().unwrap();
    assert!(
        name.contains("END:VEVENT BEGIN:VEVENT SUMMARY:injected\\;x=1\\,y\\\\z X-EVIL:1"),
        "{name}"
    );
    for event in parsed.events() {
        let summary = event.get_summary().unwrap();
        assert!(!summary.contains('\n'), "{summary:?}");
    }
}

#[test]
fn hostile_text_is_carried_exactly_in_json_and_fhir() {
    let (_, hostile) = hostile_document();
    // JSON escapes what JSON must (every character below U+0020); the rest is data.
    let below_space = |text: &str| text.chars().filter(|c| *c < ' ' && *c != '\n').count();
    let json = export::plan_json(&hostile.plan).unwrap();
    assert_eq!(below_space(&json), 0);
    let value: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(value["summary"], HOSTILE, "the JSON changed the text");
    let bundle = export::fhir_bundle_json(&hostile).unwrap();
    assert_eq!(below_space(&bundle), 0);
    let bundle: Value = serde_json::from_str(&bundle).unwrap();
    let entries = bundle["entry"].as_array().unwrap();
    let patient = entries
        .iter()
        .find(|entry| entry["resource"]["resourceType"] == "Patient")
        .unwrap();
    assert_eq!(patient["resource"]["name"][0]["text"], HOSTILE);
    assert_eq!(entries.len(), 2, "the text added a resource");
}

#[test]
fn hostile_text_is_shown_not_obeyed_in_the_text_listing() {
    let (plain, hostile) = hostile_document();
    let expected = export::plan_text(&plain.plan);
    let text = export::plan_text(&hostile.plan);
    assert!(
        raw_controls(&text, &['\n']).is_empty(),
        "{:?}",
        raw_controls(&text, &['\n'])
    );
    assert_eq!(
        text.lines().count(),
        expected.lines().count(),
        "a line break in the text printed a line of its own"
    );
    assert!(text.contains("Ana\\r\\nEND:VEVENT"), "{text}");
    assert!(text.contains("\\u{1b}[31mred\\0nul\\u{202e}rev"), "{text}");
}

#[test]
fn hostile_text_in_the_pdfs_is_drawn_as_text() {
    let (_, mut hostile) = hostile_document();
    // The PDFs' fonts draw the text; the name and the clinic show what is left of it.
    hostile.patient.name = "Ana\nFORGED\u{1b}[31m\u{0}Souza".to_owned();
    for (kind, bytes) in [
        ("handout", export::handout_pdf(&hostile).unwrap()),
        ("consent", export::consent_pdf(&hostile).unwrap()),
    ] {
        assert!(bytes.starts_with(b"%PDF-"), "{kind}");
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("out.pdf");
        std::fs::write(&file, &bytes).unwrap();
        let output = std::process::Command::new("pdftotext")
            .args(["-enc", "UTF-8"])
            .arg(&file)
            .arg("-")
            .output()
            .unwrap_or_else(|error| {
                panic!("pdftotext could not run ({error}); install poppler-utils")
            });
        assert!(output.status.success(), "{kind}: pdftotext failed");
        let text = String::from_utf8(output.stdout).unwrap();
        assert!(
            raw_controls(&text, &['\n', '\u{c}']).is_empty(),
            "{kind}: {:?}",
            raw_controls(&text, &['\n', '\u{c}'])
        );
        assert!(
            text.contains("Souza"),
            "{kind}: the name is missing:\n{text}"
        );
    }
}
