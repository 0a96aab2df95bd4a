//! 期限规则 (clock rules) as data: what a legal period is, counted from what, in which unit, under
//! which law, and who may suspend or extend it. Shipped in `data/clock-rules.toml`, loaded with
//! [`RuleSet::from_toml`]; the file format is documented there and in `docs/clocks.md` §5.

use super::calendar::toml_error;
use crate::role::Role;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::fmt;

crate::coded_enum! {
    /// 期限单位 — the unit a period is counted in.
    pub enum ClockUnit {
        /// 工作日: weekdays and make-up working days, minus statutory holidays (行政处罚法 第八十五条).
        WorkingDays = ("working_days", "工作日"),
        /// 自然日 (日): every calendar day.
        NaturalDays = ("natural_days", "自然日"),
        /// 月: calendar months, ending on the corresponding day (民法典 第二百零二条).
        NaturalMonths = ("natural_months", "月"),
        /// 小时: elapsed hours, to the exact instant.
        Hours = ("hours", "小时"),
        /// 工作小时: hours inside the working-hour windows of working days.
        WorkingHours = ("working_hours", "工作小时"),
    }
}

impl ClockUnit {
    /// Day and month units end at 23:59:59.999999 of the due day; hour units at an exact instant.
    pub fn is_day_based(self) -> bool {
        matches!(
            self,
            ClockUnit::WorkingDays | ClockUnit::NaturalDays | ClockUnit::NaturalMonths
        )
    }

    /// "5个工作日", "90日", "3个月", "24小时", "4个工作小时".
    pub fn amount(self, n: impl fmt::Display) -> String {
        match self {
            ClockUnit::WorkingDays => format!("{n}个工作日"),
            ClockUnit::NaturalDays => format!("{n}日"),
            ClockUnit::NaturalMonths => format!("{n}个月"),
            ClockUnit::Hours => format!("{n}小时"),
            ClockUnit::WorkingHours => format!("{n}个工作小时"),
        }
    }
}

crate::coded_enum! {
    /// 起算事件 — the event a period is counted from (or, for a `before` rule, counted back from).
    pub enum AnchorEvent {
        /// 收到12345工单.
        WorkOrderReceived = ("work_order_received", "收到工单"),
        /// 收到公众举报 (城管执法条例 第二十六条).
        ReportReceived = ("report_received", "收到举报"),
        /// 发现或者收到违法建筑线索 (含物业报告) (拆除违法建筑若干规定 第五条).
        IllegalBuildingClue = ("illegal_building_clue", "发现或收到违建线索"),
        /// 物业服务企业发现违法行为 (住宅物业管理规定 第五十九条).
        ViolationDiscovered = ("violation_discovered", "发现违法行为"),
        /// 立案.
        CaseFiled = ("case_filed", "立案"),
        /// 行政处罚决定作出.
        DecisionMade = ("decision_made", "作出处罚决定"),
        /// 当事人收到行政处罚决定书 (或视为送达).
        DecisionReceived = ("decision_received", "收到处罚决定书"),
        /// 送达公告发布 (公告送达).
        NoticePublished = ("notice_published", "发布送达公告"),
        /// 催告书送达.
        ReminderServed = ("reminder_served", "催告书送达"),
        /// 申请复议、提起诉讼的法定期限届满.
        ReliefPeriodLapsed = ("relief_period_lapsed", "复议诉讼期限届满"),
        /// 行政处罚告知书送达 (事先告知).
        PriorNoticeServed = ("prior_notice_served", "告知书送达"),
        /// 举行听证 (the hearing date; the hearing notice is counted back from it).
        HearingHeld = ("hearing_held", "举行听证"),
        /// 先行登记保存证据.
        EvidencePreserved = ("evidence_preserved", "先行登记保存"),
        /// 实施查封、扣押.
        SeizureStarted = ("seizure_started", "实施查封扣押"),
        /// 处罚决定被变更、撤销、确认违法或者确认无效.
        DecisionChanged = ("decision_changed", "处罚决定变更撤销"),
        /// 协助通知书送达有关部门.
        AssistanceRequested = ("assistance_requested", "协助通知书送达"),
        /// 执法人员当场收缴罚款.
        CashCollected = ("cash_collected", "当场收缴罚款"),
    }
}

