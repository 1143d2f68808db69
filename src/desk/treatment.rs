//! Recording what was done on a saved plan, the same on the command line and in the
//! window: a session's record or an outcome score is applied to the plan's newest
//! revision by the rules of `planning`, and saved as the next revision.

use jiff::civil::Date;

use crate::catalog::Catalog;
use crate::planning::{RecordError, RecordWarning, RemovalError, Score, ScoreError, SessionRecord};
use crate::store::{PlanId, PlanRecord, Revision, Store, StoreError};

/// Why a record or a score was not saved; the plan is unchanged.
#[derive(Debug, thiserror::Error)]
pub enum TreatmentError {
    /// The plan could not be read or the revision could not be written.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The record was refused by the rules (a field, a cancelled plan, an impossible
    /// date).
    #[error(transparent)]
    Record(#[from] RecordError),
    /// The score was refused by its scale or its date.
    #[error(transparent)]
    Score(#[from] ScoreError),
    /// The record or score to remove is not there.
    #[error(transparent)]
    Removal(#[from] RemovalError),
}

/// A record that was saved, with what the physician must know about it.
#[derive(Debug, Clone)]
pub struct Recorded {
    /// The new revision of the plan.
    pub revision: Revision<PlanRecord>,
    /// The record's warnings, such as a dose above the protocol's maximum.
    pub warnings: Vec<RecordWarning>,
}

/// Records a session on the newest revision of plan `id` (or corrects its earlier
/// record) and saves the plan as the next revision by `author`. The performed date
/// moves the session's aftercare and the later sessions ([`crate::planning::Treatment`]).
///
/// # Errors
/// When the plan cannot be read or saved (another save came first: nothing is
/// overwritten), or the record is refused.
pub fn record_session(
    store: &Store,
    id: &PlanId,
    record: SessionRecord,
    catalog: &Catalog,
    today: Date,
    author: &str,
) -> Result<Recorded, TreatmentError> {
    let newest = store.load_plan(id)?;
    let mut plan = newest.value;
    let warnings = plan.treatment().record(record, catalog, today)?;
    let revision = store.save_plan(id, newest.number, &plan, author)?;
    Ok(Recorded { revision, warnings })
}

/// Enters an outcome score on the newest revision of plan `id`, checked against its
/// scale and today, and saves the plan as the next revision by `author`.
///
/// # Errors
/// When the scale is unknown, the value is outside its range, the date is later than
/// today, or the plan cannot be read or saved.
pub fn add_score(
    store: &Store,
    id: &PlanId,
    entry: (&str, f64, Date),
    catalog: &Catalog,
    today: Date,
    author: &str,
) -> Result<(Revision<PlanRecord>, Score), TreatmentError> {
    let (scale, value, date) = entry;
    let entered = Score::new(catalog.scales(), scale, value, date, today)?;
    let newest = store.load_plan(id)?;
    let mut plan = newest.value;
    plan.scores.push(entered.clone());
    let revision = store.save_plan(id, newest.number, &plan, author)?;
    Ok((revision, entered))
}

/// Removes the record of `session` from the newest revision of plan `id` and saves the
/// plan as the next revision by `author`; the session keeps its date and shows as not
/// done again ([`crate::planning::Treatment::remove_record`]). The revisions before
/// keep the record.
///
/// # Errors
/// When the session has no record, or the plan cannot be read or saved.
pub fn remove_record(
    store: &Store,
    id: &PlanId,
    session: u32,
    catalog: &Catalog,
    author: &str,
) -> Result<(Revision<PlanRecord>, SessionRecord), TreatmentError> {
    let newest = store.load_plan(id)?;
    let mut plan = newest.value;
    let removed = plan.treatment().remove_record(session, catalog)?;
    let revision = store.save_plan(id, newest.number, &plan, author)?;
    Ok((revision, removed))
}

/// Removes score `number` (1-based, as `plans show` lists them) from the newest
/// revision of plan `id` and saves the plan as the next revision by `author`. The
/// revisions before keep the score.
///
/// # Errors
/// When the plan has no score of that number, or it cannot be read or saved.
pub fn remove_score(
    store: &Store,
    id: &PlanId,
    number: usize,
    author: &str,
) -> Result<(Revision<PlanRecord>, Score), TreatmentError> {
    let newest = store.load_plan(id)?;
    let mut plan = newest.value;
    let removed = crate::planning::remove_score(&mut plan.scores, number, None)?;
    let revision = store.save_plan(id, newest.number, &plan, author)?;
    Ok((revision, removed))
}
