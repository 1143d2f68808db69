//! What was done at a session: the treatment record with the biologic's chain of
//! custody (harvest, materials and their lots, processing, the product, where it went,
//! how long it waited), the anaesthetic against the protocol's maximum, and adverse
//! events.
//!
//! Pure: the record is checked against "today" and the protocol's dose limits, both
//! passed in. The types serialize with serde, but the store keeps its own file types.

use jiff::civil::{Date, Time};
use serde::{Deserialize, Serialize};

use crate::catalog::ids::string_enum;
use crate::catalog::{Catalog, DoseLimit, Technique, number};

use super::plan::Plan;

string_enum! {
    /// What a material used at a session is.
    MaterialKind, "material kind" {
        /// A device, such as a cannula or a centrifuge.
        Device = "device", "Device";
        /// A processing kit, such as a PRP tube set.
        Kit = "kit", "Kit";
        /// A product given to the patient, such as a cell product or an anaesthetic.
        Product = "product", "Product";
    }
}

string_enum! {
    /// How severe an adverse event was.
    AdverseSeverity, "severity" {
        /// Noticed, no treatment needed.
        Mild = "mild", "Mild";
        /// Needed treatment or limited the patient.
        Moderate = "moderate", "Moderate";
        /// Dangerous, disabling, or needed hospital care.
        Severe = "severe", "Severe";
    }
}

/// The tissue or blood taken.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Harvest {
    /// Where it was taken from, such as "abdomen" or "posterior iliac crest".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site: Option<String>,
    /// How much, in millilitres.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volume_ml: Option<f64>,
}

/// A device, kit or product used, with its lot: what a recall searches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Material {
    /// Its name as on the label.
    pub name: String,
    /// Device, kit or product.
    pub kind: MaterialKind,
    /// The lot or batch number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lot: Option<String>,
    /// The expiry date on the label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiry: Option<Date>,
}

/// One centrifuge run; double-spin preparations have two.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Spin {
    /// The relative centrifugal force, in multiples of g.
    pub g: u32,
    /// How long, in minutes.
    pub minutes: u32,
}

/// What was measured in the product before it was given.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Product {
    /// How many times the patient's blood platelet count the product holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platelet_factor: Option<f64>,
    /// Platelets in the product, in thousands per microlitre (10⁹/L).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platelets_thousand_per_ul: Option<f64>,
    /// Cells in the product (nucleated or stromal vascular fraction cells), in millions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cells_million: Option<f64>,
    /// The share of living cells, in per cent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub viability_percent: Option<f64>,
    /// The volume of product, in millilitres.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volume_ml: Option<f64>,
}

/// Where the product went.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Administration {
    /// The site, such as "left knee, lateral approach" or "left cheek".
    pub site: String,
    /// How much was injected there, in millilitres.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volume_ml: Option<f64>,
}

/// A local anaesthetic given.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Anaesthetic {
    /// The drug and where it was given. When it is written exactly as one of the
    /// protocol's dose limits names its drug, it is checked against that limit on its
    /// own.
    pub agent: String,
    /// How it was given: it is checked against the protocol's limit for that technique
    /// (tumescent, infiltration, nerve block) when the agent names none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub technique: Option<Technique>,
    /// The total given at the session, in milligrams.
    pub total_mg: f64,
}

/// Something that went wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdverseEvent {
    /// What happened.
    pub what: String,
    /// How severe it was.
    pub severity: AdverseSeverity,
    /// What was done about it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    /// Whether it has resolved.
    pub resolved: bool,
}

/// What was done at one session of a plan. Everything but the session and the date is
/// optional: a clinic records what it measures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionRecord {
    /// The plan's session (1-based).
    pub session: u32,
    /// The day it took place.
    pub performed_on: Date,
    /// The time it began, where recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub performed_at: Option<Time>,
    /// Who performed it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub performer: Option<String>,
    /// The tissue or blood taken, where there was a harvest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub harvest: Option<Harvest>,
    /// Devices, kits and products used, with their lots.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub materials: Vec<Material>,
    /// The centrifuge runs, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub spins: Vec<Spin>,
    /// What was measured in the product.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product: Option<Product>,
    /// Where it was given.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub administration: Vec<Administration>,
    /// The patient's weight on the day, in kilograms: the anaesthetic is checked
    /// against it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight_kg: Option<f64>,
    /// Local anaesthetics given.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub anaesthetics: Vec<Anaesthetic>,
    /// Minutes from the end of the harvest to the injection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub harvest_to_injection_minutes: Option<u32>,
    /// What went wrong, if anything.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub adverse_events: Vec<AdverseEvent>,
    /// Free notes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

