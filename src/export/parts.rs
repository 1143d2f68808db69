//! Parts the handout, the consent form and the progress report share: the pages they are laid out on, the
//! title, the warnings in the patient's words, the regulatory status, the risks and the
//! expected results, and the clinic's contact.

use std::fmt::Write as _;

use jiff::civil::Date;

use super::fonts::{Fonts, Weight};
use super::layout::{ACCENT, Color, Flow, INK, MUTED, Marker, Span, TextStyle};
use super::pdf::{CONTENT_WIDTH, Chrome, render};
use super::wording::{Citations, long_date, patient_plan, plain_date, regulatory_sentence, window};
use super::{Document, ExportError};
use crate::catalog::{Audience, RegulatoryStatus, Risk};
use crate::planning::{MilestoneWindow, Plan, Severity, Warning};

/// A warning: amber.
pub(crate) const CAUTION_FILL: Color = [0xfd, 0xf3, 0xe1];
/// A warning's stripe.
pub(crate) const CAUTION_STRIPE: Color = [0xd9, 0x8a, 0x1c];
/// Not a candidate: red.
pub(crate) const STOP_FILL: Color = [0xfc, 0xe9, 0xe7];
/// Not a candidate: its stripe.
pub(crate) const STOP_STRIPE: Color = [0xb4, 0x23, 0x18];
/// Information: blue-grey.
pub(crate) const INFO_FILL: Color = [0xec, 0xf2, 0xf7];
/// Information: its stripe.
pub(crate) const INFO_STRIPE: Color = [0x4a, 0x7a, 0x9b];

/// Size of a document's title.
pub(crate) const TITLE_SIZE: f32 = 19.0;
/// Size of a section heading.
pub(crate) const SECTION_SIZE: f32 = 13.0;
/// Size of a heading inside a section.
pub(crate) const SUBSECTION_SIZE: f32 = 11.0;

/// A document for the patient as a PDF: `write` lays out its sections from the plan in
/// the patient's words (references numbered or left out as `citations` says, never the
/// protocol files' keys), on A4 pages whose header and footer carry `page_title`, the
/// clinic and the patient.
///
/// # Errors
/// When the plan or the names hold characters the shipped font cannot draw, or the PDF
/// cannot be assembled.
pub(crate) fn patient_pdf(
    document: &Document,
    page_title: &str,
    citations: Citations,
    write: impl FnOnce(&mut Flow<'_>, &Document),
) -> Result<Vec<u8>, ExportError> {
    let printed = document.for_print();
    let document = &Document {
        plan: patient_plan(&printed.plan, citations),
        ..printed
    };
    let fonts = Fonts::load()?;
    let mut flow = Flow::new(&fonts, CONTENT_WIDTH);
    write(&mut flow, document);
    let items = flow.into_items();
    render(
        &fonts,
        &items,
        &Chrome {
            title: page_title,
            clinic_name: &document.clinic.name,
            clinic_contact: &document.clinic.contact,
            patient_name: &document.patient.name,
            generated_on: document.generated_on,
        },
    )
}

/// A section heading.
pub(crate) fn section(flow: &mut Flow<'_>, title: &str) {
    flow.heading(title, SECTION_SIZE, 14.0);
}

/// A heading inside a section.
pub(crate) fn subsection(flow: &mut Flow<'_>, title: &str) {
    flow.heading(title, SUBSECTION_SIZE, 7.0);
}

/// A bold line that introduces a list, kept with the list.
pub(crate) fn lead(flow: &mut Flow<'_>, text: &str) {
    flow.keep_together(|flow| {
        flow.paragraph(&[Span::strong(text)]);
        flow.gap(2.0);
    });
    flow.keep_next();
}

/// A paragraph that introduces what follows, kept on its page.
pub(crate) fn intro(flow: &mut Flow<'_>, spans: &[Span]) {
    flow.paragraph(spans);
    flow.keep_next();
}

/// The title, the protocol's name, and whom the document is for.
pub(crate) fn title(flow: &mut Flow<'_>, document: &Document, title: &str) {
    flow.heading(title, TITLE_SIZE, 0.0);
    flow.paragraph(&[Span::styled(
        &document.plan.protocol.title,
        TextStyle {
            weight: Weight::Bold,
            size: 12.0,
            color: INK,
        },
    )]);
    let mut prepared = format!("Prepared for {}", document.patient.name.trim());
    if let Some(birth) = document.patient.birth_date {
        let _ = write!(prepared, " (born {})", plain_date(birth));
    }
    let _ = write!(prepared, " on {}.", plain_date(document.generated_on));
    flow.paragraph(&[Span::styled(prepared, TextStyle::BODY.colored(MUTED))]);
}

/// The width of a label column that fits the widest of `labels` in `style`, within
/// reasonable bounds.
pub(crate) fn label_width<'l>(
    flow: &Flow<'_>,
    labels: impl IntoIterator<Item = &'l str>,
    style: TextStyle,
) -> f32 {
    let widest = labels
        .into_iter()
        .map(|label| flow.fonts().width(style.weight, style.size, label))
        .fold(0.0, f32::max);
    (widest + 12.0).clamp(60.0, flow.text_width() * 0.42)
}

