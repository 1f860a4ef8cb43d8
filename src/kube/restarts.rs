//! Restart accounting between two snapshots, by pod UID and container: a recreated
//! pod is a new pod whose restarts all happened since, never a counter that went down.

use std::collections::HashMap;

use serde::Serialize;

use super::summary::{Pod, Summary};

/// Restarts of one pod between two snapshots.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PodRestarts {
    pub namespace: Option<String>,
    pub name: String,
    pub uid: Option<String>,
    /// Restarts since the earlier snapshot.
    pub increase: u64,
    /// The pod did not exist in the earlier snapshot (new UID): all its restarts count.
    pub new_pod: bool,
    /// Per container, those that restarted: (container, increase).
    pub containers: Vec<(String, u64)>,
}

/// Restarts since `before`, per pod (pods whose count did not grow left out), most first.
pub fn restart_increase(before: &Summary, after: &Summary) -> Vec<PodRestarts> {
    let by_uid: HashMap<&str, &Pod> = before.pods.iter().filter_map(|p| p.uid.as_deref().map(|u| (u, p))).collect();
    let by_name: HashMap<(Option<&str>, &str), &Pod> = before
        .pods
        .iter()
        .filter(|p| p.uid.is_none())
        .map(|p| ((p.namespace.as_deref(), p.name.as_str()), p))
        .collect();
    let mut out = Vec::new();
    for pod in &after.pods {
        let earlier = match pod.uid.as_deref() {
            Some(uid) => by_uid.get(uid).copied(),
            // Without UIDs (a pasted table) the name is all there is.
            None => by_name.get(&(pod.namespace.as_deref(), pod.name.as_str())).copied(),
        };
        let restarts = pod_increase(earlier, pod);
        if restarts.increase > 0 {
            out.push(restarts);
        }
    }
    out.sort_by(|a, b| b.increase.cmp(&a.increase).then_with(|| (&a.namespace, &a.name).cmp(&(&b.namespace, &b.name))));
    out
}

/// The increase for one pod; `before` is the same pod (same UID) earlier, if it existed.
pub fn pod_increase(before: Option<&Pod>, after: &Pod) -> PodRestarts {
    let mut containers = Vec::new();
    let increase = match before {
        None => {
            containers =
                after.containers.iter().filter(|c| c.restarts > 0).map(|c| (c.name.clone(), c.restarts)).collect();
            after.restarts
        }
        Some(before) if after.containers.is_empty() || before.containers.is_empty() && before.restarts > 0 => {
            // No per-container data on one side: the pod's count, reset-aware.
            counter_increase(before.restarts, after.restarts)
        }
        Some(before) => {
            let mut total = 0;
            for c in &after.containers {
                let was =
                    before.containers.iter().find(|b| b.name == c.name && b.init == c.init).map_or(0, |b| b.restarts);
                let inc = counter_increase(was, c.restarts);
                if inc > 0 {
                    containers.push((c.name.clone(), inc));
                }
                total += inc;
            }
            total
        }
    };
    PodRestarts {
        namespace: after.namespace.clone(),
        name: after.name.clone(),
        uid: after.uid.clone(),
        increase,
        new_pod: before.is_none(),
        containers,
    }
}

/// A restart count went from `was` to `now`. Lower means the kubelet lost the count
/// (its state was wiped): everything counted since is new.
pub fn counter_increase(was: u64, now: u64) -> u64 {
    if now >= was { now - was } else { now }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kube::summary::Container;

    fn pod(name: &str, uid: &str, containers: &[(&str, u64)]) -> Pod {
        Pod {
            namespace: Some("ns".into()),
            name: name.into(),
            uid: Some(uid.into()),
            restarts: containers.iter().map(|c| c.1).sum(),
            containers: containers
                .iter()
                .map(|(n, r)| Container { name: n.to_string(), restarts: *r, ..Container::default() })
                .collect(),
            ..Pod::default()
        }
    }

    fn summary(pods: Vec<Pod>) -> Summary {
        Summary { pods, ..Summary::default() }
    }

    #[test]
    fn increases_are_counted_per_container() {
        let a = summary(vec![pod("web", "u1", &[("app", 5), ("sidecar", 2)])]);
        let b = summary(vec![pod("web", "u1", &[("app", 9), ("sidecar", 2)])]);
        let inc = restart_increase(&a, &b);
        assert_eq!(inc.len(), 1);
        assert_eq!(inc[0].increase, 4);
        assert_eq!(inc[0].containers, [("app".to_string(), 4)]);
        assert!(!inc[0].new_pod);
    }

    #[test]
    fn a_recreated_pod_is_new_not_a_counter_that_went_down() {
        let a = summary(vec![pod("coredns-x", "old", &[("coredns", 892)])]);
        let b = summary(vec![pod("coredns-x", "new", &[("coredns", 3)])]);
        let inc = restart_increase(&a, &b);
        assert_eq!(inc[0].increase, 3);
        assert!(inc[0].new_pod);
        // A restarted pod with no restarts adds nothing.
        let c = summary(vec![pod("coredns-x", "new2", &[])]);
        assert!(restart_increase(&a, &c).is_empty());
    }

    #[test]
    fn a_container_seen_first_with_restarts_counts_them_all() {
        // The earlier snapshot listed no containers for a pod that had not restarted.
        let a = summary(vec![pod("web", "u1", &[])]);
        let b = summary(vec![pod("web", "u1", &[("app", 2)])]);
        assert_eq!(restart_increase(&a, &b)[0].increase, 2);
    }

    #[test]
    fn a_lost_counter_counts_from_zero() {
        assert_eq!(counter_increase(10, 3), 3);
        assert_eq!(counter_increase(3, 10), 7);
        assert_eq!(counter_increase(4, 4), 0);
    }

    #[test]
    fn pods_without_uids_match_by_name() {
        let mut a = pod("web", "", &[]);
        a.uid = None;
        a.restarts = 5;
        let mut b = a.clone();
        b.restarts = 8;
        let inc = restart_increase(&summary(vec![a]), &summary(vec![b]));
        assert_eq!(inc[0].increase, 3);
    }
}
