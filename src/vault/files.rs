//! The files of an incident folder as derived outputs need them: size and times of each
//! (to tell cheaply whether anything changed), the generated postmortem, and the files
//! that may be published beside the pages (full outputs, attachments).

use std::fs;
use std::hash::Hasher;
use std::io;
use std::path::Path;
use std::time::UNIX_EPOCH;

use sha2::{Digest, Sha256};

use super::atomic;
use super::incidents::{INCIDENT_FILE, IncidentRef};
use super::{Vault, steps};
use crate::error::{Error, IoContext, Result};
use crate::frontmatter;

pub const POSTMORTEM_FILE: &str = "postmortem.md";
pub const ATTACHMENTS_DIR: &str = "attachments";

/// Folders of an incident whose files count for change detection.
const WATCHED_DIRS: &[&str] = &[steps::STEPS_DIR, steps::OUTPUTS_DIR, ATTACHMENTS_DIR];

/// A file beside the steps (an output, an attachment, `postmortem.md`): its path
/// relative to the incident folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stamp {
    pub rel: String,
    pub len: u64,
}

/// What change detection knows of an incident folder.
#[derive(Debug, Clone)]
pub struct Stamps {
    /// The files outside `steps/` (steps are only counted into the fingerprint).
    pub files: Vec<Stamp>,
    /// Changes when any file is added, removed, resized or touched.
    pub fingerprint: String,
}

impl Stamps {
    /// The files under `dir/` (`outputs`, `attachments`), relative to the incident folder.
    pub fn under(&self, dir: &str) -> Vec<String> {
        let mut out: Vec<String> = self
            .files
            .iter()
            .filter(|s| s.rel.strip_prefix(dir).is_some_and(|r| r.starts_with('/')))
            .map(|s| s.rel.clone())
            .collect();
        out.sort();
        out
    }

    pub fn has(&self, rel: &str) -> bool {
        self.files.iter().any(|s| s.rel == rel)
    }

    /// The folder holds an `incident.md`.
    pub fn is_incident(&self) -> bool {
        self.has(INCIDENT_FILE)
    }
}

/// A 64-bit digest of one file's folder, name, size and times. The incident's fingerprint
/// is made from the sorted digests, so the order a folder lists its files in is irrelevant.
/// Like git's index, the inode's change time counts too: an edit that keeps the size and
/// sets the modification time back (`sed -i`, then `touch -r`) still changes it. (Not
/// the inode number: some network and FUSE file systems make up a new one each time.)
pub(super) fn file_digest(dir: &str, name: &str, meta: &fs::Metadata) -> u64 {
    let mtime_ns =
        meta.modified().ok().and_then(|t| t.duration_since(UNIX_EPOCH).ok()).map(|d| d.as_nanos()).unwrap_or(0);
    #[cfg(unix)]
    let ctime = {
        use std::os::unix::fs::MetadataExt;
        (meta.ctime(), meta.ctime_nsec())
    };
    #[cfg(not(unix))]
    let ctime = (0, 0);
    stamp_digest(dir, name, meta.len(), mtime_ns, ctime)
}

/// [`file_digest`] from its parts: FNV-1a (64 bits) over a fixed layout, so the digests
/// kept in caches (`list-cache`, the site's record) mean the same to every build (`std`'s
/// `DefaultHasher` may change its algorithm with any Rust release). FNV rather than a
/// SHA-256: this tells a changed file from an unchanged one, nobody forges it, and it runs
/// for every file of the vault at each re-publish (SHA-256 cost 2% of one at N=5,000).
/// Layout: folder, NUL, name, NUL, size (u64), mtime in ns (u128), ctime s and ns (i64 each),
/// integers little-endian.
fn stamp_digest(dir: &str, name: &str, len: u64, mtime_ns: u128, (ctime, ctime_ns): (i64, i64)) -> u64 {
    // One buffer, one call: this runs for every file at each `list`.
    let mut buf = Vec::with_capacity(dir.len() + name.len() + 42);
    buf.extend_from_slice(dir.as_bytes());
    buf.push(0);
    buf.extend_from_slice(name.as_bytes());
    buf.push(0);
    buf.extend_from_slice(&len.to_le_bytes());
    buf.extend_from_slice(&mtime_ns.to_le_bytes());
    buf.extend_from_slice(&ctime.to_le_bytes());
    buf.extend_from_slice(&ctime_ns.to_le_bytes());
    let mut hasher = fnv::FnvHasher::default();
    hasher.write(&buf);
    hasher.finish()
}

