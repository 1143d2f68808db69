//! `regen-planner agenda [--from YYYY-MM-DD] [--days N] [--format text|json]
//! [--pdf OUT.pdf] [--calendar OUT.ics]`: what is due across every plan, and what was
//! missed, from the index (no plan is read).

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use jiff::civil::Date;
use regen_planner::desk::agenda::{agenda_rows, calendar_plans};
use regen_planner::export::agenda::{
    AgendaSheet, ClinicCalendar, agenda_pdf, agenda_text, clinic_calendar_ics,
};
use regen_planner::planning::agenda::{AgendaQuery, DEFAULT_DAYS, ItemState, MAX_DAYS};
use regen_planner::store::{
    AppDirs, ExportGuard, ExportTarget, Replace, Settings, StoreError, write_export,
};

use super::plan_cmd::parse_date;
use super::plans_cmd::ListFormat;
use super::{print, warn};

/// Which items are listed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StateFilter {
    /// Only what is overdue.
    Overdue,
    /// Only what is still to do.
    Due,
    /// Only what is done (recorded, ticked, scored).
    Done,
}

/// Arguments of `agenda`.
#[derive(Debug, Args)]
pub struct AgendaArgs {
    /// The first day, YYYY-MM-DD (default: today).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    pub from: Option<Date>,
    /// How many days from the first on (default: 8, today and the next 7; at most 366).
    #[arg(long, value_name = "N", default_value_t = DEFAULT_DAYS)]
    pub days: u32,
    /// The day counted as today, for what is overdue (default: the system's date).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    pub today: Option<Date>,
    /// Only items in this state.
    #[arg(long, value_enum)]
    pub status: Option<StateFilter>,
    /// Only the plans of this protocol (an id from `regen-planner catalog`).
    #[arg(long, value_name = "ID")]
    pub protocol: Option<String>,
    /// Output format on standard output.
    #[arg(long, value_enum, default_value_t = ListFormat::Text)]
    pub format: ListFormat,
    /// Write the day list for the front desk as an A4 PDF.
    #[arg(long, value_name = "OUT.pdf")]
    pub pdf: Option<PathBuf>,
    /// Write one iCalendar file (RFC 5545) of every plan's items in the range.
    #[arg(long, value_name = "OUT.ics")]
    pub calendar: Option<PathBuf>,
    /// Replace files that are already there; without it, nothing is written over one.
    #[arg(long)]
    pub force: bool,
}

pub fn run(args: &AgendaArgs, dirs: &AppDirs, database: Option<&str>) -> anyhow::Result<ExitCode> {
    if !(1..=MAX_DAYS).contains(&args.days) {
        anyhow::bail!(
            "--days {} is outside 1 to {MAX_DAYS}; give the number of days to show, such as --days 7",
            args.days
        );
    }
    let today = args.today.unwrap_or_else(|| jiff::Zoned::now().date());
    let query = AgendaQuery {
        today,
        from: args.from.unwrap_or(today),
        days: args.days,
        state: args.status.map(|state| match state {
            StateFilter::Overdue => ItemState::Overdue,
            StateFilter::Due => ItemState::Due,
            StateFilter::Done => ItemState::Done,
        }),
        protocol: args.protocol.clone(),
    };
    // Every file is checked before anything is read: a refused one writes nothing.
    let guard = ExportGuard::new(dirs);
    let replace = if args.force {
        Replace::Existing
    } else {
        Replace::Never
    };
    let check = |path: &PathBuf| -> anyhow::Result<ExportTarget> {
        guard.check(path, replace).map_err(|error| match error {
            StoreError::ExportExists { file } => anyhow::anyhow!(
                "{} already exists; add --force to replace it, or choose another name; nothing was written",
                file.display()
            ),
            other => other.into(),
        })
    };
    let pdf = args.pdf.as_ref().map(check).transpose()?;
    let calendar = args.calendar.as_ref().map(check).transpose()?;
    if let (Some(pdf), Some(calendar)) = (&pdf, &calendar)
        && pdf.path == calendar.path
    {
        anyhow::bail!(
            "{} is named for both the PDF and the calendar; give each its own file; nothing was written",
            pdf.path.display()
        );
    }

    let store = super::open_store(dirs, database)?;
    let index = store.load_index(&mut |_| {})?;
    if !index.problems.is_empty() {
        warn(&format!(
            "{} file(s) in the data folder could not be read, and what they hold is not on the agenda; `regen-planner plans list` names them",
            index.problems.len()
        ));
    }
    let rows = agenda_rows(&index, &query);
    let settings = Settings::load(&dirs.config)?;
    let sheet = AgendaSheet {
        rows: &rows,
        from: query.from,
        until: query.until(),
        today,
        clinic_name: &settings.clinic_name,
        clinic_contact: &settings.clinic_contact,
    };
    let mut written = String::new();
    if let Some(target) = &pdf {
        write_export(target, &agenda_pdf(&sheet)?)?;
        let _ = writeln!(written, "{}", target.path.display());
    }
    if let Some(target) = &calendar {
        let plans = calendar_plans(&index);
        let ics = clinic_calendar_ics(
            &plans,
            &ClinicCalendar {
                from: query.from,
                until: query.until(),
                today,
                clinic_name: &settings.clinic_name,
                patient_names: settings.calendar_patient_names,
            },
        )?;
        write_export(target, ics.as_bytes())?;
        let _ = writeln!(written, "{}", target.path.display());
    }
    if pdf.is_some() || calendar.is_some() {
        print(&written)?;
        return Ok(ExitCode::SUCCESS);
    }
    let text = match args.format {
        ListFormat::Json => serde_json::to_string_pretty(&rows)? + "\n",
        ListFormat::Text => agenda_text(&sheet),
    };
    print(&text)?;
    Ok(ExitCode::SUCCESS)
}
