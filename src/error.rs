//! Errors written for the person at 3 a.m.: what went wrong, where, and what to do.
//! User errors exit 1, usage errors 2, internal errors 3.

use std::io;
use std::path::{Path, PathBuf};

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Something the user can fix; `hint` says how.
    #[error("{message}")]
    User { message: String, hint: Option<String> },
    /// The command line itself is wrong.
    #[error("{message}")]
    Usage { message: String, hint: Option<String> },
    /// A file operation failed.
    #[error("cannot {action} {}: {source}", path.display())]
    Io { action: &'static str, path: PathBuf, source: io::Error },
    /// A file's content is wrong at a line (0: the whole file, shown without one).
    #[error("{}{}: {message}", path.display(), at_line(*line))]
    File { path: PathBuf, line: usize, message: String, hint: Option<String> },
    /// A bug in incident.
    #[error("internal error: {0}")]
    Internal(String),
}

/// `:12` after a file's path, or nothing for a whole file (line 0).
fn at_line(line: usize) -> String {
    if line == 0 { String::new() } else { format!(":{line}") }
}

impl Error {
    pub fn user(message: impl Into<String>) -> Error {
        Error::User { message: message.into(), hint: None }
    }

    pub fn user_hint(message: impl Into<String>, hint: impl Into<String>) -> Error {
        Error::User { message: message.into(), hint: Some(hint.into()) }
    }

    pub fn usage(message: impl Into<String>, hint: impl Into<String>) -> Error {
        Error::Usage { message: message.into(), hint: Some(hint.into()) }
    }

    pub fn io(action: &'static str, path: impl AsRef<Path>, source: io::Error) -> Error {
        Error::Io { action, path: path.as_ref().to_path_buf(), source: root_io_error(source) }
    }

    /// Our stdout refused data (a full disk behind `>`, a device that rejects writes).
    /// A closed pipe (`| head`) is not an error: callers stop quietly on BrokenPipe.
    pub fn stdout(source: io::Error) -> Error {
        let hint = match source.raw_os_error() {
            Some(libc::ENOSPC) | Some(libc::EDQUOT) => {
                Some("the disk that stdout is redirected to is full: free some space, or send the output elsewhere")
            }
            _ => None,
        };
        Error::User { message: format!("cannot write stdout: {source}"), hint: hint.map(str::to_string) }
    }

    /// The error of a value taken from the environment variable `var`: says so, and how
    /// to do without it (`flag`); with `keep_hint`, the error's own hint goes after that.
    pub fn set_by(self, var: &str, flag: &str, keep_hint: bool) -> Error {
        let with = |hint: Option<String>| {
            let env = format!("{var} is set in your environment: unset it, or pass {flag}");
            Some(hint.filter(|_| keep_hint).map_or(env.clone(), |hint| format!("{env}; {hint}")))
        };
        match self {
            Error::User { message, hint } => Error::User { message: format!("{var}: {message}"), hint: with(hint) },
            Error::Usage { message, hint } => Error::Usage { message: format!("{var}: {message}"), hint: with(hint) },
            other => other,
        }
    }

    /// The file an IO error is about.
    pub fn io_path(&self) -> Option<&Path> {
        match self {
            Error::Io { path, .. } => Some(path),
            _ => None,
        }
    }

    /// The disk (or the quota) holding the file is full.
    pub fn is_disk_full(&self) -> bool {
        matches!(self, Error::Io { source, .. } if matches!(source.raw_os_error(), Some(libc::ENOSPC) | Some(libc::EDQUOT)))
    }

    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Usage { .. } => 2,
            Error::Internal(_) => 3,
            _ => 1,
        }
    }

    pub fn hint(&self) -> Option<String> {
        match self {
            Error::User { hint, .. } | Error::Usage { hint, .. } | Error::File { hint, .. } => hint.clone(),
            Error::Io { source, path, .. } => io_hint(source, path),
            Error::Internal(_) => Some("please report this with the command you ran".to_string()),
        }
    }
}

/// tempfile wraps OS errors with its own temp path and hides the OS code; we name
/// the real path ourselves, so turn the error back into the plain OS error.
fn root_io_error(err: io::Error) -> io::Error {
    use io::ErrorKind::*;
    if err.raw_os_error().is_some() || err.get_ref().is_none() {
        return err;
    }
    let code = match err.kind() {
        StorageFull => libc::ENOSPC,
        QuotaExceeded => libc::EDQUOT,
        ReadOnlyFilesystem => libc::EROFS,
        PermissionDenied => libc::EACCES,
        NotFound => libc::ENOENT,
        AlreadyExists => libc::EEXIST,
        FileTooLarge => libc::EFBIG,
        NotADirectory => libc::ENOTDIR,
        IsADirectory => libc::EISDIR,
        _ => {
            // Any other: its own words, without the temp file's name (` at path "…"`).
            let text = err.to_string();
            return match text.split_once(" at path \"") {
                Some((words, _)) => io::Error::new(err.kind(), words.to_string()),
                None => err,
            };
        }
    };
    io::Error::from_raw_os_error(code)
}

fn io_hint(err: &io::Error, path: &Path) -> Option<String> {
    let hint = match err.raw_os_error() {
        Some(libc::ENOSPC) | Some(libc::EDQUOT) => {
            "the disk holding the vault is full; free some space and run the command again (nothing was written)"
                .to_string()
        }
        Some(libc::EROFS) => {
            "the vault is on a read-only file system; record into a writable copy with --vault DIR".to_string()
        }
        Some(libc::EACCES) | Some(libc::EPERM) => {
            format!("check the permissions of {} (ls -ld shows them)", path.display())
        }
        Some(libc::ENOENT) => "the path does not exist (was it moved or deleted?)".to_string(),
        Some(libc::ENOTDIR) => {
            format!("{} or a folder above it is a file where a folder should be: move that file away", path.display())
        }
        Some(libc::EEXIST) => format!(
            "{} is already there but is not what was expected (a file where a folder should be?): move it away",
            path.display()
        ),
        // A path the user gave, or a folder standing where the tool keeps a file.
        Some(libc::EISDIR) => format!(
            "{} is a folder, not a file: give a file's path, or move the folder away if it stands where a file should be",
            path.display()
        ),
        _ => return None,
    };
    Some(hint)
}

/// Adds the path to an io::Result.
pub trait IoContext<T> {
    fn ctx(self, action: &'static str, path: impl AsRef<Path>) -> Result<T>;
}

impl<T> IoContext<T> for io::Result<T> {
    fn ctx(self, action: &'static str, path: impl AsRef<Path>) -> Result<T> {
        self.map_err(|e| Error::io(action, path, e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_error_names_its_line_and_no_line_zero() {
        let at = |line| Error::File { path: "v/incident.md".into(), line, message: "bad".into(), hint: None };
        assert_eq!(at(4).to_string(), "v/incident.md:4: bad");
        assert_eq!(at(0).to_string(), "v/incident.md: bad");
    }

    #[test]
    fn a_temp_files_name_is_left_out_of_an_error() {
        // As tempfile words an error it has no OS code for.
        let wrapped =
            io::Error::new(io::ErrorKind::InvalidFilename, "File name too long at path \"/v/.incident-tmp-Gv\"");
        let e = Error::io("create a file in", "/v", wrapped);
        assert_eq!(e.to_string(), "cannot create a file in /v: File name too long");
        let plain = io::Error::new(io::ErrorKind::InvalidData, "bad bytes");
        assert_eq!(Error::io("read", "/v/f", plain).to_string(), "cannot read /v/f: bad bytes");
    }
}
