//! Failover benchmark: N leader crashes in a row on seed 003's Patroni
//! cluster, started on this machine by the local runner, while a writer
//! inserts one row per transaction through HAProxy's write port. Each crash
//! is `kill -9` of the leader's Patroni and postmaster; the time to the first
//! acknowledged write after the crash is measured; the crashed member is
//! started again (it rejoins by itself, rewound) before the next crash; at
//! the end every acknowledged write is looked for on every member.
//!
//! Run (as root; servers run as `pgplan-test`, Debian's PostgreSQL 15):
//!
//! ```text
//! cargo run --release -p pgplan-ha --features local --example bench_failover -- \
//!     [--kills 5] [--timing TTL/LOOP_WAIT/RETRY_TIMEOUT] [--patch-dcs TTL/LOOP_WAIT/RETRY_TIMEOUT]
//! ```
//!
//! `--timing` writes the timing into the plan (it must pass validation, rule
//! PGP008); without it the seed's own (30/10/10) is used. `--patch-dcs`
//! changes the running cluster's timing through Patroni's REST API after
//! `up`, bypassing validation: it measures timings the rules refuse, to show
//! where the floor is. Prints one line per crash and a summary row for the
//! README's table.

#[path = "../tests/support/failover.rs"]
mod failover;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use failover::{Writer, conninfo, exec, wait_until};
use pgplan_core::Plan;
use pgplan_ha::local::http::{self, Auth};
use pgplan_ha::local::{Login, Options, Runner};

struct Teardown(Runner);

impl Drop for Teardown {
    fn drop(&mut self) {
        if let Err(e) = self.0.down(true) {
            eprintln!("teardown failed: {e}");
        }
    }
}

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

