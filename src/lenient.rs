//! Serde readers for the forms people and Obsidian write by hand: times without an
//! offset or without a time of day, a single value or nothing where a list belongs.
//! What the tool writes takes the first, exact path, so its files round-trip unchanged.

use std::fmt;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde::Deserializer;
use serde::de::{self, SeqAccess, Visitor};

use crate::clock::Timestamp;

/// A time as the tool writes it (RFC 3339), or, read as UTC: `2025-10-05T08:30`,
/// `2025-10-05 08:30`, `2025-10-05T08:30:00` and `2025-10-05` (the start of that day).
pub fn parse_time(text: &str) -> Option<Timestamp> {
    let text = text.trim();
    if let Ok(t) = text.parse::<Timestamp>() {
        return Some(t);
    }
    let naive = ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(text, f).ok())
        .or_else(|| NaiveDate::parse_from_str(text, "%Y-%m-%d").ok().and_then(|d| d.and_hms_opt(0, 0, 0)))?;
    Some(DateTime::<Utc>::from_naive_utc_and_offset(naive, Utc).fixed_offset())
}

/// Whether the top-level `key:` of `yaml` holds a time without a UTC offset
/// (`at: 2025-10-05 08:28`), which [`parse_time`] reads as UTC for want of better.
pub fn lacks_offset(yaml: &str, key: &str) -> bool {
    let Some(value) = yaml.lines().find_map(|l| l.strip_prefix(key)?.strip_prefix(':')) else { return false };
    // A plain scalar ends at ` #` (a comment); a time holds no `#` anyway.
    let value = value.split(" #").next().unwrap_or(value).trim().trim_matches(['"', '\'']);
    parse_time(value).is_some() && without_offset(value)
}

/// A time [`parse_time`] reads that is not RFC 3339: it names no UTC offset.
fn without_offset(value: &str) -> bool {
    value.trim().parse::<Timestamp>().is_err()
}

struct TimeVisitor;

impl<'de> Visitor<'de> for TimeVisitor {
    type Value = Timestamp;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a time like 2025-10-05T08:30:00Z")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Timestamp, E> {
        parse_time(v).ok_or_else(|| E::custom(format_args!("{v:?} is not a time")))
    }
}

/// A required time field.
pub fn time<'de, D: Deserializer<'de>>(d: D) -> Result<Timestamp, D::Error> {
    d.deserialize_str(TimeVisitor)
}

struct OptionalTime;

impl<'de> Visitor<'de> for OptionalTime {
    type Value = Option<Timestamp>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a time like 2025-10-05T08:30:00Z, or nothing")
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        time(d).map(Some)
    }
}

/// An optional time field; an empty value is no time.
pub fn optional_time<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Timestamp>, D::Error> {
    d.deserialize_option(OptionalTime)
}

/// An optional milestone in any spelling [`crate::model::Milestone`]'s `from_str` takes
/// (`Resolved`, `permanent_fix`); a typo is refused with the name it was likely meant to be.
pub fn optional_milestone<'de, D: Deserializer<'de>>(d: D) -> Result<Option<crate::model::Milestone>, D::Error> {
    let text: Option<String> = serde::Deserialize::deserialize(d)?;
    text.map(|t| t.parse().map_err(de::Error::custom)).transpose()
}

/// A hand-written time, and whether it named only a day (`date: 2025-10-05`): such a
/// midnight is not a moment anything happened at.
#[derive(Clone, Copy, Debug)]
pub struct HandTime {
    pub at: Timestamp,
    pub day_only: bool,
    /// Written without a UTC offset (read as UTC for now; see `Incident::place_local_times`).
    pub without_offset: bool,
}

struct OptionalHandTime;

impl<'de> Visitor<'de> for OptionalHandTime {
    type Value = Option<HandTime>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a time like 2025-10-05T08:30:00Z or a day like 2025-10-05, or nothing")
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(self)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        let at = TimeVisitor.visit_str(v)?;
        let day_only = NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d").is_ok();
        Ok(Some(HandTime { at, day_only, without_offset: without_offset(v) }))
    }
}

