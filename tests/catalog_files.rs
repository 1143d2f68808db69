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
const FAT_TRANSFER: &str = include_str!("../assets/protocols/adipose-fat-transfer-face.ron");
const MICRONEEDLING: &str = include_str!("../assets/protocols/microneedling-prp-prf-face.ron");
const SECRETOME_SKIN: &str = include_str!("../assets/protocols/secretome-skin.ron");
const BMAC_HAIR: &str = include_str!("../assets/protocols/bmac-hair.ron");

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
    let text = STRETCH_MARKS.replacen("days_before: 28,", "days_before: -3,", 1);
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
    // Microneedling refuses keloids and recent isotretinoin: the clinic's file says so with
    // rules for that delivery, which the check accepts.
    let text = STRETCH_MARKS
        .replace(
            "id: \"adipose-stretch-marks\"",
            "id: \"clinic-adipose-striae-microneedling\"",
        )
        .replace(
            "modalities: [\"injection\"]",
            "modalities: [\"microneedling\"]",
        )
        .replace(
            "(factor: \"keloid-tendency\", severity: \"caution\",",
            "(factor: \"keloid-tendency\", severity: \"contraindicated\", modalities: [\"microneedling\"],",
        )
        .replace(
            "(factor: \"recent-isotretinoin\", severity: \"caution\",",
            "(factor: \"recent-isotretinoin\", severity: \"contraindicated\", modalities: [\"microneedling\"],",
        );
    let (ok, report) = check_one(&text);
    assert!(ok, "{report}");
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
    assert_eq!(json["factors"].as_array().unwrap().len(), 22);
    let factors: Vec<&str> = json["factors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|factor| factor["id"].as_str().unwrap())
        .collect();
    for id in [
        "active-cancer",
        "bleeding-disorder",
        "anaesthetic-allergy",
        "herpes-history",
        "complete-tear",
        "trial-enrolled",
    ] {
        assert!(
            factors.contains(&id),
            "{id} is not in the catalog's factors"
        );
    }
    assert_eq!(json["areas"].as_array().unwrap().len(), 12);
    assert!(
        json["protocols"]
            .as_array()
            .unwrap()
            .iter()
            .any(|entry| entry["protocol"]["id"] == "adipose-stretch-marks")
    );
}

/// The first line of `text` that contains `needle`, 1-based.
fn line_with(text: &str, needle: &str) -> usize {
    line_of(text, needle)
}

#[test]
fn microneedling_without_the_keloid_refusal_is_refused() {
    let text = MICRONEEDLING.replace(
        "(factor: \"keloid-tendency\", severity: \"contraindicated\",",
        "(factor: \"keloid-tendency\", severity: \"caution\",",
    );
    expect_problem(
        &text,
        line_with(&text, "factors: ["),
        "microneedling on the face needs a rule marking 'keloid-tendency' contraindicated",
    );
}

#[test]
fn microneedling_without_the_isotretinoin_refusal_is_refused() {
    let start = MICRONEEDLING
        .find("        (factor: \"recent-isotretinoin\"")
        .unwrap();
    let end = MICRONEEDLING[start..].find('\n').unwrap() + start + 1;
    let text = format!("{}{}", &MICRONEEDLING[..start], &MICRONEEDLING[end..]);
    expect_problem(
        &text,
        line_with(&text, "factors: ["),
        "needs a rule marking 'recent-isotretinoin' contraindicated",
    );
}

#[test]
fn a_facial_injection_without_the_vascular_risk_is_refused() {
    let text = FAT_TRANSFER.replace(
        "neurological signs are an emergency.\", hazard: \"vascular-occlusion\"",
        "neurological signs are an emergency.\"",
    );
    expect_problem(
        &text,
        line_with(&text, "risks: ["),
        "fat-grafting on the face needs a risk of injection into a blood vessel",
    );
}

#[test]
fn a_facial_injection_without_the_safe_technique_or_the_emergency_signs_is_refused() {
    let text = FAT_TRANSFER
        .replace(
            "[CF 32, CF 78].\", hazard: \"vascular-occlusion\"",
            "[CF 32, CF 78].\"",
        )
        .replace(
            "until_day: 2, hazard: \"vascular-occlusion\"",
            "until_day: 2",
        );
    let (ok, report) = check_one(&text);
    assert!(!ok, "{report}");
    assert!(report.contains("needs a safe-technique step"), "{report}");
    assert!(
        report.contains("needs an emergency instruction"),
        "{report}"
    );
}

