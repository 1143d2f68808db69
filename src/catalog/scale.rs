//! Outcome scales as data: what a follow-up measures (VAS pain, WOMAC, POSAS, hair
//! density, ...), its unit and valid range, which direction is better and the minimal
//! clinically important difference where one is published.
//!
//! The built-in scales are the RON files of `assets/scales/`, embedded at build time; a
//! clinic adds or replaces scales with files of its own, which arrive here as text
//! (nothing in this module reads a file).

use std::fmt;

use ron::extensions::Extensions;
use serde::{Deserialize, Serialize};

use super::ids::string_enum;
use super::load::{Files, Origin, ProtocolFile, merge_files};
use super::validate::{Locator, Problem};

/// The stable id of an outcome scale, such as `vas-pain`: lowercase letters, digits and
/// single hyphens. Scores and protocols name a scale by it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ScaleId(String);

impl ScaleId {
    /// Checks the spelling of a scale id.
    ///
    /// # Errors
    /// When the text is empty or not lowercase letters, digits and single hyphens.
    pub fn new(text: &str) -> Result<Self, String> {
        let well_formed = !text.is_empty()
            && text.len() <= 64
            && !text.starts_with('-')
            && !text.ends_with('-')
            && !text.contains("--")
            && text
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if well_formed {
            Ok(Self(text.to_owned()))
        } else {
            Err(format!(
                "'{}' is not a valid scale id: use up to 64 lowercase letters, digits and single hyphens, such as vas-pain",
                crate::untrusted::escape_controls(text)
            ))
        }
    }

    /// The id as text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for ScaleId {
    type Error = String;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        Self::new(&text)
    }
}

impl From<ScaleId> for String {
    fn from(id: ScaleId) -> Self {
        id.0
    }
}

impl fmt::Display for ScaleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

string_enum! {
    /// Which way a score moves when the patient is better.
    Better, "direction" {
        /// A higher score is better (function, hair density).
        Higher = "higher", "Higher is better";
        /// A lower score is better (pain, disability, scar severity).
        Lower = "lower", "Lower is better";
    }
}

/// The lowest and highest value a scale can take, inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScaleRange {
    /// The lowest valid value.
    pub min: f64,
    /// The highest valid value.
    pub max: f64,
}

/// How large a change must be to matter to a patient.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum McidChange {
    /// A change of this many points of the scale.
    Points(f64),
    /// A change of this per cent of the patient's baseline score.
    PercentOfBaseline(f64),
}

/// A published minimal clinically important difference, with where it comes from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mcid {
    /// How large the change is.
    pub change: McidChange,
    /// In which patients it was found, and how the value was chosen, in a sentence.
    pub context: String,
    /// The publication.
    pub source: String,
}

/// One outcome scale.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scale {
    /// The stable id.
    pub id: ScaleId,
    /// A short label for charts and lists, such as "VAS pain".
    pub short_name: String,
    /// The full name, with the abbreviation spelled out.
    pub name: String,
    /// What it measures and how it is scored, in plain words.
    pub measures: String,
    /// The unit of a score, such as "cm", "points" or "hairs/cm²".
    pub unit: String,
    /// The valid range.
    pub range: ScaleRange,
    /// Whether a score is a whole number (a sum of items, a grade).
    pub whole_numbers: bool,
    /// Which direction is better.
    pub better: Better,
    /// The minimal clinically important difference, where one is published.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mcid: Option<Mcid>,
    /// Why there is no minimal clinically important difference, when there is none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mcid_note: Option<String>,
    /// How protocol texts name the scale ("VAS pain", "POSAS"): the follow-ups' free-text
    /// assessments are mapped to scale ids by these names, whole words only.
    #[serde(default)]
    pub names: Vec<String>,
    /// Where the range, the scoring and the difference come from.
    pub sources: Vec<String>,
}

/// A score that the scale refuses, with what is expected.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct OutOfScale(pub String);

impl Scale {
    /// The valid range in words: "0 to 96 points".
    #[must_use]
    pub fn range_text(&self) -> String {
        format!(
            "{} to {} {}",
            number(self.range.min),
            number(self.range.max),
            self.unit
        )
    }