crate::coded_enum! {
    /// 计算方法 — how the anchor is counted.
    pub enum CountingRule {
        /// 次日起算: the anchor day is not counted; counting starts the next day
        /// (民法典 第二百零一条第一款, 民事诉讼法 第八十五条). Day and month units.
        NextDay = ("next_day", "次日起算"),
        /// 当日起算: the anchor day counts as the first day (only where a rule says so). Day units.
        SameDay = ("same_day", "当日起算"),
        /// 即时起算: from the anchor instant (民法典 第二百零一条第二款). Hour units.
        ExactInstant = ("exact_instant", "即时起算"),
    }
}

crate::coded_enum! {
    /// 期限类型 — what the end of the period means.
    pub enum ClockKind {
        /// 办理期限: something must be done by the end (running → due_soon → overdue; met/missed).
        Deadline = ("deadline", "办理期限"),
        /// 等待期: the next step may only be taken after the end (running → elapsed; met/premature),
        /// e.g. 催告期 before applying to court, 公告送达期.
        WaitingPeriod = ("waiting_period", "等待期"),
    }
}

crate::coded_enum! {
    /// 计算方向 — counted forward from the anchor, or back from it.
    pub enum Direction {
        /// 起算事件之后: the period runs after the anchor.
        After = ("after", "事件后"),
        /// 事件之前: the act must be done N units before the anchor (e.g. 听证七日前通知).
        Before = ("before", "事件前"),
    }
}

crate::coded_enum! {
    /// 义务方 — who must act within the period (for dashboards: 三超期 monitors the authority's own).
    pub enum Obligor {
        /// 执法部门 (the enforcement team or bureau).
        Authority = ("authority", "执法部门"),
        /// 当事人.
        Party = ("party", "当事人"),
        /// 协作部门 (another management department).
        Department = ("department", "协作部门"),
        /// 物业服务企业.
        PropertyCompany = ("property_company", "物业服务企业"),
    }
}

/// 即将到期提醒: a deadline is due soon from `length` units before its end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DueSoon {
    pub length: u32,
    /// natural_days, working_days, hours or working_hours.
    pub unit: ClockUnit,
}

/// Who may suspend (中止) a period. Suspension reasons are listed for the user interface; the
/// engine does not restrict the free-text reason recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SuspensionPolicy {
    pub approvers: Vec<Role>,
    pub reasons: Vec<String>,
}

/// Who may extend (延长) a period, in which unit, how often and how far.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExtensionPolicy {
    pub approvers: Vec<Role>,
    /// Unit of an extension's length: the rule's unit, or natural days for a month rule.
    pub unit: ClockUnit,
    /// At most this many extensions (None: no limit).
    pub max_count: Option<u32>,
    /// Each extension at most this long, in `unit` (None: no limit).
    pub max_length: Option<u32>,
}

/// One legal clock rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClockRule {
    /// Stable code, e.g. `case_decision_90d`.
    pub code: String,
    /// Chinese name, e.g. 办案期限.
    pub name: String,
    pub kind: ClockKind,
    pub obligor: Obligor,
    pub direction: Direction,
    pub unit: ClockUnit,
    pub length: u32,
    pub anchor: AnchorEvent,
    pub counting: CountingRule,
    /// 顺延: a natural-day/month period whose last day is a holiday or rest day ends on the next
    /// working day (民事诉讼法 第八十五条, 民法典 第二百零三条).
    pub rolling: bool,
    /// The legal source, article and text.
    pub source: String,
    /// False for rules marked \[U\] in facts.md: placeholders to verify, kept configurable.
    pub confirmed: bool,
    /// What is unconfirmed, conflicts, interpretation choices.
    pub note: String,
    pub due_soon: Option<DueSoon>,
    /// None: the period cannot be suspended.
    pub suspension: Option<SuspensionPolicy>,
    /// None: the period cannot be extended.
    pub extension: Option<ExtensionPolicy>,
}

/// Errors of a rules file: every problem found, each a Chinese sentence naming the rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RulesError {
    pub messages: Vec<String>,
}

impl fmt::Display for RulesError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.messages.join("\n"))
    }
}

impl std::error::Error for RulesError {}

