//! `incident start TITLE`: creates the incident folder and makes it current.

use crate::cli::StartArgs;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::model::IncidentMeta;
use crate::record::lines::{clean_one_line, clean_text};
use crate::redact::{Numbering, Placeholders, Redactor};
use crate::ui::Ui;
use crate::vault::{KnownSecrets, VaultNumbering};

pub fn run(cfg: &Config, ui: &Ui, args: &StartArgs) -> Result<u8> {
    let vault = cfg.vault()?;
    // No tab, newline or escape sequence in a title: it is one line of `list` and `status`.
    let title = clean_one_line(args.title.trim());
    let title = title.trim();
    if title.is_empty() {
        return Err(Error::usage("the title is empty", "say what is broken: incident start \"Checkout returns 500\""));
    }
    let at = crate::record::at_of(cfg, args.at.as_deref(), "start")?;
    let mut meta = IncidentMeta {
        id: String::new(),
        title: title.to_string(),
        severity: args.severity.map(|s| format!("{s:?}").to_ascii_lowercase()),
        services: clean_list(&args.services),
        services_unaffected: clean_list(&args.unaffected),
        tags: clean_list(&args.tags),
        at,
        day_only: false,
        at_without_offset: false,
        recorded_at: Some(cfg.clock.now()),
        author: Some(clean_one_line(&cfg.author).into_owned()),
        host: Some(clean_one_line(&cfg.host).into_owned()),
        visibility: None,
        status: None,
    };
    let rules = vault.rules()?;
    let mut found = Found {
        numbering: Numbering::default(),
        secrets: Vec::new(),
        elsewhere: KnownSecrets::new(&vault.state_dir()),
    };
    let mut redactor = Redactor::new(&rules, &mut found);
    // Before the folder exists: its name comes from the title, and must hold no secret.
    meta.title = redactor.redact(&meta.title);
    // INCIDENT_AUTHOR and INCIDENT_HOST go into incident.md: typed text, like the title.
    for field in [&mut meta.author, &mut meta.host] {
        *field = field.as_deref().map(|value| redactor.redact(value));
    }
    for list in [&mut meta.services, &mut meta.services_unaffected, &mut meta.tags] {
        *list = list.iter().map(|item| redactor.redact(item)).collect();
    }
    let summary = redactor.redact(&clean_text(args.summary.as_deref().unwrap_or_default()));
    drop(redactor);
    let pointer = vault.prepare_current().map_err(nothing_started)?;
    let incident = vault.create_incident(&mut meta, &summary)?;
    // Numbered again in the same order, the incident's steps carry on from these placeholders.
    let mut numbering = VaultNumbering::fresh(&vault, &incident.slug);
    for (rule, secret) in &found.secrets {
        numbering.placeholder(rule, secret);
    }
    if let Some(problem) = &numbering.problem {
        ui.warn(&format!("secrets in the title were numbered apart from the rest of the incident: {problem}"));
    }
    let before = vault.current().ok().flatten().filter(|slug| *slug != incident.slug);
    ui.out(&incident.slug);
    if let Err(e) = pointer.set(&incident.slug) {
        // Rare (prepared above): the incident is there, so a retry would start a second one.
        let slug = &incident.slug;
        let fix = e.hint().unwrap_or_else(|| "fix the cause".to_string());
        return Err(Error::user_hint(
            format!("started {slug}, but could not make it the current incident: {e}"),
            format!("{fix}; then `incident switch {slug}` (not `start` again: that would start a second one)"),
        ));
    }
    ui.status(&format!("started \"{}\"; it is now the current incident", meta.title));
    if let Some(open) = before.filter(|slug| still_open(&vault, slug)) {
        // Two outages at once happen; a forgotten `resolve` is likelier: say where to go back.
        ui.status(&format!(
            "{open} is still open: `incident switch {open}` goes back to it, `incident -I {open} resolve` ends it"
        ));
    }
    warn_env_overrides(cfg, ui, &vault, &incident.slug);
    Ok(0)
}

/// The current-incident pointer cannot be written: said before anything is created.
fn nothing_started(e: Error) -> Error {
    let fix = e.hint().unwrap_or_else(|| "fix the cause".to_string());
    Error::user_hint(
        e.to_string(),
        format!("{fix}; nothing was created: once fixed, run the same `incident start` again"),
    )
}

/// The incident `slug` is there and not resolved.
fn still_open(vault: &crate::vault::Vault, slug: &str) -> bool {
    let r = crate::vault::IncidentRef { slug: slug.to_string(), dir: vault.incidents_dir().join(slug) };
    vault.load(&r).is_ok_and(|loaded| loaded.incident.status() == crate::model::Status::Open)
}

/// What `start` and `switch` cannot change: INCIDENT_ID still picks the incident of every
/// later command, and INCIDENT_VAULT the vault, whatever folder they run in.
pub(super) fn warn_env_overrides(cfg: &Config, ui: &Ui, vault: &crate::vault::Vault, slug: &str) {
    if let Some(id) = cfg.incident_overridden_by_env() {
        ui.warn(&format!(
            "INCIDENT_ID={id} is set: later commands still go to that incident, not {slug}; unset INCIDENT_ID"
        ));
    }
    if let Some(here) = cfg.vault_shadowed_by_env(vault) {
        ui.warn(&format!(
            "INCIDENT_VAULT={} is set: commands run in {} use it, not the vault there; unset INCIDENT_VAULT",
            vault.root.display(),
            here.display()
        ));
    }
}

/// Placeholders for an incident that has no folder yet, remembering what they stand for.
struct Found {
    numbering: Numbering,
    secrets: Vec<(String, String)>,
    /// Secrets found in other incidents, hidden in this one's title too.
    elsewhere: KnownSecrets,
}

impl Placeholders for Found {
    fn placeholder(&mut self, rule: &str, secret: &str) -> String {
        self.secrets.push((rule.to_string(), secret.to_string()));
        self.numbering.placeholder(rule, secret)
    }

    fn known(&mut self, candidate: &str) -> Option<String> {
        self.numbering.known(candidate).or_else(|| self.elsewhere.get()?.known(candidate))
    }

    fn known_lengths(&mut self) -> crate::redact::KnownLengths {
        let mut lengths = self.numbering.known_lengths();
        if let Some(elsewhere) = self.elsewhere.get() {
            lengths.extend(elsewhere.known_lengths());
        }
        lengths
    }
}

/// Trimmed, non-empty, without duplicates, in the order given.
fn clean_list(items: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for item in items.iter().flat_map(|s| s.split(',')) {
        let item = clean_one_line(item);
        let item = item.trim();
        if !item.is_empty() && !out.iter().any(|o| o == item) {
            out.push(item.to_string());
        }
    }
    out
}
