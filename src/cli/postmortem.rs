//! Arguments of the derived documents: postmortem, templates, report.

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq, Default)]
pub enum PostmortemFormat {
    /// Markdown from the template
    #[default]
    Md,
    /// The data the template sees, as JSON
    Json,
}

pub const POSTMORTEM_LONG_HELP: &str = "\
Write the postmortem: metrics with their sources, timeline, options, lessons.

Writes postmortem.md into the incident folder, with `generated: true`, `generated_at`,
`incident`, `template` and `sources` (each step id, and incident.md, mapped to the sha256
of its file) in its frontmatter, and the pictures postmortem-timeline.svg and, with two or
more restart counts covering the same pods (listings of all namespaces, say; a filtered
listing such as `… | grep coredns` is not drawn with them), postmortem-restarts.svg beside it (for --out FILE.md: FILE-timeline.svg,
FILE-restarts.svg). `--check` compares `sources` with
the files now and exits 1 naming the steps changed, added or removed since.

Every duration is shown with its endpoints and the steps they come from, or as
\"unknown\" with the reason. A step dated over a minute after now is left out (up to a
minute ahead, another host's clock, is now), here and for --check. Warnings (milestones out
of order, steps dated in the future, unreadable files) go to stderr and into the
postmortem's last section. While a step file cannot be read, postmortem.md (or --out FILE)
is not written and the exit is 1; --out - shows it without that step.

Links are relative paths (steps/…, outputs/…), so they work in Obsidian and on GitHub;
with --out FILE elsewhere they lead through the incident folder (../incidents/ID/steps/…).
On stdout they are relative to the incident folder.";

pub const POSTMORTEM_AFTER_LONG_HELP: &str = "\
Template data (`--format json` prints it; every time is pre-formatted text):
  generated_at            \"2025-10-05 11:00\"
  incident                id, title, severity, status, services, services_unaffected, tags,
                          authors, started, date, recovered, resolved, summary (incident.md's
                          body)
  metrics.rows[]          the table: key, name, value, known, from, to (\"08:23\"; \"Oct 7
                          09:30\" on another day than the start), source (Markdown links
                          to the endpoint steps), note
                          keys: discovery, time_to_detect, time_to_diagnose, recovery_time,
                          time_to_recover, permanent_fix, total_downtime, restarts_peak,
                          restarts_increase, services_affected, services_unaffected,
                          commands_run, state_changing
  metrics.raw             the same numbers unformatted: intervals[] (key, name, state
                          known|unknown, seconds, from/to {what, at, step}, reason, note),
                          milestones[] {what, at, step}, ignored_milestones[] {step, what,
                          at, counted} (marked again later), discovery, restarts
                          {observations[] {at, total, step, scope}, peak, increase,
                          unknown_reason, disputed}, commands[], commands_run,
                          state_changing, unclassified, warnings
  impact                  start, services_affected, services_unaffected, downtime,
                          restarts_peak, any
  timeline[]              time, day (first entry of a day), kind, headline, milestone (null
                          for a milestone marked again: ignored says so), ignored,
                          backdated, recorded, step, link
  detection               detected, acknowledged (moments), discovered, discovered_from,
                          time_to_detect; null without any step
  diagnosis               diagnosed, causes[] {text, trigger, time, link},
                          evidence[] {time, headline, link, output_link}, any
  options[]               title, pros, cons, detail (--detail, Markdown), chosen (by the
                          latest decision of a purpose), instead, instead_for[] {title,
                          purpose} (what was, per purpose), decided_at and why (the first
                          decision's), decisions[] {time, why, purpose (mitigation,
                          permanent-fix or null), replaced_by, replaced_at (by the next
                          of its purpose), link}, time, link
  resolution              recovery, permanent_fix: {start, end, duration, changes[]}, any
  lessons                 worked, sucked, lucky, learned: [{text, link}]
  actions[]               text, owner, due, link
  commands[], changes[]   time, command, exit, effect, reason, link, output_link
                          (changes: the state-changing ones, the mutation ledger)
  snapshots[]             time, headline, link, output_link
  pictures                timeline, restarts: the file names beside a Markdown file; null
                          when none is written (on stdout, and so always in --format json)
  warnings[]              text
A moment is {time, date_time, text, step, link}.

Examples:
  incident postmortem
  incident postmortem 2025-10-05-k3s --out -
  incident postmortem --format json | jq '.metrics.rows[] | [.name, .value]'
  incident postmortem --check || incident postmortem
  incident postmortem --template short.md.tera   # from the vault's templates/";

#[derive(Debug, Args)]
pub struct PostmortemArgs {
    /// Incident id (default: the current one)
    pub id: Option<String>,
    /// Where to write: a file, or `-` for stdout (default: postmortem.md in the incident
    /// folder; stdout for --format json)
    #[arg(long, short, value_name = "FILE|-")]
    pub out: Option<PathBuf>,
    /// A template name: a built-in or a file in the vault's templates/ folder
    #[arg(long, value_name = "NAME")]
    pub template: Option<String>,
    /// md: the rendered postmortem; json: exactly the data the template sees
    #[arg(long, value_enum, default_value_t = PostmortemFormat::Md)]
    pub format: PostmortemFormat,
    /// The same as --format json, as report, list and show take it
    #[arg(long, conflicts_with = "format")]
    pub json: bool,
    /// Exit 1 when postmortem.md is older than the steps (naming the steps that changed)
    #[arg(long, conflicts_with_all = ["out", "template", "format", "json"])]
    pub check: bool,
    /// Overwrite a postmortem.md that was not generated (has no `generated: true`)
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct TemplatesArgs {
    #[command(subcommand)]
    pub command: TemplatesCommand,
}

#[derive(Debug, Subcommand)]
pub enum TemplatesCommand {
    /// Copy the built-in templates into DIR (default: the vault's templates/) for editing
    #[command(
        after_help = "A file of the same name in the vault's templates/ folder replaces the built-in one.\n\nExamples:\n  incident templates export\n  incident templates export /tmp/templates --force"
    )]
    Export(TemplatesExportArgs),
    /// List the built-in templates and whether the vault overrides them
    List,
}

#[derive(Debug, Args)]
pub struct TemplatesExportArgs {
    /// Where to write them (default: the vault's templates/ folder)
    pub dir: Option<PathBuf>,
    /// Overwrite files that differ from the built-in versions
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Only incidents started on or after this date (YYYY-MM-DD)
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}
