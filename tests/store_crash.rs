//! Crash safety: a child process saves in a loop and is killed with SIGKILL at random
//! moments. Afterwards every save that had returned is there and intact, no partial
//! file is visible, and `verify` passes.
//!
//! The child is this test binary again, running `saves_survive_being_killed` with
//! `CHILD_DIR` set: it then saves until it is killed (or for a minute at most, should
//! the parent die). Run without it, the same test is the parent.

#![cfg(unix)]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly on anything unexpected"
)]

mod common;

use std::io::{BufRead as _, BufReader};
use std::os::unix::process::ExitStatusExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use regen_planner::catalog::Catalog;
use regen_planner::store::{Patient, PatientId, PlanId, Store};

const CHILD_DIR: &str = "REGEN_PLANNER_TEST_CRASH_CHILD_DIR";
const NEW_PATIENTS_CHILD_DIR: &str = "REGEN_PLANNER_TEST_CRASH_NEW_PATIENTS_DIR";
const CHILD_ROUND: &str = "REGEN_PLANNER_TEST_CRASH_CHILD_ROUND";
const ROUNDS: u64 = 12;

/// One save that returned, as the child reported it.
#[derive(Debug)]
struct Saved {
    plan: PlanId,
    patient: PatientId,
    revision: u32,
    k: u64,
}

/// Makes new patients, each with a first plan, forever (or until `limit`), reporting
/// each that returned as `created <patient> <plan> <k> end`. Every other patient has a
/// clinic id out of five, so that an interrupted save's clinic id is saved again.
fn new_patients_loop(data: &Path, round: u64, limit: Option<u64>, out: &mut dyn std::io::Write) {
    let (catalog, _) = Catalog::builtin();
    let store = Store::open(data).unwrap();
    let started = Instant::now();
    for i in 0.. {
        if limit.is_some_and(|limit| i >= limit) || started.elapsed() > Duration::from_mins(1) {
            return;
        }
        let k = round * 1_000_000 + i;
        let mut patient = Patient::new(format!("Crash Patient {k}"));
        if i % 2 == 0 {
            patient.clinic_id = Some(format!("CH-{}", k % 5));
        }
        let made = |id: &PatientId| common::record_of_save(&catalog, id, k);
        let (patient_id, plan) = match store.create_patient_with_plan(&patient, made, "Dr. Crash") {
            Ok(created) => (created.patient, created.plan),
            Err(regen_planner::store::StoreError::ClinicIdTaken { patient, .. }) => {
                let record = common::record_of_save(&catalog, &patient, k);
                (patient, store.create_plan(&record, "Dr. Crash").unwrap().0)
            }
            Err(error) => panic!("{error}"),
        };
        writeln!(out, "created {patient_id} {plan} {k} end").unwrap();
        out.flush().unwrap();
    }
}

/// After interrupted new patients: each one made is there with their plan, no patient
/// is without a plan, no plan without its patient, and a clinic id is one patient.
fn check_new_patients(data: &Path, created: &[(PatientId, PlanId, u64)]) {
    let (catalog, _) = Catalog::builtin();
    let store = Store::open(data).unwrap();
    for (patient, plan, k) in created {
        store.load_patient(patient).unwrap();
        let revision = store.load_plan_revision(plan, 1).unwrap();
        assert_eq!(
            revision.value,
            common::record_of_save(&catalog, patient, *k)
        );
    }
    let index = store.load_index(&mut |_| {}).unwrap();
    assert!(index.problems.is_empty(), "{:#?}", index.problems);
    for patient in &index.patients {
        assert!(
            index.plans.iter().any(|plan| plan.patient == patient.id),
            "patient {} ({}) was left without the plan they were made for",
            patient.id,
            patient.name
        );
    }
    let mut clinic_ids: Vec<&str> = index
        .patients
        .iter()
        .filter_map(|patient| patient.clinic_id.as_deref())
        .collect();
    let count = clinic_ids.len();
    clinic_ids.sort_unstable();
    clinic_ids.dedup();
    assert_eq!(clinic_ids.len(), count, "a clinic id made two patients");
    let report = store.verify();
    assert!(report.is_ok(), "verify failed: {:#?}", report.problems);
}

