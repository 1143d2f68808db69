//! Helpers shared by the tests: plans made by the real engine, stores in temporary
//! folders (never the user's), the binary run on them, and the window in a test
//! harness ([`window`]).

#![allow(
    dead_code,
    reason = "each test file uses some of the helpers, none uses all"
)]

pub mod postgres;
pub mod window;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::{Command, Output};

use jiff::Timestamp;
use jiff::civil::Date;
use regen_planner::catalog::{Area, Catalog, CellSource, Factor, Indication, Modality, Selection};
use regen_planner::planning::{Note, PlanRequest, PlanStatus, generate};
use regen_planner::store::{Patient, PatientId, PlanId, PlanRecord, Store};

/// The `plan` arguments of the README's example: adipose stem cells for stretch marks,
/// starting on Monday 18 January 2027.
pub const STRETCH_MARKS: &[&str] = &[
    "--modality",
    "injection",
    "--source",
    "autologous-adipose",
    "--area",
    "abdomen",
    "--indication",
    "stretch-marks",
    "--start",
    "2027-01-18",
];

/// Every selection the built-in catalog covers.
pub fn selections(catalog: &Catalog) -> Vec<Selection> {
    let mut found = Vec::new();
    for &modality in Modality::ALL {
        for &source in CellSource::ALL {
            for &area in Area::ALL {
                for &indication in Indication::ALL {
                    let selection = Selection {
                        modality,
                        source,
                        area,
                        indication,
                        adjuncts: Vec::new(),
                    };
                    if catalog.covering(&selection).is_some() {
                        found.push(selection);
                    }
                }
            }
        }
    }
    assert!(!found.is_empty(), "the catalog covers no selection");
    found
}

/// A plan record made by the engine.
pub fn record(
    catalog: &Catalog,
    patient: &PatientId,
    selection: Selection,
    factors: BTreeSet<Factor>,
    start: Date,
) -> PlanRecord {
    let request = PlanRequest::new(selection, factors, start);
    let plan = generate(catalog, &request).unwrap();
    PlanRecord::new(patient.clone(), request, plan)
}

/// The record of save number `k`: every field depends on `k`, so a test can tell which
/// save a revision holds.
pub fn record_of_save(catalog: &Catalog, patient: &PatientId, k: u64) -> PlanRecord {
    let selection = selections(catalog)[0].clone();
    let start = Date::new(2027, 1, 4).unwrap();
    let mut record = record(catalog, patient, selection, BTreeSet::new(), start);
    let at = Timestamp::from_second(1_800_000_000 + i64::try_from(k).unwrap()).unwrap();
    record.status = PlanStatus::ALL[usize::try_from(k % 4).unwrap()];
    record.notes = vec![Note {
        written_at: at,
        author: "Dr. Crash".into(),
        text: format!("save {k}"),
    }];
    record.checklist = BTreeMap::from([(format!("session:{}", k % 3 + 1), at)]);
    record
}

/// A store in a fresh temporary folder.
pub fn temp_store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("data")).unwrap();
    (dir, store)
}

/// A store with one patient and one plan of one revision.
pub fn store_with_plan() -> (
    tempfile::TempDir,
    Store,
    regen_planner::store::PlanId,
    PlanRecord,
) {
    let (dir, store) = temp_store();
    let (catalog, _) = Catalog::builtin();
    let (patient, _) = store
        .create_patient(&Patient::new("Ana Souza"), "Dr. Vega")
        .unwrap();
    let record = record_of_save(&catalog, &patient, 1);
    let (id, _) = store.create_plan(&record, "Dr. Vega").unwrap();
    (dir, store, id, record)
}

