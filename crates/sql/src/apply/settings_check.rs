//! Settings that can stop a server: checked before `ALTER SYSTEM` writes
//! them, and read back after the reload.
//!
//! PostgreSQL accepts `ssl = on` without a certificate, and a preload
//! library that is not installed, with a reload — the running server carries
//! on — but the next start fails (`could not load server certificate
//! file`, `could not access file "…": No such file or directory`). So
//! before changing anything: the certificate and key files `ssl` would use
//! exist, and so does every library a preload setting would load. After
//! the reload, `pg_file_settings` is read for values the server did not
//! take.

use std::collections::BTreeMap;

use tokio_postgres::Client;

use super::session::error_text;
use crate::desired::list_elements;
use crate::diff::{ChangeSet, Phase};
use crate::error::Error;
use crate::statement::{SettingValue, Statement};

/// Parameters that load libraries; a missing one stops the server
/// (`shared_…`) or every new connection (`session_…`, `local_…`).
const LIBRARY_PARAMETERS: &[&str] = &[
    "shared_preload_libraries",
    "session_preload_libraries",
    "local_preload_libraries",
];

fn is_on(v: &str) -> bool {
    matches!(
        v.trim().trim_matches('\'').to_ascii_lowercase().as_str(),
        "on" | "true" | "yes" | "1"
    )
}

/// The values `ALTER SYSTEM` would set, by parameter.
fn planned(changes: &ChangeSet) -> BTreeMap<String, Vec<String>> {
    let mut out = BTreeMap::new();
    for change in changes.runnable().filter(|c| c.phase == Phase::Settings) {
        for s in &change.statements {
            if let Statement::AlterSystemSet { name, value } = s {
                let values = match value {
                    SettingValue::Single(v) => vec![v.clone()],
                    SettingValue::List(items) => items.clone(),
                };
                out.insert(name.clone(), values);
            }
        }
    }
    out
}

async fn setting(client: &Client, name: &str) -> Result<String, tokio_postgres::Error> {
    client
        .query_one("SELECT pg_catalog.current_setting($1)", &[&name])
        .await
        .map(|r| r.get(0))
}

/// True when the server can see a file (relative paths are in the data
/// directory).
async fn file_exists(client: &Client, path: &str) -> Result<bool, tokio_postgres::Error> {
    client
        .query_one(
            "SELECT (pg_catalog.pg_stat_file($1, true)).size IS NOT NULL",
            &[&path],
        )
        .await
        .map(|r| r.get(0))
}

fn cannot_check(server: &str, setting: &str, what: &str, e: &tokio_postgres::Error) -> Error {
    Error::Setting {
        setting: setting.to_owned(),
        server: server.to_owned(),
        message: format!(
            "cannot check {what} before changing it ({}); nothing was changed (connect as a superuser, which ALTER SYSTEM needs anyway)",
            error_text(e)
        ),
        applied: false,
    }
}

