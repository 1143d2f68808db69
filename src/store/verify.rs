//! Walking every chain of revisions to find what was changed, removed or reordered.
//!
//! Each revision records the SHA-256 of the revision before it, and each record's
//! `head.ron` records the SHA-256 of its newest revision and the summary the lists show
//! of it. So an edit of any revision, a removed revision, two revisions swapped, or a
//! head whose summary no longer matches its revision shows up here with the file's name.
//!
//! A plan's revisions of format version 2 and later name their generated plan
//! (`generated-<sha256>.ron`) by its SHA-256: each one named is read and hashed again
//! (once per plan, however many revisions name it), so a generated plan that was edited,
//! removed or replaced by something else is reported with its file's name. A generated
//! plan no revision names (a save interrupted between the two files) is a note: it is
//! never read.
//!
//! A plan's revision of changes (version 3) is rebuilt on the revision before it, as the
//! walk goes: changes that do not fit it, a run of changes longer than the app writes,
//! and (once per run) the revisions of changes that cannot be rebuilt because the
//! revision they build on cannot be used are reported, naming the file to restore.
//!
//! The index cache is compared too: an entry that claims to be up to date and shows
//! something else than its record is reported (the cache was edited or damaged).
//!
//! Limits: the hashes are not secret. They catch damage, sync tools and hand edits, but
//! someone who edits a file on purpose and then recomputes every later hash (and the
//! head) is not caught; verified backups kept elsewhere are the answer to that. A
//! record's whole folder removed is noticed through the index cache, which remembers
//! every record it saw (until the cache itself is deleted), and through the plans that
//! name a removed patient. After a crash between writing a revision and its head, the
//! head is one revision behind until the next save: that is reported as a note, not a
//! problem. A head is never removed by a save (it is replaced in one step, and a new
//! record appears with its head), so a missing head is a problem: the newest revisions
//! may have been changed or removed with it.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use super::bodies::{generated_sha256_of, read_generated};
use super::changes::MAX_CHANGES_IN_A_ROW;
use super::error::StoreError;
use super::folder::{Store, check_identity, read_entry};
use super::format::{
    HEAD_FILE, ParsedRevision, Record, RevisionMeta, Stored, StoredRevision, parse_head,
    parse_stored, revision_file_name, sha256_hex, summary_sha256,
};
use super::fsio::{FileKind, not_a_file};
use super::ids::{PlanId, is_well_formed};
use super::index::{CacheView, Indexed};
use super::medium::{Entry, Medium};
use super::records::{Patient, PlanRecord};
use crate::planning::Plan;

/// One thing `verify` found, with the file it is about.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct VerifyProblem {
    /// The file (or folder) concerned.
    pub file: PathBuf,
    /// What was found and what to do, as the end of a sentence.
    pub what: String,
}

impl fmt::Display for VerifyProblem {
    /// One line: the path and what was found, with any control character in them (a
    /// file name can hold one) escaped.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let line = format!("{}: {}", self.file.display(), self.what);
        f.write_str(&crate::untrusted::escape_controls(&line))
    }
}

/// What [`Store::verify`] found.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
pub struct VerifyReport {
    /// Patients and plans looked at.
    pub records: usize,
    /// Revision files looked at.
    pub revisions: usize,
    /// Changed, removed, reordered or unreadable files.
    pub problems: Vec<VerifyProblem>,
    /// Things worth knowing that are not wrong, such as a head left one save behind by
    /// a crash.
    pub notes: Vec<VerifyProblem>,
}

impl VerifyReport {
    /// Whether every chain is whole and unchanged.
    #[must_use]
    pub fn is_ok(&self) -> bool {
        self.problems.is_empty()
    }

    fn problem(&mut self, file: &Path, what: String) {
        self.problems.push(VerifyProblem {
            file: file.to_path_buf(),
            what,
        });
    }

    fn note(&mut self, file: &Path, what: String) {
        self.notes.push(VerifyProblem {
            file: file.to_path_buf(),
            what,
        });
    }
}

const RESTORE: &str = "restore it from a backup";

