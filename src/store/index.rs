//! The list screens' summaries of every patient and plan, fast for thousands of plans.
//!
//! `index.json` in the data folder caches each record's summary together with the
//! newest revision's number, size and modification time. At start-up each record's
//! newest revision file is looked at (two `stat` calls, no file is read: the cached
//! newest must be unchanged and the next number must not exist), and only records that
//! changed since the cache was written are listed and parsed again, on every core. The
//! cache is never a record, so it is JSON (several times faster to read than RON) rather
//! than RON: when it is missing, broken or from another version it is rebuilt, and any
//! desk may rewrite it.
//!
//! A record that changed, or every record when the cache is rebuilt, is summarized from
//! its `head.ron`, which keeps the summary of the newest revision: used only when the
//! head points at the newest revision file and that file's SHA-256 is the one the head
//! recorded, so it describes exactly the file that is there. Hashing a file costs a
//! fraction of parsing it. Otherwise (no head, a head one save behind, a changed or
//! damaged file) the newest readable revision is parsed, and what is wrong is reported.

use std::collections::{BTreeMap, HashMap};
use std::io;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::UNIX_EPOCH;

use serde::{Deserialize, Serialize};

use super::error::{LoadProblem, ProblemKind, StoreError};
use super::folder::{Newest, Store, revision_numbers, unreadable};
use super::format::{
    FORMAT_VERSION, HEAD_FILE, Record, parse_head, revision_file_name, sha256_hex,
};
use super::fsio::write_replace;
use super::ids::{PatientId, PlanId};
use super::records::{Patient, PatientSummary, PlanRecord, PlanSummary, Revision};

/// How far [`Store::load_index`] has come.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoadProgress {
    /// Records looked at so far.
    pub done: usize,
    /// Records in the data folder.
    pub total: usize,
}

/// Every patient and plan of the data folder, as the list screens show them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Index {
    /// Patients, by name.
    pub patients: Vec<PatientSummary>,
    /// Plans, oldest first (ids sort by creation time).
    pub plans: Vec<PlanSummary>,
    /// Files that were skipped; they were left unchanged.
    pub problems: Vec<LoadProblem>,
}

/// How often progress is reported, in records.
const PROGRESS_EVERY: usize = 100;

/// The size and modification time of a record's newest revision file: when they are
/// unchanged, so is the summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
struct Stamp {
    newest: u32,
    len: u64,
    modified_secs: u64,
    modified_nanos: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Cached<S> {
    id: String,
    stamp: Stamp,
    summary: Option<S>,
    problems: Vec<LoadProblem>,
    /// The record was seen before and its folder is gone: kept so that the loss is
    /// reported at every start-up until the folder is restored.
    #[serde(default)]
    removed: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct IndexFile {
    format_version: u32,
    patients: Vec<Cached<PatientSummary>>,
    plans: Vec<Cached<PlanSummary>>,
}

impl Store {
    /// Every patient and plan, as the list screens show them, with the files that were
    /// skipped. Only records changed since the last call (on any desk) are parsed; see
    /// the module documentation. Progress is reported every hundred records and at the
    /// end. A cache that cannot be written is logged, not an error.
    ///
    /// # Errors
    /// When the `patients` or `plans` folder cannot be listed.
    pub fn load_index(&self, progress: &mut dyn FnMut(LoadProgress)) -> Result<Index, StoreError> {
        let cache = self.read_cache();
        let patient_ids = self.record_ids::<Patient>()?;
        let plan_ids = self.record_ids::<PlanRecord>()?;
        let total = patient_ids.len() + plan_ids.len();
        progress(LoadProgress { done: 0, total });
        let cached_patients = by_id(cache.as_ref().map(|cache| &cache.patients));
        let cached_plans = by_id(cache.as_ref().map(|cache| &cache.plans));

        let patients = parallel_map(&patient_ids, 0, total, progress, |id| {
            self.entry::<Patient>(id, &cached_patients)
        });
        let plans = parallel_map(&plan_ids, patient_ids.len(), total, progress, |id| {
            self.entry::<PlanRecord>(id, &cached_plans)
        });
        let fresh =
            patients.iter().any(|(_, fresh)| *fresh) || plans.iter().any(|(_, fresh)| *fresh);
        let mut patients: Vec<_> = patients.into_iter().map(|(entry, _)| entry).collect();
        let mut plans: Vec<_> = plans.into_iter().map(|(entry, _)| entry).collect();
        let newly_removed = carry_removed(
            cache.as_ref().map(|cache| &cache.patients),
            &patient_ids,
            &mut patients,
        ) | carry_removed(
            cache.as_ref().map(|cache| &cache.plans),
            &plan_ids,
            &mut plans,
        );
        let changed = fresh
            || newly_removed
            || cache.as_ref().is_none_or(|cache| {
                cache.patients.len() != patients.len() || cache.plans.len() != plans.len()
            });
        let file = IndexFile {
            format_version: FORMAT_VERSION,
            patients,
            plans,
        };
        if changed {
            self.write_cache(&file);
        }
        Ok(self.assemble(file))
    }

    /// The ids of the record folders of a kind, sorted; other entries are ignored.
    fn record_ids<T: Record>(&self) -> Result<Vec<String>, StoreError> {
        let folder = self.folder_of::<T>();
        let entries = match std::fs::read_dir(&folder) {
            Ok(entries) => entries,
            Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(source) => {
                return Err(StoreError::Read {
                    file: folder,
                    cause: source,
                });
            }
        };
        let mut ids = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|source| StoreError::Read {
                file: folder.clone(),
                cause: source,
            })?;
            if let Some(name) = entry.file_name().to_str()
                && super::ids::is_well_formed(name)
            {
                ids.push(name.to_owned());
            }
        }
        ids.sort_unstable();
        Ok(ids)
    }

