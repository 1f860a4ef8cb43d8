//! Arguments of the recorder commands: vault, incidents, steps, status.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{Args, ValueEnum};

/// What every step-writing command accepts.
#[derive(Debug, Args, Clone, Default)]
pub struct StepArgs {
    /// When it happened, if not now: RFC 3339, 08:45 (today; yesterday only if over 12 h ahead, as 23:50 at
    /// 00:10), "10 min ago", "yesterday 23:10"
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
    /// Write the text as it is, without redacting secrets (recorded in the step)
    #[arg(long)]
    pub no_redact: bool,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Folder to create the vault in
    #[arg(default_value = ".")]
    pub dir: PathBuf,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum Severity {
    Sev1,
    Sev2,
    Sev3,
    Sev4,
}

#[derive(Debug, Args)]
pub struct StartArgs {
    /// A short title: what is broken, as users see it
    pub title: String,
    /// How bad: sev1 (critical) … sev4 (minor)
    #[arg(long, short, value_enum, visible_alias = "sev")]
    pub severity: Option<Severity>,
    /// An affected service (repeat for more, or `a,b`)
    #[arg(long = "service", value_name = "SERVICE", value_delimiter = ',')]
    pub services: Vec<String>,
    /// A service known to be unaffected (repeat for more, or `a,b`): the postmortem lists them
    #[arg(long = "unaffected", value_name = "SERVICE", value_delimiter = ',')]
    pub unaffected: Vec<String>,
    /// A tag (repeat for more, or `a,b`)
    #[arg(long = "tag", value_name = "TAG", value_delimiter = ',')]
    pub tags: Vec<String>,
    /// A first summary for incident.md
    #[arg(long, value_name = "TEXT")]
    pub summary: Option<String>,
    /// When it began, if not now: RFC 3339, 08:45 (today; yesterday only if over 12 h ahead, as 23:50 at
    /// 00:10), "10 min ago", "yesterday 23:10"
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
}

#[derive(Debug, Args)]
pub struct NoteArgs {
    /// The note (words are joined with spaces); `-` reads stdin
    #[arg(required = true, num_args = 1.., value_name = "TEXT")]
    pub text: Vec<String>,
    #[command(flatten)]
    pub step: StepArgs,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// A heading for the step
    #[arg(long, short)]
    pub title: Option<String>,
    #[command(flatten)]
    pub step: StepArgs,
    /// The command and its arguments; everything from the first word that is not one of
    /// run's own options on is the command's (`--` before it is optional, and needed only
    /// for a command that starts with `-`: a mistyped option is not run as a command)
    #[arg(required = true, num_args = 1.., trailing_var_arg = true, value_name = "CMD")]
    pub command: Vec<OsString>,
}

#[derive(Debug, Args)]
pub struct CaptureArgs {
    /// The command that printed the output
    #[arg(long, short, value_name = "COMMAND")]
    pub command: Option<String>,
    /// Its exit code, if known
    #[arg(long, value_name = "N")]
    pub exit_code: Option<i32>,
    /// A heading for the step
    #[arg(long, short)]
    pub title: Option<String>,
    /// Read this file instead of stdin
    #[arg(value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// Do not copy the input to stdout
    #[arg(long)]
    pub no_echo: bool,
    #[command(flatten)]
    pub step: StepArgs,
}

#[derive(Debug, Args)]
pub struct MarkArgs {
    /// impact-start, detected, acknowledged, diagnosed, mitigation-start, mitigated,
    /// recovered, resolved, permanent-fix-start, permanent-fix
    pub milestone: String,
    #[command(flatten)]
    pub text: MarkTextArgs,
}

#[derive(Debug, Args)]
pub struct MarkTextArgs {
    /// What happened
    #[arg(value_name = "TEXT")]
    pub text: Vec<String>,
    #[command(flatten)]
    pub step: StepArgs,
}

#[derive(Debug, Args)]
pub struct OptionArgs {
    /// What could be done, in a few words (`decide` refers to it by this title)
    pub title: String,
    /// An advantage (repeat for more)
    #[arg(long = "pros", alias = "pro", value_name = "TEXT")]
    pub pros: Vec<String>,
    /// A drawback (repeat for more)
    #[arg(long = "cons", alias = "con", value_name = "TEXT")]
    pub cons: Vec<String>,
    /// More detail (Markdown), e.g. the commands it takes
    #[arg(long, value_name = "TEXT")]
    pub detail: Option<String>,
    #[command(flatten)]
    pub step: StepArgs,
}

#[derive(Debug, Args)]
pub struct DecideArgs {
    /// The option chosen: its title or a unique part of it, or (a part of) its step id
    pub option: String,
    /// Why this option and not the others
    #[arg(long, value_name = "TEXT")]
    pub why: Option<String>,
    /// What it is chosen as: a decision replaces only one of the same purpose, so a
    /// mitigation and a permanent fix both stand (without it, as any other without it)
    #[arg(long = "for", value_enum, value_name = "PURPOSE")]
    pub purpose: Option<PurposeArg>,
    #[command(flatten)]
    pub step: StepArgs,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum PurposeArg {
    Mitigation,
    PermanentFix,
}

impl From<PurposeArg> for crate::model::Purpose {
    fn from(p: PurposeArg) -> Self {
        match p {
            PurposeArg::Mitigation => crate::model::Purpose::Mitigation,
            PurposeArg::PermanentFix => crate::model::Purpose::PermanentFix,
        }
    }
}

#[derive(Debug, Args)]
pub struct CauseArgs {
    /// The root cause, in a sentence (`-` reads it from stdin)
    #[arg(required = true, num_args = 1.., value_name = "TEXT")]
    pub text: Vec<String>,
    /// The event that set it off
    #[arg(long, value_name = "TEXT")]
    pub trigger: Option<String>,
    #[command(flatten)]
    pub step: StepArgs,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum LessonKindArg {
    Worked,
    Sucked,
    Lucky,
    Learned,
}

impl LessonKindArg {
    pub fn as_str(self) -> &'static str {
        match self {
            LessonKindArg::Worked => "worked",
            LessonKindArg::Sucked => "sucked",
            LessonKindArg::Lucky => "lucky",
            LessonKindArg::Learned => "learned",
        }
    }

