//! Which pods a restart count covers (its scope), and which counts can be drawn as one
//! series: restarts summed over `kubectl get pods -A` and over `… | grep coredns` are
//! sums over different pods, so a chart joining them shows a fall that never happened.

use super::RestartObservation;
use super::pod_keys;
use crate::extract;

/// The scope of a listing of every pod of the cluster.
pub const ALL_NAMESPACES: &str = "all namespaces";

/// Flags of `kubectl get` that take a value as the next word.
const VALUE_FLAGS: &[&str] = &[
    "-n",
    "--namespace",
    "-o",
    "--output",
    "-l",
    "--selector",
    "--field-selector",
    "--context",
    "--kubeconfig",
    "--cluster",
    "--user",
    "-L",
    "--label-columns",
    "--sort-by",
    "-s",
    "--server",
    "--chunk-size",
    "--template",
    "-f",
    "--filename",
];

/// The scope of the pods an output lists: [`ALL_NAMESPACES`], `namespace NS`, `the
/// context's namespace`, or, for a listing that leaves pods out (piped through a filter, a
/// label or field selector, pods named one by one) or a command that is not `kubectl get`,
/// `` filtered: `COMMAND` `` / `` output of `COMMAND` ``: comparable only with itself.
/// A snapshot says which namespace it was limited to (`namespace`), if any.
pub fn of(command: Option<&str>, snapshot_namespace: Option<Option<&str>>) -> String {
    if let Some(namespace) = snapshot_namespace {
        return namespace.map_or_else(|| ALL_NAMESPACES.to_string(), |ns| format!("namespace {ns}"));
    }
    let Some(command) = command.map(|c| c.split_whitespace().collect::<Vec<_>>().join(" ")) else {
        return "no command recorded".to_string();
    };
    // A sum of `restartCount` (`kubectl get pods -A -o json | jq '[…] | add'`) covers what its
    // kubectl lists, unless a stage after it leaves pods out.
    let sum = extract::sums_restart_counts(&command);
    let listing = if sum { extract::sums::stages(&command)[0] } else { command.as_str() };
    let Ok(words) = shell_words::split(listing) else {
        return format!("output of `{command}`");
    };
    let is_client = |w: &String| matches!(w.rsplit('/').next(), Some("kubectl" | "oc" | "kubecolor" | "k"));
    let Some(client) = words.iter().position(is_client) else {
        return format!("output of `{command}`");
    };
    let args = &words[client + 1..];
    let mut positional = Vec::new();
    let mut all = false;
    let mut filtered = if sum { extract::sum_leaves_pods_out(&command) } else { command.contains('|') };
    let mut i = 0;
    while i < args.len() {
        let w = args[i].as_str();
        if matches!(w, ";" | "&&" | "||") {
            break;
        }
        match w {
            "-A" | "--all-namespaces" => all = true,
            "-l" | "--selector" | "--field-selector" => {
                filtered = true;
                i += 1;
            }
            _ if w.starts_with("--selector=") || w.starts_with("--field-selector=") || w.starts_with("-l") => {
                filtered = true
            }
            _ if VALUE_FLAGS.contains(&w) => i += 1,
            _ if w.starts_with('-') => {}
            _ => positional.push(w),
        }
        i += 1;
    }
    // `get pods`, `get pods NAME`, `get pod/NAME`: anything past the resource names pods.
    let resource = positional.iter().position(|w| *w == "get").and_then(|g| positional.get(g + 1..));
    match resource {
        Some([what]) if !what.contains('/') => {}
        Some(_) => filtered = true,
        None => return format!("output of `{command}`"),
    }
    if filtered {
        format!("filtered: `{command}`")
    } else if all {
        ALL_NAMESPACES.to_string()
    } else {
        match pod_keys::namespace_of(&command) {
            Some(ns) => format!("namespace {ns}"),
            None => "the context's namespace".to_string(),
        }
    }
}

