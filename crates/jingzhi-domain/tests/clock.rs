//! Legal clocks: hand-checked tables around the 2025 and 2026 holidays, explanations, states,
//! suspension/extension semantics, provisional marking, and property tests.
//!
//! Calendar facts used in the reasoning below (State Council notices; data/calendar/*.toml):
//! 2025 — 元旦 1/1 (Wed); 春节 1/28 (Tue)–2/4 (Tue), make-up 1/26 (Sun), 2/8 (Sat); 清明 4/4–4/6;
//!        劳动节 5/1 (Thu)–5/5 (Mon), make-up 4/27 (Sun); 端午 5/31–6/2; 国庆中秋 10/1 (Wed)–10/8 (Wed),
//!        make-up 9/28 (Sun), 10/11 (Sat).
//! 2026 — 元旦 1/1 (Thu)–1/3 (Sat), make-up 1/4 (Sun); 春节 2/15 (Sun)–2/23 (Mon), make-up 2/14 (Sat),
//!        2/28 (Sat); 清明 4/4 (Sat)–4/6 (Mon); 劳动节 5/1 (Fri)–5/5 (Tue), make-up 5/9 (Sat);
//!        端午 6/19 (Fri)–6/21 (Sun); 中秋 9/25 (Fri)–9/27 (Sun); 国庆 10/1 (Thu)–10/7 (Wed),
//!        make-up 9/20 (Sun), 10/10 (Sat).
//! 2027 — no data: weekends only, provisional.

use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};
use jingzhi_domain::clock::*;
use jingzhi_domain::time::{end_of_day, parse_instant};
use proptest::prelude::*;
use std::sync::OnceLock;

fn t(s: &str) -> Timestamp {
    parse_instant(s).unwrap()
}

fn d(s: &str) -> Date {
    s.parse().unwrap()
}

fn cal() -> &'static Calendar {
    static C: OnceLock<Calendar> = OnceLock::new();
    C.get_or_init(default_calendar)
}

fn rules() -> &'static RuleSet {
    static R: OnceLock<RuleSet> = OnceLock::new();
    R.get_or_init(default_rules)
}

/// Test-only rules: one suspendable and extendable rule per unit.
fn test_rules() -> &'static RuleSet {
    static R: OnceLock<RuleSet> = OnceLock::new();
    R.get_or_init(|| {
        let mut s = String::new();
        for (code, unit, len, extra) in [
            ("t_wd", "working_days", 10, ""),
            ("t_nd", "natural_days", 30, ""),
            ("t_nd_roll", "natural_days", 30, "rolling = true\n"),
            ("t_nm", "natural_months", 2, "rolling = true\n"),
            ("t_h", "hours", 48, ""),
            ("t_wh", "working_hours", 8, ""),
        ] {
            let ext_unit = if unit == "natural_months" { "natural_days" } else { unit };
            s.push_str(&format!(
                "[[rule]]\ncode = \"{code}\"\nname = \"测试{code}\"\nunit = \"{unit}\"\nlength = {len}\nanchor = \"case_filed\"\n\
                 source = \"测试\"\nconfirmed = true\n{extra}due_soon = {{ length = 1, unit = \"natural_days\" }}\n\
                 suspension = {{ approvers = [\"team_leader\"] }}\nextension = {{ approvers = [\"team_leader\"], unit = \"{ext_unit}\" }}\n\n"
            ));
        }
        RuleSet::from_toml(&s).unwrap()
    })
}

fn now() -> Timestamp {
    t("2026-01-01T00:00")
}

fn due(code: &str, anchor: &str) -> Deadline {
    rules()
        .compute(code, cal(), &ClockInput::new(t(anchor)), now())
        .unwrap()
}

// ---------------------------------------------------------------------------------------------
// The working-day calendar

#[test]
fn add_working_days_over_national_day_2026() {
    // 2026-09-30 (Wed) + 5 working days:
    //   10/1–10/7 are off (国庆节), so
    //   10/8 Thu = 1, 10/9 Fri = 2, 10/10 Sat (make-up working day) = 3,
    //   10/11 Sun is a rest day, 10/12 Mon = 4, 10/13 Tue = 5.
    assert_eq!(cal().add_working_days(d("2026-09-30"), 5).unwrap(), d("2026-10-13"));
    assert_eq!(cal().working_days_between(d("2026-09-30"), d("2026-10-13")).unwrap(), 5);
    assert_eq!(cal().sub_working_days(d("2026-10-13"), 5).unwrap(), d("2026-09-30"));
    assert_eq!(cal().add_working_days(d("2026-09-30"), 0).unwrap(), d("2026-09-30"));
}

#[test]
fn shipped_years_match_the_notices() {
    // Days off per holiday and make-up days, counted from the data, against the notices.
    let c = cal();
    let count = |y: i32, name: &str, kind: SpecialDayKind| {
        c.year(y)
            .unwrap()
            .days
            .iter()
            .filter(|x| x.name == name && x.kind == kind)
            .count()
    };
    use SpecialDayKind::{Holiday as H, Workday as W};
    for (y, name, off, makeup) in [
        (2025, "元旦", 1, 0),
        (2025, "春节", 8, 2),
        (2025, "清明节", 3, 0),
        (2025, "劳动节", 5, 1),
        (2025, "端午节", 3, 0),
        (2025, "国庆节、中秋节", 8, 2),
        (2026, "元旦", 3, 1),
        (2026, "春节", 9, 2),
        (2026, "清明节", 3, 0),
        (2026, "劳动节", 5, 1),
        (2026, "端午节", 3, 0),
        (2026, "中秋节", 3, 0),
        (2026, "国庆节", 7, 2),
    ] {
        assert_eq!((count(y, name, H), count(y, name, W)), (off, makeup), "{y} {name}");
    }
    // Every make-up day is a Saturday or Sunday; the kinds read back.
    for y in c.years() {
        for m in y.makeup_workdays() {
            assert!(
                matches!(
                    m.date.weekday(),
                    jiff::civil::Weekday::Saturday | jiff::civil::Weekday::Sunday
                ),
                "{m:?}"
            );
            assert_eq!(c.day_kind(m.date), DayKind::MakeupWorkday);
        }
    }
    assert_eq!(c.day_kind(d("2025-01-26")), DayKind::MakeupWorkday);
    assert_eq!(c.day_kind(d("2025-10-08")), DayKind::Holiday);
    assert_eq!(c.day_kind(d("2025-10-11")), DayKind::MakeupWorkday);
    assert_eq!(c.day_kind(d("2026-02-28")), DayKind::MakeupWorkday);
    // Working days in 2026, by hand: 2026 starts on a Thursday, so it has 52 × 5 + 1 = 261 weekdays.
    // Holiday days off that fall on weekdays: 元旦 1/1, 1/2 (2); 春节 2/16–2/20, 2/23 (6); 清明 4/6 (1);
    // 劳动节 5/1, 5/4, 5/5 (3); 端午 6/19 (1); 中秋 9/25 (1); 国庆 10/1, 10/2, 10/5–10/7 (5) = 19.
    // Make-up days: 1/4, 2/14, 2/28, 5/9, 9/20, 10/10 = 6. 261 − 19 + 6 = 248.
    assert_eq!(c.working_days_between(d("2025-12-31"), d("2026-12-31")).unwrap(), 248);
    // 2025 starts on a Wednesday: 261 weekdays; holiday weekdays: 1/1 (1); 1/28–1/31, 2/3, 2/4 (6); 4/4 (1); 5/1, 5/2, 5/5 (3); 6/2 (1);
    // 10/1–10/3, 10/6–10/8 (6) = 18; make-up days 5. 261 − 18 + 5 = 248.
    assert_eq!(c.working_days_between(d("2024-12-31"), d("2025-12-31")).unwrap(), 248);
}

