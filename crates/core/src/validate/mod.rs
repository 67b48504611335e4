//! The validation engine: every rule runs, every finding is collected.
//!
//! Each rule lives in its own file under `rules/` with a stable id, a
//! severity per finding, the field path, a message with the plan's numbers
//! and a help text with the fix.

pub mod diagnostic;
pub mod rules;

use crate::model::plan::Plan;
use crate::tuning::{self, Settings};
pub use diagnostic::{Diagnostic, Report, Severity};

/// What every rule sees: the plan and its resolved settings.
pub struct Context<'a> {
    /// The plan.
    pub plan: &'a Plan,
    /// Explicit and derived settings.
    pub settings: &'a Settings,
}

impl Context<'_> {
    /// True in production.
    pub fn is_production(&self) -> bool {
        self.plan.environment == crate::Environment::Production
    }
    /// The path of an explicit parameter, else the place its value derives from.
    pub fn param_path(&self, name: &str) -> String {
        format!("tuning.parameters.{name}")
    }
}

/// A validation rule.
pub trait Rule: Sync {
    /// Stable id, `PGP001`…
    fn id(&self) -> &'static str;
    /// Short kebab-case name (`connection-budget`).
    fn name(&self) -> &'static str;
    /// One sentence on what the rule checks.
    fn description(&self) -> &'static str;
    /// Appends findings to `out`.
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>);
}

/// Validates a plan: derives its settings and runs every rule.
pub fn validate(plan: &Plan) -> Report {
    let Some(settings) = tuning::derive(plan) else {
        return Report::new(vec![Diagnostic::new(
            "PGP015",
            Severity::Error,
            "version",
            format!("no parameter catalog for PostgreSQL {}", plan.version),
            "use a major version from 14 to 18",
        )]);
    };
    validate_with(plan, &settings)
}

/// Validates a plan whose settings are already derived.
pub fn validate_with(plan: &Plan, settings: &Settings) -> Report {
    let cx = Context { plan, settings };
    let mut out = Vec::new();
    for rule in rules::ALL {
        rule.check(&cx, &mut out);
    }
    Report::new(out)
}

impl Plan {
    /// Validates the plan; see [`validate`].
    pub fn validate(&self) -> Report {
        validate(self)
    }
    /// The plan's resolved settings (explicit, derived, defaults).
    pub fn settings(&self) -> Option<Settings> {
        tuning::derive(self)
    }
}
