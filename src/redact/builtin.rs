//! The built-in rules as data: name, keywords for the prefilter, regex, and which context
//! check confirms a match. Order is priority: when two rules find the same secret, the
//! earlier (more specific) name goes in the placeholder.

use super::checks::{PASSWORD_WORDS, SECRET_WORDS, Words};
use super::pattern::{Builtin, Check, Near, Pat};

/// The value of an assignment: escaped-JSON string, JSON string, single-quoted, or a bare
/// word up to whitespace, a quote or a separator; a bare value that goes on past the
/// separator (`S3cr3t&Pass`) is taken on by `bare::bare_end`.
macro_rules! value {
    () => {
        r#"(?:\\"([^"\\\r\n]*)\\"|"((?:[^"\\\r\n]|\\.)*)"|'([^'\r\n]*)'|["']?([^\s"'`,;&})\]]+))"#
    };
}

/// Between a flag and its value: `=`, blanks, or the `", "` of a JSON array (container
/// `args`, argv as JSON), escaped JSON too.
macro_rules! flag_sep {
    () => {
        r#"(?P<sep>=|[ \t]+|\\?"[ \t]*,[ \t]*)"#
    };
}

/// An optional closing quote after a key (`"password":`, `\"password\":`).
macro_rules! key_quote {
    () => {
        r#"(?:\\?["'])?"#
    };
}

const TOKEN_KEY: Words = Words { strong: &["token"], weak: &[] };

const fn pat(keywords: &'static [&'static str], regex: &'static str, check: Check) -> Pat {
    let near = match check {
        Check::Assign(_) => Near::Separator,
        Check::Flag | Check::SecretFlag => Near::Flag,
        _ => Near::Anything,
    };
    Pat { keywords, regex, check, near }
}

use Check::*;

