//! Invariants of the model, the tuning derivation and validation, checked on
//! generated plans (`pgplan_core::strategies`).
//!
//! Each property runs `PROPTEST_CASES` cases (64 when unset). A failure is
//! shrunk to a small plan, printed as YAML, and saved under
//! `proptest-regressions/` so that it is replayed first on the next run.

use std::collections::BTreeMap;

use pgplan_core::strategies::{
    azure_plan, bytes, duration, kubernetes_plan, local_plan, millicores, percent, plan,
    reasonable_plan,
};
use pgplan_core::tuning::{OrUnset, Provenance, Setting, Settings, connection_demand};
use pgplan_core::{
    Bytes, Catalog, GucName, Interval, Millicores, Percent, Plan, Platform, Workload, params,
};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{FileFailurePersistence, TestRunner};

/// Cases per property: `PROPTEST_CASES` when set, else 64.
fn config() -> ProptestConfig {
    let mut config = ProptestConfig::default();
    if std::env::var_os("PROPTEST_CASES").is_none() {
        config.cases = 64;
    }
    // Failures are kept (and replayed first) in crates/core/proptest-regressions/.
    config.failure_persistence = Some(Box::new(FileFailurePersistence::Direct(
        "proptest-regressions/properties.txt",
    )));
    config
}

/// Plans from the whole model and realistic ones, so that properties about
/// plans that pass see enough of them.
fn any_plan() -> BoxedStrategy<Plan> {
    prop_oneof![plan(), reasonable_plan()].boxed()
}

/// The plan as YAML, for failure messages.
fn show(plan: &Plan) -> String {
    plan.to_yaml()
        .unwrap_or_else(|e| format!("{plan:#?}\n(cannot write YAML: {e})"))
}

fn settings_of(plan: &Plan) -> Settings {
    plan.settings()
}

/// The server memory a configuration can take at once: shared_buffers +
/// max_connections × work_mem + maintenance_work_mem + autovacuum workers ×
/// their memory + wal_buffers, resolving `-1` the way the server does.
/// `None` when a value cannot be read.
fn memory_budget(s: &Settings) -> Option<Bytes> {
    let shared_buffers = s.get(params::SHARED_BUFFERS)?;
    let work_mem = s.get(params::WORK_MEM)?;
    let connections = u64::from(s.get(params::MAX_CONNECTIONS)?);
    let maintenance = s.get(params::MAINTENANCE_WORK_MEM)?;
    let workers = u64::from(s.get(params::AUTOVACUUM_MAX_WORKERS)?);
    let autovacuum = match s.get(params::AUTOVACUUM_WORK_MEM)? {
        OrUnset::Unset => maintenance,
        OrUnset::Value(b) => b,
    };
    let wal_buffers = match s.get(params::WAL_BUFFERS)? {
        // 1/32 of shared_buffers, at least 8 pages, at most one 16MB segment.
        OrUnset::Unset => Bytes::new(shared_buffers.as_u64() / 32)
            .round_down_to(8192)
            .clamp(Bytes::kib(64), Bytes::mib(16)),
        OrUnset::Value(b) => b,
    };
    Some(
        shared_buffers
            .saturating_add(work_mem.saturating_mul(connections))
            .saturating_add(maintenance)
            .saturating_add(autovacuum.saturating_mul(workers))
            .saturating_add(wal_buffers),
    )
}

fn with_max_connections(plan: &Plan, n: u64) -> Plan {
    let mut p = plan.clone();
    p.tuning.parameters.insert(
        GucName::new("max_connections").expect("a valid name"),
        n.to_string().into(),
    );
    p
}

