//! Placeholder numbering: the same secret gets the same `[REDACTED:rule-N]` within an incident.

use std::collections::{BTreeMap, BTreeSet};

use hex::encode as hex;
use serde::{Deserialize, Serialize};
use sha2::Sha256;

/// Where placeholders come from. The redactor asks once per redaction; an implementation
/// must return the same placeholder for the same secret so a reader can still see that
/// "the same token was used twice".
pub trait Placeholders {
    /// The text that replaces `secret`, found by the rule named `rule`.
    fn placeholder(&mut self, rule: &str, secret: &str) -> String;

    /// The placeholder `candidate` already has, when it is a secret found earlier: a
    /// password seen once in `--from-literal=password=…` is hidden when echoed bare later.
    fn known(&mut self, _candidate: &str) -> Option<String> {
        None
    }

    /// Lengths of the known secrets: only text of these lengths is worth a look.
    fn known_lengths(&mut self) -> KnownLengths {
        KnownLengths::default()
    }
}

/// Byte lengths of known secrets, split by whether a secret holds a boundary character
/// (whitespace, `=`, `:`, `.`, `/`, `@`, …): only for those is text that spans boundaries
/// worth hashing, which costs a hash per few words of every later output.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KnownLengths {
    pub words: BTreeSet<usize>,
    pub spanning: BTreeSet<usize>,
    /// Of the spanning ones, those of secrets that start with a separator (`;Xy9…`,
    /// `(ab…`): only for these is text starting at one worth hashing.
    pub leading: BTreeSet<usize>,
}

impl KnownLengths {
    /// The secret holds a boundary character: text spanning boundaries may be it.
    pub fn spans(secret: &str) -> bool {
        secret.contains(super::engine::boundary)
    }

    /// The secret starts with a separator other than a blank: text from one may be it.
    pub fn leads(secret: &str) -> bool {
        secret.starts_with(|c: char| super::engine::separator(c) && !c.is_whitespace())
    }

    pub fn add(&mut self, secret: &str) {
        if Self::spans(secret) {
            self.spanning.insert(secret.len());
        } else {
            self.words.insert(secret.len());
        }
        if Self::leads(secret) {
            self.leading.insert(secret.len());
        }
    }

    pub fn extend(&mut self, other: KnownLengths) {
        self.words.extend(other.words);
        self.spanning.extend(other.spanning);
        self.leading.extend(other.leading);
    }

    pub fn is_empty(&self) -> bool {
        self.words.is_empty() && self.spanning.is_empty()
    }

    /// Every length, either kind.
    pub fn all(&self) -> impl Iterator<Item = usize> + '_ {
        self.words.iter().chain(&self.spanning).copied()
    }
}

impl<P: Placeholders + ?Sized> Placeholders for &mut P {
    fn placeholder(&mut self, rule: &str, secret: &str) -> String {
        (**self).placeholder(rule, secret)
    }

    fn known(&mut self, candidate: &str) -> Option<String> {
        (**self).known(candidate)
    }

    fn known_lengths(&mut self) -> KnownLengths {
        (**self).known_lengths()
    }
}

