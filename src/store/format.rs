//! The files of the data folder: revision files, the head pointer of each record, and
//! reading older format versions.
//!
//! A revision file is RON, each field on a line of its own and what is inside a part
//! of the record on that part's line:
//!
//! ```text
//! // Regen Planner plan revision 7: the changes since revision 6. Do not edit: ...
//! (
//!     format_version: 3,
//!     kind: "plan",
//!     id: "0190...",
//!     number: 7,
//!     saved_at: "2027-01-18T10:04:00Z",
//!     saved_by: "Dr. Vega",
//!     previous_sha256: Some("9f86d0..."),
//!     changes: (
//!         ticked: {"session:2": "2027-01-18T10:04:00Z"},
//!     ),
//! )
//! ```
//!
//! A revision holds either the whole `record:` or only its `changes:` since the
//! revision before (plans only, version 3, see `changes.rs`). The record is written in
//! the store's own shapes (`disk.rs`). A plan's record of version 2 and later names its
//! generated plan by SHA-256 (`bodies.rs`) instead of holding it.
//!
//! Versions: 0 (before files carried a version; test fixtures only), 1 (the generated
//! plan inline in every plan revision, in the engine's types), 2 (the store's own
//! shapes, the generated plan in a file of its own), 3 (revisions of changes between
//! full revisions; revisions and heads written with their parts on one line each).
//! Files of every version are read; only version 3 is written; nothing is ever
//! rewritten.

use std::path::Path;

use jiff::Timestamp;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

use super::bodies::read_generated;
use super::changes::PlanChangesDisk;
use super::disk::{PatientDisk, PlanDisk, PlanV1};
use super::error::StoreError;
use super::ids::{PatientId, PlanId};
use super::medium::{Entry, Medium};
use super::records::{Patient, PatientSummary, PlanRecord, PlanSummary, Screening};
use crate::catalog::Factor;
use crate::planning::{Note, Plan};

/// The format version this app writes, and the newest it reads: of revision files,
/// heads and the index cache. Version 2 gave the store shapes of its own and moved a
/// plan's generated plan into a file of its own; version 3 made most plan revisions
/// record only what changed since the revision before (`changes.rs`) and writes
/// revisions and heads with their inner parts on one line each. Generated plans keep
/// the shape of version 2 ([`super::bodies::GENERATED_FORMAT_VERSION`]).
pub const FORMAT_VERSION: u32 = 3;

/// The oldest format version whose heads keep a summary of the same shape as today's.
pub(crate) const OLDEST_HEAD_WITH_SUMMARY: u32 = 1;

/// The name of the file that points at a record's newest revision and holds its hash.
pub(crate) const HEAD_FILE: &str = "head.ron";

/// The file name of a revision: `revision-000001.ron`.
pub(crate) fn revision_file_name(number: u32) -> String {
    format!("revision-{number:06}.ron")
}

/// The revision number of a file name, if it is exactly a revision file's name.
pub(crate) fn revision_number(name: &str) -> Option<u32> {
    let digits = name.strip_prefix("revision-")?.strip_suffix(".ron")?;
    if !digits.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    let number: u32 = digits.parse().ok()?;
    (number >= 1 && revision_file_name(number) == name).then_some(number)
}

/// The SHA-256 of some bytes, in lowercase hexadecimal.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    format!("{:x}", Sha256::digest(bytes))
}

/// How files are pretty-printed: the same on every system, so hashes and diffs agree.
/// Generated plans are written so (as in version 2).
pub(crate) fn pretty() -> ron::ser::PrettyConfig {
    ron::ser::PrettyConfig::new()
        .new_line("\n")
        .indentor("    ")
}

/// How revisions are written since version 3: each field of the envelope, and each
/// part of the record or of its changes, on a line of its own, and what is inside a
/// part (a note, a tick, the request) on that line. Still text that reads as it is,
/// at about half the bytes.
pub(crate) fn revision_pretty() -> ron::ser::PrettyConfig {
    pretty().depth_limit(2)
}

/// How heads are written since version 3: each field on a line of its own, the
/// summary on one line.
fn head_pretty() -> ron::ser::PrettyConfig {
    pretty().depth_limit(1)
}

