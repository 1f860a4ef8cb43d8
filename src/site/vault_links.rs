//! Links written in an incident's Markdown, as they work in the vault and in Obsidian,
//! placed in the site: a step file becomes its anchor on the incident page,
//! `postmortem.md` and `incident.md` their pages, outputs and attachments their copies.
//! A link to a file the incident does not have is left as written, for `--check` to find;
//! one to an incident not on the site, or out of the site, is dropped to its text and said.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap, HashSet};

use percent_encoding::percent_decode_str;

use super::markdown::{Dest, Placed, classify, leaves_site};
use super::on_site::OnSite;
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
    /// Why another incident is not on the site (`None`: it is).
    pub on_site: OnSite<'a>,
    /// The other incidents linked to, and what [`Targets::on_site`] said of each: the
    /// pages are made again when that changes.
    pub linked: RefCell<BTreeMap<String, Option<&'static str>>>,
    /// Links dropped to their text since last taken: (the destination as written, why).
    pub dropped: RefCell<Vec<(String, String)>>,
    /// Keep [`Targets::traced`] (`--check` only): a broken link is named as written.
    pub trace: bool,
    /// What each destination placed since last taken was written as: (as written, placed);
    /// an Obsidian link as (`[[name]]`, the destination it stands for).
    pub traced: RefCell<Vec<(String, String)>>,
}

/// A page of an incident, to tell a link that climbs out of the site.
const A_PAGE: &str = "incidents/x/index.html";

