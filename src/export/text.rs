//! The plan and the catalog as plain text, the way a physician reads them in a terminal
//! or a printout.

use std::fmt::Write as _;

use crate::catalog::{
    Area, Audience, Catalog, CellSource, Factor, Indication, McidChange, Modality, Origin, number,
};
use crate::planning::{AftercareSite, Plan, Severity};

/// Writes one line into a String. The text of a plan comes from files (the clinic's
/// protocols, a saved revision), so whatever the line holds is shown, not obeyed: a line
/// break or an escape sequence in it is written as a visible escape, and each call is
/// exactly one line.
macro_rules! line {
    ($out:expr) => { $out.push('\n') };
    ($out:expr, $($arg:tt)*) => {{
        let text = format!($($arg)*);
        $out.push_str(&crate::untrusted::escape_controls(&text));
        $out.push('\n');
    }};
}

fn heading(out: &mut String, title: &str) {
    line!(out);
    line!(out, "{title}");
    line!(out, "{}", "-".repeat(title.chars().count()));
}

/// The plan as text: warnings first, then the schedule, then what the consent talk needs.
/// Texts cite the numbered list of sources at the end ("[3]"), never a protocol file's
/// keys, also for a plan saved before references were numbered.
#[must_use]
pub fn plan_text(plan: &Plan) -> String {
    let readable = crate::planning::readable(plan);
    let plan: &Plan = &readable;
    let mut out = String::new();
    line!(out, "{} ({})", plan.protocol.title, plan.protocol.id);
    line!(out, "{}", plan.selection);
    if plan.factors.is_empty() {
        line!(out, "Screening: no factor answered yes.");
    } else {
        let factors: Vec<&str> = plan.factors.iter().map(|factor| factor.label()).collect();
        line!(out, "Screening, answered yes: {}.", factors.join(", "));
    }
    line!(out);
    if plan.candidate {
        line!(out, "CANDIDATE: yes");
    } else {
        line!(
            out,
            "CANDIDATE: NO. Do not schedule this treatment; see the warnings and alternatives."
        );
    }
    line!(
        out,
        "REGULATORY STATUS: {}",
        plan.regulatory.status.label().to_uppercase()
    );

    if !plan.warnings.is_empty() {
        heading(&mut out, "Warnings");
        for warning in &plan.warnings {
            let tag = match warning.severity {
                Severity::Contraindicated => "NOT A CANDIDATE",
                Severity::Restricted => "RESTRICTED",
                Severity::Caution => "CAUTION",
                Severity::Notice => "NOTICE",
            };
            line!(out, "[{tag}] {}", warning.message);
        }
    }

    heading(&mut out, "Regulatory notes");
    for note in &plan.regulatory.notes {
        line!(out, "{}: {}", note.jurisdiction.label(), note.note);
    }
    heading(&mut out, "What it is");
    line!(out, "{}", plan.summary);
    line!(out, "Evidence: {}", plan.evidence);

    if plan.candidate {
        schedule_text(&mut out, plan);
    }

    if plan.candidate {
        heading(&mut out, "Maintenance");
        line!(out, "{}", plan.maintenance.description);
        if let Some(interval) = plan.maintenance.interval_months {
            let unit = if interval.max == 1 { "month" } else { "months" };
            line!(out, "Interval: every {interval} {unit}.");
        }
    }
    heading(&mut out, "Downtime and costs");
    line!(out, "Downtime: {}", plan.downtime);
    line!(out, "Additional costs: {}", plan.additional_costs);
    heading(&mut out, "Risks");
    for risk in &plan.risks {
        line!(
            out,
            "- {} ({}): {}",
            risk.name,
            risk.likelihood,
            risk.detail
        );
    }
    heading(&mut out, "Alternatives");
    for alternative in &plan.alternatives {
        line!(out, "- {}: {}", alternative.name, alternative.comparison);
    }
    heading(&mut out, "Sources");
    for (index, source) in plan.sources.iter().enumerate() {
        let marketing = if source.marketing {
            " (marketing page)"
        } else {
            ""
        };
        let caution = if source.uncertain {
            " Uncertain figure."
        } else {
            ""
        };
        line!(
            out,
            "[{}] {}{marketing}. Supports: {}.{caution}",
            index + 1,
            source.citation.trim_end_matches('.'),
            source.supports.trim_end_matches('.')
        );
    }
    out
}

