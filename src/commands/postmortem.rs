//! `incident postmortem [ID] [--out FILE|-] [--template NAME] [--format md|json] [--check]`.

mod freshness;
mod previous;

pub use freshness::{Freshness, freshness};

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::cli::{PostmortemArgs, PostmortemFormat};
use crate::clock::Timestamp;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::frontmatter;
use crate::metrics;
use crate::model::Incident;
use crate::render::postmortem::{self, DEFAULT_TEMPLATE, Inputs, Pictures};
use crate::render::svg;
use crate::render::templates::{TEMPLATES_DIR, Templates};
use crate::ui::Ui;
use crate::vault::{IncidentRef, Sources, Vault, Warning, atomic};
use previous::{Front, Previous, Written, body_digest};

pub const POSTMORTEM_FILE: &str = "postmortem.md";

enum Dest {
    Stdout,
    File(PathBuf),
}

pub fn run(cfg: &Config, ui: &Ui, args: &PostmortemArgs) -> Result<u8> {
    let vault = cfg.vault()?;
    let incident = cfg.pick_incident(&vault, args.id.as_deref())?;
    let (loaded, sources) = vault.load_with_sources(&incident)?;
    if args.check {
        return freshness::check(&vault, ui, &incident, &loaded.incident, &sources, cfg.clock.now());
    }
    let load_warnings: Vec<String> = loaded.warnings.iter().map(|w| w.shown_with(vault.rel(&w.path))).collect();
    let mut loaded = loaded;
    postmortem::use_incident_offset(&mut loaded.incident);
    let inc = &loaded.incident;
    let now = postmortem::shown_at(cfg.clock.now(), inc.own_offset());
    let (observations, edited) = metrics::restart_observations_checked(inc);
    let step_file = |id: &str| sources.step(id).map_or_else(|| format!("steps/{id}.md"), |s| s.file.clone());
    let mut m = metrics::compute_named(inc, &observations, now, &step_file);
    m.warnings.extend(edited);
    m.note_unreadable(&unreadable_milestones(&incident, &loaded.warnings));
    // A step that cannot be read is left out: the first is named as the error at the end,
    // the others as warnings (each file to fix named once).
    let unreadable = unreadable_error(&vault, &incident, &loaded.unreadable_steps, None);
    let first_shown = loaded.unreadable_steps.first().map(|w| w.shown_with(vault.rel(&w.path)));
    for w in load_warnings.iter().filter(|w| first_shown.as_ref() != Some(*w)).chain(&m.warnings) {
        ui.warn(w);
    }
    let format = if args.json { PostmortemFormat::Json } else { args.format };
    let dest = match (&args.out, format) {
        (Some(p), _) if p.as_os_str() == "-" => Dest::Stdout,
        (Some(p), format) => {
            let name = if format == PostmortemFormat::Json { "postmortem.json" } else { POSTMORTEM_FILE };
            Dest::File(out_target(&cfg.cwd.join(p), &p.join(name))?)
        }
        (None, PostmortemFormat::Json) => Dest::Stdout,
        (None, PostmortemFormat::Md) => Dest::File(incident.dir.join(POSTMORTEM_FILE)),
    };
    // A postmortem without a step would replace a whole one and read as complete: nothing
    // is written (pictures included) until the file is fixed; `--out -` shows the draft.
    if let Dest::File(path) = &dest
        && let Some(e) = unreadable_error(&vault, &incident, &loaded.unreadable_steps, Some(path))
    {
        return Err(e);
    }
    // Refused before anything is written, pictures included.
    let previous = match &dest {
        Dest::File(path) => Previous::read(path)?,
        Dest::Stdout => None,
    };
    if let (Dest::File(path), Some(previous)) = (&dest, &previous) {
        previous.refuse(path, args.force, &incident.slug)?;
        if let Written::Broken(e) = &previous.written {
            ui.warn(&format!(
                "{}:{}: {}; written anew, the keys added by hand to its frontmatter are lost",
                vault.rel(path).display(),
                e.line,
                e.message
            ));
        }
    }
    let previous = previous.and_then(|p| p.front).unwrap_or_default();
    // Written again as it was first written: with the same template.
    let kept_template = args.template.is_none().then(|| previous.template.clone()).flatten();
    let template = args.template.clone().or(previous.template).unwrap_or_else(|| DEFAULT_TEMPLATE.to_string());
    if let (Some(name), Dest::File(path)) = (&kept_template, &dest)
        && template_missing(&vault, name)
    {
        return Err(Error::user_hint(
            format!(
                "no template {name:?} in {} nor built in; {} names it in its frontmatter (`template: {name}`)",
                vault.root.join(TEMPLATES_DIR).display(),
                vault.rel(path).display()
            ),
            format!(
                "switch back to the built-in one with `incident postmortem {} --template {DEFAULT_TEMPLATE}`, or put {name} back in templates/",
                incident.slug
            ),
        ));
    }
    // Pictures only beside a Markdown file: on stdout nobody could follow the links. They
    // are written with it, once its template has rendered: a broken one writes nothing.
    let mut picture_files = Vec::new();
    let pictures = match (&dest, format) {
        (Dest::File(path), PostmortemFormat::Md) => {
            let dir = path.parent().unwrap_or(Path::new("."));
            let (timeline_svg, restarts_svg) = postmortem::picture_names(path);
            let mut pictures = Pictures::default();
            if let Some(text) = svg::timeline(&m) {
                picture_files.push((dir.join(&timeline_svg), svg::standalone(&text)));
                pictures.timeline = Some(timeline_svg);
            }
            if let Some(text) = svg::restarts(&m.restarts.observations) {
                picture_files.push((dir.join(&restarts_svg), svg::standalone(&text)));
                pictures.restarts = Some(restarts_svg);
            }
            pictures
        }
        _ => Pictures::default(),
    };
    // Links are relative to the incident folder; from a file elsewhere they go through it.
    let link_prefix = match &dest {
        Dest::File(path) => {
            let dir = path.parent().unwrap_or(Path::new("."));
            match (fs::canonicalize(dir), fs::canonicalize(&incident.dir)) {
                (Ok(from), Ok(to)) => postmortem::relative_prefix(&from, &to),
                _ => String::new(),
            }
        }
        Dest::Stdout => String::new(),
    };
    let inputs = Inputs { now, step_file: &step_file, link_prefix, pictures, load_warnings };
    let data = postmortem::build(inc, m, inputs);
    let text = match format {
        PostmortemFormat::Json => serde_json::to_string_pretty(&data).expect("postmortem data serializes") + "\n",
        PostmortemFormat::Md => {
            let templates = load_templates(&vault, &template)?;
            let body = postmortem::tidy_markdown(&templates.render(&template, &data)?);
            match dest {
                Dest::Stdout => body,
                Dest::File(_) => {
                    let front = Front {
                        generated: true,
                        generated_at: Some(now),
                        incident: Some(incident.slug.clone()),
                        template: Some(template.clone()),
                        template_sha256: Some(templates.fingerprint()),
                        sources: used_sources(&sources, inc, now),
                        body_sha256: Some(body_digest(&body)),
                        kept: previous.kept,
                    };
                    frontmatter::render(&front, &body)
                }
            }
        }
    };
    match dest {
        Dest::Stdout => ui.out(&text),
        Dest::File(path) => {
            for (file, picture) in &picture_files {
                atomic::write_replace(file, picture.as_bytes())?;
            }
            atomic::write_replace(&path, text.as_bytes())?;
            ui.status(&format!("wrote {}", vault.rel(&path).display()));
        }
    }
    unreadable.map_or(Ok(0), Err)
}

