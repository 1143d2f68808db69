//! What the app does with the plan's photographs: files dropped on the window, the
//! checks and keeps on the `photos` thread, the textures made from what it reports,
//! and the photographs added to (or taken off) the open plan as a new revision.

use std::fmt::Write as _;

use egui::{ColorImage, TextureOptions};

use super::{App, Screen};
use crate::desk::photos::{PairOrder, PhotoJob, PhotoOutcome, Pixels};
use crate::export::PairFormat;
use crate::store::{PurgeOptions, PurgeReport, Replace};
use crate::ui::action::Action;
use crate::ui::photos::{
    PHOTO_OUTCOMES_PER_FRAME, PairDraft, PhotoAction, PhotoRequest, to_plan_photos,
};

fn texture(ctx: &egui::Context, name: &str, pixels: &Pixels) -> egui::TextureHandle {
    let size = [pixels.width as usize, pixels.height as usize];
    let image = ColorImage::from_rgba_unmultiplied(size, &pixels.rgba);
    ctx.load_texture(name, image, TextureOptions::LINEAR)
}

impl App {
    /// Files dropped on the window: checked for the open plan; elsewhere, a sentence.
    pub(super) fn dropped_photos(&mut self, ctx: &egui::Context) -> Option<Action> {
        let dropped: Vec<std::path::PathBuf> = ctx.input(|input| {
            input
                .raw
                .dropped_files
                .iter()
                .map(|file| file.path().to_path_buf())
                .filter(|path| !path.as_os_str().is_empty())
                .collect()
        });
        if dropped.is_empty() {
            return None;
        }
        if matches!(self.screen, Screen::Plan) && self.open_plan.is_some() {
            if let Some(open) = &mut self.open_plan {
                open.view.photos.checking += dropped.len();
            }
            Some(Action::Photos(PhotoAction::Check(dropped)))
        } else {
            self.messages.push(
                "Open a plan first, then drop its photographs on the window to add them."
                    .to_owned(),
            );
            None
        }
    }

    /// Applies what the physician asked of the photographs.
    pub(super) fn apply_photo_action(&mut self, action: PhotoAction) {
        let Some(open) = &mut self.open_plan else {
            return;
        };
        let Some(worker) = &self.photo_worker else {
            self.messages.push(
                "the thread for photographs is not running; restart the app to add photographs"
                    .to_owned(),
            );
            return;
        };
        match action {
            PhotoAction::Check(files) => {
                self.photo_checks_for = Some(open.id.clone());
                worker.send(PhotoJob::Check(files));
            }
            PhotoAction::Dismiss(sha256) => {
                open.view
                    .photos
                    .pending
                    .retain(|pending| pending.staged.sha256 != sha256);
                worker.send(PhotoJob::Dismiss(sha256));
            }
            PhotoAction::AddChecked => {
                let photos = &mut open.view.photos;
                if photos.pending.is_empty() || photos.keeping {
                    return;
                }
                let added = to_plan_photos(&photos.pending, jiff::Timestamp::now());
                photos.keeping = true;
                let shas = added.iter().map(|photo| photo.sha256.clone()).collect();
                self.photo_keeping = Some((open.id.clone(), added));
                worker.send(PhotoJob::Keep(shas));
            }
            PhotoAction::SetRemoved { sha256, removed } => {
                if open.record.set_photo_removed(&sha256, removed) {
                    open.dirty = true;
                    self.send_pending_save();
                }
            }
            PhotoAction::OpenPairExport { before, after } => {
                let find = |sha: &str| open.record.photos.iter().find(|photo| photo.sha256 == sha);
                let name = match (find(&before), find(&after)) {
                    (Some(first), Some(second)) => format!(
                        "{}-{}-{}.jpg",
                        first
                            .view
                            .chars()
                            .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
                            .collect::<String>(),
                        first.taken,
                        second.taken
                    ),
                    _ => "photographs.jpg".to_owned(),
                };
                let folder = crate::ui::export_dialog::default_folder(&self.dirs.data);
                open.view.photos.pair_message = None;
                open.view.photos.pair_draft = Some(PairDraft {
                    before,
                    after,
                    path: folder.join(name).display().to_string(),
                    format: PairFormat::Jpeg,
                    replace: false,
                });
            }
            PhotoAction::ExportPair(draft) => {
                let out = std::path::PathBuf::from(draft.path.trim());
                worker.send(PhotoJob::ExportPair(PairOrder {
                    plan: open.id.clone(),
                    first: draft.before,
                    second: draft.after,
                    out,
                    format: Some(draft.format),
                    replace: if draft.replace {
                        Replace::Existing
                    } else {
                        Replace::Never
                    },
                }));
            }
            PhotoAction::Purge { dry_run } => {
                worker.send(PhotoJob::Purge(PurgeOptions { dry_run }));
            }
        }
    }

