//! Reading a postgresql.conf the way the server does, without a server.

use std::fs;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::{PgServer, TestkitError, chown_to_user, io_error, run_checked};

impl PgServer {
    /// How the server binary reads a configuration file: writes `conf` as
    /// the postgresql.conf of a scratch directory and returns what
    /// `postgres -C NAME` prints for each name (without the trailing line
    /// break) — the server's own reading of the file, without starting a
    /// server.
    ///
    /// # Errors
    ///
    /// [`TestkitError::CommandFailed`] when the server refuses the file (a
    /// syntax error, an unknown or invalid setting), with its message.
    pub fn read_config(&self, conf: &str, names: &[&str]) -> Result<Vec<String>, TestkitError> {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir = self.base_dir.join(format!("conf-{n}"));
        fs::create_dir_all(&dir).map_err(io_error(format!("creating {}", dir.display())))?;
        let file = dir.join("postgresql.conf");
        fs::write(&file, conf).map_err(io_error(format!("writing {}", file.display())))?;
        if let Some(user) = self.run_as {
            chown_to_user(&dir, user)?;
        }
        let mut values = Vec::with_capacity(names.len());
        let mut result = Ok(());
        for name in names {
            let mut cmd = self.pg_command("postgres");
            cmd.arg("-D").arg(&dir).arg("-C").arg(name);
            match run_checked(&mut cmd) {
                Ok(out) => {
                    let mut v = String::from_utf8_lossy(&out.stdout).into_owned();
                    if v.ends_with('\n') {
                        v.pop();
                    }
                    values.push(v);
                }
                Err(e) => {
                    result = Err(e);
                    break;
                }
            }
        }
        let _ = fs::remove_dir_all(&dir);
        result.map(|()| values)
    }
}
