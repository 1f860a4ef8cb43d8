//! Secrets never reach the disk: the whole secrets corpus through run, capture,
//! note and attach, then every file of the vault searched for every secret.

use std::path::{Path, PathBuf};

use crate::support::*;

fn corpus() -> Vec<(PathBuf, Vec<String>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/redact/secrets");
    let mut cases = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_string();
        if name.ends_with(".expect.toml") || name.ends_with(".redacted") {
            continue;
        }
        let expect: toml::Table =
            toml::from_str(&std::fs::read_to_string(dir.join(format!("{name}.expect.toml"))).unwrap()).unwrap();
        let secrets = expect["secrets"].as_array().unwrap().iter().map(|s| s.as_str().unwrap().to_string()).collect();
        cases.push((path, secrets));
    }
    cases.sort();
    assert!(cases.len() >= 15, "the corpus is there: {}", cases.len());
    cases
}

/// Every file under `root`, as bytes.
pub fn all_files(root: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push((path.clone(), std::fs::read(&path).unwrap()));
            }
        }
    }
    out
}

fn assert_no_secret_in(root: &Path, secrets: &[String]) -> usize {
    let files = all_files(root);
    for (path, bytes) in &files {
        let text = String::from_utf8_lossy(bytes);
        for secret in secrets {
            assert!(!text.contains(secret.as_str()), "secret {secret:?} found in {}", path.display());
        }
    }
    files.len()
}

