//! The clinic's settings.

use serde::{Deserialize, Serialize};

use crate::catalog::Jurisdiction;
use crate::planning::WorkingDays;

/// Light, dark, or whatever the system uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum ThemePreference {
    /// Follow the operating system.
    #[default]
    System,
    /// Light.
    Light,
    /// Dark.
    Dark,
}

/// The clinic's settings.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Settings {
    /// The clinic's name, printed on plans.
    pub clinic_name: String,
    /// The physician's name, recorded with every save.
    pub physician_name: String,
    /// The days the clinic is open.
    pub working_days: WorkingDays,
    /// The jurisdiction whose regulatory notes are shown.
    pub jurisdiction: Option<Jurisdiction>,
    /// Light, dark or system.
    pub theme: ThemePreference,
}
