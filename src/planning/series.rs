//! Outcome scores as series against the plan: for each scale a plan uses, the scores
//! in date order, the baseline, the plan's expected result windows, the band of change
//! too small to matter (the minimal clinically important difference, where one is
//! published), and a verdict in plain words that never claims more than the numbers
//! show. The window's chart and the patient's progress report both draw from it.
//!
//! Pure: no IO and no clock.

use std::fmt::Write as _;

use jiff::civil::Date;
use serde::Serialize;

use super::plan::{FollowUpVisit, Plan};
use super::progress::Score;
use crate::catalog::{Better, Scale, Scales, number};

/// One score on the chart.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SeriesPoint {
    /// The day it was measured.
    pub date: Date,
    /// The score.
    pub value: f64,
    /// Days from the first session to the day (negative before it).
    pub days_since_first_session: i32,
}

/// An expected result of the plan, as a date range.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExpectedWindow {
    /// What to expect, as the plan says it.
    pub label: String,
    /// The earliest day.
    pub from: Date,
    /// The day by which it usually shows.
    pub to: Date,
}

/// The change too small to matter to a patient, drawn from the baseline towards
/// better: a score beyond `threshold` is better than the baseline by at least the
/// minimal clinically important difference.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct McidBand {
    /// The difference, in points of the scale.
    pub points: f64,
    /// The baseline moved by the difference in the better direction, kept within the
    /// scale's range.
    pub threshold: f64,
    /// The lower edge of the band (the smaller of baseline and threshold).
    pub low: f64,
    /// The upper edge of the band.
    pub high: f64,
    /// Where the difference comes from.
    pub source: String,
}

/// How the latest score stands against the baseline, in words that claim no more than
/// the numbers show.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "verdict", rename_all = "kebab-case")]
pub enum Verdict {
    /// Nothing entered on this scale.
    NoScores,
    /// Only the baseline: nothing to compare yet.
    BaselineOnly,
    /// Better by at least the minimal clinically important difference.
    ImprovedBeyondMcid {
        /// How many points better.
        change: f64,
        /// The difference needed.
        mcid: f64,
    },
    /// Better, but by less than the minimal clinically important difference.
    NotYet {
        /// How many points better.
        change: f64,
        /// The difference needed.
        mcid: f64,
    },
    /// Better, on a scale with no published difference to judge it by.
    ImprovedNoMcid {
        /// How many points better.
        change: f64,
    },
    /// The same as the baseline.
    Unchanged,
    /// Worse than the baseline.
    Worse {
        /// How many points worse.
        change: f64,
    },
}

impl Verdict {
    /// The verdict as a sentence for a physician or a patient, with the scale's unit.
    #[must_use]
    pub fn sentence(&self, unit: &str) -> String {
        match *self {
            Verdict::NoScores => "No scores entered yet.".to_owned(),
            Verdict::BaselineOnly => {
                "Only the first score is entered; a change shows once a later score is entered."
                    .to_owned()
            }
            Verdict::ImprovedBeyondMcid { change, mcid } => format!(
                "Improved by more than the minimal important difference: {} better than the first score, where {} is the smallest change known to matter to patients.",
                amount(change, unit),
                amount(mcid, unit)
            ),
            Verdict::NotYet { change, mcid } => format!(
                "Not yet: {} better than the first score, less than the {} known to matter to patients.",
                amount(change, unit),
                amount(mcid, unit)
            ),
            Verdict::ImprovedNoMcid { change } => format!(
                "{} better than the first score; no minimal important difference is published for this scale, so whether the change matters is judged together with the physician.",
                amount(change, unit)
            ),
            Verdict::Unchanged => "The same as the first score.".to_owned(),
            Verdict::Worse { change } => format!(
                "Worse: {} worse than the first score.",
                amount(change, unit)
            ),
        }
    }
}

/// A number of a scale's unit as written: "1 point", "12 points", "1.75 cm".
fn amount(value: f64, unit: &str) -> String {
    let written = number(value);
    if written == "1" && unit == "points" {
        "1 point".to_owned()
    } else {
        format!("{written} {unit}")
    }
}

