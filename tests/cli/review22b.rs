//! Fixes from the twenty-second review (second part): the metrics table's Recovery time and
//! Permanent fix rows against the seed story's (09:00–09:30 and 10:00–10:30).

use crate::support::*;

fn at(env: &mut TestEnv, hm: &str) {
    env.at(&format!("2025-10-05T{hm}:00-05:00"));
}

/// The metrics table's row for `name`.
fn row(env: &TestEnv, name: &str) -> String {
    let out = env.ok(&["postmortem", "--out", "-"]);
    let head = format!("| **{name}** |");
    out.lines().find(|l| l.starts_with(&head)).unwrap_or_else(|| panic!("no {name} row in:\n{out}")).to_string()
}

/// Detected 08:23, diagnosed 08:45, recovered 09:30.
fn recovered() -> TestEnv {
    let (mut env, _) = TestEnv::with_incident();
    env.ok(&["mark", "detected"]);
    at(&mut env, "08:45");
    env.ok(&["mark", "diagnosed"]);
    at(&mut env, "09:30");
    env.ok(&["mark", "recovered"]);
    env
}

#[test]
fn recovery_time_says_the_decision_came_after_recovery_not_that_there_was_none() {
    let mut env = recovered();
    at(&mut env, "09:40");
    env.ok(&["option", "Clean restart"]);
    env.ok(&["decide", "Clean", "--for", "mitigation"]);
    let r = row(&env, "Recovery time");
    assert!(
        r.starts_with(
            "| **Recovery time** | unknown (no mitigation-start milestone, and the first decision after diagnosis \
             is after recovery: decision at 2025-10-05 09:40 (20251005T144000Z-decision-"
        ),
        "{r}"
    );
    assert!(r.contains("), recovered at 2025-10-05 09:30 (20251005T143000Z-milestone-"), "{r}");
    assert!(r.ends_with("); decide again with --at the time it was taken, or mark mitigation-start) |  |  |"), "{r}");

    // As the hint says: the decision again, at the time it was taken.
    env.ok(&["decide", "Clean", "--for", "mitigation", "--at", "09:00"]);
    let r = row(&env, "Recovery time");
    assert!(r.starts_with("| **Recovery time** | 30 minutes | 09:00 → 09:30 | decision ["), "{r}");

    // Only decisions for the permanent fix: said so, not "no decision".
    let mut env = recovered();
    at(&mut env, "09:40");
    env.ok(&["option", "Pin to interface", "--at", "09:10"]);
    env.ok(&["decide", "Pin", "--for", "permanent-fix", "--at", "09:20"]);
    let r = row(&env, "Recovery time");
    assert_eq!(
        r,
        "| **Recovery time** | unknown (no mitigation-start milestone, and the decisions after diagnosis are all \
         for the permanent fix) |  |  |"
    );
}

#[test]
fn a_permanent_fix_decision_starts_the_permanent_fix() {
    let mut env = recovered();
    at(&mut env, "10:00");
    env.ok(&["option", "Pin to interface"]);
    env.ok(&["decide", "Pin", "--for", "permanent-fix"]);
    at(&mut env, "10:30");
    env.ok(&["mark", "permanent-fix"]);
    let r = row(&env, "Permanent fix");
    assert!(
        r.starts_with("| **Permanent fix** | 30 minutes | 10:00 → 10:30 | decision [20251005T150000Z-decision-"),
        "{r}"
    );
    assert!(
        r.ends_with(
            " — permanent fix start = the first decision --for permanent-fix; no permanent-fix-start milestone |"
        ),
        "{r}"
    );
    assert!(r.contains(") → permanent-fix [20251005T153000Z-milestone-"), "{r}");

    // The report across incidents counts it too.
    let report = env.ok(&["report"]);
    let line = report.lines().find(|l| l.starts_with("Permanent fix")).unwrap_or_else(|| panic!("{report}"));
    assert_eq!(line.split_whitespace().collect::<Vec<_>>(), ["Permanent", "fix", "1", "30m", "30m", "0"], "{report}");

    // A decision taken after the fix was in place did not start it: said so.
    let mut env = recovered();
    at(&mut env, "10:30");
    env.ok(&["mark", "permanent-fix"]);
    at(&mut env, "10:40");
    env.ok(&["option", "Pin to interface"]);
    env.ok(&["decide", "Pin", "--for", "permanent-fix"]);
    let r = row(&env, "Permanent fix");
    assert!(
        r.starts_with(
            "| **Permanent fix** | unknown (no permanent-fix-start milestone, and the decision for the permanent fix \
             is after it was in place: decision at 2025-10-05 10:40 ("
        ),
        "{r}"
    );
    assert!(
        r.ends_with("); decide again with --at the time it was taken, or mark permanent-fix-start) |  |  |"),
        "{r}"
    );
}
