//! A before/after pair of clinical photographs as one image for the patient: the two
//! side by side at the same height, each with its caption (the day taken, the visit and
//! the days since session 1) drawn into the image under it, in the Noto Sans the PDFs
//! are set in.
//!
//! Pixels in, bytes out: the image is written from its pixels alone, so no metadata of
//! the originals (location, camera, dates, thumbnails, comments) reaches the file.

use std::fmt::Write as _;

use ab_glyph::{Font as _, FontRef, PxScale, ScaleFont as _, point};
use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::{DynamicImage, Rgb, RgbImage, imageops};

/// The tallest the photographs are drawn in a pair, in pixels: a print or a large
/// screen, and a bound on the pair's memory.
pub const PAIR_HEIGHT_PIXELS: u32 = 1600;
/// The quality of a pair written as JPEG, out of 100.
const PAIR_JPEG_QUALITY: u8 = 92;

/// How a pair is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PairFormat {
    /// A PNG: exact pixels, larger.
    Png,
    /// A JPEG: smaller, for sending.
    Jpeg,
}

impl PairFormat {
    /// The file name extension: `png` or `jpg`.
    #[must_use]
    pub fn extension(self) -> &'static str {
        match self {
            PairFormat::Png => "png",
            PairFormat::Jpeg => "jpg",
        }
    }

    /// The format a file name asks for by its extension (`.png`, `.jpg`, `.jpeg`).
    #[must_use]
    pub fn from_file_name(path: &std::path::Path) -> Option<Self> {
        let extension = path.extension()?.to_str()?.to_ascii_lowercase();
        match extension.as_str() {
            "png" => Some(PairFormat::Png),
            "jpg" | "jpeg" => Some(PairFormat::Jpeg),
            _ => None,
        }
    }
}

/// One side of a pair: the photograph, turned as the camera meant, and its caption.
#[derive(Debug, Clone, Copy)]
pub struct PairSide<'a> {
    /// The pixels.
    pub image: &'a DynamicImage,
    /// The line drawn under it.
    pub caption: &'a str,
}

/// Why a pair could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PairError {
    /// The font shipped with the app could not be read.
    #[error("the Noto Sans font shipped with the app could not be read; reinstall the app")]
    Font,
    /// A photograph has no pixels.
    #[error("a photograph of the pair has no pixels; export each photograph on its own")]
    Empty,
    /// The encoder refused the image.
    #[error("the pair could not be written as {format}: {reason}")]
    Encode {
        /// PNG or JPEG.
        format: &'static str,
        /// What the encoder said.
        reason: String,
    },
}

/// The caption of one side: "Before: 18 Jan 2027, session 1, day 0".
#[must_use]
pub fn pair_caption(
    which: &str,
    taken: jiff::civil::Date,
    visit: Option<&str>,
    days_since_first_session: Option<i32>,
) -> String {
    let mut text = format!("{which}: {}", taken.strftime("%-d %b %Y"));
    if let Some(visit) = visit {
        text.push_str(", ");
        text.push_str(&visit.to_lowercase());
    }
    if let Some(days) = days_since_first_session {
        let _ = write!(text, ", day {days}");
    }
    text
}

