use super::*;

use std::io::{BufRead as _, BufReader};
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// Set in a re-executed copy of this test binary to make it act as the
/// process whose death the watchdog must notice (see `watchdog_*` tests).
const CHILD_MODE_VAR: &str = "PGPLAN_TESTKIT_CHILD_MODE";

fn start(major: u32) -> PgServer {
    PgServer::start(major).unwrap_or_else(|err| panic!("{err}"))
}

fn accepts_tcp(port: u16) -> bool {
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    TcpStream::connect_timeout(&addr, Duration::from_secs(1)).is_ok()
}

fn wait_until(what: &str, timeout: Duration, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + timeout;
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// Starts a server, checks version, authentication, preloaded modules and
/// contrib extensions, then checks that `stop` removes everything.
fn check_major(major: u32) {
    let pg = start(major);
    assert_eq!(pg.major(), major);
    assert_eq!(pg.host(), "127.0.0.1");
    assert_eq!(pg.superuser(), "postgres");
    assert!(
        pg.version().starts_with(&format!("{major}.")),
        "{}",
        pg.version()
    );

    // The binary's own idea of its version.
    let out = Command::new(pg.bin_dir().join("postgres"))
        .arg("--version")
        .output()
        .expect("postgres --version");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains(&format!("(PostgreSQL) {major}.")), "{text}");

    // The running server's, through psql over TCP with the password.
    let num: u32 = pg
        .psql("postgres", "SHOW server_version_num")
        .unwrap_or_else(|err| panic!("{err}\n{}", pg.log_contents()))
        .parse()
        .expect("numeric server_version_num");
    assert_eq!(num / 10000, major);
    // Debian's build appends its package version: "15.18 (Debian 15.18-0+deb12u1)".
    let server_version = pg.psql("postgres", "SHOW server_version").unwrap();
    assert!(
        server_version == pg.version()
            || server_version.starts_with(&format!("{} (", pg.version())),
        "{server_version} vs {}",
        pg.version()
    );

    let settings = pg
        .psql(
            "postgres",
            "SELECT current_setting('listen_addresses') || ' ' || current_setting('port') \
             || ' ' || current_setting('shared_preload_libraries') \
             || ' ' || current_setting('server_encoding') || ' ' || datcollate \
             || ' ' || current_setting('password_encryption') \
             FROM pg_database WHERE datname = current_database()",
        )
        .unwrap();
    assert_eq!(
        settings,
        format!(
            "127.0.0.1 {} pg_stat_statements UTF8 C.UTF-8 scram-sha-256",
            pg.port()
        )
    );

    let extensions = pg
        .psql(
            "postgres",
            "CREATE EXTENSION pg_stat_statements; CREATE EXTENSION pg_trgm; \
             CREATE EXTENSION \"uuid-ossp\"; CREATE EXTENSION pgcrypto; \
             SELECT string_agg(extname, ',' ORDER BY extname) FROM pg_extension",
        )
        .unwrap();
    assert_eq!(
        extensions,
        "pg_stat_statements,pg_trgm,pgcrypto,plpgsql,uuid-ossp"
    );
    let calls = pg
        .psql("postgres", "SELECT count(*) > 0 FROM pg_stat_statements")
        .unwrap();
    assert_eq!(calls, "t");

    // A wrong password is refused: authentication really is scram-sha-256.
    let psql = pg.psql_path().unwrap();
    let refused = Command::new(&psql)
        .args(["-X", "-A", "-t", "-c", "SELECT 1", "-d"])
        .arg(pg.dsn("postgres").replace(pg.password(), "wrong"))
        .env_remove("PGPASSWORD")
        .output()
        .unwrap();
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("password authentication failed"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );

    assert!(pg.log_path().is_file());
    assert!(
        pg.log_contents()
            .contains("database system is ready to accept connections")
    );

    let base = pg.base_dir().to_owned();
    let port = pg.port();
    assert!(pg.data_dir().join("PG_VERSION").is_file());
    assert!(accepts_tcp(port));
    pg.stop().unwrap_or_else(|err| panic!("{err}"));
    assert!(!base.exists(), "{} survived stop()", base.display());
    assert!(!accepts_tcp(port), "port {port} still accepts connections");
}