    /// The kind a lesson without `--kind` probably meant when its first word is one
    /// (`incident lesson sucked "no alert"`), or one letter off it with the same first and
    /// last letter (`sukced:`; not `worker`, a word of its own). Not `learned`: that is
    /// what it gets anyway.
    pub fn named_by(text: &[String]) -> Option<LessonKindArg> {
        let first = text.first()?.split_whitespace().next()?;
        let word = first.trim_end_matches(|c: char| c.is_ascii_punctuation()).to_lowercase();
        let ends = |s: &str| (s.chars().next(), s.chars().last());
        [LessonKindArg::Worked, LessonKindArg::Sucked, LessonKindArg::Lucky].into_iter().find(|k| {
            word == k.as_str() || (strsim::osa_distance(&word, k.as_str()) == 1 && ends(&word) == ends(k.as_str()))
        })
    }
}

#[derive(Debug, Args)]
pub struct LessonArgs {
    /// The lesson, in a sentence (`-` reads it from stdin)
    #[arg(required = true, num_args = 1.., value_name = "TEXT")]
    pub text: Vec<String>,
    /// What went well (worked), badly (sucked), by chance (lucky), or what was learned
    /// [default: learned]
    #[arg(long, value_enum)]
    pub kind: Option<LessonKindArg>,
    #[command(flatten)]
    pub step: StepArgs,
}

#[derive(Debug, Args)]
pub struct ActionArgs {
    /// The follow-up to do, in a sentence (`-` reads it from stdin)
    #[arg(required = true, num_args = 1.., value_name = "TEXT")]
    pub text: Vec<String>,
    /// Who will do it
    #[arg(long, value_name = "WHO")]
    pub owner: Option<String>,
    /// Due date, YYYY-MM-DD
    #[arg(long, value_name = "DATE")]
    pub due: Option<String>,
    #[command(flatten)]
    pub step: StepArgs,
}

#[derive(Debug, Args)]
pub struct AttachArgs {
    /// The file to copy into the incident's attachments/. Text is redacted first; in any
    /// other file (a pcap, an image) each secret is masked in place by as many bytes
    pub file: PathBuf,
    /// What it is, shown instead of the file name
    #[arg(long, short)]
    pub title: Option<String>,
    #[command(flatten)]
    pub step: StepArgs,
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum StatusFilter {
    Open,
    Resolved,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Print JSON
    #[arg(long)]
    pub json: bool,
    /// Only open or only resolved incidents
    #[arg(long, value_enum)]
    pub status: Option<StatusFilter>,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// Incident id (default: the current one)
    pub id: Option<String>,
    /// Print JSON: the incident and every step
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct SwitchArgs {
    /// Incident id, or a unique part of it (see `incident list`)
    pub id: String,
}

#[cfg(test)]
mod tests {
    use super::LessonKindArg;

    #[test]
    fn a_lesson_naming_its_kind_in_the_text_is_caught() {
        let named = |s: &str| LessonKindArg::named_by(&s.split(' ').map(String::from).collect::<Vec<_>>());
        assert_eq!(named("sucked no alert"), Some(LessonKindArg::Sucked));
        assert_eq!(named("Worked: the runbook"), Some(LessonKindArg::Worked));
        assert_eq!(named("sukced: no alert"), Some(LessonKindArg::Sucked));
        assert_eq!(named("lcuky the node came back"), Some(LessonKindArg::Lucky));
        assert_eq!(named("learned DHCP moves nodes"), None, "the default anyway");
        assert_eq!(named("worker nodes need static addresses"), None);
        assert_eq!(named("-"), None);
    }
}
