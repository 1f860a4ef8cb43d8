//! The site's templates and assets: built-ins embedded here, the vault's `templates/site/…`
//! files win by name (see `crate::render::templates`).

use std::path::Path;

use sha2::{Digest, Sha256};

use super::highlight;
use crate::error::Result;
use crate::render::templates::{self, Builtin, Template};

pub const BUILTINS: &[Builtin] = &[
    Builtin { name: "site/base.html.tera", text: include_str!("../../templates/site/base.html.tera") },
    Builtin { name: "site/list.html.tera", text: include_str!("../../templates/site/list.html.tera") },
    Builtin { name: "site/terms.html.tera", text: include_str!("../../templates/site/terms.html.tera") },
    Builtin { name: "site/incident.html.tera", text: include_str!("../../templates/site/incident.html.tera") },
    Builtin {
        name: "site/incident-header.html.tera",
        text: include_str!("../../templates/site/incident-header.html.tera"),
    },
    Builtin { name: "site/postmortem.html.tera", text: include_str!("../../templates/site/postmortem.html.tera") },
    Builtin { name: "site/feed.xml.tera", text: include_str!("../../templates/site/feed.xml.tera") },
    Builtin { name: "site/style.css", text: include_str!("../../templates/site/style.css") },
    Builtin { name: "site/site.js", text: include_str!("../../templates/site/site.js") },
    Builtin { name: "site/live.js", text: include_str!("../../templates/site/live.js") },
    Builtin { name: "site/favicon.svg", text: include_str!("../../templates/site/favicon.svg") },
];

/// Templates ready to render, and the static files beside them.
pub struct Theme {
    tera: tera::Tera,
    templates: Vec<Template>,
    pub highlight_css: String,
    /// Changes whenever a template or asset does: a re-publish then renders everything.
    pub fingerprint: String,
}

impl Theme {
    /// The built-ins, with the files of `dir` (the vault's `templates/`) in their place.
    pub fn load(dir: Option<&Path>) -> Result<Theme> {
        let templates = templates::resolve(BUILTINS, dir)?;
        let tera = templates::engine(&templates)?;
        let mut hash = Sha256::new();
        for t in &templates {
            hash.update(t.name.as_bytes());
            hash.update([0]);
            hash.update(t.text.as_bytes());
            hash.update([0]);
        }
        hash.update(env!("CARGO_PKG_VERSION").as_bytes());
        let fingerprint = hex(&hash.finalize()[..12]);
        Ok(Theme { tera, templates, highlight_css: highlight::css(), fingerprint })
    }

    pub fn builtin() -> Result<Theme> {
        Theme::load(None)
    }

    /// Renders `name` (`site/incident.html`) with `ctx`.
    pub fn render(&self, name: &str, ctx: &tera::Context) -> Result<String> {
        self.tera.render(name, ctx).map_err(|e| {
            let all: Vec<&Template> = self.templates.iter().collect();
            templates::template_error(&all, &e)
        })
    }

    /// The text of a static file (`site/style.css`).
    pub fn asset(&self, name: &str) -> &str {
        self.templates.iter().find(|t| t.name == name).map(|t| t.text.as_ref()).unwrap_or("")
    }
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
