//! The second look at links between incidents ([`super::on_site`]): once the incidents
//! rendered now are known, which of them, and of the pages kept from the last publish, were
//! made on another answer than the one true now, rendered again on it.

use std::collections::{BTreeMap, HashMap};

use rayon::prelude::*;

use super::check::SecretLook;
use super::incident_page::{Outcome, Sink, render_one};
use super::on_site::{self, HELD_BACK, MISSING, UNREADABLE};
use super::plan::Cache;
use super::publish::PublishOptions;
use super::theme::Theme;
use crate::error::Result;
use crate::vault::Vault;

/// One incident's rendering, by folder name.
pub(super) type Outcomes = Vec<(String, Result<Option<Outcome>>)>;

/// Why `slug` is not on the site after this publish (`None`: it is), from what was rendered
/// now and, for the rest, the last record. `now`: the incidents there are.
pub(super) fn on_site_now(
    rendered: &HashMap<&str, &Result<Option<Outcome>>>,
    last: &Cache,
    now: &BTreeMap<String, Option<String>>,
    slug: &str,
) -> Option<&'static str> {
    if !now.contains_key(slug) {
        return Some(MISSING);
    }
    let record = last.incidents.get(slug);
    match rendered.get(slug) {
        Some(Ok(Some(o))) if o.held_back.is_some() => Some(HELD_BACK),
        Some(Ok(Some(o))) => o.left_out.map(on_site::left_out),
        Some(Ok(None)) => Some(MISSING),
        // Its last pages stay, if it had any.
        Some(Err(_)) if record.is_none() => Some(UNREADABLE),
        Some(Err(_)) | None => on_site::recorded(record),
    }
}

/// Incidents whose pages link to another incident on an answer `known` no longer gives:
/// of those rendered now, and of `kept` (by their record).
pub(super) fn linked_otherwise(
    outcomes: &Outcomes,
    kept: &[String],
    last: &Cache,
    known: &(dyn Fn(&str) -> Option<&'static str> + Sync),
) -> Vec<String> {
    let rendered = outcomes.iter().filter_map(|(slug, result)| match result {
        Ok(Some(o)) if o.entry.is_some() && on_site::changed(&o.cached.links, known) => Some(slug.clone()),
        _ => None,
    });
    let kept = kept
        .iter()
        .filter(|slug| last.incidents.get(*slug).is_some_and(|c| on_site::changed(&c.links, known)))
        .cloned();
    rendered.chain(kept).collect()
}

/// Renders `again` on the answers of `known`.
pub(super) fn render_again(
    vault: &Vault,
    theme: &Theme,
    opts: &PublishOptions,
    sink: Sink,
    pool: &rayon::ThreadPool,
    again: &[String],
    known: &(dyn Fn(&str) -> Option<&'static str> + Sync),
) -> Outcomes {
    pool.install(|| {
        again.par_iter().map(|slug| (slug.clone(), render_one(vault, theme, opts, sink, known, slug, None))).collect()
    })
}

/// `--check`: every incident rendered on the guess that all the vault's are on the site,
/// then those linking to one that is not, again.
pub(super) fn check_again(
    vault: &Vault,
    theme: &Theme,
    opts: &PublishOptions,
    rules: Option<&SecretLook>,
    pool: &rayon::ThreadPool,
    outcomes: &mut Outcomes,
) {
    let again = {
        let rendered: HashMap<&str, &Result<Option<Outcome>>> =
            outcomes.iter().map(|(slug, r)| (slug.as_str(), r)).collect();
        let known = |slug: &str| match rendered.get(slug) {
            None | Some(Ok(None)) => Some(MISSING),
            Some(Ok(Some(o))) => o.left_out.map(on_site::left_out),
            Some(Err(_)) => Some(UNREADABLE),
        };
        let again = linked_otherwise(outcomes, &[], &Cache::default(), &known);
        render_again(vault, theme, opts, Sink::Check(rules), pool, &again, &known)
    };
    replace(outcomes, again);
}

/// `outcomes` with each of `again` in place of the one of the same incident, or added.
pub(super) fn replace(outcomes: &mut Outcomes, again: Outcomes) {
    for (slug, result) in again {
        match outcomes.iter_mut().find(|(s, _)| *s == slug) {
            Some(slot) => slot.1 = result,
            None => outcomes.push((slug, result)),
        }
    }
}
