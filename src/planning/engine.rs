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
    Anchor, Catalog, CellSource, Factor, FactorSeverity, Protocol, ProtocolId, Range,
    RegulatoryStatus, Selection, Step, StepKind,
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

    let mut warnings = factor_warnings(protocol, request)?;
    warnings.extend(regulatory_warnings(protocol));
    let candidate = !warnings
        .iter()
        .any(|warning| warning.severity == Severity::Contraindicated);

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
        maintenance: protocol.maintenance.clone(),
        risks: protocol.risks.clone(),
        alternatives: alternatives(protocol, request),
        sources: protocol.sources.clone(),
        selection: selection.clone(),
        factors: request.factors.clone(),
        summary: protocol.summary.clone(),
        evidence: protocol.evidence.clone(),
        downtime: protocol.downtime.clone(),
        additional_costs: protocol.additional_costs.clone(),
    };

    if candidate {
        plan.sessions = sessions(protocol, &adjuncts, session_count, request)?;
        warnings.extend(spacing_warnings(protocol, &plan.sessions));
        plan.pre_procedure = pre_procedure(protocol, &plan.sessions, &warnings)?;
        plan.aftercare = aftercare(protocol, &plan.sessions)?;
        plan.milestones = milestones(protocol, &plan.sessions)?;
        plan.follow_ups = follow_ups(protocol, &plan.sessions, &request.options)?;
    }
    warnings.sort_by_key(|warning| {
        let indication_cannot_respond = warning.factor.is_some_and(indication_cannot_respond);
        (warning.severity, !indication_cannot_respond, warning.factor)
    });
    plan.warnings = warnings;
    Ok(plan)
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
/// Dates count back from the wished start, which is session 1 unless it moves.
fn factor_warnings(protocol: &Protocol, request: &PlanRequest) -> Result<Vec<Warning>, PlanError> {
    let first_session = first_session_date(request)?;
    let mut warnings = Vec::new();
    let rules = request
        .factors
        .iter()
        .flat_map(|factor| protocol.rules_for(*factor, &request.selection));
    for rule in rules {
        let factor = &rule.factor;
        let severity = match rule.severity {
            FactorSeverity::Contraindicated => Severity::Contraindicated,
            FactorSeverity::Caution => Severity::Caution,
        };
        let action = match &rule.action {
            Some(action) => Some(DatedAction {
                text: action.text.clone(),
                due: match action.days_before {
                    Some(days) => Some(add_days(first_session, -i64::from(days))?),
                    None => None,
                },
            }),
            None => None,
        };
        let mut message = format!("{}: {}", factor.label(), rule.reason);
        if let Some(action) = &action {
            message.push(' ');
            message.push_str(&action.text);
            if let Some(due) = action.due {
                let _ = write!(message, ": by {due}");
            }
            if !message.ends_with('.') {
                message.push('.');
            }
        }
        if let Some(alternative) = &rule.alternative {
            let _ = write!(message, " Alternative: {}.", alternative.name);
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

fn regulatory_warnings(protocol: &Protocol) -> Option<Warning> {
    let message = match protocol.regulatory.status {
        RegulatoryStatus::Restricted => {
            let notes: Vec<String> = protocol
                .regulatory
                .notes
                .iter()
                .map(|note| format!("{}: {}", note.jurisdiction.label(), note.note))
                .collect();
            (Severity::Restricted, format!(
                "Restricted: regulators do not allow this use in routine practice. {}",
                notes.join(" ")
            ))
        }
        RegulatoryStatus::Investigational => (
            Severity::Notice,
            "Investigational: not approved or cleared for this use; plan it as research and tell the patient so (see the regulatory notes).".to_owned(),
        ),
        RegulatoryStatus::Established | RegulatoryStatus::OffLabel | RegulatoryStatus::Cosmetic => {
            return None;
        }
    };
    let (severity, message) = message;
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
        let date = next_open_day(wished, clinic)?;
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
            steps: session_steps(protocol, adjuncts, number),
        });
    }
    Ok(sessions)
}

