//! Escaping for the HTML, attribute and script contexts the site writes into.

use pulldown_cmark_escape::{FmtWriter, escape_html};

/// Appends `text` escaped for HTML text and double-quoted attributes (`& < > "`).
pub fn escape_into(out: &mut String, text: &str) {
    // Writing into a String cannot fail.
    let _ = escape_html(FmtWriter(out), text);
}

/// `text` escaped for HTML text and double-quoted attributes.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    escape_into(&mut out, text);
    out
}

/// JSON made safe to embed anywhere a script could read it: `<`, `>` and `&` become
/// `\u003c` etc., so `</script>` and `<!--` can never appear in the text.
pub fn script_safe_json(json: &str) -> String {
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

/// Characters XML 1.0 forbids even when escaped (most C0 controls): dropped, so a title
/// holding a terminal escape sequence cannot make the feed unreadable. Bidi embedding,
/// override and isolate controls go too: a U+202E before `txt.exe` must not make it read `exe.txt`.
pub fn xml_safe(text: &str) -> String {
    text.chars().filter(|&c| !is_dropped(c)).collect()
}

fn is_dropped(c: char) -> bool {
    let bidi = matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
    bidi || (!matches!(c, '\t' | '\n' | '\r') && (c < ' ' || c == '\u{fffe}' || c == '\u{ffff}'))
}

/// `text` without the controls [`xml_safe`] drops (ESC, `\x01`, …), unchanged and not
/// copied when it has none: what goes into a page must not carry terminal escapes.
pub fn without_controls(text: String) -> String {
    if has_dropped(text.as_bytes()) { xml_safe(&text) } else { text }
}

/// Whether [`is_dropped`] holds for a character of `bytes` (UTF-8), looking at bytes only:
/// whole pages go through here, and most hold typographic characters (`—`, `…`) that share
/// their first byte with the bidi controls.
fn has_dropped(bytes: &[u8]) -> bool {
    let c0 = |b: u8| (b < b' ') & (b != b'\t') & (b != b'\n') & (b != b'\r');
    // Whole chunks folded without an early exit, so the compiler can vectorise the loop.
    if bytes.chunks(64).any(|c| c.iter().fold(false, |seen, &b| seen | c0(b))) {
        return true;
    }
    // U+202A–E and U+2066–9 are E2 80 AA–AE and E2 81 A6–A9; U+FFFE/F are EF BF BE/BF.
    memchr::memchr2_iter(0xE2, 0xEF, bytes).any(|i| {
        matches!(
            bytes.get(i..i + 3),
            Some([0xE2, 0x80, 0xAA..=0xAE] | [0xE2, 0x81, 0xA6..=0xA9] | [0xEF, 0xBF, 0xBE..=0xBF])
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_each_context() {
        assert_eq!(escape("<a href=\"x\">&</a>"), "&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;");
        let json = serde_json::to_string("</script><!-- & \u{2028}").unwrap();
        let safe = script_safe_json(&json);
        assert!(!safe.contains('<') && !safe.contains('>') && !safe.contains('&'), "{safe}");
        let back: String = serde_json::from_str(&safe).unwrap();
        assert_eq!(back, "</script><!-- & \u{2028}");
        assert_eq!(xml_safe("a\x1b[31mb\x00c\td"), "a[31mbc\td");
        assert_eq!(without_controls("a\x1b[31mb\x01c\td\n".to_string()), "a[31mbc\td\n");
        assert_eq!(without_controls("plain\n".to_string()), "plain\n");
        assert_eq!(
            without_controls("a\u{feff}b\u{fffe}c\u{ffff}".to_string()),
            "a\u{feff}bc",
            "0xEF starts both kinds"
        );
        assert_eq!(
            without_controls("report\u{202e}fdp.exe \u{2067}x\u{2069} “quoted” — ok".to_string()),
            "reportfdp.exe x “quoted” — ok",
            "bidi controls go, other characters of 0xE2 stay"
        );
    }

    #[test]
    fn the_byte_scan_finds_exactly_the_dropped_characters() {
        // Every character of the planes the scan has to tell apart, and one on each side.
        let ranges = ['\0'..='\u{7f}', '\u{2000}'..='\u{20ff}', '\u{fe00}'..='\u{ffff}', '\u{10000}'..='\u{10010}'];
        for c in ranges.into_iter().flatten() {
            let text = format!("ab—{c}…");
            assert_eq!(has_dropped(text.as_bytes()), is_dropped(c), "{:?}", c);
        }
    }
}
