//! `regen-planner export ID --handout OUT.pdf --consent OUT.pdf --calendar OUT.ics
//! --fhir OUT.json --json OUT --progress OUT.pdf [--force]`: what leaves the app, as files, never inside
//! the app's own folders and never over an existing file unless --force says so.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;
use regen_planner::desk::{ExportKind, export_document_for};
use regen_planner::store::{
    AppDirs, ExportGuard, ExportTarget, Replace, Settings, StoreError, write_export,
};

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
    /// Write the patient's progress report as a PDF: the sessions done, the outcome
    /// scores and a chart of each scale against the plan.
    #[arg(long, value_name = "OUT.pdf")]
    pub progress: Option<PathBuf>,
    /// Replace files that are already there (earlier exports); without it, an existing
    /// file is left alone and nothing is written.
    #[arg(long)]
    pub force: bool,
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
            (&self.progress, ExportKind::Progress),
        ]
        .into_iter()
        .filter_map(|(path, kind)| Some((path.as_deref()?, kind)))
        .collect()
    }
}

pub fn run(args: &ExportArgs, dirs: &AppDirs, database: Option<&str>) -> anyhow::Result<ExitCode> {
    let outputs = args.outputs();
    if outputs.is_empty() {
        anyhow::bail!(
            "say what to export: --handout OUT.pdf, --consent OUT.pdf, --calendar OUT.ics, \
             --fhir OUT.json or --json OUT (see `regen-planner export --help`)"
        );
    }
    let id = parse_plan_id(&args.id)?;
    // Every target is checked before anything is read or written: a refused one leaves
    // every file as it was.
    let guard = ExportGuard::new(dirs);
    let replace = if args.force {
        Replace::Existing
    } else {
        Replace::Never
    };
    let mut targets = Vec::with_capacity(outputs.len());
    for (path, kind) in outputs {
        let target = guard.check(path, replace).map_err(|error| match error {
            StoreError::ExportExists { file } => anyhow::anyhow!(
                "{} already exists; add --force to replace it, or choose another name; nothing was written",
                file.display()
            ),
            other => other.into(),
        })?;
        if targets
            .iter()
            .any(|(_, earlier, _): &(&Path, ExportTarget, ExportKind)| earlier.path == target.path)
        {
            anyhow::bail!(
                "{} is named for two exports; give each its own file; nothing was written",
                path.display()
            );
        }
        targets.push((path, target, kind));
    }
    let store = super::open_store(dirs, database)?;
    let settings = Settings::load(&dirs.config)?;
    let catalog = super::load_catalog(dirs);
    let document =
        export_document_for(&store, &id, &settings, &catalog, jiff::Zoned::now().date())?;
    let mut written = String::new();
    for (path, target, kind) in targets {
        let bytes = kind.render(&document)?;
        write_export(&target, &bytes)?;
        let _ = writeln!(written, "{}", path.display());
    }
    print(&written)?;
    Ok(ExitCode::SUCCESS)
}
