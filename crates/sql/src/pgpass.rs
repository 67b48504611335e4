//! libpq's password file (`~/.pgpass`, or the file `PGPASSFILE` names):
//! `hostname:port:database:username:password` lines, `*` matching
//! anything, `\:` and `\\` escaping, the first matching line winning.
//!
//! ```
//! use pgplan_sql::pgpass::lookup;
//! let file = "# comment\ndb.example.com:5432:*:admin:s3\\:cret\n*:*:*:*:fallback\n";
//! assert_eq!(lookup(file, "db.example.com", 5432, "postgres", "admin").as_deref(), Some("s3:cret"));
//! assert_eq!(lookup(file, "other", 5433, "x", "y").as_deref(), Some("fallback"));
//! ```

/// Splits a line into its fields, unescaping `\:` and `\\`.
fn fields(line: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let (Some(n), Some(f)) = (chars.next(), out.last_mut()) {
                    f.push(n);
                }
            }
            ':' if out.len() < 5 => out.push(String::new()),
            c => {
                if let Some(f) = out.last_mut() {
                    f.push(c);
                }
            }
        }
    }
    out
}

/// The password for a connection, from a password file's text.
pub fn lookup(file: &str, host: &str, port: u16, database: &str, user: &str) -> Option<String> {
    let port = port.to_string();
    for line in file.lines() {
        let line = line.trim_end_matches('\r');
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let f = fields(line);
        if f.len() != 5 {
            continue;
        }
        let matches = |pattern: &str, value: &str| pattern == "*" || pattern == value;
        // libpq: "localhost" also matches a Unix-domain socket.
        let host_ok = matches(&f[0], host) || (f[0] == "localhost" && host.starts_with('/'));
        if host_ok && matches(&f[1], &port) && matches(&f[2], database) && matches(&f[3], user) {
            return Some(f[4].clone());
        }
    }
    None
}

/// The password file libpq would read: `PGPASSFILE`, else
/// `~/.pgpass`; `None` when it does not exist.
#[cfg(feature = "apply")]
pub(crate) fn read_password_file() -> Result<Option<(std::path::PathBuf, String)>, String> {
    use std::os::unix::fs::PermissionsExt as _;
    let path = match std::env::var_os("PGPASSFILE").filter(|v| !v.is_empty()) {
        Some(p) => std::path::PathBuf::from(p),
        None => match std::env::var_os("HOME") {
            Some(home) => std::path::PathBuf::from(home).join(".pgpass"),
            None => return Ok(None),
        },
    };
    let meta = match std::fs::metadata(&path) {
        Ok(m) => m,
        Err(_) => return Ok(None),
    };
    if !meta.is_file() {
        return Ok(None);
    }
    // As libpq: a file others can read is not used.
    if meta.permissions().mode() & 0o077 != 0 {
        return Err(format!(
            "password file {} has group or world access; make it 0600 (chmod 600 {})",
            path.display(),
            path.display()
        ));
    }
    std::fs::read_to_string(&path)
        .map(|t| Some((path.clone(), t)))
        .map_err(|e| format!("cannot read password file {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_match_wins_and_escapes_are_read() {
        let file = "h:5432:db:u:first\nh:5432:db:u:second\nh:*:*:u:p\\\\w\n";
        assert_eq!(lookup(file, "h", 5432, "db", "u").as_deref(), Some("first"));
        assert_eq!(lookup(file, "h", 1, "x", "u").as_deref(), Some("p\\w"));
        assert_eq!(lookup(file, "h", 1, "x", "v"), None);
        assert_eq!(
            lookup("localhost:*:*:*:sock\n", "/run/postgresql", 5432, "d", "u").as_deref(),
            Some("sock")
        );
    }
}
