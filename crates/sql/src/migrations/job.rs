//! The psql runner of a plan's migrations for jobs that have psql and not
//! pgplan (the Kubernetes schema Job): the same history table
//! ([`history_ddl`]), the same rows ([`history_insert`]) and the same checks
//! as [`pending`](super::pending), in psql.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use pgplan_core::ValidPlan;
use pgplan_core::model::migrations::MigrationScript;
use pgplan_core::seams::MigrationRunner;

use super::{
    HISTORY_SCHEMA, HISTORY_TABLE, databases_with_migrations, history_ddl, history_insert,
    history_readers,
};
use crate::render::{comment_text, ident, literal, psql_argument, psql_connect};

/// How long a script ran, as psql computes it from the time it read into
/// `pgplan_started` just before the script.
const DURATION_MS: &str =
    "(extract(epoch FROM clock_timestamp() - :'pgplan_started'::timestamptz) * 1000)::bigint";

/// The runner and its files for the plan's migrations; `None` when no
/// database has any. See [`MigrationRunner`] for how a job runs it.
///
/// ```
/// use pgplan_core::Plan;
/// let yaml = "service: shop\nenvironment: development\nversion: 17\nplatform: { local: {} }\n\
///     databases: [{ name: shop, owner: shop_owner, migrations: { scripts: [\n\
///       { file: V1__init.sql, sql: 'CREATE TABLE t (id int);' }] } }]\n\
///     roles: [{ name: shop_owner, purpose: owner }]\n";
/// let plan = Plan::from_yaml(yaml).unwrap().validate().unwrap();
/// let job = pgplan_sql::migration_runner_for_job(&plan).unwrap();
/// assert_eq!(job.files.keys().collect::<Vec<_>>(), ["shop.V1__init.sql"]);
/// assert!(job.runner.contains("\\ir 'shop.V1__init.sql'"));
/// ```
pub fn migration_runner_for_job(plan: &ValidPlan) -> Option<MigrationRunner> {
    let databases: Vec<_> = databases_with_migrations(plan).collect();
    if databases.is_empty() {
        return None;
    }
    let table = format!("{}.{}", ident(HISTORY_SCHEMA), ident(HISTORY_TABLE));
    let mut files = BTreeMap::new();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "-- pgplan: the migrations of {} ({}), run after init.sql with\n\
         -- psql --no-psqlrc --set=ON_ERROR_STOP=1 --file, as a role that may SET ROLE\n\
         -- to each migration role; the scripts are the files beside this one.\n\
         \\set ON_ERROR_STOP on\n\n\
         -- 1. Every database's history against the plan's scripts, before any runs.",
        comment_text(plan.service.as_str()),
        comment_text(&plan.environment.to_string()),
    );
    for db in &databases {
        let scripts = db
            .migrations
            .as_ref()
            .map(|m| m.in_order())
            .unwrap_or_default();
        let _ = writeln!(out, "{}", psql_connect(db.name.as_str()));
        out.push_str(&history_ddl(&history_readers(plan, db)));
        out.push_str(&history_check(db.name.as_str(), &table, &scripts));
    }
    out.push_str("\n-- 2. The pending scripts, in version order, as the migration role.\n");
    for (i, db) in databases.iter().enumerate() {
        let role = db.migration_role().as_str();
        let _ = writeln!(out, "{}", psql_connect(db.name.as_str()));
        for script in db
            .migrations
            .as_ref()
            .map(|m| m.in_order())
            .unwrap_or_default()
        {
            let key = file_key(db.name.as_str(), i, &script.file);
            out.push_str(&run_script(db.name.as_str(), role, &table, script, &key));
            files.insert(key, script.sql.clone());
        }
    }
    out.push_str("\\echo 'migrations: done'\n");
    Some(MigrationRunner { runner: out, files })
}

/// The name a script has beside the runner: `<database>.<file>`, or
/// `database.<index>.<file>` when the database's name is not made of
/// letters, digits, `_` and `-` (a ConfigMap key, and no `/`).
fn file_key(database: &str, index: usize, file: &str) -> String {
    if !database.is_empty()
        && database
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        format!("{database}.{file}")
    } else {
        format!("database.{index}.{file}")
    }
}

