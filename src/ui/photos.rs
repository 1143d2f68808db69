//! The plan's clinical photographs: adding them (a file's path, or files dropped on the
//! window), tagging each with a standard view and the visit it belongs to, a gallery
//! by view and date, and two photographs of one view compared side by side with their
//! zoom and pan linked.
//!
//! Nothing here reads a file or decodes an image: the screen asks for thumbnails and
//! pictures ([`PhotosState::take_requests`]), the app hands them to the `photos`
//! thread ([`crate::desk::photos`]) and gives back textures. Textures are drawn only
//! for photographs on screen and kept in a cache of bounded size, so the memory
//! follows what is shown, not how many photographs the plan has.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::PathBuf;

use egui::{Color32, Rect, RichText, Sense, TextureHandle, Ui, Vec2, pos2, vec2};
use jiff::civil::Date;

use super::widgets::{date_field, date_text, section_heading};
use crate::catalog::PhotoView;
use crate::desk::photos::Staged;
use crate::export::PairFormat;
use crate::planning::{
    PhotoMoment, Plan, PlanPhoto, days_since_first_session, moment_date, moment_for, photos_of_view,
};
use crate::store::PlanRecord;

/// How many thumbnails' textures are kept beyond those on screen.
pub const THUMBNAIL_CACHE: usize = 48;
/// How many outcomes of the `photos` thread the window takes a frame at most: each can
/// be a texture to upload, so a burst of thumbnails arriving together (a plan opened,
/// scrolled far) is spread over frames instead of stalling one.
pub const PHOTO_OUTCOMES_PER_FRAME: usize = 4;
/// How many full pictures' textures are kept (the compare view shows two).
const PICTURE_CACHE: usize = 4;
/// The side of a thumbnail in the gallery, in points.
const TILE_SIDE: f32 = 120.0;
/// The most a comparison zooms in.
const MAX_ZOOM: f32 = 8.0;

/// What the physician asked of the photographs.
#[must_use]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PhotoAction {
    /// Read and check these files.
    Check(Vec<PathBuf>),
    /// Add every checked photograph, as tagged, to the plan.
    AddChecked,
    /// Forget a checked photograph without adding it.
    Dismiss(String),
    /// Take a photograph off the plan, or put it back.
    SetRemoved {
        /// The photograph.
        sha256: String,
        /// Off the plan or back on it.
        removed: bool,
    },
    /// Open the form that writes the compared pair for the patient.
    OpenPairExport {
        /// The earlier photograph.
        before: String,
        /// The later one.
        after: String,
    },
    /// Write the compared pair to a file (on the `photos` thread).
    ExportPair(PairDraft),
    /// Delete the photographs' files no revision of any plan refers to, or only say
    /// which (`dry_run`).
    Purge {
        /// Only say what would be deleted.
        dry_run: bool,
    },
}

/// The form that writes a compared pair for the patient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PairDraft {
    /// The earlier photograph.
    pub before: String,
    /// The later one.
    pub after: String,
    /// The file, as typed.
    pub path: String,
    /// PNG or JPEG.
    pub format: PairFormat,
    /// Replace a file already there.
    pub replace: bool,
}

/// The deliberate purge of unused photograph files: asked, confirmed, running, done.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PurgeState {
    /// The confirmation is shown.
    pub confirming: bool,
    /// A purge or a dry run is running.
    pub running: bool,
    /// What the last one said.
    pub message: Option<String>,
}

/// Something the screen needs from the `photos` thread.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum PhotoRequest {
    /// A thumbnail.
    Thumbnail(String),
    /// A picture for the compare view.
    Picture(String),
}

/// A checked file waiting to be tagged and added.
#[derive(Clone)]
pub struct PendingPhoto {
    /// The file's name, as chosen.
    pub file_name: String,
    /// What the check found.
    pub staged: Staged,
    /// Its thumbnail.
    pub texture: Option<TextureHandle>,
    /// The view it is tagged with.
    pub view: String,
    /// The day it was taken.
    pub taken: Date,
    /// The visit it belongs to.
    pub moment: Option<PhotoMoment>,
}

/// Textures by photograph, with the frame each was last drawn in, of bounded number.
#[derive(Clone, Default)]
pub struct TextureCache {
    textures: BTreeMap<String, (TextureHandle, u64)>,
    requested: BTreeSet<String>,
    failed: BTreeMap<String, String>,
}

impl TextureCache {
    /// Keeps a texture that arrived.
    pub fn insert(&mut self, sha256: String, texture: TextureHandle, frame: u64) {
        self.requested.remove(&sha256);
        self.textures.insert(sha256, (texture, frame));
    }

    /// Remembers why a texture could not be made.
    pub fn fail(&mut self, sha256: String, message: String) {
        self.requested.remove(&sha256);
        self.failed.insert(sha256, message);
    }

    /// How many textures are kept.
    #[must_use]
    pub fn len(&self) -> usize {
        self.textures.len()
    }

