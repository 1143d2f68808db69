//! The handout and consent PDFs, made through the command line from saved plans and
//! read back with `pdftotext` (poppler-utils): what a patient takes home must carry
//! their name, every date and every instruction.

#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on anything unexpected"
)]

use std::collections::BTreeMap;
use std::process::Command;

use jiff::civil::{Date, Weekday};
use regen_planner::catalog::ProtocolId;
use regen_planner::store::Settings;
use serde_json::Value;

mod common;

use common::{Desk, STRETCH_MARKS};

/// What the PDF tests do on a desk.
impl Desk {
    /// Saves a plan through the command line and returns its id.
    fn save_plan(&self, name: &str, birth_date: Option<&str>, plan_args: &[&str]) -> String {
        let mut patient = vec!["--patient-name", name];
        if let Some(birth_date) = birth_date {
            patient.extend_from_slice(&["--birth-date", birth_date]);
        }
        self.save_plan_with(plan_args, &patient)
    }

    /// Exports the handout, the consent form and the JSON plan; returns the handout's
    /// text, the consent's text and the plan.
    fn export(&self, id: &str) -> (Pdf, Pdf, Value) {
        let handout = self.file("handout.pdf");
        let consent = self.file("consent.pdf");
        let json = self.file("plan.json");
        let output = self.run(&[
            "export",
            id,
            "--handout",
            handout.to_str().unwrap(),
            "--consent",
            consent.to_str().unwrap(),
            "--json",
            json.to_str().unwrap(),
        ]);
        assert!(output.status.success(), "{}", common::stderr(&output));
        let plan = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
        let mut pdfs = Pdf::read_all(&[handout, consent]).into_iter();
        let (handout, consent) = (pdfs.next().unwrap(), pdfs.next().unwrap());
        (handout, consent, plan)
    }
}

/// The text of a PDF, with its whitespace made single spaces so that line breaks do
/// not matter, and its number of pages.
struct Pdf {
    text: String,
    /// The text without each page's running head and foot (its first and last
    /// line), so that a sentence that runs on to the next page reads as one.
    body: String,
    pages: usize,
}

impl Pdf {
    /// Reads many PDFs back at once: one `pdftotext` each, all started before any is
    /// waited for, so that they use every core.
    fn read_all(paths: &[std::path::PathBuf]) -> Vec<Pdf> {
        let children: Vec<_> = paths
            .iter()
            .map(|path| {
                Command::new("pdftotext")
                    // Keeps a row's label and text on one line, as a reader sees them.
                    .args(["-layout", "-enc", "UTF-8"])
                    .arg(path)
                    .arg("-")
                    .stdout(std::process::Stdio::piped())
                    .spawn()
                    .unwrap_or_else(|error| {
                        panic!("pdftotext could not run ({error}); install poppler-utils")
                    })
            })
            .collect();
        children
            .into_iter()
            .zip(paths)
            .map(|(child, path)| {
                let output = child.wait_with_output().unwrap();
                assert!(
                    output.status.success(),
                    "pdftotext failed on {}",
                    path.display()
                );
                let raw = String::from_utf8(output.stdout).unwrap();
                let body: Vec<&str> = raw
                    .split('\u{c}')
                    .flat_map(|page| {
                        let lines: Vec<&str> = page
                            .lines()
                            .filter(|line| !line.trim().is_empty())
                            .collect();
                        let inner = lines.len().saturating_sub(1).max(1);
                        lines.into_iter().take(inner).skip(1)
                    })
                    .collect();
                Pdf {
                    pages: raw.matches('\u{c}').count(),
                    text: normalise(&raw),
                    body: normalise(&body.join("\n")),
                }
            })
            .collect()
    }

    #[track_caller]
    fn has(&self, expected: &str) {
        let expected = normalise(expected);
        assert!(
            self.text.contains(&expected) || self.body.contains(&expected),
            "the PDF does not say {expected:?}; it says:\n{}",
            self.text
        );
    }

    #[track_caller]
    fn lacks(&self, unexpected: &str) {
        if let Some(at) = self.text.find(&normalise(unexpected)) {
            let context: String = self.text[at.saturating_sub(120)..]
                .chars()
                .take(240)
                .collect();
            panic!("the PDF should not say {unexpected:?}; it says: …{context}…");
        }
    }
}