impl Targets<'_> {
    /// Where `dest`, as written in a file of the incident, goes on the site: its place, as
    /// written, or nowhere (it leads out of the site, or to an incident not on it).
    pub fn place(&self, dest: &str, written: Written) -> Placed {
        let placed = self.place_untraced(dest, written);
        if self.trace {
            let site = match &placed {
                Placed::At(p) => p.clone(),
                Placed::AsWritten => dest.to_string(),
                Placed::Dropped => return placed,
            };
            self.traced.borrow_mut().push((dest.to_string(), site));
        }
        placed
    }

    fn place_untraced(&self, dest: &str, written: Written) -> Placed {
        if classify(dest) == Dest::Refused {
            let scheme = super::markdown::scheme(dest).unwrap_or_default();
            let why = format!(
                "link {dest:?} uses `{scheme}:`, which the site never links (only http:, https: and mailto: \
                 addresses: javascript: or data: could run script on the site, file: open the reader's own files): \
                 the site shows its text without the link; write the full https:// address, or link a file of the \
                 incident, e.g. ../attachments/NAME"
            );
            return self.drop(dest, why);
        }
        let (why, fix) = if leaves_site(dest) {
            let rest = dest.trim_start_matches(|c: char| c <= ' ');
            if rest.starts_with("//") || rest.starts_with("\\\\") || rest.starts_with("/\\") {
                ("names another host without a scheme (`//`)", "write the full https:// address")
            } else {
                (
                    "starts at `/`, the root of wherever the page is read (from file://, the reader's own disk)",
                    "link relative to the file, e.g. ../attachments/NAME",
                )
            }
        } else if let Some(other) = self.other_incident(dest, written) {
            return other;
        } else if let Some(placed) = self.place_own(dest, written) {
            return Placed::At(placed);
        } else if super::links::resolve(A_PAGE, &dest.replace('\\', "/")).is_none() {
            (
                "leads out of the site",
                "link a file of the incident, e.g. ../attachments/NAME, or a full https:// address",
            )
        } else {
            return Placed::AsWritten;
        };
        self.drop(dest, format!("link {dest:?} {why}: the site shows its text without the link; {fix}"))
    }

    fn drop(&self, dest: &str, why: String) -> Placed {
        self.dropped.borrow_mut().push((dest.to_string(), why));
        Placed::Dropped
    }

    /// The site link for `dest` among the incident's own files, or `None`.
    fn place_own(&self, dest: &str, written: Written) -> Option<String> {
        let fragment = dest.split_once('#').map(|(_, f)| f);
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
        match &found {
            None => self.unresolved.borrow_mut().push(target.to_string()),
            Some(dest) if self.trace => self.traced.borrow_mut().push((format!("[[{target}]]"), dest.clone())),
            Some(_) => {}
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

impl Targets<'_> {
    /// A link to a file of another incident (`../../OTHER/incident.md` from a step,
    /// `../OTHER/postmortem.md` from the incident folder): its page or file beside ours on
    /// the site, or dropped while that incident is not on the site (its folder name would
    /// show, and lead nowhere). `None`: no link to another incident.
    fn other_incident(&self, dest: &str, written: Written) -> Option<Placed> {
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
        let absent = (self.on_site)(&folder);
        self.linked.borrow_mut().insert(folder.to_string(), absent);
        if let Some(why) = absent {
            let fix = match why {
                super::on_site::MISSING => "fix the folder name, or take the link out",
                _ => "it is linked once it is published",
            };
            let why = format!(
                "link {dest:?} leads to incident {folder}, which is not on the site ({why}): the site shows its text without the link; {fix}"
            );
            return Some(self.drop(dest, why));
        }
        let dir = super::paths::incident_dir(&folder);
        let at = fragment.map(|f| format!("#{f}")).unwrap_or_default();
        let file = file.split('?').next().unwrap_or(file);
        let placed = match file {
            "incident.md" => format!("../{dir}/index.html{at}"),
            "postmortem.md" => format!("../{dir}/postmortem.html{at}"),
            _ => match file.strip_prefix("steps/").and_then(|f| f.strip_suffix(".md")) {
                Some(stem) => {
                    let id = percent_decode_str(stem).decode_utf8().ok()?;
                    if !super::paths::safe_component(&id) {
                        return None;
                    }
                    format!("../{dir}/index.html#{}", step_anchor(&id))
                }
                // An output or attachment, by the name it is published under.
                None => format!("../{dir}/{}", published_name(&percent_decode_str(file).decode_utf8().ok()?)?),
            },
        };
        Some(Placed::At(placed))
    }
}

/// A link of a page as it was written in its file, from what that file's destinations
/// were placed at ([`Targets::traced`]); the link itself when none was placed there (a
/// `#fragment`, written as it is shown).
pub fn as_written(traced: &[(String, String)], link: &str) -> String {
    let decoded = |s: &str| percent_decode_str(s).decode_utf8_lossy().into_owned();
    let mut now = link.to_string();
    // An Obsidian link goes twice: `[[name]]` to a destination, that to its place.
    for _ in 0..2 {
        let key = decoded(&now);
        match traced.iter().find(|(w, placed)| *w != now && decoded(placed) == key) {
            Some((w, _)) => now = w.clone(),
            None => break,
        }
    }
    now
}

/// The line (1-based, frontmatter counted) of the file at `path` that holds the link
/// `written` (`dest`, or `[[name]]`); 0 when none does. Read only for a link to be named.
pub fn link_line(path: &std::path::Path, written: &str) -> usize {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let needles = match written.strip_prefix("[[").and_then(|w| w.strip_suffix("]]")) {
        // `[[name|shown as]]` and `![[name]]` too.
        Some(name) => vec![format!("[[{name}]]"), format!("[[{name}|"), format!("[[{name}")],
        None => vec![format!("({written}"), format!("<{written}>"), format!(": {written}"), written.to_string()],
    };
    // The likeliest form first: a link's destination, then the text anywhere.
    needles.iter().find_map(|n| text.lines().position(|l| l.contains(n.as_str()))).map_or(0, |i| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(placed: Placed) -> Option<String> {
        match placed {
            Placed::At(p) => Some(p),
            _ => None,
        }
    }

    fn targets(files: &[String]) -> Targets<'_> {
        Targets {
            on_site: &|slug| (slug == "2025-09-02-internal").then_some(super::super::on_site::INTERNAL),
            linked: RefCell::default(),
            dropped: RefCell::default(),
            trace: false,
            traced: RefCell::default(),
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
        assert_eq!(at(t.place(step, Written::InStep)), Some(format!("#{anchor}")), "a sibling step");
        assert_eq!(at(t.place(&format!("../steps/{step}"), Written::InStep)), Some(format!("#{anchor}")));
        assert_eq!(at(t.place(&format!("steps/{step}"), Written::InSummary)), Some(format!("#{anchor}")));
        assert_eq!(at(t.place(&format!("steps/{step}"), Written::InPostmortem)), Some(format!("index.html#{anchor}")));
        assert_eq!(at(t.place("../postmortem.md", Written::InStep)).as_deref(), Some("postmortem.html"));
        assert_eq!(
            at(t.place("postmortem.md#lessons", Written::InSummary)).as_deref(),
            Some("postmortem.html#lessons")
        );
        assert_eq!(at(t.place("postmortem.md#lessons", Written::InPostmortem)).as_deref(), Some("#lessons"));
        assert_eq!(at(t.place("../incident.md", Written::InStep)).as_deref(), Some("index.html"));
        assert_eq!(at(t.place("incident.md", Written::InPostmortem)).as_deref(), Some("index.html"));
        assert_eq!(at(t.place("../outputs/x.out", Written::InStep)).as_deref(), Some("outputs/x.out.txt"));
        assert_eq!(
            at(t.place("steps/CoreDNS%20loop%20log.md", Written::InPostmortem)),
            Some(format!("index.html#{anchor}"))
        );
        assert_eq!(at(t.place("CoreDNS loop log.md", Written::InStep)), Some(format!("#{anchor}")), "renamed by hand");
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
        let place = |target: &str, written| t.wiki_dest(target, written).and_then(|d| at(t.place(&d, written)));
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
            at(t.place(&format!("../../{other}/incident.md"), Written::InStep)),
            Some(format!("../{other}/index.html"))
        );
        assert_eq!(
            at(t.place(&format!("../{other}/postmortem.md#lessons"), Written::InSummary)),
            Some(format!("../{other}/postmortem.html#lessons"))
        );
        assert_eq!(
            at(t.place(&format!("../{other}/steps/20250901T080000Z-note-aaaaaa.md"), Written::InPostmortem)),
            Some(format!("../{other}/index.html#step-20250901T080000Z-note-aaaaaa"))
        );
        assert_eq!(at(t.place("../../../etc/incident.md", Written::InStep)), None, "no further up than incidents/");
        assert_eq!(at(t.place("../../x/secrets.txt", Written::InStep)), None);
    }

    #[test]
    fn links_to_what_the_incident_does_not_have_are_left_for_the_check() {
        let files = vec![];
        let t = Targets { has_postmortem: false, ..targets(&files) };
        assert_eq!(at(t.place("../steps/20990101T000000Z-note-zzzzzz.md", Written::InStep)), None);
        assert_eq!(at(t.place("steps/../../secret.md", Written::InSummary)), None);
        assert_eq!(at(t.place("../postmortem.md", Written::InStep)), None, "no postmortem yet");
        assert_eq!(at(t.place("../outputs/gone.out", Written::InStep)), None);
        assert_eq!(at(t.place("https://example.com/x.md", Written::InSummary)), None);
    }

    #[test]
    fn links_to_incidents_not_on_the_site_and_out_of_it_are_dropped_and_said() {
        let files = vec![];
        let t = targets(&files);
        let hidden = "../../2025-09-02-internal/incident.md";
        assert_eq!(t.place(hidden, Written::InStep), Placed::Dropped);
        let shown = "../2025-09-01-dns-loop/attachments/graph.svg";
        assert_eq!(
            at(t.place(shown, Written::InSummary)).as_deref(),
            Some("../2025-09-01-dns-loop/attachments/graph.svg.txt")
        );
        assert_eq!(
            t.linked.take().into_iter().collect::<Vec<_>>(),
            [
                ("2025-09-01-dns-loop".to_string(), None),
                ("2025-09-02-internal".to_string(), Some(super::super::on_site::INTERNAL))
            ],
            "what each was linked on"
        );
        for bad in ["/etc/passwd", " /x.html", "\\\\evil\\x", "//evil.com/x", "../../../../etc/passwd", "..\\..\\..\\x"]
        {
            assert_eq!(t.place(bad, Written::InStep), Placed::Dropped, "{bad}");
        }
        let said = t.dropped.take();
        assert_eq!(said.len(), 7);
        assert!(
            said[0].1.contains("leads to incident 2025-09-02-internal, which is not on the site (it is internal)"),
            "{said:?}"
        );
        assert!(said[1].1.contains("starts at `/`"), "{said:?}");
        assert!(said[4].1.contains("names another host without a scheme"), "{said:?}");
        assert!(said[5].1.contains("leads out of the site"), "{said:?}");
        assert_eq!(t.place("../../x/secrets.txt", Written::InStep), Placed::AsWritten, "left for the check");
    }
}
