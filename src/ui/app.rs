//! The app: owns the state, calls one function per panel, then applies what the user
//! asked for.

use std::path::PathBuf;
use std::sync::mpsc::Receiver;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use egui::{Key, KeyboardShortcut, Modifiers, Ui};
use jiff::civil::Date;

use super::action::{Action, PlanEdit};
use super::background::{LoadMessage, PatientWrite, WriteJob, WriteResult, Writer, load_index};
use super::export_dialog::{ExportDialog, ExportKind, default_folder, export_ui, start_export};
use super::library::{LibraryState, library_ui};
use super::new_plan::{NewPlanDraft, PatientChoice, new_plan_ui};
use super::patient_list::{ListStatus, PatientList, patient_list_ui, search_field_id};
use super::patient_view::patient_view_ui;
use super::plan_view::{PlanViewState, SaveState, plan_view_ui};
use super::plans_table::{PlansTable, plans_table_ui};
use super::settings::{SettingsDialog, settings_ui};
use super::startup::StartupLog;
use crate::catalog::{Catalog, Problem};
use crate::planning::{ClinicOptions, generate};
use crate::store::{
    AppDirs, Index, Note, Patient, PatientId, PlanId, PlanRecord, PlanSummary, Revision,
    RevisionInfo, Screening, Settings, Store, StoreError, ThemePreference,
};

/// How the app was started.
#[derive(Debug, Clone)]
pub struct AppOptions {
    /// The data and configuration folders.
    pub dirs: AppDirs,
    /// Write a PNG of the first complete frame here, then close.
    pub screenshot: Option<PathBuf>,
    /// Open this plan once the index is loaded.
    pub open_plan: Option<PlanId>,
}

/// What `--screenshot` produced, read by the binary after the window closed.
pub type ScreenshotOutcome = Arc<Mutex<Option<Result<(), String>>>>;

/// The main screen on the right of the patient list.
enum Screen {
    Home,
    Patient {
        id: PatientId,
        record: Result<Revision<Patient>, String>,
    },
    Plan,
    NewPlan(Box<NewPlanDraft>),
    Library(LibraryState),
}

/// The plan being read and edited, with how it stands on disk.
struct OpenPlan {
    id: PlanId,
    record: PlanRecord,
    patient_name: String,
    saved: Revision<()>,
    /// Edits not yet handed to the writer.
    dirty: bool,
    /// A save is running.
    in_flight: bool,
    /// The last save failed; no automatic retry until the physician asks.
    failure: Option<String>,
    /// Another desk saved first.
    conflict: Option<String>,
    /// Every saved revision, oldest first.
    history: Vec<RevisionInfo>,
    view: PlanViewState,
}

impl OpenPlan {
    /// A plan as it was just loaded or saved.
    fn new(
        id: PlanId,
        revision: Revision<PlanRecord>,
        patient_name: String,
        history: Vec<RevisionInfo>,
    ) -> Self {
        Self {
            id,
            patient_name,
            saved: Revision {
                number: revision.number,
                saved_at: revision.saved_at,
                saved_by: revision.saved_by,
                value: (),
            },
            record: revision.value,
            dirty: false,
            in_flight: false,
            failure: None,
            conflict: None,
            history,
            view: PlanViewState::new(today()),
        }
    }

    fn save_state(&self) -> SaveState {
        if let Some(conflict) = &self.conflict {
            SaveState::Conflict(conflict.clone())
        } else if let Some(failure) = &self.failure {
            SaveState::Failed(failure.clone())
        } else if self.dirty || self.in_flight {
            SaveState::Saving
        } else {
            SaveState::Saved {
                revision: self.saved.number,
                saved_at: self.saved.saved_at,
                saved_by: self.saved.saved_by.clone(),
            }
        }
    }
}

enum IndexState {
    Loading {
        receiver: Receiver<LoadMessage>,
        done: usize,
        total: usize,
    },
    Ready(Index),
    Failed(String),
}

/// The Regen Planner window.
pub struct App {
    dirs: AppDirs,
    catalog: Catalog,
    catalog_problems: Vec<Problem>,
    settings: Settings,
    store: Result<Store, String>,
    writer: Option<Writer>,
    index: IndexState,
    list: PatientList,
    plans_table: PlansTable,
    query: String,
    screen: Screen,
    open_plan: Option<OpenPlan>,
    settings_dialog: Option<SettingsDialog>,
    export_dialog: Option<ExportDialog>,
    /// The folder of the last export, offered again.
    export_folder: Option<PathBuf>,
    /// Errors and notices for the status bar, newest last.
    messages: Vec<String>,
    pending_open: Option<PlanId>,
    screenshot: Option<Screenshot>,
    allowed_to_close: bool,
    /// The data folder holds demo data: a banner says so on every screen.
    is_demo_data: bool,
    startup: StartupLog,
}

