//! The question asked when the window is closed over text that was typed but not added
//! or saved: close anyway, losing it, or keep editing. Nothing typed is lost without a
//! word.

use egui::{RichText, Ui};

use super::action::Action;

/// The dialog's contents; the caller puts them in a modal. `unsaved` says what would be
/// lost, one sentence each.
pub fn close_dialog_ui(ui: &mut Ui, unsaved: &[String]) -> Option<Action> {
    let mut action = None;
    ui.set_max_width(560.0);
    ui.heading("Close the window?");
    ui.label("This was typed but not added or saved, and would be lost:");
    for what in unsaved {
        ui.label(RichText::new(format!("• {what}")).strong());
    }
    ui.add_space(8.0);
    ui.horizontal(|ui| {
        if ui.button("Keep editing").clicked() {
            action = Some(Action::KeepEditing);
        }
        if ui.button("Discard and close").clicked() {
            action = Some(Action::DiscardAndClose);
        }
        ui.weak("Esc keeps editing.");
    });
    action
}
