//! `--screenshot PATH`: the first complete frame of the window as a PNG, then close.
//! The PNG is written on a thread of its own ([`crate::desk::screenshot`]).

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::Receiver;

use super::{App, Screen, ScreenshotOutcome};
use crate::desk::screenshot::{Pixels, write_png};

/// A `--screenshot` on its way: frames counted until the window is complete.
pub(super) struct Screenshot {
    path: PathBuf,
    requested: bool,
    frames: u32,
    receiver: Option<Receiver<Arc<egui::ColorImage>>>,
    /// The PNG being written.
    writing: Option<Receiver<Result<(), String>>>,
    outcome: ScreenshotOutcome,
}

impl Screenshot {
    /// A screenshot to write to `path` once the window is complete, reported to
    /// `outcome`.
    pub(super) fn new(path: PathBuf, outcome: ScreenshotOutcome) -> Self {
        Self {
            path,
            requested: false,
            frames: 0,
            receiver: None,
            writing: None,
            outcome,
        }
    }
}

impl App {
    pub(super) fn screenshot_step(&mut self, ctx: &egui::Context) {
        // The window is complete once the list has loaded and the plan asked for with
        // `--open` (if any) is on the screen.
        let loaded = self.is_index_loaded()
            && self.pending_open.is_none()
            && self.opening.is_none()
            && !matches!(self.screen, Screen::OpeningPlan { failed: None, .. })
            && !self.is_loading_photos();
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
            let waker = ctx.clone();
            let written = pixels(&image).and_then(|pixels| {
                write_png(shot.path.clone(), pixels, move || waker.request_repaint())
                    .map_err(|error| format!("could not start writing the screenshot: {error}"))
            });
            match written {
                Ok(receiver) => shot.writing = Some(receiver),
                Err(message) => finish(shot, Err(message), &mut self.allowed_to_close, ctx),
            }
        }
        if let Some(result) = shot
            .writing
            .as_ref()
            .and_then(|receiver| receiver.try_recv().ok())
        {
            finish(shot, result, &mut self.allowed_to_close, ctx);
        }
        ctx.request_repaint();
    }
}

/// Reports the screenshot's outcome and closes the window.
fn finish(
    shot: &mut Screenshot,
    result: Result<(), String>,
    allowed_to_close: &mut bool,
    ctx: &egui::Context,
) {
    shot.writing = None;
    if let Ok(mut outcome) = shot.outcome.lock() {
        *outcome = Some(result);
    }
    *allowed_to_close = true;
    ctx.send_viewport_cmd(egui::ViewportCommand::Close);
}

/// The frame's pixels for the PNG; a frame of one colour is refused, as the window
/// did not render.
fn pixels(image: &egui::ColorImage) -> Result<Pixels, String> {
    let [width, height] = image.size;
    let first = image.pixels.first().copied();
    if image.pixels.iter().all(|pixel| Some(*pixel) == first) {
        return Err(
            "the window rendered a blank frame; check the graphics driver (OpenGL)".to_owned(),
        );
    }
    let (Ok(width), Ok(height)) = (u32::try_from(width), u32::try_from(height)) else {
        return Err("the screenshot is too large".to_owned());
    };
    Ok(Pixels {
        width,
        height,
        rgba: image
            .pixels
            .iter()
            .flat_map(egui::Color32::to_array)
            .collect(),
    })
}
