//! `regen-planner migrate --to URL`: a data folder copied into a database, entry by
//! entry, byte for byte, and checked against the folder; and the other way round,
//! `backup DEST` from a database, a new data folder that opens without a server.
//!
//! Each record's generated plans, revisions and head are copied as the folder holds
//! them (the hash chain is inside the bytes, so it arrives whole), then read back from
//! the database and compared with the folder. An entry the database already has is not
//! copied again: when its bytes are the folder's, it counts as there; when they differ,
//! it is named and left alone on both sides. So the copy can be run again after an
//! interruption and copies only what is missing. Clinic ids are claimed for the same
//! patients.
//!
//! Photographs go the same way, through the keepers of `originals.rs`: every
//! photograph a plan refers to and every other original the source keeps (one left by
//! an interrupted add is copied too, so a later purge decides about it, not the copy).
//! Each is read from the source and re-hashed (a damaged or missing one is named and
//! not copied), kept in the target unless it is there, and read back from the target
//! and re-hashed; one the target held already that does not hash to its name is named
//! and left alone on both sides.

use super::error::StoreError;
use super::folder::Store;
use super::format::Record;
use super::fsio::NewFileError;
use super::medium::{Entry, Medium};
use super::records::{Patient, PlanRecord};

/// What a copy into a database did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MigrateReport {
    /// Records (patients and plans) in the folder.
    pub records: usize,
    /// Entries (revisions, heads, generated plans) copied now.
    pub copied: usize,
    /// Entries the database already had, with the folder's bytes.
    pub already_there: usize,
    /// Photographs in the source (referred to by a plan, or kept).
    pub photos: usize,
    /// Photographs copied now.
    pub photos_copied: usize,
    /// Photographs the target already had, whole.
    pub photos_already_there: usize,
    /// What could not be copied or does not match, one sentence each.
    pub problems: Vec<String>,
}

impl MigrateReport {
    /// Whether every entry of the folder is in the database, byte for byte.
    #[must_use]
    pub fn is_ok(&self) -> bool {
        self.problems.is_empty()
    }
}

impl Store {
    /// Copies every patient and plan of this data folder into the store `target` (on a
    /// database), checking every entry against the folder; see the module's text.
    ///
    /// # Errors
    /// When either side cannot be listed.
    pub fn copy_into(&self, target: &Store) -> Result<MigrateReport, StoreError> {
        let mut report = MigrateReport::default();
        // The marker first, so that a copy interrupted part way is marked as demo too.
        self.carry_demo_marker(target)?;
        self.copy_kind::<Patient>(target, &mut report)?;
        self.copy_kind::<PlanRecord>(target, &mut report)?;
        self.copy_clinic_ids(target, &mut report)?;
        self.copy_photos(target, &mut report)?;
        Ok(report)
    }

    /// Copies every photograph a plan of this store refers to, and every other original
    /// it keeps, into `target`, each re-hashed on both sides; see the module's text.
    fn copy_photos(&self, target: &Store, report: &mut MigrateReport) -> Result<(), StoreError> {
        use super::fsio::NewFileError;
        let mut plans_of: std::collections::BTreeMap<String, Vec<String>> =
            std::collections::BTreeMap::new();
        let (plan_ids, _) = self.ids_of::<PlanRecord>()?;
        for id in plan_ids {
            let Ok(plan) = id.parse::<super::ids::PlanId>() else {
                continue;
            };
            // A plan that cannot be read is named by the copy of its chain.
            let Ok(loaded) = self.load_plan_checked(&plan) else {
                continue;
            };
            for photo in loaded.revision.value.photos {
                let plans = plans_of.entry(photo.sha256).or_default();
                if !plans.contains(&id) {
                    plans.push(id.clone());
                }
            }
        }
        match self.originals().list() {
            Ok(kept) => {
                for listed in kept {
                    plans_of.entry(listed.sha256).or_default();
                }
            }
            Err(error) => report.problems.push(format!(
                "the photographs could not be listed ({error}); those the plans refer to are copied, any other is not"
            )),
        }
        for (sha256, plans) in plans_of {
            report.photos += 1;
            let whose = if plans.is_empty() {
                "no plan refers to it".to_owned()
            } else {
                format!("of plan {}", plans.join(", plan "))
            };
            let (format, bytes) = match self.read_photo(&sha256) {
                Ok(found) => found,
                Err(error) => {
                    report.problems.push(format!(
                        "photograph {sha256} ({whose}) was not copied: {error}"
                    ));
                    continue;
                }
            };
            match target.originals().create(&sha256, format, &bytes) {
                Ok(()) => report.photos_copied += 1,
                Err(NewFileError::Exists) => report.photos_already_there += 1,
                Err(NewFileError::Io(error)) => {
                    report.problems.push(format!(
                        "photograph {sha256} ({whose}) could not be written to {} ({error}); run the copy again",
                        target.originals().locate(&sha256, format).display()
                    ));
                    continue;
                }
            }
            match target.read_photo(&sha256) {
                Ok((_, copied)) if copied == bytes => {}
                Ok(_) => report.problems.push(format!(
                    "photograph {sha256} ({whose}) reads back other bytes from {}; run the copy again",
                    target.originals().locate(&sha256, format).display()
                )),
                Err(error) => report.problems.push(format!(
                    "photograph {sha256} ({whose}) does not read back from the copy: {error}; it was left unchanged on both sides"
                )),
            }
        }
        Ok(())
    }

