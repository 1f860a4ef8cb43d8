//! Kubernetes Secret manifests, line by line (YAML and pretty JSON): which values under
//! `data:`/`stringData:` are secrets.
//!
//! Also the `value` of a container env var whose `name` says it is a password, a token or a
//! key (`- name: DB_PASSWORD` then `value: …`, in YAML or pretty JSON).
//!
//! kubectl sorts keys, so `data:` comes before `kind: Secret`. Under a known `kind: Secret`
//! (hand-written manifests put `kind` first) and under `stringData:` every value is redacted;
//! under a known `ConfigMap` none. A `data:` block of an object whose kind is not known yet
//! ([`Found::KindLater`]) is held by the redactor until the object's `kind` line ([`peek_kind`])
//! names it ([`Manifest::resolve`]), then read again. Only when no kind comes (the object
//! ends, the text ends, 1 MiB held) is a value guessed: redacted when it is base64 of text or
//! long base64, which ConfigMap values (`Corefile: |`, `true`, `8080`) almost never are.

use super::checks::{
    PASSWORD_WORDS, SECRET_WORDS, is_block_indicator, is_placeholder, key_matches, looks_like_secret_data,
    yaml_value_end,
};

#[derive(Default)]
pub(crate) struct Manifest {
    /// Objects being read, outermost first, by the column of their `apiVersion` key: `kind`
    /// at that column is the object's kind, not an `ownerReferences` entry's, and a List's
    /// items each get their own.
    objects: Vec<(usize, Kind)>,
    block: Option<Block>,
    /// Column of a `name:` key naming a secret env var: its `value:` is on the next line.
    env: Option<usize>,
}

#[derive(Default, Clone, Copy, PartialEq, Debug)]
enum Kind {
    #[default]
    Unknown,
    Secret,
    ConfigMap,
    Other,
}

#[derive(Clone, Copy, PartialEq, Debug)]
enum Mode {
    /// Every value is a secret.
    All,
    /// Only values that look like Secret data.
    Guess,
    /// None (a ConfigMap's data, known after the block was read).
    Keep,
}

#[derive(Debug)]
struct Block {
    json: bool,
    /// Column of the `data` key; YAML entries are indented further.
    col: usize,
    /// Column of the first entry; deeper lines are nested content, not entries.
    entry_col: Option<usize>,
    mode: Mode,
}

/// What a line holds.
#[derive(Debug, PartialEq)]
pub(crate) enum Found {
    Nothing,
    /// A secret value at this byte range of the line; `to_eol` if it runs to the line's end
    /// (a YAML value) rather than to a closing quote.
    Value {
        start: usize,
        end: usize,
        to_eol: bool,
    },
    /// `key: |` under secret data: the following lines indented past this column are secret.
    BlockScalar(usize),
    /// The value of an env var named like a secret, at this byte range of the line.
    EnvValue {
        start: usize,
        end: usize,
    },
    /// A `data` block opens in an object whose `kind` is not known yet: its lines are worth
    /// holding until the `kind` key at this column says what they are.
    KindLater(usize),
}

/// What a line held after a [`Found::KindLater`] says.
#[derive(Debug, PartialEq)]
pub(crate) enum Peek<'a> {
    /// Still inside the object, no kind yet.
    Hold,
    /// The object's kind.
    Kind(&'a str),
    /// The object (or document) ended without one.
    End,
}

/// Reads a line held after [`Found::KindLater`] (col: the column of the object's keys).
pub(crate) fn peek_kind(line: &str, col: usize) -> Peek<'_> {
    let indent = line.bytes().take_while(|b| *b == b' ').count();
    let rest = &line[indent..];
    if rest.trim().is_empty() {
        return Peek::Hold;
    }
    if indent < col || rest.trim_end() == "---" || rest.starts_with("--- ") {
        return Peek::End;
    }
    match split_key(rest) {
        Some(("kind", after, _)) if indent == col => Peek::Kind(unquote(after.trim())),
        Some(("apiVersion", _, _)) if indent == col => Peek::End,
        _ => Peek::Hold,
    }
}

impl Manifest {
    pub fn reset(&mut self) {
        *self = Manifest::default();
    }