struct Screenshot {
    path: PathBuf,
    requested: bool,
    frames: u32,
    receiver: Option<Receiver<Arc<egui::ColorImage>>>,
    outcome: ScreenshotOutcome,
}

fn today() -> Date {
    jiff::Zoned::now().date()
}

impl App {
    /// Opens the app: the window shows at once; the index loads in the background.
    #[must_use]
    pub fn new(cc: &eframe::CreationContext<'_>, options: AppOptions) -> Self {
        Self::with_context(&cc.egui_ctx, options, ScreenshotOutcome::default())
    }

    /// As [`App::new`], reporting a screenshot's outcome to `outcome`.
    #[must_use]
    pub fn with_context(
        ctx: &egui::Context,
        options: AppOptions,
        outcome: ScreenshotOutcome,
    ) -> Self {
        let mut messages = Vec::new();
        let (catalog, catalog_problems) = load_catalog(&options.dirs, &mut messages);
        let settings = match Settings::load(&options.dirs.config) {
            Ok(settings) => settings,
            Err(error) => {
                messages.push(format!(
                    "{error}; the defaults are used until you save the settings"
                ));
                Settings::default()
            }
        };
        apply_theme(ctx, settings.theme);
        let store = Store::open(&options.dirs.data).map_err(|error| error.to_string());
        let wake = {
            let ctx = ctx.clone();
            move || ctx.request_repaint()
        };
        let (index, writer) = match &store {
            Ok(store) => {
                let index = match load_index(store.clone(), wake.clone()) {
                    Ok(receiver) => IndexState::Loading {
                        receiver,
                        done: 0,
                        total: 0,
                    },
                    Err(error) => {
                        IndexState::Failed(format!("could not start loading the plans: {error}"))
                    }
                };
                let writer = match Writer::start(store.clone(), wake) {
                    Ok(writer) => Some(writer),
                    Err(error) => {
                        messages.push(format!("could not start the saving thread: {error}; plans cannot be saved, restart the app"));
                        None
                    }
                };
                (index, writer)
            }
            Err(error) => (IndexState::Failed(error.clone()), None),
        };
        let is_demo_data = store.as_ref().is_ok_and(Store::is_demo);
        Self {
            dirs: options.dirs,
            catalog,
            catalog_problems,
            settings,
            store,
            writer,
            index,
            list: PatientList::default(),
            plans_table: PlansTable::default(),
            query: String::new(),
            screen: Screen::Home,
            open_plan: None,
            settings_dialog: None,
            export_dialog: None,
            export_folder: None,
            messages,
            pending_open: options.open_plan,
            screenshot: options.screenshot.map(|path| Screenshot {
                path,
                requested: false,
                frames: 0,
                receiver: None,
                outcome,
            }),
            allowed_to_close: false,
            is_demo_data,
            startup: StartupLog::new(),
        }
    }

    /// Whether the list of patients and plans has finished loading (or failed).
    #[must_use]
    pub fn is_index_loaded(&self) -> bool {
        !matches!(self.index, IndexState::Loading { .. })
    }

    /// The open plan's record, if a plan is open.
    #[must_use]
    pub fn open_plan_record(&self) -> Option<&PlanRecord> {
        self.open_plan.as_ref().map(|open| &open.record)
    }

    /// The open plan's id and its newest saved revision, if a plan is open.
    #[must_use]
    pub fn open_plan_revision(&self) -> Option<(&PlanId, u32)> {
        self.open_plan
            .as_ref()
            .map(|open| (&open.id, open.saved.number))
    }

    /// Whether the export dialog is open and its last outcome, if any.
    #[must_use]
    pub fn export_outcome(&self) -> Option<Option<&Result<Vec<PathBuf>, String>>> {
        self.export_dialog
            .as_ref()
            .map(|dialog| dialog.outcome.as_ref())
    }

    /// Whether the settings dialog is open.
    #[must_use]
    pub fn is_settings_open(&self) -> bool {
        self.settings_dialog.is_some()
    }

    /// Messages shown in the status bar, newest last.
    #[must_use]
    pub fn messages(&self) -> &[String] {
        &self.messages
    }