impl SessionRecord {
    /// A record of session `session` performed on `performed_on`, with nothing else yet.
    #[must_use]
    pub fn new(session: u32, performed_on: Date) -> Self {
        Self {
            session,
            performed_on,
            performed_at: None,
            performer: None,
            harvest: None,
            materials: Vec::new(),
            spins: Vec::new(),
            product: None,
            administration: Vec::new(),
            weight_kg: None,
            anaesthetics: Vec::new(),
            harvest_to_injection_minutes: None,
            adverse_events: Vec::new(),
            notes: None,
        }
    }

    /// The total of local anaesthetic given, in milligrams.
    #[must_use]
    pub fn anaesthetic_total_mg(&self) -> f64 {
        self.anaesthetics.iter().map(|given| given.total_mg).sum()
    }
}

/// What a record is checked against.
#[derive(Debug, Clone, Copy)]
pub struct RecordCheck<'a> {
    /// Today: no date of the record may be later.
    pub today: Date,
    /// How many sessions the plan has.
    pub session_count: u32,
    /// The protocol's maximum doses by weight for this session ([`dose_limits`]).
    pub dose_limits: &'a [DoseLimit],
}

/// One field of a record that is not what is expected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldProblem {
    /// Which field, as a path: `harvest.volume_ml`, `materials[2].expiry`.
    pub field: String,
    /// What is expected, in one sentence.
    pub message: String,
}

/// A record that was refused; nothing was saved or changed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the session was not recorded: {}", problems.iter().map(|problem| problem.message.as_str()).collect::<Vec<_>>().join(" "))]
pub struct InvalidRecord {
    /// Every problem found, in the order of the fields.
    pub problems: Vec<FieldProblem>,
}

/// Something a physician must know about an accepted record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordWarning {
    /// The warning in words, with what to do.
    pub message: String,
    /// Whether the record asks for an adverse-event entry that it does not have yet.
    pub asks_for_adverse_event: bool,
    /// What the patient is told of it on the handout, the consent form and the progress
    /// report, in plain words; `None` for the clinic's own bookkeeping (a weight not
    /// recorded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub for_patient: Option<String>,
}

/// The longest free text of a record's field, in characters.
const MAX_TEXT_CHARS: usize = 2_000;
/// The longest lot number, in characters.
const MAX_LOT_CHARS: usize = 64;

/// Collects the problems of one record, field by field.
#[derive(Default)]
struct Problems(Vec<FieldProblem>);

impl Problems {
    fn add(&mut self, field: impl Into<String>, message: String) {
        self.0.push(FieldProblem {
            field: field.into(),
            message,
        });
    }

    /// A required text: not blank, not too long, no control characters except line
    /// breaks in notes.
    fn text(&mut self, field: &str, label: &str, text: &str, multiline: bool) {
        if text.trim().is_empty() {
            self.add(
                field,
                format!("{label} is empty; write it or leave the entry out."),
            );
        } else if text.chars().count() > MAX_TEXT_CHARS {
            self.add(
                field,
                format!("{label} is longer than {MAX_TEXT_CHARS} characters; shorten it."),
            );
        } else if text
            .chars()
            .any(|c| c.is_control() && !(multiline && (c == '\n' || c == '\t')))
        {
            self.add(
                field,
                format!("{label} holds a control character; type it again as plain text."),
            );
        }
    }

