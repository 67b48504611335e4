//! What someone who deploys with `kubectl` runs besides `manifests.yaml`:
//! `bootstrap-secrets.sh`, which puts a password into every Secret key the
//! workloads read before they start (the rendered Secrets hold none: a
//! renderer never invents a value), and `README.md`, which gives the order.
//!
//! The script is idempotent: a key that holds a value is kept, never
//! overwritten; a missing one gets a generated password, or the value of the
//! environment variable the plan names. No password is printed, logged or
//! passed on a command line (kubectl reads it from a pipe). `pgplan apply
//! --target k8s` does the same through the API.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use crate::context::Ctx;
use crate::credentials::{Credential, PasswordFill, Store};
use crate::object::Object;
use crate::quote;

/// The bootstrap script's file name.
pub(crate) const SCRIPT: &str = "bootstrap-secrets.sh";

/// A kubectl JSONPath that reads one key of a Secret's data (dots escaped:
/// Secret keys may hold them).
fn data_path(key: &str) -> String {
    format!("jsonpath={{.data.{}}}", key.replace('.', "\\."))
}

/// Every Secret key a workload reads, once, in a stable order: the ones
/// pgplan renders (filled here), the existing ones (checked here) and the
/// ones an ExternalSecret syncs (left to the operator).
fn credentials<'a>(ctx: &'a Ctx<'_>) -> Vec<&'a Credential> {
    let mut seen = BTreeSet::new();
    let all = std::iter::once(&ctx.creds.superuser)
        .chain(ctx.creds.replication.iter())
        .chain(ctx.creds.roles.iter())
        .chain(std::iter::once(&ctx.creds.monitoring))
        .chain(ctx.creds.backups.iter());
    let mut out: Vec<&Credential> = all
        .filter(|c| seen.insert((c.secret.clone(), c.key.clone())))
        .collect();
    out.sort_by(|a, b| (&a.secret, &a.key).cmp(&(&b.secret, &b.key)));
    out
}

