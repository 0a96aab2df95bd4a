//! 工作日历 (working-day calendar): weekends, statutory holidays and make-up working days (调休上班)
//! per year, as data; and the working-hour windows used by the `working_hours` unit.
//!
//! A year's data comes from the State Council's yearly notice (国务院办公厅关于YYYY年部分节假日安排的通知)
//! and is kept in `data/calendar/YYYY.toml` (see [`parse_year_toml`]); admins can also import a
//! year from CSV ([`parse_year_csv`]). A year without data is counted by weekends only (Saturday
//! and Sunday off), and every deadline that touched such a year is marked provisional (暂定).
//!
//! [`Calendar`] precomputes, for 2000-01-01 … 2099-12-31, the kind of every day, a running count
//! of working days and the list of working days, so that adding or counting working days (and
//! working hours) is O(1).

use super::ClockError;
use super::days::*;
use jiff::SignedDuration;
use jiff::civil::{Date, Time};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

crate::coded_enum! {
    /// 日历条目类型 — the kind of a date listed in a year's calendar data (and the `kind`
    /// column of the CSV import form).
    pub enum SpecialDayKind {
        /// 法定节假日: a day off of a statutory holiday period (weekend days inside the period included).
        Holiday = ("holiday", "法定节假日"),
        /// 调休上班日: a Saturday or Sunday that is a working day.
        Workday = ("workday", "调休上班日"),
    }
}

crate::coded_enum! {
    /// 日期类型 — how the calendar classifies a civil date.
    pub enum DayKind {
        /// 工作日: Monday–Friday that is not a holiday.
        WorkingDay = ("working_day", "工作日"),
        /// 休息日: Saturday or Sunday that is not a make-up working day.
        RestDay = ("rest_day", "休息日"),
        /// 法定节假日: a day off of a statutory holiday period.
        Holiday = ("statutory_holiday", "法定节假日"),
        /// 调休上班日: a weekend day made a working day by the yearly notice.
        MakeupWorkday = ("makeup_workday", "调休上班日"),
    }
}

impl DayKind {
    /// Whether legal working-day periods count this day.
    pub fn is_working(self) -> bool {
        matches!(self, DayKind::WorkingDay | DayKind::MakeupWorkday)
    }

    fn to_u8(self) -> u8 {
        match self {
            DayKind::WorkingDay => 0,
            DayKind::RestDay => 1,
            DayKind::Holiday => 2,
            DayKind::MakeupWorkday => 3,
        }
    }

    fn from_u8(v: u8) -> DayKind {
        match v {
            0 => DayKind::WorkingDay,
            1 => DayKind::RestDay,
            2 => DayKind::Holiday,
            _ => DayKind::MakeupWorkday,
        }
    }
}

/// One listed date of a year: a holiday day off or a make-up working day, with the holiday's name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpecialDay {
    pub date: Date,
    pub kind: SpecialDayKind,
    /// Holiday name, e.g. 春节; for a make-up working day, the holiday it belongs to (may be empty).
    pub name: String,
}

/// A year's calendar data. Build it with [`YearCalendar::new`], [`parse_year_toml`] or
/// [`parse_year_csv`], which validate it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct YearCalendar {
    pub year: i32,
    /// Where the data comes from (the notice's title, number and date).
    pub source: String,
    pub source_url: Option<String>,
    /// Listed dates, sorted by date, each date at most once.
    pub days: Vec<SpecialDay>,
}

/// Errors of calendar data: every problem found, each a Chinese sentence (with a line number for
/// CSV input). The whole input is refused when there is any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarError {
    pub messages: Vec<String>,
}

impl CalendarError {
    fn one(msg: impl Into<String>) -> CalendarError {
        CalendarError {
            messages: vec![msg.into()],
        }
    }
}

impl fmt::Display for CalendarError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.messages.join("\n"))
    }
}

impl std::error::Error for CalendarError {}

/// A date with the place it was written, for error messages.
struct Entry {
    date: Date,
    kind: SpecialDayKind,
    name: String,
    /// "第3行" or "“春节”"
    at: String,
}

fn zh_weekday_of(d: Date) -> &'static str {
    crate::time::zh_weekday(d)
}

