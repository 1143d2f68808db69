//! The data folder: creating, saving and loading patients and plans as chains of
//! revisions.
//!
//! ```text
//! <data folder>/
//!     patients/<patient id>/revision-000001.ron, revision-000002.ron, ..., head.ron
//!     plans/<plan id>/revision-000001.ron, ..., head.ron (most plan revisions hold only
//!                     what changed since the one before, see changes.rs),
//!                     generated-<sha256>.ron (one per change of the request)
//!     clinic-ids/   one claim per clinic id, so that it names one patient (see claims.rs)
//!     index.json    a cache of the list screens' summaries; rebuilt when missing
//!     tmp/          files being written; never read as records
//! ```
//!
//! A new record appears whole: its folder, with revision 1 and its head, is built under
//! `tmp/` and renamed into place in one step. A new patient and their first plan are
//! built together and then marked ready (one rename), before either is put in place; a
//! save interrupted after that is finished by the next start of the app on any desk, so
//! a patient never stays without the plan they were made for.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use jiff::Timestamp;
use serde::Serialize;
use serde::de::IgnoredAny;

use super::bodies::{render_generated, stage_generated, write_generated};
use super::changes::MAX_CHANGES_IN_A_ROW;
use super::database::Database;
use super::error::{LoadProblem, ProblemKind, StoreError, write_error};
use super::format::{
    Body, FORMAT_VERSION, HEAD_FILE, ParsedRevision, Record, RevisionMeta, Stored, StoredRevision,
    parse_head, parse_stored, render_head, render_revision, revision_file_name, revision_number,
    sha256_hex,
};
use super::fsio::{
    FileKind, NewFileError, create_private_dir, read_failure, sync_dir, write_file_new,
};
use super::ids::{PatientId, PlanId};
use super::medium::{Entry, Folder, Medium};
use super::records::{Patient, PlanRecord, PlanSummary, Revision, RevisionInfo};
use super::rules::{self, TextField};

/// Temporary files older than this are left over from a crash and are removed when the
/// store opens. Another desk's save in progress is seconds old, never this old.
const STALE_TEMP_AGE: Duration = Duration::from_hours(24);

/// Revision numbers further apart than this do not belong to one chain: the app numbers
/// revisions one after the other, so a file numbered far beyond the revisions before it
/// (`revision-4294967295.ron`) was put there by something else. It is reported and never
/// read as the newest revision, and no gap is ever counted out number by number.
pub(crate) const MAX_GAP: u32 = 1000;

/// The prefix of a record (or a new patient with their plan) being built under `tmp/`.
const NEW_PREFIX: &str = "new-";
/// The prefix it has once it is whole and is being put in place.
const READY_PREFIX: &str = "ready-";

/// The patients and plans of one data folder. Cheap to clone; clones share nothing but
/// the folder's path, so one can be used from a background thread and another from the
/// UI thread. Several desks (or processes) may use the same folder at once: a save
/// never overwrites another's, it fails with [`StoreError::Conflict`].
#[derive(Debug, Clone)]
pub struct Store {
    data_dir: Arc<PathBuf>,
    /// Where the records' entries are kept: the data folder's files, or a database.
    medium: Arc<dyn Medium>,
    /// The database, when the records are kept on one rather than in the data folder.
    database: Option<Arc<Database>>,
    /// Where photograph originals are kept (see `originals.rs`).
    originals: Arc<dyn super::originals::Originals>,
}

/// A new patient and their first plan, as [`Store::create_patient_with_plan`] saved them.
#[derive(Debug, Clone)]
pub struct Created {
    /// The patient.
    pub patient: PatientId,
    /// The patient's newest revision: the new one, or, when another desk made the same
    /// patient (same clinic id) at the same moment, theirs.
    pub patient_revision: Revision<Patient>,
    /// The plan.
    pub plan: PlanId,
    /// The plan's first revision.
    pub plan_revision: Revision<PlanRecord>,
}

/// A record loaded with the problems met on the way: newer revisions that could not be
/// read and were skipped (they were left unchanged).
#[derive(Debug, Clone)]
pub struct Loaded<T> {
    /// The newest revision that could be read.
    pub revision: Revision<T>,
    /// Newer revision files that were skipped, newest first.
    pub problems: Vec<LoadProblem>,
}

impl Store {
    /// Opens the data folder, creating it (and its `patients`, `plans` and `tmp`
    /// folders) when missing; on Unix, folders it creates may be read only by their
    /// owner. Temporary files left by a crash more than a day ago are removed.
    ///
    /// # Errors
    /// When the folder cannot be created or is not a folder.
    pub fn open(data_dir: &Path) -> Result<Store, StoreError> {
        let folder_error = |path: &Path, source| StoreError::DataFolder {
            path: path.to_path_buf(),
            cause: source,
        };
        create_private_dir(data_dir).map_err(|source| folder_error(data_dir, source))?;
        let data_dir = Arc::new(data_dir.to_path_buf());
        let store = Store {
            medium: Arc::new(Folder::new(Arc::clone(&data_dir))),
            originals: Arc::new(super::originals::FolderOriginals::new(Arc::clone(
                &data_dir,
            ))),
            data_dir,
            database: None,
        };
        // Temporary files hold whole records: they must stay in the data folder.
        let tmp = store.tmp_dir();
        if std::fs::symlink_metadata(&tmp).is_ok_and(|meta| meta.file_type().is_symlink()) {
            return Err(folder_error(
                &tmp,
                io::Error::other(
                    "it is a symbolic link, and the records being saved would be written where it points; remove the link (the app makes the folder itself)",
                ),
            ));
        }
        let patients = store.folder_of::<Patient>();
        let is_new = std::fs::symlink_metadata(&patients).is_err();
        for folder in [patients, store.folder_of::<PlanRecord>(), store.tmp_dir()] {
            create_private_dir(&folder).map_err(|source| folder_error(&folder, source))?;
        }
        if is_new {
            // A new folder has no patient, so no clinic id to carry over.
            let claims = store.data_dir.join(super::claims::CLAIMS_FOLDER);
            store
                .create_claims_folder()
                .map_err(|source| folder_error(&claims, source))?;
        }
        store.finish_interrupted_creations();
        store.remove_stale_temp_files();
        Ok(store)
    }

    /// Opens the store kept on a PostgreSQL database (`postgresql://USER@HOST/DATABASE`)
    /// whose schema `regen-planner db init` made. Patients and plans, their revisions,
    /// conflicts, clinic ids, history and verify work as on a data folder, and
    /// [`Store::backup_to_folder`] makes its backup. Photograph originals are kept in
    /// its `photos` table; their thumbnails are made in memory unless
    /// [`Store::with_thumbnail_cache`] gives a folder of this desk's to cache them in.
    /// The lists ([`Store::load_index`]) come from its heads and its table of summaries.
    ///
    /// # Errors
    /// When the URL cannot be read, the server cannot be reached, or its schema is not
    /// this app's; each says what to do.
    pub fn open_database(url: &str) -> Result<Store, StoreError> {
        let database = Arc::new(
            Database::connect(url).map_err(|error| StoreError::Database {
                what: error.to_string(),
            })?,
        );
        Ok(Store {
            data_dir: Arc::new(PathBuf::from(format!("postgresql://{}", database.server()))),
            medium: Arc::clone(&database) as Arc<dyn Medium>,
            originals: Arc::new(super::originals::DatabaseOriginals::new(
                Arc::clone(&database),
                None,
            )),
            database: Some(database),
        })
    }

