//! Penalty cases (办案) through the real use cases, on both backends: both procedures end to end,
//! every gate refusing with its article, scope, frozen documents and publicity.

mod common;

use common::*;
use jiff::SignedDuration;
use jingzhi_app::cases::{CaseListRequest, CaseStep, Inbox, NewEvidence, NewRecord, OpenCase};
use jingzhi_app::{Actor, AppError, ErrorCode};
use jingzhi_domain::case::{
    CaseAction as A, CaseStatus as S, ClosingGround, CollectionGround, Decision, Discretion, DocumentKind,
    EvidenceType, NoPenaltyGround, OnSpotCollection, Party, PartyKind, Penalty, ProcedureKind, ReviewFlags,
    ServiceMethod, ServiceRecord, SignatureStatus,
};
use jingzhi_domain::matter::DiscretionLevel;
use jingzhi_domain::role::Role;
use jingzhi_testkit::{Scratch, both_backends};

struct Crew {
    lead: Actor,
    officer: Actor,
    legal: Actor,
    officer_ids: Vec<i64>,
}

fn crew(w: &World) -> Crew {
    let admin = w.actor(Role::Admin);
    let officer_ids = ["officer", "officer2"]
        .iter()
        .map(|u| w.app.find_user_by_username(&admin, u).unwrap().id)
        .collect();
    Crew {
        lead: w.actor(Role::TeamLeader),
        officer: w.actor(Role::Officer),
        legal: w.actor(Role::LegalReviewer),
        officer_ids,
    }
}

fn citizen() -> Party {
    Party::citizen("张三", "11010519491231002X", "上海市长宁区华阳路1弄2号").unwrap()
}

fn fine(amount: i64, level: DiscretionLevel) -> Decision {
    Decision::penalty(
        vec![Penalty::fine(amount)],
        Discretion {
            level: Some(level),
            reasons: "初次被查处，配合调查".into(),
            ..Discretion::default()
        },
    )
}

fn new_case(cr: &Crew, matter: &str) -> OpenCase {
    OpenCase {
        procedure: ProcedureKind::Ordinary,
        clue_id: None,
        matter_code: matter.into(),
        variant: None,
        street_code: None,
        title: "张三占道经营案".into(),
        summary: "当事人张三在华阳路100号人行道上摆摊经营".into(),
        place: "华阳路100号".into(),
        party: citizen(),
        officer_ids: cr.officer_ids.clone(),
        reason: "巡查发现占道经营，经核查属实，符合立案条件".into(),
        decision: None,
    }
}

fn step(action: A) -> CaseStep {
    CaseStep::of(action)
}

#[track_caller]
fn act(w: &World, who: &Actor, id: i64, s: CaseStep) -> S {
    let a = s.action.unwrap();
    w.app.case_act(who, id, &s).unwrap_or_else(|e| panic!("{a:?}: {e}"))
}

/// Asserts a gate refusal whose message carries the article.
#[track_caller]
fn refused(r: Result<impl std::fmt::Debug, AppError>, text: &str, article: &str) -> String {
    let e = r.expect_err("expected a refusal");
    assert_eq!(e.code, ErrorCode::GateRefused, "{e}");
    assert!(e.message.contains(text), "{:?} lacks {text:?}", e.message);
    assert!(
        e.message.contains(article),
        "{:?} lacks the article {article:?}",
        e.message
    );
    e.message
}

/// Evidence by both officers and a signed inspection record.
fn collect_evidence(w: &World, cr: &Crew, id: i64) {
    w.app
        .add_evidence(
            &cr.officer,
            id,
            &NewEvidence {
                evidence_type: EvidenceType::AudioVisual,
                title: "现场照片（6张）".into(),
                collected_by: cr.officer_ids.clone(),
                collected_at: None,
                place: "华阳路100号".into(),
                signature: None,
                sha256: Some("ab".repeat(32)),
                size: Some(2048),
                content_type: Some("image/jpeg".into()),
            },
        )
        .unwrap();
    w.app
        .add_record(
            &cr.officer,
            id,
            &NewRecord {
                kind: DocumentKind::InspectionRecord,
                content: "现场检查：当事人在人行道上设摊，占地约3平方米".into(),
                officers: cr.officer_ids.clone(),
                signature: Some(SignatureStatus::PartySigned),
                recorded_at: None,
            },
        )
        .unwrap();
}

/// An ordinary case taken to the case review with a proposal.
fn to_review(w: &World, cr: &Crew, matter: &str, proposal: Decision) -> i64 {
    to_review_with(w, cr, matter, proposal, None)
}

fn to_review_with(w: &World, cr: &Crew, matter: &str, proposal: Decision, flags: Option<ReviewFlags>) -> i64 {
    let id = w.app.open_case(&cr.lead, &new_case(cr, matter)).unwrap();
    act(w, &cr.officer, id, step(A::StartInvestigation));
    collect_evidence(w, cr, id);
    act(w, &cr.officer, id, step(A::CloseInvestigation));
    let mut s = step(A::SubmitReview);
    s.proposal = Some(proposal);
    s.flags = flags;
    assert_eq!(act(w, &cr.officer, id, s), S::CaseReview);
    id
}

fn days(n: i64) -> SignedDuration {
    SignedDuration::from_hours(24 * n)
}

