//! 文书制作 (document composition): a [`CaseSheet`] holds every fact a document of a case shows,
//! and [`compose`] turns it into a [`Document`] — a title, a number, heading lines and a list of
//! [`Block`]s in the standard Chinese administrative layout — for the web layer to print on A4 and
//! for the application to freeze (its [`Document::fingerprint`]).
//!
//! Nothing here is invented: a fact the sheet does not have is printed as a blank line
//! ([`BLANK`], [`BLANK_DATE`]) to be filled in by hand. Statutory texts (the payment period, the
//! 3% surcharge and its cap, the review and litigation periods, the hearing request period) are
//! fixed wording with their articles; the review body and the court come from the sheet.

use super::documents::{DocumentKind, ServiceMethod};
use super::evidence::{EvidenceType, Officer};
use super::party::{IdType, Party, PartyKind};
use super::penalty::{Adjustment, DecisionKind, Discretion, NoPenaltyGround, Penalty, PenaltyKind, fine_total};
use super::procedure::ClosingGround;
use crate::coded::CodeTable;
use jiff::civil::{Date, DateTime};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// A blank to fill in by hand.
pub const BLANK: &str = "________";
/// A blank date to fill in by hand.
pub const BLANK_DATE: &str = "____年__月__日";
/// The 复议机关 of Changning's street offices, town and district bureau (行政复议法 第二十四条: the
/// district government reviews its departments and its 派出机关).
pub const CHANGNING_REVIEW_BODY: &str = "上海市长宁区人民政府";

const LAW: &str = "《中华人民共和国行政处罚法》";
const COERCION_LAW: &str = "《中华人民共和国行政强制法》";

crate::coded_enum! {
    /// 陈述申辩处理结果 — how the review (复核) answered a statement or defence (行政处罚法 第四十五条).
    pub enum StatementOutcome {
        /// 采纳: the statement is founded; the proposal changes.
        Adopted = ("adopted", "采纳"),
        /// 部分采纳.
        PartlyAdopted = ("partly_adopted", "部分采纳"),
        /// 不予采纳, with the reasons.
        Rejected = ("rejected", "不予采纳"),
    }
}

crate::coded_enum! {
    /// 审批栏 — the opinion boxes of an approval form (审批表), in the order they are signed.
    pub enum OpinionStage {
        /// 承办人意见 (the investigating officers).
        Handler = ("handler", "承办人意见"),
        /// 承办机构审核意见 (the team or department head).
        Department = ("department", "审核意见"),
        /// 法制审核意见 (行政处罚法 第五十八条).
        LegalReview = ("legal_review", "法制审核意见"),
        /// 负责人审批意见 (行政机关负责人).
        Approval = ("approval", "审批意见"),
    }
}

/// One evidence item as listed in a document.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SheetEvidence {
    pub evidence_type: Option<EvidenceType>,
    /// "现场照片（12张）", "对张三的询问笔录".
    pub title: String,
    /// What it proves (证明事项).
    pub proves: String,
}

/// One statement or defence of the party and how it was handled.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SheetStatement {
    /// What the party said (陈述申辩要点).
    pub summary: String,
    pub outcome: Option<StatementOutcome>,
    /// The review's reasons (复核意见).
    pub handling: String,
}

/// One opinion box of an approval form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SheetOpinion {
    pub stage: OpinionStage,
    #[serde(default)]
    pub opinion: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub date: Option<Date>,
}

/// The dates documents print (civil dates, Asia/Shanghai), each computed or recorded by the
/// application; `None` prints [`BLANK_DATE`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SheetDates {
    /// 发现/受案日期.
    pub discovered: Option<Date>,
    /// 立案日期.
    pub filed: Option<Date>,
    /// 检查（勘验）日期.
    pub inspected: Option<Date>,
    /// 责令改正通知书 date.
    pub correction_ordered: Option<Date>,
    /// 改正期限.
    pub correction_deadline: Option<Date>,
    /// 事先告知书 date.
    pub notice: Option<Date>,
    /// Last day to ask for a hearing (five working days after service of the notice, computed with
    /// the clock rule `hearing_request_5wd`).
    pub hearing_deadline: Option<Date>,
    /// 听证通知书 date (at least seven working days before the hearing).
    pub hearing_notice: Option<Date>,
    /// 听证日期.
    pub hearing: Option<Date>,
    /// 决定日期.
    pub decision: Option<Date>,
    /// 送达日期.
    pub service: Option<Date>,
    /// 催告日期.
    pub reminder: Option<Date>,
    /// 结案日期.
    pub closing: Option<Date>,
}

/// 现场检查（勘验）笔录.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SheetInspection {
    pub started: Option<DateTime>,
    pub ended: Option<DateTime>,
    /// 被检查人 or 现场负责人 (if not the party).
    pub person_present: String,
    /// 见证人.
    pub witness: String,
    /// 检查（勘验）情况.
    pub findings: String,
}

/// One question and its answer in an inquiry record.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct QuestionAnswer {
    pub question: String,
    pub answer: String,
}

/// 询问笔录.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SheetInquiry {
    pub started: Option<DateTime>,
    pub ended: Option<DateTime>,
    /// 被询问人 (empty = the party itself, or its legal representative for an organisation).
    pub interviewee: String,
    /// 与本案关系 (当事人, 法定代表人, 证人…).
    pub relation: String,
    pub interviewee_id: String,
    pub interviewee_phone: String,
    pub questions: Vec<QuestionAnswer>,
}

/// 责令改正.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SheetCorrection {
    /// 改正要求 (what to do: 拆除, 清除, 停止…).
    pub requirement: String,
    /// 立即改正 instead of a deadline.
    pub immediately: bool,
}

/// 听证.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SheetHearing {
    /// The proposed penalties give a right to a hearing (行政处罚法 第六十三条).
    pub right: bool,
    pub time: Option<DateTime>,
    pub place: String,
    /// 主持人 (not an investigator of the case, 第六十四条第四项).
    pub host: String,
    pub clerk: String,
    /// 委托代理人.
    pub agents: String,
    /// 公开举行 unless secrets or privacy (第六十四条第三项).
    pub public: Option<bool>,
    /// 听证经过 (investigators' case, the party's defence and cross-examination).
    pub record: String,
}

/// 缴款 — where a fine is paid (行政处罚法 第六十七条).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SheetPayment {
    /// 指定银行.
    pub bank: String,
    pub account_name: String,
    pub account_number: String,
    /// 电子支付 channel, if any (e.g. 上海“一网通办”非税缴款).
    pub electronic: String,
}

/// 救济途径 — where to ask for review or sue.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SheetRelief {
    /// 行政复议机关, e.g. [`CHANGNING_REVIEW_BODY`].
    pub review_body: String,
    /// 人民法院 with jurisdiction (行政诉讼法 第十八条; Shanghai's cross-district jurisdiction
    /// decides which).
    pub court: String,
}

/// 送达.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SheetService {
    pub method: Option<ServiceMethod>,
    /// 受送达人 (defaults to the party's name).
    pub recipient: String,
    /// 送达地点.
    pub place: String,
    /// 送达人.
    pub servers: Vec<String>,
    /// 代收人 and the reason (if not the recipient).
    pub received_by: String,
    /// 见证人 (留置送达).
    pub witness: String,
    /// The documents served: (name, number).
    pub documents: Vec<(String, String)>,
    pub note: String,
}

/// 执行, 结案, 撤销立案, 移送.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SheetClosing {
    pub ground: Option<ClosingGround>,
    /// 执行情况 (paid on …, receipt …; demolished on …).
    pub execution: String,
    /// 结案/撤销理由.
    pub reason: String,
    /// 移送机关 (涉嫌犯罪案件移送书).
    pub transfer_to: String,
    /// 申请强制执行的人民法院.
    pub enforcement_court: String,
    /// 加处罚款 amount computed by the application (元).
    pub surcharge_yuan: Option<i64>,
}

/// Everything a document of a case shows. Built by the application from the stored case (the
/// matter's texts from the catalogue, the dates from the clocks, the numbers from the
/// sequences); a default (empty) field prints as a blank.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CaseSheet {
    /// 执法主体 (the name the decision is issued in), e.g. 上海市长宁区天山路街道办事处.
    pub subject_name: String,
    /// 印章文字 (usually the subject's name).
    pub seal_text: String,
    pub subject_address: String,
    pub subject_phone: String,
    /// 联系人.
    pub contact: String,
    /// 案号.
    pub case_number: String,
    /// 文号 of the document being composed (issued kinds); when empty, a notice prints
    /// `notice_number` and a decision `decision_number`. Internal forms print the case number.
    pub document_number: String,
    /// 案件来源 (巡查发现, 12345 市民热线, 举报, 移送…).
    pub source: String,
    pub party: Option<Party>,
    /// Print the party's personal data masked (a copy for publication or a third party).
    pub mask_personal_data: bool,
    /// 案由 (the matter's name): "违法搭建建筑物、构筑物".
    pub matter_name: String,
    /// 违法依据 — the provisions breached.
    pub violated_basis: String,
    /// 处罚依据 — the provisions that set the penalty.
    pub penalty_basis: String,
    /// 违法事实 / 案情.
    pub facts: String,
    pub evidence: Vec<SheetEvidence>,
    pub officers: Vec<Officer>,
    /// 记录人.
    pub recorder: String,
    /// 地点 (违法地点, 检查地点).
    pub place: String,
    pub dates: SheetDates,
    pub inspection: SheetInspection,
    pub inquiry: SheetInquiry,
    pub correction: SheetCorrection,
    /// Proposed (notice) or decided penalties.
    pub penalties: Vec<Penalty>,
    pub discretion: Discretion,
    /// 陈述申辩期限 in working days given in the notice (not fixed by the Law [U]).
    pub statement_days: Option<u32>,
    pub statements: Vec<SheetStatement>,
    /// The party waived statements and hearing in writing.
    pub rights_waived: bool,
    pub hearing: SheetHearing,
    /// 事先告知书 number, cited by the decision.
    pub notice_number: String,
    /// 行政处罚决定书 number, cited by the service receipt, reminder, court application and closing.
    pub decision_number: String,
    pub decision_kind: Option<DecisionKind>,
    pub no_penalty_ground: Option<NoPenaltyGround>,
    pub payment: SheetPayment,
    pub relief: SheetRelief,
    pub service: SheetService,
    pub closing: SheetClosing,
    /// The opinion boxes of the approval form being composed (the application puts the filing,
    /// closing or withdrawal opinions here for that form); the latest of each stage is printed.
    pub opinions: Vec<SheetOpinion>,
}

