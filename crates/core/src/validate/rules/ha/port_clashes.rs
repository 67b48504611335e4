//! PGP202 local-port-clashes: no two sockets of a local Patroni cluster are
//! the same address and port.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use crate::runner;
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP202.
pub struct LocalPortClashes;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP202",
    name: "local-port-clashes",
    summary: "every address and port the local runner binds for a Patroni cluster (PostgreSQL, REST API and exporter per member, etcd client and peer ports, HAProxy's write, read and statistics ports) is used once, and no port is 0",
    rationale: "Two processes cannot listen on one address and port: the second would fail to start after the first was already running, and port 0 means \"any free port\", which nothing else in the cluster could then find.",
    examples: crate::rule_examples!("PGP202-local-port-clashes"),
    replaces: &[],
};

impl Rule for LocalPortClashes {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        let listeners = runner::listeners(cx.plan);
        let mut seen: BTreeMap<(Ipv4Addr, u16), usize> = BTreeMap::new();
        for (i, l) in listeners.iter().enumerate() {
            if l.port == 0 {
                out.error(
                    l.port_path.clone(),
                    format!("{} is port 0: the runner needs a fixed port that the other components are told", l.what),
                    "choose a fixed port",
                );
                continue;
            }
            if let Some(&first) = seen.get(&(l.ip, l.port)) {
                let f = &listeners[first];
                // Two members on one host clash on every port: point at the
                // host; otherwise at the port.
                let path = if f.port_path == l.port_path {
                    l.host_path.clone()
                } else {
                    l.port_path.clone()
                };
                out.error(
                    path,
                    format!("{l} clashes with {f}: both cannot listen there"),
                    "give each member its own loopback address, or give the component its own port",
                );
            } else {
                seen.insert((l.ip, l.port), i);
            }
        }
    }
}
