//! The index of patients and plans, loaded in the background, and the patient list and
//! plans table made from it.

use super::{App, IndexState};
use std::collections::BTreeSet;

use crate::desk::worker::LoadMessage;
use crate::store::{Index, PatientId, PlanSummary, Summary};
use crate::ui::patient_list::PatientList;
use crate::ui::plans_table::PlansTable;

impl App {
    // ---- Background work -------------------------------------------------------------

    pub(super) fn poll_index(&mut self, ctx: &egui::Context) {
        let IndexState::Loading {
            receiver,
            done,
            total,
        } = &mut self.index
        else {
            return;
        };
        let mut finished = None;
        for message in receiver.try_iter() {
            match message {
                LoadMessage::Progress(progress) => {
                    *done = progress.done;
                    *total = progress.total;
                }
                LoadMessage::Done(result) => finished = Some(result),
            }
        }
        match finished {
            Some(Ok(index)) => {
                for problem in &index.problems {
                    self.messages.push(problem.to_string());
                }
                self.index = IndexState::Ready(index);
                self.rebuild_lists();
                if let Some(id) = self.pending_open.take() {
                    self.open_plan_by_id(&id, ctx);
                }
            }
            Some(Err(error)) => {
                self.index = IndexState::Failed(error.to_string());
                // A plan asked for with --open does not need the list to open.
                if let Some(id) = self.pending_open.take() {
                    self.open_plan_by_id(&id, ctx);
                }
            }
            None => {}
        }
    }

    pub(super) fn index_mut(&mut self) -> Option<&mut Index> {
        match &mut self.index {
            IndexState::Ready(index) => Some(index),
            _ => None,
        }
    }

    pub(super) fn plan_summaries_of(&self, patient: &PatientId) -> Vec<&PlanSummary> {
        let IndexState::Ready(index) = &self.index else {
            return Vec::new();
        };
        let mut plans: Vec<&PlanSummary> = index
            .plans
            .iter()
            .filter(|plan| &plan.patient == patient)
            .collect();
        plans.sort_by_key(|plan| std::cmp::Reverse(plan.saved_at));
        plans
    }

    /// Puts the summaries of saved records into the index, and brings the rows of
    /// their patients up to date in the list and the table.
    pub(super) fn remember(&mut self, summaries: Vec<Summary>) {
        let Some(index) = self.index_mut() else {
            return;
        };
        let touched: BTreeSet<PatientId> = summaries
            .into_iter()
            .map(|summary| index.upsert(summary))
            .collect();
        self.agenda.invalidate();
        self.lots_follow_index();
        let IndexState::Ready(index) = &self.index else {
            return;
        };
        // Only these patients' rows change: rebuilding every row took tens of
        // milliseconds per save with ten thousand patients.
        for patient_id in touched {
            let plans: Vec<PlanSummary> = index
                .plans
                .iter()
                .filter(|plan| plan.patient == patient_id)
                .cloned()
                .collect();
            for plan in &plans {
                self.plans_table.update_plan(plan);
            }
            if let Some(patient) = index.patients.iter().find(|known| known.id == patient_id) {
                self.list.update_patient(patient, &plans);
            }
        }
    }

    /// Rebuilds the patient list and the plans table from the index, once it is loaded.
    pub(super) fn rebuild_lists(&mut self) {
        if let IndexState::Ready(index) = &self.index {
            self.list = PatientList::new(&index.patients, &index.plans);
            self.plans_table = PlansTable::new(&index.plans);
            self.agenda.invalidate();
            self.lots_follow_index();
        }
    }
}
