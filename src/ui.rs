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

    /// Data for the next program in the pipe. A write that fails is remembered (see
    /// [`take_stdout_error`]) and ends the writing; a closed pipe (`| head`) only ends it.
    pub fn out(&self, text: &str) {
        let mut failed = STDOUT_FAILED.lock().unwrap_or_else(|e| e.into_inner());
        if failed.is_some() {
            return;
        }
        let newline: &[u8] = if text.ends_with('\n') { b"" } else { b"\n" };
        // Data without styles (JSON, Markdown) skips anstream's byte-by-byte scan.
        let written = if !text.contains('\x1b') {
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes()).and_then(|_| out.write_all(newline)).and_then(|_| out.flush())
        } else {
            let mut out = anstream::stdout().lock();
            out.write_all(text.as_bytes()).and_then(|_| out.write_all(newline)).and_then(|_| out.flush())
        };
        if let Err(e) = written {
            *failed = Some(e);
        }
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

/// The first failed write of [`Ui::out`], unless it was a closed pipe (quiet, as
/// `cat | head` is). Stdout is one per process, so is this.
static STDOUT_FAILED: std::sync::Mutex<Option<std::io::Error>> = std::sync::Mutex::new(None);

/// Why stdout could not be written, once: `run()` turns it into exit 1.
pub fn take_stdout_error() -> Option<std::io::Error> {
    let mut failed = STDOUT_FAILED.lock().unwrap_or_else(|e| e.into_inner());
    failed.take().filter(|e| e.kind() != std::io::ErrorKind::BrokenPipe)
}

/// `text` in `style` (stripped later by anstream when not a terminal).
pub fn paint(style: Style, text: impl std::fmt::Display) -> String {
    format!("{style}{text}{style:#}")
}
