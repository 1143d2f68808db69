//! The plan as an iCalendar file (RFC 5545): every session, follow-up visit and dated
//! preparation task as an all-day event with a reminder.
//!
//! A calendar app recognises an event by its UID, so re-importing an updated plan moves
//! or cancels the events it already has instead of adding copies. UIDs therefore come
//! from the plan's id and a key that does not change when a date does: the session's
//! number, the follow-up's purpose, the task's text.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use icalendar::{
    Alarm, Calendar, Component, Event, EventLike, EventStatus, Property, Related, Trigger,
};
use jiff::civil::Date;
use sha2::{Digest, Sha256};

use super::{Document, ExportError, PerformedSession, record_lines, session_details};
use crate::planning::PlanStatus;

/// The domain part of every UID, so the app's events never collide with another
/// program's.
pub(super) const UID_DOMAIN: &str = "regen-planner";

/// When the reminder goes off, counted from the start of the all-day event (midnight):
/// the day before at 09:00.
const REMINDER_BEFORE_HOURS: i64 = 15;

/// The plan's sessions, follow-up visits, dated preparation tasks and dated tasks the
/// physician added as an iCalendar file, with CRLF line ends as RFC 5545 wants.
///
/// The plan has dates only, no clock times, so every item is an all-day event; a
/// session's duration and steps are in its description. Preparation tasks are all-day
/// events too, not to-dos (`VTODO`): many calendar apps (Google Calendar, Outlook)
/// ignore to-dos on import, and a task that is not shown is a task that is missed.
///
/// Each event has a UID that stays the same across exports and revisions of the plan
/// (`<plan id>-session-1@regen-planner`), `SEQUENCE` from the revision so the newer
/// export wins (0 for revision 1, where RFC 5545 starts), `DTSTAMP` from the day of the
/// export, and a reminder the day before at 09:00. The summary carries the patient's name only when the clinic opted in
/// ([`Document::calendar_patient_names`]). A cancelled plan's events are
/// `STATUS:CANCELLED`, without reminders, so calendar apps remove or strike them; a
/// draft's are tentative. A session that took place is marked "Done:" on the day it
/// took place, `STATUS:CONFIRMED` without a reminder, its record summarized in the
/// description (with any warning first).
///
/// # Errors
/// When a date lies beyond what a calendar can hold (plan dates never do).
pub fn calendar_ics(document: &Document) -> Result<String, ExportError> {
    let stamp = start_of_day_utc(document.generated_on)?;
    let sequence = document.revision.saturating_sub(1);
    let event_status = match document.status {
        PlanStatus::Draft => EventStatus::Tentative,
        PlanStatus::Active | PlanStatus::Completed => EventStatus::Confirmed,
        PlanStatus::Cancelled => EventStatus::Cancelled,
    };

    let mut calendar = Calendar::empty();
    calendar
        .append_property(Property::new("VERSION", "2.0"))
        .append_property(Property::new(
            "PRODID",
            "-//Regen Planner//Treatment plan//EN",
        ))
        .append_property(Property::new("CALSCALE", "GREGORIAN"))
        .append_property(Property::new("METHOD", "PUBLISH"));
    // The crate writes NAME (RFC 7986) as it is given, unlike the TEXT properties it
    // escapes, so its value is escaped here; X-WR-CALNAME it escapes itself.
    let name = one_line(&with_patient_name(document, &document.plan.protocol.title));
    calendar
        .append_property(Property::new("NAME", escape_text(&name)))
        .append_property(Property::new("X-WR-CALNAME", name));

    let plan_id = one_line(&document.plan_id);
    let mut uids = Uids::new(&plan_id);
    for item in items(document) {
        let uid = uids.next(&item.key);
        let summary = one_line(&with_patient_name(document, &item.summary));
        let description = lines(&item.description);
        let item_status = if item.withdrawn {
            EventStatus::Cancelled
        } else if item.done {
            // It took place, whatever became of the plan since.
            EventStatus::Confirmed
        } else {
            event_status
        };
        let mut event = Event::new();
        event
            .uid(&uid)
            .timestamp(stamp)
            .sequence(sequence)
            .summary(&summary)
            .description(&description)
            .starts(naive_date(item.date)?)
            .ends(naive_date(day_after(item.date)?)?)
            .status(item_status)
            .categories([item.category])
            .add_property("TRANSP", item.transparency);
        // A session that took place needs no reminder.
        if item_status != EventStatus::Cancelled && !item.done {
            let mut reminder = Alarm::display(
                &summary,
                Trigger::from((-Duration::hours(REMINDER_BEFORE_HOURS), Related::Start)),
            );
            // The crate writes a DTSTAMP from the clock and a random UID into any
            // component that lacks them; a fixed pair keeps the export free of both.
            // RFC 9074 gives alarms their own UID.
            reminder
                .uid(&format!("{}-reminder@{UID_DOMAIN}", uid_local_part(&uid)))
                .timestamp(stamp);
            event.alarm(reminder);
        }
        calendar.push(event.done());
    }
    Ok(calendar.done().to_string())
}

