//! Tests of the extraction library against real pasted outputs (sources in
//! `tests/fixtures/extract/SOURCES.md`), with exact expected values.

mod api;
mod logs;
mod net;
mod nodes;
mod pods;
mod robust;

use super::{Facts, Hint, extract};

/// Extracts a fixture under `auto`.
macro_rules! fixture {
    ($name:literal) => {
        $crate::extract::tests::run(include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/extract/",
            $name,
            ".txt"
        )))
    };
}
pub(crate) use fixture;

pub(crate) fn run(text: &str) -> Facts {
    extract(text, Hint::Auto)
}

/// Names of pods, as `namespace/name` or `name`.
pub(crate) fn pod_names(f: &Facts) -> Vec<String> {
    f.pods
        .iter()
        .map(|p| match &p.namespace {
            Some(ns) => format!("{ns}/{}", p.name),
            None => p.name.clone(),
        })
        .collect()
}

pub(crate) fn strs(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}
