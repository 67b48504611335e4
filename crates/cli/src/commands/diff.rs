//! `pgplan diff FILE|DIR… --dsn URL`: what `apply --target sql` would change on a
//! live server. Always a dry run.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::OnceLock;
use std::time::Duration;

use pgplan_core::{SettingsMethod, ValidPlan};
use pgplan_sql::{ApplyOptions, ChangeSet, EnvSecretResolver, Password, Prepared, Purpose};
use serde_json::json;

use crate::args::Output;
use crate::fleet::{self, Outcome};

use crate::passwords::GeneratedPasswords;

/// How to connect and what `apply` may do, from the command line.
#[derive(Debug, Clone, Default)]
pub struct Connection {
    /// Read the login password from standard input.
    pub password_stdin: bool,
    /// Adopt unmarked objects the plan names.
    pub adopt: bool,
    /// Allow destructive changes.
    pub allow_destructive: bool,
    /// Where generated passwords live.
    pub password_dir: Option<PathBuf>,
    /// Seconds to wait for another apply.
    pub lock_timeout: u64,
    /// The password read from standard input: read once, for every plan
    /// of a fleet.
    pub stdin_password: OnceLock<Result<Password, String>>,
}

/// Options of the SQL target from the command line. Passwords come from the
/// plan's `env` sources, generated ones from `--password-dir`, or
/// `PGPLAN_PASSWORD_<ROLE>` for other sources. Settings are converged with
/// ALTER SYSTEM only where that is how they reach the server (a ConfigMap
/// or the Azure API owns them elsewhere). `create` makes missing generated
/// passwords (apply).
pub fn sql_options(
    plan: &ValidPlan,
    conn: &Connection,
    create: bool,
) -> Result<ApplyOptions, String> {
    let method = plan
        .tuning
        .method
        .unwrap_or_else(|| SettingsMethod::for_platform(&plan.platform));
    let secrets = GeneratedPasswords::new(
        conn.password_dir.as_deref(),
        plan.service.as_str(),
        &plan.environment.to_string(),
        create,
        EnvSecretResolver::new().with_fallback_prefix("PGPLAN_PASSWORD_"),
    );
    Ok(ApplyOptions {
        allow_destructive: conn.allow_destructive,
        secrets,
        include_settings: method == SettingsMethod::AlterSystem,
        adopt: conn.adopt,
        application_name: format!(
            "pgplan {}/{} (pid {})",
            plan.service,
            plan.environment,
            std::process::id()
        ),
        ..connect_options(conn)?
    })
}

/// The options that connect, before the plan is read (see [`Connecting`]).
fn connect_options(conn: &Connection) -> Result<ApplyOptions, String> {
    let mut opts = ApplyOptions {
        lock_timeout: Duration::from_secs(conn.lock_timeout),
        on_wait: Some(Arc::new(|message: &str| crate::out::error(message))),
        application_name: format!("pgplan (pid {})", std::process::id()),
        ..ApplyOptions::default()
    };
    if conn.password_stdin {
        let password = conn
            .stdin_password
            .get_or_init(crate::passwords::from_stdin)
            .clone()?;
        opts.login_password = Some(password);
    }
    Ok(opts)
}

/// The server being connected to, and its plan-independent state read
/// ([`pgplan_sql::prepare`]), on the runtime while the plan is read and
/// validated on this thread: the two overlap instead of adding up (on a
/// 1 MB plan, a third of a re-apply). The plan's own errors still come
/// first: a plan that cannot be used abandons the connection unread.
pub struct Connecting(Started);

enum Started {
    Now(tokio::task::JoinHandle<Result<Prepared, pgplan_sql::Error>>),
    /// The password comes from standard input and is not read yet: reading
    /// it first would make a plan with errors wait for it. Connects once the
    /// plan is read.
    Later {
        dsn: String,
        purpose: Purpose,
    },
    Failed(String),
}

impl Connecting {
    /// Starts connecting to `dsn`, for a diff or (taking its turn first) an
    /// apply.
    pub fn start(
        rt: &tokio::runtime::Runtime,
        dsn: &str,
        conn: &Connection,
        purpose: Purpose,
    ) -> Connecting {
        if conn.password_stdin && conn.stdin_password.get().is_none() {
            return Connecting(Started::Later {
                dsn: dsn.to_owned(),
                purpose,
            });
        }
        Connecting(match connect_options(conn) {
            Ok(opts) => {
                let dsn = dsn.to_owned();
                Started::Now(
                    rt.spawn(async move { pgplan_sql::prepare(&dsn, &opts, purpose).await }),
                )
            }
            Err(message) => Started::Failed(message),
        })
    }

    /// Gives up without waiting (which disconnects, and gives up an
    /// apply's turn).
    pub fn abandon(self) {
        if let Started::Now(task) = self.0 {
            task.abort();
        }
    }

