//! Reaching the cluster the way kubectl does: `--kubeconfig`, else `KUBECONFIG`
//! (several files merged, missing ones skipped), else `~/.kube/config`, else the
//! in-cluster service account; `--context`/`--cluster`/`--user` pick within it.
//! Client certificates, bearer tokens and exec plugins are kube-rs's work.

use std::path::{Path, PathBuf};
use std::time::Duration;

use kube::config::{AuthInfo, KubeConfigOptions, Kubeconfig, LoadDataError};

use super::choose::{Chosen, choose};
use super::client_error;
use super::deadline::DeadlineLayer;
use super::exec_auth;
use super::failure::Failure;
use super::proxy;
use crate::cli::ClusterArgs;
use crate::config::KubeEnv;
use crate::error::{Error, Result};

const SA_DIR: &str = "/var/run/secrets/kubernetes.io/serviceaccount";

/// Where the kubeconfig came from, for messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    Files(Vec<PathBuf>),
    InCluster,
}

/// The chosen cluster: kube's config plus what messages and steps name.
#[derive(Debug, Clone)]
pub struct Target {
    pub config: kube::Config,
    pub context: Option<String>,
    /// `host:port`, as kubectl names it in "The connection to the server … was refused".
    pub server: String,
    /// The namespace to list; `None` for all namespaces.
    pub namespace: Option<String>,
    pub origin: Origin,
    /// The kubeconfig user the credentials come from, for messages.
    pub user: Option<String>,
    /// One bound per request (not per watch); `None` for none.
    pub request_timeout: Option<Duration>,
    /// The flags kubectl needs to reach this cluster as we did (` --kubeconfig F --context C`), for hints.
    pub kubectl: String,
}

/// Timeouts from the command line (`5s`, `500ms`, `1m`).
pub fn parse_duration(flag: &str, text: &str) -> Result<Duration> {
    let parsed: std::result::Result<k8s_openapi::jiff::SignedDuration, _> = text.trim().parse();
    match parsed {
        Ok(d) if !d.is_negative() => Ok(Duration::from_nanos(d.as_nanos() as u64)),
        _ if let Ok(n) = text.trim().parse::<f64>() => Err(Error::usage(
            format!("{flag} {text:?} has no unit"),
            match n {
                0.0 => "write it with one, like 5s, 500ms, 1m or 1m30s".to_string(),
                _ => format!("write it with one, like {}s, 500ms, 1m or 1m30s", text.trim()),
            },
        )),
        _ => Err(Error::usage(format!("{flag} {text:?} is not a duration"), "write it like 5s, 500ms, 1m or 1m30s")),
    }
}

/// A duration flag that must lie in `least..=most` (`--interval`, `--connect-timeout`).
pub fn parse_duration_in(flag: &str, text: &str, least: Duration, most: Duration) -> Result<Duration> {
    let d = parse_duration(flag, text)?;
    if (least..=most).contains(&d) {
        return Ok(d);
    }
    let show = |d: Duration| crate::format::duration(chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX));
    let bound = |d: Duration| match d.as_millis() {
        ms if ms < 1000 => format!("{ms}ms"),
        _ => show(d),
    };
    Err(Error::usage(
        format!("{flag} {text:?} is out of range"),
        format!("give from {} to {}", bound(least), bound(most)),
    ))
}

/// `--request-timeout` as kubectl reads it: `0` is no timeout, a bare number is seconds.
pub fn parse_request_timeout(text: &str) -> Result<Option<Duration>> {
    let d = match text.trim().parse::<u64>() {
        Ok(secs) => Duration::from_secs(secs),
        Err(_) => parse_duration("--request-timeout", text)?,
    };
    Ok(Some(d).filter(|d| !d.is_zero()))
}

