//! PGP208 patroni-component-names: every process of a local Patroni cluster
//! has a name of its own.

use std::collections::BTreeMap;

use crate::runner;
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP208.
pub struct PatroniComponentNames;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP208",
    name: "patroni-component-names",
    summary: "in a local Patroni cluster, no member and etcd member share a name, and none is named `haproxy` or `<member>-exporter`",
    rationale: "The runner and the docker-compose file name each process after its member (`pg-0`, `etcd-1`, `haproxy`, `pg-0-exporter`): its log, its record in the run directory and its Compose service; two processes of one name would overwrite each other's and the second could never be told apart from the first.",
    examples: crate::rule_examples!("PGP208-patroni-component-names"),
    replaces: &[],
};

impl Rule for PatroniComponentNames {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        let Some(p) = runner::local_patroni(cx.plan) else {
            return;
        };
        let mut taken: BTreeMap<String, String> = BTreeMap::new();
        taken.insert("haproxy".into(), "HAProxy".into());
        if cx.plan.monitoring.exporter.is_some() {
            for m in &p.members {
                taken.insert(
                    format!("{}-exporter", m.name),
                    format!("the exporter of member {}", m.name),
                );
            }
        }
        let named = p
            .members
            .iter()
            .enumerate()
            .map(|(i, m)| {
                (
                    format!("topology.patroni.members[{i}].name"),
                    m.name.as_str(),
                    "member",
                )
            })
            .chain(p.etcd.iter().enumerate().map(|(i, e)| {
                (
                    format!("topology.patroni.etcd[{i}].name"),
                    e.name.as_str(),
                    "etcd member",
                )
            }));
        for (path, name, what) in named {
            match taken.get(name) {
                Some(other) => out.error(
                    path,
                    format!("{what} `{name}` has the name of {other}: the runner and Compose name processes after them"),
                    "rename it",
                ),
                None => {
                    taken.insert(name.to_owned(), format!("{what} {name}"));
                }
            }
        }
    }
}
