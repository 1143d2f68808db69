//! Work that can take long runs on named threads: reading the index of patients and
//! plans, and writing revisions. The UI polls their channels once per frame and never
//! waits on them, except when the window closes with changes still unsaved.

use std::sync::mpsc::{Receiver, Sender, channel};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::store::{
    Index, LoadProgress, Patient, PatientId, PlanId, PlanRecord, Revision, RevisionInfo, Store,
    StoreError, Summary,
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

/// A write for the writer thread.
pub enum WriteJob {
    /// Read a plan's revision history (it hashes every revision, so it stays off the UI
    /// thread, and after any save queued before it).
    ReadHistory(PlanId),
    /// Create a plan, and its patient when new; update the patient's screening.
    CreatePlan {
        /// The patient to create, or the existing patient whose screening to update.
        patient: PatientWrite,
        /// What the plan was made from.
        request: Box<crate::planning::PlanRequest>,
        /// The generated plan.
        plan: Box<crate::planning::Plan>,
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
}

/// The patient side of creating a plan.
pub enum PatientWrite {
    /// A new patient.
    New(Box<Patient>),
    /// An existing patient, whose screening is replaced by the new one.
    Existing(PatientId, crate::store::Screening),
}

/// What the writer thread reports back.
pub enum WriteResult {
    /// A plan's revision history, oldest first.
    History {
        /// The plan.
        id: PlanId,
        /// Its revisions; empty when they could not be read.
        history: Vec<RevisionInfo>,
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
}

/// The thread that writes revisions, one at a time, in the order asked.
pub struct Writer {
    jobs: Option<Sender<WriteJob>>,
    results: Receiver<WriteResult>,
    pending: usize,
    thread: Option<JoinHandle<()>>,
}

impl Writer {
    /// Starts the writer thread, named `save-plans`.
    ///
    /// # Errors
    /// When the system cannot start a thread.
    pub fn start(store: Store, wake: impl Fn() + Send + 'static) -> std::io::Result<Self> {
        let (jobs, job_receiver) = channel::<WriteJob>();
        let (result_sender, results) = channel();
        let thread = std::thread::Builder::new()
            .name("save-plans".into())
            .spawn(move || {
                for job in job_receiver {
                    let result = run_job(&store, job);
                    if result_sender.send(result).is_err() {
                        break;
                    }
                    wake();
                }
            })?;
        Ok(Self {
            jobs: Some(jobs),
            results,
            pending: 0,
            thread: Some(thread),
        })
    }

    /// Queues a write. Returns false if the writer thread is gone.
    pub fn send(&mut self, job: WriteJob) -> bool {
        let sent = self
            .jobs
            .as_ref()
            .is_some_and(|jobs| jobs.send(job).is_ok());
        if sent {
            self.pending += 1;
        }
        sent
    }

    /// The results that arrived since the last call.
    pub fn poll(&mut self) -> Vec<WriteResult> {
        let results: Vec<WriteResult> = self.results.try_iter().collect();
        self.pending = self.pending.saturating_sub(results.len());
        results
    }

    /// Whether writes are queued or running.
    #[must_use]
    pub fn is_busy(&self) -> bool {
        self.pending > 0
    }

    /// Waits for every queued write, up to `timeout` each, and returns their results.
    pub fn wait(&mut self, timeout: Duration) -> Vec<WriteResult> {
        let mut results = Vec::new();
        while self.pending > 0 {
            match self.results.recv_timeout(timeout) {
                Ok(result) => {
                    self.pending -= 1;
                    results.push(result);
                }
                Err(_) => break,
            }
        }
        results
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        // Closing the channel ends the thread after the jobs already queued.
        self.jobs = None;
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn run_job(store: &Store, job: WriteJob) -> WriteResult {
    match job {
        WriteJob::ReadHistory(id) => WriteResult::History {
            history: store.history(&id).unwrap_or_default(),
            id,
        },
        WriteJob::CreatePlan {
            patient,
            request,
            plan,
            author,
        } => create_plan(store, patient, *request, *plan, &author),
        WriteJob::SavePlan {
            id,
            base_revision,
            record,
            author,
        } => match store.save_plan(&id, base_revision, &record, &author) {
            Ok(revision) => WriteResult::Saved {
                history: store.history(&id).unwrap_or_default(),
                summary: Summary::of_plan(&id, &revision),
                id,
                revision: Box::new(revision),
            },
            Err(error) => WriteResult::SaveFailed { id, error },
        },
    }
}

fn create_plan(
    store: &Store,
    patient: PatientWrite,
    request: crate::planning::PlanRequest,
    plan: crate::planning::Plan,
    author: &str,
) -> WriteResult {
    let mut screening_problem = None;
    let (patient_id, patient_revision) = match patient {
        PatientWrite::New(patient) => match store.create_patient(&patient, author) {
            Ok(created) => created,
            Err(error) => return WriteResult::CreateFailed(error.to_string()),
        },
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
            Err(error) => return WriteResult::CreateFailed(error.to_string()),
        },
    };
    let record = PlanRecord::new(patient_id.clone(), request, plan);
    match store.create_plan(&record, author) {
        Ok((plan, revision)) => WriteResult::Created {
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
        Err(error) => WriteResult::CreateFailed(error.to_string()),
    }
}
