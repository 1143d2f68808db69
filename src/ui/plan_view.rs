//! Reading and adjusting one plan: warnings first, then the timeline, the checklists,
//! and what the consent talk needs.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use egui::{RichText, Ui};
use jiff::Timestamp;
use jiff::civil::Date;

use super::action::Action;
use super::plan_target::PlanTarget;
use super::timeline::timeline_ui;
use super::treatment::{TreatmentState, scores_ui, sessions_record_ui};
use super::widgets::{
    badge, banner, date_field, date_text, not_candidate_banner, section_heading, status_severity,
    timestamp_text,
};
use crate::catalog::{Catalog, Protocol};
use crate::planning::agenda::{ItemPlace, preparation_is_overdue};
use crate::planning::checklist::{Tickable, aftercare_tickable};
use crate::planning::{
    AftercareSite, LotSuggestion, Plan, PlanEdit, PlanStatus, Severity, TooSoon,
    moved_off_closed_day, session_states, too_soon,
};
use crate::store::{PlanRecord, RevisionInfo};

/// What the plan screen keeps between frames that is not part of the record.
#[derive(Debug, Clone)]
pub struct PlanViewState {
    /// The note being written.
    pub note_draft: String,
    /// The task being written.
    pub task_draft: String,
    /// The due date of the task being written.
    pub task_due: Date,
    /// Whether the task being written has a due date.
    pub task_has_due: bool,
    /// Whether the task being written is for the clinic (kept off the handout).
    pub task_for_clinic: bool,
    /// A session moved sooner after the one before than the protocol allows, waiting
    /// for the physician to confirm it with a reason.
    pub sooner: Option<SoonerMove>,
    /// The record form and the scores being typed.
    pub treatment: TreatmentState,
    /// The photographs' section: files being added, thumbnails, a comparison.
    pub photos: super::photos::PhotosState,
    /// The item the plan was opened at from the agenda: highlighted, scrolled to.
    pub target: PlanTarget,
}

/// A session moved too soon after the one before, and the reason being typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SoonerMove {
    /// How much too soon.
    pub shortfall: TooSoon,
    /// Why, as typed so far.
    pub reason: String,
}

/// What the physician answered about a session moved too soon.
enum SoonerAnswer {
    /// Move it, keeping this note on the plan.
    MoveAnyway(String),
    /// Leave the session where it was.
    KeepDate,
}

/// Beside a session moved too soon: what is wrong in words, a field for the reason and
/// the two answers. The move needs a reason.
fn sooner_ui(ui: &mut Ui, sooner: &mut SoonerMove) -> Option<SoonerAnswer> {
    let mut answer = None;
    banner(ui, Severity::Caution, |ui, color| {
        ui.label(
            RichText::new(format!(
                "{} Move it to {} anyway? Say why; the reason is kept on the plan as a note.",
                sooner.shortfall.sentence(),
                date_text(sooner.shortfall.date)
            ))
            .color(color),
        );
        ui.horizontal_wrapped(|ui| {
            let label = ui.label(format!("Reason for session {}", sooner.shortfall.number));
            ui.add(
                egui::TextEdit::singleline(&mut sooner.reason)
                    .desired_width(320.0)
                    .hint_text("e.g. the patient travels for three months"),
            )
            .labelled_by(label.id);
            let has_reason = !sooner.reason.trim().is_empty();
            if ui
                .add_enabled(has_reason, egui::Button::new("Move anyway"))
                .on_disabled_hover_text("Type the reason first")
                .clicked()
            {
                answer = Some(SoonerAnswer::MoveAnyway(
                    sooner.shortfall.note(&sooner.reason),
                ));
            }
            if ui.button("Keep the date").clicked() {
                answer = Some(SoonerAnswer::KeepDate);
            }
        });
    });
    answer
}

impl PlanViewState {
    /// Empty drafts; a new task is due `today` by default.
    #[must_use]
    pub fn new(today: Date) -> Self {
        Self {
            note_draft: String::new(),
            task_draft: String::new(),
            task_due: today,
            task_has_due: false,
            task_for_clinic: false,
            sooner: None,
            treatment: TreatmentState::default(),
            photos: super::photos::PhotosState::default(),
            target: PlanTarget::default(),
        }
    }
}

