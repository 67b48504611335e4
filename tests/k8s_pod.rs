//! Every Kubernetes example plan, rendered with the SQL backend's script for
//! its schema-init Job, deployed the way someone with `kubectl` deploys it
//! and run as a kubelet would run it (see `support::pod` for what is
//! emulated: there is no cluster here, and the kubectl of the bootstrap
//! script is a stand-in):
//!
//! 1. `bootstrap-secrets.sh` with bash against the kubectl stand-in fills
//!    the Secrets; the pods read exactly those passwords;
//! 2. the server starts with the rendered `postgresql.conf` and
//!    `pg_hba.conf` (and does not with a bad parameter in them), and `SHOW`
//!    of every setting equals `pgplan settings`; its probes pass;
//! 3. the schema-init Job succeeds twice; every role logs in with its
//!    Secret's password, and the SQL backend's diff finds nothing to change
//!    (roles, memberships, databases, schemas, privileges, default
//!    privileges: exactly the plan's; no pending migration: the history the
//!    Job's runner wrote is the one apply reads); the migrations' tables are
//!    the owner's, the application role writes them, the read-only role only
//!    reads them, and a changed applied script fails the Job, naming it;
//! 4. the exporter sidecar (Debian's prometheus-postgres-exporter) serves
//!    every metric the PrometheusRule reads from it;
//! 5. the backup CronJob's dump restores into a fresh server with the same
//!    rows, retention removes only old dumps, and a wrong password, a full
//!    backup volume or a stopped server fail the run;
//! 6. stopped, the server fails its probes.

use std::collections::BTreeMap;
use std::io::{Read as _, Write as _};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use pgplan::model::migrations::MigrationScript;
use pgplan::{SecretSource, ValidPlan};
use serde_json::Value;

use crate::support::pod::{Cluster, Pod, Server, run_as};
use crate::support::{example, psql, render_k8s, text, valid};

/// The superuser's password as the pods read it.
fn superuser_password(cluster: &Cluster) -> String {
    let name = cluster
        .of_kind("Secret")
        .into_iter()
        .find(|s| {
            s["metadata"]["name"]
                .as_str()
                .unwrap()
                .ends_with("-superuser")
        })
        .unwrap()["metadata"]["name"]
        .as_str()
        .unwrap()
        .to_owned();
    String::from_utf8(cluster.secret(&name).unwrap()["password"].clone()).unwrap()
}

/// psql against the emulated server as `user`.
fn sql(
    server: &Server,
    user: &str,
    password: &str,
    db: &str,
    query: &str,
) -> Result<String, String> {
    let out = psql(
        &[
            "--host=127.0.0.1",
            &format!("--port={}", server.port),
            &format!("--username={user}"),
            &format!("--dbname={db}"),
            "--tuples-only",
            "--no-align",
            "--command",
            query,
        ],
        password,
    );
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
    } else {
        Err(text(&out))
    }
}

/// The password each login role reads from its Secret, by role: the Secret
/// the plan names, or the one pgplan renders for the role.
fn role_passwords(cluster: &Cluster, plan: &ValidPlan) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for role in plan.roles.iter().filter(|r| r.password.is_some()) {
        let (secret, key) = match &role.password {
            Some(SecretSource::KubernetesSecret { name, key }) => {
                (name.to_string(), key.to_string())
            }
            _ => {
                let rendered = cluster.of_kind("Secret").into_iter().find(|s| {
                    let name = s["metadata"]["name"].as_str().unwrap();
                    cluster
                        .secret(name)
                        .and_then(|d| d.get("username").cloned())
                        == Some(role.name.as_str().as_bytes().to_vec())
                });
                let Some(rendered) = rendered else { continue };
                (
                    rendered["metadata"]["name"].as_str().unwrap().to_owned(),
                    "password".to_owned(),
                )
            }
        };
        let data = cluster
            .secret(&secret)
            .unwrap_or_else(|| panic!("no Secret {secret}"));
        out.insert(
            role.name.to_string(),
            String::from_utf8(data[&key].clone()).unwrap(),
        );
    }
    out
}

