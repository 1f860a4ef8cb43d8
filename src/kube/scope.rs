//! Whether two snapshots can be compared: the same namespaces (one of all namespaces
//! and one of a single namespace are compared in that namespace), and a word first when
//! they were taken of different servers or contexts, as what changed may be the switch.
//! Pure.

use super::summary::Summary;

/// What a diff must say before its changes; `Err` when there is nothing to compare.
pub fn comparable(a: &mut Summary, b: &mut Summary) -> Result<Vec<String>, String> {
    let mut notes = Vec::new();
    let describe = |s: &Summary| match (&s.context, &s.source) {
        (Some(c), Some(u)) => format!("context {c:?} ({u})"),
        (Some(c), None) => format!("context {c:?}"),
        (None, Some(u)) => u.clone(),
        (None, None) => "an unknown cluster".to_string(),
    };
    // Unknown (a snapshot read from a file) is not a difference.
    let differs = |x: &Option<String>, y: &Option<String>| x.is_some() && y.is_some() && x != y;
    let (new_context, new_source) = (differs(&a.context, &b.context), differs(&a.source, &b.source));
    if let Some(note) = files_compared(a, b, &describe) {
        notes.push(note);
    } else if new_context || new_source {
        let what = match (new_context, new_source) {
            (true, true) => "different contexts and servers",
            (true, false) => "different contexts",
            _ => "different server addresses",
        };
        notes.push(format!(
            "not like for like: the snapshots were taken of {what}, {} then {}; what follows may be that switch, not a change in the cluster",
            describe(a),
            describe(b)
        ));
    }
    match (a.namespace.clone(), b.namespace.clone()) {
        (Some(x), Some(y)) if x != y => {
            return Err(format!("the snapshots list different namespaces ({x:?} then {y:?}): no pod is in both"));
        }
        (None, Some(ns)) => {
            narrow(a, &ns);
            notes.push(format!(
                "the earlier snapshot lists all namespaces, the later only {ns:?}: compared in {ns:?} only"
            ));
        }
        (Some(ns), None) => {
            narrow(b, &ns);
            notes.push(format!(
                "the earlier snapshot lists only {ns:?}, the later all namespaces: compared in {ns:?} only"
            ));
        }
        _ => {}
    }
    Ok(notes)
}

/// The file a snapshot was read from (`snapshot --from FILE` keeps its name, or `stdin`,
/// where a cluster's snapshot keeps the server's URL).
fn file_of(s: &Summary) -> Option<&str> {
    s.source.as_deref().filter(|source| !source.contains("://"))
}

/// Said when a snapshot was read from a file: which files were compared. Two files are
/// no switch of servers; a file against a cluster may be one, of which nothing is known.
fn files_compared(a: &Summary, b: &Summary, describe: &dyn Fn(&Summary) -> String) -> Option<String> {
    Some(match (file_of(a), file_of(b)) {
        (None, None) => return None,
        (Some(x), Some(y)) if x == y => format!("compared two readings of the saved file {x}"),
        (Some(x), Some(y)) => format!("compared the saved files {x} (earlier) and {y} (later)"),
        (Some(x), None) => format!(
            "compared the saved file {x} (earlier) with {} (later); if the file is of another cluster, what follows may be that switch",
            describe(b)
        ),
        (None, Some(y)) => format!(
            "compared {} (earlier) with the saved file {y} (later); if the file is of another cluster, what follows may be that switch",
            describe(a)
        ),
    })
}

/// Keeps what is in `ns` (nodes are cluster-wide and stay); the RESTARTS total follows.
fn narrow(s: &mut Summary, ns: &str) {
    s.pods.retain(|p| p.namespace.as_deref() == Some(ns));
    s.warnings.retain(|w| w.namespace.as_deref() == Some(ns));
    if s.restarts_total.is_some() {
        s.restarts_total = Some(s.pods.iter().map(|p| p.restarts).sum());
    }
    s.namespace = Some(ns.to_string());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kube::diff::diff;
    use crate::kube::tests::seed;

    fn taken(context: &str, source: &str, ns: Option<&str>) -> Summary {
        let mut s = seed();
        s.context = Some(context.into());
        s.source = Some(source.into());
        s.namespace = ns.map(str::to_string);
        s
    }

    #[test]
    fn all_namespaces_against_one_is_compared_in_that_one() {
        let mut a = taken("k3s", "https://10.0.0.1:6443/", None);
        let mut b = taken("k3s", "https://10.0.0.1:6443/", Some("kube-system"));
        b.pods.retain(|p| p.namespace.as_deref() == Some("kube-system"));
        b.warnings.retain(|w| w.namespace.as_deref() == Some("kube-system"));
        b.restarts_total = Some(b.pods.iter().map(|p| p.restarts).sum());
        let notes = comparable(&mut a, &mut b).unwrap();
        assert_eq!(
            notes,
            [
                "the earlier snapshot lists all namespaces, the later only \"kube-system\": compared in \"kube-system\" only"
            ]
        );
        assert_eq!(diff(&a, &b).lines(), ["no changes"]);
    }

    #[test]
    fn two_namespaces_are_not_compared_and_other_clusters_come_first() {
        let mut a = taken("k3s", "https://10.0.0.1:6443/", Some("a"));
        let mut b = taken("k3s", "https://10.0.0.1:6443/", Some("b"));
        assert_eq!(
            comparable(&mut a, &mut b).unwrap_err(),
            "the snapshots list different namespaces (\"a\" then \"b\"): no pod is in both"
        );
        let mut a = taken("one", "http://127.0.0.1:18081/", None);
        let mut b = taken("two", "http://127.0.0.1:18082/", None);
        assert_eq!(
            comparable(&mut a, &mut b).unwrap(),
            [
                "not like for like: the snapshots were taken of different contexts and servers, context \"one\" (http://127.0.0.1:18081/) then context \"two\" (http://127.0.0.1:18082/); what follows may be that switch, not a change in the cluster"
            ]
        );
        let mut a = taken("k3s", "https://10.0.0.1:6443/", None);
        let mut b = taken("k3s", "https://10.0.0.1:6443/", None);
        assert!(comparable(&mut a, &mut b).unwrap().is_empty());
        a.source = None;
        assert!(comparable(&mut a, &mut b).unwrap().is_empty());
    }

    #[test]
    fn a_saved_file_against_a_cluster_is_named_as_a_file() {
        let mut a = seed();
        a.source = Some("before.json".into());
        let mut b = taken("k3s", "https://10.0.0.1:6443/", None);
        assert_eq!(
            comparable(&mut a, &mut b).unwrap(),
            [
                "compared the saved file before.json (earlier) with context \"k3s\" (https://10.0.0.1:6443/) (later); if the file is of another cluster, what follows may be that switch"
            ]
        );
    }
}
