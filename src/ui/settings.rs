//! The settings dialog: clinic, physician, working days, jurisdiction, theme, and where
//! the data lives.

use std::path::Path;

use egui::{RichText, Ui};

use super::action::Action;
use crate::catalog::Jurisdiction;
use crate::planning::Weekday;
use crate::store::{Settings, ThemePreference};

/// The dialog's draft, edited until saved or dropped.
#[derive(Debug, Clone)]
pub struct SettingsDialog {
    /// The settings being edited.
    pub draft: Settings,
}

/// Draws the dialog's contents; the caller puts them in a modal.
pub fn settings_ui(
    ui: &mut Ui,
    dialog: &mut SettingsDialog,
    data_dir: &Path,
    config_dir: &Path,
) -> Option<Action> {
    let mut action = None;
    let draft = &mut dialog.draft;
    ui.set_min_width(560.0);
    ui.heading("Settings");
    egui::Grid::new("settings-grid")
        .num_columns(2)
        .spacing([12.0, 8.0])
        .show(ui, |ui| {
            let label = ui.label("Clinic name");
            ui.add(egui::TextEdit::singleline(&mut draft.clinic_name).desired_width(280.0))
                .labelled_by(label.id);
            ui.end_row();

            let label = ui.label("Physician name");
            ui.add(
                egui::TextEdit::singleline(&mut draft.physician_name)
                    .desired_width(280.0)
                    .hint_text("Recorded with every save"),
            )
            .labelled_by(label.id);
            ui.end_row();

            ui.label("Working days");
            ui.horizontal(|ui| {
                for day in Weekday::ALL {
                    let mut open = draft.working_days.contains(*day);
                    let short = day.label().get(..3).unwrap_or(day.label());
                    if ui
                        .checkbox(&mut open, short)
                        .on_hover_text(day.label())
                        .changed()
                    {
                        draft.working_days.set(*day, open);
                    }
                }
            });
            ui.end_row();

            let label = ui.label("Regulatory notes for");
            let current = draft.jurisdiction.map_or("US and EU", Jurisdiction::label);
            egui::ComboBox::from_id_salt("jurisdiction")
                .selected_text(current)
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut draft.jurisdiction, None, "US and EU");
                    for jurisdiction in Jurisdiction::ALL {
                        ui.selectable_value(
                            &mut draft.jurisdiction,
                            Some(*jurisdiction),
                            jurisdiction.label(),
                        );
                    }
                })
                .response
                .labelled_by(label.id);
            ui.end_row();

            ui.label("Theme");
            ui.horizontal(|ui| {
                ui.selectable_value(&mut draft.theme, ThemePreference::System, "System");
                ui.selectable_value(&mut draft.theme, ThemePreference::Light, "Light");
                ui.selectable_value(&mut draft.theme, ThemePreference::Dark, "Dark");
            });
            ui.end_row();

            ui.label("Data folder");
            ui.horizontal_wrapped(|ui| {
                ui.label(RichText::new(data_dir.display().to_string()).monospace());
                if ui.button("Open folder").clicked() {
                    action = Some(Action::OpenDataFolder);
                }
            });
            ui.end_row();

            ui.label("Clinic protocols");
            ui.label(RichText::new(config_dir.join("protocols").display().to_string()).monospace());
            ui.end_row();
        });
    if draft.working_days.is_empty() {
        ui.colored_label(
            ui.visuals().error_fg_color,
            "Open at least one working day: sessions need a day the clinic is open.",
        );
    }
    ui.add_space(8.0);
    ui.horizontal(|ui| {
        let valid = !draft.working_days.is_empty();
        if ui.add_enabled(valid, egui::Button::new("Save")).clicked() {
            action = Some(Action::SaveSettings(Box::new(draft.clone())));
        }
        if ui.button("Cancel").clicked() {
            action = Some(Action::CloseDialog);
        }
        ui.weak("Esc closes without saving.");
    });
    action
}
