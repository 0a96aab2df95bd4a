//! 案件事实 (case facts): everything the state machine and the gates read, as plain data.
//!
//! The application builds a [`CaseFacts`] from the stored case **including the inputs of the
//! action being attempted** — for [`Decide`](super::CaseAction::Decide) the decision about to be
//! made, for [`Serve`](super::CaseAction::Serve) the service record, for
//! [`Close`](super::CaseAction::Close) the closing reason and approver — and asks
//! [`next_status`](super::next_status). Facts that depend on time (was the hearing requested within
//! five working days? has the statement period elapsed?) are computed by the application with the
//! clock engine and passed in as booleans: nothing here reads the clock.

use super::evidence::{EvidenceRecord, Officer};
use super::party::PartyKind;
use super::penalty::{CollectionGround, Decision, Penalty};
use super::procedure::{ClosingGround, ProcedureKind};
use crate::matter::{DiscretionBand, Fines, Matter, PartyType};
use crate::role::Role;
use serde::{Deserialize, Serialize};

/// 审批 — a reason and who approved it (立案、结案、撤销立案).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Approval {
    /// The approver's name.
    pub approver: String,
    /// The approver's role (team leader or above approves filing, closing and withdrawal).
    pub role: Role,
    /// The written reason (审批意见/理由).
    pub reason: String,
}

impl Approval {
    pub fn new(approver: &str, role: Role, reason: &str) -> Approval {
        Approval {
            approver: approver.into(),
            role,
            reason: reason.into(),
        }
    }

    /// Approved by a 负责人: 队长 or 区局领导.
    pub fn by_leader(&self) -> bool {
        matches!(self.role, Role::TeamLeader | Role::BureauLeader)
    }

    /// A named leader and a non-empty reason.
    pub fn is_complete(&self) -> bool {
        self.by_leader() && !self.approver.trim().is_empty() && !self.reason.trim().is_empty()
    }
}

/// What a case needs of its matter (执法事项): the legal basis, the fines that apply (the
/// variant's if one is chosen), the discretion bands and whether correction must be ordered first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MatterTerms {
    pub matter_code: String,
    pub matter_name: String,
    pub variant_code: Option<String>,
    /// 法律依据, as printed in refusals about the amount.
    pub legal_basis: Vec<String>,
    pub fines: Fines,
    /// The provisional 裁量基准 bands; empty when a variant with its own range is chosen (the bands
    /// are written for the matter's main range).
    pub bands: Vec<DiscretionBand>,
    /// The party type the variant is restricted to ([`PartyType::Any`] = none).
    pub party: PartyType,
    /// 责令改正前置: the law penalises only 拒不改正/逾期不改正.
    pub order_correction_first: bool,
}

impl MatterTerms {
    /// The terms of a catalogue matter, or of one of its variants (`None` if no such variant).
    pub fn of(matter: &Matter, variant: Option<&str>) -> Option<MatterTerms> {
        let mut t = MatterTerms {
            matter_code: matter.code.clone(),
            matter_name: matter.name.clone(),
            variant_code: None,
            legal_basis: matter.legal_basis.clone(),
            fines: matter.fines.clone(),
            bands: matter.discretion_levels.clone(),
            party: PartyType::Any,
            order_correction_first: matter.order_correction_first,
        };
        if let Some(code) = variant {
            let v = matter.variant(code)?;
            t.variant_code = Some(v.code.clone());
            t.legal_basis = v.legal_basis.clone();
            if v.fines != matter.fines {
                t.bands.clear();
            }
            t.fines = v.fines.clone();
            t.party = v.party;
            t.order_correction_first = v.order_correction_first;
        }
        Some(t)
    }

    /// The legal basis as one string ("《…》第…条；《…》第…条").
    pub fn basis_text(&self) -> String {
        self.legal_basis.join("；")
    }
}

/// 责令改正 — the order to correct and whether the party refused or let the deadline pass.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CorrectionFacts {
    /// A 责令改正通知书 was issued (or correction was ordered on the spot and recorded).
    pub ordered: bool,
    /// 拒不改正 or 逾期不改正 is established.
    pub refused_or_overdue: bool,
}