/// Checks entries against the rules of a year's data and returns the sorted days, or every
/// problem found.
fn check_entries(year: i32, entries: Vec<Entry>, mut errors: Vec<String>) -> Result<Vec<SpecialDay>, CalendarError> {
    if !(FIRST_YEAR..=LAST_YEAR).contains(&year) {
        errors.push(format!("年份{year}超出可计算范围（{FIRST_YEAR}年至{LAST_YEAR}年）"));
    }
    let mut seen: BTreeMap<Date, (SpecialDayKind, String)> = BTreeMap::new();
    for e in &entries {
        let ds = e.date.to_string();
        if e.date.year() as i32 != year {
            errors.push(format!("{}：日期{ds}不在{year}年内", e.at));
        }
        if e.kind == SpecialDayKind::Workday && !is_weekend(day_of_date(e.date)) {
            errors.push(format!(
                "{}：调休上班日{ds}是{}，不是周末（调休上班日必须是星期六或星期日）",
                e.at,
                zh_weekday_of(e.date)
            ));
        }
        if e.kind == SpecialDayKind::Holiday && e.name.trim().is_empty() {
            errors.push(format!("{}：法定节假日{ds}须填写节日名称", e.at));
        }
        match seen.get(&e.date) {
            Some((kind, at)) if *kind != e.kind => errors.push(format!(
                "{}：{ds}已在{at}列为{}，不能同时是{}",
                e.at,
                kind.label(),
                e.kind.label()
            )),
            Some((_, at)) => errors.push(format!("{}：日期{ds}重复（已见于{at}）", e.at)),
            None => {
                seen.insert(e.date, (e.kind, e.at.clone()));
            }
        }
    }
    if entries.is_empty() {
        errors.push(format!("{year}年日历没有任何日期"));
    }
    if !errors.is_empty() {
        return Err(CalendarError { messages: errors });
    }
    let mut days: Vec<SpecialDay> = entries
        .into_iter()
        .map(|e| SpecialDay {
            date: e.date,
            kind: e.kind,
            name: e.name.trim().to_string(),
        })
        .collect();
    days.sort_by_key(|d| d.date);
    Ok(days)
}

impl YearCalendar {
    /// Validates and builds a year's data: every date within `year`, each date listed once, a
    /// make-up working day on a Saturday or Sunday, no date both a holiday and a make-up day,
    /// every holiday named.
    pub fn new(
        year: i32,
        source: impl Into<String>,
        source_url: Option<String>,
        days: Vec<SpecialDay>,
    ) -> Result<YearCalendar, CalendarError> {
        let source = source.into();
        let mut errors = Vec::new();
        if source.trim().is_empty() {
            errors.push(format!("{year}年日历须注明来源（source）"));
        }
        let entries = days
            .into_iter()
            .map(|d| Entry {
                at: format!("{}（{}）", d.date, d.kind.label()),
                date: d.date,
                kind: d.kind,
                name: d.name,
            })
            .collect();
        let days = check_entries(year, entries, errors)?;
        Ok(YearCalendar {
            year,
            source,
            source_url,
            days,
        })
    }

    /// The listed holiday days off.
    pub fn holidays(&self) -> impl Iterator<Item = &SpecialDay> {
        self.days.iter().filter(|d| d.kind == SpecialDayKind::Holiday)
    }

    /// The listed make-up working days.
    pub fn makeup_workdays(&self) -> impl Iterator<Item = &SpecialDay> {
        self.days.iter().filter(|d| d.kind == SpecialDayKind::Workday)
    }

    /// The listed entry of a date, if any.
    pub fn entry(&self, date: Date) -> Option<&SpecialDay> {
        self.days
            .binary_search_by_key(&date, |d| d.date)
            .ok()
            .map(|i| &self.days[i])
    }

    /// The CSV import form of this year (`date,kind,name`, header row), for export and round trips.
    pub fn to_csv(&self) -> String {
        let mut s = String::from("date,kind,name\n");
        for d in &self.days {
            s.push_str(&format!("{},{},{}\n", d.date, d.kind.code(), d.name));
        }
        s
    }
}

// ---------------------------------------------------------------------------------------------
// TOML form

#[derive(Deserialize)]
#[serde(untagged)]
enum DateText {
    Text(String),
    Toml(toml::value::Datetime),
}

