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
    /// The dialog for a plan; the progress report is chosen only when the plan has
    /// scores to report.
    pub fn new(plan: PlanId, folder: &Path, has_scores: bool) -> Self {
        Self {
            plan,
            folder: folder.display().to_string(),
            chosen: ExportKind::ALL
                .iter()
                .copied()
                .filter(|kind| has_scores || *kind != ExportKind::Progress)
                .collect(),
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

/// The dialog's width, fixed so that it keeps its place when results appear.
const DIALOG_WIDTH: f32 = 600.0;
/// The height of what the last export did; fixed (it scrolls) so that the dialog keeps
/// its size and place, centred over the window, whatever it shows.
const OUTCOME_HEIGHT: f32 = 170.0;

/// The dialog's contents; the caller puts them in a modal.
pub fn export_ui(ui: &mut Ui, dialog: &mut ExportDialog) -> Option<Action> {
    let mut action = None;
    ui.set_width(DIALOG_WIDTH);
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
        ui.add(egui::TextEdit::singleline(&mut dialog.folder).desired_width(480.0))
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
    ui.separator();
    egui::ScrollArea::vertical()
        .id_salt("export-outcome")
        .max_height(OUTCOME_HEIGHT)
        .min_scrolled_height(OUTCOME_HEIGHT)
        .auto_shrink([false, false])
        .show(ui, |ui| {
            if let Some(chosen) = outcome_ui(ui, dialog.outcome.as_ref(), folder, ready) {
                action = Some(match chosen {
                    OutcomeChoice::Replace => order(Replace::Existing),
                    OutcomeChoice::Other(other) => other,
                });
            }
        });
    action
}

/// What the physician asked for below the export's outcome.
enum OutcomeChoice {
    /// Export again, replacing the files already there.
    Replace,
    /// Anything else.
    Other(Action),
}

/// A written file: its name, in the folder named above it.
fn file_label(ui: &mut Ui, path: &Path) {
    let name = path.file_name().map_or_else(
        || path.display().to_string(),
        |name| name.to_string_lossy().into_owned(),
    );
    ui.add(egui::Label::new(RichText::new(name).monospace()).wrap());
}

/// What the last export did, and what may follow: print a PDF, open the folder, or
/// replace what is already there.
fn outcome_ui(
    ui: &mut Ui,
    outcome: Option<&ExportResult>,
    folder: &str,
    ready: bool,
) -> Option<OutcomeChoice> {
    let mut choice = None;
    match outcome {
        Some(Ok(paths)) => {
            ui.add(
                egui::Label::new(RichText::new(format!("Written into {folder}:")).strong()).wrap(),
            );
            for path in paths {
                file_label(ui, path);
            }
            ui.add_space(4.0);
            ui.horizontal(|ui| {
                for (kind, print) in [
                    (ExportKind::Handout, "Print handout…"),
                    (ExportKind::Consent, "Print consent form…"),
                    (ExportKind::Progress, "Print progress report…"),
                ] {
                    if let Some(path) = paths.iter().find(|path| is_kind(path, kind))
                        && ui
                            .button(print)
                            .on_hover_text(
                                "Opens the PDF in the system's viewer, to print it from there",
                            )
                            .clicked()
                    {
                        choice = Some(OutcomeChoice::Other(Action::Print(path.clone())));
                    }
                }
                if ui.button("Open folder").clicked() {
                    choice = Some(OutcomeChoice::Other(Action::OpenFolder(PathBuf::from(
                        folder,
                    ))));
                }
            });
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
            ui.horizontal(|ui| {
                if ui
                    .add_enabled(ready, egui::Button::new("Replace them"))
                    .clicked()
                {
                    choice = Some(OutcomeChoice::Replace);
                }
                ui.label("or choose another folder.");
            });
            for file in files {
                file_label(ui, file);
            }
        }
        Some(Err(ExportProblem::Failed(message))) => {
            ui.add(
                egui::Label::new(RichText::new(message).color(ui.visuals().error_fg_color)).wrap(),
            );
        }
        None => {
            ui.weak("What was written, and where, shows here.");
        }
    }
    choice
}

/// Whether a written file is of this kind, by the end of its name.
fn is_kind(path: &Path, kind: ExportKind) -> bool {
    path.file_name()
        .and_then(|name| name.to_str())
        .is_some_and(|name| name.ends_with(kind.file_suffix()))
}