/// A kind of record that is saved in revisions: what its files are called, its shapes
/// on disk, and how an older format version becomes the current one.
pub(crate) trait Record: Clone {
    /// "plan" or "patient", as written in files and messages.
    const KIND: &'static str;
    /// The folder under the data folder that holds one folder per record.
    const FOLDER: &'static str;
    /// The record's shape in format version 0.
    type V0: DeserializeOwned;
    /// The record's shape in format version 1.
    type V1: DeserializeOwned;
    /// The record's shape in the current format version, as written.
    type Disk: Clone + PartialEq + Serialize + DeserializeOwned;
    /// What changed since the revision before, as a revision of changes holds it.
    type Changes: Serialize + DeserializeOwned;
    /// What the list screens show of the record; kept in the index cache and the head.
    type Summary: Clone + PartialEq + Serialize + DeserializeOwned;
    /// Converts a version 0 record, given the revision's author and time.
    fn from_v0(old: Self::V0, saved_by: &str, saved_at: Timestamp) -> Self;
    /// Converts a version 1 record.
    fn from_v1(old: Self::V1) -> Self;
    /// The SHA-256 of the generated plan a current revision builds on, if it does.
    fn generated_of(disk: &Self::Disk) -> Option<&str>;
    /// The record of a current revision, with the generated plan it names (read and
    /// checked by the caller), if it names one; `None` when it needs one and none is
    /// given.
    fn from_disk(disk: Self::Disk, generated: Option<Plan>) -> Option<Self>;
    /// The shape to write, naming the generated plan's file by `generated_sha256` for a
    /// record that has one.
    fn to_disk(&self, generated_sha256: Option<&str>) -> Self::Disk;
    /// The generated plan kept in a file of its own, for a record that has one.
    fn generated(&self) -> Option<&Plan> {
        None
    }
    /// What changed from `base` to `new`, for a record whose revisions may record only
    /// that; `None` for one whose revisions are always whole.
    fn changes(_base: &Self::Disk, _new: &Self::Disk) -> Option<Self::Changes> {
        None
    }
    /// The record after `changes`, applied to revision `base_number` (`base`).
    ///
    /// # Errors
    /// When the changes do not fit: the end of a sentence that says what.
    fn apply(
        changes: Self::Changes,
        base: Self::Disk,
        base_number: u32,
    ) -> Result<Self::Disk, String>;
    /// The summary of a revision of the record with this id; `None` when the id is not
    /// one of ours.
    fn summarize(id: &str, meta: &RevisionMeta, record: &Self) -> Option<Self::Summary>;
    /// The id and revision number a summary says it is of.
    fn summary_of(summary: &Self::Summary) -> (&str, u32);
    /// The clinic id the record claims, for a patient that has one.
    fn clinic_id(_record: &Self) -> Option<&str> {
        None
    }
}

/// What a revision file says about itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RevisionMeta {
    /// The format version the file was written in.
    pub format_version: u32,
    /// The record's id, as the file says.
    pub id: String,
    /// The revision number, as the file says.
    pub number: u32,
    /// When it was saved.
    pub saved_at: Timestamp,
    /// Who saved it.
    pub saved_by: String,
    /// The SHA-256 of the revision before it; `None` for the first.
    pub previous_sha256: Option<String>,
}

/// A parsed revision file.
#[derive(Debug, Clone)]
pub(crate) struct ParsedRevision<T> {
    /// What the file says about itself.
    pub meta: RevisionMeta,
    /// The record, in the current shape.
    pub record: T,
}

#[derive(Serialize)]
struct RevisionOut<'a, D, C> {
    format_version: u32,
    kind: &'a str,
    id: &'a str,
    number: u32,
    saved_at: Timestamp,
    saved_by: &'a str,
    previous_sha256: Option<&'a str>,
    #[serde(skip_serializing_if = "Part::is_none")]
    record: Part<'a, D>,
    #[serde(skip_serializing_if = "Part::is_none")]
    changes: Part<'a, C>,
}

/// A part of a revision that is written bare when there (`record: (...)`), and left
/// out when not.
struct Part<'a, T>(Option<&'a T>);

impl<T> Part<'_, T> {
    fn is_none(&self) -> bool {
        self.0.is_none()
    }
}

impl<T: Serialize> Serialize for Part<'_, T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Some(value) => value.serialize(serializer),
            None => serializer.serialize_unit(),
        }
    }
}

#[derive(Deserialize)]
struct RevisionIn<T> {
    format_version: u32,
    kind: String,
    id: String,
    number: u32,
    saved_at: Timestamp,
    saved_by: String,
    previous_sha256: Option<String>,
    record: T,
}

/// A revision of version 2 or 3: it holds the whole record, or (version 3) only what
/// changed since the revision before.
#[derive(Deserialize)]
#[serde(bound(deserialize = "D: Deserialize<'de>, C: Deserialize<'de>"))]
struct RevisionIn3<D, C> {
    format_version: u32,
    kind: String,
    id: String,
    number: u32,
    saved_at: Timestamp,
    saved_by: String,
    previous_sha256: Option<String>,
    #[serde(default = "none", with = "super::changes::bare")]
    record: Option<D>,
    #[serde(default = "none", with = "super::changes::bare")]
    changes: Option<C>,
}

