//! A pod as `kubectl get pods -o wide` prints it: READY, STATUS (computed the way
//! kubectl's printer does), RESTARTS with `(15h ago)`, AGE, IP, NODE.

use k8s_openapi::api::core::v1::{ContainerStatus, Pod as ApiPod};

use super::age::{age, human_duration};
use super::summary::{Container, Pod};

/// The pod's row, seen at `now` (unix seconds).
pub fn summarise_pod(pod: &ApiPod, now: i64) -> Pod {
    let meta = &pod.metadata;
    let spec = pod.spec.as_ref();
    let status = pod.status.as_ref();
    let phase = status.and_then(|s| s.phase.clone());
    let mut reason = phase.clone().unwrap_or_default();
    if let Some(r) = status.and_then(|s| s.reason.clone()).filter(|r| !r.is_empty()) {
        reason = r;
    }
    let conditions = status.and_then(|s| s.conditions.as_ref());
    let condition_true =
        |kind: &str| conditions.is_some_and(|cs| cs.iter().any(|c| c.type_ == kind && c.status == "True"));
    if conditions.is_some_and(|cs| {
        cs.iter().any(|c| c.type_ == "PodScheduled" && c.reason.as_deref() == Some("SchedulingGated"))
    }) {
        reason = "SchedulingGated".to_string();
    }

    let init_specs = spec.and_then(|s| s.init_containers.as_deref()).unwrap_or(&[]);
    let sidecar =
        |name: &str| init_specs.iter().any(|c| c.name == name && c.restart_policy.as_deref() == Some("Always"));
    let mut total = spec.map(|s| s.containers.len()).unwrap_or(0) as u32;
    total += init_specs.iter().filter(|c| c.restart_policy.as_deref() == Some("Always")).count() as u32;
    let mut ready = 0u32;
    let mut restarts = 0u64;
    let mut sidecar_restarts = 0u64;
    let mut last_restart: Option<i64> = None;
    // Once the pod is initialized only the sidecars' restarts count, and their date.
    let mut sidecar_last_restart: Option<i64> = None;
    let note_restart = |last: &mut Option<i64>, cs: &ContainerStatus| {
        if let Some(t) = finished_at(cs) {
            *last = Some(last.map_or(t, |l: i64| l.max(t)));
        }
    };

    let init_statuses = status.and_then(|s| s.init_container_statuses.as_deref()).unwrap_or(&[]);
    let mut initializing = false;
    for (i, cs) in init_statuses.iter().enumerate() {
        restarts += cs.restart_count.max(0) as u64;
        if cs.restart_count > 0 {
            note_restart(&mut last_restart, cs);
        }
        let is_sidecar = sidecar(&cs.name);
        if is_sidecar {
            sidecar_restarts += cs.restart_count.max(0) as u64;
            if cs.restart_count > 0 {
                note_restart(&mut sidecar_last_restart, cs);
            }
        }
        let state = cs.state.as_ref();
        let terminated = state.and_then(|s| s.terminated.as_ref());
        let waiting = state.and_then(|s| s.waiting.as_ref());
        // kubectl's order: a sidecar is passed over only once started; one that is not
        // (crash-looping) is what the pod waits for, like any init container.
        if terminated.is_some_and(|t| t.exit_code == 0) {
            continue;
        }
        if is_sidecar && cs.started == Some(true) {
            if cs.ready {
                ready += 1;
            }
            continue;
        }
        match (terminated, waiting) {
            (Some(t), _) => {
                reason = match t.reason.as_deref().filter(|r| !r.is_empty()) {
                    Some(r) => format!("Init:{r}"),
                    None => match t.signal.filter(|s| *s != 0) {
                        Some(sig) => format!("Init:Signal:{sig}"),
                        None => format!("Init:ExitCode:{}", t.exit_code),
                    },
                };
            }
            (None, Some(w)) if w.reason.as_deref().is_some_and(|r| !r.is_empty() && r != "PodInitializing") => {
                reason = format!("Init:{}", w.reason.as_deref().unwrap_or_default());
            }
            _ => reason = format!("Init:{i}/{}", init_specs.len()),
        }
        initializing = true;
        break;
    }

    let statuses = status.and_then(|s| s.container_statuses.as_deref()).unwrap_or(&[]);
    if !initializing || condition_true("Initialized") {
        restarts = sidecar_restarts;
        last_restart = sidecar_last_restart;
        let mut has_running = false;
        for cs in statuses.iter().rev() {
            restarts += cs.restart_count.max(0) as u64;
            if cs.restart_count > 0 {
                note_restart(&mut last_restart, cs);
            }
            let state = cs.state.as_ref();
            let waiting = state.and_then(|s| s.waiting.as_ref());
            let terminated = state.and_then(|s| s.terminated.as_ref());
            if let Some(r) = waiting.and_then(|w| w.reason.clone()).filter(|r| !r.is_empty()) {
                reason = r;
            } else if let Some(t) = terminated {
                reason = match t.reason.clone().filter(|r| !r.is_empty()) {
                    Some(r) => r,
                    None => match t.signal.filter(|s| *s != 0) {
                        Some(sig) => format!("Signal:{sig}"),
                        None => format!("ExitCode:{}", t.exit_code),
                    },
                };
            } else if cs.ready && state.is_some_and(|s| s.running.is_some()) {
                has_running = true;
                ready += 1;
            }
        }
        if reason == "Completed" && has_running {
            reason = if condition_true("Ready") { "Running" } else { "NotReady" }.to_string();
        }
    }

    if meta.deletion_timestamp.is_some() {
        if status.and_then(|s| s.reason.as_deref()) == Some("NodeLost") {
            reason = "Unknown".to_string();
        } else if !matches!(phase.as_deref(), Some("Succeeded") | Some("Failed")) {
            reason = "Terminating".to_string();
        }
    }

    let mut containers: Vec<Container> = Vec::new();
    let any_trouble = init_statuses.iter().chain(statuses).any(|cs| cs.restart_count > 0);
    if any_trouble {
        for (cs, init) in init_statuses.iter().map(|c| (c, true)).chain(statuses.iter().map(|c| (c, false))) {
            containers.push(container(cs, init));
        }
    }

    Pod {
        namespace: meta.namespace.clone(),
        name: meta.name.clone().unwrap_or_default(),
        ready: format!("{ready}/{total}"),
        status: if reason.is_empty() { "Unknown".to_string() } else { reason },
        restarts,
        last_restart_ago: last_restart.map(|t| format!("{} ago", human_duration(now - t))),
        age: age(meta.creation_timestamp.as_ref().map(|t| t.0), now),
        ip: Some(status.and_then(|s| s.pod_ip.clone()).filter(|s| !s.is_empty())),
        node: Some(spec.and_then(|s| s.node_name.clone()).filter(|s| !s.is_empty())),
        uid: meta.uid.clone(),
        phase,
        containers,
    }
}

fn finished_at(cs: &ContainerStatus) -> Option<i64> {
    cs.last_state.as_ref()?.terminated.as_ref()?.finished_at.as_ref().map(|t| t.0.as_second())
}

fn container(cs: &ContainerStatus, init: bool) -> Container {
    let state = cs.state.as_ref();
    let now_reason = state
        .and_then(|s| s.waiting.as_ref().and_then(|w| w.reason.clone()))
        .or_else(|| state.and_then(|s| s.terminated.as_ref().and_then(|t| t.reason.clone())));
    let last = cs.last_state.as_ref().and_then(|s| s.terminated.as_ref());
    Container {
        name: cs.name.clone(),
        restarts: cs.restart_count.max(0) as u64,
        ready: cs.ready,
        state: now_reason.filter(|r| !r.is_empty()),
        last_reason: last.and_then(|t| t.reason.clone()).filter(|r| !r.is_empty()),
        last_exit_code: last.map(|t| t.exit_code),
        init,
    }
}
