//! One patient: details (which can be edited, each save a revision with its author),
//! allergies, medication and history, the latest screening, and their plans.

use egui::{RichText, Ui};
use jiff::civil::Date;

use super::action::Action;
use super::widgets::{date_text, plan_status_badge, section_heading, timestamp_text};
use crate::store::rules::{self, TextField};
use crate::store::{Patient, PatientId, PlanSummary, Revision};

/// The most characters a free-text field of a patient (contact, allergies, medication,
/// history) takes in the window.
const FREE_TEXT_MAX_CHARS: usize = 4000;

/// A patient's details being edited, as typed, on top of the revision they were read
/// from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatientEdit {
    /// The revision the edits were made on: the save is the one after it.
    pub base_revision: u32,
    /// The full name.
    pub name: String,
    /// The date of birth as typed (YYYY-MM-DD); empty when not known.
    pub birth_date: String,
    /// The clinic's own id as typed; empty when none.
    pub clinic_id: String,
    /// How to reach the patient.
    pub contact: String,
    /// Known allergies.
    pub allergies: String,
    /// Current medication.
    pub medication: String,
    /// Relevant medical history.
    pub history: String,
    /// The record as it was read, to tell what changed.
    original: Patient,
    /// The save is on its way to the disk.
    pub saving: bool,
    /// Why the last save failed, and whether someone else saved the patient first.
    pub failure: Option<(String, bool)>,
}

/// What is wrong with the fields of a [`PatientEdit`], one sentence per field.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldProblems {
    /// The name's problem.
    pub name: Option<String>,
    /// The date of birth's problem.
    pub birth_date: Option<String>,
    /// The clinic id's problem.
    pub clinic_id: Option<String>,
}

impl FieldProblems {
    /// Whether every field may be saved.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.name.is_none() && self.birth_date.is_none() && self.clinic_id.is_none()
    }
}

impl PatientEdit {
    /// The form filled with a patient's revision as read.
    #[must_use]
    pub fn new(revision: &Revision<Patient>) -> Self {
        let patient = &revision.value;
        Self {
            base_revision: revision.number,
            name: patient.name.clone(),
            birth_date: patient
                .birth_date
                .map(|date| date.to_string())
                .unwrap_or_default(),
            clinic_id: patient.clinic_id.clone().unwrap_or_default(),
            contact: patient.contact.clone(),
            allergies: patient.allergies.clone(),
            medication: patient.medication.clone(),
            history: patient.history.clone(),
            original: patient.clone(),
            saving: false,
            failure: None,
        }
    }

    /// Whether the patient had a clinic id on file: it stays theirs (the store's rule,
    /// so that a plan saved with it finds them) and is shown, not edited.
    #[must_use]
    pub fn is_clinic_id_fixed(&self) -> bool {
        self.original.clinic_id.is_some()
    }

    /// Each field's problem: the name and clinic id as the store's rules allow them,
    /// and a date of birth that is a date, not after `today` and not after the first
    /// session of any of the patient's plans (`plan_starts`).
    #[must_use]
    pub fn problems(&self, today: Date, plan_starts: &[Date]) -> FieldProblems {
        FieldProblems {
            name: name_problem(&self.name),
            birth_date: birth_date_problem(&self.birth_date, today, plan_starts),
            clinic_id: if self.is_clinic_id_fixed() {
                None
            } else {
                clinic_id_problem(&self.clinic_id)
            },
        }
    }

    /// The patient as edited, when every field may be saved; their screening is the
    /// one read (the worker keeps the one on file).
    #[must_use]
    pub fn patient(&self, today: Date, plan_starts: &[Date]) -> Option<Patient> {
        if !self.problems(today, plan_starts).is_empty() {
            return None;
        }
        let birth = self.birth_date.trim();
        let birth_date = if birth.is_empty() {
            None
        } else {
            Some(rules::parse_date(birth).ok()?)
        };
        let clinic_id = if self.is_clinic_id_fixed() {
            self.original.clinic_id.clone()
        } else {
            Some(self.clinic_id.trim().to_owned()).filter(|id| !id.is_empty())
        };
        Some(Patient {
            name: self.name.trim().to_owned(),
            birth_date,
            clinic_id,
            contact: self.contact.trim().to_owned(),
            screening: self.original.screening.clone(),
            allergies: self.allergies.trim().to_owned(),
            medication: self.medication.trim().to_owned(),
            history: self.history.trim().to_owned(),
        })
    }

