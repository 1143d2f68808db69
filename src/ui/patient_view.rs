//! One patient: details, latest screening, and their plans.

use egui::{RichText, Ui};

use super::action::Action;
use super::widgets::{date_text, plan_status_badge, section_heading, timestamp_text};
use crate::store::{Patient, PatientId, PlanSummary, Revision};

/// The patient screen.
pub fn patient_view_ui(
    ui: &mut Ui,
    id: &PatientId,
    patient: &Revision<Patient>,
    plans: &[&PlanSummary],
    fresh: bool,
) -> Option<Action> {
    super::widgets::scroll_area("patient-view", fresh)
        .show(ui, |ui| patient_ui(ui, id, patient, plans))
        .inner
}

fn patient_ui(
    ui: &mut Ui,
    id: &PatientId,
    patient: &Revision<Patient>,
    plans: &[&PlanSummary],
) -> Option<Action> {
    let mut action = None;
    let record = &patient.value;
    ui.heading(&record.name);
    egui::Grid::new("patient-details")
        .num_columns(2)
        .show(ui, |ui| {
            ui.label("Date of birth");
            ui.label(
                record
                    .birth_date
                    .map_or_else(|| "not given".to_owned(), |date| date.to_string()),
            );
            ui.end_row();
            ui.label("Clinic id");
            ui.label(record.clinic_id.as_deref().unwrap_or("none"));
            ui.end_row();
            ui.label("Contact");
            ui.label(if record.contact.is_empty() {
                "not given"
            } else {
                &record.contact
            });
            ui.end_row();
            ui.label("Record");
            ui.weak(format!(
                "revision {}, saved {} by {}",
                patient.number,
                timestamp_text(patient.saved_at),
                patient.saved_by
            ));
            ui.end_row();
        });
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
        action = Some(Action::NewPlan(Some(id.clone())));
    }
    if plans.is_empty() {
        ui.weak("No plans yet.");
    }
    for plan in plans {
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
