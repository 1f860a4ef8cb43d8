//! Named templates: each a built-in default (embedded with `include_str!`) that a file of
//! the same name in the vault's `templates/` folder overrides. Shared by the postmortem
//! (Markdown) and the site (HTML).
//!
//! ```
//! use incident::render::templates::Templates;
//! let builtins = [("hello.md.tera", "Hello {{ name }}!")];
//! // No vault folder: the built-ins as they are.
//! let t = Templates::load(None, &builtins).unwrap();
//! assert_eq!(t.render("hello.md.tera", &serde_json::json!({"name": "ops"})).unwrap(), "Hello ops!");
//! ```
//!
//! Names ending in `.html`, `.htm` or `.xml` (after dropping `.tera`) are HTML-escaped by
//! tera; Markdown is not. Times are pre-formatted in Rust: tera 2 has no date filter.

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use serde::Serialize;
use tera::{Context, ErrorKind, Kwargs, State, Tera};

use crate::error::{Error, IoContext, Result};
use crate::vault::atomic;

/// The folder of a vault that holds template overrides.
pub const TEMPLATES_DIR: &str = "templates";

/// Where a template's text came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    Builtin,
    /// A file in the vault's `templates/` folder.
    Vault(PathBuf),
}

/// A set of loaded templates, ready to render.
pub struct Templates {
    tera: Tera,
    origins: BTreeMap<String, Origin>,
    /// Name → sha256 of the text loaded, for [`Templates::fingerprint`].
    digests: BTreeMap<String, String>,
    /// Name → the text loaded, to quote what an error points at.
    texts: BTreeMap<String, String>,
    dir: Option<PathBuf>,
    builtin_names: Vec<String>,
}

fn sha256(text: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(text.as_bytes()))
}

impl Templates {
    /// Loads every built-in `(name, text)`; a file `name` in `vault_templates_dir` wins.
    /// A template that does not parse is an error naming its file and line.
    pub fn load(vault_templates_dir: Option<&Path>, builtins: &[(&str, &str)]) -> Result<Templates> {
        let mut tera = Tera::new();
        tera.autoescape_on([".html.tera", ".htm.tera", ".xml.tera", ".svg.tera", ".html", ".htm", ".xml"]);
        register_filters(&mut tera);
        let mut t = Templates {
            tera,
            origins: BTreeMap::new(),
            digests: BTreeMap::new(),
            texts: BTreeMap::new(),
            dir: vault_templates_dir.map(Path::to_path_buf),
            builtin_names: builtins.iter().map(|(name, _)| name.to_string()).collect(),
        };
        let mut texts = Vec::new();
        for (name, text) in builtins {
            match t.override_text(name)? {
                Some((path, text)) => {
                    t.origins.insert(name.to_string(), Origin::Vault(path));
                    texts.push((name.to_string(), text));
                }
                None => {
                    t.origins.insert(name.to_string(), Origin::Builtin);
                    texts.push((name.to_string(), text.to_string()));
                }
            }
        }
        for (name, path, text) in t.partials(&texts)? {
            t.origins.insert(name.clone(), Origin::Vault(path));
            texts.push((name, text));
        }
        t.digests.extend(texts.iter().map(|(name, text)| (name.clone(), sha256(text))));
        t.texts.extend(texts.iter().map(|(name, text)| (name.clone(), text.to_string())));
        t.tera.add_raw_templates(texts).map_err(|e| t.error(e, None))?;
        Ok(t)
    }

    /// Adds a template that exists only in the vault (`--template mine.md.tera`).
    pub fn add_from_vault(&mut self, name: &str) -> Result<()> {
        if self.origins.contains_key(name) {
            return Ok(());
        }
        let Some((path, text)) = self.override_text(name)? else {
            let known = &self.builtin_names;
            let place = match &self.dir {
                Some(dir) => format!("in {} nor built in", dir.display()),
                None => "built in".to_string(),
            };
            return Err(Error::user_hint(
                format!("no template {name:?} {place}"),
                format!("the built-in templates are {}; `incident templates export` copies them out", known.join(", ")),
            ));
        };
        self.origins.insert(name.to_string(), Origin::Vault(path));
        let mut texts = vec![(name.to_string(), text)];
        for (partial, path, text) in self.partials(&texts)? {
            self.origins.insert(partial.clone(), Origin::Vault(path));
            texts.push((partial, text));
        }
        self.digests.extend(texts.iter().map(|(name, text)| (name.clone(), sha256(text))));
        self.texts.extend(texts.iter().map(|(name, text)| (name.clone(), text.to_string())));
        self.tera.add_raw_templates(texts).map_err(|e| self.error(e, Some(name)))
    }

