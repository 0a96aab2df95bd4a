//! 证件号码校验 (identity numbers of parties): the 18-digit resident identity number
//! (公民身份号码, GB 11643-1999) and the 18-character unified social credit code
//! (统一社会信用代码, GB 32100-2015) with its embedded organisation code (组织机构代码, GB 11714-1997).
//!
//! Parsing normalises common input forms (surrounding spaces, lower-case letters, full-width
//! digits and letters typed with a Chinese input method) and reports the first problem as a
//! Chinese sentence. Nothing here reads the clock: the "birth date not in the future" check takes
//! today's date as an argument ([`ResidentId::parse_as_of`]).

use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Province-level codes (the first two digits of a GB/T 2260 division code) that a resident
/// identity number may start with: the 31 mainland provinces, plus 71 (台湾), 81 (香港) and 82 (澳门)
/// and 83 (台湾居民居住证, 830000), which the residence permits for Hong Kong, Macao and Taiwan
/// residents use.
pub const PROVINCE_CODES: [u8; 35] = [
    11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61, 62, 63,
    64, 65, 71, 81, 82, 83,
];

/// Weights of the resident identity number's first 17 digits (ISO 7064 MOD 11-2: 2^(17-i) mod 11).
const ID_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];

/// The characters of a unified social credit code, in the order of their values 0–30
/// (digits and capital letters without I, O, S, V, Z).
pub const USCC_CHARSET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";

/// Weights of the credit code's first 17 characters (3^i mod 31).
const USCC_WEIGHTS: [u32; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/// Weights of the organisation code's first 8 characters (GB 11714-1997).
const ORG_WEIGHTS: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];

/// A registration authority (登记管理部门, the credit code's 1st character) and its institution
/// categories (机构类别, the 2nd character).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UsccDepartment {
    pub code: char,
    pub name: &'static str,
    pub categories: &'static [(char, &'static str)],
}

