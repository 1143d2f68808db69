//! The patient list: search as you type (name, clinic id, protocol, status), newest
//! activity first. Only the visible rows are built, so ten thousand patients cost no
//! more than twenty.

use std::collections::BTreeMap;

use egui::{RichText, Ui};
use jiff::Timestamp;

use super::action::Action;
use super::search::Searchable;
use super::widgets::plan_status_badge;
use crate::planning::PlanStatus;
use crate::store::{PatientId, PatientSummary, PlanId, PlanSummary};

/// One row of the list: a patient and their newest plan.
#[derive(Debug, Clone)]
pub struct PatientRow {
    /// The patient.
    pub id: PatientId,
    /// Full name.
    pub name: String,
    /// The clinic's own id.
    pub clinic_id: Option<String>,
    /// The newest plan, its protocol and status, if any.
    pub latest_plan: Option<(PlanId, String, PlanStatus)>,
    /// How many plans the patient has.
    pub plan_count: usize,
    /// The newest save of the patient or any of their plans.
    pub last_activity: Timestamp,
}

/// The rows, built once per change of the index, not per frame; found by name, clinic
/// id, protocols and statuses.
#[derive(Debug, Clone, Default)]
pub struct PatientList {
    rows: Searchable<PatientRow>,
}

impl PatientRow {
    /// The row of a patient with their plans (in any order), and the text it is found by.
    fn new(patient: &PatientSummary, plans: &[&PlanSummary]) -> (Self, String) {
        let mut own = plans.to_vec();
        own.sort_by_key(|plan| std::cmp::Reverse(plan.saved_at));
        let mut haystack = patient.name.clone();
        if let Some(clinic_id) = &patient.clinic_id {
            haystack.push('\n');
            haystack.push_str(clinic_id);
        }
        for plan in &own {
            haystack.push('\n');
            haystack.push_str(&plan.protocol_title);
            haystack.push('\n');
            haystack.push_str(plan.protocol_id.as_str());
            haystack.push('\n');
            haystack.push_str(plan.status.id());
        }
        let last_activity = own
            .first()
            .map_or(patient.saved_at, |plan| plan.saved_at.max(patient.saved_at));
        let row = PatientRow {
            id: patient.id.clone(),
            name: patient.name.clone(),
            clinic_id: patient.clinic_id.clone(),
            latest_plan: own
                .first()
                .map(|plan| (plan.id.clone(), plan.protocol_title.clone(), plan.status)),
            plan_count: own.len(),
            last_activity,
        };
        (row, haystack)
    }

    /// The list's order: newest activity first, then by name, then by id.
    fn order(a: &Self, b: &Self) -> std::cmp::Ordering {
        b.last_activity
            .cmp(&a.last_activity)
            .then_with(|| a.name.cmp(&b.name))
            .then_with(|| a.id.cmp(&b.id))
    }
}

impl PatientList {
    /// Builds the rows from the index, newest activity first.
    #[must_use]
    pub fn new(patients: &[PatientSummary], plans: &[PlanSummary]) -> Self {
        let mut plans_by_patient: BTreeMap<&PatientId, Vec<&PlanSummary>> = BTreeMap::new();
        for plan in plans {
            plans_by_patient
                .entry(&plan.patient)
                .or_default()
                .push(plan);
        }
        let mut rows: Vec<(PatientRow, String)> = patients
            .iter()
            .map(|patient| {
                let own = plans_by_patient
                    .get(&patient.id)
                    .map_or(&[][..], Vec::as_slice);
                PatientRow::new(patient, own)
            })
            .collect();
        rows.sort_by(|(a, _), (b, _)| PatientRow::order(a, b));
        Self {
            rows: Searchable::new(rows),
        }
    }

    /// Brings one patient's row up to date after a save of theirs (of the patient or
    /// of one of their plans), given all of their plans, without rebuilding the other
    /// rows. The result is the list [`PatientList::new`] would build.
    pub fn update_patient(&mut self, patient: &PatientSummary, plans: &[PlanSummary]) {
        let plans: Vec<&PlanSummary> = plans.iter().collect();
        let (row, haystack) = PatientRow::new(patient, &plans);
        let id = row.id.clone();
        self.rows
            .upsert(row, &haystack, |known| known.id == id, PatientRow::order);
    }

    /// Every row, newest activity first.
    #[must_use]
    pub fn rows(&self) -> &[PatientRow] {
        self.rows.rows()
    }

