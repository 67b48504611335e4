//! `pgplan render FILE|DIR… --target T --out DIR [--force]`.
//!
//! One plan renders into DIR. Several plans (or a directory of them) render
//! in parallel into one subdirectory per plan; a Kubernetes Namespace that
//! plans share is written once, to `DIR/00-namespaces.yaml` (the name sorts
//! first, so `kubectl apply -R -f DIR` creates it before what lives in it).
//! Every directory is written as [`crate::write_out`] writes: atomically,
//! never through a symbolic link, never over a file pgplan did not write
//! (unless `--force`).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use k8s_openapi::api::core::v1::Namespace;
use pgplan_core::escape::terminal;
use pgplan_core::{Platform, ValidPlan};

use crate::args::Target;
use crate::fleet::{self, Outcome, PlanInput};
use crate::report::blocking;
use crate::write_out::{MANIFEST, WriteError, Written, write_files};

/// Where the Namespaces plans share are written in a fleet's output.
pub const SHARED_NAMESPACES: &str = "00-namespaces.yaml";

/// The Kubernetes render options of a plan: the SQL backend's init script
/// and migration runner for the schema-init Job. Every command that renders
/// Kubernetes objects takes them from here, so none can leave one out.
///
/// # Errors
///
/// The SQL backend's, as text.
pub fn k8s_options(plan: &ValidPlan) -> Result<pgplan_k8s::RenderOptions, String> {
    let init_script = pgplan_sql::init_script_for_job(plan).map_err(|e| e.to_string())?;
    Ok(pgplan_k8s::RenderOptions {
        init_script: Some(init_script),
        migrations: pgplan_sql::migration_runner_for_job(plan),
        ..Default::default()
    })
}

