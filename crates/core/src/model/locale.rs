//! Encodings, locales, time zones and timestamps as PostgreSQL reads them.

use super::text::text_newtype;

/// PostgreSQL's server encodings (`pg_encoding_to_char` of every encoding
/// `CREATE DATABASE … ENCODING` takes).
pub const SERVER_ENCODINGS: &[&str] = &[
    "EUC_CN",
    "EUC_JIS_2004",
    "EUC_JP",
    "EUC_KR",
    "EUC_TW",
    "ISO_8859_5",
    "ISO_8859_6",
    "ISO_8859_7",
    "ISO_8859_8",
    "KOI8R",
    "KOI8U",
    "LATIN1",
    "LATIN10",
    "LATIN2",
    "LATIN3",
    "LATIN4",
    "LATIN5",
    "LATIN6",
    "LATIN7",
    "LATIN8",
    "LATIN9",
    "MULE_INTERNAL",
    "SQL_ASCII",
    "UTF8",
    "WIN1250",
    "WIN1251",
    "WIN1252",
    "WIN1253",
    "WIN1254",
    "WIN1255",
    "WIN1256",
    "WIN1257",
    "WIN1258",
    "WIN866",
    "WIN874",
];

/// Letters and digits only, uppercase: how PostgreSQL compares encoding
/// names (`utf-8`, `UTF8` and `Utf_8` are one encoding).
fn squash(s: &str) -> String {
    s.chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_uppercase()
}

fn encoding(s: &str) -> Result<String, String> {
    let key = squash(s);
    let key = match key.as_str() {
        "UNICODE" => "UTF8".to_owned(),
        _ => key,
    };
    SERVER_ENCODINGS
        .iter()
        .find(|e| squash(e) == key)
        .map(|e| (*e).to_owned())
        .ok_or_else(|| {
            "not a PostgreSQL server encoding; use UTF8 (or one of SQL_ASCII, LATIN1 … LATIN10, EUC_KR, EUC_JP, WIN1252, …)".into()
        })
}

text_newtype!(
    /// A server encoding, kept as PostgreSQL names it (`UTF8`; `utf-8`
    /// reads as `UTF8`).
    ///
    /// ```
    /// use pgplan_core::Encoding;
    /// assert_eq!(Encoding::new("utf-8").unwrap().as_str(), "UTF8");
    /// assert!(Encoding::new("UTF-16").is_err());
    /// ```
    Encoding,
    "encoding",
    encoding
);

impl Default for Encoding {
    fn default() -> Self {
        Encoding("UTF8".to_owned())
    }
}

impl Encoding {
    /// UTF-8.
    pub fn utf8() -> Self {
        Encoding::default()
    }
}

fn locale(s: &str) -> Result<String, String> {
    let ok = !s.is_empty()
        && s.len() <= 100
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'@' | b'-'));
    if ok {
        Ok(s.to_owned())
    } else {
        Err("use a locale name such as C, C.UTF-8, en_US.UTF-8 or ko_KR.utf8 (letters, digits, `_`, `.`, `@` and `-`)".into())
    }
}

text_newtype!(
    /// A locale name (`en_US.UTF-8`, `C.UTF-8`, `C`). Whether the server has
    /// it is checked when the plan is applied.
    Locale,
    "locale",
    locale
);

impl Locale {
    /// `C.UTF-8`: UTF-8 with C collation, present on every Debian system.
    pub fn c_utf8() -> Self {
        Locale("C.UTF-8".to_owned())
    }
    /// The codeset part (`UTF-8` of `en_US.UTF-8`), if any.
    pub fn codeset(&self) -> Option<&str> {
        let rest = self.0.split_once('.')?.1;
        Some(rest.split('@').next().unwrap_or(rest))
    }
    /// True for the locales every PostgreSQL server has (`C`, `POSIX`).
    pub fn is_builtin(&self) -> bool {
        matches!(self.0.as_str(), "C" | "POSIX")
    }
}

