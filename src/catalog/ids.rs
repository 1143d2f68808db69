//! The ids of the treatment taxonomy: modality, cell source, target area, indication and
//! patient factor.
//!
//! These ids are a contract: they appear in saved plans, on the command line and in
//! exported JSON. New ids may be added; existing ones are never renamed.

use std::fmt;
use std::str::FromStr;

/// An id that is not one of the known ids of its kind.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {kind} '{given}'; valid ids are: {}", valid.join(", "))]
pub struct UnknownId {
    /// What kind of id was expected ("modality", "cell source", ...).
    pub kind: &'static str,
    /// The text that was given.
    pub given: String,
    /// Every valid id of that kind.
    pub valid: Vec<&'static str>,
}

/// Defines an enum that is written as a string id in every format (RON, JSON, the
/// command line), with a label for physicians, `ALL`, `FromStr` and `Display` (which
/// prints the id).
macro_rules! string_enum {
    (
        $(#[$meta:meta])*
        $name:ident, $kind:literal {
            $( $(#[$vmeta:meta])* $variant:ident = $id:literal, $label:literal; )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
        }

        impl $name {
            /// Every value, in order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable id, as used in files, on the command line and in JSON.
            #[must_use]
            pub fn id(self) -> &'static str {
                match self { $($name::$variant => $id),+ }
            }

            /// The name shown to a physician.
            #[must_use]
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::catalog::UnknownId;

            fn from_str(text: &str) -> Result<Self, Self::Err> {
                Self::ALL
                    .iter()
                    .copied()
                    .find(|value| value.id() == text)
                    .ok_or_else(|| $crate::catalog::UnknownId {
                        kind: $kind,
                        given: text.to_owned(),
                        valid: Self::ALL.iter().map(|value| value.id()).collect(),
                    })
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.id())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.id())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                deserializer.deserialize_str($crate::catalog::ids::IdVisitor::<$name>::new($kind))
            }
        }
    };
}

pub(crate) use string_enum;

/// Reads a string id into one of the enums made by `string_enum!`.
pub(crate) struct IdVisitor<T> {
    kind: &'static str,
    target: std::marker::PhantomData<T>,
}

impl<T> IdVisitor<T> {
    pub(crate) fn new(kind: &'static str) -> Self {
        Self {
            kind,
            target: std::marker::PhantomData,
        }
    }
}

impl<T: FromStr<Err = UnknownId>> serde::de::Visitor<'_> for IdVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a {} id as a string", self.kind)
    }

    fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<T, E> {
        text.parse().map_err(|error: UnknownId| E::custom(error))
    }
}

string_enum! {
    /// How the biologic is delivered.
    Modality, "modality" {
        /// Needle injection into dermis, subcutis, scalp, joint or tendon.
        Injection = "injection", "Injection";
        /// Autologous fat transfer enriched with adipose stem cells.
        FatGrafting = "fat-grafting", "Fat grafting";
        /// Controlled micro-injury with the biologic applied during and after.
        Microneedling = "microneedling", "Microneedling";
        /// Applied to intact skin (serums, creams).
        Topical = "topical", "Topical application";
        /// Systemic infusion; cannot be aimed at an area.
        Intravenous = "intravenous", "Intravenous infusion";
    }
}

string_enum! {
    /// What is delivered: the cells or cell products and where they come from.
    CellSource, "cell source" {
        /// The patient's own adipose-derived stem/stromal cells, by mini-liposuction.
        AutologousAdipose = "autologous-adipose", "Autologous adipose (mini-liposuction)";
        /// The patient's own bone marrow aspirate concentrate.
        AutologousBoneMarrow = "autologous-bone-marrow", "Autologous bone marrow (aspirate concentrate)";
        /// Platelet-rich plasma from the patient's blood: growth factors, not stem cells.
        AutologousPrp = "autologous-prp", "Platelet-rich plasma (PRP)";
        /// Platelet-rich fibrin from the patient's blood, no anticoagulant.
        AutologousPrf = "autologous-prf", "Platelet-rich fibrin (PRF)";
        /// Donor-derived cells; limited in aesthetics by compatibility and regulation.
        Allogeneic = "allogeneic", "Allogeneic (donor) cells";
        /// Cell-free products of cultured stem cells: conditioned medium, exosomes.
        Secretome = "secretome", "Secretome and exosomes (cell-free)";
        /// Plant stem-cell extracts in skincare; they do not integrate into human tissue.
        PlantDerived = "plant-derived", "Plant-derived stem-cell extract";
    }
}

