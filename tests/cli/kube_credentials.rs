//! Credentials that cannot be had (an exec plugin missing, failing or printing
//! nonsense; a token or client certificate file that is gone) are recorded like a
//! 401: a step with `error.kind: credentials`, naming the kubeconfig, the context, the
//! user and what failed, and no request reaches the server.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use crate::kube_server::{FakeApi, kubeconfig_text};
use crate::support::{TestEnv, body, frontmatter};

/// An executable shell script in the test's temp dir.
fn plugin(dir: &Path, name: &str, script: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, format!("#!/bin/sh\n{script}")).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path.to_str().unwrap().to_string()
}

/// A kubeconfig for `api` whose user `k3s-admin` has `user` in place of its token.
fn kubeconfig(env: &TestEnv, api: &FakeApi, name: &str, user: &str) -> String {
    let text = kubeconfig_text(&api.url(), "k3s").replace("    token: sekret-bearer-token-k3s\n", user);
    let path = env.root().join(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

fn exec(cmd: &str) -> String {
    format!("    exec: {{apiVersion: client.authentication.k8s.io/v1beta1, command: {cmd}, interactiveMode: Never}}\n")
}

/// The error line and hint a failure prints, for `kc` and its user.
fn printed(kc: &str, what: &str, hint: &str) -> String {
    format!("error: user \"k3s-admin\" (context \"k3s\" in {kc}): {what}\n  hint: {hint}\n")
}

#[test]
fn kube_credentials_that_cannot_be_had_are_recorded_like_a_refused_token() {
    let api = FakeApi::seed();
    let (env, id) = TestEnv::with_incident();
    let dir = env.root().to_path_buf();
    let port = api.port;
    let failing = plugin(&dir, "login.sh", "echo 'login failed: password=Hunter2-sekret-77' >&2\nexit 3\n");
    // A plugin that prints a bare token, not an ExecCredential: the token must not be quoted back.
    let bare = plugin(&dir, "bare.sh", "echo 'eyJhbGciOiJSUzI1NiJ9.c2VjcmV0LWlkLXRva2Vu.c2ln'\n");
    let docs = "https://kubernetes.io/docs/reference/access-authn-authz/authentication/#client-go-credential-plugins";
    let cases: Vec<(&str, String, String, String, String)> = vec![
        (
            "failing.yaml",
            exec(&failing),
            // Hidden on the terminal too: a plugin's complaint may hold what it was given.
            format!("getting credentials: exec: executable {failing} failed with exit code 3: login failed: password=[REDACTED:password-assignment-1]"),
            format!("getting credentials: exec: executable {failing} failed with exit code 3: login failed: password=[REDACTED:password-assignment-1]"),
            format!("run `{failing}` to see what it needs (a login?)"),
        ),
        (
            "missing.yaml",
            exec("no-such-authenticator"),
            "getting credentials: exec: executable no-such-authenticator not found".to_string(),
            "getting credentials: exec: executable no-such-authenticator not found".to_string(),
            format!("it looks like you are trying to use a client-go credential plugin that is not installed: install no-such-authenticator or fix users[].user.exec.command in the kubeconfig ({docs})"),
        ),
        (
            "bare.yaml",
            exec(&bare),
            format!("getting credentials: exec: executable {bare} printed something that is not an ExecCredential: line 1 column 1: expected mapping start"),
            format!("getting credentials: exec: executable {bare} printed something that is not an ExecCredential: line 1 column 1: expected mapping start"),
            format!("run `{bare}`: it must print an ExecCredential ({docs})"),
        ),
        (
            "token-file.yaml",
            format!("    tokenFile: {}/gone.token\n", dir.display()),
            format!("cannot read the token file {}/gone.token: No such file or directory", dir.display()),
            format!("cannot read the token file {}/gone.token: No such file or directory", dir.display()),
            "fix users[].user.tokenFile in the kubeconfig (kubectl config view --minify shows it), or put the token there".to_string(),
        ),
        (
            "client-cert.yaml",
            "    client-certificate: gone.crt\n    client-key: gone.key\n".to_string(),
            format!("cannot read the client certificate {}/gone.crt: No such file or directory", dir.display()),
            format!("cannot read the client certificate {}/gone.crt: No such file or directory", dir.display()),
            "fix users[].user.client-certificate in the kubeconfig (kubectl config view --minify shows it), or copy the file back".to_string(),
        ),
    ];
    for (name, user, what, recorded, hint) in cases {
        let kc = kubeconfig(&env, &api, name, &user);
        let before = env.step_files(&id);
        let err = env.fails(1, &["snapshot", "--kubeconfig", &kc, "--no-record"]);
        assert_eq!(err, printed(&kc, &what, &hint), "{name}");
        assert_eq!(env.step_files(&id), before, "{name}: --no-record records nothing");

        let err = env.fails(1, &["snapshot", "--kubeconfig", &kc]);
        let new: Vec<_> = env.step_files(&id).into_iter().filter(|f| !before.contains(f)).collect();
        assert_eq!(new.len(), 1, "{name}: {new:?}");
        let text = std::fs::read_to_string(&new[0]).unwrap();
        let step_id = frontmatter(&text)["id"].as_str().unwrap().to_string();
        assert_eq!(err, format!("recorded snapshot {step_id} in {id}\n{}", printed(&kc, &what, &hint)), "{name}");
        let fm = frontmatter(&text);
        assert_eq!(fm["kind"], "snapshot", "{name}");
        assert_eq!(fm["title"], "Snapshot failed: credentials", "{name}");
        assert_eq!(fm["error"]["kind"], "credentials", "{name}");
        assert_eq!(fm["error"]["server"], format!("127.0.0.1:{port}"), "{name}");
        assert_eq!(fm["error"]["context"], "k3s", "{name}");
        let message = format!("user \"k3s-admin\" (context \"k3s\" in {kc}): {recorded}");
        assert_eq!(fm["error"]["message"], message, "{name}");
        assert_eq!(
            body(&text),
            format!(
                "{message}\n\nNo request was sent: there were no credentials to send it with.\n\n```text\n{recorded}\n```\n\nNext: {hint}\n"
            ),
            "{name}"
        );
        assert!(!text.contains("Hunter2") && !text.contains("c2VjcmV0"), "{name}: {text}");
        assert!(!err.contains("c2VjcmV0") && !err.contains("Hunter2"), "{name}: {err}");
    }
    assert!(api.requests().is_empty(), "{:?}", api.requests());
}

#[test]
fn kube_watch_and_check_record_credentials_that_cannot_be_had() {
    let api = FakeApi::seed();
    let (env, id) = TestEnv::with_incident();
    let failing = plugin(env.root(), "login.sh", "echo 'error: SSO session expired' >&2\nexit 3\n");
    let kc = kubeconfig(&env, &api, "sso.yaml", &exec(&failing));
    let what =
        format!("getting credentials: exec: executable {failing} failed with exit code 3: error: SSO session expired");
    let hint = format!("run `{failing}` to see what it needs (a login?)");

    let err = env.fails(1, &["watch", "--kubeconfig", &kc, "--interval", "100ms", "--for", "5s"]);
    assert!(err.ends_with(&printed(&kc, &what, &hint)), "{err}");
    let fm = frontmatter(&env.only_step(&id, "watch"));
    assert_eq!(fm["title"], "Watch failed: credentials");
    assert_eq!(fm["error"]["kind"], "credentials");
    assert_eq!(fm["error"]["message"], format!("user \"k3s-admin\" (context \"k3s\" in {kc}): {what}"));

    let err = env.fails(1, &["check", "--kubeconfig", &kc, "--no-record"]);
    assert_eq!(err, printed(&kc, &what, &hint));
    assert!(!env.step_files(&id).iter().any(|f| f.to_str().unwrap().contains("-check-")));
    env.fails(1, &["check", "--kubeconfig", &kc]);
    let fm = frontmatter(&env.only_step(&id, "check"));
    assert_eq!(fm["title"], "Check failed: credentials");
    assert_eq!(fm["error"]["kind"], "credentials");
    assert!(api.requests().is_empty(), "{:?}", api.requests());
}

#[test]
fn kube_a_token_that_cannot_be_refreshed_is_recorded_without_the_plugin_output() {
    let api = FakeApi::seed();
    let (env, id) = TestEnv::with_incident();
    let count = env.root().join("calls");
    // The first call gives a token that has already expired; the refresh before the first request fails.
    let script = format!(
        "n=$(cat {c} 2>/dev/null || echo 0); n=$((n+1)); echo $n > {c}\nif [ $n -eq 1 ]; then\n  echo '{{\"apiVersion\":\"client.authentication.k8s.io/v1beta1\",\"kind\":\"ExecCredential\",\"status\":{{\"token\":\"first-token-4711\",\"expirationTimestamp\":\"2020-01-01T00:00:00Z\"}}}}'\n  exit 0\nfi\necho 'stdout-secret-9931'\necho 'refresh denied: session ended' >&2\nexit 5\n",
        c = count.display()
    );
    let expiring = plugin(env.root(), "expiring.sh", &script);
    let kc = kubeconfig(&env, &api, "expiring.yaml", &exec(&expiring));
    let err = env.fails(1, &["snapshot", "--kubeconfig", &kc]);
    let message = format!(
        "no credentials for the server 127.0.0.1:{} (context \"k3s\"): getting credentials: exec: the plugin failed with exit code 5: refresh denied: session ended",
        api.port
    );
    assert!(err.contains(&format!("error: {message}\n")), "{err}");
    let text = env.only_step(&id, "snapshot");
    let fm = frontmatter(&text);
    assert_eq!(fm["title"], "Snapshot failed: credentials");
    assert_eq!(fm["error"]["kind"], "credentials");
    assert_eq!(fm["error"]["message"], message);
    // Neither the plugin's stdout (raw or as the bytes kube prints) nor its environment.
    for leak in ["stdout-secret", "[115, 116, 100", "KUBERNETES_EXEC_INFO"] {
        assert!(!text.contains(leak) && !err.contains(leak), "{leak}: {text}\n{err}");
    }
}

#[test]
fn kube_an_exec_plugin_runs_once_per_snapshot_as_kubectl_runs_it() {
    let api = FakeApi::seed();
    let (env, id) = TestEnv::with_incident();
    // Without an expiry (a token for the command), and with one far off (refreshable).
    for (name, expiry) in [("once", ""), ("expiring", ",\"expirationTimestamp\":\"2099-01-01T00:00:00Z\"")] {
        let count = env.root().join(format!("{name}.calls"));
        let script = format!(
            "echo run >> {}\necho '{{\"apiVersion\":\"client.authentication.k8s.io/v1beta1\",\"kind\":\"ExecCredential\",\"status\":{{\"token\":\"t\"{expiry}}}}}'\n",
            count.display()
        );
        let kc =
            kubeconfig(&env, &api, &format!("{name}.yaml"), &exec(&plugin(env.root(), &format!("{name}.sh"), &script)));
        let before = api.state.lock().unwrap().authorizations.len();
        env.ok(&["snapshot", "--kubeconfig", &kc]);
        assert_eq!(std::fs::read_to_string(&count).unwrap(), "run\n", "{name}: the plugin runs once");
        let auths = api.state.lock().unwrap().authorizations[before..].to_vec();
        assert!(!auths.is_empty() && auths.iter().all(|a| a == "Bearer t"), "{name}: {auths:?}");
    }
    assert_eq!(env.step_files(&id).len(), 2);
}