/// The files kubectl would read, in order; only those that exist.
fn kubeconfig_files(env: &KubeEnv, args: &ClusterArgs, cwd: &Path) -> Result<Option<Vec<PathBuf>>> {
    if let Some(file) = &args.kubeconfig {
        let path = cwd.join(file);
        if !path.is_file() {
            let is = if path.is_dir() { "is a directory, not a file" } else { "does not exist" };
            return Err(Error::user_hint(
                format!("the kubeconfig {} {is}", path.display()),
                "give the file kubectl uses (kubectl config view --minify shows what it reads)",
            ));
        }
        return Ok(Some(vec![path]));
    }
    if let Some(list) = &env.kubeconfig {
        let found: Vec<PathBuf> = list.iter().map(|p| cwd.join(p)).filter(|p| p.is_file()).collect();
        if found.is_empty() {
            let names: Vec<String> = list.iter().map(|p| p.display().to_string()).collect();
            return Err(Error::user_hint(
                format!("none of the files in KUBECONFIG exist: {}", names.join(", ")),
                "fix KUBECONFIG, or give --kubeconfig FILE",
            ));
        }
        return Ok(Some(found));
    }
    if let Some(home) = &env.home {
        let path = home.join(".kube").join("config");
        if path.is_file() {
            return Ok(Some(vec![path]));
        }
    }
    Ok(None)
}

/// Reads and merges the kubeconfig files (the first to set a value wins, as kubectl does).
pub fn read_kubeconfig(files: &[PathBuf]) -> Result<Kubeconfig> {
    let mut merged = Kubeconfig::default();
    for file in files {
        let one = Kubeconfig::read_from(file).map_err(|e| {
            Error::user_hint(
                format!("cannot read the kubeconfig {}: {e}", file.display()),
                "check the file with `kubectl config view --kubeconfig FILE`",
            )
        })?;
        merged = merged.merge(one).map_err(|e| {
            Error::user_hint(format!("cannot merge the kubeconfig {}: {e}", file.display()), "fix KUBECONFIG")
        })?;
    }
    Ok(merged)
}

/// Everything needed to build a client; reads files (kubeconfig, certificates), no network.
pub async fn resolve(env: &KubeEnv, args: &ClusterArgs, cwd: &Path) -> Result<Target> {
    // Zero would give up before connecting; past ten minutes a dead address hangs the command.
    let connect_timeout = parse_duration_in(
        "--connect-timeout",
        &args.connect_timeout,
        Duration::from_millis(1),
        Duration::from_secs(600),
    )?;
    let request_timeout = parse_request_timeout(&args.request_timeout)?;
    let (mut config, chosen, origin) = match kubeconfig_files(env, args, cwd)? {
        Some(files) => {
            let kubeconfig = read_kubeconfig(&files)?;
            let chosen = choose(&kubeconfig, args, &files)?;
            let options = KubeConfigOptions {
                context: chosen.context.clone(),
                cluster: args.cluster.clone(),
                user: args.user.clone(),
            };
            let config = kube::Config::from_custom_kubeconfig(kubeconfig, &options).await.map_err(|e| match e {
                kube::config::KubeconfigError::ParseNoProxy(why) => Error::user_hint(
                    format!("cannot read NO_PROXY {:?}: {why}", env.no_proxy.as_deref().unwrap_or_default()),
                    "list host names, IP addresses and CIDRs separated by commas, e.g. NO_PROXY=.cluster.local,10.0.0.0/8",
                ),
                kube::config::KubeconfigError::LoadCertificateAuthority(why) => {
                    unreadable_ca(&why, chosen.cluster.as_deref().unwrap_or_default(), &files)
                }
                e => Error::user_hint(
                    format!("cannot use the kubeconfig {}: {e}", show_files(&files)),
                    "check it with `kubectl config view --minify`",
                ),
            })?;
            (config, chosen, Origin::Files(files))
        }
        None => {
            let (config, namespace) = in_cluster(env)?;
            (config, Chosen { context: None, cluster: None, user: None, namespace, proxy_url: None }, Origin::InCluster)
        }
    };
    config.proxy_url = proxy::proxy_for(&config.cluster_url, chosen.proxy_url.as_deref(), env)?;
    config.connect_timeout = Some(connect_timeout);
    // The deadline layer bounds whole requests; a read timeout would cut watches short.
    config.read_timeout = None;
    config.write_timeout = request_timeout;
    config.reset_reader_on_write = true;
    // A snapshot is evidence of the moment: retrying for minutes would blur it.
    config.default_retry = false;
    let server = server_name(&config.cluster_url);
    // kubectl's order: -n, then -A, then the context's namespace; none named: all of them.
    // An empty -n is no -n, as for kubectl.
    let namespace = match (args.namespace.as_deref().filter(|ns| !ns.is_empty()), args.all_namespaces) {
        (Some(ns), _) => {
            namespace_problems(ns).map_err(|why| {
                Error::usage(
                    format!("invalid namespace {ns:?}: [{why}]"),
                    "give -n a namespace name, e.g. -n kube-system",
                )
            })?;
            Some(ns.to_string())
        }
        (None, true) => None,
        (None, false) => {
            if let Some(ns) = &chosen.namespace {
                namespace_problems(ns).map_err(|why| {
                    Error::user_hint(
                        format!(
                            "invalid namespace {ns:?} in context {:?}: [{why}]",
                            chosen.context.as_deref().unwrap_or("")
                        ),
                        "fix the context's namespace in the kubeconfig, or give -n NS or -A",
                    )
                })?;
            }
            chosen.namespace
        }
    };
    let kubectl = kubectl_flags(args, chosen.context.as_deref());
    Ok(Target {
        config,
        context: chosen.context,
        user: chosen.user,
        server,
        namespace,
        origin,
        request_timeout,
        kubectl,
    })
}

