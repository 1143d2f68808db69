//! Data-driven scenarios: each case in `tests/scenarios/*.txt` is a `plan` command line and
//! what a physician expects of its plan.
//!
//! A case is a block of lines: `## title`, then `$ plan ...` (the arguments after the
//! binary's name), then one expectation per line. Blank lines separate cases; lines
//! starting with `#` (but not `##`) are comments.
//!
//! Most cases run in-process: the arguments become a `PlanRequest` for the library's
//! engine, and the JSON and text are the library's exports, so the suite stays fast as it
//! grows. A case that expects an `exit`, `stderr` or `stdout`, that is not a `plan`, or
//! whose command is written `$ binary plan ...`, runs the real binary, so the command line
//! itself stays tested. In-process cases may also give `--move-session N=YYYY-MM-DD`,
//! which no command has: the physician moving session N in the plan window.
//!
//! Expectations, one per line (`check` and its helpers read them):
//! - the outcome: `exit`, `stderr`, `stdout`, `text` and `no text` (the text output);
//! - the plan: `protocol`, `candidate`, `status`, `sessions` (count), `duration`, `keys`;
//! - a session: `session 2` (date), `session 1 steps`, `session 2 no step`,
//!   `session 1 site`, `session 1 volume`, `session 1 max dose` (mg), `no step`;
//! - warnings: `first warning`, `warning`, `no warning`;
//! - dated lists: `pre-procedure`, `pre-procedure before session N`, `clinic task`,
//!   `no pre-procedure`, `aftercare`, `no aftercare`, `donor-site care after session`,
//!   `no donor-site care`, `milestone`, `follow-up`, `follow-up scale`;
//! - the consent talk: `alternatives` (count), `first alternative`, `alternative`,
//!   `no alternative`, `risk`, `no risk`, `source`, `uncertain source`, `marketing source`,
//!   `regulatory note`, `maintenance`, `no maintenance`;
//! - what the patient takes home: `handout`, `no handout`, `consent`, `no consent` (words
//!   of the PDF, read back with `pdftotext`).
//!
//! Every plan is also checked against `invariants`, whatever the case expects.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly on anything unexpected"
)]

use std::cell::OnceCell;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;
use std::sync::OnceLock;

use jiff::civil::Date;
use regen_planner::catalog::{
    Area, CellSource, Factor, Indication, Jurisdiction, Modality, Selection, reference_key_in,
};
use regen_planner::catalog::{Catalog, FactorSeverity};
use regen_planner::export::{self, ClinicDetails, Document, PatientDetails};
use regen_planner::planning::{Plan, PlanRequest, PlanStatus, Weekday, WorkingDays, generate};
use serde_json::Value;

struct Case {
    file: String,
    line: usize,
    title: String,
    args: Vec<String>,
    expectations: Vec<String>,
}

fn parse_cases(file: &Path) -> Vec<Case> {
    let text = std::fs::read_to_string(file).unwrap();
    let name = file.file_name().unwrap().to_string_lossy().into_owned();
    let mut cases = Vec::new();
    let mut current: Option<Case> = None;
    for (index, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() {
            cases.extend(current.take());
        } else if let Some(title) = line.strip_prefix("## ") {
            cases.extend(current.take());
            current = Some(Case {
                file: name.clone(),
                line: index + 1,
                title: title.to_owned(),
                args: Vec::new(),
                expectations: Vec::new(),
            });
        } else if line.starts_with('#') {
        } else if let Some(command) = line.strip_prefix("$ ") {
            let case = current
                .as_mut()
                .expect("a command needs a ## title above it");
            case.args = shell_words(command);
        } else {
            let case = current
                .as_mut()
                .expect("an expectation needs a ## title above it");
            case.expectations.push(line.to_owned());
        }
    }
    cases.extend(current);
    cases
}

