//! `state.json` in the run directory: whose run directory it is, and the
//! processes the runner started (PID and start time). No secrets.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::proc::Proc;
use crate::Error;

/// A started process as recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recorded {
    /// Process id.
    pub pid: u32,
    /// Start time (clock ticks after boot).
    pub start: u64,
}

impl From<Proc> for Recorded {
    fn from(p: Proc) -> Self {
        Recorded {
            pid: p.pid,
            start: p.start,
        }
    }
}

impl From<Recorded> for Proc {
    fn from(r: Recorded) -> Self {
        Proc {
            pid: r.pid,
            start: r.start,
        }
    }
}

/// The run directory's record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct State {
    /// The plan's service.
    pub service: String,
    /// The plan's environment.
    pub environment: String,
    /// PostgreSQL major version of the data.
    pub major: u16,
    /// `single` or `patroni`.
    pub kind: String,
    /// The user the processes run as.
    pub user: String,
    /// The port a single server got when the plan left it open.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub single_port: Option<u16>,
    /// Running processes by component (`etcd-1`, `pg-0`, `haproxy`,
    /// `pg-0-exporter`, `postgres`).
    #[serde(default)]
    pub processes: BTreeMap<String, Recorded>,
}

impl State {
    /// The file in a run directory.
    pub fn path(run_dir: &Path) -> PathBuf {
        run_dir.join("state.json")
    }
    /// Reads the record, if there is one.
    ///
    /// # Errors
    ///
    /// [`Error::State`] for a file pgplan did not write.
    pub fn read(run_dir: &Path) -> Result<Option<State>, Error> {
        let path = Self::path(run_dir);
        match std::fs::read_to_string(&path) {
            Ok(text) => serde_json::from_str(&text)
                .map(Some)
                .map_err(|e| Error::State {
                    path,
                    message: format!("not a run directory pgplan wrote: {e}"),
                }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(Error::io(format!("reading {}", path.display()))(e)),
        }
    }
    /// Writes the record.
    ///
    /// # Errors
    ///
    /// [`Error::Io`].
    pub fn write(&self, run_dir: &Path) -> Result<(), Error> {
        let path = Self::path(run_dir);
        let text = serde_json::to_string_pretty(self).unwrap_or_default();
        let tmp = path.with_extension("json.tmp");
        std::fs::write(&tmp, text + "\n")
            .map_err(Error::io(format!("writing {}", tmp.display())))?;
        std::fs::rename(&tmp, &path).map_err(Error::io(format!("writing {}", path.display())))
    }
    /// A component's process, when it still runs.
    pub fn running(&self, component: &str) -> Option<Proc> {
        let p: Proc = (*self.processes.get(component)?).into();
        p.alive().then_some(p)
    }
}
