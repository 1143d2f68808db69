//! The clinic's agenda from the index, the same on the command line and in the window:
//! the rules are [`crate::planning::agenda`]'s, the plans and their dated items the
//! index's ([`Index`]), so no plan is read to make it.

use crate::export::agenda::{AgendaRow, CalendarPlan};
use crate::planning::agenda::{self, AgendaEntry, AgendaQuery, ItemKind, ItemState};
use crate::store::{Index, PlanSummary};

/// The agenda of the index for the query, as rows: the overdue items first (oldest
/// first), then the items of the range by day.
#[must_use]
pub fn agenda_rows(index: &Index, query: &AgendaQuery) -> Vec<AgendaRow> {
    let agenda = agenda::agenda(&index.plans, query);
    agenda.entries().map(row).collect()
}

/// One entry as a row.
fn row(entry: &AgendaEntry<'_, PlanSummary>) -> AgendaRow {
    let plan = entry.plan;
    let item = entry.item;
    let is_session = item.kind == ItemKind::Session;
    AgendaRow {
        date: item.date,
        kind: item.kind.agenda_kind(),
        overdue: entry.state == ItemState::Overdue,
        state: entry.state,
        patient: plan.patient.to_string(),
        patient_name: plan.patient_name.clone(),
        clinic_id: plan.clinic_id.clone(),
        plan: plan.id.to_string(),
        protocol: plan.protocol_id.as_str().to_owned(),
        protocol_title: plan.protocol_title.clone(),
        title: item.title(),
        number: item.session.filter(|_| is_session),
        duration_minutes: item.duration_minutes.filter(|_| is_session),
        session: item.session.filter(|_| !is_session),
        place: item.place(),
    }
}

/// Every plan of the index with its dated items, for the clinic's calendar (cancelled
/// and completed plans too: a cancelled plan's events are written as cancelled).
#[must_use]
pub fn calendar_plans(index: &Index) -> Vec<CalendarPlan<'_>> {
    index
        .plans
        .iter()
        .map(|plan| CalendarPlan {
            plan_id: plan.id.as_str(),
            revision: plan.revision,
            status: plan.status,
            protocol_title: &plan.protocol_title,
            patient_name: &plan.patient_name,
            items: &plan.agenda,
        })
        .collect()
}
