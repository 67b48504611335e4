//! `haproxy/haproxy.cfg`: a write port routed to the Patroni leader and a
//! read port to the replicas, chosen by Patroni's REST API, and a statistics
//! page with HAProxy's Prometheus endpoint.
//!
//! The checks send `OPTIONS` rather than `GET`: HAProxy closes the check
//! connection as soon as it has the status line, and Patroni, still writing
//! the JSON body of a GET, logs a traceback each time; it answers OPTIONS
//! with the status line only (and still reads `?lag=`). `?lag=` is written in
//! bytes: Patroni reads an unparsable value (`1mb`) as "no limit".

use std::fmt::Write as _;
use std::path::Path;

use pgplan_core::ValidPlan;

use crate::Error;
use crate::cluster::Cluster;
use crate::escape;

/// Where the rendered HAProxy runs.
#[derive(Debug, Clone, Copy)]
pub enum Placement<'a> {
    /// On this machine: binds the plan's HAProxy address, reaches members on
    /// their loopback addresses, keeps its admin socket at this path.
    Local {
        /// HAProxy's admin socket.
        socket: &'a Path,
    },
    /// In the docker-compose file's network: binds every address of its
    /// container, reaches members by service name.
    Compose,
}

fn word(s: &str, path: &str) -> Result<String, Error> {
    escape::haproxy(s).ok_or_else(|| Error::Unrenderable {
        path: path.to_owned(),
        message: format!("`{}` cannot be written to haproxy.cfg", escape::one_line(s)),
    })
}

fn ms(n: u64) -> String {
    if n.is_multiple_of(1000) {
        format!("{}s", n / 1000)
    } else {
        format!("{n}ms")
    }
}