impl DateText {
    fn text(&self) -> String {
        match self {
            DateText::Text(s) => s.clone(),
            DateText::Toml(d) => d.to_string(),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawYear {
    year: i64,
    source: String,
    #[serde(default)]
    source_url: Option<String>,
    #[serde(default)]
    holiday: Vec<RawHoliday>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHoliday {
    name: String,
    from: DateText,
    to: DateText,
    /// Optional cross-check: the number of days off the notice states (e.g. 春节 "共8天").
    #[serde(default)]
    days: Option<i64>,
    #[serde(default)]
    makeup_workdays: Vec<DateText>,
}

/// Line number (1-based) of a byte offset.
pub(crate) fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].bytes().filter(|&b| b == b'\n').count() + 1
}

/// Chinese message for a TOML error.
pub(crate) fn toml_error(what: &str, text: &str, e: &toml::de::Error) -> String {
    match e.span() {
        Some(span) => format!(
            "{what}第{}行格式错误：{}",
            line_of(text, span.start),
            e.message().trim()
        ),
        None => format!("{what}格式错误：{}", e.message().trim()),
    }
}

fn parse_date_field(s: &str, at: &str, errors: &mut Vec<String>) -> Option<Date> {
    match s.trim().parse::<Date>() {
        Ok(d) if s.trim().len() == 10 => Some(d),
        _ => {
            errors.push(format!("{at}：日期“{}”无法识别（应为 YYYY-MM-DD）", s.trim()));
            None
        }
    }
}

/// Parses a year's calendar in the TOML form of `data/calendar/YYYY.toml`:
///
/// ```toml
/// year = 2026
/// source = "国务院办公厅关于2026年部分节假日安排的通知（2025年11月4日）"
/// source_url = "https://…"          # optional
///
/// [[holiday]]
/// name = "春节"
/// from = "2026-02-15"               # first day off (quoted or bare TOML date)
/// to = "2026-02-23"                 # last day off, inclusive
/// days = 9                          # optional cross-check of to − from + 1
/// makeup_workdays = ["2026-02-14", "2026-02-28"]
/// ```
///
/// Every day from `from` to `to` is a holiday day off named `name` (weekend days inside the
/// period too); each make-up working day must be a Saturday or Sunday. All problems are reported
/// together, in Chinese.
pub fn parse_year_toml(text: &str) -> Result<YearCalendar, CalendarError> {
    let raw: RawYear = toml::from_str(text).map_err(|e| CalendarError::one(toml_error("日历文件", text, &e)))?;
    let mut errors = Vec::new();
    let year = raw.year as i32;
    if raw.source.trim().is_empty() {
        errors.push(format!("{year}年日历须注明来源（source）"));
    }
    let mut entries = Vec::new();
    for h in &raw.holiday {
        let at = format!("“{}”", h.name);
        let from = parse_date_field(&h.from.text(), &at, &mut errors);
        let to = parse_date_field(&h.to.text(), &at, &mut errors);
        if let (Some(from), Some(to)) = (from, to) {
            let (a, b) = (day_of_date(from), day_of_date(to));
            if b < a {
                errors.push(format!("{at}：结束日期{to}早于开始日期{from}"));
            } else if b - a > 31 {
                errors.push(format!("{at}：假期{from}至{to}超过31天，请检查"));
            } else {
                let n = (b - a + 1) as i64;
                if let Some(declared) = h.days
                    && declared != n
                {
                    errors.push(format!("{at}：{from}至{to}共{n}天，与声明的天数{declared}不符"));
                }
                for day in a..=b {
                    entries.push(Entry {
                        date: date_of_day(day),
                        kind: SpecialDayKind::Holiday,
                        name: h.name.clone(),
                        at: at.clone(),
                    });
                }
            }
        }
        for w in &h.makeup_workdays {
            if let Some(d) = parse_date_field(&w.text(), &at, &mut errors) {
                entries.push(Entry {
                    date: d,
                    kind: SpecialDayKind::Workday,
                    name: h.name.clone(),
                    at: format!("{at}调休"),
                });
            }
        }
    }
    let days = check_entries(year, entries, errors)?;
    Ok(YearCalendar {
        year,
        source: raw.source.trim().to_string(),
        source_url: raw.source_url,
        days,
    })
}

// ---------------------------------------------------------------------------------------------
// CSV form

/// Splits one CSV line into fields; a field may be wrapped in double quotes (`""` inside is a quote).
fn split_csv(line: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut chars = line.chars().peekable();
    let mut quoted = false;
    let mut at_start = true;
    while let Some(c) = chars.next() {
        if quoted {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    cur.push('"');
                    chars.next();
                } else {
                    quoted = false;
                }
            } else {
                cur.push(c);
            }
        } else if c == '"' && at_start {
            quoted = true;
            at_start = false;
        } else if c == ',' {
            out.push(std::mem::take(&mut cur));
            at_start = true;
        } else {
            if !c.is_whitespace() {
                at_start = false;
            }
            cur.push(c);
        }
    }
    if quoted {
        return Err("引号未闭合".to_string());
    }
    out.push(cur);
    Ok(out.into_iter().map(|f| f.trim().to_string()).collect())
}

