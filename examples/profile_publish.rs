//! Where publish time goes, phase by phase, single-threaded: `cargo run --release --example profile_publish VAULT`.
use std::time::{Duration, Instant};

use incident::model::StepMeta;
use incident::site::{IncidentSource, PostmortemParts, SiteOptions, Theme, markdown, render_incident};
use incident::vault::{IncidentRef, Vault};

fn main() {
    let root = std::path::PathBuf::from(std::env::args().nth(1).expect("VAULT"));
    let vault = Vault::open(&root).unwrap();
    let names = vault.incident_names().unwrap();
    let limit: usize = std::env::args().nth(2).and_then(|s| s.parse().ok()).unwrap_or(200);
    let theme = Theme::builtin().unwrap();
    let opts = SiteOptions::default();
    let (mut read, mut yaml, mut load, mut md, mut render, mut stamps) =
        (Duration::ZERO, Duration::ZERO, Duration::ZERO, Duration::ZERO, Duration::ZERO, Duration::ZERO);
    let mut bytes = 0usize;
    for slug in names.iter().take(limit) {
        let r = IncidentRef { slug: slug.clone(), dir: vault.incidents_dir().join(slug) };
        let t = Instant::now();
        let _ = vault.stamps(&r).unwrap();
        stamps += t.elapsed();
        let t = Instant::now();
        let mut texts = Vec::new();
        for e in std::fs::read_dir(r.dir.join("steps")).unwrap() {
            texts.push(std::fs::read_to_string(e.unwrap().path()).unwrap());
        }
        read += t.elapsed();
        let t = Instant::now();
        for text in &texts {
            bytes += text.len();
            let _: (StepMeta, &str) = incident::frontmatter::parse(text).unwrap();
        }
        yaml += t.elapsed();
        let t = Instant::now();
        let loaded = vault.load(&r).unwrap();
        load += t.elapsed();
        let t = Instant::now();
        for s in &loaded.incident.steps {
            let _ = markdown::render(&s.body, &markdown::MdOptions::notes());
        }
        md += t.elapsed();
        let t = Instant::now();
        let parts = PostmortemParts::default();
        let src = IncidentSource {
            incident: &loaded.incident,
            renamed_steps: &loaded.renamed_steps,
            postmortem: None,
            files: &[],
            svg_images: &Default::default(),
            parts: &parts,
            stale: None,
            find_links: false,
            on_site: &|_| None,
        };
        let _ = render_incident(&theme, &opts, &src).unwrap();
        render += t.elapsed();
    }
    println!("{} incidents, {:.1} MB of steps", limit.min(names.len()), bytes as f64 / 1e6);
    println!(
        "stamps {stamps:?}\nread {read:?}\nyaml {yaml:?}\nload (read+yaml) {load:?}\nmarkdown {md:?}\nrender_incident (md+tera+…) {render:?}"
    );
}
