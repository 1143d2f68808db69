//! The on-disk format: the files of this format version are exactly the committed ones
//! (`tests/fixtures/v<FORMAT_VERSION>/`), so a change of any record's shape (the
//! engine's generated plan included) fails here until the format version is raised;
//! folders written by earlier versions load unchanged and move on to the new shape at
//! their next save; and a plan's generated plan, kept in a file of its own, is checked
//! like any other file (edited, removed, replaced by a pipe or a huge file, or named
//! by no revision).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test stops loudly on anything unexpected"
)]

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use jiff::Timestamp;
use regen_planner::planning::checklist_keys;
use regen_planner::store::{
    FORMAT_VERSION, PatientId, PlanId, PlanRecord, Revision, Store, StoreError,
};

const PATIENT: &str = "0190cccccccc7000800000000000cccc";
const PLAN: &str = "0190dddddddd7000800000000000dddd";

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// Copies a folder, as a restore from a backup would.
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A copy of a committed data folder in a temporary folder, opened.
fn open_copy(fixture: &str) -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    copy_tree(&fixtures().join(fixture).join("data"), &data);
    let store = Store::open(&data).unwrap();
    (dir, store)
}

/// Every file of a data folder but the temporary ones and the index cache, by path.
fn files(data: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut snapshot = common::snapshot(data);
    snapshot.retain(|name, _| !name.starts_with("tmp") && name != "index.json");
    snapshot
}

/// Every revision of the fixture's patient and plan.
fn revisions(
    store: &Store,
) -> (
    Vec<Revision<regen_planner::store::Patient>>,
    Vec<Revision<regen_planner::store::PlanRecord>>,
) {
    let patient: PatientId = PATIENT.parse().unwrap();
    let plan: PlanId = PLAN.parse().unwrap();
    let patients = vec![store.load_patient(&patient).unwrap()];
    let newest = store.load_plan(&plan).unwrap().number;
    let plans = (1..=newest)
        .map(|number| store.load_plan_revision(&plan, number).unwrap())
        .collect();
    (patients, plans)
}

/// One edit of a plan.
type Edit<'a> = Box<dyn Fn(&mut PlanRecord) + 'a>;