both_backends!(an_ordinary_case_end_to_end, |s: &Scratch| {
    let w = world(s);
    let cr = crew(&w);
    let id = w.app.open_case(&cr.lead, &new_case(&cr, "street_vending")).unwrap();
    let v = w.app.case_view(&cr.officer, id).unwrap();
    assert_eq!(v.case.status, S::Filed);
    let number = v.case.number.clone().unwrap();
    assert!(number.ends_with("城管罚字〔2026〕第0001号"), "{number}");
    assert_eq!(v.officers.len(), 2);
    assert_eq!(v.parties[0].name, "张三");
    assert_eq!(v.clocks.len(), 1);
    assert_eq!(v.clocks[0].clock.row.rule_code, "case_decision_90d");
    assert!(v.clocks[0].explanation.contains("90"), "{}", v.clocks[0].explanation);
    // The officer's buttons: start investigating (enabled), nothing a leader does.
    assert!(
        v.available_actions
            .iter()
            .any(|x| x.action == A::StartInvestigation && x.outcome == Ok(S::Investigating))
    );
    assert!(!v.available_actions.iter().any(|x| x.action == A::Withdraw));
    // A second case of the same subject takes the next number.
    let id2 = w.app.open_case(&cr.lead, &new_case(&cr, "street_vending")).unwrap();
    let n2 = w.app.case_view(&cr.lead, id2).unwrap().case.number.unwrap();
    assert!(n2.ends_with("第0002号"), "{n2}");

    act(&w, &cr.officer, id, step(A::StartInvestigation));
    collect_evidence(&w, &cr, id);
    act(&w, &cr.officer, id, step(A::CloseInvestigation));
    let mut sub = step(A::SubmitReview);
    sub.proposal = Some(fine(200, DiscretionLevel::Ordinary));
    act(&w, &cr.officer, id, sub);
    assert_eq!(w.app.case_inbox(&cr.lead, Inbox::Approval).unwrap().total, 1);
    assert_eq!(act(&w, &cr.lead, id, step(A::ApproveReview)), S::PriorNotice);
    assert_eq!(act(&w, &cr.officer, id, step(A::SendPriorNotice)), S::PriorNotice);
    // The party's period for statements is still running.
    let mut decide = step(A::Decide);
    decide.decision = Some(fine(200, DiscretionLevel::Ordinary));
    refused(
        w.app.case_act(&cr.lead, id, &decide),
        "陈述、申辩期限尚未届满",
        "第四十五条",
    );
    w.clock.advance(days(10));
    assert_eq!(act(&w, &cr.lead, id, decide), S::Decided);
    let v = w.app.case_view(&cr.lead, id).unwrap();
    assert_eq!(v.case.amount_yuan, Some(200));
    assert!(v.case.decided_at.is_some());
    let rules: Vec<&str> = v.clocks.iter().map(|c| c.clock.row.rule_code.as_str()).collect();
    assert!(
        rules.contains(&"decision_service_7wd") && rules.contains(&"decision_publicity"),
        "{rules:?}"
    );
    let decision_clock = v
        .clocks
        .iter()
        .find(|c| c.clock.row.rule_code == "case_decision_90d")
        .unwrap();
    assert!(
        decision_clock.clock.row.met_at.is_some(),
        "the 90 days end with the decision"
    );
    // Published with the individual masked.
    let notices = w.app.publicity_notices(w.app.now()).unwrap();
    assert_eq!(notices.len(), 1);
    let text = notices[0].notice.to_string();
    assert!(
        text.contains("张**") && !text.contains("张三") && !text.contains("11010519491231002X"),
        "{text}"
    );

    let mut serve = step(A::Serve);
    serve.service = Some(ServiceRecord::new(ServiceMethod::Direct));
    assert_eq!(act(&w, &cr.officer, id, serve), S::Served);
    assert_eq!(act(&w, &cr.officer, id, step(A::RecordPaid)), S::Performed);
    let mut close = step(A::Close).reason("罚款已缴纳，执行完毕");
    close.closing_ground = Some(ClosingGround::Performed);
    assert_eq!(act(&w, &cr.lead, id, close), S::Closed);
    assert_eq!(act(&w, &cr.lead, id, step(A::Archive)), S::Archived);
    let v = w.app.case_view(&cr.lead, id).unwrap();
    assert!(v.case.closed_at.is_some());
    assert!(
        v.clocks.iter().all(|c| c.clock.row.met_at.is_some()),
        "no clock left running"
    );
    assert!(v.signals.is_empty(), "{:?}", v.signals);
    // The timeline has every step; each state change is audited.
    let actions: Vec<&str> = v.events.iter().map(|e| e.action.as_str()).collect();
    for a in [
        "file",
        "start_investigation",
        "add_evidence",
        "decide",
        "serve",
        "record_paid",
        "close",
        "archive",
    ] {
        assert!(actions.contains(&a), "{a} missing from {actions:?}");
    }
    let audit = w
        .app
        .list_audit(
            &w.actor(Role::Admin),
            &jingzhi_app::audit::AuditFilter {
                entity: Some("case".into()),
                entity_id: Some(id.to_string()),
                ..Default::default()
            },
            100,
        )
        .unwrap();
    assert!(audit.iter().any(|r| r.action == "case.decide"));
    assert!(audit.iter().any(|r| r.action == "case.open"));
    assert_eq!(w.app.case_inbox(&cr.lead, Inbox::Approval).unwrap().total, 0);
});

both_backends!(a_simple_case_decided_collected_and_filed_on_the_spot, |s: &Scratch| {
    let w = world(s);
    let cr = crew(&w);
    let mut n = new_case(&cr, "street_vending");
    n.procedure = ProcedureKind::Simple;
    n.decision = Some(fine(300, DiscretionLevel::Serious));
    refused(w.app.open_case(&cr.officer, &n), "只能处200元以下罚款", "第五十一条");
    n.decision = Some(fine(80, DiscretionLevel::Slight));
    let id = w.app.open_case(&cr.officer, &n).unwrap();
    let v = w.app.case_view(&cr.officer, id).unwrap();
    assert_eq!(v.case.status, S::OnTheSpot);
    assert_eq!(v.case.procedure, ProcedureKind::Simple);
    assert_eq!(v.case.amount_yuan, Some(80));
    let mut collect = step(A::CollectOnSpot);
    collect.collection = Some(OnSpotCollection {
        ground: CollectionGround::SmallAmount,
        amount_yuan: 80,
        receipt_no: String::new(),
    });
    refused(w.app.case_act(&cr.officer, id, &collect), "专用票据", "第七十条");
    collect.collection.as_mut().unwrap().receipt_no = "沪财罚00012345".into();
    assert_eq!(act(&w, &cr.officer, id, collect), S::OnTheSpot);
    assert_eq!(act(&w, &cr.officer, id, step(A::FileRecord)), S::FiledRecord);
    let mut close = step(A::Close).reason("当场收缴，已备案");
    close.closing_ground = Some(ClosingGround::Performed);
    assert_eq!(act(&w, &cr.lead, id, close), S::Closed);
    let v = w.app.case_view(&cr.lead, id).unwrap();
    assert!(v.clocks.iter().any(|c| c.clock.row.rule_code == "cash_handover_2wd"));
    assert!(
        w.app.publicity_notices(w.app.now()).unwrap().is_empty(),
        "simple decisions are not published"
    );
});

