//! Penalty cases (办案): both procedures end to end, every gate refusing with its article when its
//! condition is unmet and passing when it is met, illegal transitions, documents, signals and
//! publicity. Matters come from the shipped catalogue (data/matters.toml):
//! 占道经营 `street_vending` 50–500 元 (bands 轻微 50–100, 一般 100–250, 较重 250–400, 严重 400–500);
//! 餐饮油烟 `catering_fumes` 5,000–50,000 元 (轻微 5,000–10,000 …); 生活垃圾分类 `waste_sorting`
//! (责令改正前置; 个人 50–200, 单位 5,000–50,000); 损坏绿化 `greenery_damage` (3–5 倍补偿标准).

use jingzhi_domain::case::*;
use jingzhi_domain::clock::ClockState;
use jingzhi_domain::matter::{DiscretionLevel, PartyType, default_catalogue};
use jingzhi_domain::role::Role;

use CaseAction as A;
use CaseStatus as S;

fn th() -> Thresholds {
    Thresholds::default()
}

fn terms(code: &str, variant: Option<&str>) -> MatterTerms {
    let c = default_catalogue();
    MatterTerms::of(c.get(code).expect(code), variant).expect("variant")
}

fn two_officers() -> Vec<Officer> {
    vec![
        Officer::new("张明", Some("31010500001")),
        Officer::new("李强", Some("31010500002")),
    ]
}

fn evidence() -> Vec<EvidenceRecord> {
    vec![
        EvidenceRecord::new(EvidenceType::AudioVisual, "现场照片（6张）", two_officers()),
        EvidenceRecord::new(EvidenceType::InspectionRecord, "现场检查笔录", two_officers())
            .signed(SignatureStatus::PartySigned),
    ]
}

fn discretion(level: DiscretionLevel) -> Discretion {
    Discretion {
        level: Some(level),
        reasons: "初次被查处，配合调查，占道面积约3㎡".into(),
        ..Discretion::default()
    }
}

fn fine(amount: i64, level: DiscretionLevel) -> Decision {
    Decision::penalty(vec![Penalty::fine(amount)], discretion(level))
}

fn leader(reason: &str) -> Approval {
    Approval::new("王队长", Role::TeamLeader, reason)
}

/// An ordinary case against a citizen for 占道经营, ready to be decided: evidence in order, a fine of
/// 200 元 (一般), notice served, statement period over, no statements.
fn ready_to_decide() -> CaseFacts {
    let mut f = CaseFacts::new(ProcedureKind::Ordinary, PartyKind::Citizen);
    f.matter = Some(terms("street_vending", None));
    f.filing_approval = Some(leader("现场发现占道经营，符合立案条件"));
    f.officers = two_officers();
    f.evidence = evidence();
    f.proposal = Some(fine(200, DiscretionLevel::Ordinary));
    f.notice = Some(NoticeFacts {
        served: true,
        penalties: vec![Penalty::fine(200)],
        statement_period_elapsed: true,
        ..NoticeFacts::default()
    });
    f.hearing.request_period_elapsed = true;
    f.decision = Some(fine(200, DiscretionLevel::Ordinary));
    f
}

/// Asserts a refusal by gate and article, and returns its message.
#[track_caller]
fn refused(r: Result<CaseStatus, Refusal>, gate: Gate, article: &str) -> String {
    let e = r.expect_err("expected a refusal");
    assert_eq!(e.gate, gate, "{e}");
    assert!(
        e.article.contains(article),
        "article {:?} lacks {article:?} ({e})",
        e.article
    );
    assert!(
        e.message.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
        "Chinese message: {e}"
    );
    e.message
}

fn decide(f: &CaseFacts) -> Result<CaseStatus, Refusal> {
    next_status(S::StatementHearing, A::Decide, f, &th())
}

// ---------------------------------------------------------------------------------------------
// Whole paths

#[test]
fn the_ordinary_procedure_end_to_end_with_hearing_and_legal_review() {
    let th = th();
    // 餐饮油烟 against a citizen: 8,000 元 reaches the 5,000 hearing and legal-review thresholds.
    let mut f = CaseFacts::new(ProcedureKind::Ordinary, PartyKind::Citizen);
    f.matter = Some(terms("catering_fumes", None));
    f.filing_approval = Some(leader("群众举报油烟扰民，核查属实"));
    f.officers = two_officers();
    let mut s = initial_status(A::File, &f, &th).unwrap();
    assert_eq!(s, S::Filed);
    let step = |s: &mut CaseStatus, a: CaseAction, f: &CaseFacts, expect: CaseStatus| {
        *s = next_status(*s, a, f, &th).unwrap_or_else(|e| panic!("{a:?} from {s:?}: {e}"));
        assert_eq!(*s, expect, "after {a:?}");
    };
    step(&mut s, A::StartInvestigation, &f, S::Investigating);
    f.evidence = evidence();
    step(&mut s, A::AddEvidence, &f, S::Investigating);
    step(&mut s, A::CloseInvestigation, &f, S::InvestigationClosed);
    let proposal = Decision::penalty(
        vec![Penalty::fine(8_000)],
        Discretion {
            level: Some(DiscretionLevel::Slight),
            reasons: "未安装油烟净化设施，首次被查处".into(),
            ..Discretion::default()
        },
    );
    f.proposal = Some(proposal.clone());
    step(&mut s, A::SubmitReview, &f, S::CaseReview);
    assert_eq!(
        legal_review_required(&f, &th),
        Some(LegalReviewReason::MajorRightsHearing)
    );
    step(&mut s, A::ApproveReview, &f, S::LegalReview);
    step(&mut s, A::PassLegalReview, &f, S::PriorNotice);
    f.legal_review_passed = true;
    f.notice = Some(NoticeFacts {
        served: true,
        penalties: proposal.penalties.clone(),
        hearing_right_told: true,
        ..NoticeFacts::default()
    });
    assert_eq!(
        documents_for(A::SendPriorNotice, &f, &th),
        vec![DocumentKind::PriorNotice, DocumentKind::HearingRightsNotice]
    );
    step(&mut s, A::SendPriorNotice, &f, S::PriorNotice);
    f.hearing.requested = true;
    f.hearing.requested_in_time = true;
    step(&mut s, A::RequestHearing, &f, S::StatementHearing);
    f.decision = Some(proposal.clone());
    let e = next_status(s, A::Decide, &f, &th).unwrap_err();
    assert_eq!(e.gate, Gate::Statements, "{e}");
    f.hearing.notice_in_time = true;
    step(&mut s, A::HoldHearing, &f, S::StatementHearing);
    f.hearing.held = true;
    let n = f.notice.as_mut().unwrap();
    n.statements_received = true;
    step(&mut s, A::HandleStatements, &f, S::StatementHearing);
    let n = f.notice.as_mut().unwrap();
    n.statements_handled = true;
    n.statement_period_elapsed = true;
    // After the hearing the amount is lowered: allowed (never raised).
    f.decision = Some(Decision::penalty(
        vec![Penalty::fine(6_000)],
        proposal.discretion.clone(),
    ));
    step(&mut s, A::Decide, &f, S::Decided);
    f.service = Some(ServiceRecord::new(ServiceMethod::Direct));
    step(&mut s, A::Serve, &f, S::Served);
    f.execution.performed = true;
    step(&mut s, A::RecordPaid, &f, S::Performed);
    f.closing = Some(Closing {
        ground: ClosingGround::Performed,
        approval: leader("罚款已缴纳，执行完毕"),
    });
    step(&mut s, A::Close, &f, S::Closed);
    step(&mut s, A::Archive, &f, S::Archived);
    assert!(!s.is_open());
    assert!(!is_allowed(S::Archived, A::Archive));
}

#[test]
fn the_simple_procedure_end_to_end_with_on_the_spot_collection() {
    let th = th();
    let mut f = CaseFacts::new(ProcedureKind::Simple, PartyKind::Citizen);
    f.matter = Some(terms("street_vending", None));
    f.officers = two_officers();
    f.decision = Some(fine(80, DiscretionLevel::Slight));
    let mut s = initial_status(A::DecideOnSpot, &f, &th).unwrap();
    assert_eq!(s, S::OnTheSpot);
    assert_eq!(
        documents_for(A::DecideOnSpot, &f, &th),
        vec![DocumentKind::OnSpotDecision]
    );
    f.on_spot_collection = Some(OnSpotCollection {
        ground: CollectionGround::SmallAmount,
        amount_yuan: 80,
        receipt_no: "沪财罚00012345".into(),
    });
    s = next_status(s, A::CollectOnSpot, &f, &th).unwrap();
    assert_eq!(s, S::OnTheSpot);
    s = next_status(s, A::FileRecord, &f, &th).unwrap();
    assert_eq!(s, S::FiledRecord);
    f.closing = Some(Closing {
        ground: ClosingGround::Performed,
        approval: leader("当场收缴，已备案"),
    });
    s = next_status(s, A::Close, &f, &th).unwrap();
    assert_eq!(s, S::Closed);
    assert_eq!(next_status(s, A::Archive, &f, &th).unwrap(), S::Archived);
}

