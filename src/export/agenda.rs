//! The clinic's agenda as it leaves the app: its rows (the JSON of
//! `regen-planner agenda --format json`), the text a physician reads, the day list on
//! A4 for the front desk, and one iCalendar for the whole clinic whose events share
//! their UIDs with the per-plan calendar export.

use std::fmt::Write as _;

use icalendar::{Calendar, Component, Event, EventLike, EventStatus, Property};
use jiff::civil::Date;
use serde::Serialize;

use super::ExportError;
use super::calendar::{
    Uids, day_after, escape_text, follow_up_key, headline, lines, naive_date, one_line, short_hash,
    start_of_day_utc, task_key,
};
use super::fonts::{Fonts, Weight};
use super::layout::{ACCENT, Flow, MUTED, Marker, Span, TextStyle};
use super::parts::{SECTION_SIZE, TITLE_SIZE, label_width};
use super::pdf::{CONTENT_WIDTH, Chrome, render};
use super::wording::long_date;
use crate::catalog::Range;
use crate::planning::PlanStatus;
use crate::planning::agenda::{
    AgendaKind, DatedItem, ItemKind, ItemPlace, ItemState, readable_day,
};

/// One item of the agenda, as the command line prints it and the exports show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AgendaRow {
    /// The day.
    pub date: Date,
    /// `session`, `follow-up`, `preparation` or `call`.
    pub kind: AgendaKind,
    /// Whether its day passed without it being settled.
    pub overdue: bool,
    /// `overdue`, `due` or `done`.
    pub state: ItemState,
    /// The patient's id.
    pub patient: String,
    /// The patient's name.
    pub patient_name: String,
    /// The clinic's id for the patient, when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clinic_id: Option<String>,
    /// The plan's id.
    pub plan: String,
    /// The protocol's id.
    pub protocol: String,
    /// The protocol's title.
    pub protocol_title: String,
    /// What happens.
    pub title: String,
    /// A session's number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub number: Option<u32>,
    /// How long a session takes, in minutes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duration_minutes: Option<Range>,
    /// The session a preparation task or a call is about.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session: Option<u32>,
    /// Where the item is on its plan, for the window to open the plan at it; not in
    /// the JSON.
    #[serde(skip)]
    pub place: Option<ItemPlace>,
}

impl AgendaRow {
    /// The patient as the lists show them: the name, with the clinic's id.
    #[must_use]
    pub fn patient_label(&self) -> String {
        let name = self.patient_name.trim();
        let name = if name.is_empty() {
            "(patient record unreadable)"
        } else {
            name
        };
        match &self.clinic_id {
            Some(id) if !id.trim().is_empty() => format!("{name} ({})", id.trim()),
            _ => name.to_owned(),
        }
    }

    /// "Session, 45-60 min", "Follow-up", "Call"...
    #[must_use]
    pub fn kind_label(&self) -> String {
        match self.duration_minutes {
            Some(range) if range.min == range.max => {
                format!("{}, {} min", self.kind.label(), range.min)
            }
            Some(range) => format!("{}, {}-{} min", self.kind.label(), range.min, range.max),
            None => self.kind.label().to_owned(),
        }
    }
}

/// The agenda as the exports print it.
#[derive(Debug, Clone, Copy)]
pub struct AgendaSheet<'a> {
    /// Overdue items first (oldest first), then the items of the range by day.
    pub rows: &'a [AgendaRow],
    /// The first day of the range.
    pub from: Date,
    /// The last day of the range.
    pub until: Date,
    /// The day it is made on.
    pub today: Date,
    /// The clinic's name, for the page header; may be empty.
    pub clinic_name: &'a str,
    /// The clinic's address and phone, for the page header; may be empty.
    pub clinic_contact: &'a str,
}

