//! Progress while the runner waits: a spinner with what it waits for and the
//! time so far (indicatif; hidden when stderr is not a terminal), and one
//! line per milestone.

use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};

/// Milestones and waits of one `up`.
pub struct Progress {
    bar: ProgressBar,
    start: Instant,
    quiet: bool,
}

impl Progress {
    /// A progress display; `quiet` prints nothing.
    pub fn new(quiet: bool) -> Progress {
        let bar = if quiet {
            ProgressBar::hidden()
        } else {
            ProgressBar::new_spinner()
        };
        bar.set_style(
            ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        bar.enable_steady_tick(Duration::from_millis(120));
        Progress {
            bar,
            start: Instant::now(),
            quiet,
        }
    }
    /// What is being waited for now.
    pub fn waiting(&self, what: &str) {
        self.bar.set_message(what.to_owned());
    }
    /// A milestone, with the time since the start.
    pub fn done(&self, what: &str) {
        if !self.quiet {
            let line = format!("{:>6.2}s {what}", self.start.elapsed().as_secs_f64());
            if self.bar.is_hidden() {
                eprintln!("{line}");
            } else {
                self.bar.println(line);
            }
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.bar.finish_and_clear();
    }
}