/// One event to write, before its UID is made unique.
struct Item {
    /// The stable part of the UID: `session-1`, `follow-up-<hash>`, `task-<hash>`,
    /// `extra-task-<hash>`.
    key: String,
    /// The title, without the patient's name.
    summary: String,
    /// The details: duration and steps, assessments, or what the task is for.
    description: String,
    /// The day.
    date: Date,
    /// `Session`, `Follow-up`, `Preparation` or `Task`, for the calendar app's filters.
    category: &'static str,
    /// `OPAQUE` for visits (the patient is busy), `TRANSPARENT` for tasks.
    transparency: &'static str,
    /// Taken back by the physician: its event is cancelled, whatever the plan's status.
    withdrawn: bool,
    /// A session that took place: confirmed, without a reminder, whatever the plan's
    /// status.
    done: bool,
}

/// Every item of the plan that has a date, in the plan's order: preparation, sessions,
/// the physician's dated tasks, follow-ups.
fn items(document: &Document) -> Vec<Item> {
    let plan = &document.plan;
    let title = &plan.protocol.title;
    let first_session = plan.sessions.first().map(|session| session.date);
    let mut items = Vec::new();

    for task in &plan.pre_procedure {
        let mut description = format!("{}\nDo this by {}", task.task, task.due);
        let session = plan.sessions.iter().find(|s| s.number == task.session);
        match (session, first_session) {
            (Some(session), _) if task.session > 1 => {
                let _ = write!(
                    description,
                    ", before session {} on {}",
                    session.number, session.date
                );
            }
            (_, Some(first)) => {
                let _ = write!(description, ", before the first session on {first}");
            }
            (_, None) => {}
        }
        let _ = write!(description, ".\n{title}.");
        items.push(Item {
            key: task_key(task.session, &task.task),
            summary: format!("{title}: preparation, {}", headline(&task.task)),
            description,
            date: task.due,
            category: "Preparation",
            transparency: "TRANSPARENT",
            withdrawn: false,
            done: false,
        });
    }

    items.extend(session_items(document));

    for task in &document.extra_tasks {
        let Some(due) = task.due else {
            continue;
        };
        items.push(Item {
            key: format!("extra-task-{}", short_hash(&task.text)),
            summary: format!("{title}: {}", headline(&task.text)),
            description: format!(
                "{}\nDo this by {due}; added to the plan by the physician.\n{title}.",
                task.text
            ),
            date: due,
            category: "Task",
            transparency: "TRANSPARENT",
            withdrawn: task.withdrawn,
            done: false,
        });
    }

    for visit in &plan.follow_ups {
        let mut description = format!("{title}: follow-up visit.\n{}", visit.purpose);
        let measures = visit.measures(&document.scales);
        if !measures.is_empty() {
            let _ = write!(description, "\nAssessments: {}.", measures.join("; "));
        }
        items.push(Item {
            key: follow_up_key(&visit.purpose),
            summary: format!("{title}: follow-up, {}", headline(&visit.purpose)),
            description,
            date: visit.date,
            category: "Follow-up",
            transparency: "OPAQUE",
            withdrawn: false,
            done: false,
        });
    }
    items
}

