//! The reasoning of an incident: options, the decision, cause, lessons, actions,
//! attachments. Each command writes one step.

use std::fs;
use std::io::Read;

use chrono::NaiveDate;

use crate::cli::{ActionArgs, AttachArgs, CauseArgs, DecideArgs, LessonArgs, LessonKindArg, OptionArgs};
use crate::config::Config;
use crate::error::{Error, IoContext, Result};
use crate::model::{LessonKind, Step, StepKind};
use crate::record::attachment::{self, Stored};
use crate::record::scrub::Scrub;
use crate::record::{Session, text_arg};
use crate::ui::Ui;
use crate::vault::{atomic, slug};

/// Attachments larger than this are refused: link to them instead.
const MAX_ATTACHMENT: u64 = 64 << 20;

fn save(session: &Session, step: &mut Step, scrub: Scrub<'_>) -> Result<u8> {
    session.save(step, scrub)?;
    session.report(step);
    Ok(0)
}

pub fn option(cfg: &Config, ui: &Ui, args: &OptionArgs) -> Result<u8> {
    let session = Session::open(cfg)?;
    let title = crate::record::lines::clean_one_line(args.title.trim());
    let title = title.trim();
    if title.is_empty() {
        return Err(Error::usage(
            "the option's title is empty",
            "incident option \"Pin k3s to an interface\" --pros …",
        ));
    }
    if let Ok((options, _)) = session.vault.steps_of_kind(&session.incident, StepKind::Option)
        && let Some(same) =
            options.iter().find(|o| o.meta.title.as_deref().is_some_and(|t| t.eq_ignore_ascii_case(title)))
    {
        ui.warn(&format!(
            "an option titled {title:?} is already recorded ({}); `incident decide` will need an id to tell them apart",
            short_id(&same.meta.id)
        ));
    }
    let mut meta = session.meta(StepKind::Option, session.at(args.step.at.as_deref(), "option")?);
    meta.title = Some(title.to_string());
    meta.pros = args.pros.iter().map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect();
    meta.cons = args.cons.iter().map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect();
    let mut body = format!("### Option: {title}\n");
    for (heading, items) in [("Pros", &meta.pros), ("Cons", &meta.cons)] {
        if !items.is_empty() {
            body.push_str(&format!("\n**{heading}**\n\n"));
            for item in items {
                body.push_str(&format!("- {item}\n"));
            }
        }
    }
    if let Some(detail) = args.detail.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
        body.push_str(&format!("\n{detail}\n"));
    }
    save(&session, &mut Step { meta, body }, session.scrub(args.step.no_redact))
}

