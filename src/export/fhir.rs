//! The plan as an HL7 FHIR R4 `Bundle` holding a `Patient` and a `CarePlan`, so an
//! electronic medical record (EMR) can import it.
//!
//! Small serde structs, not a full FHIR model: they hold only the elements this export
//! writes, in the order the specification lists them, with `resourceType` first.

use std::fmt::Write as _;

use jiff::civil::Date;
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::{Document, ExportError, PerformedSession, ScoreLine, session_details};
use crate::planning::checklist_keys as keys;
use crate::planning::{AdverseEvent, MaterialKind, PlanStatus, SessionRecord};

/// The code system of HL7 version 2 identifier types (table 0203), for the chart number.
const IDENTIFIER_TYPES: &str = "http://terminology.hl7.org/CodeSystem/v2-0203";

/// The identifier system for an identifier that is itself a URI (here `urn:uuid:...`).
const URI_SYSTEM: &str = "urn:ietf:rfc:3986";

/// The plan as a FHIR R4 `Bundle` of type `collection`, pretty JSON ending in a newline.
///
/// The bundle holds a `Patient` (name, date of birth, the clinic's chart number when
/// there is one) and a `CarePlan` whose subject refers to it by the patient entry's
/// `fullUrl`. The care plan has the plan's status (a cancelled plan is `revoked`), the
/// protocol as title, the summary as description, the period from the first to the last
/// dated item, one activity per preparation task (`Task`), session (`ServiceRequest`)
/// and follow-up visit (`Appointment`) with its date, notes with the regulatory status
/// and the warnings, and the plan id as identifier.
///
/// A `collection`, not a `transaction`: the export is a document handed to another
/// system, not a command to it. A transaction would have to say how the receiving server
/// finds the patient (a conditional create needs an identifier system that belongs to
/// the clinic, which the app does not know; without one every import would create
/// another patient). In a collection, references resolve inside the bundle through the
/// `urn:uuid:` full URLs, and the EMR's own import matches the patient by its rules.
/// The UUIDs come from the plan id, so the same plan gives the same bundle.
///
/// # Errors
/// Only if serialization fails, which the bundle's types do not allow in practice.
pub fn fhir_bundle_json(document: &Document) -> Result<String, ExportError> {
    let status = document.status;
    let plan_uuid = plan_uuid(&document.plan_id);
    let patient_url = format!(
        "urn:uuid:{}",
        name_based_uuid(&format!("patient {plan_uuid}"))
    );
    let care_plan_url = format!("urn:uuid:{plan_uuid}");
    let links = Links {
        plan_uuid,
        patient: patient_url.clone(),
        care_plan: care_plan_url.clone(),
    };
    let mut entry = vec![
        Entry {
            full_url: patient_url.clone(),
            resource: Resource::Patient(patient(document)),
        },
        Entry {
            full_url: care_plan_url.clone(),
            resource: Resource::CarePlan(Box::new(care_plan(
                document,
                status,
                &care_plan_url,
                &patient_url,
                &links,
            ))),
        },
    ];
    for performed in &document.performed {
        entry.extend(performed_entries(document, performed, &links));
    }
    entry.extend(
        document
            .score_lines
            .iter()
            .enumerate()
            .map(|(index, score)| observation(score, index, &links)),
    );
    let bundle = Bundle {
        resource_type: "Bundle",
        kind: "collection",
        entry,
    };
    let mut text = serde_json::to_string_pretty(&bundle)?;
    text.push('\n');
    Ok(text)
}

fn patient(document: &Document) -> Patient {
    let details = &document.patient;
    let identifier = details
        .clinic_id
        .as_deref()
        .map(str::trim)
        .filter(|id| !id.is_empty())
        .map(|id| Identifier {
            use_: Some("usual"),
            kind: Some(CodeableConcept {
                coding: vec![Coding {
                    system: IDENTIFIER_TYPES,
                    code: "MR",
                    display: "Medical record number",
                }],
                text: "Clinic chart number".to_owned(),
            }),
            system: None,
            value: id.to_owned(),
        })
        .into_iter()
        .collect();
    let name = details.name.trim();
    Patient {
        identifier,
        name: if name.is_empty() {
            Vec::new()
        } else {
            vec![HumanName {
                use_: "official",
                text: name.to_owned(),
            }]
        },
        birth_date: details.birth_date.map(iso_date),
    }
}

