//! 法定期限 (legal clocks): the working-day calendar and the deadline engine.
//!
//! Pure code: no I/O and no clock reads; `now` is always an argument. Data comes in as text
//! (the app embeds the files of `data/` with `include_str!`, as [`default_rules`] and
//! [`default_calendar`] do) and is validated by the parsers here, which report problems in Chinese.
//!
//! # Pieces
//!
//! - [`Calendar`]: weekends, statutory holidays and make-up working days (调休上班) per year, from
//!   [`parse_year_toml`] (`data/calendar/YYYY.toml`) or [`parse_year_csv`] (admin import), plus the
//!   working-hour windows ([`WorkingHours`], `data/calendar/working-hours.toml`). Years without data
//!   are counted by weekends only and make results provisional. Adding or counting working days is
//!   O(1) (precomputed index over 2000–2099).
//! - [`RuleSet`] / [`ClockRule`]: the legal periods as data (`data/clock-rules.toml`): unit, length,
//!   anchor event, counting, rolling, legal source, suspension/extension policy, confirmed flag,
//!   due-soon threshold.
//! - [`compute`]: one [`Deadline`] (due instant and date, [`ClockState`] at `now`, remaining time,
//!   applied suspensions and extensions, calendar years used, provisional marking) and its
//!   one-sentence Chinese [`Deadline::explanation`].
//! - [`sweep`] / [`Sweeper`]: classify many open items at `now` without building strings.
//! - [`late_payment_surcharge`]: 加处罚款 (3% a day, capped at the fine), in fen.
//!
//! # Example
//!
//! ```ignore
//! use jingzhi_domain::clock::*;
//! use jingzhi_domain::time::parse_instant;
//! let (rules, cal) = (default_rules(), default_calendar());
//! let t = |s| parse_instant(s).unwrap();
//! let hearing = [Suspension::closed(t("2026-04-10T09:00"), t("2026-04-22T15:00"), "听证", "李四")];
//! let ext = [Extension::new(30, "张三", "案情复杂")];
//! let input = ClockInput { anchor: t("2026-03-02T10:00"), suspensions: &hearing, extensions: &ext, met_at: None };
//! let d = rules.compute("case_decision_90d", &cal, &input, t("2026-06-01T09:00"))?;
//! assert_eq!(d.explanation(), "办案期限：自2026年3月2日立案起90日，扣除听证期间12日，经张三批准延长30日，至2026年7月12日届满");
//! assert_eq!(d.state, ClockState::Running);
//! ```
//!
//! Conventions, units, suspension and extension semantics, the rules table and the file formats
//! are documented in `docs/clocks.md`.

mod calendar;
mod days;
mod engine;
mod rules;
mod surcharge;
mod sweep;

pub use calendar::{
    Calendar, CalendarError, DayKind, SpecialDay, SpecialDayKind, WorkingHours, YearCalendar, parse_year_csv,
    parse_year_toml,
};
pub use engine::{
    AppliedExtension, AppliedSuspension, ClockInput, ClockState, Deadline, Extension, Provisional, Shift, Suspension,
    SuspensionEffect, compute, relief_periods_lapse, zh_duration,
};
pub use rules::{
    AnchorEvent, ClockKind, ClockRule, ClockUnit, CountingRule, Direction, DueSoon, ExtensionPolicy, Obligor, RuleSet,
    RulesError, SuspensionPolicy,
};
pub use surcharge::{SURCHARGE_PERCENT_PER_DAY, Surcharge, late_payment_surcharge};
pub use sweep::{ItemStatus, OpenItem, SweepSummary, Sweeper, sweep};

use crate::coded::CodeTable;

/// First and last year the engine computes in (the precomputed index covers 2000-01-01 …
/// 2099-12-31).
pub const YEAR_RANGE: (i32, i32) = (days::FIRST_YEAR, days::LAST_YEAR);