impl Store {
    /// Walks every patient's and plan's chain of revisions and reports every revision
    /// that was changed, removed, reordered or cannot be read, naming the file. Reads
    /// only; nothing is changed.
    #[must_use]
    pub fn verify(&self) -> VerifyReport {
        let mut report = VerifyReport::default();
        let patients = self.verified_ids::<Patient>(&mut report);
        let plans = self.verified_ids::<PlanRecord>(&mut report);
        // A database keeps no cache of summaries to check.
        let cache = self
            .database()
            .is_none()
            .then(|| self.cache_view(patients.len() + plans.len()))
            .flatten();
        for id in &patients {
            self.verify_record::<Patient>(id, cache.as_ref(), &mut report);
        }
        for id in &plans {
            self.verify_record::<PlanRecord>(id, cache.as_ref(), &mut report);
        }
        for removed in self.removed_records(cache.as_ref()) {
            report.problem(&removed.path, removed.what);
        }
        report.problems.extend(self.verify_photos_of_plans(&plans));
        report
    }

    /// Verifies the chain of one plan, as [`Store::verify`] does for all.
    #[must_use]
    pub fn verify_plan(&self, id: &PlanId) -> VerifyReport {
        let mut report = VerifyReport::default();
        self.verify_record::<PlanRecord>(id.as_str(), None, &mut report);
        report
    }

    /// The ids of a kind's record folders, sorted; anything named like a record that
    /// is not a folder (a link, a file) is a problem.
    fn verified_ids<T: Verified>(&self, report: &mut VerifyReport) -> Vec<String> {
        if let Some(database) = self.database() {
            return database.record_ids(T::FOLDER).unwrap_or_else(|error| {
                report.problem(self.data_dir(), error.to_string());
                Vec::new()
            });
        }
        let folder = self.folder_of::<T>();
        let entries = match std::fs::read_dir(&folder) {
            Ok(entries) => entries,
            Err(error) => {
                report.problem(
                    &folder,
                    format!(
                        "could not be listed ({error}); check that the data folder is reachable"
                    ),
                );
                return Vec::new();
            }
        };
        let mut ids: Vec<String> = Vec::new();
        for entry in entries.flatten() {
            let Some(name) = entry.file_name().to_str().map(str::to_owned) else {
                continue;
            };
            if !is_well_formed(&name) {
                continue;
            }
            match entry.file_type() {
                Ok(file_type) if file_type.is_dir() => ids.push(name),
                Ok(file_type) => {
                    let path = entry.path();
                    let what = not_a_file(&path, file_type).unwrap_or_else(|| "a file".to_owned());
                    report.problem(
                        &path,
                        format!(
                            "is {what}, where the folder of {} {name} belongs; the app never makes one, so it was not followed; {RESTORE}",
                            T::KIND
                        ),
                    );
                }
                Err(error) => report.problem(
                    &entry.path(),
                    format!("could not be looked at ({error}); check its permissions"),
                ),
            }
        }
        ids.sort_unstable();
        ids
    }

