//! Where photograph originals are kept: the seam under [`Store`]'s photographs, so that
//! the data folder and a database follow the same rules.
//!
//! A keeper only stores and hands back bytes under their SHA-256; everything that
//! makes a photograph trustworthy is done once, above it, in `photos.rs`: a new
//! original is written only when nothing is under its hash (an identical one already
//! there is checked to hash to its key, and one that does not is named, never
//! replaced), every read re-hashes the bytes, and a thumbnail is derived data, made
//! again whenever its cache does not hold a good one.
//!
//! - [`FolderOriginals`]: `photos/<sha256>.jpg|png` in the data folder, thumbnails in
//!   `photos/thumbnails/` beside them (shared by every desk of the folder, so each is
//!   checked byte for byte against one made again).
//! - [`DatabaseOriginals`]: the `photos` table (`sha256` primary key, `body` bytea),
//!   written with `INSERT ... ON CONFLICT DO NOTHING`; thumbnails in a folder of this
//!   desk's own ([`Store::with_thumbnail_cache`]), or made in memory each time when it
//!   has none. Nothing is ever written under the store's `data_dir()`, which on a
//!   database is not a folder.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

use super::bodies::is_sha256;
use super::database::Database;
use super::fsio::{FileKind, NewFileError, ReadFailure, read_regular, write_new};
use super::photo_bytes::{MAX_PHOTO_BYTES, PhotoFormat};
use super::photos::PhotoError;

/// The folder of photographs inside the data folder.
pub(crate) const PHOTO_FOLDER: &str = "photos";
/// The folder of thumbnails inside the photographs' folder (and inside a database's
/// thumbnail cache).
pub(crate) const THUMBNAIL_FOLDER: &str = "thumbnails";

/// How many bytes of a photograph one statement reads from a database: 4 MiB take
/// under 5 s (the statement timeout) on a network of 7 Mbit/s or more.
const READ_SLICE_BYTES: i64 = 4 * 1024 * 1024;

/// How far a thumbnail cache is trusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CacheTrust {
    /// Shared with other desks (the data folder): a cached thumbnail is used only when
    /// its bytes are those of one made again from the original.
    Shared,
    /// This desk's own private folder: a cached thumbnail is used when it decodes as a
    /// PNG of the original's shape, and made again when it does not.
    OwnDesk,
}

/// Where a keeper's thumbnails are cached.
#[derive(Debug, Clone)]
pub(crate) struct ThumbnailCache {
    /// The folder of `<sha256>.png` files.
    pub(crate) dir: PathBuf,
    /// The folder new files are written in before they get their name.
    pub(crate) tmp: PathBuf,
    /// How far it is trusted.
    pub(crate) trust: CacheTrust,
}

impl ThumbnailCache {
    /// The cached thumbnail's file for an original.
    pub(crate) fn file(&self, sha256: &str) -> PathBuf {
        self.dir.join(format!("{sha256}.png"))
    }
}

/// An original as a keeper holds it, not yet checked against its hash.
#[derive(Debug)]
pub(crate) struct Found {
    /// Where it is, for messages.
    pub(crate) location: PathBuf,
    /// Its format, when the keeper records one (a file's extension).
    pub(crate) format: Option<PhotoFormat>,
    /// Its bytes, as stored.
    pub(crate) bytes: Vec<u8>,
}

/// One original a keeper holds, as listed (its bytes not read).
#[derive(Debug, Clone)]
pub(crate) struct Listed {
    /// The hash it is kept under.
    pub(crate) sha256: String,
    /// Its format, when the keeper records one.
    pub(crate) format: Option<PhotoFormat>,
    /// Its size in bytes.
    pub(crate) bytes: u64,
    /// When it was written, when the keeper knows.
    pub(crate) modified: Option<SystemTime>,
}

/// Where photograph originals are kept. `sha256` is always 64 lowercase hexadecimal
/// digits, checked before a keeper is asked.
pub(crate) trait Originals: fmt::Debug + Send + Sync {
    /// Where an original is, or would be kept, for messages.
    fn locate(&self, sha256: &str, format: PhotoFormat) -> PathBuf;

    /// Where the originals are, for messages about all of them.
    fn location(&self) -> PathBuf;

    /// Keeps `bytes` (whose SHA-256 is `sha256`) unless something is already kept under
    /// that hash; never replaces what is there.
    ///
    /// # Errors
    /// [`NewFileError::Exists`] when something is under the hash (left as it is); else
    /// why it was not written, with nothing left under the hash.
    fn create(&self, sha256: &str, format: PhotoFormat, bytes: &[u8]) -> Result<(), NewFileError>;

    /// The bytes kept under a hash, as stored, refusing more than
    /// [`MAX_PHOTO_BYTES`].
    ///
    /// # Errors
    /// [`PhotoError::Missing`] when nothing is kept under it; else what kept it from
    /// being read.
    fn read(&self, sha256: &str) -> Result<Found, PhotoError>;

