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
//! The cache is never trusted over the records: a cached summary is used only while the
//! SHA-256 of its JSON is the one the record's `head.ron` records for its summary (the
//! head is read for that, not parsed: the hash has a line of its own). A cached entry
//! that does not match is made again from the record's files, and when the files say
//! something else than the cache did, that is reported: the cache was edited or damaged.
//!
//! A record that changed, or every record when the cache is rebuilt, is summarized from
//! its `head.ron`, which keeps the summary of the newest revision: used only when the
//! head points at the newest revision file and that file's SHA-256 is the one the head
//! recorded, so it describes exactly the file that is there. Hashing a file costs a
//! fraction of parsing it. Otherwise (no head, a head one save behind, a changed or
//! damaged file) the newest readable revision is parsed, and what is wrong is reported;
//! a record whose head is missing, or whose newest revision no longer matches it, is
//! marked unverified ([`Index::unverified`]).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::UNIX_EPOCH;

use serde::{Deserialize, Serialize};

use super::error::{LoadProblem, ProblemKind, StoreError};
use super::folder::{Newest, Store, is_real_dir, revision_files, unreadable};
use super::format::{
    FORMAT_VERSION, HEAD_FILE, OLDEST_HEAD_WITH_SUMMARY, Record, head_summary_sha256, parse_head,
    revision_file_name, sha256_hex, summary_sha256,
};
use super::fsio::{FileKind, not_a_file, read_regular, with_small_file, write_replace};
use super::ids::{PatientId, PlanId};
use super::records::{AgendaItems, Patient, PatientSummary, PlanRecord, PlanSummary, Revision};
use crate::planning::agenda::DatedItem;

// A child of this module, so that the database's index shares the folder's rules.
#[path = "index_db.rs"]
mod on_database;

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
    /// The ids of the records (patients and plans) whose newest revision cannot be
    /// checked: their `head.ron` is missing, or the newest revision no longer has the
    /// SHA-256 it recorded. They are listed as their files say, marked as unverified
    /// until `regen-planner plans verify` and a backup settle them.
    pub unverified: BTreeSet<String>,
}

impl Index {
    /// Whether a plan, or its patient, is unverified (see [`Index::unverified`]).
    #[must_use]
    pub fn is_unverified(&self, plan: &PlanSummary) -> bool {
        self.unverified.contains(plan.id.as_str())
            || self.unverified.contains(plan.patient.as_str())
    }
}

/// The version of the rules that make a plan's dated items
/// ([`crate::planning::agenda::dated_items`]), kept in the index cache: a cache whose
/// items were made otherwise is rebuilt. One more whenever those rules change (2: the
/// dated tasks the physician added are among them).
const AGENDA_VERSION: u32 = 2;

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
pub(crate) struct Cached<S> {
    id: String,
    stamp: Stamp,
    summary: Option<S>,
    problems: Vec<LoadProblem>,
    /// The record was seen before and its folder is gone: kept so that the loss is
    /// reported at every start-up until the folder is restored.
    #[serde(default)]
    removed: bool,
    /// A plan's dated items, in the file only: in memory they are in the summary
    /// ([`WithAgenda`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    agenda: Vec<DatedItem>,
    /// The SHA-256 of the items as JSON, so that damaged items are noticed.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    agenda_sha256: String,
    /// The SHA-256 of the summary the items were made with (the one the head records
    /// for the revision they come from), so that items of another revision are never
    /// taken for this one's.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    agenda_for: String,
    /// Whether the items read from the file belong to the summary (both hashes match);
    /// not in the file.
    #[serde(skip)]
    agenda_checked: bool,
}

impl<S> Cached<S> {
    /// An entry made from a record's files.
    fn made(id: &str, stamp: Stamp, summary: Option<S>, problems: Vec<LoadProblem>) -> Self {
        Self {
            id: id.to_owned(),
            stamp,
            summary,
            problems,
            removed: false,
            agenda: Vec::new(),
            agenda_sha256: String::new(),
            agenda_for: String::new(),
            agenda_checked: true,
        }
    }
}

