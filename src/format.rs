//! Small text helpers shared by commands and templates: durations, times, numbers.

use chrono::Duration;

use crate::clock::Timestamp;

/// Whole minutes in a span of `secs` (not negative), half up: the one rounding rule of every
/// duration shown (status, charts, metrics, the site), so 22m 30s is 23 everywhere.
fn whole_minutes(secs: i64) -> i64 {
    (secs + 30) / 60
}

/// The span `from` → `to` as shown beside others measured from the same `origin` (the
/// first milestone): its own length to the nearest minute, as [`duration`] shows it, so a
/// 61 s span reads 1m here too, never 2m. Only a span of exactly half a minute over (a
/// tie) goes the way the whole minutes from `origin` go, so spans shown side by side add
/// up to their total (22m 30s + 30m 30s reads 23m + 30m = 53m, not 23m + 31m). Under a
/// minute (or backwards, or before `origin`) it is the span itself: seconds as they are.
pub fn shown_span(origin: Timestamp, from: Timestamp, to: Timestamp) -> Duration {
    let (start, end) = ((from - origin).num_seconds(), (to - origin).num_seconds());
    let secs = end - start;
    if start < 0 || secs < 60 {
        return to - from;
    }
    // From `origin`, each end half up: off by up to a minute, e.g. 00:29 → 01:30 is 0 → 2.
    let from_origin = whole_minutes(end) - whole_minutes(start);
    Duration::minutes(if secs % 60 == 30 { from_origin } else { whole_minutes(secs) })
}

/// `45s`, `22m`, `1h 7m`, `3d 4h`; negative spans get a leading `-`. Minutes are rounded
/// as in [`duration_words`].
pub fn duration(d: Duration) -> String {
    let secs = d.num_seconds();
    if secs < 0 {
        return format!("-{}", duration(-d));
    }
    if secs < 60 {
        return format!("{secs}s");
    }
    let total = whole_minutes(secs);
    let (days, hours, mins) = (total / 1440, total / 60 % 24, total % 60);
    match (days, hours, mins) {
        (0, 0, m) => format!("{m}m"),
        (0, h, 0) => format!("{h}h"),
        (0, h, m) => format!("{h}h {m}m"),
        (d, 0, _) => format!("{d}d"),
        (d, h, _) => format!("{d}d {h}h"),
    }
}

/// `22 minutes`, `1 hour 7 minutes`, `1 day 13 minutes`: for prose and postmortems.
/// Minutes are rounded (half up), as the clock times beside them are: 08:22:30 → 08:45:00
/// is 23 minutes, not 22. From a day on, days lead; a unit that is zero is left out, as
/// [`duration`] leaves it out (`1h`, `3d`), and the minutes stay, so the words can be
/// checked against the endpoints.
pub fn duration_words(d: Duration) -> String {
    let secs = d.num_seconds();
    if secs.abs() < 60 {
        return signed_plural(secs, "second");
    }
    let sign = if secs < 0 { "-" } else { "" };
    let mins = whole_minutes(secs.abs());
    let units = [(mins / 1440, "day"), (mins / 60 % 24, "hour"), (mins % 60, "minute")];
    let words: Vec<String> = units.iter().filter(|(n, _)| *n > 0).map(|(n, unit)| plural(*n as u64, unit)).collect();
    format!("{sign}{}", words.join(" "))
}

fn signed_plural(n: i64, unit: &str) -> String {
    format!("{}{}", if n < 0 { "-" } else { "" }, plural(n.unsigned_abs(), unit))
}

/// An interval's endpoint: `09:30` on the day of `day_of`, else `Oct 7 09:30` (and the
/// year too when that differs), so a multi-day interval can be checked from its endpoints.
pub fn endpoint(t: Timestamp, day_of: Timestamp) -> String {
    use chrono::Datelike;
    let (d, day) = (t.date_naive(), day_of.date_naive());
    if d == day {
        clock(t)
    } else if d.year() == day.year() {
        format!("{} {}", t.format("%b %-d"), clock(t))
    } else {
        format!("{} {}", t.format("%b %-d %Y"), clock(t))
    }
}

