//! `incident capture`: piped output recorded and passed on, nothing piped, and a capture
//! stopped by a signal.

use crate::run::sha256_hex;
use crate::support::*;

#[test]
fn capture_records_piped_output_and_passes_it_on() {
    let (env, id) = TestEnv::with_incident();
    let table = "NAMESPACE     NAME                          READY   STATUS             RESTARTS   AGE\nconvocanvas   convocanvas-7d4b9c8f6-xk2p9   0/1     CrashLoopBackOff   1842       2d\n";
    let r = env.run_with_stdin(&["capture", "-c", "kubectl get pods -A", "--exit-code", "0"], table.as_bytes());
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout, table, "capture is a tee");
    let step = env.only_step(&id, "capture");
    let fm = frontmatter(&step);
    assert_eq!(fm["command"], "kubectl get pods -A");
    assert_eq!(fm["exit_code"], 0);
    assert_eq!(body(&step), format!("```console\n$ kubectl get pods -A\n{table}```\n\nexit 0 · 171 bytes, 2 lines\n"));
    // --no-echo, and a file instead of stdin.
    std::fs::write(env.root().join("ip.txt"), "2: enp6s0: <BROADCAST>\n    inet 192.168.1.186/24\n").unwrap();
    let r = env.run(&["capture", "-c", "ip addr show", "--no-echo", "ip.txt"]);
    assert_eq!((r.code, r.stdout.as_str()), (0, ""));
}

#[test]
fn capture_of_nothing_is_an_error() {
    let (env, id) = TestEnv::with_incident();
    let r = env.run_with_stdin(&["capture"], b"");
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr,
        "error: nothing to capture: nothing came on standard input (nothing was recorded)\n  hint: pipe the output in: kubectl get pods -A | incident capture -c \"kubectl get pods -A\"\n"
    );
    assert!(env.step_files(&id).is_empty());
    assert!(!env.incident_dir(&id).join("outputs").exists());
    // With the command named, no output is evidence too (`systemctl stop` prints nothing).
    let r = env.run_with_stdin(&["capture", "-c", "sudo systemctl stop k3s"], b"");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(body(&env.only_step(&id, "capture")), "```console\n$ sudo systemctl stop k3s\n```\n");
}

#[test]
fn capture_stopped_by_ctrl_c_sigterm_or_sighup_records_what_came_and_dies_by_it() {
    use std::io::{Read, Write};
    use std::os::unix::process::ExitStatusExt;
    use std::process::Stdio;
    for (signal, name) in [(libc::SIGINT, "SIGINT"), (libc::SIGTERM, "SIGTERM"), (libc::SIGHUP, "SIGHUP")] {
        let (env, id) = TestEnv::with_incident();
        // `journalctl -fu k3s | incident capture`: the input never ends; 100 KiB of it came.
        let mut child = env
            .command(&["capture", "-c", "journalctl -fu k3s"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let lines: String = (1..=4000).map(|i| format!("log line {i:05} of k3s\n")).collect();
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(lines.as_bytes()).unwrap();
        let mut stdout = child.stdout.take().unwrap();
        let mut seen = vec![0u8; lines.len()];
        stdout.read_exact(&mut seen).unwrap();
        assert_eq!(seen, lines.as_bytes(), "echoed as it came");
        // SAFETY: kill has no memory preconditions; the pid is our own child.
        unsafe { libc::kill(child.id() as libc::pid_t, signal) };
        let status = child.wait().unwrap();
        drop(stdin);
        assert_eq!(status.signal(), Some(signal), "{name}: the shell sees death by the signal");
        let mut stderr = String::new();
        child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
        let step_id = env.step_files(&id)[0].file_stem().unwrap().to_str().unwrap().to_string();
        assert_eq!(
            stderr,
            format!(
                "stopped by {name} before the input ended: recording what was read\n\
                 recorded capture {step_id} in {id}\n"
            )
        );
        let step = env.only_step(&id, "capture");
        let fm = frontmatter(&step);
        assert_eq!(fm["output_bytes"], lines.len(), "{name}");
        assert_eq!(fm["output_sha256"], sha256_hex(lines.as_bytes()));
        assert!(
            body(&step).contains(&format!(
                "\nstopped by {name} before the input ended · 86 KiB, 4,000 lines · 22 KiB not shown; "
            )),
            "{name}: {}",
            body(&step)
        );
        let outputs: Vec<String> = std::fs::read_dir(env.incident_dir(&id).join("outputs"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(outputs, [format!("{step_id}.out")], "the whole output kept, no spool left");
    }
}
