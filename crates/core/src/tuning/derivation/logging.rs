//! What the server logs: statements by class, and the statements slower than
//! the slow-query alert.

use super::Derivation;
use crate::tuning::params::{LOG_MIN_DURATION_STATEMENT, LOG_STATEMENT};

pub(super) fn derive(d: &mut Derivation<'_>) {
    d.set(
        LOG_STATEMENT,
        d.plan.security.statement_logging.as_str(),
        "security.statement_logging",
        &[],
    );
    if let Some(slow) = &d.plan.monitoring.thresholds.slow_query {
        d.set(
            LOG_MIN_DURATION_STATEMENT,
            slow.above.to_postgres(),
            "monitoring.thresholds.slow_query: log what the alert counts",
            &[],
        );
    }
}