/// A bulleted row: `label` in bold with a colon, then `text`.
pub(crate) fn labelled_bullet(flow: &mut Flow<'_>, label: &str, text: impl Into<String>) {
    flow.row(
        Marker::Bullet,
        &[],
        0.0,
        &[Span::strong(format!("{label}: ")), Span::body(text)],
    );
}

/// Each risk in a bulleted row: its name, how often it happens, and what it is.
pub(crate) fn risk_rows(flow: &mut Flow<'_>, risks: &[Risk]) {
    for risk in risks {
        flow.row(
            Marker::Bullet,
            &[],
            0.0,
            &[
                Span::strong(&risk.name),
                Span::styled(
                    format!(" ({})", risk.likelihood),
                    TextStyle::BODY.colored(MUTED),
                ),
                Span::body(format!(": {}", risk.detail)),
            ],
        );
        flow.gap(1.5);
    }
}

/// Each expected result in a bulleted row, with the window of days it may show in.
pub(crate) fn milestone_rows(flow: &mut Flow<'_>, milestones: &[MilestoneWindow]) {
    for milestone in milestones {
        labelled_bullet(flow, &milestone.label, window(milestone.from, milestone.to));
        flow.gap(1.5);
    }
}

/// The warnings that make the patient not a candidate for the treatment: the
/// contraindications, and a treatment allowed only within a trial the patient is not in.
pub(crate) fn contraindications(plan: &Plan) -> impl Iterator<Item = &Warning> {
    plan.warnings.iter().filter(|warning| warning.refuses())
}

/// Whether a warning only states the regulatory status, which documents say in the
/// patient's words with [`regulatory_sentence`] instead.
pub(crate) fn is_status_warning(warning: &Warning, status: RegulatoryStatus) -> bool {
    warning.factor.is_none()
        && (warning.severity == Severity::Restricted
            || (status == RegulatoryStatus::Restricted
                && warning.message.starts_with("Restricted:"))
            || (status == RegulatoryStatus::Investigational
                && warning.message.starts_with("Investigational:")))
}

/// A warning in parts: what it is about, why, and what to do by when.
pub(crate) struct PatientWarning {
    /// The screening answer it comes from ("Blood thinners"), if any.
    pub topic: Option<&'static str>,
    /// Why it matters.
    pub reason: String,
    /// What to do, and by which day.
    pub action: Option<(String, Option<Date>)>,
    /// The first session the dated action comes before, when it is not the first.
    pub session: Option<u32>,
    /// Whether the action is due again before each later session.
    pub again: bool,
    /// Who does it.
    pub audience: Audience,
}

