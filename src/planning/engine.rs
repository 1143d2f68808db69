//! Turns a [`PlanRequest`] into a [`Plan`].

use std::fmt::Write as _;

use jiff::ToSpan;
use jiff::civil::Date;

use super::plan::{
    AftercareItem, AftercareSite, DatedAction, DatedTask, FollowUpVisit, MilestoneWindow, Plan,
    PlanStep, ProtocolRef, RegulatoryInfo, Session, Severity, Warning,
};
use super::schedule::{ClinicOptions, PlanRequest};
use crate::catalog::{
    Anchor, Audience, Catalog, CellSource, Factor, FactorRule, FactorSeverity, Maintenance,
    Protocol, ProtocolId, Range, RegulatoryStatus, Selection, Step, StepKind, TrialRule, in_scope,
};

/// Why no plan could be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    /// No protocol covers the combination.
    #[error("{reason}. {}", closest_sentence(closest))]
    NotCovered {
        /// Why, in words.
        reason: String,
        /// The protocols that come closest, best first.
        closest: Vec<(ProtocolId, String)>,
    },
    /// The protocol does not allow the adjunct.
    #[error(
        "{protocol} does not combine with {adjunct}; {}",
        allowed_sentence(allowed)
    )]
    AdjunctNotAllowed {
        /// The protocol's title.
        protocol: String,
        /// The adjunct asked for.
        adjunct: CellSource,
        /// The adjuncts it allows.
        allowed: Vec<CellSource>,
    },
    /// The session count lies outside what the protocol allows.
    #[error(
        "{protocol} plans {range} {}; {requested} is outside that range",
        if range.max == 1 { "session" } else { "sessions" }
    )]
    SessionCountOutOfRange {
        /// The protocol's title.
        protocol: String,
        /// The count asked for.
        requested: u32,
        /// The range allowed.
        range: Range,
    },
    /// The clinic has no open day, so nothing can be scheduled.
    #[error(
        "the clinic is open on no day of the week; open at least one working day in the settings"
    )]
    NoWorkingDays,
    /// A moved session would come before the session it follows.
    #[error(
        "session {number} on {date} would come before session {previous} on {previous_date}; choose a later date"
    )]
    SessionsOutOfOrder {
        /// The moved session.
        number: u32,
        /// Its date.
        date: Date,
        /// The session before it.
        previous: u32,
        /// That session's date.
        previous_date: Date,
    },
    /// A date would fall outside the calendar the app can represent.
    #[error("the plan would reach past the year 9999; choose an earlier start date")]
    DateOutOfRange,
}

fn closest_sentence(closest: &[(ProtocolId, String)]) -> String {
    if closest.is_empty() {
        "No protocol comes close; run `regen-planner catalog` to see what is covered".to_owned()
    } else {
        let names: Vec<String> = closest
            .iter()
            .map(|(id, title)| format!("{id} ({title})"))
            .collect();
        format!("Closest protocols: {}", names.join("; "))
    }
}

fn allowed_sentence(allowed: &[CellSource]) -> String {
    if allowed.is_empty() {
        "it takes no adjunct".to_owned()
    } else {
        let ids: Vec<&str> = allowed.iter().map(|source| source.id()).collect();
        format!("it allows: {}", ids.join(", "))
    }
}

