//! Quoting, one function per form a value takes in the script
//! ([`shell_quote`] for a word, [`here_doc`] for a here-document, `comment`
//! for a comment line), and the `az` command builder.

/// The CLI version the script is written for (and checked against).
pub const AZURE_CLI_VERSION: &str = "2.91";

/// The shell variable holding the administrator password.
pub(super) const PASSWORD_VAR: &str = "admin_password";

/// The here-document delimiter the script prefers (another is chosen when
/// the text holds a line equal to it).
pub(super) const HERE_DOC_DELIMITER: &str = "PGPLAN_SQL";

/// Quotes one shell word through [`pgplan_core::escape::bash::word`], the
/// one bash quoting every backend shares: bare when it is made of
/// characters the shell never interprets, otherwise single-quoted (`'`
/// written as `'\''`).
///
/// ```
/// use pgplan_azure::shell_quote;
/// assert_eq!(shell_quote("phonebill-rg"), "phonebill-rg");
/// assert_eq!(shell_quote("%t [%p]: "), "'%t [%p]: '");
/// assert_eq!(shell_quote("it's"), r"'it'\''s'");
/// assert_eq!(shell_quote(""), "''");
/// ```
pub fn shell_quote(word: &str) -> String {
    pgplan_core::escape::bash::word(word)
}

/// A quoted here-document carrying `text` unchanged: `<<'DELIMITER'`, the
/// text, a line break when it does not end with one, and the delimiter
/// line. Bash expands nothing in a quoted here-document, so the only thing
/// to avoid is a line equal to the delimiter: the delimiter then gets a
/// numeric suffix until no line equals it. Returns (the redirection, the
/// lines that follow the command).
///
/// ```
/// use pgplan_azure::script::here_doc;
/// let (redirect, body) = here_doc("SELECT '$HOME';\nPGPLAN_SQL\n");
/// assert_eq!(redirect, "<<'PGPLAN_SQL_1'");
/// assert_eq!(body, "SELECT '$HOME';\nPGPLAN_SQL\nPGPLAN_SQL_1\n");
/// ```
pub fn here_doc(text: &str) -> (String, String) {
    let mut delimiter = HERE_DOC_DELIMITER.to_owned();
    let mut n = 0;
    while text
        .lines()
        .any(|l| l == delimiter || l.trim_end_matches('\r') == delimiter)
    {
        n += 1;
        delimiter = format!("{HERE_DOC_DELIMITER}_{n}");
    }
    let mut body = text.to_owned();
    if !body.is_empty() && !body.ends_with('\n') {
        body.push('\n');
    }
    body.push_str(&delimiter);
    body.push('\n');
    (format!("<<'{delimiter}'"), body)
}

/// A comment line's text ([`pgplan_core::escape::bash::comment`]):
/// control characters (a newline would end the comment), bidi controls and
/// invisible characters become spaces.
pub(super) fn comment(text: &str) -> String {
    pgplan_core::escape::bash::comment(text)
}

