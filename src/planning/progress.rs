//! What recording a session does to a plan, and where a plan stands against today:
//! the performed date moves aftercare and later sessions (keeping the protocol's
//! spacing, through the same rescheduling as a moved session), the status follows the
//! records, a planned session whose day has passed without a record is overdue, and
//! scores are checked against their scale.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::edit::reschedule_from;
use super::engine::PlanError;
use super::plan::Plan;
use super::record::{InvalidRecord, RecordCheck, RecordWarning, SessionRecord, dose_limits};
use super::schedule::PlanRequest;
use super::status::PlanStatus;
use crate::catalog::{Catalog, OutOfScale, ScaleId, Scales, UnknownScale};

/// The parts of a saved plan that recording a session changes, borrowed from the
/// record that holds them.
#[derive(Debug)]
pub struct Treatment<'a> {
    /// What the plan is generated from: a performed date pins its session.
    pub request: &'a mut PlanRequest,
    /// The generated plan.
    pub plan: &'a mut Plan,
    /// Where the plan stands.
    pub status: &'a mut PlanStatus,
    /// The records of the sessions that took place, by session number.
    pub records: &'a mut Vec<SessionRecord>,
}

/// A session that was not recorded; the plan is unchanged.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RecordError {
    /// A field is not what is expected.
    #[error(transparent)]
    Invalid(#[from] InvalidRecord),
    /// The plan was cancelled.
    #[error(
        "the plan was cancelled, so no session is recorded on it; set it back to active first if the treatment went on"
    )]
    Cancelled,
    /// The session would come before an earlier one, or the plan cannot be generated.
    #[error("Session {number} was not recorded: {source}")]
    NotScheduled {
        /// The session.
        number: u32,
        /// Why the plan could not be generated with the performed date.
        source: PlanError,
    },
}

impl Treatment<'_> {
    /// Records a session (or corrects the record of one already recorded): checks it,
    /// pins its session to the performed date so that its aftercare, its follow-ups and
    /// the later sessions (keeping the protocol's spacing) are dated from it, and makes
    /// a draft plan active. Returns the record's warnings, such as a dose above the
    /// maximum. When it fails, nothing is changed.
    ///
    /// # Errors
    /// When a field is refused, the plan was cancelled, or the performed date would put
    /// the session before an earlier one.
    pub fn record(
        self,
        record: SessionRecord,
        catalog: &Catalog,
        today: Date,
    ) -> Result<Vec<RecordWarning>, RecordError> {
        if *self.status == PlanStatus::Cancelled {
            return Err(RecordError::Cancelled);
        }
        let limits = dose_limits(catalog, self.plan, record.session);
        let session_count = u32::try_from(self.plan.sessions.len()).unwrap_or(u32::MAX);
        let warnings = record.check(&RecordCheck {
            today,
            session_count,
            dose_limits: &limits,
        })?;
        let number = record.session;
        let performed = record.performed_on;
        let (request, plan) = reschedule_from(catalog, self.request, number, |request| {
            request.moved_sessions.remove(&number);
            request.performed_sessions.insert(number, performed);
        })
        .map_err(|source| RecordError::NotScheduled { number, source })?;
        *self.request = request;
        *self.plan = plan;
        self.records.retain(|kept| kept.session != number);
        self.records.push(record);
        self.records.sort_by_key(|kept| kept.session);
        *self.status = status_after(*self.status, self.plan, self.records, today);
        Ok(warnings)
    }
}

/// Why a record or a score could not be removed; the plan is unchanged.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RemovalError {
    /// No record of that session.
    #[error("session {session} has no record to remove; the sessions recorded are: {recorded}")]
    NoRecord {
        /// The session asked for.
        session: u32,
        /// The sessions that have a record, in words ("none" when there is none).
        recorded: String,
    },
    /// No score of that number.
    #[error("the plan has no score {number}; {}", if *.count == 0 { "it has no score yet".to_owned() } else { format!("its scores are numbered 1 to {}, as `plans show` lists them", .count) })]
    NoScore {
        /// The number asked for (1-based).
        number: usize,
        /// How many scores the plan has.
        count: usize,
    },
    /// The score at that place is not the one the physician saw (the plan changed at
    /// another desk in between).
    #[error(
        "score {number} is no longer the score shown; look at the plan again and remove it from there"
    )]
    Changed {
        /// The number asked for (1-based).
        number: usize,
    },
    /// The plan could not be generated again without the record.
    #[error("the record of session {session} was not removed: {source}")]
    NotScheduled {
        /// The session.
        session: u32,
        /// Why the plan could not be generated.
        source: PlanError,
    },
}

impl Treatment<'_> {
    /// Removes the record of a session, as when it was entered on the wrong session:
    /// the session keeps the date it had, as a moved session, so nothing else in the
    /// plan moves, and it shows as planned (or overdue) again. The status stays as it
    /// is. Returns the record removed; the revision history keeps it.
    ///
    /// # Errors
    /// When the session has no record, or the plan cannot be generated again.
    pub fn remove_record(
        self,
        session: u32,
        catalog: &Catalog,
    ) -> Result<SessionRecord, RemovalError> {
        let Some(position) = self
            .records
            .iter()
            .position(|record| record.session == session)
        else {
            let recorded: Vec<String> = self
                .records
                .iter()
                .map(|record| record.session.to_string())
                .collect();
            return Err(RemovalError::NoRecord {
                session,
                recorded: if recorded.is_empty() {
                    "none".to_owned()
                } else {
                    recorded.join(", ")
                },
            });
        };
        let performed = self.records[position].performed_on;
        let mut request = self.request.clone();
        request.performed_sessions.remove(&session);
        request.moved_sessions.insert(session, performed);
        let plan = super::engine::generate(catalog, &request)
            .map_err(|source| RemovalError::NotScheduled { session, source })?;
        *self.request = request;
        *self.plan = plan;
        Ok(self.records.remove(position))
    }
}

