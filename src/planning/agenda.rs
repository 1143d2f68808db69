//! The clinic's agenda: what is due on which day across every plan, and what was
//! missed.
//!
//! Two steps, so that the agenda of a clinic chain is quick: [`dated_items`] turns one
//! saved plan into its dated items (sessions, follow-up visits, preparation deadlines
//! and the clinic's calls), independent of the day it is asked on, so the index can
//! keep them beside the plan's summary and make them again only when the plan is
//! saved; [`agenda`] then picks the items of a range of days from every plan's items,
//! and the overdue ones, for a given "today". The command line and the window both
//! call [`agenda`].
//!
//! The rules:
//! - A session is overdue when its day has passed without a record.
//! - A follow-up visit is overdue when its day has passed without a score dated within
//!   [`SCORE_WINDOW_DAYS`] of it (or without its tick on the checklist, for a visit the
//!   physician closed without scores).
//! - A preparation task is overdue when its due day has passed, it is not ticked, and
//!   its session is still to come (today or later) and not recorded: the session is
//!   near and the preparation is not confirmed. Once the session took place, or its
//!   day passed (then the session itself is overdue), the task is history.
//! - A task the physician added to the plan with a due day is overdue once that day
//!   has passed and it is not ticked; a task the physician withdrew is not on the
//!   agenda (the clinic's calendar cancels its event).
//! - The clinic calls the patient the open day before each session (a reminder), and
//!   the open day after each session with a harvest (an aftercare check-in: the donor
//!   site). Calls are never overdue: a call is made on its day or not at all.
//! - Cancelled and completed plans are not on the agenda.

use std::collections::BTreeMap;

use jiff::Timestamp;
use jiff::ToSpan as _;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::checklist_keys;
use super::edit::ExtraTask;
use super::plan::Plan;
use super::progress::Score;
use super::record::SessionRecord;
use super::schedule::ClinicOptions;
use super::status::PlanStatus;
use crate::catalog::{Range, StepKind};

/// How many days before or after a follow-up visit a score counts as entered at it.
pub const SCORE_WINDOW_DAYS: i64 = 14;

/// The agenda's default range: today and the next 7 days.
pub const DEFAULT_DAYS: u32 = 8;

/// The longest range the agenda shows at once (a year), so that a mistyped number does
/// not ask for millions of days.
pub const MAX_DAYS: u32 = 366;

/// What kind of item is on the agenda.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AgendaKind {
    /// A planned session.
    Session,
    /// A follow-up visit.
    FollowUp,
    /// A preparation deadline the clinic checks.
    Preparation,
    /// A call the clinic makes.
    Call,
}

impl AgendaKind {
    /// The name shown in lists and filters.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            AgendaKind::Session => "Session",
            AgendaKind::FollowUp => "Follow-up",
            AgendaKind::Preparation => "Preparation",
            AgendaKind::Call => "Call",
        }
    }

    /// The id of the kind in JSON: `session`, `follow-up`, `preparation`, `call`.
    #[must_use]
    pub fn id(self) -> &'static str {
        match self {
            AgendaKind::Session => "session",
            AgendaKind::FollowUp => "follow-up",
            AgendaKind::Preparation => "preparation",
            AgendaKind::Call => "call",
        }
    }
}

/// Which item of a plan a dated item is: the stable part of it, which does not change
/// when a date does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ItemKind {
    /// A session.
    Session,
    /// A follow-up visit.
    FollowUp,
    /// A preparation task before a session.
    Preparation,
    /// The reminder call the open day before a session.
    ReminderCall,
    /// The aftercare check-in call the open day after a session with a harvest.
    CheckInCall,
    /// A dated task the physician added to the plan ([`ExtraTask`]): on the agenda as
    /// a preparation deadline the clinic checks.
    ExtraTask,
}

impl ItemKind {
    /// The kind as the agenda groups it.
    #[must_use]
    pub fn agenda_kind(self) -> AgendaKind {
        match self {
            ItemKind::Session => AgendaKind::Session,
            ItemKind::FollowUp => AgendaKind::FollowUp,
            ItemKind::Preparation | ItemKind::ExtraTask => AgendaKind::Preparation,
            ItemKind::ReminderCall | ItemKind::CheckInCall => AgendaKind::Call,
        }
    }
}

