//! Rendering shared by the postmortem and the site: templates (built-in, vault overrides win).

pub mod templates;
