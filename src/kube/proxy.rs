//! The proxy kubectl (Go's net/http) would use: the cluster's `proxy-url`, else
//! `HTTPS_PROXY` for an https server or `HTTP_PROXY` for an http one, unless the
//! server is loopback or matched by `NO_PROXY`. kube-rs matches NO_PROXY against the
//! proxy's own address, so the choice is made here.

use std::net::IpAddr;

use crate::config::KubeEnv;
use crate::error::{Error, Result};

/// The proxy to reach `server` through, if any.
pub fn proxy_for(server: &http::Uri, proxy_url: Option<&str>, env: &KubeEnv) -> Result<Option<http::Uri>> {
    let from_env = match server.scheme_str() {
        Some("http") => env.http_proxy.as_deref(),
        _ => env.https_proxy.as_deref(),
    };
    let (text, origin) = match (proxy_url.filter(|p| !p.trim().is_empty()), from_env) {
        (Some(p), _) => (p, "the kubeconfig's proxy-url"),
        (None, Some(p)) if !bypassed(server, env.no_proxy.as_deref()) => (p, "the proxy environment variable"),
        _ => return Ok(None),
    };
    // Go accepts `host:port` in the environment and means http://.
    let full = if text.contains("://") { text.trim().to_string() } else { format!("http://{}", text.trim()) };
    let uri: http::Uri = full.parse().map_err(|e| {
        Error::user_hint(format!("{origin} {text:?} is not a URL: {e}"), "write it like http://proxy.example:3128")
    })?;
    match uri.scheme_str() {
        Some("http" | "https" | "socks5") => Ok(Some(uri)),
        _ => Err(Error::user_hint(
            format!("{origin} {text:?} uses an unsupported scheme"),
            "use an http://, https:// or socks5:// proxy",
        )),
    }
}

/// Go's rule: loopback is never proxied; NO_PROXY lists `*`, IPs, CIDRs and domains
/// (`example.com` with its subdomains, `.example.com` only subdomains), each with an
/// optional `:port`.
fn bypassed(server: &http::Uri, no_proxy: Option<&str>) -> bool {
    let host = server.host().unwrap_or("").trim_start_matches('[').trim_end_matches(']').to_ascii_lowercase();
    let port = server.port_u16().unwrap_or(if server.scheme_str() == Some("http") { 80 } else { 443 });
    let ip: Option<IpAddr> = host.parse().ok();
    if host == "localhost" || ip.is_some_and(|ip| ip.is_loopback()) {
        return true;
    }
    let Some(list) = no_proxy else { return false };
    list.split(',').map(str::trim).filter(|e| !e.is_empty()).any(|entry| {
        if entry == "*" {
            return true;
        }
        if let (Ok(net), Some(ip)) = (entry.parse::<ipnet::IpNet>(), ip) {
            return net.contains(&ip);
        }
        if let (Ok(want), Some(ip)) = (entry.parse::<IpAddr>(), ip) {
            return want == ip;
        }
        let (name, want_port) = match entry.rsplit_once(':') {
            Some((n, p)) if p.parse::<u16>().is_ok() && !n.contains(':') => (n, p.parse::<u16>().ok()),
            _ => (entry, None),
        };
        if want_port.is_some_and(|p| p != port) {
            return false;
        }
        let name = name.trim_start_matches('*').to_ascii_lowercase();
        let name = name.trim_end_matches('.');
        match name.strip_prefix('.') {
            Some(suffix) => host.ends_with(&format!(".{suffix}")),
            None => host == name || host.ends_with(&format!(".{name}")),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(https: Option<&str>, no: Option<&str>) -> KubeEnv {
        KubeEnv {
            https_proxy: https.map(str::to_string),
            http_proxy: Some("http://plain:3128".into()),
            no_proxy: no.map(str::to_string),
            ..KubeEnv::default()
        }
    }

    fn chosen(server: &str, proxy_url: Option<&str>, env: &KubeEnv) -> Option<String> {
        proxy_for(&server.parse().unwrap(), proxy_url, env).unwrap().map(|u| u.to_string())
    }

    #[test]
    fn no_proxy_is_matched_against_the_server_like_go_does() {
        let e = env(Some("http://proxy:3128"), Some("10.0.0.0/8, .corp.example,k8s.example:6443,192.168.1.5"));
        assert_eq!(chosen("https://10.1.2.3:6443", None, &e), None);
        assert_eq!(chosen("https://api.corp.example:6443", None, &e), None);
        assert_eq!(chosen("https://corp.example:6443", None, &e).as_deref(), Some("http://proxy:3128/"));
        assert_eq!(chosen("https://k8s.example:6443", None, &e), None);
        assert_eq!(chosen("https://a.k8s.example:6443", None, &e), None);
        assert_eq!(chosen("https://k8s.example:443", None, &e).as_deref(), Some("http://proxy:3128/"));
        assert_eq!(chosen("https://192.168.1.5", None, &e), None);
        assert_eq!(chosen("https://192.168.1.6", None, &e).as_deref(), Some("http://proxy:3128/"));
        // Loopback is never proxied; an http server takes HTTP_PROXY.
        assert_eq!(chosen("https://127.0.0.1:6443", None, &e), None);
        assert_eq!(chosen("https://localhost:6443", None, &e), None);
        assert_eq!(chosen("http://10.9.9.9:8080", None, &env(None, None)).as_deref(), Some("http://plain:3128/"));
        assert_eq!(chosen("https://k.example", None, &env(Some("proxy:3128"), Some("*"))), None);
        assert_eq!(
            chosen("https://k.example", None, &env(Some("proxy:3128"), None)).as_deref(),
            Some("http://proxy:3128/")
        );
    }

    #[test]
    fn the_kubeconfig_proxy_url_wins_and_bad_ones_are_named() {
        let e = env(Some("http://proxy:3128"), Some("*"));
        assert_eq!(chosen("https://127.0.0.1", Some("socks5://s:1080"), &e).as_deref(), Some("socks5://s:1080/"));
        let err = proxy_for(&"https://k".parse().unwrap(), Some("ftp://p:21"), &e).unwrap_err();
        assert_eq!(err.to_string(), "the kubeconfig's proxy-url \"ftp://p:21\" uses an unsupported scheme");
    }
}
