//! What a name, a clinic id, a physician's name and a date may be, checked where they
//! are entered (the command line, the window) and again by the store before anything
//! is saved, each failure as one sentence that says what is allowed.
//!
//! A name is one line of text a person can read: no line breaks, tabs, escape sequences
//! or other control characters (which would forge lines in a listing or a calendar),
//! and no longer than a name can reasonably be. Dates are those a clinic can mean.

use jiff::civil::Date;

/// The most characters a patient's name may have.
pub const NAME_MAX_CHARS: usize = 200;
/// The most characters a clinic id (a chart number) may have.
pub const CLINIC_ID_MAX_CHARS: usize = 64;
/// The most characters a physician's name may have.
pub const PHYSICIAN_MAX_CHARS: usize = 200;

/// The earliest date of birth accepted.
pub const EARLIEST_BIRTH: Date = Date::constant(1900, 1, 1);
/// The earliest first session a plan may have.
pub const EARLIEST_START: Date = Date::constant(2000, 1, 1);
/// The latest first session a plan may have.
pub const LATEST_START: Date = Date::constant(2099, 12, 31);

/// A text or date that may not be saved: what is wrong, and what is allowed, as one
/// sentence.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct InvalidEntry(pub String);

/// Which one-line text is checked, for the sentence and its limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextField {
    /// The patient's full name.
    PatientName,
    /// The clinic's own id for the patient.
    ClinicId,
    /// The physician's name, recorded with every save.
    PhysicianName,
}

impl TextField {
    fn label(self) -> &'static str {
        match self {
            TextField::PatientName => "the patient's name",
            TextField::ClinicId => "the clinic id",
            TextField::PhysicianName => "the physician's name",
        }
    }

    /// The most characters the field may have.
    #[must_use]
    pub fn max_chars(self) -> usize {
        match self {
            TextField::PatientName => NAME_MAX_CHARS,
            TextField::ClinicId => CLINIC_ID_MAX_CHARS,
            TextField::PhysicianName => PHYSICIAN_MAX_CHARS,
        }
    }
}

/// Checks a one-line text: not empty, at most [`TextField::max_chars`] characters, no
/// control characters, line or paragraph separators, or bidirectional overrides.
///
/// # Errors
/// The sentence to show, naming the field, the character and what is allowed.
pub fn check_text(field: TextField, text: &str) -> Result<(), InvalidEntry> {
    let label = field.label();
    if text.trim().is_empty() {
        return Err(InvalidEntry(format!("{label} is empty; give it")));
    }
    let count = text.chars().count();
    if count > field.max_chars() {
        return Err(InvalidEntry(format!(
            "{label} is {count} characters long; it may have at most {}",
            field.max_chars()
        )));
    }
    if let Some((position, character)) = text
        .chars()
        .enumerate()
        .find(|(_, character)| crate::untrusted::is_unsafe_to_show(*character))
    {
        let what = match character {
            '\n' | '\r' | '\u{2028}' | '\u{2029}' => "a line break".to_owned(),
            '\t' => "a tab".to_owned(),
            '\u{1b}' => "an escape character (terminal colour codes)".to_owned(),
            '\0' => "a NUL character".to_owned(),
            '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' => format!(
                "the invisible text-direction control U+{:04X}",
                u32::from(character)
            ),
            other => format!("the control character U+{:04X}", u32::from(other)),
        };
        return Err(InvalidEntry(format!(
            "{label} holds {what} at character {}; it must be one line of letters, digits, spaces and punctuation",
            position + 1
        )));
    }
    Ok(())
}

/// Checks a date of birth: from [`EARLIEST_BIRTH`] to `today`.
///
/// # Errors
/// The sentence naming the range.
pub fn check_birth_date(birth: Date, today: Date) -> Result<(), InvalidEntry> {
    if birth < EARLIEST_BIRTH || birth > today {
        return Err(InvalidEntry(format!(
            "the date of birth {birth} cannot be right: it must lie between {EARLIEST_BIRTH} and today ({today})"
        )));
    }
    Ok(())
}

/// Checks a date of birth given to a patient who may have plans already: as
/// [`check_birth_date`], and not after the first session of any of the plans
/// (`plan_starts`).
///
/// # Errors
/// The sentence naming the range, or the first session it comes after.
pub fn check_birth_date_of_patient(
    birth: Date,
    today: Date,
    plan_starts: &[Date],
) -> Result<(), InvalidEntry> {
    check_birth_date(birth, today)?;
    if let Some(start) = plan_starts.iter().filter(|start| **start < birth).min() {
        return Err(InvalidEntry(format!(
            "the date of birth {birth} is after the first session of one of the patient's plans ({start}); it must come before it"
        )));
    }
    Ok(())
}

