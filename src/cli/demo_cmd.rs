//! `regen-planner demo-data`: made-up patients and plans, to try the app, for
//! screenshots and for benchmarks.

use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context as _;
use clap::Args;
use regen_planner::demo::{DEFAULT_DEMO_SEED, DemoOptions, create_demo, create_demo_on_database};
use regen_planner::store::AppDirs;

use super::{load_catalog, print};

/// Arguments of `demo-data`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// How many patients to make; each has zero to three plans.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub patients: u32,
    /// The same seed makes the same patients and plans (around the same day).
    #[arg(long, value_name = "N", default_value_t = DEFAULT_DEMO_SEED)]
    pub seed: u64,
}

/// Makes the demo data in the data folder, which must be given explicitly (never the
/// clinic's default folder by accident) and be new or empty; or on the database given
/// (`--database URL`), which must hold no patient and no plan.
pub fn run(
    args: &DemoArgs,
    dirs: &AppDirs,
    data_dir_given: bool,
    database: Option<&str>,
) -> anyhow::Result<ExitCode> {
    if !data_dir_given && database.is_none() {
        anyhow::bail!(
            "demo-data needs --data-dir DIR: a new folder for the demo, never the folder of real patients"
        );
    }
    let catalog = load_catalog(dirs);
    let options = DemoOptions {
        patients: usize::try_from(args.patients).context("too many patients")?,
        seed: args.seed,
        now: jiff::Timestamp::now(),
    };
    let started = Instant::now();
    let (store, report) = match database {
        Some(url) => create_demo_on_database(url, &catalog, &options)?,
        None => create_demo(&dirs.data, &catalog, &options)?,
    };
    // The first start of the app then finds the index ready, as after any day of use.
    let index = store.load_index(&mut |_| {})?;
    for problem in &index.problems {
        super::warn(&problem.to_string());
    }
    let open_with = match database {
        Some(_) => "list them with: regen-planner --database URL plans list".to_owned(),
        None => format!(
            "open them with: regen-planner --data-dir {}",
            shell_word(&dirs.data.display().to_string())
        ),
    };
    print(&format!(
        "Made {} demo patients with {} plans ({} revision files, over {} pathways) in {} in {:.1} s; {open_with}\n",
        report.patients,
        report.plans,
        report.revisions,
        report.pathways,
        store.data_dir().display(),
        started.elapsed().as_secs_f64(),
    ))?;
    Ok(ExitCode::SUCCESS)
}

/// A path as one shell word, quoted when it needs to be.
fn shell_word(text: &str) -> String {
    if text
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "/._-+,:=@".contains(c))
    {
        text.to_owned()
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}
