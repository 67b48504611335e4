//! PGP036 patroni-member-names: Patroni and etcd member names are unique.

use std::collections::BTreeMap;

use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP036.
pub struct PatroniMemberNames;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP036",
    name: "patroni-member-names",
    summary: "the names of a Patroni cluster's members, and of its etcd members, are unique",
    rationale: "Patroni registers each member in the DCS under its name, and etcd identifies its peers by name: two members with one name overwrite each other's key, so the cluster sees one member where there are two and may promote or fence the wrong one; etcd refuses to form a cluster with duplicate names.",
    examples: crate::rule_examples!("PGP036-patroni-member-names"),
    replaces: &["PGP008"],
};

impl Rule for PatroniMemberNames {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        let Some(p) = &cx.plan.topology.patroni else {
            return;
        };
        let members = p.members.iter().map(|m| m.name.as_str());
        duplicates("topology.patroni.members", "member", members, out);
        let etcd = p.etcd.iter().map(|m| m.name.as_str());
        duplicates("topology.patroni.etcd", "etcd member", etcd, out);
    }
}

fn duplicates<'a>(
    list: &str,
    what: &str,
    names: impl Iterator<Item = &'a str>,
    out: &mut Findings<'_>,
) {
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, name) in names.enumerate() {
        if let Some(first) = seen.get(name) {
            out.error(
                format!("{list}[{i}].name"),
                format!(
                    "{what} name `{name}` is used twice ({list}[{first}] and [{i}]): names identify members in the DCS and must be unique"
                ),
                format!("rename {list}[{i}] (e.g. `{name}-{i}`)"),
            );
        } else {
            seen.insert(name, i);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::cluster;
    use super::*;
    use crate::validate::rules::test_support::*;

    #[test]
    fn names_are_unique() {
        let mut plan = patroni_cluster_plan();
        assert!(run(&PatroniMemberNames, &plan).is_empty());
        cluster(&mut plan).members[2].name = v("pg-1");
        cluster(&mut plan).etcd[1].name = v("etcd-1");
        let d = run(&PatroniMemberNames, &plan);
        assert_eq!(d.len(), 2, "{d:?}");
        assert_eq!(d[0].id(), "PGP036");
        assert_eq!(d[0].severity, Severity::Error);
        assert_eq!(d[0].path, "topology.patroni.members[2].name");
        assert!(
            d[0].message.contains("`pg-1` is used twice"),
            "{}",
            d[0].message
        );
        assert_eq!(d[1].path, "topology.patroni.etcd[1].name");
        assert!(d[1].help.contains("`etcd-1-1`"), "{}", d[1].help);
    }
}
