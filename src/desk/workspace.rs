//! What a desk opens with, read once before the window shows: the protocols (built in,
//! with the clinic's files over them), the desk's settings and the data folder. What
//! goes wrong is said in sentences and never stops the window: a broken protocol file
//! leaves the built-in protocol in use, broken settings leave the defaults, and a data
//! folder that cannot be opened is shown with a way forward.

use crate::catalog::{
    CLINIC_SCALE_FOLDER, CLINIC_VIEW_FOLDER, Catalog, PhotoViews, Problem, Scales, builtin_files,
    builtin_scale_files,
};
use crate::store::{AppDirs, Settings, Store, read_protocol_dir};

/// The protocols, settings and data folder of one desk.
#[derive(Debug)]
pub struct Workspace {
    /// The data and configuration folders.
    pub dirs: AppDirs,
    /// The protocols in use.
    pub catalog: Catalog,
    /// Problems in the clinic's protocol files, for the protocol library.
    pub catalog_problems: Vec<Problem>,
    /// The standard views of clinical photographs, with the clinic's views added.
    pub photo_views: PhotoViews,
    /// The desk's settings, or the defaults when they could not be read.
    pub settings: Settings,
    /// The data folder, or why it cannot be opened. On a database (see
    /// [`Workspace::database_url`]) the window connects off the UI thread, and this
    /// holds the sentence shown until it has.
    pub store: Result<Store, String>,
    /// The database the window keeps patients and plans on, when it is on one:
    /// `--database`, `REGEN_PLANNER_DATABASE_URL` or, without them, the settings'
    /// field. Nothing is connected yet: that is the window's worker's job.
    pub database_url: Option<String>,
    /// Whether the data folder holds demo data.
    pub is_demo: bool,
    /// What went wrong while opening, as sentences for the status bar.
    pub messages: Vec<String>,
}

impl Workspace {
    /// Reads the protocols and the settings and opens the data folder (creating it
    /// when missing), or names the database of the settings.
    #[must_use]
    pub fn open(dirs: AppDirs) -> Self {
        Self::open_with_database(dirs, None)
    }

    /// As [`Workspace::open`], on the database `database` (`--database URL` or
    /// `REGEN_PLANNER_DATABASE_URL`) when given; else on the database the settings
    /// name, if any; else on the data folder. A URL in the settings that holds a
    /// password is not used (this start uses the data folder, and says why).
    #[must_use]
    pub fn open_with_database(dirs: AppDirs, database: Option<String>) -> Self {
        let mut messages = Vec::new();
        let (catalog, mut catalog_problems) = load_catalog(&dirs, &mut messages);
        let photo_views = load_views(&dirs, &mut messages, &mut catalog_problems);
        let settings = match Settings::load(&dirs.config) {
            Ok(settings) => settings,
            Err(error) => {
                messages.push(format!(
                    "{error}; the defaults are used until you save the settings"
                ));
                Settings::default()
            }
        };
        let database_url = database
            .map(|url| url.trim().to_owned())
            .filter(|url| !url.is_empty())
            .or_else(|| settings_database(&settings, &mut messages));
        let store = match &database_url {
            Some(url) => Err(match crate::store::database_label(url) {
                Ok(label) => format!("connecting to the database server {label}…"),
                Err(error) => error.to_string(),
            }),
            None => Store::open(&dirs.data).map_err(|error| error.to_string()),
        };
        let is_demo = store.as_ref().is_ok_and(Store::is_demo);
        Self {
            dirs,
            catalog,
            catalog_problems,
            photo_views,
            settings,
            store,
            database_url,
            is_demo,
            messages,
        }
    }
}

/// The database the settings name, unless blank or holding a password (said in
/// `messages`: this start then uses the data folder).
fn settings_database(settings: &Settings, messages: &mut Vec<String>) -> Option<String> {
    let url = settings.database_url.trim();
    if url.is_empty() {
        return None;
    }
    match crate::store::check_url_for_settings(url) {
        Ok(()) => Some(url.to_owned()),
        Err(error) => {
            messages.push(format!(
                "The database in the settings is not used ({error}); this start uses the data folder: correct it in Settings"
            ));
            None
        }
    }
}

fn load_catalog(dirs: &AppDirs, messages: &mut Vec<String>) -> (Catalog, Vec<Problem>) {
    let (files, unreadable) = match read_protocol_dir(&dirs.protocols()) {
        Ok(found) => found,
        Err(error) => {
            messages.push(format!("{error}; the built-in protocols are used"));
            (Vec::new(), Vec::new())
        }
    };
    for error in unreadable {
        messages.push(format!("{error}; the built-in protocol is used"));
    }
    let scale_dir = dirs.protocols().join(CLINIC_SCALE_FOLDER);
    let (scale_files, unreadable) = match read_protocol_dir(&scale_dir) {
        Ok(found) => found,
        Err(error) => {
            messages.push(format!("{error}; the built-in outcome scales are used"));
            (Vec::new(), Vec::new())
        }
    };
    for error in unreadable {
        messages.push(format!("{error}; the built-in outcome scale is used"));
    }
    let (scales, scale_problems) = Scales::load(&builtin_scale_files(), &scale_files);
    // The scales first: a protocol's follow-ups are checked against them.
    let (catalog, mut problems) = Catalog::load_with_scales(&builtin_files(), &files, scales);
    problems.extend(scale_problems);
    if !problems.is_empty() {
        messages.push(format!(
            "{} problem(s) in the clinic's protocol files; see the protocol library",
            problems.len()
        ));
    }
    (catalog, problems)
}

/// The built-in photograph views with the clinic's view files (`protocols/views/`)
/// added; a problem leaves the clinic's view out and is listed with the protocols'.
fn load_views(
    dirs: &AppDirs,
    messages: &mut Vec<String>,
    problems: &mut Vec<Problem>,
) -> PhotoViews {
    let (files, unreadable) = match read_protocol_dir(&dirs.protocols().join(CLINIC_VIEW_FOLDER)) {
        Ok(found) => found,
        Err(error) => {
            messages.push(format!("{error}; the built-in photograph views are used"));
            (Vec::new(), Vec::new())
        }
    };
    for error in unreadable {
        messages.push(format!("{error}; the built-in photograph views are used"));
    }
    let (views, view_problems) = PhotoViews::load(&files);
    if !view_problems.is_empty() {
        messages.push(format!(
            "{} problem(s) in the clinic's photograph view files; those views are left out",
            view_problems.len()
        ));
    }
    problems.extend(view_problems);
    views
}
