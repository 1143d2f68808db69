//! Every plan of the clinic in one table, newest save first, filtered by the same search
//! as the patient list. Only the visible rows are built.

use egui::Ui;
use egui_extras::{Column, TableBuilder};

use super::action::Action;
use super::search::Searchable;
use super::widgets::{date_text, plan_status_badge, timestamp_text};
use crate::store::PlanSummary;

/// A column of the table, by which it can be sorted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanColumn {
    /// The patient's name.
    Patient,
    /// The clinic's id of the patient.
    ClinicId,
    /// The protocol's title.
    Protocol,
    /// Draft, active, completed, cancelled.
    Status,
    /// The date of the first session.
    FirstSession,
    /// When the plan was last saved.
    LastSaved,
}

impl PlanColumn {
    const ALL: [PlanColumn; 6] = [
        PlanColumn::Patient,
        PlanColumn::ClinicId,
        PlanColumn::Protocol,
        PlanColumn::Status,
        PlanColumn::FirstSession,
        PlanColumn::LastSaved,
    ];

    /// The header's title.
    #[must_use]
    pub fn title(self) -> &'static str {
        match self {
            PlanColumn::Patient => "Patient",
            PlanColumn::ClinicId => "Clinic id",
            PlanColumn::Protocol => "Protocol",
            PlanColumn::Status => "Status",
            PlanColumn::FirstSession => "First session",
            PlanColumn::LastSaved => "Last saved",
        }
    }

    /// The order of two plans by this column, smallest first; ties by newest save.
    fn compare(self, a: &PlanSummary, b: &PlanSummary) -> std::cmp::Ordering {
        let by_column = match self {
            PlanColumn::Patient => fold_key(&a.patient_name).cmp(&fold_key(&b.patient_name)),
            PlanColumn::ClinicId => a.clinic_id.cmp(&b.clinic_id),
            PlanColumn::Protocol => a.protocol_title.cmp(&b.protocol_title),
            PlanColumn::Status => a.status.label().cmp(b.status.label()),
            PlanColumn::FirstSession => a.first_session.cmp(&b.first_session),
            PlanColumn::LastSaved => a.saved_at.cmp(&b.saved_at),
        };
        by_column
            .then_with(|| b.saved_at.cmp(&a.saved_at))
            .then_with(|| a.id.cmp(&b.id))
    }
}

/// A name as sorted: accents and case folded, so that "Ólafur" sorts with "Olaf".
fn fold_key(text: &str) -> String {
    super::search::fold(text)
}

/// How the table is sorted: a column, and whether largest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sorting {
    /// The column.
    pub column: PlanColumn,
    /// Largest (or newest, or Z) first.
    pub descending: bool,
}

impl Default for Sorting {
    /// Newest save first.
    fn default() -> Self {
        Self {
            column: PlanColumn::LastSaved,
            descending: true,
        }
    }
}

impl Sorting {
    fn compare(self, a: &PlanSummary, b: &PlanSummary) -> std::cmp::Ordering {
        let order = self.column.compare(a, b);
        if self.descending {
            order.reverse()
        } else {
            order
        }
    }

    /// The order in words, for the line above the table: "newest save first".
    fn words(self) -> String {
        let (up, down) = match self.column {
            PlanColumn::Patient
            | PlanColumn::ClinicId
            | PlanColumn::Protocol
            | PlanColumn::Status => ("A to Z", "Z to A"),
            PlanColumn::FirstSession => {
                ("earliest first session first", "latest first session first")
            }
            PlanColumn::LastSaved => ("oldest save first", "newest save first"),
        };
        let direction = if self.descending { down } else { up };
        match self.column {
            PlanColumn::FirstSession | PlanColumn::LastSaved => direction.to_owned(),
            column => format!("by {}, {direction}", column.title().to_lowercase()),
        }
    }
}

/// A small triangle after the title of the column the table is sorted by, pointing up
/// for smallest first and down for largest first (the line above the table says the
/// order in words).
fn sort_arrow(ui: &Ui, title: egui::Rect, descending: bool) {
    let size = 4.0;
    let center = egui::pos2(title.right() + size + 4.0, title.center().y);
    let (tip, base) = if descending {
        (size, -size)
    } else {
        (-size, size)
    };
    let points = vec![
        egui::pos2(center.x, center.y + tip),
        egui::pos2(center.x - size, center.y + base),
        egui::pos2(center.x + size, center.y + base),
    ];
    let color = ui.visuals().strong_text_color();
    ui.painter().add(egui::Shape::convex_polygon(
        points,
        color,
        egui::Stroke::NONE,
    ));
}

