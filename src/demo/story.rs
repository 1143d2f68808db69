//! The made-up history of one demo patient: who they are, which plans they had, what
//! was ticked when, and the revisions a desk would have saved along the way.
//!
//! Pure: everything comes from the seed, the patient's number and the "now" the caller
//! passes in; nothing reads the clock or the disk.

use std::collections::BTreeSet;

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan as _};

use super::names::{CANCELLATIONS, CULTURES, EXTRA_TASKS, NOTES, PHYSICIANS};
use super::rng::Rng;
use super::treatment::{Response, scores, session_record};
use crate::catalog::{
    Area, Catalog, CellSource, Factor, Indication, Jurisdiction, Modality, Range, RegulatoryStatus,
    Selection,
};
use crate::planning::{
    ClinicOptions, EditContext, ExtraTask, PlanEdit, PlanRequest, PlanStatus, Score, SessionRecord,
    Weekday, WorkingDays, checklist_keys, generate,
};
use crate::store::{Patient, PatientId, PlanId, PlanRecord, Screening};

/// One revision to save: when, by whom, and what.
pub(crate) struct DemoRevision<T> {
    pub saved_at: Timestamp,
    pub saved_by: &'static str,
    pub value: T,
}

/// A demo plan with its revisions, oldest first.
pub(crate) struct DemoPlan {
    pub id: PlanId,
    pub revisions: Vec<DemoRevision<PlanRecord>>,
}

/// A demo patient with their revisions and plans, oldest first.
pub(crate) struct DemoPatient {
    pub id: PatientId,
    pub revisions: Vec<DemoRevision<Patient>>,
    pub plans: Vec<DemoPlan>,
}

/// A combination the new-plan screen offers, with what may vary in it.
struct Pathway {
    selection: Selection,
    adjuncts: Vec<CellSource>,
    sessions: Range,
}

/// What a run of the generator shares between its patients.
pub(crate) struct Story<'a> {
    catalog: &'a Catalog,
    pathways: Vec<Pathway>,
    options: ClinicOptions,
    seed: u64,
    /// The day of "now", in UTC; everything that happened did so before it.
    today: Date,
    /// The last moment before `today`: no demo event is later.
    latest: Timestamp,
}

/// Something that happened to a plan after it was created.
enum Happening {
    Tick(String),
    Note(String),
    Agreed,
    Completed,
    Cancelled,
}

struct Event {
    at: Timestamp,
    what: Happening,
}

/// What the clinic recorded about a plan's treatment, and when: a session's record or
/// a score. Kept apart from the other events, so that the revisions and their times
/// are what they were before records were made.
enum Recorded {
    Session(Box<SessionRecord>),
    Score(Score),
}

struct RecordedEvent {
    at: Timestamp,
    what: Recorded,
}

/// The stream of the records and scores of a plan, apart from the plan's own.
const TREATMENT_STREAM: u64 = 0x7EC0_4D5E_55C0_4E55;

/// Screening answers that are common and only call for caution.
const COMMON_FACTORS: &[Factor] = &[
    Factor::Smoker,
    Factor::Nsaids,
    Factor::Supplements,
    Factor::Anticoagulants,
    Factor::RecentSteroids,
    Factor::KeloidTendency,
    Factor::RecentIsotretinoin,
];

/// The demo clinic's closed dates: New Year's Day and Christmas, from last year to two
/// years ahead.
fn public_holidays(today: jiff::civil::Date) -> std::collections::BTreeSet<jiff::civil::Date> {
    let year = today.year();
    (year - 1..=year + 2)
        .flat_map(|year| [(year, 1, 1), (year, 12, 25), (year, 12, 26)])
        .filter_map(|(year, month, day)| jiff::civil::Date::new(year, month, day).ok())
        .collect()
}