/// One label/value row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Field {
    pub label: String,
    pub value: String,
}

/// A piece of a document, in reading order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Block {
    /// Label/value rows: a bordered table on forms, "label：value" lines in letters.
    Fields {
        fields: Vec<Field>,
    },
    /// A section heading inside the body (一、违法事实).
    Heading {
        text: String,
    },
    Paragraph {
        text: String,
    },
    /// A numbered list.
    List {
        items: Vec<String>,
    },
    Table {
        head: Vec<String>,
        rows: Vec<Vec<String>>,
    },
    /// An opinion box of an approval form: the opinion, who signed and when.
    Opinion {
        label: String,
        text: String,
        name: String,
        date: String,
    },
    /// A signature line (当事人签名, 执法人员, the issuing body's seal).
    Signature {
        label: String,
        name: String,
        date: String,
    },
    /// Small print (备注, legal notes).
    Note {
        text: String,
    },
}

/// A composed document: what is printed, in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    pub kind: DocumentKind,
    /// The issuing body, printed above the title.
    pub issuer: String,
    pub title: String,
    /// 文号 (issued kinds) or "案号：…" (forms and records).
    pub number: String,
    /// Lines under the number (the addressee of a letter: "张三：").
    pub heading: Vec<String>,
    pub blocks: Vec<Block>,
    /// A form (审批表, 送达回证): fields print as one bordered table.
    pub form: bool,
}

impl Document {
    /// SHA-256 (hex) of the document's JSON: what the application records when a document is
    /// issued, so that a later edit of the case cannot change what was served.
    pub fn fingerprint(&self) -> String {
        let json = serde_json::to_vec(self).expect("a document serialises");
        hex::encode(Sha256::digest(json))
    }

    /// All the text of the document, one piece a line (for search and tests).
    pub fn text(&self) -> String {
        let mut out = vec![self.issuer.clone(), self.title.clone(), self.number.clone()];
        out.extend(self.heading.iter().cloned());
        for b in &self.blocks {
            match b {
                Block::Fields { fields } => out.extend(fields.iter().map(|f| format!("{}：{}", f.label, f.value))),
                Block::Heading { text } | Block::Paragraph { text } | Block::Note { text } => out.push(text.clone()),
                Block::List { items } => out.extend(items.iter().cloned()),
                Block::Table { head, rows } => {
                    out.push(head.join(" | "));
                    out.extend(rows.iter().map(|r| r.join(" | ")));
                }
                Block::Opinion {
                    label,
                    text,
                    name,
                    date,
                } => out.push(format!("{label}：{text} {name} {date}")),
                Block::Signature { label, name, date } => out.push(format!("{label}：{name} {date}")),
            }
        }
        out.join("\n")
    }
}

// ---------------------------------------------------------------------------------------------
// Amounts in Chinese capitals (大写金额).

const DIGITS: [char; 10] = ['零', '壹', '贰', '叁', '肆', '伍', '陆', '柒', '捌', '玖'];

/// An amount in 元 in capitals: 1500 → 壹仟伍佰元整, 100001 → 壹拾万零壹元整, 0 → 零元整.
pub fn yuan_in_capitals(yuan: i64) -> String {
    fen_in_capitals(yuan.saturating_mul(100))
}

/// An amount in 分 in capitals, by the usual rules for bills: 150005 → 壹仟伍佰元零伍分,
/// 50 → 伍角整, 1_0001_0000_00 → 壹亿零壹万元整. Amounts of 一万亿亿元 and more are written in
/// digits.
pub fn fen_in_capitals(fen: i64) -> String {
    if fen < 0 {
        return format!("负{}", fen_in_capitals(fen.checked_neg().unwrap_or(i64::MAX)));
    }
    let yuan = fen / 100;
    let jiao = (fen / 10 % 10) as usize;
    let cents = (fen % 10) as usize;
    if yuan >= 10_000_000_000_000_000 {
        return format!("{fen}分");
    }
    let mut s = String::new();
    if yuan > 0 {
        s.push_str(&integer_in_capitals(yuan));
        s.push('元');
    }
    match (jiao, cents) {
        (0, 0) => {
            if s.is_empty() {
                s.push_str("零元");
            }
            s.push('整');
        }
        (j, 0) => {
            s.push(DIGITS[j]);
            s.push_str("角整");
        }
        (0, c) => {
            if !s.is_empty() {
                s.push('零');
            }
            s.push(DIGITS[c]);
            s.push('分');
        }
        (j, c) => {
            s.push(DIGITS[j]);
            s.push('角');
            s.push(DIGITS[c]);
            s.push('分');
        }
    }
    s
}

/// 1..10^16 in capitals without a unit: groups of four digits with 万, 亿, 万亿.
fn integer_in_capitals(n: i64) -> String {
    const GROUP_UNITS: [&str; 4] = ["", "万", "亿", "万亿"];
    const UNITS: [&str; 4] = ["仟", "佰", "拾", ""];
    let mut groups = Vec::new();
    let mut rest = n;
    while rest > 0 {
        groups.push(rest % 10_000);
        rest /= 10_000;
    }
    let mut s = String::new();
    let mut zero_pending = false;
    for (i, g) in groups.iter().enumerate().rev() {
        let g = *g;
        if g == 0 {
            zero_pending = !s.is_empty();
            continue;
        }
        if !s.is_empty() && (zero_pending || g < 1000) {
            s.push('零');
        }
        zero_pending = false;
        let digits = [g / 1000, g / 100 % 10, g / 10 % 10, g % 10];
        let mut started = false;
        let mut zero_in_group = false;
        for (d, unit) in digits.iter().zip(UNITS) {
            if *d == 0 {
                zero_in_group = started;
                continue;
            }
            if zero_in_group {
                s.push('零');
                zero_in_group = false;
            }
            started = true;
            s.push(DIGITS[*d as usize]);
            s.push_str(unit);
        }
        s.push_str(GROUP_UNITS[i]);
    }
    s
}

/// 1500 → "1,500".
pub fn yuan_with_separators(yuan: i64) -> String {
    let digits = yuan.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if yuan < 0 { format!("-{out}") } else { out }
}

/// "人民币壹仟伍佰元整（¥1,500）".
pub fn amount_text(yuan: i64) -> String {
    format!("人民币{}（¥{}）", yuan_in_capitals(yuan), yuan_with_separators(yuan))
}

// ---------------------------------------------------------------------------------------------
// Helpers.

fn or_blank(s: &str) -> String {
    let t = s.trim();
    if t.is_empty() { BLANK.to_string() } else { t.to_string() }
}

/// 2026年3月2日, or [`BLANK_DATE`].
pub fn date_text(d: Option<Date>) -> String {
    d.map(crate::time::zh_date).unwrap_or_else(|| BLANK_DATE.to_string())
}

/// 2026年3月2日14时05分, or a blank.
pub fn datetime_text(dt: Option<DateTime>) -> String {
    match dt {
        Some(dt) => format!(
            "{}{:02}时{:02}分",
            crate::time::zh_date(dt.date()),
            dt.hour(),
            dt.minute()
        ),
        None => "____年__月__日__时__分".to_string(),
    }
}

fn field(label: &str, value: impl AsRef<str>) -> Field {
    Field {
        label: label.to_string(),
        value: or_blank(value.as_ref()),
    }
}

fn para(text: impl Into<String>) -> Block {
    Block::Paragraph { text: text.into() }
}

fn heading(text: &str) -> Block {
    Block::Heading { text: text.into() }
}

fn note(text: impl Into<String>) -> Block {
    Block::Note { text: text.into() }
}

fn signature(label: &str, name: impl AsRef<str>, date: Option<Date>) -> Block {
    Block::Signature {
        label: label.into(),
        name: or_blank(name.as_ref()),
        date: date_text(date),
    }
}

/// A signature line left entirely to be signed by hand.
fn hand_signature(label: &str) -> Block {
    Block::Signature {
        label: label.into(),
        name: BLANK.into(),
        date: BLANK_DATE.into(),
    }
}

/// "你" for a citizen, "你单位" for an organisation, "你（单位）" when unknown.
fn you(sheet: &CaseSheet) -> &'static str {
    match sheet.party.as_ref().map(|p| p.kind) {
        Some(PartyKind::Citizen) => "你",
        Some(_) => "你单位",
        None => "你（单位）",
    }
}

impl CaseSheet {
    fn issuer(&self) -> String {
        or_blank(&self.subject_name)
    }

