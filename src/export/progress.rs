//! The progress report for the patient: the sessions done, the scores measured at the
//! visits, each scale drawn against the plan's expected results and the change that is
//! known to matter, in plain words that claim no more than the numbers show. Its
//! sources (where the scales and their differences come from) are numbered.

use super::fonts::Weight;
use super::layout::{ACCENT, Color, Flow, INK, MUTED, Marker, Op, Pen, RULE, Span, TextStyle};
use super::parts::{
    INFO_FILL, INFO_STRIPE, contact, milestone_rows, patient_pdf, section, subsection, title,
};
use super::wording::{Citations, long_date, plain_date};
use super::{Document, ExportError};
use crate::catalog::{Better, number};
use crate::planning::{ScoreSeries, SessionProgress, score_series, session_states};

/// The scores.
const SCORE: Color = [0xc2, 0x6a, 0x1a];
/// An expected result window.
const WINDOW: Color = [0xe8, 0xdf, 0xf2];
/// The change that matters.
const BAND: Color = [0xdc, 0xf0, 0xe4];

const AXIS_STYLE: TextStyle = TextStyle {
    weight: Weight::Regular,
    size: 7.5,
    color: MUTED,
};

/// The progress report as a PDF.
///
/// # Errors
/// When a text holds characters the shipped fonts cannot draw, or the PDF cannot be
/// assembled.
pub fn progress_pdf(document: &Document) -> Result<Vec<u8>, ExportError> {
    patient_pdf(
        document,
        "Progress report",
        Citations::LeftOut,
        |flow, document| {
            title(flow, document, "Your progress");
            let series: Vec<ScoreSeries> =
                score_series(&document.scales, &document.plan, &document.scores)
                    .into_iter()
                    .filter(|series| !series.points.is_empty())
                    .collect();
            flow.callout(INFO_FILL, INFO_STRIPE, |flow| {
            flow.paragraph(&[Span::body(
                "This report shows the scores measured at your visits, next to what the plan expected and when. A change in a score does not on its own show that the treatment caused it: scores also change with time, activity, the season and other treatment. Talk it through with your physician.",
            )]);
        });
            sessions(flow, document);
            // The sources, numbered in the order they are first cited.
            let mut sources: Vec<String> = Vec::new();
            if series.is_empty() {
                section(flow, "Your scores");
                flow.paragraph(&[Span::body(
                    "No scores have been entered yet. They are measured at your check-up visits.",
                )]);
            }
            for one in &series {
                scale_section(flow, one, document, &mut sources);
            }
            if !document.plan.milestones.is_empty() {
                section(flow, "What the plan expected, and when");
                milestone_rows(flow, &document.plan.milestones);
            }
            if !sources.is_empty() {
                section(flow, "Sources");
                for (index, source) in sources.iter().enumerate() {
                    flow.row(
                        Marker::None,
                        &[Span::body(format!("[{}]", index + 1))],
                        22.0,
                        &[Span::body(source)],
                    );
                }
            }
            section(flow, "Questions");
            contact(flow, document);
        },
    )
}

/// The sessions, done or still to come.
fn sessions(flow: &mut Flow<'_>, document: &Document) {
    let states = session_states(
        &document.plan,
        document.status,
        &document.records,
        document.generated_on,
    );
    if states.is_empty() {
        return;
    }
    section(flow, "Your sessions");
    for state in states {
        let text = match state.progress {
            SessionProgress::Done { performed } => {
                format!("done on {}", long_date(performed))
            }
            SessionProgress::Overdue => format!(
                "planned for {}; not recorded as done yet",
                long_date(state.date)
            ),
            SessionProgress::Planned => format!("planned for {}", long_date(state.date)),
        };
        flow.row(
            Marker::Bullet,
            &[],
            0.0,
            &[
                Span::strong(format!("Session {}: ", state.number)),
                Span::body(text),
            ],
        );
    }
}

/// The number of a source, adding it when new.
fn cite(sources: &mut Vec<String>, source: &str) -> usize {
    if let Some(index) = sources.iter().position(|known| known == source) {
        return index + 1;
    }
    sources.push(source.to_owned());
    sources.len()
}

