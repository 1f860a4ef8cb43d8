//! Which incidents are on the site, for links from one incident to another: a page shows
//! such a link only while the incident it leads to is published (else its folder name, often
//! its title, would show in a link that leads nowhere). Pages are rendered on a guess from
//! the last publish's record; once every incident rendered now is known, those made on a
//! wrong guess, and kept pages whose linked incidents came or went, are rendered again.

use std::collections::BTreeMap;

use super::plan::CachedIncident;

/// Why an incident (by folder name) is not on the site; `None`: it is.
pub type OnSite<'a> = &'a (dyn Fn(&str) -> Option<&'static str> + Sync);

pub const INTERNAL: &str = "it is internal";
pub const OPEN: &str = "it is still open; --include-open publishes open ones";
pub const HELD_BACK: &str = "it is held back";
pub const MISSING: &str = "the vault has no incident of that name";
pub const UNREADABLE: &str = "it cannot be read";

/// The reason for a left-out incident's `left_out` (`internal`, `open`).
pub fn left_out(why: &str) -> &'static str {
    if why == "internal" { INTERNAL } else { OPEN }
}

/// What the record of an incident says: on the site while it is listed; an incident the
/// record does not know (new, or held back last time) is taken to be.
pub fn recorded(record: Option<&CachedIncident>) -> Option<&'static str> {
    match record {
        Some(c) if c.listed.is_some() => None,
        Some(c) => Some(c.left_out.as_deref().map_or(UNREADABLE, left_out)),
        None => None,
    }
}

/// Whether pages made with links to `linked` (each with the answer it was made on) must be
/// made again, `on_site` answering otherwise now.
pub fn changed(linked: &[(String, Option<String>)], on_site: impl Fn(&str) -> Option<&'static str>) -> bool {
    linked.iter().any(|(slug, was)| on_site(slug) != was.as_deref())
}

/// The answers a rendering was made on, as kept in the record.
pub fn kept(linked: BTreeMap<String, Option<&'static str>>) -> Vec<(String, Option<String>)> {
    linked.into_iter().map(|(slug, why)| (slug, why.map(str::to_string))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(listed: bool, left_out: Option<&str>) -> CachedIncident {
        CachedIncident {
            fingerprint: "f".into(),
            listed: listed.then_some((1, 2)),
            files: vec![],
            left_out: left_out.map(str::to_string),
            warnings: vec![],
            links: vec![],
        }
    }

    #[test]
    fn the_record_tells_what_is_on_the_site() {
        assert_eq!(recorded(Some(&record(true, None))), None);
        assert_eq!(recorded(Some(&record(false, Some("internal")))), Some(INTERNAL));
        assert_eq!(recorded(Some(&record(false, Some("open")))), Some(OPEN));
        assert_eq!(recorded(Some(&record(false, None))), Some(UNREADABLE), "failed without pages");
        assert_eq!(recorded(None), None, "new: taken to be on the site");
    }

    #[test]
    fn pages_are_made_again_when_an_answer_changes() {
        let linked = kept([("b".to_string(), None), ("c".to_string(), Some(INTERNAL))].into());
        let now = |slug: &str| if slug == "c" { Some(INTERNAL) } else { None };
        assert!(!changed(&linked, now));
        assert!(changed(&linked, |_| None), "c made public");
        assert!(changed(&linked, |_| Some(MISSING)), "b deleted");
        assert!(changed(&linked, |s: &str| if s == "c" { Some(OPEN) } else { None }), "another reason");
        assert!(!changed(&[], |_| Some(MISSING)));
    }
}
