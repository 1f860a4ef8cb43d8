//! Reaching the cluster the way kubectl does: `--kubeconfig`, else `KUBECONFIG`
//! (several files merged, missing ones skipped), else `~/.kube/config`, else the
//! in-cluster service account; `--context`/`--cluster`/`--user` pick within it.
//! Client certificates, bearer tokens and exec plugins are kube-rs's work.

use std::path::{Path, PathBuf};
use std::time::Duration;

use kube::config::{AuthInfo, KubeConfigOptions, Kubeconfig};

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
}

/// Timeouts from the command line (`5s`, `500ms`, `1m`).
pub fn parse_duration(flag: &str, text: &str) -> Result<Duration> {
    let parsed: std::result::Result<k8s_openapi::jiff::SignedDuration, _> = text.trim().parse();
    match parsed {
        Ok(d) if !d.is_negative() => Ok(Duration::from_nanos(d.as_nanos() as u64)),
        _ => Err(Error::usage(format!("{flag} {text:?} is not a duration"), "write it like 5s, 500ms, 1m or 1m30s")),
    }
}

/// The files kubectl would read, in order; only those that exist.
fn kubeconfig_files(env: &KubeEnv, args: &ClusterArgs, cwd: &Path) -> Result<Option<Vec<PathBuf>>> {
    if let Some(file) = &args.kubeconfig {
        let path = cwd.join(file);
        if !path.is_file() {
            return Err(Error::user_hint(
                format!("the kubeconfig {} does not exist", path.display()),
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
    let connect_timeout = parse_duration("--connect-timeout", &args.connect_timeout)?;
    let request_timeout = parse_duration("--request-timeout", &args.request_timeout)?;
    let (mut config, context, origin) = match kubeconfig_files(env, args, cwd)? {
        Some(files) => {
            let kubeconfig = read_kubeconfig(&files)?;
            let context = args.context.clone().or_else(|| kubeconfig.current_context.clone());
            if let Some(name) = &args.context
                && !kubeconfig.contexts.iter().any(|c| &c.name == name)
            {
                let known: Vec<&str> = kubeconfig.contexts.iter().map(|c| c.name.as_str()).collect();
                return Err(Error::user_hint(
                    format!("no context {name:?} in {}", show_files(&files)),
                    if known.is_empty() {
                        "the kubeconfig has no contexts".to_string()
                    } else {
                        format!("known contexts: {}", known.join(", "))
                    },
                ));
            }
            let options = KubeConfigOptions {
                context: args.context.clone(),
                cluster: args.cluster.clone(),
                user: args.user.clone(),
            };
            let config = kube::Config::from_custom_kubeconfig(kubeconfig, &options).await.map_err(|e| {
                Error::user_hint(
                    format!("cannot use the kubeconfig {}: {e}", show_files(&files)),
                    "pick a context that exists with --context NAME (kubectl config get-contexts lists them)",
                )
            })?;
            (config, context, Origin::Files(files))
        }
        None => (in_cluster(env)?, None, Origin::InCluster),
    };
    config.connect_timeout = Some(connect_timeout);
    config.read_timeout = Some(request_timeout);
    config.write_timeout = Some(request_timeout);
    config.reset_reader_on_write = true;
    // A snapshot is evidence of the moment: retrying for minutes would blur it.
    config.default_retry = false;
    let server = server_name(&config.cluster_url);
    let namespace = if args.all_namespaces { None } else { args.namespace.clone() };
    Ok(Target { config, context, server, namespace, origin })
}

/// The service account a pod runs with, as `Config::incluster_env` builds it, from the
/// environment `Config` read for us.
fn in_cluster(env: &KubeEnv) -> Result<kube::Config> {
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
    if let Ok(ns) = std::fs::read_to_string(&ns_file) {
        config.default_namespace = ns.trim().to_string();
    }
    config.root_cert_file = Some(Path::new(SA_DIR).join("ca.crt"));
    config.auth_info = AuthInfo { token_file: Some(format!("{SA_DIR}/token")), ..AuthInfo::default() };
    Ok(config)
}

fn show_files(files: &[PathBuf]) -> String {
    files.iter().map(|f| f.display().to_string()).collect::<Vec<_>>().join(", ")
}

/// `127.0.0.1:6443` from `https://127.0.0.1:6443/`; the scheme's port when none is given.
pub fn server_name(url: &http::Uri) -> String {
    let host = url.host().unwrap_or("?");
    let port = url.port_u16().unwrap_or(if url.scheme_str() == Some("http") { 80 } else { 443 });
    format!("{host}:{port}")
}

impl Target {
    pub fn client(&self) -> Result<kube::Client> {
        kube::Client::try_from(self.config.clone()).map_err(|e| {
            Error::user_hint(
                format!("cannot set up a client for {}: {e}", self.config.cluster_url),
                "check the certificates in the kubeconfig (kubectl config view --raw)",
            )
        })
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
        let config = in_cluster(&env).unwrap();
        assert_eq!(config.cluster_url.to_string(), "https://10.43.0.1:443/");
        assert_eq!(config.auth_info.token_file.as_deref(), Some("/var/run/secrets/kubernetes.io/serviceaccount/token"));
        assert_eq!(
            config.root_cert_file.as_deref(),
            Some(Path::new("/var/run/secrets/kubernetes.io/serviceaccount/ca.crt"))
        );
        let v6 =
            KubeEnv { service_host: Some("fd00::1".into()), service_port: Some("443".into()), ..KubeEnv::default() };
        assert_eq!(in_cluster(&v6).unwrap().cluster_url.to_string(), "https://[fd00::1]:443/");
        assert!(in_cluster(&KubeEnv::default()).is_err());
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
}