    #[expect(
        clippy::too_many_lines,
        reason = "one walk of one chain, in the order the files are checked"
    )]
    fn verify_record<T: Verified>(
        &self,
        id: &str,
        cache: Option<&CacheView>,
        report: &mut VerifyReport,
    ) {
        let dir = self.record_dir::<T>(id);
        report.records += 1;
        let medium = self.medium();
        let files = match medium.revisions(T::FOLDER, id) {
            Ok(files) => files,
            Err(error) => {
                report.problem(
                    &dir,
                    format!(
                        "could not be listed ({error}); check that the data folder is reachable"
                    ),
                );
                return;
            }
        };
        for stray in files.strays {
            report.problem(&stray.path, stray.what);
        }
        let numbers = files.numbers;
        let generated_files = files.generated;
        let Some(&newest) = numbers.last() else {
            report.note(
                &dir,
                "holds no revision yet: a first save was interrupted; nothing was lost".into(),
            );
            return;
        };
        // The hash of each revision file that could be read, by number: as many as
        // there are files, whatever their numbers.
        let mut hashes: BTreeMap<u32, String> = BTreeMap::new();
        let mut flagged: Vec<PathBuf> = Vec::new();
        let mut previous_ok = false;
        let mut expected = 1;
        let mut last: Option<StoredRevision<T>> = None;
        // The record as the revision before holds it, rebuilt, and how many revisions
        // of changes it took since a full one; `None` when it could not be rebuilt.
        let mut state: Option<(T::Disk, u32)> = None;
        // Revisions of changes, first and last, that cannot be rebuilt because the
        // revision before them cannot be used: reported once, as one run.
        let mut unbuilt: Option<(u32, u32)> = None;
        // Each generated plan named, read and hashed once: the plan, or `None` when it
        // could not be used (reported once).
        let mut generated: BTreeMap<String, Option<Plan>> = BTreeMap::new();
        for &number in &numbers {
            if number > expected {
                report_gap(&dir, expected, number - 1, report);
                previous_ok = false;
                state = None;
                if let Some(run) = unbuilt.take() {
                    report_unbuilt(&dir, run, report);
                }
            }
            expected = number.saturating_add(1);
            report.revisions += 1;
            let file = dir.join(revision_file_name(number));
            let bytes = match read_entry(medium, T::FOLDER, id, number) {
                Ok(bytes) => bytes,
                Err(error) => {
                    report.problem(&file, problem_text(&error));
                    flagged.push(file);
                    previous_ok = false;
                    state = None;
                    if let Some(run) = unbuilt.take() {
                        report_unbuilt(&dir, run, report);
                    }
                    continue;
                }
            };
            let hash = sha256_hex(&bytes);
            let parsed = parse_stored::<T>(&file, &bytes).and_then(|parsed| {
                check_identity::<T>(&file, &parsed.meta, id, number).map(|()| parsed)
            });
            let previous_hash = number
                .checked_sub(1)
                .and_then(|previous| hashes.get(&previous))
                .map(String::as_str);
            match parsed {
                Ok(parsed) => {
                    check_link(
                        &dir,
                        number,
                        &parsed.meta,
                        previous_hash,
                        previous_ok,
                        report,
                        &mut flagged,
                    );
                    let linked = previous_ok
                        && previous_hash.is_some()
                        && parsed.meta.previous_sha256.as_deref() == previous_hash;
                    let StoredRevision { meta, content } = parsed;
                    let content = match content {
                        Stored::Changes(changes) => {
                            let rebuilt = rebuild::<T>(
                                &file,
                                number,
                                changes,
                                state.take().filter(|_| linked),
                                report,
                            );
                            match rebuilt {
                                Ok(rebuilt) => {
                                    if let Some(run) = unbuilt.take() {
                                        report_unbuilt(&dir, run, report);
                                    }
                                    state = Some(rebuilt.clone());
                                    Some(Stored::Current(rebuilt.0))
                                }
                                Err(Unbuilt::NoBase) => {
                                    unbuilt =
                                        Some(unbuilt.map_or((number, number), |(first, _)| {
                                            (first, number)
                                        }));
                                    None
                                }
                                Err(Unbuilt::Reported) => {
                                    if let Some(run) = unbuilt.take() {
                                        report_unbuilt(&dir, run, report);
                                    }
                                    None
                                }
                            }
                        }
                        Stored::Current(disk) => {
                            if let Some(run) = unbuilt.take() {
                                report_unbuilt(&dir, run, report);
                            }
                            state = Some((disk.clone(), 0));
                            Some(Stored::Current(disk))
                        }
                        Stored::Whole(record) => {
                            if let Some(run) = unbuilt.take() {
                                report_unbuilt(&dir, run, report);
                            }
                            state = None;
                            Some(Stored::Whole(record))
                        }
                    };
                    if let Some(content) = content {
                        let parsed = StoredRevision { meta, content };
                        if let Some(hash) = parsed.generated_sha256()
                            && !generated.contains_key(hash)
                        {
                            let plan =
                                check_generated(medium, (T::FOLDER, id), hash, number, report);
                            generated.insert(hash.to_owned(), plan);
                        }
                        last = Some(parsed);
                    } else {
                        flagged.push(file);
                    }
                    previous_ok = true;
                }
                Err(error) => {
                    report.problem(&file, problem_text(&error));
                    flagged.push(file);
                    previous_ok = false;
                    state = None;
                    if let Some(run) = unbuilt.take() {
                        report_unbuilt(&dir, run, report);
                    }
                }
            }
            hashes.insert(number, hash);
        }
        if let Some(run) = unbuilt.take() {
            report_unbuilt(&dir, run, report);
        }
        report_unnamed(&dir, &generated_files, &generated, report);
        let last: Option<ParsedRevision<T>> = last.and_then(|stored| {
            let plan = stored
                .generated_sha256()
                .and_then(|hash| generated.get(hash).cloned().flatten());
            stored.complete(plan)
        });
        let newest_parsed = last.as_ref().filter(|parsed| parsed.meta.number == newest);
        check_head::<T>(medium, id, newest, &hashes, &flagged, newest_parsed, report);
        if let Some(cache) = cache {
            let actual = last
                .as_ref()
                .and_then(|parsed| T::summarize(id, &parsed.meta, &parsed.record));
            if let Some(what) = cache.disagreement::<T>(id, &dir, actual.as_ref()) {
                report.problem(&self.index_file(), what);
            }
        }
        if let Some(parsed) = last {
            T::check_references(self, &dir, &parsed.record, report);
        }
    }
}

