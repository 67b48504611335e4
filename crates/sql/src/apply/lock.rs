//! Applies to one server take turns: each holds a session-level advisory
//! lock for its whole run, so a second apply waits (saying who it waits
//! for), then reads the server afresh and finds nothing left to do.
//!
//! Advisory locks belong to a database; pgplan takes it in the database the
//! DSN names (the maintenance database), which every apply of a plan to
//! that server connects to first.

use std::time::{Duration, Instant};

use tokio_postgres::Client;

use super::session::error_text;
use crate::error::Error;

/// The advisory lock key: "pgplan" in ASCII.
pub const LOCK_KEY: i64 = 0x7067_706c_616e;

/// Who holds the lock, for messages.
async fn holder(client: &Client) -> String {
    let query = "SELECT a.pid, a.usename, a.application_name, a.client_addr::text, \
                 to_char(a.backend_start, 'YYYY-MM-DD HH24:MI:SS TZ') \
                 FROM pg_catalog.pg_locks AS l JOIN pg_catalog.pg_stat_activity AS a ON a.pid = l.pid \
                 WHERE l.locktype = 'advisory' AND l.granted AND l.classid = $1 AND l.objid = $2 AND l.objsubid = 1";
    let classid = (LOCK_KEY >> 32) as u32;
    let objid = (LOCK_KEY & 0xffff_ffff) as u32;
    match client.query_opt(query, &[&classid, &objid]).await {
        Ok(Some(row)) => {
            let pid: i32 = row.get(0);
            let user: Option<String> = row.get(1);
            let app: Option<String> = row.get(2);
            let addr: Option<String> = row.get(3);
            let since: Option<String> = row.get(4);
            format!(
                "server process {pid} (user {}, application `{}`, from {}, connected since {})",
                user.as_deref().unwrap_or("?"),
                app.as_deref().unwrap_or(""),
                addr.as_deref().unwrap_or("the local socket"),
                since.as_deref().unwrap_or("?")
            )
        }
        Ok(None) => "a session that just let go of it".into(),
        Err(e) => format!("a session pgplan cannot see ({})", error_text(&e)),
    }
}

/// Takes the lock, waiting up to `timeout` while another apply holds it;
/// `on_wait` is told once who holds it.
pub(super) async fn acquire(
    client: &Client,
    server: &str,
    timeout: Duration,
    on_wait: Option<&(dyn Fn(&str) + Send + Sync)>,
) -> Result<(), Error> {
    let start = Instant::now();
    let mut told = false;
    loop {
        let got: bool = client
            .query_one("SELECT pg_catalog.pg_try_advisory_lock($1)", &[&LOCK_KEY])
            .await
            .map_err(|e| Error::Inspect {
                what: "the apply lock (pg_try_advisory_lock)".into(),
                server: server.to_owned(),
                message: error_text(&e),
            })?
            .get(0);
        if got {
            return Ok(());
        }
        let who = holder(client).await;
        if start.elapsed() >= timeout {
            return Err(Error::Locked {
                server: server.to_owned(),
                holder: who,
                waited_secs: start.elapsed().as_secs(),
            });
        }
        if !told {
            told = true;
            if let Some(f) = on_wait {
                f(&format!(
                    "another pgplan apply to {server} is running, held by {who}; waiting up to {}s for it to finish",
                    timeout.as_secs()
                ));
            }
        }
        tokio::time::sleep(Duration::from_millis(250).min(timeout)).await;
    }
}

/// Lets go of the lock (closing the connection would too).
pub(super) async fn release(client: &Client) {
    let _ = client
        .query_one("SELECT pg_catalog.pg_advisory_unlock($1)", &[&LOCK_KEY])
        .await;
}