// ---------------------------------------------------------------------------------------------
// Every shipped rule, around holidays, make-up days and year ends.

struct Case {
    rule: &'static str,
    anchor: &'static str,
    /// Expected due: a date (day units: end of that day) or a date-time (hour units).
    due: &'static str,
    rolled_from: Option<&'static str>,
    years: &'static [i32],
    provisional: bool,
    why: &'static str,
}

const CASES: &[Case] = &[
    Case {
        rule: "hotline_consult_1wd",
        anchor: "2026-09-30T10:00",
        due: "2026-10-08",
        rolled_from: None,
        years: &[2026],
        provisional: false,
        why: "9/30 Wed not counted; 10/1–10/7 off; 10/8 Thu = 1",
    },
    Case {
        rule: "hotline_consult_1wd",
        anchor: "2025-01-27T16:00",
        due: "2025-02-05",
        rolled_from: None,
        years: &[2025],
        provisional: false,
        why: "1/27 Mon not counted; 1/28–2/4 off (春节); 2/5 Wed = 1",
    },
    Case {
        rule: "hotline_supervise_3wd",
        anchor: "2026-02-13T09:00",
        due: "2026-02-25",
        rolled_from: None,
        years: &[2026],
        provisional: false,
        why: "2/14 Sat make-up = 1; 2/15–2/23 off; 2/24 Tue = 2; 2/25 Wed = 3",
    },
    Case {
        rule: "hotline_complaint_5wd",
        anchor: "2025-09-26T11:00",
        due: "2025-10-10",
        rolled_from: None,
        years: &[2025],
        provisional: false,
        why: "9/27 Sat off; 9/28 Sun make-up = 1; 9/29 = 2; 9/30 = 3; 10/1–10/8 off; 10/9 Thu = 4; 10/10 Fri = 5",
    },
    Case {
        rule: "hotline_complex_15wd",
        anchor: "2026-09-18T14:00",
        due: "2026-10-15",
        rolled_from: None,
        years: &[2026],
        provisional: false,
        why: "9/20 Sun make-up 1; 9/21–9/24 2–5; 9/25–27 off; 9/28–9/30 6–8; 10/1–7 off; 10/8 9, 10/9 10, 10/10 Sat 11; 10/12–10/15 12–15",
    },
    Case {
        rule: "report_feedback_5wd",
        anchor: "2026-09-30T08:00",
        due: "2026-10-13",
        rolled_from: None,
        years: &[2026],
        provisional: false,
        why: "10/8 Thu 1, 10/9 Fri 2, 10/10 Sat make-up 3, 10/12 Mon 4, 10/13 Tue 5",
    },
    Case {
        rule: "report_transfer_3wd",
        anchor: "2025-12-30T10:00",
        due: "2026-01-05",
        rolled_from: None,
        years: &[2025, 2026],
        provisional: false,
        why: "12/31 Wed 1; 2026-01-01–01-03 off; 1/4 Sun make-up 2; 1/5 Mon 3 (year boundary)",
    },
    Case {
        rule: "illegal_building_visit_24h",
        anchor: "2026-09-30T20:30",
        due: "2026-10-01T20:30",
        rolled_from: None,
        years: &[],
        provisional: false,
        why: "hours run through holidays and nights",
    },
    Case {
        rule: "illegal_building_visit_2h",
        anchor: "2026-02-16T23:00",
        due: "2026-02-17T01:00",
        rolled_from: None,
        years: &[],
        provisional: false,
        why: "2 hours across midnight during 春节",
    },
    Case {
        rule: "illegal_building_feedback_1m",
        anchor: "2026-01-31T10:00",
        due: "2026-02-28",
        rolled_from: None,
        years: &[],
        provisional: false,
        why: "February has no 31st: its last day (民法典 第二百零二条); no rolling for the authority",
    },
    Case {
        rule: "illegal_building_feedback_1m",
        anchor: "2025-09-30T10:00",
        due: "2025-10-30",
        rolled_from: None,
        years: &[],
        provisional: false,
        why: "corresponding day of the next month",
    },
    Case {
        rule: "property_report_24h",
        anchor: "2025-12-31T18:00",
        due: "2026-01-01T18:00",
        rolled_from: None,
        years: &[],
        provisional: false,
        why: "24 hours across the year end and 元旦",
    },
    Case {
        rule: "case_decision_90d",
        anchor: "2026-03-02T09:00",
        due: "2026-05-31",
        rolled_from: None,
        years: &[],
        provisional: false,
        why: "3/2 + 29 = 3/31, + 30 = 4/30, + 31 = 5/31 (a Sunday: the authority's deadline does not roll)",
    },
    Case {
        rule: "case_decision_90d",
        anchor: "2026-07-03T09:00",
        due: "2026-10-01",
        rolled_from: None,
        years: &[],
        provisional: false,
        why: "7/3 + 28 = 7/31, + 31 = 8/31, + 30 = 9/30, + 1 = 10/1 (国庆, no roll)",
    },
    Case {
        rule: "statement_period",
        anchor: "2026-04-30T15:00",
        due: "2026-05-08",
        rolled_from: None,
        years: &[2026],
        provisional: false,
        why: "5/1–5/5 off; 5/6 1, 5/7 2, 5/8 3",
    },
    Case {
        rule: "hearing_request_5wd",
        anchor: "2026-04-30T15:00",
        due: "2026-05-11",
        rolled_from: None,
        years: &[2026],
        provisional: false,
        why: "5/1–5/5 off; 5/6 1, 5/7 2, 5/8 3, 5/9 Sat make-up 4, 5/11 Mon 5",
    },
    Case {
        rule: "hearing_notice_7wd",
        anchor: "2026-10-13T09:30",
        due: "2026-09-28",
        rolled_from: None,
        years: &[2026],
        provisional: false,
        why: "back from 10/13: 10/12 1, 10/10 Sat 2, 10/9 3, 10/8 4, (10/1–7 off) 9/30 5, 9/29 6, 9/28 7",
    },
    Case {
        rule: "evidence_preservation_7wd",
        anchor: "2025-04-25T10:00",
        due: "2025-05-08",
        rolled_from: None,
        years: &[2025],
        provisional: false,
        why: "4/27 Sun make-up 1; 4/28–4/30 2–4; 5/1–5/5 off; 5/6 5, 5/7 6, 5/8 7",
    },
    Case {
        rule: "seizure_30d",
        anchor: "2026-01-20T10:00",
        due: "2026-02-19",
        rolled_from: None,
        years: &[],
        provisional: false,
        why: "1/20 + 11 = 1/31, + 19 = 2/19 (春节, no roll)",
    },
    Case {
        rule: "assistance_reply_10d",
        anchor: "2026-06-12T10:00",
        due: "2026-06-29",
        rolled_from: None,
        years: &[2026],
        provisional: false,
        why: "6/15–6/18 1–4; 6/19–21 off (端午); 6/22–6/26 5–9; 6/29 Mon 10",
    },
    Case {
        rule: "decision_service_7wd",
        anchor: "2025-01-22T10:00",
        due: "2025-02-07",
        rolled_from: None,
        years: &[2025],
        provisional: false,
        why: "1/23 1, 1/24 2, 1/26 Sun make-up 3, 1/27 4; 1/28–2/4 off; 2/5 5, 2/6 6, 2/7 7",
    },
    Case {
        rule: "notice_service_60d",
        anchor: "2026-08-02T10:00",
        due: "2026-10-01",
        rolled_from: None,
        years: &[],
        provisional: false,
        why: "8/2 + 29 = 8/31, + 30 = 9/30, + 1 = 10/1 (deemed service does not roll)",
    },
    Case {
        rule: "decision_publicity",
        anchor: "2026-12-28T10:00",
        due: "2027-01-06",
        rolled_from: None,
        years: &[2026],
        provisional: true,
        why: "12/29 1, 12/30 2, 12/31 3, 2027-01-01 Fri 4 (no 2027 data: weekday), 1/4 5, 1/5 6, 1/6 7",
    },
    Case {
        rule: "publicity_withdrawal_3wd",
        anchor: "2026-02-12T10:00",
        due: "2026-02-24",
        rolled_from: None,
        years: &[2026],
        provisional: false,
        why: "2/13 Fri 1, 2/14 Sat make-up 2, 2/15–2/23 off, 2/24 Tue 3",
    },
    Case {
        rule: "cash_handover_2wd",
        anchor: "2026-04-03T16:00",
        due: "2026-04-08",
        rolled_from: None,
        years: &[2026],
        provisional: false,
        why: "4/4–4/6 off (清明); 4/7 Tue 1, 4/8 Wed 2",
    },
    Case {
        rule: "fine_payment_15d",
        anchor: "2026-09-16T10:00",
        due: "2026-10-08",
        rolled_from: Some("2026-10-01"),
        years: &[2026],
        provisional: false,
        why: "9/16 + 15 = 10/1, a holiday: rolls to the first working day 10/8",
    },
    Case {
        rule: "fine_payment_15d",
        anchor: "2025-01-13T10:00",
        due: "2025-02-05",
        rolled_from: Some("2025-01-28"),
        years: &[2025],
        provisional: false,
        why: "1/13 + 15 = 1/28 (除夕, off until 2/4): rolls to 2/5",
    },
    Case {
        rule: "fine_payment_15d",
        anchor: "2026-06-27T10:00",
        due: "2026-07-13",
        rolled_from: Some("2026-07-12"),
        years: &[2026],
        provisional: false,
        why: "6/27 + 15 = 7/12, a Sunday: rolls to Monday 7/13",
    },
    Case {
        rule: "fine_payment_15d",
        anchor: "2026-02-13T10:00",
        due: "2026-02-28",
        rolled_from: None,
        years: &[2026],
        provisional: false,
        why: "2/13 + 15 = 2/28, a Saturday but a make-up working day: no roll",
    },
    Case {
        rule: "fine_payment_15d",
        anchor: "2026-12-20T10:00",
        due: "2027-01-04",
        rolled_from: None,
        years: &[],
        provisional: true,
        why: "12/20 + 15 = 2027-01-04 (Mon); 2027 has no data, so the roll check is provisional",
    },
    Case {
        rule: "review_period_60d",
        anchor: "2026-08-02T10:00",
        due: "2026-10-08",
        rolled_from: Some("2026-10-01"),
        years: &[2026],
        provisional: false,
        why: "8/2 + 60 = 10/1 (国庆): rolls to 10/8",
    },
    Case {
        rule: "litigation_period_6m",
        anchor: "2025-08-01T10:00",
        due: "2026-02-02",
        rolled_from: Some("2026-02-01"),
        years: &[2026],
        provisional: false,
        why: "8/1 + 6 months = 2026-02-01, a Sunday: rolls to Monday 2/2",
    },
    Case {
        rule: "litigation_period_6m",
        anchor: "2025-08-17T10:00",
        due: "2026-02-24",
        rolled_from: Some("2026-02-17"),
        years: &[2026],
        provisional: false,
        why: "8/17 + 6 months = 2026-02-17 (春节, off until 2/23): rolls to 2/24",
    },
    Case {
        rule: "litigation_period_6m",
        anchor: "2025-08-31T10:00",
        due: "2026-02-28",
        rolled_from: None,
        years: &[2026],
        provisional: false,
        why: "no 2/31: last day 2/28, a make-up working Saturday: no roll",
    },
    Case {
        rule: "enforcement_reminder_10wd",
        anchor: "2026-09-24T10:00",
        due: "2026-10-15",
        rolled_from: None,
        years: &[2026],
        provisional: false,
        why: "9/25–27 off; 9/28–9/30 1–3; 10/1–7 off; 10/8 4, 10/9 5, 10/10 Sat 6, 10/12–10/15 7–10",
    },
    Case {
        rule: "court_application_3m",
        anchor: "2026-07-01T10:00",
        due: "2026-10-01",
        rolled_from: None,
        years: &[],
        provisional: false,
        why: "7/1 + 3 months = 10/1 (the authority's deadline does not roll)",
    },
];

