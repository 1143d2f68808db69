//! The plan on one dated axis: preparation, sessions, aftercare, expected results and
//! follow-up visits, with today marked. A physician would rather look than read.

use egui::{Align2, Color32, FontId, Pos2, Rect, Sense, Stroke, Ui, Vec2};
use jiff::civil::Date;

use crate::planning::{AftercareSite, Plan, SessionProgress, SessionState};

/// The rows of the chart, top to bottom.
const ROWS: [&str; 6] = [
    "Preparation",
    "Sessions",
    "Aftercare",
    "Donor site",
    "Results",
    "Follow-ups",
];

/// One mark on the chart: a point when `from == to`, else a bar.
struct Mark {
    row: usize,
    from: Date,
    to: Date,
    text: String,
    /// Where a session stands: drawn filled when done, red when overdue, as a ring
    /// when still planned.
    progress: Option<SessionProgress>,
}

fn marks(plan: &Plan, states: &[SessionState]) -> Vec<Mark> {
    let mut marks = Vec::new();
    for task in &plan.pre_procedure {
        marks.push(Mark {
            row: 0,
            from: task.due,
            to: task.due,
            text: format!("{}: {}", task.due, task.task),
            progress: None,
        });
    }
    for session in &plan.sessions {
        let progress = states
            .iter()
            .find(|state| state.number == session.number)
            .map(|state| state.progress);
        marks.push(Mark {
            row: 1,
            from: session.date,
            to: session.date,
            text: match progress {
                Some(SessionProgress::Done { performed }) => {
                    format!("Session {}: done on {performed}", session.number)
                }
                Some(SessionProgress::Overdue) => format!(
                    "Session {}: overdue (planned for {}, not recorded)",
                    session.number, session.date
                ),
                _ => format!("Session {}: planned for {}", session.number, session.date),
            },
            progress,
        });
    }
    for session in &plan.sessions {
        for (row, site) in [
            (2, AftercareSite::TreatedArea),
            (3, AftercareSite::DonorSite),
        ] {
            let items = plan
                .aftercare
                .iter()
                .filter(|item| item.session == session.number && item.site == site);
            let until = items.map(|item| item.until).max();
            if let Some(until) = until {
                marks.push(Mark {
                    row,
                    from: session.date,
                    to: until,
                    text: format!(
                        "{} care after session {}: {} to {until}",
                        site.label(),
                        session.number,
                        session.date
                    ),
                    progress: None,
                });
            }
        }
    }
    for milestone in &plan.milestones {
        marks.push(Mark {
            row: 4,
            from: milestone.from,
            to: milestone.to,
            text: format!(
                "{}: {} to {}",
                milestone.label, milestone.from, milestone.to
            ),
            progress: None,
        });
    }
    for visit in &plan.follow_ups {
        marks.push(Mark {
            row: 5,
            from: visit.date,
            to: visit.date,
            text: format!("{}: {}", visit.date, visit.purpose),
            progress: None,
        });
    }
    marks
}

fn days_between(from: Date, to: Date) -> f32 {
    #[expect(
        clippy::cast_precision_loss,
        reason = "a plan spans at most a few thousand days"
    )]
    let days = (to - from).get_days() as f32;
    days
}

/// A short description of the chart for screen readers.
fn describe(plan: &Plan, states: &[SessionState], today: Date) -> String {
    let count = |wanted: fn(&SessionProgress) -> bool| {
        states
            .iter()
            .filter(|state| wanted(&state.progress))
            .count()
    };
    let done = count(|p| matches!(p, SessionProgress::Done { .. }));
    let overdue = count(|p| matches!(p, SessionProgress::Overdue));
    let planned = count(|p| matches!(p, SessionProgress::Planned));
    let first = plan
        .sessions
        .first()
        .map(|session| session.date.to_string());
    let last = plan.follow_ups.last().map(|visit| visit.date.to_string());
    format!(
        "Timeline: {} sessions ({done} done, {overdue} overdue, {planned} planned) from {} to last follow-up {}; today is {today}",
        plan.sessions.len(),
        first.unwrap_or_else(|| "none".into()),
        last.unwrap_or_else(|| "none".into())
    )
}

