//! `incident run` and `incident capture`: output recorded faithfully and safely.

use sha2::{Digest, Sha256};

use crate::support::*;

pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn run_records_command_output_and_exit_code() {
    let (env, id) = TestEnv::with_incident();
    let r = env.run(&["run", "--", "sh", "-c", "echo out; echo err >&2; exit 3"]);
    assert_eq!(r.code, 3, "exits with the command's code");
    assert_eq!(r.stdout, "out\n", "output is shown live");
    assert!(r.stderr.starts_with("err\n"), "{}", r.stderr);
    let step = env.only_step(&id, "run");
    let fm = frontmatter(&step);
    assert_eq!(fm["command"], "sh -c 'echo out; echo err >&2; exit 3'");
    assert_eq!(fm["argv"], serde_json::json!(["sh", "-c", "echo out; echo err >&2; exit 3"]));
    assert_eq!(fm["exit_code"], 3);
    assert_eq!(fm["cwd"], env.root().canonicalize().unwrap().to_str().unwrap());
    assert!(fm["duration_ms"].is_u64());
    assert_eq!(fm["output_bytes"], 8);
    let text = body(&step);
    assert!(text.starts_with("```console\n$ sh -c 'echo out; echo err >&2; exit 3'\n"), "{text}");
    assert!(text.contains("out\n") && text.contains("err\n"));
    assert!(text.contains("\nexit 3 · "), "{text}");
}

#[test]
fn run_of_a_missing_command_is_recorded_as_such() {
    let (env, id) = TestEnv::with_incident();
    let r = env.run(&["run", "--", "kubectl-does-not-exist", "get", "pods"]);
    assert_eq!(r.code, 127);
    assert!(
        r.stderr.starts_with(
            "error: kubectl-does-not-exist: command not found\n  hint: recorded as a step that could not start\n"
        ),
        "{}",
        r.stderr
    );
    let fm = frontmatter(&env.only_step(&id, "run"));
    assert_eq!(fm["exit_code"], 127);
    assert_eq!(fm["spawn_error"], "kubectl-does-not-exist: command not found");
}

#[test]
fn a_mistyped_option_of_run_is_a_usage_error_not_a_command() {
    let (env, id) = TestEnv::with_incident();
    let err = env.fails(2, &["run", "--titel", "CoreDNS logs", "kubectl", "get", "pods"]);
    assert!(
        err.starts_with("error: unexpected argument '--titel' found\n\n  tip: a similar argument exists: '--title'\n"),
        "{err}"
    );
    assert!(env.step_files(&id).is_empty(), "nothing is recorded");
    // After the command's first word, and after `--`, dashes belong to the command.
    env.ok(&["run", "echo", "-n", "--titel"]);
    env.ok(&["run", "--", "sh", "-c", "exit 0"]);
    assert_eq!(env.step_files(&id).len(), 2);
}

#[test]
fn a_hangup_or_terminate_is_passed_on_and_the_step_still_recorded() {
    use std::io::BufRead;
    // The last: a command that closed its output first, still running.
    let cases = [
        (libc::SIGHUP, "SIGHUP", 129, "echo started; exec sleep 20"),
        (libc::SIGTERM, "SIGTERM", 143, "echo started; exec sleep 20"),
        (libc::SIGTERM, "SIGTERM", 143, "echo started; exec >/dev/null 2>&1; exec sleep 20"),
    ];
    for (signal, name, code, script) in cases {
        let (env, id) = TestEnv::with_incident();
        let mut child = env
            .command(&["run", "--", "sh", "-c", script])
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut first = String::new();
        std::io::BufReader::new(child.stdout.as_mut().unwrap()).read_line(&mut first).unwrap();
        assert_eq!(first, "started\n");
        // SAFETY: kill has no memory preconditions; the pid is our own child.
        unsafe { libc::kill(child.id() as libc::pid_t, signal) };
        let started = std::time::Instant::now();
        let status = child.wait().unwrap();
        assert!(started.elapsed().as_secs() < 10, "{name}: the command was stopped, not waited for");
        // Recorded, then gone the way the command went: a shell sees death by the signal.
        assert_eq!(std::os::unix::process::ExitStatusExt::signal(&status), Some(signal), "{name}");
        let fm = frontmatter(&env.only_step(&id, "run"));
        assert_eq!(fm["signal"], name);
        assert_eq!(fm["exit_code"], code);
    }
}

