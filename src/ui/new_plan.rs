//! Creating a plan on one screen, top to bottom: patient, the four choices and adjuncts,
//! screening, start date; the plan preview updates live beside it.

use std::collections::BTreeSet;

use egui::{RichText, Ui};
use jiff::civil::Date;

use super::action::Action;
use super::search::Searchable;
use super::widgets::{
    badge, banner, date_field, date_text, not_candidate_banner, section_heading, status_severity,
};
use crate::catalog::{
    Area, Catalog, CellSource, Factor, FactorSeverity, Indication, Modality, PartialSelection,
    RegulatoryStatus, Selection,
};
use crate::planning::{
    ClinicOptions, Plan, PlanError, PlanRequest, Severity, earliest_feasible_start, generate,
};
use crate::store::{Patient, PatientId, PatientSummary};

/// Who the plan is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PatientChoice {
    /// A patient already in the records, once the physician picked one: nobody is
    /// picked for them.
    Existing(Option<PatientId>),
    /// A new patient, created with the plan.
    New(NewPatientForm),
}

impl PatientChoice {
    /// The existing patient picked, if any.
    #[must_use]
    pub fn picked(&self) -> Option<&PatientId> {
        match self {
            PatientChoice::Existing(Some(id)) => Some(id),
            PatientChoice::Existing(None) | PatientChoice::New(_) => None,
        }
    }
}

/// The fields of a new patient.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NewPatientForm {
    /// Full name.
    pub name: String,
    /// Date of birth as typed (YYYY-MM-DD), may be empty.
    pub birth_date: String,
    /// The clinic's own id.
    pub clinic_id: String,
    /// Phone or e-mail.
    pub contact: String,
    /// The name the patients with the same name were looked up for.
    checked_name: String,
    /// Patients already in the records under the name typed (at most a few).
    same_name: Vec<PatientId>,
}

impl NewPatientForm {
    /// The birth date, when it is given and valid.
    ///
    /// # Errors
    /// A sentence saying the format expected.
    pub fn birth_date(&self) -> Result<Option<Date>, String> {
        let text = self.birth_date.trim();
        if text.is_empty() {
            return Ok(None);
        }
        text.parse::<Date>()
            .map(Some)
            .map_err(|_| format!("'{text}' is not a date; write the date of birth as YYYY-MM-DD"))
    }
}

/// Where the draft's screening answers come from: an existing patient's answers on
/// file are the starting point (the physician asks each question again), so that
/// creating the plan never replaces them with blank ones by accident.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScreeningOnFile {
    /// Nothing on file: a new patient, answered here.
    Nothing,
    /// The chosen patient's record is being read.
    Reading(PatientId),
    /// Taken over from the chosen patient's screening on file, asked on that day when
    /// known.
    TakenOver {
        /// The patient.
        patient: PatientId,
        /// When they were asked.
        asked_on: Option<Date>,
    },
    /// The chosen patient's record could not be read: no plan is made for them until
    /// it can, so that their screening is not replaced unseen.
    Unreadable {
        /// The patient.
        patient: PatientId,
        /// Why, as a sentence.
        message: String,
    },
}

/// Everything chosen on the new-plan screen so far.
#[derive(Debug, Clone)]
pub struct NewPlanDraft {
    /// Who it is for.
    pub patient: PatientChoice,
    /// The delivery route.
    pub modality: Option<Modality>,
    /// The cell source.
    pub source: Option<CellSource>,
    /// The target area.
    pub area: Option<Area>,
    /// The indication.
    pub indication: Option<Indication>,
    /// Added biologics.
    pub adjuncts: BTreeSet<CellSource>,
    /// Screening answers that are "yes".
    pub factors: BTreeSet<Factor>,
    /// Where the answers come from.
    pub screening_on_file: ScreeningOnFile,
    /// The wished date of session 1.
    pub start: Date,
    /// How many sessions, when the physician chose other than the protocol's typical
    /// count; cleared when the treatment changes.
    pub session_count: Option<u32>,
    /// The patient's weight in kilograms as typed, asked where a local anaesthetic is
    /// dosed by weight; may be empty.
    pub weight_kg: String,
    /// What the existing-patient picker is narrowed to, and what it found.
    picker: PatientPicker,
}

/// The existing-patient picker's filter: a clinic may have ten thousand patients, so
/// the list is narrowed by typing.
#[derive(Debug, Clone, Default)]
struct PatientPicker {
    /// The words typed.
    filter: String,
    /// The patients by name and clinic id (each row is its place in the patient list),
    /// and how many patients there were when it was made; made when first shown.
    search: Option<(usize, Searchable<usize>)>,
}

