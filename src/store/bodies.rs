//! The generated plans of a plan's folder: one file per change of the request, named by
//! the SHA-256 of its bytes (`generated-<sha256>.ron`), written once and never
//! replaced, and re-hashed whenever it is read.
//!
//! A plan's revisions of format version 2 and later name the file they build on; the file is
//! written (and flushed) before the revision that names it, so a revision never names a
//! file that is not there, unless something removed it, which `verify` reports.

use std::io;
use std::path::{Path, PathBuf};

use super::disk::GeneratedFile;
use super::error::{StoreError, write_error};
use super::format::{FORMAT_VERSION, damaged, pretty, sha256_hex, utf8};
use super::fsio::{FileKind, NewFileError, ReadFailure, write_file_new};
use super::medium::{Entry, Medium};
use crate::planning::Plan;

/// The format version of a generated plan's file: its shape has not changed since
/// version 2, so format version 3 writes it exactly as version 2 did, and a plan saved
/// again after an update names the very file it named before.
pub(crate) const GENERATED_FORMAT_VERSION: u32 = 2;

/// What a generated plan's file says it is.
pub(crate) const GENERATED_KIND: &str = "generated plan";

/// The prefix of a generated plan's file name.
const PREFIX: &str = "generated-";
/// Its suffix.
const SUFFIX: &str = ".ron";

/// The file name of the generated plan whose file has this SHA-256.
pub(crate) fn generated_file_name(sha256: &str) -> String {
    format!("{PREFIX}{sha256}{SUFFIX}")
}

/// The SHA-256 a file name says its file has, if it is a generated plan's name of the
/// app's making (64 lowercase hexadecimal digits).
pub(crate) fn generated_sha256_of(name: &str) -> Option<&str> {
    let hash = name.strip_prefix(PREFIX)?.strip_suffix(SUFFIX)?;
    is_sha256(hash).then_some(hash)
}

/// Whether a text is a SHA-256 as the app writes it.
pub(crate) fn is_sha256(text: &str) -> bool {
    text.len() == 64
        && text
            .bytes()
            .all(|byte| byte.is_ascii_digit() || (b'a'..=b'f').contains(&byte))
}

/// Whether a file name looks like a generated plan's, of the app's making or not.
pub(crate) fn looks_generated(name: &str) -> bool {
    name.starts_with(PREFIX)
}

/// The text of a generated plan's file, and its SHA-256.
///
/// # Errors
/// Only if the plan cannot be written as RON.
pub(crate) fn render_generated(plan: &Plan) -> Result<(String, String), ron::Error> {
    let file = GeneratedFile {
        format_version: GENERATED_FORMAT_VERSION,
        kind: GENERATED_KIND.to_owned(),
        plan,
    };
    let mut text = String::from(
        "// Regen Planner generated plan. Do not edit: the file is named by its SHA-256, which the plan's revisions record, and `regen-planner plans verify` reports any change.\n",
    );
    text.push_str(&ron::ser::to_string_pretty(&file, pretty())?);
    text.push('\n');
    let hash = sha256_hex(text.as_bytes());
    Ok((text, hash))
}

/// Why a generated plan a revision names could not be used.
#[derive(Debug)]
pub(crate) enum GeneratedProblem {
    /// Not there.
    Missing,
    /// There, but not what was written: its bytes have another SHA-256.
    Changed {
        /// The SHA-256 it has now.
        actual: String,
    },
    /// Not a regular file, too large, unreadable, or not a generated plan.
    Unreadable(StoreError),
}

impl GeneratedProblem {
    /// The end of a sentence that begins with the file's name.
    pub(crate) fn what(&self, expected: &str) -> String {
        match self {
            GeneratedProblem::Missing => {
                "is missing: the generated plan a revision names was removed or renamed (a save never removes one)".to_owned()
            }
            GeneratedProblem::Changed { actual } => format!(
                "was changed after it was saved: its SHA-256 is {actual}, and its name and the revisions that name it record {expected}"
            ),
            GeneratedProblem::Unreadable(error) => format!("could not be used: {error}"),
        }
    }

    /// The store error for a revision that names this generated plan.
    pub(crate) fn into_error(self, revision: &Path, file: &Path, expected: &str) -> StoreError {
        match self {
            GeneratedProblem::Unreadable(
                error @ (StoreError::NotAFile { .. }
                | StoreError::TooLarge { .. }
                | StoreError::NewerFormat { .. }),
            ) => error,
            problem => StoreError::Damaged {
                file: revision.to_path_buf(),
                line: None,
                column: None,
                what: format!(
                    "it builds on the generated plan {}, which {}",
                    file.display(),
                    problem.what(expected)
                ),
            },
        }
    }
}

