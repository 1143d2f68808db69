//! The command line: also the contract that tests and other tools use.

mod agenda_cmd;
mod catalog_cmd;
mod db_cmd;
mod demo_cmd;
mod export_cmd;
mod lots_cmd;
mod photos_cmd;
mod plan_cmd;
mod plans_cmd;
mod record_cmd;

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::{Parser, Subcommand, ValueEnum};
use regen_planner::catalog::{CLINIC_SCALE_FOLDER, Catalog, Problem, Scales};
use regen_planner::store::{AppDirs, ExportGuard, Replace, read_protocol_dir};
use regen_planner::untrusted::{MESSAGE_CHARS, escape_controls};

/// Plans regenerative treatments (stem cells, PRP, PRF, secretome) as dated session
/// plans. Without a command, opens the window.
#[derive(Debug, Parser)]
#[command(name = "regen-planner", version, about, long_about = None)]
pub struct Cli {
    /// Folder of patients and plans (default: the system's data folder for the app).
    #[arg(
        long,
        global = true,
        value_name = "DIR",
        env = "REGEN_PLANNER_DATA_DIR"
    )]
    pub data_dir: Option<PathBuf>,
    /// Keep patients and plans on this PostgreSQL database instead of the data folder,
    /// as `postgresql://USER@HOST/DATABASE` (the password from ~/.pgpass). The window
    /// and every command that reads or writes patients and plans run on it.
    #[arg(
        long,
        global = true,
        value_name = "URL",
        env = "REGEN_PLANNER_DATABASE_URL"
    )]
    pub database: Option<String>,
    /// Folder of settings and the clinic's protocol files (default: the system's
    /// configuration folder for the app).
    #[arg(
        long,
        global = true,
        value_name = "DIR",
        env = "REGEN_PLANNER_CONFIG_DIR"
    )]
    pub config_dir: Option<PathBuf>,
    /// Open the window, write a PNG of its first complete frame to PATH, and exit.
    #[arg(long, value_name = "PATH")]
    pub screenshot: Option<PathBuf>,
    /// The window's width and height in points, such as 1024x640 (at least 960x600;
    /// default: as it was left, 1280x800 the first time).
    #[arg(long, value_name = "WxH", value_parser = parse_window_size)]
    pub window_size: Option<[f32; 2]>,
    /// Open this plan when the window opens.
    #[arg(long = "open", value_name = "PLAN_ID")]
    pub open_plan: Option<String>,
    /// With --open: show the plan's first comparison of two photographs of one view
    /// (for a --screenshot of it).
    #[arg(long, requires = "open_plan")]
    pub compare_photos: bool,
    /// What to do.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// What is due today and the next 7 days across every plan, and what is overdue;
    /// also as a PDF day list and one calendar for the clinic.
    Agenda(agenda_cmd::AgendaArgs),
    /// List every id and protocol, or check a folder of protocol files.
    Catalog(catalog_cmd::CatalogArgs),
    /// Make a dated plan for one patient, and with --save keep it in the data folder.
    Plan(Box<plan_cmd::PlanArgs>),
    /// List, show, trace and verify the saved plans.
    Plans(plans_cmd::PlansArgs),
    /// Add, list, export (without location or camera metadata) and remove a plan's
    /// clinical photographs.
    Photos(photos_cmd::PhotosArgs),
    /// Export a saved plan for the patient or another system (JSON, and more below).
    Export(export_cmd::ExportArgs),
    /// Find every patient, plan and session that received a kit, device or product of a
    /// lot, for a manufacturer's recall.
    Lots(lots_cmd::LotsArgs),
    /// Make up realistic demo patients and plans in a new data folder (--data-dir DIR).
    DemoData(demo_cmd::DemoArgs),
    /// Make the store's schema on a PostgreSQL database (`db init URL`).
    Db(db_cmd::DbArgs),
    /// Copy every patient and plan of the data folder into a PostgreSQL database (made
    /// with `db init`), check every revision against the folder, and verify the
    /// database; run it again to copy only what is missing.
    Migrate {
        /// The database, as `postgresql://USER@HOST/DATABASE`.
        #[arg(long, value_name = "URL")]
        to: String,
    },
    /// Copy the whole data folder to DEST (a new folder), then check the copy.
    Backup {
        /// The backup folder to create; it must not exist yet.
        dest: PathBuf,
    },
}