/// Grounds the case review (负责人) records that drive legal review and collective discussion.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReviewFlags {
    /// 情节复杂或者重大违法行为 (行政处罚法 第五十七条第二款) — decided by the 负责人.
    pub complex_or_major: bool,
    /// 涉及重大公共利益 (第五十八条第一款第一项).
    pub major_public_interest: bool,
    /// 案件情况疑难复杂、涉及多个法律关系 (第五十八条第一款第三项).
    pub complex_legal_relations: bool,
    /// Another legal-review ground required by law or by Shanghai documents (written out).
    pub other_review_ground: Option<String>,
    /// The illegal building is completed (已建成), as opposed to under construction — 责令限期拆除
    /// of a completed building needs legal review in Shanghai.
    pub building_completed: bool,
}

/// 事先告知 — the notice of the proposed penalty and what the party did with its rights.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct NoticeFacts {
    /// The notice (行政处罚事先告知书) was served on the party.
    pub served: bool,
    /// The penalties proposed in the notice (the ceiling of the decision, 第四十五条第二款).
    pub penalties: Vec<Penalty>,
    /// The notice told the party of its right to a hearing (听证告知书).
    pub hearing_right_told: bool,
    /// The period for statements and defence given in the notice has elapsed (computed by the app).
    pub statement_period_elapsed: bool,
    /// The party waived its statements, defence and hearing in writing.
    pub rights_waived: bool,
    /// The party made statements or a defence (陈述、申辩).
    pub statements_received: bool,
    /// The statements were reviewed (复核) and the result recorded.
    pub statements_handled: bool,
}

/// 听证.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct HearingFacts {
    /// The party asked for a hearing.
    pub requested: bool,
    /// …within five working days of the notice (`hearing_request_5wd`, computed by the app).
    pub requested_in_time: bool,
    /// The five-working-day request period has ended (computed by the app).
    pub request_period_elapsed: bool,
    /// The hearing notice reached the party at least seven working days before the hearing
    /// (`hearing_notice_7wd`, computed by the app).
    pub notice_in_time: bool,
    /// The hearing was held (听证笔录 recorded).
    pub held: bool,
    /// The party withdrew its request, or did not appear without good reason (第六十四条第八项:
    /// treated as giving up the hearing).
    pub abandoned: bool,
}

/// 执行 — what happened after the decision was served (each time-dependent flag computed by the
/// application from the clocks `fine_payment_15d`, `enforcement_reminder_10wd`, `review_period_60d`,
/// `litigation_period_6m` and `court_application_3m`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ExecutionFacts {
    /// 自觉履行 or execution completed.
    pub performed: bool,
    /// The deadline for performance (15 days for a fine; the demolition deadline) passed unperformed.
    pub performance_overdue: bool,
    pub surcharge_imposed: bool,
    /// 催告书 served.
    pub reminder_served: bool,
    /// Ten working days have passed since the reminder was served (行政强制法 第五十四条).
    pub reminder_period_elapsed: bool,
    /// The periods for 复议 and 诉讼 have lapsed without either (行政强制法 第五十三条).
    pub relief_periods_lapsed: bool,
    /// The three months for applying to the court have passed (行政强制法 第五十三条).
    pub court_window_expired: bool,
    /// Application to the court made.
    pub court_applied: bool,
    /// 立即代履行: obstacles or spillage on roads that must be removed at once (行政强制法 第五十二条).
    pub immediate_substitute: bool,
    /// The enforcement decision passed legal review (Shanghai: all except 立即代履行 and 加处罚款).
    pub enforcement_review_passed: bool,
}

/// 当场收缴罚款 (simple procedure).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OnSpotCollection {
    pub ground: CollectionGround,
    pub amount_yuan: i64,
    /// Number of the official receipt (专用票据, 第七十条).
    pub receipt_no: String,
}

/// 结案 — the ground, the reason and the approver.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Closing {
    pub ground: ClosingGround,
    pub approval: Approval,
}

