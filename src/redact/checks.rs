//! Context checks that run after a pattern matched: is this value really a secret, or a
//! placeholder, a variable, a checksum, or a word in a sentence?

/// Values that stand for a secret without being one: `${VAR}`, `$(cmd)`, `{{ .Values.x }}`,
/// `<REDACTED>`, `****`, our own `[REDACTED:…]`, booleans and nulls. Keeping them is what
/// makes redaction idempotent and keeps templates readable.
pub(crate) fn is_placeholder(value: &str) -> bool {
    let v = value.trim();
    if v.is_empty() {
        return true;
    }
    let b = v.as_bytes();
    // Our own placeholder, alone or inside (a PEM string redacted before).
    if v.contains("[REDACTED:")
        || v.starts_with("${")
        || v.starts_with("$(")
        || v.starts_with("{{")
        || v.starts_with("#{")
        || v.starts_with("%(")
        || (b[0] == b'<' && v.contains('>'))
    {
        return true;
    }
    // $VAR, %VAR%
    if b.len() > 1 && b[0] == b'$' && b[1..].iter().all(|c| c.is_ascii_alphanumeric() || *c == b'_') {
        return true;
    }
    if b.len() > 2 && b[0] == b'%' && b[b.len() - 1] == b'%' {
        return true;
    }
    // ****, xxxx, ..., •••
    if v.chars().count() >= 3 && v.chars().all(|c| matches!(c, '*' | 'x' | 'X' | '.' | '•' | '#')) {
        return true;
    }
    // YAML structure rather than a value: block scalars, anchors, aliases, nested maps.
    if matches!(v, "|" | "|-" | "|+" | ">" | ">-" | ">+" | "{" | "[" | "{}" | "[]" | "-" | "?") {
        return true;
    }
    if (b[0] == b'&' || b[0] == b'*')
        && b.len() > 1
        && b[1..].iter().all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-'))
    {
        return true;
    }
    const WORDS: &[&str] = &[
        "redacted",
        "null",
        "nil",
        "none",
        "undefined",
        "true",
        "false",
        "yes",
        "no",
        "~",
        "data+omitted",
        "hidden",
        "masked",
        "omitted",
        "%s",
        "%v",
        "%q",
    ];
    // `[REDACTED]` as other tools (and `--no-redact` snapshots) write it; a bare value stops
    // at the `]`. Numbered, it would be one "secret" behind every such marker.
    let word = v.strip_prefix('[').map_or(v, |w| w.strip_suffix(']').unwrap_or(w));
    WORDS.iter().any(|w| word.eq_ignore_ascii_case(w))
}

/// Is `value` a YAML block scalar indicator (`|`, `>-`, `|2` …)? The secret is on the
/// lines below.
pub(crate) fn is_block_indicator(value: &str) -> bool {
    let mut chars = value.trim().chars();
    matches!(chars.next(), Some('|' | '>')) && chars.all(|c| matches!(c, '-' | '+' | '1'..='9'))
}

/// Key words that make an assignment secret. `strong` words count wherever they end the key
/// (`dbpassword`, `STRIPE_SECRET_KEY` → `stripesecretkey`), compared with separators removed;
/// `weak` words only at a word boundary (`GITHUB_TOKEN`, `clientSecret`, not `tokens`, `oauth`).
pub(crate) struct Words {
    pub strong: &'static [&'static str],
    pub weak: &'static [&'static str],
}

pub(crate) const PASSWORD_WORDS: Words =
    Words { strong: &["password", "passwd", "passphrase"], weak: &["pass", "pwd"] };

pub(crate) const SECRET_WORDS: Words = Words {
    strong: &[
        "apikey",
        "privatekey",
        "secretkey",
        "secretkeybase",
        "encryptionkey",
        "signingkey",
        "masterkey",
        "clientsecret",
        "accesstoken",
        "authtoken",
        "sessiontoken",
        "refreshtoken",
        // AWS_SECRET_ACCESS_KEY, AZURE_STORAGE_ACCOUNT_KEY, AZURE_STORAGE_KEY, SharedAccessKey
        "secretaccesskey",
        "accountkey",
        "storagekey",
        "sharedaccesskey",
        // docker config.json
        "identitytoken",
        "registrytoken",
    ],
    weak: &["secret", "token", "auth"],
};

/// How a key matched its word list.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum KeyMatch {
    Strong,
    Weak,
}

