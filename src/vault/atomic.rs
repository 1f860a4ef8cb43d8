//! Atomic writes: a hidden temp file in the same folder, fsync, rename.
//! A crash at any moment leaves either no file or the whole file.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use tempfile::{Builder, NamedTempFile};

use crate::error::{Error, IoContext, Result};

/// Temp files start with this; readers skip them and `doctor`-style cleanups may remove them.
pub const TEMP_PREFIX: &str = ".incident-tmp-";

/// A hidden temp file in `dir`, to be persisted with [`persist_new`].
pub fn temp_in(dir: &Path) -> Result<NamedTempFile> {
    // 0666 before the umask, like any editor's file: the vault is shared through git.
    Builder::new()
        .prefix(TEMP_PREFIX)
        .permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666))
        .tempfile_in(dir)
        .ctx("create a file in", dir)
}

/// Writes `bytes` to `path`, which must not exist yet. `Ok(false)` when it does.
pub fn write_new(path: &Path, bytes: &[u8]) -> Result<bool> {
    let dir = parent(path);
    let mut tmp = temp_in(dir)?;
    tmp.write_all(bytes).ctx("write", path)?;
    Ok(persist_new(tmp, path)?.is_none())
}

/// fsyncs and renames `tmp` to `path` unless `path` exists: then the temp file
/// comes back (`Ok(Some(tmp))`) for another name.
pub fn persist_new(tmp: NamedTempFile, path: &Path) -> Result<Option<NamedTempFile>> {
    tmp.as_file().sync_all().ctx("write", path)?;
    match tmp.persist_noclobber(path) {
        Ok(_) => {
            sync_dir(parent(path));
            Ok(None)
        }
        Err(e) if e.error.kind() == io::ErrorKind::AlreadyExists => Ok(Some(e.file)),
        Err(e) => Err(Error::io("write", path, e.error)),
    }
}

/// Writes `bytes` to `path`, replacing it atomically (local state only, never steps).
pub fn write_replace(path: &Path, bytes: &[u8]) -> Result<()> {
    replace_with(temp_in(parent(path))?, path, bytes)
}

/// Writes `bytes` to `tmp` (made by [`temp_in`] in `path`'s folder), then renames it over `path`.
pub fn replace_with(mut tmp: NamedTempFile, path: &Path, bytes: &[u8]) -> Result<()> {
    tmp.write_all(bytes).ctx("write", path)?;
    tmp.as_file().sync_all().ctx("write", path)?;
    tmp.persist(path).map_err(|e| Error::io("write", path, e.error))?;
    Ok(())
}

/// Makes a rename durable. Best effort: some file systems refuse to fsync folders.
pub fn sync_dir(dir: &Path) {
    if let Ok(f) = fs::File::open(dir) {
        let _ = f.sync_all();
    }
}

fn parent(path: &Path) -> &Path {
    path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."))
}

/// Reads a file of the vault without following a symbolic link (O_NOFOLLOW): a link could
/// lead out of the vault, and what it reads may be published. A link fails with ELOOP,
/// which [`is_link`] tells.
pub fn read_no_follow(path: &Path) -> io::Result<Vec<u8>> {
    use std::io::Read;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = fs::OpenOptions::new().read(true).custom_flags(libc::O_NOFOLLOW).open(path)?;
    let mut bytes = Vec::with_capacity(file.metadata().map_or(0, |m| m.len() as usize));
    file.read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// The error [`read_no_follow`] gives for a symbolic link.
pub fn is_link(e: &io::Error) -> bool {
    e.raw_os_error() == Some(libc::ELOOP)
}

/// Why a symbolic link in an incident folder is not read, and the fix.
pub const LINK_NOT_READ: &str =
    "not read: a symbolic link (it could lead out of the vault); replace the link with the file itself";

/// Lists `dir` for a vault reader; a folder that is not there lists nothing (`None`).
pub fn read_dir_if_any(dir: &Path) -> Result<Option<fs::ReadDir>> {
    match fs::read_dir(dir) {
        Ok(entries) => Ok(Some(entries)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io("read", dir, e)),
    }
}

/// True for names the vault readers must ignore: temp files, dotfiles, editor backups.
pub fn is_ignored_name(name: &str) -> bool {
    name.starts_with('.') || name.ends_with('~') || name.ends_with(".swp")
}

/// The path `dir/name` only if `name` is a single normal component.
pub fn child(dir: &Path, name: &str) -> Option<PathBuf> {
    let mut parts = Path::new(name).components();
    match (parts.next(), parts.next()) {
        (Some(std::path::Component::Normal(n)), None) if !name.contains('\0') => Some(dir.join(n)),
        _ => None,
    }
}
