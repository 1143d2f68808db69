//! The window's reads and writes, on named threads, so that the UI thread never touches
//! the disk nor waits: the index of patients and plans loads on `load-index`; every
//! other read and write is a [`Job`] for the `store-jobs` thread, which runs them one at
//! a time in the order asked (a plan opened after a save reads what was saved); exports
//! are made on `export`. Each reports back on a channel that the UI polls once per
//! frame, and calls `wake` so that the UI draws the result.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::thread::JoinHandle;

use jiff::civil::Date;

use super::export::{ExportFailure, ExportOrder, write_exports};
use crate::planning::{Plan, PlanRequest, PlanState};
use crate::store::{
    AppDirs, ExportGuard, Index, LoadProgress, Patient, PatientId, PlanId, PlanRecord, Revision,
    RevisionInfo, Screening, Settings, Store, StoreError, Summary,
};

/// Messages from the index loader.
pub enum LoadMessage {
    /// Files read so far.
    Progress(LoadProgress),
    /// The index, or why it could not be read.
    Done(Result<Index, StoreError>),
}

/// Starts reading the index on a thread named `load-index`. `wake` is called after each
/// message so the UI repaints.
///
/// # Errors
/// When the system cannot start a thread.
pub fn load_index(
    store: Store,
    wake: impl Fn() + Send + 'static,
) -> std::io::Result<Receiver<LoadMessage>> {
    let (sender, receiver) = channel();
    std::thread::Builder::new()
        .name("load-index".into())
        .spawn(move || {
            let started = std::time::Instant::now();
            let mut last_sent = 0;
            let result = store.load_index(&mut |progress: LoadProgress| {
                // A message per file would flood the channel with ten thousand plans.
                if progress.done == progress.total || progress.done >= last_sent + 50 {
                    last_sent = progress.done;
                    let _ = sender.send(LoadMessage::Progress(progress));
                    wake();
                }
            });
            if let Ok(index) = &result {
                tracing::info!(
                    "the list of {} patients and {} plans loaded in {:.0} ms",
                    index.patients.len(),
                    index.plans.len(),
                    started.elapsed().as_secs_f64() * 1e3
                );
            }
            let _ = sender.send(LoadMessage::Done(result));
            wake();
        })?;
    Ok(receiver)
}

/// A store on a database, connected to.
pub struct Connected {
    /// The store.
    pub store: Store,
    /// Whether the database holds demo data (the window shows its banner).
    pub is_demo: bool,
}

/// Connects to the database at `url` on a thread named `connect-database` (it can take
/// up to [`crate::store::CONNECT_TIMEOUT`] when the server does not answer); the store,
/// keeping photographs' thumbnails in `thumbnail_cache` (a folder of this desk's own),
/// or why it cannot be used as one sentence, arrives on the receiver.
///
/// # Errors
/// When the system cannot start a thread.
pub fn connect_database(
    url: String,
    thumbnail_cache: std::path::PathBuf,
    wake: impl Fn() + Send + 'static,
) -> std::io::Result<Receiver<Result<Connected, String>>> {
    let (sender, receiver) = channel();
    std::thread::Builder::new()
        .name("connect-database".into())
        .spawn(move || {
            let result = Store::open_database(&url)
                .map(|store| {
                    let store = store.with_thumbnail_cache(&thumbnail_cache);
                    // Asked here, on this thread: it is a query to the server.
                    let is_demo = store.is_demo();
                    Connected { store, is_demo }
                })
                .map_err(|error| error.to_string());
            let _ = sender.send(result);
            wake();
        })?;
    Ok(receiver)
}

/// Why an export of a saved plan wrote nothing (or stopped part way).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExportProblem {
    /// Files of these names are already there: the window asks before replacing them.
    Exists(Vec<PathBuf>),
    /// Anything else, as a sentence.
    Failed(String),
}

/// What a desk's export is made with besides the plan: the app's folders (never
/// written into), the settings (the clinic, the prices) and the catalog's outcome
/// scales (for the progress report).
pub struct ExportDesk {
    /// The app's folders.
    pub dirs: AppDirs,
    /// The desk's settings.
    pub settings: Settings,
    /// The outcome scales.
    pub scales: crate::catalog::Scales,
}

/// What an export of a saved plan reports: the files written, or why not.
pub type ExportResult = Result<Vec<PathBuf>, ExportProblem>;