impl AgendaSheet<'_> {
    fn overdue(&self) -> impl Iterator<Item = &AgendaRow> {
        self.rows.iter().filter(|row| row.overdue)
    }

    /// The items of the range, by day.
    fn days(&self) -> Vec<(Date, Vec<&AgendaRow>)> {
        let mut days: Vec<(Date, Vec<&AgendaRow>)> = Vec::new();
        for row in self.rows.iter().filter(|row| !row.overdue) {
            match days.last_mut() {
                Some((date, rows)) if *date == row.date => rows.push(row),
                _ => days.push((row.date, vec![row])),
            }
        }
        days
    }

    fn heading(&self) -> String {
        if self.from == self.until {
            format!("Agenda for {}", readable_day(self.from))
        } else {
            format!(
                "Agenda from {} to {}",
                readable_day(self.from),
                readable_day(self.until)
            )
        }
    }

    fn counts(&self) -> String {
        let overdue = self.overdue().count();
        let total = self.rows.len() - overdue;
        let mut text = format!("{} on these days", super::count(total, "item", "items"));
        if overdue > 0 {
            let _ = write!(text, ", and {overdue} overdue from before today");
        }
        text
    }
}

/// The agenda as text: the overdue items at the top, then each day with its items.
#[must_use]
pub fn agenda_text(sheet: &AgendaSheet<'_>) -> String {
    let mut out = format!(
        "{} (today is {}): {}.\n",
        sheet.heading(),
        readable_day(sheet.today),
        sheet.counts()
    );
    let overdue: Vec<&AgendaRow> = sheet.overdue().collect();
    if !overdue.is_empty() {
        let _ = writeln!(out, "\nOverdue ({})", overdue.len());
        for row in overdue {
            let _ = writeln!(
                out,
                "  {}  {}: {}. {}: {}  [plan {}]",
                readable_day(row.date),
                row.kind_label(),
                row.patient_label(),
                row.protocol_title,
                row.title,
                row.plan
            );
        }
    }
    for (date, rows) in sheet.days() {
        let _ = writeln!(out, "\n{} ({})", readable_day(date), rows.len());
        for row in rows {
            let done = if row.state == ItemState::Done {
                " (done)"
            } else {
                ""
            };
            let _ = writeln!(
                out,
                "  {}: {}. {}: {}{done}  [plan {}]",
                row.kind_label(),
                row.patient_label(),
                row.protocol_title,
                row.title,
                row.plan
            );
        }
    }
    if sheet.rows.is_empty() {
        out.push_str("\nNothing is due on these days, and nothing is overdue.\n");
    }
    out
}

/// The day list on A4 for the front desk: the clinic in the page header, the overdue
/// items, then each day with a box to tick for each item, the patient's name (and the
/// clinic's id), the protocol and what happens.
///
/// # Errors
/// When a name or text holds characters the shipped fonts cannot draw, or the PDF
/// cannot be assembled.
pub fn agenda_pdf(sheet: &AgendaSheet<'_>) -> Result<Vec<u8>, ExportError> {
    let fonts = Fonts::load()?;
    let mut flow = Flow::new(&fonts, CONTENT_WIDTH);
    flow.heading(&sheet.heading(), TITLE_SIZE, 0.0);
    flow.paragraph(&[Span::styled(
        format!(
            "Prepared on {}: {}.",
            long_date(sheet.today),
            sheet.counts()
        ),
        TextStyle::BODY.colored(MUTED),
    )]);
    let label_style = TextStyle {
        weight: Weight::Bold,
        ..TextStyle::BODY
    };
    let labels: Vec<String> = sheet
        .rows
        .iter()
        .map(|row| {
            if row.overdue {
                readable_day(row.date)
            } else {
                row.kind_label()
            }
        })
        .collect();
    let width = label_width(&flow, labels.iter().map(String::as_str), label_style);
    let body = |row: &AgendaRow| {
        let mut spans = vec![
            Span::strong(row.patient_label()),
            Span::body(format!(". {}: {}", row.protocol_title, row.title)),
        ];
        if row.state == ItemState::Done {
            spans.push(Span::styled(" (done)", TextStyle::BODY.colored(MUTED)));
        }
        spans
    };
    let overdue: Vec<&AgendaRow> = sheet.overdue().collect();
    if !overdue.is_empty() {
        flow.heading(&format!("Overdue ({})", overdue.len()), SECTION_SIZE, 14.0);
        for row in overdue {
            let mut body = body(row);
            body.insert(
                0,
                Span::styled(
                    format!("{}: ", row.kind_label()),
                    TextStyle::BODY.colored(ACCENT),
                ),
            );
            flow.row(
                Marker::Checkbox,
                &[Span::styled(readable_day(row.date), label_style)],
                width,
                &body,
            );
        }
    }
    for (date, rows) in sheet.days() {
        flow.heading(
            &format!("{} ({})", long_date(date), rows.len()),
            SECTION_SIZE,
            14.0,
        );
        for row in rows {
            flow.row(
                Marker::Checkbox,
                &[Span::styled(row.kind_label(), label_style)],
                width,
                &body(row),
            );
        }
    }
    if sheet.rows.is_empty() {
        flow.paragraph(&[Span::body(
            "Nothing is due on these days, and nothing is overdue.",
        )]);
    }
    let items = flow.into_items();
    render(
        &fonts,
        &items,
        &Chrome {
            title: "Agenda",
            clinic_name: sheet.clinic_name,
            clinic_contact: sheet.clinic_contact,
            patient_name: "the front desk",
            generated_on: sheet.today,
        },
    )
}

