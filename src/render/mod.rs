//! Rendering: named templates (built in, overridable from the vault), the postmortem's
//! data, and SVG pictures. Pure apart from reading template overrides.

mod md_escape;
pub mod postmortem;
pub mod svg;
pub mod templates;

/// Every built-in template, for `incident templates export`: the postmortem's and the site's.
pub fn builtin_templates() -> Vec<(&'static str, &'static str)> {
    let mut all = postmortem::TEMPLATES.to_vec();
    all.extend_from_slice(crate::site::theme::TEMPLATES);
    all.extend_from_slice(crate::site::theme::FILES);
    all
}