/// Starts making and writing a plan's exports on a thread named `export`; the result
/// arrives on the receiver. The documents are made from the plan as last saved, so the
/// caller starts this once the plan's pending saves have landed.
///
/// # Errors
/// When the system cannot start a thread.
pub fn start_export(
    store: Store,
    desk: ExportDesk,
    plan: PlanId,
    order: ExportOrder,
    today: Date,
    wake: impl Fn() + Send + 'static,
) -> std::io::Result<Receiver<ExportResult>> {
    let ExportDesk {
        dirs,
        settings,
        scales,
    } = desk;
    let (sender, receiver) = channel();
    std::thread::Builder::new()
        .name("export".into())
        .spawn(move || {
            // The app's folders are resolved here, off the UI thread.
            let guard = ExportGuard::new(&dirs);
            let result = write_exports(&store, &guard, &settings, &plan, &order, &scales, today)
                .map_err(|error| match error {
                    ExportFailure::Exists(files) => ExportProblem::Exists(files),
                    other => ExportProblem::Failed(other.to_string()),
                });
            let _ = sender.send(result);
            wake();
        })?;
    Ok(receiver)
}

/// How a file or folder is shown in the system's own application (the PDF viewer, the
/// file manager); the window takes [`system_opener`], a test one that records.
pub type Opener = fn(&std::path::Path) -> std::io::Result<()>;

/// Opens a file or folder with the application the system chooses for it.
///
/// # Errors
/// When no application could be started for it.
pub fn system_opener(path: &std::path::Path) -> std::io::Result<()> {
    open::that(path)
}

/// Opens `path` with `opener` on a thread named `open-viewer` (starting an application
/// can take a while, and some launchers wait for it); the receiver gets a sentence if
/// it could not be opened.
///
/// # Errors
/// When the system cannot start a thread.
pub fn start_open(
    opener: Opener,
    path: PathBuf,
    wake: impl Fn() + Send + 'static,
) -> std::io::Result<Receiver<Result<(), String>>> {
    let (sender, receiver) = channel();
    std::thread::Builder::new()
        .name("open-viewer".into())
        .spawn(move || {
            let result = opener(&path).map_err(|error| {
                format!(
                    "could not open {} with the system's application: {error}; open it by hand",
                    path.display()
                )
            });
            let _ = sender.send(result);
            wake();
        })?;
    Ok(receiver)
}

/// A read or write for the `store-jobs` thread.
pub enum Job {
    /// Read a plan's newest revision and its patient's name.
    OpenPlan(PlanId),
    /// Read a plan's revision history (it hashes every revision).
    ReadHistory(PlanId),
    /// Read every revision of a plan and say what each changed from the one before.
    ReadChanges(PlanId),
    /// Read a patient's newest revision: to show them, or to take over their
    /// screening in a new plan.
    ReadPatient(PatientId),
    /// Create a plan, and its patient when new; update the patient's screening.
    CreatePlan {
        /// The patient to create, or the existing patient whose screening to update.
        patient: PatientWrite,
        /// What the plan was made from.
        request: Box<PlanRequest>,
        /// The generated plan.
        plan: Box<Plan>,
        /// Who saves.
        author: String,
    },
    /// Save a new revision of a plan.
    SavePlan {
        /// The plan.
        id: PlanId,
        /// The revision the edits were made on.
        base_revision: u32,
        /// The whole record.
        record: Box<PlanRecord>,
        /// Who saves.
        author: String,
    },
    /// Save a new revision of a patient's details (name, date of birth, contact,
    /// clinic id, allergies, medication, history); their screening stays as on file.
    SavePatient {
        /// The patient.
        id: PatientId,
        /// The revision the edits were made on.
        base_revision: u32,
        /// The details as edited.
        patient: Box<Patient>,
        /// Who saves.
        author: String,
        /// Today, for the date of birth's check.
        today: Date,
    },
    /// Read the newest revision of a plan saved at another desk (or at this one), for
    /// the lists and the open plan.
    ReadChangedPlan(PlanId),
    /// Read the newest revision of a patient saved at another desk, for the lists.
    ReadChangedPatient(PatientId),
    /// Write the desk's settings into the configuration folder.
    SaveSettings {
        /// The configuration folder.
        config_dir: PathBuf,
        /// The settings.
        settings: Box<Settings>,
    },
}

