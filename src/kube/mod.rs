//! Kubernetes through kube-rs, at the edge: connect the way kubectl does, list the
//! cluster page by page, and turn API objects into a [`Summary`] (pure). Snapshots
//! are compared ([`diff`]), checked ([`check`]) and followed ([`watch`]).
//!
//! The tokio runtime and the client are made here, only for the commands that talk
//! to a cluster: `incident note` never pays for them.

pub mod age;
pub mod build;
pub mod check;
pub mod choose;
pub mod client_error;
pub mod connect;
pub mod deadline;
pub mod diff;
pub mod events;
pub mod exec_auth;
pub mod failure;
pub mod feeds;
pub mod fetch;
pub mod nodes;
pub mod pace;
pub mod pods;
pub mod proxy;
pub mod restarts;
pub mod scope;
pub mod scrub;
pub mod summary;
pub mod table;
pub mod watch;

pub use build::{Builder, JsonError, summarise_json, summarise_json_at};
pub use failure::{Failure, FailureKind};
pub use summary::{Container, Dns, EventCount, Node, Pod, Summary, WarningEvent};

use crate::error::{Error, Result};

/// Runs `fut` on a single-threaded runtime made for this one command.
pub fn block_on<F: std::future::Future>(fut: F) -> Result<F::Output> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Internal(format!("cannot start the async runtime: {e}")))?;
    Ok(rt.block_on(fut))
}

#[cfg(test)]
mod tests;