const ROW_HEIGHT: f32 = 22.0;
const LABEL_WIDTH: f32 = 90.0;
const AXIS_HEIGHT: f32 = 22.0;
const TOP_MARGIN: f32 = 16.0;
const ROW_COLORS: [Color32; 6] = [
    Color32::from_rgb(120, 120, 200),
    Color32::from_rgb(30, 110, 200),
    Color32::from_rgb(60, 160, 120),
    Color32::from_rgb(200, 140, 40),
    Color32::from_rgb(150, 90, 190),
    Color32::from_rgb(40, 150, 170),
];

/// A session that took place.
const DONE: Color32 = Color32::from_rgb(40, 150, 80);
/// A session whose day passed without a record.
const OVERDUE: Color32 = Color32::from_rgb(210, 40, 40);

/// Where dates and rows fall on the screen.
struct Chart {
    /// The whole widget.
    outer: Rect,
    /// The plotting area, right of the row names and above the month axis.
    plot: Rect,
    start: Date,
    end: Date,
    total_days: f32,
}

impl Chart {
    fn x_of(&self, date: Date) -> f32 {
        self.plot.left() + days_between(self.start, date) / self.total_days * self.plot.width()
    }

    fn y_of(&self, row: usize) -> f32 {
        #[expect(clippy::cast_precision_loss, reason = "six rows")]
        let row = row as f32;
        self.plot.top() + (row + 0.5) * ROW_HEIGHT
    }

    /// Row names, row lines and month ticks.
    fn grid(&self, painter: &egui::Painter, visuals: &egui::Visuals) {
        let grid = visuals.widgets.noninteractive.bg_stroke.color;
        for (index, name) in ROWS.iter().enumerate() {
            let y = self.y_of(index);
            painter.text(
                Pos2::new(self.outer.left(), y),
                Align2::LEFT_CENTER,
                *name,
                FontId::proportional(12.0),
                visuals.text_color(),
            );
            painter.line_segment(
                [
                    Pos2::new(self.plot.left(), y),
                    Pos2::new(self.plot.right(), y),
                ],
                Stroke::new(0.5, grid),
            );
        }
        let months = (days_between(self.start, self.end) / 30.0).max(1.0);
        let pixels_per_month = self.plot.width() / months;
        let step = match pixels_per_month {
            p if p >= 60.0 => 1,
            p if p >= 30.0 => 2,
            p if p >= 20.0 => 3,
            _ => 6,
        };
        let mut tick = Date::new(self.start.year(), self.start.month(), 1).unwrap_or(self.start);
        // The right end of the last month's name: the next one starts after it.
        let mut taken_until = f32::NEG_INFINITY;
        for _ in 0..200 {
            if tick > self.end {
                break;
            }
            if tick >= self.start {
                let x = self.x_of(tick);
                painter.line_segment(
                    [
                        Pos2::new(x, self.plot.top()),
                        Pos2::new(x, self.plot.bottom()),
                    ],
                    Stroke::new(0.5, grid),
                );
                let name = painter.layout_no_wrap(
                    tick.strftime("%b %Y").to_string(),
                    FontId::proportional(11.0),
                    visuals.weak_text_color(),
                );
                // A month near the right edge has its name end at the edge, never cut
                // by it; a name that would then cover the one before is left out.
                let left = (x + 2.0).min(self.outer.right() - name.size().x);
                if left >= taken_until + 6.0 {
                    taken_until = left + name.size().x;
                    painter.galley(
                        Pos2::new(left, self.plot.bottom() + 4.0),
                        name,
                        visuals.weak_text_color(),
                    );
                }
            }
            let Ok(next) = tick.checked_add(jiff::Span::new().months(step)) else {
                break;
            };
            tick = next;
        }
    }

