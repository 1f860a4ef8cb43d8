//! Postmortem templates (export, override, a vault's own), the data they get (`--json`),
//! `incident report` and a postmortem written outside the incident folder.

use std::fs;

use crate::postmortem::{add_restart_counts, seed_story};
use crate::support::*;

#[test]
fn templates_export_and_override() {
    let (env, id) = seed_story();
    let out = env.ok(&["templates", "export"]);
    let exported = env.root().join("templates").join("postmortem.md.tera");
    // The postmortem's template first, then the site's.
    assert!(out.starts_with(&format!("{}\n", exported.display())), "{out}");
    assert!(out.contains(&format!("{}\n", env.root().join("templates/site/base.html.tera").display())), "{out}");
    // Exporting again is fine while nothing changed; an edited copy is kept.
    env.ok(&["templates", "export"]);
    fs::write(
        &exported,
        "# {{ incident.title }}\n{% for row in metrics.rows %}{{ row.name }}: {{ row.value }}\n{% endfor %}",
    )
    .unwrap();
    assert_eq!(
        env.fails(1, &["templates", "export"]),
        format!(
            "error: {} exists already and differs from the built-in version\n  hint: move them away, or add --force to overwrite them with the built-in version\n",
            exported.display()
        )
    );
    let list = env.ok(&["templates", "list"]);
    assert!(list.starts_with("postmortem.md.tera\toverridden by templates/postmortem.md.tera\n"), "{list}");
    let out = env.ok(&["postmortem", "--out", "-"]);
    assert!(
        out.starts_with("# K3s pods crash-looping\nDiscovery time: 08:23 (Sunday)\nTime to detect: unknown"),
        "{out}"
    );

    // A broken override names the file, the line and the missing variable.
    fs::write(&exported, "# {{ incident.title }}\n\nBy {{ incident.owner }}\n").unwrap();
    assert_eq!(
        env.fails(1, &["postmortem", "--out", "-"]),
        format!(
            "error: {}:3: column 16: Field `owner` is not defined. Available fields: authors, date, id, recovered, resolved, services, services_unaffected, severity, started, status, summary, tags, title\n  hint: fix the template, or delete it to use the built-in one\n",
            exported.display()
        )
    );
    fs::write(&exported, "{{ nope }}").unwrap();
    let err = env.fails(1, &["postmortem", "--out", "-"]);
    assert!(
        err.starts_with(&format!("error: {}:1: column 4: Variable `nope` is not defined.", exported.display())),
        "{err}"
    );
    env.ok(&["templates", "export", "--force"]);
    assert!(env.ok(&["postmortem", "--out", "-"]).starts_with("# Postmortem: "));
    let _ = id;
}

#[test]
fn a_named_template_from_the_vault() {
    let (env, _) = seed_story();
    fs::create_dir_all(env.root().join("templates")).unwrap();
    fs::write(env.root().join("templates/short.md.tera"), "{{ incident.title }}: {{ changes | length }} changes\n")
        .unwrap();
    assert_eq!(
        env.ok(&["postmortem", "--template", "short.md.tera", "--out", "-"]),
        "K3s pods crash-looping: 4 changes\n"
    );
    assert_eq!(
        env.fails(1, &["postmortem", "--template", "long.md.tera", "--out", "-"]),
        format!(
            "error: no template \"long.md.tera\" in {} nor built in\n  hint: the built-in templates are postmortem.md.tera; `incident templates export` copies them out\n",
            env.root().join("templates").display()
        )
    );
    assert_eq!(
        env.fails(2, &["postmortem", "--template", "../x", "--out", "-"]),
        "error: \"../x\" is not a template name\n  hint: give a file name in the vault's templates/ folder, e.g. postmortem.md.tera\n"
    );
}

