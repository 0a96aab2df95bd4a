//! 办案程序 (the procedure) as an explicit state machine.
//!
//! Ordinary procedure (普通程序):
//!
//! ```text
//! 立案 filed → 调查取证 investigating → 调查终结 investigation_closed → 案件审核 case_review
//!   → [法制审核 legal_review] → [集体讨论 collective_discussion] → 事先告知 prior_notice
//!   → 陈述申辩/听证 statement_hearing → 决定 decided (处罚 / 不予处罚 / 移送司法)
//!   → 送达 served → 执行 executing (加处罚款 / 催告 → 申请法院强制执行 / 代履行) → 执行完毕 performed
//!   → 结案 closed → 归档 archived;            撤销立案 withdrawn from any stage before the decision
//! ```
//!
//! Simple procedure (简易程序/当场处罚): 当场处罚 on_the_spot (当场收缴) → 备案 filed_record →
//! (执行) → 结案 → 归档.
//!
//! [`next_status`] first checks that the action exists in the current status (else a refusal
//! naming the status), then the action's gates ([`check_action`]), then computes the next
//! status — after the case review, a legal review or a collective discussion the case goes to
//! the first stage still needed ([`route`]). Legal review and collective discussion can also be
//! requested after the prior notice (Shanghai reviews cases "that went through a hearing").

use super::facts::CaseFacts;
use super::gates::{Gate, Refusal, Thresholds, check_action, collective_discussion_required, legal_review_required};
use super::penalty::DecisionKind;
use crate::coded::CodeTable;
use crate::role::Role;

crate::coded_enum! {
    /// 程序类型.
    pub enum ProcedureKind {
        /// 普通程序 (行政处罚法 第五章第三节).
        Ordinary = ("ordinary", "普通程序"),
        /// 简易程序 / 当场处罚 (第五章第二节, 第五十一条).
        Simple = ("simple", "简易程序"),
    }
}

crate::coded_enum! {
    /// 案件状态 — the stage a case is in.
    pub enum CaseStatus {
        /// 已立案: approved; officers assigned.
        Filed = ("filed", "已立案"),
        /// 调查取证: collecting evidence (≥ 2 certified officers).
        Investigating = ("investigating", "调查取证"),
        /// 调查终结: investigation report written.
        InvestigationClosed = ("investigation_closed", "调查终结"),
        /// 案件审核: the 负责人 reviews and proposes penalty / no penalty / transfer (第五十七条);
        /// non-penalty outcomes are decided from here.
        CaseReview = ("case_review", "案件审核"),
        /// 法制审核 (第五十八条).
        LegalReview = ("legal_review", "法制审核"),
        /// 集体讨论 (第五十七条第二款).
        CollectiveDiscussion = ("collective_discussion", "集体讨论"),
        /// 事先告知: notice to be sent or sent, the party's periods running (第四十四条).
        PriorNotice = ("prior_notice", "事先告知"),
        /// 陈述申辩/听证: the party stated its case or asked for a hearing (第四十五条, 第六十三条).
        StatementHearing = ("statement_hearing", "陈述申辩/听证"),
        /// 已作出决定 (处罚、不予处罚或移送司法机关).
        Decided = ("decided", "已作出决定"),
        /// 已送达: the decision was served; the party's period to perform runs.
        Served = ("served", "已送达"),
        /// 执行中: 加处罚款, 催告, 代履行 or 申请法院强制执行 under way.
        Executing = ("executing", "执行中"),
        /// 执行完毕: performed voluntarily or by enforcement.
        Performed = ("performed", "执行完毕"),
        /// 已结案.
        Closed = ("closed", "已结案"),
        /// 已归档.
        Archived = ("archived", "已归档"),
        /// 已撤销立案 (with reason and approver).
        Withdrawn = ("withdrawn", "已撤销立案"),
        /// 当场处罚: decided and handed over on the spot (第五十二条).
        OnTheSpot = ("on_the_spot", "当场处罚"),
        /// 已备案: the on-the-spot decision was filed with the authority (第五十二条).
        FiledRecord = ("filed_record", "已备案"),
    }
}

impl CaseStatus {
    /// Still being handled (counts in queues, clocks and 三超期).
    pub fn is_open(self) -> bool {
        !matches!(self, CaseStatus::Closed | CaseStatus::Archived | CaseStatus::Withdrawn)
    }

