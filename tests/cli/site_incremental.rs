//! Re-publishing: only what changed is rewritten, deleted pages come back, a deleted
//! incident's pages go, and a folder of someone else's is never swept.

use std::fs;
use std::io::Write;

use crate::site::{inodes, read, rewritten, two_published_incidents};
use crate::support::*;

#[test]
fn republishing_rewrites_only_what_changed() {
    let mut env = TestEnv::new();
    let a = env.ok(&["start", "First outage", "--tag", "dns"]).trim().to_string();
    env.ok(&["note", "looking at DNS"]);
    env.ok(&["resolve", "fixed"]);
    env.at("2025-10-06T08:23:00-05:00");
    let b = env.ok(&["start", "Second outage", "--tag", "disk"]).trim().to_string();
    env.ok(&["note", "disk full"]);
    env.ok(&["resolve", "fixed"]);
    env.ok(&["publish"]);
    let site = env.root().join("public");
    let first = inodes(&site);

    // Nothing changed: nothing written.
    let r = env.run(&["publish"]);
    assert!(r.stderr.contains("(0 rendered, 2 unchanged; 0 files written, 0 removed)"), "{}", r.stderr);
    assert_eq!(rewritten(&first, &inodes(&site)), Vec::<String>::new());

    // One note edited by hand: its incident page and the search index, nothing else.
    let note = env.step_files(&b).into_iter().find(|p| p.to_string_lossy().contains("-note-")).unwrap();
    let text = read(&note).replace("disk full", "disk full of core dumps");
    fs::write(&note, text).unwrap();
    let r = env.run(&["publish"]);
    assert!(r.stderr.contains("(1 rendered, 1 unchanged;"), "{}", r.stderr);
    let second = inodes(&site);
    assert_eq!(
        rewritten(&first, &second),
        [format!("incidents/{b}/index.html"), "search-index.js".to_string(), "search-index.json".to_string()]
    );
    assert!(read(&site.join(format!("incidents/{b}/index.html"))).contains("disk full of core dumps"));

    // A new step (a new file) changes the incident's last update: the feed follows.
    env.ok(&["switch", &a]);
    env.at("2025-10-07T08:00:00-05:00");
    env.ok(&["note", "follow-up: add an alert"]);
    env.ok(&["publish"]);
    let third = inodes(&site);
    let changed = rewritten(&second, &third);
    assert!(changed.contains(&format!("incidents/{a}/index.html")), "{changed:?}");
    assert!(changed.contains(&"feed.xml".to_string()), "{changed:?}");
    assert!(!changed.contains(&format!("incidents/{b}/index.html")), "{changed:?}");

    // An incident deleted from the vault: its pages and its tag page go.
    fs::remove_dir_all(env.incident_dir(&b)).unwrap();
    let r = env.run(&["publish"]);
    assert!(r.stderr.contains("published 1 incident to public"), "{}", r.stderr);
    assert!(!site.join("incidents").join(&b).exists());
    assert!(!site.join("tags/disk").exists());
    assert!(site.join("tags/dns/index.html").is_file());
    assert!(!read(&site.join("index.html")).contains("Second outage"));
    // A page deleted by hand comes back.
    fs::remove_file(site.join(format!("incidents/{a}/index.html"))).unwrap();
    env.ok(&["publish"]);
    assert!(site.join(format!("incidents/{a}/index.html")).is_file());

    // The whole site deleted: everything is read again, stamped as it is read; those stamps
    // are the ones the next look compares with, so then nothing is rendered.
    fs::remove_dir_all(&site).unwrap();
    let r = env.run(&["publish"]);
    assert!(r.stderr.contains("(1 rendered, 0 unchanged;"), "{}", r.stderr);
    assert!(site.join(format!("incidents/{a}/index.html")).is_file());
    let r = env.run(&["publish"]);
    assert!(r.stderr.contains("(0 rendered, 1 unchanged; 0 files written, 0 removed)"), "{}", r.stderr);
    let note = env.step_files(&a).into_iter().find(|p| p.to_string_lossy().contains("-note-")).unwrap();
    fs::OpenOptions::new().append(true).open(&note).unwrap().write_all(b"appended in place\n").unwrap();
    let r = env.run(&["publish"]);
    assert!(r.stderr.contains("(1 rendered, 0 unchanged;"), "{}", r.stderr);
    assert!(read(&site.join(format!("incidents/{a}/index.html"))).contains("appended in place"));

    // An edit that changes no line of any list (a blank line): the incident page only.
    let before = inodes(&site);
    fs::OpenOptions::new().append(true).open(&note).unwrap().write_all(b"\n").unwrap();
    let r = env.run(&["publish"]);
    assert!(r.stderr.contains("(1 rendered, 0 unchanged; 1 file written, 0 removed)"), "{}", r.stderr);
    assert_eq!(rewritten(&before, &inodes(&site)), [format!("incidents/{a}/index.html")]);
    // A list page deleted by hand comes back too.
    fs::remove_file(site.join("tags/dns/index.html")).unwrap();
    let r = env.run(&["publish"]);
    assert!(r.stderr.contains("(0 rendered, 1 unchanged; 1 file written, 0 removed)"), "{}", r.stderr);
    assert!(site.join("tags/dns/index.html").is_file());
}

