//! The panels of the window, drawn every frame: the shortcuts, the patient list on the
//! left, the screen in the middle, and the open dialog. Each returns what the physician
//! asked for; nothing here changes the app's state beyond what its widgets edit.

use egui::{Key, KeyboardShortcut, Modifiers, Ui};

use super::saving::AfterSave;
use super::{App, DraftQuestion, Home, IndexState, Reading, Screen, today};
use crate::planning::ClinicOptions;
use crate::store::PlanSummary;
use crate::ui::action::Action;
use crate::ui::agenda_view::{AgendaShown, agenda_ui};
use crate::ui::close_dialog::close_dialog_ui;
use crate::ui::export_dialog::export_ui;
use crate::ui::library::library_ui;
use crate::ui::new_plan::new_plan_ui;
use crate::ui::patient_list::{ListStatus, patient_list_ui};
use crate::ui::patient_view::{PatientShown, patient_view_ui};
use crate::ui::plan_view::{PlanShown, plan_view_ui};
use crate::ui::plans_table::plans_table_ui;
use crate::ui::settings::settings_ui;

impl App {
    pub(super) fn shortcuts(&self, ui: &mut Ui) -> Option<Action> {
        let shortcut = |key| KeyboardShortcut::new(Modifiers::COMMAND, key);
        // Esc leaves the new-plan screen (asking first) when no dialog or field has it.
        let escape_is_free = matches!(self.screen, Screen::NewPlan(_))
            && self.settings_dialog.is_none()
            && self.export_dialog.is_none()
            && self.close_confirm.is_none()
            && self.draft_question.is_none()
            && ui.memory(|memory| memory.focused().is_none())
            && !egui::Popup::is_any_open(ui.ctx());
        ui.input_mut(|input| {
            if input.consume_shortcut(&shortcut(Key::N)) {
                Some(Action::NewPlan(None))
            } else if input.consume_shortcut(&shortcut(Key::F)) {
                Some(Action::FocusSearch)
            } else if input.consume_shortcut(&shortcut(Key::S)) {
                Some(Action::SaveNow)
            } else if escape_is_free && input.consume_key(Modifiers::NONE, Key::Escape) {
                Some(Action::CancelNewPlan)
            } else {
                None
            }
        })
    }