impl PatientPicker {
    /// The patients matching the filter, made again when the list of patients changed.
    /// Says whether the filter or the list changed since the last frame.
    fn refresh(&mut self, patients: &[PatientSummary]) -> bool {
        let stale = self
            .search
            .as_ref()
            .is_none_or(|(count, _)| *count != patients.len());
        if stale {
            let rows = patients
                .iter()
                .enumerate()
                .map(|(index, patient)| {
                    let text = match &patient.clinic_id {
                        Some(clinic_id) => format!("{} {clinic_id}", patient.name),
                        None => patient.name.clone(),
                    };
                    (index, text)
                })
                .collect();
            self.search = Some((patients.len(), Searchable::new(rows)));
        }
        let Some((_, search)) = &mut self.search else {
            return false;
        };
        let changed = stale || search.query() != self.filter;
        search.set_query(&self.filter);
        changed
    }

    /// The place in the patient list of the `index`-th patient that matches.
    fn matched(&self, index: usize) -> Option<usize> {
        self.search
            .as_ref()
            .and_then(|(_, search)| search.matched(index).copied())
    }

    /// Whether the patient is among those that match.
    fn shows(&self, id: &PatientId, patients: &[PatientSummary]) -> bool {
        (0..self.match_count()).any(|index| {
            self.matched(index)
                .and_then(|at| patients.get(at))
                .is_some_and(|patient| &patient.id == id)
        })
    }

    /// How many patients match.
    fn match_count(&self) -> usize {
        self.search
            .as_ref()
            .map_or(0, |(_, search)| search.match_count())
    }
}

/// Whether two names are the same, ignoring case and spacing.
fn same_name(a: &str, b: &str) -> bool {
    let mut left = a.split_whitespace();
    let mut right = b.split_whitespace();
    loop {
        match (left.next(), right.next()) {
            (None, None) => return true,
            (Some(x), Some(y))
                if x.chars()
                    .flat_map(char::to_lowercase)
                    .eq(y.chars().flat_map(char::to_lowercase)) => {}
            _ => return false,
        }
    }
}

/// The text a patient is shown by in lists: the name, the date of birth and the clinic
/// id when known.
fn patient_label(patient: &PatientSummary) -> String {
    let mut text = patient.name.clone();
    let details: Vec<String> = patient
        .birth_date
        .map(|date| format!("born {date}"))
        .into_iter()
        .chain(patient.clinic_id.iter().map(|id| format!("clinic id {id}")))
        .collect();
    if !details.is_empty() {
        text = format!("{text} ({})", details.join(", "));
    }
    text
}

impl NewPlanDraft {
    /// An empty draft for a new or an existing patient, starting `start`.
    #[must_use]
    pub fn new(patient: Option<PatientId>, start: Date) -> Self {
        Self {
            patient: patient.map_or_else(
                || PatientChoice::New(NewPatientForm::default()),
                |id| PatientChoice::Existing(Some(id)),
            ),
            modality: None,
            source: None,
            area: None,
            indication: None,
            adjuncts: BTreeSet::new(),
            factors: BTreeSet::new(),
            screening_on_file: ScreeningOnFile::Nothing,
            start,
            session_count: None,
            weight_kg: String::new(),
            picker: PatientPicker::default(),
        }
    }

    /// Takes over the screening on file of `patient`, whose record was read (or could
    /// not be), if the draft still waits for it.
    pub fn take_over_screening(&mut self, patient: &PatientId, record: Result<&Patient, &String>) {
        if self.screening_on_file != ScreeningOnFile::Reading(patient.clone()) {
            return;
        }
        self.screening_on_file = match record {
            Ok(record) => {
                self.factors.clone_from(&record.screening.factors);
                ScreeningOnFile::TakenOver {
                    patient: patient.clone(),
                    asked_on: record.screening.asked_on,
                }
            }
            Err(message) => ScreeningOnFile::Unreadable {
                patient: patient.clone(),
                message: message.clone(),
            },
        };
    }

    /// After the patient choice changed: the answers on screen belong to the patient
    /// now chosen. An existing patient's answers are read from their file (their id is
    /// returned, to read); answers taken over from another patient's file are cleared;
    /// the physician's own answers for a new patient stay.
    fn patient_changed(&mut self) -> Option<PatientId> {
        if self.screening_on_file != ScreeningOnFile::Nothing {
            self.factors.clear();
        }
        if let Some(id) = self.patient.picked().cloned() {
            self.factors.clear();
            self.screening_on_file = ScreeningOnFile::Reading(id.clone());
            Some(id)
        } else {
            self.screening_on_file = ScreeningOnFile::Nothing;
            None
        }
    }

