//! PGP008 patroni-timing: the timings, members, DCS and ports of a Patroni
//! cluster (`topology.patroni`).
//!
//! Timings follow Patroni's dynamic configuration documentation
//! (patroni.readthedocs.io, "Dynamic Configuration Settings"): `ttl` default
//! 30, minimum possible value 20; `loop_wait` default 10, minimum 1;
//! `retry_timeout` default 10, minimum 3 (all in seconds), and "when changing
//! values of loop_wait, retry_timeout, or ttl you have to follow the rule:
//! loop_wait + 2 * retry_timeout <= ttl". Patroni reads them as whole seconds.
//!
//! Beyond the timings:
//! - an HA cluster needs at least two members (error) with unique names;
//! - etcd needs members (error); production wants at least three (warning),
//!   and an odd count, since an even one tolerates no more failures than one
//!   member fewer (warning);
//! - with synchronous replication, `synchronous_node_count` must be at least 1
//!   and below the number of members: Patroni lowers a larger count to the
//!   standbys it has, so the plan would promise synchronous copies that do not
//!   exist (error). Strict mode with a single standby stops writes whenever
//!   that standby is down (warning);
//! - the HAProxy write, read and stats ports and the Patroni REST API port
//!   must differ (error): the local runner binds them all on one host.

use std::collections::BTreeMap;

use crate::validate::{Context, Findings, Rule, RuleInfo};
use crate::{Duration, PatroniCluster, SynchronousMode};

/// PGP008.
pub struct PatroniTiming;

/// Patroni's smallest accepted values, in seconds.
const MIN_TTL_S: u64 = 20;
const MIN_LOOP_WAIT_S: u64 = 1;
const MIN_RETRY_TIMEOUT_S: u64 = 3;

/// Etcd members production should have.
const MIN_ETCD_PRODUCTION: usize = 3;

/// A duration in seconds as Patroni is configured (`30s`, `1500ms`).
fn seconds(d: Duration) -> String {
    if d.as_millis().is_multiple_of(1000) {
        format!("{}s", d.as_secs())
    } else {
        format!("{}ms", d.as_millis())
    }
}

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP008",
    name: "patroni-timing",
    summary: "Patroni needs loop_wait + 2 × retry_timeout ≤ ttl and its minimum timings, at least two uniquely named members, an odd etcd of three or more, a reachable synchronous_node_count and distinct ports",
    rationale: "",
    examples: None,
    replaces: &[],
};

impl Rule for PatroniTiming {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        let Some(p) = &cx.plan.topology.patroni else {
            return;
        };
        self.check_timings(p, out);
        self.check_members(p, out);
        self.check_etcd(cx, p, out);
        self.check_synchronous(p, out);
        self.check_ports(p, out);
    }
}

impl PatroniTiming {
    fn check_timings(&self, p: &PatroniCluster, out: &mut Findings<'_>) {
        let timings = [
            ("ttl", p.ttl, MIN_TTL_S),
            ("loop_wait", p.loop_wait, MIN_LOOP_WAIT_S),
            ("retry_timeout", p.retry_timeout, MIN_RETRY_TIMEOUT_S),
        ];
        for (name, value, min_s) in timings {
            let path = format!("topology.patroni.{name}");
            if !value.as_millis().is_multiple_of(1000) {
                out.error(
                    path,
                    format!("{name} is {}; Patroni takes whole seconds", seconds(value)),
                    format!(
                        "set {name} to {}s",
                        value.as_millis().div_ceil(1000).max(min_s)
                    ),
                );
            } else if value.as_secs() < min_s {
                out.error(
                    path,
                    format!(
                        "{name} is {} but Patroni's minimum is {min_s}s",
                        seconds(value)
                    ),
                    format!("set {name} to {min_s}s or more"),
                );
            }
        }

        let needed = p
            .loop_wait
            .as_millis()
            .saturating_add(p.retry_timeout.as_millis().saturating_mul(2));
        if needed > p.ttl.as_millis() {
            let corrected = Duration::millis(
                needed
                    .div_ceil(1000)
                    .saturating_mul(1000)
                    .max(MIN_TTL_S * 1000),
            );
            // The other way round: the largest retry_timeout that fits the ttl.
            let retry_fit = p.ttl.as_millis().saturating_sub(p.loop_wait.as_millis()) / 2 / 1000;
            let mut help = format!(
                "raise ttl to {} (loop_wait + 2 × retry_timeout)",
                seconds(corrected)
            );
            if retry_fit >= MIN_RETRY_TIMEOUT_S {
                help.push_str(&format!(
                    ", or lower retry_timeout to {retry_fit}s to keep ttl {}",
                    seconds(p.ttl)
                ));
            }
            out.error(                "topology.patroni.ttl",
                format!(
                    "loop_wait {} + 2 × retry_timeout {} = {} exceeds ttl {}: the leader key can expire while the primary is still retrying, and a healthy primary is demoted",
                    seconds(p.loop_wait),
                    seconds(p.retry_timeout),
                    seconds(Duration::millis(needed)),
                    seconds(p.ttl)
                ),
                help);
        }
    }

