//! The window's look: egui's light and dark themes with the contrast a physician reading
//! all day needs (WCAG AA: 4.5:1 for text, 3:1 for the edge of a control such as an
//! unticked checkbox), and scroll bars that take their own room instead of floating over
//! the text.

use egui::{Color32, Stroke, Theme, Visuals};

/// Puts the app's style into both themes of the context.
pub fn install(ctx: &egui::Context) {
    ctx.all_styles_mut(|style| {
        // A floating bar is drawn over the last few pixels of every row: it ran through
        // "Evidence" and hid the end of a hovered choice.
        style.spacing.scroll = egui::style::ScrollStyle::solid();
    });
    ctx.set_visuals_of(Theme::Light, light());
    ctx.set_visuals_of(Theme::Dark, dark());
}

/// egui's light theme, darkened where its text or controls were too faint.
#[must_use]
pub fn light() -> Visuals {
    let mut visuals = Visuals::light();
    // The unticked checkbox was a light grey square on a lighter grey panel (1.1:1).
    let edge = Stroke::new(1.0, Color32::from_gray(118));
    visuals.widgets.inactive.bg_stroke = edge;
    visuals.widgets.inactive.bg_fill = Color32::from_gray(250);
    visuals.widgets.hovered.bg_stroke = Stroke::new(1.0, Color32::from_gray(60));
    visuals.weak_text_color = Some(Color32::from_gray(96));
    visuals.hyperlink_color = Color32::from_rgb(0, 86, 179);
    visuals.warn_fg_color = Color32::from_rgb(150, 64, 0);
    visuals.error_fg_color = Color32::from_rgb(180, 0, 0);
    visuals
}

/// egui's dark theme, with controls whose edges show and weak text that can be read.
#[must_use]
pub fn dark() -> Visuals {
    let mut visuals = Visuals::dark();
    visuals.widgets.inactive.bg_stroke = Stroke::new(1.0, Color32::from_gray(125));
    visuals.weak_text_color = Some(Color32::from_gray(165));
    visuals.error_fg_color = Color32::from_rgb(255, 120, 120);
    visuals
}

/// The relative luminance of an sRGB colour, as WCAG 2 defines it.
#[must_use]
pub fn luminance(color: Color32) -> f64 {
    let channel = |value: u8| {
        let c = f64::from(value) / 255.0;
        if c <= 0.040_45 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * channel(color.r()) + 0.7152 * channel(color.g()) + 0.0722 * channel(color.b())
}

/// The WCAG 2 contrast ratio of two opaque colours, from 1 to 21.
#[must_use]
pub fn contrast(a: Color32, b: Color32) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    let (light, dark) = if la > lb { (la, lb) } else { (lb, la) };
    (light + 0.05) / (dark + 0.05)
}

/// Every pair of colours the window draws text or a control's edge with that falls
/// short of WCAG AA in `visuals`, named in words; empty when all pass.
#[must_use]
pub fn contrast_failures(visuals: &Visuals) -> Vec<String> {
    let mut failures = Vec::new();
    let mut check = |what: &str, fg: Color32, bg: Color32, needed: f64| {
        let ratio = contrast(fg, bg);
        if ratio < needed {
            failures.push(format!("{what}: {ratio:.2}:1, needs {needed}:1"));
        }
    };
    let grounds = [
        ("the panel", visuals.panel_fill),
        ("a dialog", visuals.window_fill),
        ("a text field", visuals.extreme_bg_color),
        (
            "a striped row",
            blend(visuals.faint_bg_color, visuals.panel_fill),
        ),
    ];
    for (ground, color) in grounds {
        check(
            &format!("text on {ground}"),
            visuals.text_color(),
            color,
            4.5,
        );
        check(
            &format!("weak text on {ground}"),
            visuals.weak_text_color(),
            color,
            4.5,
        );
        check(
            &format!("a link on {ground}"),
            visuals.hyperlink_color,
            color,
            4.5,
        );
        check(
            &format!("a warning on {ground}"),
            visuals.warn_fg_color,
            color,
            4.5,
        );
        check(
            &format!("an error on {ground}"),
            visuals.error_fg_color,
            color,
            4.5,
        );
    }
    let widgets = &visuals.widgets;
    for (state, widget) in [
        ("an inactive control", &widgets.inactive),
        ("a hovered control", &widgets.hovered),
        ("a pressed control", &widgets.active),
        ("an open control", &widgets.open),
    ] {
        check(
            &format!("the text of {state}"),
            widget.fg_stroke.color,
            widget.weak_bg_fill,
            4.5,
        );
        check(
            &format!("the text of {state} on the panel"),
            widget.fg_stroke.color,
            visuals.panel_fill,
            4.5,
        );
        // A checkbox or radio button is its edge (or fill) against the panel.
        let edge = if widget.bg_stroke.width > 0.0 {
            widget.bg_stroke.color
        } else {
            widget.bg_fill
        };
        check(
            &format!("the edge of {state}"),
            edge,
            visuals.panel_fill,
            3.0,
        );
    }
    check(
        "the text of a selected choice",
        visuals.selection.stroke.color,
        visuals.selection.bg_fill,
        4.5,
    );
    check(
        "the tick of a checkbox",
        widgets.inactive.fg_stroke.color,
        widgets.inactive.bg_fill,
        4.5,
    );
    failures
}

/// A colour with alpha laid over an opaque one.
fn blend(top: Color32, under: Color32) -> Color32 {
    let alpha = u16::from(top.a());
    // Colour32 is premultiplied: top's channels already carry its alpha.
    let mix = |t: u8, u: u8| {
        let value = u16::from(t) + u16::from(u) * (255 - alpha) / 255;
        u8::try_from(value.min(255)).unwrap_or(u8::MAX)
    };
    Color32::from_rgb(
        mix(top.r(), under.r()),
        mix(top.g(), under.g()),
        mix(top.b(), under.b()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contrast_is_measured_as_wcag_does() {
        assert!((contrast(Color32::BLACK, Color32::WHITE) - 21.0).abs() < 1e-9);
        assert!((contrast(Color32::WHITE, Color32::WHITE) - 1.0).abs() < 1e-9);
        // #767676 on white is the lightest grey that passes AA: 4.54:1.
        let ratio = contrast(Color32::from_gray(0x76), Color32::WHITE);
        assert!((ratio - 4.54).abs() < 0.01, "{ratio}");
    }

    #[test]
    fn egui_s_own_light_theme_fails_where_the_issue_said() {
        let failures = contrast_failures(&Visuals::light());
        assert!(
            failures
                .iter()
                .any(|failure| failure.starts_with("the edge of an inactive control")),
            "{failures:?}"
        );
    }
}