#[test]
fn every_shipped_rule_around_holidays() {
    for c in CASES {
        let dl = due(c.rule, c.anchor);
        let rule = rules().get(c.rule).unwrap();
        let want_at = if rule.unit.is_day_based() {
            end_of_day(d(c.due))
        } else {
            t(c.due)
        };
        assert_eq!(dl.due_at, want_at, "{} from {}: {}", c.rule, c.anchor, c.why);
        assert_eq!(dl.due_date, jingzhi_domain::time::civil_date(want_at), "{}", c.rule);
        assert_eq!(
            dl.rolled_from.map(|r| r.0),
            c.rolled_from.map(d),
            "{} from {}: {}",
            c.rule,
            c.anchor,
            c.why
        );
        assert_eq!(dl.calendar_years, c.years, "{} from {}", c.rule, c.anchor);
        assert_eq!(dl.is_provisional(), c.provisional, "{} from {}", c.rule, c.anchor);
    }
    // The table covers every shipped rule.
    for r in rules().rules() {
        assert!(CASES.iter().any(|c| c.rule == r.code), "no table case for {}", r.code);
    }
}

#[test]
fn shipped_rules_carry_sources_and_unconfirmed_markers() {
    let unconfirmed: Vec<&str> = rules()
        .rules()
        .iter()
        .filter(|r| !r.confirmed)
        .map(|r| r.code.as_str())
        .collect();
    assert_eq!(
        unconfirmed,
        [
            "hotline_consult_1wd",
            "hotline_supervise_3wd",
            "hotline_complaint_5wd",
            "hotline_complex_15wd",
            "case_decision_90d",
            "statement_period",
            "assistance_reply_10d",
            "decision_publicity"
        ]
    );
    for r in rules().rules() {
        assert!(
            !r.source.is_empty() && (r.confirmed || !r.note.is_empty()),
            "{}",
            r.code
        );
    }
    // Units the law fixes.
    let unit = |c: &str| rules().get(c).unwrap().unit;
    assert_eq!(unit("case_decision_90d"), ClockUnit::NaturalDays);
    assert_eq!(unit("decision_service_7wd"), ClockUnit::WorkingDays);
    assert_eq!(unit("litigation_period_6m"), ClockUnit::NaturalMonths);
    assert_eq!(unit("illegal_building_visit_2h"), ClockUnit::Hours);
    // Publicity is data: switching to 20 working days is one number.
    let text = include_str!("../../../data/clock-rules.toml");
    let at = text.find("code = \"decision_publicity\"").unwrap();
    let changed = format!("{}{}", &text[..at], text[at..].replacen("length = 7", "length = 20", 1));
    let rs = RuleSet::from_toml(&changed).unwrap();
    let dl = rs
        .compute(
            "decision_publicity",
            cal(),
            &ClockInput::new(t("2026-09-30T10:00")),
            now(),
        )
        .unwrap();
    // 10/8 1, 10/9 2, 10/10 3, 10/12–16 4–8, 10/19–23 9–13, 10/26–30 14–18, 11/2 19, 11/3 20.
    assert_eq!(dl.due_date, d("2026-11-03"));
}

