//! PGP201 local-loopback-hosts: every member of a local Patroni cluster has
//! its own IPv4 loopback address.

use crate::validate::{Context, Findings, Rule, RuleInfo};
use crate::{Host, runner};

/// PGP201.
pub struct LocalLoopbackHosts;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP201",
    name: "local-loopback-hosts",
    summary: "on `platform: local`, every Patroni member, etcd member and the HAProxy endpoint has an IPv4 loopback address (127.0.0.0/8), and no Patroni member uses 127.0.0.1",
    rationale: "The runner binds each member on its own address of this machine's loopback interface (Linux routes all of 127.0.0.0/8 to it), so members can share ports; a host name or a remote address cannot be bound here, and Patroni refuses 127.0.0.1 as a member's connect address (other members could not tell it from themselves).",
    examples: crate::rule_examples!("PGP201-local-loopback-hosts"),
    replaces: &[],
};

impl Rule for LocalLoopbackHosts {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        let Some(p) = runner::local_patroni(cx.plan) else {
            return;
        };
        for (i, m) in p.members.iter().enumerate() {
            let path = format!("topology.patroni.members[{i}].host");
            let suggestion = format!("127.0.0.{}", 11 + i.min(200));
            check_host(
                out,
                &path,
                "Patroni member",
                m.host.as_ref(),
                &suggestion,
                true,
            );
        }
        for (i, e) in p.etcd.iter().enumerate() {
            let path = format!("topology.patroni.etcd[{i}].host");
            let suggestion = format!("127.0.0.{}", 21 + i.min(200));
            check_host(
                out,
                &path,
                "etcd member",
                e.host.as_ref(),
                &suggestion,
                false,
            );
        }
        if let Some(h) = &p.endpoints.host {
            check_host(
                out,
                "topology.patroni.endpoints.host",
                "HAProxy endpoint",
                Some(h),
                "127.0.0.10",
                false,
            );
        }
    }
}

fn check_host(
    out: &mut Findings<'_>,
    path: &str,
    what: &str,
    host: Option<&Host>,
    suggestion: &str,
    member: bool,
) {
    let Some(host) = host else {
        out.error(
            path,
            format!("the {what} has no host: the local runner binds each member on its own loopback address"),
            format!("set host: {suggestion}"),
        );
        return;
    };
    match runner::ipv4(Some(host)) {
        Some(ip) if !ip.is_loopback() => out.error(
            path,
            format!("{what} host {host} is not a loopback address: the local runner starts everything on this machine"),
            format!("use an address of 127.0.0.0/8, e.g. {suggestion}"),
        ),
        Some(ip) if member && ip == runner::SINGLE_HOST => out.error(
            path,
            format!("{what} host 127.0.0.1: Patroni refuses it as a connect address (other members would reach themselves through it)"),
            format!("give each member its own loopback address, e.g. {suggestion}"),
        ),
        Some(_) => {}
        None => out.error(
            path,
            format!("{what} host `{host}` is not an IPv4 address: the local runner binds members on loopback addresses, and IPv6 has only ::1"),
            format!("use an address of 127.0.0.0/8, e.g. {suggestion}"),
        ),
    }
}