    /// Writes every pending change now and waits for it: what closing the window does.
    ///
    /// # Errors
    /// The first save that failed, as a sentence; the edits stay in memory.
    pub fn flush_saves(&mut self) -> Result<(), String> {
        self.send_pending_save();
        if let Some(writer) = &mut self.writer {
            let results = writer.wait(Duration::from_secs(30));
            self.apply_write_results(results);
        }
        self.send_pending_save();
        if let Some(writer) = &mut self.writer {
            let results = writer.wait(Duration::from_secs(30));
            self.apply_write_results(results);
        }
        match &self.open_plan {
            Some(open) if open.dirty || open.in_flight => Err(open
                .conflict
                .clone()
                .or_else(|| open.failure.clone())
                .unwrap_or_else(|| "the last changes are still being saved".to_owned())),
            _ => Ok(()),
        }
    }

    fn author(&self) -> String {
        let name = self.settings.physician_name.trim();
        if name.is_empty() {
            "unnamed physician (set your name in Settings)".to_owned()
        } else {
            name.to_owned()
        }
    }

    fn clinic_options(&self) -> ClinicOptions {
        ClinicOptions {
            working_days: self.settings.working_days.clone(),
            jurisdiction: self.settings.jurisdiction,
        }
    }

    // ---- Background work -------------------------------------------------------------

    fn poll_index(&mut self) {
        let IndexState::Loading {
            receiver,
            done,
            total,
        } = &mut self.index
        else {
            return;
        };
        let mut finished = None;
        for message in receiver.try_iter() {
            match message {
                LoadMessage::Progress(progress) => {
                    *done = progress.done;
                    *total = progress.total;
                }
                LoadMessage::Done(result) => finished = Some(result),
            }
        }
        match finished {
            Some(Ok(index)) => {
                for problem in &index.problems {
                    self.messages.push(problem.to_string());
                }
                self.index = IndexState::Ready(index);
                self.rebuild_lists();
                if let Some(id) = self.pending_open.take() {
                    self.open_plan_by_id(&id);
                }
            }
            Some(Err(error)) => self.index = IndexState::Failed(error.to_string()),
            None => {}
        }
    }

    fn index_mut(&mut self) -> Option<&mut Index> {
        match &mut self.index {
            IndexState::Ready(index) => Some(index),
            _ => None,
        }
    }

    fn plan_summaries_of(&self, patient: &PatientId) -> Vec<&PlanSummary> {
        let IndexState::Ready(index) = &self.index else {
            return Vec::new();
        };
        let mut plans: Vec<&PlanSummary> = index
            .plans
            .iter()
            .filter(|plan| &plan.patient == patient)
            .collect();
        plans.sort_by_key(|plan| std::cmp::Reverse(plan.saved_at));
        plans
    }

    /// Puts a saved plan into the index and the list.
    fn remember_plan(
        &mut self,
        id: &PlanId,
        revision: &Revision<PlanRecord>,
        patient: Option<&Revision<Patient>>,
    ) {
        let patient_id = revision.value.patient.clone();
        let Some(index) = self.index_mut() else {
            return;
        };
        if let Some(patient) = patient {
            let summary = crate::store::PatientSummary {
                id: patient_id.clone(),
                name: patient.value.name.clone(),
                birth_date: patient.value.birth_date,
                clinic_id: patient.value.clinic_id.clone(),
                revision: patient.number,
                saved_at: patient.saved_at,
            };
            match index
                .patients
                .iter_mut()
                .find(|known| known.id == patient_id)
            {
                Some(known) => *known = summary,
                None => index.patients.push(summary),
            }
        }
        let patient_entry = index.patients.iter().find(|known| known.id == patient_id);
        let summary = PlanSummary {
            id: id.clone(),
            patient: patient_id.clone(),
            patient_name: patient_entry
                .map(|known| known.name.clone())
                .unwrap_or_default(),
            clinic_id: patient_entry.and_then(|known| known.clinic_id.clone()),
            protocol_id: revision.value.plan.protocol.id.clone(),
            protocol_title: revision.value.plan.protocol.title.clone(),
            status: revision.value.status,
            first_session: revision
                .value
                .plan
                .sessions
                .first()
                .map(|session| session.date),
            revision: revision.number,
            saved_at: revision.saved_at,
            saved_by: revision.saved_by.clone(),
        };
        match index.plans.iter_mut().find(|known| &known.id == id) {
            Some(known) => *known = summary,
            None => index.plans.push(summary),
        }
        // Only this patient's row and this plan's row change: rebuilding every row took
        // tens of milliseconds per save with ten thousand patients.
        let patient = index
            .patients
            .iter()
            .find(|known| known.id == patient_id)
            .cloned();
        let plans: Vec<PlanSummary> = index
            .plans
            .iter()
            .filter(|plan| plan.patient == patient_id)
            .cloned()
            .collect();
        if let Some(plan) = plans.iter().find(|plan| &plan.id == id) {
            self.plans_table.update_plan(plan);
        }
        if let Some(patient) = patient {
            self.list.update_patient(&patient, &plans);
        }
    }

