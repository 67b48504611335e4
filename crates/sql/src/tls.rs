//! TLS for the live connection (feature `apply`), with rustls: libpq's
//! `sslmode` and `sslrootcert`, read from the DSN.
//!
//! tokio-postgres understands `sslmode` `disable`, `prefer` and `require`
//! only, and no `sslrootcert`; so both are taken out of the DSN here before
//! tokio-postgres parses the rest, and the certificate checks they ask for
//! are done by [`PgCertVerifier`].

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::server::ParsedCertificate;
use rustls::{CertificateError, DigitallySignedStruct, RootCertStore, SignatureScheme};
use tokio_postgres::config::{Host, SslMode as WireSslMode};
use tokio_postgres_rustls::MakeRustlsConnect;

use crate::error::Error;

/// libpq's `sslmode` values that pgplan supports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum SslMode {
    /// No TLS.
    Disable,
    /// TLS when the server offers it, without certificate checks.
    Prefer,
    /// TLS or fail, without certificate checks (unless a root certificate
    /// is given: then as `VerifyCa`, like libpq).
    Require,
    /// TLS, and the certificate chains to a trusted CA.
    VerifyCa,
    /// TLS, the certificate chains to a trusted CA and names the host.
    VerifyFull,
}

impl SslMode {
    fn parse(value: &str) -> Result<SslMode, Error> {
        match value {
            "disable" => Ok(SslMode::Disable),
            "prefer" => Ok(SslMode::Prefer),
            "require" => Ok(SslMode::Require),
            "verify-ca" => Ok(SslMode::VerifyCa),
            "verify-full" => Ok(SslMode::VerifyFull),
            "allow" => Err(Error::Dsn {
                message: "sslmode=allow is not supported: use prefer (TLS when the server offers it) or disable".into(),
            }),
            other => Err(Error::Dsn {
                message: format!(
                    "sslmode `{other}` is not one of disable, prefer, require, verify-ca, verify-full"
                ),
            }),
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            SslMode::Disable => "disable",
            SslMode::Prefer => "prefer",
            SslMode::Require => "require",
            SslMode::VerifyCa => "verify-ca",
            SslMode::VerifyFull => "verify-full",
        }
    }
}

impl fmt::Display for SslMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which CAs are trusted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum RootCerts {
    /// The Mozilla root program's CAs compiled in by `webpki-roots`
    /// (`sslrootcert=system`, or no `sslrootcert`).
    WebPki,
    /// The CA certificates in a PEM file (`sslrootcert=<path>`).
    File(PathBuf),
}

impl fmt::Display for RootCerts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RootCerts::WebPki => {
                f.write_str("any public CA pgplan trusts (Mozilla's roots from webpki-roots)")
            }
            RootCerts::File(path) => write!(f, "the CA in sslrootcert={}", path.display()),
        }
    }
}

/// The TLS part of a DSN.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TlsSettings {
    /// The effective mode (`require` with a root certificate file is
    /// `verify-ca`).
    pub mode: SslMode,
    /// The mode as written (`prefer` when absent), for messages.
    pub written_mode: SslMode,
    /// Trusted CAs for `verify-ca` and `verify-full`.
    pub roots: RootCerts,
}

impl TlsSettings {
    /// The mode for messages: as written, and how it is applied when that
    /// differs.
    fn mode_text(&self) -> String {
        if self.mode == self.written_mode {
            format!("sslmode={}", self.mode)
        } else {
            format!(
                "sslmode={}, checked as {} because sslrootcert is set",
                self.written_mode, self.mode
            )
        }
    }
}

/// The DSN without the TLS parameters tokio-postgres does not know, and
/// those parameters.
#[derive(Debug)]
pub(crate) struct SplitDsn {
    pub rest: String,
    pub tls: TlsSettings,
}

