//! Text and path helpers around the rendered file: blank-line tidying, relative links.

/// Collapses runs of blank lines outside fenced code blocks to one and ends the text with
/// one newline, so templates can keep their sections apart without counting newlines.
pub fn tidy_markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut fence: Option<String> = None;
    let mut blank_run = 0;
    for line in text.lines() {
        let trimmed = line.trim_start();
        if let Some(f) = &fence {
            if trimmed.starts_with(f.as_str()) {
                fence = None;
            }
        } else if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            let ch = trimmed.chars().next().unwrap_or('`');
            fence = Some(trimmed.chars().take_while(|c| *c == ch).collect());
        } else if line.trim().is_empty() {
            blank_run += 1;
            if blank_run > 1 || out.is_empty() {
                continue;
            }
            out.push('\n');
            continue;
        }
        blank_run = 0;
        out.push_str(line);
        out.push('\n');
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

/// The relative path from folder `from` to folder `to`, ending in `/` (empty when they are
/// the same): both absolute, `..` resolved by the caller.
pub fn relative_prefix(from: &std::path::Path, to: &std::path::Path) -> String {
    use std::path::Component;
    let a: Vec<Component> = from.components().collect();
    let b: Vec<Component> = to.components().collect();
    let common = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let mut parts: Vec<String> = vec!["..".to_string(); a.len() - common];
    parts.extend(b[common..].iter().map(|c| c.as_os_str().to_string_lossy().into_owned()));
    parts.iter().map(|p| format!("{p}/")).collect()
}

#[cfg(test)]
mod tests {
    use super::{relative_prefix, tidy_markdown};
    use std::path::Path;

    #[test]
    fn prefixes() {
        assert_eq!(relative_prefix(Path::new("/v/incidents/a"), Path::new("/v/incidents/a")), "");
        assert_eq!(relative_prefix(Path::new("/v/reports"), Path::new("/v/incidents/a")), "../incidents/a/");
        assert_eq!(relative_prefix(Path::new("/tmp"), Path::new("/v/incidents/a")), "../v/incidents/a/");
    }

    #[test]
    fn tidy_collapses_blank_runs_outside_fences() {
        assert_eq!(tidy_markdown("\n\n# A\n\n\n\nb\n```\n\n\n\n```\n\n\n"), "# A\n\nb\n```\n\n\n\n```\n");
    }
}
