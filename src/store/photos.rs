//! Clinical photographs: each original stored once, write-only, named by the SHA-256
//! of its bytes. In a data folder it is `photos/<sha256>.jpg` or `.png`, with its
//! thumbnail beside it (`photos/thumbnails/<sha256>.png`, named by the original's
//! hash), owner-only like every file of the app; on a database it is a row of the
//! `photos` table, its thumbnail cached in a folder of the desk's own. Where they are
//! kept is the business of `originals.rs`; the rules below are the same for both.
//!
//! An original is never replaced: the same photograph added twice is stored once, and
//! a file already under its name that holds other bytes (damaged, or put there by
//! hand) is reported and left alone. Every read re-hashes the bytes, so a changed or
//! missing photograph is named, never shown as if it were the one recorded. The
//! thumbnail is made again from the original whenever it is missing or is not the
//! thumbnail of that original (its bytes are always the same for the same original),
//! so it is never trusted either.
//!
//! Which photographs belong to a plan, with their view, date and session, is the
//! plan's business and is kept in its revisions; this file only keeps the bytes.

use std::io;
use std::path::{Path, PathBuf};

use super::bodies::is_sha256;
use super::folder::Store;
use super::format::sha256_hex;
use super::fsio::{FileKind, NewFileError, create_private_dir, read_regular};
pub(crate) use super::originals::PHOTO_FOLDER;
use super::originals::{CacheTrust, THUMBNAIL_FOLDER};
use super::photo_bytes::{
    PhotoFormat, PhotoProbe, PhotoRefusal, exif_taken_date, probe, sniff, thumbnail_fits,
    thumbnail_png,
};
use super::verify::VerifyProblem;

/// A photograph kept in the data folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredPhoto {
    /// The SHA-256 of the original's bytes, in hex: its name.
    pub sha256: String,
    /// What its header says: format, size as shown, orientation.
    pub probe: PhotoProbe,
    /// The original's size in bytes.
    pub bytes: u64,
    /// False when an identical photograph was already kept (nothing new was written).
    pub is_new: bool,
}

/// A photograph that could not be kept or read.
#[derive(Debug, thiserror::Error)]
pub enum PhotoError {
    /// The bytes are not a photograph the app keeps; nothing was stored.
    #[error("{0}")]
    Refused(#[from] PhotoRefusal),
    /// The id is not a SHA-256.
    #[error("'{0}' is not a photograph's id; ids are the 64 characters `photos list` prints")]
    BadId(String),
    /// No photograph of that id is kept (in the data folder or on the database).
    #[error(
        "photograph {sha256} is missing (it should be {}); restore it from a backup",
        file.display()
    )]
    Missing {
        /// Its id.
        sha256: String,
        /// Where it should be.
        file: PathBuf,
    },
    /// The file under the photograph's name holds other bytes.
    #[error(
        "photograph file {} has changed since it was stored (its bytes no longer have the SHA-256 in its name); it was left as it is: restore it from a backup",
        file.display()
    )]
    Changed {
        /// The file.
        file: PathBuf,
    },
    /// The file is not a regular file, or larger than a photograph may be.
    #[error("photograph file {} is refused: {what}; move it away and restore the photograph from a backup", file.display())]
    NotAPhotoFile {
        /// The file.
        file: PathBuf,
        /// What is wrong, in words.
        what: String,
    },
    /// The database could not be asked for the photograph, or could not keep it.
    #[error("photograph {} could not be {doing}: {what}", file.display())]
    Database {
        /// "read", "written" or "listed".
        doing: &'static str,
        /// Where it is on the database.
        file: PathBuf,
        /// Why, as the database's sentence.
        what: String,
    },
    /// The system could not read or write the file.
    #[error("could not {doing} photograph file {}: {cause}; check the disk and the data folder's permissions, and try again; nothing was overwritten", file.display())]
    Io {
        /// "read" or "write".
        doing: &'static str,
        /// The file.
        file: PathBuf,
        /// Why.
        cause: io::Error,
    },
}

/// A photograph whose bytes were checked whole (header, size, every pixel decoded) and
/// whose thumbnail is made, not yet stored: [`check_photo`], then [`Store::keep_photo`].
#[derive(Debug, Clone)]
pub struct CheckedPhoto<'a> {
    bytes: std::borrow::Cow<'a, [u8]>,
    /// What its header says.
    pub probe: PhotoProbe,
    thumbnail: Vec<u8>,
    /// The SHA-256 of its bytes, in hex: the id it will be kept under.
    pub sha256: String,
    /// The day the camera says it was taken, from its Exif data, if it says one.
    pub exif_taken: Option<jiff::civil::Date>,
}

