//! One file per subcommand: `run(&Config, &Ui, args) -> Result<u8>` (the exit code).

mod analysis;
mod capture;
mod check;
mod completions;
pub mod diff;
mod extract;
mod init;
mod list;
mod mark;
mod note;
pub(crate) mod postmortem;
pub mod publish;
mod redact;
mod report;
mod run;
mod serve;
mod show;
pub mod snapshot;
mod start;
mod status;
mod switch;
mod templates;
mod watch;

use crate::cli::Command;
use crate::config::Config;
use crate::error::Result;
use crate::ui::Ui;

/// `--incident` given to a command that works on the whole vault, on a new incident or on
/// the one it names itself: a usage error, so `publish -I x` is not mistaken for publishing
/// only x. INCIDENT_ID set in the shell is left alone: it is meant for the commands that
/// use it.
fn refuse_unused_incident(cfg: &Config, command: &Command) -> Result<()> {
    let (name, hint) = match command {
        Command::Init(_) => ("init", "leave it out; `incident start TITLE` opens an incident"),
        Command::List(_) => ("list", "leave it out: list shows every incident; `incident show ID` shows one"),
        Command::Publish(_) => ("publish", "leave it out: publish renders every incident of the vault"),
        Command::Serve(_) => ("serve", "leave it out: serve shows every incident of the vault"),
        Command::Templates(_) => ("templates", "leave it out: templates belong to the vault, not to one incident"),
        Command::Extract(_) => ("extract", "leave it out: extract reads a file; `incident capture` records one"),
        Command::Start(_) => ("start", "leave it out: start opens a new incident"),
        Command::Switch(_) => ("switch", "leave it out: `incident switch ID` names the incident itself"),
        Command::Report(_) => ("report", "leave it out: report covers every incident (--since limits it)"),
        Command::Completions(_) => ("completions", "leave it out: completions are for the shell, not for an incident"),
        _ => return Ok(()),
    };
    match &cfg.incident {
        Some(id) if !cfg.incident_from_env => Err(crate::error::Error::usage(
            format!("`incident {name}` does not work on one incident; --incident {id} is not used"),
            hint,
        )),
        _ => Ok(()),
    }
}

/// A file (relative to the current folder), or stdin for none or `-`.
pub(crate) fn open_input(cfg: &Config, file: Option<&std::path::Path>) -> Result<Box<dyn std::io::Read>> {
    match file {
        None => Ok(Box::new(std::io::stdin().lock())),
        Some(p) if p.as_os_str() == "-" => Ok(Box::new(std::io::stdin().lock())),
        Some(p) => {
            let path = cfg.cwd.join(p);
            let file = std::fs::File::open(&path).map_err(|e| {
                crate::error::Error::user_hint(
                    format!("cannot read {}: {e}", path.display()),
                    "give an existing file, or pipe the text in",
                )
            })?;
            Ok(Box::new(file))
        }
    }
}

pub fn dispatch(cfg: &Config, ui: &Ui, command: Command) -> Result<u8> {
    refuse_unused_incident(cfg, &command)?;
    match command {
        Command::Init(args) => init::run(cfg, ui, &args),
        Command::Start(args) => start::run(cfg, ui, &args),
        Command::Note(args) => note::run(cfg, ui, &args),
        Command::Run(args) => run::run(cfg, ui, &args),
        Command::Capture(args) => capture::run(cfg, ui, &args),
        Command::Mark(args) => mark::mark(cfg, ui, &args),
        Command::Extract(args) => extract::run(cfg, ui, &args),
        Command::Redact(args) => redact::run(cfg, ui, &args),
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
        Command::Publish(args) => publish::run(cfg, ui, &args),
        Command::Serve(args) => serve::run(cfg, ui, &args),
        Command::Snapshot(args) => snapshot::run(cfg, ui, &args),
        Command::Diff(args) => diff::run(cfg, ui, &args),
        Command::Check(args) => check::run(cfg, ui, &args),
        Command::Watch(args) => watch::run(cfg, ui, &args),
        Command::Postmortem(args) => postmortem::run(cfg, ui, &args),
        Command::Templates(args) => templates::run(cfg, ui, &args),
        Command::Report(args) => report::run(cfg, ui, &args),
        Command::Completions(args) => completions::run(ui, &args),
    }
}
