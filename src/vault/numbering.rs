//! Redaction numbering kept per incident in local state, so the same secret gets
//! the same placeholder in every step: `.incident/redact/<incident>.json` holds only
//! keyed hashes, the key lives in `.incident/redact.key`; both stay out of git.

use std::collections::HashMap;
use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};

use super::known_secrets::KnownSecrets;
use super::{Vault, atomic};
use crate::error::{Error, IoContext, Result};
use crate::redact::{KnownLengths, Numbering, Placeholders};

/// Numbers secrets for one incident. The shared file is touched only when a secret
/// not seen before in this command turns up: locked, re-read, updated, written,
/// unlocked at once, so a long `incident run` never holds up other commands.
pub struct VaultNumbering {
    dir: PathBuf,
    slug: String,
    /// Secrets already numbered by this command (memory only, never written).
    memo: HashMap<String, String>,
    /// After a failure: numbering for this command only, and why.
    fallback: Option<Numbering>,
    pub problem: Option<Error>,
    /// Earlier commands' numbering, once read (see `saved`).
    saved: Option<Option<Numbering>>,
    /// Secrets numbered in any incident of the vault.
    elsewhere: KnownSecrets,
    /// Secrets this command numbered, for `elsewhere` once it ends: one write of that
    /// record per command, not one per secret.
    numbered: Vec<(String, String)>,
}

impl VaultNumbering {
    pub fn new(vault: &Vault, slug: &str) -> VaultNumbering {
        VaultNumbering {
            dir: vault.state_dir(),
            slug: slug.to_string(),
            memo: HashMap::new(),
            fallback: None,
            problem: None,
            saved: None,
            elsewhere: KnownSecrets::new(&vault.state_dir()),
            numbered: Vec::new(),
        }
    }

    /// A numbering for an incident that was just created: whatever a deleted incident of
    /// the same name left behind is dropped, so placeholders start at 1.
    pub fn fresh(vault: &Vault, slug: &str) -> VaultNumbering {
        let numbering = VaultNumbering::new(vault, slug);
        let _ = fs::remove_file(numbering.state_file());
        numbering
    }

    /// The numbering of an incident for a command that records nothing (`incident redact
    /// -I`): the incident's placeholders and the vault's known secrets; a new secret is
    /// numbered after them in memory only, never written.
    pub fn read_only(vault: &Vault, slug: &str) -> VaultNumbering {
        let mut numbering = VaultNumbering::new(vault, slug);
        numbering.elsewhere = KnownSecrets::read_only(&vault.state_dir());
        let saved = numbering.state_file().exists().then(|| vault_key(&numbering.dir).and_then(|k| numbering.load(k)));
        numbering.fallback = Some(saved.and_then(Result::ok).unwrap_or_default());
        numbering
    }

    /// Distinct secrets this command replaced, by the rule named in their placeholder:
    /// a key in the command line, its argv and its `$` line is one secret, not three.
    pub fn secrets_by_rule(&self) -> std::collections::BTreeMap<String, u64> {
        let mut counts = std::collections::BTreeMap::new();
        for placeholder in self.memo.values() {
            *counts.entry(crate::redact::rule_of(placeholder).to_string()).or_insert(0) += 1;
        }
        counts
    }

    fn state_file(&self) -> PathBuf {
        self.dir.join("redact").join(format!("{}.json", self.slug))
    }

    /// Lock, load, number, save, unlock.
    fn number(&self, rule: &str, secret: &str) -> Result<String> {
        let redact_dir = self.dir.join("redact");
        fs::create_dir_all(&redact_dir).ctx("create", &redact_dir)?;
        let lock_path = redact_dir.join(format!("{}.lock", self.slug));
        let lock = File::options().create(true).truncate(false).write(true).open(&lock_path).ctx("open", &lock_path)?;
        lock.lock().ctx("lock", &lock_path)?;
        let key = vault_key(&self.dir)?;
        let mut numbering = self.load(key)?;
        let placeholder = numbering.placeholder(rule, secret);
        let json = serde_json::to_vec(&numbering).expect("numbering serializes");
        atomic::write_replace(&self.state_file(), &json)?;
        drop(lock);
        Ok(placeholder)
    }

