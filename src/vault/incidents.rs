//! Incident folders: create, pick (explicit or current), load, list.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::Vault;
use super::atomic;
use super::file_read::{kind_of_file, parse_step, read_bytes, read_incident_file, read_step};
use super::sources::Sources;
use super::steps::{STEPS_DIR, StepWriter};
use super::warning::Warning;
use crate::clock::Timestamp;
use crate::error::{Error, IoContext, Result};
use crate::model::{Incident, IncidentMeta, Milestone, Status, Step, StepKind, sort_timeline};

pub const INCIDENT_FILE: &str = "incident.md";

/// An incident folder that exists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncidentRef {
    pub slug: String,
    pub dir: PathBuf,
}

/// An incident with the warnings met while reading it.
#[derive(Debug)]
pub struct Loaded {
    pub incident: Incident,
    pub dir: PathBuf,
    pub warnings: Vec<Warning>,
    /// Those of `warnings` about a step file that could not be read: its step is missing.
    pub unreadable_steps: Vec<Warning>,
    /// Step files renamed by hand, (name without `.md`, the step's id): links by either work.
    pub renamed_steps: Vec<(String, String)>,
}

/// The file of step `id` in `steps/`, relative to the incident folder: `steps/<id>.md`, or
/// the name it was renamed to by hand (`renamed`: [`Loaded::renamed_steps`]).
pub fn step_file(renamed: &[(String, String)], id: &str) -> String {
    let name = renamed.iter().find(|(_, renamed_id)| renamed_id == id).map_or(id, |(name, _)| name);
    format!("{}/{name}.md", super::steps::STEPS_DIR)
}

/// What `list` needs: the same start, status and step count as `status` and `show`,
/// times on the incident's clock.
#[derive(Debug, Clone)]
pub struct IncidentSummary {
    pub slug: String,
    pub meta: IncidentMeta,
    pub status: Status,
    /// `Incident::started_at`: a backdated `impact-start` moves it.
    pub started_at: Timestamp,
    pub milestones: Vec<MilestoneAt>,
    /// Readable steps; a broken one is a warning, as in `status`.
    pub steps: usize,
}

/// What `list` found: the incidents it could read, those it could not (each with the
/// warning that says why), and every warning met.
#[derive(Debug, Default)]
pub struct Listing {
    pub incidents: Vec<IncidentSummary>,
    /// (slug, why): an incident whose `incident.md` or steps cannot be read; also in `warnings`.
    pub unreadable: Vec<(String, Warning)>,
    pub warnings: Vec<Warning>,
}

/// A milestone of an [`IncidentSummary`]: the shape of `status --json`'s milestones.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct MilestoneAt {
    pub milestone: Milestone,
    pub at: Timestamp,
    /// The id of the step that marked it.
    pub step: String,
}

impl Vault {
    pub fn writer(&self, incident: &IncidentRef) -> StepWriter {
        StepWriter::new(incident.dir.clone())
    }

    /// Folder names under `incidents/` that hold an `incident.md`, sorted.
    pub fn incident_names(&self) -> Result<Vec<String>> {
        let root = self.incidents_dir();
        let mut names = self.incident_folders()?;
        names.retain(|name| root.join(name).join(INCIDENT_FILE).is_file());
        Ok(names)
    }

    pub(super) fn read_meta(&self, dir: &Path) -> Result<IncidentMeta, Warning> {
        read_incident_file(&dir.join(INCIDENT_FILE)).map(|(meta, _, _)| meta)
    }

    /// The incident with every readable step; unreadable steps become warnings.
    pub fn load(&self, incident: &IncidentRef) -> Result<Loaded> {
        self.load_inner(incident, None, None)
    }

