//! The site's templates and static files: built-ins embedded here, the vault's
//! `templates/site/…` files win by name (`crate::render::templates`, shared with the
//! postmortem).

use std::path::Path;

use sha2::{Digest, Sha256};

use super::highlight;
use crate::error::Result;
use crate::render::templates::{Templates, plain_file};

/// The tera templates (HTML escaped by tera; the feed as XML).
pub const TEMPLATES: &[(&str, &str)] = &[
    ("site/base.html.tera", include_str!("../../templates/site/base.html.tera")),
    ("site/list.html.tera", include_str!("../../templates/site/list.html.tera")),
    ("site/terms.html.tera", include_str!("../../templates/site/terms.html.tera")),
    ("site/incident.html.tera", include_str!("../../templates/site/incident.html.tera")),
    ("site/incident-header.html.tera", include_str!("../../templates/site/incident-header.html.tera")),
    ("site/postmortem.html.tera", include_str!("../../templates/site/postmortem.html.tera")),
    ("site/feed.xml.tera", include_str!("../../templates/site/feed.xml.tera")),
];

/// Static files, copied as they are (never parsed as templates).
pub const FILES: &[(&str, &str)] = &[
    ("site/style.css", include_str!("../../templates/site/style.css")),
    ("site/site.js", include_str!("../../templates/site/site.js")),
    ("site/live.js", include_str!("../../templates/site/live.js")),
    ("site/live-worker.js", include_str!("../../templates/site/live-worker.js")),
    ("site/favicon.svg", include_str!("../../templates/site/favicon.svg")),
];

/// Templates ready to render, and the static files beside them.
pub struct Theme {
    templates: Templates,
    files: Vec<(&'static str, String)>,
    pub highlight_css: String,
    /// Changes whenever a template or file does: a re-publish then renders everything.
    pub fingerprint: String,
}

impl Theme {
    /// The built-ins, with the files of `dir` (the vault's `templates/`) in their place.
    pub fn load(dir: Option<&Path>) -> Result<Theme> {
        let templates = Templates::load(dir, TEMPLATES)?;
        let mut hash = Sha256::new();
        // Every template loaded, the vault's own partials among them.
        hash.update(templates.fingerprint().as_bytes());
        let mut files = Vec::with_capacity(FILES.len());
        for (name, builtin) in FILES {
            let (text, _) = plain_file(dir, name, builtin)?;
            hash.update(name.as_bytes());
            hash.update(text.as_bytes());
            hash.update([0]);
            files.push((*name, text));
        }
        hash.update(env!("CARGO_PKG_VERSION").as_bytes());
        let fingerprint = hex::encode(&hash.finalize()[..12]);
        Ok(Theme { templates, files, highlight_css: highlight::css(), fingerprint })
    }

    pub fn builtin() -> Result<Theme> {
        Theme::load(None)
    }

    /// Renders `name` (`site/incident.html`) with `ctx`. Control characters from the
    /// vault's text (a title with ESC in it) are dropped: escaping leaves them raw.
    pub fn render(&self, name: &str, ctx: &tera::Context) -> Result<String> {
        self.templates.render_context(&format!("{name}.tera"), ctx).map(super::html::without_controls)
    }

    /// The text of a static file (`site/style.css`).
    pub fn asset(&self, name: &str) -> &str {
        self.files.iter().find(|(n, _)| *n == name).map(|(_, t)| t.as_str()).unwrap_or("")
    }
}

/// Files in the vault's `templates/` that nothing reads, each with what was probably
/// meant: in `site/`, neither a template (`.tera`) nor a static file (`base.html` for
/// `base.html.tera`, `style.css.tera` for `style.css`); beside it, `postmortem.md`.
pub fn unused_files(dir: &Path) -> Vec<(std::path::PathBuf, String)> {
    let Ok(entries) = std::fs::read_dir(dir.join("site")) else { return Vec::new() };
    let mut unused: Vec<(std::path::PathBuf, String)> = entries
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter_map(|e| {
            let name = e.file_name().to_str()?.to_string();
            let is_static = |n: &str| FILES.iter().any(|(f, _)| f.strip_prefix("site/") == Some(n));
            // A static file named as a template: copied as it is, so never read as one.
            if let Some(plain) = name.strip_suffix(".tera").filter(|p| is_static(p)) {
                return Some((e.path(), format!("{plain} is copied as it is, not a template: rename it to {plain}")));
            }
            if name.ends_with(".tera") || is_static(&name) || name.starts_with('.') {
                return None;
            }
            let template = format!("site/{name}.tera");
            let meant = if TEMPLATES.iter().any(|(n, _)| *n == template) {
                format!("a template's name ends in .tera: rename it to {name}.tera")
            } else {
                let statics: Vec<&str> = FILES.iter().map(|(n, _)| n.trim_start_matches("site/")).collect();
                format!("the static files that can be replaced are {}", statics.join(", "))
            };
            Some((e.path(), meant))
        })
        .collect();
    // The postmortem's template beside them, named without `.tera`.
    let plain = dir.join("postmortem.md");
    if plain.is_file() {
        unused.push((plain, "a template's name ends in .tera: rename it to postmortem.md.tera".to_string()));
    }
    unused.sort();
    unused
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_nothing_reads_are_named_with_what_was_meant() {
        let dir = tempfile::tempdir().unwrap();
        let site = dir.path().join("site");
        std::fs::create_dir(&site).unwrap();
        for name in ["base.html", "styles.css", "style.css", "style.css.tera", "mine.html.tera", ".base.html.tera.swp"]
        {
            std::fs::write(site.join(name), "x").unwrap();
        }
        std::fs::write(dir.path().join("postmortem.md"), "x").unwrap();
        let unused: Vec<(String, String)> = unused_files(dir.path())
            .into_iter()
            .map(|(p, why)| (p.file_name().unwrap().to_str().unwrap().to_string(), why))
            .collect();
        assert_eq!(
            unused,
            [
                ("postmortem.md".to_string(), "a template's name ends in .tera: rename it to postmortem.md.tera".to_string()),
                ("base.html".to_string(), "a template's name ends in .tera: rename it to base.html.tera".to_string()),
                (
                    "style.css.tera".to_string(),
                    "style.css is copied as it is, not a template: rename it to style.css".to_string()
                ),
                (
                    "styles.css".to_string(),
                    "the static files that can be replaced are style.css, site.js, live.js, live-worker.js, favicon.svg"
                        .to_string()
                ),
            ]
        );
    }

    #[test]
    fn a_partial_of_the_vaults_own_is_part_of_the_fingerprint() {
        let dir = tempfile::tempdir().unwrap();
        let site = dir.path().join("site");
        std::fs::create_dir(&site).unwrap();
        let header = TEMPLATES.iter().find(|(n, _)| *n == "site/incident-header.html.tera").unwrap().1;
        std::fs::write(
            site.join("incident-header.html.tera"),
            format!("{{% include \"site/partial.html.tera\" %}}{header}"),
        )
        .unwrap();
        std::fs::write(site.join("partial.html.tera"), "PARTIAL2").unwrap();
        let before = Theme::load(Some(dir.path())).unwrap().fingerprint;
        assert_eq!(Theme::load(Some(dir.path())).unwrap().fingerprint, before);
        std::fs::write(site.join("partial.html.tera"), "PARTIAL3").unwrap();
        assert_ne!(Theme::load(Some(dir.path())).unwrap().fingerprint, before);
    }
}
