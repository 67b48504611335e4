//! PGP010 secrets: a plan names where passwords come from and never holds
//! one; statement logging that writes typed passwords to the server log; login
//! roles that cannot log in for want of a password.
//!
//! - A literal password (`SecretSource::Literal`) in a role or as the Azure
//!   administrator password is an error; the message gives the path and never
//!   the value.
//! - `password=`/`pwd=` conninfo fragments and `scheme://user:password@host`
//!   URIs in labels or parameter values are errors too.
//! - `log_statement` `ddl`, `mod` or `all` writes every `CREATE/ALTER ROLE …
//!   PASSWORD` someone types to the server log: warning. (pgplan itself sends
//!   only SCRAM verifiers.)
//! - A login role without a password source under password authentication
//!   cannot log in: warning. An Entra identity where Entra authentication is
//!   off: warning.

use crate::model::secrets::SecretSource;
use crate::validate::{Context, FieldPath, Findings, Rule, RuleInfo};

/// PGP010.
pub struct Secrets;

const ID: &str = "PGP010";

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: ID,
    name: "secrets",
    summary: "no password in the plan or the server log; every login role has a password source",
    rationale: "",
    examples: None,
    replaces: &[],
};

impl Rule for Secrets {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        check_literals(cx, out);
        check_embedded(cx, out);
        check_statement_logging(cx, out);
        check_login_roles(cx, out);
    }
}

fn env_var_for(name: &str) -> String {
    format!("{}_PASSWORD", crate::model::secrets::env_var_fragment(name))
}

fn literal_diagnostic(out: &mut Findings<'_>, path: &str, whose: &str, env_var: &str) {
    out.error(
        path,
        format!(
            "{path} ({whose}) is a password written into the plan (the value is not shown here)"
        ),
        format!(
            "replace it with {{ env: {{ var: {env_var} }} }}, {{ key_vault: {{ vault, secret }} }}, {{ kubernetes_secret: {{ name, key }} }} or {{ generated: {{}} }}, and change the password: everyone who has read the plan knows it"
        ),
    )
}

fn check_literals(cx: &Context<'_>, out: &mut Findings<'_>) {
    for (i, role) in cx.plan.roles.iter().enumerate() {
        if role.password.as_ref().is_some_and(SecretSource::is_literal) {
            literal_diagnostic(
                out,
                &format!("roles[{i}].password"),
                &format!("role {}", role.name),
                &env_var_for(role.name.as_str()),
            );
        }
    }
    if let Some(az) = cx.plan.platform.azure()
        && az
            .administrator_password
            .as_ref()
            .is_some_and(SecretSource::is_literal)
    {
        literal_diagnostic(
            out,
            "platform.azure.administrator_password",
            &format!("administrator {}", az.administrator_login),
            &env_var_for(az.administrator_login.as_str()),
        );
    }
}

/// True when text carries a password: a `password=`/`pwd=` conninfo (or
/// ODBC) fragment, or a URI with `user:password@`.
fn carries_password(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    let bytes = lower.as_bytes();
    for key in ["password", "pwd"] {
        let mut from = 0;
        while let Some(pos) = lower[from..].find(key) {
            let at = from + pos;
            let starts_word =
                at == 0 || !(bytes[at - 1].is_ascii_alphanumeric() || bytes[at - 1] == b'_');
            if starts_word && lower[at + key.len()..].trim_start().starts_with('=') {
                return true;
            }
            from = at + key.len();
        }
    }
    let mut rest = lower.as_str();
    while let Some(pos) = rest.find("://") {
        rest = &rest[pos + 3..];
        let authority = rest.split(['/', '?', ' ', '\'', '"']).next().unwrap_or("");
        if let Some((userinfo, _)) = authority.rsplit_once('@')
            && userinfo.contains(':')
        {
            return true;
        }
    }
    false
}

fn embedded_diagnostic(out: &mut Findings<'_>, path: String, what: &str) {
    out.error(
        path.clone(),
        format!(
            "{path} ({what}) holds a password (a `password=` or `user:password@` fragment; the value is not shown here)"
        ),
        "remove the password: connection settings take it from a password file, a secret mounted at run time or the PGPASSWORD of the process; then change the password, since everyone who has read the plan knows it",
    )
}

