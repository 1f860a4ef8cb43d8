//! The publish gate (`publish --check`): the whole site rendered in memory, nothing
//! written, and every reason it should not go out yet listed: a secret a redaction rule
//! still finds, an unreadable file, an internal incident that would be published, an
//! incident without a postmortem, a broken link.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::entry;
use super::incident_page::{Outcome, Sink, render_one};
use super::links;
use super::publish::{PublishOptions, pool, progress_bar};
use super::theme::Theme;
use super::{assets, lists};
use crate::clock::Timestamp;
use crate::commands::postmortem::Freshness;
use crate::error::{Error, Result};
use crate::model::Incident;
use crate::redact::{KnownLengths, Numbering, Placeholders, Redactor, quick_check};
use crate::vault::{IncidentRef, KnownSecrets, RulesRef, Vault};

/// How a secret still in the record is told: by the redaction rules, and by the secrets the
/// vault knows already (a rule found each once; pasted by hand elsewhere, or written where
/// no rule looks, only its value gives it away).
pub struct SecretLook {
    rules: RulesRef,
    known: Option<Numbering>,
}

impl SecretLook {
    /// The vault's rules and its known secrets (keyed hashes: read, never written here).
    pub fn of(vault: &Vault) -> Result<SecretLook> {
        Ok(SecretLook { rules: vault.rules()?, known: known_secrets(vault) })
    }
}

/// The secrets the vault knows, `None` when it knows none.
pub(super) fn known_secrets(vault: &Vault) -> Option<Numbering> {
    KnownSecrets::read_only(&vault.state_dir()).get().filter(|k| !k.is_empty()).cloned()
}

/// Placeholders that cost nothing: the gate only counts what matched (a fresh `Numbering`
/// draws a random key and hashes it for every text looked at). Known secrets are told by
/// their keyed hashes.
struct Counted<'a>(Option<&'a Numbering>);

impl Placeholders for Counted<'_> {
    fn placeholder(&mut self, rule: &str, _secret: &str) -> String {
        format!("[REDACTED:{rule}]")
    }

    fn known(&mut self, candidate: &str) -> Option<String> {
        self.0?.known_as(candidate)
    }

    fn known_lengths(&mut self) -> KnownLengths {
        self.0.map(Numbering::lengths_known).unwrap_or_default()
    }
}

/// `text` as a Markdown page shows it: a backslash before ASCII punctuation (CommonMark's
/// escapes) dropped. The postmortem escapes what it copies, `sk_live_…` as `sk\_live\_…`,
/// which no rule matches, yet the page shows the key.
pub fn markdown_unescaped(text: &str) -> std::borrow::Cow<'_, str> {
    crate::format::without_escapes(text, |c| c.is_ascii_punctuation()).map_or(text.into(), Into::into)
}

/// The rules that matched any of `texts`, as `aws-key 1, bearer 2`; `None` when nothing did.
/// The texts of one file are looked at one by one (a step's body holds its outputs: joining
/// it to the frontmatter would copy it) and counted together.
pub fn secret_rules(look: &SecretLook, texts: &[&str]) -> Option<String> {
    said(&rule_counts(look, texts.iter().copied()))
}

/// [`secret_rules`] for text the tool escaped as Markdown (the generated postmortem): read
/// as written and as a page shows it ([`markdown_unescaped`]); a rule counts what it found
/// in the view it found more in. Only there: steps hold what was typed and printed, and
/// a backslash in an output is shown as it is.
pub fn secret_rules_as_shown(look: &SecretLook, text: &str) -> Option<String> {
    let mut counts = rule_counts(look, [text].into_iter());
    let unescaped = markdown_unescaped(text);
    if unescaped != text {
        for (rule, n) in rule_counts(look, [unescaped.as_ref()].into_iter()) {
            let seen = counts.entry(rule).or_default();
            *seen = (*seen).max(n);
        }
    }
    said(&counts)
}

fn said(counts: &BTreeMap<String, u64>) -> Option<String> {
    let found: Vec<String> = counts.iter().filter(|(_, n)| **n > 0).map(|(r, n)| format!("{r} {n}")).collect();
    (!found.is_empty()).then(|| found.join(", "))
}

