//! Fixes from the twenty-third review of the recorder: `capture` refuses before it reads,
//! says when text it read could not be recorded, and `start` leaves no duplicate to retry.

use std::io::Write;
use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::faults::{in_tmpfs, section};
use crate::support::*;

/// `incident capture` with two lines piped in and the pipe left open: a capture that
/// read its input before failing would wait for the end of it.
fn capture_with_open_stdin(env: &TestEnv, args: &[&str]) -> Run {
    let mut child =
        env.command(args).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let mut pipe = child.stdin.take().unwrap();
    let _ = pipe.write_all(b"line1\nline2\n");
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > Duration::from_secs(20) {
            let _ = child.kill();
            panic!("incident {args:?} read its input before failing");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    drop(pipe);
    let out = child.wait_with_output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[test]
fn capture_fails_before_reading_when_it_could_not_record() {
    let refused = |env: &TestEnv, args: &[&str], stderr: &str| {
        let r = capture_with_open_stdin(env, args);
        assert_eq!((r.code, r.stdout.as_str(), r.stderr.as_str()), (1, "", stderr), "{args:?}");
    };
    let bare = TestEnv::bare();
    refused(
        &bare,
        &["capture", "-c", "kubectl logs"],
        &format!(
            "error: no incident vault in {} or any folder above it\n  hint: create one with `incident init`, or point at one with --vault DIR or INCIDENT_VAULT\n",
            bare.root().display()
        ),
    );
    let env = TestEnv::new();
    refused(
        &env,
        &["capture", "-c", "kubectl logs"],
        "error: no current incident\n  hint: start one with `incident start \"TITLE\"`, or pick one with `incident switch ID` (see `incident list`)\n",
    );
    let id = env.ok(&["start", "K3s pods crash-looping"]).trim().to_string();
    refused(
        &env,
        &["-I", "nope", "capture", "-c", "x"],
        "error: no incident matches \"nope\"\n  hint: `incident list` shows them all\n",
    );
    let toml = env.root().join("incident.toml");
    let lines = std::fs::read_to_string(&toml).unwrap().lines().count();
    let mut file = std::fs::OpenOptions::new().append(true).open(&toml).unwrap();
    file.write_all(b"[[redact.rules]]\nname=\"b\"\npattern=\"(\"\n").unwrap();
    refused(
        &env,
        &["capture", "-c", "x"],
        &format!(
            "error: {}:{}:9: [redact]: redact rule `b`: invalid pattern \"(\": unclosed group\n  hint: fix the rule's `pattern` (regular expression syntax of the regex crate)\n",
            toml.display(),
            lines + 3
        ),
    );
    assert!(env.step_files(&id).is_empty());
}

#[test]
fn capture_that_cannot_write_its_step_says_the_text_was_not_recorded_and_where_it_is() {
    let text = in_tmpfs(
        "256k",
        r#"
"$BIN" -q init .
"$BIN" -q start "disk full" > /dev/null
printf 'pods crash\n' > logs.txt
dd if=/dev/zero of=filler bs=4k 2>/dev/null || true
set +e
echo "<piped>"; printf 'pods crash\n' | "$BIN" -q capture -c "kubectl logs" 2>&1; echo "exit $?"; echo "</piped>"
echo "<quiet>"; printf 'pods crash\n' | "$BIN" -q capture -c "kubectl logs" --no-echo 2>&1; echo "exit $?"; echo "</quiet>"
echo "<file>"; "$BIN" -q capture -c "kubectl logs" --no-echo logs.txt 2>&1; echo "exit $?"; echo "</file>"
echo "<steps>"; ls incidents/2025-10-05-disk-full/steps | wc -l; echo "</steps>"
"#,
    );
    let full = ": No space left on device (os error 28)\n  hint: the disk holding the vault is full: free some space; ";
    let cases = [
        (
            "piped",
            "pods crash\n",
            "the text was shown above, not recorded: then pipe it in again, or paste it into `incident capture`",
        ),
        ("quiet", "", "the text was neither shown (--no-echo) nor recorded: then run the command again, piped in"),
        ("file", "", "then run the same `incident capture` again: logs.txt still holds the text"),
    ];
    for (name, shown, then) in cases {
        let out = section(&text, name);
        assert!(out.starts_with(&format!("{shown}error: the input could not be recorded: cannot ")), "{out}");
        assert!(out.ends_with(&format!("{full}{then}\nexit 1\n")), "{out}");
    }
    assert_eq!(section(&text, "steps").trim(), "0");
}