fn check_embedded(cx: &Context<'_>, out: &mut Findings<'_>) {
    // Labels cannot carry one: their syntax has no `=`, `:` or `@`.
    for (name, value) in &cx.plan.tuning.parameters {
        if carries_password(value.as_str()) {
            embedded_diagnostic(
                out,
                format!("tuning.parameters.{name}"),
                "a parameter value",
            );
        }
    }
    for (i, replica) in cx.plan.topology.replicas.iter().enumerate() {
        for (name, value) in &replica.parameters {
            if carries_password(value.as_str()) {
                embedded_diagnostic(
                    out,
                    format!("topology.replicas[{i}].parameters.{name}"),
                    "a parameter value",
                );
            }
        }
    }
}

fn check_statement_logging(cx: &Context<'_>, out: &mut Findings<'_>) {
    let Some(level) = cx.settings.text("log_statement") else {
        return;
    };
    let level = level.to_ascii_lowercase();
    let logged = match level.as_str() {
        "all" => "every statement",
        "mod" => "every DDL and data-modifying statement",
        "ddl" => "every DDL statement",
        _ => return,
    };
    let path = if cx.settings.is_explicit("log_statement") {
        cx.param_path("log_statement")
    } else {
        FieldPath::from("security.statement_logging")
    };
    out.warning(        path,
        format!(
            "log_statement is `{level}`: {logged} is written to the server log, including any CREATE/ALTER ROLE … PASSWORD a person types, in clear text"
        ),
        "set security.statement_logging: none, and audit with pgaudit (its ROLE class can be left out) or log_min_duration_statement instead; pgplan itself only ever sends SCRAM verifiers, never a password, so its own statements are safe to log");
}

