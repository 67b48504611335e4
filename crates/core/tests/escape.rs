//! Every escaping function in `pgplan_core::escape` that needs no server,
//! checked against its real consumer on arbitrary text: bash runs a script
//! of escaped words, a YAML parser and a JSON parser read escaped scalars, a
//! CommonMark parser reads escaped Markdown — each must read back exactly
//! the value, and nothing more (no extra command, key or element). The
//! server-side formats (postgresql.conf, pg_hba.conf, SQL, psql) are checked
//! in `crates/sql/tests/sql/escaping.rs`.
//!
//! Each property runs `PROPTEST_CASES` cases (64 when unset).

use std::collections::BTreeMap;
use std::io::Write as _;
use std::process::{Command, Stdio};

use pgplan_core::escape::{bash, json, markdown, terminal, yaml};
use proptest::prelude::*;

fn config() -> ProptestConfig {
    let mut config = ProptestConfig::default();
    if std::env::var_os("PROPTEST_CASES").is_none() {
        config.cases = 64;
    }
    config.failure_persistence = None;
    config
}

/// Text a hostile plan could hold: quotes, backslashes, shell and YAML
/// syntax, control and bidi characters, line breaks, unicode — no NUL,
/// which no format carries and the plan reader refuses.
fn hostile() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        "[a-zA-Z0-9_ ]{1,8}",
        prop::sample::select(vec![
            "'",
            "\"",
            "\\",
            "\\'",
            "''",
            "`",
            "$",
            "$(id)",
            "${x}",
            ":",
            ": ",
            "- ",
            "#",
            "\n",
            "\r\n",
            "\t",
            "\u{1b}[1A",
            "\u{1b}[2K",
            "\u{7f}",
            "\u{85}",
            "\u{9b}",
            "\u{202e}",
            "\u{2066}",
            "\u{2028}",
            "\u{feff}",
            "\u{200b}",
            "é",
            "한글",
            "😀",
            "&",
            "&amp;",
            "<b>",
            "*",
            "_",
            "|",
            "[x](y)",
            "!",
            "%",
            "{",
            "}",
            "[",
            "]",
            ",",
            "?",
            "~",
            "null",
            "on",
            "017",
            "0x1F",
            ".inf",
            "true",
            " ",
            "  ",
        ])
        .prop_map(str::to_owned),
        any::<char>()
            .prop_filter("no NUL", |c| *c != '\0')
            .prop_map(String::from),
    ];
    prop::collection::vec(piece, 0..8).prop_map(|p| p.concat())
}

fn bash_available() -> bool {
    Command::new("bash").arg("-c").arg("true").status().is_ok()
}

