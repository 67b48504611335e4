//! Literals that read like the domain: `16.gib()`, `5.minutes()`, `85.pct()`,
//! `500.millicores()`.
//!
//! A literal is checked where the plan is built: a negative size, a
//! percentage above 100 or a value that overflows is a problem the builder
//! reports with the field's path, never a silent clamp.

use crate::model::input::Input;
use crate::model::units::{Bytes, Interval, Millicores, Percent};

/// A value written as a literal, checked when the plan is built.
#[derive(Debug, Clone, PartialEq)]
pub struct Quantity<T>(Result<T, String>);

impl<T> Quantity<T> {
    /// The value, or why the literal is not one.
    pub fn value(self) -> Result<T, String> {
        self.0
    }
}

impl<T> Input<T> for Quantity<T> {
    fn into_value(self) -> Result<T, String> {
        self.0
    }
}

/// Unit literals on numbers. In scope through `pgplan_core::prelude`.
///
/// ```
/// use pgplan_core::prelude::*;
/// assert_eq!(16.gib().value(), Ok(Bytes::gib(16)));
/// assert_eq!(5.minutes().value(), Ok(pgplan_core::Interval::minutes(5)));
/// assert_eq!(99.9.pct().value().unwrap().to_string(), "99.9%");
/// assert!(150.pct().value().is_err());
/// assert!((-1).gib().value().is_err());
/// ```
pub trait Literals: Copy {
    /// Bytes.
    fn bytes(self) -> Quantity<Bytes>;
    /// Kibibytes (PostgreSQL's `kB`).
    fn kib(self) -> Quantity<Bytes>;
    /// Mebibytes (PostgreSQL's `MB`, Kubernetes' `Mi`).
    fn mib(self) -> Quantity<Bytes>;
    /// Gibibytes (PostgreSQL's `GB`, Kubernetes' `Gi`).
    fn gib(self) -> Quantity<Bytes>;
    /// Tebibytes.
    fn tib(self) -> Quantity<Bytes>;
    /// Milliseconds.
    fn ms(self) -> Quantity<Interval>;
    /// Seconds.
    fn seconds(self) -> Quantity<Interval>;
    /// Minutes.
    fn minutes(self) -> Quantity<Interval>;
    /// Hours.
    fn hours(self) -> Quantity<Interval>;
    /// Days.
    fn days(self) -> Quantity<Interval>;
    /// A percentage, 0–100.
    fn pct(self) -> Quantity<Percent>;
    /// CPU cores.
    fn cores(self) -> Quantity<Millicores>;
    /// Thousandths of a CPU core (Kubernetes' `m`).
    fn millicores(self) -> Quantity<Millicores>;
}

/// `n × unit` as a whole number of the base unit, or why it is not one.
fn scaled(n: f64, unit: f64, what: &str, max: f64) -> Result<f64, String> {
    if !n.is_finite() || n < 0.0 {
        return Err(format!("{what} must be a number of at least 0, not {n}"));
    }
    let v = (n * unit).round();
    if v > max {
        return Err(format!("{n} is too large for {what}"));
    }
    Ok(v)
}

fn bytes(n: f64, unit: u64) -> Quantity<Bytes> {
    Quantity(scaled(n, unit as f64, "a size", u64::MAX as f64).map(|v| Bytes::new(v as u64)))
}

fn duration(n: f64, unit: u64) -> Quantity<Interval> {
    Quantity(
        scaled(n, unit as f64, "a duration", u64::MAX as f64).map(|v| Interval::millis(v as u64)),
    )
}

fn millicores(n: f64, unit: u32) -> Quantity<Millicores> {
    Quantity(
        scaled(n, f64::from(unit), "a CPU amount", f64::from(u32::MAX))
            .map(|v| Millicores::new(v as u32)),
    )
}

fn percent(n: f64) -> Quantity<Percent> {
    Quantity(if n.is_finite() && (0.0..=100.0).contains(&n) {
        Ok(Percent::from_hundredths((n * 100.0).round() as u16))
    } else {
        Err(format!("a percentage is between 0 and 100, not {n}"))
    })
}

macro_rules! literals {
    ($($t:ty),*) => {$(
        impl Literals for $t {
            fn bytes(self) -> Quantity<Bytes> { bytes(self as f64, 1) }
            fn kib(self) -> Quantity<Bytes> { bytes(self as f64, 1 << 10) }
            fn mib(self) -> Quantity<Bytes> { bytes(self as f64, 1 << 20) }
            fn gib(self) -> Quantity<Bytes> { bytes(self as f64, 1 << 30) }
            fn tib(self) -> Quantity<Bytes> { bytes(self as f64, 1 << 40) }
            fn ms(self) -> Quantity<Interval> { duration(self as f64, 1) }
            fn seconds(self) -> Quantity<Interval> { duration(self as f64, 1_000) }
            fn minutes(self) -> Quantity<Interval> { duration(self as f64, 60_000) }
            fn hours(self) -> Quantity<Interval> { duration(self as f64, 3_600_000) }
            fn days(self) -> Quantity<Interval> { duration(self as f64, 86_400_000) }
            fn pct(self) -> Quantity<Percent> { percent(self as f64) }
            fn cores(self) -> Quantity<Millicores> { millicores(self as f64, 1_000) }
            fn millicores(self) -> Quantity<Millicores> { millicores(self as f64, 1) }
        }
    )*};
}

literals!(i32, i64, u32, u64, f64);