/// Makes the plan for a request.
///
/// # Errors
/// When no protocol covers the selection, an adjunct or session count is not allowed,
/// the clinic has no open day, moved sessions are out of order, or a date would leave
/// the calendar.
pub fn generate(catalog: &Catalog, request: &PlanRequest) -> Result<Plan, PlanError> {
    let selection = &request.selection;
    let protocol = catalog
        .covering(selection)
        .ok_or_else(|| not_covered(catalog, selection))?;
    let adjuncts = allowed_adjuncts(protocol, selection)?;
    let session_count = request.session_count.unwrap_or(protocol.sessions.typical);
    if !protocol.sessions.range.contains(session_count) {
        return Err(PlanError::SessionCountOutOfRange {
            protocol: protocol.title.clone(),
            requested: session_count,
            range: protocol.sessions.range,
        });
    }
    if request.options.working_days.is_empty() {
        return Err(PlanError::NoWorkingDays);
    }

    let rules = applicable_rules(protocol, request);
    let trial = TrialStanding::of(protocol, request);
    let offered_alternatives = alternatives(protocol, &rules, trial, request);
    let offered = &offered_alternatives;
    // The sessions are dated before the warnings, so that a dated action names the first
    // session it applies to; a patient who is not a candidate keeps none of them.
    let schedule = sessions(protocol, &adjuncts, session_count, request);
    let dated = schedule.as_deref().unwrap_or_default();
    let mut warnings = factor_warnings(protocol, &rules, trial, request, dated, offered)?;
    warnings.extend(unanswered_warnings(protocol, request));
    warnings.extend(trial.warning(&offered_alternatives));
    warnings.extend(regulatory_warnings(protocol, trial));
    let candidate = !warnings.iter().any(Warning::refuses);
    let in_scope_here = |areas: &[crate::catalog::Area],
                         modalities: &[crate::catalog::Modality]| {
        in_scope(areas, modalities, selection.area, selection.modality)
    };

    let mut plan = Plan {
        protocol: ProtocolRef {
            id: protocol.id.clone(),
            title: protocol.title.clone(),
        },
        candidate,
        warnings: Vec::new(),
        regulatory: RegulatoryInfo {
            status: protocol.regulatory.status,
            notes: protocol
                .regulatory
                .notes
                .iter()
                .filter(|note| {
                    request
                        .options
                        .jurisdiction
                        .is_none_or(|wanted| wanted == note.jurisdiction)
                })
                .cloned()
                .collect(),
        },
        sessions: Vec::new(),
        pre_procedure: Vec::new(),
        aftercare: Vec::new(),
        milestones: Vec::new(),
        follow_ups: Vec::new(),
        maintenance: if candidate {
            protocol.maintenance.clone()
        } else {
            Maintenance {
                description: "None: no treatment is planned, so there is nothing to maintain."
                    .to_owned(),
                interval_months: None,
            }
        },
        risks: protocol
            .risks
            .iter()
            .filter(|risk| in_scope_here(&risk.areas, &risk.modalities))
            .cloned()
            .collect(),
        alternatives: offered_alternatives,
        sources: protocol.sources.clone(),
        selection: selection.clone(),
        factors: request.factors.clone(),
        summary: protocol.summary.clone(),
        evidence: protocol.evidence.clone(),
        downtime: protocol.downtime.clone(),
        additional_costs: protocol.additional_costs.clone(),
    };

    if candidate {
        plan.sessions = schedule?;
        warnings.extend(spacing_warnings(protocol, &plan.sessions));
        warnings.extend(harvest_warnings(&plan.sessions));
        warnings.extend(weight_warning(&plan.sessions, request));
        plan.pre_procedure =
            pre_procedure(protocol, &adjuncts, &rules, trial, &plan.sessions, request)?;
        plan.aftercare = aftercare(protocol, &plan.sessions, selection)?;
        plan.milestones = milestones(protocol, &plan.sessions)?;
        plan.follow_ups = follow_ups(protocol, &plan.sessions, selection, &request.options)?;
    }
    warnings.sort_by_key(|warning| {
        let indication_cannot_respond = warning.factor.is_some_and(indication_cannot_respond);
        (warning.severity, !indication_cannot_respond, warning.factor)
    });
    plan.warnings = warnings;
    Ok(plan)
}

/// "1 day", "3 days".
fn days(count: i64) -> String {
    if count == 1 || count == -1 {
        format!("{count} day")
    } else {
        format!("{count} days")
    }
}

/// The factor rules that apply to the request: the protocol's and the chosen adjuncts',
/// for the patient's answers, the delivery and the area.
fn applicable_rules<'p>(protocol: &'p Protocol, request: &'p PlanRequest) -> Vec<&'p FactorRule> {
    request
        .factors
        .iter()
        .flat_map(|factor| protocol.rules_for(*factor, &request.selection))
        .collect()
}

/// Where the patient stands with a protocol the law may allow only within a trial.
#[derive(Debug, Clone, Copy)]
struct TrialStanding<'p> {
    /// The protocol's rule, when it has one.
    rule: Option<&'p TrialRule>,
    /// Whether the desk's jurisdiction (every one, when none is set) allows the
    /// protocol only within a trial, an IND or a hospital exemption.
    trial_only: bool,
    /// Whether the patient is treated within one.
    enrolled: bool,
}

impl<'p> TrialStanding<'p> {
    fn of(protocol: &'p Protocol, request: &PlanRequest) -> Self {
        Self {
            rule: protocol.trial_enrolled.as_ref(),
            trial_only: protocol.trial_only(request.options.jurisdiction),
            enrolled: request.factors.contains(&Factor::TrialEnrolled),
        }
    }

    /// Whether the patient is refused because the treatment needs a trial they are not in.
    fn refuses(self) -> bool {
        self.trial_only && !self.enrolled
    }

    /// The restricted warning that says why, when the patient is refused; it names the
    /// referral only when the plan offers it (a trial is no option during active
    /// cancer, for one).
    fn warning(self, offered: &[crate::catalog::Alternative]) -> Option<Warning> {
        if !self.refuses() {
            return None;
        }
        let reason = self.rule.map_or_else(
            || "The law allows this treatment only within a registered trial, or under an IND or a hospital exemption.".to_owned(),
            |rule| rule.reason.clone(),
        );
        let mut message = format!(
            "{}: {} The screening records no such trial or exemption for this patient, so no sessions are planned.",
            Factor::TrialEnrolled.label(),
            reason.trim_end()
        );
        if let Some(rule) = self.rule
            && offered.iter().any(|known| known.name == rule.referral.name)
        {
            let _ = write!(message, " Alternative: {}.", rule.referral.name);
        }
        Some(Warning {
            factor: Some(Factor::TrialEnrolled),
            severity: Severity::Restricted,
            message,
            action: None,
        })
    }
}

/// Adds whole days to a date.
fn add_days(date: Date, days: i64) -> Result<Date, PlanError> {
    date.checked_add(days.days())
        .map_err(|_| PlanError::DateOutOfRange)
}

