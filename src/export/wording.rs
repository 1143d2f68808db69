//! The words documents for patients share: dates written out, the regulatory status in
//! one plain sentence, amounts of money, the treatment chosen.

use std::fmt::Write as _;

use jiff::civil::Date;

use crate::catalog::{Range, RegulatoryStatus, Selection};
use crate::planning::{Plan, Weekday};

const MONTHS: [&str; 12] = [
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

fn month_name(date: Date) -> &'static str {
    let index = usize::try_from(date.month() - 1).unwrap_or(0);
    MONTHS.get(index).copied().unwrap_or("January")
}

/// The short name of a month: "Jan".
pub(crate) fn month_short(date: Date) -> &'static str {
    month_name(date).get(..3).unwrap_or("")
}

/// "Monday 18 January 2027": unambiguous in every country.
pub(crate) fn long_date(date: Date) -> String {
    format!(
        "{} {} {} {}",
        Weekday::of(date).label(),
        date.day(),
        month_name(date),
        date.year()
    )
}

/// "18 January 2027".
pub(crate) fn plain_date(date: Date) -> String {
    format!("{} {} {}", date.day(), month_name(date), date.year())
}

/// "Mon 18 Jan".
fn short_date(date: Date) -> String {
    format!(
        "{} {} {}",
        Weekday::of(date).label().get(..3).unwrap_or(""),
        date.day(),
        month_short(date)
    )
}

/// A span of days: "Mon 18 Jan to Thu 21 Jan 2027", or one day when both ends are the
/// same.
pub(crate) fn date_range(from: Date, until: Date) -> String {
    if from == until {
        return format!("{} {}", short_date(from), from.year());
    }
    if from.year() == until.year() {
        format!(
            "{} to {} {}",
            short_date(from),
            short_date(until),
            until.year()
        )
    } else {
        format!(
            "{} {} to {} {}",
            short_date(from),
            from.year(),
            short_date(until),
            until.year()
        )
    }
}

/// Between two days, for an expected result: "between 16 May and 14 August 2027".
pub(crate) fn window(from: Date, to: Date) -> String {
    if from.year() == to.year() {
        format!(
            "between {} {} and {}",
            from.day(),
            month_name(from),
            plain_date(to)
        )
    } else {
        format!("between {} and {}", plain_date(from), plain_date(to))
    }
}

/// "about 90 to 180 minutes (1½ to 3 hours)".
pub(crate) fn duration(minutes: Range) -> String {
    fn hours(minutes: u32) -> Option<String> {
        match (minutes / 60, minutes % 60) {
            (0, _) => None,
            (whole, 0) => Some(whole.to_string()),
            (whole, 30) => Some(format!("{whole}½")),
            _ => None,
        }
    }
    if minutes.min == minutes.max {
        let mut text = format!("about {} minutes", minutes.min);
        if let Some(hours) = hours(minutes.min) {
            let unit = if minutes.min == 60 { "hour" } else { "hours" };
            let _ = write!(text, " ({hours} {unit})");
        }
        return text;
    }
    let mut text = format!("about {} to {} minutes", minutes.min, minutes.max);
    if let (Some(low), Some(high)) = (hours(minutes.min), hours(minutes.max)) {
        let _ = write!(text, " ({low} to {high} hours)");
    }
    text
}

/// The regulatory status in one honest sentence, addressed to the patient.
pub(crate) fn regulatory_sentence(status: RegulatoryStatus) -> &'static str {
    match status {
        RegulatoryStatus::Established => {
            "This treatment is accepted practice for this use, with a recognised legal basis."
        }
        RegulatoryStatus::OffLabel => {
            "This treatment uses a legal product or procedure outside the use it is approved or cleared for."
        }
        RegulatoryStatus::Investigational => {
            "This treatment is not approved for this use; it is offered as an investigational treatment, and its benefits and risks are still being studied."
        }
        RegulatoryStatus::Restricted => {
            "This treatment is restricted by law or by regulators for this use; it is not offered outside a clinical trial."
        }
        RegulatoryStatus::Cosmetic => {
            "This is a cosmetic product, not an approved medical treatment; it is not meant to treat a disease."
        }
    }
}

