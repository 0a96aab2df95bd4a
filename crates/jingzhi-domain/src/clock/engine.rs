//! 期限计算 (deadline computation): a rule + the calendar + an anchor instant + recorded
//! suspensions and extensions (+ an optional completion instant) → the due instant, the state at
//! `now` and a checkable Chinese explanation.
//!
//! The same core ([`core`]) serves [`compute`] (one deadline, with its explanation) and the sweep
//! (many items, no strings). See `docs/clocks.md` for the conventions in prose.

use super::ClockError;
use super::calendar::{Calendar, DayKind};
use super::days::*;
use super::rules::{ClockKind, ClockRule, ClockUnit, CountingRule, Direction, RuleSet};
use crate::time::{zh_date, zh_datetime};
use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

crate::coded_enum! {
    /// 期限状态 — the state of a clock at a given `now`.
    pub enum ClockState {
        /// 计时中.
        Running = ("running", "计时中"),
        /// 即将到期: inside the rule's due-soon threshold.
        DueSoon = ("due_soon", "即将到期"),
        /// 已逾期: past the due instant and not done.
        Overdue = ("overdue", "已逾期"),
        /// 已中止: a suspension is in force (the clock is stopped).
        Suspended = ("suspended", "已中止"),
        /// 按期完成: done by the due instant (waiting period: the step was taken after it ended).
        Met = ("met", "按期完成"),
        /// 逾期完成: done after the due instant.
        Missed = ("missed", "逾期完成"),
        /// 等待期满: a waiting period has ended; the next step may be taken.
        Elapsed = ("elapsed", "等待期满"),
        /// 未满等待期即办理: the step was taken before a waiting period ended.
        Premature = ("premature", "未满等待期即办理"),
    }
}

impl ClockState {
    /// States that call for attention in a sweep.
    pub fn is_alert(self) -> bool {
        matches!(self, ClockState::DueSoon | ClockState::Overdue)
    }
}

crate::coded_enum! {
    /// 中止效果 — what a recorded suspension did to the period.
    pub enum SuspensionEffect {
        /// 已扣除: the stopped time was added to the period.
        Counted = ("counted", "已扣除"),
        /// 中止中: still in force; counted up to `now` (or the completion instant) for now.
        Open = ("open", "中止中"),
        /// 届满后开始，不予扣除: began after the period had already ended.
        AfterDue = ("after_due", "届满后开始不予扣除"),
        /// 起算前结束，不予扣除: ended before the anchor.
        BeforeAnchor = ("before_anchor", "起算前结束不予扣除"),
    }
}

/// A recorded suspension (中止): the clock stops at `start` and runs again at `end`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suspension {
    pub start: Timestamp,
    /// None: still suspended.
    pub end: Option<Timestamp>,
    /// 听证, 公告, 检测鉴定 …
    pub reason: String,
    /// Name of the person who approved it.
    pub approver: String,
}

impl Suspension {
    pub fn closed(
        start: Timestamp,
        end: Timestamp,
        reason: impl Into<String>,
        approver: impl Into<String>,
    ) -> Suspension {
        Suspension {
            start,
            end: Some(end),
            reason: reason.into(),
            approver: approver.into(),
        }
    }

    pub fn open(start: Timestamp, reason: impl Into<String>, approver: impl Into<String>) -> Suspension {
        Suspension {
            start,
            end: None,
            reason: reason.into(),
            approver: approver.into(),
        }
    }
}

/// An approved extension (延长).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Extension {
    pub length: u32,
    /// None: the rule's extension unit. Otherwise the rule's unit or its extension unit.
    #[serde(default)]
    pub unit: Option<ClockUnit>,
    /// Name of the person who approved it.
    pub approver: String,
    pub reason: String,
}

impl Extension {
    /// An extension in the rule's extension unit.
    pub fn new(length: u32, approver: impl Into<String>, reason: impl Into<String>) -> Extension {
        Extension {
            length,
            unit: None,
            approver: approver.into(),
            reason: reason.into(),
        }
    }
}

/// What [`compute`] needs besides the rule and the calendar.
#[derive(Debug, Clone, Copy)]
pub struct ClockInput<'a> {
    /// The anchor event's instant (for a `before` rule: the instant of the event counted back from).
    pub anchor: Timestamp,
    pub suspensions: &'a [Suspension],
    pub extensions: &'a [Extension],
    /// When the act was done (None: not yet).
    pub met_at: Option<Timestamp>,
}