string_enum! {
    /// The body area that is treated.
    Area, "target area" {
        /// Cheeks, jawline, forehead, periorbital and perioral regions.
        Face = "face", "Face";
        /// Neck and décolleté.
        Neck = "neck", "Neck and décolleté";
        /// Hair-bearing scalp.
        Scalp = "scalp", "Scalp";
        /// Abdomen and flanks.
        Abdomen = "abdomen", "Abdomen and flanks";
        /// Thighs.
        Thighs = "thighs", "Thighs";
        /// Hips and buttocks.
        Hips = "hips", "Hips and buttocks";
        /// Breasts.
        Breasts = "breasts", "Breasts";
        /// Upper arms.
        UpperArms = "upper-arms", "Upper arms";
        /// Knee joint and its ligaments.
        Knee = "knee", "Knee";
        /// Shoulder joint and rotator cuff.
        Shoulder = "shoulder", "Shoulder";
        /// Elbow joint and its tendons.
        Elbow = "elbow", "Elbow";
        /// Other tendons (Achilles, patellar, hamstring).
        Tendon = "tendon", "Other tendon (Achilles, patellar, hamstring)";
    }
}

string_enum! {
    /// What is being treated.
    Indication, "indication" {
        /// Wrinkles, loss of elasticity and volume, dull skin.
        FacialAging = "facial-aging", "Facial aging";
        /// Atrophic acne scarring.
        AcneScars = "acne-scars", "Acne scars";
        /// Post-surgical and injury scars.
        SurgicalScars = "surgical-scars", "Surgical and injury scars";
        /// Striae from pregnancy, weight change, puberty.
        StretchMarks = "stretch-marks", "Stretch marks (striae)";
        /// Male or female pattern hair loss with living follicles.
        AndrogeneticAlopecia = "androgenetic-alopecia", "Androgenetic alopecia (pattern hair loss)";
        /// Diffuse thinning, e.g. telogen effluvium.
        HairThinning = "hair-thinning", "Hair thinning";
        /// Degenerative joint disease, arthritis.
        Osteoarthritis = "osteoarthritis", "Osteoarthritis";
        /// Sprains and partial tears (e.g. ACL).
        LigamentInjury = "ligament-injury", "Ligament injury";
        /// Tendonitis and tendon degeneration.
        Tendinopathy = "tendinopathy", "Tendinopathy";
        /// Rotator cuff strain or tear.
        RotatorCuffInjury = "rotator-cuff-injury", "Rotator cuff injury";
        /// Muscle strains.
        MuscleStrain = "muscle-strain", "Muscle strain";
        /// Chronic pain of a joint without a more specific diagnosis.
        ChronicJointPain = "chronic-joint-pain", "Chronic joint pain";
    }
}

string_enum! {
    /// A yes/no question of the screening step.
    Factor, "patient factor" {
        /// Active cancer, or cancer under treatment.
        ActiveCancer = "active-cancer", "Active cancer";
        /// Cancer in the past, treated and in remission.
        CancerHistory = "cancer-history", "History of treated cancer";
        /// Takes blood thinners (anticoagulants or antiplatelets).
        Anticoagulants = "anticoagulants", "Blood thinners";
        /// Haemophilia, von Willebrand disease or another coagulation disorder.
        BleedingDisorder = "bleeding-disorder", "Bleeding disorder";
        /// Takes NSAIDs or aspirin regularly.
        Nsaids = "nsaids", "NSAIDs or aspirin";
        /// Takes supplements that raise bleeding risk.
        Supplements = "supplements", "Supplements that raise bleeding risk";
        /// Autoimmune disease or immunosuppressive treatment.
        ImmuneDisorder = "immune-disorder", "Immune disorder or immunosuppression";
        /// Active skin disease at the treatment site.
        SkinCondition = "skin-condition", "Active skin disease at the site";
        /// Infection at the site or systemic, or recent fever.
        ActiveInfection = "active-infection", "Active infection or recent fever";
        /// Pregnant or breastfeeding.
        Pregnancy = "pregnancy", "Pregnant or breastfeeding";
        /// Thrombocytopenia or platelet dysfunction.
        PlateletDisorder = "platelet-disorder", "Platelet disorder";
        /// Allergy to local anaesthetics.
        AnaestheticAllergy = "anaesthetic-allergy", "Allergy to local anaesthetics";
        /// Cold sores (herpes simplex), now or in the past.
        HerpesHistory = "herpes-history", "Cold sores (herpes simplex)";
        /// Smokes.
        Smoker = "smoker", "Smoker";
        /// Diabetes that is not controlled.
        UncontrolledDiabetes = "uncontrolled-diabetes", "Uncontrolled diabetes";
        /// Forms keloids or hypertrophic scars.
        KeloidTendency = "keloid-tendency", "Keloid tendency";
        /// Isotretinoin within the last months.
        RecentIsotretinoin = "recent-isotretinoin", "Recent isotretinoin";
        /// Recent steroid injection at the site or systemic steroids.
        RecentSteroids = "recent-steroids", "Recent steroids";
        /// Complete hair loss in the area: no living follicles remain.
        NoLivingFollicles = "no-living-follicles", "No living hair follicles";
        /// The stretch marks or scars are old, deep or severe.
        MatureLesions = "mature-lesions", "Mature, deep or old lesions";
        /// A complete or retracted tear of the tendon or ligament, or an unstable joint.
        CompleteTear = "complete-tear", "Complete tear or unstable joint";
        /// Treated within a registered trial, or under an IND or hospital exemption.
        TrialEnrolled = "trial-enrolled", "Trial, IND or hospital exemption";
    }
}