/// Single spaces for any whitespace, and without the marks `pdftotext` puts around
/// right-to-left text (U+202A to U+202E): they are not in the PDF's text.
fn normalise(text: &str) -> String {
    text.replace(
        ['\u{202a}', '\u{202b}', '\u{202c}', '\u{202d}', '\u{202e}'],
        "",
    )
    .split_whitespace()
    .collect::<Vec<_>>()
    .join(" ")
}

/// The handout leaves out the numbered references ("[3]") and, in plans saved before
/// references were numbered, the reference keys protocols cite figures with: "[CF 32]",
/// "[seed 004]", "(seed 000)", "(seeds 000, 002)", and the spaces before them; a note
/// about a source keeps only what it says after its colon: "(seed 004: 1-2 weeks)" is
/// "(1-2 weeks)", and "(seed 002; Elmaadawi 2018)" goes.
fn without_references(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(open) = rest.find(['[', '(']) {
        let open_char = rest[open..].chars().next().unwrap();
        let close_char = if open_char == '[' { ']' } else { ')' };
        let Some(close) = rest[open..].find(close_char).map(|offset| open + offset) else {
            out.push_str(&rest[..=open]);
            rest = &rest[open + 1..];
            continue;
        };
        let inside = &rest[open + 1..close];
        let keyed = if open_char == '[' {
            // Numbered as plans cite their sources now ("[3]", "[2, 5]"), or by key.
            let numbered = !inside.is_empty()
                && inside
                    .chars()
                    .all(|c| c.is_ascii_digit() || ", ".contains(c));
            (numbered
                || inside.starts_with("CF ")
                || inside.starts_with("CF,")
                || inside.starts_with("seed "))
            .then_some(None)
        } else {
            inside
                .strip_prefix("seeds ")
                .or_else(|| inside.strip_prefix("seed "))
                .filter(|after| after.starts_with(|c: char| c.is_ascii_digit()))
                .map(|after| {
                    after
                        .split_once(':')
                        .map(|(_, words)| words.trim())
                        .filter(|words| !words.is_empty())
                })
        };
        match keyed {
            Some(Some(words)) => {
                out.push_str(&rest[..=open]);
                out.push_str(words);
                out.push(')');
            }
            Some(None) => out.push_str(rest[..open].trim_end()),
            None => {
                out.push_str(&rest[..=open]);
                rest = &rest[open + 1..];
                continue;
            }
        }
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    out
}

/// "Monday 18 January 2027", as the documents write a session's day.
fn long_date(value: &Value) -> String {
    let date: Date = value.as_str().unwrap().parse().unwrap();
    let weekday = match date.weekday() {
        Weekday::Monday => "Monday",
        Weekday::Tuesday => "Tuesday",
        Weekday::Wednesday => "Wednesday",
        Weekday::Thursday => "Thursday",
        Weekday::Friday => "Friday",
        Weekday::Saturday => "Saturday",
        Weekday::Sunday => "Sunday",
    };
    let months = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let month = months[usize::try_from(date.month() - 1).unwrap()];
    format!("{weekday} {} {month} {}", date.day(), date.year())
}

fn strings<'v>(plan: &'v Value, list: &str, field: &str) -> Vec<&'v str> {
    plan[list]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item[field].as_str().unwrap())
        .collect()
}

const INVESTIGATIONAL: &str =
    "This treatment is not approved for this use; it is offered as an investigational treatment";

