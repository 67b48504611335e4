//! PGP068 parallel-dump-format: parallel dump jobs need the directory
//! format.

use super::dumps;
use crate::model::backups::DumpFormat;
use crate::validate::{Context, Findings, Rule, RuleInfo};

/// PGP068.
pub struct ParallelDumpFormat;

/// What the rule is.
pub static INFO: RuleInfo = RuleInfo {
    id: "PGP068",
    name: "parallel-dump-format",
    summary: "a dump with more than one job uses the directory format",
    rationale: "`pg_dump` runs parallel jobs only into a directory (parallel backup only supported by the directory format): with jobs above 1 and the custom or plain format it exits with an error, and the scheduled backup never produces a file.",
    examples: crate::rule_examples!("PGP068-parallel-dump-format"),
    replaces: &["PGP013"],
};

impl Rule for ParallelDumpFormat {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, cx: &Context<'_>, out: &mut Findings<'_>) {
        for (path, backup) in dumps(cx) {
            let format = match backup.format {
                DumpFormat::Directory => continue,
                DumpFormat::Custom => "custom",
                DumpFormat::Plain => "plain",
            };
            if backup.jobs <= 1 {
                continue;
            }
            out.error(
                path.field("jobs"),
                format!(
                    "jobs: {} with the {format} format: pg_dump runs parallel jobs only with the directory format",
                    backup.jobs
                ),
                "set format: directory, or jobs: 1",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::nightly;
    use super::*;
    use crate::validate::rules::test_support::*;

    #[test]
    fn parallel_jobs_need_the_directory_format() {
        let mut plan = kubernetes_reference_plan();
        assert!(run(&ParallelDumpFormat, &plan).is_empty());
        nightly(&mut plan).jobs = 4;
        let d = run(&ParallelDumpFormat, &plan);
        assert_eq!(d.len(), 1, "{d:#?}");
        assert_eq!(d[0].id(), "PGP068");
        assert_eq!(d[0].path, "backups.logical[0].jobs");
        assert!(d[0].message.contains("jobs: 4 with the custom format"));
        nightly(&mut plan).format = DumpFormat::Directory;
        assert!(run(&ParallelDumpFormat, &plan).is_empty());
    }
}
