//! What was done and how it turned out, on the plan screen: each session done, planned
//! or overdue with its record and the record's warnings, the "Record session N" form,
//! a score entry for each follow-up visit's scales, and a chart per scale.

use std::collections::BTreeMap;

use egui::{RichText, Ui};
use jiff::civil::Date;

use super::action::Action;
use super::plan_target::PlanTarget;
use super::record_form::{FormAnswer, RecordForm, check_form, record_form_ui, record_summary};
use super::score_chart::score_chart_ui;
use super::widgets::{date_text, section_heading};
use crate::catalog::{Catalog, Scale};
use crate::planning::agenda::ItemPlace;
use crate::planning::{
    LotSuggestion, Plan, RecordCheck, Score, SessionProgress, dose_limits, score_series,
    session_states, visit_scales,
};
use crate::store::PlanRecord;

/// A score being typed for one scale at one visit.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScoreDraft {
    /// The value as typed.
    pub value: String,
    /// The date as typed, `YYYY-MM-DD`.
    pub date: String,
    /// Why the last entry was refused.
    pub refused: Option<String>,
}

/// What the record and score parts of the plan screen keep between frames.
#[derive(Debug, Clone, Default)]
pub struct TreatmentState {
    /// The open "Record session N" form, if any.
    pub form: Option<RecordForm>,
    /// Scores being typed, by visit and scale.
    pub scores: BTreeMap<(usize, String), ScoreDraft>,
    /// The removal asked for and not yet confirmed, if any.
    pub confirm: Option<Removal>,
}

/// A removal the physician asked for, shown with its confirmation.
#[derive(Debug, Clone, PartialEq)]
pub enum Removal {
    /// Score `number` (1-based, in the order entered), as it was shown.
    Score {
        /// Its place among the plan's scores, 1-based.
        number: usize,
        /// The score shown there.
        score: Score,
    },
    /// The record of a session.
    Record(u32),
}

impl TreatmentState {
    /// What was typed and not saved, one sentence each.
    #[must_use]
    pub fn unsaved_text(&self, patient: &str) -> Vec<String> {
        let mut unsaved = Vec::new();
        if let Some(form) = &self.form
            && form.has_typing()
        {
            unsaved.push(format!(
                "the record of session {} being typed on {patient}'s plan",
                form.session
            ));
        }
        for ((_, scale), draft) in &self.scores {
            if !draft.value.trim().is_empty() {
                unsaved.push(format!(
                    "a {scale} score of {} being typed on {patient}'s plan",
                    draft.value.trim()
                ));
            }
        }
        unsaved
    }
}

