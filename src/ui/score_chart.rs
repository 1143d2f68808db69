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

/// Where days and scores fall in the plotting area.
struct Geometry {
    plot: Rect,
    start: Date,
    total_days: f32,
    min: f64,
    max: f64,
}

impl Geometry {
    fn x(&self, date: Date) -> f32 {
        self.plot.left() + days(self.start, date) / self.total_days * self.plot.width()
    }

    fn y(&self, value: f64) -> f32 {
        let height = (self.max - self.min).max(f64::EPSILON);
        #[expect(
            clippy::cast_possible_truncation,
            reason = "a chart's height in pixels"
        )]
        let share = ((value - self.min) / height).clamp(0.0, 1.0) as f32;
        self.plot.bottom() - share * self.plot.height()
    }
}

/// The colours of the chart, for the light or the dark theme.
struct Colors {
    text: Color32,
    weak: Color32,
    grid: Color32,
    window: Color32,
    band: Color32,
    score: Color32,
    session: Color32,
}

impl Colors {
    fn of(visuals: &egui::Visuals) -> Self {
        let dark = visuals.dark_mode;
        Self {
            text: visuals.text_color(),
            weak: visuals.weak_text_color(),
            grid: visuals.widgets.noninteractive.bg_stroke.color,
            window: Color32::from_rgba_unmultiplied(150, 90, 190, if dark { 40 } else { 28 }),
            band: Color32::from_rgba_unmultiplied(60, 160, 120, if dark { 50 } else { 40 }),
            score: if dark {
                Color32::from_rgb(240, 170, 80)
            } else {
                Color32::from_rgb(194, 106, 26)
            },
            session: Color32::from_rgb(30, 110, 200),
        }
    }
}

/// Draws the chart of one scale, with its legend and verdict below.
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
    let geometry = Geometry {
        plot: Rect::from_min_max(
            Pos2::new(outer.left() + LEFT, outer.top() + TOP),
            Pos2::new(outer.right() - 8.0, outer.bottom() - BOTTOM),
        ),
        start,
        total_days: days(start, end).max(1.0),
        min: series.scale.range.min,
        max: series.scale.range.max,
    };
    let colors = Colors::of(ui.visuals());
    background(&painter, &geometry, series, &colors);
    axis(&painter, &geometry, plan, (start, end), outer, &colors);
    let hovered = scores(&painter, &geometry, series, response.hover_pos(), &colors);
    if !hovered.is_empty() {
        response.on_hover_text_at_pointer(hovered.join("\n"));
    }
    legend_ui(
        ui,
        series.mcid.is_some(),
        colors.score,
        colors.window,
        colors.session,
    );
    ui.label(series.verdict.sentence(&series.scale.unit));
    if series.mcid.is_none()
        && let Some(note) = &series.scale.mcid_note
    {
        ui.weak(note);
    }
}

/// The frame, the expected result windows, the band of change too small to matter
/// (from the baseline towards better) and the first score.
fn background(painter: &egui::Painter, geometry: &Geometry, series: &ScoreSeries, colors: &Colors) {
    let plot = geometry.plot;
    painter.rect_stroke(
        plot,
        0.0,
        Stroke::new(0.5, colors.grid),
        egui::StrokeKind::Inside,
    );
    for window in &series.windows {
        let left = geometry.x(window.from);
        let rect = Rect::from_min_max(
            Pos2::new(left, plot.top()),
            Pos2::new(geometry.x(window.to).max(left + 2.0), plot.bottom()),
        );
        painter.rect_filled(rect, 0.0, colors.window);
    }
    let lower_is_better = series.scale.better == Better::Lower;
    if let Some(band) = &series.mcid {
        let rect = Rect::from_min_max(
            Pos2::new(plot.left(), geometry.y(band.high)),
            Pos2::new(plot.right(), geometry.y(band.low)),
        );
        painter.rect_filled(rect, 0.0, colors.band);
        painter.text(
            Pos2::new(plot.right() - 4.0, geometry.y(band.threshold)),
            if lower_is_better {
                Align2::RIGHT_TOP
            } else {
                Align2::RIGHT_BOTTOM
            },
            "beyond this line: a change that matters",
            FontId::proportional(10.0),
            colors.weak,
        );
    }
    if let Some(baseline) = &series.baseline {
        let y = geometry.y(baseline.value);
        painter.line_segment(
            [Pos2::new(plot.left(), y), Pos2::new(plot.right(), y)],
            Stroke::new(1.0, colors.weak),
        );
        // At the right end, on the side away from the band.
        painter.text(
            Pos2::new(plot.right() - 4.0, y),
            if lower_is_better {
                Align2::RIGHT_BOTTOM
            } else {
                Align2::RIGHT_TOP
            },
            format!("first score {}", number(baseline.value)),
            FontId::proportional(10.0),
            colors.weak,
        );
    }
    painter.text(
        Pos2::new(plot.left() + 4.0, plot.top() + 2.0),
        Align2::LEFT_TOP,
        format!(
            "{} ({})",
            series.scale.short_name,
            if lower_is_better {
                "lower is better"
            } else {
                "higher is better"
            }
        ),
        FontId::proportional(11.0),
        colors.text,
    );
}

