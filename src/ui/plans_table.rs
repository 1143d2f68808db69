//! Every plan of the clinic in one table, newest save first, filtered by the same search
//! as the patient list. Only the visible rows are built.

use egui::Ui;
use egui_extras::{Column, TableBuilder};

use super::action::Action;
use super::search::Searchable;
use super::widgets::{date_text, plan_status_badge, timestamp_text};
use crate::store::PlanSummary;

/// The rows of the table, built once per change of the index.
#[derive(Debug, Clone, Default)]
pub struct PlansTable {
    rows: Searchable<PlanSummary>,
}

impl PlansTable {
    /// Every plan, newest save first, found by patient, clinic id, protocol and status.
    #[must_use]
    pub fn new(plans: &[PlanSummary]) -> Self {
        let mut rows: Vec<(PlanSummary, String)> = plans
            .iter()
            .map(|plan| (plan.clone(), haystack(plan)))
            .collect();
        rows.sort_by_key(|(plan, _)| std::cmp::Reverse(plan.saved_at));
        Self {
            rows: Searchable::new(rows),
        }
    }

    /// Brings one plan's row up to date after a save, without rebuilding the others.
    pub fn update_plan(&mut self, plan: &PlanSummary) {
        let id = plan.id.clone();
        self.rows.upsert(
            plan.clone(),
            &haystack(plan),
            |known| known.id == id,
            |a, b| b.saved_at.cmp(&a.saved_at),
        );
    }

    /// How many plans there are in all.
    #[must_use]
    pub fn len(&self) -> usize {
        self.rows.rows().len()
    }

    /// Whether there is no plan at all.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.rows.rows().is_empty()
    }
}

/// The table; clicking a patient's name opens the plan.
pub fn plans_table_ui(ui: &mut Ui, table: &mut PlansTable, query: &str) -> Option<Action> {
    table.rows.set_query(query);
    let count = table.rows.match_count();
    ui.weak(if query.trim().is_empty() {
        format!(
            "{}, newest save first",
            crate::export::count(count, "plan", "plans")
        )
    } else {
        format!(
            "{count} of {} match the search",
            crate::export::count(table.len(), "plan", "plans")
        )
    });
    let mut action = None;
    TableBuilder::new(ui)
        .id_salt("plans-table")
        .striped(true)
        .cell_layout(egui::Layout::left_to_right(egui::Align::Center))
        .column(
            Column::initial(200.0)
                .at_least(120.0)
                .clip(true)
                .resizable(true),
        )
        .column(
            Column::initial(80.0)
                .at_least(60.0)
                .clip(true)
                .resizable(true),
        )
        .column(
            Column::initial(260.0)
                .at_least(120.0)
                .clip(true)
                .resizable(true),
        )
        .column(Column::initial(90.0).at_least(80.0))
        .column(Column::initial(110.0).at_least(100.0))
        .column(Column::remainder().at_least(120.0).clip(true))
        .header(22.0, |mut header| {
            for title in [
                "Patient",
                "Clinic id",
                "Protocol",
                "Status",
                "First session",
                "Last saved",
            ] {
                header.col(|ui| {
                    ui.strong(title);
                });
            }
        })
        .body(|body| {
            body.rows(24.0, count, |mut row| {
                let Some(plan) = table.rows.matched(row.index()) else {
                    return;
                };
                row.col(|ui| {
                    if ui.link(&plan.patient_name).clicked() {
                        action = Some(Action::OpenPlan(plan.id.clone()));
                    }
                });
                row.col(|ui| {
                    ui.label(plan.clinic_id.as_deref().unwrap_or("—"));
                });
                row.col(|ui| {
                    ui.label(&plan.protocol_title);
                });
                row.col(|ui| {
                    plan_status_badge(ui, plan.status);
                });
                row.col(|ui| {
                    ui.label(
                        plan.first_session
                            .map_or_else(|| "none".to_owned(), date_text),
                    );
                });
                row.col(|ui| {
                    ui.weak(format!(
                        "{} by {}",
                        timestamp_text(plan.saved_at),
                        plan.saved_by
                    ));
                });
            });
        });
    action
}

/// The text a plan is found by: patient, clinic id, protocol and status.
fn haystack(plan: &PlanSummary) -> String {
    format!(
        "{}\n{}\n{}\n{}\n{}",
        plan.patient_name,
        plan.clinic_id.as_deref().unwrap_or_default(),
        plan.protocol_title,
        plan.protocol_id,
        plan.status.id()
    )
}
