//! The command line plans with the desk's settings, like the window does.

#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on anything unexpected"
)]

use std::process::Command;

use regen_planner::planning::{Weekday, WorkingDays};
use regen_planner::store::Settings;

fn plan_json(config: &std::path::Path, extra: &[&str]) -> serde_json::Value {
    let data = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_regen-planner"))
        .args([
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
            "2027-01-16",
            "--format",
            "json",
        ])
        .args(extra)
        .env("REGEN_PLANNER_CONFIG_DIR", config)
        .env("REGEN_PLANNER_DATA_DIR", data.path())
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

#[test]
fn a_clinic_open_on_saturdays_in_its_settings_keeps_a_saturday_session() {
    let config = tempfile::tempdir().unwrap();
    let settings = Settings {
        working_days: WorkingDays::new([Weekday::Tuesday, Weekday::Wednesday, Weekday::Saturday]),
        ..Settings::default()
    };
    settings.save(config.path()).unwrap();
    let plan = plan_json(config.path(), &[]);
    assert_eq!(
        plan["sessions"][0]["date"], "2027-01-16",
        "Saturday 16 January stays"
    );

    // An explicit --working-days wins over the settings.
    let plan = plan_json(config.path(), &["--working-days", "monday"]);
    assert_eq!(plan["sessions"][0]["date"], "2027-01-18");
}

#[test]
fn without_settings_the_clinic_is_open_monday_to_friday() {
    let config = tempfile::tempdir().unwrap();
    let plan = plan_json(config.path(), &[]);
    assert_eq!(
        plan["sessions"][0]["date"], "2027-01-18",
        "Saturday moves to Monday"
    );
}
