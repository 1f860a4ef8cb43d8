//! Re-publishing when something fails or changes beside the incidents: a template that
//! fails, the site's settings under `serve`, `serve` out of file descriptors.

use std::fs;
use std::io::{BufRead, BufReader, Read};
use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::site::{get, read, serve, two_published_incidents};

#[test]
fn a_template_that_fails_keeps_the_lists_and_is_named_once() {
    let (env, a) = two_published_incidents();
    let site = env.root().join("public");
    env.ok(&["-q", "templates", "export"]);
    let template = env.root().join("templates/site/incident.html.tera");
    let good = read(&template);
    fs::write(&template, good.replacen("{% block content %}", "{% block content %}{{ nosuchvar }}", 1)).unwrap();

    let r = env.run(&["publish"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.starts_with("published 0 incidents to public in "), "none was published now: {}", r.stderr);
    let warnings: Vec<&str> = r.stderr.lines().filter(|l| l.starts_with("warning: ")).collect();
    assert_eq!(warnings.len(), 1, "one line for one cause: {}", r.stderr);
    assert!(warnings[0].contains("incident.html.tera:"), "names the template: {}", warnings[0]);
    assert!(warnings[0].contains("`nosuchvar`"), "{}", warnings[0]);
    assert!(
        warnings[0].ends_with(&format!(
            " (2 incidents: {a}, 2025-10-06-second-outage); the pages last published of them stay until it is fixed"
        )),
        "{}",
        warnings[0]
    );
    assert!(
        r.stderr.ends_with(
            "error: 2 incidents could not be published\n  hint: fix what the warnings above name, then publish again\n"
        ),
        "{}",
        r.stderr
    );
    let index = read(&site.join("index.html"));
    assert!(index.contains("First outage") && index.contains("Second outage"), "the index keeps both: {index}");
    assert!(site.join("tags/dns/index.html").is_file(), "tag pages stay");
    assert!(read(&site.join("feed.xml")).contains("First outage"), "the feed keeps them");

    fs::write(&template, good).unwrap();
    let r = env.run(&["publish"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(read(&site.join("index.html")).contains("Second outage"));
}

#[test]
fn serve_picks_up_a_new_site_name() {
    let (env, _) = two_published_incidents();
    let server = serve(&env);
    assert!(get(&server.url, "/").contains("<title>Incidents</title>"));
    // A page that is gone still follows the site.
    let gone = get(&server.url, "/incidents/renamed/index.html");
    assert!(gone.starts_with("HTTP/1.1 404"), "{gone}");
    assert!(gone.contains("<script src=\"/__incident/live.js\"></script>\n</body>"), "{gone}");
    // With the site's icon: else the browser asks for /favicon.ico and logs its 404.
    assert!(gone.contains("<link rel=\"icon\" type=\"image/svg+xml\" href=\"/assets/favicon.svg\">"), "{gone}");
    let toml = env.root().join("incident.toml");
    let settings = read(&toml);
    fs::write(&toml, format!("name = \"Platform team\"\n{settings}")).unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut page = String::new();
    while Instant::now() < deadline && !page.contains("<title>Platform team</title>") {
        std::thread::sleep(Duration::from_millis(50));
        page = get(&server.url, "/");
    }
    assert!(page.contains("<title>Platform team</title>"), "{page}");
}

#[test]
fn a_template_override_under_a_name_nothing_reads_is_named() {
    let (env, _) = two_published_incidents();
    let site = env.root().join("templates/site");
    fs::create_dir_all(&site).unwrap();
    fs::write(site.join("base.html"), "<html>mine</html>").unwrap();
    let warning =
        "warning: templates/site/base.html is not used: a template's name ends in .tera: rename it to base.html.tera\n";
    let r = env.run(&["publish", "-q"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stderr, warning);
    let r = env.run(&["templates", "list"]);
    assert!(r.stderr.ends_with(warning), "{}", r.stderr);
}

/// User plus system CPU time of a process, in clock ticks (`/proc/PID/stat` fields 14 and 15).
fn cpu_ticks(pid: u32) -> u64 {
    let stat = read(std::path::Path::new(&format!("/proc/{pid}/stat")));
    let after_name = &stat[stat.rfind(')').unwrap() + 2..];
    after_name.split(' ').skip(11).take(2).map(|t| t.parse::<u64>().unwrap()).sum()
}

#[test]
fn serve_out_of_file_descriptors_waits_instead_of_spinning_and_says_so_once() {
    let (env, _) = two_published_incidents();
    let mut child = env
        .shell("ulimit -n 64 && exec \"$BIN\" serve --port 0")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let addr = line.trim().trim_start_matches("http://").trim_end_matches('/').to_string();
    // Idle connections, more than the descriptors left: the kernel queues the rest.
    let _open: Vec<_> = (0..100).map(|_| std::net::TcpStream::connect(&addr).unwrap()).collect();
    std::thread::sleep(Duration::from_millis(500));
    let before = cpu_ticks(child.id());
    std::thread::sleep(Duration::from_secs(2));
    let spent = cpu_ticks(child.id()) - before;
    child.kill().unwrap();
    child.wait().unwrap();
    let mut stderr = String::new();
    child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
    // A spinning accept loop burns a whole core: about 200 ticks in two seconds.
    assert!(spent < 40, "{spent} ticks of CPU in 2 s with idle connections");
    let warning = "warning: cannot accept a connection: Too many open files (os error 24); retrying every 100 ms (too many open tabs or files? see `ulimit -n`)\n";
    assert_eq!(stderr.matches(warning).count(), 1, "{stderr}");
}

#[test]
fn a_step_file_that_cannot_be_read_keeps_its_incidents_last_pages_and_fails_the_publish() {
    let (env, a) = two_published_incidents();
    let site = env.root().join("public");
    let page = site.join(format!("incidents/{a}/index.html"));
    env.ok(&["-q", "note", "-I", &a, "the resolver loops back to itself"]);
    assert_eq!(env.run(&["publish"]).code, 0);
    assert!(read(&page).contains("the resolver loops back to itself"));
    let steps = env.incident_dir(&a).join("steps");
    let note =
        fs::read_dir(&steps).unwrap().map(|e| e.unwrap().path()).find(|p| read(p).contains("loops back")).unwrap();
    let good = read(&note);
    fs::write(&note, good.replacen("author: ", "author: [unclosed ", 1)).unwrap();
    let line = good.lines().position(|l| l.starts_with("author: ")).unwrap() + 1;
    let rel = format!("incidents/{a}/steps/{}", note.file_name().unwrap().to_str().unwrap());

    let r = env.run(&["publish"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let failure = format!(
        "warning: {rel}:{line}: `author: [unclosed ryan`: expected string scalar (a step file that cannot be read holds its incident back); the pages last published of it stay until it is fixed\n"
    );
    assert!(r.stderr.contains(&failure), "{}", r.stderr);
    assert!(
        r.stderr.ends_with(
            "error: 1 incident could not be published\n  hint: fix what the warnings above name, then publish again\n"
        ),
        "{}",
        r.stderr
    );
    assert!(read(&page).contains("the resolver loops back to itself"), "the page keeps the step");
    assert!(read(&site.join("index.html")).contains("First outage"), "still listed");

    // The gate names the file and line, without a link problem for a file that is there.
    let link = format!("see [the note](../steps/{})", note.file_name().unwrap().to_str().unwrap());
    env.ok(&["-q", "note", "-I", &a, &link]);
    let r = env.run(&["publish", "--check"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stdout.contains(&format!("{rel}: line {line}: ")), "{}", r.stdout);
    assert!(r.stdout.contains("the step file is there but cannot be read (its own line says why)"), "{}", r.stdout);
    assert!(!r.stdout.contains("line 0"), "{}", r.stdout);

    fs::write(&note, good).unwrap();
    let r = env.run(&["publish"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(read(&page).contains("the resolver loops back to itself"));
}

#[test]
fn an_incident_that_warns_is_not_rendered_again_to_say_it_again() {
    let (env, a) = two_published_incidents();
    let step = env.step_files(&a).into_iter().next().unwrap();
    let text = read(&step);
    let (head, body) = text.split_at(text.rfind("\n---\n").unwrap());
    fs::write(&step, format!("{head}\nmood: grim{body}\nSee ![[Pasted image 1.png]].\n")).unwrap();
    let warnings =
        |stderr: &str| stderr.lines().filter(|l| l.starts_with("warning: ")).map(str::to_string).collect::<Vec<_>>();
    let r = env.run(&["publish"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let first = warnings(&r.stderr);
    assert_eq!(first.len(), 2, "{}", r.stderr);
    assert!(
        first[0].contains(": unknown key `mood`") && first[1].contains("[[Pasted image 1.png]] names nothing"),
        "{first:?}"
    );
    assert!(r.stderr.contains("(1 rendered, 1 unchanged;"), "{}", r.stderr);
    // Nothing changed: both said again, word for word, without reading the incident.
    let r = env.run(&["publish"]);
    assert_eq!(warnings(&r.stderr), first, "{}", r.stderr);
    assert!(r.stderr.contains("(0 rendered, 2 unchanged;"), "{}", r.stderr);
    // Mended: said no more.
    fs::write(&step, &text).unwrap();
    let r = env.run(&["publish"]);
    assert_eq!(warnings(&r.stderr), Vec::<String>::new(), "{}", r.stderr);
    assert!(r.stderr.contains("(1 rendered, 1 unchanged;"), "{}", r.stderr);
}

#[test]
fn a_postmortem_current_again_after_its_template_is_put_back_is_no_longer_called_stale() {
    let (mut env, _) = crate::support::TestEnv::with_incident();
    env.at("2025-10-05T09:20:00-05:00").ok(&["resolve", "done"]);
    env.ok(&["templates", "export"]);
    let template = env.root().join("templates/postmortem.md.tera");
    env.ok(&["-q", "postmortem"]);
    let original = read(&template);
    fs::write(&template, format!("{original}\nextra line\n")).unwrap();
    let r = env.run(&["publish"]);
    assert!(r.stderr.contains("stale: since it was generated, the template"), "{}", r.stderr);
    fs::write(&template, &original).unwrap();
    let r = env.run(&["publish"]);
    assert!(!r.stderr.contains("stale"), "current again: {}", r.stderr);
}
