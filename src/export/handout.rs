//! The patient handout: the plan told to the patient, in plain words, with every date.
//!
//! Warnings come first; a patient who is not a candidate reads that first, with the
//! alternatives, and no schedule.

use std::fmt::Write as _;

use super::chart::milestone_chart;
use super::layout::{Flow, Marker, Span};
use super::parts::{
    CAUTION_FILL, CAUTION_STRIPE, INFO_FILL, INFO_STRIPE, LABEL_STYLE, STOP_FILL, STOP_STRIPE,
    SUBSECTION_SIZE, contact, contraindications, intro, is_status_warning, label_width,
    labelled_bullet, lead, milestone_rows, patient_pdf, regulatory_box, risk_rows, section,
    session_flags, subsection, title, warning_row,
};
use super::wording::{Citations, count, date_range, duration, long_date};
use super::{Document, ExportError, PhysicianTask};
use jiff::civil::Date;

use crate::catalog::{Audience, StepKind};
use crate::planning::{AftercareSite, Plan, Session};

/// The handout as a PDF: A4 pages, the clinic's header, "Page 1 of N".
///
/// # Errors
/// When the plan or the names hold characters the shipped font cannot draw (they would
/// print as empty boxes), or the PDF cannot be assembled.
pub fn handout_pdf(document: &Document) -> Result<Vec<u8>, ExportError> {
    patient_pdf(
        document,
        "Patient handout",
        Citations::LeftOut,
        |flow, document| {
            let plan = &document.plan;
            title(flow, document, "Your treatment plan");
            if plan.candidate {
                what_it_is(flow, plan);
                warnings(flow, plan);
                session_flags(flow, document);
                before(flow, plan, document.generated_on);
                from_your_physician(flow, document);
                sessions(flow, plan);
                aftercare(flow, plan);
                expectations(flow, plan);
                follow_ups(flow, plan);
                maintenance(flow, plan);
            } else {
                not_a_candidate(flow, plan);
                warnings(flow, plan);
                session_flags(flow, document);
                what_it_is(flow, plan);
                from_your_physician(flow, document);
            }
            when_to_call(flow, document);
        },
    )
}

/// The summary and the regulatory status.
fn what_it_is(flow: &mut Flow<'_>, plan: &Plan) {
    section(flow, "What this treatment is");
    flow.paragraph(&[Span::body(&plan.summary)]);
    flow.gap(4.0);
    regulatory_box(flow, plan);
}

/// Every warning but the one that only states the regulatory status (said above in the
/// patient's words), with the dated actions.
fn warnings(flow: &mut Flow<'_>, plan: &Plan) {
    let shown: Vec<_> = plan
        .warnings
        .iter()
        .filter(|warning| !warning.refuses() || plan.candidate)
        // A note for the clinic alone (weigh the patient) is not the patient's to act on.
        .filter(|warning| {
            warning.factor.is_some()
                || warning
                    .action
                    .as_ref()
                    .is_none_or(|action| action.audience == Audience::Patient)
        })
        .filter(|warning| !is_status_warning(warning, plan.regulatory.status))
        // A screening answer the protocol finds irrelevant is the physician's note.
        .filter(|warning| !warning.notes_an_irrelevant_answer())
        .collect();
    if shown.is_empty() {
        return;
    }
    let heading = if plan.candidate {
        "Please read this first"
    } else {
        "Other things the screening found"
    };
    section(flow, heading);
    flow.callout(CAUTION_FILL, CAUTION_STRIPE, |flow| {
        if plan.candidate {
            lead(
                flow,
                "Your answers to the screening questions need these steps before treatment:",
            );
        }
        for warning in shown {
            warning_row(flow, warning);
        }
    });
}

/// The reasons not to go ahead, and what to consider instead.
fn not_a_candidate(flow: &mut Flow<'_>, plan: &Plan) {
    section(flow, "This treatment is not suitable for you at the moment");
    flow.callout(STOP_FILL, STOP_STRIPE, |flow| {
        lead(
            flow,
            "The screening before treatment found a reason not to go ahead, so no sessions have been planned:",
        );
        for warning in contraindications(plan) {
            warning_row(flow, warning);
        }
        if contraindications(plan).next().is_none() {
            flow.paragraph(&[Span::body(
                "Your physician will explain the reason with you.",
            )]);
        }
    });
    section(flow, "What you can consider instead");
    if plan.alternatives.is_empty() {
        flow.paragraph(&[Span::body(
            "Ask your physician which other treatments suit you.",
        )]);
    }
    for alternative in &plan.alternatives {
        labelled_bullet(flow, &alternative.name, &alternative.comparison);
        flow.gap(2.0);
    }
}

