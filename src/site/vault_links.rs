//! Links written in an incident's Markdown, as they work in the vault and in Obsidian,
//! placed in the site: a step file becomes its anchor on the incident page,
//! `postmortem.md` and `incident.md` their pages, outputs and attachments their copies.
//! A link to a file the incident does not have is left as written, for `--check` to find.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};

use percent_encoding::percent_decode_str;

use super::pages::published_name;

/// The HTML id of a step on its incident page: letters, digits, `-` and `_` of its id.
pub fn step_anchor(id: &str) -> String {
    let id: String = id.chars().filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_')).collect();
    format!("step-{id}")
}

/// The incident file a destination names, relative to the incident folder: from a step
/// (`from_steps`), `../outputs/x` and a sibling `X.md`; from the folder, `outputs/x`.
pub fn vault_file(dest: &str, from_steps: bool) -> Option<&str> {
    let dest = dest.split(['#', '?']).next().unwrap_or(dest);
    let dest = dest.strip_prefix("./").unwrap_or(dest);
    if from_steps { dest.strip_prefix("../") } else { Some(dest) }
}

/// Where a Markdown file of the incident is, and on which page its HTML is shown.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Written {
    /// A step, shown on the incident page.
    InStep,
    /// `incident.md`, shown on the incident page.
    InSummary,
    /// `postmortem.md`, shown on the postmortem page (beside the incident page).
    InPostmortem,
}

/// What an incident's pages can link to.
pub struct Targets<'a> {
    /// Publishable files, relative to the incident folder (`outputs/…`, `attachments/…`).
    pub files: &'a [String],
    /// The step ids the incident page has anchors for.
    pub steps: HashSet<&'a str>,
    /// Step files renamed by hand: their name (without `.md`) → the step's id.
    pub renamed: HashMap<&'a str, &'a str>,
    pub has_postmortem: bool,
    /// Obsidian links [`Targets::wiki_dest`] found nothing for since last taken: the
    /// publish says so (a pasted image Obsidian saved elsewhere, a note outside the incident).
    pub unresolved: RefCell<Vec<String>>,
}

impl Targets<'_> {
    /// The site link for `dest` as written in a file of the incident, or `None` to leave it.
    pub fn place(&self, dest: &str, written: Written) -> Option<String> {
        let fragment = dest.split_once('#').map(|(_, f)| f);
        if let Some(other) = other_incident(dest, written) {
            return Some(other);
        }
        let rel = match (written, vault_file(dest, written == Written::InStep)) {
            (_, Some(rel)) => rel.to_string(),
            // A sibling step named from a step: `X.md`.
            (Written::InStep, None) => {
                let name = dest.split(['#', '?']).next().unwrap_or(dest);
                let name = name.strip_prefix("./").unwrap_or(name);
                format!("steps/{name}")
            }
            _ => return None,
        };
        let on_incident_page = written != Written::InPostmortem;
        let page = |html: &str, own: bool| -> String {
            let at = fragment.map(|f| format!("#{f}")).unwrap_or_default();
            if own { if at.is_empty() { html.to_string() } else { at } } else { format!("{html}{at}") }
        };
        if let Some(stem) = rel.strip_prefix("steps/").and_then(|s| s.strip_suffix(".md")) {
            let name = percent_decode_str(stem).decode_utf8().ok()?;
            let id = self.steps.get(name.as_ref()).or_else(|| self.renamed.get(name.as_ref()))?;
            let anchor = step_anchor(id);
            return Some(if on_incident_page { format!("#{anchor}") } else { format!("index.html#{anchor}") });
        }
        match rel.as_str() {
            "incident.md" => Some(page("index.html", on_incident_page)),
            "postmortem.md" if self.has_postmortem => Some(page("postmortem.html", !on_incident_page)),
            _ if self.files.contains(&rel) => published_name(&rel),
            _ => None,
        }
    }
}

