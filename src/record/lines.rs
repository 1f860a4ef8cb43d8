//! Bytes to lines: a stream cut at newlines (or at MAX_LINE for lines that never
//! end), each line cleaned to what a terminal would have shown. A stream that starts as
//! UTF-16 (a BOM, or NUL-interleaved text) is decoded first, so redaction reads its text.

use std::borrow::Cow;
use std::io::{self, Read};

/// A line longer than this is cut into pieces (a command that never ends a line).
pub const MAX_LINE: usize = 64 * 1024;

/// Splits a byte stream into lines (each with its `\n`, the last one perhaps without).
/// UTF-16 comes out as UTF-8.
#[derive(Debug, Default)]
pub struct LineSplitter {
    pending: Vec<u8>,
    encoding: Encoding,
}

/// What the stream's first bytes said it is.
#[derive(Debug, Default)]
enum Encoding {
    /// Too few bytes yet to tell: held here.
    #[default]
    Unknown,
    /// UTF-8, or bytes taken as they are.
    Bytes,
    Utf16(Box<encoding_rs::Decoder>),
}

/// Bytes looked at to tell UTF-16 from the rest.
const SNIFF: usize = 64;

/// Is a stream starting with `head` UTF-16? `None`: too short to tell yet (unless `end`).
fn sniff(head: &[u8], end: bool) -> Option<Option<&'static encoding_rs::Encoding>> {
    match head {
        [0xff, 0xfe, ..] => return Some(Some(encoding_rs::UTF_16LE)),
        [0xfe, 0xff, ..] => return Some(Some(encoding_rs::UTF_16BE)),
        [0xff | 0xfe] if !end => return None,
        // A line, or enough, without a NUL: UTF-8 (nearly every output), decided at once.
        // UTF-16 has a NUL in its line end, and in most units of the first 64 bytes.
        _ if !head.contains(&0) && (head.contains(&b'\n') || head.len() >= SNIFF || end) => return Some(None),
        _ if head.len() < SNIFF && !end => return None,
        _ => {}
    }
    // Text without a BOM: in most of its units one byte NUL (ASCII in UTF-16), the other
    // not; a character past Latin-1 (`→`, Cyrillic) has none, binary data has `00 00`.
    let units: Vec<&[u8]> = head[..head.len().min(SNIFF) / 2 * 2].chunks(2).collect();
    if units.is_empty() || units.iter().any(|u| u == &[0, 0]) {
        return Some(None);
    }
    let ascii_at = |odd: bool| units.iter().filter(|u| u[usize::from(odd)] == 0).count();
    let (le, be) = (ascii_at(true), ascii_at(false));
    let mostly = |n: usize| n * 4 >= units.len() * 3;
    Some(if mostly(le) && be == 0 {
        Some(encoding_rs::UTF_16LE)
    } else if mostly(be) && le == 0 {
        Some(encoding_rs::UTF_16BE)
    } else {
        None
    })
}

impl LineSplitter {
    pub fn push<E>(&mut self, bytes: &[u8], line: impl FnMut(&[u8]) -> Result<(), E>) -> Result<(), E> {
        self.decode(bytes, false, line)
    }

    /// Decides the encoding on the first bytes, then splits what they decode to.
    fn decode<E>(&mut self, bytes: &[u8], last: bool, line: impl FnMut(&[u8]) -> Result<(), E>) -> Result<(), E> {
        match &mut self.encoding {
            Encoding::Bytes => self.split(bytes, line),
            Encoding::Utf16(decoder) => {
                let mut text = String::with_capacity(decoder.max_utf8_buffer_length(bytes.len()).unwrap_or(0));
                let _ = decoder.decode_to_string(bytes, &mut text, last);
                self.split(text.as_bytes(), line)
            }
            Encoding::Unknown => {
                // Undecided bytes wait in `pending`, which holds nothing else yet.
                self.pending.extend_from_slice(bytes);
                let Some(utf16) = sniff(&self.pending, last) else {
                    return Ok(());
                };
                self.encoding = match utf16 {
                    Some(enc) => Encoding::Utf16(Box::new(enc.new_decoder_with_bom_removal())),
                    None => Encoding::Bytes,
                };
                let head = std::mem::take(&mut self.pending);
                self.decode(&head, last, line)
            }
        }
    }

