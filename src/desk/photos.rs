//! The window's work with photographs, on a thread named `photos`, so that the UI
//! thread never reads a file nor decodes an image: checking dropped or chosen files,
//! keeping them in the data folder once the physician adds them to a plan, and the
//! thumbnails and the compare view's pictures as plain RGBA pixels.
//!
//! A file is checked whole (format, size, claimed pixels, every pixel) when it is
//! chosen, and its bytes wait here, in memory, until the physician adds it to the plan
//! or dismisses it: nothing is written to the data folder for a photograph that is not
//! added, and nothing of a refused one.

use std::collections::BTreeMap;
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::thread::JoinHandle;

use crate::export::{
    PAIR_HEIGHT_PIXELS, PairError, PairFormat, PairSide, pair_caption, photo_pair,
};
use crate::planning::days_since_first_session;
use crate::store::{
    CheckedPhoto, ExportGuard, MAX_PHOTO_BYTES, PhotoError, PlanId, PurgeError, PurgeOptions,
    PurgeReport, Replace, Store, StoreError, check_photo, decode_reduced, write_export,
};

/// The longest side, in pixels, of a picture shown in the compare view: enough for a
/// large screen at twice the size, and a bound on memory (2048 x 2048 x 4 bytes).
pub const COMPARE_SIDE_PIXELS: u32 = 2048;

/// How many bytes of thumbnails (PNG) the `photos` thread keeps in memory, made or
/// checked against their originals since the window opened, so that scrolling back
/// does not read and decode the originals again.
const THUMBNAIL_MEMORY_BYTES: usize = 32 * 1024 * 1024;

/// An image as pixels, ready for a texture.
#[derive(Clone, PartialEq, Eq)]
pub struct Pixels {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Red, green, blue and alpha, one byte each, row by row.
    pub rgba: Vec<u8>,
}

impl std::fmt::Debug for Pixels {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Pixels({} x {})", self.width, self.height)
    }
}

/// A chosen file that passed every check, waiting to be added.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Staged {
    /// The SHA-256 of its bytes: its id once kept.
    pub sha256: String,
    /// Width as shown (the camera's orientation applied).
    pub width: u32,
    /// Height as shown.
    pub height: u32,
    /// Its thumbnail.
    pub thumbnail: Pixels,
    /// The day the camera says it was taken (Exif), if it says one.
    pub exif_taken: Option<jiff::civil::Date>,
}

/// Something for the `photos` thread.
#[derive(Debug)]
pub enum PhotoJob {
    /// Read and check these files (dropped on the window or chosen).
    Check(Vec<PathBuf>),
    /// Keep these checked photographs in the data folder.
    Keep(Vec<String>),
    /// Forget a checked photograph that was not added.
    Dismiss(String),
    /// The thumbnail of a kept photograph.
    Thumbnail(String),
    /// A kept photograph for the compare view, at most [`COMPARE_SIDE_PIXELS`] a side.
    Picture(String),
    /// Write a before/after pair for the patient.
    ExportPair(PairOrder),
    /// Delete the photographs' files no revision refers to (or, in a dry run, say
    /// which).
    Purge(PurgeOptions),
}

/// What the `photos` thread reports.
#[derive(Debug)]
pub enum PhotoOutcome {
    /// A chosen file was checked: ready to be tagged and added, or refused.
    Checked {
        /// The file.
        file: PathBuf,
        /// The photograph, or why it was refused, as a sentence.
        result: Result<Staged, String>,
    },
    /// Checked photographs were kept (all of them), or not (then the plan must not
    /// refer to them).
    Kept(Result<Vec<String>, String>),
    /// A thumbnail, or why it could not be read.
    Thumbnail {
        /// The photograph.
        sha256: String,
        /// Its pixels.
        result: Result<Pixels, String>,
    },
    /// A picture for the compare view.
    Picture {
        /// The photograph.
        sha256: String,
        /// Its pixels.
        result: Result<Pixels, String>,
    },
    /// A pair was written (the file), or why not.
    PairExported(Result<PathBuf, String>),
    /// The purge's report, or why nothing was purged.
    Purged(Result<PurgeReport, String>),
}

/// A before/after pair to write for the patient: two photographs of a plan, the
/// earlier on the left whatever the order given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PairOrder {
    /// The plan they are on: their dates and visits come from it.
    pub plan: PlanId,
    /// One photograph, by SHA-256.
    pub first: String,
    /// The other.
    pub second: String,
    /// The file to write.
    pub out: PathBuf,
    /// PNG or JPEG; `None` takes it from the file name's extension.
    pub format: Option<PairFormat>,
    /// Whether a file already there is replaced.
    pub replace: Replace,
}

