//! What an export needs, gathered by the caller from the store and the settings. The
//! export functions take a [`Document`] and return bytes: no IO, no clock.

use std::collections::BTreeMap;

use jiff::Timestamp;
use jiff::civil::Date;

use crate::catalog::{Audience, Catalog, ScaleId, Scales};
use crate::planning::{Plan, PlanStatus, Score, SessionRecord, saved_record_warnings};

/// The patient, as printed on a handout or consent form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatientDetails {
    /// Full name, as the patient writes it (accents and non-Latin scripts included).
    pub name: String,
    /// Date of birth, when known.
    pub birth_date: Option<Date>,
    /// The clinic's own id for the patient (a chart number), when there is one.
    pub clinic_id: Option<String>,
    /// Phone or e-mail, when known.
    pub contact: String,
}

/// The clinic, as printed on a handout or consent form.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ClinicDetails {
    /// The clinic's name; may be empty when not set.
    pub name: String,
    /// Address, phone and e-mail, several lines; may be empty when not set.
    pub contact: String,
    /// The physician responsible for the plan; may be empty when not set.
    pub physician: String,
}

/// The clinic's price of one session, when the clinic set one for the protocol.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Price {
    /// Whole units of the currency per session.
    pub per_session: u32,
    /// The currency, e.g. "EUR"; may be empty.
    pub currency: String,
}

/// A task the physician added to the plan, beyond the protocol's own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhysicianTask {
    /// What to do, in the physician's words.
    pub text: String,
    /// By when, if it has a day.
    pub due: Option<Date>,
    /// The physician took it back: left out of the handout, its event cancelled.
    pub withdrawn: bool,
    /// Whom it is for: a task for the clinic is not printed among what the handout asks
    /// of the patient.
    pub audience: Audience,
}

/// A note the physician wrote on the plan: part of the record a medical record system
/// receives, never printed for the patient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhysicianNote {
    /// When it was written.
    pub written_at: Timestamp,
    /// Who wrote it.
    pub author: String,
    /// What it says.
    pub text: String,
}

/// A session that took place: its record, with what the physician must know about it.
#[derive(Debug, Clone, PartialEq)]
pub struct PerformedSession {
    /// What was done.
    pub record: SessionRecord,
    /// The record's warnings in words, such as a dose above the protocol's maximum.
    pub warnings: Vec<String>,
    /// What the patient is told of them, in plain words: a dose above the maximum or
    /// a material used after its expiry, never the clinic's own bookkeeping.
    pub for_patient: Vec<String>,
}

/// An outcome score with its scale's names and unit, as an export writes it.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoreLine {
    /// The scale's id.
    pub scale: ScaleId,
    /// The scale's full name; the id when the scale is not in the catalog.
    pub name: String,
    /// The scale's short label, such as "VAS pain".
    pub short_name: String,
    /// The unit of a score; empty when the scale is not in the catalog.
    pub unit: String,
    /// Whether a score is a whole number.
    pub whole_numbers: bool,
    /// The value.
    pub value: f64,
    /// The day it was measured.
    pub date: Date,
}

/// The records of the sessions that took place, with their warnings, and the scores with
/// their scales, as a [`Document`] carries them: the catalog gives the protocol's dose
/// limits and the scales' names.
#[must_use]
pub fn treatment_parts(
    catalog: &Catalog,
    plan: &Plan,
    records: &[SessionRecord],
    scores: &[Score],
    today: Date,
) -> (Vec<PerformedSession>, Vec<ScoreLine>) {
    let performed = records
        .iter()
        .map(|record| {
            let warnings = saved_record_warnings(catalog, plan, record, today);
            PerformedSession {
                record: record.clone(),
                for_patient: warnings
                    .iter()
                    .filter_map(|warning| warning.for_patient.clone())
                    .collect(),
                warnings: warnings
                    .into_iter()
                    .map(|warning| warning.message)
                    .collect(),
            }
        })
        .collect();
    let scores = scores
        .iter()
        .map(|score| {
            let scale = catalog.scales().find(score.scale.as_str()).ok();
            ScoreLine {
                scale: score.scale.clone(),
                name: scale.map_or_else(|| score.scale.to_string(), |scale| scale.name.clone()),
                short_name: scale
                    .map_or_else(|| score.scale.to_string(), |scale| scale.short_name.clone()),
                unit: scale.map(|scale| scale.unit.clone()).unwrap_or_default(),
                whole_numbers: scale.is_some_and(|scale| scale.whole_numbers),
                value: score.value,
                date: score.date,
            }
        })
        .collect();
    (performed, scores)
}

