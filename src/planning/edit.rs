//! What a physician changes on a saved plan: ticking checklist items (with when),
//! moving a session (the plan is generated again and later sessions keep their spacing
//! from the moved one), notes, added tasks and the status. "Now" and the author are
//! arguments: the window and the demo data apply edits the same way, with their own
//! clocks.

use std::collections::BTreeMap;

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::engine::{PlanError, generate};
use super::plan::Plan;
use super::schedule::PlanRequest;
use super::status::PlanStatus;
use crate::catalog::{Audience, Catalog};

/// A note the physician added to a plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Note {
    /// When it was written.
    pub written_at: Timestamp,
    /// Who wrote it.
    pub author: String,
    /// The note.
    pub text: String,
}

/// A task the physician added to a plan's checklist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExtraTask {
    /// What to do.
    pub text: String,
    /// By when, if it has a date.
    #[serde(default)]
    pub due: Option<Date>,
    /// The physician took it back. It is kept, so that its checklist place and its
    /// calendar event stay its own: exports leave it out of the handout and cancel its
    /// event.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub withdrawn: bool,
    /// Whom the task is for: the patient (the default, and what older files mean), or
    /// the clinic, whose tasks the handout does not list among what is asked of the
    /// patient.
    #[serde(default, skip_serializing_if = "Audience::is_patient")]
    pub audience: Audience,
}

/// A change to a plan. Every change is saved as a new revision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlanEdit {
    /// Tick or untick a checklist item.
    Tick {
        /// The item's key ([`super::checklist_keys`]).
        key: String,
        /// Ticked or not.
        done: bool,
    },
    /// Move a session; later sessions keep their spacing from it.
    MoveSession {
        /// 1-based session number.
        number: u32,
        /// The new date.
        date: Date,
    },
    /// Move a session sooner after the one before than the protocol allows, confirmed
    /// by the physician: the move and a note that says why are one revision.
    MoveSessionAnyway {
        /// 1-based session number.
        number: u32,
        /// The new date.
        date: Date,
        /// The note that records the shortfall and the physician's reason
        /// ([`super::TooSoon::note`]).
        note: String,
    },
    /// Add a note.
    AddNote(String),
    /// Add a task.
    AddTask {
        /// What to do.
        text: String,
        /// By when.
        due: Option<Date>,
        /// Whom it is for: the patient (in the handout) or the clinic.
        audience: Audience,
    },
    /// Withdraw an added task (it stays in the record, struck out), or restore it.
    WithdrawTask {
        /// Its place among the added tasks.
        index: usize,
        /// Withdrawn or restored.
        withdrawn: bool,
    },
    /// Change the plan's status.
    SetStatus(PlanStatus),
}

/// The parts of a saved plan that edits change, borrowed from the record that holds
/// them (the store's plan record keeps them beside the patient).
#[derive(Debug)]
pub struct Course<'a> {
    /// What the plan was generated from: a moved session changes it.
    pub request: &'a mut PlanRequest,
    /// The generated plan.
    pub plan: &'a mut Plan,
    /// The physician's notes, oldest first.
    pub notes: &'a mut Vec<Note>,
    /// Tasks the physician added.
    pub extra_tasks: &'a mut Vec<ExtraTask>,
    /// Where the plan stands.
    pub status: &'a mut PlanStatus,
    /// Checklist items that were done, by key, with when they were ticked.
    pub checklist: &'a mut BTreeMap<String, Timestamp>,
}

/// Who makes an edit, when, and with which protocols.
#[derive(Debug, Clone, Copy)]
pub struct EditContext<'a> {
    /// The protocols a moved session's plan is generated from again.
    pub catalog: &'a Catalog,
    /// The moment of the edit: a tick and a note record it.
    pub now: Timestamp,
    /// Who makes it: a note records it.
    pub author: &'a str,
}

/// An edit that could not be made; the plan is unchanged.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EditError {
    /// The plan could not be generated for the new date.
    #[error("Session {number} was not moved: {source}")]
    SessionNotMoved {
        /// The session.
        number: u32,
        /// Why the plan could not be generated.
        source: PlanError,
    },
    /// The session took place: its date is a fact, changed only by correcting its
    /// record.
    #[error(
        "Session {number} took place on {performed} and is not moved; correct its record if the date is wrong"
    )]
    SessionPerformed {
        /// The session.
        number: u32,
        /// The day it took place.
        performed: jiff::civil::Date,
    },
    /// The added task is not on the plan.
    #[error("there is no added task {number} on this plan; nothing was changed")]
    NoSuchTask {
        /// Its number, counted from 1.
        number: usize,
    },
}

