//! What on a plan can be ticked off, and when: an aftercare task is done after its
//! session, so it cannot be ticked before that session was held; a line that only says
//! what to expect ("Expect mild swelling") is information, not a task.

use std::collections::BTreeMap;

use jiff::Timestamp;
use jiff::civil::Date;

use super::checklist_keys;
use super::plan::{AftercareItem, Plan};

/// Whether an aftercare line tells the patient what to expect rather than what to do:
/// it opens with "Expect", or its first sentence says that something "is expected" or
/// "are expected". Such a line is shown as information and never ticked.
#[must_use]
pub fn is_information(text: &str) -> bool {
    let first_sentence = text
        .split(['.', ';'])
        .next()
        .unwrap_or_default()
        .to_lowercase();
    first_sentence.starts_with("expect ")
        || first_sentence.contains(" is expected")
        || first_sentence.contains(" are expected")
}

/// When the aftercare of a session can be ticked: from the day of the session on, or
/// at once when the session was ticked as held.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tickable {
    /// It can be ticked.
    Now,
    /// Not before the session, on this day.
    From(Date),
    /// It is information, not a task.
    Never,
}

/// Whether an aftercare item of `plan` can be ticked `today`, given what was ticked.
#[must_use]
pub fn aftercare_tickable(
    plan: &Plan,
    item: &AftercareItem,
    checklist: &BTreeMap<String, Timestamp>,
    today: Date,
) -> Tickable {
    if is_information(&item.task) {
        return Tickable::Never;
    }
    let held = checklist.contains_key(&checklist_keys::session(item.session));
    match plan
        .sessions
        .iter()
        .find(|session| session.number == item.session)
    {
        Some(session) if !held && session.date > today => Tickable::From(session.date),
        _ => Tickable::Now,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_that_say_what_to_expect_are_information() {
        for text in [
            "Expect mild swelling, redness and bruising at the injection sites; cool compresses help.",
            "Facial swelling and bruising are expected; most swelling is gone by about two weeks.",
            "Pain at the harvest site is expected for about a week; paracetamol helps.",
        ] {
            assert!(is_information(text), "{text}");
        }
        for text in [
            "Do not wash the hair for 48 hours.",
            "No exercise beyond walking until about three weeks.",
            "Tumescent fluid may drain from the incision; keep the dressing on.",
            "Report fever; the redness expected at first should fade.",
        ] {
            assert!(!is_information(text), "{text}");
        }
    }
}