/// The sessions with what was done at each, and the form to record one.
pub fn sessions_record_ui(
    ui: &mut Ui,
    record: &PlanRecord,
    catalog: &Catalog,
    state: &mut TreatmentState,
    target: &mut PlanTarget,
    today: Date,
    suggest: &dyn Fn(&str) -> Vec<LotSuggestion>,
) -> Option<Action> {
    section_heading(ui, "Treatment record");
    let plan = &record.plan;
    let mut action = None;
    let session_count = u32::try_from(plan.sessions.len()).unwrap_or(u32::MAX);
    for session_state in session_states(plan, record.status, &record.records, today) {
        let n = session_state.number;
        let saved = record.record_of(n);
        // Where the agenda opens the plan at a session or a call about it.
        let spot = PlanTarget::spot(ui);
        let line = ui.horizontal_wrapped(|ui| {
            let (text, color) = match session_state.progress {
                SessionProgress::Done { performed } => (
                    format!("Session {n}: done on {}", date_text(performed)),
                    ui.visuals().text_color(),
                ),
                SessionProgress::Overdue => (
                    format!(
                        "Session {n}: overdue, planned for {} and not recorded",
                        date_text(session_state.date)
                    ),
                    ui.visuals().error_fg_color,
                ),
                SessionProgress::Planned => (
                    format!("Session {n}: planned for {}", date_text(session_state.date)),
                    ui.visuals().weak_text_color(),
                ),
            };
            ui.label(RichText::new(text).color(color).strong());
            let open_here = state.form.as_ref().is_some_and(|form| form.session == n);
            if !open_here {
                let button = match saved {
                    Some(_) => format!("Correct the record of session {n}…"),
                    None => format!("Record session {n}…"),
                };
                if ui.button(button).clicked() {
                    state.form = Some(match saved {
                        Some(saved) => RecordForm::from_record(saved, true),
                        None => RecordForm::new(n, session_state.date.min(today)),
                    });
                }
                if saved.is_some()
                    && ui
                        .button(format!("Remove the record of session {n}…"))
                        .clicked()
                {
                    state.confirm = Some(Removal::Record(n));
                }
            }
        });
        target.mark(ui, spot, &ItemPlace::Session(n), &line.response);
        if state.confirm == Some(Removal::Record(n))
            && let Some(saved) = saved
        {
            let question = format!(
                "Remove the record of session {n}, performed on {}? Do this when it was entered on the wrong session; to change what it says, correct it instead. The session keeps that date and shows as not done; the plan's revision history keeps the record.",
                date_text(saved.performed_on)
            );
            match confirm_ui(ui, &question, &format!("Remove the record of session {n}")) {
                Some(true) => action = Some(Action::RemoveRecord(n)),
                Some(false) => state.confirm = None,
                None => {}
            }
        }
        if let Some(saved) = saved {
            ui.indent(("record", n), |ui| {
                for line in record_summary(saved) {
                    ui.add(egui::Label::new(line).wrap());
                }
                let limits = dose_limits(catalog, plan, n);
                // A record saved before the check changed may fail it now: it is shown
                // as it is, and correcting it asks again.
                if let Ok(warnings) = saved.check(&RecordCheck {
                    today,
                    session_count,
                    dose_limits: &limits,
                }) {
                    for warning in warnings {
                        ui.colored_label(
                            ui.visuals().warn_fg_color,
                            format!("Warning: {}", warning.message),
                        );
                        if warning.asks_for_adverse_event {
                            ui.colored_label(
                                ui.visuals().warn_fg_color,
                                format!("Session {n} needs an adverse-event entry: correct its record and add one."),
                            );
                        }
                    }
                }
            });
        }
        let form_here = state.form.as_mut().filter(|form| form.session == n);
        if let Some(form) = form_here {
            let limits = dose_limits(catalog, plan, n);
            let checked = check_form(form, today, session_count, &limits);
            match record_form_ui(ui, form, &checked, suggest) {
                Some(FormAnswer::Save(record)) => action = Some(Action::RecordSession(record)),
                Some(FormAnswer::Cancel) => state.form = None,
                None => {}
            }
        }
    }
    action
}