#[test]
fn repeat_harvests_under_three_months_apart_are_refused() {
    let text = STRETCH_MARKS
        .replace("spacing_days: 90,", "spacing_days: 28,")
        .replace(
            "spacing_range_days: (min: 90, max: 180)",
            "spacing_range_days: (min: 21, max: 42)",
        );
    expect_problem(
        &text,
        line_with(&text, "spacing_range_days:"),
        "tissue is harvested again as soon as 21 days after the last harvest; leave at least 90 days",
    );
}

#[test]
fn one_harvest_kept_for_later_sessions_passes_whatever_the_spacing() {
    // A protocol that harvests at session 1 only and keeps the product may space its
    // sessions weeks apart: the secretome protocols do.
    let (ok, report) = check_one(SECRETOME_SKIN);
    assert!(ok, "{report}");
}

#[test]
fn a_trial_only_protocol_without_the_trial_rule_is_refused() {
    let start = SECRETOME_SKIN.find("    trial_enrolled: (").unwrap();
    let end = SECRETOME_SKIN[start..].find("\n    ),\n").unwrap() + start + "\n    ),\n".len();
    let text = format!("{}{}", &SECRETOME_SKIN[..start], &SECRETOME_SKIN[end..]);
    expect_problem(
        &text,
        line_with(&text, "access: \"trial-only\""),
        "trial-only in a jurisdiction but has no trial_enrolled rule",
    );
}

#[test]
fn a_regulatory_note_that_does_not_say_the_access_is_refused() {
    let text = STRETCH_MARKS.replacen("access: \"routine\", ", "", 1);
    expect_problem(
        &text,
        line_with(&text, "(jurisdiction: \"us\""),
        "the US note does not say whether the protocol may be offered in routine practice there",
    );
}

#[test]
fn a_restricted_protocol_routine_somewhere_is_refused() {
    let text = SECRETOME_SKIN
        .replace("status: \"investigational\"", "status: \"restricted\"")
        .replacen("access: \"trial-only\"", "access: \"routine\"", 1);
    let (ok, report) = check_one(&text);
    assert!(!ok, "{report}");
    assert!(
        report.contains("a restricted protocol must be trial-only in every jurisdiction"),
        "{report}"
    );
}

#[test]
fn a_text_with_an_internal_reference_key_is_refused() {
    let text = STRETCH_MARKS.replace(
        "Works best on mild, recent marks;",
        "Works best on mild, recent marks, as seed 004 says;",
    );
    expect_problem(
        &text,
        line_with(&text, "as seed 004 says"),
        "a reader would see the internal reference key",
    );
}

#[test]
fn a_citation_of_a_source_the_file_lacks_is_refused() {
    let text = STRETCH_MARKS.replace(
        "no randomised trial of adipose",
        "no randomised trial [CF 99] of adipose",
    );
    expect_problem(
        &text,
        line_with(&text, "[CF 99]"),
        "'CF 99' is cited but no source has that key",
    );
}

#[test]
fn an_alternative_the_screening_forbids_is_refused() {
    let text = STRETCH_MARKS.replace(
        "at lower cost and risk.\", excluded_by: [\"keloid-tendency\", \"recent-isotretinoin\", \"pregnancy\", \"anticoagulants\", \"bleeding-disorder\"]",
        "at lower cost and risk.\"",
    );
    expect_problem(
        &text,
        line_with(&text, "(name: \"Microneedling alone\""),
        "the alternative 'Microneedling alone' would be offered to patients the same screening rules out of it; add excluded_by: [\"anticoagulants\", \"bleeding-disorder\", \"pregnancy\", \"keloid-tendency\", \"recent-isotretinoin\"]",
    );
}

#[test]
fn a_task_about_blood_thinners_outside_their_rule_is_refused() {
    let text = STRETCH_MARKS.replace(
        "Stop supplements that raise bleeding risk (fish oil, vitamin E, ginkgo) to reduce bruising",
        "Stop supplements and, with the prescriber's agreement, blood thinners",
    );
    expect_problem(
        &text,
        line_with(&text, "blood thinners [CF"),
        "a task about blood thinners belongs in the action of the 'anticoagulants' rule",
    );
}

