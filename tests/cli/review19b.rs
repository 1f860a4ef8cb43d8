//! Fixes from the nineteenth review (second half): a token's placeholder, durations rounded
//! one way, Markdown in the timeline, recording into a resolved incident, a step that
//! cannot be read.

use crate::support::*;

const GH: &str = "ghp_aB3dE5fG7hI9jK1lM3nO5pQ7rS9tU1vW3xY5";

#[test]
fn a_token_ends_where_its_charset_ends_and_keeps_one_placeholder_in_the_incident() {
    let (env, id) = TestEnv::with_incident();
    // A literal backslash-n after the token (printf's argument): only the token goes.
    let r = env.run_with_stdin(&["redact"], format!("GITHUB_TOKEN={GH}\\nfoo = bar\n").as_bytes());
    assert_eq!(
        (r.code, r.stdout.as_str()),
        (0, "GITHUB_TOKEN=[REDACTED:github-token-1]\\nfoo = bar\n"),
        "{}",
        r.stderr
    );
    // The argv holds `\n` literally, the output a newline: the same token, one placeholder.
    let script = format!("export GITHUB_TOKEN={GH}\\naws_access_key_id = AKIAIOSFODNN7EXAMPLQ\\n");
    env.ok(&["run", "--", "printf", &script]);
    env.ok(&["note", &format!("rotated {GH} at 08:30")]);
    let run = env.only_step(&id, "run");
    let fm = frontmatter(&run);
    assert_eq!(
        fm["command"],
        "printf 'export GITHUB_TOKEN=[REDACTED:github-token-1]\\naws_access_key_id = [REDACTED:aws-key-1]\\n'"
    );
    assert_eq!(
        fm["argv"][1],
        "export GITHUB_TOKEN=[REDACTED:github-token-1]\\naws_access_key_id = [REDACTED:aws-key-1]\\n"
    );
    assert_eq!(fm["redactions"], serde_json::json!({"aws-key": 1, "github-token": 1}));
    assert!(
        body(&run)
            .contains("\nexport GITHUB_TOKEN=[REDACTED:github-token-1]\naws_access_key_id = [REDACTED:aws-key-1]\n"),
        "{run}"
    );
    assert!(body(&env.only_step(&id, "note")).contains("rotated [REDACTED:github-token-1] at 08:30"));
    assert!(
        !std::fs::read_dir(env.incident_dir(&id).join("steps"))
            .unwrap()
            .any(|f| { std::fs::read_to_string(f.unwrap().path()).unwrap().contains("github-token-2") })
    );
}