    fn seal(&self) -> String {
        if self.seal_text.trim().is_empty() {
            self.issuer()
        } else {
            self.seal_text.trim().to_string()
        }
    }

    /// The party's name as printed (masked if asked).
    pub fn party_name(&self) -> String {
        match &self.party {
            Some(p) if self.mask_personal_data => p.masked_name(),
            Some(p) => p.name.clone(),
            None => BLANK.to_string(),
        }
    }

    /// The party's identity number as printed (masked if asked).
    pub fn party_id(&self) -> String {
        match &self.party {
            Some(p) if self.mask_personal_data => p.masked_id(),
            Some(p) => or_blank(&p.id_number),
            None => BLANK.to_string(),
        }
    }

    /// The party's address as printed (cut after the district if asked).
    pub fn party_address(&self) -> String {
        match &self.party {
            Some(p) if self.mask_personal_data => or_blank(&p.masked_address()),
            Some(p) => or_blank(&p.address),
            None => BLANK.to_string(),
        }
    }

    fn party_fields(&self) -> Vec<Field> {
        let Some(p) = &self.party else {
            return vec![field("当事人", ""), field("证件号码", ""), field("住址（地址）", "")];
        };
        let mut v = vec![field("当事人", self.party_name()), field("当事人类别", p.kind.label())];
        let id_label = if p.id_type == IdType::ResidentId {
            "身份证号码".to_string()
        } else {
            p.id_type.label().to_string()
        };
        v.push(field(&id_label, self.party_id()));
        if p.kind.is_organization() {
            let who = if p.kind == PartyKind::LegalPerson {
                "法定代表人"
            } else {
                "负责人"
            };
            let rep = p.legal_representative.clone().unwrap_or_default();
            let rep = if self.mask_personal_data {
                super::party::mask_name(&rep)
            } else {
                rep
            };
            v.push(field(who, rep));
            v.push(field("地址", self.party_address()));
        } else {
            v.push(field("住址", self.party_address()));
        }
        let phone = p.phone.clone().unwrap_or_default();
        let phone = if self.mask_personal_data && !phone.is_empty() {
            crate::clue::mask_phone(&phone)
        } else {
            phone
        };
        v.push(field("联系电话", phone));
        v
    }

    fn officers_text(&self) -> String {
        if self.officers.is_empty() {
            return format!("{BLANK}（执法证号{BLANK}）、{BLANK}（执法证号{BLANK}）");
        }
        self.officers
            .iter()
            .map(|o| {
                format!(
                    "{}（执法证号{}）",
                    or_blank(&o.name),
                    or_blank(o.certificate_no.as_deref().unwrap_or(""))
                )
            })
            .collect::<Vec<_>>()
            .join("、")
    }

    fn officer_names(&self) -> String {
        self.officers
            .iter()
            .map(|o| o.name.trim())
            .filter(|n| !n.is_empty())
            .collect::<Vec<_>>()
            .join("、")
    }

    fn evidence_items(&self) -> Vec<String> {
        if self.evidence.is_empty() {
            return vec![BLANK.to_string()];
        }
        self.evidence
            .iter()
            .enumerate()
            .map(|(i, e)| {
                let mut s = format!("{}. {}", i + 1, or_blank(&e.title));
                if let Some(t) = e.evidence_type {
                    s.push_str(&format!("（{}）", t.label()));
                }
                if !e.proves.trim().is_empty() {
                    s.push_str(&format!("，证明{}", e.proves.trim()));
                }
                s
            })
            .collect()
    }

    fn evidence_table(&self) -> Block {
        let rows = if self.evidence.is_empty() {
            vec![vec!["1".into(), BLANK.into(), BLANK.into(), BLANK.into()]]
        } else {
            self.evidence
                .iter()
                .enumerate()
                .map(|(i, e)| {
                    vec![
                        (i + 1).to_string(),
                        e.evidence_type
                            .map(|t| t.label().to_string())
                            .unwrap_or_else(|| BLANK.into()),
                        or_blank(&e.title),
                        or_blank(&e.proves),
                    ]
                })
                .collect()
        };
        Block::Table {
            head: vec!["序号".into(), "证据种类".into(), "证据名称".into(), "证明事项".into()],
            rows,
        }
    }

    /// The penalties, one line each, amounts with capitals: "罚款人民币壹仟伍佰元整（¥1,500）".
    pub fn penalty_lines(&self) -> Vec<String> {
        if self.penalties.is_empty() {
            return vec![BLANK.to_string()];
        }
        self.penalties
            .iter()
            .enumerate()
            .map(|(i, p)| format!("{}. {}", i + 1, penalty_line(p)))
            .collect()
    }

    fn penalties_inline(&self) -> String {
        if self.penalties.is_empty() {
            return BLANK.to_string();
        }
        self.penalties.iter().map(penalty_line).collect::<Vec<_>>().join("；")
    }

    fn fine(&self) -> i64 {
        fine_total(&self.penalties)
    }

    fn discretion_text(&self) -> String {
        let d = &self.discretion;
        let level = d.level.map(|l| l.label()).unwrap_or(BLANK);
        let mut s = format!("裁量等级：{level}");
        if d.adjustment != Adjustment::Standard {
            s.push_str(&format!("；{}", d.adjustment.label()));
        }
        if d.serious {
            s.push_str("；情节严重");
        }
        s.push_str(&format!("；裁量理由：{}", or_blank(&d.reasons)));
        if !d.outside_band_reason.trim().is_empty() {
            s.push_str(&format!("；超出裁量基准的理由：{}", d.outside_band_reason.trim()));
        }
        s
    }

    fn statements_text(&self) -> Vec<String> {
        if self.rights_waived {
            return vec!["当事人书面明确放弃陈述、申辩（及听证）权利。".to_string()];
        }
        if self.statements.is_empty() {
            return vec!["当事人在规定期限内未提出陈述、申辩。".to_string()];
        }
        self.statements
            .iter()
            .map(|st| {
                format!(
                    "当事人提出陈述、申辩：{}。经复核，{}：{}。",
                    or_blank(&st.summary).trim_end_matches('。'),
                    st.outcome.map(|o| o.label()).unwrap_or(BLANK),
                    or_blank(&st.handling).trim_end_matches('。')
                )
            })
            .collect()
    }

    fn payment_paragraphs(&self) -> Vec<Block> {
        let fine = self.fine();
        if fine <= 0 {
            return Vec::new();
        }
        let p = &self.payment;
        let mut where_ = format!("到{}", or_blank(&p.bank));
        if !p.account_name.trim().is_empty() || !p.account_number.trim().is_empty() {
            where_.push_str(&format!(
                "（户名：{}；账号：{}）",
                or_blank(&p.account_name),
                or_blank(&p.account_number)
            ));
        }
        let electronic = if p.electronic.trim().is_empty() {
            "通过电子支付系统".to_string()
        } else {
            format!("通过电子支付系统（{}）", p.electronic.trim())
        };
        vec![
            para(format!(
                "当事人应当自收到本决定书之日起十五日内，{where_}或者{electronic}缴纳罚款（{LAW}第六十七条第三款）。"
            )),
            para(format!(
                "到期不缴纳罚款的，本机关将每日按罚款数额的百分之三加处罚款，加处罚款的数额不超出罚款的数额（即不超过{}）（{LAW}第七十二条第一款第一项、{COERCION_LAW}第四十五条），并可依法申请人民法院强制执行（{LAW}第七十二条第一款第四项）。",
                amount_text(fine)
            )),
        ]
    }

    fn relief_paragraph(&self) -> Block {
        para(format!(
            "当事人如不服本决定，可以自收到本决定书之日起六十日内向{}申请行政复议（《中华人民共和国行政复议法》第二十条），也可以自收到本决定书之日起六个月内依法向{}提起行政诉讼（《中华人民共和国行政诉讼法》第四十六条）。申请行政复议或者提起行政诉讼的，行政处罚不停止执行，法律另有规定的除外（{LAW}第七十三条第一款）。",
            or_blank(&self.relief.review_body),
            or_blank(&self.relief.court)
        ))
    }

    fn contact_fields(&self) -> Block {
        Block::Fields {
            fields: vec![
                field("联系人", &self.contact),
                field("联系电话", &self.subject_phone),
                field("联系地址", &self.subject_address),
            ],
        }
    }

    fn seal_signature(&self, date: Option<Date>) -> Block {
        Block::Signature {
            label: "（印章）".into(),
            name: self.seal(),
            date: date_text(date),
        }
    }

    fn opinion_blocks(&self, stages: &[OpinionStage]) -> Vec<Block> {
        stages
            .iter()
            .map(|stage| {
                let o = self.opinions.iter().rev().find(|o| o.stage == *stage);
                Block::Opinion {
                    label: stage.label().to_string(),
                    text: o.map(|o| or_blank(&o.opinion)).unwrap_or_else(|| BLANK.into()),
                    name: o.map(|o| or_blank(&o.name)).unwrap_or_else(|| BLANK.into()),
                    date: date_text(o.and_then(|o| o.date)),
                }
            })
            .collect()
    }

    fn addressee(&self) -> Vec<String> {
        vec![format!("{}：", self.party_name())]
    }
}