    /// A number that must be finite and within `min..=max` (with `min` excluded when
    /// `above_min`), with its unit in the sentence.
    fn number(&mut self, field: &str, label: &str, value: f64, range: NumberRange) {
        let NumberRange {
            min,
            max,
            above_min,
            unit,
        } = range;
        let fits =
            value.is_finite() && value <= max && if above_min { value > min } else { value >= min };
        if !fits {
            let lower = if above_min {
                format!("more than {} {unit}", number(min))
            } else {
                format!("at least {} {unit}", number(min))
            };
            let given = if value.is_finite() {
                format!("{} {unit}", number(value))
            } else {
                "not a number".to_owned()
            };
            self.add(
                field,
                format!(
                    "{label} must be {lower} and at most {} {unit}; it is {given}.",
                    number(max)
                ),
            );
        }
    }

    fn date_not_after(&mut self, field: &str, label: &str, date: Date, today: Date) {
        if date > today {
            self.add(
                field,
                format!(
                    "{label} {date} is in the future; give the day it took place (today is {today})."
                ),
            );
        }
    }
}

#[derive(Clone, Copy)]
struct NumberRange {
    min: f64,
    max: f64,
    above_min: bool,
    unit: &'static str,
}

const fn above(min: f64, max: f64, unit: &'static str) -> NumberRange {
    NumberRange {
        min,
        max,
        above_min: true,
        unit,
    }
}

const fn from(min: f64, max: f64, unit: &'static str) -> NumberRange {
    NumberRange {
        min,
        max,
        above_min: false,
        unit,
    }
}

/// Volumes above this are typing errors for the procedures of this catalog.
const MAX_VOLUME_ML: f64 = 3_000.0;
/// A total of local anaesthetic above this is a typing error (a hundred times the usual
/// dose).
const MAX_ANAESTHETIC_MG: f64 = 20_000.0;

impl SessionRecord {
    /// Checks every field. An accepted record may still carry warnings, such as a dose
    /// above the protocol's maximum: that is recorded, because it happened, and the
    /// warning says what to do and asks for an adverse-event entry.
    ///
    /// # Errors
    /// With every field that is not what is expected, each with a sentence.
    pub fn check(&self, against: &RecordCheck<'_>) -> Result<Vec<RecordWarning>, InvalidRecord> {
        let mut problems = Problems::default();
        if self.session == 0 || self.session > against.session_count {
            problems.add(
                "session",
                format!(
                    "There is no session {} in this plan; it has {} session{}.",
                    self.session,
                    against.session_count,
                    if against.session_count == 1 { "" } else { "s" }
                ),
            );
        }
        problems.date_not_after(
            "performed_on",
            "The performed date",
            self.performed_on,
            against.today,
        );
        if let Some(performer) = &self.performer {
            problems.text("performer", "Who performed the session", performer, false);
        }
        self.check_harvest_and_materials(&mut problems);
        self.check_processing_and_product(&mut problems);
        self.check_administration_and_anaesthetic(&mut problems);
        self.check_events_and_notes(&mut problems);
        if problems.0.is_empty() {
            let mut warnings = self.expiry_warnings();
            warnings.extend(self.dose_warnings(against.dose_limits));
            Ok(warnings)
        } else {
            Err(InvalidRecord {
                problems: problems.0,
            })
        }
    }

    fn check_harvest_and_materials(&self, problems: &mut Problems) {
        if let Some(harvest) = &self.harvest {
            if let Some(site) = &harvest.site {
                problems.text("harvest.site", "The harvest site", site, false);
            }
            if let Some(volume) = harvest.volume_ml {
                problems.number(
                    "harvest.volume_ml",
                    "The harvested volume",
                    volume,
                    above(0.0, MAX_VOLUME_ML, "mL"),
                );
            }
        }
        for (index, material) in self.materials.iter().enumerate() {
            let field = |name: &str| format!("materials[{}].{name}", index + 1);
            problems.text(&field("name"), "The material's name", &material.name, false);
            if let Some(lot) = &material.lot {
                if lot.chars().count() > MAX_LOT_CHARS {
                    problems.add(
                        field("lot"),
                        format!(
                            "The lot number of {} is longer than {MAX_LOT_CHARS} characters; copy it from the label.",
                            material.name.trim()
                        ),
                    );
                } else {
                    problems.text(&field("lot"), "The lot number", lot, false);
                }
            }
        }
    }

