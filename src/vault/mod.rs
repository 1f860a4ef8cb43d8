//! The vault on disk: finding it, its settings, and the current-incident pointer.
//! This module and its children are the only code that touches vault files.

mod ahead;
pub mod atomic;
mod create;
mod file_read;
mod files;
mod incidents;
mod keys;
mod known_secrets;
mod list_cache;
mod numbering;
mod select;
mod settings_error;
pub mod slug;
mod sources;
mod steps;
mod strays;
mod warning;

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::{Error, IoContext, Result};
use crate::redact::{RedactConfig, Rules};

pub use files::{ATTACHMENTS_DIR, POSTMORTEM_FILE, Stamp, Stamps, read_incident_text};
pub use incidents::{INCIDENT_FILE, IncidentRef, IncidentSummary, Listing, Loaded, MilestoneAt, step_file};
pub use known_secrets::KnownSecrets;
pub use numbering::VaultNumbering;
pub use sources::{SourceChanges, Sources, StepSource, compare};
pub use steps::{STEPS_DIR, StepWriter, create_in_incident, new_step_id};
pub use strays::{Stray, Unread};
pub use warning::Warning;

pub const SETTINGS_FILE: &str = "incident.toml";
pub const STATE_DIR: &str = ".incident";
pub const INCIDENTS_DIR: &str = "incidents";

/// `incident.toml`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// A name for the vault (the published site's title).
    pub name: Option<String>,
    pub record: RecordSettings,
    /// Redaction rules; see `incident redact --help`.
    pub redact: RedactConfig,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RecordSettings {
    /// Outputs larger than this go whole into `outputs/`, head and tail inline.
    pub inline_limit: usize,
}

impl Default for RecordSettings {
    fn default() -> Self {
        RecordSettings { inline_limit: 64 * 1024 }
    }
}

#[derive(Debug, Clone)]
pub struct Vault {
    pub root: PathBuf,
    pub settings: Settings,
    /// The text of `incident.toml`, to point at a line in errors found after parsing.
    settings_text: String,
}

const DEFAULT_SETTINGS: &str = r#"# incident vault: this file marks the vault's root folder.
# name = "Platform team incidents"

[record]
# Outputs over this many bytes go whole into outputs/, with head and tail inline.
inline_limit = 65536

[redact]
# Switch built-in rules off by name, or add your own (see `incident redact --help`),
# here under this one [redact] table:
# disable = ["password-assignment"]
# [[redact.rules]]
# name = "internal-token"
# pattern = 'itk_[A-Za-z0-9]{32}'   # capture group 1, if any, is the secret
# keywords = ["itk_"]             # optional: only lines holding one are searched
"#;

const GITIGNORE: &str = "# local state of the incident tool (current incident, caches) and the published site\n\
    .incident/\npublic/\n# half-written files a crash can leave (atomic::TEMP_PREFIX)\n.incident-tmp-*\n";

/// The temp-file lines alone, for a .gitignore written by an older `init`.
const GITIGNORE_TEMP: &str = "# half-written files a crash can leave (atomic::TEMP_PREFIX)\n.incident-tmp-*\n";

/// The nearest folder above `dir` that holds `incident.toml`, written as `dir` was
/// (`v` for `v/incidents`, `.` for `incidents` run in the vault, absolute above that).
fn enclosing_vault(dir: &Path) -> Option<PathBuf> {
    let absolute = std::path::absolute(dir).ok()?;
    let (depth, found) = absolute.ancestors().enumerate().skip(1).find(|(_, a)| a.join(SETTINGS_FILE).is_file())?;
    Some(match dir.ancestors().nth(depth) {
        Some(p) if p.as_os_str().is_empty() => PathBuf::from("."),
        Some(p) => p.to_path_buf(),
        None => found.to_path_buf(),
    })
}

