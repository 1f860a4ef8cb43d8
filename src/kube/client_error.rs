//! Why a client could not be made, in kubectl's words. Credentials that could not be
//! had (an exec plugin missing, failing or printing nonsense; a token or client
//! certificate file that cannot be read) are a [`Failure`], recorded like a 401; a
//! proxy or certificate authority to fix is an error.

use kube::client::AuthError;
use kube::config::{ExecConfig, KubeconfigError, LoadDataError};

use super::connect::Target;
use super::failure::{Failure, FailureKind};
use crate::error::Error;

const PLUGIN_DOCS: &str =
    "https://kubernetes.io/docs/reference/access-authn-authz/authentication/#client-go-credential-plugins";

/// The failure when `e` means no credentials: named after whose they are and what
/// failed (the plugin, the file), with what to do about it.
pub fn credentials(e: &kube::Error, target: &Target) -> Option<Failure> {
    let in_cluster = target.origin == super::connect::Origin::InCluster;
    let (what, next) = match e {
        kube::Error::Auth(auth) => {
            let (what, next) = auth_words(auth, target.config.auth_info.exec.as_ref());
            let next = match auth {
                AuthError::ReadTokenFile(..) if in_cluster => {
                    "the pod has no service account token (automountServiceAccountToken: false?): mount one, or give --kubeconfig FILE".to_string()
                }
                _ => next,
            };
            (what, next)
        }
        kube::Error::InferKubeconfig(KubeconfigError::LoadClientCertificate(why)) => {
            file_words("client certificate", "client-certificate", why)
        }
        kube::Error::InferKubeconfig(KubeconfigError::LoadClientKey(why)) => {
            file_words("client key", "client-key", why)
        }
        _ => return None,
    };
    Some(Failure {
        kind: FailureKind::Credentials,
        server: target.server.clone(),
        context: target.context.clone(),
        path: String::new(),
        message: format!("{}: {what}", target.whose()),
        detail: what,
        kubectl: Some(target.kubectl.clone()),
        next: Some(next),
    })
}

/// A client certificate or key the kubeconfig names but that cannot be read.
fn file_words(what: &str, key: &str, why: &LoadDataError) -> (String, String) {
    match why {
        LoadDataError::ReadFile(io, path) => (
            format!("cannot read the {what} {}: {}", path.display(), io_words(io)),
            format!(
                "fix users[].user.{key} in the kubeconfig (kubectl config view --minify shows it), or copy the file back"
            ),
        ),
        LoadDataError::DecodeBase64(e) => (
            format!("the {what} ({key}-data) is not base64: {e}"),
            format!("copy {key}-data again from the server's kubeconfig (k3s: /etc/rancher/k3s/k3s.yaml)"),
        ),
        LoadDataError::NoBase64DataOrFile => {
            let other = if key == "client-key" { "client-certificate" } else { "client-key" };
            (
                format!("the user has a {other} but no {key}"),
                format!("give the user both {key} and {other} (or {key}-data and {other}-data)"),
            )
        }
    }
}

/// `No such file or directory`, without Rust's `(os error 2)`.
pub(super) fn io_words(e: &std::io::Error) -> String {
    let text = e.to_string();
    match text.rfind(" (os error ") {
        Some(at) => text[..at].to_string(),
        None => text,
    }
}

/// What went wrong getting credentials, and what to do. Never the plugin's standard
/// output (it may hold a token): kube's own words for a failed run print all of it.
pub fn auth_words(e: &AuthError, exec: Option<&ExecConfig>) -> (String, String) {
    if let Some(exec) = exec
        && is_exec_error(e)
    {
        return exec_words(e, exec);
    }
    match e {
        AuthError::ReadTokenFile(io, path) => (
            format!("cannot read the token file {}: {}", path.display(), io_words(io)),
            "fix users[].user.tokenFile in the kubeconfig (kubectl config view --minify shows it), or put the token there".to_string(),
        ),
        AuthError::AuthExecRun { out, .. } => (
            format!("getting credentials: exec: the plugin failed with {}{}", exit_words(&out.status), said(&out.stderr)),
            "run the user's exec command (kubectl config view --minify shows it) to see what it needs".to_string(),
        ),
        AuthError::AuthExecParse(why) => (
            format!("getting credentials: exec: the plugin printed something that is not an ExecCredential: {}", parse_words(why)),
            format!("run the user's exec command: it must print an ExecCredential ({PLUGIN_DOCS})"),
        ),
        _ => (
            format!("getting credentials: {e}"),
            "check the user's credentials in the kubeconfig (kubectl config view --minify)".to_string(),
        ),
    }
}