/// One scale's scores against the plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScoreSeries {
    /// The scale.
    pub scale: Scale,
    /// The scores, oldest first (scores of one day in the order entered).
    pub points: Vec<SeriesPoint>,
    /// The first score on or before the first session, else the first score.
    pub baseline: Option<SeriesPoint>,
    /// The plan's expected results.
    pub windows: Vec<ExpectedWindow>,
    /// The band of change too small to matter, when a difference is published and
    /// there is a baseline.
    pub mcid: Option<McidBand>,
    /// The latest score against the baseline.
    pub verdict: Verdict,
}

impl ScoreSeries {
    /// The latest score.
    #[must_use]
    pub fn latest(&self) -> Option<&SeriesPoint> {
        self.points.last()
    }

    /// The series in sentences, for a screen reader and for the report's text: the
    /// scale, each score with its date, the baseline, the difference that matters and
    /// the verdict.
    #[must_use]
    pub fn describe(&self) -> String {
        let unit = &self.scale.unit;
        let better = match self.scale.better {
            Better::Higher => "higher is better",
            Better::Lower => "lower is better",
        };
        let mut text = format!(
            "{} ({}, {better}).",
            self.scale.short_name,
            self.scale.range_text()
        );
        if self.points.is_empty() {
            text.push_str(" No scores entered yet.");
            return text;
        }
        let scores: Vec<String> = self
            .points
            .iter()
            .map(|point| format!("{} on {}", number(point.value), point.date))
            .collect();
        let _ = write!(text, " Scores: {}.", scores.join(", "));
        if let Some(baseline) = &self.baseline {
            let _ = write!(
                text,
                " First score {} {unit} on {}.",
                number(baseline.value),
                baseline.date
            );
        }
        if let Some(band) = &self.mcid {
            let _ = write!(
                text,
                " A change of {} {unit} matters to patients (beyond {} {unit}).",
                number(band.points),
                number(band.threshold)
            );
        }
        text.push(' ');
        text.push_str(&self.verdict.sentence(unit));
        text
    }
}

/// The scales a follow-up visit scores, each once, in the order the protocol names
/// them; a scale the catalog no longer holds is left out. A visit of a plan made
/// before follow-ups named their scales by id has the scales its assessments name, in
/// catalog order.
#[must_use]
pub fn visit_scales<'s>(scales: &'s Scales, visit: &FollowUpVisit) -> Vec<&'s Scale> {
    let mut found: Vec<&Scale> = Vec::new();
    if !visit.scales.is_empty() {
        for id in &visit.scales {
            if let Some(scale) = scales.get(id)
                && !found.iter().any(|known| known.id == scale.id)
            {
                found.push(scale);
            }
        }
        return found;
    }
    for assessment in &visit.assessments {
        for scale in scales.named_in(assessment) {
            if !found.iter().any(|known| known.id == scale.id) {
                found.push(scale);
            }
        }
    }
    found
}

/// The scales a plan uses: those its follow-ups name, in the order of the visits, then
/// any other scale that has scores.
#[must_use]
pub fn plan_scales<'s>(scales: &'s Scales, plan: &Plan, scores: &[Score]) -> Vec<&'s Scale> {
    let mut found: Vec<&Scale> = Vec::new();
    for visit in &plan.follow_ups {
        for scale in visit_scales(scales, visit) {
            if !found.iter().any(|known| known.id == scale.id) {
                found.push(scale);
            }
        }
    }
    for score in scores {
        if let Some(scale) = scales.get(&score.scale)
            && !found.iter().any(|known| known.id == scale.id)
        {
            found.push(scale);
        }
    }
    found
}

/// Days from `from` to `to`, negative before it.
fn days_from(from: Date, to: Date) -> i32 {
    (to - from).get_days()
}

/// One series per scale the plan uses ([`plan_scales`]).
#[must_use]
pub fn score_series(scales: &Scales, plan: &Plan, scores: &[Score]) -> Vec<ScoreSeries> {
    plan_scales(scales, plan, scores)
        .into_iter()
        .map(|scale| series_of(scale, plan, scores))
        .collect()
}