    /// The vault's own files that `texts` include, extend or import (and those they name in
    /// turn), not loaded yet: an override may `{% include %}` a partial of its own. Only
    /// what is named is read, so an unrelated or broken file beside them changes nothing.
    fn partials(&self, texts: &[(String, String)]) -> Result<Vec<(String, PathBuf, String)>> {
        let mut found: Vec<(String, PathBuf, String)> = Vec::new();
        let mut wanted: Vec<String> = texts.iter().flat_map(|(_, text)| referenced(text)).collect();
        while let Some(name) = wanted.pop() {
            if self.origins.contains_key(&name) || found.iter().any(|(n, _, _)| *n == name) {
                continue;
            }
            if let Some((path, text)) = self.override_text(&name)? {
                wanted.extend(referenced(&text));
                found.push((name, path, text));
            }
        }
        Ok(found)
    }

    /// One sha256 over every template loaded: any edit to any of them changes it.
    pub fn fingerprint(&self) -> String {
        let all: String = self.digests.iter().map(|(name, sha)| format!("{name}\0{sha}\n")).collect();
        sha256(&all)
    }

    pub fn origin(&self, name: &str) -> Option<&Origin> {
        self.origins.get(name)
    }

    /// Renders `name` with `data` (any Serialize; its fields are the template's variables).
    pub fn render<T: Serialize>(&self, name: &str, data: &T) -> Result<String> {
        let context = Context::from_serialize(data)
            .map_err(|e| Error::Internal(format!("template data for {name} does not serialize: {e}")))?;
        self.tera.render(name, &context).map_err(|e| self.error(e, Some(name)))
    }

    /// Renders `name` with a context built by hand (the site inserts pre-rendered HTML).
    pub fn render_context(&self, name: &str, context: &Context) -> Result<String> {
        self.tera.render(name, context).map_err(|e| self.error(e, Some(name)))
    }

    fn override_text(&self, name: &str) -> Result<Option<(PathBuf, String)>> {
        override_file(self.dir.as_deref(), name)
    }

    /// A tera error as our error: the template's file (or built-in name), its line, the message.
    fn error(&self, e: tera::Error, rendering: Option<&str>) -> Error {
        let report = match e.kind() {
            ErrorKind::SyntaxError(r) | ErrorKind::RenderingError(r) => Some(r),
            _ => None,
        };
        let Some(report) = report else {
            let what = rendering.map(|n| format!(" {n}")).unwrap_or_default();
            return Error::user_hint(
                format!("template{what}: {e}"),
                "fix the template, or delete it to use the built-in one",
            );
        };
        let name = report.filename();
        let (path, hint) = match self.origins.get(name) {
            Some(Origin::Vault(path)) if self.builtin_names.iter().any(|b| b == name) => {
                (path.clone(), "fix the template, or delete it to use the built-in one".to_string())
            }
            Some(Origin::Vault(path)) => (path.clone(), "fix the template".to_string()),
            _ => (
                PathBuf::from(format!("{TEMPLATES_DIR}/{name} (built in)")),
                "this is a bug in incident's built-in template; please report it".to_string(),
            ),
        };
        let col = report.span().start_col + 1;
        // What the span covers, with the path leading to it (`metrics.rows[0].bogus`, where
        // the span is `bogus`): tera's message does not name it.
        let quoted = self
            .texts
            .get(name)
            .and_then(|text| {
                let range = report.span().range.clone();
                let lead = text.get(..range.start)?;
                let path = |c: char| c.is_alphanumeric() || matches!(c, '_' | '.' | '[' | ']');
                let start =
                    lead.char_indices().rev().take_while(|(_, c)| path(*c)).last().map_or(range.start, |(i, _)| i);
                text.get(start..range.end)
            })
            .map(|t| t.trim())
            .filter(|t| !t.is_empty() && !t.contains('\n') && t.chars().count() <= 80)
            .filter(|_| !report.message().contains('`'))
            .map(|t| format!(" (`{t}`)"))
            .unwrap_or_default();
        Error::File {
            path,
            line: report.span().start_line,
            message: format!("column {col}: {}{quoted}", report.message().trim_end_matches('.')),
            hint: Some(hint),
        }
    }
}