    fn check_members(&self, p: &PatroniCluster, out: &mut Findings<'_>) {
        let n = p.members.len();
        if n < 2 {
            out.error(                "topology.patroni.members",
                format!(
                    "the Patroni cluster has {n} member(s): there is no standby to fail over to, so it is not highly available"
                ),
                "list at least 2 members (3 let one fail while a synchronous standby remains), or remove topology.patroni for a single server");
        }
        let names = p.members.iter().map(|m| m.name.as_str());
        self.duplicates("topology.patroni.members", "member", names, out);
    }

    fn check_etcd(&self, cx: &Context<'_>, p: &PatroniCluster, out: &mut Findings<'_>) {
        let n = p.etcd.len();
        if n == 0 {
            out.error(                "topology.patroni.etcd",
                "the Patroni cluster has no etcd members: Patroni keeps the leader lock in etcd and cannot run without it",
                "list 3 etcd members (an odd number: 3 tolerate one failure, 5 tolerate two)");
            return;
        }
        if cx.is_production() && n < MIN_ETCD_PRODUCTION {
            out.warning(                "topology.patroni.etcd",
                format!(
                    "production runs {n} etcd member(s): etcd needs a majority, so losing one member stops leader elections and Patroni demotes the primary"
                ),
                format!(
                    "run at least {MIN_ETCD_PRODUCTION} etcd members, on different hosts or zones"
                ));
        } else if n.is_multiple_of(2) {
            out.warning(                "topology.patroni.etcd",
                format!(
                    "{n} etcd members need a majority of {}: they tolerate {} failure(s), no more than {} members would",
                    n / 2 + 1,
                    (n - 1) / 2,
                    n - 1
                ),
                format!("run an odd number of etcd members: {} or {}", n - 1, n + 1));
        }
        let names = p.etcd.iter().map(|m| m.name.as_str());
        self.duplicates("topology.patroni.etcd", "etcd member", names, out);
    }

    fn check_synchronous(&self, p: &PatroniCluster, out: &mut Findings<'_>) {
        if p.synchronous_mode == SynchronousMode::Off {
            return;
        }
        let members = p.members.len() as u64;
        let standbys = members.saturating_sub(1);
        let count = u64::from(p.synchronous_node_count);
        let path = "topology.patroni.synchronous_node_count";
        if count == 0 {
            out.error(                path,
                "synchronous replication is on but synchronous_node_count is 0",
                "set synchronous_node_count to 1 (Patroni's default and minimum), or turn synchronous_mode off");
        } else if count >= members && members > 0 {
            let fix = if standbys >= 1 {
                format!("lower synchronous_node_count to {standbys} or less, or ")
            } else {
                String::new()
            };
            out.error(                path,
                format!(
                    "synchronous_node_count is {count} but {members} member(s) have only {standbys} standby(s): Patroni lowers it to what exists, so the plan promises {count} synchronous copies it cannot have"
                ),
                format!("{fix}add members until there are {} (the primary plus {count} standbys)", count + 1));
        }
        if p.synchronous_mode == SynchronousMode::Strict && standbys == 1 {
            out.warning(                "topology.patroni.synchronous_mode",
                "strict synchronous mode with a single standby: a strict cluster needs a standby to take writes, so every outage of that standby stops all writes on the primary",
                "add a third member so another standby can become synchronous, or use synchronous_mode: on");
        }
    }

