//! 执法事项目录 (the matter catalogue): the enforcement matters of product-map §4 as data — legal
//! basis, penalty ranges, remit, evidence checklist, provisional discretion bands, classification
//! phrases — plus the out-of-remit topics (物业费, 邻里噪声, 公交…) with the department to which such a
//! clue is returned or transferred.
//!
//! The default catalogue is `data/matters.toml` (embedded by [`default_catalogue`]); the admin may
//! edit a copy, which is loaded with [`Catalogue::from_toml`]. The file's header comment documents
//! every field. Validation reports every problem found, each as a Chinese sentence naming the entry.

use crate::org::DepartmentKind;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// The Chinese names the catalogue must carry, exactly (product-map §4: the eighteen matters the
/// 2026 work points name, plus 其他).
pub const MATTER_NAMES: [&str; 19] = [
    "违法建筑",
    "破坏房屋承重结构",
    "违规装修",
    "占用公共部位",
    "损坏绿化",
    "群租",
    "电动自行车违规充电停放",
    "燃气安全",
    "户外广告招牌",
    "餐饮油烟",
    "扬尘污染",
    "夜间施工噪声",
    "建筑垃圾",
    "生活垃圾分类",
    "占道经营",
    "跨门营业",
    "无序设摊",
    "共享单车停放",
    "其他",
];

/// Code of the catch-all matter 其他 (out-of-remit and unclassifiable clues).
pub const OTHER_CODE: &str = "other";
/// Name of the catch-all matter.
pub const OTHER_NAME: &str = "其他";

crate::coded_enum! {
    /// 当事人类型 — which party a fine range or discretion band applies to.
    pub enum PartyType {
        /// 个人 (公民).
        Person = ("person", "个人"),
        /// 单位 (法人或者其他组织).
        Org = ("org", "单位"),
        /// 不区分当事人类型.
        Any = ("any", "不限"),
    }
}

crate::coded_enum! {
    /// 裁量等级 — a discretion level of the (provisional) 裁量基准, ordered 轻微 → 严重.
    pub enum DiscretionLevel {
        Slight = ("slight", "轻微"),
        Ordinary = ("ordinary", "一般"),
        Serious = ("serious", "较重"),
        Grave = ("grave", "严重"),
    }
}

/// 职责归属 — who enforces a matter: the 城管 system (街镇综合行政执法队 / 区局) or another
/// department (by its [`DepartmentKind`]). Serialised as its code (`chengguan`, `housing`, …).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Remit {
    /// 城管执法 (code `chengguan`).
    Chengguan,
    /// Another management department.
    Department(DepartmentKind),
}

impl Remit {
    pub const CHENGGUAN_CODE: &'static str = "chengguan";

    pub fn code(self) -> &'static str {
        match self {
            Remit::Chengguan => Self::CHENGGUAN_CODE,
            Remit::Department(d) => d.code(),
        }
    }

    /// "城管执法" or the department kind's label ("房管", "公安"…).
    pub fn label(self) -> &'static str {
        match self {
            Remit::Chengguan => "城管执法",
            Remit::Department(d) => d.label(),
        }
    }

    pub fn from_code(code: &str) -> Option<Remit> {
        if code == Self::CHENGGUAN_CODE {
            Some(Remit::Chengguan)
        } else {
            DepartmentKind::from_code(code).map(Remit::Department)
        }
    }

    pub fn is_chengguan(self) -> bool {
        self == Remit::Chengguan
    }
}

impl fmt::Display for Remit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

impl Serialize for Remit {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for Remit {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Remit::from_code(&s).ok_or_else(|| serde::de::Error::custom(format!("unknown remit code: {s}")))
    }
}

/// An inclusive range of 元.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct YuanRange {
    pub min: i64,
    pub max: i64,
}

impl fmt::Display for YuanRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}–{}元", self.min, self.max)
    }
}

