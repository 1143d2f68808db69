//! The lots the window knows, for lot recall and for the suggestions of the record
//! form: made from the index when first needed (each plan's summary keeps its lots, so
//! no plan is read), and made again whenever the index changes.

use super::{App, IndexState};
use crate::desk::lots::{LotBook, LotBookEntry};
use crate::planning::{LotSuggestion, RecallSource};
use crate::store::{PlanId, PlanRecord};
use crate::ui::action::Action;
use crate::ui::lot_recall::{LotRecallState, LotsShown, lot_recall_ui};

/// The lots, made or not, or why not.
#[derive(Default)]
pub(super) struct LotsState {
    pub(super) book: Option<LotBook>,
    pub(super) failed: Option<String>,
}

impl App {
    /// Makes the book of lots from the index, unless it is made: each plan's summary
    /// keeps its lots, so nothing is read from disk. Waits for the index.
    pub(super) fn ask_for_lots(&mut self, _ctx: &egui::Context) {
        if self.lots.book.is_some() {
            return;
        }
        let IndexState::Ready(index) = &self.index else {
            return;
        };
        self.lots.book = Some(LotBook::from_summaries(&index.plans));
        self.lots.failed = None;
    }

    /// The index changed (loaded again, or a save's summary put in): a book already
    /// made is made again from it, so that a plan saved at another desk is found too.
    pub(super) fn lots_follow_index(&mut self) {
        if self.lots.book.is_none() {
            return;
        }
        if let IndexState::Ready(index) = &self.index {
            self.lots.book = Some(LotBook::from_summaries(&index.plans));
        }
    }

    /// An open record form wants the lots already used, so they are made then.
    pub(super) fn poll_lots(&mut self, ctx: &egui::Context) {
        if self
            .open_plan
            .as_ref()
            .is_some_and(|open| open.view.treatment.form.is_some())
        {
            self.ask_for_lots(ctx);
        }
    }

    /// A saved plan's lots replace what the book held of it.
    pub(super) fn lots_saved(&mut self, id: &PlanId, record: &PlanRecord) {
        // The patient's name is the open plan's; a plan saved while another is open
        // keeps the name the book read.
        let patient_name = self
            .open_plan
            .as_ref()
            .filter(|open| &open.id == id)
            .map(|open| open.patient_name.clone())
            .unwrap_or_default();
        if let Some(book) = &mut self.lots.book {
            book.put(
                &LotBookEntry {
                    plan: id.clone(),
                    patient: record.patient.to_string(),
                    patient_name,
                },
                record,
            );
        }
    }
}

/// The lots already used that begin with `typed`: those of the book, with the open
/// plan's records as they are now.
pub(super) fn suggestions(
    book: Option<&LotBook>,
    open: RecallSource<'_>,
    typed: &str,
) -> Vec<LotSuggestion> {
    match book {
        Some(book) => book.suggest(typed, Some(open), 8),
        None => crate::planning::lot_suggestions(typed, [open], 8),
    }
}

/// The lot recall screen, with the lots as they stand.
pub(super) fn lot_recall_panel(
    ui: &mut egui::Ui,
    lots: &LotsState,
    state: &mut LotRecallState,
    fresh: bool,
) -> Option<Action> {
    let shown = match (&lots.book, &lots.failed) {
        (Some(book), _) => LotsShown::Ready(book),
        (None, Some(failed)) => LotsShown::Failed(failed),
        (None, None) => LotsShown::Reading,
    };
    lot_recall_ui(ui, state, &shown, fresh)
}