/// Why a revision of changes could not be rebuilt.
enum Unbuilt {
    /// The revision before it could not be used (already reported).
    NoBase,
    /// Its own problem, reported.
    Reported,
}

/// A revision of changes applied to the revision before it (`base`, with the number of
/// revisions of changes it took since a full one), or why it cannot be.
fn rebuild<T: Record>(
    file: &Path,
    number: u32,
    changes: T::Changes,
    base: Option<(T::Disk, u32)>,
    report: &mut VerifyReport,
) -> Result<(T::Disk, u32), Unbuilt> {
    let before = number.saturating_sub(1);
    let Some((base, run)) = base else {
        return Err(Unbuilt::NoBase);
    };
    if run >= MAX_CHANGES_IN_A_ROW {
        report.problem(
            file,
            format!(
                "records only what changed since revision {before}, and none of the {MAX_CHANGES_IN_A_ROW} revisions before it holds the whole plan: the app writes a whole one at least every {} revisions, so files were changed or replaced; {RESTORE}",
                MAX_CHANGES_IN_A_ROW + 1
            ),
        );
        return Err(Unbuilt::Reported);
    }
    match T::apply(changes, base, before) {
        Ok(disk) => Ok((disk, run + 1)),
        Err(what) => {
            report.problem(
                file,
                format!(
                    "its changes do not fit revision {before} ({what}): it or a revision before it was changed; {RESTORE}"
                ),
            );
            Err(Unbuilt::Reported)
        }
    }
}

/// One problem for a run of revisions of changes that cannot be rebuilt because the
/// revision before the first cannot be used.
fn report_unbuilt(dir: &Path, (first, last): (u32, u32), report: &mut VerifyReport) {
    let before = first.saturating_sub(1);
    let which = if first == last {
        format!("revision {first} records")
    } else {
        format!("revisions {first} to {last} record")
    };
    report.problem(
        &dir.join(revision_file_name(first)),
        format!(
            "{which} only what changed since the revision before, so they cannot be rebuilt while revision {before} cannot be used (see the problem with it); restore {} from a backup, and they are whole again (the files themselves are unchanged)",
            dir.join(revision_file_name(before)).display()
        ),
    );
}

/// One problem for a run of missing revision numbers, however long.
fn report_gap(dir: &Path, first: u32, last: u32, report: &mut VerifyReport) {
    let file = dir.join(revision_file_name(first));
    let what = if first == last {
        format!("revision {first} is missing: it was removed or renamed; {RESTORE}")
    } else {
        format!(
            "revisions {first} to {last} are missing ({} files): they were removed or renamed; {RESTORE}",
            u64::from(last - first) + 1
        )
    };
    report.problem(&file, what);
}