fn care_plan(
    document: &Document,
    status: PlanStatus,
    care_plan_url: &str,
    patient_url: &str,
    links: &Links,
) -> CarePlan {
    let plan = &document.plan;
    let physician = document.clinic.physician.trim();
    let patient_name = document.patient.name.trim();
    CarePlan {
        identifier: vec![Identifier {
            use_: Some("official"),
            kind: Some(CodeableConcept {
                coding: Vec::new(),
                text: "Regen Planner plan id".to_owned(),
            }),
            system: Some(URI_SYSTEM),
            value: care_plan_url.to_owned(),
        }],
        status: match status {
            PlanStatus::Draft => "draft",
            PlanStatus::Active => "active",
            PlanStatus::Completed => "completed",
            PlanStatus::Cancelled => "revoked",
        },
        intent: "plan",
        title: plan.protocol.title.clone(),
        description: plan.summary.clone(),
        subject: Reference {
            reference: Some(patient_url.to_owned()),
            display: (!patient_name.is_empty()).then(|| patient_name.to_owned()),
        },
        period: period(document),
        author: (!physician.is_empty()).then(|| Reference {
            reference: None,
            display: Some(physician.to_owned()),
        }),
        activity: activities(document, status, links),
        note: notes(document),
    }
}

/// One activity per preparation task, session, task the physician added and follow-up
/// visit, in that order. An item ticked off on the checklist is `completed` (with the
/// time it was ticked, in UTC, in its description), a withdrawn task `cancelled`; the
/// others follow the plan's status.
fn activities(document: &Document, status: PlanStatus, links: &Links) -> Vec<Activity> {
    let plan = &document.plan;
    let title = &plan.protocol.title;
    let status = match status {
        PlanStatus::Draft | PlanStatus::Active => "scheduled",
        PlanStatus::Completed => "completed",
        PlanStatus::Cancelled => "cancelled",
    };
    let activity = |key: String, kind, code: String, scheduled_period, mut description: String| {
        let ticked = document.done.get(&key);
        if let Some(at) = ticked {
            let _ = write!(
                description,
                " Ticked off as done at {}.",
                at.strftime("%Y-%m-%dT%H:%M:%SZ")
            );
        }
        Activity {
            outcome_reference: Vec::new(),
            detail: ActivityDetail {
                kind,
                code: Text { text: code },
                status: if ticked.is_some() {
                    "completed"
                } else {
                    status
                },
                scheduled_period,
                description,
            },
        }
    };
    let tasks = plan.pre_procedure.iter().map(|task| {
        activity(
            keys::pre_before(task.session, &task.task),
            "Task",
            task.task.clone(),
            Some(Period {
                start: None,
                end: Some(iso_date(task.due)),
            }),
            format!("Preparation for {title}: to do by {}.", task.due),
        )
    });
    let sessions = plan.sessions.iter().map(|session| {
        let mut planned = activity(
            keys::session(session.number),
            "ServiceRequest",
            format!("{title}: session {}", session.number),
            Some(Period::day(session.date)),
            session_details(session),
        );
        mark_performed(document, links, session.number, &mut planned);
        planned
    });
    let extra_tasks = document
        .extra_tasks
        .iter()
        .enumerate()
        .map(|(index, task)| {
            let description = match task.due {
                Some(due) => format!("Added to the plan by the physician: to do by {due}."),
                None => "Added to the plan by the physician.".to_owned(),
            };
            let mut added = activity(
                keys::extra(index),
                "Task",
                task.text.clone(),
                task.due.map(|due| Period {
                    start: None,
                    end: Some(iso_date(due)),
                }),
                description,
            );
            if task.withdrawn {
                added.detail.status = "cancelled";
            }
            added
        });
    let follow_ups = plan.follow_ups.iter().map(|visit| {
        let mut description = format!("Follow-up visit after {title}.");
        let measures = visit.measures(&document.scales);
        if !measures.is_empty() {
            description.push_str(" Assessments: ");
            description.push_str(&measures.join("; "));
            description.push('.');
        }
        activity(
            keys::follow_up(&visit.purpose),
            "Appointment",
            visit.purpose.clone(),
            Some(Period::day(visit.date)),
            description,
        )
    });
    tasks
        .chain(sessions)
        .chain(extra_tasks)
        .chain(follow_ups)
        .collect()
}

