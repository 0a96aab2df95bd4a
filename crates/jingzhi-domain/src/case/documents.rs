//! 文书 (documents) of the procedure, their numbering (文号) and service (送达).
//!
//! Numbers come from a configurable pattern per enforcement subject and document kind, such as
//! `长宁城管罚字〔{year}〕第{seq:04}号`. The sequence itself (gapless and unique per subject, series
//! and year) is the store's job; this module only formats, validates and reads numbers back.

use super::facts::CaseFacts;
use super::gates::{Thresholds, hearing_ground};
use super::penalty::DecisionKind;
use super::procedure::CaseAction;
use crate::coded::CodeTable;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

crate::coded_enum! {
    /// 文书种类 — the documents of a penalty case.
    pub enum DocumentKind {
        /// 立案审批表 (行政处罚法 第五十四条).
        FilingApproval = ("filing_approval", "立案审批表"),
        /// 现场检查（勘验）笔录 (第四十六条, 第五十五条).
        InspectionRecord = ("inspection_record", "现场检查（勘验）笔录"),
        /// 询问笔录 (第五十五条).
        InquiryRecord = ("inquiry_record", "询问笔录"),
        /// 责令改正通知书 (第二十八条).
        CorrectionOrder = ("correction_order", "责令改正通知书"),
        /// 行政处罚事先告知书 (第四十四条).
        PriorNotice = ("prior_notice", "行政处罚事先告知书"),
        /// 听证告知书 — tells the party of its right to a hearing (第六十三条).
        HearingRightsNotice = ("hearing_rights_notice", "听证告知书"),
        /// 听证通知书 — time and place, seven working days before (第六十四条第二项).
        HearingNotice = ("hearing_notice", "听证通知书"),
        /// 听证笔录 (第六十四条第八项, 第六十五条).
        HearingRecord = ("hearing_record", "听证笔录"),
        /// 行政处罚决定书 (第五十九条).
        PenaltyDecision = ("penalty_decision", "行政处罚决定书"),
        /// 不予行政处罚决定书 (第五十七条).
        NoPenaltyDecision = ("no_penalty_decision", "不予行政处罚决定书"),
        /// 当场行政处罚决定书 — numbered pre-printed form (第五十二条).
        OnSpotDecision = ("on_spot_decision", "当场行政处罚决定书"),
        /// 涉嫌犯罪案件移送书 (第二十七条).
        TransferLetter = ("transfer_letter", "涉嫌犯罪案件移送书"),
        /// 送达回证 (第六十一条; 民事诉讼法 第八十七条).
        ServiceReceipt = ("service_receipt", "送达回证"),
        /// 催告书 (行政强制法 第三十五条, 第五十四条).
        Reminder = ("reminder", "催告书"),
        /// 强制执行申请书 (行政强制法 第五十五条).
        CourtApplication = ("court_application", "强制执行申请书"),
        /// 结案审批表.
        ClosingApproval = ("closing_approval", "结案审批表"),
        /// 撤销立案审批表.
        WithdrawalApproval = ("withdrawal_approval", "撤销立案审批表"),
    }
}

impl DocumentKind {
    /// The 文书字 of documents issued to the party with a 文号 (罚字, 告字…); `None` for internal
    /// forms and records, which carry the case number. Defaults, to be replaced by the subject's
    /// own series \[U\].
    pub fn default_word(self) -> Option<&'static str> {
        use DocumentKind::*;
        Some(match self {
            CorrectionOrder => "责改",
            PriorNotice => "告",
            HearingRightsNotice => "听告",
            HearingNotice => "听通",
            PenaltyDecision => "罚",
            NoPenaltyDecision => "不罚",
            OnSpotDecision => "当罚",
            TransferLetter => "移",
            Reminder => "催",
            CourtApplication => "执申",
            FilingApproval | InspectionRecord | InquiryRecord | HearingRecord | ServiceReceipt | ClosingApproval
            | WithdrawalApproval => return None,
        })
    }

    /// Issued to the party (and therefore served and frozen).
    pub fn is_issued_to_party(self) -> bool {
        self.default_word().is_some()
    }
}

