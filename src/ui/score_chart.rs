//! One outcome scale's scores against the plan, drawn with the painter: the expected
//! result windows as shaded columns, the sessions as ticks, the baseline as a line, the
//! band of change too small to matter, and the scores joined in date order. The chart
//! carries its text equivalent ([`ScoreSeries::describe`]) for a screen reader, and the
//! verdict is written under it.

use egui::{Align2, Color32, FontId, Pos2, Rect, Sense, Stroke, Ui, Vec2};
use jiff::civil::Date;

use crate::catalog::{Better, number};
use crate::planning::{Plan, ScoreSeries};

const HEIGHT: f32 = 170.0;
const LEFT: f32 = 44.0;
const BOTTOM: f32 = 20.0;
const TOP: f32 = 8.0;

fn days(from: Date, to: Date) -> f32 {
    #[expect(
        clippy::cast_precision_loss,
        reason = "a plan spans at most a few thousand days"
    )]
    let days = (to - from).get_days() as f32;
    days
}

/// The dates the chart spans: the sessions, the windows, the follow-ups and the scores,
/// with a little room either side.
fn span(series: &ScoreSeries, plan: &Plan) -> Option<(Date, Date)> {
    let dates = plan
        .sessions
        .iter()
        .map(|session| session.date)
        .chain(series.windows.iter().flat_map(|w| [w.from, w.to]))
        .chain(plan.follow_ups.iter().map(|visit| visit.date))
        .chain(series.points.iter().map(|point| point.date));
    let (mut first, mut last) = (None::<Date>, None::<Date>);
    for date in dates {
        first = Some(first.map_or(date, |d| d.min(date)));
        last = Some(last.map_or(date, |d| d.max(date)));
    }
    let (first, last) = (first?, last?);
    let pad = jiff::Span::new().days(7);
    Some((
        first.checked_sub(pad).unwrap_or(first),
        last.checked_add(pad).unwrap_or(last),
    ))
}