/// Redactions by rule over `texts`, counted together.
fn rule_counts<'t>(look: &SecretLook, texts: impl Iterator<Item = &'t str>) -> BTreeMap<String, u64> {
    let rules = &*look.rules;
    // A known secret needs no rule to match: then every text is looked through.
    let mut suspect = texts.filter(|t| look.known.is_some() || quick_check(rules, t)).peekable();
    if suspect.peek().is_none() {
        return BTreeMap::new();
    }
    let mut redactor = Redactor::new(rules, Counted(look.known.as_ref()));
    for text in suspect {
        redactor.redact(text);
    }
    redactor.counts().clone()
}

/// Every text of a frontmatter (strings in lists and nested maps too), one a line: any
/// of them may end up on a page, and a field added later is covered without a change here.
fn frontmatter_text(meta: &impl serde::Serialize) -> String {
    fn walk(v: &serde_json::Value, out: &mut String) {
        match v {
            serde_json::Value::String(s) => {
                out.push_str(s);
                out.push('\n');
            }
            serde_json::Value::Array(items) => items.iter().for_each(|i| walk(i, out)),
            serde_json::Value::Object(map) => map.values().for_each(|i| walk(i, out)),
            _ => {}
        }
    }
    let mut out = String::new();
    if let Ok(value) = serde_json::to_value(meta) {
        walk(&value, &mut out);
    }
    out
}

/// Every published text of an incident that still holds a secret: every frontmatter field
/// of `incident.md` and of each step, step bodies, the summary, the postmortem and the
/// full outputs copied beside the pages.
/// `renamed`: step files renamed by hand (name without `.md`, id), named as they are.
pub fn secrets(
    rules: &SecretLook,
    vault: &Vault,
    r: &IncidentRef,
    incident: &Incident,
    renamed: &[(String, String)],
    postmortem: Option<&str>,
    files: &[String],
) -> Vec<SecretFound> {
    let mut found = Vec::new();
    let mut push = |path: PathBuf, hit: String| {
        let as_shown = path.ends_with(crate::vault::POSTMORTEM_FILE);
        let line = secret_line(rules, &path, as_shown);
        found.push(SecretFound { path, line, rules: hit });
    };
    if let Some(hit) = secret_rules(rules, &[&frontmatter_text(&incident.meta), &incident.summary]) {
        push(vault.incident_md(r), hit);
    }
    for step in &incident.steps {
        // argv read as its command line too: `mysql -pX` is told by the client before it.
        let argv = step.meta.argv.as_deref().map(crate::format::shell_line).unwrap_or_default();
        if let Some(hit) = secret_rules(rules, &[&frontmatter_text(&step.meta), &step.body, &argv]) {
            push(r.dir.join(crate::vault::step_file(renamed, &step.meta.id)), hit);
        }
    }
    if let Some(hit) = postmortem.and_then(|text| secret_rules_as_shown(rules, text)) {
        push(r.dir.join(crate::vault::POSTMORTEM_FILE), hit);
    }
    for file in files {
        let Some(path) = vault.incident_file(r, file) else { continue };
        let Ok(bytes) = std::fs::read(&path) else { continue };
        if let Some(hit) = secret_rules(rules, &[&String::from_utf8_lossy(&bytes)]) {
            push(path, hit);
        }
    }
    found
}

/// A file of the record that still holds a secret.
#[derive(Debug, Clone)]
pub struct SecretFound {
    pub path: PathBuf,
    /// The line of the first one in the file (1-based); 0 when it is told only in a parsed
    /// field (an argv read as one command line, a YAML escape).
    pub line: usize,
    /// The rules that found them, as `aws-key 1, bearer 2`.
    pub rules: String,
}

impl SecretFound {
    /// `PATH:LINE`, or `PATH` when the line is not known.
    pub fn place(&self, vault: &Vault) -> String {
        match self.line {
            0 => vault.rel(&self.path).display().to_string(),
            line => format!("{}:{line}", vault.rel(&self.path).display()),
        }
    }
}

