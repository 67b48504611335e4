//! Seed 003 on this machine, for real: three Patroni members on Debian's
//! PostgreSQL 15 (the PostgreSQL 17 binaries here lack pg_basebackup,
//! pg_rewind, pg_controldata and pg_isready, which Patroni needs), three etcd
//! members, HAProxy and three exporters, all as the unprivileged test user
//! from the rendered configurations, with the seed's own timing (ttl 30 s,
//! loop_wait 10 s, retry_timeout 10 s, synchronous replication).
//!
//! One cluster serves every check, in order — up, up again, reads, a
//! failover under writes, a switchover under writes, a lagging replica, a
//! changed plan, down — because each start costs ~20 s; a guard stops and
//! removes everything however the test ends.

mod support;

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use pgplan_ha::local::http::{self, Auth};
use pgplan_ha::local::{Login, Options, Runner};
use support::failover::{self, Writer, conninfo, exec, one, wait_until};
use support::*;

/// Stops and removes the cluster when the test ends, passing or not.
struct Teardown {
    runner: Runner,
}

impl Drop for Teardown {
    fn drop(&mut self) {
        match self.runner.down(true) {
            Ok(r) => eprintln!("teardown: {}", r.to_string().replace('\n', "; ")),
            Err(e) => eprintln!("teardown failed: {e}"),
        }
    }
}

fn phase(t0: Instant, what: &str) {
    eprintln!("[{:>6.1}s] {what}", t0.elapsed().as_secs_f64());
}

fn haproxy_servers(backend: &str) -> Vec<String> {
    let r = http::get("http://127.0.0.10:8404/stats;csv").expect("HAProxy statistics");
    r.body
        .lines()
        .map(|l| l.split(',').collect::<Vec<_>>())
        .filter(|f| {
            f.len() > 17 && f[0] == backend && f[17].starts_with("UP") && f[1].starts_with("pg-")
        })
        .map(|f| f[1].to_owned())
        .collect()
}