/// Errors of a computation, in Chinese.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClockError {
    #[error("未知的期限规则：{0}")]
    UnknownRule(String),
    #[error("日期超出可计算范围：{year}年（可计算2000年至2099年）")]
    OutOfRange { year: i32 },
    #[error("该期限不能中止（规则未允许中止）")]
    SuspensionNotAllowed,
    #[error("该期限不能延长（规则未允许延长）")]
    ExtensionNotAllowed,
    #[error("延长次数超过上限（至多{max}次）")]
    TooManyExtensions { max: u32 },
    #[error("第{index}次延长超过单次上限{}", .unit.amount(.max))]
    ExtensionTooLong { index: usize, max: u32, unit: ClockUnit },
    #[error("第{index}次延长的单位“{}”不适用于该期限", .unit.label())]
    ExtensionUnit { index: usize, unit: ClockUnit },
    #[error("第{index}次延长的长度为0")]
    ZeroExtension { index: usize },
    #[error("第{index}个中止的结束时间早于开始时间")]
    SuspensionEndsBeforeStart { index: usize },
    #[error("第{index}个中止与前一个中止的时间重叠")]
    SuspensionsOverlap { index: usize },
    #[error("尚未结束的中止之后不能再有其他中止")]
    OpenSuspensionNotLast,
    #[error("完成时间早于起算时间")]
    MetBeforeAnchor,
}

/// The coded enums of this module, for the glossary check (`coded::all_code_tables`).
pub fn code_tables() -> Vec<CodeTable> {
    vec![
        CodeTable::of::<ClockUnit>(),
        CodeTable::of::<AnchorEvent>(),
        CodeTable::of::<CountingRule>(),
        CodeTable::of::<ClockKind>(),
        CodeTable::of::<Direction>(),
        CodeTable::of::<Obligor>(),
        CodeTable::of::<ClockState>(),
        CodeTable::of::<SuspensionEffect>(),
        CodeTable::of::<DayKind>(),
        CodeTable::of::<SpecialDayKind>(),
    ]
}

/// The rules shipped in `data/clock-rules.toml` (embedded at build time).
pub fn default_rules() -> RuleSet {
    RuleSet::from_toml(include_str!("../../../../data/clock-rules.toml"))
        .unwrap_or_else(|e| panic!("data/clock-rules.toml is invalid:\n{e}"))
}

/// The calendar shipped in `data/calendar/` (2025, 2026 and the working-hour windows; embedded).
pub fn default_calendar() -> Calendar {
    let years = [
        ("2025", include_str!("../../../../data/calendar/2025.toml")),
        ("2026", include_str!("../../../../data/calendar/2026.toml")),
    ]
    .into_iter()
    .map(|(y, text)| parse_year_toml(text).unwrap_or_else(|e| panic!("data/calendar/{y}.toml is invalid:\n{e}")))
    .collect();
    let hours = WorkingHours::parse_toml(include_str!("../../../../data/calendar/working-hours.toml"))
        .unwrap_or_else(|e| panic!("data/calendar/working-hours.toml is invalid:\n{e}"));
    Calendar::new(years, hours).unwrap_or_else(|e| panic!("shipped calendar is invalid:\n{e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const GLOSSARY: &str = include_str!("../../../../docs/glossary.md");

    fn clock_section() -> &'static str {
        let at = GLOSSARY
            .find("## Legal clocks · 法定期限")
            .expect("glossary has the clock section");
        &GLOSSARY[at..]
    }

    #[test]
    fn every_clock_code_and_label_is_in_the_glossary_clock_section() {
        let section = clock_section();
        for t in code_tables() {
            assert!(
                section.contains(&format!("`{}`", t.name)),
                "glossary lacks enum {}",
                t.name
            );
            for (code, label) in &t.entries {
                assert!(!label.is_empty(), "{}::{code} has no label", t.name);
                assert!(
                    section.contains(&format!("`{code}`")),
                    "glossary lacks `{code}` ({})",
                    t.name
                );
                assert!(section.contains(label), "glossary lacks label {label} ({})", t.name);
            }
        }
    }

    #[test]
    fn every_shipped_rule_is_in_the_glossary_and_the_clock_doc() {
        let section = clock_section();
        let doc = include_str!("../../../../docs/clocks.md");
        for r in default_rules().rules() {
            assert!(
                section.contains(&format!("`{}`", r.code)),
                "glossary lacks rule `{}`",
                r.code
            );
            assert!(section.contains(&r.name), "glossary lacks rule name {}", r.name);
            assert!(
                doc.contains(&format!("`{}`", r.code)),
                "docs/clocks.md lacks rule `{}`",
                r.code
            );
        }
    }

    #[test]
    fn code_tables_are_registered_with_the_domain() {
        let all = crate::coded::all_code_tables();
        for t in code_tables() {
            assert!(
                all.iter().any(|a| a.name == t.name),
                "{} not in all_code_tables",
                t.name
            );
        }
    }

    #[test]
    fn shipped_data_loads() {
        let cal = default_calendar();
        assert!(cal.has_year(2025) && cal.has_year(2026) && !cal.has_year(2027));
        assert!(default_rules().len() >= 25);
    }
}
