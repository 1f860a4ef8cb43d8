//! Many writers at once, and writers killed mid-write: nothing lost, nothing partial.

use std::process::Stdio;

use crate::support::*;

#[test]
fn eight_processes_appending_notes_lose_nothing() {
    let (env, id) = TestEnv::with_incident();
    const PROCS: usize = 8;
    const NOTES: usize = 200;
    // Each worker is a shell loop so 8 processes really run at once.
    let script =
        format!(r#"i=0; while [ $i -lt {NOTES} ]; do "$BIN" -q note "worker $W note $i" || exit 1; i=$((i+1)); done"#);
    let workers: Vec<_> =
        (0..PROCS).map(|w| env.shell(&script).env("W", w.to_string()).stdout(Stdio::null()).spawn().unwrap()).collect();
    for mut w in workers {
        assert!(w.wait().unwrap().success());
    }
    let files = env.step_files(&id);
    assert_eq!(files.len(), PROCS * NOTES);
    let mut bodies: Vec<String> = files
        .iter()
        .map(|f| {
            let text = std::fs::read_to_string(f).unwrap();
            let fm = frontmatter(&text);
            assert_eq!(fm["id"].as_str().unwrap(), f.file_stem().unwrap().to_str().unwrap());
            body(&text).trim().to_string()
        })
        .collect();
    bodies.sort();
    bodies.dedup();
    assert_eq!(bodies.len(), PROCS * NOTES, "every note present exactly once");
    let show = env.json(&["show", "--json"]);
    assert_eq!(show["steps"].as_array().unwrap().len(), PROCS * NOTES);
}

#[test]
fn kill_9_during_writes_never_leaves_a_partial_step() {
    let (env, id) = TestEnv::with_incident();
    let long = "x".repeat(100_000);
    let mut killed = 0;
    for round in 0..60u64 {
        let mut child = env.command(&["-q", "note", &long]).stdin(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
        // Kill at a different moment each round: 0 to ~3 ms after start.
        std::thread::sleep(std::time::Duration::from_micros(round * 50));
        if child.kill().is_ok() {
            killed += 1;
        }
        let _ = child.wait();
    }
    assert!(killed > 0);
    for f in env.step_files(&id) {
        let name = f.file_name().unwrap().to_str().unwrap().to_string();
        if name.starts_with('.') {
            continue; // an interrupted temp file: readers skip it
        }
        let text = std::fs::read_to_string(&f).unwrap();
        assert_eq!(body(&text).trim().len(), long.len(), "{name} is whole");
    }
    // Readers are not bothered by leftover temp files.
    let r = env.run(&["show", "--json"]);
    assert_eq!(r.code, 0);
    assert_eq!(r.stderr, "");
}
