//! What a re-publish must redo, decided from the last publish's record (kept in
//! `.incident/site-cache`, see [`super::record`]) and the incidents' fingerprints now. Pure.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::vault::Warning;
use std::path::Path;

/// Bumped when the cache's meaning changes: an old cache then means a full publish.
pub const CACHE_VERSION: u32 = 12; // 12: links to other incidents, kept to be checked (11: "lines shown"; embeds by the name attached under)

/// What the last publish wrote.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Cache {
    pub version: u32,
    /// The output folder it wrote to.
    pub out: String,
    /// Everything the whole site depends on besides the incidents (options, theme, flags).
    pub settings: String,
    pub incidents: BTreeMap<String, CachedIncident>,
    /// Digest of each page made from all entries (index, tags, feed, search, assets).
    pub lists: BTreeMap<String, String>,
    /// Which entries file was written with this record ([`super::record`]).
    pub entries_id: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CachedIncident {
    /// The fingerprint its pages were made from; empty when it had unreadable files (so
    /// it is read again next time).
    pub fingerprint: String,
    /// Digests of its index entry ([`super::lists::entry_digests`]), when it is published:
    /// while they stay the same, no list page changes.
    pub listed: Option<(u64, u64)>,
    /// The site files written for it.
    pub files: Vec<String>,
    /// Why it is not on the site (`open`, `internal`): still said when nothing changed.
    pub left_out: Option<String>,
    /// What its last rendering warned of: said again while nothing changed.
    pub warnings: Vec<CachedWarning>,
    /// The other incidents its pages link to, and why each was not on the site then
    /// (`None`: it was): when that changes, its pages are made again ([`super::on_site`]).
    pub links: Vec<(String, Option<String>)>,
}

/// A warning as kept in the record: its path relative to the vault when it was under it
/// (the vault may be reached by another path next time), else as it was given.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CachedWarning {
    pub path: String,
    pub under_root: bool,
    pub line: usize,
    pub message: String,
}

impl CachedWarning {
    /// `None` for a path that is not UTF-8: such a warning is not kept (its incident is
    /// read again next time, to say it again).
    pub fn of(root: &Path, w: &Warning) -> Option<CachedWarning> {
        let (path, under_root) = match w.path.strip_prefix(root) {
            Ok(rel) if root.is_absolute() => (rel, true),
            _ => (w.path.as_path(), false),
        };
        Some(CachedWarning { path: path.to_str()?.to_string(), under_root, line: w.line, message: w.message.clone() })
    }

    pub fn warning(&self, root: &Path) -> Warning {
        let path = if self.under_root { root.join(&self.path) } else { self.path.clone().into() };
        Warning { path, line: self.line, message: self.message.clone() }
    }
}

/// The decision.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Plan {
    /// Incidents to read and render again.
    pub render: Vec<String>,
    /// Incidents whose pages stand: their recorded entries are reused.
    pub keep: Vec<String>,
    /// Incidents gone from the vault: their files are removed.
    pub gone: Vec<String>,
    /// Nothing of the last publish can be trusted (other settings, other folder, no cache).
    pub full: bool,
}

/// `now` maps each incident to its fingerprint, or `None` when it was not looked at (a
/// watcher knows which incidents changed; the others are kept as they were).
pub fn plan(cache: &Cache, out: &str, settings: &str, now: &BTreeMap<String, Option<String>>) -> Plan {
    let full = cache.version != CACHE_VERSION || cache.out != out || cache.settings != settings;
    let mut plan = Plan { full, ..Plan::default() };
    for (slug, fingerprint) in now {
        let cached = cache.incidents.get(slug);
        let unchanged = !full
            && cached
                .is_some_and(|c| !c.fingerprint.is_empty() && fingerprint.as_ref().is_none_or(|f| *f == c.fingerprint));
        if unchanged { plan.keep.push(slug.clone()) } else { plan.render.push(slug.clone()) }
    }
    plan.gone = cache.incidents.keys().filter(|slug| !now.contains_key(*slug)).cloned().collect();
    plan
}

