//! What the reader says of a file it skipped or read with doubts.

use std::path::{Path, PathBuf};

/// A file the reader skipped or read with doubts; the rest of the vault still loads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    pub path: PathBuf,
    pub line: usize,
    pub message: String,
}

impl Warning {
    /// `path:line: message`, with the path as given (relative to the vault, say); without
    /// a line when the warning is about a whole file or folder.
    pub fn shown_with(&self, path: &Path) -> String {
        match self.line {
            0 => format!("{}: {}", path.display(), self.message),
            line => format!("{}:{line}: {}", path.display(), self.message),
        }
    }
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.shown_with(&self.path))
    }
}