    /// Whether no texture is kept.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.textures.is_empty()
    }

    /// Drops the textures least recently drawn, beyond `keep`, except those drawn in
    /// `frame`.
    fn trim(&mut self, keep: usize, frame: u64) {
        if self.textures.len() <= keep {
            return;
        }
        let mut by_age: Vec<(u64, String)> = self
            .textures
            .iter()
            .filter(|(_, (_, used))| *used < frame)
            .map(|(sha, (_, used))| (*used, sha.clone()))
            .collect();
        by_age.sort();
        let excess = self.textures.len() - keep;
        for (_, sha) in by_age.into_iter().take(excess) {
            self.textures.remove(&sha);
        }
    }

    /// The texture, marked as drawn in `frame`; else asks for it once.
    fn get(
        &mut self,
        sha256: &str,
        frame: u64,
        requests: &mut Vec<PhotoRequest>,
        request: fn(String) -> PhotoRequest,
    ) -> Option<TextureHandle> {
        if let Some((texture, used)) = self.textures.get_mut(sha256) {
            *used = frame;
            return Some(texture.clone());
        }
        if !self.requested.contains(sha256) && !self.failed.contains_key(sha256) {
            self.requested.insert(sha256.to_owned());
            requests.push(request(sha256.to_owned()));
        }
        None
    }

    /// Whether a texture asked for has not arrived yet.
    #[must_use]
    pub fn is_waiting(&self) -> bool {
        !self.requested.is_empty()
    }

    fn failure(&self, sha256: &str) -> Option<&str> {
        self.failed.get(sha256).map(String::as_str)
    }
}

/// Two photographs of one view side by side.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    /// The earlier photograph.
    pub before: String,
    /// The later one.
    pub after: String,
    /// How far both are zoomed in (1 shows the whole photograph).
    pub zoom: f32,
    /// The centre of what is shown, as a fraction of the photograph (0.5, 0.5 is its
    /// centre); both photographs show the same part.
    pub centre: Vec2,
    /// Scroll the plan to the comparison on its next frame.
    scroll_to: bool,
}

impl Comparison {
    fn new(before: String, after: String) -> Self {
        Self {
            before,
            after,
            zoom: 1.0,
            centre: vec2(0.5, 0.5),
            scroll_to: true,
        }
    }

    fn clamp(&mut self) {
        self.zoom = self.zoom.clamp(1.0, MAX_ZOOM);
        let half = 0.5 / self.zoom;
        self.centre.x = self.centre.x.clamp(half, 1.0 - half);
        self.centre.y = self.centre.y.clamp(half, 1.0 - half);
    }
}

/// What the photographs' part of the plan screen keeps between frames.
#[derive(Clone, Default)]
pub struct PhotosState {
    /// Whether the path field of "Add photos…" is open.
    pub adding: bool,
    /// The path typed there.
    pub path_draft: String,
    /// Checked files waiting to be added.
    pub pending: Vec<PendingPhoto>,
    /// Files refused, one sentence each.
    pub refusals: Vec<String>,
    /// Files being checked.
    pub checking: usize,
    /// The checked photographs are being kept in the data folder.
    pub keeping: bool,
    /// Thumbnails' textures.
    pub thumbnails: TextureCache,
    /// The compare view's pictures.
    pub pictures: TextureCache,
    /// The photographs chosen for a comparison, by view (at most two each).
    pub chosen: BTreeMap<String, Vec<String>>,
    /// The comparison shown, if any.
    pub comparison: Option<Comparison>,
    /// The form writing the compared pair, when open.
    pub pair_draft: Option<PairDraft>,
    /// A pair is being written.
    pub pair_exporting: bool,
    /// What the last pair export said: the file written, or why not.
    pub pair_message: Option<Result<String, String>>,
    /// The purge of unused photograph files.
    pub purge: PurgeState,
    requests: Vec<PhotoRequest>,
    frame: u64,
    /// The height of a row of tiles, the tallest drawn so far: every row is drawn this
    /// tall, and a row out of view only takes its place.
    row_height: f32,
}

impl std::fmt::Debug for PhotosState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PhotosState")
            .field("pending", &self.pending.len())
            .field("thumbnails", &self.thumbnails.len())
            .field("comparison", &self.comparison)
            .finish_non_exhaustive()
    }
}

impl PhotosState {
    /// What the screen asked for since the last call.
    pub fn take_requests(&mut self) -> Vec<PhotoRequest> {
        std::mem::take(&mut self.requests)
    }

    /// The frame number textures are marked with.
    #[must_use]
    pub fn frame(&self) -> u64 {
        self.frame
    }

    /// Drops every texture (the plan is put aside); they are asked for again when it
    /// is shown.
    pub fn release_textures(&mut self) {
        self.thumbnails = TextureCache::default();
        self.pictures = TextureCache::default();
        for pending in &mut self.pending {
            pending.texture = None;
        }
    }

    /// A file checked and waiting, tagged with the first view of the area, taken on
    /// the day its camera recorded (else `today`; a camera day after today is not
    /// believed), with the visit of that day preselected.
    pub fn stage(
        &mut self,
        file_name: String,
        staged: Staged,
        texture: TextureHandle,
        plan: &Plan,
        first_view: Option<&str>,
        today: Date,
    ) {
        self.checking = self.checking.saturating_sub(1);
        if self
            .pending
            .iter()
            .any(|pending| pending.staged.sha256 == staged.sha256)
        {
            return;
        }
        let taken = staged
            .exif_taken
            .filter(|day| *day <= today)
            .unwrap_or(today);
        self.pending.push(PendingPhoto {
            file_name,
            staged,
            texture: Some(texture),
            view: first_view.unwrap_or_default().to_owned(),
            taken,
            moment: moment_for(plan, taken),
        });
    }

    /// Whether thumbnails or pictures asked for are on their way.
    #[must_use]
    pub fn is_waiting(&self) -> bool {
        !self.requests.is_empty() || self.thumbnails.is_waiting() || self.pictures.is_waiting()
    }

