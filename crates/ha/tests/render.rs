//! The HA backend's renders: snapshots of every file for seed 003, what each
//! file must say, and determinism.

mod support;

use pgplan_ha::{Layout, render_files};
use support::*;

fn layout() -> Layout {
    Layout::new("/var/lib/pgplan/pg-ha", "/usr/lib/postgresql/15/bin")
}

#[test]
fn seed_003_renders_every_file_and_the_same_bytes_twice() {
    let plan = valid(&seed_15_text());
    let files = render_files(&plan, &layout()).unwrap();
    let names: Vec<&str> = files.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        [
            "README.md",
            "compose/etcd-1.env",
            "compose/etcd-2.env",
            "compose/etcd-3.env",
            "compose/haproxy.cfg",
            "compose/pg-0-exporter.env",
            "compose/pg-0.env",
            "compose/pg-1-exporter.env",
            "compose/pg-1.env",
            "compose/pg-2-exporter.env",
            "compose/pg-2.env",
            "docker-compose.yml",
            "etcd/etcd-1.yml",
            "etcd/etcd-2.yml",
            "etcd/etcd-3.yml",
            "exporter/pg-0.env",
            "exporter/pg-1.env",
            "exporter/pg-2.env",
            "haproxy/haproxy.cfg",
            "patroni/pg-0.yml",
            "patroni/pg-1.yml",
            "patroni/pg-2.yml",
        ]
    );
    assert_eq!(render_files(&plan, &layout()).unwrap(), files);
    for (name, text) in &files {
        insta::assert_snapshot!(name.replace('/', "__"), text);
    }
}
