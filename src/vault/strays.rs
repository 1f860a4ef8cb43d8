//! Files where no reader looks for them: a folder of steps without `incident.md`, an
//! incident folder moved one level down (`incidents/2025/x/`), a step file in a folder of
//! `steps/` or beside `incident.md`. Readers name them rather than drop them in silence.

use std::path::{Path, PathBuf};

use super::POSTMORTEM_FILE;
use super::incidents::{INCIDENT_FILE, is_markdown_name};
use super::select::{headless_problem, is_headless};
use super::steps::STEPS_DIR;
use super::warning::Warning;
use super::{INCIDENTS_DIR, Vault, atomic};
use crate::error::Result;

/// How far down `incidents/` an incident folder is looked for (`incidents/2025/10/x/`).
const NESTED_LEVELS: usize = 2;

/// An incident (by its folder name) that is not read, where it is, and how to mend it.
#[derive(Debug, Clone)]
pub struct Stray {
    pub slug: String,
    pub dir: PathBuf,
    /// Said of the folder: `holds 2 step files but no incident.md`.
    pub problem: String,
    pub hint: String,
    /// The folder itself is not to be read: a symbolic link (what it leads to is outside
    /// the vault), or a folder that cannot be listed. The folder is the file to name.
    pub unread: bool,
}

impl Vault {
    /// Every stray incident, by folder name: headless folders first, then those one
    /// level down, each group sorted.
    pub fn strays(&self) -> Result<Vec<Stray>> {
        let f = self.folder_names()?;
        self.strays_among(&f)
    }

    /// Markdown files directly in `incidents/`, which nothing reads: each with the fix.
    pub fn loose_notes(&self) -> Result<Vec<Warning>> {
        Ok(self.folder_names()?.loose.into_iter().map(loose_note).collect())
    }

    /// The strays of one listing of `incidents/`: its folders without `incident.md`, its
    /// links, and the folders whose name is not UTF-8.
    fn strays_among(&self, folders: &Folders) -> Result<Vec<Stray>> {
        let root = self.incidents_dir();
        let mut headless: Vec<Stray> = folders.links.iter().map(|name| linked_folder(name, root.join(name))).collect();
        let mut nested = Vec::new();
        for name in &folders.names {
            let dir = root.join(name);
            // One look per incident folder: this runs at every publish and `list`.
            if dir.join(INCIDENT_FILE).exists() {
                continue;
            }
            if is_headless(&dir) {
                let (problem, hint) = headless_problem(&dir);
                headless.push(Stray { slug: name.clone(), dir, problem, hint, unread: false });
            } else {
                nested.extend(self.nested_incidents(name, NESTED_LEVELS));
            }
        }
        headless.sort_by(|a, b| a.slug.cmp(&b.slug));
        nested.sort_by(|a, b| a.dir.cmp(&b.dir));
        headless.extend(nested);
        headless.extend(folders.odd.iter().map(|dir| Stray {
            slug: dir.file_name().unwrap_or_default().to_string_lossy().into_owned(),
            dir: dir.clone(),
            problem: "has a name that is not UTF-8 (shown with \u{fffd})".to_string(),
            hint: format!("rename it to a UTF-8 name (`ls -b {}` shows its bytes)", root.display()),
            unread: false,
        }));
        Ok(headless)
    }

    /// Incident folders inside `incidents/<parent>/`, a folder that is no incident itself,
    /// looking `levels` folders down (`incidents/2025/10/x/` is two). A folder that cannot
    /// be listed is a stray itself: it may hold one, and it must not hide the others.
    fn nested_incidents(&self, parent: &str, levels: usize) -> Vec<Stray> {
        let root = self.incidents_dir();
        let here = root.join(parent);
        let entries = match std::fs::read_dir(&here) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Vec::new(),
            Err(e) => {
                let slug = here.file_name().unwrap_or_default().to_string_lossy().into_owned();
                let hint = format!("check the permissions of {} (ls -ld shows them)", here.display());
                return vec![Stray { slug, dir: here, problem: format!("cannot be read ({e})"), hint, unread: true }];
            }
        };
        let mut found = Vec::new();
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let dir = entry.path();
            let holds_incident = dir.join(INCIDENT_FILE).is_file() || dir.join(STEPS_DIR).is_dir();
            if atomic::is_ignored_name(&name) {
                continue;
            }
            if !holds_incident {
                if levels > 1 && entry.file_type().is_ok_and(|t| t.is_dir()) {
                    found.extend(self.nested_incidents(&format!("{parent}/{name}"), levels - 1));
                }
                continue;
            }
            let hint = match root.join(&name).exists() {
                true => format!("{INCIDENTS_DIR}/{name} exists too: keep one of the two and remove the other"),
                false => format!(
                    "incident folders go directly under {INCIDENTS_DIR}/: move it up with `mv {} {}/`",
                    dir.display(),
                    root.display()
                ),
            };
            let problem = format!("is an incident folder inside {INCIDENTS_DIR}/{parent}/");
            found.push(Stray { slug: name, dir, problem, hint, unread: false });
        }
        found
    }

    /// The stray incident of that folder name, if it is one (the error path only: it may
    /// look into every folder of `incidents/`).
    pub fn stray(&self, slug: &str) -> Option<Stray> {
        let top = self.incidents_dir().join(slug);
        if top.join(INCIDENT_FILE).is_file() {
            return None;
        }
        self.strays().ok()?.into_iter().find(|s| s.slug == slug)
    }

    /// The strays as warnings naming their folders.
    pub fn stray_warnings(&self) -> Result<Vec<Warning>> {
        Ok(self
            .strays()?
            .into_iter()
            .map(|s| Warning { path: s.dir, line: 0, message: format!("{}, so it is left out; {}", s.problem, s.hint) })
            .collect())
    }

    /// The folders of `incidents/` and the names of the strays one level down (unless a
    /// folder of `incidents/` has that name), sorted: what publishing looks at, so that a
    /// stray fails and keeps its pages rather than lose them.
    /// With the warnings of [`Vault::loose_notes`], from the same listing, and the folders
    /// not to be read at all (a link, a folder that cannot be listed), each with its error:
    /// they fail without another look, so nothing is read through a link.
    pub fn folders_and_strays(&self) -> Result<(Vec<String>, Vec<Warning>, Unread)> {
        let folders = self.folder_names()?;
        let strays = self.strays_among(&folders)?;
        let Folders { mut names, loose, .. } = folders;
        let root = self.incidents_dir();
        let mut unread = Unread::new();
        for s in strays {
            if s.unread && s.dir == root.join(&s.slug) {
                unread.insert(s.slug.clone(), format!("{}: {}; {}", s.dir.display(), s.problem, s.hint));
            }
            names.push(s.slug);
        }
        names.sort();
        names.dedup();
        Ok((names, loose.into_iter().map(loose_note).collect(), unread))
    }
}