#[test]
fn a_simple_warning_is_closed_after_filing_and_an_unpaid_simple_fine_is_executed() {
    let th = th();
    let mut f = CaseFacts::new(ProcedureKind::Simple, PartyKind::LegalPerson);
    f.matter = Some(terms("street_vending", None));
    f.officers = two_officers();
    f.decision = Some(Decision::penalty(vec![Penalty::warning()], Discretion::default()));
    assert_eq!(initial_status(A::DecideOnSpot, &f, &th).unwrap(), S::OnTheSpot);
    f.closing = Some(Closing {
        ground: ClosingGround::Performed,
        approval: leader("警告已当场宣告"),
    });
    assert_eq!(next_status(S::FiledRecord, A::Close, &f, &th).unwrap(), S::Closed);

    // A 300 元 fine not collected on the spot: the party must pay within 15 days.
    f.decision = Some(fine(300, DiscretionLevel::Serious));
    assert_eq!(initial_status(A::DecideOnSpot, &f, &th).unwrap(), S::OnTheSpot);
    let m = refused(
        next_status(S::FiledRecord, A::Close, &f, &th),
        Gate::Approval,
        "第四十七条",
    );
    assert!(m.contains("尚未履行完毕"), "{m}");
    f.execution.performance_overdue = true;
    assert_eq!(
        next_status(S::FiledRecord, A::ImposeSurcharge, &f, &th).unwrap(),
        S::Executing
    );
    assert_eq!(next_status(S::Executing, A::RecordPaid, &f, &th).unwrap(), S::Performed);
    assert_eq!(next_status(S::Performed, A::Close, &f, &th).unwrap(), S::Closed);
}

#[test]
fn execution_by_the_court_after_reminder() {
    let th = th();
    let mut f = ready_to_decide();
    f.service = Some(ServiceRecord::new(ServiceMethod::Mail));
    assert_eq!(next_status(S::Decided, A::Serve, &f, &th).unwrap(), S::Served);
    f.execution.performance_overdue = true;
    assert_eq!(
        next_status(S::Served, A::ImposeSurcharge, &f, &th).unwrap(),
        S::Executing
    );
    assert_eq!(
        next_status(S::Executing, A::SendReminder, &f, &th).unwrap(),
        S::Executing
    );
    f.execution.reminder_served = true;
    f.execution.reminder_period_elapsed = true;
    f.execution.relief_periods_lapsed = true;
    assert_eq!(
        next_status(S::Executing, A::ApplyCourtEnforcement, &f, &th).unwrap(),
        S::Executing
    );
    f.execution.court_applied = true;
    f.closing = Some(Closing {
        ground: ClosingGround::CourtEnforcement,
        approval: leader("已申请人民法院强制执行并受理"),
    });
    assert_eq!(next_status(S::Executing, A::Close, &f, &th).unwrap(), S::Closed);
    assert_eq!(
        A::ApplyCourtEnforcement.execution_step(),
        Some(ExecutionStep::CourtEnforcement)
    );
}

#[test]
fn no_penalty_and_transfer_are_decided_from_the_case_review() {
    let th = th();
    let mut f = ready_to_decide();
    f.notice = None;
    f.proposal = Some(Decision::no_penalty(NoPenaltyGround::FirstOffence));
    let m = refused(
        next_status(S::CaseReview, A::ApproveReview, &f, &th),
        Gate::Proposal,
        "第五十七条",
    );
    assert!(m.contains("无须事先告知"), "{m}");
    f.decision = f.proposal.clone();
    assert_eq!(next_status(S::CaseReview, A::Decide, &f, &th).unwrap(), S::Decided);
    assert_eq!(documents_for(A::Decide, &f, &th), vec![DocumentKind::NoPenaltyDecision]);
    f.service = Some(ServiceRecord::new(ServiceMethod::Direct));
    assert_eq!(next_status(S::Decided, A::Serve, &f, &th).unwrap(), S::Served);
    refused(
        next_status(S::Served, A::RecordPaid, &f, &th),
        Gate::Execution,
        "第六十六条",
    );
    f.closing = Some(Closing {
        ground: ClosingGround::NoPenalty,
        approval: leader("首违不罚，决定已送达"),
    });
    assert_eq!(next_status(S::Served, A::Close, &f, &th).unwrap(), S::Closed);

    // 移送司法机关: legal review first (Shanghai: suspected crime), then back to the review to decide.
    let mut t = ready_to_decide();
    t.notice = None;
    t.decision = None;
    t.proposal = Some(Decision::transfer_judicial());
    assert_eq!(
        next_status(S::CaseReview, A::ApproveReview, &t, &th).unwrap(),
        S::LegalReview
    );
    assert_eq!(
        next_status(S::LegalReview, A::PassLegalReview, &t, &th).unwrap(),
        S::CaseReview
    );
    t.decision = Some(Decision::transfer_judicial());
    refused(
        next_status(S::CaseReview, A::Decide, &t, &th),
        Gate::LegalReview,
        "第五十八条",
    );
    t.legal_review_passed = true;
    assert_eq!(next_status(S::CaseReview, A::Decide, &t, &th).unwrap(), S::Decided);
    t.closing = Some(Closing {
        ground: ClosingGround::Transferred,
        approval: leader("已移送公安机关"),
    });
    assert_eq!(next_status(S::Decided, A::Close, &t, &th).unwrap(), S::Closed);
}

#[test]
fn routing_after_review_goes_to_the_first_stage_still_needed() {
    let th = th();
    let mut f = ready_to_decide();
    f.notice = None;
    f.flags.complex_or_major = true;
    assert_eq!(route(&f, &th), Some(S::CollectiveDiscussion));
    assert_eq!(
        next_status(S::CaseReview, A::ApproveReview, &f, &th).unwrap(),
        S::CollectiveDiscussion
    );
    f.collective_discussion_held = true;
    assert_eq!(
        next_status(S::CollectiveDiscussion, A::ConcludeDiscussion, &f, &th).unwrap(),
        S::PriorNotice
    );
    // Legal review asked for after the hearing (the Shanghai order) returns to the statement stage.
    f.flags.major_public_interest = true;
    f.notice = Some(NoticeFacts {
        served: true,
        penalties: vec![Penalty::fine(200)],
        statements_received: true,
        ..NoticeFacts::default()
    });
    assert_eq!(
        next_status(S::StatementHearing, A::SubmitLegalReview, &f, &th).unwrap(),
        S::LegalReview
    );
    assert_eq!(
        next_status(S::LegalReview, A::PassLegalReview, &f, &th).unwrap(),
        S::StatementHearing
    );
    assert_eq!(
        next_status(S::LegalReview, A::FailLegalReview, &f, &th).unwrap(),
        S::CaseReview
    );
    assert_eq!(
        next_status(S::LegalReview, A::ReturnForInvestigation, &f, &th).unwrap(),
        S::Investigating
    );
}

// ---------------------------------------------------------------------------------------------
// Illegal transitions

#[test]
fn illegal_transitions_are_refused_naming_the_current_status() {
    let th = th();
    let f = ready_to_decide();
    let cases = [
        (S::Filed, A::Decide, "案件当前为“已立案”，不能作出决定"),
        (S::Investigating, A::Serve, "案件当前为“调查取证”，不能送达决定书"),
        (S::Closed, A::Withdraw, "案件当前为“已结案”，不能撤销立案"),
        (S::Decided, A::Withdraw, "案件当前为“已作出决定”，不能撤销立案"),
        (S::Archived, A::Close, "案件当前为“已归档”，不能结案"),
        (S::OnTheSpot, A::SendPriorNotice, "案件当前为“当场处罚”，不能事先告知"),
        (
            S::Served,
            A::ApplyCourtEnforcement,
            "案件当前为“已送达”，不能申请法院强制执行",
        ),
        (S::Filed, A::File, "案件当前为“已立案”，不能立案"),
        (S::LegalReview, A::Decide, "案件当前为“法制审核”，不能作出决定"),
    ];
    for (from, action, msg) in cases {
        let e = next_status(from, action, &f, &th).unwrap_err();
        assert_eq!(e.gate, Gate::Transition);
        assert_eq!(e.message, msg);
        assert_eq!(e.article, "");
    }
    // Every pair the structure refuses is refused by next_status with the status in the message.
    for from in CaseStatus::ALL {
        for action in CaseAction::ALL {
            if !is_allowed(*from, *action) {
                let e = next_status(*from, *action, &f, &th).unwrap_err();
                assert!(e.message.contains(from.label()), "{e}");
            }
        }
    }
}