/// The failure for step files that cannot be read: a draft on stdout is shown without them
/// (and says so); a file (`not_written`) is not written at all. Either way a script or
/// person must not take it for complete, as publish does not.
fn unreadable_error(
    vault: &Vault,
    incident: &IncidentRef,
    unreadable: &[Warning],
    not_written: Option<&Path>,
) -> Option<Error> {
    let first = unreadable.first()?;
    let more = match unreadable.len() - 1 {
        0 => String::new(),
        n => format!(" (and {}, named above)", crate::format::plural(n as u64, "more step file")),
    };
    let (what, draft) = match not_written {
        Some(path) => (
            format!("{} not written, it would lack this step", vault.rel(path).display()),
            "; `--out -` shows it without the step",
        ),
        None => ("left out of the postmortem".to_string(), ""),
    };
    Some(Error::user_hint(
        format!("{}{more}: {what}", first.shown_with(vault.rel(&first.path))),
        format!(
            "fix the line named, then `incident postmortem {}` again (publish holds the incident back until then){draft}",
            incident.slug
        ),
    ))
}

/// Where `--out FILE` writes. A symbolic link is followed, as editors and git do: its
/// target is replaced and the link stays. Anything but a regular file (a device, a FIFO,
/// a folder) is refused rather than written through: a postmortem file is read back
/// before it is replaced (a FIFO would block), gets pictures beside it (in `/dev`?) and
/// is replaced by a rename, which would swap `/dev/null` for a plain file. `--out -`
/// is the way to a pipe or a terminal. `in_folder`: the file to suggest for a folder.
fn out_target(path: &Path, in_folder: &Path) -> Result<PathBuf> {
    use std::os::unix::fs::FileTypeExt;
    match fs::metadata(path) {
        Ok(m) if m.is_file() => return fs::canonicalize(path).map_err(|e| Error::io("read", path, e)),
        Ok(m) => {
            let t = m.file_type();
            let what = if t.is_dir() {
                "a folder"
            } else if t.is_char_device() {
                "a character device"
            } else if t.is_block_device() {
                "a block device"
            } else if t.is_fifo() {
                "a FIFO"
            } else if t.is_socket() {
                "a socket"
            } else {
                "not a regular file"
            };
            let print = "print it with `--out -` and send that where you want it (`--out - > FILE`, `--out - | less`)";
            let hint = if t.is_dir() {
                format!("to write it into the folder, name the file: --out {}; or {print}", in_folder.display())
            } else {
                print.to_string()
            };
            return Err(Error::user_hint(
                format!("{} is {what}; a postmortem is written only to a regular file", path.display()),
                hint,
            ));
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(Error::io("read", path, e)),
    }
    // Not there yet, or a link to a file not there yet: the link's target is created.
    // The chain ends (a loop would have been ELOOP above, not NotFound).
    let mut path = path.to_path_buf();
    while fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink()) {
        let target = fs::read_link(&path).map_err(|e| Error::io("read", &path, e))?;
        path = path.parent().unwrap_or(Path::new("/")).join(target);
    }
    Ok(path)
}

