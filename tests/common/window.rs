//! The real `App` in an `egui_kittest::Harness`, driven through the accessibility tree
//! as a physician (or a screen reader) would, with temporary data and configuration
//! folders. Every wait runs frames until something the window shows holds, for at most
//! five seconds, and fails the test loudly otherwise.

use std::path::Path;
use std::time::{Duration, Instant};

use egui::{Key, Modifiers, ViewportCommand, ViewportEvent, ViewportId};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use regen_planner::desk::Workspace;
use regen_planner::store::{AppDirs, PlanId, PlanRecord, Store};
use regen_planner::ui::{App, AppOptions, SaveState};

/// How long any wait may take before the test fails.
const PATIENCE: Duration = Duration::from_secs(5);

/// A data and a configuration folder of a desk, temporary.
pub fn folders() -> (tempfile::TempDir, tempfile::TempDir) {
    (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap())
}

/// The window's options on these folders, read as the binary reads them.
pub fn options(data: &Path, config: &Path, open_plan: Option<PlanId>) -> AppOptions {
    AppOptions {
        workspace: Workspace::open(AppDirs {
            data: data.to_path_buf(),
            config: config.to_path_buf(),
        }),
        screenshot: None,
        open_plan,
        compare_photos: false,
    }
}

/// The window at 1280x800 on these folders, once the list of patients has loaded.
pub fn harness(data: &Path, config: &Path) -> Harness<'static, App> {
    let options = options(data, config, None);
    let mut harness = Harness::builder()
        .with_size(egui::vec2(1280.0, 800.0))
        .build_eframe(move |cc| App::new(cc, options));
    wait_until(&mut harness, "the index to load", App::is_index_loaded);
    harness
}

/// The window opened on a plan (`--open PLAN_ID`), once the plan shows.
pub fn harness_with_plan(data: &Path, config: &Path, plan: &PlanId) -> Harness<'static, App> {
    let options = options(data, config, Some(plan.clone()));
    let mut harness = Harness::builder()
        .with_size(egui::vec2(1280.0, 800.0))
        .build_eframe(move |cc| App::new(cc, options));
    wait_until(&mut harness, "the plan to open", |app| {
        app.open_plan_record().is_some()
    });
    harness
}

/// Runs frames until `done` holds, then two more.
pub fn wait_until(harness: &mut Harness<'static, App>, what: &str, done: impl Fn(&App) -> bool) {
    let start = Instant::now();
    while !done(harness.state()) {
        assert!(start.elapsed() < PATIENCE, "timed out waiting for {what}");
        harness.step();
        std::thread::sleep(Duration::from_millis(5));
    }
    harness.run_steps(2);
}

/// Runs frames until a label containing `text` shows.
pub fn wait_for_label(harness: &mut Harness<'static, App>, text: &str) {
    let start = Instant::now();
    while harness.query_all_by_label_contains(text).next().is_none() {
        assert!(start.elapsed() < PATIENCE, "timed out waiting for '{text}'");
        harness.step();
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Runs frames until every change of the open plan is on the disk.
pub fn wait_until_saved(harness: &mut Harness<'static, App>) {
    wait_until(harness, "the open plan to be saved", |app| {
        matches!(app.open_plan_save_state(), Some(SaveState::Saved { .. }))
    });
}

/// Runs frames until the saved plan (read from the disk) passes `check`.
pub fn wait_for_saved(
    harness: &mut Harness<'static, App>,
    data: &Path,
    id: &PlanId,
    what: &str,
    check: impl Fn(&PlanRecord) -> bool,
) {
    let store = Store::open(data).unwrap();
    let start = Instant::now();
    while !check(&store.load_plan(id).unwrap().value) {
        assert!(start.elapsed() < PATIENCE, "timed out waiting for {what}");
        harness.step();
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Clicks a labelled widget the way a screen reader does, wherever it is scrolled to.
pub fn click(harness: &mut Harness<'static, App>, label: &str) {
    harness.get_by_label(label).click_accesskit();
    // A dialog needs a sizing pass before it shows.
    harness.run_steps(4);
}

/// Replaces the text of a labelled field.
pub fn type_into(harness: &mut Harness<'static, App>, label: &str, text: &str) {
    harness.get_by_label(label).focus();
    harness.run_steps(1);
    harness.key_press_modifiers(Modifiers::COMMAND, Key::A);
    harness.run_steps(1);
    harness.get_by_label(label).type_text(text);
    harness.run_steps(1);
}

/// Fills the new-plan screen's treatment for the stretch-marks pathway.
pub fn choose_stretch_marks(harness: &mut Harness<'static, App>) {
    click(harness, "Injection");
    click(harness, "Autologous adipose (mini-liposuction)");
    click(harness, "Abdomen and flanks");
    click(harness, "Stretch marks (striae)");
}

/// What became of a request to close the window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Closing {
    /// The window closed (at once, or once its saves had landed).
    Closed,
    /// The window stayed open and says why.
    StaysOpen,
}

/// Asks to close the window, as its close button does, and runs frames until it closes
/// or says it stays open.
pub fn close_window(harness: &mut Harness<'static, App>) -> Closing {
    request_close(harness);
    if !sent(harness, |command| {
        matches!(command, ViewportCommand::CancelClose)
    }) {
        return Closing::Closed;
    }
    let start = Instant::now();
    loop {
        if sent(harness, |command| matches!(command, ViewportCommand::Close)) {
            // The app asks to close once its saves have landed; the window then asks
            // the app again, which lets it go.
            request_close(harness);
            return if sent(harness, |command| {
                matches!(command, ViewportCommand::CancelClose)
            }) {
                Closing::StaysOpen
            } else {
                Closing::Closed
            };
        }
        if !harness.state().is_waiting_to_close() {
            return Closing::StaysOpen;
        }
        assert!(
            start.elapsed() < PATIENCE,
            "timed out waiting for the window to close"
        );
        harness.step();
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// One frame in which the window's close button was pressed.
fn request_close(harness: &mut Harness<'static, App>) {
    harness
        .input_mut()
        .viewports
        .entry(ViewportId::ROOT)
        .or_default()
        .events
        .push(ViewportEvent::Close);
    harness.step();
}

/// Whether the last frame sent the window a command like this.
fn sent(harness: &Harness<'static, App>, like: impl Fn(&ViewportCommand) -> bool) -> bool {
    harness
        .output()
        .viewport_output
        .get(&ViewportId::ROOT)
        .is_some_and(|viewport| viewport.commands.iter().any(like))
}
