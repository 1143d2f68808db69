//! What the app does with the plan's photographs: files dropped on the window, the
//! checks and keeps on the `photos` thread, the textures made from what it reports,
//! and the photographs added to (or taken off) the open plan as a new revision.

use egui::{ColorImage, TextureOptions};

use super::{App, Screen};
use crate::desk::photos::{PhotoJob, PhotoOutcome, Pixels};
use crate::ui::action::Action;
use crate::ui::photos::{PhotoAction, PhotoRequest, to_plan_photos};

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

    /// Takes what the `photos` thread reported.
    pub(super) fn poll_photos(&mut self, ctx: &egui::Context) {
        let outcomes = self
            .photo_worker
            .as_ref()
            .map(crate::desk::photos::PhotoWorker::poll)
            .unwrap_or_default();
        for outcome in outcomes {
            self.apply_photo_outcome(outcome, ctx);
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
                        if open.record.add_photos(added) > 0 {
                            open.dirty = true;
                            self.send_pending_save();
                        }
                        self.confirm(ctx, format!("{count} photograph(s) added to the plan"));
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
