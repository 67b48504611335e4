//! Many plans in one process: the plan files a command was given (files or
//! directories of them), run in parallel across cores, with one summary.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::commands::{EXIT_ERRORS, EXIT_REFUSED, EXIT_TARGET, EXIT_UNREADABLE};

/// One plan file to process.
#[derive(Debug, Clone)]
pub struct PlanInput {
    /// The file.
    pub path: PathBuf,
    /// Its name in messages (the path as given or found).
    pub name: String,
    /// Its subdirectory in a fleet's output: the file's path below the
    /// directory it was found in (or its name), without the extension.
    pub label: String,
}

/// The plans of one command.
#[derive(Debug)]
pub struct Inputs {
    /// In order: arguments as given, each directory's files sorted.
    pub plans: Vec<PlanInput>,
    /// More than one plan file, or a directory: output goes to one
    /// subdirectory per plan and ends with a summary line.
    pub fleet: bool,
}

fn is_plan_file(path: &Path) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
        ["yaml", "yml", "json"]
            .iter()
            .any(|x| e.eq_ignore_ascii_case(x))
    })
}

fn label_of(relative: &Path) -> String {
    let stem = relative.with_extension("");
    stem.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

/// Plan files in a directory and its subdirectories (hidden entries
/// skipped), sorted.
fn walk(root: &Path, dir: &Path, found: &mut Vec<PlanInput>) -> Result<(), String> {
    let entries =
        std::fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    let mut paths: Vec<(PathBuf, bool)> = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        // The directory entry tells a directory from a file without a
        // stat per file; a link is followed, as before.
        let is_dir = match entry.file_type() {
            Ok(t) if !t.is_symlink() => t.is_dir(),
            _ => entry.path().is_dir(),
        };
        paths.push((entry.path(), is_dir));
    }
    paths.sort();
    for (path, is_dir) in paths {
        if is_dir {
            walk(root, &path, found)?;
        } else if is_plan_file(&path) {
            let relative = path.strip_prefix(root).unwrap_or(&path);
            found.push(PlanInput {
                name: path.display().to_string(),
                label: label_of(relative),
                path,
            });
        }
    }
    Ok(())
}

/// Expands the command's arguments: a file is a plan, a directory holds
/// plans (`*.yaml`, `*.yml`, `*.json`, in subdirectories too). Two plans
/// that would share an output subdirectory are refused.
pub fn expand(args: &[PathBuf]) -> Result<Inputs, String> {
    let mut plans = Vec::new();
    let mut fleet = args.len() > 1;
    for arg in args {
        if arg.is_dir() {
            fleet = true;
            let before = plans.len();
            walk(arg, arg, &mut plans)?;
            if plans.len() == before {
                return Err(format!(
                    "{} holds no plan files (*.yaml, *.yml or *.json)",
                    arg.display()
                ));
            }
        } else {
            let file_name = arg.file_name().map_or_else(
                || arg.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            );
            plans.push(PlanInput {
                path: arg.clone(),
                name: arg.display().to_string(),
                label: label_of(Path::new(&file_name)),
            });
        }
    }
    if fleet {
        let mut seen: BTreeMap<&str, &str> = BTreeMap::new();
        for p in &plans {
            if let Some(other) = seen.insert(&p.label, &p.name) {
                return Err(format!(
                    "{other} and {} would both be written to the subdirectory `{}`: rename one, \
                     or run them separately",
                    p.name, p.label
                ));
            }
        }
    }
    Ok(Inputs { plans, fleet })
}

/// Runs `work` on every item, in parallel on the machine's cores, and
/// returns the results in input order.
pub fn parallel<T: Sync, R: Send>(items: &[T], work: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    parallel_on(cores, items, work)
}

/// [`parallel`] for work that also waits on the file system (a fleet's
/// render: creating directories and files can block on the disk): two
/// threads per core keep the cores busy while one waits. More do not help
/// (files are not flushed one by one; 32 threads were no faster than 4 on
/// 2 cores) and each costs its own allocator heap.
pub fn parallel_io<T: Sync, R: Send>(items: &[T], work: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    parallel_on(2 * cores, items, work)
}