impl Vault {
    /// Opens the vault whose root is `root` (it must hold `incident.toml`).
    pub fn open(root: &Path) -> Result<Vault> {
        let file = root.join(SETTINGS_FILE);
        let text = match fs::read_to_string(&file) {
            Ok(text) => text,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                // `--vault v/incidents`: `init` there would make a vault inside the vault.
                if let Some(outer) = enclosing_vault(root) {
                    return Err(Error::user_hint(
                        format!(
                            "{} is inside the incident vault {}, not a vault of its own",
                            root.display(),
                            outer.display()
                        ),
                        format!("point at the vault's root: --vault {}", outer.display()),
                    ));
                }
                return Err(Error::user_hint(
                    format!("{} is not an incident vault (no {SETTINGS_FILE} in it)", root.display()),
                    format!("create one with `incident init {}`", root.display()),
                ));
            }
            Err(e) => return Err(Error::io("read", &file, e)),
        };
        let settings = parse_settings(&text, &file)?;
        Ok(Vault { root: root.to_path_buf(), settings, settings_text: text })
    }

    /// `--vault DIR`, then `INCIDENT_VAULT` (both arrive as `explicit`), then the
    /// nearest folder upwards from `cwd` that holds `incident.toml`.
    pub fn locate(explicit: Option<&Path>, cwd: &Path) -> Result<Vault> {
        Vault::find(explicit, cwd)?.ok_or_else(|| Vault::not_found(cwd))
    }

    /// The error when no folder from `cwd` upwards holds `incident.toml`.
    pub fn not_found(cwd: &Path) -> Error {
        Error::user_hint(
            format!("no incident vault in {} or any folder above it", cwd.display()),
            "create one with `incident init`, or point at one with --vault DIR or INCIDENT_VAULT",
        )
    }

    /// As `locate`, but `None` when no folder upwards holds `incident.toml` and none was
    /// named. A vault found or named that cannot be read is still an error.
    pub fn find(explicit: Option<&Path>, cwd: &Path) -> Result<Option<Vault>> {
        if let Some(dir) = explicit {
            return Vault::open(dir).map(Some);
        }
        let mut dir = Some(cwd);
        while let Some(d) = dir {
            if d.join(SETTINGS_FILE).is_file() {
                return Vault::open(d).map(Some);
            }
            dir = d.parent();
        }
        Ok(None)
    }

    /// Creates a vault in `dir`; an existing vault is left as it is (`Ok(false)`).
    pub fn init(dir: &Path) -> Result<bool> {
        fs::create_dir_all(dir.join(INCIDENTS_DIR)).ctx("create", dir.join(INCIDENTS_DIR))?;
        let created = atomic::write_new(&dir.join(SETTINGS_FILE), DEFAULT_SETTINGS.as_bytes())?;
        let gitignore = dir.join(".gitignore");
        match fs::read_to_string(&gitignore) {
            Ok(text) if text.lines().any(|l| l.trim() == ".incident/" || l.trim() == ".incident") => {
                if !text.lines().any(|l| l.trim() == ".incident-tmp-*") {
                    let sep = if text.is_empty() || text.ends_with('\n') { "" } else { "\n" };
                    atomic::write_replace(&gitignore, format!("{text}{sep}{GITIGNORE_TEMP}").as_bytes())?;
                }
            }
            Ok(text) => {
                let sep = if text.is_empty() || text.ends_with('\n') { "" } else { "\n" };
                atomic::write_replace(&gitignore, format!("{text}{sep}{GITIGNORE}").as_bytes())?;
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                atomic::write_new(&gitignore, GITIGNORE.as_bytes())?;
            }
            Err(e) => return Err(Error::io("read", &gitignore, e)),
        }
        fs::create_dir_all(dir.join(STATE_DIR)).ctx("create", dir.join(STATE_DIR))?;
        Ok(created)
    }

    pub fn incidents_dir(&self) -> PathBuf {
        self.root.join(INCIDENTS_DIR)
    }

    /// The frontmatter of the incident's `incident.md`; `None` when it cannot be read (the
    /// commands that list or load the incident say why).
    pub fn incident_meta(&self, incident: &IncidentRef) -> Option<crate::model::IncidentMeta> {
        self.read_meta(&incident.dir).ok()
    }

    pub fn state_dir(&self) -> PathBuf {
        self.root.join(STATE_DIR)
    }

    fn current_file(&self) -> PathBuf {
        self.state_dir().join("current")
    }

    /// The folder name of the current incident, if one was started or switched to.
    pub fn current(&self) -> Result<Option<String>> {
        match fs::read_to_string(self.current_file()) {
            Ok(text) => Ok(Some(text.trim().to_string()).filter(|s| !s.is_empty())),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            // Not text: nothing the tool wrote; picking an incident writes it anew.
            Err(e) if e.kind() == io::ErrorKind::InvalidData => Err(Error::user_hint(
                format!("{} holds no incident id: {e}", self.current_file().display()),
                "pick the current incident again with `incident switch ID` (see `incident list`)",
            )),
            Err(e) => Err(Error::io("read", self.current_file(), e)),
        }
    }

    pub fn set_current(&self, slug: &str) -> Result<()> {
        self.prepare_current()?.set(slug)
    }

    /// The current-incident pointer with its temp file already made: `start` makes it
    /// before the incident, so an unwritable `.incident/` fails with nothing created
    /// (created first, a retry would have started a duplicate `-2`).
    pub fn prepare_current(&self) -> Result<CurrentPointer> {
        let dir = self.state_dir();
        fs::create_dir_all(&dir).ctx("create", &dir)?;
        Ok(CurrentPointer { tmp: atomic::temp_in(&dir)?, path: self.current_file() })
    }

    /// The redaction rules: the built-ins, or those adjusted by `[redact]`.
    pub fn rules(&self) -> Result<RulesRef> {
        let cfg = &self.settings.redact;
        if cfg.disable.is_empty() && cfg.rules.is_empty() {
            return Ok(RulesRef::Builtin(Rules::builtin()));
        }
        Rules::from_config(cfg).map(|r| RulesRef::Custom(Box::new(r))).map_err(|e| {
            let file = self.root.join(SETTINGS_FILE);
            match &e {
                crate::redact::RuleError::BadPattern { span, .. } => {
                    let (line, column) = line_column(&self.settings_text, span.start);
                    Error::user_hint(
                        format!("{}:{line}:{column}: [redact]: {e}", file.display()),
                        "fix the rule's `pattern` (regular expression syntax of the regex crate)",
                    )
                }
                _ => Error::user_hint(
                    format!("{}: [redact]: {e}", file.display()),
                    "`incident redact --help` lists the rule names",
                ),
            }
        })
    }

    /// A path relative to the vault root, for messages.
    pub fn rel<'a>(&self, path: &'a Path) -> &'a Path {
        path.strip_prefix(&self.root).unwrap_or(path)
    }
}

