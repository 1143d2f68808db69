//! The settings dialog: clinic, physician, working days, jurisdiction, theme, and where
//! the data lives.

use std::path::Path;

use egui::{RichText, Ui};

use super::action::Action;
use crate::catalog::{Catalog, Jurisdiction, ProtocolId};
use crate::planning::{Weekday, closed_dates_text, parse_closed_dates};
use crate::store::{Settings, ThemePreference};

/// The dialog's draft, edited until saved or dropped.
#[derive(Debug, Clone)]
pub struct SettingsDialog {
    /// The settings being edited.
    pub draft: Settings,
    /// Saving is on its way; the dialog closes when the file is written.
    pub saving: bool,
    /// The price of a session of each protocol, as typed: `(id, title, text)`.
    prices: Vec<(ProtocolId, String, String)>,
    /// The clinic's closed dates as typed, one `YYYY-MM-DD` a line (or separated by
    /// commas).
    closed_dates: String,
}

impl SettingsDialog {
    /// A draft of the current settings, with a price field for every protocol.
    #[must_use]
    pub fn new(settings: &Settings, catalog: &Catalog) -> Self {
        let prices = catalog
            .protocols()
            .map(|protocol| {
                let text = settings
                    .session_prices
                    .get(&protocol.id)
                    .map(ToString::to_string)
                    .unwrap_or_default();
                (protocol.id.clone(), protocol.title.clone(), text)
            })
            .collect();
        Self {
            draft: settings.clone(),
            prices,
            closed_dates: closed_dates_text(&settings.closed_dates),
            saving: false,
        }
    }

    /// Whether the dialog holds changes to `current` that are not saved (and not being
    /// saved).
    #[must_use]
    pub fn has_changes(&self, current: &Settings) -> bool {
        !self.saving && !matches!(self.settings_with_prices(), Ok(settings) if settings == *current)
    }

    /// The settings with the typed prices and closed dates, or the first price that is
    /// not a whole number or closed date that is not a date.
    fn settings_with_prices(&self) -> Result<Settings, String> {
        let mut settings = self.draft.clone();
        settings.closed_dates = parse_closed_dates(&self.closed_dates)
            .map_err(|error| format!("Closed dates: {error}."))?;
        settings.database_url = settings.database_url.trim().to_owned();
        if !settings.database_url.is_empty() {
            crate::store::check_url_for_settings(&settings.database_url)
                .map_err(|error| format!("Database: {error}."))?;
        }
        settings.session_prices.clear();
        for (id, title, text) in &self.prices {
            let text = text.trim();
            if text.is_empty() {
                continue;
            }
            let price = text.parse::<u32>().map_err(|_| {
                format!("The price of \"{title}\" must be a whole number, such as 350.")
            })?;
            settings.session_prices.insert(id.clone(), price);
        }
        Ok(settings)
    }
}

/// Draws the dialog's contents; the caller puts them in a modal.
pub fn settings_ui(
    ui: &mut Ui,
    dialog: &mut SettingsDialog,
    data_dir: &Path,
    config_dir: &Path,
    store: &str,
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

            closed_dates_ui(ui, &mut dialog.closed_dates);
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
                    action = Some(Action::OpenFolder(data_dir.to_path_buf()));
                }
            });
            ui.end_row();

            database_ui(ui, &mut draft.database_url, store);
            ui.end_row();

            ui.label("Clinic protocols");
            ui.label(RichText::new(config_dir.join("protocols").display().to_string()).monospace());
            ui.end_row();
        });
    handout_ui(ui, &mut dialog.draft);
    prices_ui(ui, dialog);
    let draft = &dialog.draft;
    let priced = dialog.settings_with_prices();
    if let Err(message) = &priced {
        ui.colored_label(ui.visuals().error_fg_color, message);
    }
    if draft.working_days.is_empty() {
        ui.colored_label(
            ui.visuals().error_fg_color,
            "Open at least one working day: sessions need a day the clinic is open.",
        );
    }
    ui.add_space(8.0);
    let saving = dialog.saving;
    action = action.or(buttons_ui(ui, draft, priced, saving));
    action
}

