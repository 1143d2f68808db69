//! Treatment records through the library: recording sessions moves the plan forward,
//! the status and the overdue rule follow, doses are checked against the protocol,
//! scores against their scale, lots are recalled across plans, and every protocol's
//! follow-ups name scales the catalog knows.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly on anything unexpected"
)]

use std::collections::{BTreeMap, BTreeSet};

use jiff::civil::Date;
use regen_planner::catalog::{
    Area, Catalog, CellSource, Indication, Modality, Selection, Technique,
};
use regen_planner::planning::{
    Anaesthetic, Course, EditContext, Material, MaterialKind, Plan, PlanEdit, PlanRequest,
    PlanStatus, RecallSource, RecordError, Score, SessionProgress, SessionRecord, Treatment,
    find_lot, generate, lot_suggestions, overdue_sessions, session_states, status_after,
};

fn date(text: &str) -> Date {
    text.parse().unwrap()
}

/// A plan as the store keeps it, with its records.
struct Saved {
    catalog: Catalog,
    request: PlanRequest,
    plan: Plan,
    status: PlanStatus,
    records: Vec<SessionRecord>,
}

impl Saved {
    /// A plan starting on `start` for one of the two courses of the issue.
    fn new(course: &str, start: &str) -> Self {
        let (catalog, problems) = Catalog::builtin();
        assert!(problems.is_empty(), "{problems:?}");
        let selection = match course {
            "knee-prp" => Selection {
                modality: Modality::Injection,
                source: CellSource::AutologousPrp,
                area: Area::Knee,
                indication: Indication::Osteoarthritis,
                adjuncts: Vec::new(),
            },
            "stretch-marks" => Selection {
                modality: Modality::Injection,
                source: CellSource::AutologousAdipose,
                area: Area::Abdomen,
                indication: Indication::StretchMarks,
                adjuncts: Vec::new(),
            },
            other => panic!("no course {other}"),
        };
        let request = PlanRequest::new(selection, BTreeSet::new(), date(start));
        let plan = generate(&catalog, &request).unwrap();
        Saved {
            catalog,
            request,
            plan,
            status: PlanStatus::Draft,
            records: Vec::new(),
        }
    }

    fn record(
        &mut self,
        record: SessionRecord,
        today: &str,
    ) -> Result<Vec<regen_planner::planning::RecordWarning>, RecordError> {
        let treatment = Treatment {
            request: &mut self.request,
            plan: &mut self.plan,
            status: &mut self.status,
            records: &mut self.records,
        };
        treatment.record(record, &self.catalog, date(today))
    }

    fn session_dates(&self) -> Vec<String> {
        self.plan
            .sessions
            .iter()
            .map(|session| session.date.to_string())
            .collect()
    }

    fn follow_up_dates(&self) -> Vec<String> {
        self.plan
            .follow_ups
            .iter()
            .map(|visit| visit.date.to_string())
            .collect()
    }

    /// The first and last day of the first aftercare task after `session` whose text
    /// begins with `task`.
    fn aftercare(&self, session: u32, task: &str) -> (String, String) {
        let item = self
            .plan
            .aftercare
            .iter()
            .find(|item| item.session == session && item.task.starts_with(task))
            .unwrap_or_else(|| panic!("no aftercare '{task}' after session {session}"));
        (item.from.to_string(), item.until.to_string())
    }
}

fn pair(from: &str, until: &str) -> (String, String) {
    (from.to_owned(), until.to_owned())
}

