//! One clinic id, one patient, across every process and desk that shares the folder.
//!
//! The first save of a patient with a clinic id first claims the id: it creates the
//! file `clinic-ids/<SHA-256 of the id>.ron` naming the patient, in the one step that
//! never replaces a file (written beside it, then linked into place only if the name is
//! free; see [`super::fsio::write_new`]). Of several desks claiming the same id at
//! once, exactly one succeeds; the others read the claim and save for the patient it
//! names. A claim whose patient folder is not there yet (its save is still running, or
//! was interrupted) is honoured all the same: the patient is created under the claimed
//! id, and of two desks doing so one finds the other's folder in place and uses it.
//!
//! Ids are compared without regard to case, surrounding spaces and runs of spaces
//! ("CH-1", " ch-1 " and "Ch-1" are one patient). Data folders from before claims
//! existed get theirs from the index the first time they are needed: every patient's
//! clinic id is claimed for the patient with the smallest id (the first saved), all in
//! one file, `clinic-ids/before-claims.json`.

use std::collections::BTreeMap;
use std::io;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::error::{StoreError, write_error};
use super::folder::Store;
use super::format::{damaged, sha256_hex, utf8};

/// The version of a claim's shape, written in each; claims did not change when the
/// records' format did.
const CLAIM_VERSION: u32 = 1;
use super::fsio::{FileKind, NewFileError, read_failure, read_regular, sync_dir, write_new};
use super::ids::PatientId;
use super::records::{Patient, PatientSummary};

/// The folder of the claims, in the data folder.
pub(crate) const CLAIMS_FOLDER: &str = "clinic-ids";

/// The file that is always in the claims folder, saying what it is for. It also keeps
/// the folder from ever being empty, so that a folder put in place by a migration can
/// never replace another's (a rename replaces only an empty folder).
const README_FILE: &str = "README.txt";

const README_TEXT: &str = "Regen Planner: each file here claims one clinic id for one patient, so that two desks saving a new patient with the same clinic id at once make one patient, not two. Do not edit or remove these files.\n";

/// The file of the claims made from the patients of a data folder saved before claims
/// existed, in one file (one write, where a file per id would take a flush each).
const EARLIER_FILE: &str = "before-claims.json";

/// The clinic ids claimed when the claims folder was made, by their normalized form.
#[derive(Debug, Serialize, Deserialize)]
struct EarlierClaims {
    format_version: u32,
    claims: BTreeMap<String, PatientId>,
}

/// A claim file's contents.
#[derive(Debug, Serialize, Deserialize)]
struct Claim {
    format_version: u32,
    /// The clinic id as it was first saved.
    clinic_id: String,
    /// The patient it belongs to.
    patient: PatientId,
}

