//! A secret flag and its value on two lines of a YAML list or a pretty JSON array.

use super::{TINY, redact, streamed};

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
        "- --password\n\n- hunter2x\n",
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
