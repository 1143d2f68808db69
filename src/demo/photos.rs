//! Made-up clinical photographs for demo data, tests and benchmarks: no real person is
//! in them. Each is a small JPEG drawn from numbers alone (a soft background, an oval
//! for the treated area and a darker patch that fades over the visits), so that the
//! gallery and the comparison can be tried at once. The same arguments give the same
//! bytes.

use image::codecs::jpeg::JpegEncoder;
use image::{DynamicImage, Rgb, RgbImage};
use jiff::Timestamp;

use crate::catalog::PhotoViews;
use crate::planning::{PhotoMoment, PlanPhoto};
use crate::store::{PlanRecord, Store, StoreError};

/// The size of a demo photograph: small, so that demo data stays fast to make.
const DEMO_WIDTH: u32 = 480;
/// Its height.
const DEMO_HEIGHT: u32 = 360;
/// How many views of each plan's area have demo photographs.
const DEMO_VIEWS: u32 = 2;
/// How many visits (the first sessions) have demo photographs.
const DEMO_VISITS: u32 = 3;

/// The demo photographs, kept once in the data folder (content-addressed) and shared
/// by every demo plan: by view and visit, their id and size.
pub(crate) struct DemoPhotos {
    kept: Vec<(u32, u32, String, u32, u32)>,
}

impl DemoPhotos {
    /// Makes the few demo photographs and keeps them in the store.
    pub(crate) fn keep(store: &Store) -> Result<Self, StoreError> {
        let mut kept = Vec::new();
        for view in 0..DEMO_VIEWS {
            for step in 0..DEMO_VISITS {
                let failed = |what: String| StoreError::Write {
                    record: "demo photographs".to_owned(),
                    file: store.data_dir().join("photos"),
                    cause: std::io::Error::other(what),
                };
                let bytes = synthetic_photo(DEMO_WIDTH, DEMO_HEIGHT, view, step)
                    .map_err(|error| failed(error.to_string()))?;
                let stored = store
                    .add_photo(&bytes)
                    .map_err(|error| failed(error.to_string()))?;
                kept.push((
                    view,
                    step,
                    stored.sha256,
                    stored.probe.width,
                    stored.probe.height,
                ));
            }
        }
        Ok(Self { kept })
    }

    /// The plan with demo photographs of the sessions held by `at`, or `None` when no
    /// session was held yet.
    pub(crate) fn on_plan(
        &self,
        record: &PlanRecord,
        views: &PhotoViews,
        at: Timestamp,
    ) -> Option<PlanRecord> {
        let today = at.to_zoned(jiff::tz::TimeZone::UTC).date();
        let views = views.for_area(record.plan.selection.area);
        let mut photos = Vec::new();
        for (view_index, step, sha256, width, height) in &self.kept {
            let (Some(view), Some(session)) = (
                views.get(*view_index as usize),
                record.plan.sessions.get(*step as usize),
            ) else {
                continue;
            };
            if session.date > today {
                continue;
            }
            photos.push(PlanPhoto {
                sha256: sha256.clone(),
                view: view.id.clone(),
                taken: session.date,
                moment: Some(PhotoMoment::Session(session.number)),
                width: *width,
                height: *height,
                added_at: at,
                removed: false,
            });
        }
        if photos.is_empty() {
            return None;
        }
        let mut record = record.clone();
        record.add_photos(photos);
        Some(record)
    }
}

/// A synthetic photograph of `width` x `height` pixels as a JPEG: `view` (0, 1, 2, …)
/// turns the oval, `step` (0 for the baseline, then one per visit) fades the patch.
///
/// # Errors
/// Only when the JPEG encoder fails, which it does not for an image in memory.
#[allow(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    reason = "each channel is clamped to 0-255 first"
)]
pub fn synthetic_photo(
    width: u32,
    height: u32,
    view: u32,
    step: u32,
) -> Result<Vec<u8>, image::ImageError> {
    let (w, h) = (f64::from(width.max(1)), f64::from(height.max(1)));
    let tilt = f64::from(view % 5) * 0.35 - 0.7;
    let fade = 1.0 / (1.0 + f64::from(step) * 0.6);
    let image = RgbImage::from_fn(width.max(1), height.max(1), |x, y| {
        let (fx, fy) = (f64::from(x) / w, f64::from(y) / h);
        // Background: a grey-blue studio backdrop, lighter at the top.
        let mut colour = [150.0 - 40.0 * fy, 160.0 - 40.0 * fy, 175.0 - 30.0 * fy];
        // The treated area: a skin-coloured oval, turned with the view.
        let (cx, cy) = (0.5 + tilt * 0.15, 0.5);
        let (dx, dy) = ((fx - cx) / 0.28, (fy - cy) / 0.38);
        let inside = dx * dx + dy * dy;
        if inside < 1.0 {
            let shade = 1.0 - 0.25 * inside - 0.2 * dx * tilt;
            colour = [224.0 * shade, 178.0 * shade, 150.0 * shade];
            // The patch being treated: redder and darker, fading over the visits.
            let (px, py) = ((fx - cx - 0.06) / 0.1, (fy - cy + 0.05) / 0.07);
            let patch = px * px + py * py;
            if patch < 1.0 {
                let amount = (1.0 - patch) * fade;
                colour[0] -= 30.0 * amount;
                colour[1] -= 70.0 * amount;
                colour[2] -= 60.0 * amount;
            }
        }
        Rgb(colour.map(|value| value.clamp(0.0, 255.0) as u8))
    });
    let mut out = Vec::new();
    DynamicImage::ImageRgb8(image)
        .write_with_encoder(JpegEncoder::new_with_quality(&mut out, 85))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_arguments_give_the_same_photograph_and_visits_differ() {
        let first = synthetic_photo(160, 120, 0, 0).unwrap();
        assert_eq!(first, synthetic_photo(160, 120, 0, 0).unwrap());
        assert_ne!(first, synthetic_photo(160, 120, 0, 3).unwrap());
        let probe = crate::store::probe_photo(&first).unwrap();
        assert_eq!((probe.width, probe.height), (160, 120));
    }
}
