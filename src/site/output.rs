//! The output folder: pages written whole (a temp file and a rename), looked up and
//! removed. Lookups go relative to the folder opened once: a re-publish checks thousands
//! of pages, and each lookup from `/` would walk the whole path again.

use std::fs;
use std::io::Write;
use std::os::fd::OwnedFd;
use std::path::{Path, PathBuf};

use rustix::fs::{AtFlags, FileType, Mode, OFlags};

use super::plan;
use crate::error::{Error, IoContext, Result};
use crate::vault::atomic;

/// Writes `bytes` to `out/path` through a temp file and a rename: a reader (the `serve`
/// server, a browser) never sees half a page. No fsync: the site is derived.
pub fn write_file(out: &Path, path: &str, bytes: &[u8]) -> Result<()> {
    write_file_with(out, path, |w| w.write_all(bytes))
}

/// [`write_file`] with the bytes written by `fill`.
pub fn write_file_with(out: &Path, path: &str, fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> Result<()> {
    let target = out.join(path);
    let mut tmp = temp_beside(out, target.parent().unwrap_or(out))?;
    fill(&mut tmp).ctx("write", &target)?;
    tmp.persist(&target).map_err(|e| Error::io("write", &target, e.error))?;
    Ok(())
}

/// Copies a vault file to `out/path` as [`write_file`] writes: through a temp file beside it.
pub fn copy_file(from: &Path, out: &Path, path: &str) -> Result<()> {
    let target = out.join(path);
    let tmp = temp_beside(out, target.parent().unwrap_or(out))?;
    // fs::copy keeps the kernel's fast path; the error names the side that failed.
    if let Err(e) = fs::copy(from, tmp.path()) {
        return Err(match fs::metadata(from) {
            Ok(_) => Error::io("write", &target, e),
            Err(_) => Error::io("read", from, e),
        });
    }
    tmp.persist(&target).map_err(|e| Error::io("write", &target, e.error))?;
    Ok(())
}

/// A temp file in `dir` (made if missing), readable like any file the user writes (0666
/// less the umask), not 0600 like a temp file: a web server must be able to serve it.
fn temp_beside(out: &Path, dir: &Path) -> Result<tempfile::NamedTempFile> {
    folder_in(out, dir)?;
    tempfile::Builder::new()
        .prefix(atomic::TEMP_PREFIX)
        .permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666))
        .tempfile_in(dir)
        .ctx("create a file in", dir)
}

/// Folders of output folders made or found to be folders (not links) since the last
/// [`forget_folders`]: a publish writes thousands of files into a few folders, so each is
/// looked at once, not once per file.
static FOLDERS: std::sync::Mutex<Option<std::collections::HashSet<PathBuf>>> = std::sync::Mutex::new(None);

/// Forgets the folders looked at: each publish looks again (`serve` publishes many times,
/// and a folder may have been replaced in between).
pub fn forget_folders() {
    *FOLDERS.lock().unwrap_or_else(|e| e.into_inner()) = None;
}

/// Makes `dir` (inside `out`) and the folders between, refusing a symbolic link among them:
/// the site is not written through a link to somewhere else (`out` itself may be one: the
/// user named it).
fn folder_in(out: &Path, dir: &Path) -> Result<()> {
    let mut known = FOLDERS.lock().unwrap_or_else(|e| e.into_inner());
    let known = known.get_or_insert_with(Default::default);
    if known.contains(dir) {
        return Ok(());
    }
    if !known.contains(out) {
        fs::create_dir_all(out).ctx("create", out)?;
        known.insert(out.to_path_buf());
    }
    let Ok(rel) = dir.strip_prefix(out) else { return fs::create_dir_all(dir).ctx("create", dir) };
    let mut path = out.to_path_buf();
    for part in rel.components() {
        path.push(part);
        if known.contains(&path) {
            continue;
        }
        match fs::create_dir(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                let meta = fs::symlink_metadata(&path).ctx("read", &path)?;
                if meta.is_symlink() {
                    return Err(Error::user_hint(
                        format!("{} is a symbolic link; the site is not written through it", path.display()),
                        "remove the link (publish makes the folder), or replace it with a folder",
                    ));
                }
                if !meta.is_dir() {
                    return Err(Error::user_hint(
                        format!("{} is not a folder, and the site needs one there", path.display()),
                        "move it aside, or publish somewhere else with --out",
                    ));
                }
            }
            Err(e) => return Err(Error::io("create", &path, e)),
        }
        known.insert(path.clone());
    }
    Ok(())
}

