//! The published site in a real browser: Debian's chromium, headless, through the DevTools
//! protocol (headless_chrome). Loads the sample vault's site plus a hostile incident from
//! file:// and from `incident serve` on 127.0.0.1: pages render, the search box finds an
//! incident, the console stays clean, no payload runs, an open tab reloads on a new note.
//!
//! Without chromium the tests say so and pass, except under CI (CI set), where a missing
//! browser is a failure: `.ci/install-browser.sh` installs it.

use std::ffi::OsStr;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use headless_chrome::protocol::cdp::Emulation::{
    ClearDeviceMetricsOverride, MediaFeature, SetDeviceMetricsOverride, SetEmulatedMedia,
};
use headless_chrome::protocol::cdp::Log::LogEntryLevel;
use headless_chrome::protocol::cdp::Page::CaptureScreenshotFormatOption;
use headless_chrome::protocol::cdp::Runtime::ConsoleAPICalledEventTypeOption;
use headless_chrome::protocol::cdp::types::Event;
use headless_chrome::{Browser, LaunchOptions, Tab};

const NOW: &str = "2025-10-06T10:00:00-05:00";
const SCRIPT: &str = "<script>window.__xss=1</script>";
const IMG: &str = "<img src=x onerror=window.__xss=1>";

fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("CHROMIUM").map(PathBuf::from).filter(|p| p.is_file()) {
        return Some(p);
    }
    let path = std::env::var_os("PATH")?;
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .flat_map(|name| std::env::split_paths(&path).map(move |dir| dir.join(name)))
        .find(|p| p.is_file())
}

/// The browser, or `None` (with a message) when there is none and this is not CI.
fn browser(profile: &Path) -> Option<Browser> {
    let Some(path) = chromium() else {
        if std::env::var_os("CI").is_some() {
            panic!("CI is set but no chromium is installed: run .ci/install-browser.sh (apt-get install chromium)");
        }
        eprintln!("SKIPPED: browser tests need chromium (apt-get install -y chromium); none on PATH");
        return None;
    };
    let args: Vec<&OsStr> = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        "--disable-sync",
        "--allow-file-access-from-files",
    ]
    .iter()
    .map(OsStr::new)
    .collect();
    let options = LaunchOptions::default_builder()
        .path(Some(path))
        .headless(true)
        .sandbox(false)
        .window_size(Some((1280, 900)))
        .user_data_dir(Some(profile.to_path_buf()))
        .idle_browser_timeout(Duration::from_secs(120))
        .args(args)
        .build()
        .expect("launch options");
    Some(Browser::new(options).expect("chromium starts"))
}

/// Console errors, uncaught exceptions and browser-logged errors (CSP violations, failed
/// loads) of a tab.
fn watch_console(tab: &Tab) -> Arc<Mutex<Vec<String>>> {
    let errors = Arc::new(Mutex::new(Vec::new()));
    let sink = errors.clone();
    tab.enable_log().unwrap();
    tab.enable_runtime().unwrap();
    tab.add_event_listener(Arc::new(move |event: &Event| {
        let message = match event {
            Event::LogEntryAdded(e) if e.params.entry.level == LogEntryLevel::Error => {
                Some(format!("log: {} ({:?})", e.params.entry.text, e.params.entry.url))
            }
            Event::RuntimeConsoleAPICalled(e)
                if matches!(
                    e.params.Type,
                    ConsoleAPICalledEventTypeOption::Error | ConsoleAPICalledEventTypeOption::Assert
                ) =>
            {
                Some(format!("console.error: {:?}", e.params.args.iter().map(|a| a.value.clone()).collect::<Vec<_>>()))
            }
            Event::RuntimeExceptionThrown(e) => Some(format!("exception: {}", e.params.exception_details.text)),
            _ => None,
        };
        if let Some(m) = message {
            sink.lock().unwrap_or_else(|e| e.into_inner()).push(m);
        }
    }))
    .unwrap();
    errors
}

fn run(vault: &Path, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_incident"))
        .args(args)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("INCIDENT_VAULT", vault)
        .env("INCIDENT_NOW", NOW)
        .env("INCIDENT_AUTHOR", "ryan")
        .env("INCIDENT_HOST", "leveling-pc")
        .env("TZ", "UTC")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(out.status.success(), "incident {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name();
        if name == ".incident" || name == "public" {
            continue;
        }
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &to.join(&name));
        } else {
            std::fs::copy(entry.path(), to.join(&name)).unwrap();
        }
    }
}

