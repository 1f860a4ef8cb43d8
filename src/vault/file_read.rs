//! One file of an incident read: a step or `incident.md`, bytes to the model, with the
//! warnings a hand edit earns.

use std::path::Path;

use super::warning::Warning;
use crate::frontmatter::{self, ParseError};
use crate::model::{IncidentMeta, Milestone, Purpose, Step, StepKind, StepMeta};

/// The kind in a step file name `<time>-<kind>-<random>.md`.
pub(super) fn kind_of_file(path: &Path) -> Option<StepKind> {
    let stem = path.file_stem()?.to_str()?;
    let (_time, rest) = stem.split_once('-')?;
    let kind = rest.rsplit_once('-').map(|(k, _)| k)?;
    Some(StepKind::from_name(kind))
}

pub(super) fn warning(path: &Path, e: ParseError) -> Warning {
    Warning { path: path.to_path_buf(), line: e.line, message: e.message }
}

pub(super) fn read_bytes(path: &Path) -> Result<Vec<u8>, Warning> {
    super::atomic::read_no_follow(path).map_err(|e| {
        let message = match super::atomic::is_link(&e) {
            true => super::atomic::LINK_NOT_READ.to_string(),
            false => format!("cannot read: {e}"),
        };
        Warning { path: path.to_path_buf(), line: 0, message }
    })
}

