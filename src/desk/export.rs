//! What an export prints about a saved plan, gathered from the store and this desk's
//! settings, and the files it becomes. One place, so the window and the command line
//! export the same thing.

use std::path::PathBuf;

use jiff::civil::Date;

use crate::catalog::Catalog;
use crate::export::{
    self, ClinicDetails, Document, ExportError, PatientDetails, PhysicianNote, PhysicianTask,
    Price, treatment_parts,
};
use crate::store::{ExportGuard, PlanId, Replace, Settings, Store, StoreError, write_export};

/// What can leave the app.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ExportKind {
    /// The patient handout (PDF), written to the patient.
    Handout,
    /// The consent form (PDF) with signature lines.
    Consent,
    /// Sessions, follow-ups and dated tasks as calendar events (iCalendar).
    Calendar,
    /// An HL7 FHIR R4 bundle (`Patient` and `CarePlan`) for an EMR.
    Fhir,
    /// The plan as JSON, the shape of `regen-planner plan --format json`.
    Json,
    /// The progress report (PDF) for the patient: sessions done, scores and their charts.
    Progress,
}

impl ExportKind {
    /// Every kind, in the order the window lists them.
    pub const ALL: &'static [ExportKind] = &[
        ExportKind::Handout,
        ExportKind::Consent,
        ExportKind::Calendar,
        ExportKind::Fhir,
        ExportKind::Json,
        ExportKind::Progress,
    ];

    /// What the window's checkbox says.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            ExportKind::Handout => "Patient handout (PDF)",
            ExportKind::Consent => "Consent form (PDF)",
            ExportKind::Calendar => "Calendar (.ics): sessions, follow-ups and tasks",
            ExportKind::Fhir => "FHIR R4 bundle, for an electronic medical record",
            ExportKind::Json => "Plan as JSON, for other systems",
            ExportKind::Progress => "Progress report (PDF): scores against the plan",
        }
    }

    /// The end of the file name: what it is and its extension.
    #[must_use]
    pub fn file_suffix(self) -> &'static str {
        match self {
            ExportKind::Handout => "handout.pdf",
            ExportKind::Consent => "consent.pdf",
            ExportKind::Calendar => "calendar.ics",
            ExportKind::Fhir => "fhir.json",
            ExportKind::Json => "plan.json",
            ExportKind::Progress => "progress.pdf",
        }
    }

    /// The file's bytes.
    ///
    /// # Errors
    /// When the export cannot be made.
    pub fn render(self, document: &Document) -> Result<Vec<u8>, ExportError> {
        match self {
            ExportKind::Handout => export::handout_pdf(document),
            ExportKind::Consent => export::consent_pdf(document),
            ExportKind::Calendar => export::calendar_ics(document).map(String::into_bytes),
            ExportKind::Fhir => export::fhir_bundle_json(document).map(String::into_bytes),
            ExportKind::Json => export::plan_json(&document.plan).map(String::into_bytes),
            ExportKind::Progress => export::progress_pdf(document),
        }
    }
}

/// Why an export was not written.
#[derive(Debug, thiserror::Error)]
pub enum ExportFailure {
    /// The plan or its patient could not be read, or a file could not be written.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The document could not be made.
    #[error(transparent)]
    Export(#[from] ExportError),
    /// Files of these names are already there, and replacing them was not asked for;
    /// nothing was written.
    #[error(
        "{} already there; replace {} or choose another folder; nothing was written",
        already_there(.0),
        if .0.len() == 1 { "it" } else { "them" }
    )]
    Exists(Vec<PathBuf>),
}

/// "a.pdf is" or "a.pdf and b.pdf are".
fn already_there(files: &[PathBuf]) -> String {
    let names: Vec<String> = files
        .iter()
        .map(|file| file.display().to_string())
        .collect();
    match names.as_slice() {
        [one] => format!("{one} is"),
        [rest @ .., last] => format!("{} and {last} are", rest.join(", ")),
        [] => "nothing is".to_owned(),
    }
}

/// An export the window asks for: which documents, into which folder, and whether
/// files of the same names (earlier exports) may be replaced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportOrder {
    /// Where the files go.
    pub folder: PathBuf,
    /// Which documents.
    pub kinds: Vec<ExportKind>,
    /// Whether earlier exports of the same names are replaced.
    pub replace: Replace,
}

/// The newest revision of a plan, with its patient and the clinic's details and price
/// from `settings` and the catalog's outcome `scales`, ready for an export made on
/// `generated_on`.
///
/// # Errors
/// When the plan or its patient cannot be read.
pub fn export_document(
    store: &Store,
    id: &PlanId,
    settings: &Settings,
    scales: &crate::catalog::Scales,
    generated_on: Date,
) -> Result<Document, StoreError> {
    gather(store, id, settings, None, scales, generated_on)
}

