//! The Markdown a person reads in an output step: the command, its output in a
//! fence that the output cannot close, and a line about how it ended.

use crate::format;
use crate::model::StepMeta;
use crate::record::output::{Captured, human_bytes};

/// A backtick fence longer than any backtick run in `text`.
pub fn fence_for(text: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        if c == '`' {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    "`".repeat((longest + 1).max(3))
}

/// Body of a `run` or `capture` step; `stopped_by`: the signal that ended a `capture`
/// before its input did.
pub fn output_body(meta: &StepMeta, captured: &Captured, stopped_by: Option<&str>) -> String {
    let mut body = String::new();
    if let Some(title) = &meta.title {
        body.push_str(&format!("### {}\n\n", one_line(title)));
    }
    let mut block = String::new();
    if let Some(command) = &meta.command {
        block.push_str(&format!("$ {}\n", one_line(command)));
    }
    block.push_str(&captured.inline);
    if !block.ends_with('\n') {
        block.push('\n');
    }
    let fence = fence_for(&block);
    body.push_str(&format!("{fence}console\n{block}{fence}\n"));
    let mut facts = Vec::new();
    if let Some(why) = &meta.spawn_error {
        facts.push(format!("**could not start:** {why}"));
    }
    if let Some(code) = meta.exit_code {
        match &meta.signal {
            Some(sig) => facts.push(format!("killed by {sig} (exit {code})")),
            None => facts.push(format!("exit {code}")),
        }
    }
    if let Some(sig) = stopped_by {
        facts.push(format!("stopped by {sig} before the input ended"));
    }
    if meta.output_closed {
        facts.push("stopped when the reader of its output closed it (like `| head`)".to_string());
    }
    if let Some(ms) = meta.duration_ms {
        facts.push(seconds(ms));
    }
    if captured.bytes > 0 {
        facts.push(format!("{}, {}", human_bytes(captured.bytes), format::plural(captured.lines, "line")));
    }
    if let Some(file) = &meta.output_file {
        facts.push(format!("{} not shown; whole output in [{file}](../{file})", human_bytes(captured.omitted_bytes)));
    } else if let Some(why) = &captured.spool_error {
        facts.push(format!("{} not shown and not kept: {}", human_bytes(captured.omitted_bytes), one_line(why)));
    }
    if !facts.is_empty() {
        body.push('\n');
        body.push_str(&facts.join(" · "));
        body.push('\n');
    }
    body
}

fn seconds(ms: u64) -> String {
    if ms < 1000 { format!("{ms} ms") } else { format!("{:.1} s", ms as f64 / 1000.0) }
}

/// Newlines would break a heading or a `$ command` line.
pub fn one_line(text: &str) -> String {
    text.replace(['\n', '\r'], " ")
}

#[cfg(test)]
mod tests {
    use super::fence_for;

    #[test]
    fn fences_outgrow_the_output() {
        assert_eq!(fence_for("plain"), "```");
        assert_eq!(fence_for("```\nx\n```"), "````");
        assert_eq!(fence_for("a `````b"), "``````");
    }
}
