//! Parsing protocol files and merging a clinic's overrides over the built-in catalog.

use std::collections::BTreeMap;

use ron::extensions::Extensions;

use super::Selection;
use super::ids::{Area, CellSource, Indication, Modality};
use super::protocol::{Protocol, ProtocolId, RegulatoryStatus};
use super::scale::Scales;
use super::validate::{Locator, Problem, line_and_column, validate};

/// The text of one protocol file and the name to report problems under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProtocolFile {
    /// The file's name or path, as shown in problems.
    pub name: String,
    /// The RON text.
    pub text: String,
}

/// The built-in protocol files, embedded in the binary at build time.
#[must_use]
pub fn builtin_files() -> Vec<ProtocolFile> {
    const FILES: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/builtin_protocols.rs"));
    FILES
        .iter()
        .map(|(name, text)| ProtocolFile {
            name: format!("assets/protocols/{name}"),
            text: (*text).to_owned(),
        })
        .collect()
}

/// Where a protocol of the catalog came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// Shipped with the app.
    BuiltIn,
    /// A clinic file that replaces the built-in protocol of the same id.
    Override {
        /// The clinic file.
        file: String,
    },
    /// A clinic file that adds a protocol the app does not ship.
    Addition {
        /// The clinic file.
        file: String,
    },
}

/// A protocol and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The protocol.
    pub protocol: Protocol,
    /// Built-in, or which clinic file.
    pub origin: Origin,
}

/// The protocols the app plans with: the built-in ones, with a clinic's valid overrides
/// and additions merged over them.
#[derive(Debug, Clone)]
pub struct Catalog {
    entries: Vec<Entry>,
    scales: Scales,
}

/// A value of a catalog file as [`merge_files`] keeps it: where it came from, and the
/// file it was read from.
pub(super) struct Kept<'f, T> {
    /// The protocol or scale.
    pub value: T,
    /// Built-in, or which clinic file.
    pub origin: Origin,
    /// The file it was read from.
    pub file: &'f ProtocolFile,
}

/// How [`merge_files`] reads one kind of catalog file.
pub(super) struct Files<Load, IdOf, Duplicate> {
    /// Parses and checks a file, adding its problems; `None` when it is left out.
    pub load: Load,
    /// The value's id.
    pub id_of: IdOf,
    /// The problem of a second file with an id already used.
    pub duplicate: Duplicate,
}

/// Merges the built-in files of one kind (protocols, scales) with the clinic's: a file
/// with a problem is reported and left out; a second file with the same id is reported
/// and left out; a clinic file with a built-in id replaces it, a new id adds one, each
/// only when `admit` finds no problem with it among what is already kept.
pub(super) fn merge_files<'f, T, Id: Ord + Clone>(
    builtin: &'f [ProtocolFile],
    clinic: &'f [ProtocolFile],
    problems: &mut Vec<Problem>,
    files: Files<
        impl Fn(&ProtocolFile, &mut Vec<Problem>) -> Option<T>,
        impl Fn(&T) -> Id,
        impl Fn(&ProtocolFile, &Id) -> Problem,
    >,
    admit: impl Fn(&T, &BTreeMap<Id, Kept<'f, T>>, &ProtocolFile) -> Option<Problem>,
) -> BTreeMap<Id, Kept<'f, T>> {
    let Files {
        load,
        id_of,
        duplicate,
    } = files;
    let mut kept: BTreeMap<Id, Kept<'f, T>> = BTreeMap::new();
    for file in builtin {
        let Some(value) = load(file, problems) else {
            continue;
        };
        let id = id_of(&value);
        if kept.contains_key(&id) {
            problems.push(duplicate(file, &id));
            continue;
        }
        kept.insert(
            id,
            Kept {
                value,
                origin: Origin::BuiltIn,
                file,
            },
        );
    }
    let builtin_ids: Vec<Id> = kept.keys().cloned().collect();
    let mut clinic_ids: Vec<Id> = Vec::new();
    for file in clinic {
        let Some(value) = load(file, problems) else {
            continue;
        };
        let id = id_of(&value);
        if clinic_ids.contains(&id) {
            problems.push(duplicate(file, &id));
            continue;
        }
        clinic_ids.push(id.clone());
        let origin = if builtin_ids.contains(&id) {
            Origin::Override {
                file: file.name.clone(),
            }
        } else {
            Origin::Addition {
                file: file.name.clone(),
            }
        };
        if let Some(problem) = admit(&value, &kept, file) {
            problems.push(problem);
            continue;
        }
        kept.insert(
            id,
            Kept {
                value,
                origin,
                file,
            },
        );
    }
    kept
}

/// Parses one protocol file, reporting a syntax or shape error at its position.
fn parse(file: &ProtocolFile) -> Result<Protocol, Problem> {
    let options = ron::Options::default().with_default_extension(Extensions::IMPLICIT_SOME);
    options.from_str::<Protocol>(&file.text).map_err(|error| {
        let message = match error.code {
            ron::Error::IntegerOutOfBounds => {
                "this number is out of range: offsets, counts and durations are whole numbers of 0 or more (a negative offset is not allowed)".to_owned()
            }
            code => code.to_string(),
        };
        Problem {
            file: file.name.clone(),
            line: error.span.start.line.max(1),
            column: error.span.start.col.max(1),
            message,
        }
    })
}