/// A whole amount with thousands separated: "12,400".
pub(crate) fn amount(value: u64) -> String {
    let digits = value.to_string();
    let mut out = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// An amount with its currency, when the clinic named one: "2,400 EUR".
pub(crate) fn money(value: u64, currency: &str) -> String {
    let currency = currency.trim();
    if currency.is_empty() {
        amount(value)
    } else {
        format!("{} {currency}", amount(value))
    }
}

/// A label inside a sentence: the first letter lowered unless it begins an
/// abbreviation ("Platelet-rich plasma (PRP)" becomes "platelet-rich plasma (PRP)",
/// "PRP" stays).
fn in_sentence(label: &str) -> String {
    let mut characters = label.chars();
    match (characters.next(), characters.next()) {
        (Some(first), Some(second)) if !second.is_uppercase() => {
            first.to_lowercase().chain(label.chars().skip(1)).collect()
        }
        _ => label.to_owned(),
    }
}

/// What was chosen, as a sentence fragment that starts with a capital: "Injection of
/// autologous adipose (mini-liposuction) to the abdomen and flanks for stretch marks
/// (striae)".
pub(crate) fn selection_words(selection: &Selection) -> String {
    let mut words = format!(
        "{} of {} to the {} for {}",
        selection.modality.label(),
        in_sentence(selection.source.label()),
        in_sentence(selection.area.label()),
        in_sentence(selection.indication.label()),
    );
    for adjunct in &selection.adjuncts {
        words.push_str(", with ");
        words.push_str(&in_sentence(adjunct.label()));
    }
    words
}

/// "1 session" or "3 sessions".
pub(crate) fn count(number: usize, one: &str, many: &str) -> String {
    if number == 1 {
        format!("1 {one}")
    } else {
        format!("{number} {many}")
    }
}

/// Whether a note in brackets is a reference key for the physician: "[CF 14]",
/// "[seed 004]", "(seed 000)", "(seeds 000, 002)". A longer note about a source is
/// [`source_note`]'s.
fn is_reference(inside: &str, open: char) -> bool {
    if open == '[' {
        // "[CF 14]", "[CF, section 0]", "[seed 004]".
        let cites_facts = inside
            .strip_prefix("CF")
            .is_some_and(|rest| rest.starts_with([' ', ',']));
        return cites_facts || inside.starts_with("seed ");
    }
    inside
        .strip_prefix("seeds ")
        .or_else(|| inside.strip_prefix("seed "))
        .is_some_and(|keys| {
            !keys.is_empty()
                && keys
                    .chars()
                    .all(|c| c.is_ascii_digit() || c == ',' || c == ' ')
        })
}

/// A note in parentheses about a source article, which starts with its key: "(seed 004:
/// 1-2 weeks)", "(seed 002; Elmaadawi 2018)", "(seed 001 describes isolation, but gives
/// no figure)". What it says after its first colon is for the patient too ("1-2
/// weeks"); a note with no colon is only about the source. `None` when the note does
/// not start with a key.
fn source_note(inside: &str) -> Option<SourceNote<'_>> {
    let after = inside
        .strip_prefix("seeds ")
        .or_else(|| inside.strip_prefix("seed "))?;
    if !after.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    Some(
        match after
            .split_once(':')
            .map(|(_, words)| words.trim())
            .filter(|words| !words.is_empty())
        {
            Some(words) => SourceNote::Says(words),
            None => SourceNote::AboutTheSource,
        },
    )
}

/// What a note about a source leaves for a patient.
enum SourceNote<'t> {
    /// Nothing: it is only about the source.
    AboutTheSource,
    /// These words, in its parentheses.
    Says(&'t str),
}

