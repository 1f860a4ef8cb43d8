//! Reaching the cluster as kubectl would: proxies and NO_PROXY, the context's
//! namespace, users that do not exist, exec credential plugins, --request-timeout.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

use std::time::{Duration, Instant};

use crate::kube_server::{FakeApi, Fault, closed_port, kubeconfig_text};
use crate::support::TestEnv;

/// A kubeconfig for `api` with `extra` lines added to the cluster, the context or the user.
fn kubeconfig_with(env: &TestEnv, api: &FakeApi, cluster: &str, context: &str, user: &str) -> String {
    let text = kubeconfig_text(&api.url(), "k3s")
        .replace("    server: ", &format!("{cluster}    server: "))
        .replace("    cluster: k3s\n", &format!("    cluster: k3s\n{context}"))
        .replace("    token: ", &format!("{user}    token: "));
    let path = env.root().join("kubeconfig-extra.yaml");
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

/// What a proxy's opening exchange gives: what to log, where to connect, what to answer.
type Handshake = fn(&mut TcpStream) -> std::io::Result<(String, String, &'static [u8])>;

/// A proxy on 127.0.0.1 speaking `handshake`; returns its port and what it logged.
fn proxy(handshake: Handshake) -> (u16, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    std::thread::spawn(move || {
        for mut client in listener.incoming().flatten() {
            let log = log.clone();
            std::thread::spawn(move || -> std::io::Result<()> {
                let (logged, target, reply) = handshake(&mut client)?;
                log.lock().unwrap().push(logged);
                let server = TcpStream::connect(target)?;
                client.write_all(reply)?;
                let (mut c2, mut s2) = (client.try_clone()?, server.try_clone()?);
                std::thread::spawn(move || {
                    let _ = std::io::copy(&mut c2, &mut s2);
                    let _ = s2.shutdown(std::net::Shutdown::Write);
                });
                let (mut server, mut client) = (server, client);
                std::io::copy(&mut server, &mut client)?;
                client.shutdown(std::net::Shutdown::Write)
            });
        }
    });
    (port, seen)
}

/// An HTTP CONNECT proxy; it logs the CONNECT lines.
fn connect_proxy() -> (u16, Arc<Mutex<Vec<String>>>) {
    proxy(|client| {
        let mut head = Vec::new();
        let mut byte = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") && client.read(&mut byte)? == 1 {
            head.push(byte[0]);
        }
        let line = String::from_utf8_lossy(&head).lines().next().unwrap_or_default().to_string();
        let target = line.strip_prefix("CONNECT ").and_then(|r| r.split_whitespace().next()).unwrap_or("").to_string();
        Ok((line, target, b"HTTP/1.1 200 Connection established\r\n\r\n"))
    })
}

/// A SOCKS5 proxy (RFC 1928, no authentication, CONNECT only); it logs `host:port`.
fn socks5_proxy() -> (u16, Arc<Mutex<Vec<String>>>) {
    proxy(|client| {
        let mut greeting = [0u8; 2];
        client.read_exact(&mut greeting)?;
        let mut methods = vec![0u8; greeting[1] as usize];
        client.read_exact(&mut methods)?;
        client.write_all(&[5, 0])?;
        let mut request = [0u8; 4];
        client.read_exact(&mut request)?;
        let host = match request[3] {
            1 => {
                let mut ip = [0u8; 4];
                client.read_exact(&mut ip)?;
                std::net::Ipv4Addr::from(ip).to_string()
            }
            _ => {
                let mut len = [0u8; 1];
                client.read_exact(&mut len)?;
                let mut name = vec![0u8; len[0] as usize];
                client.read_exact(&mut name)?;
                String::from_utf8_lossy(&name).into_owned()
            }
        };
        let mut port = [0u8; 2];
        client.read_exact(&mut port)?;
        let target = format!("{host}:{}", u16::from_be_bytes(port));
        Ok((target.clone(), target, &[5, 0, 0, 1, 0, 0, 0, 0, 0, 0]))
    })
}

/// A snapshot through the kubeconfig's `proxy-url: URL`; asserts the proxy logged `want`.
fn snapshot_through(env: &TestEnv, api: &FakeApi, url: &str, seen: &Mutex<Vec<String>>, want: &str) {
    let kc = kubeconfig_with(env, api, &format!("    proxy-url: {url}\n"), "", "");
    let json = env.json(&["snapshot", "--kubeconfig", &kc, "--json", "--no-record"]);
    assert_eq!(json["pods"].as_array().unwrap().len(), 6);
    assert!(seen.lock().unwrap().iter().any(|s| s == want), "{:?}", seen.lock().unwrap());
}

#[test]
fn kube_a_socks5_proxy_url_is_used() {
    let api = FakeApi::seed();
    let (env, _id) = TestEnv::with_incident();
    let (port, seen) = socks5_proxy();
    snapshot_through(&env, &api, &format!("socks5://127.0.0.1:{port}"), &seen, &format!("127.0.0.1:{}", api.port));
}

#[test]
fn kube_a_proxy_in_the_environment_is_skipped_for_servers_no_proxy_covers() {
    let api = FakeApi::seed();
    let (mut env, _id) = TestEnv::with_incident();
    let kc = api.kubeconfig(env.root(), "k3s");
    let dead = format!("http://127.0.0.1:{}", closed_port());
    for var in ["HTTPS_PROXY", "HTTP_PROXY", "https_proxy"] {
        env.extra_env.push((var.into(), dead.clone()));
    }
    env.extra_env.push(("NO_PROXY".into(), "127.0.0.1,.cluster.local".into()));
    let json = env.json(&["snapshot", "--kubeconfig", kc.to_str().unwrap(), "--json", "--no-record"]);
    assert_eq!(json["pods"].as_array().unwrap().len(), 6);
}

#[test]
fn kube_a_no_proxy_with_empty_entries_is_read_as_go_reads_it() {
    let api = FakeApi::seed();
    let (mut env, _id) = TestEnv::with_incident();
    let (port, seen) = connect_proxy();
    env.extra_env.push(("NO_PROXY".into(), "example.com,,10.0.0.0/8,".into()));
    let want = format!("CONNECT 127.0.0.1:{} HTTP/1.1", api.port);
    snapshot_through(&env, &api, &format!("http://127.0.0.1:{port}"), &seen, &want);
    // Nothing but empty entries: an empty list.
    env.extra_env.retain(|(k, _)| k != "NO_PROXY");
    env.extra_env.push(("NO_PROXY".into(), " , ".into()));
    snapshot_through(&env, &api, &format!("http://127.0.0.1:{port}"), &seen, &want);
    let kc = kubeconfig_with(&env, &api, &format!("    proxy-url: http://127.0.0.1:{port}\n"), "", "");

    // An entry that is no host, IP or CIDR is named, with what NO_PROXY should hold.
    env.extra_env.retain(|(k, _)| k != "NO_PROXY");
    env.extra_env.push(("NO_PROXY".into(), "example.com,a b".into()));
    assert_eq!(
        env.fails(1, &["snapshot", "--kubeconfig", &kc, "--no-record"]),
        "error: cannot read NO_PROXY \"example.com,a b\": failed to parse \"a b\" as matcher. supported matchers are: cidr, ip address, and host\n  hint: list host names, IP addresses and CIDRs separated by commas, e.g. NO_PROXY=.cluster.local,10.0.0.0/8\n"
    );
}

#[test]
fn kube_the_kubeconfig_proxy_url_is_used_and_a_dead_one_is_named() {
    let api = FakeApi::seed();
    let (env, _id) = TestEnv::with_incident();
    let (port, seen) = connect_proxy();
    let want = format!("CONNECT 127.0.0.1:{} HTTP/1.1", api.port);
    snapshot_through(&env, &api, &format!("http://127.0.0.1:{port}"), &seen, &want);

    let dead = closed_port();
    let kc = kubeconfig_with(&env, &api, &format!("    proxy-url: http://127.0.0.1:{dead}\n"), "", "");
    let err = env.fails(1, &["snapshot", "--kubeconfig", &kc, "--no-record"]);
    assert!(
        err.contains(&format!("cannot reach the server 127.0.0.1:{} (context \"k3s\") through the proxy http://127.0.0.1:{dead}: tunnel error", api.port)),
        "{err}"
    );
    assert!(err.contains("hint: check the proxy"), "{err}");
    assert!(!err.contains("certificates"), "{err}");
}

#[test]
fn kube_a_proxy_password_never_reaches_the_terminal_or_the_step() {
    let api = FakeApi::seed();
    let (env, id) = TestEnv::with_incident();
    let dead = closed_port();
    let url = format!("http://alice:S3cretPr0xyPw@127.0.0.1:{dead}");
    let kc = kubeconfig_with(&env, &api, &format!("    proxy-url: {url}\n"), "", "");
    for record in [false, true] {
        let mut args = vec!["snapshot", "--kubeconfig", &kc];
        if !record {
            args.push("--no-record");
        }
        let err = env.fails(1, &args);
        assert!(
            err.contains(&format!("(context \"k3s\") through the proxy http://127.0.0.1:{dead}: tunnel error")),
            "{err}"
        );
        assert!(!err.contains("S3cretPr0xyPw") && !err.contains("alice"), "{err}");
    }
    let steps: Vec<String> = env.step_files(&id).iter().map(|f| std::fs::read_to_string(f).unwrap()).collect();
    assert!(steps.iter().any(|s| s.contains("through the proxy")), "{steps:?}");
    assert!(steps.iter().all(|s| !s.contains("S3cretPr0xyPw")), "{steps:?}");
}

#[test]
fn kube_the_context_namespace_is_used_unless_n_or_a_say_otherwise() {
    let api = FakeApi::seed();
    let (env, _id) = TestEnv::with_incident();
    let kc = kubeconfig_with(&env, &api, "", "    namespace: kube-system\n", "");
    let json = env.json(&["snapshot", "--kubeconfig", &kc, "--json", "--no-record"]);
    assert_eq!(json["namespace"], "kube-system");
    assert_eq!(json["pods"].as_array().unwrap().len(), 2);
    let json = env.json(&["snapshot", "--kubeconfig", &kc, "-A", "--json", "--no-record"]);
    assert_eq!(json["pods"].as_array().unwrap().len(), 6);
    let json = env.json(&["snapshot", "--kubeconfig", &kc, "-n", "default", "--json", "--no-record"]);
    assert_eq!(json["namespace"], "default");
    let lists: Vec<String> = api.requests().into_iter().filter(|r| r.contains("/pods?")).collect();
    assert_eq!(
        lists,
        [
            "GET /api/v1/namespaces/kube-system/pods?&limit=500",
            "GET /api/v1/pods?&limit=500",
            "GET /api/v1/namespaces/default/pods?&limit=500"
        ]
    );
}

#[test]
fn kube_a_bad_namespace_is_a_usage_error_before_any_request_and_an_empty_one_is_unset() {
    let api = FakeApi::seed();
    let (env, id) = TestEnv::with_incident();
    let kc = kubeconfig_with(&env, &api, "", "", "");
    let hint = "  hint: give -n a namespace name, e.g. -n kube-system\n";
    assert_eq!(
        env.fails(2, &["snapshot", "--kubeconfig", &kc, "-n", "../nodes", "--no-record"]),
        format!("error: invalid namespace \"../nodes\": [may not contain '/']\n{hint}")
    );
    let label = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (at most 63)";
    for record in [false, true] {
        let mut args = vec!["snapshot", "--kubeconfig", &kc, "-n", "a b"];
        if !record {
            args.push("--no-record");
        }
        assert_eq!(env.fails(2, &args), format!("error: invalid namespace \"a b\": [{label}]\n{hint}"));
    }
    assert_eq!(
        env.fails(2, &["watch", "--kubeconfig", &kc, "-n", ".."]),
        format!("error: invalid namespace \"..\": [may not be '..']\n{hint}")
    );
    assert!(api.requests().is_empty(), "{:?}", api.requests());
    assert!(env.step_files(&id).is_empty());

    let json = env.json(&["snapshot", "--kubeconfig", &kc, "-n", "", "--json", "--no-record"]);
    assert_eq!(json["pods"].as_array().unwrap().len(), 6);
    assert_eq!(json["namespace"], serde_json::Value::Null);
    assert!(api.requests().iter().any(|r| r == "GET /api/v1/pods?&limit=500"), "{:?}", api.requests());
}

#[test]
fn kube_insecure_skip_tls_verify_with_a_ca_is_refused_like_kubectl() {
    let api = FakeApi::seed();
    let (env, id) = TestEnv::with_incident();
    for (ca, key) in [
        ("    certificate-authority-data: AAAA\n", "certificate-authority-data"),
        ("    certificate-authority: ca.crt\n", "certificate-authority"),
    ] {
        let kc = kubeconfig_with(&env, &api, &format!("    insecure-skip-tls-verify: true\n{ca}"), "", "");
        assert_eq!(
            env.fails(1, &["snapshot", "--kubeconfig", &kc]),
            format!(
                "error: context \"k3s\" in {kc}: cluster \"k3s\" sets both insecure-skip-tls-verify: true and {key}: \
                 specifying a root certificates file with the insecure flag is not allowed\n  \
                 hint: remove insecure-skip-tls-verify (the {key} checks the server), or remove {key}\n"
            )
        );
    }
    assert!(api.requests().is_empty(), "{:?}", api.requests());
    assert!(env.step_files(&id).is_empty());
    // Alone, the flag is kubectl's --insecure-skip-tls-verify: allowed.
    let kc = kubeconfig_with(&env, &api, "    insecure-skip-tls-verify: true\n", "", "");
    env.ok(&["snapshot", "--kubeconfig", &kc, "--no-record"]);
}

#[test]
fn kube_hints_name_the_flags_that_were_given() {
    let api = FakeApi::seed();
    api.set_fault(Some(Fault::Status(403)));
    let (env, _id) = TestEnv::with_incident();
    let kc = kubeconfig_with(&env, &api, "", "", "");
    let err = env.fails(1, &["snapshot", "--kubeconfig", &kc, "-n", "kube-system", "--no-record"]);
    assert!(
        err.ends_with(&format!(
            "hint: the user may not do this: `kubectl auth can-i list pods -n kube-system --kubeconfig {kc} --context k3s` tells\n"
        )),
        "{err}"
    );
    let err = env.fails(1, &["watch", "--kubeconfig", &kc, "-n", "kube-system", "--interval", "500ms"]);
    assert!(err.contains("forbids /api/v1/namespaces/kube-system/pods?watch=true: 403 Forbidden"), "{err}");
    assert!(err.contains(&format!("`kubectl auth can-i list pods -n kube-system --kubeconfig {kc} --context k3s`")));
    let refused = kubeconfig_text(&format!("http://127.0.0.1:{}", closed_port()), "old");
    let file = env.root().join("refused.yaml");
    std::fs::write(&file, refused).unwrap();
    let err = env.fails(1, &["snapshot", "--kubeconfig", file.to_str().unwrap(), "--no-record"]);
    assert!(err.contains(&format!("`kubectl cluster-info --kubeconfig {} --context old`", file.display())), "{err}");
}

#[test]
fn kube_a_namespaced_user_gets_a_snapshot_without_nodes() {
    let api = FakeApi::seed();
    api.state.lock().unwrap().path_faults.push(("/api/v1/nodes".into(), Fault::Status(403)));
    let (env, id) = TestEnv::with_incident();
    let kc = kubeconfig_with(&env, &api, "", "    namespace: kube-system\n", "");
    env.ok(&["snapshot", "--kubeconfig", &kc]);
    let fm = crate::support::frontmatter(&env.only_step(&id, "snapshot"));
    assert_eq!(fm["facts"]["pods"].as_array().unwrap().len(), 2);
    let skipped = fm["facts"]["skipped"].to_string();
    assert!(skipped.contains("nodes: the server 127.0.0.1:"), "{skipped}");
}

#[test]
fn kube_a_user_the_kubeconfig_does_not_have_is_an_error() {
    let api = FakeApi::seed();
    let (env, _id) = TestEnv::with_incident();
    let kc = api.kubeconfig(env.root(), "k3s");
    let err = env.fails(1, &["snapshot", "--kubeconfig", kc.to_str().unwrap(), "--user", "nope", "--no-record"]);
    assert!(err.contains("no user \"nope\" in "), "{err}");
    assert!(err.contains("(named by --user)"), "{err}");
    assert!(err.contains("hint: known users: k3s-admin"), "{err}");
    let text = kubeconfig_text(&api.url(), "k3s").replace("    user: k3s-admin\n", "    user: gone\n");
    let path = env.root().join("kubeconfig-gone.yaml");
    std::fs::write(&path, text).unwrap();
    let err = env.fails(1, &["snapshot", "--kubeconfig", path.to_str().unwrap(), "--no-record"]);
    assert!(err.contains("no user \"gone\" in ") && err.contains("(named by context \"k3s\")"), "{err}");
    assert!(api.requests().is_empty(), "{:?}", api.requests());
}

#[test]
fn kube_exec_plugin_failures_name_the_command_its_stderr_and_install_hint() {
    let api = FakeApi::seed();
    let (env, _id) = TestEnv::with_incident();
    let script = env.root().join("login.sh");
    std::fs::write(&script, "#!/bin/sh\necho \"error: SSO session expired, run 'aws sso login'\" >&2\nexit 3\n")
        .unwrap();
    std::fs::set_permissions(&script, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let exec = |cmd: &str, hint: &str| {
        format!(
            "    exec: {{apiVersion: client.authentication.k8s.io/v1beta1, command: {cmd}, interactiveMode: Never{hint}}}\n"
        )
    };
    let kc = kubeconfig_with(&env, &api, "", "", &exec(script.to_str().unwrap(), ""));
    let text = std::fs::read_to_string(&kc).unwrap().replace("    token: sekret-bearer-token-k3s\n", "");
    std::fs::write(&kc, text).unwrap();
    let err = env.fails(1, &["snapshot", "--kubeconfig", &kc, "--no-record"]);
    assert!(
        err.contains(&format!(
            "getting credentials: exec: executable {} failed with exit code 3: error: SSO session expired, run 'aws sso login'",
            script.display()
        )),
        "{err}"
    );
    assert!(!err.contains("certificates"), "{err}");

    let kc = kubeconfig_with(&env, &api, "", "", &exec("no-such-authenticator", ", installHint: 'brew install it'"));
    let text = std::fs::read_to_string(&kc).unwrap().replace("    token: sekret-bearer-token-k3s\n", "");
    std::fs::write(&kc, text).unwrap();
    let err = env.fails(1, &["snapshot", "--kubeconfig", &kc, "--no-record"]);
    assert!(err.contains("getting credentials: exec: executable no-such-authenticator not found"), "{err}");
    assert!(err.contains("hint: brew install it"), "{err}");
}

#[test]
fn kube_request_timeout_reads_like_kubectl() {
    let api = FakeApi::seed();
    let (env, _id) = TestEnv::with_incident();
    let kc = api.kubeconfig(env.root(), "k3s");
    for t in ["0", "0s", "30"] {
        let json = env.json(&[
            "snapshot",
            "--kubeconfig",
            kc.to_str().unwrap(),
            "--request-timeout",
            t,
            "--json",
            "--no-record",
        ]);
        assert_eq!(json["pods"].as_array().unwrap().len(), 6, "--request-timeout {t}");
    }
}

#[test]
fn kube_request_timeout_bounds_the_whole_request_not_each_read() {
    let api = FakeApi::seed();
    let gap = Duration::from_millis(100);
    api.state.lock().unwrap().path_faults.push(("/api/v1/pods".into(), Fault::Dribble(gap)));
    let (env, _id) = TestEnv::with_incident();
    let kc = api.kubeconfig(env.root(), "k3s");
    let started = Instant::now();
    let err =
        env.fails(1, &["snapshot", "--kubeconfig", kc.to_str().unwrap(), "--request-timeout", "1s", "--no-record"]);
    // The body takes ~30 s at a byte per 100 ms.
    assert!(started.elapsed() < Duration::from_secs(10), "{:?}", started.elapsed());
    assert!(err.contains("timed out after 1s (--request-timeout)"), "{err}");
}

#[test]
fn kube_kubeconfig_mistakes_are_named_with_the_names_there_are() {
    let api = FakeApi::seed();
    let (env, id) = TestEnv::with_incident();
    let good = kubeconfig_text(&api.url(), "k3s");
    let write = |name: &str, text: &str| {
        let path = env.root().join(name);
        std::fs::write(&path, text).unwrap();
        path.to_str().unwrap().to_string()
    };
    let pick = "known contexts: k3s; pick one with --context NAME, or `kubectl config use-context NAME`";
    let ghost = write("ghost.yaml", &good.replace("current-context: k3s", "current-context: ghost"));
    let err = env.fails(1, &["snapshot", "--kubeconfig", &ghost]);
    assert_eq!(err, format!("error: current-context \"ghost\" in {ghost} names no context\n  hint: {pick}\n"));
    let none = write("none.yaml", &good.replace("current-context: k3s\n", ""));
    let err = env.fails(1, &["snapshot", "--kubeconfig", &none]);
    assert_eq!(err, format!("error: {none} sets no current-context\n  hint: {pick}\n"));
    // An empty --context is no --context: the current one is used.
    let ok = write("ok.yaml", &good);
    env.ok(&["snapshot", "--kubeconfig", &ok, "--context", "", "--no-record"]);

    let lost = write("lost.yaml", &good.replace("    cluster: k3s\n", "    cluster: gone\n"));
    let err = env.fails(1, &["snapshot", "--kubeconfig", &lost]);
    assert_eq!(
        err,
        format!("error: no cluster \"gone\" in {lost} (named by context \"k3s\")\n  hint: known clusters: k3s\n")
    );
    let err = env.fails(1, &["snapshot", "--kubeconfig", &ok, "--cluster", "nope"]);
    assert_eq!(err, format!("error: no cluster \"nope\" in {ok} (named by --cluster)\n  hint: known clusters: k3s\n"));

    let ca = write("ca.yaml", &good.replace("    server: ", "    certificate-authority: gone-ca.crt\n    server: "));
    let err = env.fails(1, &["snapshot", "--kubeconfig", &ca]);
    assert_eq!(
        err,
        format!(
            "error: cluster \"k3s\" in {ca}: unable to read certificate-authority {}/gone-ca.crt: No such file or directory\n  hint: fix clusters[].cluster.certificate-authority in the kubeconfig, or give certificate-authority-data (k3s: copy it from /etc/rancher/k3s/k3s.yaml)\n",
            env.root().display()
        )
    );

    // KUBECONFIG with two files: the first file's current-context wins, names in the second count.
    let second = kubeconfig_text(&api.url(), "beta").replace("current-context: beta\n", "");
    let second = write("second.yaml", &second);
    let list = format!("{ghost}:{second}");
    let r = env.command(&["snapshot", "--no-record"]).env("KUBECONFIG", &list).output().unwrap();
    assert_eq!(r.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&r.stderr),
        format!(
            "error: current-context \"ghost\" in {ghost}, {second} names no context\n  hint: known contexts: k3s, beta; pick one with --context NAME, or `kubectl config use-context NAME`\n"
        )
    );
    let seen = api.state.lock().unwrap().authorizations.len();
    let r = env
        .command(&["snapshot", "--no-record", "--context", "beta", "--json"])
        .env("KUBECONFIG", &list)
        .output()
        .unwrap();
    assert_eq!(r.status.code(), Some(0), "{}", String::from_utf8_lossy(&r.stderr));
    let auths = api.state.lock().unwrap().authorizations[seen..].to_vec();
    assert!(!auths.is_empty() && auths.iter().all(|a| a == "Bearer sekret-bearer-token-beta"), "{auths:?}");
    assert!(env.step_files(&id).is_empty(), "{:?}", env.step_files(&id));
}

#[test]
fn kube_a_cluster_without_a_server_and_a_directory_for_a_kubeconfig_are_named() {
    let api = FakeApi::seed();
    let (env, _id) = TestEnv::with_incident();
    let good = kubeconfig_text(&api.url(), "k3s");
    let write = |name: &str, text: &str| {
        let path = env.root().join(name);
        std::fs::write(&path, text).unwrap();
        path.to_str().unwrap().to_string()
    };
    let serverless = write("serverless.yaml", &good.replace(&format!("    server: {}\n", api.url()), ""));
    let err = env.fails(1, &["snapshot", "--kubeconfig", &serverless]);
    assert_eq!(
        err,
        format!(
            "error: no server found for cluster \"k3s\" in {serverless}\n  hint: set clusters[].cluster.server to the API server's address (k3s: https://NODE-IP:6443)\n"
        )
    );
    let dir = env.root().join("kube.d");
    std::fs::create_dir(&dir).unwrap();
    let err = env.fails(1, &["snapshot", "--kubeconfig", dir.to_str().unwrap()]);
    assert!(err.starts_with(&format!("error: the kubeconfig {} is a directory, not a file\n", dir.display())), "{err}");

    assert!(api.requests().is_empty(), "{:?}", api.requests());
}
