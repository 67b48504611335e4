//! Roles: attributes, passwords, expiry, memberships, and the roles the plan
//! no longer names.

use std::collections::BTreeSet;

use pgplan_core::{RoleAttribute, RoleName};

use super::privileges::plan_role;
use super::{Change, ChangeSet, DiffInputs, Phase, Scope, unmanaged};
use crate::catalog::ServerState;
use crate::desired::{DesiredRole, DesiredState};
use crate::secrets::{Password, new_verifier, verifier_matches};
use crate::statement::{PasswordSpec, RoleOptions, Statement};

pub(super) fn role_epoch_matches(
    actual: Option<f64>,
    desired: Option<&String>,
    state: &ServerState,
) -> bool {
    let never = |e: Option<f64>| e.is_none_or(|v| v.is_infinite() && v > 0.0);
    match desired {
        None => never(actual),
        Some(s) => match (state.valid_until_epochs.get(s), actual) {
            (Some(want), Some(have)) => {
                (want - have).abs() < 0.5 || (want.is_infinite() && have.is_infinite())
            }
            (Some(want), None) => want.is_infinite(),
            (None, _) => false,
        },
    }
}

pub(super) fn diff_roles(
    desired: &DesiredState,
    actual: &ServerState,
    inputs: &DiffInputs<'_>,
    changes: &mut Vec<Change>,
    cs: &mut ChangeSet,
) {
    let mut unreadable_noted = false;
    for role in desired.roles.values() {
        let password = inputs.passwords.get(&role.name);
        if let Some(src) = &role.password
            && let Some(note) = inputs.resolver.note(&role.name, src)
        {
            cs.notes.push(note);
        } else if password.is_none()
            && role.login
            && let Some(src) = &role.password
            && !matches!(src, pgplan_core::SecretSource::EntraIdentity { .. })
        {
            cs.notes.push(format!(
                "password of role {} ({}) is not known here; left as it is",
                role.name,
                src.describe()
            ));
        }
        let adopting = match actual.roles.get(role.name.as_str()) {
            Some(have) => match unmanaged(have.comment.as_deref(), &desired.role_marker) {
                Some(why) if !inputs.adopt => {
                    cs.conflicts.push(format!(
                        "role {}: {why}; its attributes, password and memberships are left as they are",
                        role.name
                    ));
                    continue;
                }
                Some(_) => true,
                None => false,
            },
            None => false,
        };
        let verifier =
            |pw: &Password| PasswordSpec::Verifier(new_verifier(inputs.resolver, &role.name, pw));
        match actual.roles.get(role.name.as_str()) {
            // An Entra principal is created by the Entra principal script;
            // apply's preflight stops when it is missing.
            None if role.entra_identity.is_some() => {}
            None => {
                let options = RoleOptions {
                    login: Some(role.login),
                    attributes: role.attributes.iter().map(|a| (*a, true)).collect(),
                    connection_limit: (role.connection_limit != -1)
                        .then_some(role.connection_limit),
                    valid_until: role.valid_until.clone(),
                    password: password.map(verifier),
                };
                changes.push(Change {
                    scope: Scope::Cluster,
                    phase: Phase::Roles,
                    summary: format!(
                        "create role {} ({}{}{})",
                        role.name,
                        if role.login { "LOGIN" } else { "NOLOGIN" },
                        role.attributes
                            .iter()
                            .map(|a| format!(" {a}"))
                            .collect::<String>(),
                        if password.is_some() {
                            ", SCRAM-SHA-256 password"
                        } else {
                            ""
                        }
                    ),
                    destructive: false,
                    statements: vec![
                        Statement::CreateRole {
                            name: role.name.clone(),
                            options,
                        },
                        Statement::CommentOnRole {
                            name: role.name.clone(),
                            comment: desired.role_marker.clone(),
                        },
                    ],
                });
            }
            Some(have) => {
                let mut options = RoleOptions::default();
                let mut what = Vec::new();
                if have.login != role.login {
                    options.login = Some(role.login);
                    what.push(if role.login { "LOGIN" } else { "NOLOGIN" }.to_owned());
                }
                for attribute in RoleAttribute::ALL {
                    let want = role.attributes.contains(&attribute);
                    if have.has(attribute) != want {
                        options.attributes.insert(attribute, want);
                        what.push(
                            if want {
                                attribute.as_sql()
                            } else {
                                attribute.negated_sql()
                            }
                            .to_owned(),
                        );
                    }
                }
                if have.connection_limit != role.connection_limit {
                    options.connection_limit = Some(role.connection_limit);
                    what.push(format!(
                        "CONNECTION LIMIT {} (was {})",
                        role.connection_limit, have.connection_limit
                    ));
                }
                if !role_epoch_matches(have.valid_until_epoch, role.valid_until.as_ref(), actual) {
                    let v = role
                        .valid_until
                        .clone()
                        .unwrap_or_else(|| "infinity".into());
                    what.push(format!("VALID UNTIL {v}"));
                    options.valid_until = Some(v);
                }
                if let Some(pw) = password {
                    match &actual.passwords {
                        Some(map) => {
                            let ok = map
                                .get(role.name.as_str())
                                .and_then(|v| v.as_deref())
                                .is_some_and(|v| verifier_matches(pw.expose(), v));
                            if !ok && adopting {
                                // Someone else set this password: replacing
                                // it may lock them out.
                                changes.push(Change {
                                    scope: Scope::Cluster,
                                    phase: Phase::Roles,
                                    summary: format!(
                                        "change the password of role {}, which pgplan did not create (whoever uses the current one is locked out)",
                                        role.name
                                    ),
                                    destructive: true,
                                    statements: vec![Statement::AlterRole {
                                        name: role.name.clone(),
                                        options: RoleOptions {
                                            password: Some(verifier(pw)),
                                            ..RoleOptions::default()
                                        },
                                    }],
                                });
                            } else if !ok {
                                options.password = Some(verifier(pw));
                                what.push("password".into());
                            }
                        }
                        None => {
                            if !unreadable_noted {
                                cs.notes.push(format!(
                                    "{} cannot read pg_authid, so existing roles' passwords are not checked (connect as a superuser to converge them)",
                                    actual.current_user
                                ));
                                unreadable_noted = true;
                            }
                        }
                    }
                }
                if !options.is_empty() {
                    changes.push(Change {
                        scope: Scope::Cluster,
                        phase: Phase::Roles,
                        summary: format!("alter role {}: {}", role.name, what.join(", ")),
                        destructive: false,
                        statements: vec![Statement::AlterRole {
                            name: role.name.clone(),
                            options,
                        }],
                    });
                }
                if have.comment.as_deref() != Some(desired.role_marker.as_str()) {
                    changes.push(Change {
                        scope: Scope::Cluster,
                        phase: Phase::Roles,
                        summary: format!(
                            "adopt role {}: mark it as managed ({})",
                            role.name, desired.role_marker
                        ),
                        destructive: false,
                        statements: vec![Statement::CommentOnRole {
                            name: role.name.clone(),
                            comment: desired.role_marker.clone(),
                        }],
                    });
                }
            }
        }
        diff_memberships(role, actual, changes);
    }
}

