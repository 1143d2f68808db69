//! The plan engine: a selection, the patient's factors, a start date and the clinic's
//! options in, a dated [`Plan`] out.
//!
//! Pure: no IO and no clock. "Today" is never read here; a caller that needs it passes
//! it in.

pub mod agenda;
mod calendar;
mod changes;
pub mod checklist;
pub mod checklist_keys;
mod edit;
mod engine;
mod feasible;
mod lots;
mod photos;
mod plan;
mod progress;
mod readable;
mod record;
mod schedule;
mod series;
mod spacing;
mod status;

pub use calendar::{closed_dates_text, moved_off_closed_day, parse_closed_dates};
pub use changes::{PlanState, changes};
pub use edit::{Course, EditContext, EditError, ExtraTask, Note, PlanEdit, move_session};
pub use engine::{PlanError, generate};
pub use feasible::earliest_feasible_start;
pub use lots::{
    LotMatch, LotSuggestion, RecallSource, find_lot, lot_suggestions, normalise_lot,
    sort_for_recall,
};
pub use photos::{
    PhotoMoment, PlanPhoto, VISIT_WINDOW_DAYS, days_since_first_session, moment_date, moment_for,
    photos_of_view,
};
pub use plan::{
    AftercareItem, AftercareSite, DatedAction, DatedTask, FollowUpVisit, MilestoneWindow, Plan,
    PlanStep, ProtocolRef, RegulatoryInfo, Session, Severity, Warning,
};
pub use progress::{
    RecordError, RemovalError, Score, ScoreError, SessionProgress, SessionState, Treatment,
    overdue_sessions, remove_score, session_states, status_after,
};
pub use readable::{map_texts, readable};
pub use record::{
    Administration, AdverseEvent, AdverseSeverity, Anaesthetic, FieldProblem, Harvest,
    InvalidRecord, Material, MaterialKind, Product, RecordCheck, RecordWarning, SessionRecord,
    Spin, dose_limits, saved_record_warnings,
};
pub use schedule::{ClinicOptions, PlanRequest, Weekday, WorkingDays};
pub use series::{
    ExpectedWindow, McidBand, ScoreSeries, SeriesPoint, Verdict, plan_scales, score_series,
    series_of, visit_scales,
};
pub use spacing::{TooSoon, too_soon};
pub use status::PlanStatus;