pub fn decide(cfg: &Config, ui: &Ui, args: &DecideArgs) -> Result<u8> {
    let session = Session::open(cfg)?;
    let (options, warnings) = session.vault.steps_of_kind(&session.incident, StepKind::Option)?;
    for w in warnings {
        ui.warn(&w.to_string());
    }
    let wanted = args.option.trim().to_lowercase();
    if wanted.is_empty() {
        return Err(Error::usage("the option is empty", "give its title, a unique part of it, or its step id"));
    }
    let title_of = |s: &Step| s.meta.title.clone().unwrap_or_default();
    let id_wanted = wanted.trim_start_matches('[').trim_end_matches(']');
    let exact: Vec<&Step> = options
        .iter()
        .filter(|s| title_of(s).to_lowercase() == wanted || s.meta.id.to_lowercase() == id_wanted)
        .collect();
    let mut found: Vec<&Step> = if exact.is_empty() {
        options.iter().filter(|s| title_of(s).to_lowercase().contains(&wanted)).collect()
    } else {
        exact
    };
    if found.is_empty() {
        // The id's last part, not any piece of it: `10` is in every id of 10 o'clock.
        found = options.iter().filter(|s| short_id(&s.meta.id).eq_ignore_ascii_case(id_wanted)).collect();
    }
    let chosen = match found.as_slice() {
        [one] => *one,
        [] if options.is_empty() => {
            return Err(Error::user_hint(
                format!("no options recorded in {} yet", session.incident.slug),
                "record them first: incident option \"TITLE\" --pros … --cons …",
            ));
        }
        [] => {
            let titles: Vec<String> = options.iter().map(|s| format!("{:?}", title_of(s))).collect();
            return Err(Error::user_hint(
                format!("no option matches {:?}; the options are {}", args.option, titles.join(", ")),
                "give the title or a unique part of it",
            ));
        }
        many => {
            let titles: Vec<String> =
                many.iter().map(|s| format!("{:?} ({})", title_of(s), short_id(&s.meta.id))).collect();
            return Err(Error::user_hint(
                format!("{:?} matches {} options: {}", args.option, many.len(), titles.join(", ")),
                format!(
                    "give more of the title, or the option's id, e.g. incident decide {}",
                    short_id(&many[0].meta.id)
                ),
            ));
        }
    };
    let decisions = session.vault.steps_of_kind(&session.incident, StepKind::Decision).map(|(d, _)| d);
    let mut meta = session.meta(StepKind::Decision, session.at(args.step.at.as_deref(), "decide")?);
    let title = title_of(chosen);
    meta.option = Some(title.clone());
    meta.option_id = Some(chosen.meta.id.clone());
    meta.why = args.why.clone().filter(|w| !w.trim().is_empty());
    meta.purpose = args.purpose.map(Into::into);
    let mut body = match meta.purpose {
        Some(p) => format!("Chose **{title}** as {}.", p.label()),
        None => format!("Chose **{title}**."),
    };
    // A sentence of its own after "Chose X.": `fastest way back` reads `Fastest way back`
    // (the frontmatter's `why:` keeps it as given).
    if let Some(why) = &meta.why {
        let mut chars = why.trim_start().chars();
        let first = chars.next().map(|c| c.to_uppercase().collect::<String>()).unwrap_or_default();
        body.push_str(&format!(" {first}{}", chars.as_str()));
    }
    let mut step = Step { meta, body };
    session.save(&mut step, session.scrub(args.step.no_redact))?;
    // The decision of the same purpose (no other is replaced) next to this one in time:
    // the one it follows, or (backdated before them all) the first.
    let decisions: Vec<Step> =
        decisions.unwrap_or_default().into_iter().filter(|d| d.meta.purpose == step.meta.purpose).collect();
    if let Some(other) = decisions.iter().rev().find(|d| d.meta.at <= step.meta.at).or(decisions.first()) {
        ui.warn(&second_decision(&session.incident.slug, other, &step));
    }
    session.report(&step);
    Ok(0)
}

/// The warning for a decision when another is recorded already: what the postmortem
/// makes of the two (as `render::postmortem` does: the later in time replaces the earlier
/// of the same purpose).
fn second_decision(slug: &str, other: &Step, new: &Step) -> String {
    let option = |s: &Step| format!("{:?}", s.meta.option.as_deref().unwrap_or_default());
    let at = |s: &Step| crate::format::clock(s.meta.at);
    // Both are of the same purpose: ` as the mitigation`, or nothing without one.
    let purpose = new.meta.purpose.map(|p| format!(" as {}", p.label())).unwrap_or_default();
    let same = match &other.meta.option_id {
        Some(id) => new.meta.option_id.as_ref() == Some(id),
        None => other.meta.option == new.meta.option,
    };
    let what = if same {
        format!(
            "{} was already chosen{purpose} at {} (step {}); this decision is recorded too, and the postmortem gives \
             the reasons of both",
            option(other),
            at(other),
            other.meta.id
        )
    } else {
        let (first, then) = if new.meta.at >= other.meta.at { (other, new) } else { (new, other) };
        format!(
            "{} decision{purpose} is already recorded, {} at {} (step {}); this one is recorded too, and the \
             postmortem shows {} chosen{purpose} at {}, replaced by {} at {}",
            if std::ptr::eq(first, other) { "a" } else { "a later" },
            option(other),
            at(other),
            other.meta.id,
            option(first),
            at(first),
            option(then),
            at(then)
        )
    };
    format!(
        "{what}; if one of them is a mistake, delete its file from incidents/{slug}/steps/: {}.md or {}.md",
        other.meta.id, new.meta.id
    )
}

