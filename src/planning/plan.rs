//! A dated treatment plan, as the engine makes it.
//!
//! The field names and order are the JSON contract of `regen-planner plan --format json`.

use std::collections::BTreeSet;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::catalog::ids::string_enum;
use crate::catalog::{
    Alternative, Audience, Factor, Hazard, JurisdictionNote, Maintenance, ProtocolId, Range,
    RegulatoryStatus, Risk, ScaleId, Scales, Selection, Source, StepKind,
};

string_enum! {
    /// How much a warning weighs; ordered most severe first.
    Severity, "severity" {
        /// The patient is not a candidate for this protocol.
        Contraindicated = "contraindicated", "Not a candidate";
        /// The protocol is restricted by regulators for this use.
        Restricted = "restricted", "Restricted";
        /// Allowed, with a reason and often an action.
        Caution = "caution", "Caution";
        /// Worth knowing: investigational status, a schedule outside the usual spacing.
        Notice = "notice", "Notice";
    }
}

/// Which protocol a plan follows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProtocolRef {
    /// The protocol's stable id.
    pub id: ProtocolId,
    /// Its title.
    pub title: String,
}

/// Something dated to do because of a warning, such as pausing a drug.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DatedAction {
    /// What to do.
    pub text: String,
    /// By when, when the action has a date: before the first session it applies to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due: Option<Date>,
    /// The first session the dated action comes before (1 unless the action skips the
    /// first session, such as a harvest-only visit); left out of plans saved before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<u32>,
    /// Who does it: the patient, or the clinic (a check, a call to a specialist).
    #[serde(default, skip_serializing_if = "Audience::is_patient")]
    pub audience: Audience,
}

/// A warning shown at the top of a plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Warning {
    /// The patient factor it comes from, if any.
    pub factor: Option<Factor>,
    /// How much it weighs.
    pub severity: Severity,
    /// The whole warning in one or two sentences, with the action and its date.
    pub message: String,
    /// The action on its own, for checklists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<DatedAction>,
}

impl Warning {
    /// Whether the warning only notes a screening answer that the protocol says does not
    /// bear on the treatment (a notice from a factor): shown to the physician, left out
    /// of what the patient reads.
    #[must_use]
    pub fn notes_an_irrelevant_answer(&self) -> bool {
        self.severity == Severity::Notice && self.factor.is_some()
    }

    /// Whether the warning is a reason the patient is not a candidate: a
    /// contraindication, or a treatment allowed only within a trial for a patient who is
    /// not in one.
    #[must_use]
    pub fn refuses(&self) -> bool {
        self.severity == Severity::Contraindicated
            || (self.severity == Severity::Restricted && self.factor == Some(Factor::TrialEnrolled))
    }
}

/// The regulatory status of the plan's protocol, with the notes that apply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegulatoryInfo {
    /// The status, for the badge.
    pub status: RegulatoryStatus,
    /// The notes of the jurisdictions that apply.
    pub notes: Vec<JurisdictionNote>,
}

/// One step of a session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanStep {
    /// What kind of step.
    pub kind: StepKind,
    /// What is done.
    pub text: String,
    /// Where tissue is taken from, for a harvest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site: Option<String>,
    /// How much is taken.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volume: Option<String>,
    /// What the patient is told about the step in the handout; a step without it is
    /// clinic work the handout leaves out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub for_patient: Option<String>,
    /// The serious harm the step guards against, when it is a safe-technique step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hazard: Option<Hazard>,
    /// For a local anaesthetic dosed by weight: the most milligrams for this patient,
    /// when the weight is known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_dose_mg: Option<u32>,
}

/// One dated session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    /// 1-based.
    pub number: u32,
    /// The day of the session; always a day the clinic is open.
    pub date: Date,
    /// How long it takes.
    pub duration_minutes: Range,
    /// What happens, in order.
    pub steps: Vec<PlanStep>,
}

impl Session {
    /// Whether the session harvests tissue, leaving a donor site.
    #[must_use]
    pub fn has_harvest(&self) -> bool {
        self.steps.iter().any(|step| step.kind == StepKind::Harvest)
    }
}

/// A dated task before a session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DatedTask {
    /// What to do.
    pub task: String,
    /// By when.
    pub due: Date,
    /// The session it prepares (1-based); plans saved before holds were dated per
    /// session knew only session 1.
    #[serde(default = "first_session")]
    pub session: u32,
    /// Who does it: the patient (printed in the handout) or the clinic.
    #[serde(default, skip_serializing_if = "Audience::is_patient")]
    pub audience: Audience,
}