    /// Filters the rows by the query: every word must appear, in any order.
    pub fn set_query(&mut self, query: &str) {
        self.rows.set_query(query);
    }

    /// How many rows match the query.
    #[must_use]
    pub fn match_count(&self) -> usize {
        self.rows.match_count()
    }

    /// The `index`-th matching row, newest activity first.
    #[must_use]
    pub fn matched(&self, index: usize) -> Option<&PatientRow> {
        self.rows.matched(index)
    }
}

/// Where the list stands while the index loads in the background.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListStatus {
    /// Loading: done of total files.
    Loading {
        /// Files read.
        done: usize,
        /// Files to read.
        total: usize,
    },
    /// Loaded.
    Ready,
    /// The database the list is on is being connected to.
    Connecting,
    /// The list could not be read (why is said above it).
    Unread,
}

/// The search field's id, so Ctrl+F can focus it.
#[must_use]
pub fn search_field_id() -> egui::Id {
    egui::Id::unique("patient-search")
}

/// The left panel: search field and the virtualized list.
pub fn patient_list_ui(
    ui: &mut Ui,
    list: &mut PatientList,
    query: &mut String,
    selected: Option<&PatientId>,
    status: ListStatus,
) -> Option<Action> {
    let mut action = None;
    ui.add_space(4.0);
    ui.horizontal(|ui| {
        let label = ui.label("Search");
        ui.add(
            egui::TextEdit::singleline(query)
                .id(search_field_id())
                .hint_text("Name, clinic id, protocol or status (Ctrl+F)")
                .desired_width(ui.available_width()),
        )
        .labelled_by(label.id);
    });
    if status == ListStatus::Connecting {
        ui.horizontal(|ui| {
            ui.spinner();
            ui.label("Connecting to the database server…");
        });
    }
    if let ListStatus::Loading { done, total } = status {
        ui.horizontal(|ui| {
            ui.spinner();
            ui.label(format!(
                "Loading patients and plans: {done} of {total} files"
            ));
        });
        if total > 0 {
            #[expect(clippy::cast_precision_loss, reason = "a progress fraction")]
            let fraction = done as f32 / total as f32;
            ui.add(egui::ProgressBar::new(fraction).desired_height(6.0));
        }
    }
    list.set_query(query);
    let count = list.match_count();
    ui.weak(match (count, query.trim().is_empty()) {
        (0, _) if matches!(status, ListStatus::Unread | ListStatus::Connecting) => {
            "No list to show until it can be read.".to_owned()
        }
        (0, true) if status == ListStatus::Ready => {
            "No patients yet. Create a plan with Ctrl+N.".to_owned()
        }
        (count, true) => format!(
            "{}, newest activity first",
            crate::export::count(count, "patient", "patients")
        ),
        (count, false) => format!(
            "{count} of {} match",
            crate::export::count(list.rows().len(), "patient", "patients")
        ),
    });
    ui.separator();
    let row_height = 46.0;
    egui::ScrollArea::vertical().auto_shrink(false).show_rows(
        ui,
        row_height,
        count,
        |ui, range| {
            for index in range {
                let Some(row) = list.matched(index) else {
                    continue;
                };
                if let Some(clicked) =
                    patient_row_ui(ui, row, selected == Some(&row.id), row_height)
                {
                    action = Some(clicked);
                }
            }
        },
    );
    action
}