    fn check_processing_and_product(&self, problems: &mut Problems) {
        for (index, spin) in self.spins.iter().enumerate() {
            let field = |name: &str| format!("spins[{}].{name}", index + 1);
            problems.number(
                &field("g"),
                "The centrifuge force",
                f64::from(spin.g),
                from(1.0, 10_000.0, "× g"),
            );
            problems.number(
                &field("minutes"),
                "The centrifuge time",
                f64::from(spin.minutes),
                from(1.0, 120.0, "minutes"),
            );
        }
        if let Some(product) = &self.product {
            let measured = [
                (
                    "product.platelet_factor",
                    "The platelet concentration factor",
                    product.platelet_factor,
                    above(0.0, 20.0, "times the blood count"),
                ),
                (
                    "product.platelets_thousand_per_ul",
                    "The platelet count",
                    product.platelets_thousand_per_ul,
                    above(0.0, 20_000.0, "× 10³/µL"),
                ),
                (
                    "product.cells_million",
                    "The cell count",
                    product.cells_million,
                    above(0.0, 100_000.0, "million cells"),
                ),
                (
                    "product.viability_percent",
                    "The cell viability",
                    product.viability_percent,
                    from(0.0, 100.0, "%"),
                ),
                (
                    "product.volume_ml",
                    "The product volume",
                    product.volume_ml,
                    above(0.0, MAX_VOLUME_ML, "mL"),
                ),
            ];
            for (field, label, value, range) in measured {
                if let Some(value) = value {
                    problems.number(field, label, value, range);
                }
            }
        }
    }

    fn check_administration_and_anaesthetic(&self, problems: &mut Problems) {
        for (index, site) in self.administration.iter().enumerate() {
            let field = |name: &str| format!("administration[{}].{name}", index + 1);
            problems.text(&field("site"), "The injection site", &site.site, false);
            if let Some(volume) = site.volume_ml {
                problems.number(
                    &field("volume_ml"),
                    "The volume injected at a site",
                    volume,
                    above(0.0, MAX_VOLUME_ML, "mL"),
                );
            }
        }
        if let Some(weight) = self.weight_kg {
            problems.number(
                "weight_kg",
                "The patient's weight",
                weight,
                from(20.0, 350.0, "kg"),
            );
        }
        for (index, given) in self.anaesthetics.iter().enumerate() {
            let field = |name: &str| format!("anaesthetics[{}].{name}", index + 1);
            problems.text(&field("agent"), "The anaesthetic", &given.agent, false);
            problems.number(
                &field("total_mg"),
                "The anaesthetic dose",
                given.total_mg,
                above(0.0, MAX_ANAESTHETIC_MG, "mg"),
            );
        }
        if let Some(minutes) = self.harvest_to_injection_minutes {
            if self.harvest.is_none() {
                problems.add(
                    "harvest_to_injection_minutes",
                    "The time from harvest to injection needs the harvest it counts from; record the harvest or leave the time out.".to_owned(),
                );
            }
            problems.number(
                "harvest_to_injection_minutes",
                "The time from harvest to injection",
                f64::from(minutes),
                from(0.0, 525_600.0, "minutes (one year)"),
            );
        }
    }

    fn check_events_and_notes(&self, problems: &mut Problems) {
        for (index, event) in self.adverse_events.iter().enumerate() {
            let field = |name: &str| format!("adverse_events[{}].{name}", index + 1);
            problems.text(&field("what"), "What happened", &event.what, false);
            if let Some(action) = &event.action {
                problems.text(&field("action"), "The action taken", action, true);
            }
        }
        if let Some(notes) = &self.notes {
            problems.text("notes", "The note", notes, true);
        }
    }

