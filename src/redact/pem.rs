//! PEM private keys: finding the `-----END … PRIVATE KEY-----` that closes a block, telling a
//! key's body from other text (a marker quoted in an error message opens nothing), and a
//! fingerprint of the body so the same key gets the same placeholder without keeping it.

use sha2::{Digest, Sha256};

use hex::encode as hex;

/// Offset of the `-----END … PRIVATE KEY-----` marker in `text`, if any.
pub(crate) fn find_end(text: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = text[from..].find("-----END ") {
        let start = from + i;
        let after = &text[start + 9..];
        if let Some(j) = after.find("-----") {
            let label = &after[..j];
            if label.len() <= 48 && (label.ends_with("PRIVATE KEY") || label.ends_with("PRIVATE KEY BLOCK")) {
                return Some(start);
            }
        }
        from = start + 1;
    }
    None
}

/// A block with no END within this much text is not a key (a 4096-bit RSA key is ~3.3 KB,
/// a PGP key block with subkeys ~8 KB): its lines are given back.
pub(crate) const MAX_BODY: usize = 32 * 1024;

/// A base64 character.
pub(crate) fn is_b64(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=')
}

/// RFC 1421 / OpenPGP armour headers that may stand between the BEGIN marker and the body.
const HEADERS: &[&str] = &["Proc-Type:", "DEK-Info:", "Version:", "Comment:", "Hash:", "Charset:"];

/// Can `line` (without its ending) stand inside a PEM block? Where its body starts, if so:
/// 0 for a plain line (base64, an armour header, blank, our own placeholder); the prefix's
/// length when the line starts like the BEGIN line's log prefix `prefix` (`a.key:`,
/// `Nov 26 10:00:01 host k3s[9]: `: the same bytes, digits for digits) before such text.
pub(crate) fn body_start(line: &str, prefix: &str) -> Option<usize> {
    let ok = |t: &str| {
        let t = t.trim();
        t.bytes().all(is_b64) || HEADERS.iter().any(|h| t.starts_with(h)) || super::held::is_own_placeholder(t)
    };
    if ok(line) {
        return Some(0);
    }
    let n = prefix.len();
    let head = line.as_bytes().get(..n)?;
    let alike = head.iter().zip(prefix.as_bytes()).all(|(a, b)| a == b || (a.is_ascii_digit() && b.is_ascii_digit()));
    (n > 0 && alike && line.is_char_boundary(n) && ok(&line[n..])).then_some(n)
}

/// Length of the leading part of `text` that can be a key body written inside one line: base64,
/// blanks, `\n` escapes (JSON strings), and the `-`, `:`, `,` of armour headers.
pub(crate) fn body_run(text: &str) -> usize {
    text.bytes()
        .position(|b| !(is_b64(b) || matches!(b, b' ' | b'\t' | b'\r' | b'\\' | b'-' | b':' | b',')))
        .unwrap_or(text.len())
}

/// Is `body` (between a BEGIN and an END marker on one line) a key body rather than words
/// (`-----BEGIN PRIVATE KEY----- and -----END PRIVATE KEY----- lines`)?
pub(crate) fn is_inline_body(body: &str) -> bool {
    body_run(body) == body.len() && body.bytes().filter(u8::is_ascii_alphanumeric).count() >= 16
}

/// Hashes a key body as it streams by, line after line.
#[derive(Clone, Default)]
pub(crate) struct BodyHash {
    hasher: Sha256,
    bytes: u64,
}

impl BodyHash {
    /// Feeds the base64 characters of `chunk`; line breaks, indentation and JSON `\n`
    /// escapes are left out, so a key pasted in YAML and in JSON hashes the same.
    pub fn feed(&mut self, chunk: &str) {
        let b = chunk.as_bytes();
        let mut i = 0;
        let mut run = 0;
        while i < b.len() {
            let c = b[i];
            if c == b'\\' && matches!(b.get(i + 1), Some(b'n' | b'r' | b't')) {
                self.flush(&b[run..i]);
                i += 2;
                run = i;
                continue;
            }
            if !(c.is_ascii_alphanumeric() || matches!(c, b'+' | b'/' | b'=')) {
                self.flush(&b[run..i]);
                run = i + 1;
            }
            i += 1;
        }
        self.flush(&b[run..]);
    }

    fn flush(&mut self, bytes: &[u8]) {
        self.hasher.update(bytes);
        self.bytes += bytes.len() as u64;
    }

