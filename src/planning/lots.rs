//! Lot recall: every patient, plan and session that received a device, kit or product
//! of a lot, so that a clinic can act on a manufacturer's recall within minutes; and
//! the lots already used, offered while typing so that nobody retypes a lot by hand.
//!
//! Pure: the caller passes each plan's records with the patient they belong to; the
//! store decides where those come from.

use std::collections::BTreeMap;

use jiff::civil::Date;
use serde::Serialize;

use super::record::{MaterialKind, SessionRecord};

/// One plan's records, with the patient and the plan they belong to.
#[derive(Debug, Clone, Copy)]
pub struct RecallSource<'a> {
    /// The patient's id.
    pub patient: &'a str,
    /// The patient's name, for the recall list.
    pub patient_name: &'a str,
    /// The plan's id.
    pub plan: &'a str,
    /// The plan's session records.
    pub records: &'a [SessionRecord],
}

/// A session that received a material of the lot searched for. The field names are
/// the JSON contract of `lots find --format json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LotMatch {
    /// The lot as it was recorded.
    pub lot: String,
    /// The material's name.
    pub material: String,
    /// Device, kit or product.
    pub kind: MaterialKind,
    /// The patient's id.
    pub patient: String,
    /// The patient's name.
    pub patient_name: String,
    /// The plan's id.
    pub plan: String,
    /// The session (1-based).
    pub session: u32,
    /// The day it took place.
    pub performed: Date,
    /// The expiry recorded with the lot.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expiry: Option<Date>,
}

/// A lot as it is compared: without surrounding spaces, in lower case. "  ab-12 " and
/// "AB-12" are the same lot.
#[must_use]
pub fn normalise_lot(lot: &str) -> String {
    lot.trim().to_lowercase()
}

/// Every session that received a material of `lot` (compared by [`normalise_lot`]),
/// ordered by the day it took place, then patient, plan and session. An empty lot finds
/// nothing.
#[must_use]
pub fn find_lot<'a>(
    lot: &str,
    sources: impl IntoIterator<Item = RecallSource<'a>>,
) -> Vec<LotMatch> {
    let wanted = normalise_lot(lot);
    if wanted.is_empty() {
        return Vec::new();
    }
    let mut found = Vec::new();
    for source in sources {
        for record in source.records {
            for material in &record.materials {
                let Some(recorded) = &material.lot else {
                    continue;
                };
                if normalise_lot(recorded) == wanted {
                    found.push(LotMatch {
                        lot: recorded.trim().to_owned(),
                        material: material.name.trim().to_owned(),
                        kind: material.kind,
                        patient: source.patient.to_owned(),
                        patient_name: source.patient_name.to_owned(),
                        plan: source.plan.to_owned(),
                        session: record.session,
                        performed: record.performed_on,
                        expiry: material.expiry,
                    });
                }
            }
        }
    }
    sort_for_recall(&mut found);
    found
}

/// Puts lot matches in the order a recall lists them: by day performed, then patient,
/// plan and session.
pub fn sort_for_recall(found: &mut [LotMatch]) {
    found.sort_by(|a, b| {
        (a.performed, &a.patient, &a.plan, a.session).cmp(&(
            b.performed,
            &b.patient,
            &b.plan,
            b.session,
        ))
    });
}

/// How many times each text was seen.
type Counts = BTreeMap<String, usize>;

/// A lot already used, offered while typing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LotSuggestion {
    /// The lot, as most often written.
    pub lot: String,
    /// The material it was most often recorded with.
    pub material: String,
    /// How many times it was recorded.
    pub uses: usize,
}