/// The fines of a matter or variant, as written in the law (see the file header for the fields).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fines {
    /// Main fixed range (`fine_min_yuan`/`fine_max_yuan`); `None` when not a fixed range.
    pub main: Option<YuanRange>,
    /// Range for 情节严重 where the law gives a separate one.
    pub serious: Option<YuanRange>,
    /// Range for 个人 where the law distinguishes parties.
    pub person: Option<YuanRange>,
    /// Range for 单位 where the law distinguishes parties.
    pub org: Option<YuanRange>,
    /// Chinese text for non-fixed penalties (倍数, 元/㎡, 元/吨, 工程造价百分比…).
    pub formula: Option<String>,
}

impl Fines {
    /// The range that applies to a party type: its own range if the law distinguishes, else the
    /// main range.
    pub fn range_for(&self, party: PartyType) -> Option<YuanRange> {
        match party {
            PartyType::Person => self.person.or(self.main),
            PartyType::Org => self.org.or(self.main),
            PartyType::Any => self.main,
        }
    }

    fn is_empty(&self) -> bool {
        self.main.is_none() && self.serious.is_none() && self.formula.is_none()
    }
}

/// A weighted classification phrase (weight 1..=5, 5 = decisive).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Phrase {
    pub text: String,
    pub weight: u8,
}

/// The amount of a discretion band: an inclusive range of 元, or of multiples (倍) of a base such
/// as the 绿化补偿标准.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum BandAmount {
    Yuan { min: i64, max: i64 },
    Factor { min: f64, max: f64 },
}

/// One band of the provisional 裁量基准 of a matter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DiscretionBand {
    pub level: DiscretionLevel,
    /// `None` when the band applies to every party.
    pub party: Option<PartyType>,
    pub amount: BandAmount,
    /// Chinese description of the circumstances.
    pub conditions: String,
    /// Always true until the official 裁量基准 is loaded.
    pub provisional: bool,
}

/// A sub-offence of a matter with its own article and range. Missing fields were inherited from
/// the matter when the file was loaded (the fine block as a whole: a variant that gives none of
/// `fine_min_yuan`, `fine_serious_*`, `fine_formula` inherits the matter's fines).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Variant {
    /// Code, unique within the matter.
    pub code: String,
    pub name: String,
    pub legal_basis: Vec<String>,
    pub penalty_text: String,
    pub fines: Fines,
    pub party: PartyType,
    pub remit: Remit,
    pub confirmed: bool,
    pub order_correction_first: bool,
}

/// 执法事项 — one matter of the catalogue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Matter {
    /// Stable English code (cases refer to it; never changes).
    pub code: String,
    /// Chinese name, exactly as product-map §4 names it.
    pub name: String,
    pub remit: Remit,
    pub remit_note: String,
    pub legal_basis: Vec<String>,
    pub penalty_text: String,
    pub fines: Fines,
    /// False when the legal basis or the 城管/街镇 power is unconfirmed ([U] in facts.md).
    pub confirmed: bool,
    pub confirmed_note: Option<String>,
    /// The law penalises only 拒不改正/逾期不改正: the order and its deadline come first.
    pub order_correction_first: bool,
    pub evidence_checklist: Vec<String>,
    /// Classification phrases, longest first.
    pub phrases: Vec<Phrase>,
    /// Phrases pointing elsewhere, whose weight is subtracted.
    pub negative_phrases: Vec<Phrase>,
    pub variants: Vec<Variant>,
    pub discretion_levels: Vec<DiscretionBand>,
    /// Codes of the clock rules (`data/clock-rules.toml`) that apply to clues/cases of this matter.
    /// Empty until the clue workflow assigns them.
    pub clock_rules: Vec<String>,
}

impl Matter {
    pub fn is_other(&self) -> bool {
        self.code == OTHER_CODE
    }

    pub fn variant(&self, code: &str) -> Option<&Variant> {
        self.variants.iter().find(|v| v.code == code)
    }
}

