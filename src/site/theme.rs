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

#[cfg(test)]
mod tests {
    use super::*;

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