    /// The prepared server; the exit code and message when it failed.
    pub async fn ready(self, conn: &Connection) -> Result<Prepared, (u8, String)> {
        let sql_failure = |e: pgplan_sql::Error| (exit_code_of(&e), e.to_string());
        match self.0 {
            Started::Failed(message) => Err((super::EXIT_UNREADABLE, message)),
            Started::Later { dsn, purpose } => {
                let opts = connect_options(conn).map_err(|m| (super::EXIT_UNREADABLE, m))?;
                pgplan_sql::prepare(&dsn, &opts, purpose)
                    .await
                    .map_err(sql_failure)
            }
            Started::Now(task) => match task.await {
                Ok(prepared) => prepared.map_err(sql_failure),
                Err(e) => Err((super::EXIT_TARGET, format!("the connection failed: {e}"))),
            },
        }
    }
}

/// A runtime for the backends' async clients.
pub fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))
}

/// The changes as JSON, with the statements each runs (passwords redacted).
pub fn changes_json(changes: &ChangeSet) -> serde_json::Value {
    let list: Vec<serde_json::Value> = changes
        .changes
        .iter()
        .map(|c| {
            json!({
                "scope": c.scope.to_string(),
                "phase": format!("{:?}", c.phase),
                "summary": c.summary,
                "destructive": c.destructive,
                "runs": !c.destructive || changes.allow_destructive,
                "statements": c.statements.iter().map(|s| s.to_redacted_sql()).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({
        "server": changes.server,
        "statements": changes.statement_count(),
        "changes": list,
        "notes": changes.notes,
        "restart_needed": changes.restart_needed,
        "conflicts": changes.conflicts,
    })
}

/// The changes for people; with `verbose`, every statement that would run.
pub fn changes_text(changes: &ChangeSet, verbose: bool) -> String {
    let mut out = changes.to_string();
    if verbose && changes.statement_count() > 0 {
        out.push_str("statements:\n");
        for c in changes.runnable() {
            for s in &c.statements {
                let _ = writeln!(out, "  {};", s.to_redacted_sql().trim_end_matches(';'));
            }
        }
    }
    out
}

/// What `diff` was asked to do.
pub struct DiffArgs<'a> {
    /// Plan files or directories.
    pub files: &'a [PathBuf],
    /// Connection string.
    pub dsn: &'a str,
    /// How to connect, and what apply would do.
    pub connection: Connection,
    /// Print statements and every finding.
    pub verbose: bool,
    /// Output format.
    pub output: Output,
}

/// The exit code for a failure of the SQL backend.
pub fn exit_code_of(e: &pgplan_sql::Error) -> u8 {
    match e {
        pgplan_sql::Error::Dsn { .. } => super::EXIT_UNREADABLE,
        _ => super::EXIT_TARGET,
    }
}

/// Runs the command; returns the exit code.
pub fn run(args: &DiffArgs<'_>) -> u8 {
    let inputs = match fleet::expand(args.files) {
        Ok(i) => i,
        Err(e) => {
            crate::out::error(&e);
            return super::EXIT_UNREADABLE;
        }
    };
    let rt = match runtime() {
        Ok(rt) => rt,
        Err(e) => {
            crate::out::error(&e);
            return super::EXIT_TARGET;
        }
    };
    let mut outcomes = Vec::new();
    let mut json_out = Vec::new();
    for input in &inputs.plans {
        if inputs.fleet && args.output == Output::Text {
            crate::out::line(&format!("== {}", input.name));
        }
        let (code, mut value) = diff_one(&rt, &input.path, args);
        if value.is_object() {
            value["file"] = json!(input.name);
        }
        json_out.push(value);
        outcomes.push(Outcome::of_code(code));
    }
    let json = (args.output == Output::Json).then_some(json_out);
    fleet::finish("diffed", "changes", &inputs, &outcomes, json)
}

/// Diffs one plan: its exit code, and the changes (or the error) as JSON.
fn diff_one(
    rt: &tokio::runtime::Runtime,
    file: &std::path::Path,
    args: &DiffArgs<'_>,
) -> (u8, serde_json::Value) {
    let failed = |code: u8, message: String| {
        crate::out::error(&message);
        (code, json!({ "error": message }))
    };
    let connecting = Connecting::start(rt, args.dsn, &args.connection, Purpose::Diff);
    let plan = match super::load_valid(file, args.verbose) {
        Ok(plan) => plan,
        Err(code) => {
            connecting.abandon();
            return (
                code,
                json!({ "error": "the plan has errors or cannot be read" }),
            );
        }
    };
    let opts = match sql_options(&plan, &args.connection, false) {
        Ok(o) => o,
        Err(e) => {
            connecting.abandon();
            return failed(super::EXIT_UNREADABLE, e);
        }
    };
    let diffed = crate::progress::wait(rt, "reading the server", async {
        let server = connecting.ready(&args.connection).await?;
        server
            .diff(&plan, &opts)
            .await
            .map_err(|e| (exit_code_of(&e), e.to_string()))
    });
    match diffed {
        Ok(changes) => match args.output {
            Output::Text => {
                crate::out::line(&changes_text(&changes, args.verbose));
                (0, serde_json::Value::Null)
            }
            Output::Json => (0, changes_json(&changes)),
        },
        Err((code, message)) => failed(code, format!("diff failed: {message}")),
    }
}
