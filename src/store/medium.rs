//! The medium under the format: where the entries of a record are kept, and the few
//! promises the format needs from it.
//!
//! A record (a patient or a plan) is a set of entries: its revisions, numbered from 1
//! and never replaced once written; its head, a small pointer to the newest revision
//! that only moves forward; and, for a plan, its generated plans, named by their
//! SHA-256. Everything above this trait (the revision format, the changes of format 3,
//! the hash chain, verify) reads and writes these entries as bytes and never knows
//! where they are kept, so that every rule of the format holds on every medium.
//!
//! The data folder ([`Folder`]) keeps each entry as a file of a record's folder
//! (`plans/<id>/revision-000003.ron`, `head.ron`, `generated-<sha256>.ron`): exactly
//! the files the store has always written. A medium names each entry with a location
//! ([`Medium::locate`]), the path messages show.

use std::fmt;
use std::io;
use std::path::PathBuf;
use std::sync::Arc;

use serde::de::IgnoredAny;

use super::bodies::generated_file_name;
use super::error::StoreError;
use super::folder::{NewRecord, RevisionFiles, is_real_dir, place_in_folder, revision_files};
use super::format::{HEAD_FILE, parse_head, revision_file_name};
use super::fsio::{FileKind, NewFileError, ReadFailure, read_regular, write_new, write_replace};

/// One entry of a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Entry<'a> {
    /// Revision `n`, written once.
    Revision(u32),
    /// The head: the newest revision's number, hash and summary.
    Head,
    /// A generated plan, by its SHA-256 (64 lowercase hexadecimal digits).
    Generated(&'a str),
}

impl Entry<'_> {
    /// The name of the entry within its record: the file name on the data folder.
    pub(crate) fn name(self) -> String {
        match self {
            Entry::Revision(number) => revision_file_name(number),
            Entry::Head => HEAD_FILE.to_owned(),
            Entry::Generated(sha256) => generated_file_name(sha256),
        }
    }

    /// The kind of file it is, for its size limit and messages.
    pub(crate) fn kind(self) -> FileKind {
        match self {
            Entry::Revision(_) => FileKind::Revision,
            Entry::Head => FileKind::Head,
            Entry::Generated(_) => FileKind::Generated,
        }
    }
}

/// Where the entries of records are kept. `folder` is the kind's folder name
/// (`Record::FOLDER`: `patients` or `plans`), `id` the record's id, already checked to
/// be well formed.
pub(crate) trait Medium: fmt::Debug + Send + Sync {
    /// The location of a record, for messages: a folder on the data folder.
    fn record_location(&self, folder: &str, id: &str) -> PathBuf;

    /// The location of one entry, for messages.
    fn locate(&self, folder: &str, id: &str, entry: Entry<'_>) -> PathBuf {
        self.record_location(folder, id).join(entry.name())
    }

    /// Reads an entry's bytes, refusing more than its kind's size limit.
    ///
    /// # Errors
    /// `NotFound` when it is not there; what else kept it from being read.
    fn read(&self, folder: &str, id: &str, entry: Entry<'_>) -> Result<Vec<u8>, ReadFailure>;

    /// Writes an entry that is not there yet; never replaces one that is.
    ///
    /// # Errors
    /// [`NewFileError::Exists`] when it is there (left as it was); else why it was not
    /// written, with nothing left under its name.
    fn create(
        &self,
        folder: &str,
        id: &str,
        entry: Entry<'_>,
        bytes: &[u8],
    ) -> Result<(), NewFileError>;

    /// Points a record's head at revision `number`, with `bytes` (a rendered head),
    /// unless the head there already points at `number` or a later revision, in one
    /// step: readers see the old head or the new one.
    ///
    /// # Errors
    /// When it could not be written.
    fn advance_head(&self, folder: &str, id: &str, number: u32, bytes: &[u8]) -> io::Result<()>;

    /// Puts new records in place with their first entries (revision 1, the head, a
    /// generated plan), all of them or none: once one is visible, all of them are, or
    /// will be after a crash. Returns, per record, whether this call put it there
    /// (`false`: a record of that id was there already, made by another desk).
    ///
    /// # Errors
    /// When they could not be written; nothing is left half-written.
    fn create_records(&self, label: &str, records: &[NewRecord]) -> Result<Vec<bool>, StoreError>;

    /// Whether the record exists.
    ///
    /// # Errors
    /// When the medium cannot be asked (a database server that does not answer).
    fn record_exists(&self, folder: &str, id: &str) -> io::Result<bool>;

    /// The record's revision numbers that make its chain, and what does not fit it.
    ///
    /// # Errors
    /// `NotFound` when the record does not exist; what else kept it from being listed.
    fn revisions(&self, folder: &str, id: &str) -> io::Result<RevisionFiles>;
}

/// The data folder as a medium: each entry is a file in its record's folder, written
/// as [`write_new`] and [`write_replace`] write, read as [`read_regular`] reads.
#[derive(Debug, Clone)]
pub(crate) struct Folder {
    data_dir: Arc<PathBuf>,
}

impl Folder {
    /// The medium of a data folder that exists.
    pub(crate) fn new(data_dir: Arc<PathBuf>) -> Folder {
        Folder { data_dir }
    }

    fn tmp_dir(&self) -> PathBuf {
        self.data_dir.join("tmp")
    }

    fn file(&self, folder: &str, id: &str, entry: Entry<'_>) -> PathBuf {
        self.locate(folder, id, entry)
    }
}

impl Medium for Folder {
    fn record_location(&self, folder: &str, id: &str) -> PathBuf {
        self.data_dir.join(folder).join(id)
    }

    fn read(&self, folder: &str, id: &str, entry: Entry<'_>) -> Result<Vec<u8>, ReadFailure> {
        read_regular(&self.file(folder, id, entry), entry.kind())
    }

    fn create(
        &self,
        folder: &str,
        id: &str,
        entry: Entry<'_>,
        bytes: &[u8],
    ) -> Result<(), NewFileError> {
        write_new(&self.tmp_dir(), &self.file(folder, id, entry), bytes)
    }

    fn advance_head(&self, folder: &str, id: &str, number: u32, bytes: &[u8]) -> io::Result<()> {
        let head_file = self.file(folder, id, Entry::Head);
        if let Ok(there) = read_regular(&head_file, FileKind::Head)
            && parse_head::<IgnoredAny>(&head_file, &there).is_ok_and(|head| head.number >= number)
        {
            return Ok(());
        }
        write_replace(&self.tmp_dir(), &head_file, bytes)
    }

    fn create_records(&self, label: &str, records: &[NewRecord]) -> Result<Vec<bool>, StoreError> {
        place_in_folder(&self.data_dir, label, records)
    }

    fn record_exists(&self, folder: &str, id: &str) -> io::Result<bool> {
        Ok(is_real_dir(&self.record_location(folder, id)))
    }

    fn revisions(&self, folder: &str, id: &str) -> io::Result<RevisionFiles> {
        revision_files(&self.record_location(folder, id))
    }
}
