//! Finding a line's secrets: the manifest reader, the prefiltered patterns and their context
//! checks, into sorted, non-overlapping spans.

use super::super::bare::shell_unescaped;
use super::super::checks::{self, is_placeholder};
use super::super::manifest::Found;
use super::super::numbering::Placeholders;
use super::super::pattern::Check;
use super::super::pem;
use super::super::verdict::{Ctx, Verdict, check};
use super::Redactor;
use super::span::{Cont, Span, merge, next_at};

impl<P: Placeholders> Redactor<'_, P> {
    /// Finds the secrets in `text[pos..]` into `self.spans`: sorted, non-overlapping.
    pub(super) fn collect(&mut self, text: &str, pos: usize, line_start: bool, complete: bool) {
        self.spans.clear();
        self.block = None;
        self.kind_later = None;
        self.wrapped = None;
        let rules = self.rules;
        let (data_rule, env_rule) = rules.manifest_rules();
        if line_start && pos == 0 && (data_rule.is_some() || env_rule.is_some()) {
            let (rule, start, end, to_eol) = match self.manifest.line(text, complete) {
                Found::Value { start, end, to_eol } => (data_rule, start, end, to_eol),
                Found::EnvValue { start, end } => (env_rule, start, end, false),
                Found::BlockScalar(col) => {
                    self.block = data_rule.map(|rule| (rule, col));
                    (None, 0, 0, false)
                }
                Found::KindLater(col) => {
                    self.kind_later = data_rule.filter(|_| complete).map(|_| col);
                    (None, 0, 0, false)
                }
                Found::Nothing => (None, 0, 0, false),
            };
            if let Some(rule) = rule {
                self.spans.push(Span {
                    sticky: true,
                    cont: if to_eol { Cont::Line } else { Cont::Word },
                    ..Span::new(start, end, rule, rules.rule_prio(rule))
                });
            }
        }
        // Only whole lines: a flag's value is the next list element.
        if line_start && pos == 0 && complete {
            self.list_flag(text);
            self.continued(text);
        } else {
            self.flag_item = None;
            self.carry = None;
        }
        self.hits.iter_mut().for_each(|w| *w = 0);
        if rules.prefilter(text, pos, &mut self.hits) {
            for w in 0..self.hits.len() {
                let mut bits = self.hits[w];
                while bits != 0 {
                    let p = w * 64 + bits.trailing_zeros() as usize;
                    bits &= bits - 1;
                    self.run_pattern(p as u32, text, pos, line_start && pos == 0, complete);
                }
            }
        }
        self.known_secrets(text, pos);
        if self.spans.len() > 1 {
            merge(&mut self.spans);
        }
    }

    pub(super) fn run_pattern(&mut self, p: u32, text: &str, pos: usize, line_start: bool, complete: bool) {
        let pattern = self.rules.pattern(p);
        if pattern.anchored && !line_start {
            return;
        }
        let c = pattern.compiled();
        let mut locs = c.re.capture_locations();
        let mut at = pos;
        while at <= text.len() {
            let Some(m) = c.re.captures_read_at(&mut locs, text, at) else {
                break;
            };
            let secret = c.secret.iter().find_map(|g| locs.get(*g).map(|r| (*g, r)));
            let (group, (vs, ve)) = match secret {
                Some(s) => s,
                None if c.whole_fallback => (0, (m.start(), m.end())),
                None => {
                    at = next_at(text, m.start(), at);
                    continue;
                }
            };
            let key = c.key.and_then(|g| locs.get(g));
            let ctx = Ctx {
                text,
                line_start,
                group_index: c.secret.iter().position(|g| *g == group).unwrap_or(0),
                key,
                sep: c.sep.and_then(|g| locs.get(g)),
                start: m.start(),
            };
            let rule = pattern.rule;
            let prio = p + 1;
            match check(pattern.check, &ctx, vs, ve) {
                Verdict::Secret { start, end, to_eol, sticky } => {
                    // A base64 key wrapped at 64 or 76 columns: the lines after it are the key too.
                    if matches!(pattern.check, Check::B64Key)
                        && complete
                        && end - start >= 60
                        && !text[..end].ends_with('=')
                        && text[end..].trim().is_empty()
                    {
                        self.wrapped = Some(rule);
                    }
                    self.spans.push(Span {
                        ctx: m.start().min(start),
                        sticky: pattern.anchored || sticky,
                        // Only a token followed by an escape (argv's literal `\n`): any other
                        // text glued to it may be the rest of the secret its key names.
                        shaped: matches!(pattern.check, Check::Plain)
                            && m.start() == start
                            && text[end..].starts_with('\\'),
                        cont: if to_eol { Cont::Line } else { Cont::Word },
                        // `DB_PASS=Xy9\&Zz` in a command is `Xy9&Zz` in its output: one secret.
                        identity: bare_assignment(pattern.check, ctx.group_index)
                            .then(|| shell_unescaped(&text[start..end]))
                            .flatten(),
                        ..Span::new(start, end, rule, prio)
                    });
                    at = next_at(text, m.end(), at);
                }
                Verdict::Reject => {
                    // Resume past the key (or the value's start), not past the whole match:
                    // the rejected value may hold a real assignment.
                    let resume = key.map(|k| k.1).unwrap_or(vs);
                    at = next_at(text, resume.max(m.start() + 1), at);
                }
                Verdict::Block(col) => {
                    self.block = Some((rule, col));
                    at = next_at(text, m.end(), at);
                }
                Verdict::Pem => {
                    let (ms, me) = (m.start(), m.end());
                    let rest = &text[me..];
                    match pem::find_end(rest) {
                        Some(e) if pem::is_inline_body(&rest[..e]) => {
                            let (s, e) = pem::trim_body(text, me, me + e);
                            if let Some(id) = pem::identity(&text[s..e]) {
                                self.spans.push(Span { ctx: ms, identity: Some(id), ..Span::new(s, e, rule, prio) });
                            }
                            at = next_at(text, e, at);
                        }
                        // Words between two markers (a sentence about keys), or a placeholder.
                        Some(_) => at = next_at(text, me, at),
                        None => {
                            // A block opens on a line that ends with its marker, or a window that
                            // holds nothing but body after it. `"-----BEGIN … KEY-----" expected`
                            // quoted in an error message opens nothing.
                            let n = pem::body_run(rest);
                            if (complete && rest.trim().is_empty()) || (!complete && n == rest.len()) {
                                self.spans.push(Span { open_pem: Some(me), ..Span::new(ms, text.len(), rule, prio) });
                                break;
                            }
                            // A one-line key cut short (a truncated JSON string): its body goes.
                            if pem::is_inline_body(&rest[..n]) {
                                let (s, e) = pem::trim_body(text, me, me + n);
                                if let Some(id) = pem::identity(&text[s..e]) {
                                    self.spans.push(Span {
                                        ctx: ms,
                                        identity: Some(id),
                                        ..Span::new(s, e, rule, prio)
                                    });
                                }
                            }
                            at = next_at(text, me + n, at);
                        }
                    }
                }
                Verdict::InlineData(s, e) => {
                    let closed = text[e..].starts_with('}');
                    if closed || complete {
                        inline_data(text, m.start(), (s, e), (rule, prio), &mut self.spans);
                    } else {
                        // The object goes past this window: hold it whole, or drop it
                        // (keys too) up to its `}`.
                        self.spans.push(Span { ctx: m.start(), cont: Cont::Brace, ..Span::new(s, e, rule, prio) });
                    }
                    at = next_at(text, m.end(), at);
                }
            }
        }
    }
}