/// Takes `sslmode` and `sslrootcert` out of a URL or key/value DSN.
pub(crate) fn split_dsn(dsn: &str) -> Result<SplitDsn, Error> {
    let (rest, params) = if dsn.starts_with("postgres://") || dsn.starts_with("postgresql://") {
        strip_url_params(dsn)?
    } else {
        strip_key_value_params(dsn)
    };
    let mut mode = None;
    let mut root_cert = None;
    for (key, value) in params {
        match key.as_str() {
            "sslmode" => mode = Some(SslMode::parse(&value)?),
            "sslrootcert" => root_cert = Some(value),
            // Refused with a message rather than tokio-postgres's
            // "unknown option".
            client_cert => {
                return Err(Error::Dsn {
                    message: format!(
                        "{client_cert}: client certificates are not supported (authenticate with a password)"
                    ),
                });
            }
        }
    }
    let roots = match root_cert.as_deref() {
        None | Some("system") => RootCerts::WebPki,
        Some("") => {
            return Err(Error::Dsn {
                message: "sslrootcert is empty: give the path of the CA's PEM file, or `system`"
                    .into(),
            });
        }
        Some(path) => RootCerts::File(PathBuf::from(path)),
    };
    let written_mode = match (mode, root_cert.as_deref()) {
        // As libpq 16+: `system` means "verify like a browser", and a weaker
        // mode with it is a mistake.
        (None, Some("system")) => SslMode::VerifyFull,
        (Some(m), Some("system")) if m != SslMode::VerifyFull => {
            return Err(Error::Dsn {
                message: format!(
                    "sslmode={m} may not be used with sslrootcert=system (use sslmode=verify-full)"
                ),
            });
        }
        (m, _) => m.unwrap_or(SslMode::Prefer),
    };
    // As libpq: `require` with a root certificate file checks the chain.
    let mode = match (written_mode, &roots) {
        (SslMode::Require, RootCerts::File(_)) => SslMode::VerifyCa,
        (m, _) => m,
    };
    Ok(SplitDsn {
        rest,
        tls: TlsSettings {
            mode,
            written_mode,
            roots,
        },
    })
}

/// The parameters this module takes out of the DSN.
fn is_tls_param(key: &str) -> bool {
    matches!(
        key,
        "sslmode" | "sslrootcert" | "sslcert" | "sslkey" | "sslpassword"
    )
}

type Params = Vec<(String, String)>;

fn strip_url_params(dsn: &str) -> Result<(String, Params), Error> {
    // `?` cannot appear unescaped before the query string.
    let Some((base, query)) = dsn.split_once('?') else {
        return Ok((dsn.to_owned(), Vec::new()));
    };
    let mut kept = Vec::new();
    let mut params = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let key_text = percent_decode(key)?;
        if is_tls_param(&key_text) {
            params.push((key_text, percent_decode(value)?));
        } else {
            kept.push(pair);
        }
    }
    let rest = if kept.is_empty() {
        base.to_owned()
    } else {
        format!("{base}?{}", kept.join("&"))
    };
    Ok((rest, params))
}

fn percent_decode(text: &str) -> Result<String, Error> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(|| Error::Dsn {
                    message: format!("bad percent-encoding in `{text}`"),
                })?;
            out.push(hex);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| Error::Dsn {
        message: format!("`{text}` is not UTF-8 once percent-decoded"),
    })
}

/// libpq's `key = value` syntax: values may be single-quoted, and `\`
/// escapes the next character. A string this does not understand is left
/// whole for tokio-postgres to report.
fn strip_key_value_params(dsn: &str) -> (String, Params) {
    let Some(pairs) = key_value_pairs(dsn) else {
        return (dsn.to_owned(), Vec::new());
    };
    let mut rest = String::with_capacity(dsn.len());
    let mut params = Vec::new();
    let mut last = 0;
    for pair in pairs.into_iter().filter(|p| is_tls_param(&p.key)) {
        rest.push_str(&dsn[last..pair.span.0]);
        rest.push(' ');
        last = pair.span.1;
        params.push((pair.key, pair.value));
    }
    rest.push_str(&dsn[last..]);
    (rest, params)
}

struct KeyValue {
    key: String,
    value: String,
    span: (usize, usize),
}

