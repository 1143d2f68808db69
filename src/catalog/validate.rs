//! Checks a protocol for the mistakes a hand-written file can carry, and reports each as
//! `file:line:column: what is wrong`.

use std::collections::BTreeSet;
use std::fmt;

use super::cite::{Citer, reference_key_in};
use super::ids::{Area, CellSource, Factor, Indication, Modality};
use super::load::combinations;
use super::protocol::{
    Access, Alternative, Audience, DoseLimit, FactorSeverity, FollowUp, FollowUpScale, Hazard,
    Jurisdiction, MgPerKg, PreProcedureTask, Protocol, Range, RegulatoryStatus, SessionScope, Step,
    StepKind, Technique, in_scope,
};

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

/// Every task before a session: the protocol's own and those its adjuncts bring.
fn all_pre_procedure(protocol: &Protocol) -> impl Iterator<Item = &PreProcedureTask> {
    protocol.pre_procedure.iter().chain(
        protocol
            .adjuncts
            .iter()
            .flat_map(|adjunct| &adjunct.pre_procedure),
    )
}

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
    check_texts(protocol, &mut report);
    check_scopes(protocol, &mut report);
    check_deliveries(protocol, &mut report);
    check_blood_thinners(protocol, &mut report);
    check_harvests(protocol, &mut report);
    check_trial(protocol, &mut report);
    check_alternatives(protocol, &mut report);
    check_readers(protocol, &mut report);
    check_sentences(protocol, &mut report);
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
        if follow_up.assessments.is_empty() && follow_up.scales.is_empty() {
            report(
                "follow_ups",
                Some(&follow_up.purpose),
                format!(
                    "follow-up '{}' records no assessment and scores no scale",
                    follow_up.purpose
                ),
            );
        }
        check_follow_up_scales(protocol, follow_up, report);
    }
}

