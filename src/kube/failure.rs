//! A cluster that does not answer is evidence too: the failure's kind, the server and
//! a message as clear as kubectl's. Classified from kube's error chain.

use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

/// The error kinds a step records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FailureKind {
    ConnectionRefused,
    Timeout,
    Tls,
    Unauthorized,
    Forbidden,
    NotFound,
    /// The server answered something that is not Kubernetes JSON.
    BadResponse,
    /// A 5xx or 429: the API server is there but failing or overloaded.
    ServerError,
    /// The proxy in the way refused or failed the tunnel.
    Proxy,
    /// DNS, no route, reset: anything else on the way.
    Unreachable,
    /// No request could be sent: the exec plugin failed, or a token or certificate file
    /// named by the kubeconfig could not be read.
    Credentials,
}

impl FailureKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FailureKind::ConnectionRefused => "connection_refused",
            FailureKind::Timeout => "timeout",
            FailureKind::Tls => "tls",
            FailureKind::Unauthorized => "unauthorized",
            FailureKind::Forbidden => "forbidden",
            FailureKind::NotFound => "not_found",
            FailureKind::BadResponse => "bad_response",
            FailureKind::ServerError => "server_error",
            FailureKind::Proxy => "proxy",
            FailureKind::Unreachable => "unreachable",
            FailureKind::Credentials => "credentials",
        }
    }
}

/// One failed request, ready for a step's `error` and for the person.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    pub kind: FailureKind,
    /// `127.0.0.1:6443`.
    pub server: String,
    pub context: Option<String>,
    /// What was asked, e.g. `/api/v1/pods?limit=500`.
    pub path: String,
    /// The first line a person reads.
    pub message: String,
    /// kube's own words, for the record.
    pub detail: String,
    /// The kubectl flags that reach the same cluster (`--kubeconfig F --context C`), for hints.
    pub kubectl: Option<String>,
    /// What to do, when it depends on more than the kind (which plugin, which file).
    pub next: Option<String>,
}

impl Failure {
    /// Names the proxy in a proxy failure's message (never its user and password).
    pub fn via(mut self, proxy: Option<&str>) -> Failure {
        if let (FailureKind::Proxy, Some(proxy)) = (self.kind, proxy) {
            let proxy = without_userinfo(proxy);
            self.message = self.message.replacen("through the proxy:", &format!("through the proxy {proxy}:"), 1);
        }
        self
    }

    /// The kubectl flags a hint's command needs to reach the same cluster.
    pub fn using(mut self, kubectl: &str) -> Failure {
        self.kubectl = Some(kubectl.to_string());
        self
    }

    /// `list pods -n kube-system`, `list nodes`, `list events -A`: what a path asked, for `kubectl auth can-i`.
    fn can_i(&self) -> String {
        let path = self.path.split('?').next().unwrap_or_default();
        let rest = path.strip_prefix("/api/v1/").unwrap_or(path);
        match rest.split('/').collect::<Vec<_>>().as_slice() {
            ["namespaces", ns, res, name, ..] => format!("get {res}/{name} -n {ns}"),
            ["namespaces", ns, res] => format!("list {res} -n {ns}"),
            [res] if matches!(*res, "nodes" | "namespaces" | "persistentvolumes") => format!("list {res}"),
            [res] if !res.is_empty() => format!("list {res} -A"),
            _ => format!("get {path}"),
        }
    }