/// What a record kind checks beyond its chain.
trait Verified: Indexed {
    fn check_references(_store: &Store, _dir: &Path, _record: &Self, _report: &mut VerifyReport) {}
}

impl Verified for Patient {}

impl Verified for PlanRecord {
    /// A plan's patient must be there.
    fn check_references(store: &Store, dir: &Path, record: &Self, report: &mut VerifyReport) {
        let patient_dir = store.record_dir::<Patient>(record.patient.as_str());
        if !store
            .medium()
            .record_exists(Patient::FOLDER, record.patient.as_str())
            .unwrap_or(true)
        {
            report.problem(
                dir,
                format!(
                    "this plan's patient {} is not in the data folder (there is no {}): the patient's folder was removed; {RESTORE}",
                    record.patient,
                    patient_dir.display()
                ),
            );
        }
    }
}

/// The sentence end for a revision that cannot be read.
fn problem_text(error: &StoreError) -> String {
    match error {
        StoreError::NewerFormat { found, .. } => format!(
            "was saved by a newer version of Regen Planner (format version {found}); update the app to verify it"
        ),
        StoreError::Damaged {
            line, column, what, ..
        } => format!(
            "{}could not be read as a saved revision ({what}); it was changed or damaged; {RESTORE}",
            match (line, column) {
                (Some(line), Some(column)) => format!("at line {line}, column {column}: "),
                _ => String::new(),
            }
        ),
        StoreError::NotAFile { what, kind, .. } => format!(
            "is {what}, where {kind} belongs; the app never makes one, so it was not read or followed; {RESTORE}"
        ),
        StoreError::TooLarge {
            len, limit, kind, ..
        } => format!(
            "is {}, larger than {kind} the app writes can be (at most {}), so it was not read; {RESTORE}",
            super::error::size_in_words(*len),
            super::error::size_in_words(*limit)
        ),
        StoreError::Read { cause, .. } => {
            format!("could not be read ({cause}); check its permissions")
        }
        other => format!("could not be checked: {other}"),
    }
}

/// Reads and hashes again the generated plan a revision names, the first time one
/// names it, and reports it when it cannot be used.
fn check_generated(
    medium: &dyn Medium,
    (folder, id): (&str, &str),
    hash: &str,
    number: u32,
    report: &mut VerifyReport,
) -> Option<Plan> {
    match read_generated(medium, folder, id, hash) {
        Ok(plan) => Some(plan),
        Err(problem) => {
            report.problem(
                &medium.locate(folder, id, Entry::Generated(hash)),
                format!(
                    "{}; revision {number} and the revisions after it that name it build on it; {RESTORE}",
                    problem.what(hash)
                ),
            );
            None
        }
    }
}

/// Notes the files named like generated plans that no readable revision names.
fn report_unnamed(
    dir: &Path,
    files: &[String],
    named: &BTreeMap<String, Option<Plan>>,
    report: &mut VerifyReport,
) {
    for name in files {
        let file = dir.join(name);
        match generated_sha256_of(name) {
            Some(hash) if named.contains_key(hash) => {}
            Some(_) => report.note(
                &file,
                "is a generated plan that no revision names (a save was interrupted between writing it and its revision, or it was put here); it is never read and was left unchanged; it may be removed".to_owned(),
            ),
            None => report.note(
                &file,
                "is named like a generated plan, but not as the app names them; it is never read and was left unchanged".to_owned(),
            ),
        }
    }
}

/// Checks that a revision records the hash of the one before it.
fn check_link(
    dir: &Path,
    number: u32,
    meta: &RevisionMeta,
    previous_hash: Option<&str>,
    previous_ok: bool,
    report: &mut VerifyReport,
    flagged: &mut Vec<PathBuf>,
) {
    let file = dir.join(revision_file_name(number));
    let recorded = meta.previous_sha256.as_deref();
    if number == 1 {
        if recorded.is_some() {
            report.problem(
                &file,
                format!("revision 1 names a revision before it, so revisions were reordered or renumbered; {RESTORE}"),
            );
            flagged.push(file);
        }
        return;
    }
    let previous_file = dir.join(revision_file_name(number - 1));
    let actual = previous_hash;
    match (recorded, actual) {
        (None, _) => {
            report.problem(
                &file,
                format!("revision {number} does not record the SHA-256 of revision {}, so it was changed; {RESTORE}", number - 1),
            );
            flagged.push(file);
        }
        (Some(recorded), Some(actual)) if recorded != actual && previous_ok => {
            report.problem(
                &previous_file,
                format!(
                    "revision {} was changed after revision {number} was saved (its SHA-256 is {actual}, revision {number} recorded {recorded}), or the two were reordered; {RESTORE}",
                    number - 1
                ),
            );
            flagged.push(previous_file);
        }
        _ => {}
    }
}

