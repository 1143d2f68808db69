//! The store's own on-disk shapes of what was done at a session, of the scores
//! entered at visits and of the plan's photographs, and their conversions to and from the engine's types.
//!
//! As for the rest of a revision (`disk.rs`), the engine's [`SessionRecord`] and
//! [`Score`] may change as the app grows, but a file, once written, does not: a change
//! of these shapes is a change of the format, caught by `tests/store_format.rs`. The
//! leaves are the catalog's and the engine's ids (`MaterialKind`, `AdverseSeverity`,
//! `Technique`, scale ids), whose text is stable by contract.

use jiff::Timestamp;
use jiff::civil::{Date, Time};
use serde::{Deserialize, Serialize};

use crate::catalog::{ScaleId, Technique};
use crate::planning::{
    Administration, AdverseEvent, AdverseSeverity, Anaesthetic, Harvest, Material, MaterialKind,
    PhotoMoment, PlanPhoto, Product, Score, SessionRecord, Spin,
};

/// What was done at one session, as a revision holds it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct SessionRecordDisk {
    pub session: u32,
    pub performed_on: Date,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub performed_at: Option<Time>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub performer: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub harvest: Option<HarvestDisk>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub materials: Vec<MaterialDisk>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub spins: Vec<SpinDisk>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product: Option<ProductDisk>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub administration: Vec<AdministrationDisk>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight_kg: Option<f64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub anaesthetics: Vec<AnaestheticDisk>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub harvest_to_injection_minutes: Option<u32>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub adverse_events: Vec<AdverseEventDisk>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

/// The tissue or blood taken.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct HarvestDisk {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volume_ml: Option<f64>,
}

/// A device, kit or product with its lot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct MaterialDisk {
    pub name: String,
    pub kind: MaterialKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lot: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiry: Option<Date>,
}

/// One centrifuge run.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub(crate) struct SpinDisk {
    pub g: u32,
    pub minutes: u32,
}

/// What was measured in the product.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct ProductDisk {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platelet_factor: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platelets_thousand_per_ul: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cells_million: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub viability_percent: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volume_ml: Option<f64>,
}

/// Where the product went.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct AdministrationDisk {
    pub site: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volume_ml: Option<f64>,
}

/// A local anaesthetic given.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct AnaestheticDisk {
    pub agent: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub technique: Option<Technique>,
    pub total_mg: f64,
}

/// Something that went wrong.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct AdverseEventDisk {
    pub what: String,
    pub severity: AdverseSeverity,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    pub resolved: bool,
}

/// A score entered at a visit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct ScoreDisk {
    pub scale: ScaleId,
    pub value: f64,
    pub date: Date,
}

/// A photograph of a plan: its hash names the original in `photos/`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct PhotoDisk {
    pub sha256: String,
    pub view: String,
    pub taken: Date,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub moment: Option<MomentDisk>,
    pub width: u32,
    pub height: u32,
    pub added_at: Timestamp,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub removed: bool,
}

/// The visit a photograph belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum MomentDisk {
    #[serde(rename = "session")]
    Session(u32),
    #[serde(rename = "follow-up")]
    FollowUp(u32),
}

// ----- conversions at the edge -----
//
// Each conversion destructures its source completely, so that a field added to the
// engine's type fails to compile here until the file's shape is decided.

impl From<&SessionRecord> for SessionRecordDisk {
    fn from(record: &SessionRecord) -> Self {
        let SessionRecord {
            session,
            performed_on,
            performed_at,
            performer,
            harvest,
            materials,
            spins,
            product,
            administration,
            weight_kg,
            anaesthetics,
            harvest_to_injection_minutes,
            adverse_events,
            notes,
        } = record;
        SessionRecordDisk {
            session: *session,
            performed_on: *performed_on,
            performed_at: *performed_at,
            performer: performer.clone(),
            harvest: harvest
                .as_ref()
                .map(|Harvest { site, volume_ml }| HarvestDisk {
                    site: site.clone(),
                    volume_ml: *volume_ml,
                }),
            materials: materials
                .iter()
                .map(
                    |Material {
                         name,
                         kind,
                         lot,
                         expiry,
                     }| MaterialDisk {
                        name: name.clone(),
                        kind: *kind,
                        lot: lot.clone(),
                        expiry: *expiry,
                    },
                )
                .collect(),
            spins: spins
                .iter()
                .map(|&Spin { g, minutes }| SpinDisk { g, minutes })
                .collect(),
            product: product.as_ref().map(ProductDisk::from),
            administration: administration
                .iter()
                .map(|Administration { site, volume_ml }| AdministrationDisk {
                    site: site.clone(),
                    volume_ml: *volume_ml,
                })
                .collect(),
            weight_kg: *weight_kg,
            anaesthetics: anaesthetics
                .iter()
                .map(
                    |Anaesthetic {
                         agent,
                         technique,
                         total_mg,
                     }| AnaestheticDisk {
                        agent: agent.clone(),
                        technique: *technique,
                        total_mg: *total_mg,
                    },
                )
                .collect(),
            harvest_to_injection_minutes: *harvest_to_injection_minutes,
            adverse_events: adverse_events
                .iter()
                .map(
                    |AdverseEvent {
                         what,
                         severity,
                         action,
                         resolved,
                     }| AdverseEventDisk {
                        what: what.clone(),
                        severity: *severity,
                        action: action.clone(),
                        resolved: *resolved,
                    },
                )
                .collect(),
            notes: notes.clone(),
        }
    }
}

