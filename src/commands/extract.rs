//! `incident extract`: facts from command output, as a pipe filter.

use std::io::Read;

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
    let source = || args.file.clone().unwrap_or_else(|| "stdin".into());
    let mut input = super::open_input(cfg, args.file.as_deref())?;
    // Kubernetes JSON (`kubectl get … -o json`) is read whole; text streams line by line.
    let mut head = Vec::with_capacity(64 * 1024);
    (&mut input).take(64 * 1024).read_to_end(&mut head).map_err(|e| Error::io("read", source(), e))?;
    let looks_like_json = matches!(head.iter().find(|b| !b.is_ascii_whitespace() && **b != 0xef), Some(b'{' | b'['));
    let facts = if hint == Hint::Auto && looks_like_json {
        let mut whole = head;
        input.read_to_end(&mut whole).map_err(|e| Error::io("read", source(), e))?;
        let text = String::from_utf8_lossy(&whole);
        match crate::kube::summarise_json_at(&text, cfg.clock.now().timestamp()) {
            Ok(facts) => facts,
            Err(_) => extract_lines(hint, text.as_bytes()).map_err(|e| Error::io("read", source(), e))?,
        }
    } else {
        extract_lines(hint, std::io::Cursor::new(head).chain(input)).map_err(|e| Error::io("read", source(), e))?
    };
    if args.json {
        ui.out(&serde_json::to_string_pretty(&facts).expect("facts serialize"));
    } else if facts.is_empty() {
        ui.status("nothing recognised: no pods, nodes, addresses, routes or known errors");
    } else {
        ui.out(&facts.summary());
    }
    Ok(0)
}

fn extract_lines(hint: Hint, input: impl Read) -> std::io::Result<crate::extract::Facts> {
    let mut extractor = Extractor::new(hint);
    for_each_line(input, |line| extractor.feed_line(line.trim_end_matches('\n')))?;
    Ok(extractor.finish())
}
