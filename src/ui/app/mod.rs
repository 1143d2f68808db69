//! The app: owns the state, calls one function per panel, then applies what the user
//! asked for. The panels are drawn in [`panels`], the state machine of saving (and
//! what waits for a save to land, and closing) is in [`saving`], what each action does
//! in [`apply`], what the worker reports back in [`outcomes`], the index and the lists
//! made from it in [`index`], and `--screenshot` in [`screenshot`].
//!
//! Nothing here touches the disk or waits: reads and writes are jobs for
//! [`crate::desk::worker`], and the screens show "Opening…" or "Saving…" until their
//! outcome arrives.

mod apply;
mod connection;
mod index;
mod lots;
mod outcomes;
mod panels;
mod photos;
mod saving;
mod screenshot;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::mpsc::Receiver;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use egui::Ui;
use jiff::civil::Date;

use super::action::Action;
use super::agenda_view::AgendaView;
use super::export_dialog::ExportDialog;
use super::library::LibraryState;
use super::lot_recall::LotRecallState;
use super::new_plan::NewPlanDraft;
use super::patient_list::PatientList;
use super::patient_view::PatientEdit;
use super::plan_view::{PlanViewState, SaveState};
use super::plans_table::PlansTable;
use super::settings::SettingsDialog;
use super::startup::StartupLog;
use super::status_bar::status_bar_ui;
use super::top_bar::top_bar_ui;
use crate::catalog::{Catalog, Problem};
use crate::desk::Workspace;
use crate::desk::worker::{LoadMessage, Opener, Worker, system_opener};
use crate::planning::ClinicOptions;
use crate::store::{
    AppDirs, Index, Patient, PatientId, PlanId, PlanRecord, Revision, Settings, Store,
    ThemePreference,
};
use saving::{AfterSave, OpenPlan};
use screenshot::Screenshot;

/// How the app was started: the desk's protocols, settings and data folder, read
/// before the window opens ([`Workspace::open`]), and what to do first.
#[derive(Debug)]
pub struct AppOptions {
    /// The protocols, settings and data folder.
    pub workspace: Workspace,
    /// Write a PNG of the first complete frame here, then close.
    pub screenshot: Option<PathBuf>,
    /// Open this plan once the index is loaded.
    pub open_plan: Option<PlanId>,
    /// Once that plan is open, show its first comparison of two photographs of a view.
    pub compare_photos: bool,
}

/// What `--screenshot` produced, read by the binary after the window closed.
pub type ScreenshotOutcome = Arc<Mutex<Option<Result<(), String>>>>;

/// Something read in the background: on its way, there, or why not.
enum Reading<T> {
    Loading,
    Ready(T),
    Failed(String),
}

/// The main screen on the right of the patient list.
enum Screen {
    Home,
    Patient {
        id: PatientId,
        record: Reading<Box<Revision<Patient>>>,
        /// The details being edited, if they are.
        edit: Option<Box<PatientEdit>>,
    },
    /// A plan on its way from the disk (once the open plan's saves have landed), or why
    /// it could not be read.
    OpeningPlan {
        id: PlanId,
        failed: Option<String>,
    },
    Plan,
    NewPlan(Box<NewPlanDraft>),
    Library(LibraryState),
    /// Every patient, plan and session of a lot.
    LotRecall(LotRecallState),
}

/// What the home screen shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Home {
    /// The clinic's agenda, the first screen.
    Agenda,
    /// Every plan in a table.
    AllPlans,
}

/// Which screen is shown, to tell the first frame of a screen from the next ones: a
/// screen opens at its top.
#[derive(Debug, Clone, PartialEq, Eq)]
enum ScreenKey {
    Home,
    Patient(PatientId),
    OpeningPlan(PlanId),
    Plan(Option<PlanId>),
    NewPlan,
    Library,
    LotRecall,
}

/// What the physician is asked before a new plan being made is dropped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum DraftQuestion {
    /// Cancel or Esc on the new-plan screen.
    Cancel,
    /// A new plan for another patient was asked for (or a fresh one).
    Replace(Option<PatientId>),
}

/// Whether the database server answers (always, on a data folder).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Server {
    Answering,
    NotAnswering,
}