    /// The database the store is on, if it is on one.
    pub(crate) fn database(&self) -> Option<&Database> {
        self.database.as_deref()
    }

    /// Where the store's photograph originals are kept.
    pub(crate) fn originals(&self) -> &dyn super::originals::Originals {
        self.originals.as_ref()
    }

    /// The store with `dir`, a folder of this desk's own (never a shared one), to cache
    /// photographs' thumbnails in when the store is on a database; it is made when a
    /// thumbnail is first written, and what it holds is never trusted (a thumbnail
    /// there that does not decode is made again). A data folder keeps its thumbnails
    /// beside its photographs, and is returned as it is.
    #[must_use]
    pub fn with_thumbnail_cache(mut self, dir: &Path) -> Store {
        if let Some(database) = &self.database {
            self.originals = Arc::new(super::originals::DatabaseOriginals::new(
                Arc::clone(database),
                Some(dir.to_path_buf()),
            ));
        }
        self
    }

    /// The database the store is on, shared, for a thread of its own.
    pub(crate) fn database_arc(&self) -> Option<Arc<Database>> {
        self.database.clone()
    }

    /// Where the records are, as the window's status bar names it: "Data folder:
    /// PATH" or "Database: host/database" (never a password).
    #[must_use]
    pub fn location_label(&self) -> String {
        match &self.database {
            Some(database) => format!("Database: {}", database.label()),
            None => format!("Data folder: {}", self.data_dir.display()),
        }
    }

    /// The data folder (on a database, its location, which is not a folder).
    #[must_use]
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// Saves a new patient as revision 1.
    ///
    /// # Errors
    /// When the file cannot be written; nothing is left half-written.
    pub fn create_patient(
        &self,
        patient: &Patient,
        author: &str,
    ) -> Result<(PatientId, Revision<Patient>), StoreError> {
        check_patient("the new patient", patient, author)?;
        let id = self.new_patient_id(patient)?;
        let mut creation = self.begin_creation("the new patient")?;
        let revision = creation.stage(id.as_str(), patient, author, Timestamp::now())?;
        let placed = self.commit(&creation)?;
        if placed.first() == Some(&true) {
            Ok((id, revision))
        } else {
            Err(self.clinic_id_taken(patient, &id))
        }
    }

    /// Saves a new patient and their first plan, which appear together: both are
    /// written under `tmp/` first, and a save interrupted while they are put in place is
    /// finished by the next start of the app (on any desk). `plan` makes the plan's
    /// record for the patient's id. When the patient's clinic id is taken by another
    /// patient at the same moment (another desk saving the same new patient), the plan
    /// goes to that one patient, and [`Created::patient_revision`] is theirs.
    ///
    /// # Errors
    /// [`StoreError::ClinicIdTaken`] when the clinic id already belongs to a patient in
    /// the data folder (nothing is saved: make the plan for that patient); an invalid
    /// name or date; or when the files cannot be written (nothing is left half-written).
    pub fn create_patient_with_plan(
        &self,
        patient: &Patient,
        plan: impl FnOnce(&PatientId) -> PlanRecord,
        author: &str,
    ) -> Result<Created, StoreError> {
        check_patient("the new patient", patient, author)?;
        let patient_id = self.new_patient_id(patient)?;
        let record = plan(&patient_id);
        if record.patient != patient_id {
            return Err(StoreError::UnknownPatient {
                patient: record.patient.to_string(),
                path: self.record_dir::<Patient>(record.patient.as_str()),
            });
        }
        let plan_id = PlanId::generate();
        let saved_at = Timestamp::now();
        let mut creation = self.begin_creation("the new patient and plan")?;
        let patient_revision = creation.stage(patient_id.as_str(), patient, author, saved_at)?;
        let plan_revision = creation.stage(plan_id.as_str(), &record, author, saved_at)?;
        let placed = self.commit(&creation)?;
        let patient_revision = if placed.first() == Some(&true) {
            patient_revision
        } else {
            self.load_patient(&patient_id)?
        };
        Ok(Created {
            patient: patient_id,
            patient_revision,
            plan: plan_id,
            plan_revision,
        })
    }

    /// The id a new patient is saved under: a fresh one, or, when its clinic id was
    /// claimed by a save whose patient folder is not there (yet), the claimed one.
    fn new_patient_id(&self, patient: &Patient) -> Result<PatientId, StoreError> {
        let fresh = PatientId::generate();
        let Some(clinic_id) = patient.clinic_id.as_deref() else {
            return Ok(fresh);
        };
        let holder = self.claim(clinic_id, &fresh)?;
        if holder != fresh && self.record_dir::<Patient>(holder.as_str()).is_dir() {
            return Err(self.clinic_id_taken(patient, &holder));
        }
        Ok(holder)
    }

    fn clinic_id_taken(&self, patient: &Patient, holder: &PatientId) -> StoreError {
        let name = self
            .load_patient(holder)
            .map(|revision| revision.value.name)
            .unwrap_or_default();
        StoreError::ClinicIdTaken {
            clinic_id: patient.clinic_id.clone().unwrap_or_default(),
            patient: holder.clone(),
            name,
        }
    }

    /// Saves a patient as revision `base_revision + 1`, the revision after the one the
    /// user opened.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] when someone else saved that revision first; nothing is
    /// overwritten. Also when the patient does not exist or the file cannot be written.
    pub fn save_patient(
        &self,
        id: &PatientId,
        base_revision: u32,
        patient: &Patient,
        author: &str,
    ) -> Result<Revision<Patient>, StoreError> {
        let label = format!("patient {id}");
        check_patient(&label, patient, author)?;
        let on_file = self.load_patient(id)?.value.clinic_id;
        match (on_file.as_deref(), patient.clinic_id.as_deref()) {
            (Some(from), Some(to))
                if super::claims::normalize(from) == super::claims::normalize(to) => {}
            (Some(from), to) => {
                return Err(StoreError::ClinicIdChange {
                    patient: id.clone(),
                    from: from.to_owned(),
                    to: to.unwrap_or_default().to_owned(),
                });
            }
            (None, Some(to)) => {
                let holder = self.claim(to, id)?;
                if &holder != id {
                    return Err(self.clinic_id_taken(patient, &holder));
                }
            }
            (None, None) => {}
        }
        self.save_record(id.as_str(), base_revision, patient, author)
    }

    /// The newest revision of a patient that can be read. Newer revisions that cannot
    /// be read are skipped and logged; [`Store::load_patient_checked`] returns them.
    ///
    /// # Errors
    /// When the patient does not exist, no revision can be read, or the newest was
    /// written by a newer app.
    pub fn load_patient(&self, id: &PatientId) -> Result<Revision<Patient>, StoreError> {
        Ok(log_problems(self.load_patient_checked(id)?))
    }

    /// Like [`Store::load_patient`], with the skipped newer revisions.
    ///
    /// # Errors
    /// As [`Store::load_patient`].
    pub fn load_patient_checked(&self, id: &PatientId) -> Result<Loaded<Patient>, StoreError> {
        self.load_newest(id.as_str())
    }

