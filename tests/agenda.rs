//! The clinic's agenda over demo data, checked against the plans themselves: every
//! dated item of every draft or active plan in the range appears exactly once, every
//! overdue item once at the top, and nothing else; a moved session moves at once and a
//! cancelled plan leaves; the index's cached items are never trusted over the records.
//! The PDF is read back with `pdftotext`, the clinic's calendar with the icalendar
//! crate.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly on anything unexpected"
)]

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use jiff::ToSpan as _;
use jiff::civil::Date;
use regen_planner::catalog::{Catalog, StepKind};
use regen_planner::demo::{DemoOptions, create_demo};
use regen_planner::desk::agenda::{agenda_rows, calendar_plans};
use regen_planner::export::agenda::{
    AgendaRow, AgendaSheet, ClinicCalendar, agenda_pdf, clinic_calendar_ics,
};
use regen_planner::planning::agenda::{AgendaKind, AgendaQuery, SCORE_WINDOW_DAYS};
use regen_planner::planning::{ClinicOptions, PlanStatus, checklist_keys, move_session};
use regen_planner::store::{Index, PlanId, PlanRecord, Store, Summary};

/// The demo data's "now", and the agenda's today: a day with plans on either side.
const NOW: &str = "2027-01-18T10:30:00Z";

fn today() -> Date {
    "2027-01-18".parse().unwrap()
}

fn demo(patients: usize) -> (tempfile::TempDir, Store) {
    let (catalog, _) = Catalog::builtin();
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = create_demo(
        &dir.path().join("data"),
        &catalog,
        &DemoOptions {
            patients,
            seed: 7,
            now: NOW.parse().unwrap(),
        },
    )
    .unwrap();
    (dir, store)
}

/// What identifies an item on the agenda: plan, kind, day, session, overdue.
type Key = (String, AgendaKind, Date, Option<u32>, bool);

fn key_of(row: &AgendaRow) -> Key {
    (
        row.plan.clone(),
        row.kind,
        row.date,
        row.number.or(row.session),
        row.overdue,
    )
}

fn last_open_before(clinic: &ClinicOptions, date: Date) -> Date {
    let mut day = date.yesterday().unwrap();
    while !clinic.is_open(day) {
        day = day.yesterday().unwrap();
    }
    day
}

fn first_open_after(clinic: &ClinicOptions, date: Date) -> Date {
    let mut day = date.tomorrow().unwrap();
    while !clinic.is_open(day) {
        day = day.tomorrow().unwrap();
    }
    day
}

/// The agenda's items as the plan itself says they should be, made here from the
/// saved record without the app's agenda code.
fn expected_of(id: &str, record: &PlanRecord, query: &AgendaQuery, out: &mut Vec<Key>) {
    if !matches!(record.status, PlanStatus::Draft | PlanStatus::Active) {
        return;
    }
    let today = query.today;
    let until = query.until();
    let plan = &record.plan;
    let recorded = |number: u32| record.records.iter().any(|r| r.session == number);
    let mut push = |kind, date: Date, session, overdue: bool| {
        if overdue || (date >= query.from && date <= until) {
            out.push((id.to_owned(), kind, date, session, overdue));
        }
    };
    let clinic = &record.request.options;
    for session in &plan.sessions {
        let done = recorded(session.number);
        push(
            AgendaKind::Session,
            session.date,
            Some(session.number),
            !done && session.date < today,
        );
        push(
            AgendaKind::Call,
            last_open_before(clinic, session.date),
            Some(session.number),
            false,
        );
        if session
            .steps
            .iter()
            .any(|step| step.kind == StepKind::Harvest)
        {
            push(
                AgendaKind::Call,
                first_open_after(clinic, session.date),
                Some(session.number),
                false,
            );
        }
    }
    for task in &plan.pre_procedure {
        let ticked = record
            .checklist
            .contains_key(&checklist_keys::pre_before(task.session, &task.task));
        let session = plan
            .sessions
            .iter()
            .find(|session| session.number == task.session)
            .unwrap();
        let overdue =
            !ticked && task.due < today && !recorded(session.number) && session.date >= today;
        push(
            AgendaKind::Preparation,
            task.due,
            Some(task.session),
            overdue,
        );
    }
    // The tasks the physician added with a due day, as preparation deadlines: overdue
    // once the day passed unticked; a withdrawn one is not on the agenda.
    for (index, task) in record.extra_tasks.iter().enumerate() {
        let Some(due) = task.due else { continue };
        if task.withdrawn {
            continue;
        }
        let ticked = record.checklist.contains_key(&checklist_keys::extra(index));
        push(AgendaKind::Preparation, due, None, !ticked && due < today);
    }
    for visit in &plan.follow_ups {
        let scored = record.scores.iter().any(|score| {
            let days = (score.date - visit.date).get_days().abs();
            i64::from(days) <= SCORE_WINDOW_DAYS
        });
        let ticked = record
            .checklist
            .contains_key(&checklist_keys::follow_up(&visit.purpose));
        push(
            AgendaKind::FollowUp,
            visit.date,
            None,
            !scored && !ticked && visit.date < today,
        );
    }
}

