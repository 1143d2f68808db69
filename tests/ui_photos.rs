//! The plan's photographs in the real `App`, driven through the accessibility tree:
//! adding a file by its path and by dropping it on the window, a refused file, the
//! gallery's thumbnails loaded on the `photos` thread, and two photographs compared.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly on anything unexpected"
)]

mod common;

use common::saved_plan;
use common::window::{
    click, folders, harness_with_plan, type_into, wait_for_label, wait_for_saved, wait_until,
};
use egui_kittest::kittest::Queryable as _;
use regen_planner::demo::synthetic_photo;
use regen_planner::planning::{PhotoMoment, PlanPhoto};
use regen_planner::store::Store;

#[test]
fn a_photograph_added_by_its_path_or_dropped_lands_in_the_plan_and_its_gallery() {
    let (data, config) = folders();
    let files = tempfile::tempdir().unwrap();
    let plan = saved_plan(data.path(), "Ana Souza");
    let first = files.path().join("front.jpg");
    std::fs::write(&first, synthetic_photo(200, 150, 0, 0).unwrap()).unwrap();
    let not_a_photo = files.path().join("notes.txt");
    std::fs::write(&not_a_photo, "not a photograph").unwrap();

    let mut harness = harness_with_plan(data.path(), config.path(), &plan);
    click(&mut harness, "Add photos…");
    // A refused file is named, and nothing is stored.
    type_into(
        &mut harness,
        "Photo file path",
        &not_a_photo.display().to_string(),
    );
    click(&mut harness, "Check file");
    wait_for_label(&mut harness, "Not added: notes.txt");
    assert!(!data.path().join("photos").exists(), "nothing was stored");

    type_into(
        &mut harness,
        "Photo file path",
        &first.display().to_string(),
    );
    click(&mut harness, "Check file");
    wait_for_label(&mut harness, "To add: tag each photograph");
    assert!(
        harness.query_by_label("View of front.jpg").is_some(),
        "the view is asked for"
    );
    click(&mut harness, "Add 1 photograph(s) to the plan");
    wait_for_saved(
        &mut harness,
        data.path(),
        &plan,
        "the photograph",
        |record| record.photos.len() == 1,
    );
    let saved = Store::open(data.path())
        .unwrap()
        .load_plan(&plan)
        .unwrap()
        .value;
    let photo = &saved.photos[0];
    assert_eq!((photo.width, photo.height), (200, 150));
    assert!(!photo.view.is_empty());
    // The gallery shows it, with its thumbnail made on the photos thread once it is
    // scrolled into view (a thumbnail off screen is not even asked for).
    wait_for_label(&mut harness, "Photograph Front");
    assert_eq!(harness.state().photo_texture_counts(), Some((0, 0)));
    harness
        .get_by_label_contains("Photograph Front")
        .scroll_to_me();
    harness.run_steps(2);
    wait_until(&mut harness, "the thumbnail", |app| {
        app.photo_texture_counts()
            .is_some_and(|(thumbnails, _)| thumbnails >= 1)
    });

    // A second file dropped on the window is checked and waits to be tagged.
    let second = files.path().join("later.jpg");
    std::fs::write(&second, synthetic_photo(200, 150, 0, 2).unwrap()).unwrap();
    harness
        .input_mut()
        .dropped_files
        .push(std::sync::Arc::new(Dropped(second.clone())));
    harness.run_steps(2);
    wait_for_label(&mut harness, "later.jpg (200 x 150 pixels)");
    click(&mut harness, "Add 1 photograph(s) to the plan");
    wait_for_saved(
        &mut harness,
        data.path(),
        &plan,
        "the dropped photograph",
        |record| record.photos.len() == 2,
    );
}

