//! Being told of saves made at other desks, on a database.
//!
//! Every save on a database makes or moves a record's head, and a trigger on `heads`
//! (migration 3) announces it with `NOTIFY` in the same transaction: delivered once the
//! save is committed. [`Store::watch_changes`] listens for these on a thread of its
//! own, with a connection of its own, and hands each one on as a [`Change`] naming the
//! record and its new revision. When the server goes (stopped, network cut) it says so
//! once ([`Change::Lost`]), tries again with a growing pause, and says when it is back
//! ([`Change::Back`]): saves made meanwhile were not announced, so whoever listens
//! reads again what it shows.
//!
//! On a data folder there is nothing to listen to: desks sharing a folder see each
//! other's saves when they read the records again.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, TryIter, channel};
use std::time::{Duration, Instant};

use postgres::fallible_iterator::FallibleIterator as _;

use super::database::Database;
use super::folder::Store;
use super::ids::{PatientId, PlanId};

/// How long the listening thread waits for an announcement before it looks whether it
/// is still wanted.
const POLL: Duration = Duration::from_millis(250);
/// How long the connection may stay silent before the thread asks the server whether
/// it is still there (a network cut sends nothing).
const PING_AFTER: Duration = Duration::from_secs(5);
/// The first pause before connecting again after the server went; each failed try
/// doubles it, up to [`LONGEST_PAUSE`].
const FIRST_PAUSE: Duration = Duration::from_millis(500);
/// The longest pause between two tries to connect again.
const LONGEST_PAUSE: Duration = Duration::from_secs(8);

/// What happened on the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// A plan was saved (or made): its head is now at `revision`.
    Plan {
        /// The plan.
        id: PlanId,
        /// Its newest revision.
        revision: u32,
    },
    /// A patient was saved (or made): their head is now at `revision`.
    Patient {
        /// The patient.
        id: PatientId,
        /// Their newest revision.
        revision: u32,
    },
    /// The server stopped answering: saves at other desks are not heard of until it is
    /// back. Said once, however long it stays away.
    Lost {
        /// Why, as one sentence naming the server.
        message: String,
    },
    /// The server answers again after [`Change::Lost`]; saves made meanwhile were not
    /// announced.
    Back,
}

impl Change {
    /// The change a notification's payload (`kind/record/number`) announces, if it is
    /// one: a payload is the server's and is checked like anything read.
    fn from_payload(payload: &str) -> Option<Change> {
        let mut parts = payload.split('/');
        let (kind, id, number) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() {
            return None;
        }
        let revision: u32 = number.parse().ok().filter(|number| *number > 0)?;
        match kind {
            "plans" => Some(Change::Plan {
                id: id.parse().ok()?,
                revision,
            }),
            "patients" => Some(Change::Patient {
                id: id.parse().ok()?,
                revision,
            }),
            _ => None,
        }
    }
}

/// The changes heard on a database, from [`Store::watch_changes`]. Dropping it stops
/// the listening thread (within a fraction of a second, or once a connection being
/// made has given up).
#[derive(Debug)]
pub struct ChangeWatch {
    receiver: Receiver<Change>,
    stop: Arc<AtomicBool>,
}

impl ChangeWatch {
    /// The changes that arrived since the last call; never waits.
    #[must_use]
    pub fn try_iter(&self) -> TryIter<'_, Change> {
        self.receiver.try_iter()
    }

    /// The next change, waiting at most `timeout`.
    ///
    /// # Errors
    /// When none came in time, or the thread stopped.
    pub fn recv_timeout(&self, timeout: Duration) -> Result<Change, RecvTimeoutError> {
        self.receiver.recv_timeout(timeout)
    }
}