#[test]
fn advice_to_bridge_a_blood_thinner_is_refused() {
    let text = STRETCH_MARKS.replace(
        "Ask the doctor who prescribes your blood thinner whether it can be paused",
        "Pause or bridge the blood thinner, then ask whether it can be paused",
    );
    let (ok, report) = check_one(&text);
    assert!(!ok, "{report}");
    assert!(
        report.contains("advises bridging a blood thinner"),
        "{report}"
    );
}

#[test]
fn two_rules_for_one_factor_on_the_same_delivery_are_refused() {
    let text = STRETCH_MARKS.replace(
        "(factor: \"keloid-tendency\", severity: \"caution\",",
        "(factor: \"keloid-tendency\", severity: \"contraindicated\", reason: \"A second rule.\"),\n        (factor: \"keloid-tendency\", severity: \"caution\",",
    );
    let (ok, report) = check_one(&text);
    assert!(!ok, "{report}");
    assert!(
        report.contains("factor 'keloid-tendency' has two rules for injection"),
        "{report}"
    );
}

#[test]
fn a_tumescent_step_without_a_dose_limit_is_refused() {
    let text = STRETCH_MARKS.replace(
        ", dose_limit: (drug: \"lidocaine with adrenaline at the donor site\", technique: \"tumescent\", adrenaline: true, mg_per_kg: 35, max_mg: 2800)",
        "",
    );
    expect_problem(
        &text,
        line_with(&text, "Tumescent local anaesthesia of the donor site"),
        "a step that injects a local anaesthetic must state the maximum dose by weight",
    );
}

/// The tumescent step of the facial fat transfer, as the catalog ships it.
const TUMESCENT: &str = "dose_limit: (drug: \"lidocaine with adrenaline at the donor site\", technique: \"tumescent\", adrenaline: true, mg_per_kg: 35, max_mg: 2800)";

#[test]
fn a_tumescent_limit_that_also_covers_facial_blocks_is_refused() {
    // The file the second review found: the facial blocks under the 35 mg/kg of the
    // dilute tumescent solution.
    let text = FAT_TRANSFER.replacen(
        "with sedation if planned [CF 79].\", dose_limit: (drug: \"lidocaine with adrenaline at the donor site\"",
        "with sedation if planned; local anaesthesia or nerve blocks for the face [CF 79].\", dose_limit: (drug: \"lidocaine with adrenaline in tumescent solution, facial blocks included\"",
        1,
    );
    assert_ne!(text, FAT_TRANSFER);
    expect_problem(
        &text,
        line_with(&text, "facial blocks included"),
        "the tumescent limit (35 mg/kg) covers only the dilute solution at the donor site, but this step also names 'block'",
    );
}

#[test]
fn a_block_limit_above_the_label_or_without_a_cap_is_refused() {
    let block = "technique: \"nerve-block\", adrenaline: true, mg_per_kg: 7, max_mg: 500";
    assert!(FAT_TRANSFER.contains(block));
    let above = FAT_TRANSFER.replace(
        block,
        "technique: \"nerve-block\", adrenaline: true, mg_per_kg: 35, max_mg: 500",
    );
    expect_problem(
        &above,
        line_with(&above, "mg_per_kg: 35, max_mg: 500"),
        "35 mg/kg of lidocaine with adrenaline by nerve or ring block is above the published maximum of 7 mg/kg",
    );
    let uncapped = FAT_TRANSFER.replace(
        block,
        "technique: \"nerve-block\", adrenaline: true, mg_per_kg: 7",
    );
    expect_problem(
        &uncapped,
        line_with(&uncapped, "for the facial blocks and infiltration"),
        "has no absolute cap: add max_mg (at most 500 mg for nerve or ring block with adrenaline)",
    );
    let plain = FAT_TRANSFER.replace(
        block,
        "technique: \"nerve-block\", adrenaline: false, mg_per_kg: 7, max_mg: 500",
    );
    let (ok, report) = check_one(&plain);
    assert!(!ok, "{report}");
    assert!(
        report.contains("7 mg/kg of lidocaine without adrenaline by nerve or ring block is above the published maximum of 4.5 mg/kg")
            && report.contains("a cap of 500 mg for nerve or ring block without adrenaline is above the published 300 mg"),
        "{report}"
    );
}