/// Parses a year's calendar from the CSV import form:
///
/// ```text
/// date,kind,name
/// 2027-01-01,holiday,元旦
/// 2027-02-07,workday,春节
/// ```
///
/// `kind` is `holiday` (a day off) or `workday` (a make-up working day on a weekend). The header
/// row is required; blank lines and lines starting with `#` are skipped; a UTF-8 BOM (Excel) and
/// CRLF line ends are accepted; fields may be double-quoted. `year` and `source` are declared by
/// the person importing. Every bad row is reported with its line number, and the whole file is
/// refused if any row is bad.
pub fn parse_year_csv(year: i32, source: &str, text: &str) -> Result<YearCalendar, CalendarError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut errors = Vec::new();
    if source.trim().is_empty() {
        errors.push(format!("{year}年日历须注明来源"));
    }
    let mut entries = Vec::new();
    let mut header_seen = false;
    for (i, line) in text.lines().enumerate() {
        let ln = i + 1;
        let at = format!("第{ln}行");
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        let fields = match split_csv(line) {
            Ok(f) => f,
            Err(e) => {
                errors.push(format!("{at}：{e}"));
                continue;
            }
        };
        if !header_seen {
            header_seen = true;
            let h: Vec<String> = fields.iter().map(|f| f.to_ascii_lowercase()).collect();
            if h != ["date", "kind", "name"] {
                errors.push(format!("{at}：表头应为 date,kind,name，实为 {line}"));
            }
            continue;
        }
        if fields.len() != 3 {
            errors.push(format!("{at}：应有3列（date,kind,name），实有{}列", fields.len()));
            continue;
        }
        let date = parse_date_field(&fields[0], &at, &mut errors);
        let kind = SpecialDayKind::from_code(&fields[1]);
        if kind.is_none() {
            errors.push(format!("{at}：类型“{}”无效（应为 holiday 或 workday）", fields[1]));
        }
        if let (Some(date), Some(kind)) = (date, kind) {
            entries.push(Entry {
                date,
                kind,
                name: fields[2].clone(),
                at,
            });
        }
    }
    if !header_seen {
        errors.push("文件为空：应有表头 date,kind,name 和数据行".to_string());
        return Err(CalendarError { messages: errors });
    }
    let days = check_entries(year, entries, errors)?;
    Ok(YearCalendar {
        year,
        source: source.trim().to_string(),
        source_url: None,
        days,
    })
}

// ---------------------------------------------------------------------------------------------
// Working hours

/// 工作时段: the windows of a working day in which `working_hours` periods run, e.g.
/// 09:00–12:00 and 13:00–17:30. Only working days (per the calendar) have working hours.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WorkingHours {
    windows: Vec<(Time, Time)>,
    pub source: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHours {
    #[serde(default)]
    source: String,
    windows: Vec<String>,
}

fn parse_hhmm(s: &str) -> Option<Time> {
    let (h, m) = s.trim().split_once(':')?;
    if h.is_empty() || h.len() > 2 || m.len() != 2 {
        return None;
    }
    let h: i8 = h.parse().ok()?;
    let m: i8 = m.parse().ok()?;
    if h == 24 && m == 0 {
        return Some(Time::MAX);
    }
    Time::new(h, m, 0, 0).ok()
}

impl WorkingHours {
    /// Validates windows: at least one, each start before its end, sorted and not overlapping.
    pub fn new(windows: Vec<(Time, Time)>, source: impl Into<String>) -> Result<WorkingHours, CalendarError> {
        let mut errors = Vec::new();
        if windows.is_empty() {
            errors.push("工作时段至少应有一段".to_string());
        }
        for (i, (a, b)) in windows.iter().enumerate() {
            if a >= b {
                errors.push(format!("第{}段工作时段{a}—{b}：开始时间不早于结束时间", i + 1));
            }
            if i > 0 && windows[i - 1].1 > *a {
                errors.push(format!("第{}段工作时段{a}—{b}与前一段重叠或顺序颠倒", i + 1));
            }
        }
        if !errors.is_empty() {
            return Err(CalendarError { messages: errors });
        }
        Ok(WorkingHours {
            windows,
            source: source.into(),
        })
    }

    /// 09:00–12:00 and 13:00–17:30.
    pub fn standard() -> WorkingHours {
        WorkingHours {
            windows: vec![
                (jiff::civil::time(9, 0, 0, 0), jiff::civil::time(12, 0, 0, 0)),
                (jiff::civil::time(13, 0, 0, 0), jiff::civil::time(17, 30, 0, 0)),
            ],
            source: "默认作息时间".to_string(),
        }
    }

    /// Parses `data/calendar/working-hours.toml`:
    ///
    /// ```toml
    /// source = "…"
    /// windows = ["09:00-12:00", "13:00-17:30"]
    /// ```
    pub fn parse_toml(text: &str) -> Result<WorkingHours, CalendarError> {
        let raw: RawHours =
            toml::from_str(text).map_err(|e| CalendarError::one(toml_error("工作时段文件", text, &e)))?;
        let mut windows = Vec::new();
        let mut errors = Vec::new();
        for (i, w) in raw.windows.iter().enumerate() {
            let parsed = w
                .split_once(['-', '–', '—', '~'])
                .and_then(|(a, b)| Some((parse_hhmm(a)?, parse_hhmm(b)?)));
            match parsed {
                Some(p) => windows.push(p),
                None => errors.push(format!("第{}段工作时段“{w}”无法识别（应为 09:00-12:00）", i + 1)),
            }
        }
        if !errors.is_empty() {
            return Err(CalendarError { messages: errors });
        }
        WorkingHours::new(windows, raw.source)
    }

    pub fn windows(&self) -> &[(Time, Time)] {
        &self.windows
    }

    /// Working time in one working day.
    pub fn daily(&self) -> SignedDuration {
        SignedDuration::from_micros(self.windows_us().iter().map(|(a, b)| b - a).sum())
    }

