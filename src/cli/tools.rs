//! Arguments of the pipe filters that work without a vault: extract, redact.

use std::path::PathBuf;

use clap::Args;

#[derive(Debug, Args)]
pub struct ExtractArgs {
    /// What the input is: auto, pods, nodes, ip, route, log
    #[arg(long = "as", value_name = "KIND", default_value = "auto")]
    pub kind: String,
    /// Read this file (default: stdin; `-` is stdin too)
    #[arg(value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// Print the facts as one JSON object
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct RedactArgs {
    /// Read this file (default: stdin; `-` is stdin too)
    #[arg(value_name = "FILE")]
    pub file: Option<PathBuf>,
}