impl<'a> Story<'a> {
    /// The shared part of a run: the pathways of `catalog`, and the clinic's calendar
    /// and jurisdiction drawn from the seed.
    pub fn new(catalog: &'a Catalog, seed: u64, now: Timestamp) -> Self {
        let mut clinic = Rng::new(seed, u64::MAX);
        let mut working_days = WorkingDays::default();
        if clinic.chance(25) {
            working_days.set(Weekday::Saturday, true);
        }
        let jurisdiction = match clinic.below(5) {
            0 | 1 => None,
            2 | 3 => Some(Jurisdiction::Eu),
            _ => Some(Jurisdiction::Us),
        };
        let today = now.to_zoned(TimeZone::UTC).date();
        let latest = today
            .at(0, 0, 0, 0)
            .to_zoned(TimeZone::UTC)
            .map_or(now, |midnight| midnight.timestamp())
            .saturating_sub(1.second())
            .unwrap_or(now)
            .min(now);
        Story {
            catalog,
            pathways: pathways(catalog),
            options: ClinicOptions {
                working_days,
                jurisdiction,
                closed_dates: public_holidays(today),
            },
            seed,
            today,
            latest,
        }
    }

    /// How many different pathways the patients' plans are spread over.
    pub fn pathway_count(&self) -> usize {
        self.pathways.len()
    }

    /// Patient number `index` of the run (from 0), with their plans. Patient `index`'s
    /// first plan follows pathway `index` (modulo their number), so that every pathway
    /// is used once there are as many patients as pathways.
    pub fn patient(&self, index: usize) -> DemoPatient {
        let mut rng = Rng::new(self.seed, u64::try_from(index).unwrap_or(u64::MAX));
        let (first, last) = match rng.pick(CULTURES) {
            Some(culture) => (
                rng.pick(culture.first).copied().unwrap_or("Alex"),
                rng.pick(culture.last).copied().unwrap_or("Doe"),
            ),
            None => ("Alex", "Doe"),
        };
        let number = index + 1;
        let age_years = rng.between(22, 78);
        let birth_date = self
            .today
            .saturating_sub(age_years.years())
            .saturating_sub(rng.between(0, 364).days());
        let factors = factors(&mut rng);
        let physician = rng.pick(PHYSICIANS).copied().unwrap_or("Dr. Demo");

        // The first patients all have a plan, so that every pathway is used.
        let plan_count = match rng.below(100) {
            0..=3 if index >= self.pathways.len() => 0,
            0..=71 => 1,
            72..=92 => 2,
            _ => 3,
        };
        let mut dates: Vec<(Date, Date)> = (0..plan_count).map(|_| self.dates(&mut rng)).collect();
        dates.sort_by_key(|&(_, created)| created);
        let mut created_times: Vec<Timestamp> = dates
            .iter()
            .map(|&(_, created)| self.at(created, rng.between(9 * 60, 17 * 60)))
            .collect();
        created_times.sort();

        let first_contact = match created_times.first() {
            Some(first_plan) => first_plan
                .saturating_sub(rng.between(5, 30).minutes())
                .unwrap_or(*first_plan),
            None => self.at(
                self.today.saturating_sub(rng.between(1, 400).days()),
                rng.between(9 * 60, 17 * 60),
            ),
        };
        let patient_id = PatientId::from_uuid(id_at(first_contact, &mut rng));
        let patient = |asked_on: Date| Patient {
            name: format!("{first} {last}"),
            birth_date: Some(birth_date),
            clinic_id: Some(format!("DEMO-{number:05}")),
            contact: format!("demo.patient.{number}@example.org"),
            screening: Screening {
                factors: factors.clone(),
                asked_on: Some(asked_on),
            },
            ..Patient::new(String::new())
        };
        let mut revisions = vec![DemoRevision {
            saved_at: first_contact,
            saved_by: physician,
            value: patient(date_of(first_contact)),
        }];
        // Each plan made on a later day asks the screening questions again, as the
        // new-plan screen does, which saves a new revision of the patient.
        for &created_at in created_times.iter().skip(1) {
            let asked_on = date_of(created_at);
            if revisions
                .last()
                .and_then(|revision| revision.value.screening.asked_on)
                .is_some_and(|previous| previous < asked_on)
            {
                revisions.push(DemoRevision {
                    saved_at: created_at.saturating_sub(1.minute()).unwrap_or(created_at),
                    saved_by: physician,
                    value: patient(asked_on),
                });
            }
        }

        let mut plans = Vec::new();
        for (plan_number, (&(start, _), &created_at)) in
            dates.iter().zip(&created_times).enumerate()
        {
            let pathway = if plan_number == 0 {
                self.pathways.get(index % self.pathways.len().max(1))
            } else {
                rng.pick(&self.pathways)
            };
            if let Some(pathway) = pathway
                && let Some(plan) = self.plan(
                    &mut rng,
                    pathway,
                    &patient_id,
                    &factors,
                    start,
                    created_at,
                    physician,
                )
            {
                plans.push(plan);
            }
        }
        DemoPatient {
            id: patient_id,
            revisions,
            plans,
        }
    }