/// Walks an incident folder: every file's digest, and the non-step files by name.
/// Without `steps`, the `steps/` folder is left to a reader that stamps what it reads.
fn walk(dir: &Path, prefix: &str, steps: bool, digests: &mut Vec<u64>, files: &mut Vec<Stamp>) -> Result<()> {
    let Some(entries) = atomic::read_dir_if_any(dir)? else { return Ok(()) };
    for entry in entries {
        let entry = entry.ctx("read", dir)?;
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        if atomic::is_ignored_name(name) {
            continue;
        }
        // A file removed between listing and stat is simply not there.
        let Ok(meta) = entry.metadata() else { continue };
        // A link in place of incident.md or postmortem.md is stamped too (its own times): it
        // is no file to read, but the reader must meet it to say so.
        let refused_link = meta.is_symlink() && prefix.is_empty() && [INCIDENT_FILE, POSTMORTEM_FILE].contains(&name);
        if meta.is_file() || refused_link {
            digests.push(file_digest(prefix, name, &meta));
            if prefix != steps::STEPS_DIR {
                let rel = if prefix.is_empty() { name.to_string() } else { format!("{prefix}/{name}") };
                files.push(Stamp { rel, len: meta.len() });
            }
        } else if meta.is_dir()
            && prefix.is_empty()
            && WATCHED_DIRS.contains(&name)
            && (steps || name != steps::STEPS_DIR)
        {
            walk(&entry.path(), name, steps, digests, files)?;
        }
    }
    Ok(())
}

/// A file of an incident folder (`postmortem.md`), `None` when it is not there. A symbolic
/// link is refused, not followed: what it leads to could be published.
pub fn read_incident_text(path: &Path) -> Result<Option<Vec<u8>>> {
    match atomic::read_no_follow(path) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) if atomic::is_link(&e) => Err(Error::user(format!("{}: {}", path.display(), atomic::LINK_NOT_READ))),
        Err(e) => Err(Error::io("read", path, e)),
    }
}

/// The fingerprint of an incident from its folder name and file digests.
pub fn fingerprint(slug: &str, digests: &mut [u64]) -> String {
    digests.sort_unstable();
    let mut hash = Sha256::new();
    hash.update(slug.as_bytes());
    hash.update([0]);
    for d in digests.iter() {
        hash.update(d.to_le_bytes());
    }
    hex::encode(&hash.finalize()[..16])
}

impl Vault {
    /// Size and time of every file of an incident: `incident.md`, `postmortem.md`, and the
    /// files of `steps/`, `outputs/` and `attachments/` (temp files and dotfiles skipped).
    pub fn stamps(&self, incident: &IncidentRef) -> Result<Stamps> {
        let mut digests = Vec::with_capacity(64);
        let mut files = Vec::new();
        walk(&incident.dir, "", true, &mut digests, &mut files)?;
        let fingerprint = fingerprint(&incident.slug, &mut digests);
        Ok(Stamps { files, fingerprint })
    }

    /// Loads an incident and stamps its folder in one pass: each step file's size and time
    /// come from the open file, so no file is looked up twice. Same stamps as [`Vault::stamps`].
    /// `None`: the folder holds no `incident.md`, so it is no incident.
    pub fn load_stamped(&self, incident: &IncidentRef) -> Result<Option<(super::Loaded, Stamps)>> {
        Ok(self.load_stamped_with_sources(incident)?.map(|(loaded, stamps, _)| (loaded, stamps)))
    }

    /// [`Vault::load_stamped`], and the sources of the incident's postmortem, when it has
    /// one (to tell whether it is stale without reading the steps again).
    #[allow(clippy::type_complexity)]
    pub fn load_stamped_with_sources(
        &self,
        incident: &IncidentRef,
    ) -> Result<Option<(super::Loaded, Stamps, Option<super::Sources>)>> {
        let mut digests = Vec::with_capacity(64);
        let mut files = Vec::new();
        walk(&incident.dir, "", false, &mut digests, &mut files)?;
        if !files.iter().any(|f| f.rel == INCIDENT_FILE) {
            return Ok(None);
        }
        let mut sources = files.iter().any(|f| f.rel == POSTMORTEM_FILE).then(super::Sources::default);
        let loaded = self.load_inner(incident, sources.as_mut(), Some(&mut digests))?;
        let fingerprint = fingerprint(&incident.slug, &mut digests);
        Ok(Some((loaded, Stamps { files, fingerprint }, sources)))
    }