both_backends!(
    a_hearing_case_with_legal_review_and_no_heavier_penalty,
    |s: &Scratch| {
        let w = world(s);
        let cr = crew(&w);
        let id = to_review(&w, &cr, "catering_fumes", fine(8_000, DiscretionLevel::Slight));
        assert_eq!(act(&w, &cr.lead, id, step(A::ApproveReview)), S::LegalReview);
        assert_eq!(w.app.case_inbox(&cr.legal, Inbox::LegalReview).unwrap().total, 1);
        assert_eq!(
            w.app
                .case_act(&cr.officer, id, &step(A::PassLegalReview))
                .unwrap_err()
                .code,
            ErrorCode::Forbidden
        );
        assert_eq!(act(&w, &cr.legal, id, step(A::PassLegalReview)), S::PriorNotice);
        // 8,000 元 against a citizen reaches the hearing threshold: the notice must say so.
        refused(
            w.app.case_act(&cr.officer, id, &step(A::SendPriorNotice)),
            "须告知当事人有要求听证的权利",
            "第六十三条",
        );
        let mut notice = step(A::SendPriorNotice);
        notice.hearing_right_told = true;
        act(&w, &cr.officer, id, notice);
        w.clock.advance(days(1));
        assert_eq!(act(&w, &cr.officer, id, step(A::RequestHearing)), S::StatementHearing);
        let v = w.app.case_view(&cr.lead, id).unwrap();
        let c90 = v
            .clocks
            .iter()
            .find(|c| c.clock.row.rule_code == "case_decision_90d")
            .unwrap();
        assert_eq!(
            c90.clock.deadline.state.code(),
            "suspended",
            "the hearing stops the 90 days"
        );
        w.clock.advance(days(14));
        let mut decide = step(A::Decide);
        decide.decision = Some(fine(8_000, DiscretionLevel::Slight));
        refused(
            w.app.case_act(&cr.lead, id, &decide),
            "须举行听证后方可作出决定",
            "第六十四条",
        );
        let mut hold = step(A::HoldHearing);
        hold.hearing_notice_at = Some(w.app.now() - days(2));
        refused(w.app.case_act(&cr.lead, id, &hold), "七日前", "第六十四条第（二）项");
        hold.hearing_notice_at = Some(w.app.now() - days(13));
        act(&w, &cr.lead, id, hold);
        // A heavier fine than notified is refused; a lower one after the hearing is allowed.
        decide.decision = Some(fine(9_000, DiscretionLevel::Slight));
        refused(
            w.app.case_act(&cr.lead, id, &decide),
            "高于事先告知的8000元",
            "第四十五条第二款",
        );
        decide.decision = Some(fine(6_000, DiscretionLevel::Slight));
        assert_eq!(act(&w, &cr.lead, id, decide), S::Decided);
        let v = w.app.case_view(&cr.lead, id).unwrap();
        let c90 = v
            .clocks
            .iter()
            .find(|c| c.clock.row.rule_code == "case_decision_90d")
            .unwrap();
        assert_eq!(c90.clock.deadline.suspensions.len(), 1);
        assert!(c90.clock.row.met_at.is_some());
    }
);

