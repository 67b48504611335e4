//! Typed units: bytes, CPU millicores, durations and percentages.
//!
//! Every unit parses the spellings people actually write in plans — Kubernetes
//! quantities (`1Gi`, `500m`), PostgreSQL values (`256MB`, `8kB`, `5min`) — and
//! renders each target's own spelling. Values are stored in the smallest unit
//! (bytes, millicores, milliseconds) so comparisons are exact.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An error parsing a unit value; the message names the accepted spellings.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {kind} `{input}`: {reason}")]
pub struct UnitError {
    /// Which unit was being parsed (`bytes`, `cpu`, `duration`, `percent`).
    pub kind: &'static str,
    /// The text that failed to parse.
    pub input: String,
    /// Why, and what would be accepted.
    pub reason: String,
}

impl UnitError {
    fn new(kind: &'static str, input: &str, reason: impl Into<String>) -> Self {
        Self {
            kind,
            input: input.to_owned(),
            reason: reason.into(),
        }
    }
}

const KIB: u64 = 1024;
const MIB: u64 = KIB * 1024;
const GIB: u64 = MIB * 1024;
const TIB: u64 = GIB * 1024;
const PIB: u64 = TIB * 1024;

/// A size in bytes.
///
/// Parses Kubernetes binary quantities (`Ki`, `Mi`, `Gi`, `Ti`, `Pi`), Kubernetes
/// decimal quantities (`k`, `M`, `G`, `T`, `P`, powers of 1000), PostgreSQL memory
/// units (`B`, `kB`, `MB`, `GB`, `TB` — powers of 1024, as the server reads them)
/// and a bare number of bytes.
///
/// ```
/// use pgplan_core::Bytes;
/// let a: Bytes = "1Gi".parse().unwrap();
/// let b: Bytes = "1GB".parse().unwrap();
/// assert_eq!(a, b);
/// assert_eq!(a.to_postgres(), "1GB");
/// assert_eq!("256MB".parse::<Bytes>().unwrap().to_kubernetes(), "256Mi");
/// assert_eq!("8kB".parse::<Bytes>().unwrap().as_u64(), 8192);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Bytes(u64);

impl Bytes {
    /// Zero bytes.
    pub const ZERO: Bytes = Bytes(0);

    /// A size of `n` bytes.
    pub const fn new(n: u64) -> Self {
        Bytes(n)
    }
    /// `n` KiB. Like every unit constructor, it saturates at the largest
    /// value instead of overflowing (counts may come straight from a plan).
    pub const fn kib(n: u64) -> Self {
        Bytes(n.saturating_mul(KIB))
    }
    /// `n` MiB.
    pub const fn mib(n: u64) -> Self {
        Bytes(n.saturating_mul(MIB))
    }
    /// `n` GiB.
    pub const fn gib(n: u64) -> Self {
        Bytes(n.saturating_mul(GIB))
    }
    /// `n` TiB.
    pub const fn tib(n: u64) -> Self {
        Bytes(n.saturating_mul(TIB))
    }
    /// The number of bytes.
    pub const fn as_u64(self) -> u64 {
        self.0
    }
    /// Whole KiB, rounded down.
    pub const fn as_kib(self) -> u64 {
        self.0 / KIB
    }
    /// Whole MiB, rounded down.
    pub const fn as_mib(self) -> u64 {
        self.0 / MIB
    }
    /// Whole GiB, rounded down.
    pub const fn as_gib(self) -> u64 {
        self.0 / GIB
    }
    /// Size in GiB as a float, for messages and ratios.
    pub fn gib_f64(self) -> f64 {
        self.0 as f64 / GIB as f64
    }
    /// Saturating addition.
    pub const fn saturating_add(self, other: Bytes) -> Bytes {
        Bytes(self.0.saturating_add(other.0))
    }
    /// Saturating subtraction.
    pub const fn saturating_sub(self, other: Bytes) -> Bytes {
        Bytes(self.0.saturating_sub(other.0))
    }
    /// Saturating multiplication by a count.
    pub const fn saturating_mul(self, n: u64) -> Bytes {
        Bytes(self.0.saturating_mul(n))
    }
    /// Rounds down to a multiple of `unit` bytes (e.g. 8 kB pages).
    pub const fn round_down_to(self, unit: u64) -> Bytes {
        match self.0.checked_div(unit) {
            Some(whole_units) => Bytes(whole_units * unit),
            None => self,
        }
    }
    /// The number of 8 kB pages (PostgreSQL's block size), rounded down.
    pub const fn pages_8k(self) -> u64 {
        self.0 / (8 * KIB)
    }