/// Checks a photograph before anything is stored: its format, size and claimed pixels
/// ([`probe`]), then all of its image data, by making its thumbnail from one reduced
/// decode (every block of a JPEG is still decoded; a PNG is decoded whole).
///
/// # Errors
/// [`PhotoRefusal`] in one sentence; nothing is stored.
pub fn check_photo<'a>(
    bytes: impl Into<std::borrow::Cow<'a, [u8]>>,
) -> Result<CheckedPhoto<'a>, PhotoRefusal> {
    let bytes = bytes.into();
    let probe = probe(&bytes)?;
    // Decoding the whole image once here refuses a file whose header is fine but whose
    // pixels are not, before anything is written.
    let thumbnail = thumbnail_png(&bytes)?;
    let sha256 = sha256_hex(&bytes);
    let exif_taken = exif_taken_date(&bytes);
    Ok(CheckedPhoto {
        bytes,
        probe,
        thumbnail,
        sha256,
        exif_taken,
    })
}

impl CheckedPhoto<'_> {
    /// Its thumbnail, a PNG ([`thumbnail_png`]).
    #[must_use]
    pub fn thumbnail_png(&self) -> &[u8] {
        &self.thumbnail
    }
}

/// How long a photograph's file is safe from [`Store::purge_photos`] after it was
/// kept, in hours: an add at another desk keeps the file before it saves the plan.
pub const PURGE_GRACE_HOURS: u64 = 24;

/// How [`Store::purge_photos`] runs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PurgeOptions {
    /// Only say what would be deleted.
    pub dry_run: bool,
}

/// What [`Store::purge_photos`] did (or, in a dry run, would do).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PurgeReport {
    /// Whether this was a dry run (nothing deleted).
    pub dry_run: bool,
    /// The photographs deleted (or that would be), by SHA-256.
    pub purged: Vec<String>,
    /// Their bytes, originals and thumbnails.
    pub bytes: u64,
    /// Photographs no revision names, kept because they are recent.
    pub recent: Vec<String>,
    /// Photographs kept because a revision names them.
    pub kept: usize,
}

/// Why a purge deleted nothing, or stopped.
#[derive(Debug, thiserror::Error)]
pub enum PurgeError {
    /// The data folder has problems: a plan that cannot be read might refer to any
    /// photograph, so nothing is deleted.
    #[error(
        "nothing was purged: the data folder has {count} problem(s) (first: {first}); run `plans verify`, restore what it names from a backup, then purge again"
    )]
    NotVerified {
        /// How many problems.
        count: usize,
        /// The first, in words.
        first: String,
    },
    /// The store is on a database, whose `photos` table records no time a photograph
    /// was kept: the grace period that spares an add still under way at another desk
    /// cannot be told, so nothing is purged there.
    #[error(
        "photographs are not purged on a database: it records no time each was kept, so one being added at another desk right now could not be told from one left over; nothing was deleted"
    )]
    OnDatabase,
    /// A file could not be listed or deleted.
    #[error("the purge stopped after {done} photograph(s): {error}")]
    Delete {
        /// What failed.
        error: PhotoError,
        /// How many photographs were deleted before.
        done: usize,
    },
}

/// A photograph's files in the data folder.
#[derive(Debug)]
struct PhotoBlob {
    sha256: String,
    original: Option<PhotoFormat>,
    has_thumbnail: bool,
    bytes: u64,
    modified: Option<std::time::SystemTime>,
}

impl PhotoBlob {
    fn new(sha256: String) -> Self {
        Self {
            sha256,
            original: None,
            has_thumbnail: false,
            bytes: 0,
            modified: None,
        }
    }
}

/// One photograph a plan refers to, for [`Store::verify_photos`].
#[derive(Debug, Clone, Copy)]
pub struct PhotoReference<'a> {
    /// The plan's id.
    pub plan: &'a str,
    /// The photograph's SHA-256.
    pub sha256: &'a str,
}