    /// Compares the first and latest photographs of the first view that has two.
    pub fn compare_first_view(&mut self, record: &PlanRecord, views: &[PhotoView]) {
        for view in views {
            let photos = photos_of_view(&record.photos, &view.id);
            if let (Some(first), Some(last)) = (photos.first(), photos.last())
                && photos.len() >= 2
            {
                self.comparison = Some(Comparison::new(first.sha256.clone(), last.sha256.clone()));
                return;
            }
        }
    }

    /// What was chosen and not added yet, in a sentence, if anything.
    #[must_use]
    pub fn unsaved_text(&self, patient: &str) -> Option<String> {
        (!self.pending.is_empty()).then(|| {
            format!(
                "{} photograph(s) checked for {patient}'s plan and not added yet",
                self.pending.len()
            )
        })
    }
}

/// What the photographs' section shows of the plan.
#[derive(Debug, Clone, Copy)]
pub struct PhotosShown<'a> {
    /// The plan's record.
    pub record: &'a PlanRecord,
    /// The views of the plan's area.
    pub views: &'a [PhotoView],
    /// Today.
    pub today: Date,
}

/// Under the timeline: the days photographs were taken, with their visits.
pub fn photo_days_ui(ui: &mut Ui, record: &PlanRecord) {
    let mut days: BTreeMap<Date, (usize, Option<PhotoMoment>)> = BTreeMap::new();
    for photo in record.photos.iter().filter(|photo| !photo.removed) {
        let entry = days.entry(photo.taken).or_insert((0, photo.moment));
        entry.0 += 1;
    }
    if days.is_empty() {
        return;
    }
    let parts: Vec<String> = days
        .iter()
        .map(|(day, (count, moment))| {
            let visit = moment
                .map(|moment| format!(", {}", moment.label()))
                .unwrap_or_default();
            format!("{} ({count}{visit})", date_text(*day))
        })
        .collect();
    ui.label(format!("Photographs taken: {}", parts.join(" · ")));
}

/// The "Photos" section of the plan screen.
pub fn photos_ui(
    ui: &mut Ui,
    shown: &PhotosShown<'_>,
    state: &mut PhotosState,
) -> Option<PhotoAction> {
    state.frame += 1;
    let mut action = None;
    section_heading(ui, "Photos");
    let hovering = ui.ctx().input(|input| !input.raw.hovered_files.is_empty());
    if hovering {
        ui.label(
            RichText::new("Drop the photographs here to add them to this plan")
                .strong()
                .color(ui.visuals().hyperlink_color),
        );
    }
    ui.horizontal_wrapped(|ui| {
        if ui
            .button("Add photos…")
            .on_hover_text("Give the path of a JPEG or PNG file, or drop files on the window")
            .clicked()
        {
            state.adding = !state.adding;
        }
        ui.weak("JPEG or PNG; or drop the files on the window. Photographs stay in the data folder, owner-only.");
    });
    if let Some(check) = path_field_ui(ui, state) {
        action = Some(check);
    }
    if state.checking > 0 {
        ui.horizontal(|ui| {
            ui.spinner();
            ui.label(format!("Checking {} file(s)…", state.checking));
        });
    }
    refusals_ui(ui, state);
    if let Some(pending) = pending_ui(ui, shown, state) {
        action = Some(pending);
    }
    if let Some(comparison) = &mut state.comparison {
        let mut close = false;
        let mut export = false;
        compare_ui(
            ui,
            shown,
            comparison,
            &mut state.pictures,
            &mut state.thumbnails,
            &mut state.requests,
            state.frame,
            &mut close,
            &mut export,
        );
        if export && state.pair_draft.is_none() {
            action = Some(PhotoAction::OpenPairExport {
                before: comparison.before.clone(),
                after: comparison.after.clone(),
            });
        }
        if close {
            state.comparison = None;
            state.pair_draft = None;
        }
    }
    if let Some(pair) = pair_export_ui(ui, state) {
        action = Some(pair);
    }
    if let Some(gallery) = gallery_ui(ui, shown, state) {
        action = Some(gallery);
    }
    if let Some(purge) = purge_ui(ui, &mut state.purge) {
        action = Some(purge);
    }
    let on_screen = state
        .thumbnails
        .textures
        .values()
        .filter(|(_, used)| *used == state.frame)
        .count();
    state
        .thumbnails
        .trim(on_screen + THUMBNAIL_CACHE, state.frame);
    state.pictures.trim(PICTURE_CACHE, state.frame);
    action
}

