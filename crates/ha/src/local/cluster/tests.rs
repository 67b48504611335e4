use super::*;
use serde_json::json;

#[test]
fn a_patch_holds_only_what_differs_and_removes_what_the_plan_dropped() {
    let live = json!({"ttl": 30, "loop_wait": 10, "retry_timeout": 10, "synchronous_mode": true,
            "postgresql": {"use_pg_rewind": true, "parameters": {"max_connections": "100", "wal_keep_size": "128MB"}}});
    let want = json!({"ttl": 20, "loop_wait": 10, "retry_timeout": 10, "synchronous_mode": true,
            "postgresql": {"use_pg_rewind": true, "parameters": {"max_connections": 200}}});
    let patch = dcs_patch(&live, &want).unwrap();
    assert_eq!(
        patch,
        json!({"ttl": 20, "postgresql": {"parameters": {"max_connections": 200, "wal_keep_size": null}}})
    );
    assert_eq!(dcs_patch(&want, &want), None);
    // Patroni may give back "100" where pgplan sent 100.
    let live = json!({"ttl": "20", "postgresql": {"parameters": {"max_connections": "200"}}});
    let want = json!({"ttl": 20, "postgresql": {"parameters": {"max_connections": "200"}}});
    assert_eq!(dcs_patch(&live, &want), None);
}
