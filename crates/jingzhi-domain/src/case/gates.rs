//! 关口 (gates): the legal conditions of each step, each a pure function that returns `Ok` or a
//! [`Refusal`] carrying a Chinese sentence and the legal article, e.g.
//! “未经事先告知不得作出处罚决定（《行政处罚法》第六十二条）”.
//!
//! The configurable figures (hearing, legal review and collective discussion criteria, the
//! simple-procedure and on-the-spot limits) are in [`Thresholds`]; `docs/cases.md` says which
//! of them are statutory and which are unconfirmed placeholders.

use super::evidence::{EvidenceRecord, Officer, certified_count};
use super::facts::{CaseFacts, MatterTerms};
use super::party::PartyKind;
use super::penalty::{
    Adjustment, CollectionGround, Decision, DecisionKind, Penalty, PenaltyKind, confiscation_total, fine_total,
};
use super::procedure::{CaseAction, CaseStatus, ClosingGround, ProcedureKind};
use crate::case::ServiceMethod;
use crate::coded::CodeTable;
use crate::matter::{BandAmount, DiscretionLevel, PartyType, YuanRange};
use serde::{Deserialize, Serialize};
use std::fmt;

crate::coded_enum! {
    /// 关口 — which rule refused a step (a stable code for the API and for statistics).
    pub enum Gate {
        /// 办理环节: the action does not exist in the current status.
        Transition = ("transition", "办理环节"),
        /// 立案审批.
        Filing = ("filing", "立案审批"),
        /// 执法人员不少于两人且持证 (第四十二条, 第五十五条).
        Officers = ("officers", "执法人员"),
        /// 证据 (第四十条, 第四十六条).
        Evidence = ("evidence", "证据"),
        /// 笔录签名 (城管执法条例 第十九条).
        RecordSignature = ("record_signature", "笔录签名"),
        /// 拟处理意见 (第五十七条).
        Proposal = ("proposal", "拟处理意见"),
        /// 责令改正前置.
        CorrectionFirst = ("correction_first", "责令改正前置"),
        /// 决定内容 (第五十九条).
        DecisionContent = ("decision_content", "决定内容"),
        /// 法定罚款幅度.
        LegalRange = ("legal_range", "法定幅度"),
        /// 裁量基准 (第三十四条).
        Discretion = ("discretion", "裁量基准"),
        /// 事先告知 (第四十四条, 第六十二条).
        PriorNotice = ("prior_notice", "事先告知"),
        /// 告知听证权利 (第六十三条).
        HearingRights = ("hearing_rights", "听证告知"),
        /// 陈述申辩 (第四十五条).
        Statements = ("statements", "陈述申辩"),
        /// 听证 (第六十三条, 第六十四条).
        Hearing = ("hearing", "听证"),
        /// 陈述申辩不加罚 (第四十五条第二款).
        NoHeavier = ("no_heavier", "陈述申辩不加罚"),
        /// 法制审核 (第五十八条).
        LegalReview = ("legal_review", "法制审核"),
        /// 集体讨论 (第五十七条第二款).
        CollectiveDiscussion = ("collective_discussion", "集体讨论"),
        /// 不予处罚情形.
        NoPenaltyGround = ("no_penalty_ground", "不予处罚情形"),
        /// 送达 (第六十一条).
        Service = ("service", "送达"),
        /// 执行 (第七十二条; 行政强制法).
        Execution = ("execution", "执行"),
        /// 结案、撤销立案审批.
        Approval = ("approval", "结案撤案审批"),
        /// 简易程序适用条件 (第五十一条).
        SimpleProcedure = ("simple_procedure", "简易程序"),
        /// 当场收缴罚款 (第六十八条至第七十条).
        OnSpotCollection = ("on_spot_collection", "当场收缴"),
    }
}

crate::coded_enum! {
    /// 听证事由 — why the party has a right to a hearing (行政处罚法 第六十三条第一款).
    pub enum HearingGround {
        /// 较大数额罚款 (第一项).
        LargeFine = ("large_fine", "较大数额罚款"),
        /// 没收较大数额违法所得、没收较大价值非法财物 (第二项).
        LargeConfiscation = ("large_confiscation", "没收较大数额违法所得或较大价值非法财物"),
        /// 降低资质等级、吊销许可证件 (第三项).
        QualificationLicense = ("qualification_license", "降低资质等级或吊销许可证件"),
        /// 责令停产停业、责令关闭、限制从业 (第四项).
        BusinessRestriction = ("business_restriction", "责令停产停业、责令关闭或限制从业"),
        /// 其他较重的行政处罚 (第五项, 第六项) — 责令限期拆除 etc., as configured.
        OtherHeavier = ("other_heavier", "其他较重的行政处罚"),
    }
}

crate::coded_enum! {
    /// 法制审核事由 (行政处罚法 第五十八条; 上海市城市管理综合行政执法重大执法决定法制审核办法 第三条 \[S\]).
    pub enum LegalReviewReason {
        /// 直接关系当事人重大权益（较大数额罚款或没收、责令停产停业、吊销）且经过听证（含放弃听证）.
        MajorRightsHearing = ("major_rights_hearing", "重大权益且经听证或放弃听证"),
        /// 减轻处罚.
        Mitigated = ("mitigated", "减轻处罚"),
        /// 对已建成违法建筑责令限期拆除.
        DemolitionCompleted = ("demolition_completed", "已建成违法建筑责令限期拆除"),
        /// 涉嫌犯罪需要移送司法机关.
        CrimeTransfer = ("crime_transfer", "涉嫌犯罪移送司法机关"),
        /// 案件情况疑难复杂、涉及多个法律关系.
        ComplexRelations = ("complex_relations", "疑难复杂或涉及多个法律关系"),
        /// 涉及重大公共利益.
        PublicInterest = ("public_interest", "涉及重大公共利益"),
        /// 法律、法规、规章或上海市规定的其他情形.
        OtherRequired = ("other_required", "法律法规规定的其他情形"),
        /// 行政强制执行决定（立即代履行、加处罚款除外）.
        EnforcementDecision = ("enforcement_decision", "行政强制执行决定"),
    }
}

crate::coded_enum! {
    /// 集体讨论事由 (行政处罚法 第五十七条第二款; Shanghai criteria not found \[U\]).
    pub enum CollectiveReason {
        /// 情节复杂或者重大违法行为 (负责人 decides at the case review).
        ComplexOrMajor = ("complex_or_major", "情节复杂或重大违法行为"),
        /// 责令停产停业、吊销许可证件等较重处罚 (configured kinds).
        HeavyPenalty = ("heavy_penalty", "较重处罚种类"),
        /// 罚款数额达到设定标准 (configured amounts; none by default).
        LargeAmount = ("large_amount", "较大数额罚款"),
    }
}

/// A step refused: the rule ([`Gate`]), a Chinese sentence and the legal article ("" for a step
/// that simply does not exist in the current status). Displayed as “message（article）”.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refusal {
    pub gate: Gate,
    pub message: String,
    pub article: String,
}

impl Refusal {
    pub fn new(gate: Gate, message: impl Into<String>, article: impl Into<String>) -> Refusal {
        Refusal {
            gate,
            message: message.into(),
            article: article.into(),
        }
    }