#[test]
fn no_secret_byte_reaches_the_vault() {
    let (env, id) = TestEnv::with_incident();
    let mut every_secret = Vec::new();
    for (path, secrets) in corpus() {
        let file = path.to_str().unwrap();
        let name = path.file_name().unwrap().to_str().unwrap();
        let r = env.run(&["-q", "run", "--title", name, "--", "cat", file]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        let text = std::fs::read(&path).unwrap();
        let r = env.run_with_stdin(&["-q", "capture", "--no-echo", "-c", &format!("cat {name}")], &text);
        assert_eq!(r.code, 0, "{}", r.stderr);
        let r = env.run_with_stdin(&["-q", "note", "-"], &text);
        assert_eq!(r.code, 0, "{}", r.stderr);
        env.ok(&["-q", "attach", file]);
        every_secret.extend(secrets);
    }
    // Secrets on the command line and in titles, too.
    env.ok(&[
        "-q",
        "run",
        "--title",
        "token ghp_0123456789abcdefghijABCDEFGHIJ012345",
        "--",
        "echo",
        "--token=s3cr3tT0kenValue42",
    ]);
    every_secret.push("ghp_0123456789abcdefghijABCDEFGHIJ012345".into());
    every_secret.push("s3cr3tT0kenValue42".into());
    // A snapshot of saved API objects holding secrets: a Secret, env values, a kubeconfig token.
    let api = r#"{"apiVersion": "v1", "kind": "List", "items": [
      {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "db", "namespace": "default", "uid": "u1"},
       "type": "Opaque", "data": {"password": "UzNjcjN0REJQYXNzdzByZEZyb21BUEk="}},
      {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "api-7d4b9c8f6-xk2p9", "namespace": "default", "uid": "u2",
        "annotations": {"kubectl.kubernetes.io/last-applied-configuration": "{\"token\": \"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhcGkifQ.c2lnbmF0dXJlc2lnbmF0dXJl\"}"}},
       "spec": {"nodeName": "leveling-pc", "containers": [{"name": "api", "image": "api:1",
         "env": [{"name": "DB_PASSWORD", "value": "PodEnvPassw0rdValue9"}]}]},
       "status": {"phase": "Running", "containerStatuses": [{"name": "api", "ready": true, "restartCount": 3, "image": "api:1", "imageID": "", "state": {"running": {}}}]}}
    ]}"#;
    let outside = tempfile::tempdir().unwrap();
    let api_file = outside.path().join("api.json");
    std::fs::write(&api_file, api).unwrap();
    let r = env.run(&["-q", "snapshot", "--from", api_file.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    every_secret.extend(
        [
            "UzNjcjN0REJQYXNzdzByZEZyb21BUEk=",
            "S3cr3tDBPassw0rdFromAPI",
            "PodEnvPassw0rdValue9",
            "c2lnbmF0dXJlc2lnbmF0dXJl",
        ]
        .map(String::from),
    );
    // ...and the published site of all of it.
    env.ok(&["-q", "publish", "--include-open"]);
    assert!(env.root().join("public/index.html").is_file());
    let files = assert_no_secret_in(env.root(), &every_secret);
    assert!(files > 80, "{files} files searched");
    // Facts were extracted from redacted text only, and steps say what was redacted.
    let show = env.json(&["show", "--json"]);
    let total: u64 = show["steps"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["redactions"].as_object())
        .flat_map(|m| m.values().map(|v| v.as_u64().unwrap()))
        .sum();
    assert!(total > 100, "{total} redactions recorded");
    let _ = id;
}

#[test]
fn the_same_secret_gets_the_same_placeholder_across_steps() {
    let (env, id) = TestEnv::with_incident();
    env.ok(&["note", "used AKIAZLXXFOFBKFJKUPHB for the backup"]);
    env.ok(&["run", "--", "echo", "AWS_ACCESS_KEY_ID=AKIACKHIPEW4D34BYRF4 then AKIAZLXXFOFBKFJKUPHB"]);
    let note = env.only_step(&id, "note");
    assert!(body(&note).contains("used [REDACTED:aws-key-1] for the backup"), "{note}");
    assert_eq!(frontmatter(&note)["redactions"]["aws-key"], 1);
    let run = env.only_step(&id, "run");
    assert!(body(&run).contains("AWS_ACCESS_KEY_ID=[REDACTED:aws-key-2] then [REDACTED:aws-key-1]"), "{run}");
    assert_eq!(frontmatter(&run)["argv"][1], "AWS_ACCESS_KEY_ID=[REDACTED:aws-key-2] then [REDACTED:aws-key-1]");
    // The numbering is local state: keyed hashes only, out of git.
    let state = std::fs::read_to_string(env.root().join(format!(".incident/redact/{id}.json"))).unwrap();
    assert!(!state.contains("AKIA"), "{state}");
    // Another incident numbers afresh.
    env.ok(&["start", "another"]);
    env.ok(&["note", "AKIACKHIPEW4D34BYRF4"]);
    let other = env.step_files("2025-10-05-another");
    assert!(std::fs::read_to_string(&other[0]).unwrap().contains("[REDACTED:aws-key-1]"));
}

#[test]
fn start_redacts_title_summary_tags_and_services_before_naming_the_folder() {
    let env = TestEnv::new();
    let id = env
        .ok(&[
            "start",
            "AWS key AKIAZLXXFOFBKFJKUPHB leaked",
            "--summary",
            "token ghp_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa was in the logs",
            "--tag",
            "AKIACKHIPEW4D34BYRF4",
            "--service",
            "svc-ghp_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
        ])
        .trim()
        .to_string();
    assert_eq!(id, "2025-10-05-aws-key-redacted-aws-key-1-leaked");
    let text = std::fs::read_to_string(env.incident_dir(&id).join("incident.md")).unwrap();
    for secret in ["AKIAZLXXFOFBKFJKUPHB", "AKIACKHIPEW4D34BYRF4", "ghp_aaaa", "ghp_bbbb"] {
        assert!(!text.contains(secret), "{secret} in {text}");
    }
    let fm = frontmatter(&text);
    assert_eq!(fm["title"], "AWS key [REDACTED:aws-key-1] leaked");
    assert_eq!(fm["tags"][0], "[REDACTED:aws-key-2]");
    assert!(body(&text).contains("token [REDACTED:github-token-2] was in the logs"), "{text}");
    // Steps carry on from the title's numbering: the same key, the same placeholder.
    env.ok(&["note", "rotated AKIACKHIPEW4D34BYRF4 and AKIAZLXXFOFBKFJKUPHB"]);
    let note = env.only_step(&id, "note");
    assert!(body(&note).contains("rotated [REDACTED:aws-key-2] and [REDACTED:aws-key-1]"), "{note}");
}

#[test]
fn redactions_count_distinct_secrets_not_the_places_they_appear() {
    let (env, id) = TestEnv::with_incident();
    // In the command, its argv, its `$` line and its output: still one key.
    env.ok(&["run", "--", "echo", "AKIAZLXXFOFBKFJKUPHB", "and", "AKIAZLXXFOFBKFJKUPHB"]);
    let run = env.only_step(&id, "run");
    assert_eq!(frontmatter(&run)["redactions"], serde_json::json!({"aws-key": 1}), "{run}");
}

#[test]
fn a_secret_found_once_is_hidden_wherever_it_turns_up_again() {
    let (env, id) = TestEnv::with_incident();
    env.ok(&[
        "run",
        "--",
        "echo",
        "kubectl",
        "create",
        "secret",
        "generic",
        "db",
        "--from-literal=password=Hunter2Secret99",
    ]);
    // Later steps, where no rule would see a secret: bare, quoted, in a note.
    env.ok(&["run", "--", "sh", "-c", "echo Hunter2Secret99; echo \"pw='Hunter2Secret99'\""]);
    env.ok(&["note", "tried Hunter2Secret99 by hand, and Hunter2Secret990 is another word"]);
    for path in env.step_files(&id) {
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(!text.replace("Hunter2Secret990", "").contains("Hunter2Secret99"), "{text}");
    }
    let note = env.only_step(&id, "note");
    assert!(body(&note).contains("tried [REDACTED:password-assignment-1] by hand, and Hunter2Secret990"), "{note}");
    // The pipe filter does the same within its input, on the same line too; a plain word
    // used as a password is not hidden everywhere.
    let r = env.run_with_stdin(
        &["redact"],
        b"docker login --password Xy7Zq9Lm2Pw; echo Xy7Zq9Lm2Pw\necho Xy7Zq9Lm2Pw\nPGPASSWORD=postgres psql -U postgres\n",
    );
    assert_eq!(
        r.stdout,
        "docker login --password [REDACTED:password-flag-1]; echo [REDACTED:password-flag-1]\n\
         echo [REDACTED:password-flag-1]\nPGPASSWORD=[REDACTED:password-assignment-1] psql -U postgres\n"
    );
}

#[test]
fn a_mysql_password_in_a_command_quoted_for_a_shell_is_hidden_in_the_command_and_its_output() {
    let (env, id) = TestEnv::with_incident();
    env.ok(&["run", "--", "sh", "-c", "echo \"mysql -u root -pTopSecret99\""]);
    let run = env.only_step(&id, "run");
    assert!(!run.contains("TopSecret99"), "{run}");
    assert!(run.contains("mysql -u root -p[REDACTED:password-flag-1]"), "{run}");
    // Searches and port mappings stay as they are, quoted or not.
    let r = env.run_with_stdin(&["redact"], b"grep \"mysql -perl\" x\ndocker run -p3306:3306 'mysql'\n");
    assert_eq!(r.stdout, "grep \"mysql -perl\" x\ndocker run -p3306:3306 'mysql'\n");
}

#[test]
fn a_secret_found_in_one_incident_is_hidden_in_the_next() {
    let (env, first) = TestEnv::with_incident();
    env.ok(&["run", "--", "echo", "kubectl create secret generic db --from-literal=password=Hunter2Secret99"]);
    let second = env.ok(&["start", "Hunter2Secret99 leaked into a title"]).trim().to_string();
    assert_ne!(first, second);
    assert!(!second.to_lowercase().contains("hunter2"), "{second}");
    env.ok(&["note", "the admin password Hunter2Secret99 still works"]);
    let note = env.only_step(&second, "note");
    assert!(body(&note).contains("the admin password [REDACTED:password-assignment-1] still works"), "{note}");
    let incident_md = std::fs::read_to_string(env.incident_dir(&second).join("incident.md")).unwrap();
    assert!(!incident_md.contains("Hunter2Secret99"), "{incident_md}");
    assert!(incident_md.contains("[REDACTED:password-assignment-1] leaked into a title"), "{incident_md}");

    // A vault from before the vault-wide record: it is built from the incidents' own.
    std::fs::remove_file(env.root().join(".incident/redact-known.json")).unwrap();
    let third = env.ok(&["start", "a third"]).trim().to_string();
    env.ok(&["note", "and again Hunter2Secret99"]);
    assert!(body(&env.only_step(&third, "note")).contains("and again [REDACTED:password-assignment-1]"));
    // Damaged, it is built again too, and no other incident's placeholder numbers leak in.
    std::fs::write(env.root().join(".incident/redact-known.json"), "{ not json").unwrap();
    env.ok(&["run", "--", "echo", "AKIAZLXXFOFBKFJKUPHB"]);
    env.ok(&["note", "once more Hunter2Secret99"]);
    let notes: String = env.step_files(&third).iter().map(|p| std::fs::read_to_string(p).unwrap()).collect();
    assert!(notes.contains("once more [REDACTED:password-assignment-1]"), "{notes}");
    for (path, bytes) in all_files(env.root()) {
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains("Hunter2Secret99") && !text.contains("AKIAZLXXFOFBKFJKUPHB"), "{}", path.display());
    }
}