impl Drop for ChangeWatch {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

impl Store {
    /// Starts listening for the saves of every desk on the database, on a thread named
    /// `database-changes` with a connection of its own; `wake` is called after each
    /// change is handed on (the window repaints). `None` on a data folder, where there
    /// is nothing to listen to. The desk's own saves are heard too.
    ///
    /// # Errors
    /// When the system cannot start a thread.
    pub fn watch_changes(
        &self,
        wake: impl Fn() + Send + 'static,
    ) -> std::io::Result<Option<ChangeWatch>> {
        let Some(database) = self.database_arc() else {
            return Ok(None);
        };
        let (sender, receiver) = channel();
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = Arc::clone(&stop);
        std::thread::Builder::new()
            .name("database-changes".into())
            .spawn(move || listen_until_stopped(&database, &sender, &stopped, &wake))?;
        Ok(Some(ChangeWatch { receiver, stop }))
    }
}

/// Why a connection stopped listening.
enum Ended {
    /// The watch was dropped.
    Stopped,
    /// The server went, as a sentence.
    Lost(String),
}

/// Listens, connecting again with a growing pause whenever the server goes, until the
/// watch is dropped.
fn listen_until_stopped(
    database: &Database,
    sender: &Sender<Change>,
    stop: &AtomicBool,
    wake: &dyn Fn(),
) {
    let mut pause = FIRST_PAUSE;
    let mut lost = false;
    let send = |change: Change| {
        let sent = sender.send(change).is_ok();
        wake();
        sent
    };
    while !stop.load(Ordering::Relaxed) {
        let ended = match database.listen() {
            Ok(mut client) => {
                pause = FIRST_PAUSE;
                if lost {
                    lost = false;
                    if !send(Change::Back) {
                        return;
                    }
                }
                listen_on(database, &mut client, &send, stop)
            }
            Err(error) => Ended::Lost(error.to_string()),
        };
        match ended {
            Ended::Stopped => return,
            Ended::Lost(message) => {
                tracing::warn!(
                    "listening for other desks' saves: {}",
                    crate::untrusted::escape_controls(&message)
                );
                if !lost {
                    lost = true;
                    if !send(Change::Lost { message }) {
                        return;
                    }
                }
            }
        }
        let until = Instant::now() + pause;
        while Instant::now() < until {
            if stop.load(Ordering::Relaxed) {
                return;
            }
            std::thread::sleep(POLL.min(until.saturating_duration_since(Instant::now())));
        }
        pause = (pause * 2).min(LONGEST_PAUSE);
    }
}

/// Hands on what one connection hears, asking the server whether it is there after
/// each silence of [`PING_AFTER`], until the connection fails or the watch is dropped.
fn listen_on(
    database: &Database,
    client: &mut postgres::Client,
    send: &dyn Fn(Change) -> bool,
    stop: &AtomicBool,
) -> Ended {
    let mut heard_at = Instant::now();
    loop {
        if stop.load(Ordering::Relaxed) {
            return Ended::Stopped;
        }
        if let Some(ended) = hand_on_heard(database, client, send, &mut heard_at) {
            return ended;
        }
        if client.is_closed() {
            return Ended::Lost(format!(
                "the connection to the database server {} was closed; it is made again when the server answers",
                database.server()
            ));
        }
        if heard_at.elapsed() >= PING_AFTER {
            if let Err(error) = client.simple_query("SELECT 1") {
                return Ended::Lost(database.query_error(&error).to_string());
            }
            heard_at = Instant::now();
        }
    }
}

/// Hands on what arrives until [`POLL`] passes in silence; `Some` when the connection
/// failed or the watch was dropped.
fn hand_on_heard(
    database: &Database,
    client: &mut postgres::Client,
    send: &dyn Fn(Change) -> bool,
    heard_at: &mut Instant,
) -> Option<Ended> {
    let mut notifications = client.notifications();
    let mut heard = notifications.timeout_iter(POLL);
    loop {
        match heard.next() {
            Ok(Some(notification)) => {
                *heard_at = Instant::now();
                if let Some(change) = Change::from_payload(notification.payload()) {
                    if !send(change) {
                        return Some(Ended::Stopped);
                    }
                } else {
                    tracing::warn!(
                        "an announcement of a save that names no record was ignored: {}",
                        crate::untrusted::escape_controls(notification.payload())
                    );
                }
            }
            Ok(None) => return None,
            Err(error) => return Some(Ended::Lost(database.query_error(&error).to_string())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Change;

    #[test]
    fn a_payload_names_a_record_and_its_revision_or_is_ignored() {
        let plan = "0190d3c2a1b27c3d8e9f0a1b2c3d4e5f";
        match Change::from_payload(&format!("plans/{plan}/3")) {
            Some(Change::Plan { id, revision }) => {
                assert_eq!(id.as_str(), plan);
                assert_eq!(revision, 3);
            }
            other => panic!("{other:?}"),
        }
        for wrong in [
            "",
            "plans",
            &format!("plans/{plan}"),
            &format!("plans/{plan}/0"),
            &format!("plans/{plan}/x"),
            &format!("plans/{plan}/3/4"),
            &format!("photos/{plan}/3"),
            "plans/../../etc/3",
        ] {
            assert_eq!(Change::from_payload(wrong), None, "{wrong}");
        }
    }
}
