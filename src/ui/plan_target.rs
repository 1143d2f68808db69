//! The item a plan was opened at from the agenda: its line on the plan screen is
//! highlighted, and scrolled into view on the first frame it is drawn.

use egui::{Align, Response, Ui};

use crate::planning::agenda::ItemPlace;

/// The line the plan screen was asked to show, and whether it is still to be scrolled
/// to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlanTarget {
    /// The item, while it is highlighted.
    place: Option<ItemPlace>,
    /// The line is scrolled into view the next time it is drawn.
    scroll: bool,
}

/// The place behind a line, reserved before the line is drawn, where its highlight
/// goes.
#[derive(Debug, Clone, Copy)]
pub struct Spot(egui::layers::ShapeIdx);

impl PlanTarget {
    /// Shows `place` (highlighted, scrolled into view at the next frame), or nothing.
    pub fn set(&mut self, place: Option<ItemPlace>) {
        self.scroll = place.is_some();
        self.place = place;
    }

    /// The item highlighted, if any.
    #[must_use]
    pub fn place(&self) -> Option<&ItemPlace> {
        self.place.as_ref()
    }

    /// The end of a frame of the plan screen: a line that was not drawn in it (a
    /// session or task no longer on the plan) is not scrolled to later, when the
    /// physician has scrolled elsewhere.
    pub fn frame_done(&mut self) {
        self.scroll = false;
    }

    /// Reserves the place behind the line drawn next, for [`PlanTarget::mark`].
    #[must_use]
    pub fn spot(ui: &Ui) -> Spot {
        Spot(ui.painter().add(egui::Shape::Noop))
    }

    /// After the line of `place` was drawn (`line`, with its `spot` reserved before):
    /// highlights it when it is the target, and scrolls it into the middle of the view
    /// the first time.
    pub fn mark(&mut self, ui: &Ui, spot: Spot, place: &ItemPlace, line: &Response) {
        if self.place.as_ref() != Some(place) {
            return;
        }
        let visuals = ui.visuals();
        let fill = visuals.selection.bg_fill.gamma_multiply(0.3);
        let stroke = egui::Stroke::new(1.5, visuals.selection.stroke.color);
        ui.painter().set(
            spot.0,
            egui::epaint::RectShape::new(
                line.rect.expand2(egui::vec2(4.0, 2.0)),
                4.0,
                fill,
                stroke,
                egui::StrokeKind::Outside,
            ),
        );
        if self.scroll {
            self.scroll = false;
            // A jump, not an animation: the plan was just opened at this line.
            line.scroll_to_me_animation(Some(Align::Center), egui::style::ScrollAnimation::none());
        }
    }

    /// Draws the line of `place` with `add`, marked ([`PlanTarget::mark`]).
    pub fn line_ui<R>(
        &mut self,
        ui: &mut Ui,
        place: &ItemPlace,
        add: impl FnOnce(&mut Ui) -> R,
    ) -> R {
        let spot = Self::spot(ui);
        let inner = ui.scope(add);
        self.mark(ui, spot, place, &inner.response);
        inner.inner
    }
}
