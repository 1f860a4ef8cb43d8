//! `namespace/name` keys for the pods of restart observations, so one pod listed with and
//! without a NAMESPACE column is followed as one.

use std::collections::{HashMap, HashSet};

use super::RestartObservation;

/// The namespace a `kubectl ... -n NS` (or `--namespace NS`, `--namespace=NS`) listed;
/// only the words before the first pipe or command separator count, and only those after
/// `kubectl` when it is there (`watch -n 2 kubectl get pods` is no namespace `2`).
pub fn namespace_of(command: &str) -> Option<String> {
    let words = shell_words::split(command).ok()?;
    let words: Vec<&String> = words.iter().take_while(|w| !matches!(w.as_str(), "|" | ";" | "&&" | "||")).collect();
    let is_client = |w: &&String| matches!(w.rsplit('/').next(), Some("kubectl" | "oc" | "kubecolor"));
    let from = words.iter().position(is_client).map_or(0, |i| i + 1);
    let mut words = words[from..].iter().copied();
    while let Some(w) = words.next() {
        if w == "-n" || w == "--namespace" {
            return words.next().cloned();
        }
        if let Some(ns) = w.strip_prefix("--namespace=").or_else(|| w.strip_prefix("-n")) {
            return Some(ns.to_string()).filter(|ns| !ns.is_empty());
        }
    }
    None
}

/// The key of one pod row: its own namespace, else the command's.
pub fn key(namespace: Option<&str>, name: &str, command_namespace: Option<&str>) -> String {
    let name = name.strip_prefix("pod/").unwrap_or(name);
    match namespace.or(command_namespace) {
        Some(ns) => format!("{ns}/{name}"),
        None => name.to_string(),
    }
}

/// A bare name becomes the one `namespace/name` seen with that name, when there is one.
pub fn qualify_bare_names(observations: &mut [RestartObservation]) {
    let mut namespaces: HashMap<String, HashSet<String>> = HashMap::new();
    for pod in observations.iter().flat_map(|o| &o.pods) {
        if let Some((ns, name)) = pod.key.split_once('/') {
            namespaces.entry(name.to_string()).or_default().insert(ns.to_string());
        }
    }
    for key in observations.iter_mut().flat_map(|o| &mut o.pods).map(|p| &mut p.key) {
        if key.contains('/') {
            continue;
        }
        if let Some(found) = namespaces.get(key.as_str())
            && found.len() == 1
            && let Some(ns) = found.iter().next()
        {
            *key = format!("{ns}/{key}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::namespace_of;

    #[test]
    fn namespace_from_the_kubectl_words_only() {
        assert_eq!(namespace_of("kubectl get pods -n kube-system").as_deref(), Some("kube-system"));
        assert_eq!(namespace_of("kubectl -nkube-system get pods").as_deref(), Some("kube-system"));
        assert_eq!(namespace_of("kubectl get pods --namespace=a | grep x").as_deref(), Some("a"));
        assert_eq!(namespace_of("kubectl get pods | grep -n x"), None);
        assert_eq!(namespace_of("kubectl get pods -A"), None);
        assert_eq!(namespace_of("watch -n 2 kubectl get pods -n prod").as_deref(), Some("prod"));
        assert_eq!(namespace_of("watch -n 2 /usr/local/bin/kubectl get pods"), None);
        assert_eq!(namespace_of("k get pods -n prod").as_deref(), Some("prod"));
    }
}
