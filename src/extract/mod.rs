//! Pure extraction of facts from command output: kubectl tables, `ip`/`ifconfig`/routes,
//! nslookup/dig, CoreDNS, k3s/flannel/kubelet logs. No IO; text in, [`Facts`] out.
//!
//! [`extract`] takes a whole text; [`Extractor`] takes it a line at a time with memory that
//! does not grow with the input (lists are capped, see [`facts`]). Both give the same facts.
//!
//! ```
//! use incident::extract::{extract, Hint};
//! let f = extract("NAME   READY   STATUS    RESTARTS   AGE\nweb-1  0/1     Error     7          2d\n", Hint::Auto);
//! assert_eq!(f.restarts_total, Some(7));
//! assert_eq!(f.summary(), "1 pod, 1 not ready, 7 restarts; web-1 Error");
//! ```

mod coredns;
mod cut;
mod detect;
pub mod facts;
mod ips;
mod logs;
mod net;
mod nodes;
mod pods;
mod route;
mod stream;
mod summary;
pub mod sums;
mod table;

#[cfg(test)]
mod tests;

pub use detect::{Hint, ParseHintError};
pub use facts::{CorednsLoop, DefaultRoute, ErrorKind, ErrorLine, Facts, Interface, Node, Pod, Route};
pub use stream::Extractor;
pub use sums::{RestartSum, sum_leaves_pods_out, sums_restart_counts};

/// Extracts facts from a whole text (lines split on `\n`, a trailing `\r` dropped).
pub fn extract(text: &str, hint: Hint) -> Facts {
    let mut x = Extractor::new(hint);
    for line in text.split('\n') {
        x.feed_line(line);
    }
    x.finish()
}

/// As [`extract`], for the output of `command`: a lone number it prints is a restart
/// total when it sums `restartCount` ([`Extractor::for_command`]).
pub fn extract_output(text: &str, hint: Hint, command: Option<&str>) -> Facts {
    let mut x = match command {
        Some(command) => Extractor::for_command(hint, command),
        None => Extractor::new(hint),
    };
    for line in text.split('\n') {
        x.feed_line(line);
    }
    x.finish()
}