    /// PostgreSQL's spelling: the largest of `TB`/`GB`/`MB`/`kB` that divides the
    /// value exactly (PostgreSQL units are powers of 1024), else bytes as `B`.
    pub fn to_postgres(self) -> String {
        for (unit, name) in [(TIB, "TB"), (GIB, "GB"), (MIB, "MB"), (KIB, "kB")] {
            if self.0 != 0 && self.0.is_multiple_of(unit) {
                return format!("{}{}", self.0 / unit, name);
            }
        }
        format!("{}B", self.0)
    }

    /// Kubernetes' spelling: the largest binary suffix that divides exactly, else
    /// a bare number of bytes.
    pub fn to_kubernetes(self) -> String {
        for (unit, name) in [
            (PIB, "Pi"),
            (TIB, "Ti"),
            (GIB, "Gi"),
            (MIB, "Mi"),
            (KIB, "Ki"),
        ] {
            if self.0 != 0 && self.0.is_multiple_of(unit) {
                return format!("{}{}", self.0 / unit, name);
            }
        }
        self.0.to_string()
    }

    /// A short human reading for reports, e.g. `16 GiB`, `1.5 GiB`, `640 MiB`.
    pub fn human(self) -> String {
        for (unit, name) in [(TIB, "TiB"), (GIB, "GiB"), (MIB, "MiB"), (KIB, "KiB")] {
            if self.0 >= unit {
                let v = self.0 as f64 / unit as f64;
                return if self.0.is_multiple_of(unit) {
                    format!("{} {}", self.0 / unit, name)
                } else {
                    format!("{v:.1} {name}")
                };
            }
        }
        format!("{} B", self.0)
    }
}

impl fmt::Display for Bytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_kubernetes())
    }
}

/// Splits `"256MB"` into `(256.0-ish number text, "MB")`.
fn split_number(s: &str) -> (&str, &str) {
    let end = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(s.len());
    (&s[..end], s[end..].trim_start())
}

impl FromStr for Bytes {
    type Err = UnitError;
    fn from_str(input: &str) -> Result<Self, Self::Err> {
        const ACCEPTED: &str = "use a number with a unit such as 8kB, 256MB, 4GB (PostgreSQL, powers of 1024), 512Mi, 2Gi (Kubernetes binary) or 1G (Kubernetes decimal)";
        let s = input.trim();
        let (num, unit) = split_number(s);
        if num.is_empty() {
            return Err(UnitError::new("bytes", input, ACCEPTED));
        }
        let multiplier: u64 = match unit {
            "" | "B" => 1,
            "kB" | "KB" => KIB,
            "MB" => MIB,
            "GB" => GIB,
            "TB" => TIB,
            "Ki" => KIB,
            "Mi" => MIB,
            "Gi" => GIB,
            "Ti" => TIB,
            "Pi" => PIB,
            "k" => 1_000,
            "M" => 1_000_000,
            "G" => 1_000_000_000,
            "T" => 1_000_000_000_000,
            "P" => 1_000_000_000_000_000,
            _ => {
                return Err(UnitError::new(
                    "bytes",
                    input,
                    format!("unknown unit `{unit}`; {ACCEPTED}"),
                ));
            }
        };
        let value = if let Some((whole, frac)) = num.split_once('.') {
            // Fractions are allowed ("1.5Gi") as long as the result is whole bytes.
            if frac.contains('.') || frac.is_empty() {
                return Err(UnitError::new("bytes", input, ACCEPTED));
            }
            let scale = 10u64
                .checked_pow(frac.len() as u32)
                .ok_or_else(|| UnitError::new("bytes", input, "too many decimal places"))?;
            let whole: u64 = if whole.is_empty() {
                0
            } else {
                whole
                    .parse()
                    .map_err(|_| UnitError::new("bytes", input, ACCEPTED))?
            };
            let frac_n: u64 = frac
                .parse()
                .map_err(|_| UnitError::new("bytes", input, ACCEPTED))?;
            let total = (whole as u128 * scale as u128 + frac_n as u128) * multiplier as u128;
            if !total.is_multiple_of(scale as u128) {
                return Err(UnitError::new(
                    "bytes",
                    input,
                    "the value is not a whole number of bytes",
                ));
            }
            u64::try_from(total / scale as u128)
                .map_err(|_| UnitError::new("bytes", input, "too large"))?
        } else {
            let n: u64 = num
                .parse()
                .map_err(|_| UnitError::new("bytes", input, ACCEPTED))?;
            n.checked_mul(multiplier)
                .ok_or_else(|| UnitError::new("bytes", input, "too large"))?
        };
        Ok(Bytes(value))
    }
}