/// Why a pair was not written.
#[derive(Debug, thiserror::Error)]
pub enum PairExportError {
    /// The plan could not be read, or the file not written.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A photograph could not be read.
    #[error(transparent)]
    Photo(#[from] PhotoError),
    /// The pair could not be drawn.
    #[error(transparent)]
    Pair(#[from] PairError),
    /// A photograph is not on the plan.
    #[error(
        "photograph '{photo}' is not on plan {plan}; `regen-planner photos list {plan}` shows its photographs; nothing was written"
    )]
    NotOnPlan {
        /// The id given.
        photo: String,
        /// The plan.
        plan: String,
    },
    /// The same photograph twice.
    #[error("a pair needs two different photographs; nothing was written")]
    SamePhoto,
    /// The file name says neither PNG nor JPEG, and no format was given.
    #[error("{} ends in neither .png nor .jpg; name the file so, or give --format png or jpeg; nothing was written", .0.display())]
    NoFormat(PathBuf),
}

/// Writes a before/after pair ([`crate::export::photo_pair`]): the two photographs
/// of the plan side by side, the earlier on the left, each captioned with its day, its
/// visit and its days since session 1; no metadata of the originals. The command line
/// and the window both export through here.
///
/// # Errors
/// When a photograph is not on the plan or cannot be read, the file is refused by the
/// guard (an app folder, a file already there), or it cannot be written.
pub fn export_pair(
    store: &Store,
    guard: &ExportGuard,
    order: &PairOrder,
) -> Result<PathBuf, PairExportError> {
    let format = order
        .format
        .or_else(|| PairFormat::from_file_name(&order.out))
        .ok_or_else(|| PairExportError::NoFormat(order.out.clone()))?;
    if order.first == order.second {
        return Err(PairExportError::SamePhoto);
    }
    let record = store.load_plan(&order.plan)?.value;
    let find = |sha: &str| {
        record
            .photos
            .iter()
            .find(|photo| photo.sha256 == sha)
            .ok_or_else(|| PairExportError::NotOnPlan {
                photo: crate::untrusted::for_message(sha),
                plan: order.plan.to_string(),
            })
    };
    let mut pair = [find(&order.first)?, find(&order.second)?];
    if pair[1].taken < pair[0].taken {
        pair.swap(0, 1);
    }
    let target = guard.check(&order.out, order.replace)?;
    let mut images = Vec::with_capacity(2);
    let mut captions = Vec::with_capacity(2);
    for (which, photo) in ["Before", "After"].into_iter().zip(pair) {
        let (_, bytes) = store.read_photo(&photo.sha256)?;
        images.push(decode_reduced(&bytes, PAIR_HEIGHT_PIXELS * 3 / 2).map_err(PhotoError::from)?);
        captions.push(pair_caption(
            which,
            photo.taken,
            photo
                .moment
                .map(crate::planning::PhotoMoment::label)
                .as_deref(),
            days_since_first_session(&record.plan, photo.taken),
        ));
    }
    let bytes = photo_pair(
        PairSide {
            image: &images[0],
            caption: &captions[0],
        },
        PairSide {
            image: &images[1],
            caption: &captions[1],
        },
        format,
    )?;
    write_export(&target, &bytes)?;
    Ok(target.path)
}

/// The `photos` thread.
pub struct PhotoWorker {
    jobs: Option<Sender<PhotoJob>>,
    outcomes: Receiver<PhotoOutcome>,
    held: std::collections::VecDeque<PhotoOutcome>,
    thread: Option<JoinHandle<()>>,
}

impl PhotoWorker {
    /// Starts the thread, named `photos`; `wake` is called after each outcome.
    ///
    /// # Errors
    /// When the system cannot start a thread.
    pub fn start(
        store: Store,
        guard: ExportGuard,
        wake: impl Fn() + Send + 'static,
    ) -> std::io::Result<Self> {
        let (jobs, job_receiver) = channel::<PhotoJob>();
        let (sender, outcomes) = channel();
        let thread = std::thread::Builder::new()
            .name("photos".into())
            .spawn(move || {
                let mut desk = Desk {
                    store,
                    guard,
                    staged: BTreeMap::new(),
                    thumbnails: ThumbnailMemory::default(),
                };
                for job in job_receiver {
                    for outcome in desk.run(job) {
                        if sender.send(outcome).is_err() {
                            return;
                        }
                        wake();
                    }
                }
            })?;
        Ok(Self {
            jobs: Some(jobs),
            outcomes,
            held: std::collections::VecDeque::new(),
            thread: Some(thread),
        })
    }

