//! Clinical photographs: adding a 24-megapixel JPEG (checked whole and its thumbnail
//! made: what the window waits for before the photograph shows), and a frame of the
//! plan's photographs section with 200 photographs while it scrolls, with the
//! thumbnails' textures that stay in memory.
//!
//! Targets: a 24-megapixel JPEG's thumbnail ready within 300 ms; a gallery frame under
//! 2 ms of CPU; textures bounded by those on screen plus the cache
//! (`THUMBNAIL_CACHE`), not by the number of photographs. Run with
//! `cargo bench --bench photos`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stderr,
    reason = "a benchmark stops loudly on anything unexpected, and says what it kept"
)]

use std::collections::{BTreeSet, VecDeque};
use std::sync::LazyLock;
use std::time::{Duration, Instant};

use divan::Bencher;
use regen_planner::catalog::{
    Area, Catalog, CellSource, Indication, Modality, PhotoViews, Selection,
};
use regen_planner::demo::synthetic_photo;
use regen_planner::planning::{PhotoMoment, PlanPhoto, PlanRequest, generate};
use regen_planner::store::{PatientId, PlanRecord, Store, check_photo};
use regen_planner::ui::photos::{
    PHOTO_OUTCOMES_PER_FRAME, PhotoRequest, PhotosShown, PhotosState, THUMBNAIL_CACHE, photos_ui,
};

fn main() {
    divan::main();
}

/// A 6000 x 4000 JPEG (24 megapixels), made once.
static LARGE_JPEG: LazyLock<Vec<u8>> = LazyLock::new(|| synthetic_photo(6000, 4000, 0, 0).unwrap());

/// A 24-megapixel JPEG harsher than a camera writes: grain of its own in each colour of
/// every pixel, colour kept at full resolution (4:4:4, as the image crate's encoder
/// writes it), quality 90: about 14 MB, where the smooth demo photograph compresses to
/// far less and so decodes faster than a real one.
static GRAINY_JPEG: LazyLock<Vec<u8>> = LazyLock::new(|| {
    let smooth = image::load_from_memory(&LARGE_JPEG).unwrap().to_rgb8();
    let mut state = 0x9e37_79b9_u32;
    let grainy = image::RgbImage::from_fn(6000, 4000, |x, y| {
        let pixel = smooth.get_pixel(x, y);
        image::Rgb(pixel.0.map(|value| {
            state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            let noise = i32::from(u8::try_from(state >> 24).unwrap()) / 8 - 16;
            u8::try_from((i32::from(value) + noise).clamp(0, 255)).unwrap()
        }))
    });
    let mut bytes = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, 90)
        .encode_image(&grainy)
        .unwrap();
    eprintln!("grainy 24-megapixel JPEG: {} bytes", bytes.len());
    bytes
});

/// A 24-megapixel JPEG as a camera writes one: the demo photograph with a sensor's
/// grain in the brightness of every pixel (and a little in its colour), colour kept at
/// half the width (4:2:2, as cameras store it), quality 92. About 10 MB, the size of a
/// detailed photograph from a 24-megapixel camera at its finest setting.
static CAMERA_JPEG: LazyLock<Vec<u8>> = LazyLock::new(|| {
    let smooth = image::load_from_memory(&LARGE_JPEG).unwrap().to_rgb8();
    let mut state = 0x2545_f491_u32;
    let mut draw = move || {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        i32::from(u8::try_from(state >> 24).unwrap())
    };
    let camera = image::RgbImage::from_fn(6000, 4000, |x, y| {
        let pixel = smooth.get_pixel(x, y);
        // Four uniform draws make a near-normal grain, standard deviation about 9.
        let grain = (draw() + draw() + draw() + draw() - 510) / 16;
        image::Rgb(pixel.0.map(|value| {
            let tint = draw() / 64 - 2;
            u8::try_from((i32::from(value) + grain + tint).clamp(0, 255)).unwrap()
        }))
    });
    let mut bytes = Vec::new();
    let mut encoder = jpeg_encoder::Encoder::new(&mut bytes, 92);
    encoder.set_sampling_factor(jpeg_encoder::SamplingFactor::F_2_1);
    encoder
        .encode(camera.as_raw(), 6000, 4000, jpeg_encoder::ColorType::Rgb)
        .unwrap();
    eprintln!(
        "camera-like 24-megapixel JPEG (4:2:2): {} bytes",
        bytes.len()
    );
    bytes
});

