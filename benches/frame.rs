//! One frame of the real `App`, headless: `Context::run_ui` with the app's `ui`, then
//! `Context::tessellate`, at 1280x800, on the benchmarks' demo data (10,000 patients in
//! the list). Painting on the GPU is not included; with glow that is the driver's work.
//!
//! Target: under 1 ms per frame. Run with `cargo bench --bench frame`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a benchmark stops loudly on anything unexpected"
)]

mod common;

use std::borrow::BorrowMut;
use std::time::{Duration, Instant};

use divan::Bencher;
use eframe::App as _;
use regen_planner::desk::Workspace;
use regen_planner::store::{AppDirs, PlanId};
use regen_planner::ui::{App, AppOptions};

fn main() {
    common::run_benchmarks();
}

/// The app's options on the benchmarks' data folder, with a configuration folder of its
/// own that lives as long as the returned guard.
fn app_options(open_plan: Option<PlanId>) -> (tempfile::TempDir, AppOptions) {
    let config = tempfile::tempdir().unwrap();
    let options = AppOptions {
        workspace: Workspace::open(AppDirs {
            data: common::demo_store().data_dir().to_path_buf(),
            config: config.path().to_path_buf(),
        }),
        screenshot: None,
        open_plan,
        compare_photos: false,
    };
    (config, options)
}

/// The app in a headless egui context, with the frame eframe would hand it (the one
/// `egui_kittest` makes for `build_eframe`).
struct Headless<A> {
    ctx: egui::Context,
    app: A,
    frame: eframe::Frame,
    time: f64,
    _config: tempfile::TempDir,
}

impl Headless<App> {
    fn new(open_plan: Option<PlanId>) -> Self {
        let (config, options) = app_options(open_plan);
        let ctx = egui::Context::default();
        let app = App::with_context(
            &ctx,
            options,
            regen_planner::ui::ScreenshotOutcome::default(),
        );
        Self {
            ctx,
            app,
            frame: eframe::Frame::_new_kittest(),
            time: 0.0,
            _config: config,
        }
    }
}

impl<A: BorrowMut<App>> Headless<A> {
    /// One frame: the app's UI, then its shapes tessellated into meshes.
    fn frame(&mut self) -> usize {
        self.frame_with(Vec::new())
    }

    /// One frame with these input events (keys typed, for example).
    fn frame_with(&mut self, events: Vec<egui::Event>) -> usize {
        let output = self.run_ui(events);
        let meshes = self.ctx.tessellate(output.shapes, output.pixels_per_point);
        meshes.len()
    }

    /// Whether a frame with these events shows a text that contains `needle`.
    fn shows(&mut self, events: Vec<egui::Event>, needle: &str) -> bool {
        let output = self.run_ui(events);
        output
            .shapes
            .iter()
            .any(|clipped| has_text(&clipped.shape, needle))
    }

    /// The app's UI for one frame, 1/60 s after the last, with these input events; the
    /// textures it would upload are dropped.
    fn run_ui(&mut self, events: Vec<egui::Event>) -> egui::FullOutput {
        self.time += 1.0 / 60.0;
        let input = egui::RawInput {
            screen_rect: Some(egui::Rect::from_min_size(
                egui::Pos2::ZERO,
                egui::vec2(1280.0, 800.0),
            )),
            time: Some(self.time),
            events,
            ..Default::default()
        };
        let (app, frame) = (self.app.borrow_mut(), &mut self.frame);
        let mut output = self.ctx.run_ui(input, |ui| app.ui(ui, frame));
        output.textures_delta.clear();
        output
    }

    /// Runs frames until `done` holds, as the window would while the list loads.
    fn frames_until(&mut self, what: &str, done: impl Fn(&App) -> bool) {
        let started = Instant::now();
        while !done(self.app.borrow()) {
            assert!(
                started.elapsed() < Duration::from_mins(2),
                "timed out waiting for {what}"
            );
            self.frame();
            std::thread::sleep(Duration::from_millis(5));
        }
        // Settle layout (first passes size windows and text) before measuring.
        for _ in 0..10 {
            self.frame();
        }
    }
}

/// The patient list with 10,000 patients, and the home screen beside it.
#[divan::bench]
fn patient_list(bencher: Bencher) {
    let mut headless = Headless::new(None);
    headless.frames_until("the list to load", App::is_index_loaded);
    bencher.bench_local(|| measured_frame(&mut headless));
}

