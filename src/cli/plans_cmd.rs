//! `regen-planner plan --save`, `regen-planner plans ...` and `regen-planner backup`.

use std::fmt::Write as _;
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::{Args, Subcommand, ValueEnum};
use regen_planner::export;
use regen_planner::planning::{Plan, PlanRequest};
use regen_planner::store::rules::{self, TextField};
use regen_planner::store::{
    AppDirs, Index, Patient, PatientId, PlanId, PlanRecord, Screening, Settings, Store, StoreError,
};
use regen_planner::untrusted::{escape_controls, for_message};

use super::plan_cmd::PlanArgs;
use super::{print, warn};

/// Arguments of `plans`.
#[derive(Debug, Args)]
pub struct PlansArgs {
    /// What to do with the saved plans.
    #[command(subcommand)]
    pub command: PlansCommand,
}

/// How a listing is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum ListFormat {
    /// Text a physician reads.
    #[default]
    Text,
    /// JSON for other systems.
    Json,
}

/// Sub-commands of `plans`.
#[derive(Debug, Subcommand)]
pub enum PlansCommand {
    /// Every saved plan, with its patient, protocol, status and newest revision.
    List {
        /// Output format.
        #[arg(long, value_enum, default_value_t = ListFormat::Text)]
        format: ListFormat,
    },
    /// One plan: its newest revision, patient, notes and checklist.
    Show {
        /// The plan's id, as `plans list` prints it.
        id: String,
        /// Output format.
        #[arg(long, value_enum, default_value_t = ListFormat::Text)]
        format: ListFormat,
    },
    /// Every revision of a plan: when, by whom, file and SHA-256.
    History {
        /// The plan's id.
        id: String,
    },
    /// Walk every chain of revisions and report any that was changed, removed or
    /// reordered; exits 1 if there is any.
    Verify,
    /// Record what was done at a session (or correct its record): the date, the
    /// harvest, materials and lots, processing, product, sites, anaesthetic, adverse
    /// events. Saves the plan's next revision and prints the record's warnings.
    Record(Box<super::record_cmd::RecordArgs>),
    /// Enter an outcome score measured at a visit, within the scale's range.
    Score(super::record_cmd::ScoreArgs),
    /// Remove a score entered by mistake, by its number in `plans show`. Saves the
    /// plan's next revision; the revisions before keep the score.
    RemoveScore(super::record_cmd::RemoveScoreArgs),
    /// Remove the record of a session, as when it was entered on the wrong session; the
    /// session keeps its date and shows as not done. Saves the plan's next revision;
    /// the revisions before keep the record. To change a record, run `plans record`
    /// again for its session instead.
    RemoveRecord(super::record_cmd::RemoveRecordArgs),
}

/// `plans ...`, on the data folder or on the database given (`--database URL`).
pub fn run(args: &PlansArgs, dirs: &AppDirs, database: Option<&str>) -> anyhow::Result<ExitCode> {
    let store = super::open_store(dirs, database)?;
    match &args.command {
        PlansCommand::List { format } => list(&store, *format),
        PlansCommand::Show { id, format } => show(&store, dirs, &parse_plan_id(id)?, *format),
        PlansCommand::History { id } => history(&store, &parse_plan_id(id)?),
        PlansCommand::Verify => verify(&store),
        PlansCommand::Record(args) => super::record_cmd::record(args, dirs, database),
        PlansCommand::Score(args) => super::record_cmd::score(args, dirs, database),
        PlansCommand::RemoveScore(args) => super::record_cmd::remove_score(args, dirs, database),
        PlansCommand::RemoveRecord(args) => super::record_cmd::remove_record(args, dirs, database),
    }
}

pub(crate) fn parse_plan_id(text: &str) -> anyhow::Result<PlanId> {
    Ok(text.parse::<PlanId>()?)
}

