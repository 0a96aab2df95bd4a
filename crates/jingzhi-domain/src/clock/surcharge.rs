//! 加处罚款 (late-payment surcharge): 行政处罚法 第七十二条第一款第（一）项 — "到期不缴纳罚款的，
//! 每日按罚款数额的百分之三加处罚款，加处罚款的数额不得超出罚款的数额"; 第七十三条第三款 — the
//! surcharge is not counted while 行政复议 or 行政诉讼 is pending; 行政强制法 第四十五条 (the rate
//! must be told to the party; the surcharge may not exceed the principal).

use super::days::{date_of_day, day_of_date, day_of_us};
use super::engine::Suspension;
use crate::time::zh_date;
use jiff::civil::Date;
use serde::Serialize;

/// 每日加处罚款比例（百分之三）.
pub const SURCHARGE_PERCENT_PER_DAY: u64 = 3;

/// A computed surcharge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Surcharge {
    pub fine_fen: u64,
    /// Last day of the payment period (the `fine_payment_15d` due date, after rolling).
    pub due_date: Date,
    pub as_of: Date,
    /// Days after the due date up to and including `as_of`.
    pub overdue_days: u32,
    /// Of those, days covered by a pause (复议/诉讼 pending).
    pub paused_days: u32,
    /// `overdue_days − paused_days`: the days the surcharge accrues for.
    pub counted_days: u32,
    /// min(fine, fine × 3% × counted_days), rounded down to the fen.
    pub amount_fen: u64,
    /// The cap (the fine itself) was reached.
    pub capped: bool,
}

fn yuan(fen: u64) -> String {
    format!("{}.{:02}元", fen / 100, fen % 100)
}

/// Computes the surcharge on `fine_fen` (in fen) for a payment period ending on `due_date`, as of
/// the end of `as_of`.
///
/// - Each day after `due_date` up to and including `as_of` accrues 3 % of the fine, except days
///   covered by a pause.
/// - A pause covers the civil days from its start date through its end date, both included (an
///   open pause runs through `as_of`): the days on which a 复议 or 诉讼 was pending at any time are
///   not charged — the reading most favourable to the party, since over-charging is unlawful.
/// - The amount is rounded down to the fen and capped at the fine.
pub fn late_payment_surcharge(fine_fen: u64, due_date: Date, as_of: Date, pauses: &[Suspension]) -> Surcharge {
    let first = day_of_date(due_date) + 1;
    let last = day_of_date(as_of);
    let overdue = (last - first + 1).max(0) as u32;
    let mut spans: Vec<(i32, i32)> = pauses
        .iter()
        .map(|p| {
            let a = day_of_us(p.start.as_microsecond()).max(first);
            let b = p.end.map_or(last, |e| day_of_us(e.as_microsecond())).min(last);
            (a, b)
        })
        .filter(|(a, b)| a <= b)
        .collect();
    spans.sort_unstable();
    let mut paused: u32 = 0;
    let mut covered_to = i32::MIN;
    for (a, b) in spans {
        let a = a.max(covered_to.saturating_add(1));
        if a <= b {
            paused += (b - a + 1) as u32;
        }
        covered_to = covered_to.max(b);
    }
    let counted = overdue - paused.min(overdue);
    let raw = fine_fen as u128 * SURCHARGE_PERCENT_PER_DAY as u128 * counted as u128 / 100;
    let capped = raw >= fine_fen as u128 && counted > 0;
    let amount_fen = raw.min(fine_fen as u128) as u64;
    Surcharge {
        fine_fen,
        due_date,
        as_of,
        overdue_days: overdue,
        paused_days: paused.min(overdue),
        counted_days: counted,
        amount_fen,
        capped,
    }
}

impl Surcharge {
    /// E.g. `罚款500.00元，缴纳期限至2026年10月8日届满，截至2026年11月1日逾期24日，扣除复议、诉讼期间5日，计19日，按每日3%加处罚款285.00元`.
    pub fn explanation(&self) -> String {
        let mut s = format!(
            "罚款{}，缴纳期限至{}届满，截至{}",
            yuan(self.fine_fen),
            zh_date(self.due_date),
            zh_date(self.as_of)
        );
        if self.overdue_days == 0 {
            s.push_str("未逾期，不加处罚款");
            return s;
        }
        s.push_str(&format!("逾期{}日", self.overdue_days));
        if self.paused_days > 0 {
            s.push_str(&format!(
                "，扣除复议、诉讼期间{}日，计{}日",
                self.paused_days, self.counted_days
            ));
        }
        if self.capped {
            s.push_str(&format!(
                "，按每日{SURCHARGE_PERCENT_PER_DAY}%计算已超过罚款数额，加处罚款以罚款数额{}为限",
                yuan(self.amount_fen)
            ));
        } else {
            s.push_str(&format!(
                "，按每日{SURCHARGE_PERCENT_PER_DAY}%加处罚款{}",
                yuan(self.amount_fen)
            ));
        }
        s
    }