    /// Before the decision (the stages a case may be withdrawn from).
    pub fn is_before_decision(self) -> bool {
        matches!(
            self,
            CaseStatus::Filed
                | CaseStatus::Investigating
                | CaseStatus::InvestigationClosed
                | CaseStatus::CaseReview
                | CaseStatus::LegalReview
                | CaseStatus::CollectiveDiscussion
                | CaseStatus::PriorNotice
                | CaseStatus::StatementHearing
        )
    }

    /// The procedure a status belongs to (`None` for the stages both share).
    pub fn procedure(self) -> Option<ProcedureKind> {
        match self {
            CaseStatus::OnTheSpot | CaseStatus::FiledRecord => Some(ProcedureKind::Simple),
            s if s.is_before_decision() || s == CaseStatus::Decided => Some(ProcedureKind::Ordinary),
            _ => None,
        }
    }
}

crate::coded_enum! {
    /// 办案环节 — the actions on a case. Labels read after “不能”.
    pub enum CaseAction {
        /// 立案 (opens an ordinary case).
        File = ("file", "立案"),
        StartInvestigation = ("start_investigation", "开始调查取证"),
        /// 收集证据 / 制作笔录 (stays in the status).
        AddEvidence = ("add_evidence", "收集证据"),
        /// 责令改正 (第二十八条; stays in the status).
        OrderCorrection = ("order_correction", "责令改正"),
        CloseInvestigation = ("close_investigation", "调查终结"),
        SubmitReview = ("submit_review", "提交案件审核"),
        /// 案件审核通过: goes on to the first stage still needed.
        ApproveReview = ("approve_review", "案件审核通过"),
        ReturnForInvestigation = ("return_for_investigation", "退回补充调查"),
        SubmitLegalReview = ("submit_legal_review", "提交法制审核"),
        PassLegalReview = ("pass_legal_review", "法制审核通过"),
        /// 法制审核不通过: back to the case review with the reviewer's opinion.
        FailLegalReview = ("fail_legal_review", "法制审核不通过"),
        SubmitCollectiveDiscussion = ("submit_collective_discussion", "提请集体讨论"),
        ConcludeDiscussion = ("conclude_discussion", "集体讨论决定"),
        /// 送达事先告知书 (and 听证告知书 where the hearing right applies).
        SendPriorNotice = ("send_prior_notice", "事先告知"),
        ReceiveStatement = ("receive_statement", "收到陈述申辩"),
        RequestHearing = ("request_hearing", "申请听证"),
        HoldHearing = ("hold_hearing", "举行听证"),
        /// 复核陈述申辩 (第四十五条第一款).
        HandleStatements = ("handle_statements", "复核陈述申辩"),
        WaiveRights = ("waive_rights", "放弃陈述申辩和听证"),
        /// 作出决定 (处罚 / 不予处罚 / 移送司法机关).
        Decide = ("decide", "作出决定"),
        Serve = ("serve", "送达决定书"),
        /// 自觉履行 recorded.
        RecordPaid = ("record_paid", "登记自觉履行"),
        ImposeSurcharge = ("impose_surcharge", "加处罚款"),
        SendReminder = ("send_reminder", "催告"),
        ApplyCourtEnforcement = ("apply_court_enforcement", "申请法院强制执行"),
        SubstitutePerform = ("substitute_perform", "代履行"),
        /// 执行完毕 (by the court or by substitute performance).
        CompleteExecution = ("complete_execution", "登记执行完毕"),
        Close = ("close", "结案"),
        Archive = ("archive", "归档"),
        Withdraw = ("withdraw", "撤销立案"),
        /// 当场作出处罚决定 (opens a simple-procedure case).
        DecideOnSpot = ("decide_on_spot", "当场作出处罚决定"),
        CollectOnSpot = ("collect_on_spot", "当场收缴罚款"),
        /// 备案 (第五十二条).
        FileRecord = ("file_record", "备案"),
    }
}

impl CaseAction {
    /// Actions that open a case ([`initial_status`]).
    pub fn opens_case(self) -> bool {
        matches!(self, CaseAction::File | CaseAction::DecideOnSpot)
    }