    /// Loads the incident; with `sources`, also hashes every file read (see `sources.rs`);
    /// with `digests`, adds the stamp of every file in `steps/` (see `files.rs`).
    pub(super) fn load_inner(
        &self,
        incident: &IncidentRef,
        mut sources: Option<&mut Sources>,
        digests: Option<&mut Vec<u64>>,
    ) -> Result<Loaded> {
        let file = incident.dir.join(INCIDENT_FILE);
        let (mut meta, summary, lint) = read_incident_file(&file).map_err(|w| match w.line {
            // Not read at all (a link, an I/O error): its message is the whole story.
            0 => Error::user(w.to_string()),
            _ => Error::File {
                path: w.path,
                line: w.line,
                message: w.message,
                hint: Some("fix the frontmatter of incident.md (title and at are required)".to_string()),
            },
        })?;
        // Hashed after it was read: a link was refused above, not followed here.
        if let Some(s) = sources.as_deref_mut() {
            s.add_incident_file(&file)?;
        }
        if meta.id.is_empty() {
            meta.id = incident.slug.clone();
        }
        let mut warnings = lint;
        let mut unreadable_steps = Vec::new();
        let mut steps = Vec::new();
        let mut renamed_steps = Vec::new();
        let stamping = digests.is_some();
        let mut listing = list_steps(&incident.dir, &mut warnings)?;
        if !stamping {
            listing.retain(|f| f.is_step);
        }
        // Parsing is the cost of a big incident: spread it over the cores, keep file order.
        let keep_bytes = sources.is_some();
        let parsed: Vec<ReadStep> = listing
            .into_par_iter()
            .map(|f| {
                if !f.is_step {
                    let digest = f.stamp.then(|| stamp_of(&f.path)).flatten();
                    return ReadStep { path: f.path, bytes: None, step: None, digest, lint: Vec::new() };
                }
                match read_stamped(&f.path, stamping && f.stamp) {
                    Ok((bytes, digest)) => {
                        let (step, lint) = match parse_step(&f.path, &bytes) {
                            Ok((step, lint)) => (Ok(step), lint),
                            Err(w) => (Err(w), Vec::new()),
                        };
                        ReadStep { bytes: keep_bytes.then_some(bytes), step: Some(step), digest, path: f.path, lint }
                    }
                    Err(w) => ReadStep {
                        digest: stamp_of(&f.path),
                        step: Some(Err(w)),
                        bytes: None,
                        path: f.path,
                        lint: Vec::new(),
                    },
                }
            })
            .collect();
        let mut parsed = parsed;
        give_copies_their_own_ids(&mut parsed, &mut warnings);
        let mut digests = digests;
        for read in parsed {
            if let (Some(d), Some(digest)) = (digests.as_deref_mut(), read.digest) {
                d.push(digest);
            }
            warnings.extend(read.lint);
            let Some(step) = read.step else { continue };
            if let (Some(s), Some(bytes)) = (sources.as_deref_mut(), &read.bytes) {
                s.add_step(&read.path, bytes, step.as_ref().ok().map(|st| st.meta.id.as_str()));
            }
            match step {
                Ok(step) => {
                    let stem = read.path.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
                    if stem != step.meta.id {
                        renamed_steps.push((stem.to_string(), step.meta.id.clone()));
                    }
                    steps.push(step)
                }
                Err(w) => {
                    unreadable_steps.push(w.clone());
                    warnings.push(w);
                }
            }
        }
        sort_timeline(&mut steps);
        let mut incident = Incident { slug: incident.slug.clone(), meta, summary, steps };
        incident.place_local_times();
        let dir = file.parent().unwrap_or(Path::new(".")).to_path_buf();
        Ok(Loaded { incident, dir, warnings, unreadable_steps, renamed_steps })
    }

