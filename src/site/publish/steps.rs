//! The steps of a publish before and after the rendering: looking at the folders and the
//! last record, planning, folding the rendered incidents into the new record, and the sweep.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use rayon::prelude::*;

use super::{Failed, PublishOptions, Report};
use crate::error::Result;
use crate::site::entry::Entry;
use crate::site::incident_page::Outcome;
use crate::site::output::{self, OutDir};
use crate::site::plan::{self, CACHE_VERSION, Cache, CachedIncident, Plan};
use crate::site::record::Record;
use crate::vault::{IncidentRef, Stamps, Unread, Vault};

/// The incidents to look at now, with their stamps (`None`: not looked at, or unreadable).
/// A folder without `incident.md` is no incident; one not looked at is kept if it was one.
fn stamps_of(
    vault: &Vault,
    names: &[String],
    unread: &Unread,
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
            if unread.contains_key(slug) {
                return Some((slug.clone(), true, None));
            }
            let r = IncidentRef { slug: slug.clone(), dir: vault.incidents_dir().join(slug) };
            match vault.stamps(&r) {
                // Its steps without incident.md, or one folder down: a failure to report.
                Ok(s) if !s.is_incident() => vault.stray(slug).map(|_| (slug.clone(), true, None)),
                Ok(s) => Some((slug.clone(), true, Some(s))),
                Err(_) => Some((slug.clone(), true, None)),
            }
        })
        .collect()
}

/// The record of the last publish and the incidents' stamps now, read side by side (a
/// watcher's narrowed look needs the record first: it keeps the incidents it does not look
/// at). Also each incident's fingerprint now (`None`: not looked at; empty: unreadable).
#[allow(clippy::type_complexity)]
pub(super) fn look(
    vault: &Vault,
    opts: &PublishOptions,
    names: &[String],
    unread: &Unread,
    pool: &rayon::ThreadPool,
    out_empty: bool,
) -> (Record, BTreeMap<String, Option<String>>, HashMap<String, Stamps>) {
    let no_record = opts.only.is_none() && (out_empty || !opts.cache_file.as_deref().is_some_and(Path::exists));
    let (last, looked) = match &opts.only {
        // Nothing to compare with: every folder is read, and stamped as it is read.
        None if no_record => (Record::default(), names.iter().map(|n| (n.clone(), true, None)).collect()),
        None => pool.install(|| {
            rayon::join(
                || Record::read(opts.cache_file.as_deref()),
                || stamps_of(vault, names, unread, None, &Cache::default()),
            )
        }),
        Some(only) => {
            let last = Record::read(opts.cache_file.as_deref());
            let looked = pool.install(|| stamps_of(vault, names, unread, Some(only), &last.cache));
            (last, looked)
        }
    };
    // Unreadable now: an empty fingerprint never matches, so it is rendered (and reported).
    let now = looked
        .iter()
        .map(|(slug, look, s)| {
            (slug.clone(), look.then(|| s.as_ref().map(|s| s.fingerprint.clone()).unwrap_or_default()))
        })
        .collect();
    let stamps = looked.into_iter().filter_map(|(slug, _, s)| s.map(|s| (slug, s))).collect();
    (last, now, stamps)
}

/// What to render, keep and remove: the plan from the record, everything under --force,
/// and an incident again when a page or copied file of it was deleted by hand.
pub(super) fn plan_for(
    last: &Record,
    out_key: &str,
    settings: &str,
    now: &BTreeMap<String, Option<String>>,
    opts: &PublishOptions,
    out_dir: &OutDir,
    pool: &rayon::ThreadPool,
) -> Plan {
    let mut plan = plan::plan(&last.cache, out_key, settings, now);
    if opts.force {
        plan.render.append(&mut plan.keep);
        plan.render.sort();
        plan.full = true;
    }
    if !plan.full {
        let missing: BTreeSet<String> = pool.install(|| {
            plan.keep
                .par_iter()
                .filter(|slug| last.cache.incidents[*slug].files.iter().any(|f| !out_dir.has_file(f)))
                .cloned()
                .collect()
        });
        plan.keep.retain(|s| !missing.contains(s));
        plan.render.extend(missing);
    }
    plan
}

