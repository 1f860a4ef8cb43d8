//! A vault edited by hand, as Obsidian and git users do: files one folder off, bytes that
//! are not UTF-8, merge conflict markers, mistyped keys. Each is named, never dropped in silence.

use std::fs;

use crate::site::{read, two_published_incidents};

#[test]
fn an_incident_folder_moved_one_level_down_is_named_and_keeps_its_pages() {
    let (env, a) = two_published_incidents();
    let incidents = env.root().join("incidents");
    fs::create_dir(incidents.join("2025")).unwrap();
    let moved = incidents.join("2025").join(&a);
    fs::rename(env.incident_dir(&a), &moved).unwrap();
    let hint = format!(
        "incident folders go directly under incidents/: move it up with `mv {} {}/`",
        moved.display(),
        incidents.display()
    );

    let r = env.run(&["list"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stderr,
        format!(
            "warning: {}: is an incident folder inside incidents/2025/, so it is left out; {hint}\n",
            moved.display()
        )
    );
    assert!(!r.stdout.contains("First outage"), "{}", r.stdout);

    assert_eq!(
        env.fails(1, &["-I", &a, "status"]),
        format!(
            "error: the incident {a} cannot be opened: its folder is an incident folder inside incidents/2025/\n  \
             hint: {hint}\n"
        )
    );

    let r = env.run(&["publish"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains(&format!(
            "warning: {}: is an incident folder inside incidents/2025/; {hint}; the pages last published of it stay \
             until it is fixed\n",
            moved.display()
        )),
        "{}",
        r.stderr
    );
    let site = env.root().join("public");
    assert!(site.join(format!("incidents/{a}/index.html")).is_file(), "its pages stay");
    assert!(read(&site.join("index.html")).contains("First outage"), "and its index entry");

    let r = env.run(&["publish", "--check"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stdout.starts_with(&format!(
            "incidents/2025/{a}: cannot be published: is an incident folder inside incidents/2025/; {hint}\n"
        )),
        "{}",
        r.stdout
    );

    fs::rename(&moved, env.incident_dir(&a)).unwrap();
    assert_eq!(env.run(&["publish"]).code, 0);
    assert!(env.run(&["list"]).stderr.is_empty());
}
