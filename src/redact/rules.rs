//! The compiled rule set: built-ins plus `[redact]` config, one keyword prefilter over all
//! of them, and each regex compiled the first time a line holds one of its keywords.

use std::borrow::Cow;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use aho_corasick::{AhoCorasick, AhoCorasickKind, Input, MatchKind};
use regex::Regex;
use serde::Deserialize;

use super::builtin::{BUILTINS, MARKERS};
use super::pattern::{Check, Near};

/// The `[redact]` table of `incident.toml`.
///
/// ```toml
/// [redact]
/// disable = ["bearer"]
/// [[redact.rules]]
/// name = "acme-key"
/// pattern = 'acme_key=(\w+)'
/// keywords = ["acme_key"]
/// ```
#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default, deny_unknown_fields)]
pub struct RedactConfig {
    /// Built-in rules to switch off, by name.
    pub disable: Vec<String>,
    /// Extra rules, tried after the built-ins.
    pub rules: Vec<CustomRule>,
}

/// A rule from config.
#[derive(Deserialize, Clone, Debug)]
#[serde(deny_unknown_fields)]
pub struct CustomRule {
    /// Short kebab-case name, used in placeholders (`[REDACTED:acme-key-1]`) and counts.
    pub name: String,
    /// A regex (Rust `regex` syntax); capture group 1, if it takes part, is the secret,
    /// otherwise the whole match is. Where it stands in `incident.toml` (a byte range) is
    /// kept, so that an error can name its line.
    pub pattern: toml::Spanned<String>,
    /// Literals (matched in any case) of which one must be on the line for the regex to run.
    /// Without keywords the regex runs on every line: slower, still linear.
    #[serde(default)]
    pub keywords: Vec<String>,
}

/// A `[redact]` table that cannot be used; the message names the rule.
#[derive(Debug, thiserror::Error)]
pub enum RuleError {
    #[error("redact.disable names `{name}`, which is not a built-in rule (known: {known})")]
    UnknownRule { name: String, known: String },
    #[error("redact rule name `{name}` must be lowercase letters, digits and dashes (it goes into placeholders)")]
    BadName { name: String },
    #[error("redact rule `{name}` is defined twice (disable the built-in to replace it)")]
    Duplicate { name: String },
    #[error("redact rule `{name}` has an empty keyword")]
    EmptyKeyword { name: String },
    #[error("redact rule `{name}`: invalid pattern {pattern:?}: {reason}")]
    BadPattern {
        name: String,
        pattern: String,
        /// Where the pattern's value stands in the settings text (bytes).
        span: std::ops::Range<usize>,
        /// The regex crate's own words, without its drawing of the pattern.
        reason: String,
        #[source]
        source: Box<regex::Error>,
    },
    #[error("redact rules: cannot build the keyword prefilter")]
    Prefilter(#[from] aho_corasick::BuildError),
}

/// A compiled regex and where its groups are.
pub(crate) struct Compiled {
    pub re: Regex,
    pub key: Option<usize>,
    pub sep: Option<usize>,
    /// Capture groups holding the secret, in order (the first that took part wins).
    pub secret: Vec<usize>,
    /// No secret group took part (custom rules) or there is none (PEM markers): the whole
    /// match is the secret.
    pub whole_fallback: bool,
}

pub(crate) struct Pattern {
    pub rule: u32,
    pub check: Check,
    near: Near,
    /// Starts with `^`: only tried at the start of a line.
    pub anchored: bool,
    source: Cow<'static, str>,
    custom: bool,
    compiled: OnceLock<Compiled>,
}

impl Pattern {
    /// The regex, compiled on first use: `incident note` must not pay for rules it never needs.
    pub fn compiled(&self) -> &Compiled {
        self.compiled.get_or_init(|| {
            // Built-in sources are covered by a test; custom ones were compiled in from_config.
            let re = Regex::new(&self.source).expect("built-in redact pattern compiles");
            compile_groups(re, self.custom)
        })
    }
}

fn compile_groups(re: Regex, custom: bool) -> Compiled {
    let names: Vec<Option<&str>> = re.capture_names().collect();
    let find = |n: &str| names.iter().position(|x| *x == Some(n));
    let (key, sep) = if custom { (None, None) } else { (find("key"), find("sep")) };
    let secret: Vec<usize> = if custom {
        (names.len() > 1).then_some(1).into_iter().collect()
    } else {
        (1..names.len()).filter(|i| Some(*i) != key && Some(*i) != sep).collect()
    };
    Compiled { re, key, sep, whole_fallback: custom || secret.is_empty(), secret }
}

/// Compiled rule set: built-ins plus config.
pub struct Rules {
    names: Vec<String>,
    patterns: Vec<Pattern>,
    /// Keyword automaton as a contiguous NFA: quick to build (`incident note` pays ~0.1 ms).
    prefilter: AhoCorasick,
    /// The same as a DFA: slower to build, faster to scan; built once this rule set has
    /// scanned enough text to repay it.
    fast: OnceLock<AhoCorasick>,
    scanned: AtomicUsize,
    literals: Vec<String>,
    /// By prefilter pattern id: the rule patterns its keyword triggers (none for markers).
    triggers: Vec<Vec<u32>>,
    /// Patterns without keywords: run on every line.
    always: Vec<u32>,
    secret_data: Option<u32>,
    env_value: Option<u32>,
    /// By rule: the priority of its spans (its first pattern's), for spans found without one.
    rule_prio: Vec<u32>,
}

impl Rules {
    /// The built-in rules, built once per process. Only the keyword automaton is built here;
    /// regexes compile when first needed.
    pub fn builtin() -> &'static Rules {
        static RULES: OnceLock<Rules> = OnceLock::new();
        RULES.get_or_init(|| Rules::from_config(&RedactConfig::default()).expect("built-in redact rules build"))
    }

