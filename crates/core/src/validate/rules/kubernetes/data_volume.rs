//! PGP104 kubernetes-data-volume: the size of the data volume.

use super::common::kubernetes;
use crate::model::units::Bytes;
use crate::validate::{Context, FieldPath, Findings, Rule, RuleInfo};

/// PGP104.
pub struct KubernetesDataVolume;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP104",
    name: "kubernetes-data-volume",
    summary: "a plan on Kubernetes sets sizing.data_volume, the size of the server's persistent volume",
    rationale: "The StatefulSet keeps the data directory on a PersistentVolumeClaim, and a claim needs a size: without one there is no claim the API server accepts, and data kept in the pod instead is lost the first time the pod is rescheduled.",
    examples: crate::rule_examples!("PGP104-kubernetes-data-volume"),
    replaces: &[],
};

impl Rule for KubernetesDataVolume {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        if kubernetes(cx).is_none() || cx.plan.sizing.data_volume.is_some() {
            return;
        }
        let estimated = cx
            .plan
            .databases
            .iter()
            .filter_map(|d| d.estimated_size)
            .fold(Bytes::ZERO, Bytes::saturating_add);
        let help = if estimated > Bytes::ZERO {
            // Twice the estimate, in whole GiB: room to grow, vacuum and WAL.
            let room =
                Bytes::gib(estimated.as_u64().div_ceil(Bytes::gib(1).as_u64())).saturating_mul(2);
            format!(
                "set sizing.data_volume to a size with room to grow: the databases' estimated sizes add up to {}, so for example `data_volume: {}`",
                estimated.to_kubernetes(),
                room.to_kubernetes()
            )
        } else {
            "set sizing.data_volume, e.g. `data_volume: 20Gi`".to_owned()
        };
        out.error(
            FieldPath::root().field("sizing").field("data_volume"),
            "the plan sets no data volume size: the StatefulSet's volume claim template needs one, and without a claim the data would live in the pod and be lost when it is rescheduled",
            help,
        );
    }
}