    /// Folder names under `incidents/`, sorted, without looking inside them: a folder
    /// without `incident.md` is not an incident, which [`Stamps::is_incident`] tells.
    pub fn incident_folders(&self) -> Result<Vec<String>> {
        Ok(self.folder_names()?.names)
    }

    /// [`Vault::incident_folders`], the folders whose name is not UTF-8 (no tool could
    /// name them; the strays say so), and the Markdown files beside them (Obsidian's
    /// `Untitled.md`: read by nothing), in one listing of `incidents/`.
    pub(super) fn folder_names(&self) -> Result<super::strays::Folders> {
        let root = self.incidents_dir();
        let Some(entries) = atomic::read_dir_if_any(&root)? else { return Ok(Default::default()) };
        let (mut names, mut odd, mut loose, mut links) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for entry in entries {
            let entry = entry.ctx("read", &root)?;
            // The listing's own type (no stat): a link is not followed, whatever it leads to.
            let kind = entry.file_type().ok();
            if !kind.is_some_and(|t| t.is_dir()) {
                let name = entry.file_name();
                let name = name.to_string_lossy();
                if super::incidents::is_markdown_name(&name) && !atomic::is_ignored_name(&name) {
                    loose.push(entry.path());
                } else if kind.is_some_and(|t| t.is_symlink()) && !atomic::is_ignored_name(&name) {
                    links.push(name.into_owned());
                }
                continue;
            }
            match entry.file_name().to_str() {
                Some(name) if !atomic::is_ignored_name(name) => names.push(name.to_string()),
                Some(_) => {}
                None if !entry.file_name().as_encoded_bytes().starts_with(b".") => odd.push(entry.path()),
                None => {}
            }
        }
        names.sort();
        odd.sort();
        loose.sort();
        links.sort();
        Ok(super::strays::Folders { names, odd, loose, links })
    }

    /// The body of the incident's `postmortem.md`, if it has one.
    pub fn postmortem_text(&self, incident: &IncidentRef) -> Result<Option<String>> {
        let path = incident.dir.join(POSTMORTEM_FILE);
        let Some(bytes) = read_incident_text(&path)? else { return Ok(None) };
        let text = frontmatter::normalize(&bytes).map_err(|e| e.in_file(&path, None))?;
        // Generated postmortems carry frontmatter; a hand-written one may not.
        let body = match frontmatter::split(&text) {
            Ok(parts) => parts.body.to_string(),
            Err(_) => text.into_owned(),
        };
        Ok(Some(body))
    }

    /// A file of an incident folder by its relative path (`outputs/x.out`), if that path
    /// stays inside the folder.
    pub fn incident_file(&self, incident: &IncidentRef, rel: &str) -> Option<std::path::PathBuf> {
        let mut path = incident.dir.clone();
        for part in rel.split('/') {
            path = atomic::child(&path, part)?;
        }
        Some(path)
    }

