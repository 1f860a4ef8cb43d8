//! Tests over the fixture corpus in `tests/fixtures/redact/`, streaming, and odd input.
//!
//! `secrets/NAME` comes with `NAME.expect.toml` (secrets that must not survive, placeholders
//! that must appear, counts by rule) and `NAME.redacted` (the reviewed output; rewrite with
//! `REDACT_BLESS=1`). `keeps/NAME` must come out byte for byte.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use serde::Deserialize;

mod auth_flags;
mod bare_values;
mod list_flags;
mod odd_input;
mod references;

use super::engine::Limits;
use super::*;

const KEY: [u8; 32] = [42; 32];

fn fixture_dir(kind: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/redact").join(kind)
}

fn fixtures(kind: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(fixture_dir(kind))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy();
            !name.ends_with(".expect.toml") && !name.ends_with(".redacted")
        })
        .collect();
    files.sort();
    assert!(files.len() >= 8, "{kind}: fixtures missing");
    files
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Expect {
    secrets: Vec<String>,
    placeholders: Vec<String>,
    counts: BTreeMap<String, u64>,
}

fn redact_with(rules: &Rules, text: &str) -> (String, BTreeMap<String, u64>, Numbering) {
    let mut r = Redactor::new(rules, Numbering::with_key(KEY));
    let out = r.redact(text);
    let counts = r.counts().clone();
    (out, counts, r.into_placeholders())
}

fn redact(text: &str) -> (String, BTreeMap<String, u64>) {
    let (out, counts, _) = redact_with(Rules::builtin(), text);
    (out, counts)
}

