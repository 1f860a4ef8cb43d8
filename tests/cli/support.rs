//! `TestEnv`: a temp vault, a clean environment, the real binary.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use std::io::Write;

pub const NOW: &str = "2025-10-05T08:23:00-05:00";

pub struct TestEnv {
    pub dir: tempfile::TempDir,
    pub now: String,
    pub extra_env: Vec<(String, String)>,
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl TestEnv {
    /// An empty folder (no vault yet).
    pub fn bare() -> TestEnv {
        TestEnv { dir: tempfile::tempdir().unwrap(), now: NOW.to_string(), extra_env: Vec::new() }
    }

    /// A vault with `incident init`.
    pub fn new() -> TestEnv {
        let env = TestEnv::bare();
        env.ok(&["init"]);
        env
    }

    /// A vault with one started incident; returns the env and the incident id.
    pub fn with_incident() -> (TestEnv, String) {
        let env = TestEnv::new();
        let id = env.ok(&["start", "K3s pods crash-looping", "--severity", "sev2", "--service", "k3s"]);
        (env, id.trim().to_string())
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn at(&mut self, now: &str) -> &mut Self {
        self.now = now.to_string();
        self
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_incident"));
        cmd.args(args);
        self.clean_env(cmd)
    }

    /// `sh -c script` in the vault with the same clean environment; `$BIN` is incident.
    pub fn shell(&self, script: &str) -> Command {
        let mut cmd = Command::new("sh");
        cmd.args(["-c", script]);
        let mut cmd = self.clean_env(cmd);
        cmd.env("BIN", env!("CARGO_BIN_EXE_incident"));
        cmd
    }

    /// Only what the test sets: the pinned clock, a fixed author and host, UTC.
    fn clean_env(&self, mut cmd: Command) -> Command {
        cmd.current_dir(self.root())
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("INCIDENT_NOW", &self.now)
            .env("INCIDENT_AUTHOR", "ryan")
            .env("INCIDENT_HOST", "leveling-pc")
            .env("TZ", "UTC");
        for (k, v) in &self.extra_env {
            cmd.env(k, v);
        }
        cmd
    }

    pub fn run_with_stdin(&self, args: &[&str], stdin: &[u8]) -> Run {
        let mut child =
            self.command(args).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
        let mut pipe = child.stdin.take().unwrap();
        let input = stdin.to_vec();
        let writer = std::thread::spawn(move || {
            let _ = pipe.write_all(&input);
        });
        let out = child.wait_with_output().unwrap();
        writer.join().unwrap();
        to_run(out)
    }

    pub fn run(&self, args: &[&str]) -> Run {
        to_run(self.command(args).stdin(Stdio::null()).output().unwrap())
    }

    /// Runs and expects exit 0; returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let r = self.run(args);
        assert_eq!(r.code, 0, "incident {args:?} failed:\nstdout: {}\nstderr: {}", r.stdout, r.stderr);
        r.stdout
    }

    /// Runs and expects failure with `code`; returns stderr.
    pub fn fails(&self, code: i32, args: &[&str]) -> String {
        let r = self.run(args);
        assert_eq!(r.code, code, "incident {args:?}:\nstdout: {}\nstderr: {}", r.stdout, r.stderr);
        r.stderr
    }

    pub fn incident_dir(&self, id: &str) -> PathBuf {
        self.root().join("incidents").join(id)
    }

    /// Step files of an incident, sorted by name.
    pub fn step_files(&self, id: &str) -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(self.incident_dir(id).join("steps"))
            .map(|rd| rd.map(|e| e.unwrap().path()).collect())
            .unwrap_or_default();
        files.sort();
        files
    }

    /// The one step file whose name holds `-kind-`, read.
    pub fn only_step(&self, id: &str, kind: &str) -> String {
        let files: Vec<PathBuf> = self
            .step_files(id)
            .into_iter()
            .filter(|p| p.file_name().unwrap().to_str().unwrap().contains(&format!("-{kind}-")))
            .collect();
        assert_eq!(files.len(), 1, "expected one {kind} step, found {files:?}");
        std::fs::read_to_string(&files[0]).unwrap()
    }

    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        serde_json::from_str(&self.ok(args)).unwrap()
    }
}

fn to_run(out: Output) -> Run {
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// The YAML frontmatter of a step file as JSON (via the same parser people would use).
pub fn frontmatter(text: &str) -> serde_json::Value {
    let rest = text.strip_prefix("---\n").expect("frontmatter starts the file");
    let end = rest.find("\n---\n").expect("frontmatter is closed");
    serde_saphyr::from_str(&rest[..end + 1]).expect("frontmatter parses")
}

/// The Markdown after the frontmatter.
pub fn body(text: &str) -> &str {
    let rest = text.strip_prefix("---\n").unwrap();
    let end = rest.find("\n---\n").unwrap();
    rest[end + 5..].trim_start_matches('\n')
}
