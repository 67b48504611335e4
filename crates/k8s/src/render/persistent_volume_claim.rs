//! The backup volume (seed 000's CronJob mounted a claim nobody defined).

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{
    PersistentVolumeClaim, PersistentVolumeClaimSpec, VolumeResourceRequirements,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use pgplan_core::BackupDestination;

use crate::context::Ctx;
use crate::labels::COMPONENT_BACKUP;
use crate::object::Object;

/// The claim, when a logical backup writes to a volume (validation makes
/// sure the plan sizes it: PGP071).
pub(crate) fn backup(ctx: &Ctx<'_>) -> Option<Object> {
    let uses_volume = ctx
        .plan
        .backups
        .logical
        .iter()
        .any(|b| b.destination == BackupDestination::Volume);
    if !uses_volume {
        return None;
    }
    let size = ctx.plan.sizing.backup_volume?;
    Some(Object::PersistentVolumeClaim(PersistentVolumeClaim {
        metadata: ctx.labels.meta(
            &ctx.names.backup_pvc,
            ctx.labels.with_component(COMPONENT_BACKUP),
        ),
        spec: Some(PersistentVolumeClaimSpec {
            access_modes: Some(vec!["ReadWriteOnce".into()]),
            storage_class_name: ctx.k8s.storage_class.as_ref().map(ToString::to_string),
            resources: Some(VolumeResourceRequirements {
                requests: Some(BTreeMap::from([(
                    "storage".to_owned(),
                    Quantity(size.to_kubernetes()),
                )])),
                limits: None,
            }),
            ..PersistentVolumeClaimSpec::default()
        }),
        ..PersistentVolumeClaim::default()
    }))
}
