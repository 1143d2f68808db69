//! Files in the data folder that the app did not write: named pipes, huge sparse files,
//! links to files elsewhere, revision names with numbers nobody gave. Every time: the
//! command finishes quickly, says what the file is with its path, reads and changes
//! nothing it should not, and the rest still loads.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly on anything unexpected"
)]

mod common;

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use regen_planner::store::{PlanId, ProblemKind, Store, StoreError};

fn plan_dir(store: &Store, id: &PlanId) -> PathBuf {
    store.data_dir().join("plans").join(id.as_str())
}

/// Runs `work` on a thread and fails the test if it takes longer than `limit`: a
/// command that waits on a named pipe never returns, and the test says so.
fn within<T: Send + 'static>(
    what: &str,
    limit: Duration,
    work: impl FnOnce() -> T + Send + 'static,
) -> T {
    let (sender, receiver) = mpsc::channel();
    std::thread::Builder::new()
        .name(what.to_owned())
        .spawn(move || {
            let _ = sender.send(work());
        })
        .unwrap();
    receiver
        .recv_timeout(limit)
        .unwrap_or_else(|_| panic!("{what} did not finish within {limit:?}: it hangs"))
}

#[cfg(unix)]
fn make_fifo(path: &Path) {
    let status = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .unwrap();
    assert!(status.success(), "mkfifo {}", path.display());
}

#[cfg(unix)]
#[test]
fn a_named_pipe_is_reported_and_never_waited_on() {
    let (_dir, store, id, records) = common::plan_with_revisions(2);
    let dir = plan_dir(&store, &id);
    let newest = dir.join("revision-000002.ron");
    std::fs::remove_file(&newest).unwrap();
    make_fifo(&newest);
    let head = dir.join("head.ron");
    std::fs::remove_file(&head).unwrap();
    make_fifo(&head);
    std::fs::remove_file(store.data_dir().join("index.json")).ok();
    make_fifo(&store.data_dir().join("index.json"));

    let limit = Duration::from_secs(20);
    let (list_store, show_store, verify_store, history_store) =
        (store.clone(), store.clone(), store.clone(), store.clone());
    let (show_id, history_id) = (id.clone(), id.clone());
    let index = within("the list", limit, move || {
        list_store.load_index(&mut |_| {}).unwrap()
    });
    let loaded = within("show", limit, move || {
        show_store.load_plan_checked(&show_id).unwrap()
    });
    let report = within("verify", limit, move || verify_store.verify());
    let history = within("history", limit, move || {
        history_store.history(&history_id).unwrap()
    });

    assert_eq!(index.plans.len(), 1, "the rest still loads");
    assert_eq!(loaded.revision.value, records[0]);
    assert_eq!(history.len(), 1);
    let problem = index
        .problems
        .iter()
        .find(|problem| problem.path == newest)
        .unwrap_or_else(|| panic!("{:?}", index.problems));
    assert_eq!(problem.kind, ProblemKind::NotAFile);
    assert!(problem.to_string().contains("is a named pipe"), "{problem}");
    for file in [&newest, &head] {
        let found = report
            .problems
            .iter()
            .find(|problem| &problem.file == file)
            .unwrap_or_else(|| panic!("verify missed {}: {:?}", file.display(), report.problems));
        assert!(found.what.contains("named pipe"), "{found}");
    }
}

#[cfg(unix)]
#[test]
fn a_named_pipe_for_settings_or_a_protocol_is_reported_not_waited_on() {
    let config = tempfile::tempdir().unwrap();
    make_fifo(&config.path().join("settings.ron"));
    let protocols = config.path().join("protocols");
    std::fs::create_dir(&protocols).unwrap();
    make_fifo(&protocols.join("prp-hair.ron"));
    let config_dir = config.path().to_path_buf();
    let error = within("settings", Duration::from_secs(20), move || {
        regen_planner::store::Settings::load(&config_dir).unwrap_err()
    });
    assert!(
        error.to_string().contains("settings.ron is a named pipe"),
        "{error}"
    );
    let (files, errors) = within("the protocol folder", Duration::from_secs(20), move || {
        regen_planner::store::read_protocol_dir(&protocols).unwrap()
    });
    assert!(files.is_empty());
    assert_eq!(errors.len(), 1);
    assert!(
        errors[0].to_string().contains("named pipe"),
        "{}",
        errors[0]
    );
}

