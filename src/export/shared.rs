//! What the calendar and the FHIR export read the same way: a session's details and a
//! session record's.

use std::fmt::Write as _;

use crate::catalog::number;
use crate::planning::{Harvest, Product, Session, SessionRecord};

/// A session's duration and steps, one step a line, for a calendar event's description
/// or a care plan activity's.
pub(crate) fn session_details(session: &Session) -> String {
    let mut details = format!("Duration: {} minutes.", session.duration_minutes);
    if !session.steps.is_empty() {
        details.push_str("\nSteps:");
        for step in &session.steps {
            let _ = write!(details, "\n- {}: {}", step.kind.label(), step.text);
            let extras: Vec<&str> = [step.site.as_deref(), step.volume.as_deref()]
                .into_iter()
                .flatten()
                .collect();
            if !extras.is_empty() {
                let _ = write!(details, " ({})", extras.join(", "));
            }
        }
    }
    details
}

/// What a session's record says, a sentence a line, for a calendar event's description
/// and the notes of a FHIR `Procedure`: the time, the harvest, the materials and their
/// lots, the centrifuge runs, the product, where it went, the weight and anaesthetic,
/// the time from harvest to injection, the adverse events and the note. A field that
/// was not recorded is left out.
#[must_use]
pub fn record_lines(record: &SessionRecord) -> Vec<String> {
    let mut lines = Vec::new();
    if let Some(at) = record.performed_at {
        lines.push(format!("Began at {}.", at.strftime("%H:%M")));
    }
    if let Some(performer) = record
        .performer
        .as_deref()
        .map(str::trim)
        .filter(|name| !name.is_empty())
    {
        lines.push(format!("Performed by {performer}."));
    }
    lines.extend(record.harvest.as_ref().map(harvest_line));
    for material in &record.materials {
        let mut text = format!("{}: {}", material.kind.label(), material.name.trim());
        if let Some(lot) = &material.lot {
            let _ = write!(text, ", lot {}", lot.trim());
        }
        if let Some(expiry) = material.expiry {
            let _ = write!(text, ", expiry {expiry}");
        }
        text.push('.');
        lines.push(text);
    }
    if !record.spins.is_empty() {
        let spins: Vec<String> = record
            .spins
            .iter()
            .map(|spin| format!("{} × g for {} min", spin.g, spin.minutes))
            .collect();
        lines.push(format!("Centrifuged: {}.", spins.join(", then ")));
    }
    lines.extend(record.product.as_ref().and_then(product_line));
    if !record.administration.is_empty() {
        let sites: Vec<String> = record
            .administration
            .iter()
            .map(|site| match site.volume_ml {
                Some(volume) => format!("{} ({} mL)", site.site.trim(), number(volume)),
                None => site.site.trim().to_owned(),
            })
            .collect();
        lines.push(format!("Injected: {}.", sites.join("; ")));
    }
    if let Some(weight) = record.weight_kg {
        lines.push(format!("Weight: {} kg.", number(weight)));
    }
    for given in &record.anaesthetics {
        let technique = given
            .technique
            .map(|technique| format!(", {}", technique.label().to_lowercase()))
            .unwrap_or_default();
        lines.push(format!(
            "Anaesthetic: {}{technique}, {} mg.",
            given.agent.trim(),
            number(given.total_mg)
        ));
    }
    if let Some(minutes) = record.harvest_to_injection_minutes {
        lines.push(format!("Harvest to injection: {minutes} min."));
    }
    for event in &record.adverse_events {
        let mut text = format!(
            "Adverse event ({}): {}",
            event.severity.id(),
            event.what.trim()
        );
        if let Some(action) = &event.action {
            let _ = write!(text, "; action taken: {}", action.trim());
        }
        text.push_str(if event.resolved {
            "; resolved."
        } else {
            "; not resolved."
        });
        lines.push(text);
    }
    if let Some(notes) = &record.notes {
        lines.push(format!("Note: {}", notes.trim()));
    }
    lines
}

/// "Harvest from the lower abdomen, 120 mL."
fn harvest_line(harvest: &Harvest) -> String {
    let mut text = "Harvest".to_owned();
    if let Some(site) = &harvest.site {
        let _ = write!(text, " from {}", site.trim());
    }
    if let Some(volume) = harvest.volume_ml {
        let _ = write!(text, ", {} mL", number(volume));
    }
    text.push('.');
    text
}

/// What was measured in the product, when anything was.
fn product_line(product: &Product) -> Option<String> {
    let parts: Vec<String> = [
        product
            .platelet_factor
            .map(|x| format!("platelets {} × the blood count", number(x))),
        product
            .platelets_thousand_per_ul
            .map(|x| format!("{} × 10⁹ platelets/L", number(x))),
        product
            .cells_million
            .map(|x| format!("{} million cells", number(x))),
        product
            .viability_percent
            .map(|x| format!("viability {} %", number(x))),
        product.volume_ml.map(|x| format!("{} mL", number(x))),
    ]
    .into_iter()
    .flatten()
    .collect();
    (!parts.is_empty()).then(|| format!("Product: {}.", parts.join(", ")))
}
