//! The window on a real PostgreSQL database (see `common::postgres`), driven through
//! the accessibility tree: it names the store it is on, shows a save made at another
//! desk within a second with a way to reload, and when the server goes, a save fails
//! in one sentence, nothing typed is lost, and "Try again" saves it once the server is
//! back. On a data folder, the status bar names the folder.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly on anything unexpected"
)]

mod common;

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use common::window::{
    click, folders, harness, type_into, wait_for_label, wait_until, wait_until_saved,
};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use jiff::civil::Date;
use regen_planner::catalog::{Area, Catalog, CellSource, Indication, Modality, Selection};
use regen_planner::desk::Workspace;
use regen_planner::store::{AppDirs, Patient, Store};
use regen_planner::ui::{App, AppOptions, SaveState, checklist_keys};

/// Whether a label containing `text` shows.
fn shows(harness: &Harness<'static, App>, text: &str) -> bool {
    harness.query_all_by_label_contains(text).next().is_some()
}

#[test]
fn the_status_bar_names_the_data_folder_and_settings_refuse_a_password_in_the_database_url() {
    let (data, config) = folders();
    let mut harness = harness(data.path(), config.path());
    harness.run_steps(2);
    let label = format!("Data folder: {}", data.path().display());
    assert_eq!(harness.state().store_label(), label);
    assert!(shows(&harness, &label), "the status bar names the folder");

    click(&mut harness, "Settings…");
    assert!(shows(&harness, "Used from the next start of the app"));
    type_into(
        &mut harness,
        "Database",
        "postgresql://regen:secret@db.clinic.local/regen?sslmode=verify-full",
    );
    wait_for_label(
        &mut harness,
        "may not hold a password: put the password in ~/.pgpass",
    );
    assert!(shows(&harness, "mode 0600"));
    click(&mut harness, "Save");
    assert!(harness.state().is_settings_open(), "nothing is saved");
    assert!(!config.path().join("settings.ron").exists());
    // Without the password, it is kept, for the next start.
    type_into(
        &mut harness,
        "Database",
        "postgresql://regen@db.clinic.local/regen?sslmode=verify-full",
    );
    click(&mut harness, "Save");
    wait_until(&mut harness, "the settings to be saved", |app| {
        !app.is_settings_open()
    });
    assert_eq!(
        harness.state().settings().database_url,
        "postgresql://regen@db.clinic.local/regen?sslmode=verify-full"
    );
    assert_eq!(
        harness.state().store_label(),
        label,
        "used from the next start"
    );
    let workspace = Workspace::open(AppDirs {
        data: data.path().to_path_buf(),
        config: config.path().to_path_buf(),
    });
    assert_eq!(
        workspace.database_url.as_deref(),
        Some("postgresql://regen@db.clinic.local/regen?sslmode=verify-full"),
        "the next start is on the database"
    );
    // The command line's database wins over the settings'.
    let workspace = Workspace::open_with_database(
        AppDirs {
            data: data.path().to_path_buf(),
            config: config.path().to_path_buf(),
        },
        Some("postgresql://other@localhost/other".to_owned()),
    );
    assert_eq!(
        workspace.database_url.as_deref(),
        Some("postgresql://other@localhost/other")
    );
}