    /// Built-ins minus `cfg.disable`, plus `cfg.rules` (compiled now, so a bad pattern is
    /// reported when the config is read, not in the middle of a write).
    pub fn from_config(cfg: &RedactConfig) -> Result<Rules, RuleError> {
        for name in &cfg.disable {
            if !BUILTINS.iter().any(|b| b.name == name) {
                let known: Vec<&str> = BUILTINS.iter().map(|b| b.name).collect();
                return Err(RuleError::UnknownRule { name: name.clone(), known: known.join(", ") });
            }
        }
        let mut names: Vec<String> = Vec::new();
        let mut patterns = Vec::new();
        let mut keywords: Vec<Vec<String>> = Vec::new();
        for b in BUILTINS.iter().filter(|b| !cfg.disable.iter().any(|d| d == b.name)) {
            let rule = names.len() as u32;
            names.push(b.name.to_owned());
            for p in b.patterns {
                patterns.push(Pattern {
                    rule,
                    check: p.check,
                    near: p.near,
                    anchored: p.regex.starts_with('^'),
                    source: Cow::Borrowed(p.regex),
                    custom: false,
                    compiled: OnceLock::new(),
                });
                keywords.push(p.keywords.iter().map(|k| k.to_string()).collect());
            }
        }
        for c in &cfg.rules {
            let valid =
                !c.name.is_empty() && c.name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
            if !valid {
                return Err(RuleError::BadName { name: c.name.clone() });
            }
            if names.contains(&c.name) {
                return Err(RuleError::Duplicate { name: c.name.clone() });
            }
            if c.keywords.iter().any(|k| k.is_empty()) {
                return Err(RuleError::EmptyKeyword { name: c.name.clone() });
            }
            let re = Regex::new(c.pattern.get_ref()).map_err(|e| RuleError::BadPattern {
                name: c.name.clone(),
                pattern: c.pattern.get_ref().clone(),
                span: c.pattern.span(),
                reason: e.to_string().lines().last().unwrap_or_default().trim_start_matches("error: ").to_string(),
                source: Box::new(e),
            })?;
            let compiled = OnceLock::new();
            let _ = compiled.set(compile_groups(re, true));
            let rule = names.len() as u32;
            names.push(c.name.clone());
            patterns.push(Pattern {
                rule,
                check: Check::Plain,
                near: Near::Anything,
                anchored: false,
                source: Cow::Owned(c.pattern.get_ref().clone()),
                custom: true,
                compiled,
            });
            keywords.push(c.keywords.iter().map(|k| k.to_ascii_lowercase()).collect());
        }

        // One automaton over every keyword; each distinct literal triggers all patterns
        // that list it.
        let mut literals: Vec<String> = Vec::new();
        let mut triggers: Vec<Vec<u32>> = Vec::new();
        let mut always = Vec::new();
        for (p, kws) in keywords.iter().enumerate() {
            if kws.is_empty() {
                always.push(p as u32);
            }
            for k in kws {
                let id = match literals.iter().position(|l| l == k) {
                    Some(id) => id,
                    None => {
                        literals.push(k.clone());
                        triggers.push(Vec::new());
                        literals.len() - 1
                    }
                };
                triggers[id].push(p as u32);
            }
        }
        for m in MARKERS {
            literals.push((*m).to_owned());
            triggers.push(Vec::new());
        }
        let prefilter = automaton(&literals, AhoCorasickKind::NoncontiguousNFA, false)?;
        let id = |name: &str| names.iter().position(|n| n == name).map(|i| i as u32);
        let rule_prio = (0..names.len() as u32)
            .map(|r| patterns.iter().position(|p| p.rule == r).map_or(u32::MAX, |p| p as u32 + 1))
            .collect();
        let (secret_data, env_value) = (id("k8s-secret-data"), id("k8s-env-value"));
        Ok(Rules {
            names,
            patterns,
            prefilter,
            fast: OnceLock::new(),
            scanned: AtomicUsize::new(0),
            literals,
            triggers,
            always,
            secret_data,
            env_value,
            rule_prio,
        })
    }