/// 非城管职责事项 — a topic outside the remit, with the suggested department and reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutOfRemitTopic {
    pub code: String,
    /// Chinese topic name.
    pub topic: String,
    /// Longest first.
    pub phrases: Vec<Phrase>,
    pub suggested_department: DepartmentKind,
    /// Chinese sentence for the reply to the reporter / the 退单 reason.
    pub reply_template: String,
}

/// The validated catalogue: matters in file order, then out-of-remit topics in file order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Catalogue {
    matters: Vec<Matter>,
    out_of_remit: Vec<OutOfRemitTopic>,
}

/// Every problem found in a catalogue file, each a Chinese sentence naming the entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogueError {
    pub messages: Vec<String>,
}

impl fmt::Display for CatalogueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.messages.join("\n"))
    }
}

impl std::error::Error for CatalogueError {}

/// The default catalogue shipped in `data/matters.toml`.
///
/// # Panics
/// Never in a tested build: the file is validated by the crate's tests.
pub fn default_catalogue() -> Catalogue {
    Catalogue::from_toml(DEFAULT_MATTERS_TOML).expect("data/matters.toml is valid (tested)")
}

/// The text of `data/matters.toml`, for an admin page that starts from the defaults.
pub const DEFAULT_MATTERS_TOML: &str = include_str!("../../../data/matters.toml");

impl Catalogue {
    /// Parses and validates a catalogue in the TOML form of `data/matters.toml`.
    pub fn from_toml(text: &str) -> Result<Catalogue, CatalogueError> {
        let raw: RawFile = toml::from_str(text).map_err(|e| CatalogueError {
            messages: vec![toml_message(text, &e)],
        })?;
        let mut errors = Vec::new();
        let mut matters = Vec::new();
        let mut seen = BTreeSet::new();
        let mut names = BTreeMap::new();
        for (i, m) in raw.matter.into_iter().enumerate() {
            let at = entry_name("事项", i, &m.code, &m.name);
            if !seen.insert(m.code.clone()) {
                errors.push(format!("{at}：代码重复"));
            }
            if let Some(prev) = names.insert(m.name.clone(), m.code.clone()) {
                errors.push(format!("{at}：名称“{}”与事项 {prev} 重复", m.name));
            }
            if let Some(matter) = convert_matter(m, &at, &mut errors) {
                matters.push(matter);
            }
        }
        for name in MATTER_NAMES {
            if !names.contains_key(name) {
                errors.push(format!("事项目录缺少“{name}”（产品地图§4规定的名称须逐字一致）"));
            }
        }
        for (name, code) in &names {
            if !MATTER_NAMES.contains(&name.as_str()) {
                errors.push(format!(
                    "事项 {code}（{name}）：名称不在产品地图§4的十八类事项及“其他”之内"
                ));
            }
        }
        if let Some(code) = names.get(OTHER_NAME)
            && code != OTHER_CODE
        {
            errors.push(format!("事项 {code}（{OTHER_NAME}）：兜底事项的代码须为 {OTHER_CODE}"));
        }
        let mut topics = Vec::new();
        let mut topic_codes = BTreeSet::new();
        for (i, t) in raw.out_of_remit.into_iter().enumerate() {
            let at = entry_name("非城管职责事项", i, &t.code, &t.topic);
            if !topic_codes.insert(t.code.clone()) {
                errors.push(format!("{at}：代码重复"));
            }
            if seen.contains(&t.code) {
                errors.push(format!("{at}：代码与某一执法事项相同"));
            }
            if let Some(topic) = convert_topic(t, &at, &mut errors) {
                topics.push(topic);
            }
        }
        if !errors.is_empty() {
            return Err(CatalogueError { messages: errors });
        }
        Ok(Catalogue {
            matters,
            out_of_remit: topics,
        })
    }

    /// All matters, in file order.
    pub fn matters(&self) -> &[Matter] {
        &self.matters
    }

    /// The matter with this code.
    pub fn get(&self, code: &str) -> Option<&Matter> {
        self.matters.iter().find(|m| m.code == code)
    }

    /// The matter with this Chinese name.
    pub fn by_name(&self, name: &str) -> Option<&Matter> {
        self.matters.iter().find(|m| m.name == name)
    }