impl CaseSheet {
    /// A copy whose free texts (facts, evidence, records, statements, service, closing) have the
    /// party's personal data replaced by the masked forms (`publicity::redact`); the party's own
    /// fields are masked when printed.
    pub fn redacted(&self) -> CaseSheet {
        let Some(party) = self.party.clone() else {
            return self.clone();
        };
        let r = |t: &mut String| *t = super::publicity::redact(t, &party);
        let mut s = self.clone();
        r(&mut s.facts);
        r(&mut s.place);
        for e in &mut s.evidence {
            r(&mut e.title);
            r(&mut e.proves);
        }
        r(&mut s.inspection.person_present);
        r(&mut s.inspection.findings);
        r(&mut s.inquiry.interviewee);
        r(&mut s.inquiry.interviewee_id);
        r(&mut s.inquiry.interviewee_phone);
        for qa in &mut s.inquiry.questions {
            r(&mut qa.question);
            r(&mut qa.answer);
        }
        r(&mut s.correction.requirement);
        for st in &mut s.statements {
            r(&mut st.summary);
            r(&mut st.handling);
        }
        r(&mut s.hearing.agents);
        r(&mut s.hearing.record);
        r(&mut s.service.recipient);
        r(&mut s.service.place);
        r(&mut s.service.received_by);
        r(&mut s.service.note);
        r(&mut s.closing.execution);
        r(&mut s.closing.reason);
        s
    }
}

impl CaseSheet {
    /// The 文号 printed on an issued document of this kind: `document_number`, else the notice's
    /// or the decision's number for those kinds, else empty (a blank).
    pub fn number_of(&self, kind: DocumentKind) -> &str {
        use DocumentKind as D;
        if !self.document_number.trim().is_empty() {
            return &self.document_number;
        }
        match kind {
            D::PriorNotice | D::HearingRightsNotice => &self.notice_number,
            D::PenaltyDecision | D::NoPenaltyDecision | D::OnSpotDecision => &self.decision_number,
            _ => "",
        }
    }
}

/// One penalty with its amount in capitals.
pub fn penalty_line(p: &Penalty) -> String {
    let mut s = p.kind.label().to_string();
    if let Some(a) = p.amount_yuan.filter(|_| p.kind.has_amount()) {
        s.push_str(&amount_text(a));
    }
    if !p.detail.trim().is_empty() {
        s.push_str(&format!("（{}）", p.detail.trim()));
    }
    s
}

// ---------------------------------------------------------------------------------------------
// Composers.

/// Composes a document of a case from its sheet.
pub fn compose(kind: DocumentKind, sheet: &CaseSheet) -> Document {
    use DocumentKind as D;
    let redacted;
    let sheet = if sheet.mask_personal_data {
        redacted = sheet.redacted();
        &redacted
    } else {
        sheet
    };
    let mut doc = Document {
        kind,
        issuer: sheet.issuer(),
        title: kind.label().to_string(),
        number: if kind.is_issued_to_party() {
            or_blank(sheet.number_of(kind))
        } else {
            format!("案号：{}", or_blank(&sheet.case_number))
        },
        heading: Vec::new(),
        blocks: Vec::new(),
        form: matches!(
            kind,
            D::FilingApproval | D::ClosingApproval | D::WithdrawalApproval | D::ServiceReceipt
        ),
    };
    doc.blocks = match kind {
        D::FilingApproval => filing_approval(sheet),
        D::InspectionRecord => inspection_record(sheet),
        D::InquiryRecord => inquiry_record(sheet),
        D::CorrectionOrder => {
            doc.heading = sheet.addressee();
            correction_order(sheet)
        }
        D::PriorNotice => {
            doc.heading = sheet.addressee();
            prior_notice(sheet)
        }
        D::HearingRightsNotice => {
            doc.heading = sheet.addressee();
            hearing_rights_notice(sheet)
        }
        D::HearingNotice => {
            doc.heading = sheet.addressee();
            hearing_notice(sheet)
        }
        D::HearingRecord => hearing_record(sheet),
        D::PenaltyDecision => penalty_decision(sheet),
        D::NoPenaltyDecision => no_penalty_decision(sheet),
        D::OnSpotDecision => on_spot_decision(sheet),
        D::TransferLetter => {
            doc.heading = vec![format!("{}：", or_blank(&sheet.closing.transfer_to))];
            transfer_letter(sheet)
        }
        D::ServiceReceipt => service_receipt(sheet),
        D::Reminder => {
            doc.heading = sheet.addressee();
            reminder(sheet)
        }
        D::CourtApplication => {
            doc.heading = vec![format!("{}：", or_blank(&sheet.closing.enforcement_court))];
            court_application(sheet)
        }
        D::ClosingApproval => closing_approval(sheet),
        D::WithdrawalApproval => withdrawal_approval(sheet),
    };
    doc
}

/// Every document kind composed from one sheet.
pub fn compose_all(sheet: &CaseSheet) -> Vec<Document> {
    DocumentKind::ALL.iter().map(|k| compose(*k, sheet)).collect()
}

fn case_fields(sheet: &CaseSheet) -> Vec<Field> {
    vec![
        field("案由", &sheet.matter_name),
        field("案件来源", &sheet.source),
        field("发现日期", date_text(sheet.dates.discovered)),
        field("违法地点", &sheet.place),
    ]
}

fn filing_approval(s: &CaseSheet) -> Vec<Block> {
    let mut fields = case_fields(s);
    fields.extend(s.party_fields());
    fields.push(field("简要案情", &s.facts));
    fields.push(field("违法依据", &s.violated_basis));
    fields.push(field("承办人", s.officers_text()));
    let mut v = vec![Block::Fields { fields }];
    v.extend(s.opinion_blocks(&[OpinionStage::Handler, OpinionStage::Department, OpinionStage::Approval]));
    v.push(Block::Fields {
        fields: vec![field("立案日期", date_text(s.dates.filed))],
    });
    v.push(note(format!(
        "立案依据：符合立案标准的，行政机关应当及时立案（{LAW}第五十四条第二款）。"
    )));
    v
}

/// `who`: 被检查人 or 被询问人.
fn identity_statement(s: &CaseSheet, who: &str) -> Block {
    para(format!(
        "执法人员{}向{who}出示了执法证件，表明了身份，告知其应当如实回答询问、协助调查或者检查，不得拒绝或者阻挠；认为执法人员与本案有直接利害关系或者有其他关系可能影响公正执法的，有权申请回避（{LAW}第四十三条、第五十五条）。",
        if s.officers.is_empty() {
            format!("{BLANK}、{BLANK}")
        } else {
            s.officer_names()
        }
    ))
}

fn inspection_record(s: &CaseSheet) -> Vec<Block> {
    let i = &s.inspection;
    let mut fields = vec![
        field(
            "检查（勘验）时间",
            format!("{}至{}", datetime_text(i.started), datetime_text(i.ended)),
        ),
        field("检查（勘验）地点", &s.place),
    ];
    fields.extend(s.party_fields());
    fields.push(field("现场负责人（在场人）", &i.person_present));
    fields.push(field("检查（勘验）人及执法证号", s.officers_text()));
    fields.push(field("记录人", &s.recorder));
    fields.push(field("见证人", &i.witness));
    vec![
        Block::Fields { fields },
        identity_statement(s, "被检查人"),
        heading("检查（勘验）情况"),
        para(or_blank(if i.findings.trim().is_empty() { &s.facts } else { &i.findings })),
        note("以上笔录已交当事人（在场人）阅读（已向其宣读），确认无误。当事人拒绝签名的，由执法人员注明情况，并可由见证人签名（《上海市城市管理行政执法条例》第十九条）。".to_string()),
        hand_signature("当事人（在场人）签名"),
        hand_signature("见证人签名"),
        signature(
            "检查（勘验）人签名",
            s.officer_names(),
            s.dates.inspected.or(i.started.map(|d| d.date())),
        ),
        signature("记录人签名", &s.recorder, s.dates.inspected.or(i.started.map(|d| d.date()))),
    ]
}

fn inquiry_record(s: &CaseSheet) -> Vec<Block> {
    let q = &s.inquiry;
    let (who, relation) = if q.interviewee.trim().is_empty() {
        let who = match &s.party {
            Some(p) if p.kind.is_organization() => p.legal_representative.clone().unwrap_or_default(),
            Some(_) => s.party_name(),
            None => String::new(),
        };
        let rel = match &s.party {
            Some(p) if p.kind == PartyKind::LegalPerson => "当事人的法定代表人",
            Some(p) if p.kind.is_organization() => "当事人的负责人",
            Some(_) => "当事人",
            None => "",
        };
        (who, rel.to_string())
    } else {
        (q.interviewee.clone(), q.relation.clone())
    };
    let id = if q.interviewee.trim().is_empty() && s.party.as_ref().is_some_and(|p| !p.kind.is_organization()) {
        s.party_id()
    } else {
        q.interviewee_id.clone()
    };
    let phone = match &s.party {
        Some(p)
            if q.interviewee.trim().is_empty()
                && q.interviewee_phone.trim().is_empty()
                && !p.kind.is_organization() =>
        {
            let phone = p.phone.clone().unwrap_or_default();
            if s.mask_personal_data && !phone.is_empty() {
                crate::clue::mask_phone(&phone)
            } else {
                phone
            }
        }
        _ => q.interviewee_phone.clone(),
    };
    let fields = vec![
        field(
            "询问时间",
            format!("{}至{}", datetime_text(q.started), datetime_text(q.ended)),
        ),
        field("询问地点", &s.place),
        field("询问人及执法证号", s.officers_text()),
        field("记录人", &s.recorder),
        field("被询问人", who),
        field("与本案关系", relation),
        field("证件号码", id),
        field("联系电话", phone),
        field("案由", &s.matter_name),
    ];
    let mut v = vec![
        Block::Fields { fields },
        identity_statement(s, "被询问人"),
        heading("询问记录"),
    ];
    if q.questions.is_empty() {
        v.push(para(format!("问：{BLANK}")));
        v.push(para(format!("答：{BLANK}")));
    } else {
        for qa in &q.questions {
            v.push(para(format!("问：{}", or_blank(&qa.question))));
            v.push(para(format!("答：{}", or_blank(&qa.answer))));
        }
    }
    v.push(note(
        "被询问人阅后（听读后）写明：以上笔录我已看过（已向我宣读），与我所说的相符。".to_string(),
    ));
    v.push(hand_signature("被询问人签名"));
    let day = q.started.map(|d| d.date());
    v.push(signature("询问人签名", s.officer_names(), day));
    v.push(signature("记录人签名", &s.recorder, day));
    v
}

