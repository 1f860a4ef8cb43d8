//! Fixes from the twenty-first review (fourth part): secret env values in every pod spec
//! of a snapshot, not only a Pod's own.

use crate::support::*;

#[test]
fn secret_env_values_leave_every_pod_spec_of_a_snapshot() {
    let (env, id) = TestEnv::with_incident();
    let container = |name: &str, secret: &str| {
        format!(
            r#"{{"name": "app", "image": "app:1", "env": [{{"name": "{name}", "value": "{secret}"}},
                {{"name": "LOG_LEVEL", "value": "verbose-debug"}}]}}"#
        )
    };
    let pod_spec = |containers: String| format!(r#"{{"containers": [{containers}]}}"#);
    let meta = |name: &str| format!(r#"{{"name": "{name}", "namespace": "default", "uid": "{name}"}}"#);
    let deployment = format!(
        r#"{{"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {},
            "spec": {{"replicas": 1, "template": {{"metadata": {{"labels": {{"app": "web"}}}}, "spec": {}}}}}}}"#,
        meta("web"),
        pod_spec(container("STRIPE_KEY", "StripeDeployValue41"))
    );
    let cronjob = format!(
        r#"{{"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {},
            "spec": {{"schedule": "0 * * * *", "jobTemplate": {{"spec": {{"template": {{"spec": {}}}}}}}}}}}"#,
        meta("nightly"),
        pod_spec(container("DB_PASSWORD", "CronDbPasswordValue42"))
    );
    let pod = format!(
        r#"{{"apiVersion": "v1", "kind": "Pod", "metadata": {},
            "spec": {{"nodeName": "n1", "initContainers": [{}], "containers": [{{"name": "main", "image": "app:1"}}]}},
            "status": {{"phase": "Running"}}}}"#,
        meta("migrate-0"),
        container("DB_PASSWORD", "InitDbPasswordValue43")
    );
    let api = format!(r#"{{"apiVersion": "v1", "kind": "List", "items": [{deployment}, {cronjob}, {pod}]}}"#);
    let outside = tempfile::tempdir().unwrap();
    let file = outside.path().join("snap.json");
    std::fs::write(&file, api).unwrap();
    env.ok(&["-q", "snapshot", "--from", file.to_str().unwrap()]);

    let files = crate::redact::all_files(env.root());
    for (path, bytes) in &files {
        let text = String::from_utf8_lossy(bytes);
        for secret in ["StripeDeployValue41", "CronDbPasswordValue42", "InitDbPasswordValue43"] {
            assert!(!text.contains(secret), "{secret} in clear in {}:\n{text}", path.display());
        }
    }
    let outputs = crate::redact::all_files(&env.incident_dir(&id).join("outputs"));
    let saved = String::from_utf8_lossy(&outputs[0].1).into_owned();
    assert_eq!(saved.matches(r#""value":"verbose-debug""#).count(), 3, "LOG_LEVEL is no secret: {saved}");
    let step = env.only_step(&id, "snapshot");
    assert!(step.contains("\nredactions:\n  k8s-env-value: 3\n"), "{step}");
}