    fn check_ports(&self, p: &PatroniCluster, out: &mut Findings<'_>) {
        let ports = [
            ("endpoints.write_port", p.endpoints.write_port),
            ("endpoints.read_port", p.endpoints.read_port),
            ("endpoints.stats_port", p.endpoints.stats_port),
            ("rest_api_port", p.rest_api_port),
        ];
        let mut seen: BTreeMap<u16, &str> = BTreeMap::new();
        for (field, port) in ports {
            if let Some(first) = seen.get(&port) {
                out.error(                    format!("topology.patroni.{field}"),
                    format!("{field} {port} is also topology.patroni.{first}: both cannot listen on it"),
                    format!(
                        "give {field} its own port (the defaults are write 5000, read 5001, stats 8404, REST API 8008)"
                    ));
            } else {
                seen.insert(port, field);
            }
        }
    }

    fn duplicates<'a>(
        &self,
        list: &str,
        what: &str,
        names: impl Iterator<Item = &'a str>,
        out: &mut Findings<'_>,
    ) {
        let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
        for (i, name) in names.enumerate() {
            if let Some(first) = seen.get(name) {
                out.error(                    format!("{list}[{i}].name"),
                    format!("{what} name `{name}` is used twice ({list}[{first}] and [{i}]): names identify members in the DCS and must be unique"),
                    format!("rename {list}[{i}] (e.g. `{name}-{i}`)"));
            } else {
                seen.insert(name, i);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::*;
    use crate::{Environment, EtcdMember, Plan};

    fn cluster(plan: &mut Plan) -> &mut PatroniCluster {
        plan.topology.patroni.as_mut().unwrap()
    }

    #[test]
    fn seed_003_cluster_with_patroni_defaults_passes() {
        assert!(run(&PatroniTiming, &patroni_cluster_plan()).is_empty());
    }

    #[test]
    fn no_patroni_no_findings() {
        assert!(run(&PatroniTiming, &kubernetes_plan()).is_empty());
    }

    #[test]
    fn ttl_too_short_for_loop_wait_and_retries() {
        let mut plan = patroni_cluster_plan();
        cluster(&mut plan).retry_timeout = Duration::seconds(15);
        let d = run(&PatroniTiming, &plan);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].id(), "PGP008");
        assert_eq!(d[0].severity, Severity::Error);
        assert_eq!(d[0].path, "topology.patroni.ttl");
        assert!(
            d[0].message
                .contains("loop_wait 10s + 2 × retry_timeout 15s = 40s exceeds ttl 30s"),
            "{}",
            d[0].message
        );
        assert!(d[0].help.contains("raise ttl to 40s"), "{}", d[0].help);
        assert!(
            d[0].help.contains("lower retry_timeout to 10s"),
            "{}",
            d[0].help
        );
    }

    #[test]
    fn timings_below_patroni_minimums() {
        let mut plan = patroni_cluster_plan();
        let p = cluster(&mut plan);
        p.ttl = Duration::seconds(10);
        p.loop_wait = Duration::ZERO;
        p.retry_timeout = Duration::seconds(2);
        let d = run(&PatroniTiming, &plan);
        assert_eq!(d.len(), 3, "{d:?}");
        assert_eq!(d[0].path, "topology.patroni.ttl");
        assert!(
            d[0].message
                .contains("ttl is 10s but Patroni's minimum is 20s"),
            "{}",
            d[0].message
        );
        assert_eq!(d[1].path, "topology.patroni.loop_wait");
        assert!(d[1].help.contains("1s or more"), "{}", d[1].help);
        assert_eq!(d[2].path, "topology.patroni.retry_timeout");
        assert!(d[2].message.contains("minimum is 3s"), "{}", d[2].message);
        assert!(d.iter().all(|d| d.severity == Severity::Error));
    }

    #[test]
    fn fractional_seconds_are_rejected() {
        let mut plan = patroni_cluster_plan();
        cluster(&mut plan).loop_wait = Duration::millis(2500);
        let d = run(&PatroniTiming, &plan);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].path, "topology.patroni.loop_wait");
        assert!(d[0].message.contains("2500ms"), "{}", d[0].message);
        assert!(d[0].help.contains("3s"), "{}", d[0].help);
    }

    #[test]
    fn one_member_is_not_ha_and_names_are_unique() {
        let mut plan = patroni_cluster_plan();
        cluster(&mut plan).members.truncate(1);
        let d = run(&PatroniTiming, &plan);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].severity, Severity::Error);
        assert_eq!(d[0].path, "topology.patroni.members");
        assert!(d[0].message.contains("1 member(s)"), "{}", d[0].message);

        let mut plan = patroni_cluster_plan();
        cluster(&mut plan).members[2].name = v("pg-1");
        let d = run(&PatroniTiming, &plan);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].severity, Severity::Error);
        assert_eq!(d[0].path, "topology.patroni.members[2].name");
        assert!(
            d[0].message.contains("`pg-1` is used twice"),
            "{}",
            d[0].message
        );
    }

    #[test]
    fn etcd_size() {
        let mut plan = patroni_cluster_plan();
        cluster(&mut plan).etcd.truncate(1);
        let d = run(&PatroniTiming, &plan);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].severity, Severity::Warning);
        assert_eq!(d[0].path, "topology.patroni.etcd");
        assert!(
            d[0].message.contains("production runs 1 etcd member(s)"),
            "{}",
            d[0].message
        );
        assert!(d[0].help.contains("at least 3"), "{}", d[0].help);

        // One etcd is fine in development.
        plan.environment = Environment::Development;
        assert!(run(&PatroniTiming, &plan).is_empty());

        // Four is no better than three.
        let mut plan = patroni_cluster_plan();
        cluster(&mut plan)
            .etcd
            .push(EtcdMember::builder().name(v("etcd-4")).build());
        let d = run(&PatroniTiming, &plan);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].severity, Severity::Warning);
        assert!(
            d[0].message.contains(
                "4 etcd members need a majority of 3: they tolerate 1 failure(s), no more than 3"
            ),
            "{}",
            d[0].message
        );
        assert!(d[0].help.contains("3 or 5"), "{}", d[0].help);

        cluster(&mut plan).etcd.clear();
        let d = run(&PatroniTiming, &plan);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].severity, Severity::Error);
    }

    #[test]
    fn synchronous_node_count_must_leave_a_primary() {
        let mut plan = patroni_cluster_plan();
        let p = cluster(&mut plan);
        p.synchronous_mode = SynchronousMode::On;
        p.synchronous_node_count = 3;
        let d = run(&PatroniTiming, &plan);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].severity, Severity::Error);
        assert_eq!(d[0].path, "topology.patroni.synchronous_node_count");
        assert!(
            d[0].message
                .contains("synchronous_node_count is 3 but 3 member(s) have only 2 standby(s)"),
            "{}",
            d[0].message
        );
        assert!(
            d[0].help.contains("lower synchronous_node_count to 2"),
            "{}",
            d[0].help
        );
        assert!(d[0].help.contains("until there are 4"), "{}", d[0].help);

        cluster(&mut plan).synchronous_node_count = 2;
        assert!(run(&PatroniTiming, &plan).is_empty());
        cluster(&mut plan).synchronous_node_count = 0;
        let d = run(&PatroniTiming, &plan);
        assert_eq!(d.len(), 1, "{d:?}");
        assert!(d[0].message.contains("is 0"), "{}", d[0].message);
        // Asynchronous clusters do not use the count.
        cluster(&mut plan).synchronous_mode = SynchronousMode::Off;
        assert!(run(&PatroniTiming, &plan).is_empty());
    }

    #[test]
    fn strict_mode_with_one_standby_warns() {
        let mut plan = patroni_cluster_plan();
        let p = cluster(&mut plan);
        p.members.truncate(2);
        p.synchronous_mode = SynchronousMode::Strict;
        let d = run(&PatroniTiming, &plan);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].severity, Severity::Warning);
        assert_eq!(d[0].path, "topology.patroni.synchronous_mode");
        assert!(
            d[0].message.contains("stops all writes"),
            "{}",
            d[0].message
        );
        // With two standbys another can take over.
        let mut plan = patroni_cluster_plan();
        cluster(&mut plan).synchronous_mode = SynchronousMode::Strict;
        assert!(run(&PatroniTiming, &plan).is_empty());
    }

    #[test]
    fn ports_must_differ() {
        let mut plan = patroni_cluster_plan();
        let p = cluster(&mut plan);
        p.endpoints.read_port = 5000;
        p.rest_api_port = 8404;
        let d = run(&PatroniTiming, &plan);
        assert_eq!(d.len(), 2, "{d:?}");
        assert_eq!(d[0].severity, Severity::Error);
        assert_eq!(d[0].path, "topology.patroni.endpoints.read_port");
        assert!(
            d[0].message
                .contains("endpoints.read_port 5000 is also topology.patroni.endpoints.write_port"),
            "{}",
            d[0].message
        );
        assert_eq!(d[1].path, "topology.patroni.rest_api_port");
        assert!(d[1].message.contains("8404"), "{}", d[1].message);
    }
}