/// Does `key` (as written: `DB_PASSWORD`, `"clientSecret"`, `--api-key`) name a secret?
pub(crate) fn key_matches(key: &str, words: &Words) -> Option<KeyMatch> {
    let key = key.trim_matches(|c| matches!(c, '"' | '\'' | '\\' | '-'));
    let normal: String = key.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_lowercase()).collect();
    // Checksums and hashes of secrets are not secrets (helm's `checksum/secret: 3f2a…`),
    // nor are names of secrets (`existingSecret: db-creds`).
    const NOT_SECRET: &[&str] = &["checksum", "hash", "digest", "sha256", "fingerprint"];
    if NOT_SECRET.iter().any(|w| normal.contains(w))
        || matches!(normal.as_str(), "existingsecret" | "secretname" | "kind")
    {
        return None;
    }
    if words.strong.iter().any(|w| normal.ends_with(w)) {
        return Some(KeyMatch::Strong);
    }
    let lower = key.to_ascii_lowercase();
    for w in words.weak {
        if !lower.ends_with(w) {
            continue;
        }
        let at = key.len() - w.len();
        let bytes = key.as_bytes();
        let boundary = at == 0
            || !bytes[at - 1].is_ascii_alphanumeric()
            || (bytes[at].is_ascii_uppercase() && bytes[at - 1].is_ascii_lowercase());
        if boundary {
            return Some(KeyMatch::Weak);
        }
    }
    None
}

/// A key that names a Kubernetes Secret object rather than holding a secret: `secret`,
/// ingress-nginx's `auth-secret`, `auth-tls-secret`, `proxy-ssl-secret`, a `--tls-secret`
/// flag, `authSecret` (the last part of an annotation's name counts). An environment
/// variable (`JWT_SECRET`, `WEBHOOK_SECRET`) holds a value.
pub(crate) fn names_a_secret_object(key: &str) -> bool {
    let last = key.rsplit(['/', '.']).next().unwrap_or(key).to_ascii_lowercase();
    matches!(
        last.as_str(),
        "secret" | "auth-secret" | "auth-tls-secret" | "tls-secret" | "proxy-ssl-secret" | "authsecret" | "tlssecret"
    )
}

/// Is `value`, given to `flag` (`--api-key`, `--client-secret`, `--credentials`), the
/// secret itself? Not when the flag names a Secret object (`--tls-secret web-tls`,
/// `--image-pull-secret regcred`, `--secret=ns/name`), for a container tool's `--secret`
/// (`docker build --secret id=npm,src=…`, `podman run --secret db-pass`: which secret to
/// mount), nor a file (`--credentials ~/.config/creds.json`). `before`: the line before it.
pub(crate) fn flag_gives_secret(flag: &str, value: &str, before: &str) -> bool {
    let name = flag.trim_start_matches('-').to_ascii_lowercase().replace('_', "-");
    const NAMES_A_SECRET: &[&str] = &["tls", "ssl", "pull", "existing", "registry", "ref", "from", "mount", "volume"];
    if let Some(prefix) = name.strip_suffix("secret")
        && NAMES_A_SECRET.iter().any(|w| prefix.contains(w))
    {
        return false;
    }
    if names_a_secret_object(&name) && is_secret_reference(value) {
        return false;
    }
    const CONTAINER_TOOLS: &[&str] = &["docker", "podman", "buildah", "nerdctl", "buildctl", "buildx", "kaniko"];
    let before = before.to_ascii_lowercase();
    if name == "secret" && CONTAINER_TOOLS.iter().any(|t| before.contains(t)) {
        return false;
    }
    !is_file_path(value)
}

/// A file named as a flag's value: relative to home or here, or with a config's extension.
fn is_file_path(value: &str) -> bool {
    const EXTENSIONS: &[&str] =
        &[".json", ".yaml", ".yml", ".ini", ".cfg", ".conf", ".toml", ".txt", ".pem", ".key", ".p12", ".pfx", ".env"];
    let lower = value.to_ascii_lowercase();
    ["~/", "./", "../"].iter().any(|p| value.starts_with(p)) || EXTENSIONS.iter().any(|e| lower.ends_with(e))
}