/// What a revision of the current version holds: the whole record, or what changed
/// since the revision before.
pub(crate) enum Body<'a, T: Record> {
    /// The whole record.
    Whole(&'a T::Disk),
    /// What changed since the revision before.
    Changes(&'a T::Changes),
}

/// Only the format version; every other field is skipped unread. A file without the
/// field is version 0.
#[derive(Deserialize)]
struct VersionProbe {
    #[serde(default)]
    format_version: u32,
}

/// The text of a revision file.
///
/// # Errors
/// Only if the record cannot be written as RON.
pub(crate) fn render_revision<T: Record>(
    id: &str,
    number: u32,
    saved_at: Timestamp,
    saved_by: &str,
    previous_sha256: Option<&str>,
    body: &Body<'_, T>,
) -> Result<String, ron::Error> {
    let (record, changes) = match body {
        Body::Whole(record) => (Some(*record), None),
        Body::Changes(changes) => (None, Some(*changes)),
    };
    let out = RevisionOut {
        format_version: FORMAT_VERSION,
        kind: T::KIND,
        id,
        number,
        saved_at,
        saved_by,
        previous_sha256,
        record: Part(record),
        changes: Part(changes),
    };
    let mut text = match body {
        Body::Whole(_) => format!(
            "// Regen Planner {} revision {number}. Do not edit: the next revision records this file's SHA-256, and `regen-planner plans verify` reports any change.\n",
            T::KIND
        ),
        Body::Changes(_) => format!(
            "// Regen Planner {} revision {number}: the changes since revision {}. Do not edit: `plans verify` checks it.\n",
            T::KIND,
            number.saturating_sub(1)
        ),
    };
    text.push_str(&ron::ser::to_string_pretty(&out, revision_pretty())?);
    text.push('\n');
    Ok(text)
}

/// The text of a file as UTF-8, or where it stops being UTF-8.
pub(crate) fn utf8<'a>(file: &Path, bytes: &'a [u8]) -> Result<&'a str, StoreError> {
    std::str::from_utf8(bytes).map_err(|error| {
        let valid = &bytes[..error.valid_up_to()];
        let line = valid.split(|byte| *byte == b'\n').count();
        let column = valid
            .iter()
            .rev()
            .take_while(|byte| **byte != b'\n')
            .count()
            + 1;
        StoreError::Damaged {
            file: file.to_path_buf(),
            line: Some(line),
            column: Some(column),
            what: format!(
                "it holds bytes that are not text, from byte {}",
                error.valid_up_to()
            ),
        }
    })
}

/// The damage a RON error stands for, at its position, in words that name no type of
/// the app's code and quote the file only briefly. Every file this app writes starts
/// with its comment or `(` and ends with the `)` that closes it; such a file that does
/// not end so was almost surely cut short, and the message says so.
pub(crate) fn damaged(file: &Path, text: &str, error: &ron::error::SpannedError) -> StoreError {
    let trimmed = text.trim();
    let looks_like_ours = trimmed.starts_with("//") || trimmed.starts_with('(');
    let cut_short = looks_like_ours && !trimmed.ends_with(')');
    let what = match &error.code {
        _ if !looks_like_ours => {
            "it is not a file the app wrote (it does not begin as one does)".to_owned()
        }
        ron::Error::Eof => "the file ends too early, as if it was cut short".to_owned(),
        code if cut_short => format!(
            "the file ends too early ({}), as if it was cut short",
            describe_ron(code)
        ),
        code => describe_ron(code),
    };
    StoreError::Damaged {
        file: file.to_path_buf(),
        line: Some(error.span.start.line.max(1)),
        column: Some(error.span.start.col.max(1)),
        what,
    }
}

/// What a RON error says, for a person: the field or value concerned and what was
/// expected, without the names of the app's own types, with what the file holds
/// quoted briefly and its control characters escaped.
pub(crate) fn describe_ron(code: &ron::Error) -> String {
    use crate::untrusted::for_message as quoted;
    use ron::Error as E;
    match code {
        E::Eof => "the file ends too early".to_owned(),
        E::ExpectedDifferentStructName { .. }
        | E::ExpectedNamedStructLike(_)
        | E::ExpectedStructLike
        | E::ExpectedStructName(_) => {
            "a `(` opening a group of fields was expected here".to_owned()
        }
        E::NoSuchStructField {
            expected, found, ..
        } => format!(
            "the field '{}' does not belong here (the fields are {})",
            quoted(found),
            expected.join(", ")
        ),
        E::MissingStructField { field, .. } => format!("the field '{field}' is missing"),
        E::DuplicateStructField { field, .. } => format!("the field '{field}' appears twice"),
        E::NoSuchEnumVariant {
            expected, found, ..
        } => format!(
            "'{}' is not one of the values allowed here ({})",
            quoted(found),
            expected.join(", ")
        ),
        E::InvalidValueForType { expected, found } => format!(
            "{} was found where {} belongs",
            quoted(found),
            without_type_names(expected)
        ),
        E::Message(message) | E::Io(message) => without_type_names(message),
        E::UnexpectedChar(character) => format!("the character {character:?} does not belong here"),
        E::InvalidIdentifier(name) | E::SuggestRawIdentifier(name) | E::NoSuchExtension(name) => {
            format!("'{}' is not a name that belongs here", quoted(name))
        }
        E::UnclosedLineComment | E::UnclosedBlockComment => "a comment is not closed".to_owned(),
        E::ExpectedRawValue => "a value was expected here".to_owned(),
        E::ExceededRecursionLimit => {
            "it is nested more deeply than any file the app writes".to_owned()
        }
        other => other.to_string(),
    }
}