impl PlanViewState {
    /// What was typed on `patient`'s plan and not added yet, one sentence each.
    #[must_use]
    pub fn unsaved_text(&self, patient: &str) -> Vec<String> {
        let mut unsaved = Vec::new();
        for (what, text) in [("note", &self.note_draft), ("task", &self.task_draft)] {
            let text = text.trim();
            if !text.is_empty() {
                unsaved.push(format!(
                    "the {what} being written on {patient}'s plan: \u{201c}{}\u{201d}",
                    excerpt(text)
                ));
            }
        }
        if let Some(sooner) = &self.sooner
            && !sooner.reason.trim().is_empty()
        {
            unsaved.push(format!(
                "the reason for moving session {} sooner on {patient}'s plan: \u{201c}{}\u{201d}",
                sooner.shortfall.number,
                excerpt(sooner.reason.trim())
            ));
        }
        unsaved.extend(self.treatment.unsaved_text(patient));
        unsaved.extend(self.photos.unsaved_text(patient));
        unsaved
    }
}

/// The start of a text, at most sixty characters, for saying what it was.
fn excerpt(text: &str) -> String {
    let mut chars = text.chars();
    let start: String = chars.by_ref().take(60).collect();
    if chars.next().is_some() {
        format!("{start}…")
    } else {
        start
    }
}

/// How the open plan stands with the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SaveState {
    /// Everything is saved in this revision.
    Saved {
        /// The revision number.
        revision: u32,
        /// When.
        saved_at: Timestamp,
        /// By whom.
        saved_by: String,
    },
    /// Changes are being written.
    Saving,
    /// Saving failed; the edits are still here.
    Failed(String),
    /// Another desk saved first; the edits are still here.
    Conflict(String),
}

/// The keys of checklist items: stable across re-dating, so a tick survives a moved
/// session. They live in `planning`, where the demo data generator uses them too.
pub use crate::planning::checklist_keys as keys;

/// A checkbox for a checklist item, with the time it was ticked. Returns the edit when
/// the physician ticks or unticks it.
fn checklist_item(
    ui: &mut Ui,
    checklist: &BTreeMap<String, Timestamp>,
    key: String,
    label: &str,
) -> Option<PlanEdit> {
    dated_checklist_item(ui, checklist, key, label, false)
}

/// A checklist item that is flagged as overdue when `overdue` and not yet ticked.
fn dated_checklist_item(
    ui: &mut Ui,
    checklist: &BTreeMap<String, Timestamp>,
    key: String,
    label: &str,
    overdue: bool,
) -> Option<PlanEdit> {
    let ticked_at = checklist.get(&key).copied();
    let mut done = ticked_at.is_some();
    let mut edit = None;
    ui.horizontal_wrapped(|ui| {
        if ui.checkbox(&mut done, label).changed() {
            edit = Some(PlanEdit::Tick { key, done });
        }
        match ticked_at {
            Some(ticked_at) => {
                ui.weak(format!("ticked {}", timestamp_text(ticked_at)));
            }
            None if overdue => {
                ui.colored_label(ui.visuals().error_fg_color, "overdue");
            }
            None => {}
        }
    });
    edit
}

/// A line that says what to expect: information, with a bullet where a checkbox would
/// stand, never a task to tick.
fn information_line(ui: &mut Ui, text: &str) {
    ui.horizontal(|ui| {
        let size = egui::vec2(ui.spacing().icon_width, ui.spacing().interact_size.y);
        ui.add_sized(size, egui::Label::new(RichText::new("•").strong()))
            .on_hover_text("Information for the patient, not a task");
        ui.add(egui::Label::new(text).wrap());
    });
}

/// What the plan screen shows: the plan, its patient, how it stands on disk, its
/// revisions, and the protocol it was made from (when the catalog still has it).
#[derive(Clone, Copy)]
pub struct PlanShown<'a> {
    /// The plan as last edited.
    pub record: &'a PlanRecord,
    /// The patient's name, for the heading.
    pub patient_name: &'a str,
    /// How the plan stands on disk.
    pub save: &'a SaveState,
    /// Every saved revision, oldest first.
    pub history: &'a [RevisionInfo],
    /// The protocol, for the spacing a moved session must keep.
    pub protocol: Option<&'a Protocol>,
    /// What each revision changed, in words, by revision number.
    pub changes: &'a BTreeMap<u32, Vec<String>>,
    /// The catalog: the protocol's dose limits and the outcome scales.
    pub catalog: &'a Catalog,
    /// The lots already used that begin with what was typed, for the record form.
    pub lot_suggestions: &'a dyn Fn(&str) -> Vec<LotSuggestion>,
    /// The standard photograph views of the plan's area.
    pub photo_views: &'a [crate::catalog::PhotoView],
}

