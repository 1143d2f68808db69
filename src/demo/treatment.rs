//! What the demo clinic recorded about the sessions that took place, and the outcome
//! scores it entered: the harvest, the kits, devices and products with their lots and
//! expiry dates, the centrifuge runs, the product, where it went, the anaesthetic
//! within the protocol's maximum (now and then above it, with the adverse event that
//! asks for), the time to injection, and scores at the baseline and the follow-ups that
//! mostly improve, some less than what matters and a few not at all.
//!
//! Lots are what a clinic's stock makes them: every patient treated in the same weeks
//! gets a kit of the same few lots, so a recall finds many patients, as a real one does.
//! A lot's number and expiry come from its material and month alone.
//!
//! Pure, and a stream of its own: the plan's other events draw from another stream, so
//! adding records changed none of the plans, revisions or their times.

use jiff::ToSpan as _;
use jiff::civil::Date;

use super::rng::Rng;
use crate::catalog::{Area, Better, Catalog, CellSource, Modality, Scale, Technique};
use crate::planning::{
    Administration, AdverseEvent, AdverseSeverity, Anaesthetic, Harvest, Material, MaterialKind,
    Plan, Product, Score, SessionRecord, Spin, dose_limits,
};

/// A material of the demo clinic's stock: its name, what it is, the prefix of its lots
/// and how many months a lot keeps.
struct Stock {
    name: &'static str,
    kind: MaterialKind,
    prefix: &'static str,
    shelf_months: i64,
}

const PRP_KIT: Stock = Stock {
    name: "PRP preparation kit, 2 tubes",
    kind: MaterialKind::Kit,
    prefix: "PK",
    shelf_months: 24,
};
const PRF_TUBES: Stock = Stock {
    name: "PRF glass tubes, 10 mL",
    kind: MaterialKind::Kit,
    prefix: "GT",
    shelf_months: 36,
};
const FAT_KIT: Stock = Stock {
    name: "Closed fat processing kit",
    kind: MaterialKind::Kit,
    prefix: "FK",
    shelf_months: 18,
};
const CANNULA: Stock = Stock {
    name: "Harvest cannula, 2.5 mm",
    kind: MaterialKind::Device,
    prefix: "HC",
    shelf_months: 60,
};
const MARROW_KIT: Stock = Stock {
    name: "Bone marrow aspiration and concentration kit",
    kind: MaterialKind::Kit,
    prefix: "BM",
    shelf_months: 24,
};
const LIDOCAINE: Stock = Stock {
    name: "Lidocaine 1% with adrenaline 1:200,000, 20 mL vial",
    kind: MaterialKind::Product,
    prefix: "LA",
    shelf_months: 30,
};
const SECRETOME: Stock = Stock {
    name: "Secretome (conditioned medium) vial, 5 mL",
    kind: MaterialKind::Product,
    prefix: "SV",
    shelf_months: 12,
};
const DONOR_CELLS: Stock = Stock {
    name: "Allogeneic cell product, 1 vial",
    kind: MaterialKind::Product,
    prefix: "AC",
    shelf_months: 6,
};
const PLANT_EXTRACT: Stock = Stock {
    name: "Plant stem-cell extract serum, 30 mL",
    kind: MaterialKind::Product,
    prefix: "PE",
    shelf_months: 24,
};

/// The material of `stock` used on `day`: one of the two lots the clinic had open that
/// month, with an expiry a shelf life after the month the lot was made (a few months
/// before it was used).
fn material(stock: &Stock, day: Date, rng: &mut Rng) -> Material {
    let which = rng.below(100);
    // Most sessions of a month use the month's main lot; a few the one before it.
    let made = if which < 80 {
        day.first_of_month().saturating_sub(2.months())
    } else {
        day.first_of_month().saturating_sub(3.months())
    };
    let letter = if which < 80 { 'A' } else { 'B' };
    let lot = format!(
        "{}-{:02}{:02}-{letter}",
        stock.prefix,
        made.year() % 100,
        made.month()
    );
    let expiry = made
        .saturating_add(stock.shelf_months.months())
        .last_of_month();
    Material {
        name: stock.name.to_owned(),
        kind: stock.kind,
        lot: Some(lot),
        expiry: Some(expiry),
    }
}

/// Who the demo records say performed a session.
const PERFORMERS: &[&str] = &["Dr. Demo Vega", "Dr. Demo Okafor", "Dr. Demo Lindqvist"];

