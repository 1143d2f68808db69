//! A clinic's protocol files: `catalog check`, overrides and additions, and broken files
//! that must never stop the app.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly on anything unexpected"
)]

use std::path::Path;
use std::process::Output;

const STRETCH_MARKS: &str = include_str!("../assets/protocols/adipose-stretch-marks.ron");

mod common;

use common::{stderr, stdout};

/// Runs the real binary with the clinic's configuration folder and an empty data folder.
fn regen(config: &Path, args: &[&str]) -> Output {
    let data = tempfile::tempdir().unwrap();
    common::regen(data.path(), config, args)
}

/// Writes a protocol file into the clinic folder `<config>/protocols`.
fn clinic_file(config: &Path, name: &str, text: &str) {
    let dir = config.join("protocols");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(name), text).unwrap();
}

/// Checks a folder holding one file and returns the report.
fn check_one(text: &str) -> (bool, String) {
    let config = tempfile::tempdir().unwrap();
    clinic_file(config.path(), "clinic.ron", text);
    let dir = config.path().join("protocols");
    let output = regen(config.path(), &["catalog", "check", dir.to_str().unwrap()]);
    (output.status.success(), stdout(&output))
}

fn expect_problem(text: &str, line: usize, fragment: &str) {
    let (ok, report) = check_one(text);
    assert!(
        !ok,
        "the check passed but should have found: {fragment}\n{report}"
    );
    let wanted = format!("clinic.ron:{line}:");
    assert!(
        report
            .lines()
            .any(|row| row.contains(&wanted) && row.contains(fragment)),
        "expected a problem at line {line} saying '{fragment}', got:\n{report}"
    );
}

fn line_of(text: &str, needle: &str) -> usize {
    text.lines().position(|line| line.contains(needle)).unwrap() + 1
}

#[test]
fn a_renamed_copy_overlaps_the_builtin_protocol() {
    let text = STRETCH_MARKS.replace("id: \"adipose-stretch-marks\"", "id: \"clinic-striae\"");
    expect_problem(
        &text,
        line_of(&text, "covers:"),
        "overlapping combination: injection / autologous-adipose / abdomen / stretch-marks is also covered by 'adipose-stretch-marks'",
    );
}

#[test]
fn an_unknown_id_names_the_valid_ones() {
    let text = STRETCH_MARKS.replace("\"upper-arms\"]", "\"upper-arms\", \"cheek\"]");
    expect_problem(
        &text,
        line_of(&text, "\"cheek\""),
        "unknown target area 'cheek'; valid ids are: face",
    );
}

#[test]
fn a_negative_offset_is_refused() {
    let text = STRETCH_MARKS.replacen("days_before: 14)", "days_before: -3)", 1);
    expect_problem(
        &text,
        line_of(&text, "days_before: -3"),
        "a negative offset is not allowed",
    );
}

#[test]
fn empty_aftercare_is_refused() {
    let start = STRETCH_MARKS.find("    aftercare: [").unwrap();
    let end = STRETCH_MARKS.find("    donor_site_care:").unwrap();
    let text = format!(
        "{}    aftercare: [],\n{}",
        &STRETCH_MARKS[..start],
        &STRETCH_MARKS[end..]
    );
    expect_problem(&text, line_of(&text, "aftercare: []"), "aftercare is empty");
}

#[test]
fn an_aftercare_task_that_ends_before_it_starts_is_refused() {
    let text = STRETCH_MARKS.replace(
        "No strenuous exercise.\", from_day: 0, until_day: 3",
        "No strenuous exercise.\", from_day: 5, until_day: 3",
    );
    expect_problem(
        &text,
        line_of(&text, "from_day: 5, until_day: 3"),
        "ends on day 3 before it starts on day 5",
    );
}

#[test]
fn a_typical_count_outside_its_range_is_refused() {
    let text = STRETCH_MARKS.replace("typical: 2,", "typical: 5,");
    expect_problem(
        &text,
        line_of(&text, "typical: 5"),
        "typical session count 5 lies outside the range 1-3",
    );
}

#[test]
fn a_protocol_without_the_screening_factors_is_refused() {
    let start = STRETCH_MARKS
        .find("        (factor: \"cancer-history\"")
        .unwrap();
    let end = STRETCH_MARKS[start..].find('\n').unwrap() + start + 1;
    let text = format!("{}{}", &STRETCH_MARKS[..start], &STRETCH_MARKS[end..]);
    expect_problem(
        &text,
        line_of(&text, "factors: ["),
        "factor 'cancer-history' has no rule",
    );
}

#[test]
fn a_harvest_without_donor_site_care_is_refused() {
    let start = STRETCH_MARKS.find("    donor_site_care: [").unwrap();
    let end = STRETCH_MARKS.find("    downtime:").unwrap();
    let text = format!("{}{}", &STRETCH_MARKS[..start], &STRETCH_MARKS[end..]);
    expect_problem(
        &text,
        1,
        "a step harvests tissue but donor_site_care is empty",
    );
}

