//! The shape of a treatment protocol, as written in `assets/protocols/*.ron`.
//!
//! Every figure a protocol carries (session counts, offsets, durations) is in whole days
//! or minutes, and every protocol names the sources of its figures.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::ids::{Area, CellSource, Factor, Indication, Modality, string_enum};
use super::scale::ScaleId;

/// The stable id of a protocol, such as `adipose-stretch-marks`: lowercase ASCII
/// letters, digits and single hyphens.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ProtocolId(String);

impl ProtocolId {
    /// Checks the spelling of a protocol id.
    ///
    /// # Errors
    /// When the text is empty or not lowercase letters, digits and single hyphens.
    pub fn new(text: &str) -> Result<Self, String> {
        let well_formed = !text.is_empty()
            && !text.starts_with('-')
            && !text.ends_with('-')
            && !text.contains("--")
            && text
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if well_formed {
            Ok(Self(text.to_owned()))
        } else {
            Err(format!(
                "'{text}' is not a valid protocol id: use lowercase letters, digits and single hyphens"
            ))
        }
    }

    /// The id as text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for ProtocolId {
    type Error = String;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        Self::new(&text)
    }
}

impl From<ProtocolId> for String {
    fn from(id: ProtocolId) -> Self {
        id.0
    }
}

impl fmt::Display for ProtocolId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An inclusive range of whole numbers, such as a session count of 2 to 3.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Range {
    /// The smallest value.
    pub min: u32,
    /// The largest value.
    pub max: u32,
}

impl Range {
    /// Whether `value` lies within the range, ends included.
    #[must_use]
    pub fn contains(self, value: u32) -> bool {
        (self.min..=self.max).contains(&value)
    }
}

impl fmt::Display for Range {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.min == self.max {
            write!(f, "{}", self.min)
        } else {
            write!(f, "{}-{}", self.min, self.max)
        }
    }
}

string_enum! {
    /// How settled a protocol is, in law and in evidence.
    RegulatoryStatus, "regulatory status" {
        /// Accepted practice with an established legal basis.
        Established = "established", "Established";
        /// A legal product or procedure used outside its cleared indication.
        OffLabel = "off-label", "Off-label";
        /// Research: not approved or cleared for this use; trials or an IND/exemption.
        Investigational = "investigational", "Investigational";
        /// Restricted by law or regulators for this use; not offered in routine practice.
        Restricted = "restricted", "Restricted";
        /// A cosmetic product, not a medical treatment.
        Cosmetic = "cosmetic", "Cosmetic";
    }
}

string_enum! {
    /// A legal area whose rules a note describes.
    Jurisdiction, "jurisdiction" {
        /// United States (FDA).
        Us = "us", "US";
        /// European Union.
        Eu = "eu", "EU";
    }
}

string_enum! {
    /// Whether the law of a jurisdiction lets a clinic offer a protocol in routine
    /// practice, or only within a registered trial, an IND or a hospital exemption.
    Access, "access" {
        /// Offered in routine practice (with whatever status and consent it needs).
        Routine = "routine", "Routine practice";
        /// Given only within a registered trial, or under an IND or hospital exemption.
        TrialOnly = "trial-only", "Only within a trial, IND or exemption";
    }
}

string_enum! {
    /// Whom a task is for: the patient does it (it is printed in the handout), or the
    /// clinic does it (it stays on the clinic's checklist).
    #[derive(Default)]
    Audience, "audience" {
        /// The patient does it; the handout lists it.
        #[default]
        Patient = "patient", "For the patient";
        /// The clinic does it; the handout leaves it out.
        Clinic = "clinic", "For the clinic";
    }
}

impl Audience {
    /// Whether the task is the patient's, the default; lets serialization leave the
    /// default out so that older files keep their shape.
    #[must_use]
    pub fn is_patient(&self) -> bool {
        *self == Audience::Patient
    }
}

string_enum! {
    /// A serious harm that some protocols must guard against with a named risk, a step
    /// that lowers it and an instruction for the patient. The catalog check uses it to
    /// require all three where they apply.
    Hazard, "hazard" {
        /// An injection into an artery: vascular occlusion, skin necrosis, blindness,
        /// stroke. Facial injections of fat, PRP or cell products carry it.
        VascularOcclusion = "vascular-occlusion", "Injection into a blood vessel";
        /// Local-anaesthetic systemic toxicity, from tumescent infiltration or a ring
        /// block with more than the maximum dose.
        AnaestheticToxicity = "anaesthetic-toxicity", "Local-anaesthetic toxicity";
        /// A rare serious injury from taking tissue, such as perforating the inner table
        /// of the pelvis or injuring a vessel or nerve at a marrow harvest.
        HarvestInjury = "harvest-injury", "Serious harvest injury";
    }
}

/// The regulatory status of a protocol and what it means in each jurisdiction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Regulatory {
    /// The status, for the badge.
    pub status: RegulatoryStatus,
    /// One note per jurisdiction, in plain words.
    pub notes: Vec<JurisdictionNote>,
}

/// What the law of one jurisdiction says about a protocol.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JurisdictionNote {
    /// Where the note applies.
    pub jurisdiction: Jurisdiction,
    /// Whether a clinic there may offer the protocol in routine practice, or only
    /// within a registered trial, an IND or a hospital exemption. Every note of a
    /// protocol file must say (the catalog check refuses one that does not); only plans
    /// saved before the field existed lack it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access: Option<Access>,
    /// The note, in plain words, with its source in brackets.
    pub note: String,
}