pub fn cause(cfg: &Config, _ui: &Ui, args: &CauseArgs) -> Result<u8> {
    let session = Session::open(cfg)?;
    let text = text_arg(&args.text)?;
    let mut meta = session.meta(StepKind::Cause, session.at(args.step.at.as_deref(), "cause")?);
    meta.trigger = args.trigger.clone().filter(|t| !t.trim().is_empty());
    let mut body = text;
    if let Some(trigger) = &meta.trigger {
        body.push_str(&format!("\n\n**Trigger:** {trigger}"));
    }
    save(&session, &mut Step { meta, body }, session.scrub(args.step.no_redact))
}

pub fn lesson(cfg: &Config, ui: &Ui, args: &LessonArgs) -> Result<u8> {
    let session = Session::open(cfg)?;
    let text = text_arg(&args.text)?;
    let mut meta = session.meta(StepKind::Lesson, session.at(args.step.at.as_deref(), "lesson")?);
    // `incident lesson sucked "…"`: the kind given as a word of the text. Still recorded
    // (the text is what was typed), but said, since it is filed under another heading.
    if args.kind.is_none()
        && let Some(meant) = LessonKindArg::named_by(&args.text)
    {
        let first = args.text[0].split_whitespace().next().unwrap_or_default();
        ui.warn(&format!(
            "recorded as learned (the default kind), but the lesson starts with \"{first}\": did you mean --kind {}?",
            meant.as_str()
        ));
    }
    meta.lesson = Some(match args.kind.unwrap_or(LessonKindArg::Learned) {
        LessonKindArg::Worked => LessonKind::Worked,
        LessonKindArg::Sucked => LessonKind::Sucked,
        LessonKindArg::Lucky => LessonKind::Lucky,
        LessonKindArg::Learned => LessonKind::Learned,
    });
    save(&session, &mut Step { meta, body: text }, session.scrub(args.step.no_redact))
}

pub fn action(cfg: &Config, _ui: &Ui, args: &ActionArgs) -> Result<u8> {
    let session = Session::open(cfg)?;
    let text = text_arg(&args.text)?;
    let mut meta = session.meta(StepKind::Action, session.at(args.step.at.as_deref(), "action")?);
    meta.owner = args.owner.clone().filter(|o| !o.trim().is_empty());
    meta.due = match &args.due {
        None => None,
        Some(d) => Some(NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d").map_err(|_| {
            Error::usage(format!("--due {d:?} is not a date"), "write it as YYYY-MM-DD, e.g. --due 2025-10-12")
        })?),
    };
    meta.title = Some(text.clone());
    let mut body = format!("- [ ] {text}");
    if let Some(owner) = &meta.owner {
        body.push_str(&format!(" — @{owner}"));
    }
    if let Some(due) = meta.due {
        body.push_str(&format!(", due {due}"));
    }
    save(&session, &mut Step { meta, body }, session.scrub(args.step.no_redact))
}

