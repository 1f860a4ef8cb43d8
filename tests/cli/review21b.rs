//! Fixes from the twenty-first review (second part): symbolic links in an incident folder
//! or in the site's folder are refused rather than followed, and the site stays where it
//! was told to be.

use std::os::unix::fs::symlink;

use crate::support::*;

/// A resolved incident with a postmortem, published once; returns the env and its id.
fn published() -> (TestEnv, String) {
    let (env, id) = TestEnv::with_incident();
    env.ok(&["resolve", "-q"]);
    env.ok(&["postmortem", "-q"]);
    env.ok(&["publish", "-q"]);
    (env, id)
}

#[test]
fn a_symlinked_postmortem_or_incident_md_is_not_read() {
    let (env, id) = published();
    let outside = tempfile::tempdir().unwrap();
    let secret = outside.path().join("secret.md");
    std::fs::write(&secret, "# PM\n\nTOPSECRET-db-password\n").unwrap();
    let dir = env.incident_dir(&id);
    std::fs::remove_file(dir.join("postmortem.md")).unwrap();
    symlink(&secret, dir.join("postmortem.md")).unwrap();
    // No --force: the link is a change of its own.
    let r = env.run(&["publish"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let fix = "not read: a symbolic link (it could lead out of the vault); replace the link with the file itself";
    assert!(r.stderr.contains(&format!("{}: {fix}", dir.join("postmortem.md").display())), "{}", r.stderr);
    let page = std::fs::read_to_string(env.root().join(format!("public/incidents/{id}/postmortem.html"))).unwrap();
    assert!(!page.contains("TOPSECRET"), "{page}");

    std::fs::remove_file(dir.join("postmortem.md")).unwrap();
    std::fs::rename(dir.join("incident.md"), outside.path().join("incident.md")).unwrap();
    symlink(outside.path().join("incident.md"), dir.join("incident.md")).unwrap();
    let shown = env.fails(1, &["show"]);
    assert!(shown.contains(&format!("{}: {fix}", dir.join("incident.md").display())), "{shown}");
    let r = env.run(&["list"]);
    assert!(r.stderr.contains(&format!("{}: {fix}", dir.join("incident.md").display())), "{}", r.stderr);
    assert!(r.stdout.contains("unreadable"), "{}", r.stdout);
    let r = env.run(&["publish"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains(&format!("{}: {fix}", dir.join("incident.md").display())), "{}", r.stderr);
}
