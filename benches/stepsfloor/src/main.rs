//! The pulldown-cmark floor of `../shared/bench/floors/mdfloor`, for the `steps` layout.
//!
//!   stepsfloor OUT [--jobs N] [--yaml | --yaml-events] VAULT
//!   stepsfloor --stat [--jobs N] VAULT
//!
//! mdfloor reads one file per incident. A `steps` vault holds the same Markdown in
//! `incidents/<id>/incident.md` plus one file per step, so this reads every one of them,
//! renders their bodies with pulldown-cmark into one page per incident and writes
//! OUT/<id>/index.html plus OUT/index.html, on N threads. Nothing else: no templates,
//! no metrics, no escaping beyond the title. `--yaml` (built with `--features yaml`)
//! also parses each frontmatter with serde-saphyr, keeping nothing: the least any
//! reader of the format's metadata pays. `--yaml-events` only runs the parser under
//! serde-saphyr (granit-parser) over it: the least any YAML reader pays. `--stat` only lists every incident folder and
//! looks at each file's size and time, on N threads: the least a re-publish that notices
//! a file edited in place pays (an edit in place leaves the folder's time as it was).
use pulldown_cmark::{html, Options, Parser};
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Instant;

fn split_frontmatter(s: &str) -> (&str, &str) {
    if let Some(rest) = s.strip_prefix("---\n") {
        if let Some(end) = rest.find("\n---\n") {
            return (&rest[..end], &rest[end + 5..]);
        }
    }
    ("", s)
}

fn title_of(fm: &str, fallback: &str) -> String {
    fm.lines()
        .find_map(|l| l.strip_prefix("title:"))
        .map(|t| t.trim().trim_matches('"').to_string())
        .unwrap_or_else(|| fallback.to_string())
}

fn opts() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_TASKLISTS | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_FOOTNOTES
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// Every event parsed, nothing kept: the cheapest serde-saphyr read there is.
#[cfg(feature = "yaml")]
fn parse_yaml(fm: &str) {
    let _: serde::de::IgnoredAny = serde_saphyr::from_str(fm).expect("yaml");
}

/// Every event of the parser under serde-saphyr, nothing built: what any YAML reader pays.
#[cfg(feature = "yaml")]
fn parse_yaml_events(fm: &str) {
    for ev in granit_parser::Parser::new_from_str(fm) {
        std::hint::black_box(ev.expect("yaml"));
    }
}

#[cfg(not(feature = "yaml"))]
fn parse_yaml_events(_: &str) {
    parse_yaml("")
}

#[cfg(not(feature = "yaml"))]
fn parse_yaml(_: &str) {
    eprintln!("built without the `yaml` feature");
    std::process::exit(2);
}

#[derive(Clone, Copy, Debug)]
enum Yaml {
    No,
    Serde,
    Events,
}

fn sorted_entries(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = fs::read_dir(dir).map(|rd| rd.map(|e| e.unwrap().path()).collect()).unwrap_or_default();
    v.sort();
    v
}

/// One incident: its own file, then its steps in name (= time) order.
fn write_incident(dir: &Path, out: &Path, yaml: Yaml, buf: &mut String) -> (String, String, usize) {
    let slug = dir.file_name().unwrap().to_string_lossy().to_string();
    let mut files = vec![dir.join("incident.md")];
    files.extend(sorted_entries(&dir.join("steps")).into_iter().filter(|p| p.extension().is_some_and(|e| e == "md")));
    buf.clear();
    let mut title = slug.clone();
    let mut bytes = 0;
    for (i, p) in files.iter().enumerate() {
        let src = fs::read_to_string(p).expect("read");
        bytes += src.len();
        let (fm, body) = split_frontmatter(&src);
        match yaml {
            Yaml::Serde => parse_yaml(fm),
            Yaml::Events => parse_yaml_events(fm),
            Yaml::No => {}
        }
        if i == 0 {
            title = title_of(fm, &slug);
        }
        html::push_html(buf, Parser::new_ext(body, opts()));
    }
    let page = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>{t}</title></head><body><article><h1>{t}</h1>{c}</article></body></html>\n",
        t = escape(&title),
        c = buf
    );
    let d = out.join(&slug);
    fs::create_dir_all(&d).expect("mkdir");
    fs::write(d.join("index.html"), page.as_bytes()).expect("write");
    (slug, title, bytes)
}