#[test]
fn a_knee_course_recorded_late_moves_its_aftercare_later_sessions_and_follow_ups() {
    // Three weekly injections from Monday 18 January 2027.
    let mut saved = Saved::new("knee-prp", "2027-01-18");
    assert_eq!(
        saved.session_dates(),
        ["2027-01-18", "2027-01-25", "2027-02-01"]
    );
    assert_eq!(saved.status, PlanStatus::Draft);

    // Session 1 took place two days late, on Wednesday.
    let warnings = saved
        .record(SessionRecord::new(1, date("2027-01-20")), "2027-01-20")
        .unwrap();
    assert!(warnings.is_empty());
    assert_eq!(saved.status, PlanStatus::Active);
    assert_eq!(
        saved.session_dates(),
        ["2027-01-20", "2027-01-27", "2027-02-03"]
    );
    assert_eq!(
        saved.aftercare(1, "Rest the joint"),
        pair("2027-01-20", "2027-01-22")
    );
    assert_eq!(
        saved.aftercare(2, "No NSAIDs"),
        pair("2027-01-27", "2027-02-03")
    );

    // Sessions 2 and 3 on their new days; the follow-ups count from the last one and
    // land on open days (3 May 2027 is a Monday after a Sunday).
    saved
        .record(SessionRecord::new(2, date("2027-01-27")), "2027-01-27")
        .unwrap();
    saved
        .record(SessionRecord::new(3, date("2027-02-03")), "2027-02-03")
        .unwrap();
    assert_eq!(
        saved.follow_up_dates(),
        ["2027-03-17", "2027-05-04", "2027-08-02", "2028-02-03"]
    );
    assert_eq!(saved.status, PlanStatus::Active);
    assert_eq!(
        saved.records.iter().map(|r| r.session).collect::<Vec<_>>(),
        [1, 2, 3]
    );

    // Completed once the last follow-up's day has passed, not before.
    let status_on =
        |today: &str| status_after(PlanStatus::Active, &saved.plan, &saved.records, date(today));
    assert_eq!(status_on("2028-02-03"), PlanStatus::Active);
    assert_eq!(status_on("2028-02-04"), PlanStatus::Completed);
    assert_eq!(
        status_after(
            PlanStatus::Cancelled,
            &saved.plan,
            &saved.records,
            date("2028-03-01")
        ),
        PlanStatus::Cancelled
    );
}

#[test]
fn a_session_performed_on_a_closed_day_keeps_that_day() {
    let mut saved = Saved::new("knee-prp", "2027-01-18");
    // Saturday 23 January: the record keeps the day; session 2 would fall on Saturday
    // 30 January and moves to the next open day.
    saved
        .record(SessionRecord::new(1, date("2027-01-23")), "2027-01-25")
        .unwrap();
    assert_eq!(
        saved.session_dates(),
        ["2027-01-23", "2027-02-01", "2027-02-08"]
    );
}

#[test]
fn a_stretch_marks_course_keeps_its_three_month_spacing_from_the_performed_date() {
    let mut saved = Saved::new("stretch-marks", "2027-01-18");
    // 90 days after Monday 18 January is Sunday 18 April: the plan says Monday 19.
    assert_eq!(saved.session_dates(), ["2027-01-18", "2027-04-19"]);
    saved
        .record(SessionRecord::new(1, date("2027-01-20")), "2027-01-21")
        .unwrap();
    assert_eq!(saved.session_dates(), ["2027-01-20", "2027-04-20"]);
    let donor = saved
        .plan
        .aftercare
        .iter()
        .filter(|item| item.session == 1)
        .map(|item| item.from)
        .min()
        .unwrap();
    assert_eq!(donor, date("2027-01-20"));
}

