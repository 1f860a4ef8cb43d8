//! Publishing: the vault into a folder, streaming one incident at a time on every core,
//! re-rendering only what changed since the last publish (see [`super::plan`]).
//!
//! Only the index entries stay in memory; each incident is read, rendered, written and
//! dropped by one worker.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use rayon::prelude::*;
use sha2::{Digest, Sha256};

use super::entry::{self, Entry};
use super::links;
use super::pages::{IncidentSource, render_incident_as};
use super::plan::{self, CACHE_VERSION, Cache, CachedIncident};
use super::theme::Theme;
use super::{SiteOptions, assets, lists};
use crate::error::{Error, IoContext, Result};
use crate::model::Status;
use crate::redact::Rules;
use crate::vault::{IncidentRef, Stamps, Vault, Warning, atomic};

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
    pub seconds: f64,
}

/// Why an incident is left out, if it is.
fn left_out(entry: &Entry, opts: &PublishOptions) -> Option<&'static str> {
    if entry.internal && !opts.include_internal {
        Some("internal")
    } else if entry.status == Status::Open.as_str() && !opts.include_open {
        Some("open")
    } else {
        None
    }
}

/// The settings digest: a change means nothing of the last publish is reused.
fn settings_digest(theme: &Theme, opts: &PublishOptions) -> String {
    let s = &opts.site;
    let text = format!(
        "{}\0{}\0{:?}\0{}\0{}\0{}\0{}",
        theme.fingerprint, s.title, s.base_url, s.per_page, s.feed_entries, opts.include_open, opts.include_internal
    );
    hex::encode(&Sha256::digest(text.as_bytes())[..12])
}

fn digest(bytes: &[u8]) -> String {
    hex::encode(&Sha256::digest(bytes)[..16])
}

/// Writes `bytes` to `out/path` through a temp file and a rename: a reader (the `serve`
/// server, a browser) never sees half a page. No fsync: the site is derived.
pub fn write_file(out: &Path, path: &str, bytes: &[u8]) -> Result<()> {
    write_file_with(out, path, |w| w.write_all(bytes))
}

/// [`write_file`] with the bytes written by `fill`.
fn write_file_with(out: &Path, path: &str, fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> Result<()> {
    let target = out.join(path);
    let dir = target.parent().unwrap_or(out);
    fs::create_dir_all(dir).ctx("create", dir)?;
    // Readable like any file the user writes (0666 less the umask), not 0600 like a temp file:
    // a web server must be able to serve it.
    let mut tmp = tempfile::Builder::new()
        .prefix(atomic::TEMP_PREFIX)
        .permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666))
        .tempfile_in(dir)
        .ctx("create a file in", dir)?;
    fill(&mut tmp).ctx("write", &target)?;
    tmp.persist(&target).map_err(|e| Error::io("write", &target, e.error))?;
    Ok(())
}

fn remove(out: &Path, path: &str) -> bool {
    if !plan::removable(path) {
        return false;
    }
    let target = out.join(path);
    let removed = fs::remove_file(&target).is_ok();
    // Empty folders left behind go too (incidents/<dir>/outputs, incidents/<dir>, tags/<tag>).
    let mut dir = target.parent();
    while let Some(d) = dir {
        if d == out || fs::remove_dir(d).is_err() {
            break;
        }
        dir = d.parent();
    }
    removed
}

/// One incident's outcome.
pub(super) struct Outcome {
    pub(super) slug: String,
    pub(super) cached: CachedIncident,
    pub(super) left_out: Option<&'static str>,
    pub(super) warnings: Vec<Warning>,
    /// Relative links per page (check mode only).
    pub(super) links: Vec<(String, String)>,
    /// Texts that still hold a secret: (vault path, rules that matched) (check mode only).
    pub(super) secrets: Vec<(PathBuf, String)>,
    pub(super) written: Vec<String>,
}

