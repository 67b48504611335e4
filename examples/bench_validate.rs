//! Times `Plan::validate` (derive every setting, then run every rule) over 1,000 varied plans: `cargo run --release --example bench_validate [ITERATIONS]`.
//!
//! The plans come from `pgplan_core::strategies` with proptest's fixed-seed
//! runner, so every run validates the same 1,000 plans: three quarters are
//! realistic (most pass), a quarter are drawn from the whole model (extreme
//! sizes, invalid parameters, dangling names: most have many errors). The
//! output gives the minimum and median time per 1,000 plans and per plan over
//! ITERATIONS runs (default 30), and how much of it is the settings
//! derivation alone.

use std::collections::BTreeMap;
use std::hint::black_box;
use std::time::{Duration, Instant};

use pgplan_core::Plan;
use pgplan_core::strategies::{plan, reasonable_plan};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;

const PLANS: usize = 1_000;

/// 1,000 plans, the same on every run.
fn generate() -> Vec<Plan> {
    let strategy = prop_oneof![3 => reasonable_plan(), 1 => plan()];
    let mut runner = TestRunner::deterministic();
    (0..PLANS)
        .map(|_| strategy.new_tree(&mut runner).expect("the strategies always produce a plan").current())
        .collect()
}

/// Runs `work` over every plan `iterations` times; the sorted times per run.
fn time(plans: &[Plan], iterations: usize, work: impl Fn(&Plan) -> usize) -> Vec<Duration> {
    let mut times: Vec<Duration> = (0..iterations)
        .map(|_| {
            let start = Instant::now();
            let mut total = 0;
            for plan in plans {
                total += work(black_box(plan));
            }
            black_box(total);
            start.elapsed()
        })
        .collect();
    times.sort();
    times
}

fn report(what: &str, times: &[Duration]) {
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let per_plan_us = |d: Duration| d.as_secs_f64() * 1e6 / PLANS as f64;
    let (min, median) = (times[0], times[times.len() / 2]);
    println!(
        "{what:<22} min {:>7.2} ms   median {:>7.2} ms per {PLANS} plans   ({:.1} µs / {:.1} µs per plan)",
        ms(min),
        ms(median),
        per_plan_us(min),
        per_plan_us(median),
    );
}

fn main() {
    let iterations: usize =
        std::env::args().nth(1).and_then(|a| a.parse().ok()).filter(|n| *n > 0).unwrap_or(30);

    let plans = generate();
    let mut platforms: BTreeMap<&str, usize> = BTreeMap::new();
    let (mut patroni, mut replicas, mut with_errors, mut diagnostics) = (0, 0, 0, 0);
    for plan in &plans {
        *platforms.entry(plan.platform.kind()).or_default() += 1;
        patroni += usize::from(plan.topology.patroni.is_some());
        replicas += usize::from(!plan.topology.replicas.is_empty());
        let report = plan.report();
        with_errors += usize::from(report.has_errors());
        diagnostics += report.len();
    }
    println!(
        "{PLANS} plans (fixed seed): {platforms:?}, {patroni} Patroni clusters, {replicas} with read replicas; {with_errors} with errors, {diagnostics} diagnostics in all"
    );
    println!("{iterations} runs each:");

    let validate = time(&plans, iterations, |p| p.report().len());
    let derive = time(&plans, iterations, |p| p.settings().len());
    report("validate (all)", &validate);
    report("  of which derivation", &derive);
}
