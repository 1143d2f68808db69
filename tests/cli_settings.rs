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

#[test]
fn closed_dates_keep_sessions_and_follow_ups_off_them() {
    let config = tempfile::tempdir().unwrap();
    // Saturday 16 January moves to Monday 18, which is closed, and so is Tuesday 19.
    let plan = plan_json(config.path(), &["--closed", "2027-01-18,2027-01-19"]);
    assert_eq!(plan["sessions"][0]["date"], "2027-01-20");
    let closed = ["2027-01-18", "2027-01-19"];
    let dates = |key: &str| -> Vec<String> {
        plan[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|item| item["date"].as_str().unwrap().to_owned())
            .collect()
    };
    for date in dates("sessions").iter().chain(dates("follow_ups").iter()) {
        assert!(!closed.contains(&date.as_str()), "{date} is closed");
    }

    // The desk's closed dates are used when none are given.
    let settings = Settings {
        closed_dates: ["2027-01-18".parse().unwrap()].into(),
        ..Settings::default()
    };
    settings.save(config.path()).unwrap();
    let plan = plan_json(config.path(), &[]);
    assert_eq!(plan["sessions"][0]["date"], "2027-01-19");
    // A follow-up wished on a closed date moves too: close every day a follow-up of the
    // plan above falls on, and none is planned on them.
    let follow_ups: Vec<String> = plan["follow_ups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|visit| visit["date"].as_str().unwrap().to_owned())
        .collect();
    assert!(!follow_ups.is_empty());
    let closed = follow_ups.join(",");
    let plan = plan_json(config.path(), &["--closed", &closed]);
    for visit in plan["follow_ups"].as_array().unwrap() {
        let date = visit["date"].as_str().unwrap();
        assert!(!follow_ups.iter().any(|closed| closed == date), "{date}");
    }
}