#[test]
fn available_actions_show_disabled_steps_with_their_reason() {
    let mut f = ready_to_decide();
    f.notice = Some(NoticeFacts {
        penalties: vec![Penalty::fine(200)],
        ..NoticeFacts::default()
    });
    let actions = available_actions(S::PriorNotice, &f, &th());
    let decide = actions
        .iter()
        .find(|(a, _)| *a == A::Decide)
        .expect("decide exists here");
    assert_eq!(
        decide.1.as_ref().unwrap_err().to_string(),
        "未经事先告知不得作出处罚决定（《行政处罚法》第六十二条）"
    );
    assert!(actions.iter().all(|(a, _)| is_allowed(S::PriorNotice, *a)));
    assert!(!actions.iter().any(|(a, _)| *a == A::Serve));
}

// ---------------------------------------------------------------------------------------------
// Gates: filing, officers, evidence

#[test]
fn gate_filing_needs_a_matter_and_a_leaders_approval() {
    let th = th();
    let mut f = ready_to_decide();
    f.filing_approval = None;
    refused(initial_status(A::File, &f, &th), Gate::Filing, "第五十四条");
    f.filing_approval = Some(Approval::new("张明", Role::Officer, "符合立案条件"));
    refused(initial_status(A::File, &f, &th), Gate::Filing, "第五十四条");
    f.filing_approval = Some(leader(""));
    refused(initial_status(A::File, &f, &th), Gate::Filing, "第五十四条");
    f.filing_approval = Some(leader("符合立案条件"));
    assert_eq!(initial_status(A::File, &f, &th).unwrap(), S::Filed);
    f.matter = None;
    let m = refused(initial_status(A::File, &f, &th), Gate::Filing, "第五十四条");
    assert!(m.contains("执法事项"));
    let mut simple = ready_to_decide();
    simple.procedure = ProcedureKind::Simple;
    refused(initial_status(A::File, &simple, &th), Gate::Filing, "第五十二条");
}

#[test]
fn gate_two_certified_officers_for_investigation_and_every_record() {
    let th = th();
    let mut f = ready_to_decide();
    f.officers = vec![Officer::new("张明", Some("31010500001")), Officer::new("协管员", None)];
    let m = refused(
        next_status(S::Filed, A::StartInvestigation, &f, &th),
        Gate::Officers,
        "第四十二条、第五十五条",
    );
    assert!(m.contains("现有持证人员1名"), "{m}");
    f.officers = two_officers();
    assert_eq!(
        next_status(S::Filed, A::StartInvestigation, &f, &th).unwrap(),
        S::Investigating
    );

    f.evidence.push(EvidenceRecord::new(
        EvidenceType::Physical,
        "暂扣的三轮车",
        vec![Officer::new("张明", Some("31010500001"))],
    ));
    let m = refused(
        next_status(S::Investigating, A::AddEvidence, &f, &th),
        Gate::Officers,
        "第五十五条",
    );
    assert!(m.contains("暂扣的三轮车"), "{m}");
    refused(decide(&f), Gate::Officers, "第四十二条");
    f.evidence.last_mut().unwrap().officers = two_officers();
    assert_eq!(
        next_status(S::Investigating, A::AddEvidence, &f, &th).unwrap(),
        S::Investigating
    );
}

#[test]
fn gate_evidence_exists_and_records_are_signed() {
    let th = th();
    let mut f = ready_to_decide();
    f.evidence.clear();
    refused(
        next_status(S::Investigating, A::CloseInvestigation, &f, &th),
        Gate::Evidence,
        "第四十条",
    );
    refused(decide(&f), Gate::Evidence, "第四十条");
    f.evidence = vec![EvidenceRecord::new(
        EvidenceType::PartyStatement,
        "对摊主的询问笔录",
        two_officers(),
    )];
    refused(
        next_status(S::Investigating, A::CloseInvestigation, &f, &th),
        Gate::RecordSignature,
        "《上海市城市管理行政执法条例》第十九条",
    );
    f.evidence[0].signature = Some(SignatureStatus::RefusalNoted);
    assert_eq!(
        next_status(S::Investigating, A::CloseInvestigation, &f, &th).unwrap(),
        S::InvestigationClosed
    );
}

// ---------------------------------------------------------------------------------------------
// Gates: proposal, correction, amount, discretion

#[test]
fn gate_the_review_needs_a_proposal() {
    let th = th();
    let mut f = ready_to_decide();
    f.proposal = None;
    refused(
        next_status(S::InvestigationClosed, A::SubmitReview, &f, &th),
        Gate::Proposal,
        "第五十七条",
    );
    f.proposal = Some(Decision {
        no_penalty_ground: None,
        ..Decision::no_penalty(NoPenaltyGround::NotEstablished)
    });
    refused(
        next_status(S::InvestigationClosed, A::SubmitReview, &f, &th),
        Gate::NoPenaltyGround,
        "第三十三条",
    );
    f.proposal = Some(Decision::no_penalty(NoPenaltyGround::NotEstablished));
    assert_eq!(
        next_status(S::InvestigationClosed, A::SubmitReview, &f, &th).unwrap(),
        S::CaseReview
    );
}

#[test]
fn gate_decision_content_names_kinds_and_amounts() {
    let mut f = ready_to_decide();
    f.decision = Some(Decision::penalty(vec![], discretion(DiscretionLevel::Ordinary)));
    refused(decide(&f), Gate::DecisionContent, "第五十九条");
    f.decision = Some(Decision::penalty(
        vec![Penalty::of(PenaltyKind::Fine)],
        discretion(DiscretionLevel::Ordinary),
    ));
    refused(decide(&f), Gate::DecisionContent, "第五十九条");
    f.decision = Some(Decision::penalty(
        vec![Penalty::warning().with_amount(100)],
        discretion(DiscretionLevel::Ordinary),
    ));
    refused(decide(&f), Gate::DecisionContent, "第五十九条");
    f.decision = None;
    refused(decide(&f), Gate::DecisionContent, "第五十七条");
    let mut no = Decision::no_penalty(NoPenaltyGround::NoFault);
    no.penalties.push(Penalty::warning());
    f.decision = Some(no);
    refused(decide(&f), Gate::DecisionContent, "第五十七条");
}

#[test]
fn gate_correction_must_be_ordered_and_refused_first() {
    let mut f = ready_to_decide();
    f.matter = Some(terms("waste_sorting", None));
    f.decision = Some(fine(100, DiscretionLevel::Ordinary));
    f.proposal = f.decision.clone();
    f.notice.as_mut().unwrap().penalties = vec![Penalty::fine(100)];
    let m = refused(decide(&f), Gate::CorrectionFirst, "《上海市生活垃圾管理条例》");
    assert!(m.contains("须先责令改正"), "{m}");
    f.correction.ordered = true;
    let m = refused(decide(&f), Gate::CorrectionFirst, "生活垃圾管理条例");
    assert!(m.contains("尚未认定"), "{m}");
    f.correction.refused_or_overdue = true;
    assert_eq!(decide(&f).unwrap(), S::Decided);
}

