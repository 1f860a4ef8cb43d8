//! Which incident a command works on: the one named (by folder, path, piece of its name
//! or title, or `id`), or the current one.

use super::Vault;
use super::atomic;
use super::incidents::{INCIDENT_FILE, IncidentRef};
use super::strays::linked_folder;
use crate::error::{Error, Result};
use crate::model::IncidentMeta;

impl Vault {
    /// The incident `selector` names (folder name, a unique part of it, or its `id`),
    /// or the current one. Costs a stat or two, never a scan, when the name is exact.
    pub fn incident(&self, selector: Option<&str>) -> Result<IncidentRef> {
        let root = self.incidents_dir();
        let Some(sel) = selector else {
            let slug = self.current()?.ok_or_else(|| self.no_current())?;
            return match atomic::child(&root, &slug) {
                Some(dir) if is_link(&dir) => Err(stray_error(&linked_folder(&slug, dir), "the current incident")),
                Some(dir) if dir.join(INCIDENT_FILE).is_file() => Ok(IncidentRef { slug, dir }),
                Some(_) if let Some(stray) = self.stray(&slug) => Err(stray_error(&stray, "the current incident")),
                _ => Err(Error::user_hint(
                    format!("the current incident {slug:?} is not in {}", root.display()),
                    "pick another with `incident switch ID` (see `incident list`)",
                )),
            };
        };
        // As a shell completes it (`2026-11-26-a/`) or as a path (`incidents/2026-11-26-a`).
        let sel = selector_name(sel);
        if let Some(dir) = atomic::child(&root, sel)
            && is_link(&dir)
        {
            return Err(stray_error(&linked_folder(sel, dir), "the incident"));
        }
        if let Some(dir) = atomic::child(&root, sel)
            && dir.join(INCIDENT_FILE).is_file()
        {
            return Ok(IncidentRef { slug: sel.to_string(), dir });
        }
        if atomic::child(&root, sel).is_some()
            && let Some(stray) = self.stray(sel)
        {
            return Err(stray_error(&stray, "the incident"));
        }
        let names = self.incident_names()?;
        let wanted = sel.to_lowercase();
        let mut found: Vec<&String> = names.iter().filter(|n| n.to_lowercase().contains(&wanted)).collect();
        if found.is_empty() {
            // The id in incident.md, then the title, as `list` shows it.
            let metas: Vec<(&String, IncidentMeta)> =
                names.iter().filter_map(|n| Some((n, self.read_meta(&root.join(n)).ok()?))).collect();
            found = metas.iter().filter(|(_, m)| m.id == sel).map(|(n, _)| *n).collect();
            if found.is_empty() {
                found =
                    metas.iter().filter(|(_, m)| m.title.to_lowercase().contains(&wanted)).map(|(n, _)| *n).collect();
            }
        }
        match found.as_slice() {
            [one] => Ok(IncidentRef { slug: one.to_string(), dir: root.join(one) }),
            [] if let [stray] = self.strays_matching(&wanted)?.as_slice() => Err(stray_error(stray, "the incident")),
            [] => Err(match nearest(sel, &names) {
                Some(near) => Error::user_hint(format!("no incident matches {sel:?}"), format!("did you mean {near}?")),
                None => Error::user_hint(format!("no incident matches {sel:?}"), "`incident list` shows them all"),
            }),
            many => Err(Error::user_hint(
                format!("{sel:?} matches {} incidents: {}", many.len(), join_some(many)),
                "give more of the name",
            )),
        }
    }
}

