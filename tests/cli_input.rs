//! Hostile and impossible input at the command line, and hostile text already in the
//! data folder: names of any length or with control characters, dates no clinic can
//! mean, ids of 100 kB. Each gets one sentence that says what is allowed, and what a
//! listing prints can never be forged or recoloured by what the files hold.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly on anything unexpected"
)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::{Desk, stderr, stdout};

/// What these tests do on a desk besides running the binary.
trait CliDesk {
    /// Saves a stretch-marks plan with the patient flags `extra`.
    fn save(&self, extra: &[&str]) -> Output;
    /// Saves as `save` does and returns the new plan's id.
    fn save_ok(&self, extra: &[&str]) -> String;
    /// Puts `text` in place of `from` in every file of a record's folder: a record
    /// changed by hand, as a hostile or broken tool would leave it.
    fn edit_record(&self, folder: &Path, from: &str, text: &str);
    /// The one record folder of a kind (`patients`, `plans`).
    fn only_folder(&self, kind: &str) -> PathBuf;
}

impl CliDesk for Desk {
    fn save(&self, extra: &[&str]) -> Output {
        let mut args = vec!["plan"];
        args.extend_from_slice(common::STRETCH_MARKS);
        args.push("--save");
        args.extend_from_slice(extra);
        self.run(&args)
    }

    fn save_ok(&self, extra: &[&str]) -> String {
        let output = self.save(extra);
        assert!(output.status.success(), "{}", stderr(&output));
        stdout(&output).trim().to_owned()
    }

    fn edit_record(&self, folder: &Path, from: &str, text: &str) {
        for entry in std::fs::read_dir(folder).unwrap() {
            let path = entry.unwrap().path();
            let old = std::fs::read_to_string(&path).unwrap();
            std::fs::write(&path, old.replace(from, text)).unwrap();
        }
        let _ = std::fs::remove_file(self.data.join("index.json"));
    }

    fn only_folder(&self, kind: &str) -> PathBuf {
        let mut folders: Vec<PathBuf> = std::fs::read_dir(self.data.join(kind))
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .collect();
        assert_eq!(folders.len(), 1);
        folders.remove(0)
    }
}

/// The one error line of a failed command.
fn one_sentence(output: &Output) -> String {
    assert!(
        !output.status.success(),
        "expected a failure: {}",
        stdout(output)
    );
    let text = stderr(output);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 1, "one sentence on stderr, got:\n{text}");
    assert!(!text.contains("panicked"), "{text}");
    lines[0].to_owned()
}

/// No control character but the line ends: nothing a terminal would obey.
fn assert_plain(text: &str) {
    assert!(
        !text
            .chars()
            .any(|c| regen_planner::untrusted::is_unsafe_to_show(c) && c != '\n'),
        "raw control characters in: {:?}",
        regen_planner::untrusted::shorten(text, 400)
    );
}

#[test]
fn names_are_limited_at_entry_with_one_sentence() {
    let desk = Desk::with_physician("Dr. Vega");
    let long = "A".repeat(65_536);
    let sentence = one_sentence(&desk.save(&["--patient-name", &long]));
    assert!(
        sentence.contains(
            "--patient-name: the patient's name is 65536 characters long; it may have at most 200"
        ),
        "{sentence}"
    );
    assert!(
        sentence.len() < 300,
        "the name was echoed: {} bytes",
        sentence.len()
    );
    let sentence = one_sentence(&desk.save(&["--patient-name", "Ana\nFORGED ROW"]));
    assert!(
        sentence.contains("holds a line break at character 4"),
        "{sentence}"
    );
    let sentence = one_sentence(&desk.save(&[
        "--patient-name",
        "Ana Souza",
        "--patient-id",
        "CH-1\u{1b}[31m",
    ]));
    assert!(
        sentence.contains("--patient-id: the clinic id holds an escape character"),
        "{sentence}"
    );
    let sentence = one_sentence(&desk.save(&[
        "--patient-name",
        "Ana Souza",
        "--patient-id",
        &"7".repeat(65),
    ]));
    assert!(sentence.contains("at most 64"), "{sentence}");
    std::fs::write(
        desk.config.join("settings.ron"),
        "(format_version: 1, physician_name: \"Dr. Vega\\nDr. Fake\")",
    )
    .unwrap();
    let sentence = one_sentence(&desk.save(&["--patient-name", "Ana Souza"]));
    assert!(
        sentence.contains("the physician's name holds a line break"),
        "{sentence}"
    );
    assert!(
        !desk.data.join("patients").exists()
            || std::fs::read_dir(desk.data.join("patients"))
                .unwrap()
                .count()
                == 0
    );
}

#[test]
fn dates_no_clinic_can_mean_are_refused_naming_the_range() {
    let desk = Desk::with_physician("Dr. Vega");
    let plan = |start: &str, birth: Option<&str>| {
        let mut args = vec![
            "plan",
            "--modality",
            "injection",
            "--source",
            "autologous-adipose",
            "--area",
            "abdomen",
            "--indication",
            "stretch-marks",
            "--start",
            start,
        ];
        if let Some(birth) = birth {
            args.extend_from_slice(&[
                "--save",
                "--patient-name",
                "Ana Souza",
                "--birth-date",
                birth,
            ]);
        }
        desk.run(&args)
    };
    let sentence = one_sentence(&plan("0000-01-18", None));
    assert!(
        sentence.contains("the first session must lie between 2000-01-01 and 2099-12-31"),
        "{sentence}"
    );
    let sentence = one_sentence(&plan("2027-03-01T00:00", None));
    assert!(
        sentence.contains("'2027-03-01T00:00' is not a date in the format YYYY-MM-DD"),
        "{sentence}"
    );
    let sentence = one_sentence(&plan("2027-01-18", Some("2090-01-01")));
    assert!(
        sentence.contains("--birth-date: the date of birth 2090-01-01 cannot be right: it must lie between 1900-01-01 and today"),
        "{sentence}"
    );
    let sentence = one_sentence(&plan("2027-01-18", Some("1899-12-31")));
    assert!(
        sentence.contains("between 1900-01-01 and today"),
        "{sentence}"
    );
    let sentence = one_sentence(&plan("2010-01-18", Some("2015-06-01")));
    assert!(
        sentence.contains("the date of birth 2015-06-01 is after the start date 2010-01-18"),
        "{sentence}"
    );
    assert!(plan("2027-01-18", None).status.success());
}