both_backends!(every_gate_refuses_with_its_article, |s: &Scratch| {
    let w = world(s);
    let cr = crew(&w);
    // 立案 needs a reason from the approving leader; only leaders file.
    let mut n = new_case(&cr, "street_vending");
    n.reason = String::new();
    refused(w.app.open_case(&cr.lead, &n), "立案须经负责人审批", "第五十四条");
    n.reason = "核查属实".into();
    assert_eq!(w.app.open_case(&cr.officer, &n).unwrap_err().code, ErrorCode::Forbidden);
    // Two certified officers to investigate.
    n.officer_ids = vec![cr.officer_ids[0]];
    let one = w.app.open_case(&cr.lead, &n).unwrap();
    refused(
        w.app.case_act(&cr.officer, one, &step(A::StartInvestigation)),
        "执法人员不得少于两人",
        "第四十二条",
    );
    w.app.assign_officers(&cr.lead, one, &cr.officer_ids).unwrap();
    act(&w, &cr.officer, one, step(A::StartInvestigation));
    // Every evidence record by two certified officers; 笔录 signed.
    let r = w.app.add_evidence(
        &cr.officer,
        one,
        &NewEvidence {
            evidence_type: EvidenceType::AudioVisual,
            title: "现场照片".into(),
            collected_by: vec![cr.officer_ids[0]],
            collected_at: None,
            place: String::new(),
            signature: None,
            sha256: None,
            size: None,
            content_type: None,
        },
    );
    refused(r, "须由两名以上持有执法证件的执法人员收集", "第四十二条");
    let r = w.app.add_record(
        &cr.officer,
        one,
        &NewRecord {
            kind: DocumentKind::InquiryRecord,
            content: "询问当事人".into(),
            officers: cr.officer_ids.clone(),
            signature: None,
            recorded_at: None,
        },
    );
    refused(r, "须由当事人或者见证人签名", "第十九条");
    // Closing the investigation needs evidence.
    refused(
        w.app.case_act(&cr.officer, one, &step(A::CloseInvestigation)),
        "尚未收集证据",
        "第四十条",
    );

    // The fine inside the matter's legal range (占道经营 50–500 元).
    let id = to_review(&w, &cr, "street_vending", fine(200, DiscretionLevel::Ordinary));
    let mut sub = step(A::SubmitLegalReview);
    sub.proposal = Some(fine(600, DiscretionLevel::Grave));
    let e = w.app.case_act(&cr.officer, id, &sub).unwrap_err();
    assert_eq!(e.code, ErrorCode::GateRefused);
    assert!(e.message.contains("600") && e.message.contains("《"), "{}", e.message);
    // No decision without the prior notice.
    let mut decide = step(A::Decide);
    decide.decision = Some(fine(200, DiscretionLevel::Ordinary));
    let m = refused(
        w.app.case_act(&cr.lead, id, &decide),
        "未经事先告知不得作出处罚决定",
        "第六十二条",
    );
    assert_eq!(m, "未经事先告知不得作出处罚决定（《行政处罚法》第六十二条）");
    // A transfer to the judiciary needs legal review first.
    decide.decision = Some(Decision::transfer_judicial());
    refused(w.app.case_act(&cr.lead, id, &decide), "法制审核", "第五十八条");
    // A complex or major case goes to collective discussion.
    let id3 = to_review_with(
        &w,
        &cr,
        "street_vending",
        Decision::no_penalty(NoPenaltyGround::MinorCorrected),
        Some(ReviewFlags {
            complex_or_major: true,
            ..ReviewFlags::default()
        }),
    );
    let mut np = step(A::Decide);
    np.decision = Some(Decision::no_penalty(NoPenaltyGround::MinorCorrected));
    refused(w.app.case_act(&cr.lead, id3, &np), "集体讨论决定", "第五十七条第二款");
    assert_eq!(
        act(&w, &cr.officer, id3, step(A::SubmitCollectiveDiscussion)),
        S::CollectiveDiscussion
    );
    assert_eq!(
        act(
            &w,
            &cr.lead,
            id3,
            step(A::ConcludeDiscussion).reason("集体讨论同意不予处罚")
        ),
        S::CaseReview
    );
    assert_eq!(act(&w, &cr.lead, id3, np), S::Decided);

    // Withdrawal and closing need a reason (and a leader: officers may not).
    refused(
        w.app.case_act(&cr.lead, id, &step(A::Withdraw)),
        "撤销立案须写明理由",
        "第四十七条",
    );
    assert_eq!(
        w.app
            .case_act(&cr.officer, id, &step(A::Withdraw).reason("当事人已死亡"))
            .unwrap_err()
            .code,
        ErrorCode::Forbidden
    );
    assert_eq!(
        act(&w, &cr.lead, id, step(A::Withdraw).reason("违法事实不能成立")),
        S::Withdrawn
    );
    let mut close = step(A::Close);
    close.closing_ground = Some(ClosingGround::NoPenalty);
    refused(w.app.case_act(&cr.lead, id3, &close), "结案须写明理由", "第四十七条");
    // An action that does not exist in the status names the status.
    refused(
        w.app.case_act(&cr.lead, id, &step(A::Decide)),
        "案件当前为“已撤销立案”",
        "",
    );
});

both_backends!(another_street_cannot_see_or_touch_a_case, |s: &Scratch| {
    let w = world(s);
    let cr = crew(&w);
    let id = w.app.open_case(&cr.lead, &new_case(&cr, "street_vending")).unwrap();
    let admin = w.actor(Role::Admin);
    let other_team = w
        .app
        .list_orgs(&admin)
        .unwrap()
        .into_iter()
        .find(|o| o.code == "team-310105002")
        .unwrap()
        .id;
    w.app
        .create_user_with_password(
            &admin,
            &jingzhi_app::users::UserInput {
                username: "jsofficer".into(),
                display_name: "江苏路队员".into(),
                org_id: other_team,
                phone: String::new(),
                certificate_no: "31010520239999".into(),
                roles: vec![Role::Officer],
            },
            "Changning-2026!",
            false,
        )
        .unwrap();
    let sess = w.app.login("jsofficer", "Changning-2026!", "127.0.0.1", None).unwrap();
    let other = w.app.session_actor(&sess.token).unwrap().unwrap();
    assert_eq!(w.app.case_view(&other, id).unwrap_err().code, ErrorCode::OutOfScope);
    assert_eq!(
        w.app
            .case_act(&other, id, &step(A::StartInvestigation))
            .unwrap_err()
            .code,
        ErrorCode::OutOfScope
    );
    assert_eq!(w.app.list_cases(&other, &CaseListRequest::default()).unwrap().total, 0);
    assert_eq!(
        w.app
            .list_cases(&cr.officer, &CaseListRequest::default())
            .unwrap()
            .total,
        1
    );
    // The bureau sees the district; partners and dispatchers see no cases at all.
    assert_eq!(
        w.app
            .list_cases(&w.actor(Role::BureauLeader), &CaseListRequest::default())
            .unwrap()
            .total,
        1
    );
    for role in [
        Role::PropertyStaff,
        Role::GridWorker,
        Role::DepartmentLiaison,
        Role::Dispatcher,
    ] {
        assert_eq!(
            w.app.case_view(&w.actor(role), id).unwrap_err().code,
            ErrorCode::Forbidden,
            "{role:?}"
        );
    }
    // Search and filters.
    let found = w
        .app
        .list_cases(
            &cr.lead,
            &CaseListRequest {
                q: "张三".into(),
                status: Some(S::Filed),
                ..CaseListRequest::default()
            },
        )
        .unwrap();
    assert_eq!(found.total, 1);
    let none = w
        .app
        .list_cases(
            &cr.lead,
            &CaseListRequest {
                status: Some(S::Decided),
                ..CaseListRequest::default()
            },
        )
        .unwrap();
    assert_eq!(none.total, 0);
    // A party with a wrong check digit is refused.
    let mut bad = citizen();
    bad.id_number = "110105194912310021".into();
    let e = w.app.add_party(&cr.lead, id, &bad).unwrap_err();
    assert_eq!(e.code, ErrorCode::ValidationFailed);
    let org = Party::organization(
        PartyKind::LegalPerson,
        "上海某某餐饮有限公司",
        "91310000MA1FL0XXXX",
        "李四",
        "上海市长宁区江苏路1号",
    );
    assert!(org.is_err(), "a made-up credit code fails its check character");
});

