//! Processes of the local runner: the unprivileged user they run as, how they
//! are started (their own process group, output to a log file, the PID that
//! `spawn` returns is the daemon's own), how they are recognised again (PID
//! and start time, so a reused PID is never mistaken for ours) and stopped.
//!
//! As root, programs run through `setpriv --reuid --regid --init-groups`,
//! which executes the program in place: unlike `runuser`, no wrapper process
//! stays between the runner and the daemon. Signals go to one PID at a time;
//! nothing is ever killed by name or by user (other test suites on the same
//! machine run servers as the same user).

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::fs::{self, OpenOptions};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use std::os::unix::process::CommandExt as _;

use crate::Error;

/// `PATH` of every process the runner starts.
const PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// Children started by this process, kept so they can be reaped (a dead child
/// that nobody waits for stays a zombie, which `kill -0` still finds).
static CHILDREN: Mutex<BTreeMap<u32, Child>> = Mutex::new(BTreeMap::new());

/// Reaps children that have exited.
pub fn reap() {
    let mut children = CHILDREN.lock().unwrap_or_else(PoisonError::into_inner);
    children.retain(|_, c| matches!(c.try_wait(), Ok(None)));
}

/// The user servers run as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunUser {
    /// Name.
    pub name: String,
    /// User id.
    pub uid: u32,
    /// Primary group id.
    pub gid: u32,
    /// Whether the runner switches to it (it runs as root).
    pub switch: bool,
}

fn id(args: &[&str]) -> Option<u32> {
    let out = Command::new("id").args(args).output().ok()?;
    if !out.status.success() {
        return None;
    }
    String::from_utf8_lossy(&out.stdout).trim().parse().ok()
}

impl RunUser {
    /// Resolves the user servers run as: `requested`, else the current user —
    /// or, for root (whom PostgreSQL refuses), `postgres`.
    ///
    /// # Errors
    ///
    /// [`Error::User`] when the user does not exist, is root, or another user
    /// is asked for while not running as root.
    pub fn resolve(requested: Option<&str>) -> Result<RunUser, Error> {
        let me = id(&["-u"]).unwrap_or(u32::MAX);
        let root = me == 0;
        let name = match requested {
            Some(n) => n.to_owned(),
            None if root => "postgres".to_owned(),
            None => {
                let out = Command::new("id")
                    .arg("-un")
                    .output()
                    .map_err(Error::io("id -un"))?;
                String::from_utf8_lossy(&out.stdout).trim().to_owned()
            }
        };
        let (Some(uid), Some(gid)) = (id(&["-u", &name]), id(&["-g", &name])) else {
            return Err(Error::User {
                user: name,
                reason: "no such user (pass --user NAME of an unprivileged user)".into(),
            });
        };
        if uid == 0 {
            return Err(Error::User {
                user: name,
                reason:
                    "PostgreSQL refuses to run as root; pass --user NAME of an unprivileged user"
                        .into(),
            });
        }
        if !root && uid != me {
            return Err(Error::User {
                user: name,
                reason: "only root can run servers as another user".into(),
            });
        }
        Ok(RunUser {
            name,
            uid,
            gid,
            switch: root,
        })
    }

    /// A command for `program`, run as this user, with a clean environment
    /// (`PATH`, `HOME` = `home`, `LC_ALL=C.UTF-8`).
    pub fn command(&self, program: impl AsRef<OsStr>, home: &Path) -> Command {
        let mut cmd = if self.switch {
            let mut c = Command::new("setpriv");
            c.arg(format!("--reuid={}", self.uid))
                .arg(format!("--regid={}", self.gid))
                .arg("--init-groups")
                .arg("--")
                .arg(program);
            c
        } else {
            Command::new(program)
        };
        cmd.env_clear()
            .env("PATH", PATH)
            .env("HOME", home)
            .env("LC_ALL", "C.UTF-8")
            .env("LANG", "C.UTF-8")
            .current_dir(home)
            .stdin(Stdio::null());
        cmd
    }

    /// Makes a path this user's.
    ///
    /// # Errors
    ///
    /// [`Error::Io`].
    pub fn own(&self, path: &Path) -> Result<(), Error> {
        if self.switch {
            std::os::unix::fs::chown(path, Some(self.uid), Some(self.gid))
                .map_err(Error::io(format!("chown {}", path.display())))?;
        }
        Ok(())
    }

    /// Creates a directory (and its parents) owned by this user, mode 0700.
    ///
    /// # Errors
    ///
    /// [`Error::Io`].
    pub fn dir(&self, path: &Path) -> Result<(), Error> {
        use std::os::unix::fs::PermissionsExt as _;
        fs::create_dir_all(path).map_err(Error::io(format!("creating {}", path.display())))?;
        fs::set_permissions(path, fs::Permissions::from_mode(0o700))
            .map_err(Error::io(format!("chmod {}", path.display())))?;
        self.own(path)
    }

