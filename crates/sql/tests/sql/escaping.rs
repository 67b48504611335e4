//! The server-side escaping of `pgplan_core::escape`, checked against its
//! real consumers on arbitrary text: `postgres -C` reads postgresql.conf
//! values, `pg_hba_file_rules` reads pg_hba.conf fields, the server reads
//! SQL identifiers and literals, psql reads meta-command arguments,
//! `\connect` lines and init.sql's role-attribute lines. Each must read
//! back exactly the value, and nothing more: no extra setting, rule,
//! statement or meta-command.

use std::process::Command;
use std::sync::{Mutex, OnceLock};

use pgplan_core::escape::{conf, hba, psql, sql};
use pgplan_testkit::PgServer;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

use super::support::{self, connect};

/// Text a hostile plan could hold (no NUL, which the plan reader refuses).
fn hostile() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        "[a-zA-Z0-9_ ]{1,8}",
        prop::sample::select(vec![
            "'",
            "\"",
            "\\",
            "\\'",
            "''",
            "\"\"",
            "`id`",
            "$",
            ":x",
            ":'x'",
            "#",
            "=",
            ",",
            "\n",
            "\r",
            "\t",
            "\u{1b}[1A",
            "\u{7f}",
            "\u{85}",
            "\u{202e}",
            "é",
            "한글",
            "😀",
            "+",
            "@",
            "/",
            "all",
            "replication",
            ";",
            "--",
            "/*",
            "\\n",
            "\\033",
            "fsync = off",
        ])
        .prop_map(str::to_owned),
        any::<char>()
            .prop_filter("no NUL", |c| *c != '\0')
            .prop_map(String::from),
    ];
    prop::collection::vec(piece, 0..8).prop_map(|p| p.concat())
}

/// A PostgreSQL identifier: 1–63 bytes, no NUL.
fn name() -> impl Strategy<Value = String> {
    hostile().prop_map(|s| {
        let mut out = String::new();
        for c in s.chars() {
            if out.len() + c.len_utf8() > 63 {
                break;
            }
            out.push(c);
        }
        if out.is_empty() { "x".into() } else { out }
    })
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(64)
}

fn runner() -> TestRunner {
    TestRunner::new(Config {
        cases: cases(),
        failure_persistence: None,
        ..Config::default()
    })
}

/// postgres -C reads every escaped value back exactly, and the settings
/// around it keep theirs: no value ends its line or its quotes early.
#[test]
fn postgresql_conf_values_read_back_exactly() {
    let pg = support::server(15);
    runner()
        .run(&prop::collection::vec(hostile(), 1..5), |values| {
            let mut file = String::from("fsync = on\n");
            let mut names = Vec::new();
            for (i, v) in values.iter().enumerate() {
                file.push_str(&format!("# {}\n", conf::comment(v)));
                file.push_str(&format!("pgplan.v{i} = {}\n", conf::value(v)));
                names.push(format!("pgplan.v{i}"));
            }
            file.push_str("pgplan.after = 'sentinel'\n");
            names.push("pgplan.after".into());
            names.push("fsync".into());
            names.push("hba_file".into());
            let refs: Vec<&str> = names.iter().map(String::as_str).collect();
            let read = pg
                .read_config(&file, &refs)
                .map_err(|e| TestCaseError::fail(format!("{e}\n{file}")))?;
            let mut want = values.clone();
            want.push("sentinel".into());
            want.push("on".into());
            prop_assert_eq!(&read[..want.len()], &want[..], "{}", file);
            prop_assert!(read[want.len()].ends_with("/pg_hba.conf"), "{}", file);
            Ok(())
        })
        .unwrap();
}

/// Issue 15, finding 1: a string parameter whose value held `\'` and line
/// breaks became new settings in postgresql.conf.
#[test]
fn a_conf_value_cannot_add_settings() {
    let pg = support::server(15);
    let injected = "public\\'\nfsync = off\nhba_file = pg_ident.conf\n#";
    // log_line_prefix takes any text (search_path would also check the
    // list syntax), so the whole value is read back.
    let file = format!("log_line_prefix = {}\n", conf::value(injected));
    let read = pg
        .read_config(&file, &["fsync", "hba_file", "log_line_prefix"])
        .unwrap();
    assert_eq!(read[0], "on", "{file}");
    assert!(read[1].ends_with("/pg_hba.conf"), "{file}");
    assert_eq!(read[2], injected);
}