    fn split<E>(&mut self, mut bytes: &[u8], mut line: impl FnMut(&[u8]) -> Result<(), E>) -> Result<(), E> {
        while let Some(nl) = bytes.iter().position(|&b| b == b'\n') {
            if self.pending.is_empty() {
                emit(&bytes[..=nl], &mut line)?;
            } else {
                self.pending.extend_from_slice(&bytes[..=nl]);
                let whole = std::mem::take(&mut self.pending);
                emit(&whole, &mut line)?;
            }
            bytes = &bytes[nl + 1..];
        }
        self.pending.extend_from_slice(bytes);
        while self.pending.len() >= MAX_LINE {
            let cut = utf8_cut(&self.pending, MAX_LINE);
            let piece: Vec<u8> = self.pending.drain(..cut).collect();
            line(&piece)?;
        }
        Ok(())
    }

    /// The last line, if the stream did not end with a newline.
    pub fn finish<E>(&mut self, mut line: impl FnMut(&[u8]) -> Result<(), E>) -> Result<(), E> {
        if !matches!(self.encoding, Encoding::Bytes) {
            self.decode(&[], true, &mut line)?;
        }
        if self.pending.is_empty() {
            return Ok(());
        }
        let rest = std::mem::take(&mut self.pending);
        line(&rest)
    }
}

/// Hands `bytes` on in pieces of at most MAX_LINE bytes, cut between characters.
fn emit<E>(mut bytes: &[u8], line: &mut impl FnMut(&[u8]) -> Result<(), E>) -> Result<(), E> {
    while bytes.len() > MAX_LINE {
        let cut = utf8_cut(bytes, MAX_LINE);
        line(&bytes[..cut])?;
        bytes = &bytes[cut..];
    }
    line(bytes)
}

/// Reads `input` to the end, handing each cleaned line (with its `\n`) to `f`.
/// Memory stays bounded by MAX_LINE whatever the input.
pub fn for_each_line(mut input: impl Read, mut f: impl FnMut(&str)) -> io::Result<()> {
    let mut splitter = LineSplitter::default();
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        let n = match input.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        splitter.push(&buf[..n], |line| {
            f(&clean_line(line));
            Ok::<(), io::Error>(())
        })?;
    }
    splitter.finish(|line| {
        f(&clean_line(line));
        Ok(())
    })
}

/// Typed text piped in (`incident note -`) as `run` and `capture` read output: UTF-16
/// decoded, bytes that are not UTF-8 replaced with U+FFFD. Also returns each replaced
/// byte with its line (from 1), for the warning that says so.
pub fn decode_text(bytes: &[u8]) -> (String, Vec<(usize, u8)>) {
    let mut text = String::with_capacity(bytes.len());
    let mut replaced = Vec::new();
    let mut line_no = 1;
    let mut take = |piece: &[u8]| {
        for chunk in piece.utf8_chunks() {
            text.push_str(chunk.valid());
            if !chunk.invalid().is_empty() {
                text.push(char::REPLACEMENT_CHARACTER);
                replaced.extend(chunk.invalid().iter().map(|&b| (line_no, b)));
            }
        }
        // Pieces of a line past MAX_LINE end without a newline: still the same line.
        line_no += usize::from(piece.ends_with(b"\n"));
        Ok::<(), ()>(())
    };
    let mut splitter = LineSplitter::default();
    let _ = splitter.push(bytes, &mut take);
    let _ = splitter.finish(&mut take);
    (text, replaced)
}

/// A cut at or before `max` that does not split a UTF-8 character.
fn utf8_cut(bytes: &[u8], max: usize) -> usize {
    let max = max.min(bytes.len());
    // Step back over at most 3 continuation bytes; invalid UTF-8 is cut anywhere.
    (max.saturating_sub(3)..=max).rev().find(|&i| i > 0 && (i == bytes.len() || bytes[i] & 0xC0 != 0x80)).unwrap_or(max)
}