    /// Whether anything was typed or chosen, which closing the window would lose.
    #[must_use]
    pub fn has_work(&self) -> bool {
        let typed = match &self.patient {
            PatientChoice::New(form) => {
                [&form.name, &form.birth_date, &form.clinic_id, &form.contact]
                    .iter()
                    .any(|field| !field.trim().is_empty())
            }
            PatientChoice::Existing(picked) => picked.is_some(),
        };
        typed || self.partial() != PartialSelection::default() || !self.factors.is_empty()
    }

    /// Who the draft is for, in words: "a new patient, Maria Alvarez", "Ana Lima" or
    /// "a new patient".
    #[must_use]
    pub fn patient_words(&self, patients: &[PatientSummary]) -> String {
        match &self.patient {
            PatientChoice::New(form) if !form.name.trim().is_empty() => {
                format!("a new patient, {}", form.name.trim())
            }
            PatientChoice::New(_) => "a new patient".to_owned(),
            PatientChoice::Existing(Some(id)) => patients
                .iter()
                .find(|patient| &patient.id == id)
                .map_or_else(
                    || "an existing patient".to_owned(),
                    |patient| patient.name.clone(),
                ),
            PatientChoice::Existing(None) => "an existing patient (not chosen yet)".to_owned(),
        }
    }

    /// The selection, once all four axes are chosen.
    #[must_use]
    pub fn selection(&self) -> Option<Selection> {
        Some(Selection {
            modality: self.modality?,
            source: self.source?,
            area: self.area?,
            indication: self.indication?,
            adjuncts: self.adjuncts.iter().copied().collect(),
        })
    }

    /// The request for the engine, once all four axes are chosen.
    #[must_use]
    pub fn request(&self, options: &ClinicOptions) -> Option<PlanRequest> {
        let mut request = PlanRequest::new(self.selection()?, self.factors.clone(), self.start);
        request.options = options.clone();
        request.session_count = self.session_count;
        request.weight_kg = self.weight();
        Some(request)
    }

    /// The weight typed, when it is a whole number of kilograms in a human range.
    #[must_use]
    pub fn weight(&self) -> Option<u32> {
        self.weight_kg
            .trim()
            .trim_end_matches("kg")
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|kg| (20..=300).contains(kg))
    }

    fn partial(&self) -> PartialSelection {
        PartialSelection {
            modality: self.modality,
            source: self.source,
            area: self.area,
            indication: self.indication,
        }
    }
}

/// The chosen axes as words: "injection of Platelet-rich plasma (PRP) to the scalp".
fn chosen_words(partial: PartialSelection) -> String {
    let mut words = Vec::new();
    if let Some(modality) = partial.modality {
        words.push(modality.label().to_lowercase());
    }
    if let Some(source) = partial.source {
        words.push(source.label().to_owned());
    }
    if let Some(area) = partial.area {
        words.push(format!("the {}", area.label().to_lowercase()));
    }
    if let Some(indication) = partial.indication {
        words.push(indication.label().to_lowercase());
    }
    words.join(", ")
}

/// When a greyed source is offered as an add-on of the treatment chosen so far (PRP with
/// fat grafting), says so and how to add it, rather than "no protocol covers it".
fn adjunct_reason(
    catalog: &Catalog,
    chosen: PartialSelection,
    with_choice: PartialSelection,
    label: &str,
) -> Option<String> {
    let source = with_choice.source.filter(|_| chosen.source.is_none())?;
    let hosts: Vec<CellSource> = catalog
        .protocols()
        .filter(|protocol| {
            protocol
                .adjuncts
                .iter()
                .any(|adjunct| adjunct.source == source)
        })
        .flat_map(|protocol| protocol.covers.iter())
        .filter(|coverage| {
            chosen
                .modality
                .is_none_or(|m| coverage.modalities.contains(&m))
                && chosen.area.is_none_or(|a| coverage.areas.contains(&a))
                && chosen
                    .indication
                    .is_none_or(|i| coverage.indications.contains(&i))
        })
        .flat_map(|coverage| coverage.sources.iter().copied())
        .filter(|host| *host != source)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    if hosts.is_empty() {
        return None;
    }
    let mut words = chosen_words(chosen);
    if words.is_empty() {
        "this treatment".clone_into(&mut words);
    }
    Some(format!(
        "{label} is not the main cell source with {words}: it is offered as an add-on. Choose {} as the cell source, then tick it under \"Adjuncts\".",
        hosts
            .iter()
            .map(|host| host.label())
            .collect::<Vec<_>>()
            .join(" or ")
    ))
}

