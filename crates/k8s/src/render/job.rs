//! The schema-init Job: waits for the server, runs the SQL backend's init
//! script ([`InitScript`](pgplan_core::seams::InitScript)) with
//! `psql --no-psqlrc --file`, then sets the password of each role the script
//! lists from the role's Secret, then runs the plan's migrations with the
//! SQL backend's runner ([`MigrationRunner`](pgplan_core::seams::MigrationRunner)).
//! Any failure fails the Job (seed 000's reported success whatever psql
//! did).

use std::fmt::Write as _;

use k8s_openapi::api::batch::v1::{Job, JobSpec};
use k8s_openapi::api::core::v1::{
    ConfigMapVolumeSource, Container, PodSpec, PodTemplateSpec, Volume, VolumeMount,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use pgplan_core::kubernetes_facts::SUPERUSER;

use crate::context::{Ctx, paths};
use crate::labels::COMPONENT_SCHEMA_INIT;
use crate::object::Object;
use crate::quote;
use crate::render::checkov_skips;
use crate::render::config_map::{INIT_SQL, MIGRATIONS_RUNNER};
use crate::render::pod::{
    container_security_context, empty_dir, env, helper_resources, mount, password_volume,
    pod_security_context, pull_policy,
};
use crate::render::service::SERVICE_PORT;

/// Where the init SQL is mounted.
const SQL_DIR: &str = "/sql";
/// How long the Job waits for the server to accept connections.
const WAIT_SECONDS: u32 = 600;

/// The replication login pgplan creates itself (the plan names none), if any.
pub(crate) fn default_replication_user<'a>(ctx: &'a Ctx<'_>) -> Option<&'a str> {
    let repl = ctx.creds.replication.as_ref()?;
    (!ctx.creds.roles.iter().any(|c| c.username == repl.username)).then_some(repl.username.as_str())
}

/// True when there is a Job to run: init SQL to apply, or a replication
/// login to create.
pub(crate) fn needed(ctx: &Ctx<'_>) -> bool {
    has_sql(ctx) || default_replication_user(ctx).is_some()
}

/// True when the Job mounts a ConfigMap: an init script or migrations.
pub(crate) fn has_sql(ctx: &Ctx<'_>) -> bool {
    ctx.opts.init_script.is_some() || ctx.opts.migrations.is_some()
}

/// The Job's shell script. Paths and the server come from environment
/// variables the container sets (so the same script runs in tests).
pub(crate) fn script(ctx: &Ctx<'_>) -> String {
    let with_sql = ctx.opts.init_script.is_some();
    let role_passwords = ctx.init_passwords();
    let mut s = String::from(
        r#"set -euo pipefail
# Any failing command fails the Job: `set -e` here, ON_ERROR_STOP in psql.
# Nothing here prints a password: `set -x` stays off.
PGPASSWORD="$(cat "$PGPLAN_SECRETS_DIR/superuser/password")"
export PGPASSWORD

echo "schema-init: waiting for $PGHOST:$PGPORT to accept connections"
deadline=$((SECONDS + PGPLAN_WAIT_SECONDS))
until pg_isready --quiet --timeout=5; do
  if ((SECONDS >= deadline)); then
    echo "schema-init: $PGHOST:$PGPORT is not ready after ${PGPLAN_WAIT_SECONDS}s" >&2
    exit 1
  fi
  sleep 2
done
"#,
    );
    if with_sql {
        s.push_str(
            r#"
echo "schema-init: applying $PGPLAN_SQL_FILE"
# As init.sql's header says (the script sets ON_ERROR_STOP itself; the Job
# does not depend on it).
psql --no-psqlrc --set=ON_ERROR_STOP=1 --file="$PGPLAN_SQL_FILE"
"#,
        );
    }
    let replication = default_replication_user(ctx);
    if !role_passwords.is_empty() || replication.is_some() {
        s.push_str(
            r#"
# Login passwords from the mounted Secrets. psql's \password hashes each one
# here (SCRAM-SHA-256), so no plaintext password reaches the server or its log.
set_password() {
  local password
  password="$(cat "$2")"
  printf '%s\n%s\n' "$password" "$password" |
    psql --no-psqlrc --quiet --set=ON_ERROR_STOP=1 --set=role="$1" --command='\password :"role"'
  echo "schema-init: password of role $1 set"
}
"#,
        );
    }
    if let Some(user) = replication {
        let _ = write!(
            s,
            r#"
# The replication login the read replicas use (the plan names none).
psql --no-psqlrc --quiet --set=ON_ERROR_STOP=1 --set=role={user} <<'SQL'
SELECT format('CREATE ROLE %I WITH REPLICATION LOGIN', :'role')
 WHERE NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = :'role')
\gexec
SQL
set_password {user} "$PGPLAN_SECRETS_DIR/replication/password"
"#,
            user = quote::shell(user)
        );
    }
    if !role_passwords.is_empty() {
        s.push_str("\n# The roles init.sql created without a password.\n");
        for (i, c) in role_passwords.iter().enumerate() {
            let _ = writeln!(
                s,
                "set_password {} \"$PGPLAN_SECRETS_DIR/roles/{i}/password\"",
                quote::shell(&c.username)
            );
        }
    }
    if ctx.opts.migrations.is_some() {
        s.push_str(
            r#"
# The plan's migrations, after the roles and their grants: the runner checks
# every database's history (a changed applied script stops it, naming the
# file), then runs each pending script as its migration role (SET ROLE).
echo "schema-init: migrations ($PGPLAN_MIGRATIONS_FILE)"
psql --no-psqlrc --quiet --set=ON_ERROR_STOP=1 --file="$PGPLAN_MIGRATIONS_FILE"
"#,
        );
    }
    s.push_str("\necho \"schema-init: done\"\n");
    s
}