    /// Rebuilds the patient list and the plans table from the index, once it is loaded.
    fn rebuild_lists(&mut self) {
        if let IndexState::Ready(index) = &self.index {
            self.list = PatientList::new(&index.patients, &index.plans);
            self.plans_table = PlansTable::new(&index.plans);
        }
    }

    fn send_pending_save(&mut self) {
        let author = self.author();
        let Some(open) = &mut self.open_plan else {
            return;
        };
        if !open.dirty || open.in_flight || open.failure.is_some() || open.conflict.is_some() {
            return;
        }
        let Some(writer) = &mut self.writer else {
            open.failure =
                Some("the saving thread is not running; restart the app to save".to_owned());
            return;
        };
        let job = WriteJob::SavePlan {
            id: open.id.clone(),
            base_revision: open.saved.number,
            record: Box::new(open.record.clone()),
            author,
        };
        if writer.send(job) {
            open.dirty = false;
            open.in_flight = true;
        } else {
            open.failure = Some("the saving thread stopped; restart the app to save".to_owned());
        }
    }

    fn poll_writes(&mut self) {
        let results = self.writer.as_mut().map(Writer::poll).unwrap_or_default();
        if results.is_empty() {
            return;
        }
        self.apply_write_results(results);
        // An edit made while the previous save was on its way waits for it; now it goes.
        self.send_pending_save();
    }

    fn apply_write_results(&mut self, results: Vec<WriteResult>) {
        for result in results {
            match result {
                WriteResult::Created {
                    patient_revision,
                    plan,
                    revision,
                    screening_problem,
                    history,
                } => {
                    if let Some(problem) = screening_problem {
                        self.messages.push(format!("The plan is saved, but the patient's screening was not updated: {problem}"));
                    }
                    self.remember_plan(&plan, &revision, Some(&patient_revision));
                    self.open_plan = Some(OpenPlan::new(
                        plan,
                        *revision,
                        patient_revision.value.name.clone(),
                        history,
                    ));
                    self.screen = Screen::Plan;
                }
                WriteResult::History { id, history } => {
                    if let Some(open) = self.open_plan.as_mut().filter(|open| open.id == id) {
                        open.history = history;
                    }
                }
                WriteResult::CreateFailed(message) => self
                    .messages
                    .push(format!("The plan was not created: {message}")),
                WriteResult::Saved {
                    id,
                    revision,
                    history,
                } => {
                    if let Some(open) = self.open_plan.as_mut().filter(|open| open.id == id) {
                        open.in_flight = false;
                        open.history = history;
                        open.saved = Revision {
                            number: revision.number,
                            saved_at: revision.saved_at,
                            saved_by: revision.saved_by.clone(),
                            value: (),
                        };
                    }
                    self.remember_plan(&id, &revision, None);
                }
                WriteResult::SaveFailed { id, error } => {
                    let message = error.to_string();
                    if let Some(open) = self.open_plan.as_mut().filter(|open| open.id == id) {
                        open.in_flight = false;
                        open.dirty = true;
                        if matches!(error, StoreError::Conflict { .. }) {
                            open.conflict = Some(message.clone());
                        } else {
                            open.failure = Some(message.clone());
                        }
                    }
                    self.messages.push(message);
                }
            }
        }
    }

    // ---- Actions ---------------------------------------------------------------------

    fn open_plan_by_id(&mut self, id: &PlanId) {
        if self.open_plan.as_ref().is_some_and(|open| &open.id == id) {
            self.screen = Screen::Plan;
            return;
        }
        if self
            .open_plan
            .as_ref()
            .is_some_and(|open| open.dirty || open.in_flight)
            && let Err(message) = self.flush_saves()
        {
            self.messages.push(format!(
                "The open plan keeps its unsaved changes and stays open: {message}"
            ));
            self.screen = Screen::Plan;
            return;
        }
        let Ok(store) = &self.store else { return };
        match store.load_plan(id) {
            Ok(revision) => {
                let patient_name = store.load_patient(&revision.value.patient).map_or_else(
                    |_| "Unknown patient".to_owned(),
                    |patient| patient.value.name,
                );
                self.open_plan = Some(OpenPlan::new(
                    id.clone(),
                    revision,
                    patient_name,
                    Vec::new(),
                ));
                if let Some(writer) = &mut self.writer {
                    writer.send(WriteJob::ReadHistory(id.clone()));
                }
                self.screen = Screen::Plan;
            }
            Err(error) => self.messages.push(error.to_string()),
        }
    }

