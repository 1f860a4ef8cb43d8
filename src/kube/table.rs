//! Tables as kubectl prints them (columns padded, three spaces apart) and the
//! Markdown body of a snapshot step.

use super::summary::{Pod, Summary, pod_is_healthy};
use crate::format::thousands;

/// Rows padded into columns; the last column is not padded.
pub fn columns(rows: &[Vec<String>]) -> String {
    let n = rows.iter().map(Vec::len).max().unwrap_or(0);
    let mut widths = vec![0; n];
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            widths[i] = widths[i].max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in rows {
        let mut line = String::new();
        for (i, cell) in row.iter().enumerate() {
            line.push_str(cell);
            if i + 1 < row.len() {
                line.push_str(&" ".repeat(widths[i] - cell.chars().count() + 3));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// A column that may be missing (`None`) or empty (`Some(None)`): `<none>` either way.
fn none(v: &Option<Option<String>>) -> String {
    v.clone().flatten().unwrap_or_else(|| "<none>".to_string())
}

/// `kubectl get nodes -o wide`.
pub fn nodes_table(s: &Summary) -> String {
    let mut rows =
        vec![["NAME", "STATUS", "ROLES", "AGE", "VERSION", "INTERNAL-IP", "EXTERNAL-IP"].map(String::from).to_vec()];
    for n in &s.nodes {
        let roles = if n.roles.is_empty() { "<none>".to_string() } else { n.roles.join(",") };
        rows.push(vec![
            n.name.clone(),
            n.status.clone(),
            roles,
            n.age.clone(),
            n.version.clone(),
            none(&n.internal_ip),
            none(&n.external_ip),
        ]);
    }
    columns(&rows)
}

pub fn restarts_cell(p: &Pod) -> String {
    match &p.last_restart_ago {
        Some(ago) if p.restarts > 0 => format!("{} ({ago})", p.restarts),
        _ => p.restarts.to_string(),
    }
}

/// `kubectl get pods -A -o wide` for `pods`.
pub fn pods_table<'a>(pods: impl IntoIterator<Item = &'a Pod>) -> String {
    let mut rows =
        vec![["NAMESPACE", "NAME", "READY", "STATUS", "RESTARTS", "AGE", "IP", "NODE"].map(String::from).to_vec()];
    for p in pods {
        rows.push(vec![
            p.namespace.clone().unwrap_or_default(),
            p.name.clone(),
            p.ready.clone(),
            p.status.clone(),
            restarts_cell(p),
            p.age.clone(),
            none(&p.ip),
            none(&p.node),
        ]);
    }
    columns(&rows)
}

/// Pods shown in full up to this many; past it, the unhealthy ones first.
pub const MAX_BODY_PODS: usize = 200;

/// The readable part of a snapshot step: headline, nodes, pods, events, DNS.
pub fn body(s: &Summary, title: &str, output_file: Option<&str>) -> String {
    let mut out = format!("### {title}\n\n{}\n", s.headline());
    let block = |out: &mut String, heading: &str, text: &str| {
        let fence = crate::record::body::fence_for(text);
        out.push_str(&format!("\n#### {heading}\n\n{fence}console\n{text}{fence}\n"));
    };
    if !s.nodes.is_empty() {
        block(&mut out, "Nodes", &nodes_table(s));
    }
    if !s.pods.is_empty() {
        let total = s.pods.len();
        if total <= MAX_BODY_PODS {
            block(&mut out, "Pods", &pods_table(&s.pods));
        } else {
            let mut shown: Vec<&Pod> = s.pods.iter().filter(|p| !pod_is_healthy(p)).take(MAX_BODY_PODS).collect();
            let unhealthy = s.pods.iter().filter(|p| !pod_is_healthy(p)).count();
            if shown.is_empty() {
                shown = s.pods.iter().take(MAX_BODY_PODS).collect();
            }
            let heading = format!("Pods ({} of {}, not healthy first)", shown.len(), thousands(total as u64));
            block(&mut out, &heading, &pods_table(shown.iter().copied()));
            out.push_str(&format!(
                "\n{} pods are not healthy; the rest are Running and Ready or Completed.\n",
                thousands(unhealthy as u64)
            ));
        }
    }
    if !s.events.is_empty() {
        let mut rows = vec![["TYPE", "REASON", "COUNT"].map(String::from).to_vec()];
        for e in &s.events {
            rows.push(vec![e.type_.clone(), e.reason.clone(), thousands(e.count)]);
        }
        block(&mut out, "Events by reason", &columns(&rows));
    }
    if !s.warnings.is_empty() {
        let mut rows =
            vec![["LAST SEEN", "NAMESPACE", "OBJECT", "REASON", "COUNT", "MESSAGE"].map(String::from).to_vec()];
        for w in s.warnings.iter().take(20) {
            rows.push(vec![
                w.last_seen.clone().unwrap_or_default(),
                w.namespace.clone().unwrap_or_default(),
                w.object.clone(),
                w.reason.clone(),
                w.count.to_string(),
                crate::format::first_line(&w.message, 120),
            ]);
        }
        block(&mut out, "Newest Warning events", &columns(&rows));
    }
    if let Some(dns) = &s.dns {
        let ready = if dns.ready.is_empty() { "none".to_string() } else { dns.ready.join(", ") };
        out.push_str(&format!(
            "\n#### DNS\n\n{} (cluster IP {}): ready endpoints {ready}",
            dns.service,
            dns.cluster_ip.as_deref().unwrap_or("none")
        ));
        if !dns.not_ready.is_empty() {
            out.push_str(&format!("; not ready {}", dns.not_ready.join(", ")));
        }
        out.push('\n');
    }
    if !s.skipped.is_empty() {
        out.push_str("\n#### Not read\n\n");
        for line in &s.skipped {
            out.push_str(&format!("- {line}\n"));
        }
    }
    if let Some(file) = output_file {
        out.push_str(&format!("\nThe API objects (secrets removed) are in [{file}](../{file}).\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::columns;

    #[test]
    fn columns_are_three_spaces_apart() {
        let rows = vec![
            vec!["NAME".to_string(), "STATUS".to_string(), "AGE".to_string()],
            vec!["leveling-pc".to_string(), "Ready".to_string(), "3d".to_string()],
        ];
        assert_eq!(columns(&rows), "NAME          STATUS   AGE\nleveling-pc   Ready    3d\n");
    }
}
