//! What the calendar and the FHIR export read the same way: the plan's status and a
//! session's details. The export module knows no store types, so the status comes as
//! the id that [`super::Document::status`] carries.

use std::fmt::Write as _;

use super::ExportError;
use crate::planning::Session;

/// Where a plan stands, as far as a calendar or another system needs to know.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PlanStatusKind {
    /// Being prepared; nothing was agreed yet.
    Draft,
    /// Agreed with the patient and under way.
    Active,
    /// Every session and follow-up took place.
    Completed,
    /// Stopped; its appointments no longer hold.
    Cancelled,
}

impl PlanStatusKind {
    /// Reads a status id (`draft`, `active`, `completed`, `cancelled`).
    pub(crate) fn parse(id: &str) -> Result<Self, ExportError> {
        match id {
            "draft" => Ok(Self::Draft),
            "active" => Ok(Self::Active),
            "completed" => Ok(Self::Completed),
            "cancelled" => Ok(Self::Cancelled),
            other => Err(ExportError::UnknownStatus(other.to_owned())),
        }
    }
}

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
