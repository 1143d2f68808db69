//! The store's behaviour, once, run on both backends: a data folder and a real
//! PostgreSQL database (see `common::postgres`). Each test is one function of a
//! [`Backend`]; each `#[test]` runs it on the folder and then on the database.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly on anything unexpected"
)]

mod common;

use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use regen_planner::catalog::Catalog;
use regen_planner::planning::agenda::AgendaQuery;
use regen_planner::store::{
    Index, Patient, PlanId, PlanRecord, PlanStatus, PlanSummary, ProblemKind, Store, StoreError,
    Summary, recall,
};

use common::postgres::TestDatabase;

/// Where a test's store is: a temporary data folder or a test database.
enum Backend {
    Folder(tempfile::TempDir),
    Database(TestDatabase),
}

impl Backend {
    /// A desk on the store: each call is another desk, with a store of its own (on a
    /// database, its own connection).
    fn desk(&self) -> Store {
        match self {
            Backend::Folder(dir) => Store::open(&dir.path().join("data")).unwrap(),
            Backend::Database(database) => Store::open_database(&database.url).unwrap(),
        }
    }

    fn name(&self) -> &'static str {
        match self {
            Backend::Folder(_) => "folder",
            Backend::Database(_) => "database",
        }
    }

    /// Replaces the bytes of a revision behind the app's back: an edit of the file, or
    /// an SQL `UPDATE`.
    fn tamper(&self, kind: &str, id: &str, number: u32, bytes: &[u8]) {
        match self {
            Backend::Folder(dir) => {
                let file = dir
                    .path()
                    .join("data")
                    .join(kind)
                    .join(id)
                    .join(format!("revision-{number:06}.ron"));
                std::fs::write(file, bytes).unwrap();
            }
            Backend::Database(database) => {
                let rows = common::postgres::client(database)
                    .execute(
                        "UPDATE revisions SET body = $4 WHERE kind = $1 AND record = $2 AND number = $3",
                        &[&kind, &id, &i32::try_from(number).unwrap(), &bytes],
                    )
                    .unwrap();
                assert_eq!(rows, 1);
            }
        }
    }

    /// Reads the bytes of a revision behind the app's back.
    fn bytes(&self, kind: &str, id: &str, number: u32) -> Vec<u8> {
        match self {
            Backend::Folder(dir) => std::fs::read(
                dir.path()
                    .join("data")
                    .join(kind)
                    .join(id)
                    .join(format!("revision-{number:06}.ron")),
            )
            .unwrap(),
            Backend::Database(database) => common::postgres::client(database)
                .query_one(
                    "SELECT body FROM revisions WHERE kind = $1 AND record = $2 AND number = $3",
                    &[&kind, &id, &i32::try_from(number).unwrap()],
                )
                .unwrap()
                .get(0),
        }
    }

    /// Removes a revision behind the app's back: the file, or an SQL `DELETE`.
    fn remove(&self, kind: &str, id: &str, number: u32) {
        match self {
            Backend::Folder(dir) => std::fs::remove_file(
                dir.path()
                    .join("data")
                    .join(kind)
                    .join(id)
                    .join(format!("revision-{number:06}.ron")),
            )
            .unwrap(),
            Backend::Database(database) => {
                let rows = common::postgres::client(database)
                    .execute(
                        "DELETE FROM revisions WHERE kind = $1 AND record = $2 AND number = $3",
                        &[&kind, &id, &i32::try_from(number).unwrap()],
                    )
                    .unwrap();
                assert_eq!(rows, 1);
            }
        }
    }

    /// A record's head as it is kept.
    fn head(&self, kind: &str, id: &str) -> Vec<u8> {
        match self {
            Backend::Folder(dir) => {
                std::fs::read(dir.path().join("data").join(kind).join(id).join("head.ron")).unwrap()
            }
            Backend::Database(database) => common::postgres::client(database)
                .query_one(
                    "SELECT body FROM heads WHERE kind = $1 AND record = $2",
                    &[&kind, &id],
                )
                .unwrap()
                .get(0),
        }
    }

    /// Replaces a record's head behind the app's back (`None`: removes it).
    fn set_head(&self, kind: &str, id: &str, bytes: Option<&[u8]>) {
        match (self, bytes) {
            (Backend::Folder(dir), _) => {
                let file = dir.path().join("data").join(kind).join(id).join("head.ron");
                match bytes {
                    Some(bytes) => std::fs::write(file, bytes).unwrap(),
                    None => std::fs::remove_file(file).unwrap(),
                }
            }
            (Backend::Database(database), Some(bytes)) => {
                let rows = common::postgres::client(database)
                    .execute(
                        "UPDATE heads SET body = $3 WHERE kind = $1 AND record = $2",
                        &[&kind, &id, &bytes],
                    )
                    .unwrap();
                assert_eq!(rows, 1);
            }
            (Backend::Database(database), None) => {
                let rows = common::postgres::client(database)
                    .execute(
                        "DELETE FROM heads WHERE kind = $1 AND record = $2",
                        &[&kind, &id],
                    )
                    .unwrap();
                assert_eq!(rows, 1);
            }
        }
    }

    /// Edits the cache of summaries behind the app's back: `from` replaced by `to` in
    /// it, or (`None`) the cache removed.
    fn edit_cache(&self, edit: Option<(&str, &str)>) {
        match self {
            Backend::Folder(dir) => {
                let file = dir.path().join("data").join("index.json");
                match edit {
                    Some((from, to)) => {
                        let text = std::fs::read_to_string(&file).unwrap();
                        assert!(text.contains(from));
                        std::fs::write(&file, text.replace(from, to)).unwrap();
                    }
                    None => std::fs::remove_file(&file).unwrap(),
                }
            }
            Backend::Database(database) => {
                let mut client = common::postgres::client(database);
                let rows = match edit {
                    Some((from, to)) => client
                        .execute(
                            "UPDATE summaries SET entry = convert_to(replace(convert_from(entry, 'UTF8'), $1, $2), 'UTF8') \
                             WHERE position(convert_to($1, 'UTF8') in entry) > 0",
                            &[&from, &to],
                        )
                        .unwrap(),
                    None => client.execute("DELETE FROM summaries", &[]).unwrap(),
                };
                assert!(rows > 0);
            }
        }
    }
}

/// Runs `test` on a data folder, then on a database (unless there is none and none is
/// required, which `common::postgres` says loudly).
fn on_both(name: &str, test: impl Fn(&Backend)) {
    let folder = Backend::Folder(tempfile::tempdir().unwrap());
    test(&folder);
    if let Some(database) = common::postgres::database(name) {
        test(&Backend::Database(database));
    }
}

/// The version of the newest migration in `src/store/migrations` (`V3__name.sql`:
/// 3), the schema version `db init` makes.
fn newest_migration() -> i64 {
    std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/src/store/migrations"))
        .unwrap()
        .filter_map(|entry| {
            let name = entry.unwrap().file_name().into_string().unwrap();
            name.strip_prefix('V')?.split_once("__")?.0.parse().ok()
        })
        .max()
        .unwrap()
}

