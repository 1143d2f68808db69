//! The "Export…" dialog of a plan: which documents, into which folder. The files are
//! made and written on a named thread; the dialog shows what was written where.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc::Receiver;

use egui::{RichText, Ui};
use jiff::civil::Date;

use super::action::Action;
use crate::export::{self, Document, ExportError};
use crate::store::{ExportGuard, PlanId, Replace, Settings, Store, write_export};

/// What can leave the app.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ExportKind {
    /// The patient handout (PDF), written to the patient.
    Handout,
    /// The consent form (PDF) with signature lines.
    Consent,
    /// Sessions, follow-ups and dated tasks as calendar events (iCalendar).
    Calendar,
    /// An HL7 FHIR R4 bundle (`Patient` and `CarePlan`) for an EMR.
    Fhir,
    /// The plan as JSON, the shape of `regen-planner plan --format json`.
    Json,
}

impl ExportKind {
    /// Every kind, in the order the dialog lists them.
    pub const ALL: &'static [ExportKind] = &[
        ExportKind::Handout,
        ExportKind::Consent,
        ExportKind::Calendar,
        ExportKind::Fhir,
        ExportKind::Json,
    ];

    /// What the checkbox says.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            ExportKind::Handout => "Patient handout (PDF)",
            ExportKind::Consent => "Consent form (PDF)",
            ExportKind::Calendar => "Calendar (.ics): sessions, follow-ups and tasks",
            ExportKind::Fhir => "FHIR R4 bundle, for an electronic medical record",
            ExportKind::Json => "Plan as JSON, for other systems",
        }
    }

    /// The end of the file name: what it is and its extension.
    #[must_use]
    pub fn file_suffix(self) -> &'static str {
        match self {
            ExportKind::Handout => "handout.pdf",
            ExportKind::Consent => "consent.pdf",
            ExportKind::Calendar => "calendar.ics",
            ExportKind::Fhir => "fhir.json",
            ExportKind::Json => "plan.json",
        }
    }

    /// The file's bytes.
    ///
    /// # Errors
    /// When the export cannot be made.
    pub fn render(self, document: &Document) -> Result<Vec<u8>, ExportError> {
        match self {
            ExportKind::Handout => export::handout_pdf(document),
            ExportKind::Consent => export::consent_pdf(document),
            ExportKind::Calendar => export::calendar_ics(document).map(String::into_bytes),
            ExportKind::Fhir => export::fhir_bundle_json(document).map(String::into_bytes),
            ExportKind::Json => export::plan_json(&document.plan).map(String::into_bytes),
        }
    }
}

/// The file name of an export: the patient, the protocol and what it is, with anything
/// a file system could misread replaced.
#[must_use]
pub fn file_name(document: &Document, kind: ExportKind) -> String {
    let patient: String = document
        .patient
        .name
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == ' ' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let patient = patient.trim();
    let patient = if patient.is_empty() {
        "patient"
    } else {
        patient
    };
    format!(
        "{patient} - {} - {}",
        document.plan.protocol.id,
        kind.file_suffix()
    )
}

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
    /// The running export, if any.
    pub running: Option<Receiver<Result<Vec<PathBuf>, String>>>,
    /// What the last export wrote, or why it failed.
    pub outcome: Option<Result<Vec<PathBuf>, String>>,
}

impl ExportDialog {
    /// A dialog for a plan, with every kind ticked.
    #[must_use]
    pub fn new(plan: PlanId, folder: &Path) -> Self {
        Self {
            plan,
            folder: folder.display().to_string(),
            chosen: ExportKind::ALL.iter().copied().collect(),
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

/// Starts an export on a thread named `export`; the result arrives on the receiver.
///
/// # Errors
/// When the system cannot start a thread.
#[expect(
    clippy::too_many_arguments,
    reason = "the thread owns everything it needs; the guard of the app's folders was added to what it was given"
)]
pub fn start_export(
    store: Store,
    guard: ExportGuard,
    settings: Settings,
    plan: PlanId,
    folder: PathBuf,
    kinds: Vec<ExportKind>,
    today: Date,
    wake: impl Fn() + Send + 'static,
) -> std::io::Result<Receiver<Result<Vec<PathBuf>, String>>> {
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name("export".into())
        .spawn(move || {
            let result = run_export(&store, &guard, &settings, &plan, &folder, &kinds, today);
            let _ = sender.send(result);
            wake();
        })?;
    Ok(receiver)
}

fn run_export(
    store: &Store,
    guard: &ExportGuard,
    settings: &Settings,
    plan: &PlanId,
    folder: &Path,
    kinds: &[ExportKind],
    today: Date,
) -> Result<Vec<PathBuf>, String> {
    let document = store
        .export_document(plan, settings, today)
        .map_err(|error| error.to_string())?;
    // Every target is checked before anything is written; an existing file is not
    // replaced (StoreError::ExportExists says which).
    let targets = kinds
        .iter()
        .map(|kind| {
            let path = folder.join(file_name(&document, *kind));
            guard
                .check(&path, Replace::Never)
                .map(|target| (*kind, path, target))
        })
        .collect::<Result<Vec<_>, _>>()
        .map_err(|error| error.to_string())?;
    let mut written = Vec::new();
    for (kind, path, target) in targets {
        let bytes = kind.render(&document).map_err(|error| error.to_string())?;
        write_export(&target, &bytes).map_err(|error| error.to_string())?;
        written.push(path);
    }
    Ok(written)
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
    let ready = !dialog.chosen.is_empty() && !folder.is_empty() && dialog.running.is_none();
    ui.horizontal(|ui| {
        if ui.add_enabled(ready, egui::Button::new("Export")).clicked() {
            action = Some(Action::RunExport {
                folder: PathBuf::from(folder),
                kinds: dialog.chosen.iter().copied().collect(),
            });
        }
        if ui.button("Close").clicked() {
            action = Some(Action::CloseDialog);
        }
        if dialog.running.is_some() {
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
        Some(Err(message)) => {
            ui.colored_label(ui.visuals().error_fg_color, message);
        }
        None => {}
    }
    action
}
