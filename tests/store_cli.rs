//! The command line of the store: `plan --save`, `plans list|show|history|verify` and
//! `backup`, run as the real binary on temporary folders.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly on anything unexpected"
)]

mod common;

use std::path::{Path, PathBuf};

use common::{Desk, regen, stderr, stdout};
use serde_json::Value;

/// What these tests do on a desk besides running the binary.
trait StoreDesk {
    /// Saves a stretch-marks plan and returns its id.
    fn save(&self, extra: &[&str]) -> String;
    /// The saved plans, as `plans list --format json` prints them.
    fn list(&self) -> Vec<Value>;
}

impl StoreDesk for Desk {
    fn save(&self, extra: &[&str]) -> String {
        let mut args = vec!["plan"];
        args.extend_from_slice(common::STRETCH_MARKS);
        args.push("--save");
        args.extend_from_slice(extra);
        let output = self.run(&args);
        assert!(output.status.success(), "{}", stderr(&output));
        assert_eq!(
            stderr(&output),
            "",
            "a save with a physician name warns of nothing"
        );
        let id = stdout(&output).trim().to_owned();
        assert!(
            id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit()),
            "not an id: {id}"
        );
        id
    }

    fn list(&self) -> Vec<Value> {
        let output = self.run(&["plans", "list", "--format", "json"]);
        assert!(output.status.success(), "{}", stderr(&output));
        serde_json::from_str::<Value>(&stdout(&output))
            .unwrap()
            .as_array()
            .unwrap()
            .clone()
    }
}

/// The one error line of a failed command.
fn one_sentence(output: &std::process::Output) -> String {
    assert!(!output.status.success(), "expected a failure");
    let text = stderr(output);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 1, "one sentence on stderr, got:\n{text}");
    assert!(!text.contains("panicked"));
    lines[0].to_owned()
}

#[test]
fn a_saved_plan_is_listed_shown_and_traced() {
    let desk = Desk::with_physician("Dr. Vega");
    let id = desk.save(&[
        "--patient-name",
        "Ana Souza",
        "--birth-date",
        "1990-02-03",
        "--patient-id",
        "C-17",
    ]);
    let plans = desk.list();
    assert_eq!(plans.len(), 1);
    let plan = &plans[0];
    assert_eq!(plan["id"], id.as_str());
    assert_eq!(plan["patient_name"], "Ana Souza");
    assert_eq!(plan["clinic_id"], "C-17");
    assert_eq!(plan["protocol_id"], "adipose-stretch-marks");
    assert_eq!(plan["status"], "draft");
    assert_eq!(plan["first_session"], "2027-01-18");
    assert_eq!(plan["revision"], 1);
    assert_eq!(plan["saved_by"], "Dr. Vega");

    let text = stdout(&desk.run(&["plans", "list"]));
    assert!(
        text.contains(&id) && text.contains("Ana Souza") && text.contains("Draft"),
        "{text}"
    );

    let shown = desk.run(&["plans", "show", &id, "--format", "json"]);
    assert!(shown.status.success(), "{}", stderr(&shown));
    let shown: Value = serde_json::from_str(&stdout(&shown)).unwrap();
    assert_eq!(shown["revision"], 1);
    assert_eq!(shown["patient"]["birth_date"], "1990-02-03");
    assert_eq!(shown["record"]["plan"]["sessions"][0]["date"], "2027-01-18");
    let text = stdout(&desk.run(&["plans", "show", &id]));
    assert!(
        text.contains("Patient: Ana Souza (born 1990-02-03, clinic id C-17)"),
        "{text}"
    );
    assert!(text.contains("Status: Draft"), "{text}");

    let history = desk.run(&["plans", "history", &id]);
    assert!(history.status.success(), "{}", stderr(&history));
    let text = stdout(&history);
    assert!(
        text.contains("revision-000001.ron") && text.contains("Dr. Vega"),
        "{text}"
    );
}

#[test]
fn a_known_clinic_id_saves_for_the_same_patient() {
    let desk = Desk::with_physician("Dr. Vega");
    desk.save(&["--patient-name", "Ana Souza", "--patient-id", "C-17"]);
    desk.save(&["--patient-name", "Ana Souza", "--patient-id", "C-17"]);
    desk.save(&["--patient-name", "Ana Souza", "--patient-id", "C-18"]);
    let plans = desk.list();
    assert_eq!(plans.len(), 3);
    assert_eq!(plans[0]["patient"], plans[1]["patient"]);
    assert_ne!(plans[0]["patient"], plans[2]["patient"]);
}