fn expected(store: &Store, index: &Index, query: &AgendaQuery) -> Vec<Key> {
    let mut out = Vec::new();
    for plan in &index.plans {
        let record = store.load_plan(&plan.id).unwrap().value;
        expected_of(plan.id.as_str(), &record, query, &mut out);
    }
    out.sort();
    out
}

fn shown(index: &Index, query: &AgendaQuery) -> Vec<Key> {
    let mut keys: Vec<Key> = agenda_rows(index, query).iter().map(key_of).collect();
    keys.sort();
    keys
}

#[test]
fn every_dated_item_of_every_plan_is_on_the_agenda_exactly_once() {
    let (_dir, store) = demo(120);
    let index = store.load_index(&mut |_| {}).unwrap();
    assert!(index.problems.is_empty(), "{:?}", index.problems);
    for (from, days) in [(today(), 8), (today().checked_sub(30.days()).unwrap(), 90)] {
        let query = AgendaQuery {
            from,
            days,
            ..AgendaQuery::week_from(today())
        };
        let expected = expected(&store, &index, &query);
        let rows = agenda_rows(&index, &query);
        assert!(
            expected.iter().any(|key| !key.4) && expected.iter().any(|key| key.4),
            "the demo data has items in the range and overdue ones: {expected:?}"
        );
        assert_eq!(shown(&index, &query), expected);
        // The physician's dated tasks are among them, on their day and overdue.
        let added = |overdue: bool| {
            rows.iter()
                .filter(|row| row.overdue == overdue && row.title.starts_with("Added task: "))
                .count()
        };
        assert!(
            added(true) > 0 && (days < 90 || added(false) > 0),
            "the demo data has added tasks overdue and, over 90 days, to come: {} overdue, {} to come over {days} days",
            added(true),
            added(false)
        );
        // Overdue first, oldest first; then by day.
        let overdue = rows.iter().take_while(|row| row.overdue).count();
        assert!(rows[overdue..].iter().all(|row| !row.overdue));
        assert!(rows[..overdue].is_sorted_by_key(|row| row.date));
        assert!(rows[overdue..].is_sorted_by_key(|row| row.date));
        // A session says its number and how long it takes; nothing cites a source.
        for row in &rows {
            assert_eq!(row.kind == AgendaKind::Session, row.number.is_some());
            assert_eq!(
                row.kind == AgendaKind::Session,
                row.duration_minutes.is_some()
            );
            assert!(!row.title.contains('['), "{}", row.title);
            assert!(!row.patient_name.is_empty());
        }
    }
    // The same from a fresh load that reads the cache, and from a rebuilt cache.
    let again = store.load_index(&mut |_| {}).unwrap();
    let query = AgendaQuery::week_from(today());
    assert_eq!(shown(&again, &query), shown(&index, &query));
    std::fs::remove_file(store.data_dir().join("index.json")).unwrap();
    let rebuilt = store.load_index(&mut |_| {}).unwrap();
    assert_eq!(shown(&rebuilt, &query), shown(&index, &query));
}

/// A plan of the index that is active and has a session after today.
fn active_plan_with_a_coming_session(index: &Index, store: &Store) -> (PlanId, u32, Date) {
    for plan in &index.plans {
        if plan.status != PlanStatus::Active {
            continue;
        }
        let record = store.load_plan(&plan.id).unwrap().value;
        if let Some(session) =
            record.plan.sessions.iter().find(|session| {
                session.date > today() && record.record_of(session.number).is_none()
            })
        {
            return (plan.id.clone(), session.number, session.date);
        }
    }
    panic!("the demo data has an active plan with a session to come");
}