/// A session that took place is completed, and its record is the outcome.
fn mark_performed(document: &Document, links: &Links, number: u32, activity: &mut Activity) {
    if document
        .performed
        .iter()
        .any(|performed| performed.record.session == number)
    {
        activity.detail.status = "completed";
        activity
            .outcome_reference
            .push(Links::to(links.procedure(number)));
    }
}

/// From the first to the last dated item; none when the plan has no dated item (a
/// patient who is not a candidate).
fn period(document: &Document) -> Option<Period> {
    let plan = &document.plan;
    let dates = plan
        .pre_procedure
        .iter()
        .map(|task| task.due)
        .chain(plan.sessions.iter().map(|session| session.date))
        .chain(
            document
                .extra_tasks
                .iter()
                .filter(|task| !task.withdrawn)
                .filter_map(|task| task.due),
        )
        .chain(plan.follow_ups.iter().map(|visit| visit.date));
    let first = dates.clone().min()?;
    let last = dates.max()?;
    Some(Period {
        start: Some(iso_date(first)),
        end: Some(iso_date(last)),
    })
}

/// The regulatory status, each jurisdiction's note, each warning (most severe first),
/// then the physician's notes with their author and time.
fn notes(document: &Document) -> Vec<Annotation> {
    let plan = &document.plan;
    let regulatory = &plan.regulatory;
    let mut notes = vec![Annotation::text(format!(
        "Regulatory status: {}.",
        regulatory.status.label()
    ))];
    notes.extend(regulatory.notes.iter().map(|note| {
        Annotation::text(format!(
            "Regulatory note ({}): {}",
            note.jurisdiction.label(),
            note.note
        ))
    }));
    notes.extend(plan.warnings.iter().map(|warning| {
        Annotation::text(format!("{}: {}", warning.severity.label(), warning.message))
    }));
    notes.extend(document.notes.iter().map(|note| Annotation {
        author_string: Some(note.author.trim().to_owned()).filter(|author| !author.is_empty()),
        time: Some(note.written_at.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()),
        text: note.text.clone(),
    }));
    notes
}

/// The `urn:uuid:` full URLs the resources refer to each other by. Each comes from the
/// plan's id and what the resource is (a session's number, a material's place in its
/// record, a score's place in the plan), so the same plan gives the same bundle.
struct Links {
    plan_uuid: uuid::Uuid,
    patient: String,
    care_plan: String,
}

impl Links {
    fn url(&self, what: &str) -> String {
        format!(
            "urn:uuid:{}",
            name_based_uuid(&format!("{what} {}", self.plan_uuid))
        )
    }

    fn procedure(&self, session: u32) -> String {
        self.url(&format!("procedure {session}"))
    }

    fn material(&self, session: u32, index: usize) -> String {
        self.url(&format!("material {session} {index}"))
    }

    fn adverse_event(&self, session: u32, index: usize) -> String {
        self.url(&format!("adverse-event {session} {index}"))
    }

    fn observation(&self, index: usize) -> String {
        self.url(&format!("score {index}"))
    }

    fn to(reference: String) -> Reference {
        Reference {
            reference: Some(reference),
            display: None,
        }
    }
}

/// The code system of adverse event severity (mild, moderate, severe).
const ADVERSE_EVENT_SEVERITY: &str = "http://terminology.hl7.org/CodeSystem/adverse-event-severity";

/// The code system of adverse event outcome (resolved, ongoing, ...).
const ADVERSE_EVENT_OUTCOME: &str = "http://terminology.hl7.org/CodeSystem/adverse-event-outcome";

/// The app's own code system for outcome scales: the codes are the scales' ids. The
/// `.invalid` domain never resolves, so the system is plainly local.
pub const OUTCOME_SCALE_SYSTEM: &str = "http://regen-planner.invalid/fhir/CodeSystem/outcome-scale";