pub fn attach(cfg: &Config, ui: &Ui, args: &AttachArgs) -> Result<u8> {
    let session = Session::open(cfg)?;
    let source = cfg.cwd.join(&args.file);
    let file = fs::File::open(&source).map_err(|e| {
        Error::user_hint(format!("cannot read {}: {e}", source.display()), "give the path of an existing file")
    })?;
    if file.metadata().is_ok_and(|m| m.is_dir()) {
        return Err(Error::user_hint(
            format!("cannot attach {}: it is a folder", source.display()),
            "attach its files one by one, or an archive of it (`tar czf NAME.tar.gz FOLDER`, then `incident attach NAME.tar.gz`)",
        ));
    }
    // Read one byte past the limit: a pipe or a device has no size to check beforehand.
    let mut bytes = Vec::new();
    file.take(MAX_ATTACHMENT + 1).read_to_end(&mut bytes).ctx("read", &source)?;
    if bytes.len() as u64 > MAX_ATTACHMENT {
        return Err(Error::user_hint(
            format!("{} is over the {} MiB attachment limit", source.display(), MAX_ATTACHMENT >> 20),
            "keep large files elsewhere and record where with `incident note`",
        ));
    }
    // Text is redacted like any output; other bytes (a pcap, an image, a Latin-1 log) keep
    // every byte that is no secret, and each secret's length (see record::attachment).
    let mut scrub = session.scrub(args.step.no_redact);
    let bytes = match scrub.file(bytes) {
        Stored::Text(bytes) | Stored::Kept(bytes) => bytes,
        Stored::Masked { bytes, masks } => {
            ui.warn(&format!(
                "{} is not UTF-8 and held {}, masked in place: {}; each mask has the length of its secret, so offsets and lengths in the file stay valid, but checksums inside it may no longer match",
                source.display(),
                crate::format::plural(masks.len() as u64, "secret"),
                attachment::describe(&masks)
            ));
            bytes
        }
        Stored::Unmaskable(rules) => {
            return Err(Error::user_hint(
                format!(
                    "{} is not UTF-8 and holds secrets ({}) that cannot be masked byte for byte",
                    source.display(),
                    rules.join(", ")
                ),
                "remove them from the file first, or attach it as it is with --no-redact",
            ));
        }
    };
    let mut meta = session.meta(StepKind::Attach, session.at(args.step.at.as_deref(), "attach")?);
    // Redacted before it is slugged: a slug lowercases and drops the `=` a rule needs to see.
    // The stem alone, so a secret running to the end of it does not take the extension.
    let original = source.file_name().unwrap_or_default().to_string_lossy().into_owned();
    let (stem, ext) = split_extension(&original);
    let stem = scrub.text(stem);
    let name = match ext.filter(|e| scrub.text(e) == *e) {
        Some(ext) => slug::file_name(&format!("{stem}.{ext}")),
        None => slug::file_name(&stem),
    };
    let stored = format!("attachments/{}-{name}", meta.id);
    let dir = session.incident.dir.join("attachments");
    crate::vault::create_in_incident(&dir)?;
    use sha2::Digest;
    meta.attachment_sha256 = Some(hex::encode(sha2::Sha256::digest(&bytes)));
    meta.attachment = Some(stored.clone());
    meta.title = args.title.clone();
    if !atomic::write_new(&session.incident.dir.join(&stored), &bytes)? {
        return Err(Error::Internal(format!("{stored} exists already")));
    }
    let label = args.title.clone().unwrap_or_else(|| name.clone());
    let body = format!("Attached [{label}](../{stored}) ({} bytes).", bytes.len());
    save(&session, &mut Step { meta, body }, scrub)
}

/// `name.ext` → (`name`, `ext`) when the extension is a short word (`log`, `png`, `tar`);
/// otherwise the whole name is the stem.
fn split_extension(name: &str) -> (&str, Option<&str>) {
    match name.rsplit_once('.') {
        Some((stem, ext))
            if !stem.is_empty() && (1..=8).contains(&ext.len()) && ext.bytes().all(|b| b.is_ascii_alphanumeric()) =>
        {
            (stem, Some(ext))
        }
        _ => (name, None),
    }
}

/// The random last part of a step id (`20251005T134500Z-option-h9ew5p` → `h9ew5p`): enough
/// to tell steps apart, short enough to type.
fn short_id(id: &str) -> &str {
    id.rsplit('-').next().unwrap_or(id)
}
