//! Choosing within a kubeconfig as kubectl does: the context (`--context`, else
//! current-context), its cluster and user (or `--cluster`/`--user`), each checked to
//! exist so that a typo is named with the names there are, before kube-rs runs.

use std::path::PathBuf;

use kube::config::Kubeconfig;

use super::connect::show_files;
use crate::cli::ClusterArgs;
use crate::error::{Error, Result};

/// What the chosen context of a kubeconfig names, checked as kubectl checks it.
pub(super) struct Chosen {
    pub context: Option<String>,
    pub cluster: Option<String>,
    pub user: Option<String>,
    pub namespace: Option<String>,
    pub proxy_url: Option<String>,
}

pub(super) fn choose(kubeconfig: &Kubeconfig, args: &ClusterArgs, files: &[PathBuf]) -> Result<Chosen> {
    // An empty --context is no --context, as for kubectl.
    let given = args.context.clone().filter(|c| !c.is_empty());
    let context = given.clone().or_else(|| kubeconfig.current_context.clone()).filter(|c| !c.is_empty());
    let contexts: Vec<&str> = kubeconfig.contexts.iter().map(|c| c.name.as_str()).collect();
    match (&context, &given) {
        (Some(name), _) if contexts.contains(&name.as_str()) => {}
        (Some(name), Some(_)) => {
            return Err(Error::user_hint(
                format!("no context {name:?} in {}", show_files(files)),
                known_list("contexts", &contexts),
            ));
        }
        // kube-rs would say "failed to load current context: NAME", and kubectl "context was not found".
        (Some(name), None) => {
            return Err(Error::user_hint(
                format!("current-context {name:?} in {} names no context", show_files(files)),
                pick_context(&contexts),
            ));
        }
        (None, _) => {
            return Err(Error::user_hint(
                format!("{} sets no current-context", show_files(files)),
                pick_context(&contexts),
            ));
        }
    }
    let ctx = context
        .as_ref()
        .and_then(|n| kubeconfig.contexts.iter().find(|c| &c.name == n))
        .and_then(|c| c.context.as_ref());
    // kube-rs would go on anonymously, and the 401 that follows hides the typo.
    let user = args.user.clone().or_else(|| ctx.and_then(|c| c.user.clone())).filter(|u| !u.is_empty());
    if let Some(user) = &user
        && !kubeconfig.auth_infos.iter().any(|u| &u.name == user)
    {
        let named_by = match (&args.user, &context) {
            (Some(_), _) => "--user".to_string(),
            (None, Some(c)) => format!("context {c:?}"),
            (None, None) => "the kubeconfig".to_string(),
        };
        let known: Vec<&str> = kubeconfig.auth_infos.iter().map(|u| u.name.as_str()).collect();
        return Err(Error::user_hint(
            format!("no user {user:?} in {} (named by {named_by})", show_files(files)),
            known_list("users", &known),
        ));
    }
    let cluster = args.cluster.as_ref().or(ctx.map(|c| &c.cluster)).filter(|c| !c.is_empty());
    if let Some(name) = cluster
        && !kubeconfig.clusters.iter().any(|c| &c.name == name)
    {
        let named_by = match (&args.cluster, &context) {
            (Some(_), _) => "--cluster".to_string(),
            (None, Some(c)) => format!("context {c:?}"),
            (None, None) => "the kubeconfig".to_string(),
        };
        let known: Vec<&str> = kubeconfig.clusters.iter().map(|c| c.name.as_str()).collect();
        return Err(Error::user_hint(
            format!("no cluster {name:?} in {} (named by {named_by})", show_files(files)),
            known_list("clusters", &known),
        ));
    }
    let cluster_info =
        cluster.and_then(|n| kubeconfig.clusters.iter().find(|c| &c.name == n)).and_then(|c| c.cluster.as_ref());
    // kube-rs would say "failed to load the cluster of context", as if the cluster were missing.
    if let Some(name) = cluster
        && cluster_info.and_then(|c| c.server.as_deref()).is_none_or(|s| s.trim().is_empty())
    {
        return Err(Error::user_hint(
            format!("no server found for cluster {name:?} in {}", show_files(files)),
            "set clusters[].cluster.server to the API server's address (k3s: https://NODE-IP:6443)",
        ));
    }
    // kubectl refuses both (client-go's transport config); kube-rs would quietly skip the check.
    if let Some(info) = cluster_info
        && info.insecure_skip_tls_verify == Some(true)
    {
        let ca_key = match (&info.certificate_authority, &info.certificate_authority_data) {
            (_, Some(_)) => Some("certificate-authority-data"),
            (Some(_), None) => Some("certificate-authority"),
            (None, None) => None,
        };
        if let Some(ca_key) = ca_key {
            let on = match &context {
                Some(c) => format!("context {c:?} in {}", show_files(files)),
                None => show_files(files),
            };
            return Err(Error::user_hint(
                format!(
                    "{on}: cluster {:?} sets both insecure-skip-tls-verify: true and {ca_key}: \
                     specifying a root certificates file with the insecure flag is not allowed",
                    cluster.map(String::as_str).unwrap_or("")
                ),
                format!("remove insecure-skip-tls-verify (the {ca_key} checks the server), or remove {ca_key}"),
            ));
        }
    }
    let proxy_url = cluster_info.and_then(|c| c.proxy_url.clone());
    let namespace = ctx.and_then(|c| c.namespace.clone()).filter(|n| !n.trim().is_empty());
    Ok(Chosen { context, cluster: cluster.cloned(), user, namespace, proxy_url })
}

fn pick_context(contexts: &[&str]) -> String {
    if contexts.is_empty() {
        return "the kubeconfig has no contexts: is it a kubeconfig? (k3s writes /etc/rancher/k3s/k3s.yaml)"
            .to_string();
    }
    format!("{}; pick one with --context NAME, or `kubectl config use-context NAME`", known_list("contexts", contexts))
}

fn known_list(what: &str, names: &[&str]) -> String {
    if names.is_empty() {
        format!("the kubeconfig has no {what}")
    } else {
        format!("known {what}: {}", names.join(", "))
    }
}