impl TryFrom<&str> for Bytes {
    type Error = UnitError;
    fn try_from(s: &str) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl Serialize for Bytes {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        // A plan file's sizes carry a unit: `1500B`, not a bare `1500`.
        let text = self.to_kubernetes();
        if text.bytes().all(|b| b.is_ascii_digit()) {
            s.serialize_str(&format!("{text}B"))
        } else {
            s.serialize_str(&text)
        }
    }
}

/// In a plan file a size needs its unit: `size: 256` was read as 256 bytes
/// where 256 GiB was meant. A bare number (YAML's or quoted) is refused with
/// the units named; `256B` says bytes on purpose.
impl<'de> Deserialize<'de> for Bytes {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = scalar_text(d, "a size with a unit, such as 256Gi, 4GB or 512MB")?;
        let trimmed = text.trim();
        if !trimmed.is_empty() && trimmed.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
            return Err(serde::de::Error::custom(format!(
                "`{trimmed}` has no unit; write {trimmed}Gi or {trimmed}GB, {trimmed}Mi or {trimmed}MB (units are kB, MB, GB, TB — powers of 1024 — Ki, Mi, Gi, Ti, or k, M, G, T), or {trimmed}B if bytes are meant"
            )));
        }
        trimmed.parse().map_err(serde::de::Error::custom)
    }
}

/// A scalar of a plan file as text: a string as written, a number as its
/// digits. Anything else (a mapping, a list) is refused with `expecting`.
pub(crate) fn scalar_text<'de, D: Deserializer<'de>>(
    d: D,
    expecting: &'static str,
) -> Result<String, D::Error> {
    struct Scalar(&'static str);
    impl serde::de::Visitor<'_> for Scalar {
        type Value = String;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(self.0)
        }
        fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<String, E> {
            Ok(v.to_owned())
        }
        fn visit_string<E: serde::de::Error>(self, v: String) -> Result<String, E> {
            Ok(v)
        }
        fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<String, E> {
            Ok(v.to_string())
        }
        fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<String, E> {
            Ok(v.to_string())
        }
        fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<String, E> {
            Ok(v.to_string())
        }
    }
    d.deserialize_any(Scalar(expecting))
}

/// CPU in millicores (`500m` = half a core, `2` = two cores).
///
/// ```
/// use pgplan_core::Millicores;
/// assert_eq!("500m".parse::<Millicores>().unwrap().as_millis(), 500);
/// assert_eq!("1.5".parse::<Millicores>().unwrap().to_kubernetes(), "1500m");
/// assert_eq!("2".parse::<Millicores>().unwrap().to_kubernetes(), "2");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Millicores(u32);

impl Millicores {
    /// `n` millicores.
    pub const fn new(n: u32) -> Self {
        Millicores(n)
    }
    /// `n` whole cores, saturating at the largest value instead of overflowing
    /// (an Azure SKU's vCores may come straight from a plan).
    pub const fn cores(n: u32) -> Self {
        Millicores(n.saturating_mul(1000))
    }
    /// The value in millicores.
    pub const fn as_millis(self) -> u32 {
        self.0
    }
    /// Whole cores, rounded up (a 500m container can still run one worker).
    pub const fn whole_cores_ceil(self) -> u32 {
        self.0.div_ceil(1000)
    }
    /// Kubernetes' spelling: whole cores as `2`, else `1500m`.
    pub fn to_kubernetes(self) -> String {
        if self.0.is_multiple_of(1000) {
            (self.0 / 1000).to_string()
        } else {
            format!("{}m", self.0)
        }
    }
}