both_backends!(issued_documents_are_frozen_and_tampering_is_detected, |s: &Scratch| {
    let w = world(s);
    let cr = crew(&w);
    let id = to_review(&w, &cr, "street_vending", fine(200, DiscretionLevel::Ordinary));
    act(&w, &cr.lead, id, step(A::ApproveReview));
    act(&w, &cr.officer, id, step(A::SendPriorNotice));
    let notice = w
        .app
        .issue_document(&cr.officer, id, DocumentKind::PriorNotice)
        .unwrap();
    let d = w.app.case_document(&cr.officer, notice).unwrap();
    let number = d.row.number.clone().unwrap();
    assert!(number.contains("告字〔2026〕第0001号"), "{number}");
    let text = |v: &serde_json::Value| {
        serde_json::from_value::<jingzhi_domain::case::Document>(v.clone())
            .expect("the frozen content is a composed document")
            .text()
    };
    assert!(text(&d.content).contains("贰佰元"), "{}", text(&d.content));
    assert_eq!(d.row.sha256.len(), 64);
    // A later change of the case does not change the issued document.
    w.clock.advance(days(10));
    let mut decide = step(A::Decide);
    decide.decision = Some(fine(150, DiscretionLevel::Ordinary));
    act(&w, &cr.lead, id, decide);
    let again = w.app.case_document(&cr.officer, notice).unwrap();
    assert_eq!(again.row.sha256, d.row.sha256);
    assert_eq!(again.content, d.content);
    let decision = w
        .app
        .issue_document(&cr.lead, id, DocumentKind::PenaltyDecision)
        .unwrap();
    let dd = w.app.case_document(&cr.lead, decision).unwrap();
    assert_eq!(dd.row.number, w.app.case_view(&cr.lead, id).unwrap().case.number);
    assert!(text(&dd.content).contains("行政复议"));
    assert!(text(&dd.content).contains("壹佰伍拾元"), "{}", text(&dd.content));
    assert!(
        !text(&dd.content).contains("贰佰元"),
        "the decided amount, not the notified one"
    );
    // Tampering with the stored snapshot is detected on read.
    w.app
        .store
        .write(|c| {
            c.execute(
                "UPDATE case_document SET content = replace(content, '150', '15') WHERE id = $1",
                jingzhi_store::params![decision],
            )
        })
        .unwrap();
    assert_eq!(
        w.app.case_document(&cr.lead, decision).unwrap_err().code,
        ErrorCode::DocumentTampered
    );
    // Withdrawing the publicity needs a reason; then the notice is gone.
    assert_eq!(w.app.publicity_notices(w.app.now()).unwrap().len(), 1);
    assert_eq!(
        w.app.withdraw_publicity(&cr.lead, id, " ").unwrap_err().code,
        ErrorCode::ValidationFailed
    );
    w.app
        .withdraw_publicity(&cr.lead, id, "该行政处罚决定已被依法撤销")
        .unwrap();
    assert!(w.app.publicity_notices(w.app.now()).unwrap().is_empty());
});

both_backends!(a_case_is_opened_from_a_verified_clue_only, |s: &Scratch| {
    use jingzhi_app::clues::{NewClue, Step};
    use jingzhi_domain::clue::{Channel, ClueAction, Verification};
    let w = world(s);
    let cr = crew(&w);
    let d = w.actor(Role::Dispatcher);
    let team = w
        .app
        .list_orgs(&w.actor(Role::Admin))
        .unwrap()
        .into_iter()
        .find(|o| o.id == cr.lead.org.id)
        .unwrap();
    let mut nc = NewClue::new(Channel::Patrol, "华阳路100号有人占道摆摊", "长宁区华阳路100号");
    nc.matter_code = Some("street_vending".into());
    let k = w.app.register_clue(&d, &nc).unwrap().clue;
    let mut n = new_case(&cr, "street_vending");
    n.clue_id = Some(k.id);
    // Not located in the team's street yet: not the team's to see.
    assert_eq!(w.app.open_case(&cr.lead, &n).unwrap_err().code, ErrorCode::OutOfScope);
    let go = |who: &Actor, a: ClueAction, p: Step| w.app.clue_step(who, k.id, a, &p).unwrap();
    go(
        &d,
        ClueAction::Relocate,
        Step {
            street_code: team.street_code.as_ref().map(|s| s.to_string()),
            reason: "定位".into(),
            ..Step::default()
        },
    );
    // Located but not verified: no case yet.
    let e = w.app.open_case(&cr.lead, &n).unwrap_err();
    assert_eq!(e.code, ErrorCode::GateRefused, "{e}");
    assert!(e.message.contains("须核查属实"), "{}", e.message);
    go(&d, ClueAction::Accept, Step::default());
    go(
        &d,
        ClueAction::Dispatch,
        Step {
            org_id: Some(team.id),
            ..Step::default()
        },
    );
    go(&cr.officer, ClueAction::Sign, Step::default());
    go(
        &cr.officer,
        ClueAction::Verify,
        Step {
            verification: Some(Verification::Confirmed),
            text: "现场核查属实".into(),
            ..Step::default()
        },
    );
    let id = w.app.open_case(&cr.lead, &n).unwrap();
    let v = w.app.case_view(&cr.lead, id).unwrap();
    assert_eq!(v.case.clue_id, Some(k.id));
    assert_eq!(v.case.street_code, k.street_code.clone().or(v.case.street_code.clone()));
});

both_backends!(
    thresholds_come_from_the_setting_and_stale_versions_are_refused,
    |s: &Scratch| {
        let w = world(s);
        let cr = crew(&w);
        // A bureau that sets the hearing threshold for citizens at 100 元.
        w.app
            .store
            .write(|c| {
                jingzhi_store::repo::settings::set(
                    c,
                    jingzhi_app::cases::THRESHOLDS_KEY,
                    "hearing_fine_citizen_yuan = 100\nlegal_review_fine_citizen_yuan = 100000\n",
                    w.app.now(),
                )
            })
            .unwrap();
        assert_eq!(w.app.case_thresholds().unwrap().hearing_fine_citizen_yuan, 100);
        let id = to_review(&w, &cr, "street_vending", fine(200, DiscretionLevel::Ordinary));
        act(&w, &cr.lead, id, step(A::ApproveReview));
        refused(
            w.app.case_act(&cr.officer, id, &step(A::SendPriorNotice)),
            "须告知当事人有要求听证的权利",
            "第六十三条",
        );
        // The version the actor saw must still be the case's.
        let v = w.app.case_view(&cr.officer, id).unwrap();
        let mut notice = step(A::SendPriorNotice);
        notice.hearing_right_told = true;
        notice.version = Some(v.case.version - 1);
        assert_eq!(
            w.app.case_act(&cr.officer, id, &notice).unwrap_err().code,
            ErrorCode::StaleCase
        );
        notice.version = Some(v.case.version);
        assert_eq!(act(&w, &cr.officer, id, notice), S::PriorNotice);
        assert_eq!(
            w.app.case_view(&cr.officer, id).unwrap().case.version,
            v.case.version + 1
        );
    }
);