/// A summary that may carry a plan's dated items ([`PlanSummary::agenda`]): they are
/// kept in the index cache beside the summary, not in it nor in the head, with the
/// hash of the summary they were made with (which the head records) and their own.
pub(crate) trait WithAgenda: Serialize {
    /// Whether summaries of this kind carry dated items, made from the record.
    const HAS_AGENDA: bool;
    /// Moves the items out, for the cache file.
    fn take_agenda(&mut self) -> Vec<DatedItem>;
    /// Puts items read from the cache file, or made from the record, in.
    fn put_agenda(&mut self, items: Vec<DatedItem>);
    /// Whether two summaries carry the same items.
    fn same_agenda(&self, other: &Self) -> bool;
}

impl WithAgenda for PatientSummary {
    const HAS_AGENDA: bool = false;

    fn take_agenda(&mut self) -> Vec<DatedItem> {
        Vec::new()
    }

    fn put_agenda(&mut self, _items: Vec<DatedItem>) {}

    fn same_agenda(&self, _other: &Self) -> bool {
        true
    }
}

impl WithAgenda for PlanSummary {
    const HAS_AGENDA: bool = true;

    fn take_agenda(&mut self) -> Vec<DatedItem> {
        std::mem::take(&mut self.agenda.0)
    }

    fn put_agenda(&mut self, items: Vec<DatedItem>) {
        self.agenda = AgendaItems(items);
    }

    fn same_agenda(&self, other: &Self) -> bool {
        self.agenda.0 == other.agenda.0
    }
}

/// The SHA-256 of dated items as JSON, in lowercase hexadecimal; empty in the unlikely
/// case they cannot be written as JSON (then they are made again at the next load).
fn agenda_sha256(items: &[DatedItem]) -> String {
    serde_json::to_vec(items)
        .map(|json| sha256_hex(&json))
        .unwrap_or_default()
}

