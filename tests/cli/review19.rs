//! Fixes from the nineteenth review: blank input to capture, a step without `at:`, an
//! unreadable incident in the list, shell completions, the wording of a file diff.

use crate::support::*;

const PIPE_HINT: &str =
    "  hint: pipe the output in: kubectl get pods -A | incident capture -c \"kubectl get pods -A\"\n";

#[test]
fn capture_of_blank_input_records_nothing_and_says_how_to_pipe_output_in() {
    let (env, id) = TestEnv::with_incident();
    let r = env.run_with_stdin(&["capture", "-t", "pods"], b"  \n\n\t\n");
    assert_eq!((r.code, r.stdout.as_str()), (2, "  \n\n\t\n"), "{}", r.stderr);
    assert_eq!(
        r.stderr,
        format!(
            "error: nothing to capture: only blank lines came on standard input (nothing was recorded)\n{PIPE_HINT}"
        )
    );
    // A blank file given instead of stdin is named.
    std::fs::write(env.root().join("pods.txt"), "\n\n").unwrap();
    let r = env.run(&["capture", "--no-echo", "pods.txt"]);
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr,
        format!("error: nothing to capture: pods.txt holds only blank lines (nothing was recorded)\n{PIPE_HINT}")
    );
    assert!(env.step_files(&id).is_empty());
    assert!(!env.incident_dir(&id).join("outputs").exists());
}