proptest! {
    #![proptest_config(config())]

    /// bash reads each escaped word back as exactly one argument, the value,
    /// and runs nothing else.
    #[test]
    fn bash_reads_back_every_word(values in prop::collection::vec(hostile(), 1..5)) {
        assert!(bash_available(), "bash is needed (apt-get install bash)");
        let mut script = String::from("set -eu\nprintf '%s\\0' ");
        for v in &values {
            script.push_str(&bash::word(v));
            script.push(' ');
        }
        script.push_str("\n# ");
        script.push_str(&bash::comment(&values.concat()));
        script.push_str("\nprintf 'END'\n");
        let mut child = Command::new("bash")
            .arg("-s")
            .env_clear()
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(script.as_bytes()).unwrap();
        let out = child.wait_with_output().unwrap();
        prop_assert!(out.status.success(), "{script}\n{}", String::from_utf8_lossy(&out.stderr));
        let stdout = String::from_utf8(out.stdout).unwrap();
        let body = stdout.strip_suffix("END").expect("the script ran to its end");
        let got: Vec<&str> = body.split('\0').collect();
        let mut want: Vec<&str> = values.iter().map(String::as_str).collect();
        want.push("");
        prop_assert_eq!(got, want, "{}", script);
    }

    /// A YAML parser reads an escaped scalar back as the value, as the only
    /// value of its key, and keys written after it keep theirs.
    #[test]
    fn yaml_reads_back_every_scalar(value in hostile()) {
        let doc = format!(
            "# {}\nvalue: {}\nafter: sentinel\n",
            yaml::comment(&value),
            yaml::scalar(&value)
        );
        let read: BTreeMap<String, String> = serde_saphyr::from_str(&doc)
            .map_err(|e| TestCaseError::fail(format!("{e}\n{doc}")))?;
        prop_assert_eq!(read.len(), 2, "{}", doc);
        prop_assert_eq!(&read["value"], &value, "{}", doc);
        prop_assert_eq!(&read["after"], "sentinel");
    }

    /// A JSON parser reads an escaped string back, and the terminal-safe
    /// form of any JSON is the same JSON with no control or bidi character.
    #[test]
    fn json_reads_back_every_string(value in hostile()) {
        let text = json::string(&value);
        let back: String = serde_json::from_str(&text).unwrap();
        prop_assert_eq!(&back, &value);
        let pretty = serde_json::to_string_pretty(&BTreeMap::from([("v", &value)])).unwrap();
        let safe = json::terminal_safe(&pretty);
        prop_assert!(!safe.chars().any(|c| terminal::is_unsafe(c) && c != '\n'), "{}", safe);
        let back: BTreeMap<String, String> = serde_json::from_str(&safe).unwrap();
        prop_assert_eq!(&back["v"], &value);
    }

    /// A CommonMark parser reads escaped text back as exactly the value, as
    /// plain text of one paragraph: no emphasis, link, HTML, heading, list,
    /// code or line break.
    #[test]
    fn markdown_reads_back_every_text(value in hostile().prop_filter("not blank", |v| !v.trim().is_empty())) {
        use pulldown_cmark::{Event, Parser, Tag, TagEnd};
        let escaped = markdown::text(&value);
        let mut text = String::new();
        for event in Parser::new(&escaped) {
            match event {
                Event::Text(t) => text.push_str(&t),
                Event::Start(Tag::Paragraph) | Event::End(TagEnd::Paragraph) => {}
                other => prop_assert!(false, "{other:?} in {escaped:?}"),
            }
        }
        prop_assert_eq!(&text, &value, "{:?}", escaped);
    }

    /// Terminal text keeps every safe character in order and shows every
    /// control, bidi and invisible character as a visible escape.
    #[test]
    fn terminal_text_has_nothing_that_acts(value in hostile()) {
        let shown = terminal::text(&value);
        prop_assert!(!shown.chars().any(|c| terminal::is_unsafe(c) && c != '\n' && c != '\t'));
        let line = terminal::line(&value);
        prop_assert!(!line.chars().any(terminal::is_unsafe));
        let kept: String = value.chars().filter(|c| !terminal::is_unsafe(*c)).collect();
        // Removing the escapes gives back the safe characters in order.
        let mut without = String::new();
        let mut rest: &str = &line;
        while let Some(i) = rest.find("\\u{") {
            let end = rest[i..].find('}').map(|j| i + j + 1);
            let is_escape = end.is_some_and(|e| {
                u32::from_str_radix(&rest[i + 3..e - 1], 16)
                    .ok()
                    .and_then(char::from_u32)
                    .is_some_and(terminal::is_unsafe)
            });
            match end {
                Some(e) if is_escape => {
                    without.push_str(&rest[..i]);
                    rest = &rest[e..];
                }
                _ => {
                    without.push_str(&rest[..i + 3]);
                    rest = &rest[i + 3..];
                }
            }
        }
        without.push_str(rest);
        prop_assert_eq!(without, kept);
    }
}

#[test]
fn terminal_spoofing_from_issue_15_is_shown_not_run() {
    // A role name that erased the line above and hid the rest of the review.
    let name = "app\u{1b}[1A\u{1b}[2K (no changes)\u{1b}[8m";
    let shown = terminal::line(name);
    assert!(!shown.contains('\u{1b}'), "{shown}");
    assert_eq!(shown, "app\\u{1b}[1A\\u{1b}[2K (no changes)\\u{1b}[8m");
}
