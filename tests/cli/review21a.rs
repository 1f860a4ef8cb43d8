//! Fixes from the twenty-first review (first part), all in redaction: a password glued to
//! a short flag left in argv, secrets given to `--api-key`-like flags, and the numbering of
//! values scrubbed from API objects.

use std::path::{Path, PathBuf};

use crate::support::*;

/// A folder of stand-in programs (`mysqladmin`, `mysql`, `sshpass`) that print `ok`, first
/// on the PATH of `env`.
fn fake_programs(env: &mut TestEnv, names: &[&str]) -> PathBuf {
    let bin = env.root().join("fake-bin");
    std::fs::create_dir_all(&bin).unwrap();
    for name in names {
        let path = bin.join(name);
        std::fs::write(&path, "#!/bin/sh\necho ok\n").unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
    env.extra_env.push(("PATH".into(), path));
    bin
}

fn step_holding(env: &TestEnv, id: &str, text: &str) -> PathBuf {
    let found = env.step_files(id).into_iter().find(|p| std::fs::read_to_string(p).unwrap().contains(text));
    found.unwrap_or_else(|| panic!("no step holds {text:?}"))
}

fn name_of(path: &Path) -> String {
    path.file_name().unwrap().to_string_lossy().into_owned()
}

#[test]
fn a_password_glued_to_a_short_flag_leaves_argv_as_it_leaves_the_command_line() {
    let (mut env, id) = TestEnv::with_incident();
    fake_programs(&mut env, &["mysqladmin", "mysql", "sshpass"]);
    let cases: [(&[&str], &str); 3] = [
        (&["mysqladmin", "-uroot", "-pAdminPw3131", "status"], "AdminPw3131"),
        (&["mysql", "-uroot", "-pMyS3cretPW77", "-e", "select 1"], "MyS3cretPW77"),
        (&["sshpass", "-pSshP4ssAbc", "ssh", "host"], "SshP4ssAbc"),
    ];
    for (i, (argv, secret)) in cases.iter().enumerate() {
        let mut args = vec!["-q", "run", "--"];
        args.extend_from_slice(argv);
        env.ok(&args);
        let step = std::fs::read_to_string(step_holding(&env, &id, &format!("\ncommand: {} -", argv[0]))).unwrap();
        assert!(!step.contains(secret), "{step}");
        let placeholder = format!("-p[REDACTED:password-flag-{}]", i + 1);
        let meta = frontmatter(&step);
        assert!(meta["command"].as_str().unwrap().contains(&placeholder), "{step}");
        let flag = meta["argv"].as_array().unwrap().iter().find(|a| a.as_str().unwrap().starts_with("-p")).cloned();
        assert_eq!(flag.unwrap(), placeholder.as_str(), "the same placeholder as the command line: {step}");
    }
    let shown = env.ok(&["show", "--json"]);
    for (_, secret) in cases {
        assert!(!shown.contains(secret), "{shown}");
    }
    // A step recorded before (its argv in clear) is held back by the publish gate.
    env.ok(&["resolve", "-q", "done"]);
    std::fs::write(env.incident_dir(&id).join("postmortem.md"), "# Postmortem\n").unwrap();
    let path = step_holding(&env, &id, "mysqladmin");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replacen("- -p[REDACTED:password-flag-1]", "- -pAdminPw3131", 1)).unwrap();
    let r = env.run(&["publish", "--check"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(r.stdout, format!("incidents/{id}/steps/{}: still holds a secret (password-flag 1)\n", name_of(&path)));
}