    /// The names of the rules in force, built-ins first, in priority order.
    pub fn names(&self) -> Vec<&str> {
        self.names.iter().map(String::as_str).collect()
    }

    pub(crate) fn name(&self, rule: u32) -> &str {
        &self.names[rule as usize]
    }

    pub(crate) fn rule_prio(&self, rule: u32) -> u32 {
        self.rule_prio[rule as usize]
    }

    pub(crate) fn pattern(&self, p: u32) -> &Pattern {
        &self.patterns[p as usize]
    }

    pub(crate) fn pattern_count(&self) -> usize {
        self.patterns.len()
    }

    /// The rules that read manifests line by line (Secret `data:`, secret env values), if
    /// switched on.
    pub(crate) fn manifest_rules(&self) -> (Option<u32>, Option<u32>) {
        (self.secret_data, self.env_value)
    }

    /// Sets a bit in `hits` for every pattern whose keyword occurs in `text[from..]`;
    /// returns whether any did. This is the only cost of a line without secrets.
    pub(crate) fn prefilter(&self, text: &str, from: usize, hits: &mut [u64]) -> bool {
        let mut any = false;
        for p in &self.always {
            hits[*p as usize / 64] |= 1 << (p % 64);
            any = true;
        }
        let input = Input::new(text).span(from..text.len());
        for m in self.automaton(text.len() - from).find_overlapping_iter(input) {
            for p in &self.triggers[m.pattern().as_usize()] {
                let (word, bit) = (*p as usize / 64, 1 << (p % 64));
                if hits[word] & bit == 0 && self.patterns[*p as usize].near.plausible(text, m.start(), m.end()) {
                    hits[word] |= bit;
                    any = true;
                }
            }
        }
        any
    }

    #[cfg(test)]
    pub(crate) fn switched_to_dfa(&self) -> bool {
        self.fast.get().is_some()
    }

    #[cfg(test)]
    pub(crate) fn compiled_count(&self) -> usize {
        self.patterns.iter().filter(|p| p.compiled.get().is_some() && !p.custom).count()
    }

    /// Does any keyword or marker occur in `text`?
    pub(crate) fn any_keyword(&self, text: &str) -> bool {
        !self.always.is_empty() || self.automaton(text.len()).is_match(text)
    }