/// What went wrong now and then, with what was done.
const MILD_EVENTS: &[(&str, &str)] = &[
    ("Bruising at the injection site", "Cold packs; reassured"),
    ("Swelling and soreness for two days", "Paracetamol and rest"),
    (
        "Vasovagal episode during the blood draw",
        "Lying flat, oral fluids; recovered within minutes",
    ),
    ("Redness of the treated skin for three days", "None needed"),
];
const MODERATE_EVENTS: &[(&str, &str)] = &[
    (
        "Painful effusion of the joint for a week",
        "Rest, ice and paracetamol; reviewed at day 5",
    ),
    ("Donor-site haematoma", "Compression; reviewed at day 3"),
];

/// The record of session `number` of `plan`, performed on the planned day: what a
/// careful clinic writes down for this kind of treatment.
pub(super) fn session_record(
    catalog: &Catalog,
    plan: &Plan,
    number: u32,
    day: Date,
    weight_kg: f64,
    rng: &mut Rng,
) -> SessionRecord {
    let selection = &plan.selection;
    let mut record = SessionRecord::new(number, day);
    let (Ok(hour), Ok(minute)) = (
        i8::try_from(rng.between(8, 16)),
        i8::try_from(rng.between(0, 3) * 15),
    ) else {
        return record;
    };
    record.performed_at = jiff::civil::Time::new(hour, minute, 0, 0).ok();
    record.performer = rng.pick(PERFORMERS).map(|name| (*name).to_owned());
    let area = selection.area.label().to_lowercase();
    let product_volume = biologic(&mut record, selection.source, day, rng);
    if selection.modality == Modality::Injection || selection.modality == Modality::FatGrafting {
        record.administration = sites(selection.area, &area, product_volume, rng);
    }
    anaesthetic(catalog, plan, &mut record, weight_kg, rng);
    if record.adverse_events.is_empty() {
        record.adverse_events.extend(adverse_event(rng));
    }
    if rng.chance(12) {
        record.notes = Some(
            rng.pick(&[
                "Tolerated well; aftercare explained again.",
                "Patient anxious; procedure paused once, completed.",
                "Product slightly haemolysed; used as planned.",
                "Photographs taken under the standard lighting.",
            ])
            .copied()
            .unwrap_or("Tolerated well.")
            .to_owned(),
        );
    }
    record
}

/// The harvest, the materials with their lots, the centrifuge runs and the product of a
/// session with this biologic; returns the product's volume, when there is one.
fn biologic(
    record: &mut SessionRecord,
    source: CellSource,
    day: Date,
    rng: &mut Rng,
) -> Option<f64> {
    let mut product_volume = None;
    match source {
        CellSource::AutologousPrp | CellSource::AutologousPrf => {
            let drawn = rng.between(2, 6) * 10;
            record.harvest = Some(Harvest {
                site: Some(
                    if rng.chance(70) {
                        "right antecubital vein"
                    } else {
                        "left antecubital vein"
                    }
                    .to_owned(),
                ),
                volume_ml: Some(to_f64(drawn)),
            });
            let prp = source == CellSource::AutologousPrp;
            record
                .materials
                .push(material(if prp { &PRP_KIT } else { &PRF_TUBES }, day, rng));
            record.spins.push(if prp {
                Spin {
                    g: 1500,
                    minutes: 10,
                }
            } else {
                Spin { g: 700, minutes: 3 }
            });
            if prp && rng.chance(40) {
                record.spins.push(Spin {
                    g: 3000,
                    minutes: 10,
                });
            }
            let volume = to_f64(drawn) * to_f64(rng.between(10, 18)) / 100.0;
            product_volume = Some(round_to(volume, 0.5));
            record.product = Some(Product {
                platelet_factor: prp.then(|| round_to(to_f64(rng.between(25, 65)) / 10.0, 0.1)),
                volume_ml: product_volume,
                ..Product::default()
            });
            record.harvest_to_injection_minutes = minutes(rng.between(15, 45));
        }
        CellSource::AutologousAdipose => {
            let fat = rng.between(4, 25) * 10;
            record.harvest = Some(Harvest {
                site: Some(
                    rng.pick(&["lower abdomen", "flank", "inner thigh"])
                        .copied()
                        .unwrap_or("lower abdomen")
                        .to_owned(),
                ),
                volume_ml: Some(to_f64(fat)),
            });
            record.materials.push(material(&CANNULA, day, rng));
            record.materials.push(material(&FAT_KIT, day, rng));
            record.materials.push(material(&LIDOCAINE, day, rng));
            record.spins.push(Spin {
                g: 1200,
                minutes: 3,
            });
            let cells = to_f64(fat) * to_f64(rng.between(15, 60)) / 100.0;
            product_volume = Some(round_to(to_f64(fat) * 0.4, 1.0));
            record.product = Some(Product {
                cells_million: Some(round_to(cells, 0.1)),
                viability_percent: Some(to_f64(rng.between(72, 94))),
                volume_ml: product_volume,
                ..Product::default()
            });
            record.harvest_to_injection_minutes = minutes(rng.between(40, 110));
        }
        CellSource::AutologousBoneMarrow => {
            let aspirate = rng.between(3, 6) * 10;
            record.harvest = Some(Harvest {
                site: Some("posterior iliac crest".to_owned()),
                volume_ml: Some(to_f64(aspirate)),
            });
            record.materials.push(material(&MARROW_KIT, day, rng));
            record.materials.push(material(&LIDOCAINE, day, rng));
            record.spins.push(Spin {
                g: 1000,
                minutes: 15,
            });
            product_volume = Some(to_f64(rng.between(3, 8)));
            record.product = Some(Product {
                cells_million: Some(round_to(to_f64(rng.between(80, 600)) / 10.0, 0.1)),
                viability_percent: Some(to_f64(rng.between(85, 98))),
                volume_ml: product_volume,
                ..Product::default()
            });
            record.harvest_to_injection_minutes = minutes(rng.between(30, 90));
        }
        CellSource::Secretome => record.materials.push(material(&SECRETOME, day, rng)),
        CellSource::Allogeneic => record.materials.push(material(&DONOR_CELLS, day, rng)),
        CellSource::PlantDerived => record.materials.push(material(&PLANT_EXTRACT, day, rng)),
    }
    product_volume
}

