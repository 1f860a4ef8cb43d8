//! Fixes from the twenty-third review, how the site names links: a broken link by its file,
//! line and what was written (not its site path), an Obsidian link that names nothing by
//! its line, and a link of a scheme the site drops (`javascript:`, `data:`, `file:`) said.

use std::fs;

use crate::site::read;
use crate::support::*;

/// The line (1-based, frontmatter counted) of the file that first holds `text`.
fn line_of(path: &std::path::Path, text: &str) -> usize {
    read(path).lines().position(|l| l.contains(text)).unwrap() + 1
}

const NO_ANCHOR: &str = "the page is there but has no such #anchor (a step's anchor is step-ID; a heading of incident.md or postmortem.md has its words in lowercase joined by -, a heading inside a step none)";
const NO_FILE: &str =
    "the site has no such file (link a file of the incident, e.g. ../attachments/NAME, or a full https:// address)";
const NO_STEP: &str = "the incident has no such step or file (link a step as ../steps/ID.md from a step, steps/ID.md from incident.md or postmortem.md)";

#[test]
fn a_broken_link_is_named_as_written_with_its_file_and_line() {
    let (env, id) = TestEnv::with_incident();
    env.ok(&["note", "first look"]);
    env.ok(&[
        "note",
        "the lease table\n\nsee [the review](../postmortem.md#x)\n\nand [[postmortem#No Such Part|that part]]\n\nor [the runbook](<../runbooks/dns runbook.md>)",
    ]);
    env.ok(&["resolve"]);
    env.ok(&["-q", "postmortem"]);
    let dir = env.incident_dir(&id);
    let md = dir.join("incident.md");
    fs::write(&md, format!("{}\nDetails: [gone](steps/nope.md)\n", read(&md))).unwrap();
    let note = env.step_files(&id).into_iter().find(|p| read(p).contains("lease table")).unwrap();
    let note = note.strip_prefix(env.root()).unwrap().to_path_buf();
    let (rel_note, rel_md) = (note.display().to_string(), format!("incidents/{id}/incident.md"));
    let path = env.root().join(&note);
    let (x, part, runbook) =
        (line_of(&path, "postmortem.md#x"), line_of(&path, "[[postmortem"), line_of(&path, "runbook"));
    let gone = line_of(&md, "steps/nope.md");
    assert!(x > 1 && part > x && runbook > part && gone > 1, "frontmatter lines counted");

    let r = env.run(&["publish", "--check"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let broken: Vec<&str> = r.stdout.lines().filter(|l| l.contains("broken link")).collect();
    let mut want = vec![
        format!("{rel_md}: line {gone}: broken link \"steps/nope.md\": {NO_STEP}"),
        format!("{rel_note}: line {x}: broken link \"../postmortem.md#x\": {NO_ANCHOR}"),
        format!("{rel_note}: line {part}: broken link \"[[postmortem#No Such Part]]\": {NO_ANCHOR}"),
        format!("{rel_note}: line {runbook}: broken link \"../runbooks/dns runbook.md\": {NO_FILE}"),
    ];
    let mut got: Vec<String> = broken.iter().map(|l| l.to_string()).collect();
    got.sort();
    want.sort();
    assert_eq!(got, want, "{}", r.stdout);

    // The same in JSON, for a CI job: the line as a field of its own.
    let r = env.run(&["publish", "--check", "--json"]);
    let json: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let found = json["problems"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["message"].as_str().unwrap().starts_with("broken link \"../postmortem.md#x\""))
        .cloned();
    assert_eq!(
        found,
        Some(serde_json::json!({
            "file": rel_note,
            "line": x,
            "message": format!("broken link \"../postmortem.md#x\": {NO_ANCHOR}"),
        })),
        "{}",
        r.stdout
    );
}

#[test]
fn an_obsidian_link_that_names_nothing_is_said_with_its_line() {
    let (env, id) = TestEnv::with_incident();
    env.ok(&["note", "the lease table\n\nnot [[gone|the old note]] nor ![[lost.png]]"]);
    env.ok(&["resolve"]);
    env.ok(&["-q", "postmortem"]);
    let note = env.step_files(&id).into_iter().find(|p| read(p).contains("lease table")).unwrap();
    let line = line_of(&note, "[[gone");
    assert!(line > 1, "frontmatter lines counted");
    let r = env.run(&["publish"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let at = format!("warning: {}:{line}: ", note.display());
    for said in [
        "[[gone]] names nothing of this incident, so the site shows its text without a link: the site publishes only this incident's steps, incident.md and postmortem.md: link to one of them, or fix the name",
        "[[lost.png]] names nothing of this incident, so the site shows its text without a link: no file of that name in the incident: attach it with `incident attach FILE`, or fix the name",
    ] {
        assert!(r.stderr.contains(&format!("{at}{said}\n")), "{said}\n{}", r.stderr);
    }
    // The gate names them the same way.
    let r = env.run(&["publish", "--check"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let rel = note.strip_prefix(env.root()).unwrap().display().to_string();
    let named = r.stdout.lines().filter(|l| l.starts_with(&format!("{rel}: line {line}: [["))).count();
    assert_eq!(named, 2, "{}", r.stdout);
}

#[test]
fn a_link_of_a_scheme_the_site_drops_is_its_text_only_and_said_and_the_gate_names_it() {
    let (env, id) = TestEnv::with_incident();
    env.ok(&[
        "note",
        "the lease table\n\n[run me](javascript:alert(1)) and <javascript:alert(1)>\n\n[the page](data:text/html,hi) ![graph](data:image/png;base64,AAAA)\n\n[the log](file:///var/log/syslog)",
    ]);
    env.ok(&["resolve"]);
    env.ok(&["-q", "postmortem"]);
    let note = env.step_files(&id).into_iter().find(|p| read(p).contains("lease table")).unwrap();
    let r = env.run(&["publish"]);
    assert_eq!(r.code, 0, "plain publish goes on: {}", r.stderr);
    let html = read(&env.root().join(format!("public/incidents/{id}/index.html")));
    for gone in ["href=\"javascript:", "href=\"data:", "src=\"data:", "href=\"file:"] {
        assert!(!html.contains(gone), "{gone} kept:\n{html}");
    }
    for text in ["run me", "the page", "the log"] {
        assert!(html.contains(text), "{text}: its text stays\n{html}");
    }
    let why = "which the site never links (only http:, https: and mailto: addresses: javascript: or data: could run script on the site, file: open the reader's own files): the site shows its text without the link; write the full https:// address, or link a file of the incident, e.g. ../attachments/NAME";
    let said = [
        ("javascript:alert(1)", "javascript"),
        ("data:text/html,hi", "data"),
        ("data:image/png;base64,AAAA", "data"),
        ("file:///var/log/syslog", "file"),
    ];
    for (dest, scheme) in said {
        let line = line_of(&note, dest);
        let warning = format!("warning: {}:{line}: link {dest:?} uses `{scheme}:`, {why}\n", note.display());
        assert_eq!(r.stderr.matches(&warning).count(), 1, "said once: {warning}\n{}", r.stderr);
    }

    // The gate lists them, as it lists links from `/` or to `//host`.
    let r = env.run(&["publish", "--check"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let rel = note.strip_prefix(env.root()).unwrap().display().to_string();
    for (dest, scheme) in said {
        let problem = format!("{rel}: line {}: link {dest:?} uses `{scheme}:`, {why}", line_of(&note, dest));
        assert!(r.stdout.lines().any(|l| l == problem), "{problem}\n{}", r.stdout);
    }
    assert_eq!(r.stdout.lines().filter(|l| l.contains("which the site never links")).count(), 4, "{}", r.stdout);
}
