//! The PrometheusRule (Prometheus Operator) with the plan's alert thresholds.

use kube::core::{ApiResource, DynamicObject, GroupVersionKind};
use pgplan_core::{Interval, Percent, params};
use serde_json::{Value, json};

use crate::context::Ctx;
use crate::labels::COMPONENT_METRICS;
use crate::object::Object;

/// `n / d` as a short decimal (`1`, `0.5`, `0.125`).
fn decimal(n: u64, d: u64) -> String {
    let whole = n / d;
    let mut rem = n % d;
    if rem == 0 {
        return whole.to_string();
    }
    let mut out = format!("{whole}.");
    // At most 6 digits: thresholds are percentages and core counts.
    for _ in 0..6 {
        rem *= 10;
        out.push(char::from(b'0' + u8::try_from(rem / d).unwrap_or(0)));
        rem %= d;
        if rem == 0 {
            break;
        }
    }
    out
}

fn percent(p: Percent) -> String {
    decimal(u64::from(p.hundredths()), 100)
}

fn seconds(d: Interval) -> String {
    decimal(d.as_millis(), 1000)
}

/// One alerting rule; keys in alphabetical order so the output does not
/// depend on serde_json's map order.
fn rule(
    ctx: &Ctx<'_>,
    alert: &str,
    expr: String,
    sustained: Interval,
    severity: &str,
    summary: String,
) -> Value {
    let mut r = json!({
        "alert": alert,
        "annotations": {
            "description": format!("{summary} ({} in namespace {}).", ctx.names.base, ctx.names.namespace),
            "summary": summary,
        },
        "expr": expr,
        "labels": { "service": ctx.plan.service.as_str(), "severity": severity },
    });
    if sustained != Interval::ZERO
        && let Some(map) = r.as_object_mut()
    {
        map.insert("for".into(), Value::String(sustained.to_prometheus()));
    }
    r
}