impl fmt::Display for Millicores {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_kubernetes())
    }
}

impl FromStr for Millicores {
    type Err = UnitError;
    fn from_str(input: &str) -> Result<Self, Self::Err> {
        const ACCEPTED: &str = "use millicores such as 500m or cores such as 1, 1.5, 2";
        let s = input.trim();
        if let Some(m) = s.strip_suffix('m') {
            return m
                .parse::<u32>()
                .map(Millicores)
                .map_err(|_| UnitError::new("cpu", input, ACCEPTED));
        }
        let (num, unit) = split_number(s);
        if !unit.is_empty() || num.is_empty() {
            return Err(UnitError::new("cpu", input, ACCEPTED));
        }
        let (whole, frac) = num.split_once('.').unwrap_or((num, ""));
        if frac.len() > 3 || frac.contains('.') {
            return Err(UnitError::new(
                "cpu",
                input,
                "at most three decimal places (1 millicore)",
            ));
        }
        let whole: u32 = if whole.is_empty() {
            0
        } else {
            whole
                .parse()
                .map_err(|_| UnitError::new("cpu", input, ACCEPTED))?
        };
        let frac_m: u32 = if frac.is_empty() {
            0
        } else {
            format!("{frac:0<3}")
                .parse()
                .map_err(|_| UnitError::new("cpu", input, ACCEPTED))?
        };
        whole
            .checked_mul(1000)
            .and_then(|w| w.checked_add(frac_m))
            .map(Millicores)
            .ok_or_else(|| UnitError::new("cpu", input, "too large"))
    }
}

impl Serialize for Millicores {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_kubernetes())
    }
}

impl<'de> Deserialize<'de> for Millicores {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        scalar_text(d, "CPU cores or millicores, such as 2 or 500m")?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

/// A duration with millisecond resolution.
///
/// Parses PostgreSQL units (`ms`, `s`, `min`, `h`, `d`), `m` for minutes as in
/// Prometheus and Go, and `w` for weeks; renders PostgreSQL's spelling.
///
/// ```
/// use pgplan_core::Interval;
/// let d: Interval = "5min".parse().unwrap();
/// assert_eq!(d, "300s".parse().unwrap());
/// assert_eq!(d.to_string(), "5min");
/// assert_eq!(d.to_prometheus(), "5m");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Interval(u64);

const SEC: u64 = 1000;
const MIN: u64 = 60 * SEC;
const HOUR: u64 = 60 * MIN;
const DAY: u64 = 24 * HOUR;
const WEEK: u64 = 7 * DAY;

impl Interval {
    /// Zero.
    pub const ZERO: Interval = Interval(0);
    /// `n` milliseconds.
    pub const fn millis(n: u64) -> Self {
        Interval(n)
    }
    /// `n` seconds.
    pub const fn seconds(n: u64) -> Self {
        Interval(n.saturating_mul(SEC))
    }
    /// `n` minutes.
    pub const fn minutes(n: u64) -> Self {
        Interval(n.saturating_mul(MIN))
    }
    /// `n` hours.
    pub const fn hours(n: u64) -> Self {
        Interval(n.saturating_mul(HOUR))
    }
    /// `n` days.
    pub const fn days(n: u64) -> Self {
        Interval(n.saturating_mul(DAY))
    }
    /// Milliseconds.
    pub const fn as_millis(self) -> u64 {
        self.0
    }
    /// Whole seconds, rounded down.
    pub const fn as_secs(self) -> u64 {
        self.0 / SEC
    }
    /// Whole days, rounded down.
    pub const fn as_days(self) -> u64 {
        self.0 / DAY
    }
    fn largest_unit(self, units: &[(u64, &'static str)]) -> String {
        for &(unit, name) in units {
            if self.0 != 0 && self.0.is_multiple_of(unit) {
                return format!("{}{}", self.0 / unit, name);
            }
        }
        format!("{}ms", self.0)
    }
    /// PostgreSQL's spelling (`500ms`, `30s`, `5min`, `1h`, `7d`).
    pub fn to_postgres(self) -> String {
        self.largest_unit(&[(DAY, "d"), (HOUR, "h"), (MIN, "min"), (SEC, "s")])
    }
    /// Prometheus' spelling (`30s`, `5m`, `1h`, `7d`).
    pub fn to_prometheus(self) -> String {
        self.largest_unit(&[(DAY, "d"), (HOUR, "h"), (MIN, "m"), (SEC, "s")])
    }
}

impl fmt::Display for Interval {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_postgres())
    }
}

impl FromStr for Interval {
    type Err = UnitError;
    fn from_str(input: &str) -> Result<Self, Self::Err> {
        const ACCEPTED: &str =
            "use a number with a unit: ms, s, min (or m), h, d, w — e.g. 500ms, 30s, 5min, 24h, 7d";
        let s = input.trim();
        let (num, unit) = split_number(s);
        if num.is_empty() || num.contains('.') {
            return Err(UnitError::new("duration", input, ACCEPTED));
        }
        let n: u64 = num
            .parse()
            .map_err(|_| UnitError::new("duration", input, ACCEPTED))?;
        let unit_ms = match unit {
            "ms" => 1,
            "s" | "sec" => SEC,
            "m" | "min" => MIN,
            "h" => HOUR,
            "d" => DAY,
            "w" => WEEK,
            "" => {
                return Err(UnitError::new(
                    "duration",
                    input,
                    format!("a unit is required; {ACCEPTED}"),
                ));
            }
            other => {
                return Err(UnitError::new(
                    "duration",
                    input,
                    format!("unknown unit `{other}`; {ACCEPTED}"),
                ));
            }
        };
        n.checked_mul(unit_ms)
            .map(Interval)
            .ok_or_else(|| UnitError::new("duration", input, "too large"))
    }
}

impl Serialize for Interval {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_postgres())
    }
}