    /// The cached entry of a record when its newest file is unchanged (and `false`),
    /// else a fresh one (and `true`).
    fn entry<T: Record>(
        &self,
        id: &str,
        cache: &HashMap<&str, &Cached<T::Summary>>,
    ) -> (Cached<T::Summary>, bool) {
        let dir = self.record_dir::<T>(id);
        if let Some(cached) = cache.get(id)
            && !cached.removed
            && cached.stamp != Stamp::NONE
            && stamp_of(
                &dir.join(revision_file_name(cached.stamp.newest)),
                cached.stamp.newest,
            ) == Some(cached.stamp)
            && cached
                .stamp
                .newest
                .checked_add(1)
                .is_some_and(|next| !dir.join(revision_file_name(next)).exists())
        {
            return ((*cached).clone(), false);
        }
        let numbers = match revision_numbers(&dir) {
            Ok(numbers) => numbers,
            Err(source) => {
                let error = StoreError::Read {
                    file: dir.clone(),
                    cause: source,
                };
                let entry = Cached {
                    id: id.to_owned(),
                    stamp: Stamp::NONE,
                    summary: None,
                    problems: vec![unreadable(&dir, &error)],
                    removed: false,
                };
                return (entry, true);
            }
        };
        let stamp = numbers
            .last()
            .and_then(|&newest| stamp_of(&dir.join(revision_file_name(newest)), newest))
            .unwrap_or(Stamp::NONE);
        if let Some(&newest) = numbers.last()
            && let Some(summary) = summary_from_head::<T>(id, &dir, newest)
        {
            let entry = Cached {
                id: id.to_owned(),
                stamp,
                summary: Some(summary),
                problems: Vec::new(),
                removed: false,
            };
            return (entry, true);
        }
        let (summary, problems) = match self.newest_readable::<T>(id, &numbers) {
            Newest::Found(parsed, problems) => {
                (T::summarize(id, &parsed.meta, &parsed.record), problems)
            }
            Newest::Refused(_, problems) | Newest::NoneReadable(_, problems) => (None, problems),
        };
        let entry = Cached {
            id: id.to_owned(),
            stamp,
            summary,
            problems,
            removed: false,
        };
        (entry, true)
    }

    fn read_cache(&self) -> Option<IndexFile> {
        let file = self.index_file();
        let text = std::fs::read(&file).ok()?;
        match serde_json::from_slice::<IndexFile>(&text) {
            Ok(cache) if cache.format_version == FORMAT_VERSION => Some(cache),
            Ok(_) => None,
            Err(error) => {
                tracing::info!(
                    "rebuilding {}, which could not be read ({error})",
                    file.display()
                );
                None
            }
        }
    }