/// "经查，{date}，{facts}。{who}的上述行为违反了{basis}的规定。" — `who` is 你/你单位 in letters,
/// 当事人 in decisions.
fn violation_sentence(s: &CaseSheet, who: &str) -> String {
    format!(
        "经查，{}{}。{}的上述行为违反了{}的规定。",
        if s.dates.discovered.is_some() {
            format!("{}，", date_text(s.dates.discovered))
        } else {
            String::new()
        },
        or_blank(&s.facts).trim_end_matches('。'),
        who,
        or_blank(&s.violated_basis)
    )
}

fn correction_order(s: &CaseSheet) -> Vec<Block> {
    let when = if s.correction.immediately {
        "立即".to_string()
    } else {
        format!("于{}前", date_text(s.dates.correction_deadline))
    };
    vec![
        para(violation_sentence(s, you(s))),
        para(format!(
            "根据{}及{LAW}第二十八条第一款的规定，现责令{}{when}改正上述违法行为。改正要求：{}。",
            or_blank(&s.penalty_basis),
            you(s),
            or_blank(&s.correction.requirement).trim_end_matches('。')
        )),
        para("逾期不改正或者拒不改正的，本机关将依法处理。".to_string()),
        s.contact_fields(),
        s.seal_signature(s.dates.correction_ordered),
        hand_signature("当事人签收"),
    ]
}

fn prior_notice(s: &CaseSheet) -> Vec<Block> {
    let days = s.statement_days.map(|d| d.to_string()).unwrap_or_else(|| "____".into());
    let mut v = vec![
        para(violation_sentence(s, you(s))),
        heading("以上事实有下列证据证明："),
        Block::List {
            items: s.evidence_items(),
        },
        para(format!(
            "依据{}的规定，本机关拟对{}作出如下行政处罚：",
            or_blank(&s.penalty_basis),
            you(s)
        )),
        Block::List {
            items: s.penalty_lines(),
        },
        para(format!(
            "根据{LAW}第四十四条、第四十五条的规定，{}有权进行陈述和申辩。如需陈述、申辩，请自收到本告知书之日起{days}个工作日内向本机关提出；逾期未提出的，视为放弃陈述、申辩的权利。本机关不因{}的陈述、申辩而给予更重的处罚（{LAW}第四十五条第二款）。",
            you(s),
            you(s)
        )),
    ];
    if s.hearing.right {
        v.push(para(format!(
            "根据{LAW}第六十三条、第六十四条的规定，{}有要求举行听证的权利，具体见同时送达的《听证告知书》。",
            you(s)
        )));
    }
    v.push(s.contact_fields());
    v.push(s.seal_signature(s.dates.notice));
    v
}

fn hearing_rights_notice(s: &CaseSheet) -> Vec<Block> {
    vec![
        para(format!(
            "本机关拟对{}作出如下行政处罚：{}。",
            you(s),
            s.penalties_inline()
        )),
        para(format!(
            "根据{LAW}第六十三条、第六十四条的规定，{y}有要求举行听证的权利。如要求听证，应当自本机关告知后五个工作日内（即{}前）向本机关提出；逾期未提出的，视为放弃听证权利。",
            date_text(s.dates.hearing_deadline),
            y = you(s)
        )),
        para(format!(
            "听证由本机关指定的非本案调查人员主持；{y}认为主持人与本案有直接利害关系的，有权申请回避。{y}可以亲自参加听证，也可以委托一至二人代理。除涉及国家秘密、商业秘密或者个人隐私依法予以保密外，听证公开举行。{y}不承担本机关组织听证的费用（{LAW}第六十三条第二款、第六十四条）。",
            y = you(s)
        )),
        s.contact_fields(),
        s.seal_signature(s.dates.notice),
    ]
}

fn hearing_notice(s: &CaseSheet) -> Vec<Block> {
    let h = &s.hearing;
    let public = match h.public {
        Some(true) | None => "公开举行",
        Some(false) => "依法不公开举行（涉及国家秘密、商业秘密或者个人隐私）",
    };
    vec![
        para(format!(
            "根据{}的听证申请，本机关决定于{}在{}就{}一案举行听证，听证{public}。",
            you(s),
            datetime_text(h.time),
            or_blank(&h.place),
            or_blank(&s.matter_name)
        )),
        Block::Fields {
            fields: vec![field("听证主持人", &h.host), field("书记员", &h.clerk)],
        },
        para(format!(
            "{y}可以亲自参加听证，也可以委托一至二人代理；委托代理人的，应当提交授权委托书。{y}认为主持人、书记员与本案有直接利害关系的，有权在听证开始前申请回避。无正当理由拒不出席听证或者未经许可中途退出听证的，视为放弃听证权利，本机关终止听证（{LAW}第六十四条）。",
            y = you(s)
        )),
        note(format!(
            "本通知应当在举行听证的七个工作日前送达（{LAW}第六十四条第二项）。"
        )),
        s.contact_fields(),
        s.seal_signature(s.dates.hearing_notice),
    ]
}

fn hearing_record(s: &CaseSheet) -> Vec<Block> {
    let h = &s.hearing;
    let mut fields = vec![
        field("案由", &s.matter_name),
        field("听证时间", datetime_text(h.time)),
        field("听证地点", &h.place),
        field(
            "听证方式",
            match h.public {
                Some(false) => "不公开",
                _ => "公开",
            },
        ),
        field("主持人", &h.host),
        field("书记员", &h.clerk),
    ];
    fields.extend(s.party_fields());
    fields.push(field("委托代理人", &h.agents));
    fields.push(field("案件调查人员", s.officers_text()));
    vec![
        Block::Fields { fields },
        para("主持人宣布听证纪律，告知当事人的权利义务，询问当事人是否申请回避。".to_string()),
        heading("听证经过"),
        para(format!(
            "案件调查人员提出当事人违法的事实、证据和行政处罚建议：{}；拟处罚：{}。",
            or_blank(&s.facts).trim_end_matches('。'),
            s.penalties_inline()
        )),
        para(or_blank(&h.record)),
        note(format!(
            "笔录交当事人或者其代理人核对无误后签字或者盖章；拒绝签字或者盖章的，由听证主持人在笔录中注明（{LAW}第六十四条第八项）。"
        )),
        hand_signature("当事人（代理人）签名"),
        signature("主持人签名", &h.host, s.dates.hearing),
        signature("书记员签名", &h.clerk, s.dates.hearing),
    ]
}

fn decision_body_common(s: &CaseSheet) -> Vec<Block> {
    let mut v = vec![
        Block::Fields {
            fields: s.party_fields(),
        },
        heading("一、违法事实和证据"),
        para(violation_sentence(s, "当事人")),
        para("以上事实有下列证据证明：".to_string()),
        Block::List {
            items: s.evidence_items(),
        },
        heading("二、告知和陈述申辩情况"),
        para(format!(
            "本机关于{}向当事人送达了《行政处罚事先告知书》（{}），告知了拟作出行政处罚的内容及事实、理由、依据，以及当事人依法享有的陈述、申辩{}权利（{LAW}第四十四条）。",
            date_text(s.dates.notice),
            or_blank(&s.notice_number),
            if s.hearing.right { "和要求听证的" } else { "的" }
        )),
    ];
    v.extend(s.statements_text().into_iter().map(para));
    if s.hearing.right && s.hearing.time.is_some() {
        v.push(para(format!(
            "本机关于{}依法举行了听证（{LAW}第六十四条、第六十五条）。",
            datetime_text(s.hearing.time)
        )));
    }
    v
}

fn penalty_decision(s: &CaseSheet) -> Vec<Block> {
    let mut v = decision_body_common(s);
    v.push(heading("三、处罚依据和裁量"));
    v.push(para(format!(
        "本机关认为，当事人的上述行为违反了{}的规定，事实清楚，证据确凿。依据{}的规定，综合考虑{}（{}），决定给予当事人如下行政处罚：",
        or_blank(&s.violated_basis),
        or_blank(&s.penalty_basis),
        or_blank(&s.discretion.reasons).trim_end_matches('。'),
        s.discretion
            .level
            .map(|l| format!("裁量等级：{}", l.label()))
            .unwrap_or_else(|| format!("裁量等级：{BLANK}"))
    )));
    v.push(Block::List {
        items: s.penalty_lines(),
    });
    v.push(heading("四、履行方式和期限"));
    let payments = s.payment_paragraphs();
    let others_to_perform = s
        .penalties
        .iter()
        .any(|p| p.kind.requires_performance() && p.kind != PenaltyKind::Fine);
    if payments.is_empty() && !others_to_perform {
        v.push(para("本决定自送达之日起生效。".to_string()));
    }
    v.extend(payments);
    if others_to_perform {
        v.push(para(format!(
            "当事人应当在本决定书载明的期限内履行上述决定（{LAW}第六十六条第一款）；逾期不履行的，本机关将依法催告并申请人民法院强制执行或者依法强制执行。"
        )));
    }
    v.push(heading("五、救济途径和期限"));
    v.push(s.relief_paragraph());
    v.push(s.seal_signature(s.dates.decision));
    v
}

