//! What an incident's page says: times on the incident's own clock, links between its files.

use crate::site::read;
use crate::support::TestEnv;

#[test]
fn steps_recorded_in_another_offset_are_shown_on_the_incidents_clock() {
    let mut env = TestEnv::new();
    env.at("2026-03-01T23:30:00-05:00");
    let id = env.ok(&["start", "TZ"]).trim().to_string();
    env.at("2026-03-02T04:40:00Z");
    env.ok(&["note", "from a UTC laptop"]);
    env.at("2026-03-01T23:50:00-05:00");
    env.ok(&["note", "back on the -05 box"]);
    env.at("2026-03-02T05:10:00Z");
    env.ok(&["resolve"]);
    env.ok(&["publish", "-q"]);
    let page = read(&env.root().join(format!("public/incidents/{id}/index.html")));
    let times: Vec<&str> = page.match_indices("<time").map(|(i, _)| &page[i..]).collect();
    let shown: Vec<&str> =
        times.iter().filter_map(|t| t.split_once('>').map(|(_, rest)| rest.split('<').next().unwrap_or(""))).collect();
    assert!(
        shown.iter().any(|t| t.contains("23:40")),
        "the UTC note at 04:40Z is 23:40 on the incident's clock: {shown:?}"
    );
    assert!(shown.iter().any(|t| t.contains("00:10")), "resolved at 05:10Z is 00:10: {shown:?}");
    assert!(!shown.iter().any(|t| t.contains("04:40") || t.contains("05:10")), "{shown:?}");
}