#[test]
fn pg14_starts_and_stops() {
    check_major(14);
}

#[test]
fn pg15_starts_and_stops() {
    check_major(15);
}

#[test]
fn pg16_starts_and_stops() {
    check_major(16);
}

#[test]
fn pg17_starts_and_stops() {
    check_major(17);
}

#[test]
fn pg18_starts_and_stops() {
    check_major(18);
}

#[test]
fn drop_stops_the_server_and_removes_its_directory() {
    let pg = start(17);
    let base = pg.base_dir().to_owned();
    let port = pg.port();
    assert!(base.is_dir());
    drop(pg);
    assert!(!base.exists(), "{} survived drop", base.display());
    assert!(!accepts_tcp(port));
}

#[test]
fn servers_of_one_version_are_independent() {
    let a = start(16);
    let b = start(16);
    assert_ne!(a.port(), b.port());
    assert_ne!(a.base_dir(), b.base_dir());
    assert_ne!(a.password(), b.password());
    a.psql("postgres", "CREATE TABLE only_in_a (id int)")
        .unwrap();
    assert_eq!(
        b.psql(
            "postgres",
            "SELECT count(*) FROM pg_class WHERE relname = 'only_in_a'"
        )
        .unwrap(),
        "0"
    );
}

#[test]
fn shared_returns_one_server_per_major() {
    let first = shared(15);
    let second = shared(15);
    assert!(std::ptr::eq(first, second));
    assert_eq!(first.major(), 15);
    let db = first.create_database().unwrap();
    let other = first.create_database().unwrap();
    assert_ne!(db, other);
    assert_eq!(first.psql(&db, "SELECT current_database()").unwrap(), db);
}

#[test]
fn extra_settings_reach_the_server() {
    let pg =
        PgServer::start_with_settings(18, &[("work_mem", "7MB"), ("cluster_name", "it's quoted")])
            .unwrap_or_else(|err| panic!("{err}"));
    assert_eq!(pg.psql("postgres", "SHOW work_mem").unwrap(), "7MB");
    assert_eq!(
        pg.psql("postgres", "SHOW cluster_name").unwrap(),
        "it's quoted"
    );
    assert_eq!(
        pg.psql("postgres", "SHOW shared_preload_libraries")
            .unwrap(),
        "pg_stat_statements"
    );
}

#[test]
fn invalid_settings_fail_with_the_server_log() {
    let err = PgServer::start_with_settings(17, &[("no_such_setting", "1")]).unwrap_err();
    let text = err.to_string();
    assert!(
        matches!(err, TestkitError::StartFailed { major: 17, .. }),
        "{text}"
    );
    assert!(text.contains("no_such_setting"), "{text}");
}

#[test]
fn missing_binaries_say_what_and_how_to_fix() {
    let err = PgServer::start(99).unwrap_err();
    let expected_dir = cache_dir()
        .expect("HOME or PGPLAN_CACHE is set")
        .join("pg/99")
        .join(NPM_BIN_SUFFIX);
    assert_eq!(
        err.to_string(),
        format!(
            "PostgreSQL 99 binaries not found in {} (set PGPLAN_PG99_BIN or run scripts/install-test-deps.sh)",
            expected_dir.display()
        )
    );

    let err = locate_bin_dir(17, Some("/nonexistent/bin".into()), None).unwrap_err();
    assert_eq!(
        err.to_string(),
        "PostgreSQL 17 binaries not found in /nonexistent/bin \
         (set PGPLAN_PG17_BIN or run scripts/install-test-deps.sh)"
    );

    let err = locate_bin_dir(15, None, None)
        .map(|_| ())
        .or_else(|err| match err {
            TestkitError::BinariesNotFound { path, .. } => {
                assert_eq!(path, Path::new("/usr/lib/postgresql/15/bin"));
                Ok(())
            }
            other => Err(other),
        });
    err.unwrap();
}

