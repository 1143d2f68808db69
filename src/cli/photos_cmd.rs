//! `regen-planner photos add|list|export|export-pair|remove|purge`: clinical
//! photographs of a plan.
//!
//! A batch is all or nothing: every file is read and checked whole (format, size,
//! claimed pixels, every pixel decoded) before any is stored, and the plan gets one
//! new revision for the batch. A refused file is named with the reason, and then
//! nothing of the batch is stored and the plan is left as it was.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use clap::{Args, Subcommand};
use jiff::civil::Date;
use regen_planner::catalog::{CLINIC_VIEW_FOLDER, PhotoViews};
use regen_planner::desk::photos::{PairOrder, export_pair};
use regen_planner::export::PairFormat;
use regen_planner::planning::{
    PhotoMoment, PlanPhoto, days_since_first_session, moment_date, moment_for,
};
use regen_planner::store::{
    AppDirs, ExportGuard, MAX_PHOTO_BYTES, PlanId, PlanRecord, Replace, Revision, Store,
    StoreError, check_photo, read_protocol_dir, without_metadata, write_export,
};
use regen_planner::store::{PurgeOptions, PurgeReport};
use regen_planner::untrusted::for_message;

use super::plan_cmd::parse_date;
use super::plans_cmd::{ListFormat, author, parse_plan_id, table};
use super::{print, warn};

/// Arguments of `photos`.
#[derive(Debug, Args)]
pub struct PhotosArgs {
    /// What to do with a plan's photographs.
    #[command(subcommand)]
    pub command: PhotosCommand,
}

/// Sub-commands of `photos`.
#[derive(Debug, Subcommand)]
pub enum PhotosCommand {
    /// Add JPEG or PNG photographs to a plan, all of one view; prints each one's id.
    /// Every file is checked before any is stored: if one is refused, none is added.
    Add {
        /// The plan's id, as `plans list` prints it.
        plan: String,
        /// The photographs (JPEG or PNG).
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        /// The standard view, by id (`photos add PLAN --view ?` lists the plan's views).
        #[arg(long, value_name = "ID")]
        view: String,
        /// The day they were taken (default: each photograph's own day from its camera's
        /// Exif date, else today).
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
        taken: Option<Date>,
        /// The session they belong to (default: the visit nearest the day taken).
        #[arg(long, value_name = "N", conflicts_with = "follow_up")]
        session: Option<u32>,
        /// The follow-up visit they belong to (1 for the first).
        #[arg(long, value_name = "N")]
        follow_up: Option<u32>,
    },
    /// The photographs of a plan: id, view, day taken, visit, size.
    List {
        /// The plan's id.
        plan: String,
        /// Output format.
        #[arg(long, value_enum, default_value_t = ListFormat::Text)]
        format: ListFormat,
    },
    /// Write a photograph for the patient, without its location and camera metadata.
    Export {
        /// The photograph's id, as `photos list` prints it.
        photo: String,
        /// The file to write.
        out: PathBuf,
        /// Replace a file that is already there; without it, nothing is written then.
        #[arg(long)]
        force: bool,
    },
    /// Write a before/after pair for the patient: two photographs of a plan side by
    /// side, the earlier on the left, with their dates and days since session 1, and no
    /// location or camera metadata.
    ExportPair {
        /// The plan's id: the photographs' dates and visits are its.
        plan: String,
        /// One photograph's id, as `photos list` prints it.
        first: String,
        /// The other's.
        second: String,
        /// The file to write (.jpg or .png).
        out: PathBuf,
        /// PNG or JPEG (default: from OUT's extension).
        #[arg(long, value_enum)]
        format: Option<PairFormatArg>,
        /// Replace a file that is already there; without it, nothing is written then.
        #[arg(long)]
        force: bool,
    },
    /// Delete the photographs' files that no revision of any plan refers to (left by an
    /// interrupted add). A photograph any revision names, removed or not, is never
    /// deleted; nothing is deleted unless the data folder verifies clean.
    Purge {
        /// Only list what would be deleted.
        #[arg(long)]
        dry_run: bool,
    },
    /// Take a photograph off a plan (a new revision); its original stays kept.
    Remove {
        /// The plan's id.
        plan: String,
        /// The photograph's id.
        photo: String,
    },
}

/// The formats of `photos export-pair`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PairFormatArg {
    /// PNG.
    Png,
    /// JPEG.
    #[value(alias = "jpg")]
    Jpeg,
}

/// The options of `photos add`, as the command line gives them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddOptions {
    /// The view's id.
    pub view: String,
    /// The day taken, if given.
    pub taken: Option<Date>,
    /// The visit, if given.
    pub moment: Option<PhotoMoment>,
}

pub fn run(args: &PhotosArgs, dirs: &AppDirs) -> anyhow::Result<ExitCode> {
    run_on(&Store::open(&dirs.data)?, args, dirs)
}

/// Runs `photos ...` on the store kept on the database `url` (`--database URL`): the
/// originals in its `photos` table, their thumbnails cached in this desk's own cache
/// folder ([`AppDirs::cache`]).
pub fn run_on_database(args: &PhotosArgs, dirs: &AppDirs, url: &str) -> anyhow::Result<ExitCode> {
    run_on(
        &Store::open_database(url)?.with_thumbnail_cache(&dirs.cache()),
        args,
        dirs,
    )
}