#[test]
fn seed_003_cluster_on_this_machine() {
    let t0 = Instant::now();
    let run_dir = PathBuf::from(format!("/tmp/pgplan-ha-cluster-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&run_dir);
    let text = seed_15_for_tests(&run_dir.join("wal-archive"));
    let plan = valid(&text);
    let options = Options {
        run_dir: Some(run_dir.clone()),
        user: test_user(),
        quiet: true,
        keep_cluster_settings: false,
    };
    let guard = Teardown {
        runner: Runner::new(&plan, &options).unwrap(),
    };
    let runner = &guard.runner;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();

    // --- up: a leader, two streaming replicas, a synchronous standby.
    let report = runner.up().unwrap_or_else(|e| panic!("up: {e}"));
    phase(t0, "up");
    assert_eq!(report.started.len(), 3 + 3 + 1 + 3, "{report}");
    let status = runner.status().unwrap();
    let roles: Vec<&str> = status.servers.iter().map(|s| s.role.as_str()).collect();
    assert_eq!(
        roles.iter().filter(|r| **r == "leader").count(),
        1,
        "{status}"
    );
    assert_eq!(
        roles.iter().filter(|r| **r == "sync_standby").count(),
        1,
        "{status}"
    );
    assert!(status.etcd.iter().all(|e| e.healthy), "{status}");
    let json = serde_json::to_value(&status).unwrap();
    assert_eq!(json["haproxy"]["write"], "127.0.0.10:5000");
    assert_eq!(
        json["servers"][0]["exporter"],
        "http://127.0.0.11:9187/metrics"
    );
    // Passwords: generated, kept 0600, never in a rendered file.
    let secrets = run_dir.join("secrets/passwords.json");
    use std::os::unix::fs::PermissionsExt as _;
    assert_eq!(
        std::fs::metadata(&secrets).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let superuser = report
        .passwords
        .get(&Login::Superuser)
        .unwrap()
        .expose()
        .to_owned();
    for entry in walk(&run_dir.join("config")) {
        let text = std::fs::read_to_string(&entry).unwrap();
        assert!(
            !text.contains(&superuser),
            "{} holds the superuser password",
            entry.display()
        );
    }
    let write = conninfo("127.0.0.10", 5000, &superuser);
    let read = conninfo("127.0.0.10", 5001, &superuser);
    assert_eq!(
        rt.block_on(one(&write, "SELECT pg_is_in_recovery()"))
            .unwrap(),
        "f"
    );
    // initdb ran with page checksums (platform.local.data_checksums is on),
    // and Patroni's effective configuration has the plan's use_pg_rewind.
    assert_eq!(
        rt.block_on(one(&write, "SHOW data_checksums")).unwrap(),
        "on"
    );
    let any_rest = status.servers[0].rest_api.clone().unwrap();
    let config: serde_json::Value =
        serde_json::from_str(&http::get(&format!("{any_rest}/config")).unwrap().body).unwrap();
    assert_eq!(config["postgresql"]["use_pg_rewind"], true, "{config}");
    // The exporters' login (the SQL backend creates it under `pgplan up`;
    // here the test does, with the password the runner generated).
    let monitor = report
        .passwords
        .role("monitor")
        .unwrap()
        .expose()
        .replace('\'', "''");
    rt.block_on(exec(
        &write,
        &format!("CREATE ROLE monitor LOGIN PASSWORD '{monitor}' IN ROLE pg_monitor"),
    ))
    .unwrap();
    assert!(
        wait_until(Duration::from_secs(30), || runner.status().is_ok_and(|s| s
            .servers
            .iter()
            .all(|m| m.exporter_pg_up == Some(true)))),
        "{}",
        runner.status().unwrap()
    );
    phase(t0, "exporters pg_up 1");

    // --- up again: nothing to do.
    let again = runner.up().unwrap();
    assert!(again.is_noop(), "{again}");
    phase(t0, "up twice is a no-op");

    // --- reads go to replicas only.
    let leader = runner.leader().unwrap();
    let replicas: BTreeSet<String> = status
        .servers
        .iter()
        .filter(|s| s.name != leader)
        .map(|s| s.postgres.split(':').next().unwrap().to_owned())
        .collect();
    let mut seen = BTreeSet::new();
    for _ in 0..6 {
        let row = rt
            .block_on(one(
                &read,
                "SELECT pg_is_in_recovery()::text || ' ' || host(inet_server_addr())",
            ))
            .unwrap();
        let (recovery, addr) = row.split_once(' ').unwrap();
        assert_eq!(recovery, "true", "a read landed on the leader");
        assert!(replicas.contains(addr), "{addr} is not a replica");
        seen.insert(addr.to_owned());
    }
    assert_eq!(seen.len(), 2, "round robin over both replicas: {seen:?}");
    phase(t0, "reads only on replicas");

    // --- failover: kill -9 the leader's Patroni and postmaster while writing.
    rt.block_on(exec(
        &write,
        "CREATE TABLE failover_test(id bigint PRIMARY KEY)",
    ))
    .unwrap();
    let writer = Writer::start(&rt, write.clone());
    assert!(wait_until(Duration::from_secs(10), || writer.acked() > 100));
    let killed_at = Instant::now();
    let old = failover::kill_leader(runner);
    assert!(
        wait_until(Duration::from_secs(90), || writer
            .first_ok_after_failure(killed_at)
            .is_some()),
        "no write succeeded within 90 s of the kill"
    );
    let downtime = writer.first_ok_after_failure(killed_at).unwrap() - killed_at;
    let new = runner.leader().unwrap();
    assert_ne!(new, old);
    phase(
        t0,
        &format!(
            "failover {old} -> {new}: first write {:.2} s after the kill",
            downtime.as_secs_f64()
        ),
    );
    // Patroni's timing bounds it: the key expires ttl - loop_wait .. ttl after
    // the last refresh, HAProxy then needs ~1 downinter.
    assert!(downtime < Duration::from_secs(30 + 10), "{downtime:?}");
    // The old leader comes back as a replica by itself once its Patroni runs:
    // `up` starts what does not run and waits for the planned standbys.
    let rejoin = runner.up().unwrap();
    assert_eq!(rejoin.started.len(), 1, "{rejoin}");
    let rejoin_log = std::fs::read_to_string(run_dir.join(format!("log/{old}.log"))).unwrap();
    phase(
        t0,
        &format!(
            "{old} rejoined as a replica{}",
            if rejoin_log.contains("running pg_rewind") {
                " (pg_rewind)"
            } else {
                ""
            }
        ),
    );
    let log = writer.stop(&rt);
    assert_eq!(log.unconfirmed, 0);
    for m in runner.status().unwrap().servers {
        let addr = m.postgres.split(':').next().unwrap().to_owned();
        let member = conninfo(&addr, 5432, &superuser);
        assert!(
            wait_until(Duration::from_secs(30), || failover::missing(
                &rt, &member, &log.acked
            ) == Ok(0)),
            "{}: {:?} of {} acknowledged writes missing after the failover",
            m.name,
            failover::missing(&rt, &member, &log.acked),
            log.acked.len()
        );
    }
    phase(
        t0,
        &format!(
            "no acknowledged write lost ({} acknowledged)",
            log.acked.len()
        ),
    );

    // --- switchover through the REST API, under writes.
    rt.block_on(exec(&write, "TRUNCATE failover_test")).unwrap();
    let status = runner.status().unwrap();
    let leader = status.leader().unwrap().to_owned();
    let candidate = status
        .servers
        .iter()
        .find(|s| s.role == "sync_standby")
        .map(|s| s.name.clone())
        .unwrap();
    let rest = status
        .servers
        .iter()
        .find(|s| s.name == leader)
        .unwrap()
        .rest_api
        .clone()
        .unwrap();
    let writer = Writer::start(&rt, write.clone());
    assert!(wait_until(Duration::from_secs(10), || writer.acked() > 100));
    let at = Instant::now();
    failover::switchover(&report, &rest, &leader, &candidate).unwrap();
    assert!(wait_until(Duration::from_secs(60), || writer
        .first_ok_after_failure(at)
        .is_some()
        || (at.elapsed() > Duration::from_secs(5)
            && runner.leader().as_deref() == Some(candidate.as_str()))));
    assert!(wait_until(Duration::from_secs(120), || runner
        .up()
        .is_ok_and(|r| r.is_noop())));
    assert_eq!(runner.leader().as_deref(), Some(candidate.as_str()));
    let log = writer.stop(&rt);
    for m in runner.status().unwrap().servers {
        let addr = m.postgres.split(':').next().unwrap().to_owned();
        let member = conninfo(&addr, 5432, &superuser);
        assert!(
            wait_until(Duration::from_secs(30), || failover::missing(
                &rt, &member, &log.acked
            ) == Ok(0)),
            "{}: acknowledged writes missing after the switchover",
            m.name
        );
    }
    phase(
        t0,
        &format!(
            "switchover {leader} -> {candidate}: {} acknowledged, none lost",
            log.acked.len()
        ),
    );

    // --- a replica beyond the lag limit leaves the read port.
    let rest_password = report
        .passwords
        .get(&Login::RestApi)
        .unwrap()
        .expose()
        .to_owned();
    let auth = Auth {
        user: "pgplan",
        password: &rest_password,
    };
    let status = runner.status().unwrap();
    let lagging = status
        .servers
        .iter()
        .find(|s| s.role == "replica")
        .unwrap()
        .clone();
    let other = status
        .servers
        .iter()
        .find(|s| s.role == "sync_standby")
        .unwrap()
        .postgres
        .split(':')
        .next()
        .unwrap()
        .to_owned();
    let lag_conn = conninfo(
        lagging.postgres.split(':').next().unwrap(),
        5432,
        &superuser,
    );
    // Patroni resumes paused replay every loop unless the cluster is paused.
    let leader_rest = status
        .servers
        .iter()
        .find(|s| s.role == "leader")
        .unwrap()
        .rest_api
        .clone()
        .unwrap();
    http::call(
        "PATCH",
        &format!("{leader_rest}/config"),
        Some("{\"pause\": true}"),
        Some(&auth),
        Duration::from_secs(10),
    )
    .unwrap();
    rt.block_on(exec(&lag_conn, "SELECT pg_wal_replay_pause()"))
        .unwrap();
    rt.block_on(exec(
        &write,
        "CREATE TABLE lag_fill AS SELECT repeat('x', 1000) FROM generate_series(1, 8000)",
    ))
    .unwrap();
    let out = wait_until(Duration::from_secs(60), || {
        !haproxy_servers("pg_read").contains(&lagging.name)
    });
    assert!(
        out,
        "{} stayed in the read port beyond the lag limit",
        lagging.name
    );
    phase(
        t0,
        &format!(
            "{} (replay paused, ~8 MB behind) left the read port",
            lagging.name
        ),
    );
    for _ in 0..4 {
        let addr = rt
            .block_on(one(&read, "SELECT host(inet_server_addr())"))
            .unwrap();
        assert_eq!(addr, other, "a read reached the lagging replica");
    }
    rt.block_on(exec(&lag_conn, "SELECT pg_wal_replay_resume()"))
        .unwrap();
    http::call(
        "PATCH",
        &format!("{leader_rest}/config"),
        Some("{\"pause\": false}"),
        Some(&auth),
        Duration::from_secs(10),
    )
    .unwrap();
    assert!(wait_until(Duration::from_secs(60), || haproxy_servers(
        "pg_read"
    )
    .contains(&lagging.name)));
    rt.block_on(exec(&write, "DROP TABLE lag_fill")).unwrap();
    phase(t0, "caught up and back in the read port");

    // --- a changed plan: a parameter every member shares that needs a
    // restart, and one of each member's that a reload applies.
    let changed_text = text.replace(
        "tuning:\n  workload: oltp\n  storage: ssd\n",
        "tuning:\n  workload: oltp\n  storage: ssd\n  parameters:\n    max_connections: 150\n    log_min_duration_statement: 2s\n",
    );
    let changed = Runner::new(&valid(&changed_text), &options).unwrap();
    let reconciled = changed.up().unwrap();
    let summary = reconciled.to_string();
    assert!(summary.contains("PATCH /config"), "{summary}");
    assert_eq!(
        reconciled
            .changed
            .iter()
            .filter(|c| c.starts_with("restarted PostgreSQL"))
            .count(),
        3,
        "{summary}"
    );
    for m in changed.status().unwrap().servers {
        let addr = m.postgres.split(':').next().unwrap().to_owned();
        let c = conninfo(&addr, 5432, &superuser);
        assert_eq!(
            rt.block_on(one(&c, "SHOW max_connections")).unwrap(),
            "150",
            "{}",
            m.name
        );
        assert_eq!(
            rt.block_on(one(&c, "SHOW log_min_duration_statement"))
                .unwrap(),
            "2s",
            "{}",
            m.name
        );
    }
    assert!(changed.up().unwrap().is_noop());
    phase(
        t0,
        "a changed plan converged (PATCH /config, reload, restarts); up again is a no-op",
    );

    // --- down: everything stops, the data stays.
    let down = changed.down(false).unwrap();
    assert_eq!(down.stopped.len(), 10, "{down}");
    assert!(
        runner
            .status()
            .unwrap()
            .servers
            .iter()
            .all(|s| s.role == "down")
    );
    for port in [5000, 5001, 8404] {
        assert!(std::net::TcpListener::bind(("127.0.0.10", port)).is_ok());
    }
    assert!(run_dir.join("data/pg-0/PG_VERSION").is_file());
    phase(t0, "down");
    drop(guard);
    assert!(!run_dir.exists());
}

fn walk(dir: &std::path::Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}
