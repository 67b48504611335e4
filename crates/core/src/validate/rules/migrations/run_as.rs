//! PGP333 migration-run-as: migrations run as the role that owns the
//! database or one of its schemas.

use super::with_migrations;
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP333.
pub struct MigrationRunAs;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP333",
    name: "migration-run-as",
    summary: "migrations run as a planned role that owns the database or one of its schemas",
    rationale: "Every object a migration creates is owned by the role it runs as, and the plan's default privileges (ALTER DEFAULT PRIVILEGES FOR ROLE <owner>) only reach objects that role creates. Run as another role — an administrator, the application's login — the tables are owned by it: the application and read-only roles get no privileges on them, and the application role could drop them.",
    examples: crate::rule_examples!("PGP333-migration-run-as"),
    replaces: &[],
};

impl Rule for MigrationRunAs {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        for (d, db, m) in with_migrations(cx) {
            let Some(role) = &m.run_as else {
                continue;
            };
            let owners: Vec<&str> = std::iter::once(db.owner.as_str())
                .chain(db.schemas.iter().map(|s| db.schema_owner(&s.name).as_str()))
                .collect();
            if owners.contains(&role.as_str()) && cx.plan.role(role).is_some() {
                continue;
            }
            let mut owners = owners;
            owners.sort_unstable();
            owners.dedup();
            out.error(
                format!("databases[{d}].migrations.run_as"),
                if cx.plan.role(role).is_none() {
                    format!(
                        "migrations of database {} run as {role}, which is not a planned role",
                        db.name
                    )
                } else {
                    format!(
                        "migrations of database {} run as {role}, which owns neither the database nor any of its schemas: the objects they create would miss the plan's default privileges",
                        db.name
                    )
                },
                format!(
                    "run them as an owner ({}), or remove run_as (the database owner {} is used)",
                    owners.join(", "),
                    db.owner
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::migrations::Migrations;
    use crate::validate::rules::test_support::*;

    #[test]
    fn a_role_that_owns_nothing_is_an_error() {
        let mut plan = kubernetes_reference_plan();
        let app = plan
            .roles
            .iter()
            .find(|r| r.name != plan.databases[0].owner)
            .unwrap()
            .name
            .clone();
        plan.databases[0].migrations = Some(Migrations {
            run_as: Some(app.clone()),
            ..Default::default()
        });
        let d = run(&MigrationRunAs, &plan);
        assert_eq!(d.len(), 1, "{d:#?}");
        let f = diagnostic_at(&d, "databases[0].migrations.run_as");
        assert!(f.message.contains("owns neither"), "{}", f.message);
        plan.databases[0].migrations.as_mut().unwrap().run_as =
            Some(crate::RoleName::new("ghost").unwrap());
        let d = run(&MigrationRunAs, &plan);
        assert!(d[0].message.contains("not a planned role"), "{d:#?}");
        plan.databases[0].migrations.as_mut().unwrap().run_as =
            Some(plan.databases[0].owner.clone());
        assert!(run(&MigrationRunAs, &plan).is_empty());
    }
}
