//! `deploy.sh` end to end, run with `bash deploy.sh` against the stateful
//! fake `az` (see `fake.rs`): the calls come in a valid order (network
//! prerequisites before the server, the server before its parameters,
//! databases, administrators and alerts, replicas after the primary and
//! their own network), a second run creates nothing, restarts nothing and
//! leaves the state as it was, a failing call stops the script with its
//! message and a non-zero exit code, and no secret is in any argument list
//! or anything the fakes recorded. (That the real CLI accepts every call is
//! az_cli.rs's.)

use pgplan_azure::render_operations;
use pgplan_core::Plan;
use serde_json::{Value, json};

use crate::fake::{ADMIN_PASSWORD, Call, Fake, TOKEN, environment, world};
use crate::support::{azure_plans, is_rule_example, name, read_plan, render, workspace};

fn position(calls: &[Call], what: impl Fn(&Call) -> bool) -> Option<usize> {
    calls.iter().position(what)
}

fn positions(calls: &[Call], what: impl Fn(&Call) -> bool) -> Vec<usize> {
    calls
        .iter()
        .enumerate()
        .filter(|(_, c)| what(c))
        .map(|(i, _)| i)
        .collect()
}

/// The fake state without what a second run may change and need not.
fn resources(state: &Value) -> Value {
    json!({ "resources": state["resources"], "violations": state["violations"], "restarts": state["restarts"] })
}

