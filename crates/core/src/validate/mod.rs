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

use crate::lifecycle::{self, CalendarDate};
use crate::model::plan::Plan;
use crate::tuning::{self, Param, Settings};
pub use diagnostic::{Diagnostic, Findings, Report, RuleExamples, RuleInfo, Severity, Span};
pub use path::{FieldPath, Segment};

/// What every rule sees: the plan, its resolved settings and the date the
/// plan is checked for.
pub struct Context<'a> {
    /// The plan.
    pub plan: &'a Plan,
    /// Explicit and derived settings.
    pub settings: &'a Settings,
    /// The day the plan is checked for (end-of-life dates are compared with
    /// it); the core reads no clock.
    pub as_of: CalendarDate,
}

/// What validation takes besides the plan.
///
/// ```
/// use pgplan_core::validate::ValidateOptions;
/// let options = ValidateOptions::as_of("2027-06-01".parse().unwrap());
/// assert_eq!(options.as_of.to_string(), "2027-06-01");
/// assert_eq!(ValidateOptions::default().as_of, pgplan_core::lifecycle::TABLE_CHECKED);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ValidateOptions {
    /// The day to check the plan for: the `pgplan` command passes today's
    /// date (or `--as-of`). The default is [`lifecycle::TABLE_CHECKED`], so
    /// that a report does not change from one day to the next unless asked.
    pub as_of: CalendarDate,
}

impl Default for ValidateOptions {
    fn default() -> Self {
        ValidateOptions {
            as_of: lifecycle::TABLE_CHECKED,
        }
    }
}

impl ValidateOptions {
    /// Options that check the plan for `day`.
    pub fn as_of(day: CalendarDate) -> Self {
        ValidateOptions { as_of: day }
    }
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
    validate_with_options(plan, settings, &ValidateOptions::default())
}

/// Runs every rule over a plan whose settings are already derived, for the
/// day `options` names.
pub fn validate_with_options(
    plan: &Plan,
    settings: &Settings,
    options: &ValidateOptions,
) -> Report {
    let cx = Context {
        plan,
        settings,
        as_of: options.as_of,
    };
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
        self.validate_with_options(&ValidateOptions::default())
    }
    /// [`Plan::validate`] for the day `options` names (the `pgplan` command
    /// passes today's date).
    pub fn validate_with_options(&self, options: &ValidateOptions) -> Result<ValidPlan, Report> {
        let settings = tuning::derive(self);
        let report = validate_with_options(self, &settings, options);
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
    /// Every finding of every rule for the day `options` names.
    pub fn report_with_options(&self, options: &ValidateOptions) -> Report {
        validate_with_options(self, &tuning::derive(self), options)
    }
    /// The plan's resolved settings (explicit, derived, defaults).
    pub fn settings(&self) -> Settings {
        tuning::derive(self)
    }
}