fn scale_section(
    flow: &mut Flow<'_>,
    series: &ScoreSeries,
    document: &Document,
    sources: &mut Vec<String>,
) {
    let scale = &series.scale;
    section(flow, &scale.name);
    let cited: Vec<String> = scale
        .sources
        .iter()
        .map(|source| format!("[{}]", cite(sources, source)))
        .collect();
    let better = match scale.better {
        Better::Higher => "a higher score is better",
        Better::Lower => "a lower score is better",
    };
    flow.paragraph(&[Span::body(format!(
        "{} Scores run from {}; {better} {}.",
        scale.measures,
        scale.range_text(),
        cited.join("")
    ))]);
    subsection(flow, "Your scores");
    let first_session = document.plan.sessions.first().map(|session| session.date);
    for point in &series.points {
        let when = match first_session {
            Some(_) if point.days_since_first_session < 0 => "before your first session".to_owned(),
            Some(_) if point.days_since_first_session < 14 => {
                format!(
                    "{} days after your first session",
                    point.days_since_first_session
                )
            }
            Some(_) => format!(
                "about {} weeks after your first session",
                (point.days_since_first_session + 3) / 7
            ),
            None => String::new(),
        };
        flow.row(
            Marker::Bullet,
            &[],
            0.0,
            &[
                Span::strong(format!("{}: ", plain_date(point.date))),
                Span::body(format!("{} {} ({when})", number(point.value), scale.unit)),
            ],
        );
    }
    flow.gap(4.0);
    chart(flow, series, document);
    flow.gap(4.0);
    let mut verdict = vec![
        Span::strong("What it shows: "),
        Span::body(series.verdict.sentence(&scale.unit)),
    ];
    if let (Some(_), Some(mcid)) = (&series.mcid, &scale.mcid) {
        verdict.push(Span::body(format!(" [{}]", cite(sources, &mcid.source))));
    } else if let Some(note) = &scale.mcid_note {
        verdict.push(Span::body(format!(" {note}")));
    }
    flow.paragraph(&verdict);
}

