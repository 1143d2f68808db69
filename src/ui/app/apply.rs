//! What each action of the user does, applied after the frame was drawn. Reads and
//! writes become jobs for the worker; what must wait for the open plan's saves is
//! queued with [`App::after_save`].

use super::saving::AfterSave;
use super::{App, DraftQuestion, IndexState, Reading, Screen, today};
use crate::desk::ExportOrder;
use crate::desk::worker::{Job, PatientWrite, load_index};
use crate::planning::{EditContext, PlanEdit, generate};
use crate::store::{Patient, PatientId, PlanId, Screening, Settings};
use crate::ui::action::Action;
use crate::ui::export_dialog::{ExportDialog, default_folder};
use crate::ui::library::LibraryState;
use crate::ui::new_plan::{NewPlanDraft, PatientChoice, ScreeningOnFile};
use crate::ui::patient_list::search_field_id;
use crate::ui::settings::SettingsDialog;

impl App {
    /// Opens a plan: at once when it is the open one; otherwise once the open plan's
    /// saves have landed, read on the worker while the screen says so.
    pub(super) fn open_plan_by_id(&mut self, id: &PlanId, ctx: &egui::Context) {
        if self.open_plan.as_ref().is_some_and(|open| &open.id == id) {
            self.show(Screen::Plan);
            return;
        }
        self.show(Screen::OpeningPlan {
            id: id.clone(),
            failed: None,
        });
        // Only the plan asked for last is opened.
        self.after_save
            .retain(|then| !matches!(then, AfterSave::Open(_)));
        self.after_save(AfterSave::Open(id.clone()), ctx);
    }

    /// Asks the worker for a patient's record (to show them, or for their screening).
    fn read_patient(&mut self, id: &PatientId) -> bool {
        self.worker
            .as_mut()
            .is_some_and(|worker| worker.send(Job::ReadPatient(id.clone())))
    }

    /// Shows a patient, read on the worker.
    fn open_patient(&mut self, id: PatientId) {
        let record = if self.read_patient(&id) {
            Reading::Loading
        } else {
            Reading::Failed(
                "the thread that reads patients is not running; restart the app".to_owned(),
            )
        };
        self.show(Screen::Patient {
            id,
            record,
            edit: None,
        });
    }

