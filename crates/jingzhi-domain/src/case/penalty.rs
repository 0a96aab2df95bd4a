//! 处罚种类与决定内容 (penalty kinds and the content of a decision): what may be imposed
//! (行政处罚法 第九条, plus 责令限期拆除 for illegal buildings), the three outcomes of a case
//! (第五十七条), the discretion chosen (裁量), and the grounds for not penalising (第三十条至
//! 第三十三条, 第三十六条, 第五十七条).

use crate::coded::CodeTable;
use crate::matter::DiscretionLevel;
use serde::{Deserialize, Serialize};

crate::coded_enum! {
    /// 处罚种类 (行政处罚法 第九条; 行政拘留 is not 城管's and is left out).
    pub enum PenaltyKind {
        /// 警告 (第九条第一项).
        Warning = ("warning", "警告"),
        /// 通报批评 (第九条第一项).
        Criticism = ("criticism", "通报批评"),
        /// 罚款 (第九条第二项); carries an amount.
        Fine = ("fine", "罚款"),
        /// 没收违法所得 (第九条第二项); carries the amount.
        ConfiscateGains = ("confiscate_gains", "没收违法所得"),
        /// 没收非法财物 (第九条第二项; 城乡规划法 第六十四条 没收实物); carries the value if known.
        ConfiscateProperty = ("confiscate_property", "没收非法财物"),
        /// 暂扣许可证件 (第九条第三项).
        SuspendLicense = ("suspend_license", "暂扣许可证件"),
        /// 降低资质等级 (第九条第三项).
        LowerQualification = ("lower_qualification", "降低资质等级"),
        /// 吊销许可证件 (第九条第三项).
        RevokeLicense = ("revoke_license", "吊销许可证件"),
        /// 限制开展生产经营活动 (第九条第四项).
        RestrictBusiness = ("restrict_business", "限制开展生产经营活动"),
        /// 责令停产停业 (第九条第四项; also 停业整治, 暂停施工).
        SuspendProduction = ("suspend_production", "责令停产停业"),
        /// 责令关闭 (第九条第四项).
        OrderClosure = ("order_closure", "责令关闭"),
        /// 限制从业 (第九条第四项).
        RestrictEmployment = ("restrict_employment", "限制从业"),
        /// 责令限期拆除 of an illegal building (城乡规划法 第六十四条; 上海市拆除违法建筑若干规定).
        Demolition = ("demolition", "责令限期拆除"),
    }
}

impl PenaltyKind {
    /// Kinds that carry an amount in 元 (the fine, the gains, the property's value).
    pub fn has_amount(self) -> bool {
        matches!(
            self,
            PenaltyKind::Fine | PenaltyKind::ConfiscateGains | PenaltyKind::ConfiscateProperty
        )
    }

    /// Kinds whose amount must be written (a confiscated object's value may be unknown).
    pub fn requires_amount(self) -> bool {
        matches!(self, PenaltyKind::Fine | PenaltyKind::ConfiscateGains)
    }

    /// Kinds the party must perform after service (pay, hand over, demolish); the others take
    /// effect when the decision is served.
    pub fn requires_performance(self) -> bool {
        matches!(
            self,
            PenaltyKind::Fine
                | PenaltyKind::ConfiscateGains
                | PenaltyKind::ConfiscateProperty
                | PenaltyKind::Demolition
        )
    }

    /// 没收 (counted against the "较大数额" confiscation thresholds).
    pub fn is_confiscation(self) -> bool {
        matches!(self, PenaltyKind::ConfiscateGains | PenaltyKind::ConfiscateProperty)
    }
}

crate::coded_enum! {
    /// 处理决定 — the outcome of a case after investigation (行政处罚法 第五十七条第一款).
    pub enum DecisionKind {
        /// 给予行政处罚 (第五十七条第一款第一项).
        Penalty = ("penalty", "处罚"),
        /// 不予行政处罚 (第五十七条第一款第二、三项).
        NoPenalty = ("no_penalty", "不予处罚"),
        /// 移送司法机关 (第二十七条, 第五十七条第一款第四项).
        TransferJudicial = ("transfer_judicial", "移送司法机关"),
    }
}

