//! 三超期两随意 (overdue and arbitrary handling) signals of a case, for team leaders' and
//! inspectors' lists.
//!
//! The bureau's own definition of 三超期两随意 was not found (facts.md §2, \[U\]). Read here as:
//! three kinds of overdue handling — filing (超期立案), handling up to the decision (超期办案) and
//! execution/closing (超期执行结案) — and two kinds of arbitrariness — closing or withdrawing a case
//! without a recorded reason and approver (随意结案/撤案), and a fine outside the discretion
//! benchmark (罚款偏离裁量基准).
//!
//! The overdue signals come from the states of the case's clocks, which the application computes
//! with the clock engine at `now` and passes in ([`CaseClock`]); nothing here reads the clock.

use super::facts::CaseFacts;
use super::gates::assess_amount;
use super::procedure::CaseStatus;
use crate::clock::ClockState;
use crate::coded::CodeTable;
use serde::{Deserialize, Serialize};

crate::coded_enum! {
    /// 监督信号类型.
    pub enum SignalKind {
        /// 超期立案 (超三期之一).
        OverdueFiling = ("overdue_filing", "超期立案"),
        /// 超期办案: 90-day decision limit, evidence preservation, seizure, hearing notice (超三期之一).
        OverdueDecision = ("overdue_decision", "超期办案"),
        /// 超期执行结案: service, court application, publicity, cash hand-over (超三期之一).
        OverdueExecution = ("overdue_execution", "超期执行结案"),
        /// 随意结案: closed without a recorded reason and leader's approval (两随意之一).
        ArbitraryClosing = ("arbitrary_closing", "随意结案"),
        /// 随意撤案: withdrawn without a recorded reason and leader's approval (两随意之一).
        ArbitraryWithdrawal = ("arbitrary_withdrawal", "随意撤案"),
        /// 罚款偏离裁量基准: outside the chosen band, or outside the legal range (两随意之一).
        AmountOutsideBand = ("amount_outside_band", "罚款偏离裁量基准"),
    }
}

impl SignalKind {
    /// 三超期.
    pub fn is_overdue(self) -> bool {
        matches!(
            self,
            SignalKind::OverdueFiling | SignalKind::OverdueDecision | SignalKind::OverdueExecution
        )
    }

    /// 两随意.
    pub fn is_arbitrary(self) -> bool {
        !self.is_overdue()
    }
}

crate::coded_enum! {
    /// 信号级别.
    pub enum SignalLevel {
        /// 即将超期 (clock due soon).
        DueSoon = ("due_soon", "即将超期"),
        /// 已超期 (clock overdue, not done).
        Overdue = ("overdue", "已超期"),
        /// 逾期完成 (done after the deadline: stays on the record for evaluation).
        Late = ("late", "逾期完成"),
        /// 不规范 (an arbitrary-handling finding).
        Irregular = ("irregular", "不规范"),
    }
}

/// One clock of a case at `now`: its rule code, its state and which overdue kind it counts for
/// (use [`default_overdue_kind`] or the bureau's own mapping).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseClock {
    pub rule: String,
    pub state: ClockState,
    pub kind: SignalKind,
}

/// A signal on a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signal {
    pub kind: SignalKind,
    pub level: SignalLevel,
    /// The clock rule behind an overdue signal.
    pub rule: Option<String>,
    /// A Chinese sentence for the list.
    pub detail: String,
}

/// Which overdue kind a shipped clock rule counts for; `None` for the party's own periods
/// (payment, hearing request, relief) and for waiting periods, which are not the authority's
/// delay. No filing rule is shipped (the 住建部令第55号 filing period is unconfirmed); a rule whose
/// code starts with `case_filing` counts as 超期立案.
pub fn default_overdue_kind(rule: &str) -> Option<SignalKind> {
    match rule {
        "case_decision_90d" | "evidence_preservation_7wd" | "seizure_30d" | "hearing_notice_7wd" => {
            Some(SignalKind::OverdueDecision)
        }
        "decision_service_7wd"
        | "court_application_3m"
        | "decision_publicity"
        | "publicity_withdrawal_3wd"
        | "cash_handover_2wd" => Some(SignalKind::OverdueExecution),
        r if r.starts_with("case_filing") => Some(SignalKind::OverdueFiling),
        _ => None,
    }
}

/// The signals of a case: one per alerting or late clock, and the arbitrary-handling findings
/// (a closed/withdrawn case without a complete approval; a fine outside its band or range).
pub fn signals(status: CaseStatus, facts: &CaseFacts, clocks: &[CaseClock]) -> Vec<Signal> {
    let mut v = Vec::new();
    for c in clocks {
        let level = match c.state {
            ClockState::DueSoon => SignalLevel::DueSoon,
            ClockState::Overdue => SignalLevel::Overdue,
            ClockState::Missed => SignalLevel::Late,
            _ => continue,
        };
        v.push(Signal {
            kind: c.kind,
            level,
            rule: Some(c.rule.clone()),
            detail: format!("{}：{}", c.kind.label(), level.label()),
        });
    }
    let irregular = |kind: SignalKind, detail: String| Signal {
        kind,
        level: SignalLevel::Irregular,
        rule: None,
        detail,
    };
    if matches!(status, CaseStatus::Closed | CaseStatus::Archived) {
        match facts.closing.as_ref() {
            None => v.push(irregular(SignalKind::ArbitraryClosing, "结案未记录理由和审批人".into())),
            Some(c) if !c.approval.is_complete() => v.push(irregular(
                SignalKind::ArbitraryClosing,
                "结案理由或审批人不完整（须写明理由并经队长或者以上负责人批准）".into(),
            )),
            Some(_) => {}
        }
    }
    if status == CaseStatus::Withdrawn && !facts.withdrawal.as_ref().is_some_and(|a| a.is_complete()) {
        v.push(irregular(
            SignalKind::ArbitraryWithdrawal,
            "撤销立案未记录完整的理由和审批人".into(),
        ));
    }
    if let Some(d) = facts.decision.as_ref() {
        match assess_amount(d, facts.party_type(), facts.matter.as_ref()) {
            Ok(a) if a.arbitrary => {
                let band = a
                    .band
                    .map(|b| format!("“{}”{}–{}元", b.level.label(), b.min_yuan, b.max_yuan));
                v.push(irregular(
                    SignalKind::AmountOutsideBand,
                    format!(
                        "罚款{}元不在所选裁量等级{}之内（理由：{}）",
                        a.fine_yuan,
                        band.unwrap_or_default(),
                        d.discretion.outside_band_reason.trim()
                    ),
                ));
            }
            Ok(_) => {}
            Err(r) => v.push(irregular(SignalKind::AmountOutsideBand, r.to_string())),
        }
    }
    v
}

pub(super) fn code_tables() -> Vec<CodeTable> {
    vec![CodeTable::of::<SignalKind>(), CodeTable::of::<SignalLevel>()]
}
