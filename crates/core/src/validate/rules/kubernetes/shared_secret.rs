//! PGP111 kubernetes-shared-secret: two logins whose passwords would be kept
//! in one Secret.

use std::collections::BTreeMap;

use super::common::{kubernetes, role_path};
use crate::kubernetes_facts::{
    DEFAULT_REPLICATION_USER, ObjectNames, ReplicationLogin, SUPERUSER, replication_login,
    role_secret,
};
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP111.
pub struct KubernetesSharedSecret;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP111",
    name: "kubernetes-shared-secret",
    summary: "each Secret pgplan renders holds the password of one login, and no role reads its password from a Secret pgplan renders for another",
    rationale: "A Secret pgplan renders holds one `username` and one `password`. Two logins mapped to the same Secret (two role names that read alike, a `secret_name` equal to pgplan's own `postgresql-<service>-superuser`) would share one password, and `pgplan apply` would overwrite the Secret a `kubernetes_secret` reference points at: one login would take the other's password.",
    examples: crate::rule_examples!("PGP111-kubernetes-shared-secret"),
    replaces: &[],
};

/// Who a rendered Secret belongs to.
struct Owner {
    user: String,
    what: String,
}

impl Rule for KubernetesSharedSecret {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        if kubernetes(cx).is_none() {
            return;
        }
        let names = ObjectNames::new(&cx.plan.service);
        let mut rendered: BTreeMap<String, Owner> = BTreeMap::new();
        rendered.insert(
            names.superuser_secret.clone(),
            Owner {
                user: SUPERUSER.to_owned(),
                what: "the superuser".to_owned(),
            },
        );
        if replication_login(cx.plan) == Some(ReplicationLogin::Default) {
            rendered.insert(
                names.replication_secret.clone(),
                Owner {
                    user: DEFAULT_REPLICATION_USER.to_owned(),
                    what: "the read replicas' replication login".to_owned(),
                },
            );
        }
        // Secrets the plan's roles make pgplan render, in plan order.
        let secrets: Vec<_> = cx
            .plan
            .roles
            .iter()
            .enumerate()
            .filter_map(|(i, r)| Some((i, r, role_secret(&names, r)?)))
            .collect();
        for (i, role, secret) in secrets.iter().filter(|(_, _, s)| s.rendered) {
            let user = role.name.as_str();
            match rendered.get(&secret.name) {
                Some(owner) if owner.user != user => out.error(
                    role_path(*i, "password"),
                    format!(
                        "the password of {user} would be kept in Secret {}, which already holds the password of {} ({}): a Secret pgplan renders holds one login's username and password",
                        secret.name, owner.user, owner.what
                    ),
                    format!(
                        "give roles[{i}].password a `secret_name` of its own, e.g. `{}`",
                        own_secret(&names, &rendered, *i, &role.name)
                    ),
                ),
                Some(_) => {}
                None => {
                    rendered.insert(
                        secret.name.clone(),
                        Owner {
                            user: user.to_owned(),
                            what: format!("roles[{i}]"),
                        },
                    );
                }
            }
        }
        for (i, role, secret) in secrets.iter().filter(|(_, _, s)| !s.rendered) {
            if let Some(owner) = rendered.get(&secret.name) {
                out.error(
                    role_path(*i, "password"),
                    format!(
                        "role {} reads its password from Secret {}, which pgplan renders for {} ({}): `pgplan apply` would overwrite it, and {} would get {}'s password",
                        role.name, secret.name, owner.user, owner.what, role.name, owner.user
                    ),
                    "name an existing Secret that pgplan does not render (its own are named postgresql-<service>-…), or use `{ generated: {} }`",
                );
            }
        }
    }
}

/// A Secret name for role `i` that no other login uses: the name pgplan
/// derives from the role, or one derived from its index.
fn own_secret(
    names: &ObjectNames,
    taken: &BTreeMap<String, Owner>,
    i: usize,
    role: &crate::RoleName,
) -> String {
    let derived = names.role_secret(role);
    if taken.contains_key(&derived) {
        format!("{}-role-{i}", names.base)
    } else {
        derived
    }
}