/// Splits a command line on spaces, keeping "quoted words" together.
fn shell_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quoted = false;
    for c in line.chars() {
        match c {
            '"' => quoted = !quoted,
            ' ' if !quoted => {
                if !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
            }
            _ => word.push(c),
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    words
}

struct Outcome {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run_binary(args: &[String], format: &str) -> Outcome {
    let config = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_regen-planner"));
    command
        .args(args)
        .env("REGEN_PLANNER_CONFIG_DIR", config.path())
        .env("REGEN_PLANNER_DATA_DIR", data.path());
    if args.first().is_some_and(|command| command == "plan") {
        command.args(["--format", format]);
    }
    let output = command.output().unwrap();
    Outcome {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    }
}

fn text_of(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

fn any_contains(items: &Value, field: &str, needle: &str) -> bool {
    items.as_array().is_some_and(|items| {
        items
            .iter()
            .any(|item| text_of(&item[field]).contains(needle))
    })
}

/// Whether the clinic named by `--working-days` (default Monday to Friday) is open.
fn open_days(args: &[String]) -> BTreeSet<String> {
    let listed = args
        .iter()
        .position(|arg| arg == "--working-days")
        .and_then(|index| args.get(index + 1));
    match listed {
        Some(list) => list.split(',').map(str::to_owned).collect(),
        None => ["monday", "tuesday", "wednesday", "thursday", "friday"]
            .map(str::to_owned)
            .into(),
    }
}

fn weekday(date: &str) -> String {
    let date: jiff::civil::Date = date.parse().unwrap();
    format!("{:?}", date.weekday()).to_lowercase()
}

/// Checks one expectation; returns what went wrong.
fn check(
    expectation: &str,
    plan: &Value,
    outcome: &Outcome,
    text: &dyn Fn() -> String,
    documents: &Documents<'_>,
) -> Result<(), String> {
    let (key, value) = expectation
        .split_once(':')
        .map_or((expectation, ""), |(key, value)| (key.trim(), value.trim()));
    let ok = match key {
        "exit" => outcome.code.to_string() == value,
        "stderr" => outcome.stderr.contains(value),
        "no stderr" => !outcome.stderr.contains(value),
        "stdout" => outcome.stdout.contains(value),
        "text" => text().contains(value),
        "no text" => !text().contains(value),
        "handout" => (documents.handout)().contains(value),
        "no handout" => !(documents.handout)().contains(value),
        "consent" => (documents.consent)().contains(value),
        "no consent" => !(documents.consent)().contains(value),
        "candidate" => plan["candidate"] == Value::Bool(value == "yes"),
        "protocol" => plan["protocol"]["id"] == value,
        "status" => plan["regulatory"]["status"] == value,
        "sessions" => count(&plan["sessions"]) == value,
        "duration" => {
            let duration = &plan["sessions"][0]["duration_minutes"];
            format!("{}-{}", duration["min"], duration["max"]) == value
        }
        "keys" => value.split_whitespace().all(|key| plan.get(key).is_some()),
        "no step" => !any(&plan["sessions"], |session| {
            any_contains(&session["steps"], "text", value)
        }),
        other if other.starts_with("session ") => check_session(other, value, plan)?,
        other => check_warning(other, value, plan)
            .or_else(|| check_dated(other, value, plan))
            .or_else(|| check_consent(other, value, plan))
            .ok_or_else(|| format!("unknown expectation '{other}'"))?,
    };
    if ok {
        Ok(())
    } else {
        Err(format!("expected {expectation}"))
    }
}

/// The words of an expectation's value, and the text after the first `n` of them.
struct Words<'a>(Vec<&'a str>);

impl<'a> Words<'a> {
    fn of(value: &'a str) -> Self {
        Self(value.split_whitespace().collect())
    }

    fn get(&self, index: usize) -> &'a str {
        self.0.get(index).copied().unwrap_or_default()
    }

    fn rest_after(&self, n: usize) -> String {
        self.0.get(n..).unwrap_or_default().join(" ")
    }
}

/// How many items a JSON list has, as text.
fn count(items: &Value) -> String {
    items.as_array().map_or(0, Vec::len).to_string()
}

/// Whether any item of a JSON list satisfies the test.
fn any(items: &Value, test: impl Fn(&Value) -> bool) -> bool {
    items.as_array().is_some_and(|items| items.iter().any(test))
}

/// "first warning: contraindicated cancer-history" (`-` for no factor),
/// "warning: caution nsaids by 2027-01-08", "no warning: restricted".
fn check_warning(key: &str, value: &str, plan: &Value) -> Option<bool> {
    let words = Words::of(value);
    let factor_is = |warning: &Value, factor: &str| {
        factor.is_empty()
            || text_of(&warning["factor"]) == factor
            || (factor == "-" && warning["factor"].is_null())
    };
    Some(match key {
        "first warning" => {
            let first = &plan["warnings"][0];
            first["severity"] == words.get(0) && factor_is(first, words.get(1))
        }
        "warning" => any(&plan["warnings"], |warning| {
            warning["severity"] == words.get(0)
                && factor_is(warning, words.get(1))
                && text_of(&warning["message"]).contains(&words.rest_after(2))
        }),
        // "no warning: nsaids" or "no warning: restricted"; with more words, as `warning`.
        "no warning" if value.contains(' ') => !any(&plan["warnings"], |warning| {
            warning["severity"] == words.get(0)
                && factor_is(warning, words.get(1))
                && text_of(&warning["message"]).contains(&words.rest_after(2))
        }),
        "no warning" => !any(&plan["warnings"], |warning| {
            text_of(&warning["factor"]) == value || warning["severity"] == value
        }),
        _ => return None,
    })
}

/// The dated lists: pre-procedure tasks, aftercare, milestones and follow-up visits.
/// "aftercare: <session> <site> <from> <until> <text>", "no aftercare: <session> <site>".
fn check_dated(key: &str, value: &str, plan: &Value) -> Option<bool> {
    let words = Words::of(value);
    let session_is = |item: &Value, number: &str| {
        number
            .parse::<u64>()
            .is_ok_and(|number| item["session"] == number)
    };
    Some(match key {
        "pre-procedure" => any(&plan["pre_procedure"], |task| {
            task["due"] == words.get(0) && text_of(&task["task"]).contains(&words.rest_after(1))
        }),
        "clinic task" => any(&plan["pre_procedure"], |task| {
            task["audience"] == "clinic"
                && task["due"] == words.get(0)
                && text_of(&task["task"]).contains(&words.rest_after(1))
        }),
        "no pre-procedure" => !any_contains(&plan["pre_procedure"], "task", value),
        other if other.starts_with("pre-procedure before session ") => {
            let number: u64 = other
                .trim_start_matches("pre-procedure before session ")
                .parse()
                .unwrap_or(0);
            any(&plan["pre_procedure"], |task| {
                task["session"] == number
                    && task["due"] == words.get(0)
                    && text_of(&task["task"]).contains(&words.rest_after(1))
            })
        }
        "aftercare" => any(&plan["aftercare"], |item| {
            session_is(item, words.get(0))
                && item["site"] == words.get(1)
                && item["from"] == words.get(2)
                && item["until"] == words.get(3)
                && text_of(&item["task"]).contains(&words.rest_after(4))
        }),
        "no aftercare" => !any(&plan["aftercare"], |item| {
            session_is(item, words.get(0)) && item["site"] == words.get(1)
        }),
        "donor-site care after session" => any(&plan["aftercare"], |item| {
            item["site"] == "donor-site" && session_is(item, value)
        }),
        "no donor-site care" => !any(&plan["aftercare"], |item| item["site"] == "donor-site"),
        "milestone" => any(&plan["milestones"], |item| {
            item["from"] == words.get(0)
                && item["to"] == words.get(1)
                && text_of(&item["label"]).contains(&words.rest_after(2))
        }),
        "follow-up" => any(&plan["follow_ups"], |item| {
            item["date"] == words.get(0) && text_of(&item["purpose"]).contains(&words.rest_after(1))
        }),
        // A scale by its id, or an observation in the words of the assessments.
        "follow-up scale" => any(&plan["follow_ups"], |item| {
            any(&item["scales"], |scale| text_of(scale) == value)
                || any(&item["assessments"], |text| text_of(text).contains(value))
        }),
        _ => return None,
    })
}

/// What the consent talk needs: alternatives, risks, sources, regulatory notes.
fn check_consent(key: &str, value: &str, plan: &Value) -> Option<bool> {
    Some(match key {
        "alternatives" => count(&plan["alternatives"]) == value,
        "first alternative" => text_of(&plan["alternatives"][0]["name"]).contains(value),
        "alternative" => any_contains(&plan["alternatives"], "name", value),
        "no alternative" => !any_contains(&plan["alternatives"], "name", value),
        "risk" => any_contains(&plan["risks"], "name", value),
        "no risk" => !any_contains(&plan["risks"], "name", value),
        "marketing source" => any(&plan["sources"], |source| {
            text_of(&source["key"]).contains(value) && source["marketing"] == true
        }),
        "source" => any_contains(&plan["sources"], "key", value),
        "uncertain source" => any(&plan["sources"], |source| {
            text_of(&source["key"]).contains(value) && source["uncertain"] == true
        }),
        "regulatory note" => any_contains(&plan["regulatory"]["notes"], "note", value),
        "maintenance" => text_of(&plan["maintenance"]["description"]).contains(value),
        "no maintenance" => {
            plan["maintenance"]["interval_months"].is_null()
                && text_of(&plan["maintenance"]["description"]).starts_with("None")
        }
        _ => return None,
    })
}

/// "session 2: 2027-02-15", "session 1 steps: harvest" (a kind or words of the text),
/// "session 2 no step: harvest",
/// "session 1 site: iliac crest", "session 1 volume: 8-10".
fn check_session(key: &str, value: &str, plan: &Value) -> Result<bool, String> {
    let parts: Vec<&str> = key.split_whitespace().collect();
    let index = parts[1]
        .parse::<usize>()
        .ok()
        .and_then(|number| number.checked_sub(1))
        .ok_or_else(|| format!("bad session number in '{key}'"))?;
    let session = &plan["sessions"][index];
    let has_step = any_contains(&session["steps"], "text", value)
        || any_contains(&session["steps"], "kind", value);
    Ok(match parts.get(2..) {
        Some([]) | None => session["date"] == value,
        Some(["steps"]) => has_step,
        Some(["no", "step"]) => !has_step,
        Some([field @ ("site" | "volume")]) => any_contains(&session["steps"], field, value),
        Some(["max", "dose"]) => any(&session["steps"], |step| {
            step["max_dose_mg"].as_u64().is_some()
                && step["max_dose_mg"].as_u64() == value.parse().ok()
        }),
        Some(other) => return Err(format!("unknown session check '{}'", other.join(" "))),
    })
}

/// What every successful plan must satisfy, whatever the case.
fn invariants(args: &[String], plan: &Value) -> Vec<String> {
    let mut failures = Vec::new();
    let open = open_days(args);
    let dated = plan["sessions"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|session| ("session", &session["date"]))
        .chain(
            plan["follow_ups"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|visit| ("follow-up", &visit["date"])),
        );
    for (what, date) in dated {
        let date = text_of(date);
        if !open.contains(&weekday(&date)) {
            failures.push(format!(
                "{what} on {date}, a {}, when the clinic is closed",
                weekday(&date)
            ));
        }
    }
    if let Some(items) = plan["aftercare"].as_array() {
        for item in items {
            if text_of(&item["from"]) > text_of(&item["until"]) {
                failures.push(format!("aftercare ends before it starts: {item}"));
            }
        }
    }
    let order = ["contraindicated", "restricted", "caution", "notice"];
    let ranks: Vec<usize> = plan["warnings"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|warning| {
            order
                .iter()
                .position(|severity| warning["severity"] == *severity)
                .unwrap_or(99)
        })
        .collect();
    if ranks.windows(2).any(|pair| pair[0] > pair[1]) {
        failures.push("warnings are not ordered most severe first".into());
    }
    if plan["candidate"] == Value::Bool(false)
        && plan["sessions"].as_array().is_some_and(|s| !s.is_empty())
    {
        failures.push("a patient who is not a candidate still got sessions".into());
    }
    if plan["candidate"] == Value::Bool(false) && !plan["maintenance"]["interval_months"].is_null()
    {
        failures.push("a patient who is not a candidate still got a maintenance interval".into());
    }
    let factors: Vec<&Value> = plan["factors"].as_array().into_iter().flatten().collect();
    for alternative in plan["alternatives"].as_array().into_iter().flatten() {
        if text_of(&alternative["comparison"]).trim().is_empty() {
            failures.push(format!(
                "an alternative says nothing about what it offers: {alternative}"
            ));
        }
        for excluded in alternative["excluded_by"].as_array().into_iter().flatten() {
            if factors.contains(&excluded) {
                failures.push(format!(
                    "the alternative '{}' is offered though the screening answered {excluded}",
                    text_of(&alternative["name"])
                ));
            }
        }
    }
    // A warning never names an alternative the list leaves out.
    let names: Vec<String> = plan["alternatives"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|alternative| text_of(&alternative["name"]))
        .collect();
    for warning in plan["warnings"].as_array().into_iter().flatten() {
        let message = text_of(&warning["message"]);
        for lead in [" Alternative: ", " consider instead: "] {
            if let Some(at) = message.rfind(lead) {
                let in_warning = message[at + lead.len()..].trim_end_matches('.');
                if !names.iter().any(|name| name == in_warning) {
                    failures.push(format!(
                        "a warning names the alternative '{in_warning}', which the list leaves out: {message}"
                    ));
                }
            }
        }
    }
    failures.extend(order_invariants(plan));
    failures
}

/// Sessions come in order, preparation comes before session 1, and donor-site care
/// follows only a session that harvests.
fn order_invariants(plan: &Value) -> Vec<String> {
    let mut failures = Vec::new();
    let sessions = plan["sessions"].as_array().cloned().unwrap_or_default();
    let dates: Vec<String> = sessions.iter().map(|s| text_of(&s["date"])).collect();
    if dates.windows(2).any(|pair| pair[0] >= pair[1]) {
        failures.push(format!("sessions are not in date order: {dates:?}"));
    }
    for task in plan["pre_procedure"].as_array().into_iter().flatten() {
        let number = task["session"].as_u64().unwrap_or(1);
        match usize::try_from(number)
            .ok()
            .and_then(|number| dates.get(number.checked_sub(1)?))
        {
            Some(date) if text_of(&task["due"]) > *date => {
                failures.push(format!("pre-procedure task due after its session: {task}"));
            }
            Some(_) => {}
            None => failures.push(format!(
                "pre-procedure task for a session the plan lacks: {task}"
            )),
        }
    }
    for item in plan["aftercare"].as_array().into_iter().flatten() {
        let session = item["session"]
            .as_u64()
            .and_then(|number| sessions.get(usize::try_from(number).ok()? - 1));
        match session {
            None => failures.push(format!("aftercare after a session the plan lacks: {item}")),
            Some(session)
                if item["site"] == "donor-site"
                    && !any(&session["steps"], |step| step["kind"] == "harvest") =>
            {
                failures.push(format!(
                    "donor-site care after a session with no harvest: {item}"
                ));
            }
            Some(_) => {}
        }
    }
    failures
}

/// The built-in catalog, loaded once for every in-process case.
fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| {
        let (catalog, problems) = Catalog::builtin();
        assert!(
            problems.is_empty(),
            "built-in protocol problems: {problems:?}"
        );
        catalog
    })
}

