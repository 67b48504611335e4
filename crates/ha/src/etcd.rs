//! `etcd/<name>.yml`: each etcd member's configuration file
//! (`etcd --config-file`), with the plan's names, addresses and ports.

use pgplan_core::ValidPlan;

use crate::Layout;
use crate::cluster::{Cluster, EtcdNode};
use crate::yaml::{V, Yaml};

/// The initial cluster (`name=peer-url,…`).
pub fn initial_cluster(cluster: &Cluster) -> String {
    cluster
        .etcd
        .iter()
        .map(|e| format!("{}={}", e.name, e.peer_url()))
        .collect::<Vec<_>>()
        .join(",")
}

/// One member's configuration.
pub fn render(plan: &ValidPlan, cluster: &Cluster, node: &EtcdNode, layout: &Layout) -> String {
    let mut y = Yaml::new();
    y.comment(&format!(
        "etcd member {} of the DCS of Patroni cluster {} ({} {}).",
        node.name, cluster.scope, plan.service, plan.environment
    ));
    y.comment("Run: etcd --config-file <this file> (flags and ETCD_* variables are ignored then).");
    y.kv("name", V::S(&node.name));
    y.kv(
        "data-dir",
        V::S(&layout.etcd_data_dir(&node.name).display().to_string()),
    );
    y.comment("topology.patroni.etcd[*]: host, peer_port and client_port");
    y.kv("listen-peer-urls", V::S(&node.peer_url()));
    y.kv("initial-advertise-peer-urls", V::S(&node.peer_url()));
    y.kv("listen-client-urls", V::S(&node.client_url()));
    y.kv("advertise-client-urls", V::S(&node.client_url()));
    y.kv("initial-cluster", V::S(&initial_cluster(cluster)));
    y.comment("the scope: members of another cluster on this machine cannot join by mistake");
    y.kv(
        "initial-cluster-token",
        V::S(&format!("pgplan-{}", cluster.scope)),
    );
    y.comment("read only when the data directory is empty");
    y.kv("initial-cluster-state", V::S("new"));
    y.comment("Patroni talks to etcd's v3 API; the deprecated v2 API stays off");
    y.kv("enable-v2", V::B(false));
    y.comment("Patroni's etcd3 client speaks JSON to the gRPC gateway (/v3/...): on by default as a flag, off in a config file unless set");
    y.kv("enable-grpc-gateway", V::B(true));
    y.comment("etcd's flag default, which a config file does not inherit either");
    y.kv("strict-reconfig-check", V::B(true));
    y.kv("logger", V::S("zap"));
    y.open("log-outputs").item(V::S("stderr")).end();
    y.comment("etcd's defaults (ms): a new etcd leader within about a second, far below Patroni's retry_timeout");
    y.kv("heartbeat-interval", V::N(100));
    y.kv("election-timeout", V::N(1000));
    y.comment("Patroni rewrites its keys every loop_wait: compact the history hourly");
    y.kv("auto-compaction-mode", V::S("periodic"));
    y.kv("auto-compaction-retention", V::S("1h"));
    y.finish()
}
