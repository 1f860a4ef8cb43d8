//! PEM private keys: finding the `-----END … PRIVATE KEY-----` that closes a block, and a
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
