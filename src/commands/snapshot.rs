//! `incident snapshot`: nodes, pods, events and kube-dns from the API server (or from
//! saved `kubectl get -o json`), recorded as one `snapshot` step.

use std::io::{BufWriter, Read};

use crate::cli::SnapshotArgs;
use crate::config::Config;
use crate::error::{Error, IoContext, Result};
use crate::kube::connect::{self, Target};
use crate::kube::fetch::{FetchError, Fetcher, ListWriter, Verbatim};
use crate::kube::{self, Failure, Summary, build, table};
use crate::model::{Step, StepError, StepKind};
use crate::record::Session;
use crate::record::scrub::Scrub;
use crate::redact::{Numbering, Redactor, Rules};
use crate::ui::Ui;

pub fn run(cfg: &Config, ui: &Ui, args: &SnapshotArgs) -> Result<u8> {
    if args.page_size == 0 {
        return Err(Error::usage("--page-size must be at least 1", "500 is a good page size"));
    }
    let session = if args.no_record { None } else { Some(Session::open(cfg)?) };
    let at = match &session {
        Some(s) => s.at(args.step.at.as_deref(), "snapshot")?,
        None => cfg.clock.now(),
    };
    let now = at.timestamp();
    let (mut summary, step) = match &args.from {
        Some(path) => from_file(cfg, session.as_ref(), at, path, args.step.no_redact)?,
        None => from_cluster(cfg, ui, session.as_ref(), at, args, now)?,
    };
    if session.is_none() && !args.step.no_redact {
        redact_unrecorded(&mut summary);
    }
    print(ui, &summary, args.json);
    if let (Some(session), Some(step)) = (&session, step) {
        session.report(&step);
    }
    Ok(0)
}

/// Event messages as a recorded snapshot would show them (no incident: its own numbering).
fn redact_unrecorded(summary: &mut Summary) {
    let mut redactor = Redactor::new(Rules::builtin(), Numbering::default());
    for w in &mut summary.warnings {
        w.message = redactor.redact(&w.message);
    }
}

fn print(ui: &Ui, summary: &Summary, json: bool) {
    if json {
        ui.out(&serde_json::to_string_pretty(summary).expect("summary serializes"));
        return;
    }
    let mut out = String::new();
    if !summary.nodes.is_empty() {
        out.push_str(&table::nodes_table(summary));
        out.push('\n');
    }
    let unhealthy: Vec<&kube::Pod> = summary.pods.iter().filter(|p| !kube::summary::pod_is_healthy(p)).collect();
    if !unhealthy.is_empty() {
        out.push_str(&table::pods_table(unhealthy.iter().take(table::MAX_BODY_PODS).copied()));
        out.push('\n');
    }
    out.push_str(&summary.headline());
    ui.out(&out);
}

fn from_cluster(
    cfg: &Config,
    ui: &Ui,
    session: Option<&Session>,
    at: crate::clock::Timestamp,
    args: &SnapshotArgs,
    now: i64,
) -> Result<(Summary, Option<Step>)> {
    kube::block_on(async {
        let target = connect::resolve(&cfg.kube, &args.cluster, &cfg.cwd).await?;
        let client = match target.client()? {
            Ok(client) => client,
            Err(f) => {
                if let Some(session) = session {
                    record_failure(session, StepKind::Snapshot, at, &f)?;
                }
                return Err(failure_error(&f));
            }
        };
        let proxy = target.proxy();
        ui.status(&format!("listing pods, nodes and events of {}", target.describe()));
        let fetcher = Fetcher {
            client: &client,
            server: &target.server,
            context: target.context.as_deref(),
            namespace: target.namespace.as_deref(),
            page_size: args.page_size,
            proxy: proxy.as_deref(),
            kubectl: &target.kubectl,
        };
        let Some(session) = session else {
            let mut verbatim = Verbatim;
            let mut sink =
                ListWriter::new(std::io::sink(), &mut verbatim).map_err(|e| Error::io("write", "/dev/null", e))?;
            return match fetcher.fetch(now, &mut sink).await {
                Ok(fetched) => Ok((described(fetched.summary, &target), None)),
                Err(FetchError::Cluster(f)) => Err(failure_error(&f)),
                Err(FetchError::Write(e)) => Err(Error::io("write", "/dev/null", e)),
                Err(FetchError::Request(why)) => Err(Error::Internal(why)),
            };
        };
        let spool = session.writer.output_spool()?;
        let outputs = session.writer.outputs_dir();
        let mut scrub = session.scrub(args.step.no_redact);
        let mut sink =
            ListWriter::new(BufWriter::with_capacity(256 * 1024, spool), &mut scrub).ctx("write", &outputs)?;
        let mut meta = session.meta(StepKind::Snapshot, at);
        meta.title = Some(title(&target));
        match fetcher.fetch(now, &mut sink).await {
            Ok(fetched) => {
                let spool = sink.finish().ctx("write", &outputs)?;
                let spool = spool.into_inner().map_err(|e| e.into_error()).ctx("write", &outputs)?;
                session.writer.persist_output_as(spool, &mut meta, "json")?;
                let mut summary = described(fetched.summary, &target);
                let step = save_snapshot(session, meta, &mut summary, scrub, fetched.redactions)?;
                Ok((summary, Some(step)))
            }
            Err(FetchError::Write(e)) => Err(Error::io("write", &outputs, e)),
            Err(FetchError::Request(why)) => Err(Error::Internal(why)),
            Err(FetchError::Cluster(f)) => {
                drop(sink);
                record_failure(session, StepKind::Snapshot, at, &f)?;
                Err(failure_error(&f))
            }
        }
    })?
}