    /// The first day the surcharge accrues (the day after the due date).
    pub fn first_day(&self) -> Date {
        date_of_day(day_of_date(self.due_date) + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::parse_instant;
    use jiff::civil::date;

    #[test]
    fn three_percent_a_day_capped_at_the_fine() {
        // 500元 due 2026-10-08; as of 10-28: 20 days × 15元 = 300元.
        let s = late_payment_surcharge(50_000, date(2026, 10, 8), date(2026, 10, 28), &[]);
        assert_eq!(
            (s.overdue_days, s.counted_days, s.amount_fen, s.capped),
            (20, 20, 30_000, false)
        );
        // 33 days = 99 %, 34 days = 102 % → capped at 500元.
        let s = late_payment_surcharge(50_000, date(2026, 10, 8), date(2026, 11, 10), &[]);
        assert_eq!((s.counted_days, s.amount_fen, s.capped), (33, 49_500, false));
        let s = late_payment_surcharge(50_000, date(2026, 10, 8), date(2026, 11, 11), &[]);
        assert_eq!((s.counted_days, s.amount_fen, s.capped), (34, 50_000, true));
        assert!(
            s.explanation().ends_with("加处罚款以罚款数额500.00元为限"),
            "{}",
            s.explanation()
        );
        // Not yet overdue.
        let s = late_payment_surcharge(50_000, date(2026, 10, 8), date(2026, 10, 8), &[]);
        assert_eq!((s.overdue_days, s.amount_fen), (0, 0));
    }

    #[test]
    fn rounds_down_to_the_fen() {
        // 33.33元 × 3 % = 99.99 fen a day: 1 day → 99 fen, 3 days → 299.97 → 299 fen.
        assert_eq!(
            late_payment_surcharge(3333, date(2026, 3, 1), date(2026, 3, 2), &[]).amount_fen,
            99
        );
        assert_eq!(
            late_payment_surcharge(3333, date(2026, 3, 1), date(2026, 3, 4), &[]).amount_fen,
            299
        );
    }

    #[test]
    fn pauses_are_not_charged_inclusive_and_merged() {
        let t = |s| parse_instant(s).unwrap();
        // Due 10-08. 复议 pending 10-12 .. 10-16 (5 days, both ends included); overlapping 诉讼
        // record 10-15 .. 10-17 adds only 10-17. As of 11-01: 24 overdue days, 6 paused, 18 charged.
        let pauses = [
            Suspension::closed(t("2026-10-12T15:00"), t("2026-10-16T09:00"), "复议", "甲"),
            Suspension::closed(t("2026-10-15T00:00"), t("2026-10-17T10:00"), "诉讼", "乙"),
        ];
        let s = late_payment_surcharge(50_000, date(2026, 10, 8), date(2026, 11, 1), &pauses);
        assert_eq!(
            (s.overdue_days, s.paused_days, s.counted_days, s.amount_fen),
            (24, 6, 18, 27_000)
        );
        assert_eq!(
            s.explanation(),
            "罚款500.00元，缴纳期限至2026年10月8日届满，截至2026年11月1日逾期24日，扣除复议、诉讼期间6日，计18日，按每日3%加处罚款270.00元"
        );
        // An open pause covers everything from its start on.
        let open = [Suspension::open(t("2026-10-20T10:00"), "诉讼", "乙")];
        let s = late_payment_surcharge(50_000, date(2026, 10, 8), date(2026, 11, 1), &open);
        assert_eq!((s.counted_days, s.paused_days), (11, 13));
        // A pause before the due date changes nothing.
        let early = [Suspension::closed(t("2026-09-01"), t("2026-09-05"), "复议", "甲")];
        assert_eq!(
            late_payment_surcharge(50_000, date(2026, 10, 8), date(2026, 11, 1), &early).counted_days,
            24
        );
    }
}