/// The whole plan screen. `patient_name` heads it; `save` says how it stands on disk.
pub fn plan_view_ui(
    ui: &mut Ui,
    shown: &PlanShown<'_>,
    state: &mut PlanViewState,
    today: Date,
    fresh: bool,
) -> Option<Action> {
    let PlanShown {
        record,
        patient_name,
        save,
        history,
        protocol,
        changes,
        catalog,
        lot_suggestions,
        photo_views,
    } = *shown;
    let mut action = None;
    // Readers see numbered references, also in plans saved before they were numbered;
    // checklist keys still come from the saved texts.
    let readable = crate::planning::readable(&record.plan);
    let plan: &Plan = &readable;
    header_ui(ui, record, patient_name, save, &mut action);
    // A plan opens at its top, on its warnings, or at the item it was opened at from
    // the agenda.
    super::widgets::scroll_area("plan-view", fresh).show(ui, |ui| {
        ui.set_max_width(ui.available_width().min(980.0));
        warnings_ui(ui, plan);
        record_warnings_ui(ui, catalog, record, today);
        regulatory_ui(ui, plan);
        section_heading(ui, "Timeline");
        let states = session_states(&record.plan, record.status, &record.records, today);
        timeline_ui(ui, plan, today, &states);
        super::photos::photo_days_ui(ui, record);
        if plan.candidate {
            let recorded = sessions_record_ui(
                ui,
                record,
                catalog,
                &mut state.treatment,
                &mut state.target,
                today,
                lot_suggestions,
            );
            let scored = scores_ui(ui, record, plan, catalog, &mut state.treatment, today);
            if let Some(asked) = recorded.or(scored) {
                action = Some(asked);
            }
            let edit = pre_procedure_ui(ui, record, plan, today, &mut state.target)
                .or(sessions_ui(ui, record, plan, protocol, state))
                .or(aftercare_ui(ui, record, plan, today))
                .or(results_ui(
                    ui,
                    record,
                    plan,
                    catalog,
                    today,
                    &mut state.target,
                ));
            if let Some(edit) = edit {
                action = Some(Action::EditPlan(edit));
            }
        }
        if let Some(edit) = notes_and_tasks_ui(ui, record, state, today) {
            action = Some(Action::EditPlan(edit));
        }
        let photos = super::photos::PhotosShown {
            record,
            views: photo_views,
            today,
        };
        if let Some(photo_action) = super::photos::photos_ui(ui, &photos, &mut state.photos) {
            action = Some(Action::Photos(photo_action));
        }
        consent_ui(ui, plan);
        history_ui(ui, history, changes);
    });
    state.target.frame_done();
    action
}

/// Every saved revision: who saved it when, and the start of its SHA-256, which the next
/// revision records so that a changed file is found by `regen-planner plans verify`.
fn history_ui(ui: &mut Ui, history: &[RevisionInfo], changes: &BTreeMap<u32, Vec<String>>) {
    section_heading(ui, "Revision history");
    ui.weak("Every change is a new revision; none is overwritten. `regen-planner plans verify` checks the chain.");
    for revision in history.iter().rev() {
        let hash = revision.hash.get(..12).unwrap_or(&revision.hash);
        ui.label(format!(
            "Revision {}: {} by {} (SHA-256 {hash}…)",
            revision.number,
            timestamp_text(revision.saved_at),
            revision.saved_by
        ));
        if let Some(said) = changes.get(&revision.number) {
            ui.horizontal(|ui| {
                ui.add_space(16.0);
                ui.add(egui::Label::new(format!("Changed: {}", said.join("; "))).wrap());
            });
        }
    }
}

