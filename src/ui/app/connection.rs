//! The store the window is on: the data folder at once, or a database connected to off
//! the UI thread; the threads that work on it, started once it is there; and, on a
//! database, the saves other desks announce, which update the lists and mark the open
//! plan "changed on another desk". Nothing here waits: each step is a channel polled
//! once per frame.

use super::{App, IndexState, Server};
use crate::desk::worker::{Job, LoadMessage, Worker, connect_database, load_index};
use crate::store::{Change, Store};

/// What the list and the agenda say while the database could not be connected to.
const NOT_CONNECTED: &str = "not connected to the database server (see above)";

impl App {
    /// Starts what works on the store: the list of patients and plans loading, the
    /// thread that reads and saves, the one for photographs, and, on a database, the
    /// one that listens for other desks' saves.
    pub(super) fn start_store(&mut self, store: Store, ctx: &egui::Context) {
        let wake = {
            let ctx = ctx.clone();
            move || ctx.request_repaint()
        };
        self.store_label = store.location_label();
        self.index = match load_index(store.clone(), wake.clone()) {
            Ok(receiver) => IndexState::Loading {
                receiver,
                done: 0,
                total: 0,
            },
            Err(error) => IndexState::Failed(format!("could not start loading the plans: {error}")),
        };
        match crate::desk::photos::PhotoWorker::start(
            store.clone(),
            crate::store::ExportGuard::new(&self.dirs),
            wake.clone(),
        ) {
            Ok(worker) => self.photo_worker = Some(worker),
            Err(error) => self.messages.push(format!("could not start the thread for photographs: {error}; photographs cannot be shown or added, restart the app")),
        }
        match Worker::start(store.clone(), wake.clone()) {
            Ok(worker) => self.worker = Some(worker),
            Err(error) => self.messages.push(format!("could not start the thread that reads and saves plans: {error}; plans cannot be opened or saved, restart the app")),
        }
        match store.watch_changes(wake) {
            Ok(changes) => self.changes = changes,
            Err(error) => self.messages.push(format!(
                "could not start listening for other desks' saves: {error}; the lists show this desk's saves only until the app is started again"
            )),
        }
        self.store = Ok(store);
    }

    /// Connects to the database on a thread of its own; the list says so meanwhile.
    pub(super) fn start_connecting(&mut self, ctx: &egui::Context) {
        let Some(url) = self.database_url.clone() else {
            return;
        };
        let wake = {
            let ctx = ctx.clone();
            move || ctx.request_repaint()
        };
        match connect_database(url, self.dirs.cache(), wake) {
            Ok(receiver) => {
                self.index = IndexState::Connecting;
                self.connecting = Some(receiver);
            }
            Err(error) => {
                let message =
                    format!("could not start connecting to the database: {error}; restart the app");
                self.index = IndexState::Failed(message.clone());
                self.store = Err(message);
            }
        }
    }

    /// Takes the connection once it is made (and starts working on it), or why it
    /// could not be: said where the list would be, with a way to try again.
    pub(super) fn poll_connecting(&mut self, ctx: &egui::Context) {
        let Some(receiver) = &self.connecting else {
            return;
        };
        let result = match receiver.try_recv() {
            Ok(result) => result,
            Err(std::sync::mpsc::TryRecvError::Empty) => return,
            Err(std::sync::mpsc::TryRecvError::Disconnected) => {
                Err("the thread connecting to the database stopped; try again".to_owned())
            }
        };
        self.connecting = None;
        match result {
            Ok(connected) => {
                self.is_demo_data = connected.is_demo;
                self.start_store(connected.store, ctx);
            }
            Err(message) => {
                // The whole sentence is said once, above the screen; the list and the
                // agenda point at it.
                self.index = IndexState::Failed(NOT_CONNECTED.to_owned());
                self.store = Err(message);
            }
        }
    }

    /// Whether the window waits for the database connection.
    pub(super) fn is_connecting(&self) -> bool {
        self.connecting.is_some()
    }

    /// Whether the window is on a database that could not be connected to: "Try
    /// again" connects again.
    pub(super) fn may_connect_again(&self) -> bool {
        self.database_url.is_some() && self.connecting.is_none() && self.store.is_err()
    }

    /// What the status bar says of the store: where the records are, and, on a
    /// database, whether it is being connected to or does not answer.
    pub(super) fn store_status(&self) -> String {
        if self.connecting.is_some() {
            format!("{} (connecting…)", self.store_label)
        } else if self.database_url.is_some() && self.store.is_err() {
            format!("{} (not connected)", self.store_label)
        } else if self.server == Server::NotAnswering {
            format!("{} (not answering)", self.store_label)
        } else {
            self.store_label.clone()
        }
    }

