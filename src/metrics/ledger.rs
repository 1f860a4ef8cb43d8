//! The mutation ledger: is a command line read-only or does it change something?
//!
//! A line is cut into simple commands at unquoted `|`, `||`, `&&`, `;`, `&` and newlines
//! (comments and redirections are taken out on the way, quotes respected), each command is
//! split into words with `shell_words`, wrappers (`sudo`, `env X=1`, `timeout 5`, `xargs`,
//! `sh -c '…'`, …) are peeled off, and the program's own rules say what it does. The line
//! takes the worst verdict of its commands: state-changing, else unknown, else read-only.

mod programs;
mod system;
#[cfg(test)]
mod tests;

use serde::Serialize;

/// What running a command does to the systems around it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Effect {
    /// Only looks: get, describe, logs, cat, grep, dig, `systemctl status`, ….
    ReadOnly,
    /// A program the ledger has no rule for (a script, an interactive shell).
    Unknown,
    /// Changes a cluster, a service, a file, the network, a process.
    StateChanging,
}

impl Effect {
    pub fn as_str(self) -> &'static str {
        match self {
            Effect::ReadOnly => "read-only",
            Effect::Unknown => "unknown",
            Effect::StateChanging => "state-changing",
        }
    }
}

/// The effect of a command line and what decided it, in words
/// (`systemctl stop k3s`, `writes /etc/hosts`, `not a known command: ./fix.sh`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Verdict {
    pub effect: Effect,
    pub reason: String,
}

impl Verdict {
    pub(crate) fn read(reason: impl Into<String>) -> Verdict {
        Verdict { effect: Effect::ReadOnly, reason: reason.into() }
    }

    pub(crate) fn change(reason: impl Into<String>) -> Verdict {
        Verdict { effect: Effect::StateChanging, reason: reason.into() }
    }

    pub(crate) fn unknown(reason: impl Into<String>) -> Verdict {
        Verdict { effect: Effect::Unknown, reason: reason.into() }
    }
}

/// `sh -c` inside `sh -c` inside …: deeper than this is called unknown.
const MAX_DEPTH: usize = 4;

/// Classifies a whole command line.
pub fn classify(line: &str) -> Verdict {
    classify_at(line, 0)
}

pub(crate) fn classify_at(line: &str, depth: usize) -> Verdict {
    if depth > MAX_DEPTH {
        return Verdict::unknown("shells nested too deep to follow");
    }
    let verdicts: Vec<Verdict> = segments(line).iter().filter_map(|s| classify_segment(s, depth)).collect();
    combine(verdicts)
}

/// The worst effect wins; the reasons of every command with that effect are kept, in order.
pub(crate) fn combine(verdicts: Vec<Verdict>) -> Verdict {
    let Some(worst) = verdicts.iter().map(|v| v.effect).max() else {
        return Verdict::read("no command");
    };
    let mut reasons: Vec<String> = Vec::new();
    for v in verdicts.into_iter().filter(|v| v.effect == worst) {
        if !reasons.contains(&v.reason) {
            reasons.push(v.reason);
        }
    }
    Verdict { effect: worst, reason: reasons.join("; ") }
}

/// One simple command: its text without redirections, and the files it writes by `>`.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Segment {
    pub text: String,
    pub writes: Vec<String>,
}

fn classify_segment(seg: &Segment, depth: usize) -> Option<Verdict> {
    let words = match shell_words::split(&seg.text) {
        Ok(words) => words,
        // An unbalanced quote: the words are still the best guess we have.
        Err(_) => seg.text.split_whitespace().map(str::to_string).collect(),
    };
    let mut verdicts = Vec::new();
    for target in &seg.writes {
        if !is_harmless_target(target) {
            verdicts.push(Verdict::change(format!("writes {target}")));
        }
    }
    if !words.is_empty() {
        verdicts.push(programs::classify_words(&words, depth));
    }
    (!verdicts.is_empty()).then(|| combine(verdicts))
}

/// `/dev/null`, `/dev/stderr`, `&1`: redirections that change nothing.
pub(crate) fn is_harmless_target(target: &str) -> bool {
    target.starts_with('&') || target == "-" || target.starts_with("/dev/")
}

