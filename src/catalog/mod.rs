//! The treatment protocols: their types, loading the RON files and validating them.
//!
//! Nothing here touches the file system: built-in protocols are embedded in the binary,
//! and a clinic's override files arrive as [`ProtocolFile`]s read by the caller.

pub(crate) mod ids;
mod load;
mod protocol;
mod validate;

pub use ids::{Area, CellSource, Factor, Indication, Modality, UnknownId};
pub(crate) use load::combinations;
pub use load::{Catalog, Entry, Origin, PartialSelection, ProtocolFile, builtin_files};
pub use protocol::{
    Adjunct, AftercareTask, Alternative, Anchor, Coverage, FactorAction, FactorRule,
    FactorSeverity, FollowUp, Jurisdiction, JurisdictionNote, Maintenance, Milestone,
    PreProcedureTask, Protocol, ProtocolId, Range, Regulatory, RegulatoryStatus, Risk,
    SessionSchedule, SessionScope, Source, Step, StepKind,
};
pub use validate::Problem;

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

impl std::fmt::Display for Selection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} of {} to the {} for {}",
            self.modality.label().to_lowercase(),
            self.source.label(),
            self.area.label().to_lowercase(),
            self.indication.label().to_lowercase()
        )?;
        for adjunct in &self.adjuncts {
            write!(f, " with {}", adjunct.label())?;
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