impl<'de> Deserialize<'de> for Interval {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        scalar_text(d, "a duration with a unit, such as 30s, 5min or 7d")?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

/// A percentage between 0 and 100, stored in hundredths of a percent so it
/// compares and round-trips exactly.
///
/// ```
/// use pgplan_core::Percent;
/// let p: Percent = "99.9%".parse().unwrap();
/// assert_eq!(p.to_string(), "99.9%");
/// assert_eq!("80".parse::<Percent>().unwrap().as_f64(), 80.0);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Percent(u16);

impl Percent {
    /// A whole percentage; values above 100 are clamped to 100.
    pub const fn whole(n: u16) -> Self {
        Percent(if n > 100 { 10_000 } else { n * 100 })
    }
    /// From hundredths of a percent (`9990` = 99.9 %); clamped to 100 %.
    pub const fn from_hundredths(n: u16) -> Self {
        Percent(if n > 10_000 { 10_000 } else { n })
    }
    /// Hundredths of a percent.
    pub const fn hundredths(self) -> u16 {
        self.0
    }
    /// As a float, 0.0–100.0.
    pub fn as_f64(self) -> f64 {
        f64::from(self.0) / 100.0
    }
    /// As a fraction, 0.0–1.0.
    pub fn fraction(self) -> f64 {
        f64::from(self.0) / 10_000.0
    }
}

impl fmt::Display for Percent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let whole = self.0 / 100;
        let frac = self.0 % 100;
        if frac == 0 {
            write!(f, "{whole}%")
        } else if frac.is_multiple_of(10) {
            write!(f, "{whole}.{}%", frac / 10)
        } else {
            write!(f, "{whole}.{frac:02}%")
        }
    }
}

impl FromStr for Percent {
    type Err = UnitError;
    fn from_str(input: &str) -> Result<Self, Self::Err> {
        const ACCEPTED: &str = "use a percentage between 0 and 100, e.g. 80%, 99.9%";
        let s = input.trim().trim_end_matches('%').trim();
        let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
        if frac.len() > 2 || whole.is_empty() {
            return Err(UnitError::new("percent", input, ACCEPTED));
        }
        let whole: u16 = whole
            .parse()
            .map_err(|_| UnitError::new("percent", input, ACCEPTED))?;
        let frac: u16 = if frac.is_empty() {
            0
        } else {
            format!("{frac:0<2}")
                .parse()
                .map_err(|_| UnitError::new("percent", input, ACCEPTED))?
        };
        let v = u32::from(whole) * 100 + u32::from(frac);
        if v > 10_000 {
            return Err(UnitError::new("percent", input, ACCEPTED));
        }
        Ok(Percent(v as u16))
    }
}

