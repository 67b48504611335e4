//! Azure Monitor metric alerts on a Flexible Server: what the service takes
//! (metric names and their aggregations, windows, evaluation frequencies,
//! severities), and which alerts a plan's `monitoring.thresholds` become.
//!
//! Rules PGP176 (azure-metric-alerts) and PGP177 (azure-alert-metrics)
//! check plans against these facts; the Azure backend renders exactly
//! [`planned_alerts`] of a validated plan.
//!
//! A threshold's `for` is the alert's window: "above 85 % for 5 min" is the
//! **minimum** over a 5-minute window above 85 (every sample in the window
//! was above), "above 85 % at once" (`for: 0s`) the **maximum** over the
//! shortest window, one minute. Metrics Azure aggregates one way only
//! (`connections_failed`: total; `longest_query_time_sec`: maximum) keep
//! that one.
//!
//! ```
//! use pgplan_core::azure_monitor::{iso8601, window_for};
//! use pgplan_core::Interval;
//! assert_eq!(window_for(Interval::ZERO), Ok(Interval::minutes(1)));
//! assert_eq!(window_for(Interval::minutes(15)).map(iso8601), Ok("PT15M".to_owned()));
//! let nearest = window_for(Interval::minutes(3)).unwrap_err();
//! assert_eq!((nearest.below, nearest.above), (Some(Interval::minutes(1)), Some(Interval::minutes(5))));
//! ```

use std::ops::RangeInclusive;

use crate::model::monitoring::Threshold;
use crate::model::plan::Plan;
use crate::model::platform::AzureAlerts;
use crate::model::units::Interval;
use crate::tuning::Settings;

/// The metric namespace of a flexible server.
pub const METRIC_NAMESPACE: &str = "Microsoft.DBforPostgreSQL/flexibleServers";

/// The windows (`windowSize`) a metric alert takes.
pub const WINDOWS: [Interval; 8] = [
    Interval::minutes(1),
    Interval::minutes(5),
    Interval::minutes(15),
    Interval::minutes(30),
    Interval::hours(1),
    Interval::hours(6),
    Interval::hours(12),
    Interval::days(1),
];

/// The evaluation frequencies (`evaluationFrequency`) a metric alert takes.
pub const FREQUENCIES: [Interval; 5] = [
    Interval::minutes(1),
    Interval::minutes(5),
    Interval::minutes(15),
    Interval::minutes(30),
    Interval::hours(1),
];

/// Alert severities: 0 (critical), 1 (error), 2 (warning), 3
/// (informational), 4 (verbose).
pub const SEVERITIES: RangeInclusive<u8> = 0..=4;

/// The server parameter that turns on the "enhanced" metrics, among them
/// `longest_query_time_sec` (dynamic: no restart).
pub const DATABASE_ACTIVITY_PARAMETER: &str = "metrics.collector_database_activity";

/// A duration in ISO 8601 as ARM writes windows and frequencies (`PT1M`,
/// `PT1H`, `P1D`; other durations in the largest whole unit).
pub fn iso8601(d: Interval) -> String {
    let ms = d.as_millis();
    let (s, m, h, day) = (1000, 60_000, 3_600_000, 86_400_000);
    match ms {
        0 => "PT0S".to_owned(),
        _ if ms.is_multiple_of(day) => format!("P{}D", ms / day),
        _ if ms.is_multiple_of(h) => format!("PT{}H", ms / h),
        _ if ms.is_multiple_of(m) => format!("PT{}M", ms / m),
        _ if ms.is_multiple_of(s) => format!("PT{}S", ms / s),
        _ => format!("PT{}.{:03}S", ms / s, ms % s),
    }
}

/// The Azure CLI's spelling of a window or frequency (`1m`, `5m`, `1h`,
/// `1d`), which it turns into the ISO 8601 value above.
pub fn az_duration(d: Interval) -> String {
    let ms = d.as_millis();
    let (m, h, day) = (60_000, 3_600_000, 86_400_000);
    match ms {
        _ if ms != 0 && ms.is_multiple_of(day) => format!("{}d", ms / day),
        _ if ms != 0 && ms.is_multiple_of(h) => format!("{}h", ms / h),
        _ if ms != 0 && ms.is_multiple_of(m) => format!("{}m", ms / m),
        _ => format!("{}s", ms / 1000),
    }
}

/// A `for` no window equals: the allowed windows on either side.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NoWindow {
    /// The longest allowed window shorter than the duration.
    pub below: Option<Interval>,
    /// The shortest allowed window longer than the duration.
    pub above: Option<Interval>,
}

