//! The open plan and its way to the disk: edits are handed to the writer thread one
//! save at a time, and its results (saved, refused as a conflict, failed) come back here.

use std::time::Duration;

use egui::Ui;

use super::{App, Screen, today};
use crate::store::{PlanId, PlanRecord, Revision, RevisionInfo, StoreError};
use crate::ui::background::{WriteJob, WriteResult, Writer};
use crate::ui::plan_view::{PlanViewState, SaveState};

/// The plan being read and edited, with how it stands on disk.
pub(super) struct OpenPlan {
    pub(super) id: PlanId,
    pub(super) record: PlanRecord,
    pub(super) patient_name: String,
    pub(super) saved: Revision<()>,
    /// Edits not yet handed to the writer.
    pub(super) dirty: bool,
    /// A save is running.
    pub(super) in_flight: bool,
    /// The last save failed; no automatic retry until the physician asks.
    pub(super) failure: Option<String>,
    /// Another desk saved first.
    pub(super) conflict: Option<String>,
    /// Every saved revision, oldest first.
    pub(super) history: Vec<RevisionInfo>,
    pub(super) view: PlanViewState,
}

impl OpenPlan {
    /// A plan as it was just loaded or saved.
    pub(super) fn new(
        id: PlanId,
        revision: Revision<PlanRecord>,
        patient_name: String,
        history: Vec<RevisionInfo>,
    ) -> Self {
        Self {
            id,
            patient_name,
            saved: Revision {
                number: revision.number,
                saved_at: revision.saved_at,
                saved_by: revision.saved_by,
                value: (),
            },
            record: revision.value,
            dirty: false,
            in_flight: false,
            failure: None,
            conflict: None,
            history,
            view: PlanViewState::new(today()),
        }
    }

    pub(super) fn save_state(&self) -> SaveState {
        if let Some(conflict) = &self.conflict {
            SaveState::Conflict(conflict.clone())
        } else if let Some(failure) = &self.failure {
            SaveState::Failed(failure.clone())
        } else if self.dirty || self.in_flight {
            SaveState::Saving
        } else {
            SaveState::Saved {
                revision: self.saved.number,
                saved_at: self.saved.saved_at,
                saved_by: self.saved.saved_by.clone(),
            }
        }
    }
}

impl App {
    /// Writes every pending change now and waits for it: what closing the window does.
    ///
    /// # Errors
    /// The first save that failed, as a sentence; the edits stay in memory.
    pub fn flush_saves(&mut self) -> Result<(), String> {
        self.send_pending_save();
        if let Some(writer) = &mut self.writer {
            let results = writer.wait(Duration::from_secs(30));
            self.apply_write_results(results);
        }
        self.send_pending_save();
        if let Some(writer) = &mut self.writer {
            let results = writer.wait(Duration::from_secs(30));
            self.apply_write_results(results);
        }
        match &self.open_plan {
            Some(open) if open.dirty || open.in_flight => Err(open
                .conflict
                .clone()
                .or_else(|| open.failure.clone())
                .unwrap_or_else(|| "the last changes are still being saved".to_owned())),
            _ => Ok(()),
        }
    }

    pub(super) fn send_pending_save(&mut self) {
        let author = self.author();
        let Some(open) = &mut self.open_plan else {
            return;
        };
        if !open.dirty || open.in_flight || open.failure.is_some() || open.conflict.is_some() {
            return;
        }
        let Some(writer) = &mut self.writer else {
            open.failure =
                Some("the saving thread is not running; restart the app to save".to_owned());
            return;
        };
        let job = WriteJob::SavePlan {
            id: open.id.clone(),
            base_revision: open.saved.number,
            record: Box::new(open.record.clone()),
            author,
        };
        if writer.send(job) {
            open.dirty = false;
            open.in_flight = true;
        } else {
            open.failure = Some("the saving thread stopped; restart the app to save".to_owned());
        }
    }

    pub(super) fn poll_writes(&mut self) {
        let results = self.writer.as_mut().map(Writer::poll).unwrap_or_default();
        if results.is_empty() {
            return;
        }
        self.apply_write_results(results);
        // An edit made while the previous save was on its way waits for it; now it goes.
        self.send_pending_save();
    }

    pub(super) fn apply_write_results(&mut self, results: Vec<WriteResult>) {
        for result in results {
            match result {
                WriteResult::Created {
                    patient_revision,
                    summaries,
                    plan,
                    revision,
                    screening_problem,
                    history,
                } => {
                    if let Some(problem) = screening_problem {
                        self.messages.push(format!("The plan is saved, but the patient's screening was not updated: {problem}"));
                    }
                    self.remember(summaries);
                    self.open_plan = Some(OpenPlan::new(
                        plan,
                        *revision,
                        patient_revision.value.name.clone(),
                        history,
                    ));
                    self.screen = Screen::Plan;
                }
                WriteResult::History { id, history } => {
                    if let Some(open) = self.open_plan.as_mut().filter(|open| open.id == id) {
                        open.history = history;
                    }
                }
                WriteResult::CreateFailed(message) => self
                    .messages
                    .push(format!("The plan was not created: {message}")),
                WriteResult::Saved {
                    id,
                    revision,
                    summary,
                    history,
                } => {
                    if let Some(open) = self.open_plan.as_mut().filter(|open| open.id == id) {
                        open.in_flight = false;
                        open.history = history;
                        open.saved = Revision {
                            number: revision.number,
                            saved_at: revision.saved_at,
                            saved_by: revision.saved_by.clone(),
                            value: (),
                        };
                    }
                    self.remember(vec![summary]);
                }
                WriteResult::SaveFailed { id, error } => {
                    let message = error.to_string();
                    if let Some(open) = self.open_plan.as_mut().filter(|open| open.id == id) {
                        open.in_flight = false;
                        open.dirty = true;
                        if matches!(error, StoreError::Conflict { .. }) {
                            open.conflict = Some(message.clone());
                        } else {
                            open.failure = Some(message.clone());
                        }
                    }
                    self.messages.push(message);
                }
            }
        }
    }

    pub(super) fn handle_close(&mut self, ui: &mut Ui) {
        if !ui.input(|input| input.viewport().close_requested()) || self.allowed_to_close {
            return;
        }
        match self.flush_saves() {
            Ok(()) => self.allowed_to_close = true,
            Err(message) => {
                ui.send_viewport_cmd(egui::ViewportCommand::CancelClose);
                self.messages.push(format!(
                    "The window stays open so nothing is lost: {message}"
                ));
            }
        }
    }
}