/// The pair as one image: `before` on the left, `after` on the right, both at the same
/// height (at most [`PAIR_HEIGHT_PIXELS`]), each caption under its photograph, on
/// white, written as `format` with no metadata.
///
/// # Errors
/// When a photograph has no pixels, the font cannot be read, or the encoder fails.
#[allow(
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    reason = "pixel sizes are far below 2^24 and positive"
)]
pub fn photo_pair(
    before: PairSide<'_>,
    after: PairSide<'_>,
    format: PairFormat,
) -> Result<Vec<u8>, PairError> {
    let sides = [before, after];
    if sides
        .iter()
        .any(|side| side.image.width() == 0 || side.image.height() == 0)
    {
        return Err(PairError::Empty);
    }
    let font =
        FontRef::try_from_slice(super::fonts::regular_font_bytes()).map_err(|_| PairError::Font)?;
    let height = sides
        .iter()
        .map(|side| side.image.height())
        .min()
        .unwrap_or(1)
        .min(PAIR_HEIGHT_PIXELS);
    let scaled: Vec<RgbImage> = sides
        .iter()
        .map(|side| {
            let width = (side.image.width() as f32 * height as f32 / side.image.height() as f32)
                .round()
                .max(1.0) as u32;
            imageops::resize(
                &side.image.to_rgb8(),
                width,
                height,
                imageops::FilterType::Triangle,
            )
        })
        .collect();
    let margin = (height / 40).max(12);
    let text_px = (height as f32 / 28.0).clamp(18.0, 56.0);
    let band = (text_px * 1.6).ceil() as u32;
    let width: u32 = scaled.iter().map(RgbImage::width).sum::<u32>() + 3 * margin;
    let total_height = height + band + 2 * margin;
    let mut canvas = RgbImage::from_pixel(width, total_height, Rgb([255, 255, 255]));
    let mut x = margin;
    for (side, image) in sides.iter().zip(&scaled) {
        imageops::replace(&mut canvas, image, i64::from(x), i64::from(margin));
        let baseline = (margin + height) as f32 + text_px * 1.15;
        draw_line(
            &mut canvas,
            &font,
            side.caption,
            text_px,
            (x as f32, baseline),
            image.width() as f32,
        );
        x += image.width() + margin;
    }
    let mut out = Vec::new();
    let written = match format {
        PairFormat::Png => DynamicImage::ImageRgb8(canvas)
            .write_with_encoder(PngEncoder::new(&mut out))
            .map_err(|error| ("PNG", error)),
        PairFormat::Jpeg => DynamicImage::ImageRgb8(canvas)
            .write_with_encoder(JpegEncoder::new_with_quality(&mut out, PAIR_JPEG_QUALITY))
            .map_err(|error| ("JPEG", error)),
    };
    written.map_err(|(format, error)| PairError::Encode {
        format,
        reason: error.to_string(),
    })?;
    Ok(out)
}

