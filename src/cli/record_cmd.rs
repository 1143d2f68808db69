//! `regen-planner plans record ...` and `regen-planner plans score ...`: what was done
//! at a session and how the patient did, saved as the plan's next revision.
//!
//! A material, an anaesthetic and an adverse event each take several flags. They are
//! grouped by their order on the command line: `--lot`, `--kind` and `--expiry` belong
//! to the `--material` before them, `--technique` and `--anaesthetic-mg` to the
//! `--anaesthetic` before them, `--severity`, `--action` and `--resolved` to the
//! `--adverse-event` before them. A material may also be given whole in one value,
//! `--material "NAME;KIND;LOT;EXPIRY"` (the kind, lot and expiry may be left empty).

use std::fmt::Write as _;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::{ArgMatches, Args, CommandFactory as _};
use jiff::civil::{Date, Time};
use regen_planner::catalog::{Technique, number};
use regen_planner::desk::{TreatmentError, add_score, record_session};
use regen_planner::desk::{
    remove_record as remove_saved_record, remove_score as remove_saved_score,
};
use regen_planner::planning::{
    Administration, AdverseEvent, AdverseSeverity, Anaesthetic, Harvest, Material, MaterialKind,
    Product, RecordError, SessionRecord, Spin,
};
use regen_planner::store::AppDirs;
use regen_planner::untrusted::for_message;

use super::plan_cmd::parse_date;
use super::plans_cmd::{author, parse_plan_id};
use super::{load_catalog, print, warn};

/// Arguments of `plans record`.
#[derive(Debug, Clone, Args)]
pub struct RecordArgs {
    /// The plan's id, as `plans list` prints it.
    pub id: String,
    /// The session recorded (1 for the first).
    #[arg(long, value_name = "N")]
    pub session: u32,
    /// The day it took place, YYYY-MM-DD; not later than today.
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    pub performed: Date,
    /// The time it began, HH:MM (24 hours).
    #[arg(long, value_name = "HH:MM", value_parser = parse_time)]
    pub time: Option<Time>,
    /// Who performed it.
    #[arg(long, value_name = "NAME")]
    pub performer: Option<String>,
    /// Where tissue or blood was taken, such as "abdomen" or "left antecubital vein".
    #[arg(long, value_name = "TEXT")]
    pub harvest_site: Option<String>,
    /// How much was taken, in millilitres.
    #[arg(long, value_name = "ML", allow_negative_numbers = true)]
    pub harvest_volume_ml: Option<f64>,
    /// A device, kit or product used, by its name on the label; repeat for each. Its
    /// --kind, --lot and --expiry follow it, or give it whole: "NAME;KIND;LOT;EXPIRY".
    #[arg(long = "material", value_name = "NAME")]
    pub materials: Vec<String>,
    /// What the material before it is: device, kit or product (default: kit).
    #[arg(long = "kind", value_name = "device|kit|product")]
    pub kinds: Vec<MaterialKind>,
    /// The lot or batch number of the material before it, as on the label.
    #[arg(long = "lot", value_name = "LOT")]
    pub lots: Vec<String>,
    /// The expiry date of the material before it, YYYY-MM-DD.
    #[arg(long = "expiry", value_name = "YYYY-MM-DD", value_parser = parse_date)]
    pub expiries: Vec<Date>,
    /// A centrifuge run as force and minutes, such as 1500:10; repeat for a double spin.
    #[arg(long = "spin", value_name = "G:MIN")]
    pub spins: Vec<String>,
    /// The product's platelet concentration, in times the blood count.
    #[arg(long, value_name = "X", allow_negative_numbers = true)]
    pub platelet_factor: Option<f64>,
    /// The product's platelet count, in thousands per microlitre (10⁹/L).
    #[arg(long, value_name = "COUNT", allow_negative_numbers = true)]
    pub platelets: Option<f64>,
    /// Cells in the product, in millions.
    #[arg(long, value_name = "MILLIONS", allow_negative_numbers = true)]
    pub cells_million: Option<f64>,
    /// The share of living cells, in per cent.
    #[arg(long, value_name = "PERCENT", allow_negative_numbers = true)]
    pub viability_percent: Option<f64>,
    /// The volume of product prepared, in millilitres.
    #[arg(long, value_name = "ML", allow_negative_numbers = true)]
    pub product_volume_ml: Option<f64>,
    /// A site injected, with its volume in millilitres after `=` if measured, such as
    /// "left knee, lateral=4"; repeat for each site.
    #[arg(long = "site", value_name = "TEXT[=ML]")]
    pub sites: Vec<String>,
    /// The volume injected, in millilitres, when there is one site (named by --site, or
    /// the plan's treated area).
    #[arg(long, value_name = "ML", allow_negative_numbers = true)]
    pub injected_volume_ml: Option<f64>,
    /// The patient's weight on the day, in kilograms: the anaesthetic is checked against it.
    #[arg(long, value_name = "KG", allow_negative_numbers = true)]
    pub weight_kg: Option<f64>,
    /// A local anaesthetic given, such as "lidocaine 1% with adrenaline"; its
    /// --technique and --anaesthetic-mg follow it. Repeat for each.
    #[arg(long = "anaesthetic", value_name = "AGENT")]
    pub anaesthetics: Vec<String>,
    /// How the anaesthetic before it was given: tumescent, infiltration or nerve-block.
    #[arg(long = "technique", value_name = "TECHNIQUE")]
    pub techniques: Vec<Technique>,
    /// The total of the anaesthetic before it, in milligrams.
    #[arg(
        long = "anaesthetic-mg",
        value_name = "MG",
        allow_negative_numbers = true
    )]
    pub anaesthetic_mg: Vec<f64>,
    /// Minutes from the end of the harvest to the injection.
    #[arg(long, value_name = "MIN")]
    pub harvest_to_injection_min: Option<u32>,
    /// Something that went wrong; its --severity (required), --action and --resolved
    /// follow it. Repeat for each.
    #[arg(long = "adverse-event", value_name = "TEXT")]
    pub adverse_events: Vec<String>,
    /// How severe the adverse event before it was: mild, moderate or severe.
    #[arg(long = "severity", value_name = "mild|moderate|severe")]
    pub severities: Vec<AdverseSeverity>,
    /// What was done about the adverse event before it.
    #[arg(long = "action", value_name = "TEXT")]
    pub actions: Vec<String>,
    /// The adverse event before it has resolved.
    #[arg(long = "resolved", action = clap::ArgAction::Count)]
    pub resolved: u8,
    /// A free note.
    #[arg(long, value_name = "TEXT")]
    pub note: Option<String>,
}

