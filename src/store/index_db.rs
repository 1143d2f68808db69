//! The index on a database: the same entries as the data folder's `index.json`, kept in
//! the table `summaries`, one row per record, and read with the records' heads in one
//! query.
//!
//! One statement lists every record with its revision numbers, its head's bytes, the
//! stamp of its newest revision (number, size, and the transaction that wrote the row,
//! which an `UPDATE` of the row changes, as writing a file changes its modification
//! time) and its row in `summaries`. A row is used exactly as the folder uses a cached
//! entry: only while its stamp is the newest revision's, it recorded no problem, its
//! dated items carry their hashes, and the head records the hash of its summary.
//! Anything else is made again from the record (the head's summary when the newest
//! revision has the SHA-256 the head records, else the revision parsed), the
//! difference is reported when the row claimed to be current, and the rows made again
//! are written back in one statement. Nothing but the list reads the table: a row is
//! never a record.

use std::collections::HashSet;

use super::{
    AGENDA_VERSION, Cached, Fresh, HeadSays, Index, IndexFile, LoadProgress, Stamp, WithAgenda,
    agenda_sha256, check_agenda, head_bytes_vouch_for, parallel_map, summary_from_head_bytes,
};
use crate::store::database::Database;
use crate::store::error::StoreError;
use crate::store::folder::{Store, chain_of};
use crate::store::format::{FORMAT_VERSION, HEAD_FILE, Record, summary_sha256};
use crate::store::ids::PatientId;
use crate::store::medium::Entry;
use crate::store::records::{Patient, PlanRecord};

/// One record as the listing query returns it.
struct Listed {
    id: String,
    /// Its revision numbers, ascending.
    numbers: Vec<u32>,
    /// Its head's bytes.
    head: Option<Vec<u8>>,
    /// The stamp of its highest-numbered revision.
    top: Option<Stamp>,
    /// Its row in `summaries`, when it is of this app's versions.
    row: Option<Vec<u8>>,
}

/// A row of `summaries` whose record is gone.
struct Orphan {
    id: String,
    row: Vec<u8>,
}

/// What the listing query found, by kind.
#[derive(Default)]
struct Listing {
    patients: Vec<Listed>,
    plans: Vec<Listed>,
    orphan_patients: Vec<Orphan>,
    orphan_plans: Vec<Orphan>,
}

const LIST_RECORDS: &str = "\
SELECT rec.kind, rec.record, \
  ARRAY(SELECT r.number::bigint FROM revisions r WHERE r.kind = rec.kind AND r.record = rec.record ORDER BY r.number) AS numbers, \
  h.body, top.number::bigint, top.xmin_text, top.len, \
  CASE WHEN s.format_version = $1::bigint AND s.agenda_version = $2::bigint THEN s.entry END \
FROM records rec \
LEFT JOIN heads h ON h.kind = rec.kind AND h.record = rec.record \
LEFT JOIN LATERAL (SELECT r.number, r.xmin::text AS xmin_text, octet_length(r.body)::bigint AS len \
  FROM revisions r WHERE r.kind = rec.kind AND r.record = rec.record ORDER BY r.number DESC LIMIT 1) top ON true \
LEFT JOIN summaries s ON s.kind = rec.kind AND s.record = rec.record \
ORDER BY rec.kind, rec.record";

const LIST_ORPHANS: &str = "\
SELECT s.kind, s.record, s.entry FROM summaries s \
WHERE s.format_version = $1::bigint AND s.agenda_version = $2::bigint \
  AND NOT EXISTS (SELECT 1 FROM records rec WHERE rec.kind = s.kind AND rec.record = s.record) \
ORDER BY s.kind, s.record";

const WRITE_ROWS: &str = "\
INSERT INTO summaries (kind, record, newest, format_version, agenda_version, entry) \
SELECT kind, record, newest, $4::bigint::integer, $5::bigint::integer, entry \
FROM unnest($1::text[], $2::text[], $3::bigint[], $6::bytea[]) AS fresh(kind, record, newest, entry) \
ON CONFLICT (kind, record) DO UPDATE SET newest = EXCLUDED.newest, \
  format_version = EXCLUDED.format_version, agenda_version = EXCLUDED.agenda_version, \
  entry = EXCLUDED.entry \
WHERE summaries.newest <= EXCLUDED.newest";

/// How many rows of `summaries` one statement writes.
const ROWS_PER_STATEMENT: usize = 1000;