/// The author of saves: the physician's name from the settings, else the system user
/// name, else "unknown"; the fallbacks are said on stderr.
pub(crate) fn author(dirs: &AppDirs) -> anyhow::Result<String> {
    let settings = Settings::load(&dirs.config)?;
    let name = settings.physician_name.trim();
    if !name.is_empty() {
        return Ok(name.to_owned());
    }
    let user = ["USER", "USERNAME", "LOGNAME"]
        .iter()
        .filter_map(|var| std::env::var(var).ok())
        .map(|value| value.trim().to_owned())
        .find(|value| !value.is_empty());
    let file = Settings::path(&dirs.config);
    let user = user.unwrap_or_else(|| "unknown".to_owned());
    warn(&format!(
        "the physician's name is not set in {}, so '{user}' (the system user name, if known) is recorded as the author; set physician_name there",
        file.display()
    ));
    Ok(user)
}

/// `plan ... --save`: finds or creates the patient, saves the plan as a draft and
/// prints its id. A new patient and their plan are saved together; with a clinic id,
/// of several saves at once (on any desk) one makes the patient and the others save
/// for them.
pub fn save_new_plan(
    args: &PlanArgs,
    dirs: &AppDirs,
    database: Option<&str>,
    request: PlanRequest,
    plan: Plan,
) -> anyhow::Result<ExitCode> {
    let name = args
        .patient_name
        .as_deref()
        .map(str::trim)
        .filter(|name| !name.is_empty())
        .context("--save needs the patient's name: give --patient-name NAME")?;
    rules::check_text(TextField::PatientName, name)
        .map_err(|error| anyhow::anyhow!("--patient-name: {error}"))?;
    let clinic_id = args.patient_id.as_deref().map(str::trim);
    if let Some(clinic_id) = clinic_id {
        rules::check_text(TextField::ClinicId, clinic_id)
            .map_err(|error| anyhow::anyhow!("--patient-id: {error}"))?;
    }
    let today = jiff::Zoned::now().date();
    let author = author(dirs)?;
    let store = super::open_store(dirs, database)?;
    let existing = match clinic_id {
        Some(clinic_id) => store.patient_with_clinic_id(clinic_id)?,
        None => None,
    };
    let id = if let Some(patient) = existing {
        save_for_existing(&store, &patient, name, request, plan, &author)?
    } else {
        let patient = Patient {
            name: name.to_owned(),
            birth_date: args.birth_date,
            clinic_id: clinic_id.map(str::to_owned),
            contact: String::new(),
            screening: Screening {
                factors: request.factors.clone(),
                asked_on: Some(today),
            },
            ..Patient::new(name)
        };
        let made = |id: &PatientId| PlanRecord::new(id.clone(), request.clone(), plan.clone());
        match store.create_patient_with_plan(&patient, made, &author) {
            Ok(created) => {
                let on_file = &created.patient_revision.value.name;
                if on_file != name {
                    warn_other_name(on_file, name, &created.patient);
                }
                created.plan
            }
            // Another desk made the patient with this clinic id meanwhile.
            Err(StoreError::ClinicIdTaken { patient, .. }) => {
                save_for_existing(&store, &patient, name, request, plan, &author)?
            }
            Err(error) => return Err(error.into()),
        }
    };
    print(&format!("{id}\n"))?;
    Ok(ExitCode::SUCCESS)
}

/// Saves the plan for the patient who has the clinic id, saying so when the name
/// given is not theirs.
fn save_for_existing(
    store: &Store,
    patient: &PatientId,
    name: &str,
    request: PlanRequest,
    plan: Plan,
    author: &str,
) -> anyhow::Result<PlanId> {
    let on_file = store.load_patient(patient)?.value;
    if on_file.name != name {
        warn_other_name(&on_file.name, name, patient);
    }
    let record = PlanRecord::new(patient.clone(), request, plan);
    Ok(store.create_plan(&record, author)?.0)
}

fn warn_other_name(on_file: &str, given: &str, patient: &PatientId) {
    warn(&format!(
        "the patient with this clinic id is recorded as '{}', not '{}'; the plan is saved for the recorded patient {patient}",
        for_message(on_file),
        for_message(given)
    ));
}