impl Store {
    /// Re-hashes every photograph the plans refer to (each file once) and names each
    /// that went missing, changed or cannot be read, with the plans that refer to it.
    /// Reads only; nothing is changed.
    #[must_use]
    pub fn verify_photos<'a>(
        &self,
        references: impl IntoIterator<Item = PhotoReference<'a>>,
    ) -> Vec<VerifyProblem> {
        let mut plans_of: std::collections::BTreeMap<&str, Vec<&str>> =
            std::collections::BTreeMap::new();
        for reference in references {
            let plans = plans_of.entry(reference.sha256).or_default();
            if !plans.contains(&reference.plan) {
                plans.push(reference.plan);
            }
        }
        let mut problems = Vec::new();
        for (sha256, plans) in plans_of {
            let Err(error) = self.read_photo(sha256) else {
                continue;
            };
            let file = match &error {
                PhotoError::Missing { file, .. }
                | PhotoError::Changed { file }
                | PhotoError::NotAPhotoFile { file, .. }
                | PhotoError::Io { file, .. }
                | PhotoError::Database { file, .. } => file.clone(),
                PhotoError::Refused(_) | PhotoError::BadId(_) => self.originals().location(),
            };
            problems.push(VerifyProblem {
                file,
                what: format!("a photograph of plan {}: {error}", plans.join(", plan ")),
            });
        }
        problems
    }

    /// [`Store::verify_photos`] for the photographs of the newest readable revision of
    /// each of these plans (a removed photograph stays in the record, so the newest
    /// revision names every photograph the plan ever had). A plan that cannot be read
    /// is left to the check of its chain.
    pub(crate) fn verify_photos_of_plans(&self, plan_ids: &[String]) -> Vec<VerifyProblem> {
        let records: Vec<(String, Vec<String>)> = plan_ids
            .iter()
            .filter_map(|id| {
                let id: super::ids::PlanId = id.parse().ok()?;
                let loaded = self.load_plan_checked(&id).ok()?;
                let shas = loaded
                    .revision
                    .value
                    .photos
                    .iter()
                    .map(|photo| photo.sha256.clone())
                    .collect();
                Some((id.to_string(), shas))
            })
            .collect();
        self.verify_photos(records.iter().flat_map(|(plan, shas)| {
            shas.iter()
                .map(move |sha256| PhotoReference { plan, sha256 })
        }))
    }

    /// Deletes the photographs' files that no revision of any plan refers to: the
    /// deliberate purge of issue 15's "the file stays until no revision refers to it".
    ///
    /// A revision is never changed, and taking a photograph off a plan is a new
    /// revision that marks it removed, so a photograph any revision ever named stays
    /// named by that revision for good: it is never purged. What is purged is what no
    /// revision ever named: an add that was interrupted between keeping the file and
    /// saving the plan, or a save that failed after its photographs were kept. Every
    /// revision of every plan is read, not only the newest, and the purge refuses to
    /// delete anything when the data folder does not verify clean (a plan that cannot
    /// be read might refer to any photograph). A file kept in the last
    /// [`PURGE_GRACE_HOURS`] hours is left too: it may belong to an add still under way
    /// at another desk. The thumbnail of a purged photograph goes with it, and so does a
    /// thumbnail whose original is gone.
    ///
    /// # Errors
    /// When the data folder has problems (named in one sentence, nothing deleted), or a
    /// file cannot be listed or deleted (the report then names what was deleted before).
    pub fn purge_photos(&self, options: PurgeOptions) -> Result<PurgeReport, PurgeError> {
        if self.database().is_some() {
            return Err(PurgeError::OnDatabase);
        }
        let verified = self.verify();
        if let Some(first) = verified.problems.first() {
            return Err(PurgeError::NotVerified {
                count: verified.problems.len(),
                first: format!("{}: {}", first.file.display(), first.what),
            });
        }
        let referenced = self.photos_named_by_any_revision()?;
        let blobs = self.list_photo_blobs()?;
        let now = std::time::SystemTime::now();
        let grace = std::time::Duration::from_hours(PURGE_GRACE_HOURS);
        let mut report = PurgeReport {
            dry_run: options.dry_run,
            ..PurgeReport::default()
        };
        for blob in blobs {
            if referenced.contains(&blob.sha256) {
                report.kept += 1;
                continue;
            }
            let is_recent = blob.modified.is_none_or(|modified| {
                now.duration_since(modified).map_or(true, |age| age < grace)
            });
            if blob.original.is_some() && is_recent {
                report.recent.push(blob.sha256);
                continue;
            }
            if !options.dry_run {
                self.delete_photo_blob(&blob)
                    .map_err(|error| PurgeError::Delete {
                        error,
                        done: report.purged.len(),
                    })?;
            }
            report.bytes += blob.bytes;
            report.purged.push(blob.sha256);
        }
        Ok(report)
    }

    /// The SHA-256 of every photograph named by any revision of any plan.
    fn photos_named_by_any_revision(
        &self,
    ) -> Result<std::collections::BTreeSet<String>, PurgeError> {
        let folder = self.folder_of::<crate::store::PlanRecord>();
        let unreadable = |what: String| PurgeError::NotVerified {
            count: 1,
            first: what,
        };
        let mut named = std::collections::BTreeSet::new();
        let entries = match std::fs::read_dir(&folder) {
            Ok(entries) => entries,
            Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(named),
            Err(error) => {
                return Err(unreadable(format!(
                    "{} could not be listed ({error})",
                    folder.display()
                )));
            }
        };
        for entry in entries {
            let entry = entry.map_err(|error| {
                unreadable(format!(
                    "{} could not be listed ({error})",
                    folder.display()
                ))
            })?;
            let Some(name) = entry.file_name().to_str().map(str::to_owned) else {
                continue;
            };
            let Ok(id) = name.parse::<super::ids::PlanId>() else {
                continue;
            };
            let numbers = self
                .existing_revisions::<crate::store::PlanRecord>(id.as_str())
                .map_err(|error| unreadable(error.to_string()))?;
            for number in numbers {
                let revision = self
                    .load_plan_revision(&id, number)
                    .map_err(|error| unreadable(error.to_string()))?;
                named.extend(revision.value.photos.into_iter().map(|photo| photo.sha256));
            }
        }
        Ok(named)
    }

    /// Every photograph's files in the data folder, by SHA-256: the original and the
    /// thumbnail, whichever are there. Files not named as the app names them are not
    /// the app's and are left out.
    fn list_photo_blobs(&self) -> Result<Vec<PhotoBlob>, PurgeError> {
        let mut blobs: std::collections::BTreeMap<String, PhotoBlob> =
            std::collections::BTreeMap::new();
        let listed = |dir: &Path| -> Result<Vec<(String, String, std::fs::Metadata)>, PurgeError> {
            let entries = match std::fs::read_dir(dir) {
                Ok(entries) => entries,
                Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
                Err(cause) => {
                    return Err(PurgeError::Delete {
                        error: PhotoError::Io {
                            doing: "list",
                            file: dir.to_path_buf(),
                            cause,
                        },
                        done: 0,
                    });
                }
            };
            let mut found = Vec::new();
            for entry in entries.flatten() {
                let Some(name) = entry.file_name().to_str().map(str::to_owned) else {
                    continue;
                };
                let Some((stem, extension)) = name.split_once('.') else {
                    continue;
                };
                // Only regular files, never followed through a link.
                let Ok(metadata) = std::fs::symlink_metadata(entry.path()) else {
                    continue;
                };
                if is_sha256(stem) && metadata.is_file() {
                    found.push((stem.to_owned(), extension.to_owned(), metadata));
                }
            }
            Ok(found)
        };
        let originals = self
            .originals()
            .list()
            .map_err(|error| PurgeError::Delete { error, done: 0 })?;
        for listed in originals {
            let blob = blobs
                .entry(listed.sha256.clone())
                .or_insert_with(|| PhotoBlob::new(listed.sha256));
            blob.original = Some(listed.format.unwrap_or(PhotoFormat::Jpeg));
            blob.bytes += listed.bytes;
            blob.modified = listed.modified;
        }
        for (sha256, extension, metadata) in listed(&self.photo_dir().join(THUMBNAIL_FOLDER))? {
            if extension != "png" {
                continue;
            }
            let blob = blobs
                .entry(sha256.clone())
                .or_insert_with(|| PhotoBlob::new(sha256));
            blob.has_thumbnail = true;
            blob.bytes += metadata.len();
        }
        Ok(blobs.into_values().collect())
    }

    /// Deletes a photograph's files: the original, then its thumbnail.
    fn delete_photo_blob(&self, blob: &PhotoBlob) -> Result<(), PhotoError> {
        let mut files = Vec::new();
        if let Some(format) = blob.original {
            files.push(self.photo_file(&blob.sha256, format));
        }
        if blob.has_thumbnail {
            files.push(self.thumbnail_file(&blob.sha256));
        }
        for file in files {
            match std::fs::remove_file(&file) {
                Ok(()) => {}
                Err(cause) if cause.kind() == io::ErrorKind::NotFound => {}
                Err(cause) => {
                    return Err(PhotoError::Io {
                        doing: "delete",
                        file,
                        cause,
                    });
                }
            }
        }
        super::fsio::sync_dir(&self.photo_dir()).map_err(|cause| PhotoError::Io {
            doing: "delete",
            file: self.photo_dir(),
            cause,
        })
    }

    /// The data folder's photographs' folder (the purge's, on a data folder only).
    fn photo_dir(&self) -> PathBuf {
        self.data_dir().join(PHOTO_FOLDER)
    }

    /// Where the original with this hash and format is kept in the data folder.
    fn photo_file(&self, sha256: &str, format: PhotoFormat) -> PathBuf {
        self.photo_dir()
            .join(format!("{sha256}.{}", format.extension()))
    }

    fn thumbnail_file(&self, sha256: &str) -> PathBuf {
        self.photo_dir()
            .join(THUMBNAIL_FOLDER)
            .join(format!("{sha256}.png"))
    }

    /// Keeps a photograph: checks it (format, size, claimed pixels, a whole file),
    /// stores the original under its SHA-256 unless an identical one is there, and makes
    /// its thumbnail. Nothing is stored when it is refused.
    ///
    /// # Errors
    /// When the bytes are refused ([`PhotoRefusal`]), a different file is already under
    /// the photograph's name, or the disk cannot be written.
    pub fn add_photo(&self, bytes: &[u8]) -> Result<StoredPhoto, PhotoError> {
        self.keep_photo(&check_photo(bytes)?)
    }

    /// Keeps a photograph already checked with [`check_photo`]: the second half of
    /// [`Store::add_photo`], so that a batch is checked whole before any of it is
    /// stored.
    ///
    /// # Errors
    /// When a different file is already under the photograph's name, or the disk cannot
    /// be written.
    pub fn keep_photo(&self, checked: &CheckedPhoto<'_>) -> Result<StoredPhoto, PhotoError> {
        let CheckedPhoto {
            ref bytes,
            probe,
            ref thumbnail,
            ref sha256,
            ..
        } = *checked;
        let bytes: &[u8] = bytes;
        let sha256 = sha256.clone();
        let is_new = match self.originals().create(&sha256, probe.format, bytes) {
            Ok(()) => true,
            Err(NewFileError::Exists) => {
                // What is there must be this photograph: one that no longer hashes to its
                // name is damaged, named, and left as it is.
                self.read_photo(&sha256)?;
                false
            }
            Err(NewFileError::Io(cause)) => {
                let file = self.originals().locate(&sha256, probe.format);
                return Err(self.originals().write_error(file, cause));
            }
        };
        self.keep_thumbnail(&sha256, thumbnail)?;
        Ok(StoredPhoto {
            sha256,
            probe,
            bytes: bytes.len() as u64,
            is_new,
        })
    }

    /// The original bytes of a photograph, checked against its hash.
    ///
    /// # Errors
    /// When the id is not a hash, the photograph is missing, its file changed, or it
    /// cannot be read.
    pub fn read_photo(&self, sha256: &str) -> Result<(PhotoFormat, Vec<u8>), PhotoError> {
        if !is_sha256(sha256) {
            return Err(PhotoError::BadId(crate::untrusted::for_message(sha256)));
        }
        let found = self.originals().read(sha256)?;
        if sha256_hex(&found.bytes) != sha256 {
            return Err(PhotoError::Changed {
                file: found.location,
            });
        }
        let format = match found.format {
            Some(format) => format,
            None => sniff(&found.bytes)?,
        };
        Ok((format, found.bytes))
    }

    /// The thumbnail of a photograph (a PNG): only of an original that is there and
    /// whole (it is read and re-hashed first), taken from the cache when the cache holds
    /// a good one, else made again from the original and cached. A data folder's
    /// cache is shared with the other desks, so its thumbnail must be byte for byte the
    /// one the original gives; a database's is the desk's own folder, so its thumbnail
    /// must decode as a PNG of the original's shape.
    ///
    /// # Errors
    /// As [`Store::read_photo`], and when the thumbnail cannot be written.
    pub fn photo_thumbnail(&self, sha256: &str) -> Result<Vec<u8>, PhotoError> {
        let (_, original) = self.read_photo(sha256)?;
        let cache = self.originals().thumbnail_cache();
        let cached = cache
            .as_ref()
            .and_then(|cache| read_regular(&cache.file(sha256), FileKind::Thumbnail).ok());
        if let (Some(cache), Some(kept)) = (&cache, &cached)
            && cache.trust == CacheTrust::OwnDesk
            && probe(&original).is_ok_and(|probe| thumbnail_fits(kept, &probe))
        {
            return Ok(kept.clone());
        }
        let expected = thumbnail_png(&original)?;
        if cached.as_ref() == Some(&expected) {
            return Ok(expected);
        }
        self.keep_thumbnail(sha256, &expected)?;
        Ok(expected)
    }

    /// Writes the thumbnail into the cache, replacing one that is wrong (a thumbnail is
    /// never a record: it is made from the original, always the same). Without a
    /// cache, nothing is written.
    fn keep_thumbnail(&self, sha256: &str, thumbnail: &[u8]) -> Result<(), PhotoError> {
        let Some(cache) = self.originals().thumbnail_cache() else {
            return Ok(());
        };
        let file = cache.file(sha256);
        if read_regular(&file, FileKind::Thumbnail).is_ok_and(|kept| kept == thumbnail) {
            return Ok(());
        }
        let io_error = |file: &Path| {
            let file = file.to_path_buf();
            move |cause| PhotoError::Io {
                doing: "write",
                file,
                cause,
            }
        };
        create_private_dir(&cache.dir).map_err(io_error(&cache.dir))?;
        create_private_dir(&cache.tmp).map_err(io_error(&cache.tmp))?;
        super::fsio::write_replace(&cache.tmp, &file, thumbnail).map_err(io_error(&file))
    }
}