    fn apply(&mut self, action: Action, ctx: &egui::Context) {
        match action {
            Action::OpenPatient(id) => {
                let record = match &self.store {
                    Ok(store) => store.load_patient(&id).map_err(|error| error.to_string()),
                    Err(error) => Err(error.clone()),
                };
                self.screen = Screen::Patient { id, record };
            }
            Action::OpenPlan(id) => self.open_plan_by_id(&id),
            Action::NewPlan(patient) => {
                let mut draft = NewPlanDraft::new(patient.clone(), today());
                // The patient's last screening is the starting point; the physician
                // confirms or changes each answer.
                if let (Some(id), Ok(store)) = (&patient, &self.store)
                    && let Ok(record) = store.load_patient(id)
                {
                    draft.factors = record.value.screening.factors;
                    draft.previous_screening = record.value.screening.asked_on;
                }
                self.screen = Screen::NewPlan(Box::new(draft));
            }
            Action::CreatePlan(draft) => self.create_plan(&draft),
            Action::EditPlan(edit) => self.edit_plan(edit),
            Action::ShowLibrary => self.screen = Screen::Library(LibraryState::default()),
            Action::ShowAllPlans => self.screen = Screen::Home,
            Action::OpenSettings => {
                self.settings_dialog = Some(SettingsDialog::new(&self.settings, &self.catalog));
            }
            Action::CloseDialog => {
                self.settings_dialog = None;
                self.export_dialog = None;
            }
            Action::OpenExport => {
                if let Some(open) = &self.open_plan {
                    let folder = self
                        .export_folder
                        .clone()
                        .unwrap_or_else(|| default_folder(&self.dirs.data));
                    self.export_dialog = Some(ExportDialog::new(open.id.clone(), &folder));
                }
            }
            Action::RunExport { folder, kinds } => self.run_export(folder, kinds, ctx),
            Action::SaveSettings(settings) => match settings.save(&self.dirs.config) {
                Ok(()) => {
                    apply_theme(ctx, settings.theme);
                    self.settings = *settings;
                    self.settings_dialog = None;
                }
                Err(error) => self.messages.push(error.to_string()),
            },
            Action::SaveNow => {
                if let Some(open) = &mut self.open_plan {
                    open.failure = None;
                }
                self.send_pending_save();
            }
            Action::OpenFolder(folder) => {
                if let Err(error) = open::that_detached(&folder) {
                    self.messages.push(format!(
                        "could not open {} in the file manager: {error}; open it by hand",
                        folder.display()
                    ));
                }
            }
            Action::FocusSearch => ctx.memory_mut(|memory| memory.request_focus(search_field_id())),
            Action::ReloadIndex => {
                if let Ok(store) = &self.store {
                    let ctx = ctx.clone();
                    self.index = match load_index(store.clone(), move || ctx.request_repaint()) {
                        Ok(receiver) => IndexState::Loading {
                            receiver,
                            done: 0,
                            total: 0,
                        },
                        Err(error) => IndexState::Failed(format!(
                            "could not start loading the plans: {error}"
                        )),
                    };
                }
            }
            Action::ReloadPlan => {
                if let Some(open) = self.open_plan.take() {
                    self.open_plan_by_id(&open.id);
                }
            }
        }
    }

    /// Saves what is pending, then makes and writes the exports on a background thread.
    fn run_export(&mut self, folder: PathBuf, kinds: Vec<ExportKind>, ctx: &egui::Context) {
        let flushed = self.flush_saves();
        let Some(dialog) = &mut self.export_dialog else {
            return;
        };
        if let Err(message) = flushed {
            dialog.outcome = Some(Err(format!("Save the plan first: {message}")));
            return;
        }
        let Ok(store) = &self.store else { return };
        let wake = {
            let ctx = ctx.clone();
            move || ctx.request_repaint()
        };
        self.export_folder = Some(folder.clone());
        match start_export(
            store.clone(),
            self.settings.clone(),
            dialog.plan.clone(),
            folder,
            kinds,
            today(),
            wake,
        ) {
            Ok(receiver) => {
                dialog.outcome = None;
                dialog.running = Some(receiver);
            }
            Err(error) => {
                dialog.outcome = Some(Err(format!("could not start the export: {error}")));
            }
        }
    }