    /// The patient's name as read.
    #[must_use]
    pub fn original_name(&self) -> &str {
        &self.original.name
    }

    /// Whether anything was changed from the record as read.
    #[must_use]
    pub fn has_changes(&self) -> bool {
        let typed = [
            (&self.name, self.original.name.clone()),
            (
                &self.birth_date,
                self.original
                    .birth_date
                    .map(|date| date.to_string())
                    .unwrap_or_default(),
            ),
            (
                &self.clinic_id,
                self.original.clinic_id.clone().unwrap_or_default(),
            ),
            (&self.contact, self.original.contact.clone()),
            (&self.allergies, self.original.allergies.clone()),
            (&self.medication, self.original.medication.clone()),
            (&self.history, self.original.history.clone()),
        ];
        typed
            .iter()
            .any(|(typed, original)| typed.trim() != original.trim())
    }
}

/// What is wrong with a name as typed, as a sentence.
fn name_problem(name: &str) -> Option<String> {
    rules::check_text(TextField::PatientName, name.trim())
        .err()
        .map(|error| sentence(&error.to_string()))
}

/// What is wrong with a date of birth as typed (empty: not known), as a sentence.
fn birth_date_problem(text: &str, today: Date, plan_starts: &[Date]) -> Option<String> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    rules::parse_date(text)
        .and_then(|date| rules::check_birth_date_of_patient(date, today, plan_starts))
        .err()
        .map(|error| sentence(&error.to_string()))
}

/// What is wrong with a clinic id as typed (empty: none), as a sentence.
fn clinic_id_problem(text: &str) -> Option<String> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    rules::check_text(TextField::ClinicId, text)
        .err()
        .map(|error| sentence(&error.to_string()))
}

/// A rule's message as a sentence: a capital first letter and a full stop.
fn sentence(text: &str) -> String {
    let mut chars = text.chars();
    let mut out: String = chars
        .next()
        .map(|first| first.to_uppercase().collect())
        .unwrap_or_default();
    out.push_str(chars.as_str());
    if !out.ends_with('.') {
        out.push('.');
    }
    out
}

/// What the patient screen is given.
pub struct PatientShown<'a> {
    /// The patient.
    pub id: &'a PatientId,
    /// Their newest revision.
    pub patient: &'a Revision<Patient>,
    /// Their plans, newest first.
    pub plans: &'a [&'a PlanSummary],
    /// Today, for the date of birth's check.
    pub today: Date,
}

/// The patient screen; `edit` is the form while the details are being edited.
pub fn patient_view_ui(
    ui: &mut Ui,
    shown: &PatientShown<'_>,
    edit: &mut Option<Box<PatientEdit>>,
    fresh: bool,
) -> Option<Action> {
    super::widgets::scroll_area("patient-view", fresh)
        .show(ui, |ui| patient_ui(ui, shown, edit))
        .inner
}