#[test]
fn an_edit_that_keeps_size_and_modification_time_is_still_republished() {
    let (env, id) = TestEnv::with_incident();
    env.ok(&["note", "disk full"]);
    env.ok(&["publish", "--include-open"]);
    let note = env.step_files(&id).into_iter().find(|p| p.to_string_lossy().contains("-note-")).unwrap();
    let mtime = fs::metadata(&note).unwrap().modified().unwrap();
    // As `sed -i s/full/FULL/` then `touch -r` would: a new file, same size, old time.
    let edited = note.with_extension("tmp");
    fs::write(&edited, read(&note).replace("disk full", "disk FULL")).unwrap();
    fs::File::options().write(true).open(&edited).unwrap().set_modified(mtime).unwrap();
    fs::rename(&edited, &note).unwrap();
    assert_eq!(fs::metadata(&note).unwrap().modified().unwrap(), mtime);
    let r = env.run(&["publish", "--include-open"]);
    assert!(r.stderr.contains("(1 rendered, 0 unchanged;"), "{}", r.stderr);
    assert!(read(&env.root().join(format!("public/incidents/{id}/index.html"))).contains("disk FULL"));
}

#[test]
fn a_deleted_incident_leaves_the_site_without_a_record_of_the_folder() {
    let mut env = TestEnv::new();
    let a = env.ok(&["start", "First outage", "--tag", "dns"]).trim().to_string();
    env.ok(&["resolve", "fixed"]);
    env.at("2025-10-06T08:23:00-05:00");
    let b = env.ok(&["start", "Second outage", "--tag", "disk"]).trim().to_string();
    env.ok(&["resolve", "fixed"]);
    env.ok(&["publish"]);
    env.ok(&["publish", "--out", "other"]);
    let site = env.root().join("public");
    // Files of the user's own beside the site are never touched.
    fs::write(site.join("about.html"), "mine").unwrap();
    fs::create_dir_all(site.join("extra")).unwrap();
    fs::write(site.join("extra/notes.txt"), "mine").unwrap();
    fs::remove_dir_all(env.incident_dir(&b)).unwrap();

    // The record is of `other/` now: nothing says what `public/` holds.
    let r = env.run(&["publish"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("published 1 incident to public"), "{}", r.stderr);
    assert!(!site.join("incidents").join(&b).exists());
    assert!(!site.join("tags/disk").exists());
    assert!(site.join(format!("incidents/{a}/index.html")).is_file());
    assert!(site.join("tags/dns/index.html").is_file());
    assert!(site.join("about.html").is_file() && site.join("extra/notes.txt").is_file());

    // --force forgets the record: the same sweep.
    let other = env.root().join("other");
    assert!(other.join("incidents").join(&b).exists());
    let r = env.run(&["publish", "--force", "--out", "other"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("(1 rendered, 0 unchanged;"), "{}", r.stderr);
    assert!(!other.join("incidents").join(&b).exists());
    assert!(!other.join("tags/disk").exists());
    assert!(!read(&other.join("search-index.json")).contains("Second outage"));
    assert!(other.join(format!("incidents/{a}/index.html")).is_file());
}

#[test]
fn a_folder_of_someone_elses_is_written_into_but_never_swept() {
    let (env, _id) = TestEnv::with_incident();
    env.ok(&["resolve", "fixed"]);
    let www = env.root().join("www");
    fs::create_dir_all(www.join("assets")).unwrap();
    fs::write(www.join("assets/theme.css"), "mine").unwrap();
    fs::create_dir_all(www.join("tags")).unwrap();
    fs::write(www.join("tags/notes.txt"), "mine").unwrap();
    // Twice in a row (a record of the folder), then with --force (no record): never swept.
    let publishes =
        [&["publish", "--out", "www"][..], &["publish", "--out", "www"], &["publish", "--out", "www", "--force"]];
    for args in publishes {
        let r = env.run(args);
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert_eq!(read(&www.join("assets/theme.css")), "mine", "{args:?}");
        assert_eq!(read(&www.join("tags/notes.txt")), "mine", "{args:?}");
    }
    assert!(!www.join(".incident-site").exists(), "the folder is not claimed");
    // A folder it published from empty is its own: marked, and swept when there is no record.
    env.ok(&["publish"]);
    assert!(env.root().join("public/.incident-site").is_file());
}

#[test]
fn every_file_deleted_by_hand_comes_back() {
    let (env, id) = TestEnv::with_incident();
    let vault_dir = env.incident_dir(&id);
    let step = "kind: run\nat: 2025-10-05T08:30:00-05:00\ncommand: kubectl get pods\noutput_file: outputs/20251005T133000Z-run-big001.out\n";
    fs::create_dir_all(vault_dir.join("steps")).unwrap();
    fs::write(vault_dir.join("steps/20251005T133000Z-run-big001.md"), format!("---\n{step}---\n\nhead of it\n"))
        .unwrap();
    fs::create_dir_all(vault_dir.join("outputs")).unwrap();
    fs::write(vault_dir.join("outputs/20251005T133000Z-run-big001.out"), "all of it\n").unwrap();
    env.ok(&["resolve", "done"]);
    fs::write(vault_dir.join("postmortem.md"), "# Postmortem\n\nAll good.\n").unwrap();
    env.ok(&["publish"]);
    let dir = env.root().join("public/incidents").join(&id);
    let postmortem = dir.join("postmortem.html");
    let output = dir.join("outputs/20251005T133000Z-run-big001.out.txt");
    assert!(postmortem.is_file() && output.is_file());
    fs::remove_file(&postmortem).unwrap();
    fs::remove_file(&output).unwrap();
    let r = env.run(&["publish"]);
    assert!(r.stderr.contains("(1 rendered, 0 unchanged;"), "{}", r.stderr);
    assert!(postmortem.is_file() && output.is_file());
}

#[test]
fn a_damaged_publish_record_means_reading_everything_again() {
    let (env, a) = two_published_incidents();
    let record = env.root().join(".incident/site-cache");
    let entries = env.root().join(".incident/site-cache.entries");
    let bytes = fs::read(&entries).unwrap();
    // The entries cut short: what each incident was made from still reads.
    fs::write(&entries, &bytes[..bytes.len() - 20]).unwrap();
    let md = env.incident_dir(&a).join("incident.md");
    fs::write(&md, read(&md).replace("First outage", "First outage, retitled")).unwrap();
    let r = env.run(&["publish"]);
    assert!(r.stderr.contains("published 2 incidents to public"), "{}", r.stderr);
    assert!(r.stderr.contains("(2 rendered, 0 unchanged;"), "{}", r.stderr);
    let index = read(&env.root().join("public/index.html"));
    assert!(index.contains("First outage, retitled") && index.contains("Second outage"), "{index}");
    let r = env.run(&["publish"]);
    assert!(r.stderr.contains("(0 rendered, 2 unchanged; 0 files written, 0 removed)"), "{}", r.stderr);
    // Garbage is no record: everything is rendered.
    fs::write(&record, b"not a record").unwrap();
    let r = env.run(&["publish"]);
    assert!(r.stderr.contains("(2 rendered, 0 unchanged;"), "{}", r.stderr);
    // --force forgets the record on purpose.
    let r = env.run(&["publish", "--force"]);
    assert!(r.stderr.contains("(2 rendered, 0 unchanged;"), "{}", r.stderr);
    assert!(record.is_file() && entries.is_file());
}
