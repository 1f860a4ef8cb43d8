//! `incident serve`: a note reaching an open tab, the names it answers to, a port in use.

use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::time::{Duration, Instant};

use crate::site::{get, get_as, read, serve};
use crate::support::*;

#[test]
fn serve_shows_a_new_note_within_a_second() {
    let (mut env, id) = TestEnv::with_incident();
    // Read after the steps written below: a step dated after now is left out.
    env.at("2025-10-05T10:00:00-05:00");
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

    // A link planted in the site's folder leads nowhere: neither to a file nor up a folder.
    let site = env.root().join(".incident/serve");
    let outside = env.root().join("outside");
    fs::create_dir(&outside).unwrap();
    fs::write(outside.join("index.html"), "<p>private</p>").unwrap();
    fs::write(outside.join("notes.txt"), "private").unwrap();
    std::os::unix::fs::symlink(outside.join("notes.txt"), site.join("leak.txt")).unwrap();
    std::os::unix::fs::symlink(&outside, site.join("up")).unwrap();
    for path in ["/leak.txt", "/up/notes.txt", "/up/"] {
        let r = get(&server.url, path);
        assert!(r.starts_with("HTTP/1.1 404"), "{path}: {r}");
    }
    assert!(get(&server.url, "/tags/").starts_with("HTTP/1.1 200"), "the site itself is still served");
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
