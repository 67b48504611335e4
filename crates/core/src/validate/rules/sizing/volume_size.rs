//! PGP301 volume-size: the data, WAL and backup volumes have a size.

use crate::Bytes;
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP301.
pub struct VolumeSize;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP301",
    name: "volume-size",
    summary: "sizing.data_volume, wal_volume and backup_volume are not zero",
    rationale: "A volume of size 0 holds nothing: Kubernetes refuses a claim for 0 bytes, or a storage class rounds it up to something nobody planned, and every check that compares WAL or dumps with the volume divides by nothing. A size the plan leaves out is derived or left to the platform; 0 is a mistake.",
    examples: crate::rule_examples!("PGP301-volume-size"),
    replaces: &[],
};

impl Rule for VolumeSize {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        let s = &cx.plan.sizing;
        for (field, size) in [
            ("data_volume", s.data_volume),
            ("wal_volume", s.wal_volume),
            ("backup_volume", s.backup_volume),
        ] {
            if size == Some(Bytes::ZERO) {
                out.error(
                    format!("sizing.{field}"),
                    format!("sizing.{field} is 0: a volume of no size holds nothing, and Kubernetes refuses a claim for it"),
                    format!("give the volume its size (e.g. `{field}: 20Gi`), or leave {field} out"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::rules::test_support::*;

    #[test]
    fn zero_sized_volumes_are_errors() {
        let mut plan = kubernetes_plan();
        assert!(run(&VolumeSize, &plan).is_empty());
        plan.sizing.data_volume = Some(Bytes::ZERO);
        plan.sizing.backup_volume = Some(Bytes::ZERO);
        let d = run(&VolumeSize, &plan);
        assert_eq!(d.len(), 2, "{d:?}");
        assert_eq!(d[0].path, "sizing.data_volume");
        assert_eq!(d[1].path, "sizing.backup_volume");
    }
}
