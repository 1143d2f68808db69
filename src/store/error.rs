//! What can go wrong with the data folder, each as one sentence that names the file and
//! says what to do.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use jiff::Timestamp;

/// A store operation that failed. Every message is one sentence that names the file and
/// says what to do; when a save fails, nothing was overwritten. The system's own error
/// is part of the sentence (`cause`), not a separate source, so that it is said once.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The data folder could not be created or read.
    #[error(
        "could not open the data folder {}: {cause}; check that it exists or can be created and that you may write to it, or choose another with --data-dir DIR",
        path.display()
    )]
    DataFolder {
        /// The folder.
        path: PathBuf,
        /// Why.
        cause: io::Error,
    },
    /// The disk (or the user's quota) is full.
    #[error(
        "could not save {record}: the disk is full (file {}); free some space and save again; nothing was overwritten",
        file.display()
    )]
    DiskFull {
        /// What was being saved, such as "plan 0190…".
        record: String,
        /// The file being written.
        file: PathBuf,
    },
    /// The data folder may not be written to.
    #[error(
        "could not save {record}: the data folder may not be written to (file {}: {cause}); ask for write access to it, or choose another with --data-dir DIR, and save again; nothing was overwritten",
        file.display()
    )]
    NotWritable {
        /// What was being saved.
        record: String,
        /// The file being written.
        file: PathBuf,
        /// Why.
        cause: io::Error,
    },
    /// An exported file could not be written.
    #[error(
        "could not write the export {}: {cause}; choose a folder you may write to, with free space, and export again",
        file.display()
    )]
    Export {
        /// The file being written.
        file: PathBuf,
        /// Why.
        cause: io::Error,
    },
    /// An export was asked for inside the app's own folders.
    #[error(
        "will not export to {}: it lies inside the app's {which} {} (once links and .. are followed), where the app keeps its own files; choose a folder outside it, such as your documents; nothing was written",
        file.display(),
        folder.display()
    )]
    ExportInsideAppFolder {
        /// The path as given.
        file: PathBuf,
        /// The app's folder it lies in.
        folder: PathBuf,
        /// "data folder" or "configuration folder".
        which: &'static str,
    },
    /// An export was asked for over something that is not a regular file.
    #[error(
        "will not export to {}: it is {what}, and an export only ever replaces a file; choose a file name; nothing was written",
        file.display()
    )]
    ExportNotAFile {
        /// The path as given.
        file: PathBuf,
        /// What is there, such as "a symbolic link to /etc/passwd" or "a device".
        what: String,
    },
    /// An export's file is already there and replacing it was not asked for.
    #[error(
        "{} already exists, and an export replaces a file only when asked to; choose another name, or ask to replace it; nothing was written",
        file.display()
    )]
    ExportExists {
        /// The file that is there.
        file: PathBuf,
    },
    /// The database the store is on cannot be used.
    #[error("{what}")]
    Database {
        /// The sentence, naming the server and what to do.
        what: String,
    },
    /// Another failure while writing.
    #[error(
        "could not save {record}: writing {} failed ({cause}); check that the data folder is reachable and save again; nothing was overwritten",
        file.display()
    )]
    Write {
        /// What was being saved.
        record: String,
        /// The file being written.
        file: PathBuf,
        /// Why.
        cause: io::Error,
    },
    /// A file or folder could not be read.
    #[error(
        "could not read {}: {cause}; check that the data folder is reachable and that you may read it",
        file.display()
    )]
    Read {
        /// The file or folder.
        file: PathBuf,
        /// Why.
        cause: io::Error,
    },
    /// A file of the app's folders is not a regular file: a link, a named pipe, a
    /// folder or a device. It was not opened, followed or changed.
    #[error(
        "{} is {what}, where {kind} belongs; the app never makes such a thing in its folders, so it was not read (nor followed) and was left as it is; put the file itself in its place, restore it from a backup, or move it out of the folder",
        file.display()
    )]
    NotAFile {
        /// The path.
        file: PathBuf,
        /// What it is instead, such as "a symbolic link to /etc/passwd".
        what: String,
        /// What belongs there, such as "a revision file".
        kind: &'static str,
    },
    /// A file is larger than any file of its kind the app writes.
    #[error(
        "{} is {}, larger than {kind} the app writes can be (at most {}), so it was not read; it was left unchanged; restore it from a backup, or move it out of the folder",
        file.display(),
        size_in_words(*len),
        size_in_words(*limit)
    )]
    TooLarge {
        /// The file.
        file: PathBuf,
        /// Its size in bytes.
        len: u64,
        /// The largest size allowed.
        limit: u64,
        /// What kind of file it should be, such as "a revision file".
        kind: &'static str,
    },
    /// Someone else saved this revision first: the save was refused.
    #[error(
        "could not save {}: {saved_by} saved {} at {} (file {}) while you were working on it; reopen it to see their changes, then make yours again; nothing was overwritten",
        record_of(file),
        revision_of(file),
        local_time(*saved_at),
        file.display()
    )]
    Conflict {
        /// The revision file that was already there.
        file: PathBuf,
        /// Who saved it.
        saved_by: String,
        /// When.
        saved_at: Timestamp,
    },
    /// The record does not exist.
    #[error(
        "{record} is not in the data folder (there is no {}); check the id with `regen-planner plans list`, or that --data-dir points at the folder it was saved in",
        path.display()
    )]
    NotFound {
        /// What was asked for, such as "plan 0190…".
        record: String,
        /// Where it would be.
        path: PathBuf,
    },
    /// A revision file could not be read as a revision.
    #[error(
        "{}{} could not be read as a saved revision ({what}); it was left unchanged; restore it from a backup, or move it out of its folder and run `regen-planner plans verify`",
        file.display(),
        location(*line, *column)
    )]
    Damaged {
        /// The file.
        file: PathBuf,
        /// 1-based line, when known.
        line: Option<usize>,
        /// 1-based column, when known.
        column: Option<usize>,
        /// What is wrong.
        what: String,
    },
    /// A file was written by a newer version of the app.
    #[error(
        "{} was saved by a newer version of Regen Planner (format version {found}; this app reads up to {supported}); update the app to open it; the file was left unchanged",
        file.display()
    )]
    NewerFormat {
        /// The file.
        file: PathBuf,
        /// Its format version.
        found: u32,
        /// The newest this app reads.
        supported: u32,
    },
    /// The settings file could not be read.
    #[error(
        "the settings file {}{} could not be read ({what}); fix it, or move it away to start from the default settings; it was left unchanged",
        file.display(),
        location(*line, *column)
    )]
    Settings {
        /// The file.
        file: PathBuf,
        /// 1-based line, when known.
        line: Option<usize>,
        /// 1-based column, when known.
        column: Option<usize>,
        /// What is wrong.
        what: String,
    },
    /// A record could not be written as RON.
    #[error(
        "could not write {record} as RON ({what}); nothing was saved; please report this as a bug"
    )]
    Serialize {
        /// What was being saved.
        record: String,
        /// Why.
        what: String,
    },
    /// A plan names a patient the data folder does not hold.
    #[error(
        "plan cannot be saved for patient {patient}: there is no {}; save the patient first, or restore the patient's folder from a backup",
        path.display()
    )]
    UnknownPatient {
        /// The patient id the plan names.
        patient: String,
        /// Where the patient would be.
        path: PathBuf,
    },
    /// A name, clinic id, physician's name or date that may not be saved.
    #[error("could not save {record}: {reason}; nothing was saved")]
    Invalid {
        /// What was being saved, such as "the new patient".
        record: String,
        /// What is wrong and what is allowed.
        reason: super::rules::InvalidEntry,
    },
    /// A new patient's clinic id is already another patient's.
    #[error(
        "clinic id '{}' is already patient {patient} ({}); a clinic id belongs to one patient, so make the plan for that patient, or give this one another clinic id; nothing was saved",
        crate::untrusted::for_message(clinic_id),
        crate::untrusted::for_message(name)
    )]
    ClinicIdTaken {
        /// The clinic id.
        clinic_id: String,
        /// The patient it belongs to.
        patient: super::ids::PatientId,
        /// That patient's name.
        name: String,
    },
    /// A patient's clinic id, once saved, stays theirs.
    #[error(
        "could not save patient {patient}: their clinic id '{}' cannot be changed to '{}', because a clinic id, once given, stays the patient's (so that a plan saved with it finds them); nothing was saved",
        crate::untrusted::for_message(from),
        crate::untrusted::for_message(to)
    )]
    ClinicIdChange {
        /// The patient.
        patient: super::ids::PatientId,
        /// The clinic id on file.
        from: String,
        /// The one asked for.
        to: String,
    },
    /// The revision a save builds on does not check out against the record's head.
    #[error(
        "could not save {record}: {} {what}; a save on top would make that part of the record's history, so nothing was saved; run `regen-planner plans verify` and restore the record's folder from a backup",
        file.display()
    )]
    Unverified {
        /// What was being saved.
        record: String,
        /// The file that does not check out.
        file: PathBuf,
        /// What is wrong with it.
        what: String,
    },
    /// The backup could not be made or did not match the original.
    #[error("could not back up to {}: {what}", dest.display())]
    Backup {
        /// The backup folder.
        dest: PathBuf,
        /// What went wrong and what to do.
        what: String,
    },
    /// Demo data was asked for in a data folder that already holds something.
    #[error(
        "demo data was not made: the data folder {} already holds {found}; demo data goes only into a new or empty folder, so that it never mixes with real patients; choose another with --data-dir DIR",
        path.display()
    )]
    NotEmptyForDemo {
        /// The data folder.
        path: PathBuf,
        /// What is in it, such as "3 patients and 5 plans".
        found: String,
    },
    /// A copy (`migrate --to`, a backup) that would mix demo patients with real ones.
    #[error(
        "nothing was copied into {}: {what}; demo patients must never mix with real ones, so copy demo data only into a new, empty database or folder",
        target.display()
    )]
    DemoMix {
        /// Where the copy was going.
        target: PathBuf,
        /// Which way round the mix would be.
        what: String,
    },
}