const fn dept(code: char, name: &'static str, categories: &'static [(char, &'static str)]) -> UsccDepartment {
    UsccDepartment { code, name, categories }
}

/// Registration authorities (登记管理部门, 1st character) and their institution categories
/// (机构类别, 2nd character), GB 32100-2015 表 A.1 [S: the table as reproduced by several public
/// implementations; the standard's own text was not read].
pub const USCC_DEPARTMENTS: &[UsccDepartment] = &[
    dept(
        '1',
        "机构编制",
        &[
            ('1', "机关"),
            ('2', "事业单位"),
            ('3', "中央编办直接管理机构编制的群众团体"),
            ('9', "其他"),
        ],
    ),
    dept('2', "外交", &[('1', "外国常驻新闻机构"), ('9', "其他")]),
    dept(
        '3',
        "司法行政",
        &[
            ('1', "律师执业机构"),
            ('2', "公证处"),
            ('3', "基层法律服务所"),
            ('4', "司法鉴定机构"),
            ('5', "仲裁委员会"),
            ('9', "其他"),
        ],
    ),
    dept('4', "文化", &[('1', "外国在华文化中心"), ('9', "其他")]),
    dept(
        '5',
        "民政",
        &[
            ('1', "社会团体"),
            ('2', "民办非企业单位"),
            ('3', "基金会"),
            ('9', "其他"),
        ],
    ),
    dept(
        '6',
        "旅游",
        &[
            ('1', "外国旅游部门常驻代表机构"),
            ('2', "港澳台地区旅游部门常驻内地（大陆）代表机构"),
            ('9', "其他"),
        ],
    ),
    dept('7', "宗教", &[('1', "宗教活动场所"), ('2', "宗教院校"), ('9', "其他")]),
    dept('8', "工会", &[('1', "基层工会"), ('9', "其他")]),
    dept(
        '9',
        "工商",
        &[('1', "企业"), ('2', "个体工商户"), ('3', "农民专业合作社")],
    ),
    dept('A', "中央军委改革和编制办公室", &[('1', "军队事业单位"), ('9', "其他")]),
    dept(
        'N',
        "农业",
        &[
            ('1', "组级集体经济组织"),
            ('2', "村级集体经济组织"),
            ('3', "乡镇级集体经济组织"),
            ('9', "其他"),
        ],
    ),
    dept('Y', "其他", &[('1', "其他")]),
];

/// Why a resident identity number is invalid (Chinese messages).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResidentIdError {
    #[error("身份证号码不能为空")]
    Empty,
    #[error("身份证号码为15位旧号码，请填写18位号码")]
    Legacy15,
    #[error("身份证号码应为18位，实际为{0}位")]
    Length(usize),
    #[error("身份证号码前17位应为数字，末位应为数字或X")]
    Charset,
    #[error("身份证号码地址码（前6位）无效：{0}")]
    Region(String),
    #[error("身份证号码出生日期无效：{0}")]
    BirthDate(String),
    #[error("身份证号码出生日期晚于今天：{0}")]
    BirthInFuture(String),
    #[error("身份证号码校验位错误")]
    CheckDigit,
}

/// Why a unified social credit code is invalid (Chinese messages).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UsccError {
    #[error("统一社会信用代码不能为空")]
    Empty,
    #[error("统一社会信用代码应为18位，实际为{0}位")]
    Length(usize),
    #[error("统一社会信用代码含有无效字符“{0}”（只能使用数字和除I、O、S、V、Z以外的大写字母）")]
    Charset(char),
    #[error("统一社会信用代码登记管理部门代码（第1位）无效：{0}")]
    Department(char),
    #[error("统一社会信用代码机构类别代码（第2位）无效：登记管理部门“{department}”下没有类别“{category}”")]
    Category { department: &'static str, category: char },
    #[error("统一社会信用代码登记管理机关行政区划码（第3至8位）无效：{0}")]
    Region(String),
    #[error("统一社会信用代码中的组织机构代码（第9至17位）校验位错误")]
    OrgCode,
    #[error("统一社会信用代码校验位错误")]
    CheckDigit,
}

/// Upper-cases ASCII letters, maps full-width digits/letters to ASCII and drops surrounding
/// whitespace, so that what an officer types with a Chinese input method is accepted.
fn normalise(s: &str) -> String {
    s.trim()
        .chars()
        .map(|c| match c {
            '\u{FF10}'..='\u{FF19}' | '\u{FF21}'..='\u{FF3A}' | '\u{FF41}'..='\u{FF5A}' => {
                char::from_u32(c as u32 - 0xFEE0).unwrap_or(c)
            }
            _ => c,
        })
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// The check digit of a resident identity number from its first 17 digits (ISO 7064 MOD 11-2):
/// `'0'..='9'` or `'X'`. `None` unless `first17` is exactly 17 ASCII digits.
pub fn resident_id_check_digit(first17: &str) -> Option<char> {
    let b = first17.as_bytes();
    if b.len() != 17 || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let sum: u32 = b.iter().zip(ID_WEIGHTS).map(|(d, w)| u32::from(d - b'0') * w).sum();
    Some(b"10X98765432"[(sum % 11) as usize] as char)
}

fn uscc_value(c: char) -> Option<u32> {
    USCC_CHARSET.find(c).map(|i| i as u32)
}

/// The check character of a unified social credit code from its first 17 characters
/// (GB 32100-2015: weights 3^i mod 31, check = 31 − sum mod 31). `None` if a character is outside
/// [`USCC_CHARSET`] or the length is not 17.
pub fn uscc_check_char(first17: &str) -> Option<char> {
    if first17.chars().count() != 17 {
        return None;
    }
    let mut sum = 0;
    for (c, w) in first17.chars().zip(USCC_WEIGHTS) {
        sum += uscc_value(c)? * w;
    }
    let v = (31 - sum % 31) % 31;
    USCC_CHARSET.chars().nth(v as usize)
}

/// The check character of an organisation code (组织机构代码, GB 11714-1997) from its first 8
/// characters (digits and capital letters, A = 10 … Z = 35): `'0'..='9'` or `'X'`.
pub fn org_code_check_char(first8: &str) -> Option<char> {
    if first8.chars().count() != 8 {
        return None;
    }
    let mut sum = 0;
    for (c, w) in first8.chars().zip(ORG_WEIGHTS) {
        let v = match c {
            '0'..='9' => c as u32 - '0' as u32,
            'A'..='Z' => c as u32 - 'A' as u32 + 10,
            _ => return None,
        };
        sum += v * w;
    }
    Some(match 11 - sum % 11 {
        10 => 'X',
        11 => '0',
        n => char::from_digit(n, 10).unwrap_or('0'),
    })
}

fn province_ok(two: &str) -> bool {
    two.parse::<u8>().is_ok_and(|p| PROVINCE_CODES.contains(&p))
}

/// 公民身份号码 — a validated 18-digit resident identity number (GB 11643-1999): 6-digit address
/// code, 8-digit birth date, 3-digit sequence (odd = male), check digit (ISO 7064 MOD 11-2).
///
/// Only the province of the address code is checked (the county list changes every year and
/// old numbers keep abolished codes).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ResidentId(String);

impl ResidentId {
    /// Parses and validates a number (spaces, lower-case `x` and full-width characters accepted).
    pub fn parse(s: &str) -> Result<ResidentId, ResidentIdError> {
        let s = normalise(s);
        let n = s.chars().count();
        if n == 0 {
            return Err(ResidentIdError::Empty);
        }
        if n == 15 && s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ResidentIdError::Legacy15);
        }
        if n != 18 {
            return Err(ResidentIdError::Length(n));
        }
        let b = s.as_bytes();
        if !b[..17].iter().all(u8::is_ascii_digit) || !(b[17].is_ascii_digit() || b[17] == b'X') {
            return Err(ResidentIdError::Charset);
        }
        if !province_ok(&s[..2]) {
            return Err(ResidentIdError::Region(s[..6].to_string()));
        }
        birth_date(&s[6..14]).ok_or_else(|| ResidentIdError::BirthDate(s[6..14].to_string()))?;
        if resident_id_check_digit(&s[..17]) != Some(b[17] as char) {
            return Err(ResidentIdError::CheckDigit);
        }
        Ok(ResidentId(s))
    }

    /// [`parse`](Self::parse), and the birth date may not be after `today`.
    pub fn parse_as_of(s: &str, today: Date) -> Result<ResidentId, ResidentIdError> {
        let id = ResidentId::parse(s)?;
        if id.birth_date() > today {
            return Err(ResidentIdError::BirthInFuture(id.0[6..14].to_string()));
        }
        Ok(id)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The 6-digit address code (where the number was first issued).
    pub fn region(&self) -> &str {
        &self.0[..6]
    }

    pub fn birth_date(&self) -> Date {
        birth_date(&self.0[6..14]).expect("validated on parse")
    }

    /// The sequence code's last digit is odd for men, even for women.
    pub fn is_male(&self) -> bool {
        (self.0.as_bytes()[16] - b'0') % 2 == 1
    }

    /// 310105********1234: the address code and the last four characters.
    pub fn masked(&self) -> String {
        format!("{}********{}", &self.0[..6], &self.0[14..])
    }
}

fn birth_date(yyyymmdd: &str) -> Option<Date> {
    let y: i16 = yyyymmdd[..4].parse().ok()?;
    let m: i8 = yyyymmdd[4..6].parse().ok()?;
    let d: i8 = yyyymmdd[6..8].parse().ok()?;
    if !(1800..=2099).contains(&y) {
        return None;
    }
    Date::new(y, m, d).ok()
}

impl fmt::Display for ResidentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for ResidentId {
    type Error = ResidentIdError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        ResidentId::parse(&s)
    }
}