// ---------------------------------------------------------------------------------------------
// Explanations

#[test]
fn explanation_of_the_issue_example_is_exact() {
    // 3/2 + 90 = 5/31; + 12 (hearing 4/10 → 4/22) = 6/12; + 30 = 7/12.
    let hearing = [Suspension::closed(
        t("2026-04-10T09:00"),
        t("2026-04-22T15:00"),
        "听证",
        "李四",
    )];
    let ext = [Extension::new(30, "张三", "案情复杂")];
    let input = ClockInput {
        anchor: t("2026-03-02T10:00"),
        suspensions: &hearing,
        extensions: &ext,
        met_at: None,
    };
    let dl = rules()
        .compute("case_decision_90d", cal(), &input, t("2026-06-01T09:00"))
        .unwrap();
    assert_eq!(
        dl.explanation(),
        "办案期限：自2026年3月2日立案起90日，扣除听证期间12日，经张三批准延长30日，至2026年7月12日届满"
    );
    assert_eq!(dl.due_at, end_of_day(d("2026-07-12")));
    assert_eq!(dl.suspensions[0].shift, Shift::NaturalDays(12));
    assert_eq!(dl.state, ClockState::Running);
    assert_eq!(dl.remaining_days, 41);
}

#[test]
fn explanations_mention_rolls_calendar_years_and_provisional_marks() {
    assert_eq!(
        due("fine_payment_15d", "2026-09-16T10:00").explanation(),
        "缴纳罚款期限：自2026年9月16日收到处罚决定书起15日，届满日2026年10月1日为法定节假日，顺延至2026年10月8日（依据2026年工作日历）"
    );
    assert_eq!(
        due("fine_payment_15d", "2026-06-27T10:00").explanation(),
        "缴纳罚款期限：自2026年6月27日收到处罚决定书起15日，届满日2026年7月12日为休息日，顺延至2026年7月13日（依据2026年工作日历）"
    );
    assert_eq!(
        due("decision_publicity", "2026-12-28T10:00").explanation(),
        "处罚决定公示期限：自2026年12月28日作出处罚决定起7个工作日，至2027年1月6日届满（依据2026年工作日历）（暂定：2027年工作日历尚未录入，按周末推算，结果为暂定）"
    );
    assert_eq!(
        due("report_transfer_3wd", "2025-12-30T10:00").explanation(),
        "举报移送期限：自2025年12月30日收到举报起3个工作日，至2026年1月5日届满（依据2025年、2026年工作日历）"
    );
    assert_eq!(
        due("hearing_notice_7wd", "2026-10-13T09:30").explanation(),
        "听证通知期限：2026年10月13日举行听证前7个工作日，至2026年9月28日届满（依据2026年工作日历）"
    );
    assert_eq!(
        due("illegal_building_visit_24h", "2026-09-30T20:30").explanation(),
        "违建线索现场核查期限：自2026年9月30日 20:30发现或收到违建线索起24小时，至2026年10月1日 20:30届满"
    );
    assert_eq!(
        due("hotline_complaint_5wd", "2027-03-01T10:00").explanation(),
        "12345求助投诉办理期限：自2027年3月1日收到工单起5个工作日，至2027年3月8日届满（暂定：2027年工作日历尚未录入，按周末推算，结果为暂定）"
    );
}