/// The step files the loader could not read that may hold a milestone (they mention one,
/// or cannot be read at all), relative to the incident folder.
fn unreadable_milestones(incident: &IncidentRef, warnings: &[Warning]) -> Vec<String> {
    let steps = incident.dir.join("steps");
    let mut files: Vec<String> = warnings
        .iter()
        .filter(|w| w.path.starts_with(&steps))
        .filter(|w| fs::read_to_string(&w.path).map_or(true, |text| text.contains("milestone")))
        .filter_map(|w| w.path.strip_prefix(&incident.dir).ok().map(|p| p.display().to_string()))
        .collect();
    files.dedup();
    files
}

/// A template named in a postmortem's frontmatter that is neither built in nor in the
/// vault's `templates/` (deleted or renamed since).
fn template_missing(vault: &Vault, name: &str) -> bool {
    !postmortem::TEMPLATES.iter().any(|(n, _)| *n == name) && !vault.root.join(TEMPLATES_DIR).join(name).is_file()
}

fn load_templates(vault: &Vault, template: &str) -> Result<Templates> {
    let mut templates = Templates::load(Some(&vault.root.join(TEMPLATES_DIR)), postmortem::TEMPLATES)?;
    templates.add_from_vault(template)?;
    Ok(templates)
}

/// The files a postmortem is made from: `incident.md` and the steps not in the future.
fn used_sources(sources: &Sources, inc: &Incident, now: Timestamp) -> BTreeMap<String, String> {
    let mut hashes = sources.hashes();
    for step in inc.steps.iter().filter(|s| crate::clock::is_ahead(s.meta.at, now)) {
        hashes.remove(&step.meta.id);
    }
    hashes
}