/// Checking a 24-megapixel JPEG whole and making its thumbnail, then keeping it in a
/// new data folder: the `photos` thread's work between the file being dropped and its
/// thumbnail showing.
#[divan::bench(sample_count = 10, sample_size = 1)]
fn add_24_megapixel_jpeg(bencher: Bencher) {
    add_jpeg(bencher, &LARGE_JPEG);
}

/// The same with a camera's grain in the photograph.
#[divan::bench(sample_count = 10, sample_size = 1)]
fn add_24_megapixel_grainy_jpeg(bencher: Bencher) {
    add_jpeg(bencher, &GRAINY_JPEG);
}

/// The same with a camera's file.
#[divan::bench(sample_count = 10, sample_size = 1)]
fn add_24_megapixel_camera_jpeg(bencher: Bencher) {
    add_jpeg(bencher, &CAMERA_JPEG);
}

/// Only what comes before the thumbnail of a camera's file shows in the window.
#[divan::bench(sample_count = 10, sample_size = 1)]
fn thumbnail_of_24_megapixel_camera_jpeg(bencher: Bencher) {
    thumbnail_of(bencher, &CAMERA_JPEG);
}

/// Only what comes before the thumbnail shows in the window (the file checked whole
/// and its thumbnail made): the window lists a checked photograph with its thumbnail
/// before the physician adds it, and keeps it then.
#[divan::bench(sample_count = 10, sample_size = 1)]
fn thumbnail_of_24_megapixel_grainy_jpeg(bencher: Bencher) {
    thumbnail_of(bencher, &GRAINY_JPEG);
}

fn thumbnail_of(bencher: Bencher, bytes: &[u8]) {
    bencher.bench_local(|| {
        let checked = check_photo(bytes).unwrap();
        image::load_from_memory(checked.thumbnail_png())
            .unwrap()
            .width()
    });
}

fn add_jpeg(bencher: Bencher, bytes: &[u8]) {
    bencher
        .with_inputs(|| {
            let dir = tempfile::tempdir().unwrap();
            let store = Store::open(&dir.path().join("data")).unwrap();
            (dir, store)
        })
        .bench_local_values(|(dir, store)| {
            let checked = check_photo(bytes).unwrap();
            let thumbnail = image::load_from_memory(checked.thumbnail_png()).unwrap();
            store.keep_photo(&checked).unwrap();
            drop(dir);
            thumbnail.width()
        });
}

/// A plan record with `count` photographs of three views over the plan's sessions.
fn record_with_photos(count: usize) -> PlanRecord {
    let (catalog, _) = Catalog::builtin();
    let request = PlanRequest::new(
        Selection {
            modality: Modality::Injection,
            source: CellSource::AutologousAdipose,
            area: Area::Abdomen,
            indication: Indication::StretchMarks,
            adjuncts: Vec::new(),
        },
        BTreeSet::new(),
        "2027-01-18".parse().unwrap(),
    );
    let plan = generate(&catalog, &request).unwrap();
    let first = plan.sessions[0].date;
    let mut record = PlanRecord::new(PatientId::generate(), request, plan);
    let views = ["front", "left", "right"];
    let shas: Vec<String> = (0..count).map(|index| format!("{index:064x}")).collect();
    let photos = shas.iter().enumerate().map(|(index, sha)| PlanPhoto {
        sha256: sha.clone(),
        view: views[index % 3].to_owned(),
        taken: first
            .checked_add(jiff::Span::new().days(i64::try_from(index / 3).unwrap()))
            .unwrap(),
        moment: Some(PhotoMoment::Session(1)),
        width: 320,
        height: 240,
        added_at: jiff::Timestamp::UNIX_EPOCH,
        removed: false,
    });
    record.add_photos(photos);
    record
}

