//! Services: the ClusterIP clients use (seed 000's DNS name), the headless
//! Services of the StatefulSets, the read replicas' Service and the metrics
//! Service.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Service, ServicePort, ServiceSpec};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use crate::context::Ctx;
use crate::labels::{COMPONENT_METRICS, ROLE_PRIMARY, ROLE_REPLICA};
use crate::object::Object;

/// PostgreSQL's port on every Service, whatever the container listens on.
pub(crate) const SERVICE_PORT: i32 = 5432;

fn port(name: &str, port: i32) -> ServicePort {
    ServicePort {
        name: Some(name.to_owned()),
        port,
        target_port: Some(IntOrString::String(name.to_owned())),
        protocol: Some("TCP".into()),
        ..ServicePort::default()
    }
}

fn service(
    ctx: &Ctx<'_>,
    name: &str,
    role: Option<&str>,
    headless: bool,
    labels: BTreeMap<String, String>,
) -> Object {
    Object::Service(Service {
        metadata: ctx.labels.meta(name, labels),
        spec: Some(ServiceSpec {
            type_: Some("ClusterIP".into()),
            cluster_ip: headless.then(|| "None".to_owned()),
            // Pod DNS records exist before the pods are ready, so a replica
            // can find the primary while both start.
            publish_not_ready_addresses: headless.then_some(true),
            selector: Some(ctx.labels.server_selector(role)),
            ports: Some(vec![port("postgresql", SERVICE_PORT)]),
            ..ServiceSpec::default()
        }),
        ..Service::default()
    })
}

/// Every Service, in apply order.
pub(crate) fn render(ctx: &Ctx<'_>) -> Vec<Object> {
    let server = |role| ctx.labels.server_pod(role);
    let mut out = vec![
        service(
            ctx,
            &ctx.names.base,
            Some(ROLE_PRIMARY),
            false,
            server(ROLE_PRIMARY),
        ),
        service(
            ctx,
            &ctx.names.headless,
            Some(ROLE_PRIMARY),
            true,
            server(ROLE_PRIMARY),
        ),
    ];
    if ctx.read_replicas > 0 {
        out.push(service(
            ctx,
            &ctx.names.read,
            Some(ROLE_REPLICA),
            false,
            server(ROLE_REPLICA),
        ));
        out.push(service(
            ctx,
            &ctx.names.read_headless,
            Some(ROLE_REPLICA),
            true,
            server(ROLE_REPLICA),
        ));
    }
    if let Some(p) = ctx.exporter_port() {
        let mut meta = ctx.labels.meta(
            &ctx.names.metrics,
            ctx.labels.with_component(COMPONENT_METRICS),
        );
        meta.annotations = Some(BTreeMap::from([
            ("prometheus.io/path".to_owned(), "/metrics".to_owned()),
            ("prometheus.io/port".to_owned(), p.to_string()),
            ("prometheus.io/scrape".to_owned(), "true".to_owned()),
        ]));
        out.push(Object::Service(Service {
            metadata: meta,
            spec: Some(ServiceSpec {
                type_: Some("ClusterIP".into()),
                selector: Some(ctx.labels.server_selector(None)),
                ports: Some(vec![port("metrics", i32::from(p))]),
                ..ServiceSpec::default()
            }),
            ..Service::default()
        }));
    }
    out
}
