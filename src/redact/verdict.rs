//! What confirms a regex match: the context checks of each rule kind, turning a match into
//! a secret's byte range or a rejection.

use super::bare::{bare_end, starts_with_escape};
use super::checks::{
    self, KeyMatch, is_basic_credentials, is_block_indicator, is_placeholder, key_matches, looks_random, yaml_value_end,
};
use super::pattern::Check;

/// What a match looked like around its value.
pub(crate) struct Ctx<'t> {
    pub text: &'t str,
    pub line_start: bool,
    /// Which of the pattern's secret groups matched (for assignments: escaped-JSON,
    /// double-quoted, single-quoted, bare).
    pub group_index: usize,
    pub key: Option<(usize, usize)>,
    pub sep: Option<(usize, usize)>,
    /// Where the whole match starts.
    pub start: usize,
}

pub(crate) enum Verdict {
    /// `to_eol`: the value runs to the end of the line; `sticky`: it was found from the
    /// start of its line (YAML), so a later window could not find it again.
    Secret {
        start: usize,
        end: usize,
        to_eol: bool,
        sticky: bool,
    },
    Reject,
    /// A YAML block scalar holding a secret starts; its key is at this column.
    Block(usize),
    Pem,
    InlineData(usize, usize),
}

pub(crate) fn check(kind: Check, ctx: &Ctx, vs: usize, ve: usize) -> Verdict {
    let text = ctx.text;
    let (vs, mut ve) = trim(text, vs, ve);
    // A flag's bare value (`--password=S3cr3t;Pass`) ends where an assignment's does.
    if matches!(kind, Check::Flag | Check::SecretFlag)
        && ctx.group_index == 3
        && let Some((ks, _)) = ctx.key
    {
        ve = bare_end(text, ks, vs);
        if starts_with_escape(&text[vs..ve]) {
            return Verdict::Reject;
        }
    }
    let value = &text[vs..ve];
    // `--password \` at the end of a line: the value is on the next (see `continued`).
    if value.bytes().all(|b| b == b'\\') && super::engine::continues(value) && text[ve..].trim().is_empty() {
        return Verdict::Reject;
    }
    let plain = |ok: bool| {
        if ok && !is_placeholder(value) {
            Verdict::Secret { start: vs, end: ve, to_eol: false, sticky: false }
        } else {
            Verdict::Reject
        }
    };
    match kind {
        Check::Plain => plain(true),
        Check::Flag => plain(is_flag_value(ctx, value)),
        Check::SecretFlag => {
            let flag = ctx.key.map(|(s, e)| &text[s..e]).unwrap_or("");
            plain(is_flag_value(ctx, value) && checks::flag_gives_secret(flag, value, &text[..ctx.start]))
        }
        Check::Bearer => plain(looks_random(value) && !checks::names_auth_type(&text[..ctx.start])),
        Check::Basic => plain(is_basic_credentials(value)),
        Check::UserPass => {
            let (ks, ke) = ctx.key.unwrap_or((vs, vs));
            let user = &text[ks..ke];
            let numeric = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
            // `-a [REDACTED:bearer-1]`: a whole token redacted before, not a `user:password`.
            if user.starts_with("[REDACTED") || numeric(user) && numeric(value) || is_placeholder(value) {
                return Verdict::Reject;
            }
            // `-u 'u:pa ss'`: quoted, the password runs to the closing quote, spaces and all.
            let end = quoted_end(text, ks, ve).unwrap_or(ve);
            Verdict::Secret { start: vs, end, to_eol: false, sticky: false }
        }
        Check::AuthHeader => auth_header(ctx, vs, ve),
        Check::Pem => Verdict::Pem,
        Check::B64Key => plain(checks::is_base64_private_key(value)),
        Check::InlineData => Verdict::InlineData(vs, ve),
        Check::Literal => {
            // `kubectl create configmap x --from-literal=…` (or `cm`) holds no secret; a
            // `create secret` command, or a continuation line of one, does.
            let before = text[..ctx.start].to_ascii_lowercase();
            plain(!(before.contains("configmap") || before.split_whitespace().any(|w| w == "cm")))
        }
        Check::ClientPassword => plain(is_client_password(text, ctx.start, value)),
        // dig prints its EDNS cookie in a `;` comment line.
        Check::Cookie => plain(!text.trim_start().starts_with(';')),
        Check::EnvPair => {
            let name = ctx.key.map(|(s, e)| &text[s..e]).unwrap_or("");
            plain(
                checks::key_matches(name, &checks::PASSWORD_WORDS).is_some()
                    || checks::key_matches(name, &checks::SECRET_WORDS).is_some(),
            )
        }
        Check::Assign(words) => assign(words, ctx, vs, ve),
    }
}