    /// Every incident, newest first. Each is loaded whole, as `status` loads it, so the
    /// start, the status and the count of readable steps agree with it; an incident whose
    /// files are as they were last time is taken from `list`'s record instead.
    /// Steps dated after `now` are left out (and warned about), as `status` leaves them.
    pub fn list(&self, now: Timestamp) -> Result<Listing> {
        let root = self.incidents_dir();
        let state = self.state_dir();
        let known = super::list_cache::read(&state);
        // The last: the slug of an incident that cannot be read (its warning is the first).
        type Read = (Option<IncidentSummary>, Option<super::list_cache::Entry>, Vec<Warning>, Option<String>);
        let read: Vec<Read> = self
            .incident_names()?
            .into_par_iter()
            .map(|slug| {
                let dir = root.join(&slug);
                let mut meta = match self.read_meta(&dir) {
                    Ok(meta) => meta,
                    Err(w) => return (None, None, vec![w], Some(slug)),
                };
                let r = IncidentRef { slug, dir };
                if let Some(entry) = known.get(&r.slug)
                    && self.stamps(&r).is_ok_and(|s| s.fingerprint == entry.fingerprint)
                {
                    if meta.id.is_empty() {
                        meta.id = r.slug.clone();
                    }
                    // As `place_local_times` placed it: the start's offset is the incident's.
                    if meta.at_without_offset && !meta.day_only {
                        meta.at = crate::model::in_offset(meta.at, *entry.started_at.offset());
                    }
                    return (Some(entry.summary(r.slug, meta)), Some(entry.clone()), Vec::new(), None);
                }
                match self.load_stamped(&r) {
                    Ok(Some((mut loaded, stamps))) => {
                        loaded.leave_out_ahead(now);
                        // As `status` warns: on the incident's folder, the files named within.
                        let step_file = |id: &str| step_file(&loaded.renamed_steps, id);
                        for message in crate::metrics::milestone_warnings(&loaded.incident, &step_file) {
                            loaded.warnings.push(Warning { path: loaded.dir.clone(), line: 0, message });
                        }
                        let summary = summarize(&loaded.incident);
                        // With warnings it is read again each time, so that they are shown.
                        let entry = loaded
                            .warnings
                            .is_empty()
                            .then(|| super::list_cache::Entry::of(&summary, stamps.fingerprint));
                        (Some(summary), entry, loaded.warnings, None)
                    }
                    // incident.md went away meanwhile.
                    Ok(None) => (None, None, Vec::new(), None),
                    Err(e) => (None, None, vec![unreadable_steps(&r.dir, &e)], Some(r.slug)),
                }
            })
            .collect();
        let mut out = Listing::default();
        let mut next = std::collections::BTreeMap::new();
        for (summary, entry, w, unreadable) in read {
            if let (Some(s), Some(e)) = (&summary, entry) {
                next.insert(s.slug.clone(), e);
            }
            if let (Some(slug), Some(why)) = (unreadable, w.first()) {
                out.unreadable.push((slug, why.clone()));
            }
            out.incidents.extend(summary);
            out.warnings.extend(w);
        }
        if next != known {
            super::list_cache::write(&state, next);
        }
        // A folder of steps without incident.md is an incident that cannot be read: listed
        // as one (`unreadable` naming the missing file), not only warned about.
        for stray in self.strays()? {
            let message = format!("{}, so it is left out; {}", stray.problem, stray.hint);
            if stray.dir == root.join(&stray.slug) {
                // The file to name: the missing incident.md, or the folder not read.
                let file = if stray.unread { stray.dir.clone() } else { stray.dir.join(INCIDENT_FILE) };
                let missing = Warning { path: file, line: 0, message: message.clone() };
                out.unreadable.push((stray.slug.clone(), missing));
            }
            out.warnings.push(Warning { path: stray.dir, line: 0, message });
        }
        out.warnings.extend(self.loose_notes()?);
        out.incidents.sort_by(|a, b| b.started_at.cmp(&a.started_at).then_with(|| b.slug.cmp(&a.slug)));
        out.unreadable.sort_by(|a, b| b.0.cmp(&a.0));
        Ok(out)
    }
}

/// Times in the incident's own offset, as `status` shows them.
fn summarize(incident: &Incident) -> IncidentSummary {
    let tz = incident.own_offset();
    let mut milestones: Vec<MilestoneAt> = incident
        .milestones()
        .iter()
        .map(|(m, s)| MilestoneAt { milestone: *m, at: s.meta.at.with_timezone(&tz), step: s.meta.id.clone() })
        .collect();
    milestones.sort_by_key(|m| m.at);
    IncidentSummary {
        slug: incident.slug.clone(),
        meta: incident.meta.clone(),
        status: incident.status(),
        started_at: incident.started_at().with_timezone(&tz),
        milestones,
        steps: incident.steps.len(),
    }
}