    /// The open object's kind, learnt after its `data` block (see [`Found::KindLater`]): the
    /// block's lines, read again, are redacted as that kind's.
    pub fn resolve(&mut self, kind: &str) {
        let kind = Kind::of(kind);
        if let Some((_, k)) = self.objects.last_mut() {
            *k = kind;
        }
        if let Some(b) = self.block.as_mut().filter(|b| b.mode == Mode::Guess) {
            match kind {
                Kind::Secret => b.mode = Mode::All,
                Kind::ConfigMap => b.mode = Mode::Keep,
                _ => {}
            }
        }
    }

    /// Reads a line (without its line ending). `complete` is false for the first window of
    /// a line too long to hold: a value may then run past its end.
    pub fn line(&mut self, line: &str, complete: bool) -> Found {
        let indent = line.bytes().take_while(|b| *b == b' ').count();
        let rest = &line[indent..];
        if rest.trim().is_empty() {
            return Found::Nothing;
        }
        if let Some(b) = &self.block {
            let closes = if b.json { rest.starts_with('}') } else { indent <= b.col };
            if !closes {
                return self.entry(line, indent, complete);
            }
            let json = b.json;
            self.block = None;
            if json {
                return Found::Nothing;
            }
        }
        let env = self.env.take();
        // Most lines stop here: no key we track starts with another byte.
        match rest.as_bytes().first() {
            Some(b'a' | b'k' | b'd' | b's' | b'n' | b'"' | b'-') => {}
            Some(b'v') if env.is_some() => {}
            _ => return Found::Nothing,
        }
        if rest.trim_end() == "---" || rest.starts_with("--- ") {
            self.reset();
            return Found::Nothing;
        }
        let (col, rest) = match rest.strip_prefix("- ") {
            Some(r) => {
                let extra = r.bytes().take_while(|b| *b == b' ').count();
                (indent + 2 + extra, &r[extra..])
            }
            None => (indent, rest),
        };
        let Some((key, after, json)) = split_key(rest) else {
            return Found::Nothing;
        };
        let vstart = line.len() - after.len();
        let value = after.trim();
        match key {
            "name" => {
                let name = unquote(value);
                if key_matches(name, &PASSWORD_WORDS).is_some() || key_matches(name, &SECRET_WORDS).is_some() {
                    self.env = Some(col);
                }
                return Found::Nothing;
            }
            "value" if env == Some(col) => {
                return match scalar(line, vstart, json, complete) {
                    Some((start, end)) if !is_placeholder(&line[start..end]) => Found::EnvValue { start, end },
                    _ => Found::Nothing,
                };
            }
            "apiVersion" | "kind" | "data" | "stringData" => {}
            _ => return Found::Nothing,
        }
        // A key left of an object's column closes that object.
        let keep = if key == "apiVersion" { col } else { col + 1 };
        while self.objects.last().is_some_and(|(c, _)| *c >= keep) {
            self.objects.pop();
        }
        let top = self.objects.last().is_some_and(|(c, _)| *c == col);
        let kind = if top { self.objects.last().map(|(_, k)| *k).unwrap_or_default() } else { Kind::Unknown };
        match key {
            "apiVersion" => {
                if self.objects.len() < 16 {
                    self.objects.push((col, Kind::Unknown));
                }
            }
            "kind" => {
                if let Some((c, k)) = self.objects.last_mut()
                    && *c == col
                {
                    *k = Kind::of(unquote(value));
                }
            }
            _ => {
                let opens = if json {
                    value.starts_with('{') && !value.contains('}')
                } else {
                    value.is_empty() || value.starts_with('#')
                };
                let mode = if key == "stringData" || kind == Kind::Secret {
                    Some(Mode::All)
                } else if kind == Kind::ConfigMap {
                    None
                } else {
                    Some(Mode::Guess)
                };
                if let (true, Some(mode)) = (opens, mode) {
                    self.block = Some(Block { json, col, entry_col: None, mode });
                    if mode == Mode::Guess && top && kind == Kind::Unknown {
                        return Found::KindLater(col);
                    }
                }
            }
        }
        Found::Nothing
    }