impl ClockInput<'static> {
    /// Just an anchor: no suspensions, no extensions, not done.
    pub fn new(anchor: Timestamp) -> ClockInput<'static> {
        ClockInput {
            anchor,
            suspensions: &[],
            extensions: &[],
            met_at: None,
        }
    }
}

/// How much a suspension moved the period, in the rule's terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "unit", content = "amount", rename_all = "snake_case")]
pub enum Shift {
    /// Natural days (day and month rules).
    NaturalDays(i64),
    WorkingDays(i64),
    /// Elapsed time (hour rules).
    Duration(SignedDuration),
    /// Working time (working-hour rules).
    WorkingTime(SignedDuration),
}

impl Shift {
    fn is_zero(self) -> bool {
        match self {
            Shift::NaturalDays(n) | Shift::WorkingDays(n) => n == 0,
            Shift::Duration(d) | Shift::WorkingTime(d) => d.is_zero(),
        }
    }

    /// "12日", "3个工作日", "5小时30分", "工作时间2小时".
    pub fn zh(self) -> String {
        match self {
            Shift::NaturalDays(n) => format!("{n}日"),
            Shift::WorkingDays(n) => format!("{n}个工作日"),
            Shift::Duration(d) => zh_duration(d),
            Shift::WorkingTime(d) => format!("工作时间{}", zh_duration(d)),
        }
    }
}

/// "5小时30分", "2小时", "45分", "10秒".
pub fn zh_duration(d: SignedDuration) -> String {
    let total = d.as_secs().max(0);
    let (h, m, s) = (total / 3600, total % 3600 / 60, total % 60);
    let mut out = String::new();
    if h > 0 {
        out.push_str(&format!("{h}小时"));
    }
    if m > 0 {
        out.push_str(&format!("{m}分"));
    }
    if s > 0 || out.is_empty() {
        out.push_str(&format!("{s}秒"));
    }
    out
}

/// A suspension as applied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AppliedSuspension {
    pub start: Timestamp,
    pub end: Option<Timestamp>,
    pub reason: String,
    pub approver: String,
    pub effect: SuspensionEffect,
    pub shift: Shift,
}

/// An extension as applied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AppliedExtension {
    pub length: u32,
    pub unit: ClockUnit,
    pub approver: String,
    pub reason: String,
}

/// Why a result is provisional.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Provisional {
    /// Years the computation touched that have no calendar data.
    pub missing_years: Vec<i32>,
    /// "2027年工作日历尚未录入，按周末推算，结果为暂定"
    pub reason: String,
}

impl Provisional {
    pub(crate) fn of(missing_years: Vec<i32>) -> Provisional {
        let years = missing_years
            .iter()
            .map(|y| format!("{y}年"))
            .collect::<Vec<_>>()
            .join("、");
        Provisional {
            reason: format!("{years}工作日历尚未录入，按周末推算，结果为暂定"),
            missing_years,
        }
    }
}

/// A computed deadline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Deadline {
    pub rule_code: String,
    pub rule_name: String,
    pub kind: ClockKind,
    pub direction: Direction,
    pub unit: ClockUnit,
    pub length: u32,
    pub anchor_label: &'static str,
    pub anchor_at: Timestamp,
    /// The instant the period ends: 23:59:59.999999 of `due_date` for day and month units, the
    /// exact instant for hour units.
    pub due_at: Timestamp,
    /// The civil date (Asia/Shanghai) of `due_at`.
    pub due_date: Date,
    /// When the period was rolled (顺延): the last day before rolling, and what kind of day it was.
    pub rolled_from: Option<(Date, DayKind)>,
    /// From this instant on the state is due_soon (None: the rule sets no threshold).
    pub due_soon_from: Option<Timestamp>,
    pub state: ClockState,
    /// The `now` the state was computed at.
    pub now: Timestamp,
    /// `due_at − now` (negative when past).
    pub remaining: SignedDuration,
    /// Civil days from today to the due date (negative when past).
    pub remaining_days: i64,
    /// Working days after today up to and including the due date (negative when past).
    pub remaining_working_days: i64,
    pub met_at: Option<Timestamp>,
    pub suspensions: Vec<AppliedSuspension>,
    pub extensions: Vec<AppliedExtension>,
    /// Years whose calendar data the computation used (ascending).
    pub calendar_years: Vec<i32>,
    /// Set when the computation touched a year without calendar data.
    pub provisional: Option<Provisional>,
}

