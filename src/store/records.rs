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
    Course, ExtraTask, LotMatch, MaterialKind, Note, Plan, PlanPhoto, PlanRequest, PlanStatus,
    Score, SessionRecord, Treatment, normalise_lot,
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
    /// Clinical photographs of the plan, in the order they were added; a removed one
    /// stays, marked, so that the history keeps it.
    #[serde(default)]
    pub photos: Vec<PlanPhoto>,
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
            photos: Vec::new(),
        }
    }

    /// Adds photographs to the plan; one already on it with the same view is not added
    /// twice (it is put back if it was removed). Returns how many were added or put
    /// back.
    pub fn add_photos(&mut self, photos: impl IntoIterator<Item = PlanPhoto>) -> usize {
        let mut changed = 0;
        for photo in photos {
            match self
                .photos
                .iter_mut()
                .find(|kept| kept.sha256 == photo.sha256 && kept.view == photo.view)
            {
                Some(kept) if kept.removed => {
                    kept.removed = false;
                    changed += 1;
                }
                Some(_) => {}
                None => {
                    self.photos.push(photo);
                    changed += 1;
                }
            }
        }
        changed
    }

    /// Takes a photograph off the plan (or puts it back): it stays in the record,
    /// marked. Returns false when no photograph of that id is on the plan.
    pub fn set_photo_removed(&mut self, sha256: &str, removed: bool) -> bool {
        let mut found = false;
        for photo in self
            .photos
            .iter_mut()
            .filter(|photo| photo.sha256 == sha256)
        {
            photo.removed = removed;
            found = true;
        }
        found
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
    /// Every material with a lot given at a recorded session, so that a recall is
    /// answered from the index without reading any plan; left out when there is none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lots: Vec<LotUse>,
    /// The plan's dated items, for the clinic's agenda
    /// ([`crate::planning::agenda::dated_items`]): kept in the index cache beside the
    /// summary (with the hash of the summary they belong to), never in the head, and
    /// left out of comparisons of summaries.
    #[serde(skip)]
    pub agenda: AgendaItems,
}

/// A material with a lot used at one recorded session, as the plan's summary keeps it
/// for lot recall.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LotUse {
    /// The lot as it was recorded (without surrounding spaces).
    pub lot: String,
    /// The material's name.
    pub material: String,
    /// Device, kit or product.
    pub kind: MaterialKind,
    /// The session (1-based).
    pub session: u32,
    /// The day it took place.
    pub performed: Date,
    /// The expiry recorded with the lot.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiry: Option<Date>,
}

impl LotUse {
    /// The materials with a lot of the records, in the order of the sessions and of
    /// the materials in each.
    #[must_use]
    pub fn of_records(records: &[SessionRecord]) -> Vec<LotUse> {
        records
            .iter()
            .flat_map(|record| {
                record.materials.iter().filter_map(move |material| {
                    let lot = material.lot.as_deref()?.trim();
                    (!lot.is_empty()).then(|| LotUse {
                        lot: lot.to_owned(),
                        material: material.name.trim().to_owned(),
                        kind: material.kind,
                        session: record.session,
                        performed: record.performed_on,
                        expiry: material.expiry,
                    })
                })
            })
            .collect()
    }
}

/// Every session of the summarized plans that received a material of `lot` (compared
/// as [`normalise_lot`] does: case and surrounding spaces do not matter), ordered by
/// the day it took place, then patient, plan and session, as
/// [`crate::planning::find_lot`] orders them. Reads no file: the summaries hold the
/// lots. An empty lot finds nothing.
#[must_use]
pub fn recall<'a>(lot: &str, plans: impl IntoIterator<Item = &'a PlanSummary>) -> Vec<LotMatch> {
    let wanted = normalise_lot(lot);
    if wanted.is_empty() {
        return Vec::new();
    }
    let mut found = Vec::new();
    for plan in plans {
        for used in &plan.lots {
            // A lot of plain ASCII (nearly all) is compared without lower-casing a copy.
            let same = if used.lot.is_ascii() {
                used.lot.trim().eq_ignore_ascii_case(&wanted)
            } else {
                normalise_lot(&used.lot) == wanted
            };
            if !same {
                continue;
            }
            found.push(LotMatch {
                lot: used.lot.clone(),
                material: used.material.clone(),
                kind: used.kind,
                patient: plan.patient.to_string(),
                patient_name: plan.patient_name.clone(),
                plan: plan.id.to_string(),
                session: used.session,
                performed: used.performed,
                expiry: used.expiry,
            });
        }
    }
    crate::planning::sort_for_recall(&mut found);
    found
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
            lots: LotUse::of_records(&record.records),
            agenda: AgendaItems::default(),
        }
        .with_agenda(dated_items(PlanParts {
            plan: &record.plan,
            clinic: &record.request.options,
            records: &record.records,
            scores: &record.scores,
            checklist: &record.checklist,
            extra_tasks: &record.extra_tasks,
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