fn timing(text: &str) -> Result<(u64, u64, u64), String> {
    let parts: Vec<u64> = text
        .split('/')
        .map(|p| {
            p.parse()
                .map_err(|_| format!("not a timing: {text} (TTL/LOOP_WAIT/RETRY_TIMEOUT)"))
        })
        .collect::<Result<_, _>>()?;
    match parts[..] {
        [a, b, c] => Ok((a, b, c)),
        _ => Err(format!(
            "not a timing: {text} (TTL/LOOP_WAIT/RETRY_TIMEOUT)"
        )),
    }
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n.is_multiple_of(2) {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    } else {
        v[n / 2]
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let kills: usize = arg(&args, "--kills").map_or(Ok(5), |k| k.parse())?;
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let run_dir = PathBuf::from(format!("/tmp/pgplan-bench-failover-{}", std::process::id()));
    let mut text = std::fs::read_to_string(root.join("examples/plans/ha-cluster.yaml"))?
        .replace("\nversion: 17\n", "\nversion: 15\n")
        .replace(
            "password: { env: { var: PGHA_MONITOR_PASSWORD } }",
            "password: { generated: {} }",
        )
        .replace(
            "destination: /var/lib/pgplan/pg-ha/wal-archive",
            &format!("destination: {}", run_dir.join("wal-archive").display()),
        );
    if let Some(t) = arg(&args, "--timing") {
        let (ttl, lw, rt) = timing(&t)?;
        text = text
            .replace("ttl: 30s", &format!("ttl: {ttl}s"))
            .replace("loop_wait: 10s", &format!("loop_wait: {lw}s"))
            .replace("retry_timeout: 10s", &format!("retry_timeout: {rt}s"));
    }
    let plan = Plan::from_yaml(&text)?.validate()?;
    let p = plan.topology.patroni.as_ref().ok_or("no Patroni cluster")?;
    let mut label = format!(
        "plan {}/{}/{}",
        p.ttl.as_secs(),
        p.loop_wait.as_secs(),
        p.retry_timeout.as_secs()
    );
    let root_user = std::fs::read_to_string("/proc/self/status")?
        .lines()
        .any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(1) == Some("0"));
    let runner = Runner::new(
        &plan,
        &Options {
            run_dir: Some(run_dir),
            user: root_user.then(|| "pgplan-test".to_owned()),
            quiet: true,
            // With --patch-dcs, `up` (which restarts the crashed member) must
            // not set the plan's timing back.
            keep_cluster_settings: arg(&args, "--patch-dcs").is_some(),
        },
    )?;
    let guard = Teardown(runner);
    let runner = &guard.0;
    let t0 = Instant::now();
    let report = runner.up()?;
    eprintln!("cluster up in {:.1} s", t0.elapsed().as_secs_f64());
    if let Some(t) = arg(&args, "--patch-dcs") {
        let (ttl, lw, rt) = timing(&t)?;
        let leader = runner.status()?;
        let rest = leader
            .servers
            .iter()
            .find(|s| s.role == "leader")
            .and_then(|s| s.rest_api.clone())
            .ok_or("no leader")?;
        let password = report
            .passwords
            .get(&Login::RestApi)
            .ok_or("no REST API password")?;
        let auth = Auth {
            user: "pgplan",
            password: password.expose(),
        };
        http::call(
            "PATCH",
            &format!("{rest}/config"),
            Some(&format!(
                "{{\"ttl\": {ttl}, \"loop_wait\": {lw}, \"retry_timeout\": {rt}}}"
            )),
            Some(&auth),
            Duration::from_secs(10),
        )?;
        label = format!(
            "{ttl}/{lw}/{rt} through PATCH /config (the plan: {label}; not a plan PGP008 accepts)"
        );
        std::thread::sleep(Duration::from_secs(p.loop_wait.as_secs() + 2));
    }
    let loop_wait_s = match arg(&args, "--patch-dcs") {
        Some(t) => timing(&t)?.1,
        None => p.loop_wait.as_secs(),
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let superuser = report
        .passwords
        .get(&Login::Superuser)
        .ok_or("no superuser password")?
        .expose()
        .to_owned();
    let write = conninfo("127.0.0.10", 5000, &superuser);
    rt.block_on(exec(
        &write,
        "CREATE TABLE failover_test(id bigint PRIMARY KEY)",
    ))?;
    let writer = Writer::start(&rt, write);
    let mut downtimes = Vec::new();
    for i in 1..=kills {
        // Every member back and a synchronous standby named before a crash:
        // in synchronous mode only that standby may be promoted.
        let ready = runner.up()?;
        if !ready.is_noop() {
            return Err(format!("the cluster changed before crash {i}: {ready}").into());
        }
        // The leader refreshes its key once per loop_wait, and the run-up to
        // a crash (a member rejoining) wakes its loop: spread the crashes
        // over the loop so they do not all land at one phase of it.
        let loop_ms = loop_wait_s.max(1) * 1000;
        let phase_ms = (i as u64 * loop_ms * 37 / 100) % loop_ms;
        std::thread::sleep(Duration::from_millis(3000 + phase_ms));
        let at = Instant::now();
        let old = failover::kill_leader(runner);
        if !wait_until(Duration::from_secs(120), || {
            writer.first_ok_after_failure(at).is_some()
        }) {
            return Err(format!("crash {i}: no write succeeded within 120 s").into());
        }
        let downtime = (writer.first_ok_after_failure(at).ok_or("no write")? - at).as_secs_f64();
        let new = runner.leader().unwrap_or_default();
        let r = Instant::now();
        runner.up()?;
        let rejoin = r.elapsed().as_secs_f64();
        println!(
            "crash {i}: leader {old} killed, {new} took over, first write after {downtime:.2} s; {old} rejoined {rejoin:.1} s after its restart"
        );
        downtimes.push(downtime);
    }
    std::thread::sleep(Duration::from_secs(2));
    let log = writer.stop(&rt);
    let mut lost = 0;
    for m in runner.status()?.servers {
        let addr = m.postgres.split(':').next().unwrap_or_default().to_owned();
        let member = conninfo(&addr, 5432, &superuser);
        let mut missing = usize::MAX;
        wait_until(Duration::from_secs(30), || {
            missing = failover::missing(&rt, &member, &log.acked).unwrap_or(usize::MAX);
            missing == 0
        });
        lost = lost.max(missing);
    }
    let shown: Vec<String> = downtimes.iter().map(|d| format!("{d:.2}")).collect();
    let worst = downtimes.iter().copied().fold(0.0, f64::max);
    let med = median(&mut downtimes);
    println!(
        "| {label} | {kills} | {} | **{med:.2} s** | **{worst:.2} s** | {} | {lost} | {} |",
        shown.join(", "),
        log.acked.len(),
        log.unconfirmed
    );
    drop(guard);
    Ok(())
}