/// A bare value (the fourth of `value!`'s forms) of a key or flag.
fn bare_assignment(check: Check, group_index: usize) -> bool {
    matches!(check, Check::Assign(_) | Check::Flag | Check::SecretFlag) && group_index == 3
}

/// The values of a one-line `"data":{"k":"v",…}` (plain or inside an escaped JSON string),
/// found from the match at `ctx`.
fn inline_data(text: &str, ctx: usize, (start, end): (usize, usize), (rule, prio): (u32, u32), spans: &mut Vec<Span>) {
    let string_data = text[..start].trim_end_matches(['{', ' ', ':', '"', '\\']).ends_with("stringData");
    let secret_kind = string_data || has_kind(text, "Secret");
    if !secret_kind && has_kind(text, "ConfigMap") {
        return;
    }
    let inner = &text[start..end];
    let b = inner.as_bytes();
    let mut i = 0;
    // Strings alternate with ':' (a value follows) and ',' (a key follows).
    let mut expect_value = false;
    while i < b.len() {
        let quote = match b[i] {
            b'"' => 1,
            b'\\' if b.get(i + 1) == Some(&b'"') => 2,
            c => {
                if c == b':' {
                    expect_value = true;
                } else if c == b',' {
                    expect_value = false;
                }
                i += 1;
                continue;
            }
        };
        let s = i + quote;
        let mut j = s;
        while j < b.len() {
            match (quote, b[j], b.get(j + 1)) {
                (2, b'\\', Some(b'"')) | (1, b'"', _) => break,
                (1, b'\\', _) => j += 2,
                _ => j += 1,
            }
        }
        let e = j.min(b.len());
        if expect_value {
            let v = &inner[s..e];
            let secret = if secret_kind { !is_placeholder(v) } else { checks::looks_like_secret_data(v) };
            if secret {
                spans.push(Span { ctx, ..Span::new(start + s, start + e, rule, prio) });
            }
            expect_value = false;
        }
        i = e + quote;
    }
}

/// Does the line say `"kind":"<kind>"` (maybe escaped, maybe spaced)?
fn has_kind(text: &str, kind: &str) -> bool {
    let mut from = 0;
    while let Some(i) = text[from..].find("kind") {
        let after = &text[from + i + 4..];
        let after = after.trim_start_matches(['\\', '"', ' ', ':']);
        if after.starts_with(kind) && !after[kind.len()..].starts_with(|c: char| c.is_alphanumeric()) {
            return true;
        }
        from += i + 4;
    }
    false
}