    /// The catch-all matter 其他 (always present in a validated catalogue).
    pub fn other(&self) -> &Matter {
        self.get(OTHER_CODE).expect("validated catalogue has 其他")
    }

    /// The out-of-remit topics, in file order.
    pub fn out_of_remit(&self) -> &[OutOfRemitTopic] {
        &self.out_of_remit
    }

    /// The out-of-remit topic with this code.
    pub fn topic(&self, code: &str) -> Option<&OutOfRemitTopic> {
        self.out_of_remit.iter().find(|t| t.code == code)
    }

    /// Sets the clock-rule codes of a matter (the app assigns them from its workflow settings).
    /// Returns false if there is no such matter.
    pub fn set_clock_rules(&mut self, matter_code: &str, rules: Vec<String>) -> bool {
        match self.matters.iter_mut().find(|m| m.code == matter_code) {
            Some(m) => {
                m.clock_rules = rules;
                true
            }
            None => false,
        }
    }
}

fn entry_name(what: &str, index: usize, code: &str, name: &str) -> String {
    match (code.trim().is_empty(), name.trim().is_empty()) {
        (false, false) => format!("{what} {code}（{name}）"),
        (false, true) => format!("{what} {code}"),
        (true, false) => format!("{what}“{name}”"),
        (true, true) => format!("第{}个{what}", index + 1),
    }
}

fn toml_message(text: &str, e: &toml::de::Error) -> String {
    match e.span() {
        Some(span) => {
            let line = text[..span.start.min(text.len())].matches('\n').count() + 1;
            format!("事项目录第{line}行格式错误：{}", e.message().trim())
        }
        None => format!("事项目录格式错误：{}", e.message().trim()),
    }
}