/// The rows of the table, built once per change of the index.
#[derive(Debug, Clone, Default)]
pub struct PlansTable {
    rows: Searchable<PlanSummary>,
    sorting: Sorting,
}

impl PlansTable {
    /// Every plan, newest save first, found by patient, clinic id, protocol and status.
    #[must_use]
    pub fn new(plans: &[PlanSummary]) -> Self {
        let mut table = Self {
            rows: Searchable::default(),
            sorting: Sorting::default(),
        };
        table.rows = table.sorted(plans.to_vec());
        table
    }

    fn sorted(&self, mut plans: Vec<PlanSummary>) -> Searchable<PlanSummary> {
        let sorting = self.sorting;
        plans.sort_by(|a, b| sorting.compare(a, b));
        let mut rows = Searchable::new(
            plans
                .into_iter()
                .map(|plan| {
                    let text = haystack(&plan);
                    (plan, text)
                })
                .collect(),
        );
        rows.set_query(self.rows.query());
        rows
    }

    /// Sorts by `column`; the same column again reverses the order.
    pub fn sort_by(&mut self, column: PlanColumn) {
        self.sorting = if self.sorting.column == column {
            Sorting {
                column,
                descending: !self.sorting.descending,
            }
        } else {
            Sorting {
                column,
                descending: matches!(column, PlanColumn::LastSaved | PlanColumn::FirstSession),
            }
        };
        self.rows = self.sorted(self.rows.rows().to_vec());
    }

    /// Brings one plan's row up to date after a save, without rebuilding the others.
    pub fn update_plan(&mut self, plan: &PlanSummary) {
        let id = plan.id.clone();
        let sorting = self.sorting;
        self.rows.upsert(
            plan.clone(),
            &haystack(plan),
            |known| known.id == id,
            |a, b| sorting.compare(a, b),
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

/// The table; clicking a patient's name opens the plan, clicking a header sorts by it.
/// `fresh` (the first frame of the screen) shows its top.
pub fn plans_table_ui(
    ui: &mut Ui,
    table: &mut PlansTable,
    query: &str,
    fresh: bool,
) -> Option<Action> {
    table.rows.set_query(query);
    let count = table.rows.match_count();
    let order = table.sorting.words();
    ui.weak(if query.trim().is_empty() {
        format!("{}, {order}", crate::export::count(count, "plan", "plans"))
    } else {
        format!(
            "{count} of {} match the search, {order}",
            crate::export::count(table.len(), "plan", "plans")
        )
    });
    let mut action = None;
    let mut sort_by = None;
    let sorting = table.sorting;
    let mut builder = TableBuilder::new(ui)
        .id_salt("plans-table")
        .striped(true)
        .cell_layout(egui::Layout::left_to_right(egui::Align::Center));
    if fresh {
        builder = builder.vertical_scroll_offset(0.0);
    }
    // The names, protocols and saves share the width that is left, so that a wide
    // window shows whole titles instead of empty space.
    builder
        // The minimums fit the narrowest window (1024 wide beside the patient list).
        .column(Column::remainder().at_least(100.0).clip(true))
        .column(Column::initial(96.0).at_least(60.0).clip(true))
        .column(Column::remainder().at_least(110.0).clip(true))
        .column(Column::initial(92.0).at_least(84.0))
        .column(Column::initial(112.0).at_least(106.0))
        .column(Column::remainder().at_least(100.0).clip(true))
        .header(24.0, |mut header| {
            for column in PlanColumn::ALL {
                header.col(|ui| {
                    let response = ui
                        .add(
                            egui::Button::new(egui::RichText::new(column.title()).strong())
                                .frame(false),
                        )
                        .on_hover_text(format!(
                            "Sort by {}; click again to reverse",
                            column.title().to_lowercase()
                        ));
                    if sorting.column == column {
                        sort_arrow(ui, response.rect, sorting.descending);
                    }
                    if response.clicked() {
                        sort_by = Some(column);
                    }
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
    if let Some(column) = sort_by {
        table.sort_by(column);
    }
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
