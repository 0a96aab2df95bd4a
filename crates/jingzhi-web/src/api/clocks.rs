//! Calendar and deadline endpoints.

use crate::error::{ApiError, ApiErrorBody};
use crate::extract::ApiUser;
use crate::{WebState, blocking};
use axum::Json;
use axum::extract::{Path, Query, State};
use jingzhi_app::AppError;
use jingzhi_app::clocks::{CalendarFile, DeadlineRequest, remaining_text};
use jingzhi_domain::clock::{ClockUnit, Deadline, Extension, Suspension};
use jingzhi_domain::time::{format_ts, parse_date, parse_instant, zh_weekday};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<WebState> {
    OpenApiRouter::new()
        .routes(routes!(calendar))
        .routes(routes!(import_calendar))
        .routes(routes!(working_days))
        .routes(routes!(rules))
        .routes(routes!(compute_deadline))
}

type ApiResult<T> = Result<T, ApiError>;

fn bad(field: &str, msg: String) -> ApiError {
    ApiError(AppError::field(field, msg))
}

#[derive(Deserialize, IntoParams)]
struct YearParam {
    /// Year, e.g. 2026 (default: the current year).
    year: Option<i32>,
}

#[derive(Serialize, ToSchema)]
pub struct CalendarDay {
    pub date: String,
    pub weekday: String,
    /// `holiday` (day off) or `workday` (make-up working day, 调休上班)
    pub kind: String,
    pub kind_label: String,
    pub name: String,
}

#[derive(Serialize, ToSchema)]
pub struct CalendarDto {
    pub year: i32,
    pub source: Option<String>,
    pub source_url: Option<String>,
    /// True when the year has no calendar data: weekends only, results are provisional.
    pub provisional: bool,
    pub provisional_reason: Option<String>,
    /// Listed days (holidays and make-up working days); weekends are implied.
    pub days: Vec<CalendarDay>,
    /// Working days in each month, January first.
    pub working_days_per_month: Vec<i64>,
}

#[utoipa::path(get, path = "/api/v1/calendar", tag = "clocks", params(YearParam), responses(
    (status = 200, body = CalendarDto), (status = 422, body = ApiErrorBody)))]