/// The vault's file `name` (`postmortem.md.tera`, or one folder deep: `site/style.css`) in
/// `dir`, if it exists. Names that could leave `dir` are refused.
fn override_file(dir: Option<&Path>, name: &str) -> Result<Option<(PathBuf, String)>> {
    let Some(dir) = dir else { return Ok(None) };
    let parts: Vec<&str> = name.split('/').collect();
    let path = if parts.len() <= 2 {
        parts.iter().try_fold(dir.to_path_buf(), |path, part| atomic::child(&path, part))
    } else {
        None
    };
    let Some(path) = path else {
        return Err(Error::usage(
            format!("{name:?} is not a template name"),
            "give a file name in the vault's templates/ folder, e.g. postmortem.md.tera",
        ));
    };
    match fs::read_to_string(&path) {
        Ok(text) => Ok(Some((path, text))),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io("read", &path, e)),
    }
}

/// The template names `text` includes, extends or imports (tera takes them as literals).
fn referenced(text: &str) -> Vec<String> {
    static TAG: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r#"\{%-?\s*(?:include|extends|import)\s+["']([^"']+)["']"#).expect("a valid pattern")
    });
    TAG.captures_iter(text).map(|c| c[1].to_string()).collect()
}

/// A plain file (a stylesheet, a script) by the same rule as templates: the vault's file
/// of the same name wins over the built-in text. Not parsed by tera.
pub fn plain_file(dir: Option<&Path>, name: &str, builtin: &'static str) -> Result<(String, Origin)> {
    Ok(match override_file(dir, name)? {
        Some((path, text)) => (text, Origin::Vault(path)),
        None => (builtin.to_string(), Origin::Builtin),
    })
}

/// Writes every built-in into `dir`; an existing file that differs is refused unless `force`.
/// Returns the files written.
pub fn export(dir: &Path, builtins: &[(&str, &str)], force: bool) -> Result<Vec<PathBuf>> {
    let mut clashes = Vec::new();
    for (name, text) in builtins {
        let path = dir.join(name);
        match fs::read_to_string(&path) {
            Ok(old) if old != *text && !force => clashes.push(path.display().to_string()),
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(Error::io("read", &path, e)),
        }
    }
    if !clashes.is_empty() {
        let (is, differs) = if clashes.len() == 1 { ("exists", "differs") } else { ("exist", "differ") };
        return Err(Error::user_hint(
            format!("{} {is} already and {differs} from the built-in version", clashes.join(", ")),
            "move them away, or add --force to overwrite them with the built-in version",
        ));
    }
    let mut written = Vec::new();
    for (name, text) in builtins {
        let path = dir.join(name);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).ctx("create", parent)?;
        }
        atomic::write_replace(&path, text.as_bytes())?;
        written.push(path);
    }
    Ok(written)
}

fn register_filters(tera: &mut Tera) {
    use super::md_escape;
    tera.register_filter("md_cell", |s: &str, _: Kwargs, _: &State| md_escape::cell(s));
    tera.register_filter("md_code", |s: &str, _: Kwargs, _: &State| md_escape::code(s));
    tera.register_filter("md_code_cell", |s: &str, _: Kwargs, _: &State| md_escape::code_in_cell(s));
    tera.register_filter("md_cell_text", |s: &str, _: Kwargs, _: &State| md_escape::cell_text(s));
    tera.register_filter("md_text", |s: &str, _: Kwargs, _: &State| md_escape::text(s));
    // `md_line(indent=3)` under a `1. ` marker: its later lines must reach the item's text.
    tera.register_filter("md_line", |s: &str, kwargs: Kwargs, _: &State| {
        kwargs.get::<usize>("indent").map(|indent| md_escape::markdown_item(s, indent.unwrap_or(2)))
    });
    tera.register_filter("md_block", |s: &str, _: Kwargs, _: &State| md_escape::markdown_block(s));
}

#[cfg(test)]
mod tests {
    use super::*;

    const BUILTINS: &[(&str, &str)] = &[("a.md.tera", "A {{ x }}\n"), ("b.html.tera", "<p>{{ x }}</p>")];

    #[test]
    fn builtins_render_and_html_is_escaped() {
        let t = Templates::load(None, BUILTINS).unwrap();
        let data = serde_json::json!({"x": "<b>|"});
        assert_eq!(t.render("a.md.tera", &data).unwrap(), "A <b>|\n");
        assert_eq!(t.render("b.html.tera", &data).unwrap(), "<p>&lt;b&gt;|</p>");
        assert_eq!(t.origin("a.md.tera"), Some(&Origin::Builtin));
    }