fn no_penalty_decision(s: &CaseSheet) -> Vec<Block> {
    let mut v = decision_body_common(s);
    let ground = s.no_penalty_ground;
    let article = match ground {
        Some(NoPenaltyGround::MinorCorrected | NoPenaltyGround::FirstOffence) => format!("{LAW}第三十三条第一款"),
        Some(NoPenaltyGround::NoFault) => format!("{LAW}第三十三条第二款"),
        Some(NoPenaltyGround::NotEstablished) => format!("{LAW}第五十七条第一款第三项"),
        Some(NoPenaltyGround::TimeBarred) => format!("{LAW}第三十六条"),
        Some(NoPenaltyGround::Incapacity) => format!("{LAW}第三十条、第三十一条"),
        None => BLANK.to_string(),
    };
    v.push(heading("三、处理决定"));
    v.push(para(format!(
        "本机关认为，当事人的情形属于{}，依据{article}的规定，决定对当事人不予行政处罚。",
        ground.map(|g| g.label()).unwrap_or(BLANK)
    )));
    if matches!(
        ground,
        Some(NoPenaltyGround::MinorCorrected | NoPenaltyGround::FirstOffence)
    ) {
        v.push(para(format!(
            "对当事人不予行政处罚的，本机关已对当事人进行教育（{LAW}第三十三条第三款）。"
        )));
    }
    v.push(heading("四、救济途径和期限"));
    v.push(s.relief_paragraph());
    v.push(s.seal_signature(s.dates.decision));
    v
}

fn on_spot_decision(s: &CaseSheet) -> Vec<Block> {
    let mut fields = s.party_fields();
    fields.push(field("违法时间", date_text(s.dates.discovered.or(s.dates.decision))));
    fields.push(field("违法地点", &s.place));
    let mut v = vec![
        Block::Fields { fields },
        para(format!(
            "当事人{}，违反了{}的规定。依据{}及{LAW}第五十一条的规定，当场作出如下行政处罚：{}。",
            or_blank(&s.facts).trim_end_matches('。'),
            or_blank(&s.violated_basis),
            or_blank(&s.penalty_basis),
            s.penalties_inline()
        )),
    ];
    v.extend(s.payment_paragraphs());
    v.push(s.relief_paragraph());
    v.push(note(format!(
        "执法人员当场作出行政处罚决定，已出示执法证件；本决定书当场交付当事人，当事人拒绝签收的在此注明；本决定报所属行政机关备案（{LAW}第五十二条）。执法人员：{}。",
        s.officers_text()
    )));
    v.push(hand_signature("当事人签收"));
    v.push(signature("执法人员签名", s.officer_names(), s.dates.decision));
    v.push(s.seal_signature(s.dates.decision));
    v
}

fn transfer_letter(s: &CaseSheet) -> Vec<Block> {
    vec![
        para(format!(
            "本机关在查处{}（当事人：{}）{}一案中，发现当事人的行为涉嫌犯罪：{}。",
            or_blank(&s.place),
            s.party_name(),
            or_blank(&s.matter_name),
            or_blank(&s.closing.reason).trim_end_matches('。')
        )),
        para(format!(
            "根据{LAW}第二十七条第一款和《行政执法机关移送涉嫌犯罪案件的规定》的规定，现将该案移送你单位依法处理。"
        )),
        heading("附：案件材料"),
        s.evidence_table(),
        s.seal_signature(s.dates.decision),
    ]
}

fn service_receipt(s: &CaseSheet) -> Vec<Block> {
    let sv = &s.service;
    let recipient = if sv.recipient.trim().is_empty() {
        s.party_name()
    } else {
        sv.recipient.clone()
    };
    let rows = if sv.documents.is_empty() {
        vec![vec![BLANK.to_string(), BLANK.to_string()]]
    } else {
        sv.documents
            .iter()
            .map(|(n, no)| vec![or_blank(n), or_blank(no)])
            .collect()
    };
    let method = sv.method.map(|m| m.label()).unwrap_or("");
    let mut v = vec![
        Block::Fields {
            fields: vec![
                field("案由", &s.matter_name),
                field("受送达人", recipient),
                field("送达地点", &sv.place),
                field("送达方式", method),
                field("送达人", sv.servers.join("、")),
            ],
        },
        Block::Table {
            head: vec!["送达文书名称".into(), "文号".into()],
            rows,
        },
        hand_signature("受送达人签名（盖章）"),
        Block::Fields {
            fields: vec![field("代收人及代收理由", &sv.received_by), field("见证人", &sv.witness)],
        },
        signature("送达人签名", sv.servers.join("、"), s.dates.service),
    ];
    let legal = match sv.method {
        Some(ServiceMethod::Lodging) => Some(
            "受送达人拒绝接收的，送达人可以邀请有关基层组织或者所在单位的代表到场，说明情况，在送达回证上记明拒收事由和日期，由送达人、见证人签名或者盖章，把文书留在受送达人的住所；也可以把文书留在受送达人的住所，并采用拍照、录像等方式记录送达过程（《中华人民共和国民事诉讼法》第八十九条）。",
        ),
        Some(ServiceMethod::Mail) => {
            Some("邮寄送达的，以回执上注明的收件日期为送达日期（《中华人民共和国民事诉讼法》第九十一条）。")
        }
        Some(ServiceMethod::Announcement) => {
            Some("公告送达的，自公告发布之日起经过六十日，即视为送达（《上海市城市管理行政执法条例》第二十五条）。")
        }
        Some(ServiceMethod::Electronic) => Some(
            "经当事人同意并签订确认书，采用传真、电子邮件等方式送达（《中华人民共和国行政处罚法》第六十一条第二款）。",
        ),
        Some(ServiceMethod::Direct) | None => None,
    };
    if let Some(t) = legal {
        v.push(note(t));
    }
    if !sv.note.trim().is_empty() {
        v.push(note(format!("备注：{}", sv.note.trim())));
    }
    v
}

fn reminder(s: &CaseSheet) -> Vec<Block> {
    let fine = s.fine();
    let mut v = vec![para(format!(
        "本机关于{}对{}作出《行政处罚决定书》（{}），决定：{}。该决定书已于{}送达，{}至今未履行。",
        date_text(s.dates.decision),
        you(s),
        or_blank(&s.decision_number),
        s.penalties_inline(),
        date_text(s.dates.service),
        you(s)
    ))];
    if fine > 0 {
        let surcharge = s
            .closing
            .surcharge_yuan
            .map(amount_text)
            .unwrap_or_else(|| BLANK.to_string());
        v.push(para(format!(
            "依据{LAW}第七十二条第一款第一项的规定，到期不缴纳罚款的，每日按罚款数额的百分之三加处罚款，加处罚款的数额不超出罚款的数额（{}）。截至本催告书发出之日，加处罚款为{surcharge}。",
            amount_text(fine)
        )));
    }
    v.push(para(format!(
        "根据{COERCION_LAW}第三十五条、第五十四条的规定，现催告{y}自收到本催告书之日起十个工作日内履行上述义务。{y}有权进行陈述和申辩（{COERCION_LAW}第三十六条）。逾期仍不履行的，本机关将依法申请人民法院强制执行。",
        y = you(s)
    )));
    v.push(s.contact_fields());
    v.push(s.seal_signature(s.dates.reminder));
    v
}

fn court_application(s: &CaseSheet) -> Vec<Block> {
    let mut fields = vec![field("申请人", s.issuer()), field("申请人地址", &s.subject_address)];
    let mut party = s.party_fields();
    if let Some(f) = party.first_mut() {
        f.label = "被申请人".into();
    }
    fields.extend(party);
    vec![
        Block::Fields { fields },
        para(format!(
            "申请事项：请求人民法院强制执行本机关作出的《行政处罚决定书》（{}）：{}{}。",
            or_blank(&s.decision_number),
            s.penalties_inline(),
            s.closing
                .surcharge_yuan
                .map(|a| format!("，及加处罚款{}", amount_text(a)))
                .unwrap_or_default()
        )),
        para(format!(
            "事实和理由：本机关于{}作出上述决定，于{}送达被申请人；被申请人在法定期限内未申请行政复议或者提起行政诉讼，又不履行。本机关于{}送达催告书，催告期满十个工作日后仍未履行。根据{LAW}第七十二条第一款第四项、{COERCION_LAW}第五十三条、第五十四条的规定，特申请强制执行。",
            date_text(s.dates.decision),
            date_text(s.dates.service),
            date_text(s.dates.reminder)
        )),
        note(format!(
            "申请期限：自被申请人的法定起诉期限届满之日起三个月内（{COERCION_LAW}第五十三条）。所附材料：行政处罚决定书及作出决定的事实、理由和依据，当事人的意见及催告情况，申请强制执行标的情况（{COERCION_LAW}第五十五条）。"
        )),
        s.seal_signature(s.dates.closing),
    ]
}

