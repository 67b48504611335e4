//! Renders 1,000 plans to Kubernetes YAML and reports the time taken.
//!
//! The plans are the repository's Kubernetes example plans, each varied 1,000
//! / N times (service name, CPU, memory, volume sizes, read replicas), so
//! every render is a different plan. They are validated before the clock
//! starts: the time is rendering and YAML only. Run it with:
//!
//! ```sh
//! cargo run --release -p pgplan-k8s --example bench_k8s_render
//! /usr/bin/time -v target/release/examples/bench_k8s_render   # peak memory
//! ```

use std::path::Path;
use std::time::Instant;

use pgplan_core::{Bytes, Millicores, Plan, ReadReplica, Resources, ValidPlan};
use pgplan_k8s::{RenderOptions, render_files};

const PLANS: usize = 1_000;

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/plans");
    let mut bases: Vec<Plan> = Vec::new();
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    entries.sort();
    for path in entries {
        let text =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let plan = Plan::from_yaml(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        if plan.platform.kubernetes().is_some() {
            bases.push(plan);
        }
    }
    assert!(
        !bases.is_empty(),
        "no Kubernetes plans in {}",
        dir.display()
    );

    // Build and validate the plans first: the timing covers rendering and
    // YAML only.
    let plans: Vec<ValidPlan> = (0..PLANS)
        .map(|i| {
            let mut p = bases[i % bases.len()].clone();
            p.service = format!("bench-{i}").parse().expect("a DNS label");
            let step = u32::try_from(i % 16).unwrap_or(0);
            p.sizing.cpu = Some(Resources {
                request: Millicores::new(250 + 250 * step),
                limit: Some(Millicores::new(500 + 500 * step)),
            });
            p.sizing.memory = Some(Resources {
                request: Bytes::mib(512 * (1 + u64::from(step))),
                limit: Some(Bytes::gib(1 + u64::from(step))),
            });
            p.sizing.data_volume = Some(Bytes::gib(10 + i as u64 % 500));
            p.topology.replicas = (0..i % 3)
                .map(|r| {
                    ReadReplica::builder()
                        .name(format!("read-{r}").parse().expect("a DNS label"))
                        .build()
                })
                .collect();
            p.validate()
                .unwrap_or_else(|report| panic!("{}:\n{report}", p.service))
        })
        .collect();
    let opts = RenderOptions {
        init_script: Some(pgplan_core::seams::InitScript {
            sql: "CREATE SCHEMA IF NOT EXISTS app;\n".into(),
            passwords_to_set: vec![],
        }),
        ..RenderOptions::default()
    };

    let started = Instant::now();
    let mut bytes = 0usize;
    for plan in &plans {
        let files = render_files(plan, &opts).unwrap_or_else(|e| panic!("{}: {e}", plan.service));
        bytes += files.values().map(String::len).sum::<usize>();
    }
    let elapsed = started.elapsed();
    println!(
        "rendered {PLANS} plans to Kubernetes YAML in {:.1} ms ({:.1} µs per plan, {:.1} MB of YAML)",
        elapsed.as_secs_f64() * 1e3,
        elapsed.as_secs_f64() * 1e6 / PLANS as f64,
        bytes as f64 / 1e6
    );
}
