//! Checks a protocol for the mistakes a hand-written file can carry, and reports each as
//! `file:line:column: what is wrong`.

use std::collections::BTreeSet;
use std::fmt;

use super::ids::{Area, Factor};
use super::protocol::{FactorSeverity, Jurisdiction, Protocol, Range, StepKind};

/// One problem in a protocol file, with where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The file's name or path, as the user knows it.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// What is wrong, in one sentence.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.file, self.line, self.column, self.message
        )
    }
}

/// Finds where something is written in a file, so a problem can point at it.
pub(crate) struct Locator<'a> {
    file: &'a str,
    text: &'a str,
}

impl<'a> Locator<'a> {
    pub(crate) fn new(file: &'a str, text: &'a str) -> Self {
        Self { file, text }
    }

    /// A problem at the first place `needle` is written after the field `field`, or at
    /// the field itself, or at the start of the file.
    pub(crate) fn problem(&self, field: &str, needle: Option<&str>, message: String) -> Problem {
        let field_offset = self.field_offset(field);
        let offset = match (field_offset, needle) {
            (Some(start), Some(needle)) => self.text[start..]
                .find(needle)
                .map(|relative| start + relative)
                .or(Some(start)),
            (None, Some(needle)) => self.text.find(needle),
            (start, None) => start,
        }
        .unwrap_or(0);
        let (line, column) = line_and_column(self.text, offset);
        Problem {
            file: self.file.to_owned(),
            line,
            column,
            message,
        }
    }

    /// The byte offset of `field:` written as a RON field name, outside comments.
    fn field_offset(&self, field: &str) -> Option<usize> {
        let mut offset = 0;
        for line in self.text.split_inclusive('\n') {
            let code = line.split("//").next().unwrap_or(line);
            let mut search_from = 0;
            while let Some(found) = code[search_from..].find(field) {
                let start = search_from + found;
                let before_is_ident = code[..start]
                    .chars()
                    .next_back()
                    .is_some_and(|c| c.is_alphanumeric() || c == '_');
                let after = code[start + field.len()..].trim_start();
                if !before_is_ident && after.starts_with(':') {
                    return Some(offset + start);
                }
                search_from = start + field.len();
            }
            offset += line.len();
        }
        None
    }
}

/// The 1-based line and column (in characters) of a byte offset.
pub(crate) fn line_and_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |index| index + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

/// The factors every protocol must say something about, because screening always asks
/// them before anything is done (pathway 14).
const REQUIRED_FACTORS: &[Factor] = &[
    Factor::CancerHistory,
    Factor::ActiveInfection,
    Factor::Pregnancy,
];

/// Checks one parsed protocol on its own; problems between protocols (overlapping
/// combinations, duplicate ids) are checked by the catalog.
pub(crate) fn validate(protocol: &Protocol, at: &Locator<'_>) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut report = |field: &str, needle: Option<&str>, message: String| {
        problems.push(at.problem(field, needle, message));
    };

    for (field, value) in [
        ("title", &protocol.title),
        ("summary", &protocol.summary),
        ("evidence", &protocol.evidence),
        ("downtime", &protocol.downtime),
        ("additional_costs", &protocol.additional_costs),
    ] {
        if value.trim().is_empty() {
            report(
                field,
                None,
                format!("{field} is empty; write it out for the physician"),
            );
        }
    }

    check_coverage(protocol, &mut report);
    check_schedule(protocol, &mut report);
    check_steps(protocol, &mut report);
    check_tasks(protocol, &mut report);
    check_consent(protocol, &mut report);
    check_factors(protocol, &mut report);
    problems
}

type Report<'r> = dyn FnMut(&str, Option<&str>, String) + 'r;

