//! 期限巡检 (sweep): classify many open items at `now` — which are due soon, which are overdue.
//!
//! Uses the same core as [`compute`](super::compute) but builds no strings and allocates nothing
//! per item (except to sort suspensions given out of order). Working-day arithmetic is O(1)
//! thanks to the calendar's precomputed index. Measured in `docs/BENCHMARKS.md`.

use super::ClockError;
use super::calendar::Calendar;
use super::days::ts_of_us;
use super::engine::{ClockState, Extension, Suspension, core, state_of};
use super::rules::RuleSet;
use jiff::Timestamp;

/// An open item: a running clock of some record (work order, clue, case …).
#[derive(Debug, Clone, Copy)]
pub struct OpenItem<'a> {
    /// Rule code, e.g. `case_decision_90d`.
    pub rule: &'a str,
    pub anchor: Timestamp,
    pub suspensions: &'a [Suspension],
    pub extensions: &'a [Extension],
}

/// The classification of one open item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ItemStatus {
    /// running, due_soon, overdue, suspended or elapsed (open items are never met/missed).
    pub state: ClockState,
    pub due_at: Timestamp,
    /// The computation touched a year without calendar data.
    pub provisional: bool,
}

/// Classifies items against one rule set, calendar and `now`.
#[derive(Debug, Clone, Copy)]
pub struct Sweeper<'a> {
    rules: &'a RuleSet,
    calendar: &'a Calendar,
    now_us: i64,
}

impl<'a> Sweeper<'a> {
    pub fn new(rules: &'a RuleSet, calendar: &'a Calendar, now: Timestamp) -> Sweeper<'a> {
        Sweeper {
            rules,
            calendar,
            now_us: now.as_microsecond(),
        }
    }

    /// The state of one item at `now`.
    #[inline]
    pub fn classify(&self, item: &OpenItem<'_>) -> Result<ItemStatus, ClockError> {
        let rule = self
            .rules
            .get(item.rule)
            .ok_or_else(|| ClockError::UnknownRule(item.rule.to_string()))?;
        let c = core(
            rule,
            self.calendar,
            item.anchor.as_microsecond(),
            item.suspensions,
            item.extensions,
            self.now_us,
            None,
        )?;
        Ok(ItemStatus {
            state: state_of(rule.kind, &c, self.now_us, None),
            due_at: ts_of_us(c.due_us),
            provisional: c.years & !self.calendar.index.covered != 0,
        })
    }
}

/// Classifies every item at `now`; results are in item order.
pub fn sweep(
    rules: &RuleSet,
    calendar: &Calendar,
    items: &[OpenItem<'_>],
    now: Timestamp,
) -> Vec<Result<ItemStatus, ClockError>> {
    let s = Sweeper::new(rules, calendar, now);
    items.iter().map(|i| s.classify(i)).collect()
}

/// Counts of a sweep's results.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SweepSummary {
    pub running: usize,
    pub due_soon: usize,
    pub overdue: usize,
    pub suspended: usize,
    pub elapsed: usize,
    /// Items that could not be computed (unknown rule, bad suspension or extension records …).
    pub invalid: usize,
    pub provisional: usize,
}

impl SweepSummary {
    pub fn of(results: &[Result<ItemStatus, ClockError>]) -> SweepSummary {
        let mut s = SweepSummary::default();
        for r in results {
            match r {
                Err(_) => s.invalid += 1,
                Ok(st) => {
                    s.provisional += st.provisional as usize;
                    match st.state {
                        ClockState::Running => s.running += 1,
                        ClockState::DueSoon => s.due_soon += 1,
                        ClockState::Overdue => s.overdue += 1,
                        ClockState::Suspended => s.suspended += 1,
                        ClockState::Elapsed => s.elapsed += 1,
                        ClockState::Met | ClockState::Missed | ClockState::Premature => {}
                    }
                }
            }
        }
        s
    }
}