/// Why a choice is greyed out, or `None` when it can be chosen. `chosen` are the other
/// axes already chosen; `with_choice` adds the choice itself.
fn unavailable_reason(
    catalog: &Catalog,
    chosen: PartialSelection,
    with_choice: PartialSelection,
    label: &str,
) -> Option<String> {
    if let (Some(area), Some(indication)) = (with_choice.area, with_choice.indication)
        && !indication.fits_area(area)
    {
        return Some(format!(
            "{} is not an indication of the {}.",
            indication.label(),
            area.label().to_lowercase()
        ));
    }
    if !catalog.offers(&with_choice) {
        if let Some(reason) = adjunct_reason(catalog, chosen, with_choice, label) {
            return Some(reason);
        }
        return Some(format!(
            "No protocol covers {label} with {}.",
            chosen_words(chosen)
        ));
    }
    let covering: Vec<&crate::catalog::Protocol> = catalog
        .protocols()
        .filter(|protocol| {
            protocol.covers.iter().any(|coverage| {
                with_choice
                    .modality
                    .is_none_or(|m| coverage.modalities.contains(&m))
                    && with_choice
                        .source
                        .is_none_or(|s| coverage.sources.contains(&s))
                    && with_choice.area.is_none_or(|a| coverage.areas.contains(&a))
                    && with_choice
                        .indication
                        .is_none_or(|i| coverage.indications.contains(&i))
            })
        })
        .collect();
    if !covering.is_empty()
        && covering.iter().all(|protocol| {
            // A treatment given only within a trial stays a choice: its plan refers
            // the patient unless the screening records the trial.
            protocol.regulatory.status == RegulatoryStatus::Restricted
                && protocol.trial_enrolled.is_none()
        })
    {
        let notes: Vec<String> = covering
            .iter()
            .flat_map(|protocol| protocol.regulatory.notes.iter())
            .map(|note| format!("{}: {}", note.jurisdiction.label(), note.note))
            .take(2)
            .collect();
        return Some(format!(
            "{label}: restricted in aesthetic use in the US and EU, so it is offered only within a clinical trial. {}",
            notes.join(" ")
        ));
    }
    None
}

/// One row of choices for an axis; greyed choices explain why on hover. `with` gives
/// the selection with this axis set to a value, or cleared.
fn choice_row<T: Copy + PartialEq>(
    ui: &mut Ui,
    catalog: &Catalog,
    title: &str,
    all: &[T],
    label: fn(T) -> &'static str,
    chosen: &mut Option<T>,
    with: impl Fn(Option<T>) -> PartialSelection,
) -> bool {
    let mut changed = false;
    ui.label(RichText::new(title).strong());
    ui.horizontal_wrapped(|ui| {
        for value in all {
            let reason = unavailable_reason(catalog, with(None), with(Some(*value)), label(*value));
            let selected = *chosen == Some(*value);
            let button =
                egui::Button::selectable(selected, label(*value)).frame_when_inactive(true);
            let response = ui.add_enabled(reason.is_none() || selected, button);
            let response = match reason {
                Some(reason) => response
                    .on_disabled_hover_text(reason.clone())
                    .on_hover_text(reason),
                None => response,
            };
            if response.clicked() {
                *chosen = if selected { None } else { Some(*value) };
                changed = true;
            }
        }
    });
    changed
}

/// The new-plan screen. `patients` lets the physician pick an existing patient.
pub fn new_plan_ui(
    ui: &mut Ui,
    draft: &mut NewPlanDraft,
    catalog: &Catalog,
    options: &ClinicOptions,
    patients: &[PatientSummary],
    today: Date,
    fresh: bool,
) -> Option<Action> {
    let mut action = None;
    ui.horizontal_wrapped(|ui| {
        ui.heading("New plan");
        if ui
            .button("Cancel")
            .on_hover_text(
                "Leave the new plan; when something was chosen or typed, you are asked first (Esc does the same)",
            )
            .clicked()
        {
            action = Some(Action::CancelNewPlan);
        }
    });
    ui.columns(2, |columns| {
        // `columns` lays its children out justified, which spreads wrapped text into
        // wide gaps: each column is plain left-aligned text.
        let layout = egui::Layout::top_down(egui::Align::LEFT);
        columns[0].with_layout(layout, |ui| {
            super::widgets::scroll_area("new-plan-form", fresh).show(ui, |ui| {
                if let Some(id) = form_ui(ui, draft, catalog, options, patients) {
                    action = Some(Action::ReadScreening(id));
                }
            });
        });
        columns[1].with_layout(layout, |preview| {
            preview.horizontal_wrapped(|ui| {
                action = action
                    .take()
                    .or(create_button_ui(ui, draft, catalog, options));
                ui.weak("Saved as a draft; every change after that is a new revision.");
            });
            super::widgets::scroll_area("new-plan-preview", fresh).show(preview, |ui| {
                preview_ui(ui, draft, catalog, options, today);
            });
        });
    });
    action
}

