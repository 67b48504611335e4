//! Waiting with a progress indicator: nothing for a wait under a second,
//! a spinner with the elapsed time after that, and nothing at all when
//! standard error is not a terminal (logs and pipes stay clean).

use std::future::Future;
use std::io::IsTerminal as _;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// How long a wait runs before the spinner shows.
const QUIET_FOR: Duration = Duration::from_secs(1);

/// A spinner on standard error, or a hidden one when it is not a terminal.
pub fn spinner(what: &str) -> ProgressBar {
    let target = if std::io::stderr().is_terminal() {
        ProgressDrawTarget::stderr()
    } else {
        ProgressDrawTarget::hidden()
    };
    let bar = ProgressBar::with_draw_target(None, target);
    if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} ({elapsed})") {
        bar.set_style(style);
    }
    bar.set_message(what.to_owned());
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}

/// Draws what a backend reports ([`pgplan_core::Progress`]) as a bar on
/// standard error, once the wait has run for a second, and only when
/// standard error is a terminal.
#[derive(Debug, Default)]
pub struct Terminal {
    bar: Mutex<Option<(ProgressBar, Instant, String)>>,
}

impl Terminal {
    fn with(&self, f: impl FnOnce(&ProgressBar, Instant, &str)) {
        if let Ok(guard) = self.bar.lock()
            && let Some((bar, started, what)) = guard.as_ref()
        {
            f(bar, *started, what);
        }
    }
    /// Shows the bar once the wait has lasted a second.
    fn show_if_long(bar: &ProgressBar, started: Instant) {
        if bar.is_hidden() && started.elapsed() >= QUIET_FOR && std::io::stderr().is_terminal() {
            bar.set_draw_target(ProgressDrawTarget::stderr());
            bar.enable_steady_tick(Duration::from_millis(120));
        }
    }
}

impl pgplan_core::Progress for Terminal {
    fn begin(&self, what: &str, steps: Option<u64>) {
        let bar = ProgressBar::with_draw_target(steps, ProgressDrawTarget::hidden());
        let template = if steps.is_some() {
            "{spinner} {prefix} [{bar:20}] {pos}/{len} {wide_msg} ({elapsed})"
        } else {
            "{spinner} {prefix} {wide_msg} ({elapsed})"
        };
        if let Ok(style) = ProgressStyle::with_template(template) {
            bar.set_style(style);
        }
        bar.set_prefix(what.to_owned());
        if let Ok(mut guard) = self.bar.lock() {
            *guard = Some((bar, Instant::now(), what.to_owned()));
        }
    }
    fn advance(&self, done: u64, now: &str) {
        self.with(|bar, started, _| {
            bar.set_position(done);
            bar.set_message(now.to_owned());
            Self::show_if_long(bar, started);
        });
    }
    fn note(&self, now: &str) {
        self.with(|bar, started, _| {
            bar.set_message(now.to_owned());
            Self::show_if_long(bar, started);
        });
    }
    fn end(&self, failure: Option<&str>) {
        self.with(|bar, _, what| match failure {
            None => bar.finish_and_clear(),
            Some(why) => bar.abandon_with_message(format!("{what}: {why}")),
        });
    }
}

/// Runs `work` on the runtime; past a second, a spinner says what it waits for.
pub fn wait<F: Future>(rt: &tokio::runtime::Runtime, what: &str, work: F) -> F::Output {
    rt.block_on(async {
        let mut work = std::pin::pin!(work);
        tokio::select! {
            done = &mut work => return done,
            () = tokio::time::sleep(QUIET_FOR) => {}
        }
        let bar = spinner(what);
        let done = work.await;
        bar.finish_and_clear();
        done
    })
}