/// The date itself when the clinic is open then, else the next open day (not a closed
/// date either).
fn next_open_day(date: Date, clinic: &ClinicOptions) -> Result<Date, PlanError> {
    clinic
        .next_open_day(date)
        .ok_or(if clinic.working_days.is_empty() {
            PlanError::NoWorkingDays
        } else {
            PlanError::DateOutOfRange
        })
}

fn not_covered(catalog: &Catalog, selection: &Selection) -> PlanError {
    let reason = uncovered_reason(catalog, selection);
    let closest = catalog
        .closest(selection)
        .into_iter()
        .map(|protocol| (protocol.id.clone(), protocol.title.clone()))
        .collect();
    PlanError::NotCovered { reason, closest }
}

/// Says which axis breaks the combination, from the most basic mismatch to the least.
fn uncovered_reason(catalog: &Catalog, selection: &Selection) -> String {
    use crate::catalog::PartialSelection;

    let Selection {
        modality,
        source,
        area,
        indication,
        ..
    } = *selection;
    if !indication.fits_area(area) {
        return format!(
            "{} is not an indication of the {}",
            indication.label(),
            area.label().to_lowercase()
        );
    }
    let area_and_indication = PartialSelection {
        area: Some(area),
        indication: Some(indication),
        ..PartialSelection::default()
    };
    if !catalog.offers(&area_and_indication) {
        return format!(
            "No protocol treats {} on the {}",
            indication.label().to_lowercase(),
            area.label().to_lowercase()
        );
    }
    let with_source = PartialSelection {
        source: Some(source),
        ..area_and_indication
    };
    if !catalog.offers(&with_source) {
        return format!(
            "No protocol uses {} for {} on the {}",
            source.label(),
            indication.label().to_lowercase(),
            area.label().to_lowercase()
        );
    }
    format!(
        "{} for {} on the {} is not delivered by {}",
        source.label(),
        indication.label().to_lowercase(),
        area.label().to_lowercase(),
        modality.label().to_lowercase()
    )
}

fn allowed_adjuncts<'p>(
    protocol: &'p Protocol,
    selection: &Selection,
) -> Result<Vec<&'p crate::catalog::Adjunct>, PlanError> {
    let mut adjuncts: Vec<&crate::catalog::Adjunct> = Vec::new();
    for source in &selection.adjuncts {
        let adjunct = protocol
            .adjunct(*source)
            .ok_or_else(|| PlanError::AdjunctNotAllowed {
                protocol: protocol.title.clone(),
                adjunct: *source,
                allowed: protocol
                    .adjuncts
                    .iter()
                    .map(|adjunct| adjunct.source)
                    .collect(),
            })?;
        if !adjuncts.iter().any(|known| known.source == adjunct.source) {
            adjuncts.push(adjunct);
        }
    }
    Ok(adjuncts)
}

/// The warnings from the patient's factors, with dates for actions that have them.
/// A dated action is due before the first session it applies to (session 2 when the
/// first session only harvests), which the warning names; one due before every session
/// says so, and the plan's tasks carry each date. Without dated sessions (a schedule
/// that cannot be made) the dates count back from the wished start.
fn factor_warnings(
    protocol: &Protocol,
    rules: &[&FactorRule],
    trial: TrialStanding<'_>,
    request: &PlanRequest,
    sessions: &[Session],
    offered_alternatives: &[crate::catalog::Alternative],
) -> Result<Vec<Warning>, PlanError> {
    let wished_first = first_session_date(request)?;
    let mut warnings = Vec::new();
    for rule in rules {
        let factor = &rule.factor;
        let severity = match rule.severity {
            FactorSeverity::Contraindicated => Severity::Contraindicated,
            FactorSeverity::Caution => Severity::Caution,
            FactorSeverity::NotRelevant => Severity::Notice,
        };
        let mut again = false;
        let action = match &rule.action {
            Some(action) => {
                let (due, session) = match action.days_before {
                    Some(days) => {
                        let first = if sessions.is_empty() {
                            Some((1, wished_first))
                        } else {
                            sessions
                                .iter()
                                .find(|session| action.sessions.includes(session.number))
                                .map(|session| (session.number, session.date))
                        };
                        if let Some((number, _)) = first {
                            again = sessions.iter().any(|later| {
                                later.number > number && action.sessions.includes(later.number)
                            });
                        }
                        match first {
                            Some((number, date)) => {
                                (Some(add_days(date, -i64::from(days))?), Some(number))
                            }
                            None => (None, None),
                        }
                    }
                    None => (None, None),
                };
                Some(DatedAction {
                    text: action.text.clone(),
                    due,
                    session,
                    audience: action.audience,
                })
            }
            None => None,
        };
        let mut message = format!("{}: {}", factor.label(), rule.reason);
        if let Some(action) = &action {
            message.push(' ');
            if let Some(due) = action.due {
                // "Stop smoking. Due by 2027-02-15.": the day reads as its own sentence
                // after an action of several sentences, with the session it comes before
                // when that is not the first.
                message.push_str(action.text.trim_end_matches('.'));
                let _ = write!(message, ". Due by {due}");
                if let Some(number) = action.session.filter(|number| *number > 1) {
                    let _ = write!(message, ", before session {number}");
                }
                if again {
                    message.push_str(", and again before each later session");
                }
            } else {
                message.push_str(&action.text);
            }
            if !message.ends_with('.') {
                message.push('.');
            }
        }
        // A warning names only an alternative the plan's list offers.
        if let Some(alternative) = &rule.alternative
            && offered(alternative, rule, protocol, request, trial)
            && offered_alternatives
                .iter()
                .any(|known| known.name == alternative.name)
        {
            let lead = if rule.severity == FactorSeverity::Contraindicated {
                "Alternative"
            } else {
                "If that is not possible, consider instead"
            };
            let _ = write!(message, " {lead}: {}.", alternative.name);
        }
        warnings.push(Warning {
            factor: Some(*factor),
            severity,
            message,
            action,
        });
    }
    Ok(warnings)
}

