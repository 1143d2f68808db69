//! `regen-planner db init URL`: makes or brings up to date the store's schema on a
//! PostgreSQL database.

use std::fmt::Write as _;
use std::process::ExitCode;

use clap::{Args, Subcommand};

/// The arguments of `db`.
#[derive(Debug, Args)]
pub struct DbArgs {
    /// What to do with the database.
    #[command(subcommand)]
    pub command: DbCommand,
}

/// The `db` commands.
#[derive(Debug, Subcommand)]
pub enum DbCommand {
    /// Create the store's tables on a PostgreSQL database, or bring them up to this
    /// app's version (the migrations are inside the app); a database made by a newer
    /// app is refused and left unchanged. The password comes from ~/.pgpass (or the
    /// file PGPASSFILE names), never from the settings.
    Init {
        /// The database, as `postgresql://USER@HOST/DATABASE` (add sslmode=require for a
        /// server that is not on this computer).
        url: String,
    },
}

/// Runs `db`.
///
/// # Errors
/// When the database cannot be reached or migrated, as one sentence.
pub fn run(args: &DbArgs) -> anyhow::Result<ExitCode> {
    match &args.command {
        DbCommand::Init { url } => {
            let version = regen_planner::store::init_database(url)?;
            super::print(&format!(
                "The database has the store's schema, version {version}; open it with --database URL.\n"
            ))?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Runs `migrate --to URL`: copies the data folder into the database, then checks it.
///
/// # Errors
/// When either store cannot be opened, as one sentence.
pub fn migrate(to: &str, dirs: &regen_planner::store::AppDirs) -> anyhow::Result<ExitCode> {
    let folder = regen_planner::store::Store::open(&dirs.data)?;
    let database = regen_planner::store::Store::open_database(to)?;
    let report = folder.copy_into(&database)?;
    let verify = database.verify();
    let mut text = format!(
        "{} records: {} entries copied, {} already in the database.\n{} photographs: {} copied, {} already in the database, each checked by its SHA-256.\n",
        report.records,
        report.copied,
        report.already_there,
        report.photos,
        report.photos_copied,
        report.photos_already_there
    );
    for problem in &report.problems {
        let _ = writeln!(text, "problem: {problem}");
    }
    if verify.is_ok() {
        let _ = writeln!(
            text,
            "The database verifies: {} records, {} revisions.",
            verify.records, verify.revisions
        );
        // The first listing of a database fills its table of summaries, which takes a
        // while with thousands of records: done here, so that the first desk to open
        // the window after the migration does not wait for it.
        match database.load_index(&mut |_| {}) {
            Ok(index) => {
                let _ = writeln!(
                    text,
                    "The lists are made: {} patients, {} plans.",
                    index.patients.len(),
                    index.plans.len()
                );
                for problem in &index.problems {
                    let _ = writeln!(text, "problem: {problem}");
                }
            }
            Err(error) => {
                let _ = writeln!(
                    text,
                    "The lists could not be made yet ({error}); the first desk to open the database makes them."
                );
            }
        }
    } else {
        for problem in &verify.problems {
            let _ = writeln!(
                text,
                "problem: {}: {}",
                problem.file.display(),
                problem.what
            );
        }
    }
    super::print(&text)?;
    Ok(if report.is_ok() && verify.is_ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Runs `backup DEST` on a database (`--database URL`): a new data folder with every
/// patient and plan, checked against the database and verified.
///
/// # Errors
/// When the database cannot be opened or DEST exists, as one sentence.
pub fn backup(url: &str, dest: &std::path::Path) -> anyhow::Result<ExitCode> {
    let database = regen_planner::store::Store::open_database(url)?;
    let (report, verify) = database.backup_to_folder(dest)?;
    let mut text = format!(
        "Backed up {} records ({} entries) and {} photographs to {}.\n",
        report.records,
        report.copied,
        report.photos_copied,
        dest.display()
    );
    for problem in &report.problems {
        let _ = writeln!(text, "problem: {problem}");
    }
    for problem in &verify.problems {
        let _ = writeln!(
            text,
            "problem: {}: {}",
            problem.file.display(),
            problem.what
        );
    }
    if report.is_ok() && verify.is_ok() {
        let _ = writeln!(
            text,
            "The backup verifies: {} records, {} revisions; it opens with --data-dir {} and no server.",
            verify.records,
            verify.revisions,
            dest.display()
        );
    }
    super::print(&text)?;
    Ok(if report.is_ok() && verify.is_ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