/// The rule, when the plan has thresholds or an exporter. Alerts that cannot
/// be rendered are listed by [`Ctx::not_rendered`].
pub(crate) fn render(ctx: &Ctx<'_>) -> Option<Object> {
    let t = &ctx.plan.monitoring.thresholds;
    let exporter = ctx.exporter_port().is_some();
    let ns = &ctx.names.namespace;
    let base = &ctx.names.base;
    let pods = if ctx.read_replicas > 0 {
        format!("{base}(-read)?-[0-9]+")
    } else {
        format!("{base}-[0-9]+")
    };
    let sel = format!(r#"namespace="{ns}",pod=~"{pods}""#);
    let server = format!(r#"{sel},container="postgresql""#);
    let mut rules = Vec::new();
    if exporter {
        rules.push(rule(
            ctx,
            "PostgresqlDown",
            format!("pg_up{{{sel}}} == 0"),
            Interval::minutes(1),
            "critical",
            "PostgreSQL does not answer the exporter".into(),
        ));
    }
    if let (Some(cpu), Some(limit)) = (&t.cpu, ctx.cpu) {
        let cores = decimal(u64::from(limit.ceiling().as_millis()), 1000);
        rules.push(rule(
            ctx,
            "PostgresqlHighCpu",
            format!(
                "100 * sum by (pod) (rate(container_cpu_usage_seconds_total{{{server}}}[5m])) / {cores} > {}",
                percent(cpu.above)
            ),
            cpu.sustained,
            "warning",
            format!("CPU above {} of the {cores}-core limit", cpu.above),
        ));
    }
    if let (Some(mem), Some(memory)) = (&t.memory, ctx.memory) {
        let limit = memory.ceiling();
        rules.push(rule(
            ctx,
            "PostgresqlHighMemory",
            format!(
                "100 * max by (pod) (container_memory_working_set_bytes{{{server}}}) / {} > {}",
                limit.as_u64(),
                percent(mem.above)
            ),
            mem.sustained,
            "warning",
            format!(
                "memory above {} of the {} limit",
                mem.above,
                limit.to_kubernetes()
            ),
        ));
    }
    if let Some(st) = &t.storage {
        let claims = if ctx.read_replicas > 0 {
            format!("data-{base}(-read)?-[0-9]+")
        } else {
            format!("data-{base}-[0-9]+")
        };
        let vsel = format!(r#"namespace="{ns}",persistentvolumeclaim=~"{claims}""#);
        rules.push(rule(
            ctx,
            "PostgresqlStorageFull",
            format!(
                "100 * (1 - kubelet_volume_stats_available_bytes{{{vsel}}} / kubelet_volume_stats_capacity_bytes{{{vsel}}}) > {}",
                percent(st.above)
            ),
            st.sustained,
            "warning",
            format!("data volume more than {} full", st.above),
        ));
    }
    // Connections: the plan's count as a share of max_connections (80 %
    // when the plan sets no count). PGP073 keeps the count below
    // max_connections, so the alert can fire.
    let max_connections = ctx
        .settings
        .get(params::MAX_CONNECTIONS)
        .unwrap_or(100)
        .max(1);
    let (conn_share, conn_for, conn_summary) = match &t.connections {
        Some(c) => {
            let share = decimal(u64::from(c.above) * 100, u64::from(max_connections));
            (
                Some(share.clone()),
                c.sustained,
                format!(
                    "more than {} connections ({share}% of max_connections {max_connections})",
                    c.above
                ),
            )
        }
        None => (
            exporter.then(|| "80".to_owned()),
            Interval::ZERO,
            format!("connections above 80% of max_connections {max_connections}"),
        ),
    };
    if let Some(share) = conn_share.filter(|_| exporter) {
        rules.push(rule(
            ctx,
            "PostgresqlTooManyConnections",
            format!(
                "100 * sum by (pod) (pg_stat_activity_count{{{sel}}}) / max by (pod) (pg_settings_max_connections{{{sel}}}) > {share}"
            ),
            conn_for,
            "warning",
            conn_summary,
        ));
    }
    if let Some(slow) = t.slow_query.as_ref().filter(|_| exporter) {
        rules.push(rule(
            ctx,
            "PostgresqlSlowQuery",
            format!(
                r#"max by (pod) (pg_stat_activity_max_tx_duration{{{sel},state="active"}}) > {}"#,
                seconds(slow.above)
            ),
            slow.sustained,
            "warning",
            format!(
                "an active transaction has run longer than {}",
                slow.above.to_postgres()
            ),
        ));
    }
    if let Some(lag) = &t.replication_lag
        && ctx.read_replicas > 0
        && exporter
    {
        rules.push(rule(
            ctx,
            "PostgresqlReplicationLag",
            format!(
                "max by (pod) (pg_replication_lag_seconds{{{sel}}}) > {}",
                seconds(lag.above)
            ),
            lag.sustained,
            "warning",
            format!("a read replica lags more than {}", lag.above.to_postgres()),
        ));
    }
    if rules.is_empty() {
        return None;
    }

    let gvk = GroupVersionKind::gvk("monitoring.coreos.com", "v1", "PrometheusRule");
    let mut obj = DynamicObject::new(base, &ApiResource::from_gvk(&gvk)).within(ns);
    obj.metadata.labels = Some(ctx.labels.with_component(COMPONENT_METRICS));
    obj.data = json!({
        "spec": { "groups": [ { "name": base, "rules": rules } ] }
    });
    Some(Object::Custom(obj))
}

#[cfg(test)]
mod tests {
    use super::decimal;

    #[test]
    fn decimals() {
        assert_eq!(decimal(1000, 1000), "1");
        assert_eq!(decimal(500, 1000), "0.5");
        assert_eq!(decimal(8000, 100), "80");
        assert_eq!(decimal(9990, 100), "99.9");
        assert_eq!(decimal(1, 3), "0.333333");
    }
}