/// As [`export_document`], with the dose limits of the session records and the names of
/// the outcome scales taken from `catalog` (the clinic's protocols and scales merged
/// over the built-in ones) rather than from the built-in catalog.
///
/// # Errors
/// When the plan or its patient cannot be read.
pub fn export_document_for(
    store: &Store,
    id: &PlanId,
    settings: &Settings,
    catalog: &Catalog,
    generated_on: Date,
) -> Result<Document, StoreError> {
    gather(
        store,
        id,
        settings,
        Some(catalog),
        catalog.scales(),
        generated_on,
    )
}

/// The document, with the dose limits and scale names from `catalog`, or from the
/// built-in catalog (read only when the plan has records or scores) when there is none.
fn gather(
    store: &Store,
    id: &PlanId,
    settings: &Settings,
    catalog: Option<&Catalog>,
    scales: &crate::catalog::Scales,
    generated_on: Date,
) -> Result<Document, StoreError> {
    let revision = store.load_plan(id)?;
    let record = revision.value;
    let patient = store.load_patient(&record.patient)?.value;
    let price = settings
        .session_prices
        .get(&record.plan.protocol.id)
        .map(|per_session| Price {
            per_session: *per_session,
            currency: settings.currency.clone(),
        });
    let (performed, score_lines) = if record.records.is_empty() && record.scores.is_empty() {
        (Vec::new(), Vec::new())
    } else {
        let builtin;
        let catalog = if let Some(catalog) = catalog {
            catalog
        } else {
            builtin = Catalog::builtin().0;
            &builtin
        };
        treatment_parts(
            catalog,
            &record.plan,
            &record.records,
            &record.scores,
            generated_on,
        )
    };
    Ok(Document {
        plan_id: id.to_string(),
        revision: revision.number,
        status: record.status,
        plan: record.plan,
        extra_tasks: record
            .extra_tasks
            .into_iter()
            .map(|task| PhysicianTask {
                text: task.text,
                due: task.due,
                withdrawn: task.withdrawn,
                audience: task.audience,
            })
            .collect(),
        notes: record
            .notes
            .into_iter()
            .map(|note| PhysicianNote {
                written_at: note.written_at,
                author: note.author,
                text: note.text,
            })
            .collect(),
        done: record.checklist,
        patient: PatientDetails {
            name: patient.name,
            birth_date: patient.birth_date,
            clinic_id: patient.clinic_id,
            contact: patient.contact,
        },
        clinic: ClinicDetails {
            name: settings.clinic_name.clone(),
            contact: settings.clinic_contact.clone(),
            physician: settings.physician_name.clone(),
        },
        price,
        generated_on,
        calendar_patient_names: settings.calendar_patient_names,
        records: record.records,
        scores: record.scores,
        scales: scales.clone(),
        performed,
        score_lines,
    })
}

/// The file name of an export: the patient, the protocol and what it is, with anything
/// a file system could misread replaced.
#[must_use]
pub fn file_name(document: &Document, kind: ExportKind) -> String {
    let patient: String = document
        .patient
        .name
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == ' ' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let patient = patient.trim();
    let patient = if patient.is_empty() {
        "patient"
    } else {
        patient
    };
    format!(
        "{patient} - {} - {}",
        document.plan.protocol.id,
        kind.file_suffix()
    )
}

/// Makes the documents of the order from the plan as last saved and writes them into
/// its folder under their [`file_name`]s, each whole or not at all. Every target is
/// checked by `guard` first (never inside the app's folders, never over anything but a
/// regular file, over an earlier export only when the order says so): a refused one
/// leaves every file as it was. Returns the files written, in the order of the kinds.
///
/// # Errors
/// [`ExportFailure::Exists`] with every file that is already there, when replacing was
/// not asked for; else the first document that could not be made or written (the files
/// before it are written).
pub fn write_exports(
    store: &Store,
    guard: &ExportGuard,
    settings: &Settings,
    plan: &PlanId,
    order: &ExportOrder,
    scales: &crate::catalog::Scales,
    today: Date,
) -> Result<Vec<PathBuf>, ExportFailure> {
    let document = export_document(store, plan, settings, scales, today)?;
    let mut targets = Vec::with_capacity(order.kinds.len());
    let mut existing = Vec::new();
    for kind in &order.kinds {
        let path = order.folder.join(file_name(&document, *kind));
        match guard.check(&path, order.replace) {
            Ok(target) => targets.push((*kind, path, target)),
            Err(StoreError::ExportExists { .. }) => existing.push(path),
            Err(other) => return Err(other.into()),
        }
    }
    if !existing.is_empty() {
        return Err(ExportFailure::Exists(existing));
    }
    let mut written = Vec::new();
    for (kind, path, target) in targets {
        let bytes = kind.render(&document)?;
        write_export(&target, &bytes)?;
        written.push(path);
    }
    Ok(written)
}