fn closing_approval(s: &CaseSheet) -> Vec<Block> {
    let mut fields = vec![
        field("案由", &s.matter_name),
        field("立案日期", date_text(s.dates.filed)),
    ];
    fields.extend(s.party_fields());
    let outcome = match s.decision_kind {
        Some(DecisionKind::Penalty) => s.penalties_inline(),
        Some(DecisionKind::NoPenalty) => format!(
            "不予行政处罚（{}）",
            s.no_penalty_ground.map(|g| g.label()).unwrap_or(BLANK)
        ),
        Some(DecisionKind::TransferJudicial) => format!("移送{}", or_blank(&s.closing.transfer_to)),
        None => BLANK.to_string(),
    };
    fields.push(field("处理决定", outcome));
    if s.decision_kind == Some(DecisionKind::Penalty) {
        fields.push(field("裁量情况", s.discretion_text()));
    }
    fields.push(field("决定书文号", &s.decision_number));
    fields.push(field("决定日期", date_text(s.dates.decision)));
    fields.push(field("送达日期", date_text(s.dates.service)));
    fields.push(field("执行情况", &s.closing.execution));
    fields.push(field("结案情形", s.closing.ground.map(|g| g.label()).unwrap_or("")));
    fields.push(field("结案理由", &s.closing.reason));
    fields.push(field("承办人", s.officers_text()));
    let mut v = vec![Block::Fields { fields }];
    v.extend(s.opinion_blocks(&[OpinionStage::Handler, OpinionStage::Department, OpinionStage::Approval]));
    v.push(Block::Fields {
        fields: vec![field("结案日期", date_text(s.dates.closing))],
    });
    v.push(note(format!("执法全过程记录归档保存（{LAW}第四十七条）。")));
    v
}

fn withdrawal_approval(s: &CaseSheet) -> Vec<Block> {
    let mut fields = vec![
        field("案由", &s.matter_name),
        field("立案日期", date_text(s.dates.filed)),
    ];
    fields.extend(s.party_fields());
    fields.push(field("简要案情", &s.facts));
    fields.push(field("撤销立案理由", &s.closing.reason));
    fields.push(field("承办人", s.officers_text()));
    let mut v = vec![Block::Fields { fields }];
    v.extend(s.opinion_blocks(&[OpinionStage::Handler, OpinionStage::Department, OpinionStage::Approval]));
    v
}

pub(super) fn code_tables() -> Vec<CodeTable> {
    vec![CodeTable::of::<StatementOutcome>(), CodeTable::of::<OpinionStage>()]
}

