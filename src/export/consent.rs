//! The consent form: what is proposed, its regulatory status and evidence, the risks
//! and alternatives, what to expect and how sure that is, the cost, and the signatures.

use super::layout::{Flow, INK, MUTED, Marker, Op, Pen, Span, TextStyle};
use super::parts::{
    CAUTION_FILL, CAUTION_STRIPE, LABEL_STYLE, STOP_FILL, STOP_STRIPE, contraindications, intro,
    is_status_warning, label_width, labelled_bullet, lead, milestone_rows, patient_pdf,
    regulatory_box, risk_rows, section, session_flags, title, warning_row,
};
use super::wording::{Citations, count, duration, long_date, money, plain_date, selection_words};
use super::{Document, ExportError};

/// The consent form as a PDF: A4 pages, the clinic's header, "Page 1 of N", and
/// signature lines for the patient and the physician that are never split across pages.
///
/// # Errors
/// When the plan or the names hold characters the shipped font cannot draw (they would
/// print as empty boxes), or the PDF cannot be assembled.
pub fn consent_pdf(document: &Document) -> Result<Vec<u8>, ExportError> {
    // A patient who is not a candidate signs for the talk, not for a treatment.
    let kind = if document.plan.candidate {
        "Consent to treatment"
    } else {
        "Record of the treatment discussion"
    };
    patient_pdf(document, kind, Citations::Numbered, |flow, document| {
        title(flow, document, kind);
        patient(flow, document);
        if !document.plan.candidate {
            not_a_candidate(flow, document);
        }
        proposal(flow, document);
        warnings(flow, document);
        session_flags(flow, document);
        evidence(flow, document);
        sessions(flow, document);
        risks(flow, document);
        alternatives(flow, document);
        results(flow, document);
        cost(flow, document);
        references(flow, document);
        declaration(flow, document);
    })
}

/// The patient's name, date of birth and clinic number.
fn patient(flow: &mut Flow<'_>, document: &Document) {
    let person = &document.patient;
    let mut rows: Vec<(&str, String)> = vec![("Patient", person.name.trim().to_owned())];
    rows.push((
        "Date of birth",
        person
            .birth_date
            .map_or_else(|| "not recorded".to_owned(), plain_date),
    ));
    if let Some(id) = person
        .clinic_id
        .as_deref()
        .filter(|id| !id.trim().is_empty())
    {
        rows.push(("Clinic number", id.trim().to_owned()));
    }
    let physician = document.clinic.physician.trim();
    if !physician.is_empty() {
        rows.push(("Physician", physician.to_owned()));
    }
    rows.push((
        "Plan",
        format!("{}, revision {}", document.plan_id, document.revision),
    ));
    flow.gap(6.0);
    let width = label_width(flow, rows.iter().map(|(label, _)| *label), LABEL_STYLE);
    for (label, value) in rows {
        flow.row(
            Marker::None,
            &[Span::styled(label, LABEL_STYLE)],
            width,
            &[Span::body(value)],
        );
    }
}

fn not_a_candidate(flow: &mut Flow<'_>, document: &Document) {
    let plan = &document.plan;
    section(flow, "Not suitable at the moment");
    flow.callout(STOP_FILL, STOP_STRIPE, |flow| {
        lead(
            flow,
            "The screening found a reason not to go ahead with this treatment; no sessions have been planned. This form records the discussion; it is not a consent to treatment.",
        );
        for warning in contraindications(plan) {
            warning_row(flow, warning);
        }
    });
}

/// The selection in words, the protocol, the summary, the regulatory status and notes.
fn proposal(flow: &mut Flow<'_>, document: &Document) {
    let plan = &document.plan;
    section(flow, "The proposed treatment");
    flow.paragraph(&[Span::strong(format!(
        "{}.",
        selection_words(&plan.selection)
    ))]);
    flow.paragraph(&[Span::styled(
        format!("Protocol: {} ({}).", plan.protocol.title, plan.protocol.id),
        TextStyle::BODY.colored(MUTED),
    )]);
    flow.gap(3.0);
    flow.paragraph(&[Span::body(&plan.summary)]);
    section(flow, "Regulatory status");
    regulatory_box(flow, plan);
    flow.gap(3.0);
    for note in &plan.regulatory.notes {
        labelled_bullet(flow, note.jurisdiction.label(), &note.note);
        flow.gap(1.5);
    }
}