/// Who the plan is for. Returns the existing patient newly picked, whose screening on
/// file is to be read.
fn patient_ui(
    ui: &mut Ui,
    draft: &mut NewPlanDraft,
    patients: &[PatientSummary],
) -> Option<PatientId> {
    let chosen_before = (
        matches!(draft.patient, PatientChoice::New(_)),
        draft.patient.picked().cloned(),
    );
    section_heading(ui, "1. Patient");
    ui.horizontal(|ui| {
        let is_new = matches!(draft.patient, PatientChoice::New(_));
        if ui.selectable_label(is_new, "New patient").clicked() && !is_new {
            draft.patient = PatientChoice::New(NewPatientForm::default());
        }
        // Nobody is picked for the physician: the list opens on no one.
        if ui
            .add_enabled(
                !patients.is_empty(),
                egui::Button::selectable(!is_new, "Existing patient"),
            )
            .clicked()
            && is_new
        {
            draft.patient = PatientChoice::Existing(None);
        }
    });
    let mut switch_to = None;
    match &mut draft.patient {
        PatientChoice::New(form) => {
            egui::Grid::new("new-patient")
                .num_columns(2)
                .show(ui, |ui| {
                    for (label, value, hint) in [
                        ("Name", &mut form.name, "First and last name"),
                        ("Date of birth", &mut form.birth_date, "YYYY-MM-DD"),
                        ("Clinic id", &mut form.clinic_id, "Chart number (optional)"),
                        ("Contact", &mut form.contact, "Phone or e-mail"),
                    ] {
                        let label = ui.label(label);
                        ui.add(
                            egui::TextEdit::singleline(value)
                                .hint_text(hint)
                                .desired_width(260.0),
                        )
                        .labelled_by(label.id);
                        ui.end_row();
                    }
                });
            if let Err(message) = form.birth_date() {
                ui.colored_label(ui.visuals().error_fg_color, message);
            }
            switch_to = same_name_ui(ui, form, patients);
        }
        PatientChoice::Existing(picked) => {
            existing_patient_ui(ui, picked, &mut draft.picker, patients);
        }
    }
    if let Some(id) = switch_to {
        draft.patient = PatientChoice::Existing(Some(id));
    }
    let chosen_now = (
        matches!(draft.patient, PatientChoice::New(_)),
        draft.patient.picked().cloned(),
    );
    if chosen_now == chosen_before {
        None
    } else {
        draft.patient_changed()
    }
}

/// Patients already in the records under the name being typed, each with a button to
/// make the plan for them instead: a second record for one person splits their history.
/// Returns the patient chosen.
fn same_name_ui(
    ui: &mut Ui,
    form: &mut NewPatientForm,
    patients: &[PatientSummary],
) -> Option<PatientId> {
    if form.checked_name != form.name {
        form.same_name = if form.name.trim().is_empty() {
            Vec::new()
        } else {
            patients
                .iter()
                .filter(|patient| same_name(&patient.name, &form.name))
                .map(|patient| patient.id.clone())
                .take(5)
                .collect()
        };
        form.checked_name.clone_from(&form.name);
    }
    if form.same_name.is_empty() {
        return None;
    }
    let mut chosen = None;
    ui.colored_label(
        ui.visuals().warn_fg_color,
        "A patient with this name is already in the records. Make the plan for them, unless this is another person:",
    );
    for id in &form.same_name {
        if let Some(patient) = patients.iter().find(|patient| &patient.id == id)
            && ui
                .horizontal(|ui| ui.button(format!("Use {}", patient_label(patient))))
                .inner
                .clicked()
        {
            chosen = Some(id.clone());
        }
    }
    chosen
}

