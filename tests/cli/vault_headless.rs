//! An incident folder that lost its `incident.md` (a bad merge, a `mv`): every reader
//! names it, and publishing keeps its pages, rather than all of them dropping it silently.

use std::fs;

use crate::site::{publish_keeps_the_last_pages_of, read, two_published_incidents};

#[test]
fn a_folder_of_steps_without_incident_md_is_named_by_every_reader() {
    let (env, a) = two_published_incidents();
    let dir = env.incident_dir(&a);
    let md = dir.join("incident.md");
    let kept = read(&md);
    fs::remove_file(&md).unwrap();
    let hint = format!(
        "restore it (`git checkout -- {}`), or write one with `title:` and `at:` in its frontmatter",
        md.display()
    );

    let r = env.run(&["list"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stderr,
        format!("warning: {}: holds 1 step file but no incident.md, so it is left out; {hint}\n", dir.display())
    );
    assert!(r.stdout.contains("Second outage") && !r.stdout.contains("First outage"), "{}", r.stdout);

    assert_eq!(
        env.fails(1, &["-I", &a, "note", "more"]),
        format!(
            "error: the incident {a} cannot be opened: its folder holds 1 step file but no incident.md\n  hint: {hint}\n"
        )
    );

    // By a piece of its name too, as an incident is found.
    assert!(env.fails(1, &["-I", "first", "show"]).starts_with(&format!("error: the incident {a} cannot be opened: ")));

    publish_keeps_the_last_pages_of(
        &env,
        &a,
        &format!(
            "warning: {}: holds 1 step file but no incident.md; {hint}; the pages last published of it stay until it is fixed\n",
            dir.display()
        ),
    );

    let r = env.run(&["publish", "--check"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(
        r.stdout,
        format!(
            "incidents/{a}: cannot be published: holds 1 step file but no incident.md; {hint}\n\
             incidents/2025-10-06-second-outage/postmortem.md: no postmortem yet\n"
        ),
        "the folder named once"
    );

    let r = env.run(&["report"]);
    assert!(r.stderr.contains("holds 1 step file but no incident.md, so it is left out"), "{}", r.stderr);

    fs::write(&md, kept).unwrap();
    assert_eq!(env.run(&["publish"]).code, 0);
    assert!(env.run(&["list"]).stderr.is_empty());
}