    /// Saves a new plan as revision 1. Its patient must exist.
    ///
    /// # Errors
    /// When the patient does not exist or the file cannot be written.
    pub fn create_plan(
        &self,
        record: &PlanRecord,
        author: &str,
    ) -> Result<(PlanId, Revision<PlanRecord>), StoreError> {
        check_author(
            &format!("the new plan for patient {}", record.patient),
            author,
        )?;
        self.require_patient(&record.patient)?;
        let id = PlanId::generate();
        let revision = self.create_record(id.as_str(), record, author)?;
        Ok((id, revision))
    }

    /// Saves a plan as revision `base_revision + 1`, the revision after the one the
    /// user opened. The file is created only if no such revision exists.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] when someone else saved that revision first (its
    /// message says who, when, and to reopen the plan); nothing is overwritten. Also
    /// when the plan or its patient does not exist, or the file cannot be written.
    pub fn save_plan(
        &self,
        id: &PlanId,
        base_revision: u32,
        record: &PlanRecord,
        author: &str,
    ) -> Result<Revision<PlanRecord>, StoreError> {
        check_author(&format!("plan {id}"), author)?;
        self.require_patient(&record.patient)?;
        self.save_record(id.as_str(), base_revision, record, author)
    }

    /// The newest revision of a plan that can be read. Newer revision files that
    /// cannot be read are skipped (and left unchanged) and logged as warnings;
    /// [`Store::load_plan_checked`] returns them, and [`Store::load_index`] and
    /// [`Store::verify`] report them too. Saving on top of such a plan fails until the
    /// damaged file is restored or moved away, so it never goes unnoticed.
    ///
    /// # Errors
    /// When the plan does not exist, no revision can be read, or the newest was
    /// written by a newer app (which this app never overwrites or skips over).
    pub fn load_plan(&self, id: &PlanId) -> Result<Revision<PlanRecord>, StoreError> {
        Ok(log_problems(self.load_plan_checked(id)?))
    }

    /// Like [`Store::load_plan`], with the skipped newer revisions.
    ///
    /// # Errors
    /// As [`Store::load_plan`].
    pub fn load_plan_checked(&self, id: &PlanId) -> Result<Loaded<PlanRecord>, StoreError> {
        self.load_newest(id.as_str())
    }

    /// One given revision of a plan, such as an older one from its history.
    ///
    /// # Errors
    /// When that revision does not exist or cannot be read.
    pub fn load_plan_revision(
        &self,
        id: &PlanId,
        number: u32,
    ) -> Result<Revision<PlanRecord>, StoreError> {
        let medium = self.medium();
        let file = medium.locate(PlanRecord::FOLDER, id.as_str(), Entry::Revision(number));
        read_existing(medium, PlanRecord::FOLDER, id.as_str(), number, || {
            format!("revision {number} of plan {id}")
        })?;
        let rebuilt = read_rebuilt::<PlanRecord>(medium, id.as_str(), number)?;
        Ok(into_revision(rebuilt.stored.resolve(medium, &file)?))
    }

    /// The plans of one patient, from the index (see [`Store::load_index`]).
    ///
    /// # Errors
    /// When the data folder cannot be read.
    pub fn plans_of(&self, patient: &PatientId) -> Result<Vec<PlanSummary>, StoreError> {
        let index = self.load_index(&mut |_| {})?;
        for problem in &index.problems {
            tracing::warn!("{problem}");
        }
        Ok(index
            .plans
            .into_iter()
            .filter(|plan| &plan.patient == patient)
            .collect())
    }

    /// Every revision of a plan that can be read, oldest first, with its file and
    /// hash. Files that cannot be read are left out and logged; [`Store::verify_plan`]
    /// reports them.
    ///
    /// # Errors
    /// When the plan does not exist or its folder cannot be read.
    pub fn history(&self, id: &PlanId) -> Result<Vec<RevisionInfo>, StoreError> {
        let medium = self.medium();
        let numbers = self.existing_revisions::<PlanRecord>(id.as_str())?;
        let mut history = Vec::new();
        for number in numbers {
            let file = medium.locate(PlanRecord::FOLDER, id.as_str(), Entry::Revision(number));
            let bytes = match read_entry(medium, PlanRecord::FOLDER, id.as_str(), number) {
                Ok(bytes) => bytes,
                Err(error) => {
                    tracing::warn!("{}", crate::untrusted::escape_controls(&error.to_string()));
                    continue;
                }
            };
            // Who saved it and when is in the revision itself: the generated plan it
            // builds on is not read (`verify` checks it).
            match parse_stored::<PlanRecord>(&file, &bytes) {
                Ok(parsed) => history.push(RevisionInfo {
                    number,
                    saved_at: parsed.meta.saved_at,
                    saved_by: parsed.meta.saved_by,
                    hash: sha256_hex(&bytes),
                    file,
                }),
                Err(error) => {
                    tracing::warn!("{}", crate::untrusted::escape_controls(&error.to_string()));
                }
            }
        }
        Ok(history)
    }

    /// Saves a revision of a patient under an id, a time and an author the caller
    /// gives: revision 1 when `base_revision` is 0, else the revision after it. For
    /// records made with a clock of their own (demo data); each file is written exactly
    /// as a save writes it.
    ///
    /// # Errors
    /// As [`Store::save_patient`]; revision 1 of a patient that exists is a conflict.
    pub fn write_patient_at(
        &self,
        id: &PatientId,
        base_revision: u32,
        patient: &Patient,
        author: &str,
        saved_at: Timestamp,
    ) -> Result<Revision<Patient>, StoreError> {
        self.write_record_at(id.as_str(), base_revision, patient, author, saved_at)
    }

    /// As [`Store::write_patient_at`], for a plan; its patient must exist.
    ///
    /// # Errors
    /// As [`Store::save_plan`]; revision 1 of a plan that exists is a conflict.
    pub fn write_plan_at(
        &self,
        id: &PlanId,
        base_revision: u32,
        record: &PlanRecord,
        author: &str,
        saved_at: Timestamp,
    ) -> Result<Revision<PlanRecord>, StoreError> {
        self.require_patient(&record.patient)?;
        self.write_record_at(id.as_str(), base_revision, record, author, saved_at)
    }

    fn write_record_at<T: Record>(
        &self,
        id: &str,
        base_revision: u32,
        record: &T,
        author: &str,
        saved_at: Timestamp,
    ) -> Result<Revision<T>, StoreError> {
        if base_revision == 0 {
            self.create_record_at(id, record, author, saved_at)
        } else {
            self.save_record_at(id, base_revision, record, author, saved_at)
        }
    }

    // ----- shared by patients and plans -----

    /// Where the records' entries are kept.
    pub(crate) fn medium(&self) -> &dyn Medium {
        self.medium.as_ref()
    }

    /// The folder holding one folder per record of a kind.
    pub(crate) fn folder_of<T: Record>(&self) -> PathBuf {
        self.data_dir.join(T::FOLDER)
    }

    /// The folder of one record.
    pub(crate) fn record_dir<T: Record>(&self, id: &str) -> PathBuf {
        self.medium.record_location(T::FOLDER, id)
    }

    /// Where files are written before they are linked into place.
    pub(crate) fn tmp_dir(&self) -> PathBuf {
        self.data_dir.join("tmp")
    }

    /// The cache of summaries.
    pub(crate) fn index_file(&self) -> PathBuf {
        self.data_dir.join("index.json")
    }

    fn require_patient(&self, patient: &PatientId) -> Result<(), StoreError> {
        let dir = self.record_dir::<Patient>(patient.as_str());
        if self.exists::<Patient>(patient.as_str())? {
            Ok(())
        } else {
            Err(StoreError::UnknownPatient {
                patient: patient.to_string(),
                path: dir,
            })
        }
    }