impl From<ResidentId> for String {
    fn from(id: ResidentId) -> String {
        id.0
    }
}

/// 统一社会信用代码 — a validated unified social credit code (GB 32100-2015): registration
/// authority (1), institution category (1), registration authority's division code (6),
/// organisation code (9, with its own GB 11714 check character), check character (1).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Uscc(String);

impl Uscc {
    /// Parses and validates a code, including the authority/category table
    /// ([`USCC_DEPARTMENTS`]).
    pub fn parse(s: &str) -> Result<Uscc, UsccError> {
        Uscc::parse_inner(s, true)
    }

    /// Like [`parse`](Self::parse) but accepts institution categories outside the 2015 table
    /// (for codes issued under later additions to the table; every check character is still
    /// verified).
    pub fn parse_lenient(s: &str) -> Result<Uscc, UsccError> {
        Uscc::parse_inner(s, false)
    }

    fn parse_inner(s: &str, strict: bool) -> Result<Uscc, UsccError> {
        let s = normalise(s);
        let n = s.chars().count();
        if n == 0 {
            return Err(UsccError::Empty);
        }
        if n != 18 {
            return Err(UsccError::Length(n));
        }
        if let Some(c) = s.chars().find(|c| uscc_value(*c).is_none()) {
            return Err(UsccError::Charset(c));
        }
        let b = s.as_bytes();
        let (dept, cat) = (b[0] as char, b[1] as char);
        let Some(d) = USCC_DEPARTMENTS.iter().find(|d| d.code == dept) else {
            return Err(UsccError::Department(dept));
        };
        if (strict && !d.categories.iter().any(|(c, _)| *c == cat)) || !cat.is_ascii_digit() {
            return Err(UsccError::Category {
                department: d.name,
                category: cat,
            });
        }
        let region = &s[2..8];
        if !region.bytes().all(|c| c.is_ascii_digit()) || !(province_ok(&region[..2]) || region == "100000") {
            return Err(UsccError::Region(region.to_string()));
        }
        if org_code_check_char(&s[8..16]) != Some(b[16] as char) {
            return Err(UsccError::OrgCode);
        }
        if uscc_check_char(&s[..17]) != Some(b[17] as char) {
            return Err(UsccError::CheckDigit);
        }
        Ok(Uscc(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// 登记管理部门 (e.g. "工商").
    pub fn department(&self) -> &'static str {
        self.entry().map(|d| d.name).unwrap_or("")
    }

    /// 机构类别 (e.g. "企业", "个体工商户"); "" for a category outside the table (lenient parse).
    pub fn category(&self) -> &'static str {
        let cat = self.0.as_bytes()[1] as char;
        self.entry()
            .and_then(|d| d.categories.iter().find(|(c, _)| *c == cat))
            .map(|(_, name)| *name)
            .unwrap_or("")
    }

    fn entry(&self) -> Option<&'static UsccDepartment> {
        let dept = self.0.as_bytes()[0] as char;
        USCC_DEPARTMENTS.iter().find(|d| d.code == dept)
    }