    fn write_cache(&self, index: &IndexFile) {
        let file = self.index_file();
        let result = serde_json::to_vec(index)
            .map_err(io::Error::other)
            .and_then(|text| write_replace(&self.tmp_dir(), &file, &text));
        if let Err(error) = result {
            tracing::warn!(
                "could not update the index cache {} ({error}); the next start-up rebuilds it",
                file.display()
            );
        }
    }

    /// The index as the screens see it: patients' names and clinic ids joined into the
    /// plans, and a problem for each plan whose patient is missing.
    fn assemble(&self, file: IndexFile) -> Index {
        let mut problems = Vec::new();
        let mut patients = Vec::new();
        for entry in file.patients {
            if entry.removed {
                let folder = self.record_dir::<Patient>(&entry.id);
                let name = entry
                    .summary
                    .map(|patient| patient.name)
                    .unwrap_or_default();
                problems.push(removed_problem(
                    &folder,
                    &format!("patient {} ({name})", entry.id),
                ));
                continue;
            }
            problems.extend(entry.problems);
            patients.extend(entry.summary);
        }
        let by_patient: BTreeMap<&PatientId, &PatientSummary> = patients
            .iter()
            .map(|patient| (&patient.id, patient))
            .collect();
        let mut plans = Vec::new();
        for entry in file.plans {
            if entry.removed {
                let folder = self.record_dir::<PlanRecord>(&entry.id);
                let what = entry
                    .summary
                    .as_ref()
                    .map_or_else(|| format!("plan {}", entry.id), describe_plan);
                problems.push(removed_problem(&folder, &what));
                continue;
            }
            problems.extend(entry.problems);
            let Some(mut plan) = entry.summary else {
                continue;
            };
            if let Some(patient) = by_patient.get(&plan.patient) {
                plan.patient_name.clone_from(&patient.name);
                plan.clinic_id.clone_from(&patient.clinic_id);
            } else {
                let patient_dir = self.record_dir::<Patient>(plan.patient.as_str());
                if !patient_dir.is_dir() {
                    problems.push(missing_patient(
                        &self.record_dir::<PlanRecord>(&entry.id),
                        &plan.patient,
                        &patient_dir,
                    ));
                }
            }
            plans.push(plan);
        }
        // Each name is lowercased once, not at every comparison.
        patients.sort_by_cached_key(|patient| (patient.name.to_lowercase(), patient.id.clone()));
        Index {
            patients,
            plans,
            problems,
        }
    }
}

impl Stamp {
    /// No readable newest file.
    const NONE: Stamp = Stamp {
        newest: 0,
        len: 0,
        modified_secs: 0,
        modified_nanos: 0,
    };
}

/// The summary the record's head keeps of its newest revision, when the head points at
/// that revision, was written by this format version, names this record, and the
/// revision file's SHA-256 is the one the head recorded: then the summary describes
/// exactly the file that is there, and the revision need not be parsed. Anything else
/// (no head, an older or damaged one, a changed or damaged revision) gives `None`, and
/// the revision is parsed, which reports what is wrong with it.
fn summary_from_head<T: Record>(id: &str, dir: &Path, newest: u32) -> Option<T::Summary> {
    let head_file = dir.join(HEAD_FILE);
    let head = parse_head::<T::Summary>(&head_file, &std::fs::read(&head_file).ok()?).ok()?;
    let summary = head.summary?;
    let fits = head.format_version == FORMAT_VERSION
        && head.number == newest
        && T::summary_of(&summary) == (id, newest);
    if !fits {
        return None;
    }
    let revision = std::fs::read(dir.join(revision_file_name(newest))).ok()?;
    (sha256_hex(&revision) == head.sha256).then_some(summary)
}

fn stamp_of(file: &Path, newest: u32) -> Option<Stamp> {
    let meta = std::fs::metadata(file).ok()?;
    let modified = meta.modified().ok()?.duration_since(UNIX_EPOCH).ok()?;
    Some(Stamp {
        newest,
        len: meta.len(),
        modified_secs: modified.as_secs(),
        modified_nanos: modified.subsec_nanos(),
    })
}

