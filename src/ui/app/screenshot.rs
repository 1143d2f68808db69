//! `--screenshot PATH`: the first complete frame of the window as a PNG, then close.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::Receiver;

use super::{App, ScreenshotOutcome};

/// A `--screenshot` on its way: frames counted until the window is complete.
pub(super) struct Screenshot {
    path: PathBuf,
    requested: bool,
    frames: u32,
    receiver: Option<Receiver<Arc<egui::ColorImage>>>,
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
            outcome,
        }
    }
}

impl App {
    pub(super) fn screenshot_step(&mut self, ctx: &egui::Context) {
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