/// Whether a case runs through the real binary rather than the library.
fn through_binary(case: &Case) -> bool {
    case.args.first().is_none_or(|command| command != "plan")
        || case.expectations.iter().any(|expectation| {
            ["exit:", "stderr:", "no stderr:", "stdout:"]
                .iter()
                .any(|key| expectation.starts_with(key))
        })
}

/// The value of a flag; every flag the cases use is one the `plan` command knows.
fn parse<T: std::str::FromStr>(flag: &str, value: &str) -> T
where
    T::Err: std::fmt::Debug,
{
    value
        .parse()
        .unwrap_or_else(|error| panic!("bad value '{value}' for {flag}: {error:?}"))
}

/// The request the `plan` command would make from these arguments, with a clinic open
/// Monday to Friday and every jurisdiction unless the arguments say otherwise.
fn request_of(args: &[String]) -> PlanRequest {
    let mut values: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    let mut words = args.iter().skip(1);
    while let Some(flag) = words.next() {
        let value = words
            .next()
            .unwrap_or_else(|| panic!("flag {flag} has no value"));
        values.entry(flag.as_str()).or_default().push(value);
    }
    let one = |flag: &str| values.get(flag).and_then(|list| list.last().copied());
    let required = |flag: &str| one(flag).unwrap_or_else(|| panic!("the case gives no {flag}"));
    for flag in values.keys() {
        assert!(
            [
                "--modality",
                "--source",
                "--area",
                "--indication",
                "--adjunct",
                "--factor",
                "--start",
                "--sessions",
                "--working-days",
                "--jurisdiction",
                "--weight-kg",
                "--move-session",
            ]
            .contains(flag),
            "the in-process runner does not know {flag}; run the case through the binary"
        );
    }
    let selection = Selection {
        modality: parse::<Modality>("--modality", required("--modality")),
        source: parse::<CellSource>("--source", required("--source")),
        area: parse::<Area>("--area", required("--area")),
        indication: parse::<Indication>("--indication", required("--indication")),
        adjuncts: values
            .get("--adjunct")
            .into_iter()
            .flatten()
            .map(|value| parse::<CellSource>("--adjunct", value))
            .collect(),
    };
    let factors: BTreeSet<Factor> = values
        .get("--factor")
        .into_iter()
        .flatten()
        .map(|value| parse::<Factor>("--factor", value))
        .collect();
    let start: Date = parse("--start", required("--start"));
    let mut request = PlanRequest::new(selection, factors, start);
    request.session_count = one("--sessions").map(|value| parse("--sessions", value));
    if let Some(days) = one("--working-days") {
        request.options.working_days = WorkingDays::new(
            days.split(',')
                .map(|day| parse::<Weekday>("--working-days", day)),
        );
    }
    request.options.jurisdiction =
        one("--jurisdiction").map(|value| parse::<Jurisdiction>("--jurisdiction", value));
    request.weight_kg = one("--weight-kg").map(|value| parse("--weight-kg", value));
    // Not a flag of the command: the physician moving a session in the plan window.
    for moved in values.get("--move-session").into_iter().flatten() {
        let (number, date) = moved
            .split_once('=')
            .unwrap_or_else(|| panic!("--move-session takes N=YYYY-MM-DD, not {moved}"));
        request.moved_sessions.insert(
            parse("--move-session", number),
            parse("--move-session", date),
        );
    }
    request
}