/// The patient side of creating a plan.
pub enum PatientWrite {
    /// A new patient.
    New(Box<Patient>),
    /// An existing patient, whose screening becomes the new one.
    Existing(PatientId, Screening),
}

/// What the `store-jobs` thread reports back, one outcome per job.
pub enum Outcome {
    /// A plan was read.
    Opened {
        /// The plan.
        id: PlanId,
        /// Its newest revision.
        revision: Box<Revision<PlanRecord>>,
        /// Its patient's name, or "Unknown patient" when their record cannot be read.
        patient_name: String,
    },
    /// A plan could not be read.
    OpenFailed {
        /// The plan.
        id: PlanId,
        /// Why, as a sentence.
        message: String,
    },
    /// A plan's revision history, oldest first.
    History {
        /// The plan.
        id: PlanId,
        /// Its revisions; empty when they could not be read.
        history: Vec<RevisionInfo>,
    },
    /// What each revision of a plan changed, by revision number; a revision that could
    /// not be read is left out.
    Changes {
        /// The plan.
        id: PlanId,
        /// The changes in words, by revision.
        changes: BTreeMap<u32, Vec<String>>,
    },
    /// A patient was read, or could not be.
    Patient {
        /// The patient.
        id: PatientId,
        /// Their newest revision, or why it could not be read.
        result: Result<Box<Revision<Patient>>, String>,
    },
    /// A plan (and perhaps its patient) was created.
    Created {
        /// The patient's newest revision.
        patient_revision: Box<Revision<Patient>>,
        /// The summaries of the patient and the plan, for the lists.
        summaries: Vec<Summary>,
        /// The plan.
        plan: PlanId,
        /// The plan's first revision.
        revision: Box<Revision<PlanRecord>>,
        /// A problem with updating the patient's screening, if any; the plan is saved.
        screening_problem: Option<String>,
        /// The plan's revisions as saved.
        history: Vec<RevisionInfo>,
    },
    /// Creating failed; nothing was half-written.
    CreateFailed(String),
    /// A plan revision was saved.
    Saved {
        /// The plan.
        id: PlanId,
        /// The new revision.
        revision: Box<Revision<PlanRecord>>,
        /// Its summary, for the lists.
        summary: Summary,
        /// Every revision of the plan, read back after the save.
        history: Vec<RevisionInfo>,
    },
    /// Saving failed; the edits are still in the UI.
    SaveFailed {
        /// The plan.
        id: PlanId,
        /// The store's error.
        error: StoreError,
    },
    /// A patient's details were saved.
    PatientSaved {
        /// The patient.
        id: PatientId,
        /// The new revision.
        revision: Box<Revision<Patient>>,
        /// Its summary, for the lists.
        summary: Summary,
    },
    /// A patient's details were not saved; the edits are still in the UI.
    PatientSaveFailed {
        /// The patient.
        id: PatientId,
        /// Why, as a sentence.
        message: String,
        /// Someone else saved the patient first: the form offers to reread them.
        is_conflict: bool,
    },
    /// A record saved elsewhere was read again.
    Changed {
        /// Its summary, for the lists.
        summary: Summary,
        /// For a plan, its id and newest revision (number, when, by whom).
        plan: Option<(PlanId, Revision<()>)>,
    },
    /// A record saved elsewhere could not be read again (the lists keep what they
    /// show).
    ChangeUnread(String),
    /// The settings were written.
    SettingsSaved(Box<Settings>),
    /// The settings could not be written; the file is as it was.
    SettingsFailed(String),
}

/// The `store-jobs` thread: runs jobs one at a time, in the order asked.
pub struct Worker {
    jobs: Option<Sender<Job>>,
    outcomes: Receiver<Outcome>,
    pending: usize,
    thread: Option<JoinHandle<()>>,
}

impl Worker {
    /// Starts the thread, named `store-jobs`.
    ///
    /// # Errors
    /// When the system cannot start a thread.
    pub fn start(store: Store, wake: impl Fn() + Send + 'static) -> std::io::Result<Self> {
        let (jobs, job_receiver) = channel::<Job>();
        let (outcome_sender, outcomes) = channel();
        let thread = std::thread::Builder::new()
            .name("store-jobs".into())
            .spawn(move || {
                for job in job_receiver {
                    let outcome = run_job(&store, job);
                    if outcome_sender.send(outcome).is_err() {
                        break;
                    }
                    wake();
                }
            })?;
        Ok(Self {
            jobs: Some(jobs),
            outcomes,
            pending: 0,
            thread: Some(thread),
        })
    }