/// One dated item of a plan, as the index keeps it: independent of the day it is
/// looked at, so it is made once when the plan is saved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DatedItem {
    /// The day.
    #[serde(rename = "d")]
    pub date: Date,
    /// What it is.
    #[serde(rename = "k")]
    pub kind: ItemKind,
    /// The session it is (a session), prepares (a preparation task) or is about (a
    /// call); `None` for a follow-up visit.
    #[serde(rename = "n", default, skip_serializing_if = "Option::is_none")]
    pub session: Option<u32>,
    /// What happens: the session's steps, the task, the visit's purpose, the call's
    /// reason.
    #[serde(rename = "t")]
    pub text: String,
    /// How long a session takes.
    #[serde(rename = "m", default, skip_serializing_if = "Option::is_none")]
    pub duration_minutes: Option<Range>,
    /// Settled: the session recorded, the task ticked, the visit scored.
    #[serde(rename = "x", default, skip_serializing_if = "std::ops::Not::not")]
    pub done: bool,
    /// A task the physician added: its place among the plan's added tasks (its
    /// checklist key, [`checklist_keys::extra`]); `None` for every other item.
    #[serde(rename = "i", default, skip_serializing_if = "Option::is_none")]
    pub task: Option<u32>,
    /// A task the physician added and then withdrew: never on the agenda, and
    /// cancelled in the clinic's calendar.
    #[serde(rename = "w", default, skip_serializing_if = "std::ops::Not::not")]
    pub withdrawn: bool,
}

impl DatedItem {
    /// The title shown on the agenda: what happens, after its kind, without the
    /// source markers of the protocol's texts ("[3]", "[CF 14]").
    #[must_use]
    pub fn title(&self) -> String {
        let text = without_markers(&self.text);
        match self.kind {
            ItemKind::Session => text,
            ItemKind::FollowUp => format!("Follow-up visit: {text}"),
            ItemKind::Preparation => match self.session {
                Some(number) => format!("Check before session {number}: {text}"),
                None => format!("Check: {text}"),
            },
            ItemKind::ReminderCall | ItemKind::CheckInCall => format!("Call: {text}"),
            ItemKind::ExtraTask => format!("Added task: {text}"),
        }
    }

    /// Whether the item is overdue on `today` (see the module's rules); `sessions`
    /// are the plan's own session items, for a preparation task's session.
    fn is_overdue(&self, today: Date, sessions: &[&DatedItem]) -> bool {
        if self.done || self.withdrawn || self.date >= today {
            return false;
        }
        match self.kind {
            ItemKind::Session | ItemKind::FollowUp | ItemKind::ExtraTask => true,
            ItemKind::Preparation => sessions
                .iter()
                .find(|session| session.session == self.session)
                .is_some_and(|session| {
                    preparation_is_overdue(self.date, session.date, session.done, today)
                }),
            ItemKind::ReminderCall | ItemKind::CheckInCall => false,
        }
    }
}

/// Whether a preparation task not ticked is overdue on `today`: its due day has passed
/// and its session is still to come (today or later) and not recorded. Once the session
/// took place, or its day passed (then the session itself is overdue), the task is
/// history. The agenda and the plan screen both ask this.
#[must_use]
pub fn preparation_is_overdue(
    due: Date,
    session_date: Date,
    session_recorded: bool,
    today: Date,
) -> bool {
    due < today && !session_recorded && session_date >= today
}

/// Where a dated item is on its plan, for opening the plan at it: the stable part of
/// the item, as the plan screen finds it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ItemPlace {
    /// A session, by its number: the session itself, and the calls about it.
    Session(u32),
    /// A preparation task before a session, by its saved text.
    Preparation {
        /// The session it prepares.
        session: u32,
        /// The task as saved (its checklist key is made from it).
        task: String,
    },
    /// A follow-up visit, by its saved purpose.
    FollowUp(String),
    /// A task the physician added, by its place among the plan's added tasks.
    ExtraTask(u32),
}

impl DatedItem {
    /// Where the item is on its plan; `None` for an item that names no session or
    /// task where it should (never so for items made by [`dated_items`]).
    #[must_use]
    pub fn place(&self) -> Option<ItemPlace> {
        match self.kind {
            ItemKind::Session | ItemKind::ReminderCall | ItemKind::CheckInCall => {
                self.session.map(ItemPlace::Session)
            }
            ItemKind::Preparation => self.session.map(|session| ItemPlace::Preparation {
                session,
                task: self.text.clone(),
            }),
            ItemKind::FollowUp => Some(ItemPlace::FollowUp(self.text.clone())),
            ItemKind::ExtraTask => self.task.map(ItemPlace::ExtraTask),
        }
    }
}

