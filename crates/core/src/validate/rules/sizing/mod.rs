//! Sizing: what the plan's connections and memory settings need from the
//! server, and what its CPU and memory requests ask of the platform.

mod azure_sku_sizing;
mod client_endpoint;
mod connection_budget;
mod effective_cache_size;
mod kubernetes_memory_limit;
mod memory_budget;
mod pod_range;
mod pool_size;
mod pooler_client_limit;
mod replica_connection_budget;
mod request_within_limit;
mod resource_amounts;
mod shared_buffers_size;
mod volume_size;

pub use azure_sku_sizing::AzureSkuSizing;
pub use client_endpoint::ClientEndpoint;
pub use connection_budget::ConnectionBudget;
pub use effective_cache_size::EffectiveCacheSize;
pub use kubernetes_memory_limit::KubernetesMemoryLimit;
pub use memory_budget::MemoryBudget;
pub use pod_range::PodRangeOrder;
pub use pool_size::PoolSize;
pub use pooler_client_limit::PoolerClientLimit;
pub use replica_connection_budget::ReplicaConnectionBudget;
pub use request_within_limit::RequestWithinLimit;
pub use resource_amounts::ResourceAmounts;
pub use shared_buffers_size::SharedBuffersSize;
pub use volume_size::VolumeSize;

use crate::catalog::format_number;
use crate::validate::Context;
use crate::{Bytes, Platform};

const MIB: u64 = 1024 * 1024;

/// `part` as a percentage of `whole`.
fn percent_of(part: Bytes, whole: Bytes) -> f64 {
    part.as_u64() as f64 * 100.0 / whole.as_u64().max(1) as f64
}

/// A percentage for messages: at most two decimals, no trailing zeros.
fn percent_text(p: f64) -> String {
    format_number((p * 100.0).round() / 100.0)
}

/// `percent` % of `ram`, rounded down to whole MiB (8 kB pages below 1 MiB).
fn share_floor(ram: Bytes, percent: u64) -> Bytes {
    let exact = u128::from(ram.as_u64()) * u128::from(percent) / 100;
    let b = Bytes::new(u64::try_from(exact).unwrap_or(u64::MAX));
    if b.as_u64() >= MIB {
        b.round_down_to(MIB)
    } else {
        b.round_down_to(8192)
    }
}

/// `percent` % of `ram`, rounded up to whole MiB.
fn share_ceil(ram: Bytes, percent: u64) -> Bytes {
    let exact = (u128::from(ram.as_u64()) * u128::from(percent)).div_ceil(100);
    let mib = exact.div_ceil(u128::from(MIB));
    Bytes::new(u64::try_from(mib * u128::from(MIB)).unwrap_or(u64::MAX))
}

/// The server's memory and a description of it for messages (`the 2 GiB of
/// sizing.memory.limit`, `the 16 GiB of Standard_D4s_v3
/// (platform.azure.sku)`); `None` when the plan does not know it.
fn server_memory(cx: &Context<'_>) -> Option<(Bytes, String)> {
    let ram = cx.plan.memory().filter(|m| *m > Bytes::ZERO)?;
    let source = cx.plan.memory_source();
    let text = match &cx.plan.platform {
        Platform::Azure(a) => format!("the {} of {} ({source})", ram.human(), a.sku.name),
        _ => format!("the {} of {source}", ram.human()),
    };
    Some((ram, text))
}
