//! `incident note TEXT...`: the hot path. No vault scan, no runtime, no templates.

use crate::cli::NoteArgs;
use crate::config::Config;
use crate::error::Result;
use crate::model::{Step, StepKind};
use crate::record::{Session, text_arg};
use crate::ui::Ui;

pub fn run(cfg: &Config, _ui: &Ui, args: &NoteArgs) -> Result<u8> {
    let text = text_arg(&args.text)?;
    let session = Session::open_with(cfg, args.step.no_redact)?;
    let at = session.at(args.step.at.as_deref(), "note")?;
    let mut step = Step { meta: session.meta(StepKind::Note, at), body: text };
    session.save(&mut step, session.scrub(args.step.no_redact))?;
    session.report(&step);
    Ok(0)
}
