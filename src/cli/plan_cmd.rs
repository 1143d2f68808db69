//! `regen-planner plan`: one dated plan.

use std::collections::BTreeSet;
use std::process::ExitCode;

use clap::Args;
use jiff::civil::Date;
use regen_planner::catalog::{
    Area, CellSource, Factor, Indication, Jurisdiction, Modality, Selection,
};
use regen_planner::export;
use regen_planner::planning::{
    ClinicOptions, PlanRequest, Weekday, WorkingDays, earliest_feasible_start, generate,
    moved_off_closed_day,
};
use regen_planner::store::AppDirs;
use regen_planner::store::rules;

use super::{Format, load_catalog, print};

/// Arguments of `plan`.
#[derive(Debug, Args)]
pub struct PlanArgs {
    /// How the biologic is delivered (see `regen-planner catalog`).
    #[arg(long, value_name = "ID")]
    pub modality: Modality,
    /// What is delivered.
    #[arg(long, value_name = "ID")]
    pub source: CellSource,
    /// The target area.
    #[arg(long, value_name = "ID")]
    pub area: Area,
    /// What is treated.
    #[arg(long, value_name = "ID")]
    pub indication: Indication,
    /// A biologic added to the main source, such as autologous-prp; repeatable.
    #[arg(long = "adjunct", value_name = "ID")]
    pub adjuncts: Vec<CellSource>,
    /// A screening factor the patient has; repeatable.
    #[arg(long = "factor", value_name = "ID")]
    pub factors: Vec<Factor>,
    /// The wished date of the first session, YYYY-MM-DD (default: today).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    pub start: Option<Date>,
    /// The number of sessions, within the protocol's range (default: its typical count).
    #[arg(long, value_name = "N")]
    pub sessions: Option<u32>,
    /// The days the clinic is open, comma-separated (default: monday to friday).
    #[arg(long, value_name = "DAYS", value_delimiter = ',')]
    pub working_days: Vec<Weekday>,
    /// Dates the clinic is closed (public holidays, leave), YYYY-MM-DD, comma-separated
    /// (default: the closed dates of this desk's settings). No session or follow-up is
    /// planned on them.
    #[arg(long, value_name = "DATES", value_delimiter = ',', value_parser = parse_date)]
    pub closed: Vec<Date>,
    /// The jurisdiction whose law and notes apply: us or eu (default: the settings'
    /// jurisdiction, else both, the stricter rule applying).
    #[arg(long, value_name = "ID")]
    pub jurisdiction: Option<Jurisdiction>,
    /// The patient's weight in whole kilograms, for the maximum dose of a local
    /// anaesthetic dosed by weight.
    #[arg(long, value_name = "KG", value_parser = clap::value_parser!(u32).range(20..=300))]
    pub weight_kg: Option<u32>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Save the plan in the data folder as a draft and print its id instead of the plan.
    #[arg(long, requires = "patient_name")]
    pub save: bool,
    /// The patient's full name (with --save).
    #[arg(long, value_name = "NAME", requires = "save")]
    pub patient_name: Option<String>,
    /// The patient's date of birth, YYYY-MM-DD (with --save, for a new patient).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date, requires = "save")]
    pub birth_date: Option<Date>,
    /// The clinic's own id for the patient, such as a chart number (with --save): the
    /// plan goes to the patient with this id, or to a new patient if there is none.
    #[arg(long, value_name = "ID", requires = "save")]
    pub patient_id: Option<String>,
}

/// Parses a date written exactly as YYYY-MM-DD, with an error that says which format
/// is expected.
pub fn parse_date(text: &str) -> Result<Date, String> {
    regen_planner::store::rules::parse_date(text).map_err(|error| error.to_string())
}

pub fn run(args: &PlanArgs, dirs: &AppDirs, database: Option<&str>) -> anyhow::Result<ExitCode> {
    let today = jiff::Zoned::now().date();
    let start = args.start.unwrap_or(today);
    if let Some(birth) = args.birth_date {
        rules::check_birth_date(birth, today)
            .map_err(|error| anyhow::anyhow!("--birth-date: {error}"))?;
    }
    rules::check_start_date(start, args.birth_date)
        .map_err(|error| anyhow::anyhow!("--start: {error}"))?;
    let catalog = load_catalog(dirs);
    let selection = Selection {
        modality: args.modality,
        source: args.source,
        area: args.area,
        indication: args.indication,
        adjuncts: args.adjuncts.clone(),
    };
    let factors: BTreeSet<Factor> = args.factors.iter().copied().collect();
    let mut request = PlanRequest::new(selection, factors, start);
    request.session_count = args.sessions;
    request.weight_kg = args.weight_kg;
    // With --save, a broken settings file stops the save with its own error below.
    let desk = desk_options(dirs, !args.save);
    request.options.working_days = if args.working_days.is_empty() {
        desk.working_days
    } else {
        WorkingDays::new(args.working_days.iter().copied())
    };
    request.options.jurisdiction = args.jurisdiction.or(desk.jurisdiction);
    request.options.closed_dates = if args.closed.is_empty() {
        desk.closed_dates
    } else {
        args.closed.iter().copied().collect()
    };
    let plan = generate(&catalog, &request)?;
    if let Some(moved) = plan
        .sessions
        .first()
        .and_then(|first| moved_off_closed_day(request.start, first.date, &request.options))
    {
        super::warn(&format!("the first session: {moved}"));
    }
    // The same check as the window's preview.
    if let Some(earliest) = earliest_feasible_start(&plan, request.start, today, &request.options) {
        super::warn(&format!(
            "some preparation would be due before today ({today}); a first session on or after {earliest} leaves time for all of it (--start {earliest})"
        ));
    }
    if args.save {
        return super::plans_cmd::save_new_plan(args, dirs, database, request, plan);
    }
    let text = match args.format {
        Format::Text => export::plan_text(&plan),
        Format::Json => export::plan_json(&plan)?,
        Format::Ron => export::plan_ron(&plan)?,
    };
    print(&text)?;
    Ok(ExitCode::SUCCESS)
}

/// The working days, closed dates and jurisdiction of this desk's settings, so the
/// command line plans like the window. A settings file that cannot be read is reported,
/// and Monday to Friday, no closed dates and every jurisdiction (the stricter rule
/// applying) are used.
fn desk_options(dirs: &AppDirs, report_problem: bool) -> ClinicOptions {
    match regen_planner::store::Settings::load(&dirs.config) {
        Ok(settings) => ClinicOptions {
            working_days: settings.working_days,
            jurisdiction: settings.jurisdiction,
            closed_dates: settings.closed_dates,
        },
        Err(error) => {
            if report_problem {
                super::warn(&format!(
                    "{error}; planning with Monday to Friday, no closed dates and the rules of every jurisdiction"
                ));
            }
            ClinicOptions::default()
        }
    }
}