/// One keystroke in the search field, in the frame that shows its result: a letter
/// typed into the empty field, then Backspace, in turns (every patient is searched
/// each time).
#[divan::bench]
fn search_keystroke(bencher: Bencher) {
    let mut headless = Headless::new(None);
    headless.frames_until("the list to load", App::is_index_loaded);
    let key = |key, modifiers| egui::Event::Key {
        key,
        physical_key: None,
        pressed: true,
        repeat: false,
        modifiers,
    };
    headless.frame_with(vec![key(egui::Key::F, egui::Modifiers::COMMAND)]);
    headless.frame();
    assert!(
        headless.shows(vec![egui::Event::Text("m".to_owned())], "patients match"),
        "the keystroke reaches the search field"
    );
    headless.frame_with(vec![key(egui::Key::Backspace, egui::Modifiers::NONE)]);
    let mut typed = false;
    bencher.bench_local(|| {
        typed = !typed;
        let event = if typed {
            egui::Event::Text("m".to_owned())
        } else {
            key(egui::Key::Backspace, egui::Modifiers::NONE)
        };
        measured_keystroke(&mut headless, event)
    });
}

/// A measured frame with one input event; see [`measured_frame`].
#[inline(never)]
fn measured_keystroke(headless: &mut Headless<App>, event: egui::Event) -> usize {
    headless.frame_with(vec![event])
}

/// An open plan beside the list: the plan of the demo data with the largest newest
/// revision (most sessions, aftercare, ticks and notes).
#[divan::bench]
fn open_plan(bencher: Bencher) {
    let mut headless = Headless::new(Some(largest_plan()));
    headless.frames_until("the plan to open", |app| app.open_plan_record().is_some());
    bencher.bench_local(|| measured_frame(&mut headless));
}

/// The measured frames, apart from those that wait for the list, so that a profile
/// can count them alone: `valgrind --tool=callgrind --collect-atstart=no
/// --toggle-collect='*measured_frame*' target/release/deps/frame-* open_plan`.
#[inline(never)]
fn measured_frame<A: BorrowMut<App>>(headless: &mut Headless<A>) -> usize {
    headless.frame()
}

/// The new-plan screen with the list of existing patients open: 10,000 names to
/// choose from. The screen is reached by clicking through the accessibility tree (as
/// the UI tests do); the measured frames then run without it, as the window does when
/// no screen reader is on.
#[divan::bench]
fn new_plan_existing_patient_list(bencher: Bencher) {
    use egui::accesskit::Role;
    use egui_kittest::kittest::Queryable as _;

    let (config, options) = app_options(None);
    let mut harness = egui_kittest::Harness::builder()
        .with_size(egui::vec2(1280.0, 800.0))
        .build_eframe(move |cc| App::new(cc, options));
    let started = Instant::now();
    while !harness.state().is_index_loaded() {
        assert!(started.elapsed() < Duration::from_mins(2), "the list loads");
        harness.step();
        std::thread::sleep(Duration::from_millis(5));
    }
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::N);
    harness.run_steps(2);
    harness.get_by_label("Existing patient").click();
    harness.run_steps(2);
    harness
        .get_by_role_and_label(Role::ComboBox, "Patient")
        .click();
    harness.run_steps(2);
    assert!(egui::Popup::is_any_open(&harness.ctx), "the list is open");

    let ctx = harness.ctx.clone();
    ctx.disable_accesskit();
    let mut headless = Headless {
        ctx,
        app: harness.state_mut(),
        frame: eframe::Frame::_new_kittest(),
        time: 1000.0,
        _config: config,
    };
    for _ in 0..5 {
        headless.frame();
    }
    bencher.bench_local(|| measured_frame(&mut headless));
    assert!(
        egui::Popup::is_any_open(&headless.ctx),
        "the list stayed open"
    );
}

/// The plan whose newest revision file is the largest.
fn largest_plan() -> PlanId {
    let plans = common::demo_store().data_dir().join("plans");
    let mut largest = None;
    for entry in std::fs::read_dir(plans).unwrap() {
        let dir = entry.unwrap().path();
        let size: u64 = std::fs::read_dir(&dir)
            .unwrap()
            .map(|entry| entry.unwrap())
            .filter(|entry| entry.file_name().to_string_lossy().starts_with("revision-"))
            .map(|entry| entry.metadata().unwrap().len())
            .max()
            .unwrap();
        let id = dir.file_name().unwrap().to_string_lossy().into_owned();
        if largest.as_ref().is_none_or(|(best, _)| size > *best) {
            largest = Some((size, id));
        }
    }
    largest.unwrap().1.parse().unwrap()
}

/// Whether a shape is, or holds, a text that contains `needle`.
fn has_text(shape: &egui::Shape, needle: &str) -> bool {
    match shape {
        egui::Shape::Text(text) => text.galley.job.text.contains(needle),
        egui::Shape::Vec(shapes) => shapes.iter().any(|shape| has_text(shape, needle)),
        _ => false,
    }
}
