//! Privileges: grants on databases, schemas and objects, and default
//! privileges, compared per grantee.

use std::collections::{BTreeMap, BTreeSet};

use pgplan_core::{DatabaseName, Privilege, RoleName, SchemaName};

use super::plural;
use crate::catalog::{DatabaseContents, ObjectClass, SchemaObject};
use crate::desired::{
    DesiredState, GranteePrivileges, PrivilegeTarget, grant_statements, group_by_privileges,
};
use crate::statement::{FunctionRef, GrantObject, RelationRef, Statement};

pub(super) fn plan_role(desired: &DesiredState, name: &str) -> Option<RoleName> {
    // A map lookup: this runs once per ACL entry, and a server may hold
    // hundreds of thousands.
    let role = RoleName::new(name).ok()?;
    desired.roles.contains_key(&role).then_some(role)
}

pub(super) fn held_by_plan_roles<'a>(
    desired: &DesiredState,
    entries: impl Iterator<Item = (Option<&'a str>, Privilege)>,
) -> GranteePrivileges {
    let mut out = GranteePrivileges::new();
    for (grantee, p) in entries {
        if let Some(role) = grantee.and_then(|g| plan_role(desired, g)) {
            out.entry(role).or_default().insert(p);
        }
    }
    out
}

/// (missing, extra) privileges per grantee.
pub(super) fn compare(
    wanted: &GranteePrivileges,
    held: &GranteePrivileges,
) -> (GranteePrivileges, GranteePrivileges) {
    let mut missing = GranteePrivileges::new();
    let mut extra = GranteePrivileges::new();
    let none = BTreeSet::new();
    for (role, privs) in wanted {
        let have = held.get(role).unwrap_or(&none);
        let m: BTreeSet<Privilege> = privs.difference(have).copied().collect();
        if !m.is_empty() {
            missing.insert(role.clone(), m);
        }
    }
    for (role, privs) in held {
        let want = wanted.get(role).unwrap_or(&none);
        let x: BTreeSet<Privilege> = privs.difference(want).copied().collect();
        if !x.is_empty() {
            extra.insert(role.clone(), x);
        }
    }
    (missing, extra)
}

pub(super) fn join_privs(p: &[Privilege]) -> String {
    p.iter().map(|p| p.as_sql()).collect::<Vec<_>>().join(", ")
}

pub(super) fn join_roles(r: &[RoleName]) -> String {
    r.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(", ")
}

pub(super) fn diff_privileges(
    target: &PrivilegeTarget,
    database: &DatabaseName,
    wanted: &GranteePrivileges,
    held: &GranteePrivileges,
    push: &mut impl FnMut(String, bool, Vec<Statement>),
) {
    let (missing, extra) = compare(wanted, held);
    for (privs, roles) in group_by_privileges(&extra) {
        push(
            format!(
                "revoke {} on {} from {} (not in the plan)",
                join_privs(&privs),
                target.describe(),
                join_roles(&roles)
            ),
            true,
            vec![Statement::Revoke {
                privileges: privs,
                on: target.grant_object(database),
                from: roles,
            }],
        );
    }
    for s in grant_statements(target.grant_object(database), &missing) {
        if let Statement::Grant { privileges, to, .. } = &s {
            let summary = format!(
                "grant {} on {} to {}",
                join_privs(privileges),
                target.describe(),
                join_roles(to)
            );
            push(summary, false, vec![s]);
        }
    }
}

#[allow(clippy::too_many_arguments)]
pub(super) fn diff_object_privileges(
    desired: &DesiredState,
    database: &DatabaseName,
    target: &PrivilegeTarget,
    class: ObjectClass,
    schema: &str,
    wanted: &GranteePrivileges,
    contents: &DatabaseContents,
    push: &mut impl FnMut(String, bool, Vec<Statement>),
) {
    let objects: Vec<&SchemaObject> = contents
        .objects
        .iter()
        .filter(|o| o.class == class && o.schema == schema)
        .collect();
    if objects.is_empty() {
        return;
    }
    let none = Vec::new();
    // Missing: a grantee lacks a wanted privilege on some object it does not own.
    let mut missing = GranteePrivileges::new();
    let mut missing_on: BTreeMap<RoleName, usize> = BTreeMap::new();
    // Extra: a plan role holds a privilege the plan does not give it here.
    let mut extra: BTreeMap<(RoleName, Vec<Privilege>), Vec<&SchemaObject>> = BTreeMap::new();
    for o in &objects {
        let acl = contents.object_acl.get(*o).unwrap_or(&none);
        let held = held_by_plan_roles(
            desired,
            acl.iter().map(|e| (e.grantee.as_deref(), e.privilege)),
        );
        for (role, privs) in wanted {
            if role.as_str() == o.owner {
                continue;
            }
            let have = held.get(role);
            let lacking: Vec<Privilege> = privs
                .iter()
                .filter(|p| !have.is_some_and(|h| h.contains(p)))
                .copied()
                .collect();
            if !lacking.is_empty() {
                missing.entry(role.clone()).or_default().extend(lacking);
                *missing_on.entry(role.clone()).or_default() += 1;
            }
        }
        for (role, privs) in &held {
            if role.as_str() == o.owner {
                continue;
            }
            let want = wanted.get(role);
            let x: Vec<Privilege> = privs
                .iter()
                .filter(|p| !want.is_some_and(|w| w.contains(p)))
                .copied()
                .collect();
            if !x.is_empty() {
                extra.entry((role.clone(), x)).or_default().push(o);
            }
        }
    }
    for ((role, privs), objs) in extra {
        let on = match class {
            ObjectClass::Table => GrantObject::Tables(relations(&objs)),
            ObjectClass::Sequence => GrantObject::Sequences(relations(&objs)),
            ObjectClass::Function => GrantObject::Functions(
                objs.iter()
                    .filter_map(|o| {
                        Some(FunctionRef {
                            schema: SchemaName::new(o.schema.as_str()).ok()?,
                            name: o.name.clone(),
                            identity_arguments: o.identity_arguments.clone(),
                        })
                    })
                    .collect(),
            ),
        };
        push(
            format!(
                "revoke {} on {} object{} in schema {schema} from {role} (not in the plan)",
                join_privs(&privs),
                objs.len(),
                plural(objs.len())
            ),
            true,
            vec![Statement::Revoke {
                privileges: privs,
                on,
                from: vec![role],
            }],
        );
    }
    for s in grant_statements(target.grant_object(database), &missing) {
        if let Statement::Grant { privileges, to, .. } = &s {
            let counts: Vec<String> = to
                .iter()
                .map(|r| format!("{r}: {}", missing_on.get(r).copied().unwrap_or(0)))
                .collect();
            let summary = format!(
                "grant {} on {} to {} (missing on {} of {} objects)",
                join_privs(privileges),
                target.describe(),
                join_roles(to),
                counts.join(", "),
                objects.len()
            );
            push(summary, false, vec![s]);
        }
    }
}

pub(super) fn relations(objs: &[&SchemaObject]) -> Vec<RelationRef> {
    objs.iter()
        .filter_map(|o| {
            Some(RelationRef {
                schema: SchemaName::new(o.schema.as_str()).ok()?,
                name: o.name.clone(),
            })
        })
        .collect()
}
