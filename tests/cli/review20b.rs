//! Fixes from the twentieth review (second half): an option's detail in the postmortem, a
//! quote left open in incident.md, a typo in a step's kind, an attachment's title, Ctrl-C
//! before any input came to `capture`.

use crate::support::*;

#[test]
fn an_options_detail_is_in_the_postmortem_data_and_under_the_option() {
    let (mut env, _id) = TestEnv::with_incident();
    let detail = "```sh\nsudo systemctl restart k3s\n```";
    env.ok(&["option", "-q", "Clean restart", "--pros", "minutes", "--cons", "may recur", "--detail", detail]);
    env.at("2025-10-05T09:00:00-05:00");
    env.ok(&["option", "-q", "Pin to interface"]);
    let json = env.json(&["postmortem", "--format", "json"]);
    assert_eq!(json["options"][0]["detail"], detail);
    assert_eq!(json["options"][1]["detail"], serde_json::Value::Null, "no detail given");
    let text = env.ok(&["postmortem", "--out", "-"]);
    assert!(
        text.contains(&format!("Cons:\n- may recur\n\n{detail}\n\n[option](steps/")),
        "the detail as given, under the option: {text}"
    );
}
