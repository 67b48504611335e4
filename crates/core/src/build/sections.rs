//! Plan sections that hold values only: objectives, sizing, tuning.

use super::{builder, nest};
use crate::model::input::Input;
use crate::model::names::GucName;
use crate::model::plan::{ObjectiveDeclaration, Objectives};
use crate::model::sizing::{Resources, Sizing};
use crate::model::tuning::{ParamValue, SettingsMethod, StorageKind, Tuning, Workload};
use crate::model::units::{Bytes, Interval, Millicores, Percent};
use crate::validate::FieldPath;

builder!(
    /// `objectives:` availability, RPO, RTO and what other documents declare.
    ObjectivesBuilder => Objectives
);

impl ObjectivesBuilder {
    /// Availability target (`99.9.pct()`).
    pub fn availability(self, p: impl Input<Percent>) -> Self {
        self.set("availability", p, |o, v| o.availability = Some(v))
    }
    /// Recovery point objective: data that may be lost.
    pub fn rpo(self, d: impl Input<Interval>) -> Self {
        self.set("rpo", d, |o, v| o.rpo = Some(v))
    }
    /// Recovery time objective: time to restore service.
    pub fn rto(self, d: impl Input<Interval>) -> Self {
        self.set("rto", d, |o, v| o.rto = Some(v))
    }
    /// The same targets as another document states them (rule checks they agree).
    pub fn declared_elsewhere(
        mut self,
        source: &str,
        f: impl FnOnce(DeclarationBuilder) -> DeclarationBuilder,
    ) -> Self {
        let i = self.value.declared_elsewhere.len();
        let d = nest(
            &mut self.problems,
            FieldPath::root().field("declared_elsewhere").index(i),
            ObjectiveDeclaration {
                source: source.to_owned(),
                availability: None,
                rpo: None,
                rto: None,
            },
            DeclarationBuilder::from_value,
            f,
            DeclarationBuilder::finish,
        );
        self.value.declared_elsewhere.push(d);
        self
    }
    /// Drops what other documents declare (once they agree with the plan).
    pub fn clear_declared_elsewhere(mut self) -> Self {
        self.value.declared_elsewhere.clear();
        self
    }
}

builder!(
    /// One `objectives.declared_elsewhere` entry.
    DeclarationBuilder => ObjectiveDeclaration
);

impl DeclarationBuilder {
    /// Availability declared there.
    pub fn availability(self, p: impl Input<Percent>) -> Self {
        self.set("availability", p, |o, v| o.availability = Some(v))
    }
    /// RPO declared there.
    pub fn rpo(self, d: impl Input<Interval>) -> Self {
        self.set("rpo", d, |o, v| o.rpo = Some(v))
    }
    /// RTO declared there.
    pub fn rto(self, d: impl Input<Interval>) -> Self {
        self.set("rto", d, |o, v| o.rto = Some(v))
    }
}

builder!(
    /// `sizing:` CPU, memory and volumes.
    SizingBuilder => Sizing
);

