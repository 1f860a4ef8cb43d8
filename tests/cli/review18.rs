//! Fixes from the eighteenth review: the redact filter and a broken incident.toml, CRLF
//! clones and postmortem freshness, decisions taken twice, a clock a little ahead.

use crate::support::*;

const TOKEN: &str = "itk_abcdefghijklmnopqrstuvwxyz012345";

/// incident.toml as `init` wrote it, with the `incident redact --help` snippet of old
/// pasted under it: a second `[redact]` table, so the file is not valid TOML.
fn paste_a_second_redact_table(env: &TestEnv) {
    let file = env.root().join("incident.toml");
    let mut text = std::fs::read_to_string(&file).unwrap();
    text.push_str("[redact]\n[[redact.rules]]\nname = \"internal-token\"\npattern = 'itk_[A-Za-z0-9]{32}'\n");
    std::fs::write(&file, text).unwrap();
}

#[test]
fn redact_in_a_vault_whose_settings_are_broken_fails_and_passes_nothing_through() {
    let env = TestEnv::new();
    paste_a_second_redact_table(&env);
    let line = std::fs::read_to_string(env.root().join("incident.toml")).unwrap().lines().count() - 3;
    let r = env.run_with_stdin(&["redact"], format!("token {TOKEN}\n").as_bytes());
    assert_eq!((r.code, r.stdout.as_str()), (1, ""), "{}", r.stderr);
    assert!(
        r.stderr.starts_with(&format!("error: {}:{line}: duplicate key\n", env.root().join("incident.toml").display())),
        "{}",
        r.stderr
    );
    // Named with --vault, a folder that is no vault is an error too, not the built-ins.
    let elsewhere = TestEnv::bare();
    let r = elsewhere.run_with_stdin(&["redact", "--vault", "nope"], b"x\n");
    assert_eq!((r.code, r.stdout.as_str()), (1, ""));
    assert!(r.stderr.contains("is not an incident vault (no incident.toml in it)"), "{}", r.stderr);
    // Outside any vault the built-in rules still apply.
    let r = elsewhere.run_with_stdin(&["redact"], b"AKIAZLXXFOFBKFJKUPHB\n");
    assert_eq!((r.code, r.stdout.as_str()), (0, "[REDACTED:aws-key-1]\n"));
}
