//! Kubernetes pods, emulated: there is no cluster here, so this runs each
//! container of the rendered manifests natively, the way a kubelet would
//! set it up, and says plainly where it stands in for Kubernetes.
//!
//! What is real: the manifests are read from the rendered `manifests.yaml`
//! (nothing is taken from pgplan's types); every container's command, args
//! and environment are the rendered ones, `valueFrom.secretKeyRef` and
//! `configMapKeyRef` resolved from the rendered Secrets and ConfigMaps; every
//! `volumeMount` is materialised from its volume (ConfigMap and Secret items
//! with their modes, emptyDirs shared by the pod's containers, claims kept
//! across pods, `subPath`); programs are the real ones (PostgreSQL of the
//! plan's major for the server, PostgreSQL 18's psql, pg_dump and pg_restore
//! for the tools image, Debian's prometheus-postgres-exporter, bash); every
//! container runs as an unprivileged user in a session of its own (no
//! terminal), with no environment but its own.
//!
//! What is emulated, and how:
//! - **Secrets' contents**: the rendered Secrets (their `username`) merged
//!   with what `bootstrap-secrets.sh` stored through the kubectl stand-in
//!   (pgplan-testkit's [`KubectlStandIn`]) — what `kubectl apply -f
//!   manifests.yaml` after the script leaves in a cluster.
//! - **The filesystem**: each container's root is a directory; each mount is
//!   a symlink from `<root><mountPath>` to its volume, and every absolute
//!   path in the container's env and args is rewritten under that root.
//! - **The network**: each pod's own network namespace is emulated by port
//!   mapping: a container port becomes a free port on 127.0.0.1, and
//!   `127.0.0.1:PORT`, `--port=PORT` and `--web.listen-address=:PORT` in a
//!   pod's args and env are rewritten to it. A Service name in `PGHOST`
//!   resolves (by the Service's selector and named target port) to the
//!   mapped port of a running pod it selects — or fails, which checks them.
//! - **The user**: `runAsUser` has no passwd entry on this machine
//!   (initdb needs one), so containers run as the unprivileged OS user
//!   `pgplan-test` when the tests run as root (as the current user
//!   otherwise); the rendered user is checked to be non-root.
//! - **The server image's entrypoint** (bitnami's scripts, or the official
//!   image's docker-entrypoint.sh, are not here): on first boot `initdb` with
//!   the superuser password from the file the image's `*_PASSWORD_FILE`
//!   variable names, then `postgres` with the mounted `postgresql.conf` and
//!   `pg_hba.conf` (the official image's rendered args; bitnami copies the
//!   same files from its config mount), overriding only what the emulated
//!   network needs: `port`, `listen_addresses = 127.0.0.1` and the socket
//!   directory inside the container's root.

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::Mutex;

use base64::Engine as _;
use k8s_openapi::api::core::v1::{Container, PodSpec, Volume};
use pgplan_testkit::KubectlStandIn;
use serde_json::Value;

use super::TempDir;

/// The rendered objects, the stand-in's Secrets and the emulated network.
pub struct Cluster {
    dir: TempDir,
    /// The plan's namespace.
    pub namespace: String,
    objects: Vec<Value>,
    /// The kubectl stand-in the bootstrap script ran against.
    pub kubectl: KubectlStandIn,
    /// The server binaries (initdb, pg_ctl, postgres) of the plan's major.
    pub server_bin: PathBuf,
    /// PostgreSQL 18's client programs: the tools image.
    pub client_bin: PathBuf,
    /// Pods started so far: name → (labels, container port → host port).
    pods: Mutex<BTreeMap<String, PodNet>>,
    /// Pod name → the number of its directory.
    pod_dirs: Mutex<BTreeMap<String, usize>>,
}

#[derive(Clone, Default)]
struct PodNet {
    labels: BTreeMap<String, String>,
    /// (port name, container port) → host port.
    ports: Vec<(Option<String>, u16, u16)>,
}