impl Course<'_> {
    /// Applies an edit to the plan. When it fails, nothing is changed.
    ///
    /// # Errors
    /// When a moved session's plan cannot be generated, or the task is not on the plan.
    pub fn apply(self, edit: PlanEdit, context: &EditContext<'_>) -> Result<(), EditError> {
        match edit {
            PlanEdit::Tick { key, done } => {
                if done {
                    self.checklist.insert(key, context.now);
                } else {
                    self.checklist.remove(&key);
                }
            }
            PlanEdit::MoveSession { number, date } => {
                if let Some(performed) = self.request.performed_sessions.get(&number) {
                    return Err(EditError::SessionPerformed {
                        number,
                        performed: *performed,
                    });
                }
                let (request, plan) = move_session(context.catalog, self.request, number, date)
                    .map_err(|source| EditError::SessionNotMoved { number, source })?;
                *self.request = request;
                *self.plan = plan;
            }
            PlanEdit::MoveSessionAnyway { number, date, note } => {
                let (request, plan) = move_session(context.catalog, self.request, number, date)
                    .map_err(|source| EditError::SessionNotMoved { number, source })?;
                *self.request = request;
                *self.plan = plan;
                self.notes.push(Note {
                    written_at: context.now,
                    author: context.author.to_owned(),
                    text: note,
                });
            }
            PlanEdit::AddNote(text) => self.notes.push(Note {
                written_at: context.now,
                author: context.author.to_owned(),
                text,
            }),
            PlanEdit::AddTask {
                text,
                due,
                audience,
            } => self.extra_tasks.push(ExtraTask {
                text,
                due,
                withdrawn: false,
                audience,
            }),
            PlanEdit::WithdrawTask { index, withdrawn } => {
                let task = self
                    .extra_tasks
                    .get_mut(index)
                    .ok_or(EditError::NoSuchTask { number: index + 1 })?;
                task.withdrawn = withdrawn;
            }
            PlanEdit::SetStatus(status) => *self.status = status,
        }
        Ok(())
    }
}

/// The request with session `number` moved to `date`, and its plan. Sessions moved
/// before it stay where they are; sessions moved after it are let go, so that they keep
/// their spacing from the moved one.
///
/// # Errors
/// When the plan cannot be generated for the new date.
pub fn move_session(
    catalog: &Catalog,
    request: &PlanRequest,
    number: u32,
    date: Date,
) -> Result<(PlanRequest, Plan), PlanError> {
    reschedule_from(catalog, request, number, |request| {
        request.moved_sessions.insert(number, date);
    })
}