/// One frame of the photographs' section of a plan with 200 photographs, scrolled a
/// little further each frame (top to bottom, then again). Thumbnails asked for come
/// back as the `photos` thread sends them, as RGBA pixels, and are made into textures
/// as the window does: at most `PHOTO_OUTCOMES_PER_FRAME` a frame, the rest waiting
/// for the next frames. Besides divan's figures, the frames' own median, mean and
/// 99th percentile are printed: a spike (a burst of uploads) shows in the last two.
#[divan::bench(sample_count = 400, sample_size = 1)]
fn gallery_frame_200_photos(bencher: Bencher) {
    let record = record_with_photos(200);
    let (views, _) = PhotoViews::builtin();
    let views = views.for_area(Area::Abdomen).to_vec();
    let ctx = egui::Context::default();
    let pixels = synthetic_rgba();
    let mut state = PhotosState::default();
    let mut offset = 0.0_f32;
    let mut most_textures = 0;
    let mut waiting: VecDeque<String> = VecDeque::new();
    let mut frame_times: Vec<Duration> = Vec::new();
    let mut quiet_times: Vec<Duration> = Vec::new();
    // Each frame returns its meshes and how far the gallery scrolls at most.
    let frame = |state: &mut PhotosState, waiting: &mut VecDeque<String>, offset: f32| {
        let mut end = 0.0_f32;
        let input = egui::RawInput {
            screen_rect: Some(egui::Rect::from_min_size(
                egui::Pos2::ZERO,
                egui::vec2(1280.0, 800.0),
            )),
            ..Default::default()
        };
        // What arrived from the photos thread, as the app takes it.
        for _ in 0..PHOTO_OUTCOMES_PER_FRAME {
            let Some(sha) = waiting.pop_front() else {
                break;
            };
            let image = egui::ColorImage::from_rgba_unmultiplied([320, 240], &pixels);
            let texture = ctx.load_texture(&sha, image, egui::TextureOptions::LINEAR);
            let at = state.frame();
            state.thumbnails.insert(sha, texture, at);
        }
        let shown = PhotosShown {
            record: &record,
            views: &views,
            today: "2027-12-01".parse().unwrap(),
        };
        // In a central panel, as the plan screen is: the tiles wrap at its width.
        let mut output = ctx.run_ui(input, |ui| {
            egui::CentralPanel::default().show(ui, |ui| {
                let scrolled = egui::ScrollArea::vertical()
                    .vertical_scroll_offset(offset)
                    .show(ui, |ui| {
                        let _ = photos_ui(ui, &shown, state);
                    });
                end = scrolled.content_size.y - scrolled.inner_rect.height();
            });
        });
        output.textures_delta.clear();
        for request in state.take_requests() {
            if let PhotoRequest::Thumbnail(sha) = request {
                REQUESTED.with(|requested| requested.borrow_mut().insert(sha.clone()));
                waiting.push_back(sha);
            }
        }
        (
            ctx.tessellate(output.shapes, output.pixels_per_point).len(),
            end,
        )
    };
    let mut end = 0.0_f32;
    for _ in 0..5 {
        end = frame(&mut state, &mut waiting, 0.0).1;
    }
    bencher.bench_local(|| {
        // Top to bottom, then from the top again.
        offset = if offset >= end { 0.0 } else { offset + 40.0 };
        let uploads = waiting.len().min(PHOTO_OUTCOMES_PER_FRAME);
        let started = Instant::now();
        let (meshes, bottom) = frame(&mut state, &mut waiting, offset);
        end = bottom;
        frame_times.push(started.elapsed());
        if uploads == 0 {
            quiet_times.push(started.elapsed());
        }
        most_textures = most_textures.max(state.thumbnails.len());
        meshes
    });
    // About 7 rows of 9 tiles are on screen at 1280x800; the rest is the cache.
    assert!(
        most_textures <= 80 + THUMBNAIL_CACHE,
        "textures kept: {most_textures}"
    );
    for (what, times) in [
        ("gallery frames", &mut frame_times),
        ("of which without a texture upload", &mut quiet_times),
    ] {
        times.sort();
        if times.is_empty() {
            continue;
        }
        let count = times.len();
        let mean = times.iter().sum::<Duration>() / u32::try_from(count).unwrap();
        let median = times[count / 2];
        let p99 = times[(count * 99 / 100).min(count - 1)];
        eprintln!(
            "{what}: {count}, median {median:?}, mean {mean:?}, p99 {p99:?}, slowest {:?}",
            times[count - 1]
        );
    }
    let asked = REQUESTED.with(|requested| requested.borrow().len());
    eprintln!(
        "thumbnail textures kept at most: {most_textures} (of 200 photographs; {asked} asked for while scrolling)"
    );
}

thread_local! {
    /// Every photograph whose thumbnail the gallery asked for.
    static REQUESTED: std::cell::RefCell<BTreeSet<String>> = const { std::cell::RefCell::new(BTreeSet::new()) };
}

/// The RGBA pixels of a 320 x 240 thumbnail, as the `photos` thread sends them.
fn synthetic_rgba() -> Vec<u8> {
    let jpeg = synthetic_photo(320, 240, 0, 0).unwrap();
    image::load_from_memory(&jpeg)
        .unwrap()
        .to_rgba8()
        .into_raw()
}