/// Each scale of a follow-up kept to some areas or indications names only ones the
/// protocol covers: otherwise it would never be offered.
fn check_follow_up_scales(protocol: &Protocol, follow_up: &FollowUp, report: &mut Report<'_>) {
    for scale in &follow_up.scales {
        let FollowUpScale::Only(scoped) = scale else {
            continue;
        };
        let covered_areas: Vec<Area> = protocol
            .covers
            .iter()
            .flat_map(|cover| cover.areas.iter().copied())
            .collect();
        let covered_indications: Vec<Indication> = protocol
            .covers
            .iter()
            .flat_map(|cover| cover.indications.iter().copied())
            .collect();
        let stray_area = scoped
            .areas
            .iter()
            .find(|area| !covered_areas.contains(area));
        let stray_indication = scoped
            .indications
            .iter()
            .find(|indication| !covered_indications.contains(indication));
        let stray = stray_area
            .map(|area| format!("area '{area}'"))
            .or_else(|| stray_indication.map(|indication| format!("indication '{indication}'")));
        if let Some(stray) = stray {
            report(
                "follow_ups",
                Some(scoped.id.as_str()),
                format!(
                    "follow-up '{}' keeps the scale '{}' to the {stray}, which the protocol does not cover",
                    follow_up.purpose, scoped.id
                ),
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
    let pairs = covered_pairs(protocol);
    for (index, rule) in protocol.factors.iter().enumerate() {
        // Two rules for one factor are allowed when they apply to different deliveries
        // or areas (keloids: contraindicated for microneedling, a caution for
        // injection); never to the same one.
        let overlap = protocol.factors[..index]
            .iter()
            .filter(|earlier| earlier.factor == rule.factor)
            .find_map(|earlier| {
                pairs.iter().find(|(modality, area)| {
                    earlier.applies_to(*area, *modality) && rule.applies_to(*area, *modality)
                })
            });
        if let Some((modality, area)) = overlap {
            report(
                "factors",
                Some(&format!("\"{}\"", rule.factor)),
                format!(
                    "factor '{}' has two rules for {modality} on the {area}; give each rule its own modalities or areas",
                    rule.factor
                ),
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
    check_screening_answered(protocol, report);
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

/// Why a screening answer must be weighed (contraindicated or a caution, never "not
/// relevant") for a combination, or `None` when saying it does not bear on the
/// treatment is allowed. Cancer, infection, pregnancy and skin disease at the site bear
/// on every treatment; needles through the skin (an injection, microneedling, a fat
/// graft, an infusion, a blood draw or a harvest) make bleeding, blood thinners,
/// platelets and immune defence matter; a harvest makes smoking matter (it impairs the
/// healing of the donor site); a local anaesthetic its allergy; microneedling keloids
/// and isotretinoin; needling or injecting the face cold sores; the scalp dead follicles;
/// scars and striae their age; and an injury a complete tear.
fn must_weigh(
    protocol: &Protocol,
    factor: Factor,
    modality: Modality,
    area: Area,
    indication: Indication,
) -> Option<&'static str> {
    let needles = matches!(
        modality,
        Modality::Injection
            | Modality::Microneedling
            | Modality::FatGrafting
            | Modality::Intravenous
    ) || protocol.has_harvest()
        || protocol
            .steps
            .iter()
            .any(|step| step.kind == StepKind::BloodDraw);
    let anaesthesia = protocol
        .steps
        .iter()
        .any(|step| step.kind == StepKind::Anaesthesia && step.applies_to(area, modality));
    match factor {
        Factor::ActiveCancer
        | Factor::CancerHistory
        | Factor::ActiveInfection
        | Factor::Pregnancy => Some("every treatment weighs it"),
        Factor::SkinCondition => Some("the treatment is given at the site of the skin disease"),
        Factor::ImmuneDisorder
        | Factor::Anticoagulants
        | Factor::BleedingDisorder
        | Factor::PlateletDisorder
            if needles =>
        {
            Some("needles go through the skin")
        }
        Factor::Smoker if protocol.has_harvest() => {
            Some("tissue is harvested, and smoking impairs the healing of the donor site")
        }
        Factor::AnaestheticAllergy if anaesthesia => Some("a step gives a local anaesthetic"),
        Factor::KeloidTendency | Factor::RecentIsotretinoin
            if modality == Modality::Microneedling =>
        {
            Some("microneedling injures the whole surface of the skin")
        }
        Factor::HerpesHistory
            if area == Area::Face
                && matches!(
                    modality,
                    Modality::Injection | Modality::Microneedling | Modality::FatGrafting
                ) =>
        {
            Some("needling or injecting the face can reactivate cold sores")
        }
        Factor::NoLivingFollicles if area == Area::Scalp => Some("the scalp is treated"),
        Factor::MatureLesions
            if matches!(
                indication,
                Indication::AcneScars | Indication::SurgicalScars | Indication::StretchMarks
            ) =>
        {
            Some("scars or stretch marks are treated")
        }
        Factor::CompleteTear
            if matches!(
                indication,
                Indication::LigamentInjury
                    | Indication::RotatorCuffInjury
                    | Indication::Tendinopathy
                    | Indication::MuscleStrain
            ) =>
        {
            Some("an injury is treated")
        }
        _ => None,
    }
}

/// Every question the screening asks (all but `trial-enrolled`, which the trial rule
/// answers) has a rule for every delivery and area of the protocol, so that a yes is
/// never dropped: a rule that weighs it, or one that says why it does not bear on the
/// treatment (`not-relevant`), which the check accepts only where the answer cannot
/// matter (see [`must_weigh`]). A not-relevant rule has nothing to do and nothing to
/// offer instead.
fn check_screening_answered(protocol: &Protocol, report: &mut Report<'_>) {
    let pairs = covered_pairs(protocol);
    for factor in Factor::ALL.iter().filter(|f| **f != Factor::TrialEnrolled) {
        let unanswered: Vec<String> = pairs
            .iter()
            .filter(|(modality, area)| {
                !protocol
                    .factors
                    .iter()
                    .any(|rule| rule.factor == *factor && rule.applies_to(*area, *modality))
            })
            .map(|(modality, area)| format!("{modality} on the {area}"))
            .collect();
        if !unanswered.is_empty() {
            report(
                "factors",
                None,
                format!(
                    "factor '{factor}' has no rule for {}; screening always asks it: weigh it, or say why it does not bear on the treatment with severity: \"not-relevant\"",
                    unanswered.join(", ")
                ),
            );
        }
    }
    let mut reported = BTreeSet::new();
    for (modality, _, area, indication) in combinations(protocol) {
        for rule in protocol.factors.iter().filter(|rule| {
            rule.severity == FactorSeverity::NotRelevant && rule.applies_to(area, modality)
        }) {
            if let Some(why) = must_weigh(protocol, rule.factor, modality, area, indication)
                && reported.insert(rule.factor)
            {
                report(
                    "factors",
                    Some(&format!("\"{}\"", rule.factor)),
                    format!(
                        "factor '{}' is marked not relevant for {modality} on the {area}, but it bears on the treatment ({why}): mark it contraindicated or a caution, with the reason",
                        rule.factor
                    ),
                );
            }
        }
    }
    for rule in protocol
        .factors
        .iter()
        .chain(protocol.adjuncts.iter().flat_map(|a| &a.factors))
        .filter(|rule| rule.severity == FactorSeverity::NotRelevant)
    {
        if rule.action.is_some() || rule.alternative.is_some() {
            report(
                "factors",
                Some(&format!("\"{}\"", rule.factor)),
                format!(
                    "factor '{}' is marked not relevant but has an action or an alternative; weigh it as a caution instead",
                    rule.factor
                ),
            );
        }
    }
}

/// The (modality, area) pairs the protocol covers.
fn covered_pairs(protocol: &Protocol) -> Vec<(Modality, Area)> {
    let mut pairs: Vec<(Modality, Area)> = combinations(protocol)
        .map(|(modality, _, area, _)| (modality, area))
        .collect();
    pairs.sort();
    pairs.dedup();
    pairs
}

/// Every text a reader may see, with the field it is written in.
fn reader_texts(protocol: &Protocol) -> Vec<(&'static str, String)> {
    let mut copy = protocol.clone();
    let mut texts = Vec::new();
    copy.visit_texts_mut(&mut |field, text| texts.push((field, text.clone())));
    for source in &protocol.sources {
        texts.push(("citation", source.citation.clone()));
        texts.push(("supports", source.supports.clone()));
    }
    texts
}

/// No text a reader sees carries an internal reference key, and every citation by key
/// names a source of the protocol (so it can be numbered).
fn check_texts(protocol: &Protocol, report: &mut Report<'_>) {
    let sources = Citer::new(&protocol.sources);
    for (field, text) in reader_texts(protocol) {
        // A source's own citation holds dates and journal names in brackets, not keys.
        let cites = !matches!(field, "citation" | "supports");
        for missing in sources.unresolved(&text).into_iter().filter(|_| cites) {
            report(
                field,
                Some(&missing),
                format!(
                    "'{missing}' is cited but no source has that key; add the source or cite one of the sources' keys"
                ),
            );
        }
        let numbered = sources.numbered(&text);
        let readable = if matches!(field, "citation" | "supports") {
            text.clone()
        } else {
            numbered
        };
        if let Some(key) = reference_key_in(&readable) {
            report(
                field,
                Some(text.get(..40.min(text.len())).unwrap_or(&text)),
                format!(
                    "a reader would see the internal reference key in '…{key}…'; cite the source by its key in brackets (\"[CF 12]\", \"(seed 000)\") so it is numbered, or reword it"
                ),
            );
        }
    }
    for source in &protocol.sources {
        let key = source.key.to_lowercase();
        if key.starts_with("seed") && !source.marketing {
            report(
                "sources",
                Some(&format!("\"{}\"", source.key)),
                format!(
                    "source '{}' is a clinic's article: mark it marketing: true so readers see it labelled",
                    source.key
                ),
            );
        }
    }
}

/// Items scoped to modalities or areas name only ones the protocol covers.
fn check_scopes(protocol: &Protocol, report: &mut Report<'_>) {
    let pairs = covered_pairs(protocol);
    let modalities: BTreeSet<Modality> = pairs.iter().map(|(m, _)| *m).collect();
    let areas: BTreeSet<Area> = pairs.iter().map(|(_, a)| *a).collect();
    let mut scoped: Vec<(&'static str, &[Modality], &[Area])> = Vec::new();
    scoped.extend(
        protocol
            .steps
            .iter()
            .chain(protocol.adjuncts.iter().flat_map(|a| &a.steps))
            .map(|s| ("steps", s.modalities.as_slice(), s.areas.as_slice())),
    );
    scoped.extend(
        all_pre_procedure(protocol)
            .map(|t| ("pre_procedure", t.modalities.as_slice(), t.areas.as_slice())),
    );
    scoped.extend(
        protocol
            .aftercare
            .iter()
            .chain(&protocol.donor_site_care)
            .map(|t| ("aftercare", t.modalities.as_slice(), t.areas.as_slice())),
    );
    scoped.extend(
        protocol
            .risks
            .iter()
            .map(|r| ("risks", r.modalities.as_slice(), r.areas.as_slice())),
    );
    scoped.extend(
        protocol
            .factors
            .iter()
            .chain(protocol.adjuncts.iter().flat_map(|a| &a.factors))
            .map(|r| ("factors", r.modalities.as_slice(), r.areas.as_slice())),
    );
    for (field, item_modalities, item_areas) in scoped {
        if let Some(modality) = item_modalities.iter().find(|m| !modalities.contains(m)) {
            report(
                field,
                Some(&format!("\"{modality}\"")),
                format!(
                    "modality '{modality}' is named in {field} but the protocol does not cover it"
                ),
            );
        }
        if let Some(area) = item_areas.iter().find(|a| !areas.contains(a)) {
            report(
                field,
                Some(&format!("\"{area}\"")),
                format!("area '{area}' is named in {field} but the protocol does not cover it"),
            );
        }
    }
}

/// Whether some rule marks `factor` contraindicated for this modality and area.
fn refuses(protocol: &Protocol, factor: Factor, modality: Modality, area: Area) -> bool {
    protocol.factors.iter().any(|rule| {
        rule.factor == factor
            && rule.severity == FactorSeverity::Contraindicated
            && rule.applies_to(area, modality)
    })
}

/// Whether every rule for the factor refuses, whatever the delivery and area.
fn refuses_everywhere(protocol: &Protocol, factor: Factor) -> bool {
    covered_pairs(protocol)
        .iter()
        .all(|(modality, area)| refuses(protocol, factor, *modality, *area))
}

/// What the delivery itself demands of the screening: microneedling refuses keloids and
/// recent isotretinoin, facial needling and injection prevent cold sores, facial
/// injection names the vascular risk with a safe technique and the emergency signs, a
/// local anaesthetic asks about its allergy, cell and platelet products refuse active
/// cancer, a harvest refuses a bleeding disorder, and a tear that needs surgery is not
/// injected.
fn check_deliveries(protocol: &Protocol, report: &mut Report<'_>) {
    let pairs = covered_pairs(protocol);
    for (modality, area) in &pairs {
        if *modality == Modality::Microneedling {
            for factor in [Factor::KeloidTendency, Factor::RecentIsotretinoin] {
                if !refuses(protocol, factor, *modality, *area) {
                    report(
                        "factors",
                        None,
                        format!(
                            "microneedling on the {area} needs a rule marking '{factor}' contraindicated for it (keloids and isotretinoin in the last six months contraindicate microneedling)"
                        ),
                    );
                }
            }
        }
        let facial = *area == Area::Face;
        let injects = matches!(modality, Modality::Injection | Modality::FatGrafting);
        // The neck's arteries are injected as the face's are: skin necrosis follows
        // occlusion there too.
        if *area == Area::Neck && injects {
            check_vascular(protocol, *modality, *area, report);
        }
        if facial && (injects || *modality == Modality::Microneedling) {
            let prevents_cold_sores = protocol.factors.iter().any(|rule| {
                rule.factor == Factor::HerpesHistory
                    && rule.applies_to(*area, *modality)
                    && rule
                        .action
                        .as_ref()
                        .is_some_and(|action| action.days_before.is_some())
            });
            if !prevents_cold_sores {
                report(
                    "factors",
                    None,
                    format!(
                        "{modality} on the face needs a 'herpes-history' rule with a dated action (antiviral prophylaxis before each session)"
                    ),
                );
            }
        }
        if facial && injects {
            check_vascular(protocol, *modality, *area, report);
        }
    }
    let sources: BTreeSet<CellSource> = combinations(protocol)
        .map(|(_, source, _, _)| source)
        .chain(protocol.adjuncts.iter().map(|adjunct| adjunct.source))
        .collect();
    let biologic = sources
        .iter()
        .any(|source| *source != CellSource::PlantDerived);
    if biologic && !refuses_everywhere(protocol, Factor::ActiveCancer) {
        report(
            "factors",
            None,
            "a cell, platelet or secretome protocol must mark 'active-cancer' contraindicated for every delivery and area".into(),
        );
    }
    check_bleeding_allergy_and_tears(protocol, report);
    check_doses(protocol, &sources, report);
}

/// A harvest refuses bleeding disorders, a numbing step says what to do for an allergy to
/// local anaesthetics, and an injury protocol sends a complete tear to a surgeon.
fn check_bleeding_allergy_and_tears(protocol: &Protocol, report: &mut Report<'_>) {
    if protocol.has_harvest() && !refuses_everywhere(protocol, Factor::BleedingDisorder) {
        report(
            "factors",
            None,
            "a protocol with a harvest must mark 'bleeding-disorder' contraindicated".into(),
        );
    }
    let anaesthesia = protocol
        .steps
        .iter()
        .chain(protocol.adjuncts.iter().flat_map(|a| &a.steps))
        .any(|step| step.kind == StepKind::Anaesthesia);
    if anaesthesia {
        let answered = protocol.factors.iter().any(|rule| {
            rule.factor == Factor::AnaestheticAllergy
                && (rule.action.is_some() || rule.alternative.is_some())
        });
        if !answered {
            report(
                "factors",
                None,
                "a step numbs the patient, so an 'anaesthetic-allergy' rule must say what to do instead".into(),
            );
        }
    }
    let treats_tears = combinations(protocol).any(|(_, _, _, indication)| {
        matches!(
            indication,
            Indication::LigamentInjury
                | Indication::RotatorCuffInjury
                | Indication::Tendinopathy
                | Indication::MuscleStrain
        )
    });
    if treats_tears {
        let refers = protocol.factors.iter().any(|rule| {
            rule.factor == Factor::CompleteTear
                && rule.severity == FactorSeverity::Contraindicated
                && rule.alternative.is_some()
        });
        if !refers {
            report(
                "factors",
                None,
                "an injury protocol must mark 'complete-tear' contraindicated and name the surgical opinion as the alternative".into(),
            );
        }
    }
}

/// An injection in the face or neck names the vascular risk, has a safe-technique step
/// and tells the patient the emergency signs.
fn check_vascular(protocol: &Protocol, modality: Modality, area: Area, report: &mut Report<'_>) {
    let hazard = Some(Hazard::VascularOcclusion);
    let risk = protocol
        .risks
        .iter()
        .any(|r| r.hazard == hazard && in_scope(&r.areas, &r.modalities, area, modality));
    let step = protocol
        .steps
        .iter()
        .any(|s| s.hazard == hazard && s.applies_to(area, modality));
    let aftercare = protocol
        .aftercare
        .iter()
        .any(|t| t.hazard == hazard && in_scope(&t.areas, &t.modalities, area, modality));
    for (present, field, what) in [
        (
            risk,
            "risks",
            "a risk of injection into a blood vessel (vascular occlusion, blindness)",
        ),
        (
            step,
            "steps",
            "a safe-technique step (low pressure, small aliquots, cannula or aspiration, care at the glabella and around the eyes)",
        ),
        (
            aftercare,
            "aftercare",
            "an emergency instruction (sudden vision change, skin blanching, severe pain: call at once)",
        ),
    ] {
        if !present {
            report(
                field,
                None,
                format!(
                    "{modality} on the {area} needs {what}, marked hazard: \"vascular-occlusion\""
                ),
            );
        }
    }
}

/// Tumescent infiltration and ring blocks state the maximum dose by weight, and a
/// protocol with a dose limit names the toxicity risk; a marrow harvest names its rare
/// serious injuries.
fn check_doses(protocol: &Protocol, sources: &BTreeSet<CellSource>, report: &mut Report<'_>) {
    let steps: Vec<_> = protocol
        .steps
        .iter()
        .chain(protocol.adjuncts.iter().flat_map(|a| &a.steps))
        .collect();
    for step in &steps {
        check_dose_limit(step, report);
    }
    let has_limit = steps.iter().any(|step| step.dose_limit.is_some());
    let names_toxicity = protocol
        .risks
        .iter()
        .any(|risk| risk.hazard == Some(Hazard::AnaestheticToxicity));
    if has_limit && !names_toxicity {
        report(
            "risks",
            None,
            "a local anaesthetic is dosed by weight, so the risks must name local-anaesthetic toxicity (hazard: \"anaesthetic-toxicity\")".into(),
        );
    }
    let marrow_harvest =
        sources.contains(&CellSource::AutologousBoneMarrow) && protocol.has_harvest();
    if marrow_harvest
        && !protocol
            .risks
            .iter()
            .any(|risk| risk.hazard == Some(Hazard::HarvestInjury))
    {
        report(
            "risks",
            None,
            "a marrow harvest must name its rare serious injuries (inner-table perforation, retroperitoneal or vascular injury, nerve injury), marked hazard: \"harvest-injury\"".into(),
        );
    }
    let prp = combinations(protocol).any(|(_, source, _, _)| source == CellSource::AutologousPrp);
    let checks_blood = |tasks: &[PreProcedureTask]| {
        tasks.iter().any(|task| {
            let text = task.text.to_lowercase();
            text.contains("haemoglobin") && text.contains("platelet")
        })
    };
    if prp && !checks_blood(&protocol.pre_procedure) {
        report(
            "pre_procedure",
            None,
            "a PRP protocol must check haemoglobin and the platelet count before treatment".into(),
        );
    }
    // Blood drawn for a PRP adjunct needs the same count, brought by the adjunct so that
    // a plan without it is not asked for one.
    for adjunct in &protocol.adjuncts {
        if adjunct.source == CellSource::AutologousPrp
            && !prp
            && !checks_blood(&adjunct.pre_procedure)
        {
            report(
                "adjuncts",
                Some(&format!("\"{}\"", adjunct.source)),
                "a PRP adjunct must bring a pre_procedure task that checks haemoglobin and the platelet count before blood is drawn for it".into(),
            );
        }
    }
    check_hair_thinning(protocol, report);
}

/// Hair thinning is treated only once its reversible causes are excluded: a task before
/// the first session names telogen effluvium, thyroid disease and iron deficiency.
fn check_hair_thinning(protocol: &Protocol, report: &mut Report<'_>) {
    let mut missing: Vec<String> = combinations(protocol)
        .filter(|(_, _, _, indication)| *indication == Indication::HairThinning)
        .filter(|(modality, _, area, _)| {
            !all_pre_procedure(protocol).any(|task| {
                let text = task.text.to_lowercase();
                in_scope(&task.areas, &task.modalities, *area, *modality)
                    && text.contains("telogen")
                    && text.contains("thyroid")
                    && (text.contains("iron") || text.contains("ferritin"))
            })
        })
        .map(|(modality, _, area, _)| format!("{modality} on the {area}"))
        .collect();
    missing.sort();
    missing.dedup();
    if !missing.is_empty() {
        report(
            "pre_procedure",
            None,
            format!(
                "hair thinning is treated ({}) without a task to exclude its reversible causes first: add one before session 1 that names telogen effluvium, thyroid disease and iron deficiency (ferritin)",
                missing.join(", ")
            ),
        );
    }
}

/// The published ceilings of lidocaine by technique: dilute tumescent solution with
/// adrenaline 35 mg/kg (Klein), capped at the dose for 80 kg because the studies of
/// higher doses weighed patients of about 44-82 kg (Ostad 1996); ordinary infiltration
/// and nerve blocks 7 mg/kg and 500 mg with adrenaline, 4.5 mg/kg and 300 mg without
/// (the lidocaine label).
pub(crate) fn lidocaine_ceiling(technique: Technique, adrenaline: bool) -> (MgPerKg, u32) {
    match (technique, adrenaline) {
        (Technique::Tumescent, _) => (MgPerKg::from_tenths(350), 2800),
        (Technique::Infiltration | Technique::NerveBlock, true) => (MgPerKg::from_tenths(70), 500),
        (Technique::Infiltration | Technique::NerveBlock, false) => (MgPerKg::from_tenths(45), 300),
    }
}

/// The tumescent limit covers only the dilute solution: a tumescent step names no block
/// or infiltration of the treated area, and a block or infiltration step is not the
/// tumescent one.
fn check_technique_words(
    limit: &DoseLimit,
    technique: Technique,
    adrenaline: bool,
    text: &str,
    report: &mut Report<'_>,
) {
    if technique == Technique::Tumescent {
        if !adrenaline {
            report(
                "dose_limit",
                Some(&limit.drug),
                "tumescent solution is dilute lidocaine with adrenaline; the tumescent limit does not apply without adrenaline".into(),
            );
        }
        let other = [
            "block",
            "numb",
            "infiltration of the",
            "face",
            "scar",
            "mark",
            "scalp",
            "counts towards",
        ];
        let drug = limit.drug.to_lowercase();
        if let Some(word) = other
            .iter()
            .find(|word| text.contains(*word) || drug.contains(*word))
        {
            report(
                "dose_limit",
                Some(&limit.drug),
                format!(
                    "the tumescent limit ({} mg/kg) covers only the dilute solution at the donor site, but this step also names '{}': give blocks or infiltration of the treated area their own anaesthesia step with an infiltration or nerve-block limit (7 mg/kg and 500 mg with adrenaline, 4.5 mg/kg and 300 mg without)",
                    limit.mg_per_kg,
                    word.trim()
                ),
            );
        }
    } else if text.contains("tumescent local anaesthesia")
        || text.contains("tumescent infiltration")
    {
        report(
            "dose_limit",
            Some(&limit.drug),
            "the step names tumescent anaesthesia but its limit is for infiltration or a block: give each technique its own step and limit".into(),
        );
    }
}

/// A step that injects a local anaesthetic states its technique's limit, within the
/// published ceiling and with its absolute cap; the tumescent limit covers the dilute
/// solution only, so a step that also numbs the treated area by blocks or infiltration
/// gives that its own step and limit.
fn check_dose_limit(step: &Step, report: &mut Report<'_>) {
    let text = step.text.to_lowercase();
    let at = step
        .text
        .get(..30.min(step.text.len()))
        .unwrap_or(&step.text);
    let tumescent_named = text.contains("tumescent");
    let block_named = text.contains("block");
    let injected = tumescent_named
        || block_named
        || text.contains("local anaesthe")
        || text.contains("lidocaine")
        || text.contains("infiltrat");
    if step.kind != StepKind::Anaesthesia || !injected {
        if let Some(limit) = &step.dose_limit
            && step.kind != StepKind::Anaesthesia
        {
            report(
                "steps",
                Some(at),
                format!(
                    "a dose limit ({}) belongs on an anaesthesia step",
                    limit.drug
                ),
            );
        }
        return;
    }
    let Some(limit) = &step.dose_limit else {
        report(
            "steps",
            Some(at),
            "a step that injects a local anaesthetic must state the maximum dose by weight (dose_limit: (drug: ..., technique: ..., adrenaline: ..., mg_per_kg: ..., max_mg: ...))".into(),
        );
        return;
    };
    let (Some(technique), Some(adrenaline)) = (limit.technique, limit.adrenaline) else {
        report(
            "dose_limit",
            Some(&limit.drug),
            format!(
                "the dose limit for {} must say its technique (technique: \"tumescent\", \"infiltration\" or \"nerve-block\") and whether the solution has adrenaline (adrenaline: true or false): the maximum depends on both",
                limit.drug
            ),
        );
        return;
    };
    check_technique_words(limit, technique, adrenaline, &text, report);
    let (ceiling, cap) = lidocaine_ceiling(technique, adrenaline);
    let with = if adrenaline { "with" } else { "without" };
    if limit.mg_per_kg > ceiling {
        report(
            "dose_limit",
            Some(&limit.drug),
            format!(
                "{} mg/kg of lidocaine {with} adrenaline by {} is above the published maximum of {ceiling} mg/kg",
                limit.mg_per_kg,
                technique.label().to_lowercase()
            ),
        );
    }
    match limit.max_mg {
        None => report(
            "dose_limit",
            Some(&limit.drug),
            format!(
                "the dose limit for {} has no absolute cap: add max_mg (at most {cap} mg for {} {with} adrenaline), so a heavy patient's dose stays bounded",
                limit.drug,
                technique.label().to_lowercase()
            ),
        ),
        Some(max) if max > cap => report(
            "dose_limit",
            Some(&limit.drug),
            format!(
                "a cap of {max} mg for {} {with} adrenaline is above the published {cap} mg",
                technique.label().to_lowercase()
            ),
        ),
        Some(_) => {}
    }
}

/// Whether a text tells someone to bridge a blood thinner, rather than not to.
fn advises_bridging(text: &str) -> bool {
    let lower = text.to_lowercase();
    lower.match_indices("bridg").any(|(at, _)| {
        let before = &lower[..at];
        let window = before
            .char_indices()
            .rev()
            .nth(24)
            .map_or(before, |(start, _)| &before[start..]);
        !["never", "not ", "no ", "without", "against"]
            .iter()
            .any(|negation| window.contains(negation))
    })
}

/// The action for blood thinners opens with the prescriber's decision, never with an
/// order to stop or keep taking the drug.
fn check_prescriber_decides(protocol: &Protocol, report: &mut Report<'_>) {
    for rule in protocol
        .factors
        .iter()
        .filter(|rule| rule.factor == Factor::Anticoagulants)
    {
        if let Some(action) = &rule.action {
            let first = action.text.split(". ").next().unwrap_or(&action.text);
            let lower = first.trim_start().to_lowercase();
            let orders = [
                "do not stop",
                "don't stop",
                "continue",
                "keep taking",
                "stop ",
            ]
            .iter()
            .any(|order| lower.starts_with(order));
            if orders || !lower.contains("prescrib") {
                report(
                    "factors",
                    Some(first.get(..30.min(first.len())).unwrap_or(first)),
                    format!(
                        "the 'anticoagulants' action opens with '{}': its first sentence must leave the decision to the prescriber (\"Ask the doctor who prescribes your blood thinner whether ...\"), not tell the patient to stop or keep taking it",
                        first.trim_end_matches('.')
                    ),
                );
            }
        }
    }
}

/// Wherever tissue is harvested, a smoker is asked to stop by a date before the harvest.
fn check_smoking_before_harvest(protocol: &Protocol, report: &mut Report<'_>) {
    if protocol.has_harvest() {
        let dated = protocol.factors.iter().any(|rule| {
            rule.factor == Factor::Smoker
                && matches!(
                    rule.severity,
                    FactorSeverity::Caution | FactorSeverity::Contraindicated
                )
                && (rule.severity == FactorSeverity::Contraindicated
                    || rule
                        .action
                        .as_ref()
                        .is_some_and(|action| action.days_before.is_some()))
        });
        if !dated {
            report(
                "factors",
                None,
                "tissue is harvested, so a 'smoker' rule must ask the patient to stop smoking by a date before the harvest (days_before), as smoking impairs the healing of the donor site".into(),
            );
        }
    }
}

/// Blood thinners are handled only by the rule for the `anticoagulants` factor (so a
/// patient who takes none is told nothing about them), the prescriber decides, and a
/// harvest that cannot wait for them names an option without one.
fn check_blood_thinners(protocol: &Protocol, report: &mut Report<'_>) {
    for task in all_pre_procedure(protocol) {
        let text = task.text.to_lowercase();
        if [
            "blood thinner",
            "anticoagulants",
            "warfarin",
            "antiplatelet",
        ]
        .iter()
        .any(|word| text.contains(word))
        {
            report(
                "pre_procedure",
                Some(task.text.get(..30.min(task.text.len())).unwrap_or(&task.text)),
                "a task about blood thinners belongs in the action of the 'anticoagulants' rule, so that only a patient who takes them gets it".into(),
            );
        }
    }
    for (field, text) in reader_texts(protocol) {
        if advises_bridging(&text) {
            report(
                field,
                Some("bridg"),
                "a text advises bridging a blood thinner; for an elective procedure the prescriber decides and there is no bridging".into(),
            );
        }
    }
    let needles = protocol.has_harvest()
        || protocol
            .steps
            .iter()
            .any(|step| step.kind == StepKind::BloodDraw)
        || covered_pairs(protocol).iter().any(|(modality, _)| {
            matches!(
                modality,
                Modality::Injection | Modality::Microneedling | Modality::FatGrafting
            )
        });
    let rule = protocol.factor_rule(Factor::Anticoagulants);
    if needles && rule.is_none_or(|rule| rule.action.is_none()) {
        report(
            "factors",
            None,
            "needles are used, so an 'anticoagulants' rule must say what to do (the prescriber decides)".into(),
        );
    }
    check_prescriber_decides(protocol, report);
    check_smoking_before_harvest(protocol, report);
    if protocol.has_harvest() && rule.is_some_and(|rule| rule.alternative.is_none()) {
        report(
            "factors",
            Some("\"anticoagulants\""),
            "with a harvest, the 'anticoagulants' rule must name an option without a harvest for a patient whose blood thinner cannot be held".into(),
        );
    }
}

/// The sessions with a harvest must lie at least three months apart: the donor site of
/// the last one is still in compression and swelling for weeks. Harvest once and keep
/// the product, or space the harvests.
const MIN_DAYS_BETWEEN_HARVESTS: u32 = 90;

fn check_harvests(protocol: &Protocol, report: &mut Report<'_>) {
    let sessions = &protocol.sessions;
    for step in protocol
        .steps
        .iter()
        .filter(|step| step.kind == StepKind::Harvest)
    {
        // One harvest kept for later sessions (`First`), or too few sessions to repeat
        // it, has no spacing to check.
        let closest = match step.sessions {
            SessionScope::All if sessions.range.max >= 2 => Some(
                sessions
                    .first_interval_days
                    .unwrap_or(u32::MAX)
                    .min(sessions.spacing_range_days.min),
            ),
            SessionScope::Repeat if sessions.range.max >= 3 => {
                Some(sessions.spacing_range_days.min)
            }
            SessionScope::First | SessionScope::All | SessionScope::Repeat => None,
        };
        if let Some(days) = closest
            && days < MIN_DAYS_BETWEEN_HARVESTS
        {
            report(
                "spacing_range_days",
                None,
                format!(
                    "tissue is harvested again as soon as {days} days after the last harvest; leave at least {MIN_DAYS_BETWEEN_HARVESTS} days (3 months) between harvests, or harvest once (sessions: \"first\") and keep the product for later sessions"
                ),
            );
        }
    }
}

/// A protocol the law allows only within a trial says what the `trial-enrolled` answer
/// does; a restricted one is trial-only everywhere.
fn check_trial(protocol: &Protocol, report: &mut Report<'_>) {
    let notes = &protocol.regulatory.notes;
    for note in notes.iter().filter(|note| note.access.is_none()) {
        report(
            "jurisdiction",
            Some(&format!("\"{}\"", note.jurisdiction)),
            format!(
                "the {} note does not say whether the protocol may be offered in routine practice there; add access: \"routine\" or access: \"trial-only\"",
                note.jurisdiction.label()
            ),
        );
    }
    if let Some(product) = protocol.trial_only_product() {
        for note in notes
            .iter()
            .filter(|note| note.access == Some(Access::Routine))
        {
            report(
                "jurisdiction",
                Some(&format!("\"{}\"", note.jurisdiction)),
                format!(
                    "the protocol delivers {product}, which the law allows only within a registered trial, an IND or a hospital exemption, but the {} note labels it routine; mark it access: \"trial-only\"",
                    note.jurisdiction.label()
                ),
            );
        }
    }
    let trial_only = protocol.trial_only_product().is_some()
        || notes
            .iter()
            .any(|note| note.access == Some(Access::TrialOnly));
    if protocol.regulatory.status == RegulatoryStatus::Restricted
        && notes
            .iter()
            .any(|note| note.access == Some(Access::Routine))
    {
        report(
            "access",
            Some("\"routine\""),
            "a restricted protocol must be trial-only in every jurisdiction".into(),
        );
    }
    match &protocol.trial_enrolled {
        None if trial_only => report(
            "access",
            Some("\"trial-only\""),
            "the protocol is trial-only in a jurisdiction but has no trial_enrolled rule: say why, what to record before session 1, and the referral".into(),
        ),
        Some(_) if !trial_only => report(
            "trial_enrolled",
            None,
            "trial_enrolled is given but no jurisdiction limits the protocol to trials (access: \"trial-only\")".into(),
        ),
        Some(rule) => {
            for (what, text) in [("reason", &rule.reason), ("record", &rule.record)] {
                if text.trim().is_empty() {
                    report(
                        "trial_enrolled",
                        None,
                        format!("the trial_enrolled rule's {what} is empty"),
                    );
                }
            }
        }
        None => {}
    }
}

/// No alternative is offered to a patient whom the same screening rules out of it.
fn check_alternatives(protocol: &Protocol, report: &mut Report<'_>) {
    let mut alternatives: Vec<&Alternative> = protocol.alternatives.iter().collect();
    for rule in protocol
        .factors
        .iter()
        .chain(protocol.adjuncts.iter().flat_map(|a| &a.factors))
    {
        if let Some(alternative) = &rule.alternative {
            alternatives.push(alternative);
            if alternative.excluded_by.contains(&rule.factor) {
                report(
                    "factors",
                    Some(&alternative.name),
                    format!(
                        "the alternative '{}' is offered because of '{}' but is excluded by it",
                        alternative.name, rule.factor
                    ),
                );
            }
        }
    }
    if let Some(rule) = &protocol.trial_enrolled {
        alternatives.push(&rule.referral);
    }
    let pairs = covered_pairs(protocol);
    for alternative in alternatives {
        if let Some(modality) = alternative.same_protocol_by
            && !pairs.iter().any(|(covered, _)| *covered == modality)
        {
            report(
                "alternatives",
                Some(&alternative.name),
                format!(
                    "the alternative '{}' is this protocol by {modality}, which the protocol does not cover",
                    alternative.name
                ),
            );
        }
        let missing: Vec<String> = alternative
            .intrinsic_exclusions()
            .into_iter()
            .filter(|factor| !alternative.excluded_by.contains(factor))
            .map(|factor| format!("\"{factor}\""))
            .collect();
        if !missing.is_empty() {
            report(
                "alternatives",
                Some(&alternative.name),
                format!(
                    "the alternative '{}' would be offered to patients the same screening rules out of it; add excluded_by: [{}]",
                    alternative.name,
                    missing.join(", ")
                ),
            );
        }
    }
    check_alternative_areas(protocol, report);
    check_repeated_alternatives(protocol, report);
}

/// An alternative bound by its name to some areas (a hair transplant, physiotherapy, a
/// facelift) is offered only there: its `areas`, or those of the rule that names it,
/// keep it out of the plans for other areas.
fn check_alternative_areas(protocol: &Protocol, report: &mut Report<'_>) {
    let covered: BTreeSet<Area> = covered_pairs(protocol).iter().map(|(_, a)| *a).collect();
    let mut scoped: Vec<(&Alternative, &[Area])> = protocol
        .alternatives
        .iter()
        .map(|alternative| (alternative, &[][..]))
        .collect();
    for rule in protocol
        .factors
        .iter()
        .chain(protocol.adjuncts.iter().flat_map(|a| &a.factors))
    {
        if let Some(alternative) = &rule.alternative {
            scoped.push((alternative, rule.areas.as_slice()));
        }
    }
    if let Some(rule) = &protocol.trial_enrolled {
        scoped.push((&rule.referral, &[]));
    }
    for (alternative, rule_areas) in scoped {
        let Some(natural) = alternative.natural_areas() else {
            continue;
        };
        let offered = covered.iter().filter(|area| {
            (alternative.areas.is_empty() || alternative.areas.contains(area))
                && (rule_areas.is_empty() || rule_areas.contains(area))
        });
        let wrong: Vec<&str> = offered
            .filter(|area| !natural.contains(area))
            .map(|area| area.id())
            .collect();
        if !wrong.is_empty() {
            let fitting: Vec<&str> = natural
                .iter()
                .filter(|area| covered.contains(area))
                .map(|area| area.id())
                .collect();
            report(
                "alternatives",
                Some(&alternative.name),
                format!(
                    "the alternative '{}' would be offered for {}, where it does not apply; give it areas: [{}]",
                    alternative.name,
                    wrong.join(", "),
                    fitting
                        .iter()
                        .map(|id| format!("\"{id}\""))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            );
        }
    }
}

/// The significant words of an alternative's name: "Corticosteroid or hyaluronic acid
/// injection" has corticosteroid, hyaluronic, acid, injection.
fn name_words(name: &str) -> BTreeSet<String> {
    name.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|word| word.len() > 2 && !["and", "the", "with", "for"].contains(word))
        .map(str::to_owned)
        .collect()
}

/// No alternative repeats others under a joint name ("Corticosteroid or hyaluronic
/// acid injection" next to "Corticosteroid injection" and "Hyaluronic acid
/// injection"): the consent form would list the same treatment twice.
fn check_repeated_alternatives(protocol: &Protocol, report: &mut Report<'_>) {
    let mut names: Vec<&str> = protocol
        .alternatives
        .iter()
        .map(|alternative| alternative.name.as_str())
        .collect();
    names.extend(
        protocol
            .factors
            .iter()
            .chain(protocol.adjuncts.iter().flat_map(|a| &a.factors))
            .filter_map(|rule| rule.alternative.as_ref())
            .map(|alternative| alternative.name.as_str()),
    );
    if let Some(rule) = &protocol.trial_enrolled {
        names.push(&rule.referral.name);
    }
    names.sort_unstable();
    names.dedup();
    for joint in names.iter().filter(|name| name.contains(" or ")) {
        let words = name_words(joint);
        let repeated: Vec<&str> = names
            .iter()
            .filter(|other| *other != joint && !other.contains(" or "))
            .filter(|other| {
                let other = name_words(other);
                !other.is_empty() && other.is_subset(&words)
            })
            .copied()
            .collect();
        if !repeated.is_empty() {
            report(
                "alternatives",
                Some(joint),
                format!(
                    "the alternative '{joint}' repeats '{}', also offered; name the same treatment the same way once",
                    repeated.join("' and '")
                ),
            );
        }
    }
}

/// Tasks, actions, steps and risk details are sentences: each ends with a full stop, so
/// that the plan can add a date after one without leaving it unfinished.
fn check_sentences(protocol: &Protocol, report: &mut Report<'_>) {
    let mut texts: Vec<(&'static str, &str)> = Vec::new();
    texts.extend(all_pre_procedure(protocol).map(|t| ("pre_procedure", t.text.as_str())));
    texts.extend(
        protocol
            .aftercare
            .iter()
            .chain(&protocol.donor_site_care)
            .map(|t| ("aftercare", t.text.as_str())),
    );
    for step in protocol
        .steps
        .iter()
        .chain(protocol.adjuncts.iter().flat_map(|a| &a.steps))
    {
        texts.push(("steps", &step.text));
        texts.extend(
            step.for_patient
                .as_deref()
                .map(|text| ("for_patient", text)),
        );
    }
    for rule in protocol
        .factors
        .iter()
        .chain(protocol.adjuncts.iter().flat_map(|a| &a.factors))
    {
        texts.push(("factors", &rule.reason));
        texts.extend(rule.action.as_ref().map(|a| ("factors", a.text.as_str())));
    }
    texts.extend(protocol.risks.iter().map(|r| ("risks", r.detail.as_str())));
    if let Some(trial) = &protocol.trial_enrolled {
        texts.push(("trial_enrolled", &trial.reason));
        texts.push(("trial_enrolled", &trial.record));
    }
    for (field, text) in texts {
        if !text.trim_end().ends_with(['.', '?', '!']) {
            let end = text.char_indices().rev().nth(29).map_or(0, |(at, _)| at);
            report(
                field,
                Some(text.get(..30.min(text.len())).unwrap_or(text)),
                format!(
                    "'…{}' does not end its sentence: end it with a full stop",
                    &text[end..]
                ),
            );
        }
    }
}

/// A risk that orders the clinic, or an IND named to the patient without saying what it
/// is.
fn check_orders_and_ind(
    protocol: &Protocol,
    patient_texts: &[(&'static str, &str)],
    report: &mut Report<'_>,
) {
    // A risk tells the patient what may happen and what is done about it; an order to
    // the clinic ("Use only a released lot") belongs in a step.
    for risk in &protocol.risks {
        let order = risk.detail.split(". ").find(|sentence| {
            let sentence = sentence.trim_start();
            [
                "Use ",
                "Inject ",
                "Give ",
                "Check ",
                "Record ",
                "Screen ",
                "Confirm ",
                "Refer ",
                "Ask the patient",
            ]
            .iter()
            .any(|verb| sentence.starts_with(verb))
        });
        if let Some(order) = order {
            report(
                "risks",
                Some(order.get(..30.min(order.len())).unwrap_or(order)),
                format!(
                    "the risk '{}' tells the clinic what to do ('{}'); the patient reads it: say what is done for them, and put the clinic's work in a step",
                    risk.name,
                    order.trim_end_matches('.')
                ),
            );
        }
    }
    // "IND" means nothing to a patient unless the text says what it is.
    for (field, text) in patient_texts {
        let names_ind = text
            .split(|c: char| !c.is_alphanumeric())
            .any(|word| word == "IND");
        if names_ind
            && !text.contains("permission to study")
            && !text.contains("Investigational New Drug")
        {
            report(
                field,
                Some("IND"),
                format!(
                    "'{}' speaks of an IND to the patient without saying what it is: add \"(the FDA's permission to study an unapproved product)\" after it",
                    text.get(..60.min(text.len())).unwrap_or(text)
                ),
            );
        }
    }
}

/// The texts besides tasks, steps and risks that the handout and consent form show:
/// the reasons of the warnings, the alternatives, check-ups, milestones, summary,
/// downtime and costs.
fn handout_texts(protocol: &Protocol) -> Vec<(&'static str, &str)> {
    let mut patient_texts: Vec<(&'static str, &str)> = Vec::new();
    let mut alternatives: Vec<(&'static str, &Alternative)> = protocol
        .alternatives
        .iter()
        .map(|alternative| ("alternatives", alternative))
        .collect();
    for rule in protocol
        .factors
        .iter()
        .chain(protocol.adjuncts.iter().flat_map(|a| &a.factors))
    {
        patient_texts.push(("factors", &rule.reason));
        alternatives.extend(rule.alternative.iter().map(|a| ("factors", a)));
    }
    if let Some(trial) = &protocol.trial_enrolled {
        patient_texts.push(("trial_enrolled", &trial.reason));
        alternatives.push(("referral", &trial.referral));
    }
    for (field, alternative) in alternatives {
        patient_texts.push((field, &alternative.name));
        patient_texts.push((field, &alternative.comparison));
    }
    for follow_up in &protocol.follow_ups {
        patient_texts.push(("follow_ups", &follow_up.purpose));
    }
    for milestone in &protocol.milestones {
        patient_texts.push(("milestones", &milestone.label));
    }
    patient_texts.push(("summary", &protocol.summary));
    patient_texts.push(("downtime", &protocol.downtime));
    patient_texts.push(("additional_costs", &protocol.additional_costs));
    patient_texts
}

/// What the patient reads is written to the patient, and every step the handout must
/// explain (the harvest, the treatment) says what the patient goes through.
fn check_readers(protocol: &Protocol, report: &mut Report<'_>) {
    let mut patient_texts: Vec<(&'static str, &str)> = Vec::new();
    for task in all_pre_procedure(protocol) {
        if task.audience == Audience::Patient {
            patient_texts.push(("pre_procedure", &task.text));
            if task.text.trim_start().starts_with("Consultation") {
                report(
                    "pre_procedure",
                    Some(
                        task.text
                            .get(..30.min(task.text.len()))
                            .unwrap_or(&task.text),
                    ),
                    "a consultation is the clinic's task: mark it audience: \"clinic\"".into(),
                );
            }
        }
    }
    for task in protocol.aftercare.iter().chain(&protocol.donor_site_care) {
        patient_texts.push(("aftercare", &task.text));
    }
    for step in protocol
        .steps
        .iter()
        .chain(protocol.adjuncts.iter().flat_map(|a| &a.steps))
    {
        if let Some(text) = &step.for_patient {
            patient_texts.push(("for_patient", text));
        } else if matches!(step.kind, StepKind::Harvest | StepKind::Administration) {
            report(
                "steps",
                Some(
                    step.text
                        .get(..30.min(step.text.len()))
                        .unwrap_or(&step.text),
                ),
                format!(
                    "a {} step needs for_patient: what the patient is told about it in the handout",
                    step.kind
                ),
            );
        }
    }
    for rule in protocol
        .factors
        .iter()
        .chain(protocol.adjuncts.iter().flat_map(|a| &a.factors))
    {
        if let Some(action) = &rule.action
            && action.audience == Audience::Patient
        {
            patient_texts.push(("factors", &action.text));
        }
    }
    // The handout lists the risks, the alternatives, the reasons of the warnings, the
    // check-ups, the summary, the downtime and the costs for the patient to read.
    for risk in &protocol.risks {
        patient_texts.push(("risks", &risk.detail));
    }
    patient_texts.extend(handout_texts(protocol));
    check_orders_and_ind(protocol, &patient_texts, report);
    for (field, text) in patient_texts {
        if text.to_lowercase().contains("the patient") {
            report(
                field,
                Some(text.get(..30.min(text.len())).unwrap_or(text)),
                format!(
                    "'{}' is read by the patient: write it to them (\"you\"), or, for a task, mark it audience: \"clinic\"",
                    text.get(..60.min(text.len())).unwrap_or(text)
                ),
            );
        }
    }
}