    fn windows_us(&self) -> Vec<(i64, i64)> {
        let us = |t: Time| {
            if t == Time::MAX {
                US_PER_DAY
            } else {
                (t.hour() as i64 * 3600 + t.minute() as i64 * 60 + t.second() as i64) * 1_000_000
                    + t.subsec_nanosecond() as i64 / 1000
            }
        };
        self.windows.iter().map(|&(a, b)| (us(a), us(b))).collect()
    }
}

// ---------------------------------------------------------------------------------------------
// The calendar and its index

/// Precomputed tables over 2000-01-01 … 2099-12-31.
#[derive(Clone)]
pub(crate) struct Index {
    kinds: Vec<u8>,
    /// `cum[i]` = working days among index days `0..i`.
    cum: Vec<u32>,
    /// Index day of the k-th working day.
    wd: Vec<u32>,
    /// Bit `y − 2000` is set when year `y` has data.
    pub(crate) covered: u128,
    windows: Vec<(i64, i64)>,
    daily_us: i64,
}

impl fmt::Debug for Index {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Index")
            .field("days", &self.kinds.len())
            .field("working_days", &self.wd.len())
            .field("covered_years", &years_in_mask(self.covered))
            .field("daily_working_us", &self.daily_us)
            .finish()
    }
}

fn out_of_range(day: i32) -> ClockError {
    ClockError::OutOfRange { year: year_of_day(day) }
}

impl Index {
    fn build(years: &BTreeMap<i32, YearCalendar>, hours: &WorkingHours) -> Index {
        let n = (END_DAY - FIRST_DAY) as usize;
        let mut kinds: Vec<u8> = (0..n)
            .map(|i| {
                if is_weekend(FIRST_DAY + i as i32) {
                    DayKind::RestDay
                } else {
                    DayKind::WorkingDay
                }
                .to_u8()
            })
            .collect();
        let mut covered = 0u128;
        for y in years.values() {
            covered |= 1u128 << (y.year - FIRST_YEAR);
            for d in &y.days {
                let i = (day_of_date(d.date) - FIRST_DAY) as usize;
                kinds[i] = match d.kind {
                    SpecialDayKind::Holiday => DayKind::Holiday,
                    SpecialDayKind::Workday => DayKind::MakeupWorkday,
                }
                .to_u8();
            }
        }
        let mut cum = Vec::with_capacity(n + 1);
        let mut wd = Vec::with_capacity(n);
        let mut c = 0u32;
        for (i, k) in kinds.iter().enumerate() {
            cum.push(c);
            if DayKind::from_u8(*k).is_working() {
                wd.push(i as u32);
                c += 1;
            }
        }
        cum.push(c);
        let windows = hours.windows_us();
        let daily_us = windows.iter().map(|(a, b)| b - a).sum();
        Index {
            kinds,
            cum,
            wd,
            covered,
            windows,
            daily_us,
        }
    }

    #[inline]
    pub(crate) fn idx(&self, day: i32) -> Result<usize, ClockError> {
        if (FIRST_DAY..END_DAY).contains(&day) {
            Ok((day - FIRST_DAY) as usize)
        } else {
            Err(out_of_range(day))
        }
    }

    #[inline]
    pub(crate) fn check_day(&self, day: i32) -> Result<(), ClockError> {
        self.idx(day).map(|_| ())
    }

    #[inline]
    fn wd_day(&self, k: i64, near: i32) -> Result<i32, ClockError> {
        if k < 0 || k as usize >= self.wd.len() {
            // Ran off either end of the range: report the year we were heading for.
            let year_day = if k < 0 { FIRST_DAY - 1 } else { END_DAY.max(near) };
            return Err(out_of_range(year_day));
        }
        Ok(self.wd[k as usize] as i32 + FIRST_DAY)
    }

    #[inline]
    pub(crate) fn kind(&self, day: i32) -> DayKind {
        match self.idx(day) {
            Ok(i) => DayKind::from_u8(self.kinds[i]),
            Err(_) if is_weekend(day) => DayKind::RestDay,
            Err(_) => DayKind::WorkingDay,
        }
    }

    /// Working days among days `FIRST_DAY..=day`.
    #[inline]
    pub(crate) fn count_incl(&self, day: i32) -> Result<i64, ClockError> {
        Ok(self.cum[self.idx(day)? + 1] as i64)
    }

    /// The n-th working day strictly after `day` (n ≥ 1); `day` itself for n = 0.
    #[inline]
    pub(crate) fn nth_after(&self, day: i32, n: i64) -> Result<i32, ClockError> {
        let i = self.idx(day)?;
        if n == 0 {
            return Ok(day);
        }
        self.wd_day(self.cum[i + 1] as i64 + n - 1, day)
    }

    /// The n-th working day counting `day` itself when it is a working day (n ≥ 1).
    #[inline]
    pub(crate) fn nth_from(&self, day: i32, n: i64) -> Result<i32, ClockError> {
        let i = self.idx(day)?;
        self.wd_day(self.cum[i] as i64 + n - 1, day)
    }

