//! Arguments parsed twice: clap's raw structs, then one validated `Config`.
//! Environment variables are read here and nowhere downstream.

use std::path::PathBuf;

use crate::cli::GlobalArgs;
use crate::clock::Clock;
use crate::error::{Error, Result};
use crate::vault::{IncidentRef, Vault};

#[derive(Debug, Clone)]
pub struct Config {
    pub cwd: PathBuf,
    /// `--vault` or `INCIDENT_VAULT`.
    pub vault_dir: Option<PathBuf>,
    /// `--incident` or `INCIDENT_ID`.
    pub incident: Option<String>,
    /// Whether `vault_dir` and `incident` came from the environment (errors say so).
    pub vault_from_env: bool,
    pub incident_from_env: bool,
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

/// Who records: `INCIDENT_AUTHOR`, `USER`, `LOGNAME`, `USERNAME`, then the account name
/// of our uid (`account`, called only when they are all unset or empty), then `unknown`.
fn pick_author(env: &dyn Fn(&str) -> Option<String>, account: impl FnOnce() -> Option<String>) -> String {
    let nonempty = |name: &str| env(name).filter(|s| !s.trim().is_empty());
    ["INCIDENT_AUTHOR", "USER", "LOGNAME", "USERNAME"]
        .into_iter()
        .find_map(nonempty)
        .or_else(|| account().filter(|s| !s.trim().is_empty()))
        .unwrap_or_else(|| "unknown".to_string())
}

/// The name of the account we run as, from the password database (NSS included), as
/// `id -un` prints it; `None` for a uid without an entry (a container's arbitrary uid).
fn account_name() -> Option<String> {
    // SAFETY: getuid has no preconditions and cannot fail.
    let uid = unsafe { libc::getuid() };
    let mut buf = vec![0 as libc::c_char; 1024];
    loop {
        // SAFETY: all-zero is a valid `passwd` (null pointers, zero ids); it is only read
        // after getpwuid_r filled it.
        let mut entry: libc::passwd = unsafe { std::mem::zeroed() };
        let mut found: *mut libc::passwd = std::ptr::null_mut();
        // SAFETY: `entry`, `buf` (of `buf.len()` bytes) and `found` are valid for writes for the
        // whole call; the strings it sets point into `buf`, which outlives their use below.
        let rc = unsafe { libc::getpwuid_r(uid, &mut entry, buf.as_mut_ptr(), buf.len(), &mut found) };
        if rc == libc::ERANGE && buf.len() < 1 << 16 {
            buf.resize(buf.len() * 4, 0);
            continue;
        }
        if rc != 0 || found.is_null() || entry.pw_name.is_null() {
            return None;
        }
        // SAFETY: on success pw_name is a NUL-terminated string inside `buf`.
        let name = unsafe { std::ffi::CStr::from_ptr(entry.pw_name) };
        return name.to_str().ok().map(str::to_string);
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
        let author = pick_author(env, account_name);
        let host = env("INCIDENT_HOST")
            .filter(|s| !s.trim().is_empty())
            .unwrap_or_else(|| gethostname::gethostname().to_string_lossy().into_owned());
        Ok(Config {
            cwd,
            vault_dir: global.vault.clone().filter(|p| !p.as_os_str().is_empty()),
            incident: global.incident.clone().filter(|s| !s.is_empty()),
            vault_from_env: global.vault_from_env,
            incident_from_env: global.incident_from_env,
            clock,
            author,
            host,
            quiet: global.quiet,
            kube: KubeEnv::from_env(env),
        })
    }

    pub fn vault(&self) -> Result<Vault> {
        self.vault_if_any()?.ok_or_else(|| Vault::not_found(&self.cwd))
    }

    /// The vault, or `None` when none was named and no folder upwards holds one (the
    /// pipe filters work anywhere). A vault that is there but unreadable is an error.
    pub fn vault_if_any(&self) -> Result<Option<Vault>> {
        let explicit = self.vault_dir.as_ref().map(|p| self.cwd.join(p));
        let vault = Vault::find(explicit.as_deref(), &self.cwd);
        if self.vault_from_env && explicit.is_some() {
            return vault.map_err(|e| e.set_by("INCIDENT_VAULT", "--vault DIR", false));
        }
        vault
    }

    /// The incident named by a command's own ID argument, else `--incident`/`INCIDENT_ID`,
    /// else the current one.
    pub fn pick_incident(&self, vault: &Vault, own: Option<&str>) -> Result<IncidentRef> {
        let picked = vault.incident(own.or(self.incident.as_deref()));
        if own.is_none() && self.incident_from_env && self.incident.is_some() {
            return picked.map_err(|e| e.set_by("INCIDENT_ID", "--incident ID", true));
        }
        picked
    }

    /// When INCIDENT_ID names the incident every command works on: `start` and `switch`
    /// change the current incident, which it overrides.
    pub fn incident_overridden_by_env(&self) -> Option<&str> {
        self.incident.as_deref().filter(|_| self.incident_from_env)
    }

    /// The vault the current folder is in, when INCIDENT_VAULT names another one.
    pub fn vault_shadowed_by_env(&self, vault: &Vault) -> Option<PathBuf> {
        if !self.vault_from_env {
            return None;
        }
        let here = Vault::locate(None, &self.cwd).ok()?;
        let same = |a: &std::path::Path, b: &std::path::Path| match (a.canonicalize(), b.canonicalize()) {
            (Ok(a), Ok(b)) => a == b,
            _ => a == b,
        };
        (!same(&here.root, &vault.root)).then_some(here.root)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn author(vars: &[(&str, &str)], account: Option<&str>) -> String {
        let env = |name: &str| vars.iter().find(|(k, _)| *k == name).map(|(_, v)| v.to_string());
        pick_author(&env, || account.map(str::to_string))
    }

    #[test]
    fn the_author_falls_back_to_logname_then_the_account() {
        assert_eq!(author(&[("INCIDENT_AUTHOR", "ryan"), ("USER", "root")], Some("x")), "ryan");
        assert_eq!(author(&[("USER", "ryan"), ("LOGNAME", "other")], Some("x")), "ryan");
        assert_eq!(author(&[("USER", ""), ("LOGNAME", "ryan")], Some("x")), "ryan");
        assert_eq!(author(&[("USERNAME", "ryan")], Some("x")), "ryan");
        assert_eq!(author(&[("INCIDENT_AUTHOR", " ")], Some("ryan")), "ryan");
        assert_eq!(author(&[], Some("")), "unknown");
        assert_eq!(author(&[], None), "unknown");
    }

    #[test]
    fn the_account_name_is_that_of_our_uid() {
        let id = std::process::Command::new("id").arg("-un").output().unwrap();
        let want = String::from_utf8(id.stdout).unwrap();
        assert_eq!(account_name().as_deref(), Some(want.trim()).filter(|s| id.status.success() && !s.is_empty()));
    }
}