/// Keys of the frontmatter in `bytes` not in `known`; with `near_misses_only`, only those
/// close to a known key (a typo, not a property of the user's own).
fn unknown_key_warnings(
    path: &Path,
    bytes: &[u8],
    known: &[&'static str],
    near_misses_only: bool,
) -> impl Iterator<Item = Warning> {
    let keys = super::keys::unknown_keys(bytes, known).into_iter();
    keys.filter(move |(_, _, near)| !near_misses_only || near.is_some()).map(|(line, key, near)| {
        let fix = match near {
            Some(known) => format!("did you mean `{known}`?"),
            None => "it is not read; remove it or fix its name".to_string(),
        };
        Warning { path: path.to_path_buf(), line, message: format!("unknown key `{key}`: {fix}") }
    })
}

/// Reads one step file; the file name fills in a missing id or kind.
pub(super) fn read_step(path: &Path) -> Result<(Step, Vec<Warning>), Warning> {
    parse_step(path, &read_bytes(path)?)
}

/// A step and what a hand edit left in it that the reader passed over: keys nothing reads,
/// a milestone step without its milestone, a merge conflict in the body, bytes of the body
/// that are not UTF-8.
pub(super) fn parse_step(path: &Path, bytes: &[u8]) -> Result<(Step, Vec<Warning>), Warning> {
    let (text, bad_body) = frontmatter::normalize_lossy_body(bytes).map_err(|e| warning(path, e))?;
    let mut lint = Vec::new();
    let (mut meta, body): (StepMeta, &str) = match frontmatter::parse(&text) {
        Err(e) if e.message.ends_with("missing field `at`") => {
            let (meta, body, taken) = at_from_file_name(path, &text).ok_or_else(|| no_time(path))?;
            lint.push(taken);
            (meta, body)
        }
        parsed => parsed.map_err(|e| warning(path, e))?,
    };
    let head = &text[..text.len() - body.len()];
    meta.at_without_offset = crate::lenient::lacks_offset(head, "at");
    if meta.id.is_empty() {
        meta.id = path.file_stem().and_then(|s| s.to_str()).unwrap_or_default().to_string();
    }
    if meta.kind == StepKind::Other {
        meta.kind = kind_of_file(path).unwrap_or(StepKind::Other);
    }
    lint.extend(unknown_key_warnings(path, bytes, super::keys::step_keys(), false));
    lint.extend(kind_typo(path, head));
    if meta.kind == StepKind::Decision {
        lint.extend(unknown_purpose(path, head));
    }
    if meta.kind == StepKind::Milestone && meta.milestone.is_none() {
        // On the `kind:` line; on none when the file name gave the kind.
        let line = key_line(head, "kind");
        let names: Vec<&str> = Milestone::ALL.iter().map(|m| m.as_str()).collect();
        let message = format!(
            "a milestone step without `milestone:`, so it marks none; add a line such as `milestone: resolved` \
             (one of: {})",
            names.join(", ")
        );
        lint.push(Warning { path: path.to_path_buf(), line, message });
    }
    lint.extend(body_warnings(path, head, body, bad_body));
    Ok((Step { meta, body: body.to_string() }, lint))
}

/// A `kind:` no version wrote but one letter or two from a kind read here (`milstone`): the
/// step is kept as it is read (`other`, or the kind its file name holds), and the typo said.
/// A kind far from all (`wibble`, from a newer version) is kept without a word.
fn kind_typo(path: &Path, head: &str) -> Option<Warning> {
    let line = key_line(head, "kind");
    let value = head.lines().nth(line.checked_sub(1)?)?.split_once(':')?.1;
    let value = value.split(" #").next().unwrap_or_default().trim().trim_matches(['"', '\'']);
    if value.is_empty() || value == "other" || StepKind::from_name(value) != StepKind::Other {
        return None;
    }
    let names: Vec<&'static str> = StepKind::NAMED.iter().map(|k| k.as_str()).collect();
    let meant = super::keys::near_miss(value, &names)?;
    let message = format!("unknown kind `{value}`: did you mean `{meant}`?");
    Some(Warning { path: path.to_path_buf(), line, message })
}

/// A `purpose:` that is neither purpose: the decision is kept, without one, and said.
fn unknown_purpose(path: &Path, head: &str) -> Option<Warning> {
    let line = key_line(head, "purpose");
    let value = head.lines().nth(line.checked_sub(1)?)?.split_once(':')?.1;
    let value = value.split(" #").next().unwrap_or_default().trim().trim_matches(['"', '\'']);
    if value.is_empty() || value == "~" || value == "null" || Purpose::from_name(value).is_some() {
        return None;
    }
    let names: Vec<&'static str> = Purpose::ALL.iter().map(|p| p.as_str()).collect();
    let meant = super::keys::near_miss(&value.to_lowercase(), &names).map(|m| format!(" (did you mean `{m}`?)"));
    let message = format!(
        "unknown purpose `{value}`{}, so the decision is read as one without a purpose (as `decide` without --for); write one of: {}",
        meant.unwrap_or_default(),
        names.join(", ")
    );
    Some(Warning { path: path.to_path_buf(), line, message })
}

/// The time in a step file name `20190101T032317Z-run-74720b.md`.
fn time_of_file(path: &Path) -> Option<crate::clock::Timestamp> {
    let stem = path.file_stem()?.to_str()?;
    let time = stem.split('-').next()?;
    let naive = chrono::NaiveDateTime::parse_from_str(time, "%Y%m%dT%H%M%SZ").ok()?;
    Some(naive.and_utc().fixed_offset())
}

/// A step without `at:` whose file name holds the time (a copied or hand-made file): read
/// with that time, and a warning that says so and how to write it in.
fn at_from_file_name<'t>(path: &Path, text: &'t str) -> Option<(StepMeta, &'t str, Warning)> {
    let at = time_of_file(path)?;
    let written = at.format("%Y-%m-%dT%H:%M:%SZ").to_string();
    // The line goes after the last field, so an error above it keeps its line number.
    let yaml = frontmatter::split(text).ok()?.yaml;
    let end = yaml.as_ptr() as usize - text.as_ptr() as usize + yaml.len();
    let with_at = format!("{}at: \"{written}\"\n{}", &text[..end], &text[end..]);
    let (meta, _): (StepMeta, &str) = frontmatter::parse(&with_at).ok()?;
    let body = frontmatter::split(text).ok()?.body;
    let message = format!(
        "no `at:` in the frontmatter, so the time was taken from the file name; add `at: {written}` to the frontmatter"
    );
    Some((meta, body, Warning { path: path.to_path_buf(), line: 0, message }))
}

/// A step with no time anywhere: left out, with where to write one.
fn no_time(path: &Path) -> Warning {
    let message = "no `at:` in the frontmatter and no time in the file name, so the step is left out; \
                   add a line such as `at: 2025-10-05T08:30:00Z` (UTC, or with its offset) after the first `---`";
    // Line 2: where the line goes (the frontmatter was read, so line 1 is `---`).
    Warning { path: path.to_path_buf(), line: 2, message: message.to_string() }
}