/// The existing patient, picked from a list narrowed by typing. A patient the list no
/// longer shows is no longer picked: the plan goes only to someone the physician sees.
fn existing_patient_ui(
    ui: &mut Ui,
    chosen: &mut Option<PatientId>,
    picker: &mut PatientPicker,
    patients: &[PatientSummary],
) {
    let current = match chosen {
        Some(id) => patients
            .iter()
            .find(|patient| &patient.id == id)
            .map_or_else(|| id.to_string(), patient_label),
        None => "Choose a patient".to_owned(),
    };
    egui::Grid::new("existing-patient-grid")
        .num_columns(2)
        .show(ui, |ui| {
            let label = ui.label("Find");
            ui.add(
                egui::TextEdit::singleline(&mut picker.filter)
                    .hint_text("Name or clinic id")
                    .desired_width(260.0),
            )
            .labelled_by(label.id);
            ui.end_row();
            let changed = picker.refresh(patients);
            if changed && !picker.filter.trim().is_empty() {
                if picker.match_count() == 1 {
                    // Typing down to one patient picks them: no need to open the list.
                    *chosen = picker
                        .matched(0)
                        .and_then(|at| patients.get(at))
                        .map(|patient| patient.id.clone());
                } else if chosen
                    .as_ref()
                    .is_some_and(|id| !picker.shows(id, patients))
                {
                    *chosen = None;
                }
            }
            let label = ui.label("Patient");
            egui::ComboBox::from_id_salt("existing-patient")
                .selected_text(current)
                .width(260.0)
                .show_ui(ui, |ui| {
                    // Only the rows in view are built: a clinic may have ten thousand.
                    let row_height = ui.spacing().interact_size.y;
                    egui::ScrollArea::vertical()
                        .max_height(row_height * 16.0)
                        .show_rows(ui, row_height, picker.match_count(), |ui, rows| {
                            for index in rows {
                                if let Some(patient) =
                                    picker.matched(index).and_then(|at| patients.get(at))
                                {
                                    ui.selectable_value(
                                        chosen,
                                        Some(patient.id.clone()),
                                        patient_label(patient),
                                    );
                                }
                            }
                        });
                })
                .response
                .labelled_by(label.id);
            ui.end_row();
            if picker.match_count() == 0 {
                ui.label("");
                ui.weak("No patient matches");
                ui.end_row();
            }
        });
}

/// The form on the left. Returns the existing patient newly chosen, whose screening on
/// file is to be read.
fn form_ui(
    ui: &mut Ui,
    draft: &mut NewPlanDraft,
    catalog: &Catalog,
    options: &ClinicOptions,
    patients: &[PatientSummary],
) -> Option<PatientId> {
    let picked = patient_ui(ui, draft, patients);
    treatment_ui(ui, draft, catalog);
    let protocol = draft
        .selection()
        .and_then(|selection| catalog.covering(&selection));
    screening_ui(ui, draft, protocol);
    section_heading(ui, "4. Sessions and start");
    if let Some(protocol) = protocol {
        session_count_ui(ui, draft, protocol);
    }
    ui.horizontal_wrapped(|ui| {
        date_field(ui, "new-plan-start", "First session", &mut draft.start);
    });
    if let Some(moved) = options
        .next_open_day(draft.start)
        .and_then(|open| crate::planning::moved_off_closed_day(draft.start, open, options))
    {
        ui.colored_label(ui.visuals().warn_fg_color, format!("{moved}."));
    }
    picked
}

/// How many sessions: the protocol's range, with its typical count chosen until the
/// physician chooses another.
fn session_count_ui(ui: &mut Ui, draft: &mut NewPlanDraft, protocol: &crate::catalog::Protocol) {
    let schedule = &protocol.sessions;
    let range = schedule.range;
    let typical = schedule.typical;
    let count_words = |count: u32| {
        let mut text = crate::export::count(count as usize, "session", "sessions");
        if count == typical {
            text.push_str(" (typical)");
        }
        text
    };
    ui.horizontal_wrapped(|ui| {
        let label = ui.label("Sessions");
        if range.min == range.max {
            ui.label(count_words(range.min))
                .on_hover_text("The protocol plans this many sessions and allows no other count.");
            return;
        }
        let mut count = draft.session_count.unwrap_or(typical);
        egui::ComboBox::from_id_salt("new-plan-sessions")
            .selected_text(count_words(count))
            .show_ui(ui, |ui| {
                for option in range.min..=range.max {
                    ui.selectable_value(&mut count, option, count_words(option));
                }
            })
            .response
            .labelled_by(label.id)
            .on_hover_text(format!(
                "The protocol allows {} to {} sessions, usually {} days apart.",
                range.min, range.max, schedule.spacing_days
            ));
        draft.session_count = (count != typical).then_some(count);
    });
}