/// Removes a file the last publish wrote, and the folders it leaves empty
/// (`incidents/<dir>/outputs`, `incidents/<dir>`, `tags/<tag>`). Only paths that stay
/// inside `out` are touched.
pub fn remove(out: &Path, path: &str) -> bool {
    if !plan::removable(path) || through_link(out, path) {
        return false;
    }
    let target = out.join(path);
    let removed = fs::remove_file(&target).is_ok();
    let mut dir = target.parent();
    while let Some(d) = dir {
        if d == out || fs::remove_dir(d).is_err() {
            break;
        }
        dir = d.parent();
    }
    removed
}

/// A folder on the way from `out` to `path` is a symbolic link: what it leads to is not
/// the site's, so nothing there is removed (a lookup per folder, but removals are few).
fn through_link(out: &Path, path: &str) -> bool {
    let mut dir = out.to_path_buf();
    let folders = path.split('/').collect::<Vec<_>>();
    folders[..folders.len() - 1].iter().any(|part| {
        dir.push(part);
        fs::symlink_metadata(&dir).is_ok_and(|m| m.is_symlink())
    })
}

/// The folders of the output folder that are the publisher's own.
pub const OWN_FOLDERS: [&str; 4] = ["incidents", "tags", "services", "assets"];

/// Written at the top of a folder this tool publishes into while it is empty (or already
/// ours): only such a folder is ever swept. Someone else's folder is written into, never
/// cleaned.
pub const MARKER: &str = ".incident-site";
const MARKER_TEXT: &str = "Published by `incident publish`: it removes files of its own parts of this folder \
(incidents/, tags/, services/, assets/, index pages, feed, search index) that it did not write.\n";

/// The folder carries the marker of a site this tool published.
pub fn is_marked(out: &Path) -> bool {
    out.join(MARKER).is_file()
}

/// Claims a folder that is ours or was empty (see [`MARKER`]).
pub fn mark_ours(out: &Path) -> Result<()> {
    if out.join(MARKER).is_file() {
        return Ok(());
    }
    write_file(out, MARKER, MARKER_TEXT.as_bytes())
}

/// The warning for a publish into a folder not empty and not marked as ours: the files
/// there named as the site's own are replaced (the rest left alone). `None` when it holds
/// none of them.
pub fn adopted_warning(out: &Path) -> Option<crate::vault::Warning> {
    let mut names: Vec<String> = fs::read_dir(out)
        .ok()?
        .flatten()
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| own_top_file(n) || OWN_FOLDERS.contains(&n.as_str()))
        .map(|n| if OWN_FOLDERS.contains(&n.as_str()) { format!("{n}/") } else { n })
        .collect();
    if names.is_empty() {
        return None;
    }
    names.sort();
    let message = format!(
        "not empty and not made by `incident publish` (no {MARKER}): the site's files in it are replaced ({}); \
         other files are left alone. To keep your files apart, publish into an empty folder or another --out",
        names.join(", ")
    );
    Some(crate::vault::Warning { path: out.to_path_buf(), line: 0, message })
}