    /// Queues a job. Returns false if the thread is gone.
    pub fn send(&mut self, job: Job) -> bool {
        let sent = self
            .jobs
            .as_ref()
            .is_some_and(|jobs| jobs.send(job).is_ok());
        if sent {
            self.pending += 1;
        }
        sent
    }

    /// The outcomes that arrived since the last call; never waits.
    pub fn poll(&mut self) -> Vec<Outcome> {
        let outcomes: Vec<Outcome> = self.outcomes.try_iter().collect();
        self.pending = self.pending.saturating_sub(outcomes.len());
        outcomes
    }

    /// Whether jobs are queued or running.
    #[must_use]
    pub fn is_busy(&self) -> bool {
        self.pending > 0
    }
}

impl Drop for Worker {
    /// Lets the jobs already queued finish, so that a save asked for just before the
    /// window closed still lands.
    fn drop(&mut self) {
        self.jobs = None;
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The parts of a plan record that edits change.
fn plan_state(record: &PlanRecord) -> PlanState<'_> {
    PlanState {
        plan: &record.plan,
        status: record.status,
        checklist: &record.checklist,
        notes: &record.notes,
        extra_tasks: &record.extra_tasks,
        records: &record.records,
        scores: &record.scores,
        photos: &record.photos,
    }
}

/// What each readable revision of a plan changed from the one before it (the one
/// before that, when a revision cannot be read).
fn revision_changes(store: &Store, id: &PlanId) -> BTreeMap<u32, Vec<String>> {
    let mut changes = BTreeMap::new();
    let Ok(history) = store.history(id) else {
        return changes;
    };
    let mut before: Option<PlanRecord> = None;
    for info in history {
        let Ok(revision) = store.load_plan_revision(id, info.number) else {
            continue;
        };
        let after = plan_state(&revision.value);
        let said = crate::planning::changes(before.as_ref().map(plan_state).as_ref(), &after);
        changes.insert(info.number, said);
        before = Some(revision.value);
    }
    changes
}

fn run_job(store: &Store, job: Job) -> Outcome {
    match job {
        Job::OpenPlan(id) => match store.load_plan(&id) {
            Ok(revision) => Outcome::Opened {
                patient_name: store.load_patient(&revision.value.patient).map_or_else(
                    |_| "Unknown patient".to_owned(),
                    |patient| patient.value.name,
                ),
                revision: Box::new(revision),
                id,
            },
            Err(error) => Outcome::OpenFailed {
                id,
                message: error.to_string(),
            },
        },
        Job::ReadHistory(id) => Outcome::History {
            history: store.history(&id).unwrap_or_default(),
            id,
        },
        Job::ReadChanges(id) => Outcome::Changes {
            changes: revision_changes(store, &id),
            id,
        },
        Job::ReadPatient(id) => Outcome::Patient {
            result: store
                .load_patient(&id)
                .map(Box::new)
                .map_err(|error| error.to_string()),
            id,
        },
        Job::CreatePlan {
            patient,
            request,
            plan,
            author,
        } => create_plan(store, patient, *request, *plan, &author),
        Job::SavePlan {
            id,
            base_revision,
            record,
            author,
        } => match store.save_plan(&id, base_revision, &record, &author) {
            Ok(revision) => Outcome::Saved {
                history: store.history(&id).unwrap_or_default(),
                summary: Summary::of_plan(&id, &revision),
                id,
                revision: Box::new(revision),
            },
            Err(error) => Outcome::SaveFailed { id, error },
        },
        Job::SavePatient {
            id,
            base_revision,
            patient,
            author,
            today,
        } => save_patient(store, id, base_revision, &patient, &author, today),
        Job::ReadChangedPlan(id) => match store.load_plan(&id) {
            Ok(revision) => Outcome::Changed {
                summary: Summary::of_plan(&id, &revision),
                plan: Some((
                    id,
                    Revision {
                        number: revision.number,
                        saved_at: revision.saved_at,
                        saved_by: revision.saved_by,
                        value: (),
                    },
                )),
            },
            Err(error) => Outcome::ChangeUnread(error.to_string()),
        },
        Job::ReadChangedPatient(id) => match store.load_patient(&id) {
            Ok(revision) => Outcome::Changed {
                summary: Summary::of_patient(&id, &revision),
                plan: None,
            },
            Err(error) => Outcome::ChangeUnread(error.to_string()),
        },
        Job::SaveSettings {
            config_dir,
            settings,
        } => match settings.save(&config_dir) {
            Ok(()) => Outcome::SettingsSaved(settings),
            Err(error) => Outcome::SettingsFailed(error.to_string()),
        },
    }
}

/// Saves a patient's edited details on top of `base_revision` (a save from another
/// desk since is a conflict that names who saved). Their screening is the one on
/// file; the date of birth must come before today
/// and before the first session of each of their plans, as the store's rules say.
fn save_patient(
    store: &Store,
    id: PatientId,
    base_revision: u32,
    edited: &Patient,
    author: &str,
    today: Date,
) -> Outcome {
    let failed = |message: String, is_conflict: bool| Outcome::PatientSaveFailed {
        id: id.clone(),
        message,
        is_conflict,
    };
    let on_file = match store.load_patient(&id) {
        Ok(on_file) => on_file,
        Err(error) => return failed(error.to_string(), false),
    };
    if let Some(birth) = edited.birth_date {
        let starts: Vec<Date> = match store.plans_of(&id) {
            Ok(plans) => plans.iter().filter_map(|plan| plan.first_session).collect(),
            Err(error) => return failed(error.to_string(), false),
        };
        if let Err(reason) = crate::store::rules::check_birth_date_of_patient(birth, today, &starts)
        {
            return failed(
                StoreError::Invalid {
                    record: format!("patient {id}"),
                    reason,
                }
                .to_string(),
                false,
            );
        }
    }
    let patient = Patient {
        screening: on_file.value.screening,
        ..edited.clone()
    };
    match store.save_patient(&id, base_revision, &patient, author) {
        Ok(revision) => Outcome::PatientSaved {
            summary: Summary::of_patient(&id, &revision),
            revision: Box::new(revision),
            id,
        },
        Err(error) => {
            let is_conflict = matches!(error, StoreError::Conflict { .. });
            failed(error.to_string(), is_conflict)
        }
    }
}

fn create_plan(
    store: &Store,
    patient: PatientWrite,
    request: PlanRequest,
    plan: Plan,
    author: &str,
) -> Outcome {
    let mut screening_problem = None;
    let (patient_id, patient_revision) = match patient {
        // A new patient and their first plan are saved together, never one alone.
        PatientWrite::New(patient) => {
            let record = |id: &PatientId| PlanRecord::new(id.clone(), request, plan);
            return match store.create_patient_with_plan(&patient, record, author) {
                Ok(created) => Outcome::Created {
                    history: store.history(&created.plan).unwrap_or_default(),
                    summaries: vec![
                        Summary::of_patient(&created.patient, &created.patient_revision),
                        Summary::of_plan(&created.plan, &created.plan_revision),
                    ],
                    patient_revision: Box::new(created.patient_revision),
                    plan: created.plan,
                    revision: Box::new(created.plan_revision),
                    screening_problem,
                },
                Err(error) => Outcome::CreateFailed(error.to_string()),
            };
        }
        PatientWrite::Existing(id, screening) => match store.load_patient(&id) {
            Ok(current) => {
                let mut updated = current.value.clone();
                updated.screening = screening;
                if updated == current.value {
                    (id, current)
                } else {
                    match store.save_patient(&id, current.number, &updated, author) {
                        Ok(saved) => (id, saved),
                        Err(error) => {
                            screening_problem = Some(error.to_string());
                            (id, current)
                        }
                    }
                }
            }
            Err(error) => return Outcome::CreateFailed(error.to_string()),
        },
    };
    let record = PlanRecord::new(patient_id.clone(), request, plan);
    match store.create_plan(&record, author) {
        Ok((plan, revision)) => Outcome::Created {
            history: store.history(&plan).unwrap_or_default(),
            summaries: vec![
                Summary::of_patient(&patient_id, &patient_revision),
                Summary::of_plan(&plan, &revision),
            ],
            patient_revision: Box::new(patient_revision),
            plan,
            revision: Box::new(revision),
            screening_problem,
        },
        Err(error) => Outcome::CreateFailed(error.to_string()),
    }
}
