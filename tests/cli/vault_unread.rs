//! Incident folders that are not read at all (one that cannot be listed, a symbolic link):
//! each is named with its fix, and never hides the others.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Stdio};

use crate::support::{Run, TestEnv};

/// Root reads any folder: as root, the vault is handed to `nobody` and the binary runs as
/// that user (as `faults::missing_permissions_are_explained` does); otherwise as is.
fn run_unprivileged(env: &TestEnv, args: &[&str]) -> Run {
    let mut cmd = match is_root() {
        true => {
            let mut c = Command::new("setpriv");
            c.args(["--reuid=65534", "--regid=65534", "--clear-groups", env!("CARGO_BIN_EXE_incident")]);
            c
        }
        false => Command::new(env!("CARGO_BIN_EXE_incident")),
    };
    let out = cmd
        .args(args)
        .current_dir(env.root())
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", env.root())
        .env("INCIDENT_NOW", &env.now)
        .env("TZ", "UTC")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

/// Hands the whole vault to `nobody` when running as root.
fn give_to_nobody(dir: &Path) {
    if !is_root() {
        return;
    }
    std::os::unix::fs::lchown(dir, Some(65534), Some(65534)).unwrap();
    if std::fs::symlink_metadata(dir).unwrap().is_dir() {
        for entry in std::fs::read_dir(dir).unwrap() {
            give_to_nobody(&entry.unwrap().path());
        }
    }
}

/// Two incidents, both with a note: (env, the first, the second).
fn two_incidents() -> (TestEnv, String, String) {
    let mut env = TestEnv::new();
    env.at("2026-11-27T04:20:00Z");
    let one = env.ok(&["start", "Test one", "--severity", "sev2"]).trim().to_string();
    env.ok(&["note", "hello"]);
    let other = env.ok(&["start", "Other", "--severity", "sev3"]).trim().to_string();
    env.ok(&["note", "other"]);
    (env, one, other)
}

#[test]
fn an_incident_folder_that_cannot_be_read_is_named_and_hides_no_other() {
    let (env, one, other) = two_incidents();
    env.ok(&["publish", "-q", "--include-open"]);
    let dir = env.incident_dir(&other);
    give_to_nobody(env.root());
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o000)).unwrap();
    let warning = format!(
        "warning: {}: cannot be read (Permission denied (os error 13)), so it is left out; check the permissions of \
         {} (ls -ld shows them)\n",
        dir.display(),
        dir.display()
    );

    let list = run_unprivileged(&env, &["list"]);
    let json = run_unprivileged(&env, &["list", "--json"]);
    let report = run_unprivileged(&env, &["report"]);
    let check = run_unprivileged(&env, &["publish", "--check", "--json"]);
    let publish = run_unprivileged(&env, &["publish", "--include-open"]);
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();

    assert_eq!((list.code, list.stderr.as_str()), (0, warning.as_str()), "{}", list.stdout);
    let row = |id: &str| list.stdout.lines().find(|l| l.contains(id)).unwrap_or_default().to_string();
    assert!(row(&one).ends_with("open            1  Test one"), "{}", list.stdout);
    assert!(
        row(&other)
            .ends_with(&format!("unreadable      -  cannot read incidents/{other} (the warning above says why)")),
        "{}",
        list.stdout
    );

    assert_eq!(json.code, 0, "{}", json.stderr);
    let entries: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    let entry = entries.as_array().unwrap().iter().find(|e| e["id"] == other.as_str()).unwrap();
    assert_eq!(entry["unreadable"]["file"], format!("incidents/{other}"), "{entry:#}");
    assert_eq!(entry["unreadable"]["line"], 0);
    assert!(entries.as_array().unwrap().iter().any(|e| e["id"] == one.as_str() && e["unreadable"].is_null()));

    // `report` names files relative to the vault.
    let relative = warning.replacen(&format!("{}/", env.root().display()), "", 1);
    assert_eq!((report.code, report.stderr.as_str()), (0, relative.as_str()), "{}", report.stdout);
    assert!(report.stdout.starts_with("1 incident\n"), "{}", report.stdout);

    let why = format!(
        "cannot be read (Permission denied (os error 13)); check the permissions of {} (ls -ld shows them)",
        dir.display()
    );
    assert_eq!(check.code, 1, "{}\n{}", check.stdout, check.stderr);
    let problems: serde_json::Value = serde_json::from_str(&check.stdout).unwrap();
    let named = problems["problems"].as_array().unwrap().iter().find(|p| p["file"] == format!("incidents/{other}"));
    assert_eq!(named.unwrap()["message"], format!("cannot be published: {why}"), "{problems:#}");

    assert_eq!(publish.code, 1, "{}", publish.stderr);
    assert!(publish.stderr.contains(&format!("{}: {why}", dir.display())), "{}", publish.stderr);
    // Its last pages stay, the other's are there.
    let site = env.root().join("public/incidents");
    assert!(site.join(&other).join("index.html").is_file() && site.join(&one).join("index.html").is_file());
}

