//! PGP040 patroni-ports: the HAProxy write, read and stats ports and the
//! Patroni REST API port differ: the local runner binds them all on one host.

use std::collections::BTreeMap;

use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP040.
pub struct PatroniPorts;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP040",
    name: "patroni-ports",
    summary: "the write, read and stats endpoints and Patroni's REST API listen on different ports",
    rationale: "Two listeners cannot bind one port on a host: the second HAProxy frontend or Patroni's REST API fails to start, and with it the endpoint clients connect to or the health check HAProxy uses to find the primary.",
    examples: crate::rule_examples!("PGP040-patroni-ports"),
    replaces: &["PGP008"],
};

impl Rule for PatroniPorts {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        let Some(p) = &cx.plan.topology.patroni else {
            return;
        };
        let ports = [
            ("endpoints.write_port", p.endpoints.write_port),
            ("endpoints.read_port", p.endpoints.read_port),
            ("endpoints.stats_port", p.endpoints.stats_port),
            ("rest_api_port", p.rest_api_port),
        ];
        let mut seen: BTreeMap<u16, &str> = BTreeMap::new();
        for (field, port) in ports {
            if let Some(first) = seen.get(&port) {
                out.error(
                    format!("topology.patroni.{field}"),
                    format!(
                        "{field} {port} is also topology.patroni.{first}: both cannot listen on it"
                    ),
                    format!(
                        "give {field} its own port (the defaults are write 5000, read 5001, stats 8404, REST API 8008)"
                    ),
                );
            } else {
                seen.insert(port, field);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::cluster;
    use super::*;
    use crate::validate::rules::test_support::*;

    #[test]
    fn ports_must_differ() {
        let mut plan = patroni_cluster_plan();
        assert!(run(&PatroniPorts, &plan).is_empty());
        let p = cluster(&mut plan);
        p.endpoints.read_port = 5000;
        p.rest_api_port = 8404;
        let d = run(&PatroniPorts, &plan);
        assert_eq!(d.len(), 2, "{d:?}");
        assert_eq!(d[0].id(), "PGP040");
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
