//! `incident redact`, the pipe filter: what it hides, what bytes it leaves, its help, and
//! an incident's placeholders used without recording anything.

use crate::redact::all_files;
use crate::support::*;

#[test]
fn the_pipe_filter_leaves_bytes_that_are_not_utf8_as_they_are() {
    let env = TestEnv::bare();
    // Also the private-use characters the filter stands bytes in with, as valid UTF-8.
    let mut input: Vec<u8> = "caf\u{e9} \u{10FFFF}\u{10FF00} ok\n".as_bytes().to_vec();
    input.extend(b"caf\xe9 au lait\r\n");
    for i in 0..64u8 {
        input.extend([0x80 | i, b' ', 0xc3, i % 10 + b'0', 0xff, b'\n']);
    }
    input.extend(b"key AKIAZLXXFOFBKFJKUPHB \xff\nend \xfe");
    let mut child = env
        .command(&["redact"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), &input).unwrap();
    let done = child.wait_with_output().unwrap();
    assert!(done.status.success());
    let out = done.stdout;
    let cut = input.len() - b"key AKIAZLXXFOFBKFJKUPHB \xff\nend \xfe".len();
    assert_eq!(out[..cut], input[..cut], "lines without secrets go out byte for byte");
    assert!(out[cut..].starts_with(b"key [REDACTED:aws-key-1] \xff\n"), "even on a line with a secret");
    assert!(out.ends_with(b"end \xfe"), "{:?}", String::from_utf8_lossy(&out));
}

#[test]
fn redact_is_a_pipe_filter() {
    let env = TestEnv::bare();
    let input = "curl -H 'Authorization: Bearer abcdefghijklmnopqrstuvwxyz012345' https://api\nimage: nginx@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n";
    let r = env.run_with_stdin(&["redact"], input.as_bytes());
    assert_eq!(r.code, 0);
    assert_eq!(
        r.stdout,
        "curl -H 'Authorization: Bearer [REDACTED:bearer-1]' https://api\nimage: nginx@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n"
    );
    assert_eq!(r.stderr, "1 redaction (bearer 1)\n");
    let r = env.run_with_stdin(&["redact"], b"nothing secret here\n\xff\xfe\n");
    assert_eq!((r.code, r.stderr.as_str()), (0, "no secrets found\n"));
    assert_eq!(
        env.fails(1, &["redact", "nope.txt"]),
        format!(
            "error: cannot read {}: No such file or directory (os error 2)\n  hint: give an existing file, or pipe the text in\n",
            env.root().join("nope.txt").display()
        )
    );
}

#[test]
fn redact_with_an_incident_uses_its_placeholders_and_records_nothing() {
    let (env, id) = TestEnv::with_incident();
    env.ok(&["note", "old AKIAAAAAAAAAAAAAAAAA"]);
    env.ok(&["note", "new AKIABBBBBBBBBBBBBBBB password=Xy9secretQ"]);
    let state = env.root().join(".incident");
    let before: Vec<_> = all_files(&state);
    let r = env.run_with_stdin(&["redact", "-I", &id], b"AKIABBBBBBBBBBBBBBBB Xy9secretQ AKIACCCCCCCCCCCCCCCC\n");
    assert_eq!(
        (r.code, r.stdout.as_str()),
        (0, "[REDACTED:aws-key-2] [REDACTED:password-assignment-1] [REDACTED:aws-key-3]\n")
    );
    assert_eq!(all_files(&state), before, "the vault's state is not changed");
    // The new key was not recorded: the next step numbers it afresh, as 3 too.
    env.ok(&["note", "AKIADDDDDDDDDDDDDDDD"]);
    let r = env.run_with_stdin(&["redact", "-I", &id], b"AKIACCCCCCCCCCCCCCCC\n");
    assert_eq!(r.stdout, "[REDACTED:aws-key-4]\n");
    // A vault-wide record to build again (missing) is built in memory only.
    std::fs::remove_file(state.join("redact-known.json")).unwrap();
    let r = env.run_with_stdin(&["redact", "-I", &id], b"Xy9secretQ\n");
    assert_eq!(r.stdout, "[REDACTED:password-assignment-1]\n");
    assert!(!state.join("redact-known.json").exists(), "not written by the filter");
    // Without -I: the filter's own numbering.
    let r = env.run_with_stdin(&["redact"], b"AKIABBBBBBBBBBBBBBBB\n");
    assert_eq!(r.stdout, "[REDACTED:aws-key-1]\n");
    assert_eq!(
        env.fails(1, &["redact", "-I", "nope"]),
        env.fails(1, &["show", "nope"]),
        "an unknown incident is refused as everywhere"
    );
}

#[test]
fn redact_help_names_every_rule() {
    let env = TestEnv::bare();
    let help = env.ok(&["redact", "--help"]).replace('\n', " ");
    for name in incident::redact::Rules::builtin().names() {
        assert!(help.contains(&format!(" {name},")) || help.contains(&format!(" {name}.")), "{name} missing");
    }
    assert!(help.contains("With -I ID (or INCIDENT_ID) the placeholders are that incident's, read only"), "{help}");
}

#[test]
fn utf16_output_is_decoded_then_redacted() {
    let (env, id) = TestEnv::with_incident();
    let text = "password=UTF16SEC05abc\r\nAKIAIOSFODNN7EXAMPLE\r\nnode ready\r\n";
    let le: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
    let r = env.run_with_stdin(&["capture", "-c", "Get-Content creds.txt"], &le);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let capture = env.only_step(&id, "capture");
    assert!(
        body(&capture).contains("password=[REDACTED:password-assignment-1]\n[REDACTED:aws-key-1]\nnode ready\n"),
        "{capture}"
    );
    // With a BOM, big-endian, through the pipe filter: UTF-8 comes out.
    let mut be = vec![0xfe, 0xff];
    be.extend(text.encode_utf16().flat_map(u16::to_be_bytes));
    let r = env.run_with_stdin(&["redact"], &be);
    assert_eq!(r.stdout, "password=[REDACTED:password-assignment-1]\r\n[REDACTED:aws-key-1]\r\nnode ready\r\n");
}

#[test]
fn an_incident_id_inherited_from_the_environment_does_not_break_the_filter() {
    let mut env = TestEnv::bare();
    env.extra_env.push(("INCIDENT_ID".into(), "foo".into()));
    let r = env.run_with_stdin(&["redact"], b"password=Hunter2Secret99\n");
    assert_eq!((r.code, r.stdout.as_str()), (0, "password=[REDACTED:password-assignment-1]\n"), "{}", r.stderr);
    // Asked for on the command line, it must be there.
    env.extra_env.clear();
    let r = env.run_with_stdin(&["redact", "-I", "foo"], b"x\n");
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.starts_with("error: no incident vault in "), "{}", r.stderr);
}