#[test]
fn a_tumescent_limit_without_a_cap_or_a_technique_is_refused() {
    let uncapped = FAT_TRANSFER.replace(TUMESCENT, &TUMESCENT.replace(", max_mg: 2800", ""));
    expect_problem(
        &uncapped,
        line_with(&uncapped, "technique: \"tumescent\""),
        "has no absolute cap: add max_mg (at most 2800 mg for tumescent infiltration with adrenaline)",
    );
    let unsaid = FAT_TRANSFER.replace(
        TUMESCENT,
        "dose_limit: (drug: \"lidocaine with adrenaline at the donor site\", mg_per_kg: 35, max_mg: 2800)",
    );
    expect_problem(
        &unsaid,
        line_with(&unsaid, "mg_per_kg: 35, max_mg: 2800"),
        "must say its technique",
    );
}

#[test]
fn a_harvest_without_the_bleeding_disorder_refusal_is_refused() {
    let start = STRETCH_MARKS
        .find("        (factor: \"bleeding-disorder\"")
        .unwrap();
    let end = STRETCH_MARKS[start..].find('\n').unwrap() + start + 1;
    let text = format!("{}{}", &STRETCH_MARKS[..start], &STRETCH_MARKS[end..]);
    expect_problem(
        &text,
        line_with(&text, "factors: ["),
        "a protocol with a harvest must mark 'bleeding-disorder' contraindicated",
    );
}

#[test]
fn a_patient_task_written_about_the_patient_is_refused() {
    let text = STRETCH_MARKS.replace(
        "Drink plenty of water in the days before treatment.",
        "Ask the patient to drink plenty of water.",
    );
    expect_problem(
        &text,
        line_with(&text, "Ask the patient to drink"),
        "is read by the patient: write it to them",
    );
}