/// A set of combinations a protocol covers: every modality, source, area and indication
/// listed here, where the indication fits the area (see [`Indication::fits_area`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Coverage {
    /// Delivery routes.
    pub modalities: Vec<Modality>,
    /// Cell sources.
    pub sources: Vec<CellSource>,
    /// Target areas.
    pub areas: Vec<Area>,
    /// Indications.
    pub indications: Vec<Indication>,
}

/// How many sessions a course has and how far apart they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SessionSchedule {
    /// The number of sessions planned by default.
    pub typical: u32,
    /// The number of sessions a physician may choose.
    pub range: Range,
    /// The default interval between the start of two sessions, in days.
    pub spacing_days: u32,
    /// The intervals the sources allow, in days.
    pub spacing_range_days: Range,
    /// A different interval between sessions 1 and 2, in days, when session 1 only
    /// harvests and the product needs time (e.g. culture of a secretome).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_interval_days: Option<u32>,
}

string_enum! {
    /// What kind of work a session step is.
    StepKind, "step kind" {
        /// Consent check, photos, marking, cleaning.
        Preparation = "preparation", "Preparation";
        /// Numbing cream, local anaesthetic or sedation.
        Anaesthesia = "anaesthesia", "Anaesthesia";
        /// Venous blood draw for PRP or PRF.
        BloodDraw = "blood-draw", "Blood draw";
        /// Tissue harvest (mini-liposuction, bone-marrow aspiration); leaves a donor site.
        Harvest = "harvest", "Harvest";
        /// Centrifugation, concentration, isolation or culture.
        Processing = "processing", "Processing";
        /// Delivering the biologic to the target.
        Administration = "administration", "Administration";
        /// Observation and discharge.
        Observation = "observation", "Observation";
    }
}

string_enum! {
    /// Which sessions of a course a step belongs to.
    #[derive(Default)]
    SessionScope, "session scope" {
        /// Every session.
        #[default]
        All = "all", "Every session";
        /// Only the first session (e.g. a harvest whose product serves the whole course).
        First = "first", "First session only";
        /// Every session but the first.
        Repeat = "repeat", "Repeat sessions only";
    }
}

impl SessionScope {
    /// The first session only, the default of a task before a session.
    #[must_use]
    pub fn first() -> Self {
        SessionScope::First
    }

    /// Whether a step with this scope happens in session `number` (1-based).
    #[must_use]
    pub fn includes(self, number: u32) -> bool {
        match self {
            SessionScope::All => true,
            SessionScope::First => number == 1,
            SessionScope::Repeat => number > 1,
        }
    }
}

/// One step of a session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// What kind of step it is.
    pub kind: StepKind,
    /// What is done, in plain words.
    pub text: String,
    /// For a harvest: where tissue is taken from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site: Option<String>,
    /// For a harvest or blood draw: how much is taken, e.g. "8-10 mL".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volume: Option<String>,
    /// Which sessions the step belongs to.
    #[serde(default)]
    pub sessions: SessionScope,
    /// What the patient is told about the step in the handout, in the patient's words.
    /// A step without it is clinic work the handout leaves out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub for_patient: Option<String>,
    /// The modalities the step belongs to; empty means every modality of the protocol.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub modalities: Vec<Modality>,
    /// The areas the step belongs to; empty means every area of the protocol.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub areas: Vec<Area>,
    /// The serious harm this step guards against, when it is the safe-technique step
    /// for one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hazard: Option<Hazard>,
    /// For a local anaesthetic: the maximum dose by body weight, which the plan works
    /// out from the patient's weight.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dose_limit: Option<DoseLimit>,
}

impl Step {
    /// Whether the step belongs to a choice of modality and area.
    #[must_use]
    pub fn applies_to(&self, area: Area, modality: Modality) -> bool {
        in_scope(&self.areas, &self.modalities, area, modality)
    }
}

string_enum! {
    /// How a local anaesthetic is given, which sets its maximum dose: dilute tumescent
    /// solution is absorbed slowly and allows far more per kilogram than ordinary
    /// infiltration or a nerve block.
    Technique, "anaesthetic technique" {
        /// Large volumes of dilute solution (about 0.05-0.1% lidocaine with adrenaline
        /// 1:1,000,000) infiltrated into fat, as for liposuction.
        Tumescent = "tumescent", "Tumescent infiltration";
        /// Ordinary local infiltration with a standard solution (e.g. 1% lidocaine).
        Infiltration = "infiltration", "Local infiltration";
        /// A nerve or ring block with a standard solution.
        NerveBlock = "nerve-block", "Nerve or ring block";
    }
}

/// A dose in milligrams per kilogram, to one decimal (4.5 mg/kg), written as a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct MgPerKg {
    tenths: u32,
}

impl MgPerKg {
    /// A dose of `tenths` tenths of a milligram per kilogram (45 is 4.5 mg/kg).
    #[must_use]
    pub fn from_tenths(tenths: u32) -> Self {
        Self { tenths }
    }

    /// The dose in tenths of a milligram per kilogram.
    #[must_use]
    pub fn tenths(self) -> u32 {
        self.tenths
    }
}

impl fmt::Display for MgPerKg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (whole, tenth) = (self.tenths / 10, self.tenths % 10);
        if tenth == 0 {
            write!(f, "{whole}")
        } else {
            write!(f, "{whole}.{tenth}")
        }
    }
}