impl Factor {
    /// The screening question, in plain words, as asked of the physician.
    #[must_use]
    pub fn question(self) -> &'static str {
        match self {
            Factor::ActiveCancer => {
                "Does the patient have active cancer, or is cancer being treated now?"
            }
            Factor::CancerHistory => {
                "Has the patient had cancer in the past that was treated and is in remission?"
            }
            Factor::BleedingDisorder => {
                "Does the patient have a bleeding disorder (haemophilia, von Willebrand disease or another coagulation disorder)?"
            }
            Factor::AnaestheticAllergy => {
                "Has the patient had an allergic reaction to a local anaesthetic (lidocaine or another)?"
            }
            Factor::HerpesHistory => {
                "Does the patient get cold sores (herpes simplex), now or in the past?"
            }
            Factor::CompleteTear => {
                "Is the tendon or ligament completely torn or retracted, or is the joint unstable?"
            }
            Factor::TrialEnrolled => {
                "Is the patient treated within a registered trial, or under an IND or a hospital exemption?"
            }
            Factor::Anticoagulants => {
                "Does the patient take blood thinners (anticoagulants or antiplatelets)?"
            }
            Factor::Nsaids => "Does the patient take NSAIDs or aspirin regularly?",
            Factor::Supplements => {
                "Does the patient take supplements that raise bleeding risk (fish oil, vitamin E, ginkgo)?"
            }
            Factor::ImmuneDisorder => {
                "Does the patient have an autoimmune disease or take immunosuppressive treatment?"
            }
            Factor::SkinCondition => {
                "Is there active skin disease at the treatment site (eczema, psoriasis, active acne)?"
            }
            Factor::ActiveInfection => {
                "Is there an infection at the site or in the body, or a recent fever?"
            }
            Factor::Pregnancy => "Is the patient pregnant or breastfeeding?",
            Factor::PlateletDisorder => {
                "Does the patient have thrombocytopenia or a platelet dysfunction?"
            }
            Factor::Smoker => "Does the patient smoke?",
            Factor::UncontrolledDiabetes => {
                "Does the patient have diabetes that is not controlled?"
            }
            Factor::KeloidTendency => "Does the patient form keloids or hypertrophic scars?",
            Factor::RecentIsotretinoin => {
                "Has the patient taken isotretinoin in the last six months?"
            }
            Factor::RecentSteroids => {
                "Was a steroid injected at the site in the last month, or systemic steroids taken in the last two weeks?"
            }
            Factor::NoLivingFollicles => {
                "Is the hair completely gone in the area, with no living follicles left?"
            }
            Factor::MatureLesions => "Are the stretch marks or scars old, deep or severe?",
        }
    }
}

impl Area {
    /// Whether the area is skin that scars, striae and skin aging can be treated on.
    #[must_use]
    pub fn is_skin_area(self) -> bool {
        !matches!(
            self,
            Area::Scalp | Area::Knee | Area::Shoulder | Area::Elbow | Area::Tendon
        )
    }
}

impl Indication {
    /// Whether the indication is meaningful on the area, per the taxonomy's table of
    /// typical areas. A combination outside this table is never offered.
    #[must_use]
    pub fn fits_area(self, area: Area) -> bool {
        use Area as A;
        match self {
            Indication::FacialAging => matches!(area, A::Face | A::Neck),
            Indication::AcneScars => matches!(area, A::Face),
            Indication::SurgicalScars => area.is_skin_area(),
            Indication::StretchMarks => matches!(
                area,
                A::Abdomen | A::Thighs | A::Hips | A::Breasts | A::UpperArms
            ),
            Indication::AndrogeneticAlopecia | Indication::HairThinning => area == A::Scalp,
            Indication::Osteoarthritis
            | Indication::LigamentInjury
            | Indication::ChronicJointPain => {
                matches!(area, A::Knee | A::Shoulder | A::Elbow)
            }
            Indication::Tendinopathy => {
                matches!(area, A::Tendon | A::Elbow | A::Shoulder | A::Knee)
            }
            Indication::RotatorCuffInjury => area == A::Shoulder,
            Indication::MuscleStrain => matches!(area, A::Thighs | A::UpperArms | A::Tendon),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_through_from_str() {
        for factor in Factor::ALL {
            assert_eq!(factor.id().parse::<Factor>(), Ok(*factor));
        }
        for area in Area::ALL {
            assert_eq!(area.id().parse::<Area>(), Ok(*area));
        }
    }

    #[test]
    fn unknown_id_lists_the_valid_ones() {
        let error = "cheek".parse::<Area>().unwrap_err();
        let text = error.to_string();
        assert!(text.starts_with("unknown target area 'cheek'"), "{text}");
        assert!(text.contains("face, neck, scalp"), "{text}");
    }

    #[test]
    fn every_indication_fits_some_area() {
        for indication in Indication::ALL {
            assert!(
                Area::ALL.iter().any(|area| indication.fits_area(*area)),
                "{indication} fits no area"
            );
        }
    }
}