// ---------------------------------------------------------------------------------------------
// The core

/// What the core records about each suspension (only when asked: the sweep does not).
#[derive(Debug, Clone, Copy)]
pub(crate) struct SuspensionTrace {
    pub index: usize,
    pub effect: SuspensionEffect,
    pub shift: Shift,
}

/// The result of the core computation, in integers.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Core {
    pub due_us: i64,
    pub due_day: i32,
    /// Last day before rolling (== due_day when not rolled).
    pub raw_due_day: i32,
    pub due_soon_from_us: Option<i64>,
    /// Years touched (bit y − 2000).
    pub years: u128,
    /// Start of a counted suspension that is still open.
    pub open_start_us: Option<i64>,
}

/// Number of hours in µs, saturating.
fn hours_us(n: i64) -> i64 {
    n.saturating_mul(US_PER_HOUR)
}

/// A day number computed in i64, or `OutOfRange` (never wraps into range).
fn day_in_range(d: i64) -> Result<i32, ClockError> {
    if (FIRST_DAY as i64..END_DAY as i64).contains(&d) {
        Ok(d as i32)
    } else {
        let year = year_of_day(d.clamp(-100_000_000, 100_000_000) as i32);
        Err(ClockError::OutOfRange { year })
    }
}

/// Calendar months added to a day, or `OutOfRange` beyond the engine's range.
fn months_in_range(day: i32, months: i64) -> Result<i32, ClockError> {
    if months.abs() > 12 * 200 {
        return Err(ClockError::OutOfRange {
            year: if months > 0 { LAST_YEAR + 1 } else { FIRST_YEAR - 1 },
        });
    }
    day_in_range(add_months(day, months) as i64)
}

/// Visits suspensions in order of start without allocating when they are already sorted.
fn suspension_order(s: &[Suspension]) -> Option<Vec<usize>> {
    if s.windows(2).all(|w| w[0].start <= w[1].start) {
        None
    } else {
        let mut v: Vec<usize> = (0..s.len()).collect();
        v.sort_by_key(|&i| s[i].start);
        Some(v)
    }
}