/// A certificate authority the cluster names but that cannot be had, in kubectl's words.
fn unreadable_ca(why: &LoadDataError, cluster: &str, files: &[PathBuf]) -> Error {
    let hint = "fix clusters[].cluster.certificate-authority in the kubeconfig, or give certificate-authority-data (k3s: copy it from /etc/rancher/k3s/k3s.yaml)";
    let what = match why {
        LoadDataError::ReadFile(io, path) => {
            format!("unable to read certificate-authority {}: {}", path.display(), client_error::io_words(io))
        }
        LoadDataError::DecodeBase64(e) => format!("certificate-authority-data is not base64: {e}"),
        LoadDataError::NoBase64DataOrFile => "no certificate-authority".to_string(),
    };
    Error::user_hint(format!("cluster {cluster:?} in {}: {what}", show_files(files)), hint)
}

/// ` --kubeconfig F --context C …`: KUBECONFIG and ~/.kube/config kubectl reads itself.
fn kubectl_flags(args: &ClusterArgs, context: Option<&str>) -> String {
    let mut flags = String::new();
    let mut add = |flag: &str, value: &str| {
        let value = if value.is_empty() || value.contains(|c: char| c.is_whitespace() || "'\"$`\\".contains(c)) {
            format!("'{}'", value.replace('\'', "'\\''"))
        } else {
            value.to_string()
        };
        flags.push_str(&format!(" {flag} {value}"));
    };
    if let Some(file) = &args.kubeconfig {
        add("--kubeconfig", &file.display().to_string());
    }
    if let Some(c) = context {
        add("--context", c);
    }
    if let Some(c) = &args.cluster {
        add("--cluster", c);
    }
    if let Some(u) = &args.user {
        add("--user", u);
    }
    flags
}

