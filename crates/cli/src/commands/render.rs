//! `pgplan render FILE|DIR… --target T --out DIR`.
//!
//! One plan renders into DIR. Several plans (or a directory of them) render
//! in parallel into one subdirectory per plan; a Kubernetes Namespace that
//! plans share is written once, to `DIR/00-namespaces.yaml` (the name sorts
//! first, so `kubectl apply -R -f DIR` creates it before what lives in it).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use k8s_openapi::api::core::v1::Namespace;
use pgplan_core::{Platform, ValidPlan};

use crate::args::Target;
use crate::fleet::{self, Outcome, PlanInput};
use crate::report::blocking;

/// Where the Namespaces plans share are written in a fleet's output.
pub const SHARED_NAMESPACES: &str = "00-namespaces.yaml";

/// Renders a target's files (pure; no IO).
pub fn render_target(plan: &ValidPlan, target: Target) -> Result<BTreeMap<String, String>, String> {
    match target {
        Target::Sql => pgplan_sql::render_files(plan).map_err(|e| e.to_string()),
        Target::K8s => {
            let init_script = pgplan_sql::init_script_for_job(plan).map_err(|e| e.to_string())?;
            let opts = pgplan_k8s::RenderOptions {
                init_script: Some(init_script),
                ..Default::default()
            };
            pgplan_k8s::render_files(plan, &opts).map_err(|e| e.to_string())
        }
        Target::Azure => {
            // The Entra principals' SQL comes from the SQL backend; deploy.sh
            // runs it with psql.
            let entra = pgplan_sql::entra_principal_script(plan);
            let opts = pgplan_azure::RenderOptions {
                entra_principals: entra.as_ref(),
            };
            pgplan_azure::render_files_with(plan, &opts).map_err(|e| e.to_string())
        }
        Target::Ha => {
            let layout = pgplan_ha::local::layout_for(plan, None);
            pgplan_ha::render_files(plan, &layout).map_err(|e| e.to_string())
        }
        Target::All => Err("`all` is a set of targets: see targets_for".into()),
    }
}

/// The targets that apply to a plan's platform: its platform's own and the
/// SQL scripts (roles, databases, privileges), which every platform takes.
pub fn targets_for(plan: &ValidPlan) -> Vec<Target> {
    match &plan.platform {
        Platform::Kubernetes(_) => vec![Target::Sql, Target::K8s],
        Platform::Azure(_) => vec![Target::Sql, Target::Azure],
        Platform::Local(_) => vec![Target::Sql, Target::Ha],
    }
}

/// The Kubernetes files of a fleet's plan without its Namespace, which is
/// returned apart to be written once for every plan that shares it.
fn k8s_without_namespace(
    plan: &ValidPlan,
) -> Result<(BTreeMap<String, String>, Option<Namespace>), String> {
    let init_script = pgplan_sql::init_script_for_job(plan).map_err(|e| e.to_string())?;
    let opts = pgplan_k8s::RenderOptions {
        init_script: Some(init_script),
        ..Default::default()
    };
    pgplan_k8s::render_files_without_namespace(plan, &opts).map_err(|e| e.to_string())
}

/// What rendering one plan did.
struct Rendered {
    outcome: Outcome,
    /// Findings and failures (stderr).
    log: String,
    /// Files written (paths, for a single plan's listing).
    written: Vec<PathBuf>,
    bytes: usize,
    /// Info findings (counted in a fleet's summary).
    infos: usize,
    /// Its Namespace, when it is written with the fleet's shared objects.
    namespace: Option<Namespace>,
}

fn write_files(dir: &Path, files: &BTreeMap<String, String>, done: &mut Rendered) -> bool {
    if let Err(e) = std::fs::create_dir_all(dir) {
        let _ = writeln!(done.log, "cannot create {}: {e}", dir.display());
        return false;
    }
    for (name, contents) in files {
        let path = dir.join(name);
        if name.contains('/')
            && let Some(parent) = path.parent()
            && let Err(e) = std::fs::create_dir_all(parent)
        {
            let _ = writeln!(done.log, "cannot create {}: {e}", parent.display());
            return false;
        }
        if let Err(e) = std::fs::write(&path, contents) {
            let _ = writeln!(done.log, "cannot write {}: {e}", path.display());
            return false;
        }
        done.bytes += contents.len();
        done.written.push(path);
    }
    true
}

fn render_one(
    input: &PlanInput,
    target: Target,
    dir: &Path,
    fleet: bool,
    verbose: bool,
) -> Rendered {
    let mut done = Rendered {
        outcome: Outcome::Ok,
        log: String::new(),
        written: Vec::new(),
        bytes: 0,
        infos: 0,
        namespace: None,
    };
    let (plan, source) = match super::load(&input.path) {
        Ok(x) => x,
        Err(report) => {
            let _ = writeln!(done.log, "{report:?}");
            done.outcome = Outcome::Unreadable;
            return done;
        }
    };
    let plan = match plan.validate() {
        Ok(valid) => {
            done.log
                .push_str(&blocking(valid.report(), &source, verbose, !fleet));
            done.infos = valid.report().count(pgplan_core::Severity::Info);
            valid
        }
        Err(report) => {
            done.log
                .push_str(&blocking(&report, &source, verbose, !fleet));
            done.infos = report.count(pgplan_core::Severity::Info);
            let _ = writeln!(
                done.log,
                "{}: not rendered: fix the {} error(s) above first",
                source.name,
                report.errors().count()
            );
            done.outcome = Outcome::Failed;
            return done;
        }
    };
    let targets = if target == Target::All {
        targets_for(&plan)
    } else {
        vec![target]
    };
    // Render everything first: a plan that fails to render writes nothing.
    let mut outputs = Vec::new();
    for t in &targets {
        let rendered = if fleet && *t == Target::K8s {
            k8s_without_namespace(&plan).map(|(files, ns)| {
                done.namespace = ns;
                files
            })
        } else {
            render_target(&plan, *t)
        };
        match rendered {
            Ok(files) => {
                let sub = if target == Target::All {
                    dir.join(target_dir(*t))
                } else {
                    dir.to_path_buf()
                };
                outputs.push((sub, files));
            }
            Err(e) => {
                let _ = writeln!(done.log, "{}: cannot render: {e}", source.name);
                done.outcome = Outcome::Failed;
                done.namespace = None;
                return done;
            }
        }
    }
    for (sub, files) in &outputs {
        if !write_files(sub, files, &mut done) {
            done.outcome = Outcome::Unreadable;
            return done;
        }
    }
    done
}

