//! The command line plans with the desk's settings, like the window does.

#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on anything unexpected"
)]

use regen_planner::planning::{Weekday, WorkingDays};
use regen_planner::store::Settings;

mod common;

fn plan_json(config: &std::path::Path, extra: &[&str]) -> serde_json::Value {
    let data = tempfile::tempdir().unwrap();
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
        "2027-01-16",
        "--format",
        "json",
    ];
    args.extend_from_slice(extra);
    let output = common::regen(data.path(), config, &args);
    assert!(output.status.success(), "{}", common::stderr(&output));
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