/// The service account a pod runs with, as `Config::incluster_env` builds it, from the
/// environment `Config` read for us.
fn in_cluster(env: &KubeEnv) -> Result<(kube::Config, Option<String>)> {
    let (Some(host), Some(port)) = (&env.service_host, &env.service_port) else {
        return Err(Error::user_hint(
            "no kubeconfig: KUBECONFIG is unset, ~/.kube/config does not exist and this is not a pod",
            "give --kubeconfig FILE (on k3s: /etc/rancher/k3s/k3s.yaml)",
        ));
    };
    let host = if host.contains(':') && !host.starts_with('[') { format!("[{host}]") } else { host.clone() };
    let url: http::Uri = format!("https://{host}:{port}")
        .parse()
        .map_err(|e| Error::user(format!("KUBERNETES_SERVICE_HOST/PORT do not make a URL: {e}")))?;
    let mut config = kube::Config::new(url);
    let ns_file = Path::new(SA_DIR).join("namespace");
    let namespace = std::fs::read_to_string(&ns_file).ok().map(|ns| ns.trim().to_string()).filter(|ns| !ns.is_empty());
    if let Some(ns) = &namespace {
        config.default_namespace = ns.clone();
    }
    config.root_cert_file = Some(Path::new(SA_DIR).join("ca.crt"));
    config.auth_info = AuthInfo { token_file: Some(format!("{SA_DIR}/token")), ..AuthInfo::default() };
    Ok((config, namespace))
}

/// kubectl's checks of a namespace going into a URL path (client-go's
/// `IsValidPathSegmentName`), then the server's rule for namespace names (an RFC 1123
/// label): what fails is an error before any request, never a malformed path.
pub fn namespace_problems(ns: &str) -> std::result::Result<(), String> {
    let mut why: Vec<String> = Vec::new();
    if ns == "." || ns == ".." {
        why.push(format!("may not be '{ns}'"));
    } else {
        for bad in ["/", "%"] {
            if ns.contains(bad) {
                why.push(format!("may not contain '{bad}'"));
            }
        }
    }
    if why.is_empty() {
        let label = ns.len() <= 63
            && ns.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !ns.starts_with('-')
            && !ns.ends_with('-');
        if !label {
            why.push(
                "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', \
                 and must start and end with an alphanumeric character (at most 63)"
                    .to_string(),
            );
        }
    }
    if why.is_empty() { Ok(()) } else { Err(why.join(", ")) }
}

pub(super) fn show_files(files: &[PathBuf]) -> String {
    files.iter().map(|f| f.display().to_string()).collect::<Vec<_>>().join(", ")
}

/// `127.0.0.1:6443` from `https://127.0.0.1:6443/`; the scheme's port when none is given.
pub fn server_name(url: &http::Uri) -> String {
    let host = url.host().unwrap_or("?");
    let port = url.port_u16().unwrap_or(if url.scheme_str() == Some("http") { 80 } else { 443 });
    format!("{host}:{port}")
}

impl Target {
    /// The client; `Err` inside when the credentials could not be had (an exec plugin
    /// that fails, a token or certificate file that cannot be read): that is evidence,
    /// recorded like a 401, while the outer error is a kubeconfig to fix.
    /// An `exec` plugin runs once here, not once per use kube-rs makes of the user.
    pub fn client(&self) -> Result<std::result::Result<kube::Client, Box<Failure>>> {
        let mut config = self.config.clone();
        let built = exec_auth::resolve(&mut config.auth_info)
            .map_err(kube::Error::Auth)
            .and_then(|token| Ok((kube::client::ClientBuilder::try_from(config)?, token)));
        let deadline = DeadlineLayer(self.request_timeout);
        match built {
            Ok((builder, Some(token))) => Ok(Ok(builder.with_layer(&token).with_layer(&deadline).build())),
            Ok((builder, None)) => Ok(Ok(builder.with_layer(&deadline).build())),
            Err(e) => match client_error::credentials(&e, self) {
                Some(failure) => Ok(Err(Box::new(failure))),
                None => Err(client_error::explain(&e, &self.config)),
            },
        }
    }

    /// Whose credentials: `user "sso" (context "k3s" in /home/me/.kube/config)`, or the pod's service account.
    pub fn whose(&self) -> String {
        let Origin::Files(files) = &self.origin else {
            return "the pod's service account".to_string();
        };
        let user = self.user.as_deref().map(|u| format!("user {u:?}"));
        let place = match &self.context {
            Some(c) => format!("context {c:?} in {}", show_files(files)),
            None => show_files(files),
        };
        match user {
            Some(user) => format!("{user} ({place})"),
            None => format!("the kubeconfig's credentials ({place})"),
        }
    }