crate::coded_enum! {
    /// 送达方式 (行政处罚法 第六十一条; 民事诉讼法 第八十八条至第九十五条; 城管执法条例 第二十五条).
    pub enum ServiceMethod {
        /// 直接送达 (民事诉讼法 第八十八条): handed to the party, who signs the receipt.
        Direct = ("direct", "直接送达"),
        /// 留置送达 (第八十九条): the party refuses; witnessed or recorded on video.
        Lodging = ("lodging", "留置送达"),
        /// 邮寄送达 (第九十一条): the date on the return receipt counts.
        Mail = ("mail", "邮寄送达"),
        /// 公告送达 (第九十五条; 城管执法条例 第二十五条: deemed served 60 days after publication).
        Announcement = ("announcement", "公告送达"),
        /// 电子送达 (传真、电子邮件…; 行政处罚法 第六十一条第二款: only with the party's consent).
        Electronic = ("electronic", "电子送达"),
    }
}

impl ServiceMethod {
    /// The clock rule after which a public-notice service is deemed done (`notice_service_60d`).
    pub fn deemed_service_rule(self) -> Option<&'static str> {
        (self == ServiceMethod::Announcement).then_some("notice_service_60d")
    }
}

/// How a document is (to be) served, with the facts the service gate checks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceRecord {
    pub method: ServiceMethod,
    /// 电子送达: the party signed a consent (送达地址确认书) to electronic service.
    #[serde(default)]
    pub consent_on_file: bool,
    /// 留置送达: representatives of the community or employer were present, or it was photographed
    /// or filmed.
    #[serde(default)]
    pub witnessed_or_recorded: bool,
    /// 公告送达: the party's whereabouts are unknown or the other methods failed.
    #[serde(default)]
    pub other_methods_failed: bool,
}

impl ServiceRecord {
    pub fn new(method: ServiceMethod) -> ServiceRecord {
        ServiceRecord {
            method,
            consent_on_file: false,
            witnessed_or_recorded: false,
            other_methods_failed: false,
        }
    }
}

/// The documents an action produces (for the application to render, number, freeze and serve).
/// Evidence records are not listed: [`CaseAction::AddEvidence`] produces an inspection or inquiry
/// record according to the record's type.
pub fn documents_for(action: CaseAction, facts: &CaseFacts, thresholds: &Thresholds) -> Vec<DocumentKind> {
    use CaseAction as A;
    use DocumentKind as D;
    match action {
        A::File => vec![D::FilingApproval],
        A::OrderCorrection => vec![D::CorrectionOrder],
        A::SendPriorNotice => {
            let mut v = vec![D::PriorNotice];
            let penalties = facts.notice.as_ref().map(|n| n.penalties.as_slice()).unwrap_or(&[]);
            if hearing_ground(penalties, facts.party_type(), thresholds).is_some() {
                v.push(D::HearingRightsNotice);
            }
            v
        }
        A::RequestHearing => vec![D::HearingNotice],
        A::HoldHearing => vec![D::HearingRecord],
        A::Decide => match facts.decision.as_ref().map(|d| d.kind) {
            Some(DecisionKind::Penalty) => vec![D::PenaltyDecision],
            Some(DecisionKind::NoPenalty) => vec![D::NoPenaltyDecision],
            Some(DecisionKind::TransferJudicial) => vec![D::TransferLetter],
            None => vec![],
        },
        A::DecideOnSpot => vec![D::OnSpotDecision],
        A::Serve => vec![D::ServiceReceipt],
        A::SendReminder => vec![D::Reminder],
        A::ApplyCourtEnforcement => vec![D::CourtApplication],
        A::Close => vec![D::ClosingApproval],
        A::Withdraw => vec![D::WithdrawalApproval],
        _ => vec![],
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Text(String),
    Year,
    Seq { width: usize },
}

/// A document number pattern (文号格式): literal text with `{year}` and `{seq}` or `{seq:0N}`
/// (zero-padded to N digits, 1 ≤ N ≤ 9), each exactly once. Example:
/// `长宁城管罚字〔{year}〕第{seq:04}号` → 长宁城管罚字〔2026〕第0001号. A sequence longer than N digits is
/// written in full, never truncated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct NumberPattern {
    raw: String,
    parts: Vec<Part>,
}