/// The scope of a listing that shows it was cut short (a `...` line after its rows, or its
/// reader closed it, as `| head` does): some of the pods `command` lists, comparable only
/// with itself, as a filtered listing is.
pub fn partial(command: Option<&str>) -> String {
    match command.map(|c| c.split_whitespace().collect::<Vec<_>>().join(" ")) {
        Some(command) => format!("partial: `{command}` (its listing was cut short)"),
        None => "partial: a listing cut short".to_string(),
    }
}

/// The observations a chart of restarts over time draws: one scope's, so each point sums
/// over the same pods. Every namespace's when two or more outputs listed them all; else
/// the scope seen most often (the higher counts on a tie). `None` when no scope was
/// listed twice.
pub fn series(observations: &[RestartObservation]) -> Option<(&str, Vec<&RestartObservation>)> {
    let mut scopes: Vec<(&str, Vec<&RestartObservation>)> = Vec::new();
    for o in observations {
        match scopes.iter_mut().find(|(s, _)| *s == o.scope) {
            Some((_, list)) => list.push(o),
            None => scopes.push((&o.scope, vec![o])),
        }
    }
    let all = scopes.iter().position(|(s, list)| *s == ALL_NAMESPACES && list.len() >= 2);
    let best = all.or_else(|| {
        let key = |(_, list): &(&str, Vec<&RestartObservation>)| (list.len(), list.iter().map(|o| o.total).max());
        // The first of the best: `max_by_key` would take the last.
        let top = scopes.iter().map(key).max()?;
        scopes.iter().position(|s| key(s) == top)
    })?;
    let (scope, list) = scopes.swap_remove(best);
    (list.len() >= 2).then_some((scope, list))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_of_commands() {
        assert_eq!(of(Some("kubectl get pods -A"), None), ALL_NAMESPACES);
        assert_eq!(of(Some("kubectl  get pods --all-namespaces -o wide"), None), ALL_NAMESPACES);
        assert_eq!(of(Some("kubectl get pods -n kube-system"), None), "namespace kube-system");
        assert_eq!(of(Some("kubectl get po"), None), "the context's namespace");
        assert_eq!(
            of(Some("kubectl get pods -A | grep coredns"), None),
            "filtered: `kubectl get pods -A | grep coredns`"
        );
        assert_eq!(of(Some("kubectl get pods -A -l app=web"), None), "filtered: `kubectl get pods -A -l app=web`");
        assert_eq!(
            of(Some("kubectl get pods -n db --field-selector=status.phase!=Running"), None),
            "filtered: `kubectl get pods -n db --field-selector=status.phase!=Running`"
        );
        assert_eq!(of(Some("kubectl get pod web-0 -n db"), None), "filtered: `kubectl get pod web-0 -n db`");
        assert_eq!(of(Some("kubectl -n db get pod/web-0"), None), "filtered: `kubectl -n db get pod/web-0`");
        assert_eq!(of(Some("cat pods.txt"), None), "output of `cat pods.txt`");
        let jq = "jq '[.items[].status.containerStatuses[].restartCount] | add'";
        assert_eq!(of(Some(&format!("kubectl get pods -A -o json | {jq}")), None), ALL_NAMESPACES);
        assert_eq!(of(Some(&format!("kubectl get pods -o json -n db | {jq}")), None), "namespace db");
        assert_eq!(
            of(Some(&format!("kubectl get pods -A -l app=web -o json | {jq}")), None),
            format!("filtered: `kubectl get pods -A -l app=web -o json | {jq}`")
        );
        let select = "kubectl get pods -A -o json | jq '[.items[] | select(.status.phase==\"Running\") | .status.containerStatuses[].restartCount] | add'";
        assert_eq!(of(Some(select), None), format!("filtered: `{select}`"));
        assert_eq!(of(Some(&format!("cat pods.json | {jq}")), None), format!("output of `cat pods.json | {jq}`"));
        assert_eq!(of(None, None), "no command recorded");
        assert_eq!(of(None, Some(None)), ALL_NAMESPACES);
        assert_eq!(of(None, Some(Some("db"))), "namespace db");
    }
}