/// A size such as "1.5 GB" or "16 MB" (powers of 1024, named as people say them).
pub(crate) fn size_in_words(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["bytes", "kB", "MB", "GB", "TB"];
    let mut unit = 0;
    let mut scale: u128 = 1;
    while u128::from(bytes) >= scale * 1024 && unit + 1 < UNITS.len() {
        scale *= 1024;
        unit += 1;
    }
    if unit == 0 {
        return format!("{bytes} bytes");
    }
    let tenths = u128::from(bytes) * 10 / scale;
    if tenths.is_multiple_of(10) {
        format!("{} {}", tenths / 10, UNITS[unit])
    } else {
        format!("{}.{} {}", tenths / 10, tenths % 10, UNITS[unit])
    }
}

/// `:line:column` when known.
pub(crate) fn location(line: Option<usize>, column: Option<usize>) -> String {
    match (line, column) {
        (Some(line), Some(column)) => format!(":{line}:{column}"),
        (Some(line), None) => format!(":{line}"),
        _ => String::new(),
    }
}

/// "plan 0190…" or "patient 0190…", from a revision file's path.
pub(crate) fn record_of(file: &Path) -> String {
    let mut folders = file.ancestors().skip(1);
    let id = folders
        .next()
        .and_then(Path::file_name)
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    let kind = match folders
        .next()
        .and_then(Path::file_name)
        .and_then(|name| name.to_str())
    {
        Some("patients") => "patient",
        _ => "plan",
    };
    format!("{kind} {id}")
}