/// One plan for the clinic's calendar.
#[derive(Debug, Clone, Copy)]
pub struct CalendarPlan<'a> {
    /// The plan's id.
    pub plan_id: &'a str,
    /// The newest revision, for `SEQUENCE`.
    pub revision: u32,
    /// Where it stands: a cancelled plan's events are cancelled, a draft's tentative.
    pub status: PlanStatus,
    /// The protocol's title.
    pub protocol_title: &'a str,
    /// The patient's name, shown only when the clinic opted in.
    pub patient_name: &'a str,
    /// Its dated items, in the plan's order.
    pub items: &'a [DatedItem],
}

/// What the clinic's calendar covers.
#[derive(Debug, Clone, Copy)]
pub struct ClinicCalendar<'a> {
    /// The first day of the range.
    pub from: Date,
    /// The last day of the range.
    pub until: Date,
    /// The day it is made on, for `DTSTAMP`.
    pub today: Date,
    /// The clinic's name, for the calendar's name; may be empty.
    pub clinic_name: &'a str,
    /// Whether the events name the patient (the clinic's opt-in, as for the per-plan
    /// calendar).
    pub patient_names: bool,
}

/// One iCalendar (RFC 5545) for the whole clinic: every session, follow-up visit,
/// preparation deadline, dated task the physician added and call of every plan in the
/// range, as all-day events. Sessions, visits and tasks have the UIDs of the per-plan
/// export (`<plan id>-session-1@regen-planner`), so importing both does not double
/// them; a cancelled plan's events, and a withdrawn task's, are `STATUS:CANCELLED`, so
/// a calendar that has them removes or strikes them; the patient's name is in a title
/// only when the clinic opted in.
///
/// # Errors
/// When a date lies beyond what a calendar can hold (plan dates never do).
pub fn clinic_calendar_ics(
    plans: &[CalendarPlan<'_>],
    options: &ClinicCalendar<'_>,
) -> Result<String, ExportError> {
    let stamp = start_of_day_utc(options.today)?;
    let mut calendar = Calendar::empty();
    calendar
        .append_property(Property::new("VERSION", "2.0"))
        .append_property(Property::new(
            "PRODID",
            "-//Regen Planner//Clinic agenda//EN",
        ))
        .append_property(Property::new("CALSCALE", "GREGORIAN"))
        .append_property(Property::new("METHOD", "PUBLISH"));
    let clinic = options.clinic_name.trim();
    let name = one_line(&if clinic.is_empty() {
        "Clinic agenda".to_owned()
    } else {
        format!("{clinic}: agenda")
    });
    calendar
        .append_property(Property::new("NAME", escape_text(&name)))
        .append_property(Property::new("X-WR-CALNAME", name));
    for plan in plans {
        let plan_id = one_line(plan.plan_id);
        let status = match plan.status {
            PlanStatus::Draft => EventStatus::Tentative,
            PlanStatus::Active | PlanStatus::Completed => EventStatus::Confirmed,
            PlanStatus::Cancelled => EventStatus::Cancelled,
        };
        // The UIDs are made over every item in the plan's order, as the per-plan export
        // makes them, so that two tasks of the same text get the same `-2` there and
        // here; then only the range is written.
        let mut uids = Uids::new(&plan_id);
        let mut keyed: Vec<(String, &DatedItem)> = Vec::with_capacity(plan.items.len());
        for kind in [
            ItemKind::Preparation,
            ItemKind::Session,
            ItemKind::ExtraTask,
            ItemKind::FollowUp,
        ] {
            for item in plan.items.iter().filter(|item| item.kind == kind) {
                keyed.push((uids.next(&key_of(item)), item));
            }
        }
        for item in plan
            .items
            .iter()
            .filter(|item| matches!(item.kind, ItemKind::ReminderCall | ItemKind::CheckInCall))
        {
            keyed.push((uids.next(&key_of(item)), item));
        }
        keyed.sort_by_key(|(_, item)| item.date);
        for (uid, item) in keyed {
            if item.date < options.from || item.date > options.until {
                continue;
            }
            let mut summary = format!("{}: {}", plan.protocol_title, event_title(item));
            let name = plan.patient_name.trim();
            if options.patient_names && !name.is_empty() {
                let _ = write!(summary, " ({name})");
            }
            let mut description = item.title();
            if let Some(range) = item.duration_minutes {
                let _ = write!(description, "\nAbout {}-{} minutes.", range.min, range.max);
            }
            let _ = write!(description, "\n{}.", plan.protocol_title);
            let visit = matches!(item.kind, ItemKind::Session | ItemKind::FollowUp);
            // A task the physician withdrew is cancelled, as in the per-plan export.
            let status = if item.withdrawn {
                EventStatus::Cancelled
            } else {
                status
            };
            let mut event = Event::new();
            event
                .uid(&uid)
                .timestamp(stamp)
                .sequence(plan.revision.saturating_sub(1))
                .summary(&one_line(&summary))
                .description(&lines(&description))
                .starts(naive_date(item.date)?)
                .ends(naive_date(day_after(item.date)?)?)
                .status(status)
                .categories([category(item.kind)])
                .add_property("TRANSP", if visit { "OPAQUE" } else { "TRANSPARENT" });
            calendar.push(event.done());
        }
    }
    Ok(calendar.done().to_string())
}

/// The stable part of an item's UID: the per-plan export's for sessions, visits and
/// tasks; `call-reminder-N` and `call-check-in-N` for the calls.
fn key_of(item: &DatedItem) -> String {
    let session = item.session.unwrap_or(1);
    match item.kind {
        ItemKind::Session => format!("session-{session}"),
        ItemKind::FollowUp => follow_up_key(&item.text),
        ItemKind::Preparation => task_key(session, &item.text),
        ItemKind::ReminderCall => format!("call-reminder-{session}"),
        ItemKind::CheckInCall => format!("call-check-in-{session}"),
        ItemKind::ExtraTask => format!("extra-task-{}", short_hash(&item.text)),
    }
}

/// An event's title after the protocol's, as the per-plan export words it.
fn event_title(item: &DatedItem) -> String {
    let session = item.session.unwrap_or(1);
    match item.kind {
        ItemKind::Session => format!("session {session}"),
        ItemKind::FollowUp => format!("follow-up, {}", headline(&item.text)),
        ItemKind::Preparation => format!("preparation, {}", headline(&item.text)),
        ItemKind::ReminderCall => format!("call to remind of session {session}"),
        ItemKind::CheckInCall => format!("aftercare check-in call after session {session}"),
        ItemKind::ExtraTask => headline(&item.text),
    }
}

fn category(kind: ItemKind) -> &'static str {
    match kind {
        ItemKind::Session => "Session",
        ItemKind::FollowUp => "Follow-up",
        ItemKind::Preparation => "Preparation",
        ItemKind::ReminderCall | ItemKind::CheckInCall => "Call",
        ItemKind::ExtraTask => "Task",
    }
}