fn check_coverage(protocol: &Protocol, report: &mut Report<'_>) {
    if protocol.covers.is_empty() {
        report(
            "covers",
            None,
            "covers is empty; list at least one combination".into(),
        );
    }
    for coverage in &protocol.covers {
        let lists = [
            ("modalities", coverage.modalities.is_empty()),
            ("sources", coverage.sources.is_empty()),
            ("areas", coverage.areas.is_empty()),
            ("indications", coverage.indications.is_empty()),
        ];
        for (field, empty) in lists {
            if empty {
                report(field, None, format!("{field} of a coverage is empty"));
            }
        }
        for indication in &coverage.indications {
            if !coverage
                .areas
                .iter()
                .any(|area| indication.fits_area(*area))
            {
                report(
                    "indications",
                    Some(&format!("\"{indication}\"")),
                    format!(
                        "indication '{indication}' is not treated on any area of this coverage; the taxonomy places it on {}",
                        fitting_areas(*indication)
                    ),
                );
            }
        }
        for area in &coverage.areas {
            if !coverage
                .indications
                .iter()
                .any(|indication| indication.fits_area(*area))
            {
                report(
                    "areas",
                    Some(&format!("\"{area}\"")),
                    format!("area '{area}' fits none of the indications of this coverage"),
                );
            }
        }
    }
    let covered_sources: BTreeSet<_> = protocol
        .covers
        .iter()
        .flat_map(|coverage| coverage.sources.iter().copied())
        .collect();
    let mut seen = BTreeSet::new();
    for adjunct in &protocol.adjuncts {
        let needle = format!("\"{}\"", adjunct.source);
        if !seen.insert(adjunct.source) {
            report(
                "adjuncts",
                Some(&needle),
                format!("adjunct '{}' is listed twice", adjunct.source),
            );
        }
        if covered_sources.contains(&adjunct.source) {
            report(
                "adjuncts",
                Some(&needle),
                format!(
                    "adjunct '{}' is also a main source of this protocol",
                    adjunct.source
                ),
            );
        }
        if adjunct.steps.is_empty() {
            report(
                "adjuncts",
                Some(&needle),
                format!("adjunct '{}' adds no steps", adjunct.source),
            );
        }
        check_range("extra_minutes", adjunct.extra_minutes, report);
    }
}

fn fitting_areas(indication: super::ids::Indication) -> String {
    Area::ALL
        .iter()
        .filter(|area| indication.fits_area(**area))
        .map(|area| area.id())
        .collect::<Vec<_>>()
        .join(", ")
}

fn check_range(field: &str, range: Range, report: &mut Report<'_>) {
    if range.min > range.max {
        report(
            field,
            None,
            format!("{field} has min {} above max {}", range.min, range.max),
        );
    }
}

fn check_schedule(protocol: &Protocol, report: &mut Report<'_>) {
    let sessions = &protocol.sessions;
    check_range("range", sessions.range, report);
    check_range("spacing_range_days", sessions.spacing_range_days, report);
    check_range("procedure_minutes", protocol.procedure_minutes, report);
    if sessions.range.min == 0 {
        report("range", None, "a course needs at least one session".into());
    }
    if !sessions.range.contains(sessions.typical) {
        report(
            "typical",
            None,
            format!(
                "typical session count {} lies outside the range {}",
                sessions.typical, sessions.range
            ),
        );
    }
    if !sessions.spacing_range_days.contains(sessions.spacing_days) {
        report(
            "spacing_days",
            None,
            format!(
                "spacing of {} days lies outside the range {} days",
                sessions.spacing_days, sessions.spacing_range_days
            ),
        );
    }
    if sessions.range.max > 1 && sessions.spacing_days == 0 {
        report(
            "spacing_days",
            None,
            "sessions of a course need at least one day between them".into(),
        );
    }
    if let Some(first_interval) = sessions.first_interval_days
        && (first_interval == 0 || sessions.range.max < 2)
    {
        report(
            "first_interval_days",
            None,
            "first_interval_days needs a course of two or more sessions and at least one day"
                .into(),
        );
    }
    if protocol.procedure_minutes.min == 0 {
        report(
            "procedure_minutes",
            None,
            "a session cannot take zero minutes".into(),
        );
    }
}

fn check_steps(protocol: &Protocol, report: &mut Report<'_>) {
    if protocol.steps.is_empty() {
        report(
            "steps",
            None,
            "steps is empty; describe what happens in a session".into(),
        );
    }
    if !protocol
        .steps
        .iter()
        .any(|step| step.kind == StepKind::Administration)
    {
        report(
            "steps",
            None,
            "no step administers the biologic (kind \"administration\")".into(),
        );
    }
    for step in protocol
        .steps
        .iter()
        .chain(protocol.adjuncts.iter().flat_map(|a| &a.steps))
    {
        if step.text.trim().is_empty() {
            report("steps", None, "a step has no text".into());
        }
        if step.kind == StepKind::Harvest && step.site.is_none() {
            report(
                "steps",
                Some("\"harvest\""),
                "a harvest step must name its site".into(),
            );
        }
    }
}