/// The form that writes the compared pair: the file, PNG or JPEG, replace or not; then
/// what was written, or why not.
fn pair_export_ui(ui: &mut Ui, state: &mut PhotosState) -> Option<PhotoAction> {
    let mut action = None;
    if let Some(draft) = &mut state.pair_draft {
        let mut cancel = false;
        egui::Frame::group(ui.style()).show(ui, |ui| {
            ui.strong("Export this pair for the patient");
            ui.weak("Both photographs side by side, the earlier on the left, with their dates and days since session 1. No location or camera metadata is written.");
            ui.horizontal(|ui| {
                let label = ui.label("Save the pair as");
                ui.add(
                    egui::TextEdit::singleline(&mut draft.path)
                        .desired_width(ui.available_width().min(560.0) - 40.0),
                )
                .labelled_by(label.id);
            });
            ui.horizontal(|ui| {
                let before = draft.format;
                ui.radio_value(&mut draft.format, PairFormat::Jpeg, "JPEG (smaller)");
                ui.radio_value(&mut draft.format, PairFormat::Png, "PNG (exact)");
                if draft.format != before {
                    draft.path = with_extension(&draft.path, draft.format);
                }
                ui.checkbox(&mut draft.replace, "Replace a file of that name");
            });
            ui.horizontal(|ui| {
                let ready = !draft.path.trim().is_empty() && !state.pair_exporting;
                let label = if state.pair_exporting {
                    "Writing the pair…"
                } else {
                    "Write the pair"
                };
                if ui.add_enabled(ready, egui::Button::new(label)).clicked() {
                    state.pair_exporting = true;
                    state.pair_message = None;
                    action = Some(PhotoAction::ExportPair(draft.clone()));
                }
                if state.pair_exporting {
                    ui.spinner();
                }
                if ui.button("Cancel the pair export").clicked() {
                    cancel = true;
                }
            });
        });
        if cancel {
            state.pair_draft = None;
        }
    }
    match &state.pair_message {
        Some(Ok(file)) => {
            ui.label(format!("The pair was written to {file}"));
        }
        Some(Err(message)) => {
            ui.colored_label(
                ui.visuals().error_fg_color,
                format!("The pair was not written: {message}"),
            );
        }
        None => {}
    }
    action
}

/// The path with its extension set for `format`.
fn with_extension(path: &str, format: PairFormat) -> String {
    let mut path = PathBuf::from(path.trim());
    path.set_extension(format.extension());
    path.display().to_string()
}

/// "Unused photograph files": the deliberate purge, confirmed first, or a dry run.
fn purge_ui(ui: &mut Ui, purge: &mut PurgeState) -> Option<PhotoAction> {
    let mut action = None;
    ui.add_space(6.0);
    egui::CollapsingHeader::new("Unused photograph files")
        .id_salt("photo-purge")
        .show(ui, |ui| {
            ui.weak("A photograph taken off a plan stays in its history and its file stays too. Files no revision of any plan refers to (an add that was interrupted) can be deleted here, for every plan of this data folder.");
            ui.horizontal(|ui| {
                if ui
                    .add_enabled(!purge.running, egui::Button::new("Find unused photograph files"))
                    .clicked()
                {
                    purge.running = true;
                    purge.message = None;
                    action = Some(PhotoAction::Purge { dry_run: true });
                }
                if ui
                    .add_enabled(
                        !purge.running && !purge.confirming,
                        egui::Button::new("Purge unused photograph files…"),
                    )
                    .clicked()
                {
                    purge.confirming = true;
                }
                if purge.running {
                    ui.spinner();
                }
            });
            if purge.confirming {
                ui.colored_label(
                    ui.visuals().warn_fg_color,
                    "Delete every photograph file that no revision of any plan refers to? Files a revision names are never deleted; this cannot be undone.",
                );
                ui.horizontal(|ui| {
                    if ui.button("Delete the unused files").clicked() {
                        purge.confirming = false;
                        purge.running = true;
                        purge.message = None;
                        action = Some(PhotoAction::Purge { dry_run: false });
                    }
                    if ui.button("Keep them").clicked() {
                        purge.confirming = false;
                    }
                });
            }
            if let Some(message) = &purge.message {
                ui.label(message);
            }
        });
    action
}

/// The field of "Add photos…": a file's path, then "Check file".
fn path_field_ui(ui: &mut Ui, state: &mut PhotosState) -> Option<PhotoAction> {
    if !state.adding {
        return None;
    }
    let mut action = None;
    ui.horizontal(|ui| {
        let label = ui.label("Photo file path");
        let response = ui
            .add(
                egui::TextEdit::singleline(&mut state.path_draft)
                    .desired_width(ui.available_width().min(520.0) - 80.0)
                    .hint_text("/path/to/photo.jpg"),
            )
            .labelled_by(label.id);
        let entered =
            response.lost_focus() && ui.input(|input| input.key_pressed(egui::Key::Enter));
        let path = state.path_draft.trim().to_owned();
        if (ui
            .add_enabled(!path.is_empty(), egui::Button::new("Check file"))
            .clicked()
            || entered)
            && !path.is_empty()
        {
            state.checking += 1;
            state.path_draft.clear();
            action = Some(PhotoAction::Check(vec![PathBuf::from(path)]));
        }
    });
    action
}

/// The files refused: how many, in one sentence, then each with its reason.
fn refusals_ui(ui: &mut Ui, state: &mut PhotosState) {
    let error = ui.visuals().error_fg_color;
    let mut dismiss_refusals = false;
    if !state.refusals.is_empty() {
        ui.label(
            RichText::new(refused_text(state.refusals.len(), state.pending.len()))
                .color(error)
                .strong(),
        );
    }
    for refusal in &state.refusals {
        ui.label(RichText::new(format!("Not added: {refusal}")).color(error));
    }
    if !state.refusals.is_empty() && ui.button("Clear these messages").clicked() {
        dismiss_refusals = true;
    }
    if dismiss_refusals {
        state.refusals.clear();
    }
}

/// The batch in one sentence when files were refused: how many, and what became of the
/// others.
fn refused_text(refused: usize, ready: usize) -> String {
    let files = if refused == 1 {
        "1 file was refused".to_owned()
    } else {
        format!("{refused} files were refused")
    };
    if ready == 0 {
        format!("{files} and nothing was added; each is named below with the reason.")
    } else {
        format!(
            "{files} (named below with the reason); the {ready} other photograph(s) are checked and wait below to be added."
        )
    }
}