    /// “案件当前为“已立案”，不能作出决定”.
    pub fn transition(from: CaseStatus, action: CaseAction) -> Refusal {
        Refusal::new(
            Gate::Transition,
            format!("案件当前为“{}”，不能{}", from.label(), action.label()),
            "",
        )
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.article.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}（{}）", self.message, self.article)
        }
    }
}

impl std::error::Error for Refusal {}

/// The configurable figures and criteria of the gates. Amounts in 元; "reaches" means ≥.
///
/// Statutory \[C\]: `simple_max_fine_*`, `on_spot_collection_max_yuan`, and the five statutory
/// hearing kinds. Secondary \[S\] (Shanghai 法制审核办法 第三条 as quoted by a street list):
/// `legal_review_*`. Unconfirmed \[U\]: the hearing amounts (较大数额 for Shanghai 城管), the
/// non-statutory hearing kinds (责令限期拆除, 暂扣许可证件, 限制开展生产经营活动), the
/// collective-discussion criteria and `legal_review_court_application` — see [`Thresholds::notes`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Thresholds {
    /// 简易程序: fine ≤ 200 元 for a citizen (第五十一条) \[C\].
    pub simple_max_fine_citizen_yuan: i64,
    /// 简易程序: fine ≤ 3,000 元 for a legal person or other organisation (第五十一条) \[C\].
    pub simple_max_fine_org_yuan: i64,
    /// 当场收缴: fine ≤ 100 元 (第六十八条第一项) \[C\].
    pub on_spot_collection_max_yuan: i64,
    /// 听证: 较大数额罚款, citizen (default 5,000) \[U\].
    pub hearing_fine_citizen_yuan: i64,
    /// 听证: 较大数额罚款, organisation (default 50,000) \[U\].
    pub hearing_fine_org_yuan: i64,
    /// 听证: 没收较大数额违法所得/较大价值非法财物, citizen (default 5,000) \[U\].
    pub hearing_confiscation_citizen_yuan: i64,
    /// 听证: 没收…, organisation (default 50,000) \[U\].
    pub hearing_confiscation_org_yuan: i64,
    /// Penalty kinds that give a right to a hearing whatever the amount. Default: the statutory
    /// 降低资质等级, 吊销许可证件, 责令停产停业, 责令关闭, 限制从业 \[C\], plus 责令限期拆除, 暂扣许可证件,
    /// 限制开展生产经营活动 as 其他较重的行政处罚 \[U\].
    pub hearing_kinds: Vec<PenaltyKind>,
    /// 法制审核: fine ≥ 5,000 元 for an individual (after hearing or waiver) \[S\].
    pub legal_review_fine_citizen_yuan: i64,
    /// 法制审核: fine ≥ 50,000 元 for an organisation \[S\].
    pub legal_review_fine_org_yuan: i64,
    /// 法制审核: confiscation of equivalent value, individual \[S\].
    pub legal_review_confiscation_citizen_yuan: i64,
    /// 法制审核: confiscation of equivalent value, organisation \[S\].
    pub legal_review_confiscation_org_yuan: i64,
    /// 法制审核: kinds that need review when they went through a hearing: 责令停产停业, 吊销 \[S\].
    pub legal_review_kinds: Vec<PenaltyKind>,
    /// Whether an application to the court for enforcement needs legal review (default false) \[U\].
    pub legal_review_court_application: bool,
    /// 集体讨论: kinds that always go to collective discussion (default 责令停产停业, 责令关闭,
    /// 吊销许可证件, 限制从业) \[U\].
    pub collective_kinds: Vec<PenaltyKind>,
    /// 集体讨论: fine amount for a citizen from which collective discussion is needed (none) \[U\].
    pub collective_fine_citizen_yuan: Option<i64>,
    /// 集体讨论: fine amount for an organisation (none) \[U\].
    pub collective_fine_org_yuan: Option<i64>,
}

impl Default for Thresholds {
    fn default() -> Self {
        use PenaltyKind::*;
        Thresholds {
            simple_max_fine_citizen_yuan: 200,
            simple_max_fine_org_yuan: 3_000,
            on_spot_collection_max_yuan: 100,
            hearing_fine_citizen_yuan: 5_000,
            hearing_fine_org_yuan: 50_000,
            hearing_confiscation_citizen_yuan: 5_000,
            hearing_confiscation_org_yuan: 50_000,
            hearing_kinds: vec![
                LowerQualification,
                RevokeLicense,
                SuspendProduction,
                OrderClosure,
                RestrictEmployment,
                Demolition,
                SuspendLicense,
                RestrictBusiness,
            ],
            legal_review_fine_citizen_yuan: 5_000,
            legal_review_fine_org_yuan: 50_000,
            legal_review_confiscation_citizen_yuan: 5_000,
            legal_review_confiscation_org_yuan: 50_000,
            legal_review_kinds: vec![SuspendProduction, RevokeLicense],
            legal_review_court_application: false,
            collective_kinds: vec![SuspendProduction, OrderClosure, RevokeLicense, RestrictEmployment],
            collective_fine_citizen_yuan: None,
            collective_fine_org_yuan: None,
        }
    }
}

/// How sure we are of a threshold's default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Confidence {
    /// \[C\] read in the statute.
    Statutory,
    /// \[S\] from a secondary source.
    Secondary,
    /// \[U\] a placeholder to verify.
    Unconfirmed,
}

impl Thresholds {
    /// Reads thresholds from TOML (fields as in this struct; missing fields keep their defaults).
    pub fn from_toml(text: &str) -> Result<Thresholds, String> {
        let t: Thresholds = toml::from_str(text).map_err(|e| format!("办案阈值配置格式错误：{}", e.message()))?;
        let amounts = [
            t.simple_max_fine_citizen_yuan,
            t.simple_max_fine_org_yuan,
            t.on_spot_collection_max_yuan,
            t.hearing_fine_citizen_yuan,
            t.hearing_fine_org_yuan,
            t.hearing_confiscation_citizen_yuan,
            t.hearing_confiscation_org_yuan,
            t.legal_review_fine_citizen_yuan,
            t.legal_review_fine_org_yuan,
            t.legal_review_confiscation_citizen_yuan,
            t.legal_review_confiscation_org_yuan,
        ];
        let optional = [t.collective_fine_citizen_yuan, t.collective_fine_org_yuan];
        if amounts.iter().chain(optional.iter().flatten()).any(|a| *a <= 0) {
            return Err("办案阈值配置中的金额须为正数".into());
        }
        Ok(t)
    }