fn header_ui(
    ui: &mut Ui,
    record: &PlanRecord,
    patient_name: &str,
    save: &SaveState,
    action: &mut Option<Action>,
) {
    let plan = &record.plan;
    ui.horizontal_wrapped(|ui| {
        ui.heading(format!("{patient_name}: {}", plan.protocol.title));
    });
    ui.horizontal_wrapped(|ui| {
        ui.label(plan.selection.to_string());
    });
    ui.horizontal_wrapped(|ui| {
        if ui
            .button("Export…")
            .on_hover_text("Handout, consent, calendar and data files")
            .clicked()
        {
            *action = Some(Action::OpenExport);
        }
        let status_label = ui.label("Status");
        let mut status = record.status;
        egui::ComboBox::from_id_salt("plan-status")
            .selected_text(status.label())
            .show_ui(ui, |ui| {
                for option in PlanStatus::ALL {
                    ui.selectable_value(&mut status, *option, option.label());
                }
            })
            .response
            .labelled_by(status_label.id);
        if status != record.status {
            *action = Some(Action::EditPlan(PlanEdit::SetStatus(status)));
        }
        ui.separator();
        match save {
            SaveState::Saved {
                revision,
                saved_at,
                saved_by,
            } => {
                ui.weak(format!(
                    "Saved: revision {revision}, {} by {saved_by}",
                    timestamp_text(*saved_at)
                ));
            }
            SaveState::Saving => {
                ui.spinner();
                ui.weak("Saving…");
            }
            SaveState::Failed(message) => {
                ui.colored_label(ui.visuals().error_fg_color, format!("Not saved: {message}"));
                if ui.button("Try again").clicked() {
                    *action = Some(Action::SaveNow);
                }
            }
            SaveState::Conflict(message) => {
                ui.colored_label(ui.visuals().error_fg_color, message);
                if ui
                    .button("Reopen the saved plan")
                    .on_hover_text(
                        "Load the other desk's revision; your unsaved edits here are dropped",
                    )
                    .clicked()
                {
                    *action = Some(Action::ReloadPlan);
                }
            }
        }
    });
    ui.separator();
}

fn warnings_ui(ui: &mut Ui, plan: &Plan) {
    if !plan.candidate {
        not_candidate_banner(ui, plan);
        ui.add_space(6.0);
    }
    for severity in [Severity::Restricted, Severity::Caution, Severity::Notice] {
        let warnings: Vec<_> = plan
            .warnings
            .iter()
            .filter(|warning| warning.severity == severity)
            .collect();
        if warnings.is_empty() {
            continue;
        }
        banner(ui, severity, |ui, color| {
            let title = match severity {
                Severity::Restricted => "Restricted",
                Severity::Caution => "Cautions",
                Severity::Notice | Severity::Contraindicated => "Notices",
            };
            ui.label(RichText::new(title).color(color).strong());
            for warning in warnings {
                ui.label(RichText::new(format!("• {}", warning.message)).color(color));
            }
        });
        ui.add_space(6.0);
    }
}

/// What the session records say that the physician must know (an anaesthetic above the
/// protocol's maximum, a material used after its expiry), at the top of the plan with
/// its other warnings.
fn record_warnings_ui(ui: &mut Ui, catalog: &Catalog, record: &PlanRecord, today: Date) {
    let said: Vec<String> = record
        .records
        .iter()
        .flat_map(|session| {
            crate::planning::saved_record_warnings(catalog, &record.plan, session, today)
                .into_iter()
                .map(move |warning| format!("• Session {}: {}", session.session, warning.message))
        })
        .collect();
    if said.is_empty() {
        return;
    }
    banner(ui, Severity::Caution, |ui, color| {
        ui.label(
            RichText::new("From the session records")
                .color(color)
                .strong(),
        );
        for line in said {
            ui.label(RichText::new(line).color(color));
        }
    });
    ui.add_space(6.0);
}

fn regulatory_ui(ui: &mut Ui, plan: &Plan) {
    ui.horizontal_wrapped(|ui| {
        ui.label("Regulatory status:");
        badge(
            ui,
            plan.regulatory.status.label(),
            status_severity(plan.regulatory.status),
        );
    });
    for note in &plan.regulatory.notes {
        ui.label(format!("{}: {}", note.jurisdiction.label(), note.note));
    }
    ui.collapsing("What it is and what the evidence shows", |ui| {
        ui.label(&plan.summary);
        ui.label(RichText::new(format!("Evidence: {}", plan.evidence)).italics());
    });
}

