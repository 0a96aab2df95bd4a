//! The [`CaseSheet`] of a stored case: what its documents show, read from the case, its parties,
//! officers, evidence, records, documents and timeline. `issue_document` composes a document
//! from it (`jingzhi_domain::case::compose`) and freezes the result. Whatever the case does not
//! record stays empty and prints as a blank to fill by hand — nothing is invented.

use crate::case_settings::CaseDocSettings;
use crate::error::AppResult;
use jingzhi_domain::case::sheet::{CaseSheet, OpinionStage, SheetEvidence, SheetOpinion, SheetStatement};
use jingzhi_domain::case::{CaseAction, DecisionKind, DocumentKind};
use jingzhi_domain::org::OrgUnit;
use jingzhi_domain::time::{civil_date, civil_datetime};
use jingzhi_store::Conn;
use jingzhi_store::repo::cases::{self as repo, CaseRow};

fn date_of(events: &[repo::CaseEvent], action: CaseAction) -> Option<jiff::civil::Date> {
    events
        .iter()
        .rev()
        .find(|e| e.action == action.code())
        .map(|e| civil_date(e.at))
}

fn opinion_of(events: &[repo::CaseEvent], action: CaseAction, stage: OpinionStage) -> Option<SheetOpinion> {
    events
        .iter()
        .rev()
        .find(|e| e.action == action.code())
        .map(|e| SheetOpinion {
            stage,
            opinion: e.note.clone(),
            name: e.actor_name.clone(),
            date: Some(civil_date(e.at)),
        })
}

/// What the documents take from the settings rather than from the case.
pub(crate) struct SheetConfig {
    pub documents: CaseDocSettings,
    /// 陈述申辩期限 in working days (the `statement_period` clock rule).
    pub statement_days: Option<u32>,
}

