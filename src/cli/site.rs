//! Arguments of the site commands: `publish` and `serve`.

use std::path::PathBuf;

use clap::Args;

#[derive(Debug, Args)]
pub struct PublishArgs {
    /// Folder to write the site into (default: public/ in the vault)
    #[arg(long, short, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// The site's address (https://ops.example.com/incidents/) or its path on its host
    /// (/incidents/), for the feed and canonical links. Pages link relatively: the site
    /// works from any folder, file:// too, without it
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
    /// Publish open incidents too (left out by default: they are still being written)
    #[arg(long)]
    pub include_open: bool,
    /// Publish incidents marked `visibility: internal` too (left out by default)
    #[arg(long)]
    pub include_internal: bool,
    /// Write nothing; list what should stop the site going out (exit 1 when anything does)
    #[arg(long)]
    pub check: bool,
    /// With --check: the findings as JSON (`ok`, `to_publish`, `left_out`, and `problems`,
    /// each with `file`, `line` or null, `message`), for a CI job; the exit code is the same
    #[arg(long, requires = "check")]
    pub json: bool,
    /// Worker threads (default: one per core)
    #[arg(long, short, value_name = "N")]
    pub jobs: Option<usize>,
    /// Render every incident again, ignoring what the last publish left
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Port on 127.0.0.1 (0: any free port)
    #[arg(long, short, default_value_t = 8000)]
    pub port: u16,
    /// Open the site in the default browser
    #[arg(long)]
    pub open: bool,
    /// Show incidents marked `visibility: internal` too
    #[arg(long)]
    pub include_internal: bool,
}