fn connection_budget_errors(plan: &Plan) -> usize {
    plan.report().by_id("PGP001").count()
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn validation_never_panics(plan in plan()) {
        let _ = plan.report();
    }

    #[test]
    fn validation_never_panics_on_any_platform(
        plan in prop_oneof![kubernetes_plan(), azure_plan(), local_plan()]
    ) {
        let _ = plan.report();
    }

    #[test]
    fn validation_never_panics_on_reasonable_plans(plan in reasonable_plan()) {
        let _ = plan.report();
    }

    #[test]
    fn validation_is_deterministic(plan in any_plan()) {
        let first = plan.report();
        prop_assert_eq!(&first, &plan.report());
        prop_assert_eq!(&first, &plan.clone().report());
        let settings: Vec<Setting> = settings_of(&plan).iter().cloned().collect();
        let again: Vec<Setting> = settings_of(&plan).iter().cloned().collect();
        prop_assert_eq!(settings, again);
    }

    #[test]
    fn a_plan_without_errors_fits_its_connection_budget(plan in any_plan()) {
        let report = plan.report();
        if report.has_errors() {
            return Ok(());
        }
        let settings = settings_of(&plan);
        let demand = connection_demand(&plan).total();
        let reserved = u64::from(settings.reserved_connections());
        let max_connections = settings.get(params::MAX_CONNECTIONS);
        prop_assert!(
            max_connections.is_some(),
            "max_connections `{:?}` cannot be read, yet validation found no error\n{}\n{}",
            settings.setting(params::MAX_CONNECTIONS).map(|s| s.value), report, show(&plan)
        );
        let max_connections = max_connections.unwrap_or_default();
        prop_assert!(
            i128::from(demand) + i128::from(reserved) <= i128::from(max_connections),
            "{demand} connections at peak + {reserved} reserved > max_connections {max_connections}, yet validation found no error\n{}\n{}",
            report, show(&plan)
        );
    }

    #[test]
    fn a_plan_without_errors_fits_its_memory(plan in any_plan()) {
        let Some(ram) = plan.memory() else {
            return Ok(());
        };
        let report = plan.report();
        if report.has_errors() {
            return Ok(());
        }
        let settings = settings_of(&plan);
        let budget = memory_budget(&settings);
        prop_assert!(
            budget.is_some(),
            "a memory setting cannot be read, yet validation found no error\n{}\n{}",
            report, show(&plan)
        );
        let budget = budget.unwrap_or_default();
        prop_assert!(
            budget <= ram,
            "memory budget {} > RAM {}, yet validation found no error\n{}\n{}",
            budget.human(), ram.human(), report, show(&plan)
        );
    }

    #[test]
    fn derived_shared_buffers_is_a_quarter_of_ram_in_8kb_pages(plan in any_plan()) {
        let Some(ram) = plan.memory() else {
            return Ok(());
        };
        let settings = settings_of(&plan);
        if settings.is_set(params::SHARED_BUFFERS) {
            return Ok(());
        }
        let setting = settings.setting(params::SHARED_BUFFERS).expect("every version has shared_buffers");
        prop_assert!(
            matches!(setting.provenance, Provenance::Derived { .. }),
            "{:?}", setting
        );
        let spec = settings.param_spec(params::SHARED_BUFFERS).expect("in the catalog");
        let share = if plan.tuning.workload == Workload::Desktop { 16 } else { 4 };
        let (min_pages, max_pages) = (spec.min.unwrap_or(16.0) as u64, spec.max.unwrap_or(f64::MAX) as u64);
        let mut pages = ram.as_u64() / share / 8192;
        if matches!(plan.platform, Platform::Azure(_)) {
            // Azure refuses less than 10 % of the SKU's memory.
            pages = pages.max(ram.as_u64().div_ceil(10).div_ceil(8192));
        }
        let pages = pages.clamp(min_pages, max_pages);
        prop_assert_eq!(settings.get(params::SHARED_BUFFERS), Some(Bytes::new(pages * 8192)),
            "RAM {} ({} bytes), workload {}", ram.human(), ram.as_u64(), plan.tuning.workload);
        prop_assert!(spec.parse_value(&setting.value).is_ok(), "{:?}", spec.parse_value(&setting.value));
    }

    #[test]
    fn every_derived_value_is_valid_for_its_parameter(plan in any_plan()) {
        let settings = settings_of(&plan);
        for setting in settings.iter() {
            if !matches!(setting.provenance, Provenance::Derived { .. }) {
                continue;
            }
            // Extension and platform parameters have no catalog entry.
            let Some(spec) = settings.spec(&setting.name) else {
                continue;
            };
            let parsed = spec.parse_value(&setting.value);
            prop_assert!(
                parsed.is_ok(),
                "derived {} = `{}` ({}) is invalid: {}\n{}",
                setting.name, setting.value, setting.provenance,
                parsed.err().map(|e| e.0).unwrap_or_default(), show(&plan)
            );
        }
    }

    #[test]
    fn plan_to_yaml_and_back_is_identity(plan in any_plan()) {
        let yaml = plan.to_yaml().map_err(|e| TestCaseError::fail(e.to_string()))?;
        let back = Plan::from_yaml(&yaml)
            .map_err(|e| TestCaseError::fail(format!("{e}\n{yaml}")))?;
        prop_assert_eq!(back, plan, "{}", yaml);
    }

    #[test]
    fn plan_to_json_and_back_is_identity(plan in any_plan()) {
        let json = plan.to_json().map_err(|e| TestCaseError::fail(e.to_string()))?;
        let back = Plan::from_json(&json)
            .map_err(|e| TestCaseError::fail(format!("{e}\n{json}")))?;
        prop_assert_eq!(back, plan, "{}", json);
    }

    #[test]
    fn raising_max_connections_never_creates_a_connection_budget_error(
        plan in any_plan(),
        base in 1u64..=2_000,
        extra in 1u64..=5_000,
    ) {
        let lower = with_max_connections(&plan, base);
        if connection_budget_errors(&lower) == 0 {
            prop_assert_eq!(
                connection_budget_errors(&with_max_connections(&plan, base + extra)), 0,
                "max_connections {} passes, {} does not\n{}", base, base + extra, show(&lower)
            );
        }
        // From the plan's own value, explicit or derived.
        if connection_budget_errors(&plan) == 0
            && let Some(current) = settings_of(&plan).get(params::MAX_CONNECTIONS)
        {
            let current = u64::from(current);
            let raised = (current + extra).min(262_143);
            prop_assert_eq!(
                connection_budget_errors(&with_max_connections(&plan, raised)), 0,
                "max_connections {} passes, {} does not\n{}", current, raised, show(&plan)
            );
        }
    }

    #[test]
    fn bytes_render_and_parse_back(b in bytes()) {
        for text in [b.to_postgres(), b.to_kubernetes(), b.to_string()] {
            prop_assert_eq!(text.parse::<Bytes>(), Ok(b), "{}", text);
        }
        let json = serde_json::to_string(&b).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(serde_json::from_str::<Bytes>(&json).ok(), Some(b), "{}", json);
    }

    #[test]
    fn postgres_sizes_read_back_through_the_catalog(kib in 64u64..=2_147_483_647) {
        let catalog = Catalog::for_major(17).expect("catalog");
        let work_mem = catalog.get("work_mem").expect("work_mem");
        let b = Bytes::kib(kib);
        prop_assert_eq!(work_mem.value_bytes(&b.to_postgres()), Some(b), "{}", b.to_postgres());
    }

    #[test]
    fn millicores_render_and_parse_back(m in millicores()) {
        for text in [m.to_kubernetes(), m.to_string()] {
            prop_assert_eq!(text.parse::<Millicores>(), Ok(m), "{}", text);
        }
        let json = serde_json::to_string(&m).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(serde_json::from_str::<Millicores>(&json).ok(), Some(m), "{}", json);
    }

    #[test]
    fn durations_render_and_parse_back(d in duration()) {
        for text in [d.to_postgres(), d.to_prometheus(), d.to_string()] {
            prop_assert_eq!(text.parse::<Interval>(), Ok(d), "{}", text);
        }
        let json = serde_json::to_string(&d).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(serde_json::from_str::<Interval>(&json).ok(), Some(d), "{}", json);
    }

    #[test]
    fn percents_render_and_parse_back(p in percent()) {
        prop_assert_eq!(p.to_string().parse::<Percent>(), Ok(p), "{}", p);
        let json = serde_json::to_string(&p).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(serde_json::from_str::<Percent>(&json).ok(), Some(p), "{}", json);
    }
}

