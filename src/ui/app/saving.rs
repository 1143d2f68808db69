//! The open plan and its way to the disk: edits are handed to the worker one save at a
//! time, and its outcomes (saved, refused as a conflict, failed) come back here. What
//! must wait for the saves to land (opening another plan, an export, closing the
//! window) is queued as an [`AfterSave`] and done, or refused with the reason, once
//! they have: nothing waits on the UI thread.

use std::collections::BTreeMap;

use egui::Ui;

use super::{App, Reading, Screen, today};
use crate::desk::ExportOrder;
use crate::desk::worker::{ExportDesk, ExportProblem, Job, start_export};
use crate::store::{PlanId, PlanRecord, Revision, RevisionInfo, StoreError, Summary};
use crate::ui::plan_view::{PlanViewState, SaveState};

/// The plan being read and edited, with how it stands on disk.
pub(super) struct OpenPlan {
    pub(super) id: PlanId,
    pub(super) record: PlanRecord,
    pub(super) patient_name: String,
    pub(super) saved: Revision<()>,
    /// Edits not yet handed to the worker.
    pub(super) dirty: bool,
    /// A save is on its way.
    pub(super) in_flight: bool,
    /// The last save failed; no automatic retry until the physician asks.
    pub(super) failure: Option<String>,
    /// Another desk saved first.
    pub(super) conflict: Option<String>,
    /// Every saved revision, oldest first.
    pub(super) history: Vec<RevisionInfo>,
    /// What each revision changed, in words, by revision number (read on the worker).
    pub(super) changes: BTreeMap<u32, Vec<String>>,
    pub(super) view: PlanViewState,
    /// A newer revision saved at another desk since this one was read (its number,
    /// when and by whom): the plan screen says so and offers to reload.
    pub(super) elsewhere: Option<Revision<()>>,
}

/// Where the open plan's edits are: all on the disk, on their way, or stuck (a failed
/// save or a conflict) until the physician acts.
pub(super) enum Landing {
    Landed,
    OnItsWay,
    Stuck(String),
}

/// Something that waits for the open plan's saves to land.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum AfterSave {
    /// Open another plan.
    Open(PlanId),
    /// Export the plan as saved into a folder.
    Export(ExportOrder),
    /// Close the window.
    Close,
}

impl OpenPlan {
    /// A plan as it was just read or created.
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
            changes: BTreeMap::new(),
            view: PlanViewState::new(today()),
            elsewhere: None,
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

    pub(super) fn landing(&self) -> Landing {
        if !self.dirty && !self.in_flight {
            Landing::Landed
        } else if self.in_flight {
            Landing::OnItsWay
        } else if let Some(problem) = self.conflict.as_ref().or(self.failure.as_ref()) {
            Landing::Stuck(problem.clone())
        } else {
            Landing::OnItsWay
        }
    }
}

impl App {
    /// Hands the open plan's edits to the worker, unless a save is on its way (the next
    /// one goes when it returns) or the last one failed.
    pub(super) fn send_pending_save(&mut self) {
        let author = self.author();
        let Some(open) = &mut self.open_plan else {
            return;
        };
        if !open.dirty || open.in_flight || open.failure.is_some() || open.conflict.is_some() {
            return;
        }
        let Some(worker) = &mut self.worker else {
            open.failure =
                Some("the saving thread is not running; restart the app to save".to_owned());
            return;
        };
        let job = Job::SavePlan {
            id: open.id.clone(),
            base_revision: open.saved.number,
            record: Box::new(open.record.clone()),
            author,
        };
        if worker.send(job) {
            open.dirty = false;
            open.in_flight = true;
        } else {
            open.failure = Some("the saving thread stopped; restart the app to save".to_owned());
        }
    }

    /// Queues `then` until the open plan's saves have landed, and does it at once when
    /// they have.
    pub(super) fn after_save(&mut self, then: AfterSave, ctx: &egui::Context) {
        if !self.after_save.contains(&then) {
            self.after_save.push(then);
        }
        self.send_pending_save();
        self.settle_after_save(ctx);
    }

