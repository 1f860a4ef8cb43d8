//! One file per subcommand: `run(&Config, &Ui, args) -> Result<u8>` (the exit code).

mod analysis;
mod capture;
mod check;
pub mod diff;
mod init;
mod list;
mod mark;
mod note;
mod run;
mod show;
pub mod snapshot;
mod start;
mod status;
mod switch;
mod watch;

use crate::cli::Command;
use crate::config::Config;
use crate::error::Result;
use crate::ui::Ui;

pub fn dispatch(cfg: &Config, ui: &Ui, command: Command) -> Result<u8> {
    match command {
        Command::Init(args) => init::run(cfg, ui, &args),
        Command::Start(args) => start::run(cfg, ui, &args),
        Command::Note(args) => note::run(cfg, ui, &args),
        Command::Run(args) => run::run(cfg, ui, &args),
        Command::Capture(args) => capture::run(cfg, ui, &args),
        Command::Mark(args) => mark::mark(cfg, ui, &args),
        Command::Resolve(args) => mark::resolve(cfg, ui, &args),
        Command::Option(args) => analysis::option(cfg, ui, &args),
        Command::Decide(args) => analysis::decide(cfg, ui, &args),
        Command::Cause(args) => analysis::cause(cfg, ui, &args),
        Command::Lesson(args) => analysis::lesson(cfg, ui, &args),
        Command::Action(args) => analysis::action(cfg, ui, &args),
        Command::Attach(args) => analysis::attach(cfg, ui, &args),
        Command::Status(args) => status::run(cfg, ui, &args),
        Command::List(args) => list::run(cfg, ui, &args),
        Command::Show(args) => show::run(cfg, ui, &args),
        Command::Switch(args) => switch::run(cfg, ui, &args),
        Command::Snapshot(args) => snapshot::run(cfg, ui, &args),
        Command::Diff(args) => diff::run(cfg, ui, &args),
        Command::Check(args) => check::run(cfg, ui, &args),
        Command::Watch(args) => watch::run(cfg, ui, &args),
    }
}
