//! PGP042 password-in-parameter: `password=`/`pwd=` conninfo fragments and
//! `scheme://user:password@host` URIs in parameter values (of the primary or
//! a replica) are errors. Labels cannot carry one: their syntax has no `=`,
//! `:` or `@`.

use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP042.
pub struct PasswordInParameter;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP042",
    name: "password-in-parameter",
    summary: "no parameter value carries a password (`password=…` or `user:password@host`)",
    rationale: "Parameter values such as primary_conninfo are written to postgresql.conf or postgresql.auto.conf, shown by SHOW and pg_settings to anyone who may read settings, and copied into every rendered artifact. A password inside one leaks everywhere the configuration goes; libpq reads it from a password file or the environment instead.",
    examples: crate::rule_examples!("PGP042-password-in-parameter"),
    replaces: &["PGP010"],
};

impl Rule for PasswordInParameter {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
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

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;
    use crate::validate::rules::test_support::*;

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
        let d = run(&PasswordInParameter, &plan);
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
}