    /// Does what waits for the saves once they have landed, or refuses it with the
    /// reason once they are stuck; while they are on their way, nothing happens.
    pub(super) fn settle_after_save(&mut self, ctx: &egui::Context) {
        if self.after_save.is_empty() {
            return;
        }
        let landing = self
            .open_plan
            .as_ref()
            .map_or(Landing::Landed, OpenPlan::landing);
        match landing {
            Landing::OnItsWay => {}
            Landing::Landed => {
                for then in std::mem::take(&mut self.after_save) {
                    self.run_after_save(then, ctx);
                }
            }
            Landing::Stuck(problem) => {
                for then in std::mem::take(&mut self.after_save) {
                    self.refuse_after_save(&then, &problem);
                }
            }
        }
    }

    fn run_after_save(&mut self, then: AfterSave, ctx: &egui::Context) {
        match then {
            AfterSave::Open(id) => self.start_opening(id),
            AfterSave::Export(order) => self.start_export(order, ctx),
            AfterSave::Close => {
                self.allowed_to_close = true;
                ctx.send_viewport_cmd(egui::ViewportCommand::Close);
            }
        }
    }

    fn refuse_after_save(&mut self, then: &AfterSave, problem: &str) {
        match then {
            AfterSave::Open(_) => {
                self.messages.push(format!(
                    "The open plan keeps its unsaved changes and stays open: {problem}"
                ));
                self.screen = Screen::Plan;
            }
            AfterSave::Export(_) => {
                if let Some(dialog) = &mut self.export_dialog {
                    dialog.waiting_for_save = false;
                    dialog.outcome = Some(Err(ExportProblem::Failed(format!(
                        "Save the plan first: {problem}"
                    ))));
                }
            }
            AfterSave::Close => {
                self.discard_typing = false;
                self.messages.push(format!(
                    "The window stays open so nothing is lost: {problem}"
                ));
            }
        }
    }

    /// Keeps what was typed on a plan that is being closed, for when it opens again.
    pub(super) fn park_view(&mut self, open: &OpenPlan) {
        if !open.view.unsaved_text(&open.patient_name).is_empty() {
            let mut view = open.view.clone();
            view.photos.release_textures();
            self.parked_views
                .insert(open.id.clone(), (open.patient_name.clone(), view));
        }
    }

    /// Reads a plan on the worker: its newest revision, then its history.
    pub(super) fn start_opening(&mut self, id: PlanId) {
        let Some(worker) = &mut self.worker else {
            self.show(Screen::OpeningPlan {
                id,
                failed: Some(
                    "the thread that reads plans is not running; restart the app".to_owned(),
                ),
            });
            return;
        };
        worker.send(Job::OpenPlan(id.clone()));
        worker.send(Job::ReadHistory(id.clone()));
        worker.send(Job::ReadChanges(id.clone()));
        self.show(Screen::OpeningPlan {
            id: id.clone(),
            failed: None,
        });
        self.opening = Some(id);
    }

    /// Makes and writes the exports of the open plan as saved, on a thread of its own.
    fn start_export(&mut self, order: ExportOrder, ctx: &egui::Context) {
        let Some(dialog) = &mut self.export_dialog else {
            return;
        };
        dialog.waiting_for_save = false;
        let Ok(store) = &self.store else { return };
        let wake = {
            let ctx = ctx.clone();
            move || ctx.request_repaint()
        };
        match start_export(
            store.clone(),
            ExportDesk {
                dirs: self.dirs.clone(),
                settings: self.settings.clone(),
                scales: self.catalog.scales().clone(),
            },
            dialog.plan.clone(),
            order,
            today(),
            wake,
        ) {
            Ok(receiver) => {
                dialog.outcome = None;
                dialog.running = Some(receiver);
            }
            Err(error) => {
                dialog.outcome = Some(Err(ExportProblem::Failed(format!(
                    "could not start the export: {error}"
                ))));
            }
        }
    }

    /// A plan revision was saved: the open plan (if it is that one) stands on it, and
    /// the lists show it.
    pub(super) fn saved(
        &mut self,
        id: &PlanId,
        revision: &Revision<PlanRecord>,
        summary: Summary,
        history: Vec<RevisionInfo>,
    ) {
        if let Some(open) = self.open_plan.as_mut().filter(|open| &open.id == id) {
            open.in_flight = false;
            open.history = history;
            // A revision saved here on top of the other desk's has taken it in.
            open.elsewhere
                .take_if(|elsewhere| elsewhere.number < revision.number);
            open.saved = Revision {
                number: revision.number,
                saved_at: revision.saved_at,
                saved_by: revision.saved_by.clone(),
                value: (),
            };
        }
        self.remember(vec![summary]);
        self.read_changes(id);
    }