/// The window of a threshold sustained for `sustained`: `0s` (at once) is
/// the shortest window, one minute; anything else must be one of
/// [`WINDOWS`].
pub fn window_for(sustained: Interval) -> Result<Interval, NoWindow> {
    if sustained == Interval::ZERO {
        return Ok(WINDOWS[0]);
    }
    if WINDOWS.contains(&sustained) {
        return Ok(sustained);
    }
    Err(NoWindow {
        below: WINDOWS.iter().rev().find(|w| **w < sustained).copied(),
        above: WINDOWS.iter().find(|w| **w > sustained).copied(),
    })
}

/// The window of a threshold that fires at once (`for: 0s`): the shortest,
/// one minute, or the plan's evaluation frequency when that is longer (a
/// window is never shorter than the frequency); `None` for a sustained
/// threshold, whose window is its `for`.
pub fn at_once_window(alerts: &AzureAlerts, sustained: Interval) -> Option<Interval> {
    if sustained != Interval::ZERO {
        return None;
    }
    Some(
        alerts
            .evaluation_frequency
            .filter(|f| FREQUENCIES.contains(f))
            .map_or(WINDOWS[0], |f| f.max(WINDOWS[0])),
    )
}

/// The evaluation frequency pgplan derives for a window: every minute up
/// to 15-minute windows, then coarser (a day-long window is evaluated
/// hourly).
pub fn derived_frequency(window: Interval) -> Interval {
    let m = Interval::minutes;
    if window <= m(15) {
        m(1)
    } else if window <= Interval::hours(1) {
        m(5)
    } else if window <= Interval::hours(6) {
        m(15)
    } else if window <= Interval::hours(12) {
        m(30)
    } else {
        Interval::hours(1)
    }
}

/// The evaluation frequency of an alert with this window: the plan's, or
/// [`derived_frequency`].
pub fn frequency(alerts: &AzureAlerts, window: Interval) -> Interval {
    alerts
        .evaluation_frequency
        .unwrap_or_else(|| derived_frequency(window))
}

/// How a metric's samples in the window are combined.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Aggregation {
    /// The mean.
    Average,
    /// The smallest sample.
    Minimum,
    /// The largest sample.
    Maximum,
    /// The sum.
    Total,
}

impl Aggregation {
    /// ARM's name (`timeAggregation`).
    pub fn api(self) -> &'static str {
        match self {
            Aggregation::Average => "Average",
            Aggregation::Minimum => "Minimum",
            Aggregation::Maximum => "Maximum",
            Aggregation::Total => "Total",
        }
    }
    /// The Azure CLI's word in `--condition` (`avg`, `min`, `max`, `total`).
    pub fn az(self) -> &'static str {
        match self {
            Aggregation::Average => "avg",
            Aggregation::Minimum => "min",
            Aggregation::Maximum => "max",
            Aggregation::Total => "total",
        }
    }
}

/// The Flexible Server metrics pgplan alerts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Metric {
    /// `cpu_percent`.
    CpuPercent,
    /// `memory_percent`.
    MemoryPercent,
    /// `storage_percent` (the server turns read-only near 95 %).
    StoragePercent,
    /// `active_connections`: every backend in pg_stat_activity.
    ActiveConnections,
    /// `connections_failed` (total only).
    ConnectionsFailed,
    /// `physical_replication_delay_in_seconds`, emitted on a read replica only.
    ReplicationDelaySeconds,
    /// `longest_query_time_sec`: the age of the longest running query
    /// (maximum only; needs [`DATABASE_ACTIVITY_PARAMETER`] on).
    LongestQuerySeconds,
}

impl Metric {
    /// The metric's REST name (case matters).
    pub fn name(self) -> &'static str {
        match self {
            Metric::CpuPercent => "cpu_percent",
            Metric::MemoryPercent => "memory_percent",
            Metric::StoragePercent => "storage_percent",
            Metric::ActiveConnections => "active_connections",
            Metric::ConnectionsFailed => "connections_failed",
            Metric::ReplicationDelaySeconds => "physical_replication_delay_in_seconds",
            Metric::LongestQuerySeconds => "longest_query_time_sec",
        }
    }
    /// The aggregations Azure offers for it.
    pub fn aggregations(self) -> &'static [Aggregation] {
        use Aggregation::*;
        match self {
            Metric::ConnectionsFailed => &[Total],
            Metric::LongestQuerySeconds => &[Maximum],
            _ => &[Average, Minimum, Maximum],
        }
    }
    /// The aggregation that says "stayed above for the window" (minimum)
    /// or, at once, "went above in the last minute" (maximum), where the
    /// metric offers it.
    pub fn aggregation_for(self, sustained: Interval) -> Aggregation {
        let offered = self.aggregations();
        let wanted = if sustained == Interval::ZERO {
            Aggregation::Maximum
        } else {
            Aggregation::Minimum
        };
        if offered.contains(&wanted) {
            wanted
        } else {
            offered[0]
        }
    }
}