/// Computes the due instant of `rule` for an anchor, suspensions and extensions.
///
/// `open_end_us` is where a still-open suspension is counted to (the completion instant or `now`).
pub(crate) fn core(
    rule: &ClockRule,
    cal: &Calendar,
    anchor_us: i64,
    suspensions: &[Suspension],
    extensions: &[Extension],
    open_end_us: i64,
    mut trace: Option<&mut Vec<SuspensionTrace>>,
) -> Result<Core, ClockError> {
    let ix = &cal.index;
    let a_day = day_of_us(anchor_us);
    ix.check_day(a_day)?;

    // Extensions.
    let mut ext_main: i64 = 0;
    let mut ext_days: i64 = 0;
    if !extensions.is_empty() {
        let policy = rule.extension.as_ref().ok_or(ClockError::ExtensionNotAllowed)?;
        if let Some(max) = policy.max_count
            && extensions.len() > max as usize
        {
            return Err(ClockError::TooManyExtensions { max });
        }
        for (i, e) in extensions.iter().enumerate() {
            let unit = e.unit.unwrap_or(policy.unit);
            if unit != policy.unit && unit != rule.unit {
                return Err(ClockError::ExtensionUnit { index: i + 1, unit });
            }
            if e.length == 0 {
                return Err(ClockError::ZeroExtension { index: i + 1 });
            }
            if unit == policy.unit
                && let Some(max) = policy.max_length
                && e.length > max
            {
                return Err(ClockError::ExtensionTooLong {
                    index: i + 1,
                    max,
                    unit,
                });
            }
            if unit == rule.unit {
                ext_main += e.length as i64;
            } else {
                ext_days += e.length as i64;
            }
        }
    }
    if !suspensions.is_empty() && rule.suspension.is_none() {
        return Err(ClockError::SuspensionNotAllowed);
    }

    // Base due.
    let n = rule.length as i64 + ext_main;
    let same_day = rule.counting == CountingRule::SameDay;
    let mut years = 0u128;
    let mut due_day: i32 = 0;
    let mut due_us: i64 = 0;
    let day_based = rule.unit.is_day_based();
    match (rule.unit, rule.direction) {
        (ClockUnit::NaturalDays, Direction::After) => {
            due_day = day_in_range(a_day as i64 + n + ext_days - same_day as i64)?;
        }
        (ClockUnit::NaturalDays, Direction::Before) => due_day = day_in_range(a_day as i64 - n)?,
        (ClockUnit::NaturalMonths, Direction::After) => {
            due_day = day_in_range(months_in_range(a_day, n)? as i64 + ext_days)?;
        }
        (ClockUnit::NaturalMonths, Direction::Before) => due_day = months_in_range(a_day, -n)?,
        (ClockUnit::WorkingDays, Direction::After) => {
            due_day = if same_day {
                ix.nth_from(a_day, n)?
            } else {
                ix.nth_after(a_day, n)?
            };
        }
        (ClockUnit::WorkingDays, Direction::Before) => due_day = ix.nth_before(a_day, n)?,
        (ClockUnit::Hours, Direction::After) => due_us = anchor_us.saturating_add(hours_us(n)),
        (ClockUnit::Hours, Direction::Before) => due_us = anchor_us.saturating_sub(hours_us(n)),
        (ClockUnit::WorkingHours, Direction::After) => {
            due_us = ix.instant_at_work(ix.cumwork(anchor_us)?.saturating_add(hours_us(n)))?
        }
        (ClockUnit::WorkingHours, Direction::Before) => {
            due_us = ix.instant_at_work(ix.cumwork(anchor_us)?.saturating_sub(hours_us(n)))?
        }
    }
    if day_based {
        ix.check_day(due_day)?;
    } else {
        ix.check_day(day_of_us(due_us))?;
    }

    // The instant the period currently ends (rolled if the rule rolls).
    let effective_due = |due_day: i32, due_us: i64| -> Result<i64, ClockError> {
        if day_based {
            let d = if rule.rolling {
                ix.on_or_after(due_day)?
            } else {
                due_day
            };
            Ok(end_of_day_us(d))
        } else {
            Ok(due_us)
        }
    };

    // Suspensions.
    let mut open_start_us = None;
    if !suspensions.is_empty() {
        let order = suspension_order(suspensions);
        let count = suspensions.len();
        let mut prev_end: Option<i64> = None;
        for k in 0..count {
            let i = order.as_ref().map_or(k, |o| o[k]);
            let s = &suspensions[i];
            let start = s.start.as_microsecond();
            let end = match s.end {
                Some(e) => e.as_microsecond(),
                None if k + 1 < count => return Err(ClockError::OpenSuspensionNotLast),
                None => open_end_us.max(start),
            };
            if end < start {
                return Err(ClockError::SuspensionEndsBeforeStart { index: i + 1 });
            }
            if let Some(pe) = prev_end
                && start < pe
            {
                return Err(ClockError::SuspensionsOverlap { index: i + 1 });
            }
            prev_end = Some(end);
            let start_c = start.max(anchor_us);
            let zero = match rule.unit {
                ClockUnit::WorkingDays => Shift::WorkingDays(0),
                ClockUnit::NaturalDays | ClockUnit::NaturalMonths => Shift::NaturalDays(0),
                ClockUnit::Hours => Shift::Duration(SignedDuration::ZERO),
                ClockUnit::WorkingHours => Shift::WorkingTime(SignedDuration::ZERO),
            };
            if end <= anchor_us && start < anchor_us {
                if let Some(t) = trace.as_deref_mut() {
                    t.push(SuspensionTrace {
                        index: i,
                        effect: SuspensionEffect::BeforeAnchor,
                        shift: zero,
                    });
                }
                continue;
            }
            if start_c > effective_due(due_day, due_us)? {
                if let Some(t) = trace.as_deref_mut() {
                    t.push(SuspensionTrace {
                        index: i,
                        effect: SuspensionEffect::AfterDue,
                        shift: zero,
                    });
                }
                continue;
            }
            let (sd, ed) = (day_of_us(start_c), day_of_us(end));
            let shift = match rule.unit {
                ClockUnit::NaturalDays | ClockUnit::NaturalMonths => {
                    let k = (ed - sd) as i64;
                    due_day = day_in_range(due_day as i64 + k)?;
                    Shift::NaturalDays(k)
                }
                ClockUnit::WorkingDays => {
                    let k = ix.count_incl(ed)? - ix.count_incl(sd)?;
                    due_day = ix.nth_after(due_day, k)?;
                    years |= year_mask(sd, ed);
                    Shift::WorkingDays(k)
                }
                ClockUnit::Hours => {
                    due_us = due_us.saturating_add(end - start_c);
                    Shift::Duration(SignedDuration::from_micros(end - start_c))
                }
                ClockUnit::WorkingHours => {
                    let w = ix.cumwork(end)? - ix.cumwork(start_c)?;
                    if w > 0 {
                        due_us = ix.instant_at_work(ix.cumwork(due_us)? + w)?;
                    }
                    years |= year_mask(sd, ed);
                    Shift::WorkingTime(SignedDuration::from_micros(w))
                }
            };
            if day_based {
                ix.check_day(due_day)?;
            } else {
                ix.check_day(day_of_us(due_us))?;
            }
            let effect = if s.end.is_none() {
                open_start_us = Some(start_c);
                SuspensionEffect::Open
            } else {
                SuspensionEffect::Counted
            };
            if let Some(t) = trace.as_deref_mut() {
                t.push(SuspensionTrace {
                    index: i,
                    effect,
                    shift,
                });
            }
        }
    }

    // Rolling, instants, years.
    let raw_due_day;
    if day_based {
        raw_due_day = due_day;
        if rule.rolling {
            due_day = ix.on_or_after(due_day)?;
            years |= year_mask(raw_due_day, due_day);
        }
        due_us = end_of_day_us(due_day);
    } else {
        due_day = day_of_us(due_us);
        raw_due_day = due_day;
    }
    if matches!(rule.unit, ClockUnit::WorkingDays | ClockUnit::WorkingHours) {
        years |= year_mask(a_day, due_day);
    }

    // Due-soon threshold.
    let due_soon_from_us = match (rule.kind, rule.due_soon) {
        (ClockKind::Deadline, Some(ds)) => {
            let k = ds.length as i64;
            Some(match ds.unit {
                ClockUnit::WorkingDays => start_of_day_us(ix.kth_on_or_before(due_day, k)?),
                ClockUnit::NaturalDays | ClockUnit::NaturalMonths => start_of_day_us(due_day - (k - 1) as i32),
                ClockUnit::Hours => due_us - hours_us(k),
                ClockUnit::WorkingHours => ix.instant_at_work((ix.cumwork(due_us)? - hours_us(k)).max(0))?,
            })
        }
        _ => None,
    };

    Ok(Core {
        due_us,
        due_day,
        raw_due_day,
        due_soon_from_us,
        years,
        open_start_us,
    })
}

