//! The protocol library: every protocol with its full content, which ones the clinic
//! overrides, and any problems with the clinic's files.

use std::fmt::Write as _;

use egui::{RichText, Ui};

use super::widgets::{badge, banner, section_heading, status_severity};
use crate::catalog::{
    Catalog, Entry, FollowUpScale, Origin, Problem, Protocol, ProtocolId, Scales,
};
use crate::planning::Severity;

/// The library screen's own state: which protocol is shown.
#[derive(Debug, Clone, Default)]
pub struct LibraryState {
    /// The protocol shown on the right.
    pub selected: Option<ProtocolId>,
}

/// The library screen.
pub fn library_ui(
    ui: &mut Ui,
    catalog: &Catalog,
    problems: &[Problem],
    state: &mut LibraryState,
    fresh: bool,
) {
    if state.selected.is_none() {
        state.selected = catalog
            .entries()
            .first()
            .map(|entry| entry.protocol.id.clone());
    }
    ui.heading("Protocol library");
    if !problems.is_empty() {
        banner(ui, Severity::Caution, |ui, color| {
            ui.label(RichText::new("Problems in the clinic's protocol files; the built-in protocols are used instead:").color(color).strong());
            for problem in problems {
                ui.label(RichText::new(problem.to_string()).color(color).monospace());
            }
        });
    }
    egui::Panel::left("library-list")
        .resizable(true)
        .default_size(300.0)
        .show(ui, |ui| {
            egui::ScrollArea::vertical().show(ui, |ui| {
                for entry in catalog.entries() {
                    let protocol = &entry.protocol;
                    let selected = state.selected.as_ref() == Some(&protocol.id);
                    let origin = match &entry.origin {
                        Origin::BuiltIn => "",
                        Origin::Override { .. } => " (clinic override)",
                        Origin::Addition { .. } => " (clinic addition)",
                    };
                    if ui
                        .selectable_label(selected, format!("{}{origin}", protocol.title))
                        .clicked()
                    {
                        state.selected = Some(protocol.id.clone());
                    }
                }
            });
        });
    egui::CentralPanel::default().show(ui, |ui| {
        let entry = state
            .selected
            .as_ref()
            .and_then(|id| {
                catalog
                    .entries()
                    .iter()
                    .find(|entry| &entry.protocol.id == id)
            })
            .or_else(|| catalog.entries().first());
        if let Some(entry) = entry {
            let shown = entry.protocol.id.clone();
            super::widgets::scroll_area(("library-protocol", shown.as_str()), fresh)
                .show(ui, |ui| protocol_ui(ui, entry, catalog.scales()));
        }
    });
}

fn list(ui: &mut Ui, items: impl IntoIterator<Item = String>) {
    for item in items {
        ui.label(format!("• {item}"));
    }
}

fn protocol_ui(ui: &mut Ui, entry: &Entry, scales: &Scales) {
    let protocol: &Protocol = &entry.protocol;
    ui.horizontal_wrapped(|ui| {
        ui.heading(&protocol.title);
        badge(
            ui,
            protocol.regulatory.status.label(),
            status_severity(protocol.regulatory.status),
        );
    });
    ui.weak(match &entry.origin {
        Origin::BuiltIn => format!("{}: built in", protocol.id),
        Origin::Override { file } => format!("{}: the clinic's override in {file}", protocol.id),
        Origin::Addition { file } => format!("{}: added by the clinic in {file}", protocol.id),
    });
    ui.label(&protocol.summary);
    ui.label(RichText::new(format!("Evidence: {}", protocol.evidence)).italics());
    for note in &protocol.regulatory.notes {
        ui.label(format!("{}: {}", note.jurisdiction.label(), note.note));
    }

    section_heading(ui, "Covers");
    list(
        ui,
        protocol.covers.iter().map(|coverage| {
            let join = |labels: Vec<&str>| labels.join(", ");
            format!(
                "{} / {} / {} / {}",
                join(coverage.modalities.iter().map(|m| m.label()).collect()),
                join(coverage.sources.iter().map(|s| s.label()).collect()),
                join(coverage.areas.iter().map(|a| a.label()).collect()),
                join(coverage.indications.iter().map(|i| i.label()).collect()),
            )
        }),
    );
    list(
        ui,
        protocol.adjuncts.iter().map(|adjunct| {
            format!(
                "Adjunct {}: {} (+{} minutes)",
                adjunct.source.label(),
                adjunct.purpose,
                adjunct.extra_minutes
            )
        }),
    );

    course_ui(ui, protocol, scales);
    factors_ui(ui, protocol);
    section_heading(ui, "Risks and alternatives");
    list(
        ui,
        protocol
            .risks
            .iter()
            .map(|risk| format!("{} ({}): {}", risk.name, risk.likelihood, risk.detail)),
    );
    list(
        ui,
        protocol
            .alternatives
            .iter()
            .map(|alternative| format!("{}: {}", alternative.name, alternative.comparison)),
    );

    section_heading(ui, "Sources");
    list(
        ui,
        protocol.sources.iter().enumerate().map(|(index, source)| {
            let marketing = if source.marketing {
                " (marketing page)"
            } else {
                ""
            };
            let uncertain = if source.uncertain {
                " (uncertain figure)"
            } else {
                ""
            };
            format!(
                "[{}] {}{marketing}. Supports: {}{uncertain}",
                index + 1,
                source.citation,
                source.supports
            )
        }),
    );
}

