//! NetworkPolicies: the server pods accept PostgreSQL connections only from
//! the plan's clients (and pgplan's own Job pods), and metrics requests only
//! from the scraper; the Job pods accept nothing.

use std::collections::BTreeMap;

use k8s_openapi::api::networking::v1::{
    IPBlock, NetworkPolicy, NetworkPolicyIngressRule, NetworkPolicyPeer, NetworkPolicyPort,
    NetworkPolicySpec,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, LabelSelectorRequirement};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use pgplan_core::label_strings;

use crate::context::Ctx;
use crate::labels::{
    COMPONENT, COMPONENT_BACKUP, COMPONENT_DATABASE, COMPONENT_SCHEMA_INIT, ROLE_REPLICA,
};
use crate::object::Object;
use crate::render::selector;

fn pod_peer(labels: BTreeMap<String, String>) -> NetworkPolicyPeer {
    NetworkPolicyPeer {
        pod_selector: Some(selector(labels)),
        ..NetworkPolicyPeer::default()
    }
}

fn tcp(port: i32) -> NetworkPolicyPort {
    NetworkPolicyPort {
        port: Some(IntOrString::Int(port)),
        protocol: Some("TCP".into()),
        end_port: None,
    }
}

/// The `app` label the NetworkPolicy admits for the plan's pooler.
pub(crate) fn pooler_app(ctx: &Ctx<'_>) -> String {
    format!("{}-pooler", ctx.names.base)
}

/// The server pods' policy and the Job pods' deny-all policy.
pub(crate) fn render(ctx: &Ctx<'_>) -> Vec<Object> {
    let mut peers = Vec::new();
    for client in &ctx.plan.clients {
        peers.push(pod_peer(label_strings(&client.selector())));
    }
    if ctx.plan.pooler.is_some() {
        // PgBouncer is deployed separately (see Ctx::not_rendered); its pods
        // carry this label.
        peers.push(pod_peer(BTreeMap::from([(
            "app".to_owned(),
            pooler_app(ctx),
        )])));
    }
    peers.push(pod_peer(
        ctx.labels.component_selector(COMPONENT_SCHEMA_INIT),
    ));
    if !ctx.plan.backups.logical.is_empty() {
        peers.push(pod_peer(ctx.labels.component_selector(COMPONENT_BACKUP)));
    }
    if ctx.read_replicas > 0 {
        peers.push(pod_peer(ctx.labels.server_selector(Some(ROLE_REPLICA))));
    }
    for cidr in &ctx.plan.security.allowed_cidrs {
        peers.push(NetworkPolicyPeer {
            ip_block: Some(IPBlock {
                cidr: cidr.to_string(),
                except: None,
            }),
            ..NetworkPolicyPeer::default()
        });
    }
    let mut rules = vec![NetworkPolicyIngressRule {
        from: Some(peers),
        ports: Some(vec![tcp(i32::from(ctx.port))]),
    }];
    if let Some(port) = ctx.exporter_port() {
        let scraper = &ctx.opts.metrics_scraper;
        rules.push(NetworkPolicyIngressRule {
            from: Some(vec![NetworkPolicyPeer {
                namespace_selector: Some(selector(label_strings(&scraper.namespace_labels))),
                pod_selector: Some(selector(label_strings(&scraper.pod_labels))),
                ip_block: None,
            }]),
            ports: Some(vec![tcp(i32::from(port))]),
        });
    }
    let server = Object::NetworkPolicy(NetworkPolicy {
        metadata: ctx.labels.meta(
            &ctx.names.base,
            ctx.labels.with_component(COMPONENT_DATABASE),
        ),
        spec: Some(NetworkPolicySpec {
            pod_selector: Some(selector(ctx.labels.server_selector(None))),
            policy_types: Some(vec!["Ingress".into()]),
            ingress: Some(rules),
            egress: None,
        }),
    });

    // The Job pods serve nothing: no ingress at all.
    let jobs = Object::NetworkPolicy(NetworkPolicy {
        metadata: ctx.labels.meta(&ctx.names.jobs_policy, ctx.labels.common()),
        spec: Some(NetworkPolicySpec {
            pod_selector: Some(LabelSelector {
                match_labels: Some(BTreeMap::from([("app".to_owned(), ctx.names.base.clone())])),
                match_expressions: Some(vec![LabelSelectorRequirement {
                    key: COMPONENT.into(),
                    operator: "In".into(),
                    values: Some(vec![
                        COMPONENT_BACKUP.to_owned(),
                        COMPONENT_SCHEMA_INIT.to_owned(),
                    ]),
                }]),
            }),
            policy_types: Some(vec!["Ingress".into()]),
            ingress: None,
            egress: None,
        }),
    });
    vec![server, jobs]
}