/// Arguments of `plans score`.
#[derive(Debug, Clone, Args)]
pub struct ScoreArgs {
    /// The plan's id, as `plans list` prints it.
    pub id: String,
    /// The outcome scale, by id (`catalog --format json` lists them under `scales`).
    #[arg(long, value_name = "ID")]
    pub scale: String,
    /// The score, within the scale's range.
    #[arg(long, value_name = "V", allow_negative_numbers = true)]
    pub value: f64,
    /// The day it was measured, YYYY-MM-DD (default: today).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    pub date: Option<Date>,
}

/// Arguments of `plans remove-score`.
#[derive(Debug, Clone, Args)]
pub struct RemoveScoreArgs {
    /// The plan's id, as `plans list` prints it.
    pub id: String,
    /// The score's number, as `plans show` lists the scores (1 is the first entered).
    #[arg(long, value_name = "N")]
    pub score: usize,
}

/// Arguments of `plans remove-record`.
#[derive(Debug, Clone, Args)]
pub struct RemoveRecordArgs {
    /// The plan's id, as `plans list` prints it.
    pub id: String,
    /// The session whose record is removed (1-based).
    #[arg(long, value_name = "N")]
    pub session: u32,
}

/// `HH:MM` on the 24-hour clock.
fn parse_time(text: &str) -> Result<Time, String> {
    let refused = || {
        format!(
            "'{}' is not a time; write HH:MM on the 24-hour clock, such as 09:30 or 14:05",
            for_message(text)
        )
    };
    let (hours, minutes) = text.trim().split_once(':').ok_or_else(refused)?;
    if minutes.len() != 2 {
        return Err(refused());
    }
    let hours: i8 = hours.parse().map_err(|_| refused())?;
    let minutes: i8 = minutes.parse().map_err(|_| refused())?;
    Time::new(hours, minutes, 0, 0).map_err(|_| refused())
}