/// A session that took place: its `Procedure`, a `Device` (device or kit) or
/// `Medication` (product) for each material with its lot and expiry, and an
/// `AdverseEvent` for each adverse event, whose suspect is the procedure.
fn performed_entries(
    document: &Document,
    performed: &PerformedSession,
    links: &Links,
) -> Vec<Entry> {
    let record = &performed.record;
    let session = record.session;
    let procedure_url = links.procedure(session);
    let (mut entries, used) = material_entries(record, links);
    let title = &document.plan.protocol.title;
    let procedure = Procedure {
        based_on: vec![Links::to(links.care_plan.clone())],
        status: "completed",
        code: Text {
            text: format!("{title}: session {session}"),
        },
        subject: Reference {
            reference: Some(links.patient.clone()),
            display: Some(document.patient.name.trim().to_owned()).filter(|name| !name.is_empty()),
        },
        performed_date_time: iso_date(record.performed_on),
        performer: record
            .performer
            .as_deref()
            .map(str::trim)
            .filter(|name| !name.is_empty())
            .map(|name| Performer {
                actor: Reference {
                    reference: None,
                    display: Some(name.to_owned()),
                },
            })
            .into_iter()
            .collect(),
        body_site: record
            .administration
            .iter()
            .map(|site| Text {
                text: site.site.trim().to_owned(),
            })
            .collect(),
        complication: record
            .adverse_events
            .iter()
            .map(|event| Text {
                text: format!("{} ({})", event.what.trim(), event.severity.id()),
            })
            .collect(),
        note: procedure_notes(performed),
        used_reference: used,
    };
    entries.insert(
        0,
        Entry {
            full_url: procedure_url.clone(),
            resource: Resource::Procedure(Box::new(procedure)),
        },
    );
    for (index, event) in record.adverse_events.iter().enumerate() {
        entries.push(adverse_event_entry(
            record,
            index,
            event,
            &procedure_url,
            links,
        ));
    }
    entries
}

/// A `Device` (a device or kit) or `Medication` (a product) for each material of a
/// record, with its lot and expiry, and the procedure's references to them.
fn material_entries(record: &SessionRecord, links: &Links) -> (Vec<Entry>, Vec<Reference>) {
    let session = record.session;
    let mut entries = Vec::new();
    let mut used = Vec::new();
    for (index, material) in record.materials.iter().enumerate() {
        let url = links.material(session, index + 1);
        let name = material.name.trim().to_owned();
        let lot = material
            .lot
            .as_deref()
            .map(str::trim)
            .filter(|lot| !lot.is_empty())
            .map(str::to_owned);
        let expiry = material.expiry.map(iso_date);
        let resource = match material.kind {
            MaterialKind::Device | MaterialKind::Kit => Resource::Device(Device {
                names: vec![DeviceName {
                    name: name.clone(),
                    kind: "user-friendly-name",
                }],
                lot_number: lot,
                expiration_date: expiry,
                kind: Some(Text {
                    text: material.kind.label().to_owned(),
                }),
                patient: Some(Links::to(links.patient.clone())),
            }),
            MaterialKind::Product => Resource::Medication(Medication {
                code: Text { text: name.clone() },
                batch: (lot.is_some() || expiry.is_some()).then_some(Batch {
                    lot_number: lot,
                    expiration_date: expiry,
                }),
            }),
        };
        used.push(Reference {
            reference: Some(url.clone()),
            display: Some(name),
        });
        entries.push(Entry {
            full_url: url,
            resource,
        });
    }
    (entries, used)
}

/// An `AdverseEvent` with the elements R4 requires (actuality, subject), its severity
/// and outcome coded, and the procedure as its suspect.
fn adverse_event_entry(
    record: &SessionRecord,
    index: usize,
    event: &AdverseEvent,
    procedure_url: &str,
    links: &Links,
) -> Entry {
    let session = record.session;
    let (outcome, outcome_display) = if event.resolved {
        ("resolved", "Resolved")
    } else {
        ("ongoing", "Ongoing")
    };
    Entry {
        full_url: links.adverse_event(session, index + 1),
        resource: Resource::AdverseEvent(Box::new(AdverseEventResource {
            actuality: "actual",
            event: Text {
                text: event.what.trim().to_owned(),
            },
            subject: Links::to(links.patient.clone()),
            date: iso_date(record.performed_on),
            severity: CodeableConcept {
                coding: vec![Coding {
                    system: ADVERSE_EVENT_SEVERITY,
                    code: event.severity.id(),
                    display: event.severity.label(),
                }],
                text: event.severity.label().to_owned(),
            },
            outcome: CodeableConcept {
                coding: vec![Coding {
                    system: ADVERSE_EVENT_OUTCOME,
                    code: outcome,
                    display: outcome_display,
                }],
                text: outcome_display.to_owned(),
            },
            suspect_entity: vec![SuspectEntity {
                instance: Links::to(procedure_url.to_owned()),
            }],
        })),
    }
}