#[test]
fn the_window_on_a_database_shows_another_desks_save_and_survives_the_server_going() {
    let Some(database) = common::postgres::database("window on a database") else {
        return;
    };
    let other_desk = Store::open_database(&database.url).unwrap();
    let created = stretch_marks_plan(&other_desk);
    let id = created.plan.clone();

    // A password in --database is taken (this server does not ask for it) and never
    // shown.
    let url = format!("{}&password=never-shown", database.url);
    let (data, config) = folders();
    let options = AppOptions {
        workspace: Workspace::open_with_database(
            AppDirs {
                data: data.path().to_path_buf(),
                config: config.path().to_path_buf(),
            },
            Some(url),
        ),
        screenshot: None,
        open_plan: Some(id.clone()),
        compare_photos: false,
    };
    let mut harness = Harness::builder()
        .with_size(egui::vec2(1280.0, 800.0))
        .build_eframe(move |cc| App::new(cc, options));
    wait_until(&mut harness, "the plan to open from the database", |app| {
        app.open_plan_record().is_some() && app.is_index_loaded()
    });
    // The store indicator names the server and the database, never the password.
    let label = harness.state().store_label().to_owned();
    assert!(label.starts_with("Database: "), "{label}");
    assert!(label.ends_with("/postgres"), "{label}");
    assert!(shows(&harness, &label), "the status bar shows {label}");
    assert!(!shows(&harness, "never-shown"));
    assert!(
        common::snapshot(data.path()).is_empty(),
        "nothing is written into the data folder"
    );
    // The list is the database's, or, while the index cannot be made there, says so in
    // one sentence where the list would be.
    if let Some(error) = harness.state().index_error() {
        assert!(!error.contains('\n'), "{error}");
        // Shown as a sentence, its first letter a capital.
        let rest = error.get(1..).unwrap();
        assert!(shows(&harness, rest), "the list's error is shown: {error}");
    } else {
        let index = harness.state().index().expect("the list");
        assert!(index.plans.iter().any(|plan| plan.id == id));
    }

    // Another desk saves the open plan: the window says so within a second (counted
    // in frames run as fast as the machine allows), naming the revision and who.
    let mut second = created.plan_revision.value.clone();
    second
        .checklist
        .insert(checklist_keys::session(2), jiff::Timestamp::now());
    let saved = other_desk.save_plan(&id, 1, &second, "Dr. Lima").unwrap();
    let start = Instant::now();
    wait_for_label(
        &mut harness,
        "Changed on another desk (revision 2 by Dr. Lima at",
    );
    assert!(
        start.elapsed() < Duration::from_secs(2),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(
        harness
            .state()
            .open_plan_changed_elsewhere()
            .map(|revision| revision.number),
        Some(saved.number)
    );
    assert!(shows(&harness, "This screen shows revision 1."));
    if let Some(index) = harness.state().index() {
        let plan = index.plans.iter().find(|plan| plan.id == id).unwrap();
        assert_eq!(plan.revision, 2, "the list shows the other desk's revision");
    }
    click(&mut harness, "Reload the saved plan");
    wait_until(&mut harness, "the other desk's revision to open", |app| {
        app.open_plan_revision()
            .is_some_and(|(_, revision)| revision == 2)
    });
    assert!(harness.state().open_plan_changed_elsewhere().is_none());
    assert!(
        harness
            .state()
            .open_plan_record()
            .unwrap()
            .checklist
            .contains_key(&checklist_keys::session(2)),
        "the other desk's tick is there after reloading"
    );
    assert!(!shows(&harness, "Changed on another desk"));

    server_goes_mid_session(&mut harness, &database, &other_desk, &id);
}

/// The server goes: the tick made now is not saved, said in one sentence naming the
/// server, and stays on screen; once it is back, "Try again" saves it.
fn server_goes_mid_session(
    harness: &mut Harness<'static, App>,
    database: &common::postgres::TestDatabase,
    other_desk: &Store,
    id: &regen_planner::store::PlanId,
) {
    if !database.stop_server() {
        return;
    }
    click(harness, "Session 1 held");
    let start = Instant::now();
    wait_until(harness, "the save to fail", |app| {
        matches!(app.open_plan_save_state(), Some(SaveState::Failed(_)))
    });
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );
    let Some(SaveState::Failed(message)) = harness.state().open_plan_save_state() else {
        unreachable!()
    };
    assert!(!message.contains('\n'), "{message}");
    assert!(message.contains("database server"), "{message}");
    assert!(message.contains("try again"), "{message}");
    assert!(
        harness
            .state()
            .open_plan_record()
            .unwrap()
            .checklist
            .contains_key(&checklist_keys::session(1)),
        "the tick is kept"
    );
    assert!(shows(harness, "Not saved:"));

    // Back: "Try again" saves the tick on top of revision 2.
    database.start_server();
    click(harness, "Try again");
    wait_until_saved(harness);
    assert_eq!(harness.state().open_plan_revision().unwrap().1, 3);
    let on_server = other_desk.load_plan(id).unwrap();
    assert_eq!(on_server.number, 3);
    assert!(
        on_server
            .value
            .checklist
            .contains_key(&checklist_keys::session(1))
    );
}

/// A stretch-marks plan for a new patient, saved by "Dr. Vega" at another desk.
fn stretch_marks_plan(store: &Store) -> regen_planner::store::Created {
    let (catalog, _) = Catalog::builtin();
    let selection = Selection {
        modality: Modality::Injection,
        source: CellSource::AutologousAdipose,
        area: Area::Thighs,
        indication: Indication::StretchMarks,
        adjuncts: Vec::new(),
    };
    store
        .create_patient_with_plan(
            &Patient::new("Omar Haddad"),
            |id| {
                common::record(
                    &catalog,
                    id,
                    selection,
                    BTreeSet::new(),
                    Date::new(2027, 3, 1).unwrap(),
                )
            },
            "Dr. Vega",
        )
        .unwrap()
}