/// Checks the head against the newest revisions: its number, its hash, and the summary
/// the lists show (which must be what the newest revision holds).
fn check_head<T: Record>(
    medium: &dyn Medium,
    id: &str,
    newest: u32,
    hashes: &BTreeMap<u32, String>,
    flagged: &[PathBuf],
    newest_parsed: Option<&ParsedRevision<T>>,
    report: &mut VerifyReport,
) {
    let head_file = medium.locate(T::FOLDER, id, Entry::Head);
    let bytes = match medium.read(T::FOLDER, id, Entry::Head) {
        Ok(bytes) => bytes,
        Err(failure)
            if failure.is_not_found()
                && newest_parsed.is_some_and(|parsed| parsed.meta.format_version == 0) =>
        {
            report.note(
                &head_file,
                format!("is missing: revision {newest} was saved in format version 0, before records had a head; the next save writes it"),
            );
            return;
        }
        Err(failure) if failure.is_not_found() => {
            report.problem(
                &head_file,
                format!(
                    "is missing, so revision {newest}, the newest, cannot be checked: a save never removes a head (it is replaced in one step), so it was removed, and the newest revisions may have been changed or removed with it; the lists mark the record as unverified; {RESTORE}"
                ),
            );
            return;
        }
        Err(failure) => {
            let error = super::fsio::read_failure(&head_file, FileKind::Head, failure, |file| {
                StoreError::Read {
                    file,
                    cause: std::io::Error::from(std::io::ErrorKind::NotFound),
                }
            });
            report.problem(&head_file, problem_text(&error));
            return;
        }
    };
    let head = match parse_head::<T::Summary>(&head_file, &bytes) {
        Ok(head) => head,
        Err(error) => {
            report.problem(&head_file, problem_text(&error));
            return;
        }
    };
    if head.number > newest {
        report.problem(
            &head_file,
            format!(
                "says revision {} is the newest, but the newest file is revision {newest}: revisions were removed; {RESTORE}",
                head.number
            ),
        );
        return;
    }
    let file = medium.locate(T::FOLDER, id, Entry::Revision(head.number));
    let actual = hashes.get(&head.number).map(String::as_str);
    if let Some(actual) = actual
        && actual != head.sha256
        && !flagged.contains(&file)
    {
        report.problem(
            &file,
            format!(
                "revision {} was changed after it was saved (its SHA-256 is {actual}, {HEAD_FILE} recorded {}); {RESTORE}",
                head.number, head.sha256
            ),
        );
    }
    // The summary is compared only where the hash matches: a changed revision is
    // already reported above, and the head is then not at fault.
    if head.number == newest
        && actual == Some(head.sha256.as_str())
        && let Some(summary) = &head.summary
        && let Some(parsed) = newest_parsed
        && (T::summarize(id, &parsed.meta, &parsed.record).as_ref() != Some(summary)
            || (!head.summary_sha256.is_empty() && head.summary_sha256 != summary_sha256(summary)))
    {
        report.problem(
            &head_file,
            format!(
                "does not describe revision {newest} as it is (the patient and plan lists would show it wrongly): it was edited after it was saved; {RESTORE}"
            ),
        );
    }
    if head.number < newest {
        report.note(
            &head_file,
            format!(
                "points at revision {} while revision {newest} is the newest: a save was interrupted, or two desks saved at once; the newer revisions are checked by the chain, and the next save brings the head up to date",
                head.number
            ),
        );
    }
}
