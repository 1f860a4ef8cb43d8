//! The command line, as clap sees it. No logic here: `config` validates, `commands` act.
//! The `Command` enum lives here; each area keeps its argument structs in its own file.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::parser::ValueSource;
use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};

mod kube;
mod postmortem;
mod record;
mod site;
mod tools;

pub use kube::*;
pub use postmortem::*;
pub use record::*;
pub use site::*;
pub use tools::*;

const ABOUT: &str = "Record an outage as you work it; the postmortem falls out of the record.";

const LONG_ABOUT: &str = "\
Record an outage as you work it; the postmortem falls out of the record.

Every command writes one timestamped Markdown file (a step) into a vault: a folder
you can read in any editor or Obsidian and keep in git. Status, durations and totals
are computed from the steps whenever they are read.";

const REDACT_LONG: &str = "\
Replace secrets in text with placeholders (a pipe filter).

The same redaction runs before anything reaches the vault: step text, command lines,
outputs and attachments. Secrets are found by context (key names, headers, prefixes,
manifest kinds), so digests, pod hashes, UUIDs and ${VAR} placeholders stay. The same
secret always gets the same placeholder ([REDACTED:aws-key-1]); counts by rule go to
stderr and into each step's `redactions`.

Rules: private-key, kubeconfig-key, kubeconfig-cert, aws-key, aws-secret,
github-token, gitlab-token, slack-token, slack-webhook, stripe-key, google-api-key,
gcp-token, azure-key, azure-sas, npm-token, pypi-token, docker-token, vault-token,
sendgrid-key, ai-api-key, k3s-token, jwt, k8s-secret-data, k8s-env-value,
kubeconfig-token, basic-auth, bearer, auth-header, cookie, url-password, token-flag,
password-flag, netrc-password, password-assignment, secret-assignment, secret-flag,
k8s-secret-literal, private-key-base64.

With -I ID (or INCIDENT_ID) the placeholders are that incident's, read only: a secret
already found there gets its placeholder from the vault, a secret found in any incident
is hidden wherever it turns up, and a new one is numbered after them without being
recorded (the vault is not changed). Without it the filter numbers from 1.

UTF-16 input (a BOM, or NUL-interleaved text) is decoded and written as UTF-8, here
and in every recorded output; other bytes that are not UTF-8 pass as they are.