/// The parts of a saved plan its dated items come from.
#[derive(Debug, Clone, Copy)]
pub struct PlanParts<'a> {
    /// The generated plan.
    pub plan: &'a Plan,
    /// The clinic's opening days and closed dates the plan was made with, for the
    /// days of the calls.
    pub clinic: &'a ClinicOptions,
    /// The records of the sessions that took place.
    pub records: &'a [SessionRecord],
    /// The outcome scores entered.
    pub scores: &'a [Score],
    /// The ticked checklist items.
    pub checklist: &'a BTreeMap<String, Timestamp>,
    /// The tasks the physician added, dated or not.
    pub extra_tasks: &'a [ExtraTask],
}

/// Every dated item of a plan, in the plan's order: preparation tasks, sessions with
/// their calls, the dated tasks the physician added, follow-up visits. Whatever the plan's status: the agenda leaves out
/// cancelled and completed plans, and the clinic's calendar shows a cancelled plan's
/// items as cancelled.
#[must_use]
pub fn dated_items(parts: PlanParts<'_>) -> Vec<DatedItem> {
    let plan = parts.plan;
    let mut items = Vec::new();
    let recorded = |number: u32| parts.records.iter().any(|record| record.session == number);
    for task in &plan.pre_procedure {
        items.push(DatedItem {
            date: task.due,
            kind: ItemKind::Preparation,
            session: Some(task.session),
            text: task.task.clone(),
            duration_minutes: None,
            done: parts
                .checklist
                .contains_key(&checklist_keys::pre_before(task.session, &task.task)),
            task: None,
            withdrawn: false,
        });
    }
    let count = plan.sessions.len();
    for session in &plan.sessions {
        let done = recorded(session.number);
        let mut steps: Vec<&str> = Vec::new();
        for step in &session.steps {
            let label = step_name(step.kind);
            if !steps.contains(&label) {
                steps.push(label);
            }
        }
        let mut text = format!("Session {} of {count}", session.number);
        if !steps.is_empty() {
            text.push_str(": ");
            text.push_str(&steps.join(", "));
        }
        items.push(DatedItem {
            date: session.date,
            kind: ItemKind::Session,
            session: Some(session.number),
            text,
            duration_minutes: Some(session.duration_minutes),
            done,
            task: None,
            withdrawn: false,
        });
        if let Some(day) = previous_open_day(parts.clinic, session.date) {
            items.push(DatedItem {
                date: day,
                kind: ItemKind::ReminderCall,
                session: Some(session.number),
                text: format!(
                    "remind the patient of session {} on {}",
                    session.number,
                    readable_day(session.date)
                ),
                duration_minutes: None,
                done,
                task: None,
                withdrawn: false,
            });
        }
        if session.has_harvest()
            && let Some(day) = following_open_day(parts.clinic, session.date)
        {
            items.push(DatedItem {
                date: day,
                kind: ItemKind::CheckInCall,
                session: Some(session.number),
                text: format!(
                    "aftercare check-in after the harvest at session {} on {} (donor site, pain, bleeding, signs of infection)",
                    session.number,
                    readable_day(session.date)
                ),
                duration_minutes: None,
                done: false,
                task: None,
                withdrawn: false,
            });
        }
    }
    items.extend(added_task_items(parts));
    items.extend(follow_up_items(parts));
    items
}