fn is_code(s: &str) -> bool {
    !s.is_empty()
        && s.starts_with(|c: char| c.is_ascii_lowercase())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

fn phrases(raw: BTreeMap<String, i64>, at: &str, what: &str, errors: &mut Vec<String>) -> Vec<Phrase> {
    let mut out = Vec::new();
    for (text, weight) in raw {
        let t = text.trim();
        if t.is_empty() {
            errors.push(format!("{at}：{what}中有空短语"));
            continue;
        }
        if !(1..=5).contains(&weight) {
            errors.push(format!("{at}：{what}“{t}”的权重{weight}不在1至5之间"));
            continue;
        }
        out.push(Phrase {
            text: t.to_string(),
            weight: weight as u8,
        });
    }
    // Longest first, then by text: a stable order for matching and display.
    out.sort_by(|a, b| {
        b.text
            .chars()
            .count()
            .cmp(&a.text.chars().count())
            .then_with(|| a.text.cmp(&b.text))
    });
    out
}

fn range(min: Option<i64>, max: Option<i64>, what: &str, at: &str, errors: &mut Vec<String>) -> Option<YuanRange> {
    match (min, max) {
        (None, None) => None,
        (Some(min), Some(max)) => {
            if min < 0 || min > max {
                errors.push(format!("{at}：{what}下限{min}元不能大于上限{max}元，也不能为负"));
            }
            Some(YuanRange { min, max })
        }
        _ => {
            errors.push(format!("{at}：{what}须同时给出下限和上限"));
            None
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn parse_fines(
    min: Option<i64>,
    max: Option<i64>,
    serious_min: Option<i64>,
    serious_max: Option<i64>,
    person: (Option<i64>, Option<i64>),
    org: (Option<i64>, Option<i64>),
    formula: Option<String>,
    at: &str,
    errors: &mut Vec<String>,
) -> Fines {
    Fines {
        main: range(min, max, "罚款区间", at, errors),
        serious: range(serious_min, serious_max, "情节严重罚款区间", at, errors),
        person: range(person.0, person.1, "个人罚款区间", at, errors),
        org: range(org.0, org.1, "单位罚款区间", at, errors),
        formula: formula.map(|s| s.trim().to_string()).filter(|s| !s.is_empty()),
    }
}

fn required_text(s: String, what: &str, at: &str, errors: &mut Vec<String>) -> String {
    let s = s.trim().to_string();
    if s.is_empty() {
        errors.push(format!("{at}：缺少{what}"));
    }
    s
}

fn parse_remit(code: &str, at: &str, errors: &mut Vec<String>) -> Option<Remit> {
    let r = Remit::from_code(code.trim());
    if r.is_none() {
        errors.push(format!(
            "{at}：职责归属“{code}”无法识别（应为 chengguan 或管理部门类别代码，如 housing、public_security）"
        ));
    }
    r
}

fn parse_party(code: &str, at: &str, errors: &mut Vec<String>) -> Option<PartyType> {
    let p = PartyType::from_code(code.trim());
    if p.is_none() {
        errors.push(format!("{at}：当事人类型“{code}”无法识别（应为 person、org 或 any）"));
    }
    p
}

fn convert_matter(m: RawMatter, at: &str, errors: &mut Vec<String>) -> Option<Matter> {
    let before = errors.len();
    if !is_code(&m.code) {
        errors.push(format!("{at}：代码“{}”应为小写英文、数字和下划线", m.code));
    }
    let name = required_text(m.name, "名称", at, errors);
    let remit = parse_remit(&m.remit, at, errors);
    let penalty_text = required_text(m.penalty_text, "处罚说明（penalty_text）", at, errors);
    let fines = parse_fines(
        m.fine_min_yuan,
        m.fine_max_yuan,
        m.fine_serious_min_yuan,
        m.fine_serious_max_yuan,
        (m.fine_min_person_yuan, m.fine_max_person_yuan),
        (m.fine_min_org_yuan, m.fine_max_org_yuan),
        m.fine_formula,
        at,
        errors,
    );
    let is_other = m.code == OTHER_CODE;
    if !is_other && m.legal_basis.iter().all(|s| s.trim().is_empty()) {
        errors.push(format!("{at}：缺少法律依据（legal_basis）"));
    }
    if !is_other && fines.is_empty() {
        errors.push(format!("{at}：既无罚款区间也无计算方式（fine_formula）"));
    }
    let pos = phrases(m.phrases, at, "分类短语", errors);
    let neg = phrases(m.negative_phrases, at, "排除短语", errors);
    if !is_other && pos.is_empty() {
        errors.push(format!("{at}：缺少分类短语（phrases）"));
    }
    for n in &neg {
        if pos.iter().any(|p| p.text == n.text) {
            errors.push(format!("{at}：短语“{}”同时是分类短语和排除短语", n.text));
        }
    }
    let mut variants = Vec::new();
    let mut vcodes = BTreeSet::new();
    for (i, v) in m.variant.into_iter().enumerate() {
        let vat = format!("{at}的{}", entry_name("细项", i, &v.code, &v.name));
        if !is_code(&v.code) {
            errors.push(format!("{vat}：代码“{}”应为小写英文、数字和下划线", v.code));
        }
        if !vcodes.insert(v.code.clone()) {
            errors.push(format!("{vat}：代码在本事项内重复"));
        }
        let vf = parse_fines(
            v.fine_min_yuan,
            v.fine_max_yuan,
            v.fine_serious_min_yuan,
            v.fine_serious_max_yuan,
            (None, None),
            (None, None),
            v.fine_formula,
            &vat,
            errors,
        );
        let vremit = match &v.remit {
            Some(code) => parse_remit(code, &vat, errors),
            None => remit,
        };
        let party = match &v.party {
            Some(code) => parse_party(code, &vat, errors),
            None => Some(PartyType::Any),
        };
        let (Some(vremit), Some(party)) = (vremit, party) else {
            continue;
        };
        variants.push(Variant {
            code: v.code,
            name: required_text(v.name, "名称", &vat, errors),
            legal_basis: if v.legal_basis.is_empty() {
                m.legal_basis.clone()
            } else {
                v.legal_basis
            },
            penalty_text: v.penalty_text.unwrap_or_else(|| penalty_text.clone()),
            fines: if vf.is_empty() { fines.clone() } else { vf },
            party,
            remit: vremit,
            confirmed: v.confirmed.unwrap_or(m.confirmed),
            order_correction_first: v.order_correction_first.unwrap_or(m.order_correction_first),
        });
    }
    let mut bands = Vec::new();
    for (i, b) in m.discretion_levels.into_iter().enumerate() {
        let bat = format!("{at}的第{}个裁量等级", i + 1);
        let level = DiscretionLevel::ALL
            .iter()
            .copied()
            .find(|l| l.label() == b.level.trim());
        let Some(level) = level else {
            errors.push(format!("{bat}：等级“{}”应为 轻微、一般、较重 或 严重", b.level));
            continue;
        };
        let party = match &b.party {
            Some(code) => match parse_party(code, &bat, errors) {
                Some(p) => Some(p),
                None => continue,
            },
            None => None,
        };
        let amount = match (b.min_yuan, b.max_yuan, b.min_factor, b.max_factor) {
            (Some(min), Some(max), None, None) => {
                if min < 0 || min > max {
                    errors.push(format!("{bat}（{}）：下限{min}元大于上限{max}元", level.label()));
                }
                // A band lies inside the party's range, extended by the 情节严重 range if any.
                let legal = fines
                    .range_for(party.unwrap_or(PartyType::Any))
                    .map(|r| match fines.serious {
                        Some(s) => YuanRange {
                            min: r.min.min(s.min),
                            max: r.max.max(s.max),
                        },
                        None => r,
                    });
                if let Some(r) = legal
                    && (min < r.min || max > r.max)
                {
                    errors.push(format!("{bat}（{}）：{min}–{max}元超出法定区间{r}", level.label()));
                }
                BandAmount::Yuan { min, max }
            }
            (None, None, Some(min), Some(max)) => {
                if !(min > 0.0 && min <= max) {
                    errors.push(format!(
                        "{bat}（{}）：倍数下限{min}应为正数且不大于上限{max}",
                        level.label()
                    ));
                }
                BandAmount::Factor { min, max }
            }
            _ => {
                errors.push(format!(
                    "{bat}（{}）：须给出 min_yuan/max_yuan 或 min_factor/max_factor 之一",
                    level.label()
                ));
                continue;
            }
        };
        bands.push(DiscretionBand {
            level,
            party,
            amount,
            conditions: required_text(b.conditions, "适用情形（conditions）", &bat, errors),
            provisional: b.provisional.unwrap_or(true),
        });
    }
    // Within each party, levels must run 轻微 → 严重 without repeating.
    let mut last: BTreeMap<Option<PartyType>, DiscretionLevel> = BTreeMap::new();
    for b in &bands {
        if let Some(prev) = last.insert(b.party, b.level)
            && prev >= b.level
        {
            errors.push(format!(
                "{at}：裁量等级应按 轻微→一般→较重→严重 排列且不重复（“{}”在“{}”之后）",
                b.level.label(),
                prev.label()
            ));
        }
    }
    let mut clock_rules = Vec::new();
    for c in m.clock_rules {
        if !is_code(&c) {
            errors.push(format!("{at}：期限规则代码“{c}”格式不正确"));
        } else if !clock_rules.contains(&c) {
            clock_rules.push(c);
        }
    }
    if errors.len() > before {
        return None;
    }
    Some(Matter {
        code: m.code,
        name,
        remit: remit?,
        remit_note: m.remit_note.trim().to_string(),
        legal_basis: m.legal_basis.into_iter().map(|s| s.trim().to_string()).collect(),
        penalty_text,
        fines,
        confirmed: m.confirmed,
        confirmed_note: m.confirmed_note.map(|s| s.trim().to_string()).filter(|s| !s.is_empty()),
        order_correction_first: m.order_correction_first,
        evidence_checklist: m.evidence_checklist.into_iter().map(|s| s.trim().to_string()).collect(),
        phrases: pos,
        negative_phrases: neg,
        variants,
        discretion_levels: bands,
        clock_rules,
    })
}

fn convert_topic(t: RawTopic, at: &str, errors: &mut Vec<String>) -> Option<OutOfRemitTopic> {
    let before = errors.len();
    if !is_code(&t.code) {
        errors.push(format!("{at}：代码“{}”应为小写英文、数字和下划线", t.code));
    }
    let topic = required_text(t.topic, "主题名称（topic）", at, errors);
    let dept = DepartmentKind::from_code(t.suggested_department.trim());
    if dept.is_none() {
        errors.push(format!(
            "{at}：建议部门“{}”不是管理部门类别代码（如 housing、public_security、other_department）",
            t.suggested_department
        ));
    }
    let reply = required_text(t.reply_template, "答复模板（reply_template）", at, errors);
    let ph = phrases(t.phrases, at, "分类短语", errors);
    if ph.is_empty() {
        errors.push(format!("{at}：缺少分类短语（phrases）"));
    }
    if errors.len() > before {
        return None;
    }
    Some(OutOfRemitTopic {
        code: t.code,
        topic,
        phrases: ph,
        suggested_department: dept?,
        reply_template: reply,
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    matter: Vec<RawMatter>,
    #[serde(default)]
    out_of_remit: Vec<RawTopic>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMatter {
    code: String,
    name: String,
    remit: String,
    #[serde(default)]
    remit_note: String,
    #[serde(default)]
    legal_basis: Vec<String>,
    #[serde(default)]
    penalty_text: String,
    fine_min_yuan: Option<i64>,
    fine_max_yuan: Option<i64>,
    fine_serious_min_yuan: Option<i64>,
    fine_serious_max_yuan: Option<i64>,
    fine_formula: Option<String>,
    fine_min_person_yuan: Option<i64>,
    fine_max_person_yuan: Option<i64>,
    fine_min_org_yuan: Option<i64>,
    fine_max_org_yuan: Option<i64>,
    confirmed: bool,
    confirmed_note: Option<String>,
    order_correction_first: bool,
    #[serde(default)]
    evidence_checklist: Vec<String>,
    #[serde(default)]
    phrases: BTreeMap<String, i64>,
    #[serde(default)]
    negative_phrases: BTreeMap<String, i64>,
    #[serde(default)]
    variant: Vec<RawVariant>,
    #[serde(default)]
    discretion_levels: Vec<RawBand>,
    #[serde(default)]
    clock_rules: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawVariant {
    code: String,
    name: String,
    #[serde(default)]
    legal_basis: Vec<String>,
    penalty_text: Option<String>,
    fine_min_yuan: Option<i64>,
    fine_max_yuan: Option<i64>,
    fine_serious_min_yuan: Option<i64>,
    fine_serious_max_yuan: Option<i64>,
    fine_formula: Option<String>,
    party: Option<String>,
    remit: Option<String>,
    confirmed: Option<bool>,
    order_correction_first: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBand {
    level: String,
    party: Option<String>,
    min_yuan: Option<i64>,
    max_yuan: Option<i64>,
    min_factor: Option<f64>,
    max_factor: Option<f64>,
    #[serde(default)]
    conditions: String,
    provisional: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTopic {
    code: String,
    topic: String,
    #[serde(default)]
    phrases: BTreeMap<String, i64>,
    suggested_department: String,
    reply_template: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_catalogue_loads_with_every_name() {
        let c = default_catalogue();
        assert_eq!(c.matters().len(), 19);
        for name in MATTER_NAMES {
            assert!(c.by_name(name).is_some(), "{name}");
        }
        assert_eq!(c.other().name, OTHER_NAME);
        assert!(c.out_of_remit().len() >= 3);
    }

    #[test]
    fn phrases_are_longest_first() {
        let c = default_catalogue();
        for m in c.matters() {
            for w in m.phrases.windows(2) {
                assert!(w[0].text.chars().count() >= w[1].text.chars().count(), "{}", m.code);
            }
        }
    }
}
