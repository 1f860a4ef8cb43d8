//! What a step is: its kind, the milestone it marks, the kind of lesson it holds.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// What a step records; also the middle part of its file name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StepKind {
    Note,
    Run,
    Capture,
    Milestone,
    Option,
    Decision,
    Cause,
    Lesson,
    Action,
    Attach,
    Snapshot,
    Check,
    Watch,
    /// A kind written by a newer version or by hand: kept, shown, never dropped.
    #[serde(other)]
    Other,
}

impl StepKind {
    /// Every kind with a name of its own (all but `Other`).
    pub const NAMED: [StepKind; 13] = [
        StepKind::Note,
        StepKind::Run,
        StepKind::Capture,
        StepKind::Milestone,
        StepKind::Option,
        StepKind::Decision,
        StepKind::Cause,
        StepKind::Lesson,
        StepKind::Action,
        StepKind::Attach,
        StepKind::Snapshot,
        StepKind::Check,
        StepKind::Watch,
    ];

    pub(super) fn other() -> StepKind {
        StepKind::Other
    }

    pub fn from_name(name: &str) -> StepKind {
        serde_json::from_value(serde_json::Value::String(name.to_string())).unwrap_or(StepKind::Other)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            StepKind::Note => "note",
            StepKind::Run => "run",
            StepKind::Capture => "capture",
            StepKind::Milestone => "milestone",
            StepKind::Option => "option",
            StepKind::Decision => "decision",
            StepKind::Cause => "cause",
            StepKind::Lesson => "lesson",
            StepKind::Action => "action",
            StepKind::Attach => "attach",
            StepKind::Snapshot => "snapshot",
            StepKind::Check => "check",
            StepKind::Watch => "watch",
            StepKind::Other => "other",
        }
    }

    /// Steps that hold command output.
    pub fn has_output(self) -> bool {
        matches!(self, StepKind::Run | StepKind::Capture | StepKind::Snapshot)
    }
}

impl fmt::Display for StepKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// Points on the incident's clock. The order here is the order they happen in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Milestone {
    ImpactStart,
    Detected,
    Acknowledged,
    Diagnosed,
    MitigationStart,
    Mitigated,
    Recovered,
    Resolved,
    PermanentFixStart,
    PermanentFix,
}

impl Milestone {
    pub const ALL: [Milestone; 10] = [
        Milestone::ImpactStart,
        Milestone::Detected,
        Milestone::Acknowledged,
        Milestone::Diagnosed,
        Milestone::MitigationStart,
        Milestone::Mitigated,
        Milestone::Recovered,
        Milestone::Resolved,
        Milestone::PermanentFixStart,
        Milestone::PermanentFix,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Milestone::ImpactStart => "impact-start",
            Milestone::Detected => "detected",
            Milestone::Acknowledged => "acknowledged",
            Milestone::Diagnosed => "diagnosed",
            Milestone::MitigationStart => "mitigation-start",
            Milestone::Mitigated => "mitigated",
            Milestone::Recovered => "recovered",
            Milestone::Resolved => "resolved",
            Milestone::PermanentFixStart => "permanent-fix-start",
            Milestone::PermanentFix => "permanent-fix",
        }
    }

    /// Whether `self` must happen before `later`. The main chain runs from impact
    /// to resolution; the permanent fix is a side branch that starts after diagnosis
    /// and is unordered with mitigation, recovery and resolution.
    pub fn must_precede(self, later: Milestone) -> bool {
        use Milestone::*;
        let fix_branch = |m: Milestone| matches!(m, PermanentFixStart | PermanentFix);
        match (fix_branch(self), fix_branch(later)) {
            (false, false) => self < later,
            (true, true) => self == PermanentFixStart && later == PermanentFix,
            (false, true) => self <= Diagnosed,
            (true, false) => false,
        }
    }

    /// Words for a timeline: "Detected", "Permanent fix in place".
    pub fn label(self) -> &'static str {
        match self {
            Milestone::ImpactStart => "Impact started",
            Milestone::Detected => "Detected",
            Milestone::Acknowledged => "Acknowledged",
            Milestone::Diagnosed => "Diagnosed",
            Milestone::MitigationStart => "Mitigation started",
            Milestone::Mitigated => "Mitigated",
            Milestone::Recovered => "Recovered",
            Milestone::Resolved => "Resolved",
            Milestone::PermanentFixStart => "Permanent fix started",
            Milestone::PermanentFix => "Permanent fix in place",
        }
    }
}

