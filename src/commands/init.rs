//! `incident init [DIR]`.

use crate::cli::InitArgs;
use crate::config::Config;
use crate::error::Result;
use crate::ui::Ui;
use crate::vault::Vault;

pub fn run(cfg: &Config, ui: &Ui, args: &InitArgs) -> Result<u8> {
    let dir = cfg.cwd.join(&args.dir);
    if Vault::init(&dir)? {
        ui.status(&format!("created an incident vault in {}", dir.display()));
        ui.status("next: incident start \"TITLE\"");
    } else {
        ui.status(&format!("{} is already an incident vault; left as it was", dir.display()));
    }
    Ok(0)
}