    /// The execution step an action records.
    pub fn execution_step(self) -> Option<ExecutionStep> {
        Some(match self {
            CaseAction::RecordPaid => ExecutionStep::Paid,
            CaseAction::ImposeSurcharge => ExecutionStep::Surcharge,
            CaseAction::SendReminder => ExecutionStep::Reminded,
            CaseAction::ApplyCourtEnforcement => ExecutionStep::CourtEnforcement,
            CaseAction::SubstitutePerform => ExecutionStep::SubstitutePerformance,
            _ => return None,
        })
    }
}

crate::coded_enum! {
    /// 执行方式 — the steps of execution (行政处罚法 第六十六条至第七十三条; 行政强制法).
    pub enum ExecutionStep {
        /// 自觉履行.
        Paid = ("paid", "自觉履行"),
        /// 加处罚款: 3% of the fine a day, at most the fine (第七十二条; `late_payment_surcharge`).
        Surcharge = ("surcharge", "加处罚款"),
        /// 催告 (行政强制法 第三十五条, 第五十四条).
        Reminded = ("reminded", "催告"),
        /// 申请人民法院强制执行 (行政强制法 第五十三条, 第五十四条).
        CourtEnforcement = ("court_enforcement", "申请法院强制执行"),
        /// 代履行 (行政强制法 第五十条至第五十二条).
        SubstitutePerformance = ("substitute_performance", "代履行"),
    }
}

crate::coded_enum! {
    /// 结案理由.
    pub enum ClosingGround {
        /// 执行完毕 (履行完毕, or nothing to perform: a warning).
        Performed = ("performed", "执行完毕"),
        /// 不予处罚决定已送达.
        NoPenalty = ("no_penalty", "不予处罚"),
        /// 已移送司法机关.
        Transferred = ("transferred", "已移送司法机关"),
        /// 已申请人民法院强制执行.
        CourtEnforcement = ("court_enforcement", "已申请法院强制执行"),
        /// 终结执行 (当事人死亡或终止、无财产可执行等, 行政强制法 第四十条).
        ExecutionTerminated = ("execution_terminated", "终结执行"),
    }
}

/// Whether an action exists in a status (the structure of the machine, before any gate).
pub fn is_allowed(from: CaseStatus, action: CaseAction) -> bool {
    use CaseAction as A;
    use CaseStatus as S;
    let notifying = matches!(from, S::PriorNotice | S::StatementHearing);
    let awaiting = matches!(from, S::Served | S::FiledRecord | S::Executing);
    match action {
        A::File | A::DecideOnSpot => false,
        A::StartInvestigation => from == S::Filed,
        A::AddEvidence | A::OrderCorrection => matches!(from, S::Filed | S::Investigating),
        A::CloseInvestigation => from == S::Investigating,
        A::SubmitReview => from == S::InvestigationClosed,
        A::ApproveReview => from == S::CaseReview,
        A::ReturnForInvestigation => from.is_before_decision() && !matches!(from, S::Filed | S::Investigating),
        A::SubmitLegalReview | A::SubmitCollectiveDiscussion => from == S::CaseReview || notifying,
        A::PassLegalReview | A::FailLegalReview => from == S::LegalReview,
        A::ConcludeDiscussion => from == S::CollectiveDiscussion,
        A::SendPriorNotice | A::ReceiveStatement | A::RequestHearing | A::WaiveRights => notifying,
        A::HoldHearing | A::HandleStatements => from == S::StatementHearing,
        A::Decide => from == S::CaseReview || notifying,
        A::Serve => from == S::Decided,
        A::RecordPaid | A::ImposeSurcharge | A::SendReminder | A::SubstitutePerform => awaiting,
        A::ApplyCourtEnforcement | A::CompleteExecution => from == S::Executing,
        A::Close => awaiting || matches!(from, S::Decided | S::Performed),
        A::Archive => from == S::Closed,
        A::Withdraw => from.is_before_decision(),
        A::CollectOnSpot | A::FileRecord => from == S::OnTheSpot,
    }
}

/// The first stage still needed after the case review: 法制审核 if required and not passed, then
/// 集体讨论 if required and not held, then — for a proposed penalty — 事先告知 (or 陈述申辩/听证
/// once the party has acted on the notice). `None` for a non-penalty proposal with nothing
/// pending: it is decided from the case review.
pub fn route(facts: &CaseFacts, thresholds: &Thresholds) -> Option<CaseStatus> {
    route_with(
        facts,
        thresholds,
        facts.legal_review_passed,
        facts.collective_discussion_held,
    )
}

