//! Converges 1,000 login roles with 11 grants each (10 schemas × 20 tables,
//! a function per schema, default privileges) on a real PostgreSQL server,
//! through the `pgplan` binary, and the same roles and privileges with
//! ldap2pg on a second, identical server, in the same run: first converge
//! and re-apply of each, their statement counts and the ratios.
//!
//! Run it with `scripts/bench-converge.sh` (installs ldap2pg from PyPI and
//! builds pgplan in release mode), or directly:
//!
//! ```sh
//! cargo build --release -p pgplan-cli --examples
//! target/release/examples/bench_converge_vs_ldap2pg --pgplan target/release/pgplan \
//!     --ldap2pg ~/.cache/pgplan/venv/ldap2pg/bin/ldap2pg [--major 17]
//! ```
//!
//! The plan's login roles have no password source on purpose: pgplan warns
//! about each (rule PGP010), as it would for a real plan written that way,
//! and the warnings are part of the time.

use std::fmt::Write as _;
use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use pgplan_testkit::PgServer;

const ROLES: usize = 1_000;
const SCHEMAS: usize = 10;
const TABLES_PER_SCHEMA: usize = 20;

type Failure = Box<dyn std::error::Error>;

/// The two schemas a role works in, and whether it writes.
fn role_shape(i: usize) -> (usize, usize, bool) {
    (i % SCHEMAS, (i + 3) % SCHEMAS, i.is_multiple_of(3))
}

fn role_name(i: usize) -> String {
    format!("bench_role_{i:04}")
}

/// The plan, with or without the 1,000 roles (without: the database, its
/// schemas and their owner, to create the tables in).
fn plan_yaml(major: u16, with_roles: bool) -> String {
    let mut y = format!(
        "service: bench\nenvironment: development\nversion: {major}\nplatform:\n  local: {{}}\n\
         tuning:\n  method: config_file\n\
         databases:\n  - name: bench_db\n    owner: bench_owner\n    schemas:\n"
    );
    for s in 0..SCHEMAS {
        let _ = writeln!(y, "      - {{ name: s{s}, owner: bench_owner }}");
    }
    y.push_str("roles:\n  - name: bench_owner\n    purpose: owner\n    login: true\n");
    if !with_roles {
        return y;
    }
    for i in 0..ROLES {
        let (a, b, writes) = role_shape(i);
        let tables = if writes {
            "[SELECT, INSERT, UPDATE]"
        } else {
            "[SELECT]"
        };
        let _ = writeln!(
            y,
            "  - name: {}\n    purpose: application\n    login: true\n    grants:\n      \
             - {{ database: bench_db, objects: database, privileges: [CONNECT] }}",
            role_name(i)
        );
        for s in [a, b] {
            let _ = writeln!(
                y,
                "      - {{ database: bench_db, schema: s{s}, objects: schema, privileges: [USAGE] }}\n      \
                 - {{ database: bench_db, schema: s{s}, objects: tables, privileges: {tables} }}\n      \
                 - {{ database: bench_db, schema: s{s}, objects: sequences, privileges: [USAGE] }}\n      \
                 - {{ database: bench_db, schema: s{s}, objects: default_tables, for_owner: bench_owner, privileges: {tables} }}"
            );
        }
        let _ = writeln!(
            y,
            "      - {{ database: bench_db, schema: s{a}, objects: functions, privileges: [EXECUTE] }}"
        );
    }
    y
}