/// Cautions and notices, with their dated actions.
fn warnings(flow: &mut Flow<'_>, document: &Document) {
    let plan = &document.plan;
    let shown: Vec<_> = plan
        .warnings
        .iter()
        .filter(|warning| !warning.refuses())
        .filter(|warning| !is_status_warning(warning, plan.regulatory.status))
        // A screening answer the protocol finds irrelevant is the physician's note.
        .filter(|warning| !warning.notes_an_irrelevant_answer())
        .collect();
    if shown.is_empty() {
        return;
    }
    section(flow, "What the screening found");
    flow.callout(CAUTION_FILL, CAUTION_STRIPE, |flow| {
        for warning in shown {
            warning_row(flow, warning);
        }
    });
}

fn evidence(flow: &mut Flow<'_>, document: &Document) {
    section(flow, "What the evidence shows");
    flow.paragraph(&[Span::body(&document.plan.evidence)]);
}

/// How many sessions, on which days, and the time off.
fn sessions(flow: &mut Flow<'_>, document: &Document) {
    let plan = &document.plan;
    section(flow, "Sessions");
    if plan.sessions.is_empty() {
        flow.paragraph(&[Span::body("No sessions are planned.")]);
        return;
    }
    flow.paragraph(&[Span::body(format!(
        "{} planned:",
        count(plan.sessions.len(), "session is", "sessions are")
    ))]);
    flow.keep_next();
    for session in &plan.sessions {
        labelled_bullet(
            flow,
            &format!("Session {}", session.number),
            format!(
                "{}, {}",
                long_date(session.date),
                duration(session.duration_minutes)
            ),
        );
    }
    if !plan.downtime.trim().is_empty() {
        flow.gap(3.0);
        flow.paragraph(&[Span::strong("Time off: "), Span::body(&plan.downtime)]);
    }
}

fn risks(flow: &mut Flow<'_>, document: &Document) {
    section(flow, "Risks");
    intro(
        flow,
        &[Span::body(
            "Every treatment has risks. These are the known risks of this one, with how often they happen:",
        )],
    );
    flow.gap(3.0);
    flow.keep_next();
    risk_rows(flow, &document.plan.risks);
}

fn alternatives(flow: &mut Flow<'_>, document: &Document) {
    section(flow, "Alternatives");
    for alternative in &document.plan.alternatives {
        labelled_bullet(flow, &alternative.name, &alternative.comparison);
        flow.gap(1.5);
    }
    labelled_bullet(
        flow,
        "No treatment",
        "you may also choose not to be treated, now or at any later point.",
    );
}

/// The milestones, and how sure they are.
fn results(flow: &mut Flow<'_>, document: &Document) {
    let plan = &document.plan;
    section(flow, "Expected results and their uncertainty");
    milestone_rows(flow, &plan.milestones);
    flow.gap(3.0);
    flow.paragraph(&[Span::strong(
        "Results vary from person to person and are not guaranteed. Some people see little or no change.",
    )]);
    let uncertain: Vec<_> = plan
        .sources
        .iter()
        .enumerate()
        .filter(|(_, source)| source.uncertain)
        .collect();
    if !uncertain.is_empty() {
        flow.gap(3.0);
        flow.paragraph(&[Span::body(
            "Some figures in this plan rest on thin or conflicting evidence:",
        )]);
        flow.keep_next();
        for (index, source) in uncertain {
            flow.row(
                Marker::Bullet,
                &[],
                0.0,
                &[
                    Span::body(format!("{} ", capitalised(&source.supports))),
                    Span::styled(format!("[{}]", index + 1), TextStyle::BODY.colored(MUTED)),
                ],
            );
            flow.gap(1.5);
        }
    }
}

/// The text with its first letter in capitals.
fn capitalised(text: &str) -> String {
    let mut characters = text.chars();
    characters.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(characters).collect()
    })
}

/// Sessions times the clinic's price, plus what may come on top; or "ask the clinic".
fn cost(flow: &mut Flow<'_>, document: &Document) {
    let plan = &document.plan;
    section(flow, "Estimated cost");
    let sessions = plan.sessions.len();
    if sessions == 0 {
        flow.paragraph(&[Span::body("No sessions are planned, so there is no cost.")]);
        return;
    }
    match &document.price {
        Some(price) => {
            let sessions_u64 = u64::try_from(sessions).unwrap_or(u64::MAX);
            let total = sessions_u64.saturating_mul(u64::from(price.per_session));
            flow.paragraph(&[
                Span::body(format!(
                    "{} × {} = ",
                    count(sessions, "session", "sessions"),
                    money(u64::from(price.per_session), &price.currency)
                )),
                Span::strong(money(total, &price.currency)),
                Span::body(". This is an estimate from the clinic's price per session."),
            ]);
        }
        None => flow.paragraph(&[Span::body(
            "Ask the clinic: it has not set a price per session for this treatment.",
        )]),
    }
    if !plan.additional_costs.trim().is_empty() {
        flow.gap(3.0);
        flow.paragraph(&[
            Span::strong("Costs that may come on top: "),
            Span::body(&plan.additional_costs),
        ]);
    }
}

