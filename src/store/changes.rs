//! A plan revision of format version 3 that records only what changed since the
//! revision before it, and how such a revision is made and applied.
//!
//! A tick, a note or a session record changes a few lines of a plan that may hold
//! dozens of ticks and notes; writing the whole plan again at every save made each
//! revision grow with the plan (4 kB by the fiftieth edit). So most revisions of a plan
//! hold [`PlanChangesDisk`]: the ticks set and taken back, the notes, tasks, session
//! records, scores and photographs after the first ones kept, and the request, the generated plan's
//! SHA-256, the status or the patient only when they changed. A revision that holds
//! the whole plan (a *full* revision) is written at revision 1, on top of a revision of
//! an older format version, and whenever [`MAX_CHANGES_IN_A_ROW`] revisions of changes
//! precede it, so that rebuilding any revision reads at most that many small files
//! after a full one.
//!
//! Applying changes checks that they fit the revision before: a change that takes back
//! a tick that is not there, or keeps more notes than there are, is damage, reported
//! with the file's name; nothing is guessed.

use std::collections::{BTreeMap, BTreeSet};

use jiff::Timestamp;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::disk::{ExtraTaskDisk, NoteDisk, PlanDisk, RequestDisk, StatusDisk};
use super::disk_records::{PhotoDisk, ScoreDisk, SessionRecordDisk};
use super::ids::PatientId;

/// At most this many revisions of changes follow one another: the next one is a full
/// revision. Rebuilding a revision reads at most this many files after the full one
/// before it, and a revision of changes further than this from a full one was not
/// written by the app.
pub(crate) const MAX_CHANGES_IN_A_ROW: u32 = 19;

/// What changed in a plan since the revision before, as a revision of version 3 holds
/// it. Every part is left out when it did not change.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub(crate) struct PlanChangesDisk {
    /// The patient, when the plan was moved to another (the app does not do so today).
    #[serde(default, skip_serializing_if = "Option::is_none", with = "bare")]
    pub patient: Option<PatientId>,
    /// The whole request, when it changed (a moved session, another start).
    #[serde(default, skip_serializing_if = "Option::is_none", with = "bare")]
    pub request: Option<RequestDisk>,
    /// The generated plan's SHA-256, when the plan was generated again.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "bare")]
    pub generated_sha256: Option<String>,
    /// The status, when it changed.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "bare")]
    pub status: Option<StatusDisk>,
    /// Checklist entries ticked (or ticked again at another time).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub ticked: BTreeMap<String, Timestamp>,
    /// Checklist entries whose tick was taken back.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub unticked: BTreeSet<String>,
    /// The notes, when they changed.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "bare")]
    pub notes: Option<ListChange<NoteDisk>>,
    /// The added tasks, when they changed (one added or withdrawn).
    #[serde(default, skip_serializing_if = "Option::is_none", with = "bare")]
    pub extra_tasks: Option<ListChange<ExtraTaskDisk>>,
    /// The session records, when they changed (one recorded, corrected or removed).
    #[serde(default, skip_serializing_if = "Option::is_none", with = "bare")]
    pub records: Option<ListChange<SessionRecordDisk>>,
    /// The outcome scores, when they changed.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "bare")]
    pub scores: Option<ListChange<ScoreDisk>>,
    /// The photographs, when they changed (added, removed or put back).
    #[serde(default, skip_serializing_if = "Option::is_none", with = "bare")]
    pub photos: Option<ListChange<PhotoDisk>>,
}

/// A list after a change: its first `keep` entries as they were, then `then`. A note
/// added is `(keep: <all>, then: [<the note>])`; a task withdrawn keeps the tasks
/// before it and writes it and those after it again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct ListChange<T> {
    /// How many entries at the start stay as they were.
    pub keep: u32,
    /// The entries after them.
    #[serde(default = "Vec::new", skip_serializing_if = "Vec::is_empty")]
    pub then: Vec<T>,
}

/// An optional part written bare (`status: "active"`, not `status: Some("active")`):
/// a part that did not change is left out altogether.
pub(crate) mod bare {
    use super::{Deserialize, Deserializer, Serialize, Serializer};