#[test]
fn gate_the_fine_stays_inside_the_legal_range_for_the_party() {
    let mut f = ready_to_decide();
    f.decision = Some(fine(600, DiscretionLevel::Grave));
    let m = refused(decide(&f), Gate::LegalRange, "《上海市市容环境卫生管理条例》");
    assert_eq!(m, "罚款600元超过法定上限500元");
    f.decision = Some(fine(40, DiscretionLevel::Slight));
    let m = refused(decide(&f), Gate::LegalRange, "第三十二条");
    assert!(m.contains("低于法定下限50元"), "{m}");
    // 减轻处罚 below the minimum is lawful but needs legal review.
    let mut d = fine(40, DiscretionLevel::Slight);
    d.discretion.adjustment = Adjustment::Mitigated;
    f.decision = Some(d.clone());
    let a = assess_amount(&d, PartyType::Person, f.matter.as_ref()).unwrap();
    assert!(a.mitigated_below_minimum && !a.arbitrary);
    refused(decide(&f), Gate::LegalReview, "第五十八条");
    f.legal_review_passed = true;
    assert_eq!(decide(&f).unwrap(), S::Decided);

    // Party ranges: 生活垃圾分类 is 50–200 for a person, 5,000–50,000 for an organisation.
    let w = terms("waste_sorting", None);
    let org_fine = fine(6_000, DiscretionLevel::Slight);
    assert!(assess_amount(&org_fine, PartyType::Org, Some(&w)).is_ok());
    let e = assess_amount(&org_fine, PartyType::Person, Some(&w)).unwrap_err();
    assert_eq!(e.message, "罚款6000元超过法定上限200元");
    // A variant restricted to organisations.
    let duty = terms("waste_sorting", Some("manager_duty"));
    let e = assess_amount(&fine(1_000, DiscretionLevel::Slight), PartyType::Person, Some(&duty)).unwrap_err();
    assert_eq!(
        (e.gate, e.message.as_str()),
        (Gate::LegalRange, "所选细项仅适用于单位当事人")
    );
    // 情节严重 uses the serious range (破坏承重结构 10–20万).
    let lb = terms("load_bearing_damage", None);
    let mut grave = fine(150_000, DiscretionLevel::Grave);
    assert_eq!(
        assess_amount(&grave, PartyType::Person, Some(&lb)).unwrap_err().gate,
        Gate::LegalRange
    );
    grave.discretion.serious = true;
    let a = assess_amount(&grave, PartyType::Person, Some(&lb)).unwrap();
    assert_eq!(a.legal_range.map(|r| (r.min, r.max)), Some((100_000, 200_000)));
    assert_eq!(a.within_band, Some(true));
}

#[test]
fn gate_discretion_needs_reasons_a_level_and_a_reason_outside_the_band() {
    let t = terms("street_vending", None);
    let p = PartyType::Person;
    let mut d = fine(200, DiscretionLevel::Ordinary);
    d.discretion.reasons.clear();
    let e = assess_amount(&d, p, Some(&t)).unwrap_err();
    assert_eq!(
        (e.gate, e.message.as_str(), e.article.as_str()),
        (Gate::Discretion, "罚款须写明裁量理由", "《行政处罚法》第三十四条")
    );
    let mut d = fine(200, DiscretionLevel::Ordinary);
    d.discretion.level = None;
    assert_eq!(
        assess_amount(&d, p, Some(&t)).unwrap_err().message,
        "须选择裁量等级（裁量基准）"
    );
    // 300 元 is outside 一般 (100–250): refused without a reason, flagged with one.
    let mut d = fine(300, DiscretionLevel::Ordinary);
    let e = assess_amount(&d, p, Some(&t)).unwrap_err();
    assert_eq!(e.message, "罚款300元不在所选“一般”裁量等级100–250元之内，须写明理由");
    d.discretion.outside_band_reason = "占道时间长，影响通行".into();
    let a = assess_amount(&d, p, Some(&t)).unwrap();
    assert!(a.arbitrary);
    assert_eq!(
        a.band.map(|b| (b.min_yuan, b.max_yuan, b.provisional)),
        Some((100, 250, true))
    );
    let inside = assess_amount(&fine(250, DiscretionLevel::Ordinary), p, Some(&t)).unwrap();
    assert!(!inside.arbitrary && inside.within_band == Some(true));
    // No matter chosen: nothing to check the fine against.
    assert_eq!(
        assess_amount(&fine(250, DiscretionLevel::Ordinary), p, None)
            .unwrap_err()
            .gate,
        Gate::LegalRange
    );
    // Multiples of the 补偿标准 (损坏绿化 3–5 倍): the base is needed to check the band.
    let g = terms("greenery_damage", None);
    let mut d = fine(3_500, DiscretionLevel::Slight);
    let e = assess_amount(&d, p, Some(&g)).unwrap_err();
    assert!(e.message.contains("计罚基数"), "{e}");
    d.discretion.base_yuan = Some(1_000);
    let a = assess_amount(&d, p, Some(&g)).unwrap();
    assert_eq!(a.band.map(|b| (b.min_yuan, b.max_yuan)), Some((3_000, 3_500)));
    assert!(a.note.unwrap().contains("人工核对"));
    // A warning has no amount to check.
    let w = Decision::penalty(vec![Penalty::warning()], Discretion::default());
    assert_eq!(assess_amount(&w, p, Some(&t)).unwrap().fine_yuan, 0);
}

// ---------------------------------------------------------------------------------------------
// Gates: notice, statements, hearing, no heavier penalty

#[test]
fn gate_no_decision_without_a_prior_notice() {
    let mut f = ready_to_decide();
    f.notice.as_mut().unwrap().served = false;
    let e = next_status(S::PriorNotice, A::Decide, &f, &th()).unwrap_err();
    assert_eq!(
        e.to_string(),
        "未经事先告知不得作出处罚决定（《行政处罚法》第六十二条）"
    );
    assert_eq!(e.gate, Gate::PriorNotice);
    f.notice = None;
    refused(
        next_status(S::CaseReview, A::Decide, &f, &th()),
        Gate::PriorNotice,
        "第六十二条",
    );
    f.notice = ready_to_decide().notice;
    assert_eq!(next_status(S::PriorNotice, A::Decide, &f, &th()).unwrap(), S::Decided);
}

#[test]
fn gate_the_notice_states_the_penalty_and_the_hearing_right() {
    let th = th();
    let mut f = ready_to_decide();
    f.notice = Some(NoticeFacts::default());
    refused(
        next_status(S::PriorNotice, A::SendPriorNotice, &f, &th),
        Gate::PriorNotice,
        "第四十四条",
    );
    f.notice = Some(NoticeFacts {
        penalties: vec![Penalty::fine(200)],
        ..NoticeFacts::default()
    });
    assert_eq!(
        next_status(S::PriorNotice, A::SendPriorNotice, &f, &th).unwrap(),
        S::PriorNotice
    );
    // The notice may not propose an amount outside the range either.
    f.notice.as_mut().unwrap().penalties = vec![Penalty::fine(900)];
    refused(
        next_status(S::PriorNotice, A::SendPriorNotice, &f, &th),
        Gate::LegalRange,
        "市容环境卫生管理条例",
    );
    // 8,000 元 against a citizen reaches the hearing threshold: the right must be told.
    let mut g = ready_to_decide();
    g.matter = Some(terms("catering_fumes", None));
    g.proposal = Some(fine(8_000, DiscretionLevel::Slight));
    g.decision = g.proposal.clone();
    g.notice = Some(NoticeFacts {
        penalties: vec![Penalty::fine(8_000)],
        ..NoticeFacts::default()
    });
    let m = refused(
        next_status(S::PriorNotice, A::SendPriorNotice, &g, &th),
        Gate::HearingRights,
        "第六十三条",
    );
    assert!(m.contains("较大数额罚款"), "{m}");
    g.notice.as_mut().unwrap().hearing_right_told = true;
    assert_eq!(
        next_status(S::PriorNotice, A::SendPriorNotice, &g, &th).unwrap(),
        S::PriorNotice
    );
    // And the decision checks it too.
    g.notice.as_mut().unwrap().hearing_right_told = false;
    g.notice.as_mut().unwrap().served = true;
    refused(decide(&g), Gate::HearingRights, "第六十三条");
    // A proposal that is not a penalty is not notified.
    let mut n = ready_to_decide();
    n.proposal = Some(Decision::no_penalty(NoPenaltyGround::MinorCorrected));
    refused(
        next_status(S::PriorNotice, A::SendPriorNotice, &n, &th),
        Gate::PriorNotice,
        "第四十四条",
    );
}

#[test]
fn gate_statements_period_and_review() {
    let th = th();
    let mut f = ready_to_decide();
    f.notice.as_mut().unwrap().statement_period_elapsed = false;
    let m = refused(decide(&f), Gate::Statements, "第四十五条、第六十二条");
    assert!(m.contains("期限尚未届满"), "{m}");
    f.notice.as_mut().unwrap().rights_waived = true;
    assert_eq!(decide(&f).unwrap(), S::Decided);
    let n = f.notice.as_mut().unwrap();
    n.rights_waived = false;
    n.statement_period_elapsed = true;
    n.statements_received = true;
    let m = refused(decide(&f), Gate::Statements, "第四十五条第一款");
    assert_eq!(m, "当事人提出的陈述、申辩尚未复核");
    f.notice.as_mut().unwrap().statements_handled = true;
    assert_eq!(decide(&f).unwrap(), S::Decided);
    // Receiving statements and waiving rights need a served notice.
    let mut u = ready_to_decide();
    u.notice.as_mut().unwrap().served = false;
    refused(
        next_status(S::PriorNotice, A::ReceiveStatement, &u, &th),
        Gate::PriorNotice,
        "第四十四条",
    );
    refused(
        next_status(S::PriorNotice, A::WaiveRights, &u, &th),
        Gate::PriorNotice,
        "第四十四条",
    );
    assert_eq!(
        next_status(S::PriorNotice, A::ReceiveStatement, &f, &th).unwrap(),
        S::StatementHearing
    );
    // Reviewing statements needs statements (or a hearing).
    let mut none = ready_to_decide();
    none.notice.as_mut().unwrap().statements_received = false;
    refused(
        next_status(S::StatementHearing, A::HandleStatements, &none, &th),
        Gate::Statements,
        "第四十五条",
    );
}

