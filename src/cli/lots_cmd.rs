//! `regen-planner lots find LOT [--format text|json]`: every patient, plan and session
//! that received a device, kit or product of a lot, for a manufacturer's recall.
//!
//! The answer comes from the index (each plan's summary keeps the lots of its records,
//! and a summary is used only while the plan's head vouches for it), so no plan is
//! read: a recall over ten thousand patients takes as long as opening the list.

use std::collections::HashSet;
use std::fmt::Write as _;
use std::process::ExitCode;

use clap::{Args, Subcommand};
use regen_planner::store::{AppDirs, recall};
use regen_planner::untrusted::{escape_controls, for_message};

use super::plans_cmd::ListFormat;
use super::{print, warn};

/// Arguments of `lots`.
#[derive(Debug, Args)]
pub struct LotsArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: LotsCommand,
}

/// Sub-commands of `lots`.
#[derive(Debug, Subcommand)]
pub enum LotsCommand {
    /// Every session that received a material of the lot, oldest first; case and
    /// surrounding spaces do not matter.
    Find {
        /// The lot or batch number, as on the recall notice.
        lot: String,
        /// Output format. JSON is a list of objects: the lot, material, kind, patient
        /// (id), patient's name, plan, session, performed date, expiry (when recorded)
        /// and whether the plan's files were verified.
        #[arg(long, value_enum, default_value_t = ListFormat::Text)]
        format: ListFormat,
    },
}

pub fn run(args: &LotsArgs, dirs: &AppDirs, database: Option<&str>) -> anyhow::Result<ExitCode> {
    match &args.command {
        LotsCommand::Find { lot, format } => find(lot, *format, dirs, database),
    }
}

fn find(
    lot: &str,
    format: ListFormat,
    dirs: &AppDirs,
    database: Option<&str>,
) -> anyhow::Result<ExitCode> {
    if lot.trim().is_empty() {
        anyhow::bail!(
            "give the lot to look for, as on the recall notice, such as `regen-planner lots find A2317`"
        );
    }
    let store = super::open_store(dirs, database)?;
    let index = store.load_index(&mut |_| {})?;
    let found = recall(lot, &index.plans);
    let unverified: HashSet<&str> = index
        .plans
        .iter()
        .filter(|summary| index.is_unverified(summary))
        .map(|summary| summary.id.as_str())
        .collect();
    let verified = |plan: &str| !unverified.contains(plan);
    let text = match format {
        ListFormat::Json => {
            let mut rows = Vec::with_capacity(found.len());
            for hit in &found {
                let mut value = serde_json::to_value(hit)?;
                if let Some(object) = value.as_object_mut() {
                    object.insert("verified".into(), verified(&hit.plan).into());
                }
                rows.push(value);
            }
            let mut text = serde_json::to_string_pretty(&rows)?;
            text.push('\n');
            text
        }
        ListFormat::Text => {
            let mut out = String::new();
            if found.is_empty() {
                let _ = writeln!(
                    out,
                    "No recorded session received lot '{}'.",
                    for_message(lot.trim())
                );
            } else {
                let mut patients: Vec<&str> =
                    found.iter().map(|hit| hit.patient.as_str()).collect();
                patients.sort_unstable();
                patients.dedup();
                let _ = writeln!(
                    out,
                    "Lot '{}': {} session(s) of {} patient(s).",
                    for_message(lot.trim()),
                    found.len(),
                    patients.len()
                );
                for hit in &found {
                    let expiry = hit
                        .expiry
                        .map(|date| format!(", expiry {date}"))
                        .unwrap_or_default();
                    let unverified = if verified(&hit.plan) {
                        ""
                    } else {
                        " [UNVERIFIED]"
                    };
                    let _ = writeln!(
                        out,
                        "{}  {} (patient {})  plan {} session {}  {} {} lot {}{expiry}{unverified}",
                        hit.performed,
                        escape_controls(&hit.patient_name),
                        hit.patient,
                        hit.plan,
                        hit.session,
                        hit.kind.label(),
                        escape_controls(&hit.material),
                        escape_controls(&hit.lot),
                    );
                }
            }
            out
        }
    };
    print(&text)?;
    let problems = index.problems.len();
    for problem in &index.problems {
        warn(&problem.to_string());
    }
    if problems == 0 {
        Ok(ExitCode::SUCCESS)
    } else {
        warn(&format!(
            "{problems} problem(s) in the data folder: a plan that could not be read is not searched; run `regen-planner plans verify` and restore it from a backup"
        ));
        Ok(ExitCode::FAILURE)
    }
}