Switch rules off or add your own under the one [redact] table of the vault's
incident.toml: `incident init` writes it last, so these lines go at the end of the file
(a second [redact] line is an error; write one above them if the file has none):
  disable = [\"password-assignment\"]
  [[redact.rules]]
  name = \"internal-token\"
  pattern = 'itk_[A-Za-z0-9]{32}'   # capture group 1, if any, is the secret
  keywords = [\"itk_\"]             # optional: only lines holding one are searched

`--no-redact` on a recording command writes text as it is and marks the step.";

/// The short examples; `--help` shows them, and the long help more.
macro_rules! examples {
    () => {
        "\
Examples:
  incident init ~/incidents && cd ~/incidents
  incident start \"K3s pods in CrashLoopBackOff\" --severity sev2 --service k3s
  incident mark detected
  incident run -- kubectl get pods -A
  kubectl logs -n kube-system coredns-7b8c7b8d4-x9k2p | incident capture -c \"kubectl logs coredns\"
  incident note \"CoreDNS reports a loop; checking the node's addresses\"
  incident status"
    };
}

const MORE: &str = concat!(
    examples!(),
    "
  incident postmortem && incident publish

Environment:
  INCIDENT_VAULT   the vault folder (like --vault)
  INCIDENT_ID      the incident to work on (like --incident)
  INCIDENT_NOW     pin the clock to an RFC 3339 time (tests, demos)
  INCIDENT_AUTHOR  who records (default: $USER); INCIDENT_HOST: the host name to record
  KUBECONFIG       kubeconfig files for snapshot, check and watch, as kubectl reads them
  NO_COLOR         no colour; colour is only used on a terminal anyway

Exit codes:
  0 success · 1 a problem to fix (message and hint on stderr) · 2 bad usage · 3 internal
  error. `incident run` exits with the command's own code (127 not found, 128+N signal N)."
);

const EXAMPLES: &str = examples!();

#[derive(Debug, Parser)]
#[command(name = "incident", version, about = ABOUT, long_about = LONG_ABOUT, after_help = EXAMPLES, after_long_help = MORE)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// The vault folder (default: the nearest folder upwards holding incident.toml)
    #[arg(
        long,
        global = true,
        help_heading = "Global options",
        env = "INCIDENT_VAULT",
        hide_env_values = true,
        value_name = "DIR",
        value_parser = any_path // `INCIDENT_VAULT=` (empty) means unset, as for INCIDENT_ID
    )]
    pub vault: Option<PathBuf>,
    /// The incident to work on (default: the current one, see `incident switch`)
    #[arg(
        long = "incident",
        short = 'I',
        global = true,
        help_heading = "Global options",
        env = "INCIDENT_ID",
        hide_env_values = true,
        value_name = "ID"
    )]
    pub incident: Option<String>,
    /// Print less: no status lines on stderr
    #[arg(long, short, global = true, help_heading = "Global options")]
    pub quiet: bool,
    /// When to use colour
    #[arg(long, global = true, help_heading = "Global options", value_enum, default_value_t = ColorWhen::Auto, value_name = "WHEN")]
    pub color: ColorWhen,
    /// `vault` came from INCIDENT_VAULT, not the command line.
    #[arg(skip)]
    pub vault_from_env: bool,
    /// `incident` came from INCIDENT_ID, not the command line.
    #[arg(skip)]
    pub incident_from_env: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum ColorWhen {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a vault: incident.toml, incidents/ and a .gitignore for local state
    #[command(
        after_help = "Examples:\n  incident init                # here\n  incident init ~/incidents    # a new folder"
    )]
    Init(InitArgs),
    /// Open an incident and make it the current one; prints its id
    #[command(
        after_help = "Examples:\n  incident start \"K3s pods in CrashLoopBackOff\" --severity sev2 --service k3s --tag kubernetes\n  incident start \"Checkout 5xx\" --at 08:23     # it began earlier"
    )]
    Start(StartArgs),
    /// Write down what you see or think, now or at an earlier time
    #[command(
        after_help = "Examples:\n  incident note \"Every pod is crash-looping, 6,812 restarts\"\n  incident note --at 08:45 \"Root cause: the node IP changed\"\n  echo \"long text\" | incident note -"
    )]
    Note(NoteArgs),
    /// Run a command, show its output live, and record command, output, exit code and timing
    #[command(after_help = "Exits with the command's exit code (127 when it cannot be found). Should its step \
                      fail to be written (a full disk), `run` says so and exits with the command's code, \
                      or 1 when that was 0.\n\nThe command's output goes through pipes, not a terminal: run an editor or a full-screen \
                      program (vi, top, kubectl edit) outside `run`, then `incident note` what you changed. \
                      A shell line (pipes, `&&`) runs as `incident run -- sh -c '…'`. The output is recorded as \
                      text (control bytes and secrets taken out); its size and SHA-256 in the step are those of \
                      that text, as kept in outputs/.\n\nExamples:\n  incident run -- kubectl get pods -A\n  incident run --title \"CoreDNS logs\" -- kubectl logs -n kube-system deploy/coredns\n  incident run -- sh -c 'journalctl -u k3s | grep -i flannel'")]
    Run(RunArgs),
    /// Record output that was already on screen (reads stdin, copies it to stdout)
    #[command(
        after_help = "Examples:\n  kubectl get pods -A | incident capture -c \"kubectl get pods -A\"\n  incident capture -c \"ip addr show\" --at 08:40 < ip-addr.txt"
    )]
    Capture(CaptureArgs),
    /// Mark a point on the incident's clock (detected, diagnosed, recovered, …)
    #[command(
        after_help = "Milestones, in the order they usually happen:\n  impact-start, detected, acknowledged, diagnosed, mitigation-start, mitigated,\n  recovered, resolved, permanent-fix-start, permanent-fix\n\nExamples:\n  incident mark detected\n  incident mark diagnosed --at 08:45 \"DHCP gave the node a new address\""
    )]
    Mark(MarkArgs),
    /// Mark the incident resolved (a `resolved` milestone)
    #[command(after_help = "Examples:\n  incident resolve \"All pods healthy for 30 minutes\"")]
    Resolve(MarkTextArgs),
    /// Record an option considered, with its pros and cons
    #[command(
        after_help = "Examples:\n  incident option \"Clean restart of k3s\" --pros \"minutes to recover\" --cons \"may recur\""
    )]
    Option(OptionArgs),
    /// Record which option was chosen, and why
    #[command(
        after_help = "OPTION is the option's title or a unique part of it, any case; or its step id or the id's last \
                      part (`incident show` lists them), for two options of the same title. A decision replaces an earlier one \
                      of the same --for only (or, without --for, one without it): the mitigation and the permanent \
                      fix both stand.\n\nExamples:\n  \
                      incident decide \"Clean restart\" --why \"fastest way back\"\n  incident decide \"Clean restart\" --for mitigation\n  \
                      incident decide \"Pin to interface\" --for permanent-fix\n  incident decide h9ew5p"
    )]
    Decide(DecideArgs),
    /// Record the root cause (and what triggered it)
    #[command(
        after_help = "Examples:\n  incident cause \"k3s cached the old node IP\" --trigger \"DHCP lease renewal changed the IP\""
    )]
    Cause(CauseArgs),
    /// Record a lesson: what worked, what sucked, where we got lucky, what we learned
    #[command(after_help = "Examples:\n  incident lesson --kind sucked \"6,812 restarts and no alert\"")]
    Lesson(LessonArgs),
    /// Record a follow-up action item
    #[command(after_help = "Examples:\n  incident action \"Alert on pod restarts > 10\" --owner ryan --due 2025-10-12")]
    Action(ActionArgs),
    /// Attach a file (a screenshot, a config) to the incident
    #[command(after_help = "Examples:\n  incident attach /etc/systemd/system/k3s.service")]
    Attach(AttachArgs),
    /// Show the current incident: elapsed time, milestones, last steps
    #[command(after_help = "Examples:\n  incident status\n  incident status --json | jq .milestones")]
    Status(StatusArgs),
    /// Show an incident's whole timeline
    #[command(
        after_help = "Backdated steps (recorded later with --at) are marked with ↶.\n\nExamples:\n  incident show\n  incident show 2025-10-05-k3s --json"
    )]
    Show(ShowArgs),
    /// List incidents, newest first
    #[command(after_help = "Examples:\n  incident list\n  incident list --status open --json")]
    List(ListArgs),
    /// Make another incident the current one
    #[command(after_help = "Examples:\n  incident switch 2025-10-05-k3s-pods-in-crashloopbackoff")]
    Switch(SwitchArgs),
    /// Record the cluster as it is now: nodes, pods, events, kube-dns (or saved kubectl JSON)
    #[command(
        after_help = "Connects the way kubectl does: --kubeconfig, KUBECONFIG (merged), ~/.kube/config, in-cluster.\nAn unreachable cluster is recorded too (the error is evidence) and exits 1.\n\nExamples:\n  incident snapshot\n  incident snapshot --context k3s -n kube-system\n  kubectl get pods,nodes,events -A -o json > now.json; incident snapshot --from now.json\n  incident snapshot --json | jq .restarts_total"
    )]
    Snapshot(SnapshotArgs),
    /// What changed between two snapshots: node IPs, Ready, pods, restarts, new warnings
    #[command(
        after_help = "Examples:\n  incident diff                       # the last two snapshots\n  incident diff 20251005T132300Z      # that one against the last\n  incident diff --json | jq .restarts_increase"
    )]
    Diff(DiffArgs),
    /// Look for the usual suspects (node IP drift, CoreDNS loop, crash loops, NotReady
    /// nodes, expiring events) and record each finding with its evidence
    #[command(
        after_help = "The host's addresses come from an `ip addr` capture in the incident, or from this\nmachine's interfaces when it is one of the nodes.\n\nExit status: 0 when it could look, whatever it found (findings are evidence, not a\nverdict); 1 when it could not ask the cluster.\n\nExamples:\n  incident check\n  incident check --offline        # the last snapshot, no cluster needed\n  incident check --json | jq '.[].title'"
    )]
    Check(CheckArgs),
    /// Follow pods, nodes and events into the incident: at most one step per interval,
    /// outages recorded, milestones suggested
    #[command(
        after_help = "Examples:\n  incident watch\n  incident watch --interval 1m --auto-mark     # records `recovered` after 5 min all Ready\n  incident watch --for 10m"
    )]
    Watch(WatchArgs),
    /// Write the postmortem: metrics with their sources, timeline, options, lessons
    #[command(long_about = POSTMORTEM_LONG_HELP, after_long_help = POSTMORTEM_AFTER_LONG_HELP,
        after_help = "Examples:\n  incident postmortem\n  incident postmortem --out -\n  incident postmortem --check\n\n--help lists the template's data")]
    Postmortem(PostmortemArgs),
    /// Figures across incidents: counts by severity and service, median and p90 of each duration
    #[command(
        after_help = "Durations are shown as median and 90th percentile (nearest rank) with n, the number of\nincidents where they are known; never as a mean.\n\nExamples:\n  incident report\n  incident report --since 2025-01-01 --json"
    )]
    Report(ReportArgs),
    /// Work with the built-in templates (export them for editing)
    Templates(TemplatesArgs),
    /// Publish the vault as a static site (index, incident pages, tags, services, feed, search)
    #[command(after_help = PUBLISH_HELP)]
    Publish(PublishArgs),
    /// Serve the site on 127.0.0.1 and rebuild it as the vault changes; open tabs reload
    #[command(after_help = SERVE_HELP)]
    Serve(ServeArgs),
    /// Pull facts out of command output: pods, restarts, nodes, addresses, routes, errors
    #[command(
        after_help = "Reads a file or stdin; prints a one-line summary, or every fact with --json.\nThe same extraction runs on every `incident run` and `capture`.\n\nExamples:\n  kubectl get pods -A | incident extract\n  incident extract --json ip-addr.txt | jq '.interfaces[].ipv4'\n  journalctl -u k3s | incident extract --as log --json"
    )]
    Extract(ExtractArgs),
    /// Replace secrets in text with placeholders (a pipe filter)
    #[command(long_about = REDACT_LONG, after_help = "Examples:\n  kubectl config view --raw | incident redact\n  incident redact curl-trace.txt > curl-trace.redacted.txt")]
    Redact(RedactArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell)
    #[command(after_help = COMPLETIONS_HELP)]
    Completions(CompletionsArgs),
}

