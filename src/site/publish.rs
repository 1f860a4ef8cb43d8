//! Publishing: the vault into a folder, streaming one incident at a time on every core,
//! re-rendering only what changed since the last publish (see [`super::plan`]).
//!
//! Only the index entries stay in memory; each incident is read, rendered, written and
//! dropped by one worker.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Instant;

use rayon::prelude::*;
use sha2::{Digest, Sha256};

use super::entry::{self, Entry};
use super::incident_page::{Outcome, Sink, render_one};
use super::output::{self, OutDir, write_file};
use super::plan::{self, Cache, CachedIncident, Plan};
use super::record;
use super::theme::Theme;
use super::{SiteOptions, assets, lists};
use super::{on_site, relink};
use crate::clock::Clock;
use crate::error::{Error, IoContext, Result};
use crate::model::Status;
use crate::vault::{Stamps, Vault, Warning};

mod lock;
mod steps;
use steps::{Merged, look, merge, plan_for, sweep_unrecorded};

/// How to publish.
#[derive(Clone, Debug)]
pub struct PublishOptions {
    pub out: PathBuf,
    pub site: SiteOptions,
    pub include_open: bool,
    pub include_internal: bool,
    /// Worker threads (0: one per core).
    pub jobs: usize,
    /// Where the record of this publish is kept; `None` renders everything and keeps none.
    pub cache_file: Option<PathBuf>,
    /// Only these incidents may have changed (a watcher knows); the rest are not looked at.
    pub only: Option<BTreeSet<String>>,
    /// Draw a progress bar (a terminal, not --quiet).
    pub progress: bool,
    /// Render every incident again, and remove what this publish did not write, whatever
    /// the record says. The record is still read: an incident that cannot be read now keeps
    /// its last index entry.
    pub force: bool,
    /// Look for secrets still in the record (the rules of `incident.toml`): an incident
    /// holding one is held back.
    pub find_secrets: bool,
    /// Tells a stale postmortem (steps dated after now do not count).
    pub clock: Clock,
}

/// What a publish did.
#[derive(Debug, Default)]
pub struct Report {
    /// Incidents read and rendered again.
    pub rendered: usize,
    /// Incidents whose pages stood.
    pub kept: usize,
    /// Incidents on the site now.
    pub published: usize,
    /// Left out: open (without --include-open) or internal (without --include-internal).
    pub left_out: Vec<(String, &'static str)>,
    /// Pages and files written.
    pub written: Vec<String>,
    /// Pages and files removed.
    pub removed: Vec<String>,
    /// Files that could not be read (the rest was published).
    pub warnings: Vec<Warning>,
    /// Incidents that could not be published (a damaged `incident.md`, a template that
    /// fails on them). Their last published pages stay; the publish is not a success.
    pub failed: Vec<Failed>,
    pub seconds: f64,
}

/// An incident that could not be published, and why.
#[derive(Debug)]
pub struct Failed {
    pub slug: String,
    pub message: String,
    /// Its pages of an earlier publish are still on the site.
    pub pages_stay: bool,
}

/// One line per cause: a template that fails on every incident is named once, with the
/// incidents it failed on (the error names the template's file, not the incident).
pub fn failure_lines(failed: &[Failed]) -> Vec<String> {
    let mut groups: Vec<(&str, bool, Vec<&str>)> = Vec::new();
    for f in failed {
        match groups.iter_mut().find(|(m, stay, _)| *m == f.message && *stay == f.pages_stay) {
            Some((_, _, slugs)) => slugs.push(&f.slug),
            None => groups.push((&f.message, f.pages_stay, vec![&f.slug])),
        }
    }
    groups
        .into_iter()
        .map(|(message, stay, slugs)| {
            let which = match slugs.as_slice() {
                [one] if message.contains(one) => String::new(),
                [one] => format!(" (incident {one})"),
                many => {
                    let shown: Vec<&str> = many.iter().take(3).copied().collect();
                    let more = if many.len() > 3 { format!(", and {} more", many.len() - 3) } else { String::new() };
                    format!(" ({} incidents: {}{more})", many.len(), shown.join(", "))
                }
            };
            let one = slugs.len() == 1;
            match (stay, one) {
                (true, true) => format!("{message}{which}; the pages last published of it stay until it is fixed"),
                (true, false) => format!("{message}{which}; the pages last published of them stay until it is fixed"),
                (false, true) => format!("{message}{which}; it is not on the site until it is fixed"),
                (false, false) => format!("{message}{which}; they are not on the site until it is fixed"),
            }
        })
        .collect()
}

/// Why an incident is left out, if it is.
pub(super) fn left_out(entry: &Entry, opts: &PublishOptions) -> Option<&'static str> {
    if entry.internal && !opts.include_internal {
        Some("internal")
    } else if entry.status == Status::Open.as_str() && !opts.include_open {
        Some("open")
    } else {
        None
    }
}