    /// Takes the saves the database announced: each record is read again on the
    /// worker (its summary for the lists; for the open plan, who saved it and when).
    /// The server going and coming back is said in the status bar; once it is back,
    /// the lists and the open plan are read again, as saves made meanwhile were not
    /// announced.
    pub(super) fn poll_changes(&mut self) {
        let Some(changes) = &self.changes else {
            return;
        };
        let arrived: Vec<Change> = changes.try_iter().collect();
        for change in arrived {
            match change {
                Change::Plan { id, revision } => {
                    // The desk's own save, already taken in, is not read again.
                    let own = self
                        .open_plan
                        .as_ref()
                        .is_some_and(|open| open.id == id && open.saved.number >= revision);
                    if !own && let Some(worker) = &mut self.worker {
                        worker.send(Job::ReadChangedPlan(id));
                    }
                }
                Change::Patient { id, .. } => {
                    if let Some(worker) = &mut self.worker {
                        worker.send(Job::ReadChangedPatient(id));
                    }
                }
                Change::Lost { message } => {
                    self.server = Server::NotAnswering;
                    self.messages.push(format!(
                        "{message}; other desks' saves show again once it answers"
                    ));
                }
                Change::Back => {
                    self.server = Server::Answering;
                    self.refresh_after_outage();
                }
            }
        }
    }

    /// The server answers again: the open plan and the lists are read again in the
    /// background; the lists shown stay until the new ones have loaded.
    fn refresh_after_outage(&mut self) {
        if let Some(open) = &self.open_plan {
            let id = open.id.clone();
            if let Some(worker) = &mut self.worker {
                worker.send(Job::ReadChangedPlan(id));
            }
        }
        let Ok(store) = &self.store else { return };
        match &self.index {
            IndexState::Ready(_) => {
                if let Ok(receiver) = load_index(store.clone(), || {}) {
                    self.refreshing = Some(receiver);
                }
            }
            // A list that could not be read is read again at once.
            IndexState::Failed(_) => {
                if let Ok(receiver) = load_index(store.clone(), || {}) {
                    self.index = IndexState::Loading {
                        receiver,
                        done: 0,
                        total: 0,
                    };
                }
            }
            IndexState::Loading { .. } | IndexState::Connecting => {}
        }
    }

    /// Takes the list read again after an outage, once it has loaded; a list that
    /// could not be read leaves the one shown.
    pub(super) fn poll_refresh(&mut self) {
        let Some(receiver) = &self.refreshing else {
            return;
        };
        let mut finished = None;
        let mut gone = false;
        loop {
            match receiver.try_recv() {
                Ok(LoadMessage::Done(result)) => {
                    finished = Some(result);
                    break;
                }
                Ok(LoadMessage::Progress(_)) => {}
                Err(std::sync::mpsc::TryRecvError::Empty) => break,
                Err(std::sync::mpsc::TryRecvError::Disconnected) => {
                    gone = true;
                    break;
                }
            }
        }
        match finished {
            Some(Ok(index)) => {
                self.refreshing = None;
                if matches!(self.index, IndexState::Ready(_)) {
                    self.index = IndexState::Ready(index);
                    self.rebuild_lists();
                }
            }
            Some(Err(error)) => {
                self.refreshing = None;
                tracing::warn!(
                    "the list was not read again: {}",
                    crate::untrusted::escape_controls(&error.to_string())
                );
            }
            None if gone => self.refreshing = None,
            None => {}
        }
    }

    /// A record saved elsewhere was read again: the lists show it, and the open plan,
    /// when it is that plan and the revision is newer than the one it stands on, says
    /// "changed on another desk".
    pub(super) fn changed_elsewhere(
        &mut self,
        summary: crate::store::Summary,
        plan: Option<(crate::store::PlanId, crate::store::Revision<()>)>,
    ) {
        if let Some((id, revision)) = plan
            && let Some(open) = self.open_plan.as_mut().filter(|open| open.id == id)
            && revision.number > open.saved.number
            && open
                .elsewhere
                .as_ref()
                .is_none_or(|known| known.number < revision.number)
        {
            open.elsewhere = Some(revision);
        }
        self.remember(vec![summary]);
    }
}

/// A record saved elsewhere could not be read again: the lists keep what they show,
/// and the log says why (the server going is said in the status bar already).
pub(super) fn change_unread(message: &str) {
    tracing::warn!(
        "a record saved at another desk could not be read: {}",
        crate::untrusted::escape_controls(message)
    );
}
