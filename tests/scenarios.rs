//! Data-driven scenarios: each case in `tests/scenarios/*.txt` is a command line of the
//! real binary and what a physician expects of its plan.
//!
//! A case is a block of lines: `## title`, then `$ plan ...` (the arguments after the
//! binary's name), then one expectation per line. Blank lines separate cases; lines
//! starting with `#` (but not `##`) are comments. See `check` for the expectations.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly on anything unexpected"
)]

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

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

fn run(args: &[String], format: &str) -> Outcome {
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
) -> Result<(), String> {
    let (key, value) = expectation
        .split_once(':')
        .map_or((expectation, ""), |(key, value)| (key.trim(), value.trim()));
    let words: Vec<&str> = value.split_whitespace().collect();
    let rest_after = |n: usize| words.iter().skip(n).copied().collect::<Vec<_>>().join(" ");
    let ok = match key {
        "exit" => outcome.code.to_string() == value,
        "stderr" => outcome.stderr.contains(value),
        "stdout" => outcome.stdout.contains(value),
        "text" => text().contains(value),
        "candidate" => plan["candidate"] == Value::Bool(value == "yes"),
        "protocol" => plan["protocol"]["id"] == value,
        "status" => plan["regulatory"]["status"] == value,
        "sessions" => plan["sessions"].as_array().map_or(0, Vec::len).to_string() == value,
        "duration" => {
            let duration = &plan["sessions"][0]["duration_minutes"];
            format!("{}-{}", duration["min"], duration["max"]) == value
        }
        "first warning" => {
            let first = &plan["warnings"][0];
            first["severity"] == words[0]
                && words.get(1).is_none_or(|factor| {
                    text_of(&first["factor"]) == *factor
                        || (*factor == "-" && first["factor"].is_null())
                })
        }
        "warning" => plan["warnings"].as_array().is_some_and(|warnings| {
            warnings.iter().any(|warning| {
                warning["severity"] == words[0]
                    && words
                        .get(1)
                        .is_none_or(|factor| text_of(&warning["factor"]) == *factor)
                    && text_of(&warning["message"]).contains(&rest_after(2))
            })
        }),
        "no warning" => !plan["warnings"].as_array().is_some_and(|warnings| {
            warnings
                .iter()
                .any(|warning| text_of(&warning["factor"]) == value || warning["severity"] == value)
        }),
        "pre-procedure" => plan["pre_procedure"].as_array().is_some_and(|tasks| {
            tasks.iter().any(|task| {
                task["due"] == words[0] && text_of(&task["task"]).contains(&rest_after(1))
            })
        }),
        "aftercare" => plan["aftercare"].as_array().is_some_and(|items| {
            // aftercare: <session> <site> <from> <until> <text>
            items.iter().any(|item| {
                item["session"] == words[0].parse::<u64>().unwrap_or(0)
                    && item["site"] == words[1]
                    && item["from"] == words[2]
                    && item["until"] == words[3]
                    && text_of(&item["task"]).contains(&rest_after(4))
            })
        }),
        "donor-site care after session" => plan["aftercare"].as_array().is_some_and(|items| {
            items.iter().any(|item| {
                item["site"] == "donor-site" && item["session"] == value.parse::<u64>().unwrap_or(0)
            })
        }),
        "no donor-site care" => !plan["aftercare"]
            .as_array()
            .is_some_and(|items| items.iter().any(|item| item["site"] == "donor-site")),
        "milestone" => plan["milestones"].as_array().is_some_and(|items| {
            items.iter().any(|item| {
                item["from"] == words[0]
                    && item["to"] == words[1]
                    && text_of(&item["label"]).contains(&rest_after(2))
            })
        }),
        "follow-up" => plan["follow_ups"].as_array().is_some_and(|items| {
            items.iter().any(|item| {
                item["date"] == words[0] && text_of(&item["purpose"]).contains(&rest_after(1))
            })
        }),
        "follow-up scale" => plan["follow_ups"].as_array().is_some_and(|items| {
            items.iter().any(|item| {
                any_contains(&item["assessments"], "", value)
                    || item["assessments"].as_array().is_some_and(|scales| {
                        scales.iter().any(|scale| text_of(scale).contains(value))
                    })
            })
        }),
        "first alternative" => text_of(&plan["alternatives"][0]["name"]).contains(value),
        "alternative" => any_contains(&plan["alternatives"], "name", value),
        "risk" => any_contains(&plan["risks"], "name", value),
        "source" => any_contains(&plan["sources"], "key", value),
        "regulatory note" => any_contains(&plan["regulatory"]["notes"], "note", value),
        "maintenance" => text_of(&plan["maintenance"]["description"]).contains(value),
        "keys" => words.iter().all(|key| plan.get(*key).is_some()),
        other if other.starts_with("session ") => check_session(other, value, plan)?,
        other => return Err(format!("unknown expectation '{other}'")),
    };
    if ok {
        Ok(())
    } else {
        Err(format!("expected {expectation}"))
    }
}

/// "session 2: 2027-02-15", "session 1 steps: harvest", "session 2 no step: harvest".
fn check_session(key: &str, value: &str, plan: &Value) -> Result<bool, String> {
    let parts: Vec<&str> = key.split_whitespace().collect();
    let number: usize = parts[1]
        .parse()
        .map_err(|_| format!("bad session number in '{key}'"))?;
    let session = &plan["sessions"][number - 1];
    Ok(match parts.get(2..) {
        Some([]) | None => session["date"] == value,
        Some(["steps"]) => {
            any_contains(&session["steps"], "text", value)
                || any_contains(&session["steps"], "kind", value)
        }
        Some(["no", "step"]) => !any_contains(&session["steps"], "kind", value),
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
    failures
}

#[test]
fn scenarios() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scenarios");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    files.sort();
    let mut failures = Vec::new();
    let mut count = 0;
    for file in files {
        for case in parse_cases(&file) {
            count += 1;
            let outcome = run(&case.args, "json");
            let plan: Value = if outcome.code == 0 && case.args.first().is_some_and(|c| c == "plan")
            {
                match serde_json::from_str(&outcome.stdout) {
                    Ok(plan) => plan,
                    Err(error) => {
                        failures.push(format!(
                            "{}:{} {}: output is not JSON: {error}",
                            case.file, case.line, case.title
                        ));
                        continue;
                    }
                }
            } else {
                Value::Null
            };
            let text = || run(&case.args, "text").stdout;
            let expects_exit = case.expectations.iter().any(|e| e.starts_with("exit:"));
            if !expects_exit && outcome.code != 0 {
                failures.push(format!(
                    "{}:{} {}: exit {} with {}",
                    case.file,
                    case.line,
                    case.title,
                    outcome.code,
                    outcome.stderr.trim()
                ));
                continue;
            }
            if outcome.stderr.contains("panicked") {
                failures.push(format!(
                    "{}:{} {}: the binary panicked: {}",
                    case.file, case.line, case.title, outcome.stderr
                ));
            }
            for expectation in &case.expectations {
                if let Err(message) = check(expectation, &plan, &outcome, &text) {
                    failures.push(format!(
                        "{}:{} {}: {message}",
                        case.file, case.line, case.title
                    ));
                }
            }
            if outcome.code == 0 && !plan.is_null() {
                for failure in invariants(&case.args, &plan) {
                    failures.push(format!(
                        "{}:{} {}: {failure}",
                        case.file, case.line, case.title
                    ));
                }
            }
        }
    }
    assert!(count > 0, "no scenarios found in {}", dir.display());
    assert!(
        failures.is_empty(),
        "{} of the scenario checks failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