impl fmt::Display for Milestone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl FromStr for Milestone {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let wanted = s.trim().to_ascii_lowercase().replace(['_', ' '], "-");
        Milestone::ALL.into_iter().find(|m| m.as_str() == wanted).ok_or_else(|| {
            let names: Vec<&str> = Milestone::ALL.iter().map(|m| m.as_str()).collect();
            let near = Milestone::nearest(&wanted).map(|m| format!(" (did you mean {m}?)")).unwrap_or_default();
            format!("unknown milestone {s:?}{near}; expected one of: {}", names.join(", "))
        })
    }
}

impl Milestone {
    /// The milestone a mistyped name most likely meant: one or two letters off
    /// (`diagnoised`), or the start of only one name (`ack`, `mitigation`).
    fn nearest(wanted: &str) -> Option<Milestone> {
        let close = Milestone::ALL
            .into_iter()
            .map(|m| (strsim::levenshtein(wanted, m.as_str()), m))
            .filter(|(d, _)| *d <= 2)
            .min_by_key(|(d, _)| *d)
            .map(|(_, m)| m);
        let mut starting = Milestone::ALL.into_iter().filter(|m| wanted.len() >= 3 && m.as_str().starts_with(wanted));
        close.or_else(|| match (starting.next(), starting.next()) {
            (Some(only), None) => Some(only),
            _ => None,
        })
    }
}

#[cfg(test)]
mod milestone_tests {
    use super::Milestone::*;

    #[test]
    fn a_mistyped_milestone_is_given_the_nearest_name() {
        let err = |s: &str| s.parse::<super::Milestone>().unwrap_err();
        assert!(
            err("diagnoised").starts_with(
                "unknown milestone \"diagnoised\" (did you mean diagnosed?); expected one of: impact-start,"
            )
        );
        assert!(err("Detcted").contains("(did you mean detected?)"));
        assert!(err("ack").contains("(did you mean acknowledged?)"));
        assert!(err("mitigation").contains("(did you mean mitigation-start?)"));
        // Nothing near, or more than one name starting so: no guess.
        assert!(err("fixed").starts_with("unknown milestone \"fixed\"; expected"));
        assert!(err("perm").starts_with("unknown milestone \"perm\"; expected"));
    }

    #[test]
    fn the_fix_branch_is_unordered_with_recovery_and_resolution() {
        assert!(Detected.must_precede(Diagnosed));
        assert!(Diagnosed.must_precede(Recovered));
        assert!(!Recovered.must_precede(Detected));
        assert!(PermanentFixStart.must_precede(PermanentFix));
        assert!(Diagnosed.must_precede(PermanentFixStart));
        assert!(!Resolved.must_precede(PermanentFixStart));
        assert!(!PermanentFixStart.must_precede(Resolved));
        assert!(!Recovered.must_precede(PermanentFix));
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LessonKind {
    Worked,
    Sucked,
    Lucky,
    Learned,
}

impl LessonKind {
    pub fn as_str(self) -> &'static str {
        match self {
            LessonKind::Worked => "worked",
            LessonKind::Sucked => "sucked",
            LessonKind::Lucky => "lucky",
            LessonKind::Learned => "learned",
        }
    }
}

/// What a decision is for (`decide --for`): decisions replace each other only within
/// the same purpose, so the mitigation and the permanent fix both stand.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Purpose {
    Mitigation,
    #[serde(alias = "permanent_fix")]
    PermanentFix,
}

impl Purpose {
    pub const ALL: [Purpose; 2] = [Purpose::Mitigation, Purpose::PermanentFix];

    /// As written by hand too: any case, `_` or a space for `-`; `None` for anything else.
    pub fn from_name(name: &str) -> Option<Purpose> {
        let name = name.trim().to_lowercase().replace(['_', ' '], "-");
        Purpose::ALL.into_iter().find(|p| p.as_str() == name)
    }

    /// A step's `purpose:` that names no purpose is none, so the decision is still read.
    pub fn lenient<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Purpose>, D::Error> {
        let value: Option<String> = serde::Deserialize::deserialize(d)?;
        Ok(value.as_deref().and_then(Purpose::from_name))
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::Mitigation => "mitigation",
            Purpose::PermanentFix => "permanent-fix",
        }
    }

    /// As a sentence says it: `Chose X as the mitigation.`
    pub fn label(self) -> &'static str {
        match self {
            Purpose::Mitigation => "the mitigation",
            Purpose::PermanentFix => "the permanent fix",
        }
    }
}
