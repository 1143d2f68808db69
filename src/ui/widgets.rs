//! Small widgets shared by the screens: badges, banners, section headings.

use egui::{Color32, RichText, Ui};

use crate::catalog::RegulatoryStatus;
use crate::planning::PlanStatus;
use crate::planning::Severity;

/// The fill and text colours of a severity, readable in light and dark themes.
#[must_use]
pub fn severity_colors(ui: &Ui, severity: Severity) -> (Color32, Color32) {
    let dark = ui.visuals().dark_mode;
    match (severity, dark) {
        (Severity::Contraindicated, false) => (
            Color32::from_rgb(253, 226, 226),
            Color32::from_rgb(140, 20, 20),
        ),
        (Severity::Contraindicated, true) => (
            Color32::from_rgb(90, 24, 24),
            Color32::from_rgb(255, 205, 205),
        ),
        (Severity::Restricted, false) => (
            Color32::from_rgb(250, 228, 246),
            Color32::from_rgb(120, 20, 100),
        ),
        (Severity::Restricted, true) => (
            Color32::from_rgb(80, 22, 70),
            Color32::from_rgb(255, 210, 245),
        ),
        (Severity::Caution, false) => (
            Color32::from_rgb(255, 243, 205),
            Color32::from_rgb(110, 70, 0),
        ),
        (Severity::Caution, true) => (
            Color32::from_rgb(80, 60, 10),
            Color32::from_rgb(255, 230, 160),
        ),
        (Severity::Notice, false) => (
            Color32::from_rgb(222, 236, 252),
            Color32::from_rgb(20, 60, 120),
        ),
        (Severity::Notice, true) => (
            Color32::from_rgb(24, 48, 80),
            Color32::from_rgb(200, 222, 255),
        ),
    }
}

/// The severity a regulatory status is shown with.
#[must_use]
pub fn status_severity(status: RegulatoryStatus) -> Severity {
    match status {
        RegulatoryStatus::Restricted => Severity::Restricted,
        RegulatoryStatus::Investigational => Severity::Caution,
        RegulatoryStatus::OffLabel | RegulatoryStatus::Cosmetic | RegulatoryStatus::Established => {
            Severity::Notice
        }
    }
}

/// A small coloured label with a frame, e.g. a regulatory status.
pub fn badge(ui: &mut Ui, text: &str, severity: Severity) -> egui::Response {
    let (fill, stroke) = severity_colors(ui, severity);
    egui::Frame::new()
        .fill(fill)
        .corner_radius(4.0)
        .inner_margin(egui::Margin::symmetric(6, 2))
        .show(ui, |ui| {
            ui.add(egui::Label::new(RichText::new(text).color(stroke).strong()).extend())
        })
        .inner
}

/// A plan status as a badge.
pub fn plan_status_badge(ui: &mut Ui, status: PlanStatus) -> egui::Response {
    let severity = match status {
        PlanStatus::Draft | PlanStatus::Completed => Severity::Notice,
        PlanStatus::Active => Severity::Caution,
        PlanStatus::Cancelled => Severity::Restricted,
    };
    badge(ui, status.label(), severity)
}

/// A full-width coloured frame holding `add_contents`, for warnings at the top of a plan.
pub fn banner<R>(
    ui: &mut Ui,
    severity: Severity,
    add_contents: impl FnOnce(&mut Ui, Color32) -> R,
) -> R {
    let (fill, text) = severity_colors(ui, severity);
    egui::Frame::new()
        .fill(fill)
        .stroke(egui::Stroke::new(1.0, text.gamma_multiply(0.5)))
        .corner_radius(6.0)
        .inner_margin(egui::Margin::same(10))
        .show(ui, |ui| {
            ui.set_width(ui.available_width());
            add_contents(ui, text)
        })
        .inner
}

/// The banner of a data folder (or, `on_database`, a database) made by
/// `regen-planner demo-data`: shown on every screen, so that no one mistakes made-up
/// patients for real ones.
pub fn demo_banner_ui(ui: &mut Ui, on_database: bool) {
    let text = if on_database {
        "This database was filled by `regen-planner demo-data`; use a new, empty database for real patients."
    } else {
        "This data folder was made by `regen-planner demo-data`; use a new, empty data folder for real patients."
    };
    banner(ui, Severity::Caution, |ui, color| {
        ui.horizontal_wrapped(|ui| {
            ui.label(
                RichText::new("Demo data: not real patients")
                    .color(color)
                    .strong(),
            );
            ui.label(RichText::new(text).color(color));
        });
    });
}

/// A vertical scroll area that fills its space; `fresh` (the first frame of a screen)
/// puts it back at its top, so that every screen opens at its beginning instead of
/// where the last one like it was left.
pub fn scroll_area(id_salt: impl egui::AsIdSalt, fresh: bool) -> egui::ScrollArea {
    let area = egui::ScrollArea::vertical()
        .id_salt(id_salt)
        .auto_shrink(false);
    if fresh {
        area.vertical_scroll_offset(0.0)
    } else {
        area
    }
}