fn check_login_roles(cx: &Context<'_>, out: &mut Findings<'_>) {
    let azure = cx.plan.platform.azure();
    let password_auth = azure.is_none_or(|az| az.auth.password);
    let entra_auth = azure.is_some_and(|az| az.auth.entra);
    for (i, role) in cx.plan.roles.iter().enumerate() {
        match &role.password {
            None if role.login && password_auth => out.warning(                format!("roles[{i}].password"),
                format!(
                    "login role {} ({}) has no password source: with password authentication it cannot log in",
                    role.name, role.purpose
                ),
                "add password: { generated: {} } (or { key_vault: { vault, secret } }, { kubernetes_secret: { name, key } }, { env: { var } }), or set login: false for a group role"),
            Some(SecretSource::EntraIdentity { principal }) if !entra_auth => {
                let why = if azure.is_some() {
                    "Microsoft Entra authentication is off (platform.azure.auth.entra)"
                } else {
                    "Microsoft Entra authentication exists only on Azure"
                };
                out.warning(                    format!("roles[{i}].password"),
                    format!(
                        "role {} authenticates as Entra identity `{principal}`, but {why}: it cannot log in",
                        role.name
                    ),
                    "turn on platform.azure.auth.entra, or give the role a password source");
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::*;
    use crate::{LiteralSecret, Platform};

    const SECRET: &str = "Complex#Password#2025!";

    fn literal() -> SecretSource {
        SecretSource::Literal(LiteralSecret::new(SECRET))
    }

    fn never_shows_the_secret(d: &[Diagnostic]) {
        let all = format!("{d:?}");
        assert!(!all.contains(SECRET), "{all}");
        assert!(!all.contains("hunter2"), "{all}");
    }

    #[test]
    fn reference_plans_pass() {
        let d = run(&Secrets, &azure_reference_plan());
        assert!(d.is_empty(), "{d:#?}");
        let d = run(&Secrets, &kubernetes_reference_plan());
        assert!(d.is_empty(), "{d:#?}");
    }

    #[test]
    fn seed_001_literal_passwords_are_errors_without_the_value() {
        let mut plan = azure_reference_plan();
        plan.roles[1].password = Some(literal());
        if let Platform::Azure(az) = &mut plan.platform {
            az.administrator_password = Some(literal());
        }
        let d = run(&Secrets, &plan);
        assert_eq!(d.len(), 2, "{d:#?}");
        never_shows_the_secret(&d);
        let role = diagnostic_at(&d, "roles[1].password");
        assert_eq!(role.severity, Severity::Error);
        assert!(
            role.message
                .contains("roles[1].password (role bill_app_user) is a password written into the plan (the value is not shown here)"),
            "{}",
            role.message
        );
        assert!(
            role.help
                .contains("{ env: { var: BILL_APP_USER_PASSWORD } }"),
            "{}",
            role.help
        );
        assert!(role.help.contains("{ generated: {} }"), "{}", role.help);
        let admin = diagnostic_at(&d, "platform.azure.administrator_password");
        assert_eq!(admin.severity, Severity::Error);
        assert!(
            admin.message.contains("administrator pgadmin"),
            "{}",
            admin.message
        );
    }

    #[test]
    fn conninfo_passwords_in_parameters() {
        let mut plan = kubernetes_reference_plan();
        // A label cannot carry one: its syntax has no `=`, `:` or `@`.
        for text in [
            "host=db user=app password=hunter2",
            "postgresql://app:hunter2@db/app",
        ] {
            assert!(text.parse::<crate::LabelValue>().is_err(), "{text}");
        }
        plan.labels.insert(v("team"), v("password-reset"));
        set_parameters(
            &mut plan,
            &[(
                "primary_conninfo",
                "host=db port=5432 user=rep password='hunter2'",
            )],
        );
        let mut replica = crate::ReadReplica::builder().name(v("replica-1")).build();
        replica.parameters.insert(
            v("primary_conninfo"),
            "postgresql://rep:hunter2@db/app".into(),
        );
        plan.topology.replicas.push(replica);
        let d = run(&Secrets, &plan);
        never_shows_the_secret(&d);
        for path in [
            "tuning.parameters.primary_conninfo",
            "topology.replicas[0].parameters.primary_conninfo",
        ] {
            let d = diagnostic_at(&d, path);
            assert_eq!(d.severity, Severity::Error);
            assert!(d.message.contains("holds a password"), "{}", d.message);
        }
        assert_eq!(d.len(), 2, "{d:#?}");
    }

    #[test]
    fn password_detection() {
        assert!(carries_password("password=x"));
        assert!(carries_password("user=a PASSWORD = 'x'"));
        assert!(carries_password("postgres://u:p@h:5432/db"));
        assert!(!carries_password("postgres://u@h:5432/db"));
        assert!(!carries_password("password_encryption=scram-sha-256"));
        assert!(!carries_password("no_password=x"));
        assert!(!carries_password("scram-sha-256"));
    }

    #[test]
    fn seed_001_log_statement_all_writes_passwords_to_the_log() {
        let mut plan = azure_reference_plan();
        plan.security.statement_logging = crate::StatementLogging::All;
        let d = run(&Secrets, &plan);
        assert_eq!(d.len(), 1, "{d:#?}");
        assert_eq!(d[0].severity, Severity::Warning);
        assert_eq!(d[0].path, "security.statement_logging");
        assert!(
            d[0].message
                .contains("log_statement is `all`: every statement")
        );
        assert!(d[0].message.contains("CREATE/ALTER ROLE … PASSWORD"));
        assert!(d[0].help.contains("SCRAM verifiers"), "{}", d[0].help);

        let mut plan = azure_reference_plan();
        set_parameters(&mut plan, &[("log_statement", "ddl")]);
        let d = run(&Secrets, &plan);
        assert_eq!(d.len(), 1, "{d:#?}");
        assert_eq!(d[0].path, "tuning.parameters.log_statement");
        assert!(d[0].message.contains("`ddl`: every DDL statement"));

        set_parameters(&mut plan, &[("log_statement", "mod")]);
        assert_eq!(run(&Secrets, &plan).len(), 1);
        set_parameters(&mut plan, &[("log_statement", "none")]);
        assert!(run(&Secrets, &plan).is_empty());
    }

    #[test]
    fn login_roles_need_a_password_source() {
        let mut plan = kubernetes_reference_plan();
        plan.roles[1].password = None;
        let d = run(&Secrets, &plan);
        assert_eq!(d.len(), 1, "{d:#?}");
        assert_eq!(d[0].severity, Severity::Warning);
        assert_eq!(d[0].path, "roles[1].password");
        assert!(
            d[0].message
                .contains("login role product_change_app (application) has no password source")
        );
        // A group role needs none.
        plan.roles[1].login = false;
        assert!(run(&Secrets, &plan).is_empty());
    }

    #[test]
    fn entra_identities_need_entra_authentication() {
        let mut plan = azure_reference_plan();
        plan.roles[1].password = Some(SecretSource::EntraIdentity {
            principal: "bill-inquiry-service-identity".into(),
        });
        let d = run(&Secrets, &plan);
        assert_eq!(d.len(), 1, "{d:#?}");
        assert_eq!(d[0].severity, Severity::Warning);
        assert!(d[0].message.contains("`bill-inquiry-service-identity`"));
        assert!(d[0].message.contains("platform.azure.auth.entra"));
        if let Platform::Azure(az) = &mut plan.platform {
            az.auth.entra = true;
            // Entra only: roles without a password are fine.
            az.auth.password = false;
        }
        plan.roles[2].password = None;
        let d = run(&Secrets, &plan);
        assert!(d.is_empty(), "{d:#?}");
    }
}
