//! What a built-in rule is made of: its patterns, the keyword look-around that decides
//! whether a pattern's regex is worth running ([`Near`]), and the context check that
//! confirms a match ([`Check`]).

use super::checks::Words;

/// What confirms a regex match (see `verdict::check`).
#[derive(Clone, Copy)]
pub(crate) enum Check {
    /// Any value that is not a placeholder.
    Plain,
    /// `key = value`: the key must name a secret (`Words`), the value must not be a placeholder,
    /// YAML values run to the end of the line, and weak keys in prose need a random-looking value.
    Assign(&'static Words),
    /// `--flag value`: not a placeholder, not the next flag.
    Flag,
    /// `--api-key value`: as `Flag`, and the value is the secret itself, not which Secret
    /// (`--tls-secret name`, `--secret=ns/name`), a container build's secret spec or a file.
    SecretFlag,
    /// Must look machine-made (`Bearer <token>` outside a header), and not be the word
    /// after httpie/xh's `--auth-type=bearer` (the host).
    Bearer,
    /// Base64 of `user:password`.
    Basic,
    /// `user:password` where the `key` group is the user; `1000:1000` is a uid:gid.
    UserPass,
    /// An `Authorization` header: the credentials after the scheme.
    AuthHeader,
    /// `-----BEGIN … PRIVATE KEY-----`: the block up to `-----END …-----`, maybe many lines on.
    Pem,
    /// Base64 of a PEM private key (`LS0tLS1CRUdJTi…`): it must decode to a BEGIN … PRIVATE
    /// KEY marker. Wrapped (`base64` without `-w0`), the following base64 lines go too.
    B64Key,
    /// A one-line JSON `"data":{…}` of a Secret (kubectl's last-applied-configuration).
    InlineData,
    /// `{"name":"DB_PASSWORD","value":"…"}`: the `key` group (the env var's name) must name
    /// a secret.
    EnvPair,
    /// `--from-literal=KEY=VALUE`: a secret unless the command creates a ConfigMap.
    Literal,
    /// `-pSECRET` glued: a password only for a MySQL-like client (not `docker run -p3306:3306`).
    ClientPassword,
    /// `Cookie: …`: not dig's `; COOKIE: … (good)` (an EDNS option).
    Cookie,
}

pub(crate) struct Pat {
    /// Lowercase literals; the regex runs only on lines holding one of them (any case).
    pub keywords: &'static [&'static str],
    pub regex: &'static str,
    pub check: Check,
    /// What must be next to a keyword for the regex to be worth running.
    pub near: Near,
}

/// A byte-level look around a keyword hit, much cheaper than the regex it saves: a line of
/// prose ("password authentication failed", "token expired") mentions keywords without
/// assigning anything.
#[derive(Clone, Copy, PartialEq, Debug)]
pub(crate) enum Near {
    Anything,
    /// `key = value`: after the rest of the key (and a quote), `=` or `:`.
    Separator,
    /// `--flag value`: the word starts with `-`, and `=` or a space follows it.
    Flag,
    /// `scheme://user:pw@`: a `:` then an `@` before the host part ends.
    UserInfo,
    /// `"name":"X","value":`: the name is followed by a `value` key.
    EnvValue,
}

impl Near {
    /// Is the keyword at `text[start..end]` in a place where the pattern could match?
    pub fn plausible(self, text: &str, start: usize, end: usize) -> bool {
        let b = text.as_bytes();
        let ident = |c: u8| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'-');
        let mut i = end;
        match self {
            Near::Anything => true,
            Near::Separator => {
                while i < b.len() && ident(b[i]) {
                    i += 1;
                }
                while i < b.len() && matches!(b[i], b'"' | b'\'' | b'\\' | b' ' | b'\t') {
                    i += 1;
                }
                i < b.len() && matches!(b[i], b'=' | b':')
            }
            Near::Flag => {
                let mut j = start;
                while j > 0 && (b[j - 1].is_ascii_alphanumeric() || matches!(b[j - 1], b'_' | b'-')) {
                    j -= 1;
                }
                // The flag ends with the keyword or a few letters more (`pass` in `--password`).
                while i < b.len() && b[i].is_ascii_alphabetic() {
                    i += 1;
                }
                // A JSON array's next element: `"--token", "x"`, escaped too.
                let json = || {
                    let rest = text[i..].strip_prefix('\\').unwrap_or(&text[i..]);
                    rest.strip_prefix('"').is_some_and(|r| r.trim_start_matches([' ', '\t']).starts_with(','))
                };
                b[j] == b'-' && i < b.len() && (matches!(b[i], b'=' | b' ' | b'\t') || json())
            }
            Near::EnvValue => {
                while i < b.len() && ident(b[i]) {
                    i += 1;
                }
                let rest = text[i..].trim_start_matches(['\\', '"']).trim_start();
                let rest = rest.strip_prefix(',').unwrap_or("").trim_start();
                rest.trim_start_matches('\\').starts_with("\"value")
            }
            Near::UserInfo => {
                let mut colon = false;
                while i < b.len() && !matches!(b[i], b'/' | b'?' | b'#' | b'@') && !b[i].is_ascii_whitespace() {
                    colon |= b[i] == b':';
                    i += 1;
                }
                // The password may hold a '/', '?' or '#': look on to the next space for '@'.
                colon && text[i..].split(char::is_whitespace).next().is_some_and(|w| w.contains('@'))
            }
        }
    }
}

pub(crate) struct Builtin {
    pub name: &'static str,
    pub patterns: &'static [Pat],
}

#[cfg(test)]
mod tests {
    use super::Near;

    fn near(n: Near, text: &str, keyword: &str) -> bool {
        let s = text.find(keyword).unwrap();
        n.plausible(text, s, s + keyword.len())
    }

    #[test]
    fn keywords_in_prose_skip_the_regex() {
        assert!(!near(Near::Separator, "password authentication failed", "pass"));
        assert!(!near(Near::Separator, "token expired", "token"));
        assert!(!near(Near::Separator, "authentication", "auth"));
        assert!(near(Near::Separator, "DB_PASSWORD=x", "PASS"));
        assert!(near(Near::Separator, "\"password\" : \"x\"", "pass"));
        assert!(near(Near::Separator, "secret_key_base: x", "secret"));
        assert!(near(Near::Separator, "password\\\":\\\"x", "pass"));
        assert!(near(Near::Flag, "k3s agent --token abc", "token"));
        assert!(near(Near::Flag, "--bootstrap-token=abc", "token"));
        assert!(!near(Near::Flag, "x-access-token abc", "token"));
        assert!(!near(Near::Flag, "--token-ttl 0", "token"));
        assert!(near(Near::Flag, r#"["--token","x"]"#, "token"));
        assert!(near(Near::Flag, r#"[\"--api-key\", \"x\"]"#, "api-key"));
        assert!(!near(Near::Flag, r#"["--token-ttl", "0"]"#, "token"));
        assert!(near(Near::UserInfo, "postgres://u:pw@h/db", "://"));
        assert!(near(Near::UserInfo, "amqp://u:p/w@h", "://"));
        assert!(!near(Near::UserInfo, "https://host:443/path", "://"));
        assert!(!near(Near::UserInfo, "docker-pullable://nginx@sha256:abc", "://"));
    }
}