/// Draws one line of text in dark grey at `origin` (left end of the baseline), made
/// smaller until it fits `max_width`.
#[allow(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    clippy::cast_possible_wrap,
    reason = "glyph positions are small and checked against the canvas"
)]
fn draw_line(
    canvas: &mut RgbImage,
    font: &FontRef<'_>,
    text: &str,
    size_px: f32,
    origin: (f32, f32),
    max_width: f32,
) {
    let measure = |scale: PxScale| {
        let scaled = font.as_scaled(scale);
        let mut width = 0.0;
        let mut previous = None;
        for character in text.chars() {
            let id = scaled.glyph_id(character);
            if let Some(previous) = previous {
                width += scaled.kern(previous, id);
            }
            width += scaled.h_advance(id);
            previous = Some(id);
        }
        width
    };
    let mut scale = PxScale::from(size_px);
    let natural = measure(scale);
    if natural > max_width && natural > 0.0 {
        scale = PxScale::from(size_px * max_width / natural);
    }
    let scaled = font.as_scaled(scale);
    let mut caret = origin.0;
    let mut previous = None;
    let ink = [40.0_f32, 40.0, 40.0];
    for character in text.chars() {
        let id = scaled.glyph_id(character);
        if let Some(previous) = previous {
            caret += scaled.kern(previous, id);
        }
        let glyph = id.with_scale_and_position(scale, point(caret, origin.1));
        caret += scaled.h_advance(id);
        previous = Some(id);
        let Some(outlined) = font.outline_glyph(glyph) else {
            continue;
        };
        let bounds = outlined.px_bounds();
        outlined.draw(|gx, gy, coverage| {
            let px = bounds.min.x as i64 + i64::from(gx);
            let py = bounds.min.y as i64 + i64::from(gy);
            let (Ok(px), Ok(py)) = (u32::try_from(px), u32::try_from(py)) else {
                return;
            };
            if px >= canvas.width() || py >= canvas.height() {
                return;
            }
            let pixel = canvas.get_pixel_mut(px, py);
            let coverage = coverage.clamp(0.0, 1.0);
            for (channel, ink) in pixel.0.iter_mut().zip(ink) {
                let blended = f32::from(*channel) * (1.0 - coverage) + ink * coverage;
                *channel = blended.round().clamp(0.0, 255.0) as u8;
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use image::{ImageDecoder as _, ImageReader};

    use super::*;

    fn photo(width: u32, height: u32, colour: [u8; 3]) -> DynamicImage {
        DynamicImage::ImageRgb8(RgbImage::from_pixel(width, height, Rgb(colour)))
    }

    #[test]
    fn a_pair_shows_both_photographs_at_one_height_with_their_captions() {
        let before = photo(400, 300, [200, 30, 30]);
        let after = photo(300, 600, [30, 30, 200]);
        let caption_before = pair_caption(
            "Before",
            "2027-01-18".parse().unwrap(),
            Some("Session 1"),
            Some(0),
        );
        assert_eq!(caption_before, "Before: 18 Jan 2027, session 1, day 0");
        let caption_after = pair_caption("After", "2027-07-19".parse().unwrap(), None, Some(182));
        let bytes = photo_pair(
            PairSide {
                image: &before,
                caption: &caption_before,
            },
            PairSide {
                image: &after,
                caption: &caption_after,
            },
            PairFormat::Png,
        )
        .unwrap();
        let pair = image::load_from_memory(&bytes).unwrap().to_rgb8();
        // Both at the smaller height, 300: 400 + 150 wide, with three margins.
        let margin = 12;
        assert_eq!(pair.width(), 400 + 150 + 3 * margin);
        let left = pair.get_pixel(margin + 200, margin + 150);
        let right = pair.get_pixel(margin + 400 + margin + 75, margin + 150);
        assert_eq!(left.0, [200, 30, 30]);
        assert_eq!(right.0, [30, 30, 200]);
        // The captions are drawn: dark pixels in the band under the photographs.
        let band_dark = (margin + 300..pair.height())
            .flat_map(|y| (0..pair.width()).map(move |x| (x, y)))
            .filter(|&(x, y)| pair.get_pixel(x, y).0[0] < 100)
            .count();
        assert!(band_dark > 200, "caption pixels: {band_dark}");
    }

    #[test]
    fn a_pair_carries_no_metadata_in_either_format() {
        let before = photo(64, 48, [10, 200, 10]);
        let after = photo(64, 48, [10, 10, 200]);
        for format in [PairFormat::Png, PairFormat::Jpeg] {
            let bytes = photo_pair(
                PairSide {
                    image: &before,
                    caption: "Before: 1 Mar 2027",
                },
                PairSide {
                    image: &after,
                    caption: "After: 1 Sep 2027",
                },
                format,
            )
            .unwrap();
            for marker in [
                &b"Exif"[..],
                b"eXIf",
                b"tEXt",
                b"iTXt",
                b"zTXt",
                b"GPS",
                b"http",
            ] {
                assert!(
                    !bytes.windows(marker.len()).any(|window| window == marker),
                    "{format:?} holds {}",
                    String::from_utf8_lossy(marker)
                );
            }
            let mut decoder = ImageReader::new(std::io::Cursor::new(&bytes))
                .with_guessed_format()
                .unwrap()
                .into_decoder()
                .unwrap();
            assert!(decoder.exif_metadata().unwrap().is_none());
        }
        assert_eq!(
            PairFormat::from_file_name(std::path::Path::new("pair.JPEG")),
            Some(PairFormat::Jpeg)
        );
        assert_eq!(
            PairFormat::from_file_name(std::path::Path::new("pair.pdf")),
            None
        );
    }
}