/// The sample vault plus a hostile incident; returns the vault and the hostile incident.
fn vault(dir: &Path) -> (PathBuf, String) {
    let vault = dir.join("vault");
    copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("vault"), &vault);
    let title = format!("Hostile {SCRIPT} {IMG}");
    let tag = format!("t{SCRIPT}");
    let id = run(&vault, &["start", &title, "--tag", &tag, "--service", &format!("s{IMG}")]).trim().to_string();
    run(&vault, &["note", &format!("{SCRIPT} {IMG} [x](javascript:window.__xss=1) [y](data:text/html,{SCRIPT})")]);
    let mut capture = Command::new(env!("CARGO_BIN_EXE_incident"))
        .args(["capture", "--no-echo", "-c", &format!("echo '{SCRIPT}'")])
        .env_clear()
        .env("INCIDENT_VAULT", &vault)
        .env("INCIDENT_NOW", NOW)
        .env("TZ", "UTC")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    use std::io::Write;
    capture.stdin.take().unwrap().write_all(format!("{SCRIPT}\n{IMG}\n</pre></details>{SCRIPT}\n").as_bytes()).unwrap();
    assert!(capture.wait().unwrap().success());
    // An SVG picture with script in it, shown in a note: it shows, its script never runs.
    let svg = dir.join("graph.svg");
    std::fs::write(
        &svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20" onload="window.__xss=1"><script>window.__xss=1</script><rect width="40" height="20" fill="teal"/></svg>"#,
    )
    .unwrap();
    run(&vault, &["attach", svg.to_str().unwrap()]);
    let attachments = vault.join("incidents").join(&id).join("attachments");
    let name = std::fs::read_dir(attachments).unwrap().next().unwrap().unwrap().file_name();
    run(&vault, &["note", &format!("the graph: ![graph](../attachments/{})", name.to_string_lossy())]);
    let table = "| component | restarts observed | namespace of the pod | node it last ran on |\n|---|---|---|---|\n\
                 | coredns-7b98449c4-abcde | 1,234 | kube-system | leveling-pc |";
    run(&vault, &["note", &format!("# A heading in a note\n\n{table}")]);
    run(&vault, &["resolve", &format!("done {IMG}")]);
    (vault, id)
}

fn artifacts() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/artifacts");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn open(tab: &Tab, url: &str) {
    tab.navigate_to(url).unwrap().wait_until_navigated().unwrap();
}

fn eval_string(tab: &Tab, js: &str) -> String {
    tab.evaluate(js, false).unwrap().value.and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
}

/// [`eval_string`] while the page may be reloading: a script run as the old page goes
/// ("execution context was destroyed") gives "" and the caller asks again.
fn poll_string(tab: &Tab, js: &str) -> String {
    tab.evaluate(js, false).ok().and_then(|r| r.value).and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
}

fn assert_no_xss(tab: &Tab, url: &str) {
    assert_eq!(eval_string(tab, "typeof window.__xss"), "undefined", "a payload ran on {url}");
}

/// Every page a visitor might open: index, incident pages, tag and service pages.
fn pages_of(site_pages: &[&str], base: &str) -> Vec<String> {
    site_pages.iter().map(|p| format!("{base}{p}")).collect()
}

/// Emulates a media type and colour scheme, as a dark-mode laptop or its printer would.
fn emulate(tab: &Tab, media: &str, scheme: &str) {
    let feature = MediaFeature { name: "prefers-color-scheme".into(), value: scheme.into() };
    tab.call_method(SetEmulatedMedia { media: Some(media.into()), features: Some(vec![feature]) }).unwrap();
}

/// Charts and highlighted code as drawn: light by default, dark on a dark screen, light on paper.
fn assert_colours_follow_the_scheme(tab: &Tab) {
    let colours = "['figure.chart .ic-bg', 'figure.chart polyline.ic-series', '.hl-parameter.hl-option'].map(c => { const s = getComputedStyle(document.querySelector(c)); return s.fill + ' ' + s.stroke + ' ' + s.color; }).join(' | ')";
    let light = "rgb(255, 255, 255) none rgb(31, 35, 40) | none rgb(214, 69, 69) rgb(31, 35, 40) | rgb(0, 0, 0) none rgb(50, 50, 50)";
    for (media, scheme, expected) in [
        ("screen", "light", light),
        (
            "screen",
            "dark",
            "rgb(22, 27, 34) none rgb(230, 237, 243) | none rgb(248, 81, 73) rgb(230, 237, 243) | rgb(0, 0, 0) none rgb(191, 97, 106)",
        ),
        // Paper: the light colours, with the page's text black.
        (
            "print",
            "dark",
            "rgb(255, 255, 255) none rgb(0, 0, 0) | none rgb(214, 69, 69) rgb(0, 0, 0) | rgb(0, 0, 0) none rgb(50, 50, 50)",
        ),
    ] {
        emulate(tab, media, scheme);
        assert_eq!(eval_string(tab, colours), expected, "charts and code on {media} in {scheme} mode");
    }
    emulate(tab, "", "");
}

