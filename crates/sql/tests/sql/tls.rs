//! TLS to the server, as libpq's `sslmode` and `sslrootcert` say, against
//! real servers with TLS on: a throwaway CA and a server certificate for
//! `localhost` and `127.0.0.1` are made with rcgen at test time.
//!
//! Whether pgplan's own sessions were encrypted is read from the server log
//! (`log_connections` writes "SSL enabled" into the line of every TLS
//! session), found by a unique `application_name` per check.

use std::collections::HashMap;
use std::os::unix::fs::{MetadataExt as _, PermissionsExt as _};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::{Duration, Instant};

use pgplan_sql::{ApplyOptions, Error, apply, diff};
use pgplan_testkit::PgServer;
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use rustls::pki_types::pem::PemObject as _;

use super::support::{self, strings};

/// A server with `ssl = on`, and the PEM files a client needs.
struct TlsServer {
    pg: PgServer,
    /// The CA that signed the server's certificate.
    ca: PathBuf,
    /// A CA that signed nothing the server shows.
    wrong_ca: PathBuf,
}

/// One TLS server per major version for the whole test binary.
fn tls_server(major: u32) -> &'static TlsServer {
    static SERVERS: OnceLock<Mutex<HashMap<u32, &'static TlsServer>>> = OnceLock::new();
    let mut servers = SERVERS
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    servers
        .entry(major)
        .or_insert_with(|| Box::leak(Box::new(start_tls_server(major, ""))))
}

fn make_ca(name: &str) -> (String, Issuer<'static, KeyPair>) {
    let mut params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.distinguished_name.push(DnType::CommonName, name);
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let key = KeyPair::generate().expect("CA key");
    let cert = params.self_signed(&key).expect("CA certificate");
    (cert.pem(), Issuer::new(params, key))
}

fn write_private(path: &Path, contents: &str, like: &Path) {
    std::fs::write(path, contents).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    // PostgreSQL reads its key only when the server's OS user owns it and
    // nobody else may read it; the data directory has that owner.
    let owner = std::fs::metadata(like).expect("data directory");
    std::os::unix::fs::chown(path, Some(owner.uid()), Some(owner.gid()))
        .unwrap_or_else(|e| panic!("chown {}: {e}", path.display()));
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
        .unwrap_or_else(|e| panic!("chmod {}: {e}", path.display()));
}