fn view_label<'a>(views: &'a [PhotoView], id: &'a str) -> &'a str {
    views
        .iter()
        .find(|view| view.id == id)
        .map_or(id, |view| view.label.as_str())
}

/// The visits of the plan, for the visit chooser.
fn visits(plan: &Plan) -> Vec<PhotoMoment> {
    let sessions = plan
        .sessions
        .iter()
        .map(|session| PhotoMoment::Session(session.number));
    let follow_ups = (1..=plan.follow_ups.len())
        .filter_map(|number| u32::try_from(number).ok())
        .map(PhotoMoment::FollowUp);
    sessions.chain(follow_ups).collect()
}

fn moment_text(plan: &Plan, moment: Option<PhotoMoment>) -> String {
    match moment {
        None => "No visit".to_owned(),
        Some(moment) => match moment_date(plan, moment) {
            Some(day) => format!("{} ({})", moment.label(), date_text(day)),
            None => moment.label(),
        },
    }
}

/// The checked files: each with its view, day taken and visit; then "Add".
fn pending_ui(
    ui: &mut Ui,
    shown: &PhotosShown<'_>,
    state: &mut PhotosState,
) -> Option<PhotoAction> {
    if state.pending.is_empty() {
        return None;
    }
    let plan = &shown.record.plan;
    let mut action = None;
    ui.add_space(6.0);
    ui.strong("To add: tag each photograph with its view and visit");
    for pending in &mut state.pending {
        ui.horizontal(|ui| {
            match &pending.texture {
                Some(texture) => {
                    let size = fit(texture.size_vec2(), Vec2::splat(72.0));
                    ui.add(
                        egui::Image::new((texture.id(), size))
                            .alt_text(format!("Thumbnail of {}", pending.file_name)),
                    );
                }
                None => {
                    ui.allocate_space(Vec2::splat(72.0));
                }
            }
            ui.vertical(|ui| {
                ui.label(format!(
                    "{} ({} x {} pixels)",
                    pending.file_name, pending.staged.width, pending.staged.height
                ));
                ui.horizontal_wrapped(|ui| {
                    let name = &pending.file_name;
                    egui::ComboBox::from_label(format!("View of {name}"))
                        .selected_text(view_label(shown.views, &pending.view))
                        .show_ui(ui, |ui| {
                            for view in shown.views {
                                ui.selectable_value(
                                    &mut pending.view,
                                    view.id.clone(),
                                    &view.label,
                                );
                            }
                        });
                    if date_field(
                        ui,
                        &format!("taken-{}", pending.staged.sha256),
                        &format!("Day {name} was taken"),
                        &mut pending.taken,
                    ) {
                        pending.moment = moment_for(plan, pending.taken);
                    }
                    egui::ComboBox::from_label(format!("Visit of {name}"))
                        .selected_text(moment_text(plan, pending.moment))
                        .show_ui(ui, |ui| {
                            ui.selectable_value(&mut pending.moment, None, "No visit");
                            for visit in visits(plan) {
                                ui.selectable_value(
                                    &mut pending.moment,
                                    Some(visit),
                                    moment_text(plan, Some(visit)),
                                );
                            }
                        });
                    if ui
                        .add_enabled(!state.keeping, egui::Button::new(format!("Dismiss {name}")))
                        .clicked()
                    {
                        action = Some(PhotoAction::Dismiss(pending.staged.sha256.clone()));
                    }
                });
            });
        });
    }
    let future = state
        .pending
        .iter()
        .any(|pending| pending.taken > shown.today);
    let untagged = state.pending.iter().any(|pending| pending.view.is_empty());
    if future {
        ui.colored_label(
            ui.visuals().error_fg_color,
            "A day taken is after today; correct it before adding.",
        );
    }
    let count = state.pending.len();
    let label = if state.keeping {
        "Adding…".to_owned()
    } else {
        format!("Add {count} photograph(s) to the plan")
    };
    if ui
        .add_enabled(
            !state.keeping && !future && !untagged,
            egui::Button::new(label),
        )
        .clicked()
    {
        action = Some(PhotoAction::AddChecked);
    }
    action
}

/// The plan's photographs of a pending batch as they go into the record.
#[must_use]
pub fn to_plan_photos(pending: &[PendingPhoto], added_at: jiff::Timestamp) -> Vec<PlanPhoto> {
    pending
        .iter()
        .map(|pending| PlanPhoto {
            sha256: pending.staged.sha256.clone(),
            view: pending.view.clone(),
            taken: pending.taken,
            moment: pending.moment,
            width: pending.staged.width,
            height: pending.staged.height,
            added_at,
            removed: false,
        })
        .collect()
}

/// `size` scaled to fit inside `bounds`, keeping its proportions.
fn fit(size: Vec2, bounds: Vec2) -> Vec2 {
    if size.x <= 0.0 || size.y <= 0.0 {
        return bounds;
    }
    let scale = (bounds.x / size.x).min(bounds.y / size.y);
    size * scale
}

fn caption(plan: &Plan, photo: &PlanPhoto) -> String {
    let mut text = date_text(photo.taken);
    if let Some(moment) = photo.moment {
        let _ = write!(text, ", {}", moment.label());
    }
    if let Some(days) = days_since_first_session(plan, photo.taken) {
        let _ = write!(text, ", day {days}");
    }
    text
}

/// How many tiles of [`TILE_SIDE`] fit side by side in `width`, at least one.
fn tiles_per_row(width: f32, spacing: f32) -> usize {
    let across = ((width + spacing) / (TILE_SIDE + spacing)).floor();
    if across.is_finite() && across >= 1.0 {
        // A window is never millions of tiles wide; the cast cannot truncate.
        #[expect(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "finite, at least 1, and small"
        )]
        let across = across as usize;
        across
    } else {
        1
    }
}