    /// Hands the screen's requests for thumbnails and pictures to the `photos` thread.
    pub(super) fn send_photo_requests(&mut self) {
        let (Some(open), Some(worker)) = (&mut self.open_plan, &self.photo_worker) else {
            return;
        };
        for request in open.view.photos.take_requests() {
            worker.send(match request {
                PhotoRequest::Thumbnail(sha) => PhotoJob::Thumbnail(sha),
                PhotoRequest::Picture(sha) => PhotoJob::Picture(sha),
            });
        }
    }

    /// Takes what the `photos` thread reported, at most
    /// [`PHOTO_OUTCOMES_PER_FRAME`] a frame; the rest wait for the next frame, which
    /// is asked for at once.
    pub(super) fn poll_photos(&mut self, ctx: &egui::Context) {
        let (outcomes, more) = self
            .photo_worker
            .as_mut()
            .map(|worker| worker.poll_at_most(PHOTO_OUTCOMES_PER_FRAME))
            .unwrap_or_default();
        for outcome in outcomes {
            self.apply_photo_outcome(outcome, ctx);
        }
        if more {
            ctx.request_repaint();
        }
    }

    #[allow(
        clippy::too_many_lines,
        reason = "one arm per outcome of the photos thread"
    )]
    fn apply_photo_outcome(&mut self, outcome: PhotoOutcome, ctx: &egui::Context) {
        let open_id = self.open_plan.as_ref().map(|open| open.id.clone());
        match outcome {
            PhotoOutcome::Checked { file, result } => {
                let for_open = open_id.is_some() && self.photo_checks_for == open_id;
                let Some(open) = self.open_plan.as_mut().filter(|_| for_open) else {
                    if let (Ok(staged), Some(worker)) = (result, &self.photo_worker) {
                        worker.send(PhotoJob::Dismiss(staged.sha256));
                    }
                    self.messages.push(format!(
                        "{} was chosen for a plan that is no longer open; open that plan and add it again",
                        file.display()
                    ));
                    return;
                };
                let photos = &mut open.view.photos;
                match result {
                    Ok(staged) => {
                        let name = file.file_name().map_or_else(
                            || file.display().to_string(),
                            |name| name.to_string_lossy().into_owned(),
                        );
                        let name = crate::untrusted::escape_controls(&name).into_owned();
                        let handle =
                            texture(ctx, &format!("staged-{}", staged.sha256), &staged.thumbnail);
                        let area = open.record.plan.selection.area;
                        let first_view = self
                            .photo_views
                            .for_area(area)
                            .first()
                            .map(|view| view.id.as_str());
                        photos.stage(
                            name,
                            staged,
                            handle,
                            &open.record.plan,
                            first_view,
                            super::today(),
                        );
                    }
                    Err(message) => {
                        photos.checking = photos.checking.saturating_sub(1);
                        photos.refusals.push(message);
                    }
                }
            }
            PhotoOutcome::Kept(result) => {
                let keeping = self.photo_keeping.take();
                let Some((plan, added)) = keeping else {
                    return;
                };
                let Some(open) = self.open_plan.as_mut().filter(|open| open.id == plan) else {
                    self.messages.push(format!(
                        "the photographs were kept, but plan {plan} is no longer open; open it and add them again"
                    ));
                    return;
                };
                open.view.photos.keeping = false;
                match result {
                    Ok(kept) => {
                        open.view
                            .photos
                            .pending
                            .retain(|pending| !kept.contains(&pending.staged.sha256));
                        let count = added.len();
                        let refused = open.view.photos.refusals.len();
                        if open.record.add_photos(added) > 0 {
                            open.dirty = true;
                            self.send_pending_save();
                        }
                        let text = if refused == 0 {
                            format!("{count} photograph(s) added to the plan")
                        } else {
                            format!(
                                "{count} photograph(s) added to the plan, {refused} file(s) refused (named on the plan screen)"
                            )
                        };
                        self.confirm(ctx, text);
                    }
                    Err(message) => {
                        open.view.photos.refusals.push(format!(
                            "{message}; none of these photographs was added to the plan"
                        ));
                    }
                }
            }
            PhotoOutcome::Thumbnail { sha256, result } => {
                let Some(open) = &mut self.open_plan else {
                    return;
                };
                let photos = &mut open.view.photos;
                match result {
                    Ok(pixels) => {
                        let handle = texture(ctx, &format!("thumbnail-{sha256}"), &pixels);
                        let frame = photos.frame();
                        photos.thumbnails.insert(sha256, handle, frame);
                    }
                    Err(message) => photos.thumbnails.fail(sha256, message),
                }
            }
            PhotoOutcome::PairExported(result) => {
                let Some(open) = &mut self.open_plan else {
                    if let Err(message) = result {
                        self.messages
                            .push(format!("The pair was not written: {message}"));
                    }
                    return;
                };
                let photos = &mut open.view.photos;
                photos.pair_exporting = false;
                match result {
                    Ok(file) => {
                        let file = file.display().to_string();
                        photos.pair_draft = None;
                        photos.pair_message = Some(Ok(file.clone()));
                        self.confirm(ctx, format!("The pair was written to {file}"));
                    }
                    Err(message) => photos.pair_message = Some(Err(message)),
                }
            }
            PhotoOutcome::Purged(result) => {
                let text = match result {
                    Ok(report) => purge_text(&report),
                    Err(message) => message,
                };
                match &mut self.open_plan {
                    Some(open) => {
                        open.view.photos.purge.running = false;
                        open.view.photos.purge.message = Some(text);
                    }
                    None => self.messages.push(text),
                }
            }
            PhotoOutcome::Picture { sha256, result } => {
                let Some(open) = &mut self.open_plan else {
                    return;
                };
                let photos = &mut open.view.photos;
                match result {
                    Ok(pixels) => {
                        let handle = texture(ctx, &format!("picture-{sha256}"), &pixels);
                        let frame = photos.frame();
                        photos.pictures.insert(sha256, handle, frame);
                    }
                    Err(message) => {
                        self.messages.push(message.clone());
                        photos.pictures.fail(sha256, message);
                    }
                }
            }
        }
    }
}

