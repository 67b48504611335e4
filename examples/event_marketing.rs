//! Seed 004: the event-marketing service's development and production
//! databases, side by side as the seed's master index compares them — but
//! computed from the two plans instead of written by hand: availability,
//! platform, backups, secrets, and every server setting that differs.
//!
//! Run: `cargo run --example event_marketing`

use std::collections::BTreeSet;

use pgplan::*;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dev = Plan::from_yaml(include_str!("plans/dev-event-marketing.yaml"))?;
    let prod = Plan::from_yaml(include_str!("plans/prod-event-marketing.yaml"))?;
    for plan in [&dev, &prod] {
        let report = plan.report();
        println!(
            "== {} ({}): {} finding(s)",
            plan.service,
            plan.environment,
            report.len()
        );
        for d in report.diagnostics() {
            println!("{d}");
        }
        if report.has_errors() {
            return Err(format!("the {} plan has errors", plan.environment).into());
        }
    }

    println!("\n{:<28} {:<34} production", "", "development");
    let row = |what: &str, d: String, p: String| println!("{what:<28} {d:<34} {p}");
    let availability = |p: &Plan| {
        p.objectives
            .availability
            .map_or("-".into(), |a| a.to_string())
    };
    row("availability", availability(&dev), availability(&prod));
    row(
        "platform",
        describe_platform(&dev),
        describe_platform(&prod),
    );
    let memory = |p: &Plan| p.memory().map_or("-".into(), |m| m.human());
    row("memory", memory(&dev), memory(&prod));
    row("backups", describe_backups(&dev), describe_backups(&prod));
    row("application secret", app_secret(&dev), app_secret(&prod));

    let (ds, ps) = (dev.settings(), prod.settings());
    let names: BTreeSet<&str> = ds
        .iter()
        .chain(ps.iter())
        .map(|s| s.name.as_str())
        .collect();
    println!("\nsettings that differ:");
    for name in names {
        let value = |s: &Settings| s.lookup(name).map_or("-".into(), |v| v.value);
        let (d, p) = (value(&ds), value(&ps));
        if d != p {
            row(name, d, p);
        }
    }
    Ok(())
}

fn describe_platform(plan: &Plan) -> String {
    match &plan.platform {
        Platform::Kubernetes(k) => format!("Kubernetes pod ({})", k.namespace),
        Platform::Azure(a) => format!("Flexible Server {} {}", a.sku.name, a.region),
        Platform::Local(_) => "this machine".into(),
    }
}

fn describe_backups(plan: &Plan) -> String {
    if let Some(m) = &plan.backups.managed {
        return format!(
            "automatic, {} days{}",
            m.retention_days,
            if m.geo_redundant {
                ", geo-redundant"
            } else {
                ""
            }
        );
    }
    plan.backups
        .logical
        .iter()
        .map(|b| format!("pg_dump `{}`, kept {}", b.schedule, b.retention))
        .collect::<Vec<_>>()
        .join("; ")
}

fn app_secret(plan: &Plan) -> String {
    plan.roles
        .iter()
        .find(|r| r.purpose == RolePurpose::Application)
        .and_then(|r| r.password.as_ref())
        .map_or("-".into(), SecretSource::describe)
}