both_backends!(
    generated_cases_are_numbered_without_gaps_and_signal_overdue,
    |s: &Scratch| {
        let w = world(s);
        let cr = crew(&w);
        let mut batches = 0;
        w.app.generate_cases(300, 100, 7, &mut |_| batches += 1).unwrap();
        assert_eq!(batches, 3);
        let all = w
            .app
            .list_cases(&w.actor(Role::BureauLeader), &CaseListRequest::default())
            .unwrap();
        assert_eq!(all.total, 300);
        let subjects: std::collections::BTreeSet<(i64, i32)> =
            all.rows.iter().map(|k| (k.subject_org_id, k.year)).collect();
        for (subject, year) in subjects {
            let seqs = w
                .app
                .store
                .read(|c| jingzhi_store::repo::cases::seqs_of(c, subject, year))
                .unwrap();
            assert_eq!(
                seqs,
                (1..=seqs.len() as i64).collect::<Vec<_>>(),
                "subject {subject} {year}"
            );
        }
        // Open ordinary cases filed more than 90 days ago are overdue (超期办案).
        let overdue = w
            .app
            .list_cases(
                &w.actor(Role::BureauLeader),
                &CaseListRequest {
                    overdue: Some(jingzhi_domain::case::SignalKind::OverdueDecision),
                    ..CaseListRequest::default()
                },
            )
            .unwrap();
        assert!(overdue.total > 0);
        assert!(
            overdue.rows.iter().all(|k| k.status.is_before_decision()),
            "decided cases met their clock"
        );
        // Most overdue first (the earliest filed of a 90-day clock is the most overdue), no case
        // twice, and paging continues where the first page stopped.
        let row_ids: Vec<i64> = overdue.rows.iter().map(|k| k.id).collect();
        let clocks = w
            .app
            .store
            .read(|c| jingzhi_store::repo::clocks::open_clocks_of(c, "case", &row_ids))
            .unwrap();
        let due: Vec<_> = row_ids
            .iter()
            .map(|id| {
                clocks
                    .iter()
                    .filter(|k| k.subject_id == *id && k.state == "overdue")
                    .map(|k| k.due_at)
                    .min()
                    .expect("an overdue clock")
            })
            .collect();
        assert!(due.windows(2).all(|w| w[0] <= w[1]), "most overdue first: {due:?}");
        let ids: std::collections::BTreeSet<i64> = overdue.rows.iter().map(|k| k.id).collect();
        assert_eq!(ids.len(), overdue.rows.len(), "one row per case");
        if overdue.total > 2 {
            let page = |offset: i64| {
                w.app
                    .list_cases(
                        &w.actor(Role::BureauLeader),
                        &CaseListRequest {
                            overdue: Some(jingzhi_domain::case::SignalKind::OverdueDecision),
                            limit: 2,
                            offset,
                            ..CaseListRequest::default()
                        },
                    )
                    .unwrap()
                    .rows
                    .iter()
                    .map(|k| k.id)
                    .collect::<Vec<_>>()
            };
            let (first, second) = (page(0), page(2));
            assert_eq!(first, overdue.rows.iter().take(2).map(|k| k.id).collect::<Vec<_>>());
            assert!(first.iter().all(|i| !second.contains(i)));
        }
        // A street team's overdue list holds only its street's cases.
        let team_overdue = w
            .app
            .list_cases(
                &cr.lead,
                &CaseListRequest {
                    overdue: Some(jingzhi_domain::case::SignalKind::OverdueDecision),
                    ..CaseListRequest::default()
                },
            )
            .unwrap();
        let street = cr.lead.org.street_code.clone().map(|s| s.to_string());
        assert!(team_overdue.rows.iter().all(|k| k.street_code == street));
        assert!(team_overdue.total <= overdue.total);
        let signals = w.app.case_signals(&w.actor(Role::Inspector)).unwrap();
        assert!(signals.iter().any(|s| {
            s.signals
                .iter()
                .any(|x| x.kind == jingzhi_domain::case::SignalKind::OverdueDecision)
        }));
        // The team sees only its street's cases.
        let mine = w.app.list_cases(&cr.lead, &CaseListRequest::default()).unwrap();
        assert!(mine.total > 0 && mine.total < 300);
        let street = cr.lead.org.street_code.clone().map(|s| s.to_string());
        assert!(mine.rows.iter().all(|k| k.street_code == street));
        let v = w.app.case_view(&cr.lead, mine.rows[0].id).unwrap();
        assert_eq!(v.parties.len(), 1);
    }
);

both_backends!(demo_cases_are_seeded_in_three_stages, |s: &Scratch| {
    let w = world(s);
    let ids = w.app.seed_demo_cases(&w.accounts).unwrap();
    let lead = w.actor(Role::TeamLeader);
    let st: Vec<S> = ids
        .iter()
        .map(|id| w.app.case_view(&lead, *id).unwrap().case.status)
        .collect();
    assert_eq!(st, vec![S::PriorNotice, S::LegalReview, S::Closed]);
    assert_eq!(
        w.app
            .case_inbox(&w.actor(Role::LegalReviewer), Inbox::LegalReview)
            .unwrap()
            .total,
        1
    );
});

