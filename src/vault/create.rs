//! Creating an incident folder: whole, under its final name, or not at all.

use std::fs;
use std::io;
use std::path::Path;

use super::incidents::{INCIDENT_FILE, IncidentRef};
use super::{Vault, atomic, slug};
use crate::error::{Error, IoContext, Result};
use crate::frontmatter;
use crate::model::IncidentMeta;

impl Vault {
    /// Creates `incidents/<date>-<slug>/incident.md`; a taken name gets `-2`, `-3`, ….
    /// The folder is made under a hidden temp name and renamed into place with its
    /// `incident.md`: a full disk or a `kill -9` leaves no empty incident folder behind
    /// (which would have pushed the retry to `-2`).
    pub fn create_incident(&self, meta: &mut IncidentMeta, summary: &str) -> Result<IncidentRef> {
        let base = format!("{}-{}", meta.at.format("%Y-%m-%d"), slug::slugify(&meta.title));
        let root = self.incidents_dir();
        fs::create_dir_all(&root).ctx("create", &root)?;
        remove_stale_temp_folders(&root);
        // Removed with what it holds unless renamed into place.
        let tmp = tempfile::Builder::new()
            .prefix(atomic::TEMP_PREFIX)
            .permissions(std::os::unix::fs::PermissionsExt::from_mode(0o777))
            .tempdir_in(&root)
            .ctx("create a folder in", &root)?;
        for n in 1..1000 {
            let name = if n == 1 { base.clone() } else { format!("{base}-{n}") };
            let dir = root.join(&name);
            if fs::symlink_metadata(&dir).is_ok() && !is_empty_folder(&dir) {
                continue;
            }
            meta.id = name.clone();
            let text = frontmatter::render(meta, summary);
            // An error names the file where it was meant to be, not the temp folder.
            atomic::write_replace(&tmp.path().join(INCIDENT_FILE), text.as_bytes()).map_err(|e| match e {
                Error::Io { action, source, .. } => Error::Io { action, path: dir.join(INCIDENT_FILE), source },
                other => other,
            })?;
            // Taken meanwhile (another `start`): the rename fails, try the next name. An
            // empty folder in the way (an older version's kill -9) holds nothing to lose.
            match fs::rename(tmp.path(), &dir) {
                Ok(()) => {
                    let _ = tmp.keep();
                    atomic::sync_dir(&root);
                    return Ok(IncidentRef { slug: name, dir });
                }
                Err(e) if is_taken(&e) => continue,
                Err(e) => return Err(Error::io("create", &dir, e)),
            }
        }
        Err(Error::user(format!("too many incidents named {base} in {}", root.display())))
    }
}

/// A folder `rename` cannot replace: someone else's incident.
fn is_taken(e: &io::Error) -> bool {
    matches!(e.raw_os_error(), Some(libc::ENOTEMPTY) | Some(libc::EEXIST) | Some(libc::ENOTDIR) | Some(libc::EISDIR))
}

fn is_empty_folder(dir: &Path) -> bool {
    fs::read_dir(dir).is_ok_and(|mut entries| entries.next().is_none())
}

/// Temp folders of a `start` killed before its rename (hidden from every reader): gone
/// after an hour, when no `start` can still be filling them.
fn remove_stale_temp_folders(root: &Path) {
    const STALE: std::time::Duration = std::time::Duration::from_secs(3600);
    let Ok(entries) = fs::read_dir(root) else { return };
    for entry in entries.flatten() {
        let stale = entry.file_name().to_str().is_some_and(|n| n.starts_with(atomic::TEMP_PREFIX))
            && entry.file_type().is_ok_and(|t| t.is_dir())
            && entry.metadata().and_then(|m| m.modified()).is_ok_and(|t| t.elapsed().is_ok_and(|age| age > STALE));
        if stale {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}