/// A plan's handout or consent form as text, read back with `pdftotext`, whitespace
/// folded to single spaces so that a phrase matches across line breaks.
fn pdf_words(plan: &Plan, consent: bool) -> String {
    let document = Document {
        plan_id: "0190cccccccc7000800000000000cccc".into(),
        revision: 1,
        status: PlanStatus::Draft,
        plan: plan.clone(),
        extra_tasks: Vec::new(),
        notes: Vec::new(),
        done: BTreeMap::new(),
        patient: PatientDetails {
            name: "Alex Morgan".into(),
            birth_date: None,
            clinic_id: None,
            contact: String::new(),
        },
        clinic: ClinicDetails::default(),
        price: None,
        generated_on: Date::new(2026, 12, 1).unwrap(),
        calendar_patient_names: false,
        records: Vec::new(),
        scores: Vec::new(),
        scales: regen_planner::catalog::Scales::default(),
        performed: Vec::new(),
        score_lines: Vec::new(),
    };
    let bytes = if consent {
        export::consent_pdf(&document)
    } else {
        export::handout_pdf(&document)
    }
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("document.pdf");
    std::fs::write(&path, bytes).unwrap();
    let output = Command::new("pdftotext")
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) reads the PDFs back; .ci/run installs it");
    String::from_utf8_lossy(&output.stdout)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Runs one case and returns what went wrong, each prefixed with where the case is.
