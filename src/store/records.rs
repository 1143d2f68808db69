//! What is saved: patients, plans and their revisions, and the summaries the list
//! screens show without reading every revision.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::ids::{PatientId, PlanId};
use crate::catalog::{Factor, ProtocolId};
use crate::planning::agenda::{DatedItem, PlanParts, dated_items};
use crate::planning::{
    Course, ExtraTask, Note, Plan, PlanRequest, PlanStatus, Score, SessionRecord, Treatment,
};

/// The screening answers of a patient, with the day they were asked.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Screening {
    /// The factors the patient answered "yes" to.
    #[serde(default)]
    pub factors: BTreeSet<Factor>,
    /// The day the questions were asked; `None` until they were.
    #[serde(default)]
    pub asked_on: Option<Date>,
}

/// A patient, as the clinic knows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Patient {
    /// The full name.
    pub name: String,
    /// The date of birth, when known.
    #[serde(default)]
    pub birth_date: Option<Date>,
    /// The clinic's own id for the patient, such as a chart number.
    #[serde(default)]
    pub clinic_id: Option<String>,
    /// How to reach the patient, free text (phone, e-mail, address).
    #[serde(default)]
    pub contact: String,
    /// The screening answers.
    #[serde(default)]
    pub screening: Screening,
    /// Known allergies, free text; empty when none are recorded.
    #[serde(default)]
    pub allergies: String,
    /// Current medication, free text; empty when none is recorded.
    #[serde(default)]
    pub medication: String,
    /// Relevant medical history, free text; empty when none is recorded.
    #[serde(default)]
    pub history: String,
}

impl Patient {
    /// A patient known only by name so far.
    #[must_use]
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            birth_date: None,
            clinic_id: None,
            contact: String::new(),
            screening: Screening::default(),
            allergies: String::new(),
            medication: String::new(),
            history: String::new(),
        }
    }
}

/// A plan as saved: what was asked, what the engine made of it, and what the physician
/// added and ticked off since.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanRecord {
    /// The patient the plan is for.
    pub patient: PatientId,
    /// The selection, factors, start date, moved sessions and clinic options.
    pub request: PlanRequest,
    /// The plan generated from the request.
    pub plan: Plan,
    /// The physician's notes, oldest first.
    #[serde(default)]
    pub notes: Vec<Note>,
    /// Tasks the physician added.
    #[serde(default)]
    pub extra_tasks: Vec<ExtraTask>,
    /// Where the plan stands.
    pub status: PlanStatus,
    /// Checklist items that were done, by the key the screen gives them (such as
    /// `pre:<task>`, `session:<n>`, `aftercare:<n>:<task>`, `extra:<i>`), with when they
    /// were ticked.
    #[serde(default)]
    pub checklist: BTreeMap<String, Timestamp>,
    /// What was done at each session that took place, by session number
    /// ([`Treatment::record`]).
    #[serde(default)]
    pub records: Vec<SessionRecord>,
    /// Outcome scores entered at visits, in the order they were entered.
    #[serde(default)]
    pub scores: Vec<Score>,
}

impl PlanRecord {
    /// A new draft with no notes, extra tasks or ticks.
    #[must_use]
    pub fn new(patient: PatientId, request: PlanRequest, plan: Plan) -> Self {
        Self {
            patient,
            request,
            plan,
            notes: Vec::new(),
            extra_tasks: Vec::new(),
            status: PlanStatus::Draft,
            checklist: BTreeMap::new(),
            records: Vec::new(),
            scores: Vec::new(),
        }
    }

    /// The parts of the plan that the physician's edits change
    /// ([`Course::apply`]).
    pub fn course(&mut self) -> Course<'_> {
        Course {
            request: &mut self.request,
            plan: &mut self.plan,
            notes: &mut self.notes,
            extra_tasks: &mut self.extra_tasks,
            status: &mut self.status,
            checklist: &mut self.checklist,
        }
    }

    /// The parts of the plan that recording a session changes
    /// ([`Treatment::record`]).
    pub fn treatment(&mut self) -> Treatment<'_> {
        Treatment {
            request: &mut self.request,
            plan: &mut self.plan,
            status: &mut self.status,
            records: &mut self.records,
        }
    }

    /// The record of session `number`, if it took place.
    #[must_use]
    pub fn record_of(&self, number: u32) -> Option<&SessionRecord> {
        self.records.iter().find(|record| record.session == number)
    }

    /// The date of the first session, if the plan has any.
    #[must_use]
    pub fn first_session(&self) -> Option<Date> {
        self.plan.sessions.first().map(|session| session.date)
    }
}