/// The edits of the plan of format version 3's committed files after the three of
/// version 2: every kind of change a revision of changes records (ticks set and taken
/// back, a note, a task added and withdrawn, session records recorded, corrected and
/// removed, scores entered and removed, the status, a moved session with its plan
/// generated again, a photograph added and removed), and then ticks until a whole revision is due and one more after
/// it.
#[expect(
    clippy::too_many_lines,
    reason = "one list of edits, one of each kind, in the order they are saved"
)]
fn edits_of_version_3(v2: &[Revision<PlanRecord>]) -> Vec<Revision<PlanRecord>> {
    use regen_planner::planning::{
        AdverseEvent, AdverseSeverity, ExtraTask, Harvest, Material, MaterialKind, Note,
        PlanStatus, Score, SessionRecord, Spin,
    };
    let (catalog, _) = regen_planner::catalog::Catalog::builtin();
    let mut revisions = v2.to_vec();
    let mut record = revisions.last().unwrap().value.clone();
    let mut at: Timestamp = revisions.last().unwrap().saved_at;
    let date = |text: &str| text.parse::<jiff::civil::Date>().unwrap();
    let mut first_record = SessionRecord::new(1, date("2027-01-18"));
    first_record.performer = Some("Dr. Helena Ruiz".to_owned());
    first_record.harvest = Some(Harvest {
        site: Some("abdomen".to_owned()),
        volume_ml: Some(60.0),
    });
    first_record.materials.push(Material {
        name: "Cell isolation kit".to_owned(),
        kind: MaterialKind::Kit,
        lot: Some("K-2291".to_owned()),
        expiry: Some(date("2027-06-30")),
    });
    first_record.spins.push(Spin {
        g: 800,
        minutes: 10,
    });
    first_record.weight_kg = Some(64.5);
    first_record.notes = Some("Tolerated well.".to_owned());
    let edits: Vec<Edit<'_>> = vec![
        Box::new(|record| {
            record.checklist.clear();
            record.checklist.insert(
                checklist_keys::session(2),
                "2027-01-25T10:00:00Z".parse().unwrap(),
            );
        }),
        Box::new(|record| {
            record.notes.push(Note {
                written_at: "2027-01-25T10:05:00Z".parse().unwrap(),
                author: "Dr. Helena Ruiz".to_owned(),
                text: "Bruising at the harvest site; \"settled\" after a week.\nSecond line."
                    .to_owned(),
            });
        }),
        Box::new(|record| {
            record.extra_tasks.push(ExtraTask {
                text: "Call about the compression garment".to_owned(),
                due: Some(date("2027-02-01")),
                withdrawn: false,
                audience: regen_planner::catalog::Audience::ALL[0],
            });
        }),
        Box::new(|record| {
            record.extra_tasks[0].withdrawn = true;
            record.status = PlanStatus::Active;
        }),
        Box::new(move |record| record.records.push(first_record.clone())),
        Box::new(|record| {
            record.scores.push(Score {
                scale: regen_planner::catalog::ScaleId::new("gais").unwrap(),
                value: 2.0,
                date: date("2027-02-15"),
            });
        }),
        Box::new(|record| {
            let mut second = SessionRecord::new(2, date("2027-01-25"));
            second.adverse_events.push(AdverseEvent {
                what: "Swelling".to_owned(),
                severity: AdverseSeverity::Mild,
                action: None,
                resolved: true,
            });
            record.records.push(second);
            record.records[0].notes = Some("Tolerated well; corrected.".to_owned());
        }),
        Box::new(|record| {
            record.scores.clear();
            record.scores.push(Score {
                scale: regen_planner::catalog::ScaleId::new("gais").unwrap(),
                value: 1.0,
                date: date("2027-03-01"),
            });
            record.records.pop();
        }),
        Box::new(move |record| {
            record.request.moved_sessions.insert(3, date("2027-03-22"));
            record.plan = regen_planner::planning::generate(&catalog, &record.request).unwrap();
        }),
        Box::new(|record| {
            let bytes = fixture_photo();
            record.add_photos([regen_planner::planning::PlanPhoto {
                sha256: sha256_hex(&bytes),
                view: "front".to_owned(),
                taken: date("2027-01-18"),
                moment: Some(regen_planner::planning::PhotoMoment::Session(1)),
                width: 24,
                height: 16,
                added_at: "2027-03-01T09:30:00Z".parse().unwrap(),
                removed: false,
            }]);
        }),
        Box::new(|record| {
            let sha = sha256_hex(&fixture_photo());
            assert!(record.set_photo_removed(&sha, true));
        }),
        Box::new(|record| record.status = PlanStatus::Completed),
    ];
    let mut edits = edits.into_iter();
    // A whole revision is due at revision 21: 19 revisions of changes follow revision 1.
    for number in revisions.len() + 1..=22 {
        match edits.next() {
            Some(edit) => edit(&mut record),
            None => {
                record.checklist.insert(
                    format!("{}:{number}", checklist_keys::session(1)),
                    "2027-03-01T09:00:00Z".parse().unwrap(),
                );
            }
        }
        at = at.checked_add(jiff::Span::new().minutes(10)).unwrap();
        revisions.push(Revision {
            number: u32::try_from(number).unwrap(),
            saved_at: at,
            saved_by: "Dr. Helena Ruiz".to_owned(),
            value: record.clone(),
        });
    }
    revisions
}

