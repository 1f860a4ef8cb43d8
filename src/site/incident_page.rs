//! One incident rendered: read, turned into pages, and written into the site folder or
//! only looked at by `publish --check`.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use super::check::SecretLook;
use super::entry::{self, Entry};
use super::on_site::OnSite;
use super::output::{copy_file, write_file};
use super::pages::{IncidentSource, render_incident_as};
use super::plan::{CachedIncident, CachedWarning};
use super::publish::{PublishOptions, left_out};
use super::theme::Theme;
use super::{links, lists};
use crate::error::{Error, Result};
use crate::model::Incident;
use crate::vault::{IncidentRef, SourceChanges, Sources, Stamps, Vault, Warning};

/// One incident's outcome.
pub(super) struct Outcome {
    pub(super) slug: String,
    pub(super) cached: CachedIncident,
    /// Its index entry, when it is published.
    pub(super) entry: Option<Entry>,
    pub(super) left_out: Option<&'static str>,
    pub(super) warnings: Vec<Warning>,
    /// Relative links per page (check mode only).
    pub(super) links: Vec<(String, String)>,
    /// The ids of each page's elements, for `#fragment` links (check mode only).
    pub(super) ids: Vec<(String, HashSet<String>)>,
    /// The vault file of each link written in Markdown: (page, link) → file (check mode only).
    pub(super) link_files: Vec<((String, String), PathBuf)>,
    /// What the destinations of each of those files were written as: file → (as written,
    /// placed) (check mode only).
    pub(super) traced: Vec<(PathBuf, Vec<(String, String)>)>,
    /// Its `visibility:` value when it is not public (check mode only).
    pub(super) visibility: Option<String>,
    /// Texts that still hold a secret: (vault path, rules that matched) (check mode only).
    pub(super) secrets: Vec<super::check::SecretFound>,
    pub(super) written: Vec<String>,
    /// Why it is held back: its record holds a secret. Its pages of an earlier publish go
    /// too (they may hold it: a secret found since in another incident is one).
    pub(super) held_back: Option<String>,
}

/// Where pages go: a folder, or nowhere (the check only looks at them).
#[derive(Clone, Copy)]
pub(super) enum Sink<'a> {
    /// Write the pages here; with rules, an incident whose record still holds a secret is
    /// held back.
    Dir(&'a Path, Option<&'a SecretLook>),
    /// Look for broken links and, with rules, for secrets still in the texts.
    Check(Option<&'a SecretLook>),
}

/// The biggest SVG attachment shown inline; a bigger one stays a link to its text.
const MAX_INLINE_SVG: u64 = 1 << 20;

/// The SVG attachments of an incident as `data:` URIs, by path in its folder.
fn svg_images(dir: &Path, stamps: &Stamps) -> BTreeMap<String, String> {
    use base64::Engine;
    stamps
        .files
        .iter()
        .filter(|s| s.rel.starts_with("attachments/") && s.rel.to_ascii_lowercase().ends_with(".svg"))
        .filter(|s| s.len <= MAX_INLINE_SVG)
        .filter_map(|s| {
            let bytes = std::fs::read(dir.join(&s.rel)).ok()?;
            let data = base64::engine::general_purpose::STANDARD.encode(bytes);
            Some((s.rel.clone(), format!("data:image/svg+xml;base64,{data}")))
        })
        .collect()
}

