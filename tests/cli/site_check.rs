//! The `publish --check` gate: secrets still in the record, broken links, internal and
//! unknown visibility.

use std::fs;

use crate::site::{hostile_vault, read};
use crate::support::*;

#[test]
fn check_is_a_publish_gate() {
    let (env, id) = hostile_vault();
    // A note that links to a page the site does not have.
    env.ok(&["note", "see [the runbook](../runbooks/dns.md)"]);
    let r = env.run(&["publish", "--check"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    // The line names the step file that holds the link, not the page made from it.
    let note = env.step_files(&id).into_iter().find(|p| read(p).contains("runbook")).unwrap();
    let note_name = note.file_name().unwrap().to_string_lossy().into_owned();
    let line = line_of(&note, "runbooks");
    let broken = format!(
        "incidents/{id}/steps/{note_name}: line {line}: broken link \"../runbooks/dns.md\": the site has no such file (link a file of the incident, e.g. ../attachments/NAME, or a full https:// address)"
    );
    // The hostile note's `javascript:` and `data:` links, dropped to their text, are named too.
    let dropped = |l: &&str| l.contains("which the site never links");
    assert_eq!(r.stdout.lines().filter(dropped).count(), 2, "{}", r.stdout);
    let rest: Vec<&str> = r.stdout.lines().filter(|l| !dropped(l)).collect();
    assert_eq!(rest, [format!("incidents/{id}/postmortem.md: no postmortem yet"), broken.clone()]);
    assert_eq!(r.stderr, "publish check: 4 problems in 1 incident; 1 to publish; nothing was written\n");
    assert!(!env.root().join("public").exists());

    // Internal incidents that would go out, and unreadable steps, are problems too.
    let dir = env.incident_dir(&id);
    fs::write(
        dir.join("postmortem.md"),
        "---\ngenerated: true\n---\n\n# Postmortem\n\nSee [the old review](review.md).\n",
    )
    .unwrap();
    let md = dir.join("incident.md");
    fs::write(&md, read(&md).replacen("---\n", "---\nvisibility: internal\n", 1)).unwrap();
    fs::write(dir.join("steps/20251005T090500Z-note-broken.md"), "---\nkind: note\nat: [\n---\n").unwrap();
    let r = env.run(&["publish", "--check", "--include-internal"]);
    assert_eq!(r.code, 1);
    let lines: Vec<&str> = r.stdout.lines().filter(|l| !dropped(l)).collect();
    assert_eq!(lines.len(), 5, "{}", r.stdout);
    assert_eq!(
        lines[0],
        format!(
            "incidents/{id}/incident.md: line 2: marked `visibility: internal` but would be published (--include-internal)"
        )
    );
    assert!(
        lines[1].starts_with(&format!(
            "incidents/{id}/postmortem.md: line 7: broken link \"review.md\": the site has no such file"
        )),
        "{}",
        lines[1]
    );
    // A generated postmortem that names none of the steps is older than all of them.
    assert!(
        lines[2].starts_with(&format!("incidents/{id}/postmortem.md: stale: since it was generated, added: ")),
        "{}",
        lines[2]
    );
    assert!(
        lines[3].starts_with(&format!("incidents/{id}/steps/20251005T090500Z-note-broken.md: line ")),
        "{}",
        lines[3]
    );
    assert_eq!(lines[4], broken);

    // Fixed: the gate opens, and the published site's links all resolve.
    fs::remove_file(dir.join("steps/20251005T090500Z-note-broken.md")).unwrap();
    fs::remove_file(note).unwrap();
    let hostile = env.step_files(&id).into_iter().find(|p| read(p).contains("javascript:")).unwrap();
    fs::write(&hostile, read(&hostile).replace("javascript:", "https://x.test/").replace("data:", "https://y.test/"))
        .unwrap();
    fs::write(dir.join("postmortem.md"), "# Postmortem\n\nAll good.\n").unwrap();
    let r = env.run(&["publish", "--check", "--include-internal"]);
    assert_eq!(r.code, 1, "internal still goes out");
    fs::write(&md, read(&md).replacen("visibility: internal\n", "", 1)).unwrap();
    let r = env.run(&["publish", "--check"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert_eq!(r.stdout, "");
    assert_eq!(r.stderr, "publish check: no problems in 1 incident\n");
    env.ok(&["publish"]);
    assert!(env.root().join(format!("public/incidents/{id}/postmortem.html")).is_file());
}

#[test]
fn check_takes_links_only_from_tags_and_counts_the_incidents_with_problems() {
    let mut env = TestEnv::new();
    let a = env.ok(&["start", "Ingress sent HTML"]).trim().to_string();
    // Text about HTML, in a code span and bare: quotes in text are not attributes.
    env.ok(&["note", r#"the ingress returned `<link href="style.css">` and <a href="other.html"> in the body"#]);
    env.ok(&["resolve", "fixed"]);
    env.ok(&["postmortem"]);
    env.at("2025-10-06T08:23:00-05:00");
    let b = env.ok(&["start", "Second outage"]).trim().to_string();
    env.ok(&["resolve", "fixed"]);
    let r = env.run(&["publish", "--check"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(r.stdout, format!("incidents/{b}/postmortem.md: no postmortem yet\n"));
    assert_eq!(r.stderr, "publish check: 1 problem in 1 incident; 2 to publish; nothing was written\n");
    env.ok(&["postmortem", "-I", &b]);
    let r = env.run(&["publish", "--check"]);
    assert_eq!((r.code, r.stderr.as_str()), (0, "publish check: no problems in 2 incidents\n"), "{}", r.stdout);
    env.ok(&["publish"]);
    let page = read(&env.root().join(format!("public/incidents/{a}/index.html")));
    assert!(page.contains(r#"<code>&lt;link href="style.css"&gt;</code>"#), "{page}");

    // A template of the vault's own with a broken link: a problem of the site's own pages,
    // found after a `>` left in a value.
    env.ok(&["templates", "export"]);
    let list = env.root().join("templates/site/list.html.tera");
    let broken = read(&list).replacen(
        "{% block content %}",
        "{% block content %}<a title=\"a > b\" href=\"gone.html\">x</a>",
        1,
    );
    fs::write(&list, broken).unwrap();
    let r = env.run(&["publish", "--check"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stdout.starts_with("index.html: broken link \"gone.html\""), "{}{}", r.stdout, r.stderr);
    assert_eq!(
        r.stderr.lines().last(),
        Some("publish check: 1 problem in the site's own pages; 2 to publish; nothing was written"),
        "{}",
        r.stderr
    );
}

#[test]
fn check_finds_secrets_left_in_the_record() {
    let (env, id) = TestEnv::with_incident();
    env.ok(&["note", "--no-redact", "tried export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"]);
    env.ok(&["note", "this one is redacted: export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"]);
    env.ok(&["resolve", "done"]);
    fs::write(env.incident_dir(&id).join("postmortem.md"), "# Postmortem\n").unwrap();
    let r = env.run(&["publish", "--check"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let leaked = env.step_files(&id).into_iter().find(|p| read(p).contains("wJalrXUtnFEMI")).unwrap();
    let name = leaked.file_name().unwrap().to_string_lossy().into_owned();
    let line = line_of(&leaked, "wJalrXUtnFEMI");
    assert_eq!(r.stdout, format!("incidents/{id}/steps/{name}: line {line}: still holds a secret (aws-secret 1)\n"));
    assert_eq!(r.stderr, "publish check: 1 problem in 1 incident; 1 to publish; nothing was written\n");
}

#[test]
fn check_finds_secrets_in_every_frontmatter_field() {
    let (env, id) = TestEnv::with_incident();
    env.ok(&["resolve", "done"]);
    let dir = env.incident_dir(&id);
    fs::write(dir.join("postmortem.md"), "# Postmortem\n").unwrap();
    let token = "ghp_0123456789abcdefghijABCDEFGHIJ012345";
    let md = dir.join("incident.md");
    let text = read(&md).replacen("---\n", &format!("---\nservices_unaffected: [\"api {token}\"]\n"), 1);
    fs::write(&md, text).unwrap();
    let step = env.step_files(&id).into_iter().next().unwrap();
    let text = read(&step).replacen("---\n", "---\nwhy: rotated AKIAIOSFODNN7EXAMPLE after\n", 1);
    fs::write(&step, text).unwrap();
    let r = env.run(&["publish", "--check"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let name = step.file_name().unwrap().to_string_lossy().into_owned();
    assert_eq!(
        r.stdout,
        format!(
            "incidents/{id}/incident.md: line 2: still holds a secret (github-token 1)\nincidents/{id}/steps/{name}: line 2: still holds a secret (aws-key 1)\n"
        )
    );
}

#[test]
fn unknown_visibility_values_are_not_public() {
    let env = TestEnv::new();
    let mut ids = Vec::new();
    for (title, vis) in [("Hidden one", "private"), ("Open one", "PUBLIC"), ("Quiet one", "restricted")] {
        let id = env.ok(&["start", title]).trim().to_string();
        env.ok(&["resolve", "done"]);
        let dir = env.incident_dir(&id);
        let md = dir.join("incident.md");
        fs::write(&md, read(&md).replacen("---\n", &format!("---\nvisibility: {vis}\n"), 1)).unwrap();
        fs::write(dir.join("postmortem.md"), "# Postmortem\n").unwrap();
        ids.push(id);
    }
    let r = env.run(&["publish"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("published 1 incident to public"), "{}", r.stderr);
    assert!(r.stderr.contains("; left out: 0 open (--include-open), 2 internal (--include-internal)"), "{}", r.stderr);
    let site = env.root().join("public/incidents");
    assert!(!site.join(&ids[0]).exists() && site.join(&ids[1]).exists() && !site.join(&ids[2]).exists());

    let r = env.run(&["publish", "--check"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let unknown = |id: &str, v: &str| {
        format!(
            "incidents/{id}/incident.md: line 2: `visibility: {v}` is not a value this tool knows, so the incident is kept out like `internal`; write one of: public, internal\n"
        )
    };
    let mut want = [unknown(&ids[0], "private"), unknown(&ids[2], "restricted")];
    want.sort();
    assert_eq!(r.stdout, want.concat());
    let r = env.run(&["publish", "--check", "--include-internal"]);
    assert!(
        r.stdout.contains(&format!(
            "incidents/{}/incident.md: line 2: marked `visibility: private` but would be published (--include-internal)\n",
            ids[0]
        )),
        "{}",
        r.stdout
    );
}

#[test]
fn a_secret_pasted_into_a_step_by_hand_holds_its_incident_back_from_publish() {
    let (env, id) = TestEnv::with_incident();
    env.ok(&["note", "first"]);
    env.ok(&["resolve", "done"]);
    env.ok(&["publish", "-q"]);
    let page = env.root().join(format!("public/incidents/{id}/index.html"));
    let before = read(&page);
    // Pasted in an editor: the recorder never saw it.
    let note = env.step_files(&id).into_iter().find(|p| read(p).contains("first")).unwrap();
    let clean = read(&note);
    fs::write(&note, format!("{clean}\nexport AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n"))
        .unwrap();
    let name = note.file_name().unwrap().to_string_lossy().into_owned();
    let line = line_of(&note, "wJalrXUtnFEMI");
    for out in ["public", "fresh"] {
        let r = env.run(&["publish", "--out", out]);
        assert_eq!(r.code, 1, "{}", r.stderr);
        assert!(
            r.stderr.contains(&format!(
                "warning: incidents/{id}/steps/{name}:{line}: still holds a secret (aws-secret 1): edit it out (`incident redact -I {id} < FILE` shows it hidden), or switch the rule off in incident.toml if it is none (a secret in the record holds its incident back); it is not on the site until it is fixed"
            )),
            "{}",
            r.stderr
        );
        let site = crate::redact::all_files(&env.root().join(out));
        assert!(!site.is_empty());
        for (path, bytes) in site {
            assert!(!String::from_utf8_lossy(&bytes).contains("wJalrXUtnFEMI"), "{}", path.display());
        }
    }
    // Its last pages go until it is fixed: they may hold the secret too.
    assert!(before.contains("first") && !page.exists(), "its last pages are taken off");
    assert!(!read(&env.root().join("public/index.html")).contains(&id), "and its index entry");
    assert!(!env.root().join(format!("fresh/incidents/{id}")).exists());
    // Renamed by hand, it is named as it is now.
    let renamed = note.with_file_name("lease notes.md");
    fs::rename(&note, &renamed).unwrap();
    let r = env.run(&["publish", "--check"]);
    assert!(r.stdout.contains(&format!("incidents/{id}/steps/lease notes.md: ")), "{}", r.stdout);
    fs::write(&renamed, clean).unwrap();
    assert_eq!(env.run(&["publish", "-q"]).code, 0);
}

#[test]
fn check_holds_nothing_against_an_incident_it_leaves_out() {
    let (env, id) = TestEnv::with_incident();
    env.ok(&["-q", "postmortem"]);
    env.ok(&["note", "still open, so the draft postmortem is stale"]);
    env.ok(&["note", "--no-redact", "export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"]);
    let r = env.run(&["publish", "--check"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert_eq!(r.stdout, "");
    assert_eq!(
        r.stderr,
        "publish check: no problems in 0 incidents; left out: 1 open (--include-open), 0 internal (--include-internal)\n"
    );
    let r = env.run(&["publish", "--check", "--include-open"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stdout.contains(&format!("incidents/{id}/postmortem.md: stale: ")), "{}", r.stdout);
    assert!(r.stdout.contains(": still holds a secret (aws-secret 1)\n"), "{}", r.stdout);
}

#[test]
fn a_secret_the_vault_knows_holds_back_the_incident_it_is_pasted_into_where_no_rule_sees_it() {
    let (env, a) = TestEnv::with_incident();
    // Found by a rule in one incident...
    env.ok(&["note", "kubectl create secret generic db --from-literal=password=Zq8vTopSecret99"]);
    env.ok(&["resolve", "done"]);
    let b = env.ok(&["start", "Second outage"]).trim().to_string();
    env.ok(&["note", "first"]);
    env.ok(&["resolve", "done"]);
    env.ok(&["publish", "-q"]);
    // ...then pasted bare into another by hand, where no rule would see it.
    let note = env.step_files(&b).into_iter().find(|p| read(p).contains("first")).unwrap();
    fs::write(&note, format!("{}\nthe db password was Zq8vTopSecret99 all along\n", read(&note))).unwrap();
    let name = note.file_name().unwrap().to_string_lossy().into_owned();
    let line = line_of(&note, "Zq8vTopSecret99");
    let r = env.run(&["publish", "--check"]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(
        r.stdout.contains(&format!("incidents/{b}/steps/{name}: line {line}: still holds a secret (")),
        "{}",
        r.stdout
    );
    let r = env.run(&["publish"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains(&format!("warning: incidents/{b}/steps/{name}:{line}: still holds a secret (")),
        "{}",
        r.stderr
    );
    for (path, bytes) in crate::redact::all_files(&env.root().join("public")) {
        assert!(!String::from_utf8_lossy(&bytes).contains("Zq8vTopSecret99"), "{}", path.display());
    }
    assert!(read(&env.root().join(format!("public/incidents/{a}/index.html"))).contains("[REDACTED:"));
}

#[test]
fn a_secret_found_later_holds_back_an_unchanged_incident_that_holds_it() {
    let (env, a) = TestEnv::with_incident();
    env.ok(&["note", "copied from the runbook: Xy7pNewSecret42"]);
    env.ok(&["resolve", "done"]);
    env.ok(&["publish", "-q"]);
    // Only now does a rule find it, in another incident: the first's pages must go back.
    env.ok(&["start", "Second outage"]);
    env.ok(&["note", "kubectl create secret generic db --from-literal=password=Xy7pNewSecret42"]);
    let r = env.run(&["publish"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains(&format!("warning: incidents/{a}/steps/")), "{}", r.stderr);
    assert!(r.stderr.contains("still holds a secret ("), "{}", r.stderr);
    // Its pages of the first publish held it: they are gone, with its index and search entries.
    for (path, bytes) in crate::redact::all_files(&env.root().join("public")) {
        assert!(!String::from_utf8_lossy(&bytes).contains("Xy7pNewSecret42"), "{}", path.display());
    }
    assert!(!env.root().join(format!("public/incidents/{a}/index.html")).exists());
}

#[test]
fn check_json_gives_each_problem_with_its_file_and_line_for_a_ci_job() {
    let (env, id) = crate::support::TestEnv::with_incident();
    env.ok(&["note", "first look"]);
    let md = env.incident_dir(&id).join("incident.md");
    fs::write(&md, read(&md).replacen("---\n", "---\nvisibility: internal\n", 1)).unwrap();
    let r = env.run(&["publish", "--check", "--json", "--include-open", "--include-internal"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let json: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(
        json,
        serde_json::json!({
            "ok": false,
            "to_publish": 1,
            "left_out": { "open": 0, "internal": 0 },
            "problems": [
                {
                    "file": format!("incidents/{id}/incident.md"),
                    "line": 2,
                    "message": "marked `visibility: internal` but would be published (--include-internal)"
                },
                { "file": format!("incidents/{id}/postmortem.md"), "line": null, "message": "no postmortem yet" }
            ]
        })
    );
    // Left out, nothing is held against it: `ok`, exit 0.
    fs::write(&md, read(&md).replacen("visibility: internal\n", "", 1)).unwrap();
    let r = env.run(&["publish", "--check", "--json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let json: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!((&json["ok"], &json["to_publish"], &json["left_out"]["open"]), (&true.into(), &0.into(), &1.into()));
    assert_eq!(
        env.fails(2, &["publish", "--json"]).lines().next(),
        Some("error: the following required arguments were not provided:")
    );
}

/// The line (1-based) of `path` that first holds `what`.
fn line_of(path: &std::path::Path, what: &str) -> usize {
    read(path).lines().position(|l| l.contains(what)).unwrap() + 1
}