/// Elements of `selector` whose text takes more lines than `max_lines` allows (a JS
/// expression of `words`, the count of its words): words broken apart.
fn broken_words(tab: &Tab, selector: &str, max_lines: &str) -> String {
    let js = format!(
        "Array.from(document.querySelectorAll('{selector}')).filter(el => {{ \
           const r = document.createRange(); r.selectNodeContents(el); \
           const words = el.textContent.trim().split(/\\s+/).length; \
           return new Set(Array.from(r.getClientRects()).map(x => Math.round(x.top))).size > {max_lines}; \
         }}).map(el => el.textContent).join(' | ')"
    );
    eval_string(tab, &js)
}

/// Table headers, badges and durations keep their words whole on a laptop; a wide table in a
/// note scrolls sideways on a phone instead of stacking its headers letter by letter.
fn assert_words_stay_whole(tab: &Tab, base: &str, hostile_page: &str) {
    open(tab, &format!("{base}index.html"));
    let cells = "table.incidents th, table.incidents .badge, table.incidents td.duration, table.incidents td.severity, table.incidents a.tag";
    assert_eq!(broken_words(tab, cells, "1"), "", "on the index at 1280 px");
    let phone = SetDeviceMetricsOverride {
        width: 360,
        height: 800,
        device_scale_factor: 1.0,
        mobile: true,
        scale: None,
        screen_width: None,
        screen_height: None,
        position_x: None,
        position_y: None,
        dont_set_visible_size: None,
        screen_orientation: None,
        viewport: None,
        display_feature: None,
        device_posture: None,
    };
    tab.call_method(phone).unwrap();
    open(tab, &format!("{base}{hostile_page}"));
    assert_eq!(broken_words(tab, ".step-body th", "words"), "", "a note's table at 360 px");
    let scrolls = "const t = document.querySelector('.step-body table'); String(t.scrollWidth > t.clientWidth)";
    assert_eq!(eval_string(tab, scrolls), "true", "the table scrolls within the page");
    // Against the phone's width itself: a mobile viewport widens to the content it holds.
    let page_fits = "String(document.documentElement.scrollWidth <= 360)";
    assert_eq!(eval_string(tab, page_fits), "true", "the page itself does not scroll sideways");
    // Charts keep legible labels (at least 36rem wide) and scroll within their figure.
    open(tab, &format!("{base}incidents/2025-10-05-k3s-cluster-down-every-pod-in-crashloopbackoff/index.html"));
    let chart = "String(Math.round(document.querySelector('figure.chart svg').getBoundingClientRect().width))";
    assert_eq!(eval_string(tab, chart), "576", "a chart at 360 px");
    assert_eq!(eval_string(tab, page_fits), "true", "the incident page does not scroll sideways");
    tab.call_method(ClearDeviceMetricsOverride(None)).unwrap();
}

