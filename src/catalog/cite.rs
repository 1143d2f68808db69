//! Citations in protocol texts. A protocol file cites its sources by their keys, the way
//! its author keeps them ("[CF 21]", "(seed 000)", "(Egger 2020)"). Readers never see
//! those keys: every text is given with numbered references, "[3]", that match the
//! position of the source in the protocol's (and the plan's) list of sources, which keeps
//! its stable key for other systems.

use super::protocol::Source;

/// One thing a key or a citation names: a reference number of the clinical-facts notes,
/// a seed article, or a key written out (an author and year, a registry name).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Atom {
    Facts(u32),
    Seed(u32),
    Literal(String),
}

/// What a key prefix makes of the bare numbers that follow it ("seeds 000, 002").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Context {
    None,
    Facts,
    Seed,
}

/// The numbers of "23", "23-25" or "23–25".
fn numbers(text: &str) -> Option<Vec<u32>> {
    let text = text.trim();
    let (low, high) = match text.split_once(['-', '–']) {
        Some((low, high)) => (low.trim(), high.trim()),
        None => (text, text),
    };
    let low: u32 = low.parse().ok()?;
    let high: u32 = high.parse().ok()?;
    (low <= high && high - low < 100).then(|| (low..=high).collect())
}

/// The atoms one item of a key or a citation names, with the context it leaves for the
/// next item; `None` when the item is not a key at all.
fn item_atoms(item: &str, context: Context) -> (Vec<Atom>, Context) {
    let item = item.trim();
    let lower = item.to_lowercase();
    if let Some(rest) = lower.strip_prefix("cf ")
        && let Some(found) = numbers(rest)
    {
        return (found.into_iter().map(Atom::Facts).collect(), Context::Facts);
    }
    for prefix in ["seeds ", "seed "] {
        if let Some(rest) = lower.strip_prefix(prefix)
            && let Some(found) = numbers(rest)
        {
            return (found.into_iter().map(Atom::Seed).collect(), Context::Seed);
        }
    }
    if let Some(found) = numbers(&lower) {
        match context {
            Context::Facts => return (found.into_iter().map(Atom::Facts).collect(), context),
            Context::Seed => return (found.into_iter().map(Atom::Seed).collect(), context),
            Context::None => {}
        }
    }
    (vec![Atom::Literal(lower)], Context::None)
}

/// The items of a key or of a citation's content: separated by commas, semicolons or
/// " and ".
fn items(text: &str) -> impl Iterator<Item = &str> {
    text.split([',', ';'])
        .flat_map(|part| part.split(" and "))
        .map(str::trim)
        .filter(|item| !item.is_empty())
}

/// The atoms a source key names: "CF 63-67" names five references, "CF 2, CF 3" two,
/// "Egger 2020" itself.
fn key_atoms(key: &str) -> Vec<Atom> {
    let mut atoms = vec![Atom::Literal(key.trim().to_lowercase())];
    let mut context = Context::None;
    for item in items(key) {
        let (found, next) = item_atoms(item, context);
        atoms.extend(found);
        context = next;
    }
    atoms
}

/// How a bracketed group reads against the sources.
#[derive(Debug, PartialEq, Eq)]
enum Group {
    /// Not a citation: ordinary words in brackets.
    Words,
    /// A citation of these sources (1-based numbers, sorted, without repeats).
    Cites(Vec<usize>),
    /// Looks like a citation, but some of it names no source of the protocol.
    Unresolved,
}

/// The months' names in English, January first: a month is not an author, and the
/// documents write dates out with them.
pub(crate) const MONTH_NAMES: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// Whether an item reads like an author and year, "Hamilton 2015" or "Smith et al. 2020".
fn looks_like_author_year(item: &str) -> bool {
    let mut words = item.split_whitespace();
    let Some(first) = words.next() else {
        return false;
    };
    let last = item.split_whitespace().last().unwrap_or_default();
    first.chars().next().is_some_and(char::is_uppercase)
        && !MONTH_NAMES.contains(&first)
        && last.len() == 4
        && last.chars().all(|c| c.is_ascii_digit())
        && item.split_whitespace().count() <= 4
}