/// "revision 3", from a revision file's path.
fn revision_of(file: &Path) -> String {
    file.file_name()
        .and_then(|name| name.to_str())
        .and_then(super::format::revision_number)
        .map_or_else(
            || "a newer revision".to_owned(),
            |n| format!("revision {n}"),
        )
}

/// A timestamp in the desk's own time zone, to the minute, with the zone's name.
pub(crate) fn local_time(at: Timestamp) -> String {
    at.to_zoned(jiff::tz::TimeZone::system())
        .strftime("%Y-%m-%d %H:%M %Z")
        .to_string()
}

/// What kind of problem a [`LoadProblem`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProblemKind {
    /// The file does not parse, is cut short, or holds something else.
    Damaged,
    /// The file was written by a newer version of the app.
    NewerFormat,
    /// The file or folder could not be read at all.
    Unreadable,
    /// A plan names a patient whose record is not there.
    MissingPatient,
    /// A record seen before has no folder any more.
    Removed,
    /// A link, a named pipe, a folder or a device where a file belongs.
    NotAFile,
    /// A file larger than any of its kind the app writes.
    TooLarge,
    /// A file whose name looks like a revision's but does not fit the record's chain.
    Stray,
    /// A record whose newest revisions cannot be checked: its `head.ron` is missing.
    Unverified,
    /// The index cache said something else than the records; it was rebuilt.
    Cache,
}