/// The range at the ends of the axis, the sessions as ticks, the first and last month.
fn axis(
    painter: &egui::Painter,
    geometry: &Geometry,
    plan: &Plan,
    (start, end): (Date, Date),
    outer: Rect,
    colors: &Colors,
) {
    let plot = geometry.plot;
    for value in [geometry.min, geometry.max] {
        painter.text(
            Pos2::new(plot.left() - 4.0, geometry.y(value)),
            Align2::RIGHT_CENTER,
            number(value),
            FontId::proportional(10.0),
            colors.weak,
        );
    }
    for session in &plan.sessions {
        let x = geometry.x(session.date);
        painter.line_segment(
            [
                Pos2::new(x, plot.bottom()),
                Pos2::new(x, plot.bottom() - 8.0),
            ],
            Stroke::new(2.0, colors.session),
        );
    }
    let mut labelled = Vec::new();
    for (date, x, align) in [
        (start, plot.left(), Align2::LEFT_BOTTOM),
        (end, plot.right(), Align2::RIGHT_BOTTOM),
    ] {
        let label = painter.text(
            Pos2::new(x, outer.bottom()),
            align,
            date.strftime("%b %Y").to_string(),
            FontId::proportional(10.0),
            colors.weak,
        );
        labelled.push(label.expand2(egui::vec2(8.0, 0.0)));
    }
    month_ticks(painter, geometry, (start, end), outer, colors, &labelled);
}

/// A faint line at the start of each month, and the month's name under as many as fit
/// (January with its year), so that a score's date can be read off the chart.
fn month_ticks(
    painter: &egui::Painter,
    geometry: &Geometry,
    (start, end): (Date, Date),
    outer: Rect,
    colors: &Colors,
    labelled: &[Rect],
) {
    let plot = geometry.plot;
    let months = f32::from(end.year().saturating_sub(start.year()).saturating_mul(12))
        + f32::from(end.month() - start.month());
    if months < 1.0 {
        return;
    }
    // A label every `step` months, about 70 points apart at least.
    let step = (70.0 / (plot.width() / months)).ceil().max(1.0);
    let Ok(mut month) = Date::new(start.year(), start.month(), 1) else {
        return;
    };
    let mut count: f32 = 0.0;
    let mut taken: Vec<Rect> = labelled.to_vec();
    while month <= end {
        if month > start {
            let x = geometry.x(month);
            painter.line_segment(
                [Pos2::new(x, plot.top()), Pos2::new(x, plot.bottom())],
                Stroke::new(1.0, colors.weak.gamma_multiply(0.25)),
            );
            if count % step == 0.0 {
                let text = if month.month() == 1 {
                    month.strftime("%b %Y").to_string()
                } else {
                    month.strftime("%b").to_string()
                };
                let galley = painter.layout_no_wrap(text, FontId::proportional(10.0), colors.weak);
                let rect =
                    Align2::CENTER_BOTTOM.anchor_size(Pos2::new(x, outer.bottom()), galley.size());
                if !taken.iter().any(|other| other.intersects(rect)) {
                    painter.galley(rect.min, galley, colors.weak);
                    taken.push(rect.expand2(egui::vec2(6.0, 0.0)));
                }
            }
        }
        count += 1.0;
        let Ok(next) = month.checked_add(jiff::Span::new().months(1)) else {
            return;
        };
        month = next;
    }
}

/// The scores joined in date order; returns the texts of those under the pointer.
fn scores(
    painter: &egui::Painter,
    geometry: &Geometry,
    series: &ScoreSeries,
    hover: Option<Pos2>,
    colors: &Colors,
) -> Vec<String> {
    let positions: Vec<Pos2> = series
        .points
        .iter()
        .map(|point| Pos2::new(geometry.x(point.date), geometry.y(point.value)))
        .collect();
    if positions.len() > 1 {
        painter.add(egui::Shape::line(
            positions.clone(),
            Stroke::new(2.0, colors.score),
        ));
    }
    let mut hovered = Vec::new();
    for (position, point) in positions.iter().zip(&series.points) {
        painter.circle_filled(*position, 4.5, colors.score);
        if hover.is_some_and(|at| at.distance(*position) < 8.0) {
            hovered.push(format!(
                "{} {} on {}",
                number(point.value),
                series.scale.unit,
                point.date
            ));
        }
    }
    hovered
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
