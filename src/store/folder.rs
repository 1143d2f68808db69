//! The data folder: creating, saving and loading patients and plans as chains of
//! revisions.
//!
//! ```text
//! <data folder>/
//!     patients/<patient id>/revision-000001.ron, revision-000002.ron, ..., head.ron
//!     plans/<plan id>/revision-000001.ron, ..., head.ron
//!     index.json    a cache of the list screens' summaries; rebuilt when missing
//!     tmp/          files being written; never read as records
//! ```

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use jiff::Timestamp;
use serde::Serialize;
use serde::de::IgnoredAny;

use super::error::{LoadProblem, ProblemKind, StoreError, write_error};
use super::format::{
    FORMAT_VERSION, HEAD_FILE, ParsedRevision, Record, RevisionMeta, parse_head, parse_revision,
    render_head, render_revision, revision_file_name, revision_number, sha256_hex,
};
use super::fsio::{NewFileError, create_private_dir, sync_dir, write_new, write_replace};
use super::ids::{PatientId, PlanId};
use super::records::{Patient, PlanRecord, PlanSummary, Revision, RevisionInfo};

/// Temporary files older than this are left over from a crash and are removed when the
/// store opens. Another desk's save in progress is seconds old, never this old.
const STALE_TEMP_AGE: Duration = Duration::from_hours(24);