/// The gallery: per view, the photographs oldest first; each can be chosen for a
/// comparison or taken off the plan.
#[allow(
    clippy::too_many_lines,
    reason = "one view's heading, its tiles and the removed photographs read best together"
)]
fn gallery_ui(
    ui: &mut Ui,
    shown: &PhotosShown<'_>,
    state: &mut PhotosState,
) -> Option<PhotoAction> {
    let record = shown.record;
    let mut action = None;
    if record.photos.iter().all(|photo| photo.removed) {
        ui.weak("No photographs on this plan yet.");
    }
    // The area's views in their order, then any other view a photograph was tagged
    // with (a clinic's view since removed).
    let mut view_ids: Vec<&str> = shown.views.iter().map(|view| view.id.as_str()).collect();
    for photo in &record.photos {
        if !view_ids.contains(&photo.view.as_str()) {
            view_ids.push(&photo.view);
        }
    }
    for view_id in view_ids {
        let photos = photos_of_view(&record.photos, view_id);
        if photos.is_empty() {
            continue;
        }
        let label = view_label(shown.views, view_id).to_owned();
        ui.add_space(6.0);
        ui.horizontal(|ui| {
            ui.strong(format!("{label} ({})", photos.len()));
            let chosen = state.chosen.get(view_id).cloned().unwrap_or_default();
            let pair = if chosen.len() == 2 {
                Some((chosen[0].clone(), chosen[1].clone()))
            } else if photos.len() >= 2 {
                photos
                    .first()
                    .zip(photos.last())
                    .map(|(first, last)| (first.sha256.clone(), last.sha256.clone()))
            } else {
                None
            };
            let text = if chosen.len() == 2 {
                format!("Compare the two chosen: {label}")
            } else {
                format!("Compare first and latest: {label}")
            };
            if let Some((a, b)) = pair
                && ui.button(text).clicked()
            {
                let taken = |sha: &str| {
                    photos
                        .iter()
                        .position(|photo| photo.sha256 == sha)
                        .unwrap_or_default()
                };
                let (before, after) = if taken(&a) <= taken(&b) {
                    (a, b)
                } else {
                    (b, a)
                };
                state.comparison = Some(Comparison::new(before, after));
            }
        });
        // Rows of as many tiles as the width holds, laid out row by row: a wrapped
        // layout does not wrap columns of widgets, and would leave one long row.
        let per_row = tiles_per_row(ui.available_width(), ui.spacing().item_spacing.x);
        for (number, row) in photos.chunks(per_row).enumerate() {
            // A row out of view takes its place without its widgets: a gallery of
            // hundreds costs what is on screen. A view's first row is always drawn,
            // so each view is found (by a screen reader too) and scrolled to.
            let height = state.row_height;
            let place =
                egui::Rect::from_min_size(ui.cursor().min, Vec2::new(ui.available_width(), height));
            if number > 0 && height > 0.0 && !ui.is_rect_visible(place) {
                ui.allocate_space(place.size());
                continue;
            }
            let drawn = ui.horizontal_top(|ui| {
                ui.set_min_height(height);
                for photo in row {
                    ui.vertical(|ui| {
                        ui.set_width(TILE_SIDE);
                        let (rect, response) =
                            ui.allocate_exact_size(Vec2::splat(TILE_SIDE), Sense::click());
                        let name = format!("{label}, {}", caption(&record.plan, photo));
                        response.widget_info(|| {
                            egui::WidgetInfo::labeled(
                                egui::Role::Image,
                                true,
                                format!("Photograph {name}"),
                            )
                        });
                        if ui.is_rect_visible(rect) {
                            let texture = state.thumbnails.get(
                                &photo.sha256,
                                state.frame,
                                &mut state.requests,
                                PhotoRequest::Thumbnail,
                            );
                            paint_tile(
                                ui,
                                rect,
                                texture.as_ref(),
                                state.thumbnails.failure(&photo.sha256),
                            );
                        }
                        ui.label(RichText::new(caption(&record.plan, photo)).small());
                        let chosen = state.chosen.entry(view_id.to_owned()).or_default();
                        let mut is_chosen = chosen.contains(&photo.sha256);
                        if ui
                            .checkbox(&mut is_chosen, "Compare")
                            .on_hover_text("Choose two photographs of this view to compare")
                            .changed()
                        {
                            if is_chosen {
                                chosen.push(photo.sha256.clone());
                                if chosen.len() > 2 {
                                    chosen.remove(0);
                                }
                            } else {
                                chosen.retain(|sha| *sha != photo.sha256);
                            }
                        }
                        if ui
                            .small_button("Remove")
                            .on_hover_text("Take it off the plan; the file and the history keep it")
                            .clicked()
                        {
                            action = Some(PhotoAction::SetRemoved {
                                sha256: photo.sha256.clone(),
                                removed: true,
                            });
                        }
                    });
                }
            });
            state.row_height = state.row_height.max(drawn.response.rect.height());
        }
    }
    let removed = record.photos.iter().filter(|photo| photo.removed).count();
    if removed > 0 {
        ui.collapsing(format!("Taken off the plan ({removed})"), |ui| {
            for photo in record.photos.iter().filter(|photo| photo.removed) {
                ui.horizontal(|ui| {
                    ui.label(format!(
                        "{}, {}",
                        view_label(shown.views, &photo.view),
                        caption(&record.plan, photo)
                    ));
                    if ui.small_button("Put back").clicked() {
                        action = Some(PhotoAction::SetRemoved {
                            sha256: photo.sha256.clone(),
                            removed: false,
                        });
                    }
                });
            }
        });
    }
    action
}