#[test]
fn a_huge_sparse_file_is_refused_at_once_with_its_path() {
    let (_dir, store, id, records) = common::plan_with_revisions(2);
    let newest = plan_dir(&store, &id).join("revision-000002.ron");
    let file = std::fs::OpenOptions::new()
        .write(true)
        .open(&newest)
        .unwrap();
    file.set_len(1 << 30).unwrap();
    drop(file);

    let started = Instant::now();
    let loaded = store.load_plan_checked(&id).unwrap();
    let index = store.load_index(&mut |_| {}).unwrap();
    let report = store.verify();
    let history = store.history(&id).unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "a 1 GB file was read: {:?}",
        started.elapsed()
    );
    assert_eq!(loaded.revision.value, records[0]);
    assert_eq!(history.len(), 1);
    let problem = &loaded.problems[0];
    assert_eq!(problem.path, newest);
    assert_eq!(problem.kind, ProblemKind::TooLarge);
    let text = problem.to_string();
    assert!(
        text.contains("is 1 GB, larger than a revision file the app writes can be"),
        "{text}"
    );
    assert!(
        index.problems.iter().any(|p| p.path == newest),
        "{:?}",
        index.problems
    );
    assert!(
        report
            .problems
            .iter()
            .any(|p| p.file == newest && p.what.contains("1 GB")),
        "{:?}",
        report.problems
    );
    let error = store
        .save_plan(&id, 1, &records[1], "Dr. Lima")
        .unwrap_err();
    assert!(error.to_string().contains("revision-000002.ron"), "{error}");
    assert_eq!(
        std::fs::metadata(&newest).unwrap().len(),
        1 << 30,
        "left as it was"
    );
}

#[test]
fn an_oversized_settings_file_is_refused_with_its_path() {
    let config = tempfile::tempdir().unwrap();
    let file = std::fs::File::create(config.path().join("settings.ron")).unwrap();
    file.set_len(64 << 20).unwrap();
    let error = regen_planner::store::Settings::load(config.path()).unwrap_err();
    let message = error.to_string();
    assert!(
        message.contains("settings.ron is 64 MB, larger than a settings file"),
        "{message}"
    );
}

#[cfg(unix)]
#[test]
fn a_link_to_another_file_is_reported_as_a_link_and_not_read() {
    let (dir, store, id, records) = common::plan_with_revisions(2);
    let secret = dir.path().join("secret.txt");
    std::fs::write(&secret, "rootpassword:x:0:0\n").unwrap();
    let newest = plan_dir(&store, &id).join("revision-000002.ron");
    std::fs::remove_file(&newest).unwrap();
    std::os::unix::fs::symlink(&secret, &newest).unwrap();

    let loaded = store.load_plan_checked(&id).unwrap();
    assert_eq!(loaded.revision.value, records[0]);
    let message = loaded.problems[0].to_string();
    assert!(
        message.contains("revision-000002.ron: is a symbolic link to"),
        "{message}"
    );
    assert!(!message.contains("cut short"), "{message}");
    assert!(
        !message.contains("rootpassword"),
        "the link's target was read: {message}"
    );
    let report = store.verify();
    let found = report
        .problems
        .iter()
        .find(|problem| problem.file == newest)
        .unwrap();
    assert!(found.what.contains("symbolic link"), "{found}");
    assert!(!found.what.contains("rootpassword"), "{found}");
    let error = store
        .save_plan(&id, 1, &records[1], "Dr. Lima")
        .unwrap_err();
    assert!(
        matches!(error, StoreError::NotAFile { .. }),
        "a save on top of the link: {error:?}"
    );
    assert_eq!(
        std::fs::read_to_string(&secret).unwrap(),
        "rootpassword:x:0:0\n",
        "the link's target was changed"
    );
}

#[cfg(unix)]
#[test]
fn a_record_folder_that_is_a_link_is_reported_and_not_followed() {
    let (dir, store, id, _) = common::plan_with_revisions(1);
    let folder = plan_dir(&store, &id);
    let elsewhere = dir.path().join("elsewhere");
    std::fs::rename(&folder, &elsewhere).unwrap();
    std::os::unix::fs::symlink(&elsewhere, &folder).unwrap();
    let index = store.load_index(&mut |_| {}).unwrap();
    assert!(index.plans.is_empty());
    let problem = index
        .problems
        .iter()
        .find(|problem| problem.path == folder)
        .unwrap_or_else(|| panic!("{:?}", index.problems));
    assert!(problem.to_string().contains("symbolic link"), "{problem}");
    let report = store.verify();
    assert!(
        report
            .problems
            .iter()
            .any(|p| p.file == folder && p.what.contains("symbolic link")),
        "{:?}",
        report.problems
    );
}

