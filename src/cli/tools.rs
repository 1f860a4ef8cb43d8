//! Arguments of the commands that work without a vault: extract, redact, completions.

use std::path::PathBuf;

use clap::Args;

#[derive(Debug, Args)]
pub struct ExtractArgs {
    /// What the input is: auto, pods, nodes, ip, route, log
    #[arg(long = "as", value_name = "KIND", default_value = "auto")]
    pub kind: String,
    /// Read this file (default: stdin; `-` is stdin too)
    #[arg(value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// Print the facts as one JSON object
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct RedactArgs {
    /// Read this file (default: stdin; `-` is stdin too)
    #[arg(value_name = "FILE")]
    pub file: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete in
    #[arg(value_enum, value_name = "SHELL")]
    pub shell: clap_complete::Shell,
}

pub const COMPLETIONS_HELP: &str = "\
The script goes to stdout. Install it once, then open a new shell:
  bash        incident completions bash > ~/.local/share/bash-completion/completions/incident
  zsh         incident completions zsh > ~/.zfunc/_incident
              (and in ~/.zshrc, before compinit: fpath+=~/.zfunc)
  fish        incident completions fish > ~/.config/fish/completions/incident.fish
  elvish      incident completions elvish >> ~/.config/elvish/rc.elv
  powershell  incident completions powershell >> $PROFILE

Run it again after upgrading incident, so new commands and options complete too.";