/// `namespace/name` of a Kubernetes Secret, as an ingress controller's `auth-secret`
/// annotation or a `--secret=ns/name` flag takes it: a DNS label (the namespace), one `/`,
/// a DNS subdomain (the name), lowercase, each with a letter. A generated secret holding a
/// `/` is base64 (capitals, `+`, `=`): 20 random base64 characters are all lowercase,
/// digits and dashes once in ~100,000. A chosen one may well look like a reference, so
/// the key must name a Secret too ([`names_a_secret_object`]).
pub(crate) fn is_secret_reference(value: &str) -> bool {
    let Some((namespace, name)) = value.split_once('/') else {
        return false;
    };
    let dns = |part: &str, max: usize, dots: bool| {
        let b = part.as_bytes();
        !b.is_empty()
            && b.len() <= max
            && b[0].is_ascii_alphanumeric()
            && b[b.len() - 1].is_ascii_alphanumeric()
            && b.iter().any(u8::is_ascii_lowercase)
            && b.iter().all(|&c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-' || (dots && c == b'.'))
    };
    dns(namespace, 63, false) && dns(name, 253, true)
}

/// A value that looks machine-made rather than a word of prose: long enough, and with a
/// digit, an inner capital or a symbol. Used where the key alone is weak evidence
/// ("Rotate token: use the new one" is prose; "token: 9f8eAq…" is not).
pub(crate) fn looks_random(value: &str) -> bool {
    let b = value.as_bytes();
    b.len() >= 8
        && (b.iter().any(u8::is_ascii_digit)
            || b[1..].iter().any(u8::is_ascii_uppercase)
            || b.iter().any(|c| matches!(c, b'.' | b'_' | b'-' | b'~' | b'+' | b'/' | b'=')))
}

/// Does `before` end with httpie/xh's `-A ` or `--auth-type=`? Then the `bearer` after it
/// names the scheme, and the word after that is the URL, not a token.
pub(crate) fn names_auth_type(before: &str) -> bool {
    let flag = before.trim_end_matches(['"', '\'']).trim_end_matches([' ', '\t', '=']);
    let word = flag.rsplit([' ', '\t', '"', '\'']).next().unwrap_or("");
    matches!(word, "-A" | "--auth-type")
}

/// Standard or URL-safe base64, padding optional. `None` if `s` is not base64.
pub(crate) fn base64_decode(s: &str) -> Option<Vec<u8>> {
    use base64::Engine;
    use base64::alphabet::{STANDARD, URL_SAFE};
    use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
    const LENIENT: GeneralPurposeConfig = GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true);
    const STD: GeneralPurpose = GeneralPurpose::new(&STANDARD, LENIENT);
    const URL: GeneralPurpose = GeneralPurpose::new(&URL_SAFE, LENIENT);
    STD.decode(s).or_else(|_| URL.decode(s)).ok()
}

/// `Basic` credentials decode to `user:password`; "basic authentication" does not.
/// Does base64 `value` start with a `-----BEGIN … PRIVATE KEY-----` marker? (Not a
/// certificate's `LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t`.)
pub(crate) fn is_base64_private_key(value: &str) -> bool {
    let head = &value[..value.len().min(120) / 4 * 4];
    base64_decode(head).is_some_and(|b| {
        let line = b.split(|c| *c == b'\n').next().unwrap_or_default();
        line.starts_with(b"-----BEGIN ") && line.windows(11).any(|w| w == b"PRIVATE KEY")
    })
}

pub(crate) fn is_basic_credentials(value: &str) -> bool {
    base64_decode(value)
        .and_then(|b| String::from_utf8(b).ok())
        .is_some_and(|s| s.contains(':') && !s.chars().any(char::is_control))
}

/// For a `data:` value whose manifest kind is not known to be a Secret (kubectl sorts
/// `data` before `kind`): redact it if it is base64 of text, or long base64 (binary keys,
/// keystores). `true`, `8080`, `info` are valid base64 of garbage and stay.
pub(crate) fn looks_like_secret_data(value: &str) -> bool {
    let v = value.trim();
    if v.len() < 4 || !v.len().is_multiple_of(4) || is_placeholder(v) {
        return false;
    }
    match base64_decode(v) {
        None => false,
        Some(_) if v.len() >= 64 => true,
        Some(bytes) => std::str::from_utf8(&bytes)
            .is_ok_and(|s| !s.is_empty() && s.chars().all(|c| !c.is_control() || c.is_whitespace())),
    }
}

