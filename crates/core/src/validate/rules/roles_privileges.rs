//! PGP011 roles-privileges: role names, memberships, grants, default
//! privileges, ownership and every reference to a role or database.
//!
//! - Role names are unique and not reserved (`postgres`, `pg_*`, `azure_*`,
//!   `public`…; on Azure also the service's `azuresu`, `azure_pg_admin`,
//!   `replication`).
//! - `member_of` names a planned or predefined role that exists in the plan's
//!   version, and memberships have no cycle.
//! - Each grant's privileges apply to its object kind and version (`EXECUTE`
//!   on tables, `MAINTAIN` before 17 are errors); `ALL` is shown expanded.
//! - Grants name a planned database and, below it, `public` or a planned
//!   schema.
//! - Default privileges name `for_owner`: PostgreSQL applies them only to
//!   objects created by that role, and without it by whoever runs the
//!   script — who is not the role the migrations run as, so new tables get
//!   none of them. `for_owner` should be the schema's owner.
//! - In production an application role owns nothing and has no DDL.
//! - Database and schema owners, clients' roles and databases and backup
//!   roles are planned.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use crate::azure_facts;
use crate::catalog::edit_distance;
use crate::model::databases::Database;
use crate::model::roles::{Grant, ObjectKind, Privilege, RolePurpose};
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP011.
pub struct RolesPrivileges;

const ID: &str = "PGP011";

/// Predefined roles and the major version that introduced them.
const PREDEFINED_ROLES: &[(&str, u16)] = &[
    ("pg_checkpoint", 15),
    ("pg_create_subscription", 16),
    ("pg_database_owner", 14),
    ("pg_execute_server_program", 11),
    ("pg_maintain", 17),
    ("pg_monitor", 10),
    ("pg_read_all_data", 14),
    ("pg_read_all_settings", 10),
    ("pg_read_all_stats", 10),
    ("pg_read_server_files", 11),
    ("pg_signal_autovacuum_worker", 18),
    ("pg_signal_backend", 9),
    ("pg_stat_scan_tables", 10),
    ("pg_use_reserved_connections", 16),
    ("pg_write_all_data", 14),
    ("pg_write_server_files", 11),
];

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: ID,
    name: "roles-privileges",
    summary: "roles are unique and not reserved, memberships resolve without cycles, grants fit their objects and name planned databases and schemas, default privileges name the schema owner, application roles own nothing and run no DDL in production",
    rationale: "",
    examples: None,
    replaces: &[],
};

impl Rule for RolesPrivileges {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        check_names(cx, out);
        check_memberships(cx, out);
        for (i, role) in cx.plan.roles.iter().enumerate() {
            for (g, grant) in role.grants.iter().enumerate() {
                check_grant(cx, &format!("roles[{i}].grants[{g}]"), grant, out);
            }
        }
        check_application_roles(cx, out);
        check_references(cx, out);
    }
}

fn is_planned(cx: &Context<'_>, name: &str) -> bool {
    cx.plan.roles.iter().any(|r| r.name.as_str() == name)
}

/// A planned role, or the Azure administrator, which exists on the server
/// without being planned.
fn role_exists(cx: &Context<'_>, name: &str) -> bool {
    is_planned(cx, name)
        || cx
            .plan
            .platform
            .azure()
            .is_some_and(|az| az.administrator_login == name)
}

fn planned_names(cx: &Context<'_>) -> String {
    let names: Vec<&str> = cx.plan.roles.iter().map(|r| r.name.as_str()).collect();
    if names.is_empty() {
        "none".to_owned()
    } else {
        names.join(", ")
    }
}

fn reserved_reason(name: &str, on_azure: bool) -> Option<String> {
    if name == "postgres" {
        return Some("it is the bootstrap superuser of a self-managed server".into());
    }
    if name.starts_with("pg_") {
        return Some("PostgreSQL reserves the pg_ prefix for its predefined roles".into());
    }
    if name.starts_with("azure_") {
        return Some(
            "Azure reserves the azure_ prefix (azure_pg_admin, azure_superuser), so the plan could not move to Azure".into(),
        );
    }
    if matches!(
        name,
        "public" | "none" | "current_user" | "session_user" | "current_role"
    ) {
        return Some("PostgreSQL reserves it in role specifications".into());
    }
    if on_azure && azure_facts::SERVICE_ROLES.contains(&name) {
        return Some("it is a role of the service on every Flexible Server".into());
    }
    None
}