/// The settings digest: a change means nothing of the last publish is reused.
fn settings_digest(theme: &Theme, opts: &PublishOptions, vault: &Vault) -> String {
    let s = &opts.site;
    // Other rules may find a secret in an incident that has not changed.
    // So may a secret found since in another incident: the known ones count as rules.
    let rules = match opts.find_secrets {
        true => {
            let known = super::check::known_secrets(vault).map(|k| k.known_digest()).unwrap_or_default();
            format!("{:?}{known}", vault.settings.redact)
        }
        false => String::new(),
    };
    let text = format!(
        "{}\0{}\0{:?}\0{}\0{}\0{}\0{}\0{rules}\0{}",
        theme.fingerprint,
        s.title,
        s.base_url,
        s.per_page,
        s.feed_entries,
        opts.include_open,
        opts.include_internal,
        postmortem_templates(vault)
    );
    hex::encode(&Sha256::digest(text.as_bytes())[..12])
}

/// The vault's own postmortem templates (`templates/*.tera`, beside `site/`): whether a
/// generated postmortem is stale depends on them too.
fn postmortem_templates(vault: &Vault) -> String {
    let Ok(entries) = fs::read_dir(vault.root.join(crate::render::templates::TEMPLATES_DIR)) else {
        return String::new();
    };
    let mut files: Vec<(std::ffi::OsString, Vec<u8>)> = entries
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter_map(|e| Some((e.file_name(), fs::read(e.path()).ok()?)))
        .collect();
    files.sort();
    let mut hash = Sha256::new();
    for (name, bytes) in files {
        hash.update(name.as_encoded_bytes());
        hash.update([0]);
        hash.update(&bytes);
        hash.update([0]);
    }
    hex::encode(&hash.finalize()[..12])
}

fn digest(bytes: &[u8]) -> String {
    hex::encode(&Sha256::digest(bytes)[..16])
}

pub(super) fn progress_bar(opts: &PublishOptions, len: usize) -> indicatif::ProgressBar {
    if !opts.progress || len < 2 {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::with_draw_target(Some(len as u64), indicatif::ProgressDrawTarget::stderr());
    if let Ok(style) = indicatif::ProgressStyle::with_template("{prefix:>10} [{bar:30}] {pos}/{len} incidents ({eta})")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_prefix("Publishing");
    bar
}

pub(super) fn pool(jobs: usize) -> Result<rayon::ThreadPool> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(jobs)
        .build()
        .map_err(|e| Error::Internal(format!("cannot start {jobs} worker threads: {e}")))
}

/// Publishes the vault into `opts.out`, one publish of the vault at a time.
pub fn publish(vault: &Vault, theme: &Theme, opts: &PublishOptions) -> Result<Report> {
    let _lock = opts.cache_file.as_deref().map(|record| lock::hold(record, opts.progress)).transpose()?;
    publish_locked(vault, theme, opts)
}

