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

#[test]
fn attach_and_a_spooled_output_do_not_write_through_a_symlinked_folder() {
    let (env, id) = TestEnv::with_incident();
    let outside = tempfile::tempdir().unwrap();
    let dir = env.incident_dir(&id);
    for name in ["attachments", "outputs"] {
        symlink(outside.path(), dir.join(name)).unwrap();
    }
    std::fs::write(env.root().join("hello.sh"), "echo hello\n").unwrap();
    let err = env.fails(1, &["attach", "hello.sh"]);
    let refused = |name: &str| {
        format!(
            "{} is a symbolic link, so nothing is written through it (it could lead out of the vault); replace it \
             with a folder",
            dir.join(name).display()
        )
    };
    assert!(err.contains(&refused("attachments")), "{err}");
    // 70 KB: over the inline limit, so it is spooled to outputs/.
    let big = format!("{}\n", "a".repeat(99)).repeat(700);
    let r = env.run_with_stdin(&["capture", "--no-echo"], big.as_bytes());
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr
            .contains(&format!("the whole output was not kept, only its first and last lines: {}", refused("outputs"))),
        "{}",
        r.stderr
    );
    let written: Vec<_> = std::fs::read_dir(outside.path()).unwrap().collect();
    assert!(written.is_empty(), "{written:?}");
    assert_eq!(env.step_files(&id).iter().filter(|f| f.to_str().unwrap().contains("-attach-")).count(), 0);
}

#[test]
fn publish_does_not_write_through_a_symlinked_folder_of_the_site() {
    let (env, _id) = TestEnv::with_incident();
    env.ok(&["resolve", "-q"]);
    let victim = env.root().join("victim");
    let out = env.root().join("out1");
    std::fs::create_dir(&victim).unwrap();
    std::fs::create_dir(&out).unwrap();
    symlink("../victim", out.join("assets")).unwrap();
    let err = env.fails(1, &["publish", "--out", "out1"]);
    assert!(
        err.contains(
            "out1/assets is a symbolic link; the site is not written through it\n  hint: remove the link (publish \
             makes the folder), or replace it with a folder"
        ),
        "{err}"
    );
    let written: Vec<_> = std::fs::read_dir(&victim).unwrap().collect();
    assert!(written.is_empty(), "{written:?}");
    // Put right as the hint says, it publishes.
    std::fs::remove_file(out.join("assets")).unwrap();
    env.ok(&["publish", "-q", "--out", "out1"]);
    assert!(out.join("assets").is_dir() && !out.join("assets").is_symlink());
}

#[test]
fn publish_into_a_folder_of_someone_elses_says_what_it_replaces() {
    let (env, _id) = TestEnv::with_incident();
    env.ok(&["resolve", "-q"]);
    let www = env.root().join("www");
    std::fs::create_dir_all(www.join("assets")).unwrap();
    for f in ["index.html", "assets/site.css", "notes.txt"] {
        std::fs::write(www.join(f), "mine").unwrap();
    }
    let r = env.run(&["publish", "--out", "www"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains(&format!(
            "warning: {}: not empty and not made by `incident publish` (no .incident-site): the site's files in it \
             are replaced (assets/, index.html); other files are left alone. To keep your files apart, publish \
             into an empty folder or another --out\n",
            www.display()
        )),
        "{}",
        r.stderr
    );
    assert_eq!(std::fs::read_to_string(www.join("notes.txt")).unwrap(), "mine");
    // Said once: the next publish there knows the folder.
    let r = env.run(&["publish", "--out", "www"]);
    assert!(!r.stderr.contains("warning"), "{}", r.stderr);
}

#[test]
fn a_symlinked_steps_folder_is_not_read() {
    let (env, id) = published();
    let outside = tempfile::tempdir().unwrap();
    let dir = env.incident_dir(&id);
    // Steps from elsewhere: one of them holds what must not reach the site.
    let elsewhere = outside.path().join("steps");
    std::fs::rename(dir.join("steps"), &elsewhere).unwrap();
    let note = std::fs::read_dir(&elsewhere).unwrap().next().unwrap().unwrap().path();
    let text = std::fs::read_to_string(&note).unwrap();
    std::fs::write(&note, format!("{text}\nFROM-OUTSIDE-THE-VAULT\n")).unwrap();
    symlink(&elsewhere, dir.join("steps")).unwrap();
    let fix = format!(
        "{}: not read: a symbolic link (it could lead out of the vault); replace the link with the folder itself",
        dir.join("steps").display()
    );
    assert!(env.fails(1, &["show"]).contains(&fix));
    let r = env.run(&["publish"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains(&fix), "{}", r.stderr);
    let page = std::fs::read_to_string(env.root().join(format!("public/incidents/{id}/index.html"))).unwrap();
    assert!(!page.contains("FROM-OUTSIDE"), "its last page stays as it was");
}
