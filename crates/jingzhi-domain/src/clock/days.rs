//! Internal day arithmetic on Asia/Shanghai civil days, in plain integers.
//!
//! A *day number* is the count of civil days since 1970-01-01 (Asia/Shanghai). An *instant* is
//! microseconds since the Unix epoch (the precision of the stored form in [`crate::time`]).
//! Asia/Shanghai has kept a fixed UTC+08:00 offset since September 1991, so inside the engine's
//! range (2000–2099) the civil day of an instant is plain integer division. A test checks this
//! against jiff's bundled tzdb, so a future change of the zone's rules would be caught.

use jiff::Timestamp;
use jiff::civil::Date;

/// Microseconds per civil day.
pub(crate) const US_PER_DAY: i64 = 86_400_000_000;
/// Microseconds per hour.
pub(crate) const US_PER_HOUR: i64 = 3_600_000_000;
/// Asia/Shanghai's offset from UTC (fixed since 1991).
pub(crate) const SHANGHAI_OFFSET_US: i64 = 8 * US_PER_HOUR;

/// First year the engine computes in.
pub(crate) const FIRST_YEAR: i32 = 2000;
/// Last year the engine computes in.
pub(crate) const LAST_YEAR: i32 = 2099;
/// Day number of 2000-01-01.
pub(crate) const FIRST_DAY: i32 = days_from_civil(FIRST_YEAR, 1, 1);
/// Day number of 2100-01-01 (exclusive end of the range).
pub(crate) const END_DAY: i32 = days_from_civil(LAST_YEAR + 1, 1, 1);

/// Day number of a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
pub(crate) const fn days_from_civil(y: i32, m: u32, d: u32) -> i32 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = (y - era * 400) as u32;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe as i32 - 719_468
}

/// (year, month, day) of a day number (H. Hinnant's `civil_from_days`).
pub(crate) const fn civil_from_days(z: i32) -> (i32, u32, u32) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = (z - era * 146_097) as u32;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe as i32 + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Year of a day number.
pub(crate) fn year_of_day(day: i32) -> i32 {
    civil_from_days(day).0
}

/// 0 = Monday … 6 = Sunday (1970-01-01 was a Thursday).
pub(crate) fn weekday_of_day(day: i32) -> u32 {
    (day + 3).rem_euclid(7) as u32
}

/// Saturday or Sunday.
pub(crate) fn is_weekend(day: i32) -> bool {
    weekday_of_day(day) >= 5
}

fn is_leap(y: i32) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

pub(crate) fn days_in_month(y: i32, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if is_leap(y) => 29,
        _ => 28,
    }
}

/// Adds calendar months: the corresponding day of the ending month, or its last day if it has
/// none (民法典 第二百零二条). `months` may be negative.
pub(crate) fn add_months(day: i32, months: i64) -> i32 {
    let (y, m, d) = civil_from_days(day);
    let total = y as i64 * 12 + (m as i64 - 1) + months;
    let ny = total.div_euclid(12) as i32;
    let nm = (total.rem_euclid(12) + 1) as u32;
    let nd = d.min(days_in_month(ny, nm));
    days_from_civil(ny, nm, nd)
}

/// Civil day (Asia/Shanghai) of an instant in microseconds.
pub(crate) fn day_of_us(us: i64) -> i32 {
    us.saturating_add(SHANGHAI_OFFSET_US).div_euclid(US_PER_DAY) as i32
}

/// Microseconds since local midnight of an instant.
pub(crate) fn offset_in_day_us(us: i64) -> i64 {
    us.saturating_add(SHANGHAI_OFFSET_US).rem_euclid(US_PER_DAY)
}

/// 00:00 of a civil day, as an instant.
pub(crate) fn start_of_day_us(day: i32) -> i64 {
    day as i64 * US_PER_DAY - SHANGHAI_OFFSET_US
}

/// 23:59:59.999999 of a civil day, as an instant (民法典 第二百零三条: a period ends at 24:00).
pub(crate) fn end_of_day_us(day: i32) -> i64 {
    start_of_day_us(day + 1) - 1
}

