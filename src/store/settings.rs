//! The desk's settings: who saves, the clinic's calendar and the look of the window.

use std::collections::{BTreeMap, BTreeSet};
use std::io;
use std::path::{Path, PathBuf};

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::error::{StoreError, write_error};
use super::format::{damaged, utf8};

/// The version of the settings file's shape; it did not change when the records'
/// format did, so a desk's settings still open in the version before.
const SETTINGS_VERSION: u32 = 1;
use super::fsio::{FileKind, create_private_dir, read_failure, read_regular, write_replace};
use crate::catalog::{Jurisdiction, ProtocolId};
use crate::planning::WorkingDays;

/// The settings file's name in the configuration folder.
pub const SETTINGS_FILE: &str = "settings.ron";

/// Light or dark window, or whatever the system uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ThemePreference {
    /// Follow the system.
    #[default]
    System,
    /// Always light.
    Light,
    /// Always dark.
    Dark,
}

/// The settings of one desk.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Settings {
    /// The clinic's name, for handouts.
    pub clinic_name: String,
    /// The clinic's address, phone and e-mail, as printed on handouts (several lines).
    pub clinic_contact: String,
    /// The physician's name: recorded as the author of every save.
    pub physician_name: String,
    /// The days the clinic is open (default Monday to Friday).
    pub working_days: WorkingDays,
    /// Dates the clinic is closed on an opening day (public holidays, leave).
    pub closed_dates: BTreeSet<Date>,
    /// The jurisdiction whose regulatory notes matter; `None` shows every note.
    pub jurisdiction: Option<Jurisdiction>,
    /// Light, dark, or as the system.
    pub theme: ThemePreference,
    /// The currency of the prices, e.g. "EUR" or "USD".
    pub currency: String,
    /// The clinic's price of one session, in whole units of the currency, by protocol.
    /// A protocol without a price gets "ask the clinic" on the consent document.
    pub session_prices: BTreeMap<ProtocolId, u32>,
    /// Whether calendar exports may carry the patient's name (off by default: a calendar
    /// is often shared or synced to a phone).
    pub calendar_patient_names: bool,
    /// The PostgreSQL database the window keeps patients and plans on, as
    /// `postgresql://USER@HOST/DATABASE` without a password (that is in ~/.pgpass);
    /// blank: the data folder. Used from the next start; `--database` and
    /// `REGEN_PLANNER_DATABASE_URL` win over it.
    pub database_url: String,
}

/// The settings as written in the file. Missing fields take their defaults, so a file
/// from an older version still loads.
#[derive(Debug, Serialize, Deserialize)]
struct SettingsFile {
    #[serde(default)]
    format_version: u32,
    #[serde(default)]
    clinic_name: String,
    #[serde(default)]
    physician_name: String,
    #[serde(default)]
    working_days: WorkingDays,
    #[serde(default)]
    closed_dates: BTreeSet<Date>,
    #[serde(default)]
    jurisdiction: Option<Jurisdiction>,
    #[serde(default)]
    theme: ThemePreference,
    #[serde(default)]
    clinic_contact: String,
    #[serde(default)]
    currency: String,
    #[serde(default)]
    session_prices: BTreeMap<ProtocolId, u32>,
    #[serde(default)]
    calendar_patient_names: bool,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    database_url: String,
}

impl Settings {
    /// The settings file in a configuration folder.
    #[must_use]
    pub fn path(config_dir: &Path) -> PathBuf {
        config_dir.join(SETTINGS_FILE)
    }

    /// Reads `settings.ron` from the configuration folder; a missing file gives the
    /// defaults.
    ///
    /// # Errors
    /// When the file cannot be read, does not parse, or was written by a newer app.
    /// The file is never rewritten or replaced by defaults behind the user's back.
    pub fn load(config_dir: &Path) -> Result<Settings, StoreError> {
        let file = Self::path(config_dir);
        let bytes = match read_regular(&file, FileKind::Settings) {
            Ok(bytes) => bytes,
            Err(failure) if failure.is_not_found() => {
                return Ok(Settings::default());
            }
            Err(failure) => {
                return Err(read_failure(&file, FileKind::Settings, failure, |file| {
                    StoreError::Read {
                        file,
                        cause: io::Error::from(io::ErrorKind::NotFound),
                    }
                }));
            }
        };
        let as_settings_error = |error: StoreError| match error {
            StoreError::Damaged {
                file,
                line,
                column,
                what,
            } => StoreError::Settings {
                file,
                line,
                column,
                what,
            },
            other => other,
        };
        let text = utf8(&file, &bytes).map_err(as_settings_error)?;
        let stored: SettingsFile =
            ron::from_str(text).map_err(|error| as_settings_error(damaged(&file, text, &error)))?;
        if stored.format_version > SETTINGS_VERSION {
            return Err(StoreError::NewerFormat {
                file,
                found: stored.format_version,
                supported: SETTINGS_VERSION,
            });
        }
        Ok(Settings {
            clinic_name: stored.clinic_name,
            physician_name: stored.physician_name,
            working_days: stored.working_days,
            closed_dates: stored.closed_dates,
            jurisdiction: stored.jurisdiction,
            theme: stored.theme,
            clinic_contact: stored.clinic_contact,
            currency: stored.currency,
            session_prices: stored.session_prices,
            calendar_patient_names: stored.calendar_patient_names,
            database_url: stored.database_url,
        })
    }