/// The request with session `number` pinned by `pin`, and its plan: sessions moved
/// before it stay where they are, sessions moved after it are let go so that they keep
/// their spacing from it (sessions that took place always keep their day). Moving a
/// session and recording one both come here.
///
/// # Errors
/// When the plan cannot be generated for the new date.
pub(crate) fn reschedule_from(
    catalog: &Catalog,
    request: &PlanRequest,
    number: u32,
    pin: impl FnOnce(&mut PlanRequest),
) -> Result<(PlanRequest, Plan), PlanError> {
    let mut request = request.clone();
    request.moved_sessions.retain(|moved, _| *moved < number);
    pin(&mut request);
    let plan = generate(catalog, &request)?;
    Ok((request, plan))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::catalog::{Area, CellSource, Indication, Modality, Selection};

    /// The README's stretch-marks plan, starting Monday 18 January 2027, with nothing
    /// added yet.
    struct Fixture {
        catalog: Catalog,
        request: PlanRequest,
        plan: Plan,
        notes: Vec<Note>,
        extra_tasks: Vec<ExtraTask>,
        status: PlanStatus,
        checklist: BTreeMap<String, Timestamp>,
    }

    impl Fixture {
        fn new() -> Self {
            let (catalog, _) = Catalog::builtin();
            let selection = Selection {
                modality: Modality::Injection,
                source: CellSource::AutologousAdipose,
                area: Area::Abdomen,
                indication: Indication::StretchMarks,
                adjuncts: Vec::new(),
            };
            let request = PlanRequest::new(selection, BTreeSet::new(), date("2027-01-18"));
            let plan = generate(&catalog, &request).unwrap();
            Fixture {
                catalog,
                request,
                plan,
                notes: Vec::new(),
                extra_tasks: Vec::new(),
                status: PlanStatus::Draft,
                checklist: BTreeMap::new(),
            }
        }

        /// Applies an edit made at `now` by Dr. Vega.
        fn apply(&mut self, edit: PlanEdit, now: &str) -> Result<(), EditError> {
            let context = EditContext {
                catalog: &self.catalog,
                now: now.parse().unwrap(),
                author: "Dr. Vega",
            };
            let course = Course {
                request: &mut self.request,
                plan: &mut self.plan,
                notes: &mut self.notes,
                extra_tasks: &mut self.extra_tasks,
                status: &mut self.status,
                checklist: &mut self.checklist,
            };
            course.apply(edit, &context)
        }
    }

    fn date(text: &str) -> Date {
        text.parse().unwrap()
    }

    #[test]
    fn a_tick_records_when_and_an_untick_takes_it_back() {
        let mut fixture = Fixture::new();
        let key = super::super::checklist_keys::session(1);
        let tick = |done| PlanEdit::Tick {
            key: key.clone(),
            done,
        };
        fixture.apply(tick(true), "2027-01-18T15:30:00Z").unwrap();
        assert_eq!(
            fixture.checklist.get(&key),
            Some(&"2027-01-18T15:30:00Z".parse().unwrap())
        );
        fixture.apply(tick(false), "2027-01-18T15:31:00Z").unwrap();
        assert!(fixture.checklist.is_empty());
    }

    #[test]
    fn a_moved_session_keeps_earlier_moves_and_later_sessions_keep_their_spacing() {
        let mut fixture = Fixture::new();
        let days_between = |plan: &Plan| (plan.sessions[1].date - plan.sessions[0].date).get_days();
        let spacing = days_between(&fixture.plan);
        // Session 2 moved first, then session 1: the later move of an earlier session
        // lets session 2 follow it again.
        let move_to = |number, day: &str| PlanEdit::MoveSession {
            number,
            date: date(day),
        };
        fixture
            .apply(move_to(2, "2027-04-05"), "2027-01-10T09:00:00Z")
            .unwrap();
        assert_eq!(fixture.plan.sessions[1].date, date("2027-04-05"));
        fixture
            .apply(move_to(1, "2027-01-25"), "2027-01-10T09:01:00Z")
            .unwrap();
        assert_eq!(fixture.plan.sessions[0].date, date("2027-01-25"));
        assert_eq!(
            fixture.request.moved_sessions,
            BTreeMap::from([(1, date("2027-01-25"))])
        );
        assert_eq!(days_between(&fixture.plan), spacing);
        assert_eq!(
            fixture.plan,
            generate(&fixture.catalog, &fixture.request).unwrap()
        );
    }

    #[test]
    fn notes_tasks_and_status_are_recorded_with_who_and_when() {
        let mut fixture = Fixture::new();
        fixture
            .apply(
                PlanEdit::AddNote("Prefers mornings.".to_owned()),
                "2027-01-11T10:00:00Z",
            )
            .unwrap();
        fixture
            .apply(
                PlanEdit::AddTask {
                    text: "Bring the old photographs".to_owned(),
                    due: Some(date("2027-01-15")),
                    audience: Audience::Patient,
                },
                "2027-01-11T10:01:00Z",
            )
            .unwrap();
        fixture
            .apply(
                PlanEdit::WithdrawTask {
                    index: 0,
                    withdrawn: true,
                },
                "2027-01-11T10:02:00Z",
            )
            .unwrap();
        fixture
            .apply(
                PlanEdit::SetStatus(PlanStatus::Active),
                "2027-01-11T10:03:00Z",
            )
            .unwrap();
        assert_eq!(
            fixture.notes,
            [Note {
                written_at: "2027-01-11T10:00:00Z".parse().unwrap(),
                author: "Dr. Vega".to_owned(),
                text: "Prefers mornings.".to_owned(),
            }]
        );
        assert_eq!(
            fixture.extra_tasks,
            [ExtraTask {
                text: "Bring the old photographs".to_owned(),
                due: Some(date("2027-01-15")),
                withdrawn: true,
                audience: Audience::Patient,
            }]
        );
        assert_eq!(fixture.status, PlanStatus::Active);
    }

    #[test]
    fn withdrawing_a_task_that_is_not_there_says_so_and_changes_nothing() {
        let mut fixture = Fixture::new();
        let before = (fixture.extra_tasks.clone(), fixture.checklist.clone());
        let error = fixture
            .apply(
                PlanEdit::WithdrawTask {
                    index: 2,
                    withdrawn: true,
                },
                "2027-01-11T10:00:00Z",
            )
            .unwrap_err();
        assert_eq!(error, EditError::NoSuchTask { number: 3 });
        assert_eq!(
            error.to_string(),
            "there is no added task 3 on this plan; nothing was changed"
        );
        assert_eq!((fixture.extra_tasks, fixture.checklist), before);
    }
}