impl Serialize for MgPerKg {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if self.tenths.is_multiple_of(10) {
            serializer.serialize_u32(self.tenths / 10)
        } else {
            serializer.serialize_f64(f64::from(self.tenths) / 10.0)
        }
    }
}

impl<'de> Deserialize<'de> for MgPerKg {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = MgPerKg;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a dose in mg/kg, a whole number or one decimal such as 4.5")
            }

            fn visit_u64<E: serde::de::Error>(self, value: u64) -> Result<MgPerKg, E> {
                value
                    .checked_mul(10)
                    .and_then(|tenths| u32::try_from(tenths).ok())
                    .map(MgPerKg::from_tenths)
                    .ok_or_else(|| E::custom("the dose in mg/kg is too large"))
            }

            fn visit_i64<E: serde::de::Error>(self, value: i64) -> Result<MgPerKg, E> {
                u64::try_from(value)
                    .map_err(|_| E::custom("a dose in mg/kg cannot be negative"))
                    .and_then(|value| self.visit_u64(value))
            }

            fn visit_f64<E: serde::de::Error>(self, value: f64) -> Result<MgPerKg, E> {
                let tenths = (value * 10.0).round();
                if !value.is_finite() || value < 0.0 || (value * 10.0 - tenths).abs() > 1e-6 {
                    return Err(E::custom(
                        "a dose in mg/kg must be positive with at most one decimal, such as 4.5",
                    ));
                }
                if tenths > f64::from(u32::MAX) {
                    return Err(E::custom("the dose in mg/kg is too large"));
                }
                #[allow(
                    clippy::cast_possible_truncation,
                    clippy::cast_sign_loss,
                    reason = "checked above: a whole, non-negative number within u32"
                )]
                let tenths = tenths as u32;
                Ok(MgPerKg::from_tenths(tenths))
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

/// The maximum dose of a local anaesthetic by body weight, for one technique, such as
/// 35 mg/kg of tumescent lidocaine or 7 mg/kg (never more than 500 mg) of lidocaine
/// with adrenaline for a nerve block.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DoseLimit {
    /// The drug and where it is given, e.g. "lidocaine with adrenaline at the donor site".
    pub drug: String,
    /// How it is given; the catalog check holds each technique to its published limit.
    /// Every protocol file must say (the check refuses one that does not).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub technique: Option<Technique>,
    /// Whether the solution contains adrenaline (epinephrine), which slows absorption
    /// and allows a higher dose. Every protocol file must say.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adrenaline: Option<bool>,
    /// The most milligrams per kilogram of body weight.
    pub mg_per_kg: MgPerKg,
    /// An upper bound in milligrams whatever the weight.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_mg: Option<u32>,
}

impl DoseLimit {
    /// The most milligrams for a patient of `weight_kg` kilograms: the dose by weight,
    /// never above the cap.
    #[must_use]
    pub fn max_for(&self, weight_kg: u32) -> u32 {
        let by_weight = u64::from(self.mg_per_kg.tenths()) * u64::from(weight_kg) / 10;
        let by_weight = u32::try_from(by_weight).unwrap_or(u32::MAX);
        self.max_mg.map_or(by_weight, |cap| by_weight.min(cap))
    }
}

/// Whether `text` (in lowercase) names one of `words` other than to deny it ("no cells
/// are isolated").
fn names_unnegated(text: &str, words: &[&str]) -> bool {
    words.iter().any(|word| {
        text.match_indices(word).any(|(at, _)| {
            let before = &text[..at];
            let window = before
                .char_indices()
                .rev()
                .nth(16)
                .map_or(before, |(start, _)| &before[start..]);
            !["no ", "not ", "never", "without", "nothing"]
                .iter()
                .any(|negation| window.contains(negation))
        })
    })
}

/// Whether a rule or an item scoped to `areas` and `modalities` (empty lists mean every
/// one) applies to a choice of area and modality.
#[must_use]
pub fn in_scope(areas: &[Area], modalities: &[Modality], area: Area, modality: Modality) -> bool {
    (areas.is_empty() || areas.contains(&area))
        && (modalities.is_empty() || modalities.contains(&modality))
}

/// A biologic that may be added to a protocol's main source, with what it adds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Adjunct {
    /// The added source, e.g. `autologous-prp`.
    pub source: CellSource,
    /// Why it is added, in plain words.
    pub purpose: String,
    /// The steps it adds to each session.
    pub steps: Vec<Step>,
    /// The minutes it adds to each session.
    pub extra_minutes: Range,
    /// How patient factors weigh against the adjunct itself (e.g. a platelet disorder
    /// against PRP), on top of the protocol's rules.
    #[serde(default)]
    pub factors: Vec<FactorRule>,
    /// Tasks before a session that the adjunct brings (a blood count before PRP is
    /// drawn), on top of the protocol's own.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pre_procedure: Vec<PreProcedureTask>,
}

/// A task before a session: before the first only (the default), or before each.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PreProcedureTask {
    /// What the patient or clinic does.
    pub text: String,
    /// How many days before the session it is due.
    pub days_before: u32,
    /// Before which sessions it is due: only the first (a consultation), or each (a
    /// drug held before every session).
    #[serde(default = "SessionScope::first")]
    pub sessions: SessionScope,
    /// Who does it: the patient (printed in the handout) or the clinic.
    #[serde(default)]
    pub audience: Audience,
    /// The modalities it belongs to; empty means every modality.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub modalities: Vec<Modality>,
    /// The areas it belongs to; empty means every area.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub areas: Vec<Area>,
}