    /// Every original kept, by hash.
    ///
    /// # Errors
    /// When they cannot be listed.
    fn list(&self) -> Result<Vec<Listed>, PhotoError>;

    /// Where thumbnails are cached, if anywhere.
    fn thumbnail_cache(&self) -> Option<ThumbnailCache>;

    /// The error of a [`Originals::create`] that failed with `cause`.
    fn write_error(&self, file: PathBuf, cause: io::Error) -> PhotoError {
        PhotoError::Io {
            doing: "write",
            file,
            cause,
        }
    }
}

/// The originals in the data folder's `photos` folder.
#[derive(Debug, Clone)]
pub(crate) struct FolderOriginals {
    data_dir: Arc<PathBuf>,
}

impl FolderOriginals {
    /// The originals of a data folder.
    pub(crate) fn new(data_dir: Arc<PathBuf>) -> Self {
        Self { data_dir }
    }

    fn dir(&self) -> PathBuf {
        self.data_dir.join(PHOTO_FOLDER)
    }

    fn read_file(sha256: &str, file: &Path) -> Result<Vec<u8>, PhotoError> {
        match read_regular(file, FileKind::Photo) {
            Ok(bytes) => Ok(bytes),
            Err(failure) if failure.is_not_found() => Err(PhotoError::Missing {
                sha256: sha256.to_owned(),
                file: file.to_path_buf(),
            }),
            Err(ReadFailure::Io(cause)) => Err(PhotoError::Io {
                doing: "read",
                file: file.to_path_buf(),
                cause,
            }),
            Err(ReadFailure::NotAFile { what }) => Err(PhotoError::NotAPhotoFile {
                file: file.to_path_buf(),
                what,
            }),
            Err(ReadFailure::TooLarge { len, limit }) => Err(PhotoError::NotAPhotoFile {
                file: file.to_path_buf(),
                what: format!("it is {len} bytes, more than the {limit} a photograph may have"),
            }),
        }
    }
}

impl Originals for FolderOriginals {
    fn locate(&self, sha256: &str, format: PhotoFormat) -> PathBuf {
        self.dir().join(format!("{sha256}.{}", format.extension()))
    }

    fn location(&self) -> PathBuf {
        self.dir()
    }

    fn create(&self, sha256: &str, format: PhotoFormat, bytes: &[u8]) -> Result<(), NewFileError> {
        let tmp = self.data_dir.join("tmp");
        super::fsio::create_private_dir(&self.dir().join(THUMBNAIL_FOLDER))
            .and_then(|()| super::fsio::create_private_dir(&tmp))
            .map_err(NewFileError::Io)?;
        write_new(&tmp, &self.locate(sha256, format), bytes)
    }

    fn read(&self, sha256: &str) -> Result<Found, PhotoError> {
        for format in [PhotoFormat::Jpeg, PhotoFormat::Png] {
            let file = self.locate(sha256, format);
            match Self::read_file(sha256, &file) {
                Err(PhotoError::Missing { .. }) => {}
                Err(other) => return Err(other),
                Ok(bytes) => {
                    return Ok(Found {
                        location: file,
                        format: Some(format),
                        bytes,
                    });
                }
            }
        }
        Err(PhotoError::Missing {
            sha256: sha256.to_owned(),
            file: self.locate(sha256, PhotoFormat::Jpeg),
        })
    }

