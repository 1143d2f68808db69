//! The keys under which a plan's checklist records ticked items (see
//! `PlanRecord::checklist`): stable across re-dating, so a tick survives a moved
//! session. The plan screen ticks items under these keys, and the demo data generator
//! ticks the same items, so both live here, below the UI and the store.

use super::AftercareSite;

/// A pre-procedure task before session 1 (plans saved before tasks were dated per
/// session keep their ticks under this key).
#[must_use]
pub fn pre(task: &str) -> String {
    format!("pre:{task}")
}

/// A pre-procedure task before a given session: the same task (a drug held) comes
/// before each session, and each is ticked on its own.
#[must_use]
pub fn pre_before(session: u32, task: &str) -> String {
    if session <= 1 {
        pre(task)
    } else {
        format!("pre:{session}:{task}")
    }
}

/// A session done.
#[must_use]
pub fn session(number: u32) -> String {
    format!("session:{number}")
}

/// An aftercare task after a session.
#[must_use]
pub fn aftercare(session: u32, site: AftercareSite, task: &str) -> String {
    let site = match site {
        AftercareSite::TreatedArea => "treated",
        AftercareSite::DonorSite => "donor",
    };
    format!("aftercare:{session}:{site}:{task}")
}

/// A follow-up visit done.
#[must_use]
pub fn follow_up(purpose: &str) -> String {
    format!("follow-up:{purpose}")
}

/// A task added by the physician.
#[must_use]
pub fn extra(index: usize) -> String {
    format!("extra:{index}")
}