/// A task after each session, from one day to another (day 0 is the session day).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AftercareTask {
    /// What the patient does or avoids.
    pub text: String,
    /// The first day it applies, counted from the session.
    pub from_day: u32,
    /// The last day it applies, counted from the session.
    pub until_day: u32,
    /// After which sessions it applies (e.g. not after a harvest-only first session).
    #[serde(default)]
    pub sessions: SessionScope,
    /// The modalities it belongs to; empty means every modality.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub modalities: Vec<Modality>,
    /// The areas it belongs to; empty means every area.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub areas: Vec<Area>,
    /// The serious harm whose warning signs it tells the patient, when it is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hazard: Option<Hazard>,
}

string_enum! {
    /// The session a milestone or follow-up is counted from.
    #[derive(Default)]
    Anchor, "anchor" {
        /// Counted from the first session.
        FirstSession = "first-session", "First session";
        /// Counted from the last session of the course.
        #[default]
        LastSession = "last-session", "Last session";
        /// Repeated after every session, counted from each.
        EachSession = "each-session", "Each session";
    }
}

/// A result the patient can expect, within a window of days.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Milestone {
    /// What to expect, in plain words.
    pub label: String,
    /// The session the window is counted from.
    #[serde(default)]
    pub anchor: Anchor,
    /// The first day the result may show.
    pub from_days: u32,
    /// The day by which it usually shows.
    pub to_days: u32,
}

/// A follow-up visit and what is recorded at it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FollowUp {
    /// Why the patient comes.
    pub purpose: String,
    /// The session the visit is counted from.
    #[serde(default)]
    pub anchor: Anchor,
    /// How many days after that session.
    pub days_after: u32,
    /// What else is recorded that is not an outcome scale of the catalog, in words
    /// ("standardised photographs", "adverse events").
    pub assessments: Vec<String>,
    /// The outcome scales scored at the visit, by id, in the order they are offered. A
    /// clinic's file written before scales were named by id has none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scales: Vec<FollowUpScale>,
}

impl FollowUp {
    /// The scales scored at this visit for a plan of this area and indication, in the
    /// order the protocol names them.
    pub fn scales_for(&self, area: Area, indication: Indication) -> impl Iterator<Item = &ScaleId> {
        self.scales
            .iter()
            .filter(move |scale| scale.applies_to(area, indication))
            .map(FollowUpScale::id)
    }
}

/// An outcome scale a follow-up scores: a bare id (`"vas-pain"`), or an id kept to some
/// areas or indications (`(id: "womac", areas: ["knee"])`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum FollowUpScale {
    /// Scored in every plan of the protocol.
    Always(ScaleId),
    /// Scored only in plans of the areas and indications named.
    Only(ScopedScale),
}

/// A scale scored only for some areas or indications: an empty list means every one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScopedScale {
    /// The scale.
    pub id: ScaleId,
    /// The areas it is scored in; empty means every area.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub areas: Vec<Area>,
    /// The indications it is scored for; empty means every indication.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub indications: Vec<Indication>,
}

impl FollowUpScale {
    /// The scale's id.
    #[must_use]
    pub fn id(&self) -> &ScaleId {
        match self {
            Self::Always(id) => id,
            Self::Only(scoped) => &scoped.id,
        }
    }

    /// Whether it is scored in a plan of this area and indication.
    #[must_use]
    pub fn applies_to(&self, area: Area, indication: Indication) -> bool {
        match self {
            Self::Always(_) => true,
            Self::Only(scoped) => {
                (scoped.areas.is_empty() || scoped.areas.contains(&area))
                    && (scoped.indications.is_empty() || scoped.indications.contains(&indication))
            }
        }
    }
}

/// What keeps the result once the course is over.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Maintenance {
    /// What is done, in plain words; "none" is said plainly.
    pub description: String,
    /// How often, in months, when there is a repeat treatment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval_months: Option<Range>,
}

/// A risk to discuss in the consent talk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Risk {
    /// The risk, e.g. "Infection".
    pub name: String,
    /// How often, in words: "common", "uncommon", "rare", "very rare".
    pub likelihood: String,
    /// What it means and how it is handled.
    pub detail: String,
    /// The modalities it belongs to; empty means every modality.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub modalities: Vec<Modality>,
    /// The areas it belongs to; empty means every area.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub areas: Vec<Area>,
    /// The serious harm it names, when it is one the catalog check looks for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hazard: Option<Hazard>,
}

/// Another treatment for the same problem, for informed consent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Alternative {
    /// The alternative, e.g. "Fractional laser".
    pub name: String,
    /// What it offers compared with the planned treatment.
    pub comparison: String,
    /// The screening answers that rule this alternative out too (microneedling after
    /// isotretinoin, PRP with a platelet disorder): a plan never offers it to a patient
    /// who has one of them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub excluded_by: Vec<Factor>,
    /// When the alternative is this same protocol given another way ("the same cells by
    /// injection" for a patient refused microneedling): that way. A plan offers it only
    /// when the patient's screening allows the protocol by that modality too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub same_protocol_by: Option<Modality>,
    /// The areas it is offered for; empty means every area of the protocol (a hair
    /// transplant belongs to the scalp, physiotherapy to joints and tendons).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub areas: Vec<Area>,
    /// The indications it is offered for; empty means every indication of the protocol.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub indications: Vec<Indication>,
}