/// One saved revision of a record, as a load returns it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revision<T> {
    /// 1 for the first save, then one more for each save.
    pub number: u32,
    /// When it was saved.
    pub saved_at: Timestamp,
    /// Who saved it (the physician's name from the settings).
    pub saved_by: String,
    /// What was saved.
    pub value: T,
}

/// What the plan list shows of one plan, without reading its revisions.
///
/// Two summaries are equal when every field but the dated items is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanSummary {
    /// The plan.
    pub id: PlanId,
    /// Its patient.
    pub patient: PatientId,
    /// The patient's name; empty when the patient's record could not be read.
    pub patient_name: String,
    /// The clinic's id for the patient.
    pub clinic_id: Option<String>,
    /// The protocol followed.
    pub protocol_id: ProtocolId,
    /// Its title.
    pub protocol_title: String,
    /// Where the plan stands.
    pub status: PlanStatus,
    /// The date of the first session, if there is one.
    pub first_session: Option<Date>,
    /// The newest valid revision.
    pub revision: u32,
    /// When it was saved.
    pub saved_at: Timestamp,
    /// Who saved it.
    pub saved_by: String,
    /// The plan's dated items, for the clinic's agenda
    /// ([`crate::planning::agenda::dated_items`]): kept in the index cache beside the
    /// summary (with the hash of the summary they belong to), never in the head, and
    /// left out of comparisons of summaries.
    #[serde(skip)]
    pub agenda: AgendaItems,
}

/// A plan's dated items beside its summary. They take no part in comparing summaries:
/// they follow from the revision the summary names.
#[derive(Debug, Clone, Default)]
pub struct AgendaItems(pub Vec<DatedItem>);

impl PartialEq for AgendaItems {
    fn eq(&self, _other: &Self) -> bool {
        true
    }
}

impl Eq for AgendaItems {}

impl std::ops::Deref for AgendaItems {
    type Target = [DatedItem];

    fn deref(&self) -> &[DatedItem] {
        &self.0
    }
}

impl PlanSummary {
    /// The summary of revision `number` of a plan, saved at `saved_at` by `saved_by`:
    /// what the index cache and the head keep, and what the lists show. The patient's
    /// name and clinic id are filled in from the patient's summary by the index.
    #[must_use]
    pub fn new(
        id: PlanId,
        record: &PlanRecord,
        number: u32,
        saved_at: Timestamp,
        saved_by: &str,
    ) -> Self {
        Self {
            id,
            patient: record.patient.clone(),
            patient_name: String::new(),
            clinic_id: None,
            protocol_id: record.plan.protocol.id.clone(),
            protocol_title: record.plan.protocol.title.clone(),
            status: record.status,
            first_session: record.first_session(),
            revision: number,
            saved_at,
            saved_by: saved_by.to_owned(),
            agenda: AgendaItems::default(),
        }
        .with_agenda(dated_items(PlanParts {
            plan: &record.plan,
            clinic: &record.request.options,
            records: &record.records,
            scores: &record.scores,
            checklist: &record.checklist,
        }))
    }

    /// The summary with these dated items.
    #[must_use]
    pub fn with_agenda(mut self, agenda: Vec<DatedItem>) -> Self {
        self.agenda = AgendaItems(agenda);
        self
    }
}

impl crate::planning::agenda::AgendaPlan for PlanSummary {
    fn status(&self) -> PlanStatus {
        self.status
    }

    fn items(&self) -> &[DatedItem] {
        &self.agenda
    }

    fn protocol(&self) -> &str {
        self.protocol_id.as_str()
    }

    fn patient_name(&self) -> &str {
        &self.patient_name
    }
}

/// What the patient list shows of one patient.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PatientSummary {
    /// The patient.
    pub id: PatientId,
    /// The full name.
    pub name: String,
    /// The date of birth, when known.
    pub birth_date: Option<Date>,
    /// The clinic's id for the patient.
    pub clinic_id: Option<String>,
    /// The newest valid revision.
    pub revision: u32,
    /// When it was saved.
    pub saved_at: Timestamp,
}

impl PatientSummary {
    /// The summary of revision `number` of a patient, saved at `saved_at`: what the
    /// index cache and the head keep, and what the lists show.
    #[must_use]
    pub fn new(id: PatientId, patient: &Patient, number: u32, saved_at: Timestamp) -> Self {
        Self {
            id,
            name: patient.name.clone(),
            birth_date: patient.birth_date,
            clinic_id: patient.clinic_id.clone(),
            revision: number,
            saved_at,
        }
    }
}

/// One revision in a record's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RevisionInfo {
    /// Its number.
    pub number: u32,
    /// When it was saved.
    pub saved_at: Timestamp,
    /// Who saved it.
    pub saved_by: String,
    /// The file that holds it.
    pub file: PathBuf,
    /// The SHA-256 of the file, in lowercase hexadecimal; the next revision records it.
    pub hash: String,
}