fn key_value_pairs(dsn: &str) -> Option<Vec<KeyValue>> {
    let chars: Vec<(usize, char)> = dsn.char_indices().collect();
    let end = dsn.len();
    let at = |i: usize| chars.get(i).map(|&(_, c)| c);
    let offset = |i: usize| chars.get(i).map_or(end, |&(o, _)| o);
    let mut pairs = Vec::new();
    let mut i = 0;
    loop {
        while at(i).is_some_and(char::is_whitespace) {
            i += 1;
        }
        if at(i).is_none() {
            return Some(pairs);
        }
        let start = offset(i);
        let mut key = String::new();
        while let Some(c) = at(i).filter(|c| *c != '=' && !c.is_whitespace()) {
            key.push(c);
            i += 1;
        }
        while at(i).is_some_and(char::is_whitespace) {
            i += 1;
        }
        if key.is_empty() || at(i) != Some('=') {
            return None;
        }
        i += 1;
        while at(i).is_some_and(char::is_whitespace) {
            i += 1;
        }
        let mut value = String::new();
        if at(i) == Some('\'') {
            i += 1;
            loop {
                match at(i)? {
                    '\'' => {
                        i += 1;
                        break;
                    }
                    '\\' => {
                        value.push(at(i + 1)?);
                        i += 2;
                    }
                    c => {
                        value.push(c);
                        i += 1;
                    }
                }
            }
        } else {
            while let Some(c) = at(i).filter(|c| !c.is_whitespace()) {
                if c == '\\' {
                    value.push(at(i + 1)?);
                    i += 2;
                } else {
                    value.push(c);
                    i += 1;
                }
            }
        }
        pairs.push(KeyValue {
            key,
            value,
            span: (start, offset(i)),
        });
    }
}

/// How tokio-postgres negotiates: `verify-*` need TLS just as `require`.
/// libpq ignores `sslmode` on Unix sockets, where PostgreSQL never offers
/// TLS, and so does pgplan.
pub(crate) fn wire_mode(mode: SslMode, hosts: &[Host]) -> WireSslMode {
    let all_unix = !hosts.is_empty() && hosts.iter().all(|h| matches!(h, Host::Unix(_)));
    match mode {
        _ if all_unix => WireSslMode::Disable,
        SslMode::Disable => WireSslMode::Disable,
        SslMode::Prefer => WireSslMode::Prefer,
        SslMode::Require | SslMode::VerifyCa | SslMode::VerifyFull => WireSslMode::Require,
    }
}

/// The connector for tokio-postgres: rustls with ring, verifying as the
/// mode asks. `server` (host:port) is for error messages.
pub(crate) fn connector(tls: &TlsSettings, server: &str) -> Result<MakeRustlsConnect, Error> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let check = match tls.mode {
        SslMode::Disable | SslMode::Prefer | SslMode::Require => Check::Nothing,
        SslMode::VerifyCa => Check::Chain,
        SslMode::VerifyFull => Check::ChainAndHostName,
    };
    let roots = match check {
        Check::Nothing => RootCertStore::empty(),
        Check::Chain | Check::ChainAndHostName => load_roots(&tls.roots, server)?,
    };
    let verifier = PgCertVerifier {
        check,
        roots: Arc::new(roots),
        algorithms: provider.signature_verification_algorithms,
    };
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::Tls {
            target: server.to_owned(),
            message: format!("setting up TLS: {e}"),
        })?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    // PostgreSQL 17's direct TLS negotiation (`sslnegotiation=direct`)
    // requires this ALPN protocol; older servers ignore it.
    config.alpn_protocols = vec![b"postgresql".to_vec()];
    Ok(MakeRustlsConnect::new(config))
}

