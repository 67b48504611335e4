//! The rules' metadata: ids, names, documentation, retired ids, and the
//! example plans every rule documents itself with (so that the documentation
//! `pgplan explain` prints is tested).

use std::collections::BTreeSet;

use super::*;
use crate::Plan;

/// The number in an id (`PGP017` → 17).
fn number(id: &str) -> u32 {
    id.strip_prefix("PGP")
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("id {id} is not PGPnnn"))
}

/// Rules no plan can make fire, so that they cannot have a failing example:
/// PGP081 reports a derived value the catalog rejects, and the derivation
/// clamps every value to the catalog (a pgplan bug detector).
const NOT_TRIGGERABLE_BY_A_PLAN: &[&str] = &["PGP081"];

#[test]
fn ids_are_in_order_and_unique() {
    let ids: Vec<&str> = infos().map(|i| i.id).collect();
    for pair in ids.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        assert!(number(a) < number(b), "{a} before {b}");
    }
    assert_eq!(by_id("pgp001").map(|i| i.name), Some("connection-budget"));
    assert_eq!(by_id("PGP000"), Some(&INVALID_VALUE));
    assert!(by_id("PGP011").is_none());
}

#[test]
fn names_are_unique_and_kebab_case() {
    let mut seen = BTreeSet::new();
    for info in infos() {
        assert!(seen.insert(info.name), "{} is used twice", info.name);
        assert!(
            !info.name.is_empty()
                && info
                    .name
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
            "{}: `{}` is not kebab-case",
            info.id,
            info.name
        );
        assert_eq!(by_name(info.name), Some(info));
    }
}

#[test]
fn every_rule_says_what_it_checks_and_why() {
    for info in infos() {
        assert!(!info.summary.is_empty(), "{info}: no summary");
        assert!(
            info.rationale.len() > 80,
            "{info}: the rationale should say what goes wrong on a real server"
        );
        assert!(
            !info.summary.ends_with('.'),
            "{info}: the summary is one sentence without a full stop (`pgplan explain --list` prints it as is)"
        );
        assert!(
            info.rationale.ends_with('.'),
            "{info}: the rationale is written in full sentences"
        );
    }
}

#[test]
fn retired_ids_are_not_reused_and_name_what_they_became() {
    let mut previous = 0;
    for old in retired_rules() {
        assert!(
            number(old.id) > previous,
            "RETIRED is in id order at {}",
            old.id
        );
        previous = number(old.id);
        assert!(
            by_id(old.id).is_none(),
            "{} is retired but still in use",
            old.id
        );
        assert!(
            by_name(old.name).is_none(),
            "{} is the old name of {}",
            old.name,
            old.id
        );
        assert!(
            old.became.len() >= 2,
            "{} split into one rule: keep its id",
            old.id
        );
        for part in old.became {
            let info = by_id(part).unwrap_or_else(|| panic!("{} → {part}: no such rule", old.id));
            assert!(
                info.replaces.contains(&old.id),
                "{part} does not say it replaces {}",
                old.id
            );
        }
    }
    for info in infos() {
        for old in info.replaces {
            assert!(
                retired(old).is_some_and(|parts| parts.contains(&info.id)),
                "{info} replaces {old}, which RETIRED does not list it under"
            );
        }
    }
    assert_eq!(retired("pgp004"), Some(&["PGP020", "PGP021"][..]));
    assert_eq!(
        retired_rule_of("roles-privileges").map(|r| r.id),
        Some("PGP011")
    );
}

#[test]
fn misspelt_ids_and_names_have_close_matches() {
    assert_eq!(close_to("PGP11")[0], "PGP011");
    assert!(close_to("PGP0011").contains(&"PGP011"));
    assert!(
        close_to("PGP99").contains(&"PGP009"),
        "{:?}",
        close_to("PGP99")
    );
    assert_eq!(close_to("membership-cycles"), ["membership-cycle"]);
    assert!(close_to("vacuum-settings").is_empty());
}

/// The failing example reports the rule; the fixed one has no error and does
/// not report it. Every broken example is listed, not only the first.
#[test]
fn every_example_fails_with_its_rule_and_its_fix_validates() {
    let mut problems = Vec::new();
    let mut checked = 0;
    for info in infos().filter(|i| i.id != INVALID_VALUE.id) {
        let Some(examples) = &info.examples else {
            continue;
        };
        checked += 1;
        let stem = format!("{}-{}.yaml", info.id, info.name);
        if examples.fail_path != format!("tests/plans/fail/{stem}")
            || examples.fixed_path != format!("tests/plans/pass/{stem}")
        {
            problems.push(format!("{info}: the examples are not named {stem}"));
        }
        for (path, text) in [
            (examples.fail_path, examples.fail),
            (examples.fixed_path, examples.fixed),
        ] {
            if !text.starts_with("# ") {
                problems.push(format!(
                    "{path}: the first line says what is wrong or fixed"
                ));
            }
        }
        match Plan::from_yaml(examples.fail) {
            Err(e) => problems.push(format!("{}: {e}", examples.fail_path)),
            Ok(plan) => {
                let report = plan.report();
                if report.by_id(info.id).next().is_none() {
                    problems.push(format!(
                        "{} does not report {info}:\n{report}",
                        examples.fail_path
                    ));
                }
            }
        }
        match Plan::from_yaml(examples.fixed) {
            Err(e) => problems.push(format!("{}: {e}", examples.fixed_path)),
            Ok(plan) => {
                let report = plan.report();
                if report.has_errors() || report.by_id(info.id).next().is_some() {
                    problems.push(format!(
                        "{} should validate without errors and without {}:\n{report}",
                        examples.fixed_path, info.id
                    ));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
    assert!(checked >= 60, "only {checked} rules have examples");
}

/// PGP000's failing example is a plan file that does not read: the reader
/// refuses it with the line and the field. Its fix reads and validates.
#[test]
fn invalid_value_example_does_not_read() {
    let Some(examples) = &INVALID_VALUE.examples else {
        panic!("PGP000 has examples");
    };
    let err = Plan::from_yaml(examples.fail).expect_err("the failing example does not read");
    let message = err.to_string();
    assert!(
        err.line().is_some() && message.contains("line"),
        "{}: {message}",
        examples.fail_path
    );
    let fixed = Plan::from_yaml(examples.fixed).unwrap_or_else(|e| panic!("{e}"));
    let report = fixed.report();
    assert!(!report.has_errors(), "{report}");
}

/// Every rule documents itself with a failing and a fixed example plan,
/// except the ones no plan can make fire.
#[test]
fn every_rule_a_plan_can_trigger_has_examples() {
    let without: Vec<&str> = infos()
        .filter(|i| i.examples.is_none())
        .map(|i| i.id)
        .filter(|id| !NOT_TRIGGERABLE_BY_A_PLAN.contains(id))
        .collect();
    assert!(without.is_empty(), "rules without examples: {without:?}");
    for id in NOT_TRIGGERABLE_BY_A_PLAN {
        assert!(by_id(id).is_some_and(|i| i.examples.is_none()), "{id}");
    }
}
