//! The bar at the foot of the window: the newest message, or where the data lives.

use std::path::Path;

use egui::Ui;

/// The status bar: what the app is busy with that the physician waits for, if
/// anything; a short confirmation of what was just done ("Saved revision 4"); then the
/// newest message with a button that dismisses it, else the data folder.
pub fn status_bar_ui(
    ui: &mut Ui,
    activity: Option<&str>,
    confirmation: Option<&str>,
    messages: &mut Vec<String>,
    data_dir: &Path,
) {
    ui.horizontal_wrapped(|ui| {
        if let Some(activity) = activity {
            ui.spinner();
            ui.label(activity);
            ui.separator();
        }
        if let Some(confirmation) = confirmation {
            ui.label(egui::RichText::new(confirmation).strong());
            ui.separator();
        }
        if let Some(message) = messages.last() {
            ui.colored_label(ui.visuals().warn_fg_color, message);
            if ui.small_button("Dismiss").clicked() {
                messages.pop();
            }
        } else {
            ui.weak(format!("Data folder: {}", data_dir.display()));
        }
    });
}
