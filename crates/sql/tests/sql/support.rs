//! Shared helpers: plans with per-test names, servers, passwords, catalog reads.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};

use pgplan_core::Plan;
use pgplan_sql::{MapSecretResolver, Password};
use pgplan_testkit::PgServer;
use tokio_postgres::{Client, NoTls};

pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub fn example_plan_text(file: &str) -> String {
    let path = workspace_root().join("examples/plans").join(file);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A tag unique within this test process, for role and database names.
pub fn unique_tag(prefix: &str) -> String {
    static NEXT: AtomicU32 = AtomicU32::new(1);
    format!("{prefix}{}", NEXT.fetch_add(1, Ordering::Relaxed))
}

/// Seed 000 (Kubernetes) for `major`, its names prefixed with `tag` so that
/// tests sharing a server do not meet.
pub fn seed_000(major: u32, tag: &str) -> Plan {
    let text = example_plan_text("dev-product-change.yaml")
        .replace("product_change", &format!("{tag}_product_change"))
        .replace(
            "service: product-change",
            &format!("service: {tag}-product-change"),
        )
        .replace("version: 14", &format!("version: {major}"));
    Plan::from_yaml(&text).expect("seed 000 plan parses")
}

/// Seed 001 (Azure) for `major`, names prefixed with `tag`. The test
/// servers are initialised with `C.UTF-8` only (Debian's minimal images ship
/// no `en_US.UTF-8`), so the locale is swapped when `keep_locale` is false.
pub fn seed_001(major: u32, tag: &str, keep_locale: bool) -> Plan {
    let mut text = example_plan_text("prod-bill-inquiry.yaml")
        .replace("bill_", &format!("{tag}_bill_"))
        .replace(
            "service: bill-inquiry",
            &format!("service: {tag}-bill-inquiry"),
        )
        .replace("version: 14", &format!("version: {major}"));
    if !keep_locale {
        text = text.replace("locale: en_US.UTF-8", "locale: C.UTF-8");
    }
    Plan::from_yaml(&text).expect("seed 001 plan parses")
}

/// Passwords for every login role of a plan, all containing `marker`.
pub fn passwords_for(plan: &Plan, marker: &str) -> (MapSecretResolver, Vec<String>) {
    let mut resolver = MapSecretResolver::new();
    let mut all = Vec::new();
    for role in plan.roles.iter().filter(|r| r.login) {
        let pw = format!("{marker}-Pw#{}", all.len());
        resolver.insert(role.name.clone(), Password::new(pw.clone()));
        all.push(pw);
    }
    (resolver, all)
}

pub fn server(major: u32) -> &'static PgServer {
    pgplan_testkit::shared(major)
}

pub async fn connect(pg: &PgServer, database: &str) -> Client {
    connect_dsn(&pg.dsn(database)).await
}

pub async fn connect_dsn(dsn: &str) -> Client {
    let (client, conn) = tokio_postgres::connect(dsn, NoTls)
        .await
        .unwrap_or_else(|e| panic!("connect: {e}"));
    tokio::spawn(async move {
        let _ = conn.await;
    });
    client
}

/// A DSN for `role` with `password`.
pub fn dsn_as(pg: &PgServer, role: &str, password: &str, database: &str) -> String {
    let enc = |s: &str| -> String {
        s.bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect()
    };
    format!(
        "postgresql://{}:{}@{}:{}/{}",
        enc(role),
        enc(password),
        pg.host(),
        pg.port(),
        enc(database)
    )
}

/// Rows of one text column.
pub async fn strings(
    client: &Client,
    sql: &str,
    params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
) -> BTreeSet<String> {
    client
        .query(sql, params)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e:?}"))
        .iter()
        .map(|r| r.get::<_, String>(0))
        .collect()
}

/// The error code of a failed statement.
pub fn sqlstate(e: &tokio_postgres::Error) -> String {
    e.code().map(|c| c.code().to_owned()).unwrap_or_default()
}