/// The state at `now_us`.
pub(crate) fn state_of(kind: ClockKind, c: &Core, now_us: i64, met_us: Option<i64>) -> ClockState {
    if let Some(m) = met_us {
        return match kind {
            ClockKind::Deadline if m <= c.due_us => ClockState::Met,
            ClockKind::Deadline => ClockState::Missed,
            ClockKind::WaitingPeriod if m > c.due_us => ClockState::Met,
            ClockKind::WaitingPeriod => ClockState::Premature,
        };
    }
    if let Some(s) = c.open_start_us
        && s <= now_us
    {
        return ClockState::Suspended;
    }
    if now_us > c.due_us {
        return match kind {
            ClockKind::Deadline => ClockState::Overdue,
            ClockKind::WaitingPeriod => ClockState::Elapsed,
        };
    }
    if let Some(f) = c.due_soon_from_us
        && now_us >= f
    {
        return ClockState::DueSoon;
    }
    ClockState::Running
}

// ---------------------------------------------------------------------------------------------
// The public computation

/// Computes one deadline: due instant and date, state and remaining time at `now`, and everything
/// [`Deadline::explanation`] needs.
///
/// Conventions (details in `docs/clocks.md`):
/// - The anchor day is not counted (次日起算); day and month periods end at 23:59:59.999999
///   Asia/Shanghai of the due day; hour periods at the exact instant.
/// - Months end on the corresponding day, or the last day of a shorter month (民法典 第二百零二条).
/// - Extensions are added to the length (month rules may be extended by natural days, added after
///   the months).
/// - A suspension from `start` to `end` adds: natural days/months → the civil days from the start
///   date to the end date (a suspension within one day adds nothing); working days → the working
///   days after the start date up to and including the end date; hours → the elapsed time;
///   working hours → the working time in between. A suspension that began after the period had
///   ended adds nothing; one that began before the anchor counts from the anchor. An open
///   suspension is counted to `met_at` or `now`, and the state is `suspended`.
/// - Rolling (顺延) applies last, to natural-day/month rules that have `rolling = true`.
pub fn compute(
    rule: &ClockRule,
    cal: &Calendar,
    input: &ClockInput<'_>,
    now: Timestamp,
) -> Result<Deadline, ClockError> {
    let anchor_us = input.anchor.as_microsecond();
    let now_us = now.as_microsecond();
    let met_us = input.met_at.map(|t| t.as_microsecond());
    if rule.direction == Direction::After
        && let Some(m) = met_us
        && m < anchor_us
    {
        return Err(ClockError::MetBeforeAnchor);
    }
    let mut traces = Vec::new();
    let c = core(
        rule,
        cal,
        anchor_us,
        input.suspensions,
        input.extensions,
        met_us.unwrap_or(now_us),
        Some(&mut traces),
    )?;
    let state = state_of(rule.kind, &c, now_us, met_us);

    let ix = &cal.index;
    let today = day_of_us(now_us);
    let remaining_working_days = match (ix.count_incl(c.due_day), ix.count_incl(today)) {
        (Ok(a), Ok(b)) => a - b,
        _ => 0,
    };
    let missing = c.years & !ix.covered;
    let used = c.years & ix.covered;
    let policy_unit = rule.extension.as_ref().map_or(rule.unit, |p| p.unit);

    Ok(Deadline {
        rule_code: rule.code.clone(),
        rule_name: rule.name.clone(),
        kind: rule.kind,
        direction: rule.direction,
        unit: rule.unit,
        length: rule.length,
        anchor_label: rule.anchor.label(),
        anchor_at: input.anchor,
        due_at: ts_of_us(c.due_us),
        due_date: date_of_day(c.due_day),
        rolled_from: (c.raw_due_day != c.due_day).then(|| (date_of_day(c.raw_due_day), ix.kind(c.raw_due_day))),
        due_soon_from: c.due_soon_from_us.map(ts_of_us),
        state,
        now,
        remaining: SignedDuration::from_micros(c.due_us - now_us),
        remaining_days: (c.due_day - today) as i64,
        remaining_working_days,
        met_at: input.met_at,
        suspensions: traces
            .iter()
            .map(|t| {
                let s = &input.suspensions[t.index];
                AppliedSuspension {
                    start: s.start,
                    end: s.end,
                    reason: s.reason.clone(),
                    approver: s.approver.clone(),
                    effect: t.effect,
                    shift: t.shift,
                }
            })
            .collect(),
        extensions: input
            .extensions
            .iter()
            .map(|e| AppliedExtension {
                length: e.length,
                unit: e.unit.unwrap_or(policy_unit),
                approver: e.approver.clone(),
                reason: e.reason.clone(),
            })
            .collect(),
        calendar_years: years_in_mask(used),
        provisional: (missing != 0).then(|| Provisional::of(years_in_mask(missing))),
    })
}