    fn entry(&mut self, line: &str, indent: usize, complete: bool) -> Found {
        let Some(b) = self.block.as_mut() else {
            return Found::Nothing;
        };
        let (mode, json) = (b.mode, b.json);
        if !json {
            let entry_col = *b.entry_col.get_or_insert(indent);
            if indent != entry_col {
                return Found::Nothing;
            }
        }
        let Some((_, after, _)) = split_key(&line[indent..]) else {
            return Found::Nothing;
        };
        let vstart = line.len() - after.len();
        if mode == Mode::Keep {
            return Found::Nothing;
        }
        if !json && is_block_indicator(&after[..yaml_value_end(after)]) {
            return match mode {
                Mode::All => Found::BlockScalar(indent),
                Mode::Guess | Mode::Keep => Found::Nothing,
            };
        }
        let Some((start, end)) = scalar(line, vstart, json, complete) else {
            return Found::Nothing;
        };
        let v = &line[start..end];
        let secret = !v.is_empty()
            && match mode {
                Mode::All => !is_placeholder(v),
                Mode::Keep => false,
                Mode::Guess if complete => looks_like_secret_data(v),
                // Cut short: base64 so far is enough to go on.
                Mode::Guess => v.bytes().all(|c| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'/' | b'=')),
            };
        if secret { Found::Value { start, end, to_eol: !json } } else { Found::Nothing }
    }
}

/// `key: value` or `"key": value`: the key, the text after the colon (leading space
/// trimmed, the rest of the line) and whether the key was quoted (JSON).
fn split_key(rest: &str) -> Option<(&str, &str, bool)> {
    if let Some(r) = rest.strip_prefix('"') {
        let close = r.find('"')?;
        let after = r[close + 1..].trim_start().strip_prefix(':')?;
        return Some((&r[..close], after.trim_start(), true));
    }
    let colon = rest.find(':')?;
    let key = &rest[..colon];
    let after = &rest[colon + 1..];
    if key.is_empty() || key.contains(' ') || !(after.is_empty() || after.starts_with([' ', '\t'])) {
        return None;
    }
    Some((key, after.trim_start(), false))
}

/// The byte range of the scalar that starts at `vstart`: inside its quotes, without a YAML
/// comment; to the line's end when the line is cut short.
fn scalar(line: &str, vstart: usize, json: bool, complete: bool) -> Option<(usize, usize)> {
    let after = &line[vstart..];
    if json || after.starts_with('"') {
        if !after.starts_with('"') {
            return None;
        }
        let b = line.as_bytes();
        let mut i = vstart + 1;
        while i < b.len() {
            match b[i] {
                b'\\' => i += 2,
                b'"' => return Some((vstart + 1, i)),
                _ => i += 1,
            }
        }
        return (!complete).then_some((vstart + 1, line.len()));
    }
    if let Some(r) = after.strip_prefix('\'') {
        return match r.find('\'') {
            Some(i) => Some((vstart + 1, vstart + 1 + i)),
            None => (!complete).then_some((vstart + 1, line.len())),
        };
    }
    let end = if complete { vstart + yaml_value_end(after) } else { line.len() };
    Some((vstart, end))
}

impl Kind {
    fn of(name: &str) -> Kind {
        match name {
            "Secret" => Kind::Secret,
            "ConfigMap" => Kind::ConfigMap,
            _ => Kind::Other,
        }
    }
}