    /// The n-th working day strictly before `day` (n ≥ 1); `day` itself for n = 0.
    #[inline]
    pub(crate) fn nth_before(&self, day: i32, n: i64) -> Result<i32, ClockError> {
        let i = self.idx(day)?;
        if n == 0 {
            return Ok(day);
        }
        self.wd_day(self.cum[i] as i64 - n, day)
    }

    /// The first working day on or after `day`.
    #[inline]
    pub(crate) fn on_or_after(&self, day: i32) -> Result<i32, ClockError> {
        let i = self.idx(day)?;
        self.wd_day(self.cum[i] as i64, day)
    }

    /// The k-th working day counting back from `day` (inclusive when `day` is a working day), k ≥ 1.
    #[inline]
    pub(crate) fn kth_on_or_before(&self, day: i32, k: i64) -> Result<i32, ClockError> {
        let i = self.idx(day)?;
        self.wd_day(self.cum[i + 1] as i64 - k, day)
    }

    /// Working time (µs) elapsed since the start of the range up to the instant `us`.
    #[inline]
    pub(crate) fn cumwork(&self, us: i64) -> Result<i64, ClockError> {
        let day = day_of_us(us);
        let i = self.idx(day)?;
        let base = self.cum[i] as i64 * self.daily_us;
        if !DayKind::from_u8(self.kinds[i]).is_working() {
            return Ok(base);
        }
        let off = offset_in_day_us(us);
        let pos: i64 = self.windows.iter().map(|&(a, b)| (off.min(b) - a).max(0)).sum();
        Ok(base + pos)
    }

    /// The earliest instant at which `c` µs of working time have elapsed since the start of the
    /// range (inverse of [`Index::cumwork`]).
    #[inline]
    pub(crate) fn instant_at_work(&self, c: i64) -> Result<i64, ClockError> {
        if c < 0 {
            return Err(out_of_range(FIRST_DAY - 1));
        }
        let mut k = c / self.daily_us;
        let mut rem = c % self.daily_us;
        if rem == 0 && k > 0 {
            k -= 1;
            rem = self.daily_us;
        }
        let day = self.wd_day(k, END_DAY)?;
        let mut left = rem;
        for &(a, b) in &self.windows {
            if left <= b - a {
                return Ok(start_of_day_us(day) + a + left);
            }
            left -= b - a;
        }
        // Unreachable: rem ≤ daily.
        Ok(start_of_day_us(day) + self.windows.last().map_or(0, |w| w.1))
    }
}

/// The working-day calendar: the years with data, the working-hour windows and the precomputed
/// index. Immutable; to change a year, build a new one with [`Calendar::with_year`].
#[derive(Debug, Clone)]
pub struct Calendar {
    years: BTreeMap<i32, YearCalendar>,
    hours: WorkingHours,
    pub(crate) index: Index,
}

impl Calendar {
    /// Builds a calendar from yearly data (each year at most once, each re-validated) and the
    /// working-hour windows.
    pub fn new(years: Vec<YearCalendar>, hours: WorkingHours) -> Result<Calendar, CalendarError> {
        let mut map = BTreeMap::new();
        let mut errors = Vec::new();
        for y in years {
            let checked = YearCalendar::new(y.year, y.source.clone(), y.source_url.clone(), y.days.clone());
            match checked {
                Err(e) => errors.extend(e.messages),
                Ok(c) => {
                    if map.insert(c.year, c).is_some() {
                        errors.push(format!("{}年日历重复", y.year));
                    }
                }
            }
        }
        if !errors.is_empty() {
            return Err(CalendarError { messages: errors });
        }
        let index = Index::build(&map, &hours);
        Ok(Calendar {
            years: map,
            hours,
            index,
        })
    }

    /// A calendar with no yearly data (weekends only; every result provisional) and standard hours.
    pub fn weekends_only() -> Calendar {
        Calendar::new(Vec::new(), WorkingHours::standard()).expect("empty calendar is valid")
    }

    /// A new calendar with `year` added or replaced.
    pub fn with_year(&self, year: YearCalendar) -> Result<Calendar, CalendarError> {
        let mut years: Vec<YearCalendar> = self.years.values().filter(|y| y.year != year.year).cloned().collect();
        years.push(year);
        Calendar::new(years, self.hours.clone())
    }

    /// A new calendar with other working-hour windows.
    pub fn with_working_hours(&self, hours: WorkingHours) -> Calendar {
        Calendar::new(self.years.values().cloned().collect(), hours).expect("years were already valid")
    }

    /// Years that have data, ascending.
    pub fn years(&self) -> impl Iterator<Item = &YearCalendar> {
        self.years.values()
    }

    /// The data of a year, if loaded.
    pub fn year(&self, year: i32) -> Option<&YearCalendar> {
        self.years.get(&year)
    }

    /// Whether a year has data (otherwise it is counted by weekends only).
    pub fn has_year(&self, year: i32) -> bool {
        self.years.contains_key(&year)
    }

