//! Renders 1,000 Azure plans (variations of the seed 001 plan: server names,
//! SKUs, storage, replicas, databases) to operations JSON and an `az` script,
//! and prints how long it took.
//!
//! Run: `cargo run --release -p pgplan-azure --example bench_azure_render`
//! (an optional argument sets the number of plans).

use std::time::Instant;

use pgplan_core::{AzureSku, Bytes, Plan, SkuTier};

const SEED: &str = include_str!("../../../examples/plans/prod-bill-inquiry.yaml");

fn variations(base: &Plan, count: usize) -> Result<Vec<Plan>, pgplan_core::NameError> {
    const SKUS: [(SkuTier, &str); 6] = [
        (SkuTier::GeneralPurpose, "Standard_D2s_v3"),
        (SkuTier::GeneralPurpose, "Standard_D4s_v3"),
        (SkuTier::GeneralPurpose, "Standard_D8ds_v5"),
        (SkuTier::MemoryOptimized, "Standard_E4ds_v5"),
        (SkuTier::MemoryOptimized, "Standard_E16ds_v5"),
        (SkuTier::GeneralPurpose, "Standard_D16ds_v4"),
    ];
    const SIZES: [u64; 5] = [64, 128, 256, 512, 1024];
    (0..count)
        .map(|i| -> Result<Plan, pgplan_core::NameError> {
            let mut plan = base.clone();
            let (tier, name) = SKUS[i % SKUS.len()];
            let sku = AzureSku::builder().tier(tier).name(name.parse()?).build();
            if let pgplan_core::Platform::Azure(az) = &mut plan.platform {
                az.server_name = format!("bench-{i:04}-pg").parse()?;
                az.sku = sku.clone();
                az.storage.size = Bytes::gib(SIZES[i % SIZES.len()]);
            }
            for (r, replica) in plan.topology.replicas.iter_mut().enumerate() {
                replica.name = format!("bench-{i:04}-pg-replica-{r}").parse()?;
                replica.sku = Some(sku.clone());
                replica.storage = Some(Bytes::gib(SIZES[i % SIZES.len()]));
            }
            plan.version =
                pgplan_core::MajorVersion::new(14 + (i % 4) as u16).unwrap_or(plan.version);
            Ok(plan)
        })
        .collect()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let count: usize = std::env::args()
        .nth(1)
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or(1000);
    let base = Plan::from_yaml(SEED)?;
    // Validation is the gate renderers sit behind; it is measured by the
    // workspace's bench_validate, not here.
    let plans = variations(&base, count)?
        .iter()
        .map(Plan::validate)
        .collect::<Result<Vec<_>, _>>()?;

    let started = Instant::now();
    let mut operations = 0usize;
    let mut bytes = 0usize;
    for plan in &plans {
        let ops = pgplan_azure::render_operations(plan)?;
        operations += ops.len();
        let files = pgplan_azure::render_files(plan)?;
        bytes += files.values().map(String::len).sum::<usize>();
    }
    let elapsed = started.elapsed();
    println!(
        "rendered {count} Azure plans ({operations} operations, {:.1} MB of JSON and scripts) in {:.3} s: {:.3} ms per plan",
        bytes as f64 / 1e6,
        elapsed.as_secs_f64(),
        elapsed.as_secs_f64() * 1000.0 / count.max(1) as f64
    );
    Ok(())
}
