//! How often pgplan's derived settings equal PGTune's, over a matrix of 960
//! hardware and workload cases (5 workloads × 4 storage kinds × 8 memory
//! sizes × 6 CPU counts; version, connections and data size vary with the
//! case): the agreement per parameter and overall, and every difference
//! that pgplan does not explain.
//!
//! ```sh
//! cargo run -p pgplan-core --example pgtune_parity            # the report
//! cargo run -p pgplan-core --example pgtune_parity -- --pgtune # PGTune's output per case, one line each
//! ```

#[path = "../tests/pgtune/mod.rs"]
mod pgtune;

use std::collections::BTreeMap;

use pgtune::{Verdict, compare, matrix, pgtune, plan};

fn main() {
    let cases = matrix();
    if std::env::args().any(|a| a == "--pgtune") {
        for case in &cases {
            let line: Vec<String> = pgtune(case)
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            println!("{}", line.join(" "));
        }
        return;
    }
    let started = std::time::Instant::now();
    // parameter → (equal, explained, unexplained)
    let mut per_parameter: BTreeMap<&str, (u32, u32, u32)> = BTreeMap::new();
    let mut reasons: BTreeMap<&str, String> = BTreeMap::new();
    let mut unexplained = Vec::new();
    for case in &cases {
        let plan = plan(case);
        let expected = pgtune(case);
        let explained =
            |name: &str| pgplan_core::tuning::pgtune::deviation(name).map(|d| d.why.to_owned());
        for c in compare(&plan, &expected, explained) {
            let entry = per_parameter.entry(c.parameter).or_default();
            match c.verdict {
                Verdict::Equal => entry.0 += 1,
                Verdict::Explained(why) => {
                    entry.1 += 1;
                    reasons.entry(c.parameter).or_insert(why);
                }
                Verdict::Unexplained => {
                    entry.2 += 1;
                    unexplained.push(format!(
                        "{case:?}: {} PGTune {} pgplan {}",
                        c.parameter, c.pgtune, c.pgplan
                    ));
                }
            }
        }
    }
    let (mut equal, mut explained, mut other) = (0u32, 0u32, 0u32);
    println!(
        "{:<34} {:>6} {:>10} {:>12}",
        "parameter", "equal", "explained", "unexplained"
    );
    for (name, (e, x, u)) in &per_parameter {
        println!("{name:<34} {e:>6} {x:>10} {u:>12}");
        equal += e;
        explained += x;
        other += u;
    }
    let total = equal + explained + other;
    println!(
        "\n{} cases, {total} (case, parameter) pairs: {equal} equal ({:.1} %), {explained} different for a stated reason ({:.1} %), {other} unexplained",
        cases.len(),
        f64::from(equal) * 100.0 / f64::from(total),
        f64::from(explained) * 100.0 / f64::from(total),
    );
    println!("derived in {:?}", started.elapsed());
    if !reasons.is_empty() {
        println!("\nstated reasons:");
        for (name, why) in &reasons {
            println!("  {name}: {why}");
        }
    }
    for line in unexplained.iter().take(20) {
        println!("unexplained: {line}");
    }
}