/// The photograph of the fixtures: a small PNG made here, the same bytes every time.
fn fixture_photo() -> Vec<u8> {
    let image = image::RgbImage::from_fn(24, 16, |x, y| {
        image::Rgb([
            u8::try_from(x * 10).unwrap(),
            u8::try_from(y * 15).unwrap(),
            90,
        ])
    });
    let mut bytes = Vec::new();
    image::DynamicImage::ImageRgb8(image)
        .write_with_encoder(image::codecs::png::PngEncoder::new(&mut bytes))
        .unwrap();
    bytes
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest as _;
    format!("{:x}", sha2::Sha256::digest(bytes))
}

/// Writes the records again into a new data folder, each revision with its own time
/// and author, exactly as the app saves.
fn rewrite(
    patients: &[Revision<regen_planner::store::Patient>],
    plans: &[Revision<regen_planner::store::PlanRecord>],
    data: &Path,
) -> Store {
    let store = Store::open(data).unwrap();
    let patient: PatientId = PATIENT.parse().unwrap();
    let plan: PlanId = PLAN.parse().unwrap();
    if plans
        .iter()
        .any(|revision| !revision.value.photos.is_empty())
    {
        store.add_photo(&fixture_photo()).unwrap();
    }
    for (base, revision) in patients.iter().enumerate() {
        store
            .write_patient_at(
                &patient,
                u32::try_from(base).unwrap(),
                &revision.value,
                &revision.saved_by,
                revision.saved_at,
            )
            .unwrap();
    }
    for (base, revision) in plans.iter().enumerate() {
        store
            .write_plan_at(
                &plan,
                u32::try_from(base).unwrap(),
                &revision.value,
                &revision.saved_by,
                revision.saved_at,
            )
            .unwrap();
    }
    store
}

#[test]
fn the_files_this_version_writes_are_the_committed_ones() {
    let current = fixtures().join(format!("v{FORMAT_VERSION}"));
    // The records come from the committed files of this version, not from the
    // catalog (whose texts change): what is compared is the shape alone.
    let source = if current.is_dir() {
        format!("v{FORMAT_VERSION}")
    } else {
        "v2".to_owned()
    };
    let (_dir, old) = open_copy(&source);
    let (patients, mut plans) = revisions(&old);
    if !current.is_dir() {
        plans = edits_of_version_3(&plans);
    }
    let out = tempfile::tempdir().unwrap();
    let data = out.path().join("data");
    rewrite(&patients, &plans, &data);
    let written = files(&data);
    if !current.is_dir() {
        // Made once, for a new format version, from the version before it.
        assert!(
            std::env::var_os("REGEN_PLANNER_WRITE_FIXTURES").is_some(),
            "there are no committed files of format version {FORMAT_VERSION} ({}): run this test once with REGEN_PLANNER_WRITE_FIXTURES=1 to write them, and commit them",
            current.display()
        );
        copy_tree(&data, &current.join("data"));
        let _ = std::fs::remove_dir(current.join("data/tmp"));
        return;
    }
    let committed = files(&current.join("data"));
    assert_eq!(
        written.keys().collect::<Vec<_>>(),
        committed.keys().collect::<Vec<_>>(),
        "the app writes other files than format version {FORMAT_VERSION} does"
    );
    for (name, bytes) in &written {
        assert!(
            committed[name] == *bytes,
            "{name} is not written as format version {FORMAT_VERSION} writes it (tests/fixtures/v{FORMAT_VERSION}/data/{name}): the shape of a saved file changed. Raise FORMAT_VERSION, keep reading this version's files, and commit the files of the new version (this test writes them with REGEN_PLANNER_WRITE_FIXTURES=1 once the folder for the new version is missing)\n--- written:\n{}",
            String::from_utf8_lossy(bytes)
        );
    }
    // What is read back is what was written.
    let (_again_dir, again) = open_copy(&format!("v{FORMAT_VERSION}"));
    assert_eq!(revisions(&again).1, plans);
    assert!(again.verify().is_ok(), "{:?}", again.verify().problems);
}

