//! Redaction on the way to the vault: every text field of a step, and output line by
//! line as it streams. `--no-redact` makes it a pass-through and says so in the step.

use super::attachment::{self, Marking, Stored};
use crate::model::Step;
use crate::redact::{Redactor, Rules};
use crate::vault::{Vault, VaultNumbering};

/// Turns output lines into what is stored.
pub trait LineFilter {
    fn line(&mut self, line: &str, out: &mut String);
    /// The end of a stream: anything held back (an unterminated line, an open key block).
    fn end(&mut self, out: &mut String);
    /// What a secret taken out of the text's source before it was written (an API object's
    /// env value) becomes; by default the bare marker, numbered by nothing.
    fn hide(&mut self, _rule: &str, _secret: &str) -> String {
        crate::kube::scrub::REDACTED.to_string()
    }
}

pub struct Scrub<'r> {
    rules: &'r Rules,
    redactor: Option<Redactor<'r, VaultNumbering>>,
}

impl<'r> Scrub<'r> {
    /// A scrubber for one incident; `off` writes text as it is.
    pub fn new(rules: &'r Rules, vault: &Vault, slug: &str, off: bool) -> Scrub<'r> {
        let redactor = (!off).then(|| Redactor::new(rules, VaultNumbering::new(vault, slug)));
        Scrub { rules, redactor }
    }

    /// Redacts one whole text.
    pub fn text(&mut self, text: &str) -> String {
        match &mut self.redactor {
            Some(r) => r.redact(text),
            None => text.to_string(),
        }
    }

    /// An attached file as it is to be stored: UTF-8 text redacted like any text, other
    /// bytes masked in place (see [`attachment`]), everything kept with `--no-redact`.
    pub fn file(&mut self, bytes: Vec<u8>) -> Stored {
        let bytes = match String::from_utf8(bytes) {
            Ok(text) => return Stored::Text(self.text(&text).into_bytes()),
            Err(e) => e.into_bytes(),
        };
        let Some(redactor) = self.redactor.take() else { return Stored::Kept(bytes) };
        let mut marking = Redactor::new(self.rules, Marking::new(redactor.into_placeholders()));
        let redacted = marking.redact(&attachment::as_text(&bytes));
        let marking = marking.into_placeholders();
        let stored = attachment::mask(bytes, &redacted, &marking);
        self.redactor = Some(Redactor::new(self.rules, marking.inner));
        stored
    }

    fn field(&mut self, field: &mut Option<String>) {
        if let Some(value) = field.take() {
            *field = Some(self.text(&value));
        }
    }

    /// `argv` redacted as the command line it makes, then split back: some secrets are
    /// told only by their neighbours (`mysql -pX`: the client names it; `--api-key X`), which
    /// an element alone lacks. Should the redacted line not split back into as many
    /// elements (a value to the end of the line took a quote), each is redacted alone.
    fn argv(&mut self, argv: &[String]) -> Vec<String> {
        let line = self.text(&crate::format::shell_line(argv));
        let split = shell_words::split(&line).ok().filter(|s| s.len() == argv.len());
        split.as_deref().unwrap_or(argv).iter().map(|a| self.text(a)).collect()
    }

    /// Redacts every free-text field and the body, records what was done, and saves
    /// the numbering. Text that already went through (output) is left as it was:
    /// redacting twice changes nothing.
    pub fn step(mut self, step: &mut Step) {
        let m = &mut step.meta;
        let fields = [
            &mut m.title,
            &mut m.command,
            &mut m.cwd,
            &mut m.spawn_error,
            &mut m.option,
            &mut m.why,
            &mut m.trigger,
            &mut m.owner,
            // INCIDENT_AUTHOR and INCIDENT_HOST are text a person typed, like a title.
            &mut m.author,
            &mut m.host,
        ];
        for field in fields {
            self.field(field);
        }
        if let Some(error) = m.error.as_mut() {
            // The cluster's own words: a server URL or message may carry a token.
            self.field(&mut error.server);
            self.field(&mut error.context);
            error.message = self.text(&error.message);
        }
        if let Some(argv) = m.argv.take() {
            m.argv = Some(self.argv(&argv));
        }
        for list in [&mut m.pros, &mut m.cons] {
            let items = std::mem::take(list);
            *list = items.iter().map(|s| self.text(s)).collect();
        }
        let body = std::mem::take(&mut step.body);
        step.body = self.text(&body);
        match self.redactor {
            None => step.meta.redaction = Some("off".to_string()),
            Some(r) => {
                let numbering = r.into_placeholders();
                step.meta.redactions = numbering.secrets_by_rule();
                if let Some(problem) = numbering.problem.as_ref() {
                    // Not eprintln!: a full stderr would panic after the step was made.
                    crate::ui::Ui::new(false).warn(&format!(
                        "secrets in this step were numbered apart from the rest of the incident: {problem}"
                    ));
                }
            }
        }
    }
}

impl LineFilter for Scrub<'_> {
    fn line(&mut self, line: &str, out: &mut String) {
        match &mut self.redactor {
            Some(r) => r.push_line(line, out),
            None => out.push_str(line),
        }
    }

    fn end(&mut self, out: &mut String) {
        if let Some(r) = &mut self.redactor {
            r.finish(out);
        }
    }

    /// Numbered with the step's other secrets, and known to the incident from now on; the
    /// bare marker with `--no-redact` (the value goes all the same).
    fn hide(&mut self, rule: &str, secret: &str) -> String {
        match &mut self.redactor {
            Some(r) => r.hide(rule, secret),
            None => crate::kube::scrub::REDACTED.to_string(),
        }
    }
}
