//! The home screen: the clinic's agenda. What is overdue across every plan at the top,
//! then today and the next days, each item with its patient, protocol and what
//! happens; filtered by status and protocol, searched with the patient list's search.
//! A click on the patient or on what happens opens the plan at the item: its line
//! highlighted and scrolled into view.
//!
//! The agenda is made from the index ([`crate::desk::agenda::agenda_rows`], the same
//! as `regen-planner agenda`) when the index, the day or a filter changes, not at every
//! frame; the list shows only the lines in view.

use egui::{RichText, Ui};
use jiff::ToSpan as _;
use jiff::civil::Date;

use super::action::Action;
use super::search::Searchable;
use super::widgets::badge;
use crate::desk::agenda::agenda_rows;
use crate::export::agenda::AgendaRow;
use crate::planning::Severity;
use crate::planning::agenda::{AgendaQuery, DEFAULT_DAYS, ItemState, readable_day};
use crate::store::Index;

/// The ranges offered, in days.
const RANGES: &[(u32, &str)] = &[
    (1, "Today only"),
    (DEFAULT_DAYS, "Today and the next 7 days"),
    (15, "Today and the next 14 days"),
    (31, "Today and the next 30 days"),
];

/// The agenda screen's choices and the agenda they gave.
#[derive(Debug, Default)]
pub struct AgendaView {
    /// Days from today the range starts at (the previous and next buttons).
    offset_days: i64,
    /// How many days; 0 means [`DEFAULT_DAYS`].
    days: u32,
    /// Only items in this state.
    state: Option<ItemState>,
    /// Only plans of this protocol.
    protocol: Option<String>,
    /// The rows of the last query, with the text each is found by.
    rows: Searchable<AgendaRow>,
    /// The query the rows were made for; `None` when the index changed since.
    made_for: Option<AgendaQuery>,
    /// The lines of the matched rows, day headings between them.
    lines: Vec<Line>,
    /// The search the lines were made for.
    lines_for: Option<String>,
    /// Every overdue item is listed, not only the oldest few.
    all_overdue: bool,
}

/// How many overdue items are listed before "Show all": enough to see what was
/// missed, few enough that today's items are in view.
const OVERDUE_SHOWN: usize = 6;

/// One line of the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Line {
    /// The heading of the overdue items, with their count.
    Overdue(usize),
    /// The heading of a day, with its count.
    Day(Date, usize),
    /// The `n`-th matched row.
    Item(usize),
    /// The button that lists the overdue items left out, with their count.
    MoreOverdue(usize),
}

impl AgendaView {
    /// The index changed (loaded, or a record saved): the agenda is made again at the
    /// next frame.
    pub fn invalidate(&mut self) {
        self.made_for = None;
    }

    /// How many days the range has.
    fn days(&self) -> u32 {
        if self.days == 0 {
            DEFAULT_DAYS
        } else {
            self.days
        }
    }

    fn query(&self, today: Date) -> AgendaQuery {
        let from = today.checked_add(self.offset_days.days()).unwrap_or(today);
        AgendaQuery {
            today,
            from,
            days: self.days(),
            state: self.state,
            protocol: self.protocol.clone(),
        }
    }

    /// Makes the rows again when the query or the index changed, and the lines when the
    /// search changed.
    fn refresh(&mut self, index: &Index, today: Date, search: &str) {
        let query = self.query(today);
        if self.made_for.as_ref() != Some(&query) {
            let rows = agenda_rows(index, &query);
            self.rows = Searchable::new(
                rows.into_iter()
                    .map(|row| {
                        let haystack = format!(
                            "{}\n{}\n{}\n{}\n{}",
                            row.patient_name,
                            row.clinic_id.as_deref().unwrap_or_default(),
                            row.protocol_title,
                            row.protocol,
                            row.title
                        );
                        (row, haystack)
                    })
                    .collect(),
            );
            self.made_for = Some(query);
            self.lines_for = None;
        }
        if self.lines_for.as_deref() != Some(search) {
            self.rows.set_query(search);
            self.lines = lines_of(&self.rows, self.all_overdue);
            self.lines_for = Some(search.to_owned());
        }
    }

