//! The lots the window knows: every plan's materials with their lots, read off the UI
//! thread, so that the window can find every patient of a lot (a recall) and offer the
//! lots already used while one is typed.
//!
//! The book is made from the index ([`LotBook::from_summaries`]): each plan's summary
//! keeps the lots of its records, so no plan is read. [`read_lot_book`] reads the plans
//! themselves, for a check of the index against the records.

use crate::planning::{
    LotMatch, LotSuggestion, Material, RecallSource, SessionRecord, find_lot, lot_suggestions,
};
use crate::store::{PlanId, PlanRecord, PlanSummary, Store};

/// One plan's sessions that used a material with a lot.
#[derive(Debug, Clone, PartialEq)]
struct LotPlan {
    patient: String,
    patient_name: String,
    plan: String,
    /// The records, kept to their session, date and materials with a lot.
    records: Vec<SessionRecord>,
}

/// Every recorded lot of the plans read, by plan.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LotBook {
    plans: Vec<LotPlan>,
    /// Plans that could not be read, as sentences.
    problems: Vec<String>,
}

/// A plan to read for the book: its id, its patient's id and name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LotBookEntry {
    /// The plan.
    pub plan: PlanId,
    /// Its patient's id.
    pub patient: String,
    /// Its patient's name.
    pub patient_name: String,
}

/// Only what a recall needs of a record.
fn lots_only(record: &SessionRecord) -> Option<SessionRecord> {
    let materials: Vec<Material> = record
        .materials
        .iter()
        .filter(|material| material.lot.is_some())
        .cloned()
        .collect();
    if materials.is_empty() {
        return None;
    }
    let mut kept = SessionRecord::new(record.session, record.performed_on);
    kept.materials = materials;
    Some(kept)
}

impl LotBook {
    /// The lots of every summarized plan, from the lots its summary keeps: no file is
    /// read, so it is made at once, and again whenever the index changes.
    #[must_use]
    pub fn from_summaries(plans: &[PlanSummary]) -> LotBook {
        let plans = plans
            .iter()
            .filter(|plan| !plan.lots.is_empty())
            .map(|plan| {
                let mut records: Vec<SessionRecord> = Vec::new();
                for used in &plan.lots {
                    let at = if let Some(at) = records
                        .iter()
                        .position(|record| record.session == used.session)
                    {
                        at
                    } else {
                        records.push(SessionRecord::new(used.session, used.performed));
                        records.len() - 1
                    };
                    records[at].materials.push(Material {
                        name: used.material.clone(),
                        kind: used.kind,
                        lot: Some(used.lot.clone()),
                        expiry: used.expiry,
                    });
                }
                LotPlan {
                    patient: plan.patient.to_string(),
                    patient_name: plan.patient_name.clone(),
                    plan: plan.id.to_string(),
                    records,
                }
            })
            .collect();
        LotBook {
            plans,
            problems: Vec::new(),
        }
    }

    /// Puts a plan's records in the book, replacing what it held of the plan (after a
    /// save, a plan's lots are as saved). An empty patient name keeps the one the book
    /// had for the plan.
    pub fn put(&mut self, entry: &LotBookEntry, record: &PlanRecord) {
        let known_name = self
            .plans
            .iter()
            .find(|known| known.plan == entry.plan.as_str())
            .map(|known| known.patient_name.clone());
        self.plans.retain(|known| known.plan != entry.plan.as_str());
        let records: Vec<SessionRecord> = record.records.iter().filter_map(lots_only).collect();
        if !records.is_empty() {
            self.plans.push(LotPlan {
                patient: entry.patient.clone(),
                patient_name: match known_name {
                    Some(name) if entry.patient_name.is_empty() => name,
                    _ => entry.patient_name.clone(),
                },
                plan: entry.plan.to_string(),
                records,
            });
        }
    }

    fn sources(&self) -> impl Iterator<Item = RecallSource<'_>> {
        self.plans.iter().map(|plan| RecallSource {
            patient: &plan.patient,
            patient_name: &plan.patient_name,
            plan: &plan.plan,
            records: &plan.records,
        })
    }

    /// Every session that received a material of `lot`.
    #[must_use]
    pub fn find(&self, lot: &str) -> Vec<LotMatch> {
        find_lot(lot, self.sources())
    }

    /// The lots used that begin with `typed`, most used first, with the open plan's
    /// own records (which may not be saved yet) counted in place of its saved ones.
    #[must_use]
    pub fn suggest(
        &self,
        typed: &str,
        open: Option<RecallSource<'_>>,
        limit: usize,
    ) -> Vec<LotSuggestion> {
        let others = self
            .sources()
            .filter(|source| open.is_none_or(|open| open.plan != source.plan));
        lot_suggestions(typed, others.chain(open), limit)
    }

    /// How many plans have a recorded lot.
    #[must_use]
    pub fn plan_count(&self) -> usize {
        self.plans.len()
    }

    /// The plans that could not be read, as sentences.
    #[must_use]
    pub fn problems(&self) -> &[String] {
        &self.problems
    }
}

/// Reads every plan of `entries` for its lots. A plan that cannot be read is named in
/// the book's problems and left out; the others are still read.
#[must_use]
pub fn read_lot_book(store: &Store, entries: &[LotBookEntry]) -> LotBook {
    let mut book = LotBook::default();
    for entry in entries {
        match store.load_plan(&entry.plan) {
            Ok(revision) => book.put(entry, &revision.value),
            Err(error) => book
                .problems
                .push(format!("Plan {} was not searched: {error}", entry.plan)),
        }
    }
    book
}