impl Targets<'_> {
    /// An Obsidian link (`[[ID]]`, `[[postmortem#Lessons]]`, `![[graph.png]]`) as the
    /// relative destination it stands for in the file `written` holds it: a step by its id,
    /// `incident` and `postmortem` by name, a file of `outputs/` or `attachments/` by its
    /// name (an attached copy by the name it was attached under). `None` when the incident
    /// has nothing of that name.
    pub fn wiki_dest(&self, target: &str, written: Written) -> Option<String> {
        let found = self.wiki_dest_of(target, written);
        if found.is_none() {
            self.unresolved.borrow_mut().push(target.to_string());
        }
        found
    }

    fn wiki_dest_of(&self, target: &str, written: Written) -> Option<String> {
        // A heading's id is made from its text (`#What worked` is `#what-worked`).
        let (name, fragment) = match target.split_once('#') {
            Some((n, f)) => (n.trim(), format!("#{}", super::blocks::slug(f))),
            None => (target.trim(), String::new()),
        };
        if name.is_empty() {
            return (!fragment.is_empty()).then_some(fragment);
        }
        let note = name.strip_suffix(".md").unwrap_or(name);
        let up = if written == Written::InStep { "../" } else { "" };
        let rel = if let Some(id) = self.steps.get(note).or_else(|| self.renamed.get(note)) {
            match written {
                Written::InStep => format!("{id}.md"),
                _ => format!("steps/{id}.md"),
            }
        } else if note == "incident" || note == "postmortem" {
            format!("{up}{note}.md")
        } else {
            // Exactly, or as `attach` names its copies: `<step id>-<name>`, the name made
            // safe as it stores it (`my lease.png` is `…-my-lease.png`).
            let base = |f: &&String| f.rsplit('/').next().unwrap_or(f).to_string();
            let stored = format!("-{}", crate::vault::slug::file_name(name));
            let file = (self.files.iter().find(|f| base(f) == name))
                .or_else(|| self.files.iter().find(|f| base(f).ends_with(&format!("-{name}"))))
                .or_else(|| self.files.iter().find(|f| f.starts_with("attachments/") && base(f).ends_with(&stored)))?;
            format!("{up}{file}")
        };
        Some(format!("{rel}{fragment}"))
    }
}

