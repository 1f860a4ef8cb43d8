//! Rendering: named templates (built in, overridable from the vault), the postmortem's
//! data, and SVG pictures. Pure apart from reading template overrides.

pub mod postmortem;
pub mod svg;
pub mod templates;

/// Every built-in template, for `incident templates export`. The site adds its own set here.
pub fn builtin_templates() -> Vec<(&'static str, &'static str)> {
    postmortem::TEMPLATES.to_vec()
}
