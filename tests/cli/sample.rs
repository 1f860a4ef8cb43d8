//! The sample vault in `vault/` is what `examples/k3s-resurrection.sh` records:
//! re-recording it into a temp folder gives the same files, up to the random part
//! of step ids (and the hashes that cover them).

use std::collections::BTreeMap;
use std::path::Path;

fn normalized_tree(root: &Path) -> BTreeMap<String, String> {
    let ids = regex::Regex::new(r"(\d{8}T\d{6}Z-[a-z-]+)-[0-9a-z]{6}").unwrap();
    let hashes = regex::Regex::new(r"\b[0-9a-f]{64}\b").unwrap();
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let rel = path.strip_prefix(root).unwrap().to_str().unwrap().to_string();
            if rel.starts_with(".incident") || rel.starts_with("public") {
                continue; // local state and the published site: git-ignored
            }
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let text = hashes.replace_all(&ids.replace_all(&text, "$1-XXXXXX"), "<sha256>").into_owned();
            out.insert(ids.replace_all(&rel, "$1-XXXXXX").into_owned(), text);
        }
    }
    out
}

#[test]
fn the_sample_vault_is_what_the_script_records() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let tmp = tempfile::tempdir().unwrap();
    let vault = tmp.path().join("vault");
    let out = std::process::Command::new("bash")
        .arg(repo.join("examples/k3s-resurrection.sh"))
        .arg(&vault)
        .env("INCIDENT", env!("CARGO_BIN_EXE_incident"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let fresh = normalized_tree(&vault);
    let committed = normalized_tree(&repo.join("vault"));
    assert_eq!(
        fresh.keys().collect::<Vec<_>>(),
        committed.keys().collect::<Vec<_>>(),
        "re-record the sample vault: examples/k3s-resurrection.sh"
    );
    for (name, text) in &fresh {
        assert_eq!(text, &committed[name], "{name} differs: re-record with examples/k3s-resurrection.sh");
    }
    assert!(fresh.len() > 50);
}
