//! `incident publish`: the vault as a static site, or `--check` as a publish gate.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use crate::cli::PublishArgs;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::format::plural;
use crate::site::check;
use crate::site::publish::{self, PublishOptions};
use crate::site::{SiteOptions, Theme};
use crate::ui::Ui;
use crate::vault::{INCIDENTS_DIR, STATE_DIR, Vault};

/// The record of the last publish, for incremental re-publishing.
pub const CACHE_FILE: &str = "site-cache";

/// `https://ops.example.com/incidents` → `https://ops.example.com/incidents/`; a path of
/// the site's own host (`/incidents`) → `/incidents/`, the links of the feed then relative to it.
pub fn base_url(raw: &str) -> Result<String> {
    let hint = "give the site's address with its scheme, e.g. --base-url https://ops.example.com/incidents/, \
                or its path on its host, e.g. --base-url /incidents/";
    let trimmed = raw.trim();
    let path_only = trimmed.starts_with('/') && !trimmed.starts_with("//") && !trimmed.starts_with("/\\");
    let parsed = match path_only {
        // Parsed against any host, to check and encode the path as a browser would.
        true => url::Url::parse("http://host.invalid").and_then(|host| host.join(trimmed)),
        false => url::Url::parse(trimmed),
    };
    let url = parsed.map_err(|e| Error::usage(format!("--base-url {raw:?} is not a URL: {e}"), hint))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(Error::usage(format!("--base-url {raw:?} must be an http or https address"), hint));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(Error::usage(format!("--base-url {raw:?} must not have a query or fragment"), hint));
    }
    let mut text = if path_only { url.path().to_string() } else { url.to_string() };
    if !text.ends_with('/') {
        text.push('/');
    }
    Ok(text)
}

/// The output folder: `--out` (from the current folder) or `public/` in the vault. Never
/// the vault itself or one of its own folders.
pub fn out_dir(cfg: &Config, vault: &Vault, out: Option<&Path>) -> Result<PathBuf> {
    let dir = match out {
        Some(p) => cfg.cwd.join(p),
        None => vault.root.join("public"),
    };
    let norm = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let target = norm(&dir);
    let root = norm(&vault.root);
    let reserved = [root.clone(), root.join("incidents"), root.join(STATE_DIR), root.join("templates")];
    if reserved.iter().any(|r| target == *r || target.starts_with(root.join("incidents")) || r.starts_with(&target)) {
        return Err(Error::usage(
            format!("cannot publish into {}: it holds the vault's own files", dir.display()),
            "pick an output folder of its own, e.g. --out public",
        ));
    }
    if std::fs::metadata(&dir).is_ok_and(|m| !m.is_dir()) {
        return Err(Error::usage(
            format!("cannot publish into {}: it is a file, not a folder", dir.display()),
            "--out names the folder the site is written to: pick one that is not there yet, e.g. --out public",
        ));
    }
    Ok(dir)
}

pub fn site_options(vault: &Vault, base: Option<String>) -> SiteOptions {
    SiteOptions::of_vault(vault, base)
}

pub fn jobs(requested: Option<usize>) -> Result<usize> {
    match requested {
        Some(0) => Err(Error::usage("--jobs 0 would do nothing", "give at least 1, or leave it out to use every core")),
        Some(n) => Ok(n),
        None => Ok(std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)),
    }
}

/// `; left out: 2 open (--include-open), 1 internal (--include-internal)`, or nothing.
fn left_out_note(why: &[&str]) -> String {
    let open = why.iter().filter(|w| **w == "open").count();
    let internal = why.iter().filter(|w| **w == "internal").count();
    if open + internal == 0 {
        return String::new();
    }
    format!("; left out: {open} open (--include-open), {internal} internal (--include-internal)")
}

/// `publish --check --json`: the gate's findings for a CI job to read.
fn check_json(checked: &check::Checked) -> String {
    let count = |why: &str| checked.left_out.iter().filter(|w| **w == why).count();
    let problems: Vec<serde_json::Value> = checked
        .problems
        .iter()
        .map(|p| {
            serde_json::json!({
                "file": p.path.to_string_lossy(),
                "line": (p.line > 0).then_some(p.line),
                "message": p.message,
            })
        })
        .collect();
    let report = serde_json::json!({
        "ok": problems.is_empty(),
        "to_publish": checked.checked,
        "left_out": { "open": count("open"), "internal": count("internal") },
        "problems": problems,
    });
    serde_json::to_string_pretty(&report).unwrap_or_default()
}

