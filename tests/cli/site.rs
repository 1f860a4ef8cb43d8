//! `publish`: hostile content stays inert, what is left out and what is listed; the
//! helpers the other `site_*` modules share (a hostile vault, a served site, GET).

use std::collections::BTreeMap;
use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::process::{Child, Stdio};
use std::time::Duration;

use crate::support::*;

const SCRIPT: &str = "<script>window.__xss=1</script>";
const IMG: &str = "<img src=x onerror=window.__xss=1>";
const JS_LINK: &str = "[x](javascript:window.__xss=1)";
const DATA_LINK: &str = "[y](data:text/html,<script>window.__xss=1</script>)";

/// A vault with one hostile incident (every field an attacker could fill) and a plain one.
pub fn hostile_vault() -> (TestEnv, String) {
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
    (env, id)
}

pub fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every file of a folder, relative, with its inode (a rewrite through rename changes it).
pub fn inodes(dir: &Path) -> BTreeMap<String, u64> {
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

pub fn rewritten(before: &BTreeMap<String, u64>, after: &BTreeMap<String, u64>) -> Vec<String> {
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
        page.contains("<span class=\"headline\">$ echo &#39;&lt;script&gt;window.__xss=1&lt;/script&gt;&#39;"),
        "{page}"
    );
    assert!(
        page.contains("<span class=\"command\">echo &#39;&lt;script&gt;window.__xss=1&lt;/script&gt;&#39;"),
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

    // A path of the site's host: the feed's links relative to it, the feed's id its own.
    env.ok(&["publish", "--out", "sub", "--base-url", "/ops incidents"]);
    let feed = read(&env.root().join("sub/feed.xml"));
    assert!(feed.contains(&format!("href=\"/ops%20incidents/incidents/{id}/\"")), "{feed}");
    assert!(feed.contains("<id>urn:"), "{feed}");
    let page = read(&env.root().join(format!("sub/incidents/{id}/index.html")));
    assert!(page.contains(&format!("<link rel=\"canonical\" href=\"/ops%20incidents/incidents/{id}/\">")), "{page}");
    let err = env.fails(2, &["publish", "--base-url", "/ops?x=1"]);
    assert!(err.starts_with("error: --base-url \"/ops?x=1\" must not have a query or fragment"), "{err}");

    let err = env.fails(2, &["publish", "--base-url", "ops.example.com"]);
    assert_eq!(
        err,
        "error: --base-url \"ops.example.com\" is not a URL: relative URL without a base\n  hint: give the site's address with its scheme, e.g. --base-url https://ops.example.com/incidents/, or its path on its host, e.g. --base-url /incidents/\n"
    );
    let err = env.fails(2, &["publish", "--base-url", "javascript:alert(1)"]);
    assert_eq!(
        err,
        "error: --base-url \"javascript:alert(1)\" must be an http or https address\n  hint: give the site's address with its scheme, e.g. --base-url https://ops.example.com/incidents/, or its path on its host, e.g. --base-url /incidents/\n"
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

/// `publish` of [`two_published_incidents`] once the first (`a`) cannot be read: it fails
/// with `warning` among its warnings, and the first's last pages and index entry stay.
pub fn publish_keeps_the_last_pages_of(env: &TestEnv, a: &str, warning: &str) {
    let r = env.run(&["publish"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains(warning), "{}", r.stderr);
    let site = env.root().join("public");
    assert!(site.join(format!("incidents/{a}/index.html")).is_file(), "its pages stay");
    assert!(read(&site.join("index.html")).contains("First outage"), "and its index entry");
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

#[test]
fn a_service_that_is_also_a_tag_is_one_category_of_the_feed() {
    let env = TestEnv::new();
    env.ok(&["start", "DNS loop", "--tag", "k3s", "--tag", "dns", "--service", "k3s", "--service", "coredns"]);
    env.ok(&["resolve", "fixed"]);
    env.ok(&["publish", "-q"]);
    let feed = read(&env.root().join("public/feed.xml"));
    let terms: Vec<&str> = feed
        .match_indices("<category term=\"")
        .map(|(i, _)| &feed[i + 16..][..feed[i + 16..].find('"').unwrap()])
        .collect();
    assert_eq!(terms, ["k3s", "dns", "coredns"], "{feed}");
}