    /// The `incident.md` of an incident, for messages.
    pub fn incident_md(&self, incident: &IncidentRef) -> std::path::PathBuf {
        incident.dir.join(INCIDENT_FILE)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamp_digests_are_the_same_in_every_build() {
        // Pinned: a digest kept in a cache must not change with the compiler.
        // fnv1a64(b"steps\0a.md\0" + 5u64 + 7u128 + 9i64 + 11i64, all LE).
        assert_eq!(stamp_digest("steps", "a.md", 5, 7, (9, 11)), 0x5f28_b2f7_adc1_9606);
        assert_ne!(stamp_digest("steps", "a.md", 5, 7, (9, 12)), stamp_digest("steps", "a.md", 5, 7, (9, 11)));
        assert_ne!(stamp_digest("step", "sa.md", 5, 7, (9, 11)), stamp_digest("steps", "a.md", 5, 7, (9, 11)));
    }

    #[test]
    fn fingerprints_follow_every_change() {
        let dir = tempfile::tempdir().unwrap();
        let vault = Vault::open(&{
            Vault::init(dir.path()).unwrap();
            dir.path().to_path_buf()
        })
        .unwrap();
        let inc = dir.path().join("incidents/a");
        fs::create_dir_all(inc.join("steps")).unwrap();
        fs::write(inc.join("incident.md"), "---\ntitle: a\nat: 2025-10-05T08:00:00Z\n---\n").unwrap();
        let r = IncidentRef { slug: "a".to_string(), dir: inc.clone() };
        let first = vault.stamps(&r).unwrap();
        assert!(first.has("incident.md"));
        fs::write(inc.join("steps/.incident-tmp-x"), "half").unwrap();
        fs::write(inc.join("steps/x.md~"), "backup").unwrap();
        assert_eq!(vault.stamps(&r).unwrap().fingerprint, first.fingerprint, "temp files do not count");
        fs::write(inc.join("steps/1.md"), "x").unwrap();
        let second = vault.stamps(&r).unwrap();
        assert_ne!(second.fingerprint, first.fingerprint);
        fs::write(inc.join("steps/1.md"), "xy").unwrap();
        assert_ne!(vault.stamps(&r).unwrap().fingerprint, second.fingerprint);
        assert_eq!(vault.incident_file(&r, "outputs/../x"), None);
        assert_eq!(vault.incident_file(&r, "outputs/a.out"), Some(inc.join("outputs/a.out")));
        fs::create_dir_all(inc.join("outputs")).unwrap();
        fs::write(inc.join("outputs/a.out"), "x").unwrap();
        assert_eq!(vault.stamps(&r).unwrap().under("outputs"), ["outputs/a.out"]);
        assert_eq!(vault.postmortem_text(&r).unwrap(), None);
        fs::write(inc.join("postmortem.md"), "---\ngenerated: true\n---\n\n# PM\n").unwrap();
        assert_eq!(vault.postmortem_text(&r).unwrap().as_deref(), Some("# PM\n"));
    }

    #[test]
    fn a_stamped_load_stamps_like_a_look() {
        let dir = tempfile::tempdir().unwrap();
        Vault::init(dir.path()).unwrap();
        let vault = Vault::open(dir.path()).unwrap();
        let inc = dir.path().join("incidents/a");
        let r = IncidentRef { slug: "a".to_string(), dir: inc.clone() };
        fs::create_dir_all(inc.join("steps/sub")).unwrap();
        assert!(vault.load_stamped(&r).unwrap().is_none(), "no incident.md: no incident");
        fs::write(inc.join("incident.md"), "---\ntitle: a\nat: 2025-10-05T08:00:00Z\n---\n").unwrap();
        let step = "---\nkind: note\nat: 2025-10-05T08:01:00Z\n---\n\nhello\n";
        fs::write(inc.join("steps/20251005T080100Z-note-aaaaaa.md"), step).unwrap();
        fs::write(inc.join("steps/20251005T080200Z-note-bbbbbb.md"), "no frontmatter").unwrap();
        fs::write(inc.join("steps/notes.txt"), "not a step, still a change").unwrap();
        fs::write(inc.join("steps/.incident-tmp-x"), "half").unwrap();
        std::os::unix::fs::symlink("notes.txt", inc.join("steps/link.md")).unwrap();
        fs::create_dir_all(inc.join("outputs")).unwrap();
        fs::write(inc.join("outputs/a.out"), "x").unwrap();
        let (loaded, stamps) = vault.load_stamped(&r).unwrap().unwrap();
        let looked = vault.stamps(&r).unwrap();
        assert_eq!(stamps.fingerprint, looked.fingerprint);
        assert_eq!(stamps.files, looked.files);
        assert_eq!(loaded.incident.steps.len(), 1);
        assert_eq!(loaded.warnings.len(), 2, "{:?}", loaded.warnings);
        fs::write(inc.join("steps/notes.txt"), "changed").unwrap();
        let (_, again) = vault.load_stamped(&r).unwrap().unwrap();
        assert_ne!(again.fingerprint, stamps.fingerprint);
        assert_eq!(again.fingerprint, vault.stamps(&r).unwrap().fingerprint);
    }
}
