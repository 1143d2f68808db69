//! The ids of patients and plans: time-ordered, random, and safe as folder names.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A text that is not a valid patient or plan id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "'{}' is not a valid {kind} id: an id is 32 lowercase hexadecimal digits, as printed by `regen-planner plans list`",
    crate::untrusted::for_message(given)
)]
pub struct InvalidId {
    /// "patient" or "plan".
    pub kind: &'static str,
    /// The text that was given.
    pub given: String,
}

/// Whether a text has the shape of an id: 32 lowercase hexadecimal digits (a UUID v7 in
/// its simple form), so it sorts by creation time and is safe as a folder name on every
/// system.
pub(crate) fn is_well_formed(text: &str) -> bool {
    text.len() == 32
        && text
            .bytes()
            .all(|byte| byte.is_ascii_digit() || (b'a'..=b'f').contains(&byte))
}

/// A fresh id: a UUID v7 (creation time, then random bits) in its simple form.
fn fresh() -> String {
    uuid::Uuid::now_v7().simple().to_string()
}

macro_rules! record_id {
    ($(#[$meta:meta])* $name:ident, $kind:literal) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// A new id, never given before: ids made later sort later.
            #[must_use]
            pub fn generate() -> Self {
                Self(fresh())
            }

            /// The id of a UUID, for ids made from a seed rather than the clock (demo
            /// data).
            pub(crate) fn from_uuid(uuid: uuid::Uuid) -> Self {
                Self(uuid.simple().to_string())
            }

            /// The id as text, as written in folder names and files.
            #[must_use]
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl FromStr for $name {
            type Err = InvalidId;

            fn from_str(text: &str) -> Result<Self, Self::Err> {
                if is_well_formed(text) {
                    Ok(Self(text.to_owned()))
                } else {
                    Err(InvalidId {
                        kind: $kind,
                        given: text.to_owned(),
                    })
                }
            }
        }

        impl TryFrom<String> for $name {
            type Error = InvalidId;

            fn try_from(text: String) -> Result<Self, Self::Error> {
                text.parse()
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> Self {
                id.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

record_id! {
    /// The id of a patient record; also the name of its folder under `patients/`.
    PatientId, "patient"
}

record_id! {
    /// The id of a plan record; also the name of its folder under `plans/`.
    PlanId, "plan"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_ids_parse_back_and_sort_by_creation() {
        let first = PlanId::generate();
        let second = PlanId::generate();
        assert_eq!(first.as_str().parse::<PlanId>().unwrap(), first);
        assert!(first < second);
    }

    #[test]
    fn ids_that_could_escape_a_folder_are_refused() {
        for text in [
            "",
            "..",
            "../etc",
            "0190ABCDEF0123456789abcdef012345",
            "0190abcdef0123456789abcdef01234",
            "0190abcdef0123456789abcdef0123456",
            "0190abcdef-123456789abcdef012345",
        ] {
            let error = text.parse::<PatientId>().unwrap_err();
            assert!(error.to_string().contains("not a valid patient id"));
        }
    }
}
