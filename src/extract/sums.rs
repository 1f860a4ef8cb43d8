//! Restart totals a command prints as one number: `kubectl get pods -A -o json | jq
//! '[.items[].status.containerStatuses[].restartCount] | add'` printing `6812`. Strict on
//! both sides: the command names `restartCount` and adds the counts up (jq `add` or
//! `reduce`, awk `+=`, `paste -sd+ | bc`, `datamash sum`), and its whole output is one
//! integer. A lone number is recognised only after such a command: as the `$ command`
//! line before it in a transcript, or as the command an output was recorded with.

use serde::{Deserialize, Serialize};

/// A restart total printed by a command that sums `restartCount` over pods.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RestartSum {
    pub total: u64,
    /// The command that printed it: which pods it sums over.
    pub command: String,
}

/// Longest command line kept while waiting for its output.
const MAX_COMMAND: usize = 4096;

/// The stages of a shell pipeline: `command` split at each `|` outside quotes (`||` is no
/// pipe). `jq '[…] | add'` keeps its quoted `|`.
pub fn stages(command: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut quote, mut escaped, mut start) = (None::<char>, false, 0);
    let bytes = command.as_bytes();
    for (i, c) in command.char_indices() {
        if escaped {
            escaped = false;
            continue;
        }
        match (quote, c) {
            (Some('\''), '\'') => quote = None,
            (Some('\''), _) => {}
            (_, '\\') => escaped = true,
            (Some('"'), '"') => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '|') if bytes.get(i + 1) == Some(&b'|') || (i > 0 && bytes[i - 1] == b'|') => {}
            (None, '|') => {
                out.push(command[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(command[start..].trim());
    out
}

/// The program a stage runs: `jq` for `/usr/bin/jq -r '…'`, past `sudo`.
fn program(stage: &str) -> &str {
    let mut words = stage.split_whitespace().filter(|w| *w != "sudo");
    words.next().map_or("", |w| w.rsplit('/').next().unwrap_or(w))
}

/// True when `word` occurs in `text` on its own (not inside `address` or `addr`).
fn has_word(text: &str, word: &str) -> bool {
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    text.match_indices(word).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + word.len()..].chars().next();
        !before.is_some_and(ident) && !after.is_some_and(ident)
    })
}

/// A stage that adds numbers up.
fn adds_up(stage: &str, next: Option<&str>) -> bool {
    match program(stage) {
        "jq" | "gojq" | "jaq" | "yq" => has_word(stage, "add") || has_word(stage, "reduce"),
        "awk" | "gawk" | "mawk" | "nawk" => stage.contains("+="),
        "paste" => stage.contains('+') && next.is_some_and(|n| program(n) == "bc"),
        "datamash" => has_word(stage, "sum"),
        _ => false,
    }
}

/// True when `command` prints one sum of pods' `restartCount`s.
pub fn sums_restart_counts(command: &str) -> bool {
    if !command.contains("restartCount") {
        return false;
    }
    let stages = stages(command);
    stages.iter().enumerate().skip(1).any(|(i, s)| adds_up(s, stages.get(i + 1).copied()))
}

/// True when a summing command leaves pods out after listing them: a stage other than
/// the ones that reshape or add (`grep`, `head`, `sed`), a jq `select`, `limit`, `first`
/// or index, an awk pattern before its action.
pub fn sum_leaves_pods_out(command: &str) -> bool {
    stages(command).iter().skip(1).any(|stage| match program(stage) {
        "jq" | "gojq" | "jaq" | "yq" => {
            ["select", "limit", "first", "last", "del", "until"].iter().any(|w| has_word(stage, w))
                || stage.as_bytes().windows(2).any(|w| w[0] == b'[' && w[1].is_ascii_digit())
        }
        "awk" | "gawk" | "mawk" | "nawk" => {
            let program = stage.split_once('\'').map_or("", |(_, p)| p).trim_start();
            !(program.starts_with('{') || program.starts_with("BEGIN"))
        }
        "tr" | "paste" | "bc" | "datamash" | "xargs" | "cat" => false,
        _ => true,
    })
}

/// `6812`: the line holds one unsigned integer and nothing else.
pub fn single_integer(line: &str) -> Option<u64> {
    let t = line.trim();
    if t.is_empty() || t.len() > 18 || !t.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    t.parse().ok()
}

/// The command of a transcript's prompt line: `$ kubectl …`, `% kubectl …`,
/// `ryan@host:~$ kubectl …`.
fn prompt_command(line: &str) -> Option<&str> {
    let t = line.trim_start();
    for prompt in ["$ ", "% ", "❯ "] {
        if let Some(rest) = t.strip_prefix(prompt) {
            return Some(rest.trim());
        }
    }
    let (before, after) = t.split_once("$ ")?;
    (!before.is_empty() && !before.contains(char::is_whitespace)).then(|| after.trim())
}

/// Watches lines for a summing command and its one-integer output.
#[derive(Debug, Default)]
pub struct SumState {
    /// A summing command whose output has not started.
    expect: Option<String>,
    /// Its first output line was an integer: it counts if nothing else follows.
    got: Option<RestartSum>,
}