#[test]
fn a_command_that_cannot_start_has_its_secrets_redacted_everywhere() {
    let (env, id) = TestEnv::with_incident();
    // A file that is there but cannot run (a quoted shell line is refused before this).
    let quoted = "./curl -H 'Authorization: Bearer sk-abc123secretvalue456' https:";
    std::fs::write(env.root().join(quoted), "not a program").unwrap();
    let r = env.run(&["run", "--", quoted]);
    assert_eq!(r.code, 126);
    let step = env.only_step(&id, "run");
    assert!(!step.contains("sk-abc123secretvalue456"), "{step}");
    let fm = frontmatter(&step);
    assert!(fm["spawn_error"].as_str().unwrap().contains("[REDACTED:"), "{fm}");
}

#[test]
fn run_records_death_by_signal_as_the_shell_does() {
    let (env, id) = TestEnv::with_incident();
    let r = env.run(&["run", "--", "sh", "-c", "echo before; kill -9 $$"]);
    assert_eq!(r.code, 137);
    let step = env.only_step(&id, "run");
    let fm = frontmatter(&step);
    assert_eq!(fm["exit_code"], 137);
    assert_eq!(fm["signal"], "SIGKILL");
    assert!(body(&step).contains("killed by SIGKILL (exit 137)"));
}

#[test]
fn ansi_colours_control_bytes_and_invalid_utf8_never_reach_the_markdown() {
    let (env, id) = TestEnv::with_incident();
    let script = r#"printf '\033[1;31mCrashLoopBackOff\033[0m\n'; printf 'bad \377\376 bytes\n'; printf 'progress 10%%\rprogress 100%%\n'; printf 'bell\007\n'; printf '```\nnot a fence\n'"#;
    let r = env.run(&["run", "--", "sh", "-c", script]);
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains("\u{1b}[1;31m"), "the terminal still gets the colours");
    let step = env.only_step(&id, "run");
    assert!(!step.contains('\u{1b}'));
    assert!(!step.contains('\u{7}'));
    let text = body(&step);
    assert!(text.starts_with("````console\n"), "the fence outgrows the output: {text}");
    assert!(
        text.contains(
            "CrashLoopBackOff\nbad \u{fffd}\u{fffd} bytes\nprogress 100%\nbell\u{2407}\n```\nnot a fence\n````\n"
        ),
        "{text}"
    );
}

#[test]
fn large_output_goes_whole_into_outputs_with_head_and_tail_inline() {
    let (env, id) = TestEnv::with_incident();
    std::fs::write(env.root().join("incident.toml"), "[record]\ninline_limit = 4096\n").unwrap();
    let r = env.run(&["run", "--", "seq", "1", "20000"]);
    assert_eq!(r.code, 0);
    let step = env.only_step(&id, "run");
    let fm = frontmatter(&step);
    let expected: String = (1..=20000).map(|n| format!("{n}\n")).collect();
    let file = fm["output_file"].as_str().unwrap();
    assert_eq!(file, format!("outputs/{}.out", fm["id"].as_str().unwrap()));
    let stored = std::fs::read(env.incident_dir(&id).join(file)).unwrap();
    assert_eq!(stored, expected.as_bytes());
    assert_eq!(fm["output_sha256"], sha256_hex(expected.as_bytes()));
    assert_eq!(fm["output_bytes"], expected.len());
    let text = body(&step);
    assert!(text.contains("$ seq 1 20000\n1\n2\n3\n"), "head inline");
    assert!(text.contains("19999\n20000\n````") || text.contains("19999\n20000\n```"), "tail inline");
    assert!(text.contains(" omitted; the whole output is in the linked file …\n"));
    assert!(text.contains(&format!("whole output in [{file}](../{file})")), "{text}");
    assert!(text.len() < 8 * 1024, "inline part stays near the limit: {}", text.len());
}