    pub(super) fn apply(&mut self, action: Action, ctx: &egui::Context) {
        match action {
            Action::OpenPatient(id) => self.open_patient(id),
            Action::RereadPatient(id) => {
                if let Screen::Patient { edit, .. } = &mut self.screen {
                    *edit = None;
                }
                self.parked_patient_edits.remove(&id);
                self.open_patient(id);
            }
            Action::SavePatient(id) => self.save_patient(&id),
            Action::OpenPlan(id) => {
                self.plan_target = None;
                self.open_plan_by_id(&id, ctx);
            }
            Action::OpenPlanAt(id, place) => {
                self.plan_target = Some((id.clone(), place));
                self.open_plan_by_id(&id, ctx);
            }
            Action::NewPlan(patient) => self.new_plan(patient),
            Action::ReadScreening(id) => {
                let read = self.read_patient(&id);
                if let Screen::NewPlan(draft) = &mut self.screen
                    && !read
                {
                    draft.screening_on_file = ScreeningOnFile::Unreadable {
                        patient: id,
                        message: "the thread that reads patients is not running; restart the app"
                            .to_owned(),
                    };
                }
            }
            Action::CreatePlan(draft) => self.create_plan(&draft),
            Action::EditPlan(edit) => self.edit_plan(edit),
            Action::Photos(photo_action) => self.apply_photo_action(photo_action),
            Action::ShowLibrary => self.show(Screen::Library(LibraryState::default())),
            Action::ShowLotRecall => {
                self.ask_for_lots(ctx);
                self.show(Screen::LotRecall(
                    crate::ui::lot_recall::LotRecallState::default(),
                ));
            }
            Action::RecordSession(record) => self.record_session(*record),
            Action::EnterScore(score) => self.enter_score(score),
            Action::RemoveScore { number, score } => self.remove_score(number, &score),
            Action::RemoveRecord(session) => self.remove_record(session),
            Action::ShowAllPlans => {
                self.home = super::Home::AllPlans;
                self.show(Screen::Home);
            }
            Action::ShowAgenda => {
                self.home = super::Home::Agenda;
                self.show(Screen::Home);
            }
            Action::CancelNewPlan | Action::KeepDraft | Action::DiscardDraft => {
                self.apply_draft_action(&action);
            }
            Action::OpenSettings => {
                self.settings_dialog = Some(SettingsDialog::new(&self.settings, &self.catalog));
            }
            Action::CloseDialog => {
                self.settings_dialog = None;
                self.export_dialog = None;
                self.after_save
                    .retain(|then| !matches!(then, AfterSave::Export(_)));
            }
            Action::OpenExport => {
                if let Some(open) = &self.open_plan {
                    let folder = self
                        .export_folder
                        .clone()
                        .unwrap_or_else(|| default_folder(&self.dirs.data));
                    self.export_dialog = Some(ExportDialog::new(
                        open.id.clone(),
                        &folder,
                        !open.record.scores.is_empty(),
                    ));
                }
            }
            Action::RunExport(order) => self.run_export(order, ctx),
            Action::SaveSettings(settings) => self.save_settings(settings),
            Action::SaveNow => self.save_now(ctx),
            Action::OpenFolder(path) | Action::Print(path) => self.open_outside(path, ctx),
            Action::FocusSearch => ctx.memory_mut(|memory| memory.request_focus(search_field_id())),
            Action::ReloadIndex => self.reload_index(ctx),
            Action::ReloadPlan => {
                // The physician drops the edits that conflict; the saved plan is read
                // again, after anything still queued before it. What they were typing
                // stays.
                if let Some(open) = self.open_plan.take() {
                    self.park_view(&open);
                    self.start_opening(open.id);
                }
            }
            Action::KeepEditing => self.close_confirm = None,
            Action::DiscardAndClose => {
                self.close_confirm = None;
                self.discard_typing = true;
                ctx.send_viewport_cmd(egui::ViewportCommand::Close);
            }
        }
    }

    /// The new-plan draft's actions: cancel it (asking first when it holds work), keep
    /// it, or discard it.
    fn apply_draft_action(&mut self, action: &Action) {
        match action {
            Action::CancelNewPlan => {
                if matches!(&self.screen, Screen::NewPlan(draft) if draft.has_work()) {
                    self.draft_question = Some(DraftQuestion::Cancel);
                } else if matches!(self.screen, Screen::NewPlan(_)) {
                    self.show(Screen::Home);
                }
            }
            Action::KeepDraft => {
                self.draft_question = None;
                if let Some(draft) = self.parked_draft.take() {
                    self.show(Screen::NewPlan(draft));
                }
            }
            Action::DiscardDraft => {
                self.parked_draft = None;
                if let Screen::NewPlan(_) = self.screen {
                    self.screen = Screen::Home;
                }
                match self.draft_question.take() {
                    Some(DraftQuestion::Replace(patient)) => self.start_new_plan(patient),
                    Some(DraftQuestion::Cancel) | None => {}
                }
            }
            _ => {}
        }
    }

    /// Saves the details edited on the patient's screen, on the worker; the form says
    /// "Saving…" until they are on the disk.
    fn save_patient(&mut self, id: &PatientId) {
        let starts: Vec<jiff::civil::Date> = self
            .plan_summaries_of(id)
            .iter()
            .filter_map(|plan| plan.first_session)
            .collect();
        let author = self.author();
        let Screen::Patient {
            id: showing,
            edit: Some(form),
            ..
        } = &mut self.screen
        else {
            return;
        };
        if showing != id {
            return;
        }
        let Some(patient) = form.patient(today(), &starts) else {
            return;
        };
        let job = Job::SavePatient {
            id: id.clone(),
            base_revision: form.base_revision,
            patient: Box::new(patient),
            author,
            today: today(),
        };
        if self.worker.as_mut().is_some_and(|worker| worker.send(job)) {
            form.saving = true;
            form.failure = None;
        } else {
            form.failure = Some((
                "The details were not saved: the saving thread is not running; restart the app"
                    .to_owned(),
                false,
            ));
        }
    }

