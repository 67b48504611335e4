//! The backup volume (seed 000's CronJob mounted a claim nobody defined).

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{
    PersistentVolumeClaim, PersistentVolumeClaimSpec, VolumeResourceRequirements,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use pgplan_core::BackupDestination;

use crate::Error;
use crate::context::Ctx;
use crate::labels::COMPONENT_BACKUP;
use crate::object::Object;

/// The claim, when a logical backup writes to a volume.
pub(crate) fn backup(ctx: &Ctx<'_>) -> Result<Option<Object>, Error> {
    let uses_volume = ctx
        .plan
        .backups
        .logical
        .iter()
        .any(|b| b.destination == BackupDestination::Volume);
    if !uses_volume {
        return Ok(None);
    }
    let size = ctx.plan.sizing.backup_volume.ok_or_else(|| {
        Error::plan(
            "sizing.backup_volume",
            "the backup CronJob writes its dumps to a volume, but the plan sets no size for it",
            "set `sizing.backup_volume` (for example 10Gi: room for the retention's dumps)",
        )
    })?;
    Ok(Some(Object::PersistentVolumeClaim(PersistentVolumeClaim {
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
    })))
}
