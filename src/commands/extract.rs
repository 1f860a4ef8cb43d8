//! `incident extract`: facts from command output, as a pipe filter.

use crate::cli::ExtractArgs;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::extract::{Extractor, Hint};
use crate::record::lines::for_each_line;
use crate::ui::Ui;

pub fn run(cfg: &Config, ui: &Ui, args: &ExtractArgs) -> Result<u8> {
    let hint: Hint = args
        .kind
        .parse()
        .map_err(|e: crate::extract::ParseHintError| Error::usage(e.to_string(), "see `incident extract --help`"))?;
    let input = super::open_input(cfg, args.file.as_deref())?;
    let mut extractor = Extractor::new(hint);
    for_each_line(input, |line| extractor.feed_line(line.trim_end_matches('\n')))
        .map_err(|e| Error::io("read", args.file.clone().unwrap_or_else(|| "stdin".into()), e))?;
    let facts = extractor.finish();
    if args.json {
        ui.out(&serde_json::to_string_pretty(&facts).expect("facts serialize"));
    } else if facts.is_empty() {
        ui.status("nothing recognised: no pods, nodes, addresses, routes or known errors");
    } else {
        ui.out(&facts.summary());
    }
    Ok(0)
}