/// An `Authorization` value. After a known scheme the credentials are one word; otherwise
/// (Digest, custom schemes) the value runs to the end of the line, or to the quote that
/// opened the header (`-H "Authorization: …"`), so no parameter escapes.
fn auth_header(ctx: &Ctx, vs: usize, mut ve: usize) -> Verdict {
    let text = ctx.text;
    if ctx.group_index == 1 {
        let opening = text[..ctx.start].chars().next_back();
        if let Some(q) = opening.filter(|c| matches!(c, '"' | '\''))
            && let Some(i) = text[vs..ve].find(q)
        {
            ve = vs + i;
        }
        (_, ve) = trim(text, vs, ve);
    }
    let value = text[vs..ve].trim_end_matches('\\');
    const SCHEMES: &[&str] = &["bearer", "basic", "token", "digest", "negotiate", "ntlm"];
    if value.is_empty() || is_placeholder(value) || SCHEMES.iter().any(|s| value.eq_ignore_ascii_case(s)) {
        return Verdict::Reject;
    }
    Verdict::Secret { start: vs, end: vs + value.len(), to_eol: ctx.group_index == 1, sticky: false }
}

/// Where a value that a quote before `ks` opened ends, when it goes on past `ve` (the
/// end of its first word): at that quote, on the same line.
fn quoted_end(text: &str, ks: usize, ve: usize) -> Option<usize> {
    let quote = text[..ks].chars().next_back().filter(|c| matches!(c, '"' | '\''))?;
    if text[ve..].starts_with(quote) {
        return None;
    }
    let rest = &text[ve..];
    let close = rest.find(quote)?;
    (!rest[..close].contains(['\n', '\r'])).then_some(ve + close)
}

/// Is `-p<value>` at `at` the password of a MySQL-like client? The client must be named in
/// the same command before it (`mysql -u root -pX`, `docker exec db mysql -pX`), the command
/// must not be a search (`grep mysql -perl`), and the value not a port mapping (`-p3306:3306`).
fn is_client_password(text: &str, at: usize, value: &str) -> bool {
    const CLIENTS: &[&str] = &[
        "mysql",
        "mysqldump",
        "mysqladmin",
        "mysqlimport",
        "mysqlcheck",
        "mysqlshow",
        "mysqlsh",
        "mysqlpump",
        "mysqlbinlog",
        "mariadb",
        "mariadb-dump",
        "mariadb-admin",
        "mariadb-import",
        "mariadb-check",
    ];
    const SEARCHES: &[&str] = &["grep", "egrep", "fgrep", "zgrep", "rg", "ag", "ack", "pgrep", "pkill", "find", "ps"];
    let command = text[..at].rsplit(['|', ';', '&', '(', '`']).next().unwrap_or("");
    let mut words = command.split_whitespace().filter(|w| !matches!(*w, "$" | "#" | "sudo"));
    let first = words.next().unwrap_or("");
    // A command quoted for a shell (`sh -c "mysql -pX"`) is the client all the same.
    let base = |w: &str| {
        let w = w.trim_start_matches(['"', '\'']);
        w.rsplit('/').next().unwrap_or(w).to_ascii_lowercase()
    };
    let port = !value.is_empty()
        && value.contains(':')
        && value.bytes().all(|b| b.is_ascii_digit() || matches!(b, b':' | b'.'));
    !port
        && !SEARCHES.contains(&base(first).as_str())
        && std::iter::once(first).chain(words).any(|w| CLIENTS.contains(&base(w).as_str()))
}

/// Is `value` what the flag before it was given? `--token is required` is a log message,
/// not a token; `<<<` is the shell's; after a JSON array's `", "` only a JSON string is
/// (`"--token", then …` is prose).
fn is_flag_value(ctx: &Ctx, value: &str) -> bool {
    let sep = ctx.sep.map(|(s, e)| &ctx.text[s..e]).unwrap_or("=");
    let spaced = sep.trim().is_empty();
    let operator = value.starts_with(['-', '<', '>', '|', '&']);
    let unquoted_in_array = sep.contains(',') && ctx.group_index > 1;
    !(operator || unquoted_in_array || spaced && is_stop_word(value))
}

/// Words that follow a flag's name in prose ("--token is required"), never as its value.
fn is_stop_word(value: &str) -> bool {
    const WORDS: &[&str] = &[
        "is",
        "was",
        "are",
        "be",
        "and",
        "or",
        "to",
        "flag",
        "option",
        "must",
        "required",
        "not",
        "the",
        "for",
        "with",
        "of",
        "in",
        "on",
        "should",
        "can",
        "cannot",
        "may",
        "value",
        "argument",
        "parameter",
        "missing",
        "given",
        "provided",
        "specified",
        "set",
        "file",
        "needs",
        "needed",
        "expected",
        "invalid",
        "empty",
        "too",
        "only",
        "also",
        "from",
    ];
    WORDS.iter().any(|w| value.eq_ignore_ascii_case(w))
}

