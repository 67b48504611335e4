//! `exporter/<member>.env`: postgres_exporter's configuration for each
//! member, as the environment variables it reads (Debian's
//! `prometheus-postgres-exporter` 0.11 and later). The password is a file
//! (`DATA_SOURCE_PASS_FILE`), never a value here.
//!
//! Run: `set -a; . ./pg-0.env; set +a; prometheus-postgres-exporter`.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use pgplan_core::ValidPlan;

use crate::Layout;
use crate::cluster::{Cluster, Member};
use crate::escape;

/// The variables, by name.
pub fn environment(
    cluster: &Cluster,
    member: &Member,
    layout: &Layout,
) -> BTreeMap<String, String> {
    let mut env = BTreeMap::new();
    if let (Some(port), Some(user)) = (member.exporter_port, &cluster.monitoring_user) {
        env.insert(
            "PG_EXPORTER_WEB_LISTEN_ADDRESS".into(),
            format!("{}:{port}", member.ip),
        );
        let sslmode = if cluster.tls { "require" } else { "disable" };
        env.insert(
            "DATA_SOURCE_URI".into(),
            format!("{}/postgres?sslmode={sslmode}", member.pg_addr()),
        );
        env.insert("DATA_SOURCE_USER".into(), user.clone());
        env.insert(
            "DATA_SOURCE_PASS_FILE".into(),
            layout.monitoring_password_file().display().to_string(),
        );
    }
    env
}

/// The env file.
pub fn render(plan: &ValidPlan, cluster: &Cluster, member: &Member, layout: &Layout) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# postgres_exporter of member {} ({} {}): metrics on http://{}:{}/metrics.",
        member.name,
        plan.service,
        plan.environment,
        member.ip,
        member.exporter_port.unwrap_or_default()
    );
    out.push_str(
        "# Rendered by pgplan. Run: set -a; . ./THIS_FILE; set +a; prometheus-postgres-exporter\n",
    );
    out.push_str("# The exporter connects to its own member only (monitoring.exporter.port on the member's address),\n");
    out.push_str(
        "# as the plan's monitoring login; the password is read from DATA_SOURCE_PASS_FILE.\n",
    );
    for (k, v) in environment(cluster, member, layout) {
        let _ = writeln!(out, "{k}={}", escape::shell(&v));
    }
    out
}