    /// Copies a store on a database into a new data folder `dest` (it must not exist),
    /// entry by entry as [`Store::copy_into`] does, and verifies the folder: a backup
    /// that opens without a server.
    ///
    /// # Errors
    /// When `dest` exists or cannot be made, or either side cannot be listed.
    pub fn backup_to_folder(
        &self,
        dest: &std::path::Path,
    ) -> Result<(MigrateReport, super::verify::VerifyReport), StoreError> {
        if std::fs::symlink_metadata(dest).is_ok() {
            return Err(StoreError::Backup {
                dest: dest.to_path_buf(),
                what: "it exists already; give a new folder, so that no backup is written over another".to_owned(),
            });
        }
        let folder = Store::open(dest)?;
        let report = self.copy_into(&folder)?;
        Ok((report, folder.verify()))
    }

    /// Refuses [`Store::backup`] on a database, whose backup is
    /// [`Store::backup_to_folder`].
    pub(crate) fn refuse_folder_backup(&self, dest: &std::path::Path) -> Result<(), StoreError> {
        if self.database().is_some() {
            return Err(StoreError::Backup {
                dest: dest.to_path_buf(),
                what: "the store is on a database, whose backup is made entry by entry: run `regen-planner --database URL backup DEST`".to_owned(),
            });
        }
        Ok(())
    }

    /// The ids of a kind's records, with what was skipped.
    pub(crate) fn ids_of<T: Record>(
        &self,
    ) -> Result<(Vec<String>, Vec<super::error::LoadProblem>), StoreError> {
        match self.database() {
            Some(database) => database
                .record_ids(T::FOLDER)
                .map(|ids| (ids, Vec::new()))
                .map_err(|error| StoreError::Database {
                    what: error.to_string(),
                }),
            None => self.record_ids::<T>(),
        }
    }

    /// Makes a record exist with no entry yet, unless it does.
    fn make_record<T: Record>(&self, id: &str) -> Result<(), StoreError> {
        if let Some(database) = self.database() {
            return database
                .create_record(T::FOLDER, id)
                .map(|_| ())
                .map_err(|error| StoreError::Database {
                    what: error.to_string(),
                });
        }
        let dir = self.record_dir::<T>(id);
        super::fsio::create_private_dir(&dir)
            .map_err(|source| super::error::write_error(&format!("{} {id}", T::KIND), &dir, source))
    }

