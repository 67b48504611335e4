//! Monitoring: the exporter and alert thresholds.

use super::{at, builder};
use crate::model::input::Input;
use crate::model::monitoring::{Exporter, Monitoring, Threshold};
use crate::model::platform::ContainerImage;
use crate::model::units::{Interval, Percent};

/// An alert threshold being written: `above(85.pct())`, optionally
/// `.sustained_for(5.minutes())`.
#[derive(Debug, Clone)]
pub struct ThresholdInput<I> {
    above: I,
    sustained: Option<Result<Interval, String>>,
}

/// Fire when the value stays above `limit` (at once, unless
/// [`ThresholdInput::sustained_for`] says for how long).
pub fn above<I>(limit: I) -> ThresholdInput<I> {
    ThresholdInput {
        above: limit,
        sustained: None,
    }
}

impl<I> ThresholdInput<I> {
    /// How long the value must stay above the limit.
    pub fn sustained_for(mut self, d: impl Input<Interval>) -> Self {
        self.sustained = Some(d.into_value());
        self
    }
}

impl<T, I: Input<T>> Input<Threshold<T>> for ThresholdInput<I> {
    fn into_value(self) -> Result<Threshold<T>, String> {
        Ok(Threshold {
            above: self.above.into_value()?,
            sustained: self.sustained.transpose()?.unwrap_or(Interval::ZERO),
        })
    }
}

builder!(
    /// `monitoring:` the exporter and alert thresholds.
    MonitoringBuilder => Monitoring
);

impl MonitoringBuilder {
    /// The postgres_exporter sidecar, with pgplan's defaults until changed.
    pub fn exporter(mut self, f: impl FnOnce(ExporterBuilder) -> ExporterBuilder) -> Self {
        let exporter = self.value.exporter.take().unwrap_or(Exporter {
            image: None,
            port: 9187,
            connections: 1,
        });
        self.value.exporter = Some(super::nest(
            &mut self.problems,
            at("exporter"),
            exporter,
            ExporterBuilder::from_value,
            f,
            ExporterBuilder::finish,
        ));
        self
    }
    /// CPU use alert: `above(85.pct()).sustained_for(5.minutes())`.
    pub fn cpu<I: Input<Percent>>(self, t: ThresholdInput<I>) -> Self {
        self.set("thresholds", t, |m, v| m.thresholds.cpu = Some(v))
    }
    /// Memory use alert.
    pub fn memory<I: Input<Percent>>(self, t: ThresholdInput<I>) -> Self {
        self.set("thresholds", t, |m, v| m.thresholds.memory = Some(v))
    }
    /// Storage use alert.
    pub fn storage<I: Input<Percent>>(self, t: ThresholdInput<I>) -> Self {
        self.set("thresholds", t, |m, v| m.thresholds.storage = Some(v))
    }
    /// Open connections alert; derived from max_connections (80 %) when unset.
    pub fn connections<I: Input<u32>>(self, t: ThresholdInput<I>) -> Self {
        self.set("thresholds", t, |m, v| m.thresholds.connections = Some(v))
    }
    /// No connection alert of the plan's own (pgplan derives one).
    pub fn derived_connections_alert(mut self) -> Self {
        self.value.thresholds.connections = None;
        self
    }
    /// Statement duration alert.
    pub fn slow_query<I: Input<Interval>>(self, t: ThresholdInput<I>) -> Self {
        self.set("thresholds", t, |m, v| m.thresholds.slow_query = Some(v))
    }
    /// Replication lag alert.
    pub fn replication_lag<I: Input<Interval>>(self, t: ThresholdInput<I>) -> Self {
        self.set("thresholds", t, |m, v| {
            m.thresholds.replication_lag = Some(v)
        })
    }
    /// Failed connection attempts per minute.
    pub fn failed_connections_per_minute(mut self, n: u32) -> Self {
        self.value.thresholds.failed_connections_per_minute = Some(n);
        self
    }
}

impl Input<u32> for u32 {
    fn into_value(self) -> Result<u32, String> {
        Ok(self)
    }
}

impl Input<u32> for i32 {
    fn into_value(self) -> Result<u32, String> {
        u32::try_from(self)
            .map_err(|_| format!("{self} is not a count (a whole number of at least 0)"))
    }
}

builder!(
    /// `monitoring.exporter`.
    ExporterBuilder => Exporter
);

impl ExporterBuilder {
    /// Its image (pgplan's pinned default when unset).
    pub fn image(self, image: impl Input<ContainerImage>) -> Self {
        self.set("image", image, |e, v| e.image = Some(v))
    }
    /// Its metrics port.
    pub fn port(mut self, port: u16) -> Self {
        self.value.port = port;
        self
    }
    /// Connections it keeps open.
    pub fn connections(mut self, n: u32) -> Self {
        self.value.connections = n;
        self
    }
}