/// The series of one scale.
#[must_use]
pub fn series_of(scale: &Scale, plan: &Plan, scores: &[Score]) -> ScoreSeries {
    let first_session = plan.sessions.first().map(|session| session.date);
    let mut points: Vec<SeriesPoint> = scores
        .iter()
        .filter(|score| score.scale == scale.id && score.value.is_finite())
        .map(|score| SeriesPoint {
            date: score.date,
            value: score.value,
            days_since_first_session: first_session.map_or(0, |first| days_from(first, score.date)),
        })
        .collect();
    // Stable: scores of one day keep the order they were entered in.
    points.sort_by_key(|point| point.date);
    let baseline = first_session
        .and_then(|first| points.iter().find(|point| point.date <= first))
        .or(points.first())
        .copied();
    let windows = plan
        .milestones
        .iter()
        .map(|milestone| ExpectedWindow {
            label: milestone.label.clone(),
            from: milestone.from,
            to: milestone.to,
        })
        .collect();
    let mcid = baseline.and_then(|baseline| mcid_band(scale, baseline.value));
    let verdict = verdict(scale, baseline, points.last().copied(), mcid.as_ref());
    ScoreSeries {
        scale: scale.clone(),
        points,
        baseline,
        windows,
        mcid,
        verdict,
    }
}

fn mcid_band(scale: &Scale, baseline: f64) -> Option<McidBand> {
    let points = scale.mcid_points(baseline)?;
    if !(points.is_finite() && points > 0.0) {
        return None;
    }
    let moved = match scale.better {
        Better::Higher => baseline + points,
        Better::Lower => baseline - points,
    };
    let threshold = moved.clamp(scale.range.min, scale.range.max);
    Some(McidBand {
        points,
        threshold,
        low: baseline.min(threshold),
        high: baseline.max(threshold),
        source: scale
            .mcid
            .as_ref()
            .map(|mcid| mcid.source.clone())
            .unwrap_or_default(),
    })
}