#[test]
fn a_moved_session_moves_at_once_and_a_cancelled_plan_leaves() {
    let (_dir, store) = demo(60);
    let (catalog, _) = Catalog::builtin();
    let mut index = store.load_index(&mut |_| {}).unwrap();
    let (id, number, date) = active_plan_with_a_coming_session(&index, &store);
    let revision = store.load_plan(&id).unwrap();
    let mut record = revision.value.clone();
    let moved_to = record
        .request
        .options
        .next_open_day(date.checked_add(14.days()).unwrap())
        .unwrap();
    let (request, plan) = move_session(&catalog, &record.request, number, moved_to).unwrap();
    record.request = request;
    record.plan = plan;
    let saved = store
        .save_plan(&id, revision.number, &record, "Dr. Vega")
        .unwrap();
    // As the window does after a save: the summary made from the saved record.
    index.upsert(Summary::of_plan(&id, &saved));
    let query = AgendaQuery {
        from: date.checked_sub(1.days()).unwrap(),
        days: 30,
        ..AgendaQuery::week_from(today())
    };
    let sessions = |index: &Index| -> Vec<Date> {
        agenda_rows(index, &query)
            .into_iter()
            .filter(|row| {
                row.plan == id.as_str()
                    && row.kind == AgendaKind::Session
                    && row.number == Some(number)
            })
            .map(|row| row.date)
            .collect()
    };
    assert_eq!(sessions(&index), [moved_to]);
    let loaded = store.load_index(&mut |_| {}).unwrap();
    assert_eq!(sessions(&loaded), [moved_to]);
    assert_eq!(shown(&loaded, &query), expected(&store, &loaded, &query));

    record.status = PlanStatus::Cancelled;
    let saved = store
        .save_plan(&id, saved.number, &record, "Dr. Vega")
        .unwrap();
    index.upsert(Summary::of_plan(&id, &saved));
    let wide = AgendaQuery {
        from: today().checked_sub(400.days()).unwrap(),
        days: 366 * 2 - 1,
        ..AgendaQuery::week_from(today())
    };
    let of_plan = |index: &Index| {
        agenda_rows(index, &wide)
            .into_iter()
            .filter(|row| row.plan == id.as_str())
            .count()
    };
    assert_eq!(of_plan(&index), 0);
    assert_eq!(of_plan(&store.load_index(&mut |_| {}).unwrap()), 0);
}

#[test]
fn cached_items_that_do_not_belong_to_the_record_are_made_again() {
    let (_dir, store) = demo(30);
    let index = store.load_index(&mut |_| {}).unwrap();
    let query = AgendaQuery {
        from: today().checked_sub(60.days()).unwrap(),
        days: 180,
        ..AgendaQuery::week_from(today())
    };
    let before = shown(&index, &query);
    let file = store.data_dir().join("index.json");
    let text = std::fs::read_to_string(&file).unwrap();
    let mut cache: serde_json::Value = serde_json::from_str(&text).unwrap();
    let mut edited = 0;
    for plan in cache["plans"].as_array_mut().unwrap() {
        if let Some(items) = plan
            .get_mut("agenda")
            .and_then(|items| items.as_array_mut())
            && let Some(first) = items.first_mut()
        {
            // Every plan's first item is moved to another day.
            first["d"] = "2027-01-20".into();
            edited += 1;
        }
    }
    assert!(edited > 10);
    std::fs::write(&file, serde_json::to_vec(&cache).unwrap()).unwrap();
    let loaded = store.load_index(&mut |_| {}).unwrap();
    assert_eq!(shown(&loaded, &query), before);
    assert_eq!(shown(&loaded, &query), expected(&store, &loaded, &query));
    assert!(
        loaded
            .problems
            .iter()
            .any(|problem| problem.what.contains("cache was edited or damaged")),
        "{:?}",
        loaded.problems
    );
}

