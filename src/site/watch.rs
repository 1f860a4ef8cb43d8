//! What a batch of file events means for the served site. Pure: paths in, decision out.
//!
//! Ignored: local state (`.incident/`), the site folders themselves, temp files of atomic
//! writes (`.incident-tmp-*`), dotfiles and editor droppings (`x~`, `.x.swp`, `4913`,
//! `#x#`), and anything outside `incidents/`, `templates/` and `incident.toml`.

use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};

use notify_debouncer_full::notify::EventKind;
use notify_debouncer_full::notify::event::{AccessKind, AccessMode};

use crate::vault::{INCIDENTS_DIR, SETTINGS_FILE, STATE_DIR, atomic};

/// Events that can change what a file holds. Reads (opens, closes after reading, which
/// building the site itself causes) do not count.
pub fn changes_content(kind: &EventKind) -> bool {
    match kind {
        EventKind::Create(_) | EventKind::Modify(_) | EventKind::Remove(_) | EventKind::Any | EventKind::Other => true,
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        EventKind::Access(_) => false,
    }
}

/// What to rebuild.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Rebuild {
    /// Incidents (folder names) whose files changed.
    pub incidents: BTreeSet<String>,
    /// Settings or templates changed: everything, with the templates read again.
    pub everything: bool,
}

impl Rebuild {
    pub fn is_empty(&self) -> bool {
        self.incidents.is_empty() && !self.everything
    }
}

/// Files editors write beside the real one while saving.
pub fn is_editor_file(name: &str) -> bool {
    atomic::is_ignored_name(name)
        || name.starts_with(atomic::TEMP_PREFIX)
        || name.ends_with(".swx")
        || name.ends_with(".swo")
        || name.ends_with(".tmp")
        || name == "4913"
        || (name.starts_with('#') && name.ends_with('#'))
}

/// Decides from the paths of one debounced batch of events. `ignored` are folders whose
/// changes never count (the site being served, `public/`).
pub fn classify(root: &Path, ignored: &[PathBuf], paths: &[PathBuf]) -> Rebuild {
    let mut out = Rebuild::default();
    for path in paths {
        if ignored.iter().any(|dir| path.starts_with(dir)) {
            continue;
        }
        let Ok(rel) = path.strip_prefix(root) else { continue };
        let parts: Vec<&str> = rel
            .components()
            .filter_map(|c| match c {
                Component::Normal(n) => n.to_str(),
                _ => None,
            })
            .collect();
        if parts.len() != rel.components().count() || parts.iter().any(|p| is_editor_file(p)) {
            continue;
        }
        match parts.as_slice() {
            [first, ..] if *first == STATE_DIR => {}
            [file] if *file == SETTINGS_FILE => out.everything = true,
            ["templates", _, ..] => out.everything = true,
            [dir, slug, ..] if *dir == INCIDENTS_DIR => {
                out.incidents.insert(slug.to_string());
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decide(paths: &[&str]) -> Rebuild {
        let root = Path::new("/v");
        let ignored = [root.join("public"), root.join(".incident/serve")];
        classify(root, &ignored, &paths.iter().map(PathBuf::from).collect::<Vec<_>>())
    }

    fn slugs(r: &Rebuild) -> Vec<&str> {
        r.incidents.iter().map(String::as_str).collect()
    }

    #[test]
    fn a_new_step_rebuilds_its_incident() {
        let r = decide(&["/v/incidents/2025-a/steps/20251005T0823Z-note-k7f3q9.md"]);
        assert_eq!(slugs(&r), ["2025-a"]);
        assert!(!r.everything);
        let r =
            decide(&["/v/incidents/2025-b", "/v/incidents/2025-a/outputs/x.out", "/v/incidents/2025-a/incident.md"]);
        assert_eq!(slugs(&r), ["2025-a", "2025-b"]);
    }

    #[test]
    fn temp_swap_state_and_site_files_are_ignored() {
        let r = decide(&[
            "/v/incidents/2025-a/steps/.incident-tmp-Xy12",
            "/v/incidents/2025-a/steps/.20251005-note.md.swp",
            "/v/incidents/2025-a/steps/x.md~",
            "/v/incidents/2025-a/steps/4913",
            "/v/incidents/2025-a/steps/#x.md#",
            "/v/incidents/.hidden/incident.md",
            "/v/.incident/current",
            "/v/.incident/site-cache",
            "/v/.incident/serve/index.html",
            "/v/public/index.html",
            "/v/.git/index",
            "/v/README.md",
            "/elsewhere/incidents/x/incident.md",
            "/v/incidents/../x",
        ]);
        assert!(r.is_empty(), "{r:?}");
    }

    #[test]
    fn reading_a_file_is_no_change() {
        use notify_debouncer_full::notify::event::{CreateKind, ModifyKind, RemoveKind};
        assert!(changes_content(&EventKind::Create(CreateKind::File)));
        assert!(changes_content(&EventKind::Modify(ModifyKind::Any)));
        assert!(changes_content(&EventKind::Remove(RemoveKind::File)));
        assert!(changes_content(&EventKind::Access(AccessKind::Close(AccessMode::Write))));
        assert!(!changes_content(&EventKind::Access(AccessKind::Open(AccessMode::Any))));
        assert!(!changes_content(&EventKind::Access(AccessKind::Close(AccessMode::Read))));
    }

    #[test]
    fn settings_and_templates_rebuild_everything() {
        assert!(decide(&["/v/incident.toml"]).everything);
        assert!(decide(&["/v/templates/site/base.html.tera"]).everything);
        assert!(!decide(&["/v/templates/site/.base.html.tera.swp"]).everything);
    }
}