fn run_on(store: &Store, args: &PhotosArgs, dirs: &AppDirs) -> anyhow::Result<ExitCode> {
    let today = jiff::Zoned::now().date();
    let text = match &args.command {
        PhotosCommand::Add {
            plan,
            files,
            view,
            taken,
            session,
            follow_up,
        } => {
            let options = AddOptions {
                view: view.clone(),
                taken: *taken,
                moment: session
                    .map(PhotoMoment::Session)
                    .or(follow_up.map(PhotoMoment::FollowUp)),
            };
            let views = load_views(dirs);
            let author = author(dirs)?;
            add(
                store,
                &views,
                &parse_plan_id(plan)?,
                files,
                &options,
                today,
                &author,
            )?
        }
        PhotosCommand::List { plan, format } => list(store, &parse_plan_id(plan)?, *format)?,
        PhotosCommand::Export { photo, out, force } => export(store, dirs, photo, out, *force)?,
        PhotosCommand::ExportPair {
            plan,
            first,
            second,
            out,
            format,
            force,
        } => {
            let order = PairOrder {
                plan: parse_plan_id(plan)?,
                first: first.clone(),
                second: second.clone(),
                out: out.clone(),
                format: format.map(|format| match format {
                    PairFormatArg::Png => PairFormat::Png,
                    PairFormatArg::Jpeg => PairFormat::Jpeg,
                }),
                replace: if *force {
                    Replace::Existing
                } else {
                    Replace::Never
                },
            };
            export_pair_cmd(store, dirs, &order)?
        }
        PhotosCommand::Purge { dry_run } => purge(store, *dry_run)?,
        PhotosCommand::Remove { plan, photo } => {
            remove(store, &parse_plan_id(plan)?, photo, &author(dirs)?)?
        }
    };
    print(&text)?;
    Ok(ExitCode::SUCCESS)
}

/// The built-in views with the clinic's view files (`protocols/views/`) added; their
/// problems are warnings, and the built-in views stay in use.
pub(crate) fn load_views(dirs: &AppDirs) -> PhotoViews {
    let (files, unreadable) = match read_protocol_dir(&dirs.protocols().join(CLINIC_VIEW_FOLDER)) {
        Ok(found) => found,
        Err(error) => {
            warn(&format!("{error}; using the built-in photograph views"));
            (Vec::new(), Vec::new())
        }
    };
    for error in unreadable {
        warn(&format!("{error}; using the built-in photograph views"));
    }
    let (views, problems) = PhotoViews::load(&files);
    for problem in &problems {
        warn(&format!(
            "{problem}; this view is left out and the built-in views are used"
        ));
    }
    views
}

/// Reads a photograph given on the command line: a regular file of at most
/// [`MAX_PHOTO_BYTES`], read with a bound so that a huge file never fills memory.
fn read_input(file: &Path) -> anyhow::Result<Vec<u8>> {
    let named = || format!("{}", file.display());
    let metadata =
        std::fs::metadata(file).with_context(|| format!("could not read {}", named()))?;
    if !metadata.is_file() {
        anyhow::bail!("{} is not a file; give the photograph's file", named());
    }
    if metadata.len() > MAX_PHOTO_BYTES {
        anyhow::bail!(
            "{}: the file is {} bytes, more than the {MAX_PHOTO_BYTES} bytes a photograph may have; export a smaller JPEG from the camera or photo app",
            named(),
            metadata.len()
        );
    }
    let mut bytes = Vec::new();
    std::fs::File::open(file)
        .and_then(|opened| opened.take(MAX_PHOTO_BYTES + 1).read_to_end(&mut bytes))
        .with_context(|| format!("could not read {}", named()))?;
    if bytes.len() as u64 > MAX_PHOTO_BYTES {
        anyhow::bail!(
            "{}: the file grew past the {MAX_PHOTO_BYTES} bytes a photograph may have while it was read",
            named()
        );
    }
    Ok(bytes)
}