/// A message from a parser with the names of the app's own types (`struct Head`,
/// `enum ThemePreference`) put in words, shortened and with control characters escaped.
fn without_type_names(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(at) = [rest.find("struct "), rest.find("enum ")]
        .into_iter()
        .flatten()
        .min()
    {
        let (word, replacement) = if rest[at..].starts_with("struct ") {
            ("struct ", "a group of fields")
        } else {
            ("enum ", "one of the allowed values")
        };
        out.push_str(&rest[..at]);
        let after = &rest[at + word.len()..];
        let name_len = after
            .find(|character: char| {
                !(character.is_alphanumeric() || character == '_' || character == '`')
            })
            .unwrap_or(after.len());
        out.push_str(replacement);
        rest = &after[name_len..];
    }
    out.push_str(rest);
    crate::untrusted::escape_controls(&crate::untrusted::shorten(&out, 200)).into_owned()
}

/// A revision file that was read, before the generated plan it names (if any) is.
/// What most checks need (who saved it, when, the hashes it records) is here without
/// reading anything else.
pub(crate) struct StoredRevision<T: Record> {
    /// What the file says about itself.
    pub meta: RevisionMeta,
    /// The record.
    pub content: Stored<T>,
}

/// The record of a revision file.
pub(crate) enum Stored<T: Record> {
    /// A record of an older format version, converted in memory, whole.
    Whole(T),
    /// A record of the current format version (or of version 2, which has its shape),
    /// which may name a generated plan.
    Current(T::Disk),
    /// What changed since the revision before (version 3): the record is rebuilt from
    /// the revisions before it (`folder::read_rebuilt`).
    Changes(T::Changes),
}

impl<T: Record> StoredRevision<T> {
    /// The SHA-256 of the generated plan the revision builds on, if it names one.
    pub(crate) fn generated_sha256(&self) -> Option<&str> {
        match &self.content {
            Stored::Whole(_) | Stored::Changes(_) => None,
            Stored::Current(disk) => T::generated_of(disk),
        }
    }

    /// Whether the revision records only what changed since the revision before.
    pub(crate) fn is_changes(&self) -> bool {
        matches!(self.content, Stored::Changes(_))
    }

    /// The revision, with the generated plan it names (already read and checked);
    /// `None` when it names one and none is given, or holds only changes (which are
    /// rebuilt first, see `folder::read_rebuilt`).
    pub(crate) fn complete(self, generated: Option<Plan>) -> Option<ParsedRevision<T>> {
        let record = match self.content {
            Stored::Whole(record) => record,
            Stored::Current(disk) => T::from_disk(disk, generated)?,
            Stored::Changes(_) => return None,
        };
        Some(ParsedRevision {
            meta: self.meta,
            record,
        })
    }

    /// The revision, with the generated plan it names read from the folder of `file`,
    /// the revision's own file: only a regular file whose bytes have the SHA-256 the
    /// revision records.
    ///
    /// # Errors
    /// `Damaged` (naming the revision) when the generated plan is missing or changed;
    /// the file's own error when it is not a regular file, too large, or newer.
    pub(crate) fn resolve(
        self,
        medium: &dyn Medium,
        file: &Path,
    ) -> Result<ParsedRevision<T>, StoreError> {
        if self.is_changes() {
            return Err(StoreError::Damaged {
                file: file.to_path_buf(),
                line: None,
                column: None,
                what: "it records only what changed since the revision before, which was not read"
                    .to_owned(),
            });
        }
        let missing = || StoreError::Damaged {
            file: file.to_path_buf(),
            line: None,
            column: None,
            what: "it names no generated plan".to_owned(),
        };
        let Some(hash) = self.generated_sha256().map(str::to_owned) else {
            return self.complete(None).ok_or_else(missing);
        };
        let id = self.meta.id.clone();
        match read_generated(medium, T::FOLDER, &id, &hash) {
            Ok(plan) => self.complete(Some(plan)).ok_or_else(missing),
            Err(problem) => Err(problem.into_error(
                file,
                &medium.locate(T::FOLDER, &id, Entry::Generated(&hash)),
                &hash,
            )),
        }
    }
}

/// Reads a revision file of any known format version into the current shape, with the
/// generated plan it names. The file itself is never rewritten: an older version is
/// converted in memory only.
///
/// # Errors
/// As [`parse_stored`] and [`StoredRevision::resolve`].
#[cfg(test)]
pub(crate) fn parse_revision<T: Record>(
    file: &Path,
    bytes: &[u8],
) -> Result<ParsedRevision<T>, StoreError> {
    // Patients in these tests: no generated plan is read from the folder.
    let medium = super::medium::Folder::new(std::sync::Arc::new(std::path::PathBuf::from(".")));
    parse_stored::<T>(file, bytes)?.resolve(&medium, file)
}