/// Trims a YAML value: drops a trailing ` # comment` and the whitespace around it.
pub(crate) fn yaml_value_end(rest: &str) -> usize {
    let mut end = rest.len();
    let b = rest.as_bytes();
    for i in 1..b.len() {
        if b[i] == b'#' && (b[i - 1] == b' ' || b[i - 1] == b'\t') {
            end = i;
            break;
        }
    }
    rest[..end].trim_end().len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_recognised() {
        for v in [
            "${DB_PASSWORD}",
            "$(cat /run/secrets/db)",
            "{{ .Values.password }}",
            "<REDACTED>",
            "<set to the key 'password' in secret 'db'>",
            "[REDACTED:password-assignment-1]",
            "********",
            "xxxxxxxx",
            "$DB_PASS",
            "%DB_PASS%",
            "",
            "  ",
            "null",
            "TRUE",
            "|",
            ">-",
            "*default",
            "DATA+OMITTED",
        ] {
            assert!(is_placeholder(v), "{v:?} should be a placeholder");
        }
        for v in ["hunter2", "$ecret!", "p@ss<word", "xoxb-1", "{abc", "S3cr3t"] {
            assert!(!is_placeholder(v), "{v:?} is a real value");
        }
    }

    #[test]
    fn keys_match_by_word_and_boundary() {
        use KeyMatch::*;
        let cases = [
            ("DB_PASSWORD", Some(Strong)),
            ("mysqlpassword", Some(Strong)),
            ("--password", Some(Strong)),
            ("\"clientSecret\"", Some(Strong)),
            ("JWT_SECRET", Some(Weak)),
            ("nextauthSecret", Some(Weak)),
            ("GITHUB_TOKEN", Some(Weak)),
            ("x-api-key", Some(Strong)),
            ("api.key", Some(Strong)),
            ("SECRET_KEY_BASE", Some(Strong)),
            ("auth", Some(Weak)),
            ("tokens", None),
            ("oauth", None),
            ("bypass", None),
            ("checksum/secret", None),
            ("password_hash", None),
            ("existingSecret", None),
            ("secretName", None),
            ("PWD", Some(Weak)),
        ];
        for (key, want) in cases {
            let words = if key.to_ascii_lowercase().contains("pass") || key.eq_ignore_ascii_case("pwd") {
                &PASSWORD_WORDS
            } else {
                &SECRET_WORDS
            };
            assert_eq!(key_matches(key, words), want, "{key}");
        }
    }

    #[test]
    fn base64_decodes_both_alphabets() {
        assert_eq!(base64_decode("YWRtaW4=").unwrap(), b"admin");
        assert_eq!(base64_decode("YWRtaW4").unwrap(), b"admin");
        assert_eq!(base64_decode("-_8").unwrap(), [0xfb, 0xff]);
        assert!(base64_decode("not base64!").is_none());
    }

    #[test]
    fn secret_data_heuristic_keeps_config_values() {
        assert!(looks_like_secret_data("YWRtaW4="));
        assert!(looks_like_secret_data("czNjcjN0IQ=="));
        for keep in ["true", "8080", "info", "none", "debug", "3", ""] {
            assert!(!looks_like_secret_data(keep), "{keep}");
        }
    }

    #[test]
    fn base64_of_a_private_key_marker_only() {
        assert!(is_base64_private_key("LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVktLS0tLQpNSUlFb3dJQkFBS0NBUUVB"));
        assert!(is_base64_private_key("LS0tLS1CRUdJTiBPUEVOU1NIIFBSSVZBVEUgS0VZLS0tLS0="));
        assert!(!is_base64_private_key("LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUJkakNDQVIy"));
        assert!(!is_base64_private_key("LS0tLS1CRUdJTiBQVUJMSUMgS0VZLS0tLS0K"));
    }

    #[test]
    fn basic_credentials_decode_to_user_colon_password() {
        assert!(is_basic_credentials("YWRtaW46aHVudGVyMg=="));
        assert!(!is_basic_credentials("authentication"));
    }

    #[test]
    fn secret_references_are_namespace_slash_name() {
        for r in ["default/db-password", "kube-system/registry-creds", "ingress-nginx/ca.example.com", "a1/b2"] {
            assert!(is_secret_reference(r), "{r}");
        }
        let values = [
            "db-password",
            "Xy7kQ2/pLm9Rt4vZ8wNc",
            "xy7kq2/plm9rt4+vz8wn=",
            "/etc/secret",
            "run/secrets/db",
            "default/",
            "-x/y",
            "default/db_password",
            "123/456",
            "my.ns/name",
        ];
        for v in values {
            assert!(!is_secret_reference(v), "{v}");
        }
    }

    #[test]
    fn random_looking_values() {
        assert!(looks_random("9f8eAq2Lx"));
        assert!(looks_random("abc.def.ghi"));
        assert!(!looks_random("use"));
        assert!(!looks_random("authentication"));
        assert!(!looks_random("Authentication"));
    }

    #[test]
    fn yaml_comment_is_not_value() {
        let rest = "hunter2 two  # from vault";
        assert_eq!(&rest[..yaml_value_end(rest)], "hunter2 two");
        let rest = "pa#ss";
        assert_eq!(&rest[..yaml_value_end(rest)], "pa#ss");
    }
}