/// Incident folders not to be read, by name, with the error that says why and the fix.
pub type Unread = std::collections::BTreeMap<String, String>;

/// A link in `incidents/` in place of an incident folder: its steps would come from, and
/// notes go to, wherever it leads.
pub(super) fn linked_folder(slug: &str, dir: PathBuf) -> Stray {
    Stray {
        slug: slug.to_string(),
        problem: "is a symbolic link (it could lead out of the vault)".to_string(),
        hint: format!("replace the link with the folder itself (`ls -l {}` shows where it leads)", dir.display()),
        dir,
        unread: true,
    }
}

/// What one listing of `incidents/` holds: folder names, folders whose name is not UTF-8,
/// and Markdown files.
#[derive(Debug, Default)]
pub struct Folders {
    pub names: Vec<String>,
    pub odd: Vec<PathBuf>,
    pub loose: Vec<PathBuf>,
    /// Symbolic links (to a folder or not, or dangling): never followed.
    pub links: Vec<String>,
}

/// A note written straight into `incidents/` (Obsidian's "new note" there): not read.
fn loose_note(path: PathBuf) -> Warning {
    let message = format!(
        "not read: an incident is a folder holding {INCIDENT_FILE}; to keep this as a note of one, record it \
         with `incident -I ID note - < {}` and remove it",
        path.display()
    );
    Warning { path, line: 0, message }
}

/// Whether the file starts as a step does (`---`, after a BOM if any).
fn has_frontmatter(path: &Path) -> bool {
    use std::io::Read;
    let mut head = [0u8; 6];
    let n = std::fs::File::open(path).and_then(|f| f.take(6).read(&mut head)).unwrap_or(0);
    head[..n].strip_prefix(b"\xef\xbb\xbf".as_slice()).unwrap_or(&head[..n]).starts_with(b"---")
}

/// Markdown files one folder off from `steps/` of the incident folder `dir`: beside
/// `incident.md` (all but it and `postmortem.md`), or in `subfolders` of `steps/`. Sorted.
pub(super) fn misplaced_step_files(dir: &Path, subfolders: &[PathBuf]) -> Vec<Warning> {
    let steps = dir.join(STEPS_DIR);
    let markdown_in = |folder: &Path| -> Vec<PathBuf> {
        let Ok(entries) = std::fs::read_dir(folder) else { return Vec::new() };
        let mut found: Vec<PathBuf> = entries
            .flatten()
            .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
            .map(|e| e.path())
            .filter(|p| {
                let name = p.file_name().unwrap_or_default().to_string_lossy();
                is_markdown_name(&name) && !atomic::is_ignored_name(&name)
            })
            .collect();
        found.sort();
        found
    };
    let loose = markdown_in(dir).into_iter().filter(|p| !p.ends_with(INCIDENT_FILE) && !p.ends_with(POSTMORTEM_FILE));
    let slug = dir.file_name().unwrap_or_default().to_string_lossy();
    let mut out: Vec<Warning> = loose
        .map(|path| {
            // A scratch note has no frontmatter: moved into steps/ it would be a broken step.
            let message = match has_frontmatter(&path) {
                true => format!(
                    "not read: only {INCIDENT_FILE} and {POSTMORTEM_FILE} are read here; a step file goes in \
                     {STEPS_DIR}/: move it there with `mv {} {}/`",
                    path.display(),
                    steps.display()
                ),
                false => format!(
                    "not read: only {INCIDENT_FILE} and {POSTMORTEM_FILE} are read here; to keep it as a note of \
                     the incident, record it with `incident -I {slug} note - < {}` and remove it",
                    path.display()
                ),
            };
            Warning { path, line: 0, message }
        })
        .collect();
    for folder in subfolders {
        out.extend(markdown_in(folder).into_iter().map(|path| {
            let message = format!(
                "not read: step files go directly in {STEPS_DIR}/, not in a folder inside it; move it up with \
                 `mv {} {}/`",
                path.display(),
                steps.display()
            );
            Warning { path, line: 0, message }
        }));
    }
    out
}
