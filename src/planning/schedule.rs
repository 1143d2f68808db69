//! What the engine is asked for, and the clinic's calendar.

use std::collections::{BTreeMap, BTreeSet};

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::catalog::ids::string_enum;
use crate::catalog::{Factor, Jurisdiction, Selection};

string_enum! {
    /// A day of the week, for the clinic's opening days.
    Weekday, "weekday" {
        /// Monday.
        Monday = "monday", "Monday";
        /// Tuesday.
        Tuesday = "tuesday", "Tuesday";
        /// Wednesday.
        Wednesday = "wednesday", "Wednesday";
        /// Thursday.
        Thursday = "thursday", "Thursday";
        /// Friday.
        Friday = "friday", "Friday";
        /// Saturday.
        Saturday = "saturday", "Saturday";
        /// Sunday.
        Sunday = "sunday", "Sunday";
    }
}

impl Weekday {
    /// The weekday of a date.
    #[must_use]
    pub fn of(date: Date) -> Weekday {
        match date.weekday() {
            jiff::civil::Weekday::Monday => Weekday::Monday,
            jiff::civil::Weekday::Tuesday => Weekday::Tuesday,
            jiff::civil::Weekday::Wednesday => Weekday::Wednesday,
            jiff::civil::Weekday::Thursday => Weekday::Thursday,
            jiff::civil::Weekday::Friday => Weekday::Friday,
            jiff::civil::Weekday::Saturday => Weekday::Saturday,
            jiff::civil::Weekday::Sunday => Weekday::Sunday,
        }
    }
}

/// The days of the week the clinic is open. Sessions and follow-up visits fall only on
/// these days.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct WorkingDays(BTreeSet<Weekday>);

impl WorkingDays {
    /// A clinic open on the given days.
    #[must_use]
    pub fn new(days: impl IntoIterator<Item = Weekday>) -> Self {
        Self(days.into_iter().collect())
    }

    /// Whether the clinic is open on that date.
    #[must_use]
    pub fn is_open(&self, date: Date) -> bool {
        self.0.contains(&Weekday::of(date))
    }

    /// Whether the clinic is open on that weekday.
    #[must_use]
    pub fn contains(&self, day: Weekday) -> bool {
        self.0.contains(&day)
    }

    /// Opens or closes the clinic on a weekday.
    pub fn set(&mut self, day: Weekday, open: bool) {
        if open {
            self.0.insert(day);
        } else {
            self.0.remove(&day);
        }
    }

    /// Whether the clinic is open on no day at all.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The open days, Monday first.
    pub fn days(&self) -> impl Iterator<Item = Weekday> + '_ {
        self.0.iter().copied()
    }
}

impl Default for WorkingDays {
    /// Monday to Friday.
    fn default() -> Self {
        Self::new([
            Weekday::Monday,
            Weekday::Tuesday,
            Weekday::Wednesday,
            Weekday::Thursday,
            Weekday::Friday,
        ])
    }
}

/// The clinic's settings that shape a plan.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ClinicOptions {
    /// The days the clinic is open.
    #[serde(default)]
    pub working_days: WorkingDays,
    /// The jurisdiction whose regulatory notes matter; `None` shows every note.
    #[serde(default)]
    pub jurisdiction: Option<Jurisdiction>,
    /// Dates the clinic is closed although they are opening days (public holidays,
    /// leave).
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub closed_dates: BTreeSet<Date>,
}

/// Everything the engine needs to make a plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanRequest {
    /// The four axes and any adjuncts.
    pub selection: Selection,
    /// The screening answers that were "yes".
    #[serde(default)]
    pub factors: BTreeSet<Factor>,
    /// The wished date of the first session; it moves to the next open day if needed.
    pub start: Date,
    /// How many sessions, when the physician chose other than the protocol's typical
    /// count.
    #[serde(default)]
    pub session_count: Option<u32>,
    /// Sessions the physician moved, by session number (1-based). Later sessions keep
    /// their spacing from a moved one.
    #[serde(default)]
    pub moved_sessions: BTreeMap<u32, Date>,
    /// Sessions that took place, by session number, on the day they took place: a
    /// performed date is kept as it is (even on a day the clinic is closed), and later
    /// sessions keep their spacing from it. Set by recording a session
    /// ([`super::Treatment::record`]); empty for a plan with nothing recorded.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub performed_sessions: BTreeMap<u32, Date>,
    /// The clinic's calendar and jurisdiction.
    #[serde(default)]
    pub options: ClinicOptions,
    /// The patient's weight in whole kilograms, when known: a local anaesthetic dosed
    /// by weight gets its maximum in milligrams.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight_kg: Option<u32>,
}

impl PlanRequest {
    /// A request with the protocol's defaults and a Monday-to-Friday clinic.
    #[must_use]
    pub fn new(selection: Selection, factors: BTreeSet<Factor>, start: Date) -> Self {
        Self {
            selection,
            factors,
            start,
            session_count: None,
            moved_sessions: BTreeMap::new(),
            performed_sessions: BTreeMap::new(),
            options: ClinicOptions::default(),
            weight_kg: None,
        }
    }
}
