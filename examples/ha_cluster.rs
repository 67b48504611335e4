//! Seed 003: a PostgreSQL 17 cluster of three Patroni members with a
//! three-member etcd and HAProxy, on this machine's loopback addresses.
//! Validates the plan (Patroni timing, synchronous replication, replication
//! prerequisites) and prints the topology and the derived settings.
//!
//! Run: `cargo run --example ha_cluster`

use pgplan::*;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let plan = Plan::from_yaml(include_str!("plans/ha-cluster.yaml"))?;
    let report = plan.report();
    for d in report.diagnostics() {
        println!("{d}");
    }
    if report.has_errors() {
        return Err("the HA plan has errors".into());
    }
    let Some(cluster) = &plan.topology.patroni else {
        return Err("the plan has no Patroni cluster".into());
    };
    println!(
        "Patroni scope `{}`: {:?} replication",
        cluster.scope, cluster.synchronous_mode
    );
    for m in &cluster.members {
        println!(
            "  member {:<6} {}:5432  REST :{}",
            m.name,
            m.host.as_deref().unwrap_or("-"),
            cluster.rest_api_port
        );
    }
    for e in &cluster.etcd {
        println!(
            "  etcd   {:<6} {}:{} (peer {})",
            e.name,
            e.host.as_deref().unwrap_or("-"),
            e.client_port,
            e.peer_port
        );
    }
    let ep = cluster.endpoints;
    println!(
        "  HAProxy: writes :{}, reads :{}, stats :{}",
        ep.write_port, ep.read_port, ep.stats_port
    );
    println!(
        "  timing: ttl {} ≥ loop_wait {} + 2 × retry_timeout {}",
        cluster.ttl, cluster.loop_wait, cluster.retry_timeout
    );
    {
        let settings = plan.settings();
        println!("\nsettings:");
        for s in settings.iter() {
            println!("  {:<34} {:<12} {}", s.name, s.value, s.provenance);
        }
    }
    Ok(())
}