/// The PostgreSQL database of the clinic, used from the next start (a grid row).
fn database_ui(ui: &mut Ui, url: &mut String, store: &str) {
    let label = ui.label("Database");
    ui.vertical(|ui| {
        ui.add(
            egui::TextEdit::singleline(url)
                .desired_width(420.0)
                .hint_text("Blank: the data folder. postgresql://USER@HOST/DATABASE?sslmode=verify-full"),
        )
        .labelled_by(label.id)
        .on_hover_text(
            "Several desks or clinics on one PostgreSQL server; the password goes in ~/.pgpass (mode 0600), never here",
        );
        ui.weak(format!(
            "Used from the next start of the app; --database and REGEN_PLANNER_DATABASE_URL win over it. Now: {store}."
        ));
    });
}

/// The clinic's closed dates, typed one a line or separated by commas (a grid row).
fn closed_dates_ui(ui: &mut Ui, text: &mut String) {
    let label = ui.label("Closed dates");
    ui.add(
        egui::TextEdit::multiline(text)
            .desired_rows(2)
            .desired_width(280.0)
            .hint_text("2027-01-01, 2027-12-25"),
    )
    .labelled_by(label.id)
    .on_hover_text(
        "Public holidays and leave, YYYY-MM-DD, one a line or separated by commas: no session or follow-up is planned on them",
    );
}

/// Save and Cancel, with "Saving…" while the settings are written.
fn buttons_ui(
    ui: &mut Ui,
    draft: &Settings,
    priced: Result<Settings, String>,
    saving: bool,
) -> Option<Action> {
    let mut action = None;
    ui.horizontal(|ui| {
        let valid = !draft.working_days.is_empty();
        if ui
            .add_enabled(
                valid && priced.is_ok() && !saving,
                egui::Button::new("Save"),
            )
            .clicked()
            && let Ok(settings) = priced
        {
            action = Some(Action::SaveSettings(Box::new(settings)));
        }
        if ui.button("Cancel").clicked() {
            action = Some(Action::CloseDialog);
        }
        if saving {
            ui.spinner();
            ui.label("Saving…");
        } else {
            ui.weak("Esc closes without saving.");
        }
    });
    action
}

/// The price of one session of each protocol, for the consent document's estimate.
fn prices_ui(ui: &mut Ui, dialog: &mut SettingsDialog) {
    egui::CollapsingHeader::new("Prices per session (optional, for the consent estimate)")
        .id_salt("prices")
        .show(ui, |ui| {
            ui.horizontal(|ui| {
                let label = ui.label("Currency");
                ui.add(
                    egui::TextEdit::singleline(&mut dialog.draft.currency)
                        .desired_width(60.0)
                        .hint_text("EUR"),
                )
                .labelled_by(label.id);
            });
            egui::ScrollArea::vertical()
                .max_height(180.0)
                .show(ui, |ui| {
                    egui::Grid::new("prices-grid")
                        .num_columns(2)
                        .show(ui, |ui| {
                            for (_, title, text) in &mut dialog.prices {
                                let label = ui.label(title.as_str());
                                ui.add(
                                    egui::TextEdit::singleline(text)
                                        .desired_width(80.0)
                                        .hint_text("ask"),
                                )
                                .labelled_by(label.id);
                                ui.end_row();
                            }
                        });
                });
        });
}

/// What handouts and calendars carry about the clinic and the patient.
fn handout_ui(ui: &mut Ui, draft: &mut Settings) {
    egui::Grid::new("handout-grid")
        .num_columns(2)
        .spacing([12.0, 8.0])
        .show(ui, |ui| {
            let label = ui.label("Clinic contact");
            ui.add(
                egui::TextEdit::multiline(&mut draft.clinic_contact)
                    .desired_rows(2)
                    .desired_width(280.0)
                    .hint_text("Address, phone, e-mail: printed on handouts"),
            )
            .labelled_by(label.id);
            ui.end_row();

            ui.label("Calendar exports");
            ui.checkbox(
                &mut draft.calendar_patient_names,
                "Put the patient's name in calendar events",
            )
            .on_hover_text("Off by default: calendars are often shared or synced to phones");
            ui.end_row();
        });
}
