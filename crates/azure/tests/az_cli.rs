//! Every command of every rendered `az` script goes through the real Azure
//! CLI 2.91 (azure-cli from PyPI, installed by scripts/install-test-deps.sh).
//!
//! First each script runs under bash, as a user runs it, with the stateful
//! fake `az` of `fake.rs` on PATH — from nothing, again over what the first
//! run made, and (for VNet integrations) over a subnet that exists without
//! its delegation — so the commands are exactly what bash passes after
//! quoting and variable expansion, down every branch the script takes.
//! Then every distinct command runs through the real CLI in one process
//! (`tools/az_check.py`: a stand-in login, every HTTP request captured and
//! refused): a command the CLI accepts gets as far as its request to Azure;
//! one it rejects stops before, with exit code 2 (argparse) or 1 (a
//! validator).

use std::collections::BTreeSet;
use std::time::Instant;

use pgplan_azure::render_operations;

use crate::fake::{Fake, SUBSCRIPTION, az_check, environment, world};
use crate::support::{azure_plans, is_rule_example, name};

/// A command's subcommand words and its flags, without their values.
fn shape(args: &[String]) -> Vec<String> {
    let mut words: Vec<String> = args
        .iter()
        .take_while(|a| !a.starts_with("--"))
        .cloned()
        .collect();
    let mut flags: Vec<String> = args
        .iter()
        .filter(|a| a.starts_with("--"))
        .map(|a| a.split('=').next().unwrap_or(a).to_owned())
        .collect();
    flags.sort();
    words.extend(flags);
    words
}

#[test]
fn every_az_command_of_every_script_passes_the_cli_parser() {
    let started = Instant::now();
    let mut commands = BTreeSet::new();
    let mut shapes = BTreeSet::new();
    let mut per_plan = Vec::new();
    let mut plans = azure_plans();
    // The rules' examples last, so that the other plans' shapes are known.
    plans.sort_by_key(|(path, _)| is_rule_example(path));
    for (path, plan) in plans {
        let valid = plan.validate().expect("the plan validates");
        let ops = render_operations(&valid).unwrap();
        let script = crate::support::render(&valid)["deploy.sh"].clone();
        assert!(script.starts_with("#!/usr/bin/env bash\n"));
        assert!(script.contains("\nset -euo pipefail\n"));
        let world = world(&valid, &ops);
        let mut calls = Vec::new();
        let mut fake = Fake::new("record", &world);
        fake.env = environment(&valid);
        // The rules' examples vary one plan: their first run has every
        // command shape the second run's would.
        let runs: &[&str] = if is_rule_example(&path) {
            &["first"]
        } else {
            &["first", "again"]
        };
        for run in runs {
            let out = fake.run(&script);
            assert!(
                out.status.success(),
                "{} ({run} run): {}{}",
                name(&path),
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            calls.extend(fake.calls());
            fake.clear_log();
        }
        // A subnet that exists without its delegation takes the update.
        if !is_rule_example(&path) && ops.iter().any(|o| !o.prerequisites.is_empty()) {
            let mut state = world.clone();
            for op in &ops {
                for p in &op.prerequisites {
                    if p.kind != pgplan_azure::PrerequisiteKind::DelegatedSubnet {
                        continue;
                    }
                    let id = p.resource_id.replace("{subscriptionId}", SUBSCRIPTION);
                    let parts: Vec<&str> = id.split('/').collect();
                    let key = format!(
                        "subnet|{}|{}|{}|{}",
                        parts[2], parts[4], parts[8], parts[10]
                    );
                    state["resources"][key] = serde_json::json!({"id": id, "delegation": null});
                }
            }
            fake.set_state(&state);
            let out = fake.run(&script);
            assert!(
                out.status.success(),
                "{}: {}",
                name(&path),
                String::from_utf8_lossy(&out.stderr)
            );
            calls.extend(fake.calls());
        }
        let calls: Vec<Vec<String>> = calls
            .into_iter()
            .filter(|c| c.argv[0] != "psql")
            .map(|c| c.argv)
            .collect();
        assert!(
            calls
                .iter()
                .any(|c| c.get(2).map(String::as_str) == Some("create")),
            "{}: no server create among {calls:?}",
            name(&path)
        );
        per_plan.push((name(&path), calls.len()));
        if is_rule_example(&path) {
            // The rules' fixed examples are small variations of one plan:
            // only commands of a shape (subcommand and flags) no plan has
            // shown yet go to the CLI.
            commands.extend(calls.into_iter().filter(|c| shapes.insert(shape(c))));
        } else {
            shapes.extend(calls.iter().map(|c| shape(c)));
            commands.extend(calls);
        }
    }
    let recorded = started.elapsed();
    let commands: Vec<Vec<String>> = commands.into_iter().collect();
    let count = commands.len();
    let verdicts = az_check(&commands);
    assert_eq!(verdicts.len(), count);
    let rejected: Vec<String> = verdicts
        .iter()
        .filter(|v| !v.accepted())
        .map(|v| {
            format!(
                "az {}\n  exit {:?}: {}",
                v.argv.join(" "),
                v.code,
                v.output.trim()
            )
        })
        .collect();
    eprintln!(
        "az CLI check: {count} distinct commands from {per_plan:?}, recorded in {:.1} s, checked by azure-cli in {:.1} s",
        recorded.as_secs_f64(),
        started.elapsed().as_secs_f64() - recorded.as_secs_f64()
    );
    assert!(
        rejected.is_empty(),
        "rejected by the Azure CLI:\n{}",
        rejected.join("\n")
    );
}

/// The check must notice a rejected command, or the one above proves
/// nothing: the seed's old `--high-availability` flag, the removed
/// `--database-name`, a condition az cannot read and a scope that is not a
/// resource id are all rejected before any request.
#[test]
fn the_cli_check_catches_what_the_cli_rejects() {
    let words = |s: &str| s.split(' ').map(str::to_owned).collect::<Vec<_>>();
    let mut alert = words(
        "monitor metrics alert create --resource-group rg --name a --scopes /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.DBforPostgreSQL/flexibleServers/pg --condition",
    );
    alert.push("average cpu_percent > 85".into());
    let mut not_an_id =
        words("monitor metrics alert create --resource-group rg --name a --scopes pg --condition");
    not_an_id.push("avg cpu_percent > 85".into());
    let verdicts = az_check(&[
        words(
            "postgres flexible-server create --resource-group rg --name pgplan-check --high-availability ZoneRedundant",
        ),
        words(
            "postgres flexible-server db create --resource-group rg --server-name pgplan-check --database-name d",
        ),
        alert,
        not_an_id,
    ]);
    let codes: Vec<Option<i64>> = verdicts.iter().map(|v| v.code).collect();
    assert_eq!(codes, [Some(2), Some(2), Some(1), Some(1)], "{verdicts:#?}");
    assert!(verdicts.iter().all(|v| !v.accepted()), "{verdicts:#?}");
    // And it accepts what is right: the same alert, readable.
    let mut ok = words(
        "monitor metrics alert create --resource-group rg --name a --scopes /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.DBforPostgreSQL/flexibleServers/pg --condition",
    );
    ok.push("avg cpu_percent > 85".into());
    let v = az_check(&[ok]);
    assert!(v[0].accepted(), "{v:#?}");
}