    /// Queues a job; if the thread is gone (it stops only when the window closes), the
    /// job is dropped and logged.
    pub fn send(&self, job: PhotoJob) {
        let sent = self
            .jobs
            .as_ref()
            .is_some_and(|jobs| jobs.send(job).is_ok());
        if !sent {
            tracing::error!("the photos thread is gone; a photograph job was dropped");
        }
    }

    /// What arrived since the last call; never waits.
    #[must_use]
    pub fn poll(&mut self) -> Vec<PhotoOutcome> {
        let mut all: Vec<PhotoOutcome> = self.held.drain(..).collect();
        all.extend(self.outcomes.try_iter());
        all
    }

    /// At most `limit` of what arrived, oldest first, and whether more is waiting;
    /// never waits.
    #[must_use]
    pub fn poll_at_most(&mut self, limit: usize) -> (Vec<PhotoOutcome>, bool) {
        let mut taken = Vec::with_capacity(limit);
        while taken.len() < limit {
            match self.held.pop_front() {
                Some(outcome) => taken.push(outcome),
                None => match self.outcomes.try_recv() {
                    Ok(outcome) => taken.push(outcome),
                    Err(_) => return (taken, false),
                },
            }
        }
        // Whether one more is there is known only by taking it: it is held for the
        // next call.
        if self.held.is_empty()
            && let Ok(outcome) = self.outcomes.try_recv()
        {
            self.held.push_back(outcome);
        }
        let more = !self.held.is_empty();
        (taken, more)
    }
}