/// `2 incidents`, `the site's own pages`, or both: where the problems are.
fn where_problems_are(problems: &[check::Problem]) -> String {
    let mut site_pages = false;
    let slugs: std::collections::BTreeSet<_> = problems
        .iter()
        .filter_map(|p| {
            let mut parts = p.path.components();
            let in_incident = parts.next().is_some_and(|c| c.as_os_str() == INCIDENTS_DIR);
            site_pages |= !in_incident;
            in_incident.then(|| parts.next()).flatten()
        })
        .collect();
    match (slugs.len(), site_pages) {
        (0, _) => "the site's own pages".to_string(),
        (n, false) => plural(n as u64, "incident"),
        (n, true) => format!("{} and the site's own pages", plural(n as u64, "incident")),
    }
}

pub fn run(cfg: &Config, ui: &Ui, args: &PublishArgs) -> Result<u8> {
    let vault = cfg.vault()?;
    let base = args.base_url.as_deref().map(base_url).transpose()?;
    let out = out_dir(cfg, &vault, args.out.as_deref())?;
    let theme = Theme::load(Some(&vault.root.join("templates")))?;
    for (path, meant) in crate::site::theme::unused_files(&vault.root.join("templates")) {
        ui.warn(&format!("{} is not used: {meant}", vault.rel(&path).display()));
    }
    let cache_file = vault.state_dir().join(CACHE_FILE);
    let opts = PublishOptions {
        out: out.clone(),
        site: site_options(&vault, base),
        include_open: args.include_open,
        include_internal: args.include_internal,
        jobs: jobs(args.jobs)?,
        cache_file: Some(cache_file),
        only: None,
        progress: !ui.quiet && std::io::stderr().is_terminal(),
        force: args.force,
        find_secrets: true,
        clock: cfg.clock.clone(),
    };
    if args.check {
        let rules = crate::site::check::SecretLook::of(&vault)?;
        let checked = check::check(&vault, &theme, &opts, Some(&rules), cfg.clock.now())?;
        let problems = &checked.problems;
        if args.json {
            ui.out(&check_json(&checked));
            return Ok(if problems.is_empty() { 0 } else { 1 });
        }
        for p in problems {
            match p.line {
                0 => ui.out(&format!("{}: {}", p.path.display(), p.message)),
                line => ui.out(&format!("{}: line {line}: {}", p.path.display(), p.message)),
            }
        }
        let left_out = left_out_note(&checked.left_out);
        return if problems.is_empty() {
            ui.status(&format!(
                "publish check: no problems in {}{left_out}",
                plural(checked.checked as u64, "incident")
            ));
            Ok(0)
        } else {
            ui.status(&format!(
                "publish check: {} in {}; {} to publish{left_out}; nothing was written",
                plural(problems.len() as u64, "problem"),
                where_problems_are(problems),
                checked.checked
            ));
            Ok(1)
        };
    }
    let report = publish::publish(&vault, &theme, &opts).map_err(|e| match e.is_disk_full() {
        // Pages are written one by one: some of this publish may be there already.
        true => Error::user_hint(
            e.to_string(),
            format!(
                "the disk is full: free some space and publish again; until then {} may be half new",
                out.strip_prefix(&cfg.cwd).unwrap_or(&out).display()
            ),
        ),
        false => e,
    })?;
    for w in &report.warnings {
        ui.warn(&w.to_string());
    }
    let shown = out.strip_prefix(&cfg.cwd).unwrap_or(&out);
    let mut line = format!(
        "published {} to {} in {:.2} s ({} rendered, {} unchanged; {} written, {} removed)",
        plural(report.published as u64, "incident"),
        shown.display(),
        report.seconds,
        report.rendered,
        report.kept,
        plural(report.written.len() as u64, "file"),
        report.removed.len(),
    );
    line.push_str(&left_out_note(&report.left_out.iter().map(|(_, why)| *why).collect::<Vec<_>>()));
    ui.status(&line);
    ui.out(&shown.join("index.html").display().to_string());
    // The rest is published, but a script must notice what was not.
    if !report.failed.is_empty() {
        for f in publish::failure_lines(&report.failed) {
            ui.warn(&f);
        }
        ui.error(
            &format!("{} could not be published", crate::format::plural(report.failed.len() as u64, "incident")),
            Some("fix what the warnings above name, then publish again"),
        );
        return Ok(1);
    }
    Ok(0)
}
