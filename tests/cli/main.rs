//! The integration suite: drives the real `incident` binary in temp vaults with
//! the clock pinned (`INCIDENT_NOW`) and the environment cleared.

mod support;

mod capture;
mod concurrency;
mod extract;
mod faults;
mod hand_edits;
pub mod kube;
mod kube_check;
mod kube_connect;
mod kube_credentials;
mod kube_partial;
mod kube_server;
mod kube_tls;
mod kube_watch;
mod kube_watch_faults;
pub mod postmortem;
mod postmortem_counts;
mod postmortem_fixes;
mod postmortem_regen;
mod postmortem_review;
mod postmortem_templates;
mod reading_fixes;
mod recorder;
mod recorder_edges;
pub mod redact;
mod redact_filter;
mod redact_names;
mod reliability;
mod report;
mod review18;
mod review19;
mod review19b;
mod review20b;
mod review_fixes;
pub mod run;
mod sample;
mod selection;
pub mod site;
mod site_check;
mod site_incremental;
mod site_pages;
mod site_republish;
mod site_serve;
mod vault;
mod vault_headless;