fn target_dir(t: Target) -> &'static str {
    match t {
        Target::Sql => "sql",
        Target::K8s => "k8s",
        Target::Azure => "azure",
        Target::Ha => "ha",
        Target::All => "all",
    }
}

/// The Namespaces of a fleet, one per name. Plans that label a shared
/// Namespace differently keep only the labels they agree on (a note says
/// which namespace).
fn shared_namespaces(rendered: &[Rendered], notes: &mut String) -> Vec<Namespace> {
    let mut by_name: BTreeMap<String, (Namespace, usize)> = BTreeMap::new();
    for ns in rendered.iter().filter_map(|r| r.namespace.as_ref()) {
        let name = ns.metadata.name.clone().unwrap_or_default();
        match by_name.get_mut(&name) {
            None => {
                by_name.insert(name, (ns.clone(), 1));
            }
            Some((shared, count)) => {
                *count += 1;
                if shared.metadata.labels != ns.metadata.labels {
                    let theirs = ns.metadata.labels.clone().unwrap_or_default();
                    if let Some(labels) = shared.metadata.labels.as_mut() {
                        let before = labels.len();
                        labels.retain(|k, v| theirs.get(k) == Some(v));
                        if labels.len() < before {
                            let _ = writeln!(
                                notes,
                                "note: plans label namespace {name} differently; \
                                 {SHARED_NAMESPACES} keeps the labels they share"
                            );
                        }
                    }
                }
            }
        }
    }
    by_name.into_values().map(|(ns, _)| ns).collect()
}

fn write_shared(
    out: &Path,
    namespaces: Vec<Namespace>,
) -> Result<Option<(PathBuf, usize)>, String> {
    if namespaces.is_empty() {
        return Ok(None);
    }
    let count = namespaces.len();
    let mut yaml = format!(
        "# {count} namespace(s) shared by the plans in this directory, rendered by pgplan: \
         apply before the plans' manifests.\n"
    );
    for ns in namespaces {
        yaml.push_str("---\n");
        yaml.push_str(
            &pgplan_k8s::Object::Namespace(ns)
                .to_yaml()
                .map_err(|e| e.to_string())?,
        );
        if !yaml.ends_with('\n') {
            yaml.push('\n');
        }
    }
    std::fs::create_dir_all(out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    let path = out.join(SHARED_NAMESPACES);
    std::fs::write(&path, yaml).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(Some((path, count)))
}

/// Runs the command; returns the exit code.
pub fn run(files: &[PathBuf], target: Target, out: &Path, verbose: bool) -> u8 {
    let started = Instant::now();
    let inputs = match fleet::expand(files) {
        Ok(i) => i,
        Err(e) => {
            eprintln!("{e}");
            return super::EXIT_UNREADABLE;
        }
    };
    if !inputs.fleet {
        let done = render_one(&inputs.plans[0], target, out, false, verbose);
        eprint!("{}", done.log);
        let mut listing = String::new();
        for path in &done.written {
            let _ = writeln!(listing, "wrote {}", path.display());
        }
        print!("{listing}");
        return match done.outcome {
            Outcome::Ok => 0,
            Outcome::Failed => super::EXIT_ERRORS,
            Outcome::Unreadable => super::EXIT_UNREADABLE,
        };
    }
    let rendered = fleet::parallel(&inputs.plans, |p| {
        render_one(p, target, &out.join(&p.label), true, verbose)
    });
    let mut log = String::new();
    for r in &rendered {
        log.push_str(&r.log);
    }
    let mut notes = String::new();
    let shared = match write_shared(out, shared_namespaces(&rendered, &mut notes)) {
        Ok(shared) => shared,
        Err(e) => {
            eprint!("{log}");
            eprintln!("{e}");
            return super::EXIT_UNREADABLE;
        }
    };
    eprint!("{log}{notes}");
    let outcomes: Vec<Outcome> = rendered.iter().map(|r| r.outcome).collect();
    let files: usize = rendered.iter().map(|r| r.written.len()).sum();
    let bytes: usize = rendered.iter().map(|r| r.bytes).sum();
    let mut extra = format!(
        "{files} files ({:.1} MB) in {} in {:.2} s",
        bytes as f64 / 1e6,
        out.display(),
        started.elapsed().as_secs_f64()
    );
    let infos: usize = rendered.iter().map(|r| r.infos).sum();
    if infos > 0 {
        let _ = write!(
            extra,
            "; {infos} info finding(s) (`pgplan validate` shows them)"
        );
    }
    if let Some((path, count)) = shared {
        let _ = write!(
            extra,
            "; {count} shared namespace(s) in {} (apply it first)",
            path.display()
        );
    }
    let (line, code) = fleet::summary("rendered", &inputs, &outcomes, &extra);
    println!("{line}");
    code
}