fn pre_procedure_ui(
    ui: &mut Ui,
    record: &PlanRecord,
    readable: &crate::planning::Plan,
    today: Date,
    target: &mut PlanTarget,
) -> Option<PlanEdit> {
    section_heading(ui, "Before each session");
    let mut edit = None;
    // The key comes from the saved text, the label from the text as readers see it.
    for (task, shown) in record
        .plan
        .pre_procedure
        .iter()
        .zip(&readable.pre_procedure)
    {
        let mut label = format!(
            "By {} (session {}): {}",
            date_text(task.due),
            task.session,
            shown.task
        );
        if task.audience == crate::catalog::Audience::Clinic {
            label.push_str(" (for the clinic)");
        }
        let place = ItemPlace::Preparation {
            session: task.session,
            task: task.task.clone(),
        };
        let overdue = record
            .plan
            .sessions
            .iter()
            .find(|session| session.number == task.session)
            .is_some_and(|session| {
                preparation_is_overdue(
                    task.due,
                    session.date,
                    record.record_of(task.session).is_some(),
                    today,
                )
            });
        let ticked = target.line_ui(ui, &place, |ui| {
            dated_checklist_item(
                ui,
                &record.checklist,
                keys::pre_before(task.session, &task.task),
                &label,
                overdue,
            )
        });
        edit = edit.or(ticked);
    }
    edit
}

fn sessions_ui(
    ui: &mut Ui,
    record: &PlanRecord,
    readable: &Plan,
    protocol: Option<&Protocol>,
    state: &mut PlanViewState,
) -> Option<PlanEdit> {
    section_heading(ui, "Sessions");
    let mut edit = None;
    for session in &record.plan.sessions {
        ui.horizontal_wrapped(|ui| {
            let label = format!("Session {} held", session.number);
            edit = edit.take().or(checklist_item(
                ui,
                &record.checklist,
                keys::session(session.number),
                &label,
            ));
            let mut date = session.date;
            if date_field(
                ui,
                &format!("session-{}", session.number),
                &format!("Session {} date", session.number),
                &mut date,
            ) {
                // Too soon after the session before: asked beside the date first.
                if let Some(shortfall) = protocol.and_then(|protocol| {
                    too_soon(protocol, &record.plan.sessions, session.number, date)
                }) {
                    state.sooner = Some(SoonerMove {
                        shortfall,
                        reason: String::new(),
                    });
                } else {
                    state.sooner = None;
                    edit = Some(PlanEdit::MoveSession {
                        number: session.number,
                        date,
                    });
                }
            }
            ui.weak(format!(
                "{}, {} minutes",
                date_text(session.date),
                session.duration_minutes
            ));
        });
        if let Some(sooner) = state
            .sooner
            .as_mut()
            .filter(|sooner| sooner.shortfall.number == session.number)
        {
            match sooner_ui(ui, sooner) {
                Some(SoonerAnswer::MoveAnyway(note)) => {
                    edit = Some(PlanEdit::MoveSessionAnyway {
                        number: sooner.shortfall.number,
                        date: sooner.shortfall.date,
                        note,
                    });
                    state.sooner = None;
                }
                Some(SoonerAnswer::KeepDate) => state.sooner = None,
                None => {}
            }
        }
        let wished = match record.request.moved_sessions.get(&session.number) {
            Some(moved) => Some(*moved),
            None if session.number == 1 => Some(record.request.start),
            None => None,
        };
        if let Some(moved) = wished
            .and_then(|wished| moved_off_closed_day(wished, session.date, &record.request.options))
        {
            ui.colored_label(ui.visuals().warn_fg_color, format!("{moved}."));
        }
        egui::CollapsingHeader::new(format!("What happens in session {}", session.number))
            .id_salt(("steps", session.number))
            .show(ui, |ui| {
                let shown = readable
                    .sessions
                    .iter()
                    .find(|s| s.number == session.number)
                    .unwrap_or(session);
                for step in &shown.steps {
                    let mut text = format!("{}: {}", step.kind.label(), step.text);
                    if let Some(site) = &step.site {
                        let _ = write!(text, " Site: {site}.");
                    }
                    if let Some(volume) = &step.volume {
                        let _ = write!(text, " Volume: {volume}.");
                    }
                    ui.label(text);
                }
            });
    }
    edit
}

