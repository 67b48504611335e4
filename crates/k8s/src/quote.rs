//! Quoting for the languages the manifests embed: bash, postgresql.conf and
//! pg_hba.conf. Every rendered script and config line quotes through these
//! functions, which are the shared ones of [`pgplan_core::escape`].

use pgplan_core::escape::{bash, conf, hba};

/// Quotes a word for bash: bare when it holds only characters the shell
/// never interprets, else single-quoted (`'` written as `'\''`).
pub fn shell(s: &str) -> String {
    bash::word(s)
}

/// Writes a postgresql.conf value: bare for numbers (with an optional unit)
/// and simple words, else single-quoted with every quote, backslash and
/// control character escaped.
pub fn conf_value(s: &str) -> String {
    conf::value(s)
}

/// Writes a role or database name for pg_hba.conf: bare when it is a plain
/// lowercase word that is not a pg_hba keyword, else double-quoted (`"` as
/// `""`). A name with a control character cannot be written (validation
/// refuses one, PGP113); it would come out as `""`, a name no role has.
pub fn hba_name(s: &str) -> String {
    hba::field(s).unwrap_or_else(|_| "\"\"".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell_words() {
        assert_eq!(shell("product_change_db"), "product_change_db");
        assert_eq!(shell("a b"), "'a b'");
        assert_eq!(shell("it's"), r"'it'\''s'");
        assert_eq!(shell("$(rm -rf /)"), "'$(rm -rf /)'");
        assert_eq!(shell(""), "''");
    }

    #[test]
    fn conf_values() {
        for bare in [
            "100", "256MB", "0.9", "-1", "on", "replica", "UTC", "1.1", "64kB",
        ] {
            assert_eq!(conf_value(bare), bare);
        }
        assert_eq!(conf_value("TLSv1.2"), "'TLSv1.2'");
        assert_eq!(
            conf_value("pg_stat_statements,auto_explain"),
            "'pg_stat_statements,auto_explain'"
        );
        assert_eq!(conf_value("%m [%p] "), "'%m [%p] '");
        assert_eq!(conf_value("it's"), "'it''s'");
        assert_eq!(conf_value(""), "''");
        assert_eq!(conf_value("1.2.3"), "'1.2.3'");
    }

    #[test]
    fn hba_names() {
        assert_eq!(hba_name("replicator"), "replicator");
        assert_eq!(hba_name("all"), "\"all\"");
        assert_eq!(hba_name("Bill \"x\""), "\"Bill \"\"x\"\"\"");
    }
}
