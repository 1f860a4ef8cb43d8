//! Fixes from the twentieth review (second half): an option's detail in the postmortem, a
//! quote left open in incident.md, a typo in a step's kind, an attachment's title, Ctrl-C
//! before any input came to `capture`.

use crate::support::*;

#[test]
fn an_options_detail_is_in_the_postmortem_data_and_under_the_option() {
    let (mut env, _id) = TestEnv::with_incident();
    let detail = "```sh\nsudo systemctl restart k3s\n```";
    env.ok(&["option", "-q", "Clean restart", "--pros", "minutes", "--cons", "may recur", "--detail", detail]);
    env.at("2025-10-05T09:00:00-05:00");
    env.ok(&["option", "-q", "Pin to interface"]);
    let json = env.json(&["postmortem", "--format", "json"]);
    assert_eq!(json["options"][0]["detail"], detail);
    assert_eq!(json["options"][1]["detail"], serde_json::Value::Null, "no detail given");
    let text = env.ok(&["postmortem", "--out", "-"]);
    assert!(
        text.contains(&format!("Cons:\n- may recur\n\n{detail}\n\n[option](steps/")),
        "the detail as given, under the option: {text}"
    );
}

#[test]
fn a_quote_left_open_in_incident_md_is_named_on_its_own_line() {
    let (env, id) = TestEnv::with_incident();
    let path = env.incident_dir(&id).join("incident.md");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.starts_with("---\nid: "), "{text}");
    let broken: String = text
        .lines()
        .map(|l| if l.starts_with("title: ") { "title: \"unterminated".to_string() } else { l.to_string() })
        .map(|l| l + "\n")
        .collect();
    std::fs::write(&path, broken).unwrap();
    let r = env.run(&["list"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains(&format!("cannot read incidents/{id}/incident.md:3 ")), "{}", r.stdout);
    let at_line = text.lines().position(|l| l.starts_with("at: ")).unwrap() + 1;
    assert_eq!(
        r.stderr,
        format!(
            "warning: {}:3: `title: \"unterminated`: the `\"` is not closed, so YAML reads on to the `\"` on line \
             {at_line}; end the value with `\"`\n",
            path.display()
        )
    );
}

#[test]
fn a_typo_in_a_steps_kind_is_named_and_the_step_still_read() {
    let (mut env, id) = TestEnv::with_incident();
    // Read after the steps written below: a step dated after now is left out.
    env.at("2025-10-05T10:00:00-05:00");
    let steps = env.incident_dir(&id).join("steps");
    std::fs::create_dir_all(&steps).unwrap();
    let typo = steps.join("20251005T133000Z-handmade.md");
    std::fs::write(
        &typo,
        "---\nat: 2025-10-05T08:30:00-05:00\nkind: milstone\nmilestone: detected\n---\n\nalerts fired\n",
    )
    .unwrap();
    // A kind far from every known one (a newer version's) is no typo: read as `other` quietly.
    let newer = steps.join("20251005T133100Z-newer.md");
    std::fs::write(&newer, "---\nat: 2025-10-05T08:31:00-05:00\nkind: wibble\n---\n\nfrom a newer version\n").unwrap();
    let r = env.run(&["show", "--json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stderr,
        format!("warning: {}:3: unknown kind `milstone`: did you mean `milestone`?\n", typo.display())
    );
    let json: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let kinds: Vec<&str> = json["steps"].as_array().unwrap().iter().map(|s| s["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["other", "other"], "read as before");
}

#[test]
fn an_attachment_is_headed_by_its_title_when_given() {
    let (env, id) = TestEnv::with_incident();
    std::fs::write(env.root().join("grafana.png"), b"\x89PNG\r\n\x1a\npanel").unwrap();
    env.ok(&["attach", "-q", "grafana.png", "-t", "Grafana restarts panel"]);
    std::fs::write(env.root().join("notes.txt"), b"kubelet notes\n").unwrap();
    env.ok(&["attach", "-q", "notes.txt"]);
    let show = env.ok(&["show"]);
    assert!(show.contains("  08:23  attach    attached Grafana restarts panel\n"), "{show}");
    assert!(show.contains("attached attachments/") && show.contains("-notes.txt\n"), "no title: the file: {show}");
    let postmortem = env.ok(&["postmortem", "--out", "-"]);
    assert!(postmortem.contains("- 08:23 attached Grafana restarts panel · [attach](steps/"), "{postmortem}");
    env.ok(&["resolve"]);
    env.ok(&["publish", "-q"]);
    let page = std::fs::read_to_string(env.root().join(format!("public/incidents/{id}/index.html"))).unwrap();
    assert!(
        page.contains("<span class=\"kind\">attach</span> <span class=\"headline\">Grafana restarts panel</span>"),
        "{page}"
    );
}

#[test]
fn a_titled_capture_or_run_says_its_title_once_on_the_site() {
    let (env, id) = TestEnv::with_incident();
    let r = env.run_with_stdin(&["capture", "-q", "--no-echo", "-t", "CoreDNS logs"], b"[ERROR] plugin/loop\n");
    assert_eq!(r.code, 0, "{}", r.stderr);
    env.ok(&["run", "-q", "-t", "Node addresses", "--", "echo", "192.168.1.180"]);
    env.ok(&["resolve"]);
    env.ok(&["publish", "-q"]);
    let page = std::fs::read_to_string(env.root().join(format!("public/incidents/{id}/index.html"))).unwrap();
    for title in ["CoreDNS logs", "Node addresses"] {
        assert_eq!(page.matches(title).count(), 1, "{title}: the headline, not a heading in the body too: {page}");
        assert!(page.contains(&format!("<span class=\"headline\">{title}</span>")), "{page}");
    }
}

#[test]
fn capture_stopped_by_ctrl_c_before_any_input_came_records_nothing() {
    use std::io::{Read, Write};
    use std::os::unix::process::ExitStatusExt;
    use std::process::Stdio;
    let (env, id) = TestEnv::with_incident();
    // The input stays open, as a terminal's does while it waits for a paste.
    let mut child = env
        .command(&["capture", "-c", "kubectl logs -n kube-system deploy/coredns"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    // An Enter pressed while waiting: blank, and once it is echoed the read loop is running.
    stdin.write_all(b"\n").unwrap();
    let mut echoed = [0u8; 1];
    child.stdout.take().unwrap().read_exact(&mut echoed).unwrap();
    // SAFETY: kill has no memory preconditions; the pid is our own child.
    unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGINT) };
    let status = child.wait().unwrap();
    drop(stdin);
    // Death by SIGINT: the shell shows exit 130 and stops a loop around it.
    assert_eq!(status.signal(), Some(libc::SIGINT), "{status:?}");
    let mut stderr = String::new();
    child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
    assert_eq!(stderr, "stopped by SIGINT before any input came: nothing recorded\n");
    assert!(env.step_files(&id).is_empty(), "{:?}", env.step_files(&id));
    assert!(!env.incident_dir(&id).join("outputs").exists());
}