impl RuleSet {
    /// [`compute`] by rule code.
    pub fn compute(
        &self,
        code: &str,
        cal: &Calendar,
        input: &ClockInput<'_>,
        now: Timestamp,
    ) -> Result<Deadline, ClockError> {
        let rule = self
            .get(code)
            .ok_or_else(|| ClockError::UnknownRule(code.to_string()))?;
        compute(rule, cal, input, now)
    }
}

/// The instant the relief periods lapse (复议 60 days, 诉讼 6 months, both from receipt of the
/// decision): the later of the two due instants of the rules `review_period_60d` and
/// `litigation_period_6m`. It is the anchor of `court_application_3m` (行政强制法 第五十三条:
/// "自期限届满之日起三个月内").
pub fn relief_periods_lapse(
    rules: &RuleSet,
    cal: &Calendar,
    decision_received: Timestamp,
) -> Result<Timestamp, ClockError> {
    let mut latest = None;
    for code in ["review_period_60d", "litigation_period_6m"] {
        let rule = rules
            .get(code)
            .ok_or_else(|| ClockError::UnknownRule(code.to_string()))?;
        let c = core(rule, cal, decision_received.as_microsecond(), &[], &[], 0, None)?;
        latest = latest.max(Some(c.due_us));
    }
    Ok(ts_of_us(latest.unwrap_or_default()))
}