const PUBLISH_HELP: &str = "\
Only resolved incidents are published unless --include-open is given, and incidents
marked `visibility: internal` only with --include-internal. Links are relative, so the
site works from disk (file://), at / and under any sub-path; --base-url is used only for
the feed and canonical links. A re-publish renders again only the incidents whose files
changed (recorded in .incident/site-cache) and removes pages of deleted incidents.

--check writes nothing and prints one line per problem, exiting 1 if there is any: a
text a redaction rule still finds a secret in (a step written with --no-redact, a hand
edit, a full output), a file that cannot be read, an internal incident that would be
published, an incident without postmortem.md, a broken link.

Examples:
  incident publish                                  # into public/
  incident publish --out /srv/www/incidents --base-url https://ops.example.com/incidents/
  incident publish --check && incident publish";

const SERVE_HELP: &str = "\
Serves a site of every incident, open ones included, from .incident/serve/ (public/ is
not touched). Changes to the vault are picked up within a second; a step that cannot be
read yet is skipped with a warning and shown once it can.

Examples:
  incident serve
  incident serve --port 0 --open";

pub fn parse_from<I, T>(args: I) -> Result<Cli, clap::Error>
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let args: Vec<OsString> = args.into_iter().map(Into::into).collect();
    let mut command = Cli::command();
    // Help and usage errors are printed before `--color` is known otherwise.
    match color_flag(&args) {
        Some(ColorWhen::Never) => command = command.color(clap::ColorChoice::Never),
        Some(ColorWhen::Always) => command = command.color(clap::ColorChoice::Always),
        _ => {}
    }
    let matches = command.try_get_matches_from(args)?;
    let mut cli = Cli::from_arg_matches(&matches)?;
    let from_env = |id: &str| matches!(matches.value_source(id), Some(ValueSource::EnvVariable));
    cli.global.vault_from_env = from_env("vault");
    cli.global.incident_from_env = from_env("incident");
    Ok(cli)
}

/// `--color WHEN` or `--color=WHEN` before any `--`.
fn color_flag(args: &[OsString]) -> Option<ColorWhen> {
    let args: Vec<&str> = args.iter().skip(1).map(|a| a.to_str().unwrap_or("")).take_while(|a| *a != "--").collect();
    args.iter().enumerate().rev().find_map(|(i, a)| {
        let value = match a.strip_prefix("--color") {
            Some("") => args.get(i + 1).copied(),
            Some(rest) => rest.strip_prefix('='),
            None => None,
        }?;
        ColorWhen::from_str(value, true).ok()
    })
}

/// A path, the empty one included (clap's own parser refuses it).
fn any_path(value: &str) -> Result<PathBuf, std::convert::Infallible> {
    Ok(PathBuf::from(value))
}
