//! The clock is an input: read once per command, pinned by `INCIDENT_NOW`, and the
//! parser for the human times `--at` accepts.

use chrono::{
    DateTime, Datelike, Duration, FixedOffset, Local, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone,
};

pub type Timestamp = DateTime<FixedOffset>;

#[derive(Clone, Debug)]
pub struct Clock {
    now: Timestamp,
    pinned: bool,
}

impl Clock {
    /// The system clock, in the local offset, to the millisecond.
    pub fn system() -> Clock {
        let now = Local::now().fixed_offset();
        let millis = now.timestamp_subsec_millis() * 1_000_000;
        let now = now.with_nanosecond_truncated(millis);
        Clock { now, pinned: false }
    }

    /// A clock stopped at `now`; its offset is the "local" offset for `--at 08:45`.
    pub fn fixed(now: Timestamp) -> Clock {
        Clock { now, pinned: true }
    }

    /// `INCIDENT_NOW` (RFC 3339) when given, else the system clock.
    pub fn from_env_value(value: Option<&str>) -> Result<Clock, String> {
        match value {
            None => Ok(Clock::system()),
            Some(v) => DateTime::parse_from_rfc3339(v.trim()).map(Clock::fixed).map_err(|_| {
                format!(
                    "INCIDENT_NOW={v:?} is not an RFC 3339 time: write the date, T, the time with seconds \
                     and the offset, e.g. INCIDENT_NOW=2025-10-05T08:23:00-05:00 (Z for UTC)"
                )
            }),
        }
    }

    pub fn now(&self) -> Timestamp {
        self.now
    }

    /// Now again, for a command that runs on (`serve`): the pinned time when pinned.
    pub fn current(&self) -> Timestamp {
        if self.pinned { self.now } else { Clock::system().now }
    }

    /// A wall-clock time on a date in the local zone (the pinned offset when pinned); the
    /// first of two in a daylight-saving overlap.
    fn localize(&self, naive: NaiveDateTime) -> Option<Timestamp> {
        self.occurrences(naive).into_iter().min()
    }

    /// Every instant a wall-clock time names in the local zone: none in a daylight-saving
    /// gap, two in an overlap.
    fn occurrences(&self, naive: NaiveDateTime) -> Vec<Timestamp> {
        let found = if self.pinned {
            self.now.offset().from_local_datetime(&naive)
        } else {
            Local.from_local_datetime(&naive).map(|t| t.fixed_offset())
        };
        match found {
            LocalResult::Single(t) => vec![t],
            LocalResult::Ambiguous(a, b) => vec![a, b],
            LocalResult::None => Vec::new(),
        }
    }

    /// `time` on `day`, or the error that says why it names no instant.
    fn on_day(&self, input: &str, day: NaiveDate, time: NaiveTime) -> Result<Timestamp, String> {
        self.localize(day.and_time(time)).ok_or_else(|| {
            format!(
                "{input:?} names no time on {day}: the clocks skipped it (daylight saving); \
                 give the offset, e.g. {day}T{}{}",
                time.format("%H:%M:%S"),
                self.now.offset()
            )
        })
    }

    /// Parses what `--at` accepts: RFC 3339, `08:45` (today), `2025-10-05 08:45`,
    /// `10 min ago`, `yesterday 23:10`, `today 08:45`, `now`. A step happened: the time
    /// is not later than now, and lies in the years 1970–9999 (what file names and
    /// RFC 3339 can hold).
    pub fn parse_at(&self, input: &str) -> Result<Timestamp, String> {
        let t = self.read_at(input)?;
        // A time copied from a host whose clock runs a little ahead: now.
        if t > self.now && !is_ahead(t, self.now) {
            return Ok(self.now);
        }
        if t > self.now {
            return Err(format!(
                "{input:?} is in the future ({}, now is {}); --at is for what already happened: \
                 give a past time, e.g. \"10 min ago\"",
                t.to_rfc3339(),
                self.now.to_rfc3339()
            ));
        }
        if !(1970..=9999).contains(&t.naive_utc().year()) {
            return Err(format!(
                "{input:?} is {}, outside the years 1970 to 9999; give a time in them, e.g. \"10 min ago\"",
                t.to_rfc3339()
            ));
        }
        Ok(t)
    }