fn trim(text: &str, mut s: usize, mut e: usize) -> (usize, usize) {
    let b = text.as_bytes();
    while s < e && b[s].is_ascii_whitespace() {
        s += 1;
    }
    while e > s && b[e - 1].is_ascii_whitespace() {
        e -= 1;
    }
    (s, e)
}

/// `key = value` in env files, YAML, JSON, logfmt, Go structs, query strings, flags.
/// What passwd(1) and PAM print after `passwd:` (shadow-utils, Linux-PAM).
fn is_passwd_message(rest: &str) -> bool {
    const MESSAGES: &[&str] = &[
        "password updated successfully",
        "all authentication tokens updated successfully",
        "password expiry information changed",
        "authentication token manipulation error",
        "password unchanged",
        "have exhausted maximum number of retries",
    ];
    let line = rest.lines().next().unwrap_or("").trim().to_ascii_lowercase();
    MESSAGES.iter().any(|m| line.starts_with(m))
}

fn assign(words: &checks::Words, ctx: &Ctx, vs: usize, mut ve: usize) -> Verdict {
    let text = ctx.text;
    let Some((ks, ke)) = ctx.key else {
        return Verdict::Reject;
    };
    let key = &text[ks..ke];
    // `https://x-access-token:ghs_…@github.com`: user info, the url-password rule's job.
    if text[..ks].ends_with("://") || (key.starts_with("//") && text[..ks].ends_with(':')) {
        return Verdict::Reject;
    }
    // `/etc/passwd: permission denied`: a file path, not a key.
    if key.contains('/') {
        return Verdict::Reject;
    }
    let Some(strength) = key_matches(key, words) else {
        return Verdict::Reject;
    };
    let sep = ctx.sep.map(|(s, e)| &text[s..e]).unwrap_or("=");
    let sep_end = ctx.sep.map(|s| s.1).unwrap_or(ks);
    let before_key = &text[..ks];
    let key_quoted = before_key.ends_with(['"', '\'']) || text[ke..sep_end].contains(['"', '\'']);
    let bare = ctx.group_index == 3;
    // `  - password: hunter2 two  # note`: a YAML plain scalar runs to the end of the line.
    let yaml_line = sep == ":" && ctx.line_start && {
        let lead = before_key.trim_start_matches([' ', '\t']);
        lead.is_empty() || lead.trim_end() == "-"
    };
    if yaml_line && bare {
        let rest = &text[vs..];
        ve = vs + yaml_value_end(rest);
        if is_block_indicator(&text[vs..ve]) {
            return Verdict::Block(ks);
        }
    } else if bare {
        ve = bare_end(text, ks, vs);
        if starts_with_escape(&text[vs..ve]) {
            return Verdict::Reject;
        }
    }
    let value = &text[vs..ve];
    let spaced = vs > sep_end && text.as_bytes()[vs - 1].is_ascii_whitespace();
    if is_placeholder(value) || (spaced && bare && value.starts_with('#')) || (bare && starts_with_escape(value)) {
        return Verdict::Reject;
    }
    // $PWD is the shell's working directory.
    let k = key.trim_matches(|c| matches!(c, '"' | '\'' | '-'));
    // `passwd: password updated successfully`: passwd(1) reporting, not a passphrase.
    if k.eq_ignore_ascii_case("passwd") && sep == ":" && is_passwd_message(&text[vs..]) {
        return Verdict::Reject;
    }
    if (k.eq_ignore_ascii_case("pwd") || k.eq_ignore_ascii_case("oldpwd")) && value.starts_with(['/', '~']) {
        return Verdict::Reject;
    }
    if strength == KeyMatch::Weak {
        // `secret: default/db-password`, `--tls-secret=ns/name`: which Secret, not its value.
        // Only under keys that name a Secret object: `JWT_SECRET=acme/key-2024` is a value.
        if checks::names_a_secret_object(k) && checks::is_secret_reference(value) {
            return Verdict::Reject;
        }
        if value.len() <= 6 && value.bytes().all(|b| b.is_ascii_digit()) {
            return Verdict::Reject;
        }
        // "Rotate token: use the new one" is prose; `token: 9f8eAq…` and `token=use` are not.
        // Nor are several words after a weak key at line start ("    Token: see the runbook"
        // in a commit message): tokens and secrets have no spaces, passwords may.
        let prose = sep == ":" && spaced && bare && !key_quoted && !yaml_line;
        let first_word = value.split_whitespace().next().unwrap_or("");
        let sentence = yaml_line && bare && first_word.len() < value.len();
        if (prose || sentence) && !looks_random(first_word) {
            return Verdict::Reject;
        }
    }
    Verdict::Secret { start: vs, end: ve, to_eol: yaml_line && bare, sticky: yaml_line && bare }
}
