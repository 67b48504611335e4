//! PGP182 schema-usage: a role granted privileges on objects in a schema can
//! reach the schema.

use std::collections::BTreeSet;

use crate::model::roles::{ObjectKind, Privilege, Role};
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP182.
pub struct SchemaUsage;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP182",
    name: "schema-usage",
    summary: "a role granted privileges on tables, sequences or functions in a schema also has USAGE on that schema (itself, through a group, as the owner, or through PUBLIC on `public`)",
    rationale: "PostgreSQL checks USAGE on the schema before any privilege on the objects in it: without it every query fails with `permission denied for schema`, however many table privileges the role holds — the grants never reach the tables.",
    examples: crate::rule_examples!("PGP182-schema-usage"),
    replaces: &[],
};

/// Predefined roles that bring USAGE on every schema.
const READS_EVERY_SCHEMA: [&str; 2] = ["pg_read_all_data", "pg_write_all_data"];

impl Rule for SchemaUsage {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        let plan = cx.plan;
        for (i, role) in plan.roles.iter().enumerate() {
            let with_groups = groups(plan.roles.as_slice(), role);
            if with_groups.iter().any(|g| READS_EVERY_SCHEMA.contains(g)) {
                continue;
            }
            let mut reported = BTreeSet::new();
            for (j, g) in role.grants.iter().enumerate() {
                let Some(schema) = &g.schema else { continue };
                if matches!(g.objects, ObjectKind::Database | ObjectKind::Schema)
                    || schema.as_str() == "public"
                    || !reported.insert((g.database.clone(), schema.clone()))
                {
                    continue;
                }
                let owner = plan
                    .databases
                    .iter()
                    .find(|d| d.name == g.database)
                    .map(|d| d.schema_owner(schema).as_str());
                let has_usage = owner.is_some_and(|o| with_groups.contains(o))
                    || plan
                        .roles
                        .iter()
                        .filter(|r| with_groups.contains(r.name.as_str()))
                        .flat_map(|r| &r.grants)
                        .any(|h| {
                            h.objects == ObjectKind::Schema
                                && h.database == g.database
                                && h.schema.as_ref() == Some(schema)
                                && h.privileges
                                    .iter()
                                    .any(|p| matches!(p, Privilege::Usage | Privilege::All))
                        });
                if !has_usage {
                    out.error(
                        format!("roles[{i}].grants[{j}]"),
                        format!(
                            "role {} is granted {} in schema {}.{} but has no USAGE on the schema: every query on them fails with `permission denied for schema {}`",
                            role.name, g.objects, g.database, schema, schema
                        ),
                        format!(
                            "add {{ database: {}, schema: {}, objects: schema, privileges: [USAGE] }} to the role (or to a group it is a member of)",
                            g.database, schema
                        ),
                    );
                }
            }
        }
    }
}

/// The role and every planned group it belongs to, directly or not (plus
/// the names of predefined roles it is a member of).
fn groups<'a>(roles: &'a [Role], role: &'a Role) -> BTreeSet<&'a str> {
    let mut seen = BTreeSet::from([role.name.as_str()]);
    let mut todo: Vec<&str> = role.member_of.iter().map(|g| g.as_str()).collect();
    while let Some(g) = todo.pop() {
        if seen.insert(g)
            && let Some(r) = roles.iter().find(|r| r.name.as_str() == g)
        {
            todo.extend(r.member_of.iter().map(|m| m.as_str()));
        }
    }
    seen
}

#[cfg(test)]
mod tests {
    use crate::Plan;

    fn findings(yaml: &str) -> Vec<String> {
        Plan::from_yaml(yaml)
            .unwrap()
            .report()
            .by_id("PGP182")
            .map(|d| d.path.to_string())
            .collect()
    }

    const BASE: &str = "service: s\nenvironment: development\nversion: 17\nplatform: { local: {} }\ndatabases:\n  - { name: d, owner: o, schemas: [{ name: app }] }\nroles:\n  - { name: o, purpose: owner }\n";

    #[test]
    fn usage_through_a_group_the_owner_or_public_counts() {
        let missing = format!(
            "{BASE}  - {{ name: r, purpose: read_only, grants: [{{ database: d, schema: app, objects: tables, privileges: [SELECT] }}] }}\n"
        );
        assert_eq!(findings(&missing), ["roles[1].grants[0]"]);
        let via_group = format!(
            "{BASE}  - {{ name: g, purpose: read_only, grants: [{{ database: d, schema: app, objects: schema, privileges: [USAGE] }}] }}\n  - {{ name: r, purpose: read_only, member_of: [g], grants: [{{ database: d, schema: app, objects: tables, privileges: [SELECT] }}] }}\n"
        );
        assert!(findings(&via_group).is_empty());
        let as_owner = format!(
            "{BASE}  - {{ name: r, purpose: owner, member_of: [o], grants: [{{ database: d, schema: app, objects: tables, privileges: [SELECT] }}] }}\n"
        );
        assert!(findings(&as_owner).is_empty());
        let public = BASE.replace("schemas: [{ name: app }]", "schemas: []")
            + "  - { name: r, purpose: read_only, grants: [{ database: d, schema: public, objects: tables, privileges: [SELECT] }] }\n";
        assert!(findings(&public).is_empty());
        let all_data = format!(
            "{BASE}  - {{ name: r, purpose: backup, member_of: [pg_read_all_data], grants: [{{ database: d, schema: app, objects: tables, privileges: [SELECT] }}] }}\n"
        );
        assert!(findings(&all_data).is_empty());
    }
}