/// 餐饮油烟 8,000 元 to a citizen, notice with the hearing right served, statements period over.
fn hearing_case() -> CaseFacts {
    let mut f = ready_to_decide();
    f.matter = Some(terms("catering_fumes", None));
    f.proposal = Some(fine(8_000, DiscretionLevel::Slight));
    f.decision = f.proposal.clone();
    f.legal_review_passed = true;
    f.notice = Some(NoticeFacts {
        served: true,
        penalties: vec![Penalty::fine(8_000)],
        hearing_right_told: true,
        statement_period_elapsed: true,
        ..NoticeFacts::default()
    });
    f.hearing = HearingFacts {
        request_period_elapsed: true,
        ..HearingFacts::default()
    };
    f
}

#[test]
fn gate_a_hearing_requested_in_time_is_held_before_deciding() {
    let th = th();
    let mut f = hearing_case();
    assert_eq!(decide(&f).unwrap(), S::Decided, "no request: may decide");
    f.hearing.request_period_elapsed = false;
    let m = refused(decide(&f), Gate::Hearing, "第六十四条第（一）项");
    assert!(m.contains("五个工作日"), "{m}");
    f.hearing.requested = true;
    f.hearing.requested_in_time = true;
    assert_eq!(
        next_status(S::PriorNotice, A::RequestHearing, &f, &th).unwrap(),
        S::StatementHearing
    );
    let m = refused(decide(&f), Gate::Hearing, "第六十三条、第六十四条");
    assert!(m.contains("须举行听证"), "{m}");
    refused(
        next_status(S::StatementHearing, A::HoldHearing, &f, &th),
        Gate::Hearing,
        "第六十四条第（二）项",
    );
    f.hearing.notice_in_time = true;
    assert_eq!(
        next_status(S::StatementHearing, A::HoldHearing, &f, &th).unwrap(),
        S::StatementHearing
    );
    f.hearing.held = true;
    assert_eq!(decide(&f).unwrap(), S::Decided);
    // The party withdrew or did not come: treated as giving up the hearing.
    f.hearing.held = false;
    f.hearing.abandoned = true;
    assert_eq!(decide(&f).unwrap(), S::Decided);
    // A late request does not block the decision, and is refused as a request.
    let mut late = hearing_case();
    late.hearing.requested = true;
    late.hearing.requested_in_time = false;
    assert_eq!(decide(&late).unwrap(), S::Decided);
    let m = refused(
        next_status(S::PriorNotice, A::RequestHearing, &late, &th),
        Gate::Hearing,
        "第六十四条第（一）项",
    );
    assert!(m.contains("超过"), "{m}");
    // Below the thresholds there is no hearing right.
    let mut small = ready_to_decide();
    small.hearing.requested = true;
    small.hearing.requested_in_time = true;
    refused(
        next_status(S::PriorNotice, A::RequestHearing, &small, &th),
        Gate::Hearing,
        "第六十三条",
    );
    assert_eq!(decide(&small).unwrap(), S::Decided);
    refused(
        next_status(S::StatementHearing, A::HoldHearing, &ready_to_decide(), &th),
        Gate::Hearing,
        "第六十三条",
    );
}

#[test]
fn hearing_thresholds_by_party_and_kind() {
    let th = th();
    let p = PartyType::Person;
    let o = PartyType::Org;
    assert_eq!(hearing_ground(&[Penalty::fine(4_999)], p, &th), None);
    assert_eq!(
        hearing_ground(&[Penalty::fine(5_000)], p, &th),
        Some(HearingGround::LargeFine)
    );
    assert_eq!(hearing_ground(&[Penalty::fine(49_999)], o, &th), None);
    assert_eq!(
        hearing_ground(&[Penalty::fine(50_000)], o, &th),
        Some(HearingGround::LargeFine)
    );
    let gains = Penalty::of(PenaltyKind::ConfiscateGains).with_amount(5_000);
    assert_eq!(hearing_ground(&[gains], p, &th), Some(HearingGround::LargeConfiscation));
    let kinds = [
        (PenaltyKind::RevokeLicense, HearingGround::QualificationLicense),
        (PenaltyKind::SuspendProduction, HearingGround::BusinessRestriction),
        (PenaltyKind::Demolition, HearingGround::OtherHeavier),
    ];
    for (k, g) in kinds {
        assert_eq!(hearing_ground(&[Penalty::of(k)], p, &th), Some(g), "{k:?}");
    }
    assert_eq!(hearing_ground(&[Penalty::warning()], p, &th), None);
    let custom = Thresholds {
        hearing_fine_citizen_yuan: 10_000,
        hearing_kinds: vec![],
        ..th.clone()
    };
    assert_eq!(hearing_ground(&[Penalty::fine(5_000)], p, &custom), None);
    assert_eq!(
        hearing_ground(&[Penalty::of(PenaltyKind::Demolition)], p, &custom),
        None
    );
}

#[test]
fn gate_no_heavier_penalty_than_notified() {
    let mut f = ready_to_decide();
    f.decision = Some(fine(240, DiscretionLevel::Ordinary));
    let m = refused(decide(&f), Gate::NoHeavier, "第四十五条第二款");
    assert!(m.contains("240元高于事先告知的200元"), "{m}");
    f.decision = Some(Decision::penalty(
        vec![
            Penalty::fine(200),
            Penalty::of(PenaltyKind::ConfiscateProperty).with_detail("三轮车1辆"),
        ],
        discretion(DiscretionLevel::Ordinary),
    ));
    let m = refused(decide(&f), Gate::NoHeavier, "第四十五条第二款");
    assert!(m.contains("没收非法财物"), "{m}");
    f.decision = Some(fine(150, DiscretionLevel::Ordinary));
    assert_eq!(decide(&f).unwrap(), S::Decided);
}

// ---------------------------------------------------------------------------------------------
// Gates: legal review, collective discussion

#[test]
fn gate_legal_review_by_the_shanghai_criteria() {
    let th = th();
    let mut f = hearing_case();
    f.legal_review_passed = false;
    let m = refused(decide(&f), Gate::LegalReview, "第五十八条");
    assert!(m.contains("重大权益"), "{m}");
    f.legal_review_passed = true;
    assert_eq!(decide(&f).unwrap(), S::Decided);

    let base = ready_to_decide();
    assert_eq!(legal_review_required(&base, &th), None, "200 元 needs none");
    let with = |edit: &dyn Fn(&mut CaseFacts)| {
        let mut f = ready_to_decide();
        edit(&mut f);
        legal_review_required(&f, &th)
    };
    use LegalReviewReason as R;
    assert_eq!(
        with(&|f| f.decision.as_mut().unwrap().discretion.adjustment = Adjustment::Mitigated),
        Some(R::Mitigated)
    );
    assert_eq!(
        with(&|f| {
            f.flags.building_completed = true;
            f.decision = Some(Decision::penalty(
                vec![Penalty::of(PenaltyKind::Demolition)],
                Discretion::default(),
            ));
        }),
        Some(R::DemolitionCompleted),
    );
    assert_eq!(
        with(&|f| f.decision = Some(Decision::transfer_judicial())),
        Some(R::CrimeTransfer)
    );
    assert_eq!(
        with(&|f| f.flags.complex_legal_relations = true),
        Some(R::ComplexRelations)
    );
    assert_eq!(with(&|f| f.flags.major_public_interest = true), Some(R::PublicInterest));
    assert_eq!(
        with(&|f| f.flags.other_review_ground = Some("市政府规定".into())),
        Some(R::OtherRequired)
    );
    assert_eq!(with(&|f| f.flags.other_review_ground = Some(" ".into())), None);
    assert_eq!(with(&|f| f.hearing.held = true), Some(R::MajorRightsHearing));
    // Amount thresholds: 5,000 for a citizen, 50,000 for an organisation (with the hearing right).
    let amount = |party: PartyKind, yuan: i64| {
        let mut f = ready_to_decide();
        f.party_kind = party;
        f.decision = Some(fine(yuan, DiscretionLevel::Slight));
        legal_review_required(&f, &th)
    };
    assert_eq!(amount(PartyKind::Citizen, 4_999), None);
    assert_eq!(amount(PartyKind::Citizen, 5_000), Some(R::MajorRightsHearing));
    assert_eq!(amount(PartyKind::LegalPerson, 49_999), None);
    assert_eq!(
        amount(PartyKind::OtherOrganization, 50_000),
        Some(R::MajorRightsHearing)
    );
    // A demolition of a building under construction needs none by itself.
    assert_eq!(
        with(&|f| f.decision = Some(Decision::penalty(
            vec![Penalty::of(PenaltyKind::Demolition)],
            Discretion::default()
        ))),
        None
    );
    // Reasons are listed in order.
    let mut many = ready_to_decide();
    many.flags.complex_legal_relations = true;
    many.flags.major_public_interest = true;
    assert_eq!(
        legal_review_reasons(&many, &th),
        vec![R::ComplexRelations, R::PublicInterest]
    );
}