fn publish_locked(vault: &Vault, theme: &Theme, opts: &PublishOptions) -> Result<Report> {
    let started = Instant::now();
    let out = opts.out.as_path();
    output::forget_folders();
    // An empty or new folder keeps nothing of any last publish: no need to look first.
    let out_empty = fs::read_dir(out).map_or(true, |mut d| d.next().is_none());
    let ours = out_empty || output::is_marked(out);
    fs::create_dir_all(out).ctx("create", out)?;
    let out_key = fs::canonicalize(out).unwrap_or_else(|_| out.to_path_buf()).display().to_string();
    let settings = settings_digest(theme, opts, vault);
    let (names, loose, unread) = vault.folders_and_strays()?;
    let pool = pool(opts.jobs)?;

    let (mut last, now, mut stamps) = look(vault, opts, &names, &unread, &pool, out_empty);
    // Someone else's folder is written into (never swept): said the first time, with
    // what of theirs is replaced.
    let adopted = (!ours && (!last.found || last.cache.out != out_key)).then(|| output::adopted_warning(out));
    let out_dir = OutDir::open(out);
    let mut plan = plan_for(&last, &out_key, &settings, &now, opts, &out_dir, &pool);
    // Compiling the rules costs more than a re-publish with nothing to render.
    let mut rules =
        (opts.find_secrets && !plan.render.is_empty()).then(|| super::check::SecretLook::of(vault)).transpose()?;

    let bar = progress_bar(opts, plan.render.len());
    let todo: Vec<(String, Option<Stamps>)> =
        plan.render.iter().map(|slug| (slug.clone(), stamps.remove(slug))).collect();
    drop(stamps);
    // Links to another incident are made on what the last record says of it.
    let guess = |slug: &str| match now.contains_key(slug) {
        true => on_site::recorded(last.cache.incidents.get(slug)),
        false => Some(on_site::MISSING),
    };
    let mut outcomes: Vec<(String, Result<Option<Outcome>>)> = pool.install(|| {
        todo.into_par_iter()
            .map(|(slug, stamps)| {
                // Not looked into: it fails, and its last pages stay.
                let result = match unread.get(&slug) {
                    Some(why) => Err(Error::user(why.clone())),
                    None => render_one(vault, theme, opts, Sink::Dir(out, rules.as_ref()), &guess, &slug, stamps),
                };
                bar.inc(1);
                (slug, result)
            })
            .collect()
    });
    bar.finish_and_clear();
    // Then again on what is known now, where that differs (rarely: an incident linked to
    // came, went, or was made internal or public).
    let again = {
        let rendered = outcomes.iter().map(|(slug, r)| (slug.as_str(), r)).collect();
        let known = |slug: &str| relink::on_site_now(&rendered, &last.cache, &now, slug);
        let again = relink::linked_otherwise(&outcomes, &plan.keep, &last.cache, &known);
        if !again.is_empty() && opts.find_secrets && rules.is_none() {
            rules = Some(super::check::SecretLook::of(vault)?);
        }
        relink::render_again(vault, theme, opts, Sink::Dir(out, rules.as_ref()), &pool, &again, &known)
    };
    for (slug, _) in &again {
        if plan.keep.contains(slug) {
            plan.keep.retain(|s| s != slug);
            plan.render.push(slug.clone());
        }
    }
    relink::replace(&mut outcomes, again);

    let mut report = Report::default();
    let Merged { mut next, old, fresh, failed_dirs } =
        merge(outcomes, &mut last, &plan, out_key, settings, out, &out_dir, &mut report)?;
    // Those that failed keep their last entry, but were not published now.
    let failed: BTreeSet<&str> = report.failed.iter().map(|f| f.slug.as_str()).collect();
    report.published =
        next.incidents.iter().filter(|(slug, c)| c.listed.is_some() && !failed.contains(slug.as_str())).count();
    // What an incident looked at and kept warned of last time, it warns of again.
    for slug in &plan.keep {
        if let (Some(Some(_)), Some(c)) = (now.get(slug), next.incidents.get(slug)) {
            report.warnings.extend(c.warnings.iter().map(|w| w.warning(&vault.root)));
        }
    }
    report.warnings.extend(adopted.flatten());
    report.warnings.extend(loose);
    // In the vault's order, whether said now or again.
    report.warnings.sort_by(|a, b| a.path.cmp(&b.path));
    report.kept = plan.keep.iter().filter(|s| next.incidents.get(*s).is_some_and(|c| c.left_out.is_none())).count();
    // Those read now and those whose record says so: all of them, changed or not.
    report.left_out = next
        .incidents
        .iter()
        .filter_map(|(slug, c)| match c.left_out.as_deref()? {
            "internal" => Some((slug.clone(), "internal")),
            _ => Some((slug.clone(), "open")),
        })
        .collect();

    // While no incident's entry changed and every list page is there, the list pages stand
    // and the recorded entries are not even decoded.
    let listed = |c: Option<&CachedIncident>| c.and_then(|c| c.listed);
    let entries_same = last.found
        && !plan.full
        && plan.render.iter().chain(&plan.gone).all(|s| listed(old.get(s)) == listed(next.incidents.get(s)));
    let lists_stand = entries_same && last.cache.lists.keys().all(|p| out_dir.has_file(p));
    let entries = if lists_stand {
        next.lists = std::mem::take(&mut last.cache.lists);
        None
    } else {
        // After a full publish the recorded entries are all replaced, but for those of
        // incidents that could not be read now: they stay while their pages do.
        let recorded = if plan.full && failed_dirs.is_empty() { Some(Vec::new()) } else { last.entries() };
        let Some(mut entries) = recorded else {
            // The record's entries are damaged: start again without it, reading everything.
            if let Some(file) = &opts.cache_file {
                record::remove(file)?;
            }
            return publish_locked(vault, theme, &PublishOptions { only: None, ..opts.clone() });
        };
        let failed_page_stands = |slug: &str| {
            failed_dirs.contains(&format!("incidents/{}/", super::paths::incident_dir(slug)))
                && out_dir.has_file(&super::paths::incident_page(slug))
        };
        entries.retain(|e| {
            (!plan.full || failed_page_stands(&e.slug))
                && !old.contains_key(&e.slug)
                && next.incidents.contains_key(&e.slug)
        });
        entries.extend(fresh);
        entry::sort_newest_first(&mut entries);
        write_lists(theme, opts, &pool, &plan, &last.cache, &mut next, &out_dir, &entries, &mut report)?;
        Some(entries)
    };

    remove_stale(out, &plan, &old, &last.cache, &next, &mut report);
    // No record of what an earlier publish left in this folder (a first publish into it,
    // --force, a record of another folder): what this publish did not write goes.
    // Ours: published into while empty, or marked so then. A record of this folder is not
    // enough: someone else's folder published into twice would become ours.
    if ours && opts.only.is_none() {
        output::mark_ours(out)?;
    }
    if ours && opts.only.is_none() && !out_empty && (!last.found || last.cache.out != next.out || opts.force) {
        report.removed.extend(sweep_unrecorded(out, &next, &failed_dirs));
    }

    if let Some(file) = &opts.cache_file {
        let changed = !last.found
            || plan.full
            || !plan.render.is_empty()
            || !plan.gone.is_empty()
            || (entries.is_some() && next.lists != last.cache.lists);
        if changed {
            record::write(file, &mut next, entries.as_deref())?;
        }
    }
    report.seconds = started.elapsed().as_secs_f64();
    Ok(report)
}