fn list(store: &Store, format: ListFormat) -> anyhow::Result<ExitCode> {
    let index = store.load_index(&mut |_| {})?;
    let text = match format {
        ListFormat::Json => {
            let mut plans = Vec::with_capacity(index.plans.len());
            for plan in &index.plans {
                let mut value = serde_json::to_value(plan)?;
                if let Some(object) = value.as_object_mut() {
                    object.insert("verified".into(), (!index.is_unverified(plan)).into());
                }
                plans.push(value);
            }
            let mut text = serde_json::to_string_pretty(&plans)?;
            text.push('\n');
            text
        }
        ListFormat::Text => list_text(&index),
    };
    print(&text)?;
    Ok(report_problems(
        index.problems.iter().map(ToString::to_string),
        "problem(s) in the data folder (every file was left as it was); run `regen-planner plans verify` for the whole story",
    ))
}

fn list_text(index: &Index) -> String {
    let plans = &index.plans;
    if plans.is_empty() {
        return "No plans saved yet. Save one with `regen-planner plan ... --save --patient-name NAME`.\n".to_owned();
    }
    let header = [
        "PLAN",
        "PATIENT",
        "CLINIC ID",
        "PROTOCOL",
        "STATUS",
        "FIRST SESSION",
        "REV",
        "SAVED",
        "BY",
    ];
    let rows: Vec<[String; 9]> = plans
        .iter()
        .map(|plan| {
            [
                plan.id.to_string(),
                plan.patient_name.clone(),
                plan.clinic_id.clone().unwrap_or_default(),
                plan.protocol_id.to_string(),
                if index.is_unverified(plan) {
                    format!("{}, UNVERIFIED", plan.status.label())
                } else {
                    plan.status.label().to_owned()
                },
                plan.first_session
                    .map(|date| date.to_string())
                    .unwrap_or_default(),
                plan.revision.to_string(),
                local_time(plan.saved_at),
                plan.saved_by.clone(),
            ]
        })
        .collect();
    table(&header, &rows)
}

/// The most characters a table cell shows; a longer text ends in `…`.
const CELL_MAX_CHARS: usize = 60;

/// A text as a table cell shows it: control characters escaped (a line break in a name
/// would print a row of its own), at most [`CELL_MAX_CHARS`] characters.
fn cell(text: &str) -> String {
    let escaped = escape_controls(text);
    match escaped.char_indices().nth(CELL_MAX_CHARS - 1) {
        Some((cut, _)) if escaped.chars().count() > CELL_MAX_CHARS => {
            format!("{}…", &escaped[..cut])
        }
        _ => escaped.into_owned(),
    }
}

/// Columns padded to their widest cell, two spaces apart. Every cell is made safe
/// ([`cell`]) first; padding is counted by hand, so a cell of any width is fine.
pub(crate) fn table<const N: usize>(header: &[&str; N], rows: &[[String; N]]) -> String {
    let rows: Vec<[String; N]> = rows
        .iter()
        .map(|row| row.each_ref().map(|text| cell(text)))
        .collect();
    let mut widths = header.map(|cell| cell.chars().count());
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let mut line = |cells: Vec<&str>| {
        let mut text = String::new();
        for (cell, width) in cells.iter().zip(widths) {
            text.push_str(cell);
            let padding = width.saturating_sub(cell.chars().count()) + 2;
            text.extend(std::iter::repeat_n(' ', padding));
        }
        out.push_str(text.trim_end());
        out.push('\n');
    };
    line(header.to_vec());
    for row in &rows {
        line(row.iter().map(String::as_str).collect());
    }
    out
}

fn local_time(at: jiff::Timestamp) -> String {
    at.to_zoned(jiff::tz::TimeZone::system())
        .strftime("%Y-%m-%d %H:%M")
        .to_string()
}

