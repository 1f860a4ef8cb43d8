//! Unit tests of `markdown.rs`: safe HTML from untrusted Markdown.

use super::*;

#[test]
fn plain_text_keeps_what_the_page_shows_of_raw_html() {
    let text = plain_text("<iframe src=x>\nneedle-note-zebra\n\nsee <b>bold</b> here");
    assert!(text.contains("needle-note-zebra"), "{text}");
    assert!(text.contains("<b>") && text.contains("bold"), "{text}");
}

#[test]
fn obsidian_links_go_where_the_vault_says_and_never_run_script() {
    let wiki = |t: &str| (t == "known").then(|| "../incident.md".to_string());
    let rewrite = |d: &str| -> Placed { (d == "../incident.md").then(|| "index.html".to_string()).into() };
    let opts = MdOptions { wiki: &wiki, rewrite: &rewrite, ..MdOptions::notes() };
    let html = render("[[known|the incident]], [[gone]], ![[gone.png]] and [[javascript:alert(1)]]", &opts);
    // One that names nothing is its text, as Obsidian shows it: no link to a page that is not there.
    assert_eq!(html, "<p><a href=\"index.html\">the incident</a>, gone, gone.png and javascript:alert(1)</p>\n");
}

#[test]
fn callouts_are_marked_as_such() {
    let html = render("> [!warning]\n> the node IP changes on reboot\n", &MdOptions::notes());
    assert_eq!(
        html,
        "<blockquote class=\"callout callout-warning\">\n<p class=\"callout-title\">Warning</p>\n\
         <p>the node IP changes on reboot</p>\n</blockquote>\n"
    );
}

#[test]
fn obsidian_callouts_keep_their_kind_and_title() {
    let titled = render("> [!note] DHCP **lease**\n> The router's <b>table</b>\n", &MdOptions::notes());
    assert_eq!(
        titled,
        "<blockquote class=\"callout callout-note\">\n<p class=\"callout-title\">DHCP <strong>lease</strong></p>\n\
         <p>The router's &lt;b&gt;table&lt;/b&gt;</p>\n</blockquote>\n"
    );
    // A title whose markup goes on to the next line: the title is the whole paragraph,
    // never a tag closed out of order.
    let long = render("> [!note] Title **bold\n> continues** here\n>\n> body\n", &MdOptions::notes());
    assert_eq!(
        long,
        "<blockquote class=\"callout callout-note\">\n<p class=\"callout-title\">Title <strong>bold\ncontinues</strong> here</p>\n\
         <p>body</p>\n</blockquote>\n"
    );
    let link = render("> [!warning] See [the\n> doc](https://x.example/) now\n", &MdOptions::notes());
    assert!(
        link.contains("<p class=\"callout-title\">See <a href=\"https://x.example/\">the\ndoc</a> now</p>"),
        "{link}"
    );
    // A kind GitHub does not know, folded in Obsidian, alone on its line.
    let bug = render("> [!bug]-\n", &MdOptions::notes());
    assert_eq!(bug, "<blockquote class=\"callout callout-bug\">\n<p class=\"callout-title\">Bug</p>\n</blockquote>\n");
    // Not a callout: a quote that opens with a link, or with code.
    let quote = render("> [x](https://a.test) said\n\n> ```\n> [!note] code\n> ```\n", &MdOptions::notes());
    assert!(!quote.contains("callout"), "{quote}");
    assert!(quote.contains("<blockquote>\n<p><a href=\"https://a.test\">x</a> said</p>"), "{quote}");
}

#[test]
fn headings_get_ids_to_link_to_where_asked() {
    let opts = MdOptions { heading_ids: Some(&["main"]), heading_offset: 1, ..MdOptions::notes() };
    let html = render("# What worked\n\n## What `worked`\n\n# Main\n", &opts);
    assert_eq!(
        html,
        "<h2 id=\"what-worked\">What worked</h2>\n<h3 id=\"what-worked-1\">What <code>worked</code></h3>\n\
         <h2 id=\"main-1\">Main</h2>\n"
    );
    assert_eq!(render("# Cause\n", &MdOptions::notes()), "<h3>Cause</h3>\n", "a step's headings have none");
}

#[test]
fn headings_rank_below_the_pages_own() {
    let html = render("# Cause\n\n### Detail\n\n###### Deep\n", &MdOptions::notes());
    assert_eq!(html, "<h3>Cause</h3>\n<h5>Detail</h5>\n<h6>Deep</h6>\n");
    let summary = MdOptions { heading_offset: 1, ..MdOptions::notes() };
    assert_eq!(render("# Postmortem\n", &summary), "<h2>Postmortem</h2>\n");
}