    /// The wished start of a plan, from eighteen months ago to four months ahead, and
    /// the day it was made, one to six weeks before (never today or later).
    fn dates(&self, rng: &mut Rng) -> (Date, Date) {
        let start = self.today.saturating_add(rng.between(-540, 120).days());
        let mut created = start.saturating_sub(rng.between(7, 45).days());
        if created >= self.today {
            created = self.today.saturating_sub(rng.between(1, 14).days());
        }
        (start, created)
    }

    #[expect(
        clippy::too_many_arguments,
        reason = "the parts of a plan's story; a struct would only rename them"
    )]
    fn plan(
        &self,
        rng: &mut Rng,
        pathway: &Pathway,
        patient: &PatientId,
        factors: &BTreeSet<Factor>,
        start: Date,
        created_at: Timestamp,
        physician: &'static str,
    ) -> Option<DemoPlan> {
        let mut selection = pathway.selection.clone();
        if rng.chance(30)
            && let Some(adjunct) = rng.pick(&pathway.adjuncts)
        {
            selection.adjuncts.push(*adjunct);
        }
        let mut request = PlanRequest::new(selection, factors.clone(), start);
        request.options = self.options.clone();
        if pathway.sessions.min < pathway.sessions.max && rng.chance(15) {
            let count = rng.between(
                i64::from(pathway.sessions.min),
                i64::from(pathway.sessions.max),
            );
            request.session_count = u32::try_from(count).ok();
        }
        let mut plan = generate(self.catalog, &request).ok()?;
        if let Some(second) = plan.sessions.get(1)
            && rng.chance(8)
        {
            let mut moved = request.clone();
            let date = second.date.saturating_add(rng.between(2, 10).days());
            moved.moved_sessions.insert(2, date);
            if let Ok(moved_plan) = generate(self.catalog, &moved) {
                request = moved;
                plan = moved_plan;
            }
        }
        let mut base = PlanRecord::new(patient.clone(), request, plan);
        let events = self.events(rng, &mut base, created_at);
        let uuid = id_at(created_at, rng);
        let id = PlanId::from_uuid(uuid);
        // The low bits of the id are random: a stream of the plan's own.
        #[expect(clippy::cast_possible_truncation, reason = "the low 64 bits of the id")]
        let item = uuid.as_u128() as u64;
        let recorded = self.recorded(
            &mut Rng::new(self.seed ^ TREATMENT_STREAM, item),
            &base,
            created_at,
        );

        // Revision 1 is the draft as it was made, as in the app; then the revisions that
        // saved what happened: the last one, and now and then some in between.
        let mut times = vec![created_at];
        if let Some(last) = events.last() {
            let between = if rng.chance(60) {
                0
            } else {
                rng.between(1, i64::try_from(events.len()).unwrap_or(1).min(3))
            };
            let mut picked: Vec<Timestamp> = (0..between)
                .filter_map(|_| rng.pick(&events).map(|event| event.at))
                .collect();
            picked.push(last.at);
            picked.sort();
            picked.dedup();
            times.extend(picked);
        }
        for index in 1..times.len() {
            if times[index] <= times[index - 1] {
                times[index] = times[index - 1]
                    .checked_add(1.second())
                    .unwrap_or(times[index - 1]);
            }
        }
        let revisions = times
            .into_iter()
            .map(|saved_at| {
                let saved_by = if rng.chance(15) {
                    rng.pick(PHYSICIANS).copied().unwrap_or(physician)
                } else {
                    physician
                };
                DemoRevision {
                    saved_at,
                    saved_by,
                    value: state_at(
                        self.catalog,
                        &base,
                        (&events, &recorded),
                        saved_at,
                        physician,
                    ),
                }
            })
            .collect();
        Some(DemoPlan { id, revisions })
    }

    /// The records of the sessions that took place before today (on their planned
    /// days) and the scores entered at the baseline and the follow-ups since, oldest
    /// first, never before the plan was made.
    fn recorded(
        &self,
        rng: &mut Rng,
        base: &PlanRecord,
        created_at: Timestamp,
    ) -> Vec<RecordedEvent> {
        let plan = &base.plan;
        if !plan.candidate {
            return Vec::new();
        }
        let earliest = created_at.saturating_add(1.minute()).unwrap_or(created_at);
        let weight_kg = f64::from(u8::try_from(rng.between(52, 104)).unwrap_or(70));
        let mut recorded = Vec::new();
        for session in plan
            .sessions
            .iter()
            .filter(|session| session.date < self.today)
        {
            let record = session_record(
                self.catalog,
                plan,
                session.number,
                session.date,
                weight_kg,
                rng,
            );
            let minutes = rng.between(14 * 60, 15 * 60);
            recorded.push(RecordedEvent {
                at: self.at(session.date, minutes).max(earliest),
                what: Recorded::Session(Box::new(record)),
            });
        }
        let response = Response::draw(rng);
        for score in scores(self.catalog, plan, self.today, response, rng) {
            let minutes = rng.between(10 * 60, 13 * 60);
            recorded.push(RecordedEvent {
                at: self.at(score.date, minutes).max(earliest),
                what: Recorded::Score(score),
            });
        }
        recorded.sort_by_key(|event| event.at);
        recorded
    }

    /// What happened to a plan after `created_at`, oldest first: ticks consistent with
    /// the dates (only what was due before today), notes, agreement, completion or
    /// cancellation. Extra tasks, which are there from the start, go into `base`.
    fn events(&self, rng: &mut Rng, base: &mut PlanRecord, created_at: Timestamp) -> Vec<Event> {
        if !base.plan.candidate {
            return self.not_a_candidate(rng, created_at);
        }
        let created = date_of(created_at);
        let (mut events, course_over) = self.course(rng, base, created);
        self.extra_tasks(rng, base, created, &mut events);
        let mut note_days = vec![created];
        note_days.extend(
            base.plan
                .sessions
                .iter()
                .map(|session| session.date)
                .filter(|date| *date < self.today),
        );
        for _ in 0..rng.between(0, 3) {
            if let (Some(day), Some(text)) = (rng.pick(&note_days).copied(), rng.pick(NOTES)) {
                events.push(Event {
                    at: self.at(day, rng.between(12 * 60, 19 * 60)),
                    what: Happening::Note((*text).to_owned()),
                });
            }
        }
        // Nothing happens to a plan before it was made, even on the same day.
        let earliest = created_at.saturating_add(1.minute()).unwrap_or(created_at);
        for event in &mut events {
            event.at = event.at.max(earliest);
        }
        events.sort_by_key(|event| event.at);
        self.ending(rng, &mut events, course_over);
        events
    }

    /// A plan whose patient is not a candidate: a note, and now and then its
    /// cancellation a few days later.
    fn not_a_candidate(&self, rng: &mut Rng, created_at: Timestamp) -> Vec<Event> {
        let mut events = vec![Event {
            at: created_at.saturating_add(5.minutes()).unwrap_or(created_at),
            what: Happening::Note(
                "Not a candidate for this protocol; the alternatives were discussed with the patient."
                    .to_owned(),
            ),
        }];
        let stop = date_of(created_at).saturating_add(rng.between(1, 5).days());
        if rng.chance(50) && stop < self.today {
            events.push(Event {
                at: self.at(stop, rng.between(9 * 60, 18 * 60)),
                what: Happening::Cancelled,
            });
        }
        events
    }

    /// The patient's agreement and the ticks of the plan's own items that were due
    /// before today; and whether the course is over (every session done, every
    /// follow-up visit past).
    fn course(&self, rng: &mut Rng, base: &PlanRecord, created: Date) -> (Vec<Event>, bool) {
        let today = self.today;
        let plan = &base.plan;
        let mut events = Vec::new();
        let mut tick = |day: Date, minutes: i64, key: String| {
            events.push(Event {
                at: self.at(day.max(created), minutes),
                what: Happening::Tick(key),
            });
        };
        for task in &plan.pre_procedure {
            if task.due < today && rng.chance(92) {
                let day = task.due.saturating_sub(rng.between(0, 3).days());
                tick(
                    day,
                    rng.between(8 * 60, 20 * 60),
                    checklist_keys::pre(&task.task),
                );
            }
        }
        for session in plan.sessions.iter().filter(|session| session.date < today) {
            let minutes = rng.between(15 * 60, 18 * 60 + 30);
            tick(
                session.date,
                minutes,
                checklist_keys::session(session.number),
            );
        }
        for item in &plan.aftercare {
            if item.until < today && rng.chance(70) {
                let key = checklist_keys::aftercare(item.session, item.site, &item.task);
                tick(item.until, rng.between(8 * 60, 20 * 60), key);
            }
        }
        for visit in plan.follow_ups.iter().filter(|visit| visit.date < today) {
            if rng.chance(90) {
                let key = checklist_keys::follow_up(&visit.purpose);
                tick(visit.date, rng.between(10 * 60, 17 * 60), key);
            }
        }
        let agreed = created.saturating_add(rng.between(0, 7).days());
        let first_session = plan.sessions.first().map_or(today, |session| session.date);
        if agreed < today && (first_session <= today || rng.chance(45)) {
            events.push(Event {
                at: self.at(agreed, rng.between(9 * 60, 18 * 60)),
                what: Happening::Agreed,
            });
        }
        let course_over = plan.sessions.iter().all(|session| session.date < today)
            && plan.follow_ups.iter().all(|visit| visit.date < today);
        (events, course_over)
    }

    /// Now and then one or two tasks the physician added, ticked when done.
    fn extra_tasks(
        &self,
        rng: &mut Rng,
        base: &mut PlanRecord,
        created: Date,
        events: &mut Vec<Event>,
    ) {
        if !rng.chance(15) {
            return;
        }
        for index in 0..rng.between(1, 2) {
            let Some(text) = rng.pick(EXTRA_TASKS) else {
                break;
            };
            let due = (!rng.chance(30)).then(|| created.saturating_add(rng.between(2, 30).days()));
            // Most tasks whose day passed were ticked; some were forgotten, and are
            // overdue on the agenda while the plan is under way.
            if let Some(due) = due
                && due < self.today
                && rng.chance(60)
            {
                events.push(Event {
                    at: self.at(due, rng.between(9 * 60, 17 * 60)),
                    what: Happening::Tick(checklist_keys::extra(
                        usize::try_from(index).unwrap_or(0),
                    )),
                });
            }
            base.extra_tasks.push(ExtraTask {
                withdrawn: false,
                text: (*text).to_owned(),
                due,
                audience: crate::catalog::Audience::Patient,
            });
        }
    }

    /// How a plan under way ended, if it did: completed once the course is over, or
    /// now and then cancelled part way, when everything after that point is dropped.
    fn ending(&self, rng: &mut Rng, events: &mut Vec<Event>, course_over: bool) {
        if course_over && let Some(last) = events.last() {
            let at = last.at.saturating_add(1.hour()).unwrap_or(last.at);
            events.push(Event {
                at: at.min(self.latest),
                what: Happening::Completed,
            });
        } else if events.len() >= 2 && rng.chance(7) {
            let last_kept = rng.between(1, i64::try_from(events.len()).unwrap_or(2) - 1);
            events.truncate(usize::try_from(last_kept).unwrap_or(1));
            if let Some(last) = events.last() {
                let at = last
                    .at
                    .saturating_add(1.day())
                    .unwrap_or(last.at)
                    .min(self.latest);
                let text = rng.pick(CANCELLATIONS).copied().unwrap_or("Cancelled.");
                events.push(Event {
                    at,
                    what: Happening::Note(text.to_owned()),
                });
                events.push(Event {
                    at,
                    what: Happening::Cancelled,
                });
            }
        }
    }

    /// A moment of a day, in UTC, never after the last moment before today.
    fn at(&self, date: Date, minute_of_day: i64) -> Timestamp {
        let minute_of_day = minute_of_day.clamp(0, 24 * 60 - 1);
        let (Ok(hour), Ok(minute)) = (
            i8::try_from(minute_of_day / 60),
            i8::try_from(minute_of_day % 60),
        ) else {
            return self.latest;
        };
        date.at(hour, minute, 0, 0)
            .to_zoned(TimeZone::UTC)
            .map_or(self.latest, |zoned| zoned.timestamp())
            .min(self.latest)
    }
}