/// Saves forever (or until `limit`), reporting each returned save as a line
/// `saved <plan> <patient> <revision> <k> end`.
fn save_loop(data: &Path, round: u64, limit: Option<u64>, out: &mut dyn std::io::Write) {
    let (catalog, _) = Catalog::builtin();
    let store = Store::open(data).unwrap();
    let index = store.load_index(&mut |_| {}).unwrap();
    let patient = match index.patients.first() {
        Some(patient) => patient.id.clone(),
        None => {
            store
                .create_patient(&Patient::new("Crash Test"), "Dr. Crash")
                .unwrap()
                .0
        }
    };
    let mut plans: Vec<PlanId> = index.plans.iter().map(|plan| plan.id.clone()).collect();
    let started = Instant::now();
    for i in 0.. {
        if limit.is_some_and(|limit| i >= limit) || started.elapsed() > Duration::from_mins(1) {
            return;
        }
        let k = round * 1_000_000 + i;
        let record = common::record_of_save(&catalog, &patient, k);
        let (plan, revision) = if plans.is_empty() || i % 4 == 0 {
            let (plan, revision) = store.create_plan(&record, "Dr. Crash").unwrap();
            plans.push(plan.clone());
            (plan, revision.number)
        } else {
            let plan = plans[usize::try_from(k).unwrap() % plans.len()].clone();
            let base = store.load_plan(&plan).unwrap().number;
            let revision = store.save_plan(&plan, base, &record, "Dr. Crash").unwrap();
            (plan, revision.number)
        };
        writeln!(out, "saved {plan} {patient} {revision} {k} end").unwrap();
        out.flush().unwrap();
    }
}

fn parse(line: &str) -> Option<Saved> {
    let words: Vec<&str> = line.split(' ').collect();
    match words.as_slice() {
        ["saved", plan, patient, revision, k, "end"] => Some(Saved {
            plan: plan.parse().ok()?,
            patient: patient.parse().ok()?,
            revision: revision.parse().ok()?,
            k: k.parse().ok()?,
        }),
        _ => None,
    }
}

/// Every reported save is there and intact; nothing partial is visible; verify passes.
fn check(data: &Path, saved: &[Saved]) {
    let (catalog, _) = Catalog::builtin();
    let store = Store::open(data).unwrap();
    for save in saved {
        let revision = store
            .load_plan_revision(&save.plan, save.revision)
            .unwrap_or_else(|error| panic!("save {save:?} is lost: {error}"));
        assert_eq!(
            revision.value,
            common::record_of_save(&catalog, &save.patient, save.k),
            "save {save:?} does not hold what was saved"
        );
    }
    for kind in ["plans", "patients"] {
        for folder in std::fs::read_dir(data.join(kind)).unwrap() {
            for file in std::fs::read_dir(folder.unwrap().path()).unwrap() {
                let name = file.unwrap().file_name().to_string_lossy().into_owned();
                let is_revision = name
                    .strip_prefix("revision-")
                    .and_then(|rest| rest.strip_suffix(".ron"))
                    .is_some_and(|digits| digits.bytes().all(|byte| byte.is_ascii_digit()));
                // A plan's generated plan, named by its SHA-256; one written just before
                // a kill, whose revision was not, is whole too (verify notes it).
                let is_generated = name
                    .strip_prefix("generated-")
                    .and_then(|rest| rest.strip_suffix(".ron"))
                    .is_some_and(|hash| {
                        hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit())
                    });
                let is_record_file = name == "head.ron" || is_revision || is_generated;
                assert!(is_record_file, "a stray file is visible: {kind}/{name}");
            }
        }
    }
    let report = store.verify();
    assert!(report.is_ok(), "verify failed: {:#?}", report.problems);
    let index = store.load_index(&mut |_| {}).unwrap();
    assert!(index.problems.is_empty(), "{:#?}", index.problems);
}

/// A small pseudo-random generator; the seed is printed so a failure can be replayed.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
}

#[test]
fn saves_survive_being_killed() {
    if let Some((dir, round)) = child_of(CHILD_DIR) {
        save_loop(&dir, round, None, &mut std::io::stdout().lock());
        return;
    }

    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (seed, mut random) = seeded();
    let mut saved = Vec::new();
    for round in 1..=ROUNDS {
        let lines = run_and_kill(
            "saves_survive_being_killed",
            CHILD_DIR,
            &data,
            round,
            &mut random,
            seed,
            |line| parse(line).is_some(),
        );
        saved.extend(lines.iter().filter_map(|line| parse(line)));
    }
    assert!(
        saved.len() as u64 >= ROUNDS,
        "the children saved only {} times in {ROUNDS} rounds; the test proved little (seed {seed})",
        saved.len()
    );
    let leftovers = std::fs::read_dir(data.join("tmp")).unwrap().count();
    println!(
        "{} saves returned before the kills; {leftovers} temporary file(s) of interrupted saves were left in tmp/",
        saved.len()
    );
    check(&data, &saved);
}

