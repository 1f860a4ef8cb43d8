//! Arguments of the Kubernetes commands: snapshot, diff, check, watch.

use std::path::PathBuf;

use clap::Args;

use super::StepArgs;

/// How to reach the cluster: the flags kubectl takes, with the same meaning.
#[derive(Debug, Args, Clone, Default)]
pub struct ClusterArgs {
    /// The kubeconfig file (default: KUBECONFIG, several files merged, then ~/.kube/config, then in-cluster)
    #[arg(long, value_name = "FILE")]
    pub kubeconfig: Option<PathBuf>,
    /// The kubeconfig context to use (default: its current-context)
    #[arg(long, value_name = "NAME")]
    pub context: Option<String>,
    /// The kubeconfig cluster to use (default: the context's)
    #[arg(long, value_name = "NAME")]
    pub cluster: Option<String>,
    /// The kubeconfig user to use (default: the context's)
    #[arg(long, value_name = "NAME")]
    pub user: Option<String>,
    /// Only this namespace (default: the context's namespace; all namespaces when the context names none)
    #[arg(long, short = 'n', value_name = "NS", conflicts_with = "all_namespaces")]
    pub namespace: Option<String>,
    /// All namespaces, whatever the context's namespace
    #[arg(long, short = 'A')]
    pub all_namespaces: bool,
    /// Give up connecting after this long (1ms to 10m): 5s, 500ms, 1m
    #[arg(long, value_name = "DURATION", default_value = "5s")]
    pub connect_timeout: String,
    /// Give up on one request, answer and body, after this long (watches excepted): 20s, 1m; 0 for never, a bare number is seconds
    #[arg(long, value_name = "DURATION", default_value = "20s")]
    pub request_timeout: String,
}

#[derive(Debug, Args)]
pub struct SnapshotArgs {
    #[command(flatten)]
    pub cluster: ClusterArgs,
    /// Read saved `kubectl get … -o json` output instead of asking the cluster (`-` reads stdin)
    #[arg(long, value_name = "FILE")]
    pub from: Option<PathBuf>,
    /// Objects per page when listing
    #[arg(long, value_name = "N", default_value_t = 500)]
    pub page_size: u32,
    /// Print the summary as JSON
    #[arg(long)]
    pub json: bool,
    /// Do not record a step, only print
    #[arg(long, conflicts_with = "at")]
    pub no_record: bool,
    #[command(flatten)]
    pub step: StepArgs,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The earlier snapshot (a step id or a unique part of it; default: the second-to-last).
    /// Given newest first, the two are still compared earlier to later, with a note
    pub a: Option<String>,
    /// The later snapshot (default: the last)
    pub b: Option<String>,
    /// Print the changes as JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub cluster: ClusterArgs,
    /// Check the last snapshot of the incident instead of asking the cluster
    #[arg(long)]
    pub offline: bool,
    /// Print the findings as JSON
    #[arg(long)]
    pub json: bool,
    /// Do not record the findings, only print them
    #[arg(long)]
    pub no_record: bool,
}

#[derive(Debug, Args)]
pub struct WatchArgs {
    #[command(flatten)]
    pub cluster: ClusterArgs,
    /// At most one step per interval (100ms to 1d): 30s, 1m. Feeds silent this long make it ask /version, so a hung server is an outage
    #[arg(long, value_name = "DURATION", default_value = "30s")]
    pub interval: String,
    /// Record suggested milestones (recovered, …) instead of only suggesting them
    #[arg(long)]
    pub auto_mark: bool,
    /// How long all pods must stay Ready before `recovered` is suggested
    #[arg(long, value_name = "DURATION", default_value = "5m")]
    pub ready_for: String,
    /// Stop after this long (default: until Ctrl-C, SIGHUP or SIGTERM)
    #[arg(long = "for", value_name = "DURATION")]
    pub duration: Option<String>,
}