/// Renders a target's files (pure; no IO).
pub fn render_target(plan: &ValidPlan, target: Target) -> Result<BTreeMap<String, String>, String> {
    match target {
        Target::Sql => pgplan_sql::render_files(plan).map_err(|e| e.to_string()),
        Target::K8s => {
            pgplan_k8s::render_files(plan, &k8s_options(plan)?).map_err(|e| e.to_string())
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
    pgplan_k8s::render_files_without_namespace(plan, &k8s_options(plan)?).map_err(|e| e.to_string())
}

/// What rendering one plan did.
struct Rendered {
    outcome: Outcome,
    /// Findings and failures (stderr), escaped for the terminal.
    log: String,
    /// Files written, stale files removed, stale files kept because they
    /// changed since, and files left as the earlier render wrote them
    /// (paths, for a single plan's listing).
    written: Vec<PathBuf>,
    removed: Vec<PathBuf>,
    kept: Vec<PathBuf>,
    unchanged: Vec<PathBuf>,
    bytes: usize,
    /// Info findings (counted in a fleet's summary).
    infos: usize,
    /// Its Namespace, when it is written with the fleet's shared objects.
    namespace: Option<Namespace>,
}

/// Appends a line to a log that is printed as it is.
fn note(log: &mut String, line: &str) {
    let _ = writeln!(log, "{}", terminal::text(line));
}

/// Why nothing (or not everything) was written to `dir`, and the outcome.
fn write_failed(log: &mut String, dir: &Path, e: WriteError) -> Outcome {
    match e {
        WriteError::Refused(list) => {
            note(
                log,
                &format!(
                    "nothing written to {}: these files are in the way and pgplan did not write \
                     them (its {MANIFEST} lists what it wrote):",
                    dir.display()
                ),
            );
            for f in &list {
                note(log, &format!("  {f}"));
            }
            note(
                log,
                "move them away, render into another directory, or pass --force to replace them \
                 (a symbolic link is replaced, never followed)",
            );
            Outcome::Refused
        }
        WriteError::Io { message } => {
            note(
                log,
                &format!(
                    "{message}; files already in {} are as they were before this render unless \
                     listed as written",
                    dir.display()
                ),
            );
            Outcome::Target
        }
    }
}

/// What `render` was asked to do, for every plan.
#[derive(Clone, Copy)]
struct Ask {
    target: Target,
    fleet: bool,
    verbose: bool,
    force: bool,
}

fn render_one(input: &PlanInput, dir: &Path, ask: Ask) -> Rendered {
    let Ask {
        target,
        fleet,
        verbose,
        force,
    } = ask;
    let mut done = Rendered {
        outcome: Outcome::Ok,
        log: String::new(),
        written: Vec::new(),
        removed: Vec::new(),
        kept: Vec::new(),
        unchanged: Vec::new(),
        bytes: 0,
        infos: 0,
        namespace: None,
    };
    let (plan, source) = match super::load(&input.path) {
        Ok(x) => x,
        Err(e) => {
            let _ = writeln!(done.log, "{:?}", e.report());
            done.outcome = Outcome::Unreadable;
            return done;
        }
    };
    let plan = match plan.validate_with_options(&super::validate_options()) {
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
            note(
                &mut done.log,
                &format!(
                    "{}: not rendered: fix the {} error(s) above first",
                    source.name,
                    report.errors().count()
                ),
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
    // Render everything first: a plan that fails to render writes nothing,
    // and its files (every target's, under `all`) are written in one go.
    let mut outputs = BTreeMap::new();
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
                for (name, contents) in files {
                    let name = if target == Target::All {
                        format!("{}/{name}", target_dir(*t))
                    } else {
                        name
                    };
                    outputs.insert(name, contents);
                }
            }
            Err(e) => {
                note(
                    &mut done.log,
                    &format!("{}: cannot render: {e}", source.name),
                );
                done.outcome = Outcome::Failed;
                done.namespace = None;
                return done;
            }
        }
    }
    match write_files(dir, &outputs, force) {
        Ok(Written {
            written,
            removed,
            kept,
            unchanged,
        }) => {
            done.bytes = written
                .iter()
                .filter_map(|n| outputs.get(n))
                .map(String::len)
                .sum();
            done.written = written.iter().map(|n| dir.join(n)).collect();
            done.removed = removed.iter().map(|n| dir.join(n)).collect();
            done.kept = kept.iter().map(|n| dir.join(n)).collect();
            done.unchanged = unchanged.iter().map(|n| dir.join(n)).collect();
        }
        Err(e) => {
            done.outcome = write_failed(&mut done.log, dir, e);
            done.namespace = None;
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

/// What writing a fleet's shared objects did.
struct Shared {
    /// The Namespaces' file and how many it holds, when there are any.
    file: Option<(PathBuf, usize)>,
    /// What the write did in `out`.
    written: Written,
}

/// Writes the fleet's shared Namespaces into `out` (with its own manifest:
/// the plans' subdirectories have theirs). Also run without Namespaces when
/// an earlier render left a manifest, so that a stale file goes.
fn write_shared(
    out: &Path,
    namespaces: Vec<Namespace>,
    force: bool,
) -> Result<Shared, (String, Outcome)> {
    let mut files = BTreeMap::new();
    let count = namespaces.len();
    if count > 0 {
        let mut yaml = format!(
            "# {count} namespace(s) shared by the plans in this directory, rendered by pgplan: \
             apply before the plans' manifests.\n"
        );
        for ns in namespaces {
            yaml.push_str("---\n");
            yaml.push_str(&pgplan_k8s::Object::Namespace(ns).to_yaml().map_err(|e| {
                (
                    format!("{}\n", terminal::text(&e.to_string())),
                    Outcome::Failed,
                )
            })?);
            if !yaml.ends_with('\n') {
                yaml.push('\n');
            }
        }
        files.insert(SHARED_NAMESPACES.to_owned(), yaml);
    } else if !out.join(MANIFEST).exists() {
        return Ok(Shared {
            file: None,
            written: Written::default(),
        });
    }
    let written = write_files(out, &files, force).map_err(|e| {
        let mut log = String::new();
        let outcome = write_failed(&mut log, out, e);
        (log, outcome)
    })?;
    Ok(Shared {
        file: (count > 0).then(|| (out.join(SHARED_NAMESPACES), count)),
        written,
    })
}

/// Runs the command; returns the exit code.
pub fn run(files: &[PathBuf], target: Target, out: &Path, verbose: bool, force: bool) -> u8 {
    let started = Instant::now();
    let inputs = match fleet::expand(files) {
        Ok(i) => i,
        Err(e) => {
            crate::out::error(&e);
            return super::EXIT_UNREADABLE;
        }
    };
    let ask = Ask {
        target,
        fleet: inputs.fleet,
        verbose,
        force,
    };
    if !inputs.fleet {
        let done = render_one(&inputs.plans[0], out, ask);
        crate::out::findings(&done.log);
        for path in &done.written {
            crate::out::line(&format!("wrote {}", path.display()));
        }
        for path in &done.unchanged {
            crate::out::line(&format!(
                "unchanged {} (as the earlier render wrote it)",
                path.display()
            ));
        }
        for path in &done.removed {
            crate::out::line(&format!(
                "removed {} (an earlier render wrote it; this one does not)",
                path.display()
            ));
        }
        for path in &done.kept {
            crate::out::error(&format!(
                "kept {}: an earlier render wrote it and it changed since; remove it if it is no \
                 longer needed",
                path.display()
            ));
        }
        return done.outcome.code();
    }
    let rendered = fleet::parallel_io(&inputs.plans, |p| render_one(p, &out.join(&p.label), ask));
    let mut log = String::new();
    for r in &rendered {
        log.push_str(&r.log);
    }
    let mut notes = String::new();
    let Shared {
        file: shared,
        written: shared_written,
    } = match write_shared(out, shared_namespaces(&rendered, &mut notes), force) {
        Ok(shared) => shared,
        Err((e, outcome)) => {
            crate::out::findings(&log);
            crate::out::findings(&e);
            return outcome.code();
        }
    };
    let mut kept: Vec<PathBuf> = rendered.iter().flat_map(|r| r.kept.clone()).collect();
    kept.extend(shared_written.kept.iter().map(|n| out.join(n)));
    for path in &kept {
        note(
            &mut notes,
            &format!(
                "kept {}: an earlier render wrote it and it changed since; remove it if it is no \
                 longer needed",
                path.display()
            ),
        );
    }
    crate::out::findings(&log);
    crate::out::findings(&notes);
    let outcomes: Vec<Outcome> = rendered.iter().map(|r| r.outcome).collect();
    let files: usize = rendered.iter().map(|r| r.written.len()).sum();
    let bytes: usize = rendered.iter().map(|r| r.bytes).sum();
    let mut extra = format!(
        "{files} files ({:.1} MB) in {} in {:.2} s",
        bytes as f64 / 1e6,
        out.display(),
        started.elapsed().as_secs_f64()
    );
    let unchanged: usize =
        rendered.iter().map(|r| r.unchanged.len()).sum::<usize>() + shared_written.unchanged.len();
    if unchanged > 0 {
        let _ = write!(
            extra,
            "; {unchanged} file(s) unchanged since the earlier render (not rewritten)"
        );
    }
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
    let removed: usize =
        rendered.iter().map(|r| r.removed.len()).sum::<usize>() + shared_written.removed.len();
    if removed > 0 {
        let _ = write!(
            extra,
            "; {removed} stale file(s) of an earlier render removed"
        );
    }
    let (line, code) = fleet::summary("rendered", &inputs, &outcomes, &extra);
    crate::out::line(&line);
    code
}
