//! Writing the window's `--screenshot` as a PNG, on a thread named `screenshot`: the
//! window hands over the pixels it drew and closes once the file is written.

use std::path::PathBuf;
use std::sync::mpsc::{Receiver, channel};

/// The pixels of one frame, row by row, four bytes (red, green, blue, alpha) each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pixels {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// `width * height * 4` bytes.
    pub rgba: Vec<u8>,
}

/// Writes `pixels` as a PNG to `path` on a thread named `screenshot`; the outcome (or
/// why not, as a sentence) arrives on the receiver, and `wake` is called then.
///
/// # Errors
/// When the system cannot start a thread.
pub fn write_png(
    path: PathBuf,
    pixels: Pixels,
    wake: impl Fn() + Send + 'static,
) -> std::io::Result<Receiver<Result<(), String>>> {
    let (sender, receiver) = channel();
    std::thread::Builder::new()
        .name("screenshot".into())
        .spawn(move || {
            let result = image::RgbaImage::from_raw(pixels.width, pixels.height, pixels.rgba)
                .ok_or_else(|| "the screenshot has the wrong size".to_owned())
                .and_then(|buffer| {
                    buffer.save(&path).map_err(|error| {
                        format!("could not write the screenshot {}: {error}", path.display())
                    })
                });
            let _ = sender.send(result);
            wake();
        })?;
    Ok(receiver)
}