#[test]
fn a_revision_number_nobody_gave_is_reported_and_sizes_nothing() {
    let (_dir, store, id, records) = common::plan_with_revisions(3);
    let dir = plan_dir(&store, &id);
    let highest = dir.join("revision-4294967295.ron");
    std::fs::copy(dir.join("revision-000003.ron"), &highest).unwrap();
    let empty = dir.join("revision-20000000.ron");
    std::fs::write(&empty, "").unwrap();

    let started = Instant::now();
    let report = store.verify();
    let history = store.history(&id).unwrap();
    let loaded = store.load_plan_checked(&id).unwrap();
    let index = store.load_index(&mut |_| {}).unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(loaded.revision.number, 3);
    assert_eq!(loaded.revision.value, records[2]);
    assert_eq!(history.len(), 3);
    assert_eq!(index.plans[0].revision, 3);
    for file in [&highest, &empty] {
        let found = report
            .problems
            .iter()
            .find(|problem| &problem.file == file)
            .unwrap_or_else(|| panic!("{} not reported: {:?}", file.display(), report.problems));
        assert!(
            found
                .what
                .contains("does not fit the record's chain of revisions: the record's revisions end at revision 3"),
            "{found}"
        );
    }
    assert!(report.problems.len() <= 3, "{:?}", report.problems);
    assert!(
        index
            .problems
            .iter()
            .any(|problem| problem.kind == ProblemKind::Stray && problem.path == highest),
        "{:?}",
        index.problems
    );
    let saved = store.save_plan(&id, 3, &records[0], "Dr. Lima").unwrap();
    assert_eq!(saved.number, 4);
}

#[test]
fn a_run_of_missing_revisions_is_one_problem() {
    let (_dir, store, id, _) = common::plan_with_revisions(6);
    let dir = plan_dir(&store, &id);
    for number in 2..=4 {
        std::fs::remove_file(dir.join(format!("revision-{number:06}.ron"))).unwrap();
    }
    let report = store.verify();
    let missing: Vec<&str> = report
        .problems
        .iter()
        .filter(|problem| problem.what.contains("missing"))
        .map(|problem| problem.what.as_str())
        .collect();
    assert_eq!(missing.len(), 1, "{:?}", report.problems);
    assert!(
        missing[0].starts_with("revisions 2 to 4 are missing (3 files)"),
        "{missing:?}"
    );
}

#[cfg(unix)]
#[test]
fn a_tmp_folder_that_links_elsewhere_is_refused() {
    let (dir, store) = common::temp_store();
    let elsewhere = dir.path().join("elsewhere");
    std::fs::create_dir(&elsewhere).unwrap();
    let tmp = store.data_dir().join("tmp");
    std::fs::remove_dir(&tmp).unwrap();
    std::os::unix::fs::symlink(&elsewhere, &tmp).unwrap();
    let error = Store::open(store.data_dir()).unwrap_err().to_string();
    assert!(
        error.contains("tmp: it is a symbolic link, and the records being saved would be written where it points"),
        "{error}"
    );
    assert_eq!(std::fs::read_dir(&elsewhere).unwrap().count(), 0);
}

// ----- revisions that record only what changed (format version 3) -----

fn sha256(path: &Path) -> String {
    use sha2::Digest as _;
    format!("{:x}", sha2::Sha256::digest(std::fs::read(path).unwrap()))
}

/// Writes revision `number` of a plan as a revision of changes, as the app writes one
/// but with the changes given, chained to the revision before it.
fn write_changes(store: &Store, id: &PlanId, number: u32, changes: &str) -> PathBuf {
    let dir = plan_dir(store, id);
    let previous = dir.join(format!("revision-{:06}.ron", number - 1));
    let previous = if number > 1 {
        format!("Some(\"{}\")", sha256(&previous))
    } else {
        "None".to_owned()
    };
    let file = dir.join(format!("revision-{number:06}.ron"));
    let text = format!(
        "// Regen Planner plan revision {number}: the changes since revision {}.\n(\n    format_version: 3,\n    kind: \"plan\",\n    id: \"{}\",\n    number: {number},\n    saved_at: \"2027-01-18T10:00:00Z\",\n    saved_by: \"Someone\",\n    previous_sha256: {previous},\n    changes: (\n        {changes}\n    ),\n)\n",
        number - 1,
        id.as_str()
    );
    std::fs::write(&file, text).unwrap();
    file
}