impl Drop for PhotoWorker {
    /// Lets a keep already asked for finish.
    fn drop(&mut self) {
        self.jobs = None;
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Thumbnails the `photos` thread made or checked since the window opened, PNG bytes
/// by SHA-256, at most [`THUMBNAIL_MEMORY_BYTES`] in all (the oldest go first).
#[derive(Default)]
struct ThumbnailMemory {
    by_sha: BTreeMap<String, Vec<u8>>,
    order: std::collections::VecDeque<String>,
    bytes: usize,
}

impl ThumbnailMemory {
    fn get(&self, sha256: &str) -> Option<&[u8]> {
        self.by_sha.get(sha256).map(Vec::as_slice)
    }

    fn keep(&mut self, sha256: &str, png: &[u8]) {
        if self.by_sha.contains_key(sha256) || png.len() > THUMBNAIL_MEMORY_BYTES {
            return;
        }
        while self.bytes + png.len() > THUMBNAIL_MEMORY_BYTES {
            let Some(oldest) = self.order.pop_front() else {
                break;
            };
            if let Some(dropped) = self.by_sha.remove(&oldest) {
                self.bytes -= dropped.len();
            }
        }
        self.bytes += png.len();
        self.order.push_back(sha256.to_owned());
        self.by_sha.insert(sha256.to_owned(), png.to_vec());
    }
}

/// What the `photos` thread holds.
struct Desk {
    store: Store,
    guard: ExportGuard,
    staged: BTreeMap<String, CheckedPhoto<'static>>,
    thumbnails: ThumbnailMemory,
}

impl Desk {
    fn run(&mut self, job: PhotoJob) -> Vec<PhotoOutcome> {
        let store = &self.store;
        match job {
            PhotoJob::Check(files) => files
                .into_iter()
                .map(|file| {
                    let result = check_file(&file).map(|(checked, photo)| {
                        self.staged.insert(photo.sha256.clone(), checked);
                        photo
                    });
                    PhotoOutcome::Checked { file, result }
                })
                .collect(),
            PhotoJob::Keep(shas) => {
                let mut kept = Vec::with_capacity(shas.len());
                for sha256 in &shas {
                    let Some(checked) = self.staged.get(sha256) else {
                        return vec![PhotoOutcome::Kept(Err(
                            "a photograph to add was no longer waiting; choose it again".to_owned(),
                        ))];
                    };
                    match store.keep_photo(checked).map_err(|error| error.to_string()) {
                        Ok(stored) => kept.push(stored.sha256),
                        Err(message) => return vec![PhotoOutcome::Kept(Err(message))],
                    }
                }
                for sha256 in &shas {
                    if let Some(checked) = self.staged.remove(sha256) {
                        // The thumbnail just made is the gallery's: no second decode.
                        self.thumbnails.keep(sha256, checked.thumbnail_png());
                    }
                }
                vec![PhotoOutcome::Kept(Ok(kept))]
            }
            PhotoJob::Dismiss(sha256) => {
                self.staged.remove(&sha256);
                Vec::new()
            }
            PhotoJob::Thumbnail(sha256) => {
                let png = match self.thumbnails.get(&sha256) {
                    Some(png) => Ok(png.to_vec()),
                    None => store
                        .photo_thumbnail(&sha256)
                        .inspect(|png| self.thumbnails.keep(&sha256, png))
                        .map_err(|error| error.to_string()),
                };
                let result = png
                    .and_then(|png| {
                        image::load_from_memory_with_format(&png, image::ImageFormat::Png)
                            .map_err(|error| format!("the thumbnail cannot be read: {error}"))
                    })
                    .map(|image| pixels(&image));
                vec![PhotoOutcome::Thumbnail { sha256, result }]
            }
            PhotoJob::Picture(sha256) => {
                let result = store
                    .read_photo(&sha256)
                    .map_err(|error| error.to_string())
                    .and_then(|(_, bytes)| {
                        decode_reduced(&bytes, COMPARE_SIDE_PIXELS)
                            .map_err(|error| error.to_string())
                    })
                    .map(|image| {
                        let image = if image.width().max(image.height()) > COMPARE_SIDE_PIXELS {
                            image.resize(
                                COMPARE_SIDE_PIXELS,
                                COMPARE_SIDE_PIXELS,
                                image::imageops::FilterType::Triangle,
                            )
                        } else {
                            image
                        };
                        pixels(&image)
                    });
                vec![PhotoOutcome::Picture { sha256, result }]
            }
            PhotoJob::ExportPair(order) => {
                // The window's default folder for exports may not exist yet: it is
                // made here, off the UI thread, as the export dialog's is.
                if let Some(folder) = order
                    .out
                    .parent()
                    .filter(|folder| !folder.as_os_str().is_empty() && !folder.exists())
                    && let Err(error) = std::fs::create_dir_all(folder)
                {
                    return vec![PhotoOutcome::PairExported(Err(format!(
                        "the folder {} could not be made ({error}); choose another",
                        folder.display()
                    )))];
                }
                vec![PhotoOutcome::PairExported(
                    export_pair(store, &self.guard, &order).map_err(|error| error.to_string()),
                )]
            }
            PhotoJob::Purge(options) => vec![PhotoOutcome::Purged(
                store
                    .purge_photos(options)
                    .map_err(|error: PurgeError| error.to_string()),
            )],
        }
    }
}

fn pixels(image: &image::DynamicImage) -> Pixels {
    let rgba = image.to_rgba8();
    Pixels {
        width: rgba.width(),
        height: rgba.height(),
        rgba: rgba.into_raw(),
    }
}

/// Reads a chosen file (a regular file, at most [`MAX_PHOTO_BYTES`], read with that
/// bound) and checks it whole.
fn check_file(file: &Path) -> Result<(CheckedPhoto<'static>, Staged), String> {
    let name = file.file_name().map_or_else(
        || file.display().to_string(),
        |name| name.to_string_lossy().into_owned(),
    );
    let refused =
        |why: String| crate::untrusted::escape_controls(&format!("{name}: {why}")).into_owned();
    let metadata =
        std::fs::metadata(file).map_err(|error| refused(format!("could not be read ({error})")))?;
    if !metadata.is_file() {
        return Err(refused(
            "is not a file; choose the photograph's file".to_owned(),
        ));
    }
    let mut bytes = Vec::new();
    std::fs::File::open(file)
        .and_then(|opened| opened.take(MAX_PHOTO_BYTES + 1).read_to_end(&mut bytes))
        .map_err(|error| refused(format!("could not be read ({error})")))?;
    let checked = check_photo(bytes).map_err(|refusal| refused(refusal.to_string()))?;
    let thumbnail =
        image::load_from_memory_with_format(checked.thumbnail_png(), image::ImageFormat::Png)
            .map_err(|error| refused(format!("its thumbnail cannot be made ({error})")))?;
    let staged = Staged {
        sha256: checked.sha256.clone(),
        width: checked.probe.width,
        height: checked.probe.height,
        thumbnail: pixels(&thumbnail),
        exif_taken: checked.exif_taken,
    };
    Ok((checked, staged))
}