    /// Every field with how sure its default is and where it comes from (for the admin page and
    /// `docs/cases.md`).
    pub fn notes() -> &'static [(&'static str, Confidence, &'static str)] {
        use Confidence::*;
        &[
            (
                "simple_max_fine_citizen_yuan",
                Statutory,
                "行政处罚法 第五十一条：对公民处二百元以下罚款",
            ),
            (
                "simple_max_fine_org_yuan",
                Statutory,
                "行政处罚法 第五十一条：对法人或者其他组织处三千元以下罚款",
            ),
            (
                "on_spot_collection_max_yuan",
                Statutory,
                "行政处罚法 第六十八条第一项：一百元以下的罚款",
            ),
            (
                "hearing_fine_citizen_yuan",
                Unconfirmed,
                "上海城管“较大数额”未找到；5,000元为常见标准",
            ),
            (
                "hearing_fine_org_yuan",
                Unconfirmed,
                "同上；50,000元为常见标准（另见某省5,000/100,000）",
            ),
            (
                "hearing_confiscation_citizen_yuan",
                Unconfirmed,
                "没收较大数额，按罚款标准设定",
            ),
            (
                "hearing_confiscation_org_yuan",
                Unconfirmed,
                "没收较大数额，按罚款标准设定",
            ),
            (
                "hearing_kinds",
                Unconfirmed,
                "第六十三条列举的种类已核实；责令限期拆除、暂扣许可证件、限制开展生产经营活动按“其他较重的行政处罚”纳入，待核实",
            ),
            (
                "legal_review_fine_citizen_yuan",
                Secondary,
                "上海市城管重大执法决定法制审核办法 第三条（转引）",
            ),
            ("legal_review_fine_org_yuan", Secondary, "同上"),
            ("legal_review_confiscation_citizen_yuan", Secondary, "同上：等值没收"),
            ("legal_review_confiscation_org_yuan", Secondary, "同上：等值没收"),
            ("legal_review_kinds", Secondary, "同上：责令停产停业、吊销"),
            (
                "legal_review_court_application",
                Unconfirmed,
                "申请法院强制执行是否属“行政强制执行决定”待确认",
            ),
            ("collective_kinds", Unconfirmed, "上海城管集体讨论标准未找到"),
            (
                "collective_fine_citizen_yuan",
                Unconfirmed,
                "上海城管集体讨论标准未找到",
            ),
            ("collective_fine_org_yuan", Unconfirmed, "上海城管集体讨论标准未找到"),
        ]
    }

    fn by_party(party: PartyType, citizen: i64, org: i64) -> i64 {
        match party {
            PartyType::Org => org,
            // `Any` does not describe a real party; the lower (citizen) figure is the safe side.
            PartyType::Person | PartyType::Any => citizen,
        }
    }

    /// The simple-procedure fine limit for a party type.
    pub fn simple_limit(&self, party: PartyType) -> i64 {
        Self::by_party(party, self.simple_max_fine_citizen_yuan, self.simple_max_fine_org_yuan)
    }
}

// ---------------------------------------------------------------------------------------------
// Articles

const A_PRIOR_NOTICE: &str = "《行政处罚法》第六十二条";
const A_NOTICE_CONTENT: &str = "《行政处罚法》第四十四条";
const A_OFFICERS: &str = "《行政处罚法》第四十二条、第五十五条";
const A_EVIDENCE: &str = "《行政处罚法》第四十条";
const A_SIGNATURE: &str = "《上海市城市管理行政执法条例》第十九条";
const A_REVIEW: &str = "《行政处罚法》第五十七条";
const A_CONTENT: &str = "《行政处罚法》第五十九条";
const A_DISCRETION: &str = "《行政处罚法》第三十四条";
const A_STATEMENTS: &str = "《行政处罚法》第四十五条、第六十二条";
const A_REVIEW_STATEMENTS: &str = "《行政处罚法》第四十五条第一款";
const A_HEARING_RIGHTS: &str = "《行政处罚法》第四十四条、第六十三条";
const A_HEARING: &str = "《行政处罚法》第六十三条、第六十四条";
const A_HEARING_REQUEST: &str = "《行政处罚法》第六十四条第（一）项";
const A_HEARING_NOTICE: &str = "《行政处罚法》第六十四条第（二）项";
const A_NO_HEAVIER: &str = "《行政处罚法》第四十五条第二款";
const A_LEGAL_REVIEW: &str = "《行政处罚法》第五十八条";
const A_SH_REVIEW: &str = "《上海市城市管理综合行政执法重大执法决定法制审核办法》第三条";
const A_COLLECTIVE: &str = "《行政处罚法》第五十七条第二款";
const A_NO_PENALTY: &str = "《行政处罚法》第三十三条、第五十七条";
const A_SIMPLE: &str = "《行政处罚法》第五十一条";
const A_COLLECT: &str = "《行政处罚法》第六十八条";
const A_RECEIPT: &str = "《行政处罚法》第七十条";
const A_FILING: &str = "《行政处罚法》第五十四条";
const A_APPROVAL: &str = "《行政处罚法》第四十七条；住建部令第55号（条文待核实）";

// ---------------------------------------------------------------------------------------------
// Officers and evidence

/// At least two officers holding enforcement certificates (调查、检查 and every evidence record).
pub fn check_officers(officers: &[Officer]) -> Result<(), Refusal> {
    let n = certified_count(officers);
    if n < 2 {
        return Err(Refusal::new(
            Gate::Officers,
            format!("执法人员不得少于两人，并须持有执法证件（现有持证人员{n}名）"),
            A_OFFICERS,
        ));
    }
    Ok(())
}

