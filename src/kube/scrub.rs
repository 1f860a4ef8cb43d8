//! Credentials out of API objects before they are written: `managedFields` (noise),
//! the last-applied annotation (it can hold a whole Secret), and the values of
//! environment variables whose names say they are secret.

use serde_json::Value;

const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";
// `CREDS`, not `CRED`: `CREDIT_LIMIT` is no secret.
const SECRET_WORDS: [&str; 8] = ["PASSWORD", "PASSWD", "SECRET", "TOKEN", "APIKEY", "API_KEY", "CREDENTIAL", "CREDS"];
pub const REDACTED: &str = "[REDACTED]";

/// Scrubs one object in place; returns how many values were redacted.
pub fn scrub(obj: &mut Value) -> u64 {
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
                    *v = Value::String(REDACTED.to_string());
                    n += 1;
                }
            }
        }
    }
    if let Some(spec) = obj.get_mut("spec") {
        for list in ["containers", "initContainers", "ephemeralContainers"] {
            let Some(containers) = spec.get_mut(list).and_then(Value::as_array_mut) else { continue };
            for c in containers {
                let Some(env) = c.get_mut("env").and_then(Value::as_array_mut) else { continue };
                for var in env {
                    let secret = var.get("name").and_then(Value::as_str).is_some_and(is_secret_name);
                    if let (true, Some(v)) = (secret, var.get_mut("value"))
                        && v.is_string()
                    {
                        *v = Value::String(REDACTED.to_string());
                        n += 1;
                    }
                }
            }
        }
    }
    n
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
        assert_eq!(scrub(&mut pod), 3);
        let text = pod.to_string();
        assert!(!text.contains("hunter2") && !text.contains("abc") && !text.contains("managedFields"));
        assert!(text.contains("debug") && text.contains("secretKeyRef") && text.contains("\"keep\":\"me\""));
    }
}
