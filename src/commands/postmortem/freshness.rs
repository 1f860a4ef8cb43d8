//! Whether a generated postmortem.md still says what its sources say (`postmortem --check`,
//! and `publish --check` for every incident).

use std::path::Path;

use super::previous::{self, Front, Previous, Written};
use super::{POSTMORTEM_FILE, load_templates, template_missing, used_sources};
use crate::clock::Timestamp;
use crate::error::{Error, Result};
use crate::frontmatter;
use crate::model::Incident;
use crate::render::postmortem::DEFAULT_TEMPLATE;
use crate::ui::Ui;
use crate::vault::{IncidentRef, SourceChanges, Sources, Vault, compare};

/// A generated postmortem.md against its sources now.
pub struct Freshness {
    /// How many sources its frontmatter names.
    pub sources: usize,
    /// Edited by hand since it was generated.
    pub edited: bool,
    /// What changed since it was generated (`changed: a, b`, `the template … changed`);
    /// empty when it is up to date.
    pub changes: Vec<String>,
    /// The steps (and `incident.md`) changed, added or removed since it was generated.
    pub steps: SourceChanges,
    /// How to bring it up to date.
    pub hint: String,
}

/// Reads postmortem.md of `incident` and compares it with `sources` (steps dated after
/// `now` left out): `None` when it was written by hand (nothing to compare with); an
/// error when it is missing or unreadable.
pub fn freshness(
    vault: &Vault,
    incident: &IncidentRef,
    inc: &Incident,
    sources: &Sources,
    now: Timestamp,
) -> Result<Option<Freshness>> {
    let path = incident.dir.join(POSTMORTEM_FILE);
    let rel = vault.rel(&path).display().to_string();
    let Some(bytes) = crate::vault::read_incident_text(&path)? else {
        return Err(Error::user_hint(
            format!("{rel} does not exist"),
            format!("write it with `incident postmortem {}`", incident.slug),
        ));
    };
    let text = frontmatter::normalize(&bytes).map_err(|e| e.in_file(&path, None))?;
    if matches!(Previous::of(&text).written, Written::ByHand | Written::Json) {
        return Ok(None); // written by hand: nothing to compare with
    }
    let (front, body): (Front, &str) = frontmatter::parse(&text).map_err(|e| {
        let hint = if let Written::Broken(_) = Previous::of(&text).written {
            previous::broken_hint(&incident.slug)
        } else {
            format!("regenerate it with `incident postmortem {} --force`", incident.slug)
        };
        e.in_file(&path, Some(hint))
    })?;
    if !front.generated {
        return Ok(None);
    }
    let mut changes = compare(&front.sources, &used_sources(sources, inc, now));
    // A step whose file is there but is dated after now is left out, not removed.
    let (ahead, removed) = changes.removed.into_iter().partition(|id| sources.step(id).is_some());
    (changes.removed, changes.ahead) = (removed, ahead);
    let edited = Previous::of(&text).written == Written::Edited;
    let template = front.template.clone().unwrap_or_else(|| DEFAULT_TEMPLATE.to_string());
    let template_gone = template_missing(vault, &template);
    // Not recorded by older versions: then only the sources are compared.
    let template_changed = !template_gone
        && front
            .template_sha256
            .as_ref()
            .is_some_and(|old| load_templates(vault, &template).map_or(true, |t| t.fingerprint() != *old));
    // A removed step's file is gone too; it is named once, as removed.
    let removed_file = |f: &String| changes.removed.iter().any(|id| *f == format!("steps/{id}.md"));
    let gone: Vec<String> =
        missing_link_targets(body, &incident.dir).into_iter().filter(|f| !removed_file(f)).collect();
    let mut parts = Vec::new();
    if template_changed {
        parts.push(format!("the template {template} changed"));
    }
    if template_gone {
        parts.push(format!("the template {template} named in its frontmatter is gone"));
    }
    for (what, ids) in [("changed", &changes.changed), ("added", &changes.added), ("removed", &changes.removed)] {
        if !ids.is_empty() {
            parts.push(format!("{what}: {}", some(ids)));
        }
    }
    if !changes.ahead.is_empty() {
        let dated = |id: &String| match inc.steps.iter().find(|s| s.meta.id == *id) {
            Some(s) => format!("{id} ({})", crate::format::date_time(s.meta.at)),
            None => id.clone(),
        };
        let ahead: Vec<String> = changes.ahead.iter().map(dated).collect();
        parts.push(format!(
            "dated after now, so left out until then (correct its `at:` if that is wrong): {}",
            some(&ahead)
        ));
    }
    if !gone.is_empty() {
        parts.push(format!("it links to files that are gone (renamed or moved?): {}", some(&gone)));
    }
    let hint = match edited {
        false if template_gone => format!(
            "regenerate it with the built-in template: `incident postmortem {} --template {DEFAULT_TEMPLATE}`; or put {template} back in templates/",
            incident.slug
        ),
        false if template != DEFAULT_TEMPLATE => {
            format!("regenerate it with `incident postmortem {}` (it keeps the template {template})", incident.slug)
        }
        false => format!("regenerate it with `incident postmortem {}`", incident.slug),
        true => "it was also edited by hand: regenerate it with --out FILE and carry the edits over".to_string(),
    };
    Ok(Some(Freshness { sources: front.sources.len(), edited, changes: parts, steps: changes, hint }))
}

/// `postmortem --check`: says whether postmortem.md is up to date; exit 1 when it is stale.
pub(super) fn check(
    vault: &Vault,
    ui: &Ui,
    incident: &IncidentRef,
    inc: &Incident,
    sources: &Sources,
    now: Timestamp,
) -> Result<u8> {
    let rel = vault.rel(&incident.dir.join(POSTMORTEM_FILE)).display().to_string();
    let Some(f) = freshness(vault, incident, inc, sources, now)? else {
        return Err(Error::user_hint(
            format!("{rel} was not generated by incident (no `generated: true`)"),
            "there is nothing to check against",
        ));
    };
    if f.changes.is_empty() {
        let by_hand = if f.edited { "; edited by hand since it was generated" } else { "" };
        ui.status(&format!("{rel} is up to date ({} sources){by_hand}", f.sources));
        return Ok(0);
    }
    ui.error(&format!("{rel} is stale; since it was generated, {}", f.changes.join("; ")), Some(&f.hint));
    Ok(1)
}

/// The relative link targets in `body` (a postmortem in `dir`) that are not there.
fn missing_link_targets(body: &str, dir: &Path) -> Vec<String> {
    static LINK: std::sync::LazyLock<regex::Regex> =
        std::sync::LazyLock::new(|| regex::Regex::new(r"\]\(([^)\s]+)\)").expect("valid regex"));
    let mut gone: Vec<String> = Vec::new();
    for cap in LINK.captures_iter(body) {
        let target = &cap[1];
        if target.contains(':') || target.starts_with('#') || target.starts_with('/') {
            continue; // a URL, an anchor or an absolute path: not ours to check
        }
        let file = percent_encoding::percent_decode_str(target).decode_utf8_lossy().into_owned();
        if !dir.join(&file).exists() && !gone.contains(&file) {
            gone.push(file);
        }
    }
    gone
}

/// Names the first few; a re-recorded incident would otherwise print a screenful.
fn some(ids: &[String]) -> String {
    const SHOWN: usize = 10;
    if ids.len() <= SHOWN { ids.join(", ") } else { format!("{}, … ({} in all)", ids[..SHOWN].join(", "), ids.len()) }
}