/// Builds the sheet of case `k` for a document of `kind` numbered `number`.
pub(crate) fn case_sheet(
    c: &mut dyn Conn,
    k: &CaseRow,
    subject: &OrgUnit,
    kind: DocumentKind,
    number: Option<&str>,
    cfg: &SheetConfig,
) -> AppResult<CaseSheet> {
    let f = &k.facts;
    let parties = repo::parties_of(c, k.id)?;
    let events = repo::events_of(c, k.id)?;
    let evidence = repo::evidence_of(c, k.id)?;
    let records = repo::records_of(c, k.id)?;
    let documents = repo::documents_of(c, k.id)?;
    let number_of = |want: DocumentKind| {
        documents
            .iter()
            .rev()
            .find(|d| d.kind == want)
            .and_then(|d| d.number.clone())
            .unwrap_or_default()
    };
    let mut s = CaseSheet {
        subject_name: subject.name.clone(),
        seal_text: subject.name.clone(),
        subject_address: subject.address.clone().unwrap_or_default(),
        subject_phone: subject.phone.clone().unwrap_or_default(),
        statement_days: cfg.statement_days,
        case_number: k.number.clone().unwrap_or_default(),
        document_number: number.unwrap_or_default().to_string(),
        source: if k.clue_id.is_some() {
            "线索转立案".into()
        } else {
            "巡查发现".into()
        },
        party: parties.first().map(|p| p.to_party()),
        matter_name: f.matter.as_ref().map(|t| t.matter_name.clone()).unwrap_or_default(),
        violated_basis: f.matter.as_ref().map(|t| t.basis_text()).unwrap_or_default(),
        penalty_basis: f.matter.as_ref().map(|t| t.basis_text()).unwrap_or_default(),
        facts: k.summary.clone(),
        officers: f.officers.clone(),
        place: k.place.clone(),
        ..CaseSheet::default()
    };
    s.evidence = evidence
        .iter()
        .map(|e| SheetEvidence {
            evidence_type: Some(e.evidence_type),
            title: e.title.clone(),
            proves: String::new(),
        })
        .collect();
    // Dates from the case and its timeline.
    s.dates.filed = Some(civil_date(k.filed_at));
    s.dates.inspected = records
        .iter()
        .find(|r| r.kind == DocumentKind::InspectionRecord)
        .map(|r| civil_date(r.recorded_at));
    s.dates.correction_ordered = date_of(&events, CaseAction::OrderCorrection);
    s.dates.notice = date_of(&events, CaseAction::SendPriorNotice);
    s.dates.hearing = date_of(&events, CaseAction::HoldHearing);
    s.dates.decision = k.decided_at.map(civil_date);
    s.dates.service = date_of(&events, CaseAction::Serve);
    s.dates.reminder = date_of(&events, CaseAction::SendReminder);
    s.dates.closing = k.closed_at.map(civil_date);
    // The 笔录 this document is about: the latest of its kind.
    if let Some(r) = records.iter().rev().find(|r| r.kind == DocumentKind::InspectionRecord) {
        s.inspection.started = Some(civil_datetime(r.recorded_at));
        s.inspection.findings = r.content.clone();
    }
    if let Some(r) = records.iter().rev().find(|r| r.kind == DocumentKind::InquiryRecord) {
        s.inquiry.started = Some(civil_datetime(r.recorded_at));
        s.inquiry.questions = vec![jingzhi_domain::case::sheet::QuestionAnswer {
            question: "询问内容".into(),
            answer: r.content.clone(),
        }];
    }
    if f.correction.ordered {
        s.correction.requirement = events
            .iter()
            .rev()
            .find(|e| e.action == CaseAction::OrderCorrection.code())
            .map(|e| e.note.clone())
            .unwrap_or_default();
    }
    // Penalties: decided, else notified, else proposed.
    let decision = f.decision.as_ref().or(f.proposal.as_ref());
    s.penalties = match (&f.decision, &f.notice) {
        (Some(d), _) => d.penalties.clone(),
        (None, Some(n)) if !n.penalties.is_empty() => n.penalties.clone(),
        _ => decision.map(|d| d.penalties.clone()).unwrap_or_default(),
    };
    if let Some(d) = decision {
        s.discretion = d.discretion.clone();
        s.no_penalty_ground = d.no_penalty_ground;
    }
    s.decision_kind = f.decision.as_ref().map(|d| d.kind).or(match kind {
        DocumentKind::PenaltyDecision | DocumentKind::OnSpotDecision => Some(DecisionKind::Penalty),
        DocumentKind::NoPenaltyDecision => Some(DecisionKind::NoPenalty),
        _ => None,
    });
    if let Some(n) = &f.notice {
        s.rights_waived = n.rights_waived;
        s.hearing.right = n.hearing_right_told;
        if n.statements_received {
            s.statements = events
                .iter()
                .filter(|e| e.action == CaseAction::ReceiveStatement.code())
                .map(|e| SheetStatement {
                    summary: e.note.clone(),
                    outcome: None,
                    handling: events
                        .iter()
                        .rev()
                        .find(|h| h.action == CaseAction::HandleStatements.code() && h.at >= e.at)
                        .map(|h| h.note.clone())
                        .unwrap_or_default(),
                })
                .collect();
        }
    }
    s.notice_number = number_of(DocumentKind::PriorNotice);
    s.decision_number = if matches!(kind, DocumentKind::PenaltyDecision | DocumentKind::OnSpotDecision) {
        number.unwrap_or_default().to_string()
    } else {
        let n = number_of(DocumentKind::PenaltyDecision);
        if n.is_empty() && f.decision.is_some() {
            k.number.clone().unwrap_or_default()
        } else {
            n
        }
    };
    let d = &cfg.documents;
    s.relief.review_body = d.review_body.clone();
    s.relief.court = d.court.clone();
    s.closing.enforcement_court = d.enforcement_court.clone();
    s.payment.bank = d.payment_bank.clone();
    s.payment.account_name = d.payment_account_name.clone();
    s.payment.account_number = d.payment_account_number.clone();
    s.payment.electronic = d.payment_electronic.clone();
    if let Some(sv) = &f.service {
        s.service.method = Some(sv.method);
        s.service.recipient = s.party.as_ref().map(|p| p.name.clone()).unwrap_or_default();
        s.service.servers = f.officers.iter().map(|o| o.name.clone()).collect();
        let decision_doc = if s.decision_number.is_empty() {
            Vec::new()
        } else {
            vec![(
                match f.decision.as_ref().map(|d| d.kind) {
                    Some(DecisionKind::NoPenalty) => DocumentKind::NoPenaltyDecision.label().to_string(),
                    _ => DocumentKind::PenaltyDecision.label().to_string(),
                },
                s.decision_number.clone(),
            )]
        };
        s.service.documents = decision_doc;
    }
    if let Some(cl) = &f.closing {
        s.closing.ground = Some(cl.ground);
        s.closing.reason = cl.approval.reason.clone();
    } else if let Some(w) = &f.withdrawal {
        s.closing.reason = w.reason.clone();
    }
    if f.execution.performed {
        s.closing.execution = match date_of(&events, CaseAction::RecordPaid) {
            Some(d) => format!("当事人已于{}自觉履行", jingzhi_domain::time::zh_date(d)),
            None => "已执行完毕".into(),
        };
    }
    // Opinions of the approval forms.
    let mut opinions = Vec::new();
    if let Some(fa) = &f.filing_approval {
        opinions.push(SheetOpinion {
            stage: OpinionStage::Approval,
            opinion: fa.reason.clone(),
            name: fa.approver.clone(),
            date: Some(civil_date(k.filed_at)),
        });
    }
    match kind {
        DocumentKind::ClosingApproval | DocumentKind::WithdrawalApproval => {
            let act = if kind == DocumentKind::ClosingApproval {
                CaseAction::Close
            } else {
                CaseAction::Withdraw
            };
            opinions.clear();
            opinions.extend(opinion_of(&events, act, OpinionStage::Approval));
        }
        _ => {
            opinions.extend(opinion_of(&events, CaseAction::ApproveReview, OpinionStage::Department));
            opinions.extend(opinion_of(
                &events,
                CaseAction::PassLegalReview,
                OpinionStage::LegalReview,
            ));
        }
    }
    s.opinions = opinions;
    Ok(s)
}