#[test]
fn explanation_of_open_and_late_suspensions() {
    let s = [
        Suspension::closed(t("2026-03-10T09:00"), t("2026-03-15T09:00"), "公告期间", "王五"),
        Suspension::open(t("2026-05-01T09:00"), "检测鉴定", "王五"),
    ];
    let input = ClockInput {
        anchor: t("2026-03-02T10:00"),
        suspensions: &s,
        extensions: &[],
        met_at: None,
    };
    let dl = rules()
        .compute("case_decision_90d", cal(), &input, t("2026-05-11T16:00"))
        .unwrap();
    // 5/31 + 5 (3/10→3/15) + 10 (5/1→5/11, counted to now) = 6/15.
    assert_eq!(dl.due_date, d("2026-06-15"));
    assert_eq!(dl.state, ClockState::Suspended);
    assert_eq!(
        dl.explanation(),
        "办案期限：自2026年3月2日立案起90日，扣除公告期间5日、检测鉴定期间10日（中止尚未结束，暂计至2026年5月11日 16:00），至2026年6月15日届满"
    );
    // A suspension that began after the period ended adds nothing.
    let late = [Suspension::closed(
        t("2026-06-03T09:00"),
        t("2026-06-20T09:00"),
        "听证",
        "王五",
    )];
    let input = ClockInput {
        anchor: t("2026-03-02T10:00"),
        suspensions: &late,
        extensions: &[],
        met_at: None,
    };
    let dl = rules()
        .compute("case_decision_90d", cal(), &input, t("2026-06-25T09:00"))
        .unwrap();
    assert_eq!(dl.due_date, d("2026-05-31"));
    assert_eq!(dl.state, ClockState::Overdue);
    assert_eq!(dl.suspensions[0].effect, SuspensionEffect::AfterDue);
    assert!(
        dl.explanation()
            .contains("，听证期间开始时期限已届满，不予扣除，至2026年5月31日届满"),
        "{}",
        dl.explanation()
    );
}

// ---------------------------------------------------------------------------------------------
// States

#[test]
fn deadline_states_over_time() {
    let code = "case_decision_90d"; // due 2026-05-31 end of day; due soon from 5/22 00:00 (10 days)
    let at = |now: &str, met: Option<&str>| {
        let input = ClockInput {
            anchor: t("2026-03-02T10:00"),
            suspensions: &[],
            extensions: &[],
            met_at: met.map(t),
        };
        rules().compute(code, cal(), &input, t(now)).unwrap()
    };
    assert_eq!(at("2026-05-21T23:59", None).state, ClockState::Running);
    assert_eq!(at("2026-05-22T00:00", None).state, ClockState::DueSoon);
    assert_eq!(at("2026-05-31T23:59:59", None).state, ClockState::DueSoon);
    let over = at("2026-06-01T00:00", None);
    assert_eq!(over.state, ClockState::Overdue);
    assert_eq!(over.remaining, SignedDuration::from_micros(-1));
    assert_eq!(over.remaining_days, -1);
    assert_eq!(at("2026-07-01T00:00", Some("2026-05-31T18:00")).state, ClockState::Met);
    assert_eq!(
        at("2026-07-01T00:00", Some("2026-06-01T08:00")).state,
        ClockState::Missed
    );
    // Remaining working days: from Mon 5/25 to Sun 5/31 → 5/26..5/29 = 4.
    assert_eq!(at("2026-05-25T10:00", None).remaining_working_days, 4);
    let e = rules().compute(
        code,
        cal(),
        &ClockInput {
            anchor: t("2026-03-02T10:00"),
            suspensions: &[],
            extensions: &[],
            met_at: Some(t("2026-03-01T10:00")),
        },
        now(),
    );
    assert_eq!(e.unwrap_err(), ClockError::MetBeforeAnchor);
}

#[test]
fn waiting_period_states() {
    // 催告书 served 9/24; may apply to court from 10/16 (10 working days end 10/15).
    let at = |now: &str, met: Option<&str>| {
        let input = ClockInput {
            anchor: t("2026-09-24T10:00"),
            suspensions: &[],
            extensions: &[],
            met_at: met.map(t),
        };
        rules()
            .compute("enforcement_reminder_10wd", cal(), &input, t(now))
            .unwrap()
            .state
    };
    assert_eq!(at("2026-10-15T23:00", None), ClockState::Running);
    assert_eq!(at("2026-10-16T00:00", None), ClockState::Elapsed);
    assert_eq!(at("2026-10-20T00:00", Some("2026-10-15T17:00")), ClockState::Premature);
    assert_eq!(at("2026-10-20T00:00", Some("2026-10-16T09:00")), ClockState::Met);
}

#[test]
fn working_hours_due_soon_on_the_one_day_order() {
    // Received Wed 9/30 10:00; due at the end of Thu 10/8. Due soon when 4 working hours are left:
    // 10/8 has 13:00–17:30 after lunch, so 4 working hours before 17:30 is 13:30.
    let dl = due("hotline_consult_1wd", "2026-09-30T10:00");
    assert_eq!(dl.due_soon_from, Some(t("2026-10-08T13:30")));
}

// ---------------------------------------------------------------------------------------------
// Suspension and extension semantics per unit

fn test_due(code: &str, anchor: &str, susp: &[Suspension], ext: &[Extension]) -> Deadline {
    let input = ClockInput {
        anchor: t(anchor),
        suspensions: susp,
        extensions: ext,
        met_at: None,
    };
    test_rules()
        .compute(code, cal(), &input, t("2026-12-31T00:00"))
        .unwrap()
}

