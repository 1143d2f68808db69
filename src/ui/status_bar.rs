//! The bar at the foot of the window: where the patients and plans are, then the
//! newest message.

use egui::Ui;

/// The status bar: where the patients and plans are ("Data folder: PATH" or
/// "Database: host/database", with whether the server answers); what the app is busy
/// with that the physician waits for, if anything; a short confirmation of what was
/// just done ("Saved revision 4"); then the newest message with a button that
/// dismisses it.
pub fn status_bar_ui(
    ui: &mut Ui,
    activity: Option<&str>,
    confirmation: Option<&str>,
    messages: &mut Vec<String>,
    store: &str,
) {
    ui.horizontal_wrapped(|ui| {
        ui.weak(store).on_hover_text(
            "Where this desk keeps patients and plans; change it in Settings (used from the next start)",
        );
        ui.separator();
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
        }
    });
}