#[test]
fn gate_collective_discussion_for_complex_or_major_cases() {
    let th = th();
    let mut f = ready_to_decide();
    f.flags.complex_or_major = true;
    let m = refused(decide(&f), Gate::CollectiveDiscussion, "第五十七条第二款");
    assert!(m.contains("情节复杂或重大违法行为"), "{m}");
    f.collective_discussion_held = true;
    assert_eq!(decide(&f).unwrap(), S::Decided);
    let mut k = ready_to_decide();
    k.decision = Some(Decision::penalty(
        vec![Penalty::of(PenaltyKind::SuspendProduction)],
        Discretion::default(),
    ));
    assert_eq!(
        collective_discussion_required(&k, &th),
        Some(CollectiveReason::HeavyPenalty)
    );
    assert_eq!(collective_discussion_required(&ready_to_decide(), &th), None);
    let by_amount = Thresholds {
        collective_fine_citizen_yuan: Some(150),
        ..th.clone()
    };
    assert_eq!(
        collective_discussion_required(&ready_to_decide(), &by_amount),
        Some(CollectiveReason::LargeAmount)
    );
}

// ---------------------------------------------------------------------------------------------
// Gates: service, execution, closing, withdrawal

#[test]
fn gate_service_methods() {
    let th = th();
    let mut f = ready_to_decide();
    refused(next_status(S::Decided, A::Serve, &f, &th), Gate::Service, "第六十一条");
    f.service = Some(ServiceRecord::new(ServiceMethod::Electronic));
    refused(
        next_status(S::Decided, A::Serve, &f, &th),
        Gate::Service,
        "第六十一条第二款",
    );
    f.service.as_mut().unwrap().consent_on_file = true;
    assert_eq!(next_status(S::Decided, A::Serve, &f, &th).unwrap(), S::Served);
    f.service = Some(ServiceRecord::new(ServiceMethod::Lodging));
    refused(
        next_status(S::Decided, A::Serve, &f, &th),
        Gate::Service,
        "《民事诉讼法》第八十九条",
    );
    f.service.as_mut().unwrap().witnessed_or_recorded = true;
    assert_eq!(next_status(S::Decided, A::Serve, &f, &th).unwrap(), S::Served);
    f.service = Some(ServiceRecord::new(ServiceMethod::Announcement));
    refused(next_status(S::Decided, A::Serve, &f, &th), Gate::Service, "第二十五条");
    f.service.as_mut().unwrap().other_methods_failed = true;
    assert_eq!(next_status(S::Decided, A::Serve, &f, &th).unwrap(), S::Served);
    assert_eq!(
        ServiceMethod::Announcement.deemed_service_rule(),
        Some("notice_service_60d")
    );
    assert_eq!(ServiceMethod::Mail.deemed_service_rule(), None);
}

#[test]
fn gate_execution_steps_follow_the_enforcement_law() {
    let th = th();
    let mut f = ready_to_decide();
    refused(
        next_status(S::Served, A::ImposeSurcharge, &f, &th),
        Gate::Execution,
        "第七十二条第一款第（一）项",
    );
    refused(
        next_status(S::Served, A::SendReminder, &f, &th),
        Gate::Execution,
        "《行政强制法》第五十四条",
    );
    f.execution.performance_overdue = true;
    assert_eq!(next_status(S::Served, A::SendReminder, &f, &th).unwrap(), S::Executing);
    refused(
        next_status(S::Executing, A::ApplyCourtEnforcement, &f, &th),
        Gate::Execution,
        "第五十四条",
    );
    f.execution.reminder_served = true;
    f.execution.reminder_period_elapsed = true;
    refused(
        next_status(S::Executing, A::ApplyCourtEnforcement, &f, &th),
        Gate::Execution,
        "第五十三条",
    );
    f.execution.relief_periods_lapsed = true;
    f.execution.court_window_expired = true;
    let m = refused(
        next_status(S::Executing, A::ApplyCourtEnforcement, &f, &th),
        Gate::Execution,
        "第五十三条",
    );
    assert!(m.contains("三个月"), "{m}");
    f.execution.court_window_expired = false;
    assert_eq!(
        next_status(S::Executing, A::ApplyCourtEnforcement, &f, &th).unwrap(),
        S::Executing
    );
    let strict = Thresholds {
        legal_review_court_application: true,
        ..th.clone()
    };
    refused(
        next_status(S::Executing, A::ApplyCourtEnforcement, &f, &strict),
        Gate::LegalReview,
        "法制审核办法",
    );
    // A warning-only decision has nothing to execute; no fine, no surcharge.
    let mut w = ready_to_decide();
    w.decision = Some(Decision::penalty(vec![Penalty::warning()], Discretion::default()));
    refused(
        next_status(S::Served, A::SendReminder, &w, &th),
        Gate::Execution,
        "第六十六条",
    );
    w.decision = Some(Decision::penalty(
        vec![Penalty::of(PenaltyKind::Demolition)],
        Discretion::default(),
    ));
    w.execution.performance_overdue = true;
    refused(
        next_status(S::Served, A::ImposeSurcharge, &w, &th),
        Gate::Execution,
        "第七十二条",
    );
    // 代履行 of a demolition: reminder three days before, and legal review unless immediate.
    refused(
        next_status(S::Served, A::SubstitutePerform, &w, &th),
        Gate::Execution,
        "第五十一条",
    );
    w.execution.reminder_served = true;
    refused(
        next_status(S::Served, A::SubstitutePerform, &w, &th),
        Gate::LegalReview,
        "法制审核办法",
    );
    w.execution.enforcement_review_passed = true;
    assert_eq!(
        next_status(S::Served, A::SubstitutePerform, &w, &th).unwrap(),
        S::Executing
    );
    let mut now = w.clone();
    now.execution = ExecutionFacts {
        immediate_substitute: true,
        ..ExecutionFacts::default()
    };
    assert_eq!(
        next_status(S::Served, A::SubstitutePerform, &now, &th).unwrap(),
        S::Executing
    );
    let mut early = w.clone();
    early.execution.performance_overdue = false;
    refused(
        next_status(S::Served, A::SubstitutePerform, &early, &th),
        Gate::Execution,
        "第五十条",
    );
}

#[test]
fn gate_closing_needs_a_reason_a_leader_and_a_fitting_ground() {
    let th = th();
    let mut f = ready_to_decide();
    let m = refused(
        next_status(S::Performed, A::Close, &f, &th),
        Gate::Approval,
        "第四十七条",
    );
    assert_eq!(m, "结案须写明理由并经队长或者以上负责人批准");
    f.closing = Some(Closing {
        ground: ClosingGround::Performed,
        approval: Approval::new("张明", Role::Officer, "已缴纳"),
    });
    let m = refused(
        next_status(S::Performed, A::Close, &f, &th),
        Gate::Approval,
        "第四十七条",
    );
    assert!(m.contains("执法队员"), "{m}");
    f.closing.as_mut().unwrap().approval = leader("  ");
    assert_eq!(
        refused(
            next_status(S::Performed, A::Close, &f, &th),
            Gate::Approval,
            "第四十七条"
        ),
        "结案须写明理由"
    );
    f.closing.as_mut().unwrap().approval = leader("罚款已缴纳");
    assert_eq!(next_status(S::Performed, A::Close, &f, &th).unwrap(), S::Closed);
    // Grounds must fit.
    let m = refused(next_status(S::Served, A::Close, &f, &th), Gate::Approval, "第四十七条");
    assert!(m.contains("不能以“执行完毕”结案"), "{m}");
    f.closing.as_mut().unwrap().ground = ClosingGround::Transferred;
    refused(next_status(S::Decided, A::Close, &f, &th), Gate::Approval, "第四十七条");
    f.closing.as_mut().unwrap().ground = ClosingGround::CourtEnforcement;
    refused(
        next_status(S::Executing, A::Close, &f, &th),
        Gate::Approval,
        "第四十七条",
    );
    f.closing.as_mut().unwrap().ground = ClosingGround::ExecutionTerminated;
    refused(next_status(S::Decided, A::Close, &f, &th), Gate::Approval, "第四十七条");
    assert_eq!(next_status(S::Executing, A::Close, &f, &th).unwrap(), S::Closed);
    f.closing.as_mut().unwrap().ground = ClosingGround::NoPenalty;
    refused(
        next_status(S::Performed, A::Close, &f, &th),
        Gate::Approval,
        "第四十七条",
    );
}