/// From [`Vault::prepare_current`]: the pointer, to be set once the incident exists.
pub struct CurrentPointer {
    tmp: tempfile::NamedTempFile,
    path: PathBuf,
}

impl CurrentPointer {
    pub fn set(self, slug: &str) -> Result<()> {
        atomic::replace_with(self.tmp, &self.path, format!("{slug}\n").as_bytes())
    }
}

/// The built-in rules (shared, compiled lazily) or a vault's own set.
pub enum RulesRef {
    Builtin(&'static Rules),
    Custom(Box<Rules>),
}

impl std::ops::Deref for RulesRef {
    type Target = Rules;
    fn deref(&self) -> &Rules {
        match self {
            RulesRef::Builtin(r) => r,
            RulesRef::Custom(r) => r,
        }
    }
}

/// 1-based line and column (in characters) of byte `at` of `text`.
fn line_column(text: &str, at: usize) -> (usize, usize) {
    let before = &text[..text.floor_char_boundary(at)];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (before.matches('\n').count() + 1, before[line_start..].chars().count() + 1)
}

fn parse_settings(text: &str, file: &Path) -> Result<Settings> {
    toml::from_str(text).map_err(|e| settings_error::explain(text, file, &e))
}

#[cfg(test)]
mod tests {
    #[test]
    fn line_and_column_count_characters_from_one() {
        let text = "[redact]\n[[redact.rules]]\nname = \"é\"\npattern = \"x(\"\n";
        assert_eq!(super::line_column(text, 0), (1, 1));
        assert_eq!(super::line_column(text, text.find("\"x(").unwrap()), (4, 11));
        let e = text.find("é").unwrap();
        assert_eq!(super::line_column(text, e + "é".len()), (3, 10));
    }

    #[test]
    fn a_table_given_twice_is_named_with_where_it_first_was() {
        let text = format!("{}[redact]\ndisable = [\"jwt\"]\n", super::DEFAULT_SETTINGS);
        let line = text.lines().count() - 1;
        let first = text.lines().position(|l| l == "[redact]").unwrap() + 1;
        let e = super::parse_settings(&text, std::path::Path::new("v/incident.toml")).unwrap_err();
        assert_eq!(e.to_string(), format!("v/incident.toml:{line}: duplicate key"));
        assert_eq!(
            e.hint().unwrap(),
            format!(
                "[redact] is already at line {first} and a table may appear once: delete line {line} and move \
                 the settings under it to the [redact] of line {first}"
            )
        );
        // Deleting it, as the hint says, gives a file that reads (the first [redact] is last).
        let fixed: Vec<&str> = text.lines().enumerate().filter(|(i, _)| i + 1 != line).map(|(_, l)| l).collect();
        let settings = super::parse_settings(&fixed.join("\n"), std::path::Path::new("x")).unwrap();
        assert_eq!(settings.redact.disable, ["jwt"]);
    }

    #[test]
    fn gitignore_covers_the_temp_files() {
        let pattern = format!("{}*", super::atomic::TEMP_PREFIX);
        assert!(super::GITIGNORE.lines().any(|l| l == pattern));
        assert!(super::GITIGNORE_TEMP.lines().any(|l| l == pattern));
    }
}