#[test]
fn an_incident_folder_that_is_a_link_is_named_and_never_read_or_written_through() {
    let (env, one, other) = two_incidents();
    env.ok(&["publish", "-q", "--include-open"]);
    let link = env.incident_dir(&other);
    let elsewhere = env.root().join("elsewhere");
    std::fs::rename(&link, &elsewhere).unwrap();
    std::os::unix::fs::symlink(&elsewhere, &link).unwrap();
    let problem = "is a symbolic link (it could lead out of the vault)";
    let hint = format!("replace the link with the folder itself (`ls -l {}` shows where it leads)", link.display());
    let warning = format!("warning: {}: {problem}, so it is left out; {hint}\n", link.display());

    // Listed as unreadable, named with the fix, everywhere it is left out.
    let r = env.run(&["list"]);
    assert_eq!((r.code, r.stderr.as_str()), (0, warning.as_str()), "{}", r.stdout);
    let row = |id: &str| r.stdout.lines().find(|l| l.contains(id)).unwrap_or_default().to_string();
    assert!(row(&one).ends_with("open            1  Test one"), "{}", r.stdout);
    assert!(
        row(&other)
            .ends_with(&format!("unreadable      -  cannot read incidents/{other} (the warning above says why)")),
        "{}",
        r.stdout
    );
    let entries = env.json(&["list", "--json"]);
    let entry = entries.as_array().unwrap().iter().find(|e| e["id"] == other.as_str()).unwrap();
    assert_eq!(entry["unreadable"]["file"], format!("incidents/{other}"), "{entry:#}");
    assert_eq!(entry["unreadable"]["message"], format!("{problem}, so it is left out; {hint}"));
    let r = env.run(&["report"]);
    let relative = warning.replacen(&format!("{}/", env.root().display()), "", 1);
    assert_eq!((r.code, r.stderr.as_str()), (0, relative.as_str()), "{}", r.stdout);
    assert!(r.stdout.starts_with("1 incident\n"), "{}", r.stdout);
    let r = env.run(&["publish", "--check", "--json"]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    let problems: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let named = problems["problems"].as_array().unwrap().iter().find(|p| p["file"] == format!("incidents/{other}"));
    assert_eq!(named.unwrap()["message"], format!("cannot be published: {problem}; {hint}"), "{problems:#}");
    let r = env.run(&["publish", "--include-open"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains(&format!("{}: {problem}; {hint}", link.display())), "{}", r.stderr);
    let site = env.root().join("public/incidents");
    assert!(site.join(&other).join("index.html").is_file(), "its last pages stay");

    // Not opened, by name, by a piece of it, or as the current incident; nothing written.
    let refused =
        |what: &str| format!("error: {what} {other} cannot be opened: its folder {problem}\n  hint: {hint}\n");
    let steps = std::fs::read_dir(elsewhere.join("steps")).unwrap().count();
    assert_eq!(env.fails(1, &["-I", &other, "status"]), refused("the incident"));
    assert_eq!(env.fails(1, &["-I", &other, "note", "through"]), refused("the incident"));
    assert_eq!(env.fails(1, &["switch", "other"]), refused("the incident"));
    assert_eq!(env.fails(1, &["note", "through"]), refused("the current incident"));
    assert_eq!(std::fs::read_dir(elsewhere.join("steps")).unwrap().count(), steps, "nothing written through it");

    // A link that leads nowhere: the same.
    std::fs::remove_dir_all(&elsewhere).unwrap();
    let r = env.run(&["list"]);
    assert_eq!((r.code, r.stderr.as_str()), (0, warning.as_str()), "{}", r.stdout);
    assert_eq!(env.fails(1, &["-I", &other, "note", "through"]), refused("the incident"));
}
