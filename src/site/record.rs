//! The record of the last publish, in two files: `.incident/site-cache`, what each
//! incident's pages were made from (read on every re-publish), and beside it
//! `site-cache.entries`, the index entries (read only when a list page must be made again,
//! written only when an entry changed: they are most of the record's bytes). A lost,
//! damaged or mismatched record only means a full publish.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use super::entry::Entry;
use super::output::write_file_with;
use super::plan::{CACHE_VERSION, Cache};
use crate::error::{Error, Result};

/// The last publish's record, as read.
#[derive(Debug, Default)]
pub struct Record {
    pub cache: Cache,
    /// There was a record of this version.
    pub found: bool,
    entries_file: Option<PathBuf>,
}

/// The file of the entries beside the record `path`.
pub fn entries_file(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".entries");
    path.with_file_name(name)
}

impl Record {
    /// The record at `path`; an empty one when there is none, or it is of another version
    /// or cannot be read.
    pub fn read(path: Option<&Path>) -> Record {
        let Some(path) = path else { return Record::default() };
        let Ok(bytes) = fs::read(path) else { return Record::default() };
        match postcard::from_bytes::<Cache>(&bytes) {
            Ok(cache) if cache.version == CACHE_VERSION => {
                Record { cache, found: true, entries_file: Some(entries_file(path)) }
            }
            _ => Record::default(),
        }
    }

    /// The index entries of the incidents published last time, newest first; `None` when
    /// they cannot be read or are not the ones this record was written with.
    pub fn entries(&self) -> Option<Vec<Entry>> {
        let Some(file) = self.entries_file.as_deref().filter(|_| self.found) else { return Some(Vec::new()) };
        let bytes = fs::read(file).ok()?;
        let (id, entries): (u64, Vec<Entry>) = postcard::from_bytes(&bytes).ok()?;
        (id == self.cache.entries_id).then_some(entries)
    }
}

/// Replaces the record at `path`, and the entries beside it when they are given (they
/// get a new id, so a record never reads another publish's entries). Each file is
/// replaced atomically, not synced: the record is derived.
pub fn write(path: &Path, cache: &mut Cache, entries: Option<&[Entry]>) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir).map_err(|e| Error::io("create", dir, e))?;
    let write = |file: &Path, value: &dyn Fn(&mut dyn Write) -> std::io::Result<()>| {
        let name = file.file_name().and_then(|n| n.to_str()).unwrap_or("site-cache");
        write_file_with(dir, name, |w| {
            let mut w = std::io::BufWriter::with_capacity(1 << 16, w);
            value(&mut w)?;
            w.flush()
        })
    };
    if let Some(entries) = entries {
        cache.entries_id = getrandom::u64().unwrap_or_else(|_| cache.entries_id.wrapping_add(1));
        let id = cache.entries_id;
        write(&entries_file(path), &|w| postcard::to_io(&(id, entries), w).map(|_| ()).map_err(std::io::Error::other))?;
    }
    write(path, &|w| postcard::to_io(&*cache, w).map(|_| ()).map_err(std::io::Error::other))
}

/// Removes the record at `path` and its entries: the next publish reads everything.
pub fn remove(path: &Path) -> Result<()> {
    for file in [path.to_path_buf(), entries_file(path)] {
        match fs::remove_file(&file) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(Error::io("remove", &file, e)),
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::site::entry::sample as entry;
    use crate::site::plan::{CachedIncident, CachedWarning};

    #[test]
    fn entries_are_read_back_written_anew_or_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state/site-cache");
        assert!(!Record::read(Some(&path)).found, "no record yet");
        let mut cache = Cache { version: CACHE_VERSION, out: "/o".into(), settings: "s".into(), ..Cache::default() };
        cache.incidents.insert(
            "a".into(),
            CachedIncident {
                fingerprint: "fa".into(),
                listed: Some((1, 2)),
                files: vec!["x".into()],
                left_out: None,
                warnings: vec![CachedWarning {
                    path: "incidents/a/steps/s.md".into(),
                    under_root: true,
                    line: 3,
                    message: "m".into(),
                }],
                links: vec![("b".into(), None), ("c".into(), Some("it is internal".into()))],
            },
        );
        write(&path, &mut cache, Some(&[entry("a"), entry("b")])).unwrap();
        let first = Record::read(Some(&path));
        assert!(first.found);
        assert_eq!(first.cache, cache);
        assert_eq!(first.entries().unwrap(), [entry("a"), entry("b")]);

        cache.incidents.get_mut("a").unwrap().fingerprint = "fa2".into();
        write(&path, &mut cache, None).unwrap();
        let second = Record::read(Some(&path));
        assert_eq!(second.cache.incidents["a"].fingerprint, "fa2");
        assert_eq!(second.entries().unwrap(), [entry("a"), entry("b")], "kept as they were");
    }

    #[test]
    fn damaged_older_or_mismatched_records_read_as_none() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("site-cache");
        let mut cache = Cache { version: CACHE_VERSION, ..Cache::default() };
        write(&path, &mut cache, Some(&[entry("a")])).unwrap();
        // The entries of another publish (a crash between the two files): not these.
        let theirs = fs::read(entries_file(&path)).unwrap();
        write(&path, &mut cache, Some(&[entry("b")])).unwrap();
        fs::write(entries_file(&path), &theirs).unwrap();
        let mixed = Record::read(Some(&path));
        assert!(mixed.found);
        assert_eq!(mixed.entries(), None);
        // Entries cut short.
        fs::write(entries_file(&path), &theirs[..theirs.len() - 5]).unwrap();
        assert_eq!(Record::read(Some(&path)).entries(), None);
        fs::remove_file(entries_file(&path)).unwrap();
        assert_eq!(Record::read(Some(&path)).entries(), None);

        fs::write(&path, b"\xff\xff garbage").unwrap();
        assert!(!Record::read(Some(&path)).found);
        let mut old = Cache { version: CACHE_VERSION - 1, ..Cache::default() };
        write(&path, &mut old, Some(&[])).unwrap();
        assert!(!Record::read(Some(&path)).found, "another version is no record");
        assert_eq!(Record::default().entries(), Some(Vec::new()));
    }
}