/// The line of the first secret in the file at `path`, as written (and, `as_shown`, as a
/// page shows it: the views its secrets were looked for in); 0 when none finds one. Read
/// only for a file found to hold one.
fn secret_line(look: &SecretLook, path: &Path, as_shown: bool) -> usize {
    let Ok(bytes) = std::fs::read(path) else { return 0 };
    let text = String::from_utf8_lossy(&bytes);
    let shown = as_shown.then(|| first_redacted_line(look, &markdown_unescaped(&text)));
    [Some(first_redacted_line(look, &text)), shown].into_iter().flatten().filter(|l| *l > 0).min().unwrap_or(0)
}

/// The first line (1-based) redaction changes, 0 if none: the placeholder stands where the
/// secret began (a PEM body's first line too).
fn first_redacted_line(look: &SecretLook, text: &str) -> usize {
    let redacted = Redactor::new(&look.rules, Counted(look.known.as_ref())).redact(text);
    let (mut was, mut now) = (text.lines(), redacted.lines());
    for n in 1.. {
        match (was.next(), now.next()) {
            (None, None) => break,
            (a, b) if a != b => return n,
            _ => {}
        }
    }
    0
}

/// The line of `visibility:` in `incident.md` (0 if it is not found): read only when
/// there is a problem to name.
fn visibility_line(md: &Path) -> usize {
    let text = std::fs::read_to_string(md).unwrap_or_default();
    text.lines().position(|l| l.starts_with("visibility:")).map_or(0, |i| i + 1)
}

/// One reason the site should not go out yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The file it is about (in the vault, or in the site for a broken link).
    pub path: PathBuf,
    /// Its line in that file; 0 when it is about the whole file.
    pub line: usize,
    pub message: String,
}

/// What the gate found.
pub struct Checked {
    pub problems: Vec<Problem>,
    /// Incidents that would be published.
    pub checked: usize,
    /// Why each incident left out was (`open`, `internal`).
    pub left_out: Vec<&'static str>,
}

/// A generated postmortem.md read against its sources now: `None` when there is none, it
/// was written by hand, or its incident cannot be read (that is said elsewhere).
pub(super) fn postmortem_freshness(vault: &Vault, r: &IncidentRef, now: Timestamp) -> Option<Result<Freshness>> {
    if !r.dir.join(crate::vault::POSTMORTEM_FILE).is_file() {
        return None;
    }
    let (loaded, sources) = vault.load_with_sources(r).ok()?;
    crate::commands::postmortem::freshness(vault, r, &loaded.incident, &sources, now).transpose()
}

/// A generated postmortem.md that no longer says what its steps say: the site would show
/// figures that disagree with its own header (steps dated after `now` do not count).
fn stale_postmortem(vault: &Vault, slug: &str, now: Timestamp) -> Option<Problem> {
    let r = IncidentRef { slug: slug.to_string(), dir: vault.incidents_dir().join(slug) };
    let path = r.dir.join(crate::vault::POSTMORTEM_FILE);
    // "no postmortem yet" is said with the rest.
    let message = match postmortem_freshness(vault, &r, now)? {
        Ok(f) if !f.changes.is_empty() => {
            format!("stale: since it was generated, {}; {}", f.changes.join("; "), f.hint)
        }
        Ok(_) => return None,
        Err(e) => {
            let (line, message) = line_and_message(&path, &e);
            return Some(Problem { path: vault.rel(&path).to_path_buf(), line, message });
        }
    };
    Some(Problem { path: vault.rel(&path).to_path_buf(), line: 0, message })
}

/// An error about the file `path` (`PATH:LINE: what`) as its line (0: none) and what.
pub(super) fn line_and_message(path: &Path, e: &crate::error::Error) -> (usize, String) {
    let text = e.to_string();
    let rest = text.strip_prefix(&format!("{}:", path.display())).unwrap_or(&text);
    match rest.split_once(": ").and_then(|(n, what)| Some((n.parse().ok()?, what))) {
        Some((line, what)) => (line, what.to_string()),
        None => (0, rest.trim_start().to_string()),
    }
}