/// Starts a server with TLS on, `extra_conf` added to postgresql.conf.
fn start_tls_server(major: u32, extra_conf: &str) -> TlsServer {
    let pg = PgServer::start_with_settings(major, &[("log_connections", "on")])
        .unwrap_or_else(|e| panic!("{e}"));
    let (ca_pem, ca) = make_ca("pgplan test CA");
    let (wrong_ca_pem, _) = make_ca("pgplan unrelated CA");
    let mut params = CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])
        .expect("server params");
    params
        .distinguished_name
        .push(DnType::CommonName, "pgplan test server");
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let server_key = KeyPair::generate().expect("server key");
    let server_cert = params
        .signed_by(&server_key, &ca)
        .expect("server certificate");

    // The certificate files must exist before ssl is turned on, so the
    // server starts without TLS and reloads with it (ssl is a reload
    // setting): server.crt and server.key in the data directory are the
    // defaults of ssl_cert_file and ssl_key_file.
    let data = pg.data_dir();
    write_private(&data.join("server.crt"), &server_cert.pem(), data);
    write_private(&data.join("server.key"), &server_key.serialize_pem(), data);
    let conf = data.join("postgresql.conf");
    let mut text = std::fs::read_to_string(&conf).expect("postgresql.conf");
    text.push_str("\nssl = on\n");
    text.push_str(extra_conf);
    std::fs::write(&conf, text).expect("postgresql.conf");
    pg.psql("postgres", "SELECT pg_reload_conf()")
        .unwrap_or_else(|e| panic!("{e}"));
    let deadline = Instant::now() + Duration::from_secs(20);
    while pg.psql("postgres", "SHOW ssl").unwrap_or_default() != "on" {
        assert!(
            Instant::now() < deadline,
            "ssl did not turn on:\n{}",
            pg.log_contents()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    // A bad TLS setup leaves `ssl` on and TLS off, saying so in the log.
    assert!(
        !pg.log_contents()
            .contains("SSL configuration was not reloaded"),
        "TLS did not come up:\n{}",
        pg.log_contents()
    );

    let ca = pg.base_dir().join("ca.pem");
    let wrong_ca = pg.base_dir().join("wrong-ca.pem");
    std::fs::write(&ca, ca_pem).expect("ca.pem");
    std::fs::write(&wrong_ca, wrong_ca_pem).expect("wrong-ca.pem");
    TlsServer { pg, ca, wrong_ca }
}

/// `dsn` with `params` added to its query string.
fn with_params(dsn: &str, params: &str) -> String {
    format!("{dsn}?{params}")
}

fn url_path(path: &Path) -> String {
    path.display().to_string().replace('%', "%25")
}

/// Options whose sessions the server log can be searched for.
fn traced(tag: &str) -> (ApplyOptions, String) {
    let app = format!("pgplan_{tag}");
    (
        ApplyOptions::default()
            .include_settings(false)
            .application_name(app.clone()),
        app,
    )
}

/// For every session the server log shows with `application_name`,
/// whether it was TLS. Empty when there was none.
fn sessions_tls(pg: &PgServer, application_name: &str) -> Vec<bool> {
    let marker = format!("application_name={application_name}");
    pg.log_contents()
        .lines()
        .filter(|l| l.contains("connection authorized") && l.contains(&marker))
        .map(|l| l.contains("SSL enabled"))
        .collect()
}

async fn role_exists(pg: &PgServer, role: &str) -> bool {
    let admin = support::connect(pg, "postgres").await;
    !strings(
        &admin,
        "SELECT rolname::text FROM pg_roles WHERE rolname = $1",
        &[&role],
    )
    .await
    .is_empty()
}

/// A tokio-postgres client of the test's own over rustls, trusting `ca`.
async fn test_client(dsn: &str, ca: &Path) -> tokio_postgres::Client {
    let mut roots = rustls::RootCertStore::empty();
    let pem = std::fs::read(ca).expect("CA file");
    for cert in rustls::pki_types::CertificateDer::pem_slice_iter(&pem) {
        roots.add(cert.expect("CA PEM")).expect("CA certificate");
    }
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("TLS versions")
    .with_root_certificates(roots)
    .with_no_client_auth();
    let (client, connection) =
        tokio_postgres::connect(dsn, tokio_postgres_rustls::MakeRustlsConnect::new(config))
            .await
            .unwrap_or_else(|e| panic!("connect over TLS: {e:?}"));
    tokio::spawn(async move {
        let _ = connection.await;
    });
    client
}

/// `sslmode=require` and `verify-full`: the server converges, over TLS.
async fn converges_over_tls(major: u32) {
    let server = tls_server(major);
    let pg = &server.pg;
    let tag = support::unique_tag(&format!("tls{major}a"));
    let plan = support::seed_000(major, &tag);

    // The server speaks TLS, as the server itself sees it.
    let own = test_client(
        &with_params(&pg.dsn("postgres"), "sslmode=require"),
        &server.ca,
    )
    .await;
    let row = own
        .query_one(
            "SELECT ssl, version FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
            &[],
        )
        .await
        .expect("pg_stat_ssl");
    assert!(row.get::<_, bool>(0), "pg_stat_ssl says no TLS");
    let version: String = row.get(1);
    assert!(version.starts_with("TLSv1."), "{version}");

    // require: no certificate checks, TLS or fail.
    let (opts, app) = traced(&format!("{tag}_require"));
    let dsn = with_params(&pg.dsn("postgres"), "sslmode=require");
    let changes = diff(&plan.validate().expect("the plan validates"), &dsn, &opts)
        .await
        .expect("diff over TLS");
    assert!(!changes.changes.is_empty(), "a fresh plan has changes");
    let sessions = sessions_tls(pg, &app);
    assert!(
        !sessions.is_empty() && sessions.iter().all(|tls| *tls),
        "every session of the diff is TLS: {sessions:?}\n{}",
        pg.log_contents()
    );

    // verify-full with the right CA, by IP address and by name: apply,
    // then nothing left to do.
    let (opts, app) = traced(&format!("{tag}_full"));
    let verify_full = format!("sslmode=verify-full&sslrootcert={}", url_path(&server.ca));
    let dsn = with_params(&pg.dsn("postgres"), &verify_full);
    let report = apply(&plan.validate().expect("the plan validates"), &dsn, &opts)
        .await
        .expect("apply over TLS");
    assert!(report.statements > 0, "{report}");
    let by_name = dsn.replace("@127.0.0.1:", "@localhost:");
    let again = diff(
        &plan.validate().expect("the plan validates"),
        &by_name,
        &opts,
    )
    .await
    .expect("diff by name");
    assert_eq!(again.runnable().count(), 0, "{again}");
    assert!(role_exists(pg, &format!("{tag}_product_change_app")).await);
    let sessions = sessions_tls(pg, &app);
    assert!(
        sessions.len() >= 3 && sessions.iter().all(|tls| *tls),
        "apply's sessions, one per database, are TLS: {sessions:?}"
    );
}

/// verify-ca checks the chain only; verify-full also the host name. The
/// host name is the DSN's `host`; `hostaddr` says where to connect.
async fn verify_ca_and_host_names(major: u32) {
    let server = tls_server(major);
    let pg = &server.pg;
    let tag = support::unique_tag(&format!("tls{major}b"));
    let plan = support::seed_000(major, &tag);
    let (opts, _) = traced(&tag);
    let key_value = |mode: &str| {
        format!(
            "host=db.pgplan.invalid hostaddr=127.0.0.1 port={} user=postgres password='{}' dbname=postgres sslmode={mode} sslrootcert='{}'",
            pg.port(),
            pg.password().replace('\\', "\\\\").replace('\'', "\\'"),
            server.ca.display()
        )
    };
    diff(
        &plan.validate().expect("the plan validates"),
        &key_value("verify-ca"),
        &opts,
    )
    .await
    .expect("verify-ca accepts a chain to the CA whatever the name");
    // As libpq, `require` with a root certificate checks the chain too.
    diff(
        &plan.validate().expect("the plan validates"),
        &key_value("require"),
        &opts,
    )
    .await
    .expect("require with sslrootcert");

    let e = diff(
        &plan.validate().expect("the plan validates"),
        &key_value("verify-full"),
        &opts,
    )
    .await
    .unwrap_err();
    let msg = e.to_string();
    assert!(matches!(e, Error::Tls { .. }), "{msg}");
    assert!(msg.contains("certificate verify failed"), "{msg}");
    assert!(
        msg.contains("not valid for host `db.pgplan.invalid`"),
        "{msg}"
    );
    assert!(
        msg.contains("verify-ca"),
        "the message names the way out: {msg}"
    );
}

/// verify-full with a CA that did not sign the server's certificate fails
/// before anything changes.
async fn wrong_ca_changes_nothing(major: u32) {
    let server = tls_server(major);
    let pg = &server.pg;
    let tag = support::unique_tag(&format!("tls{major}c"));
    let plan = support::seed_000(major, &tag);
    let (opts, _) = traced(&tag);

    let wrong = format!(
        "sslmode=verify-full&sslrootcert={}",
        url_path(&server.wrong_ca)
    );
    let e = apply(
        &plan.validate().expect("the plan validates"),
        &with_params(&pg.dsn("postgres"), &wrong),
        &opts,
    )
    .await
    .unwrap_err();
    let msg = e.to_string();
    assert!(matches!(e, Error::Tls { .. }), "{msg}");
    assert!(msg.contains("certificate verify failed"), "{msg}");
    assert!(
        msg.contains("the certificate of `127.0.0.1` is not signed by the CA in sslrootcert="),
        "{msg}"
    );
    assert!(msg.contains("wrong-ca.pem"), "{msg}");
    assert!(!msg.contains(pg.password()), "no password in: {msg}");

    // As libpq, `require` with sslrootcert checks the chain, and says so.
    let wrong = format!("sslmode=require&sslrootcert={}", url_path(&server.wrong_ca));
    let e = diff(
        &plan.validate().expect("the plan validates"),
        &with_params(&pg.dsn("postgres"), &wrong),
        &opts,
    )
    .await
    .unwrap_err();
    let msg = e.to_string();
    assert!(
        msg.contains("certificate verify failed (sslmode=require, checked as verify-ca because sslrootcert is set)"),
        "{msg}"
    );

    // Without sslrootcert, the public CAs are trusted, and a private CA's
    // certificate is not.
    let e = apply(
        &plan.validate().expect("the plan validates"),
        &with_params(&pg.dsn("postgres"), "sslmode=verify-full"),
        &opts,
    )
    .await
    .unwrap_err();
    let msg = e.to_string();
    assert!(msg.contains("webpki-roots"), "{msg}");

    // A root certificate file that is not one.
    let not_pem = pg.base_dir().join("not-a-ca.pem");
    std::fs::write(&not_pem, "hello\n").unwrap();
    let e = diff(
        &plan.validate().expect("the plan validates"),
        &with_params(
            &pg.dsn("postgres"),
            &format!("sslmode=verify-ca&sslrootcert={}", url_path(&not_pem)),
        ),
        &opts,
    )
    .await
    .unwrap_err();
    let msg = e.to_string();
    assert!(msg.contains("no certificate in it"), "{msg}");

    assert!(
        !role_exists(pg, &format!("{tag}_product_change_app")).await,
        "nothing was created"
    );
}

/// `disable` does not use TLS; the default (`prefer`) does when offered.
async fn disable_and_prefer(major: u32) {
    let server = tls_server(major);
    let pg = &server.pg;
    let tag = support::unique_tag(&format!("tls{major}d"));
    let plan = support::seed_000(major, &tag);

    let (opts, app) = traced(&format!("{tag}_disable"));
    diff(
        &plan.validate().expect("the plan validates"),
        &with_params(&pg.dsn("postgres"), "sslmode=disable"),
        &opts,
    )
    .await
    .expect("diff without TLS");
    let sessions = sessions_tls(pg, &app);
    assert!(
        !sessions.is_empty() && sessions.iter().all(|tls| !tls),
        "sslmode=disable sessions are plain: {sessions:?}"
    );

    let (opts, app) = traced(&format!("{tag}_prefer"));
    diff(
        &plan.validate().expect("the plan validates"),
        &pg.dsn("postgres"),
        &opts,
    )
    .await
    .expect("diff with the default sslmode");
    let sessions = sessions_tls(pg, &app);
    assert!(
        !sessions.is_empty() && sessions.iter().all(|tls| *tls),
        "the default sslmode (prefer) uses TLS when offered: {sessions:?}"
    );
}

/// A server without TLS: `require` and `verify-full` fail clearly, the
/// default still connects.
async fn server_without_tls(major: u32) {
    let pg = support::server(major);
    let tag = support::unique_tag(&format!("tls{major}e"));
    let plan = support::seed_000(major, &tag);
    let opts = ApplyOptions::default().include_settings(false);
    for mode in ["require", "verify-full"] {
        let dsn = with_params(&pg.dsn("postgres"), &format!("sslmode={mode}"));
        let e = apply(&plan.validate().expect("the plan validates"), &dsn, &opts)
            .await
            .unwrap_err();
        let msg = e.to_string();
        assert!(matches!(e, Error::Tls { .. }), "{msg}");
        assert!(
            msg.contains(&format!("server does not support TLS but sslmode={mode}")),
            "{msg}"
        );
        assert!(msg.contains(&format!("127.0.0.1:{}", pg.port())), "{msg}");
    }
    diff(
        &plan.validate().expect("the plan validates"),
        &pg.dsn("postgres"),
        &opts,
    )
    .await
    .expect("prefer falls back to a plain connection");
    assert!(!role_exists(pg, &format!("{tag}_product_change_app")).await);
}

#[tokio::test]
async fn tls_converges_15() {
    converges_over_tls(15).await;
}
#[tokio::test]
async fn tls_converges_17() {
    converges_over_tls(17).await;
}
#[tokio::test]
async fn tls_verify_ca_and_host_names_15() {
    verify_ca_and_host_names(15).await;
}
#[tokio::test]
async fn tls_verify_ca_and_host_names_17() {
    verify_ca_and_host_names(17).await;
}
#[tokio::test]
async fn tls_wrong_ca_changes_nothing_15() {
    wrong_ca_changes_nothing(15).await;
}
#[tokio::test]
async fn tls_wrong_ca_changes_nothing_17() {
    wrong_ca_changes_nothing(17).await;
}
#[tokio::test]
async fn tls_disable_and_prefer_15() {
    disable_and_prefer(15).await;
}
#[tokio::test]
async fn tls_disable_and_prefer_17() {
    disable_and_prefer(17).await;
}
#[tokio::test]
async fn tls_required_but_not_offered_15() {
    server_without_tls(15).await;
}
#[tokio::test]
async fn tls_required_but_not_offered_17() {
    server_without_tls(17).await;
}

/// PostgreSQL 17's direct TLS negotiation (no SSLRequest round trip) needs
/// the `postgresql` ALPN protocol, which pgplan offers.
#[tokio::test]
async fn tls_direct_negotiation_17() {
    let server = tls_server(17);
    let pg = &server.pg;
    let tag = support::unique_tag("tls17f");
    let plan = support::seed_000(17, &tag);
    let (opts, app) = traced(&tag);
    diff(
        &plan.validate().expect("the plan validates"),
        &with_params(&pg.dsn("postgres"), "sslmode=require&sslnegotiation=direct"),
        &opts,
    )
    .await
    .expect("direct TLS negotiation");
    let sessions = sessions_tls(pg, &app);
    assert!(
        !sessions.is_empty() && sessions.iter().all(|tls| *tls),
        "{sessions:?}"
    );
}

/// As libpq's `prefer`: a failed TLS handshake is retried without TLS.
/// The server here offers TLS 1.1 at most, which rustls does not speak.
#[tokio::test]
async fn tls_prefer_falls_back_when_the_handshake_fails_17() {
    let server = start_tls_server(
        17,
        "ssl_min_protocol_version = 'TLSv1'\nssl_max_protocol_version = 'TLSv1.1'\n",
    );
    let pg = &server.pg;
    let tag = support::unique_tag("tls17g");
    let plan = support::seed_000(17, &tag);

    let (opts, app) = traced(&tag);
    diff(
        &plan.validate().expect("the plan validates"),
        &pg.dsn("postgres"),
        &opts,
    )
    .await
    .expect("prefer connects without TLS");
    let sessions = sessions_tls(pg, &app);
    assert!(
        !sessions.is_empty() && sessions.iter().all(|tls| !tls),
        "{sessions:?}"
    );

    let e = diff(
        &plan.validate().expect("the plan validates"),
        &with_params(&pg.dsn("postgres"), "sslmode=require"),
        &opts,
    )
    .await
    .unwrap_err();
    let msg = e.to_string();
    assert!(matches!(e, Error::Tls { .. }), "{msg}");
    assert!(
        msg.contains("TLS handshake with `127.0.0.1` failed (sslmode=require)")
            && msg.contains("pgplan speaks TLS 1.2 and 1.3"),
        "{msg}\n{}",
        pg.log_contents()
    );
}