fn paint_tile(ui: &Ui, rect: Rect, texture: Option<&TextureHandle>, failure: Option<&str>) {
    let painter = ui.painter();
    painter.rect_filled(rect, 4.0, ui.visuals().extreme_bg_color);
    match (texture, failure) {
        (Some(texture), _) => {
            let size = fit(texture.size_vec2(), rect.size());
            let image_rect = Rect::from_center_size(rect.center(), size);
            painter.image(
                texture.id(),
                image_rect,
                Rect::from_min_max(pos2(0.0, 0.0), pos2(1.0, 1.0)),
                Color32::WHITE,
            );
        }
        (None, Some(_)) => {
            painter.text(
                rect.center(),
                egui::Align2::CENTER_CENTER,
                "Cannot be read",
                egui::FontId::proportional(12.0),
                ui.visuals().error_fg_color,
            );
        }
        (None, None) => {
            painter.text(
                rect.center(),
                egui::Align2::CENTER_CENTER,
                "Loading…",
                egui::FontId::proportional(12.0),
                ui.visuals().weak_text_color(),
            );
        }
    }
}

/// Two photographs side by side with dates and days since session 1; dragging either
/// pans both, the slider, the buttons, Ctrl and the wheel, or a pinch zoom both.
#[allow(
    clippy::too_many_arguments,
    clippy::cast_precision_loss,
    reason = "the parts of the photographs' state it changes, each borrowed apart; pixel sizes are far below 2^24"
)]
#[allow(
    clippy::too_many_lines,
    reason = "the controls and the two linked pictures read best together"
)]
fn compare_ui(
    ui: &mut Ui,
    shown: &PhotosShown<'_>,
    comparison: &mut Comparison,
    pictures: &mut TextureCache,
    thumbnails: &mut TextureCache,
    requests: &mut Vec<PhotoRequest>,
    frame: u64,
    close: &mut bool,
    export: &mut bool,
) {
    let record = shown.record;
    let find = |sha: &str| record.photos.iter().find(|photo| photo.sha256 == sha);
    let (Some(before), Some(after)) = (find(&comparison.before), find(&comparison.after)) else {
        *close = true;
        return;
    };
    ui.add_space(6.0);
    let framed = egui::Frame::group(ui.style()).show(ui, |ui| {
        ui.horizontal_wrapped(|ui| {
            ui.strong(format!(
                "Comparison: {}",
                view_label(shown.views, &before.view)
            ));
            ui.spacing_mut().slider_width = 140.0;
            ui.add(
                egui::Slider::new(&mut comparison.zoom, 1.0..=MAX_ZOOM)
                    .text("Zoom")
                    .logarithmic(true),
            );
            if ui.button("Zoom in").clicked() {
                comparison.zoom *= 1.25;
            }
            if ui.button("Zoom out").clicked() {
                comparison.zoom /= 1.25;
            }
            if ui.button("Reset zoom").clicked() {
                comparison.zoom = 1.0;
                comparison.centre = vec2(0.5, 0.5);
            }
            if ui
                .button("Export this pair…")
                .on_hover_text("Write both photographs side by side with their dates, as PNG or JPEG, without location or camera metadata")
                .clicked()
            {
                *export = true;
            }
            if ui.button("Close comparison").clicked() {
                *close = true;
            }
        });
        let gap = 8.0;
        let column = ((ui.available_width() - gap) / 2.0).max(80.0);
        let aspect = |photo: &PlanPhoto| {
            if photo.width == 0 {
                1.0
            } else {
                photo.height as f32 / photo.width as f32
            }
        };
        let height = (column * aspect(before).max(aspect(after))).min(560.0);
        ui.horizontal(|ui| {
            for (which, photo) in [("Before", before), ("After", after)] {
                ui.vertical(|ui| {
                    ui.set_width(column);
                    ui.label(format!("{which}: {}", caption(&record.plan, photo)));
                    let (rect, response) =
                        ui.allocate_exact_size(vec2(column, height), Sense::click_and_drag());
                    response.widget_info(|| {
                        egui::WidgetInfo::labeled(
                            egui::Role::Image,
                            true,
                            format!("{which} photograph, {}", caption(&record.plan, photo)),
                        )
                    });
                    let picture = pictures
                        .get(&photo.sha256, frame, requests, PhotoRequest::Picture)
                        .or_else(|| {
                            thumbnails.get(&photo.sha256, frame, requests, PhotoRequest::Thumbnail)
                        });
                    paint_zoomed(ui, rect, picture.as_ref(), comparison);
                    if response.dragged() {
                        let image = fit(vec2(photo.width as f32, photo.height as f32), rect.size());
                        let delta = response.drag_delta();
                        comparison.centre.x -= delta.x / image.x.max(1.0) / comparison.zoom;
                        comparison.centre.y -= delta.y / image.y.max(1.0) / comparison.zoom;
                    }
                    if response.hovered() {
                        let zoom = ui.input(egui::InputState::zoom_delta);
                        if (zoom - 1.0).abs() > f32::EPSILON {
                            comparison.zoom *= zoom;
                        }
                    }
                    if response.has_focus() || response.hovered() {
                        let step = 0.05 / comparison.zoom;
                        ui.input(|input| {
                            if input.key_pressed(egui::Key::ArrowLeft) {
                                comparison.centre.x -= step;
                            }
                            if input.key_pressed(egui::Key::ArrowRight) {
                                comparison.centre.x += step;
                            }
                            if input.key_pressed(egui::Key::ArrowUp) {
                                comparison.centre.y -= step;
                            }
                            if input.key_pressed(egui::Key::ArrowDown) {
                                comparison.centre.y += step;
                            }
                        });
                    }
                });
                ui.add_space(gap);
            }
        });
        ui.weak("Drag either photograph to move both; Ctrl and the mouse wheel, or a pinch, zooms both.");
    });
    if std::mem::take(&mut comparison.scroll_to) {
        ui.scroll_to_rect(framed.response.rect, Some(egui::Align::TOP));
    }
    comparison.clamp();
}