/// What an alternative's name says it involves, and so which screening answers rule it
/// out and on which areas it makes sense. Each class names the answers that the same
/// screening gives as a contraindication for it:
/// - microneedling: keloids, isotretinoin in the last six months, pregnancy, blood
///   thinners and bleeding disorders (the catalog's own microneedling protocol refuses
///   them all [CF 36]);
/// - retinoids, minoxidil and finasteride: pregnancy and breastfeeding (retinoids are
///   teratogenic, Prescrire Int 2005;14:100-1; topical minoxidil is not for use in
///   pregnancy or breastfeeding and finasteride is contraindicated in women who are or
///   may become pregnant, by their labels);
/// - oral NSAIDs: pregnancy (avoided from 20 weeks, FDA Drug Safety Communication of
///   15 October 2020) and blood thinners (bleeding);
/// - elective cosmetic surgery (facelift, abdominoplasty, scar revision or excision,
///   hair transplant), botulinum toxin, fillers and laser: pregnancy and breastfeeding,
///   when no elective cosmetic procedure is done; cosmetic surgery also a bleeding
///   disorder, as for a harvest; other elective surgery (a joint replacement) pregnancy
///   only, since a haematologist can cover it in a bleeding disorder;
/// - laser, dermabrasion, microdermabrasion and medium or deep peels: isotretinoin in
///   the last six months (resurfacing is deferred for six months [CF 36]);
/// - platelet concentrates: a platelet disorder; a harvest: a bleeding disorder; any
///   cell, platelet or secretome product: active cancer and pregnancy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Involves {
    Microneedling,
    Retinoid,
    HairMedicine,
    OralNsaid,
    CosmeticSurgery,
    ElectiveSurgery,
    CosmeticInjection,
    Laser,
    Resurfacing,
    Platelets,
    Harvest,
    Cells,
}

impl Alternative {
    /// The name in lowercase, up to " without " ("the same treatment without the PRP
    /// adjunct" involves no PRP).
    fn involving_text(&self) -> String {
        let whole = self.name.to_lowercase();
        whole.split(" without ").next().unwrap_or(&whole).to_owned()
    }

    fn involves(&self) -> Vec<Involves> {
        let name = self.involving_text();
        let has_word = |word: &str| {
            name.split(|c: char| !c.is_alphanumeric())
                .any(|part| part == word)
        };
        let any = |words: &[&str]| words.iter().any(|word| name.contains(word));
        let mut found = Vec::new();
        if name.contains("microneedling") {
            found.push(Involves::Microneedling);
        }
        if any(&["retinoid", "retinol", "tretinoin"]) {
            found.push(Involves::Retinoid);
        }
        if any(&["minoxidil", "finasteride", "dutasteride"]) {
            found.push(Involves::HairMedicine);
        }
        if (has_word("nsaids") || has_word("nsaid") || any(&["ibuprofen", "naproxen"]))
            && !name.contains("topical nsaid")
        {
            found.push(Involves::OralNsaid);
        }
        // An opinion or a referral is not the operation itself.
        let advice = any(&["opinion", "referral", "assessment"]);
        if !advice
            && any(&[
                "facelift",
                "face-lift",
                "abdominoplasty",
                "tummy tuck",
                "scar revision",
                "scar surgery",
                "excision",
                "subcision",
                "hair transplant",
            ])
        {
            found.push(Involves::CosmeticSurgery);
        } else if !advice
            && (has_word("surgery") || has_word("surgical") || has_word("replacement"))
        {
            found.push(Involves::ElectiveSurgery);
        }
        if any(&["botulinum", "botox", "filler"]) {
            found.push(Involves::CosmeticInjection);
        }
        if has_word("laser") || has_word("lasers") {
            found.push(Involves::Laser);
        }
        if has_word("laser") || has_word("lasers") || any(&["dermabrasion", "peel", "resurfacing"])
        {
            found.push(Involves::Resurfacing);
        }
        let platelets = has_word("prp") || has_word("prf") || name.contains("platelet-rich");
        if platelets {
            found.push(Involves::Platelets);
        }
        let harvest = any(&[
            "liposuction",
            "fat transfer",
            "fat graft",
            "adipose",
            "bone-marrow",
            "bone marrow",
            "bmac",
            "nanofat",
        ]);
        if harvest {
            found.push(Involves::Harvest);
        }
        if platelets || harvest || any(&["stem-cell", "stem cell", "secretome", "exosome"]) {
            found.push(Involves::Cells);
        }
        found
    }

    /// The screening answers that rule the alternative out by what it involves,
    /// whatever its file says (see [`Involves`]); a plan never offers it to a patient
    /// with one of them, and the catalog check asks the file to list them in
    /// `excluded_by`.
    #[must_use]
    pub fn intrinsic_exclusions(&self) -> Vec<Factor> {
        let mut factors = Vec::new();
        for involved in self.involves() {
            factors.extend_from_slice(match involved {
                Involves::Microneedling => &[
                    Factor::KeloidTendency,
                    Factor::RecentIsotretinoin,
                    Factor::Pregnancy,
                    Factor::Anticoagulants,
                    Factor::BleedingDisorder,
                ],
                Involves::Retinoid | Involves::HairMedicine => &[Factor::Pregnancy],
                Involves::OralNsaid => &[Factor::Pregnancy, Factor::Anticoagulants],
                Involves::CosmeticSurgery => &[Factor::Pregnancy, Factor::BleedingDisorder],
                Involves::ElectiveSurgery | Involves::CosmeticInjection | Involves::Laser => {
                    &[Factor::Pregnancy]
                }
                Involves::Resurfacing => &[Factor::RecentIsotretinoin],
                Involves::Platelets => &[Factor::PlateletDisorder],
                Involves::Harvest => &[Factor::BleedingDisorder],
                Involves::Cells => &[Factor::ActiveCancer, Factor::Pregnancy],
            });
        }
        factors.sort();
        factors.dedup();
        factors
    }