    /// The valid range as said to someone entering a score: "0 to 96 points in whole
    /// numbers".
    #[must_use]
    pub fn range_sentence(&self) -> String {
        if self.whole_numbers {
            format!("{} in whole numbers", self.range_text())
        } else {
            self.range_text()
        }
    }

    /// Checks a value against the range and, for a scale of whole numbers, that it is
    /// one.
    ///
    /// # Errors
    /// With a sentence that names the scale and its range.
    pub fn check(&self, value: f64) -> Result<(), OutOfScale> {
        let name = &self.short_name;
        if !value.is_finite() {
            return Err(OutOfScale(format!(
                "{name} scores run from {}; enter a number.",
                self.range_sentence()
            )));
        }
        if value < self.range.min || value > self.range.max {
            return Err(OutOfScale(format!(
                "{name} scores run from {}; {} is outside that range.",
                self.range_sentence(),
                number(value)
            )));
        }
        if self.whole_numbers && value.fract() != 0.0 {
            return Err(OutOfScale(format!(
                "{name} scores run from {}; {} is not a whole number.",
                self.range_sentence(),
                number(value)
            )));
        }
        Ok(())
    }

    /// The smallest change that matters for a patient with this baseline, in points of
    /// the scale, when a difference is published.
    #[must_use]
    pub fn mcid_points(&self, baseline: f64) -> Option<f64> {
        self.mcid.as_ref().map(|mcid| match mcid.change {
            McidChange::Points(points) => points,
            McidChange::PercentOfBaseline(percent) => baseline.abs() * percent / 100.0,
        })
    }

    /// Whether `later` is better than `earlier` on this scale.
    #[must_use]
    pub fn improved(&self, earlier: f64, later: f64) -> bool {
        match self.better {
            Better::Higher => later > earlier,
            Better::Lower => later < earlier,
        }
    }
}

/// A number as a physician writes it: "10", "1.75", no trailing zeros.
#[must_use]
pub fn number(value: f64) -> String {
    let text = format!("{value:.2}");
    let trimmed = text.trim_end_matches('0').trim_end_matches('.');
    if trimmed == "-0" {
        "0".to_owned()
    } else {
        trimmed.to_owned()
    }
}

/// The folder, inside the clinic's protocol folder, that holds the clinic's own scale
/// files (`<protocols>/scales/*.ron`), so that one folder holds all of a clinic's
/// catalog and `catalog check` checks both.
pub const CLINIC_SCALE_FOLDER: &str = "scales";

/// The built-in scale files, embedded in the binary at build time.
#[must_use]
pub fn builtin_scale_files() -> Vec<ProtocolFile> {
    const FILES: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/builtin_scales.rs"));
    FILES
        .iter()
        .map(|(name, text)| ProtocolFile {
            name: format!("assets/scales/{name}"),
            text: (*text).to_owned(),
        })
        .collect()
}

/// A scale and where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct ScaleEntry {
    /// The scale.
    pub scale: Scale,
    /// Built-in, or which clinic file.
    pub origin: Origin,
}

/// The outcome scales scores are entered on: the built-in ones, with a clinic's valid
/// additions and replacements.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Scales {
    entries: Vec<ScaleEntry>,
}

impl Scales {
    /// The built-in scales alone. Their files are checked by the test suite; any
    /// problem is returned rather than hidden.
    #[must_use]
    pub fn builtin() -> (Scales, Vec<Problem>) {
        Self::load(&builtin_scale_files(), &[])
    }

    /// Loads the built-in scale files, then the clinic's over them: a clinic scale with
    /// a built-in id replaces it, a new id adds one. A file with any problem is reported
    /// and left out, so the built-in scale stays in use.
    #[must_use]
    pub fn load(builtin: &[ProtocolFile], clinic: &[ProtocolFile]) -> (Scales, Vec<Problem>) {
        let mut problems = Vec::new();
        let by_id = merge_files(
            builtin,
            clinic,
            &mut problems,
            Files {
                load: load_file,
                id_of: |scale: &Scale| scale.id.clone(),
                duplicate,
            },
            |_, _, _| None,
        );
        let entries = by_id
            .into_values()
            .map(|kept| ScaleEntry {
                scale: kept.value,
                origin: kept.origin,
            })
            .collect();
        (Scales { entries }, problems)
    }