/// A pod: its spec, name, labels and materialised volumes.
pub struct Pod {
    /// The pod's name (`<statefulset>-0`, `<job>-run`).
    pub name: String,
    /// Its labels.
    pub labels: BTreeMap<String, String>,
    /// Its spec.
    pub spec: PodSpec,
    root: PathBuf,
    volumes: BTreeMap<String, PathBuf>,
}

impl Pod {
    /// Where a volume of this pod lives (a ConfigMap's or Secret's files, an
    /// emptyDir, a claim).
    pub fn volume(&self, name: &str) -> &Path {
        self.volumes
            .get(name)
            .unwrap_or_else(|| panic!("pod {} has no volume {name}", self.name))
    }
}

/// How a container is run: the rendered command line and environment,
/// rewritten for the emulation.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// The container's root directory.
    pub root: PathBuf,
    /// Command and args (rewritten).
    pub argv: Vec<String>,
    /// The environment (resolved and rewritten).
    pub env: BTreeMap<String, String>,
}

/// The unprivileged user (uid, gid) containers run as when the tests run as
/// root; `None` when they do not.
pub fn run_as() -> Option<(u32, u32)> {
    let status = fs::read_to_string("/proc/self/status").unwrap_or_default();
    let root = status
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))
        .and_then(|ids| ids.split_whitespace().nth(1))
        == Some("0");
    if !root {
        return None;
    }
    let id = |flag: &str| -> u32 {
        let out = Command::new("id")
            .args([flag, pgplan_testkit::TEST_USER])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "the OS user {} is missing: run scripts/install-test-deps.sh",
            pgplan_testkit::TEST_USER
        );
        String::from_utf8_lossy(&out.stdout).trim().parse().unwrap()
    };
    Some((id("-u"), id("-g")))
}

/// A free TCP port on 127.0.0.1.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The documents of a multi-document YAML stream.
pub fn parse_manifests(yaml: &str) -> Vec<Value> {
    yaml.split("\n---\n")
        .skip(1)
        .map(|doc| {
            serde_saphyr::from_str::<Value>(doc)
                .unwrap_or_else(|e| panic!("manifests.yaml does not read: {e}\n{doc}"))
        })
        .collect()
}

fn b64(s: &str) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD.decode(s).unwrap()
}

/// Gives a tree to the containers' user (when the tests run as root).
pub fn chown_tree(path: &Path) {
    if let Some((uid, gid)) = run_as() {
        let ok = Command::new("chown")
            .arg("-R")
            .arg(format!("{uid}:{gid}"))
            .arg(path)
            .status()
            .unwrap()
            .success();
        assert!(ok, "chown -R {}", path.display());
    }
}