/// `photos add`: checks the view, reads and checks every file, then keeps them and
/// saves one revision. Returns the lines to print: each photograph's id.
pub(crate) fn add(
    store: &Store,
    views: &PhotoViews,
    id: &PlanId,
    files: &[PathBuf],
    options: &AddOptions,
    today: Date,
    author: &str,
) -> anyhow::Result<String> {
    let loaded = store.load_plan_checked(id)?;
    if let Some(problem) = loaded.problems.first() {
        anyhow::bail!(
            "{problem}; a photograph is added to the newest revision only: restore or move that file first; nothing was added"
        );
    }
    let Revision {
        number: base,
        value: mut record,
        ..
    } = loaded.revision;
    let area = record.plan.selection.area;
    let Some(view) = views.find(area, &options.view) else {
        let known: Vec<String> = views
            .for_area(area)
            .iter()
            .map(|view| format!("{} ({})", view.id, view.label))
            .collect();
        anyhow::bail!(
            "'{}' is not a view of the {}; use --view with one of: {}; nothing was added",
            for_message(&options.view),
            area.label().to_lowercase(),
            known.join(", ")
        );
    };
    if let Some(taken) = options.taken
        && taken > today
    {
        anyhow::bail!(
            "--taken {taken} is after today ({today}); give the day the photographs were taken; nothing was added"
        );
    }
    if let Some(moment) = options.moment
        && moment_date(&record.plan, moment).is_none()
    {
        anyhow::bail!(
            "the plan has no {}; its sessions are 1 to {} and it has {} follow-up visit(s); nothing was added",
            moment.label().to_lowercase(),
            record.plan.sessions.len(),
            record.plan.follow_ups.len()
        );
    }
    // Every file is read and checked before any is stored.
    let mut contents = Vec::with_capacity(files.len());
    for file in files {
        contents.push(read_input(file)?);
    }
    let mut checked = Vec::with_capacity(files.len());
    for (file, bytes) in files.iter().zip(&contents) {
        let photo = check_photo(bytes).map_err(|refusal| {
            anyhow::anyhow!(
                "{}: {refusal}; nothing of this batch was added",
                file.display()
            )
        })?;
        checked.push(photo);
    }
    let added_at = jiff::Timestamp::now();
    let mut photos = Vec::with_capacity(checked.len());
    let mut out = String::new();
    for (file, photo) in files.iter().zip(&checked) {
        // The day: as given; else the camera's (unless after today: a clock set
        // wrong); else today. The visit: as given, else the one nearest that day.
        let camera_day = photo.exif_taken.filter(|day| *day <= today);
        if options.taken.is_none()
            && let Some(day) = photo.exif_taken
            && day > today
        {
            warn(&format!(
                "{}: its camera says it was taken on {day}, after today; today is used, give --taken to correct it",
                file.display()
            ));
        }
        let taken = options.taken.or(camera_day).unwrap_or(today);
        let moment = options.moment.or_else(|| moment_for(&record.plan, taken));
        let stored = store.keep_photo(photo).map_err(|error| {
            anyhow::anyhow!("{}: {error}; the plan was not changed", file.display())
        })?;
        let _ = writeln!(out, "{}", stored.sha256);
        photos.push(PlanPhoto {
            sha256: stored.sha256,
            view: view.id.clone(),
            taken,
            moment,
            width: stored.probe.width,
            height: stored.probe.height,
            added_at,
            removed: false,
        });
    }
    if record.add_photos(photos) == 0 {
        warn(&format!(
            "these photographs were already on plan {id} as {}; no revision was saved",
            view.id
        ));
        return Ok(out);
    }
    save(store, id, base, &record, author)?;
    Ok(out)
}

fn save(
    store: &Store,
    id: &PlanId,
    base: u32,
    record: &PlanRecord,
    author: &str,
) -> anyhow::Result<()> {
    match store.save_plan(id, base, record, author) {
        Ok(_) => Ok(()),
        Err(error @ StoreError::Conflict { .. }) => Err(anyhow::anyhow!(
            "{error}; the photographs' files are kept, run the command again to add them to the newest revision"
        )),
        Err(error) => Err(error.into()),
    }
}

/// One photograph of a plan as `photos list --format json` prints it.
#[derive(Debug, serde::Serialize)]
struct ListedPhoto<'a> {
    id: &'a str,
    sha256: &'a str,
    view: &'a str,
    taken: Date,
    session: Option<u32>,
    follow_up: Option<u32>,
    visit: Option<String>,
    days_since_first_session: Option<i32>,
    width: u32,
    height: u32,
    removed: bool,
    added_at: jiff::Timestamp,
}

/// `photos list`.
pub(crate) fn list(store: &Store, id: &PlanId, format: ListFormat) -> anyhow::Result<String> {
    let loaded = store.load_plan_checked(id)?;
    for problem in &loaded.problems {
        warn(&format!(
            "{problem}; the photographs below are those of the newest revision that could be read"
        ));
    }
    let record = &loaded.revision.value;
    let listed: Vec<ListedPhoto<'_>> = record
        .photos
        .iter()
        .map(|photo| ListedPhoto {
            id: &photo.sha256,
            sha256: &photo.sha256,
            view: &photo.view,
            taken: photo.taken,
            session: match photo.moment {
                Some(PhotoMoment::Session(number)) => Some(number),
                _ => None,
            },
            follow_up: match photo.moment {
                Some(PhotoMoment::FollowUp(number)) => Some(number),
                _ => None,
            },
            visit: photo.moment.map(PhotoMoment::label),
            days_since_first_session: days_since_first_session(&record.plan, photo.taken),
            width: photo.width,
            height: photo.height,
            removed: photo.removed,
            added_at: photo.added_at,
        })
        .collect();
    match format {
        ListFormat::Json => {
            let mut text = serde_json::to_string_pretty(&listed)?;
            text.push('\n');
            Ok(text)
        }
        ListFormat::Text => {
            if listed.is_empty() {
                return Ok(format!(
                    "Plan {id} has no photographs yet. Add some with `regen-planner photos add {id} FILE... --view ID`.\n"
                ));
            }
            // The id is printed whole on a line of its own (a table cell would shorten
            // it), with the photograph's details on the lines under it.
            let rows: Vec<[String; 6]> = listed
                .iter()
                .map(|photo| {
                    [
                        photo.view.to_owned(),
                        photo.taken.to_string(),
                        photo.visit.clone().unwrap_or_default(),
                        photo
                            .days_since_first_session
                            .map(|days| days.to_string())
                            .unwrap_or_default(),
                        format!("{} x {}", photo.width, photo.height),
                        if photo.removed { "removed" } else { "" }.to_owned(),
                    ]
                })
                .collect();
            let rendered = table(&["VIEW", "TAKEN", "VISIT", "DAY", "SIZE", ""], &rows);
            let mut lines = rendered.lines();
            let mut out = String::new();
            if let Some(header) = lines.next() {
                let _ = writeln!(out, "{header}");
            }
            for (photo, line) in listed.iter().zip(lines) {
                let _ = writeln!(out, "{}\n  {line}", photo.id);
            }
            Ok(out)
        }
    }
}