fn read_group(content: &str, sources: &[Vec<Atom>]) -> Group {
    let mut cited = Vec::new();
    // A group counts as a citation only when every item reads like a key; "(the
    // approved product, December 2024)" is words.
    let mut keylike = true;
    let mut previous = Context::None;
    let mut all_resolved = true;
    let mut any_item = false;
    for item in items(content) {
        any_item = true;
        let (atoms, next) = item_atoms(item, previous);
        previous = next;
        let is_key = atoms
            .iter()
            .any(|atom| matches!(atom, Atom::Facts(_) | Atom::Seed(_)))
            || looks_like_author_year(item);
        keylike &= is_key;
        let mut found = false;
        for atom in &atoms {
            for (index, source) in sources.iter().enumerate() {
                if source.contains(atom) {
                    found = true;
                    cited.push(index + 1);
                }
            }
        }
        if !found {
            all_resolved = false;
        }
    }
    if !any_item {
        return Group::Words;
    }
    if all_resolved {
        cited.sort_unstable();
        cited.dedup();
        Group::Cites(cited)
    } else if keylike {
        Group::Unresolved
    } else {
        Group::Words
    }
}

/// Walks the bracketed groups of a text, letting `replace` decide what each becomes.
fn rewrite(text: &str, mut replace: impl FnMut(char, &str) -> Option<String>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find(['[', '(']) {
        let (open_char, close_char) = if rest[open..].starts_with('[') {
            ('[', ']')
        } else {
            ('(', ')')
        };
        let close = rest[open..].find(close_char).map(|offset| open + offset);
        let replacement = close.and_then(|close| replace(open_char, &rest[open + 1..close]));
        if let (Some(close), Some(replacement)) = (close, replacement) {
            if replacement.is_empty() {
                out.push_str(rest[..open].trim_end_matches(' '));
            } else {
                out.push_str(&rest[..open]);
                out.push_str(&replacement);
            }
            rest = &rest[close + 1..];
        } else {
            out.push_str(&rest[..=open]);
            rest = &rest[open + 1..];
        }
    }
    out.push_str(rest);
    out
}

/// A note in parentheses about a source article, as protocols wrote them before
/// references were numbered: "(seed 004: 1-2 weeks)", "(seed 002; Elmaadawi 2018)",
/// "(seed 001 describes isolation, but gives no figure)". What it says after its first
/// colon is for every reader ("1-2 weeks"); a note without a colon is only about the
/// source. Plans saved then still hold such notes.
struct SourceNote<'t> {
    /// What the note says for every reader, if anything.
    says: Option<&'t str>,
    /// The part that names the sources: the key first, then any other items.
    keys: &'t str,
}

fn source_note(content: &str) -> Option<SourceNote<'_>> {
    let lower = content.to_lowercase();
    let after = lower
        .strip_prefix("seeds ")
        .or_else(|| lower.strip_prefix("seed "))?;
    if !after.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    Some(match content.split_once(':') {
        Some((keys, says)) if !says.trim().is_empty() => SourceNote {
            says: Some(says.trim()),
            keys,
        },
        _ => SourceNote {
            says: None,
            keys: content,
        },
    })
}

/// A protocol's or a plan's sources, read once, to number or check many texts against.
#[derive(Debug, Clone)]
pub struct Citer {
    /// What each source's key names, in the order of the sources.
    atoms: Vec<Vec<Atom>>,
}

impl Citer {
    /// Reads the keys of `sources`.
    #[must_use]
    pub fn new(sources: &[Source]) -> Self {
        Self {
            atoms: sources
                .iter()
                .map(|source| key_atoms(&source.key))
                .collect(),
        }
    }

