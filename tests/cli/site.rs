//! `publish` and `serve`: hostile content stays inert, re-publishing touches only what
//! changed, the `--check` gate, and a note reaching an open tab through `serve`.

use std::collections::BTreeMap;
use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use crate::support::*;

const SCRIPT: &str = "<script>window.__xss=1</script>";
const IMG: &str = "<img src=x onerror=window.__xss=1>";
const JS_LINK: &str = "[x](javascript:window.__xss=1)";
const DATA_LINK: &str = "[y](data:text/html,<script>window.__xss=1</script>)";

/// A vault with one hostile incident (every field an attacker could fill) and a plain one.
fn hostile_vault() -> (TestEnv, String) {
    let mut env = TestEnv::new();
    let title = format!("Checkout {SCRIPT} {IMG}");
    let tag = format!("tag{SCRIPT}");
    let service = format!("svc{IMG}");
    let id = env.ok(&["start", &title, "--severity", "sev1", "--service", &service, "--tag", &tag, "--tag", "dns"]);
    let id = id.trim().to_string();
    env.ok(&["note", &format!("note {SCRIPT} {IMG} {JS_LINK} {DATA_LINK} <javascript:window.__xss=1>")]);
    let output = format!("{SCRIPT}\n{IMG}\n</code></pre></details>{SCRIPT}\n```\n{SCRIPT}\n");
    let r = env.run_with_stdin(&["capture", "-c", &format!("echo '{SCRIPT}' {IMG}"), "--no-echo"], output.as_bytes());
    assert_eq!(r.code, 0, "{}", r.stderr);
    // Marked half an hour after the fact (`--at` takes no time later than now).
    env.at("2025-10-05T09:30:00-05:00");
    env.ok(&["mark", "resolved", "--at", "today 09:00"]);
    env.at(NOW);
    (env, id)
}

pub fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every file of a folder, relative, with its inode (a rewrite through rename changes it).
fn inodes(dir: &Path) -> BTreeMap<String, u64> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).unwrap() {
            let e = e.unwrap();
            let meta = e.metadata().unwrap();
            if meta.is_dir() {
                stack.push(e.path());
            } else {
                out.insert(e.path().strip_prefix(dir).unwrap().to_string_lossy().into_owned(), meta.ino());
            }
        }
    }
    out
}

fn rewritten(before: &BTreeMap<String, u64>, after: &BTreeMap<String, u64>) -> Vec<String> {
    after.iter().filter(|(k, v)| before.get(*k) != Some(*v)).map(|(k, _)| k.clone()).collect()
}

fn assert_inert(path: &str, text: &str) {
    assert!(!text.contains("<script>window"), "{path}: raw <script>");
    assert!(!text.contains("<img src=x"), "{path}: raw <img>");
    assert!(!text.contains("href=\"javascript:"), "{path}: javascript: link");
    assert!(!text.contains("href=\"data:"), "{path}: data: link");
    // No tag carries an event handler (the payloads' text is fine: it is escaped).
    // Our attributes are always double-quoted and `"` in text is escaped: drop the values.
    for tag in text.split('<').skip(1).map(|t| t.split('>').next().unwrap_or("")) {
        let names: String = tag.split('"').step_by(2).collect();
        assert!(!names.contains(" onerror") && !names.contains(" onload"), "{path}: live event handler in <{tag}>");
    }
}

#[test]
fn hostile_content_is_escaped_on_every_page() {
    let (env, id) = hostile_vault();
    let out = env.ok(&["publish"]);
    assert_eq!(out, "public/index.html\n");
    let site = env.root().join("public");
    let files = inodes(&site);
    for want in [
        "index.html".to_string(),
        format!("incidents/{id}/index.html"),
        "tags/index.html".to_string(),
        "tags/dns/index.html".to_string(),
        "tags/tag-script-window-xss-1-script--ba057d02/index.html".to_string(),
        "services/svc-img-src-x-onerror-window-xss-1--7db6c6dc/index.html".to_string(),
        "feed.xml".to_string(),
        "search-index.json".to_string(),
        "search-index.js".to_string(),
        "assets/site.css".to_string(),
    ] {
        assert!(files.contains_key(&want), "{want} missing: {files:?}");
    }
    for path in files.keys().filter(|p| !p.starts_with("assets/")) {
        let text = read(&site.join(path));
        assert_inert(path, &text);
        if path.ends_with(".html") {
            // Only our own script tag.
            assert_eq!(text.matches("<script").count(), 1, "{path}");
        }
        if path.starts_with("search-index") {
            assert!(!text.contains('<'), "{path}: {text}");
        }
    }
    let page = read(&site.join(format!("incidents/{id}/index.html")));
    // The text stays visible, escaped.
    assert!(
        page.contains("Checkout &lt;script&gt;window.__xss=1&lt;/script&gt; &lt;img src=x onerror=window.__xss=1&gt;")
    );
    assert!(page.contains("note &lt;script&gt;window.__xss=1&lt;/script&gt;"), "{page}");
    assert!(
        page.contains("<code>$ echo &#39;&lt;script&gt;") || page.contains("<code>$ echo '&lt;script&gt;"),
        "{page}"
    );
    assert!(page.contains("&lt;/code&gt;&lt;/pre&gt;&lt;/details&gt;&lt;script&gt;"), "{page}");
    // Link text kept, link dropped.
    assert!(page.contains("> x <") || page.contains(" x "), "{page}");
    let feed = read(&site.join("feed.xml"));
    assert!(feed.contains("<title>Checkout &lt;script&gt;window.__xss=1&lt;/script&gt;"), "{feed}");
    let index: serde_json::Value = serde_json::from_str(&read(&site.join("search-index.json"))).unwrap();
    assert_eq!(index[0]["t"], format!("Checkout {SCRIPT} {IMG}"));
}

