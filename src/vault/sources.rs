//! What a derived file was made from: the sha256 of `incident.md` and of every step file,
//! so a stale postmortem can be told from a fresh one without rendering it again.

use std::collections::BTreeMap;
use std::path::Path;

use sha2::{Digest, Sha256};

use super::incidents::{INCIDENT_FILE, IncidentRef, Loaded};
use super::{STEPS_DIR, Vault};
use crate::error::{IoContext, Result};

/// One step file as read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StepSource {
    /// The step's id (its file name without `.md` when the frontmatter cannot be read).
    pub id: String,
    /// Relative to the incident folder: `steps/<name>.md`.
    pub file: String,
    pub sha256: String,
}

/// The files an incident was loaded from, with their hashes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Sources {
    pub incident_sha256: Option<String>,
    pub steps: Vec<StepSource>,
    index: BTreeMap<String, usize>,
}

/// How the sources recorded in a derived file differ from the files now.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SourceChanges {
    pub changed: Vec<String>,
    pub added: Vec<String>,
    pub removed: Vec<String>,
    /// Still there, but dated after now: left out until then (not by [`compare`]).
    pub ahead: Vec<String>,
}

impl SourceChanges {
    pub fn is_empty(&self) -> bool {
        self.changed.is_empty() && self.added.is_empty() && self.removed.is_empty() && self.ahead.is_empty()
    }
}

impl Sources {
    pub(super) fn add_incident_file(&mut self, path: &Path) -> Result<()> {
        let bytes = super::atomic::read_no_follow(path).ctx("read", path)?;
        self.incident_sha256 = Some(text_digest(&bytes));
        Ok(())
    }

    pub(super) fn add_step(&mut self, path: &Path, bytes: &[u8], id: Option<&str>) {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        let stem = name.strip_suffix(".md").unwrap_or(name);
        let mut key = id.filter(|i| !i.is_empty()).unwrap_or(stem).to_string();
        if self.index.contains_key(&key) {
            key = stem.to_string(); // two files claim one id: the file names keep them apart
        }
        self.index.insert(key.clone(), self.steps.len());
        self.steps.push(StepSource { id: key, file: format!("{STEPS_DIR}/{name}"), sha256: text_digest(bytes) });
    }

    pub fn step(&self, id: &str) -> Option<&StepSource> {
        self.index.get(id).map(|&i| &self.steps[i])
    }

    /// `incident.md` and every step id → sha256, as written into a postmortem's frontmatter.
    pub fn hashes(&self) -> BTreeMap<String, String> {
        let mut map: BTreeMap<String, String> = self.steps.iter().map(|s| (s.id.clone(), s.sha256.clone())).collect();
        if let Some(h) = &self.incident_sha256 {
            map.insert(INCIDENT_FILE.to_string(), h.clone());
        }
        map
    }
}

/// sha256 of a file as text is read (`frontmatter::normalize`): a leading BOM left out
/// and CRLF as LF, so a checkout with core.autocrlf=true hashes as the one without.
/// A file with neither hashes as its bytes, as before.
fn text_digest(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let mut hash = Sha256::new();
    let mut rest = bytes;
    while let Some(cr) = rest.windows(2).position(|w| w == b"\r\n") {
        hash.update(&rest[..cr]);
        rest = &rest[cr + 1..];
    }
    hash.update(rest);
    hex::encode(hash.finalize())
}

/// Compares the hashes recorded in a derived file with those of the files now.
pub fn compare(recorded: &BTreeMap<String, String>, now: &BTreeMap<String, String>) -> SourceChanges {
    let mut changes = SourceChanges::default();
    for (id, hash) in now {
        match recorded.get(id) {
            None => changes.added.push(id.clone()),
            Some(old) if old != hash => changes.changed.push(id.clone()),
            Some(_) => {}
        }
    }
    changes.removed = recorded.keys().filter(|id| !now.contains_key(*id)).cloned().collect();
    changes
}

impl Vault {
    /// Loads the incident and hashes every file read, in one pass over the files.
    pub fn load_with_sources(&self, incident: &IncidentRef) -> Result<(Loaded, Sources)> {
        let mut sources = Sources::default();
        let loaded = self.load_inner(incident, Some(&mut sources), None)?;
        Ok((loaded, sources))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
    }

    #[test]
    fn a_crlf_or_bom_copy_of_a_file_hashes_as_the_file_and_lf_files_as_before() {
        let lf = "---\nid: a\nkind: note\n---\n\nDNS fails\r here\n";
        // Postmortems written before keep their hashes: an LF file hashes as its bytes.
        assert_eq!(text_digest(lf.as_bytes()), hex::encode(Sha256::digest(lf.as_bytes())));
        let crlf = lf.replace('\n', "\r\n");
        assert_eq!(text_digest(crlf.as_bytes()), text_digest(lf.as_bytes()));
        assert_eq!(text_digest(format!("\u{feff}{crlf}").as_bytes()), text_digest(lf.as_bytes()));
        // One pass, as frontmatter::normalize: a CR before a CRLF stays.
        assert_eq!(text_digest(b"a\r\r\nb\r\n"), hex::encode(Sha256::digest(b"a\r\nb\n")));
        // A real change still shows.
        assert_ne!(text_digest(crlf.replace("DNS", "dns").as_bytes()), text_digest(lf.as_bytes()));
    }

    #[test]
    fn compare_names_changed_added_and_removed() {
        let before = map(&[("a", "1"), ("b", "2"), ("c", "3")]);
        let now = map(&[("a", "1"), ("b", "9"), ("d", "4")]);
        let c = compare(&before, &now);
        assert_eq!(c.changed, ["b"]);
        assert_eq!(c.added, ["d"]);
        assert_eq!(c.removed, ["c"]);
        assert!(compare(&now, &now).is_empty());
    }
}