/// What a terminal would show of one line: no ANSI sequences, `\r` overwrites,
/// other control bytes made visible (C1 controls, which some terminals obey, as U+FFFD),
/// invalid UTF-8 replaced. Keeps the final `\n`.
pub fn clean_line(raw: &[u8]) -> Cow<'_, str> {
    // Most lines are plain text: no control bytes but the final newline, valid UTF-8.
    // (A C1 control U+0080–U+009F is 0xC2 then 0x80–0x9F in UTF-8.)
    let c1 = |i: usize| raw.get(i + 1).is_some_and(|n| (0x80..=0x9f).contains(n));
    let plain = raw.iter().enumerate().all(|(i, &b)| {
        (b >= 0x20 && b != 0x7f && !(b == 0xc2 && c1(i))) || b == b'\t' || (b == b'\n' && i + 1 == raw.len())
    });
    if plain && let Ok(text) = std::str::from_utf8(raw) {
        return Cow::Borrowed(text);
    }
    let (body, newline) = match raw.strip_suffix(b"\n") {
        Some(b) => (b.strip_suffix(b"\r").unwrap_or(b), true),
        None => (raw, false),
    };
    let stripped;
    let body = if body.contains(&0x1b) || body.contains(&0x9b) {
        stripped = strip_ansi_escapes::strip(body);
        &stripped[..]
    } else {
        body
    };
    let body = match body.iter().rposition(|&b| b == b'\r') {
        Some(i) if i + 1 < body.len() => &body[i + 1..],
        Some(i) => &body[..i],
        None => body,
    };
    let text = String::from_utf8_lossy(body);
    let mut out = String::with_capacity(text.len() + 1);
    for c in text.chars() {
        match c {
            '\t' => out.push(c),
            c if (c as u32) < 0x20 => out.push(char::from_u32(0x2400 + c as u32).unwrap_or('\u{fffd}')),
            '\u{7f}' => out.push('\u{2421}'),
            '\u{80}'..='\u{9f}' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    if newline {
        out.push('\n');
    }
    Cow::Owned(out)
}

/// Typed text (a note, a cause) as it is stored: each line as `clean_line` leaves it, so
/// no escape sequence reaches a file that `cat` would run it from; newlines and tabs kept.
pub fn clean_text(text: &str) -> Cow<'_, str> {
    let plain = |c: char| !c.is_control() || c == '\n' || c == '\t';
    if text.chars().all(plain) {
        return Cow::Borrowed(text);
    }
    // Typed text has no terminal to overwrite: a CR ends a line (CRLF, old Mac files).
    let text =
        if text.contains('\r') { Cow::Owned(text.replace("\r\n", "\n").replace('\r', "\n")) } else { text.into() };
    Cow::Owned(text.split_inclusive('\n').map(|line| clean_line(line.as_bytes())).collect())
}