fn run_case(case: &Case) -> Vec<String> {
    let place = format!("{}:{} {}", case.file, case.line, case.title);
    if through_binary(case) {
        return run_binary_case(case, &place);
    }
    let request = request_of(&case.args);
    let plan = match generate(catalog(), &request) {
        Ok(plan) => plan,
        Err(error) => return vec![format!("{place}: no plan: {error}")],
    };
    let json: Value = serde_json::from_str(&export::plan_json(&plan).unwrap()).unwrap();
    let outcome = Outcome {
        code: 0,
        stdout: String::new(),
        stderr: String::new(),
    };
    let text_output = OnceCell::new();
    let text = || text_output.get_or_init(|| export::plan_text(&plan)).clone();
    let handout = OnceCell::new();
    let consent = OnceCell::new();
    let documents = Documents {
        handout: &|| handout.get_or_init(|| pdf_words(&plan, false)).clone(),
        consent: &|| consent.get_or_init(|| pdf_words(&plan, true)).clone(),
    };
    let mut failures = Vec::new();
    for expectation in &case.expectations {
        if let Err(message) = check(expectation, &json, &outcome, &text, &documents) {
            failures.push(format!("{place}: {message}"));
        }
    }
    for failure in invariants(&case.args, &json)
        .into_iter()
        .chain(reader_invariants(&json, &text()))
        .chain(
            handout
                .get()
                .map(|words| handout_invariants(words))
                .unwrap_or_default(),
        )
    {
        failures.push(format!("{place}: {failure}"));
    }
    failures
}