    fn list(&self) -> Result<Vec<Listed>, PhotoError> {
        let dir = self.dir();
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(cause) => {
                return Err(PhotoError::Io {
                    doing: "list",
                    file: dir,
                    cause,
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
            let format = match extension {
                "jpg" => PhotoFormat::Jpeg,
                "png" => PhotoFormat::Png,
                _ => continue,
            };
            // Only regular files, never followed through a link.
            let Ok(metadata) = std::fs::symlink_metadata(entry.path()) else {
                continue;
            };
            if is_sha256(stem) && metadata.is_file() {
                found.push(Listed {
                    sha256: stem.to_owned(),
                    format: Some(format),
                    bytes: metadata.len(),
                    modified: metadata.modified().ok(),
                });
            }
        }
        found.sort_by(|a, b| a.sha256.cmp(&b.sha256));
        Ok(found)
    }

    fn thumbnail_cache(&self) -> Option<ThumbnailCache> {
        Some(ThumbnailCache {
            dir: self.dir().join(THUMBNAIL_FOLDER),
            tmp: self.data_dir.join("tmp"),
            trust: CacheTrust::Shared,
        })
    }
}

/// The originals in a database's `photos` table.
#[derive(Debug, Clone)]
pub(crate) struct DatabaseOriginals {
    database: Arc<Database>,
    /// This desk's folder of cached thumbnails, if it has one.
    cache: Option<Arc<PathBuf>>,
}

impl DatabaseOriginals {
    /// The originals of a database, with thumbnails cached in `cache` (a folder of
    /// this desk's own) or, without one, made in memory each time.
    pub(crate) fn new(database: Arc<Database>, cache: Option<PathBuf>) -> Self {
        Self {
            database,
            cache: cache.map(Arc::new),
        }
    }

    fn io(error: &super::database::DatabaseError) -> io::Error {
        io::Error::other(error.to_string())
    }
}

impl Originals for DatabaseOriginals {
    fn locate(&self, sha256: &str, _format: PhotoFormat) -> PathBuf {
        PathBuf::from(format!(
            "postgresql://{}/{PHOTO_FOLDER}/{sha256}",
            self.database.server()
        ))
    }

    fn location(&self) -> PathBuf {
        PathBuf::from(format!(
            "postgresql://{}/{PHOTO_FOLDER}",
            self.database.server()
        ))
    }

    fn create(&self, sha256: &str, _format: PhotoFormat, bytes: &[u8]) -> Result<(), NewFileError> {
        let inserted = self
            .database
            .with_client(|client| {
                client.execute(
                    "INSERT INTO photos (sha256, body) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                    &[&sha256, &bytes],
                )
            })
            .map_err(|error| NewFileError::Io(Self::io(&error)))?;
        if inserted == 1 {
            Ok(())
        } else {
            Err(NewFileError::Exists)
        }
    }

    fn read(&self, sha256: &str) -> Result<Found, PhotoError> {
        let location = self.locate(sha256, PhotoFormat::Jpeg);
        let failed = |error: super::database::DatabaseError| PhotoError::Database {
            doing: "read",
            file: location.clone(),
            what: error.to_string(),
        };
        let missing = || PhotoError::Missing {
            sha256: sha256.to_owned(),
            file: location.clone(),
        };
        // The size first, so that a body larger than a photograph may be is never sent.
        let len: i64 = self
            .database
            .with_client(|client| {
                client.query_opt(
                    "SELECT octet_length(body)::bigint FROM photos WHERE sha256 = $1",
                    &[&sha256],
                )
            })
            .map_err(failed)?
            .ok_or_else(missing)?
            .get(0);
        let size = u64::try_from(len).unwrap_or(0);
        if size > MAX_PHOTO_BYTES {
            return Err(PhotoError::NotAPhotoFile {
                file: location,
                what: format!(
                    "it is {size} bytes, more than the {MAX_PHOTO_BYTES} a photograph may have"
                ),
            });
        }
        // Then the bytes, a slice per statement, so that each statement ends within
        // the statement timeout on a slower network too. The app never changes a row;
        // one changed between two slices is found by the re-hash above this.
        let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
        while (bytes.len() as u64) < size {
            let from = i64::try_from(bytes.len())
                .unwrap_or(i64::MAX)
                .saturating_add(1);
            let row = self
                .database
                .with_client(|client| {
                    client.query_opt(
                        "SELECT substring(body FROM $2::bigint::integer FOR $3::bigint::integer) FROM photos WHERE sha256 = $1",
                        &[&sha256, &from, &READ_SLICE_BYTES],
                    )
                })
                .map_err(failed)?
                .ok_or_else(missing)?;
            let slice: Vec<u8> = row.get(0);
            if slice.is_empty() {
                break;
            }
            bytes.extend_from_slice(&slice);
            if bytes.len() as u64 > MAX_PHOTO_BYTES {
                return Err(PhotoError::NotAPhotoFile {
                    file: location,
                    what: format!(
                        "it grew past the {MAX_PHOTO_BYTES} bytes a photograph may have while it was read"
                    ),
                });
            }
        }
        Ok(Found {
            location,
            format: None,
            bytes,
        })
    }

    fn list(&self) -> Result<Vec<Listed>, PhotoError> {
        let rows = self
            .database
            .with_client(|client| {
                client.query(
                    "SELECT sha256, octet_length(body)::bigint FROM photos ORDER BY sha256",
                    &[],
                )
            })
            .map_err(|error| PhotoError::Database {
                doing: "listed",
                file: self.location(),
                what: error.to_string(),
            })?;
        Ok(rows
            .iter()
            .filter_map(|row| {
                let sha256: String = row.get(0);
                let bytes: i64 = row.get(1);
                is_sha256(&sha256).then(|| Listed {
                    sha256,
                    format: None,
                    bytes: u64::try_from(bytes).unwrap_or(0),
                    modified: None,
                })
            })
            .collect())
    }

    fn write_error(&self, file: PathBuf, cause: io::Error) -> PhotoError {
        PhotoError::Database {
            doing: "written",
            file,
            what: cause.to_string(),
        }
    }

    fn thumbnail_cache(&self) -> Option<ThumbnailCache> {
        self.cache.as_ref().map(|dir| ThumbnailCache {
            dir: dir.join(THUMBNAIL_FOLDER),
            tmp: dir.join("tmp"),
            trust: CacheTrust::OwnDesk,
        })
    }
}