    pub fn hint(&self) -> String {
        if let Some(next) = &self.next {
            return next.clone();
        }
        let ctx = match &self.kubectl {
            Some(flags) => flags.clone(),
            None => self.context.as_deref().map(|c| format!(" --context {c}")).unwrap_or_default(),
        };
        match self.kind {
            FailureKind::ConnectionRefused => format!(
                "is the API server running (systemctl status k3s)? did the node's address change? `kubectl cluster-info{ctx}` should say the same"
            ),
            FailureKind::Timeout => "the server did not answer in time: check the address and the network, or raise --connect-timeout/--request-timeout".to_string(),
            FailureKind::Tls => tls_hint(&self.detail).to_string(),
            FailureKind::Unauthorized => "the credentials were refused: renew the token or certificate in the kubeconfig".to_string(),
            FailureKind::Forbidden => format!("the user may not do this: `kubectl auth can-i {}{ctx}` tells", self.can_i()),
            FailureKind::NotFound => "the server does not serve this path: is it a Kubernetes API server?".to_string(),
            FailureKind::BadResponse => "the server's answer is not Kubernetes JSON: is the URL a Kubernetes API server (or a proxy in front of it)?".to_string(),
            FailureKind::ServerError => "the API server is failing or overloaded: look at its logs (journalctl -u k3s) and at etcd, and try again in a moment".to_string(),
            FailureKind::Proxy => "check the proxy: the cluster's proxy-url in the kubeconfig, else HTTPS_PROXY/HTTP_PROXY (NO_PROXY names servers reached directly)".to_string(),
            FailureKind::Unreachable => "check the server address in the kubeconfig and the network path to it".to_string(),
            FailureKind::Credentials => "check the user's credentials in the kubeconfig (kubectl config view --minify)".to_string(),
        }
    }
}

/// Classifies a kube error met while asking `server` for `path`.
pub fn classify(err: &kube::Error, server: &str, context: Option<&str>, path: &str) -> Failure {
    // A token refreshed mid-request comes back from the auth layer as a service error.
    let auth = match err {
        kube::Error::Auth(e) => Some(e),
        kube::Error::Service(e) => e.downcast_ref::<kube::client::AuthError>(),
        _ => None,
    };
    // kube's words for a failed exec plugin hold its whole output (a token, maybe) and its
    // environment: never recorded.
    let detail = match auth {
        Some(e) => super::client_error::auth_words(e, None).0,
        None => chain(err),
    };
    let lower = detail.to_ascii_lowercase();
    let on = match context {
        Some(c) => format!(" (context {c:?})"),
        None => String::new(),
    };
    let (kind, message) = match err {
        kube::Error::Api(status) => {
            let code = status.code;
            let what = status.message.trim();
            let kind = match code {
                401 => FailureKind::Unauthorized,
                403 => FailureKind::Forbidden,
                404 => FailureKind::NotFound,
                429 | 500..=599 => FailureKind::ServerError,
                _ => FailureKind::Unreachable,
            };
            let message = match kind {
                FailureKind::Unauthorized => {
                    format!("the server {server}{on} refused the credentials: 401 Unauthorized")
                }
                FailureKind::Forbidden => format!("the server {server}{on} forbids {path}: 403 Forbidden: {what}"),
                FailureKind::NotFound => format!("the server {server}{on} has no {path}: 404 Not Found"),
                _ => format!("the server {server}{on} answered {code} for {path}: {what}"),
            };
            (kind, message)
        }
        // A token that expired and could not be had again (its exec plugin, its file).
        _ if auth.is_some() => {
            (FailureKind::Credentials, format!("no credentials for the server {server}{on}: {detail}"))
        }
        kube::Error::SerdeError(e) => (
            FailureKind::BadResponse,
            format!("the server {server}{on} answered {path} with something that is not Kubernetes JSON: {e}"),
        ),
        // Before "refused": a dead proxy refuses too, and it is the proxy to name.
        _ if lower.contains("tunnel error") || lower.contains("socks error") => (
            FailureKind::Proxy,
            format!("cannot reach the server {server}{on} through the proxy: {}", proxy_words(&detail)),
        ),
        _ if lower.contains("connection refused") => (
            FailureKind::ConnectionRefused,
            format!("The connection to the server {server}{on} was refused - did you specify the right host or port?"),
        ),
        // hyper's connector: nothing answered the connection itself (a down host, a black hole).
        _ if lower.contains("(connect)") && (lower.contains("timed out") || lower.contains("elapsed")) => (
            FailureKind::Timeout,
            format!("cannot connect to the server {server}{on}: no answer within --connect-timeout"),
        ),
        _ if lower.contains("timed out") || lower.contains("timeout") || lower.contains("elapsed") => (
            FailureKind::Timeout,
            format!("the server {server}{on} did not answer {path} in time ({})", last_words(&detail)),
        ),
        _ if ["certificate", "tls", "handshake", "corrupt message", "invalidcontenttype", "peer sent", "alert"]
            .iter()
            .any(|w| lower.contains(w)) =>
        {
            (FailureKind::Tls, format!("TLS with the server {server}{on} failed: {}", tls_words(&detail)))
        }
        _ => (FailureKind::Unreachable, format!("cannot reach the server {server}{on}: {}", last_words(&detail))),
    };
    Failure {
        kind,
        server: server.to_string(),
        context: context.map(str::to_string),
        path: path.to_string(),
        message: without_userinfo(&message),
        detail: without_userinfo(&detail),
        kubectl: None,
        next: None,
    }
}