#[test]
fn bare_web_addresses_are_links_and_nothing_else_is() {
    let html = render(
        "See https://grafana.example.com/d/k3s?orgId=1&var_node=a_b for it, `https://in.code`, \
         [https://in.link](https://target.example) and javascript://x%0Aalert(1).",
        &MdOptions::notes(),
    );
    assert_eq!(
        html,
        "<p>See <a href=\"https://grafana.example.com/d/k3s?orgId=1&amp;var_node=a_b\">https://grafana.example.com/d/k3s?orgId=1&amp;var_node=a_b</a> \
         for it, <code>https://in.code</code>, <a href=\"https://target.example\">https://in.link</a> and javascript://x%0Aalert(1).</p>\n"
    );
}

#[test]
fn footnotes_of_two_notes_on_one_page_keep_apart() {
    let note = "DNS broke[^1].\n\n[^1]: the node IP changed\n";
    let opts = |prefix| MdOptions { footnote_prefix: prefix, ..MdOptions::notes() };
    let a = render(note, &opts("step-a-"));
    let b = render(note, &opts("step-b-"));
    assert!(a.contains("href=\"#fn-step-a-1\"") && a.contains("id=\"fn-step-a-1\""), "{a}");
    assert!(b.contains("href=\"#fn-step-b-1\""), "{b}");
    let odd = render("x[^a b\"<] z[^a-b]\n\n[^a b\"<]: y\n\n[^a-b]: w\n", &opts(""));
    assert!(odd.contains("id=\"fn-a_20b_22_3c\"") && odd.contains("id=\"fn-a_2db\""), "{odd}");
}

fn md(text: &str) -> String {
    render(text, &MdOptions::notes())
}

#[test]
fn raw_html_stays_visible_but_inert() {
    let html = md("<script>window.__xss=1</script>\n\nhi <img src=x onerror=window.__xss=1> there");
    assert!(!html.contains("<script"), "{html}");
    assert!(!html.contains("<img"), "{html}");
    assert!(html.contains("&lt;script&gt;window.__xss=1&lt;/script&gt;"), "{html}");
    assert!(html.contains("&lt;img src=x onerror=window.__xss=1&gt;"), "{html}");
}

#[test]
fn dangerous_links_are_dropped_text_kept() {
    for dest in [
        "javascript:window.__xss=1",
        "JaVaScRiPt:alert(1)",
        " javascript:alert(1)",
        "java\tscript:alert(1)",
        "&#106;avascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox",
        "file:///etc/passwd",
    ] {
        let html = md(&format!("[click me]({dest})"));
        assert!(!html.contains("<a"), "{dest}: {html}");
        assert!(html.contains("click me"), "{dest}: {html}");
    }
    let html = md("<javascript:alert(1)>");
    assert!(!html.contains("href"), "{html}");
}

#[test]
fn ordinary_links_survive() {
    let html = md("[docs](https://k3s.io/) [top](#top) [rel](../outputs/a.out) <https://x.test/>");
    assert!(html.contains("<a href=\"https://k3s.io/\">docs</a>"), "{html}");
    assert!(html.contains("<a href=\"#top\">top</a>"), "{html}");
    assert!(html.contains("<a href=\"../outputs/a.out\">rel</a>"), "{html}");
    assert!(html.contains("<a href=\"https://x.test/\">"), "{html}");
}

#[test]
fn outside_images_become_links_and_data_images_vanish() {
    let html = md("![graph](https://example.com/g.png) ![x](data:image/png;base64,AAAA)");
    assert!(!html.contains("<img"), "{html}");
    assert!(html.contains("<a href=\"https://example.com/g.png\">graph</a>"), "{html}");
    assert!(html.contains('x') && !html.contains("data:"), "{html}");
}

#[test]
fn rewrites_place_files_in_the_site() {
    let rewrite = |d: &str| -> Placed { d.strip_prefix("../attachments/").map(|n| format!("attachments/{n}")).into() };
    let opts = MdOptions { rewrite: &rewrite, ..MdOptions::notes() };
    let html = render("![shot](../attachments/a.png) [f](../attachments/b.txt)", &opts);
    assert!(html.contains("<img src=\"attachments/a.png\" alt=\"shot\" />"), "{html}");
    assert!(html.contains("<a href=\"attachments/b.txt\">f</a>"), "{html}");
    let html = render("![y](elsewhere.png)", &opts);
    assert!(!html.contains("<img"), "{html}");
    // Published as text, a picture is no picture: a link to its text instead.
    let rewrite =
        |d: &str| -> Placed { d.strip_prefix("../attachments/").map(|n| format!("attachments/{n}.txt")).into() };
    let opts = MdOptions { rewrite: &rewrite, ..MdOptions::notes() };
    let html = render("![big](../attachments/c.svg)", &opts);
    assert!(html.contains("<a href=\"attachments/c.svg.txt\">big</a>"), "{html}");
}