/// A file at the top of the output folder that a publish writes (`index-7.html`, …).
fn own_top_file(name: &str) -> bool {
    matches!(name, "index.html" | "feed.xml" | "search-index.json" | "search-index.js")
        || name
            .strip_prefix("index-")
            .and_then(|n| n.strip_suffix(".html"))
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// Removes from the publisher's own parts of `out` (see [`OWN_FOLDERS`], the index pages,
/// the feed, the search index) every file not in `keep`, and the folders left empty:
/// for when no record says what an earlier publish wrote there. Nothing else is touched.
/// Returns the site paths removed.
pub fn sweep(out: &Path, keep: &dyn Fn(&str) -> bool) -> Vec<String> {
    let mut removed = Vec::new();
    let Ok(top) = fs::read_dir(out) else { return removed };
    for e in top.flatten() {
        let Ok(name) = e.file_name().into_string() else { continue };
        let Ok(kind) = e.file_type() else { continue };
        if kind.is_dir() && OWN_FOLDERS.contains(&name.as_str()) {
            sweep_dir(&e.path(), &name, keep, &mut removed);
        } else if !kind.is_dir() && own_top_file(&name) && !keep(&name) && fs::remove_file(e.path()).is_ok() {
            removed.push(name);
        }
    }
    removed.sort();
    removed
}

/// [`sweep`] below one folder (`rel` is its site path); a link is removed, never followed.
fn sweep_dir(dir: &Path, rel: &str, keep: &dyn Fn(&str) -> bool, removed: &mut Vec<String>) {
    let Ok(list) = fs::read_dir(dir) else { return };
    for e in list.flatten() {
        let Ok(name) = e.file_name().into_string() else { continue };
        let Ok(kind) = e.file_type() else { continue };
        let path = format!("{rel}/{name}");
        if kind.is_dir() {
            sweep_dir(&e.path(), &path, keep, removed);
        } else if !keep(&path) && fs::remove_file(e.path()).is_ok() {
            removed.push(path);
        }
    }
    // Only succeeds when it is empty now.
    let _ = fs::remove_dir(dir);
}

/// The output folder, opened for lookups.
pub struct OutDir {
    path: PathBuf,
    fd: Option<OwnedFd>,
}

impl OutDir {
    pub fn open(path: &Path) -> OutDir {
        let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC;
        OutDir { path: path.to_path_buf(), fd: rustix::fs::open(path, flags, Mode::empty()).ok() }
    }

    /// `rel` (a site path like `incidents/a/index.html`) is a file there, as `Path::is_file` tells.
    pub fn has_file(&self, rel: &str) -> bool {
        match &self.fd {
            Some(fd) => rustix::fs::statat(fd, rel, AtFlags::empty())
                .is_ok_and(|st| FileType::from_raw_mode(st.st_mode) == FileType::RegularFile),
            None => self.path.join(rel).is_file(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_found_relative_to_the_folder() {
        let dir = tempfile::tempdir().unwrap();
        write_file(dir.path(), "incidents/a/index.html", b"<p>a</p>").unwrap();
        fs::create_dir_all(dir.path().join("tags/x")).unwrap();
        std::os::unix::fs::symlink("incidents/a/index.html", dir.path().join("link.html")).unwrap();
        let out = OutDir::open(dir.path());
        assert!(out.has_file("incidents/a/index.html"));
        assert!(out.has_file("link.html"), "a link to a file counts, as with is_file");
        assert!(!out.has_file("tags/x"), "a folder is no file");
        assert!(!out.has_file("incidents/b/index.html"));
        let gone = OutDir::open(&dir.path().join("nowhere"));
        assert!(!gone.has_file("incidents/a/index.html"));
        assert!(remove(dir.path(), "incidents/a/index.html"));
        assert!(!dir.path().join("incidents").exists(), "empty folders go too");
        assert!(!remove(dir.path(), "../escape"));
    }

    #[test]
    fn nothing_is_removed_through_a_symlinked_folder() {
        let dir = tempfile::tempdir().unwrap();
        let (out, victim) = (dir.path().join("out"), dir.path().join("victim"));
        fs::create_dir_all(victim.join("a")).unwrap();
        fs::write(victim.join("a/index.html"), "theirs").unwrap();
        fs::create_dir(&out).unwrap();
        std::os::unix::fs::symlink("../victim", out.join("incidents")).unwrap();
        assert!(!remove(&out, "incidents/a/index.html"));
        assert!(victim.join("a/index.html").is_file());
        write_file(&out, "tags/x/index.html", b"x").unwrap();
        assert!(remove(&out, "tags/x/index.html"), "a real folder still is");
    }

    #[test]
    fn a_sweep_removes_only_unwritten_files_of_its_own_parts() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        for f in [
            "index.html",
            "index-2.html",
            "index-x.html",
            "feed.xml",
            "about.html",
            "incidents/a/index.html",
            "incidents/gone/index.html",
            "incidents/gone/outputs/1.out.txt",
            "tags/old/index.html",
            "assets/site.css",
            "mine/notes.txt",
        ] {
            write_file(d, f, b"x").unwrap();
        }
        let keep = ["index.html", "feed.xml", "incidents/a/index.html", "assets/site.css"];
        assert_eq!(
            sweep(d, &|p| keep.contains(&p)),
            ["incidents/gone/index.html", "incidents/gone/outputs/1.out.txt", "index-2.html", "tags/old/index.html"]
        );
        assert!(!d.join("incidents/gone").exists() && !d.join("tags").exists());
        for stays in ["index.html", "index-x.html", "about.html", "incidents/a/index.html", "mine/notes.txt"] {
            assert!(d.join(stays).is_file(), "{stays}");
        }
    }
}