#[test]
fn suspension_semantics_per_unit() {
    // Working days: base 9/21 + 10 = 10/12 (9/22 1, 9/23 2, 9/24 3, 9/28 4, 9/29 5, 9/30 6, 10/8 7,
    // 10/9 8, 10/10 9, 10/12 10). Suspended 9/24 10:00 → 10/9 10:00: working days after 9/24 up to
    // 10/9 = 9/28, 9/29, 9/30, 10/8, 10/9 = 5 → 10/13, 10/14, 10/15, 10/16, 10/19.
    let s = [Suspension::closed(
        t("2026-09-24T10:00"),
        t("2026-10-09T10:00"),
        "鉴定",
        "甲",
    )];
    let dl = test_due("t_wd", "2026-09-21T09:00", &s, &[]);
    assert_eq!(dl.due_date, d("2026-10-19"));
    assert_eq!(dl.suspensions[0].shift, Shift::WorkingDays(5));
    assert!(
        dl.explanation().contains("扣除鉴定期间5个工作日"),
        "{}",
        dl.explanation()
    );

    // Natural days: civil days from start date to end date; within one day → nothing.
    let same_day = [Suspension::closed(
        t("2026-03-10T09:00"),
        t("2026-03-10T17:00"),
        "听证",
        "甲",
    )];
    assert_eq!(
        test_due("t_nd", "2026-03-02T09:00", &same_day, &[]).due_date,
        d("2026-04-01")
    );
    let overnight = [Suspension::closed(
        t("2026-03-10T23:00"),
        t("2026-03-11T01:00"),
        "听证",
        "甲",
    )];
    assert_eq!(
        test_due("t_nd", "2026-03-02T09:00", &overnight, &[]).due_date,
        d("2026-04-02")
    );

    // Months: add the suspended days after the months. 1/31 + 2 months = 3/31, + 3 days = 4/3.
    let s = [Suspension::closed(
        t("2026-02-01T09:00"),
        t("2026-02-04T09:00"),
        "公告",
        "甲",
    )];
    assert_eq!(test_due("t_nm", "2026-01-31T09:00", &s, &[]).due_date, d("2026-04-03"));

    // Hours: the elapsed suspended time. 3/2 10:00 + 48 h = 3/4 10:00, + 3 h 30 min = 13:30.
    let s = [Suspension::closed(
        t("2026-03-02T12:00"),
        t("2026-03-02T15:30"),
        "停电",
        "甲",
    )];
    let dl = test_due("t_h", "2026-03-02T10:00", &s, &[]);
    assert_eq!(dl.due_at, t("2026-03-04T13:30"));
    assert!(
        dl.explanation().contains("扣除停电期间3小时30分"),
        "{}",
        dl.explanation()
    );

    // Working hours: Wed 9/30 15:00 + 8 working hours = 2.5 h (to 17:30) + 10/8 3 h + 2.5 h = 10/8 15:30.
    assert_eq!(
        test_due("t_wh", "2026-09-30T15:00", &[], &[]).due_at,
        t("2026-10-08T15:30")
    );
    // Suspended 10/8 11:00 → 14:00 = 1 working hour (11–12) + 1 (13–14) = 2 h → 17:30.
    let s = [Suspension::closed(
        t("2026-10-08T11:00"),
        t("2026-10-08T14:00"),
        "系统故障",
        "甲",
    )];
    let dl = test_due("t_wh", "2026-09-30T15:00", &s, &[]);
    assert_eq!(dl.due_at, t("2026-10-08T17:30"));
    assert_eq!(
        dl.suspensions[0].shift,
        Shift::WorkingTime(SignedDuration::from_hours(2))
    );

    // A suspension starting before the anchor counts from the anchor.
    let s = [Suspension::closed(
        t("2026-02-25T09:00"),
        t("2026-03-05T09:00"),
        "听证",
        "甲",
    )];
    assert_eq!(test_due("t_nd", "2026-03-02T09:00", &s, &[]).due_date, d("2026-04-04"));
}

#[test]
fn extension_semantics_and_limits() {
    // Month rule extended by natural days: 1/31 + 2 months = 3/31, + 10 days = 4/10; a month
    // extension counts from the anchor: 1/31 + 3 months = 4/30.
    assert_eq!(
        test_due("t_nm", "2026-01-31T09:00", &[], &[Extension::new(10, "甲", "")]).due_date,
        d("2026-04-10")
    );
    let by_month = Extension {
        length: 1,
        unit: Some(ClockUnit::NaturalMonths),
        approver: "甲".into(),
        reason: String::new(),
    };
    assert_eq!(
        test_due("t_nm", "2026-01-31T09:00", &[], &[by_month]).due_date,
        d("2026-04-30")
    );
    // Working-day extension: 10/12 + 2 = 10/14.
    assert_eq!(
        test_due("t_wd", "2026-09-21T09:00", &[], &[Extension::new(2, "甲", "")]).due_date,
        d("2026-10-14")
    );

    // Seizure: once, at most 30 days.
    let input = |ext: &[Extension]| {
        rules().compute(
            "seizure_30d",
            cal(),
            &ClockInput {
                anchor: t("2026-01-20T10:00"),
                suspensions: &[],
                extensions: ext,
                met_at: None,
            },
            now(),
        )
    };
    assert_eq!(
        input(&[Extension::new(30, "甲", "")]).unwrap().due_date,
        d("2026-03-21")
    );
    assert_eq!(
        input(&[Extension::new(31, "甲", "")]).unwrap_err(),
        ClockError::ExtensionTooLong {
            index: 1,
            max: 30,
            unit: ClockUnit::NaturalDays
        }
    );
    assert_eq!(
        input(&[Extension::new(10, "甲", ""), Extension::new(10, "乙", "")]).unwrap_err(),
        ClockError::TooManyExtensions { max: 1 }
    );
    assert_eq!(
        input(&[Extension::new(0, "甲", "")]).unwrap_err(),
        ClockError::ZeroExtension { index: 1 }
    );
    let wrong = Extension {
        length: 1,
        unit: Some(ClockUnit::Hours),
        approver: "甲".into(),
        reason: String::new(),
    };
    assert!(matches!(input(&[wrong]).unwrap_err(), ClockError::ExtensionUnit { .. }));
    assert_eq!(
        input(&[Extension::new(31, "甲", "")]).unwrap_err().to_string(),
        "第1次延长超过单次上限30日"
    );

    // Rules that cannot be extended or suspended.
    let e = rules().compute(
        "decision_service_7wd",
        cal(),
        &ClockInput {
            anchor: t("2026-01-20T10:00"),
            suspensions: &[],
            extensions: &[Extension::new(1, "甲", "")],
            met_at: None,
        },
        now(),
    );
    assert_eq!(e.unwrap_err(), ClockError::ExtensionNotAllowed);
    let s = [Suspension::open(t("2026-01-21T10:00"), "x", "甲")];
    let e = rules().compute(
        "decision_service_7wd",
        cal(),
        &ClockInput {
            anchor: t("2026-01-20T10:00"),
            suspensions: &s,
            extensions: &[],
            met_at: None,
        },
        now(),
    );
    assert_eq!(e.unwrap_err(), ClockError::SuspensionNotAllowed);
}

#[test]
fn bad_suspension_records_are_refused() {
    let run = |s: &[Suspension]| {
        test_rules().compute(
            "t_nd",
            cal(),
            &ClockInput {
                anchor: t("2026-03-02T09:00"),
                suspensions: s,
                extensions: &[],
                met_at: None,
            },
            now(),
        )
    };
    let a = Suspension::closed(t("2026-03-05"), t("2026-03-10"), "a", "甲");
    let overlapping = Suspension::closed(t("2026-03-08"), t("2026-03-12"), "b", "甲");
    assert_eq!(
        run(&[a.clone(), overlapping]).unwrap_err(),
        ClockError::SuspensionsOverlap { index: 2 }
    );
    let backwards = Suspension::closed(t("2026-03-10"), t("2026-03-05"), "b", "甲");
    assert_eq!(
        run(&[backwards]).unwrap_err(),
        ClockError::SuspensionEndsBeforeStart { index: 1 }
    );
    let open = Suspension::open(t("2026-03-01"), "b", "甲");
    assert_eq!(run(&[open, a.clone()]).unwrap_err(), ClockError::OpenSuspensionNotLast);
    // Given out of order, they are applied in order of start (same result either way).
    let b = Suspension::closed(t("2026-03-12"), t("2026-03-14"), "b", "甲");
    assert_eq!(
        run(&[b.clone(), a.clone()]).unwrap().due_date,
        run(&[a, b]).unwrap().due_date
    );
}