    /// The proxy requests go through, for messages: without its user and password.
    pub fn proxy(&self) -> Option<String> {
        let url = self.config.proxy_url.as_ref()?.to_string();
        Some(super::failure::without_userinfo(url.trim_end_matches('/')))
    }

    /// `context "k3s" (https://127.0.0.1:6443)`.
    pub fn describe(&self) -> String {
        match &self.context {
            Some(c) => format!("context {c:?} ({})", self.config.cluster_url),
            None => format!("{}", self.config.cluster_url),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn in_cluster_uses_the_service_address_and_the_service_account() {
        let env =
            KubeEnv { service_host: Some("10.43.0.1".into()), service_port: Some("443".into()), ..KubeEnv::default() };
        let (config, _) = in_cluster(&env).unwrap();
        assert_eq!(config.cluster_url.to_string(), "https://10.43.0.1:443/");
        assert_eq!(config.auth_info.token_file.as_deref(), Some("/var/run/secrets/kubernetes.io/serviceaccount/token"));
        assert_eq!(
            config.root_cert_file.as_deref(),
            Some(Path::new("/var/run/secrets/kubernetes.io/serviceaccount/ca.crt"))
        );
        let v6 =
            KubeEnv { service_host: Some("fd00::1".into()), service_port: Some("443".into()), ..KubeEnv::default() };
        assert_eq!(in_cluster(&v6).unwrap().0.cluster_url.to_string(), "https://[fd00::1]:443/");
        assert!(in_cluster(&KubeEnv::default()).is_err());
    }

    #[test]
    fn namespaces_are_checked_like_kubectl_then_like_the_server() {
        assert_eq!(namespace_problems("kube-system"), Ok(()));
        assert_eq!(namespace_problems("a1"), Ok(()));
        assert_eq!(namespace_problems("../nodes").unwrap_err(), "may not contain '/'");
        assert_eq!(namespace_problems("..").unwrap_err(), "may not be '..'");
        assert_eq!(namespace_problems("a/%b").unwrap_err(), "may not contain '/', may not contain '%'");
        for bad in ["a b", "Kube", "-a", "a-", &"a".repeat(64)] {
            assert!(namespace_problems(bad).unwrap_err().starts_with("a lowercase RFC 1123 label"), "{bad}");
        }
    }

    #[test]
    fn servers_are_named_host_and_port() {
        assert_eq!(server_name(&"https://127.0.0.1:6443".parse().unwrap()), "127.0.0.1:6443");
        assert_eq!(server_name(&"http://localhost".parse().unwrap()), "localhost:80");
        assert_eq!(server_name(&"https://k8s.example".parse().unwrap()), "k8s.example:443");
    }

    #[test]
    fn durations_from_the_command_line() {
        assert_eq!(parse_duration("--x", "5s").unwrap(), Duration::from_secs(5));
        assert_eq!(parse_duration("--x", "500ms").unwrap(), Duration::from_millis(500));
        assert_eq!(parse_duration("--x", "1m30s").unwrap(), Duration::from_secs(90));
        assert_eq!(parse_duration("--x", "soon").unwrap_err().to_string(), "--x \"soon\" is not a duration");
    }

    #[test]
    fn request_timeouts_read_like_kubectl() {
        assert_eq!(parse_request_timeout("0").unwrap(), None);
        assert_eq!(parse_request_timeout("0s").unwrap(), None);
        assert_eq!(parse_request_timeout("30").unwrap(), Some(Duration::from_secs(30)));
        assert_eq!(parse_request_timeout("1m").unwrap(), Some(Duration::from_secs(60)));
        assert!(parse_request_timeout("-1s").is_err());
    }
}