/// Keeps the entries of records that the old cache knew (with a summary, or already as
/// removed) and whose folder is gone, marked as removed. Returns whether any is newly
/// removed.
fn carry_removed<S: Clone>(
    old: Option<&Vec<Cached<S>>>,
    current: &[String],
    entries: &mut Vec<Cached<S>>,
) -> bool {
    let mut newly = false;
    for entry in old.into_iter().flatten() {
        let known = entry.removed || entry.summary.is_some();
        if known && current.binary_search(&entry.id).is_err() {
            newly |= !entry.removed;
            entries.push(Cached {
                removed: true,
                ..entry.clone()
            });
        }
    }
    newly
}

/// "plan 0190… (title, revision 3 saved … by …)".
fn describe_plan(plan: &PlanSummary) -> String {
    format!(
        "plan {} ({}, revision {} saved {} by {})",
        plan.id,
        plan.protocol_title,
        plan.revision,
        super::error::local_time(plan.saved_at),
        plan.saved_by
    )
}

fn removed_problem(folder: &Path, what: &str) -> LoadProblem {
    LoadProblem {
        path: folder.to_path_buf(),
        line: None,
        column: None,
        kind: ProblemKind::Removed,
        what: format!(
            "{what} was in the data folder and its folder is gone; restore it from a backup (the app never deletes a record)"
        ),
    }
}

impl Store {
    /// The records the index cache knows and whose folders are gone, with their
    /// problem text, for `verify`. Empty when there is no cache.
    pub(crate) fn removed_records(&self) -> Vec<LoadProblem> {
        let Some(cache) = self.read_cache() else {
            return Vec::new();
        };
        let mut problems = Vec::new();
        for entry in &cache.patients {
            let folder = self.record_dir::<Patient>(&entry.id);
            if (entry.removed || entry.summary.is_some()) && !folder.is_dir() {
                let name = entry
                    .summary
                    .as_ref()
                    .map(|patient| patient.name.as_str())
                    .unwrap_or_default();
                problems.push(removed_problem(
                    &folder,
                    &format!("patient {} ({name})", entry.id),
                ));
            }
        }
        for entry in &cache.plans {
            let folder = self.record_dir::<PlanRecord>(&entry.id);
            if (entry.removed || entry.summary.is_some()) && !folder.is_dir() {
                let what = entry
                    .summary
                    .as_ref()
                    .map_or_else(|| format!("plan {}", entry.id), describe_plan);
                problems.push(removed_problem(&folder, &what));
            }
        }
        problems
    }
}

/// Maps `work` over `items` on every core, in order, reporting progress (counted from
/// `offset` of `total`) every hundred items from the calling thread.
fn parallel_map<I: Sync, O: Send>(
    items: &[I],
    offset: usize,
    total: usize,
    progress: &mut dyn FnMut(LoadProgress),
    work: impl Fn(&I) -> O + Sync,
) -> Vec<O> {
    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let chunk_len = items.len().div_ceil(threads).max(PROGRESS_EVERY);
    let done = AtomicUsize::new(0);
    let report = |progress: &mut dyn FnMut(LoadProgress)| {
        progress(LoadProgress {
            done: offset + done.load(Ordering::Relaxed),
            total,
        });
    };
    let mut chunks = items.chunks(chunk_len);
    let first = chunks.next().unwrap_or_default();
    let (work, done_ref) = (&work, &done);
    let results = std::thread::scope(|scope| {
        // Named, so that a panic or a profile says which thread it was; a chunk whose
        // thread cannot be started is read on this one.
        let others: Vec<_> = chunks
            .enumerate()
            .map(|(number, chunk)| {
                std::thread::Builder::new()
                    .name(format!("load-index-{}", number + 1))
                    .spawn_scoped(scope, move || {
                        chunk
                            .iter()
                            .map(|item| {
                                done_ref.fetch_add(1, Ordering::Relaxed);
                                work(item)
                            })
                            .collect::<Vec<O>>()
                    })
                    .map_err(|_| chunk)
            })
            .collect();
        let mut results = Vec::with_capacity(items.len());
        for (index, item) in first.iter().enumerate() {
            results.push(work(item));
            done_ref.fetch_add(1, Ordering::Relaxed);
            if (index + 1).is_multiple_of(PROGRESS_EVERY) {
                report(progress);
            }
        }
        for other in others {
            match other {
                Ok(handle) => match handle.join() {
                    Ok(chunk) => results.extend(chunk),
                    Err(panic) => std::panic::resume_unwind(panic),
                },
                Err(chunk) => results.extend(chunk.iter().map(|item| {
                    done_ref.fetch_add(1, Ordering::Relaxed);
                    work(item)
                })),
            }
        }
        results
    });
    report(progress);
    results
}