    /// The NFA for short work, the DFA once more than 4 MB went through (the switch changes
    /// speed, never matches).
    fn automaton(&self, len: usize) -> &AhoCorasick {
        if let Some(fast) = self.fast.get() {
            return fast;
        }
        if self.scanned.fetch_add(len, Ordering::Relaxed) + len < 4 << 20 {
            return &self.prefilter;
        }
        self.fast.get_or_init(|| {
            // The same literals built fine as an NFA; a DFA of them cannot fail differently
            // short of running out of memory.
            automaton(&self.literals, AhoCorasickKind::DFA, true).unwrap_or_else(|_| self.prefilter.clone())
        })
    }
}

fn automaton(
    literals: &[String],
    kind: AhoCorasickKind,
    prefilter: bool,
) -> Result<AhoCorasick, aho_corasick::BuildError> {
    AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .match_kind(MatchKind::Standard)
        .kind(Some(kind))
        .prefilter(prefilter)
        .build(literals)
}

impl std::fmt::Debug for Rules {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rules").field("names", &self.names).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_pattern_compiles() {
        let rules = Rules::from_config(&RedactConfig::default()).unwrap();
        for p in 0..rules.pattern_count() {
            let pattern = rules.pattern(p as u32);
            let c = pattern.compiled();
            let name = rules.name(pattern.rule);
            let pem = matches!(pattern.check, Check::Pem);
            assert_eq!(c.secret.is_empty(), pem, "{name}: secret groups {:?}", c.secret);
        }
    }

    #[test]
    fn builtin_compiles_no_regex_up_front() {
        let rules = Rules::from_config(&RedactConfig::default()).unwrap();
        assert!(rules.patterns.iter().all(|p| p.compiled.get().is_none()));
    }

    #[test]
    fn keywords_are_lowercase() {
        // The automaton is ASCII case-insensitive, but dedup compares literally.
        for b in BUILTINS {
            for p in b.patterns {
                for k in p.keywords {
                    assert_eq!(*k, k.to_ascii_lowercase(), "{}", b.name);
                }
            }
        }
    }

    #[test]
    fn config_disables_and_adds() {
        let cfg: RedactConfig = toml::from_str(
            r#"
            disable = ["bearer", "jwt"]
            [[rules]]
            name = "acme-key"
            pattern = 'acme_key=(\w+)'
            keywords = ["ACME_KEY"]
            "#,
        )
        .unwrap();
        let rules = Rules::from_config(&cfg).unwrap();
        let names = rules.names();
        assert!(!names.contains(&"bearer") && !names.contains(&"jwt"));
        assert_eq!(names.last(), Some(&"acme-key"));
    }

    #[test]
    fn config_errors_name_the_rule() {
        let err = |toml_src: &str| {
            let cfg: RedactConfig = toml::from_str(toml_src).unwrap();
            Rules::from_config(&cfg).unwrap_err().to_string()
        };
        let e = err(r#"disable = ["berer"]"#);
        assert!(e.contains("`berer`") && e.contains("bearer"), "{e}");
        let e = err("[[rules]]\nname = \"Acme Key\"\npattern = \"x\"");
        assert!(e.contains("lowercase"), "{e}");
        let e = err("[[rules]]\nname = \"jwt\"\npattern = \"x\"");
        assert!(e.contains("twice"), "{e}");
        let e = err("[[rules]]\nname = \"acme\"\npattern = \"(\"");
        assert_eq!(e, "redact rule `acme`: invalid pattern \"(\": unclosed group");
        let e = err("[[rules]]\nname = \"acme\"\npattern = \"x\"\nkeywords = [\"\"]");
        assert!(e.contains("empty keyword"), "{e}");
        // A built-in may be replaced once it is disabled.
        let cfg: RedactConfig =
            toml::from_str("disable = [\"jwt\"]\n[[rules]]\nname = \"jwt\"\npattern = \"x\"").unwrap();
        assert!(Rules::from_config(&cfg).is_ok());
    }

    #[test]
    fn unknown_config_fields_are_rejected() {
        let r: Result<RedactConfig, _> = toml::from_str("disabled = []");
        assert!(r.is_err());
        let r: Result<RedactConfig, _> = toml::from_str("[[rules]]\nname=\"a\"\npattern=\"b\"\nregex=\"c\"");
        assert!(r.is_err());
    }
}