fn described(mut summary: Summary, target: &Target) -> Summary {
    summary.source = Some(target.config.cluster_url.to_string());
    summary.context = target.context.clone();
    summary.namespace = target.namespace.clone();
    summary
}

fn title(target: &Target) -> String {
    let ns = match &target.namespace {
        Some(ns) => format!(", namespace {ns}"),
        None => String::new(),
    };
    format!("Snapshot of {}{ns}", target.describe())
}

/// Facts (the telling part for a big cluster), body, save. Event messages are
/// redacted in `summary` itself: what is printed must not show more than the vault.
fn save_snapshot(
    session: &Session,
    mut meta: crate::model::StepMeta,
    summary: &mut Summary,
    mut scrub: Scrub<'_>,
    removed: u64,
) -> Result<Step> {
    for w in &mut summary.warnings {
        w.message = scrub.text(&w.message);
    }
    let facts = summary.for_facts().into_owned();
    let mut body = table::body(&facts, meta.title.as_deref().unwrap_or("Snapshot"), meta.output_file.as_deref());
    if removed > 0 {
        body.push_str(&format!(
            "\n{removed} values were removed from the saved objects: last-applied annotations and secret-looking environment values.\n"
        ));
    }
    meta.facts = Some(facts);
    let mut step = Step { meta, body };
    session.save(&mut step, scrub)?;
    Ok(step)
}

/// The failure as the error the command exits with.
pub fn failure_error(f: &Failure) -> Error {
    Error::user_hint(f.message.clone(), f.hint())
}

/// An unreachable or refusing cluster, recorded: kind, server, message.
pub fn record_failure(session: &Session, kind: StepKind, at: crate::clock::Timestamp, f: &Failure) -> Result<Step> {
    let mut meta = session.meta(kind, at);
    let what = match kind {
        StepKind::Snapshot => "Snapshot",
        StepKind::Watch => "Watch",
        _ => "Check",
    };
    meta.title = Some(format!("{what} failed: {}", f.kind.as_str()));
    meta.error = Some(StepError {
        kind: f.kind.as_str().to_string(),
        server: Some(f.server.clone()),
        context: f.context.clone(),
        message: f.message.clone(),
    });
    let fence = crate::record::body::fence_for(&f.detail);
    let asked = match f.path.as_str() {
        "" => "No request was sent: there were no credentials to send it with.".to_string(),
        path => format!("Asked for `{path}`."),
    };
    let body = format!("{}\n\n{asked}\n\n{fence}text\n{}\n{fence}\n\nNext: {}\n", f.message, f.detail, f.hint());
    let mut step = Step { meta, body };
    session.save(&mut step, session.scrub(false))?;
    session.report(&step);
    Ok(step)
}

fn from_file(
    cfg: &Config,
    session: Option<&Session>,
    at: crate::clock::Timestamp,
    path: &std::path::Path,
    no_redact: bool,
) -> Result<(Summary, Option<Step>)> {
    let (text, shown) = if path.as_os_str() == "-" {
        let mut text = String::new();
        std::io::stdin().read_to_string(&mut text).map_err(|e| Error::user(format!("cannot read stdin: {e}")))?;
        (text, "stdin".to_string())
    } else {
        let full = cfg.cwd.join(path);
        let text = std::fs::read_to_string(&full).map_err(|e| {
            Error::user_hint(
                format!("cannot read {}: {e}", full.display()),
                "save it with kubectl get pods -A -o json > FILE",
            )
        })?;
        (text, path.display().to_string())
    };
    let bad = |e: build::JsonError| {
        Error::user_hint(
            format!("{shown} is not Kubernetes JSON: {e}"),
            "give the output of `kubectl get pods,nodes,events -A -o json` (a List, an array or one object)",
        )
    };
    let value: serde_json::Value = serde_json::from_str(text.trim_start_matches('\u{feff}'))
        .map_err(|e| bad(build::JsonError { line: e.line(), column: e.column(), message: e.to_string() }))?;
    drop(text);
    let mut builder = kube::Builder::new(at.timestamp());
    let items = build::items(&value).map_err(bad)?;
    if items.is_empty() {
        return Err(Error::user_hint(format!("{shown} holds no objects"), "the List's items are empty"));
    }
    let Some(session) = session else {
        for (item, kind) in items {
            builder.add_value(item, kind.as_deref());
        }
        let mut summary = builder.finish();
        summary.source = Some(shown);
        return Ok((summary, None));
    };
    let outputs = session.writer.outputs_dir();
    let spool = session.writer.output_spool()?;
    let mut scrub = session.scrub(no_redact);
    let mut sink = ListWriter::new(BufWriter::new(spool), &mut scrub).ctx("write", &outputs)?;
    let mut redactions = 0;
    for (item, kind) in items {
        builder.add_value(item, kind.as_deref());
        let mut copy = item.clone();
        if let (serde_json::Value::Object(map), Some(kind)) = (&mut copy, &kind) {
            map.entry("kind").or_insert_with(|| serde_json::Value::String(kind.clone()));
        }
        redactions += sink.scrub(&mut copy);
        sink.item(&copy).ctx("write", &outputs)?;
    }
    let spool = sink.finish().ctx("write", &outputs)?;
    let spool = spool.into_inner().map_err(|e| e.into_error()).ctx("write", &outputs)?;
    let mut summary = builder.finish();
    summary.source = Some(shown.clone());
    let mut meta = session.meta(StepKind::Snapshot, at);
    meta.title = Some(format!("Snapshot from {shown}"));
    session.writer.persist_output_as(spool, &mut meta, "json")?;
    let step = save_snapshot(session, meta, &mut summary, scrub, redactions)?;
    Ok((summary, Some(step)))
}