/// A warning for each yes answer that no rule of the protocol (or of a chosen adjunct)
/// answers, so that no answer is dropped unseen: the physician decides what it means. A
/// protocol file that passes the catalog check answers every factor; this covers a
/// factor added later and older files. `trial-enrolled` is answered by the protocol's
/// trial rule; without one, the treatment needs no trial, which a notice says.
fn unanswered_warnings(protocol: &Protocol, request: &PlanRequest) -> Vec<Warning> {
    request
        .factors
        .iter()
        .filter(|factor| {
            if **factor == Factor::TrialEnrolled {
                protocol.trial_enrolled.is_none()
            } else {
                protocol.rules_for(**factor, &request.selection).next().is_none()
            }
        })
        .map(|factor| {
            if *factor == Factor::TrialEnrolled {
                Warning {
                    factor: Some(*factor),
                    severity: Severity::Notice,
                    message: format!(
                        "{}: the law does not limit this treatment to a trial, so the plan records no trial number; if the patient's trial covers this treatment, its protocol applies.",
                        factor.label()
                    ),
                    action: None,
                }
            } else {
                Warning {
                    factor: Some(*factor),
                    severity: Severity::Caution,
                    message: format!(
                        "{}: the protocol does not say how this answer bears on the treatment, so the plan has not weighed it; the treating physician decides whether it changes the plan before any session.",
                        factor.label()
                    ),
                    action: None,
                }
            }
        })
        .collect()
}

fn regulatory_warnings(protocol: &Protocol, trial: TrialStanding<'_>) -> Option<Warning> {
    let within_trial = trial.trial_only && trial.enrolled;
    let (severity, message) = match protocol.regulatory.status {
        // A restricted protocol is trial-only everywhere: without a trial the
        // trial warning says why the patient is refused.
        RegulatoryStatus::Restricted if !trial.enrolled => return None,
        RegulatoryStatus::Restricted => (
            Severity::Notice,
            "Restricted: regulators allow this use only within the patient's trial or exemption; its protocol sets the dose, the schedule and the monitoring (see the regulatory notes).".to_owned(),
        ),
        RegulatoryStatus::Investigational if within_trial => (
            Severity::Notice,
            "Investigational: not approved or cleared for this use; given within the patient's trial or exemption, and the patient is told so (see the regulatory notes).".to_owned(),
        ),
        RegulatoryStatus::Investigational => (
            Severity::Notice,
            "Investigational: not approved or cleared for this use; plan it as research and tell the patient so (see the regulatory notes).".to_owned(),
        ),
        RegulatoryStatus::Established | RegulatoryStatus::OffLabel | RegulatoryStatus::Cosmetic => {
            return None;
        }
    };
    Some(Warning {
        factor: None,
        severity,
        message,
        action: None,
    })
}

/// The date of session 1: a moved date if the physician moved it, else the wished start,
/// before any shift to an open day.
fn first_session_date(request: &PlanRequest) -> Result<Date, PlanError> {
    if let Some(performed) = request.performed_sessions.get(&1) {
        return Ok(*performed);
    }
    let wished = request
        .moved_sessions
        .get(&1)
        .copied()
        .unwrap_or(request.start);
    next_open_day(wished, &request.options)
}

fn sessions(
    protocol: &Protocol,
    adjuncts: &[&crate::catalog::Adjunct],
    count: u32,
    request: &PlanRequest,
) -> Result<Vec<Session>, PlanError> {
    let clinic = &request.options;
    let mut duration = protocol.procedure_minutes;
    for adjunct in adjuncts {
        duration.min += adjunct.extra_minutes.min;
        duration.max += adjunct.extra_minutes.max;
    }
    let mut sessions: Vec<Session> = Vec::new();
    for number in 1..=count {
        let wished = match (request.moved_sessions.get(&number), sessions.last()) {
            (Some(moved), _) => *moved,
            (None, None) => request.start,
            (None, Some(previous)) => {
                let interval = match (number, protocol.sessions.first_interval_days) {
                    (2, Some(first_interval)) => first_interval,
                    _ => protocol.sessions.spacing_days,
                };
                add_days(previous.date, i64::from(interval))?
            }
        };
        // A session that took place keeps its day, open or not.
        let date = match request.performed_sessions.get(&number) {
            Some(performed) => *performed,
            None => next_open_day(wished, clinic)?,
        };
        if let Some(previous) = sessions.last()
            && date <= previous.date
        {
            return Err(PlanError::SessionsOutOfOrder {
                number,
                date,
                previous: previous.number,
                previous_date: previous.date,
            });
        }
        sessions.push(Session {
            number,
            date,
            duration_minutes: duration,
            steps: session_steps(protocol, adjuncts, number, request),
        });
    }
    Ok(sessions)
}