/// Assets, index pages, tag and service pages, the feed and the search index: each made
/// again only when what it is made from changed (or it is missing), on every core.
#[allow(clippy::too_many_arguments)]
fn write_lists(
    theme: &Theme,
    opts: &PublishOptions,
    pool: &rayon::ThreadPool,
    plan: &Plan,
    last: &Cache,
    next: &mut Cache,
    out_dir: &OutDir,
    entries: &[Entry],
    report: &mut Report,
) -> Result<()> {
    let out = opts.out.as_path();
    let stands = |path: &str, digest: &str| {
        !plan.full && last.lists.get(path).is_some_and(|d| d == digest) && out_dir.has_file(path)
    };
    // Assets are tiny: compared by content.
    for page in assets(theme) {
        let d = digest(&page.bytes);
        if !stands(&page.path, &d) {
            write_file(out, &page.path, &page.bytes)?;
            report.written.push(page.path.clone());
        }
        next.lists.insert(page.path, d);
    }
    let digests: Vec<(u64, u64)> = entries
        .iter()
        .map(|e| next.incidents.get(&e.slug).and_then(|c| c.listed).unwrap_or_else(|| lists::entry_digests(e)))
        .collect();
    let list_pages: Vec<Result<(String, String, bool)>> = pool.install(|| {
        lists::layout(&opts.site, entries)
            .into_par_iter()
            .map(|page| {
                let d = lists::input_digest(&page, &opts.site, entries, &digests);
                let write = !stands(&page.path, &d);
                if write {
                    let rendered = lists::render(theme, &opts.site, &page, entries)?;
                    write_file(out, &rendered.path, &rendered.bytes)?;
                }
                Ok((page.path, d, write))
            })
            .collect()
    });
    for page in list_pages {
        let (path, d, written) = page?;
        if written {
            report.written.push(path.clone());
        }
        next.lists.insert(path, d);
    }
    Ok(())
}

/// Removes what the last publish wrote and this one did not: pages of deleted incidents,
/// of incidents now left out, a tag nobody uses any more, a shorter pager.
fn remove_stale(
    out: &Path,
    plan: &Plan,
    old: &BTreeMap<String, CachedIncident>,
    last: &Cache,
    next: &Cache,
    report: &mut Report,
) {
    // A record of another folder says nothing of what is in this one.
    if last.out != next.out {
        return;
    }
    let before = old.values().flat_map(|c| c.files.iter()).chain(last.lists.keys());
    let written: BTreeSet<&str> = plan
        .render
        .iter()
        .filter_map(|slug| next.incidents.get(slug))
        .flat_map(|c| c.files.iter().map(String::as_str))
        .chain(next.lists.keys().map(String::as_str))
        .collect();
    let mut stale = plan::stale(before, &written);
    if !stale.is_empty() {
        // A page an unchanged incident still has stays (two folders that map to one site path).
        let kept: BTreeSet<&str> = next.incidents.values().flat_map(|c| c.files.iter().map(String::as_str)).collect();
        stale.retain(|path| !kept.contains(path.as_str()));
    }
    for path in stale {
        if output::remove(out, &path) {
            report.removed.push(path);
        }
    }
}