fn time_zone(s: &str) -> Result<String, String> {
    let ok = !s.is_empty()
        && s.len() <= 255
        && s.split('/').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'+'))
        });
    if ok {
        Ok(s.to_owned())
    } else {
        Err("use a time zone name such as UTC, Asia/Seoul or America/New_York".into())
    }
}

text_newtype!(
    /// A time zone name (`UTC`, `Asia/Seoul`).
    TimeZoneName,
    "time zone",
    time_zone
);

fn valid_until(s: &str) -> Result<String, String> {
    const HELP: &str =
        "use `infinity` or an ISO 8601 timestamp such as 2026-12-31 or 2026-12-31T00:00:00Z";
    if s.eq_ignore_ascii_case("infinity") {
        return Ok("infinity".into());
    }
    let digits = |t: &str, n: usize| t.len() == n && t.bytes().all(|b| b.is_ascii_digit());
    let (date, time) = match s.split_once(['T', ' ']) {
        Some((d, t)) => (d, Some(t)),
        None => (s, None),
    };
    let d: Vec<&str> = date.split('-').collect();
    let date_ok = d.len() == 3
        && digits(d[0], 4)
        && digits(d[1], 2)
        && digits(d[2], 2)
        && (1..=12).contains(&d[1].parse::<u32>().unwrap_or(0))
        && (1..=31).contains(&d[2].parse::<u32>().unwrap_or(0));
    if !date_ok {
        return Err(HELP.into());
    }
    if let Some(t) = time {
        let (clock, zone) = match t.find(['Z', '+', '-']) {
            Some(i) => (&t[..i], &t[i..]),
            None => (t, ""),
        };
        let c: Vec<&str> = clock.split(':').collect();
        let clock_ok = (2..=3).contains(&c.len())
            && digits(c[0], 2)
            && digits(c[1], 2)
            && c.get(2).is_none_or(|sec| {
                let whole = sec.split('.').next().unwrap_or(sec);
                digits(whole, 2)
            })
            && c[0].parse::<u32>().unwrap_or(99) < 24
            && c[1].parse::<u32>().unwrap_or(99) < 60;
        let zone_ok = zone.is_empty()
            || zone == "Z"
            || (zone.len() >= 3 && zone[1..].split(':').all(|p| digits(p, 2)));
        if !clock_ok || !zone_ok {
            return Err(HELP.into());
        }
    }
    Ok(s.to_owned())
}

text_newtype!(
    /// When a role's password expires: `infinity` or an ISO 8601 timestamp.
    ///
    /// ```
    /// use pgplan_core::ValidUntil;
    /// assert!(ValidUntil::new("2026-12-31T00:00:00Z").is_ok());
    /// assert!(ValidUntil::new("infinity").is_ok());
    /// assert!(ValidUntil::new("next year").is_err());
    /// ```
    ValidUntil,
    "expiry",
    valid_until
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings_read_like_the_server_reads_them() {
        for (input, name) in [
            ("UTF8", "UTF8"),
            ("utf-8", "UTF8"),
            ("Unicode", "UTF8"),
            ("latin1", "LATIN1"),
            ("euc_kr", "EUC_KR"),
        ] {
            assert_eq!(Encoding::new(input).unwrap().as_str(), name, "{input}");
        }
        assert!(Encoding::new("EBCDIC").is_err());
    }

    #[test]
    fn locales_and_zones() {
        assert_eq!(Locale::new("en_US.UTF-8").unwrap().codeset(), Some("UTF-8"));
        assert!(Locale::new("en_US.UTF-8'; DROP").is_err());
        assert!(TimeZoneName::new("America/Argentina/Buenos_Aires").is_ok());
        assert!(TimeZoneName::new("Etc/GMT+9").is_ok());
        assert!(TimeZoneName::new("Asia//Seoul").is_err());
        assert!(ValidUntil::new("2026-02-30").is_ok());
        assert!(ValidUntil::new("2026-13-01").is_err());
        assert!(ValidUntil::new("2026-12-31 23:59:59+09:00").is_ok());
    }
}
