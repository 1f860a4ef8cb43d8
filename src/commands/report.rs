//! `incident report [--since DATE] [--json]`: figures across incidents, one loaded at a time.

use chrono::NaiveDate;

use crate::cli::ReportArgs;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::format;
use crate::metrics::report::{IncidentFigures, summarize};
use crate::metrics::{self, Metrics};
use crate::ui::{BOLD, Ui, paint};

/// How [`crate::metrics::report::median`] is taken, said in the footer and the JSON.
const MEDIAN_METHOD: &str = "the middle value; for an even n halfway between the two middle ones";

pub fn run(cfg: &Config, ui: &Ui, args: &ReportArgs) -> Result<u8> {
    let since = match &args.since {
        None => None,
        Some(text) => Some(NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| {
            Error::usage(format!("--since {text:?} is not a date"), "write it as YYYY-MM-DD, e.g. --since 2025-01-01")
        })?),
    };
    let vault = cfg.vault()?;
    let now = cfg.clock.now();
    let mut figures = Vec::new();
    for w in vault.stray_warnings()? {
        ui.warn(&w.shown_with(vault.rel(&w.path)));
    }
    for slug in vault.incident_names()? {
        let r = vault.incident(Some(&slug))?;
        let loaded = match vault.load(&r) {
            Ok(x) => x,
            Err(e) => {
                ui.warn(&format!("{slug}: skipped: {e}"));
                continue;
            }
        };
        let inc = &loaded.incident;
        if since.is_some_and(|d| inc.meta.at.date_naive() < d) {
            continue;
        }
        for w in &loaded.warnings {
            ui.warn(&w.shown_with(vault.rel(&w.path)));
        }
        let obs = metrics::restart_observations(inc);
        let m: Metrics = metrics::compute(inc, &obs, now);
        for w in &m.warnings {
            ui.warn(&format!("{slug}: {w}"));
        }
        figures.push(IncidentFigures::from_metrics(&slug, inc.meta.severity.as_deref(), &m));
    }
    let report = summarize(&figures);
    if args.json {
        let json = serde_json::json!({
            "since": since.map(|d| d.to_string()),
            "incidents": report.incidents,
            "by_severity": report.by_severity,
            "by_service": report.by_service,
            "durations": report.durations,
            "median_method": MEDIAN_METHOD,
            "percentile_method": "nearest rank",
        });
        ui.out(&serde_json::to_string_pretty(&json).expect("report serializes"));
        return Ok(0);
    }
    let mut out = String::new();
    let scope = since.map(|d| format!(" since {d}")).unwrap_or_default();
    let plural = if report.incidents == 1 { "" } else { "s" };
    out.push_str(&format!("{}\n", paint(BOLD, format!("{} incident{plural}{scope}", report.incidents))));
    if report.incidents == 0 {
        ui.out(&out);
        return Ok(0);
    }
    let counts = |map: &std::collections::BTreeMap<String, usize>| {
        map.iter().map(|(k, v)| format!("{k} {v}")).collect::<Vec<_>>().join(" · ")
    };
    out.push_str(&format!(
        "\nby severity: {}\nby service:  {}\n\n",
        counts(&report.by_severity),
        counts(&report.by_service)
    ));
    let width = report.durations.iter().map(|d| d.name.chars().count()).max().unwrap_or(8).max(8);
    out.push_str(&format!("{:<width$}  {:>3}  {:>9}  {:>9}  unknown\n", "duration", "n", "median", "p90"));
    for d in &report.durations {
        let fmt = |s: Option<i64>| s.map(|s| format::duration(chrono::Duration::seconds(s))).unwrap_or("-".into());
        out.push_str(&format!(
            "{:<width$}  {:>3}  {:>9}  {:>9}  {}\n",
            d.name,
            d.n,
            fmt(d.median_seconds),
            fmt(d.p90_seconds),
            d.unknown
        ));
    }
    out.push_str(&format!(
        "\nmedian ({MEDIAN_METHOD}) and p90 (nearest rank) over the incidents where the duration is known (n)\n"
    ));
    ui.out(out.trim_end());
    Ok(0)
}