#[test]
fn a_wrong_version_is_reported() {
    let bin_15 = find_bin_dir(15).unwrap_or_else(|err| panic!("{err}"));
    let found = locate_bin_dir(14, Some(bin_15.clone().into()), None).unwrap();
    assert_eq!(found, bin_15);
    let run_as = if is_root() { Some(TEST_USER) } else { None };
    let version = server_version(&bin_15, run_as).unwrap();
    assert!(version.starts_with("15."), "{version}");
}

#[test]
fn dsn_is_a_percent_encoded_url() {
    let pg = shared(17);
    assert_eq!(
        pg.dsn("postgres"),
        format!(
            "postgresql://postgres:{}@127.0.0.1:{}/postgres",
            pg.password(),
            pg.port()
        )
    );
    assert_eq!(
        percent_encode("p@ss:w/rd %é"),
        "p%40ss%3Aw%2Frd%20%25%C3%A9"
    );
    assert_eq!(percent_encode("Az09-._~"), "Az09-._~");
    let db_name = "my db/é";
    pg.psql("postgres", &format!("CREATE DATABASE \"{db_name}\""))
        .unwrap();
    assert_eq!(
        pg.psql(db_name, "SELECT current_database()").unwrap(),
        db_name
    );
}

#[test]
fn passwords_are_random_and_alphanumeric() {
    let a = random_password().unwrap();
    let b = random_password().unwrap();
    assert_eq!(a.len(), 32);
    assert_ne!(a, b);
    assert!(a.bytes().all(|c| c.is_ascii_alphanumeric()), "{a}");
    assert_eq!(shell_quote("a'b"), r"'a'\''b'");
}

/// Runs this test binary again as a child that starts a server and then
/// either gets killed or exits without dropping it; the watchdog must stop
/// the server and delete its directory in both cases.
fn check_watchdog(mode: &str) {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "tests::watchdog_child",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_MODE_VAR, mode)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    // Keep draining the child's output after its report, or its later
    // writes fail with a broken pipe.
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            // libtest may print "test tests::watchdog_child ... " before it.
            if let Some((_, rest)) = line.split_once("WATCHDOG-CHILD ") {
                let _ = tx.send(rest.to_owned());
            }
        }
    });
    let Ok(report) = rx.recv_timeout(Duration::from_secs(120)) else {
        let _ = child.kill();
        let _ = child.wait();
        panic!("the child did not report its server within 120 s");
    };
    let (port, base) = report.split_once(' ').expect("WATCHDOG-CHILD PORT DIR");
    let port: u16 = port.parse().expect("a port number");
    let base = PathBuf::from(base);
    assert!(base.join("data/PG_VERSION").is_file());
    assert!(accepts_tcp(port));
    if mode == "kill" {
        child.kill().unwrap();
    }
    let status = child.wait().unwrap();
    if mode == "exit" {
        assert!(status.success(), "child failed: {status}");
    }
    wait_until(
        "the watchdog removed the server",
        Duration::from_secs(60),
        || !base.exists() && !accepts_tcp(port),
    );
}

#[test]
fn watchdog_cleans_up_after_a_killed_process() {
    check_watchdog("kill");
}

#[test]
fn watchdog_cleans_up_a_shared_server_after_exit() {
    check_watchdog("exit");
}

/// Only does something in the child processes of the `watchdog_*` tests.
#[test]
fn watchdog_child() {
    let Ok(mode) = std::env::var(CHILD_MODE_VAR) else {
        return;
    };
    let report = |pg: &PgServer| {
        println!("WATCHDOG-CHILD {} {}", pg.port(), pg.base_dir().display());
    };
    match mode.as_str() {
        "kill" => {
            let pg = start(14);
            report(&pg);
            std::thread::sleep(Duration::from_secs(120));
            unreachable!("the parent kills this process");
        }
        "exit" => report(shared(14)),
        other => panic!("unknown {CHILD_MODE_VAR}={other}"),
    }
}
