//! Dates and times as the team reads them. Timestamps arrive in UTC and are shown in the
//! browser's time zone; deadlines are calendar dates and have none. Written by hand from
//! chrono's accessors: `format` would bring chrono's whole strftime interpreter into the bundle
//! for three patterns.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, Timelike, Utc};

const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

fn month(d: &impl Datelike) -> &'static str {
    MONTHS[d.month0() as usize]
}

/// `t` on the browser's clock (its offset at that instant, so summer time is right).
fn local(t: DateTime<Utc>) -> NaiveDateTime {
    let date = js_sys::Date::new(&(t.timestamp_millis() as f64).into());
    // Minutes from local time to UTC: positive west of Greenwich.
    let behind = date.get_timezone_offset();
    t.naive_utc() - Duration::minutes(behind as i64)
}

/// "Nov 26" this year, "Jan 4, 2027" in another: a deadline on a card.
pub fn short_date(d: NaiveDate) -> String {
    if d.year() == js_sys::Date::new_0().get_full_year() as i32 {
        format!("{} {}", month(&d), d.day())
    } else {
        long_date(d)
    }
}

/// "Nov 26, 2026".
pub fn long_date(d: NaiveDate) -> String {
    format!("{} {}, {}", month(&d), d.day(), d.year())
}

/// "Nov 26 14:05", local time.
pub fn date_time(t: DateTime<Utc>) -> String {
    let l = local(t);
    format!("{} {} {:02}:{:02}", month(&l), l.day(), l.hour(), l.minute())
}

/// "Nov 26, 2026", the local calendar day of `t`.
pub fn day_of(t: DateTime<Utc>) -> String {
    long_date(local(t).date())
}

/// Whole days from now until `t` (0 once it has passed), on the browser's clock.
pub fn days_until(t: DateTime<Utc>) -> i64 {
    let now = js_sys::Date::now() as i64;
    ((t.timestamp_millis() - now) / 86_400_000).max(0)
}