/// `photos export`: the photograph without location and camera metadata, never over
/// an existing file without `force`, never into the app's own folders.
pub(crate) fn export(
    store: &Store,
    dirs: &AppDirs,
    photo: &str,
    out: &Path,
    force: bool,
) -> anyhow::Result<String> {
    let replace = if force {
        Replace::Existing
    } else {
        Replace::Never
    };
    let target = ExportGuard::new(dirs)
        .check(out, replace)
        .map_err(|error| match error {
            StoreError::ExportExists { file } => anyhow::anyhow!(
                "{} already exists; add --force to replace it, or choose another name; nothing was written",
                file.display()
            ),
            other => other.into(),
        })?;
    let (_, original) = store.read_photo(photo)?;
    let (format, stripped) = without_metadata(&original)?;
    let wanted = out
        .extension()
        .and_then(|extension| extension.to_str())
        .map(str::to_ascii_lowercase);
    let fits = match format.extension() {
        "jpg" => matches!(wanted.as_deref(), Some("jpg" | "jpeg")),
        other => wanted.as_deref() == Some(other),
    };
    if !fits {
        warn(&format!(
            "the photograph is a {} file; {} is written as one whatever its name says",
            format.extension().to_uppercase(),
            out.display()
        ));
    }
    write_export(&target, &stripped)?;
    Ok(format!("{}\n", out.display()))
}

/// `photos export-pair`: the pair through the same path as the window's
/// ([`export_pair`]); a file already there is named with the way forward.
fn export_pair_cmd(store: &Store, dirs: &AppDirs, order: &PairOrder) -> anyhow::Result<String> {
    match export_pair(store, &ExportGuard::new(dirs), order) {
        Ok(file) => Ok(format!("{}\n", file.display())),
        Err(regen_planner::desk::photos::PairExportError::Store(StoreError::ExportExists {
            file,
        })) => Err(anyhow::anyhow!(
            "{} already exists; add --force to replace it, or choose another name; nothing was written",
            file.display()
        )),
        Err(error) => Err(error.into()),
    }
}

/// `photos purge`: what was (or would be) deleted, one id a line, then a summary.
fn purge(store: &Store, dry_run: bool) -> anyhow::Result<String> {
    let report: PurgeReport = store.purge_photos(PurgeOptions { dry_run })?;
    let mut out = String::new();
    for sha256 in &report.purged {
        let _ = writeln!(out, "{sha256}");
    }
    let count = report.purged.len();
    let kb = report.bytes.div_ceil(1024);
    let _ = match (dry_run, count) {
        (_, 0) => writeln!(out, "No unused photograph file; nothing was deleted."),
        (true, _) => writeln!(
            out,
            "{count} unused photograph file(s), {kb} kB, would be deleted (dry run: nothing was deleted)."
        ),
        (false, _) => writeln!(out, "{count} unused photograph file(s) deleted, {kb} kB."),
    };
    if !report.recent.is_empty() {
        let _ = writeln!(
            out,
            "{} unused file(s) kept in the last {} hours were left: they may belong to an add still under way; purge again later.",
            report.recent.len(),
            regen_planner::store::PURGE_GRACE_HOURS
        );
    }
    let _ = writeln!(
        out,
        "{} photograph(s) that revisions refer to are kept.",
        report.kept
    );
    Ok(out)
}

