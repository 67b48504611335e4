//! The migration runner the Kubernetes schema Job runs
//! ([`pgplan_sql::migration_runner_for_job`]), run with psql the way the Job
//! runs it (`--file`, the scripts beside it), against a real server, on the
//! history `apply` writes: one history, whichever runs the scripts. It skips
//! what apply ran, runs the rest as the owner (a non-transactional script
//! statement by statement), leaves apply nothing to do, rolls a failing
//! script back naming its file and line, and refuses a changed applied
//! script before running anything.

use std::process::Command;

use pgplan_core::model::migrations::{MigrationScript, Migrations};
use pgplan_core::{Plan, ValidPlan};
use pgplan_sql::{ApplyOptions, apply, diff, migration_runner_for_job};

use super::support::{self, connect, passwords_for};

const MAJOR: u32 = 17;

fn valid(plan: &Plan) -> ValidPlan {
    plan.validate().unwrap_or_else(|r| panic!("{r:#?}"))
}

/// Writes the runner and its files to a directory and runs it with psql
/// as the superuser; returns (success, output).
fn run_job(pg: &pgplan_testkit::PgServer, plan: &ValidPlan) -> (bool, String) {
    let job = migration_runner_for_job(plan).expect("the plan has migrations");
    let dir = std::env::temp_dir().join(format!("pgplan-sql-{}", support::unique_tag("runner")));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("migrate.psql"), &job.runner).unwrap();
    for (key, text) in &job.files {
        std::fs::write(dir.join(key), text).unwrap();
    }
    let mut cmd = Command::new(pg.psql_path().expect("psql"));
    cmd.args(["--no-psqlrc", "--quiet", "--set=ON_ERROR_STOP=1"])
        .arg(format!(
            "--dbname=host={} port={} dbname=postgres user={}",
            pg.host(),
            pg.port(),
            pg.superuser()
        ))
        .arg(format!("--file={}", dir.join("migrate.psql").display()))
        .env("PGPASSWORD", pg.password());
    for var in ["PGHOST", "PGPORT", "PGUSER", "PGDATABASE", "PGSERVICE"] {
        cmd.env_remove(var);
    }
    let out = cmd.output().unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

#[tokio::test]
async fn the_jobs_runner_and_apply_keep_one_history() {
    let pg = support::server(MAJOR);
    let tag = support::unique_tag("migjob");
    let schema = format!("{tag}_product_change");
    let db = format!("{tag}_product_change_db");
    let mut plan = support::seed_000(MAJOR, &tag);
    let script = |file: &str, sql: String| MigrationScript::new(file, sql);
    plan.databases[0].migrations = Some(Migrations {
        scripts: vec![script(
            "V1__init.sql",
            format!("CREATE TABLE {schema}.item (id int PRIMARY KEY, name text);\n"),
        )],
        ..Default::default()
    });
    let (secrets, _) = passwords_for(&plan, &tag);
    let opts = ApplyOptions::default().secrets(secrets);
    let dsn = pg.dsn("postgres");
    // apply runs V1.
    apply(&valid(&plan), &dsn, &opts).await.unwrap();

    // The Job's runner, with two more scripts: V1 is apply's, V2 and V3 run.
    let scripts = &mut plan.databases[0].migrations.as_mut().unwrap().scripts;
    scripts.push(script(
        "V2__index_by_name.sql",
        format!(
            "-- pgplan:no-transaction\nCREATE INDEX CONCURRENTLY item_name_idx ON {schema}.item (name);\n"
        ),
    ));
    scripts.push(script(
        "V3__rows.sql",
        format!("INSERT INTO {schema}.item VALUES (1, 'one');\nSET LOCAL search_path TO {schema};\nINSERT INTO item VALUES (2, 'two')"),
    ));
    let (ok, out) = run_job(pg, &valid(&plan));
    assert!(ok, "{out}");
    assert!(
        out.contains(&format!("{db} V1__init.sql is applied already")),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "running {db} V2__index_by_name.sql as {tag}_product_change_admin (outside a transaction)"
        )),
        "{out}"
    );
    // apply reads the Job's history: nothing pending, nothing to change.
    let changes = diff(&valid(&plan), &dsn, &opts).await.unwrap();
    assert!(changes.changes.is_empty(), "{changes}");
    let admin = connect(pg, &db).await;
    let history = support::strings(
        &admin,
        "SELECT script || ' ' || transactional || ' ' || run_as || ' ' || (duration_ms >= 0) FROM pgplan.schema_history ORDER BY version",
        &[],
    )
    .await;
    let owner = format!("{tag}_product_change_admin");
    assert_eq!(
        history.into_iter().collect::<Vec<_>>(),
        [
            format!("V1__init.sql true {owner} true"),
            format!("V2__index_by_name.sql false {owner} true"),
            format!("V3__rows.sql true {owner} true"),
        ]
    );
    let index_owner = support::strings(
        &admin,
        "SELECT pg_get_userbyid(relowner) FROM pg_class WHERE relname = 'item_name_idx'",
        &[],
    )
    .await;
    assert_eq!(index_owner.into_iter().collect::<Vec<_>>(), [owner]);
    // A second run runs nothing.
    let (ok, out) = run_job(pg, &valid(&plan));
    assert!(ok && !out.contains("running "), "{out}");

    // A failing script: rolled back, named with its file and line.
    let scripts = &mut plan.databases[0].migrations.as_mut().unwrap().scripts;
    scripts.push(script(
        "V4__more.sql",
        format!(
            "CREATE TABLE {schema}.more (id int);\n\nINSERT INTO {schema}.item VALUES (1, 'again');\n"
        ),
    ));
    let (ok, out) = run_job(pg, &valid(&plan));
    assert!(!ok, "{out}");
    assert!(
        out.contains(&format!("{db}.V4__more.sql:3: ERROR:  duplicate key value")),
        "{out}"
    );
    let more = support::strings(
        &admin,
        &format!("SELECT coalesce(to_regclass('{schema}.more')::text, 'none')"),
        &[],
    )
    .await;
    assert_eq!(
        more.into_iter().collect::<Vec<_>>(),
        ["none"],
        "nothing half-applied"
    );

    // A changed applied script stops the runner before anything runs.
    let scripts = &mut plan.databases[0].migrations.as_mut().unwrap().scripts;
    scripts[3].sql = format!("CREATE TABLE {schema}.more (id int);\n");
    scripts[0].sql.push_str("-- edited\n");
    let (ok, out) = run_job(pg, &valid(&plan));
    assert!(!ok, "{out}");
    assert!(
        out.contains(&format!(
            "migrations of database {db}: V1__init.sql changed after it was applied on"
        )) && out.contains("no migration was run"),
        "{out}"
    );
    let more = support::strings(
        &admin,
        &format!("SELECT coalesce(to_regclass('{schema}.more')::text, 'none')"),
        &[],
    )
    .await;
    assert_eq!(
        more.into_iter().collect::<Vec<_>>(),
        ["none"],
        "V4 did not run"
    );
}
