//! Fixes from the twenty-first review (fifth part): a secret flag and its value on two lines
//! of a list (a manifest's `args:`, a pretty JSON array) no longer reach the vault in clear.

use crate::support::*;

const YAML: &str = "    args:\n    - --password\n    - S3cretValue99\n    - --token\n    - \"TokValue4k9Qz7\"\n    - --namespace\n    - kube-system\n";
const JSON: &str = "{\n  \"args\": [\n    \"--api-key\",\n    \"Zx9vQ2mL7pR4tK8wN3bY6cR7\"\n  ]\n}\n";
const SECRETS: [&str; 3] = ["S3cretValue99", "TokValue4k9Qz7", "Zx9vQ2mL7pR4tK8wN3bY6cR7"];

#[test]
fn a_flag_value_on_the_next_list_line_is_redacted_by_redact_and_capture() {
    let env = TestEnv::new();
    let r = env.run_with_stdin(&["redact"], format!("{YAML}{JSON}").as_bytes());
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout,
        "    args:\n    - --password\n    - [REDACTED:password-flag-1]\n    - --token\n    - \"[REDACTED:token-flag-1]\"\n    - --namespace\n    - kube-system\n\
         {\n  \"args\": [\n    \"--api-key\",\n    \"[REDACTED:secret-flag-1]\"\n  ]\n}\n"
    );

    let (env, id) = TestEnv::with_incident();
    for (command, input) in [("kubectl get deploy api -o yaml", YAML), ("kubectl get deploy api -o json", JSON)] {
        let r = env.run_with_stdin(&["capture", "-c", command, "--no-echo"], input.as_bytes());
        assert_eq!(r.code, 0, "{}", r.stderr);
    }
    let steps = env.step_files(&id);
    assert_eq!(steps.len(), 2, "{steps:?}");
    for (path, bytes) in crate::redact::all_files(env.root()) {
        let text = String::from_utf8_lossy(&bytes);
        for secret in SECRETS {
            assert!(!text.contains(secret), "{secret} in clear in {}:\n{text}", path.display());
        }
    }
    let steps: Vec<String> = steps.iter().map(|p| std::fs::read_to_string(p).unwrap()).collect();
    let all = steps.join("\n");
    assert!(all.contains("    - [REDACTED:password-flag-1]\n    - --token\n"), "{all}");
    assert!(all.contains("    \"[REDACTED:secret-flag-1]\"\n"), "{all}");
    assert!(all.contains("    - kube-system\n"), "no secret flag, value kept: {all}");
}