/// In-memory numbering per rule: the first `aws-key` seen becomes `[REDACTED:aws-key-1]`,
/// the next different one `-2`, and the same secret again gets its first placeholder back
/// (whichever rule finds it the second time).
///
/// It serialises (to persist it beside an incident) without any secret: it keeps only an
/// HMAC-SHA256 of each secret under a 32-byte key the caller supplies and stores elsewhere
/// (a plain hash of a short password could be brute-forced from the file; a keyed one cannot).
/// The key itself is never serialised; after deserialising, hand it back with
/// [`Numbering::resume`].
#[derive(Clone, Serialize, Deserialize)]
pub struct Numbering {
    #[serde(skip, default = "random_key")]
    key: [u8; 32],
    /// The HMAC keyed once: a known-secret lookup hashes every candidate of a line.
    #[serde(skip)]
    mac: std::sync::OnceLock<hmac::Hmac<Sha256>>,
    /// Tells whether a saved state belongs to a key, without revealing the key.
    key_id: String,
    /// Last number given, by rule name.
    last: BTreeMap<String, u64>,
    /// Keyed hash of a secret (hex, 128 bits) -> its placeholder.
    seen: BTreeMap<String, String>,
    /// Byte lengths of the secrets in `seen` without boundary characters, so that finding
    /// a known secret again hashes only words of those lengths. Local state, like the rest.
    #[serde(default)]
    lengths: BTreeSet<usize>,
    /// Byte lengths of the secrets in `seen` that hold boundary characters (see
    /// [`KnownLengths`]).
    #[serde(default)]
    spanning: BTreeSet<usize>,
    /// Saved by a build that keeps `spanning` apart. Before, `lengths` held every secret's
    /// length, so on resuming each of them may be a spanning one.
    #[serde(default)]
    split: bool,
    /// Byte lengths of the secrets in `seen` that start with a separator (see
    /// [`KnownLengths::leading`]).
    #[serde(default)]
    leading: BTreeSet<usize>,
    /// Saved by a build that keeps `leading`. Before, any spanning secret may start with one.
    #[serde(default)]
    leads: bool,
}

/// A saved [`Numbering`] was made under another key.
#[derive(Debug, thiserror::Error)]
#[error("the redaction numbering was saved under another key (key id {saved}, this key {given})")]
pub struct KeyMismatch {
    pub saved: String,
    pub given: String,
}

impl Default for Numbering {
    /// A numbering under a random key: fine for one process, useless to persist.
    fn default() -> Self {
        Self::with_key(random_key())
    }
}

impl std::fmt::Debug for Numbering {
    // Hand-written so the key never lands in a log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Numbering")
            .field("key_id", &self.key_id)
            .field("last", &self.last)
            .field("seen", &self.seen.len())
            .finish()
    }
}

impl Numbering {
    /// A fresh numbering (every rule starts at 1) under `key`.
    pub fn with_key(key: [u8; 32]) -> Self {
        Numbering {
            key_id: key_id(&key),
            key,
            mac: std::sync::OnceLock::new(),
            last: BTreeMap::new(),
            seen: BTreeMap::new(),
            lengths: BTreeSet::new(),
            spanning: BTreeSet::new(),
            split: true,
            leading: BTreeSet::new(),
            leads: true,
        }
    }

    /// Re-attaches the key to a deserialised numbering; fails if it was saved under another
    /// key (the same secret would silently get a new number otherwise).
    pub fn resume(key: [u8; 32], saved: Numbering) -> Result<Self, KeyMismatch> {
        let given = key_id(&key);
        if given != saved.key_id {
            return Err(KeyMismatch { saved: saved.key_id, given });
        }
        let mut n = Numbering { key, mac: std::sync::OnceLock::new(), ..saved };
        if !n.split {
            n.spanning.extend(n.lengths.iter().copied());
            n.split = true;
        }
        if !n.leads {
            n.leading.extend(n.spanning.iter().copied());
            n.leads = true;
        }
        Ok(n)
    }

    /// How many distinct secrets have a placeholder.
    pub fn len(&self) -> usize {
        self.seen.len()
    }

    /// True when no secret has been numbered yet.
    pub fn is_empty(&self) -> bool {
        self.seen.is_empty()
    }

    /// Takes in every secret `other` knows that this one does not, with its placeholder
    /// there: for a set of secrets known anywhere in a vault. Nothing when `other` was
    /// saved under another key (its hashes would never match).
    pub fn absorb(&mut self, other: &Numbering) {
        if other.key_id != self.key_id {
            return;
        }
        for (fingerprint, placeholder) in &other.seen {
            self.seen.entry(fingerprint.clone()).or_insert_with(|| placeholder.clone());
        }
        self.lengths.extend(other.lengths.iter().copied());
        self.spanning.extend(other.spanning.iter().copied());
        self.leading.extend(other.leading.iter().copied());
    }

