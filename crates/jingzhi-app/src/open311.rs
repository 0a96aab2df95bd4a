//! Open311 GeoReport v2 in the application layer: registering a service request from an Open311
//! client (API key, idempotent re-submission), the service definitions' attributes and what they
//! do, and the **public** read-only view of requests that the spec lets anyone query without a key.
//!
//! The public view has its own scope rule, independent of any actor:
//! - only clues of the channels in [`PUBLIC_CHANNELS`] (公众举报 — every Open311 request, and the
//!   public reports staff register for citizens) are visible; 12345 work orders, property,
//!   grid, patrol, department and superior clues never are;
//! - the reporter's name and phone are never part of it, and are also blanked out of the texts
//!   shown (description, address, reply), together with any run of 7+ digits (phone, ID numbers);
//! - internal notes (verification and disposal notes, the timeline) are not shown; only the
//!   status, the conclusion labels, the return reason and the reply to the reporter are.
//!
//! The web layer (`jingzhi_web::open311`) turns these into the spec's XML and JSON.

use crate::App;
use crate::actor::{Actor, Via};
use crate::clues::{NewClue, Point};
use crate::error::{AppError, AppResult, ErrorCode};
use jiff::{SignedDuration, Timestamp};
use jingzhi_domain::clue::{Channel, Clue, ClueAction, ClueStatus, mask_phone, roles_for};
use jingzhi_domain::matter::{Catalogue, Matter, OTHER_CODE};
use jingzhi_domain::time::{civil_datetime, zh_date, zh_datetime};
use jingzhi_store::Conn;
use jingzhi_store::repo::clues::{self as repo, ClueFilter};
use jingzhi_store::repo::{clocks as clock_repo, places};
use std::collections::HashMap;

/// The channels whose clues the public Open311 view shows.
pub const PUBLIC_CHANNELS: &[Channel] = &[Channel::PublicReport];
/// Prefix of the source reference of clues registered through Open311.
pub const SOURCE_PREFIX: &str = "open311:";
/// An identical request from the same client within this many seconds returns the first one.
pub const IDEMPOTENCY_WINDOW_SECS: i64 = 60;
/// The spec's default and maximum query span.
pub const MAX_SPAN_DAYS: i64 = 90;
/// The spec's default volume, and our maximum page size.
pub const MAX_PAGE_SIZE: i64 = 1000;
/// Deepest row a list may reach (page × page_size) when several service codes are merged.
const MAX_DEPTH: i64 = 100_000;
/// Longest description the spec allows.
pub const MAX_DESCRIPTION_CHARS: usize = 4000;

/// Whether a matter is offered as an Open311 service: the matters in 城管's remit, and 其他.
pub fn is_service(m: &Matter) -> bool {
    m.remit.is_chengguan() || m.is_other()
}

/// The Open311 service code under which a clue of this matter is shown: the matter's code when it
/// is a service, else `other` (out-of-remit matters such as 群租 are not offered as services).
pub fn service_code_of<'a>(cat: &'a Catalogue, matter_code: &'a str) -> &'a str {
    match cat.get(matter_code) {
        Some(m) if is_service(m) => &m.code,
        _ => OTHER_CODE,
    }
}

/// The matter codes that a service code stands for in a query (`other` also covers the matters
/// that are not services). Empty for an unknown code.
fn matter_codes_of(cat: &Catalogue, service_code: &str) -> Vec<String> {
    cat.matters()
        .iter()
        .filter(|m| service_code_of(cat, &m.code) == service_code)
        .map(|m| m.code.clone())
        .collect()
}

/// Datatype of an attribute of a service definition (the spec's names).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Datatype {
    String,
    Datetime,
    SingleValueList,
}

impl Datatype {
    pub fn code(self) -> &'static str {
        match self {
            Datatype::String => "string",
            Datatype::Datetime => "datetime",
            Datatype::SingleValueList => "singlevaluelist",
        }
    }
}

/// One attribute of a service definition.
#[derive(Debug, Clone)]
pub struct AttributeDef {
    pub code: &'static str,
    pub datatype: Datatype,
    pub required: bool,
    pub order: u32,
    /// Chinese question shown to the reporter.
    pub description: &'static str,
    pub datatype_description: &'static str,
    /// (key, name) for lists.
    pub values: &'static [(&'static str, &'static str)],
}

const UNDER_CONSTRUCTION: AttributeDef = AttributeDef {
    code: "under_construction",
    datatype: Datatype::SingleValueList,
    required: true,
    order: 1,
    description: "是否正在搭建？（正在搭建的，执法队员2小时内到场；已建成的，24小时内到场核查）",
    datatype_description: "",
    values: &[("yes", "是，正在搭建"), ("no", "否，已经建成")],
};