    /// Every scale with its origin, ordered by id.
    #[must_use]
    pub fn entries(&self) -> &[ScaleEntry] {
        &self.entries
    }

    /// Every scale, ordered by id.
    pub fn iter(&self) -> impl Iterator<Item = &Scale> {
        self.entries.iter().map(|entry| &entry.scale)
    }

    /// The scale with this id.
    #[must_use]
    pub fn get(&self, id: &ScaleId) -> Option<&Scale> {
        self.iter().find(|scale| &scale.id == id)
    }

    /// The scale with this id, or a sentence naming the ids there are.
    ///
    /// # Errors
    /// When no scale has the id.
    pub fn find(&self, id: &str) -> Result<&Scale, UnknownScale> {
        self.iter()
            .find(|scale| scale.id.as_str() == id)
            .ok_or_else(|| UnknownScale {
                given: crate::untrusted::escape_controls(id).into_owned(),
                valid: self.iter().map(|scale| scale.id.to_string()).collect(),
            })
    }

    /// The scales a free-text assessment names ("WOMAC, KOOS, IKDC (knee)"), each once,
    /// in the order of the catalog. A name counts only as a whole word, so "DASH" is
    /// not found in `QuickDASH`.
    #[must_use]
    pub fn named_in(&self, text: &str) -> Vec<&Scale> {
        self.iter()
            .filter(|scale| scale.names.iter().any(|name| names_word(text, name)))
            .collect()
    }
}

/// A scale id that is not in the catalog.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown outcome scale '{given}'; valid ids are: {}", valid.join(", "))]
pub struct UnknownScale {
    /// The id given, with control characters escaped.
    pub given: String,
    /// The ids of the catalog.
    pub valid: Vec<String>,
}