/// A DO block that raises, naming the file, when the history does not fit
/// the plan: as [`pending`](super::pending) decides.
fn history_check(database: &str, table: &str, scripts: &[&MigrationScript]) -> String {
    let planned: Vec<String> = scripts
        .iter()
        .map(|s| {
            format!(
                "({}, {}, {})",
                s.version().unwrap_or_default(),
                literal(&s.file),
                literal(&s.checksum())
            )
        })
        .collect();
    let next = scripts
        .iter()
        .filter_map(|s| s.version())
        .max()
        .unwrap_or(0)
        + 1;
    let planned = planned.join(",\n    ");
    let prefix = literal(&format!("migrations of database {database}: "));
    format!(
        "DO $pgplan$\n\
         DECLARE\n  problem text;\n\
         BEGIN\n\
         \x20 SELECT CASE WHEN p.file IS NULL\n\
         \x20   THEN format('version %s (%s) was applied on %s but is not among the plan''s migrations: restore the file (it cannot be undone by removing it)', h.version, h.script, h.applied_at)\n\
         \x20   ELSE format('%s changed after it was applied on %s (checksum %s in the history, %s now): restore the applied text and put the change in a new script V{next}__<description>.sql', p.file, h.applied_at, left(h.checksum, 12), left(p.checksum, 12))\n\
         \x20   END INTO problem\n\
         \x20 FROM {table} AS h LEFT JOIN (VALUES\n    {planned}\n  ) AS p (version, file, checksum) USING (version)\n\
         \x20 WHERE p.file IS NULL OR p.checksum <> h.checksum\n\
         \x20 ORDER BY h.version LIMIT 1;\n\
         \x20 IF problem IS NULL THEN\n\
         \x20   SELECT format('%s is older than V%s, which is already applied: scripts run in version order, so give it the next version (V%s)', p.file, n.newest, n.newest + 1)\n\
         \x20     INTO problem\n\
         \x20     FROM (VALUES\n    {planned}\n  ) AS p (version, file, checksum),\n\
         \x20          (SELECT max(version) AS newest FROM {table}) AS n\n\
         \x20    WHERE p.version < n.newest\n\
         \x20      AND NOT EXISTS (SELECT FROM {table} AS h WHERE h.version = p.version)\n\
         \x20    ORDER BY p.version LIMIT 1;\n\
         \x20 END IF;\n\
         \x20 IF problem IS NOT NULL THEN\n\
         \x20   RAISE EXCEPTION '%', {prefix} || problem || '; no migration was run';\n\
         \x20 END IF;\n\
         END\n$pgplan$;\n"
    )
}

/// One script: skipped when its version is in the history; else run as
/// `role` (in one transaction with its history row, or statement by
/// statement when it is marked non-transactional) and recorded.
fn run_script(
    database: &str,
    role: &str,
    table: &str,
    script: &MigrationScript,
    key: &str,
) -> String {
    let version = script.version().unwrap_or_default();
    let transactional = script.transactional();
    let what = format!("{database} {}", script.file);
    let mut s = format!(
        "\n-- {}\n\
         SELECT EXISTS (SELECT FROM {table} WHERE version = {version}) AS pgplan_applied \\gset\n\
         \\if :pgplan_applied\n\
         \\echo {}\n\
         \\else\n\
         \\echo {}\n\
         SELECT clock_timestamp() AS pgplan_started \\gset\n",
        comment_text(&script.file),
        psql_argument(&format!("migrations: {what} is applied already")),
        psql_argument(&format!(
            "migrations: running {what} as {role}{}",
            if transactional {
                ""
            } else {
                " (outside a transaction)"
            }
        )),
    );
    if transactional {
        s.push_str("BEGIN;\n");
    }
    let _ = write!(
        s,
        "SET ROLE {};\n\\ir {}\nRESET ROLE;\n{};\n",
        ident(role),
        psql_argument(key),
        history_insert(role, script, DURATION_MS),
    );
    if transactional {
        s.push_str("COMMIT;\n");
    }
    s.push_str("\\endif\n");
    s
}
