//! Gathers what an export prints about a saved plan: the record, its patient and this
//! desk's settings, in the shape the `export` module takes. One place, so the window and
//! the command line export the same thing.

use jiff::civil::Date;

use super::error::StoreError;
use super::folder::Store;
use super::ids::PlanId;
use super::settings::Settings;
use crate::export::{ClinicDetails, Document, PatientDetails, PhysicianNote, PhysicianTask, Price};

impl Store {
    /// The newest revision of a plan, with its patient and the clinic's details and
    /// price from `settings`, ready for an export made on `generated_on`.
    ///
    /// # Errors
    /// When the plan or its patient cannot be read.
    pub fn export_document(
        &self,
        id: &PlanId,
        settings: &Settings,
        generated_on: Date,
    ) -> Result<Document, StoreError> {
        let revision = self.load_plan(id)?;
        let record = revision.value;
        let patient = self.load_patient(&record.patient)?.value;
        let price = settings
            .session_prices
            .get(&record.plan.protocol.id)
            .map(|per_session| Price {
                per_session: *per_session,
                currency: settings.currency.clone(),
            });
        Ok(Document {
            plan_id: id.to_string(),
            revision: revision.number,
            status: record.status.id().to_owned(),
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
        })
    }
}

/// Writes an exported file in one step (a temporary file beside it, flushed, then
/// renamed over any older export of the same name), creating its folder if needed: a
/// reader never sees half a file.
///
/// # Errors
/// When the folder or the file cannot be written; the error names the file.
pub fn write_export(path: &std::path::Path, bytes: &[u8]) -> Result<(), StoreError> {
    // A bare file name is in the current folder; the folder is then ".", not "".
    let path = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => path.to_path_buf(),
        _ => std::path::Path::new(".").join(path),
    };
    let export_error = |cause| StoreError::Export {
        file: path.clone(),
        cause,
    };
    let folder = path.parent().unwrap_or(std::path::Path::new("."));
    std::fs::create_dir_all(folder).map_err(export_error)?;
    super::fsio::write_replace(folder, &path, bytes).map_err(export_error)
}