/// Everything the state machine and the gates read about a case (see the module doc).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseFacts {
    pub procedure: ProcedureKind,
    pub party_kind: PartyKind,
    /// The matter and its terms (`None` until chosen).
    pub matter: Option<MatterTerms>,
    /// 立案审批.
    pub filing_approval: Option<Approval>,
    /// 承办执法人员 assigned to the case.
    pub officers: Vec<Officer>,
    pub evidence: Vec<EvidenceRecord>,
    pub correction: CorrectionFacts,
    /// 拟处理意见 of the case review.
    pub proposal: Option<Decision>,
    pub flags: ReviewFlags,
    pub legal_review_passed: bool,
    pub collective_discussion_held: bool,
    pub notice: Option<NoticeFacts>,
    pub hearing: HearingFacts,
    /// The decision (made, or about to be made).
    pub decision: Option<Decision>,
    pub service: Option<crate::case::ServiceRecord>,
    pub execution: ExecutionFacts,
    pub on_spot_collection: Option<OnSpotCollection>,
    pub closing: Option<Closing>,
    /// 撤销立案 reason and approver.
    pub withdrawal: Option<Approval>,
}

impl CaseFacts {
    /// Empty facts of a new case.
    pub fn new(procedure: ProcedureKind, party_kind: PartyKind) -> CaseFacts {
        CaseFacts {
            procedure,
            party_kind,
            matter: None,
            filing_approval: None,
            officers: Vec::new(),
            evidence: Vec::new(),
            correction: CorrectionFacts::default(),
            proposal: None,
            flags: ReviewFlags::default(),
            legal_review_passed: false,
            collective_discussion_held: false,
            notice: None,
            hearing: HearingFacts::default(),
            decision: None,
            service: None,
            execution: ExecutionFacts::default(),
            on_spot_collection: None,
            closing: None,
            withdrawal: None,
        }
    }

    pub fn party_type(&self) -> PartyType {
        self.party_kind.party_type()
    }

    /// The penalties that decide hearing rights and legal review: every penalty proposed, notified
    /// or decided (the heaviest view of the case, so that lowering the amount after a hearing does
    /// not undo the review the hearing triggered).
    pub fn all_penalties(&self) -> Vec<&Penalty> {
        let mut v: Vec<&Penalty> = Vec::new();
        for d in [&self.proposal, &self.decision].into_iter().flatten() {
            v.extend(d.penalties.iter());
        }
        if let Some(n) = &self.notice {
            v.extend(n.penalties.iter());
        }
        v
    }

    /// The penalties the party was (or is to be) notified of: the notice's, else the proposal's.
    pub fn notified_penalties(&self) -> &[Penalty] {
        match (&self.notice, &self.proposal) {
            (Some(n), _) if !n.penalties.is_empty() => &n.penalties,
            (_, Some(p)) => &p.penalties,
            _ => &[],
        }
    }

    /// The notice was served.
    pub fn notice_served(&self) -> bool {
        self.notice.as_ref().is_some_and(|n| n.served)
    }
}

impl Default for CaseFacts {
    fn default() -> Self {
        CaseFacts::new(ProcedureKind::Ordinary, PartyKind::Citizen)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matter::default_catalogue;

    #[test]
    fn matter_terms_follow_the_variant() {
        let c = default_catalogue();
        let m = c.get("street_vending").unwrap();
        let t = MatterTerms::of(m, None).unwrap();
        assert_eq!(
            t.fines.range_for(PartyType::Person).map(|r| (r.min, r.max)),
            Some((50, 500))
        );
        assert_eq!(t.bands.len(), 4);
        let v = MatterTerms::of(m, Some("road_piling")).unwrap();
        assert_eq!(
            v.fines.range_for(PartyType::Person).map(|r| (r.min, r.max)),
            Some((500, 5000))
        );
        assert!(v.bands.is_empty(), "bands are for the main range");
        assert!(MatterTerms::of(m, Some("no_such_variant")).is_none());
        let w = c.get("waste_sorting").unwrap();
        let duty = MatterTerms::of(w, Some("manager_duty")).unwrap();
        assert_eq!(duty.party, PartyType::Org);
    }

    #[test]
    fn approvals_need_a_leader_a_name_and_a_reason() {
        assert!(Approval::new("王队长", Role::TeamLeader, "已履行完毕").is_complete());
        assert!(!Approval::new("张队员", Role::Officer, "已履行完毕").is_complete());
        assert!(!Approval::new("王队长", Role::TeamLeader, " ").is_complete());
        assert!(!Approval::new("", Role::BureauLeader, "理由").is_complete());
    }
}