pub(super) fn diff_memberships(
    role: &DesiredRole,
    actual: &ServerState,
    changes: &mut Vec<Change>,
) {
    let have: BTreeSet<&str> = actual
        .memberships
        .range((role.name.to_string(), String::new())..)
        .take_while(|(m, _)| m == role.name.as_str())
        .map(|(_, g)| g.as_str())
        .collect();
    for group in &role.member_of {
        if !have.contains(group.as_str()) {
            changes.push(Change {
                scope: Scope::Cluster,
                phase: Phase::Roles,
                summary: format!("grant membership in {group} to {}", role.name),
                destructive: false,
                statements: vec![Statement::GrantMembership {
                    group: group.clone(),
                    member: role.name.clone(),
                }],
            });
        }
    }
    for group in have {
        if role.member_of.iter().any(|g| g.as_str() == group) {
            continue;
        }
        let Ok(group) = RoleName::new(group) else {
            continue;
        };
        changes.push(Change {
            scope: Scope::Cluster,
            phase: Phase::Roles,
            summary: format!(
                "revoke membership in {group} from {} (not in the plan)",
                role.name
            ),
            destructive: true,
            statements: vec![Statement::RevokeMembership {
                group,
                member: role.name.clone(),
            }],
        });
    }
}

pub(super) fn roles_to_drop(desired: &DesiredState, actual: &ServerState) -> Vec<RoleName> {
    actual
        .roles
        .iter()
        .filter(|(name, r)| {
            r.comment.as_deref() == Some(desired.role_marker.as_str())
                && plan_role(desired, name).is_none()
        })
        .filter_map(|(name, _)| RoleName::new(name.as_str()).ok())
        .collect()
}