/// Reads a revision file of any known format version, without the generated plan it
/// names.
///
/// # Errors
/// `Damaged` when the file is not a revision of this kind, `NewerFormat` when a newer
/// app wrote it.
pub(crate) fn parse_stored<T: Record>(
    file: &Path,
    bytes: &[u8],
) -> Result<StoredRevision<T>, StoreError> {
    let text = utf8(file, bytes)?;
    // Nearly every file is of the current version (or of version 2, whose records
    // have today's shape): one pass reads it. Any other file is read again below,
    // which finds its version and says what is wrong exactly as before.
    if let Ok(current) = ron::from_str::<RevisionIn3<T::Disk, T::Changes>>(text)
        && (2..=FORMAT_VERSION).contains(&current.format_version)
    {
        return current_body(file, current);
    }
    let probe: VersionProbe = ron::from_str(text).map_err(|error| damaged(file, text, &error))?;
    match probe.format_version {
        0 => {
            let old: v0::RevisionV0<T::V0> =
                ron::from_str(text).map_err(|error| damaged(file, text, &error))?;
            let record = T::from_v0(old.record, &old.author, old.saved);
            Ok(StoredRevision {
                meta: RevisionMeta {
                    format_version: 0,
                    id: old.id,
                    number: old.revision,
                    saved_at: old.saved,
                    saved_by: old.author,
                    previous_sha256: old.previous,
                },
                content: Stored::Whole(record),
            })
        }
        1 => {
            let old: RevisionIn<T::V1> =
                ron::from_str(text).map_err(|error| damaged(file, text, &error))?;
            current_revision(file, old, |old| Stored::Whole(T::from_v1(old)))
        }
        2..=FORMAT_VERSION => {
            let current: RevisionIn3<T::Disk, T::Changes> =
                ron::from_str(text).map_err(|error| damaged(file, text, &error))?;
            current_body(file, current)
        }
        found => Err(StoreError::NewerFormat {
            file: file.to_path_buf(),
            found,
            supported: FORMAT_VERSION,
        }),
    }
}

/// A parsed revision of version 2 or 3: exactly one of the whole record and its
/// changes (version 3 only).
fn current_body<T: Record>(
    file: &Path,
    revision: RevisionIn3<T::Disk, T::Changes>,
) -> Result<StoredRevision<T>, StoreError> {
    let damaged = |what: &str| StoreError::Damaged {
        file: file.to_path_buf(),
        line: None,
        column: None,
        what: what.to_owned(),
    };
    let RevisionIn3 {
        format_version,
        kind,
        id,
        number,
        saved_at,
        saved_by,
        previous_sha256,
        record,
        changes,
    } = revision;
    let envelope = RevisionIn {
        format_version,
        kind,
        id,
        number,
        saved_at,
        saved_by,
        previous_sha256,
        record: (),
    };
    match (record, changes) {
        (Some(record), None) => current_revision(file, envelope, |()| Stored::Current(record)),
        (None, Some(changes)) if format_version >= 3 => {
            current_revision(file, envelope, |()| Stored::Changes(changes))
        }
        (None, Some(_)) => Err(damaged(
            "it records only changes, which format version 2 never did",
        )),
        (Some(_), Some(_)) => Err(damaged(
            "it holds both a whole record and changes, which the app never writes",
        )),
        (None, None) => Err(damaged("the field 'record' is missing")),
    }
}

/// A parsed file of a version with today's envelope, if it holds the right kind of
/// record and names its generated plan (if any) by a SHA-256.
fn current_revision<T: Record, R>(
    file: &Path,
    revision: RevisionIn<R>,
    content: impl FnOnce(R) -> Stored<T>,
) -> Result<StoredRevision<T>, StoreError> {
    let damaged = |what: String| StoreError::Damaged {
        file: file.to_path_buf(),
        line: None,
        column: None,
        what,
    };
    if revision.kind != T::KIND {
        return Err(damaged(format!(
            "it holds a {} revision where a {} revision belongs",
            crate::untrusted::for_message(&revision.kind),
            T::KIND
        )));
    }
    let stored = StoredRevision {
        meta: RevisionMeta {
            format_version: revision.format_version,
            id: revision.id,
            number: revision.number,
            saved_at: revision.saved_at,
            saved_by: revision.saved_by,
            previous_sha256: revision.previous_sha256,
        },
        content: content(revision.record),
    };
    if let Some(hash) = stored.generated_sha256()
        && !super::bodies::is_sha256(hash)
    {
        return Err(damaged(
            "it names its generated plan by something other than a SHA-256, which the app never writes".to_owned(),
        ));
    }
    Ok(stored)
}