/// `plans record`.
pub fn record(
    args: &RecordArgs,
    dirs: &AppDirs,
    database: Option<&str>,
) -> anyhow::Result<ExitCode> {
    let id = parse_plan_id(&args.id)?;
    let store = super::open_store(dirs, database)?;
    let catalog = load_catalog(dirs);
    let newest = store.load_plan(&id)?;
    let matches = record_matches();
    let session = build_record(args, matches.as_ref(), &newest.value.plan)?;
    let today = jiff::Zoned::now().date();
    let author = author(dirs)?;
    let recorded = record_session(&store, &id, session, &catalog, today, &author)
        .map_err(|error| refusal(error, args.session))?;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Recorded session {} of plan {id} as performed on {}; saved as revision {}.",
        args.session, args.performed, recorded.revision.number
    );
    print(&out)?;
    for warning in &recorded.warnings {
        warn(&warning.message);
        if warning.asks_for_adverse_event {
            warn(&format!(
                "record what happened: run `regen-planner plans record {id} --session {} --performed {} ... --adverse-event TEXT --severity mild|moderate|severe` again with every field (the new record replaces this one)",
                args.session, args.performed
            ));
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `plans score`.
pub fn score(args: &ScoreArgs, dirs: &AppDirs, database: Option<&str>) -> anyhow::Result<ExitCode> {
    let id = parse_plan_id(&args.id)?;
    let store = super::open_store(dirs, database)?;
    let catalog = load_catalog(dirs);
    let today = jiff::Zoned::now().date();
    let date = args.date.unwrap_or(today);
    // The scale is checked before the author is looked up: a typing error is said first.
    regen_planner::planning::Score::new(catalog.scales(), &args.scale, args.value, date, today)
        .map_err(|error| {
            anyhow::anyhow!(
                "{}; nothing was saved",
                error.to_string().trim_end_matches('.')
            )
        })?;
    let author = author(dirs)?;
    let (revision, entered) = add_score(
        &store,
        &id,
        (&args.scale, args.value, date),
        &catalog,
        today,
        &author,
    )
    .map_err(|error| anyhow::anyhow!("{error}"))?;
    let name = catalog.scales().find(entered.scale.as_str()).map_or_else(
        |_| entered.scale.to_string(),
        |scale| scale.short_name.clone(),
    );
    print(&format!(
        "Entered {name} {} on {} for plan {id}; saved as revision {}.\n",
        number(entered.value),
        entered.date,
        revision.number
    ))?;
    Ok(ExitCode::SUCCESS)
}

/// `plans remove-score`.
pub fn remove_score(
    args: &RemoveScoreArgs,
    dirs: &AppDirs,
    database: Option<&str>,
) -> anyhow::Result<ExitCode> {
    let id = parse_plan_id(&args.id)?;
    let store = super::open_store(dirs, database)?;
    let catalog = load_catalog(dirs);
    let author = author(dirs)?;
    let (revision, removed) = remove_saved_score(&store, &id, args.score, &author)
        .map_err(|error| anyhow::anyhow!("{error}; nothing was saved"))?;
    let name = catalog.scales().find(removed.scale.as_str()).map_or_else(
        |_| removed.scale.to_string(),
        |scale| scale.short_name.clone(),
    );
    print(&format!(
        "Removed score {} ({name} {} on {}) from plan {id}; saved as revision {}. The revision history keeps it; enter it again with `plans score` if this was a mistake.\n",
        args.score,
        number(removed.value),
        removed.date,
        revision.number
    ))?;
    Ok(ExitCode::SUCCESS)
}

/// `plans remove-record`.
pub fn remove_record(
    args: &RemoveRecordArgs,
    dirs: &AppDirs,
    database: Option<&str>,
) -> anyhow::Result<ExitCode> {
    let id = parse_plan_id(&args.id)?;
    let store = super::open_store(dirs, database)?;
    let catalog = load_catalog(dirs);
    let author = author(dirs)?;
    let (revision, removed) = remove_saved_record(&store, &id, args.session, &catalog, &author)
        .map_err(|error| anyhow::anyhow!("{error}; nothing was saved"))?;
    print(&format!(
        "Removed the record of session {} (performed on {}) from plan {id}; the session keeps that date and shows as not done; saved as revision {}. The revision history keeps the record.\n",
        args.session, removed.performed_on, revision.number
    ))?;
    Ok(ExitCode::SUCCESS)
}

/// A refused record as one sentence that says what is expected and that nothing was
/// saved.
fn refusal(error: TreatmentError, session: u32) -> anyhow::Error {
    match error {
        TreatmentError::Record(RecordError::Invalid(invalid)) => {
            let sentences: Vec<String> = invalid
                .problems
                .iter()
                .map(|problem| problem.message.clone())
                .collect();
            anyhow::anyhow!(
                "session {session} was not recorded (nothing was saved): {}",
                sentences.join(" ")
            )
        }
        other => anyhow::anyhow!(
            "{}; nothing was saved",
            other.to_string().trim_end_matches('.')
        ),
    }
}

/// The command line again, parsed for the positions of the grouped flags; `None` when
/// it is not a `plans record` (a test calls [`build_record`] without one).
fn record_matches() -> Option<ArgMatches> {
    let matches = super::Cli::command()
        .try_get_matches_from(std::env::args_os())
        .ok()?;
    let (_, plans) = matches.subcommand()?;
    let (name, record) = plans.subcommand()?;
    (name == "record").then(|| record.clone())
}

/// Which entry (the `--material` or the like at `head_id`) each occurrence of the
/// follower flag `id` belongs to: the last entry before it on the command line. Without
/// the command line, the n-th follower belongs to the n-th entry.
fn owners(
    matches: Option<&ArgMatches>,
    (head_id, head): (&str, &str),
    (id, flag): (&str, &str),
    count: usize,
) -> anyhow::Result<Vec<usize>> {
    let Some(matches) = matches else {
        return Ok((0..count).collect());
    };
    let heads: Vec<usize> = matches
        .indices_of(head_id)
        .map(Iterator::collect)
        .unwrap_or_default();
    let followers: Vec<usize> = matches
        .indices_of(id)
        .map(Iterator::collect)
        .unwrap_or_default();
    followers
        .iter()
        .map(|&at| {
            heads
                .iter()
                .rposition(|&start| start < at)
                .with_context(|| {
                    format!("{flag} belongs to the {head} before it; put it after that {head}")
                })
        })
        .collect()
}

/// Puts each value on the entry it belongs to, refusing a second value for the same
/// entry.
fn assign<T: Clone>(
    slots: &mut [Option<T>],
    values: &[T],
    owners: &[usize],
    flag: &str,
    head: &str,
) -> anyhow::Result<()> {
    for (value, &owner) in values.iter().zip(owners) {
        if slots[owner].is_some() {
            anyhow::bail!("{head} {} has {flag} twice; give it once", owner + 1);
        }
        slots[owner] = Some(value.clone());
    }
    Ok(())
}

/// The record the flags describe. Only the shape is checked here (groups, numbers
/// that parse); the rules of `planning` check every value when it is recorded.
fn build_record(
    args: &RecordArgs,
    matches: Option<&ArgMatches>,
    plan: &regen_planner::planning::Plan,
) -> anyhow::Result<SessionRecord> {
    let mut record = SessionRecord::new(args.session, args.performed);
    record.performed_at = args.time;
    record.performer.clone_from(&args.performer);
    if args.harvest_site.is_some() || args.harvest_volume_ml.is_some() {
        record.harvest = Some(Harvest {
            site: args.harvest_site.clone(),
            volume_ml: args.harvest_volume_ml,
        });
    }
    record.materials = materials(args, matches)?;
    record.spins = args
        .spins
        .iter()
        .map(|text| spin(text))
        .collect::<anyhow::Result<_>>()?;
    let product = Product {
        platelet_factor: args.platelet_factor,
        platelets_thousand_per_ul: args.platelets,
        cells_million: args.cells_million,
        viability_percent: args.viability_percent,
        volume_ml: args.product_volume_ml,
    };
    if product != Product::default() {
        record.product = Some(product);
    }
    record.administration = administration(args, plan)?;
    record.weight_kg = args.weight_kg;
    record.anaesthetics = anaesthetics(args, matches)?;
    record.harvest_to_injection_minutes = args.harvest_to_injection_min;
    record.adverse_events = adverse_events(args, matches)?;
    record.notes.clone_from(&args.note);
    Ok(record)
}

fn materials(args: &RecordArgs, matches: Option<&ArgMatches>) -> anyhow::Result<Vec<Material>> {
    let count = args.materials.len();
    if count == 0 {
        if !args.lots.is_empty() || !args.kinds.is_empty() || !args.expiries.is_empty() {
            anyhow::bail!(
                "--lot, --kind and --expiry belong to a material: give --material NAME before them"
            );
        }
        return Ok(Vec::new());
    }
    let mut kinds = vec![None; count];
    let mut lots = vec![None; count];
    let mut expiries = vec![None; count];
    let owners_of = |id: &str, flag: &str, len: usize| {
        owners(matches, ("materials", "--material"), (id, flag), len)
    };
    let owner = owners_of("kinds", "--kind", args.kinds.len())?;
    assign(&mut kinds, &args.kinds, &owner, "--kind", "material")?;
    let owner = owners_of("lots", "--lot", args.lots.len())?;
    assign(&mut lots, &args.lots, &owner, "--lot", "material")?;
    let owner = owners_of("expiries", "--expiry", args.expiries.len())?;
    assign(
        &mut expiries,
        &args.expiries,
        &owner,
        "--expiry",
        "material",
    )?;
    let mut out = Vec::with_capacity(count);
    for (index, text) in args.materials.iter().enumerate() {
        let mut material = if text.contains(';') {
            if kinds[index].is_some() || lots[index].is_some() || expiries[index].is_some() {
                anyhow::bail!(
                    "material {} is given whole (NAME;KIND;LOT;EXPIRY) and also with --kind, --lot or --expiry; use one way",
                    index + 1
                );
            }
            grouped_material(text)?
        } else {
            Material {
                name: text.clone(),
                kind: MaterialKind::Kit,
                lot: None,
                expiry: None,
            }
        };
        if let Some(kind) = kinds[index] {
            material.kind = kind;
        }
        if let Some(lot) = lots[index].take() {
            material.lot = Some(lot);
        }
        if let Some(expiry) = expiries[index] {
            material.expiry = Some(expiry);
        }
        out.push(material);
    }
    Ok(out)
}

/// `NAME;KIND;LOT;EXPIRY`, where everything after the name may be empty or left out.
fn grouped_material(text: &str) -> anyhow::Result<Material> {
    let parts: Vec<&str> = text.split(';').map(str::trim).collect();
    if parts.len() > 4 {
        anyhow::bail!(
            "--material '{}' has more than four parts; give NAME;KIND;LOT;EXPIRY, such as \"PRP tube set;kit;A2317;2028-01-31\"",
            for_message(text)
        );
    }
    let part = |index: usize| parts.get(index).copied().filter(|part| !part.is_empty());
    let kind = match part(1) {
        Some(kind) => kind
            .parse::<MaterialKind>()
            .map_err(|error| anyhow::anyhow!("--material '{}': {error}", for_message(text)))?,
        None => MaterialKind::Kit,
    };
    let expiry = match part(3) {
        Some(date) => Some(date.parse::<Date>().map_err(|_| {
            anyhow::anyhow!(
                "--material '{}': the expiry '{}' is not a date; write it as YYYY-MM-DD, such as 2028-01-31",
                for_message(text),
                for_message(date)
            )
        })?),
        None => None,
    };
    Ok(Material {
        name: parts[0].to_owned(),
        kind,
        lot: part(2).map(str::to_owned),
        expiry,
    })
}

/// `G:MIN`, such as `1500:10`.
fn spin(text: &str) -> anyhow::Result<Spin> {
    let refused = || {
        anyhow::anyhow!(
            "--spin '{}' is not force and minutes; write G:MIN in whole numbers, such as 1500:10 for 1500 × g for 10 minutes",
            for_message(text)
        )
    };
    let (g, minutes) = text.split_once(':').ok_or_else(refused)?;
    Ok(Spin {
        g: g.trim().parse().map_err(|_| refused())?,
        minutes: minutes.trim().parse().map_err(|_| refused())?,
    })
}

fn administration(
    args: &RecordArgs,
    plan: &regen_planner::planning::Plan,
) -> anyhow::Result<Vec<Administration>> {
    let mut sites = Vec::with_capacity(args.sites.len());
    for text in &args.sites {
        let site = match text.rsplit_once('=') {
            Some((site, volume)) => {
                let volume = volume.trim().parse::<f64>().map_err(|_| {
                    anyhow::anyhow!(
                        "--site '{}': the volume after '=' is not a number of millilitres; write TEXT=ML, such as \"left knee=4\"",
                        for_message(text)
                    )
                })?;
                Administration {
                    site: site.trim().to_owned(),
                    volume_ml: Some(volume),
                }
            }
            None => Administration {
                site: text.trim().to_owned(),
                volume_ml: None,
            },
        };
        sites.push(site);
    }
    if let Some(volume) = args.injected_volume_ml {
        match sites.as_mut_slice() {
            [] => sites.push(Administration {
                site: plan.selection.area.label().to_owned(),
                volume_ml: Some(volume),
            }),
            [only] if only.volume_ml.is_none() => only.volume_ml = Some(volume),
            _ => anyhow::bail!(
                "--injected-volume-ml is for a single site; with several, give each its volume as --site TEXT=ML"
            ),
        }
    }
    Ok(sites)
}

fn anaesthetics(
    args: &RecordArgs,
    matches: Option<&ArgMatches>,
) -> anyhow::Result<Vec<Anaesthetic>> {
    let count = args.anaesthetics.len();
    if count == 0 {
        if !args.techniques.is_empty() || !args.anaesthetic_mg.is_empty() {
            anyhow::bail!(
                "--technique and --anaesthetic-mg belong to an anaesthetic: give --anaesthetic AGENT before them"
            );
        }
        return Ok(Vec::new());
    }
    let mut techniques = vec![None; count];
    let mut totals = vec![None; count];
    let owners_of = |id: &str, flag: &str, len: usize| {
        owners(matches, ("anaesthetics", "--anaesthetic"), (id, flag), len)
    };
    let owner = owners_of("techniques", "--technique", args.techniques.len())?;
    assign(
        &mut techniques,
        &args.techniques,
        &owner,
        "--technique",
        "anaesthetic",
    )?;
    let owner = owners_of(
        "anaesthetic_mg",
        "--anaesthetic-mg",
        args.anaesthetic_mg.len(),
    )?;
    assign(
        &mut totals,
        &args.anaesthetic_mg,
        &owner,
        "--anaesthetic-mg",
        "anaesthetic",
    )?;
    args.anaesthetics
        .iter()
        .enumerate()
        .map(|(index, agent)| {
            let total_mg = totals[index].with_context(|| {
                format!(
                    "the anaesthetic '{}' needs its total in milligrams: add --anaesthetic-mg X after it",
                    for_message(agent)
                )
            })?;
            Ok(Anaesthetic {
                agent: agent.clone(),
                technique: techniques[index],
                total_mg,
            })
        })
        .collect()
}

fn adverse_events(
    args: &RecordArgs,
    matches: Option<&ArgMatches>,
) -> anyhow::Result<Vec<AdverseEvent>> {
    let count = args.adverse_events.len();
    let resolved_count = usize::from(args.resolved);
    if count == 0 {
        if !args.severities.is_empty() || !args.actions.is_empty() || resolved_count > 0 {
            anyhow::bail!(
                "--severity, --action and --resolved belong to an adverse event: give --adverse-event TEXT before them"
            );
        }
        return Ok(Vec::new());
    }
    let mut severities = vec![None; count];
    let mut actions = vec![None; count];
    let mut resolved = vec![None; count];
    let owners_of = |id: &str, flag: &str, len: usize| {
        owners(
            matches,
            ("adverse_events", "--adverse-event"),
            (id, flag),
            len,
        )
    };
    let owner = owners_of("severities", "--severity", args.severities.len())?;
    assign(
        &mut severities,
        &args.severities,
        &owner,
        "--severity",
        "adverse event",
    )?;
    let owner = owners_of("actions", "--action", args.actions.len())?;
    assign(
        &mut actions,
        &args.actions,
        &owner,
        "--action",
        "adverse event",
    )?;
    let owner = owners_of("resolved", "--resolved", resolved_count)?;
    assign(
        &mut resolved,
        &vec![true; resolved_count],
        &owner,
        "--resolved",
        "adverse event",
    )?;
    args.adverse_events
        .iter()
        .enumerate()
        .map(|(index, what)| {
            let severity = severities[index].with_context(|| {
                format!(
                    "the adverse event '{}' needs its severity: add --severity mild, moderate or severe after it",
                    for_message(what)
                )
            })?;
            Ok(AdverseEvent {
                what: what.clone(),
                severity,
                action: actions[index].take(),
                resolved: resolved[index].unwrap_or(false),
            })
        })
        .collect()
}
