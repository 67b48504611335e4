//! A PostgreSQL 17 cluster of three Patroni members with a three-member etcd
//! and HAProxy, on this machine's loopback addresses: writes through port
//! 5000 to the primary, reads through 5001 to the replicas, statistics on
//! 8404, postgres_exporter on 9187. Validates the plan (Patroni timing,
//! synchronous replication, replication prerequisites), prints its
//! topology and derived settings, and renders the Patroni, etcd, HAProxy,
//! exporter and docker-compose files `pgplan up` runs it from.
//!
//! Run: `cargo run --example ha_cluster`

use pgplan::prelude::*;

fn plan() -> PlanBuilder {
    let password = |role: &str| secret::env(&format!("PGHA_{}_PASSWORD", role.to_uppercase()));
    Plan::staging("pg-ha")
        .version(17)
        .label("system", "infra")
        .objectives(|o| o.availability(99.9.pct()).rpo(1.minutes()).rto(1.minutes()))
        .local(|l| l)
        .topology(|t| {
            t.patroni("pg-ha", |p| {
                p.member("pg-0", "127.0.0.11")
                    .member("pg-1", "127.0.0.12")
                    .member("pg-2", "127.0.0.13")
                    .etcd("etcd-1", "127.0.0.21")
                    .etcd("etcd-2", "127.0.0.22")
                    .etcd("etcd-3", "127.0.0.23")
                    .synchronous(SynchronousMode::On, 1)
                    .timing(30.seconds(), 10.seconds(), 10.seconds())
                    .maximum_lag_on_failover(1.mib())
                    .rest_api_port(8008)
                    .endpoints_host("127.0.0.10")
                    .endpoints(5000, 5001, 8404)
            })
        })
        .sizing(|s| {
            s.cpu_request(2.cores()).memory_request(4.gib()).data_volume(20.gib()).backup_volume(20.gib())
        })
        .tuning(|t| t.workload(Workload::Oltp).storage(StorageKind::Ssd))
        .database("app", "app_owner", |d| d.estimated_size(2.gib()))
        .role("app_owner", |r| {
            r.owner().password(password("app_owner")).grant([CONNECT, CREATE, TEMPORARY], on::database("app"))
        })
        .role("app_user", |r| r.application().password(password("app_user")).crud_on("app", "public"))
        .role("monitor", |r| r.monitoring().password(password("monitor")).member_of("pg_monitor"))
        .client("app", |c| c.pool_size(10).pods(2, 6).database("app").role("app_user"))
        .backups(|b| {
            b.logical("nightly", "0 1 * * *", 7.days(), |l| l.databases(["app"])).wal_archiving(
                "/var/lib/pgplan/pg-ha/wal-archive",
                7.days(),
                |w| w.archive_timeout(1.minutes()),
            )
        })
        .monitoring(|m| {
            m.exporter(|e| e)
                .connections(above(80).sustained_for(1.minutes()))
                .replication_lag(above(30.seconds()).sustained_for(1.minutes()))
                .slow_query(above(1.seconds()))
        })
        .security(|s| s.tls_optional())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let plan = plan().validate()?;
    plan.ensure_same(&Plan::from_yaml(include_str!("plans/ha-cluster.yaml"))?)?;
    println!("{}", plan.report());
    let cluster = plan.topology.patroni.as_ref().ok_or("the plan has no Patroni cluster")?;
    println!("Patroni scope `{}`: {:?} replication", cluster.scope, cluster.synchronous_mode);
    for m in &cluster.members {
        let host = m.host.as_ref().map_or("-", |h| h.as_str());
        println!("  member {:<6} {host}:5432  REST :{}", m.name, cluster.rest_api_port);
    }
    for e in &cluster.etcd {
        let host = e.host.as_ref().map_or("-", |h| h.as_str());
        println!("  etcd   {:<6} {host}:{} (peer {})", e.name, e.client_port, e.peer_port);
    }
    let ep = &cluster.endpoints;
    println!("  HAProxy: writes :{}, reads :{}, stats :{}", ep.write_port, ep.read_port, ep.stats_port);
    println!("\nsettings:");
    for s in plan.settings().iter() {
        println!("  {:<34} {:<12} {}", s.name, s.value, s.provenance);
    }

    // What `pgplan render --target ha` writes and `pgplan up` runs.
    let layout = pgplan::ha::Layout::new("/var/lib/pgplan/pg-ha-staging", "/usr/lib/postgresql/17/bin");
    let files = pgplan::ha::render_files(&plan, &layout)?;
    println!("\nrendered for this machine ({} files):", files.len());
    for (name, text) in &files {
        println!("  {name:<28} {} lines", text.lines().count());
    }
    let checks = files["haproxy/haproxy.cfg"].lines().filter(|l| l.contains("default-server")).take(1);
    for line in checks {
        println!("  HAProxy checks: {}", line.trim());
    }
    Ok(())
}
