//! The clinic's calendar beyond its weekly opening days: dates it is closed (public
//! holidays, leave), and how a date that falls on a closed day is said to have moved.
//! Sessions and follow-up visits never fall on a closed day.

use std::collections::BTreeSet;

use jiff::civil::Date;

use super::schedule::{ClinicOptions, Weekday};

impl ClinicOptions {
    /// Whether the clinic is open on that date: an opening day of the week that is not
    /// one of its closed dates.
    #[must_use]
    pub fn is_open(&self, date: Date) -> bool {
        self.working_days.is_open(date) && !self.closed_dates.contains(&date)
    }

    /// The date itself when the clinic is open then, else the next open day; `None`
    /// when the clinic is open on no day of the week (or the calendar ends).
    #[must_use]
    pub fn next_open_day(&self, date: Date) -> Option<Date> {
        let mut day = date;
        for _ in 0..self.open_day_search_limit() {
            if self.is_open(day) {
                return Some(day);
            }
            day = day.tomorrow().ok()?;
        }
        None
    }

    /// How many days in a row can be searched for an open day before it is certain
    /// that there is none: a week, plus one for each closed date.
    #[must_use]
    pub fn open_day_search_limit(&self) -> usize {
        7 + self.closed_dates.len()
    }
}

/// Reads closed dates written as `YYYY-MM-DD`, separated by commas, spaces or new
/// lines, into a set (order and repeats do not matter).
///
/// # Errors
/// The first piece that is not a date, in a sentence that says the expected format.
pub fn parse_closed_dates(text: &str) -> Result<BTreeSet<Date>, String> {
    text.split(|c: char| c == ',' || c == ';' || c.is_whitespace())
        .filter(|piece| !piece.is_empty())
        .map(|piece| {
            piece.parse::<Date>().map_err(|_| {
                format!("'{piece}' is not a date in the format YYYY-MM-DD (for example 2027-01-01)")
            })
        })
        .collect()
}

/// Closed dates as they are written back: one per line, in order.
#[must_use]
pub fn closed_dates_text(dates: &BTreeSet<Date>) -> String {
    dates
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

/// When a wished date fell on a day the clinic is closed and the plan put it on the next
/// open day, says so: "Saturday 2027-03-06 is closed; moved to Monday 2027-03-08".
/// `None` when the date was kept.
#[must_use]
pub fn moved_off_closed_day(wished: Date, actual: Date, clinic: &ClinicOptions) -> Option<String> {
    if wished == actual || clinic.is_open(wished) {
        return None;
    }
    let why = if clinic.closed_dates.contains(&wished) {
        "the clinic is closed that day"
    } else {
        "not an opening day"
    };
    Some(format!(
        "{} {wished} is closed ({why}); moved to {} {actual}",
        Weekday::of(wished).label(),
        Weekday::of(actual).label()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::planning::WorkingDays;

    fn date(text: &str) -> Date {
        text.parse().unwrap()
    }

    #[test]
    fn closed_dates_are_read_in_any_order_and_separator() {
        let dates = parse_closed_dates("2027-12-25, 2027-01-01\n2027-12-26;2027-01-01").unwrap();
        assert_eq!(
            dates.into_iter().collect::<Vec<_>>(),
            [date("2027-01-01"), date("2027-12-25"), date("2027-12-26")]
        );
        assert_eq!(parse_closed_dates("  ").unwrap().len(), 0);
        let error = parse_closed_dates("2027-01-01, 1 May").unwrap_err();
        assert!(error.starts_with("'1' is not a date"), "{error}");
    }

    #[test]
    fn a_closed_date_or_a_day_off_is_said_where_it_moved() {
        let clinic = ClinicOptions {
            working_days: WorkingDays::default(),
            closed_dates: [date("2027-01-01")].into(),
            ..ClinicOptions::default()
        };
        assert!(!clinic.is_open(date("2027-01-01")), "a Friday, but closed");
        assert!(clinic.is_open(date("2027-01-04")));
        assert_eq!(
            moved_off_closed_day(date("2027-03-06"), date("2027-03-08"), &clinic).as_deref(),
            Some("Saturday 2027-03-06 is closed (not an opening day); moved to Monday 2027-03-08")
        );
        assert_eq!(
            moved_off_closed_day(date("2027-01-01"), date("2027-01-04"), &clinic).as_deref(),
            Some(
                "Friday 2027-01-01 is closed (the clinic is closed that day); moved to Monday 2027-01-04"
            )
        );
        assert_eq!(
            moved_off_closed_day(date("2027-01-04"), date("2027-01-04"), &clinic),
            None
        );
    }
}