enum IndexState {
    /// The store is not there yet: the database is being connected to.
    Connecting,
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
    /// The store, or why there is none (yet: on a database, while connecting).
    store: Result<Store, String>,
    /// Where the records are, as the status bar names it ("Database: host/database").
    store_label: String,
    /// The database the window is on (`--database`, the environment or the settings),
    /// kept to connect again when asked.
    database_url: Option<String>,
    /// The connection to the database being made, off the UI thread.
    connecting: Option<Receiver<Result<crate::desk::worker::Connected, String>>>,
    /// Saves announced by the database, from every desk.
    changes: Option<crate::store::ChangeWatch>,
    /// Whether the database server answers the thread that listens for saves.
    server: Server,
    /// The list of patients and plans read again in the background after the server
    /// came back; the list shown stays until it has loaded.
    refreshing: Option<Receiver<LoadMessage>>,
    worker: Option<Worker>,
    /// The `photos` thread: checks, keeps and decodes photographs.
    photo_worker: Option<crate::desk::photos::PhotoWorker>,
    /// The standard views of clinical photographs.
    photo_views: crate::catalog::PhotoViews,
    /// Photographs on their way into the data folder, for the plan they will be added to.
    photo_keeping: Option<(PlanId, Vec<crate::planning::PlanPhoto>)>,
    /// The plan files being checked were chosen for.
    photo_checks_for: Option<PlanId>,
    /// Show the first comparison once this plan (asked for with `--open`) is open.
    compare_on_open: Option<PlanId>,
    index: IndexState,
    list: PatientList,
    plans_table: PlansTable,
    /// The home screen: the clinic's agenda.
    agenda: AgendaView,
    /// What the home screen shows.
    home: Home,
    query: String,
    screen: Screen,
    open_plan: Option<OpenPlan>,
    /// The item of a plan the agenda asked to open the plan at: the plan screen shows
    /// it (highlighted, scrolled to) once that plan is open.
    plan_target: Option<(PlanId, crate::planning::agenda::ItemPlace)>,
    /// The plan whose reading was asked for last; an older read that arrives late is
    /// dropped.
    opening: Option<PlanId>,
    /// What waits for the open plan's saves to land.
    after_save: Vec<AfterSave>,
    /// What was typed on plans opened before and not added yet, by plan, with the
    /// patient's name: kept until the plan is opened again.
    parked_views: BTreeMap<PlanId, (String, PlanViewState)>,
    /// A new plan being made, kept while the physician looks at another screen; Ctrl+N
    /// brings it back.
    parked_draft: Option<Box<NewPlanDraft>>,
    /// Patients' details edited and not saved, kept while the physician looks at
    /// another screen; shown again when the patient is opened.
    parked_patient_edits: BTreeMap<PatientId, Box<PatientEdit>>,
    /// Whether to drop the new plan being made, while the physician decides.
    draft_question: Option<DraftQuestion>,
    /// The screen of the last frame.
    last_screen: Option<ScreenKey>,
    /// The window was asked to close over text typed and not added or saved: what
    /// would be lost, while the physician decides.
    close_confirm: Option<Vec<String>>,
    /// The physician chose to close and drop what was typed.
    discard_typing: bool,
    settings_dialog: Option<SettingsDialog>,
    export_dialog: Option<ExportDialog>,
    /// The folder of the last export, offered again.
    export_folder: Option<PathBuf>,
    /// How a PDF or a folder is shown in the system's application.
    opener: Opener,
    /// Files and folders being opened in the system's application, each reporting
    /// whether it could be.
    openings: Vec<Receiver<Result<(), String>>>,
    /// Errors and notices for the status bar, newest last.
    messages: Vec<String>,
    /// A short confirmation in the status bar ("Saved revision 4") and until when
    /// (egui's input time, in seconds) it shows.
    confirmation: Option<(String, f64)>,
    /// Ctrl+S was pressed while a save of this plan was on its way: confirm it when it
    /// lands.
    save_to_confirm: Option<PlanId>,
    pending_open: Option<PlanId>,
    screenshot: Option<Screenshot>,
    allowed_to_close: bool,
    /// The data folder holds demo data: a banner says so on every screen.
    is_demo_data: bool,
    startup: StartupLog,
    /// The lots of every plan, for recall and suggestions (read when first needed).
    lots: lots::LotsState,
}