    fn fingerprint(&self, secret: &str) -> String {
        hex(&self.keyed_hash(secret)[..16])
    }

    fn keyed_hash(&self, secret: &str) -> [u8; 32] {
        use hmac::Mac;
        let keyed =
            self.mac.get_or_init(|| hmac::Hmac::new_from_slice(&self.key).expect("HMAC takes keys of any length"));
        let mut mac = keyed.clone();
        mac.update(secret.as_bytes());
        mac.finalize().into_bytes().into()
    }
}

impl Placeholders for Numbering {
    fn placeholder(&mut self, rule: &str, secret: &str) -> String {
        let fp = self.fingerprint(secret);
        if let Some(p) = self.seen.get(&fp) {
            return p.clone();
        }
        let n = self.last.entry(rule.to_owned()).or_insert(0);
        *n += 1;
        let p = format!("[REDACTED:{rule}-{n}]");
        self.seen.insert(fp, p.clone());
        if KnownLengths::spans(secret) {
            self.spanning.insert(secret.len());
        } else {
            self.lengths.insert(secret.len());
        }
        if KnownLengths::leads(secret) {
            self.leading.insert(secret.len());
        }
        p
    }

    fn known(&mut self, candidate: &str) -> Option<String> {
        self.known_as(candidate)
    }

    fn known_lengths(&mut self) -> KnownLengths {
        self.lengths_known()
    }
}

impl Numbering {
    /// [`Placeholders::known_lengths`] without a change.
    pub fn lengths_known(&self) -> KnownLengths {
        KnownLengths { words: self.lengths.clone(), spanning: self.spanning.clone(), leading: self.leading.clone() }
    }

    /// [`Placeholders::known`] without a change, so one numbering serves many threads.
    pub fn known_as(&self, candidate: &str) -> Option<String> {
        let n = candidate.len();
        if !self.lengths.contains(&n) && !self.spanning.contains(&n) {
            return None;
        }
        // Hex on the stack: this runs for every candidate of every line.
        let mut buf = [0u8; 32];
        hex::encode_to_slice(&self.keyed_hash(candidate)[..16], &mut buf).ok()?;
        self.seen.get(std::str::from_utf8(&buf).ok()?).cloned()
    }

    /// Changes exactly when the secrets known change: each keyed hash with the rule that
    /// found it, in order (not its number, which depends on the order incidents were read).
    pub fn known_digest(&self) -> String {
        use sha2::Digest;
        let mut digest = Sha256::new();
        digest.update(self.key_id.as_bytes());
        for (hash, placeholder) in &self.seen {
            digest.update(hash.as_bytes());
            digest.update(rule_of(placeholder).as_bytes());
            digest.update(b"\0");
        }
        hex(&digest.finalize()[..12])
    }
}

/// The rule named in a placeholder this numbering made: `[REDACTED:aws-key-2]` → `aws-key`.
pub fn rule_of(placeholder: &str) -> &str {
    let inner = placeholder.trim_start_matches("[REDACTED:").trim_end_matches(']');
    inner.rsplit_once('-').map_or(inner, |(rule, _)| rule)
}

fn key_id(key: &[u8; 32]) -> String {
    hex(&hmac_sha256(key, b"incident/redact/key-id")[..8])
}

fn random_key() -> [u8; 32] {
    let mut key = [0u8; 32];
    getrandom::fill(&mut key).expect("the OS provides random bytes");
    key
}