/// The tasks the physician added that have a due day, in their order on the plan.
fn added_task_items(parts: PlanParts<'_>) -> impl Iterator<Item = DatedItem> + '_ {
    parts
        .extra_tasks
        .iter()
        .enumerate()
        .filter_map(move |(index, task)| {
            let (Some(due), Ok(place)) = (task.due, u32::try_from(index)) else {
                return None;
            };
            Some(DatedItem {
                date: due,
                kind: ItemKind::ExtraTask,
                session: None,
                text: task.text.clone(),
                duration_minutes: None,
                done: parts.checklist.contains_key(&checklist_keys::extra(index)),
                task: Some(place),
                withdrawn: task.withdrawn,
            })
        })
}

/// The follow-up visits, each settled by a score near its day or by its tick.
fn follow_up_items(parts: PlanParts<'_>) -> impl Iterator<Item = DatedItem> + '_ {
    parts.plan.follow_ups.iter().map(move |visit| {
        let earliest = visit
            .date
            .checked_sub(SCORE_WINDOW_DAYS.days())
            .unwrap_or(Date::MIN);
        let latest = visit
            .date
            .checked_add(SCORE_WINDOW_DAYS.days())
            .unwrap_or(Date::MAX);
        let scored = parts
            .scores
            .iter()
            .any(|score| (earliest..=latest).contains(&score.date));
        let ticked = parts
            .checklist
            .contains_key(&checklist_keys::follow_up(&visit.purpose));
        DatedItem {
            date: visit.date,
            kind: ItemKind::FollowUp,
            session: None,
            text: visit.purpose.clone(),
            duration_minutes: None,
            done: scored || ticked,
            task: None,
            withdrawn: false,
        }
    })
}

/// The text without bracketed source markers ("[3]", "[CF 14]") or "(seed 004)", and
/// with its spaces collapsed: an agenda line cites nothing.
#[must_use]
pub fn without_markers(text: &str) -> String {
    let mut plain = String::with_capacity(text.len());
    let mut depth = 0_u32;
    for character in text.chars() {
        match character {
            '[' => depth += 1,
            ']' => depth = depth.saturating_sub(1),
            _ if depth == 0 => plain.push(character),
            _ => {}
        }
    }
    while let Some(start) = plain.find("(seed ") {
        let Some(length) = plain[start..].find(')') else {
            break;
        };
        plain.replace_range(start..=start + length, "");
    }
    let words: Vec<&str> = plain.split_whitespace().collect();
    words
        .join(" ")
        .replace(" .", ".")
        .replace(" ,", ",")
        .replace(" ;", ";")
}

/// A step's kind as a session's summary names it.
fn step_name(kind: StepKind) -> &'static str {
    match kind {
        StepKind::Preparation => "preparation",
        StepKind::Anaesthesia => "anaesthesia",
        StepKind::BloodDraw => "blood draw",
        StepKind::Harvest => "harvest",
        StepKind::Processing => "processing",
        StepKind::Administration => "injection",
        StepKind::Observation => "observation",
    }
}

/// "Mon 18 Jan 2027".
#[must_use]
pub fn readable_day(date: Date) -> String {
    date.strftime("%a %-d %b %Y").to_string()
}

/// The last open day before `date`, within the search limit.
fn previous_open_day(clinic: &ClinicOptions, date: Date) -> Option<Date> {
    let mut day = date.yesterday().ok()?;
    for _ in 0..clinic.open_day_search_limit() {
        if clinic.is_open(day) {
            return Some(day);
        }
        day = day.yesterday().ok()?;
    }
    None
}

/// The first open day after `date`, within the search limit.
fn following_open_day(clinic: &ClinicOptions, date: Date) -> Option<Date> {
    clinic.next_open_day(date.tomorrow().ok()?)
}

/// Where an item stands on the day the agenda is asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ItemState {
    /// Its day passed and it was not settled (see the module's rules).
    Overdue,
    /// Still to do (or a call of the day).
    Due,
    /// Settled: recorded, ticked or scored.
    Done,
}

impl ItemState {
    /// The name shown in lists and filters.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            ItemState::Overdue => "Overdue",
            ItemState::Due => "Due",
            ItemState::Done => "Done",
        }
    }
}

/// One plan as the agenda needs it.
pub trait AgendaPlan {
    /// Where the plan stands.
    fn status(&self) -> PlanStatus;
    /// The plan's dated items ([`dated_items`]).
    fn items(&self) -> &[DatedItem];
    /// The protocol's id, for the filter.
    fn protocol(&self) -> &str;
    /// The patient's name, for sorting within a day.
    fn patient_name(&self) -> &str;
}

/// What the agenda is asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgendaQuery {
    /// Today: what passed before it without being settled is overdue.
    pub today: Date,
    /// The first day of the range.
    pub from: Date,
    /// How many days, from `from` on (at least 1, at most [`MAX_DAYS`]).
    pub days: u32,
    /// Only items in this state, when given.
    pub state: Option<ItemState>,
    /// Only the plans of this protocol, when given.
    pub protocol: Option<String>,
}

impl AgendaQuery {
    /// Today and the next 7 days, every state and protocol.
    #[must_use]
    pub fn week_from(today: Date) -> Self {
        Self {
            today,
            from: today,
            days: DEFAULT_DAYS,
            state: None,
            protocol: None,
        }
    }

    /// The last day of the range.
    #[must_use]
    pub fn until(&self) -> Date {
        let days = i64::from(self.days.clamp(1, MAX_DAYS)) - 1;
        self.from.checked_add(days.days()).unwrap_or(Date::MAX)
    }
}

/// One item on the agenda, with its plan.
#[derive(Debug, Clone, Copy)]
pub struct AgendaEntry<'a, P> {
    /// The plan.
    pub plan: &'a P,
    /// The item.
    pub item: &'a DatedItem,
    /// Where it stands today.
    pub state: ItemState,
}

/// The items of one day, sorted.
#[derive(Debug, Clone)]
pub struct AgendaDay<'a, P> {
    /// The day.
    pub date: Date,
    /// Its items: sessions, follow-ups, preparation, calls; by patient within each.
    pub entries: Vec<AgendaEntry<'a, P>>,
}

