//! Text from outside the app (a file on disk, an argument, a name typed by someone)
//! made safe to show: in a terminal, a listing or a message, it can neither forge a line
//! nor change the colours or the order of what follows, and it never floods a message.
//!
//! Used by every layer that prints such text (`store` messages, `export` text, the
//! command line); it knows nothing of them.

use std::borrow::Cow;
use std::fmt::Write as _;

/// The most characters of an outside text a message quotes; the rest is counted.
pub const MESSAGE_CHARS: usize = 60;

/// Whether a character would change how a terminal or a listing shows what follows:
/// control characters (line breaks, tabs, escape sequences, NUL), the line and
/// paragraph separators, and the bidirectional overrides and isolates that reorder the
/// text after them.
#[must_use]
pub fn is_unsafe_to_show(character: char) -> bool {
    character.is_control()
        || matches!(
            character,
            '\u{2028}' | '\u{2029}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
        )
}

/// The text with every character that [`is_unsafe_to_show`] written as a visible
/// escape: `\n`, `\r`, `\t`, `\0`, else `\u{1b}`. Everything else is kept as it is,
/// accents and scripts included.
#[must_use]
pub fn escape_controls(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe_to_show) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for character in text.chars() {
        match character {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\0' => out.push_str("\\0"),
            c if is_unsafe_to_show(c) => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// At most `max_chars` characters of the text; a longer text ends in `…` and says how
/// many characters were left out.
#[must_use]
pub fn shorten(text: &str, max_chars: usize) -> Cow<'_, str> {
    let Some((cut, _)) = text.char_indices().nth(max_chars) else {
        return Cow::Borrowed(text);
    };
    let left_out = text[cut..].chars().count();
    Cow::Owned(format!("{}… ({left_out} more characters)", &text[..cut]))
}

/// An outside text as a message quotes it: shortened to [`MESSAGE_CHARS`] characters,
/// then with its control characters escaped.
#[must_use]
pub fn for_message(text: &str) -> String {
    escape_controls(&shorten(text, MESSAGE_CHARS)).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_shown_not_obeyed() {
        assert_eq!(escape_controls("Ana Souza"), "Ana Souza");
        assert_eq!(escape_controls("Zoë Ngô Thị"), "Zoë Ngô Thị");
        assert_eq!(escape_controls("a\nb\r\tc\0"), "a\\nb\\r\\tc\\0");
        assert_eq!(escape_controls("\u{1b}[31mred"), "\\u{1b}[31mred");
        assert_eq!(
            escape_controls("x\u{202E}y\u{2028}"),
            "x\\u{202e}y\\u{2028}"
        );
    }

    #[test]
    fn long_texts_are_cut_and_counted() {
        assert_eq!(shorten("short", 10), "short");
        assert_eq!(shorten("abcdefghij", 10), "abcdefghij");
        assert_eq!(
            shorten("abcdefghijkl", 10),
            "abcdefghij… (2 more characters)"
        );
        assert_eq!(shorten("ééééé", 2), "éé… (3 more characters)");
        let message = for_message(&"x\n".repeat(50_000));
        assert!(message.chars().count() < 150, "{message}");
        assert!(!message.contains('\n'));
    }
}