/// Refuses, before anything changes, a setting that would keep the server
/// from starting.
pub(super) async fn check_before(
    client: &Client,
    server: &str,
    changes: &ChangeSet,
) -> Result<(), Error> {
    let planned = planned(changes);
    if planned.is_empty() {
        return Ok(());
    }
    let value_of = |name: &str| planned.get(name).and_then(|v| v.first()).cloned();
    let ssl_on = value_of("ssl").is_some_and(|v| is_on(&v));
    if ssl_on {
        for (name, what) in [
            ("ssl_cert_file", "certificate"),
            ("ssl_key_file", "private key"),
            ("ssl_ca_file", "CA certificate"),
        ] {
            let path = match value_of(name) {
                Some(v) => v,
                None => setting(client, name)
                    .await
                    .map_err(|e| cannot_check(server, "ssl", name, &e))?,
            };
            if path.is_empty() {
                continue;
            }
            let exists = file_exists(client, &path)
                .await
                .map_err(|e| cannot_check(server, "ssl", &format!("the {what} file {path}"), &e))?;
            if !exists {
                return Err(Error::Setting {
                    setting: "ssl".into(),
                    server: server.to_owned(),
                    message: format!(
                        "ssl = on needs the {what} file {name} = '{path}', which the server does not have: the next start would fail (could not load server certificate file); nothing was changed. Put the {what} there (in the data directory when the path is relative), set {name} in tuning.parameters, or set security.tls.required: false"
                    ),
                    applied: false,
                });
            }
        }
    }
    let libraries: Vec<(&str, &String)> = LIBRARY_PARAMETERS
        .iter()
        .filter_map(|p| planned.get(*p).map(|v| (*p, v)))
        .flat_map(|(p, v)| v.iter().map(move |lib| (p, lib)))
        .collect();
    if libraries.is_empty() {
        return Ok(());
    }
    let libdir: String = client
        .query_one(
            "SELECT setting FROM pg_catalog.pg_config WHERE name = 'PKGLIBDIR'",
            &[],
        )
        .await
        .map_err(|e| cannot_check(server, libraries[0].0, "the library directory", &e))?
        .get(0);
    for (parameter, library) in libraries {
        let current = setting(client, parameter)
            .await
            .map_err(|e| cannot_check(server, parameter, parameter, &e))?;
        if list_elements(&current).iter().any(|l| l == library) {
            continue; // loaded today, so it is there
        }
        let mut path = match library.strip_prefix("$libdir/") {
            Some(rest) => format!("{libdir}/{rest}"),
            None if library.contains('/') => library.clone(),
            None => format!("{libdir}/{library}"),
        };
        if !path.ends_with(".so") {
            path.push_str(".so");
        }
        let exists = file_exists(client, &path)
            .await
            .map_err(|e| cannot_check(server, parameter, &format!("library {library}"), &e))?;
        if !exists {
            return Err(Error::Setting {
                setting: parameter.to_owned(),
                server: server.to_owned(),
                message: format!(
                    "library `{library}` is not installed ({path} does not exist): with it in {parameter} the {} would fail; nothing was changed. Install the extension's package on the server, or remove it from the plan",
                    if parameter == "shared_preload_libraries" {
                        "next start"
                    } else {
                        "next connection"
                    }
                ),
                applied: false,
            });
        }
    }
    Ok(())
}

/// After `ALTER SYSTEM` and the reload: every value the server did not
/// take is an error; values waiting for a restart are returned.
/// `pg_file_settings` says "setting could not be applied" both for a value
/// that waits for a restart and for one the server refuses, so
/// `needs_restart` (the parameter catalog) tells them apart.
pub(super) async fn check_after(
    client: &Client,
    server: &str,
    needs_restart: impl Fn(&str) -> bool,
) -> Result<Vec<String>, Error> {
    let rows = client
        .query(
            "SELECT name, sourcefile, sourceline, error FROM pg_catalog.pg_file_settings WHERE error IS NOT NULL",
            &[],
        )
        .await
        .map_err(|e| Error::Inspect {
            what: "pg_file_settings after the reload".into(),
            server: server.to_owned(),
            message: error_text(&e),
        })?;
    for row in &rows {
        let name: Option<String> = row.get(0);
        let file: Option<String> = row.get(1);
        let line: Option<i32> = row.get(2);
        let error: String = row.get(3);
        let waits = error == "setting could not be applied"
            && name.as_deref().is_some_and(&needs_restart)
            || error.contains("cannot be changed without restarting the server");
        if waits {
            continue; // reported as pending
        }
        return Err(Error::Setting {
            setting: name.unwrap_or_else(|| "the configuration".into()),
            server: server.to_owned(),
            message: format!(
                "the server did not take it after the reload: {error} ({}:{}); the next start would fail too — fix the value (ALTER SYSTEM RESET it, or correct the file) before restarting",
                file.unwrap_or_default(),
                line.unwrap_or_default()
            ),
            applied: true,
        });
    }
    let pending = client
        .query(
            "SELECT name FROM pg_catalog.pg_settings WHERE pending_restart ORDER BY name",
            &[],
        )
        .await
        .map_err(|e| Error::Inspect {
            what: "pending restarts".into(),
            server: server.to_owned(),
            message: error_text(&e),
        })?;
    let mut names: Vec<String> = pending.iter().map(|r| r.get(0)).collect();
    // The reload reaches the backends a moment later; the catalog knows
    // which changed values wait for a restart already.
    for row in &rows {
        if let Some(name) = row.get::<_, Option<String>>(0)
            && needs_restart(&name)
            && !names.contains(&name)
        {
            names.push(name);
        }
    }
    names.sort();
    Ok(names)
}