/// Feeds `text` in pieces cut at pseudo-random places (not only at line ends).
/// Every case redacted alone: all failures listed at once, input, output and wanted.
fn assert_redacts(cases: &[(&str, &str)]) {
    let mut failures = Vec::new();
    for (input, want) in cases {
        let (out, _) = redact(input);
        if out != *want {
            failures.push(format!("{input:?}\n   got {out:?}\n  want {want:?}"));
        } else if redact(want).0 != *want {
            failures.push(format!("{input:?}\n  redacted again: {:?}", redact(want).0));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

fn streamed(text: &str, seed: u64, limits: Option<Limits>) -> String {
    let mut r = Redactor::new(Rules::builtin(), Numbering::with_key(KEY));
    if let Some(l) = limits {
        r = r.with_limits(l);
    }
    let mut rng = Rng(seed | 1);
    let mut out = String::new();
    let mut rest = text;
    while !rest.is_empty() {
        let mut n = (rng.next() % 97) as usize + 1;
        n = n.min(rest.len());
        while !rest.is_char_boundary(n) {
            n += 1;
        }
        r.push_line(&rest[..n], &mut out);
        rest = &rest[n..];
    }
    r.finish(&mut out);
    out
}

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64: deterministic, no crate.
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

const TINY: Limits = Limits { high: 300, tail: 96, hold: 160, context: 40 };

#[test]
fn secrets_corpus() {
    let bless = std::env::var_os("REDACT_BLESS").is_some();
    let mut failures = Vec::new();
    for path in fixtures("secrets") {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let input = fs::read_to_string(&path).unwrap();
        let expect: Expect =
            toml::from_str(&fs::read_to_string(path.with_file_name(format!("{name}.expect.toml"))).unwrap())
                .unwrap_or_else(|e| panic!("{name}.expect.toml: {e}"));
        let (out, counts, mut numbering) = redact_with(Rules::builtin(), &input);
        assert!(!expect.secrets.is_empty(), "{name}: no secrets listed");
        for s in &expect.secrets {
            assert!(input.contains(s.as_str()), "{name}: secret not in the input: {s}");
            if out.contains(s.as_str()) {
                failures.push(format!("{name}: secret survived: {s}"));
            }
            // A secret cut in half is still a leak: no 12-char piece of it may survive.
            if s.len() >= 24 && !s.contains(' ') {
                let piece = &s[s.len() / 2 - 6..s.len() / 2 + 6];
                if out.contains(piece) {
                    failures.push(format!("{name}: part of a secret survived: {piece}"));
                }
            }
        }
        for p in &expect.placeholders {
            if !out.contains(p.as_str()) {
                failures.push(format!("{name}: placeholder missing: {p}"));
            }
        }
        if counts != expect.counts {
            failures.push(format!("{name}: counts {counts:?}, expected {:?}", expect.counts));
        }
        let golden = path.with_file_name(format!("{name}.redacted"));
        if bless {
            fs::write(&golden, &out).unwrap();
        } else {
            match fs::read_to_string(&golden) {
                Ok(g) if g == out => {}
                Ok(_) => failures.push(format!("{name}: output differs from {name}.redacted:\n{out}")),
                Err(e) => failures.push(format!("{name}.redacted: {e}")),
            }
        }
        // Redacting twice changes nothing, and finds nothing new.
        let mut again = Redactor::new(Rules::builtin(), &mut numbering);
        let twice = again.redact(&out);
        if twice != out || !again.counts().is_empty() {
            failures.push(format!("{name}: not idempotent ({:?}):\n{twice}", again.counts()));
        }
        // Streamed in odd pieces: the same output.
        for seed in [1, 7, 1234] {
            let s = streamed(&input, seed, None);
            if s != out {
                failures.push(format!("{name}: streaming (seed {seed}) differs:\n{s}"));
            }
        }
        // Tiny windows (every line is "long"): output may differ, secrets must not survive.
        let s = streamed(&input, 99, Some(TINY));
        for secret in &expect.secrets {
            if s.contains(secret.as_str()) {
                failures.push(format!("{name}: secret survived tiny windows: {secret}"));
            }
        }
        assert!(quick_check(Rules::builtin(), &input), "{name}: quick_check said no");
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn keeps_corpus_is_unchanged() {
    let mut failures = Vec::new();
    for path in fixtures("keeps") {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let input = fs::read_to_string(&path).unwrap();
        let (out, counts) = redact(&input);
        if out != input {
            for (a, b) in input.lines().zip(out.lines()) {
                if a != b {
                    failures.push(format!("{name}:\n  - {a}\n  + {b}"));
                }
            }
            failures.push(format!("{name}: changed ({counts:?})"));
        }
        if streamed(&input, 5, Some(TINY)) != input {
            failures.push(format!("{name}: changed when streamed in tiny windows"));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn the_module_doc_lists_every_rule_in_priority_order() {
    let doc: Vec<&str> =
        include_str!("../mod.rs").lines().filter_map(|l| l.strip_prefix("//! | `")?.split('`').next()).collect();
    assert_eq!(doc, Rules::builtin().names());
}

#[test]
fn same_secret_same_placeholder_within_an_incident() {
    let rules = Rules::builtin();
    let key = "AKIAIOSFODNN7EXAMPL2";
    let other = "AKIAI44QH8DHBEXAMPL3";
    let mut numbering = Numbering::with_key(KEY);
    let first = Redactor::new(rules, &mut numbering).redact(&format!("id {key}\n"));
    let second = Redactor::new(rules, &mut numbering).redact(&format!("id {other} then {key} again\n"));
    assert_eq!(first, "id [REDACTED:aws-key-1]\n");
    assert_eq!(second, "id [REDACTED:aws-key-2] then [REDACTED:aws-key-1] again\n");
    // Another incident starts at 1.
    let (fresh, _) = redact(&format!("{other}\n"));
    assert_eq!(fresh, "[REDACTED:aws-key-1]\n");
    // The persisted numbering carries no secret.
    let json = serde_json::to_string(&numbering).unwrap();
    assert!(!json.contains(key) && !json.contains(other), "{json}");
    assert!(!json.contains("EXAMPL"), "{json}");
}

#[test]
fn counts_are_per_redaction_by_rule() {
    let (_, counts) =
        redact("a ghp_0123456789abcdefghijABCDEFGHIJ0123456 b ghp_0123456789abcdefghijABCDEFGHIJ0123456\n");
    assert_eq!(counts, BTreeMap::from([("github-token".to_owned(), 2)]));
}

#[test]
fn pem_block_streamed_line_by_line_keeps_markers() {
    let text = "key:\n  -----BEGIN RSA PRIVATE KEY-----\n  MIIEpAIBAAKCAQEAx1\n  Zm9vYmFy\n  -----END RSA PRIVATE KEY-----\ndone\n";
    let (out, counts) = redact(text);
    assert_eq!(
        out,
        "key:\n  -----BEGIN RSA PRIVATE KEY-----\n  [REDACTED:private-key-1]\n  -----END RSA PRIVATE KEY-----\ndone\n"
    );
    assert_eq!(counts["private-key"], 1);
    // An unterminated block (truncated output) is swallowed to the end, then closed.
    let (out, _) = redact("-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0B\nMIIEvQIBAD\n");
    assert_eq!(out, "-----BEGIN PRIVATE KEY-----\n[REDACTED:private-key-1]\n");
    // CRLF line endings survive.
    let (out, _) = redact("-----BEGIN EC PRIVATE KEY-----\r\nMHcCAQEEIabc\r\n-----END EC PRIVATE KEY-----\r\n");
    assert_eq!(out, "-----BEGIN EC PRIVATE KEY-----\r\n[REDACTED:private-key-1]\r\n-----END EC PRIVATE KEY-----\r\n");
}

#[test]
fn a_begin_marker_without_a_key_swallows_nothing() {
    // Issue 4 #1: a marker in prose, an error message or grep output; the text after it stays.
    let note =
        "The key must start with -----BEGIN PRIVATE KEY-----\nbut ours has a BOM.\nNext: restart k3s at 09:30.\n";
    assert_eq!(redact(note), (note.to_string(), BTreeMap::new()));
    let log = "E1005 tls.go:12] file does not start with \"-----BEGIN RSA PRIVATE KEY-----\"\nE1005 dial tcp 192.168.1.79:6443: connect: connection refused\nI1005 ok\n";
    assert_eq!(redact(log).0, log);
    let grep = "a.key:-----BEGIN EC PRIVATE KEY-----\nb.key:-----BEGIN EC PRIVATE KEY-----\nc.key:-----BEGIN RSA PRIVATE KEY-----\n";
    assert_eq!(redact(grep), (grep.to_string(), BTreeMap::new()));
    // Held lines come back redacted by the other rules; blank lines too.
    let text =
        "-----BEGIN PRIVATE KEY-----\n\nMIIEvQIBADANBgkqhkiG9w0B\npassword=Xy9secretQ done\nAKIAQ7RWFKQ6FTHZQLX2\n";
    assert_eq!(
        redact(text).0,
        "-----BEGIN PRIVATE KEY-----\n\nMIIEvQIBADANBgkqhkiG9w0B\npassword=[REDACTED:password-assignment-1] done\n[REDACTED:aws-key-1]\n"
    );
    // Found by the property test: a blank after the marker stays, and a line is not taken
    // for a prefixed body line because it is as long as the BEGIN line's head.
    let text = "key: value via    0a0a -----BEGIN RSA PRIVATE KEY----- \n Bearer xyzxyz inet NAME inet dev\n";
    assert_eq!(redact(text).0, text);
    // No END within the bound: the lines come back.
    let long = format!("-----BEGIN PRIVATE KEY-----\n{}tail\n", "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo=\n".repeat(1000));
    assert_eq!(redact(&long).0, long);
    for seed in 1..20 {
        assert_eq!(streamed(grep, seed, Some(TINY)), grep, "seed {seed}");
        assert_eq!(streamed(log, seed, Some(TINY)), log, "seed {seed}");
    }
}

#[test]
fn a_key_in_a_log_keeps_its_prefixes_and_line_ends() {
    let p = "Nov 26 10:00:01 n1 k3s[912]: ";
    let text = format!(
        "{p}-----BEGIN PRIVATE KEY-----\n{p}MIIEvQIBADANBgkqhkiG9w0B\n{p}QUJDREVGR0hJSktMTU5PUFFS\n{p}-----END PRIVATE KEY-----\n{p}started\n"
    );
    let want = format!(
        "{p}-----BEGIN PRIVATE KEY-----\n{p}[REDACTED:private-key-1]\n{p}-----END PRIVATE KEY-----\n{p}started\n"
    );
    assert_eq!(redact(&text).0, want);
    assert_eq!(redact(&want).0, want, "redacting twice changes nothing");
    // The same key under other timestamps is the same key.
    let q = "Nov 26 11:59:59 n1 k3s[912]: ";
    let again = text.replace(p, q);
    let (out, _) = redact(&format!("{text}{again}"));
    assert_eq!(out, format!("{want}{}", want.replace(p, q)));
    // A one-line key cut short loses its body, not the line's end.
    let (out, _) = redact("{\"private_key\": \"-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBgkqhkiG9w0B\\nQUJD\n}\n");
    assert!(!out.contains("MIIE") && !out.contains("QUJD") && out.ends_with("[REDACTED:private-key-1]\n}\n"), "{out}");
}

#[test]
fn secret_data_printed_before_its_kind_is_hidden_configmap_data_kept() {
    // Issue 4 #2: kubectl sorts keys; random 16-byte values are what a Secret usually holds.
    let json = "{\n    \"apiVersion\": \"v1\",\n    \"data\": {\n        \"key\": \"mNQpg9l242gyOLGYlavpHw==\",\n        \"n\": \"MTA=\"\n    },\n    \"kind\": \"Secret\",\n    \"metadata\": {\n        \"name\": \"s\"\n    }\n}\n";
    let want = json
        .replace("mNQpg9l242gyOLGYlavpHw==", "[REDACTED:k8s-secret-data-1]")
        .replace("MTA=", "[REDACTED:k8s-secret-data-2]");
    let yaml = "apiVersion: v1\ndata:\n  session-id: mNQpg9l242gyOLGYlavpHw==\n  tls.key: |\n    c2Vzc2lvbg==\nkind: Secret\nmetadata:\n  name: s\ntype: Opaque\n";
    let yaml_want = "apiVersion: v1\ndata:\n  session-id: [REDACTED:k8s-secret-data-1]\n  tls.key: |\n    [REDACTED:k8s-secret-data-2]\nkind: Secret\nmetadata:\n  name: s\ntype: Opaque\n";
    // ConfigMap data stays, even the values a guess would have taken (base64 of text).
    let cm = "apiVersion: v1\ndata:\n  greeting: aGVsbG8gd29ybGQ=\n  key: mNQpg9l242gyOLGYlavpHw==\nkind: ConfigMap\nmetadata:\n  name: c\n";
    let list = format!("apiVersion: v1\nitems:\n{}{}kind: List\n", indent_item(cm), indent_item(yaml));
    let list_want = format!("apiVersion: v1\nitems:\n{}{}kind: List\n", indent_item(cm), indent_item(yaml_want));
    for (input, want) in [(json, want.as_str()), (yaml, yaml_want), (cm, cm), (list.as_str(), list_want.as_str())] {
        assert_eq!(redact(input).0, want);
        for seed in [3, 5, 11] {
            assert_eq!(streamed(input, seed, None), want, "seed {seed}");
        }
    }
    // No kind before the object or the text ends: values are guessed as before.
    let (out, _) = redact("apiVersion: v1\ndata:\n  a: YWRtaW4=\n  port: \"8080\"\n");
    assert_eq!(out, "apiVersion: v1\ndata:\n  a: [REDACTED:k8s-secret-data-1]\n  port: \"8080\"\n");
}

/// A manifest as an item of a YAML list.
fn indent_item(doc: &str) -> String {
    doc.lines().enumerate().map(|(i, l)| format!("{}{l}\n", if i == 0 { "- " } else { "  " })).collect()
}

#[test]
fn url_passwords_keep_user_and_host() {
    let (out, _) = redact("postgres://app:s3cr3t-pw@db:5432/x redis://:pw2@cache:6379 https://u:p%40ss@h/\n");
    assert_eq!(
        out,
        "postgres://app:[REDACTED:url-password-1]@db:5432/x redis://:[REDACTED:url-password-2]@cache:6379 https://u:[REDACTED:url-password-3]@h/\n"
    );
    let (out, _) = redact("amqp://guest:p@ss@rabbit:5672/\n");
    assert_eq!(out, "amqp://guest:[REDACTED:url-password-1]@rabbit:5672/\n");
}

#[test]
fn assignments_in_many_dialects() {
    let cases = [
        ("password=hunter2", "password=[REDACTED:password-assignment-1]"),
        ("\"password\": \"hunter 2\"", "\"password\": \"[REDACTED:password-assignment-1]\""),
        ("{Password:hunter2 User:bob}", "{Password:[REDACTED:password-assignment-1] User:bob}"),
        ("  db_password: two words # note", "  db_password: [REDACTED:password-assignment-1] # note"),
        ("--password hunter2", "--password [REDACTED:password-flag-1]"),
        ("secret=abc", "secret=[REDACTED:secret-assignment-1]"),
        ("clientSecret: 'xYz12345'", "clientSecret: '[REDACTED:secret-assignment-1]'"),
        ("passwd: x", "passwd: [REDACTED:password-assignment-1]"),
        ("api_key=abc123&x=1", "api_key=[REDACTED:secret-assignment-1]&x=1"),
        (
            "https://x-access-token:s3cr3t@github.com/a.git",
            "https://x-access-token:[REDACTED:url-password-1]@github.com/a.git",
        ),
        ("\\\"password\\\":\\\"pw1\\\"", "\\\"password\\\":\\\"[REDACTED:password-assignment-1]\\\""),
        // Kept.
        ("password=${DB_PASSWORD}", "password=${DB_PASSWORD}"),
        ("password: \"\"", "password: \"\""),
        ("password=<REDACTED>", "password=<REDACTED>"),
        ("Rotate token: use the new one", "Rotate token: use the new one"),
        ("max_tokens=256 tokens: 12", "max_tokens=256 tokens: 12"),
        ("password authentication failed for user \"app\"", "password authentication failed for user \"app\""),
        ("checksum/secret: 3f2a9c4e1b7d", "checksum/secret: 3f2a9c4e1b7d"),
        ("existingSecret: db-creds", "existingSecret: db-creds"),
        ("PWD=/home/ops", "PWD=/home/ops"),
        ("require_password: true", "require_password: true"),
    ];
    assert_redacts(&cases);
}

#[test]
fn a_bare_redacted_marker_is_no_secret() {
    let cases = [
        "password=[REDACTED]",
        "DB_PASSWORD: [REDACTED]",
        r#"{"name":"DB_PASSWORD","value":"[REDACTED]"}"#,
        r#"{"data":{"k":"[REDACTED]"},"kind":"Secret"}"#,
        "--token [REDACTED] --api-key [redacted]",
    ];
    for text in cases {
        let (out, counts) = redact(text);
        assert_eq!((out.as_str(), counts.len()), (text, 0), "{text}");
    }
}

#[test]
fn a_k3s_token_leaves_the_punctuation_around_it() {
    let t = "K104471c2daa51877cb7549a8bf20f5d61d41c05a4f1f9c99c1e6a57f41f2f0cc1c";
    assert_redacts(&[
        (&format!("join ({t}::server:s3cret), then\n"), "join ([REDACTED:k3s-token-1]), then\n"),
        (&format!("K3S_TOKEN={t}::server:pw; echo done\n"), "K3S_TOKEN=[REDACTED:k3s-token-1]; echo done\n"),
        // Glued, `;echo` may be the rest of the key's value (a password may hold `;`): hidden.
        (&format!("K3S_TOKEN={t}::server:pw;echo done\n"), "K3S_TOKEN=[REDACTED:k3s-token-1] done\n"),
        (&format!("<{t}::node:abc>\n"), "<[REDACTED:k3s-token-1]>\n"),
        (&format!("{t}::node:Leveling-agent_2025.secret!\n"), "[REDACTED:k3s-token-1]\n"),
    ]);
}

#[test]
fn headers_and_schemes() {
    let cases = [
        ("> Authorization: Bearer abc.def-ghi", "> Authorization: Bearer [REDACTED:bearer-1]"),
        ("Authorization: Digest username=\"u\", response=\"9f\"", "Authorization: [REDACTED:auth-header-1]"),
        (
            "authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/2025",
            "authorization: AWS4-HMAC-SHA256 [REDACTED:auth-header-1]",
        ),
        ("Authorization: Basic YWRtaW46aHVudGVyMg==", "Authorization: Basic [REDACTED:basic-auth-1]"),
        ("WWW-Authenticate: Bearer realm=\"api\"", "WWW-Authenticate: Bearer realm=\"api\""),
        ("Basic authentication failed", "Basic authentication failed"),
        ("curl -u admin:pw1 http://x", "curl -u admin:[REDACTED:basic-auth-1] http://x"),
        ("kubectl --token=abc123 get pods", "kubectl --token=[REDACTED:token-flag-1] get pods"),
        ("kubectl --token abc123 get pods", "kubectl --token [REDACTED:token-flag-1] get pods"),
        ("msg=\"--token is required\"", "msg=\"--token is required\""),
        ("kubeadm join --token-ttl 0 x", "kubeadm join --token-ttl 0 x"),
    ];
    assert_redacts(&cases);
}

#[test]
fn httpie_auth_keeps_the_user() {
    let cases = [
        ("http --auth alice:S3cretPw example.org", "http --auth alice:[REDACTED:basic-auth-1] example.org"),
        // Already `secret-assignment` (it starts first), user and all.
        ("http --auth=alice:S3cretPw example.org", "http --auth=[REDACTED:secret-assignment-1] example.org"),
        ("http -a alice:S3cretPw example.org", "http -a alice:[REDACTED:basic-auth-1] example.org"),
        ("xh POST api.test -a 'alice:S3cretPw'", "xh POST api.test -a 'alice:[REDACTED:basic-auth-1]'"),
        ("grep -a ERROR:timeout app.log", "grep -a ERROR:timeout app.log"),
        ("http example.org | grep -a ERROR:timeout", "http example.org | grep -a ERROR:timeout"),
        ("http --auth-type=digest example.org", "http --auth-type=digest example.org"),
        ("see http://x -a mode:fast", "see http://x -a mode:fast"),
    ];
    assert_redacts(&cases);
}

#[test]
fn config_disables_and_extends_rules() {
    let cfg: RedactConfig = toml::from_str(
        r#"
        disable = ["aws-key"]
        [[rules]]
        name = "acme-key"
        pattern = 'acme_[a-z0-9]{8}'
        keywords = ["acme_"]
        [[rules]]
        name = "ticket-pin"
        pattern = 'PIN (\d{4})'
        "#,
    )
    .unwrap();
    let rules = Rules::from_config(&cfg).unwrap();
    let (out, counts, _) = redact_with(&rules, "AKIAIOSFODNN7EXAMPL2 acme_1234abcd PIN 4321\n");
    assert_eq!(out, "AKIAIOSFODNN7EXAMPL2 [REDACTED:acme-key-1] PIN [REDACTED:ticket-pin-1]\n");
    assert_eq!(counts.len(), 2);
    assert!(!rules.names().contains(&"aws-key"));
}

#[test]
fn quick_check_is_a_cheap_maybe() {
    let rules = Rules::builtin();
    assert!(!quick_check(rules, "I1005 08:02:20 kubelet started\nall good\n"));
    assert!(quick_check(rules, "export GITHUB_TOKEN=x"));
    assert!(quick_check(rules, "apiVersion: v1\ndata:\n  a: YWRtaW4=\n"));
    assert!(quick_check(rules, "KIND: SECRET"));
}

#[test]
fn a_note_without_secrets_compiles_no_regex() {
    let rules = Rules::from_config(&RedactConfig::default()).unwrap();
    let note = "Restarted coredns on node1 after the flannel lease renewed; pods are Running again.";
    let start = std::time::Instant::now();
    let out = Redactor::new(&rules, Numbering::with_key(KEY)).redact(note);
    let took = start.elapsed();
    assert_eq!(out, note);
    assert_eq!(rules.compiled_count(), 0);
    eprintln!("note redaction (debug build, rules already built): {took:?}");
}

#[test]
fn the_faster_automaton_finds_the_same_secrets() {
    let rules = Rules::from_config(&RedactConfig::default()).unwrap();
    let text = fs::read_to_string(fixture_dir("secrets").join("tokens-log.txt")).unwrap();
    let mut numbering = Numbering::with_key(KEY);
    let before = Redactor::new(&rules, &mut numbering).redact(&text);
    assert!(!rules.switched_to_dfa());
    let filler = "I1005 08:05:10.000001 1042 subnet.go:152] flannel: lease acquired\n".repeat(80_000);
    Redactor::new(&rules, &mut numbering).redact(&filler);
    assert!(rules.switched_to_dfa());
    let after = Redactor::new(&rules, &mut numbering).redact(&text);
    assert_eq!(before, after);
}
