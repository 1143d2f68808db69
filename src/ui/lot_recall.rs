//! Lot recall: type a lot, see every patient, plan and session that received it, with
//! dates; a click opens the plan. The lots are read off the UI thread; this screen
//! only filters what was read.

use std::fmt::Write as _;

use egui::{RichText, Ui};

use super::action::Action;
use super::widgets::date_text;
use crate::desk::lots::LotBook;
use crate::planning::LotMatch;
use crate::store::PlanId;

/// What the lot recall screen keeps between frames.
#[derive(Debug, Clone, Default)]
pub struct LotRecallState {
    /// The lot typed.
    pub query: String,
    /// The query the matches were found for, and the matches.
    found: Option<(String, Vec<LotMatch>)>,
}

/// Where the lots stand.
pub enum LotsShown<'a> {
    /// Being read.
    Reading,
    /// Read.
    Ready(&'a LotBook),
    /// Could not be read, with why.
    Failed(&'a str),
}

/// The lot recall screen.
pub fn lot_recall_ui(
    ui: &mut Ui,
    state: &mut LotRecallState,
    lots: &LotsShown<'_>,
    fresh: bool,
) -> Option<Action> {
    let mut action = None;
    ui.heading("Lot recall");
    ui.label("Type the lot number of a kit, device or product to see every patient, plan and session that received it.");
    ui.horizontal(|ui| {
        let label = ui.label("Lot number");
        let field = ui
            .add(egui::TextEdit::singleline(&mut state.query).desired_width(220.0))
            .labelled_by(label.id);
        // The screen is for typing a lot: the field has the keyboard unless another
        // field took it.
        if fresh || (state.query.is_empty() && ui.memory(|memory| memory.focused().is_none())) {
            field.request_focus();
        }
    });
    let book = match lots {
        LotsShown::Reading => {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label("Reading the lots recorded in every plan…");
            });
            return None;
        }
        LotsShown::Failed(message) => {
            ui.colored_label(ui.visuals().error_fg_color, *message);
            return None;
        }
        LotsShown::Ready(book) => *book,
    };
    for problem in book.problems() {
        ui.colored_label(ui.visuals().warn_fg_color, problem);
    }
    let query = state.query.trim().to_owned();
    if state
        .found
        .as_ref()
        .is_none_or(|(known, _)| *known != query)
    {
        state.found = Some((query.clone(), book.find(&query)));
    }
    let Some((_, found)) = &state.found else {
        return None;
    };
    if query.is_empty() {
        ui.weak(format!("{} plans have a recorded lot.", book.plan_count()));
        return None;
    }
    if found.is_empty() {
        ui.label(format!("No session received lot {query}."));
        return None;
    }
    let patients: std::collections::BTreeSet<&str> =
        found.iter().map(|found| found.patient.as_str()).collect();
    ui.label(
        RichText::new(format!(
            "Lot {query}: {} session{} of {} patient{}",
            found.len(),
            if found.len() == 1 { "" } else { "s" },
            patients.len(),
            if patients.len() == 1 { "" } else { "s" }
        ))
        .strong(),
    );
    egui::ScrollArea::vertical().show_rows(
        ui,
        ui.spacing().interact_size.y + 4.0,
        found.len(),
        |ui, rows| {
            for row in &found[rows] {
                if let Some(open) = match_row_ui(ui, row) {
                    action = Some(open);
                }
            }
        },
    );
    action
}

/// One session that received the lot, with a button that opens its plan.
fn match_row_ui(ui: &mut Ui, row: &LotMatch) -> Option<Action> {
    let mut action = None;
    ui.horizontal(|ui| {
        let mut text = format!(
            "{}: session {} on {}, {} ({}, lot {})",
            row.patient_name,
            row.session,
            date_text(row.performed),
            row.material,
            row.kind.label().to_lowercase(),
            row.lot
        );
        if let Some(expiry) = row.expiry {
            let _ = write!(text, ", expires {expiry}");
        }
        ui.label(text);
        let open = ui.small_button("Open plan");
        open.widget_info(|| {
            egui::WidgetInfo::labeled(
                egui::Role::Button,
                true,
                format!(
                    "Open the plan of {} (session {} on {})",
                    row.patient_name, row.session, row.performed
                ),
            )
        });
        if open.clicked()
            && let Ok(id) = row.plan.parse::<PlanId>()
        {
            action = Some(Action::OpenPlan(id));
        }
    });
    action
}