/// Every `scheme://user:password@host` in `text` as `scheme://host`: a proxy's password
/// in a kubeconfig must not reach the terminal or a step.
pub fn without_userinfo(text: &str) -> String {
    static USERINFO: LazyLock<regex::Regex> = LazyLock::new(|| {
        regex::Regex::new(r"([A-Za-z][A-Za-z0-9+.-]*://)[^/?#@\s]*@").expect("userinfo pattern compiles")
    });
    USERINFO.replace_all(text, "$1").into_owned()
}

/// rustls's words as Go's (kubectl's): `x509: certificate signed by unknown authority`.
fn tls_words(detail: &str) -> String {
    let lower = detail.to_ascii_lowercase();
    if lower.contains("unknownissuer") {
        return "x509: certificate signed by unknown authority".to_string();
    }
    if let Some(at) = detail.find("certificate not valid for name ") {
        // `certificate not valid for name "10.0.0.9"; certificate is only valid for a, b or c`
        let text = &detail[at..];
        let expected = text.split('"').nth(1);
        let presented = text.split("is only valid for ").nth(1).map(|p| p.split(": ").next().unwrap_or(p));
        return match (expected, presented) {
            (Some(want), Some(names)) => {
                format!("x509: certificate is valid for {}, not {want}", names.replace(" or ", ", "))
            }
            _ => format!("x509: {}", last_words(text)),
        };
    }
    if lower.contains("notvalidforname") {
        return "x509: certificate is not valid for the server's name".to_string();
    }
    if ["expired", "notvalidyet", "not valid yet"].iter().any(|w| lower.contains(w)) {
        return "x509: certificate has expired or is not yet valid".to_string();
    }
    if lower.contains("invalidcontenttype") {
        return "http: server gave HTTP response to HTTPS client".to_string();
    }
    if lower.contains("certificaterequired") {
        return "remote error: tls: certificate required".to_string();
    }
    last_words(detail).to_string()
}

/// What to do about a TLS failure; only a name mismatch is about a changed node IP.
fn tls_hint(detail: &str) -> &'static str {
    match tls_words(detail).as_str() {
        w if w.starts_with("x509: certificate is valid for") || w.ends_with("the server's name") => {
            "the certificate does not name this address (a new node IP?): use an address it names, or add the new one (k3s: --tls-san) and restart the server"
        }
        "x509: certificate signed by unknown authority" => {
            "the kubeconfig's certificate-authority did not sign the server's certificate: was the cluster reinstalled? copy certificate-authority-data from the server's kubeconfig (k3s: /etc/rancher/k3s/k3s.yaml)"
        }
        "x509: certificate has expired or is not yet valid" => {
            "check the clock on both sides (date); k3s renews its certificates when restarted within 90 days of expiry"
        }
        "http: server gave HTTP response to HTTPS client" => {
            "the server speaks plain HTTP: is the port right, or should the kubeconfig's server be http://?"
        }
        "remote error: tls: certificate required" => {
            "the server asks for a client certificate: check client-certificate and client-key in the kubeconfig's user"
        }
        _ => {
            "check the kubeconfig's certificate-authority and client certificate, and that the address is the API server's"
        }
    }
}