const COMPOUND: AttributeDef = AttributeDef {
    code: "compound",
    datatype: Datatype::String,
    required: false,
    order: 2,
    description: "所在小区名称（如：天山一村），便于确定管辖街镇",
    datatype_description: "小区名称，不超过50字",
    values: &[],
};

const DISCOVERED_AT: AttributeDef = AttributeDef {
    code: "discovered_at",
    datatype: Datatype::Datetime,
    required: false,
    order: 3,
    description: "发现问题的时间",
    datatype_description: "W3C 时间格式，如 2026-03-02T21:30:00+08:00",
    values: &[],
};

/// Matters that happen in residential compounds: the definition asks for the compound.
const RESIDENTIAL: &[&str] = &[
    "illegal_construction",
    "load_bearing_damage",
    "renovation_violation",
    "common_area_occupation",
    "ebike_charging",
];

/// The attributes of a service's definition, in order.
pub fn attributes_of(service_code: &str) -> Vec<AttributeDef> {
    let mut v = Vec::new();
    if service_code == "illegal_construction" {
        v.push(UNDER_CONSTRUCTION);
    }
    if RESIDENTIAL.contains(&service_code) {
        v.push(COMPOUND);
    }
    v.push(DISCOVERED_AT);
    v
}

/// A service request as an Open311 client posts it (fields of the spec, already URL-decoded).
#[derive(Debug, Clone, Default)]
pub struct Submission {
    pub service_code: String,
    /// WGS84 latitude and longitude as sent (both or neither).
    pub lat: String,
    pub long: String,
    pub address_string: String,
    pub address_id: String,
    pub email: String,
    pub device_id: String,
    pub account_id: String,
    pub first_name: String,
    pub last_name: String,
    pub phone: String,
    pub description: String,
    pub media_url: String,
    /// `attribute[code]=value` and `attribute[code][]=value`, in order.
    pub attributes: Vec<(String, String)>,
}

/// What a submission did.
#[derive(Debug, Clone)]
pub struct Submitted {
    pub clue: Clue,
    /// False when the same client sent the same request within the idempotency window.
    pub created: bool,
    /// What the reporter can expect (Chinese), from the clocks that started.
    pub notice: String,
}

/// A query of the public view (the spec's GET Service Requests).
#[derive(Debug, Clone, Default)]
pub struct PublicFilter {
    /// Clue numbers; when given, every other criterion is ignored.
    pub ids: Vec<String>,
    pub service_codes: Vec<String>,
    pub start: Option<Timestamp>,
    pub end: Option<Timestamp>,
    /// `Some(true)` open only, `Some(false)` closed only, `None` both.
    pub open: Option<bool>,
    /// 1-based.
    pub page: i64,
    pub page_size: i64,
}

/// One request as the public sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct PublicRequest {
    /// The clue number (XS2026000123).
    pub id: String,
    pub open: bool,
    pub status_notes: String,
    pub service_code: String,
    pub service_name: String,
    pub description: String,
    pub agency_responsible: String,
    pub service_notice: String,
    pub requested_at: Timestamp,
    /// The closing instant for closed requests.
    pub updated_at: Timestamp,
    /// Due instant of the reporter-feedback clock, if any.
    pub expected_at: Option<Timestamp>,
    pub address: String,
    pub address_id: Option<String>,
    pub lat: Option<f64>,
    pub long: Option<f64>,
    pub media_url: Option<String>,
}