/// A link to a file of another incident (`../../OTHER/incident.md` from a step,
/// `../OTHER/postmortem.md` from the incident folder): its page, beside ours on the site.
/// Whether that incident is published is for `--check` to say.
fn other_incident(dest: &str, written: Written) -> Option<String> {
    let up = if written == Written::InStep { "../../" } else { "../" };
    let rest = dest.strip_prefix(up)?;
    let (path, fragment) = match rest.split_once('#') {
        Some((p, f)) => (p, Some(f)),
        None => (rest, None),
    };
    let (folder, file) = path.split_once('/')?;
    let folder = percent_decode_str(folder).decode_utf8().ok()?;
    if !super::paths::safe_component(&folder) {
        return None;
    }
    let dir = super::paths::incident_dir(&folder);
    let at = fragment.map(|f| format!("#{f}")).unwrap_or_default();
    match file {
        "incident.md" => Some(format!("../{dir}/index.html{at}")),
        "postmortem.md" => Some(format!("../{dir}/postmortem.html{at}")),
        _ => {
            let stem = file.strip_prefix("steps/")?.strip_suffix(".md")?;
            let id = percent_decode_str(stem).decode_utf8().ok()?;
            super::paths::safe_component(&id).then(|| format!("../{dir}/index.html#{}", step_anchor(&id)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn targets(files: &[String]) -> Targets<'_> {
        Targets {
            files,
            steps: ["20251005T084500Z-note-abc123"].into_iter().collect(),
            renamed: [("CoreDNS loop log", "20251005T084500Z-note-abc123")].into_iter().collect(),
            has_postmortem: true,
            unresolved: RefCell::default(),
        }
    }

    #[test]
    fn links_that_work_in_the_vault_work_on_the_site() {
        let files = vec!["outputs/x.out".to_string()];
        let t = targets(&files);
        let step = "20251005T084500Z-note-abc123.md";
        let anchor = "step-20251005T084500Z-note-abc123";
        assert_eq!(t.place(step, Written::InStep), Some(format!("#{anchor}")), "a sibling step");
        assert_eq!(t.place(&format!("../steps/{step}"), Written::InStep), Some(format!("#{anchor}")));
        assert_eq!(t.place(&format!("steps/{step}"), Written::InSummary), Some(format!("#{anchor}")));
        assert_eq!(t.place(&format!("steps/{step}"), Written::InPostmortem), Some(format!("index.html#{anchor}")));
        assert_eq!(t.place("../postmortem.md", Written::InStep).as_deref(), Some("postmortem.html"));
        assert_eq!(t.place("postmortem.md#lessons", Written::InSummary).as_deref(), Some("postmortem.html#lessons"));
        assert_eq!(t.place("postmortem.md#lessons", Written::InPostmortem).as_deref(), Some("#lessons"));
        assert_eq!(t.place("../incident.md", Written::InStep).as_deref(), Some("index.html"));
        assert_eq!(t.place("incident.md", Written::InPostmortem).as_deref(), Some("index.html"));
        assert_eq!(t.place("../outputs/x.out", Written::InStep).as_deref(), Some("outputs/x.out.txt"));
        assert_eq!(
            t.place("steps/CoreDNS%20loop%20log.md", Written::InPostmortem),
            Some(format!("index.html#{anchor}"))
        );
        assert_eq!(t.place("CoreDNS loop log.md", Written::InStep), Some(format!("#{anchor}")), "renamed by hand");
    }

    #[test]
    fn obsidian_links_name_steps_pages_and_files() {
        let files = vec![
            "attachments/lease.png".to_string(),
            "outputs/x.out".to_string(),
            "attachments/20251005T084500Z-attach-abc123-graph.svg".to_string(),
            "attachments/20251005T084600Z-attach-def456-my-lease-ubersicht.png".to_string(),
        ];
        let t = targets(&files);
        let id = "20251005T084500Z-note-abc123";
        let place = |target: &str, written| t.wiki_dest(target, written).and_then(|d| t.place(&d, written));
        assert_eq!(place(id, Written::InStep), Some(format!("#step-{id}")));
        assert_eq!(place(&format!("{id}.md"), Written::InSummary), Some(format!("#step-{id}")));
        assert_eq!(place(id, Written::InPostmortem), Some(format!("index.html#step-{id}")));
        assert_eq!(place("postmortem#Lessons", Written::InStep).as_deref(), Some("postmortem.html#lessons"));
        let worked = place("postmortem#What worked", Written::InSummary);
        assert_eq!(worked.as_deref(), Some("postmortem.html#what-worked"), "the heading's id");
        assert_eq!(t.wiki_dest("#Impact", Written::InSummary).as_deref(), Some("#impact"), "this page");
        assert_eq!(place("incident", Written::InPostmortem).as_deref(), Some("index.html"));
        assert_eq!(place("lease.png", Written::InStep).as_deref(), Some("attachments/lease.png"));
        assert_eq!(t.wiki_dest("lease.png", Written::InStep).as_deref(), Some("../attachments/lease.png"));
        assert_eq!(place("x.out", Written::InSummary).as_deref(), Some("outputs/x.out.txt"));
        assert_eq!(
            t.wiki_dest("graph.svg", Written::InSummary).as_deref(),
            Some("attachments/20251005T084500Z-attach-abc123-graph.svg")
        );
        // By the name it was attached under, which `attach` made safe for a file name.
        assert_eq!(
            t.wiki_dest("my lease Übersicht.PNG", Written::InSummary).as_deref(),
            Some("attachments/20251005T084600Z-attach-def456-my-lease-ubersicht.png")
        );
        t.unresolved.take();
        assert_eq!(t.wiki_dest("gone", Written::InStep), None);
        assert_eq!(t.unresolved.take(), ["gone"], "kept to be said");
        assert_eq!(t.wiki_dest("../../etc/passwd", Written::InStep), None);
    }

    #[test]
    fn links_to_another_incident_lead_to_its_pages() {
        let files = vec![];
        let t = targets(&files);
        let other = "2025-09-01-dns-loop";
        assert_eq!(
            t.place(&format!("../../{other}/incident.md"), Written::InStep),
            Some(format!("../{other}/index.html"))
        );
        assert_eq!(
            t.place(&format!("../{other}/postmortem.md#lessons"), Written::InSummary),
            Some(format!("../{other}/postmortem.html#lessons"))
        );
        assert_eq!(
            t.place(&format!("../{other}/steps/20250901T080000Z-note-aaaaaa.md"), Written::InPostmortem),
            Some(format!("../{other}/index.html#step-20250901T080000Z-note-aaaaaa"))
        );
        assert_eq!(t.place("../../../etc/incident.md", Written::InStep), None, "no further up than incidents/");
        assert_eq!(t.place("../../x/secrets.txt", Written::InStep), None);
    }

    #[test]
    fn links_to_what_the_incident_does_not_have_are_left_for_the_check() {
        let files = vec![];
        let t = Targets { has_postmortem: false, ..targets(&files) };
        assert_eq!(t.place("../steps/20990101T000000Z-note-zzzzzz.md", Written::InStep), None);
        assert_eq!(t.place("steps/../../secret.md", Written::InSummary), None);
        assert_eq!(t.place("../postmortem.md", Written::InStep), None, "no postmortem yet");
        assert_eq!(t.place("../outputs/gone.out", Written::InStep), None);
        assert_eq!(t.place("https://example.com/x.md", Written::InSummary), None);
    }
}