/// What the patient reads has its dates in words and no slips of punctuation, whatever
/// the case expects of it.
fn handout_invariants(words: &str) -> Vec<String> {
    let mut failures = Vec::new();
    for slip in [".,", ".:", "..", "[CF", "(seed"] {
        if words.contains(slip) {
            failures.push(format!("the handout says {slip:?}"));
        }
    }
    let bytes = words.as_bytes();
    let iso = bytes.windows(10).any(|w| {
        w.iter().enumerate().all(|(i, b)| match i {
            4 | 7 => *b == b'-',
            _ => b.is_ascii_digit(),
        })
    });
    if iso {
        failures.push("the handout writes a date as YYYY-MM-DD".to_owned());
    }
    failures
}

/// Runs one case through the real binary.
fn run_binary_case(case: &Case, place: &str) -> Vec<String> {
    let outcome = run_binary(&case.args, "json");
    let plan: Value = if outcome.code == 0 && case.args.first().is_some_and(|c| c == "plan") {
        match serde_json::from_str(&outcome.stdout) {
            Ok(plan) => plan,
            Err(error) => return vec![format!("{place}: output is not JSON: {error}")],
        }
    } else {
        Value::Null
    };
    let expects_exit = case.expectations.iter().any(|e| e.starts_with("exit:"));
    if !expects_exit && outcome.code != 0 {
        return vec![format!(
            "{place}: exit {} with {}",
            outcome.code,
            outcome.stderr.trim()
        )];
    }
    let mut failures = Vec::new();
    if outcome.stderr.contains("panicked") {
        failures.push(format!("{place}: the binary panicked: {}", outcome.stderr));
    }
    let text_output = OnceCell::new();
    let text = || {
        text_output
            .get_or_init(|| run_binary(&case.args, "text").stdout)
            .clone()
    };
    let no_documents = || String::new();
    let documents = Documents {
        handout: &no_documents,
        consent: &no_documents,
    };
    for expectation in &case.expectations {
        if let Err(message) = check(expectation, &plan, &outcome, &text, &documents) {
            failures.push(format!("{place}: {message}"));
        }
    }
    if outcome.code == 0 && !plan.is_null() {
        for failure in invariants(&case.args, &plan)
            .into_iter()
            .chain(reader_invariants(&plan, &text()))
        {
            failures.push(format!("{place}: {failure}"));
        }
    }
    failures
}