/// The publish gate: renders the whole site in memory (nothing is written) and lists
/// the problems: unreadable files, internal incidents that would go out, incidents
/// without a postmortem or with a stale one, broken links and anchors.
pub fn check(
    vault: &Vault,
    theme: &Theme,
    opts: &PublishOptions,
    rules: Option<&SecretLook>,
    now: Timestamp,
) -> Result<Checked> {
    // A stray incident (no incident.md, one folder down) is a problem to name, not one to skip.
    let (names, loose, unread) = vault.folders_and_strays()?;
    let pool = pool(opts.jobs)?;
    let bar = progress_bar(opts, names.len());
    // Links to another incident are made on the guess that all of the vault's are on the site.
    let all: HashSet<&str> = names.iter().map(String::as_str).collect();
    let guess = |slug: &str| (!all.contains(slug)).then_some(super::on_site::MISSING);
    let outcomes: Vec<(String, Result<Option<Outcome>>, Option<Problem>)> = pool.install(|| {
        names
            .par_iter()
            .map(|slug| {
                // Not looked into: a problem of its own, and no postmortem to look at.
                if let Some(why) = unread.get(slug) {
                    bar.inc(1);
                    return (slug.clone(), Err(Error::user(why.clone())), None);
                }
                let result = render_one(vault, theme, opts, Sink::Check(rules), &guess, slug, None);
                let stale = stale_postmortem(vault, slug, now);
                bar.inc(1);
                (slug.clone(), result, stale)
            })
            .collect()
    });
    bar.finish_and_clear();
    let (mut results, stale): (super::relink::Outcomes, Vec<_>) =
        outcomes.into_iter().map(|(slug, result, stale)| ((slug, result), stale)).unzip();
    super::relink::check_again(vault, theme, opts, rules, &pool, &mut results);
    let outcomes = results.into_iter().zip(stale).map(|((slug, result), stale)| (slug, result, stale));

    let rel = |p: &Path| vault.rel(p).to_path_buf();
    let mut problems: Vec<Problem> =
        loose.into_iter().map(|w| Problem { path: rel(&w.path), line: 0, message: w.message }).collect();
    let mut files: HashSet<String> = HashSet::new();
    let mut page_links: Vec<(String, String)> = Vec::new();
    let mut link_files: HashMap<(String, String), PathBuf> = HashMap::new();
    let mut traced: HashMap<PathBuf, Vec<(String, String)>> = HashMap::new();
    let mut ids: HashMap<String, HashSet<String>> = HashMap::new();
    let mut entries = Vec::new();
    let mut left_out = Vec::new();
    for (slug, result, stale) in outcomes {
        let dir = vault.incidents_dir().join(&slug);
        let o = match result {
            Ok(Some(o)) => o,
            // incident.md went away since the folders were listed.
            Ok(None) => continue,
            Err(e) => {
                let text = e.to_string();
                // The problem's line names the folder already (a stray's, where it is).
                let dir = vault.stray(&slug).map_or(dir, |s| s.dir);
                let text = text.strip_prefix(&format!("{}: ", dir.display())).unwrap_or(&text);
                problems.push(Problem { path: rel(&dir), line: 0, message: format!("cannot be published: {text}") });
                continue;
            }
        };
        // What is left out does not go out: its draft postmortem and secrets hold nothing back.
        if o.left_out.is_none() {
            problems.extend(stale);
            for f in &o.secrets {
                problems.push(Problem {
                    path: rel(&f.path),
                    line: f.line,
                    message: format!("still holds a secret ({})", f.rules),
                });
            }
        }
        let md = rel(&dir.join(crate::vault::INCIDENT_FILE));
        let visibility_line = || visibility_line(&dir.join(crate::vault::INCIDENT_FILE));
        if let Some(v) = o.visibility.as_deref().filter(|v| !entry::known_visibility(v)) {
            problems.push(Problem {
                path: md.clone(),
                line: visibility_line(),
                message: format!(
                    "`visibility: {v}` is not a value this tool knows, so the incident is kept out like `internal`; write one of: {}",
                    entry::VISIBILITIES.join(", ")
                ),
            });
        }
        for w in &o.warnings {
            problems.push(Problem { path: rel(&w.path), line: w.line, message: w.message.clone() });
        }
        left_out.extend(o.left_out);
        let Some(entry) = o.entry else { continue };
        if entry.internal {
            let v = o.visibility.as_deref().unwrap_or("internal").trim();
            problems.push(Problem {
                path: md,
                line: visibility_line(),
                message: format!("marked `visibility: {v}` but would be published (--include-internal)"),
            });
        }
        if !entry.has_postmortem {
            problems.push(Problem {
                path: rel(&dir.join(crate::vault::POSTMORTEM_FILE)),
                line: 0,
                message: "no postmortem yet".to_string(),
            });
        }
        files.extend(o.cached.files);
        page_links.extend(o.links);
        ids.extend(o.ids);
        link_files.extend(o.link_files);
        traced.extend(o.traced);
        entries.push(entry);
    }
    entry::sort_newest_first(&mut entries);
    let mut list_pages = assets(theme);
    list_pages.extend(lists::render_lists(theme, &opts.site, &entries)?);
    for page in &list_pages {
        if page.path.ends_with(".html") || page.path.ends_with(".xml") {
            let html = String::from_utf8_lossy(&page.bytes);
            page_links.extend(links::relative_links(&html).into_iter().map(|l| (page.path.clone(), l)));
            ids.insert(page.path.clone(), links::ids(&html));
        }
        files.insert(page.path.clone());
    }
    for b in links::broken(page_links.iter().map(|(p, l)| (p.as_str(), l.as_str())), &files, &ids) {
        // The vault file that holds the link, when it was written in Markdown; else our page.
        let problem = match link_files.get(&(b.page.clone(), b.link.clone())) {
            Some(file) => {
                let path = b.link.split(['#', '?']).next().unwrap_or(&b.link);
                // `steps/X.md`, or a sibling `X.md` written in a step.
                let in_steps = file.parent().is_some_and(|d| d.ends_with(crate::vault::STEPS_DIR));
                let step_like = path.ends_with(".md") && (path.contains("steps/") || (in_steps && !path.contains('/')));
                let unreadable = step_like && file.parent().is_some_and(|d| d.join(path).is_file());
                let why = if b.no_such_anchor {
                    "the page is there but has no such #anchor (a step's anchor is step-ID; a heading of incident.md or postmortem.md has its words in lowercase joined by -, a heading inside a step none)"
                } else if unreadable {
                    "the step file is there but cannot be read (its own line says why)"
                } else if step_like {
                    "the incident has no such step or file (link a step as ../steps/ID.md from a step, steps/ID.md from incident.md or postmortem.md)"
                } else {
                    "the site has no such file (link a file of the incident, e.g. ../attachments/NAME, or a full https:// address)"
                };
                // Named as written, and found in the file: only for a link that is broken.
                let written = super::vault_links::as_written(traced.get(file).map_or(&[], Vec::as_slice), &b.link);
                let line = super::vault_links::link_line(file, &written);
                Problem { path: rel(file), line, message: format!("broken link {written:?}: {why}") }
            }
            None if b.no_such_anchor => Problem {
                path: PathBuf::from(&b.page),
                line: 0,
                message: format!("broken link {:?}: no such #anchor", b.link),
            },
            None => Problem { path: PathBuf::from(&b.page), line: 0, message: format!("broken link {:?}", b.link) },
        };
        problems.push(problem);
    }
    problems.sort_by(|a, b| (&a.path, &a.message).cmp(&(&b.path, &b.message)));
    Ok(Checked { problems, checked: entries.len(), left_out })
}

#[cfg(test)]
mod tests {
    use super::markdown_unescaped;

    #[test]
    fn markdown_escapes_are_read_as_a_page_shows_them() {
        assert_eq!(markdown_unescaped(r"sk\_live\_x \* \[a\] \\_ \n é\é"), r"sk_live_x * [a] \_ \n é\é");
        assert!(matches!(markdown_unescaped(r"C:\temp"), std::borrow::Cow::Borrowed(_)));
    }
}