/// `1 incident`, `2 incidents`, `6,812 restarts`.
pub fn plural(n: u64, unit: &str) -> String {
    if n == 1 { format!("1 {unit}") } else { format!("{} {unit}s", thousands(n)) }
}

/// `6812` -> `6,812`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `08:23` in the time's own offset.
pub fn clock(t: Timestamp) -> String {
    use chrono::Timelike;
    // Not `format("%H:%M")`: that reads the pattern again for every step of a publish.
    format!("{:02}:{:02}", t.hour(), t.minute())
}

/// `2025-10-05 08:23`.
pub fn date_time(t: Timestamp) -> String {
    t.format("%Y-%m-%d %H:%M").to_string()
}

/// A command line as a shell reads it back. An argument holding a `'` is put in double
/// quotes when that needs no escapes: `'\''` sequences hide a quoted password from the
/// redaction rules (`--password '\''p w'\''` reads as an empty value).
pub fn shell_line(argv: &[String]) -> String {
    let quote = |arg: &String| {
        if arg.contains('\'') && !arg.contains(['"', '$', '`', '\\', '!']) {
            format!("\"{arg}\"")
        } else {
            shell_words::quote(arg).into_owned()
        }
    };
    argv.iter().map(quote).collect::<Vec<_>>().join(" ")
}

/// How many lines `str::lines` gives for `text`, counted with a SIMD search (outputs of
/// megabytes are counted on every page they are on).
pub fn line_count(text: &str) -> usize {
    memchr::memchr_iter(b'\n', text.as_bytes()).count() + usize::from(!text.is_empty() && !text.ends_with('\n'))
}

/// The first line of a text, cut to `max` characters with an ellipsis.
pub fn first_line(text: &str, max: usize) -> String {
    let line = text.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or("");
    if line.chars().count() <= max {
        line.to_string()
    } else {
        let cut: String = line.chars().take(max.saturating_sub(1)).collect();
        format!("{cut}…")
    }
}

/// One line of Markdown as the plain text it reads as: emphasis marks dropped, a link its
/// text, inline code kept in backticks. A headline is cut after this, so a cut never lands
/// inside Markdown syntax and leaves a lone `**` or `[`.
pub fn markdown_plain(line: &str) -> String {
    use pulldown_cmark::{Event, Parser, Tag, TagEnd};
    // Read as the rest of a paragraph: `1. restart` or `# x` stays text, not a list or heading.
    let mut out = String::with_capacity(line.len());
    let source = format!("x {}", line.trim());
    for (event, range) in Parser::new(&source).into_offset_iter() {
        match event {
            // A lone `*` or `_` is a glob or a product as often as emphasis (`/etc/cni/*.conf
            // and /var/*.db`, `6*2*3`): kept. Only `**strong**` marks go.
            Event::Start(Tag::Emphasis) => out.push_str(source.get(range.start..range.start + 1).unwrap_or("")),
            Event::End(TagEnd::Emphasis) => out.push_str(source.get(range.end - 1..range.end).unwrap_or("")),
            Event::Text(t) | Event::InlineHtml(t) | Event::Html(t) | Event::InlineMath(t) => out.push_str(&t),
            Event::Code(c) => {
                let ticks = "`".repeat(c.split(|ch| ch != '`').map(str::len).max().unwrap_or(0) + 1);
                out.push_str(&format!("{ticks}{c}{ticks}"));
            }
            Event::SoftBreak | Event::HardBreak => out.push(' '),
            _ => {}
        }
    }
    let text = out.strip_prefix("x ").unwrap_or(&out).trim();
    if text.is_empty() { line.trim().to_string() } else { text.to_string() }
}