fn verify_problems(store: &Store) -> Vec<String> {
    store
        .verify()
        .problems
        .iter()
        .map(ToString::to_string)
        .collect()
}

#[test]
fn changes_that_do_not_fit_the_revision_before_are_named_and_nothing_is_lost() {
    for (changes, expected) in [
        (
            "unticked: [\"no-such-task\"],",
            "takes back the tick of 'no-such-task', which revision 3 does not have",
        ),
        (
            "notes: (keep: 99),",
            "keeps the first 99 notes of revision 3, which has only 1",
        ),
        (
            "ticked: {\"session:1\": \"2027-01-18T10:00:00Z\"}, unticked: [\"session:1\"],",
            "both ticks and takes back",
        ),
        (
            "generated_sha256: \"../../etc/passwd\",",
            "other than a SHA-256",
        ),
        (
            &format!("generated_sha256: \"{}\",", "0".repeat(64)),
            "which is missing",
        ),
    ] {
        let (_dir, store, id, records) = common::plan_with_revisions(3);
        let file = write_changes(&store, &id, 4, changes);
        let before = common::snapshot(store.data_dir());
        let loaded = store.load_plan_checked(&id).unwrap();
        assert_eq!(loaded.revision.number, 3, "{changes}");
        assert_eq!(loaded.revision.value, records[2]);
        let problem = loaded
            .problems
            .iter()
            .map(ToString::to_string)
            .find(|problem| problem.contains("revision-000004.ron"))
            .unwrap_or_else(|| panic!("{changes}: {:?}", loaded.problems));
        assert!(problem.contains(expected), "{problem}");
        let found = verify_problems(&store);
        assert!(
            found
                .iter()
                .any(|p| p.contains("revision-000004.ron") || p.contains("generated-")),
            "{changes}: {found:?}"
        );
        // A save on top of the revision before it never replaces it.
        let error = store
            .save_plan(&id, 3, &records[2], "Dr. Vega")
            .unwrap_err();
        assert!(matches!(error, StoreError::Conflict { .. }), "{error}");
        let after = common::snapshot(store.data_dir());
        assert_eq!(
            after.get(&format!("plans/{}/revision-000004.ron", id.as_str())),
            before.get(&format!("plans/{}/revision-000004.ron", id.as_str()))
        );
        assert!(file.exists());
    }
}

#[test]
fn a_removed_or_damaged_revision_that_changes_build_on_is_named_with_what_to_restore() {
    let (_dir, store, id, records) = common::plan_with_revisions(4);
    let dir = plan_dir(&store, &id);
    let third = dir.join("revision-000003.ron");
    let text = std::fs::read_to_string(&third).unwrap();
    assert!(text.contains("changes: ("), "{text}");

    // Removed: the newest is rebuilt from it, so it cannot be read; the one before is.
    std::fs::remove_file(&third).unwrap();
    let loaded = store.load_plan_checked(&id).unwrap();
    assert_eq!(loaded.revision.number, 2);
    assert_eq!(loaded.revision.value, records[1]);
    let problems: Vec<String> = loaded.problems.iter().map(ToString::to_string).collect();
    assert!(
        problems.iter().any(|p| p.contains("revision-000004.ron")
            && p.contains("revision-000003.ron, which is missing")
            && p.contains("restore that file from a backup")),
        "{problems:?}"
    );
    let found = verify_problems(&store);
    assert!(
        found
            .iter()
            .any(|p| p.contains("revision-000003.ron: revision 3 is missing")),
        "{found:?}"
    );
    assert!(
        found.iter().any(|p| p
            .contains("revision-000004.ron: revision 4 records only what changed")
            && p.contains("revision-000003.ron from a backup")),
        "{found:?}"
    );

    // Damaged: named, with what is wrong with it.
    std::fs::write(&third, "garbage").unwrap();
    let error = store.load_plan_revision(&id, 4).unwrap_err();
    let message = error.to_string();
    assert!(
        message.contains("revision-000004.ron")
            && message.contains(
                "revision-000003.ron, which cannot be used (it is not a file the app wrote"
            ),
        "{message}"
    );

    // Hand-edited: its changes are never applied to what it holds now.
    std::fs::write(&third, text.replace("save 3", "save 9")).unwrap();
    let error = store.load_plan_revision(&id, 4).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("was changed after the revision after it was saved"),
        "{error}"
    );
    assert_eq!(
        store.load_plan_revision(&id, 3).unwrap().value.notes[0].text,
        "save 9",
        "the edited file itself is read as it is (verify names it)"
    );
    assert!(!store.verify().is_ok());
}