#[test]
fn gate_withdrawal_needs_a_reason_and_a_leader() {
    let th = th();
    let mut f = ready_to_decide();
    let m = refused(
        next_status(S::Investigating, A::Withdraw, &f, &th),
        Gate::Approval,
        "第四十七条",
    );
    assert_eq!(m, "撤销立案须写明理由并经队长或者以上负责人批准");
    f.withdrawal = Some(Approval::new("李强", Role::Officer, "不属本机关管辖"));
    refused(
        next_status(S::Investigating, A::Withdraw, &f, &th),
        Gate::Approval,
        "第四十七条",
    );
    f.withdrawal = Some(Approval::new(
        "刘局长",
        Role::BureauLeader,
        "不属本机关管辖，已移送区市场监管局",
    ));
    for s in [S::Filed, S::Investigating, S::CaseReview, S::StatementHearing] {
        assert_eq!(next_status(s, A::Withdraw, &f, &th).unwrap(), S::Withdrawn);
    }
}

// ---------------------------------------------------------------------------------------------
// Gates: simple procedure, on-the-spot collection

fn on_the_spot(party: PartyKind, decision: Decision) -> CaseFacts {
    let mut f = CaseFacts::new(ProcedureKind::Simple, party);
    f.matter = Some(terms("street_vending", Some("road_piling")));
    f.officers = two_officers();
    f.decision = Some(decision);
    f
}

#[test]
fn gate_simple_procedure_only_for_a_warning_or_a_small_fine() {
    let th = th();
    let reasons = |amount| {
        Decision::penalty(
            vec![Penalty::fine(amount)],
            Discretion {
                reasons: "堆物占道，当场拒不清除".into(),
                ..Discretion::default()
            },
        )
    };
    // 占道堆物 500–5,000 元: 200 is below its minimum — use 减轻 to reach the citizen limit check.
    let f = on_the_spot(PartyKind::Citizen, reasons(600));
    let m = refused(
        initial_status(A::DecideOnSpot, &f, &th),
        Gate::SimpleProcedure,
        "第五十一条",
    );
    assert_eq!(m, "简易程序对公民只能处200元以下罚款（本案600元），应当适用普通程序");
    let org = on_the_spot(PartyKind::LegalPerson, reasons(3_001));
    let m = refused(
        initial_status(A::DecideOnSpot, &org, &th),
        Gate::SimpleProcedure,
        "第五十一条",
    );
    assert!(m.contains("对法人或者其他组织只能处3000元以下罚款"), "{m}");
    let org_ok = on_the_spot(PartyKind::OtherOrganization, reasons(3_000));
    assert_eq!(initial_status(A::DecideOnSpot, &org_ok, &th).unwrap(), S::OnTheSpot);
    let mut citizen_ok = on_the_spot(PartyKind::Citizen, reasons(200));
    citizen_ok.matter = Some(terms("street_vending", None));
    citizen_ok.decision.as_mut().unwrap().discretion.level = Some(DiscretionLevel::Ordinary);
    assert_eq!(initial_status(A::DecideOnSpot, &citizen_ok, &th).unwrap(), S::OnTheSpot);
    let conf = on_the_spot(
        PartyKind::Citizen,
        Decision::penalty(
            vec![Penalty::of(PenaltyKind::ConfiscateProperty)],
            Discretion::default(),
        ),
    );
    let m = refused(
        initial_status(A::DecideOnSpot, &conf, &th),
        Gate::SimpleProcedure,
        "第五十一条",
    );
    assert!(m.contains("没收非法财物"), "{m}");
    let mut ordinary = on_the_spot(PartyKind::Citizen, reasons(600));
    ordinary.procedure = ProcedureKind::Ordinary;
    refused(
        initial_status(A::DecideOnSpot, &ordinary, &th),
        Gate::SimpleProcedure,
        "第五十一条",
    );
    let mut alone = citizen_ok.clone();
    alone.officers.pop();
    refused(
        initial_status(A::DecideOnSpot, &alone, &th),
        Gate::Officers,
        "第四十二条",
    );
    // The simple-procedure fine is still checked against the matter's range.
    let mut low = citizen_ok.clone();
    low.decision = Some(fine(20, DiscretionLevel::Slight));
    refused(
        initial_status(A::DecideOnSpot, &low, &th),
        Gate::LegalRange,
        "第三十二条",
    );
}

#[test]
fn gate_on_the_spot_collection_limits() {
    let th = th();
    let mut f = on_the_spot(PartyKind::Citizen, fine(150, DiscretionLevel::Ordinary));
    f.matter = Some(terms("street_vending", None));
    refused(
        next_status(S::OnTheSpot, A::CollectOnSpot, &f, &th),
        Gate::OnSpotCollection,
        "第六十八条",
    );
    f.on_spot_collection = Some(OnSpotCollection {
        ground: CollectionGround::SmallAmount,
        amount_yuan: 150,
        receipt_no: "沪财罚001".into(),
    });
    let m = refused(
        next_status(S::OnTheSpot, A::CollectOnSpot, &f, &th),
        Gate::OnSpotCollection,
        "第六十八条",
    );
    assert!(m.contains("100元以下（本案150元）"), "{m}");
    f.on_spot_collection.as_mut().unwrap().ground = CollectionGround::HardToEnforce;
    assert_eq!(
        next_status(S::OnTheSpot, A::CollectOnSpot, &f, &th).unwrap(),
        S::OnTheSpot
    );
    f.on_spot_collection.as_mut().unwrap().receipt_no.clear();
    refused(
        next_status(S::OnTheSpot, A::CollectOnSpot, &f, &th),
        Gate::OnSpotCollection,
        "第七十条",
    );
    f.on_spot_collection = Some(OnSpotCollection {
        ground: CollectionGround::SmallAmount,
        amount_yuan: 100,
        receipt_no: "沪财罚002".into(),
    });
    let m = refused(
        next_status(S::OnTheSpot, A::CollectOnSpot, &f, &th),
        Gate::OnSpotCollection,
        "第六十八条",
    );
    assert!(m.contains("不一致"), "{m}");
    f.decision = Some(fine(100, DiscretionLevel::Slight));
    assert_eq!(
        next_status(S::OnTheSpot, A::CollectOnSpot, &f, &th).unwrap(),
        S::OnTheSpot
    );
    f.procedure = ProcedureKind::Ordinary;
    refused(
        next_status(S::OnTheSpot, A::CollectOnSpot, &f, &th),
        Gate::OnSpotCollection,
        "第六十八条",
    );
}

// ---------------------------------------------------------------------------------------------
// Thresholds, documents, signals, publicity, roles

#[test]
fn thresholds_load_from_toml_over_the_defaults() {
    let t = Thresholds::from_toml("hearing_fine_org_yuan = 100000\nhearing_kinds = [\"revoke_license\"]\n").unwrap();
    assert_eq!(t.hearing_fine_org_yuan, 100_000);
    assert_eq!(t.hearing_kinds, vec![PenaltyKind::RevokeLicense]);
    assert_eq!(t.hearing_fine_citizen_yuan, 5_000, "others keep their defaults");
    assert!(
        Thresholds::from_toml("hearing_fine = 1")
            .unwrap_err()
            .contains("格式错误")
    );
    assert!(
        Thresholds::from_toml("simple_max_fine_citizen_yuan = 0")
            .unwrap_err()
            .contains("正数")
    );
    assert!(Thresholds::from_toml("hearing_kinds = [\"no_such_kind\"]").is_err());
    let d = Thresholds::default();
    assert_eq!(
        (d.simple_max_fine_citizen_yuan, d.simple_max_fine_org_yuan),
        (200, 3_000)
    );
    assert_eq!(d.on_spot_collection_max_yuan, 100);
    // Every field has a note with its confidence.
    let json = serde_json::to_value(&d).unwrap();
    let fields: Vec<&String> = json.as_object().unwrap().keys().collect();
    for f in &fields {
        assert!(Thresholds::notes().iter().any(|(n, _, _)| n == f), "no note for {f}");
    }
    assert_eq!(Thresholds::notes().len(), fields.len());
    assert!(
        Thresholds::notes()
            .iter()
            .any(|(n, c, _)| *n == "hearing_fine_citizen_yuan" && *c == Confidence::Unconfirmed)
    );
}