#[test]
fn the_handout_carries_the_name_every_date_and_every_instruction() {
    let desk = Desk::new();
    let mut args = STRETCH_MARKS.to_vec();
    args.extend_from_slice(&["--factor", "smoker"]);
    let id = desk.save_plan("Zoë Ångström", Some("1985-03-04"), &args);
    let (handout, _, plan) = desk.export(&id);

    handout.has("Zoë Ångström");
    handout.has("born 4 March 1985");
    handout.has(INVESTIGATIONAL);
    let sessions = plan["sessions"].as_array().unwrap();
    assert_eq!(sessions.len(), 2);
    for session in sessions {
        handout.has(&format!(
            "Session {}: {}",
            session["number"],
            long_date(&session["date"])
        ));
    }
    let aftercare = strings(&plan, "aftercare", "task");
    assert!(aftercare.len() > 10, "both sessions have aftercare");
    for task in aftercare {
        handout.has(&without_references(task));
    }
    handout.has("Where tissue was taken from (the donor site)");
    for task in plan["pre_procedure"].as_array().unwrap() {
        let text = without_references(task["task"].as_str().unwrap());
        if task.get("audience").is_none() {
            handout.has(&text);
        } else {
            handout.lacks(&text);
        }
    }
    // The caution's dated action, near the top.
    let smoking = plan["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|warning| warning["factor"] == "smoker")
        .unwrap();
    handout.has(&format!("by {}", long_date(&smoking["action"]["due"])));
    let warning_at = handout.text.find("Stop smoking").unwrap();
    assert!(warning_at < handout.text.find("Your sessions").unwrap());
    for visit in plan["follow_ups"].as_array().unwrap() {
        handout.has(&long_date(&visit["date"]));
    }
    for milestone in strings(&plan, "milestones", "label") {
        handout.has(&without_references(milestone));
    }
    for risk in plan["risks"].as_array().unwrap() {
        handout.has(&without_references(risk["name"].as_str().unwrap()));
        handout.has(&without_references(risk["detail"].as_str().unwrap()));
    }
    handout.has("When to call the clinic");
    handout.has("Ask the clinic for the number to call");
    handout.lacks("[CF ");
    handout.lacks("(seed");
    assert!(handout.pages >= 3, "{} pages", handout.pages);
    handout.has(&format!("Page 1 of {}", handout.pages));
    handout.has(&format!("Page {0} of {0}", handout.pages));
}

#[test]
fn names_in_vietnamese_and_polish_survive_and_a_long_course_flows_over_the_pages() {
    let desk = Desk::new();
    let id = desk.save_plan(
        "Nguyễn Thị Hương",
        None,
        &[
            "--modality",
            "injection",
            "--source",
            "autologous-prp",
            "--area",
            "scalp",
            "--indication",
            "androgenetic-alopecia",
            "--start",
            "2027-01-18",
            "--sessions",
            "6",
        ],
    );
    let (handout, consent, plan) = desk.export(&id);
    handout.has("Nguyễn Thị Hương");
    consent.has("Nguyễn Thị Hương");
    let sessions = plan["sessions"].as_array().unwrap();
    assert_eq!(sessions.len(), 6);
    for session in sessions {
        let day = long_date(&session["date"]);
        handout.has(&day);
        consent.has(&day);
    }
    // The same instruction after each of the six sessions, each time with its dates.
    let aftercare = strings(&plan, "aftercare", "task");
    for task in &aftercare {
        handout.has(&without_references(task));
    }
    let first = without_references(aftercare[0]);
    assert_eq!(
        handout.text.matches(&normalise(&first)).count(),
        aftercare
            .iter()
            .filter(|task| without_references(task) == first)
            .count(),
        "every repetition of {first:?} is printed"
    );
    assert!(handout.pages >= 4, "{} pages", handout.pages);

    let other = Desk::new();
    let id = other.save_plan("Łukasz Żółć", None, STRETCH_MARKS);
    let (handout, consent, _) = other.export(&id);
    handout.has("Łukasz Żółć");
    consent.has("Signature of the patient Date Łukasz Żółć");
}

#[test]
fn names_in_chinese_japanese_arabic_hebrew_devanagari_and_thai_survive() {
    for name in [
        "王芳",
        "佐藤 さくら",
        "فاطمة الزهراء",
        "דוד לוי",
        "अनन्या शर्मा",
        "สมชาย ใจดี",
    ] {
        let desk = Desk::new();
        let id = desk.save_plan(name, None, STRETCH_MARKS);
        let (handout, consent, _) = desk.export(&id);
        // Around right-to-left text, pdftotext moves the spaces; the name itself is whole.
        handout.has(&format!("Prepared for {name}"));
        consent.has(name);
    }
}

#[test]
fn tasks_the_physician_added_are_in_the_handout_and_notes_are_not() {
    let desk = Desk::new();
    let id = desk.save_plan("Ana Souza", None, STRETCH_MARKS);
    let store = regen_planner::store::Store::open(&desk.data).unwrap();
    let plan_id: regen_planner::store::PlanId = id.parse().unwrap();
    let revision = store.load_plan(&plan_id).unwrap();
    let mut record = revision.value;
    record.extra_tasks.push(regen_planner::store::ExtraTask {
        withdrawn: false,
        text: "Bring the photographs of your stretch marks from last year".into(),
        due: Some(Date::new(2027, 1, 12).unwrap()),
        audience: regen_planner::catalog::Audience::Patient,
    });
    record.extra_tasks.push(regen_planner::store::ExtraTask {
        withdrawn: false,
        text: "Tell us about any new medicine".into(),
        due: None,
        audience: regen_planner::catalog::Audience::Patient,
    });
    record.extra_tasks.push(regen_planner::store::ExtraTask {
        withdrawn: true,
        text: "Stop the vitamin E capsules".into(),
        due: Some(Date::new(2027, 1, 10).unwrap()),
        audience: regen_planner::catalog::Audience::Patient,
    });
    record.notes.push(regen_planner::store::Note {
        written_at: jiff::Timestamp::now(),
        author: "Dr. Vega".into(),
        text: "Anxious about needles; offer numbing cream.".into(),
    });
    store
        .save_plan(&plan_id, revision.number, &record, "Dr. Vega")
        .unwrap();

    let (handout, consent, _) = desk.export(&id);
    handout.has("Also asked of you");
    handout.has("By Tue 12 Jan 2027 Bring the photographs of your stretch marks from last year");
    handout.has("When you can Tell us about any new medicine");
    handout.lacks("Anxious about needles");
    handout.lacks("Stop the vitamin E capsules");
    consent.lacks("Anxious about needles");
}

#[test]
fn the_consent_form_has_the_selection_status_risks_alternatives_results_and_signatures() {
    let desk = Desk::new();
    let id = desk.save_plan("Zoë Ångström", Some("1985-03-04"), STRETCH_MARKS);
    let (_, consent, plan) = desk.export(&id);
    consent.has("Consent to treatment");
    consent.has("Patient Zoë Ångström");
    consent.has("Date of birth 4 March 1985");
    consent.has(&format!("Plan {id}, revision 1"));
    consent.has(
        "Injection of autologous adipose (mini-liposuction) to the abdomen and flanks for stretch marks (striae).",
    );
    consent.has(&format!(
        "Protocol: {}",
        plan["protocol"]["title"].as_str().unwrap()
    ));
    consent.has(INVESTIGATIONAL);
    for note in plan["regulatory"]["notes"].as_array().unwrap() {
        consent.has(note["note"].as_str().unwrap());
    }
    consent.has(plan["evidence"].as_str().unwrap());
    consent.has("2 sessions are planned");
    for session in plan["sessions"].as_array().unwrap() {
        consent.has(&long_date(&session["date"]));
    }
    for risk in plan["risks"].as_array().unwrap() {
        consent.has(&format!(
            "{} ({}): {}",
            risk["name"].as_str().unwrap(),
            risk["likelihood"].as_str().unwrap(),
            risk["detail"].as_str().unwrap()
        ));
    }
    for alternative in plan["alternatives"].as_array().unwrap() {
        consent.has(&format!(
            "{}: {}",
            alternative["name"].as_str().unwrap(),
            alternative["comparison"].as_str().unwrap()
        ));
    }
    for milestone in strings(&plan, "milestones", "label") {
        consent.has(&without_references(milestone));
    }
    consent.has("Results vary from person to person and are not guaranteed.");
    consent.has("Some figures in this plan rest on thin or conflicting evidence");
    consent.has("Ask the clinic: it has not set a price per session for this treatment.");
    consent.has(plan["additional_costs"].as_str().unwrap());
    // The numbers in the text are the plan's sources, listed with the same numbers.
    consent.has("References");
    for (number, source) in plan["sources"].as_array().unwrap().iter().enumerate() {
        let title = source["citation"].as_str().unwrap();
        consent.has(&format!(
            "[{}] {}",
            number + 1,
            title.split(' ').next().unwrap()
        ));
    }
    consent.lacks("[CF ");
    consent.has("Signature of the patient Date Zoë Ångström");
    consent.has("Signature of the physician Date Name in capitals:");
    consent.has(&format!("Page {0} of {0}", consent.pages));
}

#[test]
fn with_a_price_and_clinic_details_the_consent_shows_the_estimate_and_the_names() {
    let desk = Desk::new();
    desk.save_settings(&Settings {
        clinic_name: "Clinique Régénérative".to_owned(),
        clinic_contact: "12 rue des Lilas, Paris\n+33 1 23 45 67 89".to_owned(),
        physician_name: "Dr. Élodie Vega".to_owned(),
        currency: "EUR".to_owned(),
        session_prices: BTreeMap::from([(ProtocolId::new("adipose-stretch-marks").unwrap(), 1200)]),
        ..Settings::default()
    });
    let id = desk.save_plan("Zoë Ångström", None, STRETCH_MARKS);
    let (handout, consent, _) = desk.export(&id);
    consent.has("2 sessions × 1,200 EUR = 2,400 EUR.");
    consent.lacks("Ask the clinic: it has not set a price");
    consent.has("Date of birth not recorded");
    consent.has("Signature of the physician Date Dr. Élodie Vega");
    consent.has("Physician Dr. Élodie Vega");
    for document in [&handout, &consent] {
        document.has("Clinique Régénérative");
        document.has("12 rue des Lilas, Paris");
        document.has("+33 1 23 45 67 89");
    }
    handout.has("Your physician: Dr. Élodie Vega");
    handout.lacks("Ask the clinic for the number to call");
}

#[test]
fn a_patient_who_is_not_a_candidate_reads_so_first_with_the_alternatives_and_no_schedule() {
    let desk = Desk::new();
    let mut args = STRETCH_MARKS.to_vec();
    args.extend_from_slice(&["--factor", "pregnancy", "--factor", "smoker"]);
    let id = desk.save_plan("Zoë Ångström", None, &args);
    let (handout, consent, plan) = desk.export(&id);
    assert_eq!(plan["candidate"], false);
    handout.has("This treatment is not suitable for you at the moment");
    let reason_at = handout.text.find("Pregnant or breastfeeding.").unwrap();
    assert!(reason_at < handout.text.find("What you can consider instead").unwrap());
    for alternative in strings(&plan, "alternatives", "name") {
        handout.has(&without_references(alternative));
    }
    // The caution is not hidden either.
    handout.has("Smoker.");
    handout.lacks("Your sessions");
    handout.lacks("Session 1");
    handout.lacks("After each session");
    consent.has("Record of the treatment discussion");
    consent.lacks("Consent to treatment");
    consent.has("it is not a consent to treatment");
    consent.has("No sessions are planned.");
    consent.has("No sessions are planned, so there is no cost.");
    consent.has("I have been told why this treatment is not suitable for me");
    consent.lacks("I agree to have the treatment");
    consent.has("Signature of the patient");
}

#[test]
fn a_name_the_font_cannot_draw_is_refused_with_the_characters_and_nothing_is_written() {
    let desk = Desk::new();
    // Korean syllables: the shipped fallback font has only the jamo.
    let id = desk.save_plan("김민준", None, STRETCH_MARKS);
    let handout = desk.file("handout.pdf");
    let output = desk.run(&["export", &id, "--handout", handout.to_str().unwrap()]);
    assert!(!output.status.success());
    let stderr = common::stderr(&output);
    assert!(
        stderr.contains("cannot draw these characters: 김 민 준"),
        "{stderr}"
    );
    assert!(stderr.contains("export again"), "{stderr}");
    assert!(!handout.exists());
}

#[test]
fn every_built_in_protocol_makes_both_documents_with_its_sessions_risks_and_alternatives() {
    use regen_planner::catalog::{Catalog, Factor};
    use regen_planner::export::{
        ClinicDetails, Document, PatientDetails, Price, consent_pdf, handout_pdf, plan_json,
    };
    use regen_planner::planning::{PlanRequest, PlanStatus, generate};

    let (catalog, problems) = Catalog::builtin();
    assert!(problems.is_empty());
    let folder = tempfile::tempdir().unwrap();
    let mut seen = std::collections::BTreeSet::new();
    // Each protocol's two documents, for two patients, and its plan as JSON.
    let mut made = Vec::new();
    let start: Date = "2027-01-18".parse().unwrap();
    for mut selection in common::selections(&catalog) {
        let protocol = catalog.covering(&selection).unwrap();
        if !seen.insert(protocol.id.clone()) {
            continue;
        }
        selection.adjuncts = protocol.adjuncts.iter().map(|a| a.source).collect();
        // No factor, and every factor answered yes: the most warnings a plan can carry,
        // and for most protocols a patient who is not a candidate.
        for factors in [
            std::collections::BTreeSet::new(),
            Factor::ALL.iter().copied().collect(),
        ] {
            let request = PlanRequest::new(selection.clone(), factors, start);
            let plan = generate(&catalog, &request).unwrap();
            let json: Value = serde_json::from_str(&plan_json(&plan).unwrap()).unwrap();
            let document = Document {
                plan_id: "0".repeat(32),
                revision: 1,
                status: PlanStatus::Draft,
                plan,
                extra_tasks: Vec::new(),
                notes: Vec::new(),
                done: std::collections::BTreeMap::new(),
                patient: PatientDetails {
                    name: "Zoë Ångström".to_owned(),
                    birth_date: None,
                    clinic_id: Some("A-17".to_owned()),
                    contact: String::new(),
                },
                clinic: ClinicDetails::default(),
                price: Some(Price {
                    per_session: 900,
                    currency: String::new(),
                }),
                generated_on: start,
                calendar_patient_names: false,
                records: Vec::new(),
                scores: Vec::new(),
                scales: regen_planner::catalog::Scales::default(),
                performed: Vec::new(),
                score_lines: Vec::new(),
            };
            let handout_bytes = handout_pdf(&document)
                .unwrap_or_else(|error| panic!("{} handout: {error}", protocol.id));
            if seen.len() == 1 {
                // The same plan gives the same file, byte for byte.
                assert_eq!(handout_bytes, handout_pdf(&document).unwrap());
            }
            let consent_bytes = consent_pdf(&document)
                .unwrap_or_else(|error| panic!("{} consent: {error}", protocol.id));
            let name = format!("{}-{}", protocol.id, made.len());
            let handout = folder.path().join(format!("{name}-handout.pdf"));
            let consent = folder.path().join(format!("{name}-consent.pdf"));
            std::fs::write(&handout, handout_bytes).unwrap();
            std::fs::write(&consent, consent_bytes).unwrap();
            made.push((handout, consent, json));
        }
    }
    let paths: Vec<_> = made
        .iter()
        .flat_map(|(handout, consent, _)| [handout.clone(), consent.clone()])
        .collect();
    let mut pdfs = Pdf::read_all(&paths).into_iter();
    for (_, _, json) in &made {
        let (handout, consent) = (pdfs.next().unwrap(), pdfs.next().unwrap());
        check_documents(&handout, &consent, json);
    }
    assert!(seen.len() >= 15, "{} protocols", seen.len());
}

/// What every handout and consent form of a plan must say, read back from the PDFs:
/// the patient, the pages, each session with its day (or that there is none, and
/// why), each risk, each alternative; and no reference key.
fn check_documents(handout: &Pdf, consent: &Pdf, plan: &Value) {
    for document in [handout, consent] {
        document.has("Zoë Ångström");
        document.has(&format!("Page {0} of {0}", document.pages));
        document.lacks("[CF ");
        document.lacks("(seed");
    }
    consent.has(&format!(
        "Protocol: {}",
        plan["protocol"]["title"].as_str().unwrap()
    ));
    // The consent form keeps the numbered references ("[3]") of its reference list.
    for risk in plan["risks"].as_array().unwrap() {
        consent.has(&format!(
            "{} ({}): {}",
            risk["name"].as_str().unwrap(),
            risk["likelihood"].as_str().unwrap(),
            risk["detail"].as_str().unwrap()
        ));
    }
    for alternative in plan["alternatives"].as_array().unwrap() {
        consent.has(&format!(
            "{}: {}",
            alternative["name"].as_str().unwrap(),
            alternative["comparison"].as_str().unwrap()
        ));
    }
    let sessions = plan["sessions"].as_array().unwrap();
    if plan["candidate"] == true {
        consent.has("Consent to treatment");
        for session in sessions {
            let day = long_date(&session["date"]);
            handout.has(&format!("Session {}: {day}", session["number"]));
            consent.has(&day);
        }
        // The handout asks of the patient only what the patient does.
        for task in plan["pre_procedure"].as_array().unwrap() {
            let text = without_references(task["task"].as_str().unwrap());
            if task.get("audience").is_none() {
                handout.has(&text);
            } else {
                handout.lacks(&text);
            }
        }
        for risk in strings(plan, "risks", "name") {
            handout.has(&without_references(risk));
        }
    } else {
        assert!(sessions.is_empty());
        handout.has("This treatment is not suitable for you at the moment");
        handout.lacks("Your sessions");
        for alternative in strings(plan, "alternatives", "name") {
            handout.has(&without_references(alternative));
        }
        consent.has("Record of the treatment discussion");
        consent.has("No sessions are planned.");
    }
}

#[test]
fn a_preparation_day_that_has_passed_says_so() {
    let desk = Desk::new();
    let mut args = STRETCH_MARKS.to_vec();
    // Planned years ago: every preparation day is behind the day of the export.
    if let Some(start) = args.last_mut() {
        *start = "2020-01-06";
    }
    let id = desk.save_plan("Zoë Ångström", None, &args);
    let (handout, _, plan) = desk.export(&id);
    // The tasks for the clinic (the consultation, weighing) are not in the handout.
    let tasks = plan["pre_procedure"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|task| task.get("audience").is_none())
        .count();
    assert_eq!(
        handout
            .text
            .matches("This day had passed when the handout was made: ask the clinic what to do.")
            .count(),
        tasks
    );
}