    /// A view of `days` days from today, showing every overdue item, as the benchmarks
    /// measure it.
    #[must_use]
    pub fn with_days(days: u32) -> Self {
        Self {
            days,
            all_overdue: true,
            ..Self::default()
        }
    }

    /// How many items the agenda shows, and how many of them are overdue.
    #[must_use]
    pub fn counts(&self) -> (usize, usize) {
        let count = self.rows.match_count();
        let overdue = (0..count)
            .filter(|&at| self.rows.matched(at).is_some_and(|row| row.overdue))
            .count();
        (count, overdue)
    }
}

fn lines_of(rows: &Searchable<AgendaRow>, all_overdue: bool) -> Vec<Line> {
    let count = rows.match_count();
    let mut lines = Vec::with_capacity(count + 16);
    let mut at = 0;
    let overdue = (0..count)
        .take_while(|&n| rows.matched(n).is_some_and(|row| row.overdue))
        .count();
    if overdue > 0 {
        lines.push(Line::Overdue(overdue));
        let listed = if all_overdue {
            overdue
        } else {
            overdue.min(OVERDUE_SHOWN)
        };
        lines.extend((0..listed).map(Line::Item));
        if listed < overdue {
            lines.push(Line::MoreOverdue(overdue - listed));
        }
        at = overdue;
    }
    while at < count {
        let Some(date) = rows.matched(at).map(|row| row.date) else {
            break;
        };
        let end = (at..count)
            .find(|&n| rows.matched(n).is_none_or(|row| row.date != date))
            .unwrap_or(count);
        lines.push(Line::Day(date, end - at));
        lines.extend((at..end).map(Line::Item));
        at = end;
    }
    lines
}

/// What the agenda screen needs besides its own state.
#[derive(Debug, Clone, Copy)]
pub struct AgendaShown<'a> {
    /// The index, once it is loaded.
    pub index: Option<&'a Index>,
    /// Why the index could not be loaded, if it could not.
    pub failed: Option<&'a str>,
    /// The protocols for the filter: id and title.
    pub protocols: &'a [(String, String)],
    /// The patient list's search.
    pub search: &'a str,
    /// Today.
    pub today: Date,
    /// The first frame of the screen: the list starts at its top.
    pub fresh: bool,
}

/// The agenda screen. Returns what the physician asked for.
pub fn agenda_ui(ui: &mut Ui, view: &mut AgendaView, shown: &AgendaShown<'_>) -> Option<Action> {
    let mut action = None;
    // Two rows, so that no label is parted from its list on a narrow window.
    ui.horizontal_wrapped(|ui| {
        ui.heading("Agenda");
        ui.separator();
        range_buttons_ui(ui, view);
    });
    ui.horizontal_wrapped(|ui| filters_ui(ui, view, shown.protocols));
    let Some(index) = shown.index else {
        if let Some(error) = shown.failed {
            ui.colored_label(
                ui.visuals().error_fg_color,
                format!("The agenda cannot be made: {error}"),
            );
        } else {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label("Loading the agenda…");
            });
        }
        return action;
    };
    view.refresh(index, shown.today, shown.search);
    let query = view.query(shown.today);
    let (count, overdue) = view.counts();
    let range = if query.days == 1 {
        readable_day(query.from)
    } else {
        format!(
            "{} to {}",
            readable_day(query.from),
            readable_day(query.until())
        )
    };
    let searched = if shown.search.trim().is_empty() {
        String::new()
    } else {
        " matching the search".to_owned()
    };
    ui.weak(format!(
        "{range}: {} on these days{searched}, {overdue} overdue",
        crate::export::count(count - overdue, "item", "items")
    ));
    ui.separator();
    if view.lines.is_empty() {
        ui.label(if index.plans.is_empty() {
            "No plan yet, so nothing is due. Start one with Ctrl+N."
        } else {
            "Nothing is due on these days, and nothing is overdue."
        });
        if index.plans.is_empty() && ui.button("New plan…").clicked() {
            action = Some(Action::NewPlan(None));
        }
        return action;
    }
    let row_height = ui.spacing().interact_size.y + 2.0;
    let mut area = egui::ScrollArea::vertical()
        .id_salt("agenda")
        .auto_shrink(false);
    if shown.fresh {
        area = area.vertical_scroll_offset(0.0);
    }
    let mut toggle_overdue = false;
    area.show_rows(ui, row_height, view.lines.len(), |ui, range| {
        for line in &view.lines[range] {
            match *line {
                Line::Item(at) => {
                    if let Some(row) = view.rows.matched(at)
                        && let Some(clicked) = item_ui(ui, row, row_height)
                    {
                        action = Some(clicked);
                    }
                }
                heading => {
                    toggle_overdue |=
                        heading_ui(ui, heading, view.all_overdue, shown.today, row_height);
                }
            }
        }
    });
    if toggle_overdue {
        view.all_overdue = !view.all_overdue;
        view.lines = lines_of(&view.rows, view.all_overdue);
    }
    action
}