/// The patient's documents of a case, made when an expectation first asks for them.
struct Documents<'a> {
    handout: &'a dyn Fn() -> String,
    consent: &'a dyn Fn() -> String,
}

/// Every string of a JSON value with where it is, for the reader invariants.
fn strings<'v>(value: &'v Value, path: &str, found: &mut Vec<(String, &'v str)>) {
    match value {
        Value::String(text) => found.push((path.to_owned(), text)),
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                strings(item, &format!("{path}[{index}]"), found);
            }
        }
        Value::Object(fields) => {
            for (key, item) in fields {
                strings(item, &format!("{path}.{key}"), found);
            }
        }
        _ => {}
    }
}

/// What a reader sees carries no internal reference key, and every numbered reference
/// names a source of the plan.
fn reader_invariants(plan: &Value, text: &str) -> Vec<String> {
    let mut failures = Vec::new();
    let source_count = plan["sources"].as_array().map_or(0, Vec::len);
    let mut found = Vec::new();
    strings(plan, "plan", &mut found);
    for (path, value) in found {
        // Each source keeps its stable key for other systems; the key is not read text.
        if path.starts_with("plan.sources") && path.rsplit('.').next() == Some("key") {
            continue;
        }
        if let Some(key) = reference_key_in(value) {
            failures.push(format!("{path} shows an internal reference key: …{key}…"));
        }
        for number in cited_numbers(value) {
            if number == 0 || number > source_count {
                failures.push(format!(
                    "{path} cites [{number}] but the plan has {source_count} sources"
                ));
            }
        }
    }
    if let Some(key) = reference_key_in(text) {
        failures.push(format!(
            "the text plan shows an internal reference key: …{key}…"
        ));
    }
    // Wording slips the engine once made: "1 days", "Stop smoking.: by", "done done".
    for slip in [" 1 days", ".: by", ".. ", "done done", " ,", "[?]"] {
        if let Some(at) = text.find(slip) {
            let before: String = text[..at].chars().rev().take(40).collect();
            let after: String = text[at..].chars().take(slip.len() + 20).collect();
            let before: String = before.chars().rev().collect();
            failures.push(format!("the text plan says {slip:?}: …{before}{after}…"));
        }
    }
    failures
}