/// The record being made, and what the rendering left for the lists and the sweep.
pub(super) struct Merged {
    pub next: Cache,
    /// The last records of incidents rendered again or gone.
    pub old: BTreeMap<String, CachedIncident>,
    /// The index entries of incidents rendered now.
    pub fresh: Vec<Entry>,
    /// The folders of incidents that failed: their last pages stay.
    pub failed_dirs: Vec<String>,
}

/// Folds the rendered incidents into the new record and the report. The new record starts
/// as the last one, less the records of incidents rendered again or gone: their files may
/// be stale now. A site folder that cannot be written (a full disk) ends the publish.
#[allow(clippy::too_many_arguments)]
pub(super) fn merge(
    outcomes: Vec<(String, Result<Option<Outcome>>)>,
    last: &mut Record,
    plan: &Plan,
    out_key: String,
    settings: String,
    out: &Path,
    out_dir: &OutDir,
    report: &mut Report,
) -> Result<Merged> {
    let incidents = std::mem::take(&mut last.cache.incidents);
    let mut next = Cache {
        version: CACHE_VERSION,
        out: out_key,
        settings,
        incidents,
        lists: BTreeMap::new(),
        entries_id: last.cache.entries_id,
    };
    let mut old: BTreeMap<String, CachedIncident> =
        plan.render.iter().chain(&plan.gone).filter_map(|slug| next.incidents.remove_entry(slug)).collect();
    let mut fresh = Vec::new();
    let mut failed_dirs = Vec::new();
    for (slug, result) in outcomes {
        match result {
            Ok(None) => {}
            // Out of the new record: its last pages and index entry go with the old ones.
            Ok(Some(Outcome { slug, held_back: Some(message), warnings, .. })) => {
                report.warnings.extend(warnings);
                report.failed.push(Failed { slug, message, pages_stay: false });
            }
            Ok(Some(o)) => {
                report.warnings.extend(o.warnings);
                report.written.extend(o.written);
                report.rendered += usize::from(o.entry.is_some());
                fresh.extend(o.entry);
                next.incidents.insert(o.slug, o.cached);
            }
            // The site's folder cannot be written (a full disk): no incident's fault, and no
            // reason to go on writing lists over it.
            Err(e) if e.is_disk_full() || e.io_path().is_some_and(|p| p.starts_with(out)) => return Err(e),
            Err(e) => {
                // Its last good pages and entry stay (an empty fingerprint: it is read again
                // next time); they are no longer among the files to remove.
                let prev = old.remove(&slug);
                report.failed.push(Failed {
                    slug: slug.clone(),
                    message: e.to_string(),
                    pages_stay: out_dir.has_file(&crate::site::paths::incident_page(&slug)),
                });
                let prev = prev.unwrap_or(CachedIncident {
                    fingerprint: String::new(),
                    listed: None,
                    files: Vec::new(),
                    left_out: None,
                    warnings: Vec::new(),
                    links: Vec::new(),
                });
                failed_dirs.push(format!("incidents/{}/", crate::site::paths::incident_dir(&slug)));
                next.incidents.insert(slug, CachedIncident { fingerprint: String::new(), left_out: None, ..prev });
            }
        }
    }
    Ok(Merged { next, old, fresh, failed_dirs })
}

/// Removes from our folder every file the new record does not hold, but the pages of an
/// incident that cannot be read now, whatever wrote them. Returns the paths removed.
pub(super) fn sweep_unrecorded(out: &Path, next: &Cache, failed_dirs: &[String]) -> Vec<String> {
    let keep: BTreeSet<&str> = next
        .incidents
        .values()
        .flat_map(|c| c.files.iter().map(String::as_str))
        .chain(next.lists.keys().map(String::as_str))
        .collect();
    let keep = |path: &str| keep.contains(path) || failed_dirs.iter().any(|d| path.starts_with(d.as_str()));
    output::sweep(out, &keep)
}
