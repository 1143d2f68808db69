//! What the user asked for while a frame was drawn. Drawing code returns these; the app
//! applies them after drawing, so no widget closure does IO.

use std::path::PathBuf;

use crate::planning::agenda::ItemPlace;
use crate::planning::{PlanEdit, Score, SessionRecord};
use crate::store::{PatientId, PlanId, Settings};

use super::new_plan::NewPlanDraft;
use crate::desk::ExportOrder;

/// One request of the user.
#[must_use]
#[derive(Debug, Clone)]
pub enum Action {
    /// Show a patient and their plans.
    OpenPatient(PatientId),
    /// Save the details of the patient shown, as edited on their screen.
    SavePatient(PatientId),
    /// Read a patient again after another desk saved them, dropping the edits typed.
    RereadPatient(PatientId),
    /// Open a plan.
    OpenPlan(PlanId),
    /// Open a plan at one of its items (a click on the agenda): the item's line is
    /// highlighted and scrolled into view.
    OpenPlanAt(PlanId, ItemPlace),
    /// Start a new plan, for an existing patient or a new one.
    NewPlan(Option<PatientId>),
    /// Read an existing patient's screening on file for the new plan made for them.
    ReadScreening(PatientId),
    /// Leave the new-plan screen (Cancel, Esc): asked first when something was chosen.
    CancelNewPlan,
    /// Drop the new plan being made, and do what was asked.
    DiscardDraft,
    /// Keep the new plan being made and go back to it.
    KeepDraft,
    /// Create the plan of the new-plan screen (and the patient, if new).
    CreatePlan(Box<NewPlanDraft>),
    /// Change the open plan.
    EditPlan(PlanEdit),
    /// Record a session of the open plan (or correct its record); the plan moves with
    /// the performed date.
    RecordSession(Box<SessionRecord>),
    /// Add an outcome score to the open plan.
    EnterScore(Score),
    /// Remove score `number` (1-based, in the order entered) of the open plan, when it
    /// is still `score`: entered by mistake. The revision history keeps it.
    RemoveScore {
        /// Its place among the plan's scores, 1-based.
        number: usize,
        /// The score the physician saw there.
        score: Score,
    },
    /// Remove the record of this session of the open plan: entered on the wrong
    /// session. The revision history keeps it.
    RemoveRecord(u32),
    /// Add, tag or take off the open plan's photographs.
    Photos(super::photos::PhotoAction),
    /// Show every plan in a table.
    ShowAllPlans,
    /// Show the lot recall screen.
    ShowLotRecall,
    /// Show the clinic's agenda, the home screen.
    ShowAgenda,
    /// Show the protocol library.
    ShowLibrary,
    /// Open the settings dialog.
    OpenSettings,
    /// Close the open dialog without saving.
    CloseDialog,
    /// Save the settings and close the dialog.
    SaveSettings(Box<Settings>),
    /// Save pending changes now.
    SaveNow,
    /// Open a folder in the file manager.
    OpenFolder(PathBuf),
    /// Open a written PDF in the system's viewer, to print it from there.
    Print(PathBuf),
    /// Open the export dialog of the open plan.
    OpenExport,
    /// Export the open plan into a folder.
    RunExport(ExportOrder),
    /// Put the keyboard focus in the search field.
    FocusSearch,
    /// Reread the list of patients and plans from the data folder.
    ReloadIndex,
    /// Reopen the open plan from disk, dropping unsaved edits (after a conflict).
    ReloadPlan,
    /// Keep the window open: the physician goes back to what they typed.
    KeepEditing,
    /// Close the window, dropping what was typed but not added or saved.
    DiscardAndClose,
}
