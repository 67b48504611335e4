//! What a long wait tells whoever shows progress. Libraries report through
//! [`Progress`] and never draw; the CLI draws a progress bar on a terminal
//! and nothing elsewhere.

use std::fmt;

/// Receives the progress of a long wait (a rollout, a long-running Azure
/// operation). Every method has a default that does nothing.
pub trait Progress: Send + Sync + fmt::Debug {
    /// A wait starts: what it waits for and, when known, how many steps.
    fn begin(&self, what: &str, steps: Option<u64>) {
        let _ = (what, steps);
    }
    /// `done` steps are complete; `now` says what is happening.
    fn advance(&self, done: u64, now: &str) {
        let _ = (done, now);
    }
    /// Still waiting, for this reason (a status, the time so far).
    fn note(&self, now: &str) {
        let _ = now;
    }
    /// The wait ended: `None` when it succeeded, else why it stopped.
    fn end(&self, failure: Option<&str>) {
        let _ = failure;
    }
}

/// Reports nowhere: the default of every library.
#[derive(Debug, Clone, Copy, Default)]
pub struct Quiet;

impl Progress for Quiet {}
