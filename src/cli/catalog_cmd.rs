//! `regen-planner catalog` and `regen-planner catalog check [DIR]`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Subcommand};
use regen_planner::catalog::{
    CLINIC_SCALE_FOLDER, Catalog, Scales, builtin_files, builtin_scale_files,
};
use regen_planner::export;
use regen_planner::store::{AppDirs, read_protocol_dir};

use super::{Format, load_catalog, print};

/// Arguments of `catalog`.
#[derive(Debug, Args)]
pub struct CatalogArgs {
    /// Output format (text or json).
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Check protocol files instead of listing.
    #[command(subcommand)]
    pub command: Option<CatalogCommand>,
}

/// Sub-commands of `catalog`.
#[derive(Debug, Subcommand)]
pub enum CatalogCommand {
    /// Validate a folder of protocol files (default: the clinic's protocol folder) and
    /// the outcome scale files of its `scales` folder, and report each problem as
    /// `file:line:column: what is wrong`.
    Check {
        /// The folder of `*.ron` protocol files.
        dir: Option<PathBuf>,
    },
}

pub fn run(args: &CatalogArgs, dirs: &AppDirs) -> anyhow::Result<ExitCode> {
    match &args.command {
        Some(CatalogCommand::Check { dir }) => {
            check(&dir.clone().unwrap_or_else(|| dirs.protocols()))
        }
        None => {
            let catalog = load_catalog(dirs);
            let text = match args.format {
                Format::Text => export::catalog_text(&catalog),
                Format::Json => export::catalog_json(&catalog)?,
                Format::Ron => anyhow::bail!(
                    "the catalog is printed as text or json; --format ron is for plans"
                ),
            };
            print(&text)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn check(dir: &Path) -> anyhow::Result<ExitCode> {
    if !dir.is_dir() {
        anyhow::bail!(
            "{} is not a folder; give the folder that holds the protocol files",
            dir.display()
        );
    }
    let (files, mut unreadable) = read_protocol_dir(dir)?;
    let (scale_files, scales_unreadable) = read_protocol_dir(&dir.join(CLINIC_SCALE_FOLDER))?;
    unreadable.extend(scales_unreadable);
    let (scales, scale_problems) = Scales::load(&builtin_scale_files(), &scale_files);
    let (_, mut problems) = Catalog::load_with_scales(&builtin_files(), &files, scales);
    problems.extend(scale_problems);
    let mut report = String::new();
    for error in &unreadable {
        let _ = writeln!(report, "{error}");
    }
    for problem in &problems {
        let _ = writeln!(report, "{problem}");
    }
    let problem_count = unreadable.len() + problems.len();
    if problem_count == 0 {
        let _ = writeln!(
            report,
            "{} protocol file(s) in {} are valid.",
            files.len(),
            dir.display()
        );
        if !scale_files.is_empty() {
            let _ = writeln!(
                report,
                "{} outcome scale file(s) in {} are valid.",
                scale_files.len(),
                dir.join(CLINIC_SCALE_FOLDER).display()
            );
        }
        print(&report)?;
        Ok(ExitCode::SUCCESS)
    } else {
        let _ = writeln!(
            report,
            "{problem_count} problem(s) in {}; fix them, or the app keeps using the built-in protocols and scales for these files.",
            dir.display()
        );
        print(&report)?;
        Ok(ExitCode::FAILURE)
    }
}