#[test]
fn the_overdue_rule() {
    let saved = Saved::new("knee-prp", "2027-01-18");
    let overdue = |today: &str, status| overdue_sessions(&saved.plan, status, &[], date(today));
    let cases: [(&str, PlanStatus, &[u32]); 5] = [
        ("2027-01-18", PlanStatus::Active, &[]),
        ("2027-01-19", PlanStatus::Active, &[1]),
        ("2027-01-26", PlanStatus::Draft, &[1, 2]),
        ("2027-03-01", PlanStatus::Active, &[1, 2, 3]),
        ("2027-03-01", PlanStatus::Cancelled, &[]),
    ];
    for (today, status, expected) in cases {
        assert_eq!(overdue(today, status), expected, "on {today}");
    }

    let mut saved = Saved::new("knee-prp", "2027-01-18");
    saved
        .record(SessionRecord::new(1, date("2027-01-18")), "2027-01-18")
        .unwrap();
    let states = session_states(
        &saved.plan,
        saved.status,
        &saved.records,
        date("2027-01-26"),
    );
    let progress: Vec<SessionProgress> = states.iter().map(|state| state.progress).collect();
    assert_eq!(
        progress,
        [
            SessionProgress::Done {
                performed: date("2027-01-18")
            },
            SessionProgress::Overdue,
            SessionProgress::Planned,
        ]
    );
    assert_eq!(
        serde_json::to_value(states[0]).unwrap(),
        serde_json::json!({ "number": 1, "date": "2027-01-18", "state": "done", "performed": "2027-01-18" })
    );
}

#[test]
fn a_refused_record_changes_nothing_and_says_why() {
    let mut saved = Saved::new("knee-prp", "2027-01-18");
    saved
        .record(SessionRecord::new(1, date("2027-01-20")), "2027-01-20")
        .unwrap();
    let before = (
        saved.plan.clone(),
        saved.request.clone(),
        saved.records.clone(),
    );

    let cases: [(SessionRecord, &str, &str); 3] = [
        (
            SessionRecord::new(2, date("2027-01-19")),
            "2027-01-28",
            "Session 2 was not recorded: session 2 on 2027-01-19 would come before session 1 on 2027-01-20; choose a later date",
        ),
        (
            SessionRecord::new(2, date("2027-01-29")),
            "2027-01-28",
            "the session was not recorded: The performed date 2027-01-29 is in the future; give the day it took place (today is 2027-01-28).",
        ),
        (
            SessionRecord::new(5, date("2027-01-27")),
            "2027-01-28",
            "the session was not recorded: There is no session 5 in this plan; it has 3 sessions.",
        ),
    ];
    for (record, today, message) in cases {
        let error = saved.record(record, today).unwrap_err();
        assert_eq!(error.to_string(), message);
        assert_eq!(
            (
                saved.plan.clone(),
                saved.request.clone(),
                saved.records.clone()
            ),
            before
        );
    }

    saved.status = PlanStatus::Cancelled;
    let error = saved
        .record(SessionRecord::new(2, date("2027-01-27")), "2027-01-28")
        .unwrap_err();
    assert_eq!(error, RecordError::Cancelled);
}

#[test]
fn a_performed_session_is_not_moved_and_a_correction_replaces_its_record() {
    let mut saved = Saved::new("knee-prp", "2027-01-18");
    saved
        .record(SessionRecord::new(1, date("2027-01-20")), "2027-01-20")
        .unwrap();
    let (mut notes, mut extra_tasks, mut checklist) = (Vec::new(), Vec::new(), BTreeMap::new());
    let course = Course {
        request: &mut saved.request,
        plan: &mut saved.plan,
        notes: &mut notes,
        extra_tasks: &mut extra_tasks,
        status: &mut saved.status,
        checklist: &mut checklist,
    };
    let context = EditContext {
        catalog: &saved.catalog,
        now: "2027-01-21T09:00:00Z".parse().unwrap(),
        author: "Dr. Vega",
    };
    let error = course
        .apply(
            PlanEdit::MoveSession {
                number: 1,
                date: date("2027-01-22"),
            },
            &context,
        )
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "Session 1 took place on 2027-01-20 and is not moved; correct its record if the date is wrong"
    );

    // The physician corrects the date: one record, and the plan follows it.
    saved
        .record(SessionRecord::new(1, date("2027-01-19")), "2027-01-21")
        .unwrap();
    assert_eq!(saved.records.len(), 1);
    assert_eq!(saved.records[0].performed_on, date("2027-01-19"));
    assert_eq!(
        saved.session_dates(),
        ["2027-01-19", "2027-01-26", "2027-02-02"]
    );
}