/// The agenda: what is overdue across every plan, then each day of the range that has
/// anything on it.
#[derive(Debug, Clone)]
pub struct Agenda<'a, P> {
    /// Overdue items of any day before today, oldest first. An overdue item is here
    /// only, never also under its day.
    pub overdue: Vec<AgendaEntry<'a, P>>,
    /// The days of the range with their items (days without any are left out).
    pub days: Vec<AgendaDay<'a, P>>,
}

impl<P> Agenda<'_, P> {
    /// How many items the agenda shows.
    #[must_use]
    pub fn len(&self) -> usize {
        self.overdue.len() + self.days.iter().map(|day| day.entries.len()).sum::<usize>()
    }

    /// Whether nothing is on it.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every entry, overdue first, then day by day.
    pub fn entries(&self) -> impl Iterator<Item = &AgendaEntry<'_, P>> {
        self.overdue
            .iter()
            .chain(self.days.iter().flat_map(|day| day.entries.iter()))
    }
}

/// The agenda of the plans for the query: every item of a draft or active plan dated
/// within the range and not overdue, by day, and every overdue item (whatever its day)
/// at the top, each exactly once; filtered by state and protocol when asked.
#[must_use]
pub fn agenda<'a, P: AgendaPlan>(
    plans: impl IntoIterator<Item = &'a P>,
    query: &AgendaQuery,
) -> Agenda<'a, P> {
    let from = query.from;
    let until = query.until();
    let mut overdue = Vec::new();
    let mut in_range = Vec::new();
    for plan in plans {
        if !matches!(plan.status(), PlanStatus::Draft | PlanStatus::Active) {
            continue;
        }
        if let Some(protocol) = &query.protocol
            && plan.protocol() != protocol
        {
            continue;
        }
        let items = plan.items();
        let mut sessions: Option<Vec<&DatedItem>> = None;
        for item in items.iter().filter(|item| !item.withdrawn) {
            // Most items of most plans are neither in the range nor open and past:
            // they are passed over without a look at the plan's sessions.
            let within = item.date >= from && item.date <= until;
            let maybe_overdue = !item.done && item.date < query.today;
            if !within && !maybe_overdue {
                continue;
            }
            let sessions = sessions.get_or_insert_with(|| {
                items
                    .iter()
                    .filter(|item| item.kind == ItemKind::Session)
                    .collect()
            });
            let state = if item.is_overdue(query.today, sessions) {
                ItemState::Overdue
            } else if item.done {
                ItemState::Done
            } else {
                ItemState::Due
            };
            if query.state.is_some_and(|wanted| wanted != state) {
                continue;
            }
            let entry = AgendaEntry { plan, item, state };
            if state == ItemState::Overdue {
                overdue.push(entry);
            } else if within {
                in_range.push(entry);
            }
        }
    }
    overdue.sort_by(|a, b| order(a).cmp(&order(b)));
    in_range.sort_by(|a, b| order(a).cmp(&order(b)));
    let mut days: Vec<AgendaDay<'a, P>> = Vec::new();
    for entry in in_range {
        match days.last_mut() {
            Some(day) if day.date == entry.item.date => day.entries.push(entry),
            _ => days.push(AgendaDay {
                date: entry.item.date,
                entries: vec![entry],
            }),
        }
    }
    Agenda { overdue, days }
}

