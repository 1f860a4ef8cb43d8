//! A command continued over lines: `mysql --password \` then `   S3cretPw`. The shell drops
//! the backslash-newline and reads the lines as one, so the rules run over the two joined
//! that way, and what they find reaching into the second line goes there. The same checks
//! decide and the same rule names the placeholder as on one line.

use super::super::numbering::Placeholders;
use super::Redactor;
use super::span::Span;

/// How much of the lines before is kept as context: enough for a command and its flags.
const MAX_CARRY: usize = 4096;

impl<P: Placeholders> Redactor<'_, P> {
    /// Reads a whole line: joined to the line before when that one was continued, adds
    /// to `self.spans` what the rules find in this line's part; keeps this line (joined)
    /// for the next one when it ends with a continuation.
    pub(super) fn continued(&mut self, text: &str) {
        let joined = self.carry.take().map(|mut carry| {
            let at = carry.len();
            carry.push_str(text);
            self.join_spans(&carry, at);
            carry
        });
        if let Some(head) = text.strip_suffix('\\')
            && continues(text)
        {
            let head = match &joined {
                Some(j) => &j[..j.len() - 1],
                None => head,
            };
            let mut from = head.len().saturating_sub(MAX_CARRY);
            while !head.is_char_boundary(from) {
                from += 1;
            }
            self.carry = Some(head[from..].to_owned());
        }
    }

    /// Runs the rules over `joined` (the lines before, then this one from byte `at`) and
    /// adds the spans reaching past `at`, moved to this line.
    fn join_spans(&mut self, joined: &str, at: usize) {
        let saved = std::mem::take(&mut self.spans);
        self.hits.iter_mut().for_each(|w| *w = 0);
        if self.rules.prefilter(joined, 0, &mut self.hits) {
            for p in 0..self.rules.pattern_count() as u32 {
                if self.hits[p as usize / 64] & (1 << (p % 64)) != 0 {
                    // Not at a line start: no YAML value or `^` rule is read across lines.
                    self.run_pattern(p, joined, 0, false, true);
                }
            }
        }
        let found = std::mem::replace(&mut self.spans, saved);
        for s in found.into_iter().filter(|s| s.end > at && s.open_pem.is_none()) {
            // A value begun before the break (`pass=ab\` then `cd`): this line's part goes,
            // under the placeholder of the whole.
            let identity = if s.start < at { Some(joined[s.start..s.end].to_owned()) } else { s.identity };
            let (start, end) = (s.start.max(at) - at, s.end - at);
            self.spans.push(Span { identity, ..Span::new(start, end, s.rule, s.prio) });
        }
    }
}

/// Does the line end with a backslash that escapes its newline (an odd run of them)?
pub(crate) fn continues(line: &str) -> bool {
    line.bytes().rev().take_while(|b| *b == b'\\').count() % 2 == 1
}

#[cfg(test)]
mod tests {
    use super::continues;

    #[test]
    fn an_odd_run_of_backslashes_continues() {
        assert!(continues("mysql --password \\"));
        assert!(continues("a\\\\\\"));
        assert!(!continues("echo \\\\"));
        assert!(!continues("echo \\ "));
        assert!(!continues(""));
    }
}
