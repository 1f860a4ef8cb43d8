//! Secrets known anywhere in the vault, so that a secret found in one incident is hidden
//! when it turns up in another. `.incident/redact-known.json` holds keyed hashes only, like
//! each incident's numbering (same key), and stays out of git. It is derived: when it is
//! missing or damaged it is built again from the incidents' numberings.

use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};

use super::atomic;
use super::numbering::vault_key;
use crate::error::{Error, IoContext, Result};
use crate::redact::{Numbering, Placeholders};

const KNOWN_FILE: &str = "redact-known.json";
const LOCK_FILE: &str = "redact-known.lock";

pub struct KnownSecrets {
    /// The vault's state folder.
    dir: PathBuf,
    /// Read once per command: `Some(None)` when there is nothing to know.
    loaded: Option<Option<Numbering>>,
    /// Never written, not even to build it again (`incident redact -I`).
    read_only: bool,
}

impl KnownSecrets {
    pub fn new(state_dir: &Path) -> KnownSecrets {
        KnownSecrets { dir: state_dir.to_path_buf(), loaded: None, read_only: false }
    }

    /// One that reads the record (or builds it in memory) but never writes it.
    pub fn read_only(state_dir: &Path) -> KnownSecrets {
        KnownSecrets { read_only: true, ..KnownSecrets::new(state_dir) }
    }

    /// Every secret numbered in any incident so far, read once; `None` when there is none or
    /// they cannot be read (each incident still knows its own).
    pub fn get(&mut self) -> Option<&mut Numbering> {
        if self.loaded.is_none() {
            self.loaded = Some(self.read().ok().flatten());
        }
        self.loaded.as_mut().and_then(Option::as_mut)
    }

    /// Adds the secrets (rule, secret) one command numbered: locked, read, updated, written.
    pub fn add_all(&self, secrets: &[(String, String)]) -> Result<()> {
        self.update(|known| {
            for (rule, secret) in secrets {
                known.placeholder(rule, secret);
            }
        })
        .map(drop)
    }

    fn read(&self) -> Result<Option<Numbering>> {
        let file = self.dir.join(KNOWN_FILE);
        match fs::read(&file) {
            Ok(bytes) => {
                if let Some(known) = self.parse(&bytes)? {
                    return Ok(Some(known));
                }
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                if !self.incidents_have_numberings() {
                    return Ok(None);
                }
            }
            Err(e) => return Err(Error::io("read", &file, e)),
        }
        // Missing (a vault from before this file) or damaged: built from the incidents.
        if self.read_only {
            return self.build().map(Some);
        }
        self.update(|_| {}).map(Some)
    }

    /// The saved set, when it is readable and under the vault's key.
    fn parse(&self, bytes: &[u8]) -> Result<Option<Numbering>> {
        let key = vault_key(&self.dir)?;
        Ok(serde_json::from_slice(bytes).ok().and_then(|saved| Numbering::resume(key, saved).ok()))
    }

    fn update(&self, change: impl FnOnce(&mut Numbering)) -> Result<Numbering> {
        fs::create_dir_all(&self.dir).ctx("create", &self.dir)?;
        let lock_path = self.dir.join(LOCK_FILE);
        let lock = File::options().create(true).truncate(false).write(true).open(&lock_path).ctx("open", &lock_path)?;
        lock.lock().ctx("lock", &lock_path)?;
        let file = self.dir.join(KNOWN_FILE);
        let saved = match fs::read(&file) {
            Ok(bytes) => self.parse(&bytes)?,
            Err(e) if e.kind() == io::ErrorKind::NotFound => None,
            Err(e) => return Err(Error::io("read", &file, e)),
        };
        let mut known = match saved {
            Some(known) => known,
            None => self.build()?,
        };
        change(&mut known);
        atomic::write_replace(&file, &serde_json::to_vec(&known).expect("numbering serializes"))?;
        drop(lock);
        Ok(known)
    }

    /// The union of every incident's numbering; one that cannot be read adds nothing.
    fn build(&self) -> Result<Numbering> {
        let key = vault_key(&self.dir)?;
        let mut known = Numbering::with_key(key);
        for path in self.incident_numberings() {
            let saved = fs::read(&path).ok().and_then(|bytes| serde_json::from_slice(&bytes).ok());
            if let Some(numbering) = saved.and_then(|saved| Numbering::resume(key, saved).ok()) {
                known.absorb(&numbering);
            }
        }
        Ok(known)
    }

    fn incident_numberings(&self) -> impl Iterator<Item = PathBuf> {
        let list = fs::read_dir(self.dir.join("redact")).into_iter().flatten().flatten();
        list.map(|e| e.path()).filter(|p| p.extension().is_some_and(|x| x == "json"))
    }

    fn incidents_have_numberings(&self) -> bool {
        self.incident_numberings().next().is_some()
    }
}
