//! Faults: full disks, read-only vaults, missing permissions, a vault deleted
//! mid-command, commands that misbehave. Clear errors, no panics, nothing lost.

use std::process::Command;
use std::time::{Duration, Instant};

use crate::support::*;

const BIN: &str = env!("CARGO_BIN_EXE_incident");

/// Runs `script` as root in a private mount namespace with `$MNT` a fresh tmpfs of `size`.
pub(crate) fn in_tmpfs(size: &str, script: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let full = format!(
        "set -e\nmount -t tmpfs -o size={size} tmpfs \"$MNT\"\ncd \"$MNT\"\nexport INCIDENT_NOW={NOW} INCIDENT_AUTHOR=ryan INCIDENT_HOST=host\n{script}"
    );
    let out = Command::new("unshare")
        .args(["-rm", "sh", "-c", &full])
        .env("MNT", dir.path())
        .env("BIN", BIN)
        .output()
        .expect("unshare runs");
    let text = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "script failed: {text}");
    text
}

pub(crate) fn section<'a>(text: &'a str, name: &str) -> &'a str {
    let start = text.find(&format!("<{name}>\n")).unwrap_or_else(|| panic!("no <{name}> in {text}")) + name.len() + 3;
    let end = text[start..].find(&format!("</{name}>")).unwrap() + start;
    &text[start..end]
}

#[test]
fn a_full_disk_fails_clearly_and_changes_nothing() {
    let text = in_tmpfs(
        "256k",
        r#"
"$BIN" -q init .
"$BIN" -q start "disk full" > /dev/null
"$BIN" -q note "before the disk filled"
dd if=/dev/zero of=filler bs=4k 2>/dev/null || true
echo "<before>"; find incidents | sort; echo "</before>"
set +e
echo "<note>"; "$BIN" note "after the disk filled" 2>&1; echo "exit $?"; echo "</note>"
echo "<run>"; "$BIN" -q run -- sh -c 'echo output' 2>&1; echo "exit $?"; echo "</run>"
echo "<big>"; "$BIN" -q run -- seq 1 50000 2>&1 >/dev/null; echo "exit $?"; echo "</big>"
echo "<after>"; find incidents | sort; echo "</after>"
rm filler
echo "<again>"; "$BIN" -q note "space again" 2>&1; echo "exit $?"; "$BIN" show --json | grep -c '"kind": "note"'; echo "</again>"
"#,
    );
    let note = section(&text, "note");
    let steps_dir = "incidents/2025-10-05-disk-full/steps";
    assert!(note.starts_with("error: cannot write "), "{note}");
    assert!(note.contains(steps_dir), "names the path: {note}");
    assert!(note.contains(": No space left on device (os error 28)\n  hint: the disk holding the vault is full; free some space and run the command again (nothing was written)\nexit 1"), "{note}");
    assert!(
        section(&text, "run")
            .starts_with("output\nerror: the command ran (exit 0) but its step could not be written: cannot write "),
        "the command still ran: {text}"
    );
    assert!(
        section(&text, "run").ends_with(
            ": No space left on device (os error 28)\n  hint: the disk holding the vault is full: free some space; \
             then record what you saw with `incident note` or `incident capture`: its output was shown, not recorded \
             (running the command again would repeat what it did)\nexit 1\n"
        ),
        "{text}"
    );
    assert!(section(&text, "big").contains("No space left on device"), "{text}");
    assert_eq!(section(&text, "before"), section(&text, "after"), "the vault is unchanged, no temp files left");
    assert_eq!(section(&text, "again"), "exit 0\n2\n", "works again once there is space");
}

#[test]
fn a_read_only_vault_is_explained() {
    let text = in_tmpfs(
        "1m",
        r#"
"$BIN" -q init .
"$BIN" -q start "ro" > /dev/null
mount -o remount,ro "$MNT"
set +e
echo "<note>"; "$BIN" note "x" 2>&1; echo "exit $?"; echo "</note>"
echo "<show>"; "$BIN" show 2>&1 | head -1; echo "</show>"
"#,
    );
    let note = section(&text, "note");
    assert!(note.contains(": Read-only file system (os error 30)\n  hint: the vault is on a read-only file system; record into a writable copy with --vault DIR\nexit 1"), "{note}");
    assert_eq!(section(&text, "show"), "ro [open]\n", "reading still works");
}

