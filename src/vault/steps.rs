//! Step files: `steps/<UTC time>-<kind>-<random>.md`, written once, never rewritten.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::Utc;
use tempfile::NamedTempFile;

use super::atomic;
use crate::clock::Timestamp;
use crate::error::{Error, IoContext, Result};
use crate::frontmatter;
use crate::model::{Step, StepKind, StepMeta, step_id};

pub const STEPS_DIR: &str = "steps";
pub const OUTPUTS_DIR: &str = "outputs";

/// `20251005T132300Z-note-k7f3q9`: sorts by time, unique across machines without a counter;
/// the last part is a sequence then random characters ([`step_id`]).
pub fn new_step_id(kind: StepKind, at: Timestamp) -> String {
    let mut random = [0u8; 2];
    getrandom::fill(&mut random).expect("the OS provides random bytes");
    let suffix = step_id::suffix(next_sequence(), random);
    format!("{}-{}-{}", at.with_timezone(&Utc).format("%Y%m%dT%H%M%SZ"), kind.as_str(), suffix)
}

/// Milliseconds of the system clock, never the pinned one (a pinned clock stands still while
/// steps are written), rising within one process: two steps in the same millisecond differ.
fn next_sequence() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static LAST: AtomicU64 = AtomicU64::new(0);
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64);
    let (Ok(last) | Err(last)) =
        LAST.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |last| Some(now.max(last + 1)));
    now.max(last + 1)
}

/// Writes steps (and their full outputs) into one incident's folder.
#[derive(Debug, Clone)]
pub struct StepWriter {
    dir: PathBuf,
}

impl StepWriter {
    pub fn new(incident_dir: PathBuf) -> StepWriter {
        StepWriter { dir: incident_dir }
    }

    pub fn incident_dir(&self) -> &Path {
        &self.dir
    }

    pub fn outputs_dir(&self) -> PathBuf {
        self.dir.join(OUTPUTS_DIR)
    }

    /// A hidden temp file in `outputs/` to stream a large output into.
    pub fn output_spool(&self) -> Result<NamedTempFile> {
        let dir = self.outputs_dir();
        create_in_incident(&dir)?;
        remove_stale_spools(&dir);
        let spool = atomic::temp_in(&dir)?;
        // Held while it is written: a long, quiet `run` elsewhere keeps its spool.
        let _ = spool.as_file().lock();
        Ok(spool)
    }

    /// Moves a spooled output to `outputs/<id>.out` and records it in `meta`.
    /// Should the name be taken, the step gets a new id. Call before building the body.
    pub fn persist_output(&self, tmp: NamedTempFile, meta: &mut StepMeta) -> Result<()> {
        self.persist_output_as(tmp, meta, "out")
    }

    /// [`persist_output`](Self::persist_output) with another extension (`json` for API objects).
    pub fn persist_output_as(&self, tmp: NamedTempFile, meta: &mut StepMeta, ext: &str) -> Result<()> {
        let mut tmp = tmp;
        for _ in 0..16 {
            let name = format!("{}.{ext}", meta.id);
            match atomic::persist_new(tmp, &self.outputs_dir().join(&name))? {
                None => {
                    meta.output_file = Some(format!("{OUTPUTS_DIR}/{name}"));
                    return Ok(());
                }
                Some(back) => {
                    tmp = back;
                    meta.id = new_step_id(meta.kind, meta.at);
                }
            }
        }
        Err(Error::Internal(format!("could not find a free output name in {}", self.outputs_dir().display())))
    }

    /// Writes the step as `steps/<id>.md`. Should the name be taken, the step gets
    /// a new id: nothing is ever overwritten.
    pub fn write(&self, step: &mut Step) -> Result<PathBuf> {
        let steps = self.dir.join(STEPS_DIR);
        create_in_incident(&steps)?;
        for _ in 0..16 {
            let path = steps.join(format!("{}.md", step.meta.id));
            let text = render_step(step);
            let mut tmp = atomic::temp_in(&steps)?;
            tmp.write_all(text.as_bytes()).ctx("write", &path)?;
            if atomic::persist_new(tmp, &path)?.is_none() {
                return Ok(path);
            }
            step.meta.id = new_step_id(step.meta.kind, step.meta.at);
        }
        Err(Error::Internal(format!("could not find a free step name in {}", steps.display())))
    }
}

/// Creates `steps/`, `outputs/` or `attachments/` inside an incident folder that must still
/// exist: an incident deleted while a command ran is an error, not silently re-created.
/// One there already must be a folder: a symbolic link is not written through (it could
/// lead out of the vault).
pub fn create_in_incident(dir: &Path) -> Result<()> {
    match fs::create_dir(dir) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => match fs::symlink_metadata(dir) {
            // The whole fix in the message: a spool's error is said as a warning, without a hint.
            Ok(m) if m.is_symlink() => Err(Error::user(format!(
                "{} is a symbolic link, so nothing is written through it (it could lead out of the vault); \
                 replace it with a folder",
                dir.display()
            ))),
            // A file where the folder should be: the write into it names it.
            _ => Ok(()),
        },
        Err(e) => Err(Error::io("create", dir, e)),
    }
}

/// The file text of a step: frontmatter, blank line, body.
pub fn render_step(step: &Step) -> String {
    frontmatter::render(&step.meta, &step.body)
}

/// Temp files a killed command left behind (`kill -9` leaves no chance to clean up):
/// those over an hour old and locked by nobody go. In `outputs/` when the next large
/// output is spooled; in `steps/` when a reader lists it anyway (`status`, `show`, …), so
/// writing a step never costs a listing (a step's temp file lives for milliseconds, a
/// run's spool for as long as the run: it is locked meanwhile).
fn remove_stale_spools(dir: &Path) {
    let Ok(list) = std::fs::read_dir(dir) else { return };
    for entry in list.flatten() {
        remove_if_stale_temp(&entry);
    }
}

/// [`remove_stale_spools`] for one entry of a folder being listed.
pub(super) fn remove_if_stale_temp(entry: &std::fs::DirEntry) {
    const STALE: std::time::Duration = std::time::Duration::from_secs(3600);
    let stale = entry.file_name().to_str().is_some_and(|n| n.starts_with(atomic::TEMP_PREFIX))
        && entry.metadata().and_then(|m| m.modified()).is_ok_and(|t| t.elapsed().is_ok_and(|age| age > STALE))
        && std::fs::File::open(entry.path()).is_ok_and(|f| f.try_lock().is_ok());
    if stale {
        let _ = std::fs::remove_file(entry.path());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_written_by_one_process_rise_even_within_a_millisecond() {
        let at = chrono::DateTime::parse_from_rfc3339("2025-10-04T08:23:00Z").unwrap();
        let seqs: Vec<u64> = (0..50).map(|_| step_id::sequence(&new_step_id(StepKind::Note, at)).unwrap()).collect();
        // Rising modulo the period: at most one step back, where it came round.
        let back = seqs.windows(2).filter(|w| w[1] <= w[0]).count();
        assert!(back <= 1 && seqs.windows(2).all(|w| w[1] != w[0]), "{seqs:?}");
    }
}