fn load_roots(roots: &RootCerts, server: &str) -> Result<RootCertStore, Error> {
    let path = match roots {
        RootCerts::WebPki => {
            return Ok(RootCertStore {
                roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
            });
        }
        RootCerts::File(path) => path,
    };
    let fail = |message: String| Error::Tls {
        target: server.to_owned(),
        message: format!(
            "sslrootcert={}: {message} (give the PEM file of the CA that signed the server's certificate)",
            path.display()
        ),
    };
    let pem = std::fs::read(path).map_err(|e| fail(format!("cannot read it: {e}")))?;
    let mut store = RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(&pem) {
        let cert = cert.map_err(|e| fail(format!("not a PEM certificate file: {e}")))?;
        store
            .add(cert)
            .map_err(|e| fail(format!("unusable CA certificate: {e}")))?;
    }
    if store.is_empty() {
        return Err(fail("no certificate in it".into()));
    }
    Ok(store)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Check {
    Nothing,
    Chain,
    ChainAndHostName,
}

/// Checks the server's certificate as far as the mode asks. Handshake
/// signatures are checked in every mode: they prove the server holds the
/// key of the certificate it showed, whatever is made of that certificate.
#[derive(Debug)]
struct PgCertVerifier {
    check: Check,
    roots: Arc<RootCertStore>,
    algorithms: WebPkiSupportedAlgorithms,
}

impl ServerCertVerifier for PgCertVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if self.check == Check::Nothing {
            return Ok(ServerCertVerified::assertion());
        }
        let cert = ParsedCertificate::try_from(end_entity)?;
        rustls::client::verify_server_cert_signed_by_trust_anchor(
            &cert,
            &self.roots,
            intermediates,
            now,
            self.algorithms.all,
        )?;
        if self.check == Check::ChainAndHostName {
            rustls::client::verify_server_name(&cert, server_name)?;
        }
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

/// What went wrong with TLS while connecting, if it was TLS.
pub(crate) enum TlsFailure {
    /// The server answered the TLS request with "no".
    NotOffered,
    /// rustls failed the handshake (certificate checks included).
    Handshake(rustls::Error),
}

/// Finds the TLS part of a connection error: tokio-postgres wraps the
/// `io::Error` that tokio-rustls wraps around the `rustls::Error`.
pub(crate) fn tls_failure(e: &tokio_postgres::Error) -> Option<TlsFailure> {
    let mut source: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(e);
    while let Some(err) = source {
        if let Some(rustls_error) = err.downcast_ref::<rustls::Error>() {
            return Some(TlsFailure::Handshake(rustls_error.clone()));
        }
        if let Some(io) = err.downcast_ref::<std::io::Error>()
            && let Some(rustls_error) = io
                .get_ref()
                .and_then(|inner| inner.downcast_ref::<rustls::Error>())
        {
            return Some(TlsFailure::Handshake(rustls_error.clone()));
        }
        // tokio-postgres's own words for the server's "N" to SSLRequest.
        if err.to_string() == "server does not support TLS" {
            return Some(TlsFailure::NotOffered);
        }
        source = err.source();
    }
    None
}

/// The message for a TLS failure while connecting to `host`.
pub(crate) fn failure_message(failure: &TlsFailure, tls: &TlsSettings, host: &str) -> String {
    match failure {
        TlsFailure::NotOffered => format!(
            "server does not support TLS but sslmode={} (turn ssl on in the server, or connect with sslmode=prefer or disable)",
            tls.written_mode
        ),
        TlsFailure::Handshake(rustls::Error::InvalidCertificate(cert)) => {
            let detail = match cert {
                CertificateError::UnknownIssuer => format!(
                    "the certificate of `{host}` is not signed by {} (set sslrootcert=<the PEM file of the server's CA>)",
                    tls.roots
                ),
                CertificateError::NotValidForName
                | CertificateError::NotValidForNameContext { .. } => format!(
                    "the certificate is not valid for host `{host}`: {cert} (connect with a name the certificate lists, or use sslmode=verify-ca to check the chain only)"
                ),
                other => format!("the certificate of `{host}`: {other}"),
            };
            format!("certificate verify failed ({}): {detail}", tls.mode_text())
        }
        TlsFailure::Handshake(
            other @ (rustls::Error::PeerIncompatible(_)
            | rustls::Error::AlertReceived(rustls::AlertDescription::ProtocolVersion)),
        ) => format!(
            "TLS handshake with `{host}` failed ({}): {other} (pgplan speaks TLS 1.2 and 1.3; check the server's ssl_min_protocol_version and ssl_max_protocol_version)",
            tls.mode_text()
        ),
        TlsFailure::Handshake(other) => format!(
            "TLS handshake with `{host}` failed ({}): {other}",
            tls.mode_text()
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(dsn: &str) -> SplitDsn {
        split_dsn(dsn).unwrap_or_else(|e| panic!("{dsn}: {e}"))
    }

    #[test]
    fn default_is_prefer_with_public_roots() {
        let s = split("postgresql://u:p@h:5432/db");
        assert_eq!(s.rest, "postgresql://u:p@h:5432/db");
        assert_eq!(s.tls.mode, SslMode::Prefer);
        assert_eq!(s.tls.roots, RootCerts::WebPki);
    }

    #[test]
    fn url_parameters_are_taken_out_and_the_rest_kept() {
        let s = split(
            "postgresql://u:p%3F@h/db?application_name=x&sslmode=verify-full&sslrootcert=%2Ftmp%2Fca%20file.pem&connect_timeout=3",
        );
        assert_eq!(
            s.rest,
            "postgresql://u:p%3F@h/db?application_name=x&connect_timeout=3"
        );
        assert_eq!(s.tls.mode, SslMode::VerifyFull);
        assert_eq!(s.tls.roots, RootCerts::File("/tmp/ca file.pem".into()));
        let only = split("postgres://h/db?sslmode=disable");
        assert_eq!(only.rest, "postgres://h/db");
        assert_eq!(only.tls.mode, SslMode::Disable);
    }

    #[test]
    fn key_value_parameters_are_taken_out_and_the_rest_kept() {
        let s = split(
            r"host=h sslmode = verify-ca  sslrootcert='/tmp/it\'s ca.pem' password='a b' user=u",
        );
        assert_eq!(s.tls.mode, SslMode::VerifyCa);
        assert_eq!(s.tls.roots, RootCerts::File("/tmp/it's ca.pem".into()));
        let config: tokio_postgres::Config = s.rest.parse().expect("rest parses");
        assert_eq!(config.get_user(), Some("u"));
        assert_eq!(config.get_password(), Some(&b"a b"[..]));
        assert_eq!(s.rest.matches("ssl").count(), 0, "{}", s.rest);
    }

    #[test]
    fn require_with_a_root_file_verifies_the_chain_as_libpq() {
        let s = split("host=h sslmode=require sslrootcert=/ca.pem");
        assert_eq!(s.tls.mode, SslMode::VerifyCa);
        assert_eq!(s.tls.written_mode, SslMode::Require);
        assert_eq!(split("host=h sslmode=require").tls.mode, SslMode::Require);
    }

    #[test]
    fn system_roots_mean_verify_full() {
        let s = split("postgresql://h/db?sslrootcert=system");
        assert_eq!(s.tls.mode, SslMode::VerifyFull);
        assert_eq!(s.tls.roots, RootCerts::WebPki);
        let err = split_dsn("postgresql://h/db?sslrootcert=system&sslmode=require")
            .unwrap_err()
            .to_string();
        assert!(err.contains("sslmode=require may not be used with sslrootcert=system"));
    }

    #[test]
    fn bad_values_are_refused_by_name() {
        for (dsn, expected) in [
            (
                "host=h sslmode=verify_full",
                "sslmode `verify_full` is not one of",
            ),
            ("host=h sslmode=allow", "sslmode=allow is not supported"),
            ("host=h sslrootcert=''", "sslrootcert is empty"),
            (
                "postgresql://h/db?sslcert=c.pem",
                "sslcert: client certificates",
            ),
            ("host=h sslkey=k.pem", "sslkey: client certificates"),
            ("postgresql://h/db?sslmode=%zz", "bad percent-encoding"),
        ] {
            let err = split_dsn(dsn).map(|s| s.tls).unwrap_err().to_string();
            assert!(err.contains(expected), "{dsn}: {err}");
        }
    }

    #[test]
    fn unix_sockets_never_use_tls() {
        let unix = [Host::Unix("/run/postgresql".into())];
        let tcp = [Host::Tcp("db".into())];
        assert_eq!(wire_mode(SslMode::VerifyFull, &unix), WireSslMode::Disable);
        assert_eq!(wire_mode(SslMode::VerifyFull, &tcp), WireSslMode::Require);
        assert_eq!(wire_mode(SslMode::Prefer, &tcp), WireSslMode::Prefer);
        assert_eq!(wire_mode(SslMode::Disable, &tcp), WireSslMode::Disable);
    }

    #[test]
    fn missing_root_file_is_a_clear_error() {
        let tls = split("host=h sslmode=verify-full sslrootcert=/nonexistent/ca.pem").tls;
        let err = connector(&tls, "h:5432").err().map(|e| e.to_string());
        let err = err.unwrap_or_default();
        assert!(
            err.contains("sslrootcert=/nonexistent/ca.pem: cannot read it"),
            "{err}"
        );
    }
}
