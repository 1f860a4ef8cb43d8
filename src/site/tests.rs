//! The pure core end to end: hostile incidents in, escaped pages out.

use super::*;
use crate::model::{Incident, IncidentMeta, Milestone, Step, StepKind, StepMeta};

const XSS: &str = "<script>window.__xss=1</script><img src=x onerror=window.__xss=1>";

fn at(s: &str) -> crate::clock::Timestamp {
    chrono::DateTime::parse_from_rfc3339(s).unwrap()
}

fn step(id: &str, kind: StepKind, time: &str, body: &str) -> Step {
    let mut meta = StepMeta::new(id.to_string(), kind, at(time), at(time));
    meta.author = Some(format!("ryan{XSS}"));
    Step { meta, body: body.to_string() }
}

fn hostile() -> Incident {
    let mut run = step("20251005T082500Z-run-aaaaaa", StepKind::Run, "2025-10-05T08:25:00-05:00", "");
    run.meta.command = Some(format!("echo '{XSS}'"));
    run.meta.exit_code = Some(1);
    run.meta.output_file = Some("outputs/20251005T082500Z-run-aaaaaa.out".to_string());
    run.body =
        format!("```console\n$ echo '{XSS}'\n{XSS}\n```\n\n[whole](../outputs/20251005T082500Z-run-aaaaaa.out)\n");
    let mut mark = step("20251005T090000Z-milestone-bbbbbb", StepKind::Milestone, "2025-10-05T09:00:00-05:00", "ok");
    mark.meta.milestone = Some(Milestone::Resolved);
    Incident {
        slug: "2025-10-05-hostile".to_string(),
        meta: IncidentMeta {
            id: "2025-10-05-hostile".to_string(),
            title: format!("Title {XSS}"),
            severity: Some(format!("sev1{XSS}")),
            services: vec![format!("svc{XSS}")],
            services_unaffected: vec![],
            tags: vec![format!("tag{XSS}"), "dns".to_string()],
            at: at("2025-10-05T08:23:00-05:00"),
            day_only: false,
            at_without_offset: false,
            recorded_at: None,
            author: None,
            host: None,
            visibility: None,
            status: None,
        },
        summary: format!("Summary {XSS} [x](javascript:window.__xss=1) [y](data:text/html,hi)"),
        steps: vec![
            step(
                "20251005T082300Z-note-cccccc",
                StepKind::Note,
                "2025-10-05T08:23:00-05:00",
                &format!("note {XSS}\n\n[x](javascript:window.__xss=1)"),
            ),
            run,
            mark,
        ],
    }
}

#[test]
fn hostile_text_is_escaped_everywhere() {
    let incident = hostile();
    let theme = Theme::builtin().unwrap();
    let options = SiteOptions { base_url: Some("https://example.test/ops/".to_string()), ..SiteOptions::default() };
    let files = vec!["outputs/20251005T082500Z-run-aaaaaa.out".to_string()];
    let parts = PostmortemParts::default();
    let source = IncidentSource {
        incident: &incident,
        renamed_steps: &[],
        postmortem: Some("# PM\n\n<script>window.__xss=1</script>"),
        files: &files,
        svg_images: &Default::default(),
        parts: &parts,
        stale: Some("<script>window.__stale=1</script>"),
        find_links: true,
        on_site: &|_| None,
    };
    let site = build(&SiteInput { options: &options, theme: &theme, incidents: vec![source] }).unwrap();
    let paths: Vec<&str> = site.pages.iter().map(|p| p.path.as_str()).collect();
    for want in [
        "index.html",
        "incidents/2025-10-05-hostile/index.html",
        "incidents/2025-10-05-hostile/postmortem.html",
        "tags/index.html",
        "tags/dns/index.html",
        "services/index.html",
        "feed.xml",
        "search-index.json",
        "search-index.js",
        "assets/site.css",
        "assets/highlight.css",
        "assets/site.js",
    ] {
        assert!(paths.contains(&want), "{want} missing from {paths:?}");
    }
    for page in &site.pages {
        let text = String::from_utf8_lossy(&page.bytes);
        if page.path.starts_with("assets/") {
            continue;
        }
        assert!(!text.contains("<script>window"), "{}: {text}", page.path);
        assert!(!text.contains("<img src=x"), "{}", page.path);
        assert!(!text.contains("javascript:"), "{}", page.path);
        assert!(!text.contains("data:text"), "{}", page.path);
        let own_scripts = text.matches("assets/site.js\" defer></script>").count();
        assert_eq!(text.matches("<script").count(), own_scripts, "{}: a script of its own", page.path);
        if page.path.starts_with("search-index") {
            assert!(!text.contains('<'), "{}: {text}", page.path);
        }
        if page.path.ends_with(".html") {
            assert!(
                text.contains("&lt;script&gt;window.__xss=1&lt;/script&gt;"),
                "{}: the text stays visible",
                page.path
            );
        }
    }
    let incident_page = site.pages.iter().find(|p| p.path == "incidents/2025-10-05-hostile/index.html").unwrap();
    let html = String::from_utf8_lossy(&incident_page.bytes);
    assert!(html.contains("href=\"outputs/20251005T082500Z-run-aaaaaa.out.txt\""), "{html}");
    assert!(html.contains("<link rel=\"canonical\" href=\"https://example.test/ops/incidents/2025-10-05-hostile/\">"));
    assert!(html.contains("href=\"../../tags/dns/index.html\""));
    assert_eq!(
        site.copies,
        vec![(
            "2025-10-05-hostile".to_string(),
            Copy {
                path: "incidents/2025-10-05-hostile/outputs/20251005T082500Z-run-aaaaaa.out.txt".to_string(),
                source: "outputs/20251005T082500Z-run-aaaaaa.out".to_string(),
            }
        )]
    );
    assert_eq!(site.entries[0].duration_secs, Some(37 * 60));
}

#[test]
fn a_paged_list_lets_the_keyboard_skip_to_its_pager() {
    let (first, mut second) = (hostile(), hostile());
    second.slug = "2025-10-06-hostile".to_string();
    let theme = Theme::builtin().unwrap();
    let options = SiteOptions { per_page: 1, ..SiteOptions::default() };
    let parts = PostmortemParts::default();
    let svg_images = Default::default();
    let source = |incident| IncidentSource {
        incident,
        renamed_steps: &[],
        postmortem: None,
        files: &[],
        svg_images: &svg_images,
        parts: &parts,
        stale: None,
        find_links: false,
        on_site: &|_| None,
    };
    let site = build(&SiteInput { options: &options, theme: &theme, incidents: vec![source(&first), source(&second)] })
        .unwrap();
    let index = site.pages.iter().find(|p| p.path == "index.html").unwrap();
    let html = String::from_utf8_lossy(&index.bytes);
    // Before the rows (each holds several links), and leading to an element of the page.
    let skip = html.find("<a class=\"skip\" href=\"#pages\">Skip to the other pages</a>").expect("a skip link");
    assert!(skip < html.find("<table class=\"incidents\">").unwrap(), "{html}");
    assert!(links::ids(&html).contains("pages"), "{html}");
}
