//! The progress report for the patient: the sessions done, the scores measured at the
//! visits, each scale drawn against the plan's expected results and the change that is
//! known to matter, in plain words that claim no more than the numbers show. Its
//! sources (where the scales and their differences come from) are numbered.

use super::fonts::Weight;
use super::layout::{ACCENT, Color, Flow, INK, MUTED, Marker, Op, Pen, RULE, Span, TextStyle};
use super::parts::{
    INFO_FILL, INFO_STRIPE, contact, milestone_rows, patient_pdf, section, session_flags,
    subsection, title,
};
use super::wording::{Citations, long_date, month_short, plain_date};
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
            session_flags(flow, document);
            // The sources, numbered in the order they are first cited.
            let mut sources: Vec<String> = Vec::new();
            if series.is_empty() {
                section(flow, "Your scores");
                flow.paragraph(&[Span::body(
                    "No scores have been entered yet. They are measured at your check-up visits.",
                )]);
            }
            // A scale's description, scores, chart and verdict are read together: they
            // stay on one page.
            for one in &series {
                flow.keep_together(|flow| scale_section(flow, one, document, &mut sources));
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

/// Where days and scores fall on a chart.
struct Frame {
    start: jiff::civil::Date,
    end: jiff::civil::Date,
    total_days: f32,
    left: f32,
    right: f32,
    top: f32,
    bottom: f32,
    min: f64,
    max: f64,
}

impl Frame {
    fn x(&self, date: jiff::civil::Date) -> f32 {
        #[expect(
            clippy::cast_precision_loss,
            reason = "a plan spans a few thousand days"
        )]
        let days = (date - self.start).get_days() as f32;
        self.left + days / self.total_days * (self.right - self.left)
    }

    fn y(&self, value: f64) -> f32 {
        let span = (self.max - self.min).max(f64::EPSILON);
        #[expect(clippy::cast_possible_truncation, reason = "a position on the page")]
        let share = ((value - self.min) / span).clamp(0.0, 1.0) as f32;
        self.bottom - share * (self.bottom - self.top)
    }
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
    let total_days = (end - start).get_days().max(28) as f32;
    let frame = Frame {
        start,
        end,
        total_days,
        left: 34.0,
        right: flow.text_width() - 6.0,
        top: 6.0,
        bottom: 126.0,
        min: series.scale.range.min,
        max: series.scale.range.max,
    };
    let mut ops = Vec::new();
    background(flow, series, document, &frame, &mut ops);
    scores(series, &frame, &mut ops);
    months(&frame, &mut ops);
    let height = legend(flow, series.mcid.is_some(), &frame, &mut ops);
    flow.push(height, ops, false);
}

/// The windows, the band, the frame with the range at its ends, the first score and the
/// sessions.
fn background(
    flow: &Flow<'_>,
    series: &ScoreSeries,
    document: &Document,
    frame: &Frame,
    ops: &mut Vec<Op>,
) {
    let height = frame.bottom - frame.top;
    let width = frame.right - frame.left;
    for window in &series.windows {
        let from = frame.x(window.from);
        ops.push(Op::rect(
            from,
            frame.top,
            (frame.x(window.to) - from).max(2.0),
            height,
            Some(WINDOW),
            None,
        ));
    }
    if let Some(band) = &series.mcid {
        let top = frame.y(band.high);
        ops.push(Op::rect(
            frame.left,
            top,
            width,
            frame.y(band.low) - top,
            Some(BAND),
            None,
        ));
    }
    ops.push(Op::rect(
        frame.left,
        frame.top,
        width,
        height,
        None,
        Some(Pen {
            color: RULE,
            width: 0.6,
            dashed: false,
        }),
    ));
    for value in [frame.min, frame.max] {
        let text = number(value);
        let text_width = flow
            .fonts()
            .width(AXIS_STYLE.weight, AXIS_STYLE.size, &text);
        ops.push(Op::Text {
            x: frame.left - 4.0 - text_width,
            baseline: frame.y(value) + 2.5,
            style: AXIS_STYLE,
            text,
        });
    }
    if let Some(baseline) = &series.baseline {
        let at = frame.y(baseline.value);
        ops.push(Op::Line {
            from: (frame.left, at),
            to: (frame.right, at),
            pen: Pen {
                color: MUTED,
                width: 0.6,
                dashed: true,
            },
        });
    }
    for session in &document.plan.sessions {
        let at = frame.x(session.date);
        ops.push(Op::Line {
            from: (at, frame.bottom),
            to: (at, frame.bottom - 8.0),
            pen: Pen {
                color: ACCENT,
                width: 1.6,
                dashed: false,
            },
        });
    }
}

/// The scores, joined in date order.
fn scores(series: &ScoreSeries, frame: &Frame, ops: &mut Vec<Op>) {
    let points: Vec<(f32, f32)> = series
        .points
        .iter()
        .map(|point| (frame.x(point.date), frame.y(point.value)))
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
    for (x, y) in &points {
        ops.push(Op::rect(x - 2.6, y - 2.6, 5.2, 5.2, Some(SCORE), None));
    }
}

/// The months along the axis, at most about ten labels, the year at the first and at
/// each January.
fn months(frame: &Frame, ops: &mut Vec<Op>) {
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "a few dozen months"
    )]
    let step = ((frame.total_days / 30.0 / 10.0).ceil() as usize).max(1);
    let mut month = frame.start;
    let mut index = 0;
    while month < frame.end {
        if index % step == 0 {
            let name = month_short(month);
            ops.push(Op::Text {
                x: frame.x(month) + 1.5,
                baseline: frame.bottom + 10.0,
                style: AXIS_STYLE,
                text: if index == 0 || month.month() == 1 {
                    format!("{name} {}", month.year())
                } else {
                    name.to_owned()
                },
            });
        }
        index += 1;
        match month.checked_add(jiff::Span::new().months(1)) {
            Ok(next) => month = next,
            Err(_) => break,
        }
    }
}

/// What the marks mean, under the axis; returns the chart's whole height.
fn legend(flow: &Flow<'_>, has_band: bool, frame: &Frame, ops: &mut Vec<Op>) -> f32 {
    let style = AXIS_STYLE.colored(INK);
    let pen = |color, width, dashed| Pen {
        color,
        width,
        dashed,
    };
    let mut entries: Vec<(Op, &str)> = vec![
        (
            Op::rect(2.0, -3.0, 6.0, 6.0, Some(SCORE), None),
            "your score",
        ),
        (
            Op::Line {
                from: (0.0, 0.0),
                to: (10.0, 0.0),
                pen: pen(MUTED, 0.6, true),
            },
            "your first score",
        ),
        (
            Op::rect(0.0, -3.5, 10.0, 7.0, Some(WINDOW), None),
            "when the plan expected a result",
        ),
        (
            Op::Line {
                from: (5.0, 3.5),
                to: (5.0, -3.5),
                pen: pen(ACCENT, 1.6, false),
            },
            "a session",
        ),
    ];
    if has_band {
        entries.push((
            Op::rect(0.0, -3.5, 10.0, 7.0, Some(BAND), None),
            "a change too small to matter",
        ));
    }
    let mut x = frame.left;
    let mut baseline = frame.bottom + 24.0;
    for (mark, text) in entries {
        let width = flow.fonts().width(style.weight, style.size, text) + 30.0;
        if x + width > frame.right {
            x = frame.left;
            baseline += 11.0;
        }
        ops.push(mark.moved(x, baseline - 2.6));
        ops.push(Op::Text {
            x: x + 14.0,
            baseline,
            style,
            text: text.to_owned(),
        });
        x += width;
    }
    baseline + 6.0
}