impl NumberPattern {
    /// Parses a pattern; the error is a Chinese sentence.
    pub fn parse(pattern: &str) -> Result<NumberPattern, String> {
        let mut parts = Vec::new();
        let mut text = String::new();
        let (mut years, mut seqs) = (0, 0);
        let mut rest = pattern;
        while let Some(i) = rest.find(['{', '}']) {
            text.push_str(&rest[..i]);
            if rest[i..].starts_with('}') {
                return Err(format!("文号格式“{pattern}”中有多余的“}}”"));
            }
            let Some(end) = rest[i..].find('}') else {
                return Err(format!("文号格式“{pattern}”中的“{{”没有闭合"));
            };
            let name = &rest[i + 1..i + end];
            let part = match name {
                "year" => {
                    years += 1;
                    Part::Year
                }
                "seq" => {
                    seqs += 1;
                    Part::Seq { width: 1 }
                }
                _ => match name.strip_prefix("seq:0").and_then(|w| w.parse::<usize>().ok()) {
                    Some(width @ 1..=9) => {
                        seqs += 1;
                        Part::Seq { width }
                    }
                    _ => {
                        return Err(format!(
                            "文号格式“{pattern}”中的“{{{name}}}”无法识别（可用 {{year}}、{{seq}}、{{seq:04}}）"
                        ));
                    }
                },
            };
            if !text.is_empty() {
                parts.push(Part::Text(std::mem::take(&mut text)));
            }
            parts.push(part);
            rest = &rest[i + end + 1..];
        }
        text.push_str(rest);
        if !text.is_empty() {
            parts.push(Part::Text(text));
        }
        if years != 1 || seqs != 1 {
            return Err(format!("文号格式“{pattern}”须包含且只包含一个 {{year}} 和一个 {{seq}}"));
        }
        if parts
            .windows(2)
            .any(|w| !matches!(w[0], Part::Text(_)) && !matches!(w[1], Part::Text(_)))
        {
            return Err(format!("文号格式“{pattern}”中的 {{year}} 与 {{seq}} 之间须有文字分隔"));
        }
        Ok(NumberPattern {
            raw: pattern.to_string(),
            parts,
        })
    }

    /// The default pattern of a subject's series: `{prefix}{word}字〔{year}〕第{seq:04}号`.
    pub fn standard(prefix: &str, word: &str) -> NumberPattern {
        NumberPattern::parse(&format!("{prefix}{word}字〔{{year}}〕第{{seq:04}}号"))
            .expect("the standard pattern is valid")
    }

    pub fn as_str(&self) -> &str {
        &self.raw
    }

    /// The number for a year and a sequence number.
    pub fn format(&self, year: i32, seq: u64) -> String {
        let mut s = String::new();
        for p in &self.parts {
            match p {
                Part::Text(t) => s.push_str(t),
                Part::Year => s.push_str(&year.to_string()),
                Part::Seq { width } => s.push_str(&format!("{seq:0width$}")),
            }
        }
        s
    }

    /// Reads a number back into (year, sequence); `None` if it does not follow the pattern.
    pub fn read(&self, number: &str) -> Option<(i32, u64)> {
        let (mut year, mut seq) = (None, None);
        let mut rest = number;
        for (i, p) in self.parts.iter().enumerate() {
            match p {
                Part::Text(t) => rest = rest.strip_prefix(t.as_str())?,
                Part::Year | Part::Seq { .. } => {
                    let len = match self.parts.get(i + 1) {
                        Some(Part::Text(next)) => rest.find(next.as_str())?,
                        _ => rest.len(),
                    };
                    let digits = &rest[..len];
                    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                        return None;
                    }
                    match p {
                        Part::Year => year = Some(digits.parse().ok()?),
                        _ => seq = Some(digits.parse().ok()?),
                    }
                    rest = &rest[len..];
                }
            }
        }
        if !rest.is_empty() {
            return None;
        }
        Some((year?, seq?))
    }
}

impl fmt::Display for NumberPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

impl TryFrom<String> for NumberPattern {
    type Error = String;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        NumberPattern::parse(&s)
    }
}