/// A heading line: the overdue items' or a day's, or the button that lists the overdue
/// items left out. Returns whether the overdue items were asked to be shown otherwise.
fn heading_ui(ui: &mut Ui, line: Line, all_overdue: bool, today: Date, row_height: f32) -> bool {
    let mut toggle_overdue = false;
    match line {
        Line::Overdue(count) => {
            let color = ui.visuals().error_fg_color;
            heading_line(ui, row_height, |ui| {
                ui.label(
                    RichText::new(format!("Overdue ({count})"))
                        .strong()
                        .size(15.0)
                        .color(color),
                );
                if all_overdue
                    && count > OVERDUE_SHOWN
                    && ui.button("Show only the oldest").clicked()
                {
                    toggle_overdue = true;
                }
            });
        }
        Line::MoreOverdue(count) => {
            heading_line(ui, row_height, |ui| {
                ui.add_space(12.0);
                if ui.button(format!("Show {count} more overdue")).clicked() {
                    toggle_overdue = true;
                }
            });
        }
        Line::Day(date, count) => {
            let today = if date == today { ", today" } else { "" };
            heading_line(ui, row_height, |ui| {
                ui.label(
                    RichText::new(format!("{}{today} ({count})", readable_day(date)))
                        .strong()
                        .size(15.0),
                );
            });
        }
        Line::Item(_) => {}
    }
    toggle_overdue
}

/// A line of the list other than an item: left-aligned, as tall as an item.
fn heading_line(ui: &mut Ui, row_height: f32, add: impl FnOnce(&mut Ui)) {
    line_ui(ui, row_height, add);
}

/// One line of the list, exactly `row_height` tall, as the list's scrolling counts
/// them: shorter lines would leave the bottom of the list empty.
fn line_ui(ui: &mut Ui, row_height: f32, add: impl FnOnce(&mut Ui)) {
    ui.allocate_ui_with_layout(
        egui::vec2(ui.available_width(), row_height),
        egui::Layout::left_to_right(egui::Align::Center),
        |ui| {
            ui.set_min_height(row_height);
            ui.set_max_height(row_height);
            add(ui);
        },
    );
}

/// The width of the overdue items' badge column ("Overdue since 28 Sep 2026"), so
/// that their patients line up.
const OVERDUE_BADGE_WIDTH: f32 = 176.0;

/// Previous days, Today, Next days.
fn range_buttons_ui(ui: &mut Ui, view: &mut AgendaView) {
    if ui.button("Previous days").clicked() {
        view.offset_days -= i64::from(view.days());
    }
    if ui
        .add_enabled(view.offset_days != 0, egui::Button::new("Today"))
        .clicked()
    {
        view.offset_days = 0;
    }
    if ui.button("Next days").clicked() {
        view.offset_days += i64::from(view.days());
    }
}