#[test]
fn links_between_files_of_an_incident_lead_to_their_pages_and_dead_ones_are_found() {
    let (env, id) = crate::support::TestEnv::with_incident();
    env.ok(&["note", "first"]);
    let first = env.step_files(&id)[0].file_name().unwrap().to_str().unwrap().to_string();
    let anchor = format!("#step-{}", first.trim_end_matches(".md"));
    env.ok(&[
        "note",
        &format!("see [a]({first}), [b](../steps/{first}), [pm](../postmortem.md) and [gone](../steps/20990101T000000Z-note-zzzzzz.md)"),
    ]);
    env.ok(&["resolve"]);
    env.ok(&["-q", "postmortem"]);
    let dir = env.incident_dir(&id);
    let md = dir.join("incident.md");
    std::fs::write(&md, format!("{}\nDetails: [first](steps/{first})\n", read(&md))).unwrap();
    env.ok(&["publish", "-q"]);
    let page = read(&env.root().join(format!("public/incidents/{id}/index.html")));
    assert!(
        page.contains(&format!(
            "see <a href=\"{anchor}\">a</a>, <a href=\"{anchor}\">b</a>, <a href=\"postmortem.html\">pm</a> and <a href=\"../steps/20990101T000000Z-note-zzzzzz.md\">gone</a>"
        )),
        "{page}"
    );
    assert!(page.contains(&format!("Details: <a href=\"{anchor}\">first</a>")), "{page}");
    let r = env.run(&["publish", "--check"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stdout.contains(
            ": broken link \"../steps/20990101T000000Z-note-zzzzzz.md\": the incident has no such step or file (link a step as ../steps/ID.md from a step, steps/ID.md from incident.md or postmortem.md)\n"
        ),
        "{}",
        r.stdout
    );
    assert_eq!(r.stdout.lines().filter(|l| l.contains("broken link")).count(), 1, "{}", r.stdout);
}

#[test]
fn a_link_to_another_incident_leads_to_its_page() {
    let (env, first) = crate::site::two_published_incidents();
    env.ok(&["note", &format!("as in [the first](../../{first}/incident.md)")]);
    env.ok(&["publish", "-q"]);
    let page = read(&env.root().join("public/incidents/2025-10-06-second-outage/index.html"));
    assert!(page.contains(&format!("as in <a href=\"../{first}/index.html\">the first</a>")), "{page}");
    let r = env.run(&["publish", "--check"]);
    assert!(!r.stdout.contains("broken link"), "{}", r.stdout);
}

#[test]
fn a_fragment_link_to_an_anchor_the_page_lacks_is_found() {
    let (env, id) = crate::support::TestEnv::with_incident();
    env.ok(&["note", "first"]);
    let first = env.step_files(&id)[0].file_stem().unwrap().to_str().unwrap().to_string();
    env.ok(&[
        "note",
        &format!("as [above](#step-{first}), not [here](#step-gone) nor [there](../postmortem.md#no-such-part)"),
    ]);
    env.ok(&["resolve"]);
    env.ok(&["-q", "postmortem"]);
    let r = env.run(&["publish", "--check"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let broken: Vec<&str> = r.stdout.lines().filter(|l| l.contains("broken link")).collect();
    let why = "the page is there but has no such #anchor (a step's anchor is step-ID; a heading of incident.md or postmortem.md has its words in lowercase joined by -, a heading inside a step none)";
    assert_eq!(broken.len(), 2, "{}", r.stdout);
    assert!(broken[0].ends_with(&format!(": broken link \"#step-gone\": {why}")), "{}", r.stdout);
    assert!(broken[1].ends_with(&format!(": broken link \"../postmortem.md#no-such-part\": {why}")), "{}", r.stdout);
    assert!(broken[0].starts_with(&format!("incidents/{id}/steps/")), "names the note: {}", r.stdout);
}

#[test]
fn a_postmortem_older_than_its_steps_is_stopped_by_the_gate() {
    let (env, id) = crate::support::TestEnv::with_incident();
    env.ok(&["resolve"]);
    env.ok(&["-q", "postmortem"]);
    let r = env.run(&["publish", "--check"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    env.ok(&["note", "a late note"]);
    let note = env.step_files(&id).into_iter().map(|p| p.file_stem().unwrap().to_str().unwrap().to_string()).max();
    let r = env.run(&["publish", "--check"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(
        r.stdout,
        format!(
            "incidents/{id}/postmortem.md: stale: since it was generated, added: {}; regenerate it with `incident postmortem {id}`\n",
            note.unwrap()
        )
    );
    env.ok(&["-q", "postmortem"]);
    assert_eq!(env.run(&["publish", "--check"]).code, 0);
    // Its frontmatter broken by hand: named once, by file and line.
    let pm = env.incident_dir(&id).join("postmortem.md");
    std::fs::write(&pm, read(&pm).replacen("generated: true", "generated: true\nsources: [", 1)).unwrap();
    let r = env.run(&["publish", "--check"]);
    assert!(r.stdout.starts_with(&format!("incidents/{id}/postmortem.md: line 3: `sources: [`: ")), "{}", r.stdout);
}

#[test]
fn a_stale_postmortem_is_published_with_a_note_on_its_page_and_a_warning_until_regenerated() {
    let (env, id) = crate::support::TestEnv::with_incident();
    env.ok(&["resolve"]);
    env.ok(&["-q", "postmortem"]);
    env.ok(&["note", "a late note"]);
    let page = env.root().join(format!("public/incidents/{id}/postmortem.html"));
    let warning = format!("warning: incidents/{id}/postmortem.md: stale: since it was generated, added: ");
    for rendered in ["1 rendered", "0 rendered"] {
        // Said again by the next publish, though nothing changed in between (from the
        // record: the incident is not read again for it).
        let r = env.run(&["publish"]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert!(r.stderr.contains(&format!("({rendered}, ")), "{}", r.stderr);
        assert!(r.stderr.contains(&warning), "{}", r.stderr);
        assert!(r.stderr.contains(&format!("regenerate it with `incident postmortem {id}`")), "{}", r.stderr);
        let html = read(&page);
        assert!(
            html.contains("<p class=\"stale\" role=\"note\"><strong>Older than the record.</strong> This postmortem was written before the incident's record changed (1 step added)"),
            "{html}"
        );
    }
    env.ok(&["-q", "postmortem"]);
    let r = env.run(&["publish"]);
    assert!(!r.stderr.contains("stale"), "{}", r.stderr);
    assert!(!read(&page).contains("class=\"stale\""));
}

#[test]
fn milestones_are_listed_in_the_order_they_happen_and_a_second_mark_says_it_does_not_count() {
    let (mut env, id) = crate::support::TestEnv::with_incident();
    env.at("2025-10-05T09:20:00-05:00");
    // Written in the wrong order at one instant: recovered, then mitigated.
    env.ok(&["-q", "mark", "recovered"]);
    env.ok(&["-q", "mark", "mitigated"]);
    env.at("2025-10-05T09:30:00-05:00");
    env.run(&["-q", "mark", "recovered", "really now"]);
    env.ok(&["-q", "resolve"]);
    env.ok(&["publish", "-q"]);
    let page = read(&env.root().join(format!("public/incidents/{id}/index.html")));
    let list = &page[page.find("<section class=\"milestones\">").unwrap()..];
    let list = &list[..list.find("</section>").unwrap()];
    let mitigated = list.find(" Mitigated</a>").expect(list);
    let recovered = list.find(" Recovered</a>").expect(list);
    assert!(mitigated < recovered, "{list}");
    assert_eq!(list.matches("Recovered").count(), 1, "{list}");
    assert_eq!(page.matches("Recovered (ignored: marked before; the first one counts)").count(), 1, "{page}");
}

#[test]
fn obsidian_links_lead_to_steps_pages_and_attachments_and_dead_ones_are_found() {
    let (env, id) = crate::support::TestEnv::with_incident();
    env.ok(&["note", "first"]);
    let first = env.step_files(&id)[0].file_stem().unwrap().to_str().unwrap().to_string();
    std::fs::write(env.root().join("lease.png"), b"\x89PNG\r\n\x1a\n").unwrap();
    env.ok(&["attach", "lease.png"]);
    env.ok(&["note", &format!("as in [[{first}|the first note]], see [[incident]] and ![[lease.png]]; not [[gone]]")]);
    env.ok(&["resolve"]);
    env.ok(&["-q", "postmortem"]);
    env.ok(&["publish", "-q"]);
    let page = read(&env.root().join(format!("public/incidents/{id}/index.html")));
    let attached = env.step_files(&id).into_iter().find(|p| p.to_string_lossy().contains("-attach-")).unwrap();
    let attached = attached.file_stem().unwrap().to_str().unwrap().to_string();
    assert!(
        page.contains(&format!(
            "as in <a href=\"#step-{first}\">the first note</a>, see <a href=\"index.html\">incident</a> and <img src=\"attachments/{attached}-lease.png\" alt=\"lease.png\" />; not gone</p>"
        )),
        "{page}"
    );
    let r = env.run(&["publish", "--check"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    // Named as written, not as a percent-encoded address.
    assert!(!r.stdout.contains("broken link"), "{}", r.stdout);
    let dead: Vec<&str> = r.stdout.lines().filter(|l| l.contains("names nothing")).collect();
    assert_eq!(dead.len(), 1, "{}", r.stdout);
    assert!(
        dead[0].contains(": [[gone]] names nothing of this incident, so the site shows its text without a link: "),
        "{}",
        r.stdout
    );
    // Renamed by hand, the file holding the dead link is named as it is now.
    let holder = env.step_files(&id).into_iter().find(|p| read(p).contains("[[gone]]")).unwrap();
    std::fs::rename(&holder, holder.with_file_name("links.md")).unwrap();
    let r = env.run(&["publish", "--check"]);
    let dead = r.stdout.lines().find(|l| l.contains("[[gone]] names nothing")).unwrap_or_default();
    assert!(dead.starts_with(&format!("incidents/{id}/steps/links.md: ")), "{}", r.stdout);
}

#[test]
fn links_to_postmortem_headings_land_and_titled_callouts_are_shown_as_such() {
    let (env, id) = crate::support::TestEnv::with_incident();
    env.ok(&["note", "see [[postmortem#The numbers|the numbers]] and [[postmortem#Timeline]]\n\n> [!note] DHCP lease\n> renewed at 08:12"]);
    env.ok(&["resolve"]);
    env.ok(&["-q", "postmortem"]);
    let r = env.run(&["publish", "--check"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    env.ok(&["publish", "-q"]);
    let page = read(&env.root().join(format!("public/incidents/{id}/index.html")));
    assert!(page.contains("<a href=\"postmortem.html#the-numbers\">the numbers</a>"), "{page}");
    assert!(page.contains("<a href=\"postmortem.html#timeline\">postmortem#Timeline</a>"), "{page}");
    assert!(
        page.contains("<blockquote class=\"callout callout-note\">\n<p class=\"callout-title\">DHCP lease</p>\n<p>renewed at 08:12</p>"),
        "{page}"
    );
    let postmortem = read(&env.root().join(format!("public/incidents/{id}/postmortem.html")));
    assert!(postmortem.contains("<h3 id=\"the-numbers\">The numbers</h3>"), "{postmortem}");
}

#[test]
fn an_image_obsidian_pasted_at_the_vault_root_is_named_with_the_move_that_publishes_it() {
    let (env, id) = crate::support::TestEnv::with_incident();
    let pasted = "Pasted image 20251005083000.png";
    std::fs::write(env.root().join(pasted), b"\x89PNG\r\n\x1a\n").unwrap();
    env.ok(&["note", &format!("the lease table: ![[{pasted}]]")]);
    env.ok(&["resolve"]);
    let r = env.run(&["publish"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let note = env.step_files(&id).into_iter().find(|p| read(p).contains("lease table")).unwrap();
    let attachments = format!("incidents/{id}/attachments");
    assert!(
        r.stderr.contains(&format!(
            "{}:{}: [[{pasted}]] names nothing of this incident, so the site shows its text without a link: Obsidian saved it at {pasted}: \
             the site publishes only the incident's own files; move it there with `mkdir -p {attachments}/ && mv '{pasted}' {attachments}/`",
            note.file_name().unwrap().to_str().unwrap(),
            read(&note).lines().position(|l| l.contains("lease table")).unwrap() + 1
        )),
        "{}",
        r.stderr
    );
    std::fs::create_dir_all(env.root().join(&attachments)).unwrap();
    std::fs::rename(env.root().join(pasted), env.root().join(&attachments).join(pasted)).unwrap();
    let r = env.run(&["publish"]);
    assert_eq!((r.code, r.stderr.contains("names nothing")), (0, false), "{}", r.stderr);
    let page = read(&env.root().join(format!("public/incidents/{id}/index.html")));
    assert!(page.contains("<img src=\"attachments/Pasted%20image%2020251005083000.png\""), "{page}");
}

#[test]
fn steps_say_their_command_option_and_lesson_once() {
    let (env, id) = crate::support::TestEnv::with_incident();
    env.ok(&["option", "Clean restart", "--pros", "minutes"]);
    env.ok(&["lesson", "--kind", "worked", "Systematic debugging found it"]);
    env.ok(&["run", "--", "echo", "hello"]);
    env.ok(&["resolve"]);
    env.ok(&["publish", "-q"]);
    let page = read(&env.root().join(format!("public/incidents/{id}/index.html")));
    assert!(
        page.contains("<span class=\"kind\">option</span> <span class=\"headline\">Clean restart</span>"),
        "{page}"
    );
    assert!(!page.contains("Option: Clean restart"), "{page}");
    assert!(page.contains("<span class=\"kind\">lesson</span> <span class=\"headline\">what worked</span>"), "{page}");
    assert_eq!(page.matches("Systematic debugging found it").count(), 1, "{page}");
    assert_eq!(page.matches("echo hello").count(), 2, "headline and transcript, not the fold's summary too: {page}");
}

#[test]
fn a_note_of_megabytes_is_cut_on_its_page_and_says_where_the_rest_is() {
    let (env, id) = crate::support::TestEnv::with_incident();
    env.ok(&["note", "pasted the journal below"]);
    let note = env.step_files(&id).into_iter().find(|p| read(p).contains("pasted the journal")).unwrap();
    let journal: String =
        (0..40_000).map(|i| format!("Oct 05 08:{:02} k3s[812]: line {i} of the journal\n", i % 60)).collect();
    std::fs::write(&note, format!("{}\n{journal}", read(&note))).unwrap();
    assert!(journal.len() > 1 << 20);
    env.ok(&["resolve"]);
    env.ok(&["publish", "-q"]);
    let page = read(&env.root().join(format!("public/incidents/{id}/index.html")));
    assert!(page.len() < (1 << 20) + 200_000, "{} bytes", page.len());
    let name = note.file_name().unwrap().to_str().unwrap();
    let cut = page.find("<p class=\"cut\">").map(|i| &page[i..i + 120]).unwrap_or("");
    assert!(
        cut.starts_with(
            "<p class=\"cut\">Cut here: this step is 1.9 MiB long; the page shows its first 1024 KiB. The whole"
        ),
        "{cut}"
    );
    assert!(
        page.contains(&format!("The whole of it is in the vault, in <code>steps/{name}</code>.")),
        "{}",
        &page[page.len() - 3000..]
    );
    assert!(page.contains("line 0 of the journal") && !page.contains("line 39999 of the journal"));
}

#[test]
fn a_step_file_renamed_by_hand_is_still_linked_from_the_postmortem() {
    let (env, id) = crate::support::TestEnv::with_incident();
    env.ok(&["cause", "the DHCP lease changed the node IP"]);
    let cause = env.step_files(&id).into_iter().find(|p| read(p).contains("DHCP lease")).unwrap();
    let step_id = cause.file_stem().unwrap().to_str().unwrap().to_string();
    std::fs::rename(&cause, cause.with_file_name("CoreDNS loop log.md")).unwrap();
    env.ok(&["resolve"]);
    env.ok(&["-q", "postmortem"]);
    assert!(read(&env.incident_dir(&id).join("postmortem.md")).contains("steps/CoreDNS%20loop%20log.md"));
    let r = env.run(&["publish", "--check"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    env.ok(&["publish", "-q"]);
    let page = read(&env.root().join(format!("public/incidents/{id}/postmortem.html")));
    assert!(page.contains(&format!("href=\"index.html#step-{step_id}\"")), "{page}");
    assert!(!page.contains("CoreDNS%20loop%20log.md"), "{page}");
}

#[test]
fn a_current_postmortem_shows_its_charts_where_it_placed_them_and_a_stale_one_shows_current_figures_above() {
    let (mut env, id) = TestEnv::with_incident();
    env.at("2025-10-05T08:30:00-05:00").ok(&["mark", "detected"]);
    env.at("2025-10-05T08:45:00-05:00").ok(&["mark", "diagnosed"]);
    env.at("2025-10-05T09:20:00-05:00").ok(&["resolve"]);
    env.ok(&["-q", "postmortem"]);
    env.ok(&["publish", "-q"]);
    let file = env.root().join(format!("public/incidents/{id}/postmortem.html"));
    let page = read(&file);
    // Once, in the body, after the numbers it draws; the metrics table is the body's own.
    assert_eq!(page.matches("id=\"picture-timeline\"").count(), 1, "{page}");
    let chart = page.find("<span class=\"chart\" id=\"picture-timeline\"><svg").expect("the chart in place");
    assert!(page.find("id=\"the-numbers\"").unwrap() < chart, "{page}");
    assert!(chart < page.find("id=\"timeline\"").unwrap(), "{page}");
    assert!(!page.contains("postmortem-metrics") && !page.contains("href=\"#picture-timeline\""), "{page}");

    env.at("2025-10-05T09:40:00-05:00").ok(&["note", "a late note"]);
    env.ok(&["publish", "-q"]);
    let page = read(&file);
    // Stale: the current figures above the text, which links its chart to them.
    let above = page.find("<figure class=\"chart\" id=\"picture-timeline\">").expect("current figures above");
    assert!(above < page.find("postmortem-body").unwrap(), "{page}");
    assert!(page.contains("href=\"#picture-timeline\""), "{page}");
    assert_eq!(page.matches("id=\"picture-timeline\"").count(), 1, "{page}");
}

#[test]
fn obsidian_comments_are_neither_shown_nor_searchable() {
    let (env, id) = TestEnv::with_incident();
    env.ok(&["note", "Lease renewed at 08:01 %%ask Sam why the DHCP pool is tiny%% and the node IP moved."]);
    env.ok(&["resolve", "done"]);
    env.ok(&["publish", "-q"]);
    let page = read(&env.root().join(format!("public/incidents/{id}/index.html")));
    let index = read(&env.root().join("public/search-index.json"));
    assert!(page.contains("Lease renewed at 08:01  and the node IP moved."), "{page}");
    assert!(!page.contains("ask Sam") && !index.contains("Sam"), "{index}");
    assert!(index.contains("Lease renewed"), "{index}");
}

#[test]
fn a_comment_in_a_table_cell_hides_that_part_of_the_cell_on_the_published_page() {
    let (env, id) = TestEnv::with_incident();
    env.ok(&[
        "note",
        "| node | ip |\n|---|---|\n| %%ask Sam%% | %%pending%% |\n| k3s-1 %%old: 10.0.0.9%% | 10.0.0.7 |",
    ]);
    env.ok(&["resolve", "done"]);
    env.ok(&["publish", "-q"]);
    let page = read(&env.root().join(format!("public/incidents/{id}/index.html")));
    let index = read(&env.root().join("public/search-index.json"));
    assert!(page.contains("<tr><td></td><td></td></tr>"), "a cell a comment took all of is kept:\n{page}");
    assert!(page.contains("<tr><td>k3s-1 </td><td>10.0.0.7</td></tr>"), "{page}");
    for hidden in ["ask Sam", "pending", "10.0.0.9"] {
        assert!(!page.contains(hidden) && !index.contains(hidden), "{hidden}: {page}");
    }
}

#[test]
fn a_hand_written_postmortem_page_shows_the_figures_its_text_does_not() {
    let (mut env, id) = TestEnv::with_incident();
    env.at("2025-10-05T08:30:00-05:00").ok(&["mark", "detected"]);
    env.at("2025-10-05T08:45:00-05:00").ok(&["mark", "diagnosed"]);
    env.at("2025-10-05T09:20:00-05:00").ok(&["resolve"]);
    let pm = env.incident_dir(&id).join("postmortem.md");
    std::fs::write(&pm, "# What happened\n\nThe lease changed; see [the chart](postmortem-timeline.svg).\n").unwrap();
    env.ok(&["publish", "-q"]);
    let page = read(&env.root().join(format!("public/incidents/{id}/postmortem.html")));
    let above = page.find("postmortem-metrics").expect("the figures above the text");
    assert!(above < page.find("postmortem-body").unwrap(), "{page}");
    assert!(page.contains("<figure class=\"chart\" id=\"picture-timeline\">"), "{page}");
    assert!(page.contains("<table"), "{page}");
    // Its link to the chart lands on the chart.
    assert!(page.contains("<a href=\"#picture-timeline\">the chart</a>"), "{page}");
}

#[test]
fn what_a_comment_holds_reaches_neither_the_page_nor_the_link_checks() {
    let (env, id) = TestEnv::with_incident();
    let note = "Lease renewed %%see [doc](https://wiki.internal.example/ops?key=abc \"vault key\"), \
                ![map](https://wiki.internal.example/map.png) and [[draft]]%% at 08:01.\n\n\
                %%\n### Private heading\n\n| pool | owner |\n|---|---|\n| 10.0.0.0/24 | Sam |\n%%\n\nAfter.";
    env.ok(&["note", note]);
    env.ok(&["resolve", "done"]);
    let r = env.run(&["publish"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!r.stderr.contains("names nothing") && !r.stdout.contains("names nothing"), "{}{}", r.stdout, r.stderr);
    let page = read(&env.root().join(format!("public/incidents/{id}/index.html")));
    assert!(page.contains("<p>Lease renewed  at 08:01.</p>") && page.contains("<p>After.</p>"), "{page}");
    for hidden in ["wiki.internal", "vault key", "draft", "Private", "10.0.0.0", "<h5></h5>", "<table>", "<p></p>"] {
        assert!(!page.contains(hidden), "{hidden}: {page}");
    }
    let r = env.run(&["publish", "--check"]);
    assert!(!r.stdout.contains("draft") && !r.stderr.contains("draft"), "{}{}", r.stdout, r.stderr);
}
