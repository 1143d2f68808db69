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
use regen_planner::store::{FORMAT_VERSION, PatientId, PlanId, Revision, Store, StoreError};

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
    let plans = (1..=3)
        .map(|number| store.load_plan_revision(&plan, number).unwrap())
        .collect();
    (patients, plans)
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
        "v1".to_owned()
    };
    let (_dir, old) = open_copy(&source);
    let (patients, plans) = revisions(&old);
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

/// A copy of the committed folder of this version, and its plan's folder and generated
/// plans, oldest revision's first.
fn current_plan() -> (tempfile::TempDir, Store, PlanId, PathBuf, Vec<PathBuf>) {
    let (dir, store) = open_copy(&format!("v{FORMAT_VERSION}"));
    let plan: PlanId = PLAN.parse().unwrap();
    let folder = store.data_dir().join("plans").join(PLAN);
    let mut generated: Vec<(u32, PathBuf)> = Vec::new();
    for number in 1..=3 {
        let text =
            std::fs::read_to_string(folder.join(format!("revision-{number:06}.ron"))).unwrap();
        let hash = text.split("generated_sha256: \"").nth(1).unwrap()[..64].to_owned();
        let path = folder.join(format!("generated-{hash}.ron"));
        if !generated.iter().any(|(_, known)| *known == path) {
            generated.push((number, path));
        }
    }
    assert_eq!(
        generated.len(),
        2,
        "the fixture's move makes a second generated plan"
    );
    (
        dir,
        store,
        plan,
        folder,
        generated.into_iter().map(|(_, path)| path).collect(),
    )
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
    let (_dir, store, plan, folder, generated) = current_plan();
    let newest = &generated[1];
    let text = std::fs::read_to_string(newest).unwrap();
    let edited = text.replacen("number: 1,", "number: 7,", 1);
    assert_ne!(edited, text);
    std::fs::write(newest, &edited).unwrap();

    let name = newest.file_name().unwrap().to_string_lossy().into_owned();
    let found = problems(&store);
    assert!(
        found
            .iter()
            .any(|p| p.contains(&name) && p.contains("was changed after it was saved")),
        "{found:?}"
    );
    // The newest revision is skipped, named; the revision before it is still there.
    let loaded = store.load_plan_checked(&plan).unwrap();
    assert_eq!(loaded.revision.number, 2);
    assert!(
        loaded
            .problems
            .iter()
            .any(|p| p.to_string().contains(&name)),
        "{:?}",
        loaded.problems
    );
    let error = store.load_plan_revision(&plan, 3).unwrap_err();
    assert!(error.to_string().contains(&name), "{error}");
    // The newest readable revision is not the newest: a save on top of it is refused.
    let record = store.load_plan_revision(&plan, 2).unwrap().value;
    let error = store.save_plan(&plan, 2, &record, "Dr. Vega").unwrap_err();
    assert!(matches!(error, StoreError::Conflict { .. }), "{error}");
    // A save whose generated plan is the one that was changed would name the changed
    // file: refused, and nothing is written or replaced.
    let (_v1, v1) = open_copy("v1");
    let same_plan = revisions(&v1).1[2].value.clone();
    let before = files(store.data_dir());
    let error = store
        .save_plan(&plan, 3, &same_plan, "Dr. Vega")
        .unwrap_err();
    assert!(
        matches!(error, StoreError::Unverified { .. }) && error.to_string().contains(&name),
        "{error}"
    );
    assert_eq!(std::fs::read_to_string(newest).unwrap(), edited);
    assert!(!folder.join("revision-000004.ron").exists());
    assert_eq!(files(store.data_dir()), before);
}

#[test]
fn a_removed_generated_plan_is_named() {
    let (_dir, store, plan, _folder, generated) = current_plan();
    std::fs::remove_file(&generated[0]).unwrap();
    let name = generated[0]
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    let found = problems(&store);
    assert!(
        found
            .iter()
            .any(|p| p.contains(&name) && p.contains("is missing")),
        "{found:?}"
    );
    // Revision 3 builds on the other generated plan and still loads.
    assert_eq!(store.load_plan(&plan).unwrap().number, 3);
    let error = store.load_plan_revision(&plan, 1).unwrap_err();
    assert!(
        matches!(error, StoreError::Damaged { .. }) && error.to_string().contains(&name),
        "{error}"
    );
}