/// How long a confirmation such as "Saved revision 4" stays in the status bar.
const CONFIRMATION_SECONDS: f64 = 4.0;

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
        let Workspace {
            dirs,
            catalog,
            catalog_problems,
            photo_views,
            settings,
            store,
            database_url,
            is_demo,
            messages,
        } = options.workspace;
        super::theme::install(ctx);
        apply_theme(ctx, settings.theme);
        // Without a data folder, no plan can be opened; the banner says why. On a
        // database, the plan opens once connected.
        let compare_on_open = options.open_plan.clone().filter(|_| options.compare_photos);
        let pending_open = options
            .open_plan
            .filter(|_| store.is_ok() || database_url.is_some());
        let store_label = match (&store, &database_url) {
            (_, Some(url)) => crate::store::database_label(url).map_or_else(
                |_| "Database".to_owned(),
                |label| format!("Database: {label}"),
            ),
            (Ok(store), None) => store.location_label(),
            (Err(_), None) => format!("Data folder: {}", dirs.data.display()),
        };
        let index = match &store {
            Err(error) if database_url.is_none() => IndexState::Failed(error.clone()),
            _ => IndexState::Connecting,
        };
        let mut app = Self {
            dirs,
            catalog,
            catalog_problems,
            settings,
            store: store.clone(),
            store_label,
            database_url,
            connecting: None,
            changes: None,
            server: Server::Answering,
            refreshing: None,
            worker: None,
            photo_worker: None,
            photo_views,
            photo_keeping: None,
            photo_checks_for: None,
            compare_on_open,
            index,
            list: PatientList::default(),
            plans_table: PlansTable::default(),
            agenda: AgendaView::default(),
            home: Home::Agenda,
            query: String::new(),
            screen: Screen::Home,
            open_plan: None,
            plan_target: None,
            opening: None,
            after_save: Vec::new(),
            parked_views: BTreeMap::new(),
            parked_draft: None,
            parked_patient_edits: BTreeMap::new(),
            draft_question: None,
            last_screen: None,
            close_confirm: None,
            discard_typing: false,
            settings_dialog: None,
            export_dialog: None,
            export_folder: None,
            opener: system_opener,
            openings: Vec::new(),
            messages,
            confirmation: None,
            save_to_confirm: None,
            pending_open,
            screenshot: options
                .screenshot
                .map(|path| Screenshot::new(path, outcome)),
            allowed_to_close: false,
            is_demo_data: is_demo,
            startup: StartupLog::new(),
            lots: lots::LotsState::default(),
        };
        match store {
            Ok(store) => app.start_store(store, ctx),
            Err(_) if app.database_url.is_some() => app.start_connecting(ctx),
            Err(_) => {}
        }
        app
    }

    /// The app, showing PDFs and folders with `opener` instead of the system's
    /// application (tests record what would be opened).
    #[must_use]
    pub fn with_opener(mut self, opener: Opener) -> Self {
        self.opener = opener;
        self
    }

    /// Shows a file or folder in the system's application, on a thread of its own; a
    /// failure is said in the status bar.
    fn open_outside(&mut self, path: PathBuf, ctx: &egui::Context) {
        let wake = {
            let ctx = ctx.clone();
            move || ctx.request_repaint()
        };
        match crate::desk::worker::start_open(self.opener, path, wake) {
            Ok(receiver) => self.openings.push(receiver),
            Err(error) => self.messages.push(format!(
                "could not start opening the file: {error}; open it by hand"
            )),
        }
    }

    /// Takes what the openings in the system's application reported.
    fn poll_openings(&mut self) {
        let mut problems = Vec::new();
        self.openings.retain(|receiver| match receiver.try_recv() {
            Ok(result) => {
                if let Err(message) = result {
                    problems.push(message);
                }
                false
            }
            Err(std::sync::mpsc::TryRecvError::Empty) => true,
            Err(std::sync::mpsc::TryRecvError::Disconnected) => false,
        });
        self.messages.extend(problems);
    }

    /// Whether the list of patients and plans has finished loading (or failed).
    #[must_use]
    pub fn is_index_loaded(&self) -> bool {
        !matches!(
            self.index,
            IndexState::Loading { .. } | IndexState::Connecting
        )
    }

    /// Where the patients and plans are, as the status bar names it: "Data folder:
    /// PATH" or "Database: host/database".
    #[must_use]
    pub fn store_label(&self) -> &str {
        &self.store_label
    }

    /// The revision of the open plan saved at another desk since it was opened (its
    /// number, when and by whom), if there is one.
    #[must_use]
    pub fn open_plan_changed_elsewhere(&self) -> Option<&Revision<()>> {
        self.open_plan
            .as_ref()
            .and_then(|open| open.elsewhere.as_ref())
    }

    /// The list of patients and plans, once loaded.
    #[must_use]
    pub fn index(&self) -> Option<&Index> {
        match &self.index {
            IndexState::Ready(index) => Some(index),
            _ => None,
        }
    }

    /// Why the list of patients and plans could not be read, if it could not.
    #[must_use]
    pub fn index_error(&self) -> Option<&str> {
        match &self.index {
            IndexState::Failed(error) => Some(error),
            _ => None,
        }
    }

    /// The open plan's record, if a plan is open.
    #[must_use]
    pub fn open_plan_record(&self) -> Option<&PlanRecord> {
        self.open_plan.as_ref().map(|open| &open.record)
    }

    /// The item the open plan's screen highlights (it was opened at it from the
    /// agenda), if any.
    #[must_use]
    pub fn open_plan_highlight(&self) -> Option<&crate::planning::agenda::ItemPlace> {
        self.open_plan
            .as_ref()
            .and_then(|open| open.view.target.place())
    }

    /// The open plan's id and its newest saved revision, if a plan is open.
    #[must_use]
    pub fn open_plan_revision(&self) -> Option<(&PlanId, u32)> {
        self.open_plan
            .as_ref()
            .map(|open| (&open.id, open.saved.number))
    }

    /// How the open plan stands with the disk, as its screen shows it.
    #[must_use]
    pub fn open_plan_save_state(&self) -> Option<SaveState> {
        self.open_plan.as_ref().map(OpenPlan::save_state)
    }

    /// Whether the export dialog is open and its last outcome, if any.
    #[must_use]
    pub fn export_outcome(&self) -> Option<Option<&crate::desk::worker::ExportResult>> {
        self.export_dialog
            .as_ref()
            .map(|dialog| dialog.outcome.as_ref())
    }

    /// Whether a close of the window waits for the open plan's saves to land: it closes
    /// once they have.
    #[must_use]
    pub fn is_waiting_to_close(&self) -> bool {
        self.after_save.contains(&AfterSave::Close)
    }

    /// Whether the settings dialog is open.
    #[must_use]
    pub fn is_settings_open(&self) -> bool {
        self.settings_dialog.is_some()
    }

    /// The settings in use.
    #[must_use]
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Messages shown in the status bar, newest last.
    #[must_use]
    pub fn messages(&self) -> &[String] {
        &self.messages
    }

    /// The short confirmation the status bar shows, if any ("Saved revision 4").
    #[must_use]
    pub fn confirmation(&self) -> Option<&str> {
        self.confirmation.as_ref().map(|(text, _)| text.as_str())
    }

    /// Shows a short confirmation in the status bar for a few seconds.
    fn confirm(&mut self, ctx: &egui::Context, text: String) {
        let until = ctx.input(|input| input.time) + CONFIRMATION_SECONDS;
        self.confirmation = Some((text, until));
        ctx.request_repaint_after(Duration::from_secs_f64(CONFIRMATION_SECONDS));
    }

    /// The name saves are recorded under.
    fn author(&self) -> String {
        let name = self.settings.physician_name.trim();
        if name.is_empty() {
            "unnamed physician (set your name in Settings)".to_owned()
        } else {
            name.to_owned()
        }
    }

    /// Shows another screen. A new plan being made is kept (parked), never dropped.
    fn show(&mut self, screen: Screen) {
        let old = std::mem::replace(&mut self.screen, screen);
        match old {
            Screen::NewPlan(draft) if draft.has_work() => self.parked_draft = Some(draft),
            Screen::Patient {
                id,
                edit: Some(edit),
                ..
            } if edit.has_changes() || edit.saving => {
                self.parked_patient_edits.insert(id, edit);
            }
            _ => {}
        }
    }

    /// Whether this frame is the first of the screen shown, and remembers it.
    fn is_fresh_screen(&mut self) -> bool {
        let key = match &self.screen {
            Screen::Home => ScreenKey::Home,
            Screen::Patient { id, .. } => ScreenKey::Patient(id.clone()),
            Screen::OpeningPlan { id, .. } => ScreenKey::OpeningPlan(id.clone()),
            Screen::Plan => ScreenKey::Plan(self.open_plan.as_ref().map(|open| open.id.clone())),
            Screen::NewPlan(_) => ScreenKey::NewPlan,
            Screen::Library(_) => ScreenKey::Library,
            Screen::LotRecall(_) => ScreenKey::LotRecall,
        };
        let fresh = self.last_screen.as_ref() != Some(&key);
        self.last_screen = Some(key);
        fresh
    }

    /// Whether a new plan is being made with something chosen or typed, on screen or
    /// kept aside.
    #[must_use]
    pub fn has_new_plan_draft(&self) -> bool {
        matches!(&self.screen, Screen::NewPlan(draft) if draft.has_work())
            || self.parked_draft.is_some()
    }

    /// Whether the physician is being asked whether to drop the new plan being made.
    #[must_use]
    pub fn is_asking_about_draft(&self) -> bool {
        self.draft_question.is_some()
    }

    fn clinic_options(&self) -> ClinicOptions {
        ClinicOptions {
            working_days: self.settings.working_days.clone(),
            jurisdiction: self.settings.jurisdiction,
            closed_dates: self.settings.closed_dates.clone(),
        }
    }
}