    fn create_plan(&mut self, draft: &NewPlanDraft) {
        let Some(request) = draft.request(&self.clinic_options()) else {
            return;
        };
        let plan = match generate(&self.catalog, &request) {
            Ok(plan) => plan,
            Err(error) => {
                self.messages.push(error.to_string());
                return;
            }
        };
        let screening = Screening {
            factors: draft.factors.clone(),
            asked_on: Some(today()),
        };
        let patient = match &draft.patient {
            PatientChoice::New(form) => {
                let birth_date = match form.birth_date() {
                    Ok(date) => date,
                    Err(message) => {
                        self.messages.push(message);
                        return;
                    }
                };
                let clinic_id = Some(form.clinic_id.trim().to_owned()).filter(|id| !id.is_empty());
                PatientWrite::New(Box::new(Patient {
                    name: form.name.trim().to_owned(),
                    birth_date,
                    clinic_id,
                    contact: form.contact.trim().to_owned(),
                    screening,
                }))
            }
            PatientChoice::Existing(id) => PatientWrite::Existing(id.clone(), screening),
        };
        let author = self.author();
        let job = WriteJob::CreatePlan {
            patient,
            request: Box::new(request),
            plan: Box::new(plan),
            author,
        };
        if !self.writer.as_mut().is_some_and(|writer| writer.send(job)) {
            self.messages.push(
                "The plan was not created: the saving thread is not running; restart the app"
                    .to_owned(),
            );
        }
    }

    fn edit_plan(&mut self, edit: PlanEdit) {
        let author = self.author();
        let catalog = &self.catalog;
        let Some(open) = &mut self.open_plan else {
            return;
        };
        let record = &mut open.record;
        match edit {
            PlanEdit::Tick { key, done } => {
                if done {
                    record.checklist.insert(key, jiff::Timestamp::now());
                } else {
                    record.checklist.remove(&key);
                }
            }
            PlanEdit::MoveSession { number, date } => {
                let mut request = record.request.clone();
                // Later sessions keep their spacing from the moved one.
                request.moved_sessions.retain(|moved, _| *moved < number);
                request.moved_sessions.insert(number, date);
                match generate(catalog, &request) {
                    Ok(plan) => {
                        record.request = request;
                        record.plan = plan;
                    }
                    Err(error) => {
                        self.messages
                            .push(format!("Session {number} was not moved: {error}"));
                        return;
                    }
                }
            }
            PlanEdit::AddNote(text) => record.notes.push(Note {
                written_at: jiff::Timestamp::now(),
                author,
                text,
            }),
            PlanEdit::AddTask {
                text,
                due,
                audience,
            } => record.extra_tasks.push(crate::store::ExtraTask {
                text,
                due,
                withdrawn: false,
                audience,
            }),
            PlanEdit::WithdrawTask { index, withdrawn } => {
                let Some(task) = record.extra_tasks.get_mut(index) else {
                    return;
                };
                task.withdrawn = withdrawn;
            }
            PlanEdit::SetStatus(status) => record.status = status,
        }
        open.dirty = true;
        self.send_pending_save();
    }

    // ---- Drawing ---------------------------------------------------------------------

    fn shortcuts(ui: &mut Ui) -> Option<Action> {
        let shortcut = |key| KeyboardShortcut::new(Modifiers::COMMAND, key);
        ui.input_mut(|input| {
            if input.consume_shortcut(&shortcut(Key::N)) {
                Some(Action::NewPlan(None))
            } else if input.consume_shortcut(&shortcut(Key::F)) {
                Some(Action::FocusSearch)
            } else if input.consume_shortcut(&shortcut(Key::S)) {
                Some(Action::SaveNow)
            } else {
                None
            }
        })
    }

    fn top_bar_ui(&self, ui: &mut Ui) -> Option<Action> {
        let mut action = None;
        ui.horizontal_wrapped(|ui| {
            ui.strong("Regen Planner");
            if !self.settings.clinic_name.is_empty() {
                ui.weak(&self.settings.clinic_name);
            }
            ui.separator();
            if ui.button("New plan… (Ctrl+N)").clicked() {
                action = Some(Action::NewPlan(None));
            }
            if ui.button("All plans").clicked() {
                action = Some(Action::ShowAllPlans);
            }
            if ui.button("Protocol library").clicked() {
                action = Some(Action::ShowLibrary);
            }
            if ui.button("Settings…").clicked() {
                action = Some(Action::OpenSettings);
            }
        });
        action
    }