fn check_names(cx: &Context<'_>, out: &mut Findings<'_>) {
    let on_azure = cx.plan.platform.azure().is_some();
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, role) in cx.plan.roles.iter().enumerate() {
        let name = role.name.as_str();
        let path = format!("roles[{i}].name");
        if let Some(first) = seen.insert(name, i) {
            seen.insert(name, first);
            out.error(
                path.clone(),
                format!("role {name} is planned twice (roles[{first}] and roles[{i}])"),
                "merge the two entries into one role",
            );
        }
        if let Some(reason) = reserved_reason(name, on_azure) {
            out.error(
                path,
                format!("role name `{name}` is reserved: {reason}"),
                format!(
                    "rename it after the service and its purpose, e.g. `{}_{}`",
                    cx.plan.service.as_str().replace('-', "_"),
                    role.purpose.to_string().replace('-', "_")
                ),
            );
        }
    }
}

fn predefined_since(name: &str) -> Option<u16> {
    PREDEFINED_ROLES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, v)| *v)
}

fn check_memberships(cx: &Context<'_>, out: &mut Findings<'_>) {
    let major = cx.plan.version.get();
    let on_azure = cx.plan.platform.azure().is_some();
    for (i, role) in cx.plan.roles.iter().enumerate() {
        for (k, group) in role.member_of.iter().enumerate() {
            let group = group.as_str();
            let path = format!("roles[{i}].member_of[{k}]");
            if is_planned(cx, group) || (on_azure && group == "azure_pg_admin") {
                continue;
            }
            match predefined_since(group) {
                Some(_) if group == "pg_database_owner" => out.error(                    path,
                    format!(
                        "role {} is made a member of pg_database_owner, which cannot have members: its one implicit member is the current database's owner",
                        role.name
                    ),
                    "make the role the database owner instead (databases[].owner), or remove the membership"),
                Some(since) if since > major => out.error(                    path,
                    format!(
                        "predefined role {group} exists from PostgreSQL {since}; this plan runs PostgreSQL {major}"
                    ),
                    format!("remove the membership, or plan version {since} or later")),
                Some(_) => {}
                None => {
                    let mut candidates: Vec<(usize, &str)> = cx
                        .plan
                        .roles
                        .iter()
                        .map(|r| r.name.as_str())
                        .chain(PREDEFINED_ROLES.iter().map(|(n, _)| *n))
                        .map(|n| (edit_distance(group, n), n))
                        .filter(|(d, _)| *d <= 3)
                        .collect();
                    candidates.sort();
                    let help = match candidates.first() {
                        Some((_, n)) => format!("did you mean {n}?"),
                        None => format!(
                            "add role {group} to roles, or use a predefined role such as pg_read_all_data or pg_monitor (planned roles: {})",
                            planned_names(cx)
                        ),
                    };
                    out.error(                        path,
                        format!(
                            "role {} is a member of {group}, which is neither a planned role nor a predefined role",
                            role.name
                        ),
                        help);
                }
            }
        }
    }
    check_membership_cycles(cx, out);
}

fn check_membership_cycles(cx: &Context<'_>, out: &mut Findings<'_>) {
    let roles = &cx.plan.roles;
    let index: BTreeMap<&str, usize> = roles
        .iter()
        .enumerate()
        .map(|(i, r)| (r.name.as_str(), i))
        .collect();
    let mut reported: BTreeSet<Vec<usize>> = BTreeSet::new();
    for (start, role) in roles.iter().enumerate() {
        // Breadth-first from the role's groups back to the role: the shortest cycle through it.
        let mut parent: BTreeMap<usize, usize> = BTreeMap::new();
        let mut queue: VecDeque<usize> = VecDeque::new();
        for group in &role.member_of {
            if let Some(&g) = index.get(group.as_str())
                && !parent.contains_key(&g)
            {
                parent.insert(g, start);
                queue.push_back(g);
            }
        }
        let mut closed = parent.contains_key(&start);
        while !closed && let Some(node) = queue.pop_front() {
            for group in &roles[node].member_of {
                let Some(&g) = index.get(group.as_str()) else {
                    continue;
                };
                if parent.contains_key(&g) {
                    continue;
                }
                parent.insert(g, node);
                if g == start {
                    closed = true;
                    break;
                }
                queue.push_back(g);
            }
        }
        if !closed {
            continue;
        }
        // Walk back from the start to list the cycle in membership order.
        let mut cycle = vec![start];
        let mut node = parent[&start];
        while node != start {
            cycle.push(node);
            node = parent[&node];
        }
        cycle.reverse();
        cycle.rotate_right(1);
        let mut key = cycle.clone();
        key.sort_unstable();
        if !reported.insert(key) {
            continue;
        }
        let mut names: Vec<&str> = cycle.iter().map(|&i| roles[i].name.as_str()).collect();
        names.push(role.name.as_str());
        let next = roles
            .get(cycle.get(1).copied().unwrap_or(start))
            .map_or(role.name.as_str(), |r| r.name.as_str());
        let k = role
            .member_of
            .iter()
            .position(|m| m.as_str() == next)
            .unwrap_or(0);
        out.error(            format!("roles[{start}].member_of[{k}]"),
            format!(
                "role memberships form a cycle: {} (each is a member of the next); PostgreSQL refuses the GRANT that closes it",
                names.join(" → ")
            ),
            format!(
                "remove one membership of the cycle, e.g. {} from roles[{start}].member_of",
                next
            ));
    }
}