fn show(
    store: &Store,
    dirs: &AppDirs,
    id: &PlanId,
    format: ListFormat,
) -> anyhow::Result<ExitCode> {
    let loaded = store.load_plan_checked(id)?;
    let revision = &loaded.revision;
    let record = &revision.value;
    let patient = match store.load_patient(&record.patient) {
        Ok(patient) => Some(patient.value),
        Err(error) => {
            warn(&error.to_string());
            None
        }
    };
    let text = match format {
        ListFormat::Json => {
            let value = serde_json::json!({
                "id": id,
                "revision": revision.number,
                "saved_at": revision.saved_at,
                "saved_by": revision.saved_by,
                "patient": patient,
                "record": record,
                "records": records_json(&super::load_catalog(dirs), record)?,
                "scores": record
                    .scores
                    .iter()
                    .enumerate()
                    .map(|(index, score)| serde_json::json!({
                        "number": index + 1,
                        "scale": score.scale,
                        "value": score.value,
                        "date": score.date,
                    }))
                    .collect::<Vec<_>>(),
            });
            let mut text = serde_json::to_string_pretty(&value)?;
            text.push('\n');
            text
        }
        ListFormat::Text => {
            let catalog = super::load_catalog(dirs);
            let today = jiff::Zoned::now().date();
            let warnings = |session: &regen_planner::planning::SessionRecord| {
                regen_planner::planning::saved_record_warnings(
                    &catalog,
                    &record.plan,
                    session,
                    today,
                )
                .into_iter()
                .map(|warning| warning.message)
                .collect()
            };
            show_text(id, revision, patient.as_ref(), &warnings)
        }
    };
    print(&text)?;
    Ok(report_problems(
        loaded.problems.iter().map(ToString::to_string),
        "newer revision file(s) were skipped; the plan above is the newest that could be read",
    ))
}

/// Each session record with every field and its `warnings`: what the physician was
/// told when it was recorded (a dose above the maximum), checked again now.
fn records_json(
    catalog: &regen_planner::catalog::Catalog,
    record: &PlanRecord,
) -> anyhow::Result<Vec<serde_json::Value>> {
    let today = jiff::Zoned::now().date();
    record
        .records
        .iter()
        .map(|session| {
            let mut value = serde_json::to_value(session)?;
            let warnings: Vec<String> = regen_planner::planning::saved_record_warnings(
                catalog,
                &record.plan,
                session,
                today,
            )
            .into_iter()
            .map(|warning| warning.message)
            .collect();
            if let Some(object) = value.as_object_mut() {
                object.insert("warnings".into(), warnings.into());
            }
            Ok(value)
        })
        .collect()
}

fn show_text(
    id: &PlanId,
    revision: &regen_planner::store::Revision<PlanRecord>,
    patient: Option<&Patient>,
    warnings: &dyn Fn(&regen_planner::planning::SessionRecord) -> Vec<String>,
) -> String {
    let record = &revision.value;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Plan {id}, revision {}, saved {} by {}",
        revision.number,
        local_time(revision.saved_at),
        escape_controls(&revision.saved_by)
    );
    match patient {
        Some(patient) => {
            let mut details = Vec::new();
            if let Some(born) = patient.birth_date {
                details.push(format!("born {born}"));
            }
            if let Some(clinic_id) = &patient.clinic_id {
                details.push(format!("clinic id {}", escape_controls(clinic_id)));
            }
            let details = if details.is_empty() {
                String::new()
            } else {
                format!(" ({})", details.join(", "))
            };
            let _ = writeln!(out, "Patient: {}{details}", escape_controls(&patient.name));
        }
        None => {
            let _ = writeln!(out, "Patient: {} (record not readable)", record.patient);
        }
    }
    let _ = writeln!(out, "Status: {}", record.status.label());
    let _ = writeln!(out);
    out.push_str(&export::plan_text(&record.plan));
    if !record.notes.is_empty() {
        let _ = writeln!(out, "\nNotes\n-----");
        for note in &record.notes {
            let _ = writeln!(
                out,
                "- {} {}: {}",
                local_time(note.written_at),
                escape_controls(&note.author),
                escape_controls(&note.text)
            );
        }
    }
    if !record.extra_tasks.is_empty() {
        let _ = writeln!(out, "\nExtra tasks\n-----------");
        for task in &record.extra_tasks {
            let withdrawn = if task.withdrawn { " [withdrawn]" } else { "" };
            let text = escape_controls(&task.text);
            match task.due {
                Some(due) => {
                    let _ = writeln!(out, "- {text} (by {due}){withdrawn}");
                }
                None => {
                    let _ = writeln!(out, "- {text}{withdrawn}");
                }
            }
        }
    }
    if !record.records.is_empty() {
        let _ = writeln!(out, "\nRecorded sessions\n-----------------");
        for session in &record.records {
            let _ = writeln!(
                out,
                "- Session {}, {}:",
                session.session, session.performed_on
            );
            for warning in warnings(session) {
                let _ = writeln!(out, "    WARNING: {}", escape_controls(&warning));
            }
            for line in export::record_lines(session) {
                let _ = writeln!(out, "    {}", escape_controls(&line));
            }
        }
    }
    if !record.scores.is_empty() {
        let _ = writeln!(
            out,
            "\nScores (by number, for `plans remove-score`)\n------"
        );
        for (number, score) in record.scores.iter().enumerate() {
            let _ = writeln!(
                out,
                "{}. {} {}: {}",
                number + 1,
                score.date,
                score.scale,
                regen_planner::catalog::number(score.value)
            );
        }
    }
    if !record.checklist.is_empty() {
        let _ = writeln!(out, "\nDone\n----");
        for (item, at) in &record.checklist {
            let _ = writeln!(out, "- {}: {}", escape_controls(item), local_time(*at));
        }
    }
    out
}

