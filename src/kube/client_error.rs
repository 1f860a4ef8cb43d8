//! Why a client could not be made, in kubectl's words: an exec credential plugin
//! that is missing or failed (naming the command, its stderr and installHint), a
//! proxy, or the certificates.

use kube::client::AuthError;
use kube::config::ExecConfig;

use crate::error::Error;

const PLUGIN_DOCS: &str =
    "https://kubernetes.io/docs/reference/access-authn-authz/authentication/#client-go-credential-plugins";

pub fn explain(e: &kube::Error, config: &kube::Config) -> Error {
    let url = &config.cluster_url;
    match e {
        kube::Error::Auth(auth) => match config.auth_info.exec.as_ref() {
            Some(exec) if is_exec_error(auth) => exec_error(auth, exec),
            _ => Error::user_hint(
                format!("cannot load the credentials for {url}: {e}"),
                "check the user's credentials in the kubeconfig (kubectl config view --minify)",
            ),
        },
        kube::Error::ProxyProtocolUnsupported { proxy_url } | kube::Error::ProxyProtocolDisabled { proxy_url, .. } => {
            Error::user_hint(
                format!("cannot use the proxy {proxy_url} for {url}: {e}"),
                "use an http://, https:// or socks5:// proxy (proxy-url in the kubeconfig, or HTTPS_PROXY)",
            )
        }
        _ => Error::user_hint(
            format!("cannot set up a client for {url}: {e}"),
            "check the certificates in the kubeconfig (kubectl config view --raw)",
        ),
    }
}

fn is_exec_error(e: &AuthError) -> bool {
    matches!(
        e,
        AuthError::AuthExecStart(_)
            | AuthError::AuthExecRun { .. }
            | AuthError::AuthExecParse(_)
            | AuthError::ExecPluginFailed
            | AuthError::MissingCommand
            | AuthError::ExecMissingClusterInfo
    )
}

fn exec_error(e: &AuthError, exec: &ExecConfig) -> Error {
    let cmd = exec.command.as_deref().unwrap_or("");
    let install = exec.install_hint.as_deref().map(str::trim).filter(|h| !h.is_empty());
    let run_it = match &exec.args {
        Some(args) if !args.is_empty() => format!("{cmd} {}", shell_words::join(args)),
        _ => cmd.to_string(),
    };
    match e {
        AuthError::AuthExecStart(io) if io.kind() == std::io::ErrorKind::NotFound => Error::user_hint(
            format!("getting credentials: exec: executable {cmd} not found"),
            install.map(str::to_string).unwrap_or_else(|| {
                format!(
                    "it looks like you are trying to use a client-go credential plugin that is not installed: install {cmd} or fix users[].user.exec.command in the kubeconfig ({PLUGIN_DOCS})"
                )
            }),
        ),
        AuthError::AuthExecRun { out, .. } => {
            let code = out.status.code().map_or_else(|| "a signal".to_string(), |c| format!("exit code {c}"));
            let stderr = String::from_utf8_lossy(&out.stderr);
            let stderr: Vec<&str> = stderr.lines().map(str::trim_end).filter(|l| !l.trim().is_empty()).collect();
            let said = match stderr.len() {
                0 => String::new(),
                n => format!(": {}", stderr[n.saturating_sub(5)..].join("\n")),
            };
            Error::user_hint(
                format!("getting credentials: exec: executable {cmd} failed with {code}{said}"),
                install.map_or_else(|| format!("run `{run_it}` to see what it needs (a login?)"), str::to_string),
            )
        }
        _ => Error::user_hint(
            format!("getting credentials: exec: executable {cmd}: {e}"),
            format!("run `{run_it}`: it must print an ExecCredential ({PLUGIN_DOCS})"),
        ),
    }
}