/// `incident.md`: its frontmatter, its summary, and what a hand edit left in it that the
/// reader passed over (keys nothing reads, a `status:` it does not know, a merge conflict or
/// bytes not UTF-8 in the summary).
pub(super) fn read_incident_file(path: &Path) -> Result<(IncidentMeta, String, Vec<Warning>), Warning> {
    let bytes = read_bytes(path)?;
    let (text, bad_body) = frontmatter::normalize_lossy_body(&bytes).map_err(|e| warning(path, e))?;
    let (meta, body): (IncidentMeta, &str) = frontmatter::parse(&text).map_err(|e| warning(path, e))?;
    let head = &text[..text.len() - body.len()];
    // incident.md is a note of the team's too: a property of its own (`commander:`, `kind:`,
    // `jira:`) is no mistake; only a near miss of a key read here (`severty:`) is said.
    let mut lint: Vec<Warning> = unknown_key_warnings(path, &bytes, super::keys::incident_keys(), true).collect();
    // Likewise a status or severity of the team's own (`monitoring`, `P1`) is read as it is
    // without a word; a near miss of one `incident` writes (`resolvd`, `SEV-1`) is said.
    let status = meta.status.as_deref().filter(|s| !crate::model::is_written_status(s));
    lint.extend(
        status
            .and_then(|s| near_value(path, head, ("status", s), &crate::model::WRITTEN_STATUSES, "it is read as open")),
    );
    // `SEV1` is sev1 (`report` folds case); `SEV-1` is a near miss.
    let severity = meta.severity.as_deref().filter(|s| !SEVERITIES.iter().any(|k| s.eq_ignore_ascii_case(k)));
    lint.extend(severity.and_then(|s| {
        near_value(path, head, ("severity", s), &SEVERITIES, "`report` counts it as a severity of its own")
    }));
    lint.extend(body_warnings(path, head, body, bad_body));
    Ok((meta, body.to_string(), lint))
}

/// The severities `incident start --severity` writes.
const SEVERITIES: [&str; 4] = ["sev1", "sev2", "sev3", "sev4"];

/// `key: value` where `value` is a near miss of one of `known` (case aside): the warning,
/// with what that means meanwhile (`so`).
fn near_value(path: &Path, head: &str, (key, value): (&str, &str), known: &[&str], so: &str) -> Option<Warning> {
    let lower = value.to_lowercase();
    let (distance, meant) = known.iter().map(|k| (strsim::osa_distance(k, &lower), k)).min()?;
    if distance > 2 {
        return None;
    }
    let message =
        format!("unknown {key} `{value}` (did you mean `{meant}`?), so {so}; write one of: {}", known.join(", "));
    Some(Warning { path: path.to_path_buf(), line: key_line(head, key), message })
}

/// The line of the top-level `key:` in `head` (the frontmatter, delimiters and all); 0 for none.
fn key_line(head: &str, key: &str) -> usize {
    head.lines().position(|l| l.strip_prefix(key).is_some_and(|r| r.starts_with(':'))).map_or(0, |i| i + 1)
}

/// What a hand edit left in a body that is read anyway (`head` is what comes before it): a
/// merge conflict, bytes that are not UTF-8 (`bad`, shown as U+FFFD).
fn body_warnings(path: &Path, head: &str, body: &str, bad: Option<frontmatter::BadBody>) -> Vec<Warning> {
    let mut out = Vec::new();
    if let Some(c) = crate::conflict::in_markdown(body, memchr::memchr_iter(b'\n', head.as_bytes()).count() + 1) {
        out.push(Warning { path: path.to_path_buf(), line: c.line, message: c.message() });
    }
    if let Some(bad) = bad {
        let more = match bad.more_lines {
            0 => String::new(),
            n => format!("; {} after it too", crate::format::plural(n as u64, "more line")),
        };
        let message = format!(
            "not UTF-8 (byte 0x{:02x}{more}), so it is shown with \u{fffd}; re-save the file as UTF-8",
            bad.byte
        );
        out.push(Warning { path: path.to_path_buf(), line: bad.line, message });
    }
    out
}