fn apply_theme(ctx: &egui::Context, theme: ThemePreference) {
    ctx.set_theme(match theme {
        ThemePreference::System => egui::ThemePreference::System,
        ThemePreference::Light => egui::ThemePreference::Light,
        ThemePreference::Dark => egui::ThemePreference::Dark,
    });
}

impl eframe::App for App {
    fn ui(&mut self, ui: &mut Ui, frame: &mut eframe::Frame) {
        self.startup.frame_starts(frame.info().cpu_usage);
        let ctx = ui.ctx().clone();
        self.poll_connecting(&ctx);
        self.poll_index(&ctx);
        self.poll_refresh();
        self.poll_changes();
        self.poll_worker(&ctx);
        self.poll_lots(&ctx);
        self.poll_openings();
        self.poll_photos(&ctx);
        self.compare_after_open();
        let mut actions: Vec<Action> = Vec::new();
        actions.extend(self.dropped_photos(&ctx));
        actions.extend(self.shortcuts(ui));

        if self.is_demo_data {
            let on_database = self.database_url.is_some();
            egui::Panel::top("demo-banner")
                .show(ui, |ui| super::widgets::demo_banner_ui(ui, on_database));
        }
        egui::Panel::top("top-bar").show(ui, |ui| actions.extend(top_bar_ui(ui, &self.settings)));
        let activity = self.activity();
        let now = ctx.input(|input| input.time);
        if self
            .confirmation
            .as_ref()
            .is_some_and(|(_, until)| *until <= now)
        {
            self.confirmation = None;
        }
        let confirmation = self.confirmation.as_ref().map(|(text, _)| text.as_str());
        let store_label = self.store_status();
        egui::Panel::bottom("status-bar").show(ui, |ui| {
            status_bar_ui(ui, activity, confirmation, &mut self.messages, &store_label);
        });
        // The physician may widen the list to nearly half a wide window; egui keeps
        // the width in its memory, which eframe saves with the window's place.
        let widest_list = (ui.available_width() * 0.45).max(480.0);
        egui::Panel::left("patients")
            .resizable(true)
            .default_size(320.0)
            .min_size(240.0)
            .max_size(widest_list)
            .show(ui, |ui| actions.extend(self.patients_ui(ui)));
        egui::CentralPanel::default().show(ui, |ui| actions.extend(self.central_ui(ui)));
        actions.extend(self.dialogs_ui(&ctx));

        for action in actions {
            self.apply(action, &ctx);
        }
        self.send_photo_requests();
        self.settle_after_save(&ctx);
        if matches!(self.index, IndexState::Loading { .. })
            || self.connecting.is_some()
            || self.refreshing.is_some()
            || self.worker.as_ref().is_some_and(Worker::is_busy)
        {
            ctx.request_repaint_after(Duration::from_millis(100));
        }
        self.screenshot_step(&ctx);
        self.handle_close(ui);
    }

    fn on_exit(&mut self, _gl: Option<&eframe::glow::Context>) {
        // The window closes only once every save has landed (see `handle_close`);
        // anything still queued (the settings, say) finishes when the worker is dropped.
        if let Some(open) = &self.open_plan
            && !matches!(open.save_state(), SaveState::Saved { .. })
        {
            tracing::error!(
                "the window closed with changes of plan {} not saved",
                open.id
            );
        }
    }
}
