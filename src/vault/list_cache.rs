//! `list`'s record of what each incident's line was made from (`.incident/list-cache`,
//! local state). An incident whose files all have the same size and times is not read
//! again: `list` then costs a look at each file, not a parse of every step.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::atomic;
use crate::clock::Timestamp;
use crate::model::{IncidentMeta, Status};

pub const CACHE_FILE: &str = "list-cache";
/// A record written by another version is not trusted: how a line is made may differ.
/// 2: file stamps became FNV-1a based (were `DefaultHasher`, which a Rust release may change).
/// 3: each milestone keeps the id of its step.
/// 4: milestones of one instant are kept in the order they happen.
/// 5: only an `impact-start` moves the start earlier (a mis-dated milestone did).
const VERSION: &str = concat!("5/", env!("CARGO_PKG_VERSION"));

/// One incident's line of `list`, without `incident.md` (read every time: it is one file).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// [`super::Stamps::fingerprint`] of the folder it was made from.
    pub fingerprint: String,
    pub status: Status,
    pub started_at: Timestamp,
    pub milestones: Vec<super::MilestoneAt>,
    pub steps: usize,
}

#[derive(Serialize, Deserialize)]
struct Record {
    version: String,
    incidents: BTreeMap<String, Entry>,
}

impl Entry {
    pub fn of(summary: &super::IncidentSummary, fingerprint: String) -> Entry {
        Entry {
            fingerprint,
            status: summary.status,
            started_at: summary.started_at,
            milestones: summary.milestones.clone(),
            steps: summary.steps,
        }
    }

    pub fn summary(&self, slug: String, meta: IncidentMeta) -> super::IncidentSummary {
        super::IncidentSummary {
            slug,
            meta,
            status: self.status,
            started_at: self.started_at,
            milestones: self.milestones.clone(),
            steps: self.steps,
        }
    }
}

/// The record in `state_dir`; nothing when there is none, it is damaged or of another version.
pub fn read(state_dir: &Path) -> BTreeMap<String, Entry> {
    std::fs::read(state_dir.join(CACHE_FILE))
        .ok()
        .and_then(|bytes| serde_json::from_slice::<Record>(&bytes).ok())
        .filter(|r| r.version == VERSION)
        .map(|r| r.incidents)
        .unwrap_or_default()
}

/// Writes the record; a vault that cannot take it (read-only) just lists slower next time.
pub fn write(state_dir: &Path, incidents: BTreeMap<String, Entry>) {
    let record = Record { version: VERSION.to_string(), incidents };
    if let Ok(bytes) = serde_json::to_vec(&record) {
        let _ = atomic::write_replace(&state_dir.join(CACHE_FILE), &bytes);
    }
}
