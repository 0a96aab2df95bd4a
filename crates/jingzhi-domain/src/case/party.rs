//! 当事人 (parties): who a case is against — a natural person (公民) or an organisation (法人,
//! 其他组织) — with the identity document checked by kind, and the masked forms shown in public
//! decision notices (公示).

use super::ids::{ResidentId, Uscc};
use crate::coded::CodeTable;
use crate::matter::PartyType;
use serde::{Deserialize, Serialize};
use std::fmt;

crate::coded_enum! {
    /// 当事人类别 (行政处罚法 第四条: 公民、法人或者其他组织).
    pub enum PartyKind {
        /// 公民: a natural person (foreigners are handled the same way, 第八十四条). A 个体工商户 is
        /// recorded as its operator, a 公民.
        Citizen = ("citizen", "公民"),
        /// 法人: a company, public institution, social organisation… with a credit code.
        LegalPerson = ("legal_person", "法人"),
        /// 其他组织: a non-legal-person organisation (分公司, 合伙企业, 筹建处…).
        OtherOrganization = ("other_organization", "其他组织"),
    }
}

impl PartyKind {
    /// The party type that selects fine ranges, thresholds and discretion bands.
    pub fn party_type(self) -> PartyType {
        match self {
            PartyKind::Citizen => PartyType::Person,
            PartyKind::LegalPerson | PartyKind::OtherOrganization => PartyType::Org,
        }
    }

    pub fn is_organization(self) -> bool {
        self != PartyKind::Citizen
    }

    /// The identity documents a party of this kind may be identified by; the first is the default.
    pub fn id_types(self) -> &'static [IdType] {
        match self {
            PartyKind::Citizen => &[
                IdType::ResidentId,
                IdType::HkMacaoPermit,
                IdType::TaiwanPermit,
                IdType::ForeignPermanentResidence,
                IdType::Passport,
                IdType::OtherId,
            ],
            PartyKind::LegalPerson => &[IdType::Uscc],
            PartyKind::OtherOrganization => &[IdType::Uscc, IdType::OtherId],
        }
    }
}

crate::coded_enum! {
    /// 证件类型 — the document a party is identified by.
    pub enum IdType {
        /// 居民身份证 (GB 11643 number, checked).
        ResidentId = ("resident_id", "居民身份证"),
        /// 统一社会信用代码 (GB 32100 code, checked).
        Uscc = ("uscc", "统一社会信用代码"),
        HkMacaoPermit = ("hk_macao_permit", "港澳居民来往内地通行证"),
        TaiwanPermit = ("taiwan_permit", "台湾居民来往大陆通行证"),
        ForeignPermanentResidence = ("foreign_permanent_residence", "外国人永久居留身份证"),
        Passport = ("passport", "护照"),
        /// 其他证件 (an organisation without a credit code, a document not listed).
        OtherId = ("other_id", "其他证件"),
    }
}

/// 当事人 — a party as recorded on a case. Build it, then call [`Party::validated`] (or use
/// [`Party::citizen`] / [`Party::organization`]), which trims, normalises the identity number and
/// reports every problem at once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Party {
    pub kind: PartyKind,
    /// 姓名 or 名称.
    pub name: String,
    pub id_type: IdType,
    /// The number of `id_type` (normalised: upper case, no spaces).
    pub id_number: String,
    /// 法定代表人 (法人) or 负责人 (其他组织); required for organisations, `None` for citizens.
    pub legal_representative: Option<String>,
    /// 住所/地址 (printed on every document, 第五十九条).
    pub address: String,
    pub phone: Option<String>,
}

/// Every problem of a party record, each a Chinese sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartyError {
    pub messages: Vec<String>,
}

impl fmt::Display for PartyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.messages.join("；"))
    }
}

impl std::error::Error for PartyError {}

impl Party {
    /// A citizen identified by a resident identity card.
    pub fn citizen(name: &str, resident_id: &str, address: &str) -> Result<Party, PartyError> {
        Party {
            kind: PartyKind::Citizen,
            name: name.into(),
            id_type: IdType::ResidentId,
            id_number: resident_id.into(),
            legal_representative: None,
            address: address.into(),
            phone: None,
        }
        .validated()
    }

    /// A 法人 or 其他组织 identified by its unified social credit code.
    pub fn organization(
        kind: PartyKind,
        name: &str,
        uscc: &str,
        legal_representative: &str,
        address: &str,
    ) -> Result<Party, PartyError> {
        Party {
            kind,
            name: name.into(),
            id_type: IdType::Uscc,
            id_number: uscc.into(),
            legal_representative: Some(legal_representative.into()),
            address: address.into(),
            phone: None,
        }
        .validated()
    }