impl From<&Product> for ProductDisk {
    fn from(product: &Product) -> Self {
        let Product {
            platelet_factor,
            platelets_thousand_per_ul,
            cells_million,
            viability_percent,
            volume_ml,
        } = *product;
        ProductDisk {
            platelet_factor,
            platelets_thousand_per_ul,
            cells_million,
            viability_percent,
            volume_ml,
        }
    }
}

impl From<SessionRecordDisk> for SessionRecord {
    fn from(disk: SessionRecordDisk) -> Self {
        SessionRecord {
            session: disk.session,
            performed_on: disk.performed_on,
            performed_at: disk.performed_at,
            performer: disk.performer,
            harvest: disk.harvest.map(|harvest| Harvest {
                site: harvest.site,
                volume_ml: harvest.volume_ml,
            }),
            materials: disk
                .materials
                .into_iter()
                .map(|material| Material {
                    name: material.name,
                    kind: material.kind,
                    lot: material.lot,
                    expiry: material.expiry,
                })
                .collect(),
            spins: disk
                .spins
                .into_iter()
                .map(|spin| Spin {
                    g: spin.g,
                    minutes: spin.minutes,
                })
                .collect(),
            product: disk.product.map(|product| Product {
                platelet_factor: product.platelet_factor,
                platelets_thousand_per_ul: product.platelets_thousand_per_ul,
                cells_million: product.cells_million,
                viability_percent: product.viability_percent,
                volume_ml: product.volume_ml,
            }),
            administration: disk
                .administration
                .into_iter()
                .map(|given| Administration {
                    site: given.site,
                    volume_ml: given.volume_ml,
                })
                .collect(),
            weight_kg: disk.weight_kg,
            anaesthetics: disk
                .anaesthetics
                .into_iter()
                .map(|given| Anaesthetic {
                    agent: given.agent,
                    technique: given.technique,
                    total_mg: given.total_mg,
                })
                .collect(),
            harvest_to_injection_minutes: disk.harvest_to_injection_minutes,
            adverse_events: disk
                .adverse_events
                .into_iter()
                .map(|event| AdverseEvent {
                    what: event.what,
                    severity: event.severity,
                    action: event.action,
                    resolved: event.resolved,
                })
                .collect(),
            notes: disk.notes,
        }
    }
}

impl From<&Score> for ScoreDisk {
    fn from(score: &Score) -> Self {
        let Score { scale, value, date } = score;
        ScoreDisk {
            scale: scale.clone(),
            value: *value,
            date: *date,
        }
    }
}

impl From<ScoreDisk> for Score {
    fn from(disk: ScoreDisk) -> Self {
        Score {
            scale: disk.scale,
            value: disk.value,
            date: disk.date,
        }
    }
}

impl From<&PlanPhoto> for PhotoDisk {
    fn from(photo: &PlanPhoto) -> Self {
        let PlanPhoto {
            sha256,
            view,
            taken,
            moment,
            width,
            height,
            added_at,
            removed,
        } = photo;
        PhotoDisk {
            sha256: sha256.clone(),
            view: view.clone(),
            taken: *taken,
            moment: moment.map(|moment| match moment {
                PhotoMoment::Session(number) => MomentDisk::Session(number),
                PhotoMoment::FollowUp(number) => MomentDisk::FollowUp(number),
            }),
            width: *width,
            height: *height,
            added_at: *added_at,
            removed: *removed,
        }
    }
}

impl From<PhotoDisk> for PlanPhoto {
    fn from(disk: PhotoDisk) -> Self {
        PlanPhoto {
            sha256: disk.sha256,
            view: disk.view,
            taken: disk.taken,
            moment: disk.moment.map(|moment| match moment {
                MomentDisk::Session(number) => PhotoMoment::Session(number),
                MomentDisk::FollowUp(number) => PhotoMoment::FollowUp(number),
            }),
            width: disk.width,
            height: disk.height,
            added_at: disk.added_at,
            removed: disk.removed,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_record_keeps_every_field_through_its_shape_on_disk() {
        let day = Date::new(2027, 2, 3).unwrap();
        let record = SessionRecord {
            session: 2,
            performed_on: day,
            performed_at: Some(Time::new(9, 30, 0, 0).unwrap()),
            performer: Some("Dr. Ruiz".into()),
            harvest: Some(Harvest {
                site: Some("abdomen".into()),
                volume_ml: Some(60.0),
            }),
            materials: vec![Material {
                name: "PRP kit".into(),
                kind: MaterialKind::Kit,
                lot: Some("A-17".into()),
                expiry: Some(Date::new(2028, 1, 1).unwrap()),
            }],
            spins: vec![Spin { g: 300, minutes: 5 }],
            product: Some(Product {
                platelet_factor: Some(4.5),
                platelets_thousand_per_ul: Some(1100.0),
                cells_million: Some(12.0),
                viability_percent: Some(91.0),
                volume_ml: Some(6.0),
            }),
            administration: vec![Administration {
                site: "left knee".into(),
                volume_ml: Some(5.5),
            }],
            weight_kg: Some(71.5),
            anaesthetics: vec![Anaesthetic {
                agent: "lidocaine 1%".into(),
                technique: Some(Technique::ALL[0]),
                total_mg: 120.0,
            }],
            harvest_to_injection_minutes: Some(40),
            adverse_events: vec![AdverseEvent {
                what: "bruise".into(),
                severity: AdverseSeverity::Mild,
                action: Some("cold pack".into()),
                resolved: true,
            }],
            notes: Some("well tolerated".into()),
        };
        let text = ron::to_string(&SessionRecordDisk::from(&record)).unwrap();
        let back: SessionRecordDisk = ron::from_str(&text).unwrap();
        assert_eq!(SessionRecord::from(back), record);
    }
}