/// The patients and plans of one data folder. Cheap to clone; clones share nothing but
/// the folder's path, so one can be used from a background thread and another from the
/// UI thread. Several desks (or processes) may use the same folder at once: a save
/// never overwrites another's, it fails with [`StoreError::Conflict`].
#[derive(Debug, Clone)]
pub struct Store {
    data_dir: Arc<PathBuf>,
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
        let store = Store {
            data_dir: Arc::new(data_dir.to_path_buf()),
        };
        for folder in [
            store.folder_of::<Patient>(),
            store.folder_of::<PlanRecord>(),
            store.tmp_dir(),
        ] {
            create_private_dir(&folder).map_err(|source| folder_error(&folder, source))?;
        }
        store.remove_stale_temp_files();
        Ok(store)
    }

    /// The data folder.
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
        let id = PatientId::generate();
        let revision = self.create_record(id.as_str(), patient, author)?;
        Ok((id, revision))
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
        let file = self
            .record_dir::<PlanRecord>(id.as_str())
            .join(revision_file_name(number));
        let bytes = read_existing(&file, || format!("revision {number} of plan {id}"))?;
        let parsed: ParsedRevision<PlanRecord> = parse_revision(&file, &bytes)?;
        check_identity(&file, &parsed, id.as_str(), number)?;
        Ok(into_revision(parsed))
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
        let dir = self.record_dir::<PlanRecord>(id.as_str());
        let numbers = self.existing_revisions::<PlanRecord>(id.as_str())?;
        let mut history = Vec::new();
        for number in numbers {
            let file = dir.join(revision_file_name(number));
            let bytes = match std::fs::read(&file) {
                Ok(bytes) => bytes,
                Err(source) => {
                    tracing::warn!(
                        "{}",
                        StoreError::Read {
                            file,
                            cause: source
                        }
                    );
                    continue;
                }
            };
            match parse_revision::<PlanRecord>(&file, &bytes) {
                Ok(parsed) => history.push(RevisionInfo {
                    number,
                    saved_at: parsed.meta.saved_at,
                    saved_by: parsed.meta.saved_by,
                    hash: sha256_hex(&bytes),
                    file,
                }),
                Err(error) => tracing::warn!("{error}"),
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

    /// The folder holding one folder per record of a kind.
    pub(crate) fn folder_of<T: Record>(&self) -> PathBuf {
        self.data_dir.join(T::FOLDER)
    }

    /// The folder of one record.
    pub(crate) fn record_dir<T: Record>(&self, id: &str) -> PathBuf {
        self.folder_of::<T>().join(id)
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
        if dir.is_dir() {
            Ok(())
        } else {
            Err(StoreError::UnknownPatient {
                patient: patient.to_string(),
                path: dir,
            })
        }
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
        let dir = self.record_dir::<T>(id);
        let label = format!("{} {id}", T::KIND);
        create_private_dir(&dir).map_err(|source| write_error(&label, &dir, source))?;
        sync_dir(&self.folder_of::<T>()).map_err(|source| write_error(&label, &dir, source))?;
        self.write_revision(id, 1, None, record, author, saved_at)
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
        let dir = self.record_dir::<T>(id);
        if !dir.is_dir() {
            return Err(StoreError::NotFound {
                record: format!("{} {id}", T::KIND),
                path: dir,
            });
        }
        let previous = if base_revision == 0 {
            None
        } else {
            let file = dir.join(revision_file_name(base_revision));
            let bytes = read_existing(&file, || {
                format!("revision {base_revision} of {} {id}", T::KIND)
            })?;
            Some(sha256_hex(&bytes))
        };
        let number = base_revision
            .checked_add(1)
            .ok_or_else(|| StoreError::Write {
                record: format!("{} {id}", T::KIND),
                file: dir.clone(),
                cause: io::Error::other("the record has the largest number of revisions possible"),
            })?;
        self.write_revision(id, number, previous.as_deref(), record, author, saved_at)
    }

    fn write_revision<T: Record>(
        &self,
        id: &str,
        number: u32,
        previous_sha256: Option<&str>,
        record: &T,
        author: &str,
        saved_at: Timestamp,
    ) -> Result<Revision<T>, StoreError> {
        let label = format!("{} {id}", T::KIND);
        let dir = self.record_dir::<T>(id);
        let file = dir.join(revision_file_name(number));
        let text = render_revision(id, number, saved_at, author, previous_sha256, record).map_err(
            |error| StoreError::Serialize {
                record: label.clone(),
                what: error.to_string(),
            },
        )?;
        match write_new(&self.tmp_dir(), &file, text.as_bytes()) {
            Ok(()) => {}
            Err(NewFileError::Exists) => return Err(conflict::<T>(&file)),
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
        self.update_head(&dir, number, &sha256_hex(text.as_bytes()), summary.as_ref());
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
    fn update_head<S: Serialize>(
        &self,
        dir: &Path,
        number: u32,
        sha256: &str,
        summary: Option<&S>,
    ) {
        let head_file = dir.join(HEAD_FILE);
        if let Ok(bytes) = std::fs::read(&head_file)
            && parse_head::<IgnoredAny>(&head_file, &bytes).is_ok_and(|head| head.number >= number)
        {
            return;
        }
        let result = render_head(number, sha256, summary)
            .map_err(io::Error::other)
            .and_then(|text| write_replace(&self.tmp_dir(), &head_file, text.as_bytes()));
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
        match revision_numbers(&dir) {
            Ok(numbers) => Ok(numbers),
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
        let dir = self.record_dir::<T>(id);
        let mut problems = Vec::new();
        let mut first_error = None;
        for &number in numbers.iter().rev() {
            let file = dir.join(revision_file_name(number));
            let result = std::fs::read(&file)
                .map_err(|source| StoreError::Read {
                    file: file.clone(),
                    cause: source,
                })
                .and_then(|bytes| parse_revision::<T>(&file, &bytes))
                .and_then(|parsed| check_identity(&file, &parsed, id, number).map(|()| parsed));
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
            let is_stale =
                entry
                    .metadata()
                    .and_then(|meta| meta.modified())
                    .is_ok_and(|modified| {
                        now.duration_since(modified)
                            .is_ok_and(|age| age > STALE_TEMP_AGE)
                    });
            let is_ours = path.extension().is_some_and(|extension| extension == "tmp");
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

/// The revision numbers of the revision files in a folder, ascending.
pub(crate) fn revision_numbers(dir: &Path) -> io::Result<Vec<u32>> {
    let mut numbers = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        if let Some(number) = entry.file_name().to_str().and_then(revision_number) {
            numbers.push(number);
        }
    }
    numbers.sort_unstable();
    Ok(numbers)
}

/// Reads a file that must exist, with a `NotFound` that names it.
fn read_existing(file: &Path, what: impl Fn() -> String) -> Result<Vec<u8>, StoreError> {
    std::fs::read(file).map_err(|source| {
        if source.kind() == io::ErrorKind::NotFound {
            StoreError::NotFound {
                record: what(),
                path: file.to_path_buf(),
            }
        } else {
            StoreError::Read {
                file: file.to_path_buf(),
                cause: source,
            }
        }
    })
}

/// Checks that a file holds the revision its name and folder say.
pub(crate) fn check_identity<T: Record>(
    file: &Path,
    parsed: &ParsedRevision<T>,
    id: &str,
    number: u32,
) -> Result<(), StoreError> {
    if parsed.meta.id == id && parsed.meta.number == number {
        Ok(())
    } else {
        Err(StoreError::Damaged {
            file: file.to_path_buf(),
            line: None,
            column: None,
            what: format!(
                "it says it is revision {} of {} {}, so it was renamed, reordered or copied from elsewhere",
                parsed.meta.number,
                T::KIND,
                parsed.meta.id
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

/// The error for a revision file that was already there: who saved it, when.
fn conflict<T: Record>(file: &Path) -> StoreError {
    let parsed = std::fs::read(file)
        .map_err(|source| StoreError::Read {
            file: file.to_path_buf(),
            cause: source,
        })
        .and_then(|bytes| parse_revision::<T>(file, &bytes));
    match parsed {
        Ok(parsed) => StoreError::Conflict {
            file: file.to_path_buf(),
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
