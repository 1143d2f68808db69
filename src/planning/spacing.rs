//! Whether a session moved by the physician comes sooner after the one before than the
//! protocol allows. Such a move is not refused (a physician may have a reason), but it
//! is said in words beside the date and needs a confirmation with a reason, which is
//! kept on the plan as a note.

use jiff::civil::Date;

use super::plan::Session;
use crate::catalog::Protocol;

/// A session that would come sooner after the previous one than the protocol allows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TooSoon {
    /// The moved session.
    pub number: u32,
    /// Its new date.
    pub date: Date,
    /// The session before it.
    pub previous: u32,
    /// How many days after the previous session it would be.
    pub days: i64,
    /// The fewest days the protocol allows between them.
    pub minimum_days: u32,
}

impl TooSoon {
    /// The shortfall in words: "Session 2 would be 1 day after session 1; the protocol
    /// asks for at least 28 days between them."
    #[must_use]
    pub fn sentence(&self) -> String {
        format!(
            "Session {} would be {} after session {}; the protocol asks for at least {} between them.",
            self.number,
            days_text(self.days),
            self.previous,
            days_text(i64::from(self.minimum_days)),
        )
    }

    /// The note kept on the plan when the physician moves the session anyway.
    #[must_use]
    pub fn note(&self, reason: &str) -> String {
        format!(
            "Session {} moved to {}, {} after session {} (the protocol asks for at least {}). Reason: {}",
            self.number,
            self.date,
            days_text(self.days),
            self.previous,
            days_text(i64::from(self.minimum_days)),
            reason.trim()
        )
    }
}

/// A number of days in words: "1 day", "0 days", "28 days".
pub(crate) fn days_text(days: i64) -> String {
    if days.abs() == 1 {
        format!("{days} day")
    } else {
        format!("{days} days")
    }
}

/// Whether moving session `number` of `sessions` to `date` puts it closer to the
/// session before than `protocol` allows (its spacing range's minimum, or the days its
/// product needs after the harvest for session 2). `None` for session 1, or when the
/// spacing is kept. Only the session before matters: later sessions keep their spacing
/// from the moved one.
#[must_use]
pub fn too_soon(
    protocol: &Protocol,
    sessions: &[Session],
    number: u32,
    date: Date,
) -> Option<TooSoon> {
    let previous = sessions
        .iter()
        .find(|session| session.number + 1 == number)?;
    let minimum_days = match (number, protocol.sessions.first_interval_days) {
        (2, Some(first_interval)) => first_interval,
        _ => protocol.sessions.spacing_range_days.min,
    };
    let days = i64::from((date - previous.date).get_days());
    (days < i64::from(minimum_days)).then_some(TooSoon {
        number,
        date,
        previous: previous.number,
        days,
        minimum_days,
    })
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::catalog::{Area, Catalog, CellSource, Indication, Modality, Selection};
    use crate::planning::{PlanRequest, generate};

    fn check(number: u32, date: &str, expected: Option<&str>) {
        let (catalog, _) = Catalog::builtin();
        let selection = Selection {
            modality: Modality::Injection,
            source: CellSource::AutologousPrp,
            area: Area::Scalp,
            indication: Indication::AndrogeneticAlopecia,
            adjuncts: Vec::new(),
        };
        let protocol = catalog.covering(&selection).unwrap();
        let request = PlanRequest::new(
            selection.clone(),
            BTreeSet::new(),
            "2027-03-01".parse().unwrap(),
        );
        let plan = generate(&catalog, &request).unwrap();
        let found = too_soon(protocol, &plan.sessions, number, date.parse().unwrap());
        assert_eq!(
            found.as_ref().map(TooSoon::sentence).as_deref(),
            expected,
            "session {number} on {date}"
        );
    }

    #[test]
    fn a_session_sooner_than_the_protocol_allows_is_said_in_words() {
        // PRP for hair loss: session 1 on Monday 1 March 2027, at least 28 days apart.
        check(
            2,
            "2027-03-02",
            Some(
                "Session 2 would be 1 day after session 1; the protocol asks for at least 28 days between them.",
            ),
        );
        check(2, "2027-03-29", None);
        check(
            2,
            "2027-03-28",
            Some(
                "Session 2 would be 27 days after session 1; the protocol asks for at least 28 days between them.",
            ),
        );
        check(1, "2027-02-01", None);
    }
}
