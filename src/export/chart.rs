//! The milestone chart of a handout: when each result may show, as bars on a dated
//! axis, with the sessions and check-up visits marked above and below.

use jiff::civil::Date;

use super::fonts::Weight;
use super::layout::{
    ACCENT, Color, Flow, INK, Line, MUTED, Op, Pen, RULE, Span, TextStyle, break_lines,
};
use super::wording::month_short;
use crate::planning::Plan;

/// The bars.
const BAR: Color = [0x5b, 0x9b, 0xc4];
/// Every other row.
const ROW_SHADE: Color = [0xf2, 0xf5, 0xf8];
/// Sessions.
const SESSION: Color = [0x1c, 0x4e, 0x6b];
/// Check-up visits.
const VISIT: Color = [0xc2, 0x6a, 0x1a];

/// How wide the column of row labels is.
const LABEL_WIDTH: f32 = 150.0;
const LABEL_STYLE: TextStyle = TextStyle {
    weight: Weight::Regular,
    size: 8.0,
    color: INK,
};
const AXIS_STYLE: TextStyle = TextStyle {
    weight: Weight::Regular,
    size: 7.5,
    color: MUTED,
};

/// Days from `start` to `date`, negative before it.
fn days_between(start: Date, date: Date) -> f32 {
    let seconds = date.duration_since(start).as_secs();
    #[expect(
        clippy::cast_precision_loss,
        reason = "a plan spans a few thousand days at most"
    )]
    let days = (seconds / 86_400) as f32;
    days
}

fn first_of_next_month(date: Date) -> Option<Date> {
    date.first_of_month()
        .checked_add(jiff::Span::new().months(1))
        .ok()
}

/// One row: a label and what is drawn in it.
enum Content {
    /// Bars from one day to another (a result that may repeat after each session).
    Bars(Vec<(Date, Date)>),
    /// Single days, as diamonds, filled or open.
    Marks(Vec<Date>, Color, bool),
}

fn diamond(x: f32, y: f32, radius: f32, color: Color, filled: bool) -> Op {
    Op::Shape {
        points: vec![
            (x, y - radius),
            (x + radius, y),
            (x, y + radius),
            (x - radius, y),
        ],
        fill: filled.then_some(color),
        pen: (!filled).then_some(Pen {
            color,
            width: 1.1,
            dashed: false,
        }),
    }
}

/// The rows of the chart: the sessions, one row per expected result (a result that
/// repeats after each session gets one row with several bars), the check-up visits.
fn rows(plan: &Plan) -> Vec<(String, Content)> {
    let mut rows: Vec<(String, Content)> = Vec::new();
    if !plan.sessions.is_empty() {
        rows.push((
            "Your sessions".to_owned(),
            Content::Marks(
                plan.sessions.iter().map(|s| s.date).collect(),
                SESSION,
                true,
            ),
        ));
    }
    for milestone in &plan.milestones {
        let window = (milestone.from, milestone.to);
        match rows.iter_mut().find(|(label, _)| *label == milestone.label) {
            Some((_, Content::Bars(bars))) => bars.push(window),
            _ => rows.push((milestone.label.clone(), Content::Bars(vec![window]))),
        }
    }
    if !plan.follow_ups.is_empty() {
        rows.push((
            "Check-up visits".to_owned(),
            Content::Marks(
                plan.follow_ups.iter().map(|v| v.date).collect(),
                VISIT,
                false,
            ),
        ));
    }
    rows
}

/// The dated axis: from the first of the month of the earliest day to the first of
/// the month after the latest, and where a day falls on it.
struct Axis {
    start: Date,
    end: Date,
    total_days: f32,
    left: f32,
    right: f32,
}

impl Axis {
    fn new(rows: &[(String, Content)], left: f32, right: f32) -> Option<Axis> {
        let mut dates: Vec<Date> = Vec::new();
        for (_, content) in rows {
            match content {
                Content::Bars(bars) => dates.extend(bars.iter().flat_map(|(a, b)| [*a, *b])),
                Content::Marks(days, ..) => dates.extend(days.iter().copied()),
            }
        }
        let start = dates.iter().min()?.first_of_month();
        let latest = *dates.iter().max()?;
        let end = first_of_next_month(latest).unwrap_or(latest);
        Some(Axis {
            start,
            end,
            total_days: days_between(start, end).max(28.0),
            left,
            right,
        })
    }

    fn x(&self, date: Date) -> f32 {
        self.left + days_between(self.start, date) / self.total_days * (self.right - self.left)
    }

    /// The first day of every month on the axis, its end included.
    fn months(&self) -> Vec<Date> {
        let mut months = Vec::new();
        let mut month = self.start;
        while month <= self.end {
            months.push(month);
            match first_of_next_month(month) {
                Some(next) => month = next,
                None => break,
            }
        }
        months
    }
}

