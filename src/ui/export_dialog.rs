//! The "Export…" dialog of a plan: which documents, into which folder. The files are
//! made and written on a named thread once the plan's saves have landed; the dialog
//! shows what was written where.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc::Receiver;

use egui::{RichText, Ui};

use super::action::Action;
use crate::desk::worker::{ExportProblem, ExportResult};
use crate::desk::{ExportKind, ExportOrder};
use crate::store::{PlanId, Replace};

/// Where exports go unless the physician chooses otherwise: a folder in the user's
/// documents, else in the home folder, else beside the data folder.
#[must_use]
pub fn default_folder(data_dir: &Path) -> PathBuf {
    let user = directories::UserDirs::new();
    let base = user
        .as_ref()
        .and_then(|dirs| dirs.document_dir().map(Path::to_path_buf))
        .or_else(|| user.as_ref().map(|dirs| dirs.home_dir().to_path_buf()))
        .unwrap_or_else(|| data_dir.parent().unwrap_or(data_dir).to_path_buf());
    base.join("Regen Planner exports")
}

/// The dialog's state, kept while it is open.
pub struct ExportDialog {
    /// The plan exported.
    pub plan: PlanId,
    /// The folder, as typed.
    pub folder: String,
    /// The kinds ticked.
    pub chosen: BTreeSet<ExportKind>,
    /// The export waits for the plan's last changes to be saved.
    pub waiting_for_save: bool,
    /// The running export, if any.
    pub running: Option<Receiver<ExportResult>>,
    /// What the last export wrote, or why it failed.
    pub outcome: Option<ExportResult>,
}

impl ExportDialog {
    /// A dialog for a plan, with every kind ticked.
    #[must_use]
    pub fn new(plan: PlanId, folder: &Path) -> Self {
        Self {
            plan,
            folder: folder.display().to_string(),
            chosen: ExportKind::ALL.iter().copied().collect(),
            waiting_for_save: false,
            running: None,
            outcome: None,
        }
    }

    /// Takes the result of a running export, if it arrived.
    pub fn poll(&mut self) {
        if let Some(result) = self
            .running
            .as_ref()
            .and_then(|receiver| receiver.try_recv().ok())
        {
            self.outcome = Some(result);
            self.running = None;
        }
    }
}

/// The dialog's contents; the caller puts them in a modal.
pub fn export_ui(ui: &mut Ui, dialog: &mut ExportDialog) -> Option<Action> {
    let mut action = None;
    ui.set_min_width(560.0);
    ui.heading("Export documents");
    ui.label("Documents are made from the plan as last saved.");
    for kind in ExportKind::ALL {
        let mut on = dialog.chosen.contains(kind);
        if ui.checkbox(&mut on, kind.label()).changed() {
            if on {
                dialog.chosen.insert(*kind);
            } else {
                dialog.chosen.remove(kind);
            }
        }
    }
    ui.horizontal(|ui| {
        let label = ui.label("Folder");
        ui.add(egui::TextEdit::singleline(&mut dialog.folder).desired_width(420.0))
            .labelled_by(label.id);
    });
    let folder = dialog.folder.trim();
    let busy = dialog.running.is_some() || dialog.waiting_for_save;
    let ready = !dialog.chosen.is_empty() && !folder.is_empty() && !busy;
    let order = |replace| {
        Action::RunExport(ExportOrder {
            folder: PathBuf::from(folder),
            kinds: dialog.chosen.iter().copied().collect(),
            replace,
        })
    };
    ui.horizontal(|ui| {
        if ui.add_enabled(ready, egui::Button::new("Export")).clicked() {
            action = Some(order(Replace::Never));
        }
        if ui.button("Close").clicked() {
            action = Some(Action::CloseDialog);
        }
        if dialog.waiting_for_save {
            ui.spinner();
            ui.label("Saving the plan's last changes first…");
        } else if dialog.running.is_some() {
            ui.spinner();
            ui.label("Exporting…");
        }
    });
    match &dialog.outcome {
        Some(Ok(paths)) => {
            ui.label(RichText::new("Written:").strong());
            for path in paths {
                ui.label(RichText::new(path.display().to_string()).monospace());
            }
            if ui.button("Open folder").clicked() {
                action = Some(Action::OpenFolder(PathBuf::from(folder)));
            }
        }
        Some(Err(ExportProblem::Exists(files))) => {
            // An earlier export of the same plan is replaced only when asked.
            ui.label(
                RichText::new(if files.len() == 1 {
                    "This file is already there; nothing was written:"
                } else {
                    "These files are already there; nothing was written:"
                })
                .strong(),
            );
            for file in files {
                ui.label(RichText::new(file.display().to_string()).monospace());
            }
            ui.horizontal(|ui| {
                if ui
                    .add_enabled(ready, egui::Button::new("Replace them"))
                    .clicked()
                {
                    action = Some(order(Replace::Existing));
                }
                ui.label("or choose another folder.");
            });
        }
        Some(Err(ExportProblem::Failed(message))) => {
            ui.colored_label(ui.visuals().error_fg_color, message);
        }
        None => {}
    }
    action
}