    #[expect(
        clippy::ref_option,
        reason = "the signature serde's `with` calls for an optional field"
    )]
    pub(crate) fn serialize<T: Serialize, S: Serializer>(
        value: &Option<T>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match value {
            Some(value) => value.serialize(serializer),
            None => serializer.serialize_none(),
        }
    }

    pub(crate) fn deserialize<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<T>, D::Error> {
        T::deserialize(deserializer).map(Some)
    }
}

impl PlanChangesDisk {
    /// What changed from `base` to `new`: applying it to `base` gives `new` exactly (the
    /// writer checks that before writing it).
    pub(crate) fn between(base: &PlanDisk, new: &PlanDisk) -> PlanChangesDisk {
        let changed = |same: bool| !same;
        let ticked = new
            .checklist
            .iter()
            .filter(|(key, at)| base.checklist.get(*key) != Some(at))
            .map(|(key, at)| (key.clone(), *at))
            .collect();
        let unticked = base
            .checklist
            .keys()
            .filter(|key| !new.checklist.contains_key(*key))
            .cloned()
            .collect();
        PlanChangesDisk {
            patient: changed(base.patient == new.patient).then(|| new.patient.clone()),
            request: changed(base.request == new.request).then(|| new.request.clone()),
            generated_sha256: changed(base.generated_sha256 == new.generated_sha256)
                .then(|| new.generated_sha256.clone()),
            status: changed(base.status == new.status).then_some(new.status),
            ticked,
            unticked,
            notes: list_change(&base.notes, &new.notes),
            extra_tasks: list_change(&base.extra_tasks, &new.extra_tasks),
            records: list_change(&base.records, &new.records),
            scores: list_change(&base.scores, &new.scores),
            photos: list_change(&base.photos, &new.photos),
        }
    }

    /// The plan after these changes, applied to the revision before (`base`,
    /// revision `base_number`).
    ///
    /// # Errors
    /// When the changes do not fit `base`: the end of a sentence that says what.
    pub(crate) fn apply(self, mut base: PlanDisk, base_number: u32) -> Result<PlanDisk, String> {
        let PlanChangesDisk {
            patient,
            request,
            generated_sha256,
            status,
            ticked,
            unticked,
            notes,
            extra_tasks,
            records,
            scores,
            photos,
        } = self;
        if let Some(patient) = patient {
            base.patient = patient;
        }
        if let Some(request) = request {
            base.request = request;
        }
        if let Some(hash) = generated_sha256 {
            base.generated_sha256 = hash;
        }
        if let Some(status) = status {
            base.status = status;
        }
        for key in unticked {
            if ticked.contains_key(&key) {
                return Err(format!(
                    "it both ticks and takes back the tick of '{}', which the app never writes",
                    crate::untrusted::for_message(&key)
                ));
            }
            if base.checklist.remove(&key).is_none() {
                return Err(format!(
                    "it takes back the tick of '{}', which revision {base_number} does not have",
                    crate::untrusted::for_message(&key)
                ));
            }
        }
        base.checklist.extend(ticked);
        apply_list(&mut base.notes, notes, "notes", base_number)?;
        apply_list(
            &mut base.extra_tasks,
            extra_tasks,
            "added tasks",
            base_number,
        )?;
        apply_list(&mut base.records, records, "session records", base_number)?;
        apply_list(&mut base.scores, scores, "scores", base_number)?;
        apply_list(&mut base.photos, photos, "photographs", base_number)?;
        Ok(base)
    }
}

/// The change from one list to another: the entries they share at the start are kept.
/// `None` when nothing changed.
fn list_change<T: Clone + PartialEq>(base: &[T], new: &[T]) -> Option<ListChange<T>> {
    let keep = base
        .iter()
        .zip(new)
        .take_while(|(old, new)| old == new)
        .count();
    if keep == base.len() && keep == new.len() {
        return None;
    }
    Some(ListChange {
        // No list holds four billion entries; if one did, the writer's check would
        // find that the changes do not give back the record, and write it whole.
        keep: u32::try_from(keep).unwrap_or(u32::MAX),
        then: new[keep..].to_vec(),
    })
}