/// The text without the reference keys a protocol cites its figures with ("[CF 32]",
/// "(seed 000)", and notes about a source, which keep only what they say for the
/// patient: "(seed 004: 1-2 weeks)" becomes "(1-2 weeks)"): they mean nothing to a
/// patient, and the consent form lists the uncertain sources in words.
pub(crate) fn without_references(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find(['[', '(']) {
        let (open_char, close_char) = if rest[open..].starts_with('[') {
            ('[', ']')
        } else {
            ('(', ')')
        };
        let close = rest[open..].find(close_char).map(|offset| open + offset);
        match close {
            Some(close) if is_reference(&rest[open + 1..close], open_char) => {
                out.push_str(rest[..open].trim_end_matches(' '));
                rest = &rest[close + 1..];
            }
            Some(close) if open_char == '(' && source_note(&rest[open + 1..close]).is_some() => {
                match source_note(&rest[open + 1..close]) {
                    Some(SourceNote::Says(words)) => {
                        out.push_str(&rest[..=open]);
                        out.push_str(words);
                        out.push(')');
                    }
                    Some(SourceNote::AboutTheSource) | None => {
                        out.push_str(rest[..open].trim_end_matches(' '));
                    }
                }
                rest = &rest[close + 1..];
            }
            _ => {
                out.push_str(&rest[..=open]);
                rest = &rest[open + 1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The plan with the reference keys taken out of every text a patient reads.
pub(crate) fn patient_plan(plan: &Plan) -> Plan {
    let clean = |text: &mut String| *text = without_references(text);
    let mut plan = plan.clone();
    clean(&mut plan.summary);
    clean(&mut plan.evidence);
    clean(&mut plan.downtime);
    clean(&mut plan.additional_costs);
    clean(&mut plan.maintenance.description);
    for warning in &mut plan.warnings {
        clean(&mut warning.message);
        if let Some(action) = &mut warning.action {
            clean(&mut action.text);
        }
    }
    for note in &mut plan.regulatory.notes {
        clean(&mut note.note);
    }
    for session in &mut plan.sessions {
        for step in &mut session.steps {
            clean(&mut step.text);
            if let Some(site) = &mut step.site {
                clean(site);
            }
            if let Some(volume) = &mut step.volume {
                clean(volume);
            }
        }
    }
    for task in &mut plan.pre_procedure {
        clean(&mut task.task);
    }
    for item in &mut plan.aftercare {
        clean(&mut item.task);
    }
    for milestone in &mut plan.milestones {
        clean(&mut milestone.label);
    }
    for visit in &mut plan.follow_ups {
        clean(&mut visit.purpose);
    }
    for risk in &mut plan.risks {
        clean(&mut risk.name);
        clean(&mut risk.detail);
    }
    for alternative in &mut plan.alternatives {
        clean(&mut alternative.name);
        clean(&mut alternative.comparison);
    }
    // The consent form names the uncertain sources in words.
    for source in &mut plan.sources {
        clean(&mut source.citation);
        clean(&mut source.supports);
    }
    plan
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{Area, CellSource, Indication, Modality};

    fn date(text: &str) -> Date {
        text.parse().unwrap()
    }

    #[test]
    fn dates_are_written_out() {
        assert_eq!(long_date(date("2027-01-18")), "Monday 18 January 2027");
        assert_eq!(plain_date(date("2027-12-03")), "3 December 2027");
        assert_eq!(
            date_range(date("2027-01-18"), date("2027-01-21")),
            "Mon 18 Jan to Thu 21 Jan 2027"
        );
        assert_eq!(
            date_range(date("2026-12-28"), date("2027-01-04")),
            "Mon 28 Dec 2026 to Mon 4 Jan 2027"
        );
        assert_eq!(
            date_range(date("2027-01-18"), date("2027-01-18")),
            "Mon 18 Jan 2027"
        );
        assert_eq!(
            window(date("2027-05-16"), date("2027-08-14")),
            "between 16 May and 14 August 2027"
        );
    }

    #[test]
    fn reference_keys_are_left_out_and_other_brackets_kept() {
        for (text, plain) in [
            (
                "From the mini-liposuction [CF 32]; most settles.",
                "From the mini-liposuction; most settles.",
            ),
            ("Needs an IND [CF 2, CF 3, CF 4].", "Needs an IND."),
            (
                "Two sessions [seed 004] apart [CF 63-67]",
                "Two sessions apart",
            ),
            ("Keep [this] and [CF 1]", "Keep [this] and"),
            ("Unverified [CF, section 0].", "Unverified."),
            ("A [CFC] stays.", "A [CFC] stays."),
            ("An open [bracket", "An open [bracket"),
            (
                "Loss responds less (seed 002) and (seeds 000, 002).",
                "Loss responds less and.",
            ),
            (
                "Stop it (seed 004: 1-2 weeks before).",
                "Stop it (1-2 weeks before).",
            ),
            (
                "Early (seed 002, said of hair in general: after a few weeks).",
                "Early (after a few weeks).",
            ),
            (
                "Into the scalp (seed 002; Elmaadawi 2018).",
                "Into the scalp.",
            ),
            (
                "Cells grown (seed 001 describes growth, but gives no figure).",
                "Cells grown.",
            ),
            ("Loss (seeds 000 and 002).", "Loss."),
            ("A time (seed: soon) stays.", "A time (seed: soon) stays."),
            ("(text [CF 1]) and (more)", "(text) and (more)"),
        ] {
            assert_eq!(without_references(text), plain);
        }
    }

    #[test]
    fn durations_are_told_in_minutes_and_hours() {
        assert_eq!(
            duration(Range { min: 90, max: 180 }),
            "about 90 to 180 minutes (1½ to 3 hours)"
        );
        assert_eq!(
            duration(Range { min: 20, max: 45 }),
            "about 20 to 45 minutes"
        );
        assert_eq!(
            duration(Range { min: 60, max: 60 }),
            "about 60 minutes (1 hour)"
        );
        assert_eq!(duration(Range { min: 30, max: 30 }), "about 30 minutes");
    }

    #[test]
    fn amounts_are_grouped_by_thousands() {
        for (value, text) in [
            (0, "0"),
            (950, "950"),
            (2400, "2,400"),
            (1_234_567, "1,234,567"),
        ] {
            assert_eq!(amount(value), text);
        }
        assert_eq!(money(2400, " EUR "), "2,400 EUR");
        assert_eq!(money(2400, ""), "2,400");
    }

    #[test]
    fn the_selection_reads_as_a_sentence() {
        let selection = Selection {
            modality: Modality::Injection,
            source: CellSource::AutologousPrp,
            area: Area::Scalp,
            indication: Indication::AndrogeneticAlopecia,
            adjuncts: vec![CellSource::Secretome],
        };
        assert_eq!(
            selection_words(&selection),
            "Injection of platelet-rich plasma (PRP) to the scalp for androgenetic alopecia (pattern hair loss), with secretome and exosomes (cell-free)"
        );
    }

    #[test]
    fn every_status_has_its_own_sentence() {
        let sentences: std::collections::BTreeSet<&str> = RegulatoryStatus::ALL
            .iter()
            .map(|status| regulatory_sentence(*status))
            .collect();
        assert_eq!(sentences.len(), RegulatoryStatus::ALL.len());
        assert!(
            regulatory_sentence(RegulatoryStatus::Restricted)
                .contains("not offered outside a clinical trial")
        );
    }
}