/// The same roles and privileges as an ldap2pg 5 configuration (static
/// roles, no directory). ldap2pg drops its built-in privileges
/// (`__connect__`, …) unless a named privilege of the `privileges` section
/// lists them, so every grant names one of those.
fn ldap2pg_yaml(dsn: &str) -> String {
    let schemas: Vec<String> = (0..SCHEMAS).map(|s| format!("s{s}")).collect();
    let mut y = format!(
        "postgres:\n  dsn: '{dsn}'\n  databases_query: [bench_db]\n  schemas_query: [{}]\n  \
         owners_query: [bench_owner]\n  roles_blacklist_query: [postgres, 'pg_*', bench_owner]\n\
         privileges:\n  \
         connect: [__connect__]\n  \
         usage: [__usage_on_schemas__, __usage_on_all_sequences__]\n  \
         execute: [__execute_on_all_functions__]\n  \
         reads: [__select_on_all_tables__, __default_select_on_tables__]\n  \
         writes: [__select_on_all_tables__, __insert_on_all_tables__, __update_on_all_tables__, \
         __default_select_on_tables__, __default_insert_on_tables__, __default_update_on_tables__]\n\
         sync_map:\n- roles:\n  - names:\n",
        schemas.join(", ")
    );
    for i in 0..ROLES {
        let _ = writeln!(y, "    - {}", role_name(i));
    }
    y.push_str("    options: LOGIN\n");
    let all: Vec<String> = (0..ROLES).map(role_name).collect();
    let _ = writeln!(
        y,
        "- grant:\n    privilege: connect\n    databases: [bench_db]\n    roles: [{}]",
        all.join(", ")
    );
    for s in 0..SCHEMAS {
        let mut usage = Vec::new();
        let mut reads = Vec::new();
        let mut writes = Vec::new();
        let mut execute = Vec::new();
        for i in 0..ROLES {
            let (a, b, w) = role_shape(i);
            if a == s || b == s {
                usage.push(role_name(i));
                if w {
                    writes.push(role_name(i));
                } else {
                    reads.push(role_name(i));
                }
            }
            if a == s {
                execute.push(role_name(i));
            }
        }
        for (privilege, roles) in [
            ("usage", &usage),
            ("reads", &reads),
            ("writes", &writes),
            ("execute", &execute),
        ] {
            if roles.is_empty() {
                continue;
            }
            let _ = writeln!(
                y,
                "- grant:\n    privilege: {privilege}\n    databases: [bench_db]\n    schemas: [s{s}]\n    roles: [{}]",
                roles.join(", ")
            );
        }
    }
    y
}

/// The database, schemas and owner (through pgplan, not timed), then the
/// tables and functions the grants cover.
fn prepare(server: &PgServer, pgplan: &Path, dir: &Path, major: u16) -> Result<(), Failure> {
    let base = dir.join(format!("base-{}.yaml", server.port()));
    std::fs::write(&base, plan_yaml(major, false))?;
    run(Command::new(pgplan)
        .arg("apply")
        .arg(&base)
        .args(["--target", "sql", "--yes", "--dsn"])
        .arg(server.dsn("postgres")))?;
    let mut ddl = String::from("SET ROLE bench_owner;\n");
    for s in 0..SCHEMAS {
        for t in 0..TABLES_PER_SCHEMA {
            let _ = writeln!(
                ddl,
                "CREATE TABLE s{s}.t{t} (id bigserial PRIMARY KEY, v text);"
            );
        }
        let _ = writeln!(
            ddl,
            "CREATE FUNCTION s{s}.f(int) RETURNS int LANGUAGE sql AS 'SELECT $1';"
        );
    }
    server.psql("bench_db", &ddl)?;
    Ok(())
}

/// Runs a command; its stdout, and its stdout and stderr together.
fn run(cmd: &mut Command) -> Result<(String, String), Failure> {
    let out = cmd.output()?;
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let text = format!("{stdout}{}", String::from_utf8_lossy(&out.stderr));
    if !out.status.success() {
        return Err(format!("{cmd:?} failed ({}):\n{text}", out.status).into());
    }
    Ok((stdout, text))
}

/// Wall time of a command, best of `runs`, and its last output (stdout,
/// and stdout with stderr).
fn timed(
    runs: usize,
    mut make: impl FnMut() -> Command,
) -> Result<(f64, (String, String)), Failure> {
    let mut best = f64::INFINITY;
    let mut last = (String::new(), String::new());
    for _ in 0..runs {
        let mut cmd = make();
        let started = Instant::now();
        last = run(&mut cmd)?;
        best = best.min(started.elapsed().as_secs_f64());
    }
    Ok((best, last))
}

fn statements_of_pgplan(json: &str) -> Result<u64, Failure> {
    let v: serde_json::Value = serde_json::from_str(json)?;
    v["statements"]
        .as_u64()
        .ok_or_else(|| format!("no statement count in {v}").into())
}