/// `bootstrap-secrets.sh`.
pub(crate) fn script(ctx: &Ctx<'_>) -> String {
    let ns = quote::shell(&ctx.names.namespace);
    let mut s = String::new();
    let _ = write!(
        s,
        r#"#!/usr/bin/env bash
# pgplan: the passwords of {base} ({service}, {environment}) in namespace {namespace}.
#
# Run it before the workloads, with kubectl pointed at the cluster:
#   bash {SCRIPT} && kubectl apply -f manifests.yaml
# (README.md gives the whole order.) It creates the namespace if missing, then
# every missing password key of the Secrets the pods read: a generated
# password, or the environment variable the plan names. A key that holds a
# value is kept, never overwritten, so running it again changes nothing. No
# password is printed or passed on a command line: kubectl reads each from a
# pipe.
set -euo pipefail
umask 077
namespace={ns}

# LENGTH letters and digits from the kernel's random number generator.
generate() {{
  local chars=""
  while ((${{#chars}} < $1)); do
    chars+="$(head -c 1024 /dev/urandom | LC_ALL=C tr -dc 'A-Za-z0-9')"
  done
  printf '%s' "${{chars:0:$1}}"
}}

# has_key SECRET JSONPATH: true when the Secret holds a non-empty value there.
has_key() {{
  [[ -n "$(kubectl get secret "$1" --namespace="$namespace" --ignore-not-found --output="$2")" ]]
}}

# put_password SECRET USERNAME KEY: the password on standard input into KEY
# of SECRET, creating the Secret (with its username) when it is missing.
put_password() {{
  local password encoded
  password="$(cat)"
  if [[ -z "$(kubectl get secret "$1" --namespace="$namespace" --ignore-not-found --output=name)" ]]; then
    kubectl create secret generic "$1" --namespace="$namespace" \
      --from-literal=username="$2" --from-file="$3"=<(printf '%s' "$password") >/dev/null
  else
    encoded="$(printf '%s' "$password" | base64 | tr -d '\n')"
    kubectl patch secret "$1" --namespace="$namespace" --type=merge \
      --patch-file=<(printf '{{"data":{{"%s":"%s"}}}}' "$3" "$encoded") >/dev/null
  fi
}}

if [[ -z "$(kubectl get namespace "$namespace" --ignore-not-found --output=name)" ]]; then
  kubectl create namespace "$namespace" >/dev/null
  echo "bootstrap: namespace $namespace created (manifests.yaml adds its labels)"
fi
"#,
        base = ctx.names.base,
        service = ctx.plan.service,
        environment = ctx.plan.environment,
        namespace = ctx.names.namespace,
    );

    let creds = credentials(ctx);
    let existing: Vec<&&Credential> = creds
        .iter()
        .filter(|c| matches!(c.store, Store::Existing))
        .collect();
    if !existing.is_empty() {
        s.push_str(
            "\n# Secrets the plan says exist already: checked first, so nothing is created\n# when one is missing.\nmissing=0\n",
        );
        for c in existing {
            let _ = writeln!(
                s,
                "if ! has_key {secret} {path}; then\n  echo {message} >&2\n  missing=1\nfi",
                secret = quote::shell(&c.secret),
                path = quote::shell(&data_path(&c.key)),
                message = quote::shell(&format!(
                    "bootstrap: Secret {secret} in namespace {ns} has no key {key}: {field} names it as an existing Secret; create it first (kubectl -n {ns} create secret generic {secret} --from-file={key}=FILE), or make the plan generate the password",
                    secret = c.secret,
                    ns = ctx.names.namespace,
                    key = c.key,
                    field = c.field,
                )),
            );
        }
        s.push_str("if ((missing)); then\n  exit 1\nfi\n");
    }

    let mut env_checks = String::new();
    let mut fills = String::new();
    for c in &creds {
        let secret = quote::shell(&c.secret);
        let path = quote::shell(&data_path(&c.key));
        match &c.store {
            Store::Rendered(PasswordFill::Generate { length }) => {
                let _ = write!(
                    fills,
                    "\nif has_key {secret} {path}; then\n  echo {kept}\nelse\n  generate {length} | put_password {secret} {user} {key}\n  echo {made}\nfi\n",
                    user = quote::shell(&c.username),
                    key = quote::shell(&c.key),
                    kept = quote::shell(&format!(
                        "bootstrap: Secret {} has its {}: kept",
                        c.secret, c.key
                    )),
                    made = quote::shell(&format!(
                        "bootstrap: Secret {}: {} generated ({length} characters; {})",
                        c.secret, c.key, c.field
                    )),
                );
            }
            Store::Rendered(PasswordFill::Env { var }) => {
                // An EnvVarName is a shell identifier: `${VAR:-}` needs no quoting.
                let _ = write!(
                    env_checks,
                    "if ! has_key {secret} {path} && [[ -z \"${{{var}:-}}\" ]]; then\n  echo {message} >&2\n  exit 1\nfi\n",
                    message = quote::shell(&format!(
                        "bootstrap: {}: environment variable {var} is not set; export it (the plan reads this password from it) and run again",
                        c.field
                    )),
                );
                let _ = write!(
                    fills,
                    "\nif has_key {secret} {path}; then\n  echo {kept}\nelse\n  printf '%s' \"${var}\" | put_password {secret} {user} {key}\n  echo {made}\nfi\n",
                    user = quote::shell(&c.username),
                    key = quote::shell(&c.key),
                    kept = quote::shell(&format!(
                        "bootstrap: Secret {} has its {}: kept",
                        c.secret, c.key
                    )),
                    made = quote::shell(&format!(
                        "bootstrap: Secret {}: {} from the environment variable {var} ({})",
                        c.secret, c.key, c.field
                    )),
                );
            }
            Store::KeyVault { vault, secret: kv } => {
                let _ = write!(
                    fills,
                    "\necho {}\n",
                    quote::shell(&format!(
                        "bootstrap: Secret {} is synced from Key Vault {vault} (secret {kv}) by the ExternalSecret in manifests.yaml: the External Secrets Operator creates it",
                        c.secret
                    )),
                );
            }
            Store::Existing => {}
        }
    }
    if !env_checks.is_empty() {
        s.push_str("\n# Passwords read from this shell's environment: all there before anything is\n# written.\n");
        s.push_str(&env_checks);
    }
    s.push_str(&fills);
    s.push_str("\necho \"bootstrap: done; now: kubectl apply -f manifests.yaml\"\n");
    s
}

/// `README.md`: what the files are and the order to apply them in.
pub(crate) fn readme(ctx: &Ctx<'_>, objects: &[Object]) -> String {
    let ns = &ctx.names.namespace;
    let mut s = String::new();
    let _ = write!(
        s,
        "# {base}: {service} ({environment}) on Kubernetes\n\n\
Rendered by pgplan from the plan. PostgreSQL {version}, namespace `{ns}`.\n\n\
| file | what it is |\n| --- | --- |\n\
| `manifests.yaml` | {count} objects in apply order |\n\
| `{SCRIPT}` | puts a password into every Secret key the pods read, before they start |\n\n\
## Deploy\n\n\
With pgplan: `pgplan apply PLAN --target k8s --yes` does all of this through the API \
(server-side apply; the same passwords as the script below: generated, or read from \
the environment, never overwritten, and the existing Secrets the plan names checked \
before anything is sent).\n\n\
With kubectl, in this order:\n\n\
1. `bash {SCRIPT}` — creates the namespace if missing, then each missing password: \
the rendered Secrets hold only `username`, so without this the pods would wait for a \
password that never comes. It keeps every value already there, so it is safe to run \
again, and prints no password.\n",
        base = ctx.names.base,
        service = ctx.plan.service,
        environment = ctx.plan.environment,
        version = ctx.plan.version,
        count = objects.len(),
    );
    let creds = credentials(ctx);
    let env: Vec<String> = creds
        .iter()
        .filter_map(|c| match &c.store {
            Store::Rendered(PasswordFill::Env { var }) => Some(format!("`{var}`")),
            _ => None,
        })
        .collect();
    if !env.is_empty() {
        let _ = writeln!(
            s,
            "   Export {} first: the plan reads those passwords from the environment.",
            env.join(", ")
        );
    }
    for c in creds.iter().filter(|c| matches!(c.store, Store::Existing)) {
        let _ = writeln!(
            s,
            "   Secret `{}` with key `{}` must exist already ({}); the script stops, naming it, when it does not.",
            c.secret, c.key, c.field
        );
    }
    for c in creds
        .iter()
        .filter(|c| matches!(c.store, Store::KeyVault { .. }))
    {
        let _ = writeln!(
            s,
            "   Secret `{}` comes from Azure Key Vault through its ExternalSecret: the External Secrets Operator and a ClusterSecretStore must be installed.",
            c.secret
        );
    }
    s.push_str(
        "2. `kubectl apply -f manifests.yaml` — the namespace, Secrets (their `username`; \
the passwords set in step 1 stay), ConfigMaps, storage, policies, the server, Services, \
alert rules and Jobs, in that order.\n",
    );
    let custom: BTreeSet<&str> = objects
        .iter()
        .filter(|o| !o.is_builtin())
        .map(|o| o.kind())
        .collect();
    if !custom.is_empty() {
        let kinds: Vec<String> = custom.iter().map(|k| format!("`{k}`")).collect();
        let _ = writeln!(
            s,
            "   The custom resources ({}) need their operators' CustomResourceDefinitions in the cluster.",
            kinds.join(", ")
        );
    }
    let _ = writeln!(
        s,
        "3. `kubectl -n {ns} rollout status statefulset/{base}` — the server is ready.",
        base = ctx.names.base
    );
    if let Some(job) = objects.iter().find(|o| o.kind() == "Job") {
        let _ = writeln!(
            s,
            "4. `kubectl -n {ns} wait --for=condition=complete --timeout=30m job/{}` — the schema-init Job has created the roles, databases and privileges and set the roles' passwords from their Secrets.",
            job.name()
        );
    }
    s
}

#[cfg(test)]
mod tests {
    use super::data_path;

    #[test]
    fn jsonpaths_escape_dots() {
        assert_eq!(data_path("password"), "jsonpath={.data.password}");
        assert_eq!(data_path("tls.key"), "jsonpath={.data.tls\\.key}");
    }
}