/// Where pages go: a folder, or nowhere (the check only looks at them).
#[derive(Clone, Copy)]
pub(super) enum Sink<'a> {
    Dir(&'a Path),
    /// Look for broken links and, with rules, for secrets still in the texts.
    Check(Option<&'a Rules>),
}

pub(super) fn render_one(
    vault: &Vault,
    theme: &Theme,
    opts: &PublishOptions,
    sink: Sink,
    slug: &str,
    stamps: Option<Stamps>,
) -> Result<Option<Outcome>> {
    let r = IncidentRef { slug: slug.to_string(), dir: vault.incidents_dir().join(slug) };
    let (loaded, stamps) = match stamps {
        Some(s) => (vault.load(&r)?, s),
        None => match vault.load_stamped(&r)? {
            Some(both) => both,
            None => return Ok(None),
        },
    };
    let incident = &loaded.incident;
    let postmortem = vault.postmortem_text(&r)?;
    let files: Vec<String> = stamps.under("outputs").into_iter().chain(stamps.under("attachments")).collect();
    let fingerprint = if loaded.warnings.is_empty() { stamps.fingerprint.clone() } else { String::new() };
    let mut outcome = Outcome {
        slug: slug.to_string(),
        cached: CachedIncident { fingerprint, entry: None, files: Vec::new() },
        left_out: None,
        warnings: loaded.warnings.clone(),
        links: Vec::new(),
        secrets: Vec::new(),
        written: Vec::new(),
    };
    if let Sink::Check(Some(rules)) = sink {
        outcome.secrets = super::check::secrets(rules, vault, &r, incident, postmortem.as_deref(), &files);
    }
    let entry = entry::entry(incident, postmortem.is_some());
    if let Some(why) = left_out(&entry, opts) {
        outcome.left_out = Some(why);
        return Ok(Some(outcome));
    }
    let parts = super::pages::postmortem_parts(incident);
    let source = IncidentSource { incident, postmortem: postmortem.as_deref(), files: &files, parts: &parts };
    let rendered = render_incident_as(theme, &opts.site, &source, entry)?;
    for page in &rendered.pages {
        match sink {
            Sink::Dir(out) => write_file(out, &page.path, &page.bytes)?,
            Sink::Check(_) => {
                let html = String::from_utf8_lossy(&page.bytes);
                outcome.links.extend(links::relative_links(&html).into_iter().map(|l| (page.path.clone(), l)));
            }
        }
        outcome.cached.files.push(page.path.clone());
    }
    for copy in &rendered.copies {
        if let Sink::Dir(out) = sink {
            let Some(from) = vault.incident_file(&r, &copy.source) else { continue };
            let to = out.join(&copy.path);
            if let Some(dir) = to.parent() {
                fs::create_dir_all(dir).ctx("create", dir)?;
            }
            fs::copy(&from, &to).ctx("copy", &from)?;
        }
        outcome.cached.files.push(copy.path.clone());
    }
    outcome.written = outcome.cached.files.clone();
    outcome.cached.entry = Some(rendered.entry);
    Ok(Some(outcome))
}

/// The last publish's record, and whether there was one that could be read.
fn read_cache(path: Option<&Path>) -> (Cache, bool) {
    let bytes = path.and_then(|p| fs::read(p).ok()).unwrap_or_default();
    match postcard::from_bytes::<Cache>(&bytes) {
        Ok(cache) if cache.version == CACHE_VERSION => (cache, true),
        _ => (Cache::default(), false),
    }
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

/// The incidents to look at now, with their stamps (`None`: not looked at, or unreadable).
/// A folder without `incident.md` is no incident; one not looked at is kept if it was one.
fn stamps_of(
    vault: &Vault,
    names: &[String],
    only: Option<&BTreeSet<String>>,
    cache: &Cache,
) -> Vec<(String, bool, Option<Stamps>)> {
    names
        .par_iter()
        .filter_map(|slug| {
            let look = only.is_none_or(|o| o.contains(slug));
            if !look {
                return cache.incidents.contains_key(slug).then(|| (slug.clone(), false, None));
            }
            let r = IncidentRef { slug: slug.clone(), dir: vault.incidents_dir().join(slug) };
            match vault.stamps(&r) {
                Ok(s) if !s.is_incident() => None,
                Ok(s) => Some((slug.clone(), true, Some(s))),
                Err(_) => Some((slug.clone(), true, None)),
            }
        })
        .collect()
}

/// Publishes the vault into `opts.out`.
pub fn publish(vault: &Vault, theme: &Theme, opts: &PublishOptions) -> Result<Report> {
    let started = Instant::now();
    let out = opts.out.as_path();
    // An empty or new folder keeps nothing of any last publish: no need to look first.
    let out_empty = fs::read_dir(out).map_or(true, |mut d| d.next().is_none());
    fs::create_dir_all(out).ctx("create", out)?;
    let out_key = fs::canonicalize(out).unwrap_or_else(|_| out.to_path_buf()).display().to_string();
    let settings = settings_digest(theme, opts);
    let names = vault.incident_folders()?;
    let pool = pool(opts.jobs)?;

    // The record of the last publish is read while the folders are looked at (a watcher's
    // narrowed look needs the record first: it keeps the incidents it does not look at).
    let no_record = opts.only.is_none() && (out_empty || !opts.cache_file.as_deref().is_some_and(Path::exists));
    let ((cache, had_cache), looked) = match &opts.only {
        // Nothing to compare with: every folder is read, and stamped as it is read.
        None if no_record => ((Cache::default(), false), names.iter().map(|n| (n.clone(), true, None)).collect()),
        None => pool.install(|| {
            rayon::join(|| read_cache(opts.cache_file.as_deref()), || stamps_of(vault, &names, None, &Cache::default()))
        }),
        Some(only) => {
            let (cache, had) = read_cache(opts.cache_file.as_deref());
            let looked = pool.install(|| stamps_of(vault, &names, Some(only), &cache));
            ((cache, had), looked)
        }
    };
    // Unreadable now: an empty fingerprint never matches, so it is rendered (and reported).
    let now: BTreeMap<String, Option<String>> = looked
        .iter()
        .map(|(slug, look, s)| {
            (slug.clone(), look.then(|| s.as_ref().map(|s| s.fingerprint.clone()).unwrap_or_default()))
        })
        .collect();
    let mut stamps: std::collections::HashMap<String, Stamps> =
        looked.into_iter().filter_map(|(slug, _, s)| s.map(|s| (slug, s))).collect();
    let mut plan = plan::plan(&cache, &out_key, &settings, &now);
    // A page someone deleted by hand is made again.
    if !plan.full {
        let missing: Vec<String> = pool.install(|| {
            plan.keep
                .par_iter()
                .filter(|slug| cache.incidents[*slug].files.first().is_some_and(|f| !out.join(f).is_file()))
                .cloned()
                .collect()
        });
        plan.keep.retain(|s| !missing.contains(s));
        plan.render.extend(missing);
    }

    let bar = progress_bar(opts, plan.render.len());
    let todo: Vec<(String, Option<Stamps>)> =
        plan.render.iter().map(|slug| (slug.clone(), stamps.remove(slug))).collect();
    drop(stamps);
    let outcomes: Vec<(String, Result<Option<Outcome>>)> = pool.install(|| {
        todo.into_par_iter()
            .map(|(slug, stamps)| {
                let result = render_one(vault, theme, opts, Sink::Dir(out), &slug, stamps);
                bar.inc(1);
                (slug, result)
            })
            .collect()
    });
    bar.finish_and_clear();

    let mut report = Report { rendered: plan.render.len(), kept: plan.keep.len(), ..Report::default() };
    let mut next = Cache { version: CACHE_VERSION, out: out_key, settings, ..Cache::default() };
    // Kept records move over; what stays behind in `cache` is what may have gone stale.
    let mut cache = cache;
    for slug in &plan.keep {
        if let Some(kept) = cache.incidents.remove(slug) {
            next.incidents.insert(slug.clone(), kept);
        }
    }
    for (slug, result) in outcomes {
        match result {
            Ok(None) => {}
            Ok(Some(o)) => {
                report.warnings.extend(o.warnings);
                report.written.extend(o.written);
                if let Some(why) = o.left_out {
                    report.left_out.push((o.slug.clone(), why));
                }
                next.incidents.insert(o.slug, o.cached);
            }
            Err(e) => {
                let dir = vault.incidents_dir().join(&slug);
                report.warnings.push(Warning { path: dir, line: 0, message: format!("left out: {e}") });
                next.incidents
                    .insert(slug, CachedIncident { fingerprint: String::new(), entry: None, files: Vec::new() });
            }
        }
    }

    // Lent to the list pages and given back before the record is written: not copied.
    let mut entries: Vec<Entry> = next.incidents.values_mut().filter_map(|c| c.entry.take()).collect();
    entry::sort_newest_first(&mut entries);
    report.published = entries.len();
    // Assets are tiny: compared by content. List pages by what they are made from, so an
    // unchanged page is neither rendered nor written.
    for page in assets(theme) {
        let d = digest(&page.bytes);
        if plan.full || cache.lists.get(&page.path) != Some(&d) || !out.join(&page.path).is_file() {
            write_file(out, &page.path, &page.bytes)?;
            report.written.push(page.path.clone());
        }
        next.lists.insert(page.path, d);
    }
    let digests: Vec<(u64, u64)> = entries.iter().map(lists::entry_digests).collect();
    // Index pages, tag and service pages, the feed and the search index: on every core.
    let list_pages: Vec<Result<(String, String, bool)>> = pool.install(|| {
        lists::layout(&opts.site, &entries)
            .into_par_iter()
            .map(|page| {
                let d = lists::input_digest(&page, &opts.site, &entries, &digests);
                let write = plan.full || cache.lists.get(&page.path) != Some(&d) || !out.join(&page.path).is_file();
                if write {
                    let rendered = lists::render(theme, &opts.site, &page, &entries)?;
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

    for e in entries {
        if let Some(c) = next.incidents.get_mut(&e.slug) {
            c.entry = Some(e);
        }
    }

    // Everything written before and not now goes: pages of deleted incidents, of incidents
    // now left out, a tag nobody uses any more, a shorter pager.
    let now_files: BTreeSet<&str> = next
        .incidents
        .values()
        .flat_map(|c| c.files.iter().map(String::as_str))
        .chain(next.lists.keys().map(String::as_str))
        .collect();
    let before = cache.incidents.values().flat_map(|c| c.files.iter()).chain(cache.lists.keys());
    for path in plan::stale(before, &now_files) {
        if remove(out, &path) {
            report.removed.push(path);
        }
    }

    if let Some(file) = &opts.cache_file {
        if let Some(dir) = file.parent() {
            fs::create_dir_all(dir).ctx("create", dir)?;
        }
        // Replaced atomically but not synced: a lost cache only means a full publish.
        let changed =
            !had_cache || plan.full || !plan.render.is_empty() || !plan.gone.is_empty() || next.lists != cache.lists;
        if changed {
            let dir = file.parent().unwrap_or(Path::new("."));
            let name = file.file_name().and_then(|n| n.to_str()).unwrap_or("site-cache");
            write_file_with(dir, name, |w| {
                let mut w = std::io::BufWriter::with_capacity(1 << 16, w);
                postcard::to_io(&next, &mut w).map_err(std::io::Error::other)?;
                w.flush()
            })?;
        }
    }
    report.seconds = started.elapsed().as_secs_f64();
    Ok(report)
}