#[test]
fn hostile_names_in_the_files_never_break_or_forge_the_listing() {
    let desk = Desk::with_physician("Dr. Vega");
    let id = desk.save_ok(&["--patient-name", "Ana Souza", "--patient-id", "C-17"]);
    let long = "N".repeat(65_536);
    let patient = desk.only_folder("patients");
    desk.edit_record(
        &patient,
        "\"Ana Souza\"",
        "\"Ana\\nPLAN  FORGED  ROW\\u{1b}[31m red \\u{0} nul\"",
    );
    desk.edit_record(&patient, "\"C-17\"", &format!("\"{long}\""));
    desk.edit_record(
        &desk.only_folder("plans"),
        "\"Dr. Vega\"",
        &format!("\"{long}\""),
    );

    let output = desk.run(&["plans", "list"]);
    assert!(!stderr(&output).contains("panicked"), "{}", stderr(&output));
    let text = stdout(&output);
    assert_eq!(
        text.lines().count(),
        2,
        "a name made a row of its own:\n{text}"
    );
    assert_plain(&text);
    assert_plain(&stderr(&output));
    assert!(text.contains(&id));
    assert!(
        text.contains("Ana\\nPLAN  FORGED  ROW\\u{1b}[31m red \\0 nul"),
        "{text}"
    );
    assert!(
        text.len() < 1000,
        "a 65,536-character cell was printed whole"
    );
    assert!(
        text.contains("UNVERIFIED"),
        "the edited record is not marked: {text}"
    );

    let shown = desk.run(&["plans", "show", &id]);
    assert!(!stderr(&shown).contains("panicked"), "{}", stderr(&shown));
    assert_plain(&stdout(&shown));
    assert!(
        stdout(&shown).contains("Patient: Ana\\nPLAN"),
        "{}",
        stdout(&shown)
    );
    let history = desk.run(&["plans", "history", &id]);
    assert_plain(&stdout(&history));
    assert!(
        stdout(&history).lines().count() == 2,
        "{}",
        stdout(&history)
    );
    let json = desk.run(&["plans", "list", "--format", "json"]);
    let plans: serde_json::Value = serde_json::from_str(&stdout(&json)).unwrap();
    assert_eq!(plans[0]["verified"], false);
    assert_eq!(
        plans[0]["patient_name"],
        "Ana\nPLAN  FORGED  ROW\u{1b}[31m red \u{0} nul"
    );
}

#[test]
fn an_id_of_100_kilobytes_is_not_echoed_back_whole() {
    let desk = Desk::with_physician("Dr. Vega");
    let huge = "f".repeat(100_000);
    for args in [
        vec!["plans", "show", huge.as_str()],
        vec!["plans", "history", huge.as_str()],
        vec!["export", huge.as_str(), "--json", "out.json"],
        vec![
            "plan",
            "--modality",
            huge.as_str(),
            "--source",
            "prp",
            "--area",
            "face",
            "--indication",
            "acne-scars",
        ],
    ] {
        let sentence = one_sentence(&desk.run(&args));
        assert!(
            sentence.len() < 600,
            "{:?}: {} bytes echoed",
            &args[..2],
            sentence.len()
        );
        assert!(sentence.contains("more characters"), "{sentence}");
    }
    let control = one_sentence(&desk.run(&["plans", "show", "abc\u{1b}[2J\ndef"]));
    assert!(control.contains("abc\\u{1b}[2J\\ndef"), "{control}");
}

#[test]
fn log_lines_carry_no_colour_codes_when_stderr_is_not_a_terminal() {
    let desk = Desk::with_physician("Dr. Vega");
    let id = desk.save_ok(&["--patient-name", "Ana Souza"]);
    let plan = desk.only_folder("plans");
    // A damaged file is logged as a warning when a plan's patient is read.
    let patient = desk.only_folder("patients");
    std::fs::write(patient.join("revision-000002.ron"), "garbage").unwrap();
    let output = desk.run(&["plans", "show", &id]);
    let log = stderr(&output);
    assert!(log.contains("WARN"), "no log line to look at: {log}");
    assert!(
        !log.contains('\u{1b}'),
        "colour codes in a log that is not a terminal: {log:?}"
    );
    assert!(plan.is_dir());
}

#[test]
fn parse_errors_say_what_is_wrong_in_words() {
    let desk = Desk::with_physician("Dr. Vega");
    std::fs::write(
        desk.config.join("settings.ron"),
        "(format_version: 1, theme: purple)",
    )
    .unwrap();
    let output = desk.save(&["--patient-name", "Ana Souza"]);
    let sentence = one_sentence(&output);
    assert!(
        sentence.contains("'purple' is not one of the values allowed here (system, light, dark)"),
        "{sentence}"
    );
    assert!(!sentence.contains("ThemePreference"), "{sentence}");
}
