//! The store's own on-disk shapes (of format versions 2 and 3), and the conversions between them
//! and the types the rest of the app uses.
//!
//! The engine's and the catalog's types change as the app grows; a file, once written,
//! does not. So a revision is written and read through these types, which only the
//! store defines, and a change to `planning` changes no file unless it is made here
//! too. The leaves are the catalog's ids (`Factor`, `Modality`, `Audience`, ...), whose
//! text is stable by contract (`id()`: "as used in files").
//!
//! One part is the engine's own: the generated plan ([`Plan`]) is written as the engine
//! makes it, in a file of its own ([`GeneratedFile`], see `bodies.rs`), because it is
//! the engine's output, regenerated from the request whenever the request changes. The
//! test `tests/store_format.rs` renders every kind of file from a fixed input and
//! compares it with the committed files of `tests/fixtures/v2/`, so any change of any
//! of these shapes, the generated plan's included, fails until the format version is
//! raised (and the older shape is kept for reading, as `v0` and `v1` are).
//!
//! A whole plan revision (version 2 and 3) holds everything but the generated plan, and
//! names the generated plan by the SHA-256 of its file: the revision's hash, recorded by
//! the next revision, covers the generated plan too. Most revisions of version 3 hold
//! only what changed since the revision before (`changes.rs`), in these same shapes.

use std::collections::{BTreeMap, BTreeSet};

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::disk_records::{PhotoDisk, ScoreDisk, SessionRecordDisk};
use super::ids::PatientId;
use super::records::{Patient, PlanRecord, Screening};
use crate::catalog::{
    Area, Audience, CellSource, Factor, Indication, Jurisdiction, Modality, Selection,
};
use crate::planning::{
    ClinicOptions, ExtraTask, Note, Plan, PlanPhoto, PlanRequest, PlanStatus, Score, SessionRecord,
    Weekday, WorkingDays,
};

/// A patient, as a revision file holds them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct PatientDisk {
    pub name: String,
    #[serde(default)]
    pub birth_date: Option<Date>,
    #[serde(default)]
    pub clinic_id: Option<String>,
    #[serde(default)]
    pub contact: String,
    #[serde(default)]
    pub screening: ScreeningDisk,
    /// Known allergies, free text; left out when empty.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub allergies: String,
    /// Current medication, free text; left out when empty.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub medication: String,
    /// Relevant medical history, free text; left out when empty.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub history: String,
}

/// The screening answers, as a patient's revision holds them.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub(crate) struct ScreeningDisk {
    #[serde(default)]
    pub factors: BTreeSet<Factor>,
    #[serde(default)]
    pub asked_on: Option<Date>,
}

/// A plan revision of version 2: the generated plan is named by its file's SHA-256.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct PlanDisk {
    pub patient: PatientId,
    pub request: RequestDisk,
    /// The SHA-256 of the generated plan's file, `generated-<sha256>.ron` in the
    /// plan's folder.
    pub generated_sha256: String,
    #[serde(default)]
    pub notes: Vec<NoteDisk>,
    #[serde(default)]
    pub extra_tasks: Vec<ExtraTaskDisk>,
    pub status: StatusDisk,
    #[serde(default)]
    pub checklist: BTreeMap<String, Timestamp>,
    /// What was done at the sessions that took place; left out when none did.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub records: Vec<SessionRecordDisk>,
    /// Outcome scores entered at visits; left out when there is none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scores: Vec<ScoreDisk>,
    /// The plan's photographs; left out when there is none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub photos: Vec<PhotoDisk>,
}

/// What the physician asked for, from which the plan is generated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct RequestDisk {
    pub selection: SelectionDisk,
    #[serde(default)]
    pub factors: BTreeSet<Factor>,
    pub start: Date,
    #[serde(default)]
    pub session_count: Option<u32>,
    #[serde(default)]
    pub moved_sessions: BTreeMap<u32, Date>,
    /// Sessions that took place, on the day they did; left out when none did.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub performed_sessions: BTreeMap<u32, Date>,
    #[serde(default)]
    pub options: OptionsDisk,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight_kg: Option<u32>,
}