#[cfg(unix)]
#[test]
fn a_pipe_in_place_of_a_revision_that_changes_build_on_is_never_waited_on() {
    let (_dir, store, id, _records) = common::plan_with_revisions(3);
    let second = plan_dir(&store, &id).join("revision-000002.ron");
    std::fs::remove_file(&second).unwrap();
    make_fifo(&second);
    let error = within("load", Duration::from_secs(20), {
        let store = store.clone();
        let id = id.clone();
        move || store.load_plan_revision(&id, 3).unwrap_err()
    });
    assert!(
        error
            .to_string()
            .contains("revision-000002.ron, which cannot be used")
            && error.to_string().contains("named pipe"),
        "{error}"
    );
    let found = within("verify", Duration::from_secs(20), move || {
        verify_problems(&store)
    });
    assert!(found.iter().any(|p| p.contains("named pipe")), "{found:?}");
}

#[test]
fn a_run_of_changes_longer_than_the_app_writes_is_refused() {
    let (_dir, store, id, records) = common::plan_with_revisions(21);
    let dir = plan_dir(&store, &id);
    // The app wrote revision 21 whole: 19 revisions of changes follow revision 1.
    let whole = std::fs::read_to_string(dir.join("revision-000021.ron")).unwrap();
    assert!(whole.contains("    record: ("), "{whole}");
    assert!(
        std::fs::read_to_string(dir.join("revision-000020.ron"))
            .unwrap()
            .contains("    changes: (")
    );
    assert_eq!(store.load_plan(&id).unwrap().value, records[20]);
    // One that claims to be a revision of changes there is refused, named.
    write_changes(&store, &id, 21, "status: \"completed\",");
    let error = store.load_plan_revision(&id, 21).unwrap_err();
    assert!(
        matches!(error, StoreError::Damaged { .. })
            && error
                .to_string()
                .contains("none of the 19 revisions before it holds the whole plan"),
        "{error}"
    );
    let found = verify_problems(&store);
    assert!(
        found.iter().any(|p| p.contains("revision-000021.ron")
            && p.contains("none of the 19 revisions before it holds the whole plan")),
        "{found:?}"
    );
    assert_eq!(store.load_plan(&id).unwrap().number, 20);
}

#[test]
fn a_first_revision_of_changes_or_one_with_both_shapes_is_refused() {
    let (_dir, store, id, records) = common::plan_with_revisions(2);
    let dir = plan_dir(&store, &id);
    let first = dir.join("revision-000001.ron");
    let whole = std::fs::read_to_string(&first).unwrap();
    write_changes(&store, &id, 1, "status: \"completed\",");
    let error = store.load_plan_revision(&id, 1).unwrap_err();
    assert!(
        error.to_string().contains("names no revision before it"),
        "{error}"
    );
    // Both the whole record and changes in one file: the app never writes that.
    let both = whole.replacen("\n)\n", "\n    changes: (status: \"completed\"),\n)\n", 1);
    assert_ne!(both, whole);
    std::fs::write(&first, both).unwrap();
    let error = store.load_plan_revision(&id, 1).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("both a whole record and changes"),
        "{error}"
    );
    // A patient's revisions are always whole.
    let patient = records[0].patient.clone();
    let patient_file = store
        .data_dir()
        .join("patients")
        .join(patient.as_str())
        .join("revision-000001.ron");
    let text = std::fs::read_to_string(&patient_file).unwrap();
    let start = text.find("    record: (").unwrap();
    let changed = format!("{}    changes: (name: \"Eve\"),\n)\n", &text[..start]);
    std::fs::write(&patient_file, changed).unwrap();
    let error = store.load_patient(&patient).unwrap_err();
    assert!(
        matches!(error, StoreError::Damaged { .. })
            && error.to_string().contains("revision-000001.ron"),
        "{error}"
    );
}