fn aftercare_ui(
    ui: &mut Ui,
    record: &PlanRecord,
    readable: &Plan,
    today: Date,
) -> Option<PlanEdit> {
    section_heading(ui, "Aftercare");
    let mut edit = None;
    for session in &record.plan.sessions {
        let items: Vec<_> = record
            .plan
            .aftercare
            .iter()
            .zip(&readable.aftercare)
            .filter(|(item, _)| item.session == session.number)
            .collect();
        let current = items
            .iter()
            .any(|(item, _)| (item.from..=item.until).contains(&today));
        egui::CollapsingHeader::new(format!(
            "After session {} ({})",
            session.number,
            date_text(session.date)
        ))
        .id_salt(("aftercare", session.number))
        .default_open(session.number == 1 || current)
        .show(ui, |ui| {
            let mut waits_for = None;
            for (item, shown) in items {
                let place = match item.site {
                    AftercareSite::TreatedArea => String::new(),
                    AftercareSite::DonorSite => "Donor site: ".to_owned(),
                };
                let label = format!("{} to {}: {place}{}", item.from, item.until, shown.task);
                let key = keys::aftercare(item.session, item.site, &item.task);
                match aftercare_tickable(&record.plan, item, &record.checklist, today) {
                    Tickable::Now => {
                        edit = edit
                            .take()
                            .or(checklist_item(ui, &record.checklist, key, &label));
                    }
                    Tickable::From(date) => {
                        waits_for = Some(date);
                        let mut done = false;
                        ui.add_enabled(false, egui::Checkbox::new(&mut done, label.as_str()))
                            .on_disabled_hover_text(format!(
                                "Session {} is on {}: its aftercare is ticked after it.",
                                session.number,
                                date_text(date)
                            ));
                    }
                    Tickable::Never => information_line(ui, &label),
                }
            }
            if let Some(date) = waits_for {
                ui.weak(format!(
                    "These are ticked after the session: from {}, or once \"Session {} held\" is ticked.",
                    date_text(date),
                    session.number
                ));
            }
        });
    }
    edit
}

fn results_ui(
    ui: &mut Ui,
    record: &PlanRecord,
    plan: &Plan,
    catalog: &Catalog,
    today: Date,
    target: &mut PlanTarget,
) -> Option<PlanEdit> {
    section_heading(ui, "Expected results");
    for milestone in &plan.milestones {
        ui.label(format!(
            "{} to {}: {}",
            milestone.from, milestone.to, milestone.label
        ));
    }
    section_heading(ui, "Follow-up visits");
    let mut edit = None;
    for (visit, saved) in plan.follow_ups.iter().zip(&record.plan.follow_ups) {
        let label = format!(
            "{}: {} (record: {})",
            date_text(visit.date),
            visit.purpose,
            visit.measures(catalog.scales()).join(", ")
        );
        let place = ItemPlace::FollowUp(saved.purpose.clone());
        let ticked = target.line_ui(ui, &place, |ui| {
            dated_checklist_item(
                ui,
                &record.checklist,
                keys::follow_up(&saved.purpose),
                &label,
                visit.date < today,
            )
        });
        edit = edit.or(ticked);
    }
    section_heading(ui, "Maintenance");
    ui.label(&plan.maintenance.description);
    if let Some(interval) = plan.maintenance.interval_months {
        ui.label(format!("Every {interval} months."));
    }
    edit
}

/// The field, due date and audience of a task the physician adds.
fn new_task_ui(ui: &mut Ui, state: &mut PlanViewState) -> Option<PlanEdit> {
    let mut edit = None;
    ui.horizontal_wrapped(|ui| {
        let label = ui.label("New task");
        ui.add(egui::TextEdit::singleline(&mut state.task_draft).desired_width(320.0))
            .labelled_by(label.id);
        ui.checkbox(&mut state.task_has_due, "Has a due date");
        if state.task_has_due {
            date_field(ui, "task-due", "Due", &mut state.task_due);
        }
        ui.checkbox(&mut state.task_for_clinic, "For the clinic")
            .on_hover_text("A task for the clinic, such as a call to the patient's GP: kept on the checklist, not printed in the handout among what is asked of the patient");
        let text = state.task_draft.trim().to_owned();
        if ui
            .add_enabled(!text.is_empty(), egui::Button::new("Add task"))
            .clicked()
        {
            edit = Some(PlanEdit::AddTask {
                text,
                due: state.task_has_due.then_some(state.task_due),
                audience: if state.task_for_clinic {
                    crate::catalog::Audience::Clinic
                } else {
                    crate::catalog::Audience::Patient
                },
            });
            state.task_draft.clear();
        }
    });
    edit
}

