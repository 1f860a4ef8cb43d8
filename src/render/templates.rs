//! Templates: the built-ins are embedded at compile time; a file of the same name in the
//! vault's `templates/` folder wins. One loader for every area (postmortem, site).

use std::borrow::Cow;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// A built-in template: its name (also its path under the vault's `templates/`) and text.
#[derive(Debug, Clone, Copy)]
pub struct Builtin {
    pub name: &'static str,
    pub text: &'static str,
}

/// Where a template's text came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    Builtin,
    Vault(PathBuf),
}

/// A template chosen by name: the vault's override or the built-in.
#[derive(Debug, Clone)]
pub struct Template {
    pub name: &'static str,
    pub text: Cow<'static, str>,
    pub origin: Origin,
}

/// Each built-in, or `<dir>/<name>` instead when that file exists (`dir` is the vault's
/// `templates/` folder; `None` means built-ins only).
pub fn resolve(builtins: &[Builtin], dir: Option<&Path>) -> Result<Vec<Template>> {
    builtins.iter().map(|b| resolve_one(b, dir)).collect()
}

fn resolve_one(builtin: &Builtin, dir: Option<&Path>) -> Result<Template> {
    if let Some(dir) = dir {
        let path = dir.join(builtin.name);
        match fs::read_to_string(&path) {
            Ok(text) => {
                return Ok(Template { name: builtin.name, text: Cow::Owned(text), origin: Origin::Vault(path) });
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) if e.kind() == io::ErrorKind::InvalidData => {
                return Err(Error::user_hint(
                    format!("{} is not UTF-8", path.display()),
                    "save the template as UTF-8, or delete it to use the built-in",
                ));
            }
            Err(e) => return Err(Error::io("read", &path, e)),
        }
    }
    Ok(Template { name: builtin.name, text: Cow::Borrowed(builtin.text), origin: Origin::Builtin })
}

/// The name tera knows a template by: without `.tera`, so `page.html.tera` is `page.html`
/// and tera escapes by the real suffix (`.html`, `.xml` escaped; `.md` not).
pub fn engine_name(name: &str) -> &str {
    name.strip_suffix(".tera").unwrap_or(name)
}

/// A tera engine holding the `.tera` templates among `templates`.
pub fn engine(templates: &[Template]) -> Result<tera::Tera> {
    let mut tera = tera::Tera::default();
    let tera_templates: Vec<&Template> = templates.iter().filter(|t| t.name.ends_with(".tera")).collect();
    // All at once: a child may come before its parent.
    tera.add_raw_templates(tera_templates.iter().map(|t| (engine_name(t.name), t.text.as_ref())))
        .map_err(|e| template_error(&tera_templates, &e))?;
    Ok(tera)
}

/// A tera error, naming the template file it is about (the first one its text mentions)
/// and telling how to get back to the built-in.
pub fn template_error(templates: &[&Template], e: &tera::Error) -> Error {
    let detail = error_chain(e);
    let culprit = templates.iter().find(|t| detail.contains(engine_name(t.name)));
    match culprit.map(|t| &t.origin) {
        Some(Origin::Vault(path)) => Error::user_hint(
            format!("template {}: {detail}", path.display()),
            "fix the template, or delete it to use the built-in one",
        ),
        _ if templates.iter().any(|t| t.origin != Origin::Builtin) => Error::user_hint(
            format!("templates: {detail}"),
            "fix the templates in the vault's templates/ folder, or delete them to use the built-in ones",
        ),
        _ => Error::Internal(format!("built-in templates: {detail}")),
    }
}

/// A tera error with its causes, on one line.
pub fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    const BUILTINS: &[Builtin] = &[
        Builtin { name: "x/base.html.tera", text: "<b>{% block body %}{% endblock body %}</b>" },
        Builtin {
            name: "x/page.html.tera",
            text: "{% extends \"x/base.html\" %}{% block body %}{{ v }}{% endblock body %}",
        },
        Builtin { name: "x/style.css", text: "body{}" },
    ];

    #[test]
    fn vault_files_win_by_name() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("x")).unwrap();
        fs::write(dir.path().join("x/style.css"), "p{}").unwrap();
        let all = resolve(BUILTINS, Some(dir.path())).unwrap();
        assert_eq!(all[0].origin, Origin::Builtin);
        assert_eq!(all[2].text, "p{}");
        assert_eq!(all[2].origin, Origin::Vault(dir.path().join("x/style.css")));
        let tera = engine(&all).unwrap();
        let mut ctx = tera::Context::new();
        ctx.insert("v", "<i>");
        assert_eq!(tera.render("x/page.html", &ctx).unwrap(), "<b>&lt;i&gt;</b>");
    }

    #[test]
    fn a_broken_override_names_its_file() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("x")).unwrap();
        fs::write(dir.path().join("x/page.html.tera"), "{% if %}").unwrap();
        let all = resolve(BUILTINS, Some(dir.path())).unwrap();
        let err = engine(&all).unwrap_err();
        assert!(err.to_string().starts_with(&format!("template {}", dir.path().join("x/page.html.tera").display())));
        assert_eq!(err.hint().as_deref(), Some("fix the template, or delete it to use the built-in one"));
    }
}