    /// The marks; returns the texts of those under the pointer.
    fn marks<'m>(
        &self,
        painter: &egui::Painter,
        marks: &'m [Mark],
        hover_position: Option<Pos2>,
    ) -> Vec<&'m str> {
        let mut hovered = Vec::new();
        for mark in marks {
            let y = self.y_of(mark.row);
            let color = ROW_COLORS[mark.row];
            let hit = if mark.from == mark.to {
                let center = Pos2::new(self.x_of(mark.from), y);
                match mark.progress {
                    Some(SessionProgress::Done { .. }) => {
                        painter.circle_filled(center, 6.0, DONE);
                        painter.line_segment(
                            [center + Vec2::new(-3.0, 0.0), center + Vec2::new(-1.0, 2.5)],
                            Stroke::new(1.5, Color32::WHITE),
                        );
                        painter.line_segment(
                            [center + Vec2::new(-1.0, 2.5), center + Vec2::new(3.0, -2.5)],
                            Stroke::new(1.5, Color32::WHITE),
                        );
                    }
                    Some(SessionProgress::Overdue) => {
                        painter.circle_filled(center, 6.0, OVERDUE);
                    }
                    Some(SessionProgress::Planned) => {
                        painter.circle_stroke(center, 5.0, Stroke::new(2.0, color));
                    }
                    None => {
                        painter.circle_filled(center, 5.0, color);
                    }
                }
                Rect::from_center_size(center, Vec2::splat(12.0))
            } else {
                let left = self.x_of(mark.from);
                let bar = Rect::from_min_max(
                    Pos2::new(left, y - 5.0),
                    Pos2::new(self.x_of(mark.to).max(left + 3.0), y + 5.0),
                );
                painter.rect_filled(bar, 3.0, color.gamma_multiply(0.55));
                bar.expand(2.0)
            };
            if hover_position.is_some_and(|position| hit.contains(position)) {
                hovered.push(mark.text.as_str());
            }
        }
        hovered
    }

    /// The red line of today, or a note when today is before the plan.
    fn today(&self, painter: &egui::Painter, today: Date, weak: Color32) {
        if (self.start..=self.end).contains(&today) {
            let x = self.x_of(today);
            let red = Color32::from_rgb(210, 40, 40);
            painter.line_segment(
                [
                    Pos2::new(x, self.plot.top() - 2.0),
                    Pos2::new(x, self.plot.bottom()),
                ],
                Stroke::new(2.0, red),
            );
            let label = painter.layout_no_wrap(
                format!("today {}", today.strftime("%b %d")),
                FontId::proportional(11.0),
                red,
            );
            // Centred on the line, but kept inside the chart at either end.
            let width = label.size().x;
            let left = (x - width / 2.0)
                .min(self.outer.right() - width)
                .max(self.plot.left());
            painter.galley(Pos2::new(left, self.outer.top()), label, red);
        } else if today < self.start {
            painter.text(
                Pos2::new(self.plot.left(), self.outer.top()),
                Align2::LEFT_TOP,
                format!("today ({today}) is before the plan starts"),
                FontId::proportional(11.0),
                weak,
            );
        }
    }
}

/// Draws the timeline. Hovering a mark shows what it is.
pub fn timeline_ui(ui: &mut Ui, plan: &Plan, today: Date, states: &[SessionState]) {
    let marks = marks(plan, states);
    let Some(first) = marks.iter().map(|mark| mark.from).min() else {
        ui.label("No dated items: the patient is not a candidate, so nothing is scheduled.");
        return;
    };
    let last = marks.iter().map(|mark| mark.to).max().unwrap_or(first);
    let start = first
        .checked_sub(jiff::Span::new().days(3))
        .unwrap_or(first);
    let end = last.checked_add(jiff::Span::new().days(7)).unwrap_or(last);

    #[expect(clippy::cast_precision_loss, reason = "six rows")]
    let height = ROWS.len() as f32 * ROW_HEIGHT + AXIS_HEIGHT + TOP_MARGIN;
    let (response, painter) =
        ui.allocate_painter(Vec2::new(ui.available_width(), height), Sense::hover());
    let description = describe(plan, states, today);
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Image, true, &description));
    let outer = response.rect;
    let chart = Chart {
        outer,
        plot: Rect::from_min_max(
            Pos2::new(outer.left() + LABEL_WIDTH, outer.top() + TOP_MARGIN),
            Pos2::new(outer.right() - 8.0, outer.bottom() - AXIS_HEIGHT),
        ),
        start,
        end,
        total_days: days_between(start, end).max(1.0),
    };
    let visuals = ui.visuals();
    chart.grid(&painter, visuals);
    let hovered = chart.marks(&painter, &marks, response.hover_pos());
    chart.today(&painter, today, visuals.weak_text_color());
    if !hovered.is_empty() {
        response.on_hover_text_at_pointer(hovered.join("\n"));
    }
}
