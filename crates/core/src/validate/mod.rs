//! The validation engine: every rule runs, every finding is collected, and
//! only a plan without errors becomes a [`ValidPlan`] — the one type the
//! renderers and apply take. What validates renders.
//!
//! Each rule checks one thing and lives in its own file under
//! `rules/<topic>/` with its [`RuleInfo`]: a stable id, a name, what it checks
//! and why, and a failing and a fixed example plan from `tests/plans/`.
//! [`rules::retired`] says what the ids of rules that were split became. A finding carries the rule, a
//! severity, the typed field path, a message with the plan's numbers and a
//! help text with the fix.

pub mod diagnostic;
pub mod path;
pub mod rules;

use std::ops::Deref;

use crate::model::plan::Plan;
use crate::tuning::{self, Param, Settings};
pub use diagnostic::{Diagnostic, Findings, Report, RuleExamples, RuleInfo, Severity, Span};
pub use path::{FieldPath, Segment};

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
    /// The path of a parameter in the plan (`tuning.parameters.<name>`).
    pub fn param_path(&self, name: &str) -> FieldPath {
        FieldPath::root()
            .field("tuning")
            .field("parameters")
            .key(name)
    }
    /// The path of a parameter pgplan knows (`tuning.parameters.work_mem`).
    pub fn path_of<T>(&self, param: Param<T>) -> FieldPath {
        self.param_path(param.name())
    }
}

/// A validation rule.
pub trait Rule: Sync {
    /// The rule's id, name and documentation.
    fn info(&self) -> &'static RuleInfo;
    /// Reports what is wrong with the plan.
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>);
}

/// Runs every rule over a plan and returns every finding, errors or not.
pub fn validate(plan: &Plan) -> Report {
    let settings = tuning::derive(plan);
    validate_with(plan, &settings)
}

/// Runs every rule over a plan whose settings are already derived.
pub fn validate_with(plan: &Plan, settings: &Settings) -> Report {
    let cx = Context { plan, settings };
    let mut out = Vec::new();
    for rule in rules::ALL {
        rule.check(&cx, &mut Findings::new(rule.info(), &mut out));
    }
    Report::new(out)
}

/// A plan that passed validation: no rule reported an error. Renderers and
/// apply take only this type, so a plan that validates renders.
///
/// It derefs to the [`Plan`] and keeps the resolved [`Settings`] and the
/// warnings and infos that validation reported.
///
/// ```
/// use pgplan_core::Plan;
/// let plan = Plan::from_yaml("
/// service: orders
/// environment: dev
/// version: 17
/// platform: { local: {} }
/// sizing: { memory: { request: 2Gi }, cpu: { request: 2 } }
/// ").unwrap();
/// let valid = plan.validate().expect("no errors");
/// assert_eq!(valid.service.as_str(), "orders");
/// assert!(!valid.report().has_errors());
/// ```
#[derive(Debug, Clone)]
pub struct ValidPlan {
    plan: Plan,
    settings: Settings,
    report: Report,
}

impl ValidPlan {
    /// The plan.
    pub fn plan(&self) -> &Plan {
        &self.plan
    }
    /// Its resolved settings: explicit, derived and defaults.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }
    /// The warnings and infos validation reported (never an error).
    pub fn report(&self) -> &Report {
        &self.report
    }
    /// The plan back, to edit it (it must then be validated again).
    pub fn into_plan(self) -> Plan {
        self.plan
    }
}

impl Deref for ValidPlan {
    type Target = Plan;
    fn deref(&self) -> &Plan {
        &self.plan
    }
}

impl AsRef<Plan> for ValidPlan {
    fn as_ref(&self) -> &Plan {
        &self.plan
    }
}

impl Plan {
    /// Validates the plan: every rule runs, and the plan becomes a
    /// [`ValidPlan`] when none reports an error; otherwise the [`Report`]
    /// lists every finding.
    pub fn validate(&self) -> Result<ValidPlan, Report> {
        let settings = tuning::derive(self);
        let report = validate_with(self, &settings);
        if report.has_errors() {
            Err(report)
        } else {
            Ok(ValidPlan {
                plan: self.clone(),
                settings,
                report,
            })
        }
    }
    /// Every finding of every rule, whether or not there are errors.
    pub fn report(&self) -> Report {
        validate(self)
    }
    /// The plan's resolved settings (explicit, derived, defaults).
    pub fn settings(&self) -> Settings {
        tuning::derive(self)
    }
}