/// `reasonable_plan` is meant to pass (about 19 in 20 do; the rest set
/// max_connections and work_mem by hand and overrun a budget). If more than a
/// quarter fail, a rule is stricter than realistic plans or the generator
/// drifted from the model; the message lists which rules fire.
#[test]
fn most_reasonable_plans_pass_validation() {
    const PLANS: usize = 200;
    let strategy = reasonable_plan();
    let mut runner = TestRunner::deterministic();
    let mut failing = 0;
    let mut errors_by_rule: BTreeMap<String, usize> = BTreeMap::new();
    let mut example: BTreeMap<String, String> = BTreeMap::new();
    for _ in 0..PLANS {
        let plan = strategy
            .new_tree(&mut runner)
            .expect("reasonable plans are always generated")
            .current();
        let report = plan.report();
        if report.has_errors() {
            failing += 1;
            for d in report.errors() {
                *errors_by_rule.entry(d.id().to_owned()).or_default() += 1;
                example
                    .entry(d.id().to_owned())
                    .or_insert_with(|| format!("{d}\n{}", show(&plan)));
            }
        }
    }
    assert!(
        failing * 4 <= PLANS,
        "{failing} of {PLANS} reasonable plans have errors; errors by rule: {errors_by_rule:?}\nfirst example of each:\n{}",
        example
            .values()
            .cloned()
            .collect::<Vec<_>>()
            .join("\n---\n")
    );
}