/// How a result is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum Format {
    /// Text a physician reads.
    #[default]
    Text,
    /// JSON for other systems.
    Json,
    /// RON, the app's own file format.
    Ron,
}

/// Runs the command and returns the exit code.
///
/// # Errors
/// Any failure, as one sentence for stderr.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let dirs = AppDirs::resolve(cli.data_dir.as_deref(), cli.config_dir.as_deref())?;
    let database = cli.database.as_deref();
    if let Some(url) = database
        && let Some(Command::Backup { dest }) = &cli.command
    {
        return db_cmd::backup(url, dest);
    }
    match cli.command {
        None => {
            let open_plan = match cli.open_plan {
                Some(id) => Some(id.parse().map_err(
                    |error: regen_planner::store::InvalidId| {
                        anyhow::anyhow!("{error}; `regen-planner plans list` shows the plan ids")
                    },
                )?),
                None => None,
            };
            // The screenshot is a file the app writes: never into its own folders or
            // over a link, pipe or device.
            if let Some(path) = &cli.screenshot {
                ExportGuard::new(&dirs).check(path, Replace::Existing)?;
            }
            // The protocols, the settings and the data folder are read here, before the
            // window opens: the window itself never touches the disk. A database is
            // connected to by the window's worker, so the window shows at once.
            let options = regen_planner::ui::AppOptions {
                workspace: regen_planner::desk::Workspace::open_with_database(dirs, cli.database),
                screenshot: cli.screenshot,
                open_plan,
                compare_photos: cli.compare_photos,
            };
            regen_planner::ui::run(options, cli.window_size)
                .map_err(|error| anyhow::anyhow!(error))?;
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Agenda(args)) => agenda_cmd::run(&args, &dirs, database),
        Some(Command::Catalog(args)) => catalog_cmd::run(&args, &dirs),
        Some(Command::Plan(args)) => plan_cmd::run(&args, &dirs, database),
        Some(Command::Plans(args)) => plans_cmd::run(&args, &dirs, database),
        Some(Command::Photos(args)) => match database {
            Some(url) => photos_cmd::run_on_database(&args, &dirs, url),
            None => photos_cmd::run(&args, &dirs),
        },
        Some(Command::Export(args)) => export_cmd::run(&args, &dirs, database),
        Some(Command::Lots(args)) => lots_cmd::run(&args, &dirs, database),
        Some(Command::Db(args)) => db_cmd::run(&args),
        Some(Command::Migrate { to }) => db_cmd::migrate(&to, &dirs),
        Some(Command::Backup { dest }) => plans_cmd::backup(&dest, &dirs),
        Some(Command::DemoData(args)) => {
            demo_cmd::run(&args, &dirs, cli.data_dir.is_some(), database)
        }
    }
}

/// Reads `--window-size WIDTHxHEIGHT`, within the window's smallest and a generous
/// largest size.
fn parse_window_size(text: &str) -> Result<[f32; 2], String> {
    let [min_width, min_height] = regen_planner::ui::MIN_WINDOW_SIZE;
    let wrong = || {
        format!(
            "'{}' is not a window size; use WIDTHxHEIGHT such as 1280x800, at least {min_width}x{min_height}",
            escape_controls(text)
        )
    };
    let (width, height) = text.trim().split_once(['x', 'X']).ok_or_else(wrong)?;
    let width: u16 = width.trim().parse().map_err(|_| wrong())?;
    let height: u16 = height.trim().parse().map_err(|_| wrong())?;
    let size = [f32::from(width), f32::from(height)];
    if size[0] < min_width || size[1] < min_height || width > 8192 || height > 8192 {
        return Err(wrong());
    }
    Ok(size)
}

/// Prints help and version as clap does; any other command-line mistake as one line on
/// stderr (what is wrong and where to look), with exit code 2.
pub fn report_usage_error(error: &clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    if matches!(
        error.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        let _ = error.print();
        return ExitCode::SUCCESS;
    }
    let rendered = error.to_string();
    let message: Vec<&str> = rendered
        .lines()
        .take_while(|line| !line.trim().is_empty())
        .map(str::trim)
        .collect();
    let message = shorten_quoted(&message.join(" "));
    let mut stderr = std::io::stderr().lock();
    let _ = writeln!(stderr, "{}; see --help", escape_controls(&message));
    ExitCode::from(2)
}

