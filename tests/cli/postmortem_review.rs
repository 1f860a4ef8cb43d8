//! `incident postmortem` defects a second review found: multi-line texts in list items,
//! restart listings of different scopes, milestones out of order.

use crate::support::*;

/// The section of `out` from its `## {name}` heading to the next heading.
fn section<'a>(out: &'a str, name: &str) -> &'a str {
    let start = out.find(&format!("## {name}\n")).unwrap_or_else(|| panic!("no {name} in {out}"));
    let rest = &out[start..];
    rest[3..].find("\n## ").map_or(rest, |end| &rest[..end + 4])
}

/// The ids of the incident's steps of `kind`, in time order.
fn ids(env: &TestEnv, id: &str, kind: &str) -> Vec<String> {
    let files = env.step_files(id);
    let stems = files.iter().map(|f| f.file_stem().unwrap().to_string_lossy().into_owned());
    stems.filter(|s| s.contains(&format!("-{kind}-"))).collect()
}

#[test]
fn a_multi_line_lesson_keeps_its_lines_inside_its_list_item() {
    let (mut env, incident) = TestEnv::with_incident();
    env.at("2025-10-05T09:00:00-05:00");
    env.ok(&["mark", "-q", "diagnosed", "DHCP moved the node.\n## Not a section"]);
    env.ok(&["lesson", "-q", "Pin the node IP.\n\nWhy: DHCP renewed the lease.\n- item one\n- item two"]);
    env.at("2025-10-05T09:01:00-05:00");
    env.ok(&["lesson", "-q", "Second.\n# Not a heading\nstill the second"]);
    env.at("2025-10-05T09:02:00-05:00");
    env.ok(&["lesson", "-q", "--kind", "worked", "Reading the logs:\n```\n# a comment <b>\n```"]);
    let out = env.ok(&["postmortem", "--out", "-"]);
    let lessons = section(&out, "Lessons");
    let id = |n: usize| ids(&env, &incident, "lesson")[n].clone();
    assert_eq!(
        lessons,
        format!(
            "## Lessons\n\n\
             - Pin the node IP.\n\n  Why: DHCP renewed the lease.\n  - item one\n  - item two\n\n   ([step](steps/{}.md))\n\
             - Second.\n  \\# Not a heading\n  still the second ([step](steps/{}.md))\n",
            id(0),
            id(1)
        )
    );
    assert_eq!(
        section(&out, "What worked"),
        format!(
            "## What worked\n\n- Reading the logs:\n  ```\n  # a comment <b>\n  ```\n\n   ([step](steps/{}.md))\n\n",
            id(2)
        )
    );
    assert!(out.contains("Diagnosed 2025-10-05 09:00: DHCP moved the node.\n  \\## Not a section ([step]"), "{out}");
}