/// An HTTP GET on 127.0.0.1, as a probe or a scraper does; `None` when
/// nothing answers.
fn http_get(port: u16, path: &str) -> Option<(u16, String)> {
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
    write!(s, "GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").ok()?;
    let mut body = String::new();
    s.read_to_string(&mut body).ok()?;
    let status = body.split_whitespace().nth(1)?.parse().ok()?;
    Some((status, body))
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

/// The first database of the plan, its owner and the schema its owner
/// creates tables in.
fn data_home(plan: &ValidPlan) -> (String, String, String) {
    let db = &plan.databases[0];
    let schema = db
        .schemas
        .first()
        .map_or("public".to_owned(), |s| s.name.to_string());
    (db.name.to_string(), db.owner.to_string(), schema)
}

fn pod_emulation(file: &str) {
    let mut plan = example(file);
    let stand_in = pgplan_testkit::shared(u32::from(plan.version.get()));
    crate::support::pin_to_stand_in_build(&mut plan, stand_in);
    let plan = valid(&plan);
    let files = render_k8s(&plan);
    let cluster = Cluster::new(&files, u32::from(plan.version.get()));

    // Secrets the plan says exist already: created by hand before the
    // deploy, as their owner would have.
    for role in plan.roles.iter() {
        if let Some(SecretSource::KubernetesSecret { name, key }) = &role.password {
            cluster
                .kubectl
                .put_secret(
                    &cluster.namespace,
                    name.as_str(),
                    &BTreeMap::from([(key.to_string(), b"Created-by-hand-7".to_vec())]),
                )
                .unwrap();
        }
    }
    // 1. The bootstrap script, before anything else.
    let out = cluster.bootstrap(&files["bootstrap-secrets.sh"], &[]);
    assert!(out.status.success(), "bootstrap-secrets.sh: {}", text(&out));
    let superuser = superuser_password(&cluster);
    assert_eq!(superuser.len(), 32);

    // 2. The server. First with a parameter the server does not know: it
    //    must refuse to start, naming it.
    let sts = cluster.of_kind("StatefulSet")[0]["metadata"]["name"]
        .as_str()
        .unwrap()
        .to_owned();
    let pod = cluster.pod("StatefulSet", &sts, 0);
    let conf = pod.volume("config").join("postgresql.conf");
    let rendered_conf = std::fs::read_to_string(&conf).unwrap();
    std::fs::write(
        &conf,
        format!("{rendered_conf}\nshared_buffers = 'a lot'\n"),
    )
    .unwrap();
    let err = cluster
        .start_server(&pod)
        .err()
        .expect("a bad parameter must stop the server");
    assert!(
        err.contains("shared_buffers") && err.contains("a lot"),
        "the server names the bad parameter: {err}"
    );
    std::fs::write(&conf, &rendered_conf).unwrap();
    let server = cluster.start_server(&pod).unwrap_or_else(|e| panic!("{e}"));

    // SHOW of every setting equals `pgplan settings`.
    let major = plan.version.get();
    let settings = plan.settings();
    let mut differ = Vec::new();
    for s in settings.iter() {
        let have = sql(
            &server,
            "postgres",
            &superuser,
            "postgres",
            &format!("SHOW \"{}\"", s.name),
        )
        .unwrap_or_else(|e| panic!("SHOW {}: {e}", s.name));
        if !pgplan::sql::diff::same_setting(major, &s.name, &s.value, &have) {
            differ.push(format!(
                "{} = {} in the plan, {have} on the server",
                s.name, s.value
            ));
        }
    }
    assert!(differ.is_empty(), "settings differ:\n{}", differ.join("\n"));
    // initdb ran with the plan's page checksums (platform.kubernetes.data_checksums).
    let checksums = sql(
        &server,
        "postgres",
        &superuser,
        "postgres",
        "SHOW data_checksums",
    )
    .unwrap();
    let wanted = plan.platform.kubernetes().unwrap().data_checksums;
    assert_eq!(
        checksums,
        if wanted { "on" } else { "off" },
        "data_checksums"
    );
    for which in ["startup", "liveness", "readiness"] {
        let out = cluster.probe(&pod, "postgresql", which);
        assert!(out.status.success(), "{which} probe: {}", text(&out));
    }

    // 3. The schema-init Job, twice: the SQL backend's script, then the
    //    passwords from the Secrets.
    let job = cluster.of_kind("Job")[0]["metadata"]["name"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut job_logs = Vec::new();
    for run in 0..2 {
        let job_pod = cluster.pod("Job", &job, run);
        let out = cluster.run(&job_pod, "schema-init", &[]);
        assert!(
            out.status.success(),
            "schema-init run {run}: {}",
            text(&out)
        );
        assert!(String::from_utf8_lossy(&out.stdout).contains("schema-init: done"));
        job_logs.push(text(&out));
    }
    let passwords = role_passwords(&cluster, &plan);
    for role in plan
        .roles
        .iter()
        .filter(|r| r.login && r.password.is_some())
    {
        let pw = &passwords[role.name.as_str()];
        assert_eq!(
            sql(
                &server,
                role.name.as_str(),
                pw,
                "postgres",
                "SELECT current_user"
            )
            .unwrap(),
            role.name.as_str()
        );
        assert!(
            sql(
                &server,
                role.name.as_str(),
                "not-the-password",
                "postgres",
                "SELECT 1"
            )
            .is_err()
        );
        for secret in passwords.values() {
            assert!(
                !server.log_text().contains(secret.as_str()),
                "a password in the server log"
            );
        }
    }
    let dsn = format!(
        "postgresql://postgres:{superuser}@127.0.0.1:{}/postgres?sslmode=disable",
        server.port
    );
    let changes = tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(pgplan::sql::diff(
            &plan,
            &dsn,
            &pgplan::sql::ApplyOptions {
                include_settings: false,
                ..Default::default()
            },
        ))
        .unwrap();
    assert!(
        changes.is_empty() && changes.changes.is_empty(),
        "the server differs from the plan after the Job (a pending migration here means the Job's history is not the one apply reads):\n{changes}"
    );
    if pgplan::sql::migration_runner_for_job(&plan).is_some() {
        migrations_ran(&cluster, &plan, &server, &job, &job_logs);
    }

    // Rows to back up, written by the database owner.
    let (db, owner, schema) = data_home(&plan);
    sql(
        &server,
        &owner,
        &passwords[&owner],
        &db,
        &format!(
            "CREATE TABLE \"{schema}\".pod_check (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, note text);
             INSERT INTO \"{schema}\".pod_check (note) SELECT md5(i::text) FROM generate_series(1, 3000) AS i"
        ),
    )
    .unwrap();
    let fingerprint = format!(
        "SELECT count(*) || ':' || md5(string_agg(note, ',' ORDER BY id)) FROM \"{schema}\".pod_check"
    );
    let rows = sql(&server, &owner, &passwords[&owner], &db, &fingerprint).unwrap();

    // 4. The exporter sidecar.
    exporter_serves_what_the_rules_read(&cluster, &pod);

    // 5. Backups.
    backups(&cluster, &plan, &server, &rows, &fingerprint);

    // 6. Stopped: probes fail, and so does a backup.
    server.stop();
    for which in ["liveness", "readiness"] {
        let out = cluster.probe(&pod, "postgresql", which);
        assert!(
            !out.status.success(),
            "{which} probe on a stopped server: {}",
            text(&out)
        );
    }
    let cron = cluster.of_kind("CronJob")[0]["metadata"]["name"]
        .as_str()
        .unwrap()
        .to_owned();
    let backup_pod = cluster.pod("CronJob", &cron, 9);
    let out = cluster.run(&backup_pod, "backup", &[]);
    assert!(
        !out.status.success(),
        "a backup of a stopped server: {}",
        text(&out)
    );
}

/// The Job ran the plan's migrations as the migration role: its tables are
/// that role's, so the plan's default privileges reached them; the history
/// is apply's (the diff above found no pending migration); the second run
/// ran nothing; a changed applied script fails the Job, naming the file.
fn migrations_ran(
    cluster: &Cluster,
    plan: &ValidPlan,
    server: &Server,
    job: &str,
    job_logs: &[String],
) {
    let superuser = superuser_password(cluster);
    let passwords = role_passwords(cluster, plan);
    let role_of = |purpose: pgplan::RolePurpose| {
        plan.roles
            .iter()
            .find(|r| r.purpose == purpose && r.login)
            .map(|r| r.name.to_string())
            .unwrap_or_else(|| panic!("the plan has no {purpose:?} login"))
    };
    let (app, reader) = (
        role_of(pgplan::RolePurpose::Application),
        role_of(pgplan::RolePurpose::ReadOnly),
    );
    for db in plan.databases.iter().filter(|d| d.migrations.is_some()) {
        let name = db.name.as_str();
        let scripts = &db.migrations.as_ref().unwrap().scripts;
        let owner = db.migration_role().to_string();
        for script in scripts {
            assert!(
                job_logs[0].contains(&format!("running {name} {}", script.file)),
                "the first run runs {}: {}",
                script.file,
                job_logs[0]
            );
            assert!(
                job_logs[1].contains(&format!("{name} {} is applied already", script.file)),
                "the second run skips {}: {}",
                script.file,
                job_logs[1]
            );
        }
        let history = sql(
            server,
            "postgres",
            &superuser,
            name,
            "SELECT string_agg(script || ' as ' || run_as, ', ' ORDER BY version) FROM pgplan.schema_history",
        )
        .unwrap();
        let mut files: Vec<&str> = scripts.iter().map(|s| s.file.as_str()).collect();
        files.sort_by_key(|f| MigrationScript::new(*f, "").version());
        let expected: Vec<String> = files.iter().map(|f| format!("{f} as {owner}")).collect();
        assert_eq!(history, expected.join(", "), "the history of {name}");
        let tables = sql(
            server,
            "postgres",
            &superuser,
            name,
            "SELECT string_agg(format('%I.%I %s', schemaname, tablename, tableowner), ', ' ORDER BY 1) \
             FROM pg_catalog.pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema', 'pgplan')",
        )
        .unwrap();
        assert!(
            !tables.is_empty(),
            "the migrations of {name} created no table"
        );
        let mut first = None;
        for t in tables.split(", ") {
            let (table, table_owner) = t.rsplit_once(' ').unwrap();
            assert_eq!(table_owner, owner, "{table} is owned by the migration role");
            first.get_or_insert(table.to_owned());
        }
        // The application role writes, the read-only role only reads.
        let table = first.unwrap();
        let select = format!("SELECT count(*) FROM {table}");
        let write = format!(
            "UPDATE {table} SET {0} = {0}",
            first_column(server, &superuser, name, &table)
        );
        sql(server, &app, &passwords[&app], name, &select).unwrap();
        sql(server, &app, &passwords[&app], name, &write)
            .unwrap_or_else(|e| panic!("{app} cannot write {table}: {e}"));
        sql(server, &reader, &passwords[&reader], name, &select)
            .unwrap_or_else(|e| panic!("{reader} cannot read {table}: {e}"));
        let denied = sql(server, &reader, &passwords[&reader], name, &write)
            .expect_err("the read-only role must not write");
        assert!(denied.contains("permission denied"), "{denied}");

        // A changed applied script: the next Job (its ConfigMap rendered
        // from the changed plan) stops before running anything, naming it.
        let mut changed: pgplan::Plan = (**plan).clone();
        let d = changed
            .databases
            .iter_mut()
            .find(|d| d.name == db.name)
            .unwrap();
        let script = &mut d.migrations.as_mut().unwrap().scripts[0];
        script.sql.push_str("\n-- edited after it was applied\n");
        let file = script.file.clone();
        let runner = pgplan::sql::migration_runner_for_job(&valid(&changed)).unwrap();
        let job_pod = cluster.pod("Job", job, 7);
        let dir = job_pod.volume("sql");
        std::fs::write(dir.join("migrate.psql"), &runner.runner).unwrap();
        for (key, text) in &runner.files {
            std::fs::write(dir.join(key), text).unwrap();
        }
        let out = cluster.run(&job_pod, "schema-init", &[]);
        assert!(!out.status.success(), "a changed script must fail the Job");
        let log = text(&out);
        assert!(
            log.contains(&format!("{file} changed after it was applied")),
            "the Job names the changed file: {log}"
        );
    }
}

/// A column of `table`, for a write that changes nothing.
fn first_column(server: &Server, superuser: &str, db: &str, table: &str) -> String {
    sql(
        server,
        "postgres",
        superuser,
        db,
        &format!("SELECT quote_ident(attname) FROM pg_catalog.pg_attribute WHERE attrelid = '{table}'::regclass AND attnum > 0 AND NOT attisdropped AND attidentity = '' ORDER BY attnum LIMIT 1"),
    )
    .unwrap()
}

fn exporter_serves_what_the_rules_read(cluster: &Cluster, pod: &Pod) {
    let c = pod
        .spec
        .containers
        .iter()
        .find(|c| c.name == "metrics")
        .expect("the exporter sidecar");
    let port = c.ports.as_ref().unwrap()[0].container_port as u16;
    let host = cluster.host_port(pod, port);
    let mut child = cluster.spawn(pod, "metrics", &crate::support::exporter());
    let started = Instant::now();
    let metrics = loop {
        if let Some((200, body)) = http_get(host, "/metrics")
            && body.contains("pg_up 1")
        {
            break body;
        }
        if started.elapsed() > Duration::from_secs(30) {
            let _ = child.kill();
            let out = child.wait_with_output().unwrap();
            panic!("the exporter serves no pg_up 1 on {host}: {}", text(&out));
        }
        std::thread::sleep(Duration::from_millis(300));
    };
    // Its probes (httpGet / on the named port).
    let (status, _) = http_get(host, "/").expect("the exporter's probe path answers");
    assert_eq!(status, 200);
    let rule = cluster.of_kind("PrometheusRule")[0];
    let mut missing = Vec::new();
    for r in rule["spec"]["groups"][0]["rules"].as_array().unwrap() {
        let expr = r["expr"].as_str().unwrap();
        for name in metric_names(expr) {
            // cAdvisor's and the kubelet's metrics come from the cluster, not
            // from the exporter: there is none here to ask.
            if name.starts_with("container_") || name.starts_with("kubelet_") {
                continue;
            }
            if !metrics
                .lines()
                .any(|l| l.starts_with(&format!("{name}{{")) || l.starts_with(&format!("{name} ")))
            {
                missing.push(format!("{name} (alert {})", r["alert"]));
            }
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        missing.is_empty(),
        "metrics the rules read and the exporter does not serve: {missing:?}"
    );
}

/// The metric names a PromQL expression reads (identifiers before `{`).
fn metric_names(expr: &str) -> Vec<String> {
    let mut out = Vec::new();
    let bytes = expr.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_alphabetic() || bytes[i] == b'_' {
            let start = i;
            while i < bytes.len()
                && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_' || bytes[i] == b':')
            {
                i += 1;
            }
            if bytes.get(i) == Some(&b'{') {
                out.push(expr[start..i].to_owned());
            }
        } else {
            i += 1;
        }
    }
    out
}

fn backups(cluster: &Cluster, plan: &ValidPlan, server: &Server, rows: &str, fingerprint: &str) {
    let cron = cluster.of_kind("CronJob")[0];
    let name = cron["metadata"]["name"].as_str().unwrap().to_owned();
    let backup = &plan.backups.logical[0];
    let pod = cluster.pod("CronJob", &name, 0);
    let env = |k: &str| cluster.prepare(&pod, "backup").unwrap().env[k].clone();
    let dir = std::path::PathBuf::from(env("PGPLAN_BACKUP_DIR"));
    std::fs::create_dir_all(&dir).unwrap();
    let ext = match backup.format {
        pgplan::DumpFormat::Custom => "dump",
        pgplan::DumpFormat::Directory => "dir",
        pgplan::DumpFormat::Plain => "sql",
    };
    // Dumps of earlier runs: one past the retention, one within it.
    let retention_days = backup.retention.as_millis() / 86_400_000;
    let old = dir.join(format!("old-20000101T000000Z.{ext}"));
    let recent = dir.join(format!("recent-20000102T000000Z.{ext}"));
    for (path, age) in [
        (&old, retention_days + 1),
        (&recent, retention_days.saturating_sub(1)),
    ] {
        std::fs::write(path, "an earlier dump").unwrap();
        let ok = Command::new("touch")
            .arg("-d")
            .arg(format!("{age} days ago"))
            .arg(path)
            .status()
            .unwrap()
            .success();
        assert!(ok);
    }
    crate::support::pod::chown_tree(&dir);
    let out = cluster.run(&pod, "backup", &[]);
    assert!(out.status.success(), "backup: {}", text(&out));
    let now = files_in(&dir);
    assert!(
        !now.iter().any(|f| f.starts_with("old-")),
        "past the retention: {now:?}"
    );
    assert!(
        now.iter().any(|f| f.starts_with("recent-")),
        "within the retention: {now:?}"
    );
    let fresh: Vec<&String> = now
        .iter()
        .filter(|f| !f.starts_with("old-") && !f.starts_with("recent-"))
        .collect();
    assert_eq!(fresh.len(), plan_dump_count(plan), "{now:?}");

    // The dump restores into a fresh server with the same rows.
    let (db, _, schema) = data_home(plan);
    let dump = fresh.iter().find(|f| f.starts_with(&db)).unwrap();
    let major = plan.version.get();
    let restore_server = pgplan_testkit::PgServer::start(u32::from(plan.version.get())).unwrap();
    restore_server
        .psql("postgres", &format!("CREATE DATABASE \"{db}\""))
        .unwrap();
    // PostgreSQL 18's pg_restore (the tools here; the image's own would
    // match the server) writes `SET transaction_timeout`, which servers
    // before 17 do not know: restore through a script without that line.
    let script = Command::new(crate::support::client_bin().join("pg_restore"))
        .args(["--no-owner", "--no-privileges", "--file=-"])
        .arg(dir.join(dump))
        .output()
        .unwrap();
    assert!(script.status.success(), "pg_restore: {}", text(&script));
    let script: String = String::from_utf8(script.stdout)
        .unwrap()
        .lines()
        .filter(|l| !(major < 17 && l.starts_with("SET transaction_timeout")))
        .map(|l| format!("{l}\n"))
        .collect();
    let script_file = dir.join("restore.sql.txt");
    std::fs::write(&script_file, script).unwrap();
    let restored = psql(
        &[
            &format!("--dbname={}", restore_server.dsn(&db)),
            "--quiet",
            &format!("--file={}", script_file.display()),
        ],
        restore_server.password(),
    );
    std::fs::remove_file(&script_file).unwrap();
    assert!(restored.status.success(), "restore: {}", text(&restored));
    let _ = schema;
    assert_eq!(restore_server.psql(&db, fingerprint).unwrap(), rows);
    drop(restore_server);

    // A wrong password (a Secret rotated behind the server's back).
    let wrong = cluster.pod("CronJob", &name, 1);
    std::fs::write(
        wrong.volume("backup-password").join("password"),
        "not-the-password",
    )
    .unwrap();
    let before = files_in(&dir);
    let out = cluster.run(&wrong, "backup", &[]);
    assert!(!out.status.success(), "a wrong password: {}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("password authentication failed"),
        "{}",
        text(&out)
    );
    assert_eq!(files_in(&dir), before, "a failed run keeps no dump");

    // A full backup volume: a tiny tmpfs mounted on the backup directory.
    let full = cluster.pod("CronJob", &name, 2);
    let p = cluster.prepare(&full, "backup").unwrap();
    let target = p.env["PGPLAN_BACKUP_DIR"].clone();
    let mut argv: Vec<String> = vec![
        "unshare".into(),
        "--mount".into(),
        "--propagation".into(),
        "private".into(),
    ];
    if run_as().is_none() {
        argv.insert(1, "--map-root-user".into());
        argv.insert(1, "--user".into());
    }
    argv.extend([
        "sh".into(),
        "-c".into(),
        "mount -t tmpfs -o size=16k,mode=0777 tmpfs \"$0\" && exec \"$@\"".into(),
        target.clone(),
    ]);
    let mut inner = cluster.command(
        &["bash".into(), "-c".into(), p.argv[2].clone()],
        &p.env,
        &p.root,
    );
    argv.push(inner.get_program().to_string_lossy().into_owned());
    argv.extend(inner.get_args().map(|a| a.to_string_lossy().into_owned()));
    let envs: Vec<(String, String)> = inner
        .get_envs()
        .filter_map(|(k, v)| {
            Some((
                k.to_string_lossy().into_owned(),
                v?.to_string_lossy().into_owned(),
            ))
        })
        .collect();
    let _ = &mut inner;
    let out = Command::new(&argv[0])
        .args(&argv[1..])
        .env_clear()
        .envs(envs)
        .current_dir(&p.root)
        .output()
        .unwrap();
    assert!(
        !out.status.success(),
        "a full backup volume: {}",
        text(&out)
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("No space left on device"),
        "{}",
        text(&out)
    );
    let _ = server;
}

fn plan_dump_count(plan: &ValidPlan) -> usize {
    let b = &plan.backups.logical[0];
    if b.databases.is_empty() {
        plan.databases.len()
    } else {
        b.databases.len()
    }
}

#[test]
fn dev_product_change_runs_as_a_kubelet_would() {
    // Its migrations (examples/plans/migrations) run in the Job.
    assert!(
        example("dev-product-change.yaml").databases[0]
            .migrations
            .as_ref()
            .is_some_and(|m| m.scripts.len() >= 2)
    );
    pod_emulation("dev-product-change.yaml");
}

#[test]
fn dev_event_marketing_runs_as_a_kubelet_would() {
    pod_emulation("dev-event-marketing.yaml");
}

#[test]
fn the_prometheus_rules_fire_at_the_plans_thresholds() {
    for file in ["dev-product-change.yaml", "dev-event-marketing.yaml"] {
        let plan = valid(&example(file));
        let files = render_k8s(&plan);
        let objects = crate::support::pod::parse_manifests(&files["manifests.yaml"]);
        let rule = objects
            .iter()
            .find(|o| o["kind"] == "PrometheusRule")
            .expect("a PrometheusRule");
        let dir = crate::support::TempDir::new("promtool");
        let (rules, tests) = crate::support::promtool::write_tests(&plan, rule, dir.path());
        let check = crate::support::promtool::promtool(
            dir.path(),
            &["check", "rules", rules.to_str().unwrap()],
        );
        assert!(
            check.status.success(),
            "{file}: promtool check rules: {}",
            text(&check)
        );
        let test = crate::support::promtool::promtool(
            dir.path(),
            &["test", "rules", tests.to_str().unwrap()],
        );
        assert!(
            test.status.success(),
            "{file}: promtool test rules: {}",
            text(&test)
        );
    }
}

#[test]
fn every_name_one_object_gives_another_exists() {
    for file in ["dev-product-change.yaml", "dev-event-marketing.yaml"] {
        let plan = valid(&example(file));
        let files = render_k8s(&plan);
        let objects = crate::support::pod::parse_manifests(&files["manifests.yaml"]);
        let problems = crate::cross_refs::check(&objects, &external_secrets(&plan));
        assert!(problems.is_empty(), "{file}:\n{}", problems.join("\n"));
    }
}

/// Secrets the plan names as existing: `(name, key)`.
fn external_secrets(plan: &ValidPlan) -> Vec<(String, String)> {
    plan.roles
        .iter()
        .filter_map(|r| match &r.password {
            Some(SecretSource::KubernetesSecret { name, key }) => {
                Some((name.to_string(), key.to_string()))
            }
            _ => None,
        })
        .collect()
}

#[allow(dead_code)]
fn _value(_: &Value) {}