    /// The day `--at` put a bare clock time (`08:45`) on, when not today: said, because
    /// typing a time still ahead today means yesterday, a slip at 8 a.m.
    pub fn bare_time_moved_to(&self, input: &str, at: Timestamp) -> Option<chrono::NaiveDate> {
        let bare = parse_clock(&input.trim().to_ascii_lowercase()).is_some();
        (bare && at.date_naive() != self.now.date_naive()).then(|| at.date_naive())
    }

    fn read_at(&self, input: &str) -> Result<Timestamp, String> {
        let text = input.trim();
        let lower = text.to_ascii_lowercase();
        if lower == "now" {
            return Ok(self.now);
        }
        if let Ok(t) = DateTime::parse_from_rfc3339(text) {
            return Ok(t);
        }
        if let Some(rest) = lower.strip_suffix(" ago") {
            let span = parse_span(rest).ok_or_else(|| at_error(input))?;
            return self.now.checked_sub_signed(span).ok_or_else(|| {
                format!("{input:?} is too long ago, outside the years 1970 to 9999; give a shorter span, e.g. \"10 min ago\"")
            });
        }
        let (day, clock, bare) = match lower.split_once(' ') {
            Some(("yesterday", rest)) => (self.now.date_naive().pred_opt(), rest.trim(), false),
            Some(("today", rest)) => (Some(self.now.date_naive()), rest.trim(), false),
            Some((date, rest)) if NaiveDate::parse_from_str(date, "%Y-%m-%d").is_ok() => {
                (NaiveDate::parse_from_str(date, "%Y-%m-%d").ok(), rest.trim(), false)
            }
            _ => (Some(self.now.date_naive()), lower.as_str(), true),
        };
        let lower_t = lower.replacen('t', " ", 1);
        if let Ok(naive) = NaiveDateTime::parse_from_str(&lower_t, "%Y-%m-%d %H:%M:%S")
            .or_else(|_| NaiveDateTime::parse_from_str(&lower_t, "%Y-%m-%d %H:%M"))
        {
            return self.on_day(input, naive.date(), naive.time());
        }
        let time = parse_clock(clock).ok_or_else(|| at_error(input))?;
        let day = day.ok_or_else(|| at_error(input))?;
        if !bare {
            return self.on_day(input, day, time);
        }
        // A bare clock time means its last occurrence: `23:50` typed at 00:10 is last night,
        // and so is a time the clocks skipped today; of two (clocks went back), the later.
        // Unless it is only a little ahead today: then it is a slip, not last night.
        let today = self.occurrences(day.and_time(time));
        if let Some(ahead) = today.iter().copied().filter(|t| *t > self.now).min()
            && !today.iter().any(|t| *t <= self.now)
        {
            if !is_ahead(ahead, self.now) {
                return Ok(ahead); // another host's clock a little ahead: parse_at takes it as now
            }
            if ahead - self.now < chrono::TimeDelta::hours(BARE_TIME_AHEAD_HOURS) {
                return Err(self.slip(input, clock, day, time, ahead));
            }
        }
        let yesterday = day.pred_opt().map(|d| self.occurrences(d.and_time(time))).unwrap_or_default();
        last_occurrence(self.now, today, yesterday).ok_or_else(|| match self.on_day(input, day, time) {
            Err(skipped_today) => skipped_today,
            Ok(_) => format!(
                "{input:?} is still ahead today and the clocks skipped it yesterday (daylight saving); \
                     give the day, e.g. \"today {clock}\""
            ),
        })
    }
}

impl Clock {
    /// The error for a bare clock time a little ahead of now (see [`BARE_TIME_AHEAD_HOURS`]).
    fn slip(&self, input: &str, clock: &str, day: NaiveDate, time: NaiveTime, ahead: Timestamp) -> String {
        use chrono::Timelike;
        let yesterday = day.pred_opt().unwrap_or(day);
        let full = if time.second() == 0 { time.format("%H:%M") } else { time.format("%H:%M:%S") };
        format!(
            "{input:?} is later than now ({}) by {}, too little to mean yesterday: a slip of the keyboard or of \
             another clock (UTC in a log)? Give a time before now, or the day: \"yesterday {clock}\" or {yesterday}T{full}",
            crate::format::clock(self.now),
            // Whole minutes, down: 11h 59m 59s ahead must not read as the 12 hours it is short of.
            crate::format::duration(chrono::Duration::minutes((ahead - self.now).num_minutes())),
        )
    }
}