/// The four axes and the adjuncts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct SelectionDisk {
    pub modality: Modality,
    pub source: CellSource,
    pub area: Area,
    pub indication: Indication,
    #[serde(default)]
    pub adjuncts: Vec<CellSource>,
}

/// The clinic's calendar and jurisdiction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct OptionsDisk {
    /// The days the clinic is open; Monday to Friday when missing.
    #[serde(default = "weekdays")]
    pub working_days: BTreeSet<Weekday>,
    #[serde(default)]
    pub jurisdiction: Option<Jurisdiction>,
    /// Dates the clinic is closed on an opening day; left out when there is none (as
    /// version 1 wrote it since the clinic's closed dates were kept).
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub closed_dates: BTreeSet<Date>,
}

impl Default for OptionsDisk {
    fn default() -> Self {
        OptionsDisk::from(&ClinicOptions::default())
    }
}

fn weekdays() -> BTreeSet<Weekday> {
    WorkingDays::default().days().collect()
}

/// A note of the physician's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct NoteDisk {
    pub written_at: Timestamp,
    pub author: String,
    pub text: String,
}

/// A task the physician added.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct ExtraTaskDisk {
    pub text: String,
    #[serde(default)]
    pub due: Option<Date>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub withdrawn: bool,
    #[serde(default, skip_serializing_if = "Audience::is_patient")]
    pub audience: Audience,
}

/// Where the plan stands, written as a quoted word (`"draft"`), as version 1 wrote it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StatusDisk {
    Draft,
    Active,
    Completed,
    Cancelled,
}

impl StatusDisk {
    const ALL: [(StatusDisk, &'static str); 4] = [
        (StatusDisk::Draft, "draft"),
        (StatusDisk::Active, "active"),
        (StatusDisk::Completed, "completed"),
        (StatusDisk::Cancelled, "cancelled"),
    ];

    fn word(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(status, _)| *status == self)
            .map_or("draft", |(_, word)| word)
    }
}

impl Serialize for StatusDisk {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.word())
    }
}

impl<'de> Deserialize<'de> for StatusDisk {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let word = String::deserialize(deserializer)?;
        Self::ALL
            .iter()
            .find(|(_, known)| *known == word)
            .map(|(status, _)| *status)
            .ok_or_else(|| {
                serde::de::Error::custom(format!(
                    "unknown plan status '{}', expected draft, active, completed or cancelled",
                    crate::untrusted::for_message(&word)
                ))
            })
    }
}

/// The file of a generated plan, `generated-<sha256>.ron`: written once, named by the
/// SHA-256 of its bytes.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct GeneratedFile<P> {
    pub format_version: u32,
    pub kind: String,
    pub plan: P,
}

/// A plan revision of version 1: the generated plan inline, the rest as in version 2.
/// Files of version 1 are read, never written.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct PlanV1 {
    pub patient: PatientId,
    pub request: RequestDisk,
    pub plan: Plan,
    #[serde(default)]
    pub notes: Vec<NoteDisk>,
    #[serde(default)]
    pub extra_tasks: Vec<ExtraTaskDisk>,
    pub status: StatusDisk,
    #[serde(default)]
    pub checklist: BTreeMap<String, Timestamp>,
}

// ----- conversions at the edge -----

impl From<&Patient> for PatientDisk {
    fn from(patient: &Patient) -> Self {
        let Patient {
            name,
            birth_date,
            clinic_id,
            contact,
            screening: Screening { factors, asked_on },
            allergies,
            medication,
            history,
        } = patient;
        PatientDisk {
            name: name.clone(),
            birth_date: *birth_date,
            clinic_id: clinic_id.clone(),
            contact: contact.clone(),
            screening: ScreeningDisk {
                factors: factors.clone(),
                asked_on: *asked_on,
            },
            allergies: allergies.clone(),
            medication: medication.clone(),
            history: history.clone(),
        }
    }
}