    fn copy_kind<T: Record>(
        &self,
        target: &Store,
        report: &mut MigrateReport,
    ) -> Result<(), StoreError> {
        let (ids, problems) = self.ids_of::<T>()?;
        report
            .problems
            .extend(problems.into_iter().map(|problem| problem.to_string()));
        let (from, to) = (self.medium(), target.medium());
        for id in ids {
            report.records += 1;
            let files = match from.revisions(T::FOLDER, &id) {
                Ok(files) => files,
                Err(error) => {
                    report.problems.push(format!(
                        "{} could not be listed ({error}); it was not copied",
                        from.record_location(T::FOLDER, &id).display()
                    ));
                    continue;
                }
            };
            for stray in files.strays {
                report
                    .problems
                    .push(format!("{}: {}", stray.path.display(), stray.what));
            }
            if let Err(error) = target.make_record::<T>(&id) {
                report.problems.push(error.to_string());
                continue;
            }
            let hashes: Vec<String> = files
                .generated
                .iter()
                .filter_map(|name| super::bodies::generated_sha256_of(name).map(str::to_owned))
                .collect();
            let mut entries: Vec<Entry<'_>> =
                hashes.iter().map(|hash| Entry::Generated(hash)).collect();
            entries.extend(files.numbers.iter().map(|&number| Entry::Revision(number)));
            entries.push(Entry::Head);
            for entry in entries {
                copy_entry(from, to, T::FOLDER, &id, entry, report);
            }
        }
        Ok(())
    }

    fn copy_clinic_ids(
        &self,
        target: &Store,
        report: &mut MigrateReport,
    ) -> Result<(), StoreError> {
        let (ids, _) = self.ids_of::<Patient>()?;
        for id in ids {
            let Ok(patient_id) = id.parse() else {
                continue;
            };
            let Ok(patient) = self.load_patient(&patient_id) else {
                continue;
            };
            let Some(clinic_id) = patient.value.clinic_id else {
                continue;
            };
            match target.claim(&clinic_id, &patient_id) {
                Ok(holder) if holder == patient_id => {}
                Ok(holder) => report.problems.push(format!(
                    "clinic id '{}' of patient {id} belongs to patient {holder} in the copy; the patient was copied, the clinic id was left to that patient",
                    crate::untrusted::for_message(&clinic_id)
                )),
                Err(error) => report.problems.push(error.to_string()),
            }
        }
        Ok(())
    }
}

/// Copies one entry unless the target has it, then checks the target's bytes against
/// the source's.
fn copy_entry(
    from: &dyn Medium,
    to: &dyn Medium,
    folder: &str,
    id: &str,
    entry: Entry<'_>,
    report: &mut MigrateReport,
) {
    let source = match from.read(folder, id, entry) {
        Ok(bytes) => bytes,
        Err(failure) if failure.is_not_found() && entry == Entry::Head => return,
        Err(failure) => {
            report.problems.push(format!(
                "{} could not be read ({failure:?}); it was not copied; restore it from a backup and run the copy again",
                from.locate(folder, id, entry).display()
            ));
            return;
        }
    };
    let created = match entry {
        Entry::Head => {
            let number = match to.read(folder, id, Entry::Head) {
                Ok(there) if there == source => {
                    report.already_there += 1;
                    return;
                }
                _ => head_number(&source),
            };
            to.advance_head(folder, id, number, &source)
                .map_err(NewFileError::Io)
        }
        _ => to.create(folder, id, entry, &source),
    };
    match created {
        Ok(()) => report.copied += 1,
        Err(NewFileError::Exists) => report.already_there += 1,
        Err(NewFileError::Io(error)) => {
            report.problems.push(format!(
                "{} could not be written ({error}); run the copy again",
                to.locate(folder, id, entry).display()
            ));
            return;
        }
    }
    match to.read(folder, id, entry) {
        Ok(copied) if copied == source => {}
        Ok(_) => report.problems.push(format!(
            "{} differs from {}: the database held another version before this copy; it was left unchanged on both sides; compare them and restore the right one",
            to.locate(folder, id, entry).display(),
            from.locate(folder, id, entry).display()
        )),
        Err(failure) => report.problems.push(format!(
            "{} could not be read back ({failure:?}); run the copy again",
            to.locate(folder, id, entry).display()
        )),
    }
}

/// The revision number a head's bytes name (0 when they cannot be read, so that any
/// head in the target stays).
fn head_number(bytes: &[u8]) -> u32 {
    super::format::parse_head::<serde::de::IgnoredAny>(std::path::Path::new("head.ron"), bytes)
        .map_or(0, |head| head.number)
}