/// Draws the rows from the top; returns where they end.
fn draw_rows(flow: &Flow<'_>, rows: &[(String, Content)], axis: &Axis, ops: &mut Vec<Op>) -> f32 {
    let fonts = flow.fonts();
    let width = flow.text_width();
    let mut y = 0.0;
    for (index, (label, content)) in rows.iter().enumerate() {
        let lines = break_lines(
            fonts,
            &[Span::styled(label, LABEL_STYLE)],
            LABEL_WIDTH - 6.0,
        );
        let text_height: f32 = lines.iter().map(Line::height).sum();
        let height = text_height.max(14.0) + 6.0;
        if index % 2 == 0 {
            ops.push(Op::rect(0.0, y, width, height, Some(ROW_SHADE), None));
        }
        let mut line_y = y + (height - text_height) / 2.0;
        for line in &lines {
            ops.extend(line.ops(fonts, 4.0, line_y));
            line_y += line.height();
        }
        let middle = y + height / 2.0;
        match content {
            Content::Bars(bars) => {
                for (from, to) in bars {
                    let left = axis.x(*from);
                    let right = (axis.x(*to) + 1.0).max(left + 3.0);
                    ops.push(Op::rect(
                        left,
                        middle - 4.0,
                        right - left,
                        8.0,
                        Some(BAR),
                        None,
                    ));
                }
            }
            Content::Marks(days, color, filled) => {
                for day in days {
                    ops.push(diamond(axis.x(*day), middle, 4.2, *color, *filled));
                }
            }
        }
        y += height;
    }
    y
}

/// The axis under the rows, with month ticks and labels, light guides through the rows,
/// and a dashed line at each session.
fn draw_axis(plan: &Plan, axis: &Axis, rows_bottom: f32, ops: &mut Vec<Op>) -> f32 {
    let months = axis.months();
    let step = [1, 2, 3, 6, 12]
        .into_iter()
        .find(|step| months.len() / step <= 12)
        .unwrap_or(12);
    let axis_y = rows_bottom + 2.0;
    let tick = |width: f32| Pen {
        color: MUTED,
        width,
        dashed: false,
    };
    ops.push(Op::Line {
        from: (axis.left, axis_y),
        to: (axis.right, axis_y),
        pen: tick(0.7),
    });
    for (index, month) in months.iter().enumerate() {
        let x = axis.x(*month);
        let labelled = index % step == 0 && *month < axis.end;
        ops.push(Op::Line {
            from: (x, axis_y),
            to: (x, axis_y + if labelled { 4.0 } else { 2.0 }),
            pen: tick(0.6),
        });
        if !labelled {
            continue;
        }
        ops.push(Op::Line {
            from: (x, 0.0),
            to: (x, rows_bottom),
            pen: Pen {
                color: RULE,
                width: 0.4,
                dashed: true,
            },
        });
        ops.push(Op::Text {
            x: x + 2.0,
            baseline: axis_y + 12.0,
            style: AXIS_STYLE,
            text: month_short(*month).to_owned(),
        });
        if index == 0 || month.month() == 1 {
            ops.push(Op::Text {
                x: x + 2.0,
                baseline: axis_y + 21.0,
                style: AXIS_STYLE.colored(INK),
                text: month.year().to_string(),
            });
        }
    }
    for session in &plan.sessions {
        let x = axis.x(session.date);
        ops.push(Op::Line {
            from: (x, 0.0),
            to: (x, rows_bottom),
            pen: Pen {
                color: ACCENT,
                width: 0.5,
                dashed: true,
            },
        });
    }
    axis_y + 24.0
}

/// What the marks mean, in one line from `left`; returns where it ends.
fn draw_legend(flow: &Flow<'_>, left: f32, top: f32, ops: &mut Vec<Op>) -> f32 {
    let baseline = top + 10.0;
    let style = AXIS_STYLE.colored(INK);
    let mut x = left;
    for (mark, text) in [
        (diamond(0.0, 0.0, 3.8, SESSION, true), "a session"),
        (diamond(0.0, 0.0, 3.8, VISIT, false), "a check-up visit"),
        (
            Op::rect(-5.0, -3.5, 10.0, 7.0, Some(BAR), None),
            "when the result may show",
        ),
    ] {
        ops.push(mark.moved(x + 4.0, baseline - 2.6));
        ops.push(Op::Text {
            x: x + 12.0,
            baseline,
            style,
            text: text.to_owned(),
        });
        x += 12.0 + flow.fonts().width(style.weight, style.size, text) + 16.0;
    }
    baseline + 8.0
}

/// Adds the chart as one item, with its legend; adds nothing when the plan has no
/// milestones.
pub(crate) fn milestone_chart(flow: &mut Flow<'_>, plan: &Plan) {
    if plan.milestones.is_empty() {
        return;
    }
    let rows = rows(plan);
    let left = LABEL_WIDTH + 8.0;
    let Some(axis) = Axis::new(&rows, left, flow.text_width() - 8.0) else {
        return;
    };
    let mut ops = Vec::new();
    let rows_bottom = draw_rows(flow, &rows, &axis, &mut ops);
    let axis_bottom = draw_axis(plan, &axis, rows_bottom, &mut ops);
    let height = draw_legend(flow, left, axis_bottom, &mut ops);
    flow.push(height, ops, false);
}