fn route_with(f: &CaseFacts, th: &Thresholds, legal_passed: bool, collective_held: bool) -> Option<CaseStatus> {
    if legal_review_required(f, th).is_some() && !legal_passed {
        return Some(CaseStatus::LegalReview);
    }
    if collective_discussion_required(f, th).is_some() && !collective_held {
        return Some(CaseStatus::CollectiveDiscussion);
    }
    if f.proposal.as_ref().map(|p| p.kind) != Some(DecisionKind::Penalty) {
        return None;
    }
    let acted = f.notice.as_ref().is_some_and(|n| n.statements_received) || f.hearing.requested;
    Some(if f.notice_served() && acted {
        CaseStatus::StatementHearing
    } else {
        CaseStatus::PriorNotice
    })
}

fn target(from: CaseStatus, action: CaseAction, f: &CaseFacts, th: &Thresholds) -> Result<CaseStatus, Refusal> {
    use CaseAction as A;
    use CaseStatus as S;
    Ok(match action {
        A::StartInvestigation | A::ReturnForInvestigation => S::Investigating,
        A::AddEvidence | A::OrderCorrection | A::WaiveRights | A::CollectOnSpot => from,
        A::CloseInvestigation => S::InvestigationClosed,
        A::SubmitReview | A::FailLegalReview => S::CaseReview,
        A::ApproveReview => match route(f, th) {
            Some(s) => s,
            None => {
                let kind = f.proposal.as_ref().map(|p| p.kind.label()).unwrap_or("不予处罚");
                return Err(Refusal::new(
                    Gate::Proposal,
                    format!("拟“{kind}”的案件无须事先告知，可在案件审核中直接作出决定"),
                    "《行政处罚法》第五十七条",
                ));
            }
        },
        A::SubmitLegalReview => S::LegalReview,
        A::PassLegalReview => route_with(f, th, true, f.collective_discussion_held).unwrap_or(S::CaseReview),
        A::SubmitCollectiveDiscussion => S::CollectiveDiscussion,
        A::ConcludeDiscussion => route_with(f, th, f.legal_review_passed, true).unwrap_or(S::CaseReview),
        A::SendPriorNotice => S::PriorNotice,
        A::ReceiveStatement | A::RequestHearing | A::HoldHearing | A::HandleStatements => S::StatementHearing,
        A::Decide => S::Decided,
        A::Serve => S::Served,
        A::RecordPaid | A::CompleteExecution => S::Performed,
        A::ImposeSurcharge | A::SendReminder | A::SubstitutePerform | A::ApplyCourtEnforcement => S::Executing,
        A::Close => S::Closed,
        A::Archive => S::Archived,
        A::Withdraw => S::Withdrawn,
        A::FileRecord => S::FiledRecord,
        A::File => S::Filed,
        A::DecideOnSpot => S::OnTheSpot,
    })
}

/// The status after an action, or why it is refused: a step that does not exist in the current
/// status (“案件当前为“已立案”，不能作出决定”), or a gate with its article.
///
/// `facts` describes the case including the inputs of this action (see [`CaseFacts`]);
/// `thresholds` are the configured criteria.
pub fn next_status(
    from: CaseStatus,
    action: CaseAction,
    facts: &CaseFacts,
    thresholds: &Thresholds,
) -> Result<CaseStatus, Refusal> {
    if !is_allowed(from, action) {
        return Err(Refusal::transition(from, action));
    }
    check_action(from, action, facts, thresholds)?;
    target(from, action, facts, thresholds)
}

/// The first status of a new case: [`CaseAction::File`] (普通程序, → 已立案) or
/// [`CaseAction::DecideOnSpot`] (简易程序, → 当场处罚), after their gates.
pub fn initial_status(action: CaseAction, facts: &CaseFacts, thresholds: &Thresholds) -> Result<CaseStatus, Refusal> {
    if !action.opens_case() {
        return Err(Refusal::new(
            Gate::Transition,
            format!("新案件只能立案或者当场作出处罚决定，不能{}", action.label()),
            "",
        ));
    }
    check_action(CaseStatus::Filed, action, facts, thresholds)?;
    target(CaseStatus::Filed, action, facts, thresholds)
}