/// What the patient does before each session, by which day; the clinic's own tasks
/// are left out.
fn before(flow: &mut Flow<'_>, plan: &Plan, today: Date) {
    let tasks: Vec<_> = plan
        .pre_procedure
        .iter()
        .filter(|task| task.audience == Audience::Patient)
        .collect();
    if tasks.is_empty() {
        return;
    }
    let sessions_with_tasks: Vec<u32> = {
        let mut numbers: Vec<u32> = tasks.iter().map(|task| task.session).collect();
        numbers.sort_unstable();
        numbers.dedup();
        numbers
    };
    let only_first = sessions_with_tasks == [1];
    section(
        flow,
        if only_first {
            "Before your first session"
        } else {
            "Before your sessions"
        },
    );
    let labels: Vec<String> = tasks
        .iter()
        .map(|task| format!("By {}", date_range(task.due, task.due)))
        .collect();
    let width = label_width(flow, labels.iter().map(String::as_str), LABEL_STYLE);
    for number in sessions_with_tasks {
        if !only_first && let Some(session) = plan.sessions.iter().find(|s| s.number == number) {
            subsection(
                flow,
                &format!("Before session {number} on {}", long_date(session.date)),
            );
        }
        for (task, label) in tasks
            .iter()
            .zip(&labels)
            .filter(|(task, _)| task.session == number)
        {
            task_row(flow, label, width, &task.task, task.due < today);
        }
    }
}

/// A task to tick off, with its day (or when) as the label; a day that had passed when
/// the handout was made says so.
fn task_row(flow: &mut Flow<'_>, label: &str, width: f32, task: &str, day_passed: bool) {
    let mut body = vec![Span::body(task)];
    if day_passed {
        body.push(Span::strong(
            " This day had passed when the handout was made: ask the clinic what to do.",
        ));
    }
    flow.row(
        Marker::Checkbox,
        &[Span::styled(label, LABEL_STYLE)],
        width,
        &body,
    );
    flow.gap(2.0);
}

/// The tasks the physician added to the plan (and did not withdraw): dated ones by their
/// day, then the rest.
fn from_your_physician(flow: &mut Flow<'_>, document: &Document) {
    // The clinic's own tasks ("call the patient to confirm the GP letter") are not asked
    // of the patient.
    let mut tasks: Vec<&PhysicianTask> = document
        .extra_tasks
        .iter()
        .filter(|task| !task.withdrawn && task.audience == Audience::Patient)
        .collect();
    if tasks.is_empty() {
        return;
    }
    section(flow, "Also asked of you");
    intro(
        flow,
        &[Span::body(
            "Your physician added these to your plan, beyond the usual preparation:",
        )],
    );
    // Dated tasks first, by day; undated ones after them, in the order they were added.
    tasks.sort_by_key(|task| (task.due.is_none(), task.due));
    let labels: Vec<String> = tasks
        .iter()
        .map(|task| {
            task.due.map_or_else(
                || "When you can".to_owned(),
                |due| format!("By {}", date_range(due, due)),
            )
        })
        .collect();
    let width = label_width(flow, labels.iter().map(String::as_str), LABEL_STYLE);
    for (task, label) in tasks.iter().zip(&labels) {
        let day_passed = task.due.is_some_and(|due| due < document.generated_on);
        task_row(flow, label, width, &task.text, day_passed);
    }
}

/// What a step is called for the patient.
fn step_name(kind: StepKind) -> &'static str {
    match kind {
        StepKind::Preparation => "Getting ready",
        StepKind::Anaesthesia => "Numbing",
        StepKind::BloodDraw => "Blood sample",
        StepKind::Harvest => "Taking tissue",
        StepKind::Processing => "Preparing it",
        StepKind::Administration => "The treatment",
        StepKind::Observation => "Before you go",
    }
}

/// Each session: the day, how long it takes, and what happens.
fn sessions(flow: &mut Flow<'_>, plan: &Plan) {
    section(flow, "Your sessions");
    intro(
        flow,
        &[Span::body(format!(
            "{} planned.",
            count(plan.sessions.len(), "session is", "sessions are")
        ))],
    );
    let width = label_width(
        flow,
        StepKind::ALL.iter().map(|kind| step_name(*kind)),
        LABEL_STYLE,
    );
    let mut described: Option<&Session> = None;
    for session in &plan.sessions {
        let same_as = described.filter(|earlier| earlier.steps == session.steps);
        session_block(flow, session, same_as, width);
        if same_as.is_none() {
            described = Some(session);
        }
    }
    if !plan.downtime.trim().is_empty() {
        subsection(flow, "Time off");
        flow.paragraph(&[Span::body(&plan.downtime)]);
    }
}

