//! `regen-planner db init URL`: makes or brings up to date the store's schema on a
//! PostgreSQL database.

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
        /// The database, as postgresql://USER@HOST/DATABASE (add sslmode=require for a
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
        "{} records: {} entries copied, {} already in the database.\n",
        report.records, report.copied, report.already_there
    );
    for problem in &report.problems {
        text.push_str(&format!("problem: {problem}\n"));
    }
    if verify.is_ok() {
        text.push_str(&format!(
            "The database verifies: {} records, {} revisions.\n",
            verify.records, verify.revisions
        ));
    } else {
        for problem in &verify.problems {
            text.push_str(&format!(
                "problem: {}: {}\n",
                problem.file.display(),
                problem.what
            ));
        }
    }
    super::print(&text)?;
    Ok(if report.is_ok() && verify.is_ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