fn apply_list<T>(
    list: &mut Vec<T>,
    change: Option<ListChange<T>>,
    what: &str,
    base_number: u32,
) -> Result<(), String> {
    let Some(ListChange { keep, then }) = change else {
        return Ok(());
    };
    let keep = usize::try_from(keep).unwrap_or(usize::MAX);
    if keep > list.len() {
        return Err(format!(
            "it keeps the first {keep} {what} of revision {base_number}, which has only {}",
            list.len()
        ));
    }
    list.truncate(keep);
    list.extend(then);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan() -> PlanDisk {
        let text = r#"(patient: "0190cccccccc7000800000000000cccc", request: (selection: (modality: "injection", source: "autologous-adipose", area: "abdomen", indication: "stretch-marks"), start: "2027-01-18"), generated_sha256: "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", notes: [(written_at: "2027-01-18T10:00:00Z", author: "A", text: "one")], extra_tasks: [(text: "t1"), (text: "t2")], status: "draft", checklist: {"session:1": "2027-01-18T10:00:00Z", "session:2": "2027-01-19T10:00:00Z"})"#;
        ron::from_str(text).unwrap()
    }

    fn round_trip(base: &PlanDisk, new: &PlanDisk) -> PlanChangesDisk {
        let changes = PlanChangesDisk::between(base, new);
        let text = ron::to_string(&changes).unwrap();
        let read: PlanChangesDisk = ron::from_str(&text).unwrap();
        assert_eq!(read, changes, "{text}");
        assert_eq!(read.apply(base.clone(), 1).unwrap(), *new, "{text}");
        changes
    }

    #[test]
    fn each_kind_of_change_gives_back_the_plan_exactly() {
        let base = plan();
        assert_eq!(round_trip(&base, &base), PlanChangesDisk::default());
        assert_eq!(
            ron::to_string(&PlanChangesDisk::default()).unwrap(),
            "()",
            "nothing changed writes nothing"
        );
        let mut new = base.clone();
        new.checklist.remove("session:1");
        new.checklist
            .insert("session:2".into(), "2027-02-01T10:00:00Z".parse().unwrap());
        new.checklist
            .insert("session:3".into(), "2027-02-02T10:00:00Z".parse().unwrap());
        let changes = round_trip(&base, &new);
        assert_eq!(changes.ticked.len(), 2);
        assert_eq!(changes.unticked.len(), 1);
        assert!(changes.notes.is_none() && changes.request.is_none());

        let mut new = base.clone();
        new.notes.push(new.notes[0].clone());
        let changes = round_trip(&base, &new);
        assert_eq!(changes.notes.as_ref().map(|change| change.keep), Some(1));

        let mut new = base.clone();
        new.extra_tasks[0].withdrawn = true;
        let changes = round_trip(&base, &new);
        assert_eq!(
            changes.extra_tasks.as_ref().map(|c| (c.keep, c.then.len())),
            Some((0, 2))
        );

        let mut new = base.clone();
        new.extra_tasks.pop();
        let changes = round_trip(&base, &new);
        assert_eq!(
            changes.extra_tasks.as_ref().map(|c| (c.keep, c.then.len())),
            Some((1, 0))
        );

        let mut new = base.clone();
        new.status = StatusDisk::Active;
        new.request.session_count = Some(3);
        new.generated_sha256 = "b".repeat(64);
        let changes = round_trip(&base, &new);
        assert!(changes.status.is_some() && changes.request.is_some());
        let text = ron::to_string(&changes).unwrap();
        assert!(text.contains("status:\"active\""), "written bare: {text}");
    }

    #[test]
    fn changes_that_do_not_fit_are_refused() {
        let base = plan();
        let untick: PlanChangesDisk = ron::from_str(r#"(unticked: ["session:9"])"#).unwrap();
        assert!(
            untick
                .apply(base.clone(), 4)
                .unwrap_err()
                .contains("which revision 4 does not have")
        );
        let keep: PlanChangesDisk = ron::from_str("(scores: (keep: 2))").unwrap();
        assert!(
            keep.apply(base, 4)
                .unwrap_err()
                .contains("keeps the first 2 scores of revision 4, which has only 0")
        );
    }
}