/// One session; its steps in full unless they are those of an earlier session.
fn session_block(flow: &mut Flow<'_>, session: &Session, same_as: Option<&Session>, width: f32) {
    flow.heading(
        &format!("Session {}: {}", session.number, long_date(session.date)),
        SUBSECTION_SIZE,
        9.0,
    );
    flow.paragraph(&[
        Span::body("Plan on "),
        Span::strong(duration(session.duration_minutes)),
        Span::body(" at the clinic."),
    ]);
    if let Some(earlier) = same_as {
        flow.paragraph(&[Span::body(format!(
            "What happens is the same as at session {}.",
            earlier.number
        ))]);
        return;
    }
    flow.keep_next();
    flow.gap(3.0);
    flow.keep_next();
    // The patient reads what they go through; the clinic's own work (dressing the
    // donor site, counting cells) is told in its own words only on the clinic's plan.
    let told: Vec<_> = session
        .steps
        .iter()
        .filter_map(|step| step.for_patient.as_ref().map(|text| (step, text)))
        .collect();
    if told.is_empty() {
        flow.paragraph(&[Span::body(
            "Your physician will explain what happens at this visit.",
        )]);
    }
    for (step, for_patient) in told {
        let mut text = for_patient.clone();
        if step.kind == StepKind::Harvest
            && let Some(site) = &step.site
        {
            let _ = write!(text, " From: {site}.");
        }
        flow.row(
            Marker::None,
            &[Span::styled(step_name(step.kind), LABEL_STYLE)],
            width,
            &[Span::body(text)],
        );
        flow.gap(1.5);
    }
}

/// Aftercare after each session, the treated area and the donor site apart, with dates.
fn aftercare(flow: &mut Flow<'_>, plan: &Plan) {
    if plan.aftercare.is_empty() {
        return;
    }
    section(flow, "After each session");
    intro(
        flow,
        &[Span::body(
            "Tick each item off as you go. The dates are the days each instruction applies.",
        )],
    );
    let labels: Vec<String> = plan
        .aftercare
        .iter()
        .map(|item| date_range(item.from, item.until))
        .collect();
    let width = label_width(flow, labels.iter().map(String::as_str), LABEL_STYLE);
    for session in &plan.sessions {
        let mut items: Vec<_> = plan
            .aftercare
            .iter()
            .zip(&labels)
            .filter(|(item, _)| item.session == session.number)
            .collect();
        items.sort_by_key(|(item, _)| item.from);
        if items.is_empty() {
            continue;
        }
        subsection(
            flow,
            &format!(
                "After session {} on {}",
                session.number,
                long_date(session.date)
            ),
        );
        for (site, heading) in [
            (AftercareSite::TreatedArea, "The treated area"),
            (
                AftercareSite::DonorSite,
                "Where tissue was taken from (the donor site)",
            ),
        ] {
            let of_site: Vec<_> = items.iter().filter(|(item, _)| item.site == site).collect();
            if of_site.is_empty() {
                continue;
            }
            lead(flow, heading);
            for (item, label) in of_site {
                flow.row(
                    Marker::Checkbox,
                    &[Span::styled(*label, LABEL_STYLE)],
                    width,
                    &[Span::body(&item.task)],
                );
                flow.gap(1.5);
            }
            flow.gap(3.0);
        }
    }
}

/// The milestone chart and list.
fn expectations(flow: &mut Flow<'_>, plan: &Plan) {
    if plan.milestones.is_empty() {
        return;
    }
    section(flow, "When to expect what");
    intro(
        flow,
        &[Span::body(
            "Results come gradually. The bars show when each change may show; results vary from person to person and are not guaranteed.",
        )],
    );
    flow.gap(6.0);
    flow.keep_next();
    milestone_chart(flow, plan);
    flow.gap(6.0);
    milestone_rows(flow, &plan.milestones);
}

/// The check-up visits.
fn follow_ups(flow: &mut Flow<'_>, plan: &Plan) {
    if plan.follow_ups.is_empty() {
        return;
    }
    section(flow, "Your check-up visits");
    let labels: Vec<String> = plan
        .follow_ups
        .iter()
        .map(|visit| long_date(visit.date))
        .collect();
    let width = label_width(flow, labels.iter().map(String::as_str), LABEL_STYLE);
    let mut visits: Vec<_> = plan.follow_ups.iter().zip(&labels).collect();
    visits.sort_by_key(|(visit, _)| visit.date);
    for (visit, label) in visits {
        flow.row(
            Marker::None,
            &[Span::styled(label, LABEL_STYLE)],
            width,
            &[Span::body(&visit.purpose)],
        );
        flow.gap(1.5);
    }
}

/// What keeps the result.
fn maintenance(flow: &mut Flow<'_>, plan: &Plan) {
    let description = plan.maintenance.description.trim();
    if description.is_empty() {
        return;
    }
    section(flow, "Keeping the result");
    let mut spans = vec![Span::body(description)];
    if let Some(interval) = plan.maintenance.interval_months
        && !description.contains(&interval.to_string())
    {
        spans.push(Span::body(format!(" Usually every {interval} months.")));
    }
    flow.paragraph(&spans);
}

/// Whom to call, and the risks as the signs to call for.
fn when_to_call(flow: &mut Flow<'_>, document: &Document) {
    let plan = &document.plan;
    section(flow, "When to call the clinic");
    intro(
        flow,
        &[Span::body(
            "Call the clinic if you notice any of the signs below, if something gets worse instead of better, or if anything else worries you. In an emergency, call your local emergency number.",
        )],
    );
    flow.callout(INFO_FILL, INFO_STRIPE, |flow| contact(flow, document));
    if plan.risks.is_empty() {
        return;
    }
    subsection(
        flow,
        "The known risks of this treatment, and how often they happen",
    );
    risk_rows(flow, &plan.risks);
}