#[test]
fn garbage_is_reported_with_its_position() {
    let (ok, report) = check_one("(id: \"x\", title: ");
    assert!(!ok);
    assert!(report.contains("clinic.ron:1:"), "{report}");
}

#[test]
fn a_valid_override_passes_the_check_and_replaces_the_builtin() {
    let text = STRETCH_MARKS.replace(
        "title: \"Adipose stem-cell injections for stretch marks\"",
        "title: \"Striae protocol of our clinic\"",
    );
    let (ok, report) = check_one(&text);
    assert!(ok, "{report}");
    assert!(report.contains("1 protocol file(s)"), "{report}");

    let config = tempfile::tempdir().unwrap();
    clinic_file(config.path(), "striae.ron", &text);
    let listing = regen(config.path(), &["catalog"]);
    assert!(
        stdout(&listing)
            .contains("Striae protocol of our clinic [Investigational] [clinic override:"),
        "{}",
        stdout(&listing)
    );
    let plan = regen(config.path(), &[&["plan"], common::STRETCH_MARKS].concat());
    assert!(plan.status.success(), "{}", stderr(&plan));
    assert!(stdout(&plan).starts_with("Striae protocol of our clinic (adipose-stretch-marks)"));
}

#[test]
fn a_broken_override_is_reported_and_the_builtin_protocol_is_used() {
    let config = tempfile::tempdir().unwrap();
    clinic_file(
        config.path(),
        "broken.ron",
        &STRETCH_MARKS.replace("typical: 2,", "typical: 9,"),
    );
    clinic_file(config.path(), "garbage.ron", "\u{0}\u{1}not ron at all");
    let plan = regen(
        config.path(),
        &[&["plan"], common::STRETCH_MARKS, &["--format", "json"]].concat(),
    );
    assert!(plan.status.success(), "{}", stderr(&plan));
    let warnings = stderr(&plan);
    assert!(
        warnings.contains("broken.ron:") && warnings.contains("the built-in protocol is used"),
        "{warnings}"
    );
    assert!(warnings.contains("garbage.ron:1:"), "{warnings}");
    let json: serde_json::Value = serde_json::from_str(&stdout(&plan)).unwrap();
    assert_eq!(
        json["protocol"]["title"],
        "Adipose stem-cell injections for stretch marks"
    );
    assert_eq!(json["sessions"].as_array().unwrap().len(), 2);
}

#[test]
fn a_clinic_can_add_a_protocol_for_an_uncovered_combination() {
    let text = STRETCH_MARKS
        .replace(
            "id: \"adipose-stretch-marks\"",
            "id: \"clinic-adipose-striae-microneedling\"",
        )
        .replace(
            "modalities: [\"injection\"]",
            "modalities: [\"microneedling\"]",
        );
    let config = tempfile::tempdir().unwrap();
    clinic_file(config.path(), "added.ron", &text);
    let plan = regen(
        config.path(),
        &[
            "plan",
            "--modality",
            "microneedling",
            "--source",
            "autologous-adipose",
            "--area",
            "hips",
            "--indication",
            "stretch-marks",
            "--start",
            "2027-01-18",
            "--format",
            "json",
        ],
    );
    assert!(plan.status.success(), "{}", stderr(&plan));
    let json: serde_json::Value = serde_json::from_str(&stdout(&plan)).unwrap();
    assert_eq!(
        json["protocol"]["id"],
        "clinic-adipose-striae-microneedling"
    );
}

#[test]
fn checking_a_missing_folder_says_so() {
    let config = tempfile::tempdir().unwrap();
    let missing = config.path().join("nowhere");
    let output = regen(
        config.path(),
        &["catalog", "check", missing.to_str().unwrap()],
    );
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("is not a folder"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn the_same_input_gives_the_same_bytes() {
    let config = tempfile::tempdir().unwrap();
    let args = [&["plan"], common::STRETCH_MARKS, &["--factor", "nsaids"]].concat();
    for format in ["text", "json", "ron"] {
        let mut with_format = args.clone();
        with_format.extend(["--format", format]);
        let first = regen(config.path(), &with_format);
        let second = regen(config.path(), &with_format);
        assert!(first.status.success());
        assert_eq!(
            first.stdout, second.stdout,
            "{format} output differs between runs"
        );
    }
}

#[test]
fn the_catalog_lists_ids_and_protocols_as_json() {
    let config = tempfile::tempdir().unwrap();
    let output = regen(config.path(), &["catalog", "--format", "json"]);
    assert!(output.status.success());
    let json: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(json["factors"].as_array().unwrap().len(), 16);
    assert_eq!(json["areas"].as_array().unwrap().len(), 12);
    assert!(
        json["protocols"]
            .as_array()
            .unwrap()
            .iter()
            .any(|entry| entry["protocol"]["id"] == "adipose-stretch-marks")
    );
}