/// Every evidence record collected by two certified officers, and every 笔录 signed (or the
/// refusal noted); with `require_any`, at least one record.
pub fn check_evidence(records: &[EvidenceRecord], require_any: bool) -> Result<(), Refusal> {
    if require_any && records.is_empty() {
        return Err(Refusal::new(
            Gate::Evidence,
            "尚未收集证据；违法事实不清、证据不足的，不得给予行政处罚",
            A_EVIDENCE,
        ));
    }
    for r in records {
        let n = certified_count(&r.officers);
        if n < 2 {
            return Err(Refusal::new(
                Gate::Officers,
                format!("证据“{}”须由两名以上持有执法证件的执法人员收集（现有{n}名）", r.title),
                A_OFFICERS,
            ));
        }
        if r.evidence_type.is_record() && r.signature.is_none() {
            return Err(Refusal::new(
                Gate::RecordSignature,
                format!("笔录“{}”须由当事人或者见证人签名，当事人拒绝签名的须注明情况", r.title),
                A_SIGNATURE,
            ));
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Decision content, correction first, amount and discretion

/// The decision exists and is complete for its kind (penalties with amounts; a ground for no
/// penalty; no penalties on a no-penalty or transfer decision).
pub fn check_decision_content(decision: Option<&Decision>) -> Result<&Decision, Refusal> {
    let Some(d) = decision else {
        return Err(Refusal::new(
            Gate::DecisionContent,
            "须填写处理决定（处罚、不予处罚或者移送司法机关）",
            A_REVIEW,
        ));
    };
    match d.kind {
        DecisionKind::Penalty => {
            if d.penalties.is_empty() {
                return Err(Refusal::new(Gate::DecisionContent, "处罚决定须载明处罚种类", A_CONTENT));
            }
            for p in &d.penalties {
                let bad = match p.amount_yuan {
                    Some(a) => a <= 0 || !p.kind.has_amount(),
                    None => p.kind.requires_amount(),
                };
                if bad {
                    let msg = if p.kind.has_amount() {
                        format!("“{}”须写明大于零的金额", p.kind.label())
                    } else {
                        format!("“{}”不应填写金额", p.kind.label())
                    };
                    return Err(Refusal::new(Gate::DecisionContent, msg, A_CONTENT));
                }
            }
        }
        DecisionKind::NoPenalty | DecisionKind::TransferJudicial => {
            if !d.penalties.is_empty() {
                return Err(Refusal::new(
                    Gate::DecisionContent,
                    format!("“{}”的决定不能载明处罚", d.kind.label()),
                    A_REVIEW,
                ));
            }
            if d.kind == DecisionKind::NoPenalty && d.no_penalty_ground.is_none() {
                return Err(Refusal::new(
                    Gate::NoPenaltyGround,
                    "不予行政处罚须写明法定情形",
                    A_NO_PENALTY,
                ));
            }
        }
    }
    Ok(d)
}

/// Matters that penalise only 拒不改正/逾期不改正: correction was ordered and refused or not done
/// in time.
pub fn check_correction_first(facts: &CaseFacts) -> Result<(), Refusal> {
    let Some(t) = facts.matter.as_ref().filter(|t| t.order_correction_first) else {
        return Ok(());
    };
    let c = facts.correction;
    if c.ordered && c.refused_or_overdue {
        return Ok(());
    }
    let basis = t.basis_text();
    let article = if basis.is_empty() {
        "《行政处罚法》第二十八条".to_string()
    } else {
        basis
    };
    let msg = if c.ordered {
        "该事项须当事人拒不改正或者逾期不改正方可处罚，尚未认定拒不改正或者逾期不改正"
    } else {
        "该事项须先责令改正，当事人拒不改正或者逾期不改正的方可处罚"
    };
    Err(Refusal::new(Gate::CorrectionFirst, msg, article))
}

/// The 裁量 band a fine was checked against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct BandRange {
    pub level: DiscretionLevel,
    pub min_yuan: i64,
    pub max_yuan: i64,
    /// The band is from the provisional 裁量基准.
    pub provisional: bool,
}

/// What [`assess_amount`] found about a fine.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AmountAssessment {
    /// Total of the fines (元); 0 when the decision has no fine.
    pub fine_yuan: i64,
    /// The legal range applied (the 情节严重 range when chosen).
    pub legal_range: Option<YuanRange>,
    pub band: Option<BandRange>,
    /// `Some(false)`: outside the chosen band (with a written reason).
    pub within_band: Option<bool>,
    /// Outside the chosen band: the "amount outside the benchmark" signal (两随意).
    pub arbitrary: bool,
    /// Below the legal minimum under 减轻处罚 (needs legal review).
    pub mitigated_below_minimum: bool,
    /// A remark for the reviewer (e.g. a formula-based fine that could not be checked).
    pub note: Option<String>,
}

/// Checks a decision's fine against the matter's legal range for the party type (or the 情节严重
/// range) and the chosen discretion band: above the maximum is refused; below the minimum only
/// under 减轻处罚; written 裁量理由 always; a level when the matter has bands for the party; outside
/// the chosen band only with a written reason, and then flagged.
pub fn assess_amount(
    decision: &Decision,
    party: PartyType,
    terms: Option<&MatterTerms>,
) -> Result<AmountAssessment, Refusal> {
    let fine = decision.fine_total();
    let mut a = AmountAssessment {
        fine_yuan: fine,
        ..AmountAssessment::default()
    };
    if !decision.has(PenaltyKind::Fine) {
        return Ok(a);
    }
    let d = &decision.discretion;
    let Some(t) = terms else {
        return Err(Refusal::new(
            Gate::LegalRange,
            "尚未确定执法事项，无法核对罚款的法定幅度",
            A_DISCRETION,
        ));
    };
    let basis = t.basis_text();
    if t.party != PartyType::Any && t.party != party {
        return Err(Refusal::new(
            Gate::LegalRange,
            format!("所选细项仅适用于{}当事人", t.party.label()),
            basis,
        ));
    }
    if d.reasons.trim().is_empty() {
        return Err(Refusal::new(Gate::Discretion, "罚款须写明裁量理由", A_DISCRETION));
    }
    let range = if d.serious {
        t.fines.serious.or(t.fines.range_for(party))
    } else {
        t.fines.range_for(party)
    };
    match range {
        Some(r) => {
            a.legal_range = Some(r);
            if fine > r.max {
                return Err(Refusal::new(
                    Gate::LegalRange,
                    format!("罚款{fine}元超过法定上限{}元", r.max),
                    basis,
                ));
            }
            if fine < r.min {
                if d.adjustment == Adjustment::Mitigated {
                    a.mitigated_below_minimum = true;
                    return Ok(a);
                }
                return Err(Refusal::new(
                    Gate::LegalRange,
                    format!(
                        "罚款{fine}元低于法定下限{}元；依法减轻处罚的，须选择“减轻处罚”并写明理由",
                        r.min
                    ),
                    format!("《行政处罚法》第三十二条；{basis}"),
                ));
            }
        }
        None => {
            a.note = Some(match &t.fines.formula {
                Some(f) => format!("该事项按计算方式计罚（{f}），金额须人工核对"),
                None => "该事项未设罚款幅度，金额须人工核对".to_string(),
            });
        }
    }
    let bands: Vec<_> = t
        .bands
        .iter()
        .filter(|b| b.party.is_none_or(|p| p == party || p == PartyType::Any))
        .collect();
    if bands.is_empty() {
        return Ok(a);
    }
    let Some(level) = d.level else {
        return Err(Refusal::new(
            Gate::Discretion,
            "须选择裁量等级（裁量基准）",
            A_DISCRETION,
        ));
    };
    let Some(band) = bands.iter().find(|b| b.level == level) else {
        return Err(Refusal::new(
            Gate::Discretion,
            format!("执法事项“{}”没有“{}”裁量等级", t.matter_name, level.label()),
            A_DISCRETION,
        ));
    };
    let (min, max) = match band.amount {
        BandAmount::Yuan { min, max } => (min, max),
        BandAmount::Factor { min, max } => match d.base_yuan.filter(|b| *b > 0) {
            Some(base) => ((base as f64 * min).round() as i64, (base as f64 * max).round() as i64),
            None => {
                return Err(Refusal::new(
                    Gate::Discretion,
                    "该事项按倍数裁量，须填写计罚基数（如补偿标准金额）",
                    A_DISCRETION,
                ));
            }
        },
    };
    a.band = Some(BandRange {
        level,
        min_yuan: min,
        max_yuan: max,
        provisional: band.provisional,
    });
    let within = (min..=max).contains(&fine);
    a.within_band = Some(within);
    if !within {
        if d.outside_band_reason.trim().is_empty() {
            return Err(Refusal::new(
                Gate::Discretion,
                format!(
                    "罚款{fine}元不在所选“{}”裁量等级{min}–{max}元之内，须写明理由",
                    level.label()
                ),
                A_DISCRETION,
            ));
        }
        a.arbitrary = true;
    }
    Ok(a)
}

// ---------------------------------------------------------------------------------------------
// Hearing, legal review, collective discussion

/// Whether penalties give the party a right to a hearing, and why (the first ground found).
pub fn hearing_ground(penalties: &[Penalty], party: PartyType, th: &Thresholds) -> Option<HearingGround> {
    let fine_limit = Thresholds::by_party(party, th.hearing_fine_citizen_yuan, th.hearing_fine_org_yuan);
    let conf_limit = Thresholds::by_party(
        party,
        th.hearing_confiscation_citizen_yuan,
        th.hearing_confiscation_org_yuan,
    );
    let has_fine = penalties.iter().any(|p| p.kind == PenaltyKind::Fine);
    if has_fine && fine_total(penalties) >= fine_limit {
        return Some(HearingGround::LargeFine);
    }
    let has_conf = penalties
        .iter()
        .any(|p| p.kind.is_confiscation() && p.amount_yuan.is_some());
    if has_conf && confiscation_total(penalties) >= conf_limit {
        return Some(HearingGround::LargeConfiscation);
    }
    penalties
        .iter()
        .find(|p| th.hearing_kinds.contains(&p.kind))
        .map(|p| match p.kind {
            PenaltyKind::LowerQualification | PenaltyKind::RevokeLicense => HearingGround::QualificationLicense,
            PenaltyKind::SuspendProduction | PenaltyKind::OrderClosure | PenaltyKind::RestrictEmployment => {
                HearingGround::BusinessRestriction
            }
            _ => HearingGround::OtherHeavier,
        })
}

fn penalty_sets(f: &CaseFacts) -> Vec<&[Penalty]> {
    let mut v: Vec<&[Penalty]> = Vec::new();
    if let Some(p) = &f.proposal {
        v.push(&p.penalties);
    }
    if let Some(n) = &f.notice {
        v.push(&n.penalties);
    }
    if let Some(d) = &f.decision {
        v.push(&d.penalties);
    }
    v
}

fn decisions(f: &CaseFacts) -> impl Iterator<Item = &Decision> {
    [&f.proposal, &f.decision].into_iter().flatten()
}

fn major_rights(ps: &[Penalty], party: PartyType, th: &Thresholds) -> bool {
    let fine_limit = Thresholds::by_party(party, th.legal_review_fine_citizen_yuan, th.legal_review_fine_org_yuan);
    let conf_limit = Thresholds::by_party(
        party,
        th.legal_review_confiscation_citizen_yuan,
        th.legal_review_confiscation_org_yuan,
    );
    (ps.iter().any(|p| p.kind == PenaltyKind::Fine) && fine_total(ps) >= fine_limit)
        || (ps.iter().any(|p| p.kind.is_confiscation() && p.amount_yuan.is_some())
            && confiscation_total(ps) >= conf_limit)
        || ps.iter().any(|p| th.legal_review_kinds.contains(&p.kind))
}

/// Every reason the case's decision needs 法制审核 (行政处罚法 第五十八条 and the Shanghai criteria
/// of facts.md §1.5), judged on every penalty proposed, notified or decided.
pub fn legal_review_reasons(f: &CaseFacts, th: &Thresholds) -> Vec<LegalReviewReason> {
    use LegalReviewReason as R;
    let party = f.party_type();
    let sets = penalty_sets(f);
    let mut v = Vec::new();
    let heard = f.hearing.held
        || sets
            .iter()
            .any(|ps| major_rights(ps, party, th) && hearing_ground(ps, party, th).is_some());
    if heard {
        v.push(R::MajorRightsHearing);
    }
    if decisions(f).any(|d| d.kind == DecisionKind::Penalty && d.discretion.adjustment == Adjustment::Mitigated) {
        v.push(R::Mitigated);
    }
    if f.flags.building_completed
        && sets
            .iter()
            .any(|ps| ps.iter().any(|p| p.kind == PenaltyKind::Demolition))
    {
        v.push(R::DemolitionCompleted);
    }
    if decisions(f).any(|d| d.kind == DecisionKind::TransferJudicial) {
        v.push(R::CrimeTransfer);
    }
    if f.flags.complex_legal_relations {
        v.push(R::ComplexRelations);
    }
    if f.flags.major_public_interest {
        v.push(R::PublicInterest);
    }
    if f.flags
        .other_review_ground
        .as_deref()
        .is_some_and(|s| !s.trim().is_empty())
    {
        v.push(R::OtherRequired);
    }
    v
}

/// The first reason the decision needs 法制审核, or `None`.
pub fn legal_review_required(f: &CaseFacts, th: &Thresholds) -> Option<LegalReviewReason> {
    legal_review_reasons(f, th).into_iter().next()
}

/// No decision until a required legal review has passed (第五十八条).
pub fn check_legal_review(f: &CaseFacts, th: &Thresholds) -> Result<(), Refusal> {
    match legal_review_required(f, th) {
        Some(r) if !f.legal_review_passed => Err(Refusal::new(
            Gate::LegalReview,
            format!(
                "本案须经法制审核（{}），未经法制审核或者审核未通过的，不得作出决定",
                r.label()
            ),
            A_LEGAL_REVIEW,
        )),
        _ => Ok(()),
    }
}

/// Why the case must be decided by the 负责人 collectively (第五十七条第二款), or `None`.
pub fn collective_discussion_required(f: &CaseFacts, th: &Thresholds) -> Option<CollectiveReason> {
    if f.flags.complex_or_major {
        return Some(CollectiveReason::ComplexOrMajor);
    }
    let sets = penalty_sets(f);
    if sets
        .iter()
        .any(|ps| ps.iter().any(|p| th.collective_kinds.contains(&p.kind)))
    {
        return Some(CollectiveReason::HeavyPenalty);
    }
    let limit = match f.party_type() {
        PartyType::Org => th.collective_fine_org_yuan,
        _ => th.collective_fine_citizen_yuan,
    };
    if let Some(limit) = limit
        && sets.iter().any(|ps| fine_total(ps) >= limit)
    {
        return Some(CollectiveReason::LargeAmount);
    }
    None
}

/// No decision until a required collective discussion was held.
pub fn check_collective_discussion(f: &CaseFacts, th: &Thresholds) -> Result<(), Refusal> {
    match collective_discussion_required(f, th) {
        Some(r) if !f.collective_discussion_held => Err(Refusal::new(
            Gate::CollectiveDiscussion,
            format!("本案须由行政机关负责人集体讨论决定（{}）", r.label()),
            A_COLLECTIVE,
        )),
        _ => Ok(()),
    }
}

// ---------------------------------------------------------------------------------------------
// Prior notice, statements, hearing, no heavier penalty

/// A prior notice was served (第四十四条, 第六十二条).
pub fn check_prior_notice(f: &CaseFacts) -> Result<(), Refusal> {
    if f.notice_served() {
        Ok(())
    } else {
        Err(Refusal::new(
            Gate::PriorNotice,
            "未经事先告知不得作出处罚决定",
            A_PRIOR_NOTICE,
        ))
    }
}

/// When the notified penalties fall under 第六十三条, the notice told the party of the hearing right.
pub fn check_hearing_rights_told(f: &CaseFacts, th: &Thresholds) -> Result<(), Refusal> {
    let told = f.notice.as_ref().is_some_and(|n| n.hearing_right_told);
    match hearing_ground(f.notified_penalties(), f.party_type(), th) {
        Some(g) if !told => Err(Refusal::new(
            Gate::HearingRights,
            format!(
                "拟作出的处罚属于听证范围（{}），须告知当事人有要求听证的权利",
                g.label()
            ),
            A_HEARING_RIGHTS,
        )),
        _ => Ok(()),
    }
}

/// Statements handled: the period elapsed (or the party waived in writing), and any statements
/// reviewed (复核) (第四十五条, 第六十二条).
pub fn check_statements(f: &CaseFacts) -> Result<(), Refusal> {
    let Some(n) = f.notice.as_ref() else {
        return check_prior_notice(f);
    };
    if n.statements_received && !n.statements_handled {
        return Err(Refusal::new(
            Gate::Statements,
            "当事人提出的陈述、申辩尚未复核",
            A_REVIEW_STATEMENTS,
        ));
    }
    if !(n.statement_period_elapsed || n.rights_waived) {
        return Err(Refusal::new(
            Gate::Statements,
            "陈述、申辩期限尚未届满，当事人也未书面放弃陈述、申辩，不得作出处罚决定",
            A_STATEMENTS,
        ));
    }
    Ok(())
}

/// With a hearing right: a hearing requested in time must be held (unless abandoned), and the
/// request period must have ended or been waived (第六十三条, 第六十四条).
pub fn check_hearing(f: &CaseFacts, th: &Thresholds) -> Result<(), Refusal> {
    if hearing_ground(f.notified_penalties(), f.party_type(), th).is_none() {
        return Ok(());
    }
    let h = f.hearing;
    if h.requested && h.requested_in_time && !h.held && !h.abandoned {
        return Err(Refusal::new(
            Gate::Hearing,
            "当事人已在告知后五日内要求听证，须举行听证后方可作出决定",
            A_HEARING,
        ));
    }
    let waived = f.notice.as_ref().is_some_and(|n| n.rights_waived);
    if !h.requested && !h.request_period_elapsed && !waived {
        return Err(Refusal::new(
            Gate::Hearing,
            "听证申请期限（告知后五个工作日）尚未届满，当事人也未放弃听证",
            A_HEARING_REQUEST,
        ));
    }
    Ok(())
}

/// A hearing request: notice served, a hearing right, within five working days.
pub fn check_hearing_request(f: &CaseFacts, th: &Thresholds) -> Result<(), Refusal> {
    check_prior_notice_served_for_party(f)?;
    if hearing_ground(f.notified_penalties(), f.party_type(), th).is_none() {
        return Err(Refusal::new(
            Gate::Hearing,
            "拟作出的处罚不属于听证范围，当事人可以陈述、申辩",
            "《行政处罚法》第六十三条",
        ));
    }
    if !f.hearing.requested_in_time {
        return Err(Refusal::new(
            Gate::Hearing,
            "听证申请已超过告知后五日的期限",
            A_HEARING_REQUEST,
        ));
    }
    Ok(())
}

/// Holding a hearing: requested, and the hearing notice served seven working days before.
pub fn check_hold_hearing(f: &CaseFacts) -> Result<(), Refusal> {
    if !f.hearing.requested {
        return Err(Refusal::new(Gate::Hearing, "当事人未要求听证", A_HEARING));
    }
    if !f.hearing.notice_in_time {
        return Err(Refusal::new(
            Gate::Hearing,
            "须在举行听证的七日前通知当事人听证的时间、地点",
            A_HEARING_NOTICE,
        ));
    }
    Ok(())
}

fn check_prior_notice_served_for_party(f: &CaseFacts) -> Result<(), Refusal> {
    if f.notice_served() {
        Ok(())
    } else {
        Err(Refusal::new(
            Gate::PriorNotice,
            "尚未向当事人送达事先告知书",
            A_NOTICE_CONTENT,
        ))
    }
}

/// The decision may not add a kind of penalty or raise an amount beyond the prior notice
/// (陈述申辩不加罚, 第四十五条第二款); heavier penalties need a new notice.
pub fn check_no_heavier(notified: &[Penalty], decided: &[Penalty]) -> Result<(), Refusal> {
    for p in decided {
        if !notified.iter().any(|n| n.kind == p.kind) {
            return Err(Refusal::new(
                Gate::NoHeavier,
                format!(
                    "决定增加了事先告知书未载明的处罚“{}”；查明新的事实须重新告知",
                    p.kind.label()
                ),
                A_NO_HEAVIER,
            ));
        }
    }
    for kind in PenaltyKind::ALL.iter().filter(|k| k.has_amount()) {
        let sum = |ps: &[Penalty]| -> i64 {
            ps.iter()
                .filter(|p| p.kind == *kind)
                .filter_map(|p| p.amount_yuan)
                .sum()
        };
        let (n, d) = (sum(notified), sum(decided));
        if d > n {
            return Err(Refusal::new(
                Gate::NoHeavier,
                format!(
                    "决定的{}{d}元高于事先告知的{n}元；不得因当事人陈述、申辩而给予更重的处罚",
                    kind.label()
                ),
                A_NO_HEAVIER,
            ));
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Simple procedure and on-the-spot collection

/// 简易程序 only for 警告 or a fine ≤ 200 元 (公民) / ≤ 3,000 元 (法人、其他组织) (第五十一条).
pub fn check_simple_procedure(party: PartyKind, decision: &Decision, th: &Thresholds) -> Result<(), Refusal> {
    if decision.kind != DecisionKind::Penalty {
        return Err(Refusal::new(
            Gate::SimpleProcedure,
            "当场处罚只能作出处罚决定",
            A_SIMPLE,
        ));
    }
    if let Some(p) = decision
        .penalties
        .iter()
        .find(|p| !matches!(p.kind, PenaltyKind::Warning | PenaltyKind::Fine))
    {
        return Err(Refusal::new(
            Gate::SimpleProcedure,
            format!(
                "简易程序只适用于警告或者较小数额的罚款，不能当场作出“{}”",
                p.kind.label()
            ),
            A_SIMPLE,
        ));
    }
    let limit = th.simple_limit(party.party_type());
    let fine = decision.fine_total();
    if fine > limit {
        let who = if party.is_organization() {
            "对法人或者其他组织"
        } else {
            "对公民"
        };
        return Err(Refusal::new(
            Gate::SimpleProcedure,
            format!("简易程序{who}只能处{limit}元以下罚款（本案{fine}元），应当适用普通程序"),
            A_SIMPLE,
        ));
    }
    Ok(())
}

/// 当场收缴: only for an on-the-spot decision, ≤ 100 元 unless hard to enforce later (第六十八条) or
/// in a remote area (第六十九条), for the full fine, against an official receipt (第七十条).
pub fn check_on_spot_collection(f: &CaseFacts, th: &Thresholds) -> Result<(), Refusal> {
    if f.procedure != ProcedureKind::Simple {
        return Err(Refusal::new(
            Gate::OnSpotCollection,
            "只有依简易程序当场作出的罚款决定才能当场收缴",
            A_COLLECT,
        ));
    }
    let Some(c) = f.on_spot_collection.as_ref() else {
        return Err(Refusal::new(
            Gate::OnSpotCollection,
            "须填写当场收缴的情形和金额",
            A_COLLECT,
        ));
    };
    let fine = f.decision.as_ref().map(Decision::fine_total).unwrap_or(0);
    if fine <= 0 || c.amount_yuan != fine {
        return Err(Refusal::new(
            Gate::OnSpotCollection,
            format!("当场收缴金额{}元与决定的罚款{fine}元不一致", c.amount_yuan),
            A_COLLECT,
        ));
    }
    if c.ground == CollectionGround::SmallAmount && c.amount_yuan > th.on_spot_collection_max_yuan {
        return Err(Refusal::new(
            Gate::OnSpotCollection,
            format!(
                "当场收缴罚款限于{}元以下（本案{}元）；不当场收缴事后难以执行的除外",
                th.on_spot_collection_max_yuan, c.amount_yuan
            ),
            A_COLLECT,
        ));
    }
    if c.receipt_no.trim().is_empty() {
        return Err(Refusal::new(
            Gate::OnSpotCollection,
            "当场收缴罚款须向当事人出具专用票据",
            A_RECEIPT,
        ));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Service, execution, closing, withdrawal, filing

/// Service: e-service only with consent, lodging witnessed or recorded, public notice only when
/// the party cannot be reached otherwise.
pub fn check_service(f: &CaseFacts) -> Result<(), Refusal> {
    let Some(s) = f.service.as_ref() else {
        return Err(Refusal::new(
            Gate::Service,
            "须填写送达方式",
            "《行政处罚法》第六十一条",
        ));
    };
    match s.method {
        ServiceMethod::Electronic if !s.consent_on_file => Err(Refusal::new(
            Gate::Service,
            "电子送达须经当事人同意并签订确认书",
            "《行政处罚法》第六十一条第二款",
        )),
        ServiceMethod::Lodging if !s.witnessed_or_recorded => Err(Refusal::new(
            Gate::Service,
            "留置送达须邀请有关基层组织或者所在单位的代表到场见证，或者采用拍照、录像等方式记录送达过程",
            "《民事诉讼法》第八十九条",
        )),
        ServiceMethod::Announcement if !s.other_methods_failed => Err(Refusal::new(
            Gate::Service,
            "受送达人下落不明或者用其他方式无法送达的，方可公告送达",
            "《民事诉讼法》第九十五条；《上海市城市管理行政执法条例》第二十五条",
        )),
        _ => Ok(()),
    }
}

fn check_something_to_perform(f: &CaseFacts) -> Result<&Decision, Refusal> {
    match f.decision.as_ref() {
        Some(d) if d.needs_performance() => Ok(d),
        _ => Err(Refusal::new(
            Gate::Execution,
            "处罚决定没有需要当事人履行的内容",
            "《行政处罚法》第六十六条",
        )),
    }
}

/// The gates of the execution steps (加处罚款, 催告, 代履行, 申请法院强制执行, 自觉履行).
pub fn check_execution(action: CaseAction, f: &CaseFacts, th: &Thresholds) -> Result<(), Refusal> {
    let d = check_something_to_perform(f)?;
    let e = f.execution;
    match action {
        CaseAction::ImposeSurcharge => {
            if !d.has(PenaltyKind::Fine) {
                return Err(Refusal::new(
                    Gate::Execution,
                    "处罚决定没有罚款，不能加处罚款",
                    "《行政处罚法》第七十二条",
                ));
            }
            if !e.performance_overdue {
                return Err(Refusal::new(
                    Gate::Execution,
                    "缴纳罚款期限届满前不得加处罚款",
                    "《行政处罚法》第七十二条第一款第（一）项",
                ));
            }
        }
        CaseAction::SendReminder if !e.performance_overdue => {
            return Err(Refusal::new(
                Gate::Execution,
                "当事人的履行期限尚未届满，不能催告",
                "《行政强制法》第五十四条",
            ));
        }
        CaseAction::SubstitutePerform if !e.immediate_substitute => {
            if !e.performance_overdue {
                return Err(Refusal::new(
                    Gate::Execution,
                    "当事人逾期不履行的，方可代履行",
                    "《行政强制法》第五十条",
                ));
            }
            if !e.reminder_served {
                return Err(Refusal::new(
                    Gate::Execution,
                    "代履行三日前须催告当事人履行（立即代履行除外）",
                    "《行政强制法》第五十一条、第五十二条",
                ));
            }
            if !e.enforcement_review_passed {
                return Err(Refusal::new(
                    Gate::LegalReview,
                    "代履行决定须经法制审核（立即代履行、加处罚款除外）",
                    A_SH_REVIEW,
                ));
            }
        }
        CaseAction::ApplyCourtEnforcement => {
            if !(e.reminder_served && e.reminder_period_elapsed) {
                return Err(Refusal::new(
                    Gate::Execution,
                    "催告书送达十日后当事人仍未履行义务的，方可申请人民法院强制执行",
                    "《行政强制法》第五十四条",
                ));
            }
            if !e.relief_periods_lapsed {
                return Err(Refusal::new(
                    Gate::Execution,
                    "申请行政复议或者提起行政诉讼的期限届满前，不能申请人民法院强制执行",
                    "《行政强制法》第五十三条",
                ));
            }
            if e.court_window_expired {
                return Err(Refusal::new(
                    Gate::Execution,
                    "已超过申请人民法院强制执行的三个月期限",
                    "《行政强制法》第五十三条",
                ));
            }
            if th.legal_review_court_application && !e.enforcement_review_passed {
                return Err(Refusal::new(
                    Gate::LegalReview,
                    "申请人民法院强制执行须经法制审核",
                    A_SH_REVIEW,
                ));
            }
        }
        _ => {}
    }
    Ok(())
}

fn check_approval(approval: Option<&super::facts::Approval>, what: &str) -> Result<(), Refusal> {
    let Some(a) = approval else {
        return Err(Refusal::new(
            Gate::Approval,
            format!("{what}须写明理由并经队长或者以上负责人批准"),
            A_APPROVAL,
        ));
    };
    if !a.by_leader() || a.approver.trim().is_empty() {
        return Err(Refusal::new(
            Gate::Approval,
            format!(
                "{what}须经队长或者以上负责人批准（审批人“{}”为{}）",
                a.approver,
                a.role.label()
            ),
            A_APPROVAL,
        ));
    }
    if a.reason.trim().is_empty() {
        return Err(Refusal::new(Gate::Approval, format!("{what}须写明理由"), A_APPROVAL));
    }
    Ok(())
}

/// 结案: a reason and a leader's approval, and a ground that fits the case.
pub fn check_closing(from: CaseStatus, f: &CaseFacts) -> Result<(), Refusal> {
    check_approval(f.closing.as_ref().map(|c| &c.approval), "结案")?;
    let ground = f.closing.as_ref().map(|c| c.ground).expect("checked above");
    let kind = f.decision.as_ref().map(|d| d.kind);
    let collected = f.on_spot_collection.is_some();
    let nothing_to_perform = f.decision.as_ref().is_some_and(|d| !d.needs_performance());
    let performed = from == CaseStatus::Performed
        || f.execution.performed
        || (matches!(from, CaseStatus::Served | CaseStatus::FiledRecord) && (nothing_to_perform || collected));
    let (ok, why) = match ground {
        ClosingGround::Performed => (kind == Some(DecisionKind::Penalty) && performed, "处罚决定尚未履行完毕"),
        ClosingGround::NoPenalty => (
            kind == Some(DecisionKind::NoPenalty) && from != CaseStatus::Decided,
            "须为已送达的不予处罚决定",
        ),
        ClosingGround::Transferred => (kind == Some(DecisionKind::TransferJudicial), "本案未决定移送司法机关"),
        ClosingGround::CourtEnforcement => (f.execution.court_applied, "尚未申请人民法院强制执行"),
        ClosingGround::ExecutionTerminated => (
            matches!(
                from,
                CaseStatus::Served | CaseStatus::FiledRecord | CaseStatus::Executing
            ),
            "处罚决定送达后方可终结执行",
        ),
    };
    if !ok {
        return Err(Refusal::new(
            Gate::Approval,
            format!("不能以“{}”结案：{why}", ground.label()),
            A_APPROVAL,
        ));
    }
    Ok(())
}

/// 撤销立案: a reason and a leader's approval.
pub fn check_withdrawal(f: &CaseFacts) -> Result<(), Refusal> {
    check_approval(f.withdrawal.as_ref(), "撤销立案")
}

/// 立案: an ordinary-procedure case with a matter, approved by a leader with a reason.
pub fn check_filing(f: &CaseFacts) -> Result<(), Refusal> {
    if f.procedure != ProcedureKind::Ordinary {
        return Err(Refusal::new(
            Gate::Filing,
            "简易程序案件当场作出决定后备案，不办理立案",
            "《行政处罚法》第五十二条",
        ));
    }
    if f.matter.is_none() {
        return Err(Refusal::new(Gate::Filing, "立案须确定执法事项", A_FILING));
    }
    match f.filing_approval.as_ref() {
        Some(a) if a.is_complete() => Ok(()),
        _ => Err(Refusal::new(
            Gate::Filing,
            "立案须经负责人审批（立案审批表写明立案理由并由队长或者以上负责人批准）",
            A_FILING,
        )),
    }
}

// ---------------------------------------------------------------------------------------------
// The gates of each action

fn check_proposal(f: &CaseFacts) -> Result<&Decision, Refusal> {
    let Some(p) = f.proposal.as_ref() else {
        return Err(Refusal::new(
            Gate::Proposal,
            "须提出拟处理意见（处罚、不予处罚或者移送司法机关）",
            A_REVIEW,
        ));
    };
    check_decision_content(Some(p))?;
    if p.kind == DecisionKind::Penalty {
        check_correction_first(f)?;
        assess_amount(p, f.party_type(), f.matter.as_ref())?;
    }
    Ok(p)
}

fn check_send_notice(f: &CaseFacts, th: &Thresholds) -> Result<(), Refusal> {
    let p = check_proposal(f)?;
    if p.kind != DecisionKind::Penalty {
        return Err(Refusal::new(
            Gate::PriorNotice,
            format!("拟“{}”的案件无须事先告知", p.kind.label()),
            A_NOTICE_CONTENT,
        ));
    }
    let Some(n) = f.notice.as_ref().filter(|n| !n.penalties.is_empty()) else {
        return Err(Refusal::new(
            Gate::PriorNotice,
            "事先告知书须载明拟作出的行政处罚内容及事实、理由、依据",
            A_NOTICE_CONTENT,
        ));
    };
    let notified = Decision::penalty(n.penalties.clone(), p.discretion.clone());
    check_decision_content(Some(&notified))?;
    assess_amount(&notified, f.party_type(), f.matter.as_ref())?;
    check_hearing_rights_told(f, th)
}

/// All gates of deciding (作出决定), in the order a case file is reviewed.
pub fn check_decide(f: &CaseFacts, th: &Thresholds) -> Result<(), Refusal> {
    let d = check_decision_content(f.decision.as_ref())?;
    match d.kind {
        DecisionKind::Penalty => {
            check_correction_first(f)?;
            check_evidence(&f.evidence, true)?;
            assess_amount(d, f.party_type(), f.matter.as_ref())?;
            check_prior_notice(f)?;
            check_hearing_rights_told(f, th)?;
            check_statements(f)?;
            check_hearing(f, th)?;
            check_no_heavier(f.notified_penalties(), &d.penalties)?;
        }
        DecisionKind::NoPenalty | DecisionKind::TransferJudicial => {}
    }
    check_legal_review(f, th)?;
    check_collective_discussion(f, th)
}

/// The gates of an action (the status itself is checked by [`super::next_status`]).
pub fn check_action(from: CaseStatus, action: CaseAction, f: &CaseFacts, th: &Thresholds) -> Result<(), Refusal> {
    use CaseAction as A;
    match action {
        A::File => check_filing(f),
        A::StartInvestigation => check_officers(&f.officers),
        A::AddEvidence => check_evidence(&f.evidence, false),
        A::CloseInvestigation => check_evidence(&f.evidence, true),
        A::SubmitReview | A::ApproveReview | A::SubmitLegalReview | A::SubmitCollectiveDiscussion => {
            check_proposal(f).map(|_| ())
        }
        A::SendPriorNotice => check_send_notice(f, th),
        A::ReceiveStatement | A::WaiveRights => check_prior_notice_served_for_party(f),
        A::RequestHearing => check_hearing_request(f, th),
        A::HoldHearing => check_hold_hearing(f),
        A::HandleStatements => {
            let received = f.notice.as_ref().is_some_and(|n| n.statements_received);
            if received || f.hearing.held {
                Ok(())
            } else {
                Err(Refusal::new(
                    Gate::Statements,
                    "尚无需要复核的陈述、申辩",
                    A_REVIEW_STATEMENTS,
                ))
            }
        }
        A::Decide => check_decide(f, th),
        A::Serve => {
            check_decision_content(f.decision.as_ref())?;
            check_service(f)
        }
        A::RecordPaid | A::ImposeSurcharge | A::SendReminder | A::SubstitutePerform | A::ApplyCourtEnforcement => {
            check_execution(action, f, th)
        }
        A::Close => check_closing(from, f),
        A::Withdraw => check_withdrawal(f),
        A::DecideOnSpot => {
            if f.procedure != ProcedureKind::Simple {
                return Err(Refusal::new(
                    Gate::SimpleProcedure,
                    "普通程序案件不能当场作出处罚决定",
                    A_SIMPLE,
                ));
            }
            let d = check_decision_content(f.decision.as_ref())?;
            check_simple_procedure(f.party_kind, d, th)?;
            check_officers(&f.officers)?;
            check_correction_first(f)?;
            assess_amount(d, f.party_type(), f.matter.as_ref()).map(|_| ())
        }
        A::CollectOnSpot => check_on_spot_collection(f, th),
        A::OrderCorrection
        | A::ReturnForInvestigation
        | A::PassLegalReview
        | A::FailLegalReview
        | A::ConcludeDiscussion
        | A::CompleteExecution
        | A::Archive
        | A::FileRecord => Ok(()),
    }
}

pub(super) fn code_tables() -> Vec<CodeTable> {
    vec![
        CodeTable::of::<Gate>(),
        CodeTable::of::<HearingGround>(),
        CodeTable::of::<LegalReviewReason>(),
        CodeTable::of::<CollectiveReason>(),
    ]
}
