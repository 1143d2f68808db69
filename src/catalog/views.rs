//! The standard views of clinical photographs, by treated area, as data
//! (`assets/photo-views.ron`): a photograph of a plan is tagged with one view of the
//! plan's area, so that photographs of the same view are compared over time. A clinic
//! adds views with files of the same shape; a view id already used for an area is
//! reported and the clinic's view left out, so the built-in views keep their meaning.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::ids::Area;
use super::load::ProtocolFile;
use super::validate::{Locator, Problem};

/// The built-in views, embedded in the binary.
const BUILTIN_VIEWS: &str = include_str!("../../assets/photo-views.ron");
/// Its name in problems.
const BUILTIN_VIEWS_FILE: &str = "photo-views.ron";
/// The folder of a clinic's view files, inside its protocol folder.
pub const CLINIC_VIEW_FOLDER: &str = "views";

/// One standard view, such as the left oblique of the face.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PhotoView {
    /// The stable id, such as `left-oblique`: lowercase letters, digits and hyphens.
    pub id: String,
    /// What the physician reads: "Left oblique (45°)".
    pub label: String,
    /// How to take it, in one or two sentences.
    pub how: String,
}

/// Some areas and the views of each.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct ViewGroup {
    areas: Vec<Area>,
    views: Vec<PhotoView>,
}

/// The views of every area.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhotoViews {
    by_area: BTreeMap<Area, Vec<PhotoView>>,
}

impl PhotoViews {
    /// The built-in views alone, with any problem of their file (the test suite keeps
    /// it at none).
    #[must_use]
    pub fn builtin() -> (PhotoViews, Vec<Problem>) {
        Self::load(&[])
    }

    /// The built-in views with a clinic's files of views added.
    #[must_use]
    pub fn load(clinic: &[ProtocolFile]) -> (PhotoViews, Vec<Problem>) {
        let mut problems = Vec::new();
        let mut by_area: BTreeMap<Area, Vec<PhotoView>> = BTreeMap::new();
        let builtin = ProtocolFile {
            name: BUILTIN_VIEWS_FILE.to_owned(),
            text: BUILTIN_VIEWS.to_owned(),
        };
        for file in std::iter::once(&builtin).chain(clinic) {
            let groups = match parse(file) {
                Ok(groups) => groups,
                Err(problem) => {
                    problems.push(problem);
                    continue;
                }
            };
            let at = Locator::new(&file.name, &file.text);
            for group in groups {
                for view in &group.views {
                    if let Some(message) = view_problem(view) {
                        problems.push(at.problem("id", Some(&view.id), message));
                        continue;
                    }
                    for area in &group.areas {
                        let views = by_area.entry(*area).or_default();
                        if views.iter().any(|kept| kept.id == view.id) {
                            problems.push(at.problem(
                                "id",
                                Some(&view.id),
                                format!(
                                    "view '{}' of {} is already defined; give the view another id",
                                    view.id,
                                    area.label()
                                ),
                            ));
                        } else {
                            views.push(view.clone());
                        }
                    }
                }
            }
        }
        (PhotoViews { by_area }, problems)
    }

    /// The views of an area, in the order the files give them.
    #[must_use]
    pub fn for_area(&self, area: Area) -> &[PhotoView] {
        self.by_area.get(&area).map_or(&[], Vec::as_slice)
    }

    /// The view of an area with this id.
    #[must_use]
    pub fn find(&self, area: Area, id: &str) -> Option<&PhotoView> {
        self.for_area(area).iter().find(|view| view.id == id)
    }
}

fn parse(file: &ProtocolFile) -> Result<Vec<ViewGroup>, Problem> {
    ron::from_str::<Vec<ViewGroup>>(&file.text).map_err(|error| Problem {
        file: file.name.clone(),
        line: error.span.start.line.max(1),
        column: error.span.start.col.max(1),
        message: error.code.to_string(),
    })
}

/// What is wrong with a view, if anything.
fn view_problem(view: &PhotoView) -> Option<String> {
    let well_formed = !view.id.is_empty()
        && view.id.len() <= 64
        && view
            .id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if !well_formed {
        return Some(format!(
            "view id '{}' must be lowercase letters, digits and hyphens, at most 64",
            crate::untrusted::for_message(&view.id)
        ));
    }
    for (field, text) in [("label", &view.label), ("how", &view.how)] {
        if text.trim().is_empty() || text.chars().any(char::is_control) {
            return Some(format!(
                "the {field} of view '{}' must be plain text, not empty",
                view.id
            ));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_area_has_views_and_the_built_in_file_has_no_problem() {
        let (views, problems) = PhotoViews::builtin();
        assert!(problems.is_empty(), "{problems:?}");
        for &area in Area::ALL {
            assert!(!views.for_area(area).is_empty(), "{area:?} has no views");
        }
        let face: Vec<&str> = views
            .for_area(Area::Face)
            .iter()
            .map(|view| view.id.as_str())
            .collect();
        assert_eq!(
            face,
            [
                "front",
                "left-oblique",
                "right-oblique",
                "left-profile",
                "right-profile"
            ]
        );
        let scalp: Vec<&str> = views
            .for_area(Area::Scalp)
            .iter()
            .map(|view| view.id.as_str())
            .collect();
        assert_eq!(scalp, ["vertex", "crown", "frontal-hairline", "part-line"]);
    }

    #[test]
    fn a_clinic_adds_views_and_cannot_redefine_one() {
        let clinic = ProtocolFile {
            name: "knee-views.ron".into(),
            text: r#"[
                (areas: ["knee"], views: [
                    (id: "flexed-90", label: "Flexed to 90°", how: "Seated, knee bent to a right angle."),
                    (id: "front", label: "Another front", how: "Standing."),
                    (id: "Bad Id", label: "Bad", how: "Bad."),
                ]),
            ]"#
            .into(),
        };
        let (views, problems) = PhotoViews::load(&[clinic]);
        assert!(views.find(Area::Knee, "flexed-90").is_some());
        assert_eq!(views.find(Area::Knee, "front").unwrap().label, "Front");
        assert!(views.find(Area::Shoulder, "flexed-90").is_none());
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(
            problems
                .iter()
                .all(|problem| problem.file == "knee-views.ron")
        );
        assert!(
            problems[0].message.contains("already defined"),
            "{problems:?}"
        );
        assert!(problems[1].line > 1, "{problems:?}");
        let broken = ProtocolFile {
            name: "broken.ron".into(),
            text: "[(areas: [\"elbow\"], views: [(id: \"x\"".into(),
        };
        let (views, problems) = PhotoViews::load(&[broken]);
        assert_eq!(problems.len(), 1);
        assert_eq!(views, PhotoViews::builtin().0);
    }
}
