//! pgplan-sql: a plan's databases, roles, privileges and settings as SQL —
//! rendered as idempotent psql scripts, or converged on a live server.
//!
//! ```
//! let plan = pgplan_core::Plan::from_yaml(r#"
//! service: orders
//! environment: development
//! version: 17
//! platform: { local: {} }
//! databases:
//!   - { name: orders_db, owner: orders_owner, schemas: [{ name: orders }] }
//! roles:
//!   - { name: orders_owner, purpose: owner, login: true }
//!   - name: orders_app
//!     purpose: application
//!     login: true
//!     password: { env: { var: ORDERS_APP_PASSWORD } }
//!     grants:
//!       - { database: orders_db, objects: database, privileges: [CONNECT] }
//!       - { database: orders_db, schema: orders, objects: schema, privileges: [USAGE] }
//!       - { database: orders_db, schema: orders, objects: default_tables,
//!           for_owner: orders_owner, privileges: [SELECT, INSERT, UPDATE, DELETE] }
//! "#).unwrap();
//!
//! // Validation is the gate: rendering takes only a plan that passed it.
//! let plan = plan.validate().unwrap();
//! let files = pgplan_sql::render_files(&plan).unwrap();
//! let init = &files["init.sql"];
//! assert!(init.starts_with("-- pgplan"));
//! assert!(init.contains("\\set ON_ERROR_STOP on"));
//! // The password is a psql variable holding a SCRAM verifier, never plain text.
//! assert!(init.contains("PASSWORD :'password_orders_app'"));
//! assert!(init.contains(
//!     "ALTER DEFAULT PRIVILEGES FOR ROLE \"orders_owner\" IN SCHEMA \"orders\" \
//!      GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO \"orders_app\""
//! ));
//! ```
//!
//! # Rendering (pure)
//!
//! [`render_files`] returns `init.sql` (roles, memberships, databases,
//! schemas, extensions, public-schema hardening, privileges and default
//! privileges), `settings.sql` (`ALTER SYSTEM`, split into reload and restart
//! by the parameter catalog; on Azure a comment only, since the Azure backend
//! sets parameters through the service) and `monitoring.sql` (queries written
//! for the plan's major version). [`render_script`] is `init.sql` alone;
//! [`init_script_for_job`] is the script the Kubernetes schema Job runs
//! (core's typed seam `InitScript`: roles created without a password, which
//! the Job sets afterwards from its Secrets). Same plan, same bytes.
//!
//! Passwords never appear in plain text: the scripts either read SCRAM-SHA-256
//! verifiers from psql variables (`psql -v password_<role>=<verifier>`; the
//! default) or, with a [`SecretResolver`] passed to [`render_files_with`],
//! carry verifiers computed on the client. Either way the server, and its log
//! under `log_statement = 'all'`, only ever sees a verifier. See [`secrets`].
//!
//! Every statement is a [`Statement`]; [`render`] quotes identifiers and
//! literals in one place, with `pgplan_core::escape`.
//!
//! # Microsoft Entra principals (Azure)
//!
//! On Azure, a role whose password source is an Entra identity is not
//! created by `init.sql`: it is an Entra principal of one of the plan's
//! managed identities, created by [`entra_principal_script`] (Azure's
//! `pgaadauth_create_principal_with_oid`, in the `postgres` database, run as
//! an Entra administrator — the Azure backend's `deploy.sh` runs it).
//! `init.sql` stops while such a role is missing, and the converger never
//! creates one ([`Error::MissingEntraPrincipal`]). See [`entra`].
//!
//! # Converging a live server (feature `apply`)
//!
//! `diff` inspects the server (roles, memberships, databases, schemas,
//! extensions, privileges through `aclexplode`, default ACLs, settings and
//! pending restarts) and returns the ordered [`ChangeSet`] that would make it
//! match the plan; `apply` runs it. Changes inside one database run in one
//! transaction. Destructive changes (dropping roles pgplan created for this
//! service, revoking privileges the plan does not have) run only with
//! `ApplyOptions::allow_destructive` and are listed first. A second apply
//! runs zero statements. Everything that can be checked before changing
//! anything is: connection and login, the connected role's privileges, that
//! the plan's extensions and locales exist on the server, that referenced
//! roles exist.
//!
//! # TLS (feature `apply`)
//!
//! The live connection speaks TLS through rustls (with ring; no OpenSSL),
//! as libpq's `sslmode` in the DSN says (`?sslmode=…` in a URL,
//! `sslmode=…` in a key/value string):
//!
//! - `disable`: no TLS.
//! - `prefer` (the default): TLS when the server offers it, else a plain
//!   connection; like libpq, a failed TLS handshake is retried without TLS.
//!   The certificate is not checked.
//! - `require`: TLS or fail ("server does not support TLS but
//!   sslmode=require"). As in libpq, the certificate is **not** checked, so
//!   this protects against eavesdropping but not against a server
//!   impersonating the real one; with `sslrootcert=<file>` it checks the
//!   chain as `verify-ca` (libpq's rule too).
//! - `verify-ca`: TLS, and the certificate chains to a trusted CA.
//! - `verify-full`: `verify-ca`, and the certificate names the DSN's host
//!   (with `hostaddr`, `host` is still the name checked). Use this for
//!   managed servers, e.g. `sslmode=verify-full` for Azure Database for
//!   PostgreSQL, whose CAs are public.
//!
//! Trusted CAs are Mozilla's roots, compiled in from `webpki-roots` (no
//! system store or network needed), or the PEM file named by
//! `sslrootcert=<path>`; `sslrootcert=system` means the compiled-in roots
//! and implies `verify-full`, as in libpq 16+. `sslmode` is ignored on Unix
//! sockets, where PostgreSQL has no TLS; `allow` and client certificates
//! (`sslcert`, `sslkey`) are refused with an error, and so is TLS that the
//! mode needs and cannot get: [`Error::Tls`] says why and names the host,
//! e.g. "certificate verify failed (sslmode=verify-full): the certificate of
//! `db.example.com` is not signed by the CA in sslrootcert=…".
//! `sslnegotiation=direct` (PostgreSQL 17+) works too.
//!
//! # sea-query
//!
//! The catalog SELECTs in [`catalog`] are built with sea-query. The privilege
//! queries use `CROSS JOIN LATERAL aclexplode(…)`, which sea-query cannot
//! express, and sea-query has no statements for GRANT, REVOKE, CREATE ROLE,
//! ALTER DEFAULT PRIVILEGES or ALTER SYSTEM, so those are pgplan's own
//! [`Statement`] model.

pub mod catalog;
pub mod desired;
pub mod diff;
pub mod entra;
mod error;
pub mod migrations;
pub mod monitoring;
pub mod pgpass;
pub mod render;
pub mod script;
pub mod secrets;
pub mod statement;

#[cfg(feature = "apply")]
pub mod apply;
#[cfg(feature = "apply")]
mod tls;

pub use desired::DesiredState;
pub use diff::{Change, ChangeSet, Scope};
pub use entra::entra_principal_script;
pub use error::Error;
pub use migrations::migration_runner_for_job;
pub use script::{
    RenderOptions, init_script_for_job, render_files, render_files_with, render_script,
};
pub use secrets::{EnvSecretResolver, MapSecretResolver, NoSecrets, Password, SecretResolver};
pub use statement::Statement;

#[cfg(feature = "apply")]
pub use apply::{
    ApplyOptions, ApplyReport, ImportOptions, Imported, Prepared, Purpose, apply, diff, import,
    prepare,
};
