//! Text a person gave that is not a step's text: INCIDENT_AUTHOR, INCIDENT_HOST and the
//! names of attached files. Each is redacted like a title, before it is written or slugged
//! into a file name.

use std::path::Path;

use crate::support::{TestEnv, body, frontmatter};

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

#[test]
fn an_attached_file_named_with_a_secret_is_stored_under_a_redacted_name() {
    let (env, id) = TestEnv::with_incident();
    let outside = tempfile::tempdir().unwrap();
    let file = outside.path().join(format!("password={SECRET}.txt"));
    std::fs::write(&file, "restored from the 09:00 dump\n").unwrap();
    env.ok(&["attach", file.to_str().unwrap()]);
    let step = env.only_step(&id, "attach");
    let fm = frontmatter(&step);
    let step_id = fm["id"].as_str().unwrap();
    // Only the stem is redacted: the extension stays, so a picture stays a picture.
    let stored = format!("attachments/{step_id}-password-redacted-password-assignment-1.txt");
    assert_eq!(fm["attachment"].as_str(), Some(stored.as_str()));
    assert_eq!(fm["redactions"], serde_json::json!({"password-assignment": 1}));
    assert_eq!(
        body(&step),
        format!("Attached [password-redacted-password-assignment-1.txt](../{stored}) (29 bytes).\n")
    );
    assert_eq!(std::fs::read_to_string(env.incident_dir(&id).join(&stored)).unwrap(), "restored from the 09:00 dump\n");
    assert_nowhere(env.root(), SECRET);
    // A name without a secret keeps its extension; a token before the dot goes, the dot stays.
    let file = outside.path().join("k3s.service");
    std::fs::write(&file, "[Unit]\n").unwrap();
    env.ok(&["attach", file.to_str().unwrap()]);
    let file = outside.path().join("ghp_1234567890abcdefghijABCDEFGHIJ123456.log");
    std::fs::write(&file, "ok\n").unwrap();
    env.ok(&["attach", file.to_str().unwrap()]);
    // `<at>-attach-<random>-<name>`
    let mut names: Vec<String> = std::fs::read_dir(env.incident_dir(&id).join("attachments"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().splitn(4, '-').nth(3).unwrap().to_string())
        .collect();
    names.sort();
    assert_eq!(names, ["k3s.service", "password-redacted-password-assignment-1.txt", "redacted-github-token-1.log"]);
    assert_nowhere(env.root(), "ghp_1234567890abcdefghijABCDEFGHIJ123456");
}