    /// The text with every citation by key ("[CF 21]", "(seed 000)", "(Egger 2020)")
    /// replaced by the numbers of the sources it names: "[3]", "[1, 4]". Brackets that
    /// cite nothing, or cite a key the sources lack, are left as they are.
    #[must_use]
    pub fn numbered(&self, text: &str) -> String {
        let list = |numbers: &[usize]| {
            format!(
                "[{}]",
                numbers
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        rewrite(text, |open, content| {
            match read_group(content, &self.atoms) {
                Group::Cites(numbers) => Some(list(&numbers)),
                Group::Words | Group::Unresolved if open == '(' => {
                    let note = source_note(content)?;
                    let numbers = self.note_numbers(note.keys);
                    let cited = (!numbers.is_empty()).then(|| list(&numbers));
                    Some(match (note.says, cited) {
                        (Some(says), Some(cited)) => format!("({says}) {cited}"),
                        (Some(says), None) => format!("({says})"),
                        (None, Some(cited)) => cited,
                        (None, None) => String::new(),
                    })
                }
                Group::Words | Group::Unresolved => None,
            }
        })
    }

    /// The numbers of the sources a source note names: its leading key ("seed 001" of
    /// "seed 001 describes…") and any other item that is a key of the sources.
    fn note_numbers(&self, keys: &str) -> Vec<usize> {
        let mut numbers = Vec::new();
        let mut context = Context::None;
        for (index, item) in items(keys).enumerate() {
            // "seed 001 describes isolation" names "seed 001".
            let item = if index == 0 {
                item.split_whitespace()
                    .take(2)
                    .collect::<Vec<_>>()
                    .join(" ")
            } else {
                item.to_owned()
            };
            let (atoms, next) = item_atoms(&item, context);
            context = next;
            for atom in &atoms {
                for (position, source) in self.atoms.iter().enumerate() {
                    if source.contains(atom) {
                        numbers.push(position + 1);
                    }
                }
            }
        }
        numbers.sort_unstable();
        numbers.dedup();
        numbers
    }

    /// The bracketed citations of a text that name a key none of the sources has.
    pub(crate) fn unresolved(&self, text: &str) -> Vec<String> {
        let mut found = Vec::new();
        rewrite(text, |_, content| {
            if read_group(content, &self.atoms) == Group::Unresolved {
                found.push(content.to_owned());
            }
            None
        });
        found
    }
}

/// The text with every citation by key replaced by the numbers of the sources it names
/// in `sources` (see [`Citer::numbered`]; a `Citer` reads the sources once for many texts).
#[must_use]
pub fn numbered(text: &str, sources: &[Source]) -> String {
    Citer::new(sources).numbered(text)
}

/// The bracketed citations of a text that name a key none of `sources` has.
#[cfg(test)]
pub(crate) fn unresolved(text: &str, sources: &[Source]) -> Vec<String> {
    Citer::new(sources).unresolved(text)
}

/// Whether a bracket holds only reference numbers: "1", "1, 4", "2-3".
fn is_number_list(content: &str) -> bool {
    !content.trim().is_empty()
        && content
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, ',' | ' ' | '-' | '–'))
        && content.chars().any(|c| c.is_ascii_digit())
}

/// The text without its citations, for a reader who has no list of sources at hand
/// (the patient's handout): numbered references "[3]" and, in plans saved before
/// references were numbered, the keys "[CF 21]" and "(seed 000)" are taken out.
#[must_use]
pub fn without_citations(text: &str) -> String {
    rewrite(text, |open, content| {
        let keys_only = items(content).all(|item| {
            let (atoms, _) = item_atoms(item, Context::Facts);
            atoms
                .iter()
                .all(|atom| matches!(atom, Atom::Facts(_) | Atom::Seed(_)))
        });
        if (open == '[' && is_number_list(content))
            || (keys_only && reference_key_in(content).is_some())
        {
            return Some(String::new());
        }
        let note = source_note(content).filter(|_| open == '(')?;
        Some(
            note.says
                .map_or_else(String::new, |says| format!("({says})")),
        )
    })
}