    #[test]
    fn a_vault_file_of_the_same_name_wins() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("a.md.tera"), "mine: {{ x }}").unwrap();
        let t = Templates::load(Some(dir.path()), BUILTINS).unwrap();
        assert_eq!(t.render("a.md.tera", &serde_json::json!({"x": 1})).unwrap(), "mine: 1");
        assert_eq!(t.origin("a.md.tera"), Some(&Origin::Vault(dir.path().join("a.md.tera"))));
    }

    #[test]
    fn an_override_includes_a_partial_of_the_vaults_own() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("a.md.tera"), "{% include \"a-head.md.tera\" %}body").unwrap();
        fs::write(dir.path().join("a-head.md.tera"), "{%- include 'parts/title.md.tera' -%}\n").unwrap();
        fs::create_dir(dir.path().join("parts")).unwrap();
        fs::write(dir.path().join("parts/title.md.tera"), "# {{ x }}").unwrap();
        let before = Templates::load(Some(dir.path()), BUILTINS).unwrap();
        assert_eq!(before.render("a.md.tera", &serde_json::json!({"x": 1})).unwrap(), "# 1body");
        assert_eq!(before.origin("parts/title.md.tera"), Some(&Origin::Vault(dir.path().join("parts/title.md.tera"))));
        // A file nothing names is neither read nor fingerprinted, broken or not.
        fs::write(dir.path().join("unused.md.tera"), "{% if").unwrap();
        let after = Templates::load(Some(dir.path()), BUILTINS).unwrap();
        assert_eq!(after.origin("unused.md.tera"), None);
        assert_eq!(after.fingerprint(), before.fingerprint());
    }

    #[test]
    fn errors_name_the_file_line_and_variable() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("a.md.tera"), "line one\n\nhere {{ nope }}\n").unwrap();
        let t = Templates::load(Some(dir.path()), BUILTINS).unwrap();
        let err = t.render("a.md.tera", &serde_json::json!({"x": 1})).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "{}:3: column 9: Variable `nope` is not defined. Available variables: x",
                dir.path().join("a.md.tera").display()
            )
        );
        fs::write(dir.path().join("a.md.tera"), "{% if x %}\nunclosed\n").unwrap();
        let err = Templates::load(Some(dir.path()), BUILTINS).err().unwrap();
        assert!(err.to_string().starts_with(&format!("{}:", dir.path().join("a.md.tera").display())), "{err}");
    }

    #[test]
    fn missing_templates_and_odd_names_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let mut t = Templates::load(Some(dir.path()), BUILTINS).unwrap();
        let err = t.add_from_vault("c.md.tera").unwrap_err();
        assert_eq!(err.to_string(), format!("no template \"c.md.tera\" in {} nor built in", dir.path().display()));
        assert_eq!(t.add_from_vault("../x").unwrap_err().to_string(), "\"../x\" is not a template name");
        fs::write(dir.path().join("c.md.tera"), "C").unwrap();
        t.add_from_vault("c.md.tera").unwrap();
        assert_eq!(t.render("c.md.tera", &serde_json::json!({})).unwrap(), "C");
    }

    #[test]
    fn export_refuses_to_overwrite_without_force() {
        let dir = tempfile::tempdir().unwrap();
        let written = export(dir.path(), BUILTINS, false).unwrap();
        assert_eq!(written.len(), 2);
        fs::write(dir.path().join("a.md.tera"), "edited").unwrap();
        let err = export(dir.path(), BUILTINS, false).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("{} exists already and differs from the built-in version", dir.path().join("a.md.tera").display())
        );
        assert_eq!(fs::read_to_string(dir.path().join("a.md.tera")).unwrap(), "edited");
        export(dir.path(), BUILTINS, true).unwrap();
        assert_eq!(fs::read_to_string(dir.path().join("a.md.tera")).unwrap(), "A {{ x }}\n");
    }

    #[test]
    fn markdown_filters() {
        let t = Templates::load(None, &[("f.md.tera", "{{ a | md_cell }} {{ b | md_code }}")]).unwrap();
        let out = t.render("f.md.tera", &serde_json::json!({"a": "x|y\nz", "b": "echo `hi`"})).unwrap();
        assert_eq!(out, "x\\|y z `` echo `hi` ``");
        let t = Templates::load(None, &[("l.md.tera", "- {{ a | md_line }}\n1. {{ a | md_line(indent=3) }}")]).unwrap();
        let out = t.render("l.md.tera", &serde_json::json!({"a": "x\ny"})).unwrap();
        assert_eq!(out, "- x\n  y\n1. x\n   y");
    }
}