    /// Ctrl+S: saves the open plan's edits now (retrying a failed save) and says so in
    /// the status bar once they are on the disk; with nothing to save, says which
    /// revision is on the disk.
    fn save_now(&mut self, ctx: &egui::Context) {
        let Some(open) = &mut self.open_plan else {
            self.confirm(ctx, "No plan is open: nothing to save".to_owned());
            return;
        };
        open.failure = None;
        if open.dirty || open.in_flight {
            self.save_to_confirm = Some(open.id.clone());
            self.send_pending_save();
        } else if open.conflict.is_none() {
            let text = format!(
                "Saved revision {}: every change is on the disk",
                open.saved.number
            );
            self.confirm(ctx, text);
        }
    }

    /// The new-plan screen. A new plan being made (on screen or kept aside) is shown
    /// again when it is for the patient asked for, or when none is named; for another
    /// patient the physician is asked whether to drop it first.
    fn new_plan(&mut self, patient: Option<PatientId>) {
        if let Some(draft) = self.parked_draft.take() {
            self.show(Screen::NewPlan(draft));
        }
        if let Screen::NewPlan(draft) = &self.screen
            && draft.has_work()
        {
            if patient.is_some() && draft.patient.picked() != patient.as_ref() {
                self.draft_question = Some(DraftQuestion::Replace(patient));
            }
            return;
        }
        self.start_new_plan(patient);
    }

    /// A new, empty plan for a new patient or an existing one whose screening on file
    /// is read first.
    fn start_new_plan(&mut self, patient: Option<PatientId>) {
        // The patient's last screening is the starting point; the physician confirms
        // or changes each answer.
        let screening_on_file = patient.as_ref().map(|id| {
            if self.read_patient(id) {
                ScreeningOnFile::Reading(id.clone())
            } else {
                ScreeningOnFile::Unreadable {
                    patient: id.clone(),
                    message: "the thread that reads patients is not running; restart the app"
                        .to_owned(),
                }
            }
        });
        let mut draft = NewPlanDraft::new(patient, today());
        if let Some(screening_on_file) = screening_on_file {
            draft.screening_on_file = screening_on_file;
        }
        self.show(Screen::NewPlan(Box::new(draft)));
    }

    /// Exports the open plan once its last changes are saved.
    fn run_export(&mut self, order: ExportOrder, ctx: &egui::Context) {
        self.export_folder = Some(order.folder.clone());
        if let Some(dialog) = &mut self.export_dialog {
            dialog.outcome = None;
            dialog.waiting_for_save = true;
        }
        self.after_save(AfterSave::Export(order), ctx);
    }

    /// Writes the settings on the worker; the dialog says "Saving…" until they are.
    fn save_settings(&mut self, settings: Box<Settings>) {
        let job = Job::SaveSettings {
            config_dir: self.dirs.config.clone(),
            settings,
        };
        if self.worker.as_mut().is_some_and(|worker| worker.send(job)) {
            if let Some(dialog) = &mut self.settings_dialog {
                dialog.saving = true;
            }
        } else {
            self.messages.push(
                "The settings were not saved: the saving thread is not running; restart the app"
                    .to_owned(),
            );
        }
    }

    /// Reads the list of patients and plans again, in the background.
    fn reload_index(&mut self, ctx: &egui::Context) {
        if self.may_connect_again() {
            self.start_connecting(ctx);
            return;
        }
        if let Ok(store) = &self.store {
            let ctx = ctx.clone();
            self.index = match load_index(store.clone(), move || ctx.request_repaint()) {
                Ok(receiver) => IndexState::Loading {
                    receiver,
                    done: 0,
                    total: 0,
                },
                Err(error) => {
                    IndexState::Failed(format!("could not start loading the plans: {error}"))
                }
            };
        }
    }

