//! Incidents whose files are where no reader looks for them: a folder of steps without
//! `incident.md`, or an incident folder moved one level down (`incidents/2025/x/`).
//! Every reader that lists incidents names them rather than drop them in silence.

use std::path::PathBuf;

use super::incidents::INCIDENT_FILE;
use super::select::{headless_problem, is_headless};
use super::steps::STEPS_DIR;
use super::warning::Warning;
use super::{INCIDENTS_DIR, Vault, atomic};
use crate::error::Result;

/// An incident (by its folder name) that is not read, where it is, and how to mend it.
#[derive(Debug, Clone)]
pub struct Stray {
    pub slug: String,
    pub dir: PathBuf,
    /// Said of the folder: `holds 2 step files but no incident.md`.
    pub problem: String,
    pub hint: String,
}

impl Vault {
    /// Every stray incident, by folder name: headless folders first, then those one
    /// level down, each group sorted.
    pub fn strays(&self) -> Result<Vec<Stray>> {
        let root = self.incidents_dir();
        let mut headless = Vec::new();
        let mut nested = Vec::new();
        for name in self.incident_folders()? {
            let dir = root.join(&name);
            if is_headless(&dir) {
                let (problem, hint) = headless_problem(&dir);
                headless.push(Stray { slug: name, dir, problem, hint });
            } else if !dir.join(INCIDENT_FILE).exists() {
                nested.extend(self.nested_incidents(&name)?);
            }
        }
        nested.sort_by(|a, b| a.dir.cmp(&b.dir));
        headless.extend(nested);
        Ok(headless)
    }

    /// Incident folders inside `incidents/<parent>/`, a folder that is no incident itself.
    fn nested_incidents(&self, parent: &str) -> Result<Vec<Stray>> {
        let root = self.incidents_dir();
        let Some(entries) = atomic::read_dir_if_any(&root.join(parent))? else { return Ok(Vec::new()) };
        let mut found = Vec::new();
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let dir = entry.path();
            let holds_incident = dir.join(INCIDENT_FILE).is_file() || dir.join(STEPS_DIR).is_dir();
            if atomic::is_ignored_name(&name) || !holds_incident {
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
            found.push(Stray { slug: name, dir, problem, hint });
        }
        Ok(found)
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
    pub fn folders_and_strays(&self) -> Result<Vec<String>> {
        let mut names = self.incident_folders()?;
        names.extend(self.strays()?.into_iter().map(|s| s.slug));
        names.sort();
        names.dedup();
        Ok(names)
    }
}
