//! What the worker reports back, taken once per frame without waiting: a plan or a
//! patient read, a plan created or saved, the settings written.

use super::{App, Reading, Screen, apply_theme};
use crate::desk::worker::Outcome;
use crate::store::{Patient, PatientId, PlanId, PlanRecord, Revision};

use super::saving::OpenPlan;

impl App {
    /// Applies the outcomes that arrived since the last frame; an edit made while a
    /// save was on its way goes to the disk once that save is back.
    pub(super) fn poll_worker(&mut self, ctx: &egui::Context) {
        let outcomes = self
            .worker
            .as_mut()
            .map(crate::desk::worker::Worker::poll)
            .unwrap_or_default();
        if outcomes.is_empty() {
            return;
        }
        for outcome in outcomes {
            self.apply_outcome(outcome, ctx);
        }
        self.send_pending_save();
    }

    fn apply_outcome(&mut self, outcome: Outcome, ctx: &egui::Context) {
        match outcome {
            Outcome::Opened {
                id,
                revision,
                patient_name,
            } => {
                if self.opening.as_ref() != Some(&id) {
                    return;
                }
                self.opening = None;
                if let Some(old) = self.open_plan.take() {
                    self.park_view(&old);
                }
                let mut open = OpenPlan::new(id.clone(), *revision, patient_name, Vec::new());
                if let Some((_, view)) = self.parked_views.remove(&id) {
                    open.view = view;
                }
                self.open_plan = Some(open);
                if matches!(&self.screen, Screen::OpeningPlan { id: opening, .. } if *opening == id)
                {
                    self.screen = Screen::Plan;
                }
            }
            Outcome::OpenFailed { id, message } => {
                if self.opening.as_ref() != Some(&id) {
                    return;
                }
                self.opening = None;
                if let Screen::OpeningPlan {
                    id: opening,
                    failed,
                } = &mut self.screen
                    && *opening == id
                {
                    *failed = Some(message.clone());
                }
                self.messages.push(message);
            }
            Outcome::History { id, history } => {
                if let Some(open) = self.open_plan.as_mut().filter(|open| open.id == id) {
                    open.history = history;
                }
            }
            Outcome::Changes { id, changes } => self.changes_read(&id, changes),
            Outcome::Patient { id, result } => self.patient_read(&id, result),
            Outcome::Created {
                patient_revision,
                summaries,
                plan,
                revision,
                screening_problem,
                history,
            } => self.plan_created(
                *patient_revision,
                summaries,
                plan,
                *revision,
                screening_problem,
                history,
            ),
            Outcome::CreateFailed(message) => self
                .messages
                .push(format!("The plan was not created: {message}")),
            Outcome::Saved {
                id,
                revision,
                summary,
                history,
            } => {
                self.lots_saved(&id, &revision.value);
                self.saved(&id, &revision, summary, history);
                self.confirm_save_if_asked(ctx);
            }
            Outcome::SaveFailed { id, error } => self.save_failed(&id, &error),
            Outcome::PatientSaved {
                id,
                revision,
                summary,
            } => self.patient_saved(&id, *revision, summary, ctx),
            Outcome::PatientSaveFailed {
                id,
                message,
                is_conflict,
            } => self.patient_save_failed(&id, message, is_conflict),
            Outcome::Changed { summary, plan } => self.changed_elsewhere(summary, plan),
            Outcome::ChangeUnread(message) => super::connection::change_unread(&message),
            Outcome::SettingsSaved(settings) => {
                apply_theme(ctx, settings.theme);
                self.settings = *settings;
                self.settings_dialog = None;
            }
            Outcome::SettingsFailed(message) => {
                if let Some(dialog) = &mut self.settings_dialog {
                    dialog.saving = false;
                }
                self.messages.push(message);
            }
        }
    }

    /// A plan (and perhaps its patient) was created: it opens.
    fn plan_created(
        &mut self,
        patient_revision: Revision<Patient>,
        summaries: Vec<crate::store::Summary>,
        plan: PlanId,
        revision: Revision<PlanRecord>,
        screening_problem: Option<String>,
        history: Vec<crate::store::RevisionInfo>,
    ) {
        if let Some(problem) = screening_problem {
            self.messages.push(format!(
                "The plan is saved, but the patient's screening was not updated: {problem}"
            ));
        }
        self.remember(summaries);
        if let Some(old) = self.open_plan.take() {
            self.park_view(&old);
        }
        self.read_changes(&plan);
        self.open_plan = Some(OpenPlan::new(
            plan,
            revision,
            patient_revision.value.name,
            history,
        ));
        // The draft became this plan: it is not kept.
        self.parked_draft = None;
        self.draft_question = None;
        self.screen = Screen::Plan;
    }

    /// What each revision of a plan changed arrived: for its history, if it is open.
    fn changes_read(&mut self, id: &PlanId, changes: std::collections::BTreeMap<u32, Vec<String>>) {
        if let Some(open) = self.open_plan.as_mut().filter(|open| &open.id == id) {
            open.changes = changes;
        }
    }

    /// A patient's record arrived: for the patient screen, and for a new plan's
    /// screening taken over from the one on file.
    fn patient_read(&mut self, id: &PatientId, result: Result<Box<Revision<Patient>>, String>) {
        match &mut self.screen {
            Screen::Patient {
                id: showing,
                record,
                edit,
            } if showing == id && matches!(record, Reading::Loading) => {
                *record = match result {
                    Ok(revision) => Reading::Ready(revision),
                    Err(message) => Reading::Failed(message),
                };
                // What was typed on this patient's details before is shown again.
                if let Some(parked) = self.parked_patient_edits.remove(id) {
                    *edit = Some(parked);
                }
            }
            Screen::NewPlan(draft) => {
                draft.take_over_screening(id, result.as_ref().map(|revision| &revision.value));
            }
            _ => {}
        }
    }

    /// A patient's details were saved: their screen shows the new revision, the lists
    /// and the open plan their name.
    fn patient_saved(
        &mut self,
        id: &PatientId,
        revision: Revision<Patient>,
        summary: crate::store::Summary,
        ctx: &egui::Context,
    ) {
        self.parked_patient_edits.remove(id);
        if let Some(open) = self
            .open_plan
            .as_mut()
            .filter(|open| &open.record.patient == id)
        {
            open.patient_name.clone_from(&revision.value.name);
        }
        let number = revision.number;
        if let Screen::Patient {
            id: showing,
            record,
            edit,
        } = &mut self.screen
            && showing == id
        {
            *record = Reading::Ready(Box::new(revision));
            *edit = None;
        }
        self.remember(vec![summary]);
        self.confirm(
            ctx,
            format!("Saved the patient's details as revision {number}"),
        );
    }

    /// A patient's details could not be saved: the form keeps what was typed and says
    /// why.
    fn patient_save_failed(&mut self, id: &PatientId, message: String, is_conflict: bool) {
        if let Screen::Patient {
            id: showing,
            edit: Some(form),
            ..
        } = &mut self.screen
            && showing == id
        {
            form.saving = false;
            form.failure = Some((message, is_conflict));
            return;
        }
        // The physician is elsewhere: the status bar says so, and the form keeps it
        // for when the patient is opened again.
        self.messages
            .push(format!("The patient's details were not saved: {message}"));
        if let Some(form) = self.parked_patient_edits.get_mut(id) {
            form.saving = false;
            form.failure = Some((message, is_conflict));
        }
    }
}
