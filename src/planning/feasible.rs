//! Whether a plan's preparation still fits before its first session: a start chosen too
//! soon puts tasks (pausing a medicine, a blood test) on days already past.

use jiff::civil::Date;

use super::plan::Plan;
use super::schedule::ClinicOptions;

/// When a preparation task of the plan would be due before `today`: the first start
/// date on a day the clinic is open that leaves time for every task. `None` when the plan's start
/// leaves time for all of them (or it has none).
#[must_use]
pub fn earliest_feasible_start(
    plan: &Plan,
    start: Date,
    today: Date,
    clinic: &ClinicOptions,
) -> Option<Date> {
    let earliest_due = plan.pre_procedure.iter().map(|task| task.due).min()?;
    if earliest_due >= today {
        return None;
    }
    let mut candidate = start.checked_add(today - earliest_due).ok()?;
    for _ in 0..clinic.open_day_search_limit() {
        if clinic.is_open(candidate) {
            return Some(candidate);
        }
        candidate = candidate.tomorrow().ok()?;
    }
    Some(candidate)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::catalog::{Area, Catalog, CellSource, Indication, Modality, Selection};
    use crate::planning::{PlanRequest, Weekday, WorkingDays, generate};

    /// The README's stretch-marks plan (its preparation starts weeks before the first
    /// session) starting on `start`.
    fn plan_from(start: &str) -> Plan {
        let (catalog, _) = Catalog::builtin();
        let selection = Selection {
            modality: Modality::Injection,
            source: CellSource::AutologousAdipose,
            area: Area::Abdomen,
            indication: Indication::StretchMarks,
            adjuncts: Vec::new(),
        };
        let request = PlanRequest::new(selection, BTreeSet::new(), start.parse().unwrap());
        generate(&catalog, &request).unwrap()
    }

    fn check(start: &str, today: &str, days: &[Weekday], expected: Option<&str>) {
        let plan = plan_from(start);
        let start: Date = start.parse().unwrap();
        let today: Date = today.parse().unwrap();
        let clinic = ClinicOptions {
            working_days: WorkingDays::new(days.iter().copied()),
            ..ClinicOptions::default()
        };
        let earliest = earliest_feasible_start(&plan, start, today, &clinic);
        assert_eq!(
            earliest,
            expected.map(|day| day.parse().unwrap()),
            "start {start}, today {today}"
        );
        if let Some(earliest) = earliest {
            assert!(clinic.is_open(earliest), "{earliest} is a working day");
            let moved = plan_from(&earliest.to_string());
            assert!(
                moved.pre_procedure.iter().all(|task| task.due >= today),
                "from {earliest} every task is due on or after {today}"
            );
        }
    }

    #[test]
    fn a_start_that_leaves_time_for_the_preparation_needs_no_other() {
        let plan = plan_from("2027-01-18");
        let first_due = plan
            .pre_procedure
            .iter()
            .map(|task| task.due)
            .min()
            .unwrap();
        check("2027-01-18", &first_due.to_string(), Weekday::ALL, None);
        check("2027-01-18", "2026-06-01", Weekday::ALL, None);
    }

    #[test]
    fn a_start_too_soon_moves_by_the_days_lost_onto_a_working_day() {
        let plan = plan_from("2027-01-18");
        let first_due = plan
            .pre_procedure
            .iter()
            .map(|task| task.due)
            .min()
            .unwrap();
        // Three days late: the start moves three days, Monday to Thursday.
        let today = first_due.checked_add(jiff::Span::new().days(3)).unwrap();
        check(
            "2027-01-18",
            &today.to_string(),
            Weekday::ALL,
            Some("2027-01-21"),
        );
        // Five days late, on a clinic open Monday to Friday: Saturday becomes Monday.
        let today = first_due.checked_add(jiff::Span::new().days(5)).unwrap();
        let weekdays = &Weekday::ALL[..5];
        check(
            "2027-01-18",
            &today.to_string(),
            weekdays,
            Some("2027-01-25"),
        );
    }
}
