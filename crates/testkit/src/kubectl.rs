//! A stand-in for `kubectl` on `PATH`: there is no cluster here, so the
//! rendered scripts that call kubectl run against a small program that
//! answers the commands they use the way kubectl does, keeps Namespaces and
//! Secrets as files, and records every command line. It is a stand-in, not
//! a Kubernetes API server: it knows only `get`/`create namespace`,
//! `get`/`create secret generic` and `patch secret --type=merge`, and fails
//! (exit 2) on any other command or flag.
//!
//! ```no_run
//! let kubectl = pgplan_testkit::KubectlStandIn::new(std::path::Path::new("/tmp/k"))?;
//! // PATH=<kubectl.bin_dir()>:$PATH KUBECTL_STANDIN_DIR=<kubectl.store()> bash bootstrap-secrets.sh
//! let secret = kubectl.secret("shop", "postgresql-orders-superuser");
//! # Ok::<(), pgplan_testkit::TestkitError>(())
//! ```

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use crate::{TestkitError, io_error};

const PROGRAM: &str = include_str!("kubectl_standin.py");

/// A `kubectl` stand-in with its own store.
#[derive(Debug, Clone)]
pub struct KubectlStandIn {
    dir: PathBuf,
}

impl KubectlStandIn {
    /// Writes the program to `<dir>/bin/kubectl` and an empty store to
    /// `<dir>/store`.
    ///
    /// # Errors
    ///
    /// When the files cannot be written.
    pub fn new(dir: &Path) -> Result<KubectlStandIn, TestkitError> {
        let bin = dir.join("bin");
        fs::create_dir_all(&bin).map_err(io_error(format!("creating {}", bin.display())))?;
        fs::create_dir_all(dir.join("store"))
            .map_err(io_error(format!("creating {}/store", dir.display())))?;
        let program = bin.join("kubectl");
        fs::write(&program, PROGRAM).map_err(io_error(format!("writing {}", program.display())))?;
        fs::set_permissions(&program, fs::Permissions::from_mode(0o755))
            .map_err(io_error(format!("chmod {}", program.display())))?;
        Ok(KubectlStandIn {
            dir: dir.to_path_buf(),
        })
    }

    /// The directory to put first on `PATH`.
    pub fn bin_dir(&self) -> PathBuf {
        self.dir.join("bin")
    }

    /// The store; pass it as `KUBECTL_STANDIN_DIR`.
    pub fn store(&self) -> PathBuf {
        self.dir.join("store")
    }

    /// The environment a script needs to call the stand-in as `kubectl`:
    /// `PATH` (the stand-in first, then `path`) and `KUBECTL_STANDIN_DIR`.
    pub fn env(&self, path: &str) -> Vec<(String, String)> {
        vec![
            (
                "PATH".into(),
                format!("{}:{path}", self.bin_dir().display()),
            ),
            (
                "KUBECTL_STANDIN_DIR".into(),
                self.store().display().to_string(),
            ),
        ]
    }

    fn secret_path(&self, namespace: &str, name: &str) -> PathBuf {
        self.store()
            .join("namespaces")
            .join(namespace)
            .join("secrets")
            .join(format!("{name}.json"))
    }

    /// Creates a namespace, as `kubectl create namespace` would.
    ///
    /// # Errors
    ///
    /// When the directory cannot be created.
    pub fn create_namespace(&self, namespace: &str) -> Result<(), TestkitError> {
        let dir = self
            .store()
            .join("namespaces")
            .join(namespace)
            .join("secrets");
        fs::create_dir_all(&dir).map_err(io_error(format!("creating {}", dir.display())))
    }

    /// True when the namespace exists.
    pub fn has_namespace(&self, namespace: &str) -> bool {
        self.store().join("namespaces").join(namespace).is_dir()
    }

    /// A Secret's data, decoded, or `None` when there is no such Secret.
    pub fn secret(&self, namespace: &str, name: &str) -> Option<BTreeMap<String, Vec<u8>>> {
        let text = fs::read_to_string(self.secret_path(namespace, name)).ok()?;
        let json: serde_json::Value = serde_json::from_str(&text).ok()?;
        let data = json.get("data")?.as_object()?;
        Some(
            data.iter()
                .filter_map(|(k, v)| Some((k.clone(), STANDARD.decode(v.as_str()?).ok()?)))
                .collect(),
        )
    }

    /// Stores a Secret (the namespace is created if missing), as someone who
    /// created it by hand before deploying would have.
    ///
    /// # Errors
    ///
    /// When the file cannot be written.
    pub fn put_secret(
        &self,
        namespace: &str,
        name: &str,
        data: &BTreeMap<String, Vec<u8>>,
    ) -> Result<(), TestkitError> {
        self.create_namespace(namespace)?;
        let encoded: serde_json::Map<String, serde_json::Value> = data
            .iter()
            .map(|(k, v)| (k.clone(), serde_json::Value::String(STANDARD.encode(v))))
            .collect();
        let json = serde_json::json!({ "data": encoded, "type": "Opaque" });
        let path = self.secret_path(namespace, name);
        fs::write(&path, json.to_string()).map_err(io_error(format!("writing {}", path.display())))
    }

    /// Every command line the stand-in was called with, in order.
    pub fn calls(&self) -> Vec<Vec<String>> {
        fs::read_to_string(self.store().join("calls.log"))
            .unwrap_or_default()
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect()
    }
}