impl Vault {
    /// The current incident is kept out of git (`.incident/`): in a fresh clone, the one
    /// incident still open is most likely the one meant, so it is named. (The system
    /// clock: only a step dated ahead of it would be left out, and that is not cached.)
    fn no_current(&self) -> Error {
        let open: Vec<String> = self.list(crate::clock::Clock::system().now()).map_or_else(
            |_| Vec::new(),
            |l| l.incidents.into_iter().filter(|i| i.status == crate::model::Status::Open).map(|i| i.slug).collect(),
        );
        match open.as_slice() {
            [one] => Error::user_hint(
                "no current incident",
                format!(
                    "{one} is open: `incident switch {one}` makes it the current one; or start one with `incident start \"TITLE\"`"
                ),
            ),
            _ => Error::user_hint(
                "no current incident",
                "start one with `incident start \"TITLE\"`, or pick one with `incident switch ID` (see `incident list`)",
            ),
        }
    }
}

/// An incident folder that lost its `incident.md` (a bad merge, a `mv`) but still holds
/// steps: never passed over in silence, since its steps are the record.
pub(super) fn is_headless(dir: &std::path::Path) -> bool {
    !dir.join(INCIDENT_FILE).exists() && dir.join(super::steps::STEPS_DIR).is_dir()
}

/// What is wrong with a headless incident folder (`holds 2 step files but no
/// incident.md`), and how to mend it.
pub(super) fn headless_problem(dir: &std::path::Path) -> (String, String) {
    let steps = std::fs::read_dir(dir.join(super::steps::STEPS_DIR))
        .map(|d| d.filter_map(|e| e.ok()).filter(|e| e.file_name().to_string_lossy().ends_with(".md")).count())
        .unwrap_or(0);
    (
        format!("holds {} but no {INCIDENT_FILE}", crate::format::plural(steps as u64, "step file")),
        format!(
            "restore it (`git checkout -- {}`), or write one with `title:` and `at:` in its frontmatter",
            dir.join(INCIDENT_FILE).display()
        ),
    )
}

/// A link in place of an incident folder: refused, never followed (a note would be written
/// wherever it leads). One look at the name: recording stays one stat or two.
fn is_link(dir: &std::path::Path) -> bool {
    std::fs::symlink_metadata(dir).is_ok_and(|m| m.file_type().is_symlink())
}

fn stray_error(stray: &super::Stray, what: &str) -> Error {
    Error::user_hint(format!("{what} {} cannot be opened: its folder {}", stray.slug, stray.problem), &stray.hint)
}

impl Vault {
    /// Stray incidents whose name holds `wanted` (lower case): the error path only, so a
    /// piece of a name finds them as it finds incidents.
    fn strays_matching(&self, wanted: &str) -> Result<Vec<super::Stray>> {
        Ok(self.strays()?.into_iter().filter(|s| s.slug.to_lowercase().contains(wanted)).collect())
    }
}

/// The folder name in a selector typed as a path: `incidents/x/`, `x/.` → `x`.
fn selector_name(sel: &str) -> &str {
    let trimmed = sel.trim().trim_end_matches(['/', '.']).trim_end_matches('/');
    match trimmed.rsplit('/').next() {
        Some(last) if !last.is_empty() => last,
        _ => sel,
    }
}

/// The incident name closest to a selector that matched none, when one is close: a typo.
fn nearest<'n>(sel: &str, names: &'n [String]) -> Option<&'n str> {
    let wanted = sel.to_lowercase();
    let allowed = (wanted.chars().count() / 5).max(2);
    names
        .iter()
        .map(|n| {
            let name = n.to_lowercase();
            // Against the name without its date too: `db-dwn` for `2025-10-05-db-down`.
            let undated = name.get(11..).filter(|_| name.as_bytes().get(10) == Some(&b'-')).unwrap_or(&name);
            (strsim::levenshtein(&wanted, &name).min(strsim::levenshtein(&wanted, undated)), n)
        })
        .filter(|(d, _)| *d <= allowed)
        .min_by_key(|(d, _)| *d)
        .map(|(_, n)| n.as_str())
}

fn join_some(names: &[&String]) -> String {
    let shown: Vec<&str> = names.iter().take(5).map(|s| s.as_str()).collect();
    let more = if names.len() > 5 { ", …" } else { "" };
    format!("{}{more}", shown.join(", "))
}
