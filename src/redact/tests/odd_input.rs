//! Input that is not tidy text: line endings split between pieces, binary, huge and
//! endless lines.

use super::*;

#[test]
fn crlf_split_between_pieces_is_one_ending() {
    let text = "a: |\r\n  x\r\npassword: |\r\n  hunter2\r\nb: 1\r\n";
    let (whole, _) = redact(text);
    for cut in 1..text.len() {
        let mut r = Redactor::new(Rules::builtin(), Numbering::with_key(KEY));
        let mut out = String::new();
        r.push_line(&text[..cut], &mut out);
        r.push_line(&text[cut..], &mut out);
        r.finish(&mut out);
        assert_eq!(out, whole, "cut at {cut}");
    }
    assert_eq!(whole, "a: |\r\n  x\r\npassword: |\r\n  [REDACTED:password-assignment-1]\r\nb: 1\r\n");
}

#[test]
fn odd_input_does_not_panic() {
    let (out, counts) = redact("");
    assert!(out.is_empty() && counts.is_empty());
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    const PIECES: &[&str] = &[
        "password",
        "=",
        ": ",
        "\"",
        "'",
        "\\\"",
        "\n",
        "\r\n",
        " ",
        "-----BEGIN RSA PRIVATE KEY-----",
        "-----END RSA PRIVATE KEY-----",
        "data:",
        "  ",
        "kind: Secret",
        "{\"data\":{",
        "}",
        "token",
        "Bearer ",
        "Authorization:",
        "://u:",
        "@",
        "ghp_",
        "AKIA",
        "é",
        "\u{fffd}",
        "日本",
        "\t",
        "|",
        "--token",
        "-p",
        "mysql",
        "eyJhbGciOiJIUzI1NiJ9.",
        "xoxb-",
        "${X}",
        "[REDACTED:x-1]",
        "\0",
        "stringData:",
        "apiVersion: v1",
        "- ",
        "cookie: ",
        "pass:",
        "YWRtaW4=",
    ];
    // A fixed budget for CI; REDACT_FUZZ_CASES=100000 for a longer run by hand.
    let cases: u64 = std::env::var("REDACT_FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(400);
    for case in 0..cases {
        let mut text = String::new();
        let n = (rng.next() % 60) as usize;
        for _ in 0..n {
            if rng.next().is_multiple_of(4) {
                let bytes: Vec<u8> = (0..(rng.next() % 12)).map(|_| rng.next() as u8).collect();
                text.push_str(&String::from_utf8_lossy(&bytes));
            } else {
                text.push_str(PIECES[(rng.next() % PIECES.len() as u64) as usize]);
            }
        }
        // Secrets planted between spaces survive no context the noise builds around them.
        let planted = rng.next().is_multiple_of(3);
        if planted {
            let at = (rng.next() as usize % (text.len() + 1)..=text.len())
                .find(|i| text.is_char_boundary(*i))
                .unwrap_or(text.len());
            text.insert_str(at, PLANTED);
        }
        let (whole, _) = redact(&text);
        let pieces = streamed(&text, case + 1, None);
        assert_eq!(whole, pieces, "case {case}: {text:?}");
        let tiny = streamed(&text, case + 3, Some(TINY));
        if planted {
            for secret in PLANTED_SECRETS {
                assert!(!whole.contains(secret), "case {case}: {secret} in {whole:?}");
                assert!(!tiny.contains(secret), "case {case}: {secret} in {tiny:?}");
            }
        }
    }
}

const PLANTED: &str = " ghp_Zq8Wm2Xv7Kp4Lr9Tn3Bc6Hd1Fg5Js0Ay2Eu8 AKIAQ7RWFKQ6FTHZQLX2 \n-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEAplantedBody\nQ2hlY2tzdW1QbGFudGVk\n-----END RSA PRIVATE KEY-----\n";
const PLANTED_SECRETS: &[&str] =
    &["Zq8Wm2Xv7Kp4Lr9Tn3Bc6Hd1Fg5Js0Ay2Eu8", "Q7RWFKQ6FTHZQLX2", "plantedBody", "Q2hlY2tzdW1QbGFudGVk"];

#[test]
fn a_megabyte_line_is_fine() {
    let mut line = "x".repeat(1 << 20);
    line.push_str(" token=abcdef123456\n");
    let (out, _) = redact(&line);
    assert!(out.ends_with(" token=[REDACTED:secret-assignment-1]\n"));
    let many = "password=a ".repeat(100_000);
    let (out, counts) = redact(&many);
    assert_eq!(counts["password-assignment"], 100_000);
    assert!(!out.contains("=a "));
}

#[test]
fn an_endless_line_streams_in_bounded_memory() {
    // 8 MiB of one line in 8 KiB pieces, with secrets at awkward places (one straddles
    // a piece boundary, one is longer than the hold limit).
    let rules = Rules::builtin();
    let mut r = Redactor::new(rules, Numbering::with_key(KEY));
    let chunk = "abc ".repeat(2048);
    let secret = "ghp_0123456789abcdefghijABCDEFGHIJ0123456";
    let mut out = String::new();
    let mut max_pending = 0;
    for i in 0..1024 {
        let mut piece = chunk.clone();
        if i % 100 == 7 {
            // Straddles this piece and the next.
            piece.truncate(piece.len() - 12);
            piece.push_str(&secret[..10]);
            r.push_line(&piece, &mut out);
            r.push_line(&secret[10..], &mut out);
            continue;
        }
        r.push_line(&piece, &mut out);
        max_pending = max_pending.max(r.pending_len());
    }
    r.push_line("\n", &mut out);
    r.finish(&mut out);
    assert!(!out.contains("ghp_0123"), "a token survived");
    assert!(!out.contains("IJ0123456"), "a token's tail survived");
    assert_eq!(r.counts()["github-token"], 11);
    assert!(max_pending < 600 * 1024, "pending grew to {max_pending}");
    // A secret longer than the hold limit (an Authorization header of 300 KiB).
    let mut r = Redactor::new(rules, Numbering::with_key(KEY));
    let mut out = String::new();
    r.push_line("Authorization: Bearer ", &mut out);
    for _ in 0..300 {
        r.push_line(&"Zm9v".repeat(256), &mut out);
    }
    r.push_line(" after\n", &mut out);
    r.finish(&mut out);
    assert_eq!(out, "Authorization: Bearer [REDACTED:bearer-1] after\n");
}