impl From<PatientDisk> for Patient {
    fn from(disk: PatientDisk) -> Self {
        Patient {
            name: disk.name,
            birth_date: disk.birth_date,
            clinic_id: disk.clinic_id,
            contact: disk.contact,
            screening: Screening {
                factors: disk.screening.factors,
                asked_on: disk.screening.asked_on,
            },
            allergies: disk.allergies,
            medication: disk.medication,
            history: disk.history,
        }
    }
}

// The conversions from the app's types take every field by name: a field added to
// `PlanRequest`, `ClinicOptions`, `Selection`, `Patient` or `PlanRecord` stops the
// build here, so it is never dropped from the files silently.

impl From<&PlanRequest> for RequestDisk {
    fn from(request: &PlanRequest) -> Self {
        let PlanRequest {
            selection,
            factors,
            start,
            session_count,
            moved_sessions,
            performed_sessions,
            options,
            weight_kg,
        } = request;
        let Selection {
            modality,
            source,
            area,
            indication,
            adjuncts,
        } = selection;
        RequestDisk {
            selection: SelectionDisk {
                modality: *modality,
                source: *source,
                area: *area,
                indication: *indication,
                adjuncts: adjuncts.clone(),
            },
            factors: factors.clone(),
            start: *start,
            session_count: *session_count,
            moved_sessions: moved_sessions.clone(),
            performed_sessions: performed_sessions.clone(),
            options: OptionsDisk::from(options),
            weight_kg: *weight_kg,
        }
    }
}

impl From<RequestDisk> for PlanRequest {
    fn from(disk: RequestDisk) -> Self {
        let selection = Selection {
            modality: disk.selection.modality,
            source: disk.selection.source,
            area: disk.selection.area,
            indication: disk.selection.indication,
            adjuncts: disk.selection.adjuncts,
        };
        PlanRequest {
            selection,
            factors: disk.factors,
            start: disk.start,
            session_count: disk.session_count,
            moved_sessions: disk.moved_sessions,
            performed_sessions: disk.performed_sessions,
            options: ClinicOptions {
                working_days: WorkingDays::new(disk.options.working_days),
                jurisdiction: disk.options.jurisdiction,
                closed_dates: disk.options.closed_dates,
            },
            weight_kg: disk.weight_kg,
        }
    }
}

impl From<&ClinicOptions> for OptionsDisk {
    fn from(options: &ClinicOptions) -> Self {
        let ClinicOptions {
            working_days,
            jurisdiction,
            closed_dates,
        } = options;
        OptionsDisk {
            working_days: working_days.days().collect(),
            jurisdiction: *jurisdiction,
            closed_dates: closed_dates.clone(),
        }
    }
}

impl From<&Note> for NoteDisk {
    fn from(note: &Note) -> Self {
        NoteDisk {
            written_at: note.written_at,
            author: note.author.clone(),
            text: note.text.clone(),
        }
    }
}

impl From<NoteDisk> for Note {
    fn from(disk: NoteDisk) -> Self {
        Note {
            written_at: disk.written_at,
            author: disk.author,
            text: disk.text,
        }
    }
}

impl From<&ExtraTask> for ExtraTaskDisk {
    fn from(task: &ExtraTask) -> Self {
        let ExtraTask {
            text,
            due,
            withdrawn,
            audience,
        } = task;
        ExtraTaskDisk {
            text: text.clone(),
            due: *due,
            withdrawn: *withdrawn,
            audience: *audience,
        }
    }
}

impl From<ExtraTaskDisk> for ExtraTask {
    fn from(disk: ExtraTaskDisk) -> Self {
        ExtraTask {
            text: disk.text,
            due: disk.due,
            withdrawn: disk.withdrawn,
            audience: disk.audience,
        }
    }
}

impl From<PlanStatus> for StatusDisk {
    fn from(status: PlanStatus) -> Self {
        match status {
            PlanStatus::Draft => StatusDisk::Draft,
            PlanStatus::Active => StatusDisk::Active,
            PlanStatus::Completed => StatusDisk::Completed,
            PlanStatus::Cancelled => StatusDisk::Cancelled,
        }
    }
}

