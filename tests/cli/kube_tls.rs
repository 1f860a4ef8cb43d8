//! TLS as kubectl does it: the kubeconfig's certificate authority, a client
//! certificate for authentication, and a clear `tls` failure when either is wrong.
//! Certificates are made for each run with the `openssl` tool (skipped without it).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

use crate::kube_server::{FakeApi, seed_state};
use crate::support::{TestEnv, frontmatter};

struct Pki {
    dir: PathBuf,
}

impl Pki {
    fn path(&self, name: &str) -> String {
        self.dir.join(name).to_str().unwrap().to_string()
    }
}

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl").args(args).current_dir(dir).output().unwrap();
    assert!(out.status.success(), "openssl {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

/// A CA, a server certificate for 127.0.0.1 and a client certificate, all P-256.
fn make_pki(dir: &Path) -> Option<Pki> {
    if Command::new("openssl").arg("version").output().is_err() {
        eprintln!("skipped: the openssl tool is not installed (apt-get install openssl)");
        return None;
    }
    let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
    let mut args = vec!["req", "-x509"];
    args.extend(ec);
    args.extend(["-keyout", "ca.key", "-out", "ca.crt", "-days", "2", "-subj", "/CN=incident-test-ca"]);
    openssl(dir, &args);
    std::fs::write(dir.join("server.ext"), "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n").unwrap();
    std::fs::write(dir.join("client.ext"), "extendedKeyUsage=clientAuth\n").unwrap();
    for (who, subj) in [("server", "/CN=127.0.0.1"), ("client", "/O=system:masters/CN=admin")] {
        let mut args = vec!["req"];
        args.extend(ec);
        let key = format!("{who}.key");
        let csr = format!("{who}.csr");
        args.extend(["-keyout", &key, "-out", &csr, "-subj", subj]);
        openssl(dir, &args);
        let crt = format!("{who}.crt");
        let ext = format!("{who}.ext");
        openssl(
            dir,
            &[
                "x509",
                "-req",
                "-in",
                &csr,
                "-CA",
                "ca.crt",
                "-CAkey",
                "ca.key",
                "-CAcreateserial",
                "-out",
                &crt,
                "-days",
                "2",
                "-extfile",
                &ext,
            ],
        );
    }
    Some(Pki { dir: dir.to_path_buf() })
}

fn server_config(pki: &Pki) -> rustls::ServerConfig {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(pki.path("ca.crt")).unwrap() {
        roots.add(cert.unwrap()).unwrap();
    }
    let verifier =
        rustls::server::WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider.clone()).build().unwrap();
    let certs: Vec<CertificateDer> =
        CertificateDer::pem_file_iter(pki.path("server.crt")).unwrap().map(|c| c.unwrap()).collect();
    let key = PrivateKeyDer::from_pem_file(pki.path("server.key")).unwrap();
    rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_client_cert_verifier(verifier)
        .with_single_cert(certs, key)
        .unwrap()
}