    fn status_bar_ui(&mut self, ui: &mut Ui) {
        ui.horizontal_wrapped(|ui| {
            if let Some(message) = self.messages.last() {
                ui.colored_label(ui.visuals().warn_fg_color, message);
                if ui.small_button("Dismiss").clicked() {
                    self.messages.pop();
                }
            } else {
                ui.weak(format!("Data folder: {}", self.dirs.data.display()));
            }
        });
    }

    fn central_ui(&mut self, ui: &mut Ui) -> Option<Action> {
        let today = today();
        if let Err(error) = &self.store {
            super::widgets::banner(
                ui,
                crate::planning::Severity::Contraindicated,
                |ui, color| {
                    ui.label(egui::RichText::new(format!("Plans cannot be opened or saved: {error}. Start the app with --data-dir DIR pointing at a folder you may write to.")).color(color));
                },
            );
        }
        let patient_plans: Vec<PlanSummary> = match &self.screen {
            Screen::Patient { id, .. } => self.plan_summaries_of(id).into_iter().cloned().collect(),
            _ => Vec::new(),
        };
        match &mut self.screen {
            Screen::Home => {
                ui.heading("All plans");
                if self.plans_table.is_empty() && self.is_index_loaded() {
                    ui.label("No plan yet. Start one with Ctrl+N; every plan states its evidence and regulatory status, and the physician decides.");
                    if ui.button("New plan…").clicked() {
                        return Some(Action::NewPlan(None));
                    }
                    return None;
                }
                plans_table_ui(ui, &mut self.plans_table, &self.query)
            }
            Screen::Patient { id, record } => match record {
                Ok(record) => {
                    let refs: Vec<&PlanSummary> = patient_plans.iter().collect();
                    patient_view_ui(ui, id, record, &refs)
                }
                Err(error) => {
                    ui.colored_label(ui.visuals().error_fg_color, error.as_str());
                    None
                }
            },
            Screen::Plan => match &mut self.open_plan {
                Some(open) => {
                    let save = open.save_state();
                    plan_view_ui(
                        ui,
                        &open.record,
                        &open.patient_name,
                        &save,
                        &open.history,
                        &mut open.view,
                        today,
                    )
                }
                None => None,
            },
            Screen::NewPlan(draft) => {
                let patients = match &self.index {
                    IndexState::Ready(index) => index.patients.as_slice(),
                    _ => &[],
                };
                let options = ClinicOptions {
                    working_days: self.settings.working_days.clone(),
                    jurisdiction: self.settings.jurisdiction,
                };
                new_plan_ui(ui, draft, &self.catalog, &options, patients, today)
            }
            Screen::Library(state) => {
                library_ui(ui, &self.catalog, &self.catalog_problems, state);
                None
            }
        }
    }

    fn screenshot_step(&mut self, ctx: &egui::Context) {
        let loaded = self.is_index_loaded();
        let Some(shot) = &mut self.screenshot else {
            return;
        };
        shot.frames += 1;
        if !shot.requested && loaded && shot.frames >= 3 {
            let (sender, receiver) = std::sync::mpsc::channel();
            let waker = ctx.clone();
            ctx.request_screenshot(move |image| {
                let _ = sender.send(image);
                waker.request_repaint();
            });
            shot.receiver = Some(receiver);
            shot.requested = true;
        }
        if let Some(image) = shot
            .receiver
            .as_ref()
            .and_then(|receiver| receiver.try_recv().ok())
        {
            let result = save_png(&shot.path, &image);
            if let Ok(mut outcome) = shot.outcome.lock() {
                *outcome = Some(result);
            }
            self.allowed_to_close = true;
            ctx.send_viewport_cmd(egui::ViewportCommand::Close);
        }
        ctx.request_repaint();
    }

    fn handle_close(&mut self, ui: &mut Ui) {
        if !ui.input(|input| input.viewport().close_requested()) || self.allowed_to_close {
            return;
        }
        match self.flush_saves() {
            Ok(()) => self.allowed_to_close = true,
            Err(message) => {
                ui.send_viewport_cmd(egui::ViewportCommand::CancelClose);
                self.messages.push(format!(
                    "The window stays open so nothing is lost: {message}"
                ));
            }
        }
    }
}

fn load_catalog(dirs: &AppDirs, messages: &mut Vec<String>) -> (Catalog, Vec<Problem>) {
    let (files, unreadable) = match crate::store::read_protocol_dir(&dirs.protocols()) {
        Ok(found) => found,
        Err(error) => {
            messages.push(format!("{error}; the built-in protocols are used"));
            (Vec::new(), Vec::new())
        }
    };
    for error in unreadable {
        messages.push(format!("{error}; the built-in protocol is used"));
    }
    let (catalog, problems) = Catalog::load(&crate::catalog::builtin_files(), &files);
    if !problems.is_empty() {
        messages.push(format!(
            "{} problem(s) in the clinic's protocol files; see the protocol library",
            problems.len()
        ));
    }
    (catalog, problems)
}

