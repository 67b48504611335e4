//! A small writer for the YAML files pgplan renders (patroni.yml, etcd's
//! configuration, docker-compose.yml): block mappings and sequences, a
//! comment above any line, every scalar through [`escape::yaml`].
//! Hand-written rather than serialised so that each value can carry the
//! comment that says why it has that value.

use crate::escape;

/// A YAML document being written.
#[derive(Debug, Default)]
pub(crate) struct Yaml {
    out: String,
    depth: usize,
}

/// A scalar: text is always quoted; numbers and booleans are bare.
pub(crate) enum V<'a> {
    /// Text.
    S(&'a str),
    /// An unsigned number.
    N(u64),
    /// A boolean.
    B(bool),
}

impl V<'_> {
    fn render(&self) -> String {
        match self {
            V::S(s) => escape::yaml(s),
            V::N(n) => n.to_string(),
            V::B(b) => b.to_string(),
        }
    }
}

impl Yaml {
    pub(crate) fn new() -> Self {
        Self::default()
    }
    fn indent(&mut self) {
        for _ in 0..self.depth {
            self.out.push_str("  ");
        }
    }
    /// A comment line at the current depth.
    pub(crate) fn comment(&mut self, text: &str) -> &mut Self {
        self.indent();
        self.out.push_str("# ");
        self.out.push_str(&escape::yaml_comment(text));
        self.out.push('\n');
        self
    }
    /// An empty line.
    pub(crate) fn blank(&mut self) -> &mut Self {
        self.out.push('\n');
        self
    }
    fn key_text(key: &str) -> String {
        let plain = !key.is_empty()
            && key.bytes().next().is_some_and(|b| b.is_ascii_alphabetic())
            && key
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'));
        if plain {
            key.to_owned()
        } else {
            escape::yaml(key)
        }
    }
    /// `key: value`.
    pub(crate) fn kv(&mut self, key: &str, value: V<'_>) -> &mut Self {
        self.indent();
        self.out.push_str(&Self::key_text(key));
        self.out.push_str(": ");
        self.out.push_str(&value.render());
        self.out.push('\n');
        self
    }
    /// `key:` opening a nested block; call [`Yaml::end`] after it.
    pub(crate) fn open(&mut self, key: &str) -> &mut Self {
        self.indent();
        self.out.push_str(&Self::key_text(key));
        self.out.push_str(":\n");
        self.depth += 1;
        self
    }
    /// `- value` in a sequence (at the current depth).
    pub(crate) fn item(&mut self, value: V<'_>) -> &mut Self {
        self.indent();
        self.out.push_str("- ");
        self.out.push_str(&value.render());
        self.out.push('\n');
        self
    }
    /// `- key: value`, a one-entry mapping in a sequence.
    pub(crate) fn item_kv(&mut self, key: &str, value: V<'_>) -> &mut Self {
        self.indent();
        self.out.push_str("- ");
        self.out.push_str(&Self::key_text(key));
        self.out.push_str(": ");
        self.out.push_str(&value.render());
        self.out.push('\n');
        self
    }
    /// `key: {}`, an empty mapping.
    pub(crate) fn empty_map(&mut self, key: &str) -> &mut Self {
        self.indent();
        self.out.push_str(&Self::key_text(key));
        self.out.push_str(": {}\n");
        self
    }
    /// Closes the innermost block.
    pub(crate) fn end(&mut self) -> &mut Self {
        self.depth = self.depth.saturating_sub(1);
        self
    }
    /// The text.
    pub(crate) fn finish(&mut self) -> String {
        std::mem::take(&mut self.out)
    }
}
