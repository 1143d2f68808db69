//! The lots the window knows, for lot recall and for the suggestions of the record
//! form: read once, when first needed, on a thread of their own (reading every plan can
//! take a while and must not hold up opening or saving one), and kept up to date with
//! the plans saved since.

use std::sync::mpsc::{Receiver, channel};

use super::{App, IndexState};
use crate::desk::lots::{LotBook, LotBookEntry, read_lot_book};
use crate::planning::{LotSuggestion, RecallSource};
use crate::store::{PlanId, PlanRecord};
use crate::ui::action::Action;
use crate::ui::lot_recall::{LotRecallState, LotsShown, lot_recall_ui};

/// The lots, being read, read, or why not.
#[derive(Default)]
pub(super) struct LotsState {
    pub(super) book: Option<LotBook>,
    reading: Option<Receiver<LotBook>>,
    pub(super) failed: Option<String>,
}

impl App {
    /// Starts reading the lots of every plan in the list, unless they are read or being
    /// read. Waits for the list: a plan not in it yet is added when it is saved.
    pub(super) fn ask_for_lots(&mut self, ctx: &egui::Context) {
        if self.lots.book.is_some() || self.lots.reading.is_some() {
            return;
        }
        let IndexState::Ready(index) = &self.index else {
            return;
        };
        let Ok(store) = &self.store else {
            self.lots.failed = Some("there is no data folder to search".to_owned());
            return;
        };
        let entries: Vec<LotBookEntry> = index
            .plans
            .iter()
            .map(|plan| LotBookEntry {
                plan: plan.id.clone(),
                patient: plan.patient.to_string(),
                patient_name: plan.patient_name.clone(),
            })
            .collect();
        let store = store.clone();
        let wake = {
            let ctx = ctx.clone();
            move || ctx.request_repaint()
        };
        let (sender, receiver) = channel();
        let started = std::thread::Builder::new()
            .name("read-lots".into())
            .spawn(move || {
                let _ = sender.send(read_lot_book(&store, &entries));
                wake();
            });
        match started {
            Ok(_) => self.lots.reading = Some(receiver),
            Err(error) => {
                self.lots.failed = Some(format!("could not start reading the lots: {error}"));
            }
        }
    }

    /// Takes the lots once they are read; never waits. An open record form wants the
    /// lots already used, so they are asked for then.
    pub(super) fn poll_lots(&mut self, ctx: &egui::Context) {
        if self
            .open_plan
            .as_ref()
            .is_some_and(|open| open.view.treatment.form.is_some())
        {
            self.ask_for_lots(ctx);
        }
        let Some(receiver) = &self.lots.reading else {
            return;
        };
        match receiver.try_recv() {
            Ok(book) => {
                self.lots.book = Some(book);
                self.lots.reading = None;
            }
            Err(std::sync::mpsc::TryRecvError::Empty) => {}
            Err(std::sync::mpsc::TryRecvError::Disconnected) => {
                self.lots.reading = None;
                self.lots.failed =
                    Some("reading the lots stopped; open this screen again".to_owned());
            }
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
