//! Where an unquoted value (`KEY=value`, `--password=value`) ends. A chosen password may
//! hold any punctuation, and a tail left behind is a leak, so the value runs to the end of
//! its whitespace-delimited word, except at a character that plainly closes its context:
//!
//! - a quote, backtick or closing bracket that matches one opened before the key
//!   (`"DB_PASS=x"`, `(password=x)`, `map[password:x]`);
//! - `,`, `;` or `&` followed by nothing, a blank, a quote or bracket, or the next key
//!   (`password=x, user=y`, `export PASSWORD=x;`, `Password=x;Database=y`,
//!   `api_key=x&page=2`); after `?` or `&` (a query string, where a literal `&` would be
//!   `%26`) every `&`.
//!
//! Anything else stays in the value: `S3cr3t&Pass`, `pa;ss`, `a,b`, `x)` without a `(`.

/// The end of the bare value starting at `vs` whose key starts at `ks`: the next whitespace
/// or a character that closes the value's context.
pub(crate) fn bare_end(text: &str, ks: usize, vs: usize) -> usize {
    let before = &text.as_bytes()[..ks];
    let count = |c: u8| memchr::memchr_iter(c, before).count();
    let query = before.ends_with(b"?") || before.ends_with(b"&");
    let b = text.as_bytes();
    // Brackets opened inside the value itself (`a(b)c`, `${X}`): their closers are its own.
    let mut depth = [0usize; 3];
    for (i, &c) in b.iter().enumerate().skip(vs) {
        match c {
            c if c.is_ascii_whitespace() => return i,
            b'"' | b'\'' | b'`' if count(c) % 2 == 1 => {
                // `\"` of an escaped JSON string: the backslash is the string's, not the value's.
                return if c == b'"' && i > vs && b[i - 1] == b'\\' { i - 1 } else { i };
            }
            b'(' | b'[' | b'{' => depth[bracket(c)] += 1,
            b')' | b']' | b'}' => {
                let k = bracket(c);
                if depth[k] > 0 {
                    depth[k] -= 1;
                } else if count(OPEN[k]) > count(c) {
                    return i;
                }
            }
            b'&' if query => return i,
            // `x&& echo`, `x;; esac`: the run of separators ends it as one would.
            b',' | b';' | b'&' if ends_item(text[i + 1..].trim_start_matches(c as char), c == b';') => return i,
            _ => {}
        }
    }
    b.len()
}

const OPEN: [u8; 3] = [b'(', b'[', b'{'];

fn bracket(c: u8) -> usize {
    match c {
        b'(' | b')' => 0,
        b'[' | b']' => 1,
        _ => 2,
    }
}

/// Does a `,` `;` `&` followed by `rest` end a list item or a statement? Yes before nothing,
/// a blank, a quote or a closing bracket, or the next `key=` / `key:` (after `;` a key may
/// be capitalised words: `;Data Source=…` of a connection string, not `;y2 dbname=`).
fn ends_item(rest: &str, spaced_key: bool) -> bool {
    let Some(&first) = rest.as_bytes().first() else {
        return true;
    };
    if first.is_ascii_whitespace() || matches!(first, b'"' | b'\'' | b'`' | b')' | b']' | b'}') {
        return true;
    }
    if !(first.is_ascii_alphabetic() || first == b'_') {
        return false;
    }
    let b = rest.as_bytes();
    let key_char = |i: usize| {
        let c = b[i];
        c.is_ascii_alphanumeric()
            || matches!(c, b'_' | b'.' | b'-')
            || spaced_key && c == b' ' && first.is_ascii_uppercase() && b.get(i + 1).is_some_and(u8::is_ascii_uppercase)
    };
    let n = (0..b.len()).take_while(|&i| key_char(i)).count();
    b.get(n).is_some_and(|c| matches!(c, b'=' | b':'))
}

/// A bare value that starts with a JSON string's escape (`"auth:\n  user: bob"`): the key
/// ended its line there, and the value is on none of it.
pub(crate) fn starts_with_escape(value: &str) -> bool {
    matches!(value.as_bytes(), [b'\\', b'n' | b'r' | b't', ..])
}

/// A value as a shell reads it (`Xy9\&Zz\;Qq` in a command is `Xy9&Zz;Qq` in its output), so
/// that both get one placeholder. `None` when there is no such escape.
pub(crate) fn shell_unescaped(value: &str) -> Option<String> {
    const SPECIAL: &[u8] = b"&;|<>()$`\\\"' !#*?[]{}~,";
    crate::format::without_escapes(value, |c| SPECIAL.contains(&c))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value<'a>(line: &'a str, key: &str) -> &'a str {
        let ks = line.find(key).unwrap();
        let vs = ks + key.len();
        &line[vs..bare_end(line, ks, vs)]
    }

    #[test]
    fn a_value_runs_to_what_closes_its_context() {
        let cases = [
            ("DB_PASS=S3cr3t&Pass", "S3cr3t&Pass"),
            ("DB_PASS=pa;ss,wo)rd]", "pa;ss,wo)rd]"),
            ("echo 'DB_PASS=a&b' x", "a&b"),
            ("sh -c \"DB_PASS=a;b\"", "a;b"),
            ("f(DB_PASS=a(b)c)", "a(b)c"),
            ("map[DB_PASS=abc]", "abc"),
            ("{DB_PASS=${X}}", "${X}"),
            ("DB_PASS=abc, user=bob", "abc"),
            ("export DB_PASS=abc;", "abc"),
            ("DB_PASS=abc;Database=x", "abc"),
            ("DB_PASS=abc;Data Source=x", "abc"),
            ("DB_PASS=x1;y2 dbname=app", "x1;y2"),
            ("DB_PASS=abc&& echo", "abc"),
            ("DB_PASS=abc,user=bob", "abc"),
            ("DB_PASS=abc&page=2", "abc"),
            ("/x?DB_PASS=abc&b", "abc"),
            ("{\\\"c\\\":\\\"DB_PASS=abc\\\"}", "abc"),
            ("It's DB_PASS=ab'c", "ab"),
        ];
        for (line, want) in cases {
            assert_eq!(value(line, "DB_PASS="), want, "{line}");
        }
    }

    #[test]
    fn shell_escapes_come_off() {
        assert_eq!(shell_unescaped(r"Xy9\&Zz\;Qq").as_deref(), Some("Xy9&Zz;Qq"));
        assert_eq!(shell_unescaped(r"a\\b").as_deref(), Some(r"a\b"));
        assert_eq!(shell_unescaped(r"abc\n"), None);
    }
}