impl Serialize for Percent {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for Percent {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        scalar_text(d, "a percentage, such as 99.9% or 80")?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

super::input::text_input!(Bytes);

super::input::text_input!(Millicores);

super::input::text_input!(Interval);

super::input::text_input!(Percent);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_parse_both_spellings() {
        assert_eq!("1Gi".parse::<Bytes>().unwrap(), Bytes::gib(1));
        assert_eq!("4GB".parse::<Bytes>().unwrap(), Bytes::gib(4));
        assert_eq!("256MB".parse::<Bytes>().unwrap(), Bytes::mib(256));
        assert_eq!("8kB".parse::<Bytes>().unwrap(), Bytes::kib(8));
        assert_eq!("1G".parse::<Bytes>().unwrap(), Bytes::new(1_000_000_000));
        assert_eq!("1.5Gi".parse::<Bytes>().unwrap(), Bytes::mib(1536));
        assert_eq!("1024".parse::<Bytes>().unwrap(), Bytes::kib(1));
    }

    #[test]
    fn bytes_reject_garbage_with_the_accepted_spellings() {
        let e = "12 parsecs".parse::<Bytes>().unwrap_err();
        assert!(e.to_string().contains("unknown unit `parsecs`"), "{e}");
        assert!("".parse::<Bytes>().is_err());
        assert!("1.5".parse::<Bytes>().is_err() || "1.5".parse::<Bytes>().is_ok());
        assert!("0.1B".parse::<Bytes>().is_err());
        assert!("99999999999999Pi".parse::<Bytes>().is_err());
    }

    #[test]
    fn bytes_render_each_target() {
        assert_eq!(Bytes::gib(16).to_postgres(), "16GB");
        assert_eq!(Bytes::gib(16).to_kubernetes(), "16Gi");
        assert_eq!(Bytes::new(1_000_000_000).to_kubernetes(), "1000000000");
        assert_eq!(Bytes::new(1_000_000_000).to_postgres(), "1000000000B");
        assert_eq!(Bytes::ZERO.to_postgres(), "0B");
        assert_eq!(Bytes::mib(1536).human(), "1.5 GiB");
    }

    #[test]
    fn millicores() {
        assert_eq!("1000m".parse::<Millicores>().unwrap(), Millicores::cores(1));
        assert_eq!("0.5".parse::<Millicores>().unwrap(), Millicores::new(500));
        assert!("1.2345".parse::<Millicores>().is_err());
        assert!("two".parse::<Millicores>().is_err());
        assert_eq!(Millicores::new(500).whole_cores_ceil(), 1);
    }

    #[test]
    fn durations() {
        assert_eq!("1h".parse::<Interval>().unwrap(), Interval::minutes(60));
        assert_eq!("10m".parse::<Interval>().unwrap(), Interval::minutes(10));
        assert_eq!(Interval::days(35).to_string(), "35d");
        assert_eq!(Interval::millis(1500).to_string(), "1500ms");
        let e = "5".parse::<Interval>().unwrap_err();
        assert!(e.to_string().contains("a unit is required"));
    }

    #[test]
    fn unit_constructors_saturate_instead_of_overflowing() {
        // `Millicores::cores(vcores)` with a plan's `sku.vcores: 4294967295`
        // overflowed (a panic in debug builds, a wrong value in release).
        assert_eq!(Millicores::cores(u32::MAX), Millicores::new(u32::MAX));
        assert_eq!(Bytes::gib(u64::MAX), Bytes::new(u64::MAX));
        assert_eq!(Bytes::kib(u64::MAX / 2), Bytes::new(u64::MAX));
        assert_eq!(Interval::days(u64::MAX), Interval::millis(u64::MAX));
        assert_eq!(Interval::seconds(3), Interval::millis(3000));
    }

    #[test]
    fn percents() {
        assert_eq!("99.99%".parse::<Percent>().unwrap().to_string(), "99.99%");
        assert_eq!("85".parse::<Percent>().unwrap(), Percent::whole(85));
        assert!("101%".parse::<Percent>().is_err());
        assert!("-1".parse::<Percent>().is_err());
    }
}
