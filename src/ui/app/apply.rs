//! What each action of the user does, applied after the frame was drawn.

use std::path::PathBuf;

use super::{App, IndexState, OpenPlan, Screen, apply_theme, today};
use crate::desk::ExportKind;
use crate::planning::{EditContext, PlanEdit, generate};
use crate::store::{Patient, PlanId, Screening};
use crate::ui::action::Action;
use crate::ui::background::{PatientWrite, WriteJob, load_index};
use crate::ui::export_dialog::{ExportDialog, default_folder, start_export};
use crate::ui::library::LibraryState;
use crate::ui::new_plan::{NewPlanDraft, PatientChoice};
use crate::ui::patient_list::search_field_id;
use crate::ui::settings::SettingsDialog;

impl App {
    pub(super) fn open_plan_by_id(&mut self, id: &PlanId) {
        if self.open_plan.as_ref().is_some_and(|open| &open.id == id) {
            self.screen = Screen::Plan;
            return;
        }
        if self
            .open_plan
            .as_ref()
            .is_some_and(|open| open.dirty || open.in_flight)
            && let Err(message) = self.flush_saves()
        {
            self.messages.push(format!(
                "The open plan keeps its unsaved changes and stays open: {message}"
            ));
            self.screen = Screen::Plan;
            return;
        }
        let Ok(store) = &self.store else { return };
        match store.load_plan(id) {
            Ok(revision) => {
                let patient_name = store.load_patient(&revision.value.patient).map_or_else(
                    |_| "Unknown patient".to_owned(),
                    |patient| patient.value.name,
                );
                self.open_plan = Some(OpenPlan::new(
                    id.clone(),
                    revision,
                    patient_name,
                    Vec::new(),
                ));
                if let Some(writer) = &mut self.writer {
                    writer.send(WriteJob::ReadHistory(id.clone()));
                }
                self.screen = Screen::Plan;
            }
            Err(error) => self.messages.push(error.to_string()),
        }
    }

    pub(super) fn apply(&mut self, action: Action, ctx: &egui::Context) {
        match action {
            Action::OpenPatient(id) => {
                let record = match &self.store {
                    Ok(store) => store.load_patient(&id).map_err(|error| error.to_string()),
                    Err(error) => Err(error.clone()),
                };
                self.screen = Screen::Patient { id, record };
            }
            Action::OpenPlan(id) => self.open_plan_by_id(&id),
            Action::NewPlan(patient) => {
                let mut draft = NewPlanDraft::new(patient.clone(), today());
                // The patient's last screening is the starting point; the physician
                // confirms or changes each answer.
                if let (Some(id), Ok(store)) = (&patient, &self.store)
                    && let Ok(record) = store.load_patient(id)
                {
                    draft.factors = record.value.screening.factors;
                    draft.previous_screening = record.value.screening.asked_on;
                }
                self.screen = Screen::NewPlan(Box::new(draft));
            }
            Action::CreatePlan(draft) => self.create_plan(&draft),
            Action::EditPlan(edit) => self.edit_plan(edit),
            Action::ShowLibrary => self.screen = Screen::Library(LibraryState::default()),
            Action::ShowAllPlans => self.screen = Screen::Home,
            Action::OpenSettings => {
                self.settings_dialog = Some(SettingsDialog::new(&self.settings, &self.catalog));
            }
            Action::CloseDialog => {
                self.settings_dialog = None;
                self.export_dialog = None;
            }
            Action::OpenExport => {
                if let Some(open) = &self.open_plan {
                    let folder = self
                        .export_folder
                        .clone()
                        .unwrap_or_else(|| default_folder(&self.dirs.data));
                    self.export_dialog = Some(ExportDialog::new(open.id.clone(), &folder));
                }
            }
            Action::RunExport { folder, kinds } => self.run_export(folder, kinds, ctx),
            Action::SaveSettings(settings) => match settings.save(&self.dirs.config) {
                Ok(()) => {
                    apply_theme(ctx, settings.theme);
                    self.settings = *settings;
                    self.settings_dialog = None;
                }
                Err(error) => self.messages.push(error.to_string()),
            },
            Action::SaveNow => {
                if let Some(open) = &mut self.open_plan {
                    open.failure = None;
                }
                self.send_pending_save();
            }
            Action::OpenFolder(folder) => {
                if let Err(error) = open::that_detached(&folder) {
                    self.messages.push(format!(
                        "could not open {} in the file manager: {error}; open it by hand",
                        folder.display()
                    ));
                }
            }
            Action::FocusSearch => ctx.memory_mut(|memory| memory.request_focus(search_field_id())),
            Action::ReloadIndex => {
                if let Ok(store) = &self.store {
                    let ctx = ctx.clone();
                    self.index = match load_index(store.clone(), move || ctx.request_repaint()) {
                        Ok(receiver) => IndexState::Loading {
                            receiver,
                            done: 0,
                            total: 0,
                        },
                        Err(error) => IndexState::Failed(format!(
                            "could not start loading the plans: {error}"
                        )),
                    };
                }
            }
            Action::ReloadPlan => {
                if let Some(open) = self.open_plan.take() {
                    self.open_plan_by_id(&open.id);
                }
            }
        }
    }

    /// Saves what is pending, then makes and writes the exports on a background thread.
    pub(super) fn run_export(
        &mut self,
        folder: PathBuf,
        kinds: Vec<ExportKind>,
        ctx: &egui::Context,
    ) {
        let flushed = self.flush_saves();
        let Some(dialog) = &mut self.export_dialog else {
            return;
        };
        if let Err(message) = flushed {
            dialog.outcome = Some(Err(format!("Save the plan first: {message}")));
            return;
        }
        let Ok(store) = &self.store else { return };
        let wake = {
            let ctx = ctx.clone();
            move || ctx.request_repaint()
        };
        self.export_folder = Some(folder.clone());
        match start_export(
            store.clone(),
            self.settings.clone(),
            dialog.plan.clone(),
            folder,
            kinds,
            today(),
            wake,
        ) {
            Ok(receiver) => {
                dialog.outcome = None;
                dialog.running = Some(receiver);
            }
            Err(error) => {
                dialog.outcome = Some(Err(format!("could not start the export: {error}")));
            }
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
                    name: form.name.trim().to_owned(),
                    birth_date,
                    clinic_id,
                    contact: form.contact.trim().to_owned(),
                    screening,
                }))
            }
            PatientChoice::Existing(id) => PatientWrite::Existing(id.clone(), screening),
        };
        let author = self.author();
        let job = WriteJob::CreatePlan {
            patient,
            request: Box::new(request),
            plan: Box::new(plan),
            author,
        };
        if !self.writer.as_mut().is_some_and(|writer| writer.send(job)) {
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
}