/// Whether `text` holds `name` with no letter or digit right before or after it.
fn names_word(text: &str, name: &str) -> bool {
    if name.is_empty() {
        return false;
    }
    text.match_indices(name).any(|(start, _)| {
        let before = text[..start].chars().next_back();
        let after = text[start + name.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

fn parse(file: &ProtocolFile) -> Result<Scale, Problem> {
    let options = ron::Options::default().with_default_extension(Extensions::IMPLICIT_SOME);
    options
        .from_str::<Scale>(&file.text)
        .map_err(|error| Problem {
            file: file.name.clone(),
            line: error.span.start.line.max(1),
            column: error.span.start.col.max(1),
            message: error.code.to_string(),
        })
}

fn load_file(file: &ProtocolFile, problems: &mut Vec<Problem>) -> Option<Scale> {
    match parse(file) {
        Ok(scale) => {
            let found = validate(&scale, &Locator::new(&file.name, &file.text));
            if found.is_empty() {
                Some(scale)
            } else {
                problems.extend(found);
                None
            }
        }
        Err(problem) => {
            problems.push(problem);
            None
        }
    }
}

fn duplicate(file: &ProtocolFile, id: &ScaleId) -> Problem {
    Locator::new(&file.name, &file.text).problem(
        "id",
        None,
        format!("scale id '{id}' is already used by another file"),
    )
}

/// Every problem of one parsed scale, each with where it is written.
fn validate(scale: &Scale, at: &Locator<'_>) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut problem =
        |field: &str, message: String| problems.push(at.problem(field, None, message));
    for (field, text) in [
        ("short_name", &scale.short_name),
        ("name", &scale.name),
        ("measures", &scale.measures),
        ("unit", &scale.unit),
    ] {
        if text.trim().is_empty() {
            problem(field, format!("{field} is empty; write it in words"));
        }
    }
    let ScaleRange { min, max } = scale.range;
    if !min.is_finite() || !max.is_finite() || min >= max {
        problem(
            "range",
            format!(
                "the range must run from a lower to a higher number, such as (min: 0.0, max: 10.0); it is {} to {}",
                number(min),
                number(max)
            ),
        );
    } else if scale.whole_numbers && (min.fract() != 0.0 || max.fract() != 0.0) {
        problem(
            "range",
            "a scale of whole numbers needs whole numbers at both ends of its range".to_owned(),
        );
    }
    match (&scale.mcid, &scale.mcid_note) {
        (Some(mcid), _) => {
            let span = max - min;
            match mcid.change {
                McidChange::Points(points) if span > 0.0 && !(points > 0.0 && points <= span) => problem(
                    "change",
                    format!(
                        "the minimal clinically important difference must be more than 0 and at most the width of the range ({}); it is {}",
                        number(span),
                        number(points)
                    ),
                ),
                McidChange::PercentOfBaseline(percent) if !(percent > 0.0 && percent <= 100.0) => {
                    problem(
                        "change",
                        format!(
                            "a difference in per cent of the baseline must be more than 0 and at most 100; it is {}",
                            number(percent)
                        ),
                    );
                }
                _ => {}
            }
            if mcid.source.trim().is_empty() {
                problem(
                    "source",
                    "the minimal clinically important difference needs the publication it comes from".to_owned(),
                );
            }
            if mcid.context.trim().is_empty() {
                problem(
                    "context",
                    "say in which patients the minimal clinically important difference was found".to_owned(),
                );
            }
        }
        (None, Some(note)) if !note.trim().is_empty() => {}
        (None, _) => problem(
            "id",
            "give the minimal clinically important difference (mcid) with its source, or say in mcid_note why there is none".to_owned(),
        ),
    }
    if scale.sources.is_empty() || scale.sources.iter().any(|source| source.trim().is_empty()) {
        problem(
            "sources",
            "name at least one source for the scale's scoring, and no empty one".to_owned(),
        );
    }
    if scale.names.iter().any(|name| name.trim().is_empty()) {
        problem("names", "a name of the scale is empty".to_owned());
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> ProtocolFile {
        ProtocolFile {
            name: "clinic/scale.ron".to_owned(),
            text: text.to_owned(),
        }
    }

    const NRS: &str = r#"(
    id: "nrs-pain",
    short_name: "NRS pain",
    name: "Numeric rating scale for pain",
    measures: "Pain from 0 (none) to 10 (worst imaginable).",
    unit: "points",
    range: (min: 0.0, max: 10.0),
    whole_numbers: true,
    better: "lower",
    mcid: (change: points(2.0), context: "Chronic musculoskeletal pain.", source: "A publication"),
    names: ["NRS"],
    sources: ["A publication"],
)"#;

    #[test]
    fn every_builtin_scale_loads_and_is_named_after_its_file() {
        let (scales, problems) = Scales::builtin();
        let report: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert!(report.is_empty(), "{}", report.join("\n"));
        assert_eq!(scales.entries().len(), builtin_scale_files().len());
        for file in builtin_scale_files() {
            let stem = file
                .name
                .trim_start_matches("assets/scales/")
                .trim_end_matches(".ron");
            assert!(
                scales.get(&ScaleId::new(stem).unwrap()).is_some(),
                "{} does not hold scale '{stem}'",
                file.name
            );
        }
    }

    #[test]
    fn a_clinic_adds_a_scale_and_replaces_another() {
        let replaced = NRS
            .replace("nrs-pain", "vas-pain")
            .replace("NRS pain", "VAS pain (clinic)");
        let (scales, problems) =
            Scales::load(&builtin_scale_files(), &[file(NRS), file(&replaced)]);
        assert!(problems.is_empty(), "{problems:?}");
        let added = scales.find("nrs-pain").unwrap();
        assert_eq!(added.range_sentence(), "0 to 10 points in whole numbers");
        let vas = &scales
            .entries()
            .iter()
            .find(|entry| entry.scale.id.as_str() == "vas-pain")
            .unwrap();
        assert_eq!(vas.scale.short_name, "VAS pain (clinic)");
        assert!(matches!(vas.origin, Origin::Override { .. }));
    }

    #[test]
    fn a_broken_clinic_scale_is_reported_where_it_is_and_left_out() {
        let cases = [
            (
                NRS.replace("max: 10.0", "max: -1.0"),
                7,
                "the range must run from a lower to a higher number",
            ),
            (
                NRS.replace("points(2.0)", "points(12.0)"),
                10,
                "at most the width of the range (10)",
            ),
            (
                NRS.replace("min: 0.0", "min: 0.5"),
                7,
                "whole numbers at both ends",
            ),
            (
                NRS.replace(
                    "    mcid: (change: points(2.0), context: \"Chronic musculoskeletal pain.\", source: \"A publication\"),\n",
                    "",
                ),
                2,
                "or say in mcid_note why there is none",
            ),
            (NRS.replace("\"lower\"", "\"down\""), 9, "unknown direction 'down'"),
            (NRS.replace("nrs-pain", "NRS Pain"), 2, "is not a valid scale id"),
        ];
        for (text, line, fragment) in cases {
            let (scales, problems) = Scales::load(&[], &[file(&text)]);
            assert!(scales.entries().is_empty(), "{fragment}");
            assert_eq!(problems.len(), 1, "{fragment}: {problems:?}");
            assert_eq!(problems[0].line, line, "{fragment}: {}", problems[0]);
            assert!(
                problems[0].message.contains(fragment),
                "expected '{fragment}', got {}",
                problems[0]
            );
        }
    }

    #[test]
    fn values_outside_the_range_are_refused_with_the_range_named() {
        let (scales, _) = Scales::builtin();
        let check = |id: &str, value: f64| scales.find(id).unwrap().check(value);
        assert_eq!(check("womac", 96.0), Ok(()));
        assert_eq!(
            check("womac", 97.0).unwrap_err().to_string(),
            "WOMAC scores run from 0 to 96 points in whole numbers; 97 is outside that range."
        );
        assert_eq!(
            check("womac", 40.5).unwrap_err().to_string(),
            "WOMAC scores run from 0 to 96 points in whole numbers; 40.5 is not a whole number."
        );
        assert_eq!(check("vas-pain", 6.25), Ok(()));
        assert!(check("vas-pain", f64::NAN).is_err());
        assert_eq!(
            check("posas-observer", 5.0).unwrap_err().to_string(),
            "POSAS observer scores run from 6 to 60 points in whole numbers; 5 is outside that range."
        );
        assert_eq!(
            check("gais", 0.0).unwrap_err().to_string(),
            "GAIS scores run from 1 to 5 points in whole numbers; 0 is outside that range."
        );
    }

    #[test]
    fn the_mcid_is_in_points_or_in_per_cent_of_the_baseline() {
        let (scales, _) = Scales::builtin();
        assert_eq!(
            scales.find("vas-pain").unwrap().mcid_points(7.0),
            Some(1.75)
        );
        let womac = scales.find("womac").unwrap().mcid_points(50.0).unwrap();
        assert!((womac - 6.0).abs() < 1e-9);
        assert_eq!(scales.find("gais").unwrap().mcid_points(3.0), None);
        assert!(scales.find("vas-pain").unwrap().improved(7.0, 4.0));
        assert!(scales.find("ikdc").unwrap().improved(40.0, 60.0));
    }

    #[test]
    fn names_are_found_as_whole_words_only() {
        let (scales, _) = Scales::builtin();
        let ids = |text: &str| -> Vec<String> {
            scales
                .named_in(text)
                .iter()
                .map(|scale| scale.id.to_string())
                .collect()
        };
        assert_eq!(ids("QuickDASH and VASCULAR"), Vec::<String>::new());
        assert_eq!(ids("VAS pain (MCID 1.75 cm)"), ["vas-pain"]);
        assert_eq!(
            ids("POSAS (Patient and Observer Scar Assessment Scale)"),
            ["posas-observer", "posas-patient"]
        );
        assert_eq!(
            scales
                .find("nope")
                .unwrap_err()
                .to_string()
                .split(';')
                .next(),
            Some("unknown outcome scale 'nope'")
        );
    }
}