/// A server of its own whose pg_hba.conf the tests rewrite
/// (`pg_hba_file_rules` reads the file as it is on disk; nothing reloads it).
fn hba_server() -> &'static Mutex<PgServer> {
    static SERVER: OnceLock<Mutex<PgServer>> = OnceLock::new();
    SERVER.get_or_init(|| Mutex::new(PgServer::start(15).expect("a PostgreSQL 15 server")))
}

/// pg_hba_file_rules reads every escaped name back as exactly one database
/// and one user: no keyword, group, file inclusion, extra field or line.
#[test]
fn pg_hba_fields_read_back_exactly() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let server = hba_server().lock().unwrap_or_else(|e| e.into_inner());
    let hba_path = server.data_dir().join("pg_hba.conf");
    let original = std::fs::read_to_string(&hba_path).unwrap();
    let client = rt.block_on(connect(&server, "postgres"));
    let names = prop::collection::vec(
        (name(), name()).prop_filter("representable", |(d, u)| {
            hba::cannot_hold(d).is_none() && hba::cannot_hold(u).is_none()
        }),
        1..5,
    );
    let result = runner().run(&names, |pairs| {
        let mut file = original.clone();
        for (db, user) in &pairs {
            file.push_str(&format!(
                "local {} {} trust\n",
                hba::field(db).unwrap(),
                hba::field(user).unwrap()
            ));
        }
        file.push_str("local sentinel_db sentinel_user reject\n");
        std::fs::write(&hba_path, &file).unwrap();
        let rows = rt
            .block_on(client.query(
                "SELECT database, user_name, error FROM pg_catalog.pg_hba_file_rules ORDER BY line_number",
                &[],
            ))
            .unwrap();
        let rules: Vec<(Vec<String>, Vec<String>, Option<String>)> = rows
            .iter()
            .map(|r| (r.get(0), r.get(1), r.get(2)))
            .collect();
        let ours = &rules[rules.len() - pairs.len() - 1..];
        for ((db, user), (dbs, users, error)) in pairs.iter().zip(ours) {
            prop_assert_eq!(error, &None, "{}", file);
            prop_assert_eq!(dbs, &vec![db.clone()], "{}", file);
            prop_assert_eq!(users, &vec![user.clone()], "{}", file);
        }
        let last = &ours[pairs.len()];
        prop_assert_eq!(&last.0, &vec!["sentinel_db".to_owned()], "{}", file);
        Ok(())
    });
    std::fs::write(&hba_path, &original).unwrap();
    result.unwrap();
}