fn apply_theme(ctx: &egui::Context, theme: ThemePreference) {
    ctx.set_theme(match theme {
        ThemePreference::System => egui::ThemePreference::System,
        ThemePreference::Light => egui::ThemePreference::Light,
        ThemePreference::Dark => egui::ThemePreference::Dark,
    });
}

fn save_png(path: &std::path::Path, image: &egui::ColorImage) -> Result<(), String> {
    let [width, height] = image.size;
    let first = image.pixels.first().copied();
    if image.pixels.iter().all(|pixel| Some(*pixel) == first) {
        return Err(
            "the window rendered a blank frame; check the graphics driver (OpenGL)".to_owned(),
        );
    }
    let pixels: Vec<u8> = image
        .pixels
        .iter()
        .flat_map(egui::Color32::to_array)
        .collect();
    let (Ok(width), Ok(height)) = (u32::try_from(width), u32::try_from(height)) else {
        return Err("the screenshot is too large".to_owned());
    };
    let buffer = image::RgbaImage::from_raw(width, height, pixels)
        .ok_or_else(|| "the screenshot has the wrong size".to_owned())?;
    buffer
        .save(path)
        .map_err(|error| format!("could not write the screenshot {}: {error}", path.display()))
}

impl eframe::App for App {
    fn ui(&mut self, ui: &mut Ui, frame: &mut eframe::Frame) {
        self.startup.frame_starts(frame.info().cpu_usage);
        let ctx = ui.ctx().clone();
        self.poll_index();
        self.poll_writes();
        let mut actions: Vec<Action> = Vec::new();
        actions.extend(Self::shortcuts(ui));

        if self.is_demo_data {
            egui::Panel::top("demo-banner").show(ui, super::widgets::demo_banner_ui);
        }
        egui::Panel::top("top-bar").show(ui, |ui| actions.extend(self.top_bar_ui(ui)));
        egui::Panel::bottom("status-bar").show(ui, |ui| self.status_bar_ui(ui));
        let list_status = match &self.index {
            IndexState::Loading { done, total, .. } => ListStatus::Loading {
                done: *done,
                total: *total,
            },
            IndexState::Ready(_) | IndexState::Failed(_) => ListStatus::Ready,
        };
        let selected = match &self.screen {
            Screen::Patient { id, .. } => Some(id.clone()),
            Screen::Plan => self
                .open_plan
                .as_ref()
                .map(|open| open.record.patient.clone()),
            _ => None,
        };
        egui::Panel::left("patients")
            .resizable(true)
            .default_size(320.0)
            .min_size(240.0)
            .max_size(480.0)
            .show(ui, |ui| {
                if let IndexState::Failed(error) = &self.index {
                    ui.colored_label(ui.visuals().error_fg_color, error.as_str());
                }
                actions.extend(patient_list_ui(
                    ui,
                    &mut self.list,
                    &mut self.query,
                    selected.as_ref(),
                    list_status,
                ));
            });
        egui::CentralPanel::default().show(ui, |ui| actions.extend(self.central_ui(ui)));

        if let Some(dialog) = &mut self.settings_dialog {
            let modal = egui::Modal::new(egui::Id::unique("settings")).show(&ctx, |ui| {
                settings_ui(ui, dialog, &self.dirs.data, &self.dirs.config)
            });
            let should_close = modal.should_close();
            actions.extend(modal.inner);
            if should_close {
                actions.push(Action::CloseDialog);
            }
        }

        if let Some(dialog) = &mut self.export_dialog {
            dialog.poll();
            let modal =
                egui::Modal::new(egui::Id::unique("export")).show(&ctx, |ui| export_ui(ui, dialog));
            let should_close = modal.should_close();
            actions.extend(modal.inner);
            if should_close {
                actions.push(Action::CloseDialog);
            }
        }

        for action in actions {
            self.apply(action, &ctx);
        }
        if matches!(self.index, IndexState::Loading { .. })
            || self.writer.as_ref().is_some_and(Writer::is_busy)
        {
            ctx.request_repaint_after(Duration::from_millis(100));
        }
        self.screenshot_step(&ctx);
        self.handle_close(ui);
    }

    fn on_exit(&mut self, _gl: Option<&eframe::glow::Context>) {
        if let Err(message) = self.flush_saves() {
            tracing::error!("unsaved changes at exit: {message}");
        }
    }
}
