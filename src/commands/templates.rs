//! `incident templates export [DIR] [--force]` and `incident templates list`.

use crate::cli::{TemplatesArgs, TemplatesCommand};
use crate::config::Config;
use crate::error::Result;
use crate::render;
use crate::render::templates::{Origin, TEMPLATES_DIR, Templates, export};
use crate::ui::Ui;

pub fn run(cfg: &Config, ui: &Ui, args: &TemplatesArgs) -> Result<u8> {
    let builtins = render::builtin_templates();
    match &args.command {
        TemplatesCommand::Export(export_args) => {
            let dir = match &export_args.dir {
                Some(dir) => cfg.cwd.join(dir),
                None => cfg.vault()?.root.join(TEMPLATES_DIR),
            };
            let written = export(&dir, &builtins, export_args.force)?;
            for path in &written {
                ui.out(&path.display().to_string());
            }
            ui.status(&format!(
                "exported {} template(s) to {}; a file of the same name in the vault's templates/ replaces the built-in one",
                written.len(),
                dir.display()
            ));
            Ok(0)
        }
        TemplatesCommand::List => {
            let vault = cfg.vault()?;
            let dir = vault.root.join(TEMPLATES_DIR);
            let templates = Templates::load(Some(&dir), &builtins)?;
            for (name, builtin) in &builtins {
                let origin = match templates.origin(name) {
                    // An exported copy left as it was hides later fixes to the built-in one.
                    Some(Origin::Vault(path)) if std::fs::read(path).is_ok_and(|b| b == builtin.as_bytes()) => {
                        format!(
                            "overridden by {}, a copy of the built-in one (delete it to follow it)",
                            vault.rel(path).display()
                        )
                    }
                    Some(Origin::Vault(path)) => format!("overridden by {}", vault.rel(path).display()),
                    _ => "built in".to_string(),
                };
                ui.out(&format!("{name}\t{origin}"));
            }
            for (path, meant) in crate::site::theme::unused_files(&dir) {
                ui.warn(&format!("{} is not used: {meant}", vault.rel(&path).display()));
            }
            Ok(0)
        }
    }
}