/// What a purge did, in a sentence or two.
#[must_use]
pub fn purge_text(report: &PurgeReport) -> String {
    let count = report.purged.len();
    let mut text = match (report.dry_run, count) {
        (_, 0) => "No unused photograph file was found; nothing was deleted.".to_owned(),
        (true, _) => format!(
            "{count} unused photograph file(s), {} kB, would be deleted; nothing was deleted yet.",
            report.bytes.div_ceil(1024)
        ),
        (false, _) => format!(
            "{count} unused photograph file(s) deleted, {} kB.",
            report.bytes.div_ceil(1024)
        ),
    };
    if !report.recent.is_empty() {
        let _ = write!(
            text,
            " {} unused file(s) kept in the last {} hours were left: they may belong to an add still under way.",
            report.recent.len(),
            crate::store::PURGE_GRACE_HOURS
        );
    }
    let _ = write!(
        text,
        " {} photograph(s) that revisions refer to are kept.",
        report.kept
    );
    text
}

impl App {
    /// How many thumbnail and picture textures the open plan's photographs hold, if a
    /// plan is open: what the memory of the gallery follows.
    #[must_use]
    pub fn photo_texture_counts(&self) -> Option<(usize, usize)> {
        self.open_plan.as_ref().map(|open| {
            (
                open.view.photos.thumbnails.len(),
                open.view.photos.pictures.len(),
            )
        })
    }

    /// The comparison shown on the open plan, if any.
    #[must_use]
    pub fn photo_comparison(&self) -> Option<&crate::ui::photos::Comparison> {
        self.open_plan
            .as_ref()
            .and_then(|open| open.view.photos.comparison.as_ref())
    }
}

impl App {
    /// `--compare-photos`: once the plan is open, its first view with two photographs
    /// or more is compared (first and latest).
    pub(super) fn compare_after_open(&mut self) {
        let Some(open) = &mut self.open_plan else {
            return;
        };
        if self.compare_on_open.as_ref() != Some(&open.id) {
            return;
        }
        self.compare_on_open = None;
        let views = self.photo_views.for_area(open.record.plan.selection.area);
        open.view.photos.compare_first_view(&open.record, views);
    }

    /// Whether the open plan's photographs asked for are still on their way (the
    /// screenshot waits for them).
    pub(super) fn is_loading_photos(&self) -> bool {
        self.open_plan.as_ref().is_some_and(|open| {
            let photos = &open.view.photos;
            photos.checking > 0 || photos.keeping || photos.is_waiting()
        })
    }
}