#[test]
fn every_format_version_keeps_its_committed_files() {
    for version in 0..=FORMAT_VERSION {
        let folder = fixtures().join(format!("v{version}"));
        assert!(
            folder.is_dir() && std::fs::read_dir(&folder).unwrap().count() > 0,
            "{} is missing: each format version keeps files that must still load",
            folder.display()
        );
    }
}

#[test]
fn a_version_1_folder_loads_unchanged_and_moves_to_the_new_shape_at_its_next_save() {
    let (_dir, store) = open_copy("v1");
    let before = files(store.data_dir());
    let plan: PlanId = PLAN.parse().unwrap();

    // Loads, lists, history and verify work on the old files as they are.
    let loaded = store.load_plan(&plan).unwrap();
    assert_eq!(loaded.number, 3);
    assert_eq!(
        loaded.value.status,
        regen_planner::planning::PlanStatus::Active
    );
    assert_eq!(loaded.value.notes.len(), 1);
    assert_eq!(loaded.value.extra_tasks.len(), 1);
    assert!(!loaded.value.plan.sessions.is_empty());
    let index = store.load_index(&mut |_| {}).unwrap();
    assert!(index.problems.is_empty(), "{:?}", index.problems);
    assert_eq!(index.plans.len(), 1);
    assert_eq!(index.plans[0].patient_name, "Inês Carvalho");
    assert_eq!(store.history(&plan).unwrap().len(), 3);
    assert!(store.verify().is_ok(), "{:?}", store.verify().problems);
    assert_eq!(files(store.data_dir()), before, "reading rewrote a file");

    // A tick: revision 4 in the new shape, chained to the old revision 3.
    let mut record = loaded.value.clone();
    record.checklist.insert(
        checklist_keys::session(2),
        "2027-03-03T10:00:00Z".parse().unwrap(),
    );
    let saved = store
        .save_plan(&plan, 3, &record, "Dr. Helena Ruiz")
        .unwrap();
    assert_eq!(saved.number, 4);
    let dir = store.data_dir().join("plans").join(PLAN);
    let text = std::fs::read_to_string(dir.join("revision-000004.ron")).unwrap();
    assert!(
        text.contains(&format!("format_version: {FORMAT_VERSION},")),
        "{text}"
    );
    assert!(text.contains("generated_sha256: \""), "{text}");
    assert!(text.len() < 3_000, "a tick wrote {} bytes", text.len());
    let after = files(store.data_dir());
    for (name, bytes) in &before {
        if !name.ends_with("head.ron") {
            assert_eq!(after.get(name), Some(bytes), "{name} was rewritten");
        }
    }
    assert_eq!(store.load_plan(&plan).unwrap().value, record);
    let history = store.history(&plan).unwrap();
    assert_eq!(history.len(), 4);
    assert!(
        text.contains(&history[2].hash),
        "revision 4 does not record revision 3's hash"
    );
    let report = store.verify();
    assert!(report.is_ok(), "{:?}", report.problems);
}

/// A copy of the committed folder of this version, with its plan's folder, newest
/// revision, and generated plans in the order revisions first name them, each with
/// the first revision that names it.
struct Current {
    dir: tempfile::TempDir,
    store: Store,
    plan: PlanId,
    folder: PathBuf,
    newest: u32,
    generated: Vec<(PathBuf, u32)>,
}

fn current_plan() -> Current {
    let (dir, store) = open_copy(&format!("v{FORMAT_VERSION}"));
    let plan: PlanId = PLAN.parse().unwrap();
    let folder = store.data_dir().join("plans").join(PLAN);
    let newest = store.load_plan(&plan).unwrap().number;
    let mut generated: Vec<(PathBuf, u32)> = Vec::new();
    for number in 1..=newest {
        let text =
            std::fs::read_to_string(folder.join(format!("revision-{number:06}.ron"))).unwrap();
        // A revision of changes names a generated plan only when it changed.
        let Some(after) = text.split("generated_sha256: \"").nth(1) else {
            continue;
        };
        let path = folder.join(format!("generated-{}.ron", &after[..64]));
        if !generated.iter().any(|(known, _)| *known == path) {
            generated.push((path, number));
        }
    }
    assert_eq!(
        generated.len(),
        3,
        "the fixture's two moves make a second and a third generated plan"
    );
    Current {
        dir,
        store,
        plan,
        folder,
        newest,
        generated,
    }
}