impl From<StatusDisk> for PlanStatus {
    fn from(disk: StatusDisk) -> Self {
        match disk {
            StatusDisk::Draft => PlanStatus::Draft,
            StatusDisk::Active => PlanStatus::Active,
            StatusDisk::Completed => PlanStatus::Completed,
            StatusDisk::Cancelled => PlanStatus::Cancelled,
        }
    }
}

impl PlanDisk {
    /// The revision of a record whose generated plan's file has this SHA-256.
    pub(crate) fn new(record: &PlanRecord, generated_sha256: String) -> Self {
        // The generated plan is the one field kept elsewhere: in its own file.
        let PlanRecord {
            patient,
            request,
            plan: _,
            notes,
            extra_tasks,
            status,
            checklist,
            records,
            scores,
            photos,
        } = record;
        PlanDisk {
            patient: patient.clone(),
            request: RequestDisk::from(request),
            generated_sha256,
            notes: notes.iter().map(NoteDisk::from).collect(),
            extra_tasks: extra_tasks.iter().map(ExtraTaskDisk::from).collect(),
            status: (*status).into(),
            checklist: checklist.clone(),
            records: records.iter().map(SessionRecordDisk::from).collect(),
            scores: scores.iter().map(ScoreDisk::from).collect(),
            photos: photos.iter().map(PhotoDisk::from).collect(),
        }
    }

    /// The record, with the generated plan its file holds.
    pub(crate) fn with_plan(self, plan: Plan) -> PlanRecord {
        PlanRecord {
            patient: self.patient,
            request: self.request.into(),
            plan,
            notes: self.notes.into_iter().map(Note::from).collect(),
            extra_tasks: self.extra_tasks.into_iter().map(ExtraTask::from).collect(),
            status: self.status.into(),
            checklist: self.checklist,
            records: self.records.into_iter().map(SessionRecord::from).collect(),
            scores: self.scores.into_iter().map(Score::from).collect(),
            photos: self.photos.into_iter().map(PlanPhoto::from).collect(),
        }
    }
}

impl From<PlanV1> for PlanRecord {
    fn from(old: PlanV1) -> Self {
        PlanRecord {
            patient: old.patient,
            request: old.request.into(),
            plan: old.plan,
            notes: old.notes.into_iter().map(Note::from).collect(),
            extra_tasks: old.extra_tasks.into_iter().map(ExtraTask::from).collect(),
            status: old.status.into(),
            checklist: old.checklist,
            records: Vec::new(),
            scores: Vec::new(),
            photos: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_keeps_every_field_through_its_shape_on_disk() {
        let mut request = PlanRequest::new(
            Selection {
                modality: Modality::ALL[0],
                source: CellSource::ALL[1],
                area: Area::ALL[2],
                indication: Indication::ALL[3],
                adjuncts: vec![CellSource::ALL[0]],
            },
            [Factor::ALL[0]].into(),
            Date::new(2027, 1, 18).unwrap(),
        );
        request.session_count = Some(4);
        request
            .moved_sessions
            .insert(2, Date::new(2027, 3, 3).unwrap());
        request
            .performed_sessions
            .insert(1, Date::new(2027, 1, 18).unwrap());
        request.options = ClinicOptions {
            working_days: WorkingDays::new([Weekday::Saturday]),
            jurisdiction: Some(Jurisdiction::ALL[0]),
            closed_dates: [Date::new(2027, 12, 25).unwrap()].into(),
        };
        request.weight_kg = Some(70);
        let text = ron::to_string(&RequestDisk::from(&request)).unwrap();
        let back: RequestDisk = ron::from_str(&text).unwrap();
        assert_eq!(PlanRequest::from(back), request);
    }

    #[test]
    fn every_status_has_its_own_word_on_disk() {
        for &status in PlanStatus::ALL {
            let disk = StatusDisk::from(status);
            let word = ron::to_string(&disk).unwrap();
            assert_eq!(word, format!("\"{}\"", status.id()), "{status:?}");
            assert_eq!(PlanStatus::from(disk), status);
        }
    }
}