// ---------------------------------------------------------------------------------------------
// Provisional marking

#[test]
fn provisional_marking() {
    // A 2027 date is provisional, a 2026 one is not.
    let p = due("report_feedback_5wd", "2027-03-01T10:00");
    assert_eq!(p.provisional.as_ref().unwrap().missing_years, vec![2027]);
    assert_eq!(
        p.provisional.as_ref().unwrap().reason,
        "2027年工作日历尚未录入，按周末推算，结果为暂定"
    );
    assert!(p.calendar_years.is_empty());
    assert!(!due("report_feedback_5wd", "2026-03-02T10:00").is_provisional());
    // A 2026 period running into 2027 is provisional.
    assert!(due("report_feedback_5wd", "2026-12-29T10:00").is_provisional());
    assert!(due("fine_payment_15d", "2026-12-20T10:00").is_provisional());
    // 2024 has no data either.
    assert!(due("report_feedback_5wd", "2024-12-30T10:00").is_provisional());
    // A natural-day period that does not roll consults no calendar: never provisional.
    assert!(!due("case_decision_90d", "2026-11-01T10:00").is_provisional());
    // Loading 2027 data removes the mark (and changes the result when 2027 has holidays).
    let y2027 = parse_year_csv(2027, "测试数据", "date,kind,name\n2027-03-02,holiday,测试\n").unwrap();
    let cal27 = cal().with_year(y2027).unwrap();
    let dl = rules()
        .compute(
            "report_feedback_5wd",
            &cal27,
            &ClockInput::new(t("2027-03-01T10:00")),
            now(),
        )
        .unwrap();
    assert!(!dl.is_provisional());
    assert_eq!(dl.due_date, d("2027-03-09"));
    assert_eq!(dl.calendar_years, vec![2027]);
}

#[test]
fn out_of_range_is_an_error_not_a_panic() {
    let e = rules()
        .compute(
            "report_feedback_5wd",
            cal(),
            &ClockInput::new(t("2099-12-30T10:00")),
            now(),
        )
        .unwrap_err();
    assert_eq!(e, ClockError::OutOfRange { year: 2100 });
    assert!(
        rules()
            .compute(
                "case_decision_90d",
                cal(),
                &ClockInput::new(t("1999-06-01T10:00")),
                now()
            )
            .is_err()
    );
    // Absurd extensions do not wrap around into the range or overflow: every unit says OutOfRange.
    for code in UNITS {
        let ext = [Extension::new(u32::MAX, "甲", "")];
        let input = ClockInput {
            anchor: t("2026-03-02T09:00"),
            suspensions: &[],
            extensions: &ext,
            met_at: None,
        };
        let e = test_rules().compute(code, cal(), &input, now()).unwrap_err();
        assert!(
            matches!(e, ClockError::OutOfRange { year } if year > 2099),
            "{code}: {e:?}"
        );
    }
    assert_eq!(
        rules()
            .compute("nope", cal(), &ClockInput::new(now()), now())
            .unwrap_err(),
        ClockError::UnknownRule("nope".into())
    );
}

#[test]
fn relief_periods_lapse_then_court_window() {
    // Received 2025-08-17: 复议 60 days → 10/16; 诉讼 6 months → 2026-02-17, rolled to 2/24.
    let lapse = relief_periods_lapse(rules(), cal(), t("2025-08-17T10:00")).unwrap();
    assert_eq!(lapse, end_of_day(d("2026-02-24")));
    // Court window: 2/24 + 3 months = 5/24.
    let dl = rules()
        .compute("court_application_3m", cal(), &ClockInput::new(lapse), now())
        .unwrap();
    assert_eq!(dl.due_date, d("2026-05-24"));
}

// ---------------------------------------------------------------------------------------------
// Sweep