crate::coded_enum! {
    /// 处罚幅度调整 — how the circumstances move the penalty (行政处罚法 第三十二条).
    #[derive(Default)]
    pub enum Adjustment {
        /// 一般情形: inside the chosen band.
        #[default]
        Standard = ("standard", "一般情形"),
        /// 从轻处罚: the lower part of the legal range (第三十二条).
        Lighter = ("lighter", "从轻处罚"),
        /// 减轻处罚: below the legal minimum (第三十二条); needs 法制审核 in Shanghai.
        Mitigated = ("mitigated", "减轻处罚"),
        /// 从重处罚: the upper part of the legal range.
        Heavier = ("heavier", "从重处罚"),
    }
}

crate::coded_enum! {
    /// 不予处罚情形 — why no penalty is given.
    pub enum NoPenaltyGround {
        /// 违法行为轻微并及时改正，没有造成危害后果的，不予行政处罚 (第三十三条第一款).
        MinorCorrected = ("minor_corrected", "违法行为轻微并及时改正且无危害后果"),
        /// 初次违法且危害后果轻微并及时改正的，可以不予行政处罚 (第三十三条第一款, 首违不罚).
        FirstOffence = ("first_offence", "初次违法且危害后果轻微并及时改正"),
        /// 当事人有证据足以证明没有主观过错的 (第三十三条第二款).
        NoFault = ("no_fault", "无主观过错"),
        /// 违法事实不能成立 (第五十七条第一款第三项).
        NotEstablished = ("not_established", "违法事实不能成立"),
        /// 违法行为在二年（五年）内未被发现 (第三十六条).
        TimeBarred = ("time_barred", "超过追责时效"),
        /// 不满十四周岁的未成年人, 不能辨认或控制自己行为的精神病人、智力残疾人 (第三十条, 第三十一条).
        Incapacity = ("incapacity", "无责任能力"),
    }
}

crate::coded_enum! {
    /// 当场收缴罚款的情形 (行政处罚法 第六十八条, 第六十九条).
    pub enum CollectionGround {
        /// 依法给予一百元以下罚款 (第六十八条第一项).
        SmallAmount = ("small_amount", "一百元以下罚款"),
        /// 不当场收缴事后难以执行 (第六十八条第二项).
        HardToEnforce = ("hard_to_enforce", "不当场收缴事后难以执行"),
        /// 边远、水上、交通不便地区，当事人到银行缴纳确有困难并提出 (第六十九条).
        RemoteArea = ("remote_area", "边远水上交通不便地区"),
    }
}

/// One penalty of a decision or notice: a kind, an amount in 元 where the kind has one, and a
/// Chinese detail (the licence suspended, the structure to demolish and its area, the deadline…).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Penalty {
    pub kind: PenaltyKind,
    /// 元; for [`PenaltyKind::has_amount`] kinds.
    pub amount_yuan: Option<i64>,
    #[serde(default)]
    pub detail: String,
}

impl Penalty {
    pub fn of(kind: PenaltyKind) -> Penalty {
        Penalty {
            kind,
            amount_yuan: None,
            detail: String::new(),
        }
    }

    pub fn warning() -> Penalty {
        Penalty::of(PenaltyKind::Warning)
    }

    pub fn fine(yuan: i64) -> Penalty {
        Penalty {
            amount_yuan: Some(yuan),
            ..Penalty::of(PenaltyKind::Fine)
        }
    }

    pub fn with_amount(mut self, yuan: i64) -> Penalty {
        self.amount_yuan = Some(yuan);
        self
    }

    pub fn with_detail(mut self, detail: &str) -> Penalty {
        self.detail = detail.into();
        self
    }

    /// "罚款5000元", "警告", "责令限期拆除（违法搭建阳光房约12㎡）".
    pub fn text(&self) -> String {
        let mut s = self.kind.label().to_string();
        if let Some(a) = self.amount_yuan.filter(|_| self.kind.has_amount()) {
            s.push_str(&format!("{a}元"));
        }
        if !self.detail.trim().is_empty() {
            s.push_str(&format!("（{}）", self.detail.trim()));
        }
        s
    }
}

/// The total of the fines (元).
pub fn fine_total(penalties: &[Penalty]) -> i64 {
    penalties
        .iter()
        .filter(|p| p.kind == PenaltyKind::Fine)
        .filter_map(|p| p.amount_yuan)
        .sum()
}

