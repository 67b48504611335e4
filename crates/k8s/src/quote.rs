//! Quoting for the languages the manifests embed: bash, postgresql.conf and
//! pg_hba.conf. Every rendered script and config line quotes through these
//! functions.

/// Quotes a word for bash: bare when it holds only characters the shell
/// never interprets, else single-quoted (`'` written as `'\''`).
pub fn shell(s: &str) -> String {
    let safe = !s.is_empty()
        && s.bytes().all(|b| {
            b.is_ascii_alphanumeric()
                || matches!(
                    b,
                    b'_' | b'-' | b'.' | b'/' | b':' | b'=' | b'@' | b'%' | b'+' | b','
                )
        });
    if safe {
        s.to_owned()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// Writes a postgresql.conf value: bare for numbers (with an optional unit)
/// and simple words, else single-quoted with `''` for a quote.
pub fn conf_value(s: &str) -> String {
    let number = {
        let t = s.strip_prefix('-').unwrap_or(s);
        let digits_end = t
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(t.len());
        digits_end > 0
            && t[..digits_end].chars().any(|c| c.is_ascii_digit())
            && t[..digits_end].matches('.').count() <= 1
            && t[digits_end..].chars().all(|c| c.is_ascii_alphabetic())
    };
    let word = s.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if number || word {
        s.to_owned()
    } else {
        format!("'{}'", s.replace('\'', "''"))
    }
}

/// Writes a role or database name for pg_hba.conf: bare when it is a plain
/// lowercase word that is not a pg_hba keyword, else double-quoted (`"` as `""`).
pub fn hba_name(s: &str) -> String {
    let keyword = matches!(
        s,
        "all" | "sameuser" | "samerole" | "samegroup" | "replication"
    );
    let plain = !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if plain && !keyword {
        s.to_owned()
    } else {
        format!("\"{}\"", s.replace('"', "\"\""))
    }
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