fn filters_ui(ui: &mut Ui, view: &mut AgendaView, protocols: &[(String, String)]) {
    let days = view.days();
    let days_text = RANGES
        .iter()
        .find(|(count, _)| *count == days)
        .map_or_else(|| format!("{days} days"), |(_, text)| (*text).to_owned());
    let label = ui.label("Days");
    egui::ComboBox::from_id_salt("agenda-days")
        .selected_text(days_text)
        .show_ui(ui, |ui| {
            for (count, text) in RANGES {
                ui.selectable_value(&mut view.days, *count, *text);
            }
        })
        .response
        .labelled_by(label.id);
    let state_text = view.state.map_or("Everything", ItemState::label);
    let label = ui.label("Status");
    egui::ComboBox::from_id_salt("agenda-status")
        .selected_text(state_text)
        .show_ui(ui, |ui| {
            ui.selectable_value(&mut view.state, None, "Everything");
            for state in [ItemState::Overdue, ItemState::Due, ItemState::Done] {
                ui.selectable_value(&mut view.state, Some(state), state.label());
            }
        })
        .response
        .labelled_by(label.id);
    let protocol_text = view
        .protocol
        .as_ref()
        .and_then(|id| protocols.iter().find(|(known, _)| known == id))
        .map_or("Every protocol", |(_, title)| title.as_str());
    let label = ui.label("Protocol");
    egui::ComboBox::from_id_salt("agenda-protocol")
        .selected_text(protocol_text)
        .width(220.0)
        .truncate()
        .show_ui(ui, |ui| {
            ui.selectable_value(&mut view.protocol, None, "Every protocol");
            for (id, title) in protocols {
                ui.selectable_value(&mut view.protocol, Some(id.clone()), title);
            }
        })
        .response
        .labelled_by(label.id);
}

/// One item: its kind (and duration), its state when overdue or done, the patient
/// (opens the plan) and what happens.
fn item_ui(ui: &mut Ui, row: &AgendaRow, row_height: f32) -> Option<Action> {
    let mut action = None;
    ui.push_id(
        (
            &row.plan,
            row.kind,
            row.date,
            row.number,
            row.session,
            &row.title,
        ),
        |ui| {
            line_ui(ui, row_height, |ui| {
                ui.add_space(12.0);
                ui.allocate_ui_with_layout(
                    egui::vec2(150.0, row_height - 6.0),
                    egui::Layout::left_to_right(egui::Align::Center),
                    |ui| {
                        ui.set_min_width(150.0);
                        ui.add(
                            egui::Label::new(RichText::new(row.kind_label()).strong()).truncate(),
                        );
                    },
                );
                if row.overdue {
                    ui.allocate_ui_with_layout(
                        egui::vec2(OVERDUE_BADGE_WIDTH, row_height),
                        egui::Layout::left_to_right(egui::Align::Center),
                        |ui| {
                            ui.set_min_width(OVERDUE_BADGE_WIDTH);
                            badge(
                                ui,
                                &format!("Overdue since {}", row.date.strftime("%-d %b %Y")),
                                Severity::Contraindicated,
                            );
                        },
                    );
                }
                let patient = ui
                    .add(
                        egui::Button::new(RichText::new(row.patient_label()).strong()).frame(false),
                    )
                    .on_hover_text(format!(
                        "Open the plan at this item: {}",
                        row.protocol_title
                    ));
                // A settled item says so before what happens, so that the patients of a
                // day stay in line.
                if row.state == ItemState::Done {
                    badge(ui, "Done", Severity::Notice);
                }
                let what_text = format!("{} ({})", row.title, row.protocol_title);
                let what = ui
                    .add(
                        egui::Button::new(what_text.as_str())
                            .frame(false)
                            .truncate(),
                    )
                    .on_hover_text(format!("{what_text}\nOpen the plan at this item."));
                if (patient.clicked() || what.clicked())
                    && let Ok(id) = row.plan.parse()
                {
                    action = Some(match &row.place {
                        Some(place) => Action::OpenPlanAt(id, place.clone()),
                        None => Action::OpenPlan(id),
                    });
                }
            });
        },
    );
    action
}