#[test]
fn verify_passes_then_names_a_hand_edited_file() {
    let desk = Desk::with_physician("Dr. Vega");
    let id = desk.save(&["--patient-name", "Ana Souza"]);
    let output = desk.run(&["plans", "verify"]);
    assert!(output.status.success(), "{}", stdout(&output));
    assert!(stdout(&output).contains("every chain is whole and unchanged"));

    let file = desk
        .data
        .join("plans")
        .join(&id)
        .join("revision-000001.ron");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(
        &file,
        text.replacen("status: \"draft\"", "status: \"completed\"", 1),
    )
    .unwrap();
    let output = desk.run(&["plans", "verify"]);
    assert_eq!(output.status.code(), Some(1));
    let report = stdout(&output);
    assert!(
        report.contains(&format!(
            "problem: {}: revision 1 was changed",
            file.display()
        )),
        "{report}"
    );
    let history = desk.run(&["plans", "history", &id]);
    assert_eq!(history.status.code(), Some(1));
}

#[test]
fn a_backup_is_a_verified_copy_that_loads_elsewhere() {
    let desk = Desk::with_physician("Dr. Vega");
    let id = desk.save(&["--patient-name", "Ana Souza"]);
    let place = tempfile::tempdir().unwrap();
    let backup_dir = place.path().join("backup-2027-01-18");
    let output = desk.run(&["backup", backup_dir.to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stdout(&output).contains("every copy was read back and matches its original"));
    assert!(
        !backup_dir.join("index.json").exists(),
        "the cache is not part of a backup"
    );
    let copy = regen(
        &backup_dir,
        &desk.config,
        &["plans", "list", "--format", "json"],
    );
    assert!(stdout(&copy).contains(&id));
    assert!(
        regen(&backup_dir, &desk.config, &["plans", "verify"])
            .status
            .success()
    );

    let again = one_sentence(&desk.run(&["backup", backup_dir.to_str().unwrap()]));
    assert!(again.contains("already exists"), "{again}");
    let inside = desk.data.join("backup");
    let inside = one_sentence(&desk.run(&["backup", inside.to_str().unwrap()]));
    assert!(inside.contains("inside the data folder"), "{inside}");
    let leftovers: Vec<_> = std::fs::read_dir(place.path())
        .unwrap()
        .map(|entry| entry.unwrap().file_name())
        .collect();
    assert_eq!(leftovers, [backup_dir.file_name().unwrap()]);
}

#[test]
fn problems_are_one_sentence_with_a_non_zero_exit() {
    let desk = Desk::with_physician("Dr. Vega");
    let bad_id = one_sentence(&desk.run(&["plans", "show", "../etc"]));
    assert!(
        bad_id.contains("'../etc' is not a valid plan id"),
        "{bad_id}"
    );

    let unknown = one_sentence(&desk.run(&["plans", "show", "0190abcdef0123456789abcdef012345"]));
    assert!(
        unknown.contains("plan 0190abcdef0123456789abcdef012345 is not in the data folder"),
        "{unknown}"
    );

    let no_name = desk.run(&[&["plan"], common::STRETCH_MARKS, &["--save"]].concat());
    assert_eq!(no_name.status.code(), Some(2));
    assert!(stderr(&no_name).contains("--patient-name"));

    std::fs::write(desk.config.join("settings.ron"), "(physician_name: ").unwrap();
    let broken = one_sentence(
        &desk.run(
            &[
                &["plan"],
                common::STRETCH_MARKS,
                &["--save", "--patient-name", "Ana"],
            ]
            .concat(),
        ),
    );
    assert!(
        broken.contains("settings.ron:1:") && broken.contains("left unchanged"),
        "{broken}"
    );
}

#[test]
fn a_damaged_file_is_reported_and_the_list_still_loads() {
    let desk = Desk::with_physician("Dr. Vega");
    let id = desk.save(&["--patient-name", "Ana Souza"]);
    let other = desk.save(&["--patient-name", "Rui Costa"]);
    let file = desk
        .data
        .join("plans")
        .join(&other)
        .join("revision-000001.ron");
    std::fs::write(&file, "(format_version: 1, kind: \"plan\",").unwrap();
    let output = desk.run(&["plans", "list", "--format", "json"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stdout(&output).contains(&id) && !stdout(&output).contains(&other));
    let warning = stderr(&output);
    assert!(
        warning.contains(&format!("{}:1:", file.display())),
        "{warning}"
    );
    assert!(warning.contains("cut short"), "{warning}");
}

#[test]
fn without_a_physician_name_the_author_fallback_is_said() {
    let desk = Desk::with_physician("Dr. Vega");
    std::fs::remove_file(desk.config.join("settings.ron")).unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_regen-planner"))
        .arg("plan")
        .args(common::STRETCH_MARKS)
        .args(["--save", "--patient-name", "Ana"])
        .env("REGEN_PLANNER_DATA_DIR", &desk.data)
        .env("REGEN_PLANNER_CONFIG_DIR", &desk.config)
        .env("USER", "nurse-desk-2")
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("'nurse-desk-2'"),
        "{}",
        stderr(&output)
    );
    assert_eq!(desk.list()[0]["saved_by"], "nurse-desk-2");
    assert!(Path::new(&desk.data).is_dir());
}

/// Every folder and file under `dir` with its permission bits.
#[cfg(unix)]
fn modes(dir: &Path) -> Vec<(PathBuf, u32)> {
    use std::os::unix::fs::PermissionsExt as _;
    let mut found = vec![(
        dir.to_path_buf(),
        std::fs::metadata(dir).unwrap().permissions().mode() & 0o777,
    )];
    let mut stack = vec![dir.to_path_buf()];
    while let Some(folder) = stack.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let entry = entry.unwrap();
            let mode = entry.metadata().unwrap().permissions().mode() & 0o777;
            if entry.file_type().unwrap().is_dir() {
                stack.push(entry.path());
            }
            found.push((entry.path(), mode));
        }
    }
    found
}