fn paint_zoomed(ui: &Ui, rect: Rect, texture: Option<&TextureHandle>, comparison: &Comparison) {
    let painter = ui.painter_at(rect);
    painter.rect_filled(rect, 0.0, ui.visuals().extreme_bg_color);
    let Some(texture) = texture else {
        painter.text(
            rect.center(),
            egui::Align2::CENTER_CENTER,
            "Loading…",
            egui::FontId::proportional(14.0),
            ui.visuals().weak_text_color(),
        );
        return;
    };
    let size = fit(texture.size_vec2(), rect.size());
    let image_rect = Rect::from_center_size(rect.center(), size);
    let half = 0.5 / comparison.zoom;
    let uv = Rect::from_min_max(
        pos2(comparison.centre.x - half, comparison.centre.y - half),
        pos2(comparison.centre.x + half, comparison.centre.y + half),
    );
    painter.image(texture.id(), image_rect, uv, Color32::WHITE);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_comparison_stays_inside_the_photograph() {
        let mut comparison = Comparison::new("a".into(), "b".into());
        comparison.zoom = 20.0;
        comparison.centre = vec2(-1.0, 3.0);
        comparison.clamp();
        assert!((comparison.zoom - MAX_ZOOM).abs() < f32::EPSILON);
        assert!((comparison.centre.x - 0.5 / MAX_ZOOM).abs() < 1e-6);
        assert!((comparison.centre.y - (1.0 - 0.5 / MAX_ZOOM)).abs() < 1e-6);
        comparison.zoom = 0.1;
        comparison.clamp();
        assert_eq!(comparison.centre, vec2(0.5, 0.5));
    }

    fn plan() -> Plan {
        use crate::catalog::{Area, Catalog, CellSource, Indication, Modality, Selection};
        let (catalog, _) = Catalog::builtin();
        let request = crate::planning::PlanRequest::new(
            Selection {
                modality: Modality::Injection,
                source: CellSource::AutologousPrp,
                area: Area::Scalp,
                indication: Indication::AndrogeneticAlopecia,
                adjuncts: Vec::new(),
            },
            BTreeSet::new(),
            "2027-03-01".parse().unwrap(),
        );
        crate::planning::generate(&catalog, &request).unwrap()
    }

    fn staged(sha: &str, exif_taken: Option<Date>) -> Staged {
        Staged {
            sha256: sha.repeat(64),
            width: 4,
            height: 3,
            thumbnail: crate::desk::photos::Pixels {
                width: 1,
                height: 1,
                rgba: vec![0, 0, 0, 255],
            },
            exif_taken,
        }
    }

    #[test]
    fn a_staged_photograph_takes_its_camera_s_day_and_that_day_s_visit() {
        let plan = plan();
        let second = plan.sessions[1].date;
        let today: Date = "2027-12-01".parse().unwrap();
        let ctx = egui::Context::default();
        let texture = ctx.load_texture(
            "t",
            egui::ColorImage::example(),
            egui::TextureOptions::LINEAR,
        );
        let mut state = PhotosState::default();
        state.stage(
            "a.jpg".into(),
            staged("a", Some(second)),
            texture.clone(),
            &plan,
            Some("vertex"),
            today,
        );
        state.stage(
            "b.jpg".into(),
            staged("b", None),
            texture.clone(),
            &plan,
            Some("vertex"),
            today,
        );
        let future = today.tomorrow().unwrap();
        state.stage(
            "c.jpg".into(),
            staged("c", Some(future)),
            texture,
            &plan,
            Some("vertex"),
            today,
        );
        assert_eq!(state.pending[0].taken, second);
        assert_eq!(state.pending[0].moment, Some(PhotoMoment::Session(2)));
        assert_eq!(state.pending[1].taken, today, "no camera day: today");
        assert_eq!(
            state.pending[2].taken, today,
            "a camera day after today is not believed"
        );
    }

    #[test]
    fn a_batch_s_refusals_are_counted_in_one_sentence() {
        assert_eq!(
            refused_text(1, 3),
            "1 file was refused (named below with the reason); the 3 other photograph(s) are checked and wait below to be added."
        );
        assert_eq!(
            refused_text(2, 0),
            "2 files were refused and nothing was added; each is named below with the reason."
        );
    }

    #[test]
    fn fitting_keeps_proportions() {
        assert_eq!(
            fit(vec2(400.0, 200.0), vec2(100.0, 100.0)),
            vec2(100.0, 50.0)
        );
        assert_eq!(
            fit(vec2(200.0, 400.0), vec2(100.0, 100.0)),
            vec2(50.0, 100.0)
        );
    }
}