fn parallel_on<T: Sync, R: Send>(
    threads: usize,
    items: &[T],
    work: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    let threads = threads.min(items.len());
    if threads <= 1 {
        return items.iter().map(work).collect();
    }
    let next = AtomicUsize::new(0);
    let mut results: Vec<(usize, R)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(item) = items.get(i) else { break };
                        done.push((i, work(item)));
                    }
                    done
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| match w.join() {
                Ok(done) => done,
                Err(panic) => std::panic::resume_unwind(panic),
            })
            .collect()
    });
    results.sort_unstable_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, r)| r).collect()
}

/// Ends a command that ran over one plan or a fleet: the JSON report when
/// `json` (a list for a fleet, the one object otherwise; `what` names it in
/// an error), then the exit code — the plan's own, or a fleet's summary line
/// (on stderr) and its code.
pub fn finish(
    verb: &str,
    what: &str,
    inputs: &Inputs,
    outcomes: &[Outcome],
    json: Option<Vec<serde_json::Value>>,
) -> u8 {
    if let Some(mut values) = json {
        let value = if inputs.fleet {
            serde_json::Value::Array(values)
        } else {
            values.pop().unwrap_or_default()
        };
        if let Err(e) = crate::out::json(&value) {
            crate::out::error(&format!("cannot write the {what} as JSON: {e}"));
            return EXIT_UNREADABLE;
        }
    }
    if !inputs.fleet {
        return outcomes.first().map_or(0, |o| o.code());
    }
    let (line, code) = summary(verb, inputs, outcomes, "");
    crate::out::error(&line);
    code
}

/// How one plan went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Done.
    Ok,
    /// The plan has errors.
    Failed,
    /// The file could not be read or parsed, or an argument is wrong.
    Unreadable,
    /// Its target failed (server, cluster or Azure, or its output
    /// directory could not be written).
    Target,
    /// Something was held back (objects pgplan does not manage, files it
    /// did not write).
    Refused,
}

impl Outcome {
    /// From a single-plan exit code.
    pub fn of_code(code: u8) -> Self {
        match code {
            0 => Outcome::Ok,
            EXIT_ERRORS => Outcome::Failed,
            EXIT_UNREADABLE => Outcome::Unreadable,
            EXIT_TARGET => Outcome::Target,
            EXIT_REFUSED => Outcome::Refused,
            _ => Outcome::Failed,
        }
    }

    /// The exit code of a single plan that went this way.
    pub fn code(self) -> u8 {
        match self {
            Outcome::Ok => 0,
            Outcome::Failed => EXIT_ERRORS,
            Outcome::Unreadable => EXIT_UNREADABLE,
            Outcome::Target => EXIT_TARGET,
            Outcome::Refused => EXIT_REFUSED,
        }
    }
}

/// The summary line of a fleet and its exit code: 0 when every plan is
/// fine, otherwise the largest of its plans' exit codes (4 held back, 3 the
/// target failed, 2 unreadable, 1 errors); the failed plans are named.
pub fn summary(verb: &str, inputs: &Inputs, outcomes: &[Outcome], extra: &str) -> (String, u8) {
    let failed: Vec<&str> = inputs
        .plans
        .iter()
        .zip(outcomes)
        .filter(|(_, o)| **o != Outcome::Ok)
        .map(|(p, _)| p.name.as_str())
        .collect();
    let ok = outcomes.len() - failed.len();
    let mut line = format!(
        "{verb} {} plan{}: {ok} ok, {} failed",
        outcomes.len(),
        if outcomes.len() == 1 { "" } else { "s" },
        failed.len()
    );
    if !extra.is_empty() {
        let _ = write!(line, "; {extra}");
    }
    if !failed.is_empty() {
        let _ = write!(line, "\nfailed: {}", failed.join(", "));
    }
    let code = outcomes.iter().map(|o| o.code()).max().unwrap_or(0);
    (line, code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parallel_keeps_the_input_order() {
        let items: Vec<usize> = (0..1000).collect();
        let doubled = parallel(&items, |i| i * 2);
        assert_eq!(doubled, (0..1000).map(|i| i * 2).collect::<Vec<_>>());
        assert!(parallel(&[] as &[usize], |i| *i).is_empty());
    }

    #[test]
    fn labels_are_paths_without_extensions() {
        assert_eq!(label_of(Path::new("a/b/orders.yaml")), "a/b/orders");
        assert_eq!(label_of(Path::new("x.json")), "x");
    }
}
