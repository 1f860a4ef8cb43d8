//! What the watch writes: a step per interval's changes, an outage once it ends, the
//! `recovered` suggestion (or milestone with --auto-mark), and the final step.

use std::time::{Duration, Instant};

use super::{Outage, Watch};
use crate::clock::Timestamp;
use crate::error::Result;
use crate::format;
use crate::kube::failure::Failure;
use crate::kube::feeds::feed_name;
use crate::kube::watch::{Changes, Feed, WatchStats};
use crate::model::{Milestone, Step, StepError, StepKind};

impl Watch<'_> {
    pub(super) fn record_outage(&mut self, o: &Outage, until: Option<Timestamp>) -> Result<()> {
        self.outages += 1;
        let mut meta = self.session.meta(StepKind::Watch, o.since);
        let span = match until {
            Some(t) => {
                format!("for {} ({}–{})", format::duration(t - o.since), clock_s(o.since), clock_s(t))
            }
            None => format!("since {}, still when the watch ended", clock_s(o.since)),
        };
        meta.title = Some(format!("API server {} unreachable {span}", o.failure.server));
        meta.error = Some(StepError {
            kind: o.failure.kind.as_str().to_string(),
            server: Some(o.failure.server.clone()),
            context: o.failure.context.clone(),
            message: o.failure.message.clone(),
        });
        let body = format!(
            "The watch lost the API server {span}: {} ({} failed attempts, retried with back-off).\n\n{}\n",
            o.failure.kind.as_str(),
            o.errors,
            o.failure.message
        );
        self.save(meta, body)
    }

    fn save(&mut self, meta: crate::model::StepMeta, body: String) -> Result<()> {
        let mut step = Step { meta, body };
        self.session.save(&mut step, self.session.scrub(false))?;
        self.session.report(&step);
        Ok(())
    }

    fn record_changes(&mut self, c: &Changes, extra: &[String]) -> Result<()> {
        let mut meta = self.session.meta(StepKind::Watch, self.now());
        meta.title = Some(format!("Watch: {}", c.title));
        meta.watch = Some(WatchStats {
            updates: c.updates,
            restarts: c.restarts,
            changes: c.lines.clone(),
            ..WatchStats::default()
        });
        let mut body = String::new();
        for line in c.lines.iter().chain(extra) {
            body.push_str(&format!("- {line}\n"));
        }
        self.change_steps += 1;
        self.restarts += c.restarts;
        self.save(meta, body)
    }

    pub(super) fn tick(&mut self, auto_mark: bool, ready_for: Duration) -> Result<()> {
        let mut extra = Vec::new();
        if self.tracker.all_ready() && self.outage.is_none() {
            let since = *self.ready_since.get_or_insert_with(Instant::now);
            if !self.suggested && since.elapsed() >= ready_for {
                self.suggested = true;
                let held = format::duration(chrono::Duration::from_std(since.elapsed()).unwrap_or_default());
                if auto_mark && !self.has_milestone(Milestone::Recovered)? {
                    let mut meta = self.session.meta(StepKind::Milestone, self.now());
                    meta.milestone = Some(Milestone::Recovered);
                    self.save(meta, format!("All pods Ready for {held} (recorded by incident watch --auto-mark)"))?;
                } else if !auto_mark {
                    let line = format!("all pods Ready for {held} — `incident mark recovered`?");
                    self.ui.status(&line);
                    extra.push(line);
                }
            }
        } else {
            self.ready_since = None;
            self.suggested = false;
        }
        match self.tracker.take_changes() {
            Some(c) => self.record_changes(&c, &extra),
            None if !extra.is_empty() => {
                let mut meta = self.session.meta(StepKind::Watch, self.now());
                meta.title = Some(format!("Watch: {}", extra[0]));
                self.save(meta, format!("- {}\n", extra[0]))
            }
            None => Ok(()),
        }
    }

    fn has_milestone(&self, m: Milestone) -> Result<bool> {
        let (steps, _) = self.session.vault.steps_of_kind(&self.session.incident, StepKind::Milestone)?;
        Ok(steps.iter().any(|s| s.meta.milestone == Some(m)))
    }

    pub(super) fn finish(mut self, why: &str) -> Result<u8> {
        // Never reached at all: that is the finding, as for snapshot and check.
        let never = self.fatal.clone().or_else(|| {
            (self.updates == 0)
                .then(|| {
                    self.outage.as_ref().map(|o| o.failure.clone()).or_else(|| self.refused.get(&Feed::Pods).cloned())
                })
                .flatten()
        });
        if let Some(o) = self.outage.take() {
            self.record_outage(&o, None)?;
        }
        let pending = self.tracker.take_changes();
        self.restarts += pending.as_ref().map_or(0, |c| c.restarts);
        let elapsed = chrono::Duration::from_std(self.start.elapsed()).unwrap_or_default();
        let mut meta = self.session.meta(StepKind::Watch, self.now());
        meta.title = Some(format!("Watch ended after {} ({why})", format::duration(elapsed)));
        let pods: Vec<_> = self.tracker.pods().collect();
        let healthy = pods.iter().filter(|p| crate::kube::summary::pod_is_healthy(p)).count();
        let mut body = format!(
            "Watched {} from {} to {}: {} updates, {} restarts, {} change steps, {} outages, {} re-lists after 410 Gone.\n\nAt the end: {} of {} pods healthy, {} of {} nodes Ready.\n",
            self.server,
            format::clock(self.started_at),
            format::clock(self.now()),
            format::thousands(self.updates),
            format::thousands(self.restarts),
            self.change_steps,
            self.outages,
            self.relists,
            healthy,
            pods.len(),
            self.tracker.nodes().filter(|n| n.is_ready()).count(),
            self.tracker.nodes().count()
        );
        let mut refused: Vec<(&Feed, &Failure)> = self.refused.iter().collect();
        refused.sort_by_key(|(f, _)| feed_name(**f));
        for (feed, f) in refused {
            body.push_str(&format!("\nNot watched: {}: {}\n", feed_name(*feed), f.message));
        }
        if let Some(c) = &pending {
            body.push_str("\nSince the last step:\n\n");
            for line in &c.lines {
                body.push_str(&format!("- {line}\n"));
            }
        }
        meta.watch = Some(WatchStats {
            updates: self.updates,
            // The last interval's changes belong to the last step's numbers too.
            restarts: pending.as_ref().map_or(0, |c| c.restarts),
            changes: pending.map(|c| c.lines).unwrap_or_default(),
            outages: Some(self.outages),
            relists: Some(self.relists),
            pods: Some(pods.len() as u64),
            pods_healthy: Some(healthy as u64),
            restarts_total: Some(self.restarts),
        });
        self.save(meta, body)?;
        if let Some(f) = never {
            return Err(crate::commands::snapshot::failure_error(&f));
        }
        Ok(0)
    }
}

/// `05:28:07`: an outage of seconds reads `05:28–05:28` in minutes.
fn clock_s(t: Timestamp) -> String {
    use chrono::Timelike;
    format!("{}:{:02}", format::clock(t), t.second())
}
