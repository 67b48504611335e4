//! A database's application schema: versioned migration scripts in the
//! Flyway naming (`V1__init.sql`, `V2__add_index.sql`, …), run in version
//! order as the role that owns the schema, so the plan's default privileges
//! (`ALTER DEFAULT PRIVILEGES FOR ROLE <owner>`) reach every object they
//! create.
//!
//! The scripts live in the plan: written inline (`scripts:`), or read from
//! `directory` (relative to the plan file) by [`Plan::read_migrations`]
//! when the plan file is read. Renderers and the converger only ever see the
//! scripts, never the file system.

use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::names::RoleName;
use super::plan::Plan;

/// The first line that marks a script as non-transactional (for
/// `CREATE INDEX CONCURRENTLY`, which PostgreSQL refuses in a transaction).
pub const NO_TRANSACTION_MARKER: &str = "-- pgplan:no-transaction";

/// A database's migrations (`databases[].migrations`).
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Migrations {
    /// Directory of `V<n>__<description>.sql` files, relative to the plan
    /// file; read into `scripts` when the plan file is read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub directory: Option<String>,
    /// The role the scripts run as (`SET ROLE`); the database owner when
    /// unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_as: Option<RoleName>,
    /// The scripts, in any order (they run in version order).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scripts: Vec<MigrationScript>,
}

/// One migration script.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MigrationScript {
    /// File name, `V<version>__<description>.sql`.
    pub file: String,
    /// The SQL. A first line `-- pgplan:no-transaction` runs it outside a
    /// transaction, one statement at a time.
    pub sql: String,
}

impl MigrationScript {
    /// A script from its file name and SQL.
    pub fn new(file: impl Into<String>, sql: impl Into<String>) -> Self {
        MigrationScript {
            file: file.into(),
            sql: sql.into(),
        }
    }

    /// The version and description the file name carries, when it has the
    /// `V<digits>__<description>.sql` shape.
    ///
    /// ```
    /// use pgplan_core::model::migrations::MigrationScript;
    /// let s = MigrationScript::new("V12__add_index.sql", "");
    /// assert_eq!(s.version(), Some(12));
    /// assert_eq!(s.description().as_deref(), Some("add index"));
    /// assert_eq!(MigrationScript::new("init.sql", "").version(), None);
    /// ```
    pub fn version(&self) -> Option<u32> {
        self.parts().map(|(v, _)| v)
    }

    /// The description (underscores read as spaces).
    pub fn description(&self) -> Option<String> {
        self.parts().map(|(_, d)| d.replace('_', " "))
    }

    fn parts(&self) -> Option<(u32, &str)> {
        let rest = self.file.strip_prefix('V')?.strip_suffix(".sql")?;
        let (digits, description) = rest.split_once("__")?;
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        if description.is_empty()
            || !description
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        {
            return None;
        }
        Some((digits.parse().ok()?, description))
    }

    /// Whether the script runs in one transaction (the default).
    pub fn transactional(&self) -> bool {
        self.sql
            .lines()
            .next()
            .is_none_or(|l| l.trim() != NO_TRANSACTION_MARKER)
    }

    /// The script's statements with the line each starts on, split the
    /// way PostgreSQL reads them: `;` outside quotes, quoted identifiers,
    /// dollar quotes and comments ends a statement.
    ///
    /// ```
    /// use pgplan_core::model::migrations::MigrationScript;
    /// let s = MigrationScript::new("V1__init.sql",
    ///     "-- tables\nCREATE TABLE t (a text DEFAULT ';');\n\nCREATE FUNCTION f() RETURNS int\n  LANGUAGE sql AS $$ SELECT 1; $$;\n");
    /// let st = s.statements();
    /// assert_eq!(st.len(), 2);
    /// assert_eq!((st[0].line, st[1].line), (2, 4));
    /// assert!(st[1].sql.ends_with("$$ SELECT 1; $$"));
    /// ```
    pub fn statements(&self) -> Vec<ScriptStatement> {
        split_statements(&self.sql)
    }

