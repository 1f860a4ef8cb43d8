//! Names of Secrets stay readable; the values they guard do not.

use super::{assert_redacts, redact};

#[test]
fn a_secret_named_by_namespace_and_name_stays() {
    let keeps = [
        r#"secret="default/db-password""#,
        "secret: default/db-password",
        "secret: default/db-password  # the app's database login",
        r#"{"secret": "default/db-password"}"#,
        "k3s-sync --secret=kube-system/registry-creds --dry-run",
        "auth-tls-secret: ingress-nginx/ca.example.com",
        "authSecret: monitoring/grafana-basic-auth",
        "secretName: db-password",
        "existingSecret: db-creds",
        "secretKeyRef: {name: db-password, key: password}",
        "nginx.ingress.kubernetes.io/auth-secret: default/basic-auth",
    ];
    for text in keeps {
        assert_eq!(redact(text).0, text);
    }
}

#[test]
fn values_under_the_same_keys_still_go() {
    assert_redacts(&[
        ("secret=Xy7kQ2pLm9Rt4vZ8wNc", "secret=[REDACTED:secret-assignment-1]"),
        // Base64 holds `/` too, with capitals and `+`.
        ("secret=Xy7kQ2/pLm9Rt4+vZ8wNc=", "secret=[REDACTED:secret-assignment-1]"),
        ("secret: hunter2-two", "secret: [REDACTED:secret-assignment-1]"),
        // A name without its namespace cannot be told from a value.
        ("--secret=db-password", "--secret=[REDACTED:secret-assignment-1]"),
        // Strong keys name values, whatever they look like.
        ("client_secret=default/db-password", "client_secret=[REDACTED:secret-assignment-1]"),
        ("SECRET_KEY=default/db-password", "SECRET_KEY=[REDACTED:secret-assignment-1]"),
        // Only `secret` names a Secret: a token or an auth value is a value.
        ("token: default/db-password", "token: [REDACTED:kubeconfig-token-1]"),
        ("auth=default/db-password", "auth=[REDACTED:secret-assignment-1]"),
        // A path, or two slashes, is no namespace/name.
        ("secret=/run/secrets/db", "secret=[REDACTED:secret-assignment-1]"),
        ("secret=run/secrets/db", "secret=[REDACTED:secret-assignment-1]"),
        ("password=default/db-password", "password=[REDACTED:password-assignment-1]"),
        // A variable that holds a secret, whatever its value looks like.
        ("JWT_SECRET=acme/jwt-signing-key-2024", "JWT_SECRET=[REDACTED:secret-assignment-1]"),
        ("WEBHOOK_SECRET=prod/s3cr3t-rotate-me", "WEBHOOK_SECRET=[REDACTED:secret-assignment-1]"),
        ("webhook-secret: prod/s3cr3t-rotate-me", "webhook-secret: [REDACTED:secret-assignment-1]"),
    ]);
}