    /// Warnings for an anaesthetic above the protocol's maximum, or one that cannot be
    /// checked because the weight is missing.
    ///
    /// The day's total is checked against the highest maximum that applies (lidocaine
    /// given by any technique adds to the same total), and each entry against the limit
    /// of its own drug or technique.
    /// A material used after the expiry date on its label is recorded, because it was
    /// used, and flagged, so that the patient is watched and the incident reported.
    fn expiry_warnings(&self) -> Vec<RecordWarning> {
        self.materials
            .iter()
            .filter_map(|material| {
                let expiry = material.expiry.filter(|expiry| *expiry < self.performed_on)?;
                let lot = material
                    .lot
                    .as_deref()
                    .map(|lot| format!(" (lot {})", lot.trim()))
                    .unwrap_or_default();
                Some(RecordWarning {
                    message: format!(
                        "{}{lot} was used on {} after its expiry date {expiry}. It is recorded as it happened: check the date on the label, watch the patient for infection or a reaction, and report it under the clinic's incident procedure.",
                        material.name.trim(),
                        self.performed_on
                    ),
                    asks_for_adverse_event: false,
                    for_patient: Some(format!(
                        "At your session {} on {}, a material ({}{lot}) was used after its expiry date of {}. Your physician has recorded this and will talk it through with you. Call the clinic if the treated area becomes red, hot, swollen or more painful, or if you have a fever.",
                        self.session,
                        day_in_words(self.performed_on),
                        material.name.trim(),
                        day_in_words(expiry),
                    )),
                })
            })
            .collect()
    }

    fn dose_warnings(&self, limits: &[DoseLimit]) -> Vec<RecordWarning> {
        if self.anaesthetics.is_empty() || limits.is_empty() {
            return Vec::new();
        }
        let Some(weight) = self.weight_kg else {
            let per_kg: Vec<String> = limits
                .iter()
                .map(|limit| format!("{} mg/kg of {}", limit.mg_per_kg, limit.drug))
                .collect();
            return vec![RecordWarning {
                message: format!(
                    "The anaesthetic cannot be checked against the protocol's maximum ({}) without the patient's weight; record the weight.",
                    per_kg.join("; ")
                ),
                asks_for_adverse_event: false,
                for_patient: None,
            }];
        };
        let needs_entry = self.adverse_events.is_empty();
        let over = |given: f64, limit: &DoseLimit| {
            let maximum = max_mg(limit, weight);
            (given > maximum).then(|| RecordWarning {
                message: format!(
                    "The anaesthetic given, {} mg, is above the maximum of {} mg for {} kg ({} mg/kg of {}{}); watch for toxicity (numb lips, ringing ears, confusion, seizures, an irregular heartbeat) for several hours, and record an adverse event.",
                    number(given),
                    number(maximum),
                    number(weight),
                    limit.mg_per_kg,
                    limit.drug,
                    limit
                        .max_mg
                        .map(|cap| format!(", at most {cap} mg"))
                        .unwrap_or_default()
                ),
                asks_for_adverse_event: needs_entry,
                for_patient: Some(format!(
                    "At your session {} on {}, you were given {} mg of local anaesthetic ({}), more than the maximum of {} mg that the treatment protocol sets for your weight of {} kg. Your physician has recorded this and will talk it through with you. Too much local anaesthetic shows within hours as numb lips, a metallic taste, ringing in the ears, dizziness, confusion or an irregular heartbeat: if you notice any of these, call your local emergency number.",
                    self.session,
                    day_in_words(self.performed_on),
                    number(given),
                    limit.drug,
                    number(maximum),
                    number(weight),
                )),
            })
        };
        let mut warnings = Vec::new();
        let highest = limits
            .iter()
            .max_by(|a, b| max_mg(a, weight).total_cmp(&max_mg(b, weight)));
        if let Some(limit) = highest
            && let Some(warning) = over(self.anaesthetic_total_mg(), limit)
        {
            warnings.push(warning);
        }
        for given in &self.anaesthetics {
            let named = limits
                .iter()
                .find(|limit| limit.drug.trim().eq_ignore_ascii_case(given.agent.trim()))
                .or_else(|| {
                    let technique = given.technique?;
                    let mut same = limits
                        .iter()
                        .filter(|limit| limit.technique == Some(technique));
                    // Only an unambiguous technique picks a limit.
                    match (same.next(), same.next()) {
                        (Some(limit), None) => Some(limit),
                        _ => None,
                    }
                });
            if let Some(limit) = named
                && Some(limit) != highest
                && let Some(warning) = over(given.total_mg, limit)
            {
                warnings.push(warning);
            }
        }
        warnings
    }
}