/// Runs `backup DEST` under a umask.
#[cfg(unix)]
fn backup_with_umask(desk: &Desk, umask: &str, backup_dir: &Path) -> std::process::Output {
    std::process::Command::new("sh")
        .args([
            "-c",
            &format!("umask {umask}; exec \"$0\" backup \"$1\""),
            env!("CARGO_BIN_EXE_regen-planner"),
        ])
        .arg(backup_dir)
        .env("REGEN_PLANNER_DATA_DIR", &desk.data)
        .env("REGEN_PLANNER_CONFIG_DIR", &desk.config)
        .output()
        .unwrap()
}

#[cfg(unix)]
#[test]
fn a_backup_is_the_owners_alone_whatever_the_umask() {
    let desk = Desk::with_physician("Dr. Vega");
    desk.save(&["--patient-name", "Ana Souza", "--patient-id", "C-1"]);
    let place = tempfile::tempdir().unwrap();
    for umask in ["000", "022", "077"] {
        let backup_dir = place.path().join(format!("backup-{umask}"));
        let output = backup_with_umask(&desk, umask, &backup_dir);
        assert!(output.status.success(), "{}", stderr(&output));
        for (path, mode) in modes(&backup_dir) {
            let wanted = if path.is_dir() { 0o700 } else { 0o600 };
            assert_eq!(
                mode,
                wanted,
                "umask {umask}: {} is {mode:o}",
                path.display()
            );
        }
    }
}