fn verdict(
    scale: &Scale,
    baseline: Option<SeriesPoint>,
    latest: Option<SeriesPoint>,
    band: Option<&McidBand>,
) -> Verdict {
    let (Some(baseline), Some(latest)) = (baseline, latest) else {
        return Verdict::NoScores;
    };
    if latest.date <= baseline.date {
        return Verdict::BaselineOnly;
    }
    let better_by = match scale.better {
        Better::Higher => latest.value - baseline.value,
        Better::Lower => baseline.value - latest.value,
    };
    // Scores are typed to two decimals at most; a smaller difference is no change.
    if better_by.abs() < 0.005 {
        return Verdict::Unchanged;
    }
    if better_by < 0.0 {
        return Verdict::Worse { change: -better_by };
    }
    match band {
        // At the threshold (also when the range cuts the band short) counts as beyond.
        Some(band) if better_by + 0.005 >= band.points => Verdict::ImprovedBeyondMcid {
            change: better_by,
            mcid: band.points,
        },
        Some(band) => Verdict::NotYet {
            change: better_by,
            mcid: band.points,
        },
        None => Verdict::ImprovedNoMcid { change: better_by },
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::catalog::{Area, Catalog, CellSource, Indication, Modality, ScaleId, Selection};
    use crate::planning::{PlanRequest, generate};

    fn knee_plan(catalog: &Catalog) -> Plan {
        let selection = Selection {
            modality: Modality::Injection,
            source: CellSource::AutologousPrp,
            area: Area::Knee,
            indication: Indication::Osteoarthritis,
            adjuncts: Vec::new(),
        };
        let request = PlanRequest::new(selection, BTreeSet::new(), "2027-03-01".parse().unwrap());
        generate(catalog, &request).unwrap()
    }

    fn score(scale: &str, value: f64, date: &str) -> Score {
        Score {
            scale: ScaleId::new(scale).unwrap(),
            value,
            date: date.parse().unwrap(),
        }
    }

    /// The VAS series of the knee plan with these scores.
    fn vas(scores: &[Score]) -> ScoreSeries {
        let (catalog, _) = Catalog::builtin();
        let plan = knee_plan(&catalog);
        let scale = catalog.scales().find("vas-pain").unwrap();
        series_of(scale, &plan, scores)
    }

    #[test]
    fn the_knee_plan_uses_the_scales_its_follow_ups_name() {
        let (catalog, _) = Catalog::builtin();
        let plan = knee_plan(&catalog);
        let ids: Vec<&str> = plan_scales(catalog.scales(), &plan, &[])
            .iter()
            .map(|scale| scale.id.as_str())
            .collect();
        assert!(ids.contains(&"vas-pain"), "{ids:?}");
        assert!(ids.contains(&"womac"), "{ids:?}");
        // A score on a scale no visit names still gets its series.
        let extra = [score("gais", 2.0, "2027-05-01")];
        let with_extra = score_series(catalog.scales(), &plan, &extra);
        assert_eq!(
            with_extra.last().map(|series| series.scale.id.as_str()),
            Some("gais")
        );
    }

    #[test]
    fn the_baseline_is_the_first_score_on_or_before_the_first_session() {
        let first = vas(&[]).windows.len();
        assert!(first > 0, "the plan's milestones are the windows");
        let series = vas(&[
            score("vas-pain", 5.0, "2027-06-01"),
            score("vas-pain", 7.0, "2027-02-20"),
            score("vas-pain", 6.5, "2027-02-28"),
        ]);
        let dates: Vec<String> = series.points.iter().map(|p| p.date.to_string()).collect();
        assert_eq!(dates, ["2027-02-20", "2027-02-28", "2027-06-01"]);
        assert_eq!(series.baseline.map(|b| b.value), Some(7.0));
        assert!(series.points[0].days_since_first_session < 0);
        // With nothing before the first session, the first score is the baseline.
        let late = vas(&[
            score("vas-pain", 6.0, "2027-05-01"),
            score("vas-pain", 4.0, "2027-04-01"),
        ]);
        assert_eq!(late.baseline.map(|b| b.value), Some(4.0));
    }

    #[test]
    fn the_verdict_says_no_more_than_the_numbers() {
        // VAS pain: lower is better, the difference is 1.75 cm.
        let check = |later: f64, expected: &str| {
            let series = vas(&[
                score("vas-pain", 7.0, "2027-02-25"),
                score("vas-pain", later, "2027-06-01"),
            ]);
            let sentence = series.verdict.sentence(&series.scale.unit);
            assert!(
                sentence.starts_with(expected),
                "{later}: {sentence} ({:?})",
                series.verdict
            );
        };
        check(
            5.0,
            "Improved by more than the minimal important difference",
        );
        check(
            5.25,
            "Improved by more than the minimal important difference",
        );
        check(6.0, "Not yet");
        check(7.0, "The same");
        check(8.5, "Worse");
        assert_eq!(
            vas(&[score("vas-pain", 7.0, "2027-02-25")]).verdict,
            Verdict::BaselineOnly
        );
        assert_eq!(vas(&[]).verdict, Verdict::NoScores);
    }

    #[test]
    fn the_band_runs_from_the_baseline_towards_better_within_the_range() {
        let series = vas(&[score("vas-pain", 1.0, "2027-02-25")]);
        let band = series.mcid.unwrap();
        assert!((band.points - 1.75).abs() < 1e-9, "{}", band.points);
        // Lower is better: the band runs down from 1, cut at the scale's 0.
        assert_eq!(
            (
                band.low.to_bits(),
                band.high.to_bits(),
                band.threshold.to_bits()
            ),
            (0.0f64.to_bits(), 1.0f64.to_bits(), 0.0f64.to_bits())
        );
        assert!(!band.source.is_empty());
    }

    #[test]
    fn a_scale_without_a_published_difference_has_no_band_and_says_so() {
        let (catalog, _) = Catalog::builtin();
        let plan = knee_plan(&catalog);
        let scale = catalog.scales().find("ecca").unwrap();
        let series = series_of(
            scale,
            &plan,
            &[
                score("ecca", 120.0, "2027-02-01"),
                score("ecca", 80.0, "2027-06-01"),
            ],
        );
        assert_eq!(series.mcid, None);
        assert_eq!(series.verdict, Verdict::ImprovedNoMcid { change: 40.0 });
        assert!(
            series
                .verdict
                .sentence("points")
                .contains("no minimal important difference is published")
        );
    }

    #[test]
    fn the_description_names_every_score_and_the_verdict() {
        let series = vas(&[
            score("vas-pain", 7.0, "2027-02-25"),
            score("vas-pain", 4.0, "2027-06-01"),
        ]);
        let text = series.describe();
        for part in [
            "VAS pain",
            "lower is better",
            "7 on 2027-02-25",
            "4 on 2027-06-01",
            "Improved by more than",
        ] {
            assert!(text.contains(part), "{part} missing from: {text}");
        }
    }
}