/// A new patient with their first plan, saved by "Dr. Vega".
fn patient_with_plan(store: &Store, name: &str, clinic_id: Option<&str>) -> (String, PlanRecord) {
    let (catalog, _) = Catalog::builtin();
    let mut patient = Patient::new(name);
    patient.clinic_id = clinic_id.map(str::to_owned);
    let created = store
        .create_patient_with_plan(
            &patient,
            |id| common::record_of_save(&catalog, id, 1),
            "Dr. Vega",
        )
        .unwrap();
    (
        created.plan.to_string(),
        created.plan_revision.value.clone(),
    )
}

#[test]
fn a_plan_round_trips_through_its_revisions() {
    on_both("round trip", |backend| {
        let store = backend.desk();
        let (catalog, _) = Catalog::builtin();
        let (id, first) = patient_with_plan(&store, "Ana Souza", None);
        let id = id.parse().unwrap();
        assert_eq!(
            store.load_plan(&id).unwrap().value,
            first,
            "{}",
            backend.name()
        );
        let mut record = first.clone();
        for k in 2..=25 {
            record = common::record_of_save(&catalog, &first.patient, k);
            let saved = store
                .save_plan(&id, u32::try_from(k).unwrap() - 1, &record, "Dr. Lima")
                .unwrap();
            assert_eq!(saved.number, u32::try_from(k).unwrap());
        }
        // Another desk reads what this one saved, the older revisions too (most of them
        // hold only what changed, rebuilt through the chain).
        let other = backend.desk();
        let newest = other.load_plan(&id).unwrap();
        assert_eq!(
            (newest.number, &newest.value),
            (25, &record),
            "{}",
            backend.name()
        );
        assert_eq!(other.load_plan_revision(&id, 1).unwrap().value, first);
        assert_eq!(
            other.load_plan_revision(&id, 7).unwrap().value,
            common::record_of_save(&catalog, &first.patient, 7)
        );
        let history = other.history(&id).unwrap();
        assert_eq!(history.len(), 25);
        assert_eq!(history[24].saved_by, "Dr. Lima");
        let report = other.verify();
        assert!(report.is_ok(), "{}: {report:?}", backend.name());
        assert_eq!(report.revisions, 26, "{}: {report:?}", backend.name());
    });
}

#[test]
fn a_save_based_on_an_older_revision_is_a_conflict_naming_who_saved_and_when() {
    on_both("conflict", |backend| {
        let (desk_a, desk_b) = (backend.desk(), backend.desk());
        let (id, record) = patient_with_plan(&desk_a, "Ana Souza", None);
        let id = id.parse().unwrap();
        let mut edit = record.clone();
        edit.status = PlanStatus::Active;
        let saved = desk_a.save_plan(&id, 1, &edit, "Dr. Vega").unwrap();
        let mut other = record.clone();
        other.status = PlanStatus::Cancelled;
        let error = desk_b.save_plan(&id, 1, &other, "Dr. Lima").unwrap_err();
        match &error {
            StoreError::Conflict {
                saved_by, saved_at, ..
            } => {
                assert_eq!(saved_by, "Dr. Vega");
                assert_eq!(*saved_at, saved.saved_at);
            }
            other => panic!("{}: {other}", backend.name()),
        }
        let message = error.to_string();
        assert!(message.contains("Dr. Vega"), "{message}");
        // Nothing was overwritten.
        assert_eq!(
            desk_b.load_plan(&id).unwrap().value.status,
            PlanStatus::Active
        );
    });
}

#[test]
fn racing_writers_one_wins_each_revision_and_nothing_is_lost() {
    on_both("racing writers", |backend| {
        let (id, record) = patient_with_plan(&backend.desk(), "Ana Souza", None);
        let id: regen_planner::store::PlanId = id.parse().unwrap();
        let desks: Vec<Store> = (0..4).map(|_| backend.desk()).collect();
        let authors = ["Dr. A", "Dr. B", "Dr. C", "Dr. D"];
        for base in 1..=5u32 {
            let barrier = Arc::new(Barrier::new(desks.len()));
            let results: Vec<_> = std::thread::scope(|scope| {
                let handles: Vec<_> = desks
                    .iter()
                    .zip(authors)
                    .map(|(desk, author)| {
                        let (barrier, id) = (barrier.clone(), id.clone());
                        let mut edit = record.clone();
                        edit.notes = vec![regen_planner::store::Note {
                            written_at: jiff::Timestamp::now(),
                            author: author.into(),
                            text: format!("{author} on {base}"),
                        }];
                        std::thread::Builder::new()
                            .name(format!("desk {author}"))
                            .spawn_scoped(scope, move || {
                                barrier.wait();
                                desk.save_plan(&id, base, &edit, author)
                            })
                            .unwrap()
                    })
                    .collect();
                handles.into_iter().map(|h| h.join().unwrap()).collect()
            });
            let winners: Vec<_> = results.iter().filter(|r| r.is_ok()).collect();
            assert_eq!(winners.len(), 1, "{}: {results:?}", backend.name());
            for result in &results {
                if let Err(error) = result {
                    assert!(
                        matches!(error, StoreError::Conflict { .. }),
                        "{}: {error}",
                        backend.name()
                    );
                }
            }
        }
        let newest = backend.desk().load_plan(&id).unwrap();
        assert_eq!(newest.number, 6);
        let report = backend.desk().verify();
        assert!(report.is_ok(), "{}: {report:?}", backend.name());
    });
}