#[cfg(unix)]
#[test]
fn a_pipe_or_a_huge_file_in_place_of_a_generated_plan_is_refused_without_waiting() {
    let (_dir, store, plan, _folder, generated) = current_plan();
    // A named pipe: a read would wait forever; it is never opened for reading.
    std::fs::remove_file(&generated[1]).unwrap();
    let status = std::process::Command::new("mkfifo")
        .arg(&generated[1])
        .status()
        .unwrap();
    assert!(status.success());
    let found = problems(&store);
    assert!(found.iter().any(|p| p.contains("named pipe")), "{found:?}");
    let error = store.load_plan_revision(&plan, 3).unwrap_err();
    assert!(matches!(error, StoreError::NotAFile { .. }), "{error}");
    assert_eq!(store.load_plan(&plan).unwrap().number, 2);

    // A file larger than a generated plan can be: refused before a byte is read.
    std::fs::remove_file(&generated[1]).unwrap();
    let huge = std::fs::File::create(&generated[1]).unwrap();
    huge.set_len(64 * 1024 * 1024).unwrap();
    let found = problems(&store);
    assert!(found.iter().any(|p| p.contains("larger than")), "{found:?}");
    let error = store.load_plan_revision(&plan, 3).unwrap_err();
    assert!(matches!(error, StoreError::TooLarge { .. }), "{error}");
}

#[test]
fn a_generated_plan_named_by_no_revision_is_a_note_and_never_read() {
    let (_dir, store, plan, folder, generated) = current_plan();
    let stray = folder.join(format!("generated-{}.ron", "0".repeat(64)));
    std::fs::copy(&generated[0], &stray).unwrap();
    let report = store.verify();
    assert!(report.is_ok(), "{:?}", report.problems);
    assert!(
        report
            .notes
            .iter()
            .any(|note| note.to_string().contains("no revision names")),
        "{:?}",
        report.notes
    );
    assert_eq!(store.load_plan(&plan).unwrap().number, 3);
}

#[test]
fn a_revision_that_names_its_generated_plan_by_a_path_is_refused() {
    let (_dir, store, plan, folder, _generated) = current_plan();
    let file = folder.join("revision-000003.ron");
    let text = std::fs::read_to_string(&file).unwrap();
    let hash = text.split("generated_sha256: \"").nth(1).unwrap()[..64].to_owned();
    std::fs::write(&file, text.replace(&hash, "../../../../etc/passwd")).unwrap();
    let error = store.load_plan_revision(&plan, 3).unwrap_err();
    assert!(
        error.to_string().contains("other than a SHA-256"),
        "{error}"
    );
}

#[test]
fn a_tick_writes_about_a_kilobyte_and_a_backup_carries_the_generated_plans() {
    let (dir, store, plan, folder, generated) = current_plan();
    let mut record = store.load_plan(&plan).unwrap().value;
    record.checklist.insert(
        checklist_keys::session(3),
        "2027-03-20T10:00:00Z".parse::<Timestamp>().unwrap(),
    );
    let names_before = std::fs::read_dir(&folder).unwrap().count();
    store.save_plan(&plan, 3, &record, "Dr. Vega").unwrap();
    assert_eq!(
        std::fs::read_dir(&folder).unwrap().count(),
        names_before + 1,
        "a tick adds its revision and nothing else"
    );
    let size = std::fs::metadata(folder.join("revision-000004.ron"))
        .unwrap()
        .len();
    assert!(size < 2_000, "a tick wrote a revision of {size} bytes");
    let generated_size = std::fs::metadata(&generated[1]).unwrap().len();
    assert!(
        generated_size > 10 * size,
        "the generated plan is {generated_size} bytes"
    );

    let report = store.backup(&dir.path().join("backup")).unwrap();
    assert!(report.verify.is_ok(), "{:?}", report.verify.problems);
    for file in &generated {
        let copy = dir
            .path()
            .join("backup/plans")
            .join(PLAN)
            .join(file.file_name().unwrap());
        assert_eq!(std::fs::read(copy).unwrap(), std::fs::read(file).unwrap());
    }
}