/// The due time of the newest clock of a rule on a case.
fn due_of(w: &World, who: &Actor, id: i64, rule: &str) -> jiff::Timestamp {
    w.app
        .case_view(who, id)
        .unwrap()
        .clocks
        .iter()
        .rev()
        .find(|c| c.clock.row.rule_code == rule)
        .unwrap_or_else(|| panic!("no {rule} clock"))
        .clock
        .deadline
        .due_at
}

both_backends!(
    the_statement_period_is_its_own_rule_and_ends_when_statements_were_reviewed,
    |s: &Scratch| {
        let w = world(s);
        let cr = crew(&w);
        let mut decide = step(A::Decide);
        decide.decision = Some(fine(200, DiscretionLevel::Ordinary));
        // A: the party says nothing; after the 3 working days of the statement period (and
        // before the 5 of a hearing request, which this fine does not give) the decision may go.
        let a = to_review(&w, &cr, "street_vending", fine(200, DiscretionLevel::Ordinary));
        act(&w, &cr.lead, a, step(A::ApproveReview));
        act(&w, &cr.officer, a, step(A::SendPriorNotice));
        let statement_due = due_of(&w, &cr.lead, a, "statement_period");
        let hearing_due = due_of(&w, &cr.lead, a, "hearing_request_5wd");
        assert!(statement_due < hearing_due, "{statement_due} {hearing_due}");
        refused(
            w.app.case_act(&cr.lead, a, &decide),
            "陈述、申辩期限尚未届满",
            "第四十五条",
        );
        // B: the party makes statements at once and they are reviewed: nothing left to wait for.
        let b = to_review(&w, &cr, "street_vending", fine(200, DiscretionLevel::Ordinary));
        act(&w, &cr.lead, b, step(A::ApproveReview));
        act(&w, &cr.officer, b, step(A::SendPriorNotice));
        act(
            &w,
            &cr.officer,
            b,
            step(A::ReceiveStatement).reason("当事人称系初次摆摊"),
        );
        refused(w.app.case_act(&cr.lead, b, &decide), "尚未复核", "第四十五条");
        act(
            &w,
            &cr.officer,
            b,
            step(A::HandleStatements).reason("经复核，已按初次违法从轻"),
        );
        assert_eq!(act(&w, &cr.lead, b, decide.clone()), S::Decided);
        // A after its statement period, still inside the hearing-request period.
        w.clock.set(statement_due + SignedDuration::from_mins(1));
        assert!(w.app.now() < hearing_due);
        assert_eq!(act(&w, &cr.lead, a, decide.clone()), S::Decided);
        // C: a fine with a hearing right still waits for the 5 working days of a request.
        let c = to_review(&w, &cr, "catering_fumes", fine(8_000, DiscretionLevel::Slight));
        act(&w, &cr.lead, c, step(A::ApproveReview));
        act(&w, &cr.legal, c, step(A::PassLegalReview));
        let mut notice = step(A::SendPriorNotice);
        notice.hearing_right_told = true;
        act(&w, &cr.officer, c, notice);
        w.clock
            .set(due_of(&w, &cr.lead, c, "statement_period") + SignedDuration::from_mins(1));
        let mut big = step(A::Decide);
        big.decision = Some(fine(8_000, DiscretionLevel::Slight));
        refused(w.app.case_act(&cr.lead, c, &big), "听证申请期限", "第六十四条");
        // The notice states the rule's days; an administrator's edit of the rule changes them.
        let doc = w.app.issue_document(&cr.officer, b, DocumentKind::PriorNotice).unwrap();
        let text = w.app.case_document(&cr.lead, doc).unwrap().content.to_string();
        assert!(text.contains("3个工作日内向本机关提出"), "{text}");
    }
);

both_backends!(
    case_settings_are_validated_audited_and_printed_in_documents,
    |s: &Scratch| {
        let w = world(s);
        let cr = crew(&w);
        let admin = w.actor(Role::Admin);
        let before = w.app.case_settings(&cr.officer).unwrap();
        assert_eq!(before.thresholds.hearing_fine_citizen_yuan, 5000);
        assert_eq!(before.documents.review_body, "上海市长宁区人民政府");
        assert!(before.documents.court.is_empty());
        // Officers read, only administrators write.
        let mut docs = before.documents.clone();
        docs.court = "上海市长宁区人民法院".into();
        docs.enforcement_court = "上海市长宁区人民法院".into();
        docs.payment_bank = "上海银行长宁支行".into();
        assert_eq!(
            w.app
                .update_case_settings(&cr.officer, &before.thresholds_toml, &docs)
                .unwrap_err()
                .code,
            ErrorCode::Forbidden
        );
        // A bad threshold file is refused on its field, with the reason in Chinese, and nothing changes.
        let e = w
            .app
            .update_case_settings(&admin, "hearing_fine_citizen_yuan = \"五千\"\n", &docs)
            .unwrap_err();
        assert_eq!(e.code, ErrorCode::ValidationFailed, "{e}");
        assert!(
            e.fields
                .iter()
                .any(|f| f.field == "thresholds" && f.message.contains("格式错误")),
            "{e:?}"
        );
        assert!(w.app.case_settings(&admin).unwrap().documents.court.is_empty());
        let mut blank = docs.clone();
        blank.review_body = " ".into();
        let e = w
            .app
            .update_case_settings(&admin, &before.thresholds_toml, &blank)
            .unwrap_err();
        assert!(e.fields.iter().any(|f| f.field == "review_body"), "{e:?}");
        // A good one takes effect and is audited.
        w.app
            .update_case_settings(&admin, "hearing_fine_citizen_yuan = 150\n", &docs)
            .unwrap();
        assert_eq!(w.app.case_thresholds().unwrap().hearing_fine_citizen_yuan, 150);
        let after = w.app.case_settings(&cr.lead).unwrap();
        assert_eq!(after.documents, docs);
        let audit = w
            .app
            .list_audit(&admin, &jingzhi_app::audit::AuditFilter::default(), 50)
            .unwrap();
        let actions: Vec<&str> = audit.iter().map(|r| r.action.as_str()).collect();
        assert!(actions.contains(&"case_settings.thresholds"), "{actions:?}");
        assert!(actions.contains(&"case_settings.documents"), "{actions:?}");
        // The decision prints the court and the bank.
        let id = to_review(&w, &cr, "street_vending", fine(100, DiscretionLevel::Ordinary));
        act(&w, &cr.lead, id, step(A::ApproveReview));
        act(&w, &cr.officer, id, step(A::SendPriorNotice));
        w.clock.advance(days(10));
        let mut decide = step(A::Decide);
        decide.decision = Some(fine(100, DiscretionLevel::Ordinary));
        act(&w, &cr.lead, id, decide);
        let doc = w
            .app
            .issue_document(&cr.officer, id, DocumentKind::PenaltyDecision)
            .unwrap();
        let text = w.app.case_document(&cr.lead, doc).unwrap().content.to_string();
        assert!(text.contains("依法向上海市长宁区人民法院提起行政诉讼"), "{text}");
        assert!(text.contains("上海银行长宁支行"), "{text}");
    }
);

