//! Building steps and writing them: every step-writing command goes through `Session`.

pub mod attachment;
pub mod exec;
pub mod lines;
pub mod output;
pub mod scrub;

use std::borrow::Cow;
use std::cell::{Cell, OnceCell};
use std::path::PathBuf;

use crate::clock::Timestamp;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::model::{Milestone, Step, StepKind, StepMeta};
use crate::vault::{IncidentRef, RulesRef, StepWriter, Vault, new_step_id};
use scrub::Scrub;

/// One command's hold on the vault and the incident it writes to.
pub struct Session<'c> {
    pub cfg: &'c Config,
    pub vault: Vault,
    pub incident: IncidentRef,
    pub writer: StepWriter,
    rules: RulesRef,
    /// When the incident was resolved (its `resolved` milestone), read at the first save
    /// that needs it.
    resolved: OnceCell<Option<Timestamp>>,
    /// The "already resolved" warning was given: once per command (`watch` saves many).
    warned_resolved: Cell<bool>,
}

impl<'c> Session<'c> {
    /// The vault and the incident picked by `--incident`/`INCIDENT_ID` or the current one.
    pub fn open(cfg: &'c Config) -> Result<Session<'c>> {
        Session::open_with(cfg, false)
    }

    /// As [`Session::open`]; with `no_redact` (the command's `--no-redact`), rules that
    /// cannot be read in `incident.toml` do not stop the recording: none are used.
    pub fn open_with(cfg: &'c Config, no_redact: bool) -> Result<Session<'c>> {
        let vault = cfg.vault()?;
        let incident = cfg.pick_incident(&vault, None)?;
        let writer = vault.writer(&incident);
        let rules = match vault.rules() {
            Ok(rules) => rules,
            Err(_) if no_redact => RulesRef::Builtin(crate::redact::Rules::builtin()),
            Err(e) => return Err(e),
        };
        Ok(Session {
            cfg,
            vault,
            incident,
            writer,
            rules,
            resolved: OnceCell::new(),
            warned_resolved: Cell::new(false),
        })
    }

    /// `--at` of `incident <command>` parsed against the command's clock; now when absent.
    pub fn at(&self, at: Option<&str>, command: &str) -> Result<Timestamp> {
        at_of(self.cfg, at, command)
    }

    /// Frontmatter every step carries: id, kind, at, recorded_at, author, host.
    pub fn meta(&self, kind: StepKind, at: Timestamp) -> StepMeta {
        let mut meta = StepMeta::new(new_step_id(kind, at), kind, at, self.cfg.clock.now());
        meta.author = Some(self.cfg.author.clone());
        meta.host = Some(self.cfg.host.clone());
        meta
    }

    /// Redaction for this incident; `no_redact` (the `--no-redact` flag) turns it off.
    pub fn scrub(&self, no_redact: bool) -> Scrub<'_> {
        Scrub::new(&self.rules, &self.vault, &self.incident.slug, no_redact)
    }

    /// Redacts every text field with `scrub`, then writes the step; returns its path.
    /// Nothing reaches the vault without passing through here (or `scrub` for outputs).
    pub fn save(&self, step: &mut Step, scrub: Scrub<'_>) -> Result<PathBuf> {
        self.warn_if_resolved(&step.meta);
        clean_step(step);
        scrub.step(step);
        let written = self.writer.write(step);
        if written.is_err() {
            self.discard_files(&step.meta);
        }
        written
    }

    /// Undoes what was written for a step that could not be written itself (its output
    /// from [`keep_output`](Self::keep_output), its attached file): files without their
    /// step are orphans that `publish` still shows.
    fn discard_files(&self, meta: &StepMeta) {
        for file in meta.output_file.iter().chain(&meta.attachment) {
            let path = self.incident.dir.join(file);
            let _ = std::fs::remove_file(&path);
            if let Some(dir) = path.parent() {
                let _ = std::fs::remove_dir(dir); // only when left empty
            }
        }
    }

    /// Recording the live system into an incident resolved before it most likely means a
    /// new problem and a forgotten `incident start`: said, and the step still recorded
    /// (scripts keep working). Only for steps after the resolution, so backfilling a
    /// milestone (`mark impact-start --at 07:50`) is quiet.
    fn warn_if_resolved(&self, meta: &StepMeta) {
        if self.warned_resolved.get() || !observes_the_system(meta) {
            return;
        }
        let resolved = *self.resolved.get_or_init(|| {
            let (milestones, _) = self.vault.steps_of_kind(&self.incident, StepKind::Milestone).ok()?;
            milestones.iter().filter(|s| s.meta.milestone == Some(Milestone::Resolved)).map(|s| s.meta.at).min()
        });
        let Some(resolved) = resolved.filter(|r| meta.at > *r) else { return };
        self.warned_resolved.set(true);
        crate::ui::Ui::new(self.cfg.quiet).warn(&format!(
            "{} was resolved at {}: this {} is recorded in it all the same. For a new problem, \
             `incident start \"TITLE\"`; for another incident, `incident switch ID`",
            self.incident.slug,
            crate::format::date_time(resolved),
            meta.kind
        ));
    }

    /// Moves a spooled output into `outputs/`. Should that fail (a full disk, a broken
    /// folder), the step still goes in with head and tail and says why.
    pub fn keep_output(&self, captured: &mut output::Captured, meta: &mut StepMeta) {
        if let Some(spool) = captured.spool.take()
            && let Err(e) = self.writer.persist_output(spool, meta)
        {
            let _ = std::fs::remove_dir(self.writer.outputs_dir()); // only when left empty
            captured.spool_error = Some(e.to_string());
        }
    }

    /// Status line after a write: `recorded note 2025…-note-k7f3q9`.
    pub fn report(&self, step: &Step) {
        // Best effort: the step is on disk; a full stderr must not turn that into a panic.
        let line = format!("recorded {} {} in {}", step.meta.kind, step.meta.id, self.incident.slug);
        crate::ui::Ui::new(self.cfg.quiet).status(&line);
    }
}

/// Steps that look at the system as it is now: after the resolution they belong to a new
/// incident. Reasoning and follow-up (note, option, decision, cause, lesson, action) is
/// postmortem work, an attachment may be a graph of the outage, and the permanent fix
/// comes after resolution by definition: none of those is warned about.
fn observes_the_system(meta: &StepMeta) -> bool {
    match meta.kind {
        StepKind::Run | StepKind::Capture | StepKind::Snapshot | StepKind::Check | StepKind::Watch => true,
        StepKind::Milestone => {
            !matches!(meta.milestone, Some(Milestone::PermanentFixStart | Milestone::PermanentFix) | None)
        }
        _ => false,
    }
}

/// No control character reaches a step (a `cat` of the file would run an escape
/// sequence; a tab or newline in a title breaks `list`): one-line fields get spaces for
/// line breaks, text keeps its lines; the rest is cleaned as command output is.
fn clean_step(step: &mut Step) {
    fn one(s: &mut String) {
        if let Cow::Owned(clean) = lines::clean_one_line(s) {
            *s = clean;
        }
    }
    fn text(s: &mut String) {
        if let Cow::Owned(clean) = lines::clean_text(s) {
            *s = clean;
        }
    }
    let m = &mut step.meta;
    for field in [&mut m.title, &mut m.option, &mut m.owner, &mut m.spawn_error] {
        field.iter_mut().for_each(one);
    }
    // The command as it ran: a script given to `sh -c` keeps its lines and tabs.
    m.command.iter_mut().for_each(text);
    for field in [&mut m.author, &mut m.host] {
        field.iter_mut().for_each(one);
    }
    m.pros.iter_mut().chain(m.cons.iter_mut()).for_each(one);
    for field in [&mut m.why, &mut m.trigger] {
        field.iter_mut().for_each(text);
    }
    text(&mut step.body);
}

/// Joins words given on the command line; `-` alone reads stdin.
pub fn text_arg(words: &[String]) -> Result<String> {
    if words.len() == 1 && words[0] == "-" {
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin(), &mut bytes)
            .map_err(|e| Error::user(format!("cannot read stdin: {e}")))?;
        // As `run` and `capture` read output: a Latin-1 `é` costs one character, not the note.
        let (text, replaced) = lines::decode_text(&bytes);
        if !replaced.is_empty() {
            crate::ui::Ui::new(false).warn(&replaced_bytes(&replaced));
        }
        let text = text.trim_end().to_string();
        if text.is_empty() {
            return Err(Error::usage("stdin was empty", "pipe the text in, or give it as arguments"));
        }
        return Ok(text);
    }
    let text = words.join(" ").trim().to_string();
    if text.is_empty() {
        return Err(Error::usage("the text is empty", "give the text as arguments, or `-` to read stdin"));
    }
    Ok(text)
}

