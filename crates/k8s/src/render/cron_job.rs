//! Backup CronJobs: pg_dump to the backup volume, a dump pg_restore cannot
//! read fails the run, old dumps are pruned only after a good one.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use k8s_openapi::api::batch::v1::{CronJob, CronJobSpec, JobSpec, JobTemplateSpec};
use k8s_openapi::api::core::v1::{
    Container, PersistentVolumeClaimVolumeSource, PodSpec, PodTemplateSpec, Volume,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use pgplan_core::{DumpFormat, LogicalBackup};

use crate::context::{Ctx, paths};
use crate::labels::COMPONENT_BACKUP;
use crate::object::Object;
use crate::quote;
use crate::render::checkov_skips;
use crate::render::pod::{
    container_security_context, empty_dir, env, helper_resources, mount, password_volume,
    pod_security_context, pull_policy,
};
use crate::render::service::SERVICE_PORT;

/// Where the backup volume is mounted.
const BACKUP_DIR: &str = "/backup";

/// A dump file name from a database name: letters, digits, `_` and `-`
/// kept, anything else `-`.
fn file_stem(db: &str) -> String {
    let s: String = db
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect();
    if s.is_empty() { "db".into() } else { s }
}

/// The backup script of a logical backup. Paths come from environment
/// variables the container sets (so the same script runs in tests). It
/// dumps the backup's databases, or every planned database (validation
/// makes sure there is one: PGP117).
pub(crate) fn script(ctx: &Ctx<'_>, b: &LogicalBackup) -> String {
    let databases: Vec<&str> = if b.databases.is_empty() {
        ctx.plan.databases.iter().map(|d| d.name.as_str()).collect()
    } else {
        b.databases.iter().map(|d| d.as_str()).collect()
    };
    let (format_flag, ext, verify) = match b.format {
        DumpFormat::Custom => (
            "--format=custom",
            "dump",
            r#"pg_restore --list "$partial" >/dev/null"#.to_owned(),
        ),
        DumpFormat::Directory => (
            "--format=directory",
            "dir",
            r#"pg_restore --list "$partial" >/dev/null"#.to_owned(),
        ),
        DumpFormat::Plain => (
            "--format=plain",
            "sql",
            r#"grep -q '^-- PostgreSQL database dump complete' "$partial""#.to_owned(),
        ),
    };
    let jobs = if b.format == DumpFormat::Directory && b.jobs > 1 {
        format!(" --jobs={}", b.jobs)
    } else {
        String::new()
    };
    let retention_minutes = b.retention.as_millis().div_ceil(60_000).max(1);

    let mut s = String::new();
    let _ = write!(
        s,
        r#"set -euo pipefail
umask 077
PGPASSWORD="$(cat "$PGPLAN_SECRETS_DIR/backup/password")"
export PGPASSWORD
dir="$PGPLAN_BACKUP_DIR"
mkdir -p "$dir"
# A dump is written as *.partial and renamed only once checked: whatever
# ends the run (a failure included) removes the partial ones, so a failed
# run leaves the volume as it found it.
trap 'find "$dir" -maxdepth 1 -name "*.partial" -exec rm -rf -- {{}} +' EXIT
find "$dir" -maxdepth 1 -name '*.partial' -exec rm -rf -- {{}} +
stamp="$(date -u +%Y%m%dT%H%M%SZ)"

# dump DATABASE FILE: writes FILE-<stamp>.{ext}, checked before it counts.
dump() {{
  local final="$dir/$2-$stamp.{ext}"
  local partial="$final.partial"
  echo "backup: $1 -> $final"
  PGDATABASE="$1" pg_dump --no-password {format_flag}{jobs} --file="$partial"
  {verify}
  mv -- "$partial" "$final"
}}

"#
    );
    let mut stems = BTreeSet::new();
    for (i, db) in databases.iter().enumerate() {
        let mut stem = file_stem(db);
        if !stems.insert(stem.clone()) {
            stem = format!("{stem}-{i}");
            stems.insert(stem.clone());
        }
        let _ = writeln!(s, "dump {} {}", quote::shell(db), quote::shell(&stem));
    }
    let _ = write!(
        s,
        r#"
# Only after every dump succeeded: remove dumps older than the retention ({retention}).
find "$dir" -maxdepth 1 -name '*.{ext}' -mmin +{retention_minutes} -print -exec rm -rf -- {{}} +
echo "backup: done"
"#,
        retention = b.retention.to_postgres(),
    );
    s
}

/// One CronJob per logical backup, writing to the backup volume (the only
/// destination validation accepts on Kubernetes: PGP116), on the plan's
/// schedule (day of week 0–6: PGP115), named within Kubernetes' limit
/// (PGP107).
pub(crate) fn render(ctx: &Ctx<'_>) -> Vec<Object> {
    let mut out = Vec::new();
    for (i, b) in ctx.plan.backups.logical.iter().enumerate() {
        let name = ctx.names.backup_cron_job(&b.name);
        let script = script(ctx, b);
        let cred = &ctx.creds.backups[i];
        let uid = ctx.uid();
        let image = ctx.tools_image();
        let secrets = paths::SECRETS;
        let container = Container {
            name: "backup".into(),
            image: Some(image.to_string()),
            image_pull_policy: Some(pull_policy(image)),
            command: Some(vec!["/bin/bash".into(), "-c".into(), script]),
            env: Some(vec![
                env("PGHOST", ctx.host()),
                env("PGPORT", SERVICE_PORT.to_string()),
                env("PGUSER", cred.username.clone()),
                env("PGSSLMODE", ctx.client_sslmode()),
                env("PGCONNECT_TIMEOUT", "10"),
                env("PGAPPNAME", format!("pgplan-backup-{}", b.name)),
                env("HOME", "/tmp"),
                env("PGPLAN_SECRETS_DIR", secrets),
                env("PGPLAN_BACKUP_DIR", format!("{BACKUP_DIR}/{}", b.name)),
            ]),
            resources: Some(helper_resources(100, 1000, 256, 512)),
            security_context: Some(container_security_context(uid)),
            volume_mounts: Some(vec![
                mount("backup", BACKUP_DIR, false),
                mount("tmp", "/tmp", false),
                mount("backup-password", &format!("{secrets}/backup"), true),
            ]),
            termination_message_policy: Some("FallbackToLogsOnError".into()),
            ..Container::default()
        };
        let labels = ctx.labels.with_component(COMPONENT_BACKUP);
        let mut meta = ctx.labels.meta(&name, labels.clone());
        meta.annotations = checkov_skips(ctx, &[image]);
        out.push(Object::CronJob(CronJob {
            metadata: meta,
            spec: CronJobSpec {
                schedule: b.schedule.as_str().to_owned(),
                time_zone: Some("Etc/UTC".into()),
                concurrency_policy: Some("Forbid".into()),
                starting_deadline_seconds: Some(3600),
                successful_jobs_history_limit: Some(3),
                failed_jobs_history_limit: Some(3),
                job_template: JobTemplateSpec {
                    metadata: Some(ObjectMeta {
                        labels: Some(labels.clone()),
                        ..ObjectMeta::default()
                    }),
                    spec: Some(JobSpec {
                        backoff_limit: Some(2),
                        active_deadline_seconds: Some(6 * 3600),
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
                                volumes: Some(vec![
                                    Volume {
                                        name: "backup".into(),
                                        persistent_volume_claim: Some(
                                            PersistentVolumeClaimVolumeSource {
                                                claim_name: ctx.names.backup_pvc.clone(),
                                                read_only: None,
                                            },
                                        ),
                                        ..Volume::default()
                                    },
                                    empty_dir("tmp"),
                                    password_volume("backup-password", cred),
                                ]),
                                ..PodSpec::default()
                            }),
                        },
                        ..JobSpec::default()
                    }),
                },
                ..CronJobSpec::default()
            },
            ..CronJob::default()
        }));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::file_stem;

    #[test]
    fn file_stems() {
        assert_eq!(file_stem("product_change_db"), "product_change_db");
        assert_eq!(file_stem("my db/é"), "my-db--");
    }
}