fn patient_ui(
    ui: &mut Ui,
    shown: &PatientShown<'_>,
    edit: &mut Option<Box<PatientEdit>>,
) -> Option<Action> {
    let mut action = None;
    let patient = shown.patient;
    let record = &patient.value;
    ui.heading(&record.name);
    if let Some(form) = edit {
        let starts: Vec<Date> = shown
            .plans
            .iter()
            .filter_map(|plan| plan.first_session)
            .collect();
        match edit_ui(ui, form, shown.today, &starts) {
            Some(EditChoice::Save) => action = Some(Action::SavePatient(shown.id.clone())),
            Some(EditChoice::Cancel) => *edit = None,
            Some(EditChoice::Reread) => action = Some(Action::RereadPatient(shown.id.clone())),
            None => {}
        }
    } else {
        details_ui(ui, patient);
        if ui.button("Edit details…").clicked() {
            *edit = Some(Box::new(PatientEdit::new(patient)));
        }
    }
    section_heading(ui, "Screening");
    match record.screening.asked_on {
        Some(date) => ui.label(format!("Asked on {date}.")),
        None => ui.label("Not asked yet."),
    };
    if record.screening.factors.is_empty() {
        ui.label("No factor answered yes.");
    } else {
        for factor in &record.screening.factors {
            ui.label(format!("• {}", factor.label()));
        }
    }
    section_heading(ui, "Plans");
    if ui.button("New plan for this patient…").clicked() {
        action = Some(Action::NewPlan(Some(shown.id.clone())));
    }
    if shown.plans.is_empty() {
        ui.weak("No plans yet.");
    }
    for plan in shown.plans {
        ui.horizontal_wrapped(|ui| {
            plan_status_badge(ui, plan.status);
            let first = plan.first_session.map_or_else(
                || "no sessions".to_owned(),
                |date| format!("from {}", date_text(date)),
            );
            if ui
                .link(RichText::new(format!("{} ({first})", plan.protocol_title)).strong())
                .clicked()
            {
                action = Some(Action::OpenPlan(plan.id.clone()));
            }
            ui.weak(format!(
                "revision {}, {} by {}",
                plan.revision,
                timestamp_text(plan.saved_at),
                plan.saved_by
            ));
        });
    }
    action
}

/// The details as saved.
fn details_ui(ui: &mut Ui, patient: &Revision<Patient>) {
    let record = &patient.value;
    let or_none = |text: &str, none: &'static str| {
        if text.trim().is_empty() {
            none.to_owned()
        } else {
            text.to_owned()
        }
    };
    egui::Grid::new("patient-details")
        .num_columns(2)
        .spacing([16.0, 6.0])
        .show(ui, |ui| {
            let rows = [
                (
                    "Date of birth",
                    record
                        .birth_date
                        .map_or_else(|| "not given".to_owned(), |date| date.to_string()),
                ),
                (
                    "Clinic id",
                    record
                        .clinic_id
                        .clone()
                        .unwrap_or_else(|| "none".to_owned()),
                ),
                ("Contact", or_none(&record.contact, "not given")),
                ("Allergies", or_none(&record.allergies, "none recorded")),
                (
                    "Current medication",
                    or_none(&record.medication, "none recorded"),
                ),
                (
                    "Relevant history",
                    or_none(&record.history, "none recorded"),
                ),
            ];
            for (label, value) in rows {
                ui.label(label);
                ui.add(egui::Label::new(value).wrap());
                ui.end_row();
            }
            ui.label("Record");
            ui.weak(format!(
                "revision {}, saved {} by {}",
                patient.number,
                timestamp_text(patient.saved_at),
                patient.saved_by
            ));
            ui.end_row();
        });
}

/// A one-line text field of the edit form.
fn single<'a>(
    text: &'a mut String,
    hint: &'static str,
    max_chars: usize,
) -> impl FnOnce(&mut Ui) -> egui::Response + 'a {
    move |ui: &mut Ui| {
        ui.add(
            egui::TextEdit::singleline(text)
                .hint_text(hint)
                .char_limit(max_chars)
                .desired_width(FIELD_WIDTH),
        )
    }
}

/// A free-text field of the edit form, a few lines high.
fn multi<'a>(
    text: &'a mut String,
    hint: &'static str,
) -> impl FnOnce(&mut Ui) -> egui::Response + 'a {
    move |ui: &mut Ui| {
        ui.add(
            egui::TextEdit::multiline(text)
                .hint_text(hint)
                .char_limit(FREE_TEXT_MAX_CHARS)
                .desired_rows(2)
                .desired_width(FIELD_WIDTH),
        )
    }
}

/// What the physician chose on the edit form.
enum EditChoice {
    Save,
    Cancel,
    Reread,
}

/// Width of the column of field names on the edit form.
const LABEL_WIDTH: f32 = 140.0;
/// Width of the text fields on the edit form.
const FIELD_WIDTH: f32 = 320.0;