/// "1 day", "14 days".
/// A follow-up's scale as the library lists it: its short name, and the areas or
/// indications it is kept to.
fn scale_label(scales: &Scales, scale: &FollowUpScale) -> String {
    let id = scale.id();
    let name = scales
        .get(id)
        .map_or_else(|| id.to_string(), |known| known.short_name.clone());
    match scale {
        FollowUpScale::Always(_) => name,
        FollowUpScale::Only(scoped) => {
            let scope: Vec<&str> = scoped
                .areas
                .iter()
                .map(|area| area.label())
                .chain(
                    scoped
                        .indications
                        .iter()
                        .map(|indication| indication.label()),
                )
                .collect();
            format!("{name} ({})", scope.join(", ").to_lowercase())
        }
    }
}

fn day_count(days: u32) -> String {
    crate::export::count(usize::try_from(days).unwrap_or(usize::MAX), "day", "days")
}

fn course_ui(ui: &mut Ui, protocol: &Protocol, scales: &Scales) {
    section_heading(ui, "Course");
    let sessions = &protocol.sessions;
    let spacing = if sessions.range.max > 1 {
        format!(
            ", every {} days (sources: {} days)",
            sessions.spacing_days, sessions.spacing_range_days
        )
    } else {
        String::new()
    };
    let count = if sessions.typical == 1 {
        "1 session".to_owned()
    } else {
        format!("{} sessions", sessions.typical)
    };
    ui.label(format!(
        "{count} (range {}){spacing}; {} minutes each.",
        sessions.range, protocol.procedure_minutes
    ));
    if let Some(days) = sessions.first_interval_days {
        ui.label(format!(
            "Session 2 follows session 1 after {}.",
            day_count(days)
        ));
    }
    list(
        ui,
        protocol.steps.iter().map(|step| {
            format!(
                "{} ({}): {}",
                step.kind.label(),
                step.sessions.label().to_lowercase(),
                step.text
            )
        }),
    );

    section_heading(ui, "Before, after, results");
    list(
        ui,
        protocol.pre_procedure.iter().map(|task| {
            format!(
                "{} before {}: {}",
                day_count(task.days_before),
                task.sessions.label().to_lowercase().replace(" only", ""),
                task.text
            )
        }),
    );
    list(
        ui,
        protocol.aftercare.iter().map(|task| {
            format!(
                "Days {}-{} after: {}",
                task.from_day, task.until_day, task.text
            )
        }),
    );
    list(
        ui,
        protocol.donor_site_care.iter().map(|task| {
            format!(
                "Donor site, days {}-{}: {}",
                task.from_day, task.until_day, task.text
            )
        }),
    );
    list(
        ui,
        protocol.milestones.iter().map(|m| {
            format!(
                "Days {}-{} after the {}: {}",
                m.from_days,
                m.to_days,
                m.anchor.label().to_lowercase(),
                m.label
            )
        }),
    );
    list(
        ui,
        protocol.follow_ups.iter().map(|f| {
            format!(
                "{} after the {}: {} ({})",
                day_count(f.days_after),
                f.anchor.label().to_lowercase(),
                f.purpose,
                f.scales
                    .iter()
                    .map(|scale| scale_label(scales, scale))
                    .chain(f.assessments.iter().cloned())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }),
    );
    ui.label(format!("Maintenance: {}", protocol.maintenance.description));
    ui.label(format!("Downtime: {}", protocol.downtime));
    ui.label(format!("Additional costs: {}", protocol.additional_costs));
}

fn factors_ui(ui: &mut Ui, protocol: &Protocol) {
    section_heading(ui, "Screening");
    egui::Grid::new("factor-rules")
        .num_columns(3)
        .striped(true)
        .show(ui, |ui| {
            for rule in &protocol.factors {
                ui.label(rule.factor.label());
                ui.label(rule.severity.label());
                let mut text = rule.reason.clone();
                if let Some(action) = &rule.action {
                    let _ = write!(text, " {}", action.text);
                    if let Some(days) = action.days_before {
                        let _ = write!(text, " ({} before)", day_count(days));
                    }
                }
                ui.add(egui::Label::new(text).wrap());
                ui.end_row();
            }
        });
}