/// The warnings of a record already saved on `plan`, checked again against the
/// protocol's dose limits for its session: what the plan screen, `plans show` and the
/// exports say about it. A record that no longer passes its checks (a protocol changed
/// since) gets each problem as a warning, so nothing about it is hidden.
#[must_use]
pub fn saved_record_warnings(
    catalog: &Catalog,
    plan: &Plan,
    record: &SessionRecord,
    today: Date,
) -> Vec<RecordWarning> {
    let limits = dose_limits(catalog, plan, record.session);
    let check = RecordCheck {
        // A saved record was not in the future when it was saved.
        today: today.max(record.performed_on),
        session_count: u32::try_from(plan.sessions.len()).unwrap_or(u32::MAX),
        dose_limits: &limits,
    };
    match record.check(&check) {
        Ok(warnings) => warnings,
        Err(invalid) => invalid
            .problems
            .into_iter()
            .map(|problem| RecordWarning {
                message: problem.message,
                asks_for_adverse_event: false,
                for_patient: None,
            })
            .collect(),
    }
}

/// A day as a patient reads it: "18 January 2027".
fn day_in_words(day: Date) -> String {
    day.strftime("%-d %B %Y").to_string()
}

/// The most milligrams of a limit's drug for a patient of `weight_kg`.
fn max_mg(limit: &DoseLimit, weight_kg: f64) -> f64 {
    let by_weight = f64::from(limit.mg_per_kg.tenths()) * weight_kg / 10.0;
    limit
        .max_mg
        .map_or(by_weight, |cap| by_weight.min(f64::from(cap)))
}