/// A file that was skipped while loading. Nothing was deleted or rewritten; the rest
/// still loaded.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LoadProblem {
    /// The file or folder.
    pub path: PathBuf,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// 1-based column, when known.
    pub column: Option<usize>,
    /// What kind of problem.
    pub kind: ProblemKind,
    /// What is wrong and what to do, as the end of a sentence.
    pub what: String,
}

impl LoadProblem {
    /// The problem a store error stands for, when loading one file failed.
    pub(crate) fn from_error(error: &StoreError, fallback_path: &Path) -> Self {
        match error {
            StoreError::Damaged {
                file,
                line,
                column,
                what,
            } => Self {
                path: file.clone(),
                line: *line,
                column: *column,
                kind: ProblemKind::Damaged,
                what: format!(
                    "could not be read as a saved revision ({what}); it was skipped and left unchanged; restore it from a backup or run `regen-planner plans verify`"
                ),
            },
            StoreError::NewerFormat {
                file,
                found,
                supported,
            } => Self {
                path: file.clone(),
                line: None,
                column: None,
                kind: ProblemKind::NewerFormat,
                what: format!(
                    "was saved by a newer version of Regen Planner (format version {found}; this app reads up to {supported}); update the app to open it; it was left unchanged"
                ),
            },
            StoreError::NotAFile { file, what, kind } => Self {
                path: file.clone(),
                line: None,
                column: None,
                kind: ProblemKind::NotAFile,
                what: format!(
                    "is {what}, where {kind} belongs; it was skipped, not followed and left as it is; put the file itself in its place or restore it from a backup"
                ),
            },
            StoreError::TooLarge {
                file,
                len,
                limit,
                kind,
            } => Self {
                path: file.clone(),
                line: None,
                column: None,
                kind: ProblemKind::TooLarge,
                what: format!(
                    "is {}, larger than {kind} the app writes can be (at most {}); it was skipped unread and left unchanged; restore it from a backup",
                    size_in_words(*len),
                    size_in_words(*limit)
                ),
            },
            other => Self {
                path: fallback_path.to_path_buf(),
                line: None,
                column: None,
                kind: ProblemKind::Unreadable,
                what: format!("was skipped: {other}"),
            },
        }
    }
}

impl fmt::Display for LoadProblem {
    /// One line: the path and what is wrong, with any control character in them (a
    /// file name can hold one) escaped.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let line = format!(
            "{}{}: {}",
            self.path.display(),
            location(self.line, self.column),
            self.what
        );
        f.write_str(&crate::untrusted::escape_controls(&line))
    }
}

/// The store error for a failed write, sorted by what the user can do about it.
pub(crate) fn write_error(record: &str, file: &Path, source: io::Error) -> StoreError {
    let record = record.to_owned();
    let file = file.to_path_buf();
    match source.kind() {
        io::ErrorKind::StorageFull | io::ErrorKind::QuotaExceeded => {
            StoreError::DiskFull { record, file }
        }
        io::ErrorKind::PermissionDenied | io::ErrorKind::ReadOnlyFilesystem => {
            StoreError::NotWritable {
                record,
                file,
                cause: source,
            }
        }
        _ => StoreError::Write {
            record,
            file,
            cause: source,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_disk_says_so_and_that_nothing_was_overwritten() {
        let error = write_error(
            "plan 0190abcdef0123456789abcdef012345",
            Path::new("/data/plans/0190abcdef0123456789abcdef012345/revision-000002.ron"),
            io::Error::from(io::ErrorKind::StorageFull),
        );
        let message = error.to_string();
        assert!(message.starts_with(
            "could not save plan 0190abcdef0123456789abcdef012345: the disk is full (file /data/plans/"
        ));
        assert!(message.ends_with("free some space and save again; nothing was overwritten"));
    }

    #[test]
    fn a_conflict_names_who_saved_which_revision() {
        let error = StoreError::Conflict {
            file: PathBuf::from("/data/plans/0190abcdef0123456789abcdef012345/revision-000004.ron"),
            saved_by: "Dr. Vega".into(),
            saved_at: "2027-01-18T10:04:00Z".parse().unwrap(),
        };
        let message = error.to_string();
        assert!(
            message.starts_with(
                "could not save plan 0190abcdef0123456789abcdef012345: Dr. Vega saved revision 4 at 2027-01-1"
            ),
            "{message}"
        );
        assert!(message.contains("reopen it"));
    }
}