    /// Whether a record exists, or why that cannot be known.
    pub(crate) fn exists<T: Record>(&self, id: &str) -> Result<bool, StoreError> {
        self.medium
            .record_exists(T::FOLDER, id)
            .map_err(|cause| StoreError::Read {
                file: self.record_dir::<T>(id),
                cause,
            })
    }

    fn create_record<T: Record>(
        &self,
        id: &str,
        record: &T,
        author: &str,
    ) -> Result<Revision<T>, StoreError> {
        self.create_record_at(id, record, author, Timestamp::now())
    }

    /// Saves a new record as revision 1, saved at `saved_at`: the one way records are
    /// created, with the clock read by the caller (demo data passes its own times).
    fn create_record_at<T: Record>(
        &self,
        id: &str,
        record: &T,
        author: &str,
        saved_at: Timestamp,
    ) -> Result<Revision<T>, StoreError> {
        let label = format!("{} {id}", T::KIND);
        let mut creation = self.begin_creation(&label)?;
        if let Some(clinic_id) = T::clinic_id(record) {
            let id = id
                .parse::<PatientId>()
                .map_err(|error| StoreError::Serialize {
                    record: label.clone(),
                    what: error.to_string(),
                })?;
            let holder = self.claim(clinic_id, &id)?;
            if holder != id {
                return Err(StoreError::ClinicIdTaken {
                    clinic_id: clinic_id.to_owned(),
                    name: self
                        .load_patient(&holder)
                        .map(|r| r.value.name)
                        .unwrap_or_default(),
                    patient: holder,
                });
            }
        }
        let revision = creation.stage(id, record, author, saved_at)?;
        if self.commit(&creation)?.first() == Some(&true) {
            Ok(revision)
        } else {
            Err(conflict::<T>(self.medium(), id, 1))
        }
    }