fn check_tasks(protocol: &Protocol, report: &mut Report<'_>) {
    if protocol.pre_procedure.is_empty() {
        report(
            "pre_procedure",
            None,
            "pre_procedure is empty; list the preparation before session 1".into(),
        );
    }
    if protocol.aftercare.is_empty() {
        report(
            "aftercare",
            None,
            "aftercare is empty; every session needs aftercare instructions".into(),
        );
    }
    if protocol.has_harvest() && protocol.donor_site_care.is_empty() {
        report(
            "donor_site_care",
            None,
            "a step harvests tissue but donor_site_care is empty".into(),
        );
    }
    if !protocol.has_harvest() && !protocol.donor_site_care.is_empty() {
        report(
            "donor_site_care",
            None,
            "donor_site_care is given but no step harvests tissue".into(),
        );
    }
    for (field, tasks) in [
        ("aftercare", &protocol.aftercare),
        ("donor_site_care", &protocol.donor_site_care),
    ] {
        for task in tasks {
            if task.from_day > task.until_day {
                report(
                    field,
                    Some(&task.text),
                    format!(
                        "task '{}' ends on day {} before it starts on day {}",
                        task.text, task.until_day, task.from_day
                    ),
                );
            }
        }
    }
    if protocol.milestones.is_empty() {
        report(
            "milestones",
            None,
            "milestones is empty; say when which result can be expected".into(),
        );
    }
    for milestone in &protocol.milestones {
        if milestone.from_days > milestone.to_days {
            report(
                "milestones",
                Some(&milestone.label),
                format!("milestone '{}' ends before it starts", milestone.label),
            );
        }
    }
    if protocol.follow_ups.is_empty() {
        report(
            "follow_ups",
            None,
            "follow_ups is empty; plan at least one review".into(),
        );
    }
    for follow_up in &protocol.follow_ups {
        if follow_up.assessments.is_empty() {
            report(
                "follow_ups",
                Some(&follow_up.purpose),
                format!("follow-up '{}' records no assessment", follow_up.purpose),
            );
        }
    }
}

fn check_consent(protocol: &Protocol, report: &mut Report<'_>) {
    if protocol.risks.is_empty() {
        report(
            "risks",
            None,
            "risks is empty; the consent talk needs them".into(),
        );
    }
    if protocol.alternatives.is_empty() {
        report(
            "alternatives",
            None,
            "alternatives is empty; the consent talk needs them".into(),
        );
    }
    if protocol.sources.is_empty() {
        report(
            "sources",
            None,
            "sources is empty; cite where the figures come from".into(),
        );
    }
    for jurisdiction in Jurisdiction::ALL {
        if !protocol
            .regulatory
            .notes
            .iter()
            .any(|note| note.jurisdiction == *jurisdiction)
        {
            report(
                "notes",
                None,
                format!("regulatory notes say nothing for {}", jurisdiction.label()),
            );
        }
    }
}

fn check_factors(protocol: &Protocol, report: &mut Report<'_>) {
    let mut seen = BTreeSet::new();
    for rule in &protocol.factors {
        if !seen.insert(rule.factor) {
            report(
                "factors",
                Some(&format!("\"{}\"", rule.factor)),
                format!("factor '{}' has two rules", rule.factor),
            );
        }
        if rule.reason.trim().is_empty() {
            report(
                "factors",
                Some(&format!("\"{}\"", rule.factor)),
                format!("factor '{}' gives no reason", rule.factor),
            );
        }
    }
    for factor in REQUIRED_FACTORS {
        if !seen.contains(factor) {
            report(
                "factors",
                None,
                format!("factor '{factor}' has no rule; screening always asks it"),
            );
        }
    }
    let treats_scalp = protocol
        .covers
        .iter()
        .any(|coverage| coverage.areas.contains(&Area::Scalp));
    if treats_scalp {
        let refuses_dead_follicles = protocol
            .factors
            .iter()
            .find(|rule| {
                rule.factor == Factor::NoLivingFollicles
                    && (rule.areas.is_empty() || rule.areas.contains(&Area::Scalp))
            })
            .is_some_and(|rule| {
                rule.severity == FactorSeverity::Contraindicated && rule.alternative.is_some()
            });
        if !refuses_dead_follicles {
            report(
                "factors",
                None,
                "a scalp protocol must mark 'no-living-follicles' contraindicated and name the alternative (hair transplant)".into(),
            );
        }
    }
}