/// Removes score `number` (1-based, in the order entered, as `plans show` lists them)
/// when it is still `expected` (the score the physician saw), or any score at that
/// place when `expected` is `None`. Returns the score removed; the revision history
/// keeps it.
///
/// # Errors
/// When there is no score of that number, or it is not the one expected.
pub fn remove_score(
    scores: &mut Vec<Score>,
    number: usize,
    expected: Option<&Score>,
) -> Result<Score, RemovalError> {
    let count = scores.len();
    if number == 0 || number > count {
        return Err(RemovalError::NoScore { number, count });
    }
    if expected.is_some_and(|expected| *expected != scores[number - 1]) {
        return Err(RemovalError::Changed { number });
    }
    Ok(scores.remove(number - 1))
}

/// The status a plan moves to with its records: a draft becomes active at the first
/// record; an active plan whose every session is recorded is completed once its last
/// follow-up's day has passed. A completed or cancelled plan stays as it is, and no
/// rule moves a plan back.
#[must_use]
pub fn status_after(
    current: PlanStatus,
    plan: &Plan,
    records: &[SessionRecord],
    today: Date,
) -> PlanStatus {
    match current {
        PlanStatus::Completed | PlanStatus::Cancelled => current,
        PlanStatus::Draft | PlanStatus::Active => {
            if records.is_empty() {
                return current;
            }
            let all_done = plan.sessions.iter().all(|session| {
                records
                    .iter()
                    .any(|record| record.session == session.number)
            });
            let last_visit = plan
                .follow_ups
                .iter()
                .map(|visit| visit.date)
                .chain(plan.sessions.iter().map(|session| session.date))
                .max();
            if all_done && last_visit.is_some_and(|last| last < today) {
                PlanStatus::Completed
            } else {
                PlanStatus::Active
            }
        }
    }
}

/// Where one planned session stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum SessionProgress {
    /// It took place on this day.
    Done {
        /// The day it took place.
        performed: Date,
    },
    /// Its day has passed and nothing is recorded.
    Overdue,
    /// Its day is today or later.
    Planned,
}

/// One session of a plan with where it stands, for the timeline (done against
/// planned).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionState {
    /// The session (1-based).
    pub number: u32,
    /// The plan's date for it (the performed date once it took place).
    pub date: Date,
    /// Done, overdue or planned.
    #[serde(flatten)]
    pub progress: SessionProgress,
}

/// Every session of the plan with where it stands today. A cancelled plan has nothing
/// overdue: its sessions will not take place.
#[must_use]
pub fn session_states(
    plan: &Plan,
    status: PlanStatus,
    records: &[SessionRecord],
    today: Date,
) -> Vec<SessionState> {
    plan.sessions
        .iter()
        .map(|session| {
            let record = records
                .iter()
                .find(|record| record.session == session.number);
            let progress = match record {
                Some(record) => SessionProgress::Done {
                    performed: record.performed_on,
                },
                None if session.date < today && status != PlanStatus::Cancelled => {
                    SessionProgress::Overdue
                }
                None => SessionProgress::Planned,
            };
            SessionState {
                number: session.number,
                date: session.date,
                progress,
            }
        })
        .collect()
}

/// The numbers of the sessions whose day has passed without a record.
#[must_use]
pub fn overdue_sessions(
    plan: &Plan,
    status: PlanStatus,
    records: &[SessionRecord],
    today: Date,
) -> Vec<u32> {
    session_states(plan, status, records, today)
        .into_iter()
        .filter(|state| state.progress == SessionProgress::Overdue)
        .map(|state| state.number)
        .collect()
}

/// An outcome score entered at a visit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Score {
    /// The scale, by id.
    pub scale: ScaleId,
    /// The value, within the scale's range.
    pub value: f64,
    /// The day it was measured.
    pub date: Date,
}

/// A score that was refused; nothing was recorded.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ScoreError {
    /// No scale of the catalog has the id.
    #[error(transparent)]
    UnknownScale(#[from] UnknownScale),
    /// The value is outside the scale's range or not a whole number.
    #[error(transparent)]
    OutOfScale(#[from] OutOfScale),
    /// The date is later than today.
    #[error(
        "the score's date {date} is in the future; give the day it was measured (today is {today})"
    )]
    InTheFuture {
        /// The date given.
        date: Date,
        /// Today.
        today: Date,
    },
}

impl Score {
    /// A score on the scale with id `scale`, checked against the scale's range and
    /// against today.
    ///
    /// # Errors
    /// When the scale is unknown, the value is outside its range, or the date is later
    /// than today.
    pub fn new(
        scales: &Scales,
        scale: &str,
        value: f64,
        date: Date,
        today: Date,
    ) -> Result<Score, ScoreError> {
        let found = scales.find(scale)?;
        found.check(value)?;
        if date > today {
            return Err(ScoreError::InTheFuture { date, today });
        }
        Ok(Score {
            scale: found.id.clone(),
            value,
            date,
        })
    }
}
