//! `incident completions SHELL`: the shell's completion script, made by clap_complete from
//! the same command line definition the parser uses, so it cannot fall behind.

use clap::CommandFactory;

use crate::cli::{Cli, CompletionsArgs};
use crate::error::{Error, Result};
use crate::ui::Ui;

pub fn run(ui: &Ui, args: &CompletionsArgs) -> Result<u8> {
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "incident", &mut script);
    let script = String::from_utf8(script).map_err(|e| Error::Internal(format!("completion script: {e}")))?;
    ui.out(&script);
    Ok(0)
}