fn by_id<S>(entries: Option<&Vec<Cached<S>>>) -> HashMap<&str, &Cached<S>> {
    entries
        .into_iter()
        .flatten()
        .map(|entry| (entry.id.as_str(), entry))
        .collect()
}

fn missing_patient(plan_dir: &Path, patient: &PatientId, patient_dir: &Path) -> LoadProblem {
    LoadProblem {
        path: plan_dir.to_path_buf(),
        line: None,
        column: None,
        kind: ProblemKind::MissingPatient,
        what: format!(
            "this plan's patient {patient} is not in the data folder (there is no {}); restore the patient's folder from a backup",
            patient_dir.display()
        ),
    }
}

/// A record's summary as the lists show it, made once where the record is saved (the
/// same summary the index cache and the head keep) and put into the index with
/// [`Index::upsert`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Summary {
    /// A patient's.
    Patient(PatientSummary),
    /// A plan's; the index fills in its patient's name and clinic id.
    Plan(PlanSummary),
}

impl Summary {
    /// The summary of a saved revision of a patient.
    #[must_use]
    pub fn of_patient(id: &PatientId, revision: &Revision<Patient>) -> Self {
        Summary::Patient(PatientSummary::new(
            id.clone(),
            &revision.value,
            revision.number,
            revision.saved_at,
        ))
    }

    /// The summary of a saved revision of a plan.
    #[must_use]
    pub fn of_plan(id: &PlanId, revision: &Revision<PlanRecord>) -> Self {
        Summary::Plan(PlanSummary::new(
            id.clone(),
            &revision.value,
            revision.number,
            revision.saved_at,
            &revision.saved_by,
        ))
    }
}

impl Index {
    /// Puts a newer summary of a record in the place of its older one (or in its place
    /// among the others, when it is new), as a fresh [`Store::load_index`] would show
    /// it: a plan gets its patient's name and clinic id, and a patient's plans get the
    /// patient's new name. Returns the patient whose rows in the lists changed.
    pub fn upsert(&mut self, summary: Summary) -> PatientId {
        match summary {
            Summary::Patient(patient) => {
                let id = patient.id.clone();
                if let Some(at) = self.patients.iter().position(|known| known.id == id) {
                    self.patients.remove(at);
                }
                // Patients are kept by name, as `assemble` sorts them.
                let key = (patient.name.to_lowercase(), patient.id.clone());
                let at = self
                    .patients
                    .partition_point(|known| (known.name.to_lowercase(), known.id.clone()) < key);
                for plan in self.plans.iter_mut().filter(|plan| plan.patient == id) {
                    plan.patient_name.clone_from(&patient.name);
                    plan.clinic_id.clone_from(&patient.clinic_id);
                }
                self.patients.insert(at, patient);
                id
            }
            Summary::Plan(mut plan) => {
                if let Some(patient) = self.patients.iter().find(|known| known.id == plan.patient) {
                    plan.patient_name.clone_from(&patient.name);
                    plan.clinic_id.clone_from(&patient.clinic_id);
                }
                let patient = plan.patient.clone();
                // Plans are kept in the order of their ids, which is their creation's.
                match self.plans.binary_search_by(|known| known.id.cmp(&plan.id)) {
                    Ok(at) => self.plans[at] = plan,
                    Err(at) => self.plans.insert(at, plan),
                }
                patient
            }
        }
    }
}