fn first_session() -> u32 {
    1
}

/// Where an aftercare task applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AftercareSite {
    /// The treated area.
    TreatedArea,
    /// The place tissue was harvested from.
    DonorSite,
}

impl AftercareSite {
    /// The name shown before a task.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            AftercareSite::TreatedArea => "Treated area",
            AftercareSite::DonorSite => "Donor site",
        }
    }
}

/// A dated aftercare task after one session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AftercareItem {
    /// The session it follows.
    pub session: u32,
    /// What to do or avoid.
    pub task: String,
    /// The first day it applies.
    pub from: Date,
    /// The last day it applies.
    pub until: Date,
    /// The treated area or the donor site.
    pub site: AftercareSite,
}

/// A window in which a result can be expected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MilestoneWindow {
    /// What to expect.
    pub label: String,
    /// The earliest day.
    pub from: Date,
    /// The day by which it usually shows.
    pub to: Date,
}

/// A dated follow-up visit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FollowUpVisit {
    /// The day; always a day the clinic is open.
    pub date: Date,
    /// Why the patient comes.
    pub purpose: String,
    /// What else is recorded, in words: what is not an outcome scale of the catalog
    /// (photographs, adverse events). A plan made before follow-ups named their scales
    /// by id names them here too.
    pub assessments: Vec<String>,
    /// The outcome scales scored at the visit, by id, in the order the protocol offers
    /// them; empty in a plan made before follow-ups named their scales by id.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scales: Vec<ScaleId>,
}

impl FollowUpVisit {
    /// What is recorded at the visit, in words: the scales by their short names (by id,
    /// for one the catalog does not hold), then the other assessments.
    #[must_use]
    pub fn measures(&self, scales: &Scales) -> Vec<String> {
        self.scales
            .iter()
            .map(|id| {
                scales
                    .get(id)
                    .map_or_else(|| id.to_string(), |scale| scale.short_name.clone())
            })
            .chain(self.assessments.iter().cloned())
            .collect()
    }

    /// What is recorded at the visit, with the scales by id, as the command line names
    /// them (`plans score --scale ID`).
    #[must_use]
    pub fn measures_by_id(&self) -> Vec<String> {
        self.scales
            .iter()
            .map(ToString::to_string)
            .chain(self.assessments.iter().cloned())
            .collect()
    }
}

/// A dated treatment plan for one patient and one protocol.
///
/// There is no `Default`: a plan cannot exist without a protocol.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    /// The protocol followed.
    pub protocol: ProtocolRef,
    /// False when a factor is contraindicated, the indication cannot respond, or the
    /// treatment is allowed only within a trial and the patient is in none; then the
    /// plan has no sessions and no maintenance, and its warnings and alternatives say why
    /// and what instead.
    pub candidate: bool,
    /// Most severe first.
    pub warnings: Vec<Warning>,
    /// Regulatory status and notes.
    pub regulatory: RegulatoryInfo,
    /// The dated sessions.
    pub sessions: Vec<Session>,
    /// Dated tasks before each session, by due date.
    pub pre_procedure: Vec<DatedTask>,
    /// Dated aftercare after each session.
    pub aftercare: Vec<AftercareItem>,
    /// When which result can be expected.
    pub milestones: Vec<MilestoneWindow>,
    /// Dated follow-up visits with their outcome scales.
    pub follow_ups: Vec<FollowUpVisit>,
    /// What keeps the result.
    pub maintenance: Maintenance,
    /// Risks for the consent talk.
    pub risks: Vec<Risk>,
    /// Alternatives for the consent talk; an alternative named by a contraindication
    /// comes first.
    pub alternatives: Vec<Alternative>,
    /// Where the protocol's figures come from. The texts of the plan cite them by
    /// number: "[3]" is the third source; each keeps its stable `key`.
    pub sources: Vec<Source>,
    /// What was chosen.
    pub selection: Selection,
    /// The screening answers that were "yes".
    pub factors: BTreeSet<Factor>,
    /// What the treatment is.
    pub summary: String,
    /// What the evidence shows.
    pub evidence: String,
    /// How long the patient is limited after a session.
    pub downtime: String,
    /// Costs that may come on top.
    pub additional_costs: String,
}

impl Plan {
    /// The most severe warning, if there is any.
    #[must_use]
    pub fn most_severe(&self) -> Option<Severity> {
        self.warnings.iter().map(|warning| warning.severity).min()
    }
}