    /// The areas on which the alternative makes sense by what its name says (a hair
    /// transplant on the scalp, physiotherapy on joints and tendons, a facelift on the
    /// face and neck), or `None` when the name binds it to no area.
    #[must_use]
    pub fn natural_areas(&self) -> Option<Vec<Area>> {
        let name = self.involving_text();
        let has_word = |word: &str| {
            name.split(|c: char| !c.is_alphanumeric())
                .any(|part| part == word)
        };
        let musculoskeletal = [
            Area::Knee,
            Area::Shoulder,
            Area::Elbow,
            Area::Tendon,
            Area::Thighs,
            Area::UpperArms,
        ];
        let mut areas: Vec<Area> = Vec::new();
        if has_word("hair")
            || ["minoxidil", "finasteride"]
                .iter()
                .any(|w| name.contains(w))
        {
            areas.push(Area::Scalp);
        }
        if ["joint", "tendon", "physiotherapy", "arthroplasty"]
            .iter()
            .any(|w| name.contains(w))
        {
            areas.extend(musculoskeletal);
        }
        if has_word("skin") || has_word("scar") || has_word("scars") || name.contains("skincare") {
            areas.extend(Area::ALL.iter().filter(|area| area.is_skin_area()));
        }
        if ["facelift", "face-lift", "botulinum", "filler"]
            .iter()
            .any(|w| name.contains(w))
            || has_word("face")
        {
            areas.extend([Area::Face, Area::Neck]);
        }
        if ["abdominoplasty", "tummy tuck"]
            .iter()
            .any(|w| name.contains(w))
        {
            areas.push(Area::Abdomen);
        }
        if areas.is_empty() {
            return None;
        }
        areas.sort();
        areas.dedup();
        Some(areas)
    }

    /// Whether the alternative is offered for a choice of area and indication.
    #[must_use]
    pub fn applies_to(&self, area: Area, indication: Indication) -> bool {
        (self.areas.is_empty() || self.areas.contains(&area))
            && (self.indications.is_empty() || self.indications.contains(&indication))
    }
}

string_enum! {
    /// How much a patient factor weighs against a protocol.
    FactorSeverity, "factor severity" {
        /// The patient is not a candidate for this protocol.
        Contraindicated = "contraindicated", "Contraindicated";
        /// Allowed, with a stated reason and often an action.
        Caution = "caution", "Caution";
        /// The answer does not bear on this treatment, for the reason given: said
        /// explicitly, so that the catalog check can tell a factor weighed and found
        /// irrelevant from one forgotten. A yes to it is shown as a notice with the reason.
        NotRelevant = "not-relevant", "Not relevant";
    }
}

/// Something to do because of a patient factor, such as pausing a drug.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FactorAction {
    /// What to do, in plain words.
    pub text: String,
    /// How many days before the session it is due, when it has a date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days_before: Option<u32>,
    /// Before which sessions a dated action is due: the first only (the default), or
    /// each (a drug held before every session).
    #[serde(default = "SessionScope::first")]
    pub sessions: SessionScope,
    /// Who does it: the patient, or the clinic (a check, a call to a specialist).
    #[serde(default)]
    pub audience: Audience,
}

/// How one patient factor applies to a protocol.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FactorRule {
    /// The screening factor.
    pub factor: Factor,
    /// Contraindicated or caution.
    pub severity: FactorSeverity,
    /// Why, in plain words.
    pub reason: String,
    /// What to do about it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<FactorAction>,
    /// The treatment to offer instead, when the patient is not a candidate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alternative: Option<Alternative>,
    /// The areas the rule applies to; empty means every area of the protocol.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub areas: Vec<Area>,
    /// The modalities the rule applies to; empty means every modality.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub modalities: Vec<Modality>,
}

impl FactorRule {
    /// Whether the rule applies to a choice of area and modality.
    #[must_use]
    pub fn applies_to(&self, area: Area, modality: Modality) -> bool {
        in_scope(&self.areas, &self.modalities, area, modality)
    }
}

/// What a protocol that the law allows only within a trial, an IND or a hospital
/// exemption does with the `trial-enrolled` screening answer: without it the patient is
/// not a candidate and is referred; with it the plan asks the clinic to record the
/// registration number before session 1.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrialRule {
    /// Why the protocol is given only within a trial or exemption, in plain words.
    pub reason: String,
    /// The task for the clinic: record the trial registration, IND or exemption number.
    pub record: String,
    /// How many days before session 1 the number must be recorded.
    pub days_before: u32,
    /// The referral offered instead when the patient is not enrolled.
    pub referral: Alternative,
}

/// Where a protocol's figures come from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// A short key: a seed file name ("seed 004") or a reference number ("CF 14").
    pub key: String,
    /// The full citation, with its address where there is one.
    pub citation: String,
    /// Which figures it supports.
    pub supports: String,
    /// Whether the figure is thin or the sources conflict, so a physician should treat
    /// it with care.
    #[serde(default)]
    pub uncertain: bool,
    /// Whether the source is a clinic's or vendor's marketing page rather than a paper,
    /// guideline or regulator; readers see it labelled as such.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub marketing: bool,
}