#[cfg(test)]
mod tests {
    use super::super::photo_bytes::fixtures::{jpeg, png_claiming};
    use super::*;

    fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("data")).unwrap();
        (dir, store)
    }

    fn files_under(dir: &Path) -> usize {
        walk(dir).len()
    }

    fn walk(dir: &Path) -> Vec<PathBuf> {
        let mut found = Vec::new();
        if let Ok(entries) = std::fs::read_dir(dir) {
            for entry in entries.flatten() {
                let path = entry.path();
                if path.is_dir() {
                    found.extend(walk(&path));
                } else {
                    found.push(path);
                }
            }
        }
        found
    }

    #[test]
    fn the_same_photograph_is_kept_once_under_its_hash() {
        let (_dir, store) = store();
        let photo = jpeg(120, 80, Some(6), true);
        let first = store.add_photo(&photo).unwrap();
        assert!(first.is_new);
        assert_eq!(first.sha256, sha256_hex(&photo));
        assert_eq!((first.probe.width, first.probe.height), (80, 120));
        let again = store.add_photo(&photo).unwrap();
        assert!(!again.is_new);
        assert_eq!(again.sha256, first.sha256);
        let photos = store.data_dir().join(PHOTO_FOLDER);
        assert_eq!(files_under(&photos), 2, "{:?}", walk(&photos));
        let (format, bytes) = store.read_photo(&first.sha256).unwrap();
        assert_eq!((format, bytes), (PhotoFormat::Jpeg, photo));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            for file in walk(&photos) {
                let mode = std::fs::metadata(&file).unwrap().permissions().mode();
                assert_eq!(mode & 0o077, 0, "{} is readable by others", file.display());
            }
        }
    }

    #[test]
    fn a_refused_photograph_leaves_nothing_behind() {
        let (_dir, store) = store();
        for bad in [
            png_claiming(50_000, 50_000),
            b"not a photograph at all".to_vec(),
            {
                let photo = jpeg(200, 100, None, false);
                photo[..photo.len() - 200].to_vec()
            },
        ] {
            assert!(matches!(store.add_photo(&bad), Err(PhotoError::Refused(_))));
        }
        assert_eq!(files_under(&store.data_dir().join(PHOTO_FOLDER)), 0);
    }

    #[test]
    fn a_changed_or_missing_photograph_is_named_and_left_alone() {
        let (_dir, store) = store();
        let photo = jpeg(64, 64, None, false);
        let kept = store.add_photo(&photo).unwrap();
        let file = store.photo_file(&kept.sha256, PhotoFormat::Jpeg);
        let mut changed = photo.clone();
        let middle = changed.len() / 2;
        changed[middle] ^= 0x01;
        std::fs::write(&file, &changed).unwrap();
        let error = store.read_photo(&kept.sha256).unwrap_err();
        assert!(matches!(error, PhotoError::Changed { .. }), "{error}");
        assert!(error.to_string().contains(&kept.sha256), "{error}");
        // Adding the photograph again does not overwrite the changed file.
        assert!(matches!(
            store.add_photo(&photo),
            Err(PhotoError::Changed { .. })
        ));
        assert_eq!(std::fs::read(&file).unwrap(), changed);
        std::fs::remove_file(&file).unwrap();
        assert!(matches!(
            store.read_photo(&kept.sha256),
            Err(PhotoError::Missing { .. })
        ));
        assert!(matches!(
            store.read_photo("../../etc/passwd"),
            Err(PhotoError::BadId(_))
        ));
    }

    #[test]
    fn a_wrong_or_missing_thumbnail_is_made_again_from_the_original() {
        let (_dir, store) = store();
        let photo = jpeg(800, 600, None, false);
        let kept = store.add_photo(&photo).unwrap();
        let right = store.photo_thumbnail(&kept.sha256).unwrap();
        let file = store.thumbnail_file(&kept.sha256);
        std::fs::write(&file, jpeg(10, 10, None, false)).unwrap();
        assert_eq!(store.photo_thumbnail(&kept.sha256).unwrap(), right);
        assert_eq!(std::fs::read(&file).unwrap(), right);
        std::fs::remove_file(&file).unwrap();
        assert_eq!(store.photo_thumbnail(&kept.sha256).unwrap(), right);
    }

    #[test]
    fn a_backup_copies_the_photographs_and_leaves_out_a_changed_one() {
        let (dir, store) = store();
        let whole = store.add_photo(&jpeg(64, 64, None, false)).unwrap();
        let damaged = store.add_photo(&jpeg(32, 96, Some(3), false)).unwrap();
        let file = store.photo_file(&damaged.sha256, PhotoFormat::Jpeg);
        let mut bytes = std::fs::read(&file).unwrap();
        let middle = bytes.len() / 2;
        bytes[middle] ^= 0x40;
        std::fs::write(&file, &bytes).unwrap();
        let dest = dir.path().join("backup");
        let report = store.backup(&dest).unwrap();
        let copy = Store::open(&dest).unwrap();
        assert_eq!(
            copy.read_photo(&whole.sha256).unwrap().1,
            store.read_photo(&whole.sha256).unwrap().1
        );
        assert!(matches!(
            copy.read_photo(&damaged.sha256),
            Err(PhotoError::Missing { .. })
        ));
        assert!(
            report
                .skipped
                .iter()
                .any(|problem| problem.file == file && problem.what.contains("changed")),
            "{:?}",
            report.skipped
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_pipe_or_a_link_where_a_photograph_should_be_is_refused_quickly() {
        let (dir, store) = store();
        let photo = jpeg(64, 64, None, false);
        let kept = store.add_photo(&photo).unwrap();
        let file = store.photo_file(&kept.sha256, PhotoFormat::Jpeg);
        std::fs::remove_file(&file).unwrap();
        let outside = dir.path().join("outside.jpg");
        std::fs::write(&outside, &photo).unwrap();
        std::os::unix::fs::symlink(&outside, &file).unwrap();
        assert!(matches!(
            store.read_photo(&kept.sha256),
            Err(PhotoError::NotAPhotoFile { .. })
        ));
        std::fs::remove_file(&file).unwrap();
        let status = std::process::Command::new("mkfifo")
            .arg(&file)
            .status()
            .unwrap();
        assert!(status.success());
        let started = std::time::Instant::now();
        assert!(store.read_photo(&kept.sha256).is_err());
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
    }
}

#[cfg(test)]
mod plan_tests {
    use std::collections::BTreeSet;

    use super::super::photo_bytes::fixtures::jpeg;
    use super::*;
    use crate::catalog::{Area, Catalog, CellSource, Indication, Modality, Selection};
    use crate::planning::{PhotoMoment, PlanPhoto, PlanRequest, generate, moment_for};
    use crate::store::{Patient, PlanRecord};

    /// A new data folder with one saved plan of PRP for hair loss: the folder, its
    /// store, the plan's record, its id and its first revision.
    fn scalp_plan() -> (
        tempfile::TempDir,
        Store,
        PlanRecord,
        crate::store::PlanId,
        crate::store::Revision<PlanRecord>,
    ) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("data")).unwrap();
        let (catalog, _) = Catalog::builtin();
        let request = PlanRequest::new(
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
        let plan = generate(&catalog, &request).unwrap();
        let (patient, _) = store
            .create_patient(&Patient::new("Ana Souza"), "Dr. Vega")
            .unwrap();
        let record = PlanRecord::new(patient, request, plan);
        let (id, first) = store.create_plan(&record, "Dr. Vega").unwrap();
        (dir, store, record, id, first)
    }

    #[test]
    fn a_plan_keeps_its_photographs_through_its_revisions() {
        let (_dir, store, mut record, id, first) = scalp_plan();
        let kept = store.add_photo(&jpeg(90, 60, Some(6), true)).unwrap();
        let taken = record.plan.sessions[0].date;
        let photo = PlanPhoto {
            sha256: kept.sha256.clone(),
            view: "vertex".into(),
            taken,
            moment: moment_for(&record.plan, taken),
            width: kept.probe.width,
            height: kept.probe.height,
            added_at: jiff::Timestamp::from_second(1_800_000_000).unwrap(),
            removed: false,
        };
        assert_eq!(photo.moment, Some(PhotoMoment::Session(1)));
        assert_eq!(record.add_photos([photo.clone(), photo.clone()]), 1);
        let second = store
            .save_plan(&id, first.number, &record, "Dr. Vega")
            .unwrap();
        assert_eq!(store.load_plan(&id).unwrap().value.photos, vec![photo]);
        assert!(record.set_photo_removed(&kept.sha256, true));
        store
            .save_plan(&id, second.number, &record, "Dr. Vega")
            .unwrap();
        let loaded = store.load_plan(&id).unwrap().value;
        assert!(loaded.photos[0].removed);
        assert_eq!(record.add_photos([loaded.photos[0].clone()]), 1);
        assert!(!record.photos[0].removed);
        assert!(!record.set_photo_removed(&"0".repeat(64), true));
        assert!(store.verify().is_ok(), "{:?}", store.verify().problems);
    }

    /// Sets a file's modification time `hours` back.
    fn age(file: &std::path::Path, hours: u64) {
        let opened = std::fs::File::options().write(true).open(file).unwrap();
        let then = std::time::SystemTime::now() - std::time::Duration::from_hours(hours);
        opened.set_modified(then).unwrap();
    }

    #[test]
    fn a_purge_deletes_only_files_no_revision_ever_named() {
        let (_dir, store, mut record, id, first) = scalp_plan();
        // On the plan in revision 2, taken off in revision 3: an older revision still
        // names it, so it is never purged.
        let removed = store.add_photo(&jpeg(90, 60, None, false)).unwrap();
        // On the plan in every revision since.
        let shown = store.add_photo(&jpeg(60, 90, None, false)).unwrap();
        // Kept, but the plan was never saved with it (an interrupted add).
        let orphan = store.add_photo(&jpeg(70, 70, None, true)).unwrap();
        // The same, but kept a moment ago: it may be an add under way at another desk.
        let fresh = store.add_photo(&jpeg(50, 50, None, false)).unwrap();
        let taken = record.plan.sessions[0].date;
        let photo = |kept: &StoredPhoto| PlanPhoto {
            sha256: kept.sha256.clone(),
            view: "vertex".into(),
            taken,
            moment: moment_for(&record.plan, taken),
            width: kept.probe.width,
            height: kept.probe.height,
            added_at: jiff::Timestamp::from_second(1_800_000_000).unwrap(),
            removed: false,
        };
        let photos = [photo(&removed), photo(&shown)];
        record.add_photos(photos);
        let second = store
            .save_plan(&id, first.number, &record, "Dr. Vega")
            .unwrap();
        record.set_photo_removed(&removed.sha256, true);
        store
            .save_plan(&id, second.number, &record, "Dr. Vega")
            .unwrap();
        for kept in [&removed, &shown, &orphan] {
            age(&store.photo_file(&kept.sha256, PhotoFormat::Jpeg), 48);
        }
        // An orphan thumbnail, its original gone.
        let stray = "ab".repeat(32);
        std::fs::write(store.thumbnail_file(&stray), b"thumbnail").unwrap();

        let dry = store.purge_photos(PurgeOptions { dry_run: true }).unwrap();
        let mut expected = vec![orphan.sha256.clone(), stray.clone()];
        expected.sort();
        assert_eq!(dry.purged, expected);
        assert_eq!(dry.recent, vec![fresh.sha256.clone()]);
        assert_eq!(dry.kept, 2);
        assert!(
            store.read_photo(&orphan.sha256).is_ok(),
            "a dry run deletes nothing"
        );

        let done = store.purge_photos(PurgeOptions::default()).unwrap();
        assert_eq!(done.purged, expected);
        assert!(matches!(
            store.read_photo(&orphan.sha256),
            Err(PhotoError::Missing { .. })
        ));
        assert!(!store.thumbnail_file(&orphan.sha256).exists());
        assert!(!store.thumbnail_file(&stray).exists());
        for kept in [&removed, &shown, &fresh] {
            assert!(store.read_photo(&kept.sha256).is_ok());
            assert!(store.thumbnail_file(&kept.sha256).exists());
        }
        assert!(store.verify().is_ok(), "{:?}", store.verify().problems);
        let again = store.purge_photos(PurgeOptions::default()).unwrap();
        assert!(again.purged.is_empty());
    }

    #[test]
    fn a_purge_deletes_nothing_when_a_revision_cannot_be_read() {
        let (_dir, store, _, id, _) = scalp_plan();
        let orphan = store.add_photo(&jpeg(70, 70, None, false)).unwrap();
        age(&store.photo_file(&orphan.sha256, PhotoFormat::Jpeg), 48);
        let history = store.history(&id).unwrap();
        let file = &history[0].file;
        let mut bytes = std::fs::read(file).unwrap();
        let middle = bytes.len() / 2;
        bytes[middle] ^= 0x20;
        std::fs::write(file, &bytes).unwrap();
        let error = store.purge_photos(PurgeOptions::default()).unwrap_err();
        assert!(matches!(error, PurgeError::NotVerified { .. }), "{error}");
        assert!(
            error.to_string().starts_with("nothing was purged"),
            "{error}"
        );
        assert!(store.read_photo(&orphan.sha256).is_ok());
    }
}