#[test]
fn a_known_secret_is_found_glued_to_a_path_and_when_it_holds_separators() {
    let (env, id) = TestEnv::with_incident();
    env.ok(&["run", "--", "echo", "kubectl create secret generic x --from-literal=token=c2VjcmV0LXZhbHVlLTE="]);
    env.ok(&["run", "--", "echo", "docker login --password 'Qx9 pLm2=z:zz'"]);
    env.ok(&["run", "--", "echo", "--from-literal=password=Hunter4Secret55"]);
    env.ok(&[
        "note",
        "saw c2VjcmV0LXZhbHVlLTE= and 'Qx9 pLm2=z:zz' in /tmp/Hunter4Secret55/x and ops@Hunter4Secret55.bak",
    ]);
    let step = env.only_step(&id, "note");
    let note = body(&step);
    assert_eq!(
        note.trim(),
        "saw [REDACTED:secret-assignment-1] and '[REDACTED:password-flag-1]' in \
         /tmp/[REDACTED:password-assignment-1]/x and ops@[REDACTED:password-assignment-1].bak"
    );
    // In the recorded command line too, where shell quoting used to hide it from the rule.
    for path in env.step_files(&id) {
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(!text.contains("pLm2=z") && !text.contains("VlLTE="), "{text}");
    }
    // At the end of a line, and starting with a `/`, as the redact filter sees them.
    let r = env.run_with_stdin(
        &["redact"],
        b"export DB_PASSWORD=Xk9pQ2/mZ7aLw3\nlast Xk9pQ2/mZ7aLw3\nexport DB_PASSWORD=/Hunter2xyz\n\
          cat x /Hunter2xyz y\ndocker login --password 'p@ss:word9'\necho p@ss:word9\n",
    );
    assert_eq!(
        r.stdout,
        "export DB_PASSWORD=[REDACTED:password-assignment-1]\nlast [REDACTED:password-assignment-1]\n\
         export DB_PASSWORD=[REDACTED:password-assignment-2]\ncat x [REDACTED:password-assignment-2] y\n\
         docker login --password '[REDACTED:password-flag-1]'\necho [REDACTED:password-flag-1]\n"
    );
    // Pieces of a known secret and longer words that start with it stay.
    env.ok(&["note", "Qx9 and pLm2 and c2VjcmV0LXZhbHVlLTE=x and Hunter4Secret55x"]);
    let notes = env.step_files(&id).into_iter().map(|p| std::fs::read_to_string(p).unwrap()).collect::<String>();
    assert!(notes.contains("Qx9 and pLm2 and c2VjcmV0LXZhbHVlLTE=x and Hunter4Secret55x"), "{notes}");
}