#[test]
fn a_picture_takes_the_place_of_its_image_alt_text_and_all() {
    let picture = |d: &str| (d == "timeline.svg").then(|| "<svg>T</svg>".to_string());
    let opts = MdOptions { picture: &picture, ..MdOptions::notes() };
    let html = render("Before ![a *bold* ![inner](x.png) alt](timeline.svg) after *this*", &opts);
    assert_eq!(html, "<p>Before <svg>T</svg> after <em>this</em></p>\n");
    let html = render("![other](other.png)", &opts);
    assert!(!html.contains("<svg>"), "{html}");
}

#[test]
fn an_obsidian_embed_with_a_size_is_that_size_and_named_by_its_file() {
    let wiki = |t: &str| Some(format!("../attachments/{t}"));
    let rewrite = |d: &str| -> Placed { d.strip_prefix("../").map(str::to_string).into() };
    let opts = MdOptions { wiki: &wiki, rewrite: &rewrite, ..MdOptions::notes() };
    let html = render("![[graph.png|200]] ![[a\"b.png|640x480]] ![[c.png|my caption]] ![200](d.png)", &opts);
    assert!(html.contains("<img src=\"attachments/graph.png\" alt=\"graph.png\" width=\"200\" />"), "{html}");
    assert!(html.contains("alt=\"a&quot;b.png\" width=\"640\" height=\"480\" />"), "{html}");
    assert!(html.contains("<img src=\"attachments/c.png\" alt=\"my caption\" />"), "{html}");
    // Markdown's own alt text is text, whatever it says.
    assert!(html.contains("<a href=\"d.png\">200</a>") && !html.contains("width=\"200\" />\n"), "{html}");
}

#[test]
fn an_embed_with_a_size_has_the_same_address_as_one_without() {
    let wiki = |t: &str| Some(format!("../attachments/{t}"));
    let rewrite = |d: &str| -> Placed { d.strip_prefix("../").map(str::to_string).into() };
    let opts = MdOptions { wiki: &wiki, rewrite: &rewrite, ..MdOptions::notes() };
    let html = render("![[my graph é.png|200]] ![[my graph é.png]]", &opts);
    let src = "src=\"attachments/my%20graph%20%C3%A9.png\"";
    assert_eq!(html.matches(src).count(), 2, "{html}");
    assert!(html.contains("alt=\"my graph é.png\" width=\"200\""), "{html}");
}

#[test]
fn output_folds_and_is_escaped() {
    let html = md("```console\n$ cat x\n</pre><script>alert(1)</script>\n```\n");
    assert!(
        html.starts_with(
            "<details class=\"output\" open><summary><code>$ cat x</code> <span class=\"lines\">1 line</span></summary>"
        ),
        "{html}"
    );
    // A run step's headline is its command: the summary does not say it again.
    let step = MdOptions { fold_all: true, ..MdOptions::notes() };
    let html = render("```\n$ cat x\nout\n```\n", &step);
    assert!(
        html.starts_with("<details class=\"output\" open><summary>output <span class=\"lines\">1 line</span>"),
        "{html}"
    );
    let html = md("```console\nno command\nsecond\n```\n");
    assert!(html.contains("<summary>output <span class=\"lines\">2 lines</span></summary>"), "{html}");
    // A long output's head and tail: the count is of the lines shown, the marker none.
    let html = md("```console\n$ seq 1 9\n1\n2\n… 12 B omitted; the whole output is in the linked file …\n8\n9\n```\n");
    assert!(html.contains("<span class=\"lines\">4 lines shown</span></summary>"), "{html}");
    assert!(!html.contains("<script>"), "{html}");
    assert!(!html.contains("</pre><script"), "{html}");
    let html = md("```yaml\nkey: value\n```\n");
    assert!(html.starts_with("<pre class=\"code\"><code class=\"language-yaml\">"), "{html}");
    let html = md("```yaml\" onmouseover=\"x\nkey: value\n```\n");
    assert!(!html.contains("onmouseover=\""), "{html}");
}

#[test]
fn task_lists_and_tables_render() {
    let html = md("- [x] done\n- [ ] todo\n\n|a|b|\n|-|-|\n|1|2|\n");
    assert!(html.contains("<input disabled=\"\" type=\"checkbox\" checked=\"\"/>"), "{html}");
    assert!(html.contains("<table>"), "{html}");
}

#[test]
fn plain_text_skips_code() {
    assert_eq!(
        plain_text("Pods *crash*.\n\n```\nnoise\n```\nDone `x`").split_whitespace().collect::<Vec<_>>(),
        ["Pods", "crash", ".", "Done", "x"]
    );
}

#[test]
fn a_link_to_another_host_or_from_the_root_never_stays_whatever_the_rewrite_says() {
    let html = render(
        "[a](/etc/passwd) [b](//evil.com/x) [c]( \\\\evil\\x) [d](https://ok.test/) [e](ok.html)",
        &MdOptions::notes(),
    );
    assert_eq!(html, "<p>a b c <a href=\"https://ok.test/\">d</a> <a href=\"ok.html\">e</a></p>\n");
}