/// Results of the search box, polled for up to ten seconds.
fn search_results(tab: &Tab) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let found = eval_string(
            tab,
            "Array.from(document.querySelectorAll('#search-results a')).map(a => a.textContent).join('\\n')",
        );
        if !found.is_empty() || Instant::now() > deadline {
            return found;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A query pasted right after the box got focus, while the index is still on its way (focus
/// starts loading it): the results come when the index does. Also finds by a result's date,
/// and "6,812 restarts" by 6812.
fn assert_typing_before_the_index_loads_still_finds(tab: &Tab, base: &str) {
    open(tab, &format!("{base}index.html"));
    let typed = "const i = document.getElementById('search'); i.focus(); i.value = 'flannel 2025-10-05 6812'; \
                 i.dispatchEvent(new Event('input')); String(window.INCIDENT_SEARCH_INDEX === undefined)";
    assert_eq!(eval_string(tab, typed), "true", "the index was not loaded yet");
    let found = search_results(tab);
    assert!(found.contains("K3s cluster down"), "search found {found:?}");
    // Escape on a result reached with Tab closes the list and goes back to the box.
    let escape = "const a = document.querySelector('#search-results a'); a.focus(); \
                  a.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true })); \
                  document.getElementById('search-results').hidden + ' ' + document.activeElement.id";
    assert_eq!(eval_string(tab, escape), "true search");
}

fn check_site(tab: &Tab, base: &str, hostile: &str, errors: &Arc<Mutex<Vec<String>>>, shot: &str) {
    let hostile_page = format!("incidents/{hostile}/index.html");
    let k3s = "incidents/2025-10-05-k3s-cluster-down-every-pod-in-crashloopbackoff/index.html";
    let all = pages_of(
        &[
            "index.html",
            k3s,
            "incidents/2025-10-05-k3s-cluster-down-every-pod-in-crashloopbackoff/postmortem.html",
            &hostile_page,
            "tags/index.html",
            "tags/t-script-window-xss-1-script--029ef16b/index.html",
            "services/index.html",
            "services/s-img-src-x-onerror-window-xss-1--fec61e48/index.html",
            "tags/k3s/index.html",
        ],
        base,
    );
    for url in &all {
        open(tab, url);
        assert_no_xss(tab, url);
        // One <h1> a page: a heading in a note or postmortem.md ranks below the page's own.
        assert_eq!(eval_string(tab, "String(document.querySelectorAll('h1').length)"), "1", "{url} renders");
    }

    // The index lists both incidents; the hostile title shows as text.
    open(tab, &format!("{base}index.html"));
    // The first Tab lands on "Skip to content", which leads to the page's main part.
    tab.press_key("Tab").unwrap();
    assert_eq!(eval_string(tab, "document.activeElement.textContent"), "Skip to content");
    tab.press_key("Enter").unwrap();
    assert_eq!(eval_string(tab, "document.activeElement.id + ' ' + location.hash"), "main #main");
    let titles =
        eval_string(tab, "Array.from(document.querySelectorAll('td.title a')).map(a => a.textContent).join('\\n')");
    assert!(titles.contains("K3s cluster down"), "{titles}");
    assert!(titles.contains(&format!("Hostile {SCRIPT} {IMG}")), "{titles}");
    let png = tab.capture_screenshot(CaptureScreenshotFormatOption::Png, None, None, true).unwrap();
    std::fs::write(artifacts().join(format!("{shot}-index.png")), &png).unwrap();

    assert_typing_before_the_index_loads_still_finds(tab, base);
    // The search box finds an incident by a word of its notes.
    open(tab, &format!("{base}index.html"));
    tab.find_element("#search").unwrap().click().unwrap();
    tab.type_str("flannel").unwrap();
    let found = search_results(tab);
    assert!(found.contains("K3s cluster down"), "search found {found:?}");
    // Following the result lands on the incident page.
    let href = eval_string(tab, "document.querySelector('#search-results a').href");
    assert!(href.ends_with(k3s), "{href}");
    open(tab, &href);
    assert!(eval_string(tab, "document.title").starts_with("K3s cluster down"));
    let png = tab.capture_screenshot(CaptureScreenshotFormatOption::Png, None, None, true).unwrap();
    std::fs::write(artifacts().join(format!("{shot}-incident.png")), &png).unwrap();
    assert_colours_follow_the_scheme(tab);

    assert_words_stay_whole(tab, base, &hostile_page);
    // The hostile page shows the payloads as text.
    open(tab, &format!("{base}{hostile_page}"));
    let text = eval_string(tab, "document.body.innerText");
    assert!(text.contains(SCRIPT), "{text}");
    let deadline = Instant::now() + Duration::from_secs(5);
    while eval_string(tab, "String(document.querySelector('img[alt=graph]').naturalWidth)") != "40" {
        assert!(Instant::now() < deadline, "the attached SVG picture does not show");
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_no_xss(tab, &hostile_page);

    let errors = errors.lock().unwrap_or_else(|e| e.into_inner()).clone();
    assert!(errors.is_empty(), "console errors on {base}: {errors:#?}");
}

#[test]
fn published_site_from_file_urls() {
    let dir = tempfile::tempdir().unwrap();
    let Some(browser) = browser(&dir.path().join("profile")) else { return };
    let (vault, hostile) = vault(dir.path());
    run(&vault, &["publish", "--include-open"]);
    let tab = browser.new_tab().unwrap();
    let errors = watch_console(&tab);
    let base = format!("file://{}/", vault.join("public").display());
    check_site(&tab, &base, &hostile, &errors, "file");
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A page left for another and come back to from the page cache was not told of rebuilds
/// meanwhile (its script was asleep): it reloads itself when shown again.
fn assert_back_from_the_page_cache_reloads(tab: &Tab, base: &str, vault: &Path, hostile: &str) {
    open(tab, &format!("{base}incidents/{hostile}/index.html"));
    open(tab, &format!("{base}tags/index.html"));
    run(vault, &["note", "written while the page was in the cache"]);
    std::thread::sleep(Duration::from_millis(500));
    tab.evaluate("history.back()", false).unwrap();
    let started = Instant::now();
    let shown = "performance.getEntriesByType('navigation')[0].type + ' ' + \
                 document.body.innerText.includes('written while the page was in the cache')";
    // The page reloads itself meanwhile: a script may run as the old one goes.
    while poll_string(tab, shown) != "reload true" {
        assert!(started.elapsed() < Duration::from_secs(5), "back from the cache: {}", poll_string(tab, shown));
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn served_site_and_live_reload() {
    let dir = tempfile::tempdir().unwrap();
    let Some(browser) = browser(&dir.path().join("profile")) else { return };
    let (vault, hostile) = vault(dir.path());
    let mut child = Command::new(env!("CARGO_BIN_EXE_incident"))
        .args(["serve", "--port", "0"])
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("INCIDENT_VAULT", &vault)
        .env("INCIDENT_NOW", NOW)
        .env("TZ", "UTC")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut url = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut url).unwrap();
    let _server = Server(child);
    let base = url.trim().to_string();
    assert!(base.starts_with("http://127.0.0.1:"), "{base}");

    let tab = browser.new_tab().unwrap();
    let errors = watch_console(&tab);
    check_site(&tab, &base, &hostile, &errors, "served");

    // An open tab shows a new note by itself, within a second.
    let page = format!("{base}incidents/{hostile}/index.html");
    open(&tab, &page);
    tab.evaluate("window.__before_reload = 1", false).unwrap();
    // Eight tabs open at once all load: they share one event stream (a browser opens 6
    // connections to a host, and a stream per tab left the 7th waiting for ever).
    let others: Vec<_> = (2..=8).map(|_| browser.new_tab().unwrap()).collect();
    for (n, other) in (2..).zip(&others) {
        other.navigate_to(&page).unwrap();
        let started = Instant::now();
        while poll_string(other, "location.href + ' ' + document.readyState") != format!("{page} complete") {
            assert!(started.elapsed() < Duration::from_secs(10), "tab {n} of 8 never loaded");
            std::thread::sleep(Duration::from_millis(50));
        }
        other.evaluate("window.__before_reload = 1", false).unwrap();
    }
    // A tab on another incident, a <details> opened in it: left as it is.
    let elsewhere = browser.new_tab().unwrap();
    open(&elsewhere, &format!("{base}incidents/2025-10-05-k3s-cluster-down-every-pod-in-crashloopbackoff/index.html"));
    elsewhere.evaluate("window.__before_reload = 1; document.querySelector('details').open = true", false).unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let started = Instant::now();
    run(&vault, &["note", "written while the tab was open"]);
    let mut seen = false;
    while started.elapsed() < Duration::from_secs(5) {
        let reloaded = poll_string(&tab, "typeof window.__before_reload") == "undefined";
        if reloaded && poll_string(&tab, "document.body.innerText").contains("written while the tab was open") {
            seen = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let waited = started.elapsed();
    assert!(seen, "the tab never showed the note");
    eprintln!("note to visible in the tab: {waited:?}");
    assert!(waited < Duration::from_secs(1), "the note took {waited:?} to show");
    for (n, other) in (2..).zip(&others) {
        while !poll_string(other, "typeof window.__before_reload === 'undefined' ? document.body.innerText : ''")
            .contains("written while the tab was open")
        {
            assert!(started.elapsed() < Duration::from_secs(5), "tab {n} of 8 never showed the note");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
    assert_back_from_the_page_cache_reloads(&browser.new_tab().unwrap(), &base, &vault, &hostile);
    let kept = "String(window.__before_reload) + ' ' + document.querySelector('details').open";
    assert_eq!(eval_string(&elsewhere, kept), "1 true", "a tab on another incident was reloaded");
    assert_no_xss(&tab, "after reload");
    let errors = errors.lock().unwrap_or_else(|e| e.into_inner()).clone();
    assert!(errors.is_empty(), "console errors: {errors:#?}");
}