fn kubeconfig(env: &TestEnv, api: &FakeApi, pki: &Pki, ca: bool, client_cert: bool) -> String {
    let mut cluster = format!("    server: {}\n", api.url());
    if ca {
        cluster.push_str(&format!("    certificate-authority: {}\n", pki.path("ca.crt")));
    }
    let user = if client_cert {
        format!("    client-certificate: {}\n    client-key: {}\n", pki.path("client.crt"), pki.path("client.key"))
    } else {
        "    token: not-a-certificate\n".to_string()
    };
    let text = format!(
        "apiVersion: v1\nkind: Config\ncurrent-context: tls\nclusters:\n- name: tls\n  cluster:\n{cluster}contexts:\n- name: tls\n  context:\n    cluster: tls\n    user: admin\nusers:\n- name: admin\n  user:\n{user}"
    );
    let path = env.root().join(format!("kubeconfig-tls-{ca}-{client_cert}.yaml"));
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

#[test]
fn tls_with_the_kubeconfig_ca_and_a_client_certificate() {
    let pki_dir = tempfile::tempdir().unwrap();
    let Some(pki) = make_pki(pki_dir.path()) else { return };
    let api = FakeApi::start_tls(seed_state(), server_config(&pki));
    let (env, id) = TestEnv::with_incident();
    let kc = kubeconfig(&env, &api, &pki, true, true);
    let json = env.json(&["snapshot", "--kubeconfig", &kc, "--json"]);
    assert_eq!(json["restarts_total"], 6812);
    assert_eq!(json["source"], format!("https://127.0.0.1:{}/", api.port));
    // The client key never reaches the vault.
    let key = std::fs::read_to_string(pki.dir.join("client.key")).unwrap();
    let key_body: String = key.lines().filter(|l| !l.starts_with("-----")).collect();
    for entry in std::fs::read_dir(env.incident_dir(&id).join("steps")).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        assert!(!text.contains("PRIVATE KEY") && !text.contains(&key_body[..40]));
    }

    // A server certificate nobody vouches for: a `tls` failure, recorded.
    let kc = kubeconfig(&env, &api, &pki, false, true);
    let err = env.fails(1, &["snapshot", "--kubeconfig", &kc]);
    assert!(
        err.ends_with(&format!(
            "error: TLS with the server 127.0.0.1:{} (context \"tls\") failed: x509: certificate signed by unknown authority\n  \
             hint: the kubeconfig's certificate-authority did not sign the server's certificate: was the cluster reinstalled? \
             copy certificate-authority-data from the server's kubeconfig (k3s: /etc/rancher/k3s/k3s.yaml)\n",
            api.port
        )),
        "{err}"
    );
    // No client certificate: the server ends the handshake.
    let kc = kubeconfig(&env, &api, &pki, true, false);
    let err = env.fails(1, &["snapshot", "--kubeconfig", &kc]);
    assert!(err.contains("error: TLS with the server"), "{err}");
    let failed: Vec<serde_json::Value> = env
        .step_files(&id)
        .iter()
        .map(|p| frontmatter(&std::fs::read_to_string(p).unwrap()))
        .filter(|fm| fm.get("error").is_some())
        .collect();
    assert_eq!(failed.len(), 2);
    assert!(failed.iter().all(|fm| fm["error"]["kind"] == "tls"), "{failed:?}");
}

#[test]
fn tls_with_a_client_certificate_from_an_exec_plugin_run_once() {
    use std::os::unix::fs::PermissionsExt;
    let pki_dir = tempfile::tempdir().unwrap();
    let Some(pki) = make_pki(pki_dir.path()) else { return };
    let api = FakeApi::start_tls(seed_state(), server_config(&pki));
    let (env, _) = TestEnv::with_incident();
    let read = |name: &str| std::fs::read_to_string(pki.dir.join(name)).unwrap();
    let status = serde_json::json!({"clientCertificateData": read("client.crt"), "clientKeyData": read("client.key")});
    let cred = serde_json::json!({"apiVersion": "client.authentication.k8s.io/v1beta1", "kind": "ExecCredential", "status": status});
    std::fs::write(env.root().join("cred.json"), cred.to_string()).unwrap();
    let (plugin, count) = (env.root().join("cert.sh"), env.root().join("cert.calls"));
    let script =
        format!("#!/bin/sh\necho run >> {}\ncat {}\n", count.display(), env.root().join("cred.json").display());
    std::fs::write(&plugin, script).unwrap();
    std::fs::set_permissions(&plugin, std::fs::Permissions::from_mode(0o755)).unwrap();
    let kc = kubeconfig(&env, &api, &pki, true, false);
    let text = std::fs::read_to_string(&kc).unwrap().replace(
        "    token: not-a-certificate\n",
        &format!(
            "    exec: {{apiVersion: client.authentication.k8s.io/v1beta1, command: {}, interactiveMode: Never}}\n",
            plugin.display()
        ),
    );
    std::fs::write(&kc, text).unwrap();
    let json = env.json(&["snapshot", "--kubeconfig", &kc, "--json"]);
    assert_eq!(json["restarts_total"], 6812);
    assert_eq!(std::fs::read_to_string(&count).unwrap(), "run\n");
}
