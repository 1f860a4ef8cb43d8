//! Fixes from the twenty-first review (first part), all in redaction: a password glued to
//! a short flag left in argv, secrets given to `--api-key`-like flags, and the numbering of
//! values scrubbed from API objects.

use std::path::{Path, PathBuf};

use crate::support::*;

/// A folder of stand-in programs (`mysqladmin`, `mysql`, `sshpass`) that print `ok`, first
/// on the PATH of `env`.
fn fake_programs(env: &mut TestEnv, names: &[&str]) -> PathBuf {
    let bin = env.root().join("fake-bin");
    std::fs::create_dir_all(&bin).unwrap();
    for name in names {
        let path = bin.join(name);
        std::fs::write(&path, "#!/bin/sh\necho ok\n").unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
    env.extra_env.push(("PATH".into(), path));
    bin
}

fn step_holding(env: &TestEnv, id: &str, text: &str) -> PathBuf {
    let found = env.step_files(id).into_iter().find(|p| std::fs::read_to_string(p).unwrap().contains(text));
    found.unwrap_or_else(|| panic!("no step holds {text:?}"))
}

fn name_of(path: &Path) -> String {
    path.file_name().unwrap().to_string_lossy().into_owned()
}

#[test]
fn a_password_glued_to_a_short_flag_leaves_argv_as_it_leaves_the_command_line() {
    let (mut env, id) = TestEnv::with_incident();
    fake_programs(&mut env, &["mysqladmin", "mysql", "sshpass"]);
    let cases: [(&[&str], &str); 3] = [
        (&["mysqladmin", "-uroot", "-pAdminPw3131", "status"], "AdminPw3131"),
        (&["mysql", "-uroot", "-pMyS3cretPW77", "-e", "select 1"], "MyS3cretPW77"),
        (&["sshpass", "-pSshP4ssAbc", "ssh", "host"], "SshP4ssAbc"),
    ];
    for (i, (argv, secret)) in cases.iter().enumerate() {
        let mut args = vec!["-q", "run", "--"];
        args.extend_from_slice(argv);
        env.ok(&args);
        let step = std::fs::read_to_string(step_holding(&env, &id, &format!("\ncommand: {} -", argv[0]))).unwrap();
        assert!(!step.contains(secret), "{step}");
        let placeholder = format!("-p[REDACTED:password-flag-{}]", i + 1);
        let meta = frontmatter(&step);
        assert!(meta["command"].as_str().unwrap().contains(&placeholder), "{step}");
        let flag = meta["argv"].as_array().unwrap().iter().find(|a| a.as_str().unwrap().starts_with("-p")).cloned();
        assert_eq!(flag.unwrap(), placeholder.as_str(), "the same placeholder as the command line: {step}");
    }
    let shown = env.ok(&["show", "--json"]);
    for (_, secret) in cases {
        assert!(!shown.contains(secret), "{shown}");
    }
    // A step recorded before (its argv in clear) is held back by the publish gate.
    env.ok(&["resolve", "-q", "done"]);
    std::fs::write(env.incident_dir(&id).join("postmortem.md"), "# Postmortem\n").unwrap();
    let path = step_holding(&env, &id, "mysqladmin");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replacen("- -p[REDACTED:password-flag-1]", "- -pAdminPw3131", 1)).unwrap();
    let r = env.run(&["publish", "--check"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(r.stdout, format!("incidents/{id}/steps/{}: still holds a secret (password-flag 1)\n", name_of(&path)));
}

#[test]
fn a_secret_given_to_an_api_key_like_flag_is_redacted_in_every_form() {
    let (env, id) = TestEnv::with_incident();
    let given = [
        ("--api-key", "ApiK3yValue99"),
        ("--secret", "S3cretVal77x"),
        ("--client-secret", "CliS3cret991"),
        ("--access-key", "AccK3yVal88x"),
        ("--secret-key", "SecK3yVal77y"),
        ("--credentials", "Cr3dsValue9x"),
    ];
    let mut args = vec!["-q", "run", "--", "echo"];
    given.iter().for_each(|(flag, value)| args.extend([*flag, *value]));
    env.ok(&args);
    let step = env.only_step(&id, "run");
    for (_, secret) in given {
        assert!(!step.contains(secret), "{secret}: {step}");
    }
    let meta = frontmatter(&step);
    let argv: Vec<&str> = meta["argv"].as_array().unwrap().iter().map(|a| a.as_str().unwrap()).collect();
    assert_eq!(argv[2], "[REDACTED:secret-flag-1]", "{step}");
    assert!(
        meta["command"].as_str().unwrap().starts_with("echo --api-key [REDACTED:secret-flag-1] --secret"),
        "{step}"
    );
    // Container args in a snapshot: a JSON array, the value the flag's neighbour.
    let api = r#"{"apiVersion": "v1", "kind": "List", "items": [
      {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "api-7d4b9c8f6-xk2p9", "namespace": "default", "uid": "u2"},
       "spec": {"nodeName": "n1", "containers": [{"name": "api", "image": "api:1",
         "args": ["--password", "PodArgPassw0rd1", "--api-key", "PodApiK3y1234", "--token","PodTok3nValue9"],
         "env": [{"name": "DB_CREDS", "value": "PodCredsVal77"}, {"name": "CREDIT_LIMIT", "value": "5000"}]}]},
       "status": {"phase": "Running", "containerStatuses": [{"name": "api", "ready": true, "restartCount": 3,
         "image": "api:1", "imageID": "", "state": {"running": {}}}]}}]}"#;
    let outside = tempfile::tempdir().unwrap();
    let file = outside.path().join("snap.json");
    std::fs::write(&file, api).unwrap();
    env.ok(&["-q", "snapshot", "--from", file.to_str().unwrap()]);
    let outputs = crate::redact::all_files(&env.incident_dir(&id));
    for (path, bytes) in &outputs {
        let text = String::from_utf8_lossy(bytes);
        for secret in ["PodArgPassw0rd1", "PodApiK3y1234", "PodTok3nValue9", "PodCredsVal77"] {
            assert!(!text.contains(secret), "{secret} in {}: {text}", path.display());
        }
    }
    let saved = outputs.iter().find(|(p, _)| p.extension().is_some_and(|e| e == "json")).unwrap();
    let saved = String::from_utf8_lossy(&saved.1);
    assert!(saved.contains(r#"{"name":"CREDIT_LIMIT","value":"5000"}"#), "{saved}");
    // The filter, JSON arrays (escaped too), and flags whose value is no secret.
    let input = concat!(
        r#"{"args": ["--password", "JsonPassw0rd1", "--token","JsonT0kenVal2", "--client-secret", "JsonCliSec44"]}"#,
        "\n",
        r#"{\"args\":[\"--secret\",\"EscSecret55x\"]}"#,
        "\n",
    );
    let r = env.run_with_stdin(&["redact"], input.as_bytes());
    assert_eq!(
        r.stdout,
        concat!(
            r#"{"args": ["--password", "[REDACTED:password-flag-1]", "--token","[REDACTED:token-flag-1]", "#,
            r#""--client-secret", "[REDACTED:secret-flag-1]"]}"#,
            "\n",
            r#"{\"args\":[\"--secret\",\"[REDACTED:secret-flag-2]\"]}"#,
            "\n",
        ),
        "{}",
        r.stderr
    );
    let keeps = "app --secret-name my-secret --secret-file /run/secrets/db --api-key-file /etc/key\n\
                 kubectl create ingress web --tls-secret web-tls --image-pull-secret regcred\n\
                 docker build --secret id=npm,src=/home/ci/.npmrc .\n\
                 podman run --secret db-pass alpine\n\
                 gcloud x --credentials ~/.config/gcloud/creds.json\n\
                 deploy --secret default/db-password\n\
                 error: --api-key is required\n\
                 use \"--token\", then retry\n";
    let r = env.run_with_stdin(&["redact"], keeps.as_bytes());
    assert_eq!(r.stdout, keeps, "{}", r.stderr);
}

#[test]
fn values_taken_out_of_api_objects_are_numbered_as_the_secrets_they_are() {
    let (env, id) = TestEnv::with_incident();
    let pod = |name: &str, password: &str| {
        format!(
            r#"{{"apiVersion": "v1", "kind": "Pod", "metadata": {{"name": "{name}", "namespace": "default", "uid": "{name}"}},
              "spec": {{"nodeName": "n1", "containers": [{{"name": "db", "image": "postgres:16",
                "env": [{{"name": "POSTGRES_PASSWORD", "value": "{password}"}}]}}]}}, "status": {{"phase": "Running"}}}}"#
        )
    };
    let api = format!(
        r#"{{"apiVersion": "v1", "kind": "List", "items": [{}, {}, {},
          {{"apiVersion": "v1", "kind": "Secret", "metadata": {{"name": "s", "namespace": "default", "uid": "s1"}},
           "type": "Opaque", "data": {{"k": "c2VjcmV0dmFsdWUx"}}}}]}}"#,
        pod("db-0", "PodPgPassw0rd1"),
        pod("db-1", "OtherPgPassw0rd2"),
        pod("db-2", "PodPgPassw0rd1"),
    );
    let outside = tempfile::tempdir().unwrap();
    let file = outside.path().join("snap.json");
    std::fs::write(&file, api).unwrap();
    env.ok(&["-q", "snapshot", "--from", file.to_str().unwrap()]);
    let outputs = crate::redact::all_files(&env.incident_dir(&id).join("outputs"));
    let saved = String::from_utf8_lossy(&outputs[0].1).into_owned();
    let values: Vec<&str> = saved.split(r#""value":""#).skip(1).map(|v| v.split('"').next().unwrap()).collect();
    assert_eq!(
        values,
        ["[REDACTED:k8s-env-value-1]", "[REDACTED:k8s-env-value-2]", "[REDACTED:k8s-env-value-1]"],
        "same secret, same placeholder; different secrets, different ones: {saved}"
    );
    assert!(saved.contains(r#""data":{"k":"[REDACTED:k8s-secret-data-1]"}"#), "{saved}");
    let step = env.only_step(&id, "snapshot");
    assert!(step.contains("\nredactions:\n  k8s-env-value: 2\n  k8s-secret-data: 1\n"), "{step}");
    // The values are known secrets of the incident now.
    env.ok(&["-q", "note", "tried PodPgPassw0rd1 by hand, then c2VjcmV0dmFsdWUx"]);
    let note = env.only_step(&id, "note");
    assert!(
        body(&note).contains("tried [REDACTED:k8s-env-value-1] by hand, then [REDACTED:k8s-secret-data-1]"),
        "{note}"
    );
}