/// Draws the chart of one scale, with its verdict below.
pub fn score_chart_ui(ui: &mut Ui, series: &ScoreSeries, plan: &Plan) {
    let Some((start, end)) = span(series, plan) else {
        return;
    };
    let (response, painter) = ui.allocate_painter(
        Vec2::new(ui.available_width().min(720.0), HEIGHT),
        Sense::hover(),
    );
    let description = format!("Chart of {}", series.describe());
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Image, true, &description));
    let outer = response.rect;
    let plot = Rect::from_min_max(
        Pos2::new(outer.left() + LEFT, outer.top() + TOP),
        Pos2::new(outer.right() - 8.0, outer.bottom() - BOTTOM),
    );
    let visuals = ui.visuals();
    let text = visuals.text_color();
    let weak = visuals.weak_text_color();
    let grid = visuals.widgets.noninteractive.bg_stroke.color;
    let dark = visuals.dark_mode;
    let total = days(start, end).max(1.0);
    let x_of = |date: Date| plot.left() + days(start, date) / total * plot.width();
    let range = series.scale.range;
    let height = (range.max - range.min).max(f64::EPSILON);
    #[expect(
        clippy::cast_possible_truncation,
        reason = "a chart's height in pixels"
    )]
    let y_of = |value: f64| {
        let share = ((value - range.min) / height).clamp(0.0, 1.0) as f32;
        plot.bottom() - share * plot.height()
    };
    painter.rect_stroke(plot, 0.0, Stroke::new(0.5, grid), egui::StrokeKind::Inside);

    // Expected result windows.
    let window_fill = if dark {
        Color32::from_rgba_unmultiplied(150, 90, 190, 40)
    } else {
        Color32::from_rgba_unmultiplied(150, 90, 190, 28)
    };
    for window in &series.windows {
        let rect = Rect::from_min_max(
            Pos2::new(x_of(window.from), plot.top()),
            Pos2::new(x_of(window.to).max(x_of(window.from) + 2.0), plot.bottom()),
        );
        painter.rect_filled(rect, 0.0, window_fill);
    }
    // The band of change too small to matter, from the baseline towards better.
    if let Some(band) = &series.mcid {
        let rect = Rect::from_min_max(
            Pos2::new(plot.left(), y_of(band.high)),
            Pos2::new(plot.right(), y_of(band.low)),
        );
        let fill = if dark {
            Color32::from_rgba_unmultiplied(60, 160, 120, 50)
        } else {
            Color32::from_rgba_unmultiplied(60, 160, 120, 40)
        };
        painter.rect_filled(rect, 0.0, fill);
        painter.text(
            Pos2::new(plot.right() - 4.0, y_of(band.threshold)),
            if series.scale.better == Better::Lower {
                Align2::RIGHT_TOP
            } else {
                Align2::RIGHT_BOTTOM
            },
            "beyond this line: a change that matters",
            FontId::proportional(10.0),
            weak,
        );
    }
    if let Some(baseline) = &series.baseline {
        let y = y_of(baseline.value);
        painter.line_segment(
            [Pos2::new(plot.left(), y), Pos2::new(plot.right(), y)],
            Stroke::new(1.0, weak),
        );
        // At the right end, on the side away from the band.
        painter.text(
            Pos2::new(plot.right() - 4.0, y),
            if series.scale.better == Better::Lower {
                Align2::RIGHT_BOTTOM
            } else {
                Align2::RIGHT_TOP
            },
            format!("first score {}", number(baseline.value)),
            FontId::proportional(10.0),
            weak,
        );
    }
    // The axis: the range at the ends, the sessions as ticks, months along the bottom.
    for value in [range.min, range.max] {
        painter.text(
            Pos2::new(plot.left() - 4.0, y_of(value)),
            Align2::RIGHT_CENTER,
            number(value),
            FontId::proportional(10.0),
            weak,
        );
    }
    let session_color = Color32::from_rgb(30, 110, 200);
    for session in &plan.sessions {
        let x = x_of(session.date);
        painter.line_segment(
            [
                Pos2::new(x, plot.bottom()),
                Pos2::new(x, plot.bottom() - 8.0),
            ],
            Stroke::new(2.0, session_color),
        );
    }
    painter.text(
        Pos2::new(plot.left(), outer.bottom()),
        Align2::LEFT_BOTTOM,
        start.strftime("%b %Y").to_string(),
        FontId::proportional(10.0),
        weak,
    );
    painter.text(
        Pos2::new(plot.right(), outer.bottom()),
        Align2::RIGHT_BOTTOM,
        end.strftime("%b %Y").to_string(),
        FontId::proportional(10.0),
        weak,
    );
    // The scores.
    let line = if dark {
        Color32::from_rgb(240, 170, 80)
    } else {
        Color32::from_rgb(194, 106, 26)
    };
    let points: Vec<Pos2> = series
        .points
        .iter()
        .map(|point| Pos2::new(x_of(point.date), y_of(point.value)))
        .collect();
    if points.len() > 1 {
        painter.add(egui::Shape::line(points.clone(), Stroke::new(2.0, line)));
    }
    let mut hovered = Vec::new();
    for (position, point) in points.iter().zip(&series.points) {
        painter.circle_filled(*position, 4.5, line);
        if response
            .hover_pos()
            .is_some_and(|pointer| pointer.distance(*position) < 8.0)
        {
            hovered.push(format!(
                "{} {} on {}",
                number(point.value),
                series.scale.unit,
                point.date
            ));
        }
    }
    painter.text(
        Pos2::new(plot.left() + 4.0, plot.top() + 2.0),
        Align2::LEFT_TOP,
        format!(
            "{} ({})",
            series.scale.short_name,
            match series.scale.better {
                Better::Higher => "higher is better",
                Better::Lower => "lower is better",
            }
        ),
        FontId::proportional(11.0),
        text,
    );
    if !hovered.is_empty() {
        response.on_hover_text_at_pointer(hovered.join("\n"));
    }
    legend_ui(ui, series.mcid.is_some(), line, window_fill, session_color);
    ui.label(series.verdict.sentence(&series.scale.unit));
    if series.mcid.is_none()
        && let Some(note) = &series.scale.mcid_note
    {
        ui.weak(note);
    }
}

/// What the marks of the chart mean, in one line.
fn legend_ui(ui: &mut Ui, has_band: bool, score: Color32, window: Color32, session: Color32) {
    /// How a legend's mark is drawn.
    #[derive(Clone, Copy)]
    enum Mark {
        Dot,
        Line,
        Block,
        Tick,
    }
    let weak = ui.visuals().weak_text_color();
    let band = Color32::from_rgb(60, 160, 120);
    let mut entries = vec![
        (Mark::Dot, score, "score"),
        (Mark::Line, weak, "first score"),
        (
            Mark::Block,
            window.gamma_multiply(3.0),
            "when the plan expects a result",
        ),
        (Mark::Tick, session, "session"),
    ];
    if has_band {
        entries.push((Mark::Block, band, "change too small to matter"));
    }
    ui.horizontal_wrapped(|ui| {
        for (mark, color, text) in entries {
            let (rect, _) = ui.allocate_exact_size(Vec2::splat(12.0), Sense::hover());
            let painter = ui.painter();
            let center = rect.center();
            match mark {
                Mark::Dot => {
                    painter.circle_filled(center, 4.0, color);
                }
                Mark::Line => {
                    painter.line_segment(
                        [center - Vec2::new(6.0, 0.0), center + Vec2::new(6.0, 0.0)],
                        Stroke::new(1.0, color),
                    );
                }
                Mark::Block => {
                    painter.rect_filled(rect.shrink(1.0), 0.0, color);
                }
                Mark::Tick => {
                    painter.line_segment(
                        [center - Vec2::new(0.0, 5.0), center + Vec2::new(0.0, 5.0)],
                        Stroke::new(2.0, color),
                    );
                }
            }
            ui.weak(text);
            ui.add_space(8.0);
        }
    });
}