async fn calendar(
    State(s): State<WebState>,
    ApiUser(a): ApiUser,
    Query(p): Query<YearParam>,
) -> ApiResult<Json<CalendarDto>> {
    let app = s.app.clone();
    let year = p
        .year
        .unwrap_or_else(|| jingzhi_domain::time::civil_date(s.app.now()).year() as i32);
    let v = blocking(move || app.calendar_year(&a, year)).await?;
    Ok(Json(CalendarDto {
        year: v.year,
        source: v.data.as_ref().map(|y| y.source.clone()),
        source_url: v.data.as_ref().and_then(|y| y.source_url.clone()),
        provisional: v.provisional.is_some(),
        provisional_reason: v.provisional.map(|p| p.reason),
        days: v
            .data
            .map(|y| {
                y.days
                    .iter()
                    .map(|d| CalendarDay {
                        date: d.date.to_string(),
                        weekday: zh_weekday(d.date).into(),
                        kind: d.kind.code().into(),
                        kind_label: d.kind.label().into(),
                        name: d.name.clone(),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        working_days_per_month: v.working_days_per_month,
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct CalendarImport {
    /// `toml` (the data/calendar/YYYY.toml form) or `csv` (`date,kind,name`).
    pub format: String,
    pub content: String,
    /// Source (notice) of a CSV file.
    #[serde(default)]
    pub source: Option<String>,
    /// Validate only.
    #[serde(default)]
    pub dry_run: bool,
}

#[derive(Serialize, ToSchema)]
pub struct CalendarImported {
    pub year: i32,
    pub dry_run: bool,
    pub holidays: usize,
    pub makeup_workdays: usize,
}

#[utoipa::path(put, path = "/api/v1/calendar/{year}", tag = "clocks", request_body = CalendarImport,
    params(("year" = i32, Path, description = "Year to replace")), responses(
    (status = 200, body = CalendarImported), (status = 422, body = ApiErrorBody), (status = 403, body = ApiErrorBody)))]
async fn import_calendar(
    State(s): State<WebState>,
    ApiUser(a): ApiUser,
    Path(year): Path<i32>,
    super::ApiJson(b): super::ApiJson<CalendarImport>,
) -> ApiResult<Json<CalendarImported>> {
    let format = match b.format.as_str() {
        "csv" => CalendarFile::Csv {
            year,
            source: b.source.unwrap_or_default(),
        },
        "toml" => CalendarFile::Toml,
        other => return Err(bad("format", format!("格式应为 csv 或 toml：{other}"))),
    };
    let app = s.app.clone();
    let dry = b.dry_run;
    let y = blocking(move || app.import_calendar(&a, &b.content, format, dry)).await?;
    if y.year != year {
        return Err(bad("content", format!("文件年份为{}，与请求的{year}不符", y.year)));
    }
    Ok(Json(CalendarImported {
        year: y.year,
        dry_run: dry,
        holidays: y.holidays().count(),
        makeup_workdays: y.makeup_workdays().count(),
    }))
}

#[derive(Deserialize, IntoParams)]
struct WorkingDaysParams {
    /// Start date YYYY-MM-DD (not counted).
    from: String,
    /// Number of working days to add.
    n: u32,
}

#[derive(Serialize, ToSchema)]
pub struct WorkingDaysDto {
    pub from: String,
    pub n: u32,
    /// The n-th working day after `from`.
    pub date: String,
    pub weekday: String,
    pub provisional: bool,
    pub provisional_reason: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/calendar/working-days", tag = "clocks", params(WorkingDaysParams), responses(
    (status = 200, body = WorkingDaysDto), (status = 422, body = ApiErrorBody)))]
async fn working_days(
    State(s): State<WebState>,
    ApiUser(a): ApiUser,
    Query(p): Query<WorkingDaysParams>,
) -> ApiResult<Json<WorkingDaysDto>> {
    let from = parse_date(&p.from).map_err(|m| bad("from", m))?;
    let app = s.app.clone();
    let n = p.n;
    let (d, prov) = blocking(move || app.add_working_days(&a, from, n)).await?;
    Ok(Json(WorkingDaysDto {
        from: from.to_string(),
        n,
        date: d.to_string(),
        weekday: zh_weekday(d).into(),
        provisional: prov.is_some(),
        provisional_reason: prov.map(|p| p.reason),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct RuleDto {
    pub code: String,
    pub name: String,
    /// working_days, natural_days, natural_months, hours, working_hours
    pub unit: String,
    pub length: u32,
    pub anchor: String,
    pub anchor_label: String,
    pub rolling: bool,
    pub source: String,
    /// False for rules still to be verified ([U]); they are configurable.
    pub confirmed: bool,
    pub note: String,
    pub suspendable_by: Vec<String>,
    pub extendable_by: Vec<String>,
}

#[utoipa::path(get, path = "/api/v1/clock-rules", tag = "clocks", responses((status = 200, body = Vec<RuleDto>)))]
async fn rules(State(s): State<WebState>, ApiUser(a): ApiUser) -> ApiResult<Json<Vec<RuleDto>>> {
    let app = s.app.clone();
    let data = blocking(move || app.clock_rules(&a)).await?;
    Ok(Json(
        data.rules
            .rules()
            .iter()
            .map(|r| RuleDto {
                code: r.code.clone(),
                name: r.name.clone(),
                unit: r.unit.code().into(),
                length: r.length,
                anchor: r.anchor.code().into(),
                anchor_label: r.anchor.label().into(),
                rolling: r.rolling,
                source: r.source.clone(),
                confirmed: r.confirmed,
                note: r.note.clone(),
                suspendable_by: r
                    .suspension
                    .as_ref()
                    .map(|p| p.approvers.iter().map(|x| x.code().to_string()).collect())
                    .unwrap_or_default(),
                extendable_by: r
                    .extension
                    .as_ref()
                    .map(|p| p.approvers.iter().map(|x| x.code().to_string()).collect())
                    .unwrap_or_default(),
            })
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct SuspensionIn {
    /// Instant: RFC 3339, or YYYY-MM-DD[THH:MM] in Asia/Shanghai.
    pub start: String,
    /// Empty or absent: still suspended.
    #[serde(default)]
    pub end: Option<String>,
    pub reason: String,
    #[serde(default)]
    pub approver: String,
}

#[derive(Deserialize, ToSchema)]
pub struct ExtensionIn {
    pub length: u32,
    /// Unit of the length; default the rule's extension unit.
    #[serde(default)]
    pub unit: Option<String>,
    pub approver: String,
    #[serde(default)]
    pub reason: String,
}

#[derive(Deserialize, ToSchema)]
pub struct ComputeRequest {
    pub rule: String,
    /// The anchor instant (RFC 3339, or YYYY-MM-DD[THH:MM] in Asia/Shanghai).
    pub from: String,
    #[serde(default)]
    pub suspensions: Vec<SuspensionIn>,
    #[serde(default)]
    pub extensions: Vec<ExtensionIn>,
    #[serde(default)]
    pub met_at: Option<String>,
    /// Compute the state at this instant (default: now).
    #[serde(default)]
    pub now: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct DeadlineDto {
    pub rule: String,
    pub rule_name: String,
    pub anchor_at: String,
    /// The instant the period ends (UTC).
    pub due_at: String,
    /// The due civil date (Asia/Shanghai).
    pub due_date: String,
    /// running, due_soon, overdue, suspended, met, missed, elapsed, premature
    pub state: String,
    pub state_label: String,
    pub remaining_seconds: i64,
    pub remaining_text: String,
    /// One sentence a person can check by hand.
    pub explanation: String,
    pub calendar_years: Vec<i32>,
    pub provisional: bool,
    pub provisional_reason: Option<String>,
}

pub fn deadline_dto(d: &Deadline) -> DeadlineDto {
    DeadlineDto {
        rule: d.rule_code.clone(),
        rule_name: d.rule_name.clone(),
        anchor_at: format_ts(d.anchor_at),
        due_at: format_ts(d.due_at),
        due_date: d.due_date.to_string(),
        state: d.state.code().into(),
        state_label: d.state.label().into(),
        remaining_seconds: d.remaining.as_secs(),
        remaining_text: remaining_text(d),
        explanation: d.explanation(),
        calendar_years: d.calendar_years.clone(),
        provisional: d.provisional.is_some(),
        provisional_reason: d.provisional.as_ref().map(|p| p.reason.clone()),
    }
}

#[utoipa::path(post, path = "/api/v1/deadlines/compute", tag = "clocks", request_body = ComputeRequest, responses(
    (status = 200, body = DeadlineDto), (status = 422, body = ApiErrorBody)))]
async fn compute_deadline(
    State(s): State<WebState>,
    ApiUser(a): ApiUser,
    super::ApiJson(b): super::ApiJson<ComputeRequest>,
) -> ApiResult<Json<DeadlineDto>> {
    let at = |field: &str, v: &str| parse_instant(v).map_err(|m| bad(field, m));
    let mut suspensions = Vec::new();
    for x in &b.suspensions {
        suspensions.push(Suspension {
            start: at("suspensions.start", &x.start)?,
            end: match x.end.as_deref().map(str::trim) {
                None | Some("") => None,
                Some(e) => Some(at("suspensions.end", e)?),
            },
            reason: x.reason.clone(),
            approver: x.approver.clone(),
        });
    }
    let mut extensions = Vec::new();
    for x in &b.extensions {
        let unit = match &x.unit {
            None => None,
            Some(u) => Some(ClockUnit::from_code(u).ok_or_else(|| bad("extensions.unit", format!("未知的单位：{u}")))?),
        };
        extensions.push(Extension {
            length: x.length,
            unit,
            approver: x.approver.clone(),
            reason: x.reason.clone(),
        });
    }
    let req = DeadlineRequest {
        rule: b.rule.clone(),
        anchor: at("from", &b.from)?,
        suspensions,
        extensions,
        met_at: b.met_at.as_deref().map(|m| at("met_at", m)).transpose()?,
        now: b.now.as_deref().map(|n| at("now", n)).transpose()?,
    };
    let app = s.app.clone();
    let d = blocking(move || app.compute_deadline(&a, &req)).await?;
    Ok(Json(deadline_dto(&d)))
}