/// Day number of a jiff civil date.
pub(crate) fn day_of_date(d: Date) -> i32 {
    days_from_civil(d.year() as i32, d.month() as u32, d.day() as u32)
}

/// jiff civil date of a day number. Callers keep days inside jiff's range (years −9999..=9999);
/// the engine never converts days outside 2000–2099.
pub(crate) fn date_of_day(day: i32) -> Date {
    let (y, m, d) = civil_from_days(day);
    Date::new(y as i16, m as i8, d as i8).expect("day number within jiff's range")
}

/// jiff instant of microseconds (always valid for the engine's range).
pub(crate) fn ts_of_us(us: i64) -> Timestamp {
    Timestamp::from_microsecond(us).expect("instant within jiff's range")
}

/// Bit mask of the years `from..=to` (both day numbers), relative to [`FIRST_YEAR`]; years
/// outside 2000–2099 are dropped.
pub(crate) fn year_mask(from_day: i32, to_day: i32) -> u128 {
    let (a, b) = if from_day <= to_day {
        (from_day, to_day)
    } else {
        (to_day, from_day)
    };
    let ya = (year_of_day(a) - FIRST_YEAR).clamp(0, 99) as u32;
    let yb = (year_of_day(b) - FIRST_YEAR).clamp(0, 99) as u32;
    let width = yb - ya + 1;
    let ones = if width >= 128 { u128::MAX } else { (1u128 << width) - 1 };
    ones << ya
}

/// The years set in a mask, ascending.
pub(crate) fn years_in_mask(mask: u128) -> Vec<i32> {
    (0..100)
        .filter(|b| mask & (1u128 << b) != 0)
        .map(|b| FIRST_YEAR + b)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn civil_round_trip_matches_jiff_over_the_whole_range() {
        let mut d = date(1999, 12, 1);
        for day in days_from_civil(1999, 12, 1)..END_DAY + 40 {
            assert_eq!(day_of_date(d), day, "{d}");
            assert_eq!(date_of_day(day), d);
            assert_eq!(weekday_of_day(day), d.weekday().to_monday_zero_offset() as u32);
            d = d.tomorrow().unwrap();
        }
    }

    #[test]
    fn fixed_offset_agrees_with_the_bundled_tzdb() {
        // Noon and the last microsecond of every 7th day from 2000 to 2099.
        let mut day = FIRST_DAY;
        while day < END_DAY {
            for us in [
                start_of_day_us(day) + 12 * US_PER_HOUR,
                end_of_day_us(day),
                start_of_day_us(day),
            ] {
                let ts = ts_of_us(us);
                assert_eq!(crate::time::civil_date(ts), date_of_day(day_of_us(us)));
            }
            assert_eq!(ts_of_us(end_of_day_us(day)), crate::time::end_of_day(date_of_day(day)));
            day += 7;
        }
    }

    #[test]
    fn months_clamp_to_the_last_day() {
        let d = |y, m, dd| days_from_civil(y, m, dd);
        assert_eq!(add_months(d(2026, 1, 31), 1), d(2026, 2, 28));
        assert_eq!(add_months(d(2024, 1, 31), 1), d(2024, 2, 29));
        assert_eq!(add_months(d(2026, 3, 2), 1), d(2026, 4, 2));
        assert_eq!(add_months(d(2026, 8, 31), 6), d(2027, 2, 28));
        assert_eq!(add_months(d(2026, 3, 31), -1), d(2026, 2, 28));
        assert_eq!(add_months(d(2026, 11, 15), 3), d(2027, 2, 15));
    }

    #[test]
    fn year_masks() {
        let d = |y, m, dd| days_from_civil(y, m, dd);
        assert_eq!(
            years_in_mask(year_mask(d(2026, 12, 30), d(2027, 1, 2))),
            vec![2026, 2027]
        );
        assert_eq!(years_in_mask(year_mask(d(2026, 5, 1), d(2026, 5, 1))), vec![2026]);
        assert_eq!(
            years_in_mask(year_mask(d(2026, 5, 1), d(2024, 5, 1))),
            vec![2024, 2025, 2026]
        );
    }
}