/// The Job; `sql_config_map` names the ConfigMap with the init SQL.
pub(crate) fn render(
    ctx: &Ctx<'_>,
    name: &str,
    script: String,
    sql_config_map: Option<&str>,
) -> Object {
    let uid = ctx.uid();
    let image = ctx.tools_image();
    let secrets = paths::SECRETS;
    let mut volumes = vec![
        empty_dir("tmp"),
        password_volume("superuser-password", &ctx.creds.superuser),
    ];
    let mut mounts: Vec<VolumeMount> = vec![
        mount("tmp", "/tmp", false),
        mount("superuser-password", &format!("{secrets}/superuser"), true),
    ];
    if let Some(cm) = sql_config_map {
        volumes.push(Volume {
            name: "sql".into(),
            config_map: Some(ConfigMapVolumeSource {
                name: cm.to_owned(),
                ..ConfigMapVolumeSource::default()
            }),
            ..Volume::default()
        });
        mounts.push(mount("sql", SQL_DIR, true));
        for (i, c) in ctx.init_passwords().into_iter().enumerate() {
            let volume = format!("role-{i}-password");
            volumes.push(password_volume(&volume, c));
            mounts.push(mount(&volume, &format!("{secrets}/roles/{i}"), true));
        }
    }
    if let (Some(_), Some(repl)) = (default_replication_user(ctx), &ctx.creds.replication) {
        volumes.push(password_volume("replication-password", repl));
        mounts.push(mount(
            "replication-password",
            &format!("{secrets}/replication"),
            true,
        ));
    }
    let mut environment = vec![
        env("PGHOST", ctx.host()),
        env("PGPORT", SERVICE_PORT.to_string()),
        env("PGUSER", SUPERUSER),
        env("PGDATABASE", "postgres"),
        env("PGSSLMODE", ctx.client_sslmode()),
        env("PGCONNECT_TIMEOUT", "10"),
        env("PGAPPNAME", "pgplan-schema-init"),
        env("HOME", "/tmp"),
        env("PGPLAN_SECRETS_DIR", secrets),
        env("PGPLAN_SQL_FILE", format!("{SQL_DIR}/{INIT_SQL}")),
        env("PGPLAN_WAIT_SECONDS", WAIT_SECONDS.to_string()),
    ];
    if ctx.opts.migrations.is_some() {
        environment.push(env(
            "PGPLAN_MIGRATIONS_FILE",
            format!("{SQL_DIR}/{MIGRATIONS_RUNNER}"),
        ));
    }
    let container = Container {
        name: "schema-init".into(),
        image: Some(image.to_string()),
        image_pull_policy: Some(pull_policy(image)),
        command: Some(vec!["/bin/bash".into(), "-c".into(), script]),
        env: Some(environment),
        resources: Some(helper_resources(100, 500, 128, 256)),
        security_context: Some(container_security_context(uid)),
        volume_mounts: Some(mounts),
        termination_message_policy: Some("FallbackToLogsOnError".into()),
        ..Container::default()
    };
    let labels = ctx.labels.with_component(COMPONENT_SCHEMA_INIT);
    let mut meta = ctx.labels.meta(name, labels.clone());
    meta.annotations = checkov_skips(ctx, &[image]);
    Object::Job(Job {
        metadata: meta,
        spec: Some(JobSpec {
            // A failed run is retried 3 times, then the Job fails.
            backoff_limit: Some(3),
            active_deadline_seconds: Some(1800),
            // Kept a day for its logs, then removed (a re-apply with the same
            // SQL then runs it again, which the idempotent script allows).
            ttl_seconds_after_finished: Some(86_400),
            template: PodTemplateSpec {
                metadata: Some(ObjectMeta {
                    labels: Some(labels),
                    ..ObjectMeta::default()
                }),
                spec: Some(PodSpec {
                    restart_policy: Some("Never".into()),
                    service_account_name: Some(ctx.names.base.clone()),
                    automount_service_account_token: Some(false),
                    enable_service_links: Some(false),
                    security_context: Some(pod_security_context(uid)),
                    containers: vec![container],
                    volumes: Some(volumes),
                    ..PodSpec::default()
                }),
            },
            ..JobSpec::default()
        }),
        ..Job::default()
    })
}
