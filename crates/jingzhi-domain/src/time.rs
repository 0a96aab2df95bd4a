//! Instants, civil dates and their fixed text forms.
//!
//! Instants are stored in UTC as `YYYY-MM-DDTHH:MM:SS.ffffffZ` (always 27 characters, so text order
//! is time order). Civil dates (the dates on which legal periods are counted) are dates in
//! Asia/Shanghai. No function here reads the clock.

use jiff::Timestamp;
use jiff::civil::{Date, DateTime};
use jiff::tz::TimeZone;
use std::sync::OnceLock;

/// The zone in which every civil date of the product is read: Asia/Shanghai (bundled tzdb).
pub fn zone() -> &'static TimeZone {
    static TZ: OnceLock<TimeZone> = OnceLock::new();
    TZ.get_or_init(|| TimeZone::get("Asia/Shanghai").expect("bundled tzdb has Asia/Shanghai"))
}

/// The civil date (Asia/Shanghai) of an instant.
pub fn civil_date(ts: Timestamp) -> Date {
    ts.to_zoned(zone().clone()).date()
}

/// The civil date-time (Asia/Shanghai) of an instant.
pub fn civil_datetime(ts: Timestamp) -> DateTime {
    ts.to_zoned(zone().clone()).datetime()
}

/// The instant at which a civil date-time (Asia/Shanghai) occurs.
pub fn instant_of(dt: DateTime) -> Timestamp {
    dt.to_zoned(zone().clone())
        .expect("Asia/Shanghai has no gaps after 1991")
        .timestamp()
}

/// 00:00 of a civil date in Asia/Shanghai.
pub fn start_of_day(d: Date) -> Timestamp {
    instant_of(d.to_datetime(jiff::civil::Time::midnight()))
}

/// The last representable microsecond of a civil date (23:59:59.999999) in Asia/Shanghai.
pub fn end_of_day(d: Date) -> Timestamp {
    instant_of(d.to_datetime(jiff::civil::time(23, 59, 59, 999_999_000)))
}

/// Stored text form of an instant: UTC, microsecond precision, fixed width.
pub fn format_ts(ts: Timestamp) -> String {
    let dt = TimeZone::UTC.to_datetime(ts);
    let year = dt.year();
    if !(0..=9999).contains(&year) {
        return format_ts_general(dt);
    }
    // Digit by digit: every stored instant goes through here (a formatting machinery call per
    // field showed in the intake profile).
    let mut out = String::with_capacity(27);
    let mut push = |v: u32, width: u32, after: char| {
        for k in (0..width).rev() {
            out.push(char::from(b'0' + ((v / 10u32.pow(k)) % 10) as u8));
        }
        out.push(after);
    };
    push(year as u32, 4, '-');
    push(dt.month() as u32, 2, '-');
    push(dt.day() as u32, 2, 'T');
    push(dt.hour() as u32, 2, ':');
    push(dt.minute() as u32, 2, ':');
    push(dt.second() as u32, 2, '.');
    push((dt.subsec_nanosecond() / 1000) as u32, 6, 'Z');
    out
}

/// [`format_ts`] through the formatting machinery (years outside 0–9999).
fn format_ts_general(dt: jiff::civil::DateTime) -> String {
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z",
        dt.year(),
        dt.month(),
        dt.day(),
        dt.hour(),
        dt.minute(),
        dt.second(),
        dt.subsec_nanosecond() / 1000
    )
}

/// Parses any RFC 3339 instant (with `Z` or an offset). A civil date-time without offset is read
/// in Asia/Shanghai, and a bare date as 00:00 Asia/Shanghai.
pub fn parse_instant(s: &str) -> Result<Timestamp, String> {
    let s = s.trim();
    if let Ok(ts) = s.parse::<Timestamp>() {
        return Ok(ts);
    }
    if let Ok(dt) = s.parse::<DateTime>() {
        return Ok(instant_of(dt));
    }
    if let Ok(d) = s.parse::<Date>() {
        return Ok(start_of_day(d));
    }
    Err(format!(
        "无法识别的时间：{s}（应为 2026-03-02、2026-03-02T09:30 或 RFC 3339 格式）"
    ))
}