fn find_database<'a>(cx: &'a Context<'_>, grant: &Grant) -> Option<&'a Database> {
    cx.plan.databases.iter().find(|d| d.name == grant.database)
}

fn list(privileges: &[Privilege]) -> String {
    privileges
        .iter()
        .map(|p| p.as_sql())
        .collect::<Vec<_>>()
        .join(", ")
}

fn check_grant(cx: &Context<'_>, base: &str, grant: &Grant, out: &mut Findings<'_>) {
    let major = cx.plan.version.get();
    let objects = grant.objects;
    let database = find_database(cx, grant);
    if database.is_none() {
        let planned: Vec<&str> = cx.plan.databases.iter().map(|d| d.name.as_str()).collect();
        out.error(
            format!("{base}.database"),
            format!(
                "grant on database {}, which the plan does not create",
                grant.database
            ),
            if planned.is_empty() {
                "add the database to databases".to_owned()
            } else {
                format!(
                    "use a planned database ({}) or add it to databases",
                    planned.join(", ")
                )
            },
        );
    }
    match (&grant.schema, objects.needs_schema()) {
        (Some(schema), false) => out.warning(
            format!("{base}.schema"),
            format!("a grant on the database itself takes no schema; schema {schema} is ignored"),
            "remove schema, or grant on objects: schema",
        ),
        (None, true) => out.error(
            format!("{base}.schema"),
            format!("a grant on {objects} needs a schema"),
            "set schema: public, or one of the database's planned schemas",
        ),
        (Some(schema), true) => {
            if let Some(db) = database
                && schema.as_str() != "public"
                && !db.schemas.iter().any(|s| &s.name == schema)
            {
                let planned: Vec<&str> = std::iter::once("public")
                    .chain(db.schemas.iter().map(|s| s.name.as_str()))
                    .collect();
                out.error(                    format!("{base}.schema"),
                    format!(
                        "grant on schema {schema} of {}, which the plan does not create there",
                        db.name
                    ),
                    format!(
                        "use a planned schema ({}) or add schema {schema} to the database's schemas",
                        planned.join(", ")
                    ));
            }
        }
        (None, false) => {}
    }
    check_privileges(major, base, grant, out);
    if objects.is_default() {
        check_default_privileges(cx, base, grant, database, out);
    } else if let Some(owner) = &grant.for_owner {
        out.warning(            format!("{base}.for_owner"),
            format!(
                "for_owner {owner} only applies to default privileges (default_*); on {objects} it is ignored"
            ),
            "remove for_owner, or use objects: default_tables (etc.) for objects created later");
    }
}

fn check_privileges(major: u16, base: &str, grant: &Grant, out: &mut Findings<'_>) {
    let objects = grant.objects;
    let path = format!("{base}.privileges");
    if grant.privileges.is_empty() {
        out.error(
            path,
            format!("a grant on {objects} with no privileges grants nothing"),
            format!(
                "list the privileges (for {objects}: {}) or remove the grant",
                list(&objects.all_privileges(major))
            ),
        );
        return;
    }
    let invalid: Vec<Privilege> = grant
        .privileges
        .iter()
        .copied()
        .filter(|p| !objects.allows(*p, major))
        .collect();
    if !invalid.is_empty() {
        let newer = invalid.contains(&Privilege::Maintain)
            && objects.allows(Privilege::Maintain, 17)
            && major < 17;
        let note = if newer {
            format!("; MAINTAIN exists from PostgreSQL 17 and this plan runs {major}")
        } else {
            String::new()
        };
        out.error(            path.clone(),
            format!(
                "{} {} not apply to {objects} on PostgreSQL {major} (allowed on {objects}: {}){note}",
                list(&invalid),
                if invalid.len() == 1 { "does" } else { "do" },
                list(&objects.all_privileges(major)),
            ),
            if newer {
                format!("remove {} or plan version 17 or later", list(&invalid))
            } else {
                format!(
                    "remove {}, or grant it in a grant on the kind of object it applies to",
                    list(&invalid)
                )
            });
    }
    if grant.privileges.contains(&Privilege::All) {
        out.info(            path,
            format!(
                "ALL on {objects} means {} on PostgreSQL {major}",
                list(&grant.effective_privileges(major))
            ),
            "list only the privileges the role needs; ALL grows with new versions (MAINTAIN arrived in 17)");
    }
}