/// The seed of this run's random kill moments, printed so a failure can be replayed,
/// and the generator it starts.
#[expect(
    clippy::print_stdout,
    reason = "the seed is printed to replay a failure"
)]
fn seeded() -> (u64, Lcg) {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap();
    let seed = now.as_secs() ^ u64::from(now.subsec_nanos()) << 20;
    println!("crash test seed {seed}");
    (seed, Lcg(seed))
}

/// In a child started by [`run_and_kill`]: its data folder (from `variable`) and round.
fn child_of(variable: &str) -> Option<(PathBuf, u64)> {
    let dir = std::env::var_os(variable)?;
    let round = std::env::var(CHILD_ROUND).unwrap().parse().unwrap();
    Some((PathBuf::from(dir), round))
}

/// Starts this test binary as a child running `test` with `variable` set to the data
/// folder, waits for the first line that shows a save returned (`done`), kills the
/// child at a random moment of the saves that follow, and returns its lines.
fn run_and_kill(
    test: &str,
    variable: &str,
    data: &Path,
    round: u64,
    random: &mut Lcg,
    seed: u64,
    done: impl Fn(&str) -> bool,
) -> Vec<String> {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", test, "--nocapture"])
        .env(variable, data)
        .env(CHILD_ROUND, round.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (lines_tx, lines_rx) = std::sync::mpsc::channel();
    let reader = std::thread::Builder::new()
        .name("child-output".into())
        .spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if lines_tx.send(line).is_err() {
                    break;
                }
            }
        })
        .unwrap();
    let mut lines = Vec::new();
    let started = Instant::now();
    while !lines.iter().any(|line: &String| done(line)) {
        let left = Duration::from_secs(30).saturating_sub(started.elapsed());
        match lines_rx.recv_timeout(left) {
            Ok(line) => lines.push(line),
            Err(error) => panic!("the child saved nothing in 30 s ({error})"),
        }
    }
    std::thread::sleep(Duration::from_millis(random.below(150)));
    child.kill().unwrap();
    let status = child.wait().unwrap();
    assert_eq!(
        status.signal(),
        Some(9),
        "the child stopped on its own ({status}) before it was killed: a save after an earlier kill failed (seed {seed})"
    );
    reader.join().unwrap();
    lines.extend(lines_rx.try_iter());
    lines
}

fn parse_created(line: &str) -> Option<(PatientId, PlanId, u64)> {
    let words: Vec<&str> = line.split(' ').collect();
    match words.as_slice() {
        ["created", patient, plan, k, "end"] => {
            Some((patient.parse().ok()?, plan.parse().ok()?, k.parse().ok()?))
        }
        _ => None,
    }
}

#[test]
fn new_patients_with_their_first_plan_survive_being_killed() {
    if let Some((dir, round)) = child_of(NEW_PATIENTS_CHILD_DIR) {
        new_patients_loop(&dir, round, None, &mut std::io::stdout().lock());
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (seed, mut random) = seeded();
    let mut created = Vec::new();
    for round in 1..=ROUNDS {
        let lines = run_and_kill(
            "new_patients_with_their_first_plan_survive_being_killed",
            NEW_PATIENTS_CHILD_DIR,
            &data,
            round,
            &mut random,
            seed,
            |line| line.starts_with("created "),
        );
        created.extend(lines.iter().filter_map(|line| parse_created(line)));
    }
    assert!(created.len() as u64 >= ROUNDS, "seed {seed}");
    check_new_patients(&data, &created);
}

#[test]
fn the_new_patients_loop_itself_keeps_every_patient() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut out = Vec::new();
    new_patients_loop(&data, 0, Some(12), &mut out);
    let created: Vec<_> = String::from_utf8(out)
        .unwrap()
        .lines()
        .filter_map(parse_created)
        .collect();
    assert_eq!(created.len(), 12);
    check_new_patients(&data, &created);
}

#[test]
fn the_save_loop_itself_keeps_every_save() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut out = Vec::new();
    save_loop(&data, 0, Some(12), &mut out);
    let saved: Vec<Saved> = String::from_utf8(out)
        .unwrap()
        .lines()
        .filter_map(parse)
        .collect();
    assert_eq!(saved.len(), 12);
    check(&data, &saved);
}