/// The configuration.
///
/// # Errors
///
/// [`Error::Unrenderable`] for a name HAProxy cannot carry (validated plans
/// have none).
pub fn render(
    plan: &ValidPlan,
    cluster: &Cluster,
    placement: Placement<'_>,
) -> Result<String, Error> {
    let r = cluster.router;
    let c = cluster.checks;
    let bind = |port: u16| match placement {
        Placement::Local { .. } => format!("{}:{port}", r.ip),
        Placement::Compose => format!(":{port}"),
    };
    let max_connections = plan
        .settings()
        .lookup("max_connections")
        .and_then(|s| s.value.parse::<u64>().ok())
        .unwrap_or(100);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# HAProxy in front of Patroni cluster {} ({} {}): writes on {} go to the leader,\n# reads on {} to the replicas; statistics and /metrics on {}.",
        escape::one_line(&cluster.scope),
        plan.service,
        plan.environment,
        r.write_port,
        r.read_port,
        r.stats_port
    );
    out.push_str("# Rendered by pgplan; the comment above a value says why it has that value.\n");
    out.push_str(
        "# Check: haproxy -c -f haproxy.cfg   Run: haproxy -f haproxy.cfg (foreground)\n\n",
    );
    out.push_str("global\n");
    let _ = writeln!(
        out,
        "    # each port carries at most max_connections ({max_connections}) sessions to a server: both together"
    );
    let _ = writeln!(out, "    maxconn {}", max_connections * 2 + 16);
    if let Placement::Local { socket } = placement {
        let _ = writeln!(
            out,
            "    stats socket {} mode 600 level admin",
            word(&socket.display().to_string(), "run directory")?
        );
    }
    out.push_str("    log stderr format short local0 notice\n\n");
    if let Placement::Compose = placement {
        out.push_str("# Docker's embedded DNS: members are reached by service name, resolved again when a container restarts\n");
        out.push_str("resolvers docker\n    nameserver dns 127.0.0.11:53\n    hold valid 10s\n\n");
    }
    out.push_str("defaults\n    log global\n    mode tcp\n    option tcplog\n    retries 2\n");
    out.push_str("    timeout connect 2s\n");
    out.push_str("    # PostgreSQL sessions may stay idle for long\n");
    out.push_str("    timeout client 30m\n    timeout server 30m\n");
    let _ = writeln!(
        out,
        "    # a check that takes longer than the interval counts as failed\n    timeout check {}\n",
        ms(c.inter_ms)
    );
    out.push_str("# statistics page (/stats) and HAProxy's Prometheus exporter (/metrics)\n");
    out.push_str("frontend stats\n");
    let _ = writeln!(
        out,
        "    # topology.patroni.endpoints.stats_port\n    bind {}",
        word(&bind(r.stats_port), "topology.patroni.endpoints.stats_port")?
    );
    out.push_str("    mode http\n    option httplog\n");
    out.push_str("    http-request use-service prometheus-exporter if { path /metrics }\n");
    out.push_str("    stats enable\n    stats uri /stats\n    stats refresh 5s\n");

    let default_server = format!(
        "    # inter {}: half of loop_wait ({}s; Patroni changes a role at most once per loop), between 500ms and 2s\n    # fastinter/downinter {}: a changing or DOWN server (the next leader) is rechecked twice as often,\n    #   which bounds how long after a promotion the port routes again\n    # fall {}: one lost check is not a failover; rise {}: Patroni answers 200 only in the role asked for\n    # on-marked-down shutdown-sessions: sessions to a server that left its role are cut at once\n    default-server inter {} fastinter {} downinter {} fall {} rise {} on-marked-down shutdown-sessions{}\n",
        ms(c.inter_ms),
        cluster.timing.loop_wait,
        ms(c.downinter_ms),
        c.fall,
        c.rise,
        ms(c.inter_ms),
        ms(c.fastinter_ms),
        ms(c.downinter_ms),
        c.fall,
        c.rise,
        match placement {
            Placement::Local { .. } => "",
            // a member that is not up yet must not keep HAProxy from starting
            Placement::Compose => " resolvers docker init-addr last,libc,none",
        }
    );
    let servers = |out: &mut String| -> Result<(), Error> {
        for (i, m) in cluster.members.iter().enumerate() {
            let path = format!("topology.patroni.members[{i}]");
            let addr = match placement {
                Placement::Local { .. } => m.pg_addr(),
                Placement::Compose => format!("{}:{}", m.name, m.pg_port),
            };
            let _ = writeln!(
                out,
                "    server {} {} check port {}",
                word(&m.name, &path)?,
                word(&addr, &path)?,
                m.rest_port
            );
        }
        Ok(())
    };

    out.push_str(
        "\n# read-write: the leader is the only member whose REST API answers 200 to /primary\n",
    );
    out.push_str("listen pg_write\n");
    let _ = writeln!(
        out,
        "    # topology.patroni.endpoints.write_port\n    bind {}",
        word(&bind(r.write_port), "topology.patroni.endpoints.write_port")?
    );
    out.push_str("    option httpchk\n    http-check send meth OPTIONS uri /primary\n    http-check expect status 200\n");
    out.push_str(&default_server);
    servers(&mut out)?;

    out.push_str("\n# read-only: replicas that are running and replay within the lag limit\n");
    out.push_str("listen pg_read\n");
    let _ = writeln!(
        out,
        "    # topology.patroni.endpoints.read_port\n    bind {}",
        word(&bind(r.read_port), "topology.patroni.endpoints.read_port")?
    );
    out.push_str("    balance roundrobin\n    option httpchk\n");
    let _ = writeln!(
        out,
        "    # lag={}: {} in bytes (Patroni reads an unparsable value as no limit)",
        cluster.maximum_lag_bytes,
        if cluster.lag_from_plan {
            "topology.patroni.maximum_lag_on_failover"
        } else {
            "Patroni's maximum_lag_on_failover default (1 MiB)"
        }
    );
    let _ = writeln!(
        out,
        "    http-check send meth OPTIONS uri /replica?lag={}",
        cluster.maximum_lag_bytes
    );
    out.push_str("    http-check expect status 200\n");
    out.push_str(&default_server);
    servers(&mut out)?;
    Ok(out)
}