fn check_default_privileges(
    cx: &Context<'_>,
    base: &str,
    grant: &Grant,
    database: Option<&Database>,
    out: &mut Findings<'_>,
) {
    let path = format!("{base}.for_owner");
    let schema_owner = match (database, &grant.schema) {
        (Some(db), Some(schema)) => Some((db, schema, db.schema_owner(schema))),
        _ => None,
    };
    let Some(owner) = &grant.for_owner else {
        let (where_, fix) = match schema_owner {
            Some((db, schema, owner)) => (
                format!(" in {}.{schema}", db.name),
                format!(
                    "set for_owner: {owner} (the owner of schema {schema} in {}, the role the migrations run as)",
                    db.name
                ),
            ),
            None => (
                String::new(),
                "set for_owner to the role the migrations run as (the schema's owner)".to_owned(),
            ),
        };
        out.error(            path,
            format!(
                "default privileges on {}{where_} name no for_owner: they would apply only to objects created by whoever runs the script, so the {} the migrations create get none of them",
                grant.objects,
                grant.objects.sql_noun().to_ascii_lowercase()
            ),
            fix);
        return;
    };
    if !role_exists(cx, owner.as_str()) {
        out.error(
            path,
            format!("for_owner {owner} is not a planned role"),
            match schema_owner {
                Some((_, _, o)) => format!("set for_owner: {o} (the schema's owner)"),
                None => format!("use a planned role ({})", planned_names(cx)),
            },
        );
        return;
    }
    if let Some((db, schema, expected)) = schema_owner
        && expected != owner
    {
        out.warning(            path,
            format!(
                "for_owner {owner} is not the owner of schema {schema} in {} ({expected}): the default privileges apply only to objects {owner} creates, while the schema's objects are normally created by {expected}",
                db.name
            ),
            format!(
                "set for_owner: {expected}, or make sure the migrations run as {owner}"
            ));
    }
}

/// Privileges that let a role change the schema or bypass row-level work.
fn ddl_privileges(objects: ObjectKind, effective: &[Privilege]) -> Vec<Privilege> {
    let ddl: &[Privilege] = match objects {
        ObjectKind::Database | ObjectKind::Schema => &[Privilege::Create],
        ObjectKind::Tables | ObjectKind::DefaultTables => &[
            Privilege::Truncate,
            Privilege::References,
            Privilege::Trigger,
            Privilege::Maintain,
        ],
        _ => &[],
    };
    effective
        .iter()
        .copied()
        .filter(|p| ddl.contains(p))
        .collect()
}

/// The roles a role belongs to, directly or through other planned roles.
fn groups_of<'a>(cx: &'a Context<'_>, start: usize) -> BTreeSet<&'a str> {
    let mut seen: BTreeSet<&str> = BTreeSet::new();
    let mut stack: Vec<&str> = cx.plan.roles[start]
        .member_of
        .iter()
        .map(|m| m.as_str())
        .collect();
    while let Some(name) = stack.pop() {
        if !seen.insert(name) {
            continue;
        }
        if let Some(role) = cx.plan.roles.iter().find(|r| r.name.as_str() == name) {
            stack.extend(role.member_of.iter().map(|m| m.as_str()));
        }
    }
    seen
}

fn check_application_roles(cx: &Context<'_>, out: &mut Findings<'_>) {
    if !cx.is_production() {
        return;
    }
    let major = cx.plan.version.get();
    const FIX: &str = "let a role with purpose owner own the schema objects and run the migrations; grant the application role only DML (SELECT, INSERT, UPDATE, DELETE) and USAGE";
    for (i, role) in cx.plan.roles.iter().enumerate() {
        if role.purpose != RolePurpose::Application {
            continue;
        }
        let name = role.name.as_str();
        // What the role owns, itself or through a group it belongs to.
        let groups = groups_of(cx, i);
        let owned_by = |owner: &str| owner == name || groups.contains(owner);
        for (d, db) in cx.plan.databases.iter().enumerate() {
            if owned_by(db.owner.as_str()) {
                let through = if db.owner.as_str() == name {
                    String::new()
                } else {
                    format!(" (through its membership in {})", db.owner)
                };
                out.error(                    format!("databases[{d}].owner"),
                    format!(
                        "application role {name} owns database {}{through}: in production an application role owns nothing, so a compromised or faulty service cannot drop or alter the schema",
                        db.name
                    ),
                    FIX);
            }
            for (s, schema) in db.schemas.iter().enumerate() {
                if let Some(owner) = &schema.owner
                    && owned_by(owner.as_str())
                {
                    out.error(                        format!("databases[{d}].schemas[{s}].owner"),
                        format!(
                            "application role {name} owns schema {} of {}: in production an application role owns nothing",
                            schema.name, db.name
                        ),
                        FIX);
                }
            }
        }
        for (g, grant) in role.grants.iter().enumerate() {
            let ddl = ddl_privileges(grant.objects, &grant.effective_privileges(major));
            if ddl.is_empty() {
                continue;
            }
            let via_all = if grant.privileges.contains(&Privilege::All) {
                " (ALL includes them)"
            } else {
                ""
            };
            out.error(                format!("roles[{i}].grants[{g}].privileges"),
                format!(
                    "application role {name} is granted {} on {} in {}{via_all}: in production an application role runs no DDL",
                    list(&ddl),
                    grant.objects,
                    grant.database
                ),
                format!("remove {}; {FIX}", list(&ddl)));
        }
    }
}