/// The words of a text, lowercased, with their byte offsets.
fn words(text: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    let mut start = None;
    for (index, c) in text.char_indices() {
        let part_of_word = c.is_alphanumeric() || c == '§' || c == '-';
        match (part_of_word, start) {
            (true, None) => start = Some(index),
            (false, Some(from)) => {
                found.push((from, text[from..index].to_lowercase()));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(from) = start {
        found.push((from, text[from..].to_lowercase()));
    }
    found
}

/// An internal reference key left in a text a reader sees, such as "seed 004", "CF 12",
/// "the clinic seed" or "clinical-facts", with the words around it; `None` when there
/// is none. Numbered references ("[3]") and author-year citations are fine.
#[must_use]
pub fn reference_key_in(text: &str) -> Option<String> {
    let words = words(text);
    let starts_with_digit = |word: &str| word.chars().next().is_some_and(|c| c.is_ascii_digit());
    for (index, (offset, word)) in words.iter().enumerate() {
        let next = words.get(index + 1).map(|(_, word)| word.as_str());
        let previous = index
            .checked_sub(1)
            .and_then(|before| words.get(before))
            .map(|(_, word)| word.as_str());
        let is_key = match word.as_str() {
            "seed" | "seeds" => {
                next.is_some_and(starts_with_digit)
                    || previous.is_some_and(|before| {
                        matches!(before, "clinic" | "hair" | "the" | "this" | "a" | "each")
                    })
            }
            "cf" => {
                let after = text[offset + 2..].trim_start();
                next.is_some_and(|next| starts_with_digit(next) || next.starts_with('§'))
                    || after.starts_with(',')
                    || after.starts_with('§')
            }
            "clinical-facts" => true,
            "clinical" => next == Some("facts"),
            _ => false,
        };
        if is_key {
            let from = text[..*offset]
                .char_indices()
                .rev()
                .nth(20)
                .map_or(0, |(at, _)| at);
            let until = text[*offset..]
                .char_indices()
                .nth(30)
                .map_or(text.len(), |(at, _)| offset + at);
            return Some(text[from..until].to_owned());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(key: &str) -> Source {
        Source {
            key: key.to_owned(),
            citation: format!("citation of {key}"),
            supports: "figures".to_owned(),
            uncertain: false,
            marketing: false,
        }
    }

    fn sources() -> Vec<Source> {
        ["seed 000", "CF 63-67", "CF 2, CF 3", "Egger 2020", "CF 21"]
            .into_iter()
            .map(source)
            .collect()
    }

    #[test]
    fn keys_become_the_numbers_of_the_sources_they_name() {
        let sources = sources();
        for (text, expected) in [
            (
                "Shower after 48 hours [CF 63].",
                "Shower after 48 hours [2].",
            ),
            ("Needs an IND [CF 2, CF 3].", "Needs an IND [3]."),
            (
                "Advised against (seed 000) and [CF 21; CF 65].",
                "Advised against [1] and [2, 5].",
            ),
            ("An approved drug (Egger 2020).", "An approved drug [4]."),
            ("Figures (CF 63-65).", "Figures [2]."),
            (
                "Keep (1-2 weeks) and [this].",
                "Keep (1-2 weeks) and [this].",
            ),
            ("(text [CF 21]) and (more)", "(text [5]) and (more)"),
            (
                "A missing key [CF 99] stays.",
                "A missing key [CF 99] stays.",
            ),
        ] {
            assert_eq!(numbered(text, &sources), expected, "{text}");
        }
    }

    #[test]
    fn a_citation_of_a_missing_source_is_reported() {
        let sources = sources();
        assert_eq!(unresolved("Fine [CF 21].", &sources), Vec::<String>::new());
        assert_eq!(unresolved("Gone [CF 99].", &sources), vec!["CF 99"]);
        assert_eq!(
            unresolved("A trial (Hamilton 2015) found.", &sources),
            vec!["Hamilton 2015"]
        );
        assert!(unresolved("About (20 mL) and (Reg. 1394/2007)", &sources).is_empty());
    }

    #[test]
    fn internal_keys_are_found_and_ordinary_words_are_not() {
        for text in [
            "The clinic seed reports it.",
            "seed 004 says so",
            "Seeds 000 and 002",
            "see CF 12",
            "see CF §0",
            "from the clinical-facts notes",
            "as the seeds say",
        ] {
            assert!(reference_key_in(text).is_some(), "{text}");
        }
        for text in [
            "A joint injection can seed infection into the joint.",
            "Reported in one review [3].",
            "An approved drug (Egger 2020).",
            "CFU counts",
        ] {
            assert_eq!(reference_key_in(text), None, "{text}");
        }
    }

    #[test]
    fn the_handout_drops_numbers_and_old_keys_but_keeps_words() {
        for (text, plain) in [
            (
                "From the liposuction [3]; most settles.",
                "From the liposuction; most settles.",
            ),
            ("Needs an IND [1, 4].", "Needs an IND."),
            ("Old plan [CF 2, CF 3] text (seed 000).", "Old plan text."),
            (
                "Keep (1-2 weeks) and [this].",
                "Keep (1-2 weeks) and [this].",
            ),
            (
                "An approved drug (Egger 2020).",
                "An approved drug (Egger 2020).",
            ),
        ] {
            assert_eq!(without_citations(text), plain, "{text}");
        }
    }

    /// Plans saved before references were numbered hold notes about a source; readers
    /// see what they say, with the number of the source, and never the key.
    #[test]
    fn old_notes_about_a_source_keep_their_words_and_lose_their_keys() {
        let sources = sources();
        for (text, readable, plain) in [
            (
                "Stop them (seed 000: 1-2 weeks before).",
                "Stop them (1-2 weeks before) [1].",
                "Stop them (1-2 weeks before).",
            ),
            (
                "Early (seed 000, said of hair in general: after a few weeks).",
                "Early (after a few weeks) [1].",
                "Early (after a few weeks).",
            ),
            (
                "Cells grown (seed 000 describes growth, but gives no figure).",
                "Cells grown [1].",
                "Cells grown.",
            ),
            (
                "Into the scalp (seed 000; Egger 2020).",
                "Into the scalp [1, 4].",
                "Into the scalp.",
            ),
            (
                "A time (seed: soon) stays.",
                "A time (seed: soon) stays.",
                "A time (seed: soon) stays.",
            ),
        ] {
            let numbered = numbered(text, &sources);
            assert_eq!(numbered, readable, "{text}");
            assert_eq!(reference_key_in(&numbered), None, "{text}");
            assert_eq!(without_citations(text), plain, "{text}");
        }
    }
}