/// Text for one line (a title, a tag): tabs and line breaks become spaces, the rest as
/// `clean_text`; a list or a heading keeps its layout.
pub fn clean_one_line(text: &str) -> Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return Cow::Borrowed(text);
    }
    let spaced: String =
        text.replace("\r\n", " ").chars().map(|c| if matches!(c, '\t' | '\n' | '\r') { ' ' } else { c }).collect();
    Cow::Owned(clean_text(&spaced).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cleans_what_terminals_hide() {
        assert_eq!(clean_line(b"\x1b[31mred\x1b[0m text\n"), "red text\n");
        assert_eq!(clean_line(b"10%\r50%\r100%\n"), "100%\n");
        assert_eq!(clean_line(b"crlf\r\n"), "crlf\n");
        assert_eq!(clean_line(b"bell\x07 nul\x00\n"), "bell\u{2407} nul\u{2400}\n");
        assert_eq!(clean_line(b"bad \xff\xfe utf8"), "bad \u{fffd}\u{fffd} utf8");
        assert_eq!(clean_line(b"tab\there\n"), "tab\there\n");
    }

    #[test]
    fn typed_text_keeps_lines_and_tabs_and_loses_escapes() {
        assert_eq!(clean_text("plain\ttext\nline two"), "plain\ttext\nline two");
        assert_eq!(clean_text("line one\rline two\r\nthird\r"), "line one\nline two\nthird\n");
        assert_eq!(clean_text("progress: 10%\rdone"), "progress: 10%\ndone");
        assert_eq!(clean_text("x \x1b]0;pwned\x07 \x1b[2J"), "x  ");
        assert_eq!(clean_text("\x1b[31mred\x1b[0m\nbell\x07 c1\u{85}\n"), "red\nbell\u{2407} c1\u{fffd}\n");
        assert_eq!(clean_text("crlf\r\nnext"), "crlf\nnext");
        assert_eq!(clean_text("a\x00b\x7fc\u{85}d"), "a\u{2400}b\u{2421}c\u{fffd}d");
        assert!(!clean_text("\u{9b}2J \x1b[2J \u{9d}0;x\u{9c}").chars().any(char::is_control));
    }

    #[test]
    fn one_line_text_has_no_line_breaks_or_controls() {
        assert_eq!(clean_one_line("a\tb\nc"), "a b c");
        assert_eq!(clean_one_line("a\r\nb \x1b[31mred\x1b[0m"), "a b red");
        assert_eq!(clean_one_line("Checkout 5xx"), "Checkout 5xx");
        assert_eq!(clean_one_line("x\x08y\u{9f}z"), "x\u{2408}y\u{fffd}z");
    }

    #[test]
    fn piped_text_is_decoded_as_output_is_and_replaced_bytes_are_named() {
        assert_eq!(
            decode_text(b"caf\xe9 down\nok \xff\xfe\n"),
            ("caf\u{fffd} down\nok \u{fffd}\u{fffd}\n".to_string(), vec![(1, 0xe9), (2, 0xff), (2, 0xfe)])
        );
        assert_eq!(decode_text("caf\u{e9} \u{1f600}\n".as_bytes()), ("caf\u{e9} \u{1f600}\n".to_string(), vec![]));
        let utf16: Vec<u8> =
            [0xff, 0xfe].into_iter().chain("caf\u{e9}\n".encode_utf16().flat_map(u16::to_le_bytes)).collect();
        assert_eq!(decode_text(&utf16), ("caf\u{e9}\n".to_string(), vec![]));
    }

    #[test]
    fn utf8_cuts_never_split_a_character() {
        let s = "aé€😀".repeat(10);
        for max in 1..s.len() {
            let cut = utf8_cut(s.as_bytes(), max);
            assert!(s.is_char_boundary(cut), "max {max} cut {cut}");
        }
    }

    fn lines_of(input: &[u8], piece: usize) -> Vec<String> {
        let mut seen = Vec::new();
        let mut splitter = LineSplitter::default();
        let mut keep = |l: &[u8]| {
            seen.push(clean_line(l).into_owned());
            Ok::<(), ()>(())
        };
        for chunk in input.chunks(piece) {
            splitter.push(chunk, &mut keep).unwrap();
        }
        splitter.finish(&mut keep).unwrap();
        seen
    }

    fn utf16(text: &str, bom: bool, le: bool) -> Vec<u8> {
        let mut out = if !bom {
            vec![]
        } else if le {
            vec![0xff, 0xfe]
        } else {
            vec![0xfe, 0xff]
        };
        for u in text.encode_utf16() {
            out.extend(if le { u.to_le_bytes() } else { u.to_be_bytes() });
        }
        out
    }

    #[test]
    fn utf16_is_read_as_text() {
        let text = "password=UTF16SEC05abc\r\nAKIAIOSFODNN7EXAMPLE caf\u{e9} \u{1f600}\r\nlast";
        let want = ["password=UTF16SEC05abc\n", "AKIAIOSFODNN7EXAMPLE caf\u{e9} \u{1f600}\n", "last"];
        for (bom, le) in [(true, true), (true, false), (false, true), (false, false)] {
            for piece in [1, 3, 64, 4096] {
                assert_eq!(lines_of(&utf16(text, bom, le), piece), want, "bom {bom} le {le} piece {piece}");
            }
        }
        // Without a BOM, starting with characters past Latin-1 (no NUL in their units).
        let text = "\u{2192} \u{41f}\u{440}\u{438}\u{432}\u{435}\u{442} password=Utf16Secret95\r\nnext";
        for le in [true, false] {
            assert_eq!(
                lines_of(&utf16(text, false, le), 5),
                ["\u{2192} \u{41f}\u{440}\u{438}\u{432}\u{435}\u{442} password=Utf16Secret95\n", "next"],
                "le {le}"
            );
        }
        // Too short to tell, and not UTF-16: as it was.
        assert_eq!(lines_of(b"a", 1), ["a"]);
        assert_eq!(lines_of(b"ok\n\x00\x00", 1), ["ok\n", "\u{2400}\u{2400}"]);
        assert_eq!(
            lines_of(b"\x7fELF\x02\x01\x01\x00\x00\n", 2),
            ["\u{2421}ELF\u{2402}\u{2401}\u{2401}\u{2400}\u{2400}\n"]
        );
        assert_eq!(lines_of(&utf16("x", false, true), 1), ["x"]);
    }

    #[test]
    fn splits_long_and_unterminated_lines() {
        let mut seen = Vec::new();
        let mut input = vec![b'a'; MAX_LINE + 10];
        input.extend_from_slice(b"\nshort\ntail");
        for_each_line(&input[..], |l| seen.push(l.len())).unwrap();
        assert_eq!(seen, [MAX_LINE, 11, 6, 4]);
    }
}