/// The day of a moment, in UTC.
fn date_of(at: Timestamp) -> Date {
    at.to_zoned(TimeZone::UTC).date()
}

/// A plan's record as it stood at `at`: every event until then applied to `base`, as
/// the window applies a physician's edits (the same ticks and notes, at the event's
/// time). The status follows the story: the first tick or the agreement makes a draft
/// active.
fn state_at(
    catalog: &Catalog,
    base: &PlanRecord,
    (events, recorded): (&[Event], &[RecordedEvent]),
    at: Timestamp,
    author: &str,
) -> PlanRecord {
    let mut record = base.clone();
    let mut status = PlanStatus::Draft;
    for event in events.iter().filter(|event| event.at <= at) {
        let edit = match &event.what {
            Happening::Tick(key) => {
                if status == PlanStatus::Draft {
                    status = PlanStatus::Active;
                }
                PlanEdit::Tick {
                    key: key.clone(),
                    done: true,
                }
            }
            Happening::Note(text) => PlanEdit::AddNote(text.clone()),
            Happening::Agreed => {
                if status == PlanStatus::Draft {
                    status = PlanStatus::Active;
                }
                continue;
            }
            Happening::Completed => {
                status = PlanStatus::Completed;
                continue;
            }
            Happening::Cancelled => {
                status = PlanStatus::Cancelled;
                continue;
            }
        };
        apply(catalog, &mut record, edit, event.at, author);
    }
    for event in recorded.iter().filter(|event| event.at <= at) {
        match &event.what {
            Recorded::Session(session) => {
                let today = date_of(event.at);
                if let Err(error) =
                    record
                        .treatment()
                        .record(session.as_ref().clone(), catalog, today)
                {
                    tracing::warn!("a demo plan was made without one of its records: {error}");
                }
            }
            Recorded::Score(score) => record.scores.push(score.clone()),
        }
        // A recorded session makes a draft active, as recording one in the app does.
        if status == PlanStatus::Draft && matches!(event.what, Recorded::Session(_)) {
            status = PlanStatus::Active;
        }
    }
    apply(
        catalog,
        &mut record,
        PlanEdit::SetStatus(status),
        at,
        author,
    );
    record
}