/// A line cut to `max` characters with an ellipsis, at a word boundary when one is in the
/// last half (a word cut in two reads as another word).
pub fn cut_words(line: &str, max: usize) -> String {
    if line.chars().count() <= max {
        return line.to_string();
    }
    let cut: String = line.chars().take(max.saturating_sub(1)).collect();
    let at_space = cut.rfind(' ').filter(|&i| cut[..i].chars().count() >= max / 2);
    format!("{}…", at_space.map_or(cut.as_str(), |i| cut[..i].trim_end()))
}

/// `text` with the backslash taken off each `\c` where `escapable(c)` (Markdown's ASCII
/// punctuation, a shell's specials); `None` when there is none, so most texts are not copied.
pub fn without_escapes(text: &str, escapable: impl Fn(u8) -> bool) -> Option<String> {
    let bytes = text.as_bytes();
    // Most texts hold no backslash at all: memchr passes over them at memory speed.
    if !memchr::memchr_iter(b'\\', bytes).any(|i| bytes.get(i + 1).is_some_and(|&c| escapable(c))) {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match chars.peek() {
            Some(&next) if c == '\\' && next.is_ascii() && escapable(next as u8) => {
                out.push(next);
                chars.next();
            }
            _ => out.push(c),
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn line_count_is_what_lines_gives() {
        for text in ["", "a", "a\n", "a\n\n", "\n", "a\r\nb", "a\nb\n", "\n\n\nx"] {
            assert_eq!(super::line_count(text), text.lines().count(), "{text:?}");
        }
    }

    use super::*;

    #[test]
    fn shell_lines_read_back_as_the_same_words() {
        let argv: Vec<String> =
            ["echo", "docker login --password 'p w'", "it's $HOME", "a b", "plain"].map(String::from).to_vec();
        let line = shell_line(&argv);
        assert_eq!(line, "echo \"docker login --password 'p w'\" 'it'\\''s $HOME' 'a b' plain");
        assert_eq!(shell_words::split(&line).unwrap(), argv);
    }

    #[test]
    fn spans_side_by_side_add_up_to_their_total() {
        let t =
            |secs: i64| chrono::DateTime::parse_from_rfc3339("2025-10-05T08:00:00Z").unwrap() + Duration::seconds(secs);
        let (start, diagnosed, resolved) = (t(0), t(22 * 60 + 30), t(53 * 60));
        let first = duration(shown_span(start, start, diagnosed));
        let second = duration(shown_span(start, diagnosed, resolved));
        assert_eq!((first.as_str(), second.as_str()), ("23m", "30m"), "23m + 30m, as the total 53m");
        assert_eq!(duration(shown_span(start, start, resolved)), "53m", "the total keeps half up");
        assert_eq!(duration(shown_span(start, t(10), t(55))), "45s", "under a minute: as it is");
        assert_eq!(duration(shown_span(start, t(31), t(91))), "1m", "a minute or more is never 0m");
    }

    #[test]
    fn a_span_reads_its_own_length_to_the_nearest_minute_wherever_it_starts() {
        let t =
            |secs: i64| chrono::DateTime::parse_from_rfc3339("2025-10-05T08:00:00Z").unwrap() + Duration::seconds(secs);
        let cases = [
            (59, "59s"),
            (60, "1m"),
            (61, "1m"),
            (89, "1m"),
            (91, "2m"),
            (3599, "1h"),
            (3600, "1h"),
            (3661, "1h 1m"),
            (86_400 + 3661, "1d 1h"),
            (3 * 86_400 + 4 * 3600 + 29, "3d 4h"),
        ];
        for (secs, want) in cases {
            assert_eq!(duration(Duration::seconds(secs)), want, "{secs}s alone");
            // Every offset from the first milestone, e.g. 08:00:29 → 08:01:30 for 61 s.
            for offset in 0..60 {
                let shown = duration(shown_span(t(0), t(offset), t(offset + secs)));
                assert_eq!(shown, want, "{secs}s from {offset}s after the first milestone");
            }
        }
        // A tie (90 s alone is 2m, half up) is as near to either minute: beside others it
        // goes the way that keeps their total.
        assert_eq!(duration(Duration::seconds(90)), "2m");
        let ties: Vec<String> = (0..60).map(|offset| duration(shown_span(t(0), t(offset), t(offset + 90)))).collect();
        assert!(ties.iter().all(|d| d == "1m" || d == "2m"), "{ties:?}");
    }

    #[test]
    fn durations_read_like_people_write_them() {
        assert_eq!(duration(Duration::seconds(45)), "45s");
        assert_eq!(duration(Duration::minutes(22)), "22m");
        assert_eq!(duration(Duration::minutes(67)), "1h 7m");
        assert_eq!(duration(Duration::hours(2)), "2h");
        assert_eq!(duration(Duration::hours(76)), "3d 4h");
        assert_eq!(duration(Duration::minutes(-5)), "-5m");
        assert_eq!(duration(Duration::seconds(22 * 60 + 30)), "23m", "rounded as duration_words rounds");
        assert_eq!(duration(Duration::seconds(59 * 60 + 45)), "1h");
        assert_eq!(duration_words(Duration::minutes(22)), "22 minutes");
        assert_eq!(duration_words(Duration::minutes(67)), "1 hour 7 minutes");
        assert_eq!(duration_words(Duration::minutes(60)), "1 hour");
        assert_eq!(duration_words(Duration::seconds(22 * 60 + 30)), "23 minutes");
        assert_eq!(duration_words(Duration::seconds(22 * 60 + 29)), "22 minutes");
        assert_eq!(duration_words(Duration::seconds(-(22 * 60 + 30))), "-23 minutes");
        assert_eq!(duration_words(Duration::seconds(59 * 60 + 45)), "1 hour");
        assert_eq!(duration_words(Duration::minutes(168 * 60 + 23)), "7 days 23 minutes");
        assert_eq!(duration_words(Duration::minutes(24 * 60 + 13)), "1 day 13 minutes");
        assert_eq!(duration_words(Duration::minutes(24 * 60 + 60)), "1 day 1 hour");
        assert_eq!(duration_words(Duration::minutes(217 * 60 + 30)), "9 days 1 hour 30 minutes");
        assert_eq!(duration_words(Duration::hours(48)), "2 days");
        assert_eq!(duration_words(Duration::hours(-26)), "-1 day 2 hours");
        assert_eq!(thousands(6812), "6,812");
        let t = |s: &str| chrono::DateTime::parse_from_rfc3339(s).unwrap();
        let start = t("2025-09-28T08:00:00-05:00");
        assert_eq!(endpoint(t("2025-09-28T23:55:00-05:00"), start), "23:55");
        assert_eq!(endpoint(t("2025-10-07T09:30:00-05:00"), start), "Oct 7 09:30");
        assert_eq!(endpoint(t("2026-01-02T02:20:00-06:00"), start), "Jan 2 2026 02:20");
        assert_eq!(thousands(1_000_000), "1,000,000");
        assert_eq!(first_line("\n  hello world  \nsecond", 8), "hello w…");
        assert_eq!(
            markdown_plain("gave **1.2.3.4** to [CoreDNS](https://c.io/) via `ip r`"),
            "gave 1.2.3.4 to CoreDNS via `ip r`"
        );
        assert_eq!(markdown_plain("1. restart *coredns*"), "1. restart *coredns*", "a lone * may be a glob: kept");
        let globs = "deleted /var/lib/k3s/*.db and /etc/cni/*.conflist";
        assert_eq!(markdown_plain(globs), globs);
        assert_eq!(markdown_plain("restarts: 6*2*3 pods"), "restarts: 6*2*3 pods");
        assert_eq!(markdown_plain("a _b_ c"), "a _b_ c");
        assert_eq!(markdown_plain("---"), "---");
        assert_eq!(cut_words("the CoreDNS loop plugin", 16), "the CoreDNS…");
        assert_eq!(cut_words("abcdefghijklmnop", 8), "abcdefg…");
    }
}