fn history(store: &Store, id: &PlanId) -> anyhow::Result<ExitCode> {
    let revisions = store.history(id)?;
    let rows: Vec<[String; 5]> = revisions
        .iter()
        .map(|revision| {
            [
                revision.number.to_string(),
                local_time(revision.saved_at),
                revision.saved_by.clone(),
                revision.hash.clone(),
                revision
                    .file
                    .file_name()
                    .map(|name| name.to_string_lossy().into_owned())
                    .unwrap_or_default(),
            ]
        })
        .collect();
    print(&table(&["REV", "SAVED", "BY", "SHA-256", "FILE"], &rows))?;
    let report = store.verify_plan(id);
    for note in &report.notes {
        warn(&note.to_string());
    }
    Ok(report_problems(
        report.problems.iter().map(ToString::to_string),
        "problem(s) in this plan's chain of revisions; run `regen-planner plans verify` for the whole data folder",
    ))
}

fn verify(store: &Store) -> anyhow::Result<ExitCode> {
    let report = store.verify();
    let mut out = String::new();
    for problem in &report.problems {
        let _ = writeln!(out, "problem: {problem}");
    }
    for note in &report.notes {
        let _ = writeln!(out, "note: {note}");
    }
    if report.is_ok() {
        let _ = writeln!(
            out,
            "Checked {} record(s) and {} revision(s) in {}: every chain is whole and unchanged.",
            report.records,
            report.revisions,
            store.data_dir().display()
        );
        print(&out)?;
        Ok(ExitCode::SUCCESS)
    } else {
        let _ = writeln!(
            out,
            "{} problem(s) in {} record(s) and {} revision(s) in {}; restore the files named above from a backup.",
            report.problems.len(),
            report.records,
            report.revisions,
            store.data_dir().display()
        );
        print(&out)?;
        Ok(ExitCode::FAILURE)
    }
}

/// `backup DEST`.
pub fn backup(dest: &Path, dirs: &AppDirs) -> anyhow::Result<ExitCode> {
    let store = Store::open(&dirs.data)?;
    let report = store.backup(dest)?;
    let mut out = String::new();
    for folder in &report.cleaned_up {
        let _ = writeln!(
            out,
            "Removed {}, left by a backup that was interrupted.",
            folder.display()
        );
    }
    let _ = writeln!(
        out,
        "Backed up {} file(s), {} bytes, from {} to {}; every copy was read back and matches its original.",
        report.files,
        report.bytes,
        store.data_dir().display(),
        report.dest.display()
    );
    print(&out)?;
    Ok(report_problems(
        report
            .skipped
            .iter()
            .map(ToString::to_string)
            .chain(report.verify.problems.iter().map(ToString::to_string)),
        "problem(s): entries that are not the app's files were left out, and problems already in the data folder were copied as they are; run `regen-planner plans verify`",
    ))
}

/// Prints each problem as a warning and a closing line; the exit code says whether
/// there was any.
fn report_problems(problems: impl Iterator<Item = String>, closing: &str) -> ExitCode {
    let mut count = 0;
    for problem in problems {
        warn(&problem);
        count += 1;
    }
    if count == 0 {
        ExitCode::SUCCESS
    } else {
        warn(&format!("{count} {closing}"));
        ExitCode::FAILURE
    }
}