fn check_references(cx: &Context<'_>, out: &mut Findings<'_>) {
    let exists = |name: &str| role_exists(cx, name);
    for (d, db) in cx.plan.databases.iter().enumerate() {
        if !exists(db.owner.as_str()) {
            out.error(
                format!("databases[{d}].owner"),
                format!(
                    "database {} is owned by {}, which is not a planned role",
                    db.name, db.owner
                ),
                format!(
                    "add role {} (purpose: owner) to roles, or use a planned role ({})",
                    db.owner,
                    planned_names(cx)
                ),
            );
        }
        for (s, schema) in db.schemas.iter().enumerate() {
            if let Some(owner) = &schema.owner
                && !exists(owner.as_str())
            {
                out.error(                    format!("databases[{d}].schemas[{s}].owner"),
                    format!(
                        "schema {} of {} is owned by {owner}, which is not a planned role",
                        schema.name, db.name
                    ),
                    format!(
                        "add role {owner} to roles, or remove owner (the database owner {} is used)",
                        db.owner
                    ));
            }
        }
    }
    for (c, client) in cx.plan.clients.iter().enumerate() {
        if let Some(role) = &client.role {
            match cx.plan.role(role) {
                None => out.error(                    format!("clients[{c}].role"),
                    format!(
                        "client {} logs in as {role}, which is not a planned role",
                        client.name
                    ),
                    format!(
                        "add role {role} (purpose: application, login: true) or use a planned role ({})",
                        planned_names(cx)
                    )),
                Some(r) if !r.login => out.error(                    format!("clients[{c}].role"),
                    format!(
                        "client {} logs in as {role}, a role without login",
                        client.name
                    ),
                    format!("set login: true on role {role}, or have the client use a login role that is a member of it")),
                Some(_) => {}
            }
        }
        if let Some(database) = &client.database
            && !cx.plan.databases.iter().any(|d| &d.name == database)
        {
            out.error(
                format!("clients[{c}].database"),
                format!(
                    "client {} uses database {database}, which the plan does not create",
                    client.name
                ),
                "add it to databases or fix the name",
            );
        }
    }
    for (b, backup) in cx.plan.backups.logical.iter().enumerate() {
        if let Some(role) = &backup.role
            && !exists(role.as_str())
        {
            out.error(
                format!("backups.logical[{b}].role"),
                format!(
                    "logical backup {} runs as {role}, which is not a planned role",
                    backup.name
                ),
                format!("add role {role} (purpose: backup, member of pg_read_all_data) to roles"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::*;
    use crate::{Environment, MajorVersion, Plan, Role, RoleName, Schema};

    fn name(s: &str) -> RoleName {
        s.parse().unwrap()
    }

    fn group(n: &str, member_of: &[&str]) -> Role {
        Role::builder()
            .name(name(n))
            .purpose(RolePurpose::Developer)
            .member_of(member_of.iter().map(|m| name(m)).collect())
            .build()
    }

    fn app_grants(plan: &mut Plan) -> &mut Vec<Grant> {
        &mut plan.roles[1].grants
    }

    #[test]
    fn reference_plans_pass() {
        let d = run(&RolesPrivileges, &azure_reference_plan());
        assert!(d.is_empty(), "{d:#?}");
        let d = run(&RolesPrivileges, &kubernetes_reference_plan());
        assert!(d.is_empty(), "{d:#?}");
    }

    #[test]
    fn role_names_are_unique() {
        let mut plan = azure_reference_plan();
        let dup = plan.roles[1].clone();
        plan.roles.push(dup);
        let d = run(&RolesPrivileges, &plan);
        let d = diagnostic_at(&d, "roles[3].name");
        assert_eq!(d.severity, Severity::Error);
        assert!(
            d.message
                .contains("bill_app_user is planned twice (roles[1] and roles[3])")
        );
    }

    #[test]
    fn reserved_role_names() {
        for (role, azure_only) in [
            ("postgres", false),
            ("pg_backup", false),
            ("azure_app", false),
            ("public", false),
            ("azuresu", true),
            ("replication", true),
        ] {
            for plan in [azure_reference_plan(), kubernetes_reference_plan()] {
                let on_azure = plan.platform.azure().is_some();
                let mut plan = plan;
                plan.roles.push(group(role, &[]));
                let i = plan.roles.len() - 1;
                let d = run(&RolesPrivileges, &plan);
                let found = d.iter().find(|d| d.path == format!("roles[{i}].name"));
                if azure_only && !on_azure {
                    assert!(found.is_none(), "{role}: {d:#?}");
                    continue;
                }
                let found = found.unwrap_or_else(|| panic!("{role}: {d:#?}"));
                assert_eq!(found.severity, Severity::Error);
                assert!(
                    found.message.contains(&format!("`{role}` is reserved")),
                    "{}",
                    found.message
                );
            }
        }
    }

    #[test]
    fn member_of_must_resolve() {
        let mut plan = azure_reference_plan();
        plan.roles[2].member_of = vec![
            name("pg_read_all_stats"),
            name("bill_ownr"),
            name("pg_maintain"),
            name("pg_database_owner"),
            name("azure_pg_admin"),
            name("reporting"),
        ];
        let d = run(&RolesPrivileges, &plan);
        let typo = diagnostic_at(&d, "roles[2].member_of[1]");
        assert_eq!(typo.severity, Severity::Error);
        assert!(
            typo.message
                .contains("neither a planned role nor a predefined role")
        );
        assert_eq!(typo.help, "did you mean bill_owner?");
        let newer = diagnostic_at(&d, "roles[2].member_of[2]");
        assert!(
            newer
                .message
                .contains("pg_maintain exists from PostgreSQL 17; this plan runs PostgreSQL 14"),
            "{}",
            newer.message
        );
        assert!(
            diagnostic_at(&d, "roles[2].member_of[3]")
                .message
                .contains("cannot have members")
        );
        assert!(
            diagnostic_at(&d, "roles[2].member_of[5]")
                .help
                .contains("add role reporting")
        );
        assert_eq!(d.len(), 4, "{d:#?}");

        // azure_pg_admin exists only on Azure.
        let mut plan = kubernetes_reference_plan();
        plan.roles[1].member_of = vec![name("azure_pg_admin")];
        assert_eq!(run(&RolesPrivileges, &plan).len(), 1);
        plan.version = MajorVersion::new(17).unwrap();
        plan.roles[1].member_of = vec![name("pg_maintain")];
        assert!(run(&RolesPrivileges, &plan).is_empty());
    }

    #[test]
    fn membership_cycles() {
        let mut plan = kubernetes_reference_plan();
        plan.roles.push(group("dev_a", &["dev_b"]));
        plan.roles.push(group("dev_b", &["dev_c"]));
        plan.roles.push(group("dev_c", &["dev_a"]));
        plan.roles.push(group("dev_self", &["dev_self"]));
        let d = run(&RolesPrivileges, &plan);
        assert_eq!(d.len(), 2, "{d:#?}");
        let cycle = diagnostic_at(&d, "roles[2].member_of[0]");
        assert_eq!(cycle.severity, Severity::Error);
        assert!(
            cycle.message.contains("dev_a → dev_b → dev_c → dev_a"),
            "{}",
            cycle.message
        );
        let own = diagnostic_at(&d, "roles[5].member_of[0]");
        assert!(
            own.message.contains("dev_self → dev_self"),
            "{}",
            own.message
        );
    }

    #[test]
    fn privileges_must_fit_the_object_kind() {
        let mut plan = azure_reference_plan();
        app_grants(&mut plan)[2]
            .privileges
            .extend([Privilege::Execute, Privilege::Maintain]);
        let d = run(&RolesPrivileges, &plan);
        let d = diagnostic_at(&d, "roles[1].grants[2].privileges");
        assert_eq!(d.severity, Severity::Error);
        assert!(
            d.message
                .contains("EXECUTE, MAINTAIN do not apply to tables on PostgreSQL 14"),
            "{}",
            d.message
        );
        assert!(
            d.message.contains("MAINTAIN exists from PostgreSQL 17"),
            "{}",
            d.message
        );

        let mut plan = azure_reference_plan();
        app_grants(&mut plan)[0].privileges = vec![Privilege::Select];
        let d = run(&RolesPrivileges, &plan);
        let d = diagnostic_at(&d, "roles[1].grants[0].privileges");
        assert!(
            d.message
                .contains("SELECT does not apply to database on PostgreSQL 14 (allowed on database: CREATE, CONNECT, TEMPORARY)"),
            "{}",
            d.message
        );
        let mut plan = azure_reference_plan();
        app_grants(&mut plan)[0].privileges.clear();
        let d = run(&RolesPrivileges, &plan);
        assert!(
            diagnostic_at(&d, "roles[1].grants[0].privileges")
                .message
                .contains("grants nothing")
        );
    }

    #[test]
    fn all_is_shown_expanded() {
        let mut plan = azure_reference_plan();
        plan.roles[0].grants = vec![bill_grant(ObjectKind::Tables, &[Privilege::All])];
        let d = run(&RolesPrivileges, &plan);
        assert_eq!(d.len(), 1, "{d:#?}");
        assert_eq!(d[0].severity, Severity::Info);
        assert_eq!(d[0].path, "roles[0].grants[0].privileges");
        assert!(
            d[0].message.contains(
                "ALL on tables means SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER on PostgreSQL 14"
            ),
            "{}",
            d[0].message
        );
        plan.version = MajorVersion::new(17).unwrap();
        let d = run(&RolesPrivileges, &plan);
        assert!(
            d[0].message.contains("TRIGGER, MAINTAIN on PostgreSQL 17"),
            "{}",
            d[0].message
        );
    }

    #[test]
    fn grants_name_planned_databases_and_schemas() {
        let mut plan = azure_reference_plan();
        app_grants(&mut plan)[1].database = "billing_db".parse().unwrap();
        app_grants(&mut plan)[2].schema = Some("bill".parse().unwrap());
        app_grants(&mut plan)[3].schema = None;
        app_grants(&mut plan)[0].schema = Some("public".parse().unwrap());
        let d = run(&RolesPrivileges, &plan);
        let db = diagnostic_at(&d, "roles[1].grants[1].database");
        assert_eq!(db.severity, Severity::Error);
        assert!(
            db.message
                .contains("database billing_db, which the plan does not create")
        );
        assert!(db.help.contains("bill_inquiry_db"));
        let schema = diagnostic_at(&d, "roles[1].grants[2].schema");
        assert_eq!(schema.severity, Severity::Error);
        assert!(schema.message.contains("schema bill of bill_inquiry_db"));
        assert!(
            diagnostic_at(&d, "roles[1].grants[3].schema")
                .message
                .contains("needs a schema")
        );
        assert_eq!(
            diagnostic_at(&d, "roles[1].grants[0].schema").severity,
            Severity::Warning
        );
        assert!(
            schema.help.contains("use a planned schema (public)"),
            "{}",
            schema.help
        );
        assert_eq!(d.len(), 4, "{d:#?}");
        // A planned schema is fine.
        let mut plan = azure_reference_plan();
        plan.databases[0].schemas = vec![Schema::builder().name("bill".parse().unwrap()).build()];
        app_grants(&mut plan)[2].schema = Some("bill".parse().unwrap());
        assert!(run(&RolesPrivileges, &plan).is_empty());
    }

    #[test]
    fn seed_001_default_privileges_without_for_owner() {
        let mut plan = azure_reference_plan();
        app_grants(&mut plan)[4].for_owner = None;
        let d = run(&RolesPrivileges, &plan);
        assert_eq!(d.len(), 1, "{d:#?}");
        let d = &d[0];
        assert_eq!(d.severity, Severity::Error);
        assert_eq!(d.path, "roles[1].grants[4].for_owner");
        assert!(
            d.message.contains(
                "default privileges on default_tables in bill_inquiry_db.public name no for_owner"
            ),
            "{}",
            d.message
        );
        assert!(
            d.message.contains("whoever runs the script"),
            "{}",
            d.message
        );
        assert!(
            d.help.contains("set for_owner: bill_owner (the owner of schema public in bill_inquiry_db, the role the migrations run as)"),
            "{}",
            d.help
        );
    }

    #[test]
    fn for_owner_should_own_the_schema() {
        let mut plan = azure_reference_plan();
        app_grants(&mut plan)[4].for_owner = Some(name("bill_readonly_user"));
        let d = run(&RolesPrivileges, &plan);
        assert_eq!(d.len(), 1, "{d:#?}");
        assert_eq!(d[0].severity, Severity::Warning);
        assert!(
            d[0].message
                .contains("not the owner of schema public in bill_inquiry_db (bill_owner)")
        );
        app_grants(&mut plan)[4].for_owner = Some(name("nobody"));
        let d = run(&RolesPrivileges, &plan);
        assert_eq!(d[0].severity, Severity::Error);
        assert!(d[0].help.contains("for_owner: bill_owner"));
        // A schema's own owner wins over the database owner.
        let mut plan = azure_reference_plan();
        plan.databases[0].schemas = vec![
            Schema::builder()
                .name("bill".parse().unwrap())
                .owner(name("bill_readonly_user"))
                .build(),
        ];
        app_grants(&mut plan)[4].schema = Some("bill".parse().unwrap());
        let d = run(&RolesPrivileges, &plan);
        assert!(d[0].message.contains("(bill_readonly_user)"), "{d:#?}");
    }

    #[test]
    fn application_roles_own_nothing_and_run_no_ddl_in_production() {
        let mut plan = azure_reference_plan();
        plan.databases[0].owner = name("bill_app_user");
        plan.databases[0].schemas = vec![
            Schema::builder()
                .name("bill".parse().unwrap())
                .owner(name("bill_app_user"))
                .build(),
        ];
        app_grants(&mut plan)[1].privileges = vec![Privilege::All];
        app_grants(&mut plan)[2]
            .privileges
            .push(Privilege::Truncate);
        let d = run(&RolesPrivileges, &plan);
        let owner = diagnostic_at(&d, "databases[0].owner");
        assert_eq!(owner.severity, Severity::Error);
        assert!(
            owner
                .message
                .contains("application role bill_app_user owns database bill_inquiry_db")
        );
        assert!(
            diagnostic_at(&d, "databases[0].schemas[0].owner")
                .message
                .contains("owns schema bill")
        );
        let all = d
            .iter()
            .find(|d| d.path == "roles[1].grants[1].privileges" && d.severity == Severity::Error)
            .expect("DDL through ALL");
        assert!(
            all.message
                .contains("granted CREATE on schema in bill_inquiry_db (ALL includes them)"),
            "{}",
            all.message
        );
        assert!(
            diagnostic_at(&d, "roles[1].grants[2].privileges")
                .message
                .contains("granted TRUNCATE on tables")
        );
        assert_eq!(with_severity(&d, Severity::Error).len(), 4, "{d:#?}");

        // Outside production the same plan draws no ownership or DDL errors.
        plan.environment = Environment::Staging;
        assert!(with_severity(&run(&RolesPrivileges, &plan), Severity::Error).is_empty());
    }

    #[test]
    fn ownership_through_a_group_counts() {
        let mut plan = azure_reference_plan();
        plan.roles[1].member_of = vec![name("bill_owner")];
        let d = run(&RolesPrivileges, &plan);
        assert_eq!(d.len(), 1, "{d:#?}");
        assert!(
            d[0].message
                .contains("(through its membership in bill_owner)")
        );
    }

    #[test]
    fn owners_clients_and_backup_roles_are_planned() {
        let mut plan = kubernetes_reference_plan();
        plan.databases[0].owner = name("product_change_admin");
        plan.databases[0].schemas[0].owner = Some(name("ghost"));
        plan.clients[0].role = Some(name("product_change_user"));
        plan.clients[0].database = Some("product_db".parse().unwrap());
        plan.backups.logical[0].role = Some(name("product_change_backup"));
        plan.roles[1].grants.clear();
        let d = run(&RolesPrivileges, &plan);
        assert!(
            diagnostic_at(&d, "databases[0].owner")
                .message
                .contains("owned by product_change_admin, which is not a planned role")
        );
        assert!(
            diagnostic_at(&d, "databases[0].schemas[0].owner")
                .message
                .contains("owned by ghost")
        );
        assert!(
            diagnostic_at(&d, "clients[0].role")
                .message
                .contains("logs in as product_change_user")
        );
        assert!(
            diagnostic_at(&d, "clients[0].database")
                .message
                .contains("product_db")
        );
        assert!(
            diagnostic_at(&d, "backups.logical[0].role")
                .message
                .contains("runs as product_change_backup")
        );
        assert_eq!(d.len(), 5, "{d:#?}");

        let mut plan = kubernetes_reference_plan();
        plan.roles[1].login = false;
        let d = run(&RolesPrivileges, &plan);
        assert!(
            diagnostic_at(&d, "clients[0].role")
                .message
                .contains("a role without login")
        );

        // The Azure administrator exists without being planned.
        let mut plan = azure_reference_plan();
        plan.databases[0].owner = name("pgadmin");
        plan.roles[1].grants[4].for_owner = Some(name("pgadmin"));
        plan.roles[2].grants[3].for_owner = Some(name("pgadmin"));
        let d = run(&RolesPrivileges, &plan);
        assert!(d.is_empty(), "{d:#?}");
    }
}