    /// Starts a creation of new records; nothing is written until [`Store::commit`].
    #[expect(
        clippy::unnecessary_wraps,
        clippy::unused_self,
        reason = "the one way a creation starts, whichever the medium"
    )]
    fn begin_creation(&self, label: &str) -> Result<Creation, StoreError> {
        Ok(Creation {
            label: label.to_owned(),
            records: Vec::new(),
        })
    }

    /// Puts the records of a creation in place, all of them or none (see
    /// [`Medium::create_records`]). Returns, per record, whether this save put it there.
    fn commit(&self, creation: &Creation) -> Result<Vec<bool>, StoreError> {
        self.medium
            .create_records(&creation.label, &creation.records)
    }

    /// Finishes the creations that were marked ready when their save was interrupted
    /// (on any desk), and removes those that were never finished writing.
    pub(crate) fn finish_interrupted_creations(&self) {
        let Ok(entries) = std::fs::read_dir(self.tmp_dir()) else {
            return;
        };
        let now = SystemTime::now();
        for entry in entries.flatten() {
            let Ok(file_type) = entry.file_type() else {
                continue;
            };
            if !file_type.is_dir() {
                continue;
            }
            let name = entry.file_name().to_string_lossy().into_owned();
            let path = entry.path();
            if name.starts_with(READY_PREFIX) {
                for folder in [Patient::FOLDER, PlanRecord::FOLDER] {
                    let Ok(records) = std::fs::read_dir(path.join(folder)) else {
                        continue;
                    };
                    for record in records.flatten() {
                        let id = record.file_name().to_string_lossy().into_owned();
                        if !super::ids::is_well_formed(&id) {
                            continue;
                        }
                        let target = self.data_dir.join(folder).join(&id);
                        if std::fs::rename(record.path(), &target).is_ok() {
                            tracing::info!(
                                "finished saving {} {id}, which was interrupted",
                                if folder == Patient::FOLDER {
                                    "patient"
                                } else {
                                    "plan"
                                }
                            );
                            let _ = sync_dir(&self.data_dir.join(folder));
                        }
                    }
                }
                let _ = std::fs::remove_dir_all(&path);
            } else if (name.starts_with(NEW_PREFIX) || name.starts_with("claims-"))
                && is_older_than(&entry, now, STALE_TEMP_AGE)
            {
                let _ = std::fs::remove_dir_all(&path);
            }
        }
    }

    fn save_record<T: Record>(
        &self,
        id: &str,
        base_revision: u32,
        record: &T,
        author: &str,
    ) -> Result<Revision<T>, StoreError> {
        self.save_record_at(id, base_revision, record, author, Timestamp::now())
    }

    /// Saves a record as revision `base_revision + 1`, saved at `saved_at`: the one way
    /// revisions are added, with the clock read by the caller.
    fn save_record_at<T: Record>(
        &self,
        id: &str,
        base_revision: u32,
        record: &T,
        author: &str,
        saved_at: Timestamp,
    ) -> Result<Revision<T>, StoreError> {
        let medium = self.medium();
        let dir = self.record_dir::<T>(id);
        if !self.exists::<T>(id)? {
            return Err(StoreError::NotFound {
                record: format!("{} {id}", T::KIND),
                path: dir,
            });
        }
        let previous = if base_revision == 0 {
            None
        } else {
            let bytes = read_existing(medium, T::FOLDER, id, base_revision, || {
                format!("revision {base_revision} of {} {id}", T::KIND)
            })?;
            let hash = sha256_hex(&bytes);
            check_base_against_head::<T>(medium, id, base_revision, &hash)?;
            // The revision saved builds on the base as its files hold it: only what
            // changed is written when the base can be rebuilt, was written in this
            // format and is not too far from a full revision. Else the new revision is
            // a full one (as it always is on top of an older format version).
            let base = read_rebuilt::<T>(medium, id, base_revision)
                .ok()
                .filter(|rebuilt| rebuilt.sha256 == hash)
                .and_then(|rebuilt| match rebuilt.stored.content {
                    Stored::Current(disk)
                        if rebuilt.stored.meta.format_version == FORMAT_VERSION
                            && rebuilt.run < MAX_CHANGES_IN_A_ROW =>
                    {
                        Some(disk)
                    }
                    _ => None,
                });
            Some((hash, base))
        };
        let number = base_revision
            .checked_add(1)
            .ok_or_else(|| StoreError::Write {
                record: format!("{} {id}", T::KIND),
                file: dir.clone(),
                cause: io::Error::other("the record has the largest number of revisions possible"),
            })?;
        let (previous_sha256, base) =
            previous.map_or((None, None), |(hash, base)| (Some(hash), base));
        self.write_revision(
            id,
            number,
            previous_sha256.as_deref(),
            base.as_ref(),
            record,
            author,
            saved_at,
        )
    }

    #[expect(
        clippy::too_many_arguments,
        reason = "one revision: where, which, on what, what, by whom and when"
    )]
    fn write_revision<T: Record>(
        &self,
        id: &str,
        number: u32,
        previous_sha256: Option<&str>,
        base: Option<&T::Disk>,
        record: &T,
        author: &str,
        saved_at: Timestamp,
    ) -> Result<Revision<T>, StoreError> {
        let label = format!("{} {id}", T::KIND);
        let medium = self.medium();
        let file = medium.locate(T::FOLDER, id, Entry::Revision(number));
        // The generated plan first, flushed: a revision never names a file that is not
        // there. A tick or a note names the file the revision before it named.
        let generated = generated_text(record, &label)?;
        if let Some((text, hash)) = &generated {
            write_generated(medium, T::FOLDER, id, text, hash, &label)?;
        }
        let disk = record.to_disk(generated.as_ref().map(|(_, hash)| hash.as_str()));
        // Only what changed, when that gives back exactly this record from the base
        // (checked here, before anything is written).
        let changes = base.and_then(|base| {
            let changes = T::changes(base, &disk)?;
            let text = ron::to_string(&changes).ok()?;
            let again: T::Changes = ron::from_str(&text).ok()?;
            let rebuilt = T::apply(again, base.clone(), number - 1).ok()?;
            (rebuilt == disk).then_some(changes)
        });
        let body = match &changes {
            Some(changes) => Body::Changes(changes),
            None => Body::Whole(&disk),
        };
        let text = render_revision::<T>(id, number, saved_at, author, previous_sha256, &body)
            .map_err(|error| StoreError::Serialize {
                record: label.clone(),
                what: error.to_string(),
            })?;
        match medium.create(T::FOLDER, id, Entry::Revision(number), text.as_bytes()) {
            Ok(()) => {}
            Err(NewFileError::Exists) => return Err(conflict::<T>(medium, id, number)),
            Err(NewFileError::Io(source)) => return Err(write_error(&label, &file, source)),
        }
        let meta = RevisionMeta {
            format_version: FORMAT_VERSION,
            id: id.to_owned(),
            number,
            saved_at,
            saved_by: author.to_owned(),
            previous_sha256: previous_sha256.map(str::to_owned),
        };
        let summary = T::summarize(id, &meta, record);
        self.update_head::<T, _>(id, number, &sha256_hex(text.as_bytes()), summary.as_ref());
        Ok(Revision {
            number,
            saved_at,
            saved_by: author.to_owned(),
            value: record.clone(),
        })
    }

    /// Points the record's head at a new revision. The revision is already saved, so a
    /// failure here only leaves the head one save behind (which `verify` tolerates and
    /// the next save repairs); it is logged, not returned.
    fn update_head<T: Record, S: Serialize>(
        &self,
        id: &str,
        number: u32,
        sha256: &str,
        summary: Option<&S>,
    ) {
        let head_file = self.medium.locate(T::FOLDER, id, Entry::Head);
        let result = render_head(number, sha256, summary)
            .map_err(io::Error::other)
            .and_then(|text| {
                self.medium
                    .advance_head(T::FOLDER, id, number, text.as_bytes())
            });
        if let Err(error) = result {
            tracing::warn!(
                "revision {number} was saved, but {} could not be updated ({error}); the next save updates it",
                head_file.display()
            );
        }
    }

    /// The revision numbers in a record's folder, in order.
    pub(crate) fn existing_revisions<T: Record>(&self, id: &str) -> Result<Vec<u32>, StoreError> {
        let dir = self.record_dir::<T>(id);
        if let Ok(meta) = std::fs::symlink_metadata(&dir)
            && let Some(what) = super::fsio::not_a_file(&dir, meta.file_type())
                .filter(|_| !meta.file_type().is_dir())
        {
            return Err(StoreError::NotAFile {
                file: dir,
                what,
                kind: "a record's folder",
            });
        }
        match self.medium.revisions(T::FOLDER, id) {
            Ok(files) => {
                for stray in &files.strays {
                    tracing::warn!(
                        "{}",
                        crate::untrusted::escape_controls(&format!(
                            "{}: {}",
                            stray.path.display(),
                            stray.what
                        ))
                    );
                }
                Ok(files.numbers)
            }
            Err(error) if error.kind() == io::ErrorKind::NotFound => Err(StoreError::NotFound {
                record: format!("{} {id}", T::KIND),
                path: dir,
            }),
            Err(source) => Err(StoreError::Read {
                file: dir,
                cause: source,
            }),
        }
    }

    /// The newest readable revision of a record, with the newer files that were not.
    pub(crate) fn load_newest<T: Record>(&self, id: &str) -> Result<Loaded<T>, StoreError> {
        let numbers = self.existing_revisions::<T>(id)?;
        match self.newest_readable::<T>(id, &numbers) {
            Newest::Found(parsed, problems) => Ok(Loaded {
                revision: into_revision(parsed),
                problems,
            }),
            Newest::Refused(error, _) | Newest::NoneReadable(Some(error), _) => Err(error),
            Newest::NoneReadable(None, _) => Err(StoreError::NotFound {
                record: format!("{} {id}", T::KIND),
                path: self.record_dir::<T>(id).join(revision_file_name(1)),
            }),
        }
    }

    /// Reads a record's revisions newest first until one can be read.
    pub(crate) fn newest_readable<T: Record>(&self, id: &str, numbers: &[u32]) -> Newest<T> {
        let medium = self.medium();
        let mut problems = Vec::new();
        let mut first_error = None;
        for &number in numbers.iter().rev() {
            let file = medium.locate(T::FOLDER, id, Entry::Revision(number));
            let result = read_rebuilt::<T>(medium, id, number)
                .and_then(|rebuilt| rebuilt.stored.resolve(medium, &file));
            match result {
                Ok(parsed) => return Newest::Found(parsed, problems),
                Err(error @ StoreError::NewerFormat { .. }) => {
                    problems.push(LoadProblem::from_error(&error, &file));
                    return Newest::Refused(error, problems);
                }
                Err(error) => {
                    problems.push(LoadProblem::from_error(&error, &file));
                    first_error.get_or_insert(error);
                }
            }
        }
        Newest::NoneReadable(first_error, problems)
    }

    fn remove_stale_temp_files(&self) {
        let Ok(entries) = std::fs::read_dir(self.tmp_dir()) else {
            return;
        };
        let now = SystemTime::now();
        for entry in entries.flatten() {
            let path = entry.path();
            let is_stale = is_older_than(&entry, now, STALE_TEMP_AGE);
            let is_ours = path.extension().is_some_and(|extension| extension == "tmp")
                && entry.file_type().is_ok_and(|file_type| file_type.is_file());
            if is_stale
                && is_ours
                && let Err(error) = std::fs::remove_file(&path)
            {
                tracing::debug!("could not remove {}: {error}", path.display());
            }
        }
    }
}

/// What reading a record's revisions newest first found.
pub(crate) enum Newest<T> {
    /// A readable revision, and the newer ones that were not.
    Found(ParsedRevision<T>, Vec<LoadProblem>),
    /// The newest revision was written by a newer app: the record is not read at all.
    Refused(StoreError, Vec<LoadProblem>),
    /// No revision could be read (the first error, if there was any file at all).
    NoneReadable(Option<StoreError>, Vec<LoadProblem>),
}

/// The revision files of a record's folder.
#[derive(Debug, Default)]
pub(crate) struct RevisionFiles {
    /// The numbers of the files that make the chain, ascending.
    pub numbers: Vec<u32>,
    /// Files named like revisions that are not part of the chain, with why.
    pub strays: Vec<Stray>,
    /// The names of the files named like generated plans (`generated-...`).
    pub generated: Vec<String>,
}

/// A file named like a revision that does not fit the record's chain.
#[derive(Debug, Clone)]
pub(crate) struct Stray {
    /// The file.
    pub path: PathBuf,
    /// Why it does not fit and what to do, as the end of a sentence.
    pub what: String,
}

