//! The index of patients and plans, loaded in the background, and the patient list and
//! plans table made from it.

use super::{App, IndexState};
use crate::store::{Index, Patient, PatientId, PlanId, PlanRecord, PlanSummary, Revision};
use crate::ui::background::LoadMessage;
use crate::ui::patient_list::PatientList;
use crate::ui::plans_table::PlansTable;

impl App {
    // ---- Background work -------------------------------------------------------------

    pub(super) fn poll_index(&mut self) {
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
                    self.open_plan_by_id(&id);
                }
            }
            Some(Err(error)) => self.index = IndexState::Failed(error.to_string()),
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

    /// Puts a saved plan into the index and the list.
    pub(super) fn remember_plan(
        &mut self,
        id: &PlanId,
        revision: &Revision<PlanRecord>,
        patient: Option<&Revision<Patient>>,
    ) {
        let patient_id = revision.value.patient.clone();
        let Some(index) = self.index_mut() else {
            return;
        };
        if let Some(patient) = patient {
            let summary = crate::store::PatientSummary {
                id: patient_id.clone(),
                name: patient.value.name.clone(),
                birth_date: patient.value.birth_date,
                clinic_id: patient.value.clinic_id.clone(),
                revision: patient.number,
                saved_at: patient.saved_at,
            };
            match index
                .patients
                .iter_mut()
                .find(|known| known.id == patient_id)
            {
                Some(known) => *known = summary,
                None => index.patients.push(summary),
            }
        }
        let patient_entry = index.patients.iter().find(|known| known.id == patient_id);
        let summary = PlanSummary {
            id: id.clone(),
            patient: patient_id.clone(),
            patient_name: patient_entry
                .map(|known| known.name.clone())
                .unwrap_or_default(),
            clinic_id: patient_entry.and_then(|known| known.clinic_id.clone()),
            protocol_id: revision.value.plan.protocol.id.clone(),
            protocol_title: revision.value.plan.protocol.title.clone(),
            status: revision.value.status,
            first_session: revision
                .value
                .plan
                .sessions
                .first()
                .map(|session| session.date),
            revision: revision.number,
            saved_at: revision.saved_at,
            saved_by: revision.saved_by.clone(),
        };
        match index.plans.iter_mut().find(|known| &known.id == id) {
            Some(known) => *known = summary,
            None => index.plans.push(summary),
        }
        // Only this patient's row and this plan's row change: rebuilding every row took
        // tens of milliseconds per save with ten thousand patients.
        let patient = index
            .patients
            .iter()
            .find(|known| known.id == patient_id)
            .cloned();
        let plans: Vec<PlanSummary> = index
            .plans
            .iter()
            .filter(|plan| plan.patient == patient_id)
            .cloned()
            .collect();
        if let Some(plan) = plans.iter().find(|plan| &plan.id == id) {
            self.plans_table.update_plan(plan);
        }
        if let Some(patient) = patient {
            self.list.update_patient(&patient, &plans);
        }
    }

    /// Rebuilds the patient list and the plans table from the index, once it is loaded.
    pub(super) fn rebuild_lists(&mut self) {
        if let IndexState::Ready(index) = &self.index {
            self.list = PatientList::new(&index.patients, &index.plans);
            self.plans_table = PlansTable::new(&index.plans);
        }
    }
}