#[test]
fn a_broken_outputs_folder_keeps_the_step_with_head_and_tail() {
    let (env, id) = TestEnv::with_incident();
    std::fs::write(env.root().join("incident.toml"), "[record]\ninline_limit = 4096\n").unwrap();
    // A file where the folder should be: the whole output cannot be kept.
    std::fs::write(env.incident_dir(&id).join("outputs"), "").unwrap();
    let r = env.run(&["run", "--", "sh", "-c", "seq 1 20000; exit 3"]);
    assert_eq!(r.code, 3, "the command's exit code survives: {}", r.stderr);
    assert!(
        r.stderr.contains("warning: the whole output was not kept, only its first and last lines: "),
        "{}",
        r.stderr
    );
    let step = env.only_step(&id, "run");
    let fm = frontmatter(&step);
    assert_eq!(fm["exit_code"], 3);
    assert!(fm.get("output_file").is_none(), "{fm}");
    assert_eq!(fm["output_bytes"], (1..=20000).map(|n: u32| n.to_string().len() + 1).sum::<usize>());
    let text = body(&step);
    assert!(text.contains("$ sh -c 'seq 1 20000; exit 3'\n1\n2\n"), "head inline");
    assert!(text.contains("19999\n20000\n```"), "tail inline");
    assert!(text.contains(" omitted; the whole output was not kept …\n"), "{text}");
    assert!(text.contains(" not shown and not kept: "), "{text}");
}

#[test]
fn a_step_that_cannot_be_written_is_reported_and_the_exit_code_kept() {
    let (env, id) = TestEnv::with_incident();
    let steps = env.incident_dir(&id).join("steps");
    std::fs::remove_dir_all(&steps).ok();
    std::fs::write(&steps, "").unwrap();
    let failed = env.run(&["run", "--", "sh", "-c", "echo seen; exit 4"]);
    assert_eq!(failed.code, 4, "{}", failed.stderr);
    assert_eq!(failed.stdout, "seen\n", "the output was shown");
    assert!(
        failed.stderr.contains("error: the command ran (exit 4) but its step could not be written: "),
        "{}",
        failed.stderr
    );
    assert!(failed.stderr.contains("then record what you saw with `incident note` or `incident capture`"));
    let ok = env.run(&["run", "--", "true"]);
    assert_eq!(ok.code, 1, "a command that succeeded still says the record failed");
    // A whole output already moved into outputs/ goes again: no output without its step.
    std::fs::write(env.root().join("incident.toml"), "[record]\ninline_limit = 4096\n").unwrap();
    let big = env.run(&["run", "--", "seq", "1", "20000"]);
    assert_eq!(big.code, 1);
    assert_eq!(
        big.stderr,
        format!(
            "error: the command ran (exit 0) but its step could not be written: cannot create a file in {0}: Not a directory (os error 20)\n  \
             hint: {0} or a folder above it is a file where a folder should be: move that file away; then record what you saw with \
             `incident note` or `incident capture`: its output was shown, not recorded (running the command again would repeat what it did)\n",
            steps.display()
        )
    );
    assert!(!env.incident_dir(&id).join("outputs").exists(), "no orphan output");
}

#[test]
fn a_line_that_never_ends_is_cut_not_held() {
    let (env, id) = TestEnv::with_incident();
    let r = env.run(&["run", "--", "sh", "-c", "head -c 300000 /dev/zero | tr '\\0' x"]);
    assert_eq!(r.code, 0);
    let fm = frontmatter(&env.only_step(&id, "run"));
    assert_eq!(fm["output_bytes"], 300000);
    let stored = std::fs::read(env.incident_dir(&id).join(fm["output_file"].as_str().unwrap())).unwrap();
    assert_eq!(stored.len(), 300000);
    assert!(stored.iter().all(|&b| b == b'x'));
}

#[test]
fn stdout_and_stderr_to_one_place_are_recorded_in_the_order_printed() {
    let (env, id) = TestEnv::with_incident();
    let log = env.root().join("terminal.log");
    let script = format!(
        "exec \"$BIN\" -q run -- sh -c 'echo out1; echo err1 >&2; echo out2; echo err2 >&2' > '{}' 2>&1",
        log.display()
    );
    assert!(env.shell(&script).status().unwrap().success());
    assert_eq!(std::fs::read_to_string(&log).unwrap(), "out1\nerr1\nout2\nerr2\n");
    assert!(body(&env.only_step(&id, "run")).contains("\nout1\nerr1\nout2\nerr2\n"));
}

