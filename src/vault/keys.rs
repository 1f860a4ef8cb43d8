//! Keys of a frontmatter (a step's, `incident.md`'s) that nothing reads: `milstone: detected`
//! would otherwise leave a milestone without its name and no word about it.

use std::sync::OnceLock;

use serde::Deserialize;
use serde::de::{self, Visitor};

use crate::model::{IncidentMeta, StepMeta};

/// The keys `T` reads, asked of serde itself so the list never drifts.
fn fields<'de, T: Deserialize<'de>>() -> &'static [&'static str] {
    let mut probe = FieldNames(&[]);
    let _ = T::deserialize(&mut probe);
    probe.0
}

/// The keys `StepMeta` reads.
pub fn step_keys() -> &'static [&'static str] {
    static KEYS: OnceLock<&'static [&'static str]> = OnceLock::new();
    KEYS.get_or_init(fields::<StepMeta>)
}

/// The keys `incident.md` is read with (`at`, `opened_at`, `date`, …).
pub fn incident_keys() -> &'static [&'static str] {
    static KEYS: OnceLock<&'static [&'static str]> = OnceLock::new();
    KEYS.get_or_init(fields::<IncidentMeta>)
}

/// Properties Obsidian itself reads and writes (the vault is meant to be opened there):
/// not ours, yet not mistakes either.
const OBSIDIAN_KEYS: &[&str] = &["tags", "aliases", "cssclasses"];

/// The top-level keys of the frontmatter in `text` not in `known`, each with its line and
/// the known key it was probably meant to be.
pub fn unknown_keys(text: &[u8], known: &[&'static str]) -> Vec<(usize, String, Option<&'static str>)> {
    // Only the frontmatter is looked at: the body (outputs) can be long.
    let closing = memchr::memchr_iter(b'\n', text.get(3..).unwrap_or_default())
        .map(|i| i + 3)
        .find(|&i| matches!(text.get(i + 1..i + 4), Some(b"---" | b"...")));
    let end = closing.map_or(text.len(), |i| i + 4);
    let Ok(text) = std::str::from_utf8(&text[..end]) else { return Vec::new() };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text.lines().enumerate();
    if lines.next().is_none_or(|(_, l)| l.trim_end() != "---") {
        return Vec::new();
    }
    let mut found = Vec::new();
    for (i, line) in lines {
        if matches!(line.trim_end(), "---" | "...") {
            break;
        }
        // Only `key:` at the start of a line: nested keys and list items belong to a field.
        let Some((key, _)) = line.split_once(':') else { continue };
        if key.is_empty() || key.starts_with([' ', '\t', '-', '#', '"', '\'']) || key.contains(' ') {
            continue;
        }
        if !known.contains(&key) && !OBSIDIAN_KEYS.contains(&key) {
            found.push((i + 1, key.to_string(), near_miss(key, known)));
        }
    }
    found
}

/// The word in `known` that `word` was probably meant to be: two letters off at most, one
/// for a short word (`kind` is not `id`). Two letters swapped (`kidn`) count as one.
pub fn near_miss(word: &str, known: &[&'static str]) -> Option<&'static str> {
    let allowed = (word.chars().count() / 3).clamp(1, 2);
    known
        .iter()
        .copied()
        .map(|k| (strsim::osa_distance(k, word), k))
        .filter(|(d, _)| *d <= allowed)
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

/// A deserializer that only records the field names a struct asks for.
struct FieldNames(&'static [&'static str]);

#[derive(Debug)]
struct Stop;

impl std::fmt::Display for Stop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("field names recorded")
    }
}

impl std::error::Error for Stop {}

impl de::Error for Stop {
    fn custom<T: std::fmt::Display>(_: T) -> Self {
        Stop
    }
}

impl<'de> de::Deserializer<'de> for &mut FieldNames {
    type Error = Stop;

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        _visitor: V,
    ) -> Result<V::Value, Stop> {
        self.0 = fields;
        Err(Stop)
    }

    fn deserialize_any<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value, Stop> {
        Err(Stop)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map enum identifier ignored_any
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn knows_every_field_and_finds_the_misspelt_one() {
        let known = step_keys();
        assert!(known.contains(&"milestone") && known.contains(&"redactions") && known.contains(&"facts"));
        let ok = b"---\nid: a\nkind: note\nat: 2025-10-05T08:30:00Z\nfacts:\n  pods: 3\npros:\n- fast\n---\n\nbody\n";
        assert_eq!(unknown_keys(ok, known), []);
        let typo = b"---\nkind: milestone\nmilstone: detected\nat: 2025-10-05T08:30:00Z\n---\n";
        assert_eq!(unknown_keys(typo, known), [(3, "milstone".to_string(), Some("milestone"))]);
        let obsidian = b"---\nkind: note\ntags: [dns]\naliases:\n- loop\ncssclasses: wide\n---\n";
        assert_eq!(unknown_keys(obsidian, known), []);
        let other = b"---\nkind: note\nmood: grim\n---\n";
        assert_eq!(unknown_keys(other, known), [(3, "mood".to_string(), None)]);
        // Every one, not the first only.
        let two = b"---\nkind: note\nautor: me\nat: 2025-10-05T08:30:00Z\nmood: grim\n---\n";
        assert_eq!(unknown_keys(two, known), [(3, "autor".to_string(), Some("author")), (5, "mood".to_string(), None)]);
        // incident.md's keys are its own, with the hand-written `date` among them.
        let incident = b"---\ntitle: t\ndate: 2025-10-05\nseverty: sev1\nsevices: [db]\nkind: note\n---\n";
        assert_eq!(
            unknown_keys(incident, incident_keys()),
            [
                (4, "severty".to_string(), Some("severity")),
                (5, "sevices".to_string(), Some("services")),
                (6, "kind".to_string(), None)
            ]
        );
    }

    #[test]
    fn the_body_is_never_taken_for_keys() {
        let known = step_keys();
        // `...` closes a frontmatter too; the `key: value` lines after it are the body's.
        let dots = b"---\nkind: note\n...\nmood: grim\n";
        assert_eq!(unknown_keys(dots, known), []);
        let body = b"---\nkind: note\nmood: grim\n---\nsnapshot: yes\n---\nother: 1\n";
        assert_eq!(unknown_keys(body, known), [(3, "mood".to_string(), None)]);
        // Unclosed: the whole text is the frontmatter's.
        assert_eq!(unknown_keys(b"---\nmood: grim\n", known), [(2, "mood".to_string(), None)]);
        assert_eq!(unknown_keys(b"---", known), []);
    }
}
