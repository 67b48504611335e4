//! The step that creates the plan's Microsoft Entra principals with psql.

use std::fmt::Write as _;

use pgplan_core::seams::EntraPrincipalScript;
use pgplan_core::{Azure, azure_facts};

use super::words::{Az, here_doc, shell_quote};
use super::{Script, require};

/// The step that creates the plan's Entra principals: each identity's
/// object id looked up, an Entra token, and the SQL run with psql as the
/// first Entra administrator (rule PGP175 guarantees one, Entra
/// authentication and listed identities).
pub(super) fn entra_step(w: &mut Script<'_>, az: &Azure, entra: &EntraPrincipalScript) {
    let rg = az.resource_group.as_str();
    let admin = az
        .auth
        .administrators
        .first()
        .map_or("", |a| a.principal_name.as_str());
    w.heading(&format!(
        "Microsoft Entra principals: roles that log in as managed identities (psql in the {} database, as Entra administrator {admin})",
        entra.database
    ));
    w.note("psql must reach the server: from its VNet (private access) or an address a firewall rule admits.");
    w.note("Run this as (a member of) that administrator; its Entra token is the password, passed in psql's environment.");
    let mut vars = Vec::new();
    for p in &entra.principals {
        let entry = azure_facts::managed_identity(az, &p.identity).unwrap_or(&p.identity);
        let lookup = if entry.starts_with('/') {
            Az::new("identity show").opt("--ids", entry)
        } else {
            w.arm(
                Az::new("identity show")
                    .opt("--resource-group", rg)
                    .opt("--name", entry),
            )
        }
        .opt("--query", "principalId")
        .opt("--output", "tsv");
        let var = &p.object_id_variable;
        w.line(&format!("{var}=\"$({})\"", lookup.render()));
        w.line(&require(
            var,
            &format!(
                "pgplan: no principal id found for managed identity {}",
                p.identity
            ),
        ));
        vars.push(var.clone());
    }
    let host = w.arm(
        Az::new("postgres flexible-server show")
            .opt("--resource-group", rg)
            .opt("--name", az.server_name.as_str())
            .opt("--query", "fullyQualifiedDomainName")
            .opt("--output", "tsv"),
    );
    w.line(&format!("pg_host=\"$({})\"", host.render()));
    let token = Az::new("account get-access-token")
        .opt("--resource-type", "oss-rdbms")
        .opt("--query", "accessToken")
        .opt("--output", "tsv");
    w.line(&format!("entra_token=\"$({})\"", token.render()));
    let (redirect, body) = here_doc(&entra.sql);
    // `--option=value`: a value that starts with `-` stays a value.
    let mut psql = format!(
        "PGPASSWORD=\"$entra_token\" PGSSLMODE=\"${{PGSSLMODE:-require}}\" psql --no-psqlrc --set=ON_ERROR_STOP=1 \\\n  --host=\"$pg_host\" --dbname={} --username={} \\\n ",
        shell_quote(&entra.database),
        shell_quote(admin)
    );
    for var in &vars {
        let _ = write!(psql, " --set={var}=\"${var}\"");
    }
    let _ = write!(psql, " --file=- {redirect}");
    w.line(&psql);
    w.out.push_str(&body);
}