trait TruncateNanos {
    fn with_nanosecond_truncated(self, nanos: u32) -> Self;
}

impl TruncateNanos for Timestamp {
    fn with_nanosecond_truncated(self, nanos: u32) -> Self {
        use chrono::Timelike;
        self.with_nanosecond(nanos).unwrap_or(self)
    }
}

/// How far ahead of this host's clock an `--at` time may be and still be taken as now.
const CLOCK_SKEW_SECONDS: i64 = 60;

/// `at` is later than `now` by more than another host's clock may run ahead (a minute):
/// in the future. Closer is now, for `--at` and for what a postmortem counts alike.
pub fn is_ahead(at: Timestamp, now: Timestamp) -> bool {
    at > now + chrono::TimeDelta::seconds(CLOCK_SKEW_SECONDS)
}

/// What every reading command says of a step [`is_ahead`]: one rule, one sentence.
pub fn left_out_until_then(id: &str, at: Timestamp, now: Timestamp) -> String {
    format!(
        "step {id} is dated {}, after now ({}); it is left out until then (correct its `at:` if that is wrong)",
        crate::format::date_time(at),
        crate::format::date_time(now)
    )
}

/// A bare clock time later than now is yesterday's only when it is at least this far
/// ahead, i.e. yesterday's was within the last 12 hours: `23:50` typed at 00:10 (or at
/// 09:00 the morning after) is last night. Closer, it is far more likely a slip than a
/// day-old step: a minute mistyped (`08:32` at 08:24), an hour off, a UTC time copied
/// from a log west of Greenwich (at most 12 hours off): refused, with the day to give.
const BARE_TIME_AHEAD_HOURS: i64 = 12;

/// The latest of a clock time's instants today and yesterday that is not in the future.
fn last_occurrence(now: Timestamp, today: Vec<Timestamp>, yesterday: Vec<Timestamp>) -> Option<Timestamp> {
    today.into_iter().chain(yesterday).filter(|t| *t <= now).max()
}

fn at_error(input: &str) -> String {
    format!(
        "cannot read the time {input:?}; use RFC 3339 (2025-10-05T08:45:00-05:00), \
         a clock time (08:45), \"10 min ago\" or \"yesterday 23:10\""
    )
}

/// `8:45`, `08:45`, `08:45:30`, `8:45pm`.
fn parse_clock(text: &str) -> Option<NaiveTime> {
    let (text, pm) = match text.strip_suffix("pm") {
        Some(t) => (t.trim(), Some(true)),
        None => match text.strip_suffix("am") {
            Some(t) => (t.trim(), Some(false)),
            None => (text, None),
        },
    };
    let time =
        NaiveTime::parse_from_str(text, "%H:%M:%S").or_else(|_| NaiveTime::parse_from_str(text, "%H:%M")).ok()?;
    match pm {
        None => Some(time),
        Some(pm) => {
            use chrono::Timelike;
            let hour = time.hour();
            if hour == 0 || hour > 12 {
                return None;
            }
            let hour = match (pm, hour) {
                (true, 12) => 12,
                (true, h) => h + 12,
                (false, 12) => 0,
                (false, h) => h,
            };
            time.with_hour(hour)
        }
    }
}