fn problems(store: &Store) -> Vec<String> {
    store
        .verify()
        .problems
        .iter()
        .map(ToString::to_string)
        .collect()
}

#[test]
fn a_hand_edited_generated_plan_is_named_and_never_saved_upon() {
    let current = current_plan();
    let Current {
        store,
        plan,
        folder,
        newest: newest_number,
        ..
    } = &current;
    let (newest, first_naming) = current.generated.last().unwrap().clone();
    let text = std::fs::read_to_string(&newest).unwrap();
    let edited = text.replacen("number: 1,", "number: 7,", 1);
    assert_ne!(edited, text);
    std::fs::write(&newest, &edited).unwrap();

    let name = newest.file_name().unwrap().to_string_lossy().into_owned();
    let found = problems(store);
    assert!(
        found
            .iter()
            .any(|p| p.contains(&name) && p.contains("was changed after it was saved")),
        "{found:?}"
    );
    // The revisions that build on it are skipped, named; the one before is still there.
    let loaded = store.load_plan_checked(plan).unwrap();
    assert_eq!(loaded.revision.number, first_naming - 1);
    assert!(
        loaded
            .problems
            .iter()
            .any(|p| p.to_string().contains(&name)),
        "{:?}",
        loaded.problems
    );
    let error = store.load_plan_revision(plan, *newest_number).unwrap_err();
    assert!(error.to_string().contains(&name), "{error}");
    // The newest readable revision is not the newest: a save on top of it is refused.
    let record = store
        .load_plan_revision(plan, first_naming - 1)
        .unwrap()
        .value;
    let error = store
        .save_plan(plan, first_naming - 1, &record, "Dr. Vega")
        .unwrap_err();
    assert!(matches!(error, StoreError::Conflict { .. }), "{error}");
    // A save whose generated plan is the one that was changed would name the changed
    // file: refused, and nothing is written or replaced.
    let (_pristine_dir, pristine) = open_copy(&format!("v{FORMAT_VERSION}"));
    let same_plan = pristine.load_plan(plan).unwrap().value;
    let before = files(store.data_dir());
    let error = store
        .save_plan(plan, *newest_number, &same_plan, "Dr. Vega")
        .unwrap_err();
    assert!(
        matches!(error, StoreError::Unverified { .. }) && error.to_string().contains(&name),
        "{error}"
    );
    assert_eq!(std::fs::read_to_string(&newest).unwrap(), edited);
    assert!(
        !folder
            .join(format!("revision-{:06}.ron", newest_number + 1))
            .exists()
    );
    assert_eq!(files(store.data_dir()), before);
}

#[test]
fn a_removed_generated_plan_is_named() {
    let current = current_plan();
    let first = &current.generated[0].0;
    std::fs::remove_file(first).unwrap();
    let name = first.file_name().unwrap().to_string_lossy().into_owned();
    let found = problems(&current.store);
    assert!(
        found
            .iter()
            .any(|p| p.contains(&name) && p.contains("is missing")),
        "{found:?}"
    );
    // The newest revision builds on another generated plan and still loads.
    assert_eq!(
        current.store.load_plan(&current.plan).unwrap().number,
        current.newest
    );
    let error = current
        .store
        .load_plan_revision(&current.plan, 1)
        .unwrap_err();
    assert!(
        matches!(error, StoreError::Damaged { .. }) && error.to_string().contains(&name),
        "{error}"
    );
}