impl Cluster {
    /// The rendered Kubernetes files of a plan of PostgreSQL `major`.
    pub fn new(files: &BTreeMap<String, String>, major: u32) -> Cluster {
        let dir = TempDir::new("pod");
        let objects = parse_manifests(&files["manifests.yaml"]);
        let namespace = objects
            .iter()
            .find(|o| o["kind"] == "Namespace")
            .and_then(|o| o["metadata"]["name"].as_str())
            .expect("a Namespace")
            .to_owned();
        let kubectl = KubectlStandIn::new(&dir.path().join("kubectl")).unwrap();
        let server_bin = pgplan_testkit::find_bin_dir(major).unwrap_or_else(|e| panic!("{e}"));
        // The directory must be reachable by the containers' user.
        fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o755)).unwrap();
        Cluster {
            dir,
            namespace,
            objects,
            kubectl,
            server_bin,
            client_bin: super::client_bin(),
            pods: Mutex::new(BTreeMap::new()),
            pod_dirs: Mutex::new(BTreeMap::new()),
        }
    }

    /// The rendered objects of a kind.
    pub fn of_kind(&self, kind: &str) -> Vec<&Value> {
        self.objects.iter().filter(|o| o["kind"] == kind).collect()
    }

    /// The rendered object of a kind and name.
    pub fn object(&self, kind: &str, name: &str) -> Option<&Value> {
        self.objects
            .iter()
            .find(|o| o["kind"] == kind && o["metadata"]["name"] == name)
    }

    /// Runs `bootstrap-secrets.sh` with bash against the kubectl stand-in.
    pub fn bootstrap(&self, script: &str, env: &[(&str, &str)]) -> Output {
        Command::new("setsid")
            .arg("--wait")
            .args(["bash", "-c", script])
            .env_clear()
            .envs(self.kubectl.env("/usr/local/bin:/usr/bin:/bin"))
            .envs(env.iter().copied())
            .env("LANG", "C.UTF-8")
            .output()
            .unwrap()
    }

    /// A Secret's data as a pod sees it: the stand-in's (what the bootstrap
    /// script or someone before it stored) with the rendered Secret's keys
    /// applied on top; `None` when neither has it.
    pub fn secret(&self, name: &str) -> Option<BTreeMap<String, Vec<u8>>> {
        let stored = self.kubectl.secret(&self.namespace, name);
        let rendered = self.object("Secret", name);
        if stored.is_none() && rendered.is_none() {
            return None;
        }
        let mut data = stored.unwrap_or_default();
        if let Some(r) = rendered {
            for (k, v) in r["data"].as_object().into_iter().flatten() {
                data.insert(k.clone(), b64(v.as_str().unwrap()));
            }
        }
        Some(data)
    }

    /// A ConfigMap's data.
    pub fn config_map(&self, name: &str) -> Option<BTreeMap<String, String>> {
        let o = self.object("ConfigMap", name)?;
        Some(
            o["data"]
                .as_object()?
                .iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
                .collect(),
        )
    }

    /// The pod of a StatefulSet (`ordinal`), Job or CronJob, its volumes
    /// materialised. Panics, naming it, when a volume's source is missing.
    pub fn pod(&self, kind: &str, name: &str, ordinal: usize) -> Pod {
        let o = self
            .object(kind, name)
            .unwrap_or_else(|| panic!("no {kind} {name}"));
        let template = match kind {
            "StatefulSet" | "Job" => &o["spec"]["template"],
            "CronJob" => &o["spec"]["jobTemplate"]["spec"]["template"],
            _ => panic!("{kind} has no pods"),
        };
        let spec: PodSpec = serde_json::from_value(template["spec"].clone()).unwrap();
        let labels: BTreeMap<String, String> =
            serde_json::from_value(template["metadata"]["labels"].clone()).unwrap_or_default();
        let pod_name = match kind {
            "StatefulSet" => format!("{name}-{ordinal}"),
            _ => format!("{name}-run{ordinal}"),
        };
        // Short directory names: Unix socket paths below them must fit 107 bytes.
        let root = {
            let mut pods = self.pod_dirs.lock().unwrap();
            let n = pods.len();
            let dir = pods.entry(pod_name.clone()).or_insert(n);
            self.dir.path().join(format!("p{dir}"))
        };
        let _ = fs::remove_dir_all(&root);
        fs::create_dir_all(&root).unwrap();
        let mut volumes = BTreeMap::new();
        for v in spec.volumes.iter().flatten() {
            volumes.insert(v.name.clone(), self.volume(&root, &pod_name, v));
        }
        // Claims of the StatefulSet's volumeClaimTemplates: one per pod, kept.
        for t in o["spec"]["volumeClaimTemplates"]
            .as_array()
            .into_iter()
            .flatten()
        {
            let claim = t["metadata"]["name"].as_str().unwrap();
            let dir = self.claim_dir(&format!("{claim}-{pod_name}"));
            volumes.insert(claim.to_owned(), dir);
        }
        Pod {
            name: pod_name,
            labels,
            spec,
            root,
            volumes,
        }
    }

    fn claim_dir(&self, claim: &str) -> PathBuf {
        let dir = self.dir.path().join("claims").join(claim);
        if !dir.exists() {
            fs::create_dir_all(&dir).unwrap();
            chown_tree(&dir);
        }
        dir
    }

    fn volume(&self, root: &Path, pod: &str, v: &Volume) -> PathBuf {
        let dir = root.join("volumes").join(&v.name);
        fs::create_dir_all(&dir).unwrap();
        let write = |path: &str, bytes: &[u8], mode: i32| {
            let file = dir.join(path);
            fs::create_dir_all(file.parent().unwrap()).unwrap();
            fs::write(&file, bytes).unwrap();
            fs::set_permissions(&file, fs::Permissions::from_mode(mode as u32)).unwrap();
        };
        if let Some(s) = &v.secret {
            let name = s.secret_name.clone().unwrap();
            let data = self.secret(&name).unwrap_or_else(|| {
                panic!("pod {pod}: volume {} names Secret {name}, which neither manifests.yaml nor the cluster has", v.name)
            });
            let mode = s.default_mode.unwrap_or(0o644);
            match &s.items {
                Some(items) => {
                    for item in items {
                        let bytes = data.get(&item.key).unwrap_or_else(|| {
                            panic!(
                                "pod {pod}: Secret {name} has no key {} (volume {})",
                                item.key, v.name
                            )
                        });
                        write(&item.path, bytes, item.mode.unwrap_or(mode));
                    }
                }
                None => {
                    for (k, bytes) in &data {
                        write(k, bytes, mode);
                    }
                }
            }
        } else if let Some(c) = &v.config_map {
            let name = c.name.clone();
            let data = self.config_map(&name).unwrap_or_else(|| {
                panic!(
                    "pod {pod}: volume {} names ConfigMap {name}, which is not rendered",
                    v.name
                )
            });
            let mode = c.default_mode.unwrap_or(0o644);
            match &c.items {
                Some(items) => {
                    for item in items {
                        let text = data.get(&item.key).unwrap_or_else(|| {
                            panic!("pod {pod}: ConfigMap {name} has no key {}", item.key)
                        });
                        write(&item.path, text.as_bytes(), item.mode.unwrap_or(mode));
                    }
                }
                None => {
                    for (k, text) in &data {
                        write(k, text.as_bytes(), mode);
                    }
                }
            }
        } else if let Some(pvc) = &v.persistent_volume_claim {
            assert!(
                self.object("PersistentVolumeClaim", &pvc.claim_name)
                    .is_some(),
                "pod {pod}: volume {} claims {}, which is not rendered",
                v.name,
                pvc.claim_name
            );
            let _ = fs::remove_dir(&dir);
            return self.claim_dir(&pvc.claim_name);
        } else {
            assert!(
                v.empty_dir.is_some(),
                "pod {pod}: volume {} of an unknown kind",
                v.name
            );
        }
        chown_tree(&dir);
        dir
    }

    /// The Service a host name names (`name`, `name.ns`, `name.ns.svc…`).
    fn service(&self, host: &str) -> Option<&Value> {
        let name = host.split('.').next()?;
        let rest: Vec<&str> = host.split('.').skip(1).collect();
        if !rest.is_empty() && rest[0] != self.namespace {
            return None;
        }
        self.object("Service", name)
    }

    /// The host port behind a Service's port, through its selector and
    /// target port to a started pod.
    fn resolve_service(&self, service: &Value, port: u16) -> Result<u16, String> {
        let name = service["metadata"]["name"].as_str().unwrap_or_default();
        let sp = service["spec"]["ports"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|p| p["port"] == port)
            .ok_or_else(|| format!("Service {name} has no port {port}"))?;
        let target = &sp["targetPort"];
        let selector: BTreeMap<String, String> =
            serde_json::from_value(service["spec"]["selector"].clone()).unwrap_or_default();
        let pods = self.pods.lock().unwrap();
        for (pod, net) in pods.iter() {
            if !selector.iter().all(|(k, v)| net.labels.get(k) == Some(v)) {
                continue;
            }
            for (pname, cport, host) in &net.ports {
                let hit = match target {
                    Value::String(t) => pname.as_deref() == Some(t.as_str()),
                    Value::Number(n) => n.as_u64() == Some(u64::from(*cport)),
                    _ => u64::from(*cport) == u64::from(port),
                };
                if hit {
                    let _ = pod;
                    return Ok(*host);
                }
            }
        }
        Err(format!(
            "Service {name} port {port} (target {target}) selects no started pod with that port (selector {selector:?})"
        ))
    }

    /// Registers a pod's ports on the emulated network (a free host port for
    /// each container port) and returns the map.
    pub fn attach(&self, pod: &Pod) -> Vec<(Option<String>, u16, u16)> {
        let mut pods = self.pods.lock().unwrap();
        let net = pods.entry(pod.name.clone()).or_insert_with(|| PodNet {
            labels: pod.labels.clone(),
            ports: pod
                .spec
                .containers
                .iter()
                .flat_map(|c| c.ports.iter().flatten())
                .map(|p| (p.name.clone(), p.container_port as u16, free_port()))
                .collect(),
        });
        net.ports.clone()
    }

    /// The host port a pod's container port is mapped to.
    pub fn host_port(&self, pod: &Pod, container_port: u16) -> u16 {
        self.attach(pod)
            .into_iter()
            .find(|(_, c, _)| *c == container_port)
            .map(|(_, _, h)| h)
            .unwrap_or_else(|| panic!("pod {} has no port {container_port}", pod.name))
    }

    /// A container of a pod, set up to run: mounts in place, env resolved,
    /// absolute paths and pod-local ports rewritten, Service names resolved.
    pub fn prepare(&self, pod: &Pod, container: &str) -> Result<Prepared, String> {
        let c: &Container = pod
            .spec
            .containers
            .iter()
            .chain(pod.spec.init_containers.iter().flatten())
            .find(|c| c.name == container)
            .ok_or_else(|| format!("pod {} has no container {container}", pod.name))?;
        // The rendered user: non-root, as the pod says.
        let sc = c.security_context.as_ref();
        let uid = sc.and_then(|s| s.run_as_user).or_else(|| {
            pod.spec
                .security_context
                .as_ref()
                .and_then(|s| s.run_as_user)
        });
        assert!(
            uid.is_some_and(|u| u > 0),
            "pod {}: container {container} runs as {uid:?}",
            pod.name
        );
        let root = pod.root.join(container);
        let fresh = !root.exists();
        fs::create_dir_all(&root).unwrap();
        for m in c.volume_mounts.iter().flatten().filter(|_| fresh) {
            let mut source =
                pod.volumes.get(&m.name).cloned().ok_or_else(|| {
                    format!("pod {}: mount of unknown volume {}", pod.name, m.name)
                })?;
            if let Some(sub) = m.sub_path.as_deref().filter(|s| !s.is_empty()) {
                source = source.join(sub);
                fs::create_dir_all(&source).unwrap();
                chown_tree(&source);
            }
            let at = root.join(m.mount_path.trim_start_matches('/'));
            fs::create_dir_all(at.parent().unwrap()).unwrap();
            std::os::unix::fs::symlink(&source, &at).unwrap();
        }
        if fresh {
            chown_tree(&root);
        }
        let pod_ports = self.attach(pod);
        let rewrite = |s: &str| -> String {
            let mut s = if s.starts_with('/') {
                format!("{}{s}", root.display())
            } else if let Some((k, v)) = s.split_once("=/") {
                format!("{k}={}/{v}", root.display())
            } else {
                s.to_owned()
            };
            for (_, cport, host) in &pod_ports {
                for (from, to) in [
                    (format!("127.0.0.1:{cport}"), format!("127.0.0.1:{host}")),
                    (format!("localhost:{cport}"), format!("127.0.0.1:{host}")),
                    (format!("--port={cport}"), format!("--port={host}")),
                    (
                        format!("--web.listen-address=:{cport}"),
                        format!("--web.listen-address=127.0.0.1:{host}"),
                    ),
                ] {
                    if s.ends_with(&from) || s.contains(&format!("{from}/")) || s == from {
                        s = s.replace(&from, &to);
                    }
                }
            }
            s
        };
        let mut env = BTreeMap::new();
        for e in c.env.iter().flatten() {
            let value = match (&e.value, &e.value_from) {
                (Some(v), _) => v.clone(),
                (None, Some(from)) => {
                    if let Some(r) = &from.secret_key_ref {
                        let data = self
                            .secret(&r.name)
                            .ok_or_else(|| format!("env {}: no Secret {}", e.name, r.name))?;
                        String::from_utf8(
                            data.get(&r.key)
                                .ok_or_else(|| {
                                    format!(
                                        "env {}: Secret {} has no key {}",
                                        e.name, r.name, r.key
                                    )
                                })?
                                .clone(),
                        )
                        .unwrap()
                    } else if let Some(r) = &from.config_map_key_ref {
                        self.config_map(&r.name)
                            .and_then(|d| d.get(&r.key).cloned())
                            .ok_or_else(|| {
                                format!("env {}: ConfigMap {} has no key {}", e.name, r.name, r.key)
                            })?
                    } else if let Some(f) = &from.field_ref {
                        match f.field_path.as_str() {
                            "metadata.name" => pod.name.clone(),
                            "metadata.namespace" => self.namespace.clone(),
                            other => return Err(format!("env {}: fieldRef {other}", e.name)),
                        }
                    } else {
                        return Err(format!("env {}: unsupported valueFrom", e.name));
                    }
                }
                (None, None) => String::new(),
            };
            env.insert(e.name.clone(), rewrite(&value));
        }
        // A Service in PGHOST: resolved through the emulated cluster network.
        if let Some(host) = env.get("PGHOST").cloned()
            && let Some(service) = self.service(&host)
        {
            let port: u16 = env
                .get("PGPORT")
                .and_then(|p| p.parse().ok())
                .unwrap_or(5432);
            let mapped = self.resolve_service(service, port)?;
            env.insert("PGHOST".into(), "127.0.0.1".into());
            env.insert("PGPORT".into(), mapped.to_string());
        }
        // The command is the image's program; args may name mounted paths.
        let argv: Vec<String> = c
            .command
            .iter()
            .flatten()
            .cloned()
            .chain(c.args.iter().flatten().map(|a| {
                if a.contains('\n') {
                    a.clone()
                } else {
                    rewrite(a)
                }
            }))
            .collect();
        Ok(Prepared { root, argv, env })
    }

    /// PATH inside the tools image: PostgreSQL 18's clients, then the
    /// server's binaries, then the system's.
    pub fn image_path(&self) -> String {
        format!(
            "{}:{}:/usr/local/bin:/usr/bin:/bin",
            self.client_bin.display(),
            self.server_bin.display()
        )
    }

    /// A command that runs `argv` as the container's user, in a session of
    /// its own, with only `env` (plus PATH and LANG).
    pub fn command(&self, argv: &[String], env: &BTreeMap<String, String>, cwd: &Path) -> Command {
        let mut cmd = Command::new("setsid");
        cmd.arg("--wait");
        if let Some((uid, gid)) = run_as() {
            cmd.args([
                "setpriv".to_owned(),
                format!("--reuid={uid}"),
                format!("--regid={gid}"),
                "--clear-groups".to_owned(),
            ]);
        }
        cmd.args(argv)
            .env_clear()
            .env("PATH", self.image_path())
            .env("LANG", "C.UTF-8")
            .envs(env)
            .current_dir(cwd)
            .stdin(Stdio::null());
        cmd
    }

    /// Runs a container (its rendered `bash -c` script) to completion.
    pub fn run(&self, pod: &Pod, container: &str, overrides: &[(&str, String)]) -> Output {
        let mut p = self
            .prepare(pod, container)
            .unwrap_or_else(|e| panic!("{e}"));
        for (k, v) in overrides {
            p.env.insert((*k).to_owned(), v.clone());
        }
        assert_eq!(p.argv[..2], ["/bin/bash".to_owned(), "-c".to_owned()]);
        let argv = ["bash".to_owned(), "-c".to_owned(), p.argv[2].clone()];
        self.command(&argv, &p.env, &p.root).output().unwrap()
    }

    /// Starts a long-running container (the exporter) with a program that
    /// stands for its image's entrypoint.
    pub fn spawn(&self, pod: &Pod, container: &str, program: &Path) -> Child {
        let p = self
            .prepare(pod, container)
            .unwrap_or_else(|e| panic!("{e}"));
        let mut argv = vec![program.display().to_string()];
        argv.extend(p.argv);
        self.command(&argv, &p.env, &p.root)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    }

    /// Runs one of a container's exec probes (`liveness`, `readiness`,
    /// `startup`).
    pub fn probe(&self, pod: &Pod, container: &str, which: &str) -> Output {
        let c = pod
            .spec
            .containers
            .iter()
            .find(|c| c.name == container)
            .unwrap();
        let probe = match which {
            "liveness" => c.liveness_probe.as_ref(),
            "readiness" => c.readiness_probe.as_ref(),
            "startup" => c.startup_probe.as_ref(),
            _ => None,
        }
        .unwrap_or_else(|| panic!("{container} has no {which} probe"));
        let exec = probe.exec.as_ref().and_then(|e| e.command.clone()).unwrap();
        let p = self.prepare(pod, container).unwrap();
        let pod_ports = self.attach(pod);
        let argv: Vec<String> = exec
            .iter()
            .map(|a| {
                let mut a = a.clone();
                for (_, cport, host) in &pod_ports {
                    if a == format!("--port={cport}") {
                        a = format!("--port={host}");
                    }
                }
                a
            })
            .collect();
        self.command(&argv, &p.env, &p.root).output().unwrap()
    }
}