/// `steps/*.md` of an incident, skipping temp files and dotfiles, sorted by name.
fn step_files(dir: &Path, warnings: &mut Vec<Warning>) -> Result<Vec<PathBuf>> {
    Ok(list_steps(dir, warnings)?.into_iter().filter(|f| f.is_step).map(|f| f.path).collect())
}

/// The warning for an incident left out because its `steps/` cannot be listed.
fn unreadable_steps(dir: &Path, e: &Error) -> Warning {
    let steps = dir.join(STEPS_DIR);
    let why = match e {
        Error::Io { source, .. } => source.to_string(),
        other => other.to_string(),
    };
    let hint = if steps.exists() && !steps.is_dir() {
        "steps/ must be a folder: move the file aside and create the folder".to_string()
    } else {
        e.hint().unwrap_or_else(|| "check the folder's permissions".to_string())
    };
    Warning { path: steps, line: 0, message: format!("cannot read the incident's steps ({why}); {hint}") }
}

/// A step file copied by hand (Obsidian's `… 1.md`) carries the id of its original: the
/// one whose file name is not its id is read under its file name, with a word about it.
fn give_copies_their_own_ids(parsed: &mut [ReadStep], warnings: &mut Vec<Warning>) {
    let mut seen = std::collections::HashSet::new();
    let dups: std::collections::HashSet<String> = parsed
        .iter()
        .filter_map(|r| r.step.as_ref()?.as_ref().ok())
        .filter(|s| !seen.insert(s.meta.id.as_str()))
        .map(|s| s.meta.id.clone())
        .collect();
    if dups.is_empty() {
        return;
    }
    for read in parsed.iter_mut() {
        let Some(Ok(step)) = read.step.as_mut() else { continue };
        let stem = read.path.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
        if dups.contains(&step.meta.id) && stem != step.meta.id {
            warnings.push(Warning {
                path: read.path.clone(),
                line: 0,
                message: format!("has the id `{}` of another step (a copy?); read as `{stem}`", step.meta.id),
            });
            step.meta.id = stem.to_string();
        }
    }
}

/// Whether the file may hold a step of `kind`: its name says so, or says nothing (a file
/// named by hand, `resolved.md`, is opened to find out).
fn may_be(path: &Path, kind: StepKind) -> bool {
    kind_of_file(path).is_none_or(|k| k == kind || k == StepKind::Other)
}

/// A file of `steps/` as read: its bytes (when hashing sources), the step or why not (none
/// for a file that is no step), and its stamp (when stamping).
struct ReadStep {
    path: PathBuf,
    bytes: Option<Vec<u8>>,
    step: Option<Result<Step, Warning>>,
    digest: Option<u64>,
    /// What the reader passed over (a key nothing reads, a byte not UTF-8), when the
    /// step itself was read.
    lint: Vec<Warning>,
}

/// A file of `steps/`: a step to read (`*.md`), or another file that only counts for the
/// stamps. Symlinks are read but not stamped, as [`Vault::stamps`] does.
struct StepFile {
    path: PathBuf,
    is_step: bool,
    stamp: bool,
}