#[test]
fn a_protocol_trial_only_in_one_jurisdiction_follows_the_desk_jurisdiction() {
    // The clinic's copy of the marrow protocol for hair is routine in the EU (say a
    // national authorisation) and trial-only in the US; marrow concentrate is not a
    // product that is trial-only by what it is, so the check accepts it.
    let eu_at = BMAC_HAIR
        .find("(jurisdiction: \"eu\", access: \"trial-only\"")
        .unwrap();
    let text = format!(
        "{}{}",
        &BMAC_HAIR[..eu_at],
        BMAC_HAIR[eu_at..].replacen("access: \"trial-only\"", "access: \"routine\"", 1)
    );
    let (ok, report) = check_one(&text);
    assert!(ok, "{report}");
    let config = tempfile::tempdir().unwrap();
    clinic_file(config.path(), "bmac-hair.ron", &text);
    let plan = |jurisdiction: Option<&str>| {
        let mut args = vec![
            "plan",
            "--modality",
            "injection",
            "--source",
            "autologous-bone-marrow",
            "--area",
            "scalp",
            "--indication",
            "androgenetic-alopecia",
            "--start",
            "2027-01-18",
            "--weight-kg",
            "65",
            "--format",
            "json",
        ];
        if let Some(jurisdiction) = jurisdiction {
            args.extend_from_slice(&["--jurisdiction", jurisdiction]);
        }
        let output = regen(config.path(), &args);
        assert!(output.status.success(), "{}", stderr(&output));
        serde_json::from_str::<serde_json::Value>(&stdout(&output)).unwrap()
    };
    let restricted = |json: &serde_json::Value| {
        json["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|warning| warning["severity"] == "restricted")
    };
    let eu = plan(Some("eu"));
    assert_eq!(eu["candidate"], true, "{eu}");
    assert!(!restricted(&eu));
    assert!(!eu["sessions"].as_array().unwrap().is_empty());
    for json in [plan(Some("us")), plan(None)] {
        assert_eq!(json["candidate"], false, "{json}");
        assert!(restricted(&json), "{json}");
        assert!(json["sessions"].as_array().unwrap().is_empty());
    }
    // Without the flag, the desk's setting decides.
    regen_planner::store::Settings {
        jurisdiction: Some(regen_planner::catalog::Jurisdiction::Eu),
        ..regen_planner::store::Settings::default()
    }
    .save(config.path())
    .unwrap();
    assert_eq!(plan(None)["candidate"], true);
}

#[test]
fn an_exosome_protocol_labelled_routine_is_refused() {
    // The second review's file: the secretome protocol under its own id, access
    // "routine" everywhere and no trial rule. What it delivers makes it trial-only.
    let start = SECRETOME_SKIN.find("    trial_enrolled: (").unwrap();
    let end = SECRETOME_SKIN[start..].find("\n    ),\n").unwrap() + start + "\n    ),\n".len();
    let text = format!("{}{}", &SECRETOME_SKIN[..start], &SECRETOME_SKIN[end..])
        .replace("access: \"trial-only\"", "access: \"routine\"");
    let (ok, report) = check_one(&text);
    assert!(!ok, "{report}");
    assert!(
        report.contains("the protocol delivers a cultured secretome or exosome product, which the law allows only within a registered trial, an IND or a hospital exemption, but the US note labels it routine"),
        "{report}"
    );
    assert!(report.contains("has no trial_enrolled rule"), "{report}");
}

#[test]
fn isolated_adipose_cells_labelled_routine_are_refused() {
    const CELLS_FACE: &str = include_str!("../assets/protocols/adipose-cells-face.ron");
    let text = CELLS_FACE.replace("access: \"trial-only\"", "access: \"routine\"");
    let (ok, report) = check_one(&text);
    assert!(!ok, "{report}");
    assert!(
        report.contains("the protocol delivers adipose cells isolated by enzymes, culture or as the stromal vascular fraction"),
        "{report}"
    );
}

#[test]
fn a_task_that_does_not_end_its_sentence_is_refused() {
    let text = STRETCH_MARKS.replacen(
        "Drink plenty of water in the days before treatment.",
        "Drink plenty of water in the days before treatment",
        1,
    );
    expect_problem(
        &text,
        line_with(&text, "Drink plenty of water"),
        "'…r in the days before treatment' does not end its sentence: end it with a full stop",
    );
}

#[test]
fn catalog_check_also_checks_the_clinic_s_scale_folder() {
    let config = tempfile::tempdir().unwrap();
    let scales = config.path().join("protocols").join("scales");
    std::fs::create_dir_all(&scales).unwrap();
    let good = include_str!("../assets/scales/vas-pain.ron")
        .replace("\"vas-pain\"", "\"nrs-pain\"")
        .replace("short_name: \"VAS pain\"", "short_name: \"NRS pain\"");
    std::fs::write(scales.join("nrs-pain.ron"), &good).unwrap();
    let dir = config.path().join("protocols");
    let output = regen(config.path(), &["catalog", "check", dir.to_str().unwrap()]);
    assert!(output.status.success(), "{}", stdout(&output));
    assert!(
        stdout(&output).contains("1 outcome scale file(s) in"),
        "{}",
        stdout(&output)
    );
    let listed = regen(config.path(), &["catalog", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&stdout(&listed)).unwrap();
    let added = json["scales"]
        .as_array()
        .unwrap()
        .iter()
        .find(|scale| scale["id"] == "nrs-pain")
        .unwrap();
    assert_eq!(added["origin"]["kind"], "addition");

    let broken = good.replace("max: 10.0", "max: 0.0");
    std::fs::write(scales.join("nrs-pain.ron"), &broken).unwrap();
    let output = regen(config.path(), &["catalog", "check", dir.to_str().unwrap()]);
    assert!(!output.status.success());
    let line = line_of(&broken, "range:");
    assert!(
        stdout(&output)
            .lines()
            .any(|row| row.contains(&format!("nrs-pain.ron:{line}:"))
                && row.contains("the range must run from a lower to a higher number")),
        "{}",
        stdout(&output)
    );
    let listed = regen(config.path(), &["catalog", "--format", "json"]);
    assert!(stderr(&listed).contains("the built-in outcome scales are used"));
}

const ADIPOSE_SCARS: &str = include_str!("../assets/protocols/adipose-scars.ron");
const BMAC_JOINT: &str = include_str!("../assets/protocols/bmac-joint.ron");

#[test]
fn microneedling_offered_to_a_patient_on_blood_thinners_is_refused() {
    // The second review's case: "Microneedling alone" excluded only by keloids,
    // isotretinoin and pregnancy, though microneedling refuses blood thinners too.
    let text = SECRETOME_SKIN.replacen("\"anticoagulants\", \"bleeding-disorder\"]),", "]),", 1);
    assert_ne!(text, SECRETOME_SKIN);
    let (ok, report) = check_one(&text);
    assert!(!ok, "{report}");
    assert!(
        report.contains("would be offered to patients the same screening rules out of it; add excluded_by: [\"anticoagulants\", \"bleeding-disorder\"]"),
        "{report}"
    );
}

#[test]
fn an_alternative_offered_outside_its_area_is_refused() {
    // A facial filler offered for a scar on the thigh.
    let text = ADIPOSE_SCARS.replace(
        "temporary.\", excluded_by: [\"pregnancy\"], areas: [\"face\", \"neck\"]),",
        "temporary.\", excluded_by: [\"pregnancy\"]),",
    );
    assert_ne!(text, ADIPOSE_SCARS);
    expect_problem(
        &text,
        line_with(&text, "(name: \"Hyaluronic acid filler\""),
        "the alternative 'Hyaluronic acid filler' would be offered for abdomen, thighs, hips, breasts, upper-arms, where it does not apply; give it areas: [\"face\", \"neck\"]",
    );
}

#[test]
fn an_alternative_that_repeats_others_is_refused() {
    let text = BMAC_JOINT.replace(
        "alternative: (name: \"Corticosteroid injection\", comparison: \"A joint injection",
        "alternative: (name: \"Corticosteroid or hyaluronic acid injection\", comparison: \"A joint injection",
    );
    assert_ne!(text, BMAC_JOINT);
    expect_problem(
        &text,
        line_with(&text, "Corticosteroid or hyaluronic acid injection"),
        "the alternative 'Corticosteroid or hyaluronic acid injection' repeats 'Corticosteroid injection' and 'Hyaluronic acid injection'",
    );
}

#[test]
fn a_risk_that_orders_the_clinic_or_an_unexplained_ind_is_refused() {
    let text = SECRETOME_SKIN.replace(
        "Only a lot that a qualified laboratory has tested, released and labelled is used for you.",
        "Use only a released, labelled lot from a qualified laboratory.",
    );
    assert_ne!(text, SECRETOME_SKIN);
    expect_problem(
        &text,
        line_with(&text, "Use only a released"),
        "tells the clinic what to do ('Use only a released, labelled lot from a qualified laboratory')",
    );
    let text = SECRETOME_SKIN.replace(
        "IND (the FDA's permission to study an unapproved product)",
        "IND",
    );
    let (ok, report) = check_one(&text);
    assert!(!ok, "{report}");
    assert!(
        report.contains("speaks of an IND to the patient without saying what it is"),
        "{report}"
    );
}

#[test]
fn a_referral_written_about_the_patient_is_refused() {
    let text = SECRETOME_SKIN.replacen(
        "Your physician can help you find a registered trial",
        "Search with the patient for a registered trial",
        1,
    );
    assert_ne!(text, SECRETOME_SKIN);
    expect_problem(
        &text,
        line_with(&text, "Search with the patient"),
        "is read by the patient: write it to them",
    );
}

const PRP_JOINT: &str = include_str!("../assets/protocols/prp-joint.ron");

#[test]
fn a_blood_thinner_action_that_decides_for_the_prescriber_is_refused() {
    let text = PRP_JOINT.replace(
        "Ask the doctor who prescribes your blood thinner whether to keep taking it for the injections: that doctor decides, and",
        "Do not stop the blood thinner for this treatment: its prescriber decides, and",
    );
    expect_problem(
        &text,
        line_of(&text, "Do not stop the blood thinner for this treatment"),
        "its first sentence must leave the decision to the prescriber",
    );
}

const SECRETOME_IV: &str = include_str!("../assets/protocols/secretome-intravenous.ron");

/// The text without the first line that holds `needle`.
fn without_line(text: &str, needle: &str) -> String {
    let start = text.find(needle).unwrap();
    let start = text[..start].rfind('\n').map_or(0, |at| at + 1);
    let end = text[start..]
        .find('\n')
        .map_or(text.len(), |at| start + at + 1);
    format!("{}{}", &text[..start], &text[end..])
}

#[test]
fn a_neck_injection_without_the_vascular_risk_is_refused() {
    let text = without_line(
        SECRETOME_SKIN,
        "(name: \"Injection into a blood vessel in the neck",
    );
    expect_problem(
        &text,
        line_of(&text, "    risks: ["),
        "injection on the neck needs a risk of injection into a blood vessel",
    );
    let text = without_line(SECRETOME_SKIN, "text: \"Safe technique in the neck");
    expect_problem(
        &text,
        line_of(&text, "    steps: ["),
        "injection on the neck needs a safe-technique step",
    );
}

#[test]
fn a_prp_adjunct_without_the_blood_count_is_refused() {
    let text = FAT_TRANSFER.replace(
        "Check a blood count (haemoglobin and platelets) from the last three months before blood is drawn for the PRP: haemoglobin under 10 g/dL and platelets under 100,000/µL are relative contraindications to PRP, critical thrombocytopenia an absolute one [CF 21].",
        "Ask about bruising before blood is drawn for the PRP.",
    );
    expect_problem(
        &text,
        line_of(&text, "source: \"autologous-prp\""),
        "a PRP adjunct must bring a pre_procedure task that checks haemoglobin and the platelet count",
    );
}

#[test]
fn hair_thinning_without_the_work_up_of_reversible_causes_is_refused() {
    let text = without_line(
        SECRETOME_IV,
        "(text: \"Exclude reversible causes of hair loss",
    );
    expect_problem(
        &text,
        line_of(&text, "    pre_procedure: ["),
        "hair thinning is treated (intravenous on the scalp) without a task to exclude its reversible causes first",
    );
}

#[test]
fn a_harvest_without_a_dated_smoking_stop_is_refused() {
    let text = SECRETOME_SKIN.replace(
        "until the donor site has healed [Mills 2011]; stopping for good helps the skin too.\", days_before: 28)",
        "until the donor site has healed [Mills 2011]; stopping for good helps the skin too.\")",
    );
    expect_problem(
        &text,
        line_of(&text, "    factors: ["),
        "tissue is harvested, so a 'smoker' rule must ask the patient to stop smoking by a date before the harvest",
    );
}

#[test]
fn a_joint_protocol_without_its_skin_condition_rule_is_refused() {
    let text = without_line(PRP_JOINT, "(factor: \"skin-condition\"");
    expect_problem(
        &text,
        line_of(&text, "    factors: ["),
        "factor 'skin-condition' has no rule for injection on the knee, injection on the shoulder, injection on the elbow; screening always asks it",
    );
}

#[test]
fn a_factor_that_bears_on_the_treatment_marked_not_relevant_is_refused() {
    let start = PRP_JOINT.find("(factor: \"skin-condition\"").unwrap();
    let end = start + PRP_JOINT[start..].find('\n').unwrap();
    let text = format!(
        "{}(factor: \"skin-condition\", severity: \"not-relevant\", reason: \"Skin plays no part.\"),{}",
        &PRP_JOINT[..start],
        &PRP_JOINT[end..]
    );
    expect_problem(
        &text,
        line_of(
            &text,
            "severity: \"not-relevant\", reason: \"Skin plays no part.",
        ),
        "factor 'skin-condition' is marked not relevant for injection on the knee, but it bears on the treatment",
    );
    // Smoking bears on every harvest.
    let start = SECRETOME_SKIN.find("(factor: \"smoker\"").unwrap();
    let end = start + SECRETOME_SKIN[start..].find('\n').unwrap();
    let text = format!(
        "{}(factor: \"smoker\", severity: \"not-relevant\", reason: \"Smoking plays no part.\"),{}",
        &SECRETOME_SKIN[..start],
        &SECRETOME_SKIN[end..]
    );
    expect_problem(
        &text,
        line_of(&text, "reason: \"Smoking plays no part."),
        "factor 'smoker' is marked not relevant for injection on the face, but it bears on the treatment (tissue is harvested",
    );
}

#[test]
fn a_not_relevant_rule_with_something_to_do_is_refused() {
    let text = PRP_JOINT.replace(
        "reason: \"Whether hair follicles remain plays no part in a treatment that is not for hair loss.\")",
        "reason: \"Whether hair follicles remain plays no part in a treatment that is not for hair loss.\", action: (text: \"Check the scalp.\"))",
    );
    expect_problem(
        &text,
        line_of(&text, "action: (text: \"Check the scalp.\")"),
        "factor 'no-living-follicles' is marked not relevant but has an action or an alternative",
    );
}

#[test]
fn a_follow_up_naming_an_unknown_scale_is_refused_with_the_protocol_and_the_visit() {
    use regen_planner::catalog::{Catalog, ProtocolFile, builtin_files};
    let text = STRETCH_MARKS.replacen(
        "scales: [\"posas-patient\"",
        "scales: [\"posas-patiant\"",
        1,
    );
    let file = ProtocolFile {
        name: "clinic.ron".to_owned(),
        text: text.clone(),
    };
    let (catalog, problems) = Catalog::load(&builtin_files(), &[file]);
    assert_eq!(problems.len(), 1, "{problems:?}");
    let problem = &problems[0];
    assert_eq!(problem.line, line_of(&text, "posas-patiant"));
    assert!(
        problem.message.starts_with(
            "protocol 'adipose-stretch-marks', follow-up 'One-month review': the outcome scale 'posas-patiant' is not in the catalog; name one of dash, "
        ),
        "{problem}"
    );
    // The built-in protocol stays in use, with its own scales.
    let kept = catalog
        .protocols()
        .find(|protocol| protocol.id.as_str() == "adipose-stretch-marks")
        .unwrap();
    assert!(
        kept.follow_ups[1]
            .scales
            .iter()
            .any(|scale| scale.id().as_str() == "posas-patient")
    );
    // The command line's check says the same.
    expect_problem(
        &text,
        line_of(&text, "posas-patiant"),
        "the outcome scale 'posas-patiant' is not in the catalog",
    );
}

#[test]
fn a_clinic_file_written_before_scales_had_ids_still_loads_and_scores_by_name() {
    use regen_planner::catalog::{Catalog, ProtocolFile, builtin_files};
    use regen_planner::planning::{PlanRequest, generate, visit_scales};
    // As such a file was written: the scales in the words of its assessments.
    let mut text = String::new();
    for line in STRETCH_MARKS.lines() {
        match line.find(", scales: [") {
            Some(start) if line.trim_start().starts_with("(purpose:") => {
                let named = line[..start].replacen(
                    "assessments: [",
                    "assessments: [\"POSAS (Patient and Observer Scar Assessment Scale)\", ",
                    1,
                );
                text.push_str(&named);
                text.push_str("),");
            }
            _ => text.push_str(line),
        }
        text.push('\n');
    }
    assert!(!text.contains("scales: ["));
    let (catalog, problems) = Catalog::load(
        &builtin_files(),
        &[ProtocolFile {
            name: "clinic.ron".to_owned(),
            text,
        }],
    );
    assert!(problems.is_empty(), "{problems:?}");
    let selection = regen_planner::catalog::Selection {
        modality: regen_planner::catalog::Modality::Injection,
        source: regen_planner::catalog::CellSource::AutologousAdipose,
        area: regen_planner::catalog::Area::Abdomen,
        indication: regen_planner::catalog::Indication::StretchMarks,
        adjuncts: Vec::new(),
    };
    let plan = generate(
        &catalog,
        &PlanRequest::new(
            selection,
            std::collections::BTreeSet::default(),
            "2027-03-01".parse().unwrap(),
        ),
    )
    .unwrap();
    let visit = plan
        .follow_ups
        .iter()
        .find(|visit| visit.purpose == "One-month review")
        .unwrap();
    assert!(visit.scales.is_empty());
    let ids: Vec<&str> = visit_scales(catalog.scales(), visit)
        .iter()
        .map(|scale| scale.id.as_str())
        .collect();
    assert_eq!(ids, ["posas-observer", "posas-patient"]);
}

#[test]
fn a_scale_kept_to_an_area_the_protocol_does_not_cover_is_refused() {
    use regen_planner::catalog::{Catalog, ProtocolFile, builtin_files};
    let text = STRETCH_MARKS.replacen(
        "scales: [\"posas-patient\"",
        "scales: [(id: \"womac\", areas: [\"knee\"]), \"posas-patient\"",
        1,
    );
    let (_, problems) = Catalog::load(
        &builtin_files(),
        &[ProtocolFile {
            name: "clinic.ron".to_owned(),
            text: text.clone(),
        }],
    );
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].line, line_of(&text, "\"womac\""));
    assert_eq!(
        problems[0].message,
        "follow-up 'One-month review' keeps the scale 'womac' to the area 'knee', which the protocol does not cover"
    );
}

#[test]
fn the_catalog_json_names_each_follow_ups_scales_by_id() {
    use regen_planner::catalog::Catalog;
    let (catalog, _) = Catalog::builtin();
    let json: serde_json::Value =
        serde_json::from_str(&regen_planner::export::catalog_json(&catalog).unwrap()).unwrap();
    let joint = json["protocols"]
        .as_array()
        .unwrap()
        .iter()
        .find(|entry| entry["protocol"]["id"] == "prp-joint")
        .unwrap();
    assert_eq!(
        joint["protocol"]["follow_ups"][0]["scales"],
        serde_json::json!([
            "vas-pain",
            { "id": "womac", "areas": ["knee"] },
            { "id": "koos", "areas": ["knee"] },
            { "id": "ikdc", "areas": ["knee"] },
            { "id": "dash", "areas": ["shoulder", "elbow"] },
        ])
    );
}