/// A message with every quoted text in it ('...') shortened as a message quotes an
/// outside text: an argument of 100 kB is not echoed back whole.
fn shorten_quoted(message: &str) -> String {
    let mut out = String::with_capacity(message.len().min(4096));
    let mut rest = message;
    while let Some(open) = rest.find('\'') {
        let (before, after) = rest.split_at(open + 1);
        out.push_str(before);
        let Some(close) = after.find('\'') else {
            out.push_str(&regen_planner::untrusted::shorten(after, MESSAGE_CHARS));
            return out;
        };
        out.push_str(&regen_planner::untrusted::shorten(
            &after[..close],
            MESSAGE_CHARS,
        ));
        out.push('\'');
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    out
}

/// The store a command works on: the database given (`--database URL` or
/// `REGEN_PLANNER_DATABASE_URL`), else the data folder.
pub(crate) fn open_store(
    dirs: &AppDirs,
    database: Option<&str>,
) -> anyhow::Result<regen_planner::store::Store> {
    Ok(match database {
        Some(url) => regen_planner::store::Store::open_database(url)?,
        None => regen_planner::store::Store::open(&dirs.data)?,
    })
}

/// Prints an error as one line on stderr, with any control character in it escaped.
pub fn report_error(error: &anyhow::Error) {
    let mut stderr = std::io::stderr().lock();
    let message = shorten_quoted(&format!("{error:#}"));
    let _ = writeln!(stderr, "error: {}", escape_controls(&message));
}

/// Writes text to stdout, turning a closed pipe into an error rather than a panic.
pub(crate) fn print(text: &str) -> anyhow::Result<()> {
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
        .context("could not write to standard output")
}

/// Prints a warning line on stderr, with any control character in it escaped.
pub(crate) fn warn(text: &str) {
    let mut stderr = std::io::stderr().lock();
    let _ = writeln!(stderr, "warning: {}", escape_controls(text));
}

/// The built-in catalog with the clinic's protocol files merged over it. Problems with
/// clinic files are printed as warnings; the built-in protocols stay in use.
pub(crate) fn load_catalog(dirs: &AppDirs) -> Catalog {
    let (clinic_files, unreadable) = match read_protocol_dir(&dirs.protocols()) {
        Ok(found) => found,
        Err(error) => {
            warn(&format!("{error}; using the built-in protocols"));
            (Vec::new(), Vec::new())
        }
    };
    for error in unreadable {
        warn(&format!("{error}; using the built-in protocols"));
    }
    let (scale_files, unreadable) =
        match read_protocol_dir(&dirs.protocols().join(CLINIC_SCALE_FOLDER)) {
            Ok(found) => found,
            Err(error) => {
                warn(&format!("{error}; using the built-in outcome scales"));
                (Vec::new(), Vec::new())
            }
        };
    for error in unreadable {
        warn(&format!("{error}; using the built-in outcome scales"));
    }
    let (scales, problems) =
        Scales::load(&regen_planner::catalog::builtin_scale_files(), &scale_files);
    for problem in &problems {
        warn(&format!(
            "{problem}; this file is ignored and the built-in outcome scales are used"
        ));
    }
    // The scales first: a protocol's follow-ups are checked against them.
    let (catalog, problems) = Catalog::load_with_scales(
        &regen_planner::catalog::builtin_files(),
        &clinic_files,
        scales,
    );
    for problem in &problems {
        warn(&problem_with_fallback(problem));
    }
    catalog
}

fn problem_with_fallback(problem: &Problem) -> String {
    format!("{problem}; this file is ignored and the built-in protocol is used")
}

#[cfg(test)]
mod tests {
    use super::parse_window_size;

    #[test]
    fn a_window_size_is_width_by_height_within_bounds() {
        assert_eq!(parse_window_size("1024x640"), Ok([1024.0, 640.0]));
        assert_eq!(parse_window_size(" 1920X1080 "), Ok([1920.0, 1080.0]));
        for wrong in [
            "1280",
            "800x1280x3",
            "x",
            "1280x",
            "12.5x800",
            "100x100",
            "9000x800",
        ] {
            let error = parse_window_size(wrong).unwrap_err();
            assert!(
                error.contains("is not a window size") && error.contains("at least 960x600"),
                "{wrong}: {error}"
            );
        }
    }
}