/// A treatment protocol: everything needed to turn a choice into a dated plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Protocol {
    /// The stable id.
    pub id: ProtocolId,
    /// The title shown to a physician.
    pub title: String,
    /// What the treatment is and how it is meant to work, in two or three sentences.
    pub summary: String,
    /// What the evidence shows, plainly, including where it is thin.
    pub evidence: String,
    /// The combinations the protocol covers.
    pub covers: Vec<Coverage>,
    /// Biologics that may be added, with what they add.
    #[serde(default)]
    pub adjuncts: Vec<Adjunct>,
    /// Regulatory status and notes per jurisdiction.
    pub regulatory: Regulatory,
    /// Session count and spacing.
    pub sessions: SessionSchedule,
    /// How long one session takes, in minutes.
    pub procedure_minutes: Range,
    /// The steps of a session, in order.
    pub steps: Vec<Step>,
    /// Tasks before the first session.
    pub pre_procedure: Vec<PreProcedureTask>,
    /// Care of the treated area after each session.
    pub aftercare: Vec<AftercareTask>,
    /// Care of the donor site after each session with a harvest.
    #[serde(default)]
    pub donor_site_care: Vec<AftercareTask>,
    /// How long the patient is limited after a session, in plain words.
    pub downtime: String,
    /// Costs that may come on top of the sessions, in plain words.
    pub additional_costs: String,
    /// Results to expect, as windows of days.
    pub milestones: Vec<Milestone>,
    /// Follow-up visits and the outcome scales recorded at each.
    pub follow_ups: Vec<FollowUp>,
    /// What keeps the result.
    pub maintenance: Maintenance,
    /// Risks for the consent talk.
    pub risks: Vec<Risk>,
    /// Alternatives for the consent talk.
    pub alternatives: Vec<Alternative>,
    /// How each relevant patient factor applies.
    pub factors: Vec<FactorRule>,
    /// Where the figures come from.
    pub sources: Vec<Source>,
    /// What the `trial-enrolled` answer does, for a protocol that some jurisdiction
    /// allows only within a trial, an IND or a hospital exemption.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trial_enrolled: Option<TrialRule>,
}

impl Protocol {
    /// Whether the protocol covers the combination.
    #[must_use]
    pub fn covers(
        &self,
        modality: Modality,
        source: CellSource,
        area: Area,
        indication: Indication,
    ) -> bool {
        indication.fits_area(area)
            && self.covers.iter().any(|coverage| {
                coverage.modalities.contains(&modality)
                    && coverage.sources.contains(&source)
                    && coverage.areas.contains(&area)
                    && coverage.indications.contains(&indication)
            })
    }

    /// The first rule for a patient factor, when the protocol has one, whatever the
    /// area or modality.
    #[must_use]
    pub fn factor_rule(&self, factor: Factor) -> Option<&FactorRule> {
        self.factors.iter().find(|rule| rule.factor == factor)
    }

    /// Whether the law of `jurisdiction` (every jurisdiction when `None`, the strictest
    /// applying) allows the protocol only within a trial, an IND or a hospital exemption:
    /// because a note says so, or because of what it delivers (see
    /// [`Protocol::trial_only_product`]), whatever its notes say.
    #[must_use]
    pub fn trial_only(&self, jurisdiction: Option<Jurisdiction>) -> bool {
        self.trial_only_product().is_some()
            || self.regulatory.notes.iter().any(|note| {
                note.access == Some(Access::TrialOnly)
                    && jurisdiction.is_none_or(|j| j == note.jurisdiction)
            })
    }

