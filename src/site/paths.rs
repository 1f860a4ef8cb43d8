//! Where each page lives in the site, and links between pages that work from `file://`,
//! from `/` and under a sub-path: every link is relative and names `index.html`.

use sha2::{Digest, Sha256};

use crate::vault::slug::slugify;

/// Index pages beyond the first: `index-2.html`, `index-3.html`, … beside `index.html`.
pub fn pager_file(page: usize) -> String {
    if page <= 1 { "index.html".to_string() } else { format!("index-{page}.html") }
}

/// The folder of an incident in the site: its vault folder name when that is already a
/// safe name, else a slug of it with a short hash (two odd names never meet).
pub fn incident_dir(slug: &str) -> String {
    let safe = !slug.is_empty()
        && slug.len() <= 120
        && !slug.starts_with(['.', '-'])
        && slug.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_' | '.'));
    if safe {
        slug.to_string()
    } else {
        let hash = Sha256::digest(slug.as_bytes());
        format!("{}-{:02x}{:02x}{:02x}", slugify(slug), hash[0], hash[1], hash[2])
    }
}

pub fn incident_page(slug: &str) -> String {
    format!("incidents/{}/index.html", incident_dir(slug))
}

pub fn postmortem_page(slug: &str) -> String {
    format!("incidents/{}/postmortem.html", incident_dir(slug))
}

/// The one name a tag or service goes by: `DNS` and ` dns` are one term.
pub fn term_key(name: &str) -> String {
    name.trim().to_lowercase()
}

/// The folder of a tag or service: its name when that is already a slug, else a slug of
/// it, `--` and a hash of the name. Every page is rendered knowing one incident only, so
/// the rule is the same whatever other terms exist; slugs never hold `--`, so `C++`,
/// `c`, `c--`, `!!!` and `???` all get folders of their own.
pub fn term_slug(name: &str) -> String {
    let key = term_key(name);
    let slug = slugify(&key);
    if slug == key {
        return slug;
    }
    let hash = Sha256::digest(key.as_bytes());
    let stem = if key.chars().any(|c| c.is_alphanumeric()) { slug.as_str() } else { "term" };
    format!("{stem}--{}", hex::encode(&hash[..4]))
}

/// `tags/<slug>/index.html` (or `index-N.html`); `kind` is `tags` or `services`.
pub fn term_page(kind: &str, name: &str, page: usize) -> String {
    format!("{kind}/{}/{}", term_slug(name), pager_file(page))
}

/// The prefix that leads from `page` back to the site root: `""`, `"../"`, `"../../"`.
pub fn root_of(page: &str) -> String {
    "../".repeat(page.matches('/').count())
}

/// A link from `from` to `to` (both site paths), relative, so the site can live anywhere.
pub fn link(from: &str, to: &str) -> String {
    let from_dir: Vec<&str> = from.split('/').collect();
    let from_dir = &from_dir[..from_dir.len() - 1];
    let to_parts: Vec<&str> = to.split('/').collect();
    let common = from_dir.iter().zip(&to_parts).take_while(|(a, b)| a == b).count();
    let mut out = "../".repeat(from_dir.len() - common);
    out.push_str(&to_parts[common..].join("/"));
    out
}

/// A site folder or file name that cannot climb out of the site: one safe component.
pub fn safe_component(name: &str) -> bool {
    !name.is_empty() && name != "." && name != ".." && !name.starts_with('.') && !name.contains(['/', '\\', '\0', ':'])
}

/// An absolute URL for `path` under `base` (which ends with `/`).
pub fn absolute(base: &str, path: &str) -> String {
    let path = path.strip_suffix("index.html").filter(|p| p.is_empty() || p.ends_with('/')).unwrap_or(path);
    format!("{base}{path}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_and_links() {
        assert_eq!(incident_page("2025-10-05-k3s"), "incidents/2025-10-05-k3s/index.html");
        assert_eq!(root_of("index.html"), "");
        assert_eq!(root_of("incidents/x/index.html"), "../../");
        assert_eq!(link("index.html", "incidents/x/index.html"), "incidents/x/index.html");
        assert_eq!(link("incidents/x/index.html", "tags/dns/index.html"), "../../tags/dns/index.html");
        assert_eq!(link("incidents/x/index.html", "incidents/x/postmortem.html"), "postmortem.html");
        assert_eq!(link("tags/dns/index-2.html", "tags/dns/index.html"), "index.html");
        assert_eq!(term_page("tags", "dns", 2), "tags/dns/index-2.html");
        assert_eq!(term_page("tags", " DNS", 1), "tags/dns/index.html");
        assert!(term_page("tags", "<script>", 2).starts_with("tags/script--"));
        assert_eq!(absolute("https://x.test/site/", "incidents/a/index.html"), "https://x.test/site/incidents/a/");
        assert_eq!(absolute("https://x.test/", "index.html"), "https://x.test/");
        assert_eq!(absolute("https://x.test/", "feed.xml"), "https://x.test/feed.xml");
    }

    #[test]
    fn distinct_terms_get_distinct_safe_folders() {
        let terms = ["C++", "c", "c--", "!!!", "???", "", "a b", "a-b", "x".repeat(80).as_str(), &"x".repeat(81)]
            .map(term_slug);
        for (i, t) in terms.iter().enumerate() {
            assert!(safe_component(t), "{t:?}");
            assert!(t.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'), "{t:?}");
            assert!(!terms[..i].contains(t), "{t:?} twice: {terms:?}");
        }
        assert_eq!(term_slug("c"), "c");
        assert_eq!(term_slug("C++"), term_slug("c++"));
        assert!(term_slug("???").starts_with("term--"));
    }

    #[test]
    fn odd_folder_names_stay_inside_the_site() {
        assert_eq!(incident_dir("2025-10-05-k3s"), "2025-10-05-k3s");
        for odd in ["..", "../../etc", "A B", "<script>", ".hidden", "x/y", ""] {
            let dir = incident_dir(odd);
            assert!(safe_component(&dir), "{odd:?} -> {dir:?}");
            assert!(dir.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'), "{odd:?} -> {dir:?}");
        }
        assert_ne!(incident_dir("A B"), incident_dir("a-b"));
        assert!(!safe_component("..") && !safe_component("a/b") && !safe_component(".x"));
    }
}