fn notes_and_tasks_ui(
    ui: &mut Ui,
    record: &PlanRecord,
    state: &mut PlanViewState,
    today: Date,
) -> Option<PlanEdit> {
    let mut edit = None;
    section_heading(ui, "Extra tasks");
    for (index, task) in record.extra_tasks.iter().enumerate() {
        let mut label = match task.due {
            Some(due) => format!("By {}: {}", date_text(due), task.text),
            None => task.text.clone(),
        };
        if task.audience == crate::catalog::Audience::Clinic {
            label.push_str(" (for the clinic)");
        }
        let place = ItemPlace::ExtraTask(u32::try_from(index).unwrap_or(u32::MAX));
        let spot = PlanTarget::spot(ui);
        let line = ui.horizontal(|ui| {
            if task.withdrawn {
                // Kept in the record, out of the handout; its calendar event is cancelled.
                // The space stands where the checkbox would be.
                ui.add_space(ui.spacing().icon_width + ui.spacing().icon_spacing);
                ui.label(RichText::new(&label).strikethrough().weak());
                ui.label(RichText::new("withdrawn").weak().italics());
                if named_button(ui, "Restore", &format!("Restore task: {}", task.text))
                    .on_hover_text("Put the task back in the plan, the handout and the calendar")
                    .clicked()
                {
                    edit = Some(PlanEdit::WithdrawTask {
                        index,
                        withdrawn: false,
                    });
                }
            } else {
                // Overdue once its day passed unticked, as on the agenda.
                edit = edit.take().or(dated_checklist_item(
                    ui,
                    &record.checklist,
                    keys::extra(index),
                    &label,
                    task.due.is_some_and(|due| due < today),
                ));
                if named_button(ui, "Withdraw", &format!("Withdraw task: {}", task.text))
                    .on_hover_text(
                        "Take the task back: it stays in the plan's history, leaves the handout, and its calendar event is cancelled",
                    )
                    .clicked()
                {
                    edit = Some(PlanEdit::WithdrawTask {
                        index,
                        withdrawn: true,
                    });
                }
            }
        });
        state.target.mark(ui, spot, &place, &line.response);
    }
    edit = edit.or(new_task_ui(ui, state));

    section_heading(ui, "Notes");
    for note in &record.notes {
        ui.label(
            RichText::new(format!(
                "{} by {}",
                timestamp_text(note.written_at),
                note.author
            ))
            .weak(),
        );
        ui.label(&note.text);
        ui.add_space(4.0);
    }
    let label = ui.label("New note");
    ui.add(
        egui::TextEdit::multiline(&mut state.note_draft)
            .desired_rows(2)
            .desired_width(f32::INFINITY),
    )
    .labelled_by(label.id);
    let text = state.note_draft.trim().to_owned();
    if ui
        .add_enabled(!text.is_empty(), egui::Button::new("Add note"))
        .clicked()
    {
        edit = Some(PlanEdit::AddNote(text));
        state.note_draft.clear();
    }
    edit
}

/// A small button that shows a short word and tells a screen reader what it acts on.
fn named_button(ui: &mut Ui, text: &str, accessible_name: &str) -> egui::Response {
    let response = ui.small_button(text);
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, true, accessible_name));
    response
}

fn consent_ui(ui: &mut Ui, plan: &Plan) {
    section_heading(ui, "For the consent talk");
    ui.label(RichText::new("Risks").strong());
    for risk in &plan.risks {
        ui.label(format!(
            "• {} ({}): {}",
            risk.name, risk.likelihood, risk.detail
        ));
    }
    ui.add_space(6.0);
    ui.label(RichText::new("Alternatives").strong());
    for alternative in &plan.alternatives {
        ui.label(format!(
            "• {}: {}",
            alternative.name, alternative.comparison
        ));
    }
    ui.add_space(6.0);
    ui.label(format!("Downtime: {}", plan.downtime));
    ui.label(format!("Additional costs: {}", plan.additional_costs));
    section_heading(ui, "Sources");
    for (index, source) in plan.sources.iter().enumerate() {
        let marketing = if source.marketing {
            " (marketing page)"
        } else {
            ""
        };
        let uncertain = if source.uncertain {
            " (uncertain figure)"
        } else {
            ""
        };
        ui.label(format!(
            "[{}] {}{marketing}. Supports: {}{uncertain}",
            index + 1,
            source.citation,
            source.supports
        ));
    }
}