/// An optional time field that may name only a day.
pub fn optional_hand_time<'de, D: Deserializer<'de>>(d: D) -> Result<Option<HandTime>, D::Error> {
    d.deserialize_option(OptionalHandTime)
}

struct ListVisitor;

impl<'de> Visitor<'de> for ListVisitor {
    type Value = Vec<String>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of words")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<String>, A::Error> {
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
        while let Some(item) = seq.next_element()? {
            out.push(item);
        }
        Ok(out)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Vec<String>, E> {
        Ok(Vec::new())
    }

    fn visit_none<E: de::Error>(self) -> Result<Vec<String>, E> {
        Ok(Vec::new())
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Vec<String>, E> {
        Ok(vec![v.to_string()])
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Vec<String>, E> {
        Ok(vec![v])
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Vec<String>, E> {
        Ok(vec![v.to_string()])
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Vec<String>, E> {
        Ok(vec![v.to_string()])
    }

    // `yes`, `on`, `1.10` would not come back as written: the person quotes them.
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Vec<String>, E> {
        Err(E::custom(format_args!("a yes/no value ({v}) where a list is expected")))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Vec<String>, E> {
        Err(E::custom(format_args!("a number ({v}) where a list is expected")))
    }
}

/// A list field: `[a, b]` or `- a` lines; also `k3s` (one item) and nothing (no items).
pub fn list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    d.deserialize_any(ListVisitor)
}

/// A list of names (tags, services): as [`list`], and `dns, k8s` written as one string is
/// two names, as Obsidian reads a `tags:` line. Not for prose lists (pros and cons).
pub fn names<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    let items = list(d)?;
    Ok(items
        .iter()
        .flat_map(|item| item.split(','))
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(String::from)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::{lacks_offset, parse_time};

    #[test]
    fn names_written_with_commas_are_several() {
        #[derive(serde::Deserialize)]
        struct T {
            #[serde(deserialize_with = "super::names")]
            tags: Vec<String>,
        }
        let tags = |yaml: &str| serde_saphyr::from_str::<T>(yaml).unwrap().tags;
        assert_eq!(tags("tags: dns, k8s\n"), ["dns", "k8s"]);
        assert_eq!(tags("tags: [dns, \"k8s, x\"]\n"), ["dns", "k8s", "x"]);
        assert_eq!(tags("tags: k3s\n"), ["k3s"]);
        assert_eq!(tags("tags: ' , '\n"), Vec::<String>::new());
    }

    #[test]
    fn a_time_without_offset_is_told_apart() {
        assert!(lacks_offset("kind: note\nat: 2025-10-05 08:28\n", "at"));
        assert!(lacks_offset("at: \"2025-10-05T08:28\"\n", "at"));
        assert!(lacks_offset("at: 2025-10-05 08:28  # by hand\n", "at"));
        assert!(!lacks_offset("at: \"2025-10-05T08:28:00+02:00\"\nattachment: x\n", "at"));
        assert!(!lacks_offset("attachment: 2025-10-05 08:28\n", "at"));
        assert!(!lacks_offset("at: soon\n", "at"));
    }

    #[test]
    fn times_without_offset_or_clock_are_utc() {
        let t = |s: &str| parse_time(s).map(|t| t.to_rfc3339());
        assert_eq!(t("2025-10-05T08:30:00-05:00").as_deref(), Some("2025-10-05T08:30:00-05:00"));
        assert_eq!(t("2025-10-05T13:30:00Z").as_deref(), Some("2025-10-05T13:30:00+00:00"));
        for s in ["2025-10-05T08:30", "2025-10-05 08:30", "2025-10-05T08:30:00", "2025-10-05 08:30:00.000"] {
            assert_eq!(t(s).as_deref(), Some("2025-10-05T08:30:00+00:00"), "{s}");
        }
        assert_eq!(t("2025-10-05").as_deref(), Some("2025-10-05T00:00:00+00:00"));
        assert_eq!(t("yesterday morning"), None);
        assert_eq!(t("2025-13-05"), None);
    }
}