impl SizingBuilder {
    /// CPU request and limit (`500.millicores(), 1.cores()`).
    pub fn cpu(mut self, request: impl Input<Millicores>, limit: impl Input<Millicores>) -> Self {
        let r = self
            .problems
            .read(FieldPath::root().field("cpu").field("request"), request);
        let l = self
            .problems
            .read(FieldPath::root().field("cpu").field("limit"), limit);
        if let (Some(request), Some(limit)) = (r, l) {
            self.value.cpu = Some(Resources {
                request,
                limit: Some(limit),
            });
        }
        self
    }
    /// A CPU request without a limit.
    pub fn cpu_request(self, request: impl Input<Millicores>) -> Self {
        self.set("cpu", request, |s, request| {
            s.cpu = Some(Resources {
                request,
                limit: None,
            })
        })
    }
    /// Memory request and limit (`1.gib(), 2.gib()`).
    pub fn memory(mut self, request: impl Input<Bytes>, limit: impl Input<Bytes>) -> Self {
        let r = self
            .problems
            .read(FieldPath::root().field("memory").field("request"), request);
        let l = self
            .problems
            .read(FieldPath::root().field("memory").field("limit"), limit);
        if let (Some(request), Some(limit)) = (r, l) {
            self.value.memory = Some(Resources {
                request,
                limit: Some(limit),
            });
        }
        self
    }
    /// A memory request without a limit.
    pub fn memory_request(self, request: impl Input<Bytes>) -> Self {
        self.set("memory", request, |s, request| {
            s.memory = Some(Resources {
                request,
                limit: None,
            })
        })
    }
    /// The data volume.
    pub fn data_volume(self, b: impl Input<Bytes>) -> Self {
        self.set("data_volume", b, |s, v| s.data_volume = Some(v))
    }
    /// A separate WAL volume.
    pub fn wal_volume(self, b: impl Input<Bytes>) -> Self {
        self.set("wal_volume", b, |s, v| s.wal_volume = Some(v))
    }
    /// The volume logical dumps go to.
    pub fn backup_volume(self, b: impl Input<Bytes>) -> Self {
        self.set("backup_volume", b, |s, v| s.backup_volume = Some(v))
    }
}

builder!(
    /// `tuning:` workload, storage, settings method and explicit parameters.
    TuningBuilder => Tuning
);

impl TuningBuilder {
    /// The workload the server is tuned for.
    pub fn workload(mut self, w: Workload) -> Self {
        self.value.workload = w;
        self
    }
    /// The kind of storage under the data directory.
    pub fn storage(mut self, s: StorageKind) -> Self {
        self.value.storage = s;
        self
    }
    /// How settings reach the server (the platform's own way when unset).
    pub fn method(mut self, m: SettingsMethod) -> Self {
        self.value.method = Some(m);
        self
    }
    /// Back to the platform's own way of setting parameters.
    pub fn platform_method(mut self) -> Self {
        self.value.method = None;
        self
    }
    /// An explicit parameter (`"work_mem", "64MB"`; numbers and booleans too).
    pub fn parameter(mut self, name: &str, value: impl Into<ParamValue>) -> Self {
        let path = FieldPath::root().field("parameters").key(name);
        let value: ParamValue = value.into();
        if let Some(problem) = value.problem() {
            self.problems.push(path, problem);
        } else if let Some(name) = self.problems.read::<GucName>(path, name) {
            self.value.parameters.insert(name, value);
        }
        self
    }
    /// Several explicit parameters.
    pub fn parameters<V: Into<ParamValue>>(
        mut self,
        params: impl IntoIterator<Item = (&'static str, V)>,
    ) -> Self {
        for (name, value) in params {
            self = self.parameter(name, value);
        }
        self
    }
    /// Removes an explicit parameter (pgplan derives it again).
    pub fn remove_parameter(mut self, name: &str) -> Self {
        self.value.parameters.retain(|k, _| k.as_str() != name);
        self
    }
    /// Keeps only these explicit parameters; pgplan derives the rest.
    pub fn keep_only<'a>(mut self, names: impl IntoIterator<Item = &'a str>) -> Self {
        let keep: Vec<&str> = names.into_iter().collect();
        self.value
            .parameters
            .retain(|k, _| keep.contains(&k.as_str()));
        self
    }
}

impl Default for crate::model::clients::Pooler {
    fn default() -> Self {
        crate::model::clients::Pooler {
            mode: Default::default(),
            instances: 1,
            max_client_connections: 0,
            default_pool_size: 0,
            reserve_pool_size: 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::build::Literals;

    #[test]
    fn sizes_and_problems() {
        let (s, p) = SizingBuilder::from_value(Sizing::default())
            .cpu(500.millicores(), 1.cores())
            .memory((-1).gib(), 2.gib())
            .data_volume("20 parsecs")
            .finish();
        assert_eq!(s.cpu.unwrap().limit, Some(Millicores::cores(1)));
        let paths: Vec<String> = p.0.iter().map(|(p, _)| p.to_string()).collect();
        assert_eq!(paths, ["memory.request", "data_volume"]);
    }
}