    /// Sets the phone number (validated by [`Party::validated`]).
    pub fn with_phone(mut self, phone: &str) -> Party {
        self.phone = Some(phone.into());
        self
    }

    /// Trims the fields, normalises the identity number and checks the record against its kind.
    pub fn validated(mut self) -> Result<Party, PartyError> {
        let mut m = Vec::new();
        self.name = self.name.trim().to_string();
        self.address = self.address.trim().to_string();
        self.legal_representative = self
            .legal_representative
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty());
        self.phone = self.phone.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
        let who = if self.kind.is_organization() {
            "名称"
        } else {
            "姓名"
        };
        if self.name.is_empty() {
            m.push(format!("当事人{who}不能为空"));
        }
        if self.address.is_empty() {
            m.push("当事人地址不能为空".to_string());
        }
        if !self.kind.id_types().contains(&self.id_type) {
            m.push(format!("{}当事人不能使用{}", self.kind.label(), self.id_type.label()));
        }
        match self.id_type {
            IdType::ResidentId => match ResidentId::parse(&self.id_number) {
                Ok(id) => self.id_number = id.as_str().to_string(),
                Err(e) => m.push(e.to_string()),
            },
            IdType::Uscc => match Uscc::parse(&self.id_number) {
                Ok(u) => self.id_number = u.as_str().to_string(),
                Err(e) => m.push(e.to_string()),
            },
            _ => {
                self.id_number = self.id_number.trim().to_uppercase();
                if self.id_number.is_empty() {
                    m.push(format!("{}号码不能为空", self.id_type.label()));
                }
            }
        }
        match (self.kind, &self.legal_representative) {
            (PartyKind::LegalPerson, None) => m.push("法人当事人须填写法定代表人".to_string()),
            (PartyKind::OtherOrganization, None) => m.push("其他组织当事人须填写负责人".to_string()),
            (PartyKind::Citizen, Some(_)) => m.push("公民当事人不填写法定代表人".to_string()),
            _ => {}
        }
        if let Some(p) = &self.phone {
            let digits = p.chars().filter(char::is_ascii_digit).count();
            if !p.chars().all(|c| c.is_ascii_digit() || matches!(c, '-' | '+' | ' ')) || !(7..=15).contains(&digits) {
                m.push(format!("联系电话格式不正确：{p}"));
            }
        }
        if m.is_empty() {
            Ok(self)
        } else {
            Err(PartyError { messages: m })
        }
    }

    pub fn party_type(&self) -> PartyType {
        self.kind.party_type()
    }

    /// The name as published: a citizen's surname and `**` (张**); an organisation's full name.
    pub fn masked_name(&self) -> String {
        if self.kind.is_organization() {
            self.name.clone()
        } else {
            mask_name(&self.name)
        }
    }

    /// The identity number as published: a resident ID as 310105********1234, other personal
    /// documents with only the last four characters; an organisation's credit code in full.
    pub fn masked_id(&self) -> String {
        if self.kind.is_organization() {
            self.id_number.clone()
        } else {
            mask_id(self.id_type, &self.id_number)
        }
    }

    /// The party as those who may view a case but not a citizen's identity see it (督察; see
    /// `authz::sees_party_identity`): a citizen's identity number, address and phone masked, the
    /// name kept; an organisation unchanged.
    pub fn identity_masked(&self) -> Party {
        if self.kind.is_organization() {
            return self.clone();
        }
        Party {
            id_number: self.masked_id(),
            address: self.masked_address(),
            phone: self.phone.as_deref().map(crate::clue::mask_phone),
            ..self.clone()
        }
    }

    /// The address as published: a citizen's address cut after the district (上海市长宁区****);
    /// an organisation's address in full.
    pub fn masked_address(&self) -> String {
        if self.kind.is_organization() {
            self.address.clone()
        } else {
            mask_address(&self.address)
        }
    }
}

/// 张三 → 张**, 欧阳修 → 欧** (a fixed two stars, so the length is not revealed either).
pub fn mask_name(name: &str) -> String {
    match name.trim().chars().next() {
        Some(first) => format!("{first}**"),
        None => String::new(),
    }
}

/// Masks a personal identity number: resident IDs keep the 6-digit address code and the last
/// four characters; other documents keep only the last four.
pub fn mask_id(id_type: IdType, number: &str) -> String {
    let chars: Vec<char> = number.trim().chars().collect();
    if id_type == IdType::ResidentId && chars.len() == 18 {
        let head: String = chars[..6].iter().collect();
        let tail: String = chars[14..].iter().collect();
        return format!("{head}********{tail}");
    }
    if chars.len() <= 4 {
        return "*".repeat(chars.len().max(4));
    }
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{}{tail}", "*".repeat(chars.len() - 4))
}