/// The order of entries: by day, then sessions, follow-ups, preparation and calls, then
/// by patient and session.
fn order<'a, P: AgendaPlan>(
    entry: &AgendaEntry<'a, P>,
) -> (Date, AgendaKind, &'a str, Option<u32>, ItemKind) {
    (
        entry.item.date,
        entry.item.kind.agenda_kind(),
        entry.plan.patient_name(),
        entry.item.session,
        entry.item.kind,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;
    use crate::planning::{Weekday, WorkingDays, generate};

    struct TestPlan {
        status: PlanStatus,
        items: Vec<DatedItem>,
        name: String,
        protocol: String,
    }

    impl AgendaPlan for TestPlan {
        fn status(&self) -> PlanStatus {
            self.status
        }
        fn items(&self) -> &[DatedItem] {
            &self.items
        }
        fn protocol(&self) -> &str {
            &self.protocol
        }
        fn patient_name(&self) -> &str {
            &self.name
        }
    }

    fn date(text: &str) -> Date {
        text.parse().unwrap()
    }

    fn item(kind: ItemKind, day: &str, session: Option<u32>, done: bool) -> DatedItem {
        DatedItem {
            date: date(day),
            kind,
            session,
            text: format!("{kind:?}"),
            duration_minutes: None,
            done,
            task: (kind == ItemKind::ExtraTask).then_some(0),
            withdrawn: false,
        }
    }

    fn plan(items: Vec<DatedItem>) -> TestPlan {
        TestPlan {
            status: PlanStatus::Active,
            items,
            name: "Ana".into(),
            protocol: "p".into(),
        }
    }

    /// The state of each item of one plan on `today` over a week from `today`, or
    /// `None` when it is not on the agenda.
    fn states(plan: &TestPlan, today: &str) -> Vec<Option<ItemState>> {
        let query = AgendaQuery::week_from(date(today));
        let agenda = agenda([plan], &query);
        plan.items
            .iter()
            .map(|item| {
                let found: Vec<_> = agenda
                    .entries()
                    .filter(|entry| std::ptr::eq(entry.item, item))
                    .collect();
                assert!(found.len() <= 1, "an item appears more than once");
                found.first().map(|entry| entry.state)
            })
            .collect()
    }

    #[test]
    fn a_session_whose_day_passed_without_a_record_is_overdue() {
        let plan = plan(vec![
            item(ItemKind::Session, "2027-01-04", Some(1), false),
            item(ItemKind::Session, "2027-01-05", Some(2), true),
            item(ItemKind::Session, "2027-01-11", Some(3), false),
            item(ItemKind::Session, "2027-01-30", Some(4), false),
        ]);
        assert_eq!(
            states(&plan, "2027-01-11"),
            [Some(ItemState::Overdue), None, Some(ItemState::Due), None]
        );
    }

    #[test]
    fn a_follow_up_without_scores_is_overdue_the_day_after() {
        let plan = plan(vec![
            item(ItemKind::FollowUp, "2027-01-10", None, false),
            item(ItemKind::FollowUp, "2027-01-09", None, true),
            item(ItemKind::FollowUp, "2027-01-11", None, false),
        ]);
        assert_eq!(
            states(&plan, "2027-01-11"),
            [Some(ItemState::Overdue), None, Some(ItemState::Due)]
        );
    }

    #[test]
    fn preparation_is_overdue_only_while_its_session_is_still_to_come() {
        let plan = plan(vec![
            item(ItemKind::Preparation, "2027-01-04", Some(1), false),
            item(ItemKind::Preparation, "2027-01-04", Some(2), false),
            item(ItemKind::Preparation, "2027-01-05", Some(3), false),
            item(ItemKind::Preparation, "2027-01-06", Some(1), true),
            item(ItemKind::Session, "2027-01-12", Some(1), false),
            item(ItemKind::Session, "2027-01-10", Some(2), false),
            item(ItemKind::Session, "2027-01-13", Some(3), true),
        ]);
        assert_eq!(
            states(&plan, "2027-01-11"),
            [
                // Session 1 is tomorrow and its preparation is not ticked.
                Some(ItemState::Overdue),
                // Session 2's day passed: the session is overdue, not its preparation.
                None,
                // Session 3 took place early: its preparation is history.
                None,
                // Ticked.
                None,
                Some(ItemState::Due),
                Some(ItemState::Overdue),
                Some(ItemState::Done),
            ]
        );
    }

    #[test]
    fn titles_cite_nothing() {
        let mut task = item(ItemKind::Preparation, "2027-01-04", Some(2), false);
        task.text = "Stop NSAIDs 7 days before [CF 12] (seed 004).".into();
        assert_eq!(
            task.title(),
            "Check before session 2: Stop NSAIDs 7 days before."
        );
        task.kind = ItemKind::FollowUp;
        task.text = "Three-month review [3]".into();
        assert_eq!(task.title(), "Follow-up visit: Three-month review");
    }

    #[test]
    fn an_added_task_is_overdue_once_its_day_passed_unticked_and_never_when_withdrawn() {
        let mut withdrawn = item(ItemKind::ExtraTask, "2027-01-05", None, false);
        withdrawn.withdrawn = true;
        let mut withdrawn_coming = item(ItemKind::ExtraTask, "2027-01-12", None, false);
        withdrawn_coming.withdrawn = true;
        let plan = plan(vec![
            // Long past and not ticked: still overdue, whatever the sessions do.
            item(ItemKind::ExtraTask, "2026-11-02", None, false),
            item(ItemKind::ExtraTask, "2027-01-10", None, true),
            item(ItemKind::ExtraTask, "2027-01-11", None, false),
            withdrawn,
            withdrawn_coming,
        ]);
        assert_eq!(
            states(&plan, "2027-01-11"),
            [
                Some(ItemState::Overdue),
                None,
                Some(ItemState::Due),
                None,
                None
            ]
        );
        let task = item(ItemKind::ExtraTask, "2027-01-11", None, false);
        assert_eq!(task.kind.agenda_kind(), AgendaKind::Preparation);
    }

    #[test]
    fn dated_added_tasks_are_items_with_their_tick_and_place() {
        let (plan, clinic) = stretch_marks();
        let extra_tasks = [
            ExtraTask {
                text: "Ask the GP for the latest blood count".into(),
                due: Some(date("2027-01-13")),
                withdrawn: false,
                audience: crate::catalog::Audience::Clinic,
            },
            ExtraTask {
                text: "Bring the consent form signed".into(),
                due: None,
                withdrawn: false,
                audience: crate::catalog::Audience::Patient,
            },
            ExtraTask {
                text: "Send the photographs [CF 2]".into(),
                due: Some(date("2027-02-01")),
                withdrawn: true,
                audience: crate::catalog::Audience::Patient,
            },
        ];
        let checklist = BTreeMap::from([(checklist_keys::extra(0), Timestamp::UNIX_EPOCH)]);
        let items = dated_items(PlanParts {
            plan: &plan,
            clinic: &clinic,
            records: &[],
            scores: &[],
            checklist: &checklist,
            extra_tasks: &extra_tasks,
        });
        let added: Vec<&DatedItem> = items
            .iter()
            .filter(|item| item.kind == ItemKind::ExtraTask)
            .collect();
        // The undated task has no day on the agenda; the others keep their place.
        assert_eq!(added.len(), 2);
        assert_eq!(
            (
                added[0].date,
                added[0].task,
                added[0].done,
                added[0].withdrawn
            ),
            (date("2027-01-13"), Some(0), true, false)
        );
        assert_eq!(
            (
                added[1].date,
                added[1].task,
                added[1].done,
                added[1].withdrawn
            ),
            (date("2027-02-01"), Some(2), false, true)
        );
        assert_eq!(added[1].title(), "Added task: Send the photographs");
    }

    #[test]
    fn each_item_knows_its_place_on_the_plan() {
        let check = |kind, session, place: Option<ItemPlace>| {
            let mut item = item(kind, "2027-01-11", session, false);
            item.text = "Stop NSAIDs".into();
            assert_eq!(item.place(), place, "{kind:?}");
        };
        check(ItemKind::Session, Some(2), Some(ItemPlace::Session(2)));
        check(ItemKind::ReminderCall, Some(3), Some(ItemPlace::Session(3)));
        check(ItemKind::CheckInCall, Some(1), Some(ItemPlace::Session(1)));
        check(
            ItemKind::Preparation,
            Some(2),
            Some(ItemPlace::Preparation {
                session: 2,
                task: "Stop NSAIDs".into(),
            }),
        );
        check(
            ItemKind::FollowUp,
            None,
            Some(ItemPlace::FollowUp("Stop NSAIDs".into())),
        );
        check(ItemKind::ExtraTask, None, Some(ItemPlace::ExtraTask(0)));
        check(ItemKind::Session, None, None);
    }

    #[test]
    fn calls_are_never_overdue() {
        let plan = plan(vec![
            item(ItemKind::ReminderCall, "2027-01-04", Some(1), false),
            item(ItemKind::CheckInCall, "2027-01-11", Some(1), false),
        ]);
        assert_eq!(states(&plan, "2027-01-11"), [None, Some(ItemState::Due)]);
    }

    #[test]
    fn cancelled_and_completed_plans_are_not_on_the_agenda() {
        for status in [PlanStatus::Cancelled, PlanStatus::Completed] {
            let mut plan = plan(vec![
                item(ItemKind::Session, "2027-01-04", Some(1), false),
                item(ItemKind::Session, "2027-01-12", Some(2), false),
            ]);
            plan.status = status;
            assert_eq!(states(&plan, "2027-01-11"), [None, None]);
        }
    }

    #[test]
    fn days_are_sorted_and_grouped_and_filters_apply() {
        let ana = plan(vec![
            item(ItemKind::ReminderCall, "2027-01-12", Some(1), false),
            item(ItemKind::Session, "2027-01-13", Some(1), false),
        ]);
        let mut bea = plan(vec![
            item(ItemKind::Session, "2027-01-12", Some(1), false),
            item(ItemKind::Session, "2027-01-01", Some(2), false),
        ]);
        bea.name = "Bea".into();
        let mut query = AgendaQuery::week_from(date("2027-01-11"));
        let shown = agenda([&ana, &bea], &query);
        assert_eq!(shown.overdue.len(), 1);
        let days: Vec<(Date, Vec<(&str, ItemKind)>)> = shown
            .days
            .iter()
            .map(|day| {
                (
                    day.date,
                    day.entries
                        .iter()
                        .map(|entry| (entry.plan.name.as_str(), entry.item.kind))
                        .collect(),
                )
            })
            .collect();
        assert_eq!(
            days,
            [
                (
                    date("2027-01-12"),
                    vec![("Bea", ItemKind::Session), ("Ana", ItemKind::ReminderCall)]
                ),
                (date("2027-01-13"), vec![("Ana", ItemKind::Session)]),
            ]
        );
        query.state = Some(ItemState::Overdue);
        let shown = agenda([&ana, &bea], &query);
        assert_eq!((shown.overdue.len(), shown.days.len()), (1, 0));
        query.state = None;
        query.protocol = Some("another".into());
        assert!(agenda([&ana, &bea], &query).is_empty());
    }

    fn stretch_marks() -> (Plan, ClinicOptions) {
        let (catalog, _) = Catalog::builtin();
        let mut request = crate::planning::PlanRequest::new(
            crate::catalog::Selection {
                modality: crate::catalog::Modality::Injection,
                source: crate::catalog::CellSource::AutologousAdipose,
                area: crate::catalog::Area::Abdomen,
                indication: crate::catalog::Indication::StretchMarks,
                adjuncts: Vec::new(),
            },
            [crate::catalog::Factor::Nsaids].into(),
            date("2027-01-18"),
        );
        request.options.working_days = WorkingDays::new([
            Weekday::Monday,
            Weekday::Tuesday,
            Weekday::Wednesday,
            Weekday::Thursday,
            Weekday::Friday,
        ]);
        request.options.closed_dates = [date("2027-01-15")].into();
        let plan = generate(&catalog, &request).unwrap();
        (plan, request.options)
    }

    #[test]
    fn calls_fall_on_open_days_around_closed_ones() {
        let (plan, clinic) = stretch_marks();
        let items = dated_items(PlanParts {
            plan: &plan,
            clinic: &clinic,
            records: &[],
            scores: &[],
            checklist: &BTreeMap::new(),
            extra_tasks: &[],
        });
        let first = plan.sessions[0].date;
        assert_eq!(first, date("2027-01-18"));
        let reminder = items
            .iter()
            .find(|item| item.kind == ItemKind::ReminderCall && item.session == Some(1))
            .unwrap();
        // Monday's session: Sunday and Saturday are not working days and Friday the
        // 15th is closed, so the reminder is on Thursday.
        assert_eq!(reminder.date, date("2027-01-14"));
        assert!(plan.sessions[0].has_harvest());
        let check_in = items
            .iter()
            .find(|item| item.kind == ItemKind::CheckInCall && item.session == Some(1))
            .unwrap();
        assert_eq!(check_in.date, date("2027-01-19"));
        for item in &items {
            if item.kind.agenda_kind() == AgendaKind::Call {
                assert!(clinic.is_open(item.date), "{item:?}");
            }
        }
        // Each session, task and visit of the plan is there once, on its day.
        let count = |kind| items.iter().filter(|item| item.kind == kind).count();
        assert_eq!(count(ItemKind::Session), plan.sessions.len());
        assert_eq!(count(ItemKind::Preparation), plan.pre_procedure.len());
        assert_eq!(count(ItemKind::FollowUp), plan.follow_ups.len());
        assert_eq!(count(ItemKind::ReminderCall), plan.sessions.len());
    }

    #[test]
    fn ticks_records_and_scores_settle_items() {
        let (plan, clinic) = stretch_marks();
        let task = &plan.pre_procedure[0];
        let visit = &plan.follow_ups[0];
        let checklist = BTreeMap::from([(
            checklist_keys::pre_before(task.session, &task.task),
            Timestamp::UNIX_EPOCH,
        )]);
        let scores = [Score {
            scale: crate::catalog::ScaleId::new("vas-pain").unwrap(),
            value: 2.0,
            date: visit.date.checked_add(SCORE_WINDOW_DAYS.days()).unwrap(),
        }];
        let items = dated_items(PlanParts {
            plan: &plan,
            clinic: &clinic,
            records: &[],
            scores: &scores,
            checklist: &checklist,
            extra_tasks: &[],
        });
        let find = |kind, text: &str| {
            items
                .iter()
                .find(|item| item.kind == kind && item.text == text)
                .unwrap()
        };
        assert!(find(ItemKind::Preparation, &task.task).done);
        assert!(find(ItemKind::FollowUp, &visit.purpose).done);
        let later = plan.follow_ups.last().unwrap();
        if later.date
            > visit
                .date
                .checked_add((2 * SCORE_WINDOW_DAYS).days())
                .unwrap()
        {
            assert!(!find(ItemKind::FollowUp, &later.purpose).done);
        }
    }
}