fn treatment_ui(ui: &mut Ui, draft: &mut NewPlanDraft, catalog: &Catalog) {
    section_heading(ui, "2. Treatment");
    let base = draft.partial();
    let mut changed = choice_row(
        ui,
        catalog,
        "Modality",
        Modality::ALL,
        Modality::label,
        &mut draft.modality,
        |modality| PartialSelection { modality, ..base },
    );
    let base = draft.partial();
    changed |= choice_row(
        ui,
        catalog,
        "Cell source",
        CellSource::ALL,
        CellSource::label,
        &mut draft.source,
        |source| PartialSelection { source, ..base },
    );
    let base = draft.partial();
    changed |= choice_row(
        ui,
        catalog,
        "Target area",
        Area::ALL,
        Area::label,
        &mut draft.area,
        |area| PartialSelection { area, ..base },
    );
    let base = draft.partial();
    changed |= choice_row(
        ui,
        catalog,
        "Indication",
        Indication::ALL,
        Indication::label,
        &mut draft.indication,
        |indication| PartialSelection { indication, ..base },
    );
    if changed {
        // A choice that no longer fits the others is cleared rather than kept silently.
        if !catalog.offers(&draft.partial()) {
            draft.indication = None;
            if !catalog.offers(&draft.partial()) {
                draft.area = None;
            }
        }
        draft.adjuncts.clear();
        draft.session_count = None;
    }

    let protocol = draft
        .selection()
        .and_then(|selection| catalog.covering(&selection));
    if let Some(protocol) = protocol
        && !protocol.adjuncts.is_empty()
    {
        ui.label(RichText::new("Adjuncts").strong());
        for adjunct in &protocol.adjuncts {
            let mut on = draft.adjuncts.contains(&adjunct.source);
            if ui
                .checkbox(&mut on, format!("Add {}", adjunct.source.label()))
                .on_hover_text(&adjunct.purpose)
                .changed()
            {
                if on {
                    draft.adjuncts.insert(adjunct.source);
                } else {
                    draft.adjuncts.remove(&adjunct.source);
                }
            }
        }
    }
}

fn screening_ui(
    ui: &mut Ui,
    draft: &mut NewPlanDraft,
    protocol: Option<&crate::catalog::Protocol>,
) {
    section_heading(ui, "3. Screening");
    ui.weak("Answer each question; \"yes\" is ticked.");
    match &draft.screening_on_file {
        ScreeningOnFile::Nothing => {}
        ScreeningOnFile::Reading(_) => {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label("Reading the patient's screening on file…");
            });
        }
        ScreeningOnFile::TakenOver {
            asked_on: Some(date),
            ..
        } => {
            ui.label(format!(
                "The answers are those of the last screening on {date}: ask each question again."
            ));
        }
        ScreeningOnFile::TakenOver { asked_on: None, .. } => {
            if !draft.factors.is_empty() {
                ui.label("The answers are those on file: ask each question again.");
            }
        }
        ScreeningOnFile::Unreadable { message, .. } => {
            ui.colored_label(
                ui.visuals().error_fg_color,
                format!("The patient's screening on file could not be read: {message}"),
            );
        }
    }
    for factor in Factor::ALL {
        let mut yes = draft.factors.contains(factor);
        let selection = draft.selection();
        let rule = protocol
            .zip(selection.as_ref())
            .and_then(|(protocol, selection)| {
                protocol
                    .rules_for(*factor, selection)
                    .min_by_key(|rule| rule.severity)
            });
        // The question wraps within the form's column and what the answer means is
        // said below it, so that neither spills into the preview.
        if ui.checkbox(&mut yes, factor.question()).changed() {
            if yes {
                draft.factors.insert(*factor);
            } else {
                draft.factors.remove(factor);
            }
        }
        if yes && let Some(rule) = rule {
            let severity = match rule.severity {
                FactorSeverity::Contraindicated => Severity::Contraindicated,
                FactorSeverity::Caution => Severity::Caution,
                FactorSeverity::NotRelevant => Severity::Notice,
            };
            ui.horizontal(|ui| {
                ui.add_space(ui.spacing().icon_width + ui.spacing().icon_spacing);
                badge(ui, rule.severity.label(), severity).on_hover_text(&rule.reason);
            });
        }
    }
    let dosed_by_weight = protocol.is_some_and(|protocol| {
        protocol
            .steps
            .iter()
            .chain(protocol.adjuncts.iter().flat_map(|adjunct| &adjunct.steps))
            .any(|step| step.dose_limit.is_some())
    });
    if dosed_by_weight {
        ui.horizontal_wrapped(|ui| {
            let label = ui.label("Weight (kg)");
            ui.add(egui::TextEdit::singleline(&mut draft.weight_kg).desired_width(60.0))
                .labelled_by(label.id)
                .on_hover_text("The maximum dose of the local anaesthetic is worked out from it");
            if !draft.weight_kg.trim().is_empty() && draft.weight().is_none() {
                ui.colored_label(
                    ui.visuals().error_fg_color,
                    "write the weight as whole kilograms, for example 72",
                );
            } else if draft.weight_kg.trim().is_empty() {
                ui.weak("needed for the maximum dose of the local anaesthetic");
            }
        });
    }
}