/// The numbered list of the sources the form cites ("[3]"), marketing pages labelled.
fn references(flow: &mut Flow<'_>, document: &Document) {
    let sources = &document.plan.sources;
    if sources.is_empty() {
        return;
    }
    section(flow, "References");
    intro(
        flow,
        &[Span::body(
            "The numbers in brackets in this form refer to these sources. Pages marked as marketing are a clinic's or a vendor's own claims, not studies.",
        )],
    );
    flow.gap(2.0);
    let labels: Vec<String> = (1..=sources.len()).map(|n| format!("[{n}]")).collect();
    let width = label_width(flow, labels.iter().map(String::as_str), LABEL_STYLE);
    for (source, label) in sources.iter().zip(&labels) {
        let mut spans = vec![Span::body(&source.citation)];
        if source.marketing {
            spans.push(Span::styled(
                " (marketing page)",
                TextStyle::BODY.colored(MUTED),
            ));
        }
        flow.row(
            Marker::None,
            &[Span::styled(label, LABEL_STYLE)],
            width,
            &spans,
        );
        flow.gap(1.0);
    }
}

/// What the patient consents to.
const CONSENT: [&str; 5] = [
    "I have read this form, or had it read to me, and I understand it.",
    "The treatment, its regulatory status, its risks, the alternatives (including no treatment) and the uncertainty of the results have been explained to me, and my questions have been answered.",
    "I understand that results vary and are not guaranteed.",
    "I understand that I can withdraw my consent at any time before a session, without giving a reason.",
    "I agree to have the treatment described in this form.",
];

/// What a patient who is not a candidate confirms instead: the talk, not a treatment.
const ACKNOWLEDGEMENT: [&str; 3] = [
    "I have read this form, or had it read to me, and I understand it.",
    "I have been told why this treatment is not suitable for me at the moment, and which alternatives I can consider.",
    "My questions have been answered.",
];

/// The statements the patient signs, and the signature lines.
fn declaration(flow: &mut Flow<'_>, document: &Document) {
    let (heading, statements) = if document.plan.candidate {
        ("Consent", &CONSENT[..])
    } else {
        ("Acknowledgement", &ACKNOWLEDGEMENT[..])
    };
    let physician = document.clinic.physician.trim();
    // The statements and the signatures share a page: a signature under a page of
    // statements the patient did not see would not do.
    flow.keep_together(|flow| {
        section(flow, heading);
        for statement in statements {
            flow.row(Marker::Checkbox, &[], 0.0, &[Span::body(*statement)]);
            flow.gap(2.0);
        }
        flow.gap(14.0);
        signature(
            flow,
            "Signature of the patient",
            document.patient.name.trim(),
        );
        flow.gap(14.0);
        signature(flow, "Signature of the physician", physician);
    });
}

/// A signature line with the printed name under it, and a date line beside it.
fn signature(flow: &mut Flow<'_>, caption: &str, name: &str) {
    let fonts = flow.fonts();
    let width = flow.text_width();
    let date_left = width * 0.66;
    let pen = Pen {
        color: INK,
        width: 0.7,
        dashed: false,
    };
    let line_y = 30.0;
    let caption_style = TextStyle::SMALL.colored(MUTED).sized(9.0);
    let mut ops = vec![
        Op::Line {
            from: (0.0, line_y),
            to: (date_left - 24.0, line_y),
            pen,
        },
        Op::Line {
            from: (date_left, line_y),
            to: (width, line_y),
            pen,
        },
        Op::Text {
            x: 0.0,
            baseline: line_y + 12.0,
            style: caption_style,
            text: caption.to_owned(),
        },
        Op::Text {
            x: date_left,
            baseline: line_y + 12.0,
            style: caption_style,
            text: "Date".to_owned(),
        },
    ];
    let name_line = if name.is_empty() {
        "Name in capitals: ".to_owned()
    } else {
        name.to_owned()
    };
    let lines = super::layout::break_lines(fonts, &[Span::strong(name_line)], date_left - 30.0);
    let mut y = line_y + 16.0;
    for line in &lines {
        ops.extend(line.ops(fonts, 0.0, y));
        y += line.height();
    }
    if name.is_empty() {
        let start = fonts.width(LABEL_STYLE.weight, 10.5, "Name in capitals: ") + 2.0;
        ops.push(Op::Line {
            from: (start, y - 4.0),
            to: (date_left - 24.0, y - 4.0),
            pen: Pen {
                color: MUTED,
                width: 0.6,
                dashed: false,
            },
        });
    }
    flow.push(y + 2.0, ops, false);
}
