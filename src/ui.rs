//! One place for output: data on stdout, status on stderr, colour only on a terminal
//! (anstream honours NO_COLOR, CLICOLOR and CLICOLOR_FORCE).

use std::io::{IsTerminal, Write};

use anstyle::{AnsiColor, Style};

pub const BOLD: Style = Style::new().bold();
pub const DIM: Style = Style::new().dimmed();
pub const RED: Style = AnsiColor::Red.on_default().bold();
pub const GREEN: Style = AnsiColor::Green.on_default();
pub const YELLOW: Style = AnsiColor::Yellow.on_default();
pub const CYAN: Style = AnsiColor::Cyan.on_default();

#[derive(Clone, Debug)]
pub struct Ui {
    pub quiet: bool,
}

impl Ui {
    pub fn new(quiet: bool) -> Ui {
        Ui { quiet }
    }

    /// Data for the next program in the pipe.
    pub fn out(&self, text: &str) {
        let newline: &[u8] = if text.ends_with('\n') { b"" } else { b"\n" };
        // Data without styles (JSON, Markdown) skips anstream's byte-by-byte scan.
        if !text.contains('\x1b') {
            let mut out = std::io::stdout().lock();
            let _ = out.write_all(text.as_bytes()).and_then(|_| out.write_all(newline)).and_then(|_| out.flush());
            return;
        }
        let mut out = anstream::stdout().lock();
        let _ = out.write_all(text.as_bytes()).and_then(|_| out.write_all(newline)).and_then(|_| out.flush());
    }

    /// A status line for the person (stderr), unless --quiet.
    pub fn status(&self, text: &str) {
        if !self.quiet {
            let _ = writeln!(anstream::stderr(), "{text}");
        }
    }

    pub fn warn(&self, text: &str) {
        let _ = writeln!(anstream::stderr(), "{YELLOW}warning:{YELLOW:#} {text}");
    }

    pub fn error(&self, text: &str, hint: Option<&str>) {
        let mut err = anstream::stderr().lock();
        let _ = writeln!(err, "{RED}error:{RED:#} {text}");
        if let Some(hint) = hint {
            let _ = writeln!(err, "  {CYAN}hint:{CYAN:#} {hint}");
        }
    }

    pub fn stdout_is_terminal(&self) -> bool {
        std::io::stdout().is_terminal()
    }
}

/// `text` in `style` (stripped later by anstream when not a terminal).
pub fn paint(style: Style, text: impl std::fmt::Display) -> String {
    format!("{style}{text}{style:#}")
}