/// A pg_hba.conf line written with `hba::field` admits exactly the role it
/// names when the server authenticates, quotes and all: inside a quoted
/// field `""` is one `"` (PostgreSQL 14–18 read it so), and a keyword, a
/// group (`+`), a file (`@`), a comma or a `#` in a name stays part of the
/// name. Roles whose names are pieces of it are refused by the next line.
#[test]
fn a_pg_hba_line_admits_exactly_the_role_it_names() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let server = hba_server().lock().unwrap_or_else(|e| e.into_inner());
    let hba_path = server.data_dir().join("pg_hba.conf");
    let original = std::fs::read_to_string(&hba_path).unwrap();
    let admin = rt.block_on(connect(&server, "postgres"));
    let password = "Hba-Login-Test-1";
    // Each name and the roles a wrong reading of its line would admit.
    let cases: &[(&str, &[&str])] = &[
        ("Bill \"x\" y", &["Bill", "x", "y", "Bill x y"]),
        ("a\"\"b", &["a\"b", "ab"]),
        ("\"", &["\"\""]),
        ("all", &["hba_other"]),
        ("+hba_group", &["hba_member"]),
        ("@hba_file", &["hba_file"]),
        ("x,hba_other", &["x", "hba_other"]),
        ("a#b", &["a"]),
        ("é \"한\"", &["é", "한"]),
    ];
    let mut roles: Vec<&str> = vec!["hba_group"];
    for (name, decoys) in cases {
        roles.push(name);
        roles.extend_from_slice(decoys);
    }
    roles.sort_unstable();
    roles.dedup();
    for role in &roles {
        let create = format!(
            "DROP ROLE IF EXISTS {ident}; CREATE ROLE {ident} LOGIN PASSWORD {pw}",
            ident = sql::identifier(role),
            pw = sql::literal(password)
        );
        rt.block_on(admin.batch_execute(&create)).unwrap();
    }
    rt.block_on(admin.batch_execute("GRANT hba_group TO hba_member"))
        .unwrap();
    let login = |role: &str| {
        rt.block_on(async {
            tokio_postgres::connect(
                &support::dsn_as(&server, role, password, "postgres"),
                tokio_postgres::NoTls,
            )
            .await
            .map(|_| ())
            .map_err(|e| {
                e.as_db_error()
                    .map_or(e.to_string(), |d| d.message().to_owned())
            })
        })
    };
    let mut failures = Vec::new();
    for (name, decoys) in cases {
        let file = format!(
            "host all postgres all scram-sha-256\nhost all {} all scram-sha-256\nhost all all all reject\n",
            hba::field(name).unwrap()
        );
        std::fs::write(&hba_path, &file).unwrap();
        rt.block_on(admin.batch_execute("SELECT pg_reload_conf()"))
            .unwrap();
        // The postmaster reloads on its own time: wait until the named role
        // gets in (or give up after ten seconds and report it).
        let mut admitted = login(name);
        for _ in 0..100 {
            if admitted.is_ok() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
            admitted = login(name);
        }
        if let Err(e) = admitted {
            failures.push(format!("{name:?} was refused ({e}) by:\n{file}"));
        }
        for decoy in *decoys {
            match login(decoy) {
                Err(e) if e.contains("pg_hba.conf rejects") => {}
                other => {
                    failures.push(format!("{decoy:?} was not refused ({other:?}) by:\n{file}"))
                }
            }
        }
    }
    std::fs::write(&hba_path, &original).unwrap();
    rt.block_on(admin.batch_execute("SELECT pg_reload_conf()"))
        .unwrap();
    for role in &roles {
        let _ = rt.block_on(
            admin.batch_execute(&format!("DROP ROLE IF EXISTS {}", sql::identifier(role))),
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The server reads an escaped literal back as the value and an escaped
/// identifier back as the name; the statement after them still runs, alone.
#[test]
fn sql_literals_and_identifiers_read_back_exactly() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let pg = support::server(15);
    let client = rt.block_on(connect(pg, "postgres"));
    runner()
        .run(&(hostile(), name()), |(value, ident)| {
            let text = format!(
                "SELECT {} AS {}; SELECT 'sentinel'",
                sql::literal(&value),
                sql::identifier(&ident)
            );
            let messages = rt
                .block_on(client.simple_query(&text))
                .map_err(|e| TestCaseError::fail(format!("{e}: {text}")))?;
            let rows: Vec<&tokio_postgres::SimpleQueryRow> = messages
                .iter()
                .filter_map(|m| match m {
                    tokio_postgres::SimpleQueryMessage::Row(r) => Some(r),
                    _ => None,
                })
                .collect();
            prop_assert_eq!(rows.len(), 2, "{}", text);
            prop_assert_eq!(rows[0].get(0), Some(value.as_str()), "{}", text);
            prop_assert_eq!(rows[0].columns()[0].name(), ident.as_str(), "{}", text);
            prop_assert_eq!(rows[1].get(0), Some("sentinel"));
            Ok(())
        })
        .unwrap();
}

fn run_psql(pg: &PgServer, script: &str) -> (bool, String, String) {
    let dir = std::env::temp_dir().join(support::unique_tag("pgplan-escape-psql"));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("script.sql");
    std::fs::write(&file, script).unwrap();
    let mut cmd = Command::new(
        pg.psql_path()
            .expect("psql (run scripts/install-test-deps.sh)"),
    );
    cmd.args(["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d"])
        .arg(pg.dsn("postgres"))
        .arg("-f")
        .arg(&file);
    for var in ["PGHOST", "PGPORT", "PGUSER", "PGPASSWORD", "PGDATABASE"] {
        cmd.env_remove(var);
    }
    let out = cmd.output().unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    (
        out.status.success(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// psql prints an escaped `\echo` argument back exactly: no variable is
/// interpolated, no backquoted command runs, the line does not end early.
#[test]
fn psql_arguments_read_back_exactly() {
    let pg = support::server(15);
    runner()
        .run(&prop::collection::vec(hostile(), 1..4), |values| {
            let mut script = String::from("\\set x INTERPOLATED\n");
            for v in &values {
                script.push_str(&format!("\\echo {}\n", psql::argument(v)));
            }
            script.push_str("\\echo END\n");
            let (ok, out, err) = run_psql(pg, &script);
            prop_assert!(ok, "{}\n{}", script, err);
            let mut want: String = values.iter().map(|v| format!("{v}\n")).collect();
            want.push_str("END\n");
            prop_assert_eq!(out, want, "{}", script);
            Ok(())
        })
        .unwrap();
}

/// psql's `\connect` line reaches exactly the named database, whatever the
/// name holds — quotes (`"template1"`), backslashes, `=`, spaces, line
/// breaks.
#[test]
fn psql_connect_reaches_the_named_database() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let pg = support::server(15);
    let admin = rt.block_on(connect(pg, "postgres"));
    let tag = support::unique_tag("esc");
    let fixed = [
        "\"template1\"".to_owned(),
        format!("{tag} it's a\\db=x"),
        format!("\"{tag}\" \"\""),
        format!("{tag}\nline"),
    ];
    let mut names: Vec<String> = fixed.to_vec();
    let mut runner = runner();
    for _ in 0..cases().min(16) {
        let tree = name().new_tree(&mut runner).unwrap();
        let mut n = format!("{tag}{}", tree.current());
        while n.len() > 63 {
            n.pop();
        }
        if !names.contains(&n) {
            names.push(n);
        }
    }
    let mut script = String::new();
    for n in &names {
        rt.block_on(admin.batch_execute(&format!("CREATE DATABASE {}", sql::identifier(n))))
            .unwrap_or_else(|e| panic!("create {n:?}: {e}"));
        script.push_str(&psql::connect(n));
        script.push_str("\nSELECT encode(convert_to(current_database(), 'UTF8'), 'hex');\n");
    }
    let (ok, out, err) = run_psql(pg, &script);
    for n in &names {
        let _ = rt.block_on(admin.batch_execute(&format!("DROP DATABASE {}", sql::identifier(n))));
    }
    assert!(ok, "{script}\n{err}");
    let got: Vec<String> = out.lines().map(str::to_owned).collect();
    let want: Vec<String> = names
        .iter()
        .map(|n| n.bytes().map(|b| format!("{b:02x}")).collect())
        .collect();
    assert_eq!(got, want, "{script}");
}

/// init.sql's attribute line (`SELECT concat(…) … \gexec`) changes exactly
/// the named role, whatever its name holds: psql runs it, the server builds
/// the `ALTER ROLE` from the quoted name, and the role then has exactly the
/// planned attributes (drift added by hand removed, the missing one added).
#[test]
fn role_attribute_lines_change_exactly_the_named_role() {
    use pgplan_core::{RoleAttribute, RoleName};
    let pg = support::server(15);
    runner()
        .run(&name(), |raw| {
            let role = RoleName::new(raw.as_str())
                .map_err(|e| TestCaseError::fail(format!("{e}")))?;
            let quoted = sql::identifier(role.as_str());
            let planned = std::collections::BTreeSet::from([RoleAttribute::CreateDb]);
            let script = format!(
                "CREATE ROLE {quoted} CREATEROLE;\n{}\nSELECT rolcreatedb, rolcreaterole, rolsuper FROM pg_catalog.pg_roles WHERE rolname = {};\nDROP ROLE {quoted};\n",
                pgplan_sql::render::psql_sync_role_attributes(&role, &planned),
                sql::literal(role.as_str()),
            );
            let (ok, out, err) = run_psql(pg, &script);
            prop_assert!(ok, "{}\n{}", script, err);
            prop_assert_eq!(out, "t|f|f\n", "{}", script);
            Ok(())
        })
        .unwrap();
}
