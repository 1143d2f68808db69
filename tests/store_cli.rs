//! The command line of the store: `plan --save`, `plans list|show|history|verify` and
//! `backup`, run as the real binary on temporary folders.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly on anything unexpected"
)]

mod common;

use std::path::{Path, PathBuf};

use common::{regen, stderr, stdout};
use serde_json::Value;

struct Desk {
    _dir: tempfile::TempDir,
    data: PathBuf,
    config: PathBuf,
}

impl Desk {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let (data, config) = (dir.path().join("data"), dir.path().join("config"));
        std::fs::create_dir_all(&config).unwrap();
        std::fs::write(
            config.join("settings.ron"),
            "(format_version: 1, physician_name: \"Dr. Vega\")",
        )
        .unwrap();
        Desk {
            _dir: dir,
            data,
            config,
        }
    }

    fn run(&self, args: &[&str]) -> std::process::Output {
        regen(&self.data, &self.config, args)
    }

    /// Saves a stretch-marks plan and returns its id.
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
    let desk = Desk::new();
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
    let desk = Desk::new();
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
    let desk = Desk::new();
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
    let desk = Desk::new();
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
    let desk = Desk::new();
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
    let desk = Desk::new();
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
    let desk = Desk::new();
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
