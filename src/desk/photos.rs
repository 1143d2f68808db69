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

use crate::store::{CheckedPhoto, MAX_PHOTO_BYTES, Store, check_photo, decode_oriented};

/// The longest side, in pixels, of a picture shown in the compare view: enough for a
/// large screen at twice the size, and a bound on memory (2048 x 2048 x 4 bytes).
pub const COMPARE_SIDE_PIXELS: u32 = 2048;

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
}

/// The `photos` thread.
pub struct PhotoWorker {
    jobs: Option<Sender<PhotoJob>>,
    outcomes: Receiver<PhotoOutcome>,
    thread: Option<JoinHandle<()>>,
}

impl PhotoWorker {
    /// Starts the thread, named `photos`; `wake` is called after each outcome.
    ///
    /// # Errors
    /// When the system cannot start a thread.
    pub fn start(store: Store, wake: impl Fn() + Send + 'static) -> std::io::Result<Self> {
        let (jobs, job_receiver) = channel::<PhotoJob>();
        let (sender, outcomes) = channel();
        let thread = std::thread::Builder::new()
            .name("photos".into())
            .spawn(move || {
                let mut staged: BTreeMap<String, CheckedPhoto<'static>> = BTreeMap::new();
                for job in job_receiver {
                    for outcome in run(&store, &mut staged, job) {
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
    pub fn poll(&self) -> Vec<PhotoOutcome> {
        self.outcomes.try_iter().collect()
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

fn run(
    store: &Store,
    staged: &mut BTreeMap<String, CheckedPhoto<'static>>,
    job: PhotoJob,
) -> Vec<PhotoOutcome> {
    match job {
        PhotoJob::Check(files) => files
            .into_iter()
            .map(|file| {
                let result = check_file(&file).map(|(checked, photo)| {
                    staged.insert(photo.sha256.clone(), checked);
                    photo
                });
                PhotoOutcome::Checked { file, result }
            })
            .collect(),
        PhotoJob::Keep(shas) => {
            let mut kept = Vec::with_capacity(shas.len());
            for sha256 in &shas {
                let Some(checked) = staged.get(sha256) else {
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
                staged.remove(sha256);
            }
            vec![PhotoOutcome::Kept(Ok(kept))]
        }
        PhotoJob::Dismiss(sha256) => {
            staged.remove(&sha256);
            Vec::new()
        }
        PhotoJob::Thumbnail(sha256) => {
            let result = store
                .photo_thumbnail(&sha256)
                .map_err(|error| error.to_string())
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
                .and_then(|(_, bytes)| decode_oriented(&bytes).map_err(|error| error.to_string()))
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
    };
    Ok((checked, staged))
}
