//! The words documents for patients share: dates written out, the regulatory status in
//! one plain sentence, amounts of money, the treatment chosen.

use std::fmt::Write as _;

use jiff::civil::Date;

use crate::catalog::MONTH_NAMES;
use crate::catalog::{Range, RegulatoryStatus, Selection, without_citations};
use crate::planning::{Plan, Weekday, map_texts, readable};

fn month_name(date: Date) -> &'static str {
    let index = usize::try_from(date.month() - 1).unwrap_or(0);
    MONTH_NAMES.get(index).copied().unwrap_or("January")
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

/// What was chosen, as a sentence fragment that starts with a capital: "Injection of
/// autologous adipose (mini-liposuction) to the abdomen and flanks for stretch marks
/// (striae)".
pub(crate) fn selection_words(selection: &Selection) -> String {
    selection.to_string()
}

/// "1 session" or "3 sessions".
pub(crate) fn count(number: usize, one: &str, many: &str) -> String {
    if number == 1 {
        format!("1 {one}")
    } else {
        format!("{number} {many}")
    }
}

/// How a document for the patient shows the plan's references to its sources.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Citations {
    /// Numbered, "[3]", matching the document's own list of sources (the consent form).
    Numbered,
    /// Left out: the document has no list of sources (the handout).
    LeftOut,
}

/// The plan in the words a patient reads: references numbered or left out, never the
/// keys the protocol files cite by.
pub(crate) fn patient_plan(plan: &Plan, citations: Citations) -> Plan {
    let readable = readable(plan);
    match citations {
        Citations::Numbered => readable.into_owned(),
        Citations::LeftOut => map_texts(&readable, without_citations).into_owned(),
    }
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