fn output_text(out: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Asserts the order of one run's calls.
fn assert_order(plan_name: &str, plan: &Plan, calls: &[Call]) {
    let az = plan.platform.azure().unwrap();
    let primary = az.server_name.as_str();
    let server_create = position(calls, |c| {
        c.is("postgres flexible-server create") && c.opt("--name") == Some(primary)
    })
    .unwrap_or_else(|| panic!("{plan_name}: no server create"));
    // The primary's network before it.
    if az.network.private.is_some() {
        for what in [
            "network vnet subnet create",
            "network private-dns zone create",
            "network private-dns link vnet create",
        ] {
            let at = position(calls, |c| c.is(what))
                .unwrap_or_else(|| panic!("{plan_name}: no `{what}`"));
            assert!(at < server_create, "{plan_name}: `{what}` after the server");
        }
    }
    // Everything on the primary after it.
    for (i, c) in calls.iter().enumerate() {
        let on_primary = c.opt("--server-name") == Some(primary)
            || (c.is("postgres flexible-server restart") && c.opt("--name") == Some(primary));
        if on_primary
            || c.is("monitor metrics alert create")
            || c.is("postgres flexible-server replica create")
            || c.argv[0] == "psql"
        {
            assert!(
                i > server_create,
                "{plan_name}: `az {}` before the server create",
                c.line()
            );
        }
    }
    // Replicas after the primary and after their own network; their
    // alerts after them.
    for replica in &plan.topology.replicas {
        let r = replica.name.as_str();
        let create = position(calls, |c| {
            c.is("postgres flexible-server replica create") && c.opt("--name") == Some(r)
        })
        .unwrap_or_else(|| panic!("{plan_name}: no replica create of {r}"));
        if let Some(private) = &replica.network {
            let subnet = position(calls, |c| {
                c.is("network vnet subnet create")
                    && c.opt("--vnet-name") == Some(private.vnet.name())
            })
            .unwrap();
            assert!(
                subnet < create,
                "{plan_name}: replica {r} before its subnet"
            );
        }
        for i in positions(calls, |c| {
            c.is("monitor metrics alert create")
                && c.opt("--name")
                    .is_some_and(|n| n.starts_with(&format!("{r}-")))
        }) {
            assert!(i > create, "{plan_name}: an alert on {r} before it exists");
        }
    }
    // The Entra principals after the Entra administrator.
    if let Some(psql) = position(calls, |c| c.argv[0] == "psql") {
        let admin = position(calls, |c| {
            c.is("postgres flexible-server microsoft-entra-admin create")
        })
        .unwrap();
        assert!(
            psql > admin,
            "{plan_name}: psql before the Entra administrator"
        );
    }
}

#[test]
fn deploy_sh_runs_in_order_and_a_second_run_changes_nothing() {
    let mut ran = 0;
    for (path, plan) in azure_plans() {
        if is_rule_example(&path) {
            continue;
        }
        let plan_name = name(&path);
        let valid = plan.validate().expect("the plan validates");
        let ops = render_operations(&valid).unwrap();
        let script = render(&valid)["deploy.sh"].clone();
        let mut fake = Fake::new("deploy", &world(&valid, &ops));
        fake.env = environment(&valid);

        let out = fake.run(&script);
        assert!(out.status.success(), "{plan_name}: {}", output_text(&out));
        let first = fake.calls();
        assert_order(&plan_name, &plan, &first);
        let state = fake.state();
        assert_eq!(state["violations"], json!([]), "{plan_name}");
        // Every operation's resource exists afterwards.
        let res = state["resources"].as_object().unwrap();
        for kind in ["server|", "alert|"] {
            assert!(
                res.keys().any(|k| k.starts_with(kind)),
                "{plan_name}: no {kind}"
            );
        }
        let statics = !state["static"].as_array().unwrap().is_empty();
        assert_eq!(state["restarts"], json!(u64::from(statics)), "{plan_name}");
        // The password reached az through a file, never as an argument
        // (the fake compares what it read with the secret: no violation).
        let create = first
            .iter()
            .find(|c| c.is("postgres flexible-server create"))
            .unwrap();
        assert_eq!(create.files_read, 1, "{plan_name}");
        assert_eq!(create.rc, 0, "{plan_name}");
        assert!(
            create
                .opt("--admin-password")
                .is_some_and(|p| p.starts_with("@/dev/fd/"))
        );
        for secret in [ADMIN_PASSWORD, TOKEN] {
            assert!(
                first.iter().all(|c| !c.line().contains(secret)),
                "{plan_name}: a secret in an argument list"
            );
            assert!(
                !output_text(&out).contains(secret),
                "{plan_name}: a secret printed"
            );
        }
        // The Entra principals: psql with the token in its environment.
        for p in fake.psql_calls() {
            assert_eq!(p["password_is_token"], json!(true), "{plan_name}");
            assert_eq!(p["sslmode"], json!("require"), "{plan_name}");
            assert!(
                p["script"]
                    .as_str()
                    .unwrap()
                    .contains("stand-in for pgplan_sql::entra_principal_script")
            );
        }
        let log = fake.log_text();
        assert!(
            !log.contains(ADMIN_PASSWORD) && !log.contains(TOKEN),
            "{plan_name}: a secret recorded"
        );

        // Again: nothing is created or restarted, the state is the same.
        fake.clear_log();
        let out = fake.run(&script);
        assert!(
            out.status.success(),
            "{plan_name} (again): {}",
            output_text(&out)
        );
        let again = fake.calls();
        let creates: Vec<String> = again
            .iter()
            .filter(|c| {
                c.argv.iter().any(|a| a == "create") && !c.is("monitor metrics alert create")
            })
            .map(Call::line)
            .collect();
        assert!(
            creates.is_empty(),
            "{plan_name}: created again: {creates:#?}"
        );
        assert!(
            !again
                .iter()
                .any(|c| c.is("postgres flexible-server restart")),
            "{plan_name}"
        );
        assert!(
            !again.iter().any(|c| c.is("keyvault secret show")),
            "{plan_name}: the password is read only to create the server"
        );
        assert_eq!(resources(&fake.state()), resources(&state), "{plan_name}");
        ran += 1;
    }
    assert!(ran >= 3, "only {ran} plans ran");
}

/// The seed with its replica, and a world where things go wrong.
fn seed_run(edit: impl FnOnce(&mut Value)) -> (Fake, std::process::Output, Vec<Call>) {
    let plan = read_plan(&workspace().join("examples/plans/prod-bill-inquiry.yaml"));
    let valid = plan.validate().unwrap();
    let ops = render_operations(&valid).unwrap();
    let mut state = world(&valid, &ops);
    edit(&mut state);
    let fake = Fake::new("deploy-fail", &state);
    let out = fake.run(&render(&valid)["deploy.sh"]);
    let calls = fake.calls();
    (fake, out, calls)
}

#[test]
fn a_failing_call_stops_the_script_with_its_message() {
    // A refused request: az's message, az's exit code, nothing after it.
    let (_, out, calls) = seed_run(|s| {
        s["fail"] = json!("db create");
        s["fail_message"] = json!("(Conflict) The database cannot be created now.");
    });
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains(
            "ERROR: (InternalServerError) (Conflict) The database cannot be created now."
        ),
        "{}",
        output_text(&out)
    );
    let last = calls.last().unwrap();
    assert!(last.is("postgres flexible-server db create"), "{calls:#?}");
    assert_eq!(last.rc, 1);

    // A failure of an existence check that is not "not found" stops too.
    let (_, out, calls) = seed_run(|s| {
        s["fail"] = json!("private-dns zone show");
        s["fail_message"] = json!("(AuthorizationFailed) no access to the zone");
    });
    assert_eq!(out.status.code(), Some(1), "{}", output_text(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("(AuthorizationFailed) no access to the zone")
    );
    assert!(
        !calls
            .iter()
            .any(|c| c.is("postgres flexible-server create"))
    );

    // A VNet that does not exist: az's "not found" of the create stops it.
    let (_, out, calls) = seed_run(|s| s["vnets"] = json!([]));
    assert_eq!(out.status.code(), Some(3), "{}", output_text(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("virtualNetworks/phonebill-vnet' was not found")
    );
    assert!(
        !calls
            .iter()
            .any(|c| c.is("postgres flexible-server create"))
    );

    // A subnet delegated to another service: the script says so and stops.
    let (_, out, calls) = seed_run(|s| {
        let key = format!(
            "subnet|{}|phonebill-rg|phonebill-vnet|database-subnet",
            crate::fake::SUBSCRIPTION
        );
        s["resources"][key] = json!({"id": "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/phonebill-rg/providers/Microsoft.Network/virtualNetworks/phonebill-vnet/subnets/database-subnet", "delegation": "Microsoft.Web/serverFarms"});
    });
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("pgplan: subnet database-subnet of VNet phonebill-vnet is delegated to Microsoft.Web/serverFarms"),
        "{}",
        output_text(&out)
    );
    assert!(
        !calls
            .iter()
            .any(|c| c.is("network vnet subnet update") || c.is("postgres flexible-server create"))
    );

    // A look-up that finds nothing stops the script, saying what is missing.
    let (_, out, calls) = seed_run(|s| s["entra_object_id"] = json!(""));
    assert_eq!(out.status.code(), Some(1), "{}", output_text(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("pgplan: no Microsoft Entra object id found for phonebill-admin"),
        "{}",
        output_text(&out)
    );
    assert!(calls.last().unwrap().is("ad group show"));

    // An existing subnet without a delegation gets one.
    let (fake, out, calls) = seed_run(|s| {
        let key = format!(
            "subnet|{}|phonebill-rg|phonebill-vnet|database-subnet",
            crate::fake::SUBSCRIPTION
        );
        s["resources"][key] = json!({"id": "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/phonebill-rg/providers/Microsoft.Network/virtualNetworks/phonebill-vnet/subnets/database-subnet", "delegation": null});
    });
    assert!(out.status.success(), "{}", output_text(&out));
    assert!(calls.iter().any(|c| c.is("network vnet subnet update")));
    assert_eq!(fake.state()["violations"], json!([]));
}

#[test]
fn a_missing_subnet_without_a_range_is_named_with_its_fix() {
    let text = std::fs::read_to_string(workspace().join("examples/plans/prod-bill-inquiry.yaml"))
        .unwrap()
        .replacen("        subnet_cidr: 10.0.2.0/24\n", "", 1);
    let valid = Plan::from_yaml(&text).unwrap().validate().unwrap();
    let ops = render_operations(&valid).unwrap();
    // The subnet does not exist (the world would otherwise take a subnet
    // without a range as one the plan says exists).
    let mut state = world(&valid, &ops);
    state["resources"] = json!({});
    let fake = Fake::new("deploy-nocidr", &state);
    let out = fake.run(&render(&valid)["deploy.sh"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains(
            "pgplan: subnet database-subnet does not exist in VNet phonebill-vnet (resource group phonebill-rg), and the plan gives no subnet_cidr to create it with"
        ),
        "{}",
        output_text(&out)
    );
    assert!(
        !fake
            .calls()
            .iter()
            .any(|c| c.is("postgres flexible-server create"))
    );
}

#[test]
fn a_failing_psql_stops_the_script() {
    let path = workspace().join("examples/plans/prod-event-marketing.yaml");
    let valid = read_plan(&path).validate().unwrap();
    let ops = render_operations(&valid).unwrap();
    let mut fake = Fake::new("deploy-psql", &world(&valid, &ops));
    fake.env = vec![(
        "FAKE_PSQL_FAIL".into(),
        "permission denied to create role".into(),
    )];
    let out = fake.run(&render(&valid)["deploy.sh"]);
    assert_eq!(out.status.code(), Some(3), "{}", output_text(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("permission denied to create role"));
    let calls = fake.calls();
    assert_eq!(
        calls.last().unwrap().argv[0],
        "psql",
        "nothing runs after a failed psql"
    );
    // The object id reached psql as a variable, from the identity's principalId.
    let psql = calls.last().unwrap();
    assert!(
        psql.argv
            .iter()
            .any(|a| a == "--set=oid_event_app=1d1d1d1d-0000-0000-0000-000000000001"),
        "{psql:?}"
    );
    assert_eq!(psql.opt("--username"), Some("event-marketing-dba"));
    assert_eq!(psql.opt("--dbname"), Some("postgres"));
    assert_eq!(
        psql.opt("--host"),
        Some("event-marketing-prod-pg.postgres.database.azure.com")
    );
}

#[test]
fn with_migrations_the_last_message_says_how_to_run_them() {
    let mut plan = read_plan(&workspace().join("examples/plans/prod-bill-inquiry.yaml"));
    let without = plan.validate().unwrap();
    let db = &mut plan.databases[0];
    db.migrations = Some(pgplan_core::model::migrations::Migrations {
        scripts: vec![pgplan_core::model::migrations::MigrationScript::new(
            "V1__init.sql",
            "CREATE TABLE bill (id bigint PRIMARY KEY);\n",
        )],
        ..Default::default()
    });
    let (database, owner) = (db.name.to_string(), db.migration_role().to_string());
    let valid = plan.validate().unwrap();
    let admin = valid
        .platform
        .azure()
        .unwrap()
        .administrator_login
        .to_string();
    let ops = render_operations(&valid).unwrap();
    let fake = Fake::new("deploy-migrations", &world(&valid, &ops));
    let out = fake.run(&render(&valid)["deploy.sh"]);
    assert!(out.status.success(), "{}", output_text(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let last = stderr.lines().last().unwrap_or_default();
    assert!(
        last.contains("pgplan apply --target sql")
            && last.contains(&format!("{database} as {owner}"))
            && last.contains(&format!("GRANT \"{owner}\" TO \"{admin}\";")),
        "{last}"
    );
    // Standard output still ends with the server's name.
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.trim_end().ends_with(".postgres.database.azure.com"),
        "{stdout}"
    );
    // Without migrations, no such message.
    assert!(!render(&without)["deploy.sh"].contains("pgplan apply --target sql"));
}