/// The protocol's steps for a session and the chosen delivery and area, with the
/// adjuncts' steps placed before the first administration, and the maximum dose of a
/// local anaesthetic worked out from the patient's weight.
fn session_steps(
    protocol: &Protocol,
    adjuncts: &[&crate::catalog::Adjunct],
    number: u32,
    request: &PlanRequest,
) -> Vec<PlanStep> {
    let selection = &request.selection;
    let belongs = |step: &&Step| {
        step.sessions.includes(number) && step.applies_to(selection.area, selection.modality)
    };
    let own: Vec<&Step> = protocol.steps.iter().filter(belongs).collect();
    let added = adjuncts
        .iter()
        .flat_map(|adjunct| adjunct.steps.iter())
        .filter(belongs);
    let insert_at = own
        .iter()
        .position(|step| step.kind == StepKind::Administration)
        .unwrap_or(own.len());
    let mut ordered: Vec<&Step> = own[..insert_at].to_vec();
    ordered.extend(added);
    ordered.extend_from_slice(&own[insert_at..]);
    ordered
        .into_iter()
        .map(|step| {
            let mut text = step.text.clone();
            let mut max_dose_mg = None;
            if let Some(limit) = &step.dose_limit {
                text.push_str(&dose_sentence(limit, request.weight_kg));
                max_dose_mg = request.weight_kg.map(|weight| limit.max_for(weight));
            }
            PlanStep {
                kind: step.kind,
                text,
                site: step.site.clone(),
                volume: step.volume.clone(),
                for_patient: step.for_patient.clone(),
                hazard: step.hazard,
                max_dose_mg,
            }
        })
        .collect()
}