impl SumState {
    /// Waiting for the output of `command` (an output recorded with its command).
    pub fn after(command: &str) -> SumState {
        let expect = (sums_restart_counts(command) && command.len() <= MAX_COMMAND).then(|| command.trim().to_string());
        SumState { expect, got: None }
    }

    /// Feeds one line; a total when the line ends the summing command's output.
    pub fn feed(&mut self, line: &str) -> Option<RestartSum> {
        let t = line.trim();
        // The output ends at a blank line, a closing fence or the next prompt.
        let ends_output = t.is_empty() || t.starts_with("```") || t.starts_with("~~~") || prompt_command(t).is_some();
        let done = self.got.take().filter(|_| ends_output);
        if let Some(command) = self.expect.take() {
            if let Some(total) = single_integer(t) {
                self.got = Some(RestartSum { total, command });
            }
        } else if let Some(command) = prompt_command(t)
            && command.len() <= MAX_COMMAND
            && sums_restart_counts(command)
        {
            self.expect = Some(command.to_string());
        }
        done
    }

    /// The total, when the input ended right after it.
    pub fn finish(&mut self) -> Option<RestartSum> {
        self.got.take()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const JQ: &str = "kubectl get pods -A -o json | jq '[.items[].status.containerStatuses[].restartCount] | add'";

    #[test]
    fn pipelines_split_outside_quotes() {
        assert_eq!(
            stages(JQ),
            ["kubectl get pods -A -o json", "jq '[.items[].status.containerStatuses[].restartCount] | add'"]
        );
        assert_eq!(stages("a || b | c \"x|y\""), ["a || b", "c \"x|y\""]);
        assert_eq!(stages("a|b"), ["a", "b"]);
    }

    #[test]
    fn commands_that_sum_restart_counts() {
        for command in [
            JQ,
            "kubectl get pods -n db -o json | jq '.items[].status.containerStatuses[].restartCount' | jq -s add",
            "kubectl get pods -A -o json | jq 'reduce .items[].status.containerStatuses[] as $c (0; . + $c.restartCount)'",
            "kubectl get pods -A -o jsonpath='{..restartCount}' | tr ' ' '\\n' | awk '{s+=$1} END {print s}'",
            "kubectl get pods -A -o jsonpath='{..restartCount}' | tr ' ' '\\n' | paste -sd+ | bc",
        ] {
            assert!(sums_restart_counts(command), "{command}");
        }
        for command in [
            "kubectl get pods -A",
            "kubectl get pod web-0 -o jsonpath='{.status.containerStatuses[0].restartCount}'",
            "kubectl get pods -A -o json | jq '.items[].status.containerStatuses[].restartCount'",
            "kubectl get pods -A -o json | jq '[.items[].status.address] | add'",
        ] {
            assert!(!sums_restart_counts(command), "{command}");
        }
    }

    #[test]
    fn sums_that_leave_pods_out() {
        assert!(!sum_leaves_pods_out(JQ));
        assert!(!sum_leaves_pods_out(
            "kubectl get pods -A -o jsonpath='{..restartCount}' | tr ' ' '\\n' | awk '{s+=$1} END {print s}'"
        ));
        assert!(sum_leaves_pods_out(
            "kubectl get pods -A -o json | jq '[.items[] | select(.metadata.namespace==\"db\") | .status.containerStatuses[].restartCount] | add'"
        ));
        assert!(sum_leaves_pods_out(
            "kubectl get pods -A -o json | jq '[.items[0].status.containerStatuses[].restartCount] | add'"
        ));
        assert!(sum_leaves_pods_out("kubectl get pods -A -o jsonpath='{..restartCount}' | head -3 | paste -sd+ | bc"));
        assert!(sum_leaves_pods_out(
            "kubectl get pods -A -o custom-columns=N:.metadata.name,R:.status.containerStatuses[0].restartCount | awk '/web/ {s+=$2} END {print s}'"
        ));
    }

    #[test]
    fn one_integer_after_the_command_only() {
        let read = |mut state: SumState, lines: &[&str]| {
            let mut found = lines.iter().filter_map(|l| state.feed(l)).collect::<Vec<_>>();
            found.extend(state.finish());
            found
        };
        let sum = |total| RestartSum { total, command: JQ.to_string() };
        let prompt = format!("$ {JQ}");
        assert_eq!(read(SumState::default(), &[&prompt, "6812"]), [sum(6812)]);
        assert_eq!(read(SumState::default(), &["```console", &prompt, "6812", "```", "exit 0"]), [sum(6812)]);
        assert_eq!(read(SumState::default(), &[&format!("ryan@leveling-pc:~$ {JQ}"), "6812", ""]), [sum(6812)]);
        assert_eq!(read(SumState::after(JQ), &["6812", ""]), [sum(6812)]);
        // Not one integer: nothing.
        assert_eq!(read(SumState::default(), &[&prompt, "6812", "17"]), []);
        assert_eq!(read(SumState::default(), &[&prompt, "6,812"]), []);
        assert_eq!(read(SumState::default(), &[&prompt, "null"]), []);
        assert_eq!(read(SumState::after(JQ), &["jq: error: Cannot iterate over null"]), []);
        // A number after some other command: nothing.
        assert_eq!(read(SumState::default(), &["$ kubectl get pods -A -o json | jq '.items | length'", "23"]), []);
        assert_eq!(read(SumState::default(), &["6812"]), []);
    }
}