/// The error and its sources, joined: `a: b: c`.
fn chain(err: &dyn std::error::Error) -> String {
    let mut parts = vec![err.to_string()];
    let mut source = err.source();
    while let Some(e) = source {
        let text = e.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        source = e.source();
    }
    parts.join(": ")
}

/// From the proxy's own error on: `tunnel error: …: Connection refused`.
fn proxy_words(detail: &str) -> &str {
    let lower = detail.to_ascii_lowercase();
    let at = lower.find("tunnel error").or_else(|| lower.find("socks error")).unwrap_or(0);
    &detail[at..]
}

/// The innermost cause, which is usually the one that says what happened.
fn last_words(detail: &str) -> &str {
    detail.rsplit(": ").find(|s| !s.trim().is_empty()).unwrap_or(detail)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_and_password_leave_every_url() {
        assert_eq!(
            without_userinfo("via http://alice:S3cret@127.0.0.1:3128/ and socks5://bob@s:1080: tunnel error"),
            "via http://127.0.0.1:3128/ and socks5://s:1080: tunnel error"
        );
        assert_eq!(without_userinfo("https://k:6443/api?x=a@b"), "https://k:6443/api?x=a@b");
        assert_eq!(without_userinfo("mail alice@example.com"), "mail alice@example.com");
    }

    #[test]
    fn tls_failures_read_as_kubectl_says_them() {
        let name = "client error (Connect): invalid peer certificate: certificate not valid for name \"192.168.1.186\"; certificate is only valid for 127.0.0.1, 192.168.1.79 or localhost";
        assert_eq!(
            tls_words(name),
            "x509: certificate is valid for 127.0.0.1, 192.168.1.79, localhost, not 192.168.1.186"
        );
        assert!(tls_hint(name).starts_with("the certificate does not name this address (a new node IP?)"));
        let issuer = "client error (Connect): invalid peer certificate: UnknownIssuer";
        assert_eq!(tls_words(issuer), "x509: certificate signed by unknown authority");
        assert!(!tls_hint(issuer).contains("node IP"));
        let plain = "client error (Connect): received corrupt message of type InvalidContentType";
        assert_eq!(tls_words(plain), "http: server gave HTTP response to HTTPS client");
        assert!(tls_hint(plain).starts_with("the server speaks plain HTTP"));
        assert_eq!(
            tls_words("x: received fatal alert: CertificateRequired"),
            "remote error: tls: certificate required"
        );
        assert_eq!(
            tls_words(
                "x: invalid peer certificate: certificate expired: verification time 2 (UNIX), but certificate is not valid after 1 (1 seconds ago)"
            ),
            "x509: certificate has expired or is not yet valid"
        );
    }

    #[test]
    fn forbidden_hints_ask_kubectl_for_what_was_asked() {
        let f = |path: &str| Failure {
            kind: FailureKind::Forbidden,
            server: "k:6443".into(),
            context: Some("k3s".into()),
            path: path.into(),
            message: String::new(),
            detail: String::new(),
            kubectl: None,
            next: None,
        };
        let hint = |path: &str| f(path).hint();
        assert_eq!(
            hint("/api/v1/namespaces/kube-system/pods?limit=500"),
            "the user may not do this: `kubectl auth can-i list pods -n kube-system --context k3s` tells"
        );
        assert!(hint("/api/v1/pods?watch=true").contains("`kubectl auth can-i list pods -A --context k3s`"));
        assert!(hint("/api/v1/nodes?limit=500").contains("`kubectl auth can-i list nodes --context k3s`"));
        assert!(
            hint("/api/v1/namespaces/kube-system/services/kube-dns")
                .contains("`kubectl auth can-i get services/kube-dns -n kube-system --context k3s`")
        );
        let given = f("/api/v1/nodes").using(" --kubeconfig '/tmp/my kc' --context k3s").hint();
        assert!(given.contains("`kubectl auth can-i list nodes --kubeconfig '/tmp/my kc' --context k3s`"), "{given}");
    }
}
