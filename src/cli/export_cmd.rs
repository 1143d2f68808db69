//! `regen-planner export ID --handout OUT.pdf --consent OUT.pdf --calendar OUT.ics
//! --fhir OUT.json --json OUT`: what leaves the app, as files.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;
use regen_planner::desk::{ExportKind, export_document};
use regen_planner::store::{AppDirs, Settings, Store, write_export};

use super::plans_cmd::parse_plan_id;
use super::print;

/// Arguments of `export`: the plan, and one or more files to write.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The plan's id, as `plans list` prints it.
    pub id: String,
    /// Write the plan as JSON (the shape of `plan --format json`).
    #[arg(long, value_name = "OUT")]
    pub json: Option<PathBuf>,
    /// Write the patient handout as a PDF.
    #[arg(long, value_name = "OUT.pdf")]
    pub handout: Option<PathBuf>,
    /// Write the consent form as a PDF.
    #[arg(long, value_name = "OUT.pdf")]
    pub consent: Option<PathBuf>,
    /// Write the sessions, follow-ups and dated tasks as an iCalendar file (RFC 5545).
    #[arg(long, value_name = "OUT.ics")]
    pub calendar: Option<PathBuf>,
    /// Write a FHIR R4 bundle with the patient and the care plan, for a medical record system.
    #[arg(long, value_name = "OUT.json")]
    pub fhir: Option<PathBuf>,
}

impl ExportArgs {
    /// Every file asked for, with what it is; the window makes the same kinds.
    fn outputs(&self) -> Vec<(&Path, ExportKind)> {
        [
            (&self.json, ExportKind::Json),
            (&self.handout, ExportKind::Handout),
            (&self.consent, ExportKind::Consent),
            (&self.calendar, ExportKind::Calendar),
            (&self.fhir, ExportKind::Fhir),
        ]
        .into_iter()
        .filter_map(|(path, kind)| Some((path.as_deref()?, kind)))
        .collect()
    }
}

pub fn run(args: &ExportArgs, dirs: &AppDirs) -> anyhow::Result<ExitCode> {
    let outputs = args.outputs();
    if outputs.is_empty() {
        anyhow::bail!(
            "say what to export: --handout OUT.pdf, --consent OUT.pdf, --calendar OUT.ics, \
             --fhir OUT.json or --json OUT (see `regen-planner export --help`)"
        );
    }
    let id = parse_plan_id(&args.id)?;
    let store = Store::open(&dirs.data)?;
    let settings = Settings::load(&dirs.config)?;
    let document = export_document(&store, &id, &settings, jiff::Zoned::now().date())?;
    let mut written = String::new();
    for (path, kind) in outputs {
        let bytes = kind.render(&document)?;
        write_export(path, &bytes)?;
        let _ = writeln!(written, "{}", path.display());
    }
    print(&written)?;
    Ok(ExitCode::SUCCESS)
}