#[test]
fn a_tumescent_dose_above_the_maximum_is_recorded_and_flagged() {
    let mut saved = Saved::new("stretch-marks", "2027-01-18");
    let mut record = SessionRecord::new(1, date("2027-01-18"));
    record.weight_kg = Some(60.0);
    record.anaesthetics.push(Anaesthetic {
        agent: "lidocaine 0.1% with adrenaline, tumescent".to_owned(),
        technique: Some(Technique::Tumescent),
        total_mg: 2_500.0,
    });
    let warnings = saved.record(record, "2027-01-18").unwrap();
    assert_eq!(warnings.len(), 1);
    assert!(warnings[0].asks_for_adverse_event);
    assert!(
        warnings[0].message.starts_with(
            "The anaesthetic given, 2500 mg, is above the maximum of 2100 mg for 60 kg (35 mg/kg of lidocaine with adrenaline at the donor site, at most 2800 mg)"
        ),
        "{}",
        warnings[0].message
    );
    assert_eq!(saved.records.len(), 1, "the dose happened: it is recorded");

    // Skin numbing for a knee injection: plain lidocaine, 4.5 mg/kg at most 300 mg.
    let mut knee = Saved::new("knee-prp", "2027-01-18");
    let mut record = SessionRecord::new(1, date("2027-01-18"));
    record.weight_kg = Some(80.0);
    record.anaesthetics.push(Anaesthetic {
        agent: "lidocaine 1% skin wheal".to_owned(),
        technique: Some(Technique::Infiltration),
        total_mg: 20.0,
    });
    assert_eq!(knee.record(record, "2027-01-18").unwrap(), []);
}

#[test]
fn scores_are_checked_against_their_scale_and_today() {
    let (catalog, _) = Catalog::builtin();
    let scales = catalog.scales();
    let today = date("2027-06-01");
    let cases: [(&str, f64, &str, Result<(), &str>); 12] = [
        ("vas-pain", 0.0, "2027-06-01", Ok(())),
        ("vas-pain", 10.0, "2027-05-01", Ok(())),
        (
            "vas-pain",
            10.5,
            "2027-05-01",
            Err("VAS pain scores run from 0 to 10 cm; 10.5 is outside that range."),
        ),
        ("womac", 96.0, "2027-05-01", Ok(())),
        (
            "womac",
            -1.0,
            "2027-05-01",
            Err("WOMAC scores run from 0 to 96 points in whole numbers; -1 is outside that range."),
        ),
        ("koos", 100.0, "2027-05-01", Ok(())),
        (
            "ikdc",
            101.0,
            "2027-05-01",
            Err("IKDC scores run from 0 to 100 points; 101 is outside that range."),
        ),
        ("dash", 12.5, "2027-05-01", Ok(())),
        ("gais", 3.0, "2027-05-01", Ok(())),
        (
            "posas-patient",
            61.0,
            "2027-05-01",
            Err(
                "POSAS patient scores run from 6 to 60 points in whole numbers; 61 is outside that range.",
            ),
        ),
        (
            "hair-density",
            182.4,
            "2027-06-02",
            Err(
                "the score's date 2027-06-02 is in the future; give the day it was measured (today is 2027-06-01)",
            ),
        ),
        (
            "hair-count",
            0.5,
            "2027-05-01",
            Err(
                "Hair count scores run from 0 to 5000 hairs in whole numbers; 0.5 is not a whole number.",
            ),
        ),
    ];
    for (scale, value, day, expected) in cases {
        let result = Score::new(scales, scale, value, date(day), today);
        match expected {
            Ok(()) => {
                let score = result.unwrap();
                assert_eq!((score.scale.as_str(), score.value), (scale, value));
                assert_eq!(score.date, date(day));
            }
            Err(message) => assert_eq!(result.unwrap_err().to_string(), message, "{scale} {value}"),
        }
    }
    let unknown = Score::new(scales, "koos-pain", 50.0, today, today).unwrap_err();
    assert!(
        unknown
            .to_string()
            .starts_with("unknown outcome scale 'koos-pain'; valid ids are: dash, ecca, gais"),
        "{unknown}"
    );
}