// ---------------------------------------------------------------------------------------------
// Explanation

fn period_of(reason: &str) -> String {
    let r = reason.trim();
    if r.is_empty() {
        "中止期间".to_string()
    } else if r.ends_with("期间") {
        r.to_string()
    } else {
        format!("{r}期间")
    }
}

impl Deadline {
    fn zh_instant(&self, ts: Timestamp) -> String {
        if self.unit.is_day_based() {
            zh_date(crate::time::civil_date(ts))
        } else {
            zh_datetime(ts)
        }
    }

    fn zh_due(&self) -> String {
        if self.unit.is_day_based() {
            zh_date(self.due_date)
        } else {
            zh_datetime(self.due_at)
        }
    }

    /// Whether a year without calendar data was touched.
    pub fn is_provisional(&self) -> bool {
        self.provisional.is_some()
    }

    /// One Chinese sentence a person can check by hand, e.g.
    /// `办案期限：自2026年3月2日立案起90日，扣除听证期间12日，经张三批准延长30日，至2026年7月12日届满`.
    ///
    /// It names the anchor, the length, each counted suspension and extension, the holiday roll
    /// (`届满日2026年10月1日为法定节假日，顺延至2026年10月8日`), the calendar years used
    /// (`（依据2026年工作日历）`) and, when provisional, `（暂定：…）`.
    pub fn explanation(&self) -> String {
        let mut s = format!("{}：", self.rule_name);
        let anchor = self.zh_instant(self.anchor_at);
        let len = self.unit.amount(self.length);
        match self.direction {
            Direction::After => s.push_str(&format!("自{anchor}{}起{len}", self.anchor_label)),
            Direction::Before => s.push_str(&format!("{anchor}{}前{len}", self.anchor_label)),
        }
        let counted: Vec<String> = self
            .suspensions
            .iter()
            .filter(|a| match a.effect {
                SuspensionEffect::Counted => !a.shift.is_zero(),
                SuspensionEffect::Open => true,
                _ => false,
            })
            .map(|a| {
                let mut t = format!("{}{}", period_of(&a.reason), a.shift.zh());
                if a.effect == SuspensionEffect::Open {
                    let to = self.met_at.unwrap_or(self.now);
                    t.push_str(&format!("（中止尚未结束，暂计至{}）", zh_datetime(to)));
                }
                t
            })
            .collect();
        if !counted.is_empty() {
            s.push_str(&format!("，扣除{}", counted.join("、")));
        }
        for a in self
            .suspensions
            .iter()
            .filter(|a| a.effect == SuspensionEffect::AfterDue)
        {
            s.push_str(&format!("，{}开始时期限已届满，不予扣除", period_of(&a.reason)));
        }
        for e in &self.extensions {
            let who = if e.approver.trim().is_empty() {
                String::new()
            } else {
                e.approver.trim().to_string()
            };
            s.push_str(&format!("，经{who}批准延长{}", e.unit.amount(e.length)));
        }
        match self.rolled_from {
            Some((raw, kind)) => {
                s.push_str(&format!(
                    "，届满日{}为{}，顺延至{}",
                    zh_date(raw),
                    kind.label(),
                    zh_date(self.due_date)
                ));
            }
            None => s.push_str(&format!("，至{}届满", self.zh_due())),
        }
        if !self.calendar_years.is_empty() {
            let ys = self
                .calendar_years
                .iter()
                .map(|y| format!("{y}年"))
                .collect::<Vec<_>>()
                .join("、");
            s.push_str(&format!("（依据{ys}工作日历）"));
        }
        if let Some(p) = &self.provisional {
            s.push_str(&format!("（暂定：{}）", p.reason));
        }
        s
    }
}