/// `photos remove`: takes the photograph off the plan in a new revision.
pub(crate) fn remove(
    store: &Store,
    id: &PlanId,
    photo: &str,
    author: &str,
) -> anyhow::Result<String> {
    let loaded = store.load_plan_checked(id)?;
    if let Some(problem) = loaded.problems.first() {
        anyhow::bail!("{problem}; restore or move that file first; the plan was not changed");
    }
    let base = loaded.revision.number;
    let mut record = loaded.revision.value;
    let on_plan: BTreeMap<&str, bool> = record
        .photos
        .iter()
        .map(|kept| (kept.sha256.as_str(), kept.removed))
        .collect();
    match on_plan.get(photo) {
        None => anyhow::bail!(
            "photograph '{}' is not on plan {id}; `regen-planner photos list {id}` shows its photographs",
            for_message(photo)
        ),
        Some(true) => {
            return Ok(format!(
                "Photograph {photo} was already taken off plan {id}; nothing changed.\n"
            ));
        }
        Some(false) => {}
    }
    record.set_photo_removed(photo, true);
    save(store, id, base, &record, author)?;
    Ok(format!(
        "Photograph {photo} is taken off plan {id}; its original stays kept and the plan's history keeps it.\n"
    ))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use regen_planner::catalog::{Area, Catalog, CellSource, Indication, Modality, Selection};
    use regen_planner::demo::synthetic_photo;
    use regen_planner::planning::{PlanRequest, generate};
    use regen_planner::store::{Patient, probe_photo};

    use super::*;

    struct Desk {
        _dir: tempfile::TempDir,
        dirs: AppDirs,
        store: Store,
        plan: PlanId,
        first_session: Date,
    }

    fn desk() -> Desk {
        let dir = tempfile::tempdir().unwrap();
        let dirs = AppDirs {
            data: dir.path().join("data"),
            config: dir.path().join("config"),
        };
        let store = Store::open(&dirs.data).unwrap();
        let (catalog, _) = Catalog::builtin();
        let selection = Selection {
            modality: Modality::Injection,
            source: CellSource::AutologousAdipose,
            area: Area::Abdomen,
            indication: Indication::StretchMarks,
            adjuncts: Vec::new(),
        };
        let request = PlanRequest::new(selection, BTreeSet::new(), date("2027-01-18"));
        let plan = generate(&catalog, &request).unwrap();
        let first_session = plan.sessions[0].date;
        let (patient, _) = store
            .create_patient(&Patient::new("Ana Souza"), "Dr. Vega")
            .unwrap();
        let (plan, _) = store
            .create_plan(&PlanRecord::new(patient, request, plan), "Dr. Vega")
            .unwrap();
        Desk {
            _dir: dir,
            dirs,
            store,
            plan,
            first_session,
        }
    }

    fn date(text: &str) -> Date {
        text.parse().unwrap()
    }

    impl Desk {
        fn file(&self, name: &str, bytes: &[u8]) -> PathBuf {
            let path = self.dirs.config.parent().unwrap().join(name);
            std::fs::write(&path, bytes).unwrap();
            path
        }

        fn add(
            &self,
            files: &[PathBuf],
            view: &str,
            taken: Option<Date>,
        ) -> anyhow::Result<String> {
            let (views, _) = PhotoViews::builtin();
            let options = AddOptions {
                view: view.to_owned(),
                taken,
                moment: None,
            };
            add(
                &self.store,
                &views,
                &self.plan,
                files,
                &options,
                date("2027-06-01"),
                "Dr. Vega",
            )
        }

        fn revisions(&self) -> usize {
            self.store.history(&self.plan).unwrap().len()
        }

        fn photo_files(&self) -> usize {
            std::fs::read_dir(self.dirs.data.join("photos")).map_or(0, |entries| {
                entries
                    .flatten()
                    .filter(|entry| entry.path().is_file())
                    .count()
            })
        }
    }

    #[test]
    fn a_batch_is_added_in_one_revision_and_listed_with_its_visit() {
        let desk = desk();
        let before = desk.file("before.jpg", &synthetic_photo(64, 48, 0, 0).unwrap());
        let after = desk.file("after.jpg", &synthetic_photo(64, 48, 0, 1).unwrap());
        let printed = desk
            .add(&[before, after], "front", Some(desk.first_session))
            .unwrap();
        let ids: Vec<&str> = printed.lines().collect();
        assert_eq!(ids.len(), 2);
        assert!(ids.iter().all(|id| id.len() == 64), "{printed}");
        assert_eq!(desk.revisions(), 2, "one revision for the batch");

        let json = list(&desk.store, &desk.plan, ListFormat::Json).unwrap();
        let listed: serde_json::Value = serde_json::from_str(&json).unwrap();
        let listed = listed.as_array().unwrap();
        assert_eq!(listed.len(), 2);
        let first = &listed[0];
        assert_eq!(first["id"], ids[0]);
        assert_eq!(first["sha256"], ids[0]);
        assert_eq!(first["view"], "front");
        assert_eq!(first["taken"], desk.first_session.to_string());
        assert_eq!(first["session"], 1, "preselected from the day taken");
        assert_eq!(first["days_since_first_session"], 0);
        assert_eq!(
            (first["width"].as_u64(), first["height"].as_u64()),
            (Some(64), Some(48))
        );
        assert_eq!(first["removed"], false);
        let text = list(&desk.store, &desk.plan, ListFormat::Text).unwrap();
        assert!(
            text.contains("Session 1") && text.contains("64 x 48"),
            "{text}"
        );
        assert!(
            text.lines().any(|line| line == ids[0]),
            "the id is printed whole: {text}"
        );

        // The same file again changes nothing.
        let again = desk.file("again.jpg", &synthetic_photo(64, 48, 0, 0).unwrap());
        let printed_again = desk
            .add(&[again], "front", Some(desk.first_session))
            .unwrap();
        assert_eq!(printed_again.trim(), ids[0]);
        assert_eq!(desk.revisions(), 2);
    }

    #[test]
    fn the_orientation_of_the_camera_gives_the_size_listed() {
        let desk = desk();
        let rotated = desk.file("rotated.jpg", &regen_planner_fixture_rotated());
        desk.add(&[rotated], "front", None).unwrap();
        let json = list(&desk.store, &desk.plan, ListFormat::Json).unwrap();
        let listed: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(listed[0]["width"], 30);
        assert_eq!(listed[0]["height"], 40);
        assert_eq!(listed[0]["taken"], "2027-06-01", "today by default");
    }

    /// A 40 x 30 JPEG whose EXIF says "rotate 90°" (orientation 6): shown 30 x 40.
    fn regen_planner_fixture_rotated() -> Vec<u8> {
        let plain = synthetic_photo(40, 30, 1, 0).unwrap();
        // APP1 Exif, little-endian TIFF, one IFD entry: Orientation (0x0112), SHORT, 6.
        let mut tiff = b"II*\0\x08\0\0\0".to_vec();
        tiff.extend_from_slice(&1u16.to_le_bytes());
        tiff.extend_from_slice(&0x0112u16.to_le_bytes());
        tiff.extend_from_slice(&3u16.to_le_bytes());
        tiff.extend_from_slice(&1u32.to_le_bytes());
        tiff.extend_from_slice(&[6, 0, 0, 0]);
        tiff.extend_from_slice(&0u32.to_le_bytes());
        let out = with_exif(&plain, &tiff);
        let probe = probe_photo(&out).unwrap();
        assert_eq!(probe.exif_orientation, 6);
        out
    }

    #[test]
    fn a_refused_file_names_itself_and_nothing_of_the_batch_is_stored() {
        let desk = desk();
        let good = desk.file("good.jpg", &synthetic_photo(64, 48, 0, 0).unwrap());
        let mut cut = synthetic_photo(64, 48, 0, 1).unwrap();
        cut.truncate(cut.len() / 2);
        let cut = desk.file("cut.jpg", &cut);
        let heic = desk.file("phone.heic", b"\0\0\0\x18ftypheic\0\0\0\0mif1heic");
        let text = desk.file("notes.txt", b"not a photograph");
        for bad in [&cut, &heic, &text] {
            let error = desk
                .add(&[good.clone(), bad.clone()], "front", None)
                .unwrap_err()
                .to_string();
            assert!(error.contains(&bad.display().to_string()), "{error}");
            assert!(error.contains("nothing of this batch was added"), "{error}");
            assert_eq!(desk.revisions(), 1, "{error}");
            assert_eq!(desk.photo_files(), 0, "nothing stored: {error}");
        }
        assert!(
            desk.add(&[heic], "front", None)
                .unwrap_err()
                .to_string()
                .contains("export it as JPEG")
        );
        let missing = desk
            .add(&[desk.dirs.data.join("nowhere.jpg")], "front", None)
            .unwrap_err();
        assert!(format!("{missing:#}").contains("nowhere.jpg"));
    }

    #[test]
    fn a_wrong_view_lists_the_views_of_the_area_and_a_future_day_is_refused() {
        let desk = desk();
        let good = desk.file("good.jpg", &synthetic_photo(64, 48, 0, 0).unwrap());
        let error = desk
            .add(std::slice::from_ref(&good), "vertex", None)
            .unwrap_err()
            .to_string();
        assert!(error.contains("'vertex' is not a view"), "{error}");
        assert!(
            error.contains("front ("),
            "the list is in the refusal: {error}"
        );
        let error = desk
            .add(&[good], "front", Some(date("2027-06-02")))
            .unwrap_err()
            .to_string();
        assert!(error.contains("after today"), "{error}");
        assert_eq!(desk.revisions(), 1);
        assert_eq!(desk.photo_files(), 0);
    }

    #[test]
    fn removing_is_a_revision_that_keeps_the_file() {
        let desk = desk();
        let good = desk.file("good.jpg", &synthetic_photo(64, 48, 0, 0).unwrap());
        let id = desk.add(&[good], "front", None).unwrap().trim().to_owned();
        remove(&desk.store, &desk.plan, &id, "Dr. Vega").unwrap();
        assert_eq!(desk.revisions(), 3);
        let again = remove(&desk.store, &desk.plan, &id, "Dr. Vega").unwrap();
        assert!(again.contains("already"), "{again}");
        assert_eq!(desk.revisions(), 3);
        assert!(desk.store.read_photo(&id).is_ok(), "the file stays");
        let json = list(&desk.store, &desk.plan, ListFormat::Json).unwrap();
        assert!(json.contains("\"removed\": true"), "{json}");
        let error = remove(&desk.store, &desk.plan, &"a".repeat(64), "Dr. Vega").unwrap_err();
        assert!(error.to_string().contains("is not on plan"), "{error}");
    }

    #[test]
    fn an_export_has_no_location_and_never_replaces_a_file_unasked() {
        let desk = desk();
        let (tmp, with_gps) = (tempfile::tempdir().unwrap(), gps_photo());
        let source = desk.file("gps.jpg", &with_gps);
        let id = desk
            .add(&[source], "front", None)
            .unwrap()
            .trim()
            .to_owned();
        let out = tmp.path().join("for-patient.jpg");
        export(&desk.store, &desk.dirs, &id, &out, false).unwrap();
        let written = std::fs::read(&out).unwrap();
        assert!(written.starts_with(&[0xFF, 0xD8]));
        assert!(!contains(&written, b"Exif"), "no EXIF left");
        assert!(!contains(&written, b"CameraMaker"), "no camera left");
        std::fs::write(&out, b"earlier").unwrap();
        let error = export(&desk.store, &desk.dirs, &id, &out, false).unwrap_err();
        assert!(error.to_string().contains("--force"), "{error}");
        assert_eq!(std::fs::read(&out).unwrap(), b"earlier");
        export(&desk.store, &desk.dirs, &id, &out, true).unwrap();
        assert_ne!(std::fs::read(&out).unwrap(), b"earlier");
        let inside = desk.dirs.data.join("copy.jpg");
        assert!(export(&desk.store, &desk.dirs, &id, &inside, false).is_err());
    }

    fn contains(haystack: &[u8], needle: &[u8]) -> bool {
        haystack
            .windows(needle.len())
            .any(|window| window == needle)
    }

    /// `plain` (a JPEG) with an APP1 Exif segment holding `tiff` right after its SOI.
    fn with_exif(plain: &[u8], tiff: &[u8]) -> Vec<u8> {
        let mut payload = b"Exif\0\0".to_vec();
        payload.extend_from_slice(tiff);
        let length = u16::try_from(payload.len() + 2).unwrap();
        let mut out = plain[..2].to_vec();
        out.extend_from_slice(&[0xFF, 0xE1]);
        out.extend_from_slice(&length.to_be_bytes());
        out.extend_from_slice(&payload);
        out.extend_from_slice(&plain[2..]);
        out
    }

    /// A JPEG with an EXIF block that names a camera maker and a GPS latitude reference.
    fn gps_photo() -> Vec<u8> {
        let plain = synthetic_photo(48, 32, 2, 0).unwrap();
        // IFD0: Make (0x010F, ASCII, 12 bytes at offset 38) and GPSInfo (0x8825, LONG).
        let make = b"CameraMaker\0";
        let mut tiff = b"II*\0\x08\0\0\0".to_vec();
        tiff.extend_from_slice(&2u16.to_le_bytes());
        tiff.extend_from_slice(&0x010Fu16.to_le_bytes());
        tiff.extend_from_slice(&2u16.to_le_bytes());
        tiff.extend_from_slice(&12u32.to_le_bytes());
        tiff.extend_from_slice(&38u32.to_le_bytes());
        tiff.extend_from_slice(&0x8825u16.to_le_bytes());
        tiff.extend_from_slice(&4u16.to_le_bytes());
        tiff.extend_from_slice(&1u32.to_le_bytes());
        tiff.extend_from_slice(&50u32.to_le_bytes());
        tiff.extend_from_slice(&0u32.to_le_bytes());
        assert_eq!(tiff.len(), 38);
        tiff.extend_from_slice(make);
        // GPS IFD at 50: GPSLatitudeRef "N".
        tiff.extend_from_slice(&1u16.to_le_bytes());
        tiff.extend_from_slice(&1u16.to_le_bytes());
        tiff.extend_from_slice(&2u16.to_le_bytes());
        tiff.extend_from_slice(&2u32.to_le_bytes());
        tiff.extend_from_slice(b"N\0\0\0");
        tiff.extend_from_slice(&0u32.to_le_bytes());
        let out = with_exif(&plain, &tiff);
        assert!(contains(&out, b"CameraMaker"));
        out
    }

    /// A JPEG whose Exif block says it was taken at `when`, in the Exif sub-IFD
    /// (pointer 0x8769 in IFD0, `DateTimeOriginal` 0x9003 there), as cameras write it.
    fn dated_photo(when: &str) -> Vec<u8> {
        let plain = synthetic_photo(48, 32, 3, 0).unwrap();
        let mut text = when.as_bytes().to_vec();
        text.push(0);
        let mut tiff = b"II*\0\x08\0\0\0".to_vec();
        tiff.extend_from_slice(&1u16.to_le_bytes());
        tiff.extend_from_slice(&0x8769u16.to_le_bytes());
        tiff.extend_from_slice(&4u16.to_le_bytes());
        tiff.extend_from_slice(&1u32.to_le_bytes());
        tiff.extend_from_slice(&26u32.to_le_bytes());
        tiff.extend_from_slice(&0u32.to_le_bytes());
        tiff.extend_from_slice(&1u16.to_le_bytes());
        tiff.extend_from_slice(&0x9003u16.to_le_bytes());
        tiff.extend_from_slice(&2u16.to_le_bytes());
        tiff.extend_from_slice(&u32::try_from(text.len()).unwrap().to_le_bytes());
        tiff.extend_from_slice(&44u32.to_le_bytes());
        tiff.extend_from_slice(&0u32.to_le_bytes());
        tiff.extend_from_slice(&text);
        with_exif(&plain, &tiff)
    }

    #[test]
    fn the_day_taken_and_the_visit_come_from_the_camera_unless_given() {
        let desk = desk();
        // The plan's sessions start on 2027-01-18; its second session is weeks later.
        let second = desk
            .store
            .load_plan(&desk.plan)
            .unwrap()
            .value
            .plan
            .sessions[1]
            .date;
        let stamp = format!("{} 09:30:00", second.strftime("%Y:%m:%d"));
        let dated = desk.file("dated.jpg", &dated_photo(&stamp));
        let plain = desk.file("plain.jpg", &synthetic_photo(48, 32, 4, 0).unwrap());
        desk.add(&[dated.clone(), plain], "front", None).unwrap();
        let json = list(&desk.store, &desk.plan, ListFormat::Json).unwrap();
        let listed: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(listed[0]["taken"], second.to_string(), "{json}");
        assert_eq!(listed[0]["session"], 2, "preselected from the camera's day");
        assert_eq!(listed[1]["taken"], "2027-06-01", "no Exif date: today");
        // --taken wins over the camera.
        let desk = self::desk();
        let dated = desk.file("dated.jpg", &dated_photo(&stamp));
        desk.add(&[dated], "front", Some(desk.first_session))
            .unwrap();
        let json = list(&desk.store, &desk.plan, ListFormat::Json).unwrap();
        let listed: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(listed[0]["taken"], desk.first_session.to_string());
        assert_eq!(listed[0]["session"], 1);
    }

    #[test]
    fn a_pair_is_written_earlier_first_without_metadata_and_never_over_a_file_unasked() {
        let desk = desk();
        let later = desk.file("later.jpg", &gps_photo());
        let later = desk
            .add(&[later], "front", Some(date("2027-04-19")))
            .unwrap();
        let earlier = desk.file("earlier.jpg", &synthetic_photo(48, 32, 0, 0).unwrap());
        let earlier = desk
            .add(&[earlier], "front", Some(desk.first_session))
            .unwrap();
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("pair.png");
        let order = PairOrder {
            plan: desk.plan.clone(),
            first: later.trim().to_owned(),
            second: earlier.trim().to_owned(),
            out: out.clone(),
            format: None,
            replace: Replace::Never,
        };
        let printed = export_pair_cmd(&desk.store, &desk.dirs, &order).unwrap();
        assert_eq!(printed.trim(), out.display().to_string());
        let written = std::fs::read(&out).unwrap();
        assert!(written.starts_with(b"\x89PNG"));
        for marker in [&b"Exif"[..], b"eXIf", b"CameraMaker", b"tEXt"] {
            assert!(
                !contains(&written, marker),
                "{}",
                String::from_utf8_lossy(marker)
            );
        }
        let pair = image::load_from_memory(&written).unwrap().to_rgb8();
        // The earlier photograph (synthetic, variant 0) is on the left: its pixels
        // differ from the later one's on the right.
        assert!(pair.width() > pair.height(), "side by side");
        let error = export_pair_cmd(&desk.store, &desk.dirs, &order).unwrap_err();
        assert!(error.to_string().contains("--force"), "{error}");
        let jpeg = PairOrder {
            out: tmp.path().join("pair.jpg"),
            ..order.clone()
        };
        export_pair_cmd(&desk.store, &desk.dirs, &jpeg).unwrap();
        let written = std::fs::read(tmp.path().join("pair.jpg")).unwrap();
        assert!(written.starts_with(&[0xFF, 0xD8]));
        assert!(!contains(&written, b"Exif") && !contains(&written, b"CameraMaker"));
        let unknown = PairOrder {
            out: tmp.path().join("pair.pdf"),
            ..order.clone()
        };
        let error = export_pair_cmd(&desk.store, &desk.dirs, &unknown).unwrap_err();
        assert!(error.to_string().contains("--format"), "{error}");
        let not_on_plan = PairOrder {
            first: "0".repeat(64),
            out: tmp.path().join("other.png"),
            ..order
        };
        let error = export_pair_cmd(&desk.store, &desk.dirs, &not_on_plan).unwrap_err();
        assert!(error.to_string().contains("is not on plan"), "{error}");
    }

    #[test]
    fn a_purge_keeps_a_removed_photograph_and_says_so() {
        let desk = desk();
        let photo = desk.file("photo.jpg", &synthetic_photo(64, 48, 0, 0).unwrap());
        let id = desk.add(&[photo], "front", None).unwrap().trim().to_owned();
        remove(&desk.store, &desk.plan, &id, "Dr. Vega").unwrap();
        let dry = purge(&desk.store, true).unwrap();
        assert!(dry.contains("No unused photograph file"), "{dry}");
        assert!(
            dry.contains("1 photograph(s) that revisions refer to are kept"),
            "{dry}"
        );
        let done = purge(&desk.store, false).unwrap();
        assert!(done.contains("nothing was deleted"), "{done}");
        assert!(desk.store.read_photo(&id).is_ok());
    }

    #[test]
    fn verify_names_a_photograph_whose_bytes_changed() {
        let desk = desk();
        let good = desk.file("good.jpg", &synthetic_photo(64, 48, 0, 0).unwrap());
        let id = desk.add(&[good], "front", None).unwrap().trim().to_owned();
        assert!(desk.store.verify().is_ok());
        let file = desk.dirs.data.join("photos").join(format!("{id}.jpg"));
        let mut bytes = std::fs::read(&file).unwrap();
        let middle = bytes.len() / 2;
        bytes[middle] ^= 0x01;
        std::fs::write(&file, bytes).unwrap();
        let report = desk.store.verify();
        assert_eq!(report.problems.len(), 1, "{:?}", report.problems);
        let problem = report.problems[0].to_string();
        assert!(problem.contains(&desk.plan.to_string()), "{problem}");
        assert!(problem.contains("has changed"), "{problem}");
        std::fs::remove_file(&file).unwrap();
        let report = desk.store.verify();
        assert!(
            report.problems[0].to_string().contains("missing"),
            "{:?}",
            report.problems
        );
    }
}