/// The head of a record: its newest revision when it was saved, that file's hash, and
/// the summary the list screens show of it.
///
/// The hash lets `verify` notice an edit of the newest revision, which no later
/// revision records yet. The summary lets the index be rebuilt (first start, or after
/// its cache was deleted) without parsing every plan: it is used only when the head
/// points at the newest revision and that file's SHA-256 is the one recorded, so it
/// describes exactly the file that is there; otherwise the revision is parsed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Head<S> {
    /// Always [`FORMAT_VERSION`] when written by this app.
    pub format_version: u32,
    /// The newest revision when the head was written.
    pub number: u32,
    /// That revision file's SHA-256.
    pub sha256: String,
    /// The SHA-256 of the summary below as JSON ([`summary_sha256`]): the index cache
    /// keeps each summary with its hash, and a cached summary is used only while its
    /// hash is the one its head records. Written before the summary, so it is found
    /// without parsing the file ([`head_summary_sha256`]). Empty in heads written before
    /// it was kept.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub summary_sha256: String,
    /// What the list screens show of that revision. Heads written before it was kept
    /// have none, and so do heads read only for their number and hash.
    #[serde(default = "none", skip_serializing_if = "Option::is_none")]
    pub summary: Option<S>,
}

/// The SHA-256 of a summary as JSON, as its head records it. The JSON is hashed as it
/// is written, never kept: this runs for every record at every start.
pub(crate) fn summary_sha256<S: Serialize>(summary: &S) -> String {
    struct Hashing(Sha256);
    impl std::io::Write for Hashing {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.update(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut hashing = Hashing(Sha256::new());
    match serde_json::to_writer(&mut hashing, summary) {
        Ok(()) => format!("{:x}", hashing.0.finalize()),
        Err(_) => String::new(),
    }
}

/// The start of the line a head's summary hash is written on.
const SUMMARY_SHA256_LINE: &[u8] = b"    summary_sha256: \"";

/// The summary hash of a head file, found without parsing it: the app writes it on its
/// own line among the first few, before the summary (no text of a record comes before
/// it). `None` for a head without one or written otherwise; the head is then parsed.
pub(crate) fn head_summary_sha256(bytes: &[u8]) -> Option<&str> {
    let line = bytes
        .split(|byte| *byte == b'\n')
        .take(8)
        .find_map(|line| line.strip_prefix(SUMMARY_SHA256_LINE))?;
    let hash = line.get(..64)?;
    let closed = line.get(64) == Some(&b'"');
    (closed && hash.iter().all(u8::is_ascii_hexdigit))
        .then(|| std::str::from_utf8(hash).ok())
        .flatten()
}

/// No summary. `#[serde(default)]` would make the derive ask `S: Default`, which the
/// summaries are not.
fn none<S>() -> Option<S> {
    None
}

/// The text of a head file.
pub(crate) fn render_head<S: Serialize>(
    number: u32,
    sha256: &str,
    summary: Option<&S>,
) -> Result<String, ron::Error> {
    let head = Head {
        format_version: FORMAT_VERSION,
        number,
        sha256: sha256.to_owned(),
        summary_sha256: summary.map(summary_sha256).unwrap_or_default(),
        summary,
    };
    let mut text = String::from(
        "// Regen Planner: the newest revision and what the lists show of it. Do not edit: `plans verify` checks it.\n",
    );
    text.push_str(&ron::ser::to_string_pretty(&head, head_pretty())?);
    text.push('\n');
    Ok(text)
}

/// Reads a head file; `S` is the summary's type, or [`serde::de::IgnoredAny`] to skip it.
pub(crate) fn parse_head<S: DeserializeOwned>(
    file: &Path,
    bytes: &[u8],
) -> Result<Head<S>, StoreError> {
    let text = utf8(file, bytes)?;
    let head: Head<S> = ron::from_str(text).map_err(|error| damaged(file, text, &error))?;
    if head.format_version > FORMAT_VERSION {
        return Err(StoreError::NewerFormat {
            file: file.to_path_buf(),
            found: head.format_version,
            supported: FORMAT_VERSION,
        });
    }
    Ok(head)
}

/// Format version 0: the shape before files carried a `format_version`. No released app
/// wrote it; it is kept so that the migration path is exercised by tests, and as the
/// pattern for the next version.
///
/// ```text
/// (
///     id: "...", revision: 1, saved: "2027-01-18T10:04:00Z", author: "Dr. Vega",
///     previous: None,
///     record: ( ... ),
/// )
/// ```
///
/// A version 0 patient had its factors beside the name, without the day they were
/// asked; a version 0 plan had notes as bare text, no extra tasks, and its checklist
/// under `done`.
pub(crate) mod v0 {
    use std::collections::{BTreeMap, BTreeSet};

    use jiff::Timestamp;
    use jiff::civil::Date;
    use serde::Deserialize;

    use super::{Factor, Plan};
    use crate::store::disk::{RequestDisk, StatusDisk};
    use crate::store::ids::PatientId;

    /// The version 0 envelope.
    #[derive(Deserialize)]
    pub(crate) struct RevisionV0<T> {
        pub id: String,
        pub revision: u32,
        pub saved: Timestamp,
        pub author: String,
        pub previous: Option<String>,
        pub record: T,
    }

    /// A version 0 patient.
    #[derive(Deserialize)]
    pub(crate) struct PatientV0 {
        pub name: String,
        #[serde(default)]
        pub birth_date: Option<Date>,
        #[serde(default)]
        pub clinic_id: Option<String>,
        #[serde(default)]
        pub contact: String,
        #[serde(default)]
        pub factors: BTreeSet<Factor>,
    }

    /// A version 0 plan.
    #[derive(Deserialize)]
    pub(crate) struct PlanV0 {
        pub patient: PatientId,
        pub request: RequestDisk,
        pub plan: Plan,
        #[serde(default)]
        pub notes: Vec<String>,
        pub status: StatusDisk,
        #[serde(default)]
        pub done: BTreeMap<String, Timestamp>,
    }
}

impl Record for Patient {
    const KIND: &'static str = "patient";
    const FOLDER: &'static str = "patients";
    type V0 = v0::PatientV0;
    type V1 = PatientDisk;
    type Disk = PatientDisk;
    type Changes = NoChanges;
    type Summary = PatientSummary;

    fn summarize(id: &str, meta: &RevisionMeta, record: &Self) -> Option<PatientSummary> {
        Some(PatientSummary::new(
            id.parse::<PatientId>().ok()?,
            record,
            meta.number,
            meta.saved_at,
        ))
    }

    fn summary_of(summary: &PatientSummary) -> (&str, u32) {
        (summary.id.as_str(), summary.revision)
    }

    fn clinic_id(record: &Self) -> Option<&str> {
        record.clinic_id.as_deref()
    }

    fn from_v0(old: v0::PatientV0, _saved_by: &str, _saved_at: Timestamp) -> Self {
        Patient {
            name: old.name,
            birth_date: old.birth_date,
            clinic_id: old.clinic_id,
            contact: old.contact,
            screening: Screening {
                factors: old.factors,
                asked_on: None,
            },
            allergies: String::new(),
            medication: String::new(),
            history: String::new(),
        }
    }

    /// A patient of version 1 had the shape of version 2.
    fn from_v1(old: PatientDisk) -> Self {
        old.into()
    }

    fn generated_of(_disk: &PatientDisk) -> Option<&str> {
        None
    }

    fn from_disk(disk: PatientDisk, _generated: Option<Plan>) -> Option<Self> {
        Some(disk.into())
    }

    fn to_disk(&self, _generated_sha256: Option<&str>) -> PatientDisk {
        PatientDisk::from(self)
    }

    /// A patient's revisions are always whole: they are few and small.
    fn apply(
        changes: NoChanges,
        _base: PatientDisk,
        _base_number: u32,
    ) -> Result<PatientDisk, String> {
        match changes {}
    }
}

impl Record for PlanRecord {
    const KIND: &'static str = "plan";
    const FOLDER: &'static str = "plans";
    type V0 = v0::PlanV0;
    type V1 = PlanV1;
    type Disk = PlanDisk;
    type Changes = PlanChangesDisk;
    type Summary = PlanSummary;

    /// The patient's name and clinic id are filled in from the patient's record when
    /// the index is assembled.
    fn summarize(id: &str, meta: &RevisionMeta, record: &Self) -> Option<PlanSummary> {
        Some(PlanSummary::new(
            id.parse::<PlanId>().ok()?,
            record,
            meta.number,
            meta.saved_at,
            &meta.saved_by,
        ))
    }

    fn summary_of(summary: &PlanSummary) -> (&str, u32) {
        (summary.id.as_str(), summary.revision)
    }

    /// Bare-text notes become notes by the revision's author at the revision's time:
    /// the closest the old shape knew.
    fn from_v0(old: v0::PlanV0, saved_by: &str, saved_at: Timestamp) -> Self {
        PlanRecord {
            patient: old.patient,
            request: old.request.into(),
            plan: old.plan,
            notes: old
                .notes
                .into_iter()
                .map(|text| Note {
                    written_at: saved_at,
                    author: saved_by.to_owned(),
                    text,
                })
                .collect(),
            extra_tasks: Vec::new(),
            status: old.status.into(),
            checklist: old.done,
            records: Vec::new(),
            scores: Vec::new(),
            photos: Vec::new(),
        }
    }

    fn from_v1(old: PlanV1) -> Self {
        old.into()
    }

    fn generated_of(disk: &PlanDisk) -> Option<&str> {
        Some(&disk.generated_sha256)
    }

    fn from_disk(disk: PlanDisk, generated: Option<Plan>) -> Option<Self> {
        generated.map(|plan| disk.with_plan(plan))
    }

    fn to_disk(&self, generated_sha256: Option<&str>) -> PlanDisk {
        PlanDisk::new(self, generated_sha256.unwrap_or_default().to_owned())
    }

    fn generated(&self) -> Option<&Plan> {
        Some(&self.plan)
    }

    fn changes(base: &PlanDisk, new: &PlanDisk) -> Option<PlanChangesDisk> {
        Some(PlanChangesDisk::between(base, new))
    }

    fn apply(
        changes: PlanChangesDisk,
        base: PlanDisk,
        base_number: u32,
    ) -> Result<PlanDisk, String> {
        let plan = changes.apply(base, base_number)?;
        if super::bodies::is_sha256(&plan.generated_sha256) {
            Ok(plan)
        } else {
            Err("it names its generated plan by something other than a SHA-256, which the app never writes".to_owned())
        }
    }
}

/// The changes of a record whose revisions are always whole: there are none (a file
/// that holds some for such a record is damaged).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) enum NoChanges {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_canonical_revision_names_count() {
        assert_eq!(revision_number("revision-000001.ron"), Some(1));
        assert_eq!(revision_number("revision-1234567.ron"), Some(1_234_567));
        for name in [
            "revision-1.ron",
            "revision-000000.ron",
            "revision-+00001.ron",
            "revision-000001.ron.tmp",
            "head.ron",
        ] {
            assert_eq!(revision_number(name), None, "{name}");
        }
    }

    #[test]
    fn a_patient_revision_reads_back_as_written() {
        let mut patient = Patient::new("Ana \"Nina\" Souza\nsecond line");
        patient.screening.factors.insert(Factor::ALL[0]);
        patient.allergies = "Penicillin (rash)\nLatex".to_owned();
        patient.medication = "Apixaban 5 mg twice daily".to_owned();
        patient.history = "Keloid after a caesarean section, 2019".to_owned();
        let saved_at: Timestamp = "2027-01-18T10:04:05.123456789Z".parse().unwrap();
        let text = render_revision::<Patient>(
            "0190abcdef0123456789abcdef012345",
            2,
            saved_at,
            "Dr. Vega",
            Some("abc"),
            &Body::Whole(&patient.to_disk(None)),
        )
        .unwrap();
        let parsed: ParsedRevision<Patient> =
            parse_revision(Path::new("x.ron"), text.as_bytes()).unwrap();
        assert_eq!(parsed.record, patient);
        assert_eq!(parsed.meta.number, 2);
        assert_eq!(parsed.meta.saved_at, saved_at);
        assert_eq!(parsed.meta.previous_sha256.as_deref(), Some("abc"));
    }

    #[test]
    fn a_patient_saved_before_allergies_medication_and_history_loads() {
        // As the app wrote a patient before those fields existed.
        let text = "// Regen Planner patient revision. Do not edit.\n(\n    format_version: 1,\n    kind: \"patient\",\n    id: \"0190abcdef0123456789abcdef012345\",\n    number: 1,\n    saved_at: \"2027-01-18T10:04:05Z\",\n    saved_by: \"Dr. Vega\",\n    previous_sha256: None,\n    record: (\n        name: \"Ana Souza\",\n        birth_date: Some(\"1984-06-30\"),\n        clinic_id: Some(\"CH-1\"),\n        contact: \"+33 1 23\",\n        screening: (\n            factors: [],\n            asked_on: None,\n        ),\n    ),\n)\n";
        let parsed: ParsedRevision<Patient> =
            parse_revision(Path::new("x.ron"), text.as_bytes()).unwrap();
        assert_eq!(parsed.record.name, "Ana Souza");
        assert_eq!(parsed.record.contact, "+33 1 23");
        assert_eq!(
            (
                parsed.record.allergies.as_str(),
                parsed.record.medication.as_str(),
                parsed.record.history.as_str()
            ),
            ("", "", "")
        );
    }

    #[test]
    fn parse_errors_name_no_type_of_the_code() {
        for text in [
            "[1, 2]",
            "(format_version: \"one\")",
            "// Regen Planner\n(format_version: 1, kind: \"patient\", id: \"x\", number: 1, saved_at: \"2027-01-18T10:04:05Z\", saved_by: \"\", previous_sha256: None, record: (name: 3))",
            "// Regen Planner\n(format_version: 1, bogus: 1)",
            "// Regen Planner\n(format_version: 1, kind: \"patient\"",
        ] {
            let error = parse_revision::<Patient>(Path::new("x.ron"), text.as_bytes()).unwrap_err();
            let message = error.to_string();
            for internal in ["VersionProbe", "RevisionIn", "Patient`", "struct", "enum "] {
                assert!(!message.contains(internal), "{text}: {message}");
            }
        }
        let message = parse_revision::<Patient>(Path::new("x.ron"), b"root:x:0:0:secret")
            .unwrap_err()
            .to_string();
        assert!(message.contains("not a file the app wrote"), "{message}");
        assert!(
            !message.contains("cut short") && !message.contains("root"),
            "{message}"
        );
    }

    #[test]
    fn a_plan_file_is_not_read_as_a_patient() {
        let text = "(format_version: 1, kind: \"plan\", id: \"x\", number: 1, saved_at: \"2027-01-18T10:04:05Z\", saved_by: \"\", previous_sha256: None, record: (name: \"A\"))";
        let error = parse_revision::<Patient>(Path::new("x.ron"), text.as_bytes()).unwrap_err();
        assert!(
            error.to_string().contains("holds a plan revision"),
            "{error}"
        );
    }
}