/// What the record says beyond the elements of a `Procedure`: its warnings first, then
/// the time, harvest, processing, product, volumes, anaesthetic, the actions taken for
/// adverse events, and the physician's note.
fn procedure_notes(performed: &PerformedSession) -> Vec<Annotation> {
    let record = &performed.record;
    let mut notes: Vec<Annotation> = performed
        .warnings
        .iter()
        .map(|warning| Annotation::text(format!("Warning: {warning}")))
        .collect();
    notes.extend(
        crate::export::record_lines(record)
            .into_iter()
            .map(Annotation::text),
    );
    notes
}

/// An outcome score as an `Observation`: the scale's name as the code's text and its
/// id as a code of the app's own system, the value as an integer for a scale of whole
/// numbers, else as a quantity in the scale's unit.
fn observation(score: &ScoreLine, index: usize, links: &Links) -> Entry {
    let (value_integer, value_quantity) = if score.whole_numbers && score.value.fract() == 0.0 {
        // A whole score of a scale fits an i64 many times over (the range is checked).
        #[expect(
            clippy::cast_possible_truncation,
            reason = "a whole number within the scale's range"
        )]
        let whole = score.value as i64;
        (Some(whole), None)
    } else {
        (
            None,
            Some(Quantity {
                value: score.value,
                unit: Some(score.unit.clone()).filter(|unit| !unit.is_empty()),
            }),
        )
    };
    Entry {
        full_url: links.observation(index + 1),
        resource: Resource::Observation(Box::new(Observation {
            based_on: vec![Links::to(links.care_plan.clone())],
            status: "final",
            code: ScaleCode {
                coding: vec![ScaleCoding {
                    system: OUTCOME_SCALE_SYSTEM,
                    code: score.scale.to_string(),
                    display: score.short_name.clone(),
                }],
                text: score.name.clone(),
            },
            subject: Links::to(links.patient.clone()),
            effective_date_time: iso_date(score.date),
            value_quantity,
            value_integer,
        })),
    }
}

/// The plan's id as a UUID: the store's ids are UUIDs written as 32 hexadecimal digits;
/// any other id gets a UUID made from it, so the bundle is still valid.
fn plan_uuid(plan_id: &str) -> uuid::Uuid {
    uuid::Uuid::try_parse(plan_id).unwrap_or_else(|_| name_based_uuid(plan_id))
}

/// A UUID (version 8) from the SHA-256 of a name: the same name gives the same UUID.
fn name_based_uuid(name: &str) -> uuid::Uuid {
    let digest = Sha256::digest(format!("regen-planner {name}").as_bytes());
    let mut bytes = [0_u8; 16];
    for (byte, digest_byte) in bytes.iter_mut().zip(digest.iter()) {
        *byte = *digest_byte;
    }
    uuid::Builder::from_custom_bytes(bytes).into_uuid()
}