    /// What the app is doing in the background that the physician waits for, if any.
    pub(super) fn activity(&self) -> Option<&'static str> {
        if self.after_save.contains(&AfterSave::Close) {
            Some("Saving the last changes; the window closes once they are on the disk…")
        } else {
            None
        }
    }

    /// The patient list on the left, with the index's loading progress or failure.
    pub(super) fn patients_ui(&mut self, ui: &mut Ui) -> Option<Action> {
        let list_status = match &self.index {
            IndexState::Loading { done, total, .. } => ListStatus::Loading {
                done: *done,
                total: *total,
            },
            IndexState::Connecting => ListStatus::Connecting,
            IndexState::Ready(_) => ListStatus::Ready,
            IndexState::Failed(_) => ListStatus::Unread,
        };
        let selected = match &self.screen {
            Screen::Patient { id, .. } => Some(id.clone()),
            Screen::Plan => self
                .open_plan
                .as_ref()
                .map(|open| open.record.patient.clone()),
            _ => None,
        };
        let mut retry = None;
        if let IndexState::Failed(error) = &self.index {
            ui.colored_label(ui.visuals().error_fg_color, sentence_case(error));
            if self.store.is_ok()
                && ui
                    .button("Read the list again")
                    .on_hover_text("Read the list of patients and plans again")
                    .clicked()
            {
                retry = Some(Action::ReloadIndex);
            }
        }
        let picked = patient_list_ui(
            ui,
            &mut self.list,
            &mut self.query,
            selected.as_ref(),
            list_status,
        );
        retry.or(picked)
    }

    /// The open dialog, if any, as a modal over the window.
    pub(super) fn dialogs_ui(&mut self, ctx: &egui::Context) -> Vec<Action> {
        let mut actions = Vec::new();
        let store = self.store_status();
        if let Some(dialog) = &mut self.settings_dialog {
            let modal = egui::Modal::new(egui::Id::unique("settings")).show(ctx, |ui| {
                settings_ui(ui, dialog, &self.dirs.data, &self.dirs.config, &store)
            });
            let should_close = modal.should_close();
            actions.extend(modal.inner);
            if should_close {
                actions.push(Action::CloseDialog);
            }
        }
        if let Some(unsaved) = &self.close_confirm {
            let modal = egui::Modal::new(egui::Id::unique("close-confirm"))
                .show(ctx, |ui| close_dialog_ui(ui, unsaved));
            let should_close = modal.should_close();
            actions.extend(modal.inner);
            if should_close {
                actions.push(Action::KeepEditing);
            }
        }
        if let Some(question) = &self.draft_question {
            let patients = match &self.index {
                IndexState::Ready(index) => index.patients.as_slice(),
                _ => &[],
            };
            let for_whom = match &self.screen {
                Screen::NewPlan(draft) => draft.patient_words(patients),
                _ => self
                    .parked_draft
                    .as_ref()
                    .map(|draft| draft.patient_words(patients))
                    .unwrap_or_default(),
            };
            let modal = egui::Modal::new(egui::Id::unique("draft-question"))
                .show(ctx, |ui| draft_question_ui(ui, question, &for_whom));
            let should_close = modal.should_close();
            actions.extend(modal.inner);
            if should_close {
                actions.push(Action::KeepDraft);
            }
        }
        if let Some(dialog) = &mut self.export_dialog {
            dialog.poll();
            let modal =
                egui::Modal::new(egui::Id::unique("export")).show(ctx, |ui| export_ui(ui, dialog));
            let should_close = modal.should_close();
            actions.extend(modal.inner);
            if should_close {
                actions.push(Action::CloseDialog);
            }
        }
        actions
    }

    /// The home screen's agenda.
    fn agenda_home_ui(
        &mut self,
        ui: &mut Ui,
        today: jiff::civil::Date,
        fresh: bool,
    ) -> Option<Action> {
        let protocols: Vec<(String, String)> = self
            .catalog
            .protocols()
            .map(|protocol| (protocol.id.as_str().to_owned(), protocol.title.clone()))
            .collect();
        let shown = AgendaShown {
            index: match &self.index {
                IndexState::Ready(index) => Some(index),
                _ => None,
            },
            failed: match &self.index {
                IndexState::Failed(error) => Some(error.as_str()),
                _ => None,
            },
            protocols: &protocols,
            search: &self.query,
            today,
            fresh,
        };
        agenda_ui(ui, &mut self.agenda, &shown)
    }

    /// The table of every plan, or what to do when there is none yet.
    fn all_plans_ui(&mut self, ui: &mut Ui, fresh: bool) -> Option<Action> {
        ui.heading("All plans");
        if self.plans_table.is_empty() && self.is_index_loaded() {
            ui.label("No plan yet. Start one with Ctrl+N; every plan states its evidence and regulatory status, and the physician decides.");
            if ui.button("New plan…").clicked() {
                return Some(Action::NewPlan(None));
            }
            return None;
        }
        plans_table_ui(ui, &mut self.plans_table, &self.query, fresh)
    }

    /// Above every screen: the database being connected to, or why there is no store,
    /// with a way to connect again.
    fn store_banner_ui(&self, ui: &mut Ui) -> Option<Action> {
        let mut reconnect = None;
        if self.is_connecting() {
            waiting_ui(
                ui,
                &format!(
                    "Connecting to the database server {}…",
                    self.store_label.trim_start_matches("Database: ")
                ),
            );
        } else if let Err(error) = &self.store {
            let on_database = self.database_url.is_some();
            let may_retry = self.may_connect_again();
            crate::ui::widgets::banner(
                ui,
                crate::planning::Severity::Contraindicated,
                |ui, color| {
                    let advice = if on_database {
                        "To work on the data folder instead, clear the database in Settings (or leave out --database) and start the app again."
                    } else {
                        "Start the app with --data-dir DIR pointing at a folder you may write to."
                    };
                    ui.label(
                        egui::RichText::new(format!(
                            "Plans cannot be opened or saved: {error}. {advice}"
                        ))
                        .color(color),
                    );
                    if may_retry
                        && ui
                            .button("Connect again")
                            .on_hover_text("Connect to the database server again")
                            .clicked()
                    {
                        reconnect = Some(Action::ReloadIndex);
                    }
                },
            );
        }
        reconnect
    }

    pub(super) fn central_ui(&mut self, ui: &mut Ui) -> Option<Action> {
        let today = today();
        let fresh = self.is_fresh_screen();
        if let Some(action) = self.store_banner_ui(ui) {
            return Some(action);
        }
        let patient_plans: Vec<PlanSummary> = match &self.screen {
            Screen::Patient { id, .. } => self.plan_summaries_of(id).into_iter().cloned().collect(),
            _ => Vec::new(),
        };
        match &mut self.screen {
            Screen::Home if self.home == Home::Agenda => self.agenda_home_ui(ui, today, fresh),
            Screen::Home => self.all_plans_ui(ui, fresh),
            Screen::Patient { id, record, edit } => match record {
                Reading::Loading => {
                    waiting_ui(ui, "Opening the patient…");
                    None
                }
                Reading::Ready(record) => {
                    let refs: Vec<&PlanSummary> = patient_plans.iter().collect();
                    let shown = PatientShown {
                        id,
                        patient: record,
                        plans: &refs,
                        today,
                    };
                    patient_view_ui(ui, &shown, edit, fresh)
                }
                Reading::Failed(error) => {
                    ui.colored_label(ui.visuals().error_fg_color, error.as_str());
                    None
                }
            },
            Screen::OpeningPlan { id, failed } => match failed {
                None => {
                    waiting_ui(ui, "Opening the plan…");
                    None
                }
                Some(error) => {
                    ui.colored_label(ui.visuals().error_fg_color, error.as_str());
                    ui.button("Try again")
                        .on_hover_text("Read the plan again")
                        .clicked()
                        .then(|| Action::OpenPlan(id.clone()))
                }
            },
            Screen::Plan => match &mut self.open_plan {
                Some(open) => {
                    // A plan shown afresh is at its top, or at the item the agenda
                    // opened it at.
                    if fresh {
                        let place = self
                            .plan_target
                            .take_if(|(id, _)| *id == open.id)
                            .map(|(_, place)| place);
                        open.view.target.set(place);
                    }
                    let save = open.save_state();
                    let book = self.lots.book.as_ref();
                    let open_source = crate::planning::RecallSource {
                        patient: open.record.patient.as_str(),
                        patient_name: &open.patient_name,
                        plan: open.id.as_str(),
                        records: &open.record.records,
                    };
                    let suggest = |typed: &str| super::lots::suggestions(book, open_source, typed);
                    let shown = PlanShown {
                        record: &open.record,
                        patient_name: &open.patient_name,
                        save: &save,
                        history: &open.history,
                        protocol: self.catalog.get(&open.record.plan.protocol.id),
                        changes: &open.changes,
                        catalog: &self.catalog,
                        lot_suggestions: &suggest,
                        photo_views: self.photo_views.for_area(open.record.plan.selection.area),
                    };
                    let reload = open.elsewhere.as_ref().and_then(|elsewhere| {
                        changed_elsewhere_ui(ui, elsewhere, &save, open.saved.number)
                    });
                    let edited = plan_view_ui(ui, &shown, &mut open.view, today, fresh);
                    reload.or(edited)
                }
                None => None,
            },
            Screen::NewPlan(draft) => {
                let patients = match &self.index {
                    IndexState::Ready(index) => index.patients.as_slice(),
                    _ => &[],
                };
                let options = ClinicOptions {
                    working_days: self.settings.working_days.clone(),
                    jurisdiction: self.settings.jurisdiction,
                    closed_dates: self.settings.closed_dates.clone(),
                };
                new_plan_ui(ui, draft, &self.catalog, &options, patients, today, fresh)
            }
            Screen::Library(state) => {
                library_ui(ui, &self.catalog, &self.catalog_problems, state, fresh);
                None
            }
            Screen::LotRecall(state) => super::lots::lot_recall_panel(ui, &self.lots, state, fresh),
        }
    }
}