#[cfg(unix)]
#[test]
fn a_pipe_or_a_huge_file_in_place_of_a_generated_plan_is_refused_without_waiting() {
    let current = current_plan();
    let (newest, first_naming) = current.generated.last().unwrap().clone();
    let (store, plan) = (&current.store, &current.plan);
    // A named pipe: a read would wait forever; it is never opened for reading.
    std::fs::remove_file(&newest).unwrap();
    let status = std::process::Command::new("mkfifo")
        .arg(&newest)
        .status()
        .unwrap();
    assert!(status.success());
    let found = problems(store);
    assert!(found.iter().any(|p| p.contains("named pipe")), "{found:?}");
    let error = store.load_plan_revision(plan, current.newest).unwrap_err();
    assert!(matches!(error, StoreError::NotAFile { .. }), "{error}");
    assert_eq!(store.load_plan(plan).unwrap().number, first_naming - 1);

    // A file larger than a generated plan can be: refused before a byte is read.
    std::fs::remove_file(&newest).unwrap();
    let huge = std::fs::File::create(&newest).unwrap();
    huge.set_len(64 * 1024 * 1024).unwrap();
    let found = problems(store);
    assert!(found.iter().any(|p| p.contains("larger than")), "{found:?}");
    let error = store.load_plan_revision(plan, current.newest).unwrap_err();
    assert!(matches!(error, StoreError::TooLarge { .. }), "{error}");
}

#[test]
fn a_generated_plan_named_by_no_revision_is_a_note_and_never_read() {
    let current = current_plan();
    let stray = current
        .folder
        .join(format!("generated-{}.ron", "0".repeat(64)));
    std::fs::copy(&current.generated[0].0, &stray).unwrap();
    let report = current.store.verify();
    assert!(report.is_ok(), "{:?}", report.problems);
    assert!(
        report
            .notes
            .iter()
            .any(|note| note.to_string().contains("no revision names")),
        "{:?}",
        report.notes
    );
    assert_eq!(
        current.store.load_plan(&current.plan).unwrap().number,
        current.newest
    );
}

#[test]
fn a_revision_that_names_its_generated_plan_by_a_path_is_refused() {
    let current = current_plan();
    // A whole revision, and a revision of changes that names a new generated plan.
    for &(ref path, number) in &current.generated[..2] {
        let file = current.folder.join(format!("revision-{number:06}.ron"));
        let text = std::fs::read_to_string(&file).unwrap();
        let hash = path.file_stem().unwrap().to_string_lossy()["generated-".len()..].to_owned();
        std::fs::write(&file, text.replace(&hash, "../../../../etc/passwd")).unwrap();
        let error = current
            .store
            .load_plan_revision(&current.plan, number)
            .unwrap_err();
        assert!(
            error.to_string().contains("other than a SHA-256"),
            "{error}"
        );
        std::fs::write(&file, text).unwrap();
    }
}

#[test]
fn a_tick_writes_about_a_kilobyte_and_a_backup_carries_the_generated_plans() {
    let current = current_plan();
    let Current {
        store,
        plan,
        folder,
        newest,
        ..
    } = &current;
    let mut record = store.load_plan(plan).unwrap().value;
    record.checklist.insert(
        checklist_keys::session(3),
        "2027-03-20T10:00:00Z".parse::<Timestamp>().unwrap(),
    );
    let names_before = std::fs::read_dir(folder).unwrap().count();
    store.save_plan(plan, *newest, &record, "Dr. Vega").unwrap();
    assert_eq!(
        std::fs::read_dir(folder).unwrap().count(),
        names_before + 1,
        "a tick adds its revision and nothing else"
    );
    let revision = std::fs::metadata(folder.join(format!("revision-{:06}.ron", newest + 1)))
        .unwrap()
        .len();
    let head = std::fs::metadata(folder.join("head.ron")).unwrap().len();
    // About a kilobyte: the head also carries the lots of the plan's session records,
    // so that a recall reads no plan (this plan has one).
    assert!(
        revision + head < 1_400,
        "a tick wrote a revision of {revision} bytes and a head of {head}"
    );
    let generated_size = std::fs::metadata(&current.generated[1].0).unwrap().len();
    assert!(
        generated_size > 20 * revision,
        "the generated plan is {generated_size} bytes"
    );

    let backup = current.dir.path().join("backup");
    let report = store.backup(&backup).unwrap();
    assert!(report.verify.is_ok(), "{:?}", report.verify.problems);
    for (file, _) in &current.generated {
        let copy = backup
            .join("plans")
            .join(PLAN)
            .join(file.file_name().unwrap());
        assert_eq!(std::fs::read(copy).unwrap(), std::fs::read(file).unwrap());
    }
    let copy = Store::open(&backup).unwrap();
    assert_eq!(copy.load_plan(plan).unwrap().value, record);
}