/// `10 min`, `2h`, `1 hour 30 min`, `90s`, `3 days`.
pub fn parse_span(text: &str) -> Option<Duration> {
    let mut total = Duration::zero();
    let mut rest = text.trim();
    let mut any = false;
    while !rest.is_empty() {
        let digits = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
        if digits == 0 {
            return None;
        }
        let n: i64 = rest[..digits].parse().ok()?;
        rest = rest[digits..].trim_start();
        let unit_len = rest.find(|c: char| !c.is_ascii_alphabetic()).unwrap_or(rest.len());
        let unit = &rest[..unit_len];
        rest = rest[unit_len..].trim_start_matches([' ', ',']);
        rest = rest.strip_prefix("and ").unwrap_or(rest);
        let one = match unit {
            "s" | "sec" | "secs" | "second" | "seconds" => Duration::seconds(1),
            "m" | "min" | "mins" | "minute" | "minutes" => Duration::minutes(1),
            "h" | "hr" | "hrs" | "hour" | "hours" => Duration::hours(1),
            "d" | "day" | "days" => Duration::days(1),
            "w" | "week" | "weeks" => Duration::weeks(1),
            _ => return None,
        };
        total = total.checked_add(&one.checked_mul(n.try_into().ok()?)?)?;
        any = true;
    }
    any.then_some(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clock() -> Clock {
        Clock::from_env_value(Some("2025-10-05T09:30:00-05:00")).unwrap()
    }

    fn at(s: &str) -> String {
        clock().parse_at(s).map(|t| t.to_rfc3339()).unwrap_or_else(|e| e)
    }

    #[test]
    fn a_bare_time_is_its_last_occurrence_across_daylight_saving() {
        let t = |s: &str| DateTime::parse_from_rfc3339(s).unwrap();
        // Clocks went back at 02:00 CDT: 01:30 happened at -05:00, then again at -06:00.
        let twice = vec![t("2025-11-02T01:30:00-05:00"), t("2025-11-02T01:30:00-06:00")];
        let yesterday = vec![t("2025-11-01T01:30:00-05:00")];
        let between = t("2025-11-02T01:45:00-05:00");
        assert_eq!(last_occurrence(between, twice.clone(), yesterday.clone()), Some(twice[0]));
        let after = t("2025-11-02T03:00:00-06:00");
        assert_eq!(last_occurrence(after, twice, yesterday.clone()), Some(t("2025-11-02T01:30:00-06:00")));
        // Skipped today (clocks went forward): yesterday's.
        assert_eq!(last_occurrence(after, Vec::new(), yesterday.clone()), Some(yesterday[0]));
        assert_eq!(last_occurrence(t("2025-10-31T00:00:00-05:00"), Vec::new(), yesterday), None);
    }

    #[test]
    fn accepts_the_documented_forms() {
        assert_eq!(at("2025-10-05T08:23:00Z"), "2025-10-05T08:23:00+00:00");
        assert_eq!(at("08:45"), "2025-10-05T08:45:00-05:00");
        assert_eq!(at("8:45"), "2025-10-05T08:45:00-05:00");
        assert_eq!(at("08:45:30"), "2025-10-05T08:45:30-05:00");
        assert_eq!(at("10 min ago"), "2025-10-05T09:20:00-05:00");
        assert_eq!(at("1 hour 30 min ago"), "2025-10-05T08:00:00-05:00");
        assert_eq!(at("2h ago"), "2025-10-05T07:30:00-05:00");
        assert_eq!(at("yesterday 23:10"), "2025-10-04T23:10:00-05:00");
        assert_eq!(at("today 8:00am"), "2025-10-05T08:00:00-05:00");
        assert_eq!(at("2025-10-04 22:00"), "2025-10-04T22:00:00-05:00");
        // A bare clock time over 12 hours ahead is its last occurrence, yesterday's.
        assert_eq!(at("9:45pm"), "2025-10-04T21:45:00-05:00");
        assert_eq!(at("23:50"), "2025-10-04T23:50:00-05:00");
        assert_eq!(at("now"), "2025-10-05T09:30:00-05:00");
    }

    #[test]
    fn refuses_times_later_than_now() {
        assert_eq!(
            at("today 3:15pm"),
            "\"today 3:15pm\" is in the future (2025-10-05T15:15:00-05:00, now is 2025-10-05T09:30:00-05:00); \
             --at is for what already happened: give a past time, e.g. \"10 min ago\""
        );
        assert!(at("2025-10-05 23:50").starts_with("\"2025-10-05 23:50\" is in the future"));
        assert!(at("2025-10-05T14:31:01Z").starts_with("\"2025-10-05T14:31:01Z\" is in the future"));
        // Up to a minute ahead (another host's clock) is now.
        assert_eq!(at("2025-10-05T14:30:30Z"), "2025-10-05T09:30:00-05:00");
        assert_eq!(at("2025-10-05T14:30:00Z"), "2025-10-05T14:30:00+00:00");
        // `today 8:00am` typed at 00:10 is later today, not the morning before.
        let early = Clock::from_env_value(Some("2025-10-05T00:10:00-05:00")).unwrap();
        let err = early.parse_at("today 8:00am").unwrap_err();
        assert!(err.starts_with("\"today 8:00am\" is in the future (2025-10-05T08:00:00-05:00"), "{err}");
    }

    #[test]
    fn refuses_a_bare_time_a_little_ahead_as_a_slip() {
        assert_eq!(
            at("09:38"),
            "\"09:38\" is later than now (09:30) by 8m, too little to mean yesterday: a slip of the keyboard or of \
             another clock (UTC in a log)? Give a time before now, or the day: \"yesterday 09:38\" or 2025-10-04T09:38"
        );
        assert!(at("3:15pm").ends_with("by 5h 45m, too little to mean yesterday: a slip of the keyboard or of another clock (UTC in a log)? Give a time before now, or the day: \"yesterday 3:15pm\" or 2025-10-04T15:15"), "{}", at("3:15pm"));
        assert!(at("21:29:59").contains("by 11h 59m,"), "{}", at("21:29:59"));
        assert_eq!(at("21:30"), "2025-10-04T21:30:00-05:00");
        // Within a minute (another host's clock): now.
        assert_eq!(at("09:30:40"), "2025-10-05T09:30:00-05:00");
        // At 00:10, 23:50 is last night.
        let early = Clock::from_env_value(Some("2025-10-05T00:10:00-05:00")).unwrap();
        assert_eq!(early.parse_at("23:50").unwrap().to_rfc3339(), "2025-10-04T23:50:00-05:00");
    }

    #[test]
    fn refuses_times_outside_the_years_1970_to_9999() {
        assert_eq!(
            at("100000000 days ago"),
            "\"100000000 days ago\" is too long ago, outside the years 1970 to 9999; give a shorter span, e.g. \"10 min ago\""
        );
        assert_eq!(
            at("1000000000 hours ago"),
            "\"1000000000 hours ago\" is -112054-04-21T17:30:00-05:00, outside the years 1970 to 9999; \
             give a time in them, e.g. \"10 min ago\""
        );
        assert!(at("1969-12-31T23:59:59Z").contains("outside the years 1970 to 9999"));
        assert!(at("0000-01-01 00:00").contains("outside the years 1970 to 9999"));
        assert_eq!(at("1970-01-01T00:00:00Z"), "1970-01-01T00:00:00+00:00");
        // The year a file name gets is the UTC one.
        assert!(at("1970-01-01T00:00:00+01:00").contains("outside the years 1970 to 9999"));
        assert!(at("9999999 weeks ago").contains("outside the years 1970 to 9999"));
    }

    #[test]
    fn rejects_nonsense_with_a_hint() {
        for bad in ["", "tomorrowish", "25:00", "10 parsecs ago", "ago", "13:00pm", "yesterday", "-5 min ago"] {
            let err = clock().parse_at(bad).unwrap_err();
            assert!(err.contains("cannot read the time"), "{bad}: {err}");
        }
    }

    #[test]
    fn bad_incident_now_names_the_value() {
        let err = Clock::from_env_value(Some("yesterday")).unwrap_err();
        assert!(err.starts_with("INCIDENT_NOW=\"yesterday\" is not an RFC 3339 time"));
        assert_eq!(
            Clock::from_env_value(Some("2025-10-05 08:23")).unwrap_err(),
            "INCIDENT_NOW=\"2025-10-05 08:23\" is not an RFC 3339 time: write the date, T, the time with seconds \
             and the offset, e.g. INCIDENT_NOW=2025-10-05T08:23:00-05:00 (Z for UTC)"
        );
    }
}
