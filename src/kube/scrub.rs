//! Credentials out of API objects before they are written: `managedFields` (noise),
//! the last-applied annotation (it can hold a whole Secret), and the values of
//! environment variables whose names say they are secret.

use serde_json::Value;

const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";
// `CREDS`, not `CRED`: `CREDIT_LIMIT` is no secret.
const SECRET_WORDS: [&str; 8] = ["PASSWORD", "PASSWD", "SECRET", "TOKEN", "APIKEY", "API_KEY", "CREDENTIAL", "CREDS"];
/// What a value becomes when nothing numbers it (`--no-redact`, output thrown away).
pub const REDACTED: &str = "[REDACTED]";
const CONTAINER_LISTS: [&str; 3] = ["containers", "initContainers", "ephemeralContainers"];

/// Scrubs one object in place; returns how many values were redacted. `hide(rule, value)`
/// gives a value's replacement: its placeholder, numbered with the step's other secrets, so
/// two secrets are told apart and each is known when it turns up again (a bare marker in
/// the text would be one "secret" for them all).
pub fn scrub(obj: &mut Value, hide: &mut dyn FnMut(&str, &str) -> String) -> u64 {
    let mut n = 0;
    if let Some(meta) = obj.get_mut("metadata").and_then(Value::as_object_mut) {
        meta.remove("managedFields");
        if let Some(ann) = meta.get_mut("annotations").and_then(Value::as_object_mut)
            && ann.remove(LAST_APPLIED).is_some()
        {
            n += 1;
        }
    }
    if obj.get("kind").and_then(Value::as_str) == Some("Secret") {
        for key in ["data", "stringData"] {
            if let Some(map) = obj.get_mut(key).and_then(Value::as_object_mut) {
                for v in map.values_mut() {
                    let hidden = hide("k8s-secret-data", &value_text(v));
                    *v = Value::String(hidden);
                    n += 1;
                }
            }
        }
    }
    n + scrub_pod_specs(obj, hide)
}

/// The env of every container list in `v`, wherever it sits: a Pod's `spec`, a workload's
/// `spec.template.spec`, a CronJob's `spec.jobTemplate.spec.template.spec`, a PodTemplate's
/// `template.spec`, a custom resource's. Found by shape, not by kind: a kind not listed
/// here (an operator's CRD) carries the same env values.
fn scrub_pod_specs(v: &mut Value, hide: &mut dyn FnMut(&str, &str) -> String) -> u64 {
    match v {
        Value::Object(map) => map
            .iter_mut()
            .map(|(key, child)| match child.as_array_mut() {
                Some(containers) if CONTAINER_LISTS.contains(&key.as_str()) => {
                    containers.iter_mut().map(|c| scrub_env(c, hide)).sum()
                }
                _ => scrub_pod_specs(child, hide),
            })
            .sum(),
        Value::Array(items) => items.iter_mut().map(|item| scrub_pod_specs(item, hide)).sum(),
        _ => 0,
    }
}

/// One container's secret-named env values.
fn scrub_env(container: &mut Value, hide: &mut dyn FnMut(&str, &str) -> String) -> u64 {
    let Some(env) = container.get_mut("env").and_then(Value::as_array_mut) else { return 0 };
    let mut n = 0;
    for var in env {
        let secret = var.get("name").and_then(Value::as_str).is_some_and(is_secret_name);
        if let (true, Some(v)) = (secret, var.get_mut("value"))
            && let Some(value) = v.as_str()
        {
            *v = Value::String(hide("k8s-env-value", value));
            n += 1;
        }
    }
    n
}

/// A Secret's data value as text: a string as it is, anything else as JSON.
fn value_text(v: &Value) -> String {
    v.as_str().map_or_else(|| v.to_string(), str::to_string)
}

fn is_secret_name(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    SECRET_WORDS.iter().any(|w| upper.contains(w)) || upper.ends_with("_KEY")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_and_noise_leave() {
        let mut pod = serde_json::json!({
            "kind": "Pod",
            "metadata": {"name": "db", "managedFields": [{"manager": "kubectl"}],
                "annotations": {"kubectl.kubernetes.io/last-applied-configuration": "{\"password\":\"x\"}", "keep": "me"}},
            "spec": {"containers": [{"name": "db", "env": [
                {"name": "POSTGRES_PASSWORD", "value": "hunter2"},
                {"name": "AWS_SECRET_ACCESS_KEY", "value": "abc"},
                {"name": "LOG_LEVEL", "value": "debug"},
                {"name": "DB_TOKEN", "valueFrom": {"secretKeyRef": {"name": "s", "key": "t"}}}
            ]}]}
        });
        let mut hidden = Vec::new();
        let mut hide = |rule: &str, value: &str| {
            hidden.push((rule.to_string(), value.to_string()));
            format!("[REDACTED:{rule}-{}]", hidden.len())
        };
        assert_eq!(scrub(&mut pod, &mut hide), 3);
        let named = |rule: &str, value: &str| (rule.to_string(), value.to_string());
        assert_eq!(hidden, [named("k8s-env-value", "hunter2"), named("k8s-env-value", "abc")]);
        let text = pod.to_string();
        assert!(text.contains(r#""value":"[REDACTED:k8s-env-value-1]""#), "{text}");
        assert!(!text.contains("hunter2") && !text.contains("abc") && !text.contains("managedFields"));
        assert!(text.contains("debug") && text.contains("secretKeyRef") && text.contains("\"keep\":\"me\""));
    }
}