#[cfg(unix)]
#[test]
fn a_backup_never_follows_a_link_out_of_the_data_folder_nor_waits_on_a_pipe() {
    let desk = Desk::with_physician("Dr. Vega");
    let id = desk.save(&["--patient-name", "Ana Souza"]);
    let outside = tempfile::tempdir().unwrap();
    let secret = outside.path().join("passwd");
    std::fs::write(&secret, "root:x:0:0:secret\n").unwrap();
    std::os::unix::fs::symlink(&secret, desk.data.join("passwd")).unwrap();
    let plan = desk.data.join("plans").join(&id);
    std::os::unix::fs::symlink(&secret, plan.join("notes.txt")).unwrap();
    std::os::unix::fs::symlink(outside.path(), desk.data.join("elsewhere")).unwrap();
    assert!(
        std::process::Command::new("mkfifo")
            .arg(desk.data.join("pipe"))
            .status()
            .unwrap()
            .success()
    );
    let backup_dir = outside.path().join("backup");
    let output = desk.run(&["backup", backup_dir.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let warnings = stderr(&output);
    for left_out in [
        desk.data.join("passwd"),
        plan.join("notes.txt"),
        desk.data.join("elsewhere"),
        desk.data.join("pipe"),
    ] {
        assert!(
            warnings.contains(&format!("{}: was not copied", left_out.display())),
            "{warnings}"
        );
    }
    assert!(!warnings.contains("root:x"), "{warnings}");
    for (path, _) in modes(&backup_dir) {
        if path.is_file() {
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            assert!(
                !text.contains("secret"),
                "{} holds the linked file",
                path.display()
            );
        }
    }
    assert!(!backup_dir.join("passwd").exists() && !backup_dir.join("elsewhere").exists());
    assert!(
        regen(&backup_dir, &desk.config, &["plans", "verify"])
            .status
            .success()
    );
}

#[cfg(unix)]
#[test]
fn a_killed_backup_leaves_nothing_behind_after_the_next() {
    let desk = Desk::with_physician("Dr. Vega");
    let demo = tempfile::tempdir().unwrap();
    let data = demo.path().join("data");
    let made = regen(
        &data,
        &desk.config,
        &[
            "demo-data",
            "--patients",
            "150",
            "--data-dir",
            data.to_str().unwrap(),
        ],
    );
    assert!(made.status.success(), "{}", stderr(&made));
    let place = tempfile::tempdir().unwrap();
    let hidden = || -> Vec<PathBuf> {
        std::fs::read_dir(place.path())
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .filter(|path| {
                path.file_name()
                    .unwrap()
                    .to_string_lossy()
                    .starts_with(".regen-planner-backup-")
            })
            .collect()
    };
    let mut killed = false;
    for _ in 0..5 {
        let backup_dir = place.path().join("interrupted");
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_regen-planner"))
            .args(["backup", backup_dir.to_str().unwrap()])
            .env("REGEN_PLANNER_DATA_DIR", &data)
            .env("REGEN_PLANNER_CONFIG_DIR", &desk.config)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let started = std::time::Instant::now();
        while hidden().iter().all(|path| !path.is_dir())
            && started.elapsed() < std::time::Duration::from_secs(10)
        {
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
        std::thread::sleep(std::time::Duration::from_millis(30));
        child.kill().unwrap();
        child.wait().unwrap();
        if !backup_dir.exists() && !hidden().is_empty() {
            killed = true;
            break;
        }
        let _ = std::fs::remove_dir_all(&backup_dir);
    }
    assert!(killed, "no backup could be interrupted midway");
    // An older app's leftover, without a lock, from two days ago.
    let old = place.path().join(".regen-planner-backup-OLD123");
    std::fs::create_dir(&old).unwrap();
    std::fs::write(old.join("x"), "half a copy").unwrap();
    let aged = std::process::Command::new("touch")
        .args(["-d", "2 days ago"])
        .arg(&old)
        .status()
        .unwrap();
    assert!(aged.success());

    let backup_dir = place.path().join("backup");
    let output = regen(
        &data,
        &desk.config,
        &["backup", backup_dir.to_str().unwrap()],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stdout(&output).contains("left by a backup that was interrupted"));
    assert_eq!(hidden(), Vec::<PathBuf>::new(), "a hidden folder was left");
    let names: Vec<String> = std::fs::read_dir(place.path())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["backup"]);
}

#[test]
fn demo_data_goes_into_a_folder_the_app_made_but_never_saved_in() {
    let desk = Desk::with_physician("Dr. Vega");
    let listed = desk.run(&["plans", "list"]);
    assert!(listed.status.success(), "{}", stderr(&listed));
    let data = desk.data.to_str().unwrap().to_owned();
    let made = desk.run(&["demo-data", "--patients", "2", "--data-dir", &data]);
    assert!(made.status.success(), "{}", stderr(&made));
    assert!(
        desk.list().iter().all(|plan| plan["clinic_id"]
            .as_str()
            .is_some_and(|id| id.starts_with("DEMO-"))),
        "demo data went into the folder"
    );
}