/// Proxy and certificate-authority problems: the kubeconfig is to fix, nothing to record.
pub fn explain(e: &kube::Error, config: &kube::Config) -> Error {
    let url = &config.cluster_url;
    match e {
        kube::Error::Auth(_) => Error::user_hint(
            format!("cannot load the credentials for {url}: {e}"),
            "check the user's credentials in the kubeconfig (kubectl config view --minify)",
        ),
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

/// `: ` and the last lines the plugin wrote to stderr (its stdout may be a token).
fn said(stderr: &[u8]) -> String {
    let stderr = String::from_utf8_lossy(stderr);
    let lines: Vec<&str> = stderr.lines().map(str::trim_end).filter(|l| !l.trim().is_empty()).collect();
    // Shown on the terminal before any step is redacted: a plugin may print a refresh
    // token or a password in its complaint.
    let redact = |text: String| {
        crate::redact::Redactor::new(crate::redact::Rules::builtin(), crate::redact::Numbering::default()).redact(&text)
    };
    match lines.len() {
        0 => String::new(),
        n => format!(": {}", redact(lines[n.saturating_sub(5)..].join("\n"))),
    }
}

fn exit_words(status: &std::process::ExitStatus) -> String {
    status.code().map_or_else(|| "a signal".to_string(), |c| format!("exit code {c}"))
}

/// The parser's first line, with quoted text left out: a plugin that prints a bare
/// token would otherwise see it quoted back.
fn parse_words(e: &dyn std::fmt::Display) -> String {
    let text = e.to_string();
    let first = text.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or_default();
    let first = first.strip_prefix("error: ").unwrap_or(first);
    let mut out = String::new();
    let mut quoted = false;
    for c in first.chars() {
        if c == '"' || c == '`' {
            if !quoted {
                out.push_str("\"…\"");
            }
            quoted = !quoted;
        } else if !quoted {
            out.push(c);
        }
    }
    out
}

fn exec_words(e: &AuthError, exec: &ExecConfig) -> (String, String) {
    let cmd = exec.command.as_deref().unwrap_or("");
    let install = exec.install_hint.as_deref().map(str::trim).filter(|h| !h.is_empty());
    let run_it = match &exec.args {
        Some(args) if !args.is_empty() => format!("{cmd} {}", shell_words::join(args)),
        _ => cmd.to_string(),
    };
    match e {
        AuthError::AuthExecStart(io) if io.kind() == std::io::ErrorKind::NotFound => (
            format!("getting credentials: exec: executable {cmd} not found"),
            install.map(str::to_string).unwrap_or_else(|| {
                format!(
                    "it looks like you are trying to use a client-go credential plugin that is not installed: install {cmd} or fix users[].user.exec.command in the kubeconfig ({PLUGIN_DOCS})"
                )
            }),
        ),
        AuthError::AuthExecStart(io) => (
            format!("getting credentials: exec: cannot run executable {cmd}: {}", io_words(io)),
            format!("check that {cmd} is an executable file (chmod +x), or fix users[].user.exec.command in the kubeconfig"),
        ),
        AuthError::AuthExecRun { out, .. } => {
            (
                format!("getting credentials: exec: executable {cmd} failed with {}{}", exit_words(&out.status), said(&out.stderr)),
                install.map_or_else(|| format!("run `{run_it}` to see what it needs (a login?)"), str::to_string),
            )
        }
        AuthError::AuthExecParse(why) => (
            format!(
                "getting credentials: exec: executable {cmd} printed something that is not an ExecCredential: {}",
                parse_words(why)
            ),
            format!("run `{run_it}`: it must print an ExecCredential ({PLUGIN_DOCS})"),
        ),
        _ => (
            format!("getting credentials: exec: executable {cmd}: {e}"),
            format!("run `{run_it}`: it must print an ExecCredential ({PLUGIN_DOCS})"),
        ),
    }
}