/// Moves the dated items read with an entry into its summary when they belong to it:
/// they have their hash and were made with this very summary.
fn check_agenda<S: WithAgenda>(entry: &mut Cached<S>) {
    let items = std::mem::take(&mut entry.agenda);
    entry.agenda_checked = match &mut entry.summary {
        None => true,
        Some(_) if !S::HAS_AGENDA => true,
        Some(summary) => {
            let fits = !entry.agenda_sha256.is_empty()
                && entry.agenda_sha256 == agenda_sha256(&items)
                && entry.agenda_for == summary_sha256(&*summary);
            if fits {
                summary.put_agenda(items);
            }
            fits
        }
    };
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct IndexFile {
    format_version: u32,
    /// [`AGENDA_VERSION`] of the app that wrote the file: a cache from before the
    /// agenda, or made with other rules for the dated items, is rebuilt.
    #[serde(default)]
    agenda_version: u32,
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
        if let Some(database) = self.database() {
            // A database keeps its clinic ids in a table of its own, made with it.
            return self.load_index_on_database(database, progress);
        }
        let index = self.load_index_without_claims(progress)?;
        if let Err(error) = self.ensure_claims(Some(&index.patients)) {
            tracing::warn!("{}", crate::untrusted::escape_controls(&error.to_string()));
        }
        Ok(index)
    }

    /// [`Store::load_index`] without making the claims of an older data folder.
    pub(crate) fn load_index_without_claims(
        &self,
        progress: &mut dyn FnMut(LoadProgress),
    ) -> Result<Index, StoreError> {
        if let Some(database) = self.database() {
            return self.load_index_on_database(database, progress);
        }
        self.finish_interrupted_creations();
        let (patient_ids, mut folder_problems) = self.record_ids::<Patient>()?;
        let (plan_ids, plan_folder_problems) = self.record_ids::<PlanRecord>()?;
        folder_problems.extend(plan_folder_problems);
        let total = patient_ids.len() + plan_ids.len();
        let cache = self.read_cache(total);
        progress(LoadProgress { done: 0, total });
        let cached_patients = by_id(cache.as_ref().map(|cache| &cache.patients));
        let cached_plans = by_id(cache.as_ref().map(|cache| &cache.plans));

        let patients = parallel_map(&patient_ids, 0, total, progress, |id| {
            self.entry::<Patient>(id, &cached_patients)
        });
        let plans = parallel_map(&plan_ids, patient_ids.len(), total, progress, |id| {
            self.entry::<PlanRecord>(id, &cached_plans)
        });
        let fresh = patients.iter().any(|(_, fresh)| *fresh != Fresh::No)
            || plans.iter().any(|(_, fresh)| *fresh != Fresh::No);
        let mut cache_problems =
            self.cache_mismatches(&patients, &self.folder_of::<Patient>(), "patient");
        cache_problems.extend(self.cache_mismatches(
            &plans,
            &self.folder_of::<PlanRecord>(),
            "plan",
        ));
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
        let mut file = IndexFile {
            format_version: FORMAT_VERSION,
            agenda_version: AGENDA_VERSION,
            patients,
            plans,
        };
        if changed {
            self.write_cache(&mut file);
        }
        let mut index = self.assemble(file, &|patient: &PatientId| {
            is_real_dir(&self.record_dir::<Patient>(patient.as_str()))
        });
        cache_problems.append(&mut folder_problems);
        cache_problems.append(&mut index.problems);
        index.problems = cache_problems;
        Ok(index)
    }

    /// A problem for each entry the cache claimed was up to date and that differed
    /// from what the record's files say.
    fn cache_mismatches<S>(
        &self,
        entries: &[(Cached<S>, Fresh)],
        folder: &Path,
        kind: &str,
    ) -> Vec<LoadProblem> {
        entries
            .iter()
            .filter(|(_, fresh)| *fresh == Fresh::Mismatched)
            .map(|(entry, _)| LoadProblem {
                path: self.index_file(),
                line: None,
                column: None,
                kind: ProblemKind::Cache,
                what: format!(
                    "described {kind} {} otherwise than its files in {} do (the cache was edited or damaged); the list shows what the files say, and the cache was rebuilt from them",
                    entry.id,
                    folder.join(&entry.id).display()
                ),
            })
            .collect()
    }

    /// The ids of the record folders of a kind, sorted, and a problem for each entry
    /// named like a record that is not a folder (a link, a pipe, a file); other entries
    /// are ignored.
    pub(crate) fn record_ids<T: Record>(
        &self,
    ) -> Result<(Vec<String>, Vec<LoadProblem>), StoreError> {
        let folder = self.folder_of::<T>();
        let entries = match std::fs::read_dir(&folder) {
            Ok(entries) => entries,
            Err(error) if error.kind() == io::ErrorKind::NotFound => {
                return Ok((Vec::new(), Vec::new()));
            }
            Err(source) => {
                return Err(StoreError::Read {
                    file: folder,
                    cause: source,
                });
            }
        };
        let mut ids = Vec::new();
        let mut problems = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|source| StoreError::Read {
                file: folder.clone(),
                cause: source,
            })?;
            let Some(name) = entry.file_name().to_str().map(str::to_owned) else {
                continue;
            };
            if !super::ids::is_well_formed(&name) {
                continue;
            }
            match entry.file_type() {
                Ok(file_type) if file_type.is_dir() => ids.push(name),
                Ok(file_type) => {
                    let path = entry.path();
                    let what = not_a_file(&path, file_type).unwrap_or_else(|| "a file".to_owned());
                    problems.push(LoadProblem {
                        path,
                        line: None,
                        column: None,
                        kind: ProblemKind::NotAFile,
                        what: format!(
                            "is {what}, where the folder of {} {name} belongs; it was skipped, not followed and left as it is; the app never makes one, so restore the record's folder from a backup",
                            T::KIND
                        ),
                    });
                }
                Err(source) => {
                    return Err(StoreError::Read {
                        file: entry.path(),
                        cause: source,
                    });
                }
            }
        }
        ids.sort_unstable();
        problems.sort_by(|a, b| a.path.cmp(&b.path));
        Ok((ids, problems))
    }

    /// The cached entry of a record when its newest file is unchanged and its summary
    /// is the one its head records ([`Fresh::No`]), else a fresh one, made from the
    /// files ([`Fresh::Yes`], or [`Fresh::Mismatched`] when the cache said it was up to
    /// date and yet differs from what the files say).
    fn entry<T: Record>(
        &self,
        id: &str,
        cache: &HashMap<&str, &Cached<T::Summary>>,
    ) -> (Cached<T::Summary>, Fresh)
    where
        T::Summary: WithAgenda,
    {
        let dir = self.record_dir::<T>(id);
        let mut claimed_current = None;
        if let Some(cached) = cache.get(id)
            && !cached.removed
            && cached.stamp != Stamp::NONE
            && cached.problems.is_empty()
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
            if cached.agenda_checked && head_vouches_for::<T>(&dir, cached.summary.as_ref()) {
                return ((*cached).clone(), Fresh::No);
            }
            claimed_current = Some(*cached);
        }
        let fresh = self.fresh_entry::<T>(id, &dir);
        let verdict = verdict_on(claimed_current, &fresh);
        (fresh, verdict)
    }

    /// A record's entry made from its files.
    fn fresh_entry<T: Record>(&self, id: &str, dir: &Path) -> Cached<T::Summary>
    where
        T::Summary: WithAgenda,
    {
        let files = match revision_files(dir) {
            Ok(files) => files,
            Err(source) => {
                let error = StoreError::Read {
                    file: dir.to_path_buf(),
                    cause: source,
                };
                return Cached::made(id, Stamp::NONE, None, vec![unreadable(dir, &error)]);
            }
        };
        let problems = stray_problems(&files.strays);
        let numbers = files.numbers;
        let stamp = numbers
            .last()
            .and_then(|&newest| stamp_of(&dir.join(revision_file_name(newest)), newest))
            .unwrap_or(Stamp::NONE);
        let Some(&newest) = numbers.last() else {
            return Cached::made(id, stamp, None, problems);
        };
        let from_head = summary_from_head::<T>(id, dir, newest);
        self.finish_entry::<T>(id, dir, &numbers, stamp, problems, from_head)
    }

    /// A record's entry made from its revisions (`numbers`, not empty) and what its
    /// head says of the newest; `problems` are those already found.
    fn finish_entry<T: Record>(
        &self,
        id: &str,
        dir: &Path,
        numbers: &[u32],
        stamp: Stamp,
        mut problems: Vec<LoadProblem>,
        from_head: HeadSays<T::Summary>,
    ) -> Cached<T::Summary>
    where
        T::Summary: WithAgenda,
    {
        let Some(&newest) = numbers.last() else {
            return Cached::made(id, stamp, None, problems);
        };
        let from_head = match from_head {
            HeadSays::Summary(mut summary) => match self.agenda_from_record::<T>(id, numbers) {
                Some(items) => {
                    summary.put_agenda(items);
                    return Cached::made(id, stamp, Some(summary), problems);
                }
                // The revision the head vouches for cannot be read after all: it is
                // parsed below, which says why.
                None => HeadSays::Unusable,
            },
            other => other,
        };
        // Revisions of format version 0 had no head.
        let mut before_heads = false;
        let (summary, shows_newest, mut found) = match self.newest_readable::<T>(id, numbers) {
            Newest::Found(parsed, problems) => {
                before_heads = parsed.meta.format_version == 0;
                (
                    T::summarize(id, &parsed.meta, &parsed.record),
                    parsed.meta.number == newest,
                    problems,
                )
            }
            Newest::Refused(_, problems) | Newest::NoneReadable(_, problems) => {
                (None, false, problems)
            }
        };
        problems.append(&mut found);
        problems.extend(unverified_problem(
            T::KIND,
            id,
            dir,
            newest,
            &from_head,
            shows_newest,
            before_heads,
        ));
        Cached::made(id, stamp, summary, problems)
    }

    /// A plan's dated items, made from its newest revision, which its head vouches
    /// for: they are not in the head. Nothing to make for a patient; `None` when the
    /// newest revision cannot be read.
    fn agenda_from_record<T: Record>(&self, id: &str, numbers: &[u32]) -> Option<Vec<DatedItem>>
    where
        T::Summary: WithAgenda,
    {
        if !T::Summary::HAS_AGENDA {
            return Some(Vec::new());
        }
        let &newest = numbers.last()?;
        match self.newest_readable::<T>(id, numbers) {
            Newest::Found(parsed, _) if parsed.meta.number == newest => {
                T::summarize(id, &parsed.meta, &parsed.record)
                    .map(|mut from_record| from_record.take_agenda())
            }
            _ => None,
        }
    }

    fn read_cache(&self, records: usize) -> Option<IndexFile> {
        let file = self.index_file();
        let text = match read_regular(&file, FileKind::Index { records }) {
            Ok(text) => text,
            Err(failure) if failure.is_not_found() => return None,
            Err(failure) => {
                let error = super::fsio::read_failure(
                    &file,
                    FileKind::Index { records },
                    failure,
                    |file| StoreError::Read {
                        file,
                        cause: io::Error::from(io::ErrorKind::NotFound),
                    },
                );
                tracing::warn!(
                    "{}; the index is rebuilt from the records",
                    crate::untrusted::escape_controls(&error.to_string())
                );
                return None;
            }
        };
        match serde_json::from_slice::<IndexFile>(&text) {
            Ok(mut cache)
                if cache.format_version == FORMAT_VERSION
                    && cache.agenda_version == AGENDA_VERSION =>
            {
                cache.patients.iter_mut().for_each(check_agenda);
                cache.plans.iter_mut().for_each(check_agenda);
                Some(cache)
            }
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

    /// Writes the cache; the plans' dated items go beside their summaries in the file
    /// and are back in the summaries when it returns.
    fn write_cache(&self, index: &mut IndexFile) {
        let file = self.index_file();
        for entry in &mut index.plans {
            if let Some(summary) = &mut entry.summary {
                entry.agenda = summary.take_agenda();
                entry.agenda_sha256 = agenda_sha256(&entry.agenda);
                entry.agenda_for = summary_sha256(&*summary);
            }
        }
        let result = serde_json::to_vec(&*index).map_err(io::Error::other);
        for entry in &mut index.plans {
            let items = std::mem::take(&mut entry.agenda);
            if let Some(summary) = &mut entry.summary {
                summary.put_agenda(items);
            }
        }
        let result = result.and_then(|text| write_replace(&self.tmp_dir(), &file, &text));
        if let Err(error) = result {
            tracing::warn!(
                "could not update the index cache {} ({error}); the next start-up rebuilds it",
                file.display()
            );
        }
    }

    /// The index as the screens see it: patients' names and clinic ids joined into the
    /// plans, and a problem for each plan whose patient is missing (`patient_exists`
    /// says whether a patient not listed is there at all, unreadable).
    fn assemble(&self, file: IndexFile, patient_exists: &dyn Fn(&PatientId) -> bool) -> Index {
        let mut problems = Vec::new();
        let mut patients = Vec::new();
        let unverified: BTreeSet<String> = file
            .patients
            .iter()
            .filter(|entry| is_unverified(entry))
            .map(|entry| entry.id.clone())
            .chain(
                file.plans
                    .iter()
                    .filter(|entry| is_unverified(entry))
                    .map(|entry| entry.id.clone()),
            )
            .collect();
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
                if !patient_exists(&plan.patient) {
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
            unverified,
        }
    }
}

/// Whether a record's entry says its newest revisions cannot be checked.
fn is_unverified<S>(entry: &Cached<S>) -> bool {
    entry
        .problems
        .iter()
        .any(|problem| problem.kind == ProblemKind::Unverified)
}

/// The position of each entry, by id.
fn positions<S>(entries: &[Cached<S>]) -> HashMap<String, usize> {
    entries
        .iter()
        .enumerate()
        .map(|(position, entry)| (entry.id.clone(), position))
        .collect()
}

/// The files of a record's folder that are not part of its chain, as problems.
fn stray_problems(strays: &[super::folder::Stray]) -> Vec<LoadProblem> {
    strays
        .iter()
        .map(|stray| LoadProblem {
            path: stray.path.clone(),
            line: None,
            column: None,
            kind: ProblemKind::Stray,
            what: stray.what.clone(),
        })
        .collect()
}

/// How an entry made from the record compares with the cached one that claimed to be
/// current (`None`: no cached entry claimed it): [`Fresh::Mismatched`] when they differ
/// in summary, dated items or problems, else [`Fresh::Yes`].
fn verdict_on<S: WithAgenda + PartialEq>(
    claimed_current: Option<&Cached<S>>,
    fresh: &Cached<S>,
) -> Fresh {
    let same_agenda = match (claimed_current, &fresh.summary) {
        (Some(cached), Some(fresh)) => cached
            .summary
            .as_ref()
            .is_some_and(|cached| cached.same_agenda(fresh)),
        _ => true,
    };
    match claimed_current {
        Some(cached)
            if cached.summary != fresh.summary
                || !same_agenda
                || cached.problems != fresh.problems =>
        {
            Fresh::Mismatched
        }
        _ => Fresh::Yes,
    }
}

/// How a record's entry came about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fresh {
    /// From the cache, which its head vouches for.
    No,
    /// Made from the files: the record changed, or the cache did not know it.
    Yes,
    /// Made from the files although the cache said it was up to date, and different
    /// from what the cache said.
    Mismatched,
}