/// Reads every record and every row of `summaries` in one snapshot.
fn list(database: &Database) -> Result<Listing, StoreError> {
    let versions = (i64::from(FORMAT_VERSION), i64::from(AGENDA_VERSION));
    let (records, orphans) = database
        .with_client(|client| {
            let mut transaction = client
                .build_transaction()
                .isolation_level(postgres::IsolationLevel::RepeatableRead)
                .read_only(true)
                .start()?;
            let records = transaction.query(LIST_RECORDS, &[&versions.0, &versions.1])?;
            let orphans = transaction.query(LIST_ORPHANS, &[&versions.0, &versions.1])?;
            transaction.commit()?;
            Ok((records, orphans))
        })
        .map_err(|error| StoreError::Database {
            what: error.to_string(),
        })?;
    let mut listing = Listing::default();
    for row in &records {
        let kind: &str = row.get(0);
        let numbers: Vec<i64> = row.get(2);
        let top_number: Option<i64> = row.get(4);
        let top_xmin: Option<&str> = row.get(5);
        let top_len: Option<i64> = row.get(6);
        let top = match (top_number, top_xmin, top_len) {
            (Some(number), Some(xmin), Some(len)) => Some(Stamp {
                newest: u32::try_from(number).unwrap_or(0),
                len: u64::try_from(len).unwrap_or(0),
                modified_secs: xmin.parse().unwrap_or(0),
                modified_nanos: 0,
            }),
            _ => None,
        };
        let listed = Listed {
            id: row.get(1),
            numbers: numbers
                .into_iter()
                .filter_map(|number| u32::try_from(number).ok())
                .collect(),
            head: row.get(3),
            top,
            row: row.get(7),
        };
        match kind {
            Patient::FOLDER => listing.patients.push(listed),
            PlanRecord::FOLDER => listing.plans.push(listed),
            _ => {}
        }
    }
    for row in &orphans {
        let kind: &str = row.get(0);
        let orphan = Orphan {
            id: row.get(1),
            row: row.get(2),
        };
        match kind {
            Patient::FOLDER => listing.orphan_patients.push(orphan),
            PlanRecord::FOLDER => listing.orphan_plans.push(orphan),
            _ => {}
        }
    }
    Ok(listing)
}

/// A row's entry, with its dated items moved into its summary when they belong to it;
/// `None` when the row cannot be read (it is then made again).
fn parse_row<S>(bytes: &[u8]) -> Option<Cached<S>>
where
    S: WithAgenda + serde::de::DeserializeOwned,
{
    let mut entry: Cached<S> = serde_json::from_slice(bytes).ok()?;
    check_agenda(&mut entry);
    Some(entry)
}

/// An entry as a row: its dated items beside its summary, with their hashes, as the
/// folder's cache file keeps them.
fn to_row<S: WithAgenda + Clone>(entry: &Cached<S>) -> Option<Vec<u8>> {
    let mut entry = entry.clone();
    if let Some(summary) = &mut entry.summary {
        entry.agenda = summary.take_agenda();
        entry.agenda_sha256 = agenda_sha256(&entry.agenda);
        entry.agenda_for = summary_sha256(&*summary);
    }
    serde_json::to_vec(&entry).ok()
}

impl Store {
    /// [`Store::load_index`] on a database; see the module documentation.
    pub(super) fn load_index_on_database(
        &self,
        database: &Database,
        progress: &mut dyn FnMut(LoadProgress),
    ) -> Result<Index, StoreError> {
        let listing = list(database)?;
        let total = listing.patients.len() + listing.plans.len();
        progress(LoadProgress { done: 0, total });
        let patients = parallel_map(&listing.patients, 0, total, progress, |listed| {
            self.database_entry::<Patient>(listed)
        });
        let plans = parallel_map(
            &listing.plans,
            listing.patients.len(),
            total,
            progress,
            |listed| self.database_entry::<PlanRecord>(listed),
        );
        let mut problems =
            self.cache_mismatches(&patients, &self.folder_of::<Patient>(), "patient");
        problems.extend(self.cache_mismatches(&plans, &self.folder_of::<PlanRecord>(), "plan"));
        write_rows::<Patient>(database, &patients, &listing.patients);
        write_rows::<PlanRecord>(database, &plans, &listing.plans);
        let patient_ids: HashSet<String> = listing
            .patients
            .iter()
            .map(|listed| listed.id.clone())
            .collect();
        let mut patients: Vec<_> = patients.into_iter().map(|(entry, _)| entry).collect();
        let mut plans: Vec<_> = plans.into_iter().map(|(entry, _)| entry).collect();
        patients.extend(removed::<<Patient as Record>::Summary>(
            &listing.orphan_patients,
        ));
        plans.extend(removed::<<PlanRecord as Record>::Summary>(
            &listing.orphan_plans,
        ));
        let file = IndexFile {
            format_version: FORMAT_VERSION,
            agenda_version: AGENDA_VERSION,
            patients,
            plans,
        };
        let mut index = self.assemble(file, &|patient: &PatientId| {
            patient_ids.contains(patient.as_str())
        });
        problems.append(&mut index.problems);
        index.problems = problems;
        Ok(index)
    }

