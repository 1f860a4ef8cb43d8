//! Bad input: binary, invalid UTF-8, huge lines, empty input, and the memory caps.

use crate::extract::facts::{MAX_ERRORS, MAX_IPS};
use crate::extract::{Extractor, Hint, extract};

#[test]
fn empty_and_blank_input() {
    for hint in Hint::ALL {
        assert!(extract("", hint).is_empty());
        assert!(extract("\n\n   \n\t\r\n", hint).is_empty());
    }
}

#[test]
fn binary_and_invalid_utf8_converted_lossily() {
    let mut bytes: Vec<u8> = (0..=255u8).cycle().take(64 * 1024).collect();
    bytes.extend_from_slice(b"\xff\xfe10.1.2.3 \xc3\x28 dial tcp 10.43.0.1:443: connect: connection refused\n");
    let text = String::from_utf8_lossy(&bytes);
    for hint in Hint::ALL {
        let f = extract(&text, hint);
        if hint == Hint::Auto || hint == Hint::Log {
            assert_eq!(f.errors.len(), 1);
            assert_eq!(f.errors[0].endpoint.as_deref(), Some("10.43.0.1:443"));
        }
        assert!(f.ipv4.contains(&"10.43.0.1".to_string()));
    }
}

#[test]
fn one_megabyte_lines() {
    let long_word = "x".repeat(1 << 20);
    let dotted = "1.".repeat(1 << 19);
    let colons = "a:".repeat(1 << 19);
    let err = format!("{} connection refused", "k ".repeat(1 << 19));
    for line in [&long_word, &dotted, &colons, &err] {
        let f = extract(line, Hint::Auto);
        assert!(f.pods.is_empty() && f.interfaces.is_empty());
        for e in &f.errors {
            assert!(e.text.len() <= crate::extract::facts::MAX_ERROR_TEXT + '…'.len_utf8());
        }
    }
    assert_eq!(extract(&err, Hint::Auto).errors.len(), 1);
}

#[test]
fn caps_bound_memory_and_set_truncated() {
    let mut x = Extractor::new(Hint::Auto);
    for i in 0..(MAX_ERRORS as u32 + 500) {
        let ip = std::net::Ipv4Addr::from(0x0a00_0001 + i * 7);
        x.feed_line(&format!("dial tcp {ip}:443: connect: connection refused"));
    }
    for i in 0..(MAX_IPS as u32 + 10) {
        x.feed_line(&format!("peer {}", std::net::Ipv4Addr::from(0x0b00_0001 + i)));
    }
    let f = x.finish();
    assert_eq!(f.errors.len(), MAX_ERRORS);
    assert_eq!(f.ipv4.len(), MAX_IPS);
    assert!(f.truncated);
    assert!(f.summary().ends_with(" (truncated)"));
    assert_eq!(serde_json::to_value(&f).unwrap()["truncated"], true);
}

#[test]
fn restarts_total_stays_exact_past_nothing_dropped() {
    let mut x = Extractor::new(Hint::Pods);
    x.feed_line("NAMESPACE NAME READY STATUS RESTARTS AGE");
    for i in 0..5000 {
        x.feed_line(&format!("ns pod-{i} 0/1 CrashLoopBackOff 1234 3d"));
    }
    let f = x.finish();
    assert_eq!(f.pods.len(), 5000);
    assert_eq!(f.restarts_total, Some(5000 * 1234));
    assert!(!f.truncated);
}

/// Sweeps many small mutations of real fixtures through every hint: no panics.
#[test]
fn mutated_fixtures_never_panic() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/extract");
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let junk = ["(", ")", "/", ":", "::", ".", "<none>", "\t", "ago)", "[REDACTED]", "é", "0/1", "255."];
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("txt") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        for _ in 0..40 {
            let mut t = text.clone();
            for _ in 0..8 {
                let mut at = (next() as usize) % (t.len() + 1);
                while !t.is_char_boundary(at) {
                    at -= 1;
                }
                if next() % 2 == 0 {
                    t.insert_str(at, junk[(next() as usize) % junk.len()]);
                } else {
                    let mut end = (at + (next() as usize) % 8).min(t.len());
                    while !t.is_char_boundary(end) {
                        end -= 1;
                    }
                    t.replace_range(at..end, "");
                }
            }
            for hint in Hint::ALL {
                let _ = extract(&t, hint).summary();
            }
        }
    }
}

/// Lines assembled from the tokens every parser keys on, glued by odd whitespace: the
/// kind of soup that found the form-feed slicing bug. No panics, under every hint.
#[test]
fn token_soup_never_panics() {
    const TOKENS: [&str; 44] = [
        "NAME",
        "NAMESPACE",
        "READY",
        "STATUS",
        "RESTARTS",
        "AGE",
        "ROLES",
        "VERSION",
        "0/1",
        "Running",
        "Ready",
        "NotReady",
        "(",
        "5",
        "(15h",
        "ago)",
        "3d",
        "v1.2",
        "<none>",
        "é",
        "abé",
        "2:",
        "eth0:",
        "flags=4163<UP>",
        "Link",
        "encap:Ethernet",
        "inet",
        "inet6",
        "addr:",
        "1.2.3.4/24",
        "Mask:255.255.255.0",
        "netmask",
        "0xffffff00",
        "prefixlen",
        "fe80::1/64",
        "default",
        "via",
        "dev",
        "Loop",
        "->",
        "Query:",
        "\"",
        "dial tcp 10.0.0.1:443:",
        "99999999999999999999",
    ];
    const GLUE: [&str; 6] = [" ", "\t", "\x0c", "\u{a0}", "", "   "];
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed as usize
    };
    let mut text = String::new();
    for _ in 0..4000 {
        for _ in 0..(1 + next() % 10) {
            text.push_str(GLUE[next() % GLUE.len()]);
            text.push_str(TOKENS[next() % TOKENS.len()]);
        }
        text.push('\n');
    }
    for hint in Hint::ALL {
        let _ = extract(&text, hint).summary();
    }
}