fn pdftotext(pdf: &Path) -> String {
    let out = std::process::Command::new("pdftotext")
        .args(["-layout", pdf.to_str().unwrap(), "-"])
        .output()
        .expect("pdftotext (poppler-utils) is installed; .ci/run installs it");
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn the_day_list_pdf_reads_back_with_the_clinic_patients_and_items() {
    let (dir, store) = demo(40);
    let index = store.load_index(&mut |_| {}).unwrap();
    let query = AgendaQuery::week_from(today());
    let rows = agenda_rows(&index, &query);
    assert!(!rows.is_empty());
    let sheet = AgendaSheet {
        rows: &rows,
        from: query.from,
        until: query.until(),
        today: today(),
        clinic_name: "Clínica Sol",
        clinic_contact: "Rua do Sol 1, Lisboa",
    };
    let path = dir.path().join("agenda.pdf");
    std::fs::write(&path, agenda_pdf(&sheet).unwrap()).unwrap();
    let text = pdftotext(&path);
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(flat.contains("Clínica Sol"), "{flat}");
    assert!(flat.contains("Agenda from Mon 18 Jan 2027 to Mon 25 Jan 2027"));
    let overdue = rows.iter().filter(|row| row.overdue).count();
    if overdue > 0 {
        assert!(flat.contains(&format!("Overdue ({overdue})")));
    }
    for row in &rows {
        let name: String = row
            .patient_name
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        assert!(flat.contains(&name), "{name} is not in the PDF");
    }
    // The physician's dated tasks are on the day list too.
    if rows.iter().any(|row| row.title.starts_with("Added task: ")) {
        assert!(flat.contains("Added task:"), "{flat}");
    }
    assert!(flat.contains("Page 1 of"));
    assert!(!flat.contains('['), "no source markers in the day list");
}

/// How many of a plan's dated items fall within the days.
fn items_in(plan: &regen_planner::store::PlanSummary, from: Date, until: Date) -> usize {
    plan.agenda
        .iter()
        .filter(|item| item.date >= from && item.date <= until)
        .count()
}

/// The UID and start of every event of the per-plan calendar export of (up to 15)
/// plans with items within the days.
fn per_plan_starts(
    store: &Store,
    index: &Index,
    from: Date,
    until: Date,
) -> BTreeMap<String, Option<String>> {
    use icalendar::{Calendar, CalendarComponent, Component as _};

    let settings = regen_planner::store::Settings::default();
    let mut per_plan = BTreeMap::new();
    let in_the_range = index
        .plans
        .iter()
        .filter(|plan| items_in(plan, from, until) > 0);
    for plan in in_the_range.take(15) {
        let document = regen_planner::desk::export_document(
            store,
            &plan.id,
            &settings,
            &regen_planner::catalog::Scales::builtin().0,
            today(),
        )
        .unwrap();
        let single: Calendar = regen_planner::export::calendar_ics(&document)
            .unwrap()
            .parse()
            .unwrap();
        for component in &single.components {
            if let CalendarComponent::Event(event) = component {
                let date = event.get_start().map(|start| format!("{start:?}"));
                per_plan.insert(event.get_uid().unwrap().to_owned(), date);
            }
        }
    }
    per_plan
}

/// How many events of the days the clinic's calendar cancels: a cancelled plan's, and
/// the tasks the physician withdrew on other plans.
fn cancelled_in(index: &Index, from: Date, until: Date) -> usize {
    index
        .plans
        .iter()
        .map(|plan| {
            if plan.status == PlanStatus::Cancelled {
                items_in(plan, from, until)
            } else {
                plan.agenda
                    .iter()
                    .filter(|item| item.withdrawn && item.date >= from && item.date <= until)
                    .count()
            }
        })
        .sum()
}

/// How many of the physician's dated tasks fall within the days, on every plan.
fn added_tasks_in(index: &Index, from: Date, until: Date) -> usize {
    index
        .plans
        .iter()
        .flat_map(|plan| plan.agenda.iter())
        .filter(|item| {
            item.kind == regen_planner::planning::agenda::ItemKind::ExtraTask
                && item.date >= from
                && item.date <= until
        })
        .count()
}

#[test]
fn the_clinic_calendar_reads_back_with_the_per_plan_uids() {
    use icalendar::{Calendar, CalendarComponent, Component as _};

    let (_dir, store) = demo(40);
    let index = store.load_index(&mut |_| {}).unwrap();
    let from = today().checked_sub(30.days()).unwrap();
    let until = today().checked_add(60.days()).unwrap();
    let plans = calendar_plans(&index);
    let ics = |patient_names| {
        clinic_calendar_ics(
            &plans,
            &ClinicCalendar {
                from,
                until,
                today: today(),
                clinic_name: "Clínica Sol",
                patient_names,
            },
        )
        .unwrap()
    };
    // Unfolded (RFC 5545 folds lines at 75 octets), so that a name is found whole.
    let unfold = |text: String| text.replace("\r\n ", "");
    let text = ics(false);
    let calendar: Calendar = text.parse().unwrap();
    let text = unfold(text);
    let events: Vec<_> = calendar
        .components
        .iter()
        .filter_map(|component| match component {
            CalendarComponent::Event(event) => Some(event),
            _ => None,
        })
        .collect();
    // One event per dated item of every plan in the range, whatever its status.
    let in_range: usize = index
        .plans
        .iter()
        .map(|plan| items_in(plan, from, until))
        .sum();
    assert_eq!(events.len(), in_range);
    let mut uids = std::collections::BTreeSet::new();
    let mut cancelled = 0;
    for event in &events {
        assert!(
            uids.insert(event.get_uid().unwrap().to_owned()),
            "UIDs are unique"
        );
        if event.get_status() == Some(icalendar::EventStatus::Cancelled) {
            cancelled += 1;
        }
    }
    assert_eq!(cancelled, cancelled_in(&index, from, until));
    // No patient's name without the opt-in; with it, in the titles.
    for plan in &index.plans {
        assert!(!text.contains(plan.patient_name.as_str()));
    }
    let with_names = unfold(ics(true));
    let named = index
        .plans
        .iter()
        .filter(|plan| items_in(plan, from, until) > 0)
        .all(|plan| with_names.contains(plan.patient_name.as_str()));
    assert!(
        named,
        "with the opt-in, every plan's events name its patient"
    );

    // The physician's dated tasks are events of their own, with the per-plan UIDs.
    let added = events
        .iter()
        .filter(|event| event.get_uid().unwrap().contains("-extra-task-"))
        .count();
    let dated_tasks = added_tasks_in(&index, from, until);
    assert!(
        dated_tasks > 0,
        "the demo data has dated added tasks in the range"
    );
    assert_eq!(added, dated_tasks);
    // The per-plan export gives a plan's sessions, tasks and visits the same UIDs.
    let per_plan = per_plan_starts(&store, &index, from, until);
    let shared: Vec<_> = events
        .iter()
        .filter(|event| per_plan.contains_key(event.get_uid().unwrap()))
        .collect();
    assert!(!shared.is_empty());
    for event in shared {
        let uid = event.get_uid().unwrap();
        assert_eq!(
            per_plan[uid],
            event.get_start().map(|start| format!("{start:?}")),
            "{uid} is on the same day in both"
        );
    }
}

#[test]
fn the_command_prints_the_same_agenda_and_refuses_bad_input_in_a_sentence() {
    let (dir, store) = demo(30);
    let config = dir.path().join("config");
    let data = store.data_dir().to_path_buf();
    let output = common::regen(
        &data,
        &config,
        &[
            "agenda",
            "--today",
            "2027-01-18",
            "--days",
            "8",
            "--format",
            "json",
        ],
    );
    assert!(output.status.success(), "{}", common::stderr(&output));
    let printed: Vec<serde_json::Value> = serde_json::from_str(&common::stdout(&output)).unwrap();
    let index = store.load_index(&mut |_| {}).unwrap();
    let rows = agenda_rows(&index, &AgendaQuery::week_from(today()));
    assert_eq!(printed.len(), rows.len());
    assert_eq!(
        serde_json::to_value(&rows).unwrap(),
        serde_json::Value::Array(printed.clone())
    );
    for object in &printed {
        for field in [
            "date",
            "kind",
            "overdue",
            "patient",
            "patient_name",
            "plan",
            "title",
        ] {
            assert!(object.get(field).is_some(), "{field} in {object}");
        }
        if object["kind"] == "session" {
            assert!(object["number"].is_u64());
            assert!(object["duration_minutes"]["min"].is_u64());
        }
    }
    let text = common::regen(&data, &config, &["agenda", "--today", "2027-01-18"]);
    assert!(text.status.success());
    assert!(common::stdout(&text).starts_with("Agenda from Mon 18 Jan 2027 to Mon 25 Jan 2027"));

    let wrong = common::regen(&data, &config, &["agenda", "--days", "0"]);
    assert!(!wrong.status.success());
    assert!(common::stderr(&wrong).contains("--days 0 is outside 1 to 366"));
    let wrong = common::regen(&data, &config, &["agenda", "--from", "2027-02-30"]);
    assert!(!wrong.status.success());
    assert_eq!(common::stderr(&wrong).lines().count(), 1);
    // An export never lands on an existing file without --force, nor in the data folder.
    let pdf = dir.path().join("day.pdf");
    std::fs::write(&pdf, b"keep").unwrap();
    let refused = common::regen(&data, &config, &["agenda", "--pdf", pdf.to_str().unwrap()]);
    assert!(!refused.status.success());
    assert_eq!(std::fs::read(&pdf).unwrap(), b"keep");
    let inside = data.join("agenda.ics");
    let refused = common::regen(
        &data,
        &config,
        &["agenda", "--calendar", inside.to_str().unwrap()],
    );
    assert!(!refused.status.success());
    assert!(!inside.exists());
    let written = common::regen(
        &data,
        &config,
        &["agenda", "--pdf", pdf.to_str().unwrap(), "--force"],
    );
    assert!(written.status.success(), "{}", common::stderr(&written));
    assert!(std::fs::read(&pdf).unwrap().starts_with(b"%PDF"));
}