/// Files written last time that this publish did not write again: to be removed.
pub fn stale<'a>(before: impl IntoIterator<Item = &'a String>, after: &BTreeSet<&str>) -> Vec<String> {
    let mut out: Vec<String> = before.into_iter().filter(|f| !after.contains(f.as_str())).cloned().collect();
    out.sort();
    out.dedup();
    out
}

/// A site path from the cache that is safe to delete under the output folder.
pub fn removable(path: &str) -> bool {
    !path.is_empty()
        && !path.starts_with('/')
        && path.split('/').all(|part| !part.is_empty() && part != "." && part != ".." && !part.contains(['\\', '\0']))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cached(fp: &str, files: &[&str]) -> CachedIncident {
        CachedIncident {
            left_out: None,
            warnings: Vec::new(),
            fingerprint: fp.to_string(),
            listed: None,
            files: files.iter().map(|s| s.to_string()).collect(),
            links: Vec::new(),
        }
    }

    fn cache() -> Cache {
        let mut c = Cache { version: CACHE_VERSION, out: "/o".into(), settings: "s".into(), ..Cache::default() };
        c.incidents.insert("a".into(), cached("fa", &["incidents/a/index.html"]));
        c.incidents.insert("b".into(), cached("fb", &["incidents/b/index.html"]));
        c.incidents.insert("c".into(), cached("", &["incidents/c/index.html"]));
        c
    }

    fn now(pairs: &[(&str, Option<&str>)]) -> BTreeMap<String, Option<String>> {
        pairs.iter().map(|(s, f)| (s.to_string(), f.map(str::to_string))).collect()
    }

    #[test]
    fn only_changed_new_and_unreadable_incidents_render() {
        let p = plan(
            &cache(),
            "/o",
            "s",
            &now(&[("a", Some("fa")), ("b", Some("fb2")), ("c", Some("fc")), ("d", Some("fd"))]),
        );
        assert_eq!(
            p,
            Plan {
                render: vec!["b".into(), "c".into(), "d".into()],
                keep: vec!["a".into()],
                gone: vec![],
                full: false
            }
        );
    }

    #[test]
    fn deleted_incidents_are_gone() {
        let p = plan(&cache(), "/o", "s", &now(&[("a", Some("fa"))]));
        assert_eq!(p.gone, ["b", "c"]);
        assert_eq!(p.keep, ["a"]);
    }

    #[test]
    fn unlooked_incidents_are_kept() {
        let p = plan(&cache(), "/o", "s", &now(&[("a", None), ("b", Some("fb2"))]));
        assert_eq!(p.keep, ["a"]);
        assert_eq!(p.render, ["b"]);
    }

    #[test]
    fn other_settings_folder_or_version_render_everything() {
        let all = now(&[("a", Some("fa")), ("b", Some("fb"))]);
        assert!(plan(&cache(), "/o", "other", &all).full);
        assert!(plan(&cache(), "/elsewhere", "s", &all).full);
        let mut old = cache();
        old.version = 0;
        let p = plan(&old, "/o", "s", &all);
        assert!(p.full);
        assert_eq!(p.render, ["a", "b"]);
        assert!(plan(&Cache::default(), "/o", "s", &all).full);
    }

    #[test]
    fn stale_files_and_safe_removal() {
        let before = vec!["x/index.html".to_string(), "x/postmortem.html".to_string()];
        let after: BTreeSet<&str> = ["x/index.html"].into_iter().collect();
        assert_eq!(stale(&before, &after), ["x/postmortem.html"]);
        assert!(removable("incidents/a/index.html"));
        for bad in ["", "/etc/passwd", "../x", "a/../../x", "a//b", "a\\b"] {
            assert!(!removable(bad), "{bad}");
        }
    }
}
