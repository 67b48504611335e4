//! Snapshots of the rendered SQL of every example and passing test plan.

use pgplan_core::Plan;
use pgplan_sql::{MapSecretResolver, Password, RenderOptions, render_files_with};

/// Every login role gets the password `<role>-password`, hashed with a
/// fixed salt so that the verifiers in the snapshots are stable.
fn deterministic_secrets(plan: &Plan) -> MapSecretResolver {
    let mut r = MapSecretResolver::new().with_fixed_salt(*b"pgplan-test-salt");
    for role in &plan.roles {
        r.insert(
            role.name.clone(),
            Password::new(format!("{}-password", role.name)),
        );
    }
    r
}

#[test]
fn rendered_sql_of_every_plan() {
    insta::glob!(
        "../../../..",
        "{examples/plans,tests/plans/pass}/*.yaml",
        |path| {
            let text = std::fs::read_to_string(path).unwrap();
            let plan = Plan::from_yaml(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let secrets = deterministic_secrets(&plan);
            let files = render_files_with(
                &plan.validate().expect("the plan validates"),
                &RenderOptions {
                    secrets: Some(&secrets),
                    ..RenderOptions::default()
                },
            )
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let mut out = String::new();
            for (name, body) in &files {
                out.push_str(&format!("==> {name} <==\n{body}\n"));
            }
            // The script the Kubernetes schema Job runs: verifiers come from
            // psql variables.
            let script =
                pgplan_sql::render_script(&plan.validate().expect("the plan validates")).unwrap();
            out.push_str(&format!(
                "==> render_script (psql variables) <==\n{script}\n"
            ));
            // The script a deployment Job runs: passwords set afterwards.
            let job =
                pgplan_sql::init_script_for_job(&plan.validate().expect("the plan validates"))
                    .unwrap();
            out.push_str(&format!(
                "==> init_script_for_job (passwords set afterwards: {}) <==\n{}\n",
                job.passwords_to_set
                    .iter()
                    .map(|r| r.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                job.sql
            ));
            // On Azure, the Entra principals the deploy script creates.
            if let Some(entra) =
                pgplan_sql::entra_principal_script(&plan.validate().expect("the plan validates"))
            {
                out.push_str(&format!(
                    "==> entra_principal_script (database {}; {}) <==\n{}\n",
                    entra.database,
                    entra
                        .principals
                        .iter()
                        .map(|p| format!(
                            "{} as {}, object id in {}",
                            p.role, p.identity, p.object_id_variable
                        ))
                        .collect::<Vec<_>>()
                        .join("; "),
                    entra.sql
                ));
            }
            // The same plan renders the same bytes.
            assert_eq!(
                files,
                render_files_with(
                    &plan.validate().expect("the plan validates"),
                    &RenderOptions {
                        secrets: Some(&secrets),
                        ..RenderOptions::default()
                    }
                )
                .unwrap()
            );
            insta::assert_snapshot!(out);
        }
    );
}

#[test]
fn psql_variable_form_has_no_password_material() {
    let text = super::support::example_plan_text("prod-bill-inquiry.yaml");
    let plan = Plan::from_yaml(&text).unwrap();
    let script = pgplan_sql::render_script(&plan.validate().expect("the plan validates")).unwrap();
    assert!(
        script.contains("PASSWORD :'password_bill_app_user'"),
        "{script}"
    );
    assert!(!script.contains("SCRAM-SHA-256$"), "{script}");
    assert!(
        script.contains("\\if :{?password_bill_app_user}"),
        "{script}"
    );
    // PostgreSQL 14 still grants CREATE on public to everyone.
    assert!(script.contains("REVOKE CREATE ON SCHEMA \"public\" FROM PUBLIC"));
    let files = pgplan_sql::render_files(&plan.validate().expect("the plan validates")).unwrap();
    assert!(
        files["settings.sql"].contains("Nothing to run"),
        "{}",
        files["settings.sql"]
    );
    assert!(!files["settings.sql"].contains("ALTER SYSTEM SET"));
}

#[test]
fn public_schema_hardening_only_before_15() {
    let text = super::support::example_plan_text("prod-bill-inquiry.yaml")
        .replace("version: 14", "version: 15");
    let plan = Plan::from_yaml(&text).unwrap();
    let script = pgplan_sql::render_script(&plan.validate().expect("the plan validates")).unwrap();
    assert!(!script.contains("REVOKE CREATE ON SCHEMA"), "{script}");
}

#[test]
fn monitoring_queries_follow_the_major_version() {
    for (major, old_names) in [(14, true), (17, false)] {
        let text = super::support::example_plan_text("dev-product-change.yaml")
            .replace("version: 14", &format!("version: {major}"));
        let plan = Plan::from_yaml(&text).unwrap();
        let sql = pgplan_sql::monitoring::script(&plan.validate().expect("the plan validates"));
        assert!(sql.contains("total_exec_time"));
        assert!(!sql.contains("total_time,"));
        assert!(sql.contains("NULLIF(blks_hit + blks_read, 0)"));
        assert!(sql.contains("s.relname, s.indexrelname"));
        assert_eq!(
            sql.contains("blk_read_time") && !sql.contains("shared_blk_read_time"),
            old_names
        );
        assert_eq!(sql.contains("pg_stat_checkpointer"), !old_names);
    }
}
