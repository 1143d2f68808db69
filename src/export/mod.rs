//! A plan in, bytes out: the text a physician reads, JSON and RON for other systems, and
//! the PDFs a patient takes home (the handout and the consent form).

pub mod agenda;
mod calendar;
mod chart;
mod consent;
mod document;
mod fhir;
mod fonts;
mod handout;
mod layout;
mod parts;
mod pdf;
mod photo_pair;
mod progress;
mod shared;
mod text;
mod wording;

pub use calendar::calendar_ics;
pub use consent::consent_pdf;
pub use document::{
    ClinicDetails, Document, PatientDetails, PerformedSession, PhysicianNote, PhysicianTask, Price,
    ScoreLine, treatment_parts,
};
pub use fhir::fhir_bundle_json;
pub use handout::handout_pdf;
pub use photo_pair::{
    PAIR_HEIGHT_PIXELS, PairError, PairFormat, PairSide, pair_caption, photo_pair,
};
pub use progress::progress_pdf;
pub use shared::record_lines;
use shared::session_details;

pub use text::{catalog_text, plan_text};
pub(crate) use wording::count;

use crate::catalog::Catalog;
use crate::planning::Plan;

/// An export that could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// JSON serialization failed.
    #[error("could not write the plan as JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// RON serialization failed.
    #[error("could not write the plan as RON: {0}")]
    Ron(#[from] ron::Error),
    /// A date of the plan cannot be written in the calendar.
    #[error("could not write the calendar: {0}")]
    Calendar(String),
    /// A font shipped inside the app could not be read.
    #[error("the {name} font shipped with the app could not be read; reinstall the app")]
    Font {
        /// The font's name.
        name: &'static str,
    },
    /// The text holds characters the shipped fonts cannot draw.
    #[error(
        "the PDF fonts cannot draw these characters: {characters}; nothing was written, so that no name or word prints as empty boxes. The fonts cover Latin letters with their accents, Greek, Cyrillic, Arabic, Hebrew, Devanagari, Thai, Chinese and Japanese: write the text in one of those (a name in its Latin spelling, for example) and export again"
    )]
    UnsupportedCharacters {
        /// The characters, separated by spaces.
        characters: String,
    },
    /// The PDF writer refused the document.
    #[error("could not assemble the PDF: {reason}")]
    Pdf {
        /// What the PDF writer said.
        reason: String,
    },
}

/// The plan as pretty JSON with the contract's top-level keys, ending in a newline.
///
/// # Errors
/// Only if serialization fails, which the plan's types do not allow in practice.
pub fn plan_json(plan: &Plan) -> Result<String, ExportError> {
    let mut text = serde_json::to_string_pretty(plan)?;
    text.push('\n');
    Ok(text)
}

/// The plan as pretty RON, ending in a newline.
///
/// # Errors
/// Only if serialization fails.
pub fn plan_ron(plan: &Plan) -> Result<String, ExportError> {
    let mut text = ron::ser::to_string_pretty(plan, ron::ser::PrettyConfig::default())?;
    text.push('\n');
    Ok(text)
}

/// The catalog as JSON: every id of the taxonomy and every protocol.
///
/// # Errors
/// Only if serialization fails.
pub fn catalog_json(catalog: &Catalog) -> Result<String, ExportError> {
    use crate::catalog::{Area, CellSource, Factor, Indication, Modality};

    fn ids<T: Copy>(
        all: &[T],
        id: fn(T) -> &'static str,
        label: fn(T) -> &'static str,
    ) -> Vec<serde_json::Value> {
        all.iter()
            .map(|value| serde_json::json!({ "id": id(*value), "label": label(*value) }))
            .collect()
    }

    let protocols: Vec<serde_json::Value> = catalog
        .entries()
        .iter()
        .map(|entry| {
            let origin = match &entry.origin {
                crate::catalog::Origin::BuiltIn => serde_json::json!({ "kind": "built-in" }),
                crate::catalog::Origin::Override { file } => {
                    serde_json::json!({ "kind": "override", "file": file })
                }
                crate::catalog::Origin::Addition { file } => {
                    serde_json::json!({ "kind": "addition", "file": file })
                }
            };
            serde_json::json!({ "protocol": entry.protocol, "origin": origin })
        })
        .collect();
    let scales = catalog
        .scales()
        .entries()
        .iter()
        .map(|entry| {
            let origin = match &entry.origin {
                crate::catalog::Origin::BuiltIn => serde_json::json!({ "kind": "built-in" }),
                crate::catalog::Origin::Override { file } => {
                    serde_json::json!({ "kind": "override", "file": file })
                }
                crate::catalog::Origin::Addition { file } => {
                    serde_json::json!({ "kind": "addition", "file": file })
                }
            };
            let mut value = serde_json::to_value(&entry.scale)?;
            if let Some(object) = value.as_object_mut() {
                object.insert("origin".to_owned(), origin);
            }
            Ok(value)
        })
        .collect::<Result<Vec<serde_json::Value>, serde_json::Error>>()?;
    let factors: Vec<serde_json::Value> = Factor::ALL
        .iter()
        .map(|factor| {
            serde_json::json!({ "id": factor.id(), "label": factor.label(), "question": factor.question() })
        })
        .collect();
    let value = serde_json::json!({
        "modalities": ids(Modality::ALL, Modality::id, Modality::label),
        "sources": ids(CellSource::ALL, CellSource::id, CellSource::label),
        "areas": ids(Area::ALL, Area::id, Area::label),
        "indications": ids(Indication::ALL, Indication::id, Indication::label),
        "factors": factors,
        "protocols": protocols,
        "scales": scales,
    });
    let mut text = serde_json::to_string_pretty(&value)?;
    text.push('\n');
    Ok(text)
}
