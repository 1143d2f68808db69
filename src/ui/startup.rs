//! How long the window took to show its first frame, logged at info level
//! (`REGEN_PLANNER_LOG=info`), so that start-up can be measured on the real window
//! rather than guessed.

use std::sync::OnceLock;
use std::time::{Duration, Instant};

static PROCESS_START: OnceLock<Instant> = OnceLock::new();

/// Notes that the process starts now. The binary calls this first thing, so that the
/// start-up time includes parsing arguments, loading protocols and opening the window.
pub fn mark_process_start() {
    PROCESS_START.get_or_init(Instant::now);
}

fn since_start() -> Duration {
    PROCESS_START.get_or_init(Instant::now).elapsed()
}

/// Logs, once, when the first frame was on the screen.
#[derive(Debug, Default)]
pub(crate) struct StartupLog {
    first_frame_began: Option<Duration>,
    logged: bool,
}

impl StartupLog {
    /// A log that counts from the process start (or from now, if it was not marked).
    pub fn new() -> Self {
        since_start();
        Self::default()
    }

    /// Called at the start of every frame with the time eframe measured for the
    /// previous frame (building and painting it, without waiting for the screen). At
    /// the second frame, the first one's end is known and logged.
    pub fn frame_starts(&mut self, previous_frame_seconds: Option<f32>) {
        if self.logged {
            return;
        }
        let now = since_start();
        let Some(began) = self.first_frame_began else {
            self.first_frame_began = Some(now);
            return;
        };
        self.logged = true;
        let drawing = Duration::from_secs_f32(previous_frame_seconds.unwrap_or(0.0).max(0.0));
        tracing::info!(
            "first frame painted {:.1} ms after the process started (its frame began at {:.1} ms and took {:.1} ms to build and paint; the second frame began at {:.1} ms)",
            (began + drawing).as_secs_f64() * 1e3,
            began.as_secs_f64() * 1e3,
            drawing.as_secs_f64() * 1e3,
            now.as_secs_f64() * 1e3,
        );
    }
}
