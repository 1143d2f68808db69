//! Clinical photographs as part of a plan: which visit a photograph belongs to
//! (preselected from the day it was taken), how many days after the first session it
//! was taken, and which photographs of the same view can be compared over time.
//!
//! Pure: the photographs' bytes are the store's; here a photograph is its hash, its
//! view and its day.

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::plan::Plan;

/// How many days from a visit a photograph is still taken to belong to it.
pub const VISIT_WINDOW_DAYS: i32 = 7;

/// The visit of a plan a photograph belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum PhotoMoment {
    /// A session (1-based); session 1's photographs are the baseline.
    Session(u32),
    /// A follow-up visit (1-based, in the plan's order).
    FollowUp(u32),
}

impl PhotoMoment {
    /// "Session 2", "Follow-up 1".
    #[must_use]
    pub fn label(self) -> String {
        match self {
            PhotoMoment::Session(number) => format!("Session {number}"),
            PhotoMoment::FollowUp(number) => format!("Follow-up {number}"),
        }
    }
}

/// A photograph of a plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanPhoto {
    /// The SHA-256 of the original's bytes: its id and its name in the data folder.
    pub sha256: String,
    /// The standard view, by id ([`crate::catalog::PhotoViews`]).
    pub view: String,
    /// The day it was taken.
    pub taken: Date,
    /// The visit it belongs to, if any.
    pub moment: Option<PhotoMoment>,
    /// Its width as shown (the camera's orientation applied), in pixels.
    pub width: u32,
    /// Its height as shown, in pixels.
    pub height: u32,
    /// When it was added to the plan.
    pub added_at: Timestamp,
    /// Taken off the plan by the physician. It stays in the record (and its file in the
    /// data folder) so that the history shows it, until the physician purges it.
    pub removed: bool,
}

/// The visit a photograph taken on `taken` most likely belongs to: the session or
/// follow-up on that day, else the nearest within [`VISIT_WINDOW_DAYS`] (the earlier
/// one when two are as near), else none. A photograph taken before the first session is
/// that session's (the baseline) when it is within the window.
#[must_use]
pub fn moment_for(plan: &Plan, taken: Date) -> Option<PhotoMoment> {
    let sessions = plan
        .sessions
        .iter()
        .map(|session| (session.date, PhotoMoment::Session(session.number)));
    let follow_ups = plan
        .follow_ups
        .iter()
        .zip(1_u32..)
        .map(|(visit, number)| (visit.date, PhotoMoment::FollowUp(number)));
    sessions
        .chain(follow_ups)
        .filter_map(|(date, moment)| {
            let days = (taken - date).get_days().abs();
            (days <= VISIT_WINDOW_DAYS).then_some((days, date, moment))
        })
        .min_by_key(|(days, date, _)| (*days, *date))
        .map(|(_, _, moment)| moment)
}

/// Days from the first session to `taken` (negative before it), or `None` when the
/// plan has no sessions.
#[must_use]
pub fn days_since_first_session(plan: &Plan, taken: Date) -> Option<i32> {
    let first = plan.sessions.first()?.date;
    let span = first.until(taken).ok()?;
    Some(span.get_days())
}

/// The photographs of one view still on the plan, oldest first: what a comparison
/// chooses from. The first is the baseline.
#[must_use]
pub fn photos_of_view<'a>(photos: &'a [PlanPhoto], view: &str) -> Vec<&'a PlanPhoto> {
    let mut found: Vec<&PlanPhoto> = photos
        .iter()
        .filter(|photo| !photo.removed && photo.view == view)
        .collect();
    found.sort_by_key(|photo| (photo.taken, photo.added_at));
    found
}

/// The day a visit takes place, for a photograph's moment.
#[must_use]
pub fn moment_date(plan: &Plan, moment: PhotoMoment) -> Option<Date> {
    match moment {
        PhotoMoment::Session(number) => plan
            .sessions
            .iter()
            .find(|session| session.number == number)
            .map(|session| session.date),
        PhotoMoment::FollowUp(number) => {
            let index = usize::try_from(number.checked_sub(1)?).ok()?;
            plan.follow_ups.get(index).map(|visit| visit.date)
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use jiff::ToSpan as _;

    use super::*;

    fn days_after(date: Date, days: i32) -> Date {
        date.checked_add(days.days()).unwrap()
    }
    use crate::catalog::{Area, Catalog, CellSource, Indication, Modality, Selection};
    use crate::planning::{PlanRequest, generate};

    fn knee_plan() -> Plan {
        let (catalog, _) = Catalog::builtin();
        let request = PlanRequest::new(
            Selection {
                modality: Modality::Injection,
                source: CellSource::AutologousPrp,
                area: Area::Knee,
                indication: Indication::Osteoarthritis,
                adjuncts: Vec::new(),
            },
            BTreeSet::new(),
            "2027-01-04".parse().unwrap(),
        );
        generate(&catalog, &request).unwrap()
    }

    #[test]
    fn a_photograph_belongs_to_the_visit_nearest_its_day() {
        let plan = knee_plan();
        let first = plan.sessions[0].date;
        let second = plan.sessions[1].date;
        assert_eq!(moment_for(&plan, first), Some(PhotoMoment::Session(1)));
        assert_eq!(
            moment_for(&plan, days_after(first, -3)),
            Some(PhotoMoment::Session(1))
        );
        assert_eq!(
            moment_for(&plan, days_after(second, 2)),
            Some(PhotoMoment::Session(2))
        );
        let visit = plan.follow_ups[0].date;
        assert_eq!(moment_for(&plan, visit), Some(PhotoMoment::FollowUp(1)));
        assert_eq!(moment_for(&plan, days_after(first, -30)), None);
        assert_eq!(
            days_since_first_session(&plan, days_after(first, 42)),
            Some(42)
        );
        assert_eq!(
            days_since_first_session(&plan, days_after(first, -2)),
            Some(-2)
        );
        assert_eq!(moment_date(&plan, PhotoMoment::FollowUp(1)), Some(visit));
        assert_eq!(moment_date(&plan, PhotoMoment::FollowUp(0)), None);
    }

    #[test]
    fn photographs_of_a_view_are_compared_oldest_first_without_removed_ones() {
        let at = Timestamp::from_second(1_800_000_000).unwrap();
        let photo = |sha: &str, view: &str, taken: &str, removed: bool| PlanPhoto {
            sha256: sha.into(),
            view: view.into(),
            taken: taken.parse().unwrap(),
            moment: None,
            width: 10,
            height: 10,
            added_at: at,
            removed,
        };
        let photos = [
            photo("c", "front", "2027-04-01", false),
            photo("a", "front", "2027-01-04", false),
            photo("b", "left", "2027-02-01", false),
            photo("d", "front", "2027-03-01", true),
        ];
        let front: Vec<&str> = photos_of_view(&photos, "front")
            .iter()
            .map(|photo| photo.sha256.as_str())
            .collect();
        assert_eq!(front, ["a", "c"]);
    }
}