#[test]
fn sweep_classifies_like_compute() {
    let s = [Suspension::open(t("2026-04-01T09:00"), "听证", "甲")];
    let items = [
        OpenItem {
            rule: "case_decision_90d",
            anchor: t("2026-03-02T10:00"),
            suspensions: &[],
            extensions: &[],
        },
        OpenItem {
            rule: "case_decision_90d",
            anchor: t("2026-03-10T10:00"),
            suspensions: &[],
            extensions: &[],
        },
        OpenItem {
            rule: "case_decision_90d",
            anchor: t("2026-05-10T10:00"),
            suspensions: &[],
            extensions: &[],
        },
        OpenItem {
            rule: "case_decision_90d",
            anchor: t("2026-03-02T10:00"),
            suspensions: &s,
            extensions: &[],
        },
        OpenItem {
            rule: "enforcement_reminder_10wd",
            anchor: t("2026-05-01T10:00"),
            suspensions: &[],
            extensions: &[],
        },
        OpenItem {
            rule: "report_feedback_5wd",
            anchor: t("2027-05-25T10:00"),
            suspensions: &[],
            extensions: &[],
        },
        OpenItem {
            rule: "no_such_rule",
            anchor: t("2026-05-01T10:00"),
            suspensions: &[],
            extensions: &[],
        },
    ];
    let now = t("2026-06-01T09:00");
    let out = sweep(rules(), cal(), &items, now);
    let states: Vec<_> = out.iter().map(|r| r.as_ref().map(|s| s.state).ok()).collect();
    use ClockState::*;
    assert_eq!(
        states,
        [
            Some(Overdue),
            Some(DueSoon),
            Some(Running),
            Some(Suspended),
            Some(Elapsed),
            Some(Running),
            None
        ]
    );
    assert!(out[5].as_ref().unwrap().provisional);
    let sum = SweepSummary::of(&out);
    assert_eq!(
        (
            sum.overdue,
            sum.due_soon,
            sum.running,
            sum.suspended,
            sum.elapsed,
            sum.invalid,
            sum.provisional
        ),
        (1, 1, 2, 1, 1, 1, 1)
    );
    for (item, r) in items.iter().zip(&out) {
        if let Ok(st) = r {
            let input = ClockInput {
                anchor: item.anchor,
                suspensions: item.suspensions,
                extensions: item.extensions,
                met_at: None,
            };
            let dl = rules().compute(item.rule, cal(), &input, now).unwrap();
            assert_eq!(
                (dl.state, dl.due_at, dl.is_provisional()),
                (st.state, st.due_at, st.provisional)
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Properties

/// Dates from 2024-06-01 to 2027-12-31: a year without data on each side of 2025–2026.
fn any_date() -> impl Strategy<Value = Date> {
    (0i64..1309).prop_map(|n| d("2024-06-01").checked_add(jiff::Span::new().days(n)).unwrap())
}

fn any_instant() -> impl Strategy<Value = Timestamp> {
    (any_date(), 0i64..86_400).prop_map(|(date, s)| {
        jingzhi_domain::time::start_of_day(date)
            .checked_add(SignedDuration::from_secs(s))
            .unwrap()
    })
}

fn with_length(code: &str, len: u32) -> ClockRule {
    let mut r = test_rules().get(code).unwrap().clone();
    r.length = len;
    r
}

const UNITS: [&str; 6] = ["t_wd", "t_nd", "t_nd_roll", "t_nm", "t_h", "t_wh"];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn adding_then_counting_back_gives_n(date in any_date(), n in 0u32..400) {
        let c = cal();
        let later = c.add_working_days(date, n).unwrap();
        prop_assert_eq!(c.working_days_between(date, later).unwrap(), n as i64);
        prop_assert_eq!(c.working_days_between(later, date).unwrap(), -(n as i64));
        if n > 0 {
            prop_assert!(later > date);
            prop_assert!(c.is_working_day(later));
        }
        if c.is_working_day(date) {
            prop_assert_eq!(c.sub_working_days(later, n).unwrap(), date);
        }
    }

    #[test]
    fn add_working_days_matches_a_day_by_day_walk(date in any_date(), n in 1u32..40) {
        let c = cal();
        let mut x = date;
        let mut left = n;
        while left > 0 {
            x = x.tomorrow().unwrap();
            if c.is_working_day(x) { left -= 1; }
        }
        prop_assert_eq!(c.add_working_days(date, n).unwrap(), x);
    }

    #[test]
    fn deadlines_are_monotonic_in_n(unit in 0usize..6, anchor in any_instant(), n in 1u32..200) {
        let a = compute(&with_length(UNITS[unit], n), cal(), &ClockInput::new(anchor), anchor).unwrap();
        let b = compute(&with_length(UNITS[unit], n + 1), cal(), &ClockInput::new(anchor), anchor).unwrap();
        prop_assert!(b.due_at >= a.due_at, "{} {} {}", UNITS[unit], a.explanation(), b.explanation());
        prop_assert!(a.due_at > anchor);
    }

    #[test]
    fn a_suspension_never_shortens(unit in 0usize..6, anchor in any_instant(), start_h in -100i64..3000, len_h in 0i64..2000, open in any::<bool>()) {
        let rule = test_rules().get(UNITS[unit]).unwrap();
        let start = anchor.checked_add(SignedDuration::from_hours(start_h)).unwrap();
        let end = start.checked_add(SignedDuration::from_hours(len_h)).unwrap();
        let now = end;
        let s = [if open { Suspension::open(start, "x", "甲") } else { Suspension::closed(start, end, "x", "甲") }];
        let base = compute(rule, cal(), &ClockInput::new(anchor), now).unwrap();
        let with = compute(rule, cal(), &ClockInput { anchor, suspensions: &s, extensions: &[], met_at: None }, now).unwrap();
        prop_assert!(with.due_at >= base.due_at, "{} / {}", base.explanation(), with.explanation());
        // A suspension entirely before the anchor or after the end changes nothing.
        if start > base.due_at || end <= anchor {
            prop_assert_eq!(with.due_at, base.due_at);
        }
    }

    #[test]
    fn an_extension_never_shortens(unit in 0usize..6, anchor in any_instant(), ext in 1u32..100) {
        let rule = test_rules().get(UNITS[unit]).unwrap();
        let e = [Extension::new(ext, "甲", "")];
        let base = compute(rule, cal(), &ClockInput::new(anchor), anchor).unwrap();
        let with = compute(rule, cal(), &ClockInput { anchor, suspensions: &[], extensions: &e, met_at: None }, anchor).unwrap();
        prop_assert!(with.due_at > base.due_at || (rule.rolling && with.due_at >= base.due_at));
    }

    #[test]
    fn working_time_round_trips(from in any_instant(), mins in 0i64..20_000) {
        let c = cal();
        let dur = SignedDuration::from_mins(mins);
        let to = c.add_working_time(from, dur).unwrap();
        prop_assert_eq!(c.working_time_between(from, to).unwrap(), dur);
        prop_assert!(to >= from);
    }

    #[test]
    fn sweep_agrees_with_compute(code in 0usize..26, anchor in any_instant(), now in any_instant(), start_h in 0i64..2000, len_h in 0i64..500, susp in any::<bool>()) {
        let rule = &rules().rules()[code % rules().len()];
        let start = anchor.checked_add(SignedDuration::from_hours(start_h)).unwrap();
        let s_store = [Suspension::closed(start, start.checked_add(SignedDuration::from_hours(len_h)).unwrap(), "x", "甲")];
        let s: &[Suspension] = if susp && rule.suspension.is_some() { &s_store } else { &[] };
        let item = OpenItem { rule: &rule.code, anchor, suspensions: s, extensions: &[] };
        let swept = Sweeper::new(rules(), cal(), now).classify(&item);
        let computed = compute(rule, cal(), &ClockInput { anchor, suspensions: s, extensions: &[], met_at: None }, now);
        match (swept, computed) {
            (Ok(a), Ok(b)) => {
                prop_assert_eq!(a.state, b.state);
                prop_assert_eq!(a.due_at, b.due_at);
                prop_assert_eq!(a.provisional, b.is_provisional());
            }
            (a, b) => prop_assert_eq!(a.err(), b.err()),
        }
    }

    #[test]
    fn surcharge_is_monotonic_and_capped(fine in 1u64..10_000_000, days in 0i64..60) {
        let due = d("2026-10-08");
        let as_of = due.checked_add(jiff::Span::new().days(days)).unwrap();
        let next = as_of.tomorrow().unwrap();
        let a = late_payment_surcharge(fine, due, as_of, &[]);
        let b = late_payment_surcharge(fine, due, next, &[]);
        prop_assert!(a.amount_fen <= fine && b.amount_fen >= a.amount_fen);
        prop_assert_eq!(a.counted_days as i64, days);
    }
}