/// The revision files of a folder: the chain, ascending, and the files named like
/// revisions that do not fit it. A name the app does not write (`revision-1.ron`) is a
/// stray, and so is every number after a gap wider than [`MAX_GAP`]: the app numbers
/// revisions one by one, so such a number was not given by it. Nothing is sized from
/// the numbers.
pub(crate) fn revision_files(dir: &Path) -> io::Result<RevisionFiles> {
    let mut numbers = Vec::new();
    let mut strays = Vec::new();
    let mut generated = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if let Some(number) = revision_number(&name) {
            numbers.push(number);
        } else if super::bodies::looks_generated(&name) {
            generated.push(name.into_owned());
        } else if name.starts_with("revision") {
            strays.push(Stray {
                path: entry.path(),
                what: "is not a revision file name this app writes, so it was renamed; give it back its name revision-NNNNNN.ron or restore the folder from a backup".to_owned(),
            });
        }
    }
    numbers.sort_unstable();
    generated.sort_unstable();
    Ok(chain_of(dir, numbers, strays, generated))
}

/// The chain of a record's revision numbers (sorted): every number after a gap wider
/// than [`MAX_GAP`] is a stray, as are `strays` already found; `dir` is the record's
/// location.
pub(crate) fn chain_of(
    dir: &Path,
    mut numbers: Vec<u32>,
    mut strays: Vec<Stray>,
    generated: Vec<String>,
) -> RevisionFiles {
    let mut previous = 0;
    let mut chain_len = numbers.len();
    for (index, &number) in numbers.iter().enumerate() {
        if number - previous > MAX_GAP {
            chain_len = index;
            break;
        }
        previous = number;
    }
    for &number in &numbers[chain_len..] {
        let chain = if previous == 0 {
            "this record has no revision before it".to_owned()
        } else {
            format!("the record's revisions end at revision {previous}")
        };
        strays.push(Stray {
            path: dir.join(revision_file_name(number)),
            what: format!(
                "does not fit the record's chain of revisions: {chain}, and the app numbers revisions one after the other, so this number was not given by it; the file is not read and was left unchanged; move it out of the folder"
            ),
        });
    }
    numbers.truncate(chain_len);
    strays.sort_by(|a, b| a.path.cmp(&b.path));
    RevisionFiles {
        numbers,
        strays,
        generated,
    }
}

/// Whether a path is a folder itself, not a link to one.
pub(crate) fn is_real_dir(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|meta| meta.is_dir())
}

/// Whether a folder entry was last changed longer than `age` ago.
fn is_older_than(entry: &std::fs::DirEntry, now: SystemTime, age: Duration) -> bool {
    entry
        .metadata()
        .and_then(|meta| meta.modified())
        .is_ok_and(|modified| {
            now.duration_since(modified)
                .is_ok_and(|elapsed| elapsed > age)
        })
}

/// Puts the records of a creation in place: one record's folder is renamed into its
/// place; several are first marked ready in one rename (from then on, an
/// interrupted save is finished by the next start), then each record's folder is
/// renamed into its place, in the order staged.
/// Returns, per record, whether this save put it there (`false`: a folder of that
/// id was there already, made by another desk, which happens only for a patient
/// whose clinic id two desks saved at once).
pub(crate) fn place_in_folder(
    data_dir: &Path,
    label: &str,
    new_records: &[NewRecord],
) -> Result<Vec<bool>, StoreError> {
    let tmp_dir = data_dir.join("tmp");
    let staging = tempfile::Builder::new()
        .prefix(NEW_PREFIX)
        .tempdir_in(&tmp_dir)
        .map_err(|source| write_error(label, &tmp_dir, source))?;
    let mut records = Vec::with_capacity(new_records.len());
    for record in new_records {
        stage_in_folder(staging.path(), label, record)?;
        records.push((record.folder, record.id.clone()));
    }
    {
        if let [(folder, id)] = records.as_slice() {
            // One record needs no marking: its folder, whole, is renamed into place.
            let target = data_dir.join(folder).join(id);
            return match std::fs::rename(staging.path().join(folder).join(id), &target) {
                Ok(()) => {
                    sync_dir(&data_dir.join(folder))
                        .map_err(|source| write_error(label, &target, source))?;
                    Ok(vec![true])
                }
                Err(_) if is_real_dir(&target) => Ok(vec![false]),
                Err(source) => Err(write_error(label, &target, source)),
            };
        }
        // The staged folders' entries are made durable before the pair is marked
        // ready: a start-up that finishes it must find both records or neither.
        for folder in [Patient::FOLDER, PlanRecord::FOLDER] {
            let kind_dir = staging.path().join(folder);
            if kind_dir.is_dir() {
                sync_dir(&kind_dir).map_err(|source| write_error(label, &kind_dir, source))?;
            }
        }
        sync_dir(staging.path()).map_err(|source| write_error(label, staging.path(), source))?;
        let name = staging
            .path()
            .file_name()
            .and_then(|name| name.to_str())
            .and_then(|name| name.strip_prefix(NEW_PREFIX))
            .map(str::to_owned)
            .unwrap_or_default();
        let ready = tmp_dir.join(format!("{READY_PREFIX}{name}"));
        let staged = staging.keep();
        if let Err(source) = std::fs::rename(&staged, &ready) {
            let _ = std::fs::remove_dir_all(&staged);
            return Err(write_error(label, &ready, source));
        }
        if let Err(source) = sync_dir(&tmp_dir) {
            let _ = std::fs::remove_dir_all(&ready);
            return Err(write_error(label, &tmp_dir, source));
        }
        let mut placed = Vec::with_capacity(records.len());
        for (folder, id) in &records {
            let target = data_dir.join(folder).join(id);
            match std::fs::rename(ready.join(folder).join(id), &target) {
                Ok(()) => placed.push(true),
                // Put in place by another desk's start-up, finishing this very save.
                Err(error) if error.kind() == io::ErrorKind::NotFound && is_real_dir(&target) => {
                    placed.push(true);
                }
                // Already there: made by another desk (a patient whose clinic id two
                // desks saved at once).
                Err(_) if is_real_dir(&target) => placed.push(false),
                Err(source) => {
                    // Nothing after this record is put in place, so that a failed save
                    // is not finished later behind the user's back.
                    let _ = std::fs::remove_dir_all(&ready);
                    return Err(write_error(label, &target, source));
                }
            }
            sync_dir(&data_dir.join(folder))
                .map_err(|source| write_error(label, &target, source))?;
        }
        if let Err(error) = std::fs::remove_dir_all(&ready)
            && error.kind() != io::ErrorKind::NotFound
        {
            tracing::debug!("could not remove {}: {error}", ready.display());
        }
        Ok(placed)
    }
}

/// Records being created: each rendered, none written until the creation is committed.
struct Creation {
    /// What is being saved, for messages.
    label: String,
    /// The records, in the order to put them in place.
    records: Vec<NewRecord>,
}

/// A new record, as its entries will hold it: revision 1, its head and, for a plan,
/// its generated plan.
#[derive(Debug, Clone)]
pub(crate) struct NewRecord {
    /// The kind's folder name (`Record::FOLDER`).
    pub folder: &'static str,
    /// The record's id.
    pub id: String,
    /// Revision 1's bytes.
    pub revision: Vec<u8>,
    /// The head's bytes.
    pub head: Vec<u8>,
    /// The generated plan's SHA-256 and bytes.
    pub generated: Option<(String, Vec<u8>)>,
}