    /// Writes `settings.ron` in one step (temporary file, flush, rename), creating the
    /// configuration folder if needed: a crash leaves the old settings or the new ones.
    ///
    /// # Errors
    /// When the folder or file cannot be written, or the database URL cannot be read
    /// or holds a password (a password is never written into the settings).
    pub fn save(&self, config_dir: &Path) -> Result<(), StoreError> {
        let file = Self::path(config_dir);
        let record = "the settings";
        let database_url = self.database_url.trim();
        if !database_url.is_empty() {
            super::database::check_url_for_settings(database_url).map_err(|error| {
                StoreError::Database {
                    what: format!("{error}; the settings were not saved"),
                }
            })?;
        }
        create_private_dir(config_dir).map_err(|source| write_error(record, config_dir, source))?;
        let stored = SettingsFile {
            format_version: SETTINGS_VERSION,
            clinic_name: self.clinic_name.clone(),
            physician_name: self.physician_name.clone(),
            working_days: self.working_days.clone(),
            closed_dates: self.closed_dates.clone(),
            jurisdiction: self.jurisdiction,
            theme: self.theme,
            clinic_contact: self.clinic_contact.clone(),
            currency: self.currency.clone(),
            session_prices: self.session_prices.clone(),
            calendar_patient_names: self.calendar_patient_names,
            database_url: database_url.to_owned(),
        };
        let mut text = String::from("// Regen Planner settings of this desk.\n");
        text.push_str(
            &ron::ser::to_string_pretty(&stored, ron::ser::PrettyConfig::new().new_line("\n"))
                .map_err(|error| StoreError::Serialize {
                    record: record.into(),
                    what: error.to_string(),
                })?,
        );
        text.push('\n');
        write_replace(config_dir, &file, text.as_bytes())
            .map_err(|source| write_error(record, &file, source))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_settings_are_the_defaults_and_saved_ones_load_back() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(Settings::load(dir.path()).unwrap(), Settings::default());
        let settings = Settings {
            clinic_name: "Clínica Sol".into(),
            physician_name: "Dr. Vega".into(),
            working_days: WorkingDays::new([crate::planning::Weekday::Saturday]),
            closed_dates: BTreeSet::from(["2027-01-01".parse().unwrap()]),
            jurisdiction: Some(Jurisdiction::Eu),
            theme: ThemePreference::Dark,
            clinic_contact: "Calle Mayor 1, Madrid\n+34 910 000 000".into(),
            currency: "EUR".into(),
            session_prices: BTreeMap::from([(ProtocolId::new("prp-hair").unwrap(), 350)]),
            calendar_patient_names: true,
            database_url: "postgresql://regen@db.clinic.local/regen?sslmode=verify-full".into(),
        };
        settings.save(dir.path()).unwrap();
        assert_eq!(Settings::load(dir.path()).unwrap(), settings);
    }

    #[test]
    fn a_database_url_with_a_password_is_never_written_into_the_settings() {
        let dir = tempfile::tempdir().unwrap();
        for url in [
            "postgresql://regen:secret@db.clinic.local/regen?sslmode=require",
            "postgresql://regen@db.clinic.local/regen?sslmode=require&password=secret",
        ] {
            let settings = Settings {
                database_url: url.into(),
                ..Settings::default()
            };
            let error = settings.save(dir.path()).unwrap_err().to_string();
            assert!(error.contains("~/.pgpass"), "{error}");
            assert!(error.contains("0600"), "{error}");
            assert!(!error.contains("secret"), "{error}");
            assert!(!Settings::path(dir.path()).exists());
        }
        // A server elsewhere without TLS is refused too, in its own sentence.
        let settings = Settings {
            database_url: "postgresql://regen@db.clinic.local/regen".into(),
            ..Settings::default()
        };
        let error = settings.save(dir.path()).unwrap_err().to_string();
        assert!(error.contains("sslmode=require"), "{error}");
    }

    #[test]
    fn a_broken_settings_file_is_an_error_and_stays_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join(SETTINGS_FILE);
        std::fs::write(&file, "(physician_name: \"Dr. Vega\",\n theme: purple)").unwrap();
        let error = Settings::load(dir.path()).unwrap_err().to_string();
        assert!(error.contains("settings.ron:2:"), "{error}");
        assert!(error.contains("it was left unchanged"), "{error}");
        assert_eq!(
            std::fs::read_to_string(&file).unwrap(),
            "(physician_name: \"Dr. Vega\",\n theme: purple)"
        );
    }
}
