//! Redaction: secrets out of text before anything reaches the vault. Pure: text in, text out.
//!
//! Every rule finds secrets by their context (a key name, a header, a prefix, a manifest's
//! kind), not by their shape alone, so image digests, pod-template hashes, UUIDs, git SHAs,
//! checksums and `${VAR}` placeholders stay. A secret becomes `[REDACTED:<rule>-<n>]`, the
//! same secret the same placeholder within an incident ([`Numbering`]); in URLs only the
//! password goes (`postgres://app:[REDACTED:url-password-1]@db:5432/x`), in headers and
//! assignments only the value. Redacting twice changes nothing.
//!
//! Speed: one Aho-Corasick automaton over every rule's keywords scans each line; a regex
//! runs only on lines holding one of its keywords, and is compiled the first time that
//! happens. A line without keywords costs one scan.
//!
//! Rules in priority order (when two find the same secret, the first names the placeholder):
//!
//! | rule | finds | keeps |
//! |---|---|---|
//! | `private-key` | PEM `-----BEGIN … PRIVATE KEY-----` … `END` blocks, across lines (log prefixes too) and streamed: the body becomes one placeholder line between the kept markers | certificates, public keys; a marker followed by text that is no key body (an error message, `grep` output, a note), or by no END within 32 KiB: the lines held are given back |
//! | `kubeconfig-key` | `client-key-data:` | `DATA+OMITTED`, `REDACTED` |
//! | `kubeconfig-cert` | `client-certificate-data:` | `certificate-authority-data` (public) |
//! | `aws-key` | access key ids `AKIA…`/`ASIA…` (20 chars) | other `A…` ids |
//! | `aws-secret` | value of `aws_secret_access_key`, `AWS_SECRET_ACCESS_KEY=`, `"SecretAccessKey":` | |
//! | `github-token` | `ghp_`, `gho_`, `ghu_`, `ghs_`, `ghr_`, `github_pat_` | |
//! | `gitlab-token` | `glpat-`, `gldt-`, `glrt-`, … and runner registration `GR1348941…` | |
//! | `slack-token` | `xoxb-`, `xoxp-`, `xoxa-`, `xoxr-`, `xoxs-`, `xoxe-`, `xapp-` | |
//! | `slack-webhook` | the path after `hooks.slack.com/services/` | the host |
//! | `stripe-key` | `sk_live_`, `rk_live_`, `sk_test_`, `rk_test_`, `whsec_` | publishable `pk_` keys |
//! | `google-api-key` | `AIza…` | |
//! | `gcp-token` | Google Cloud OAuth access tokens `ya29.…` | |
//! | `azure-key` | `AccountKey=`, `SharedAccessKey=` in connection strings; `AZURE_STORAGE_KEY=`, `…_ACCOUNT_KEY:` | `AccountName=` |
//! | `azure-sas` | the `sig=` of a shared access signature URL | the other query parameters |
//! | `npm-token` | `npm_…` | |
//! | `pypi-token` | `pypi-AgEIcHlwaS5vcmc…` | |
//! | `docker-token` | `dckr_pat_`, `dckr_oat_` | |
//! | `vault-token` | `hvs.`, `hvb.`, `hvr.` | |
//! | `sendgrid-key` | `SG.xxx.yyy` | |
//! | `ai-api-key` | `sk-proj-`, `sk-ant-`, `sk-svcacct-`, `sk-admin-` | |
//! | `k3s-token` | `K10<hash>::server:<secret>` join tokens, bare or in any context (`::node:…`, `::<id>.<secret>`) | |
//! | `jwt` | `eyJ….eyJ….sig` | |
//! | `k8s-secret-data` | values under `data:`/`stringData:` of a Secret manifest (YAML, pretty JSON, one-line JSON as in `last-applied-configuration`), block scalars too | ConfigMap data. kubectl prints `data` before `kind`: the block is held until the object's `kind` (1 MiB at most); with no kind at all only base64 of text or long base64 goes |
//! | `k8s-env-value` | the `value` of a container env var whose `name` says password/secret/token/key (`- name: DB_PASSWORD` + `value:`; pretty and one-line JSON) | `valueFrom`, `LOG_LEVEL` |
//! | `kubeconfig-token` | YAML `token:`, `id-token:`, `refresh-token:`, `access-token:` at line start | |
//! | `basic-auth` | `Basic <base64 of user:pass>`; curl `-u user:pass`/`--user`, `--auth user:pass`, httpie/xh `-a user:pass`, `etcdctl --user user:pass` and `ETCDCTL_USER=user:pass` (env, YAML, JSON) (user kept; quoted, to the closing quote: `-u 'u:pa ss'`) | "basic authentication"; `-u 1000:1000`; `--user root` alone; `--user app:app` of other commands (`docker run`); `ETCDCTL_USER=root` |
//! | `bearer` | `Bearer <token>` anywhere; httpie/xh `-A bearer -a TOKEN`, `--auth-type=bearer --auth TOKEN` (either order) | `Bearer realm=…`, prose; the host after `--auth-type=bearer` (`http -A bearer example.org`) |
//! | `auth-header` | `Authorization:`/`Proxy-Authorization:` value, any scheme (scheme kept) | `Bearer $TOKEN` |
//! | `cookie` | `Cookie:` value; first value of `Set-Cookie:` | cookie attributes; dig's `; COOKIE:` |
//! | `url-password` | password in `scheme://user:pw@host` (user and host kept) | `user@host`, `host:port` |
//! | `token-flag` | `--token=X`, `--token X`, `--bootstrap-token X`, `"--token", "X"` (JSON array), … | `--token-ttl`, `--discovery-token-ca-cert-hash` |
//! | `password-flag` | `--password X`, `"--password", "X"`, `--db-password=X`, `mysql -pX`, `-passin pass:X`, `sshpass -p X`, `redis-cli -a X` | `-p` alone, `--password-stdin`, `mkdir -p`; glued `-p` outside a MySQL-like client (`docker run -p3306:3306`, `grep mysql -p…`) |
//! | `netrc-password` | `~/.netrc` `password x` (one-line and multi-line entries) | |
//! | `password-assignment` | `password=`, `passwd:`, `DB_PASS=`, `"dbPassword":`, `pwd=` in env, YAML (to end of line, block scalars), JSON, logfmt, DSNs, query strings | `${VAR}`, `$(cmd)`, `{{ .Values.x }}`, `""`, `<REDACTED>`, `****`, `PWD=/home/x` |
//! | `secret-assignment` | keys ending in `secret`, `token`, `auth`, `api_key`, `private_key`, `secret_key_base`, `signing_key`, … (same forms) | `checksum/secret`, `existingSecret`, `secretName`, a Secret named by `namespace/name` under a `secret` key (`auth-secret: default/basic-auth`, `--secret=ns/name`), `tokens`, prose like `token: use the new one` |
//! | `secret-flag` | `--api-key X`, `--secret X`, `--client-secret X`, `--access-key X`, `--secret-key X`, `--credentials X` (also `=`, JSON array) | `--secret-name`, `--secret-file`; a Secret named (`--tls-secret web-tls`, `--image-pull-secret`, `--secret ns/name`); `docker build --secret id=…`, `podman run --secret NAME`; a file (`~/…`, `….json`) |
//! | `k8s-secret-literal` | every `--from-literal=KEY=VALUE` value (of `kubectl create secret`, whatever `KEY` is) | `create configmap`/`cm`; `--from-file=KEY=path` |
//! | `private-key-base64` | base64 of a PEM private key (`LS0tLS1CRUdJTi…` that decodes to a BEGIN … PRIVATE KEY marker) outside a manifest, one line or wrapped (the base64 lines after it) | base64 of certificates and public keys |
//!
//! An unquoted value (`KEY=value`, `--password=value`) runs to the end of its word: a `&`,
//! `;`, `,` or `)` inside is part of a password (`DB_PASS=S3cr3t&Pass`). It ends only at a
//! quote or bracket closing one opened before the key (`"DB_PASS=x"`, `(password=x)`), at a
//! `,` `;` `&` that ends a list or statement (followed by a blank, the line's end or the next
//! `key=`: `password=x, user=y`, `PASSWORD=x;`, `Password=x;Database=y`, `api_key=x&page=2`),
//! and at any `&` of a query string (`?token=x&user=y`). When unsure it hides more. A JSON
//! escape right after the key (`"auth:\n  user: bob"`) is no value.
//!
//! The `*-flag` rules also find a value given as the next element of a list after a lone
//! flag element (`- --password` then `- X` in YAML `args:`, pretty JSON arrays alike), over
//! blank lines and YAML comment lines between the two.
//!
//! A command continued over lines (`mysql --password \` then `   S3cretPw`) is also read
//! joined as the shell reads it, and what the rules find in the continued line goes.
//!
//! Rules are switched off by name and extended in `incident.toml` ([`RedactConfig`]).

mod bare;
mod builtin;
mod checks;
mod engine;
mod held;
mod manifest;
mod numbering;
mod pattern;
mod pem;
mod rules;
mod verdict;

#[cfg(test)]
mod tests;

pub use engine::Redactor;
pub use numbering::{KeyMismatch, KnownLengths, Numbering, Placeholders, rule_of};
pub use rules::{CustomRule, RedactConfig, RuleError, Rules};

/// True if any rule might match `text`: a keyword is present, or a line opens a
/// `data:`/`stringData:` block. Cheap (no regex); false means redaction would change nothing.
pub fn quick_check(rules: &Rules, text: &str) -> bool {
    // Every marker holds "ata": one SIMD search spares splitting most texts into lines.
    rules.any_keyword(text)
        || memchr::memmem::find(text.as_bytes(), b"ata").is_some()
            && text.lines().any(|l| {
                let t = l.trim_start_matches([' ', '-']);
                t.starts_with("data:")
                    || t.starts_with("stringData:")
                    || t.starts_with("\"data\"")
                    || t.starts_with("\"stringData\"")
            })
}
