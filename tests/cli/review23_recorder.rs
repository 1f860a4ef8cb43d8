//! Fixes from the twenty-third review of the recorder: `capture` refuses before it reads,
//! says when text it read could not be recorded, and `start` leaves no duplicate to retry.

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::faults::{in_tmpfs, is_root, section};
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

#[test]
fn start_that_cannot_make_the_incident_current_creates_nothing_and_the_retry_keeps_its_name() {
    use std::os::unix::fs::PermissionsExt;
    if !is_root() {
        eprintln!("skipped: needs root to switch to the nobody user (CI runs as root)");
        return;
    }
    let env = TestEnv::new();
    let state = env.root().join(".incident");
    // Root ignores permissions, so the vault is nobody's and `start` runs as nobody.
    let chown = Command::new("chown").args(["-R", "65534:65534"]).arg(env.root()).status().unwrap();
    assert!(chown.success());
    std::fs::set_permissions(&state, std::fs::Permissions::from_mode(0o000)).unwrap();
    let start =
        || env.shell(r#"setpriv --reuid=65534 --regid=65534 --clear-groups "$BIN" start new"#).output().unwrap();
    let out = start();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        format!(
            "error: cannot create a file in {0}: Permission denied (os error 13)\n  hint: check the permissions of {0} \
             (ls -ld shows them); nothing was created: once fixed, run the same `incident start` again\n",
            state.display()
        )
    );
    let incidents = std::fs::read_dir(env.root().join("incidents")).map_or(0, |d| d.count());
    assert_eq!(incidents, 0, "no incident folder, not even a temp one");
    std::fs::set_permissions(&state, std::fs::Permissions::from_mode(0o755)).unwrap();
    let out = start();
    assert_eq!((out.status.code(), String::from_utf8_lossy(&out.stdout).as_ref()), (Some(0), "2025-10-05-new\n"));
    assert_eq!(std::fs::read_to_string(state.join("current")).unwrap(), "2025-10-05-new\n");
}

#[test]
fn start_that_made_the_incident_but_not_the_pointer_says_so_and_how_to_switch() {
    let env = TestEnv::new();
    // A folder where the pointer goes: its temp file is made, the rename over it fails.
    let current = env.root().join(".incident/current");
    std::fs::create_dir_all(current.join("x")).unwrap();
    let r = env.run(&["start", "new"]);
    assert_eq!((r.code, r.stdout.as_str()), (1, "2025-10-05-new\n"));
    assert_eq!(
        r.stderr,
        format!(
            "error: started 2025-10-05-new, but could not make it the current incident: cannot write {0}: Is a directory \
             (os error 21)\n  hint: {0} is a folder, not a file: give a file's path, or move the folder away if it stands where a file should be; then `incident switch \
             2025-10-05-new` (not `start` again: that would start a second one)\n",
            current.display()
        )
    );
}
