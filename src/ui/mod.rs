//! The egui desktop app. Only this module knows egui.

mod action;
pub mod agenda_view;
mod app;
mod close_dialog;
mod export_dialog;
mod library;
mod lot_recall;
mod new_plan;
mod patient_list;
mod patient_view;
pub mod photos;
mod plan_target;
mod plan_view;
mod plans_table;
mod record_form;
mod score_chart;
mod search;
mod settings;
mod startup;
mod status_bar;
pub mod theme;
mod timeline;
mod top_bar;
mod treatment;
mod widgets;

pub use action::Action;
pub use app::{App, AppOptions, ScreenshotOutcome};
pub use patient_list::PatientList;
pub use plan_view::SaveState;
pub use plan_view::keys as checklist_keys;
pub use startup::mark_process_start;

/// The window's size when it opens, in points, unless `--window-size` says otherwise.
pub const DEFAULT_WINDOW_SIZE: [f32; 2] = [1280.0, 800.0];

/// The smallest size the window can be made, in points.
pub const MIN_WINDOW_SIZE: [f32; 2] = [960.0, 600.0];

/// Opens the window and runs until it closes: at `size` (in points) when one is
/// given, else where and as large as it was left.
///
/// # Errors
/// When the window cannot be opened (no display, no OpenGL), or `--screenshot` failed.
pub fn run(options: AppOptions, size: Option<[f32; 2]>) -> Result<(), String> {
    let outcome = ScreenshotOutcome::default();
    let wants_screenshot = options.screenshot.is_some();
    // The size asked for wins over the one the window was left at, which eframe
    // restores before this hook runs.
    let window_builder = size.map(|size| -> eframe::WindowBuilderHook {
        Box::new(move |builder: egui::ViewportBuilder| {
            builder
                .with_inner_size(size)
                .with_maximized(false)
                .with_fullscreen(false)
        })
    });
    let native = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("Regen Planner")
            .with_inner_size(size.unwrap_or(DEFAULT_WINDOW_SIZE))
            .with_min_inner_size(MIN_WINDOW_SIZE),
        window_builder,
        persist_window: !wants_screenshot,
        ..Default::default()
    };
    let app_outcome = outcome.clone();
    eframe::run_native(
        "Regen Planner",
        native,
        Box::new(move |cc| {
            Ok(Box::new(App::with_context(
                &cc.egui_ctx,
                options,
                app_outcome,
            )))
        }),
    )
    .map_err(|error| format!("could not open the window: {error}"))?;
    if wants_screenshot {
        let result = outcome
            .lock()
            .map_err(|_| "the screenshot was lost".to_owned())?
            .clone();
        return result.unwrap_or_else(|| {
            Err("the window closed before the screenshot was taken".to_owned())
        });
    }
    Ok(())
}
