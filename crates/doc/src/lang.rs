//! The languages a document is written in.

use std::fmt;
use std::str::FromStr;

/// The language of a document: English reads like a runbook, Korean like
/// the hand-written installation plans teams keep (개요, 환경 구성 정보, …).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    /// English.
    #[default]
    En,
    /// Korean.
    Ko,
}

impl Lang {
    /// The text in this language.
    pub fn pick<'a>(self, en: &'a str, ko: &'a str) -> &'a str {
        match self {
            Lang::En => en,
            Lang::Ko => ko,
        }
    }
    /// Yes or no.
    pub fn yes_no(self, yes: bool) -> &'static str {
        match (self, yes) {
            (Lang::En, true) => "yes",
            (Lang::En, false) => "no",
            (Lang::Ko, true) => "예",
            (Lang::Ko, false) => "아니요",
        }
    }
    /// On or off.
    pub fn on_off(self, on: bool) -> &'static str {
        match (self, on) {
            (Lang::En, true) => "on",
            (Lang::En, false) => "off",
            (Lang::Ko, true) => "활성화",
            (Lang::Ko, false) => "비활성화",
        }
    }
    /// What a table cell says when the plan does not say.
    pub fn not_set(self) -> &'static str {
        self.pick("not set", "미설정")
    }
    /// The language's code (`en`, `ko`).
    pub fn code(self) -> &'static str {
        self.pick("en", "ko")
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Lang {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "en" | "english" => Ok(Lang::En),
            "ko" | "kr" | "korean" | "한국어" => Ok(Lang::Ko),
            other => Err(format!("unknown language `{other}`: use en or ko")),
        }
    }
}