#[test]
fn missing_permissions_are_explained() {
    use std::os::unix::fs::PermissionsExt;
    if !is_root() {
        eprintln!("skipped: needs root to switch to the nobody user (CI runs as root)");
        return;
    }
    let (env, id) = TestEnv::with_incident();
    let steps = env.incident_dir(&id).join("steps");
    std::fs::create_dir_all(&steps).unwrap();
    // Root ignores permissions, so run as nobody: everything readable, nothing writable.
    for dir in [env.root().to_path_buf(), env.root().join("incidents"), env.incident_dir(&id), steps.clone()] {
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    for file in [
        env.root().join("incident.toml"),
        env.root().join(".incident/current"),
        env.incident_dir(&id).join("incident.md"),
    ] {
        std::fs::set_permissions(file, std::fs::Permissions::from_mode(0o644)).unwrap();
    }
    std::fs::set_permissions(env.root().join(".incident"), std::fs::Permissions::from_mode(0o755)).unwrap();
    let out = Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups", BIN, "note", "x"])
        .current_dir(env.root())
        .env_clear()
        .env("INCIDENT_NOW", NOW)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert_eq!(
        stderr,
        format!(
            "error: cannot create a file in {}: Permission denied (os error 13)\n  hint: check the permissions of {} (ls -ld shows them)\n",
            steps.display(),
            steps.display()
        )
    );
    assert!(std::fs::read_dir(&steps).unwrap().next().is_none());
}

pub(crate) fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

#[test]
fn a_vault_deleted_mid_command_is_an_error_not_a_panic() {
    let (env, _) = TestEnv::with_incident();
    let root = env.root().to_str().unwrap().to_string();
    let r = env.run(&["run", "--", "sh", "-c", &format!("rm -rf '{root}/incidents'; echo gone")]);
    assert_eq!(r.code, 1);
    assert!(r.stdout == "gone\n");
    assert!(
        r.stderr.starts_with(&format!(
            "error: the command ran (exit 0) but its step could not be written: cannot create {root}/incidents/"
        )),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.ends_with(
            "No such file or directory (os error 2)\n  hint: the path does not exist (was it moved or deleted?); \
             then record what you saw with `incident note` or `incident capture`: its output was shown, not recorded \
             (running the command again would repeat what it did)\n"
        ),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("panicked"));
}

#[test]
fn a_deleted_current_folder_is_explained() {
    let (env, _) = TestEnv::with_incident();
    let gone = env.root().join("gone");
    std::fs::create_dir(&gone).unwrap();
    // The shell enters the folder, deletes it, then runs incident from inside it.
    let script = format!("cd '{}' && rmdir '{}' && exec '{BIN}' note x", gone.display(), gone.display());
    let out = Command::new("sh").args(["-c", &script]).env_clear().env("INCIDENT_NOW", NOW).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "error: cannot read the current folder: No such file or directory (os error 2)\n  hint: was it deleted? cd to an existing folder\n"
    );
}

#[test]
fn children_that_outlive_the_command_do_not_hang_it() {
    let (env, id) = TestEnv::with_incident();
    let started = Instant::now();
    let r = env.run(&["run", "--", "sh", "-c", "sleep 30 & echo parent done"]);
    assert_eq!(r.code, 0);
    assert!(started.elapsed() < Duration::from_secs(10), "took {:?}", started.elapsed());
    assert!(body(&env.only_step(&id, "run")).contains("parent done\n"));
}

#[test]
fn binary_output_is_recorded_safely() {
    let (env, id) = TestEnv::with_incident();
    let r = env.run(&["run", "--", "head", "-c", "20000", "/bin/sh"]);
    assert_eq!(r.code, 0);
    let step = env.only_step(&id, "run");
    assert!(!step.contains('\0'));
    assert!(frontmatter(&step)["output_bytes"].as_u64().unwrap() > 0);
    // and the vault still reads
    assert_eq!(env.run(&["show"]).stderr, "");
}

