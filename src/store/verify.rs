//! Walking every chain of revisions to find what was changed, removed or reordered.
//!
//! Each revision records the SHA-256 of the revision before it, and each record's
//! `head.ron` records the SHA-256 of its newest revision and the summary the lists show
//! of it. So an edit of any revision, a removed revision, two revisions swapped, or a
//! head whose summary no longer matches its revision shows up here with the file's name.
//!
//! Limits: the hashes are not secret. They catch damage, sync tools and hand edits, but
//! someone who edits a file on purpose and then recomputes every later hash (and the
//! head) is not caught; verified backups kept elsewhere are the answer to that. A
//! record's whole folder removed is noticed through the index cache, which remembers
//! every record it saw (until the cache itself is deleted), and through the plans that
//! name a removed patient. After a crash between writing a revision and its head, the head is one
//! revision behind until the next save: that is reported as a note, not a problem.

use std::fmt;
use std::path::{Path, PathBuf};

use super::error::StoreError;
use super::folder::{Store, check_identity, revision_numbers};
use super::format::{
    HEAD_FILE, ParsedRevision, Record, parse_head, parse_revision, revision_file_name, sha256_hex,
};
use super::ids::{PlanId, is_well_formed};
use super::records::{Patient, PlanRecord};

/// One thing `verify` found, with the file it is about.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct VerifyProblem {
    /// The file (or folder) concerned.
    pub file: PathBuf,
    /// What was found and what to do, as the end of a sentence.
    pub what: String,
}

impl fmt::Display for VerifyProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.file.display(), self.what)
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
        self.verify_kind::<Patient>(&mut report);
        self.verify_kind::<PlanRecord>(&mut report);
        for removed in self.removed_records() {
            report.problem(&removed.path, removed.what);
        }
        report
    }

    /// Verifies the chain of one plan, as [`Store::verify`] does for all.
    #[must_use]
    pub fn verify_plan(&self, id: &PlanId) -> VerifyReport {
        let mut report = VerifyReport::default();
        self.verify_record::<PlanRecord>(id.as_str(), &mut report);
        report
    }

    fn verify_kind<T: Verified>(&self, report: &mut VerifyReport) {
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
                return;
            }
        };
        let mut ids: Vec<String> = entries
            .flatten()
            .filter_map(|entry| entry.file_name().to_str().map(str::to_owned))
            .filter(|name| is_well_formed(name))
            .collect();
        ids.sort_unstable();
        for id in ids {
            self.verify_record::<T>(&id, report);
        }
    }

    fn verify_record<T: Verified>(&self, id: &str, report: &mut VerifyReport) {
        let dir = self.record_dir::<T>(id);
        report.records += 1;
        let numbers = match revision_numbers(&dir) {
            Ok(numbers) => numbers,
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
        report_stray_names(&dir, report);
        let Some(&newest) = numbers.last() else {
            report.note(
                &dir,
                "holds no revision yet: a first save was interrupted; nothing was lost".into(),
            );
            return;
        };
        // (hash, parsed) of each revision 1..=newest, None where missing or unreadable.
        let mut hashes: Vec<Option<String>> = Vec::with_capacity(newest as usize);
        let mut flagged: Vec<PathBuf> = Vec::new();
        let mut previous_ok = true;
        let mut last: Option<ParsedRevision<T>> = None;
        for number in 1..=newest {
            let file = dir.join(revision_file_name(number));
            if numbers.binary_search(&number).is_err() {
                report.problem(
                    &file,
                    format!("revision {number} is missing: it was removed or renamed; {RESTORE}"),
                );
                hashes.push(None);
                previous_ok = false;
                continue;
            }
            report.revisions += 1;
            let bytes = match std::fs::read(&file) {
                Ok(bytes) => bytes,
                Err(error) => {
                    report.problem(
                        &file,
                        format!("could not be read ({error}); check its permissions"),
                    );
                    hashes.push(None);
                    previous_ok = false;
                    continue;
                }
            };
            let hash = sha256_hex(&bytes);
            let parsed = parse_revision::<T>(&file, &bytes)
                .and_then(|parsed| check_identity(&file, &parsed, id, number).map(|()| parsed));
            match parsed {
                Ok(parsed) => {
                    check_link(
                        &dir,
                        number,
                        &parsed,
                        &hashes,
                        previous_ok,
                        report,
                        &mut flagged,
                    );
                    last = Some(parsed);
                    previous_ok = true;
                }
                Err(error) => {
                    report.problem(&file, problem_text(&error));
                    flagged.push(file);
                    previous_ok = false;
                }
            }
            hashes.push(Some(hash));
        }
        let newest_parsed = last.as_ref().filter(|parsed| parsed.meta.number == newest);
        check_head::<T>(id, &dir, newest, &hashes, &flagged, newest_parsed, report);
        if let Some(parsed) = last {
            T::check_references(self, &dir, &parsed.record, report);
        }
    }
}

/// What a record kind checks beyond its chain.
trait Verified: Record {
    fn check_references(_store: &Store, _dir: &Path, _record: &Self, _report: &mut VerifyReport) {}
}

impl Verified for Patient {}

impl Verified for PlanRecord {
    /// A plan's patient must be there.
    fn check_references(store: &Store, dir: &Path, record: &Self, report: &mut VerifyReport) {
        let patient_dir = store.record_dir::<Patient>(record.patient.as_str());
        if !patient_dir.is_dir() {
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
        other => format!("could not be checked: {other}"),
    }
}

/// Checks that a revision records the hash of the one before it.
fn check_link<T>(
    dir: &Path,
    number: u32,
    parsed: &ParsedRevision<T>,
    hashes: &[Option<String>],
    previous_ok: bool,
    report: &mut VerifyReport,
    flagged: &mut Vec<PathBuf>,
) {
    let file = dir.join(revision_file_name(number));
    let recorded = parsed.meta.previous_sha256.as_deref();
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
    let actual = hashes.last().and_then(Option::as_deref);
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
    id: &str,
    dir: &Path,
    newest: u32,
    hashes: &[Option<String>],
    flagged: &[PathBuf],
    newest_parsed: Option<&ParsedRevision<T>>,
    report: &mut VerifyReport,
) {
    let head_file = dir.join(HEAD_FILE);
    let bytes = match std::fs::read(&head_file) {
        Ok(bytes) => bytes,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            report.note(
                &head_file,
                format!("is missing, so revision {newest} is protected only by the next save; this happens when a save was interrupted, and the next save writes it"),
            );
            return;
        }
        Err(error) => {
            report.problem(
                &head_file,
                format!("could not be read ({error}); check its permissions"),
            );
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
    let file = dir.join(revision_file_name(head.number));
    let actual = head
        .number
        .checked_sub(1)
        .and_then(|index| hashes.get(index as usize))
        .and_then(Option::as_deref);
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
        && T::summarize(id, &parsed.meta, &parsed.record).as_ref() != Some(summary)
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

/// Files that look like revisions but do not have a revision's exact name: renamed by
/// hand, so their place in the chain is unknown.
fn report_stray_names(dir: &Path, report: &mut VerifyReport) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with("revision") && super::format::revision_number(&name).is_none() {
            report.problem(
                &entry.path(),
                "is not a revision file name this app writes, so it was renamed; give it back its name revision-NNNNNN.ron or restore the folder from a backup".into(),
            );
        }
    }
}
