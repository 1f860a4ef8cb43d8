//! Property tests for the parsers that read hostile input: the frontmatter reader,
//! the `--at` parser, every extractor and the redactor. A fixed case budget keeps
//! CI bounded (PROPTEST_CASES raises it locally); failures found become unit tests.

use proptest::prelude::*;

use crate::clock::Clock;
use crate::extract::{Extractor, Hint, extract};
use crate::frontmatter;
use crate::model::StepMeta;
use crate::redact::{Numbering, Redactor, Rules};

fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(512);
    ProptestConfig { cases, failure_persistence: None, ..ProptestConfig::default() }
}

/// Text that looks like what people paste: table rows, YAML, log lines, junk.
fn pasted() -> impl Strategy<Value = String> {
    let token = prop_oneof![
        Just("NAMESPACE".to_string()),
        Just("NAME".to_string()),
        Just("READY".to_string()),
        Just("STATUS".to_string()),
        Just("RESTARTS".to_string()),
        Just("1/1".to_string()),
        Just("CrashLoopBackOff".to_string()),
        Just("5 (15h ago)".to_string()),
        Just("inet".to_string()),
        Just("192.168.1.79/24".to_string()),
        Just("netmask 255.255.255.0".to_string()),
        Just("default via".to_string()),
        Just("dev".to_string()),
        Just("---".to_string()),
        Just("key: value".to_string()),
        Just("password=".to_string()),
        Just("Bearer".to_string()),
        Just("-----BEGIN RSA PRIVATE KEY-----".to_string()),
        Just("plugin/loop: Loop (127.0.0.1:53 -> :53) detected".to_string()),
        Just("\t".to_string()),
        Just("\n".to_string()),
        Just("  ".to_string()),
        "[ -~]{0,12}",
        any::<String>(),
    ];
    prop::collection::vec(token, 0..40).prop_map(|parts| parts.join(" "))
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn frontmatter_reader_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..400), text in pasted()) {
        for input in [bytes.clone(), format!("---\n{text}\n---\n{text}").into_bytes()] {
            if let Ok(text) = frontmatter::normalize(&input) {
                let _ = frontmatter::parse::<StepMeta>(&text);
                let _ = frontmatter::parse::<serde_json::Value>(&text);
            }
        }
    }

    #[test]
    fn frontmatter_round_trips_any_text(title in any::<String>(), body in any::<String>()) {
        let mut map = std::collections::BTreeMap::new();
        map.insert("title".to_string(), title.clone());
        let text = frontmatter::render(&map, &body);
        let (back, rest): (std::collections::BTreeMap<String, String>, &str) = frontmatter::parse(&text).unwrap();
        prop_assert_eq!(&back["title"], &title);
        prop_assert_eq!(rest.trim_end_matches('\n'), body.trim_end_matches('\n'));
    }

    #[test]
    fn at_parser_never_panics(text in "[0-9a-z :+\\-TZ]{0,30}", any_text in any::<String>()) {
        let clock = Clock::from_env_value(Some("2025-10-05T09:30:00-05:00")).unwrap();
        for input in [&text, &any_text] {
            if let Ok(t) = clock.parse_at(input) {
                // Whatever it accepts is a real time it can print and read back.
                prop_assert_eq!(clock.parse_at(&t.to_rfc3339()).unwrap(), t);
            }
        }
    }

    #[test]
    fn extractors_never_panic_and_stream_like_whole(text in pasted()) {
        for hint in Hint::ALL {
            let whole = extract(&text, hint);
            let mut streamed = Extractor::new(hint);
            for line in text.split('\n') {
                streamed.feed_line(line);
            }
            prop_assert_eq!(streamed.finish(), whole);
        }
    }

    #[test]
    fn redactor_never_panics_is_idempotent_and_hides_planted_secrets(text in pasted(), cut in 1usize..64) {
        let rules = Rules::builtin();
        let secret = "ghp_Zq3xT9Lm2Vb8Rk4Wn6Yc1Hd5Jf7Gs0Pa2Qe4";
        let input = format!("{text}\nexport GITHUB_TOKEN={secret}\n{text}");
        let once = Redactor::new(rules, Numbering::default()).redact(&input);
        prop_assert!(!once.contains(secret));
        let twice = Redactor::new(rules, Numbering::default()).redact(&once);
        prop_assert_eq!(&twice, &once);
        // Streaming in arbitrary pieces gives the same text.
        let mut streamed = String::new();
        let mut r = Redactor::new(rules, Numbering::default());
        let chars: Vec<char> = input.chars().collect();
        for piece in chars.chunks(cut) {
            r.push_line(&piece.iter().collect::<String>(), &mut streamed);
        }
        r.finish(&mut streamed);
        prop_assert!(!streamed.contains(secret));
    }
}