/// Lines prefixed with `indent` (empty lines stay empty).
pub(super) fn indent(text: &str, indent: &str) -> String {
    text.lines()
        .map(|l| {
            if l.is_empty() {
                String::new()
            } else {
                format!("{indent}{l}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// `printf '%s\n' <message> >&2; exit 1`: the message is one word built
/// of quoted literals and `"$variable"`s.
pub(super) fn fail(parts: &[Piece<'_>]) -> String {
    let word: String = parts
        .iter()
        .map(|p| match p {
            Piece::Text("") => String::new(),
            Piece::Text(t) => shell_quote(t),
            Piece::Var(v) => format!("\"${v}\""),
        })
        .collect();
    format!("printf '%s\\n' {word} >&2; exit 1")
}

/// Part of a message for [`fail`] and `say`.
pub(super) enum Piece<'a> {
    Text(&'a str),
    Var(&'a str),
}

/// `printf '%s\n' <message>` on standard output.
pub(super) fn say(text: &str) -> String {
    format!("printf '%s\\n' {}", shell_quote(text))
}

/// One argument: a literal (quoted) or a variable (`"$name"`).
#[derive(Clone)]
pub(super) enum Word {
    Lit(String),
    Var(String),
    /// Several literal words after one option (`--tags a=1 b=2`).
    Lits(Vec<String>),
    /// A secret in a variable, handed to az as a file it reads
    /// (`@<(printf '%s' "$name")`: the CLI loads an argument written
    /// `@path` from that file), so the value is in no argument list.
    Secret(String),
}

impl Word {
    pub(super) fn render(&self) -> String {
        match self {
            Word::Lit(s) => shell_quote(s),
            Word::Var(v) => format!("\"${v}\""),
            Word::Secret(v) => format!("@<(printf '%s' \"${v}\")"),
            Word::Lits(words) => words
                .iter()
                .map(|w| shell_quote(w))
                .collect::<Vec<_>>()
                .join(" "),
        }
    }
}

/// An `az` command being built.
pub(super) struct Az {
    pub(super) words: Vec<String>,
    pub(super) options: Vec<(String, Option<Word>)>,
    pub(super) one_line: bool,
}

impl Az {
    pub(super) fn new(command: &str) -> Self {
        Az {
            words: command.split(' ').map(str::to_owned).collect(),
            options: Vec::new(),
            one_line: false,
        }
    }
    /// Keeps the command on one line however long (the many `parameter set`
    /// lines read best as a table).
    pub(super) fn compact(mut self) -> Self {
        self.one_line = true;
        self
    }
    pub(super) fn opt(mut self, flag: &str, value: impl Into<String>) -> Self {
        self.options
            .push((flag.to_owned(), Some(Word::Lit(value.into()))));
        self
    }
    pub(super) fn opt_if(self, flag: &str, value: Option<impl Into<String>>) -> Self {
        match value {
            Some(v) => self.opt(flag, v),
            None => self,
        }
    }
    pub(super) fn var(mut self, flag: &str, variable: &str) -> Self {
        self.options
            .push((flag.to_owned(), Some(Word::Var(variable.to_owned()))));
        self
    }
    pub(super) fn secret(mut self, flag: &str, variable: &str) -> Self {
        self.options
            .push((flag.to_owned(), Some(Word::Secret(variable.to_owned()))));
        self
    }
    pub(super) fn flag(mut self, flag: &str) -> Self {
        self.options.push((flag.to_owned(), None));
        self
    }
    /// `--subscription` when one is known.
    pub(super) fn subscription(self, subscription: Option<&str>) -> Self {
        match subscription {
            Some(s) => self.opt("--subscription", s),
            None => self,
        }
    }
    /// The command as `az …`.
    pub(super) fn render(&self) -> String {
        self.render_as("az")
    }
    /// The command with another head: `az_exists …` runs the same
    /// arguments through the existence check.
    pub(super) fn render_as(&self, program: &str) -> String {
        let head = std::iter::once(program.to_owned())
            .chain(self.words.iter().map(|w| shell_quote(w)))
            .collect::<Vec<_>>()
            .join(" ");
        let parts: Vec<String> = self
            .options
            .iter()
            .map(|(flag, value)| match value {
                Some(v) => {
                    let v = v.render();
                    // argparse reads a value starting with `-` as an option.
                    if v.starts_with('-') {
                        format!("{flag}={v}")
                    } else {
                        format!("{flag} {v}")
                    }
                }
                None => flag.clone(),
            })
            .collect();
        let one_line = format!("{head} {}", parts.join(" "));
        if self.one_line || one_line.len() <= 110 {
            one_line
        } else {
            let mut s = head;
            for p in parts {
                s.push_str(" \\\n  ");
                s.push_str(&p);
            }
            s
        }
    }
}

/// The function the script uses to ask whether a resource exists.
pub(super) const AZ_EXISTS: &str = r#"# az_exists ARGS...: true when `az ARGS` finds the resource, false when az
# answers "not found" (exit code 3); any other failure stops the script with
# az's own message and exit code.
az_exists() {
  local err rc=0
  err="$(az "$@" --output none 2>&1 >/dev/null)" || rc=$?
  case "$rc" in
    0) return 0 ;;
    3) return 1 ;;
    *) printf '%s\n' "$err" >&2; exit "$rc" ;;
  esac
}
"#;
