//! Text a person gave that is not a step's text: INCIDENT_AUTHOR, INCIDENT_HOST and the
//! names of attached files. Each is redacted like a title, before it is written or slugged
//! into a file name.

use std::path::Path;

use crate::support::{TestEnv, frontmatter};

const SECRET: &str = "Hunter2Secret99";

/// No file under `dir` holds `secret` in its name or its text, in any case.
fn assert_nowhere(dir: &Path, secret: &str) {
    let secret = secret.to_lowercase();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_lowercase();
        assert!(!name.contains(&secret), "a name holds the secret: {}", path.display());
        if path.is_dir() {
            assert_nowhere(&path, &secret);
        } else {
            let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).to_lowercase();
            assert!(!text.contains(&secret), "{} holds the secret:\n{text}", path.display());
        }
    }
}

#[test]
fn the_author_and_host_are_redacted_like_a_title() {
    let mut env = TestEnv::new();
    env.extra_env.push(("INCIDENT_AUTHOR".into(), format!("alice password={SECRET}")));
    env.extra_env.push(("INCIDENT_HOST".into(), "db1 secret=Xy7kQ2pLm9Rt4vZ8wNc".into()));
    let id = env.ok(&["start", "Checkout returns 500"]).trim().to_string();
    env.ok(&["note", "x"]);
    let author = "alice password=[REDACTED:password-assignment-1]";
    let host = "db1 secret=[REDACTED:secret-assignment-1]";
    let incident = frontmatter(&std::fs::read_to_string(env.incident_dir(&id).join("incident.md")).unwrap());
    assert_eq!((incident["author"].as_str(), incident["host"].as_str()), (Some(author), Some(host)));
    // The step numbers them as incident.md did: the same secret, the same placeholder.
    let note = frontmatter(&env.only_step(&id, "note"));
    assert_eq!((note["author"].as_str(), note["host"].as_str()), (Some(author), Some(host)));
    assert_eq!(note["redactions"], serde_json::json!({"password-assignment": 1, "secret-assignment": 1}));
    assert_nowhere(env.root(), SECRET);
    assert_nowhere(env.root(), "Xy7kQ2pLm9Rt4vZ8wNc");
}