/// The total of the confiscations with a known amount or value (元).
pub fn confiscation_total(penalties: &[Penalty]) -> i64 {
    penalties
        .iter()
        .filter(|p| p.kind.is_confiscation())
        .filter_map(|p| p.amount_yuan)
        .sum()
}

/// All penalties as one line: "警告；罚款200元".
pub fn penalties_text(penalties: &[Penalty]) -> String {
    penalties.iter().map(Penalty::text).collect::<Vec<_>>().join("；")
}

/// 裁量 — the discretion chosen for a fine: the 裁量基准 level, the circumstances and the reasons.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Discretion {
    /// The chosen 裁量等级; required when the matter has bands for the party type.
    pub level: Option<DiscretionLevel>,
    pub adjustment: Adjustment,
    /// 情节严重: the law's separate 情节严重 range applies (e.g. 10–20万 instead of 1–10万).
    pub serious: bool,
    /// 裁量理由 (written reasons for the level and the amount); always required for a fine.
    pub reasons: String,
    /// Why the amount lies outside the chosen band; required then, and the case is flagged
    /// (两随意: amount outside the benchmark).
    pub outside_band_reason: String,
    /// The base of a multiple-based fine (e.g. the 绿化补偿标准 in 元), to check factor bands.
    pub base_yuan: Option<i64>,
}

/// A decision (or the proposed decision of the case review, 拟处理意见): its kind, penalties,
/// discretion and, for no penalty, its ground.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    pub kind: DecisionKind,
    #[serde(default)]
    pub penalties: Vec<Penalty>,
    #[serde(default)]
    pub discretion: Discretion,
    #[serde(default)]
    pub no_penalty_ground: Option<NoPenaltyGround>,
}

impl Decision {
    /// 给予行政处罚.
    pub fn penalty(penalties: Vec<Penalty>, discretion: Discretion) -> Decision {
        Decision {
            kind: DecisionKind::Penalty,
            penalties,
            discretion,
            no_penalty_ground: None,
        }
    }

    /// 不予行政处罚, with its ground.
    pub fn no_penalty(ground: NoPenaltyGround) -> Decision {
        Decision {
            kind: DecisionKind::NoPenalty,
            penalties: Vec::new(),
            discretion: Discretion::default(),
            no_penalty_ground: Some(ground),
        }
    }

    /// 移送司法机关.
    pub fn transfer_judicial() -> Decision {
        Decision {
            kind: DecisionKind::TransferJudicial,
            penalties: Vec::new(),
            discretion: Discretion::default(),
            no_penalty_ground: None,
        }
    }

    pub fn fine_total(&self) -> i64 {
        fine_total(&self.penalties)
    }

    pub fn has(&self, kind: PenaltyKind) -> bool {
        self.penalties.iter().any(|p| p.kind == kind)
    }

    /// A penalty decision with something the party must perform after service.
    pub fn needs_performance(&self) -> bool {
        self.kind == DecisionKind::Penalty && self.penalties.iter().any(|p| p.kind.requires_performance())
    }
}

pub(super) fn code_tables() -> Vec<CodeTable> {
    vec![
        CodeTable::of::<PenaltyKind>(),
        CodeTable::of::<DecisionKind>(),
        CodeTable::of::<Adjustment>(),
        CodeTable::of::<NoPenaltyGround>(),
        CodeTable::of::<CollectionGround>(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn totals_and_texts() {
        let ps = vec![
            Penalty::warning(),
            Penalty::fine(200),
            Penalty::fine(300),
            Penalty::of(PenaltyKind::ConfiscateGains).with_amount(1000),
            Penalty::of(PenaltyKind::ConfiscateProperty).with_detail("烧烤炉2台"),
        ];
        assert_eq!(fine_total(&ps), 500);
        assert_eq!(confiscation_total(&ps), 1000);
        assert_eq!(
            penalties_text(&ps),
            "警告；罚款200元；罚款300元；没收违法所得1000元；没收非法财物（烧烤炉2台）"
        );
        let d = Decision::penalty(vec![Penalty::warning()], Discretion::default());
        assert!(!d.needs_performance(), "a warning takes effect on service");
        assert!(Decision::penalty(ps, Discretion::default()).needs_performance());
        assert!(!Decision::no_penalty(NoPenaltyGround::FirstOffence).needs_performance());
    }
}
