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