/// Each session: planned, or done on the day it took place.
fn session_items(document: &Document) -> Vec<Item> {
    let plan = &document.plan;
    let title = &plan.protocol.title;
    let session_count = plan.sessions.len();
    let mut items = Vec::new();
    for session in &plan.sessions {
        if let Some(done) = document
            .performed
            .iter()
            .find(|performed| performed.record.session == session.number)
        {
            items.push(done_item(title, session_count, done));
            continue;
        }
        let description = format!(
            "{title}, session {} of {session_count}.\n{}",
            session.number,
            session_details(session)
        );
        items.push(Item {
            key: format!("session-{}", session.number),
            summary: format!("{title}: session {}", session.number),
            description,
            date: session.date,
            category: "Session",
            transparency: "OPAQUE",
            withdrawn: false,
            done: false,
        });
    }
    items
}

/// A session that took place keeps its UID and moves to the day it took place, with
/// what was done in place of what was planned.
fn done_item(title: &str, session_count: usize, performed: &PerformedSession) -> Item {
    let record = &performed.record;
    let mut description = format!(
        "{title}, session {} of {session_count}: done on {}.",
        record.session, record.performed_on
    );
    for warning in &performed.warnings {
        let _ = write!(description, "\nWarning: {warning}");
    }
    for line in record_lines(record) {
        let _ = write!(description, "\n{line}");
    }
    Item {
        key: format!("session-{}", record.session),
        summary: format!("Done: {title}: session {}", record.session),
        description,
        date: record.performed_on,
        category: "Session",
        transparency: "OPAQUE",
        withdrawn: false,
        done: true,
    }
}

/// The stable part of a preparation task's UID. Session 1 keeps the key of plans saved
/// before tasks were dated per session, so a calendar imported again updates its
/// events instead of doubling them.
pub(super) fn task_key(session: u32, task: &str) -> String {
    if session > 1 {
        format!("task-{session}-{}", short_hash(task))
    } else {
        format!("task-{}", short_hash(task))
    }
}

/// The stable part of a follow-up visit's UID.
pub(super) fn follow_up_key(purpose: &str) -> String {
    format!("follow-up-{}", short_hash(purpose))
}

/// Makes UIDs from the plan id and each item's key; a key seen before (two tasks with
/// the same text) gets `-2`, `-3`, ... in the order of the plan, so UIDs stay unique.
pub(super) struct Uids<'a> {
    plan_id: &'a str,
    seen: BTreeMap<String, u32>,
}

impl<'a> Uids<'a> {
    pub(super) fn new(plan_id: &'a str) -> Self {
        Self {
            plan_id,
            seen: BTreeMap::new(),
        }
    }

    pub(super) fn next(&mut self, key: &str) -> String {
        let count = self.seen.entry(key.to_owned()).or_insert(0);
        *count += 1;
        if *count == 1 {
            format!("{}-{key}@{UID_DOMAIN}", self.plan_id)
        } else {
            format!("{}-{key}-{count}@{UID_DOMAIN}", self.plan_id)
        }
    }
}

/// The UID without `@regen-planner`, to derive the reminder's UID from.
fn uid_local_part(uid: &str) -> &str {
    uid.rsplit_once('@').map_or(uid, |(local, _)| local)
}

/// The first 16 hexadecimal digits of the SHA-256 of a text: a short key that is the
/// same for the same text, whatever its length or script.
pub(super) fn short_hash(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    digest
        .iter()
        .take(8)
        .fold(String::with_capacity(16), |mut hex, byte| {
            let _ = write!(hex, "{byte:02x}");
            hex
        })
}

/// The longest a headline may be, in characters, before it is cut at a word.
const HEADLINE_MAX_CHARS: usize = 60;

/// The start of a task or purpose, short enough for an event's title: up to the first
/// `;` or full stop, without source markers such as `[CF 14]`, cut at a word with `…`
/// when still long, and starting in lower case after the comma it follows (unless the
/// first word is an abbreviation such as "NSAIDs"). The whole text is in the description.
pub(super) fn headline(text: &str) -> String {
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
    let end = [plain.find(';'), plain.find(". ")]
        .into_iter()
        .flatten()
        .min()
        .unwrap_or(plain.len());
    let clause = plain[..end]
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let clause = clause.trim_end_matches(['.', ',', ':', ' ']);
    let mut short = String::new();
    for word in clause.split(' ') {
        let wanted = short.chars().count() + word.chars().count() + 1;
        if !short.is_empty() && wanted > HEADLINE_MAX_CHARS {
            let kept = short.trim_end_matches([',', ':']).len();
            short.truncate(kept);
            short.push('…');
            break;
        }
        if !short.is_empty() {
            short.push(' ');
        }
        short.push_str(word);
    }
    let mut characters = short.chars();
    match (characters.next(), characters.next()) {
        (Some(first), Some(second)) if first.is_uppercase() && second.is_lowercase() => {
            first.to_lowercase().chain(short.chars().skip(1)).collect()
        }
        _ => short,
    }
}