/// A saved plan with everything an export prints or encodes about it.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// The plan's stable id in the store (used for calendar UIDs and FHIR identifiers).
    pub plan_id: String,
    /// The revision the export was made from.
    pub revision: u32,
    /// Where the plan stands: a cancelled plan's events are cancelled, a draft's
    /// tentative.
    pub status: PlanStatus,
    /// The dated plan.
    pub plan: Plan,
    /// Tasks the physician added, in the order they were added.
    pub extra_tasks: Vec<PhysicianTask>,
    /// The physician's notes on the plan, oldest first.
    pub notes: Vec<PhysicianNote>,
    /// The checklist items ticked off, under their keys
    /// ([`crate::planning::checklist_keys`]), with when.
    pub done: BTreeMap<String, Timestamp>,
    /// Whom it is for.
    pub patient: PatientDetails,
    /// Who gives it.
    pub clinic: ClinicDetails,
    /// The price of a session, when the clinic set one for this protocol.
    pub price: Option<Price>,
    /// The day the export is made, printed on documents ("today" is an argument here).
    pub generated_on: Date,
    /// Whether calendar events may carry the patient's name (the clinic opts in).
    pub calendar_patient_names: bool,
    /// What was done at each session that took place.
    pub records: Vec<SessionRecord>,
    /// The outcome scores entered, in the order entered.
    pub scores: Vec<Score>,
    /// The outcome scales of the catalog, for the progress report.
    pub scales: Scales,
    /// The sessions that took place, by session number ([`treatment_parts`]).
    pub performed: Vec<PerformedSession>,
    /// The outcome scores entered, in the order they were entered.
    pub score_lines: Vec<ScoreLine>,
}

impl Document {
    /// The document as a PDF prints it. What people typed reaches the page as text,
    /// never as layout: in the one-line texts (names, the clinic id, the clinic's name,
    /// the physician) a line break is a space, and in every text a person typed the
    /// control characters, line separators and direction overrides are left out, so a
    /// name can neither start a line of its own nor reorder the words after it.
    #[must_use]
    pub(crate) fn for_print(&self) -> Document {
        let mut printed = self.clone();
        printed.patient.name = one_line(&self.patient.name);
        printed.patient.clinic_id = self.patient.clinic_id.as_deref().map(one_line);
        printed.patient.contact = lines(&self.patient.contact);
        printed.clinic.name = one_line(&self.clinic.name);
        printed.clinic.contact = lines(&self.clinic.contact);
        printed.clinic.physician = one_line(&self.clinic.physician);
        for task in &mut printed.extra_tasks {
            task.text = lines(&task.text);
        }
        for note in &mut printed.notes {
            note.author = one_line(&note.author);
            note.text = lines(&note.text);
        }
        printed
    }
}

/// A text on one line: line breaks become spaces, other control characters and
/// direction overrides are left out.
fn one_line(text: &str) -> String {
    lines(text).replace('\n', " ")
}

/// A text whose line breaks (of any kind) are `\n`, with tabs as spaces and other
/// control characters and direction overrides left out.
fn lines(text: &str) -> String {
    text.replace("\r\n", "\n")
        .chars()
        .filter_map(|character| match character {
            '\n' | '\r' | '\u{2028}' | '\u{2029}' | '\u{85}' => Some('\n'),
            '\t' => Some(' '),
            other if crate::untrusted::is_unsafe_to_show(other) => None,
            other => Some(other),
        })
        .collect()
}