/// An Obsidian link that names nothing of its incident, and where the file may be: Obsidian
/// saves a pasted image at the vault's root, beside the note or in a folder under it.
fn unresolved_link(vault: &Vault, r: &IncidentRef, file: &str, name: &str) -> Warning {
    let path = r.dir.join(file);
    let bare = name.split(['#', '|']).next().unwrap_or(name).trim();
    let places = [
        vault.root.join(bare),
        r.dir.join("steps").join(bare),
        r.dir.join(bare),
        r.dir.join("steps/attachments").join(bare),
    ];
    let safe = !bare.is_empty() && !bare.contains("..") && !bare.starts_with('/');
    let hint = match places.iter().find(|p| safe && p.is_file()) {
        Some(found) => {
            let to = r.dir.join("attachments");
            let (found, to) = (vault.rel(found).display().to_string(), vault.rel(&to).display().to_string());
            let to = format!("{to}/");
            let (q_found, q_to) = (shell_words::quote(&found), shell_words::quote(&to));
            format!(
                "Obsidian saved it at {found}: the site publishes only the incident's own files; \
                 move it there with `mkdir -p {q_to} && mv {q_found} {q_to}`"
            )
        }
        None if bare.contains('.') && !bare.ends_with(".md") => {
            "no file of that name in the incident: attach it with `incident attach FILE`, or fix the name".to_string()
        }
        None => "the site publishes only this incident's steps, incident.md and postmortem.md: link to one of them, or fix the name".to_string(),
    };
    Warning {
        line: super::vault_links::link_line(&path, &format!("[[{name}]]")),
        path,
        message: format!(
            "[[{name}]] names nothing of this incident, so the site shows its text without a link: {hint}"
        ),
    }
}

/// The first line of the file at `path` that holds `text` (1-based; 0 when none does): read
/// only when there is something to say of it.
fn line_of(path: &Path, text: &str) -> usize {
    let file = std::fs::read_to_string(path).unwrap_or_default();
    file.lines().position(|l| l.contains(text)).map_or(0, |i| i + 1)
}

/// A generated postmortem older than the steps: the warning for the publish, and the note
/// for its page when the steps themselves changed (not only its template).
fn stale_postmortem(
    vault: &Vault,
    r: &IncidentRef,
    incident: &Incident,
    sources: &Sources,
    opts: &PublishOptions,
) -> Option<(Warning, Option<String>)> {
    let f = match crate::commands::postmortem::freshness(vault, r, incident, sources, opts.clock.current()) {
        Ok(f) => f?,
        // Its frontmatter is broken: published as it is, and said, as `--check` says it.
        Err(e) => {
            let path = r.dir.join(crate::vault::POSTMORTEM_FILE);
            let (line, message) = super::check::line_and_message(&path, &e);
            return Some((Warning { path: vault.rel(&path).to_path_buf(), line, message }, None));
        }
    };
    if f.changes.is_empty() {
        return None;
    }
    let warning = Warning {
        path: vault.rel(&r.dir.join(crate::vault::POSTMORTEM_FILE)).to_path_buf(),
        line: 0,
        message: format!("stale: since it was generated, {}; {}", f.changes.join("; "), f.hint),
    };
    Some((warning, stale_note(&f.steps)))
}

/// A hand-merged postmortem that still holds git's conflict markers: published as it is,
/// both sides shown, so it is said (and `--check` fails).
fn postmortem_conflict(vault: &Vault, r: &IncidentRef, text: Option<&str>) -> Option<Warning> {
    let conflict = crate::conflict::in_markdown(text?, 1)?;
    let path = vault.rel(&r.dir.join(crate::vault::POSTMORTEM_FILE)).to_path_buf();
    Some(Warning { path, line: conflict.line, message: conflict.message() })
}

/// `2 steps added, 1 step changed`: what a reader of the page is told changed.
fn stale_note(changes: &SourceChanges) -> Option<String> {
    let is_incident = |id: &String| id == crate::vault::INCIDENT_FILE;
    let mut parts = Vec::new();
    let kinds = [
        (&changes.added, "added"),
        (&changes.changed, "changed"),
        (&changes.removed, "removed"),
        (&changes.ahead, "dated after now"),
    ];
    for (ids, what) in kinds {
        let steps = ids.iter().filter(|id| !is_incident(id)).count() as u64;
        if steps > 0 {
            parts.push(format!("{} {what}", crate::format::plural(steps, "step")));
        }
    }
    if changes.changed.iter().any(is_incident) {
        parts.push("the incident's details changed".to_string());
    }
    (!parts.is_empty()).then(|| parts.join(", "))
}

