//! WAL sizes: min_wal_size, max_wal_size and the volume that holds WAL.

mod wal_size_order;
mod wal_volume;

pub use wal_size_order::WalSizeOrder;
pub use wal_volume::WalVolume;

use crate::Bytes;
use crate::tuning::Param;
use crate::validate::{Context, FieldPath};

/// Where a WAL size comes from: the explicit parameter, else the volume its
/// derivation is capped by, else the workload it derives from.
fn wal_size_path(cx: &Context<'_>, param: Param<Bytes>) -> FieldPath {
    if cx.settings.is_set(param) {
        cx.path_of(param)
    } else if let Some((_, volume_path)) = cx.plan.wal_volume() {
        FieldPath::from(volume_path)
    } else {
        FieldPath::from("tuning.workload")
    }
}