/// Now and then something that went wrong: mild in one session of twenty, moderate in
/// one of a hundred.
fn adverse_event(rng: &mut Rng) -> Option<AdverseEvent> {
    let roll = rng.below(100);
    let event = if roll < 5 {
        rng.pick(MILD_EVENTS)
            .map(|event| (event, AdverseSeverity::Mild))
    } else if roll < 6 {
        rng.pick(MODERATE_EVENTS)
            .map(|event| (event, AdverseSeverity::Moderate))
    } else {
        None
    };
    let ((what, action), severity) = event?;
    Some(AdverseEvent {
        what: (*what).to_owned(),
        severity,
        action: Some((*action).to_owned()),
        resolved: rng.chance(90),
    })
}

/// Where the product went: one site, or both sides for a face or a pair of joints, with
/// the product's volume shared between them.
fn sites(area: Area, label: &str, volume: Option<f64>, rng: &mut Rng) -> Vec<Administration> {
    let paired =
        matches!(area, Area::Face | Area::Knee | Area::Hips | Area::Shoulder) && rng.chance(35);
    if paired {
        let half = volume.map(|volume| round_to(volume / 2.0, 0.5));
        ["left", "right"]
            .into_iter()
            .map(|side| Administration {
                site: format!("{side} {label}"),
                volume_ml: half,
            })
            .collect()
    } else {
        let side = if matches!(
            area,
            Area::Knee | Area::Shoulder | Area::Elbow | Area::Tendon
        ) {
            if rng.chance(50) { "left " } else { "right " }
        } else {
            ""
        };
        vec![Administration {
            site: format!("{side}{label}"),
            volume_ml: volume,
        }]
    }
}

/// The anaesthetic of a session whose protocol sets a maximum: mostly a third to three
/// quarters of it, and now and then (one session in a hundred and fifty) above it, with
/// the toxicity signs it was watched for recorded as an adverse event.
fn anaesthetic(
    catalog: &Catalog,
    plan: &Plan,
    record: &mut SessionRecord,
    weight_kg: f64,
    rng: &mut Rng,
) {
    let limits = dose_limits(catalog, plan, record.session);
    let Some(limit) = limits.first() else {
        return;
    };
    record.weight_kg = Some(weight_kg);
    let by_weight = f64::from(limit.mg_per_kg.tenths()) * weight_kg / 10.0;
    let maximum = limit
        .max_mg
        .map_or(by_weight, |cap| by_weight.min(f64::from(cap)));
    let over = rng.below(150) == 0;
    let share = if over {
        to_f64(rng.between(105, 125)) / 100.0
    } else {
        to_f64(rng.between(30, 75)) / 100.0
    };
    record.anaesthetics.push(Anaesthetic {
        agent: limit.drug.clone(),
        technique: limit.technique.or(Some(Technique::Infiltration)),
        total_mg: round_to(maximum * share, 10.0),
    });
    if over {
        record.adverse_events.push(AdverseEvent {
            what: "Perioral tingling and light-headedness an hour after the anaesthetic".to_owned(),
            severity: AdverseSeverity::Moderate,
            action: Some("Monitored for six hours; no treatment needed".to_owned()),
            resolved: true,
        });
    }
}