/// Parses and validates one file, its follow-ups' scales against `scales`; the
/// protocol comes back only when it has no problem.
fn load_file(
    file: &ProtocolFile,
    scales: &Scales,
    problems: &mut Vec<Problem>,
) -> Option<Protocol> {
    match parse(file) {
        Ok(protocol) => {
            let at = Locator::new(&file.name, &file.text);
            let mut found = validate(&protocol, &at);
            found.extend(unknown_scales(&protocol, scales, &at));
            if found.is_empty() {
                // Readers see numbered references, never the keys the file cites by.
                Some(protocol.with_numbered_citations())
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

/// A problem for each scale a follow-up names that the catalog of scales does not
/// hold: a clinic's protocol may name a scale the clinic never added, or misspell one.
fn unknown_scales(protocol: &Protocol, scales: &Scales, at: &Locator<'_>) -> Vec<Problem> {
    let mut problems = Vec::new();
    for follow_up in &protocol.follow_ups {
        for scale in &follow_up.scales {
            let id = scale.id();
            if scales.get(id).is_none() {
                let valid: Vec<String> = scales.iter().map(|known| known.id.to_string()).collect();
                problems.push(at.problem(
                    "scales",
                    Some(&format!("\"{id}\"")),
                    format!(
                        "protocol '{}', follow-up '{}': the outcome scale '{id}' is not in the catalog; name one of {} or add a scale file with that id to the clinic's scales folder",
                        protocol.id,
                        follow_up.purpose,
                        valid.join(", ")
                    ),
                ));
            }
        }
    }
    problems
}

impl Catalog {
    /// The built-in catalog alone. Built-in files are checked by the test suite, so the
    /// problems are empty in a released build; they are returned rather than hidden.
    #[must_use]
    pub fn builtin() -> (Catalog, Vec<Problem>) {
        Self::load(&builtin_files(), &[])
    }

    /// Loads the built-in files, then merges the clinic's files over them: a clinic
    /// protocol with a built-in id replaces it, a new id adds one. A clinic file with any
    /// problem is reported and left out, so the built-in protocol stays in use. The
    /// outcome scales are the built-in ones; [`Catalog::load_with_scales`] takes a clinic's.
    #[must_use]
    pub fn load(builtin: &[ProtocolFile], clinic: &[ProtocolFile]) -> (Catalog, Vec<Problem>) {
        let (scales, scale_problems) = Scales::builtin();
        let (catalog, mut problems) = Self::load_with_scales(builtin, clinic, scales);
        problems.extend(scale_problems);
        (catalog, problems)
    }

    /// Loads the protocol files as [`Catalog::load`] does, with these outcome scales
    /// (the built-in ones with a clinic's merged over them, [`Scales::load`]): a protocol
    /// whose follow-up names a scale they do not hold is reported and left out.
    #[must_use]
    pub fn load_with_scales(
        builtin: &[ProtocolFile],
        clinic: &[ProtocolFile],
        scales: Scales,
    ) -> (Catalog, Vec<Problem>) {
        let mut problems = Vec::new();
        let by_id = merge_files(
            builtin,
            clinic,
            &mut problems,
            Files {
                load: |file: &ProtocolFile, problems: &mut Vec<Problem>| {
                    load_file(file, &scales, problems)
                },
                id_of: |protocol: &Protocol| protocol.id.clone(),
                duplicate: duplicate_id,
            },
            |candidate, merged, file| {
                let others = merged
                    .values()
                    .map(|kept| &kept.value)
                    .filter(|protocol| protocol.id != candidate.id);
                first_overlap(candidate, others, file)
            },
        );

        // Built-in protocols must not overlap each other either.
        let protocols: Vec<&Protocol> = by_id.values().map(|kept| &kept.value).collect();
        for (index, kept) in by_id.values().enumerate() {
            if kept.origin != Origin::BuiltIn {
                continue;
            }
            let later = protocols[index + 1..].iter().copied();
            if let Some(problem) = first_overlap(&kept.value, later, kept.file) {
                problems.push(problem);
            }
        }

        let entries = by_id
            .into_values()
            .map(|kept| Entry {
                protocol: kept.value,
                origin: kept.origin,
            })
            .collect();
        (Catalog { entries, scales }, problems)
    }

    /// The outcome scales scores are entered on.
    #[must_use]
    pub fn scales(&self) -> &Scales {
        &self.scales
    }

    /// A catalog of the given protocols as they are, unchecked: for tests of what the
    /// engine does with a protocol the catalog check would refuse.
    #[cfg(test)]
    pub(crate) fn unchecked(protocols: Vec<Protocol>) -> Catalog {
        Catalog {
            entries: protocols
                .into_iter()
                .map(|protocol| Entry {
                    protocol,
                    origin: Origin::BuiltIn,
                })
                .collect(),
            scales: Scales::builtin().0,
        }
    }

    /// Every protocol with its origin, ordered by id.
    #[must_use]
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// Every protocol, ordered by id.
    pub fn protocols(&self) -> impl Iterator<Item = &Protocol> {
        self.entries.iter().map(|entry| &entry.protocol)
    }

    /// The protocol with this id.
    #[must_use]
    pub fn get(&self, id: &ProtocolId) -> Option<&Protocol> {
        self.protocols().find(|protocol| &protocol.id == id)
    }

    /// The protocol that covers the selection's four axes, if any. Adjuncts are checked
    /// by the plan engine, which can say which ones the protocol allows.
    #[must_use]
    pub fn covering(&self, selection: &Selection) -> Option<&Protocol> {
        self.protocols().find(|protocol| {
            protocol.covers(
                selection.modality,
                selection.source,
                selection.area,
                selection.indication,
            )
        })
    }

    /// Whether any protocol covers a combination in which the given axes are fixed and
    /// the others are free. The GUI uses this to offer only valid choices.
    #[must_use]
    pub fn offers(&self, partial: &PartialSelection) -> bool {
        self.protocols().any(|protocol| {
            combinations(protocol).any(|(modality, source, area, indication)| {
                partial.modality.is_none_or(|wanted| wanted == modality)
                    && partial.source.is_none_or(|wanted| wanted == source)
                    && partial.area.is_none_or(|wanted| wanted == area)
                    && partial.indication.is_none_or(|wanted| wanted == indication)
            })
        })
    }

    /// The protocols that come closest to a selection that none covers: those sharing
    /// the most axes with one of their combinations, best first, at most three.
    #[must_use]
    pub fn closest(&self, selection: &Selection) -> Vec<&Protocol> {
        let mut scored: Vec<(usize, &Protocol)> = self
            .protocols()
            // A restricted protocol is named only when the restricted source was asked for.
            .filter(|protocol| {
                protocol.regulatory.status != RegulatoryStatus::Restricted
                    || combinations(protocol).any(|(_, source, _, _)| source == selection.source)
            })
            .map(|protocol| {
                let best = combinations(protocol)
                    .map(|(modality, source, area, indication)| {
                        usize::from(modality == selection.modality)
                            + usize::from(source == selection.source) * 2
                            + usize::from(area == selection.area) * 2
                            + usize::from(indication == selection.indication) * 2
                    })
                    .max()
                    .unwrap_or(0);
                (best, protocol)
            })
            .filter(|(score, _)| *score >= 4)
            .collect();
        scored.sort_by(|(a, first), (b, second)| b.cmp(a).then_with(|| first.id.cmp(&second.id)));
        scored
            .into_iter()
            .take(3)
            .map(|(_, protocol)| protocol)
            .collect()
    }
}

/// A selection in progress: the axes chosen so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PartialSelection {
    /// The modality, once chosen.
    pub modality: Option<Modality>,
    /// The cell source, once chosen.
    pub source: Option<CellSource>,
    /// The area, once chosen.
    pub area: Option<Area>,
    /// The indication, once chosen.
    pub indication: Option<Indication>,
}

/// Every combination a protocol covers.
pub(crate) fn combinations(
    protocol: &Protocol,
) -> impl Iterator<Item = (Modality, CellSource, Area, Indication)> + '_ {
    protocol.covers.iter().flat_map(|coverage| {
        coverage.modalities.iter().flat_map(move |modality| {
            coverage.sources.iter().flat_map(move |source| {
                coverage.areas.iter().flat_map(move |area| {
                    coverage
                        .indications
                        .iter()
                        .filter(move |indication| indication.fits_area(*area))
                        .map(move |indication| (*modality, *source, *area, *indication))
                })
            })
        })
    })
}

/// The first combination `protocol` shares with one of `others`, as a problem.
fn first_overlap<'a>(
    protocol: &Protocol,
    mut others: impl Iterator<Item = &'a Protocol>,
    file: &ProtocolFile,
) -> Option<Problem> {
    others.find_map(|other| {
        combinations(protocol)
            .find(|(modality, source, area, indication)| {
                other.covers(*modality, *source, *area, *indication)
            })
            .map(|(modality, source, area, indication)| {
                Locator::new(&file.name, &file.text).problem(
                    "covers",
                    None,
                    format!(
                        "overlapping combination: {modality} / {source} / {area} / {indication} is also covered by '{}'",
                        other.id
                    ),
                )
            })
    })
}

fn duplicate_id(file: &ProtocolFile, id: &ProtocolId) -> Problem {
    let offset = file.text.find(&format!("\"{id}\"")).unwrap_or(0);
    let (line, column) = line_and_column(&file.text, offset);
    Problem {
        file: file.name.clone(),
        line,
        column,
        message: format!("protocol id '{id}' is already used by another file"),
    }
}