/// Applies one edit of the story. Ticks, notes and statuses cannot fail (only a moved
/// session or a missing task can), so a failure is a bug of the generator: logged.
fn apply(catalog: &Catalog, record: &mut PlanRecord, edit: PlanEdit, now: Timestamp, author: &str) {
    let context = EditContext {
        catalog,
        now,
        author,
    };
    if let Err(error) = record.course().apply(edit, &context) {
        tracing::warn!("a demo plan was made without one of its edits: {error}");
    }
}

/// A patient's screening answers: mostly none, sometimes a common one or two, and now
/// and then anything (including a contraindication, so some plans say "not a
/// candidate").
fn factors(rng: &mut Rng) -> BTreeSet<Factor> {
    let mut factors = BTreeSet::new();
    for chance in [35, 10] {
        if rng.chance(chance)
            && let Some(factor) = rng.pick(COMMON_FACTORS)
        {
            factors.insert(*factor);
        }
    }
    if rng.chance(4)
        && let Some(factor) = rng.pick(Factor::ALL)
    {
        factors.insert(*factor);
    }
    factors
}

/// A UUID v7 for a record made at `at`, with random bits from the seed: ids sort by
/// creation time like the app's own.
fn id_at(at: Timestamp, rng: &mut Rng) -> uuid::Uuid {
    let millis = u64::try_from(at.as_millisecond()).unwrap_or(0);
    uuid::Builder::from_unix_timestamp_millis(millis, &rng.bytes10()).into_uuid()
}

/// Every combination the new-plan screen offers: what each protocol covers, except
/// protocols that are restricted for every use (the screen greys those out).
fn pathways(catalog: &Catalog) -> Vec<Pathway> {
    let mut seen: BTreeSet<(Modality, CellSource, Area, Indication)> = BTreeSet::new();
    let mut found = Vec::new();
    for protocol in catalog
        .protocols()
        .filter(|protocol| protocol.regulatory.status != RegulatoryStatus::Restricted)
    {
        for combination in crate::catalog::combinations(protocol) {
            if !seen.insert(combination) {
                continue;
            }
            let (modality, source, area, indication) = combination;
            found.push(Pathway {
                selection: Selection {
                    modality,
                    source,
                    area,
                    indication,
                    adjuncts: Vec::new(),
                },
                adjuncts: protocol
                    .adjuncts
                    .iter()
                    .map(|adjunct| adjunct.source)
                    .filter(|adjunct| *adjunct != source)
                    .collect(),
                sessions: protocol.sessions.range,
            });
        }
    }
    found
}
