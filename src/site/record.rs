//! The record of the last publish, `.incident/site-cache`, in two parts: what each
//! incident's pages were made from (decoded on every re-publish), then the index entries
//! (decoded only when a list page must be made again, and copied as they are otherwise).
//! A lost or unreadable record only means a full publish.

use std::fs;
use std::io::Write;
use std::path::Path;

use super::entry::Entry;
use super::output::write_file_with;
use super::plan::{CACHE_VERSION, Cache};
use crate::error::Result;

/// The last publish's record, as read.
#[derive(Debug, Default)]
pub struct Record {
    pub cache: Cache,
    /// There was a record of this version.
    pub found: bool,
    bytes: Vec<u8>,
    /// Where the entries start in `bytes`.
    entries_at: usize,
}

/// The entries part of the record to write.
pub enum Entries<'a> {
    /// Unchanged: the last record's bytes, copied.
    Same(&'a Record),
    New(&'a [Entry]),
}

impl Record {
    /// The record at `path`; an empty one when there is none, or it is of another version
    /// or cannot be read.
    pub fn read(path: Option<&Path>) -> Record {
        let Some(bytes) = path.and_then(|p| fs::read(p).ok()) else { return Record::default() };
        match postcard::take_from_bytes::<Cache>(&bytes) {
            Ok((cache, rest)) if cache.version == CACHE_VERSION => {
                let entries_at = bytes.len() - rest.len();
                Record { cache, found: true, bytes, entries_at }
            }
            _ => Record::default(),
        }
    }

    /// The index entries of the incidents published last time, newest first; `None` when
    /// that part cannot be read (the record was damaged).
    pub fn entries(&self) -> Option<Vec<Entry>> {
        if !self.found {
            return Some(Vec::new());
        }
        postcard::from_bytes(&self.bytes[self.entries_at..]).ok()
    }
}

/// Replaces the record at `path` (atomically, not synced: it is derived).
pub fn write(path: &Path, cache: &Cache, entries: Entries) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir).map_err(|e| crate::error::Error::io("create", dir, e))?;
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("site-cache");
    write_file_with(dir, name, |w| {
        let mut w = std::io::BufWriter::with_capacity(1 << 16, w);
        postcard::to_io(cache, &mut w).map_err(std::io::Error::other)?;
        match entries {
            Entries::Same(last) => w.write_all(&last.bytes[last.entries_at..])?,
            Entries::New(entries) => {
                postcard::to_io(entries, &mut w).map_err(std::io::Error::other)?;
            }
        }
        w.flush()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::site::entry::sample as entry;
    use crate::site::plan::CachedIncident;

    #[test]
    fn entries_are_read_back_written_anew_or_copied() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state/site-cache");
        assert!(!Record::read(Some(&path)).found, "no record yet");
        let mut cache = Cache { version: CACHE_VERSION, out: "/o".into(), settings: "s".into(), ..Cache::default() };
        cache.incidents.insert(
            "a".into(),
            CachedIncident { fingerprint: "fa".into(), listed: Some((1, 2)), files: vec!["x".into()] },
        );
        write(&path, &cache, Entries::New(&[entry("a"), entry("b")])).unwrap();
        let first = Record::read(Some(&path));
        assert!(first.found);
        assert_eq!(first.cache, cache);
        assert_eq!(first.entries().unwrap(), [entry("a"), entry("b")]);

        cache.incidents.get_mut("a").unwrap().fingerprint = "fa2".into();
        write(&path, &cache, Entries::Same(&first)).unwrap();
        let second = Record::read(Some(&path));
        assert_eq!(second.cache.incidents["a"].fingerprint, "fa2");
        assert_eq!(second.entries().unwrap(), [entry("a"), entry("b")], "copied as they were");
    }

    #[test]
    fn a_damaged_or_older_record_reads_as_none() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("site-cache");
        let cache = Cache { version: CACHE_VERSION, ..Cache::default() };
        write(&path, &cache, Entries::New(&[entry("a")])).unwrap();
        let bytes = fs::read(&path).unwrap();
        // The entries cut short: the plan part still reads, the entries do not.
        fs::write(&path, &bytes[..bytes.len() - 5]).unwrap();
        let cut = Record::read(Some(&path));
        assert!(cut.found);
        assert_eq!(cut.entries(), None);
        fs::write(&path, b"\xff\xff garbage").unwrap();
        assert!(!Record::read(Some(&path)).found);
        let old = Cache { version: CACHE_VERSION - 1, ..Cache::default() };
        write(&path, &old, Entries::New(&[])).unwrap();
        assert!(!Record::read(Some(&path)).found, "another version is no record");
    }
}