/// Parses the date-times that spreadsheets and other systems write: `2026-03-02 09:30`,
/// `2026/3/2 9:30:05`, `2026.3.2`, `2026年3月2日 9时30分`, or anything [`parse_instant`] accepts.
/// Civil times are read in Asia/Shanghai.
pub fn parse_loose_instant(s: &str) -> Result<Timestamp, String> {
    let t = s.trim();
    if let Ok(ts) = parse_instant(t) {
        return Ok(ts);
    }
    let nums: Vec<u32> = t
        .split(|c: char| !c.is_ascii_digit())
        .filter(|p| !p.is_empty())
        .map(|p| p.parse::<u32>().map_err(|_| ()))
        .collect::<Result<_, _>>()
        .map_err(|_| format!("无法识别的时间：{t}"))?;
    let bad = || format!("无法识别的时间：{t}（应如 2026-03-02 09:30）");
    if !(3..=6).contains(&nums.len()) || nums[0] < 1900 || nums[0] > 2200 {
        return Err(bad());
    }
    let get = |i: usize| nums.get(i).copied().unwrap_or(0);
    let date = jiff::civil::Date::new(get(0) as i16, get(1) as i8, get(2) as i8).map_err(|_| bad())?;
    let time = jiff::civil::Time::new(get(3) as i8, get(4) as i8, get(5) as i8, 0).map_err(|_| bad())?;
    Ok(instant_of(date.to_datetime(time)))
}

/// Parses a stored instant (the fixed form written by [`format_ts`], or any RFC 3339 instant).
pub fn parse_ts(s: &str) -> Result<Timestamp, String> {
    s.parse::<Timestamp>().map_err(|e| format!("bad timestamp {s:?}: {e}"))
}

/// Parses a civil date `YYYY-MM-DD`.
pub fn parse_date(s: &str) -> Result<Date, String> {
    s.trim()
        .parse::<Date>()
        .map_err(|_| format!("无法识别的日期：{s}（应为 YYYY-MM-DD）"))
}

/// 2026年3月2日
pub fn zh_date(d: Date) -> String {
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

/// 2026年3月2日 14:05 (Asia/Shanghai)
pub fn zh_datetime(ts: Timestamp) -> String {
    let dt = civil_datetime(ts);
    format!("{} {:02}:{:02}", zh_date(dt.date()), dt.hour(), dt.minute())
}

/// 2026-03-02 14:05 (Asia/Shanghai), for tables and forms.
pub fn short_datetime(ts: Timestamp) -> String {
    let dt = civil_datetime(ts);
    format!("{} {:02}:{:02}", dt.date(), dt.hour(), dt.minute())
}

/// 星期一 … 星期日
pub fn zh_weekday(d: Date) -> &'static str {
    use jiff::civil::Weekday::*;
    match d.weekday() {
        Monday => "星期一",
        Tuesday => "星期二",
        Wednesday => "星期三",
        Thursday => "星期四",
        Friday => "星期五",
        Saturday => "星期六",
        Sunday => "星期日",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_form_is_fixed_width_utc_and_round_trips() {
        let ts: Timestamp = "2026-03-02T09:30:00.5+08:00".parse().unwrap();
        let s = format_ts(ts);
        assert_eq!(s, "2026-03-02T01:30:00.500000Z");
        assert_eq!(s.len(), 27);
        assert_eq!(parse_ts(&s).unwrap(), ts);
        // The same text as the general formatter, across the range of years and fractions.
        for t in [
            "0001-01-01T00:00:00Z",
            "1999-12-31T23:59:59.999999Z",
            "2026-11-26T08:07:06.000123Z",
            "9999-12-30T00:00:00Z",
        ] {
            let ts: Timestamp = t.parse().unwrap();
            assert_eq!(format_ts(ts), format_ts_general(TimeZone::UTC.to_datetime(ts)));
        }
    }

    #[test]
    fn civil_date_is_read_in_shanghai() {
        // 2026-03-01 20:00 UTC is already 2026-03-02 04:00 in Shanghai.
        let ts: Timestamp = "2026-03-01T20:00:00Z".parse().unwrap();
        assert_eq!(civil_date(ts), jiff::civil::date(2026, 3, 2));
        assert_eq!(zh_date(civil_date(ts)), "2026年3月2日");
    }

    #[test]
    fn loose_date_times_from_spreadsheets() {
        let want = parse_instant("2026-03-01T10:05").unwrap();
        assert_eq!(parse_loose_instant("2026/3/1 10:05").unwrap(), want);
        assert_eq!(parse_loose_instant("2026年3月1日 10时5分").unwrap(), want);
        assert_eq!(parse_loose_instant("2026.03.01 10:05:00").unwrap(), want);
        assert!(parse_loose_instant("明天").is_err());
        assert!(parse_loose_instant("2026/13/1").is_err());
        assert!(parse_loose_instant("12/3/2026").is_err());
    }

    #[test]
    fn parse_instant_accepts_dates_local_times_and_offsets() {
        assert_eq!(
            format_ts(parse_instant("2026-03-02").unwrap()),
            "2026-03-01T16:00:00.000000Z"
        );
        assert_eq!(
            format_ts(parse_instant("2026-03-02T09:30").unwrap()),
            "2026-03-02T01:30:00.000000Z"
        );
        assert_eq!(
            format_ts(parse_instant("2026-03-02T09:30:00Z").unwrap()),
            "2026-03-02T09:30:00.000000Z"
        );
        assert!(parse_instant("3月2日").is_err());
    }
}
