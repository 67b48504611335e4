//! A writer that inserts one row per transaction through HAProxy's write
//! port and records every acknowledged id, and the failover and switchover
//! drills around it. Shared by `tests/cluster.rs` and
//! `examples/bench_failover.rs`.

#![allow(dead_code)]

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use futures::StreamExt as _;
use pgplan_ha::local::http::{self, Auth};
use pgplan_ha::local::{Login, Runner, UpReport};
use tokio::runtime::Runtime;
use tokio_postgres::{AsyncMessage, NoTls};

/// What happened to each write, in order.
#[derive(Debug, Clone)]
pub enum Event {
    /// Acknowledged.
    Ok(Instant),
    /// Failed (connection lost, read-only, …).
    Err(Instant, String),
}

/// The writer's record.
#[derive(Debug, Default)]
pub struct Log {
    /// Acknowledged ids.
    pub acked: Vec<i64>,
    /// Every write's outcome.
    pub events: Vec<Event>,
    /// Commits the server warned were not confirmed by a synchronous standby.
    pub unconfirmed: usize,
}

/// A running writer.
pub struct Writer {
    log: Arc<Mutex<Log>>,
    stop: Arc<Mutex<bool>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

/// `key=value` connection string (sslmode disabled: the seed plan does not
/// require TLS).
pub fn conninfo(host: &str, port: u16, password: &str) -> String {
    format!(
        "host={host} port={port} user=postgres password='{}' dbname=postgres connect_timeout=2 sslmode=disable",
        password.replace('\\', "\\\\").replace('\'', "\\'")
    )
}

/// Runs one statement on a server.
pub async fn exec(
    conninfo: &str,
    sql: &str,
) -> Result<Vec<tokio_postgres::SimpleQueryMessage>, String> {
    let (client, conn) = tokio_postgres::connect(conninfo, NoTls)
        .await
        .map_err(|e| e.to_string())?;
    let handle = tokio::spawn(conn);
    let r = client.simple_query(sql).await.map_err(|e| e.to_string());
    drop(client);
    let _ = handle.await;
    r
}

/// The first column of the first row.
pub async fn one(conninfo: &str, sql: &str) -> Result<String, String> {
    for m in exec(conninfo, sql).await? {
        if let tokio_postgres::SimpleQueryMessage::Row(r) = m {
            return Ok(r.get(0).unwrap_or_default().to_owned());
        }
    }
    Err(format!("no row from {sql}"))
}

impl Writer {
    /// Starts writing to table `failover_test` through `conninfo`.
    pub fn start(rt: &Runtime, conninfo: String) -> Writer {
        let log = Arc::new(Mutex::new(Log::default()));
        let stop = Arc::new(Mutex::new(false));
        let (l, s) = (log.clone(), stop.clone());
        let task = rt.spawn(async move {
            let mut next: i64 = 1;
            'outer: loop {
                if *s.lock().unwrap_or_else(PoisonError::into_inner) {
                    break;
                }
                let (client, mut conn) = match tokio_postgres::connect(&conninfo, NoTls).await {
                    Ok(c) => c,
                    Err(e) => {
                        {
                            l.lock()
                                .unwrap()
                                .events
                                .push(Event::Err(Instant::now(), e.to_string()));
                        }
                        tokio::time::sleep(Duration::from_millis(20)).await;
                        continue;
                    }
                };
                // Notices arrive on the connection: a commit whose wait for the
                // synchronous standby was cancelled is not counted as acknowledged.
                let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<String>();
                let driver = tokio::spawn(async move {
                    let mut messages = futures::stream::poll_fn(move |cx| conn.poll_message(cx));
                    while let Some(m) = messages.next().await {
                        match m {
                            Ok(AsyncMessage::Notice(n)) => {
                                let _ = tx.send(n.message().to_owned());
                            }
                            Ok(_) => {}
                            Err(_) => break,
                        }
                    }
                });
                loop {
                    if *s.lock().unwrap_or_else(PoisonError::into_inner) {
                        break 'outer;
                    }
                    let id = next;
                    next += 1;
                    let r = client
                        .execute("INSERT INTO failover_test(id) VALUES ($1)", &[&id])
                        .await;
                    let mut warned = false;
                    while let Ok(n) = rx.try_recv() {
                        warned |= n.contains("synchronous replication");
                    }
                    let failed = {
                        let mut log = l.lock().unwrap();
                        match r {
                            Ok(_) if warned => {
                                log.unconfirmed += 1;
                                false
                            }
                            Ok(_) => {
                                log.acked.push(id);
                                log.events.push(Event::Ok(Instant::now()));
                                false
                            }
                            Err(e) => {
                                log.events.push(Event::Err(Instant::now(), e.to_string()));
                                true
                            }
                        }
                    };
                    if failed {
                        break;
                    }
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
                drop(client);
                let _ = driver.await;
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        });
        Writer {
            log,
            stop,
            task: Some(task),
        }
    }

    /// The first acknowledged write after the first failure after `t`.
    pub fn first_ok_after_failure(&self, t: Instant) -> Option<Instant> {
        let log = self.log.lock().unwrap();
        let mut failed = false;
        for e in &log.events {
            match e {
                Event::Err(at, _) if *at > t => failed = true,
                Event::Ok(at) if *at > t && failed => return Some(*at),
                _ => {}
            }
        }
        None
    }

    /// Writes acknowledged so far.
    pub fn acked(&self) -> usize {
        self.log.lock().unwrap().acked.len()
    }

    /// Stops the writer and returns its log.
    pub fn stop(mut self, rt: &Runtime) -> Log {
        *self.stop.lock().unwrap() = true;
        if let Some(t) = self.task.take() {
            let _ = rt.block_on(t);
        }
        std::mem::take(&mut *self.log.lock().unwrap())
    }
}

/// Waits until `f` is true; false after `timeout`.
pub fn wait_until(timeout: Duration, mut f: impl FnMut() -> bool) -> bool {
    let end = Instant::now() + timeout;
    loop {
        if f() {
            return true;
        }
        if Instant::now() >= end {
            return false;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// `kill -KILL` of the leader's Patroni and postmaster; returns the leader.
pub fn kill_leader(runner: &Runner) -> String {
    let leader = runner.leader().expect("a leader");
    let patroni = runner.pid(&leader).expect("the leader's Patroni runs");
    let postmaster = runner
        .postmaster_pid(&leader)
        .expect("the leader's postmaster runs");
    let status = std::process::Command::new("kill")
        .args(["-KILL", &patroni.to_string(), &postmaster.to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    leader
}

/// A planned switchover through Patroni's REST API to `candidate`.
pub fn switchover(
    report: &UpReport,
    rest_url: &str,
    leader: &str,
    candidate: &str,
) -> Result<String, String> {
    let password = report
        .passwords
        .get(&Login::RestApi)
        .expect("the REST API password");
    let auth = Auth {
        user: "pgplan",
        password: password.expose(),
    };
    let body = format!("{{\"leader\": \"{leader}\", \"candidate\": \"{candidate}\"}}");
    let r = http::request(
        "POST",
        &format!("{rest_url}/switchover"),
        Some(&body),
        Some(&auth),
        Duration::from_secs(60),
    )?;
    if r.status == 200 {
        Ok(r.body)
    } else {
        Err(format!("{}: {}", r.status, r.body))
    }
}

/// Acknowledged ids missing on a server.
pub fn missing(rt: &Runtime, conninfo: &str, acked: &[i64]) -> Result<usize, String> {
    let rows = rt.block_on(exec(conninfo, "SELECT id FROM failover_test"))?;
    let have: BTreeSet<i64> = rows
        .iter()
        .filter_map(|m| match m {
            tokio_postgres::SimpleQueryMessage::Row(r) => r.get(0).and_then(|v| v.parse().ok()),
            _ => None,
        })
        .collect();
    Ok(acked.iter().filter(|id| !have.contains(id)).count())
}