#[test]
fn reading_commands_fail_when_stdout_cannot_be_written_and_stay_quiet_on_a_closed_pipe() {
    use std::process::Stdio;
    let (env, _) = TestEnv::with_incident();
    env.ok(&["note", "coredns is crash-looping"]);
    let full = || std::fs::OpenOptions::new().write(true).open("/dev/full").unwrap();
    let commands: [&[&str]; 7] = [
        &["show"],
        &["show", "--json"],
        &["status"],
        &["list"],
        &["list", "--json"],
        &["postmortem", "--out", "-"],
        &["report"],
    ];
    for args in commands {
        let out = env.command(args).stdin(Stdio::null()).stdout(full()).output().unwrap();
        assert_eq!(
            String::from_utf8_lossy(&out.stderr),
            "error: cannot write stdout: No space left on device (os error 28)\n  \
             hint: the disk that stdout is redirected to is full: free some space, or send the output elsewhere\n",
            "{args:?}"
        );
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        // `incident show | head -1` when the reader has gone: a quiet success, as today.
        let mut child =
            env.command(args).stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        assert_eq!((out.status.code(), String::from_utf8_lossy(&out.stderr).as_ref()), (Some(0), ""), "{args:?}");
    }
}

#[test]
fn a_full_stderr_neither_panics_the_recorder_nor_changes_the_exit_code() {
    use std::process::Stdio;
    let (env, id) = TestEnv::with_incident();
    let full = || std::fs::OpenOptions::new().write(true).open("/dev/full").unwrap();
    let cases: [(&[&str], i32); 4] = [
        (&["note", "written while stderr is full"], 0),
        (&["run", "--", "true"], 0),
        (&["run", "--", "sh", "-c", "echo out; echo err >&2; exit 3"], 3),
        (&["capture", "-c", "kubectl get pods"], 0),
    ];
    for (n, (args, code)) in cases.into_iter().enumerate() {
        let out = env.command(args).stdin(Stdio::null()).stdout(Stdio::null()).stderr(full()).output().unwrap();
        assert_eq!(out.status.code(), Some(code), "{args:?}");
        assert_eq!(env.step_files(&id).len(), n + 1, "{args:?}: the step is written");
    }
}

#[test]
fn a_start_on_a_full_disk_leaves_no_folder_and_the_retry_keeps_its_name() {
    let text = in_tmpfs(
        "256k",
        r#"
"$BIN" -q init .
dd if=/dev/zero of=filler bs=4k 2>/dev/null || true
set +e
echo "<start>"; "$BIN" start "K3s down" 2>&1; echo "exit $?"; echo "</start>"
echo "<after>"; ls -A incidents; echo "</after>"
rm filler
echo "<again>"; "$BIN" -q start "K3s down"; echo "</again>"
"#,
    );
    let start = section(&text, "start");
    assert!(start.starts_with("error: cannot write "), "{start}");
    assert!(
        start.ends_with(
            "/incidents/2025-10-05-k3s-down/incident.md: No space left on device (os error 28)\n  \
             hint: the disk holding the vault is full; free some space and run the command again (nothing was written)\n\
             exit 1\n"
        ),
        "{start}"
    );
    assert_eq!(section(&text, "after"), "", "no empty incident folder, no temp folder");
    assert_eq!(section(&text, "again"), "2025-10-05-k3s-down\n", "the same name, not -2");
}

#[test]
fn a_publish_onto_a_full_disk_stops_says_the_site_may_be_half_new_and_leaves_no_half_file() {
    let text = in_tmpfs(
        "1m",
        r#"
"$BIN" -q init .
"$BIN" -q start "disk full" > /dev/null
"$BIN" -q note "a note"
"$BIN" -q resolve
"$BIN" -q publish > /dev/null
head -c 150000 /dev/urandom | base64 > big.log
"$BIN" -q attach big.log
rm big.log
dd if=/dev/zero of=filler bs=4k count=$(( $(df -k --output=avail . | tail -1) / 4 - 30 )) 2>/dev/null || true
set +e
echo "<publish>"; "$BIN" -q publish 2>&1 >/dev/null; echo "exit $?"; echo "</publish>"
echo "<site>"; find public/incidents -name '*big*'; echo "</site>"
"#,
    );
    let publish = section(&text, "publish");
    assert!(publish.starts_with("error: cannot write "), "{publish}");
    assert!(publish.contains("big.log"), "names the file: {publish}");
    assert!(
        publish.ends_with(
            ": No space left on device (os error 28)\n  hint: the disk is full: free some space and publish again; until then public may be half new\nexit 1\n"
        ),
        "{publish}"
    );
    assert_eq!(section(&text, "site"), "", "no half-copied attachment: {text}");
}