/// Cuts an address after its district or county (区/县, within the first 12 characters), or
/// else after its city (市, within the first 8), and appends `****`. An address that is no more
/// than a district is returned unchanged.
pub fn mask_address(address: &str) -> String {
    let chars: Vec<char> = address.trim().chars().collect();
    let find_last =
        |set: &[char], within: usize| chars.iter().take(within).rposition(|c| set.contains(c)).map(|i| i + 1);
    let keep = find_last(&['区', '县'], 12)
        .or_else(|| find_last(&['市'], 8))
        .unwrap_or(0);
    if keep >= chars.len() {
        return chars.iter().collect();
    }
    let head: String = chars[..keep].iter().collect();
    format!("{head}****")
}

pub(super) fn code_tables() -> Vec<CodeTable> {
    vec![CodeTable::of::<PartyKind>(), CodeTable::of::<IdType>()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn citizens_need_a_valid_resident_id() {
        let p = Party::citizen(" 张三丰 ", "11010519491231002x", "上海市长宁区天山路100弄5号").unwrap();
        assert_eq!(p.id_number, "11010519491231002X");
        assert_eq!(p.name, "张三丰");
        assert_eq!(p.masked_name(), "张**");
        assert_eq!(p.masked_id(), "110105********002X");
        assert_eq!(p.masked_address(), "上海市长宁区****");
        assert_eq!(p.party_type(), PartyType::Person);
        let e = Party::citizen("张三", "110105194912310021", "上海市").unwrap_err();
        assert_eq!(e.messages, vec!["身份证号码校验位错误"]);
    }

    #[test]
    fn organisations_need_a_credit_code_and_a_representative() {
        let p = Party::organization(
            PartyKind::LegalPerson,
            "上海某某餐饮有限公司",
            "91350100M000100Y43",
            "李四",
            "上海市长宁区仙霞路1号",
        )
        .unwrap();
        assert_eq!(p.masked_name(), "上海某某餐饮有限公司");
        assert_eq!(p.masked_id(), "91350100M000100Y43");
        assert_eq!(p.masked_address(), "上海市长宁区仙霞路1号");
        assert_eq!(p.party_type(), PartyType::Org);
        let e = Party::organization(PartyKind::LegalPerson, "", "91350100M000100Y44", " ", "").unwrap_err();
        assert_eq!(
            e.messages,
            vec![
                "当事人名称不能为空",
                "当事人地址不能为空",
                "统一社会信用代码校验位错误",
                "法人当事人须填写法定代表人"
            ]
        );
    }

    #[test]
    fn the_id_type_must_fit_the_kind() {
        let mut p = Party::citizen("王五", "11010519491231002X", "长宁区").unwrap();
        p.id_type = IdType::Uscc;
        p.id_number = "91350100M000100Y43".into();
        let e = p.clone().validated().unwrap_err();
        assert!(
            e.messages.contains(&"公民当事人不能使用统一社会信用代码".to_string()),
            "{e}"
        );
        p.id_type = IdType::Passport;
        p.id_number = " e12345678 ".into();
        let ok = p.validated().unwrap();
        assert_eq!(ok.id_number, "E12345678");
        assert_eq!(ok.masked_id(), "*****5678");
        let org = Party {
            kind: PartyKind::OtherOrganization,
            name: "某某筹建处".into(),
            id_type: IdType::OtherId,
            id_number: "筹字001".into(),
            legal_representative: Some("赵六".into()),
            address: "长宁区".into(),
            phone: Some("021-12345678".into()),
        };
        assert!(org.clone().validated().is_ok());
        let bad_phone = org.with_phone("12ab");
        assert_eq!(
            bad_phone.validated().unwrap_err().messages,
            vec!["联系电话格式不正确：12ab"]
        );
    }

    #[test]
    fn masking_helpers() {
        assert_eq!(mask_name("买买提·艾力"), "买**");
        assert_eq!(mask_name(""), "");
        assert_eq!(mask_id(IdType::ResidentId, "310105199001011238"), "310105********1238");
        assert_eq!(mask_id(IdType::OtherId, "123"), "****");
        assert_eq!(mask_address("长宁区"), "长宁区");
        assert_eq!(mask_address("北京市朝阳区建国路1号"), "北京市朝阳区****");
        assert_eq!(mask_address("天山路100号"), "****");
        assert_eq!(mask_address("上海市某某路1号"), "上海市****");
    }
}