#[test]
fn the_double_dash_before_the_command_is_optional() {
    let (env, id) = TestEnv::with_incident();
    let r = env.run(&["run", "-t", "listing", "sh", "-c", "echo \"[$0]\" -A", "-n"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout, "[-n] -A\n", "flags after the command word are the command's");
    let fm = frontmatter(&env.only_step(&id, "run"));
    assert_eq!(fm["argv"], serde_json::json!(["sh", "-c", "echo \"[$0]\" -A", "-n"]));
    assert_eq!(fm["title"], "listing");
}

#[test]
fn spools_a_killed_run_left_behind_go_when_the_next_one_is_made() {
    let (env, id) = TestEnv::with_incident();
    std::fs::write(env.root().join("incident.toml"), "[record]\ninline_limit = 4096\n").unwrap();
    let outputs = env.incident_dir(&id).join("outputs");
    std::fs::create_dir_all(&outputs).unwrap();
    let (old, fresh) = (outputs.join(".incident-tmp-old123"), outputs.join(".incident-tmp-new456"));
    std::fs::write(&old, "half").unwrap();
    std::fs::write(&fresh, "still being written").unwrap();
    // A quiet, long `run` elsewhere holds its spool locked: old, but alive.
    let live = outputs.join(".incident-tmp-live789");
    let held = std::fs::File::create(&live).unwrap();
    held.lock().unwrap();
    let touched =
        std::process::Command::new("touch").args(["-d", "2 hours ago"]).arg(&old).arg(&live).status().unwrap();
    assert!(touched.success());
    env.ok(&["run", "--", "echo", "small"]);
    assert!(old.exists(), "a small output spools nothing and looks at nothing");
    env.ok(&["run", "--", "seq", "1", "5000"]);
    assert!(!old.exists(), "over an hour old: removed");
    assert!(fresh.exists(), "perhaps another run's: kept");
    assert!(live.exists(), "locked by a run still writing it: kept");
    drop(held);
}

#[test]
fn run_and_capture_say_when_their_stdout_cannot_be_written_and_keep_the_whole_output() {
    use std::process::Stdio;
    let full = || std::fs::OpenOptions::new().write(true).open("/dev/full").unwrap();
    let seq: String = (1..=300000).map(|i| format!("{i}\n")).collect();
    // The arguments, the input, incident's exit code, the command's.
    let cases: [(&[&str], &[u8], i32, i32); 3] = [
        (&["run", "--", "seq", "1", "300000"], b"", 1, 0),
        (&["run", "--", "sh", "-c", "seq 1 300000; exit 3"], b"", 3, 3),
        (&["capture", "-c", "seq 1 300000"], seq.as_bytes(), 1, 0),
    ];
    for (args, input, code, command_code) in cases {
        let kind = args[0];
        let (env, id) = TestEnv::with_incident();
        let mut child = env.command(args).stdin(Stdio::piped()).stdout(full()).stderr(Stdio::piped()).spawn().unwrap();
        let mut stdin = child.stdin.take().unwrap();
        let input = input.to_vec();
        let writer = std::thread::spawn(move || std::io::Write::write_all(&mut stdin, &input));
        let out = child.wait_with_output().unwrap();
        writer.join().unwrap().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(code), "{args:?}: {stderr}");
        let step_id = env.step_files(&id)[0].file_stem().unwrap().to_str().unwrap().to_string();
        let recorded = match kind {
            "run" => format!("recorded run {step_id} (exit {command_code}) in {id}\n"),
            _ => format!("recorded capture {step_id} in {id}\n"),
        };
        assert_eq!(
            stderr,
            format!(
                "error: cannot write stdout: No space left on device (os error 28)\n  \
                 hint: the step holds the whole output; what went to stdout is incomplete\n{recorded}"
            ),
            "{args:?}"
        );
        let fm = frontmatter(&env.only_step(&id, kind));
        assert_eq!(fm["output_bytes"], seq.len(), "{args:?}: recorded whole");
        assert_eq!(fm["output_sha256"], sha256_hex(seq.as_bytes()));
    }
    // A reader that leaves (`| head -1`) is no error: quiet, and the exit status stays.
    let (env, id) = TestEnv::with_incident();
    let script = "seq 1 300000 | { \"$BIN\" -q capture -c seq; echo \"capture exit $?\" >&2; } | head -1";
    let out = env.shell(script).output().unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "1\n");
    assert_eq!(String::from_utf8_lossy(&out.stderr), "capture exit 0\n");
    assert_eq!(frontmatter(&env.only_step(&id, "capture"))["output_bytes"], seq.len());
}