/// The form in which clinic ids are compared: lowercase, spaces trimmed, inner runs of
/// spaces made one.
pub(crate) fn normalize(clinic_id: &str) -> String {
    clinic_id
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

impl Store {
    fn claims_dir(&self) -> PathBuf {
        self.data_dir().join(CLAIMS_FOLDER)
    }

    fn claim_file(&self, clinic_id: &str) -> PathBuf {
        let name = format!("{}.ron", sha256_hex(normalize(clinic_id).as_bytes()));
        self.claims_dir().join(name)
    }

    /// Creates the claims folder of a new, empty data folder (nothing to migrate).
    pub(crate) fn create_claims_folder(&self) -> io::Result<()> {
        let dir = self.claims_dir();
        super::fsio::create_private_dir(&dir)?;
        match write_new(
            &self.tmp_dir(),
            &dir.join(README_FILE),
            README_TEXT.as_bytes(),
        ) {
            Ok(()) | Err(NewFileError::Exists) => Ok(()),
            Err(NewFileError::Io(error)) => Err(error),
        }
    }

    /// The patient a clinic id is claimed for, if it is claimed.
    fn read_claim(&self, clinic_id: &str) -> Result<Option<PatientId>, StoreError> {
        let file = self.claim_file(clinic_id);
        let bytes = match read_regular(&file, FileKind::Claim) {
            Ok(bytes) => bytes,
            Err(failure) if failure.is_not_found() => return self.earlier_claim(clinic_id),
            Err(failure) => {
                return Err(read_failure(&file, FileKind::Claim, failure, |file| {
                    StoreError::Read {
                        file,
                        cause: io::Error::from(io::ErrorKind::NotFound),
                    }
                }));
            }
        };
        let text = utf8(&file, &bytes)?;
        let claim: Claim = ron::from_str(text).map_err(|error| damaged(&file, text, &error))?;
        Ok(Some(claim.patient))
    }

    /// Claims `clinic_id` for `patient` unless it is claimed already, and returns the
    /// patient it belongs to: `patient`, or the one another save claimed it for.
    pub(crate) fn claim(
        &self,
        clinic_id: &str,
        patient: &PatientId,
    ) -> Result<PatientId, StoreError> {
        if let Some(database) = self.database() {
            return database
                .claim(&normalize(clinic_id), patient)
                .map_err(|error| StoreError::Database {
                    what: error.to_string(),
                });
        }
        self.ensure_claims(None)?;
        if let Some(holder) = self.read_claim(clinic_id)? {
            return Ok(holder);
        }
        let file = self.claim_file(clinic_id);
        let claim = Claim {
            format_version: CLAIM_VERSION,
            clinic_id: clinic_id.trim().to_owned(),
            patient: patient.clone(),
        };
        let text = claim_text(&claim)?;
        let label = format!("the clinic id of patient {patient}");
        match write_new(&self.tmp_dir(), &file, text.as_bytes()) {
            Ok(()) => Ok(patient.clone()),
            Err(NewFileError::Exists) => Ok(self
                .read_claim(clinic_id)?
                .unwrap_or_else(|| patient.clone())),
            Err(NewFileError::Io(source)) => Err(write_error(&label, &file, source)),
        }
    }

    /// The patient that has this clinic id, when that patient is in the data folder.
    ///
    /// # Errors
    /// When the claim cannot be read, or the claims of an older data folder cannot be
    /// made.
    pub fn patient_with_clinic_id(&self, clinic_id: &str) -> Result<Option<PatientId>, StoreError> {
        if let Some(database) = self.database() {
            let holder = database
                .claim_holder(&normalize(clinic_id))
                .map_err(|error| StoreError::Database {
                    what: error.to_string(),
                })?;
            return match holder {
                Some(patient) if self.exists::<Patient>(patient.as_str())? => Ok(Some(patient)),
                _ => Ok(None),
            };
        }
        self.ensure_claims(None)?;
        Ok(self
            .read_claim(clinic_id)?
            .filter(|patient| self.record_dir::<Patient>(patient.as_str()).is_dir()))
    }

    /// Makes the claims folder of a data folder saved before claims existed: the clinic
    /// ids of its patients (from `patients`, or the index loaded now) are written into
    /// one file, each for the patient with the smallest id (the first saved), and the
    /// folder is put in place in one step. Nothing to do when the folder is there.
    pub(crate) fn ensure_claims(
        &self,
        patients: Option<&[PatientSummary]>,
    ) -> Result<(), StoreError> {
        let dir = self.claims_dir();
        if std::fs::symlink_metadata(&dir).is_ok() {
            return Ok(());
        }
        let loaded;
        let patients = if let Some(patients) = patients {
            patients
        } else {
            loaded = self.load_index_without_claims(&mut |_| {})?;
            &loaded.patients
        };
        let mut sorted: Vec<&PatientSummary> = patients.iter().collect();
        sorted.sort_by(|a, b| a.id.cmp(&b.id));
        let mut before = EarlierClaims {
            format_version: CLAIM_VERSION,
            claims: BTreeMap::new(),
        };
        for patient in sorted {
            if let Some(clinic_id) = patient.clinic_id.as_deref()
                && !clinic_id.trim().is_empty()
            {
                before
                    .claims
                    .entry(normalize(clinic_id))
                    .or_insert_with(|| patient.id.clone());
            }
        }
        let label = "the clinic ids of the patients";
        let staging = tempfile::Builder::new()
            .prefix("claims-")
            .tempdir_in(self.tmp_dir())
            .map_err(|source| write_error(label, &self.tmp_dir(), source))?
            .keep();
        let result = (|| {
            let text = serde_json::to_vec_pretty(&before).map_err(io::Error::other)?;
            super::fsio::write_file_new(&staging.join(EARLIER_FILE), &text)?;
            super::fsio::write_file_new(&staging.join(README_FILE), README_TEXT.as_bytes())?;
            sync_dir(&staging)?;
            std::fs::rename(&staging, &dir)
        })();
        match result {
            Ok(()) => sync_dir(self.data_dir()).map_err(|source| write_error(label, &dir, source)),
            Err(source) => {
                let _ = std::fs::remove_dir_all(&staging);
                if dir.is_dir() {
                    // Another desk made them at the same moment.
                    Ok(())
                } else {
                    Err(write_error(label, &dir, source))
                }
            }
        }
    }

    /// The patient an id was claimed for before claims existed, if any.
    fn earlier_claim(&self, clinic_id: &str) -> Result<Option<PatientId>, StoreError> {
        let file = self.claims_dir().join(EARLIER_FILE);
        let bytes = match read_regular(&file, FileKind::ClaimList) {
            Ok(bytes) => bytes,
            Err(failure) if failure.is_not_found() => return Ok(None),
            Err(failure) => {
                return Err(read_failure(&file, FileKind::ClaimList, failure, |file| {
                    StoreError::Read {
                        file,
                        cause: io::Error::from(io::ErrorKind::NotFound),
                    }
                }));
            }
        };
        let mut earlier: EarlierClaims =
            serde_json::from_slice(&bytes).map_err(|error| StoreError::Damaged {
                file: file.clone(),
                line: Some(error.line()),
                column: Some(error.column()),
                what: "it is not the list of clinic ids the app wrote".to_owned(),
            })?;
        Ok(earlier.claims.remove(&normalize(clinic_id)))
    }
}

fn claim_text(claim: &Claim) -> Result<String, StoreError> {
    let body = ron::ser::to_string_pretty(claim, ron::ser::PrettyConfig::new().new_line("\n"))
        .map_err(|error| StoreError::Serialize {
            record: "a clinic id's claim".to_owned(),
            what: error.to_string(),
        })?;
    Ok(format!(
        "// Regen Planner: clinic id {:?} belongs to this patient. Do not edit.\n{body}\n",
        claim.clinic_id
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clinic_ids_compare_without_case_or_spaces() {
        assert_eq!(normalize(" CH-1 "), normalize("ch-1"));
        assert_eq!(normalize("CH  1"), normalize("ch 1"));
        assert_ne!(normalize("CH-1"), normalize("CH-11"));
    }
}