    pub fn working_hours(&self) -> &WorkingHours {
        &self.hours
    }

    /// The kind of a date. Dates outside 2000–2099 are classified by weekends only.
    pub fn day_kind(&self, date: Date) -> DayKind {
        self.index.kind(day_of_date(date))
    }

    /// Whether legal working-day periods count this date.
    pub fn is_working_day(&self, date: Date) -> bool {
        self.day_kind(date).is_working()
    }

    /// The holiday (or make-up day's holiday) name of a listed date.
    pub fn holiday_name(&self, date: Date) -> Option<&str> {
        self.years
            .get(&(date.year() as i32))?
            .entry(date)
            .map(|d| d.name.as_str())
    }

    /// The n-th working day after `date` (the date itself is not counted); `date` for n = 0.
    /// Example: 2026-09-30 + 5 = 2026-10-13.
    pub fn add_working_days(&self, date: Date, n: u32) -> Result<Date, ClockError> {
        self.index.nth_after(day_of_date(date), n as i64).map(date_of_day)
    }

    /// The n-th working day before `date` (the date itself is not counted); `date` for n = 0.
    pub fn sub_working_days(&self, date: Date, n: u32) -> Result<Date, ClockError> {
        self.index.nth_before(day_of_date(date), n as i64).map(date_of_day)
    }

    /// Working days `d` with `from < d ≤ to`; negative when `to` is before `from`.
    /// `working_days_between(d, add_working_days(d, n)) == n`.
    pub fn working_days_between(&self, from: Date, to: Date) -> Result<i64, ClockError> {
        Ok(self.index.count_incl(day_of_date(to))? - self.index.count_incl(day_of_date(from))?)
    }

    /// The first working day on or after `date`.
    pub fn next_working_day_on_or_after(&self, date: Date) -> Result<Date, ClockError> {
        self.index.on_or_after(day_of_date(date)).map(date_of_day)
    }

    /// The instant at which `duration` of working time (within the working-hour windows of
    /// working days) has elapsed after `from`. A zero duration returns `from`.
    pub fn add_working_time(
        &self,
        from: jiff::Timestamp,
        duration: SignedDuration,
    ) -> Result<jiff::Timestamp, ClockError> {
        let us = duration.as_micros() as i64;
        if us == 0 {
            return Ok(from);
        }
        let c = self.index.cumwork(from.as_microsecond())?;
        self.index.instant_at_work(c + us).map(ts_of_us)
    }

