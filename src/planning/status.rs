//! Where a plan stands: the one status type the store saves, the screens show and the
//! exports read (a calendar marks a cancelled plan's events cancelled, FHIR calls it
//! `revoked`).

use crate::catalog::ids::string_enum;

string_enum! {
    /// Where a plan stands.
    PlanStatus, "plan status" {
        /// Being prepared; nothing was done yet.
        Draft = "draft", "Draft";
        /// Agreed with the patient and under way.
        Active = "active", "Active";
        /// Every session and follow-up took place.
        Completed = "completed", "Completed";
        /// Stopped before it was completed; kept for the record.
        Cancelled = "cancelled", "Cancelled";
    }
}