/// One row of the edit form: the field's name, the field, and beside it its problem,
/// checked after the field took this frame's typing.
fn field_row(
    ui: &mut Ui,
    label: &str,
    add_field: impl FnOnce(&mut Ui) -> (egui::Response, Option<String>),
) {
    ui.horizontal_top(|ui| {
        let name = ui.allocate_ui_with_layout(
            egui::vec2(LABEL_WIDTH, 20.0),
            egui::Layout::top_down(egui::Align::Min),
            |ui| {
                ui.set_min_width(LABEL_WIDTH);
                // Level with the text inside the field beside it.
                ui.add_space(2.0);
                ui.label(label)
            },
        );
        let (field, problem) = add_field(ui);
        field.labelled_by(name.inner.id);
        if let Some(problem) = problem {
            ui.vertical(|ui| {
                ui.set_max_width(ui.available_width().max(160.0));
                ui.add(
                    egui::Label::new(RichText::new(problem).color(ui.visuals().error_fg_color))
                        .wrap(),
                );
            });
        }
    });
}

fn edit_ui(
    ui: &mut Ui,
    form: &mut PatientEdit,
    today: Date,
    starts: &[Date],
) -> Option<EditChoice> {
    let mut choice = None;
    ui.label("Each save is a new revision of the patient's record, with your name.");
    ui.add_space(4.0);
    field_row(ui, "Name", |ui| {
        let field = single(&mut form.name, "First and last name", rules::NAME_MAX_CHARS)(ui);
        (field, name_problem(&form.name))
    });
    field_row(ui, "Date of birth", |ui| {
        let field = single(&mut form.birth_date, "YYYY-MM-DD", 10)(ui);
        (field, birth_date_problem(&form.birth_date, today, starts))
    });
    if form.is_clinic_id_fixed() {
        let clinic_id = form.clinic_id.clone();
        field_row(ui, "Clinic id", |ui| {
            let field = ui
                .vertical(|ui| {
                    ui.set_max_width(FIELD_WIDTH);
                    let field = ui.add(egui::Label::new(RichText::new(clinic_id).monospace()));
                    ui.add(
                        egui::Label::new(
                            RichText::new(
                                "Once given, a clinic id stays the patient's, so that plans saved with it find them.",
                            )
                            .weak(),
                        )
                        .wrap(),
                    );
                    field
                })
                .inner;
            (field, None)
        });
    } else {
        field_row(ui, "Clinic id", |ui| {
            let field = single(
                &mut form.clinic_id,
                "Chart number (optional)",
                rules::CLINIC_ID_MAX_CHARS,
            )(ui);
            (field, clinic_id_problem(&form.clinic_id))
        });
    }
    for (label, text, hint) in [
        ("Contact", &mut form.contact, "Phone, e-mail or address"),
        (
            "Allergies",
            &mut form.allergies,
            "Drugs, latex, local anaesthetics…",
        ),
        (
            "Current medication",
            &mut form.medication,
            "Name, dose and how often",
        ),
        (
            "Relevant history",
            &mut form.history,
            "Conditions, operations, keloids…",
        ),
    ] {
        field_row(ui, label, |ui| (multi(text, hint)(ui), None));
    }
    let problems = form.problems(today, starts);
    ui.add_space(6.0);
    ui.horizontal(|ui| {
        let can_save = problems.is_empty() && form.has_changes() && !form.saving;
        if ui
            .add_enabled(can_save, egui::Button::new("Save details"))
            .clicked()
        {
            choice = Some(EditChoice::Save);
        }
        if ui
            .add_enabled(!form.saving, egui::Button::new("Cancel"))
            .clicked()
        {
            choice = Some(EditChoice::Cancel);
        }
        if form.saving {
            ui.spinner();
            ui.label("Saving…");
        } else if !form.has_changes() {
            ui.weak("Nothing changed yet.");
        }
    });
    if let Some((message, is_conflict)) = &form.failure {
        ui.colored_label(ui.visuals().error_fg_color, message.as_str());
        if *is_conflict
            && ui
                .button("Reopen the patient (drops what you typed)")
                .clicked()
        {
            choice = Some(EditChoice::Reread);
        }
    }
    choice
}
