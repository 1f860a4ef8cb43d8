//! What an incident's page says: times on the incident's own clock.

use crate::site::read;
use crate::support::TestEnv;

#[test]
fn steps_recorded_in_another_offset_are_shown_on_the_incidents_clock() {
    let mut env = TestEnv::new();
    env.at("2026-03-01T23:30:00-05:00");
    let id = env.ok(&["start", "TZ"]).trim().to_string();
    env.at("2026-03-02T04:40:00Z");
    env.ok(&["note", "from a UTC laptop"]);
    env.at("2026-03-01T23:50:00-05:00");
    env.ok(&["note", "back on the -05 box"]);
    env.at("2026-03-02T05:10:00Z");
    env.ok(&["resolve"]);
    env.ok(&["publish", "-q"]);
    let page = read(&env.root().join(format!("public/incidents/{id}/index.html")));
    let times: Vec<&str> = page.match_indices("<time").map(|(i, _)| &page[i..]).collect();
    let shown: Vec<&str> =
        times.iter().filter_map(|t| t.split_once('>').map(|(_, rest)| rest.split('<').next().unwrap_or(""))).collect();
    assert!(
        shown.iter().any(|t| t.contains("23:40")),
        "the UTC note at 04:40Z is 23:40 on the incident's clock: {shown:?}"
    );
    assert!(shown.iter().any(|t| t.contains("00:10")), "resolved at 05:10Z is 00:10: {shown:?}");
    assert!(!shown.iter().any(|t| t.contains("04:40") || t.contains("05:10")), "{shown:?}");
}
