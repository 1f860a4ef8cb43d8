//! incident: record an outage as you work it; the postmortem falls out of the record.
//!
//! The vault is an append-only log of steps; an incident is a fold over its steps.
//! `run` is the whole program; the binary is a shell around it.

pub mod cli;
pub mod clock;
pub mod commands;
pub mod config;
pub mod conflict;
pub mod error;
pub mod extract;
pub mod format;
pub mod frontmatter;
pub mod kube;
pub mod lenient;
pub mod metrics;
pub mod model;
#[cfg(test)]
mod proptests;
pub mod record;
pub mod render;
pub mod site;
pub mod ui;
pub mod vault;

use std::ffi::OsString;
use std::process::ExitCode;

use crate::cli::ColorWhen;
use crate::config::Config;
use crate::ui::Ui;

/// Parses `args`, runs the command, reports errors; returns the exit code.
pub fn run<I, T>(args: I) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match cli::parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    match cli.global.color {
        ColorWhen::Always => anstream::ColorChoice::Always.write_global(),
        ColorWhen::Never => anstream::ColorChoice::Never.write_global(),
        ColorWhen::Auto => {}
    }
    let ui = Ui::new(cli.global.quiet);
    let env = |name: &str| std::env::var(name).ok();
    let result = Config::resolve(&cli.global, &env).and_then(|cfg| commands::dispatch(&cfg, &ui, cli.command));
    // Output cut short by a full disk behind `>` is a failure, said as `cat` says it.
    let unwritten = ui::take_stdout_error().map(error::Error::stdout);
    if let Some(e) = &unwritten {
        ui.error(&e.to_string(), e.hint().as_deref());
    }
    match result {
        Ok(code) => ExitCode::from(if unwritten.is_some() { code.max(1) } else { code }),
        Err(e) => {
            ui.error(&e.to_string(), e.hint().as_deref());
            ExitCode::from(e.exit_code())
        }
    }
}

pub mod redact;