pub(crate) static BUILTINS: &[Builtin] = &[
    Builtin {
        name: "private-key",
        patterns: &[pat(&["private key"], r"-----BEGIN[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----", Pem)],
    },
    Builtin {
        name: "kubeconfig-key",
        patterns: &[pat(
            &["client-key-data"],
            concat!(r"(?i)client-key-data", key_quote!(), r#"\s*:\s*(?:\\?["'])?([A-Za-z0-9+/=]+)"#),
            Plain,
        )],
    },
    Builtin {
        name: "kubeconfig-cert",
        patterns: &[pat(
            &["client-certificate-data"],
            concat!(r"(?i)client-certificate-data", key_quote!(), r#"\s*:\s*(?:\\?["'])?([A-Za-z0-9+/=]+)"#),
            Plain,
        )],
    },
    Builtin {
        name: "aws-key",
        patterns: &[pat(&["akia", "asia"], r"(?-u:\b)((?:AKIA|ASIA)[A-Z0-9]{16})(?-u:\b)", Plain)],
    },
    Builtin {
        name: "aws-secret",
        patterns: &[pat(
            &["secret_access_key", "secretaccesskey", "secret-access-key", "aws_secret_key"],
            concat!(
                r"(?i)(?:secret[_-]?access[_-]?key|aws_secret_key)",
                key_quote!(),
                r#"[ \t]*[:=][ \t]*(?:\\?["'])?([A-Za-z0-9/+=]{16,})"#
            ),
            Plain,
        )],
    },
    Builtin {
        name: "github-token",
        patterns: &[
            pat(&["ghp_", "gho_", "ghu_", "ghs_", "ghr_"], r"(?-u:\b)(gh[pousr]_[A-Za-z0-9]{30,255})(?-u:\b)", Plain),
            pat(&["github_pat_"], r"(?-u:\b)(github_pat_[A-Za-z0-9_]{30,255})(?-u:\b)", Plain),
        ],
    },
    Builtin {
        name: "gitlab-token",
        patterns: &[
            pat(
                &["glpat-", "gldt-", "glrt-", "glptt-", "glcbt-", "gloas-", "glsoat-", "glft-", "glimt-", "glagent-"],
                r"(?-u:\b)(gl(?:pat|dt|rt|ptt|cbt|oas|soat|ft|imt|agent)-[A-Za-z0-9_-]{20,255})",
                Plain,
            ),
            pat(&["gr1348941"], r"(?-u:\b)(GR1348941[A-Za-z0-9_-]{20,255})", Plain),
        ],
    },
    Builtin {
        name: "slack-token",
        patterns: &[
            pat(
                &["xoxb-", "xoxp-", "xoxa-", "xoxr-", "xoxs-", "xoxo-", "xoxe-", "xoxe.xox"],
                r"(?-u:\b)(xox[abposre](?:\.xox[bp])?-[A-Za-z0-9-]{10,255})",
                Plain,
            ),
            pat(&["xapp-"], r"(?-u:\b)(xapp-\d-[A-Za-z0-9-]{10,255})", Plain),
        ],
    },
    Builtin {
        name: "slack-webhook",
        patterns: &[pat(
            &["hooks.slack.com"],
            r"(?i)hooks\.slack\.com/(?:services|workflows|triggers)/([A-Za-z0-9_/-]+)",
            Plain,
        )],
    },
    Builtin {
        name: "stripe-key",
        patterns: &[
            pat(
                &["sk_live_", "rk_live_", "sk_test_", "rk_test_"],
                r"(?-u:\b)((?:sk|rk)_(?:live|test)_[A-Za-z0-9]{10,255})",
                Plain,
            ),
            pat(&["whsec_"], r"(?-u:\b)(whsec_[A-Za-z0-9+/=]{20,255})", Plain),
        ],
    },
    Builtin { name: "google-api-key", patterns: &[pat(&["aiza"], r"(?-u:\b)(AIza[0-9A-Za-z_-]{35})", Plain)] },
    Builtin {
        name: "gcp-token",
        // OAuth access tokens of Google Cloud (`gcloud auth print-access-token`).
        patterns: &[pat(&["ya29."], r"(?-u:\b)(ya29\.[0-9A-Za-z_-]{20,})", Plain)],
    },
    Builtin {
        name: "azure-key",
        patterns: &[
            // Connection strings: `…;AccountName=x;AccountKey=…;EndpointSuffix=…`, Service Bus,
            // Event Hubs, IoT Hub `SharedAccessKey=…`.
            pat(
                &["accountkey", "sharedaccesskey"],
                r"(?i)(?-u:\b)(?:AccountKey|SharedAccessKey)[ \t]*=[ \t]*([A-Za-z0-9+/=_-]{8,})",
                Plain,
            ),
            // AZURE_STORAGE_KEY=…, AZURE_STORAGE_ACCOUNT_KEY: …
            pat(
                &["storage_key", "storagekey", "storage-key", "account_key", "account-key"],
                concat!(
                    r"(?i)(?P<key>[A-Za-z0-9_.-]*(?:storage|account)[_-]?key)",
                    key_quote!(),
                    r"[ \t]*(?P<sep>:=|[:=])[ \t]*",
                    value!()
                ),
                Assign(&SECRET_WORDS),
            ),
        ],
    },
    Builtin {
        name: "azure-sas",
        // The signature of a shared access signature URL (`?sv=…&se=…&sig=…`).
        patterns: &[pat(&["sig="], r"[?&]sig=([^&\s\x22'#<>]+)", Plain)],
    },
    Builtin { name: "npm-token", patterns: &[pat(&["npm_"], r"(?-u:\b)(npm_[A-Za-z0-9]{36})(?-u:\b)", Plain)] },
    Builtin {
        name: "pypi-token",
        patterns: &[pat(&["pypi-ageichlwas5vcmc"], r"(?-u:\b)(pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,})", Plain)],
    },
    Builtin {
        name: "docker-token",
        patterns: &[pat(&["dckr_pat_", "dckr_oat_"], r"(?-u:\b)(dckr_(?:pat|oat)_[A-Za-z0-9_-]{20,255})", Plain)],
    },
    Builtin {
        name: "vault-token",
        patterns: &[
            pat(&["hvs.", "hvb.", "hvr."], r"(?-u:\b)(hv[sbr]\.[A-Za-z0-9_-]{20,})", Plain),
            // `vault login TOKEN`: the token is the one argument without `=` (legacy `s.…` too)
            pat(
                &["vault"],
                r"(?-u:\b)vault[ \t]+login(?:[ \t]+-\S+)*[ \t]+([^\s=\-'\x22][^\s=]{7,})(?:[ \t]|$)",
                Plain,
            ),
        ],
    },
    Builtin {
        name: "sendgrid-key",
        patterns: &[pat(&["sg."], r"(?-u:\b)(SG\.[A-Za-z0-9_-]{16,32}\.[A-Za-z0-9_-]{16,64})", Plain)],
    },
    Builtin {
        name: "ai-api-key",
        patterns: &[pat(
            &["sk-proj-", "sk-ant-", "sk-svcacct-", "sk-admin-"],
            r"(?-u:\b)(sk-(?:proj|ant|svcacct|admin)-[A-Za-z0-9_-]{20,})",
            Plain,
        )],
    },
    Builtin {
        name: "k3s-token",
        // `K10<CA hash>::<credentials>`: `user:password` (a chosen password may hold any
        // punctuation) or a bearer token (`id.secret` from `k3s token create`); to a space,
        // quote or `;`, and not ending in the `)`, `,` or `.` of the text around it.
        patterns: &[pat(&["k10"], r#"(?-u:\b)(K10[0-9a-fA-F]{64}::[^\s'"`;]*[^\s'"`;)\]}>,.])"#, Plain)],
    },
    Builtin {
        name: "jwt",
        patterns: &[pat(&["eyj"], r"(?-u:\b)(eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*)", Plain)],
    },
    Builtin {
        name: "k8s-secret-data",
        patterns: &[pat(
            &["\"data", "stringdata"],
            r#"\\?"(?:data|stringData)\\?"\s*:\s*\{([^{}]*)(?:\}|$)"#,
            InlineData,
        )],
    },
    Builtin {
        name: "k8s-env-value",
        // YAML and pretty JSON are read line by line (manifest.rs); this is one-line JSON.
        patterns: &[Pat {
            near: Near::EnvValue,
            ..pat(
                &["\"name\":\"", "\\\"name\\\":\\\"", "\"name\": \""],
                r#"\\?"name\\?"\s*:\s*\\?"(?P<key>[A-Za-z0-9_.-]+)\\?"\s*,\s*\\?"value\\?"\s*:\s*\\?"([^"\\]*)"#,
                EnvPair,
            )
        }],
    },
    Builtin {
        name: "kubeconfig-token",
        patterns: &[pat(
            &["token"],
            concat!(
                r"^[ \t]*(?:-[ \t]+)?(?P<key>token|id-token|refresh-token|access-token)[ \t]*(?P<sep>:)[ \t]*",
                value!()
            ),
            Assign(&TOKEN_KEY),
        )],
    },
    Builtin {
        name: "basic-auth",
        patterns: &[
            pat(&["basic"], r"(?i)(?-u:\b)basic[ \t]+([A-Za-z0-9+/]{6,}={0,2})", Basic),
            pat(&["curl"], r#"(?:^|\s)(?:-u|--user)(?:[ \t]+|=)["']?(?P<key>[^\s:'"]*):([^\s'"]+)"#, UserPass),
            // httpie and xh: `--auth user:pass` (whatever the tool: the flag says what it holds);
            // `-a user:pass` only after `http`/`https`/`xh` on the same command (`grep -a x:y`).
            pat(&["--auth"], r#"(?:^|[\s"'])--auth(?:[ \t]+|=)["']?(?P<key>[^\s:'"]*):([^\s'"]+)"#, UserPass),
            pat(
                &["http", "xh"],
                r#"(?:^|[\s"'/;|&(])(?:https?|xhs?)[ \t](?:[^\r\n|;&]*?[ \t])?-a(?:[ \t]+|=)?["']?(?P<key>[^\s:'"]*):([^\s'"]+)"#,
                UserPass,
            ),
            // etcdctl `--user root:pass`, only after `etcdctl` on the same command: elsewhere
            // `--user` is often a user:group (`docker run --user app:app`).
            pat(
                &["etcdctl"],
                r#"(?:^|[\s"'/;|&(])etcdctl[ \t](?:[^\r\n|;&]*?[ \t])?--user(?:[ \t]+|=)["']?(?P<key>[^\s:'"]*):([^\s'"]+)"#,
                UserPass,
            ),
            // What etcdctl reads for `--user`: `ETCDCTL_USER=root:pass` (env, `export`, an env
            // file), `ETCDCTL_USER: root:pass` (YAML), `"ETCDCTL_USER": "root:pass"`.
            pat(
                &["etcdctl_user"],
                concat!(
                    r"(?i)(?-u:\b)etcdctl_user",
                    key_quote!(),
                    r#"[ \t]*[:=][ \t]*(?:\\?["'])?(?P<key>[^\s:'"]*):([^\s'"]+)"#
                ),
                UserPass,
            ),
        ],
    },
    Builtin {
        name: "bearer",
        patterns: &[
            pat(&["bearer"], r"(?i)(?-u:\b)bearer[ \t]+([A-Za-z0-9._~+/-]{8,}=*)", Bearer),
            // httpie and xh: `-A bearer -a TOKEN`, `--auth-type=bearer --auth TOKEN`, either
            // order: no user, the whole value is the token.
            pat(
                &["bearer"],
                concat!(
                    r#"(?:^|[\s"'])(?:-A|--auth-type)(?:[ \t]+|=)["']?(?i:bearer)["']?[ \t](?:[^\r\n|;&]*?[ \t])?"#,
                    r#"(?:-a(?:[ \t]+|=)?|--auth(?:[ \t]+|=))(?:"([^"\r\n]*)"|'([^'\r\n]*)'|([^\s"']+))"#
                ),
                Plain,
            ),
            pat(
                &["bearer"],
                concat!(
                    r#"(?:^|[\s"'])(?:-a(?:[ \t]+|=)?|--auth(?:[ \t]+|=))(?:"([^"\r\n]*)"|'([^'\r\n]*)'|([^\s"']+))"#,
                    r#"[ \t](?:[^\r\n|;&]*?[ \t])?(?:-A|--auth-type)(?:[ \t]+|=)["']?(?i:bearer)(?:["'\s]|$)"#
                ),
                Plain,
            ),
        ],
    },
    Builtin {
        name: "auth-header",
        patterns: &[pat(
            &["authorization"],
            concat!(
                r"(?i)(?-u:\b)(?:proxy-)?authorization",
                key_quote!(),
                r#"[ \t]*[:=][ \t]*(?:\\?["'])?"#,
                r"(?:(?:bearer|basic|token|bot|apikey|api-key|key|sso-key|splunk|jwt|dpop|negotiate|ntlm|mac|otp|aws4-hmac-sha256|gssapi)[ \t]+",
                r#"([^\s"'\\,;]+)|([^\r\n]+))"#
            ),
            AuthHeader,
        )],
    },
    Builtin {
        name: "cookie",
        patterns: &[
            pat(&["cookie"], r#"(?i)(?-u:\b)set-cookie[ \t]*:[ \t]*[^=;\s]+=([^;\s"']+)"#, Plain),
            pat(&["cookie"], r#"(?i)(?:^|[^\w-])cookie[ \t]*:[ \t]*([^\r\n"']+)"#, Cookie),
        ],
    },
    Builtin {
        name: "url-password",
        patterns: &[Pat {
            near: Near::UserInfo,
            ..pat(&["://"], r#"(?i)(?-u:\b)[a-z][a-z0-9+.-]*://[^\s:/?#@"'<>\[\]]*:([^\s/?#"'<>]+)@"#, Plain)
        }],
    },
    Builtin {
        name: "token-flag",
        patterns: &[pat(
            &["token"],
            concat!(r#"(?:^|[\s"'=])(?P<key>--?(?:[A-Za-z0-9][\w-]*[-_])?token)"#, flag_sep!(), value!()),
            Flag,
        )],
    },
    Builtin {
        name: "password-flag",
        patterns: &[
            pat(
                &["pass"],
                concat!(
                    r#"(?i)(?:^|[\s"'=])(?P<key>--?(?:[A-Za-z0-9][\w-]*[-_])?(?:password|passwd|passphrase|pass))"#,
                    flag_sep!(),
                    value!()
                ),
                Flag,
            ),
            // mysql -pSECRET (attached; `-p` alone prompts)
            pat(&["mysql", "mariadb"], r#"(?:^|\s)-p(?:"([^"]*)"|'([^']*)'|([^\s"'-][^\s"']*))"#, ClientPassword),
            // openssl -passin pass:SECRET
            pat(&["pass:"], r#"(?:^|\s)pass:([^\s"']+)"#, Plain),
            pat(
                &["redis-cli"],
                r#"(?-u:\b)redis-cli(?-u:\b)[^\r\n]*?\s-a[ \t]+(?:"([^"]*)"|'([^']*)'|([^\s"']+))"#,
                Plain,
            ),
            pat(&["sshpass"], r#"(?-u:\b)sshpass[ \t]+-p[ \t]*(?:"([^"]*)"|'([^']*)'|([^\s"']+))"#, Plain),
            // htpasswd -b FILE USER SECRET, htpasswd -nb USER SECRET
            pat(
                &["htpasswd"],
                r#"(?-u:\b)htpasswd[ \t]+-[A-MO-Za-mo-z]*b[A-MO-Za-mo-z]*[ \t]+(?:\S+[ \t]+){2}(?:"([^"]*)"|'([^']*)'|([^\s"']+))"#,
                Plain,
            ),
            pat(
                &["htpasswd"],
                r#"(?-u:\b)htpasswd[ \t]+-(?:[A-Za-z]*n[A-Za-z]*b|[A-Za-z]*b[A-Za-z]*n)[A-Za-z]*[ \t]+\S+[ \t]+(?:"([^"]*)"|'([^']*)'|([^\s"']+))"#,
                Plain,
            ),
            // docker login -u ci -p SECRET registry (podman, nerdctl, buildah, skopeo alike)
            pat(
                &["login"],
                r#"(?-u:\b)(?:docker|podman|nerdctl|buildah|skopeo)[ \t]+login(?-u:\b)[^\r\n]*?[ \t]-p[ \t]+(?:"([^"]*)"|'([^']*)'|([^\s"']+))"#,
                Plain,
            ),
        ],
    },
    Builtin {
        name: "netrc-password",
        patterns: &[
            pat(&["machine"], r"(?-u:\b)machine[ \t]+\S+[ \t]+(?:login[ \t]+\S+[ \t]+)?password[ \t]+(\S+)", Plain),
            // A multi-line ~/.netrc entry: `password x` alone on its line.
            pat(&["password"], r"^[ \t]*password[ \t]+(\S+)[ \t]*$", Plain),
        ],
    },
    Builtin {
        name: "password-assignment",
        patterns: &[pat(
            &["pass", "pwd"],
            concat!(
                r"(?i)(?P<key>[A-Za-z0-9_./-]*(?:password|passwd|passphrase|pass|pwd))",
                key_quote!(),
                r"[ \t]*(?P<sep>=>|:=|[:=])[ \t]*",
                value!()
            ),
            Assign(&PASSWORD_WORDS),
        )],
    },
    Builtin {
        name: "secret-assignment",
        patterns: &[pat(
            &[
                "secret",
                "token",
                "auth",
                "api_key",
                "api-key",
                "apikey",
                "api.key",
                "private_key",
                "private-key",
                "privatekey",
                "encryption",
                "signing",
                "master_key",
                "masterkey",
                "master-key",
            ],
            concat!(
                r"(?i)(?P<key>[A-Za-z0-9_./-]*(?:secret(?:[_-]?key(?:[_-]?base)?)?|token|auth|api[_.-]?key|(?:private|encryption|signing|master)[_-]?key))",
                key_quote!(),
                r"[ \t]*(?P<sep>=>|:=|[:=])[ \t]*",
                value!()
            ),
            Assign(&SECRET_WORDS),
        )],
    },
    Builtin {
        name: "secret-flag",
        // After `secret-assignment`: `--client-secret=X` keeps its name; this finds the value
        // given apart (`--api-key X`, `"--secret", "X"`) of a flag whose value is the secret.
        patterns: &[pat(
            &[
                "secret",
                "secret-key",
                "secret_key",
                "secretkey",
                "api-key",
                "api_key",
                "apikey",
                "access-key",
                "access_key",
                "accesskey",
                "credential",
                "creds",
            ],
            concat!(
                r#"(?i)(?:^|[\s"'=])(?P<key>--?(?:[A-Za-z0-9][\w-]*[-_])?(?:secret|(?:secret|api|access)[-_]?key|credentials?|creds))"#,
                flag_sep!(),
                value!()
            ),
            SecretFlag,
        )],
    },
    Builtin {
        name: "k8s-secret-literal",
        // Last: where a key names a password or token, that rule names the placeholder.
        patterns: &[pat(
            &["from-literal"],
            r#"--from-literal(?:=|[ \t]+)["']?[^=\s"']+=(?:"([^"\r\n]*)"|'([^'\r\n]*)'|([^\s"']+))"#,
            Literal,
        )],
    },
    Builtin {
        name: "private-key-base64",
        // Last: in a kubeconfig or a Secret, those rules name the placeholder.
        patterns: &[pat(&["ls0tls1crudjti"], r"(?-u:\b)(LS0tLS1CRUdJTi[A-Za-z0-9+/]{16,}={0,2})", B64Key)],
    },
];

/// Literals that make `quick_check` say "maybe" without a regex rule of their own:
/// a Secret manifest whose `data:` values carry no other keyword.
pub(crate) const MARKERS: &[&str] = &["kind: secret", "\"kind\": \"secret\"", "\"kind\":\"secret\""];