    /// Asks the worker what each revision of the plan changed, for its history.
    pub(super) fn read_changes(&mut self, id: &PlanId) {
        if let Some(worker) = &mut self.worker {
            worker.send(Job::ReadChanges(id.clone()));
        }
    }

    /// After Ctrl+S: once every edit of the open plan is on the disk, says which
    /// revision holds them.
    pub(super) fn confirm_save_if_asked(&mut self, ctx: &egui::Context) {
        let Some(open) = &self.open_plan else {
            self.save_to_confirm = None;
            return;
        };
        if self.save_to_confirm.as_ref() == Some(&open.id) && !open.dirty && !open.in_flight {
            self.save_to_confirm = None;
            let text = format!("Saved revision {}", open.saved.number);
            self.confirm(ctx, text);
        }
    }

    /// A save failed: the edits stay, marked as not saved, with why.
    pub(super) fn save_failed(&mut self, id: &PlanId, error: &StoreError) {
        self.save_to_confirm = None;
        let message = error.to_string();
        if let Some(open) = self.open_plan.as_mut().filter(|open| &open.id == id) {
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

    /// What was typed and not added or saved, which closing the window would lose, one
    /// sentence each.
    pub(super) fn unsaved_typing(&self) -> Vec<String> {
        let mut unsaved = Vec::new();
        if let Some(open) = &self.open_plan {
            unsaved.extend(open.view.unsaved_text(&open.patient_name));
        }
        for (patient, view) in self.parked_views.values() {
            unsaved.extend(view.unsaved_text(patient));
        }
        if let Screen::NewPlan(draft) = &self.screen
            && draft.has_work()
        {
            unsaved.push("the new plan being made (not created yet)".to_owned());
        }
        if let Screen::Patient {
            record: Reading::Ready(patient),
            edit: Some(edit),
            ..
        } = &self.screen
            && edit.has_changes()
        {
            unsaved.push(format!(
                "the changes to the details of {} (not saved yet)",
                patient.value.name
            ));
        }
        for edit in self.parked_patient_edits.values() {
            if edit.has_changes() {
                unsaved.push(format!(
                    "the changes to the details of {} (not saved yet)",
                    edit.original_name()
                ));
            }
        }
        if self.parked_draft.is_some() {
            unsaved.push("the new plan being made (not created yet; Ctrl+N shows it)".to_owned());
        }
        if self
            .settings_dialog
            .as_ref()
            .is_some_and(|dialog| dialog.has_changes(&self.settings))
        {
            unsaved.push("the changes to the settings (not saved yet)".to_owned());
        }
        unsaved
    }

    /// A close of the window: text typed and not added or saved is asked about first;
    /// then it closes at once when everything is saved; otherwise it stays open until
    /// the saves land (then closes), or for good when they cannot.
    pub(super) fn handle_close(&mut self, ui: &mut Ui) {
        if !ui.input(|input| input.viewport().close_requested()) || self.allowed_to_close {
            return;
        }
        if !self.discard_typing {
            let unsaved = self.unsaved_typing();
            if !unsaved.is_empty() {
                ui.send_viewport_cmd(egui::ViewportCommand::CancelClose);
                self.close_confirm = Some(unsaved);
                return;
            }
        }
        self.send_pending_save();
        let landing = self
            .open_plan
            .as_ref()
            .map_or(Landing::Landed, OpenPlan::landing);
        match landing {
            Landing::Landed => self.allowed_to_close = true,
            Landing::OnItsWay => {
                ui.send_viewport_cmd(egui::ViewportCommand::CancelClose);
                if !self.after_save.contains(&AfterSave::Close) {
                    self.after_save.push(AfterSave::Close);
                }
            }
            Landing::Stuck(problem) => {
                ui.send_viewport_cmd(egui::ViewportCommand::CancelClose);
                self.discard_typing = false;
                self.messages.push(format!(
                    "The window stays open so nothing is lost: {problem}"
                ));
            }
        }
    }
}