/// A score entry for each scale a follow-up visit names, and a chart per scale.
pub fn scores_ui(
    ui: &mut Ui,
    record: &PlanRecord,
    plan: &Plan,
    catalog: &Catalog,
    state: &mut TreatmentState,
    today: Date,
) -> Option<Action> {
    let scales = catalog.scales();
    section_heading(ui, "Outcome scores");
    let mut action = None;
    // The charts first: "did this work?" at a glance.
    let series = score_series(scales, &record.plan, &record.scores);
    for one in series.iter().filter(|one| !one.points.is_empty()) {
        ui.add_space(6.0);
        ui.label(RichText::new(&one.scale.name).strong());
        score_chart_ui(ui, one, &record.plan);
        if let Some(asked) = entered_scores_ui(ui, &one.scale, &record.scores, state) {
            action = Some(asked);
        }
    }
    if series.iter().any(|one| one.points.len() > 1) {
        ui.weak("A change in a score does not on its own show that the treatment caused it: scores also change with time, activity and other treatment.");
    }
    let plan_scales = crate::planning::plan_scales(scales, &record.plan, &[]);
    if plan_scales.is_empty() {
        ui.weak("The follow-up visits of this plan name no outcome scale of the catalog.");
        return None;
    }
    if series.iter().all(|one| one.points.is_empty()) {
        ui.weak("No scores yet: enter a baseline before the first session; the charts appear with the first score.");
    }
    ui.add_space(6.0);
    ui.label(RichText::new("Enter a score").strong());
    // A baseline before the first session, on any scale the plan's visits use; then
    // each visit with its own scales. Visits more than two weeks ahead start closed.
    let first_session = record.plan.sessions.first().map(|session| session.date);
    let mut groups: Vec<(usize, String, Date, Vec<&Scale>, bool)> = vec![(
        usize::MAX,
        "Baseline, before the first session".to_owned(),
        first_session.unwrap_or(today),
        plan_scales,
        record.scores.is_empty(),
    )];
    let soon = today
        .checked_add(jiff::Span::new().days(14))
        .unwrap_or(today);
    for (index, visit) in record.plan.follow_ups.iter().enumerate() {
        let visit_scales = visit_scales(scales, visit);
        if visit_scales.is_empty() {
            continue;
        }
        let purpose = plan
            .follow_ups
            .get(index)
            .map_or(visit.purpose.as_str(), |shown| shown.purpose.as_str());
        groups.push((
            index,
            purpose.to_owned(),
            visit.date,
            visit_scales,
            visit.date <= soon,
        ));
    }
    for (index, purpose, date, group_scales, open) in groups {
        egui::CollapsingHeader::new(format!("{}: {purpose}", date_text(date)))
            .id_salt(("scores", index))
            .default_open(open)
            .show(ui, |ui| {
                for scale in group_scales {
                    let key = (index, scale.id.to_string());
                    let draft = state
                        .scores
                        .entry(key.clone())
                        .or_insert_with(|| ScoreDraft {
                            value: String::new(),
                            date: date.min(today).to_string(),
                            refused: None,
                        });
                    if let Some(score) = score_entry_ui(ui, scale, draft, &purpose, catalog, today)
                    {
                        action = Some(Action::EnterScore(score));
                        state.scores.remove(&key);
                    }
                }
            });
    }
    action
}

/// The scores entered on one scale, oldest first, each with a button to remove it when
/// it was entered by mistake (asked again before it is removed).
fn entered_scores_ui(
    ui: &mut Ui,
    scale: &Scale,
    scores: &[Score],
    state: &mut TreatmentState,
) -> Option<Action> {
    let mut action = None;
    let mut entered: Vec<(usize, &Score)> = scores
        .iter()
        .enumerate()
        .filter(|(_, score)| score.scale == scale.id)
        .map(|(index, score)| (index + 1, score))
        .collect();
    entered.sort_by_key(|(number, score)| (score.date, *number));
    egui::CollapsingHeader::new(format!(
        "{} scores entered ({})",
        scale.short_name,
        entered.len()
    ))
    .id_salt(("entered-scores", scale.id.as_str()))
    .show(ui, |ui| {
        for (number, score) in entered {
            let shown = format!(
                "{} {} on {}",
                crate::catalog::number(score.value),
                scale.unit,
                date_text(score.date)
            );
            ui.horizontal(|ui| {
                ui.label(&shown);
                let button = ui.small_button("Remove…");
                let name = format!("Remove the {} score of {shown}…", scale.short_name);
                button.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, true, &name));
                if button.clicked() {
                    state.confirm = Some(Removal::Score {
                        number,
                        score: score.clone(),
                    });
                }
            });
            let asked = Removal::Score {
                number,
                score: score.clone(),
            };
            if state.confirm.as_ref() == Some(&asked) {
                let question = format!(
                    "Remove the {} score of {shown}? Do this for a score entered by mistake; the plan's revision history keeps it.",
                    scale.short_name
                );
                let confirm = format!("Remove the {} score of {shown}", scale.short_name);
                match confirm_ui(ui, &question, &confirm) {
                    Some(true) => {
                        action = Some(Action::RemoveScore {
                            number,
                            score: score.clone(),
                        });
                    }
                    Some(false) => state.confirm = None,
                    None => {}
                }
            }
        }
    });
    action
}

