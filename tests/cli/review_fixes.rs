//! Defects found by review on the release binary, each pinned by the test that found it:
//! binary attachments, `--at` on capture, orphans of a failed write, temp names in errors,
//! a resolved incident's clock, bare times a little ahead, recording into a resolved
//! incident, a mistyped milestone.

use crate::support::{TestEnv, frontmatter};

/// A libpcap file holding one TCP packet of an HTTP request with a bearer token.
fn pcap_with_a_token() -> (Vec<u8>, std::ops::Range<usize>) {
    let mut file = Vec::new();
    // Global header: magic, version 2.4, zone, sigfigs, snaplen, link type Ethernet.
    file.extend_from_slice(&[0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0]);
    file.extend_from_slice(&[0; 8]);
    file.extend_from_slice(&65535u32.to_le_bytes());
    file.extend_from_slice(&1u32.to_le_bytes());
    let http = b"GET /api/v1/pods HTTP/1.1\r\nHost: 10.43.0.1\r\nAuthorization: Bearer abcdefghijklmnop1234\r\n\r\n";
    let mut packet = vec![0xff; 6]; // Ethernet: broadcast destination,
    packet.extend_from_slice(&[0x02, 0x42, 0xac, 0x11, 0x00, 0x02, 0x08, 0x00]); // source, IPv4
    packet.extend_from_slice(&[0x45, 0x00, 0x00, 0x9c, 0xbe, 0xef, 0x40, 0x00, 0x40, 0x06, 0xe3, 0x8a]);
    packet.extend_from_slice(&[10, 42, 0, 7, 10, 43, 0, 1]); // IP addresses
    packet.extend_from_slice(&[0xd4, 0x31, 0x01, 0xbb, 0x9a, 0xf3, 0x81, 0xc7, 0xfe, 0x80, 0x12, 0x34]); // TCP
    packet.extend_from_slice(&[0x50, 0x18, 0xfa, 0xf0, 0xc9, 0x8e, 0x00, 0x00]);
    let token_at = 24 + 16 + packet.len() + (http.len() - b"abcdefghijklmnop1234\r\n\r\n".len());
    packet.extend_from_slice(http);
    // Record header: seconds, microseconds, captured and original length.
    file.extend_from_slice(&1_759_670_580u32.to_le_bytes());
    file.extend_from_slice(&0x000f_4240u32.to_le_bytes());
    file.extend_from_slice(&(packet.len() as u32).to_le_bytes());
    file.extend_from_slice(&(packet.len() as u32).to_le_bytes());
    file.extend_from_slice(&packet);
    (file, token_at..token_at + 20)
}