    /// The registration authority's 6-digit division code.
    pub fn region(&self) -> &str {
        &self.0[2..8]
    }

    /// The embedded organisation code, written the traditional way: `MA1FL0000-7`.
    pub fn org_code(&self) -> String {
        format!("{}-{}", &self.0[8..16], &self.0[16..17])
    }

    /// 个体工商户 (registered by 工商, category 2): legally a natural person's business.
    pub fn is_individual_business(&self) -> bool {
        self.0.starts_with("92")
    }
}

impl fmt::Display for Uscc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Uscc {
    type Error = UsccError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Uscc::parse(&s)
    }
}

impl From<Uscc> for String {
    fn from(u: Uscc) -> String {
        u.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_standard_samples_are_valid() {
        // GB 11643-1999 annex sample and a birth year in the 1880s.
        let id = ResidentId::parse("11010519491231002X").unwrap();
        assert_eq!(id.birth_date(), Date::new(1949, 12, 31).unwrap());
        assert!(!id.is_male());
        assert_eq!(id.region(), "110105");
        assert!(ResidentId::parse("440524188001010014").unwrap().is_male());
        // GB 32100-2015 sample.
        let u = Uscc::parse("91350100M000100Y43").unwrap();
        assert_eq!((u.department(), u.category()), ("工商", "企业"));
        assert_eq!(u.org_code(), "M000100Y-4");
        assert_eq!(u.region(), "350100");
    }

    #[test]
    fn input_forms_are_normalised() {
        assert_eq!(
            ResidentId::parse(" 11010519491231002x ").unwrap().as_str(),
            "11010519491231002X"
        );
        assert_eq!(
            ResidentId::parse("１１０１０５１９４９１２３１００２Ｘ")
                .unwrap()
                .as_str(),
            "11010519491231002X"
        );
        assert_eq!(
            Uscc::parse("91350100m000100y43").unwrap().as_str(),
            "91350100M000100Y43"
        );
    }

    #[test]
    fn each_problem_has_its_own_message() {
        use ResidentIdError as E;
        assert_eq!(ResidentId::parse(""), Err(E::Empty));
        assert_eq!(ResidentId::parse("110105491231002"), Err(E::Legacy15));
        assert_eq!(ResidentId::parse("1101051949123100"), Err(E::Length(16)));
        assert_eq!(ResidentId::parse("1101051949123100AX"), Err(E::Charset));
        assert_eq!(ResidentId::parse("99010519491231002X"), Err(E::Region("990105".into())));
        assert_eq!(
            ResidentId::parse("11010519490231002X"),
            Err(E::BirthDate("19490231".into()))
        );
        assert_eq!(ResidentId::parse("110105194912310021"), Err(E::CheckDigit));
        assert_eq!(E::CheckDigit.to_string(), "身份证号码校验位错误");
        let today = Date::new(2026, 3, 1).unwrap();
        let future = format!(
            "31010520270101001{}",
            resident_id_check_digit("31010520270101001").unwrap()
        );
        assert!(ResidentId::parse(&future).is_ok());
        assert_eq!(
            ResidentId::parse_as_of(&future, today),
            Err(E::BirthInFuture("20270101".into()))
        );

        use UsccError as U;
        assert_eq!(Uscc::parse("91350100M000100Y4"), Err(U::Length(17)));
        assert_eq!(Uscc::parse("91350100M000100I43"), Err(U::Charset('I')));
        assert_eq!(Uscc::parse("B1350100M000100Y43"), Err(U::Department('B')));
        assert_eq!(
            Uscc::parse("94350100M000100Y43"),
            Err(U::Category {
                department: "工商",
                category: '4'
            })
        );
        assert_eq!(Uscc::parse("91990100M000100Y43"), Err(U::Region("990100".into())));
        assert_eq!(Uscc::parse("91350100M000100Y53"), Err(U::OrgCode));
        assert_eq!(Uscc::parse("91350100M000100Y44"), Err(U::CheckDigit));
        assert_eq!(U::CheckDigit.to_string(), "统一社会信用代码校验位错误");
    }

    #[test]
    fn lenient_parse_only_relaxes_the_category_table() {
        let body = "94350100M000100Y4";
        let code = format!("{body}{}", uscc_check_char(body).unwrap());
        assert!(Uscc::parse(&code).is_err());
        let u = Uscc::parse_lenient(&code).unwrap();
        assert_eq!((u.department(), u.category()), ("工商", ""));
        assert_eq!(Uscc::parse_lenient("91350100M000100Y44"), Err(UsccError::CheckDigit));
    }

    #[test]
    fn masks_and_serde() {
        let id = ResidentId::parse("11010519491231002X").unwrap();
        assert_eq!(id.masked(), "110105********002X");
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(json, "\"11010519491231002X\"");
        assert!(serde_json::from_str::<ResidentId>("\"110105194912310021\"").is_err());
        let u: Uscc = serde_json::from_str("\"91350100M000100Y43\"").unwrap();
        assert!(!u.is_individual_business());
    }
}
