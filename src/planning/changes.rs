//! What a revision of a plan changed, in words, computed from it and the revision
//! before: "status from Draft to Active", "session 2 moved from 2027-03-29 to 2027-04-05",
//! "session 1 ticked as held", "note added". The revision history shows these beside
//! who saved and when.

use std::collections::BTreeMap;

use jiff::Timestamp;

use super::edit::{ExtraTask, Note};
use super::photos::PlanPhoto;
use super::plan::Plan;
use super::progress::Score;
use super::record::SessionRecord;
use super::status::PlanStatus;

/// The parts of a saved plan that edits change, borrowed from one revision.
#[derive(Debug, Clone, Copy)]
pub struct PlanState<'a> {
    /// The generated plan.
    pub plan: &'a Plan,
    /// Where the plan stands.
    pub status: PlanStatus,
    /// Ticked checklist items by key, with when.
    pub checklist: &'a BTreeMap<String, Timestamp>,
    /// The physician's notes, oldest first.
    pub notes: &'a [Note],
    /// Tasks the physician added.
    pub extra_tasks: &'a [ExtraTask],
    /// What was done at the sessions that took place.
    pub records: &'a [SessionRecord],
    /// Outcome scores entered at visits.
    pub scores: &'a [Score],
    /// The plan's photographs.
    pub photos: &'a [PlanPhoto],
}

/// What `after` changed from `before`, one phrase each; "plan created" for the first
/// revision, "no change to the plan" when nothing differs.
#[must_use]
pub fn changes(before: Option<&PlanState<'_>>, after: &PlanState<'_>) -> Vec<String> {
    let Some(before) = before else {
        return vec![format!("plan created as {}", after.status.label())];
    };
    let mut said = Vec::new();
    if before.status != after.status {
        said.push(format!(
            "status from {} to {}",
            before.status.label(),
            after.status.label()
        ));
    }
    if before.plan.sessions.len() != after.plan.sessions.len() {
        said.push(format!(
            "sessions from {} to {}",
            before.plan.sessions.len(),
            after.plan.sessions.len()
        ));
    }
    for session in &after.plan.sessions {
        if let Some(old) = before
            .plan
            .sessions
            .iter()
            .find(|old| old.number == session.number)
            && old.date != session.date
        {
            said.push(format!(
                "session {} moved from {} to {}",
                session.number, old.date, session.date
            ));
        }
    }
    for (key, _) in after
        .checklist
        .iter()
        .filter(|(key, _)| !before.checklist.contains_key(*key))
    {
        said.push(format!("{} ticked", item_words(key, after)));
    }
    for (key, _) in before
        .checklist
        .iter()
        .filter(|(key, _)| !after.checklist.contains_key(*key))
    {
        said.push(format!("{} unticked", item_words(key, before)));
    }
    for note in after.notes.iter().skip(before.notes.len()) {
        said.push(format!(
            "note added: \u{201c}{}\u{201d}",
            excerpt(&note.text)
        ));
    }
    for (index, task) in after.extra_tasks.iter().enumerate() {
        match before.extra_tasks.get(index) {
            None => said.push(format!(
                "task added: \u{201c}{}\u{201d}",
                excerpt(&task.text)
            )),
            Some(old) if old.withdrawn != task.withdrawn => said.push(format!(
                "task {}: \u{201c}{}\u{201d}",
                if task.withdrawn {
                    "withdrawn"
                } else {
                    "restored"
                },
                excerpt(&task.text)
            )),
            Some(_) => {}
        }
    }
    said.extend(treatment_changes(before, after));
    said.extend(photo_changes(before, after));
    if said.is_empty() {
        said.push("no change to the plan".to_owned());
    }
    said
}

/// What `after` changed from `before` in the session records and the scores.
fn treatment_changes(before: &PlanState<'_>, after: &PlanState<'_>) -> Vec<String> {
    let mut said = Vec::new();
    for record in after.records {
        match before
            .records
            .iter()
            .find(|old| old.session == record.session)
        {
            None => said.push(format!(
                "session {} recorded as performed on {}",
                record.session, record.performed_on
            )),
            Some(old) if old != record => {
                said.push(format!("record of session {} corrected", record.session));
            }
            Some(_) => {}
        }
    }
    for old in before.records {
        if !after
            .records
            .iter()
            .any(|record| record.session == old.session)
        {
            said.push(format!(
                "record of session {} (performed on {}) removed",
                old.session, old.performed_on
            ));
        }
    }
    // Scores are matched one to one, so that removing one of two equal scores (entered
    // twice by mistake) is said too.
    let mut unmatched: Vec<&Score> = before.scores.iter().collect();
    let mut entered = Vec::new();
    for score in after.scores {
        match unmatched.iter().position(|old| *old == score) {
            Some(found) => {
                unmatched.remove(found);
            }
            None => entered.push(score),
        }
    }
    for score in entered {
        said.push(format!(
            "score {} {} on {} entered",
            score.scale,
            crate::catalog::number(score.value),
            score.date
        ));
    }
    for score in unmatched {
        said.push(format!(
            "score {} {} on {} removed",
            score.scale,
            crate::catalog::number(score.value),
            score.date
        ));
    }
    said
}