/// The protocol's maximum doses by weight for one session of a plan: the anaesthesia
/// steps of the protocol and of the plan's adjuncts that belong to that session, its
/// delivery and its area. Empty when the protocol is not in the catalog or sets none.
#[must_use]
pub fn dose_limits(catalog: &Catalog, plan: &Plan, session: u32) -> Vec<DoseLimit> {
    let Some(protocol) = catalog.get(&plan.protocol.id) else {
        return Vec::new();
    };
    let selection = &plan.selection;
    let adjunct_steps = protocol
        .adjuncts
        .iter()
        .filter(|adjunct| selection.adjuncts.contains(&adjunct.source))
        .flat_map(|adjunct| adjunct.steps.iter());
    protocol
        .steps
        .iter()
        .chain(adjunct_steps)
        .filter(|step| {
            step.sessions.includes(session) && step.applies_to(selection.area, selection.modality)
        })
        .filter_map(|step| step.dose_limit.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::MgPerKg;

    fn date(text: &str) -> Date {
        text.parse().unwrap()
    }

    fn tumescent() -> DoseLimit {
        DoseLimit {
            drug: "lidocaine with adrenaline at the donor site".to_owned(),
            technique: Some(Technique::Tumescent),
            adrenaline: Some(true),
            mg_per_kg: MgPerKg::from_tenths(350),
            max_mg: Some(2_800),
        }
    }

    fn ring_block() -> DoseLimit {
        DoseLimit {
            drug: "lidocaine with adrenaline for the scalp ring block".to_owned(),
            technique: Some(Technique::NerveBlock),
            adrenaline: Some(true),
            mg_per_kg: MgPerKg::from_tenths(70),
            max_mg: Some(500),
        }
    }

    fn check(
        record: &SessionRecord,
        limits: &[DoseLimit],
    ) -> Result<Vec<RecordWarning>, InvalidRecord> {
        record.check(&RecordCheck {
            today: date("2027-03-01"),
            session_count: 3,
            dose_limits: limits,
        })
    }

    /// The messages of a refused record, by field.
    fn refused(record: &SessionRecord) -> Vec<(String, String)> {
        check(record, &[tumescent()])
            .unwrap_err()
            .problems
            .into_iter()
            .map(|problem| (problem.field, problem.message))
            .collect()
    }

    #[test]
    fn an_expired_material_is_recorded_and_flagged() {
        let mut record = SessionRecord::new(1, date("2027-03-01"));
        record.materials.push(Material {
            name: "PRP tube set".to_owned(),
            kind: MaterialKind::Kit,
            lot: Some(" K-77 ".to_owned()),
            expiry: Some(date("2027-02-28")),
        });
        record.materials.push(Material {
            name: "Cannula".to_owned(),
            kind: MaterialKind::Device,
            lot: None,
            expiry: Some(date("2027-03-01")),
        });
        let warnings = check(&record, &[]).unwrap();
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(
            warnings[0].message.starts_with(
                "PRP tube set (lot K-77) was used on 2027-03-01 after its expiry date 2027-02-28."
            ),
            "{}",
            warnings[0].message
        );
    }

    #[test]
    fn a_record_with_only_a_date_is_accepted() {
        let record = SessionRecord::new(1, date("2027-03-01"));
        assert_eq!(check(&record, &[tumescent()]), Ok(Vec::new()));
    }

    #[test]
    fn each_field_out_of_range_is_named_with_what_is_expected() {
        let mut record = SessionRecord::new(4, date("2027-03-02"));
        record.performer = Some("  ".to_owned());
        record.harvest = Some(Harvest {
            site: Some("abdomen".to_owned()),
            volume_ml: Some(0.0),
        });
        record.materials.push(Material {
            name: "PRP tube set".to_owned(),
            kind: MaterialKind::Kit,
            lot: Some("A".repeat(65)),
            expiry: Some(date("2027-02-28")),
        });
        record.spins.push(Spin { g: 0, minutes: 10 });
        record.product = Some(Product {
            viability_percent: Some(104.0),
            platelet_factor: Some(f64::NAN),
            ..Product::default()
        });
        record.administration.push(Administration {
            site: "left knee".to_owned(),
            volume_ml: Some(-2.0),
        });
        record.weight_kg = Some(7.0);
        record.adverse_events.push(AdverseEvent {
            what: "bruise\u{7}".to_owned(),
            severity: AdverseSeverity::Mild,
            action: None,
            resolved: true,
        });
        let problems = refused(&record);
        let expected = [
            (
                "session",
                "There is no session 4 in this plan; it has 3 sessions.",
            ),
            (
                "performed_on",
                "The performed date 2027-03-02 is in the future; give the day it took place (today is 2027-03-01).",
            ),
            (
                "performer",
                "Who performed the session is empty; write it or leave the entry out.",
            ),
            (
                "harvest.volume_ml",
                "The harvested volume must be more than 0 mL and at most 3000 mL; it is 0 mL.",
            ),
            (
                "materials[1].lot",
                "The lot number of PRP tube set is longer than 64 characters; copy it from the label.",
            ),
            (
                "spins[1].g",
                "The centrifuge force must be at least 1 × g and at most 10000 × g; it is 0 × g.",
            ),
            (
                "product.platelet_factor",
                "The platelet concentration factor must be more than 0 times the blood count and at most 20 times the blood count; it is not a number.",
            ),
            (
                "product.viability_percent",
                "The cell viability must be at least 0 % and at most 100 %; it is 104 %.",
            ),
            (
                "administration[1].volume_ml",
                "The volume injected at a site must be more than 0 mL and at most 3000 mL; it is -2 mL.",
            ),
            (
                "weight_kg",
                "The patient's weight must be at least 20 kg and at most 350 kg; it is 7 kg.",
            ),
            (
                "adverse_events[1].what",
                "What happened holds a control character; type it again as plain text.",
            ),
        ];
        let expected: Vec<(String, String)> = expected
            .iter()
            .map(|(field, message)| ((*field).to_owned(), (*message).to_owned()))
            .collect();
        assert_eq!(problems, expected);
    }

    #[test]
    fn a_time_to_injection_needs_a_harvest() {
        let mut record = SessionRecord::new(1, date("2027-03-01"));
        record.harvest_to_injection_minutes = Some(40);
        assert_eq!(
            refused(&record),
            [(
                "harvest_to_injection_minutes".to_owned(),
                "The time from harvest to injection needs the harvest it counts from; record the harvest or leave the time out.".to_owned()
            )]
        );
        record.harvest = Some(Harvest::default());
        assert_eq!(check(&record, &[]), Ok(Vec::new()));
    }

    #[test]
    fn a_dose_above_the_maximum_is_accepted_with_a_warning_that_asks_for_an_adverse_event() {
        let mut record = SessionRecord::new(1, date("2027-02-15"));
        record.weight_kg = Some(60.0);
        record.anaesthetics.push(Anaesthetic {
            agent: "lidocaine 0.1% with adrenaline, tumescent".to_owned(),
            technique: None,
            total_mg: 2_400.0,
        });
        let warnings = check(&record, &[tumescent(), ring_block()]).unwrap();
        assert_eq!(
            warnings,
            [RecordWarning {
                message: "The anaesthetic given, 2400 mg, is above the maximum of 2100 mg for 60 kg (35 mg/kg of lidocaine with adrenaline at the donor site, at most 2800 mg); watch for toxicity (numb lips, ringing ears, confusion, seizures, an irregular heartbeat) for several hours, and record an adverse event.".to_owned(),
                asks_for_adverse_event: true,
                for_patient: Some("At your session 1 on 15 February 2027, you were given 2400 mg of local anaesthetic (lidocaine with adrenaline at the donor site), more than the maximum of 2100 mg that the treatment protocol sets for your weight of 60 kg. Your physician has recorded this and will talk it through with you. Too much local anaesthetic shows within hours as numb lips, a metallic taste, ringing in the ears, dizziness, confusion or an irregular heartbeat: if you notice any of these, call your local emergency number.".to_owned()),
            }]
        );
        record.adverse_events.push(AdverseEvent {
            what: "Perioral tingling two hours after infiltration".to_owned(),
            severity: AdverseSeverity::Moderate,
            action: Some("Observed with monitoring for six hours".to_owned()),
            resolved: true,
        });
        let warnings = check(&record, &[tumescent()]).unwrap();
        assert_eq!(warnings.len(), 1);
        assert!(!warnings[0].asks_for_adverse_event);
    }

    #[test]
    fn a_dose_within_the_maximum_has_no_warning_and_a_named_block_is_checked_on_its_own() {
        let mut record = SessionRecord::new(1, date("2027-02-15"));
        record.weight_kg = Some(80.0);
        record.anaesthetics.push(Anaesthetic {
            agent: "tumescent lidocaine".to_owned(),
            technique: Some(Technique::Tumescent),
            total_mg: 2_000.0,
        });
        assert_eq!(check(&record, &[tumescent(), ring_block()]), Ok(Vec::new()));
        // The ring block's own cap is 500 mg whatever the weight (7 mg/kg would be 560).
        record.anaesthetics.push(Anaesthetic {
            agent: "lidocaine 1% with adrenaline, ring block".to_owned(),
            technique: Some(Technique::NerveBlock),
            total_mg: 520.0,
        });
        let warnings = check(&record, &[tumescent(), ring_block()]).unwrap();
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(
            warnings[0]
                .message
                .starts_with("The anaesthetic given, 520 mg, is above the maximum of 500 mg for 80 kg (7 mg/kg of lidocaine with adrenaline for the scalp ring block, at most 500 mg)"),
            "{}",
            warnings[0].message
        );
    }

    #[test]
    fn without_a_weight_the_dose_cannot_be_checked_and_the_record_says_so() {
        let mut record = SessionRecord::new(1, date("2027-02-15"));
        record.anaesthetics.push(Anaesthetic {
            agent: "tumescent lidocaine".to_owned(),
            technique: None,
            total_mg: 900.0,
        });
        let warnings = check(&record, &[tumescent()]).unwrap();
        assert_eq!(
            warnings[0].message,
            "The anaesthetic cannot be checked against the protocol's maximum (35 mg/kg of lidocaine with adrenaline at the donor site) without the patient's weight; record the weight."
        );
        assert_eq!(check(&record, &[]), Ok(Vec::new()));
    }
}