    /// The numbering saved by earlier commands, read once and only to recognise secrets
    /// found before; `None` when there is none (or it cannot be read: numbering says why).
    fn saved(&mut self) -> Option<&mut Numbering> {
        if self.saved.is_none() {
            let exists = self.state_file().exists();
            self.saved = Some(exists.then(|| vault_key(&self.dir).and_then(|key| self.load(key)).ok()).flatten());
        }
        self.saved.as_mut().and_then(Option::as_mut)
    }

    fn load(&self, key: [u8; 32]) -> Result<Numbering> {
        let file = self.state_file();
        Ok(match fs::read(&file) {
            Ok(bytes) => {
                let saved: Numbering = serde_json::from_slice(&bytes).map_err(|e| Error::File {
                    path: file.clone(),
                    line: e.line(),
                    message: e.to_string(),
                    hint: Some("delete the file; placeholders of this incident will be numbered afresh".to_string()),
                })?;
                Numbering::resume(key, saved).map_err(|e| {
                    Error::user_hint(
                        format!("{}: {e}", file.display()),
                        "delete the file to start the numbering afresh",
                    )
                })?
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => Numbering::with_key(key),
            Err(e) => return Err(Error::io("read", &file, e)),
        })
    }
}

impl Drop for VaultNumbering {
    /// Hands the secrets numbered here to the vault-wide record, for hiding them in other
    /// incidents (this one already knows them): failing that, only they miss out.
    fn drop(&mut self) {
        if !self.numbered.is_empty() {
            let _ = self.elsewhere.add_all(&self.numbered);
        }
    }
}

impl Placeholders for VaultNumbering {
    fn placeholder(&mut self, rule: &str, secret: &str) -> String {
        if let Some(known) = self.memo.get(secret) {
            return known.clone();
        }
        let placeholder = match &mut self.fallback {
            Some(local) => local.placeholder(rule, secret),
            None => match self.number(rule, secret) {
                Ok(p) => {
                    self.numbered.push((rule.to_string(), secret.to_string()));
                    p
                }
                Err(e) => {
                    self.problem = Some(e);
                    self.fallback.insert(Numbering::default()).placeholder(rule, secret)
                }
            },
        };
        self.memo.insert(secret.to_string(), placeholder.clone());
        placeholder
    }

    fn known(&mut self, candidate: &str) -> Option<String> {
        if let Some(p) = self.memo.get(candidate) {
            return Some(p.clone());
        }
        if let Some(p) = self.saved().and_then(|saved| saved.known(candidate)) {
            return Some(p);
        }
        // Found in another incident: its rule numbers it here (see `placeholder`).
        self.elsewhere.get()?.known(candidate)
    }

    fn known_lengths(&mut self) -> KnownLengths {
        let mut lengths = KnownLengths::default();
        self.memo.keys().for_each(|secret| lengths.add(secret));
        if let Some(saved) = self.saved() {
            lengths.extend(saved.known_lengths());
        }
        if let Some(elsewhere) = self.elsewhere.get() {
            lengths.extend(elsewhere.known_lengths());
        }
        lengths
    }
}

/// The vault's 32-byte key, created on first use.
pub(super) fn vault_key(state_dir: &Path) -> Result<[u8; 32]> {
    let path = state_dir.join("redact.key");
    if !path.exists() {
        let mut key = [0u8; 32];
        getrandom::fill(&mut key).expect("the OS provides random bytes");
        // Two processes may race here: write_new lets exactly one key win.
        atomic::write_new(&path, format!("{}\n", hex::encode(key)).as_bytes())?;
    }
    let text = fs::read_to_string(&path).ctx("read", &path)?;
    let bytes = hex::decode(text.trim()).ok().filter(|b| b.len() == 32).ok_or_else(|| Error::File {
        path: path.clone(),
        line: 1,
        message: "not a 64-digit hex key".to_string(),
        hint: Some("delete it; a new key is made (earlier placeholders are then numbered afresh)".to_string()),
    })?;
    let mut key = [0u8; 32];
    key.copy_from_slice(&bytes);
    Ok(key)
}