#[test]
fn one_clinic_id_is_one_patient_across_desks() {
    on_both("clinic ids", |backend| {
        let (desk_a, desk_b) = (backend.desk(), backend.desk());
        let mut ana = Patient::new("Ana Souza");
        ana.clinic_id = Some("MRN-7".into());
        let (first, _) = desk_a.create_patient(&ana, "Dr. Vega").unwrap();
        let mut again = Patient::new("Ana M. Souza");
        again.clinic_id = Some(" mrn-7 ".into());
        let error = desk_b.create_patient(&again, "Dr. Lima").unwrap_err();
        match &error {
            StoreError::ClinicIdTaken { patient, .. } => assert_eq!(patient, &first),
            other => panic!("{}: {other}", backend.name()),
        }
        assert_eq!(
            desk_b.patient_with_clinic_id("MRN-7").unwrap(),
            Some(first.clone())
        );
        // Two desks saving the same new patient at once: one patient, and both plans
        // go to them.
        let barrier = Arc::new(Barrier::new(2));
        let (catalog, _) = Catalog::builtin();
        let created: Vec<_> = std::thread::scope(|scope| {
            let handles: Vec<_> = [&desk_a, &desk_b]
                .into_iter()
                .map(|desk| {
                    let barrier = barrier.clone();
                    let catalog = &catalog;
                    std::thread::Builder::new()
                        .name("new patient".into())
                        .spawn_scoped(scope, move || {
                            let mut bea = Patient::new("Bea Lima");
                            bea.clinic_id = Some("MRN-8".into());
                            barrier.wait();
                            desk.create_patient_with_plan(
                                &bea,
                                |id| common::record_of_save(catalog, id, 1),
                                "Dr. Vega",
                            )
                        })
                        .unwrap()
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let patients: Vec<_> = created
            .iter()
            .filter_map(|result| result.as_ref().ok().map(|created| created.patient.clone()))
            .collect();
        assert!(!patients.is_empty(), "{}: {created:?}", backend.name());
        assert!(
            patients.windows(2).all(|pair| pair[0] == pair[1]),
            "{}: {patients:?}",
            backend.name()
        );
    });
}

#[test]
fn a_new_patient_and_their_first_plan_are_saved_together() {
    on_both("patient with plan", |backend| {
        let store = backend.desk();
        let (catalog, _) = Catalog::builtin();
        let created = store
            .create_patient_with_plan(
                &Patient::new("Ana Souza"),
                |id| common::record_of_save(&catalog, id, 1),
                "Dr. Vega",
            )
            .unwrap();
        let other = backend.desk();
        let plan = other.load_plan(&created.plan).unwrap();
        assert_eq!(plan.value.patient, created.patient);
        assert_eq!(
            other.load_patient(&created.patient).unwrap().value.name,
            "Ana Souza"
        );
        let report = other.verify();
        assert!(report.is_ok(), "{}: {report:?}", backend.name());
        assert_eq!(report.records, 2, "{}: {report:?}", backend.name());
        // A plan for a patient who is not there is refused, and nothing is saved.
        let stranger = regen_planner::store::PatientId::generate();
        let error = store
            .create_plan(&common::record_of_save(&catalog, &stranger, 1), "Dr. Vega")
            .unwrap_err();
        assert!(
            matches!(error, StoreError::UnknownPatient { .. }),
            "{}: {error}",
            backend.name()
        );
        assert_eq!(other.verify().records, 2);
    });
}

#[test]
fn verify_names_a_revision_changed_behind_the_apps_back_and_one_removed() {
    on_both("verify", |backend| {
        let store = backend.desk();
        let (catalog, _) = Catalog::builtin();
        let (id, first) = patient_with_plan(&store, "Ana Souza", None);
        let plan_id = id.parse().unwrap();
        for k in 2..=6 {
            let record = common::record_of_save(&catalog, &first.patient, k);
            store
                .save_plan(&plan_id, u32::try_from(k).unwrap() - 1, &record, "Dr. Lima")
                .unwrap();
        }
        assert!(store.verify().is_ok());
        // A changed body (the note's text edited, the bytes otherwise the same).
        let original = backend.bytes("plans", &id, 3);
        let edited = String::from_utf8(original.clone())
            .unwrap()
            .replace("save 3", "save 9");
        assert_ne!(edited.as_bytes(), original.as_slice());
        backend.tamper("plans", &id, 3, edited.as_bytes());
        let report = store.verify();
        assert!(!report.is_ok(), "{}: {report:?}", backend.name());
        let text = format!("{report:?}");
        assert!(text.contains(&id), "{}: {text}", backend.name());
        assert!(text.contains("revision 3"), "{}: {text}", backend.name());
        // Saving on top of the changed chain is refused rather than hiding it.
        backend.tamper("plans", &id, 3, &original);
        assert!(store.verify().is_ok(), "{}", backend.name());
        // A removed revision.
        backend.remove("plans", &id, 2);
        let report = store.verify();
        assert!(!report.is_ok(), "{}: {report:?}", backend.name());
        assert!(
            format!("{report:?}").contains("revision 2 is missing"),
            "{}: {report:?}",
            backend.name()
        );
    });
}

#[test]
fn bad_input_gets_one_sentence_and_nothing_is_saved() {
    on_both("bad input", |backend| {
        let store = backend.desk();
        let unknown = regen_planner::store::PlanId::generate();
        let error = store.load_plan(&unknown).unwrap_err();
        assert!(matches!(error, StoreError::NotFound { .. }), "{error}");
        let (id, record) = patient_with_plan(&store, "Ana Souza", None);
        let id = id.parse().unwrap();
        let error = store.save_plan(&id, 1, &record, "").unwrap_err();
        assert!(matches!(error, StoreError::Invalid { .. }), "{error}");
        let error = store
            .create_patient(&Patient::new("Ana\u{0}Souza"), "Dr. Vega")
            .unwrap_err();
        assert!(matches!(error, StoreError::Invalid { .. }), "{error}");
        assert_eq!(store.load_plan(&id).unwrap().number, 1);
        assert_eq!(store.verify().records, 2);
    });
}

#[test]
fn a_database_that_cannot_be_used_is_refused_in_one_sentence_within_seconds() {
    // Not a server: nothing listens on this port, and the host is this computer.
    let started = Instant::now();
    let error = Store::open_database("postgresql://regen@127.0.0.1:9/regen").unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(8));
    let message = error.to_string();
    assert!(message.contains("127.0.0.1:9/regen"), "{message}");
    assert!(!message.contains('\n'), "{message}");
    // A server elsewhere without TLS.
    let message = Store::open_database("postgresql://regen@db.clinic.example/regen")
        .unwrap_err()
        .to_string();
    assert!(message.contains("must be encrypted"), "{message}");
    let message = Store::open_database("mysql:/nonsense")
        .unwrap_err()
        .to_string();
    assert!(message.contains("cannot be read"), "{message}");
    let Some(empty) = common::postgres::empty_database("unmigrated database") else {
        return;
    };
    // A database without the schema: refused, and told how to make it.
    let message = Store::open_database(&empty.url).unwrap_err().to_string();
    assert!(message.contains("db init"), "{message}");
    assert_eq!(
        regen_planner::store::init_database(&empty.url).unwrap(),
        newest_migration()
    );
    // Running it again changes nothing.
    assert_eq!(
        regen_planner::store::init_database(&empty.url).unwrap(),
        newest_migration()
    );
    Store::open_database(&empty.url).unwrap();
    // A schema newer than this app knows: refused by both.
    common::postgres::client(&empty)
        .batch_execute(
            "INSERT INTO regen_schema_history (version, name, applied_on, checksum) VALUES (99, 'future', '2030-01-01', '0')",
        )
        .unwrap();
    let message = Store::open_database(&empty.url).unwrap_err().to_string();
    assert!(message.contains("newer than this app"), "{message}");
    let message = regen_planner::store::init_database(&empty.url)
        .unwrap_err()
        .to_string();
    assert!(message.contains("newer than this app"), "{message}");
}

#[test]
fn a_data_folder_copied_into_a_database_is_the_same_and_a_second_copy_adds_nothing() {
    let Some(database) = common::postgres::database("migrate") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let folder = Store::open(&dir.path().join("data")).unwrap();
    let (catalog, _) = Catalog::builtin();
    let mut plans = Vec::new();
    for (n, name) in ["Ana Souza", "Bea Lima", "Caio Reis"]
        .into_iter()
        .enumerate()
    {
        let (id, first) = patient_with_plan(&folder, name, Some(&format!("MRN-{n}")));
        let id: regen_planner::store::PlanId = id.parse().unwrap();
        for k in 2..=(3 + n as u64 * 10) {
            let record = common::record_of_save(&catalog, &first.patient, k);
            folder
                .save_plan(&id, u32::try_from(k).unwrap() - 1, &record, "Dr. Lima")
                .unwrap();
        }
        plans.push(id);
    }
    let target = Store::open_database(&database.url).unwrap();
    let report = folder.copy_into(&target).unwrap();
    assert!(report.is_ok(), "{report:?}");
    assert_eq!(report.records, 6);
    assert_eq!(report.already_there, 0);
    let verified = target.verify();
    assert!(verified.is_ok(), "{verified:?}");
    assert_eq!(verified.revisions, folder.verify().revisions);
    for id in &plans {
        let (from, to) = (folder.load_plan(id).unwrap(), target.load_plan(id).unwrap());
        assert_eq!((from.number, &from.value), (to.number, &to.value));
        assert_eq!(
            folder.history(id).unwrap().len(),
            target.history(id).unwrap().len()
        );
        let from_hashes: Vec<_> = folder
            .history(id)
            .unwrap()
            .into_iter()
            .map(|r| r.hash)
            .collect();
        let to_hashes: Vec<_> = target
            .history(id)
            .unwrap()
            .into_iter()
            .map(|r| r.hash)
            .collect();
        assert_eq!(from_hashes, to_hashes);
    }
    // The clinic ids came along: the same id is the same patient in the database.
    let ana = folder.patient_with_clinic_id("MRN-0").unwrap().unwrap();
    assert_eq!(target.patient_with_clinic_id("mrn-0").unwrap(), Some(ana));
    // Run again: nothing is copied twice.
    let again = folder.copy_into(&target).unwrap();
    assert!(again.is_ok(), "{again:?}");
    assert_eq!(again.copied, 0, "{again:?}");
    assert_eq!(again.already_there, report.copied);
    // A save on the database continues the chain the folder started.
    let id = &plans[0];
    let newest = target.load_plan(id).unwrap();
    let saved_on_database = newest.number + 1;
    target
        .save_plan(
            id,
            newest.number,
            &common::record_of_save(&catalog, &newest.value.patient, 99),
            "Dr. Vega",
        )
        .unwrap();
    assert!(target.verify().is_ok());
    // A backup of the database is a data folder that opens without a server, with
    // every revision, the one saved on the database too.
    let dest = dir.path().join("backup");
    let (copied, verified) = target.backup_to_folder(&dest).unwrap();
    assert!(
        copied.is_ok() && verified.is_ok(),
        "{copied:?} {verified:?}"
    );
    let backup = Store::open(&dest).unwrap();
    assert_eq!(backup.load_plan(id).unwrap().number, saved_on_database);
    for id in &plans {
        let hashes = |store: &Store| -> Vec<String> {
            store
                .history(id)
                .unwrap()
                .into_iter()
                .map(|r| r.hash)
                .collect()
        };
        assert_eq!(hashes(&backup), hashes(&target));
    }
    assert_eq!(
        backup.patient_with_clinic_id("MRN-0").unwrap(),
        folder.patient_with_clinic_id("MRN-0").unwrap()
    );
    assert!(backup.load_index(&mut |_| {}).unwrap().plans.len() == 3);
    // A backup is never written over another.
    assert!(target.backup_to_folder(&dest).is_err());
}

#[test]
fn the_command_line_makes_the_schema_copies_a_folder_and_reads_plans_from_the_database() {
    let Some(database) = common::postgres::empty_database("command line") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (data, config) = (dir.path().join("data"), dir.path().join("config"));
    let plan = common::saved_plan(&data, "Ana Souza");
    let url = database.url.as_str();
    // Before `db init`, the database is refused with the way forward.
    let output = common::regen(&data, &config, &["--database", url, "plans", "verify"]);
    assert!(!output.status.success());
    assert!(
        common::stderr(&output).contains("db init"),
        "{}",
        common::stderr(&output)
    );
    let output = common::regen(&data, &config, &["db", "init", url]);
    assert!(output.status.success(), "{}", common::stderr(&output));
    assert!(
        common::stdout(&output).contains(&format!("version {}", newest_migration())),
        "{}",
        common::stdout(&output)
    );
    let output = common::regen(&data, &config, &["migrate", "--to", url]);
    assert!(
        output.status.success(),
        "{}{}",
        common::stdout(&output),
        common::stderr(&output)
    );
    assert!(
        common::stdout(&output).contains("The database verifies: 2 records"),
        "{}",
        common::stdout(&output)
    );
    let output = common::regen(&data, &config, &["migrate", "--to", url]);
    assert!(output.status.success());
    assert!(
        common::stdout(&output).contains("0 entries copied"),
        "{}",
        common::stdout(&output)
    );
    let plan = plan.to_string();
    let output = common::regen(&data, &config, &["--database", url, "plans", "show", &plan]);
    assert!(output.status.success(), "{}", common::stderr(&output));
    assert!(
        common::stdout(&output).contains("Ana Souza"),
        "{}",
        common::stdout(&output)
    );
    let output = common::regen(&data, &config, &["--database", url, "plans", "verify"]);
    assert!(
        output.status.success(),
        "{}{}",
        common::stdout(&output),
        common::stderr(&output)
    );
    let dest = dir.path().join("backup");
    let dest_text = dest.to_str().unwrap();
    let output = common::regen(&data, &config, &["--database", url, "backup", dest_text]);
    assert!(
        output.status.success(),
        "{}{}",
        common::stdout(&output),
        common::stderr(&output)
    );
    assert!(
        common::stdout(&output).contains("The backup verifies: 2 records"),
        "{}",
        common::stdout(&output)
    );
    let output = common::regen(&dest, &config, &["plans", "show", &plan]);
    assert!(
        common::stdout(&output).contains("Ana Souza"),
        "{}",
        common::stderr(&output)
    );
    commands_on_the_database(&database, &dir, &plan);
}

/// The commands that read lists, make plans and export, on the database of
/// [`the_command_line_makes_the_schema_copies_a_folder_and_reads_plans_from_the_database`],
/// which holds `plan` (of Ana Souza); then a schema of version 1 brought up to date.
fn commands_on_the_database(database: &TestDatabase, dir: &tempfile::TempDir, plan: &str) {
    let (data, config) = (dir.path().join("data"), dir.path().join("config"));
    let url = database.url.as_str();
    // A plan made and saved on the database, then listed, on the agenda and in a
    // JSON export, all from the database.
    let mut args = vec!["--database", url, "plan"];
    args.extend_from_slice(common::STRETCH_MARKS);
    args.extend_from_slice(&["--save", "--patient-name", "Bea Lindqvist"]);
    let output = common::regen(&data, &config, &args);
    assert!(output.status.success(), "{}", common::stderr(&output));
    let made = common::stdout(&output).trim().to_owned();
    let output = common::regen(
        &data,
        &config,
        &["--database", url, "plans", "list", "--format", "json"],
    );
    assert!(output.status.success(), "{}", common::stderr(&output));
    let listed = common::stdout(&output);
    for expected in ["Ana Souza", "Bea Lindqvist", made.as_str(), plan] {
        assert!(listed.contains(expected), "{expected}: {listed}");
    }
    let output = common::regen(
        &data,
        &config,
        &[
            "--database",
            url,
            "agenda",
            "--today",
            "2027-03-01",
            "--format",
            "json",
        ],
    );
    assert!(output.status.success(), "{}", common::stderr(&output));
    assert!(
        common::stdout(&output).contains("Ana Souza"),
        "{}",
        common::stdout(&output)
    );
    let json = dir.path().join("plan.json");
    let output = common::regen(
        &data,
        &config,
        &[
            "--database",
            url,
            "export",
            &made,
            "--json",
            json.to_str().unwrap(),
        ],
    );
    assert!(output.status.success(), "{}", common::stderr(&output));
    let exported = std::fs::read_to_string(&json).unwrap();
    assert!(exported.contains("adipose-stretch-marks"), "{exported}");
    // Nothing was written into the data folder: the database holds the new plan.
    assert!(!data.join("plans").join(&made).exists());
    // Photographs run on a database too: the new plan has none yet.
    let output = common::regen(
        &data,
        &config,
        &["--database", url, "photos", "list", &made],
    );
    assert!(output.status.success(), "{}", common::stderr(&output));

    // A database of an older schema (version 1) is refused until `db init` brings it
    // up to date, which keeps every record.
    common::postgres::client(database)
        .batch_execute(
            "DROP TRIGGER heads_notify ON heads; DROP FUNCTION regen_notify_head(); DROP TABLE summaries; DROP TABLE demo_marker; DELETE FROM regen_schema_history WHERE version > 1",
        )
        .unwrap();
    let output = common::regen(&data, &config, &["--database", url, "plans", "list"]);
    assert!(!output.status.success());
    let message = common::stderr(&output);
    assert!(message.contains("regen-planner db init"), "{message}");
    let output = common::regen(&data, &config, &["db", "init", url]);
    assert!(output.status.success(), "{}", common::stderr(&output));
    let output = common::regen(&data, &config, &["--database", url, "plans", "list"]);
    assert!(output.status.success(), "{}", common::stderr(&output));
    assert!(common::stdout(&output).contains("Bea Lindqvist"));
}

#[test]
fn a_server_gone_is_one_sentence_within_seconds_and_the_store_works_again_when_it_is_back() {
    let Some(database) = common::postgres::database("server gone") else {
        return;
    };
    let store = Store::open_database(&database.url).unwrap();
    let (catalog, _) = Catalog::builtin();
    let (id, first) = patient_with_plan(&store, "Ana Souza", None);
    let id: regen_planner::store::PlanId = id.parse().unwrap();
    if !database.stop_server() {
        return;
    }
    let edit = common::record_of_save(&catalog, &first.patient, 2);
    let started = Instant::now();
    let error = store.save_plan(&id, 1, &edit, "Dr. Vega").unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(12),
        "{:?}",
        started.elapsed()
    );
    let message = error.to_string();
    assert!(!message.contains('\n'), "{message}");
    assert!(message.contains("try again"), "{message}");
    let error = store.load_plan(&id).unwrap_err().to_string();
    assert!(error.contains("try again"), "{error}");
    // Back: the same store connects again, and the save that failed is made now.
    database.start_server();
    let saved = store.save_plan(&id, 1, &edit, "Dr. Vega").unwrap();
    assert_eq!(saved.number, 2);
    assert_eq!(store.load_plan(&id).unwrap().value, edit);
    assert!(store.verify().is_ok());
}

impl Backend {
    /// The CLI on this store: `--data-dir` for a folder, `--database` for a database
    /// (with a data folder that must stay untouched).
    fn regen(&self, scratch: &std::path::Path, args: &[&str]) -> std::process::Output {
        let config = scratch.join("config");
        match self {
            Backend::Folder(dir) => common::regen(&dir.path().join("data"), &config, args),
            Backend::Database(database) => {
                let mut all = vec!["--database", database.url.as_str()];
                all.extend_from_slice(args);
                common::regen(&scratch.join("no-data-folder"), &config, &all)
            }
        }
    }

    /// The photographs' originals kept, behind the app's back: the files of the photos
    /// folder, or the rows of the `photos` table.
    fn photo_count(&self) -> usize {
        match self {
            Backend::Folder(dir) => std::fs::read_dir(dir.path().join("data").join("photos"))
                .map_or(0, |entries| {
                    entries
                        .flatten()
                        .filter(|entry| entry.path().is_file())
                        .count()
                }),
            Backend::Database(database) => {
                let count: i64 = common::postgres::client(database)
                    .query_one("SELECT count(*) FROM photos", &[])
                    .unwrap()
                    .get(0);
                usize::try_from(count).unwrap()
            }
        }
    }

    /// Replaces a photograph's bytes behind the app's back: its file, or an SQL
    /// `UPDATE photos SET body = ...`; `None` deletes it.
    fn tamper_photo(&self, sha256: &str, bytes: Option<&[u8]>) {
        match self {
            Backend::Folder(dir) => {
                let file = dir
                    .path()
                    .join("data")
                    .join("photos")
                    .join(format!("{sha256}.jpg"));
                match bytes {
                    Some(bytes) => std::fs::write(file, bytes).unwrap(),
                    None => std::fs::remove_file(file).unwrap(),
                }
            }
            Backend::Database(database) => {
                let mut client = common::postgres::client(database);
                let rows = match bytes {
                    Some(bytes) => client
                        .execute(
                            "UPDATE photos SET body = $2 WHERE sha256 = $1",
                            &[&sha256, &bytes],
                        )
                        .unwrap(),
                    None => client
                        .execute("DELETE FROM photos WHERE sha256 = $1", &[&sha256])
                        .unwrap(),
                };
                assert_eq!(rows, 1);
            }
        }
    }
}

/// `plain` (a JPEG) with an APP1 Exif segment right after its SOI that names a camera
/// maker and holds a GPS latitude reference.
fn photo_with_gps(view: u32) -> Vec<u8> {
    let plain = regen_planner::demo::synthetic_photo(64, 48, view, 0).unwrap();
    let make = b"CameraMaker\0";
    let mut tiff = b"II*\0\x08\0\0\0".to_vec();
    tiff.extend_from_slice(&2u16.to_le_bytes());
    for (tag, kind, count, value) in [(0x010F_u16, 2_u16, 12_u32, 38_u32), (0x8825, 4, 1, 50)] {
        tiff.extend_from_slice(&tag.to_le_bytes());
        tiff.extend_from_slice(&kind.to_le_bytes());
        tiff.extend_from_slice(&count.to_le_bytes());
        tiff.extend_from_slice(&value.to_le_bytes());
    }
    tiff.extend_from_slice(&0u32.to_le_bytes());
    tiff.extend_from_slice(make);
    tiff.extend_from_slice(&1u16.to_le_bytes());
    tiff.extend_from_slice(&1u16.to_le_bytes());
    tiff.extend_from_slice(&2u16.to_le_bytes());
    tiff.extend_from_slice(&2u32.to_le_bytes());
    tiff.extend_from_slice(b"N\0\0\0");
    tiff.extend_from_slice(&0u32.to_le_bytes());
    let mut payload = b"Exif\0\0".to_vec();
    payload.extend_from_slice(&tiff);
    let mut out = plain[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&u16::try_from(payload.len() + 2).unwrap().to_be_bytes());
    out.extend_from_slice(&payload);
    out.extend_from_slice(&plain[2..]);
    out
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle)
}

/// Puts kept photographs on a plan, in one new revision.
fn put_on_plan(store: &Store, id: &regen_planner::store::PlanId, kept: &[&str]) {
    let newest = store.load_plan(id).unwrap();
    let mut record = newest.value;
    let taken = jiff::civil::date(2027, 1, 4);
    let photos: Vec<regen_planner::planning::PlanPhoto> = kept
        .iter()
        .map(|sha256| regen_planner::planning::PlanPhoto {
            sha256: (*sha256).to_owned(),
            view: "front".into(),
            taken,
            moment: regen_planner::planning::moment_for(&record.plan, taken),
            width: 64,
            height: 48,
            added_at: jiff::Timestamp::from_second(1_800_000_000).unwrap(),
            removed: false,
        })
        .collect();
    record.add_photos(photos);
    store
        .save_plan(id, newest.number, &record, "Dr. Vega")
        .unwrap();
}

#[test]
fn photographs_are_kept_once_listed_exported_without_metadata_and_verify_names_one_changed_or_gone()
{
    on_both("photographs", |backend| {
        let scratch = tempfile::tempdir().unwrap();
        let cache = scratch.path().join("config").join("cache");
        let store = backend.desk().with_thumbnail_cache(&cache);
        let (plan, record) = patient_with_plan(&store, "Ana Souza", None);
        let (views, _) = regen_planner::catalog::PhotoViews::builtin();
        let view = views.for_area(record.plan.selection.area)[0].id.clone();
        let with_gps = photo_with_gps(1);
        let file = scratch.path().join("gps.jpg");
        std::fs::write(&file, &with_gps).unwrap();
        let file = file.to_str().unwrap();

        // Added through the command line, twice: kept once, on the plan once.
        let add = ["photos", "add", &plan, file, "--view", &view];
        let output = backend.regen(scratch.path(), &add);
        assert!(output.status.success(), "{}", common::stderr(&output));
        let sha256 = common::stdout(&output).trim().to_owned();
        assert_eq!(sha256.len(), 64, "{sha256}");
        let output = backend.regen(scratch.path(), &add);
        assert!(output.status.success(), "{}", common::stderr(&output));
        assert!(common::stderr(&output).contains("already on plan"));
        assert_eq!(backend.photo_count(), 1, "{}", backend.name());
        let again = store.add_photo(&with_gps).unwrap();
        assert!(!again.is_new && again.sha256 == sha256);
        assert_eq!(backend.photo_count(), 1);
        let plan_id: regen_planner::store::PlanId = plan.parse().unwrap();
        assert_eq!(store.history(&plan_id).unwrap().len(), 2);

        // Listed, read back whole, and exported without the camera's metadata.
        let output = backend.regen(scratch.path(), &["photos", "list", &plan]);
        assert!(output.status.success(), "{}", common::stderr(&output));
        assert!(common::stdout(&output).contains(&sha256));
        assert!(common::stdout(&output).contains(&view));
        assert_eq!(store.read_photo(&sha256).unwrap().1, with_gps);
        let out = scratch.path().join("for-the-patient.jpg");
        let output = backend.regen(
            scratch.path(),
            &["photos", "export", &sha256, out.to_str().unwrap()],
        );
        assert!(output.status.success(), "{}", common::stderr(&output));
        let exported = std::fs::read(&out).unwrap();
        assert!(exported.starts_with(&[0xFF, 0xD8]));
        assert!(!contains(&exported, b"CameraMaker") && !contains(&exported, b"Exif"));
        if let Backend::Database(_) = backend {
            assert!(
                !scratch.path().join("no-data-folder").exists(),
                "nothing is written under a data folder on a database"
            );
        }

        // Thumbnails: made from the original, cached, and made again when the cache
        // holds something that is not one.
        let thumbnail = store.photo_thumbnail(&sha256).unwrap();
        assert!(thumbnail.starts_with(b"\x89PNG"));
        let cached = match backend {
            Backend::Folder(dir) => dir
                .path()
                .join("data/photos/thumbnails")
                .join(format!("{sha256}.png")),
            Backend::Database(_) => cache.join("thumbnails").join(format!("{sha256}.png")),
        };
        assert_eq!(std::fs::read(&cached).unwrap(), thumbnail);
        std::fs::write(&cached, b"not a thumbnail").unwrap();
        assert_eq!(store.photo_thumbnail(&sha256).unwrap(), thumbnail);
        assert_eq!(std::fs::read(&cached).unwrap(), thumbnail);

        a_changed_and_a_gone_photograph_are_named(
            backend,
            scratch.path(),
            &store,
            &plan,
            &with_gps,
        );
    });
}

/// The second half of the test above: a second photograph on the plan, then the first
/// changed and the second gone behind the app's back.
fn a_changed_and_a_gone_photograph_are_named(
    backend: &Backend,
    scratch: &std::path::Path,
    store: &Store,
    plan: &str,
    with_gps: &[u8],
) {
    let sha256 = regen_planner::store::check_photo(with_gps).unwrap().sha256;
    let plan_id: regen_planner::store::PlanId = plan.parse().unwrap();
    let second = store
        .add_photo(&regen_planner::demo::synthetic_photo(64, 48, 2, 1).unwrap())
        .unwrap();
    put_on_plan(store, &plan_id, &[&second.sha256]);
    let verified = store.verify();
    assert!(verified.is_ok(), "{}: {verified:?}", backend.name());
    let output = backend.regen(scratch, &["plans", "verify"]);
    assert!(output.status.success(), "{}", common::stdout(&output));
    // A before/after pair of the two, read from where they are kept.
    let pair = scratch.join("pair.png");
    let output = backend.regen(
        scratch,
        &[
            "photos",
            "export-pair",
            plan,
            &sha256,
            &second.sha256,
            pair.to_str().unwrap(),
        ],
    );
    assert!(output.status.success(), "{}", common::stderr(&output));
    assert!(std::fs::read(&pair).unwrap().starts_with(b"\x89PNG"));
    let mut changed = with_gps.to_vec();
    let middle = changed.len() / 2;
    changed[middle] ^= 0x01;
    backend.tamper_photo(&sha256, Some(&changed));
    backend.tamper_photo(&second.sha256, None);
    let problems = store.verify().problems;
    assert_eq!(problems.len(), 2, "{}: {problems:?}", backend.name());
    let about = |sha: &str| {
        problems
            .iter()
            .find(|problem| problem.what.contains(sha))
            .unwrap_or_else(|| panic!("{sha} not named: {problems:?}"))
            .what
            .clone()
    };
    assert!(about(&sha256).contains("changed"), "{problems:?}");
    assert!(about(&second.sha256).contains("missing"), "{problems:?}");
    assert!(about(&sha256).contains(plan), "{problems:?}");
    let output = backend.regen(scratch, &["plans", "verify"]);
    assert!(!output.status.success());
    assert!(common::stdout(&output).contains(&sha256) || common::stderr(&output).contains(&sha256));
    // Never shown, never overwritten: the damaged photograph is named.
    assert!(matches!(
        store.read_photo(&sha256),
        Err(regen_planner::store::PhotoError::Changed { .. })
    ));
    assert!(store.photo_thumbnail(&sha256).is_err());
    assert!(matches!(
        store.add_photo(with_gps),
        Err(regen_planner::store::PhotoError::Changed { .. })
    ));
    assert!(matches!(
        store.read_photo(&second.sha256),
        Err(regen_planner::store::PhotoError::Missing { .. })
    ));
    // The photograph that was gone is added again whole.
    store
        .add_photo(&regen_planner::demo::synthetic_photo(64, 48, 2, 1).unwrap())
        .unwrap();
    assert!(store.read_photo(&second.sha256).is_ok());
}

#[test]
fn photographs_migrate_into_a_database_verified_by_hash_and_a_backup_of_it_opens_as_a_folder_with_them()
 {
    let Some(database) = common::postgres::database("photographs migrate") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let folder = Store::open(&dir.path().join("data")).unwrap();
    let (plan, _) = patient_with_plan(&folder, "Ana Souza", None);
    let plan: regen_planner::store::PlanId = plan.parse().unwrap();
    let bytes: Vec<Vec<u8>> = (0..3)
        .map(|view| regen_planner::demo::synthetic_photo(80, 60, view, 0).unwrap())
        .collect();
    let kept: Vec<String> = bytes
        .iter()
        .map(|photo| folder.add_photo(photo).unwrap().sha256)
        .collect();
    // Two on the plan; the third kept by an add that never saved the plan.
    put_on_plan(&folder, &plan, &[&kept[0], &kept[1]]);
    assert!(folder.verify().is_ok());

    let target = Store::open_database(&database.url).unwrap();
    let report = folder.copy_into(&target).unwrap();
    assert!(report.is_ok(), "{report:?}");
    assert_eq!((report.photos, report.photos_copied), (3, 3), "{report:?}");
    let verified = target.verify();
    assert!(verified.is_ok(), "{verified:?}");
    for (sha256, photo) in kept.iter().zip(&bytes) {
        assert_eq!(&target.read_photo(sha256).unwrap().1, photo);
    }
    // Again: nothing copied twice.
    let again = folder.copy_into(&target).unwrap();
    assert!(again.is_ok(), "{again:?}");
    assert_eq!((again.photos_copied, again.photos_already_there), (0, 3));
    // One gone from the database and one damaged there: the gone one is copied again,
    // the damaged one named and left alone on both sides.
    let mut client = common::postgres::client(&database);
    client
        .execute("DELETE FROM photos WHERE sha256 = $1", &[&kept[1]])
        .unwrap();
    client
        .execute(
            "UPDATE photos SET body = $2 WHERE sha256 = $1",
            &[&kept[0], &b"not the photograph".as_slice()],
        )
        .unwrap();
    let third = folder.copy_into(&target).unwrap();
    assert_eq!(third.photos_copied, 1, "{third:?}");
    assert_eq!(third.problems.len(), 1, "{third:?}");
    assert!(third.problems[0].contains(&kept[0]), "{third:?}");
    assert_eq!(folder.read_photo(&kept[0]).unwrap().1, bytes[0]);
    assert!(!target.verify().is_ok());
    client
        .execute(
            "UPDATE photos SET body = $2 WHERE sha256 = $1",
            &[&kept[0], &bytes[0]],
        )
        .unwrap();
    assert!(target.verify().is_ok());

    // A backup of the database: a data folder with every photograph, verified.
    let dest = dir.path().join("backup");
    let (copied, verified) = target.backup_to_folder(&dest).unwrap();
    assert!(
        copied.is_ok() && verified.is_ok(),
        "{copied:?} {verified:?}"
    );
    assert_eq!(copied.photos_copied, 3);
    let backup = Store::open(&dest).unwrap();
    for (sha256, photo) in kept.iter().zip(&bytes) {
        assert_eq!(&backup.read_photo(sha256).unwrap().1, photo);
        assert!(dest.join("photos").join(format!("{sha256}.jpg")).is_file());
    }
    let verified = backup.verify();
    assert!(verified.is_ok(), "{verified:?}");
    assert_eq!(
        backup.load_plan(&plan).unwrap().value.photos.len(),
        2,
        "the plan's photographs came along"
    );
    // A purge on the database is refused in one sentence, and deletes nothing.
    let error = target
        .purge_photos(regen_planner::store::PurgeOptions { dry_run: true })
        .unwrap_err()
        .to_string();
    assert!(error.contains("nothing was deleted"), "{error}");
    assert!(target.read_photo(&kept[2]).is_ok());
}

/// What the lists should show of a store: each plan's summary made from its newest
/// revision as loaded, with its patient's name and clinic id, and its dated items.
fn index_from_plans(store: &Store, index: &Index) -> Vec<PlanSummary> {
    index
        .plans
        .iter()
        .map(|listed| {
            let revision = store.load_plan(&listed.id).unwrap();
            let patient = store.load_patient(&revision.value.patient).unwrap();
            let mut summary = PlanSummary::new(
                listed.id.clone(),
                &revision.value,
                revision.number,
                revision.saved_at,
                &revision.saved_by,
            );
            summary.patient_name.clone_from(&patient.value.name);
            summary.clinic_id.clone_from(&patient.value.clinic_id);
            summary
        })
        .collect()
}

/// The index's plans are those of the store's plans, dated items included (which the
/// summaries' comparison leaves out).
fn assert_index_is_the_plans(store: &Store, index: &Index, backend: &str) {
    let expected = index_from_plans(store, index);
    assert_eq!(index.plans, expected, "{backend}");
    for (listed, expected) in index.plans.iter().zip(&expected) {
        assert_eq!(
            listed.agenda.0, expected.agenda.0,
            "{backend}: {}",
            listed.id
        );
    }
}

#[test]
fn the_lists_are_what_the_plans_say_and_a_changed_head_or_cache_is_not_trusted() {
    on_both("lists", |backend| {
        let name = backend.name();
        let store = backend.desk();
        let (catalog, _) = Catalog::builtin();
        let mut ids = Vec::new();
        for (k, patient) in ["Ana Souza", "Bo Lindqvist", "Chidi Okafor"]
            .iter()
            .enumerate()
        {
            let (id, first) = patient_with_plan(&store, patient, Some(&format!("MRN-{k}")));
            let id: PlanId = id.parse().unwrap();
            for number in 2..=u64::try_from(k).unwrap() + 2 {
                let record = common::record_of_save(&catalog, &first.patient, number);
                store
                    .save_plan(&id, u32::try_from(number).unwrap() - 1, &record, "Dr. Lima")
                    .unwrap();
            }
            ids.push(id);
        }
        let index = store.load_index(&mut |_| {}).unwrap();
        assert_eq!((index.patients.len(), index.plans.len()), (3, 3), "{name}");
        assert!(index.problems.is_empty(), "{name}: {:?}", index.problems);
        assert_index_is_the_plans(&store, &index, name);
        // Another desk lists the same from the cache the first one wrote.
        let other = backend.desk();
        let again = other.load_index(&mut |_| {}).unwrap();
        assert_eq!(again, index, "{name}");
        assert_index_is_the_plans(&other, &again, name);

        // A save, put into the list in memory, shows as a fresh listing does.
        let saved = other.load_plan(&ids[0]).unwrap();
        let edit = common::record_of_save(&catalog, &saved.value.patient, 40);
        let revision = other
            .save_plan(&ids[0], saved.number, &edit, "Dr. Lima")
            .unwrap();
        let mut upserted = again.clone();
        upserted.upsert(Summary::of_plan(&ids[0], &revision));
        let listed = store.load_index(&mut |_| {}).unwrap();
        assert_eq!(listed, upserted, "{name}");
        assert_index_is_the_plans(&store, &listed, name);
        let title = listed.plans[0].protocol_title.clone();

        // A head whose summary was changed is not believed: the list shows what the
        // revision holds, with the cache and without it, and verify names the head.
        let head = backend.head("plans", ids[1].as_str());
        let text = String::from_utf8(head.clone()).unwrap();
        assert!(text.contains(&title), "{name}: {text}");
        let forged = text.replacen(&title, "Forged protocol", 1);
        backend.set_head("plans", ids[1].as_str(), Some(forged.as_bytes()));
        let listed = backend.desk().load_index(&mut |_| {}).unwrap();
        assert_index_is_the_plans(&store, &listed, name);
        assert!(
            listed
                .plans
                .iter()
                .all(|plan| plan.protocol_title != "Forged protocol"),
            "{name}"
        );
        backend.edit_cache(None);
        let listed = backend.desk().load_index(&mut |_| {}).unwrap();
        assert_index_is_the_plans(&store, &listed, name);
        assert!(
            listed
                .plans
                .iter()
                .all(|plan| plan.protocol_title != "Forged protocol"),
            "{name}"
        );
        let report = store.verify();
        assert!(
            report
                .problems
                .iter()
                .any(|problem| problem.to_string().contains(ids[1].as_str())),
            "{name}: {report:?}"
        );
        backend.set_head("plans", ids[1].as_str(), Some(&head));

        // A cache whose summary was changed is caught: the list shows the plan, and
        // the cache is reported and made again.
        backend.desk().load_index(&mut |_| {}).unwrap();
        backend.edit_cache(Some(("Dr. Lima", "Dr. Forger")));
        let listed = backend.desk().load_index(&mut |_| {}).unwrap();
        assert_index_is_the_plans(&store, &listed, name);
        assert!(
            listed
                .problems
                .iter()
                .any(|problem| problem.kind == ProblemKind::Cache),
            "{name}: {:?}",
            listed.problems
        );
        let listed = backend.desk().load_index(&mut |_| {}).unwrap();
        assert!(listed.problems.is_empty(), "{name}: {:?}", listed.problems);

        // A record without its head is listed as its revision says, marked unverified
        // and reported.
        backend.set_head("plans", ids[2].as_str(), None);
        let listed = backend.desk().load_index(&mut |_| {}).unwrap();
        assert_index_is_the_plans(&store, &listed, name);
        assert!(listed.unverified.contains(ids[2].as_str()), "{name}");
        assert!(
            listed.problems.iter().any(|problem| {
                problem.kind == ProblemKind::Unverified
                    && problem.to_string().contains(ids[2].as_str())
            }),
            "{name}: {:?}",
            listed.problems
        );
    });
}

#[test]
fn demo_data_lists_agenda_and_lot_recall_from_the_index_agree_with_the_plans() {
    let (catalog, _) = Catalog::builtin();
    let options = regen_planner::demo::DemoOptions {
        patients: 14,
        seed: 7,
        now: "2027-01-18T10:00:00Z".parse().unwrap(),
    };
    let today = jiff::civil::Date::new(2027, 1, 18).unwrap();
    let check = |store: &Store, name: &str| {
        assert!(store.is_demo(), "{name}");
        let index = store.load_index(&mut |_| {}).unwrap();
        assert_eq!(index.patients.len(), 14, "{name}");
        assert!(index.problems.is_empty(), "{name}: {:?}", index.problems);
        assert_index_is_the_plans(store, &index, name);
        let from_plans = Index {
            plans: index_from_plans(store, &index),
            ..index.clone()
        };
        for query in [
            AgendaQuery::week_from(today),
            AgendaQuery::week_from(today.checked_sub(jiff::Span::new().days(60)).unwrap()),
        ] {
            let rows = regen_planner::desk::agenda::agenda_rows(&index, &query);
            assert_eq!(
                rows,
                regen_planner::desk::agenda::agenda_rows(&from_plans, &query),
                "{name}"
            );
        }
        let lots: std::collections::BTreeSet<String> = from_plans
            .plans
            .iter()
            .flat_map(|plan| plan.lots.iter().map(|used| used.lot.clone()))
            .collect();
        assert!(!lots.is_empty(), "{name}: the demo records lots");
        for lot in lots.iter().take(5) {
            let found = recall(lot, &index.plans);
            assert!(!found.is_empty(), "{name}: {lot}");
            assert_eq!(found, recall(lot, &from_plans.plans), "{name}: {lot}");
        }
        (index.plans.len(), lots)
    };
    let dir = tempfile::tempdir().unwrap();
    let (folder, _) =
        regen_planner::demo::create_demo(&dir.path().join("data"), &catalog, &options).unwrap();
    let on_folder = check(&folder, "folder");
    let Some(database) = common::postgres::database("demo data") else {
        return;
    };
    let (on_database, report) =
        regen_planner::demo::create_demo_on_database(&database.url, &catalog, &options).unwrap();
    assert_eq!(report.patients, 14);
    // The same patients, plans and lots.
    assert_eq!(check(&on_database, "database"), on_folder);
    // Demo data goes only into an empty database.
    let error = regen_planner::demo::create_demo_on_database(&database.url, &catalog, &options)
        .unwrap_err();
    assert!(
        matches!(error, StoreError::NotEmptyForDemo { .. }),
        "{error}"
    );
}

#[test]
fn a_copy_carries_the_demo_marker_and_never_mixes_demo_patients_with_real_ones() {
    let (catalog, _) = Catalog::builtin();
    let options = regen_planner::demo::DemoOptions {
        patients: 2,
        seed: 11,
        now: "2027-01-18T10:00:00Z".parse().unwrap(),
    };
    let scratch = tempfile::tempdir().unwrap();
    let (demo, _) =
        regen_planner::demo::create_demo(&scratch.path().join("demo"), &catalog, &options).unwrap();
    let real = Store::open(&scratch.path().join("real")).unwrap();
    patient_with_plan(&real, "Real Patient", Some("MRN-REAL"));
    on_both("demo marker", |backend| {
        let name = backend.name();
        let target = backend.desk();
        assert!(!target.is_demo(), "{name}");
        // Demo data copied into an empty store arrives marked as demo.
        let report = demo.copy_into(&target).unwrap();
        assert!(report.is_ok(), "{name}: {report:?}");
        assert!(target.is_demo(), "{name}");
        assert!(
            backend.desk().is_demo(),
            "{name}: another desk sees the marker"
        );
        let before = target.load_index(&mut |_| {}).unwrap();
        // Real patients into a demo store: refused, nothing copied.
        let error = real.copy_into(&target).unwrap_err();
        assert!(
            matches!(error, StoreError::DemoMix { .. }),
            "{name}: {error}"
        );
        assert!(
            error.to_string().contains("nothing was copied"),
            "{name}: {error}"
        );
        let after = target.load_index(&mut |_| {}).unwrap();
        assert_eq!(after.patients.len(), before.patients.len(), "{name}");
    });
    // Demo data into a store of real patients: refused, and the store stays unmarked.
    let error = demo.copy_into(&real).unwrap_err();
    assert!(matches!(error, StoreError::DemoMix { .. }), "{error}");
    assert!(!real.is_demo());
    assert_eq!(real.load_index(&mut |_| {}).unwrap().patients.len(), 1);
}
