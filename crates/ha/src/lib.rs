//! pgplan-ha: a plan that runs on this machine (`platform: local`), rendered
//! and run.
//!
//! # Render (pure)
//!
//! [`render_files`] turns a [`ValidPlan`] whose topology is a Patroni cluster
//! into a directory of configurations, each for the program that reads it:
//!
//! - `patroni/<member>.yml` — Patroni (etcd3 DCS; `bootstrap.dcs` with the
//!   plan's timing, replication mode and the parameters every member must
//!   share; `bootstrap.initdb` with the plan's encoding, locale and
//!   checksums; scram-sha-256 pg_hba; logins without passwords);
//! - `etcd/<name>.yml` — etcd's configuration file;
//! - `haproxy/haproxy.cfg` — a write port checked with `OPTIONS /primary`, a
//!   read port with `OPTIONS /replica?lag=<bytes>`, check timing derived from
//!   `loop_wait`, statistics and Prometheus metrics;
//! - `exporter/<member>.env` — postgres_exporter;
//! - `docker-compose.yml` and `compose/*` — the same cluster with Spilo, as
//!   seed 003 ran it;
//! - `README.md` — what runs what, and which passwords to supply.
//!
//! A single server on this machine renders its `postgresql.conf` and
//! `pg_hba.conf`. Every value with a reason carries it as a comment, every
//! user-controlled value is escaped for its format ([`escape`]), and no file
//! ever holds a password. Same plan and [`Layout`], same bytes.
//!
//! ```
//! use pgplan_core::Plan;
//! use pgplan_ha::{Layout, render_files};
//!
//! let plan = Plan::from_yaml(include_str!("../../../examples/plans/ha-cluster.yaml"))
//!     .unwrap()
//!     .validate()
//!     .unwrap();
//! let layout = Layout::new("/var/lib/pgplan/pg-ha", "/usr/lib/postgresql/17/bin");
//! let files = render_files(&plan, &layout).unwrap();
//! assert!(files["patroni/pg-0.yml"].contains("listen: \"127.0.0.11:5432\""));
//! assert!(files["haproxy/haproxy.cfg"].contains("uri /replica?lag=1048576"));
//! assert!(!files.values().any(|f| f.contains("PASSWORD=")));
//! ```
//!
//! # Run (feature `local`)
//!
//! The `local` module starts a plan on this machine from those files — etcd,
//! Patroni, HAProxy and the exporters as processes of an unprivileged user,
//! or a single server with `initdb` and `pg_ctl` — waits until it is what the
//! plan says (a leader, the planned streaming and synchronous replicas),
//! converges it when the plan changes, reports its state and stops it. The
//! SQL side (roles, databases, privileges) is the SQL backend's apply, which
//! the CLI runs through the write port: backends never depend on each other.

pub mod cluster;
pub mod compose;
mod error;
pub mod escape;
pub mod etcd;
pub mod exporter;
pub mod haproxy;
mod layout;
pub mod patroni;
mod readme;
pub mod single;
mod yaml;

#[cfg(feature = "local")]
pub mod local;

use std::collections::BTreeMap;

use pgplan_core::{Plan, ValidPlan, runner};

pub use cluster::Cluster;
pub use error::Error;
pub use layout::Layout;

/// True when the plan describes a Patroni HA cluster.
pub fn is_ha(plan: &Plan) -> bool {
    plan.topology.patroni.is_some()
}

/// Every file of the plan's render, by path relative to the output
/// directory.
///
/// # Errors
///
/// [`Error::NotLocal`] when the plan does not run on this machine;
/// [`Error::Unrenderable`] never happens for a plan that validated (the
/// rules PGP200–PGP239 refuse what could not be written).
pub fn render_files(plan: &ValidPlan, layout: &Layout) -> Result<BTreeMap<String, String>, Error> {
    if runner::local(plan).is_none() {
        return Err(Error::NotLocal {
            platform: plan.platform.kind(),
        });
    }
    let mut files = BTreeMap::new();
    if plan.topology.patroni.is_none() {
        files.insert(
            "postgresql.conf".into(),
            single::postgresql_conf(plan, layout),
        );
        files.insert("pg_hba.conf".into(), single::pg_hba_conf(plan));
        files.insert("README.md".into(), readme::single(plan, layout));
        return Ok(files);
    }
    let cluster = Cluster::resolve(plan)?;
    for m in &cluster.members {
        files.insert(
            format!("patroni/{}.yml", m.name),
            patroni::render(plan, &cluster, m, layout),
        );
        if m.exporter_port.is_some() {
            files.insert(
                format!("exporter/{}.env", m.name),
                exporter::render(plan, &cluster, m, layout),
            );
        }
    }
    for e in &cluster.etcd {
        files.insert(
            format!("etcd/{}.yml", e.name),
            etcd::render(plan, &cluster, e, layout),
        );
    }
    let socket = layout.haproxy_socket();
    files.insert(
        "haproxy/haproxy.cfg".into(),
        haproxy::render(
            plan,
            &cluster,
            haproxy::Placement::Local { socket: &socket },
        )?,
    );
    files.extend(compose::render(plan, &cluster)?);
    let readme = readme::patroni(plan, &cluster, layout, &files);
    files.insert("README.md".into(), readme);
    Ok(files)
}