/// Whether to drop the new plan being made: kept unless the physician says so.
fn draft_question_ui(ui: &mut Ui, question: &DraftQuestion, for_whom: &str) -> Option<Action> {
    let mut action = None;
    ui.set_max_width(520.0);
    ui.heading("Drop the new plan being made?");
    ui.label(format!(
        "A new plan for {for_whom} is being made and not created yet. What was chosen and typed would be lost."
    ));
    ui.add_space(8.0);
    ui.horizontal(|ui| {
        if ui.button("Keep it").clicked() {
            action = Some(Action::KeepDraft);
        }
        let discard = match question {
            DraftQuestion::Cancel => "Drop it",
            DraftQuestion::Replace(_) => "Drop it and start another",
        };
        if ui.button(discard).clicked() {
            action = Some(Action::DiscardDraft);
        }
        ui.weak("Esc keeps it.");
    });
    action
}

/// The open plan was saved at another desk: who, when, and what reloading does to
/// the edits here. Returns [`Action::ReloadPlan`] when the physician reloads.
fn changed_elsewhere_ui(
    ui: &mut Ui,
    elsewhere: &crate::store::Revision<()>,
    save: &crate::ui::plan_view::SaveState,
    shown: u32,
) -> Option<Action> {
    use crate::ui::plan_view::SaveState;
    let has_unsaved = !matches!(save, SaveState::Saved { .. });
    let mut action = None;
    crate::ui::widgets::banner(ui, crate::planning::Severity::Caution, |ui, color| {
        ui.label(
            egui::RichText::new(format!(
                "Changed on another desk (revision {} by {} at {}).",
                elsewhere.number,
                elsewhere.saved_by,
                crate::ui::widgets::timestamp_text(elsewhere.saved_at)
            ))
            .color(color)
            .strong(),
        );
        let what = if has_unsaved {
            format!(
                "This screen shows revision {shown} with your changes, which are not saved: saving them will be refused as a conflict with that revision. Reloading shows the other desk's revision and drops your unsaved changes here; text typed and not added is kept."
            )
        } else {
            format!(
                "This screen shows revision {shown}. Reload it to see and work on the other desk's revision; a change made here before reloading will be refused as a conflict."
            )
        };
        ui.label(egui::RichText::new(what).color(color));
        let button = if has_unsaved {
            "Reload the saved plan (drops my unsaved changes)"
        } else {
            "Reload the saved plan"
        };
        if ui.button(button).clicked() {
            action = Some(Action::ReloadPlan);
        }
    });
    ui.add_space(6.0);
    action
}

/// A message as a sentence on its own: its first letter capital.
fn sentence_case(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

/// A spinner with what is on its way.
fn waiting_ui(ui: &mut Ui, what: &str) {
    ui.horizontal(|ui| {
        ui.spinner();
        ui.label(what);
    });
}