/// A complete sample sheet (a citizen's illegal structure in 天山路街道), for tests, the demo and
/// previews.
pub fn sample_sheet() -> CaseSheet {
    let d = |y, m, day| Some(jiff::civil::date(y, m, day));
    let officers = vec![
        Officer::new("王强", Some("31010520001")),
        Officer::new("李敏", Some("31010520002")),
    ];
    CaseSheet {
        subject_name: "上海市长宁区天山路街道办事处".into(),
        seal_text: "上海市长宁区天山路街道办事处".into(),
        subject_address: "上海市长宁区天山路某号".into(),
        subject_phone: "021-00000000".into(),
        contact: "王强".into(),
        case_number: "长宁天山罚字〔2026〕第0001号".into(),
        document_number: String::new(),
        source: "巡查发现".into(),
        party: Some(
            Party::citizen("张三丰", "11010519491231002X", "上海市长宁区天山路100弄5号")
                .expect("the sample party is valid")
                .with_phone("13800001234"),
        ),
        mask_personal_data: false,
        matter_name: "擅自占用物业共用部分".into(),
        violated_basis: "《上海市住宅物业管理规定》第五十六条第二款第四项".into(),
        penalty_basis: "《上海市住宅物业管理规定》第八十五条".into(),
        facts: "当事人在天山路100弄5号楼一层公共走道搭建储物间，占用物业共用部分约6平方米".into(),
        evidence: vec![
            SheetEvidence {
                evidence_type: Some(EvidenceType::AudioVisual),
                title: "现场照片（6张）".into(),
                proves: "储物间的位置和面积".into(),
            },
            SheetEvidence {
                evidence_type: Some(EvidenceType::InspectionRecord),
                title: "现场检查笔录".into(),
                proves: "现场情况".into(),
            },
            SheetEvidence {
                evidence_type: Some(EvidenceType::PartyStatement),
                title: "对张三丰的询问笔录".into(),
                proves: "搭建人及搭建时间".into(),
            },
        ],
        officers,
        recorder: "李敏".into(),
        place: "上海市长宁区天山路100弄5号".into(),
        dates: SheetDates {
            discovered: d(2026, 3, 2),
            filed: d(2026, 3, 3),
            inspected: d(2026, 3, 2),
            correction_ordered: d(2026, 3, 3),
            correction_deadline: d(2026, 3, 13),
            notice: d(2026, 3, 20),
            hearing_deadline: d(2026, 3, 27),
            hearing_notice: None,
            hearing: None,
            decision: d(2026, 4, 8),
            service: d(2026, 4, 9),
            reminder: None,
            closing: d(2026, 4, 30),
        },
        inspection: SheetInspection {
            started: Some(jiff::civil::datetime(2026, 3, 2, 9, 30, 0, 0)),
            ended: Some(jiff::civil::datetime(2026, 3, 2, 10, 5, 0, 0)),
            person_present: "张三丰".into(),
            witness: "居委会干部赵某".into(),
            findings: "5号楼一层公共走道东侧有一砖砌储物间，长约3米、宽约2米，门锁闭。".into(),
        },
        inquiry: SheetInquiry {
            started: Some(jiff::civil::datetime(2026, 3, 5, 14, 0, 0, 0)),
            ended: Some(jiff::civil::datetime(2026, 3, 5, 14, 40, 0, 0)),
            questions: vec![
                QuestionAnswer {
                    question: "一层走道里的储物间是谁搭建的？".into(),
                    answer: "是我去年十月找人搭的。".into(),
                },
                QuestionAnswer {
                    question: "搭建前是否取得业主大会同意？".into(),
                    answer: "没有。".into(),
                },
            ],
            ..SheetInquiry::default()
        },
        correction: SheetCorrection {
            requirement: "自行拆除储物间，恢复公共走道原状".into(),
            immediately: false,
        },
        penalties: vec![Penalty::fine(1500)],
        discretion: Discretion {
            level: Some(crate::matter::DiscretionLevel::Ordinary),
            reasons: "占用面积较小、逾期未改正".into(),
            ..Discretion::default()
        },
        statement_days: Some(5),
        statements: vec![SheetStatement {
            summary: "储物间只放杂物，不影响通行".into(),
            outcome: Some(StatementOutcome::Rejected),
            handling: "现场照片显示走道宽度被占用近半，陈述与事实不符".into(),
        }],
        rights_waived: false,
        hearing: SheetHearing::default(),
        notice_number: "长宁天山告字〔2026〕第0001号".into(),
        decision_number: "长宁天山罚字〔2026〕第0001号".into(),
        decision_kind: Some(DecisionKind::Penalty),
        no_penalty_ground: None,
        payment: SheetPayment {
            bank: "指定代收银行".into(),
            ..SheetPayment::default()
        },
        relief: SheetRelief {
            review_body: CHANGNING_REVIEW_BODY.into(),
            court: String::new(),
        },
        service: SheetService {
            method: Some(ServiceMethod::Direct),
            place: "上海市长宁区天山路100弄5号".into(),
            servers: vec!["王强".into(), "李敏".into()],
            documents: vec![("行政处罚决定书".into(), "长宁天山罚字〔2026〕第0001号".into())],
            ..SheetService::default()
        },
        closing: SheetClosing {
            ground: Some(ClosingGround::Performed),
            execution: "当事人已于2026年4月20日缴纳罚款".into(),
            reason: "处罚决定已执行完毕".into(),
            ..SheetClosing::default()
        },
        opinions: vec![
            SheetOpinion {
                stage: OpinionStage::Handler,
                opinion: "建议立案调查".into(),
                name: "王强".into(),
                date: d(2026, 3, 3),
            },
            SheetOpinion {
                stage: OpinionStage::Approval,
                opinion: "同意立案".into(),
                name: "陈队长".into(),
                date: d(2026, 3, 3),
            },
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capitals_follow_the_bill_rules() {
        let cases = [
            (0, "零元整"),
            (1, "壹元整"),
            (10, "壹拾元整"),
            (105, "壹佰零伍元整"),
            (1500, "壹仟伍佰元整"),
            (1005, "壹仟零伍元整"),
            (5000, "伍仟元整"),
            (50_000, "伍万元整"),
            (100_001, "壹拾万零壹元整"),
            (100_000, "壹拾万元整"),
            (101_000, "壹拾万壹仟元整"),
            (107_000, "壹拾万柒仟元整"),
            (10_101_000, "壹仟零壹拾万壹仟元整"),
            (200_000, "贰拾万元整"),
            (1_000_000, "壹佰万元整"),
            (1_010_000, "壹佰零壹万元整"),
            (10_001_000, "壹仟万壹仟元整"),
            (10_000_100, "壹仟万零壹佰元整"),
            (100_000_000, "壹亿元整"),
            (100_010_000, "壹亿零壹万元整"),
            (123_456_789, "壹亿贰仟叁佰肆拾伍万陆仟柒佰捌拾玖元整"),
            (1_000_000_000_000, "壹万亿元整"),
        ];
        for (yuan, text) in cases {
            assert_eq!(yuan_in_capitals(yuan), text, "{yuan}");
        }
        assert_eq!(fen_in_capitals(150_005), "壹仟伍佰元零伍分");
        assert_eq!(fen_in_capitals(150_050), "壹仟伍佰元伍角整");
        assert_eq!(fen_in_capitals(150_056), "壹仟伍佰元伍角陆分");
        assert_eq!(fen_in_capitals(50), "伍角整");
        assert_eq!(fen_in_capitals(5), "伍分");
        assert_eq!(fen_in_capitals(-150_000), "负壹仟伍佰元整");
        assert_eq!(yuan_with_separators(1_234_567), "1,234,567");
        assert_eq!(yuan_with_separators(500), "500");
        assert_eq!(amount_text(1500), "人民币壹仟伍佰元整（¥1,500）");
    }

    #[test]
    fn every_kind_composes_with_its_title_and_number() {
        let s = sample_sheet();
        for kind in DocumentKind::ALL {
            let d = compose(*kind, &s);
            assert_eq!(d.kind, *kind);
            assert_eq!(d.title, kind.label());
            assert_eq!(d.issuer, "上海市长宁区天山路街道办事处");
            assert!(!d.blocks.is_empty(), "{kind:?} has no body");
            if kind.is_issued_to_party() {
                let want = match kind {
                    DocumentKind::PriorNotice | DocumentKind::HearingRightsNotice => "长宁天山告字〔2026〕第0001号",
                    DocumentKind::PenaltyDecision | DocumentKind::NoPenaltyDecision | DocumentKind::OnSpotDecision => {
                        "长宁天山罚字〔2026〕第0001号"
                    }
                    _ => BLANK,
                };
                assert_eq!(d.number, want, "{kind:?}");
                let mut own = s.clone();
                own.document_number = "长宁天山催字〔2026〕第0002号".into();
                assert_eq!(compose(*kind, &own).number, "长宁天山催字〔2026〕第0002号");
            } else {
                assert_eq!(d.number, "案号：长宁天山罚字〔2026〕第0001号");
            }
        }
        assert_eq!(compose_all(&s).len(), DocumentKind::ALL.len());
    }

    #[test]
    fn the_decision_states_payment_surcharge_cap_and_relief_periods() {
        let s = sample_sheet();
        let t = compose(DocumentKind::PenaltyDecision, &s).text();
        assert!(t.contains("罚款人民币壹仟伍佰元整（¥1,500）"), "{t}");
        assert!(t.contains("自收到本决定书之日起十五日内"), "{t}");
        assert!(t.contains("第六十七条第三款"));
        assert!(t.contains("每日按罚款数额的百分之三加处罚款，加处罚款的数额不超出罚款的数额"));
        assert!(t.contains("不超过人民币壹仟伍佰元整"));
        assert!(t.contains("第七十二条第一款第一项"));
        assert!(t.contains("《中华人民共和国行政强制法》第四十五条"));
        assert!(t.contains("六十日内向上海市长宁区人民政府申请行政复议（《中华人民共和国行政复议法》第二十条）"));
        assert!(t.contains("六个月内依法向________提起行政诉讼（《中华人民共和国行政诉讼法》第四十六条）"));
        assert!(t.contains("不停止执行"));
        assert!(t.contains("当事人的上述行为违反了《上海市住宅物业管理规定》第五十六条第二款第四项的规定"));
        assert!(!t.contains("你的"), "a decision speaks of 当事人");
        assert!(t.contains("张三丰"), "the party's own copy is not masked");
        assert!(t.contains("11010519491231002X"));
        assert!(t.contains("不予采纳"));
        assert!(t.contains("裁量等级：一般"));
        assert!(t.contains("（印章）：上海市长宁区天山路街道办事处 2026年4月8日"));
        // A warning alone has nothing to pay.
        let mut w = s.clone();
        w.penalties = vec![Penalty::warning()];
        let t = compose(DocumentKind::PenaltyDecision, &w).text();
        assert!(!t.contains("百分之三"));
        assert!(t.contains("本决定自送达之日起生效"));
        assert!(t.contains("六十日内"));
    }

    #[test]
    fn missing_data_is_a_blank_never_invented() {
        let empty = CaseSheet::default();
        for kind in DocumentKind::ALL {
            let d = compose(*kind, &empty);
            let t = d.text();
            assert!(t.contains(BLANK), "{kind:?}: {t}");
            assert!(!t.contains("天山路"), "{kind:?} invented a place");
        }
        let t = compose(DocumentKind::PenaltyDecision, &empty).text();
        assert!(t.contains(&format!("六十日内向{BLANK}申请行政复议")));
        assert!(t.contains(BLANK_DATE));
        let n = compose(DocumentKind::PriorNotice, &empty).text();
        assert!(n.contains("收到本告知书之日起____个工作日内"), "{n}");
        assert!(n.contains("你（单位）"));
    }

    #[test]
    fn masking_hides_a_citizens_data_but_not_an_organisations() {
        let mut s = sample_sheet();
        s.mask_personal_data = true;
        let t = compose(DocumentKind::PenaltyDecision, &s).text();
        assert!(t.contains("张**"), "{t}");
        assert!(t.contains("110105********002X"));
        assert!(t.contains("上海市长宁区****"));
        assert!(t.contains("138****1234"), "{t}");
        assert!(!t.contains("张三丰"));
        assert!(!t.contains("11010519491231002X"));
        s.party = Some(
            Party::organization(
                PartyKind::LegalPerson,
                "上海某某餐饮有限公司",
                "91350100M000100Y43",
                "李四",
                "上海市长宁区仙霞路1号",
            )
            .unwrap(),
        );
        let t = compose(DocumentKind::PenaltyDecision, &s).text();
        assert!(t.contains("上海某某餐饮有限公司"));
        assert!(t.contains("91350100M000100Y43"));
        assert!(t.contains("法定代表人：李**"), "{t}");
        assert!(t.contains("上海市长宁区仙霞路1号"));
    }

    #[test]
    fn notices_state_the_rights_with_their_periods() {
        let mut s = sample_sheet();
        let t = compose(DocumentKind::PriorNotice, &s).text();
        assert!(t.contains("第四十四条、第四十五条"));
        assert!(t.contains("你的上述行为违反了"), "a letter speaks to the party");
        assert!(t.contains("自收到本告知书之日起5个工作日内"));
        assert!(!t.contains("听证告知书"), "no hearing right, no mention");
        s.hearing.right = true;
        let t = compose(DocumentKind::PriorNotice, &s).text();
        assert!(t.contains("《听证告知书》"));
        let h = compose(DocumentKind::HearingRightsNotice, &s).text();
        assert!(h.contains("五个工作日内（即2026年3月27日前）"), "{h}");
        assert!(h.contains("一至二人代理"));
        assert!(h.contains("第六十三条第二款"));
        let c = compose(DocumentKind::CorrectionOrder, &s).text();
        assert!(c.contains("于2026年3月13日前改正"), "{c}");
        assert!(c.contains("第二十八条第一款"));
    }

    #[test]
    fn forms_and_records_carry_their_fields_and_signatures() {
        let s = sample_sheet();
        let f = compose(DocumentKind::FilingApproval, &s);
        assert!(f.form);
        let t = f.text();
        assert!(t.contains("案由：擅自占用物业共用部分"));
        assert!(t.contains("王强（执法证号31010520001）、李敏（执法证号31010520002）"));
        assert!(t.contains("审批意见：同意立案 陈队长 2026年3月3日"), "{t}");
        assert!(
            t.contains(&format!("审核意见：{BLANK} {BLANK} {BLANK_DATE}")),
            "an unsigned box is blank"
        );
        let r = compose(DocumentKind::ServiceReceipt, &s).text();
        assert!(r.contains("送达方式：直接送达"));
        assert!(r.contains("行政处罚决定书 | 长宁天山罚字〔2026〕第0001号"));
        let q = compose(DocumentKind::InquiryRecord, &s).text();
        assert!(q.contains("问：一层走道里的储物间是谁搭建的？"));
        assert!(q.contains("第四十三条、第五十五条"));
        assert!(q.contains("被询问人：张三丰"));
        assert!(
            q.contains("联系电话：13800001234"),
            "the party's phone when it is questioned"
        );
        assert!(q.contains("向被询问人出示了执法证件"));
        let i = compose(DocumentKind::InspectionRecord, &s).text();
        assert!(i.contains("2026年3月2日09时30分至2026年3月2日10时05分"), "{i}");
        let c = compose(DocumentKind::ClosingApproval, &s).text();
        assert!(c.contains("结案情形：执行完毕"));
        assert!(
            c.contains("裁量情况：裁量等级：一般；裁量理由：占用面积较小、逾期未改正"),
            "{c}"
        );
        assert!(!compose(DocumentKind::PriorNotice, &s).form);
    }

    #[test]
    fn the_fingerprint_changes_with_the_content() {
        let s = sample_sheet();
        let a = compose(DocumentKind::PenaltyDecision, &s);
        assert_eq!(
            a.fingerprint(),
            compose(DocumentKind::PenaltyDecision, &s).fingerprint()
        );
        assert_eq!(a.fingerprint().len(), 64);
        let mut s2 = s.clone();
        s2.penalties = vec![Penalty::fine(1600)];
        assert_ne!(
            a.fingerprint(),
            compose(DocumentKind::PenaltyDecision, &s2).fingerprint()
        );
        let json = serde_json::to_string(&a).unwrap();
        let back: Document = serde_json::from_str(&json).unwrap();
        assert_eq!(back, a);
        let sheet_json = serde_json::to_string(&s).unwrap();
        assert_eq!(serde_json::from_str::<CaseSheet>(&sheet_json).unwrap(), s);
    }
}