    /// Working time between two instants (negative when `to` is before `from`).
    pub fn working_time_between(
        &self,
        from: jiff::Timestamp,
        to: jiff::Timestamp,
    ) -> Result<SignedDuration, ClockError> {
        let a = self.index.cumwork(from.as_microsecond())?;
        let b = self.index.cumwork(to.as_microsecond())?;
        Ok(SignedDuration::from_micros(b - a))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    const Y2026: &str = include_str!("../../../../data/calendar/2026.toml");

    fn cal2026() -> Calendar {
        Calendar::new(vec![parse_year_toml(Y2026).unwrap()], WorkingHours::standard()).unwrap()
    }

    #[test]
    fn csv_round_trips_through_to_csv() {
        let y = parse_year_toml(Y2026).unwrap();
        let back = parse_year_csv(2026, &y.source, &y.to_csv()).unwrap();
        assert_eq!(back.days, y.days);
    }

    #[test]
    fn csv_reports_every_bad_row_with_its_line_number() {
        let text = "\u{feff}date,kind,name\r\n\
                    2027-01-01,holiday,元旦\r\n\
                    2027-02-30,holiday,春节\n\
                    2027-01-04,workday,元旦\n\
                    2026-12-31,holiday,元旦\n\
                    2027-05-01,rest,劳动节\n\
                    2027-01-01,holiday,元旦\n\
                    2027-01-02,holiday,\n\
                    2027-01-03,holiday\n\
                    \n\
                    # comment\n\
                    \"2027-02-06\",\"workday\",\"春节\"\n";
        let err = parse_year_csv(2027, "test", text).unwrap_err();
        let m = err.messages.join("\n");
        assert!(m.contains("第3行：日期“2027-02-30”无法识别"), "{m}");
        assert!(m.contains("第4行：调休上班日2027-01-04是星期一"), "{m}");
        assert!(m.contains("第5行：日期2026-12-31不在2027年内"), "{m}");
        assert!(m.contains("第6行：类型“rest”无效"), "{m}");
        assert!(m.contains("第7行：日期2027-01-01重复（已见于第2行）"), "{m}");
        assert!(m.contains("第8行：法定节假日2027-01-02须填写节日名称"), "{m}");
        assert!(m.contains("第9行：应有3列"), "{m}");
        assert_eq!(err.messages.len(), 7, "{m}");
        // The quoted row 12 (a Saturday) is fine on its own.
        let ok = parse_year_csv(2027, "test", "date,kind,name\n\"2027-02-06\",\"workday\",\"春节\"\n").unwrap();
        assert_eq!(ok.days[0].kind, SpecialDayKind::Workday);
    }

    #[test]
    fn csv_refuses_a_holiday_on_a_makeup_day_and_a_bad_header() {
        let err = parse_year_csv(
            2027,
            "t",
            "date,kind,name\n2027-02-06,workday,春节\n2027-02-06,holiday,春节\n",
        )
        .unwrap_err();
        assert_eq!(
            err.messages,
            vec!["第3行：2027-02-06已在第2行列为调休上班日，不能同时是法定节假日".to_string()]
        );
        let err = parse_year_csv(2027, "t", "day,type\n2027-01-01,holiday,元旦\n").unwrap_err();
        assert!(err.messages[0].starts_with("第1行：表头应为"), "{err}");
        assert!(parse_year_csv(2027, "t", "").is_err());
        assert!(parse_year_csv(2027, "t", "date,kind,name\n").is_err(), "no rows");
    }

    #[test]
    fn toml_checks_declared_day_counts_and_weekend_makeup_days() {
        let bad = r#"
year = 2026
source = "x"
[[holiday]]
name = "春节"
from = 2026-02-15
to = "2026-02-23"
days = 8
makeup_workdays = ["2026-02-16"]
"#;
        let err = parse_year_toml(bad).unwrap_err();
        let m = err.to_string();
        assert!(
            m.contains("“春节”：2026-02-15至2026-02-23共9天，与声明的天数8不符"),
            "{m}"
        );
        assert!(m.contains("调休上班日2026-02-16是星期一"), "{m}");
        assert!(m.contains("已在“春节”列为法定节假日"), "{m}");
        let err = parse_year_toml("year = 2026\nsource = \"x\"\nholidays = []\n").unwrap_err();
        assert!(err.messages[0].starts_with("日历文件第3行格式错误"), "{err}");
    }

    #[test]
    fn day_kinds_of_2026() {
        let c = cal2026();
        assert_eq!(c.day_kind(date(2026, 10, 1)), DayKind::Holiday);
        assert_eq!(c.day_kind(date(2026, 10, 10)), DayKind::MakeupWorkday);
        assert_eq!(c.day_kind(date(2026, 10, 11)), DayKind::RestDay);
        assert_eq!(c.day_kind(date(2026, 10, 12)), DayKind::WorkingDay);
        assert_eq!(c.holiday_name(date(2026, 2, 15)), Some("春节"));
        assert_eq!(c.holiday_name(date(2026, 2, 14)), Some("春节"));
        assert_eq!(c.holiday_name(date(2026, 3, 2)), None);
        // 2027 has no data: weekends only.
        assert_eq!(c.day_kind(date(2027, 1, 1)), DayKind::WorkingDay);
        assert!(!c.has_year(2027));
    }

    #[test]
    fn working_hours_parse_and_validate() {
        let h = WorkingHours::parse_toml("source = \"x\"\nwindows = [\"09:00-12:00\", \"13:00–17:30\"]\n").unwrap();
        assert_eq!(h.daily(), SignedDuration::from_mins(450));
        assert!(WorkingHours::parse_toml("windows = [\"13:00-12:00\"]").is_err());
        assert!(WorkingHours::parse_toml("windows = [\"09:00-12:00\", \"11:00-13:00\"]").is_err());
        assert!(WorkingHours::parse_toml("windows = [\"9h-12h\"]").is_err());
        assert!(WorkingHours::parse_toml("windows = []").is_err());
    }

    #[test]
    fn working_time_runs_only_inside_windows_of_working_days() {
        let c = cal2026();
        let t = |s: &str| crate::time::parse_instant(s).unwrap();
        let h = SignedDuration::from_hours;
        // Wed 2026-09-30 16:00 + 4 working hours: 1.5 h on Wed, then 10/1–10/7 off, 2.5 h on Thu 10/8.
        assert_eq!(
            c.add_working_time(t("2026-09-30T16:00"), h(4)).unwrap(),
            t("2026-10-08T11:30")
        );
        // Lunch break is skipped: Thu 11:00 + 2 h = 14:00.
        assert_eq!(
            c.add_working_time(t("2026-10-08T11:00"), h(2)).unwrap(),
            t("2026-10-08T14:00")
        );
        // Exactly a full day ends at 17:30, not the next morning.
        assert_eq!(
            c.add_working_time(t("2026-10-08T09:00"), SignedDuration::from_mins(450))
                .unwrap(),
            t("2026-10-08T17:30")
        );
        // From a Sunday evening.
        assert_eq!(
            c.add_working_time(t("2026-10-11T20:00"), h(1)).unwrap(),
            t("2026-10-12T10:00")
        );
        assert_eq!(
            c.working_time_between(t("2026-09-30T16:00"), t("2026-10-08T11:30"))
                .unwrap(),
            h(4)
        );
    }
}
