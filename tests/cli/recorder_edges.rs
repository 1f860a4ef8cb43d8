//! Edge cases of the recorder found by review: absurd times, closed pipes, control
//! characters, long lines, odd environments.

use crate::support::TestEnv;

#[test]
fn at_refuses_the_future_and_times_outside_1970_to_9999() {
    let (env, id) = TestEnv::with_incident();
    assert_eq!(
        env.fails(2, &["note", "--at", "100000000 days ago", "x"]),
        "error: --at: \"100000000 days ago\" is too long ago, outside the years 1970 to 9999; give a shorter span, e.g. \"10 min ago\"\n  hint: see `incident note --help`\n"
    );
    assert_eq!(
        env.fails(2, &["note", "--at", "1000000000 hours ago", "x"]),
        "error: --at: \"1000000000 hours ago\" is -112054-04-21T16:23:00-05:00, outside the years 1970 to 9999; give a time in them, e.g. \"10 min ago\"\n  hint: see `incident note --help`\n"
    );
    assert_eq!(
        env.fails(2, &["note", "--at", "2030-01-01T00:00:00Z", "x"]),
        "error: --at: \"2030-01-01T00:00:00Z\" is in the future (2030-01-01T00:00:00+00:00, now is 2025-10-05T08:23:00-05:00); --at is for what already happened: give a past time, e.g. \"10 min ago\"\n  hint: see `incident note --help`\n"
    );
    assert!(env.fails(2, &["start", "later", "--at", "today 9:00am"]).starts_with(
        "error: --at: \"today 9:00am\" is in the future (2025-10-05T09:00:00-05:00, now is 2025-10-05T08:23:00-05:00)"
    ));
    assert!(env.step_files(&id).is_empty(), "nothing was written");
    env.ok(&["note", "--at", "today 8:00am", "x"]);
}