/// A question with a button that does it and one that keeps things as they are:
/// `Some(true)` when confirmed, `Some(false)` when kept.
fn confirm_ui(ui: &mut Ui, question: &str, confirm: &str) -> Option<bool> {
    let mut answer = None;
    egui::Frame::group(ui.style()).show(ui, |ui| {
        ui.add(egui::Label::new(RichText::new(question).color(ui.visuals().warn_fg_color)).wrap());
        ui.horizontal(|ui| {
            if ui.button(confirm).clicked() {
                answer = Some(true);
            }
            if ui.button("Keep it").clicked() {
                answer = Some(false);
            }
        });
    });
    answer
}

/// The value and date of one score, refused outside the scale's range with the range
/// named.
fn score_entry_ui(
    ui: &mut Ui,
    scale: &Scale,
    draft: &mut ScoreDraft,
    visit: &str,
    catalog: &Catalog,
    today: Date,
) -> Option<Score> {
    let mut entered = None;
    // The row shows the scale's short name once; each field is named in full for a
    // screen reader, with the visit, since every visit has the same fields.
    ui.horizontal(|ui| {
        ui.add_sized(
            egui::vec2(110.0, ui.spacing().interact_size.y),
            egui::Label::new(&scale.short_name).truncate(),
        );
        let value = named_text_edit(
            ui,
            &mut draft.value,
            60.0,
            &format!("{} score, {visit}", scale.short_name),
        );
        ui.weak("on");
        named_text_edit(
            ui,
            &mut draft.date,
            90.0,
            &format!("{} date, {visit}", scale.short_name),
        );
        let enter_pressed =
            value.lost_focus() && ui.input(|input| input.key_pressed(egui::Key::Enter));
        let button = ui.button("Enter");
        button.widget_info(|| {
            egui::WidgetInfo::labeled(
                egui::Role::Button,
                true,
                format!("Enter {} score, {visit}", scale.short_name),
            )
        });
        if button.clicked() || enter_pressed {
            match read_score(scale, draft, catalog, today) {
                Ok(score) => entered = Some(score),
                Err(message) => draft.refused = Some(message),
            }
        }
        ui.weak(scale.range_sentence());
    });
    if let Some(refused) = &draft.refused {
        ui.colored_label(ui.visuals().error_fg_color, refused);
    }
    entered
}

fn read_score(
    scale: &Scale,
    draft: &ScoreDraft,
    catalog: &Catalog,
    today: Date,
) -> Result<Score, String> {
    let typed = draft.value.trim();
    let Ok(value) = typed.replace(',', ".").parse::<f64>() else {
        return Err(format!(
            "'{typed}' is not a number; {} scores run from {}.",
            scale.short_name,
            scale.range_sentence()
        ));
    };
    let Ok(date) = draft.date.trim().parse::<Date>() else {
        return Err(format!(
            "The date '{}' is not a date; type it as YYYY-MM-DD.",
            draft.date.trim()
        ));
    };
    Score::new(catalog.scales(), scale.id.as_str(), value, date, today).map_err(|error| {
        let text = error.to_string();
        let mut chars = text.chars();
        chars
            .next()
            .map(|first| first.to_uppercase().chain(chars).collect())
            .unwrap_or_default()
    })
}

/// A one-line text field whose accessible name is `name`.
fn named_text_edit(ui: &mut Ui, text: &mut String, width: f32, name: &str) -> egui::Response {
    let response = ui.add(egui::TextEdit::singleline(text).desired_width(width));
    response.widget_info(|| {
        let mut info = egui::WidgetInfo::text_edit(true, "", text.as_str(), "");
        info.label = Some(name.to_owned());
        info
    });
    response
}