impl Creation {
    /// Renders a new record, with revision 1 and its head, into the creation.
    fn stage<T: Record>(
        &mut self,
        id: &str,
        record: &T,
        author: &str,
        saved_at: Timestamp,
    ) -> Result<Revision<T>, StoreError> {
        let label = self.label.clone();
        let generated = generated_text(record, &label)?;
        let disk = record.to_disk(generated.as_ref().map(|(_, hash)| hash.as_str()));
        let text = render_revision::<T>(id, 1, saved_at, author, None, &Body::Whole(&disk))
            .map_err(|error| StoreError::Serialize {
                record: label.clone(),
                what: error.to_string(),
            })?;
        let meta = RevisionMeta {
            format_version: FORMAT_VERSION,
            id: id.to_owned(),
            number: 1,
            saved_at,
            saved_by: author.to_owned(),
            previous_sha256: None,
        };
        let summary = T::summarize(id, &meta, record);
        let head =
            render_head(1, &sha256_hex(text.as_bytes()), summary.as_ref()).map_err(|error| {
                StoreError::Serialize {
                    record: label.clone(),
                    what: error.to_string(),
                }
            })?;
        self.records.push(NewRecord {
            folder: T::FOLDER,
            id: id.to_owned(),
            revision: text.into_bytes(),
            head: head.into_bytes(),
            generated: generated.map(|(text, hash)| (hash, text.into_bytes())),
        });
        Ok(Revision {
            number: 1,
            saved_at,
            saved_by: author.to_owned(),
            value: record.clone(),
        })
    }
}

/// Writes a new record's folder, with revision 1 and its head, into a staging folder
/// under `tmp/` that nobody else sees yet.
fn stage_in_folder(staging: &Path, label: &str, record: &NewRecord) -> Result<(), StoreError> {
    let dir = staging.join(record.folder).join(&record.id);
    create_private_dir(&dir).map_err(|source| write_error(label, &dir, source))?;
    if let Some((hash, text)) = &record.generated {
        stage_generated(&dir, text, hash, label)?;
    }
    let file = dir.join(revision_file_name(1));
    write_file_new(&file, &record.revision).map_err(|source| write_error(label, &file, source))?;
    let head_file = dir.join(HEAD_FILE);
    write_file_new(&head_file, &record.head)
        .map_err(|source| write_error(label, &head_file, source))?;
    sync_dir(&dir).map_err(|source| write_error(label, &dir, source))
}

/// The checks of a patient about to be saved: their name, clinic id, date of birth and
/// the author.
fn check_patient(record: &str, patient: &Patient, author: &str) -> Result<(), StoreError> {
    let invalid = |reason| StoreError::Invalid {
        record: record.to_owned(),
        reason,
    };
    rules::check_text(TextField::PatientName, &patient.name).map_err(invalid)?;
    if let Some(clinic_id) = &patient.clinic_id {
        rules::check_text(TextField::ClinicId, clinic_id).map_err(invalid)?;
    }
    if let Some(birth) = patient.birth_date {
        // A day of slack: the desk may be in a time zone ahead of the clock's UTC.
        let today = Timestamp::now()
            .to_zoned(jiff::tz::TimeZone::UTC)
            .date()
            .tomorrow()
            .unwrap_or(birth);
        rules::check_birth_date(birth, today).map_err(invalid)?;
    }
    check_author(record, author)
}

/// The author of a save must be a name like any other.
fn check_author(record: &str, author: &str) -> Result<(), StoreError> {
    rules::check_text(TextField::PhysicianName, author).map_err(|reason| StoreError::Invalid {
        record: record.to_owned(),
        reason,
    })
}

/// A save builds on a revision: when the head describes that very revision, its hash
/// must be the one the head recorded, or the revision was changed after it was saved
/// and a save on top would hide that. A record with more than one revision always has a
/// head (it is replaced in one step), so a missing one was removed.
fn check_base_against_head<T: Record>(
    medium: &dyn Medium,
    id: &str,
    base: u32,
    hash: &str,
) -> Result<(), StoreError> {
    let head_file = medium.locate(T::FOLDER, id, Entry::Head);
    let record = format!("{} {id}", T::KIND);
    let bytes = match medium.read(T::FOLDER, id, Entry::Head) {
        Ok(bytes) => bytes,
        Err(failure) if failure.is_not_found() => {
            if base > 1 {
                return Err(StoreError::Unverified {
                    record,
                    file: head_file,
                    what: format!(
                        "is missing, so revision {base} cannot be checked against it (a save never removes it)"
                    ),
                });
            }
            return Ok(());
        }
        Err(failure) => {
            return Err(read_failure(&head_file, FileKind::Head, failure, |file| {
                StoreError::Read {
                    file,
                    cause: io::Error::from(io::ErrorKind::NotFound),
                }
            }));
        }
    };
    let head = parse_head::<IgnoredAny>(&head_file, &bytes)?;
    if head.number == base && head.sha256 != hash {
        return Err(StoreError::Unverified {
            record,
            file: medium.locate(T::FOLDER, id, Entry::Revision(base)),
            what: format!(
                "was changed after it was saved (its SHA-256 is {hash}, {HEAD_FILE} recorded {})",
                head.sha256
            ),
        });
    }
    Ok(())
}

/// Reads a revision that must exist, with a `NotFound` that names it.
fn read_existing(
    medium: &dyn Medium,
    folder: &str,
    id: &str,
    number: u32,
    what: impl FnOnce() -> String,
) -> Result<Vec<u8>, StoreError> {
    let entry = Entry::Revision(number);
    medium.read(folder, id, entry).map_err(|failure| {
        let file = medium.locate(folder, id, entry);
        read_failure(&file, FileKind::Revision, failure, |path| {
            StoreError::NotFound {
                record: what(),
                path,
            }
        })
    })
}

/// Reads a revision as [`read_checked`] reads a file: any failure is a store error
/// naming its location (a missing one is [`StoreError::Read`] with `NotFound`).
pub(crate) fn read_entry(
    medium: &dyn Medium,
    folder: &str,
    id: &str,
    number: u32,
) -> Result<Vec<u8>, StoreError> {
    let entry = Entry::Revision(number);
    medium.read(folder, id, entry).map_err(|failure| {
        let file = medium.locate(folder, id, entry);
        read_failure(&file, FileKind::Revision, failure, |file| {
            StoreError::Read {
                file,
                cause: io::Error::from(io::ErrorKind::NotFound),
            }
        })
    })
}

/// A revision as its files hold it, with what is needed to build on it.
pub(crate) struct Rebuilt<T: Record> {
    /// The revision: whole (never [`Stored::Changes`]), its generated plan not read.
    pub stored: StoredRevision<T>,
    /// The SHA-256 of the revision's own file.
    pub sha256: String,
    /// How many revisions of changes it took since the full revision before: 0 for a
    /// full revision.
    pub run: u32,
}