#[test]
fn a_recalled_lot_finds_every_patient_plan_and_session() {
    let kit = |lot: &str, expiry: &str| Material {
        name: "PRP tube set".to_owned(),
        kind: MaterialKind::Kit,
        lot: Some(lot.to_owned()),
        expiry: Some(date(expiry)),
    };
    let mut first = Saved::new("knee-prp", "2027-01-18");
    for (number, day, lot) in [
        (1, "2027-01-18", "LP-2291"),
        (2, "2027-01-25", "lp-2291 "),
        (3, "2027-02-01", "LP-2300"),
    ] {
        let mut record = SessionRecord::new(number, date(day));
        record.materials.push(kit(lot, "2028-01-31"));
        first.record(record, day).unwrap();
    }
    let mut second = Saved::new("knee-prp", "2027-01-19");
    let mut record = SessionRecord::new(1, date("2027-01-19"));
    record.materials.push(kit(" LP-2291", "2028-01-31"));
    second.record(record, "2027-01-19").unwrap();

    let sources = [
        RecallSource {
            patient: "pat-0001",
            patient_name: "Ana Ruiz",
            plan: "plan-0001",
            records: &first.records,
        },
        RecallSource {
            patient: "pat-0002",
            patient_name: "Lee Chan",
            plan: "plan-0002",
            records: &second.records,
        },
    ];
    let found = find_lot("lp-2291", sources);
    let rows: Vec<(&str, &str, u32, String)> = found
        .iter()
        .map(|hit| {
            (
                hit.patient_name.as_str(),
                hit.plan.as_str(),
                hit.session,
                hit.performed.to_string(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("Ana Ruiz", "plan-0001", 1, "2027-01-18".to_owned()),
            ("Lee Chan", "plan-0002", 1, "2027-01-19".to_owned()),
            ("Ana Ruiz", "plan-0001", 2, "2027-01-25".to_owned()),
        ]
    );
    let json = serde_json::to_value(&found[0]).unwrap();
    for key in [
        "lot",
        "material",
        "patient",
        "patient_name",
        "plan",
        "session",
        "performed",
    ] {
        assert!(
            json.get(key).is_some(),
            "the recall JSON lacks {key}: {json}"
        );
    }
    assert_eq!(json["lot"], "LP-2291");
    assert_eq!(json["kind"], "kit");

    let suggested: Vec<(String, usize)> = lot_suggestions("LP", sources, 5)
        .into_iter()
        .map(|suggestion| (suggestion.lot, suggestion.uses))
        .collect();
    assert_eq!(
        suggested,
        [("LP-2291".to_owned(), 3), ("LP-2300".to_owned(), 1)]
    );
}

/// Assessments that are observations rather than scores on a scale: a check, a
/// photograph, a classification or a count of events; and the method a score is taken
/// with. No other free text is left in a follow-up: its scales are named by id.
const OBSERVATIONS: &[&str] = &[
    "adverse events",
    "date of session 2 confirmed",
    "donor-site check",
    "facial contour and swelling",
    "harvest-site check",
    "imaging if clinically indicated",
    "irritation or allergy",
    "laboratory release confirmed",
    "Norwood-Hamilton or Savin stage",
    "patient satisfaction",
    "per cent improvement from baseline",
    "phototrichogram or TrichoScan",
    "skin device readings where available",
    "standardised global photographs",
    "standardised photographs",
    "the trial protocol's assessments",
    "X-ray if clinically indicated",
];

/// Which scales each protocol's follow-ups score, by id, over all areas and indications.
const FOLLOW_UP_SCALES: &[(&str, &[&str])] = &[
    ("adipose-cells-face", &["gais"]),
    ("adipose-fat-transfer-face", &["gais"]),
    ("adipose-hair", &["hair-count", "hair-density"]),
    (
        "adipose-scars",
        &[
            "ecca",
            "goodman-baron",
            "posas-observer",
            "posas-patient",
            "vancouver-scar-scale",
        ],
    ),
    (
        "adipose-stretch-marks",
        &["posas-observer", "posas-patient", "vancouver-scar-scale"],
    ),
    ("allogeneic-restricted", &[]),
    ("bmac-hair", &["hair-count", "hair-density"]),
    (
        "bmac-injury",
        &[
            "dash",
            "ikdc",
            "lefs",
            "mayo-elbow",
            "sane",
            "vas-pain",
            "visa-a",
        ],
    ),
    (
        "bmac-joint",
        &["dash", "ikdc", "koos", "sane", "vas-pain", "womac"],
    ),
    (
        "microneedling-prp-prf-face",
        &["ecca", "gais", "goodman-baron"],
    ),
    ("plant-extract-skincare", &["gais"]),
    ("prp-hair", &["hair-count", "hair-density"]),
    ("prp-joint", &["dash", "ikdc", "koos", "vas-pain", "womac"]),
    (
        "prp-tendon",
        &[
            "dash",
            "ikdc",
            "lefs",
            "mayo-elbow",
            "sane",
            "vas-pain",
            "visa-a",
        ],
    ),
    ("secretome-hair", &["hair-count", "hair-density"]),
    ("secretome-intravenous", &[]),
    (
        "secretome-scars",
        &[
            "ecca",
            "goodman-baron",
            "posas-observer",
            "posas-patient",
            "vancouver-scar-scale",
        ],
    ),
    ("secretome-skin", &["gais"]),
];

#[test]
fn every_follow_up_names_its_scales_by_a_known_id_and_keeps_only_observations_as_text() {
    let (catalog, _) = Catalog::builtin();
    let scales = catalog.scales();
    let mut unresolved = Vec::new();
    let mut mapped: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for protocol in catalog.protocols() {
        let ids = mapped.entry(protocol.id.to_string()).or_default();
        for visit in &protocol.follow_ups {
            let visit_ids: BTreeSet<String> = visit
                .scales
                .iter()
                .map(|scale| scale.id().to_string())
                .collect();
            for assessment in &visit.assessments {
                if !OBSERVATIONS.contains(&assessment.as_str()) {
                    unresolved.push(format!("{}: '{assessment}'", protocol.id));
                }
                // A method named in words ("phototrichogram") comes with its scales.
                for named in scales.named_in(assessment) {
                    assert!(
                        visit_ids.contains(named.id.as_str()),
                        "{}, '{}': '{assessment}' names {} but the follow-up does not score it",
                        protocol.id,
                        visit.purpose,
                        named.id
                    );
                }
            }
            ids.extend(visit_ids);
        }
    }
    assert!(
        unresolved.is_empty(),
        "follow-up assessments in free text that are not observations:\n{}",
        unresolved.join("\n")
    );
    let expected: BTreeMap<String, BTreeSet<String>> = FOLLOW_UP_SCALES
        .iter()
        .map(|(protocol, ids)| {
            (
                (*protocol).to_owned(),
                ids.iter().map(|id| (*id).to_owned()).collect(),
            )
        })
        .collect();
    assert_eq!(mapped, expected);
    // Every mapped id is a scale of the catalog, and every scale of the issue is there.
    for id in expected.values().flatten() {
        assert!(scales.find(id).is_ok(), "{id}");
    }
    for id in [
        "vas-pain",
        "womac",
        "koos",
        "ikdc",
        "dash",
        "gais",
        "posas-patient",
        "posas-observer",
        "hair-density",
        "hair-count",
    ] {
        assert!(scales.find(id).is_ok(), "{id} is missing from the catalog");
    }
}

#[test]
fn the_catalog_json_lists_the_scales_with_range_direction_and_mcid() {
    let (catalog, _) = Catalog::builtin();
    let json: serde_json::Value =
        serde_json::from_str(&regen_planner::export::catalog_json(&catalog).unwrap()).unwrap();
    let scales = json["scales"].as_array().unwrap();
    let vas = scales
        .iter()
        .find(|scale| scale["id"] == "vas-pain")
        .unwrap();
    assert_eq!(vas["range"], serde_json::json!({ "min": 0.0, "max": 10.0 }));
    assert_eq!(vas["better"], "lower");
    assert_eq!(vas["unit"], "cm");
    assert_eq!(vas["mcid"]["change"], serde_json::json!({ "points": 1.75 }));
    assert_eq!(vas["origin"]["kind"], "built-in");
    let womac = scales.iter().find(|scale| scale["id"] == "womac").unwrap();
    assert_eq!(
        womac["mcid"]["change"],
        serde_json::json!({ "percent_of_baseline": 12.0 })
    );
    let posas = scales
        .iter()
        .find(|scale| scale["id"] == "posas-observer")
        .unwrap();
    assert_eq!(
        posas["range"],
        serde_json::json!({ "min": 6.0, "max": 60.0 })
    );
    assert!(posas.get("mcid").is_none());
    assert!(
        posas["mcid_note"]
            .as_str()
            .unwrap()
            .starts_with("No minimal")
    );
    assert!(json["protocols"].as_array().unwrap().len() > 10);
    let text = regen_planner::export::catalog_text(&catalog);
    assert!(
        text.contains(
            "  womac                    WOMAC: 0 to 96 points in whole numbers; lower is better; MCID 12% of baseline"
        ),
        "{text}"
    );
}

/// A record and a score are saved as a revision of the plan, read back whole, covered
/// by verify (an edit of the revision file is caught), and said in "what changed".
#[test]
fn records_and_scores_round_trip_through_the_store() {
    use regen_planner::planning::{PlanState, changes};
    use regen_planner::store::{Patient, PlanRecord, Store};

    let dir = tempfile::tempdir().unwrap();
    let folder = Store::open(&dir.path().join("data")).unwrap();
    let saved = Saved::new("knee-prp", "2027-01-04");
    let (patient, _) = folder
        .create_patient(&Patient::new("Ana Souza"), "Dr. Vega")
        .unwrap();
    let mut record = PlanRecord::new(patient, saved.request.clone(), saved.plan.clone());
    let (id, first) = folder.create_plan(&record, "Dr. Vega").unwrap();

    let mut session = SessionRecord::new(1, date("2027-01-06"));
    session.materials.push(Material {
        name: "PRP tube set".into(),
        kind: MaterialKind::Kit,
        lot: Some("LOT-4411".into()),
        expiry: Some(date("2028-06-30")),
    });
    session.weight_kg = Some(70.0);
    session.notes = Some("well tolerated".into());
    record
        .treatment()
        .record(session.clone(), &saved.catalog, date("2027-01-06"))
        .unwrap();
    let score = Score::new(
        saved.catalog.scales(),
        "vas-pain",
        6.0,
        date("2027-01-06"),
        date("2027-01-06"),
    )
    .unwrap();
    record.scores.push(score.clone());
    let second = folder
        .save_plan(&id, first.number, &record, "Dr. Vega")
        .unwrap();

    let loaded = folder.load_plan(&id).unwrap();
    assert_eq!(loaded.number, second.number);
    assert_eq!(loaded.value.records, vec![session]);
    assert_eq!(loaded.value.scores, vec![score]);
    assert_eq!(loaded.value.status, PlanStatus::Active);
    assert_eq!(loaded.value, record);
    assert!(folder.verify().is_ok(), "{:?}", folder.verify().problems);

    let state = |record: &PlanRecord| -> Vec<String> {
        let before = first.value.clone();
        changes(
            Some(&PlanState {
                plan: &before.plan,
                status: before.status,
                checklist: &before.checklist,
                notes: &before.notes,
                extra_tasks: &before.extra_tasks,
                records: &before.records,
                scores: &before.scores,
                photos: &before.photos,
            }),
            &PlanState {
                plan: &record.plan,
                status: record.status,
                checklist: &record.checklist,
                notes: &record.notes,
                extra_tasks: &record.extra_tasks,
                records: &record.records,
                scores: &record.scores,
                photos: &record.photos,
            },
        )
    };
    let said = state(&loaded.value);
    assert!(
        said.contains(&"session 1 recorded as performed on 2027-01-06".to_owned()),
        "{said:?}"
    );
    assert!(
        said.contains(&"score vas-pain 6 on 2027-01-06 entered".to_owned()),
        "{said:?}"
    );

    // The lot in the revision file is covered by the chain: changing it is caught.
    let file = dir
        .path()
        .join("data/plans")
        .join(id.as_str())
        .join(format!("revision-{:06}.ron", second.number));
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains("LOT-4411"), "{text}");
    std::fs::write(&file, text.replace("LOT-4411", "LOT-4412")).unwrap();
    assert!(!folder.verify().is_ok());
}

#[test]
fn a_follow_up_offers_the_scales_of_the_plans_area_and_indication() {
    let (catalog, _) = Catalog::builtin();
    let scales_of = |area: Area, indication: Indication, source: CellSource| -> Vec<Vec<String>> {
        let selection = Selection {
            modality: Modality::Injection,
            source,
            area,
            indication,
            adjuncts: Vec::new(),
        };
        let request = PlanRequest::new(selection, BTreeSet::new(), date("2027-03-01"));
        let plan = generate(&catalog, &request).unwrap();
        plan.follow_ups
            .iter()
            .map(|visit| {
                regen_planner::planning::visit_scales(catalog.scales(), visit)
                    .iter()
                    .map(|scale| scale.id.to_string())
                    .collect()
            })
            .collect()
    };
    let knee = scales_of(
        Area::Knee,
        Indication::Osteoarthritis,
        CellSource::AutologousPrp,
    );
    assert_eq!(knee[0], ["vas-pain", "womac", "koos", "ikdc"]);
    let elbow = scales_of(
        Area::Elbow,
        Indication::Osteoarthritis,
        CellSource::AutologousPrp,
    );
    assert_eq!(elbow[0], ["vas-pain", "dash"]);
    let achilles = scales_of(
        Area::Tendon,
        Indication::Tendinopathy,
        CellSource::AutologousPrp,
    );
    // The rehabilitation check scores pain alone; the reviews add the tendon's scales.
    assert_eq!(achilles[0], ["vas-pain"]);
    assert_eq!(achilles[1], ["vas-pain", "lefs", "visa-a"]);
    let striae = scales_of(
        Area::Abdomen,
        Indication::StretchMarks,
        CellSource::AutologousAdipose,
    );
    assert_eq!(
        striae[0],
        Vec::<String>::new(),
        "the donor-site check scores nothing"
    );
    let first_review = striae.iter().find(|ids| !ids.is_empty()).unwrap();
    assert_eq!(first_review, &["posas-patient", "posas-observer"]);
    // The plan's JSON names them by id.
    let selection = Selection {
        modality: Modality::Injection,
        source: CellSource::AutologousPrp,
        area: Area::Knee,
        indication: Indication::Osteoarthritis,
        adjuncts: Vec::new(),
    };
    let plan = generate(
        &catalog,
        &PlanRequest::new(selection, BTreeSet::new(), date("2027-03-01")),
    )
    .unwrap();
    let json: serde_json::Value =
        serde_json::from_str(&regen_planner::export::plan_json(&plan).unwrap()).unwrap();
    assert_eq!(
        json["follow_ups"][0]["scales"],
        serde_json::json!(["vas-pain", "womac", "koos", "ikdc"])
    );
    assert_eq!(
        json["follow_ups"][0]["assessments"],
        serde_json::json!(["adverse events"])
    );
}