#[test]
fn incident_page_snapshot() {
    let (env, id) = hostile_vault();
    env.ok(&["publish"]);
    let page = read(&env.root().join("public/incidents").join(&id).join("index.html"));
    insta::with_settings!({filters => vec![
        (r"\d{8}T\d{6}Z-([a-z]+)-[0-9a-z]{6}", "[$1-id]"),
    ]}, {
        insta::assert_snapshot!(page);
    });
}

#[test]
fn open_and_internal_incidents_stay_out_unless_asked() {
    let env = TestEnv::new();
    let open = env.ok(&["start", "Still burning"]).trim().to_string();
    let internal = env.ok(&["start", "Secret sauce"]).trim().to_string();
    env.ok(&["resolve", "done"]);
    let md = env.incident_dir(&internal).join("incident.md");
    let text = read(&md).replacen("---\n", "---\nvisibility: internal\n", 1);
    fs::write(&md, text).unwrap();
    let r = env.run(&["publish"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("published 0 incidents to public in "), "{}", r.stderr);
    assert!(r.stderr.contains("; left out: 1 open (--include-open), 1 internal (--include-internal)"), "{}", r.stderr);
    // The gate says what it did not look at.
    let r = env.run(&["publish", "--check"]);
    assert_eq!(
        (r.code, r.stderr.as_str()),
        (
            0,
            "publish check: no problems in 0 incidents; left out: 1 open (--include-open), 1 internal (--include-internal)\n"
        )
    );
    let site = env.root().join("public");
    assert!(!site.join("incidents").join(&open).exists());
    assert!(!site.join("incidents").join(&internal).exists());
    env.ok(&["publish", "--include-open", "--include-internal"]);
    assert!(site.join("incidents").join(&open).join("index.html").is_file());
    assert!(site.join("incidents").join(&internal).join("index.html").is_file());
    // Back to the default: their pages go.
    env.ok(&["publish"]);
    assert!(!site.join("incidents").join(&open).exists());
    assert!(!site.join("incidents").join(&internal).exists());
}

#[test]
fn republishing_rewrites_only_what_changed() {
    let mut env = TestEnv::new();
    let a = env.ok(&["start", "First outage", "--tag", "dns"]).trim().to_string();
    env.ok(&["note", "looking at DNS"]);
    env.ok(&["resolve", "fixed"]);
    env.at("2025-10-06T08:23:00-05:00");
    let b = env.ok(&["start", "Second outage", "--tag", "disk"]).trim().to_string();
    env.ok(&["note", "disk full"]);
    env.ok(&["resolve", "fixed"]);
    env.ok(&["publish"]);
    let site = env.root().join("public");
    let first = inodes(&site);

    // Nothing changed: nothing written.
    let r = env.run(&["publish"]);
    assert!(r.stderr.contains("(0 rendered, 2 unchanged; 0 files written, 0 removed)"), "{}", r.stderr);
    assert_eq!(rewritten(&first, &inodes(&site)), Vec::<String>::new());

    // One note edited by hand: its incident page and the search index, nothing else.
    let note = env.step_files(&b).into_iter().find(|p| p.to_string_lossy().contains("-note-")).unwrap();
    let text = read(&note).replace("disk full", "disk full of core dumps");
    fs::write(&note, text).unwrap();
    let r = env.run(&["publish"]);
    assert!(r.stderr.contains("(1 rendered, 1 unchanged;"), "{}", r.stderr);
    let second = inodes(&site);
    assert_eq!(
        rewritten(&first, &second),
        [format!("incidents/{b}/index.html"), "search-index.js".to_string(), "search-index.json".to_string()]
    );
    assert!(read(&site.join(format!("incidents/{b}/index.html"))).contains("disk full of core dumps"));

    // A new step (a new file) changes the incident's last update: the feed follows.
    env.ok(&["switch", &a]);
    env.at("2025-10-07T08:00:00-05:00");
    env.ok(&["note", "follow-up: add an alert"]);
    env.ok(&["publish"]);
    let third = inodes(&site);
    let changed = rewritten(&second, &third);
    assert!(changed.contains(&format!("incidents/{a}/index.html")), "{changed:?}");
    assert!(changed.contains(&"feed.xml".to_string()), "{changed:?}");
    assert!(!changed.contains(&format!("incidents/{b}/index.html")), "{changed:?}");

    // An incident deleted from the vault: its pages and its tag page go.
    fs::remove_dir_all(env.incident_dir(&b)).unwrap();
    let r = env.run(&["publish"]);
    assert!(r.stderr.contains("published 1 incident to public"), "{}", r.stderr);
    assert!(!site.join("incidents").join(&b).exists());
    assert!(!site.join("tags/disk").exists());
    assert!(site.join("tags/dns/index.html").is_file());
    assert!(!read(&site.join("index.html")).contains("Second outage"));
    // A page deleted by hand comes back.
    fs::remove_file(site.join(format!("incidents/{a}/index.html"))).unwrap();
    env.ok(&["publish"]);
    assert!(site.join(format!("incidents/{a}/index.html")).is_file());

    // The whole site deleted: everything is read again, stamped as it is read; those stamps
    // are the ones the next look compares with, so then nothing is rendered.
    fs::remove_dir_all(&site).unwrap();
    let r = env.run(&["publish"]);
    assert!(r.stderr.contains("(1 rendered, 0 unchanged;"), "{}", r.stderr);
    assert!(site.join(format!("incidents/{a}/index.html")).is_file());
    let r = env.run(&["publish"]);
    assert!(r.stderr.contains("(0 rendered, 1 unchanged; 0 files written, 0 removed)"), "{}", r.stderr);
    let note = env.step_files(&a).into_iter().find(|p| p.to_string_lossy().contains("-note-")).unwrap();
    fs::OpenOptions::new().append(true).open(&note).unwrap().write_all(b"appended in place\n").unwrap();
    let r = env.run(&["publish"]);
    assert!(r.stderr.contains("(1 rendered, 0 unchanged;"), "{}", r.stderr);
    assert!(read(&site.join(format!("incidents/{a}/index.html"))).contains("appended in place"));

    // An edit that changes no line of any list (a blank line): the incident page only.
    let before = inodes(&site);
    fs::OpenOptions::new().append(true).open(&note).unwrap().write_all(b"\n").unwrap();
    let r = env.run(&["publish"]);
    assert!(r.stderr.contains("(1 rendered, 0 unchanged; 1 file written, 0 removed)"), "{}", r.stderr);
    assert_eq!(rewritten(&before, &inodes(&site)), [format!("incidents/{a}/index.html")]);
    // A list page deleted by hand comes back too.
    fs::remove_file(site.join("tags/dns/index.html")).unwrap();
    let r = env.run(&["publish"]);
    assert!(r.stderr.contains("(0 rendered, 1 unchanged; 1 file written, 0 removed)"), "{}", r.stderr);
    assert!(site.join("tags/dns/index.html").is_file());
}

#[test]
fn an_edit_that_keeps_size_and_modification_time_is_still_republished() {
    let (env, id) = TestEnv::with_incident();
    env.ok(&["note", "disk full"]);
    env.ok(&["publish", "--include-open"]);
    let note = env.step_files(&id).into_iter().find(|p| p.to_string_lossy().contains("-note-")).unwrap();
    let mtime = fs::metadata(&note).unwrap().modified().unwrap();
    // As `sed -i s/full/FULL/` then `touch -r` would: a new file, same size, old time.
    let edited = note.with_extension("tmp");
    fs::write(&edited, read(&note).replace("disk full", "disk FULL")).unwrap();
    fs::File::options().write(true).open(&edited).unwrap().set_modified(mtime).unwrap();
    fs::rename(&edited, &note).unwrap();
    assert_eq!(fs::metadata(&note).unwrap().modified().unwrap(), mtime);
    let r = env.run(&["publish", "--include-open"]);
    assert!(r.stderr.contains("(1 rendered, 0 unchanged;"), "{}", r.stderr);
    assert!(read(&env.root().join(format!("public/incidents/{id}/index.html"))).contains("disk FULL"));
}

#[test]
fn a_deleted_incident_leaves_the_site_without_a_record_of_the_folder() {
    let mut env = TestEnv::new();
    let a = env.ok(&["start", "First outage", "--tag", "dns"]).trim().to_string();
    env.ok(&["resolve", "fixed"]);
    env.at("2025-10-06T08:23:00-05:00");
    let b = env.ok(&["start", "Second outage", "--tag", "disk"]).trim().to_string();
    env.ok(&["resolve", "fixed"]);
    env.ok(&["publish"]);
    env.ok(&["publish", "--out", "other"]);
    let site = env.root().join("public");
    // Files of the user's own beside the site are never touched.
    fs::write(site.join("about.html"), "mine").unwrap();
    fs::create_dir_all(site.join("extra")).unwrap();
    fs::write(site.join("extra/notes.txt"), "mine").unwrap();
    fs::remove_dir_all(env.incident_dir(&b)).unwrap();

    // The record is of `other/` now: nothing says what `public/` holds.
    let r = env.run(&["publish"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("published 1 incident to public"), "{}", r.stderr);
    assert!(!site.join("incidents").join(&b).exists());
    assert!(!site.join("tags/disk").exists());
    assert!(site.join(format!("incidents/{a}/index.html")).is_file());
    assert!(site.join("tags/dns/index.html").is_file());
    assert!(site.join("about.html").is_file() && site.join("extra/notes.txt").is_file());

    // --force forgets the record: the same sweep.
    let other = env.root().join("other");
    assert!(other.join("incidents").join(&b).exists());
    let r = env.run(&["publish", "--force", "--out", "other"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("(1 rendered, 0 unchanged;"), "{}", r.stderr);
    assert!(!other.join("incidents").join(&b).exists());
    assert!(!other.join("tags/disk").exists());
    assert!(!read(&other.join("search-index.json")).contains("Second outage"));
    assert!(other.join(format!("incidents/{a}/index.html")).is_file());
}

#[test]
fn a_folder_of_someone_elses_is_written_into_but_never_swept() {
    let (env, _id) = TestEnv::with_incident();
    env.ok(&["resolve", "fixed"]);
    let www = env.root().join("www");
    fs::create_dir_all(www.join("assets")).unwrap();
    fs::write(www.join("assets/theme.css"), "mine").unwrap();
    fs::create_dir_all(www.join("tags")).unwrap();
    fs::write(www.join("tags/notes.txt"), "mine").unwrap();
    // Twice in a row (a record of the folder), then with --force (no record): never swept.
    let publishes =
        [&["publish", "--out", "www"][..], &["publish", "--out", "www"], &["publish", "--out", "www", "--force"]];
    for args in publishes {
        let r = env.run(args);
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert_eq!(read(&www.join("assets/theme.css")), "mine", "{args:?}");
        assert_eq!(read(&www.join("tags/notes.txt")), "mine", "{args:?}");
    }
    assert!(!www.join(".incident-site").exists(), "the folder is not claimed");
    // A folder it published from empty is its own: marked, and swept when there is no record.
    env.ok(&["publish"]);
    assert!(env.root().join("public/.incident-site").is_file());
}

#[test]
fn every_file_deleted_by_hand_comes_back() {
    let (env, id) = TestEnv::with_incident();
    let vault_dir = env.incident_dir(&id);
    let step = "kind: run\nat: 2025-10-05T08:30:00-05:00\ncommand: kubectl get pods\noutput_file: outputs/20251005T133000Z-run-big001.out\n";
    fs::create_dir_all(vault_dir.join("steps")).unwrap();
    fs::write(vault_dir.join("steps/20251005T133000Z-run-big001.md"), format!("---\n{step}---\n\nhead of it\n"))
        .unwrap();
    fs::create_dir_all(vault_dir.join("outputs")).unwrap();
    fs::write(vault_dir.join("outputs/20251005T133000Z-run-big001.out"), "all of it\n").unwrap();
    env.ok(&["resolve", "done"]);
    fs::write(vault_dir.join("postmortem.md"), "# Postmortem\n\nAll good.\n").unwrap();
    env.ok(&["publish"]);
    let dir = env.root().join("public/incidents").join(&id);
    let postmortem = dir.join("postmortem.html");
    let output = dir.join("outputs/20251005T133000Z-run-big001.out.txt");
    assert!(postmortem.is_file() && output.is_file());
    fs::remove_file(&postmortem).unwrap();
    fs::remove_file(&output).unwrap();
    let r = env.run(&["publish"]);
    assert!(r.stderr.contains("(1 rendered, 0 unchanged;"), "{}", r.stderr);
    assert!(postmortem.is_file() && output.is_file());
}

#[test]
fn a_damaged_publish_record_means_reading_everything_again() {
    let (env, a) = two_published_incidents();
    let record = env.root().join(".incident/site-cache");
    let entries = env.root().join(".incident/site-cache.entries");
    let bytes = fs::read(&entries).unwrap();
    // The entries cut short: what each incident was made from still reads.
    fs::write(&entries, &bytes[..bytes.len() - 20]).unwrap();
    let md = env.incident_dir(&a).join("incident.md");
    fs::write(&md, read(&md).replace("First outage", "First outage, retitled")).unwrap();
    let r = env.run(&["publish"]);
    assert!(r.stderr.contains("published 2 incidents to public"), "{}", r.stderr);
    assert!(r.stderr.contains("(2 rendered, 0 unchanged;"), "{}", r.stderr);
    let index = read(&env.root().join("public/index.html"));
    assert!(index.contains("First outage, retitled") && index.contains("Second outage"), "{index}");
    let r = env.run(&["publish"]);
    assert!(r.stderr.contains("(0 rendered, 2 unchanged; 0 files written, 0 removed)"), "{}", r.stderr);
    // Garbage is no record: everything is rendered.
    fs::write(&record, b"not a record").unwrap();
    let r = env.run(&["publish"]);
    assert!(r.stderr.contains("(2 rendered, 0 unchanged;"), "{}", r.stderr);
    // --force forgets the record on purpose.
    let r = env.run(&["publish", "--force"]);
    assert!(r.stderr.contains("(2 rendered, 0 unchanged;"), "{}", r.stderr);
    assert!(record.is_file() && entries.is_file());
}

#[test]
fn base_url_makes_feed_and_canonical_links_absolute() {
    let (env, id) = hostile_vault();
    env.ok(&["publish", "--out", "site", "--base-url", "https://ops.example.com/incidents"]);
    let site = env.root().join("site");
    let page = read(&site.join(format!("incidents/{id}/index.html")));
    assert!(
        page.contains(&format!("<link rel=\"canonical\" href=\"https://ops.example.com/incidents/incidents/{id}/\">"))
    );
    assert!(page.contains("<link rel=\"stylesheet\" href=\"../../assets/site.css\">"));
    let feed = read(&site.join("feed.xml"));
    assert!(feed.contains(
        "<link rel=\"self\" type=\"application/atom+xml\" href=\"https://ops.example.com/incidents/feed.xml\"/>"
    ));
    assert!(feed.contains(&format!("href=\"https://ops.example.com/incidents/incidents/{id}/\"")));

    let err = env.fails(2, &["publish", "--base-url", "ops.example.com"]);
    assert_eq!(
        err,
        "error: --base-url \"ops.example.com\" is not a URL: relative URL without a base\n  hint: give the site's address with its scheme, e.g. --base-url https://ops.example.com/incidents/\n"
    );
    let err = env.fails(2, &["publish", "--base-url", "javascript:alert(1)"]);
    assert_eq!(
        err,
        "error: --base-url \"javascript:alert(1)\" must be an http or https address\n  hint: give the site's address with its scheme, e.g. --base-url https://ops.example.com/incidents/\n"
    );
    let err = env.fails(2, &["publish", "--out", "incidents"]);
    assert!(err.starts_with("error: cannot publish into "), "{err}");
    assert!(
        err.ends_with(
            ": it holds the vault's own files\n  hint: pick an output folder of its own, e.g. --out public\n"
        ),
        "{err}"
    );
}

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
    let broken = format!(
        "incidents/{id}/steps/{note_name}: broken link \"../runbooks/dns.md\": the site has no such file (link a file of the incident, e.g. ../attachments/NAME, or a full https:// address)"
    );
    assert_eq!(r.stdout, format!("incidents/{id}/postmortem.md: no postmortem yet\n{broken}\n"));
    assert_eq!(r.stderr, "publish check: 2 problems in 1 incident; 1 to publish; nothing was written\n");
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
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(lines.len(), 5, "{}", r.stdout);
    assert_eq!(
        lines[0],
        format!(
            "incidents/{id}/incident.md: marked `visibility: internal` but would be published (--include-internal)"
        )
    );
    assert!(
        lines[1].starts_with(&format!(
            "incidents/{id}/postmortem.md: broken link \"review.md\": the site has no such file"
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
    assert_eq!(r.stdout, format!("incidents/{id}/steps/{name}: still holds a secret (aws-secret 1)\n"));
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
            "incidents/{id}/incident.md: still holds a secret (github-token 1)\nincidents/{id}/steps/{name}: still holds a secret (aws-key 1)\n"
        )
    );
}

#[test]
fn tags_that_slug_alike_keep_pages_of_their_own() {
    let env = TestEnv::new();
    let mut args = vec!["start", "Compiler outage"];
    for t in ["C++", "c", "c--", "!!!", "???", "DNS", "dns"] {
        args.extend(["--tag", t]);
    }
    args.extend(["--service", "a b", "--service", "a-b"]);
    env.ok(&args);
    env.ok(&["resolve", "done"]);
    env.ok(&["publish"]);
    let site = env.root().join("public");
    let tags: Vec<String> = fs::read_dir(site.join("tags"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != "index.html")
        .collect();
    assert_eq!(tags.len(), 6, "C++, c, c--, !!!, ??? and dns (DNS is the same tag): {tags:?}");
    assert_eq!(fs::read_dir(site.join("services")).unwrap().count(), 3, "a b, a-b and the index");
    let index = read(&site.join("tags/index.html"));
    let page = read(
        &site
            .join("incidents")
            .join(fs::read_dir(site.join("incidents")).unwrap().next().unwrap().unwrap().file_name())
            .join("index.html"),
    );
    for shown in [">C++<", ">c<", ">c--<", ">!!!<", ">???<", ">DNS<"] {
        assert!(index.contains(shown), "{shown} on the tag index: {index}");
        assert!(page.contains(shown), "{shown} in the incident's header");
    }
    for tag in &tags {
        let list = read(&site.join("tags").join(tag).join("index.html"));
        assert!(list.contains("Compiler outage"), "{tag}");
    }
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
            "incidents/{id}/incident.md: `visibility: {v}` is not a value this tool knows, so the incident is kept out like `internal`; write one of: public, internal\n"
        )
    };
    let mut want = [unknown(&ids[0], "private"), unknown(&ids[2], "restricted")];
    want.sort();
    assert_eq!(r.stdout, want.concat());
    let r = env.run(&["publish", "--check", "--include-internal"]);
    assert!(
        r.stdout.contains(&format!(
            "incidents/{}/incident.md: marked `visibility: private` but would be published (--include-internal)\n",
            ids[0]
        )),
        "{}",
        r.stdout
    );
}

#[test]
fn causes_decisions_and_lessons_are_searchable_after_long_notes() {
    let (env, _) = TestEnv::with_incident();
    // Far more distinct words than the notes' share of the index.
    let long: Vec<String> = (0..400).map(|i| format!("noteword{i}")).collect();
    env.ok(&["note", &long.join(" ")]);
    env.ok(&["cause", "Zanzibarquux cached the old node IP", "--trigger", "Quokkalease renewal"]);
    env.ok(&["option", "Wombatrestart everything"]);
    env.ok(&["decide", "Wombatrestart", "--why", "Platypusfastest way back"]);
    env.ok(&["lesson", "Echidnaalerts on restarts"]);
    env.ok(&["resolve", "done"]);
    env.ok(&["publish"]);
    let index: serde_json::Value = serde_json::from_str(&read(&env.root().join("public/search-index.json"))).unwrap();
    let words = index[0]["x"].as_str().unwrap();
    for word in ["Zanzibarquux", "Quokkalease", "Wombatrestart", "Platypusfastest", "Echidnaalerts", "noteword0"] {
        assert!(words.split(' ').any(|w| w == word), "{word} in {words}");
    }
    assert!(!words.contains("noteword399"), "notes stay within their budget");
}

#[test]
fn a_damaged_incident_md_keeps_its_last_pages_and_fails_the_publish() {
    let (env, a) = two_published_incidents();
    let site = env.root().join("public");
    let md = env.incident_dir(&a).join("incident.md");
    let good = read(&md);
    fs::write(&md, good.replacen("title: ", "title: [unclosed ", 1)).unwrap();

    let r = env.run(&["publish"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let file = md.canonicalize().unwrap();
    assert!(
        r.stderr.contains(&format!("warning: {}:", file.display()))
            || r.stderr.contains(&format!("warning: {}:", md.display())),
        "names the file: {}",
        r.stderr
    );
    assert!(r.stderr.contains("; the pages last published of it stay until it is fixed\n"), "{}", r.stderr);
    assert!(
        r.stderr.ends_with(
            "error: 1 incident could not be published\n  hint: fix what the warnings above name, then publish again\n"
        ),
        "{}",
        r.stderr
    );
    assert!(site.join(format!("incidents/{a}/index.html")).is_file());
    assert!(site.join("tags/dns/index.html").is_file());
    assert!(read(&site.join("index.html")).contains("First outage"), "still listed");
    // Still damaged: read again, still kept, still a failure; --force too.
    assert_eq!(env.run(&["publish"]).code, 1);
    assert_eq!(env.run(&["publish", "--force"]).code, 1);
    assert!(site.join(format!("incidents/{a}/index.html")).is_file());
    assert!(read(&site.join("index.html")).contains("First outage"), "still listed after --force");
    assert!(site.join("tags/dns/index.html").is_file(), "its tag page too");

    // Fixed: published again, and a success.
    fs::write(&md, good).unwrap();
    let r = env.run(&["publish"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(read(&site.join("index.html")).contains("First outage"));
}

#[test]
fn control_characters_stay_out_and_line_counts_agree() {
    let env = TestEnv::new();
    let id = env.ok(&["start", "Red \x1b[31malert\x01 now", "--tag", "t\x1bx"]).trim().to_string();
    let output: String = (1..=29).map(|i| format!("line {i}\n")).collect();
    let r = env.run_with_stdin(&["capture", "-c", "journalctl -u k3s", "--no-echo"], output.as_bytes());
    assert_eq!(r.code, 0, "{}", r.stderr);
    env.ok(&["resolve", "done"]);
    env.ok(&["publish"]);
    let site = env.root().join("public");
    for path in
        ["index.html", &format!("incidents/{id}/index.html"), "search-index.json", "feed.xml", "tags/index.html"]
    {
        let text = read(&site.join(path));
        assert!(!text.contains(['\x1b', '\x01']), "{path} holds a control character");
    }
    let page = read(&site.join(format!("incidents/{id}/index.html")));
    // The recorder drops the escape sequence (and the control inside it) from the title.
    assert!(page.contains("Red alert now"), "{page}");
    // The fold's summary and the step's own footer count the same lines.
    assert!(page.contains("<span class=\"lines\">29 lines</span>"), "{page}");
    assert!(page.contains(", 29 lines"), "{page}");
}

/// `incident serve` on a free port, stopped when dropped.
pub struct Server {
    child: Child,
    pub url: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn serve(env: &TestEnv) -> Server {
    let mut child =
        env.command(&["serve", "--port", "0"]).stdout(Stdio::piped()).stderr(Stdio::null()).spawn().unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    assert!(line.starts_with("http://127.0.0.1:"), "{line:?}");
    Server { child, url: line.trim().to_string() }
}

/// A plain GET over a socket to our own server on 127.0.0.1; returns the whole response.
pub fn get(url: &str, path: &str) -> String {
    let addr = url.trim_start_matches("http://").trim_end_matches('/');
    get_as(url, path, addr)
}

/// [`get`] with the Host header `host`.
pub fn get_as(url: &str, path: &str, host: &str) -> String {
    let addr = url.trim_start_matches("http://").trim_end_matches('/');
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(stream, "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").unwrap();
    let mut text = String::new();
    stream.read_to_string(&mut text).unwrap();
    text
}

#[test]
fn serve_shows_a_new_note_within_a_second() {
    let (env, id) = TestEnv::with_incident();
    env.ok(&["note", "first note"]);
    let server = serve(&env);
    let page_path = format!("/incidents/{id}/index.html");
    let page = get(&server.url, &page_path);
    assert!(page.starts_with("HTTP/1.1 200 OK"), "{page}");
    assert!(page.contains("first note"));
    assert!(page.contains("<script src=\"/__incident/live.js\"></script>\n</body>"), "the reload script is added");
    assert!(!read(&env.root().join(".incident/serve").join(&page_path[1..])).contains("live.js"), "but not on disk");
    assert!(!env.root().join("public").exists(), "serve leaves public/ alone");

    // Listen for reloads like a browser tab does.
    let addr = server.url.trim_start_matches("http://").trim_end_matches('/').to_string();
    let mut events = std::net::TcpStream::connect(&addr).unwrap();
    events.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    write!(events, "GET /__incident/events HTTP/1.1\r\nHost: {addr}\r\n\r\n").unwrap();
    let mut events = BufReader::new(events);
    let mut line = String::new();
    while !line.starts_with(": connected") {
        line.clear();
        events.read_line(&mut line).unwrap();
    }

    // A temp file left by a writer is not a step: no rebuild, no reload.
    let steps = env.incident_dir(&id).join("steps");
    fs::write(steps.join(".incident-tmp-half"), "---\nkind: note\nat: 2025-").unwrap();

    let started = Instant::now();
    env.ok(&["note", "the second note, live"]);
    line.clear();
    while !line.starts_with("event: reload") {
        line.clear();
        events.read_line(&mut line).expect("a reload event");
    }
    let waited = started.elapsed();
    // The event names the pages that changed: a tab reloads only for its own.
    line.clear();
    events.read_line(&mut line).unwrap();
    let changed: Vec<String> = serde_json::from_str(line.trim().strip_prefix("data: ").unwrap()).unwrap();
    assert!(changed.contains(&page_path[1..].to_string()), "{changed:?}");
    let page = get(&server.url, &page_path);
    assert!(page.contains("the second note, live"), "{page}");
    assert!(waited < Duration::from_secs(1), "the tab was told after {waited:?}");
    eprintln!("note to reload event: {waited:?}");

    // A step that cannot be read yet is skipped, the rest still served; fixed, it appears.
    let broken = steps.join("20251005T090000Z-note-zzzzzz.md");
    fs::write(&broken, "---\nkind: note\nat: [\n---\n\nhalf written\n").unwrap();
    std::thread::sleep(Duration::from_millis(400));
    assert!(get(&server.url, &page_path).contains("the second note, live"), "the rest is still served");
    fs::write(&broken, "---\nkind: note\nat: 2025-10-05T09:00:00-05:00\n---\n\nnow complete\n").unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut page = String::new();
    while Instant::now() < deadline {
        page = get(&server.url, &page_path);
        if page.contains("now complete") {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(page.contains("now complete"), "{page}");
    assert!(!page.contains("half written"));

    // Paths cannot climb out of the site.
    assert!(get(&server.url, "/../incident.toml").starts_with("HTTP/1.1 404"));
    assert!(get(&server.url, "/%2e%2e/incident.toml").starts_with("HTTP/1.1 404"));
}

#[test]
fn serve_answers_only_to_its_own_name_and_sends_folders_to_their_slash() {
    let (env, _) = TestEnv::with_incident();
    env.ok(&["resolve", "done"]);
    let server = serve(&env);
    let port = server.url.trim_end_matches('/').rsplit(':').next().unwrap().to_string();

    // A folder without its `/`: relative links on its page would point one level too high.
    let r = get(&server.url, "/tags");
    assert!(r.starts_with("HTTP/1.1 301"), "{r}");
    assert!(r.to_lowercase().contains("\r\nlocation: /tags/\r\n"), "{r}");
    let r = get(&server.url, "/tags?q=k3s");
    assert!(r.to_lowercase().contains("\r\nlocation: /tags/?q=k3s\r\n"), "{r}");
    assert!(get(&server.url, "/tags/").starts_with("HTTP/1.1 200"));

    // Another name for 127.0.0.1 (DNS rebinding) reads nothing.
    for host in [format!("evil.example:{port}"), "127.0.0.1".to_string(), format!("localhost.evil:{port}")] {
        let r = get_as(&server.url, "/", &host);
        assert!(r.starts_with("HTTP/1.1 403"), "{host}: {r}");
        assert!(r.ends_with(&format!("forbidden: open this site as http://127.0.0.1:{port}/\n")), "{host}: {r}");
    }
    for host in [format!("localhost:{port}"), format!("LOCALHOST:{port}"), format!("[::1]:{port}")] {
        assert!(get_as(&server.url, "/", &host).starts_with("HTTP/1.1 200"), "{host}");
    }
}

/// Two resolved incidents, published; returns the first one's id.
pub fn two_published_incidents() -> (TestEnv, String) {
    let mut env = TestEnv::new();
    let a = env.ok(&["start", "First outage", "--tag", "dns"]).trim().to_string();
    env.ok(&["resolve", "fixed"]);
    env.at("2025-10-06T08:23:00-05:00");
    env.ok(&["start", "Second outage"]);
    env.ok(&["resolve", "fixed"]);
    env.ok(&["publish"]);
    (env, a)
}

#[test]
fn serve_on_a_port_in_use_says_so_before_building_anything() {
    let (env, _) = TestEnv::with_incident();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let err = env.fails(1, &["serve", "--port", &port]);
    assert!(err.starts_with(&format!("error: cannot listen on 127.0.0.1:{port}: ")), "{err}");
    assert!(
        err.ends_with("\n  hint: another program uses that port; pick another with --port N (0: any free port)\n"),
        "{err}"
    );
    assert!(!env.root().join(".incident/serve").exists(), "nothing was built");
}

#[test]
fn templates_list_tells_an_unchanged_copy_from_an_edited_one() {
    let (env, _) = TestEnv::with_incident();
    env.ok(&["templates", "export"]);
    let base = env.root().join("templates/site/base.html.tera");
    std::fs::write(&base, format!("{{# ours #}}{}", std::fs::read_to_string(&base).unwrap())).unwrap();
    let list = env.ok(&["templates", "list"]);
    assert!(list.contains("\nsite/base.html.tera\toverridden by templates/site/base.html.tera\n"), "{list}");
    assert!(
        list.contains(
            "\nsite/list.html.tera\toverridden by templates/site/list.html.tera, a copy of the built-in one (delete it to \
             follow it)\n"
        ),
        "{list}"
    );
}

#[test]
fn the_publish_summary_counts_only_what_is_on_the_site_and_always_says_what_is_left_out() {
    let env = TestEnv::new();
    env.ok(&["start", "Resolved one"]);
    env.ok(&["mark", "resolved"]);
    env.ok(&["start", "Still open"]);
    // The first publish renders the resolved one; the second finds nothing changed.
    for (rendered, kept, written) in [(1, 0, 11), (0, 1, 0)] {
        let r = env.run(&["publish"]);
        let summary = format!(
            " ({rendered} rendered, {kept} unchanged; {written} files written, 0 removed); left out: 1 open \
             (--include-open), 0 internal (--include-internal)\n"
        );
        assert!(r.stderr.contains(&summary), "{}", r.stderr);
    }
}