/// Saves a stretch-marks plan (on the thighs, from 1 March 2027) for a new patient
/// A store with one plan of `count` revisions; revision k holds save k (the records,
/// first to last).
pub fn plan_with_revisions(count: u32) -> (tempfile::TempDir, Store, PlanId, Vec<PlanRecord>) {
    let (catalog, _) = Catalog::builtin();
    let (dir, store, id, first) = store_with_plan();
    let mut records = vec![first];
    for number in 2..=count {
        let record = record_of_save(&catalog, &records[0].patient, u64::from(number));
        store
            .save_plan(&id, number - 1, &record, "Dr. Vega")
            .unwrap();
        records.push(record);
    }
    (dir, store, id, records)
}

/// straight through the store, as another desk would, and returns its id.
pub fn saved_plan(data: &Path, name: &str) -> regen_planner::store::PlanId {
    let store = Store::open(data).unwrap();
    let (patient, _) = store
        .create_patient(&Patient::new(name), "Dr Desk Two")
        .unwrap();
    let selection = Selection {
        modality: Modality::Injection,
        source: CellSource::AutologousAdipose,
        area: Area::Thighs,
        indication: Indication::StretchMarks,
        adjuncts: Vec::new(),
    };
    let record = record(
        &Catalog::builtin().0,
        &patient,
        selection,
        BTreeSet::new(),
        Date::new(2027, 3, 1).unwrap(),
    );
    let (id, _) = store.create_plan(&record, "Dr Desk Two").unwrap();
    id
}

/// Every file under a folder with its bytes, to show that nothing changed.
pub fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(folder) = stack.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let name = path.strip_prefix(dir).unwrap().display().to_string();
                files.insert(name, std::fs::read(&path).unwrap());
            }
        }
    }
    files
}

/// A desk of its own for the command line: a data and a configuration folder in one
/// temporary folder, removed at the end.
pub struct Desk {
    /// The temporary folder, for files a test writes beside the desk's folders.
    pub dir: tempfile::TempDir,
    /// The data folder (made by the first command that needs it).
    pub data: std::path::PathBuf,
    /// The configuration folder.
    pub config: std::path::PathBuf,
}

impl Desk {
    /// A desk with no settings: the defaults.
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let config = dir.path().join("config");
        Desk { dir, data, config }
    }

    /// A desk whose settings name the physician, who is then the author of its saves.
    pub fn with_physician(name: &str) -> Self {
        let desk = Desk::new();
        desk.save_settings(&regen_planner::store::Settings {
            physician_name: name.into(),
            ..regen_planner::store::Settings::default()
        });
        desk
    }

    /// A file beside the desk's folders.
    pub fn file(&self, name: &str) -> std::path::PathBuf {
        self.dir.path().join(name)
    }

    /// Writes the desk's settings.
    pub fn save_settings(&self, settings: &regen_planner::store::Settings) {
        std::fs::create_dir_all(&self.config).unwrap();
        settings.save(&self.config).unwrap();
    }

    /// Runs the binary on the desk's folders.
    pub fn run(&self, args: &[&str]) -> Output {
        regen(&self.data, &self.config, args)
    }

    /// Saves a plan through the command line (`plan PLAN_ARGS --save PATIENT_ARGS`) and
    /// returns its id.
    pub fn save_plan_with(&self, plan_args: &[&str], patient_args: &[&str]) -> String {
        let mut args = vec!["plan"];
        args.extend_from_slice(plan_args);
        args.push("--save");
        args.extend_from_slice(patient_args);
        let output = self.run(&args);
        assert!(output.status.success(), "{}", stderr(&output));
        stdout(&output).trim().to_owned()
    }

    /// The desk's store.
    pub fn store(&self) -> Store {
        Store::open(&self.data).unwrap()
    }
}

/// Runs the real binary with its own data and configuration folders.
pub fn regen(data: &Path, config: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_regen-planner"))
        .args(args)
        .env("REGEN_PLANNER_DATA_DIR", data)
        .env("REGEN_PLANNER_CONFIG_DIR", config)
        .env_remove("REGEN_PLANNER_LOG")
        .env_remove("REGEN_PLANNER_DATABASE_URL")
        .output()
        .unwrap()
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}