    pub(super) fn create_plan(&mut self, draft: &NewPlanDraft) {
        let Some(request) = draft.request(&self.clinic_options()) else {
            return;
        };
        let plan = match generate(&self.catalog, &request) {
            Ok(plan) => plan,
            Err(error) => {
                self.messages.push(error.to_string());
                return;
            }
        };
        let screening = Screening {
            factors: draft.factors.clone(),
            asked_on: Some(today()),
        };
        let patient = match &draft.patient {
            PatientChoice::New(form) => {
                let birth_date = match form.birth_date() {
                    Ok(date) => date,
                    Err(message) => {
                        self.messages.push(message);
                        return;
                    }
                };
                let clinic_id = Some(form.clinic_id.trim().to_owned()).filter(|id| !id.is_empty());
                PatientWrite::New(Box::new(Patient {
                    birth_date,
                    clinic_id,
                    contact: form.contact.trim().to_owned(),
                    screening,
                    ..Patient::new(form.name.trim())
                }))
            }
            PatientChoice::Existing(Some(id)) => PatientWrite::Existing(id.clone(), screening),
            PatientChoice::Existing(None) => {
                self.messages
                    .push("Choose the patient the plan is for first.".to_owned());
                return;
            }
        };
        let author = self.author();
        let job = Job::CreatePlan {
            patient,
            request: Box::new(request),
            plan: Box::new(plan),
            author,
        };
        if !self.worker.as_mut().is_some_and(|worker| worker.send(job)) {
            self.messages.push(
                "The plan was not created: the saving thread is not running; restart the app"
                    .to_owned(),
            );
        }
    }

    pub(super) fn edit_plan(&mut self, edit: PlanEdit) {
        let author = self.author();
        let Some(open) = &mut self.open_plan else {
            return;
        };
        let context = EditContext {
            catalog: &self.catalog,
            now: jiff::Timestamp::now(),
            author: &author,
        };
        match open.record.course().apply(edit, &context) {
            Ok(()) => {
                open.dirty = true;
                self.send_pending_save();
            }
            Err(error) => self.messages.push(error.to_string()),
        }
    }

    /// Records a session of the open plan (or corrects its record): the plan moves
    /// with the performed date, and the revision goes to the worker. A refusal stays
    /// in the form, which keeps what was typed.
    fn record_session(&mut self, record: crate::planning::SessionRecord) {
        let Some(open) = &mut self.open_plan else {
            return;
        };
        let number = record.session;
        match open
            .record
            .treatment()
            .record(record, &self.catalog, today())
        {
            Ok(warnings) => {
                open.view.treatment.form = None;
                open.dirty = true;
                self.send_pending_save();
                let mut said = format!("Recorded session {number}");
                if !warnings.is_empty() {
                    said.push_str(", with warnings on its record");
                }
                self.messages.push(said);
            }
            Err(error) => {
                if let Some(form) = open.view.treatment.form.as_mut() {
                    form.failure = Some(capitalised(&error.to_string()));
                } else {
                    self.messages.push(error.to_string());
                }
            }
        }
    }

    /// Adds a score, checked by the form against its scale, to the open plan.
    fn enter_score(&mut self, score: crate::planning::Score) {
        let Some(open) = &mut self.open_plan else {
            return;
        };
        open.record.scores.push(score);
        open.dirty = true;
        self.send_pending_save();
    }

    /// Removes a score entered by mistake from the open plan; the revision history
    /// keeps it.
    fn remove_score(&mut self, number: usize, score: &crate::planning::Score) {
        let Some(open) = &mut self.open_plan else {
            return;
        };
        match crate::planning::remove_score(&mut open.record.scores, number, Some(score)) {
            Ok(removed) => {
                open.view.treatment.confirm = None;
                open.dirty = true;
                self.send_pending_save();
                self.messages.push(format!(
                    "Removed the {} score of {} on {}; the plan's history keeps it",
                    removed.scale,
                    crate::catalog::number(removed.value),
                    removed.date
                ));
            }
            Err(error) => self.messages.push(capitalised(&error.to_string())),
        }
    }

    /// Removes the record of a session entered on the wrong session from the open plan;
    /// the revision history keeps it.
    fn remove_record(&mut self, session: u32) {
        let Some(open) = &mut self.open_plan else {
            return;
        };
        match open
            .record
            .treatment()
            .remove_record(session, &self.catalog)
        {
            Ok(_) => {
                open.view.treatment.confirm = None;
                open.dirty = true;
                self.send_pending_save();
                self.messages.push(format!(
                    "Removed the record of session {session}; the plan's history keeps it"
                ));
            }
            Err(error) => self.messages.push(capitalised(&error.to_string())),
        }
    }
}

/// A message as a sentence: its first letter capitalised.
fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}