/// The actions that exist in a status, each with where it would lead or the gate that refuses
/// it now — for a case page's buttons (enabled, or disabled with the reason).
pub fn available_actions(
    from: CaseStatus,
    facts: &CaseFacts,
    thresholds: &Thresholds,
) -> Vec<(CaseAction, Result<CaseStatus, Refusal>)> {
    CaseAction::ALL
        .iter()
        .filter(|a| is_allowed(from, **a))
        .map(|a| (*a, next_status(from, *a, facts, thresholds)))
        .collect()
}

/// Roles that may take an action (the data scope — which cases — is applied on top).
pub fn roles_for(action: CaseAction) -> &'static [Role] {
    use CaseAction as A;
    use Role::*;
    match action {
        A::StartInvestigation
        | A::AddEvidence
        | A::OrderCorrection
        | A::CloseInvestigation
        | A::SubmitReview
        | A::SubmitLegalReview
        | A::SubmitCollectiveDiscussion
        | A::SendPriorNotice
        | A::ReceiveStatement
        | A::RequestHearing
        | A::HandleStatements
        | A::WaiveRights
        | A::Serve
        | A::RecordPaid
        | A::ImposeSurcharge
        | A::SendReminder
        | A::DecideOnSpot
        | A::CollectOnSpot
        | A::FileRecord => &[Officer, TeamLeader],
        A::File
        | A::ApproveReview
        | A::ReturnForInvestigation
        | A::ConcludeDiscussion
        | A::Decide
        | A::ApplyCourtEnforcement
        | A::SubstitutePerform
        | A::CompleteExecution
        | A::Close
        | A::Withdraw
        | A::Archive => &[TeamLeader, BureauLeader],
        A::PassLegalReview | A::FailLegalReview => &[LegalReviewer],
        // The hearing is chaired by someone who did not investigate (第六十四条第四项).
        A::HoldHearing => &[LegalReviewer, TeamLeader, BureauLeader],
    }
}

/// Actions that carry a written reason or opinion.
pub fn needs_reason(action: CaseAction) -> bool {
    matches!(
        action,
        CaseAction::File
            | CaseAction::ReturnForInvestigation
            | CaseAction::FailLegalReview
            | CaseAction::ConcludeDiscussion
            | CaseAction::HandleStatements
            | CaseAction::Close
            | CaseAction::Withdraw
    )
}

pub(super) fn code_tables() -> Vec<CodeTable> {
    vec![
        CodeTable::of::<ProcedureKind>(),
        CodeTable::of::<CaseStatus>(),
        CodeTable::of::<CaseAction>(),
        CodeTable::of::<ExecutionStep>(),
        CodeTable::of::<ClosingGround>(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_but_the_final_ones_has_a_way_on() {
        for s in CaseStatus::ALL {
            let any = CaseAction::ALL.iter().any(|a| is_allowed(*s, *a));
            assert_eq!(any, *s != CaseStatus::Archived && *s != CaseStatus::Withdrawn, "{s:?}");
        }
    }

    #[test]
    fn refusals_name_the_current_status() {
        let th = Thresholds::default();
        let e = next_status(CaseStatus::Filed, CaseAction::Decide, &CaseFacts::default(), &th).unwrap_err();
        assert_eq!(e.gate, Gate::Transition);
        assert_eq!(e.message, "案件当前为“已立案”，不能作出决定");
        assert_eq!(e.to_string(), "案件当前为“已立案”，不能作出决定");
        let e = initial_status(CaseAction::Decide, &CaseFacts::default(), &th).unwrap_err();
        assert_eq!(e.message, "新案件只能立案或者当场作出处罚决定，不能作出决定");
    }

    #[test]
    fn every_action_has_roles_and_execution_steps_map() {
        for a in CaseAction::ALL {
            assert!(!roles_for(*a).is_empty(), "{a:?}");
        }
        assert_eq!(CaseAction::SendReminder.execution_step(), Some(ExecutionStep::Reminded));
        assert_eq!(CaseAction::Decide.execution_step(), None);
        assert!(roles_for(CaseAction::PassLegalReview).contains(&Role::LegalReviewer));
        assert!(!roles_for(CaseAction::Close).contains(&Role::Officer));
    }
}