fn schedule_text(out: &mut String, plan: &Plan) {
    heading(out, "Before each session");
    for session in &plan.sessions {
        let tasks: Vec<_> = plan
            .pre_procedure
            .iter()
            .filter(|task| task.session == session.number)
            .collect();
        if tasks.is_empty() {
            continue;
        }
        line!(
            out,
            "Before session {} on {}:",
            session.number,
            session.date
        );
        for task in tasks {
            let who = match task.audience {
                Audience::Patient => "",
                Audience::Clinic => " (clinic)",
            };
            line!(out, "  [ ] by {}{who}  {}", task.due, task.task);
        }
    }
    heading(out, "Sessions");
    for session in &plan.sessions {
        line!(
            out,
            "Session {} on {} ({}), {} minutes",
            session.number,
            session.date,
            crate::planning::Weekday::of(session.date).label(),
            session.duration_minutes
        );
        for step in &session.steps {
            let mut detail = String::new();
            if let Some(site) = &step.site {
                let _ = write!(detail, " Site: {site}.");
            }
            if let Some(volume) = &step.volume {
                let _ = write!(detail, " Volume: {volume}.");
            }
            line!(out, "  - {}: {}{detail}", step.kind.label(), step.text);
        }
    }
    heading(out, "Aftercare");
    for session in &plan.sessions {
        line!(out, "After session {}:", session.number);
        for item in plan
            .aftercare
            .iter()
            .filter(|item| item.session == session.number)
        {
            let place = match item.site {
                AftercareSite::TreatedArea => "",
                AftercareSite::DonorSite => "donor site: ",
            };
            line!(
                out,
                "  [ ] {} to {}  {place}{}",
                item.from,
                item.until,
                item.task
            );
        }
    }
    heading(out, "Expected results");
    for milestone in &plan.milestones {
        line!(
            out,
            "- {} to {}: {}",
            milestone.from,
            milestone.to,
            milestone.label
        );
    }
    heading(out, "Follow-up visits");
    for visit in &plan.follow_ups {
        line!(
            out,
            "- {}: {} (record: {})",
            visit.date,
            visit.purpose,
            visit.measures_by_id().join(", ")
        );
    }
}

/// Every id of the taxonomy and every protocol with what it covers.
#[must_use]
pub fn catalog_text(catalog: &Catalog) -> String {
    let mut out = String::new();
    let sections: [(&str, Vec<(&str, &str)>); 5] = [
        (
            "Modalities (--modality)",
            Modality::ALL.iter().map(|v| (v.id(), v.label())).collect(),
        ),
        (
            "Cell sources (--source, --adjunct)",
            CellSource::ALL
                .iter()
                .map(|v| (v.id(), v.label()))
                .collect(),
        ),
        (
            "Target areas (--area)",
            Area::ALL.iter().map(|v| (v.id(), v.label())).collect(),
        ),
        (
            "Indications (--indication)",
            Indication::ALL
                .iter()
                .map(|v| (v.id(), v.label()))
                .collect(),
        ),
        (
            "Patient factors (--factor)",
            Factor::ALL.iter().map(|v| (v.id(), v.question())).collect(),
        ),
    ];
    for (title, ids) in sections {
        line!(out, "{title}");
        for (id, label) in ids {
            line!(out, "  {id:<24} {label}");
        }
        line!(out);
    }
    line!(out, "Protocols");
    for entry in catalog.entries() {
        let protocol = &entry.protocol;
        let origin = match &entry.origin {
            Origin::BuiltIn => String::new(),
            Origin::Override { file } => format!(" [clinic override: {file}]"),
            Origin::Addition { file } => format!(" [clinic addition: {file}]"),
        };
        line!(
            out,
            "  {} - {} [{}]{origin}",
            protocol.id,
            protocol.title,
            protocol.regulatory.status.label()
        );
        for coverage in &protocol.covers {
            let join = |ids: Vec<&str>| ids.join(", ");
            line!(
                out,
                "      {} / {} / {} / {}",
                join(coverage.modalities.iter().map(|v| v.id()).collect()),
                join(coverage.sources.iter().map(|v| v.id()).collect()),
                join(coverage.areas.iter().map(|v| v.id()).collect()),
                join(coverage.indications.iter().map(|v| v.id()).collect()),
            );
        }
        if !protocol.adjuncts.is_empty() {
            let adjuncts: Vec<&str> = protocol.adjuncts.iter().map(|a| a.source.id()).collect();
            line!(out, "      adjuncts: {}", adjuncts.join(", "));
        }
    }
    line!(out);
    line!(out, "Outcome scales (--scale)");
    for entry in catalog.scales().entries() {
        let scale = &entry.scale;
        let origin = match &entry.origin {
            Origin::BuiltIn => String::new(),
            Origin::Override { file } => format!(" [clinic override: {file}]"),
            Origin::Addition { file } => format!(" [clinic addition: {file}]"),
        };
        let mcid = match scale.mcid.as_ref().map(|mcid| mcid.change) {
            Some(McidChange::PercentOfBaseline(percent)) => {
                format!("; MCID {}% of baseline", number(percent))
            }
            Some(McidChange::Points(points)) => format!("; MCID {} {}", number(points), scale.unit),
            None => String::new(),
        };
        line!(
            out,
            "  {:<24} {}: {}; {}{mcid}{origin}",
            scale.id.as_str(),
            scale.short_name,
            scale.range_sentence(),
            scale.better.label().to_lowercase()
        );
    }
    out
}
