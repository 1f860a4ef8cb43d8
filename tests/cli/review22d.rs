//! Fixes from the twenty-second review, links on the site: a link to an incident that is not
//! published is its text only (and said), kept right by a re-publish as that incident comes
//! and goes; links that lead off the site (`/x`, `../../../../x`, `//host`) are dropped.

use std::fs;
use std::path::PathBuf;

use crate::site::read;
use crate::support::*;

/// A vault with a resolved public incident A whose note links to a resolved incident B.
fn two_incidents() -> (TestEnv, String, String, PathBuf) {
    let mut env = TestEnv::new();
    env.at("2025-05-05T10:00:00Z");
    let a = env.ok(&["start", "Public A", "--at", "08:00"]).trim().to_string();
    env.ok(&["resolve", "--at", "08:30", "ok"]);
    let b = env.ok(&["start", "Acme customer data exposure", "--at", "09:00"]).trim().to_string();
    env.ok(&["resolve", "--at", "09:30", "ok"]);
    env.ok(&["-I", &a, "note", "--at", "08:20", &format!("see [the other one](../../{b}/incident.md)")]);
    let note = env.step_files(&a).into_iter().find(|p| read(p).contains("the other one")).unwrap();
    (env, a, b, note)
}

fn set_visibility(env: &TestEnv, id: &str, v: &str) {
    let md = env.incident_dir(id).join("incident.md");
    let text = read(&md);
    let text = match text.lines().find(|l| l.starts_with("visibility:")) {
        Some(line) => text.replacen(line, &format!("visibility: {v}"), 1),
        None => text.replacen("---\n", &format!("---\nvisibility: {v}\n"), 1),
    };
    fs::write(md, text).unwrap();
}

fn page(env: &TestEnv, id: &str) -> String {
    read(&env.root().join("public/incidents").join(id).join("index.html"))
}

/// The line of the file that holds `text`, 1-based.
fn line_of(path: &std::path::Path, text: &str) -> usize {
    read(path).lines().position(|l| l.contains(text)).unwrap() + 1
}

#[test]
fn a_link_to_an_incident_not_on_the_site_is_its_text_only_and_said_with_file_and_line() {
    let (env, a, b, note) = two_incidents();
    set_visibility(&env, &b, "internal");
    let r = env.run(&["publish"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let html = page(&env, &a);
    assert!(!html.contains(&b) && !html.contains("acme"), "the internal one's name shows:\n{html}");
    assert!(html.contains("see the other one"), "its text stays");
    let line = line_of(&note, "the other one");
    let said = format!(
        "warning: {}:{line}: link \"../../{b}/incident.md\" leads to incident {b}, which is not on the site (it is internal): \
         the site shows its text without the link; it is linked once it is published\n",
        note.display()
    );
    assert!(r.stderr.contains(&said), "{}", r.stderr);
    // The gate names it the same way.
    let r = env.run(&["publish", "--check"]);
    assert_eq!(r.code, 1);
    let rel = note.strip_prefix(env.root()).unwrap().display().to_string();
    assert!(
        r.stdout.contains(&format!("{rel}: line {line}: link \"../../{b}/incident.md\" leads to incident {b}, which is not on the site (it is internal)")),
        "{}",
        r.stdout
    );
    // Said again while nothing changes, and nothing is rendered for it.
    let r = env.run(&["publish"]);
    assert!(r.stderr.contains(&said) && r.stderr.contains("(0 rendered, 1 unchanged"), "{}", r.stderr);
}

#[test]
fn pages_linking_to_an_incident_are_made_again_when_it_comes_goes_or_is_renamed() {
    let (mut env, a, b, _) = two_incidents();
    let linked = |env: &TestEnv, to: &str| page(env, &a).contains(&format!("href=\"../{to}/index.html\""));
    env.ok(&["publish"]);
    assert!(linked(&env, &b), "published: linked");
    set_visibility(&env, &b, "internal");
    env.ok(&["publish"]);
    assert!(!linked(&env, &b), "made internal");
    // Nothing changed: nothing rendered.
    let r = env.run(&["publish"]);
    assert!(r.stderr.contains("(0 rendered, 1 unchanged"), "{}", r.stderr);
    set_visibility(&env, &b, "public");
    env.ok(&["publish"]);
    assert!(linked(&env, &b), "made public");
    fs::rename(env.incident_dir(&b), env.root().join("incidents/renamed")).unwrap();
    let r = env.run(&["publish"]);
    assert!(!linked(&env, &b), "renamed");
    assert!(r.stderr.contains("which is not on the site (the vault has no incident of that name)"), "{}", r.stderr);
    assert!(r.stderr.contains("fix the folder name, or take the link out"), "{}", r.stderr);
    fs::rename(env.root().join("incidents/renamed"), env.incident_dir(&b)).unwrap();
    env.ok(&["publish"]);
    assert!(linked(&env, &b), "named so again");

    // An open one is linked once it is resolved, and no more once deleted.
    env.at("2025-05-05T11:00:00Z");
    let c = env.ok(&["start", "Open C", "--at", "10:40"]).trim().to_string();
    env.ok(&["-I", &a, "note", "--at", "08:25", &format!("and [C](../../{c}/incident.md)")]);
    let r = env.run(&["publish"]);
    assert!(!linked(&env, &c), "open");
    assert!(r.stderr.contains("(it is still open; --include-open publishes open ones)"), "{}", r.stderr);
    env.ok(&["-I", &c, "resolve", "--at", "10:50", "ok"]);
    env.ok(&["publish"]);
    assert!(linked(&env, &c), "resolved");
    fs::remove_dir_all(env.incident_dir(&c)).unwrap();
    let r = env.run(&["publish"]);
    assert!(!linked(&env, &c), "deleted");
    assert!(r.stderr.contains("(1 rendered, 1 unchanged"), "only the page linking to it: {}", r.stderr);
}

#[test]
fn links_that_lead_off_the_site_are_their_text_only_and_said_and_the_gate_names_all_three() {
    let (env, a, _, _) = two_incidents();
    env.ok(&["-I", &a, "note", "--at", "08:25", "[a](/etc/passwd) [b](../../../../etc/passwd) [c](//evil.com/x)"]);
    let note = env.step_files(&a).into_iter().find(|p| read(p).contains("evil.com")).unwrap();
    let line = line_of(&note, "evil.com");
    let r = env.run(&["publish"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let html = page(&env, &a);
    for gone in ["href=\"/etc", "etc/passwd\"", "evil.com"] {
        assert!(!html.contains(gone), "{gone} kept:\n{html}");
    }
    let at = format!("warning: {}:{line}: link ", note.display());
    for said in [
        "\"/etc/passwd\" starts at `/`, the root of wherever the page is read (from file://, the reader's own disk): the site shows its text without the link; link relative to the file, e.g. ../attachments/NAME",
        "\"../../../../etc/passwd\" leads out of the site: the site shows its text without the link; link a file of the incident, e.g. ../attachments/NAME, or a full https:// address",
        "\"//evil.com/x\" names another host without a scheme (`//`): the site shows its text without the link; write the full https:// address",
    ] {
        assert!(r.stderr.contains(&format!("{at}{said}\n")), "{said}\n{}", r.stderr);
    }
    let r = env.run(&["publish", "--check"]);
    assert_eq!(r.code, 1);
    let rel = note.strip_prefix(env.root()).unwrap().display().to_string();
    let named = r.stdout.lines().filter(|l| l.starts_with(&format!("{rel}: line {line}: link "))).count();
    assert_eq!(named, 3, "{}", r.stdout);
}