/// Checks the date of the first session: from [`EARLIEST_START`] to [`LATEST_START`],
/// and not before the patient's birth.
///
/// # Errors
/// The sentence naming the range.
pub fn check_start_date(start: Date, birth: Option<Date>) -> Result<(), InvalidEntry> {
    if !(EARLIEST_START..=LATEST_START).contains(&start) {
        return Err(InvalidEntry(format!(
            "the start date {start} cannot be right: the first session must lie between {EARLIEST_START} and {LATEST_START}"
        )));
    }
    if let Some(birth) = birth
        && birth > start
    {
        return Err(InvalidEntry(format!(
            "the date of birth {birth} is after the start date {start}; the first session must come after the birth"
        )));
    }
    Ok(())
}

/// Parses a date written exactly as `YYYY-MM-DD` (a time, a week date or an ordinal
/// date is not a date the app asks for).
///
/// # Errors
/// The sentence giving the format, with the text as it was given (shortened).
pub fn parse_date(text: &str) -> Result<Date, InvalidEntry> {
    let refuse = || {
        InvalidEntry(format!(
            "'{}' is not a date in the format YYYY-MM-DD (for example 2027-01-15)",
            crate::untrusted::for_message(text)
        ))
    };
    let bytes = text.as_bytes();
    let shaped = bytes.len() == 10
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && bytes
            .iter()
            .enumerate()
            .all(|(index, byte)| index == 4 || index == 7 || byte.is_ascii_digit());
    if !shaped {
        return Err(refuse());
    }
    text.parse::<Date>().map_err(|_| refuse())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_one_readable_line_of_bounded_length() {
        assert!(check_text(TextField::PatientName, "Zoë Ngô Thị Ánh").is_ok());
        assert!(check_text(TextField::PatientName, "محمد عبد الله").is_ok());
        let long = "a".repeat(65_536);
        let error = check_text(TextField::PatientName, &long).unwrap_err();
        assert_eq!(
            error.to_string(),
            "the patient's name is 65536 characters long; it may have at most 200"
        );
        let error = check_text(TextField::ClinicId, "CH-1\nBEGIN:VEVENT").unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("the clinic id holds a line break at character 5"),
            "{error}"
        );
        assert!(check_text(TextField::PhysicianName, "Dr. \u{1b}[31mVega").is_err());
        assert!(check_text(TextField::PatientName, "  ").is_err());
    }

    #[test]
    fn only_plain_dates_in_their_range() {
        assert_eq!(parse_date("2027-03-01"), Ok(Date::constant(2027, 3, 1)));
        for text in [
            "2027-03-01T00:00",
            "2027-3-1",
            "20270301",
            "2027-02-30",
            "+2027-03-01",
        ] {
            assert!(parse_date(text).is_err(), "{text}");
        }
        let today = Date::constant(2027, 1, 18);
        assert!(check_birth_date(Date::constant(1990, 2, 3), today).is_ok());
        assert!(check_birth_date(Date::constant(2030, 1, 1), today).is_err());
        assert!(check_start_date(Date::constant(0, 1, 18), None).is_err());
        assert!(
            check_start_date(
                Date::constant(2027, 1, 18),
                Some(Date::constant(2028, 1, 1))
            )
            .is_err()
        );
    }

    #[test]
    fn a_birth_date_comes_before_today_and_every_plan() {
        let today = Date::constant(2027, 1, 18);
        let starts = [Date::constant(2026, 5, 4), Date::constant(2020, 3, 2)];
        assert!(check_birth_date_of_patient(Date::constant(2020, 3, 2), today, &starts).is_ok());
        assert!(check_birth_date_of_patient(Date::constant(1970, 1, 1), today, &[]).is_ok());
        let future = check_birth_date_of_patient(Date::constant(2027, 1, 19), today, &[])
            .unwrap_err()
            .to_string();
        assert!(future.contains("today (2027-01-18)"), "{future}");
        let after = check_birth_date_of_patient(Date::constant(2021, 1, 1), today, &starts)
            .unwrap_err()
            .to_string();
        assert_eq!(
            after,
            "the date of birth 2021-01-01 is after the first session of one of the patient's plans (2020-03-02); it must come before it"
        );
    }
}