/// A section heading with some space above it.
pub fn section_heading(ui: &mut Ui, title: &str) {
    ui.add_space(10.0);
    ui.heading(title);
    ui.separator();
}

/// Text for a date a physician reads: "Mon 2027-01-18".
#[must_use]
pub fn date_text(date: jiff::civil::Date) -> String {
    format!("{} {date}", weekday_short(date))
}

fn weekday_short(date: jiff::civil::Date) -> &'static str {
    match date.weekday() {
        jiff::civil::Weekday::Monday => "Mon",
        jiff::civil::Weekday::Tuesday => "Tue",
        jiff::civil::Weekday::Wednesday => "Wed",
        jiff::civil::Weekday::Thursday => "Thu",
        jiff::civil::Weekday::Friday => "Fri",
        jiff::civil::Weekday::Saturday => "Sat",
        jiff::civil::Weekday::Sunday => "Sun",
    }
}

/// A timestamp in the local time zone, to the minute: "2026-11-22 10:42".
#[must_use]
pub fn timestamp_text(timestamp: jiff::Timestamp) -> String {
    let zoned = timestamp.to_zoned(jiff::tz::TimeZone::system());
    zoned.strftime("%Y-%m-%d %H:%M").to_string()
}

/// A date that can be typed as `YYYY-MM-DD` or picked from a calendar. Returns true
/// when the date changed. A typed date applies on Enter or when the field loses focus;
/// a wrong format is said next to the field and changes nothing.
pub fn date_field(ui: &mut Ui, id_salt: &str, label: &str, date: &mut jiff::civil::Date) -> bool {
    let id = ui.make_persistent_id(("date-field", id_salt));
    let label_response = ui.label(label);
    let mut text: String = ui
        .data_mut(|data| data.get_temp::<String>(id))
        .unwrap_or_else(|| date.to_string());
    let response = ui
        .add(
            egui::TextEdit::singleline(&mut text)
                .desired_width(84.0)
                .hint_text("YYYY-MM-DD"),
        )
        .labelled_by(label_response.id);
    let mut changed = false;
    let committed = response.lost_focus()
        || (response.has_focus() && ui.input(|input| input.key_pressed(egui::Key::Enter)));
    let parsed = text.trim().parse::<jiff::civil::Date>();
    if committed
        && let Ok(typed) = parsed
        && typed != *date
    {
        *date = typed;
        changed = true;
    }
    let mut picked = *date;
    let calendar = ui
        .add(
            egui_extras::DatePickerButton::new(&mut picked)
                .id_salt(id_salt)
                .show_icon(false)
                // The picker's own arrow buttons are named only "<", ">>" and so on,
                // which a screen reader cannot make sense of: the year, month and day
                // lists and the calendar remain, and the date can be typed.
                .arrows(false)
                .format("Calendar…")
                .calendar_week(false),
        )
        .on_hover_text(format!("Pick the {} from a calendar", label.to_lowercase()));
    let invalid = parsed.is_err() && !text.trim().is_empty();
    if calendar.changed() || picked != *date {
        *date = picked;
        changed = true;
        ui.data_mut(|data| data.remove_temp::<String>(id));
    } else if response.has_focus() {
        if invalid && text.trim().len() >= 10 {
            ui.colored_label(ui.visuals().error_fg_color, "Use YYYY-MM-DD");
        }
        ui.data_mut(|data| data.insert_temp(id, text));
    } else if invalid {
        // The mistake stays visible, with what is still in force, until it is corrected.
        ui.colored_label(
            ui.visuals().error_fg_color,
            format!(
                "'{}' is not a date; use YYYY-MM-DD. Still {date}.",
                text.trim()
            ),
        );
        ui.data_mut(|data| data.insert_temp(id, text));
    } else {
        ui.data_mut(|data| data.remove_temp::<String>(id));
    }
    changed
}

/// The red banner of a patient who is not a candidate: the contraindications in words
/// and the first alternative, at the top of the plan and of the preview.
pub fn not_candidate_banner(ui: &mut Ui, plan: &crate::planning::Plan) {
    banner(ui, Severity::Contraindicated, |ui, color| {
        ui.label(
            RichText::new("Not a candidate for this protocol")
                .color(color)
                .strong()
                .size(18.0),
        );
        for warning in plan
            .warnings
            .iter()
            .filter(|warning| warning.severity == Severity::Contraindicated)
        {
            ui.label(RichText::new(&warning.message).color(color));
        }
        if let Some(first) = plan.alternatives.first() {
            ui.label(
                RichText::new(format!(
                    "Consider instead: {}. {}",
                    first.name, first.comparison
                ))
                .color(color),
            );
        }
    });
}