/// Keeps the warnings in the record, to be said again while the incident stays as it is.
fn remember_warnings(vault: &Vault, outcome: &mut Outcome) {
    let kept: Option<Vec<CachedWarning>> = outcome.warnings.iter().map(|w| CachedWarning::of(&vault.root, w)).collect();
    match kept {
        Some(kept) => outcome.cached.warnings = kept,
        None => outcome.cached.fingerprint.clear(),
    }
}

#[allow(clippy::too_many_arguments)]
pub(super) fn render_one(
    vault: &Vault,
    theme: &Theme,
    opts: &PublishOptions,
    sink: Sink,
    on_site: OnSite,
    slug: &str,
    stamps: Option<Stamps>,
) -> Result<Option<Outcome>> {
    let r = IncidentRef { slug: slug.to_string(), dir: vault.incidents_dir().join(slug) };
    let (mut loaded, stamps, sources) = match stamps {
        // A postmortem's sources are hashed as the steps are read: is it stale?
        Some(s) if s.files.iter().any(|f| f.rel == crate::vault::POSTMORTEM_FILE) => {
            let (loaded, sources) = vault.load_with_sources(&r)?;
            (loaded, s, Some(sources))
        }
        Some(s) => (vault.load(&r)?, s, None),
        None => match vault.load_stamped_with_sources(&r)? {
            Some(all) => all,
            None => match vault.stray(slug) {
                Some(s) => return Err(Error::user(format!("{}: {}; {}", s.dir.display(), s.problem, s.hint))),
                None => return Ok(None),
            },
        },
    };
    // A step that cannot be read would vanish from a page that may have shown it: the
    // incident fails, as for a damaged incident.md, and its last pages stay.
    if let (Sink::Dir(..), Some(first)) = (&sink, loaded.unreadable_steps.first()) {
        let more = match loaded.unreadable_steps.len() - 1 {
            0 => String::new(),
            n => format!(" (and {})", crate::format::plural(n as u64, "more step file")),
        };
        return Err(Error::user(format!(
            "{}{more} (a step file that cannot be read holds its incident back)",
            first.shown_with(vault.rel(&first.path))
        )));
    }
    // One clock per incident, as `show` and the postmortem have it: steps recorded on a
    // laptop in UTC are shown in the incident's own offset.
    crate::render::postmortem::use_incident_offset(&mut loaded.incident);
    let incident = &loaded.incident;
    let postmortem = vault.postmortem_text(&r)?;
    // `--check` names a stale postmortem as a problem of its own.
    let stale = match (sink, &sources) {
        (Sink::Dir(..), Some(sources)) if postmortem.is_some() => stale_postmortem(vault, &r, incident, sources, opts),
        _ => None,
    };
    let files: Vec<String> = stamps.under("outputs").into_iter().chain(stamps.under("attachments")).collect();
    // Steps dated ahead of the clock are left out until then, as the postmortem leaves
    // them (after the staleness above, which counts them): read again next time, when they may.
    let fingerprint = match loaded.leave_out_ahead(opts.clock.current()) {
        0 => stamps.fingerprint.clone(),
        _ => String::new(),
    };
    let incident = &loaded.incident;
    let mut outcome = Outcome {
        slug: slug.to_string(),
        cached: CachedIncident {
            fingerprint,
            listed: None,
            files: Vec::new(),
            left_out: None,
            warnings: Vec::new(),
            links: Vec::new(),
        },
        entry: None,
        left_out: None,
        warnings: loaded
            .warnings
            .iter()
            .cloned()
            .chain(postmortem_conflict(vault, &r, postmortem.as_deref()))
            .chain(stale.as_ref().map(|(w, _)| w.clone()))
            .collect(),
        links: Vec::new(),
        ids: Vec::new(),
        link_files: Vec::new(),
        traced: Vec::new(),
        visibility: None,
        secrets: Vec::new(),
        written: Vec::new(),
        held_back: None,
    };
    if let Sink::Check(rules) = sink {
        if let Some(rules) = rules {
            outcome.secrets =
                super::check::secrets(rules, vault, &r, incident, &loaded.renamed_steps, postmortem.as_deref(), &files);
        }
        outcome.visibility = incident.meta.visibility.as_ref().filter(|_| entry::is_internal(incident)).cloned();
    }
    let entry = entry::entry(incident, postmortem.is_some());
    if let Some(why) = left_out(&entry, opts) {
        // Its postmortem is not on the site: stale or not is nobody's concern here.
        if let Some((stale, _)) = &stale {
            outcome.warnings.retain(|w| w.message != stale.message);
        }
        outcome.left_out = Some(why);
        outcome.cached.left_out = Some(why.to_string());
        remember_warnings(vault, &mut outcome);
        return Ok(Some(outcome));
    }
    if let Sink::Dir(_, Some(rules)) = sink {
        let found =
            super::check::secrets(rules, vault, &r, incident, &loaded.renamed_steps, postmortem.as_deref(), &files);
        if let Some(first) = found.first() {
            let more = match found.len() - 1 {
                0 => String::new(),
                n => format!(" (and {})", crate::format::plural(n as u64, "more file")),
            };
            // A generated postmortem holds what its steps held, escaped where `redact` does not see it.
            let fix = match first.path.ends_with(crate::vault::POSTMORTEM_FILE) {
                true => {
                    format!("edit it out of the steps it came from and regenerate it (`incident postmortem {slug}`)")
                }
                false => format!("edit it out (`incident redact -I {slug} < FILE` shows it hidden)"),
            };
            outcome.held_back = Some(format!(
                "{}: still holds a secret ({}){more}: {fix}, or switch the rule off in incident.toml if it is none (a secret in the record holds its incident back)",
                first.place(vault),
                first.rules
            ));
            return Ok(Some(outcome));
        }
    }
    let parts = super::figures::postmortem_parts(incident);
    let find_links = matches!(sink, Sink::Check(_));
    let svg_images = svg_images(&r.dir, &stamps);
    let source = IncidentSource {
        incident,
        renamed_steps: &loaded.renamed_steps,
        postmortem: postmortem.as_deref(),
        files: &files,
        svg_images: &svg_images,
        parts: &parts,
        stale: stale.as_ref().and_then(|(_, banner)| banner.as_deref()),
        find_links,
        on_site,
    };
    let rendered = render_incident_as(theme, &opts.site, &source, entry)?;
    if !rendered.unresolved.is_empty() {
        outcome.warnings.extend(rendered.unresolved.iter().map(|(file, name)| unresolved_link(vault, &r, file, name)));
    }
    outcome.warnings.extend(rendered.dropped.iter().map(|(file, dest, why)| {
        let path = r.dir.join(file);
        Warning { line: line_of(&path, dest), path, message: why.clone() }
    }));
    outcome.cached.links = rendered.linked;
    if let Sink::Check(_) = sink {
        outcome.link_files =
            rendered.links.into_iter().map(|(page, link, file)| ((page, link), r.dir.join(file))).collect();
        outcome.traced = rendered.traced.into_iter().map(|(file, placed)| (r.dir.join(file), placed)).collect();
    }
    // The files first, each through a temp file: a page never links to a missing or half
    // copied output, even when the disk fills up between them.
    for copy in &rendered.copies {
        if let Sink::Dir(out, _) = sink {
            let Some(from) = vault.incident_file(&r, &copy.source) else { continue };
            copy_file(&from, out, &copy.path)?;
        }
        outcome.cached.files.push(copy.path.clone());
    }
    for page in &rendered.pages {
        match sink {
            Sink::Dir(out, _) => write_file(out, &page.path, &page.bytes)?,
            Sink::Check(_) => {
                let html = String::from_utf8_lossy(&page.bytes);
                outcome.links.extend(links::relative_links(&html).into_iter().map(|l| (page.path.clone(), l)));
                outcome.ids.push((page.path.clone(), links::ids(&html)));
            }
        }
        outcome.cached.files.push(page.path.clone());
    }
    outcome.written = outcome.cached.files.clone();
    outcome.cached.listed = Some(lists::entry_digests(&rendered.entry));
    outcome.entry = Some(rendered.entry);
    remember_warnings(vault, &mut outcome);
    Ok(Some(outcome))
}
