//! `incident switch ID`.

use crate::cli::SwitchArgs;
use crate::config::Config;
use crate::error::Result;
use crate::ui::Ui;

pub fn run(cfg: &Config, ui: &Ui, args: &SwitchArgs) -> Result<u8> {
    let vault = cfg.vault()?;
    let incident = vault.incident(Some(&args.id))?;
    vault.set_current(&incident.slug)?;
    ui.out(&incident.slug);
    ui.status(&format!("{} is now the current incident", incident.slug));
    super::start::warn_env_overrides(cfg, ui, &vault, &incident.slug);
    Ok(0)
}
