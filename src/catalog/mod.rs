//! The treatment protocols: their types, loading the RON files and validating them.
//!
//! Nothing here touches the file system: built-in protocols are embedded in the binary,
//! and a clinic's override files arrive as [`ProtocolFile`]s read by the caller. The
//! outcome scales follow the same rules ([`Scales`]), and the standard views of
//! clinical photographs are data too ([`PhotoViews`]).

mod cite;
pub(crate) mod ids;
mod load;
mod protocol;
mod scale;
mod validate;
mod views;

pub(crate) use cite::MONTH_NAMES;
pub use cite::{Citer, numbered, reference_key_in, without_citations};
pub use ids::{Area, CellSource, Factor, Indication, Modality, UnknownId};
pub(crate) use load::combinations;
pub use load::{Catalog, Entry, Origin, PartialSelection, ProtocolFile, builtin_files};
pub use protocol::{
    Access, Adjunct, AftercareTask, Alternative, Anchor, Audience, Coverage, DoseLimit,
    FactorAction, FactorRule, FactorSeverity, FollowUp, FollowUpScale, Hazard, Jurisdiction,
    JurisdictionNote, Maintenance, MgPerKg, Milestone, PreProcedureTask, Protocol, ProtocolId,
    Range, Regulatory, RegulatoryStatus, Risk, ScopedScale, SessionSchedule, SessionScope, Source,
    Step, StepKind, Technique, TrialRule, in_scope,
};
pub use scale::{
    Better, CLINIC_SCALE_FOLDER, Mcid, McidChange, OutOfScale, Scale, ScaleEntry, ScaleId,
    ScaleRange, Scales, UnknownScale, builtin_scale_files, number,
};
pub use validate::Problem;
pub use views::{CLINIC_VIEW_FOLDER, PhotoView, PhotoViews};

/// One choice of the four axes, plus any adjunct biologics.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Selection {
    /// How the biologic is delivered.
    pub modality: Modality,
    /// What is delivered.
    pub source: CellSource,
    /// Where.
    pub area: Area,
    /// What is treated.
    pub indication: Indication,
    /// Biologics added to the main source, such as PRP with adipose cells.
    #[serde(default)]
    pub adjuncts: Vec<CellSource>,
}

/// A label inside a sentence: the first letter lowered unless it begins an
/// abbreviation ("Autologous adipose (mini-liposuction)" becomes "autologous adipose
/// (mini-liposuction)", "PRP" stays).
#[must_use]
pub fn in_sentence(label: &str) -> String {
    let mut characters = label.chars();
    match (characters.next(), characters.next()) {
        (Some(first), Some(second)) if !second.is_uppercase() => {
            first.to_lowercase().chain(label.chars().skip(1)).collect()
        }
        _ => label.to_owned(),
    }
}

impl std::fmt::Display for Selection {
    /// "Injection of autologous adipose (mini-liposuction) to the abdomen and flanks for
    /// stretch marks (striae)": a sentence, with abbreviations such as PRP kept.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} of {} to the {} for {}",
            self.modality.label(),
            in_sentence(self.source.label()),
            in_sentence(self.area.label()),
            in_sentence(self.indication.label())
        )?;
        for adjunct in &self.adjuncts {
            write!(f, ", with {}", in_sentence(adjunct.label()))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_protocol_validates() {
        let (catalog, problems) = Catalog::builtin();
        let report: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert!(
            report.is_empty(),
            "built-in protocol problems:\n{}",
            report.join("\n")
        );
        assert_eq!(catalog.entries().len(), builtin_files().len());
    }

    #[test]
    fn builtin_file_names_match_their_ids() {
        let (catalog, _) = Catalog::builtin();
        for file in builtin_files() {
            let stem = file
                .name
                .trim_start_matches("assets/protocols/")
                .trim_end_matches(".ron");
            let id = ProtocolId::new(stem).unwrap();
            assert!(
                catalog.get(&id).is_some(),
                "{} does not hold protocol '{stem}'",
                file.name
            );
        }
    }
}