/// A server container started by the entrypoint stand-in.
pub struct Server {
    /// The host port of the server's container port.
    pub port: u16,
    /// The server log.
    pub log: PathBuf,
    data_dir: PathBuf,
    argv_prefix: Vec<String>,
    pg_ctl: PathBuf,
    root: PathBuf,
}

impl Server {
    /// The server log so far.
    pub fn log_text(&self) -> String {
        fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Stops the server (`pg_ctl stop -m fast`), as the kubelet's SIGTERM does.
    pub fn stop(&self) {
        let mut argv = self.argv_prefix.clone();
        argv.push(self.pg_ctl.display().to_string());
        argv.extend(
            [
                "-D",
                &self.data_dir.display().to_string(),
                "stop",
                "-m",
                "fast",
                "-w",
                "-t",
                "60",
            ]
            .map(str::to_owned),
        );
        let _ = Command::new(&argv[0])
            .args(&argv[1..])
            .current_dir(&self.root)
            .output();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if self.data_dir.join("postmaster.pid").exists() {
            self.stop();
        }
    }
}

impl Cluster {
    /// The server container of a StatefulSet pod, started as its image's
    /// entrypoint would (see the module docs): `initdb` on first boot with
    /// the superuser password from the file the image's password variable
    /// names, then `postgres` with the mounted configuration. Fails with the
    /// server's own message when it does not start.
    pub fn start_server(&self, pod: &Pod) -> Result<Server, String> {
        let p = self.prepare(pod, "postgresql")?;
        let c = pod
            .spec
            .containers
            .iter()
            .find(|c| c.name == "postgresql")
            .unwrap();
        let port = c
            .ports
            .iter()
            .flatten()
            .find(|p| p.name.as_deref() == Some("postgresql"))
            .ok_or("no postgresql port")?;
        let host_port = self.host_port(pod, port.container_port as u16);
        let pgdata = PathBuf::from(p.env.get("PGDATA").ok_or("no PGDATA")?);
        let bitnami = p.env.contains_key("POSTGRESQL_PASSWORD_FILE");
        let password_file = p
            .env
            .get(if bitnami {
                "POSTGRESQL_PASSWORD_FILE"
            } else {
                "POSTGRES_PASSWORD_FILE"
            })
            .ok_or("no superuser password file variable")?;
        // Each image's own default: bitnami's socket in its /tmp, the official
        // image's in /var/run/postgresql (both scratch mounts).
        let socket_dir =
            fs::canonicalize(
                p.root
                    .join(if bitnami { "tmp" } else { "var/run/postgresql" }),
            )
            .map_err(|e| format!("the image's socket directory: {e}"))?;
        let (config_file, hba_file) = if bitnami {
            let conf = p.root.join("bitnami/postgresql/conf");
            (conf.join("postgresql.conf"), conf.join("pg_hba.conf"))
        } else {
            let find = |key: &str| {
                p.argv
                    .iter()
                    .find_map(|a| a.strip_prefix(&format!("{key}=")))
                    .map(PathBuf::from)
            };
            (
                find("config_file").ok_or("the official image's args name no config_file")?,
                find("hba_file").ok_or("the official image's args name no hba_file")?,
            )
        };
        let prefix: Vec<String> = {
            let mut v = vec!["setsid".to_owned(), "--wait".to_owned()];
            if let Some((uid, gid)) = run_as() {
                v.extend([
                    "setpriv".to_owned(),
                    format!("--reuid={uid}"),
                    format!("--regid={gid}"),
                    "--clear-groups".to_owned(),
                ]);
            }
            v
        };
        let run = |args: Vec<String>| -> Output {
            let mut argv = prefix.clone();
            argv.extend(args);
            Command::new(&argv[0])
                .args(&argv[1..])
                .env_clear()
                .env(
                    "PATH",
                    format!("{}:/usr/bin:/bin", self.server_bin.display()),
                )
                .env("LANG", "C.UTF-8")
                .current_dir(&p.root)
                .stdin(Stdio::null())
                .output()
                .unwrap()
        };
        if !pgdata.join("PG_VERSION").exists() {
            let mut args = vec![
                "initdb".to_owned(),
                format!("--pgdata={}", pgdata.display()),
                "--username=postgres".to_owned(),
                format!("--pwfile={password_file}"),
                "--auth=scram-sha-256".to_owned(),
                "--encoding=UTF8".to_owned(),
                "--locale=C.UTF-8".to_owned(),
                "--no-sync".to_owned(),
            ];
            // The entrypoints add these words to initdb's command line.
            for var in ["POSTGRES_INITDB_ARGS", "POSTGRESQL_INITDB_ARGS"] {
                if let Some(words) = p.env.get(var) {
                    args.extend(words.split_whitespace().map(str::to_owned));
                }
            }
            for var in ["POSTGRES_INITDB_WALDIR", "POSTGRESQL_INITDB_WAL_DIR"] {
                if let Some(w) = p.env.get(var) {
                    args.push(format!("--waldir={w}"));
                }
            }
            let out = run(args);
            if !out.status.success() {
                return Err(format!("initdb failed: {}", super::text(&out)));
            }
        }
        let log = p.root.join("postgresql.log");
        let options = format!(
            "-c config_file={} -c hba_file={} -c port={host_port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={}",
            config_file.display(),
            hba_file.display(),
            socket_dir.display()
        );
        let out = run(vec![
            "pg_ctl".into(),
            "-D".into(),
            pgdata.display().to_string(),
            "-l".into(),
            log.display().to_string(),
            "-w".into(),
            "-t".into(),
            "60".into(),
            "-o".into(),
            options,
            "start".into(),
        ]);
        let server = Server {
            port: host_port,
            log: log.clone(),
            data_dir: pgdata,
            argv_prefix: prefix,
            pg_ctl: self.server_bin.join("pg_ctl"),
            root: p.root.clone(),
        };
        if !out.status.success() {
            return Err(format!(
                "the server did not start: {}\n--- server log ---\n{}",
                super::text(&out),
                server.log_text()
            ));
        }
        Ok(server)
    }
}