/// The lots already used whose normalised form begins with what was typed (every lot
/// when nothing was typed), most used first, then in alphabetical order; at most
/// `limit`.
#[must_use]
pub fn lot_suggestions<'a>(
    typed: &str,
    sources: impl IntoIterator<Item = RecallSource<'a>>,
    limit: usize,
) -> Vec<LotSuggestion> {
    let prefix = normalise_lot(typed);
    // By normalised lot: how often each spelling and each material was recorded.
    let mut seen: BTreeMap<String, (Counts, Counts)> = BTreeMap::new();
    for source in sources {
        for record in source.records {
            for material in &record.materials {
                let Some(lot) = &material.lot else { continue };
                let key = normalise_lot(lot);
                if key.is_empty() || !key.starts_with(&prefix) {
                    continue;
                }
                let (spellings, materials) = seen.entry(key).or_default();
                *spellings.entry(lot.trim().to_owned()).or_default() += 1;
                *materials
                    .entry(material.name.trim().to_owned())
                    .or_default() += 1;
            }
        }
    }
    let most_common = |counts: &Counts| {
        counts
            .iter()
            .max_by(|(a_text, a), (b_text, b)| a.cmp(b).then_with(|| b_text.cmp(a_text)))
            .map(|(text, _)| text.clone())
            .unwrap_or_default()
    };
    let mut suggestions: Vec<LotSuggestion> = seen
        .values()
        .map(|(spellings, materials)| LotSuggestion {
            lot: most_common(spellings),
            material: most_common(materials),
            uses: spellings.values().sum(),
        })
        .collect();
    suggestions.sort_by(|a, b| {
        b.uses
            .cmp(&a.uses)
            .then_with(|| normalise_lot(&a.lot).cmp(&normalise_lot(&b.lot)))
    });
    suggestions.truncate(limit);
    suggestions
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::planning::record::Material;

    fn record(session: u32, day: &str, lots: &[(&str, &str)]) -> SessionRecord {
        let mut record = SessionRecord::new(session, day.parse().unwrap());
        for (name, lot) in lots {
            record.materials.push(Material {
                name: (*name).to_owned(),
                kind: MaterialKind::Kit,
                lot: Some((*lot).to_owned()),
                expiry: None,
            });
        }
        record
    }

    #[test]
    fn a_lot_is_found_whatever_its_case_and_surrounding_spaces() {
        let first = [record(1, "2027-02-01", &[("PRP kit", " ab-12 ")])];
        let second = [
            record(1, "2027-01-10", &[("PRP kit", "AB-12"), ("Cannula", "C-9")]),
            record(2, "2027-02-10", &[("PRP kit", "AB-13")]),
        ];
        let sources = [
            RecallSource {
                patient: "p2",
                patient_name: "Ana Ruiz",
                plan: "plan-b",
                records: &first,
            },
            RecallSource {
                patient: "p1",
                patient_name: "Lee Chan",
                plan: "plan-a",
                records: &second,
            },
        ];
        let found = find_lot("Ab-12  ", sources);
        let summary: Vec<(&str, &str, u32, String)> = found
            .iter()
            .map(|hit| {
                (
                    hit.lot.as_str(),
                    hit.patient_name.as_str(),
                    hit.session,
                    hit.performed.to_string(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                ("AB-12", "Lee Chan", 1, "2027-01-10".to_owned()),
                ("ab-12", "Ana Ruiz", 1, "2027-02-01".to_owned()),
            ]
        );
        assert!(find_lot("   ", sources).is_empty());
        assert!(find_lot("AB-1", sources).is_empty());
    }

    #[test]
    fn suggestions_put_the_most_used_lot_first_in_its_usual_spelling() {
        let records = [
            record(1, "2027-01-10", &[("PRP kit", "AB-12"), ("Cannula", "C-9")]),
            record(
                2,
                "2027-02-10",
                &[("PRP kit", "ab-12 "), ("PRP kit", "AB-13")],
            ),
            record(3, "2027-03-10", &[("PRP kit", "AB-12")]),
        ];
        let sources = [RecallSource {
            patient: "p1",
            patient_name: "Lee Chan",
            plan: "plan-a",
            records: &records,
        }];
        let lots = |typed: &str, limit| -> Vec<(String, usize)> {
            lot_suggestions(typed, sources, limit)
                .into_iter()
                .map(|suggestion| (suggestion.lot, suggestion.uses))
                .collect()
        };
        assert_eq!(
            lots("a", 10),
            [("AB-12".to_owned(), 3), ("AB-13".to_owned(), 1)]
        );
        assert_eq!(
            lots("", 2),
            [("AB-12".to_owned(), 3), ("AB-13".to_owned(), 1)]
        );
        assert_eq!(lots(" c", 10), [("C-9".to_owned(), 1)]);
        assert!(lots("x", 10).is_empty());
        assert_eq!(lot_suggestions("ab-12", sources, 1)[0].material, "PRP kit");
    }
}