/// HMAC-SHA256 through RustCrypto's `hmac`.
pub(crate) fn hmac_sha256(key: &[u8], msg: &[u8]) -> [u8; 32] {
    use hmac::Mac;
    let mut mac = hmac::Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(msg);
    mac.finalize().into_bytes().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_known_digest_follows_the_secrets_not_their_numbers() {
        let key = [7u8; 32];
        let (mut a, mut b) = (Numbering::with_key(key), Numbering::with_key(key));
        a.placeholder("password-flag", "Hunter2Secret99");
        a.placeholder("password-flag", "Zq8vTopSecret99");
        b.placeholder("password-flag", "Zq8vTopSecret99");
        b.placeholder("password-flag", "Hunter2Secret99");
        assert_ne!(a.known("Hunter2Secret99"), b.known("Hunter2Secret99"), "numbered apart");
        assert_eq!(a.known_digest(), b.known_digest());
        b.placeholder("aws-key", "AKIAIOSFODNN7EXAMPLE");
        assert_ne!(a.known_digest(), b.known_digest());
    }

    #[test]
    fn placeholders_name_their_rule() {
        let mut n = Numbering::with_key([7; 32]);
        assert_eq!(rule_of(&n.placeholder("my-custom-rule", "s3cr3t-value")), "my-custom-rule");
        assert_eq!(rule_of("[REDACTED:aws-key-12]"), "aws-key");
    }

    #[test]
    fn knows_its_secrets_back_and_only_them() {
        let mut n = Numbering::with_key([7; 32]);
        assert!(n.known_lengths().is_empty());
        n.placeholder("password-flag", "Hunter2Secret99");
        n.placeholder("password-flag", "p@ss word=");
        let lengths = n.known_lengths();
        assert_eq!(
            (lengths.words.into_iter().collect::<Vec<_>>(), lengths.spanning.into_iter().collect::<Vec<_>>()),
            (vec![15], vec![10])
        );
        assert_eq!(n.known("Hunter2Secret99").as_deref(), Some("[REDACTED:password-flag-1]"));
        assert_eq!(n.known("p@ss word=").as_deref(), Some("[REDACTED:password-flag-2]"));
        assert_eq!(n.known("Hunter2Secret98"), None);
        assert_eq!(n.known("Hunter2Secret9"), None);
        // Saved and resumed under the same key, it still knows them.
        let saved: Numbering = serde_json::from_str(&serde_json::to_string(&n).unwrap()).unwrap();
        let mut back = Numbering::resume([7; 32], saved).unwrap();
        assert_eq!(back.known("Hunter2Secret99").as_deref(), Some("[REDACTED:password-flag-1]"));
        assert_eq!(back.known_lengths(), n.known_lengths(), "both kinds of length are saved");
    }

    #[test]
    fn absorbing_another_numbering_knows_its_secrets_too() {
        let mut incident = Numbering::with_key([7; 32]);
        incident.placeholder("password-flag", "Hunter2Secret99");
        incident.placeholder("password-flag", "p@ss word=");
        let mut vault = Numbering::with_key([7; 32]);
        vault.placeholder("aws-key", "AKIAZLXXFOFBKFJKUPHB");
        vault.absorb(&incident);
        assert_eq!(vault.known("Hunter2Secret99").as_deref(), Some("[REDACTED:password-flag-1]"));
        assert_eq!(vault.known("p@ss word=").as_deref(), Some("[REDACTED:password-flag-2]"));
        assert_eq!(vault.known("AKIAZLXXFOFBKFJKUPHB").as_deref(), Some("[REDACTED:aws-key-1]"));
        assert_eq!(vault.known_lengths().spanning.into_iter().collect::<Vec<_>>(), [10]);
        // Under another key the hashes mean nothing here: nothing is taken in.
        let mut other = Numbering::with_key([8; 32]);
        other.placeholder("jwt", "eyJhbGciOiJIUzI1NiJ9");
        vault.absorb(&other);
        assert_eq!(vault.len(), 3);
    }

    #[test]
    fn a_numbering_saved_before_spanning_lengths_treats_every_length_as_one() {
        let mut n = Numbering::with_key([7; 32]);
        n.placeholder("password-flag", "p@ss word=");
        let mut json: serde_json::Value = serde_json::to_value(&n).unwrap();
        let fields = json.as_object_mut().unwrap();
        fields.remove("spanning");
        fields.remove("split");
        fields.insert("lengths".into(), serde_json::json!([10]));
        let mut old = Numbering::resume([7; 32], serde_json::from_value(json).unwrap()).unwrap();
        assert_eq!(old.known_lengths().spanning.into_iter().collect::<Vec<_>>(), [10]);
        assert_eq!(old.known("p@ss word=").as_deref(), Some("[REDACTED:password-flag-1]"));
    }

    #[test]
    fn lengths_of_secrets_starting_with_a_separator_are_kept_apart() {
        let mut n = Numbering::with_key([7; 32]);
        n.placeholder("password-flag", ";Xy9zQ7w");
        n.placeholder("password-flag", "p@ss word=");
        n.placeholder("password-flag", " Zq8v Top");
        assert_eq!(n.known_lengths().leading.into_iter().collect::<Vec<_>>(), [8]);
        // Saved before they were: every spanning length may start with one.
        let mut json: serde_json::Value = serde_json::to_value(&n).unwrap();
        let fields = json.as_object_mut().unwrap();
        fields.remove("leading");
        fields.remove("leads");
        let old = Numbering::resume([7; 32], serde_json::from_value(json).unwrap()).unwrap();
        assert_eq!(old.lengths_known().leading.into_iter().collect::<Vec<_>>(), [8, 9, 10]);
    }

    #[test]
    fn numbers_per_rule_and_reuses_for_same_secret() {
        let mut n = Numbering::with_key([7; 32]);
        assert_eq!(n.placeholder("aws-key", "AKIA1"), "[REDACTED:aws-key-1]");
        assert_eq!(n.placeholder("aws-key", "AKIA2"), "[REDACTED:aws-key-2]");
        assert_eq!(n.placeholder("jwt", "eyJ"), "[REDACTED:jwt-1]");
        assert_eq!(n.placeholder("aws-key", "AKIA1"), "[REDACTED:aws-key-1]");
        // Found again by another rule: still the first placeholder.
        assert_eq!(n.placeholder("bearer", "AKIA2"), "[REDACTED:aws-key-2]");
        assert_eq!(n.len(), 3);
    }

    #[test]
    fn serialised_state_holds_no_secret_and_resumes() {
        let secret = "hunter2-very-secret";
        let mut n = Numbering::with_key([9; 32]);
        n.placeholder("password-assignment", secret);
        let json = serde_json::to_string(&n).unwrap();
        assert!(!json.contains(secret), "{json}");
        assert!(!json.contains("hunter2"), "{json}");
        assert!(!json.contains(&hex([9; 32])), "key leaked: {json}");

        let saved: Numbering = serde_json::from_str(&json).unwrap();
        let mut again = Numbering::resume([9; 32], saved).unwrap();
        assert_eq!(again.placeholder("password-assignment", secret), "[REDACTED:password-assignment-1]");
        assert_eq!(again.placeholder("password-assignment", "other"), "[REDACTED:password-assignment-2]");
    }

    #[test]
    fn resume_refuses_another_key() {
        let n = Numbering::with_key([1; 32]);
        let saved: Numbering = serde_json::from_str(&serde_json::to_string(&n).unwrap()).unwrap();
        let err = Numbering::resume([2; 32], saved).unwrap_err();
        assert!(err.to_string().contains("another key"), "{err}");
    }

    #[test]
    fn different_keys_number_independently() {
        let mut a = Numbering::with_key([1; 32]);
        let mut b = Numbering::with_key([2; 32]);
        a.placeholder("jwt", "x");
        assert_eq!(a.placeholder("jwt", "y"), "[REDACTED:jwt-2]");
        assert_eq!(b.placeholder("jwt", "y"), "[REDACTED:jwt-1]");
    }

    #[test]
    fn debug_output_hides_key_and_hashes() {
        let mut n = Numbering::with_key([0xab; 32]);
        n.placeholder("jwt", "x");
        let dbg = format!("{n:?}");
        assert!(!dbg.contains("171"), "{dbg}"); // 0xab as a decimal byte
        assert!(!dbg.contains(&n.fingerprint("x")), "{dbg}");
    }
}
