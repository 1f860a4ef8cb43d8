//! Lines that say a pasted listing was cut short: `...`, `…`, `[...]`, `<snip>`,
//! `(truncated)`, `... 17 more`, `(17 more rows)`. After a pod row they mean the table
//! shows some pods only, so the restarts it sums are not the whole of its scope.

/// Longest line taken for a marker: a marker is a few words, not a sentence.
const MAX_LEN: usize = 60;

/// True when `line` is a marker of rows left out.
pub fn is_cut_marker(line: &str) -> bool {
    let t = line.trim();
    if t.is_empty() || t.len() > MAX_LEN {
        return false;
    }
    let inner = unbracket(t);
    let rest = inner.trim_start_matches(['.', '…']);
    let dots = &inner[..inner.len() - rest.len()];
    if dots.contains('…') || dots.len() >= 3 {
        let rest = unbracket(rest.trim());
        return rest.is_empty() || is_note(rest);
    }
    is_note(inner)
}

/// Drops one pair of enclosing brackets: `[...]`, `(truncated)`, `<snip>`.
fn unbracket(t: &str) -> &str {
    for (open, close) in [('[', ']'), ('(', ')'), ('<', '>')] {
        if let Some(inner) = t.strip_prefix(open).and_then(|r| r.strip_suffix(close)) {
            return inner.trim();
        }
    }
    t
}

/// `snip`, `truncated`, `output truncated`, `17 more`, `and 17 more pods`, `17 rows omitted`.
fn is_note(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    let words: Vec<&str> = lower.split_whitespace().filter(|w| *w != "and").collect();
    let is_count = |w: &str| !w.is_empty() && w.bytes().all(|c| c.is_ascii_digit() || c == b',');
    let is_unit = |w: &str| matches!(w, "line" | "lines" | "row" | "rows" | "pod" | "pods" | "more");
    let is_left_out = |w: &str| matches!(w, "omitted" | "hidden" | "truncated" | "snipped" | "skipped");
    match words.as_slice() {
        ["snip" | "snipped" | "truncated" | "cut"] => true,
        ["output" | "list" | "listing", "truncated" | "snipped" | "cut"] => true,
        [n, "more"] => is_count(n),
        [n, "more", unit] => is_count(n) && is_unit(unit),
        [n, unit, left_out] => is_count(n) && is_unit(unit) && is_left_out(left_out),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::is_cut_marker;

    #[test]
    fn markers_of_rows_left_out() {
        for line in [
            "...",
            "  ....  ",
            "…",
            "[...]",
            "(…)",
            "<snip>",
            "[truncated]",
            "(output truncated)",
            "... 17 more",
            "… and 17 more pods",
            "(17 more rows)",
            "[1,204 lines omitted]",
            "...(truncated)",
        ] {
            assert!(is_cut_marker(line), "{line:?}");
        }
        for line in [
            "",
            "..",
            "...connection refused",
            "Error: context deadline exceeded...",
            "more",
            "17",
            "convocanvas   convocanvas-7d4b9c8f6-xk2p9   0/1   CrashLoopBackOff   1842   2d",
            "a snip of text that runs on",
        ] {
            assert!(!is_cut_marker(line), "{line:?}");
        }
    }
}