#[test]
fn templates_export_to_a_folder_outside_any_vault() {
    let env = TestEnv::bare();
    let r = env.run(&["templates", "export", "out"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let path = env.root().join("out/postmortem.md.tera");
    assert!(r.stdout.starts_with(&format!("{}\n", path.display())), "{}", r.stdout);
    let count = r.stdout.lines().count();
    assert_eq!(count, 13, "the postmortem's template and the site's twelve files");
    assert_eq!(
        r.stderr,
        format!(
            "exported {count} template(s) to {}; a file of the same name in the vault's templates/ replaces the built-in one\n",
            env.root().join("out").display()
        )
    );
    assert!(fs::read_to_string(&path).unwrap().contains("## The numbers"));
}

#[test]
fn json_is_the_template_data() {
    let (env, _) = seed_story();
    let json = env.json(&["postmortem", "--format", "json"]);
    let keys: Vec<&str> = json.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "actions",
            "changes",
            "commands",
            "detection",
            "diagnosis",
            "generated_at",
            "impact",
            "incident",
            "lessons",
            "metrics",
            "options",
            "pictures",
            "resolution",
            "snapshots",
            "timeline",
            "warnings"
        ]
    );
    let changes: Vec<(&str, &str, &str)> = json["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["time"].as_str().unwrap(), c["command"].as_str().unwrap(), c["reason"].as_str().unwrap()))
        .collect();
    assert_eq!(
        changes,
        [
            ("09:14", "sudo systemctl stop k3s", "systemctl stop k3s"),
            (
                "09:15",
                "sudo rm -f /var/lib/rancher/k3s/server/cred/node-passwd",
                "rm /var/lib/rancher/k3s/server/cred/node-passwd"
            ),
            ("09:16", "sudo systemctl start k3s", "systemctl start k3s"),
            ("10:05", "sudo vi /etc/systemd/system/k3s.service", "vi /etc/systemd/system/k3s.service"),
        ]
    );
    let options: Vec<(&str, bool)> = json["options"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| (o["title"].as_str().unwrap(), o["chosen"].as_bool().unwrap()))
        .collect();
    assert_eq!(options, [("Clean restart", true), ("Pin to interface", false)]);
    let help = env.ok(&["postmortem", "--help"]);
    assert!(help.contains("metrics.rows[]") && help.contains("time_to_diagnose"), "{help}");
}

#[test]
fn report_across_incidents() {
    let (mut env, _) = seed_story();
    env.at("2025-11-02T12:00:00-05:00");
    env.ok(&["start", "-q", "DNS timeouts", "--severity", "sev3", "--service", "Prometheus", "--at", "09:00"]);
    env.ok(&["mark", "-q", "detected", "--at", "09:00"]);
    env.ok(&["mark", "-q", "diagnosed", "--at", "09:10"]);
    env.ok(&["mark", "-q", "recovered", "--at", "09:40"]);
    let json = env.json(&["report", "--json"]);
    assert_eq!(json["incidents"], 2);
    assert_eq!(json["by_severity"], serde_json::json!({"sev2": 1, "sev3": 1}));
    assert_eq!(json["by_service"], serde_json::json!({"LibreChat": 1, "Prometheus": 2}));
    assert_eq!(json["median_method"], "the middle value; for an even n halfway between the two middle ones");
    // 10 and 22 minutes: halfway, 16 minutes, as the footer says.
    let diag = &json["durations"][1];
    assert_eq!(
        diag,
        &serde_json::json!({"key": "time_to_diagnose", "name": "Time to diagnose", "n": 2, "unknown": 0, "median_seconds": 960, "p90_seconds": 1320})
    );
    let text = env.ok(&["report", "--since", "2025-11-01"]);
    assert_eq!(
        text,
        "1 incident since 2025-11-01\n\nby severity: sev3 1\nby service:  Prometheus 1\n\n\
         duration                 n     median        p90  unknown\n\
         Time to detect           0          -          -  1\n\
         Time to diagnose         1        10m        10m  0\n\
         Recovery time            0          -          -  1\n\
         Detection to recovery    1        40m        40m  0\n\
         Permanent fix            0          -          -  1\n\
         Total downtime           0          -          -  1\n\n\
         median (the middle value; for an even n halfway between the two middle ones) and p90 (nearest rank) \
         over the incidents where the duration is known (n)\n"
    );
    assert!(!text.to_lowercase().contains("mean "));
    assert_eq!(
        env.fails(2, &["report", "--since", "last week"]),
        "error: --since \"last week\" is not a date\n  hint: write it as YYYY-MM-DD, e.g. --since 2025-01-01\n"
    );
    assert_eq!(env.ok(&["report", "--since", "2026-01-01"]), "0 incidents since 2026-01-01\n");
}

#[test]
fn a_postmortem_written_elsewhere_links_through_the_incident_folder() {
    let (env, id) = seed_story();
    add_restart_counts(&env, &id);
    fs::create_dir_all(env.root().join("reports")).unwrap();
    let r = env.run(&["postmortem", "--out", "reports/k3s.md"]);
    assert_eq!((r.code, r.stderr.as_str()), (0, "wrote reports/k3s.md\n"));
    let text = fs::read_to_string(env.root().join("reports/k3s.md")).unwrap();
    assert!(text.contains(&format!("](../incidents/{id}/steps/")), "{text}");
    assert!(text.contains("](k3s-timeline.svg)"));
    assert!(env.root().join("reports/k3s-timeline.svg").is_file());
    assert!(env.root().join("reports/k3s-restarts.svg").is_file());
    let links = regex::Regex::new(r"\]\(([^)]+)\)").unwrap();
    for cap in links.captures_iter(&text) {
        assert!(env.root().join("reports").join(&cap[1]).is_file(), "broken link {}", &cap[1]);
    }
}