/// Whether the record's head records the hash of this summary, so that a cached
/// summary describes the newest revision as the app saved it. The hash is found
/// without parsing the head; a head written before it kept one is parsed, and its
/// summary compared.
fn head_vouches_for<T: Record>(dir: &Path, summary: Option<&T::Summary>) -> bool {
    let Some(summary) = summary else {
        return false;
    };
    let head_file = dir.join(HEAD_FILE);
    with_small_file(&head_file, |bytes| {
        head_bytes_vouch_for::<T>(&head_file, bytes, summary)
    })
    .unwrap_or(false)
}

/// [`head_vouches_for`] on the head's bytes (`head_file` names it).
fn head_bytes_vouch_for<T: Record>(head_file: &Path, bytes: &[u8], summary: &T::Summary) -> bool {
    if let Some(recorded) = head_summary_sha256(bytes) {
        return recorded == summary_sha256(summary);
    }
    parse_head::<T::Summary>(head_file, bytes)
        .is_ok_and(|head| head.summary_sha256.is_empty() && head.summary.as_ref() == Some(summary))
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

/// The problem of a record whose newest revision cannot be checked against its head,
/// if it is one: the head is missing (unless the revision predates heads), names a
/// revision that is gone, or, when the list shows the newest revision, records another
/// hash for it.
fn unverified_problem<S>(
    kind: &str,
    id: &str,
    dir: &Path,
    newest: u32,
    from_head: &HeadSays<S>,
    shows_newest: bool,
    before_heads: bool,
) -> Option<LoadProblem> {
    let what = match from_head {
        HeadSays::Missing if !before_heads => format!(
            "is missing, so revision {newest} of {kind} {id} cannot be checked: it is listed as its file says, marked unverified; run `regen-planner plans verify` and restore the folder from a backup"
        ),
        // A newest revision that cannot be read is reported as such, and is not what
        // the list shows.
        HeadSays::Changed(number) if shows_newest => format!(
            "records another SHA-256 for revision {number} of {kind} {id} than the file has now: it was changed after it was saved; it is listed as its file says, marked unverified; run `regen-planner plans verify` and restore the folder from a backup"
        ),
        HeadSays::Ahead(number) => format!(
            "says revision {number} of {kind} {id} is the newest, but the newest file is revision {newest}: revisions were removed; it is listed as its files say, marked unverified; run `regen-planner plans verify` and restore the folder from a backup"
        ),
        _ => return None,
    };
    Some(LoadProblem {
        path: dir.join(HEAD_FILE),
        line: None,
        column: None,
        kind: ProblemKind::Unverified,
        what,
    })
}

/// What a record's head says about its newest revision.
enum HeadSays<S> {
    /// The summary of exactly the file that is there (see [`summary_from_head`]).
    Summary(S),
    /// There is no head.
    Missing,
    /// The head describes the newest revision, and that file has another SHA-256 now.
    Changed(u32),
    /// The head names a revision newer than any file.
    Ahead(u32),
    /// The head is one or more saves behind (an interrupted save, or two desks).
    Behind,
    /// The head cannot be used (damaged, of another version, without a summary).
    Unusable,
}

/// The summary the record's head keeps of its newest revision, when the head points at
/// that revision, was written by this format version, names this record, its summary
/// has the hash it records, and the revision file's SHA-256 is the one the head
/// recorded: then the summary describes exactly the file that is there, and the
/// revision need not be parsed. Anything else says why not; the revision is then
/// parsed, which reports what is wrong with it.
fn summary_from_head<T: Record>(id: &str, dir: &Path, newest: u32) -> HeadSays<T::Summary> {
    let head_file = dir.join(HEAD_FILE);
    let bytes = match read_regular(&head_file, FileKind::Head) {
        Ok(bytes) => bytes,
        Err(failure) if failure.is_not_found() => return HeadSays::Missing,
        Err(_) => return HeadSays::Unusable,
    };
    summary_from_head_bytes::<T>(id, &head_file, &bytes, newest, || {
        read_regular(&dir.join(revision_file_name(newest)), FileKind::Revision).ok()
    })
}

/// [`summary_from_head`] on the head's bytes (`head_file` names it), with the newest
/// revision's bytes read by `newest_bytes` when they are needed.
fn summary_from_head_bytes<T: Record>(
    id: &str,
    head_file: &Path,
    bytes: &[u8],
    newest: u32,
    newest_bytes: impl FnOnce() -> Option<Vec<u8>>,
) -> HeadSays<T::Summary> {
    let Ok(head) = parse_head::<T::Summary>(head_file, bytes) else {
        return HeadSays::Unusable;
    };
    if head.number > newest {
        return HeadSays::Ahead(head.number);
    }
    if head.number < newest {
        return HeadSays::Behind;
    }
    let Some(revision) = newest_bytes() else {
        return HeadSays::Unusable;
    };
    if sha256_hex(&revision) != head.sha256 {
        return HeadSays::Changed(newest);
    }
    let Some(summary) = head.summary else {
        return HeadSays::Unusable;
    };
    // A head of version 1 keeps a summary of today's shape: an upgraded data folder
    // lists as fast as before, before any of its records is saved again.
    let fits = (OLDEST_HEAD_WITH_SUMMARY..=FORMAT_VERSION).contains(&head.format_version)
        && T::summary_of(&summary) == (id, newest)
        && (head.summary_sha256.is_empty() || head.summary_sha256 == summary_sha256(&summary));
    if fits {
        HeadSays::Summary(summary)
    } else {
        HeadSays::Unusable
    }
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

/// The index cache as `verify` compares it with the records.
pub(crate) struct CacheView {
    file: IndexFile,
    patients: HashMap<String, usize>,
    plans: HashMap<String, usize>,
}

/// The kinds of record the index keeps, with their entries in the cache.
pub(crate) trait Indexed: Record {
    /// The cached entries of this kind, and their positions by id.
    fn entries(view: &CacheView) -> (&[Cached<Self::Summary>], &HashMap<String, usize>);
}

impl Indexed for Patient {
    fn entries(view: &CacheView) -> (&[Cached<Self::Summary>], &HashMap<String, usize>) {
        (&view.file.patients, &view.patients)
    }
}

impl Indexed for PlanRecord {
    fn entries(view: &CacheView) -> (&[Cached<Self::Summary>], &HashMap<String, usize>) {
        (&view.file.plans, &view.plans)
    }
}

impl CacheView {
    /// What is wrong with the cache's entry of a record whose newest readable
    /// revision has `actual` as its summary: the cache says it is up to date (the
    /// newest file is as it recorded) and yet shows something else. `None` when it
    /// agrees, or does not claim to be up to date (the next load makes it anew).
    pub(crate) fn disagreement<T: Indexed>(
        &self,
        id: &str,
        dir: &Path,
        actual: Option<&T::Summary>,
    ) -> Option<String> {
        let (entries, positions) = T::entries(self);
        let cached = entries.get(*positions.get(id)?)?;
        if cached.removed || cached.stamp == Stamp::NONE {
            return None;
        }
        let current = stamp_of(
            &dir.join(revision_file_name(cached.stamp.newest)),
            cached.stamp.newest,
        );
        let next_exists = cached
            .stamp
            .newest
            .checked_add(1)
            .is_none_or(|next| dir.join(revision_file_name(next)).exists());
        if current != Some(cached.stamp) || next_exists || cached.summary.as_ref() == actual {
            return None;
        }
        Some(format!(
            "describes {} {id} otherwise than its newest revision does (the list would show it wrongly): the cache was edited or damaged; the next `regen-planner plans list`, or start of the app, rebuilds it from the records",
            T::KIND
        ))
    }
}

impl Store {
    /// The index cache, for `verify`; `None` when there is none or it cannot be read.
    pub(crate) fn cache_view(&self, records: usize) -> Option<CacheView> {
        let file = self.read_cache(records)?;
        Some(CacheView {
            patients: positions(&file.patients),
            plans: positions(&file.plans),
            file,
        })
    }

    /// The records the index cache knows and whose folders are gone, with their
    /// problem text, for `verify`. Empty when there is no cache.
    pub(crate) fn removed_records(&self, cache: Option<&CacheView>) -> Vec<LoadProblem> {
        let Some(CacheView { file: cache, .. }) = cache else {
            return Vec::new();
        };
        let mut problems = Vec::new();
        for entry in &cache.patients {
            let folder = self.record_dir::<Patient>(&entry.id);
            if (entry.removed || entry.summary.is_some()) && !is_real_dir(&folder) {
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
            if (entry.removed || entry.summary.is_some()) && !is_real_dir(&folder) {
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