/// What `after` changed from `before` in the photographs.
fn photo_changes(before: &PlanState<'_>, after: &PlanState<'_>) -> Vec<String> {
    let mut said = Vec::new();
    let on_plan = |state: &PlanState<'_>, photo: &PlanPhoto| {
        state
            .photos
            .iter()
            .any(|kept| kept.sha256 == photo.sha256 && kept.view == photo.view && !kept.removed)
    };
    for photo in after.photos {
        let was = on_plan(before, photo);
        let is = !photo.removed;
        if was != is {
            said.push(format!(
                "photo of the {} view taken on {} {}",
                photo.view,
                photo.taken,
                if is { "added" } else { "removed" }
            ));
        }
    }
    said
}

/// A checklist item in words, from its key ([`super::checklist_keys`]).
fn item_words(key: &str, state: &PlanState<'_>) -> String {
    let (kind, rest) = key.split_once(':').unwrap_or((key, ""));
    match kind {
        "session" => format!("session {rest} held"),
        "pre" => format!("preparation \u{201c}{}\u{201d}", excerpt(rest)),
        "aftercare" => {
            let mut parts = rest.splitn(3, ':');
            let session = parts.next().unwrap_or_default();
            let task = parts.nth(1).unwrap_or_default();
            format!(
                "aftercare of session {session} \u{201c}{}\u{201d}",
                excerpt(task)
            )
        }
        "follow-up" => format!("follow-up \u{201c}{}\u{201d}", excerpt(rest)),
        "extra" => rest
            .parse::<usize>()
            .ok()
            .and_then(|index| state.extra_tasks.get(index))
            .map_or_else(
                || "an added task".to_owned(),
                |task| format!("task \u{201c}{}\u{201d}", excerpt(&task.text)),
            ),
        _ => "an item".to_owned(),
    }
}

/// The start of a text, at most forty characters.
fn excerpt(text: &str) -> String {
    let text = text.trim();
    let mut chars = text.chars();
    let start: String = chars.by_ref().take(40).collect();
    if chars.next().is_some() {
        format!("{}…", start.trim_end())
    } else {
        start
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::catalog::{Area, Catalog, CellSource, Indication, Modality, Selection};
    use crate::planning::{PlanRequest, checklist_keys, generate, move_session};

    #[test]
    fn each_change_is_said_in_words() {
        let (catalog, _) = Catalog::builtin();
        let selection = Selection {
            modality: Modality::Injection,
            source: CellSource::AutologousPrp,
            area: Area::Scalp,
            indication: Indication::AndrogeneticAlopecia,
            adjuncts: Vec::new(),
        };
        let request = PlanRequest::new(selection, BTreeSet::new(), "2027-03-01".parse().unwrap());
        let plan = generate(&catalog, &request).unwrap();
        let (_, moved) =
            move_session(&catalog, &request, 2, "2027-04-05".parse().unwrap()).unwrap();
        let at = Timestamp::from_second(1_800_000_000).unwrap();
        let empty = BTreeMap::new();
        let before = PlanState {
            plan: &plan,
            status: PlanStatus::Draft,
            checklist: &empty,
            notes: &[],
            extra_tasks: &[],
            records: &[],
            scores: &[],
            photos: &[],
        };
        assert_eq!(changes(None, &before), ["plan created as Draft"]);
        assert_eq!(changes(Some(&before), &before), ["no change to the plan"]);
        let ticked = BTreeMap::from([(checklist_keys::session(1), at)]);
        let notes = [Note {
            written_at: at,
            author: "Dr Vega".into(),
            text: "Prefers mornings".into(),
        }];
        let after = PlanState {
            plan: &moved,
            status: PlanStatus::Active,
            checklist: &ticked,
            notes: &notes,
            extra_tasks: &[],
            records: &[],
            scores: &[],
            photos: &[],
        };
        let old = |index: usize| plan.sessions[index].date;
        let new = |index: usize| moved.sessions[index].date;
        assert_eq!(
            changes(Some(&before), &after),
            [
                "status from Draft to Active".to_owned(),
                format!("session 2 moved from {} to 2027-04-05", old(1)),
                // Later sessions keep their spacing from the moved one.
                format!("session 3 moved from {} to {}", old(2), new(2)),
                "session 1 held ticked".to_owned(),
                "note added: \u{201c}Prefers mornings\u{201d}".to_owned(),
            ]
        );
        assert_eq!(
            changes(Some(&after), &before).get(3).map(String::as_str),
            Some("session 1 held unticked")
        );
    }
}
