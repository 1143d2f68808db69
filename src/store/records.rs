//! The records the store keeps: patients and their plans.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::str::FromStr;

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::catalog::ids::string_enum;
use crate::catalog::{Factor, ProtocolId};
use crate::planning::{Plan, PlanRequest};

macro_rules! record_id {
    ($(#[$meta:meta])* $name:ident, $what:literal) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// The id as text.
            #[must_use]
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl FromStr for $name {
            type Err = String;

            fn from_str(text: &str) -> Result<Self, Self::Err> {
                if !text.is_empty() && text.len() <= 64 && text.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
                    Ok(Self(text.to_owned()))
                } else {
                    Err(format!("'{text}' is not a valid {} id", $what))
                }
            }
        }

        impl TryFrom<String> for $name {
            type Error = String;

            fn try_from(text: String) -> Result<Self, Self::Error> {
                text.parse()
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> Self {
                id.0
            }
        }
    };
}

record_id! {
    /// The id of a patient record.
    PatientId, "patient"
}

record_id! {
    /// The id of a plan record.
    PlanId, "plan"
}

/// The answers of the screening step.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Screening {
    /// The factors answered "yes".
    pub factors: BTreeSet<Factor>,
    /// When the questions were asked.
    pub asked_on: Option<Date>,
}

/// A patient.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Patient {
    /// Full name.
    pub name: String,
    /// Date of birth.
    pub birth_date: Option<Date>,
    /// The clinic's own id, such as a chart number.
    pub clinic_id: Option<String>,
    /// Phone or e-mail.
    pub contact: String,
    /// The latest screening.
    pub screening: Screening,
}

string_enum! {
    /// Where a plan stands.
    PlanStatus, "plan status" {
        /// Being prepared; nothing is booked yet.
        Draft = "draft", "Draft";
        /// Agreed with the patient and under way.
        Active = "active", "Active";
        /// Every session and follow-up is done.
        Completed = "completed", "Completed";
        /// Stopped before it was completed.
        Cancelled = "cancelled", "Cancelled";
    }
}

/// A note the physician added to a plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Note {
    /// When it was written.
    pub written_at: Timestamp,
    /// Who wrote it.
    pub author: String,
    /// The note.
    pub text: String,
}

/// A task the physician added to a plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExtraTask {
    /// What to do.
    pub text: String,
    /// By when, if it has a date.
    pub due: Option<Date>,
}

/// A plan with everything the physician did to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanRecord {
    /// Whose plan it is.
    pub patient: PatientId,
    /// What the plan was made from: selection, factors, start, moved sessions, options.
    pub request: PlanRequest,
    /// The plan generated from the request.
    pub plan: Plan,
    /// Notes, oldest first.
    pub notes: Vec<Note>,
    /// Tasks added by the physician.
    pub extra_tasks: Vec<ExtraTask>,
    /// Draft, active, completed or cancelled.
    pub status: PlanStatus,
    /// Ticked checklist items, by key, with when they were ticked.
    pub checklist: BTreeMap<String, Timestamp>,
}

/// One saved revision of a record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revision<T> {
    /// 1-based revision number.
    pub number: u32,
    /// When it was saved.
    pub saved_at: Timestamp,
    /// Who saved it.
    pub saved_by: String,
    /// The record.
    pub value: T,
}

/// What the plan list shows, without parsing every revision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanSummary {
    /// The plan.
    pub id: PlanId,
    /// Its patient.
    pub patient: PatientId,
    /// The patient's name.
    pub patient_name: String,
    /// The patient's clinic id.
    pub clinic_id: Option<String>,
    /// The protocol.
    pub protocol_id: ProtocolId,
    /// The protocol's title.
    pub protocol_title: String,
    /// The status.
    pub status: PlanStatus,
    /// The date of the first session.
    pub first_session: Option<Date>,
    /// The newest revision.
    pub revision: u32,
    /// When it was saved.
    pub saved_at: Timestamp,
    /// Who saved it.
    pub saved_by: String,
}

/// What the patient list shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatientSummary {
    /// The patient.
    pub id: PatientId,
    /// Full name.
    pub name: String,
    /// Date of birth.
    pub birth_date: Option<Date>,
    /// The clinic's own id.
    pub clinic_id: Option<String>,
    /// The newest revision.
    pub revision: u32,
    /// When it was saved.
    pub saved_at: Timestamp,
}