/// Takes a warning apart, so that its action and date can be printed on their own line.
/// The engine writes a factor's warning as "Topic: reason. Action: by YYYY-MM-DD.";
/// a warning in any other shape is kept whole as the reason.
pub(crate) fn patient_warning(warning: &Warning) -> PatientWarning {
    let topic = warning.factor.map(crate::catalog::Factor::label);
    let mut reason = warning.message.trim();
    if let Some(topic) = topic {
        reason = reason
            .strip_prefix(topic)
            .and_then(|rest| rest.strip_prefix(": "))
            .unwrap_or(reason);
    }
    let Some(action) = &warning.action else {
        return PatientWarning {
            topic,
            reason: reason.to_owned(),
            action: None,
            session: None,
            again: false,
            audience: Audience::Patient,
        };
    };
    let session = action.session.filter(|number| *number > 1);
    // A dated action is written without its full stop, before ". Due by" (": by" in
    // plans saved before).
    let text = action.text.trim_end_matches('.');
    let Some(position) = reason.find(text) else {
        return PatientWarning {
            topic,
            reason: reason.to_owned(),
            action: Some((text.to_owned(), action.due)),
            session,
            again: false,
            audience: action.audience,
        };
    };
    let before = reason[..position].trim();
    let mut after = &reason[position + text.len()..];
    let mut again = false;
    if let Some(due) = action.due {
        after = after
            .strip_prefix(&format!(". Due by {due}"))
            .or_else(|| after.strip_prefix(&format!(": by {due}")))
            .unwrap_or(after);
        if let Some(number) = session {
            after = after
                .strip_prefix(&format!(", before session {number}"))
                .unwrap_or(after);
        }
        if let Some(rest) = after.strip_prefix(", and again before each later session") {
            after = rest;
            again = true;
        }
    }
    let after = after.trim_start_matches('.').trim();
    let reason = [before, after]
        .iter()
        .filter(|part| !part.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(" ");
    PatientWarning {
        topic,
        reason,
        action: Some((text.to_owned(), action.due)),
        session,
        again,
        audience: action.audience,
    }
}

/// One warning as a bulleted row: the topic in bold, the reason, then what to do, and
/// on its own line by which day and before which session: the date is never glued to
/// the last clause of the action.
pub(crate) fn warning_row(flow: &mut Flow<'_>, warning: &Warning) {
    let parts = patient_warning(warning);
    let mut spans = Vec::new();
    if let Some(topic) = parts.topic {
        spans.push(Span::strong(format!("{topic}. ")));
    }
    spans.push(Span::body(parts.reason));
    if let Some((action, due)) = parts.action {
        spans.push(Span::strong(match parts.audience {
            Audience::Patient => "\nWhat to do: ",
            Audience::Clinic => "\nWhat the clinic does: ",
        }));
        spans.push(Span::body(format!("{action}.")));
        if let Some(due) = due {
            spans.push(Span::strong("\nWhen: "));
            spans.push(Span::strong(format!("by {}", long_date(due))));
            let mut when = String::new();
            if let Some(number) = parts.session {
                let _ = write!(when, ", before session {number}");
            }
            if parts.again {
                when.push_str(", and again before each later session");
            }
            when.push('.');
            spans.push(Span::body(when));
        }
    }
    flow.row(Marker::Bullet, &[], 0.0, &spans);
    flow.gap(3.0);
}

/// The regulatory status in a box: the status's name and the honest sentence.
pub(crate) fn regulatory_box(flow: &mut Flow<'_>, plan: &Plan) {
    flow.callout(INFO_FILL, INFO_STRIPE, |flow| {
        flow.paragraph(&[
            Span::strong(format!(
                "Regulatory status: {}. ",
                plan.regulatory.status.label()
            )),
            Span::body(regulatory_sentence(plan.regulatory.status)),
        ]);
    });
}

/// The clinic's name, contact and physician, or a line to write a number on when the
/// clinic has not set them.
pub(crate) fn contact(flow: &mut Flow<'_>, document: &Document) {
    let clinic = &document.clinic;
    let name = clinic.name.trim();
    let contact = clinic.contact.trim();
    let physician = clinic.physician.trim();
    flow.keep_together(|flow| {
        if name.is_empty() && contact.is_empty() {
            flow.paragraph(&[Span::body(
                "Ask the clinic for the number to call, day and night, and write it here:",
            )]);
            flow.gap(22.0);
            flow.rule_line(0.0, 260.0);
        } else {
            let mut spans = Vec::new();
            if !name.is_empty() {
                spans.push(Span::strong(format!("{name}\n")));
            }
            if !contact.is_empty() {
                spans.push(Span::body(contact));
            }
            flow.paragraph(&spans);
        }
        if !physician.is_empty() {
            flow.gap(3.0);
            flow.paragraph(&[Span::body("Your physician: "), Span::strong(physician)]);
        }
    });
}

/// The accent colour for inline labels.
pub(crate) const LABEL_STYLE: TextStyle = TextStyle {
    weight: Weight::Bold,
    size: 10.0,
    color: ACCENT,
};

/// What happened at the sessions that the patient must be told, in plain words: a dose
/// above the protocol's maximum, a material used after its expiry. Nothing when there
/// is none.
pub(crate) fn session_flags(flow: &mut Flow<'_>, document: &Document) {
    let flags: Vec<&String> = document
        .performed
        .iter()
        .flat_map(|performed| &performed.for_patient)
        .collect();
    if flags.is_empty() {
        return;
    }
    section(flow, "What happened at your sessions");
    flow.callout(CAUTION_FILL, CAUTION_STRIPE, |flow| {
        lead(
            flow,
            "Your physician recorded this about your treatment so far:",
        );
        for flag in flags {
            flow.row(Marker::Bullet, &[], 0.0, &[Span::body(flag.as_str())]);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Factor;
    use crate::planning::DatedAction;

    #[test]
    fn a_factor_warning_is_taken_apart_into_reason_action_and_date() {
        let warning = Warning {
            factor: Some(Factor::Nsaids),
            severity: Severity::Caution,
            message: "NSAIDs or aspirin: NSAIDs and aspirin raise bruising and bleeding. Stop aspirin and other NSAIDs, with the prescriber's agreement where prescribed: by 2027-01-08.".to_owned(),
            action: Some(DatedAction {
                // Actions end their sentence; the engine drops the full stop before ": by".
                text: "Stop aspirin and other NSAIDs, with the prescriber's agreement where prescribed.".to_owned(),
                due: Some("2027-01-08".parse().unwrap()),
                session: Some(1),
                audience: Audience::Patient,
            }),
        };
        let parts = patient_warning(&warning);
        assert_eq!(parts.topic, Some("NSAIDs or aspirin"));
        assert_eq!(
            parts.reason,
            "NSAIDs and aspirin raise bruising and bleeding."
        );
        let (action, due) = parts.action.unwrap();
        assert!(action.starts_with("Stop aspirin"));
        assert!(action.ends_with("where prescribed"), "{action}");
        assert_eq!(due.unwrap().to_string(), "2027-01-08");
    }

    #[test]
    fn an_alternative_after_the_action_is_kept_and_an_odd_message_is_kept_whole() {
        let warning = Warning {
            factor: Some(Factor::Pregnancy),
            severity: Severity::Contraindicated,
            message: "Pregnant or breastfeeding: Not in pregnancy. Plan after pregnancy. Alternative: Laser.".to_owned(),
            action: Some(DatedAction {
                text: "Plan after pregnancy.".to_owned(),
                due: None,
                session: None,
                audience: Audience::Patient,
            }),
        };
        let parts = patient_warning(&warning);
        assert_eq!(parts.reason, "Not in pregnancy. Alternative: Laser.");
        let odd = Warning {
            factor: None,
            severity: Severity::Notice,
            message: "Session 2 is 50 days after session 1.".to_owned(),
            action: None,
        };
        assert_eq!(patient_warning(&odd).reason, odd.message);
    }
}