/// The numbers of the "[3]" and "[1, 4]" references in a text.
fn cited_numbers(text: &str) -> Vec<usize> {
    let mut numbers = Vec::new();
    for part in text.split('[').skip(1) {
        let Some(inside) = part.split(']').next() else {
            continue;
        };
        if !inside.is_empty()
            && inside
                .chars()
                .all(|c| c.is_ascii_digit() || c == ',' || c == ' ')
        {
            numbers.extend(
                inside
                    .split(',')
                    .filter_map(|number| number.trim().parse::<usize>().ok()),
            );
        }
    }
    numbers
}

/// Every case of every scenario file, in file order.
fn all_cases() -> Vec<Case> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scenarios");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    files.sort();
    files.iter().flat_map(|file| parse_cases(file)).collect()
}

#[test]
fn scenarios() {
    let cases = all_cases();
    assert!(!cases.is_empty(), "no scenarios found in tests/scenarios");
    // Cases through the binary wait on a process and cases with documents on pdftotext,
    // so the cases run on as many threads as there are cores.
    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let per_thread = cases.len().div_ceil(threads);
    let failures: Vec<String> = std::thread::scope(|scope| {
        let workers: Vec<_> = cases
            .chunks(per_thread)
            .map(|chunk| scope.spawn(|| chunk.iter().flat_map(run_case).collect::<Vec<_>>()))
            .collect();
        workers
            .into_iter()
            .flat_map(|worker| worker.join().unwrap())
            .collect()
    });
    assert!(
        failures.is_empty(),
        "{} of the scenario checks failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Every refusal, every dated caution and every trial-only refusal of the catalog is shown
/// by some case that names the protocol (`protocol: id`) and the warning (`warning:
/// contraindicated factor`, `warning: restricted trial-enrolled`), so a rule added to a
/// protocol file cannot go untested.
#[test]
fn every_refusal_and_dated_caution_has_a_scenario() {
    let mut shown = BTreeSet::new();
    for case in all_cases() {
        let protocol = case
            .expectations
            .iter()
            .find_map(|expectation| expectation.strip_prefix("protocol:"));
        let Some(protocol) = protocol else { continue };
        for expectation in &case.expectations {
            let warning = expectation
                .strip_prefix("first warning:")
                .or_else(|| expectation.strip_prefix("warning:"));
            let mut words = warning.unwrap_or_default().split_whitespace();
            if let (Some(severity), Some(factor)) = (words.next(), words.next()) {
                shown.insert(format!("{} {severity} {factor}", protocol.trim()));
            }
        }
    }
    let missing: Vec<String> = catalog()
        .protocols()
        .flat_map(|protocol| {
            let trial = protocol
                .trial_enrolled
                .as_ref()
                .map(|_| format!("{} restricted {}", protocol.id, Factor::TrialEnrolled));
            protocol
                .factors
                .iter()
                .filter(|rule| {
                    rule.severity == FactorSeverity::Contraindicated
                        || rule
                            .action
                            .as_ref()
                            .is_some_and(|a| a.days_before.is_some())
                })
                .map(|rule| format!("{} {} {}", protocol.id, rule.severity, rule.factor))
                .chain(trial)
                .collect::<Vec<_>>()
        })
        .filter(|rule| !shown.contains(rule))
        .collect();
    assert!(
        missing.is_empty(),
        "no scenario shows these rules (protocol severity factor):\n{}",
        missing.join("\n")
    );
}