    /// A record's entry: its row when the row is current and its head vouches for it
    /// ([`Fresh::No`]), else made from the record.
    fn database_entry<T: Record>(&self, listed: &Listed) -> (Cached<T::Summary>, Fresh)
    where
        T::Summary: WithAgenda,
    {
        let location = self.record_dir::<T>(&listed.id);
        let files = chain_of(&location, listed.numbers.clone(), Vec::new(), Vec::new());
        let stamp = match (files.numbers.last(), listed.top) {
            (Some(&newest), Some(top)) if top.newest == newest => top,
            _ => Stamp::NONE,
        };
        let row = listed
            .row
            .as_deref()
            .and_then(parse_row::<T::Summary>)
            .filter(|row| row.id == listed.id);
        let mut claimed_current = None;
        if let Some(cached) = &row
            && !cached.removed
            && cached.stamp != Stamp::NONE
            && cached.problems.is_empty()
            && cached.stamp == stamp
        {
            let head_file = location.join(HEAD_FILE);
            let vouches = match (&listed.head, &cached.summary) {
                (Some(head), Some(summary)) => head_bytes_vouch_for::<T>(&head_file, head, summary),
                _ => false,
            };
            if cached.agenda_checked && vouches {
                return (cached.clone(), Fresh::No);
            }
            claimed_current = Some(cached);
        }
        let mut problems = super::stray_problems(&files.strays);
        let fresh = match files.numbers.last() {
            None => Cached::made(&listed.id, stamp, None, std::mem::take(&mut problems)),
            Some(&newest) => {
                let from_head = match &listed.head {
                    None => HeadSays::Missing,
                    Some(head) => summary_from_head_bytes::<T>(
                        &listed.id,
                        &location.join(HEAD_FILE),
                        head,
                        newest,
                        || {
                            self.medium()
                                .read(T::FOLDER, &listed.id, Entry::Revision(newest))
                                .ok()
                        },
                    ),
                };
                self.finish_entry::<T>(
                    &listed.id,
                    &location,
                    &files.numbers,
                    stamp,
                    problems,
                    from_head,
                )
            }
        };
        let verdict = super::verdict_on(claimed_current, &fresh);
        (fresh, verdict)
    }
}

/// The entries of rows whose record is gone, marked as removed.
fn removed<S>(orphans: &[Orphan]) -> Vec<Cached<S>>
where
    S: WithAgenda + serde::de::DeserializeOwned,
{
    orphans
        .iter()
        .map(|orphan| {
            let mut entry = parse_row::<S>(&orphan.row)
                .filter(|entry| entry.id == orphan.id)
                .unwrap_or_else(|| Cached::made(&orphan.id, Stamp::NONE, None, Vec::new()));
            entry.removed = true;
            entry
        })
        .collect()
}

/// Writes the entries made again back to `summaries`, in one statement. A row that
/// cannot be written is logged, not an error: the next listing makes it again.
fn write_rows<T: Record>(
    database: &Database,
    entries: &[(Cached<T::Summary>, Fresh)],
    listed: &[Listed],
) where
    T::Summary: WithAgenda,
{
    let mut kinds = Vec::new();
    let mut ids = Vec::new();
    let mut newest = Vec::new();
    let mut rows = Vec::new();
    for ((entry, fresh), listed) in entries.iter().zip(listed) {
        if *fresh == Fresh::No || entry.id != listed.id {
            continue;
        }
        let Some(row) = to_row(entry) else {
            continue;
        };
        kinds.push(T::FOLDER);
        ids.push(entry.id.as_str());
        newest.push(i64::from(entry.stamp.newest));
        rows.push(row);
    }
    if rows.is_empty() {
        return;
    }
    let versions = (i64::from(FORMAT_VERSION), i64::from(AGENDA_VERSION));
    // In statements of a bounded size, each well within the statement timeout.
    let written = database.with_client(|client| {
        let mut transaction = client.transaction()?;
        for start in (0..rows.len()).step_by(ROWS_PER_STATEMENT) {
            let end = (start + ROWS_PER_STATEMENT).min(rows.len());
            transaction.execute(
                WRITE_ROWS,
                &[
                    &&kinds[start..end],
                    &&ids[start..end],
                    &&newest[start..end],
                    &versions.0,
                    &versions.1,
                    &&rows[start..end],
                ],
            )?;
        }
        transaction.commit()
    });
    if let Err(error) = written {
        tracing::warn!(
            "could not update the summaries of {} {} kept on the database ({}); the next listing makes them again",
            rows.len(),
            T::KIND,
            crate::untrusted::escape_controls(&error.to_string())
        );
    }
}