/// The "Create plan" button, enabled once the patient and all four choices are given.
fn create_button_ui(
    ui: &mut Ui,
    draft: &NewPlanDraft,
    catalog: &Catalog,
    options: &ClinicOptions,
) -> Option<Action> {
    let patient_ready = match &draft.patient {
        PatientChoice::New(form) => !form.name.trim().is_empty() && form.birth_date().is_ok(),
        PatientChoice::Existing(picked) => picked.is_some(),
    };
    // An existing patient's answers on file are read first: creating the plan saves
    // the answers on screen as their screening.
    let screening_ready = !matches!(
        draft.screening_on_file,
        ScreeningOnFile::Reading(_) | ScreeningOnFile::Unreadable { .. }
    );
    let plan_ready = draft
        .request(options)
        .is_some_and(|request| catalog.covering(&request.selection).is_some());
    let ready = patient_ready && plan_ready && screening_ready;
    let button = ui.add_enabled(
        ready,
        egui::Button::new(RichText::new("Create plan").strong()),
    );
    let button = if ready {
        button
    } else {
        button.on_disabled_hover_text(if !patient_ready {
            match draft.patient {
                PatientChoice::New(_) => {
                    "Give the patient's name (and a valid date of birth, if any) first."
                }
                PatientChoice::Existing(_) => "Choose the patient first.",
            }
        } else if !screening_ready {
            "The patient's screening on file is read first."
        } else {
            "Choose modality, cell source, area and indication first."
        })
    };
    button
        .clicked()
        .then(|| Action::CreatePlan(Box::new(draft.clone())))
}

fn preview_ui(
    ui: &mut Ui,
    draft: &mut NewPlanDraft,
    catalog: &Catalog,
    options: &ClinicOptions,
    today: Date,
) {
    section_heading(ui, "Preview");
    let Some(request) = draft.request(options) else {
        ui.weak("Choose modality, cell source, area and indication to see the plan.");
        return;
    };
    match generate(catalog, &request) {
        Ok(plan) => {
            if let Some(earliest) = earliest_feasible_start(&plan, draft.start, today, options) {
                banner(ui, Severity::Caution, |ui, color| {
                    ui.label(RichText::new(format!(
                        "Some preparation would be due before today ({today}). A first session on or after {} leaves time for all of it.",
                        date_text(earliest)
                    )).color(color));
                    if ui.button(format!("Start on {earliest}")).clicked() {
                        draft.start = earliest;
                    }
                });
                ui.add_space(4.0);
            }
            plan_preview_ui(ui, &plan, today);
        }
        Err(error) => preview_error_ui(ui, &error),
    }
}

fn preview_error_ui(ui: &mut Ui, error: &PlanError) {
    banner(ui, Severity::Caution, |ui, color| {
        ui.label(RichText::new(error.to_string()).color(color));
    });
}

/// A compact view of a generated plan, for the preview.
fn plan_preview_ui(ui: &mut Ui, plan: &Plan, today: Date) {
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new(&plan.protocol.title).strong());
        badge(
            ui,
            plan.regulatory.status.label(),
            status_severity(plan.regulatory.status),
        );
    });
    if !plan.candidate {
        not_candidate_banner(ui, plan);
    }
    for warning in plan
        .warnings
        .iter()
        .filter(|warning| warning.severity != Severity::Contraindicated)
    {
        banner(ui, warning.severity, |ui, color| {
            ui.label(RichText::new(&warning.message).color(color));
        });
        ui.add_space(4.0);
    }
    super::timeline::timeline_ui(ui, plan, today, &[]);
    for session in &plan.sessions {
        ui.label(format!(
            "Session {}: {}, {} minutes",
            session.number,
            date_text(session.date),
            session.duration_minutes
        ));
    }
    if let Some(visit) = plan.follow_ups.last() {
        ui.label(format!(
            "Last follow-up: {} ({})",
            date_text(visit.date),
            visit.purpose
        ));
    }
    ui.collapsing("Evidence", |ui| {
        ui.label(&plan.evidence);
    });
}