    pub fn is_empty(&self) -> bool {
        self.bytes == 0
    }

    /// The identity handed to `Placeholders`: a digest, never the key.
    pub fn identity(&self) -> String {
        format!("pem:{}", hex(self.hasher.clone().finalize()))
    }
}

/// Identity of a whole body seen at once (BEGIN and END on one line).
pub(crate) fn identity(body: &str) -> Option<String> {
    let mut h = BodyHash::default();
    h.feed(body);
    (!h.is_empty()).then(|| h.identity())
}

/// Shrinks `start..end` past surrounding whitespace and `\n` escapes, so the markers keep
/// their line breaks around the placeholder.
pub(crate) fn trim_body(text: &str, mut start: usize, mut end: usize) -> (usize, usize) {
    let b = text.as_bytes();
    loop {
        if start < end && b[start].is_ascii_whitespace() {
            start += 1;
        } else if start + 1 < end && b[start] == b'\\' && matches!(b[start + 1], b'n' | b'r') {
            start += 2;
        } else {
            break;
        }
    }
    loop {
        if end > start && b[end - 1].is_ascii_whitespace() {
            end -= 1;
        } else if end >= start + 2 && b[end - 2] == b'\\' && matches!(b[end - 1], b'n' | b'r') {
            end -= 2;
        } else {
            break;
        }
    }
    (start, end)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_end_markers_of_private_keys_only() {
        assert_eq!(find_end("abc\n-----END RSA PRIVATE KEY-----"), Some(4));
        assert_eq!(find_end("-----END PRIVATE KEY-----"), Some(0));
        assert_eq!(find_end("x-----END PGP PRIVATE KEY BLOCK-----"), Some(1));
        assert_eq!(find_end("-----END CERTIFICATE-----"), None);
        assert_eq!(find_end("-----END CERT-----END EC PRIVATE KEY-----"), Some(13));
    }

    #[test]
    fn tells_body_lines_from_other_text() {
        assert_eq!(body_start("  MIIEpAIBAAKCAQEA1x+/=", ""), Some(0));
        assert_eq!(body_start("", ""), Some(0));
        assert_eq!(body_start("Proc-Type: 4,ENCRYPTED", ""), Some(0));
        assert_eq!(body_start("  [REDACTED:private-key-1]", ""), Some(0));
        assert_eq!(body_start("Next: regenerate it and restart k3s at 09:30.", ""), None);
        assert_eq!(body_start("E1005 dial tcp 192.168.1.79:6443: connect: connection refused", ""), None);
        let journal = "Nov 26 10:00:01 h k3s[9]: ";
        assert_eq!(body_start("Nov 26 10:00:02 h k3s[9]: MIIEpAIB", journal), Some(26));
        assert_eq!(body_start("Nov 26 10:00:02 h k3s[9]: not a key", journal), None);
        assert_eq!(body_start(" Bearer xyz inet NAME inet dev", "key: value via    0a0a "), None);
        assert_eq!(body_start("b.key:-----BEGIN EC PRIVATE KEY-----", "a.key:"), None);
        assert!(is_inline_body(r"\nMIIEvQIBADANBgkqhkiG9w0B\n"));
        assert!(!is_inline_body(" and "));
        assert!(!is_inline_body(r"\n[REDACTED:private-key-1]\n"));
        assert_eq!(body_run(r#"\nMIIE\nAB==" }"#), 12);
    }

    #[test]
    fn same_body_same_identity_across_layouts() {
        let yaml = "    MIIEpAIBAAKCAQEA1x\n    q7Zb9w==\n";
        let json = r"\nMIIEpAIBAAKCAQEA1x\nq7Zb9w==\n";
        assert_eq!(identity(yaml), identity(json));
        assert_ne!(identity(yaml), identity("MIIEpAIBAAKCAQEA1y"));
        assert_eq!(identity(" \n "), None);
    }

    #[test]
    fn identity_is_a_digest() {
        let id = identity("MIIEpAIBAAKCAQEA1x").unwrap();
        assert!(id.starts_with("pem:") && !id.contains("MIIE"));
    }

    #[test]
    fn trims_escapes_and_space() {
        let t = r"-----X-----\nABC\n-----Y";
        let (s, e) = trim_body(t, 11, t.len() - 6);
        assert_eq!(&t[s..e], "ABC");
    }
}