/// Every file of `steps/` but temp files and dotfiles, sorted by name. Symlinks (they may
/// lead out of the vault), files that look like steps but will not be read, and step files
/// one folder off (in a folder of `steps/`, or beside `incident.md`) are warned about.
fn list_steps(dir: &Path, warnings: &mut Vec<Warning>) -> Result<Vec<StepFile>> {
    let steps = dir.join(STEPS_DIR);
    // Its steps would come from wherever it leads: the incident is not read, as for a link
    // in place of incident.md.
    if fs::symlink_metadata(&steps).is_ok_and(|m| m.file_type().is_symlink()) {
        return Err(Error::user(format!(
            "{}: not read: a symbolic link (it could lead out of the vault); replace the link with the folder itself",
            steps.display()
        )));
    }
    let Some(entries) = atomic::read_dir_if_any(&steps)? else {
        warnings.extend(super::strays::misplaced_step_files(dir, &[]));
        return Ok(Vec::new());
    };
    let mut files = Vec::new();
    let mut subfolders = Vec::new();
    for entry in entries {
        let entry = entry.ctx("read", &steps)?;
        let name = entry.file_name();
        let Some(name) = name.to_str() else {
            let lossy = name.to_string_lossy();
            if is_markdown_name(&lossy) && !atomic::is_ignored_name(&lossy) {
                let file = StepFile { is_step: false, stamp: false, path: entry.path() };
                files.push((file, Some("not read: its name is not UTF-8 (shown with �); rename it to a UTF-8 name")));
            }
            continue;
        };
        let Ok(kind) = entry.file_type() else { continue };
        if kind.is_dir() && !atomic::is_ignored_name(name) {
            subfolders.push(entry.path());
        }
        if atomic::is_ignored_name(name) || kind.is_dir() {
            // A temp file a `kill -9` left: swept here, where the folder is listed anyway.
            if name.starts_with(atomic::TEMP_PREFIX) {
                super::steps::remove_if_stale_temp(&entry);
            }
            continue;
        }
        let is_md = name.ends_with(".md");
        let skipped = if kind.is_symlink() {
            Some("not read: a symbolic link (it could lead out of the vault); copy the file itself into steps/")
        } else if !is_md && is_markdown_name(name) {
            Some("not read: step files must end in `.md` (lower case); rename it")
        } else {
            None
        };
        let file = StepFile { is_step: is_md && skipped.is_none(), stamp: kind.is_file(), path: entry.path() };
        files.push((file, skipped));
    }
    // One folder: the bytes order the names as `Path`'s component walk would, for less.
    files.sort_unstable_by(|a, b| a.0.path.as_os_str().cmp(b.0.path.as_os_str()));
    for (file, why) in &files {
        if let Some(why) = why {
            warnings.push(Warning { path: file.path.clone(), line: 0, message: why.to_string() });
        }
    }
    warnings.extend(super::strays::misplaced_step_files(dir, &subfolders));
    Ok(files.into_iter().map(|(f, _)| f).collect())
}

/// `X.MD`, `x.Md`, `x.markdown`: meant as a step, but not named as one.
pub(super) fn is_markdown_name(name: &str) -> bool {
    let ext = name.rsplit_once('.').map_or("", |(_, e)| e);
    ext.eq_ignore_ascii_case("md") || ext.eq_ignore_ascii_case("markdown")
}

/// The stamp of a file of `steps/` looked up by name (a file not read).
fn stamp_of(path: &Path) -> Option<u64> {
    let meta = fs::symlink_metadata(path).ok().filter(|m| m.is_file())?;
    let name = path.file_name()?.to_str()?;
    Some(super::files::file_digest(STEPS_DIR, name, &meta))
}

/// Reads a step file; with `stamp`, its stamp from the open file, taken before reading
/// (a write after that changes the stamp, so the next look reads it again).
fn read_stamped(path: &Path, stamp: bool) -> Result<(Vec<u8>, Option<u64>), Warning> {
    use std::io::Read;
    if !stamp {
        return read_bytes(path).map(|b| (b, None));
    }
    let cannot = |e: io::Error| Warning { path: path.to_path_buf(), line: 0, message: format!("cannot read: {e}") };
    let file = fs::File::open(path).map_err(cannot)?;
    let meta = file.metadata().map_err(cannot)?;
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
    let digest = super::files::file_digest(STEPS_DIR, name, &meta);
    // Up to the stamped size: one read, no probe for more (what was added after the stamp
    // is read next time).
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(meta.len()).read_to_end(&mut bytes).map_err(cannot)?;
    Ok((bytes, Some(digest)))
}

impl Vault {
    /// The steps of one kind only, chosen by file name: no other step is opened.
    pub fn steps_of_kind(&self, incident: &IncidentRef, kind: StepKind) -> Result<(Vec<Step>, Vec<Warning>)> {
        let mut steps = Vec::new();
        let mut warnings = Vec::new();
        for path in step_files(&incident.dir, &mut warnings)? {
            if !may_be(&path, kind) {
                continue;
            }
            match read_step(&path) {
                Ok((step, lint)) if step.meta.kind == kind => {
                    steps.push(step);
                    warnings.extend(lint);
                }
                Ok(_) => {}
                Err(w) => warnings.push(w),
            }
        }
        sort_timeline(&mut steps);
        Ok((steps, warnings))
    }
}