    /// SHA-256 of the SQL, lowercase hex: what the history table records,
    /// so an applied script whose text changed is found.
    pub fn checksum(&self) -> String {
        Sha256::digest(self.sql.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

/// A statement of a script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptStatement {
    /// 1-based line of the script it starts on.
    pub line: usize,
    /// Its text, without the closing `;`.
    pub sql: String,
}

impl ScriptStatement {
    /// The statement's first words, upper-case (`CREATE INDEX`), comments
    /// skipped: enough to recognise transaction control.
    pub fn keywords(&self, n: usize) -> Vec<String> {
        self.sql
            .split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
            .filter(|w| !w.is_empty())
            .take(n)
            .map(str::to_ascii_uppercase)
            .collect()
    }
}

fn split_statements(sql: &str) -> Vec<ScriptStatement> {
    let b = sql.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let mut line = 1;
    let mut start: Option<(usize, usize)> = None;
    let mut push = |start: &mut Option<(usize, usize)>, end: usize| {
        if let Some((from, at)) = start.take() {
            out.push(ScriptStatement {
                line: at,
                sql: sql[from..end].trim_end().to_owned(),
            });
        }
    };
    while i < b.len() {
        let c = b[i];
        if c == b'\n' {
            line += 1;
            i += 1;
            continue;
        }
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        if c == b'-' && b.get(i + 1) == Some(&b'-') {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
            continue;
        }
        if c == b'/' && b.get(i + 1) == Some(&b'*') {
            let mut depth = 0;
            while i < b.len() {
                if b[i] == b'/' && b.get(i + 1) == Some(&b'*') {
                    depth += 1;
                    i += 2;
                } else if b[i] == b'*' && b.get(i + 1) == Some(&b'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    line += usize::from(b[i] == b'\n');
                    i += 1;
                }
            }
            continue;
        }
        if c == b';' {
            push(&mut start, i);
            i += 1;
            continue;
        }
        if start.is_none() {
            start = Some((i, line));
        }
        match c {
            b'\'' | b'"' => {
                let escapes = c == b'\''
                    && i > 0
                    && matches!(b[i - 1], b'E' | b'e')
                    && (i < 2 || !b[i - 2].is_ascii_alphanumeric());
                i += 1;
                while i < b.len() {
                    if escapes && b[i] == b'\\' {
                        line += usize::from(b.get(i + 1) == Some(&b'\n'));
                        i += 2;
                        continue;
                    }
                    line += usize::from(b[i] == b'\n');
                    if b[i] == c {
                        if b.get(i + 1) == Some(&c) {
                            i += 2;
                            continue;
                        }
                        break;
                    }
                    i += 1;
                }
                i += 1;
            }
            b'$' => {
                let tag_end = b[i + 1..]
                    .iter()
                    .position(|x| !(x.is_ascii_alphanumeric() || *x == b'_'))
                    .map(|p| i + 1 + p);
                let is_tag = tag_end
                    .is_some_and(|e| b[e] == b'$' && (e == i + 1 || !b[i + 1].is_ascii_digit()));
                match tag_end {
                    Some(e) if is_tag => {
                        let tag = &sql[i..=e];
                        let body = e + 1;
                        let close = sql[body..].find(tag).map_or(b.len(), |p| body + p);
                        line += sql[i..close].matches('\n').count();
                        i = (close + tag.len()).min(b.len());
                    }
                    _ => i += 1,
                }
            }
            _ => i += 1,
        }
    }
    push(&mut start, b.len());
    out
}

impl Migrations {
    /// The scripts in version order (scripts without a version last).
    pub fn in_order(&self) -> Vec<&MigrationScript> {
        let mut v: Vec<&MigrationScript> = self.scripts.iter().collect();
        v.sort_by_key(|s| (s.version().unwrap_or(u32::MAX), s.file.clone()));
        v
    }
}

/// A migrations directory that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "databases[{database}].migrations.directory `{directory}`: {message} (the directory is relative to the plan file and holds V<n>__<description>.sql files)"
)]
pub struct MigrationsDirError {
    /// The database's index.
    pub database: usize,
    /// The directory as the plan names it.
    pub directory: String,
    /// What went wrong.
    pub message: String,
}

impl Plan {
    /// Reads every `databases[].migrations.directory` (relative to
    /// `plan_dir`, the plan file's directory) and adds its `*.sql` files to
    /// `scripts`. Files of other extensions are ignored; the names are
    /// checked by validation (PGP330).
    ///
    /// # Errors
    ///
    /// A directory or file that cannot be read.
    pub fn read_migrations(&mut self, plan_dir: &Path) -> Result<(), MigrationsDirError> {
        for (i, db) in self.databases.iter_mut().enumerate() {
            let Some(m) = db.migrations.as_mut() else {
                continue;
            };
            let Some(dir) = m.directory.clone() else {
                continue;
            };
            let fail = |message: String| MigrationsDirError {
                database: i,
                directory: dir.clone(),
                message,
            };
            let path = plan_dir.join(&dir);
            let entries = std::fs::read_dir(&path)
                .map_err(|e| fail(format!("cannot read {}: {e}", path.display())))?;
            let mut files = Vec::new();
            for entry in entries {
                let entry = entry.map_err(|e| fail(e.to_string()))?;
                let name = entry.file_name().to_string_lossy().into_owned();
                if !name.ends_with(".sql") {
                    continue;
                }
                let sql = std::fs::read_to_string(entry.path())
                    .map_err(|e| fail(format!("cannot read {name}: {e}")))?;
                files.push(MigrationScript::new(name, sql));
            }
            files.sort_by(|a, b| a.file.cmp(&b.file));
            m.scripts
                .retain(|s| !files.iter().any(|f| f.file == s.file));
            m.scripts.extend(files);
        }
        Ok(())
    }
}