    /// Writes a file owned by this user with `mode`.
    ///
    /// # Errors
    ///
    /// [`Error::Io`].
    pub fn write(&self, path: &Path, contents: &[u8], mode: u32) -> Result<(), Error> {
        use std::io::Write as _;
        use std::os::unix::fs::OpenOptionsExt as _;
        use std::os::unix::fs::PermissionsExt as _;
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)
                .map_err(Error::io(format!("creating {}", parent.display())))?;
        }
        let tmp = path.with_extension("pgplan-tmp");
        let mut f = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(mode)
            .open(&tmp)
            .map_err(Error::io(format!("writing {}", tmp.display())))?;
        f.write_all(contents)
            .map_err(Error::io(format!("writing {}", tmp.display())))?;
        fs::set_permissions(&tmp, fs::Permissions::from_mode(mode))
            .map_err(Error::io(format!("chmod {}", tmp.display())))?;
        self.own(&tmp)?;
        fs::rename(&tmp, path).map_err(Error::io(format!("writing {}", path.display())))
    }
}

/// A running process the runner started: its PID and its start time (clock
/// ticks after boot, field 22 of `/proc/PID/stat`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Proc {
    /// Process id.
    pub pid: u32,
    /// Start time, to tell the process from a later one with the same PID.
    pub start: u64,
}

/// `(state, start time)` of a process from `/proc/PID/stat`.
fn stat(pid: u32) -> Option<(char, u64)> {
    let text = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name is in parentheses and may hold spaces.
    let rest = &text[text.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split(' ').collect();
    let state = fields.first()?.chars().next()?;
    let start = fields.get(19)?.parse().ok()?;
    Some((state, start))
}

impl Proc {
    /// The process with this PID as it is now.
    pub fn of(pid: u32) -> Option<Proc> {
        let (state, start) = stat(pid)?;
        (state != 'Z' && state != 'X').then_some(Proc { pid, start })
    }
    /// True while this very process runs (not a zombie, not a reused PID).
    pub fn alive(&self) -> bool {
        reap();
        matches!(stat(self.pid), Some((s, start)) if s != 'Z' && s != 'X' && start == self.start)
    }
    /// Sends a signal (`TERM`, `KILL`, `HUP`).
    pub fn signal(&self, signal: &str) {
        if self.alive() {
            let _ = Command::new("kill")
                .arg(format!("-{signal}"))
                .arg(self.pid.to_string())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        }
    }
    /// Waits until the process is gone; false after `timeout`.
    pub fn wait_gone(&self, timeout: Duration) -> bool {
        let end = Instant::now() + timeout;
        while self.alive() {
            if Instant::now() >= end {
                return false;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        true
    }
    /// SIGTERM, then SIGKILL after `grace`; waits until it is gone.
    pub fn stop(&self, grace: Duration) {
        self.signal("TERM");
        if !self.wait_gone(grace) {
            self.signal("KILL");
            self.wait_gone(Duration::from_secs(10));
        }
    }
}

/// Starts a daemon: its own process group (a Ctrl-C meant for pgplan does not
/// reach it), stdin from /dev/null, stdout and stderr appended to `log`.
///
/// # Errors
///
/// [`Error::Io`] when the log cannot be opened or the program not started.
pub fn spawn(mut cmd: Command, log: &Path, what: &str) -> Result<Proc, Error> {
    if let Some(dir) = log.parent() {
        fs::create_dir_all(dir).map_err(Error::io(format!("creating {}", dir.display())))?;
    }
    let out = OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .map_err(Error::io(format!("opening {}", log.display())))?;
    let err = out
        .try_clone()
        .map_err(Error::io(format!("opening {}", log.display())))?;
    cmd.stdout(out).stderr(err).process_group(0);
    let child = cmd.spawn().map_err(Error::io(format!("starting {what}")))?;
    let pid = child.id();
    CHILDREN
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .insert(pid, child);
    // The start time is read once /proc has it (it has it at once).
    let start = stat(pid).map_or(0, |(_, s)| s);
    Ok(Proc { pid, start })
}

/// Runs a command to completion.
///
/// # Errors
///
/// [`Error::Command`] with its output when it fails.
pub fn run(mut cmd: Command, what: &str) -> Result<Output, Error> {
    let out = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .map_err(Error::io(format!("running {what}")))?;
    if out.status.success() {
        Ok(out)
    } else {
        let mut detail = String::from_utf8_lossy(&out.stderr).trim().to_owned();
        let stdout = String::from_utf8_lossy(&out.stdout).trim().to_owned();
        if !stdout.is_empty() {
            if !detail.is_empty() {
                detail.push('\n');
            }
            detail.push_str(&stdout);
        }
        if detail.is_empty() {
            detail = out.status.to_string();
        }
        Err(Error::Command {
            what: what.to_owned(),
            detail,
        })
    }
}

/// The last `lines` lines of a log file.
pub fn tail(path: &Path, lines: usize) -> String {
    let text = fs::read_to_string(path).unwrap_or_default();
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

/// Looks a program up in this process's `PATH` (and the usual system
/// directories).
pub fn find_program(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| is_executable(p))
}

/// True for an executable file.
pub fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt as _;
    fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}