#[test]
fn a_version_2_folder_loads_unchanged_and_its_chain_goes_on_in_version_3() {
    let (_dir, store) = open_copy("v2");
    let before = files(store.data_dir());
    let plan: PlanId = PLAN.parse().unwrap();
    let dir = store.data_dir().join("plans").join(PLAN);
    let loaded = store.load_plan(&plan).unwrap();
    assert_eq!(loaded.number, 3);
    assert!(store.verify().is_ok(), "{:?}", store.verify().problems);
    let index = store.load_index(&mut |_| {}).unwrap();
    assert!(index.problems.is_empty(), "{:?}", index.problems);
    assert_eq!(files(store.data_dir()), before, "reading rewrote a file");

    // The first save in version 3 is a whole revision, chained to version 2's newest;
    // it names the very generated plan version 2 wrote (no new file).
    let names = std::fs::read_dir(&dir).unwrap().count();
    let mut record = loaded.value.clone();
    record.checklist.insert(
        checklist_keys::session(2),
        "2027-03-03T10:00:00Z".parse().unwrap(),
    );
    store
        .save_plan(&plan, 3, &record, "Dr. Helena Ruiz")
        .unwrap();
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), names + 1);
    let fourth = std::fs::read_to_string(dir.join("revision-000004.ron")).unwrap();
    assert!(
        fourth.contains("    format_version: 3,\n") && fourth.contains("    record: ("),
        "{fourth}"
    );
    // The next records only what changed.
    record.notes.push(regen_planner::planning::Note {
        written_at: "2027-03-03T10:05:00Z".parse().unwrap(),
        author: "Dr. Helena Ruiz".to_owned(),
        text: "Second session done.".to_owned(),
    });
    store
        .save_plan(&plan, 4, &record, "Dr. Helena Ruiz")
        .unwrap();
    let fifth = std::fs::read_to_string(dir.join("revision-000005.ron")).unwrap();
    assert!(
        fifth.contains("    changes: (") && fifth.contains("Second session done."),
        "{fifth}"
    );
    assert!(fifth.len() < 700, "a note wrote {} bytes", fifth.len());
    let after = files(store.data_dir());
    for (name, bytes) in &before {
        if !name.ends_with("head.ron") {
            assert_eq!(after.get(name), Some(bytes), "{name} was rewritten");
        }
    }
    assert_eq!(store.load_plan(&plan).unwrap().value, record);
    assert_eq!(
        store.load_plan_revision(&plan, 3).unwrap().value,
        loaded.value
    );
    let history = store.history(&plan).unwrap();
    assert_eq!(history.len(), 5);
    assert!(fourth.contains(&history[2].hash) && fifth.contains(&history[3].hash));
    let report = store.verify();
    assert!(report.is_ok(), "{:?}", report.problems);
    // A fresh index (as after an update, whose index cache is of another version)
    // lists the plan from its head.
    std::fs::remove_file(store.data_dir().join("index.json")).unwrap();
    let index = store.load_index(&mut |_| {}).unwrap();
    assert!(index.problems.is_empty(), "{:?}", index.problems);
    assert_eq!(index.plans[0].revision, 5);
}
