//! The bar at the top of the window: the clinic, and the buttons that open each screen.

use egui::Ui;

use super::action::Action;
use crate::store::Settings;

/// The top bar. Returns what the physician asked for.
pub fn top_bar_ui(ui: &mut Ui, settings: &Settings) -> Option<Action> {
    let mut action = None;
    ui.horizontal_wrapped(|ui| {
        ui.strong("Regen Planner");
        if !settings.clinic_name.is_empty() {
            ui.weak(&settings.clinic_name);
        }
        ui.separator();
        if ui.button("New plan… (Ctrl+N)").clicked() {
            action = Some(Action::NewPlan(None));
        }
        if ui.button("Agenda").clicked() {
            action = Some(Action::ShowAgenda);
        }
        if ui.button("All plans").clicked() {
            action = Some(Action::ShowAllPlans);
        }
        if ui.button("Protocol library").clicked() {
            action = Some(Action::ShowLibrary);
        }
        if ui
            .button("Lot recall")
            .on_hover_text("Every patient who received a lot")
            .clicked()
        {
            action = Some(Action::ShowLotRecall);
        }
        if ui.button("Settings…").clicked() {
            action = Some(Action::OpenSettings);
        }
    });
    action
}
