//! The frontmatter of `incident.md`: as the tool writes it, and the forms people and other
//! tools write by hand.

use serde::{Deserialize, Serialize};

use crate::clock::Timestamp;

/// The frontmatter of `incident.md`, written once by `start`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(try_from = "RawIncidentMeta")]
pub struct IncidentMeta {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub id: String,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub services: Vec<String>,
    /// Services checked and found working (written by hand; shown in the postmortem).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub services_unaffected: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// When the incident started (the `date`/`opened_at` of hand-written files).
    pub at: Timestamp,
    /// `at` came from a day without a time (`date: 2025-10-05`): midnight UTC stands in.
    #[serde(skip)]
    pub day_only: bool,
    /// `at` was written without a UTC offset (by hand): see [`Incident::place_local_times`].
    #[serde(skip)]
    pub at_without_offset: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recorded_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    /// `internal` keeps an incident out of the published site.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visibility: Option<String>,
    /// Only in hand-written files; the tool derives status from milestones.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
}

/// `incident.md` as written by hand or by other tools: `at`, `opened_at` and `date` may
/// all be present (`at` wins, then `opened_at`), which serde aliases would reject as duplicates.
/// Times and lists take the hand-written forms of [`crate::lenient`].
#[derive(Deserialize)]
struct RawIncidentMeta {
    #[serde(default)]
    id: String,
    title: String,
    #[serde(default)]
    severity: Option<String>,
    #[serde(default, deserialize_with = "crate::lenient::names")]
    services: Vec<String>,
    #[serde(default, deserialize_with = "crate::lenient::names")]
    services_unaffected: Vec<String>,
    #[serde(default, deserialize_with = "crate::lenient::names")]
    tags: Vec<String>,
    #[serde(default, deserialize_with = "crate::lenient::optional_hand_time")]
    at: Option<crate::lenient::HandTime>,
    #[serde(default, deserialize_with = "crate::lenient::optional_hand_time")]
    opened_at: Option<crate::lenient::HandTime>,
    #[serde(default, deserialize_with = "crate::lenient::optional_hand_time")]
    date: Option<crate::lenient::HandTime>,
    #[serde(default, deserialize_with = "crate::lenient::optional_time")]
    recorded_at: Option<Timestamp>,
    #[serde(default)]
    author: Option<String>,
    #[serde(default)]
    host: Option<String>,
    #[serde(default)]
    visibility: Option<String>,
    #[serde(default)]
    status: Option<String>,
}

impl TryFrom<RawIncidentMeta> for IncidentMeta {
    type Error = &'static str;
    fn try_from(raw: RawIncidentMeta) -> Result<Self, Self::Error> {
        let at = raw.at.or(raw.opened_at).or(raw.date).ok_or("missing field `at` (or `opened_at`, `date`)")?;
        Ok(IncidentMeta {
            id: raw.id,
            title: raw.title,
            severity: raw.severity,
            services: raw.services,
            services_unaffected: raw.services_unaffected,
            tags: raw.tags,
            at: at.at,
            day_only: at.day_only,
            at_without_offset: at.without_offset,
            recorded_at: raw.recorded_at,
            author: raw.author,
            host: raw.host,
            visibility: raw.visibility,
            status: raw.status,
        })
    }
}
