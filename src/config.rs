//! Arguments parsed twice: clap's raw structs, then one validated `Config`.
//! Environment variables are read here and nowhere downstream.

use std::path::PathBuf;

use crate::cli::GlobalArgs;
use crate::clock::Clock;
use crate::error::{Error, Result};
use crate::vault::Vault;

#[derive(Debug, Clone)]
pub struct Config {
    pub cwd: PathBuf,
    /// `--vault` or `INCIDENT_VAULT`.
    pub vault_dir: Option<PathBuf>,
    /// `--incident` or `INCIDENT_ID`.
    pub incident: Option<String>,
    pub clock: Clock,
    pub author: String,
    pub host: String,
    pub quiet: bool,
    /// What the Kubernetes commands take from the environment, as kubectl does.
    pub kube: KubeEnv,
}

/// `KUBECONFIG` (split into its files), `HOME` (for `~/.kube/config`) and the
/// in-cluster service address. Read here so `src/kube/` never touches the environment.
#[derive(Debug, Clone, Default)]
pub struct KubeEnv {
    /// The files in `KUBECONFIG`, empty entries dropped; `None` when unset or empty.
    pub kubeconfig: Option<Vec<PathBuf>>,
    pub home: Option<PathBuf>,
    /// `KUBERNETES_SERVICE_HOST` and `KUBERNETES_SERVICE_PORT` (inside a pod).
    pub service_host: Option<String>,
    pub service_port: Option<String>,
    /// `HTTPS_PROXY`, `HTTP_PROXY`, `NO_PROXY` (upper case first, as Go reads them).
    pub https_proxy: Option<String>,
    pub http_proxy: Option<String>,
    pub no_proxy: Option<String>,
}

impl KubeEnv {
    pub fn from_env(env: &dyn Fn(&str) -> Option<String>) -> KubeEnv {
        let kubeconfig = env("KUBECONFIG")
            .map(|v| std::env::split_paths(&v).filter(|p| !p.as_os_str().is_empty()).collect::<Vec<_>>())
            .filter(|paths| !paths.is_empty());
        let nonempty = |name: &str| env(name).filter(|s| !s.trim().is_empty());
        KubeEnv {
            kubeconfig,
            home: nonempty("HOME").map(PathBuf::from),
            service_host: nonempty("KUBERNETES_SERVICE_HOST"),
            service_port: nonempty("KUBERNETES_SERVICE_PORT"),
            https_proxy: nonempty("HTTPS_PROXY").or_else(|| nonempty("https_proxy")),
            http_proxy: nonempty("HTTP_PROXY").or_else(|| nonempty("http_proxy")),
            no_proxy: nonempty("NO_PROXY").or_else(|| nonempty("no_proxy")),
        }
    }
}

impl Config {
    /// `env` looks a variable up (std::env::var in the binary, a map in tests).
    pub fn resolve(global: &GlobalArgs, env: &dyn Fn(&str) -> Option<String>) -> Result<Config> {
        let cwd = std::env::current_dir().map_err(|e| {
            Error::user_hint(format!("cannot read the current folder: {e}"), "was it deleted? cd to an existing folder")
        })?;
        // Empty is unset, as for the other variables (`INCIDENT_NOW= incident note …`).
        let now = env("INCIDENT_NOW").filter(|v| !v.trim().is_empty());
        let clock = Clock::from_env_value(now.as_deref())
            .map_err(|m| Error::usage(m, "unset INCIDENT_NOW to use the system clock"))?;
        let author = env("INCIDENT_AUTHOR")
            .or_else(|| env("USER"))
            .or_else(|| env("USERNAME"))
            .filter(|s| !s.trim().is_empty())
            .unwrap_or_else(|| "unknown".to_string());
        let host = env("INCIDENT_HOST")
            .filter(|s| !s.trim().is_empty())
            .unwrap_or_else(|| gethostname::gethostname().to_string_lossy().into_owned());
        Ok(Config {
            cwd,
            vault_dir: global.vault.clone().filter(|p| !p.as_os_str().is_empty()),
            incident: global.incident.clone().filter(|s| !s.is_empty()),
            clock,
            author,
            host,
            quiet: global.quiet,
            kube: KubeEnv::from_env(env),
        })
    }

    pub fn vault(&self) -> Result<Vault> {
        let explicit = self.vault_dir.as_ref().map(|p| self.cwd.join(p));
        Vault::locate(explicit.as_deref(), &self.cwd)
    }
}