/// How a patient responds, the same on every scale of the plan: most improve, some by
/// less than matters, a few not at all or worse.
#[derive(Debug, Clone, Copy)]
pub(super) struct Response {
    /// Where on the scale the patient starts, from 0 (worst) to 1 (best).
    baseline: f64,
    /// How far the patient has moved by the last follow-up, on the same 0-1 axis.
    change: f64,
}

impl Response {
    /// A patient's response.
    pub(super) fn draw(rng: &mut Rng) -> Self {
        let baseline = to_f64(rng.between(15, 45)) / 100.0;
        let change = match rng.below(100) {
            0..=59 => to_f64(rng.between(15, 35)) / 100.0,
            60..=84 => to_f64(rng.between(2, 8)) / 100.0,
            _ => -to_f64(rng.between(0, 6)) / 100.0,
        };
        Response { baseline, change }
    }

    /// The score on `scale` at `progress` (0 at the baseline, 1 at the last follow-up),
    /// with a little noise, within the range and rounded as the scale is scored.
    fn value(self, scale: &Scale, progress: f64, rng: &mut Rng) -> f64 {
        let noise = to_f64(rng.between(-3, 3)) / 100.0;
        let position = (self.baseline + self.change * progress + noise).clamp(0.0, 1.0);
        let span = scale.range.max - scale.range.min;
        let value = match scale.better {
            Better::Higher => scale.range.min + position * span,
            Better::Lower => scale.range.max - position * span,
        };
        let step = if scale.whole_numbers {
            1.0
        } else if span <= 20.0 {
            0.1
        } else {
            0.5
        };
        round_to(value, step).clamp(scale.range.min, scale.range.max)
    }
}

/// The scores of a plan: at the first session (the baseline, on every scale its
/// follow-ups name, except a scale that rates a change, such as GAIS), then at each
/// follow-up visit before `today`, on the scales that visit names.
pub(super) fn scores(
    catalog: &Catalog,
    plan: &Plan,
    today: Date,
    response: Response,
    rng: &mut Rng,
) -> Vec<Score> {
    let scales = catalog.scales();
    let visits: Vec<(Date, Vec<&Scale>)> = plan
        .follow_ups
        .iter()
        .map(|visit| (visit.date, crate::planning::visit_scales(scales, visit)))
        .filter(|(_, named)| !named.is_empty())
        .collect();
    let Some(first) = plan.sessions.first() else {
        return Vec::new();
    };
    if first.date >= today {
        return Vec::new();
    }
    let mut all: Vec<&Scale> = visits
        .iter()
        .flat_map(|(_, named)| named.iter().copied())
        .collect();
    all.sort_by(|a, b| a.id.cmp(&b.id));
    all.dedup_by(|a, b| a.id == b.id);
    let mut scores = Vec::new();
    let mut add = |scale: &Scale, date: Date, progress: f64, rng: &mut Rng| {
        let value = response.value(scale, progress, rng);
        if let Ok(score) = Score::new(scales, scale.id.as_str(), value, date, today) {
            scores.push(score);
        }
    };
    for scale in &all {
        if scale.id.as_str() != "gais" {
            add(scale, first.date, 0.0, rng);
        }
    }
    let count = visits.len();
    for (index, (date, named)) in visits.iter().enumerate() {
        if *date >= today {
            break;
        }
        // Most of the effect by the middle visits; the last one holds it.
        let progress = (to_f64(index + 1) / to_f64(count).max(1.0)).sqrt();
        for scale in named {
            add(scale, *date, progress, rng);
        }
    }
    scores
}

/// A count of minutes drawn as a whole number.
fn minutes(drawn: i64) -> Option<u32> {
    u32::try_from(drawn).ok()
}

/// A small whole number as a float.
fn to_f64(value: impl TryInto<i32>) -> f64 {
    value.try_into().map_or(0.0, f64::from)
}

/// `value` rounded to a multiple of `step` (a step below 1 is a power of ten or a half,
/// so that the result prints without a trailing error: 4.3, not 4.300000000000001).
fn round_to(value: f64, step: f64) -> f64 {
    if step < 1.0 {
        let per_unit = (1.0 / step).round();
        (value * per_unit).round() / per_unit
    } else {
        (value / step).round() * step
    }
}