/// One metric alert a plan gets.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedAlert {
    /// The part of the alert's name after the server's (`cpu`).
    pub key: &'static str,
    /// The server it watches (the primary, or a read replica).
    pub server: String,
    /// The plan field it comes from (`monitoring.thresholds.cpu`).
    pub field: &'static str,
    /// The metric.
    pub metric: Metric,
    /// How the window's samples are combined.
    pub aggregation: Aggregation,
    /// Fires when the aggregate is greater than this, in the metric's unit
    /// (percent, connections, seconds).
    pub threshold: f64,
    /// The window (`windowSize`).
    pub window: Interval,
    /// The evaluation frequency.
    pub frequency: Interval,
    /// One line for people (the alert's description).
    pub description: String,
}

impl PlannedAlert {
    /// The alert rule's name: `<server>-<key>`.
    pub fn name(&self) -> String {
        format!("{}-{}", self.server, self.key)
    }
}

/// A number as the alert writes it: whole numbers without a fraction.
pub fn number(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

fn seconds(d: Interval) -> f64 {
    d.as_millis() as f64 / 1000.0
}

/// When the plan sets [`DATABASE_ACTIVITY_PARAMETER`] off: Azure then has
/// no metric for query duration, and no slow-query alert renders.
pub fn database_activity_off(plan: &Plan) -> bool {
    plan.tuning
        .parameters
        .iter()
        .find(|(name, _)| {
            name.as_str()
                .eq_ignore_ascii_case(DATABASE_ACTIVITY_PARAMETER)
        })
        .is_some_and(|(_, value)| crate::catalog::parse_bool(value.as_str()) == Some(false))
}

/// The alerts an Azure plan's thresholds become, in a fixed order: CPU,
/// memory, storage, connections (the plan's threshold, or 80 % of
/// max_connections), failed connections, the longest running query (unless
/// [`DATABASE_ACTIVITY_PARAMETER`] is off), then the replication lag of each
/// read replica. Empty for other platforms.
///
/// Windows and frequencies are the plan's when Azure takes them (rule
/// PGP176 refuses plans whose are not); on a plan that does not validate
/// a `for` between two windows takes the longer one.
pub fn planned_alerts(plan: &Plan, settings: &Settings) -> Vec<PlannedAlert> {
    let Some(az) = plan.platform.azure() else {
        return Vec::new();
    };
    let t = &plan.monitoring.thresholds;
    let primary = az.server_name.as_str();
    let mut out = Vec::new();
    let mut push = |key: &'static str,
                    server: &str,
                    field: &'static str,
                    metric: Metric,
                    threshold: f64,
                    sustained: Interval,
                    what: String| {
        let window = at_once_window(&az.alerts, sustained).unwrap_or_else(|| {
            window_for(sustained).unwrap_or_else(|n| n.above.or(n.below).unwrap_or(WINDOWS[0]))
        });
        let when = if sustained == Interval::ZERO {
            "at once".to_owned()
        } else {
            format!("for {sustained}")
        };
        out.push(PlannedAlert {
            key,
            server: server.to_owned(),
            field,
            metric,
            aggregation: metric.aggregation_for(sustained),
            threshold,
            window,
            frequency: frequency(&az.alerts, window),
            description: format!("{what} {when} (pgplan: {field})"),
        });
    };
    let percent = |p: &Threshold<crate::Percent>| p.above.as_f64();
    if let Some(cpu) = &t.cpu {
        let what = format!("CPU above {}", cpu.above);
        push(
            "cpu",
            primary,
            "monitoring.thresholds.cpu",
            Metric::CpuPercent,
            percent(cpu),
            cpu.sustained,
            what,
        );
    }
    if let Some(memory) = &t.memory {
        let what = format!("memory above {}", memory.above);
        push(
            "memory",
            primary,
            "monitoring.thresholds.memory",
            Metric::MemoryPercent,
            percent(memory),
            memory.sustained,
            what,
        );
    }
    if let Some(storage) = &t.storage {
        let what = format!("storage above {}", storage.above);
        push(
            "storage",
            primary,
            "monitoring.thresholds.storage",
            Metric::StoragePercent,
            percent(storage),
            storage.sustained,
            what,
        );
    }
    if let Some(max) = settings.get(crate::tuning::params::MAX_CONNECTIONS) {
        let max = u64::from(max);
        let c = t.connections_or_derived(max);
        let what = match t.connections {
            Some(_) => format!("more than {} connections", c.above),
            None => format!(
                "more than {} connections (80 % of max_connections {max})",
                c.above
            ),
        };
        push(
            "connections",
            primary,
            "monitoring.thresholds.connections",
            Metric::ActiveConnections,
            c.above as f64,
            c.sustained,
            what,
        );
    }
    if let Some(n) = t.failed_connections_per_minute {
        // Counted over the window: one minute, or the evaluation frequency
        // when the plan sets a longer one (n a minute on average).
        let minutes =
            at_once_window(&az.alerts, Interval::ZERO).map_or(1, |w| (w.as_secs() / 60).max(1));
        let total = u64::from(n) * minutes;
        let what = if minutes == 1 {
            format!("more than {n} failed connections in a minute")
        } else {
            format!("more than {total} failed connections in {minutes} minutes ({n} a minute)")
        };
        push(
            "connections-failed",
            primary,
            "monitoring.thresholds.failed_connections_per_minute",
            Metric::ConnectionsFailed,
            total as f64,
            Interval::ZERO,
            what,
        );
    }
    if let Some(slow) = &t.slow_query
        && !database_activity_off(plan)
    {
        let what = format!("a query running longer than {}", slow.above);
        push(
            "longest-query",
            primary,
            "monitoring.thresholds.slow_query",
            Metric::LongestQuerySeconds,
            seconds(slow.above),
            slow.sustained,
            what,
        );
    }
    if let Some(lag) = &t.replication_lag {
        for replica in &plan.topology.replicas {
            let what = format!("replication lag of {} above {}", replica.name, lag.above);
            push(
                "replication-lag",
                replica.name.as_str(),
                "monitoring.thresholds.replication_lag",
                Metric::ReplicationDelaySeconds,
                seconds(lag.above),
                lag.sustained,
                what,
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_and_az_spellings() {
        let m = Interval::minutes;
        assert_eq!(iso8601(m(1)), "PT1M");
        assert_eq!(iso8601(m(30)), "PT30M");
        assert_eq!(iso8601(Interval::hours(6)), "PT6H");
        assert_eq!(iso8601(Interval::days(1)), "P1D");
        assert_eq!(iso8601(Interval::millis(1500)), "PT1.500S");
        assert_eq!(az_duration(m(5)), "5m");
        assert_eq!(az_duration(Interval::hours(12)), "12h");
        assert_eq!(az_duration(Interval::days(1)), "1d");
    }

    #[test]
    fn windows_are_exact_or_refused_with_their_neighbours() {
        for w in WINDOWS {
            assert_eq!(window_for(w), Ok(w));
        }
        let e = window_for(Interval::days(2)).unwrap_err();
        assert_eq!((e.below, e.above), (Some(Interval::days(1)), None));
        let e = window_for(Interval::seconds(30)).unwrap_err();
        assert_eq!((e.below, e.above), (None, Some(Interval::minutes(1))));
    }

    #[test]
    fn derived_frequencies_are_taken_and_never_above_the_window() {
        for w in WINDOWS {
            let f = derived_frequency(w);
            assert!(FREQUENCIES.contains(&f), "{w}: {f}");
            assert!(f <= w, "{w}: {f}");
        }
    }

    #[test]
    fn aggregations_follow_what_each_metric_offers() {
        let five = Interval::minutes(5);
        assert_eq!(
            Metric::CpuPercent.aggregation_for(five),
            Aggregation::Minimum
        );
        assert_eq!(
            Metric::CpuPercent.aggregation_for(Interval::ZERO),
            Aggregation::Maximum
        );
        assert_eq!(
            Metric::ConnectionsFailed.aggregation_for(five),
            Aggregation::Total
        );
        assert_eq!(
            Metric::LongestQuerySeconds.aggregation_for(five),
            Aggregation::Maximum
        );
        assert_eq!(number(85.0), "85");
        assert_eq!(number(0.5), "0.5");
    }
}
