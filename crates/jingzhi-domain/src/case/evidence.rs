//! 证据 (evidence): the eight statutory evidence types (行政处罚法 第四十六条), the officers who
//! collected a record (at least two holding enforcement certificates, 第四十二条, 第五十五条) and
//! the signature status of 笔录 (上海市城市管理行政执法条例 第十九条).
//!
//! Files (photos, video, documents) are stored and hashed by the application; this module holds
//! what the gates need to know about each record.

use crate::coded::CodeTable;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

crate::coded_enum! {
    /// 证据种类 (行政处罚法 第四十六条第一款).
    pub enum EvidenceType {
        /// 书证.
        Documentary = ("documentary", "书证"),
        /// 物证.
        Physical = ("physical", "物证"),
        /// 视听资料 (photos, video, audio recordings).
        AudioVisual = ("audio_visual", "视听资料"),
        /// 电子数据.
        ElectronicData = ("electronic_data", "电子数据"),
        /// 证人证言 (an inquiry record of a witness).
        WitnessTestimony = ("witness_testimony", "证人证言"),
        /// 当事人的陈述 (an inquiry record of the party).
        PartyStatement = ("party_statement", "当事人的陈述"),
        /// 鉴定意见.
        ExpertOpinion = ("expert_opinion", "鉴定意见"),
        /// 勘验笔录、现场笔录 (现场检查笔录).
        InspectionRecord = ("inspection_record", "勘验笔录、现场笔录"),
    }
}

impl EvidenceType {
    /// Records written on the spot or at an inquiry, which the party (or a witness) signs.
    pub fn is_record(self) -> bool {
        matches!(
            self,
            EvidenceType::InspectionRecord | EvidenceType::PartyStatement | EvidenceType::WitnessTestimony
        )
    }
}

crate::coded_enum! {
    /// 笔录签名情况 (上海市城市管理行政执法条例 第十九条: signed by the party or witness, or by a
    /// neutral witness, else the officer notes the refusal).
    pub enum SignatureStatus {
        /// 当事人（被询问人）签名确认.
        PartySigned = ("party_signed", "当事人签名"),
        /// 见证人签名.
        WitnessSigned = ("witness_signed", "见证人签名"),
        /// 当事人拒绝签名，执法人员已注明情况.
        RefusalNoted = ("refusal_noted", "拒绝签名已注明"),
    }
}

/// 执法人员 — an officer on a record. The application sets `certificate_no` only when the officer
/// holds a valid enforcement certificate (执法证) on the day of the record; `None` otherwise.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Officer {
    pub user_id: Option<i64>,
    pub name: String,
    pub certificate_no: Option<String>,
}

impl Officer {
    pub fn new(name: &str, certificate_no: Option<&str>) -> Officer {
        Officer {
            user_id: None,
            name: name.into(),
            certificate_no: certificate_no.map(str::to_string),
        }
    }

    /// Holds a (valid) enforcement certificate.
    pub fn is_certified(&self) -> bool {
        self.certificate_no.as_deref().is_some_and(|c| !c.trim().is_empty())
    }
}

/// The number of distinct certified officers (counted by certificate number).
pub fn certified_count(officers: &[Officer]) -> usize {
    officers
        .iter()
        .filter(|o| o.is_certified())
        .filter_map(|o| o.certificate_no.as_deref().map(str::trim))
        .collect::<BTreeSet<_>>()
        .len()
}

/// One evidence record of a case: its type, a title for messages, who collected it, and for
/// 笔录 the signature status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidenceRecord {
    pub evidence_type: EvidenceType,
    /// "现场照片（12张）", "对张三的询问笔录"…
    pub title: String,
    pub officers: Vec<Officer>,
    /// For [`EvidenceType::is_record`] types; `None` = not yet signed.
    #[serde(default)]
    pub signature: Option<SignatureStatus>,
}

impl EvidenceRecord {
    pub fn new(evidence_type: EvidenceType, title: &str, officers: Vec<Officer>) -> EvidenceRecord {
        EvidenceRecord {
            evidence_type,
            title: title.into(),
            officers,
            signature: None,
        }
    }

    pub fn signed(mut self, status: SignatureStatus) -> EvidenceRecord {
        self.signature = Some(status);
        self
    }
}

pub(super) fn code_tables() -> Vec<CodeTable> {
    vec![CodeTable::of::<EvidenceType>(), CodeTable::of::<SignatureStatus>()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn officers_are_counted_once_by_certificate() {
        let a = Officer::new("张三", Some("31010001"));
        let b = Officer::new("李四", Some("31010002"));
        let same_as_a = Officer::new("张三（重复）", Some(" 31010001 "));
        let none = Officer::new("王五", None);
        let blank = Officer::new("赵六", Some(" "));
        assert_eq!(certified_count(&[a.clone(), same_as_a, none, blank.clone()]), 1);
        assert_eq!(certified_count(&[a, b]), 2);
        assert!(!blank.is_certified());
        assert_eq!(EvidenceType::ALL.len(), 8, "the eight statutory types");
        assert!(EvidenceType::InspectionRecord.is_record() && !EvidenceType::AudioVisual.is_record());
    }
}