fn unquote(v: &str) -> &str {
    v.trim_end_matches(',').trim().trim_matches(|c| c == '"' || c == '\'')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str) -> Vec<String> {
        let mut m = Manifest::default();
        let mut found = Vec::new();
        for line in text.lines() {
            match m.line(line, true) {
                Found::Value { start, end, .. } => found.push(line[start..end].to_string()),
                Found::BlockScalar(c) => found.push(format!("block@{c}")),
                Found::EnvValue { start, end } => found.push(format!("env={}", &line[start..end])),
                // Read on as a redactor would when no kind came (tested on its own below).
                Found::KindLater(_) | Found::Nothing => {}
            }
        }
        found
    }

    #[test]
    fn sorted_yaml_secret_guesses_by_value() {
        let text = "apiVersion: v1\ndata:\n  password: czNjcjN0IQ==\n  port: \"8080\"\n  username: YWRtaW4=\nkind: Secret\nmetadata:\n  name: db\n";
        assert_eq!(run(text), ["czNjcjN0IQ==", "YWRtaW4="]);
    }

    #[test]
    fn a_data_block_before_the_kind_waits_for_it() {
        let yaml = "apiVersion: v1\ndata:\n  key: mNQpg9l242gyOLGYlavpHw==\nkind: Secret\n";
        let mut m = Manifest::default();
        let lines: Vec<&str> = yaml.lines().collect();
        assert_eq!(m.line(lines[0], true), Found::Nothing);
        assert_eq!(m.line(lines[1], true), Found::KindLater(0));
        assert_eq!(peek_kind(lines[2], 0), Peek::Hold);
        assert_eq!(peek_kind(lines[3], 0), Peek::Kind("Secret"));
        m.resolve("Secret");
        assert!(matches!(m.line(lines[2], true), Found::Value { .. }));
        let json = ["    },", "    \"kind\": \"ConfigMap\",", "}", "  - apiVersion: v1", "---"];
        assert_eq!(peek_kind(json[0], 4), Peek::Hold);
        assert_eq!(peek_kind(json[1], 4), Peek::Kind("ConfigMap"));
        assert_eq!(peek_kind(json[2], 4), Peek::End);
        assert_eq!(peek_kind(json[3], 4), Peek::End);
        assert_eq!(peek_kind(json[4], 0), Peek::End);
        // Not an object's data (no apiVersion read): nothing to wait for.
        assert_eq!(Manifest::default().line("data:", true), Found::Nothing);
    }

    #[test]
    fn kind_first_redacts_everything_and_block_scalars() {
        let text = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: x\n  ownerReferences:\n  - kind: Deployment\nstringData:\n  user: admin\n  config.yaml: |\n    a: b\ndata:\n  port: \"8080\"\n";
        assert_eq!(run(text), ["admin", "block@2", "8080"]);
    }

    #[test]
    fn configmap_data_is_kept() {
        let text = "apiVersion: v1\nkind: ConfigMap\ndata:\n  key: YWRtaW4=\n";
        assert!(run(text).is_empty());
        let sorted = "apiVersion: v1\ndata:\n  Corefile: |\n    .:53 {\n        errors\n    }\n  enabled: \"true\"\nkind: ConfigMap\n";
        assert!(run(sorted).is_empty());
    }

    #[test]
    fn list_items_and_documents() {
        let text = "apiVersion: v1\nitems:\n- apiVersion: v1\n  data:\n    token: ZXlKaGJHY2lPaUpTVXpJMU5pSXNJbXRwWkNJNklpSjk=\n  kind: Secret\n- apiVersion: v1\n  kind: ConfigMap\n  data:\n    a: YWRtaW4=\n---\napiVersion: v1\nkind: Secret\ndata:\n  b: \"x\"\n";
        assert_eq!(run(text), ["ZXlKaGJHY2lPaUpTVXpJMU5pSXNJbXRwWkNJNklpSjk=", "x"]);
    }

    #[test]
    fn owner_references_do_not_change_the_kind() {
        let text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  ownerReferences:\n  - apiVersion: v1\n    kind: Secret\ndata:\n  a: YWRtaW4=\n";
        assert!(run(text).is_empty());
    }

    #[test]
    fn env_values_named_like_secrets() {
        let yaml = "    env:\n    - name: DB_PASSWORD\n      value: hunter2  \n    - name: LOG_LEVEL\n      value: debug\n    - name: API_TOKEN\n      valueFrom:\n        secretKeyRef:\n          key: token\n    - value: x\n      name: JWT_SECRET\n";
        assert_eq!(run(yaml), ["env=hunter2"]);
        let json = "  {\n    \"name\": \"STRIPE_API_KEY\",\n    \"value\": \"sk_x\"\n  }\n";
        assert_eq!(run(json), ["env=sk_x"]);
    }

    #[test]
    fn pretty_json_data_block() {
        let text = "{\n    \"apiVersion\": \"v1\",\n    \"data\": {\n        \"password\": \"czNjcjN0IQ==\",\n        \"flag\": \"true\"\n    },\n    \"kind\": \"Secret\"\n}\n";
        assert_eq!(run(text), ["czNjcjN0IQ=="]);
    }

    #[test]
    fn lines_that_only_look_like_keys() {
        assert!(run("data: 5 bytes\n  x: YWRtaW4=\n-----BEGIN X-----\n").is_empty());
        assert_eq!(split_key("https://x"), None);
        assert_eq!(split_key("a: b  "), Some(("a", "b  ", false)));
        assert_eq!(scalar(r#"  "k": "a\"b","#, 7, true, true), Some((8, 12)));
        assert_eq!(scalar(r#"  "k": "a\"b"#, 7, true, true), None);
        assert_eq!(scalar(r#"  "k": "a\"b"#, 7, true, false), Some((8, 12)));
        assert_eq!(scalar("k: 'a b' # c", 3, false, true), Some((4, 7)));
        assert_eq!(scalar("k: a b  # c", 3, false, true), Some((3, 6)));
    }
}