/// A whole number with its thousands grouped: "2,450".
fn grouped(value: u32) -> String {
    let digits = value.to_string();
    let mut out = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// " Maximum dose of lidocaine with adrenaline at the donor site, by tumescent
/// infiltration: 35 mg/kg, and never more than 2,800 mg, which is 2,100 mg for 60 kg.",
/// or, without a weight, what it depends on.
fn dose_sentence(limit: &crate::catalog::DoseLimit, weight_kg: Option<u32>) -> String {
    let technique = limit
        .technique
        .map(|technique| format!(", by {}", technique.label().to_lowercase()))
        .unwrap_or_default();
    let cap = limit
        .max_mg
        .map(|cap| format!(", and never more than {} mg", grouped(cap)))
        .unwrap_or_default();
    match weight_kg {
        Some(weight) => {
            let dose = limit.max_for(weight);
            let capped = limit.max_mg.is_some_and(|cap| dose == cap)
                && u64::from(limit.mg_per_kg.tenths()) * u64::from(weight) / 10 > u64::from(dose);
            format!(
                " Maximum dose of {}{technique}: {} mg/kg{cap}, which is {} mg for {weight} kg{}.",
                limit.drug,
                limit.mg_per_kg,
                grouped(dose),
                if capped { " (the cap)" } else { "" }
            )
        }
        None => format!(
            " Maximum dose of {}{technique}: {} mg/kg{cap}; the patient's weight is not recorded, so weigh the patient and work out the dose before infiltrating.",
            limit.drug, limit.mg_per_kg
        ),
    }
}

/// A caution when a local anaesthetic is dosed by weight and the weight is unknown.
fn weight_warning(sessions: &[Session], request: &PlanRequest) -> Option<Warning> {
    if request.weight_kg.is_some()
        || !sessions
            .iter()
            .flat_map(|session| &session.steps)
            .any(|step| step.text.contains(" mg/kg"))
    {
        return None;
    }
    Some(Warning {
        factor: None,
        severity: Severity::Caution,
        message: "Body weight: the most local anaesthetic that can safely be given depends on the weight, which the plan does not record. Weigh the patient and enter the weight, so that each session states the maximum dose in milligrams.".to_owned(),
        action: Some(DatedAction {
            text: "Weigh the patient and enter the weight in the plan.".to_owned(),
            due: sessions.first().map(|session| session.date),
            session: sessions.first().map(|session| session.number),
            audience: Audience::Clinic,
        }),
    })
}

/// Notices for sessions the physician moved closer or further apart than the sources
/// space them.
fn spacing_warnings(protocol: &Protocol, sessions: &[Session]) -> Vec<Warning> {
    let allowed = protocol.sessions.spacing_range_days;
    let mut warnings = Vec::new();
    for pair in sessions.windows(2) {
        let [previous, next] = pair else { continue };
        // A difference of civil dates is counted in whole days.
        let gap = i64::from((next.date - previous.date).get_days());
        if let Some(first_interval) = protocol.sessions.first_interval_days
            && previous.number == 1
        {
            if gap < i64::from(first_interval) {
                warnings.push(Warning {
                    factor: None,
                    severity: Severity::Caution,
                    message: format!(
                        "Session 2 is {} after session 1, before the {first_interval} days the product needs after the harvest; confirm with the laboratory that it will be ready.",
                        days(gap)
                    ),
                    action: None,
                });
            }
            continue;
        }
        let too_close = gap < i64::from(allowed.min);
        let too_far = gap > i64::from(allowed.max) + 7;
        if too_close || too_far {
            warnings.push(Warning {
                factor: None,
                severity: Severity::Notice,
                message: format!(
                    "Session {} is {} after session {}; the sources space sessions {allowed} days apart.",
                    next.number,
                    days(gap),
                    previous.number
                ),
                action: None,
            });
        }
    }
    warnings
}

/// The fewest days between two sessions that both take tissue: the donor site of the
/// first is still in compression and swelling for weeks.
const MIN_DAYS_BETWEEN_HARVESTS: i64 = 90;

/// A caution for each pair of harvest sessions the physician moved closer than three
/// months apart.
fn harvest_warnings(sessions: &[Session]) -> Vec<Warning> {
    let harvests: Vec<&Session> = sessions.iter().filter(|s| s.has_harvest()).collect();
    harvests
        .windows(2)
        .filter_map(|pair| {
            let [previous, next] = pair else { return None };
            let gap = i64::from((next.date - previous.date).get_days());
            (gap < MIN_DAYS_BETWEEN_HARVESTS).then(|| Warning {
                factor: None,
                severity: Severity::Caution,
                message: format!(
                    "Sessions {} and {} both take tissue only {} apart; leave at least {MIN_DAYS_BETWEEN_HARVESTS} days between harvests so the donor site can heal.",
                    previous.number,
                    next.number,
                    days(gap)
                ),
                action: None,
            })
        })
        .collect()
}

/// The dated tasks before each session: the protocol's own for the delivery and area
/// and those of the chosen adjuncts (a blood count before PRP is drawn), the dated
/// actions of the patient's factors, the trial record, and the weight when a
/// dose depends on it.
fn pre_procedure(
    protocol: &Protocol,
    adjuncts: &[&crate::catalog::Adjunct],
    rules: &[&FactorRule],
    trial: TrialStanding<'_>,
    sessions: &[Session],
    request: &PlanRequest,
) -> Result<Vec<DatedTask>, PlanError> {
    let selection = &request.selection;
    let mut tasks = Vec::new();
    for session in sessions {
        let before = |days: u32| add_days(session.date, -i64::from(days));
        let own_and_adjuncts = protocol
            .pre_procedure
            .iter()
            .chain(adjuncts.iter().flat_map(|adjunct| &adjunct.pre_procedure));
        for task in own_and_adjuncts {
            if task.sessions.includes(session.number)
                && in_scope(
                    &task.areas,
                    &task.modalities,
                    selection.area,
                    selection.modality,
                )
            {
                tasks.push(DatedTask {
                    task: task.text.clone(),
                    due: before(task.days_before)?,
                    session: session.number,
                    audience: task.audience,
                });
            }
        }
        for rule in rules {
            if let Some(action) = &rule.action
                && let Some(days_before) = action.days_before
                && action.sessions.includes(session.number)
            {
                tasks.push(DatedTask {
                    task: action.text.clone(),
                    due: before(days_before)?,
                    session: session.number,
                    audience: action.audience,
                });
            }
        }
    }
    if let Some(first) = sessions.first() {
        if let Some(rule) = trial.rule
            && trial.enrolled
        {
            tasks.push(DatedTask {
                task: rule.record.clone(),
                due: add_days(first.date, -i64::from(rule.days_before))?,
                session: 1,
                audience: Audience::Clinic,
            });
        }
        if let Some(warning) = weight_warning(sessions, request)
            && let Some(action) = warning.action
        {
            tasks.push(DatedTask {
                task: action.text,
                due: first.date,
                session: 1,
                audience: Audience::Clinic,
            });
        }
    }
    tasks.sort_by_key(|task| (task.due, task.session));
    Ok(tasks)
}

fn aftercare(
    protocol: &Protocol,
    sessions: &[Session],
    selection: &Selection,
) -> Result<Vec<AftercareItem>, PlanError> {
    let mut items = Vec::new();
    for session in sessions {
        let donor = if session.has_harvest() {
            protocol.donor_site_care.as_slice()
        } else {
            &[]
        };
        let tasks = protocol
            .aftercare
            .iter()
            .map(|task| (task, AftercareSite::TreatedArea))
            .chain(donor.iter().map(|task| (task, AftercareSite::DonorSite)))
            .filter(|(task, _)| {
                task.sessions.includes(session.number)
                    && in_scope(
                        &task.areas,
                        &task.modalities,
                        selection.area,
                        selection.modality,
                    )
            });
        for (task, site) in tasks {
            items.push(AftercareItem {
                session: session.number,
                task: task.text.clone(),
                from: add_days(session.date, i64::from(task.from_day))?,
                until: add_days(session.date, i64::from(task.until_day))?,
                site,
            });
        }
    }
    Ok(items)
}

/// The sessions a milestone or follow-up is counted from: the first, the last, or each.
fn anchor_sessions(anchor: Anchor, sessions: &[Session]) -> &[Session] {
    match anchor {
        Anchor::FirstSession => sessions.get(..1).unwrap_or_default(),
        Anchor::LastSession => sessions
            .len()
            .checked_sub(1)
            .map_or(&[], |last| &sessions[last..]),
        Anchor::EachSession => sessions,
    }
}

fn milestones(
    protocol: &Protocol,
    sessions: &[Session],
) -> Result<Vec<MilestoneWindow>, PlanError> {
    let mut windows = Vec::new();
    for milestone in &protocol.milestones {
        for session in anchor_sessions(milestone.anchor, sessions) {
            let label = if milestone.anchor == Anchor::EachSession && sessions.len() > 1 {
                format!("{} (after session {})", milestone.label, session.number)
            } else {
                milestone.label.clone()
            };
            windows.push(MilestoneWindow {
                label,
                from: add_days(session.date, i64::from(milestone.from_days))?,
                to: add_days(session.date, i64::from(milestone.to_days))?,
            });
        }
    }
    windows.sort_by(|a, b| a.from.cmp(&b.from).then_with(|| a.to.cmp(&b.to)));
    Ok(windows)
}

fn follow_ups(
    protocol: &Protocol,
    sessions: &[Session],
    selection: &Selection,
    clinic: &ClinicOptions,
) -> Result<Vec<FollowUpVisit>, PlanError> {
    let mut visits = Vec::new();
    for follow_up in &protocol.follow_ups {
        for session in anchor_sessions(follow_up.anchor, sessions) {
            let purpose = if follow_up.anchor == Anchor::EachSession && sessions.len() > 1 {
                format!("{} (after session {})", follow_up.purpose, session.number)
            } else {
                follow_up.purpose.clone()
            };
            let wished = add_days(session.date, i64::from(follow_up.days_after))?;
            visits.push(FollowUpVisit {
                date: next_open_day(wished, clinic)?,
                purpose,
                assessments: follow_up.assessments.clone(),
                scales: follow_up
                    .scales_for(selection.area, selection.indication)
                    .cloned()
                    .collect(),
            });
        }
    }
    visits.sort_by_key(|visit| visit.date);
    Ok(visits)
}

/// Whether a factor says the indication itself cannot respond, whatever else the patient
/// has (a scalp with no living follicles). Among the refusals, such a warning and its
/// alternative come first: another refusal's alternative may not help the patient at all
/// (minoxidil cannot wake a dead follicle).
fn indication_cannot_respond(factor: Factor) -> bool {
    factor == Factor::NoLivingFollicles
}

/// Whether an alternative named by `rule` (or the protocol, when `rule` is `None`) may
/// be offered to this patient: not when the patient's screening rules it out, not when
/// it is this protocol given another way that the screening also refuses, and not when
/// it only leaves out an adjunct while the protocol itself is refused.
fn offered(
    alternative: &crate::catalog::Alternative,
    rule: &FactorRule,
    protocol: &Protocol,
    request: &PlanRequest,
    trial: TrialStanding<'_>,
) -> bool {
    offered_from(alternative, Some(rule), protocol, request, trial)
}

fn offered_from(
    alternative: &crate::catalog::Alternative,
    rule: Option<&FactorRule>,
    protocol: &Protocol,
    request: &PlanRequest,
    trial: TrialStanding<'_>,
) -> bool {
    let selection = &request.selection;
    if !alternative.applies_to(selection.area, selection.indication)
        || alternative
            .excluded_by
            .iter()
            .chain(&alternative.intrinsic_exclusions())
            .any(|factor| request.factors.contains(factor))
    {
        return false;
    }
    let refuses_with = |selection: &Selection, own_only: bool| {
        request.factors.iter().any(|factor| {
            protocol
                .rules_for(*factor, selection)
                .filter(|candidate| {
                    !own_only
                        || protocol
                            .factors
                            .iter()
                            .any(|own| std::ptr::eq(own, *candidate))
                })
                .any(|candidate| candidate.severity == FactorSeverity::Contraindicated)
        })
    };
    let from_adjunct =
        rule.is_some_and(|rule| !protocol.factors.iter().any(|own| std::ptr::eq(own, rule)));
    if from_adjunct && (trial.refuses() || refuses_with(&request.selection, true)) {
        return false;
    }
    if let Some(modality) = alternative.same_protocol_by {
        let other_way = Selection {
            modality,
            ..request.selection.clone()
        };
        let covered = protocol.covers(
            other_way.modality,
            other_way.source,
            other_way.area,
            other_way.indication,
        );
        if !covered || trial.refuses() || refuses_with(&other_way, false) {
            return false;
        }
    }
    true
}

/// A rule's alternative, with the rule it comes from.
fn named(rule: &FactorRule) -> Option<(&crate::catalog::Alternative, Option<&FactorRule>)> {
    rule.alternative
        .as_ref()
        .map(|alternative| (alternative, Some(rule)))
}

/// The alternatives for the consent talk: first those named by the patient's
/// contraindications (the one for an indication that cannot respond first), then the
/// referral to a trial when the treatment needs one, then those named by cautions (a
/// harvest that a blood thinner may rule out), then the protocol's own; never one the
/// patient's own screening rules out.
fn alternatives(
    protocol: &Protocol,
    rules: &[&FactorRule],
    trial: TrialStanding<'_>,
    request: &PlanRequest,
) -> Vec<crate::catalog::Alternative> {
    let mut refusals: Vec<&FactorRule> = rules
        .iter()
        .copied()
        .filter(|rule| rule.severity == FactorSeverity::Contraindicated)
        .collect();
    refusals.sort_by_key(|rule| !indication_cannot_respond(rule.factor));
    let cautions = rules
        .iter()
        .copied()
        .filter(|rule| rule.severity == FactorSeverity::Caution);
    let referral = trial
        .refuses()
        .then_some(trial.rule.map(|rule| (&rule.referral, None)))
        .flatten();
    let candidates = refusals
        .into_iter()
        .filter_map(named)
        .chain(referral)
        .chain(cautions.filter_map(named))
        .chain(
            protocol
                .alternatives
                .iter()
                .map(|alternative| (alternative, None)),
        );
    let mut list: Vec<crate::catalog::Alternative> = Vec::new();
    for (alternative, rule) in candidates {
        if offered_from(alternative, rule, protocol, request, trial)
            && !list.iter().any(|known| known.name == alternative.name)
        {
            list.push(alternative.clone());
        }
    }
    list
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "a test fails loudly")]

    use std::collections::BTreeSet;

    use super::*;
    use crate::catalog::{Area, Indication, Modality};

    fn knee_prp(factors: &[Factor]) -> PlanRequest {
        let selection = Selection {
            modality: Modality::Injection,
            source: CellSource::AutologousPrp,
            area: Area::Knee,
            indication: Indication::Osteoarthritis,
            adjuncts: Vec::new(),
        };
        let factors: BTreeSet<Factor> = factors.iter().copied().collect();
        PlanRequest::new(selection, factors, "2027-03-01".parse().unwrap())
    }

    /// A protocol file the catalog check would refuse (its skin-condition rule deleted)
    /// still never drops the answer: the plan carries it as a caution for the physician.
    #[test]
    fn a_yes_that_no_rule_answers_is_kept_as_a_caution() {
        let (builtin, _) = Catalog::builtin();
        let mut protocol = builtin
            .protocols()
            .find(|protocol| protocol.id.as_str() == "prp-joint")
            .unwrap()
            .clone();
        protocol
            .factors
            .retain(|rule| rule.factor != Factor::SkinCondition);
        let catalog = Catalog::unchecked(vec![protocol]);
        let plan = generate(&catalog, &knee_prp(&[Factor::SkinCondition])).unwrap();
        let warning = plan
            .warnings
            .iter()
            .find(|warning| warning.factor == Some(Factor::SkinCondition))
            .expect("the answer is not dropped");
        assert_eq!(warning.severity, Severity::Caution);
        assert!(
            warning
                .message
                .contains("the protocol does not say how this answer bears on the treatment"),
            "{}",
            warning.message
        );
        // Answered by the built-in rule, the same answer refuses the injection.
        let plan = generate(&builtin, &knee_prp(&[Factor::SkinCondition])).unwrap();
        assert!(!plan.candidate);
    }

    /// A routine protocol has no trial rule: a trial answer is noted, not dropped.
    #[test]
    fn a_trial_answer_for_a_routine_treatment_is_noted() {
        let (catalog, _) = Catalog::builtin();
        let plan = generate(&catalog, &knee_prp(&[Factor::TrialEnrolled])).unwrap();
        assert!(plan.candidate);
        let warning = plan
            .warnings
            .iter()
            .find(|warning| warning.factor == Some(Factor::TrialEnrolled))
            .unwrap();
        assert_eq!(warning.severity, Severity::Notice);
        assert!(warning.notes_an_irrelevant_answer());
    }

    /// Every answer the screening asks yields a warning in every built-in protocol.
    #[test]
    fn every_answer_yields_a_warning_in_every_builtin_protocol() {
        let (catalog, _) = Catalog::builtin();
        for protocol in catalog.protocols() {
            let mut seen = BTreeSet::new();
            let combinations: Vec<_> = crate::catalog::combinations(protocol)
                .filter(|(modality, _, area, _)| seen.insert((*modality, *area)))
                .collect();
            for ((modality, source, area, indication), factor) in combinations
                .iter()
                .copied()
                .flat_map(|combination| Factor::ALL.iter().map(move |f| (combination, f)))
            {
                let request = PlanRequest::new(
                    Selection {
                        modality,
                        source,
                        area,
                        indication,
                        adjuncts: Vec::new(),
                    },
                    BTreeSet::from([*factor]),
                    "2027-03-01".parse().unwrap(),
                );
                let plan = generate(&catalog, &request).unwrap();
                // Within a trial, the trial answer is the record of its number.
                let recorded = *factor == Factor::TrialEnrolled
                    && protocol.trial_enrolled.as_ref().is_some_and(|rule| {
                        plan.pre_procedure
                            .iter()
                            .any(|task| task.task == rule.record)
                    });
                assert!(
                    recorded
                        || plan
                            .warnings
                            .iter()
                            .any(|warning| warning.factor == Some(*factor)),
                    "{} by {modality} on the {area} drops a yes to {factor}",
                    protocol.id
                );
            }
        }
    }
}