/// `kubectl get pods -A` (6,812 restarts) then `… | grep coredns` (892): the filtered
/// listing sums over fewer pods, so the chart leaves it out instead of drawing a fall,
/// and the table says what the chart draws.
#[test]
fn a_filtered_listing_is_not_charted_as_a_fall_in_restarts() {
    let (mut env, id) = TestEnv::with_incident();
    let all = "NAMESPACE     NAME                      READY   STATUS             RESTARTS   AGE\n\
               ollama        ollama-5f7c9d8b4-p2k8n    0/1     CrashLoopBackOff   5920       12d\n\
               kube-system   coredns-7b8c7b8d4-x9k2p   0/1     CrashLoopBackOff   892        12d\n";
    let grep = "coredns-7b8c7b8d4-x9k2p   0/1     CrashLoopBackOff   892        12d\n";
    let after = "NAMESPACE     NAME                      READY   STATUS    RESTARTS   AGE\n\
                 ollama        ollama-5f7c9d8b4-q8r2t    1/1     Running   0          1m\n\
                 kube-system   coredns-7b8c7b8d4-h4k7m   1/1     Running   0          1m\n";
    for (at, command, output) in [
        ("2025-10-05T08:23:00-05:00", "kubectl get pods -A", all),
        ("2025-10-05T08:30:00-05:00", "kubectl get pods -A | grep coredns", grep),
        ("2025-10-05T09:20:00-05:00", "kubectl get pods -A", after),
    ] {
        env.at(at);
        let r =
            env.run_with_stdin(&["capture", "-q", "--no-echo", "-c", command, "--exit-code", "0"], output.as_bytes());
        assert_eq!(r.code, 0, "{}", r.stderr);
    }
    env.at("2025-10-05T09:30:00-05:00");
    let json = env.json(&["postmortem", "--format", "json"]);
    let scopes: Vec<(u64, &str)> = json["metrics"]["raw"]["restarts"]["observations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| (o["total"].as_u64().unwrap(), o["scope"].as_str().unwrap()))
        .collect();
    assert_eq!(
        scopes,
        [(6812, "all namespaces"), (892, "filtered: `kubectl get pods -A | grep coredns`"), (0, "all namespaces")]
    );
    env.ok(&["postmortem"]);
    let dir = env.incident_dir(&id);
    let svg = std::fs::read_to_string(dir.join("postmortem-restarts.svg")).unwrap();
    assert!(!svg.contains("892"), "{svg}");
    assert_eq!(svg.matches("<circle").count(), 2, "{svg}");
    assert!(svg.contains(">Restarts summed over the pods of all namespaces, 2 listings</text>"), "{svg}");
    assert!(
        svg.contains(
            ">1 listing of other pods (filtered or another namespace) not drawn: their sums are not comparable</text>"
        ),
        "{svg}"
    );
    let md = std::fs::read_to_string(dir.join("postmortem.md")).unwrap();
    let first = ids(&env, &id, "capture")[0].clone();
    assert!(
        md.contains(&format!(
            "| **Restarts (highest count seen)** | 6,812 | 08:23 | [{first}](steps/{first}.md) — summed over all namespaces |\n\
             | **Restarts during the incident** | 0 | 08:23 → 09:20 | 3 outputs with restart counts (the chart draws the 2 of all namespaces) — new restarts of pods listed in two or more outputs |\n"
        )),
        "{md}"
    );
}

/// Only filtered listings: the peak says it is no total of the cluster.
#[test]
fn a_peak_from_a_filtered_listing_says_so() {
    let (mut env, _id) = TestEnv::with_incident();
    env.at("2025-10-05T08:30:00-05:00");
    let grep = "coredns-7b8c7b8d4-x9k2p   0/1     CrashLoopBackOff   892        12d\n";
    let r = env.run_with_stdin(
        &["capture", "-q", "--no-echo", "-c", "kubectl get pods -A | grep coredns", "--exit-code", "0"],
        grep.as_bytes(),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let out = env.ok(&["postmortem", "--out", "-"]);
    assert!(
        out.contains("| 892 | 08:30 | [")
            && out.contains(
                ") — summed over filtered: `kubectl get pods -A \\| grep coredns`; no listing of all namespaces |\n"
            ),
        "{out}"
    );
}

/// `mark recovered` at 09:00, then `mark detected --at 09:30`, then impact start at
/// 09:35: one warning per pair out of order, naming both step files and both times, on
/// stderr once and in the notes once, though the recovered/impact pair spans two intervals.
#[test]
fn milestones_out_of_order_are_warned_about_once_per_pair_naming_both_files() {
    let (mut env, id) = TestEnv::with_incident();
    env.at("2025-10-05T09:00:00-05:00");
    env.ok(&["mark", "-q", "recovered"]);
    env.at("2025-10-05T09:40:00-05:00");
    let r = env.run(&["mark", "-q", "detected", "--at", "09:30"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let recovered = ids(&env, &id, "milestone")[0].clone();
    let new = ids(&env, &id, "milestone")[1].clone();
    // `mark` names both steps.
    assert_eq!(
        r.stderr,
        format!(
            "warning: detected at 2025-10-05 09:30 ({new}) is out of order with recovered at 2025-10-05 09:00 ({recovered}); check the times and correct the `at:` of the wrong one in its file\n"
        )
    );
    // A file renamed by hand is named as it is.
    let steps = env.incident_dir(&id).join("steps");
    std::fs::rename(steps.join(format!("{recovered}.md")), steps.join("back up.md")).unwrap();
    let detected = ids(&env, &id, "milestone")[0].clone();
    let pair = format!(
        "milestones out of order: recovered at 2025-10-05 09:00 (steps/back up.md) is before detected at 2025-10-05 09:30 (steps/{detected}.md); correct the `at:` in the file of the wrong one"
    );
    let r = env.run(&["postmortem"]);
    assert_eq!(r.stderr, format!("warning: {pair}\nwrote incidents/{id}/postmortem.md\n"));
    let md = std::fs::read_to_string(env.incident_dir(&id).join("postmortem.md")).unwrap();
    assert_eq!(section(&md, "Notes on the record"), format!("## Notes on the record\n\n- {pair}\n"));

    env.at("2025-10-05T09:45:00-05:00");
    env.ok(&["mark", "-q", "impact-start", "--at", "09:35"]);
    let impact = ids(&env, &id, "milestone")[1].clone();
    let r = env.run(&["postmortem", "--out", "-"]);
    assert_eq!(
        r.stderr,
        format!(
            "warning: milestones out of order: detected at 2025-10-05 09:30 (steps/{detected}.md) is before impact-start at 2025-10-05 09:35 (steps/{impact}.md); correct the `at:` in the file of the wrong one\n\
             warning: milestones out of order: recovered at 2025-10-05 09:00 (steps/back up.md) is before impact-start at 2025-10-05 09:35 (steps/{impact}.md); correct the `at:` in the file of the wrong one\n\
             warning: {pair}\n"
        )
    );
    assert!(r.stdout.contains("| **Total downtime** | unknown (recovered at 2025-10-05 09:00 ("), "{}", r.stdout);
}

/// A second `detected` after `mitigated` is no disorder: the earliest one counts, for `mark`
/// as for the postmortem.
#[test]
fn mark_reads_milestones_as_the_postmortem_does_the_earliest_of_each() {
    let (mut env, _) = TestEnv::with_incident();
    env.at("2025-10-05T10:00:00-05:00");
    env.ok(&["mark", "-q", "detected"]);
    env.at("2025-10-05T11:00:00-05:00");
    env.ok(&["mark", "-q", "detected"]);
    env.at("2025-10-05T11:05:00-05:00");
    let r = env.run(&["mark", "-q", "mitigated", "--at", "10:30"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stderr, "", "no warning");
    let r = env.run(&["postmortem", "--out", "-"]);
    assert!(!r.stderr.contains("out of order"), "{}", r.stderr);
}