/// The loaded, validated rules.
#[derive(Debug, Clone)]
pub struct RuleSet {
    rules: Vec<ClockRule>,
    by_code: HashMap<String, usize>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    rule: Vec<RawRule>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    code: String,
    name: String,
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    obligor: Option<String>,
    #[serde(default)]
    direction: Option<String>,
    unit: String,
    length: i64,
    anchor: String,
    #[serde(default)]
    counting: Option<String>,
    #[serde(default)]
    rolling: bool,
    source: String,
    confirmed: bool,
    #[serde(default)]
    note: String,
    #[serde(default)]
    due_soon: Option<RawDueSoon>,
    #[serde(default)]
    suspension: Option<RawSuspension>,
    #[serde(default)]
    extension: Option<RawExtension>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDueSoon {
    length: i64,
    unit: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSuspension {
    approvers: Vec<String>,
    #[serde(default)]
    reasons: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawExtension {
    approvers: Vec<String>,
    #[serde(default)]
    unit: Option<String>,
    #[serde(default)]
    max_count: Option<i64>,
    #[serde(default)]
    max_length: Option<i64>,
}

fn codes_of<T: crate::Coded>() -> String {
    T::all().iter().map(|v| v.code()).collect::<Vec<_>>().join("、")
}

/// Parses a code of a coded enum, or records a Chinese error naming the rule.
fn coded<T: crate::Coded>(at: &str, field: &str, what: &str, code: &str, errors: &mut Vec<String>) -> Option<T> {
    let v = T::from_code(code.trim());
    if v.is_none() {
        errors.push(format!(
            "{at}：未知的{what}“{code}”（{field} 应为 {}）",
            codes_of::<T>()
        ));
    }
    v
}

fn positive(at: &str, what: &str, v: i64, errors: &mut Vec<String>) -> u32 {
    if !(1..=100_000).contains(&v) {
        errors.push(format!("{at}：{what}应为1至100000之间的整数，实为{v}"));
        1
    } else {
        v as u32
    }
}

fn roles(at: &str, what: &str, codes: &[String], errors: &mut Vec<String>) -> Vec<Role> {
    if codes.is_empty() {
        errors.push(format!("{at}：{what}须列出至少一个审批角色"));
    }
    codes
        .iter()
        .filter_map(|c| {
            let r = Role::from_code(c.trim());
            if r.is_none() {
                errors.push(format!("{at}：{what}的角色“{c}”不存在（应为 {}）", codes_of::<Role>()));
            }
            r
        })
        .collect()
}

fn valid_code(code: &str) -> bool {
    let mut chars = code.chars();
    matches!(chars.next(), Some('a'..='z')) && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

fn convert(raw: RawRule, errors: &mut Vec<String>) -> Option<ClockRule> {
    let before = errors.len();
    let at = if raw.name.trim().is_empty() {
        format!("规则 {}", raw.code)
    } else {
        format!("规则 {}（{}）", raw.code, raw.name)
    };
    let at = at.as_str();
    if !valid_code(&raw.code) {
        errors.push(format!("{at}：代码须由小写字母、数字和下划线组成，并以字母开头"));
    }
    if raw.name.trim().is_empty() {
        errors.push(format!("{at}：缺少中文名称（name）"));
    }
    let unit = coded::<ClockUnit>(at, "unit", "期限单位", &raw.unit, errors);
    let length = positive(at, "期限长度（length）", raw.length, errors);
    let anchor = coded::<AnchorEvent>(at, "anchor", "起算事件", &raw.anchor, errors);
    let kind = match &raw.kind {
        Some(k) => coded::<ClockKind>(at, "kind", "期限类型", k, errors),
        None => Some(ClockKind::Deadline),
    };
    let obligor = match &raw.obligor {
        Some(k) => coded::<Obligor>(at, "obligor", "义务方", k, errors),
        None => Some(Obligor::Authority),
    };
    let direction = match &raw.direction {
        Some(k) => coded::<Direction>(at, "direction", "计算方向", k, errors),
        None => Some(Direction::After),
    };
    let counting = match (&raw.counting, unit) {
        (Some(c), _) => coded::<CountingRule>(at, "counting", "计算方法", c, errors),
        (None, Some(u)) if u.is_day_based() => Some(CountingRule::NextDay),
        (None, _) => Some(CountingRule::ExactInstant),
    };
    if raw.source.trim().is_empty() {
        errors.push(format!("{at}：缺少法律依据（source）"));
    }
    if !raw.confirmed && raw.note.trim().is_empty() {
        errors.push(format!(
            "{at}：未经核实的规则（confirmed = false）须在 note 中说明待核实的内容"
        ));
    }

    let due_soon = raw.due_soon.as_ref().and_then(|d| {
        let u = coded::<ClockUnit>(at, "due_soon.unit", "提醒单位", &d.unit, errors)?;
        if u == ClockUnit::NaturalMonths {
            errors.push(format!(
                "{at}：即将到期提醒不能以月计（due_soon.unit 应为 natural_days、working_days、hours 或 working_hours）"
            ));
        }
        Some(DueSoon {
            length: positive(at, "提醒长度（due_soon.length）", d.length, errors),
            unit: u,
        })
    });
    let suspension = raw.suspension.as_ref().map(|s| SuspensionPolicy {
        approvers: roles(at, "中止（suspension）", &s.approvers, errors),
        reasons: s.reasons.iter().map(|r| r.trim().to_string()).collect(),
    });
    let extension = raw.extension.as_ref().and_then(|e| {
        let u = match &e.unit {
            Some(c) => coded::<ClockUnit>(at, "extension.unit", "延长单位", c, errors)?,
            None => unit?,
        };
        Some(ExtensionPolicy {
            approvers: roles(at, "延长（extension）", &e.approvers, errors),
            unit: u,
            max_count: e
                .max_count
                .map(|v| positive(at, "延长次数上限（extension.max_count）", v, errors)),
            max_length: e
                .max_length
                .map(|v| positive(at, "单次延长上限（extension.max_length）", v, errors)),
        })
    });

    let (unit, anchor, kind, obligor, direction, counting) = (unit?, anchor?, kind?, obligor?, direction?, counting?);
    // Combinations.
    match (unit.is_day_based(), counting) {
        (true, CountingRule::ExactInstant) => errors.push(format!(
            "{at}：以日、月计的期限应为次日起算（next_day）或当日起算（same_day），不能即时起算"
        )),
        (false, CountingRule::NextDay | CountingRule::SameDay) => {
            errors.push(format!("{at}：以小时计的期限应即时起算（exact_instant）"))
        }
        _ => {}
    }
    if unit == ClockUnit::NaturalMonths && counting == CountingRule::SameDay {
        errors.push(format!("{at}：以月计的期限不能当日起算"));
    }
    if raw.rolling && !matches!(unit, ClockUnit::NaturalDays | ClockUnit::NaturalMonths) {
        errors.push(format!("{at}：只有以自然日、月计的期限可以顺延（rolling）"));
    }
    if direction == Direction::Before {
        if raw.rolling {
            errors.push(format!("{at}：事件前倒数的期限不适用顺延"));
        }
        if counting == CountingRule::SameDay {
            errors.push(format!("{at}：事件前倒数的期限不能当日起算"));
        }
        if suspension.is_some() || extension.is_some() {
            errors.push(format!("{at}：事件前倒数的期限不能中止或延长"));
        }
    }
    if kind == ClockKind::WaitingPeriod && due_soon.is_some() {
        errors.push(format!("{at}：等待期不设即将到期提醒（due_soon）"));
    }
    if let Some(e) = &extension {
        let ok = e.unit == unit || (unit == ClockUnit::NaturalMonths && e.unit == ClockUnit::NaturalDays);
        if !ok {
            errors.push(format!(
                "{at}：延长单位“{}”不适用于以{}计的期限（应与期限单位相同；以月计的期限也可按自然日延长）",
                e.unit.code(),
                unit.label()
            ));
        }
    }
    if errors.len() > before {
        return None;
    }
    Some(ClockRule {
        code: raw.code,
        name: raw.name.trim().to_string(),
        kind,
        obligor,
        direction,
        unit,
        length,
        anchor,
        counting,
        rolling: raw.rolling,
        source: raw.source.trim().to_string(),
        confirmed: raw.confirmed,
        note: raw.note.trim().to_string(),
        due_soon,
        suspension,
        extension,
    })
}

impl RuleSet {
    /// Parses and validates a rules file (the form of `data/clock-rules.toml`):
    ///
    /// ```toml
    /// [[rule]]
    /// code = "case_decision_90d"            # stable code: a-z, 0-9, _
    /// name = "办案期限"
    /// kind = "deadline"                     # deadline (default) | waiting_period
    /// obligor = "authority"                 # authority (default) | party | department | property_company
    /// direction = "after"                   # after (default) | before
    /// unit = "natural_days"                 # working_days | natural_days | natural_months | hours | working_hours
    /// length = 90
    /// anchor = "case_filed"                 # an AnchorEvent code
    /// counting = "next_day"                 # next_day (default for days/months) | same_day | exact_instant (hours)
    /// rolling = false                       # natural days/months only
    /// source = "《行政处罚法》第六十条：…"
    /// confirmed = false                     # false for [U] rules; then `note` must say what to verify
    /// note = "…"
    /// due_soon = { length = 10, unit = "natural_days" }
    /// suspension = { approvers = ["team_leader"], reasons = ["听证", "公告", "检测鉴定"] }
    /// extension = { approvers = ["bureau_leader"], unit = "natural_days", max_count = 1, max_length = 30 }
    /// ```
    ///
    /// Every problem is reported, each a Chinese sentence naming the rule (e.g. an unknown unit:
    /// `规则 x（…）：未知的期限单位“weeks”（unit 应为 working_days、…）`).
    pub fn from_toml(text: &str) -> Result<RuleSet, RulesError> {
        let raw: RawFile = toml::from_str(text).map_err(|e| RulesError {
            messages: vec![toml_error("规则文件", text, &e)],
        })?;
        let mut errors = Vec::new();
        let mut rules = Vec::new();
        let mut by_code = HashMap::new();
        for r in raw.rule {
            let code = r.code.clone();
            if let Some(rule) = convert(r, &mut errors) {
                if by_code.insert(code.clone(), rules.len()).is_some() {
                    errors.push(format!("规则 {code}：代码重复"));
                }
                rules.push(rule);
            }
        }
        if rules.is_empty() && errors.is_empty() {
            errors.push("规则文件中没有任何规则（[[rule]]）".to_string());
        }
        if !errors.is_empty() {
            return Err(RulesError { messages: errors });
        }
        Ok(RuleSet { rules, by_code })
    }

    /// The rule with this code.
    pub fn get(&self, code: &str) -> Option<&ClockRule> {
        self.by_code.get(code).map(|&i| &self.rules[i])
    }

    /// All rules, in file order.
    pub fn rules(&self) -> &[ClockRule] {
        &self.rules
    }

    pub fn len(&self) -> usize {
        self.rules.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(body: &str) -> Result<RuleSet, RulesError> {
        RuleSet::from_toml(&format!("[[rule]]\n{body}"))
    }

    const OK: &str = "code = \"x_5wd\"\nname = \"测试\"\nunit = \"working_days\"\nlength = 5\nanchor = \"case_filed\"\nsource = \"法\"\nconfirmed = true\n";

    #[test]
    fn a_minimal_rule_gets_the_defaults() {
        let rs = one(OK).unwrap();
        let r = rs.get("x_5wd").unwrap();
        assert_eq!(
            (r.kind, r.direction, r.counting, r.obligor),
            (
                ClockKind::Deadline,
                Direction::After,
                CountingRule::NextDay,
                Obligor::Authority
            )
        );
        assert!(r.suspension.is_none() && r.extension.is_none() && !r.rolling);
    }

    #[test]
    fn an_unknown_unit_is_refused_in_chinese_naming_the_rule() {
        let err = one(&OK.replace("working_days", "weeks")).unwrap_err();
        assert_eq!(err.messages.len(), 1, "{err}");
        assert!(
            err.messages[0]
                .starts_with("规则 x_5wd（测试）：未知的期限单位“weeks”（unit 应为 working_days、natural_days"),
            "{err}"
        );
    }

    #[test]
    fn bad_combinations_are_refused() {
        let cases = [
            (OK.replace("length = 5", "length = 0"), "期限长度"),
            (OK.replace("case_filed", "case_opened"), "未知的起算事件“case_opened”"),
            (format!("{OK}rolling = true\n"), "只有以自然日、月计的期限可以顺延"),
            (format!("{OK}counting = \"exact_instant\"\n"), "不能即时起算"),
            (OK.replace("confirmed = true", "confirmed = false"), "须在 note 中说明"),
            (
                format!("{OK}suspension = {{ approvers = [\"chief\"] }}\n"),
                "角色“chief”不存在",
            ),
            (
                format!("{OK}extension = {{ approvers = [\"team_leader\"], unit = \"natural_days\" }}\n"),
                "延长单位“natural_days”不适用于以工作日计的期限",
            ),
            (
                format!("{OK}direction = \"before\"\nextension = {{ approvers = [\"team_leader\"] }}\n"),
                "不能中止或延长",
            ),
            (
                format!("{OK}kind = \"waiting_period\"\ndue_soon = {{ length = 1, unit = \"working_days\" }}\n"),
                "等待期不设即将到期提醒",
            ),
            (
                format!("{OK}due_soon = {{ length = 1, unit = \"natural_months\" }}\n"),
                "不能以月计",
            ),
            (OK.replace("x_5wd", "X-5"), "代码须由小写字母"),
        ];
        for (body, want) in cases {
            let err = one(&body).unwrap_err();
            assert!(err.to_string().contains(want), "want {want:?} in {err}");
        }
        let err = RuleSet::from_toml(&format!("[[rule]]\n{OK}\n[[rule]]\n{OK}")).unwrap_err();
        assert!(err.to_string().contains("代码重复"), "{err}");
        let err = one(&format!("{OK}lenght = 5\n")).unwrap_err();
        assert!(err.to_string().starts_with("规则文件第9行格式错误"), "{err}");
    }
}