/// A FHIR `date`: `YYYY-MM-DD`.
fn iso_date(date: Date) -> String {
    date.strftime("%Y-%m-%d").to_string()
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Bundle {
    resource_type: &'static str,
    #[serde(rename = "type")]
    kind: &'static str,
    entry: Vec<Entry>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Entry {
    full_url: String,
    resource: Resource,
}

/// A resource, written with `resourceType` as its first element.
#[derive(Serialize)]
#[serde(tag = "resourceType")]
enum Resource {
    Patient(Patient),
    CarePlan(Box<CarePlan>),
    Procedure(Box<Procedure>),
    Device(Device),
    Medication(Medication),
    AdverseEvent(Box<AdverseEventResource>),
    Observation(Box<Observation>),
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Patient {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    identifier: Vec<Identifier>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    name: Vec<HumanName>,
    #[serde(skip_serializing_if = "Option::is_none")]
    birth_date: Option<String>,
}

#[derive(Serialize)]
struct HumanName {
    #[serde(rename = "use")]
    use_: &'static str,
    text: String,
}

#[derive(Serialize)]
struct Identifier {
    #[serde(rename = "use", skip_serializing_if = "Option::is_none")]
    use_: Option<&'static str>,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    kind: Option<CodeableConcept>,
    #[serde(skip_serializing_if = "Option::is_none")]
    system: Option<&'static str>,
    value: String,
}

#[derive(Serialize)]
struct CodeableConcept {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    coding: Vec<Coding>,
    text: String,
}

#[derive(Serialize)]
struct Coding {
    system: &'static str,
    code: &'static str,
    display: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CarePlan {
    identifier: Vec<Identifier>,
    status: &'static str,
    intent: &'static str,
    title: String,
    description: String,
    subject: Reference,
    #[serde(skip_serializing_if = "Option::is_none")]
    period: Option<Period>,
    #[serde(skip_serializing_if = "Option::is_none")]
    author: Option<Reference>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    activity: Vec<Activity>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    note: Vec<Annotation>,
}

#[derive(Serialize)]
struct Reference {
    #[serde(skip_serializing_if = "Option::is_none")]
    reference: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    display: Option<String>,
}

#[derive(Serialize)]
struct Period {
    #[serde(skip_serializing_if = "Option::is_none")]
    start: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    end: Option<String>,
}

impl Period {
    /// One whole day.
    fn day(date: Date) -> Self {
        Self {
            start: Some(iso_date(date)),
            end: Some(iso_date(date)),
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Activity {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    outcome_reference: Vec<Reference>,
    detail: ActivityDetail,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Procedure {
    based_on: Vec<Reference>,
    status: &'static str,
    code: Text,
    subject: Reference,
    performed_date_time: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    performer: Vec<Performer>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    body_site: Vec<Text>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    complication: Vec<Text>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    note: Vec<Annotation>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    used_reference: Vec<Reference>,
}

#[derive(Serialize)]
struct Performer {
    actor: Reference,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Device {
    #[serde(skip_serializing_if = "Option::is_none")]
    lot_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    expiration_date: Option<String>,
    #[serde(rename = "deviceName")]
    names: Vec<DeviceName>,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    kind: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    patient: Option<Reference>,
}

#[derive(Serialize)]
struct DeviceName {
    name: String,
    #[serde(rename = "type")]
    kind: &'static str,
}

#[derive(Serialize)]
struct Medication {
    code: Text,
    #[serde(skip_serializing_if = "Option::is_none")]
    batch: Option<Batch>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Batch {
    #[serde(skip_serializing_if = "Option::is_none")]
    lot_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    expiration_date: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct AdverseEventResource {
    actuality: &'static str,
    event: Text,
    subject: Reference,
    date: String,
    severity: CodeableConcept,
    outcome: CodeableConcept,
    suspect_entity: Vec<SuspectEntity>,
}

#[derive(Serialize)]
struct SuspectEntity {
    instance: Reference,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Observation {
    based_on: Vec<Reference>,
    status: &'static str,
    code: ScaleCode,
    subject: Reference,
    effective_date_time: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    value_quantity: Option<Quantity>,
    #[serde(skip_serializing_if = "Option::is_none")]
    value_integer: Option<i64>,
}

/// A `CodeableConcept` whose code is a scale's id.
#[derive(Serialize)]
struct ScaleCode {
    coding: Vec<ScaleCoding>,
    text: String,
}

#[derive(Serialize)]
struct ScaleCoding {
    system: &'static str,
    code: String,
    display: String,
}

#[derive(Serialize)]
struct Quantity {
    value: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    unit: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ActivityDetail {
    kind: &'static str,
    code: Text,
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    scheduled_period: Option<Period>,
    description: String,
}

/// A `CodeableConcept` with text only: the plan's items have no standard codes.
#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Annotation {
    #[serde(skip_serializing_if = "Option::is_none")]
    author_string: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    time: Option<String>,
    text: String,
}

impl Annotation {
    /// A note of the app's own, without author or time.
    fn text(text: String) -> Self {
        Self {
            author_string: None,
            time: None,
            text,
        }
    }
}
