//! What the calendar and the FHIR export read the same way: a session's details.

use std::fmt::Write as _;

use crate::planning::Session;

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
