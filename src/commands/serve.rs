//! `incident serve`: the site of every incident on 127.0.0.1, rebuilt as the vault changes.

use std::io::IsTerminal;

use crate::cli::ServeArgs;
use crate::commands::publish::{jobs, site_options};
use crate::config::Config;
use crate::error::Result;
use crate::site::publish::PublishOptions;
use crate::site::serve::{self, ServeOptions};
use crate::ui::Ui;

/// The served site and its record live in local state, away from `public/`.
pub const SERVE_DIR: &str = "serve";
pub const SERVE_CACHE: &str = "serve-cache";

pub fn run(cfg: &Config, ui: &Ui, args: &ServeArgs) -> Result<u8> {
    let vault = cfg.vault()?;
    let publish = PublishOptions {
        out: vault.state_dir().join(SERVE_DIR),
        site: site_options(&vault, None),
        include_open: true,
        include_internal: args.include_internal,
        jobs: jobs(None)?,
        cache_file: Some(vault.state_dir().join(SERVE_CACHE)),
        only: None,
        progress: !ui.quiet && std::io::stderr().is_terminal(),
        force: false,
        find_secrets: true,
        clock: cfg.clock.clone(),
    };
    let open = args.open;
    let out_ui = ui.clone();
    let on_listen = Box::new(move |addr: std::net::SocketAddr| {
        let url = format!("http://{addr}/");
        out_ui.status("serving the vault; Ctrl-C stops");
        out_ui.out(&url);
        if open {
            let opener = if cfg!(target_os = "macos") { "open" } else { "xdg-open" };
            if let Err(e) = std::process::Command::new(opener).arg(&url).spawn() {
                out_ui.warn(&format!("cannot open a browser ({opener}: {e}); open {url} yourself"));
            }
        }
    });
    serve::serve(&vault, ui, ServeOptions { port: args.port, publish, on_listen })
}
