//! `pgplan doc FILE` and `pgplan diagram FILE`: what people read about one
//! plan. The document's installation steps list what the backends render
//! for the plan, so the functions here are of one plan and its files.

use std::path::Path;

use pgplan_core::{Platform, ValidPlan};
use pgplan_doc::{DocOptions, Lang, PriceTable, Rendered, Target as DocTarget};

use crate::args::Target;

/// What `doc` was asked to do.
pub struct DocArgs<'a> {
    /// Plan file.
    pub file: &'a Path,
    /// Language.
    pub lang: Lang,
    /// Output file (standard output when `None`).
    pub out: Option<&'a Path>,
    /// Price table file.
    pub prices: Option<&'a Path>,
    /// Embed the diagram.
    pub diagram: bool,
}

/// What the backends render for a plan, target by target: the file names
/// and the objects or requests in apply order.
pub fn rendered(plan: &ValidPlan) -> Vec<Rendered> {
    let mut out = Vec::new();
    let files = |target| {
        super::render::render_target(plan, target)
            .map(|f| f.into_keys().collect::<Vec<_>>())
            .unwrap_or_default()
    };
    out.push(Rendered {
        target: DocTarget::Sql,
        files: files(Target::Sql),
        items: Vec::new(),
    });
    match &plan.platform {
        Platform::Kubernetes(_) => {
            let items = super::render::k8s_options(plan)
                .ok()
                .and_then(|opts| pgplan_k8s::render_objects(plan, &opts).ok())
                .unwrap_or_default()
                .iter()
                .map(|o| match o.namespace() {
                    Some(ns) => format!("{} {ns}/{}", o.kind(), o.name()),
                    None => format!("{} {}", o.kind(), o.name()),
                })
                .collect();
            out.push(Rendered {
                target: DocTarget::Kubernetes,
                files: files(Target::K8s),
                items,
            });
        }
        Platform::Azure(_) => {
            let items = pgplan_azure::render_operations(plan)
                .unwrap_or_default()
                .iter()
                .map(|op| format!("{} {}", op.method, op.summary))
                .collect();
            out.push(Rendered {
                target: DocTarget::Azure,
                files: files(Target::Azure),
                items,
            });
        }
        // The files `pgplan up` runs the plan from (their names do not
        // depend on the run directory).
        Platform::Local(_) => out.push(Rendered {
            target: DocTarget::Ha,
            files: files(Target::Ha),
            items: Vec::new(),
        }),
    }
    out
}

/// The plan's document (pure: the backends render in memory).
pub fn document_of(
    plan: &ValidPlan,
    plan_file: &str,
    lang: Lang,
    prices: Option<PriceTable>,
    diagram: bool,
) -> String {
    pgplan_doc::document(
        plan,
        &DocOptions {
            lang,
            plan_file: plan_file.to_owned(),
            rendered: rendered(plan),
            prices,
            diagram,
        },
    )
}

/// Loads and validates a plan, printing its findings; `Err` is the exit
/// code: 2 when the file cannot be read, 1 when the plan has errors.
pub fn load_plan(path: &Path) -> Result<ValidPlan, u8> {
    super::load_valid(path, false)
}

/// Reads a price table; `Err` carries the exit code after printing why.
pub fn load_prices(path: Option<&Path>) -> Result<Option<PriceTable>, u8> {
    let Some(path) = path else { return Ok(None) };
    let text = std::fs::read_to_string(path).map_err(|e| {
        eprintln!("cannot read {}: {e}", path.display());
        super::EXIT_UNREADABLE
    })?;
    PriceTable::from_yaml(&text).map(Some).map_err(|e| {
        eprintln!("{}: {e}", path.display());
        super::EXIT_UNREADABLE
    })
}

/// Writes text to a file, or to standard output; returns the exit code.
pub fn write_out(out: Option<&Path>, text: &str) -> u8 {
    match out {
        None => {
            print!("{text}");
            0
        }
        Some(path) => {
            if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty())
                && let Err(e) = std::fs::create_dir_all(parent)
            {
                eprintln!("cannot create {}: {e}", parent.display());
                return super::EXIT_UNREADABLE;
            }
            match std::fs::write(path, text) {
                Ok(()) => {
                    eprintln!("wrote {}", path.display());
                    0
                }
                Err(e) => {
                    eprintln!("cannot write {}: {e}", path.display());
                    super::EXIT_UNREADABLE
                }
            }
        }
    }
}

/// Runs `pgplan doc`; returns the exit code.
pub fn run(args: &DocArgs<'_>) -> u8 {
    let prices = match load_prices(args.prices) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let plan = match load_plan(args.file) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let text = document_of(
        &plan,
        &args.file.display().to_string(),
        args.lang,
        prices,
        args.diagram,
    );
    write_out(args.out, &text)
}

/// Runs `pgplan diagram`; returns the exit code.
pub fn run_diagram(file: &Path, lang: Lang, out: Option<&Path>) -> u8 {
    let plan = match load_plan(file) {
        Ok(p) => p,
        Err(code) => return code,
    };
    write_out(out, &pgplan_doc::diagram(&plan, lang))
}