/// Cuts a line into simple commands, respecting quotes, dropping comments and taking
/// redirections out (output targets are kept in `writes`).
pub(crate) fn segments(line: &str) -> Vec<Segment> {
    let chars: Vec<char> = line.chars().collect();
    let mut out = Vec::new();
    let mut cur = Segment::default();
    let mut i = 0;
    let flush = |cur: &mut Segment, out: &mut Vec<Segment>| {
        let seg = std::mem::take(cur);
        if !seg.text.trim().is_empty() || !seg.writes.is_empty() {
            out.push(Segment { text: seg.text.trim().to_string(), writes: seg.writes });
        }
    };
    while i < chars.len() {
        let c = chars[i];
        let at_word_start = cur.text.is_empty() || cur.text.ends_with(char::is_whitespace);
        match c {
            '\'' | '"' => {
                let end = quoted_end(&chars, i);
                cur.text.extend(&chars[i..end]);
                i = end;
                continue;
            }
            '\\' => {
                match chars.get(i + 1) {
                    Some('\n') => cur.text.push(' '),
                    Some(&n) => {
                        cur.text.push('\\');
                        cur.text.push(n);
                    }
                    None => cur.text.push('\\'),
                }
                i += 2;
                continue;
            }
            '#' if at_word_start => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
                continue;
            }
            '\n' | ';' => flush(&mut cur, &mut out),
            '|' => {
                if matches!(chars.get(i + 1), Some('|') | Some('&')) {
                    i += 1;
                }
                flush(&mut cur, &mut out);
            }
            '&' if chars.get(i + 1) == Some(&'>') => {
                // `&>file`: stdout and stderr to a file.
                i = redirect(&chars, i + 1, &mut cur);
                continue;
            }
            '&' => {
                if chars.get(i + 1) == Some(&'&') {
                    i += 1;
                }
                flush(&mut cur, &mut out);
            }
            '>' | '<' => {
                // A file descriptor number written right before (`2>`) belongs to the redirection.
                let trimmed = cur.text.trim_end_matches(|d: char| d.is_ascii_digit());
                if trimmed.is_empty() || trimmed.ends_with(char::is_whitespace) {
                    cur.text.truncate(trimmed.len());
                }
                i = redirect(&chars, i, &mut cur);
                continue;
            }
            _ => cur.text.push(c),
        }
        i += 1;
    }
    flush(&mut cur, &mut out);
    out
}

/// The index just past the quoted string starting at `start`.
fn quoted_end(chars: &[char], start: usize) -> usize {
    let q = chars[start];
    let mut i = start + 1;
    while i < chars.len() {
        if q == '"' && chars[i] == '\\' {
            i += 2;
            continue;
        }
        if chars[i] == q {
            return i + 1;
        }
        i += 1;
    }
    chars.len()
}

/// Reads a redirection starting at `chars[start]` (`>`, `>>`, `>|`, `>&2`, `<`, `<<EOF`,
/// `<<<word`); output targets go to `cur.writes`. Returns the index after it.
fn redirect(chars: &[char], start: usize, cur: &mut Segment) -> usize {
    let output = chars[start] == '>';
    let mut i = start;
    while i < chars.len() && matches!(chars[i], '>' | '<' | '|' | '&') {
        i += 1;
    }
    while i < chars.len() && (chars[i] == ' ' || chars[i] == '\t') {
        i += 1;
    }
    let word_start = i;
    while i < chars.len() && !chars[i].is_whitespace() && !matches!(chars[i], ';' | '|' | '&' | '<' | '>') {
        if chars[i] == '\'' || chars[i] == '"' {
            i = quoted_end(chars, i);
        } else {
            i += 1;
        }
    }
    let word: String = chars[word_start..i].iter().collect();
    let dup =
        start > 0 && chars[start..word_start].contains(&'&') && word.chars().all(|c| c.is_ascii_digit() || c == '-');
    if output && !word.is_empty() {
        let target = shell_words::split(&word).ok().and_then(|w| w.into_iter().next()).unwrap_or(word);
        cur.writes.push(if dup { format!("&{target}") } else { target });
    }
    cur.text.push(' ');
    i
}
