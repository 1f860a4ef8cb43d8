//! `incident init [DIR]`.

use crate::cli::InitArgs;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::ui::Ui;
use crate::vault::{SETTINGS_FILE, Vault};

pub fn run(cfg: &Config, ui: &Ui, args: &InitArgs) -> Result<u8> {
    let dir = cfg.cwd.join(&args.dir);
    if !dir.join(SETTINGS_FILE).is_file()
        && let Some(outer) = dir.ancestors().skip(1).find(|d| d.join(SETTINGS_FILE).is_file())
    {
        // Commands find the nearest vault above them: an inner one would hide the outer.
        return Err(Error::user_hint(
            format!("{} is inside the incident vault {}", dir.display(), outer.display()),
            format!(
                "record into that vault (`incident start` works anywhere inside it), or create the new one outside {}",
                outer.display()
            ),
        ));
    }
    if Vault::init(&dir)? {
        ui.status(&format!("created an incident vault in {}", dir.display()));
        let elsewhere = |other: &&std::path::PathBuf| {
            cfg.vault_from_env && cfg.cwd.join(other).canonicalize().ok() != dir.canonicalize().ok()
        };
        match cfg.vault_dir.as_ref().filter(elsewhere) {
            Some(other) => ui.warn(&format!(
                "INCIDENT_VAULT={} is set: commands use that vault, not this one, until you unset it",
                other.display()
            )),
            None => ui.status("next: incident start \"TITLE\""),
        }
    } else {
        ui.status(&format!("{} is already an incident vault; left as it was", dir.display()));
    }
    Ok(0)
}