#[test]
fn a_secret_on_the_command_line_is_hidden_in_the_whole_spooled_output() {
    let (env, id) = TestEnv::with_incident();
    std::fs::write(env.root().join("incident.toml"), "[record]\ninline_limit = 1024\n").unwrap();
    let script = "for i in $(seq 1 300); do echo \"line $i Hunter3Secret77\"; done";
    env.ok(&["run", "--", "sh", "-c", script, "--password=Hunter3Secret77"]);
    let step = env.only_step(&id, "run");
    let file = frontmatter(&step)["output_file"].as_str().unwrap().to_string();
    let whole = std::fs::read_to_string(env.incident_dir(&id).join(file)).unwrap();
    assert_eq!(whole.lines().count(), 300);
    assert!(!whole.contains("Hunter3Secret77") && !step.contains("Hunter3Secret77"), "{whole}");
}

#[test]
fn no_redact_is_recorded_in_the_step() {
    let (env, id) = TestEnv::with_incident();
    env.ok(&["note", "--no-redact", "password=hunter2hunter2"]);
    let note = env.only_step(&id, "note");
    assert_eq!(frontmatter(&note)["redaction"], "off");
    assert!(body(&note).contains("password=hunter2hunter2"));
}

#[test]
fn rules_can_be_switched_off_and_added_in_settings() {
    let (env, id) = TestEnv::with_incident();
    let settings = env.root().join("incident.toml");
    std::fs::write(
        &settings,
        "[redact]\ndisable = [\"password-assignment\"]\n[[redact.rules]]\nname = \"internal-token\"\npattern = 'itk_[A-Za-z0-9]{8}'\n",
    )
    .unwrap();
    env.ok(&["note", "password=hunter2hunter2 and itk_ABCD1234"]);
    let note = env.only_step(&id, "note");
    assert!(body(&note).contains("password=hunter2hunter2 and [REDACTED:internal-token-1]"), "{note}");
    std::fs::write(&settings, "[redact]\ndisable = [\"no-such-rule\"]\n").unwrap();
    let err = env.fails(1, &["note", "x"]);
    assert!(err.starts_with(&format!("error: {}: [redact]: ", settings.display())), "{err}");
    assert!(err.contains("no-such-rule"), "{err}");
    assert!(err.ends_with("\n  hint: `incident redact --help` lists the rule names\n"), "{err}");
}