/// Reads revision `number` of a record from its folder: a full revision as it is, a
/// revision of changes rebuilt from the full revision before it and the changes after
/// that, each file read, checked to be the revision its name says, and checked
/// against the SHA-256 the revision after it recorded (so changes are never applied to
/// a revision that was changed). At most [`MAX_CHANGES_IN_A_ROW`] revisions of changes
/// are read.
///
/// # Errors
/// The revision's own file's error; for a file it builds on, `Damaged` naming the
/// revision, the file it builds on and what is wrong with it.
#[expect(
    clippy::too_many_lines,
    reason = "one walk back to a whole revision and forward again, each file checked in order"
)]
pub(crate) fn read_rebuilt<T: Record>(
    medium: &dyn Medium,
    id: &str,
    number: u32,
) -> Result<Rebuilt<T>, StoreError> {
    let newest_file = medium.locate(T::FOLDER, id, Entry::Revision(number));
    let builds_on = |file: &Path, what: String| StoreError::Damaged {
        file: newest_file.clone(),
        line: None,
        column: None,
        what: format!(
            "it records only what changed since the revision before, and is rebuilt from {}, which {what}; restore that file from a backup",
            file.display()
        ),
    };
    let mut pending: Vec<(PathBuf, T::Changes, u32)> = Vec::new();
    let mut newest: Option<(RevisionMeta, String)> = None;
    // The SHA-256 the revision after `at` recorded for it.
    let mut expected: Option<String> = None;
    let mut at = number;
    let base = loop {
        let file = medium.locate(T::FOLDER, id, Entry::Revision(at));
        let checked = read_entry(medium, T::FOLDER, id, at).and_then(|bytes| {
            let stored = parse_stored::<T>(&file, &bytes)?;
            check_identity::<T>(&file, &stored.meta, id, at)?;
            Ok((stored, sha256_hex(&bytes)))
        });
        let (stored, sha256) = match checked {
            Ok(found) => found,
            Err(error) if at == number => return Err(error),
            Err(StoreError::NotFound { .. }) => {
                return Err(builds_on(&file, "is missing".to_owned()));
            }
            Err(StoreError::Read { cause, .. }) if cause.kind() == io::ErrorKind::NotFound => {
                return Err(builds_on(&file, "is missing".to_owned()));
            }
            Err(StoreError::Damaged { what, .. }) => {
                let what = crate::untrusted::escape_controls(&what).into_owned();
                return Err(builds_on(&file, format!("cannot be used ({what})")));
            }
            Err(error) => {
                let text = crate::untrusted::escape_controls(&error.to_string()).into_owned();
                return Err(builds_on(&file, format!("cannot be used: {text}")));
            }
        };
        if let Some(expected) = &expected
            && *expected != sha256
        {
            return Err(builds_on(
                &file,
                format!(
                    "was changed after the revision after it was saved (its SHA-256 is {sha256}, revision {} recorded {expected})",
                    at + 1
                ),
            ));
        }
        let StoredRevision { meta, content } = stored;
        if newest.is_none() {
            newest = Some((meta.clone(), sha256));
        }
        match content {
            Stored::Changes(changes) => {
                let run = u32::try_from(pending.len()).unwrap_or(u32::MAX);
                if run >= MAX_CHANGES_IN_A_ROW {
                    return Err(StoreError::Damaged {
                        file: newest_file.clone(),
                        line: None,
                        column: None,
                        what: format!(
                            "it records only what changed since the revision before, and none of the {MAX_CHANGES_IN_A_ROW} revisions before it holds the whole plan: the app writes a whole one at least every {} revisions, so files were changed or replaced; restore the folder from a backup",
                            MAX_CHANGES_IN_A_ROW + 1
                        ),
                    });
                }
                let Some(previous) = meta.previous_sha256.clone().filter(|_| at > 1) else {
                    return Err(StoreError::Damaged {
                        file,
                        line: None,
                        column: None,
                        what: "it records only what changed since the revision before, and names no revision before it, which the app never writes; restore it from a backup".to_owned(),
                    });
                };
                expected = Some(previous);
                pending.push((file, changes, at));
                at -= 1;
            }
            Stored::Current(disk) => break Stored::Current(disk),
            Stored::Whole(record) if pending.is_empty() => break Stored::Whole(record),
            Stored::Whole(_) => {
                return Err(builds_on(
                    &file,
                    format!(
                        "was saved in format version {}, on which the app never records only changes",
                        meta.format_version
                    ),
                ));
            }
        }
    };
    let run = u32::try_from(pending.len()).unwrap_or(u32::MAX);
    let content = match base {
        Stored::Current(mut state) => {
            let mut base_number = at;
            for (file, changes, number) in pending.into_iter().rev() {
                state = T::apply(changes, state, base_number).map_err(|what| {
                    StoreError::Damaged {
                        file,
                        line: None,
                        column: None,
                        what: format!(
                            "its changes do not fit revision {base_number} ({what}): it or a revision before it was changed; restore the folder from a backup"
                        ),
                    }
                })?;
                base_number = number;
            }
            Stored::Current(state)
        }
        other => other,
    };
    let Some((meta, sha256)) = newest else {
        return Err(builds_on(&newest_file, "is missing".to_owned()));
    };
    Ok(Rebuilt {
        stored: StoredRevision { meta, content },
        sha256,
        run,
    })
}

/// Checks that a file holds the revision its name and folder say.
pub(crate) fn check_identity<T: Record>(
    file: &Path,
    meta: &RevisionMeta,
    id: &str,
    number: u32,
) -> Result<(), StoreError> {
    if meta.id == id && meta.number == number {
        Ok(())
    } else {
        Err(StoreError::Damaged {
            file: file.to_path_buf(),
            line: None,
            column: None,
            what: format!(
                "it says it is revision {} of {} {}, so it was renamed, reordered or copied from elsewhere",
                meta.number,
                T::KIND,
                meta.id
            ),
        })
    }
}

fn into_revision<T>(parsed: ParsedRevision<T>) -> Revision<T> {
    Revision {
        number: parsed.meta.number,
        saved_at: parsed.meta.saved_at,
        saved_by: parsed.meta.saved_by,
        value: parsed.record,
    }
}

fn log_problems<T>(loaded: Loaded<T>) -> Revision<T> {
    for problem in &loaded.problems {
        tracing::warn!("{problem}");
    }
    loaded.revision
}

/// The text and SHA-256 of the generated plan's file of a record that keeps one.
fn generated_text<T: Record>(
    record: &T,
    label: &str,
) -> Result<Option<(String, String)>, StoreError> {
    record
        .generated()
        .map(render_generated)
        .transpose()
        .map_err(|error| StoreError::Serialize {
            record: label.to_owned(),
            what: error.to_string(),
        })
}

/// The error for a revision file that was already there: who saved it, when.
fn conflict<T: Record>(medium: &dyn Medium, id: &str, number: u32) -> StoreError {
    let file = medium.locate(T::FOLDER, id, Entry::Revision(number));
    let parsed = read_entry(medium, T::FOLDER, id, number)
        .and_then(|bytes| parse_stored::<T>(&file, &bytes));
    match parsed {
        Ok(parsed) => StoreError::Conflict {
            file,
            saved_by: parsed.meta.saved_by,
            saved_at: parsed.meta.saved_at,
        },
        Err(error) => error,
    }
}

/// A problem for a record folder that cannot be read.
pub(crate) fn unreadable(path: &Path, error: &StoreError) -> LoadProblem {
    LoadProblem {
        path: path.to_path_buf(),
        line: None,
        column: None,
        kind: ProblemKind::Unreadable,
        what: format!("was skipped: {error}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_store_can_be_shared_between_the_ui_and_a_background_thread() {
        fn shareable<T: Clone + Send + Sync + 'static>() {}
        shareable::<Store>();
    }
}