/// The chart of one scale: expected result windows, the band of change that matters,
/// the first score, the scores joined in date order, the sessions as ticks.
fn chart(flow: &mut Flow<'_>, series: &ScoreSeries, document: &Document) {
    let plan = &document.plan;
    let dates = plan
        .sessions
        .iter()
        .map(|session| session.date)
        .chain(series.windows.iter().flat_map(|w| [w.from, w.to]))
        .chain(series.points.iter().map(|point| point.date));
    let (Some(first), Some(last)) = (dates.clone().min(), dates.max()) else {
        return;
    };
    let start = first.first_of_month();
    let end = last
        .first_of_month()
        .checked_add(jiff::Span::new().months(1))
        .unwrap_or(last);
    #[expect(
        clippy::cast_precision_loss,
        reason = "a plan spans a few thousand days"
    )]
    let total = ((end - start).get_days().max(28)) as f32;
    let left = 34.0;
    let right = flow.text_width() - 6.0;
    let top = 6.0;
    let height = 120.0;
    let bottom = top + height;
    #[expect(
        clippy::cast_precision_loss,
        reason = "a plan spans a few thousand days"
    )]
    let x = |date: jiff::civil::Date| {
        left + ((date - start).get_days() as f32) / total * (right - left)
    };
    let range = series.scale.range;
    let span = (range.max - range.min).max(f64::EPSILON);
    #[expect(clippy::cast_possible_truncation, reason = "a position on the page")]
    let y = |value: f64| bottom - (((value - range.min) / span).clamp(0.0, 1.0) as f32) * height;
    let mut ops = Vec::new();
    for window in &series.windows {
        let from = x(window.from);
        ops.push(Op::rect(
            from,
            top,
            (x(window.to) - from).max(2.0),
            height,
            Some(WINDOW),
            None,
        ));
    }
    if let Some(band) = &series.mcid {
        ops.push(Op::rect(
            left,
            y(band.high),
            right - left,
            y(band.low) - y(band.high),
            Some(BAND),
            None,
        ));
    }
    ops.push(Op::rect(
        left,
        top,
        right - left,
        height,
        None,
        Some(Pen {
            color: RULE,
            width: 0.6,
            dashed: false,
        }),
    ));
    for value in [range.min, range.max] {
        let text = number(value);
        let width = flow
            .fonts()
            .width(AXIS_STYLE.weight, AXIS_STYLE.size, &text);
        ops.push(Op::Text {
            x: left - 4.0 - width,
            baseline: y(value) + 2.5,
            style: AXIS_STYLE,
            text,
        });
    }
    if let Some(baseline) = &series.baseline {
        let at = y(baseline.value);
        ops.push(Op::Line {
            from: (left, at),
            to: (right, at),
            pen: Pen {
                color: MUTED,
                width: 0.6,
                dashed: true,
            },
        });
    }
    for session in &plan.sessions {
        let at = x(session.date);
        ops.push(Op::Line {
            from: (at, bottom),
            to: (at, bottom - 8.0),
            pen: Pen {
                color: ACCENT,
                width: 1.6,
                dashed: false,
            },
        });
    }
    let points: Vec<(f32, f32)> = series
        .points
        .iter()
        .map(|point| (x(point.date), y(point.value)))
        .collect();
    for pair in points.windows(2) {
        ops.push(Op::Line {
            from: pair[0],
            to: pair[1],
            pen: Pen {
                color: SCORE,
                width: 1.4,
                dashed: false,
            },
        });
    }
    for (px, py) in &points {
        ops.push(Op::Shape {
            points: vec![
                (px - 2.6, py - 2.6),
                (px + 2.6, py - 2.6),
                (px + 2.6, py + 2.6),
                (px - 2.6, py + 2.6),
            ],
            fill: Some(SCORE),
            pen: None,
        });
    }
    // Months along the axis, at most about ten labels.
    let mut month = start;
    let mut index = 0;
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "a few dozen months"
    )]
    let step = ((total / 30.0 / 10.0).ceil() as usize).max(1);
    while month < end {
        if index % step == 0 {
            ops.push(Op::Text {
                x: x(month) + 1.5,
                baseline: bottom + 10.0,
                style: AXIS_STYLE,
                text: if index == 0 || month.month() == 1 {
                    format!("{} {}", super::wording::month_short(month), month.year())
                } else {
                    super::wording::month_short(month).to_owned()
                },
            });
        }
        index += 1;
        match month.checked_add(jiff::Span::new().months(1)) {
            Ok(next) => month = next,
            Err(_) => break,
        }
    }
    // The legend.
    let baseline = bottom + 24.0;
    let mut lx = left;
    let style = AXIS_STYLE.colored(INK);
    let mut entries: Vec<(Op, &str)> = vec![
        (
            Op::rect(0.0, -3.0, 6.0, 6.0, Some(SCORE), None),
            "your score",
        ),
        (
            Op::Line {
                from: (0.0, 0.0),
                to: (10.0, 0.0),
                pen: Pen {
                    color: MUTED,
                    width: 0.6,
                    dashed: true,
                },
            },
            "your first score",
        ),
        (
            Op::rect(0.0, -3.5, 10.0, 7.0, Some(WINDOW), None),
            "when the plan expected a result",
        ),
        (
            Op::Line {
                from: (4.0, 3.5),
                to: (4.0, -3.5),
                pen: Pen {
                    color: ACCENT,
                    width: 1.6,
                    dashed: false,
                },
            },
            "a session",
        ),
    ];
    if series.mcid.is_some() {
        entries.push((
            Op::rect(0.0, -3.5, 10.0, 7.0, Some(BAND), None),
            "a change too small to matter",
        ));
    }
    let mut row_y = baseline;
    for (mark, text) in entries {
        let width = flow.fonts().width(style.weight, style.size, text) + 30.0;
        if lx + width > right {
            lx = left;
            row_y += 11.0;
        }
        ops.push(mark.moved(lx, row_y - 2.6));
        ops.push(Op::Text {
            x: lx + 14.0,
            baseline: row_y,
            style,
            text: text.to_owned(),
        });
        lx += width;
    }
    flow.push(row_y + 6.0, ops, false);
}