#[test]
fn two_photographs_of_a_view_are_compared_with_their_zoom_linked() {
    let (data, config) = folders();
    let plan = saved_plan(data.path(), "Lena Fischer");
    let store = Store::open(data.path()).unwrap();
    let loaded = store.load_plan(&plan).unwrap();
    let mut record = loaded.value.clone();
    let sessions = record.plan.sessions.clone();
    let mut photos = Vec::new();
    for (step, session) in sessions.iter().take(2).enumerate() {
        let bytes = synthetic_photo(320, 240, 0, u32::try_from(step).unwrap()).unwrap();
        let stored = store.add_photo(&bytes).unwrap();
        photos.push(PlanPhoto {
            sha256: stored.sha256,
            view: "front".to_owned(),
            taken: session.date,
            moment: Some(PhotoMoment::Session(session.number)),
            width: 320,
            height: 240,
            added_at: jiff::Timestamp::now(),
            removed: false,
        });
    }
    record.add_photos(photos);
    store
        .save_plan(&plan, loaded.number, &record, "Dr. Vega")
        .unwrap();

    let mut harness = harness_with_plan(data.path(), config.path(), &plan);
    wait_for_label(&mut harness, "Compare first and latest: Front");
    click(&mut harness, "Compare first and latest: Front");
    wait_for_label(&mut harness, "Before photograph");
    wait_for_label(&mut harness, "After photograph");
    assert!(
        harness
            .query_all_by_label_contains("day 0")
            .next()
            .is_some(),
        "the first is on the day of session 1"
    );
    wait_until(&mut harness, "both pictures", |app| {
        app.photo_texture_counts()
            .is_some_and(|(_, pictures)| pictures == 2)
    });
    click(&mut harness, "Zoom in");
    let zoom = harness.state().photo_comparison().unwrap().zoom;
    assert!(zoom > 1.2, "zoomed in: {zoom}");
    click(&mut harness, "Reset zoom");
    assert!((harness.state().photo_comparison().unwrap().zoom - 1.0).abs() < 1e-6);

    // The pair for the patient, written on the photos thread to the file given.
    click(&mut harness, "Export this pair…");
    let out = tempfile::tempdir().unwrap();
    let file = out.path().join("front-pair.jpg");
    type_into(
        &mut harness,
        "Save the pair as",
        &file.display().to_string(),
    );
    click(&mut harness, "Write the pair");
    wait_for_label(&mut harness, "The pair was written to");
    let written = std::fs::read(&file).unwrap();
    assert!(written.starts_with(&[0xFF, 0xD8]), "a JPEG");
    assert!(
        !written.windows(4).any(|window| window == b"Exif"),
        "no metadata"
    );
    let pair = image::load_from_memory(&written).unwrap();
    assert!(
        pair.width() > 2 * 320 && pair.height() > 240,
        "both side by side, captioned"
    );
    // Asked again over the same file, it is refused in one sentence, the file kept.
    click(&mut harness, "Export this pair…");
    type_into(
        &mut harness,
        "Save the pair as",
        &file.display().to_string(),
    );
    click(&mut harness, "Write the pair");
    wait_for_label(&mut harness, "The pair was not written");
    assert_eq!(std::fs::read(&file).unwrap(), written);
    click(&mut harness, "Cancel the pair export");

    click(&mut harness, "Close comparison");
    assert!(harness.state().photo_comparison().is_none());
}

#[test]
fn a_batch_with_a_bad_file_names_it_and_adds_the_others() {
    let (data, config) = folders();
    let files = tempfile::tempdir().unwrap();
    let plan = saved_plan(data.path(), "Rui Costa");
    let mut dropped = Vec::new();
    for (name, variant) in [("one.jpg", 0), ("two.jpg", 1)] {
        let path = files.path().join(name);
        std::fs::write(&path, synthetic_photo(120, 90, 0, variant).unwrap()).unwrap();
        dropped.push(path);
    }
    let bad = files.path().join("scan.heic");
    std::fs::write(&bad, b"\0\0\0\x18ftypheic\0\0\0\0mif1heic").unwrap();
    dropped.insert(1, bad);
    let mut harness = harness_with_plan(data.path(), config.path(), &plan);
    wait_for_label(&mut harness, "Add photos…");
    for path in &dropped {
        harness
            .input_mut()
            .dropped_files
            .push(std::sync::Arc::new(Dropped(path.clone())));
    }
    harness.run_steps(2);
    wait_for_label(&mut harness, "two.jpg (120 x 90 pixels)");
    wait_for_label(
        &mut harness,
        "1 file was refused (named below with the reason); the 2 other photograph(s)",
    );
    wait_for_label(&mut harness, "Not added: scan.heic: this is a HEIC photo");
    click(&mut harness, "Add 2 photograph(s) to the plan");
    wait_for_saved(
        &mut harness,
        data.path(),
        &plan,
        "the two good photographs",
        |record| record.photos.len() == 2,
    );
    assert_eq!(
        harness.state().confirmation(),
        Some("2 photograph(s) added to the plan, 1 file(s) refused (named on the plan screen)")
    );
}

#[test]
fn unused_photograph_files_are_purged_only_when_confirmed() {
    let (data, config) = folders();
    let plan = saved_plan(data.path(), "Mia Park");
    let store = Store::open(data.path()).unwrap();
    // A file no revision names (an add interrupted before the plan was saved), kept
    // two days ago.
    let orphan = store
        .add_photo(&synthetic_photo(64, 48, 0, 5).unwrap())
        .unwrap();
    let file = data
        .path()
        .join("photos")
        .join(format!("{}.jpg", orphan.sha256));
    std::fs::File::options()
        .write(true)
        .open(&file)
        .unwrap()
        .set_modified(std::time::SystemTime::now() - std::time::Duration::from_hours(48))
        .unwrap();
    let mut harness = harness_with_plan(data.path(), config.path(), &plan);
    wait_for_label(&mut harness, "Unused photograph files");
    click(&mut harness, "Unused photograph files");
    click(&mut harness, "Find unused photograph files");
    wait_for_label(&mut harness, "1 unused photograph file(s)");
    assert!(file.exists(), "a dry run deletes nothing");
    click(&mut harness, "Purge unused photograph files…");
    click(&mut harness, "Keep them");
    assert!(file.exists());
    click(&mut harness, "Purge unused photograph files…");
    click(&mut harness, "Delete the unused files");
    wait_for_label(&mut harness, "1 unused photograph file(s) deleted");
    assert!(!file.exists());
}

/// A file dropped on the window, as the windowing system hands it over.
#[derive(Debug)]
struct Dropped(std::path::PathBuf);

impl egui::DroppedFile for Dropped {
    fn path(&self) -> &std::path::Path {
        &self.0
    }

    fn bytes(&self) -> Result<Vec<u8>, String> {
        std::fs::read(&self.0).map_err(|error| error.to_string())
    }
}
