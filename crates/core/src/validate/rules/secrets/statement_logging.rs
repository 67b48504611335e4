//! PGP043 statement-logging: `log_statement` `ddl`, `mod` or `all` writes
//! every `CREATE/ALTER ROLE … PASSWORD` someone types to the server log.
//! (pgplan itself sends only SCRAM verifiers.)

use crate::tuning::params::LOG_STATEMENT;
use crate::validate::{Context, FieldPath, Findings, Rule, RuleInfo};

/// PGP043.
pub struct StatementLogging;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP043",
    name: "statement-logging",
    summary: "log_statement does not log DDL (ddl, mod or all), which would write typed passwords to the server log",
    rationale: "With log_statement ddl, mod or all the server logs the text of every CREATE ROLE and ALTER ROLE, including a PASSWORD '…' someone typed in psql — in clear text, in a log that is shipped to log collectors and kept for months. pgaudit or log_min_duration_statement audit and profile without that.",
    examples: crate::rule_examples!("PGP043-statement-logging"),
    replaces: &["PGP010"],
};

impl Rule for StatementLogging {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        let Some(level) = cx.settings.get(LOG_STATEMENT) else {
            return;
        };
        let logged = match level.as_str() {
            "all" => "every statement",
            "mod" => "every DDL and data-modifying statement",
            "ddl" => "every DDL statement",
            _ => return,
        };
        let path = if cx.settings.is_set(LOG_STATEMENT) {
            cx.path_of(LOG_STATEMENT)
        } else {
            FieldPath::from("security.statement_logging")
        };
        out.warning(        path,
            format!(
                "log_statement is `{level}`: {logged} is written to the server log, including any CREATE/ALTER ROLE … PASSWORD a person types, in clear text"
            ),
            "set security.statement_logging: none, and audit with pgaudit (its ROLE class can be left out) or log_min_duration_statement instead; pgplan itself only ever sends SCRAM verifiers, never a password, so its own statements are safe to log");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::rules::test_support::*;

    #[test]
    fn seed_001_log_statement_all_writes_passwords_to_the_log() {
        let mut plan = azure_reference_plan();
        plan.security.statement_logging = crate::StatementLogging::All;
        let d = run(&StatementLogging, &plan);
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
        let d = run(&StatementLogging, &plan);
        assert_eq!(d.len(), 1, "{d:#?}");
        assert_eq!(d[0].path, "tuning.parameters.log_statement");
        assert!(d[0].message.contains("`ddl`: every DDL statement"));

        set_parameters(&mut plan, &[("log_statement", "mod")]);
        assert_eq!(run(&StatementLogging, &plan).len(), 1);
        set_parameters(&mut plan, &[("log_statement", "none")]);
        assert!(run(&StatementLogging, &plan).is_empty());
    }
}