both_backends!(
    inspectors_see_a_citizens_identity_masked_and_handlers_see_it_in_full,
    |s: &Scratch| {
        let w = world(s);
        let cr = crew(&w);
        let inspector = w.actor(Role::Inspector);
        let mut n = new_case(&cr, "street_vending");
        n.party.phone = Some("13812345678".into());
        let id = w.app.open_case(&cr.lead, &n).unwrap();
        act(&w, &cr.officer, id, step(A::StartInvestigation));
        w.app
            .add_record(
                &cr.officer,
                id,
                &NewRecord {
                    kind: DocumentKind::InquiryRecord,
                    content: "被询问人张三，身份证号11010519491231002X，住上海市长宁区华阳路1弄2号".into(),
                    officers: cr.officer_ids.clone(),
                    signature: Some(SignatureStatus::PartySigned),
                    recorded_at: None,
                },
            )
            .unwrap();
        let doc = w
            .app
            .issue_document(&cr.officer, id, DocumentKind::FilingApproval)
            .unwrap();
        for who in [&cr.officer, &cr.lead, &cr.legal] {
            let v = w.app.case_view(who, id).unwrap();
            assert_eq!(v.parties[0].id_number, "11010519491231002X");
            assert_eq!(v.parties[0].phone.as_deref(), Some("13812345678"));
        }
        let v = w.app.case_view(&inspector, id).unwrap();
        let p = &v.parties[0];
        assert_eq!(p.name, "张三", "names are not hidden from the inspector");
        assert_eq!(p.id_number, "110105********002X");
        assert!(!p.address.contains("华阳路"), "{}", p.address);
        assert_ne!(p.phone.as_deref(), Some("13812345678"));
        let rec = &v.records[0].content;
        assert!(
            !rec.contains("11010519491231002X") && rec.contains("110105********002X"),
            "{rec}"
        );
        let full = w.app.case_document(&cr.lead, doc).unwrap().content.to_string();
        assert!(full.contains("11010519491231002X"), "{full}");
        let masked = w.app.case_document(&inspector, doc).unwrap();
        let text = masked.content.to_string();
        assert!(
            !text.contains("11010519491231002X") && text.contains("110105********002X"),
            "{text}"
        );
        assert_eq!(
            masked.row.sha256,
            jingzhi_app::secrets::sha256_hex(&masked.row.content),
            "the frozen text is unchanged"
        );
    }
);

both_backends!(
    a_street_team_sees_but_does_not_act_on_a_bureau_case_in_its_street,
    |s: &Scratch| {
        let w = world(s);
        let cr = crew(&w);
        let bureau = w.actor(Role::BureauLeader);
        let street = cr
            .officer
            .org
            .street_code
            .clone()
            .expect("the officer's team has a street");
        let mut n = new_case(&cr, "street_vending");
        n.street_code = Some(street.to_string());
        let id = w.app.open_case(&bureau, &n).unwrap();
        let v = w.app.case_view(&cr.officer, id).unwrap();
        assert_eq!(v.case.street_code.as_deref(), Some(street.as_str()));
        assert!(v.subject_name.contains("城市管理行政执法局"), "{}", v.subject_name);
        assert!(v.available_actions.is_empty(), "no steps offered to the street team");
        let e = w
            .app
            .case_act(&cr.officer, id, &step(A::StartInvestigation))
            .unwrap_err();
        assert_eq!(e.code, ErrorCode::OutOfScope);
        assert!(e.message.contains("执法主体"), "{}", e.message);
        assert_eq!(
            w.app.assign_officers(&cr.lead, id, &cr.officer_ids).unwrap_err().code,
            ErrorCode::OutOfScope
        );
        // The bureau handles it.
        w.app.assign_officers(&bureau, id, &cr.officer_ids).unwrap();
        // The team's own case is the team's.
        let own = w.app.open_case(&cr.lead, &new_case(&cr, "street_vending")).unwrap();
        assert_eq!(act(&w, &cr.officer, own, step(A::StartInvestigation)), S::Investigating);
    }
);

both_backends!(
    list_totals_are_kept_briefly_and_forgotten_when_a_case_changes,
    |s: &Scratch| {
        let w = world(s);
        let cr = crew(&w);
        let total = |w: &World| w.app.list_cases(&cr.lead, &CaseListRequest::default()).unwrap().total;
        assert_eq!(total(&w), 0);
        let id = w.app.open_case(&cr.lead, &new_case(&cr, "street_vending")).unwrap();
        assert_eq!(total(&w), 1, "a case opened here is counted at once");
        // A change that did not go through this server (another app server, a script) shows once
        // the kept total expires or a case changes here.
        w.app
            .store
            .write(|c| {
                let mut k = jingzhi_store::repo::cases::get(c, id)?;
                k.id = 0;
                k.seq = Some(99);
                k.number = Some("别处立案".into());
                jingzhi_store::repo::cases::insert(c, &k)
            })
            .unwrap();
        assert_eq!(total(&w), 1, "the kept total");
        let rows = w.app.list_cases(&cr.lead, &CaseListRequest::default()).unwrap().rows;
        assert_eq!(rows.len(), 2, "the rows are always read");
        w.app.open_case(&cr.lead, &new_case(&cr, "street_vending")).unwrap();
        assert_eq!(total(&w), 3);
    }
);