/// The protocol's steps for a session, with the adjuncts' steps placed before the first
/// administration.
fn session_steps(
    protocol: &Protocol,
    adjuncts: &[&crate::catalog::Adjunct],
    number: u32,
) -> Vec<PlanStep> {
    let own: Vec<&Step> = protocol
        .steps
        .iter()
        .filter(|step| step.sessions.includes(number))
        .collect();
    let added = adjuncts
        .iter()
        .flat_map(|adjunct| adjunct.steps.iter())
        .filter(|step| step.sessions.includes(number));
    let insert_at = own
        .iter()
        .position(|step| step.kind == StepKind::Administration)
        .unwrap_or(own.len());
    let mut ordered: Vec<&Step> = own[..insert_at].to_vec();
    ordered.extend(added);
    ordered.extend_from_slice(&own[insert_at..]);
    ordered
        .into_iter()
        .map(|step| PlanStep {
            kind: step.kind,
            text: step.text.clone(),
            site: step.site.clone(),
            volume: step.volume.clone(),
        })
        .collect()
}

/// Notices for sessions the physician moved closer or further apart than the sources
/// space them.
fn spacing_warnings(protocol: &Protocol, sessions: &[Session]) -> Vec<Warning> {
    let allowed = protocol.sessions.spacing_range_days;
    let mut warnings = Vec::new();
    for pair in sessions.windows(2) {
        let [previous, next] = pair else { continue };
        // A difference of civil dates is counted in whole days.
        let days = i64::from((next.date - previous.date).get_days());
        if let Some(first_interval) = protocol.sessions.first_interval_days
            && previous.number == 1
        {
            if days < i64::from(first_interval) {
                warnings.push(Warning {
                    factor: None,
                    severity: Severity::Caution,
                    message: format!(
                        "Session 2 is {} after session 1, before the {first_interval} days the product needs after the harvest; confirm with the laboratory that it will be ready.",
                        super::spacing::days_text(days)
                    ),
                    action: None,
                });
            }
            continue;
        }
        let too_close = days < i64::from(allowed.min);
        let too_far = days > i64::from(allowed.max) + 7;
        if too_close || too_far {
            warnings.push(Warning {
                factor: None,
                severity: Severity::Notice,
                message: format!(
                    "Session {} is {} after session {}; the sources space sessions {allowed} days apart.",
                    next.number,
                    super::spacing::days_text(days),
                    previous.number
                ),
                action: None,
            });
        }
    }
    warnings
}

fn pre_procedure(
    protocol: &Protocol,
    sessions: &[Session],
    warnings: &[Warning],
) -> Result<Vec<DatedTask>, PlanError> {
    let Some(first) = sessions.first() else {
        return Ok(Vec::new());
    };
    let mut tasks = Vec::new();
    for task in &protocol.pre_procedure {
        tasks.push(DatedTask {
            task: task.text.clone(),
            due: add_days(first.date, -i64::from(task.days_before))?,
        });
    }
    for warning in warnings {
        if let Some(DatedAction {
            text,
            due: Some(due),
        }) = &warning.action
        {
            tasks.push(DatedTask {
                task: text.clone(),
                due: *due,
            });
        }
    }
    tasks.sort_by_key(|task| task.due);
    Ok(tasks)
}

fn aftercare(protocol: &Protocol, sessions: &[Session]) -> Result<Vec<AftercareItem>, PlanError> {
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
            .filter(|(task, _)| task.sessions.includes(session.number));
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

/// The protocol's alternatives, with those named by the patient's contraindications
/// first, and among those the one for an indication that cannot respond.
fn alternatives(protocol: &Protocol, request: &PlanRequest) -> Vec<crate::catalog::Alternative> {
    let mut refusals: Vec<&crate::catalog::FactorRule> = request
        .factors
        .iter()
        .flat_map(|factor| protocol.rules_for(*factor, &request.selection))
        .filter(|rule| rule.severity == FactorSeverity::Contraindicated)
        .collect();
    refusals.sort_by_key(|rule| !indication_cannot_respond(rule.factor));
    let mut list: Vec<crate::catalog::Alternative> = refusals
        .into_iter()
        .filter_map(|rule| rule.alternative.clone())
        .collect();
    for alternative in &protocol.alternatives {
        if !list.iter().any(|known| known.name == alternative.name) {
            list.push(alternative.clone());
        }
    }
    list
}