#[test]
fn ctrl_c_or_ctrl_backslash_end_run_by_that_signal_once_recorded_so_a_shell_loop_stops() {
    use std::io::BufRead;
    use std::os::unix::process::{CommandExt, ExitStatusExt};
    use std::process::Stdio;
    for (signal, name) in [(libc::SIGINT, "SIGINT"), (libc::SIGQUIT, "SIGQUIT")] {
        let (env, id) = TestEnv::with_incident();
        // Its own process group, as a terminal's foreground job: the key reaches all of it.
        let mut child = env
            .command(&["run", "--", "sh", "-c", "echo started; exec sleep 20"])
            .process_group(0)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut first = String::new();
        std::io::BufReader::new(child.stdout.as_mut().unwrap()).read_line(&mut first).unwrap();
        assert_eq!(first, "started\n");
        // SAFETY: kill has no memory preconditions; the group is our own child's.
        unsafe { libc::kill(-(child.id() as libc::pid_t), signal) };
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.signal(), Some(signal), "{name}");
        assert!(!out.status.core_dumped(), "{name}: no core file, as `timeout` does");
        let step_id = env.step_files(&id)[0].file_stem().unwrap().to_str().unwrap().to_string();
        let code = 128 + signal;
        assert_eq!(String::from_utf8_lossy(&out.stderr), format!("recorded run {step_id} (exit {code}) in {id}\n"));
        let fm = frontmatter(&env.only_step(&id, "run"));
        assert_eq!((fm["signal"].as_str(), fm["exit_code"].as_i64()), (Some(name), Some(code as i64)));
    }
    // The loop of the report: one Ctrl-C ends it, as it would without incident in it.
    let (env, id) = TestEnv::with_incident();
    let script = "for i in 1 2 3; do \"$BIN\" -q run -- sh -c 'echo started; exec sleep 20'; echo \"loop $i rc=$?\"; \
                  done; echo script-continued";
    let mut child = env
        .shell("exec bash -c \"$SCRIPT\"")
        .env("SCRIPT", script)
        .process_group(0)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    stdout.read_line(&mut first).unwrap();
    assert_eq!(first, "started\n");
    // bash takes its wait-time SIGINT handler only once it waits for the child; a key
    // pressed before that (the machine loaded) is bash's own race, not ours: wait for it.
    wait_until_waiting(child.id());
    // SAFETY: as above.
    unsafe { libc::kill(-(child.id() as libc::pid_t), libc::SIGINT) };
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stdout, &mut rest).unwrap();
    let status = child.wait().unwrap();
    assert_eq!((rest.as_str(), status.signal()), ("", Some(libc::SIGINT)), "the loop stopped at once");
    assert_eq!(env.step_files(&id).len(), 1, "the one run is recorded");
}

/// Until the process sleeps in `wait` (Linux's `/proc/PID/wchan`); a short pause where that
/// cannot be read.
fn wait_until_waiting(pid: u32) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while std::time::Instant::now() < deadline {
        match std::fs::read_to_string(format!("/proc/{pid}/wchan")) {
            Ok(w) if w == "do_wait" => return,
            Ok(w) if w.is_empty() || w == "0" => break,
            Err(_) => break,
            Ok(_) => std::thread::sleep(std::time::Duration::from_millis(5)),
        }
    }
    std::thread::sleep(std::time::Duration::from_millis(200));
}

#[test]
fn an_executable_script_without_a_shebang_runs_with_bin_sh_as_in_a_shell() {
    use std::os::unix::fs::PermissionsExt;
    let (env, id) = TestEnv::with_incident();
    let script = env.root().join("drain.sh");
    std::fs::write(&script, "echo \"draining $1\"\nexit 5\n").unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    let r = env.run(&["run", "--", "./drain.sh", "node-1"]);
    assert_eq!((r.code, r.stdout.as_str()), (5, "draining node-1\n"), "{}", r.stderr);
    let fm = frontmatter(&env.only_step(&id, "run"));
    assert_eq!(fm["command"], "./drain.sh node-1", "recorded as given");
    assert_eq!(fm["argv"], serde_json::json!(["./drain.sh", "node-1"]));
    assert_eq!(fm["exit_code"], 5);
    assert!(fm.get("spawn_error").is_none(), "{fm}");
    // A binary of another machine is no script: 126, as bash says it.
    let binary = env.root().join("kubectl-arm");
    std::fs::write(&binary, b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00echo never\n").unwrap();
    std::fs::set_permissions(&binary, std::fs::Permissions::from_mode(0o755)).unwrap();
    let r = env.run(&["run", "--", "./kubectl-arm"]);
    assert_eq!((r.code, r.stdout.as_str()), (126, ""), "{}", r.stderr);
    assert!(r.stderr.contains("./kubectl-arm: Exec format error (os error 8)"), "{}", r.stderr);
}