#[test]
fn a_bad_pattern_in_settings_names_the_file_line_rule_pattern_and_reason() {
    let (env, _id) = TestEnv::with_incident();
    let settings = env.root().join("incident.toml");
    std::fs::write(
        &settings,
        "[redact]\ndisable = []\n\n[[redact.rules]]\nname = \"fine\"\npattern = 'fine_\\w+'\n\n[[redact.rules]]\nname = \"acme\"\npattern =   \"acme_(\"\n",
    )
    .unwrap();
    assert_eq!(
        env.fails(1, &["note", "x"]),
        format!(
            "error: {}:10:13: [redact]: redact rule `acme`: invalid pattern \"acme_(\": unclosed group\n  hint: fix the rule's `pattern` (regular expression syntax of the regex crate)\n",
            settings.display()
        )
    );
    // Recording without redaction does not need the rules: it is not stopped by them.
    env.ok(&["note", "--no-redact", "k3s is back"]);
    env.ok(&["run", "--no-redact", "--", "echo", "hi"]);
    let r = env.run_with_stdin(&["capture", "--no-redact", "-c", "x"], b"out\n");
    assert_eq!(r.code, 0, "{}", r.stderr);
}

#[test]
fn a_begin_marker_without_a_key_keeps_the_text_after_it() {
    let (env, id) = TestEnv::with_incident();
    env.ok(&[
        "note",
        "The key must start with -----BEGIN PRIVATE KEY----- but ours has a BOM.\nNext: regenerate it and restart k3s at 09:30.",
    ]);
    let note = env.only_step(&id, "note");
    assert!(body(&note).contains("but ours has a BOM.\nNext: regenerate it and restart k3s at 09:30."), "{note}");
    let log = "E1005 tls.go:12] file does not start with \"-----BEGIN RSA PRIVATE KEY-----\"\nE1005 dial tcp 192.168.1.79:6443: connect: connection refused\nI1005 ok\n";
    let r = env.run_with_stdin(&["capture", "-c", "journalctl -u k3s"], log.as_bytes());
    assert_eq!(r.code, 0, "{}", r.stderr);
    let capture = env.only_step(&id, "capture");
    assert!(body(&capture).contains(log), "{capture}");
    let fm = frontmatter(&capture);
    assert_eq!(fm["facts"]["errors"][0]["kind"], "connection_refused", "{capture}");
    assert!(fm.get("redactions").is_none(), "{capture}");
    let grep = "a.key:-----BEGIN EC PRIVATE KEY-----\nb.key:-----BEGIN EC PRIVATE KEY-----\nc.key:-----BEGIN RSA PRIVATE KEY-----\n";
    let r = env.run_with_stdin(&["redact"], grep.as_bytes());
    assert_eq!((r.stdout.as_str(), r.stderr.as_str()), (grep, "no secrets found\n"));
}

#[test]
fn a_secret_printed_with_data_before_kind_is_hidden_in_the_step() {
    let (env, id) = TestEnv::with_incident();
    let json = "{\n    \"apiVersion\": \"v1\",\n    \"data\": {\n        \"key\": \"Qm9Xk2Lr8pZ1c7VwT4yN0eHs\"\n    },\n    \"kind\": \"Secret\"\n}\n";
    std::fs::write(env.root().join("s.json"), json).unwrap();
    let yaml = "apiVersion: v1\ndata:\n  game.properties: ZW5lbWllcz1hbGllbnMK\nkind: ConfigMap\n";
    std::fs::write(env.root().join("cm.yaml"), yaml).unwrap();
    env.ok(&["run", "--", "sh", "-c", "cat s.json cm.yaml"]);
    let run = env.only_step(&id, "run");
    assert!(!run.contains("Qm9Xk2Lr8pZ1c7VwT4yN0eHs"), "{run}");
    assert!(run.contains("\"key\": \"[REDACTED:k8s-secret-data-1]\""), "{run}");
    assert!(run.contains("game.properties: ZW5lbWllcz1hbGllbnMK"), "ConfigMap data stays: {run}");
}

#[test]
fn base64_of_a_private_key_is_hidden_outside_manifests_too() {
    let env = TestEnv::bare();
    let key = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAw9kfX1q0c3Zr8mQ2Lp7Vn4Tb6Yh1Jd5Kf8Gs0Pa2Qe4Wm\n-----END RSA PRIVATE KEY-----\n";
    let b64 = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, key);
    let r = env.run_with_stdin(&["redact"], format!("  tls.key: {b64}\n").as_bytes());
    assert_eq!(
        (r.stdout.as_str(), r.stderr.as_str()),
        ("  tls.key: [REDACTED:private-key-base64-1]\n", "1 redaction (private-key-base64 1)\n")
    );
}
