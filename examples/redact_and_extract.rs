//! The library without the CLI: redact a command's output the way the recorder does,
//! then pull its facts. Reads a file (default: the sample's `kubectl get pods -A`).
//!
//! `cargo run --example redact_and_extract -- examples/k3s-resurrection/outputs/ip-addr.txt`

use incident::extract::{Hint, extract};
use incident::redact::{Numbering, Redactor, Rules};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).unwrap_or_else(|| "examples/k3s-resurrection/outputs/pods-crashloop.txt".into());
    let raw = std::fs::read_to_string(&path)?;
    let mut redactor = Redactor::new(Rules::builtin(), Numbering::default());
    let clean = redactor.redact(&raw);
    let facts = extract(&clean, Hint::Auto);
    println!("{path}: {}", if facts.is_empty() { "nothing recognised".to_string() } else { facts.summary() });
    println!("redactions: {:?}", redactor.counts());
    println!("{}", serde_json::to_string_pretty(&facts)?);
    Ok(())
}