/// ldap2pg's own count ("Applied N queries" / "Nothing to do").
/// ldap2pg logs one `CHANGE:` line per change it makes (a role created, a
/// privilege granted on a schema or all its tables) and says "Nothing to
/// do." when there is none.
fn statements_of_ldap2pg(output: &str) -> String {
    let changes = output.lines().filter(|l| l.contains("CHANGE:")).count();
    format!("{changes} changes")
}

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .cloned()
}

fn main() -> Result<(), Failure> {
    let args: Vec<String> = std::env::args().collect();
    let pgplan =
        PathBuf::from(arg(&args, "--pgplan").unwrap_or_else(|| "target/release/pgplan".into()));
    let ldap2pg = PathBuf::from(arg(&args, "--ldap2pg").ok_or("--ldap2pg PATH is required")?);
    let major: u16 = arg(&args, "--major").map_or(Ok(17), |m| m.parse())?;
    let runs: usize = arg(&args, "--runs").map_or(Ok(3), |m| m.parse())?;

    let dir = std::env::temp_dir().join(format!("pgplan-bench-converge-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let ours = PgServer::start(u32::from(major))?;
    let theirs = PgServer::start(u32::from(major))?;
    prepare(&ours, &pgplan, &dir, major)?;
    prepare(&theirs, &pgplan, &dir, major)?;

    let plan = dir.join("plan.yaml");
    std::fs::write(&plan, plan_yaml(major, true))?;
    let config = dir.join("ldap2pg.yml");
    std::fs::write(&config, ldap2pg_yaml(&theirs.dsn("bench_db")))?;
    // ldap2pg refuses a DSN (it holds the password) in a world-readable file.
    std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o600))?;
    let plan_bytes = std::fs::metadata(&plan)?.len();

    let dsn = ours.dsn("postgres");
    let pgplan_apply = |json: bool| {
        let mut c = Command::new(&pgplan);
        c.arg("apply")
            .arg(&plan)
            .args(["--target", "sql", "--yes", "--dsn", &dsn]);
        if json {
            c.args(["--output", "json"]);
        }
        c
    };
    let (ours_first, (out, _)) = timed(1, || pgplan_apply(true))?;
    let ours_first_statements = statements_of_pgplan(&out)?;
    let (ours_again, (_, out)) = timed(runs, || pgplan_apply(false))?;
    if !out.contains("0 statements") {
        return Err(format!("pgplan's re-apply ran statements:\n{out}").into());
    }
    let ldap2pg_run = || {
        let mut c = Command::new(&ldap2pg);
        c.arg("--real").arg("--config").arg(&config);
        c
    };
    let (theirs_first, (_, out)) = timed(1, ldap2pg_run)?;
    let theirs_first_statements = statements_of_ldap2pg(&out);
    let (theirs_again, (_, out)) = timed(runs, ldap2pg_run)?;
    let theirs_again_statements = statements_of_ldap2pg(&out);

    let acl_entries = ours.psql(
        "bench_db",
        "SELECT (SELECT count(*) FROM pg_class c CROSS JOIN LATERAL aclexplode(c.relacl) a \
           JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname LIKE 's%') \
         + (SELECT count(*) FROM pg_namespace n CROSS JOIN LATERAL aclexplode(n.nspacl) a WHERE n.nspname LIKE 's%') \
         + (SELECT count(*) FROM pg_default_acl d CROSS JOIN LATERAL aclexplode(d.defaclacl) a)",
    )?;
    println!(
        "PostgreSQL {}: {ROLES} login roles, {SCHEMAS} schemas × {TABLES_PER_SCHEMA} tables, \
         {} ACL entries afterwards; plan file {:.1} MB; re-apply best of {runs}",
        ours.version(),
        acl_entries.trim(),
        plan_bytes as f64 / 1e6
    );
    println!();
    println!("| step | ldap2pg | pgplan | pgplan is faster by |");
    println!("|---|---|---|---|");
    println!(
        "| first converge | {theirs_first:.2} s ({theirs_first_statements}) | **{ours_first:.2} s** ({ours_first_statements} statements) | **{:.1}×** |",
        theirs_first / ours_first
    );
    println!(
        "| re-apply | {theirs_again:.2} s ({theirs_again_statements}) | **{ours_again:.3} s** (0 statements) | **{:.1}×** |",
        theirs_again / ours_again
    );
    std::fs::remove_dir_all(&dir).ok();
    Ok(())
}