/// One row: the name opens the patient, the line of their newest plan opens that plan.
fn patient_row_ui(
    ui: &mut Ui,
    row: &PatientRow,
    is_selected: bool,
    row_height: f32,
) -> Option<Action> {
    let title = match &row.clinic_id {
        Some(clinic_id) => format!("{} ({clinic_id})", row.name),
        None => row.name.clone(),
    };
    ui.push_id(&row.id, |ui| {
        ui.set_min_height(row_height - 6.0);
        let response = ui.add(
            egui::Button::selectable(is_selected, RichText::new(&title).strong())
                .truncate()
                .min_size(egui::vec2(ui.available_width(), 0.0)),
        );
        let mut action = response
            .clicked()
            .then(|| Action::OpenPatient(row.id.clone()));
        ui.horizontal(|ui| match &row.latest_plan {
            Some((plan, protocol, status)) => {
                let badge = plan_status_badge(ui, *status).interact(egui::Sense::click());
                if row.plan_count > 1 {
                    ui.weak(format!("{} plans, latest:", row.plan_count));
                }
                let line = ui
                    .add(
                        egui::Button::new(RichText::new(protocol).weak())
                            .frame(false)
                            .truncate(),
                    )
                    .on_hover_text(format!("Open {protocol}"));
                if line.clicked() || badge.clicked() {
                    action = Some(Action::OpenPlan(plan.clone()));
                }
            }
            None => {
                ui.weak("No plan yet");
            }
        });
        action
    })
    .inner
}
#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::ProtocolId;

    fn patient(n: i64, name: &str) -> PatientSummary {
        PatientSummary {
            id: format!("{n:032x}").parse().unwrap(),
            name: name.to_owned(),
            birth_date: None,
            clinic_id: Some(format!("C-{n}")),
            revision: 1,
            saved_at: Timestamp::from_second(1_800_000_000 + n).unwrap(),
        }
    }

    fn plan(n: i64, patient: &PatientSummary, protocol: &str, seconds: i64) -> PlanSummary {
        PlanSummary {
            id: format!("{n:032x}").parse().unwrap(),
            patient: patient.id.clone(),
            patient_name: patient.name.clone(),
            clinic_id: patient.clinic_id.clone(),
            protocol_id: ProtocolId::new(protocol).unwrap(),
            protocol_title: protocol.replace('-', " "),
            status: PlanStatus::Draft,
            first_session: None,
            revision: 1,
            saved_at: Timestamp::from_second(1_800_000_000 + seconds).unwrap(),
            saved_by: "Dr. Test".to_owned(),
            lots: Vec::new(),
            agenda: crate::store::AgendaItems::default(),
        }
    }

    fn shown(list: &PatientList) -> Vec<(String, usize, Option<String>)> {
        (0..list.match_count())
            .filter_map(|index| list.matched(index))
            .map(|row| {
                let latest = row.latest_plan.as_ref().map(|(_, title, _)| title.clone());
                (row.name.clone(), row.plan_count, latest)
            })
            .collect()
    }

    #[test]
    fn typing_on_finds_what_a_fresh_search_finds() {
        let patients: Vec<PatientSummary> = ["Ana Lima", "Alan Bo", "Lia Cruz", "Bo Alves"]
            .iter()
            .zip(1..)
            .map(|(name, n)| patient(n, name))
            .collect();
        let plans = vec![plan(1, &patients[2], "prp-hair", 5)];
        let mut typed = PatientList::new(&patients, &plans);
        for query in [
            "a", "al", "ala", "al", "al b", "al bo", "l", "li", "lim", "", "hair", "prp h", "b",
        ] {
            typed.set_query(query);
            let mut fresh = PatientList::new(&patients, &plans);
            fresh.set_query(query);
            assert_eq!(shown(&typed), shown(&fresh), "{query:?}");
        }
    }

    #[test]
    fn updating_one_patient_gives_the_list_a_rebuild_gives() {
        let patients: Vec<PatientSummary> = ["Ana", "Bo", "Cy", "Di", "Ana"]
            .iter()
            .zip(1..)
            .map(|(name, n)| patient(n, name))
            .collect();
        let mut plans = vec![
            plan(1, &patients[0], "prp-hair", 50),
            plan(2, &patients[1], "prp-joint", 10),
            plan(3, &patients[3], "bmac-joint", 30),
        ];
        let mut list = PatientList::new(&patients, &plans);
        list.set_query("j");

        // A new plan for Cy, then a later save of Ana's plan.
        plans.push(plan(4, &patients[2], "adipose-hair", 60));
        let of = |plans: &[PlanSummary], patient: &PatientSummary| -> Vec<PlanSummary> {
            plans
                .iter()
                .filter(|plan| plan.patient == patient.id)
                .cloned()
                .collect()
        };
        list.update_patient(&patients[2], &of(&plans, &patients[2]));
        plans[0].saved_at = Timestamp::from_second(1_800_000_090).unwrap();
        plans[0].status = PlanStatus::Active;
        list.update_patient(&patients[0], &of(&plans, &patients[0]));

        let mut rebuilt = PatientList::new(&patients, &plans);
        rebuilt.set_query("j");
        assert_eq!(shown(&list), shown(&rebuilt));
        assert_eq!(list.match_count(), 2, "{:?}", shown(&list));
        list.set_query("");
        rebuilt.set_query("");
        assert_eq!(shown(&list), shown(&rebuilt));
        assert_eq!(shown(&list)[0].0, "Ana", "the newest activity comes first");
    }
}