/// Size and time of every file under `dir` (a folder per level, as the vault nests them).
fn stat_tree(dir: &Path) -> (usize, u64) {
    let (mut files, mut sum) = (0, 0u64);
    for e in fs::read_dir(dir).expect("read_dir").map(|e| e.expect("entry")) {
        let meta = e.metadata().expect("stat");
        if meta.is_dir() {
            let (f, s) = stat_tree(&e.path());
            files += f;
            sum = sum.wrapping_add(s);
        } else {
            files += 1;
            let time = meta.modified().expect("mtime").duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
            sum = sum.wrapping_add(meta.len() ^ time.as_nanos() as u64);
        }
    }
    (files, sum)
}

fn stat_floor(vault: &Path, jobs: usize) {
    let t0 = Instant::now();
    let dirs: Vec<PathBuf> = sorted_entries(&vault.join("incidents"));
    let (files, sum) = std::thread::scope(|s| {
        let handles: Vec<_> = (0..jobs)
            .map(|j| {
                let dirs = &dirs;
                s.spawn(move || {
                    dirs.iter().skip(j).step_by(jobs).map(|d| stat_tree(d)).fold((0, 0u64), |a, b| (a.0 + b.0, a.1 ^ b.1))
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).fold((0, 0u64), |a, b| (a.0 + b.0, a.1 ^ b.1))
    });
    let el = t0.elapsed().as_secs_f64();
    println!("jobs={jobs} stat incidents={} files={files} sum={sum:x} total_s={el:.4}", dirs.len());
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (mut out, mut vault, mut jobs, mut yaml, mut stat) = (None, None, 1usize, Yaml::No, false);
    let mut i = 0;
    while i < args.len() {
        match args[i].as_str() {
            "--jobs" => {
                jobs = args[i + 1].parse().expect("--jobs N");
                i += 1;
            }
            "--yaml" => yaml = Yaml::Serde,
            "--yaml-events" => yaml = Yaml::Events,
            "--stat" => stat = true,
            a if out.is_none() => out = Some(PathBuf::from(a)),
            a => vault = Some(PathBuf::from(a)),
        }
        i += 1;
    }
    if stat {
        // The one path given is the vault.
        match (vault, out) {
            (None, Some(v)) => return stat_floor(&v, jobs),
            _ => {
                eprintln!("usage: stepsfloor --stat [--jobs N] VAULT");
                std::process::exit(2);
            }
        }
    }
    let (Some(out), Some(vault)) = (out, vault) else {
        eprintln!("usage: stepsfloor OUT [--jobs N] [--yaml | --yaml-events] VAULT\n       stepsfloor --stat [--jobs N] VAULT");
        std::process::exit(2);
    };
    let t0 = Instant::now();
    let dirs: Vec<PathBuf> = sorted_entries(&vault.join("incidents")).into_iter().filter(|p| p.is_dir()).collect();
    fs::create_dir_all(&out).expect("mkdir out");
    let mut results = Vec::with_capacity(dirs.len());
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..jobs)
            .map(|j| {
                let (dirs, out) = (&dirs, &out);
                s.spawn(move || {
                    let mut buf = String::with_capacity(1 << 20);
                    let mut res = Vec::new();
                    for (k, d) in dirs.iter().enumerate().skip(j).step_by(jobs) {
                        res.push((k, write_incident(d, out, yaml, &mut buf)));
                    }
                    res
                })
            })
            .collect();
        for h in handles {
            results.extend(h.join().unwrap());
        }
    });
    results.sort_by_key(|r| r.0);
    let mut index = String::from("<!doctype html><html><body><h1>Incidents</h1><ul>");
    for (_, (slug, title, _)) in &results {
        index.push_str(&format!("<li><a href=\"{slug}/\">{}</a></li>", escape(title)));
    }
    index.push_str("</ul></body></html>\n");
    fs::write(out.join("index.html"), index).expect("write index");
    let md_bytes: usize = results.iter().map(|r| r.1 .2).sum();
    let el = t0.elapsed().as_secs_f64();
    println!("jobs={jobs} yaml={yaml:?} incidents={} md_bytes={md_bytes} total_s={el:.4}", results.len());
}
