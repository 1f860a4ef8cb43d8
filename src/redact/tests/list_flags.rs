//! A secret flag and its value on two lines of a YAML list or a pretty JSON array.

use super::{TINY, assert_redacts, redact, streamed};

#[test]
fn a_flag_value_on_the_next_list_line_goes() {
    let yaml = "args:\n- --password\n- S3cretValue99\n- --token\n- \"abc123tokenvalue\"\n- --api-key\n- 'Zx9 vQ2''m'\n";
    let (out, counts) = redact(yaml);
    assert_eq!(
        out,
        "args:\n- --password\n- [REDACTED:password-flag-1]\n- --token\n- \"[REDACTED:token-flag-1]\"\n- --api-key\n- '[REDACTED:secret-flag-1]'\n"
    );
    assert_eq!(counts.values().sum::<u64>(), 3);
    let json = "  \"args\": [\n    \"--api-key\",\n    \"Zx9vQ2mL7pR4tK8wN3bY6cR7\"\n  ],\n  \"x\": [\"--db-password\",\n    \"S3cretValue99\", \"y\"]\n";
    let want = "  \"args\": [\n    \"--api-key\",\n    \"[REDACTED:secret-flag-1]\"\n  ],\n  \"x\": [\"--db-password\",\n    \"S3cretValue99\", \"y\"]\n";
    assert_eq!(redact(json).0, want);
    // The same, whatever pieces it arrives in.
    for seed in 1..20 {
        assert_eq!(streamed(json, seed, Some(TINY)), want);
    }
    // Same secret, same placeholder as the one-line form.
    let (out, _) = redact("--password S3cretValue99\n  - --password\n  - S3cretValue99\n");
    assert_eq!(out, "--password [REDACTED:password-flag-1]\n  - --password\n  - [REDACTED:password-flag-1]\n");
}

#[test]
fn only_a_lone_flag_element_then_a_lone_element_of_the_same_list() {
    let keeps = [
        // Not a secret flag, or what the one-line rules keep.
        "- --namespace\n- kube-system\n",
        "- --token-ttl\n- 24h\n",
        "- --password-stdin\n- x\n",
        "- --tls-secret\n- web-tls\n",
        "- --credentials\n- ~/.config/creds.json\n",
        "- --password\n- $(DB_PASSWORD)\n",
        "- --password\n- --verbose\n",
        "\"--token\",\n\"${TOKEN}\"\n",
        // Not right after, not the same list, not an element.
        "- --password\nnote: x\n- hunter2x\n",
        "- --password\n---\n- hunter2x\n",
        "- --password\n# note\n  - hunter2x\n",
        "- --password\n- # hunter2x\n",
        "- --password\n# - hunter2x\n\n- --verbose\n",
        "- --token-ttl\n\n# hours\n- 24h\n",
        "  - --password\n- hunter2x\n",
        "- --password\n  \"hunter2x\"\n",
        "- --password\n- name: hunter2x\n",
        "    \"--api-key\"\n    \"Zx9vQ2mL7pR4\"\n",
        "    \"--api-key\",\n    42\n",
        "--password\nhunter2x\n",
        "- run --password\n- hunter2x\n",
    ];
    for text in keeps {
        assert_eq!(redact(text).0, text);
    }
}

#[test]
fn blank_and_comment_lines_between_flag_and_value_are_skipped() {
    let yaml = "args:\n  - --password\n  # db pass, from vault\n\n  - S3cretValue99\n  - --api-key\n  \t\n      # indented comment\n  - 'Zx9 vQ2''m'\n";
    let want = "args:\n  - --password\n  # db pass, from vault\n\n  - [REDACTED:password-flag-1]\n  - --api-key\n  \t\n      # indented comment\n  - '[REDACTED:secret-flag-1]'\n";
    let json = "  \"args\": [\n    \"--api-key\",\n\n    \"Zx9vQ2mL7pR4tK8wN3bY6cR7\"\n  ]\n";
    let json_want = "  \"args\": [\n    \"--api-key\",\n\n    \"[REDACTED:secret-flag-1]\"\n  ]\n";
    let crlf = "- --token\r\n\r\n# t\r\n- abc123tokenvalue\r\n";
    let crlf_want = "- --token\r\n\r\n# t\r\n- [REDACTED:token-flag-1]\r\n";
    for (input, want) in [(yaml, want), (json, json_want), (crlf, crlf_want)] {
        assert_eq!(redact(input).0, want);
        assert_eq!(redact(want).0, want, "redacting twice changes nothing");
        for seed in 1..20 {
            assert_eq!(streamed(input, seed, Some(TINY)), want, "seed {seed}");
        }
    }
}

#[test]
fn a_flag_and_its_value_over_a_line_continuation() {
    assert_redacts(&[
        (
            "mysql -h db --password \\\n   S3cretPw -e 'select 1'\n",
            "mysql -h db --password \\\n   [REDACTED:password-flag-1] -e 'select 1'\n",
        ),
        (
            "$ docker login -u ci --password \\\n    S3cretPw registry.example.com\n",
            "$ docker login -u ci --password \\\n    [REDACTED:password-flag-1] registry.example.com\n",
        ),
        (
            "vendor-cli --api-key \\\n  Zx9kQ2mW7vB \\\n  --region eu\n",
            "vendor-cli --api-key \\\n  [REDACTED:secret-flag-1] \\\n  --region eu\n",
        ),
        (
            "kubeadm join 10.0.0.1:6443 \\\n  --token \\\n  abcdef.0123456789abcdef\n",
            "kubeadm join 10.0.0.1:6443 \\\n  --token \\\n  [REDACTED:token-flag-1]\n",
        ),
        ("mysql -u root \\\n  -pS3cretPw app\n", "mysql -u root \\\n  -p[REDACTED:password-flag-1] app\n"),
        (
            "kubectl create secret generic x --from-literal=password=\\\nS3cretPw\n",
            "kubectl create secret generic x --from-literal=password=\\\n[REDACTED:password-assignment-1]\n",
        ),
        // A value cut by the continuation: the part on the next line goes too.
        ("DB_PASS=Xy9\\\nQq7z\n", "DB_PASS=[REDACTED:password-assignment-1]\n[REDACTED:password-assignment-2]\n"),
        // Kept: the next line is another flag, or no flag comes before it.
        ("mysql --password \\\n  --host db\n", "mysql --password \\\n  --host db\n"),
        ("ls -la \\\n  S3cretPw\n", "ls -la \\\n  S3cretPw\n"),
    ]);
}