#[test]
fn attach_masks_a_secret_in_a_binary_file_in_place_and_keeps_every_other_byte() {
    let (env, id) = TestEnv::with_incident();
    let (pcap, token) = pcap_with_a_token();
    assert_eq!(&pcap[token.clone()], b"abcdefghijklmnop1234");
    std::fs::write(env.root().join("api.pcap"), &pcap).unwrap();
    let r = env.run(&["attach", "api.pcap"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stderr.lines().next().unwrap(),
        format!(
            "warning: {} is not UTF-8 and held 1 secret, masked in place: bearer (20 bytes); each mask has the length of its secret, so offsets and lengths in the file stay valid, but checksums inside it may no longer match",
            env.root().join("api.pcap").display()
        )
    );
    let fm = frontmatter(&env.only_step(&id, "attach"));
    let stored = std::fs::read(env.incident_dir(&id).join(fm["attachment"].as_str().unwrap())).unwrap();
    assert_eq!(stored.len(), pcap.len());
    assert_eq!(&stored[..token.start], &pcap[..token.start], "the headers and the packet up to the token");
    assert_eq!(&stored[token.end..], &pcap[token.end..]);
    assert_eq!(&stored[token], b"[REDACTED:bearer-1]*");
    assert_eq!(fm["redactions"]["bearer"], 1);
    // With --no-redact the file is kept as it is.
    env.ok(&["attach", "--no-redact", "api.pcap"]);
    let kept = std::fs::read_dir(env.incident_dir(&id).join("attachments"))
        .unwrap()
        .map(|e| std::fs::read(e.unwrap().path()).unwrap())
        .filter(|bytes| bytes == &pcap)
        .count();
    assert_eq!(kept, 1);
}

#[test]
fn attach_masks_a_private_key_in_a_tar_byte_for_byte() {
    let (env, id) = TestEnv::with_incident();
    let body = "MIIEpAIBAAKCAQEA1x2y3z4KeyBodyLine1\nQ2hlY2tzdW1zQXJlTm90SGVyZQ==line2\n";
    let mut tar = b"k3s/server.key\0\0\0\x00\x00\x01\xa4\xff\xfe".to_vec();
    tar.extend_from_slice(b"-----BEGIN RSA PRIVATE KEY-----\n");
    let key_at = tar.len();
    tar.extend_from_slice(body.as_bytes());
    tar.extend_from_slice(b"-----END RSA PRIVATE KEY-----\n\0\0\x80\x81");
    std::fs::write(env.root().join("certs.tar"), &tar).unwrap();
    let r = env.run(&["attach", "certs.tar"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("held 1 secret, masked in place: private-key (69 bytes);"), "{}", r.stderr);
    let fm = frontmatter(&env.only_step(&id, "attach"));
    let stored = std::fs::read(env.incident_dir(&id).join(fm["attachment"].as_str().unwrap())).unwrap();
    assert_eq!(stored.len(), tar.len());
    assert_eq!(&stored[..key_at], &tar[..key_at]);
    // The body up to its last line's end is masked; the line break before END is kept.
    let masked = &stored[key_at..key_at + body.len() - 1];
    assert!(masked.starts_with(b"[REDACTED:private-key-1]***"), "{}", String::from_utf8_lossy(masked));
    assert!(masked[24..].iter().all(|&b| b == b'*'));
    assert_eq!(&stored[key_at + body.len() - 1..], &tar[key_at + body.len() - 1..]);
}

/// The facts of the one step of `kind`.
fn facts_of(env: &TestEnv, id: &str, kind: &str) -> serde_json::Value {
    frontmatter(&env.only_step(id, kind))["facts"].clone()
}

#[test]
fn capture_and_run_at_a_past_time_read_pod_ages_at_that_time_as_snapshot_does() {
    let (env, id) = TestEnv::with_incident();
    let pods = crate::kube_server::fixture_dir().join("seed_pods.json");
    let path = pods.to_str().unwrap();
    let json = std::fs::read(&pods).unwrap();
    let at = "2025-10-05T08:15:00-05:00";
    env.ok(&["-q", "snapshot", "--from", path, "--at", at]);
    let r = env.run_with_stdin(&["-q", "capture", "-c", "kubectl get pods -A -o json", "--no-echo", "--at", at], &json);
    assert_eq!(r.code, 0, "{}", r.stderr);
    env.ok(&["-q", "run", "--at", at, "--", "cat", path]);
    let mut snapshot = facts_of(&env, &id, "snapshot");
    assert_eq!(snapshot["pods"][0]["last_restart_ago"], "4m52s ago", "as of 08:15, not 08:23");
    // The one difference: a snapshot names the file it read.
    snapshot.as_object_mut().unwrap().remove("source");
    assert_eq!(facts_of(&env, &id, "capture"), snapshot);
    assert_eq!(facts_of(&env, &id, "run"), snapshot);
}

#[test]
fn an_attachment_whose_step_cannot_be_written_is_not_left_behind() {
    let (env, id) = TestEnv::with_incident();
    let steps = env.incident_dir(&id).join("steps");
    std::fs::remove_dir_all(&steps).unwrap_or(());
    std::fs::write(&steps, "").unwrap();
    std::fs::write(env.root().join("img.png"), b"\x89PNG\r\n\x1a\n").unwrap();
    assert_eq!(
        env.fails(1, &["attach", "img.png"]),
        format!(
            "error: cannot create a file in {0}: Not a directory (os error 20)\n  hint: {0} or a folder above it is a file where a folder should be: move that file away\n",
            steps.display()
        )
    );
    let attachments = env.incident_dir(&id).join("attachments");
    assert!(!attachments.exists(), "{:?}", std::fs::read_dir(&attachments).map(|d| d.count()));
}

#[test]
fn a_folder_that_is_a_file_is_named_without_the_temp_file_that_could_not_be_made() {
    let (env, id) = TestEnv::with_incident();
    let steps = env.incident_dir(&id).join("steps");
    std::fs::remove_dir_all(&steps).unwrap_or(());
    std::fs::write(&steps, "").unwrap();
    let steps = steps.display();
    assert_eq!(
        env.fails(1, &["note", "the steps folder is a file"]),
        format!(
            "error: cannot create a file in {steps}: Not a directory (os error 20)\n  hint: {steps} or a folder above it is a file where a folder should be: move that file away\n"
        )
    );
}

#[test]
fn status_json_stops_the_clock_at_resolution() {
    let (mut env, _id) = TestEnv::with_incident();
    let open = env.json(&["status", "--json"]);
    assert_eq!(open["elapsed_seconds"], 0);
    assert_eq!(open.get("resolved_at"), Some(&serde_json::Value::Null), "null while open: {open}");
    env.at("2025-10-05T10:30:00-05:00").ok(&["-q", "mark", "resolved"]);
    // The next morning: still 2h 7m, as the text says.
    env.at("2025-10-06T09:00:00-05:00");
    let resolved = env.json(&["status", "--json"]);
    assert_eq!(resolved["elapsed_seconds"], 2 * 3600 + 7 * 60);
    assert_eq!(resolved["resolved_at"], "2025-10-05T10:30:00-05:00");
    assert!(env.ok(&["status"]).contains("resolved 10:30 after 2h 7m"));
}

#[test]
fn a_bare_time_a_few_minutes_ahead_is_refused_not_moved_to_yesterday() {
    let (mut env, id) = TestEnv::with_incident();
    env.at("2025-10-05T08:24:00-05:00");
    assert_eq!(
        env.fails(2, &["mark", "detected", "--at", "08:32"]),
        "error: --at: \"08:32\" is later than now (08:24) by 8m, too little to mean yesterday: a slip of the keyboard or of another clock (UTC in a log)? Give a time before now, or the day: \"yesterday 08:32\" or 2025-10-04T08:32\n  hint: see `incident mark --help`\n"
    );
    assert!(env.step_files(&id).is_empty(), "nothing was written");
    // Both forms it suggests are taken as they are.
    env.ok(&["-q", "note", "--at", "yesterday 08:32", "a"]);
    env.ok(&["-q", "note", "--at", "2025-10-04T08:32", "b"]);
    let ats: Vec<String> = env
        .step_files(&id)
        .iter()
        .map(|f| frontmatter(&std::fs::read_to_string(f).unwrap())["at"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ats, ["2025-10-04T08:32:00-05:00", "2025-10-04T08:32:00-05:00"]);
    // Just after midnight, 23:50 is still last night.
    env.at("2025-10-06T00:10:00-05:00");
    let r = env.run(&["note", "--at", "23:50", "c"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.starts_with("warning: --at 23:50: read as yesterday, 2025-10-05 23:50"), "{}", r.stderr);
}

#[test]
fn recording_the_system_into_a_resolved_incident_warns_once_and_records() {
    let (mut env, id) = TestEnv::with_incident();
    env.at("2025-10-05T10:30:00-05:00").ok(&["-q", "mark", "resolved"]);
    env.at("2025-10-06T09:00:00-05:00");
    let r = env.run(&["run", "--", "echo", "next morning"]);
    assert_eq!((r.code, r.stdout.as_str()), (0, "next morning\n"), "{}", r.stderr);
    let warning = format!(
        "warning: {id} was resolved at 2025-10-05 10:30: this run is recorded in it all the same. For a new problem, `incident start \"TITLE\"`; for another incident, `incident switch ID`\n"
    );
    assert!(r.stderr.starts_with(&warning), "{}", r.stderr);
    assert_eq!(r.stderr.matches("warning:").count(), 1, "{}", r.stderr);
    env.only_step(&id, "run");
    let r = env.run(&["mark", "detected"]);
    assert!(r.stderr.starts_with(&warning.replace("this run", "this milestone")), "{}", r.stderr);
    // Postmortem work, the permanent fix and a milestone backfilled before the resolution are quiet.
    for args in [
        &["lesson", "--kind", "learned", "pin the node IP"][..],
        &["cause", "the node IP changed"],
        &["note", "graphs attached"],
        &["mark", "permanent-fix"],
        &["mark", "impact-start", "--at", "2025-10-05T07:50:00-05:00"],
    ] {
        let r = env.run(args);
        assert_eq!(r.code, 0, "{args:?}: {}", r.stderr);
        assert!(!r.stderr.contains("was resolved"), "{args:?}: {}", r.stderr);
    }
}

#[test]
fn a_mistyped_milestone_is_answered_with_the_one_it_most_likely_meant() {
    let (env, id) = TestEnv::with_incident();
    assert_eq!(
        env.fails(2, &["mark", "diagnoised"]),
        "error: unknown milestone \"diagnoised\" (did you mean diagnosed?); expected one of: impact-start, detected, acknowledged, diagnosed, mitigation-start, mitigated, recovered, resolved, permanent-fix-start, permanent-fix\n  hint: see `incident mark --help`\n"
    );
    assert!(env.step_files(&id).is_empty());
}