/// `stdin is not UTF-8: 1 byte replaced with U+FFFD (0xE9 on line 1)`; the first five named.
fn replaced_bytes(replaced: &[(usize, u8)]) -> String {
    let mut named: Vec<String> = replaced.iter().take(5).map(|(line, b)| format!("0x{b:02X} on line {line}")).collect();
    if replaced.len() > 5 {
        named.push("…".to_string());
    }
    let noun = crate::format::plural(replaced.len() as u64, "byte");
    let fix = "to keep them, convert first: iconv -f LATIN1 -t UTF-8";
    format!("stdin is not UTF-8: {noun} replaced with U+FFFD ({}); {fix}", named.join(", "))
}

pub mod body;

/// `--at` of `incident <command>` parsed against the command's clock; now when absent.
/// A bare clock time read as yesterday is said so.
pub fn at_of(cfg: &Config, at: Option<&str>, command: &str) -> Result<Timestamp> {
    let Some(text) = at else { return Ok(cfg.clock.now()) };
    let at = cfg
        .clock
        .parse_at(text)
        .map_err(|m| Error::usage(format!("--at: {m}"), format!("see `incident {command} --help`")))?;
    if let Some(day) = cfg.clock.bare_time_moved_to(text, at) {
        let text = text.trim();
        crate::ui::Ui::new(cfg.quiet).warn(&format!(
            "--at {text}: read as yesterday, {day} {} (its last occurrence; {text} today is still ahead)",
            at.format("%H:%M")
        ));
    }
    Ok(at)
}