/// Reads the generated plan with this SHA-256 from a plan's folder: only a regular file
/// within its size limit, whose bytes have exactly that SHA-256, and which is a
/// generated plan of a format version this app reads.
pub(crate) fn read_generated(
    medium: &dyn Medium,
    folder: &str,
    id: &str,
    sha256: &str,
) -> Result<Plan, GeneratedProblem> {
    let entry = Entry::Generated(sha256);
    let file = medium.locate(folder, id, entry);
    let bytes = match medium.read(folder, id, entry) {
        Ok(bytes) => bytes,
        Err(failure) if failure.is_not_found() => return Err(GeneratedProblem::Missing),
        Err(failure) => {
            return Err(GeneratedProblem::Unreadable(read_error(&file, failure)));
        }
    };
    let actual = sha256_hex(&bytes);
    if actual != sha256 {
        return Err(GeneratedProblem::Changed { actual });
    }
    parse_generated(&file, &bytes).map_err(GeneratedProblem::Unreadable)
}

/// Reads a generated plan's file whose hash was checked.
fn parse_generated(file: &Path, bytes: &[u8]) -> Result<Plan, StoreError> {
    #[derive(serde::Deserialize)]
    struct Probe {
        #[serde(default)]
        format_version: u32,
    }
    let text = utf8(file, bytes)?;
    let probe: Probe = ron::from_str(text).map_err(|error| damaged(file, text, &error))?;
    if probe.format_version > GENERATED_FORMAT_VERSION {
        return Err(StoreError::NewerFormat {
            file: file.to_path_buf(),
            found: probe.format_version,
            supported: FORMAT_VERSION,
        });
    }
    let parsed: GeneratedFile<Plan> =
        ron::from_str(text).map_err(|error| damaged(file, text, &error))?;
    if parsed.kind != GENERATED_KIND || parsed.format_version != GENERATED_FORMAT_VERSION {
        return Err(StoreError::Damaged {
            file: file.to_path_buf(),
            line: None,
            column: None,
            what: format!(
                "it holds a {} of format version {} where a generated plan of version {GENERATED_FORMAT_VERSION} belongs",
                crate::untrusted::for_message(&parsed.kind),
                parsed.format_version
            ),
        });
    }
    Ok(parsed.plan)
}

fn read_error(file: &Path, failure: ReadFailure) -> StoreError {
    super::fsio::read_failure(file, FileKind::Generated, failure, |file| {
        StoreError::Read {
            file,
            cause: io::Error::from(io::ErrorKind::NotFound),
        }
    })
}

/// Writes a generated plan's file into a plan's folder that others may see, unless a
/// file of that name is there; one that is there is used only if its bytes have the
/// SHA-256 its name says (else the save stops: something else put it there).
pub(crate) fn write_generated(
    medium: &dyn Medium,
    folder: &str,
    id: &str,
    text: &str,
    sha256: &str,
    label: &str,
) -> Result<PathBuf, StoreError> {
    let entry = Entry::Generated(sha256);
    let file = medium.locate(folder, id, entry);
    match medium.create(folder, id, entry, text.as_bytes()) {
        Ok(()) => Ok(file),
        Err(NewFileError::Exists) => match read_generated(medium, folder, id, sha256) {
            Ok(_) => Ok(file),
            Err(problem) => Err(StoreError::Unverified {
                record: label.to_owned(),
                file: file.clone(),
                what: problem.what(sha256),
            }),
        },
        Err(NewFileError::Io(source)) => Err(write_error(label, &file, source)),
    }
}

/// Writes a generated plan's file into a record's folder being built under `tmp/`.
pub(crate) fn stage_generated(
    dir: &Path,
    text: &[u8],
    sha256: &str,
    label: &str,
) -> Result<(), StoreError> {
    let file = dir.join(generated_file_name(sha256));
    write_file_new(&file, text).map_err(|source| write_error(label, &file, source))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_names_the_app_gives_are_generated_plans() {
        let hash = "a".repeat(64);
        assert_eq!(
            generated_sha256_of(&generated_file_name(&hash)),
            Some(hash.as_str())
        );
        for name in [
            "generated-.ron",
            "generated-abc.ron",
            &format!("generated-{}.ron", "A".repeat(64)),
            &format!("generated-{hash}.ron.tmp"),
            "revision-000001.ron",
        ] {
            assert_eq!(generated_sha256_of(name), None, "{name}");
        }
    }
}