impl From<NumberPattern> for String {
    fn from(p: NumberPattern) -> String {
        p.raw
    }
}

/// One enforcement subject's numbering: the case number (案号) pattern and a pattern per numbered
/// document kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NumberingScheme {
    /// 案件编号; by default the same series as the penalty decision (罚字), as many bureaus do.
    pub case: NumberPattern,
    pub documents: BTreeMap<DocumentKind, NumberPattern>,
}

impl NumberingScheme {
    /// Standard patterns for a subject's prefix (e.g. "长宁城管", "天山路街道"): every kind with a
    /// [`DocumentKind::default_word`] gets `{prefix}{word}字〔{year}〕第{seq:04}号`.
    pub fn standard(prefix: &str) -> NumberingScheme {
        let documents = DocumentKind::ALL
            .iter()
            .filter_map(|k| k.default_word().map(|w| (*k, NumberPattern::standard(prefix, w))))
            .collect();
        NumberingScheme {
            case: NumberPattern::standard(prefix, "罚"),
            documents,
        }
    }

    /// The pattern of a document kind; `None` for unnumbered kinds (they carry the case number).
    pub fn pattern(&self, kind: DocumentKind) -> Option<&NumberPattern> {
        self.documents.get(&kind)
    }
}

pub(super) fn code_tables() -> Vec<CodeTable> {
    vec![CodeTable::of::<DocumentKind>(), CodeTable::of::<ServiceMethod>()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_formatted_and_read_back() {
        let p = NumberPattern::parse("长宁城管罚字〔{year}〕第{seq:04}号").unwrap();
        assert_eq!(p.format(2026, 1), "长宁城管罚字〔2026〕第0001号");
        assert_eq!(
            p.format(2026, 12345),
            "长宁城管罚字〔2026〕第12345号",
            "never truncated"
        );
        assert_eq!(p.read("长宁城管罚字〔2026〕第0042号"), Some((2026, 42)));
        assert_eq!(p.read("长宁城管罚字〔2026〕第12345号"), Some((2026, 12345)));
        assert_eq!(p.read("长宁城管告字〔2026〕第0042号"), None);
        assert_eq!(p.read("长宁城管罚字〔2026〕第00x2号"), None);
        assert_eq!(p.read("长宁城管罚字〔2026〕第0042号附"), None);
        let q = NumberPattern::parse("{year}-{seq}").unwrap();
        assert_eq!(q.format(2026, 7), "2026-7");
        assert_eq!(q.read("2026-7"), Some((2026, 7)));
    }

    #[test]
    fn bad_patterns_are_refused_in_chinese() {
        assert!(
            NumberPattern::parse("罚字〔{year}〕")
                .unwrap_err()
                .contains("只包含一个")
        );
        assert!(NumberPattern::parse("{year}{seq}").unwrap_err().contains("文字分隔"));
        assert!(NumberPattern::parse("{yr}-{seq}").unwrap_err().contains("无法识别"));
        assert!(NumberPattern::parse("{year}-{seq:010}").is_err());
        assert!(NumberPattern::parse("{year}-{seq").unwrap_err().contains("没有闭合"));
        assert!(NumberPattern::parse("{year}}-{seq}").unwrap_err().contains("多余"));
        assert!(NumberPattern::parse("{year}-{seq}-{seq}").is_err());
        assert!(serde_json::from_str::<NumberPattern>("\"{seq}\"").is_err());
    }

    #[test]
    fn the_standard_scheme_numbers_what_is_issued() {
        let s = NumberingScheme::standard("长宁城管");
        assert_eq!(s.case.format(2026, 1), "长宁城管罚字〔2026〕第0001号");
        assert_eq!(
            s.pattern(DocumentKind::PriorNotice).unwrap().format(2026, 3),
            "长宁城管告字〔2026〕第0003号"
        );
        assert!(s.pattern(DocumentKind::InquiryRecord).is_none());
        assert!(s.pattern(DocumentKind::ServiceReceipt).is_none());
        let json = serde_json::to_string(&s).unwrap();
        let back: NumberingScheme = serde_json::from_str(&json).unwrap();
        assert_eq!(back, s);
    }
}