/// Removes HTML tags and the common entities (the spec: "not html or code").
pub fn strip_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('<') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let tag_like = after
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '/' || c == '!' || c == '?');
        match after.find('>') {
            Some(j) if tag_like => {
                let tag = after[..j].to_ascii_lowercase();
                rest = &after[j + 1..];
                // Drop script and style bodies altogether.
                for body in ["script", "style"] {
                    if tag.starts_with(body)
                        && let Some(end) = rest.to_ascii_lowercase().find(&format!("</{body}"))
                    {
                        rest = &rest[end..];
                    }
                }
                if matches!(
                    tag.trim_end_matches('/').trim(),
                    "br" | "p" | "/p" | "div" | "/div" | "li"
                ) {
                    out.push('\n');
                }
            }
            _ => {
                out.push('<');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    let decoded = out
        .replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&");
    // At most one blank line in a row, no trailing spaces.
    let mut lines: Vec<&str> = Vec::new();
    for l in decoded.lines().map(str::trim_end) {
        if l.trim().is_empty() && lines.last().is_none_or(|p| p.trim().is_empty()) {
            continue;
        }
        lines.push(l);
    }
    lines.join("\n").trim().to_string()
}

/// Blanks out the reporter's name and phone and any run of 7+ digits.
fn scrub(text: &str, k: &Clue) -> String {
    let mut t = text.to_string();
    if let Some(p) = k.reporter_phone.as_deref().map(str::trim).filter(|p| p.len() >= 5) {
        t = t.replace(p, "***");
    }
    if let Some(n) = k
        .reporter_name
        .as_deref()
        .map(str::trim)
        .filter(|n| n.chars().count() >= 2)
    {
        t = t.replace(n, "***");
    }
    let mut out = String::with_capacity(t.len());
    let mut digits = String::new();
    let flush = |digits: &mut String, out: &mut String| {
        if digits.len() == 11 {
            out.push_str(&mask_phone(digits));
        } else if digits.len() >= 7 {
            out.push_str(&"*".repeat(digits.len()));
        } else {
            out.push_str(digits);
        }
        digits.clear();
    };
    for ch in t.chars() {
        if ch.is_ascii_digit() {
            digits.push(ch);
        } else {
            flush(&mut digits, &mut out);
            out.push(ch);
        }
    }
    flush(&mut digits, &mut out);
    out
}

fn bad(field: &str, message: impl Into<String>) -> AppError {
    AppError::field(field, message)
}

/// Reads a W3C date-time. A `+` that a query string turned into a space is put back. A bare date
/// is the start of that day (or its end, for the end of a range), in Asia/Shanghai.
pub fn parse_w3c(s: &str, end_of_day: bool) -> Result<Timestamp, String> {
    let s = s.trim();
    let fixed = if s.len() > 10 {
        s.replace(' ', "+")
    } else {
        s.to_string()
    };
    if fixed.len() == 10
        && let Ok(d) = fixed.parse::<jiff::civil::Date>()
    {
        return Ok(if end_of_day {
            jingzhi_domain::time::end_of_day(d)
        } else {
            jingzhi_domain::time::start_of_day(d)
        });
    }
    jingzhi_domain::time::parse_instant(&fixed)
        .map_err(|_| format!("无法识别的时间：{s}（应为 W3C 格式，如 2026-03-02T09:30:00+08:00）"))
}

/// Roughly Shanghai: a point outside is a client error (0,0; swapped lat/long; another city).
fn in_shanghai(lat: f64, long: f64) -> bool {
    (30.6..=31.95).contains(&lat) && (120.8..=122.2).contains(&long)
}

fn clean_phone(p: &str) -> String {
    p.chars().filter(|c| !matches!(c, ' ' | '(' | ')' | '.')).collect()
}

fn reporter_name(first: &str, last: &str) -> Option<String> {
    let (first, last) = (first.trim(), last.trim());
    let name = if first.is_ascii() && last.is_ascii() {
        format!("{first} {last}")
    } else {
        format!("{last}{first}")
    };
    Some(name.trim().chars().take(50).collect::<String>()).filter(|n| !n.is_empty())
}

fn yes_no(v: &str) -> Option<bool> {
    match v.trim().to_lowercase().as_str() {
        "yes" | "true" | "1" | "是" | "y" => Some(true),
        "no" | "false" | "0" | "否" | "n" => Some(false),
        _ => None,
    }
}

/// The reporter-feedback clocks (their due instant is the request's expected_datetime).
const FEEDBACK_RULES: &[&str] = &[
    "report_feedback_5wd",
    "illegal_building_feedback_1m",
    "hotline_consult_1wd",
    "hotline_supervise_3wd",
    "hotline_complaint_5wd",
    "hotline_complex_15wd",
];

fn due_text(t: Timestamp) -> String {
    let dt = civil_datetime(t);
    if dt.hour() == 23 && dt.minute() == 59 {
        zh_date(dt.date())
    } else {
        zh_datetime(t)
    }
}

/// What the reporter can expect, from the clue's open clocks.
fn notice_of(k: &Clue, clocks: &[clock_repo::ClockRow]) -> String {
    let mut parts = Vec::new();
    for row in clocks.iter().filter(|r| r.met_at.is_none()) {
        let due = due_text(row.due_at);
        let (rank, s) = match row.rule_code.as_str() {
            "illegal_building_visit_2h" | "illegal_building_visit_24h" => (0, format!("执法队员将于{due}前到场核查")),
            "report_transfer_3wd" => (1, format!("该事项可能不属城管执法职责，将于{due}前移送主管部门")),
            "report_feedback_5wd" => (2, format!("将于{due}前告知核查处理结果")),
            "illegal_building_feedback_1m" => (3, format!("违建处理情况将于{due}前反馈")),
            _ => continue,
        };
        parts.push((rank, s));
    }
    parts.sort();
    let parts: Vec<String> = parts.into_iter().map(|(_, s)| s).collect();
    let mut s = format!("已登记为线索{}，可凭此编号查询办理进度", k.no);
    if !parts.is_empty() {
        s.push('；');
        s.push_str(&parts.join("；"));
    } else if k.anonymous || (k.reporter_phone.is_none() && k.reporter_name.is_none()) {
        s.push_str("；未留姓名或电话，处理结果不另行告知");
    }
    s.push('。');
    s
}

/// What an Open311 registration recorded on the timeline (the event's data).
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
struct Recorded {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    media_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    address_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    device_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    account_id: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    attributes: Vec<(String, String)>,
}

fn recorded_of(events: &[repo::ClueEvent]) -> Recorded {
    events
        .iter()
        .filter_map(|e| e.data.as_deref())
        .filter_map(|d| serde_json::from_str::<serde_json::Value>(d).ok())
        .find_map(|v| v.get("open311").cloned())
        .and_then(|v| serde_json::from_value(v).ok())
        .unwrap_or_default()
}

fn non_empty(s: &str) -> Option<String> {
    Some(s.trim().to_string()).filter(|x| !x.is_empty())
}

fn open_statuses(open: bool) -> Vec<ClueStatus> {
    ClueStatus::ALL
        .iter()
        .copied()
        .filter(|s| s.is_open() == open)
        .collect()
}

impl App {
    /// Registers a service request posted by an Open311 client with its API key, as a 公众举报
    /// clue. Keys of partner organisations (property companies, grids, departments) are refused:
    /// their reports are not public reports. The same request (same key, service, place, device,
    /// account and description) sent again within [`IDEMPOTENCY_WINDOW_SECS`] returns the first
    /// clue instead of a second one.
    pub fn open311_submit(&self, api_key: &str, s: &Submission) -> AppResult<Submitted> {
        let key = api_key.trim();
        if key.is_empty() {
            return Err(AppError::with_message(
                ErrorCode::BadApiKey,
                "缺少 api_key（提交请求须提供接口密钥）",
            ));
        }
        let actor = self.api_key_actor(key)?;
        if actor.is_partner() {
            return Err(AppError::with_message(
                ErrorCode::Forbidden,
                "此接口密钥属于合作单位，不能用于Open311公众举报；请使用指挥中心签发的密钥",
            ));
        }
        if !actor.roles.iter().any(|r| roles_for(ClueAction::Register).contains(r)) {
            return Err(AppError::with_message(ErrorCode::Forbidden, "此接口密钥无权登记线索"));
        }
        let data = self.intake_data()?;
        let now = self.now();
        let (n, recorded, note) = self.open311_new_clue(&data.catalogue, s, now)?;
        // Idempotency: a fingerprint of the request, bucketed by minute.
        let key_id = match actor.via {
            Via::ApiKey { id } => id,
            _ => 0,
        };
        let fingerprint = crate::secrets::sha256_hex(
            &[
                key_id.to_string().as_str(),
                s.service_code.trim(),
                s.lat.trim(),
                s.long.trim(),
                s.address_string.trim(),
                s.address_id.trim(),
                s.device_id.trim(),
                s.account_id.trim(),
                s.email.trim(),
                n.description.as_str(),
            ]
            .join("\u{1f}"),
        );
        let minute = now.as_second().div_euclid(60);
        let source = |m: i64| format!("{SOURCE_PREFIX}{}:{m}", &fingerprint[..24]);
        let n = NewClue {
            source_ref: Some(source(minute)),
            ..n
        };
        let clocks = self.clock_data()?;
        let prepared = self.prepare_clue(&actor, &n, &data, now)?;
        let attempt = || -> AppResult<Submitted> {
            let placed = self
                .store
                .read(|c| self.place_clue(c, &actor, &prepared, &data, crate::clues::PlaceMode::Reader))?;
            self.store.write(|c| {
                for m in [minute, minute - 1] {
                    if let Some(k) = repo::find_by_source(c, Channel::PublicReport, &source(m))?
                        && now.duration_since(k.received_at) < SignedDuration::from_secs(IDEMPOTENCY_WINDOW_SECS)
                    {
                        let rows = clock_repo::clocks_of(c, "clue", k.id)?;
                        let notice = notice_of(&k, &rows);
                        return Ok(Submitted {
                            clue: k,
                            created: false,
                            notice,
                        });
                    }
                }
                let r = self.register_placed(c, &actor, &prepared, placed, &data, &clocks, now)?;
                self.open311_note(c, &actor, &r.clue, &note, &recorded, now)?;
                let rows = clock_repo::clocks_of(c, "clue", r.clue.id)?;
                let notice = notice_of(&r.clue, &rows);
                Ok(Submitted {
                    clue: r.clue,
                    created: r.created,
                    notice,
                })
            })
        };
        let r = match attempt() {
            // Two identical requests at once: the second finds the first.
            Err(e) if e.code == ErrorCode::Conflict => attempt(),
            r => r,
        };
        self.queue_counts.invalidate();
        r
    }

    /// Checks a submission and turns it into a new clue, what to record, and the timeline note.
    fn open311_new_clue(
        &self,
        cat: &Catalogue,
        s: &Submission,
        now: Timestamp,
    ) -> AppResult<(NewClue, Recorded, String)> {
        let code = s.service_code.trim();
        if code.is_empty() {
            return Err(bad("service_code", "缺少 service_code（事项代码）"));
        }
        let matter = cat
            .get(code)
            .filter(|m| is_service(m))
            .ok_or_else(|| AppError::with_message(ErrorCode::NotFound, format!("service_code 不存在：{code}")))?;
        // Location: lat+long, or address_string, or address_id.
        let (lat, long) = (s.lat.trim(), s.long.trim());
        let point = match (lat.is_empty(), long.is_empty()) {
            (true, true) => None,
            (false, false) => {
                let (Ok(y), Ok(x)) = (lat.parse::<f64>(), long.parse::<f64>()) else {
                    return Err(bad("lat", "lat/long 须为数字（WGS84 十进制度）"));
                };
                if !in_shanghai(y, x) {
                    return Err(bad(
                        "lat",
                        format!("坐标（lat {y}, long {x}）不在上海市范围内，请确认使用 WGS84 坐标且未将经纬度颠倒"),
                    ));
                }
                Some(Point::Wgs84(x, y))
            }
            _ => return Err(bad("lat", "lat 与 long 须同时提供")),
        };
        let address_string = strip_html(&s.address_string);
        let address_id = s.address_id.trim();
        if point.is_none() && address_string.is_empty() && address_id.is_empty() {
            return Err(bad(
                "location",
                "缺少位置：须提供 lat 和 long，或 address_string，或 address_id",
            ));
        }
        if address_string.chars().count() > 200 || address_id.chars().count() > 64 {
            return Err(bad(
                "address_string",
                "地址过长（address_string 不超过200字，address_id 不超过64字符）",
            ));
        }
        let mut description = strip_html(&s.description);
        if description.chars().count() > MAX_DESCRIPTION_CHARS {
            return Err(bad("description", "description 不能超过4000字"));
        }
        if description.is_empty() {
            description = format!("{}（举报人未填写描述）", matter.name);
        }
        let media_url = s.media_url.trim();
        if !media_url.is_empty()
            && (media_url.len() > 1000
                || !(media_url.starts_with("http://") || media_url.starts_with("https://"))
                || media_url.chars().any(|c| c.is_whitespace() || c.is_control()))
        {
            return Err(bad("media_url", "media_url 须为 http(s) 链接"));
        }
        for (v, field, max) in [
            (&s.email, "email", 200),
            (&s.device_id, "device_id", 200),
            (&s.account_id, "account_id", 200),
            (&s.first_name, "first_name", 50),
            (&s.last_name, "last_name", 50),
        ] {
            if v.chars().count() > max {
                return Err(bad(field, format!("{field} 过长")));
            }
        }
        // Attributes of the service definition.
        let defs = attributes_of(&matter.code);
        let mut values: HashMap<&str, Vec<&str>> = HashMap::new();
        for (k, v) in &s.attributes {
            if defs.iter().any(|d| d.code == k.as_str()) && !v.trim().is_empty() {
                values.entry(k.as_str()).or_default().push(v.trim());
            }
        }
        let mut under_construction = false;
        let mut discovered_at = None;
        let mut compound = None;
        let mut shown = Vec::new();
        for d in &defs {
            let field = format!("attribute[{}]", d.code);
            let vs = values.get(d.code).cloned().unwrap_or_default();
            let Some(v) = vs.first().copied() else {
                if d.required {
                    return Err(bad(&field, format!("缺少必填属性 {field}：{}", d.description)));
                }
                continue;
            };
            if vs.len() > 1 {
                return Err(bad(&field, format!("{field} 只能有一个值")));
            }
            match d.code {
                "under_construction" => {
                    under_construction =
                        yes_no(v).ok_or_else(|| bad(&field, format!("{field} 的取值须为 yes 或 no")))?;
                    shown.push(format!("正在搭建：{}", if under_construction { "是" } else { "否" }));
                }
                "discovered_at" => {
                    let t = parse_w3c(v, false).map_err(|m| bad(&field, m))?;
                    if t > now + SignedDuration::from_mins(10) {
                        return Err(bad(&field, "发现时间不能晚于当前时间"));
                    }
                    shown.push(format!("发现时间：{}", zh_datetime(t)));
                    discovered_at = Some(t);
                }
                "compound" => {
                    let name = strip_html(v);
                    if name.chars().count() > 50 {
                        return Err(bad(&field, "小区名称不超过50字"));
                    }
                    shown.push(format!("小区：{name}"));
                    compound = Some(name);
                }
                _ => {}
            }
        }
        let mut address = match (address_string.is_empty(), &compound) {
            (false, Some(cp)) if !address_string.contains(cp.as_str()) => format!("{address_string}（{cp}）"),
            (false, _) => address_string.clone(),
            (true, Some(cp)) => cp.clone(),
            (true, None) => String::new(),
        };
        if address.is_empty() && !address_id.is_empty() {
            address = format!("地址编号 {address_id}");
        }
        let phone = non_empty(&clean_phone(&s.phone));
        let name = reporter_name(&s.first_name, &s.last_name);
        let n = NewClue {
            reporter_name: name.clone(),
            reporter_phone: phone.clone(),
            anonymous: name.is_none() && phone.is_none(),
            point,
            discovered_at,
            under_construction,
            // 其他: the classifier suggests the matter; a named service is taken as chosen.
            matter_code: (!matter.is_other()).then(|| matter.code.clone()),
            ..NewClue::new(Channel::PublicReport, description, address)
        };
        let recorded = Recorded {
            media_url: non_empty(media_url),
            address_id: non_empty(address_id),
            email: non_empty(&s.email),
            device_id: non_empty(&s.device_id),
            account_id: non_empty(&s.account_id),
            attributes: s
                .attributes
                .iter()
                .filter(|(_, v)| !v.trim().is_empty())
                .map(|(k, v)| (k.clone(), v.trim().to_string()))
                .collect(),
        };
        let mut note = format!("经Open311接口登记（事项：{}）", matter.name);
        if !shown.is_empty() {
            note.push_str(&format!("；{}", shown.join("；")));
        }
        if let Some(u) = &recorded.media_url {
            note.push_str(&format!("；附图链接：{u}"));
        }
        if let Some(a) = &recorded.address_id {
            note.push_str(&format!("；地址编号：{a}"));
        }
        if recorded.email.is_some() && phone.is_none() {
            note.push_str("；举报人留有电子邮箱（见接口记录）");
        }
        Ok((n, recorded, note))
    }

    /// The registration's note on the timeline: media link, attributes; contact data only in the
    /// event's data (never in the note text, which partners in scope may read).
    fn open311_note(
        &self,
        c: &mut dyn Conn,
        a: &Actor,
        k: &Clue,
        note: &str,
        recorded: &Recorded,
        now: Timestamp,
    ) -> AppResult<()> {
        repo::insert_event(
            c,
            &repo::ClueEvent {
                id: 0,
                clue_id: k.id,
                at: now,
                actor_user_id: a.user_id,
                actor_name: a.display_name.clone(),
                actor_org_id: Some(a.org.id).filter(|id| *id > 0),
                action: ClueAction::Note.code().into(),
                from_status: Some(k.status.code().into()),
                to_status: Some(k.status.code().into()),
                note: note.to_string(),
                data: Some(serde_json::json!({ "open311": recorded }).to_string()),
            },
        )?;
        Ok(())
    }

    /// One request of the public view, by its clue number (not found when not public).
    pub fn open311_request(&self, id: &str) -> AppResult<PublicRequest> {
        let data = self.intake_data()?;
        self.store.read(|c| {
            let k = repo::find_by_no(c, id.trim())?
                .filter(|k| PUBLIC_CHANNELS.contains(&k.channel))
                .ok_or_else(|| {
                    AppError::with_message(ErrorCode::NotFound, format!("service_request_id 不存在：{id}"))
                })?;
            let mut names = HashMap::new();
            public_view(c, &data.catalogue, &k, &mut names)
        })
    }

    /// The public view's list: newest first, at most `page_size` (≤ 1000) per page, within at most
    /// 90 days of requested time (default: the last 90 days).
    pub fn open311_requests(&self, f: &PublicFilter) -> AppResult<Vec<PublicRequest>> {
        let data = self.intake_data()?;
        let cat = &data.catalogue;
        let page_size = if f.page_size <= 0 { MAX_PAGE_SIZE } else { f.page_size };
        if page_size > MAX_PAGE_SIZE {
            return Err(bad("page_size", format!("page_size 不能超过{MAX_PAGE_SIZE}")));
        }
        let page = f.page.max(1);
        if !f.ids.is_empty() {
            if f.ids.len() > MAX_PAGE_SIZE as usize {
                return Err(bad("service_request_id", "一次最多查询1000个 service_request_id"));
            }
            return self.store.read(|c| {
                let mut names = HashMap::new();
                let mut out = Vec::new();
                for id in &f.ids {
                    if let Some(k) = repo::find_by_no(c, id.trim())?
                        && PUBLIC_CHANNELS.contains(&k.channel)
                        && !out.iter().any(|r: &PublicRequest| r.id == k.no)
                    {
                        out.push(public_view(c, cat, &k, &mut names)?);
                    }
                }
                Ok(out)
            });
        }
        let span = SignedDuration::from_hours(24 * MAX_SPAN_DAYS);
        let (start, end) = match (f.start, f.end) {
            (Some(s), Some(e)) => (s, e),
            (Some(s), None) => (s, s + span),
            (None, Some(e)) => (e - span, e),
            (None, None) => {
                let now = self.now();
                (now - span, now)
            }
        };
        if end < start {
            return Err(bad("end_date", "end_date 不能早于 start_date"));
        }
        if end.duration_since(start) > span {
            return Err(bad("end_date", "start_date 与 end_date 的跨度不能超过90天"));
        }
        let mut codes: Vec<Option<String>> = Vec::new();
        for sc in &f.service_codes {
            for m in matter_codes_of(cat, sc.trim()) {
                if !codes.contains(&Some(m.clone())) {
                    codes.push(Some(m));
                }
            }
        }
        if f.service_codes.is_empty() {
            codes.push(None);
        } else if codes.is_empty() {
            return Ok(Vec::new());
        }
        let statuses = f.open.map(open_statuses).unwrap_or_default();
        let offset = (page - 1) * page_size;
        let combos: Vec<(Channel, Option<String>)> = PUBLIC_CHANNELS
            .iter()
            .flat_map(|ch| codes.iter().map(move |m| (*ch, m.clone())))
            .collect();
        if combos.len() > 1 && offset + page_size > MAX_DEPTH {
            return Err(bad("page", "页码过大：请缩小时间范围或减少 service_code"));
        }
        self.store.read(|c| {
            let mut rows: Vec<Clue> = Vec::new();
            for (ch, m) in &combos {
                let filter = ClueFilter {
                    statuses: statuses.clone(),
                    channel: Some(*ch),
                    matter_code: m.clone(),
                    received_from: Some(start),
                    received_before: Some(end + SignedDuration::from_nanos(1_000)),
                    ..ClueFilter::default()
                };
                if combos.len() == 1 {
                    rows = repo::list(c, &filter, page_size, offset)?;
                } else {
                    rows.extend(repo::list(c, &filter, offset + page_size, 0)?);
                }
            }
            if combos.len() > 1 {
                rows.sort_by(|a, b| b.received_at.cmp(&a.received_at).then(b.id.cmp(&a.id)));
                rows = rows
                    .into_iter()
                    .skip(offset as usize)
                    .take(page_size as usize)
                    .collect();
            }
            let mut names = HashMap::new();
            rows.iter().map(|k| public_view(c, cat, k, &mut names)).collect()
        })
    }
}

/// The public fields of a clue.
fn public_view(
    c: &mut dyn Conn,
    cat: &Catalogue,
    k: &Clue,
    names: &mut HashMap<i64, String>,
) -> AppResult<PublicRequest> {
    let mut org_name = |c: &mut dyn Conn, id: i64| -> AppResult<String> {
        if let Some(n) = names.get(&id) {
            return Ok(n.clone());
        }
        let n = places::get_org(c, id)?.name;
        names.insert(id, n.clone());
        Ok(n)
    };
    let events = repo::events_of(c, k.id)?;
    let recorded = recorded_of(&events);
    let clocks = clock_repo::clocks_of(c, "clue", k.id)?;
    let service_code = service_code_of(cat, &k.matter_code).to_string();
    let service_name = cat
        .get(&service_code)
        .map(|m| m.name.clone())
        .unwrap_or_else(|| service_code.clone());
    let team = match k.assigned_org_id {
        Some(id) => Some(org_name(c, id)?),
        None => None,
    };
    let agency = match (k.transferred_to_org_id, &team) {
        (Some(id), _) => org_name(c, id)?,
        (None, Some(t)) => t.clone(),
        (None, None) => match places::find_org_by_code(c, crate::orgs::DISPATCH_CODE)? {
            Some(o) => o.name,
            None => "长宁区城管执法局指挥中心".into(),
        },
    };
    let label = k.status.label();
    let mut notes = match k.status {
        ClueStatus::Registered => format!("{label}：已登记，等待受理审核"),
        ClueStatus::Accepted => format!("{label}：已受理，等待派往街镇执法队"),
        ClueStatus::Dispatched => format!("{label}：已派至{}", team.as_deref().unwrap_or("街镇执法队")),
        ClueStatus::Signed => format!("{label}：{}已签收，将到现场核查", team.as_deref().unwrap_or("执法队")),
        ClueStatus::Verified => format!(
            "{label}：现场核查{}",
            k.verification.map(|v| v.label()).unwrap_or("完毕")
        ),
        ClueStatus::Disposed => format!("{label}：已处置（{}）", k.disposal.map(|d| d.label()).unwrap_or("")),
        ClueStatus::Replied => format!("{label}：已答复"),
        ClueStatus::Closed => label.to_string(),
        ClueStatus::Returned => {
            let reason = events
                .iter()
                .rev()
                .find(|e| e.action == ClueAction::ReturnToSource.code())
                .map(|e| e.note.trim().to_string())
                .filter(|n| !n.is_empty());
            match reason {
                Some(r) => format!("{label}：{r}"),
                None => label.to_string(),
            }
        }
        ClueStatus::Transferred => format!("{label}：已移送{agency}办理"),
        ClueStatus::Linked => format!("{label}：与反映同一问题的其他线索合并办理"),
    };
    if let Some(r) = k.reply.as_deref().map(str::trim).filter(|r| !r.is_empty()) {
        notes.push_str(&format!("。答复：{r}"));
    }
    let feedback: Vec<&clock_repo::ClockRow> = clocks
        .iter()
        .filter(|r| FEEDBACK_RULES.contains(&r.rule_code.as_str()))
        .collect();
    let expected_at = feedback
        .iter()
        .filter(|r| r.met_at.is_none())
        .map(|r| r.due_at)
        .min()
        .or_else(|| feedback.iter().map(|r| r.due_at).min());
    let open = k.status.is_open();
    Ok(PublicRequest {
        id: k.no.clone(),
        open,
        status_notes: scrub(&notes, k),
        service_code,
        service_name,
        description: scrub(&k.description, k),
        agency_responsible: agency,
        service_notice: if open { notice_of(k, &clocks) } else { String::new() },
        requested_at: k.received_at,
        updated_at: if open {
            k.updated_at
        } else {
            k.closed_at.unwrap_or(k.updated_at)
        },
        expected_at,
        address: scrub(&k.address, k),
        address_id: recorded.address_id,
        lat: k.lat,
        long: k.lng,
        media_url: recorded.media_url,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_is_stripped_but_text_with_angle_brackets_kept() {
        assert_eq!(strip_html("<b>油烟</b>很大<br>每天&amp;晚上"), "油烟很大\n每天&晚上");
        assert_eq!(strip_html("<script>alert(1)</script>占道"), "占道");
        assert_eq!(strip_html("温度 3 < 5 度"), "温度 3 < 5 度");
        assert_eq!(strip_html("  \n\n\n第一行\n\n\n\n第二行  "), "第一行\n\n第二行");
    }

    #[test]
    fn w3c_times_are_read_with_a_plus_turned_into_a_space() {
        let a = parse_w3c("2026-03-02T09:30:00+08:00", false).unwrap();
        let b = parse_w3c("2026-03-02T09:30:00 08:00", false).unwrap();
        assert_eq!(a, b);
        assert_eq!(a, "2026-03-02T01:30:00Z".parse::<Timestamp>().unwrap());
        let d = parse_w3c("2026-03-02", true).unwrap();
        assert!(d > parse_w3c("2026-03-02T23:59:00+08:00", false).unwrap());
        assert!(parse_w3c("yesterday", false).is_err());
    }

    #[test]
    fn names_follow_their_script() {
        assert_eq!(reporter_name("小明", "王").as_deref(), Some("王小明"));
        assert_eq!(reporter_name("John", "Smith").as_deref(), Some("John Smith"));
        assert_eq!(reporter_name(" ", ""), None);
    }

    #[test]
    fn attributes_are_small_and_ordered() {
        let a = attributes_of("illegal_construction");
        let codes: Vec<&str> = a.iter().map(|d| d.code).collect();
        assert_eq!(codes, vec!["under_construction", "compound", "discovered_at"]);
        assert!(a[0].required);
        assert_eq!(attributes_of("street_vending").len(), 1);
    }
}