/// A text for a one-line property (a title, the calendar's name): every line break
/// is a space, and every other control character, line separator or direction
/// override is shown as `�`. The crate escapes the rest of RFC 5545's TEXT rules, so
/// no text can end a property and start another (an injected `BEGIN:VEVENT`).
pub(super) fn one_line(text: &str) -> String {
    lines(text).replace('\n', " ")
}

/// A text for a multi-line property (a description): line breaks of any kind are
/// `\n` (which the crate writes as the escape `\n`), tabs stay, and every other control
/// character, line separator or direction override is shown as `�`.
pub(super) fn lines(text: &str) -> String {
    let text = text.replace("\r\n", "\n");
    text.chars()
        .map(|character| match character {
            '\r' | '\u{2028}' | '\u{2029}' | '\u{85}' | '\u{b}' | '\u{c}' => '\n',
            '\n' | '\t' => character,
            other if crate::untrusted::is_unsafe_to_show(other) => '\u{fffd}',
            other => other,
        })
        .collect()
}

/// RFC 5545's escaping of a TEXT value (section 3.3.11), for the one property the
/// crate writes unescaped.
pub(super) fn escape_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            other => out.push(other),
        }
    }
    out
}

/// The text with the patient's name in brackets, when the clinic opted in.
fn with_patient_name(document: &Document, text: &str) -> String {
    let name = document.patient.name.trim();
    if document.calendar_patient_names && !name.is_empty() {
        format!("{text} ({name})")
    } else {
        text.to_owned()
    }
}

pub(super) fn naive_date(date: Date) -> Result<NaiveDate, ExportError> {
    // RFC 5545 dates have four digits: years 1 to 9999 (0 and below are not dates a
    // calendar app reads).
    if date.year() < 1 {
        return Err(ExportError::Calendar(format!(
            "the date {date} lies before the year 1, which a calendar cannot hold"
        )));
    }
    NaiveDate::from_ymd_opt(
        i32::from(date.year()),
        u32::from(date.month().unsigned_abs()),
        u32::from(date.day().unsigned_abs()),
    )
    .ok_or_else(|| ExportError::Calendar(format!("the date {date} cannot be written")))
}

/// Midnight UTC of the day of the export: `DTSTAMP` must be a UTC date-time, and the
/// export knows the day, not the time.
pub(super) fn start_of_day_utc(date: Date) -> Result<DateTime<Utc>, ExportError> {
    naive_date(date)?
        .and_hms_opt(0, 0, 0)
        .map(|time| time.and_utc())
        .ok_or_else(|| ExportError::Calendar(format!("the date {date} cannot be written")))
}

/// The day after: an all-day event ends at the start of the next day (RFC 5545).
pub(super) fn day_after(date: Date) -> Result<Date, ExportError> {
    date.tomorrow()
        .map_err(|error| ExportError::Calendar(format!("the day after {date}: {error}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, expected: &str) {
        assert_eq!(headline(text), expected, "headline of {text:?}");
    }

    #[test]
    fn headlines_are_short_and_keep_their_meaning() {
        check("Three-month review [CF 14]", "three-month review");
        check(
            "Review four weeks after the last session of the course [CF 14]",
            "review four weeks after the last session of the course",
        );
        check(
            "Stop aspirin taken for pain, unless prescribed for the heart or blood vessels [CF 19].",
            "stop aspirin taken for pain, unless prescribed for the heart…",
        );
        check(
            "Wash the hair on the morning of the session and eat beforehand [CF 19].",
            "wash the hair on the morning of the session and eat…",
        );
        check(
            "NSAIDs: stop them a week before; paracetamol is fine.",
            "NSAIDs: stop them a week before",
        );
        check("PRP kit ready. Check the centrifuge.", "PRP kit ready");
        check("", "");
    }
}