#[test]
fn documents_and_numbers() {
    let th = th();
    let f = ready_to_decide();
    assert_eq!(documents_for(A::File, &f, &th), vec![DocumentKind::FilingApproval]);
    assert_eq!(
        documents_for(A::SendPriorNotice, &f, &th),
        vec![DocumentKind::PriorNotice]
    );
    assert_eq!(documents_for(A::Decide, &f, &th), vec![DocumentKind::PenaltyDecision]);
    assert_eq!(documents_for(A::Serve, &f, &th), vec![DocumentKind::ServiceReceipt]);
    assert_eq!(documents_for(A::Close, &f, &th), vec![DocumentKind::ClosingApproval]);
    assert!(documents_for(A::AddEvidence, &f, &th).is_empty());
    let scheme = NumberingScheme::standard("长宁城管");
    let p = scheme.pattern(DocumentKind::PenaltyDecision).unwrap();
    assert_eq!(p.format(2026, 1), "长宁城管罚字〔2026〕第0001号");
    assert_eq!(p.read("长宁城管罚字〔2026〕第0001号"), Some((2026, 1)));
    let custom = NumberPattern::parse("天山路街道城管罚字〔{year}〕{seq:05}号").unwrap();
    assert_eq!(custom.format(2026, 42), "天山路街道城管罚字〔2026〕00042号");
}

#[test]
fn signals_of_overdue_and_arbitrary_handling() {
    let clock = |rule: &str, state| CaseClock {
        rule: rule.into(),
        state,
        kind: default_overdue_kind(rule).unwrap(),
    };
    let mut f = ready_to_decide();
    let clocks = [
        clock("case_decision_90d", ClockState::Overdue),
        clock("decision_service_7wd", ClockState::DueSoon),
        clock("case_filing_15wd", ClockState::Missed),
        clock("seizure_30d", ClockState::Running),
    ];
    let s = signals(S::StatementHearing, &f, &clocks);
    let kinds: Vec<_> = s.iter().map(|x| (x.kind, x.level)).collect();
    assert_eq!(
        kinds,
        vec![
            (SignalKind::OverdueDecision, SignalLevel::Overdue),
            (SignalKind::OverdueExecution, SignalLevel::DueSoon),
            (SignalKind::OverdueFiling, SignalLevel::Late),
        ]
    );
    assert_eq!(default_overdue_kind("fine_payment_15d"), None, "the party's own period");
    assert_eq!(default_overdue_kind("enforcement_reminder_10wd"), None);
    // Closed without approval; withdrawn without a reason; amount outside the band.
    let s = signals(S::Closed, &f, &[]);
    assert_eq!(s.len(), 1);
    assert_eq!(
        (s[0].kind, s[0].level),
        (SignalKind::ArbitraryClosing, SignalLevel::Irregular)
    );
    assert!(s[0].kind.is_arbitrary() && !s[0].kind.is_overdue());
    f.closing = Some(Closing {
        ground: ClosingGround::Performed,
        approval: leader("已缴纳"),
    });
    assert!(signals(S::Archived, &f, &[]).is_empty());
    f.withdrawal = Some(Approval::new("王队长", Role::TeamLeader, ""));
    assert_eq!(signals(S::Withdrawn, &f, &[])[0].kind, SignalKind::ArbitraryWithdrawal);
    let mut d = fine(300, DiscretionLevel::Ordinary);
    d.discretion.outside_band_reason = "影响通行".into();
    f.decision = Some(d);
    let s = signals(S::Decided, &f, &[]);
    assert_eq!(s.len(), 1);
    assert_eq!(s[0].kind, SignalKind::AmountOutsideBand);
    assert!(s[0].detail.contains("100–250元"), "{}", s[0].detail);
    f.decision = Some(fine(900, DiscretionLevel::Grave));
    assert!(signals(S::Decided, &f, &[])[0].detail.contains("超过法定上限"));
}

#[test]
fn publicity_masks_individuals_and_names_organisations() {
    let citizen = Party::citizen("张三丰", "11010519491231002X", "上海市长宁区天山路100弄5号")
        .unwrap()
        .with_phone("13812345678")
        .validated()
        .unwrap();
    let d = fine(200, DiscretionLevel::Ordinary);
    let input = NoticeInput {
        party: &citizen,
        document_no: "长宁城管罚字〔2026〕第0001号",
        authority: "上海市长宁区天山路街道办事处",
        decided_on: jiff::civil::date(2026, 3, 2),
        matter_name: "占道经营",
        facts: "张三丰（身份证号11010519491231002X，住上海市长宁区天山路100弄5号，电话13812345678）在天山路占道经营",
        legal_basis: "《上海市市容环境卫生管理条例》第二十五条第二款",
        decision: &d,
    };
    let n = public_notice(&input);
    assert_eq!(n.party_name, "张**");
    assert_eq!(n.party_id, "110105********002X");
    assert_eq!(n.address, "上海市长宁区****");
    assert_eq!(n.penalty, "罚款200元");
    assert_eq!(
        n.facts,
        "张**（身份证号110105********002X，住上海市长宁区****，电话138****5678）在天山路占道经营"
    );
    assert!(!n.facts.contains("三丰") && !n.facts.contains("19491231"));
    let org = Party::organization(
        PartyKind::LegalPerson,
        "上海某某餐饮有限公司",
        "91350100M000100Y43",
        "李四海",
        "上海市长宁区仙霞路1号",
    )
    .unwrap();
    let n = public_notice(&NoticeInput {
        party: &org,
        facts: "上海某某餐饮有限公司（法定代表人李四海）未安装油烟净化设施",
        ..input
    });
    assert_eq!(n.party_name, "上海某某餐饮有限公司");
    assert_eq!(n.party_id, "91350100M000100Y43");
    assert_eq!(n.address, "上海市长宁区仙霞路1号");
    assert_eq!(n.legal_representative.as_deref(), Some("李**"));
    assert_eq!(n.facts, "上海某某餐饮有限公司（法定代表人李**）未安装油烟净化设施");
}

#[test]
fn publicity_policy_and_withdrawal() {
    let p = PublicityPolicy::default();
    assert_eq!(
        p.on_decision(ProcedureKind::Ordinary, DecisionKind::Penalty),
        (PublicityStatus::Pending, Some("decision_publicity"))
    );
    assert_eq!(
        p.on_decision(ProcedureKind::Simple, DecisionKind::Penalty),
        (PublicityStatus::NotPublished, None)
    );
    assert!(!p.must_publish(ProcedureKind::Ordinary, DecisionKind::NoPenalty));
    assert!(!p.must_publish(ProcedureKind::Ordinary, DecisionKind::TransferJudicial));
    let all = PublicityPolicy {
        include_simple_procedure: true,
        include_no_penalty: true,
    };
    assert!(all.must_publish(ProcedureKind::Simple, DecisionKind::Penalty));
    assert!(all.must_publish(ProcedureKind::Ordinary, DecisionKind::NoPenalty));
    assert_eq!(
        publicity::on_decision_change(PublicityStatus::Published),
        Some((PublicityStatus::Withdrawn, Some("publicity_withdrawal_3wd")))
    );
    assert_eq!(
        publicity::on_decision_change(PublicityStatus::Pending),
        Some((PublicityStatus::NotPublished, None))
    );
    assert_eq!(publicity::on_decision_change(PublicityStatus::Withdrawn), None);
    assert_eq!(
        publicity::withdrawal_notice(DecisionChange::Annulled),
        "该行政处罚决定已被依法撤销，现撤回公示信息。"
    );
}

#[test]
fn roles_for_case_actions() {
    assert_eq!(roles_for(A::Decide), &[Role::TeamLeader, Role::BureauLeader]);
    assert_eq!(roles_for(A::PassLegalReview), &[Role::LegalReviewer]);
    assert!(roles_for(A::AddEvidence).contains(&Role::Officer));
    assert!(!roles_for(A::Withdraw).contains(&Role::Officer));
    assert!(needs_reason(A::Withdraw) && needs_reason(A::Close) && !needs_reason(A::Serve));
}