    /// What the protocol delivers that the law allows only within a registered trial,
    /// under an IND or a hospital exemption, in every jurisdiction here: a cultured
    /// secretome or exosome product (FDA: exosomes are unapproved drugs [CF 6]; in the
    /// EU a medicinal product), donor cells (unapproved for any use in this catalog
    /// [CF 4]), or adipose cells isolated by enzymes or culture, or the stromal vascular
    /// fraction, which is more than minimal manipulation (an IND in the US; an advanced
    /// therapy in the EU [CF 3, CF 9]). `None` when it delivers none of these.
    #[must_use]
    pub fn trial_only_product(&self) -> Option<&'static str> {
        let sources: Vec<CellSource> = self
            .covers
            .iter()
            .flat_map(|coverage| coverage.sources.iter().copied())
            .chain(self.adjuncts.iter().map(|adjunct| adjunct.source))
            .collect();
        if sources.contains(&CellSource::Secretome) {
            return Some("a cultured secretome or exosome product");
        }
        if sources.contains(&CellSource::Allogeneic) {
            return Some("donor (allogeneic) cells");
        }
        let isolates = self
            .steps
            .iter()
            .filter(|step| step.kind == StepKind::Processing)
            .any(|step| {
                names_unnegated(
                    &step.text.to_lowercase(),
                    &[
                        "isolat",
                        "stromal vascular fraction",
                        "svf",
                        "collagenase",
                        "enzymatic",
                        "cultur",
                        "expanded in",
                    ],
                )
            });
        isolates.then_some(
            "adipose cells isolated by enzymes, culture or as the stromal vascular fraction",
        )
    }

    /// The rules for a patient factor that apply to a selection: the protocol's own, then
    /// those of the chosen adjuncts.
    pub fn rules_for<'p>(
        &'p self,
        factor: Factor,
        selection: &'p crate::catalog::Selection,
    ) -> impl Iterator<Item = &'p FactorRule> + 'p {
        let adjunct_rules = self
            .adjuncts
            .iter()
            .filter(|adjunct| selection.adjuncts.contains(&adjunct.source))
            .flat_map(|adjunct| adjunct.factors.iter());
        self.factors
            .iter()
            .chain(adjunct_rules)
            .filter(move |rule| {
                rule.factor == factor && rule.applies_to(selection.area, selection.modality)
            })
    }

    /// The adjunct specification for a source, when the protocol allows it.
    #[must_use]
    pub fn adjunct(&self, source: CellSource) -> Option<&Adjunct> {
        self.adjuncts
            .iter()
            .find(|adjunct| adjunct.source == source)
    }

    /// Calls `visit` with every text of the protocol a reader may see, and the name of
    /// the field it is written in: the title, summary and evidence, steps, tasks,
    /// results, risks, alternatives, rules and regulatory notes (not the ids, nor the
    /// list of sources itself).
    pub fn visit_texts_mut(&mut self, visit: &mut dyn FnMut(&'static str, &mut String)) {
        fn alternative(visit: &mut dyn FnMut(&'static str, &mut String), item: &mut Alternative) {
            visit("alternatives", &mut item.name);
            visit("alternatives", &mut item.comparison);
        }
        fn step(visit: &mut dyn FnMut(&'static str, &mut String), item: &mut Step) {
            visit("steps", &mut item.text);
            for text in [&mut item.site, &mut item.volume, &mut item.for_patient]
                .into_iter()
                .flatten()
            {
                visit("steps", text);
            }
            if let Some(limit) = &mut item.dose_limit {
                visit("dose_limit", &mut limit.drug);
            }
        }
        fn rule(visit: &mut dyn FnMut(&'static str, &mut String), item: &mut FactorRule) {
            visit("factors", &mut item.reason);
            if let Some(action) = &mut item.action {
                visit("factors", &mut action.text);
            }
            if let Some(item) = &mut item.alternative {
                alternative(visit, item);
            }
        }
        visit("title", &mut self.title);
        visit("summary", &mut self.summary);
        visit("evidence", &mut self.evidence);
        for adjunct in &mut self.adjuncts {
            visit("purpose", &mut adjunct.purpose);
            for item in &mut adjunct.steps {
                step(visit, item);
            }
            for task in &mut adjunct.pre_procedure {
                visit("pre_procedure", &mut task.text);
            }
            for item in &mut adjunct.factors {
                rule(visit, item);
            }
        }
        for note in &mut self.regulatory.notes {
            visit("note", &mut note.note);
        }
        for item in &mut self.steps {
            step(visit, item);
        }
        for task in &mut self.pre_procedure {
            visit("pre_procedure", &mut task.text);
        }
        for task in &mut self.aftercare {
            visit("aftercare", &mut task.text);
        }
        for task in &mut self.donor_site_care {
            visit("donor_site_care", &mut task.text);
        }
        visit("downtime", &mut self.downtime);
        visit("additional_costs", &mut self.additional_costs);
        for milestone in &mut self.milestones {
            visit("milestones", &mut milestone.label);
        }
        for follow_up in &mut self.follow_ups {
            visit("follow_ups", &mut follow_up.purpose);
            for assessment in &mut follow_up.assessments {
                visit("follow_ups", assessment);
            }
        }
        visit("maintenance", &mut self.maintenance.description);
        for risk in &mut self.risks {
            visit("risks", &mut risk.name);
            visit("risks", &mut risk.detail);
        }
        for item in &mut self.alternatives {
            alternative(visit, item);
        }
        for item in &mut self.factors {
            rule(visit, item);
        }
        if let Some(trial) = &mut self.trial_enrolled {
            visit("trial_enrolled", &mut trial.reason);
            visit("trial_enrolled", &mut trial.record);
            alternative(visit, &mut trial.referral);
        }
    }

    /// The protocol as readers see it: every citation by key in its texts replaced by
    /// the number of the source in `sources` ("[CF 21]" becomes "[5]").
    #[must_use]
    pub fn with_numbered_citations(&self) -> Protocol {
        let mut protocol = self.clone();
        let citer = super::cite::Citer::new(&self.sources);
        protocol.visit_texts_mut(&mut |_, text| {
            *text = citer.numbered(text);
        });
        protocol
    }

    /// Whether any session step harvests tissue, so there is a donor site to care for.
    #[must_use]
    pub fn has_harvest(&self) -> bool {
        self.steps.iter().any(|step| step.kind == StepKind::Harvest)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "a test fails loudly")]

    use crate::catalog::Catalog;

    #[test]
    fn the_trial_only_class_follows_what_is_delivered() {
        let (catalog, problems) = Catalog::builtin();
        assert!(problems.is_empty(), "{problems:?}");
        let derived: Vec<&str> = catalog
            .protocols()
            .filter(|protocol| protocol.trial_only_product().is_some())
            .map(|protocol| protocol.id.as_str())
            .collect();
        assert_eq!(
            derived,
            [
                "adipose-cells-face",
                "adipose-hair",
                "allogeneic-restricted",
                "secretome-hair",
                "secretome-intravenous",
                "secretome-scars",
                "secretome-skin",
            ]
        );
        // Fat only washed, centrifuged or emulsified ("no cells are isolated") stays
        // routine, and so does marrow concentrate, though its use for hair is not.
        for id in [
            "adipose-fat-transfer-face",
            "adipose-stretch-marks",
            "adipose-scars",
            "bmac-hair",
        ] {
            let protocol = catalog.protocols().find(|p| p.id.as_str() == id).unwrap();
            assert_eq!(protocol.trial_only_product(), None, "{id}");
        }
    }
}
