//! Clue endpoints: register (idempotent on the source reference), queues, one clue with its clocks
//! and timeline, workflow steps, classification, 12345 import, the matter catalogue.

use super::ApiJson;
use super::clocks::{DeadlineDto, deadline_dto};
use crate::error::{ApiError, ApiErrorBody};
use crate::extract::ApiUser;
use crate::ui::clues::find_clue_by_no;
use crate::{WebState, blocking};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Path, Query, Request, State};
use axum::http::{StatusCode, header};
use jingzhi_app::clues::{ListRequest, NewClue, Point, Queue, Step};
use jingzhi_app::hotline::{HotlineImport, rows_of_file};
use jingzhi_app::{AppError, ErrorCode};
use jingzhi_domain::classify::Classification;
use jingzhi_domain::clue::{
    Channel, Clue, ClueAction, Disposal, Verification, WorkOrderType, mask_phone, sees_reporter_contact,
};
use jingzhi_domain::matter::{Catalogue, Fines, YuanRange};
use jingzhi_domain::time::{format_ts, parse_date, parse_instant};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<WebState> {
    OpenApiRouter::new()
        .routes(routes!(list_clues, register_clue))
        .routes(routes!(get_clue))
        .routes(routes!(take_step))
        .routes(routes!(classify))
        .routes(routes!(list_matters))
        .merge(
            OpenApiRouter::new()
                .routes(routes!(import_12345))
                .layer(DefaultBodyLimit::max(64 * 1024 * 1024)),
        )
}

type ApiResult<T> = Result<T, ApiError>;

fn bad(field: &str, msg: impl Into<String>) -> ApiError {
    ApiError(AppError::field(field, msg))
}

// ---------------------------------------------------------------- DTOs

/// A clue as the API shows it. Codes are those of docs/glossary.md; each has its Chinese label.
#[derive(Serialize, ToSchema)]
pub struct ClueDto {
    pub id: i64,
    /// XS + year + 6 digits.
    pub no: String,
    /// hotline_12345, property_report, grid_report, patrol, department_transfer, superior_assignment, public_report, campaign
    pub channel: String,
    pub channel_label: String,
    /// The source's own reference (12345 work-order number); unique per channel.
    pub source_ref: Option<String>,
    /// consult, supervise, complaint, complex (12345 only)
    pub work_order_type: Option<String>,
    /// registered, accepted, dispatched, signed, verified, disposed, replied, closed, returned, transferred, linked
    pub status: String,
    pub status_label: String,
    pub description: String,
    pub address: String,
    /// WGS84.
    pub lng: Option<f64>,
    pub lat: Option<f64>,
    pub compound_id: Option<i64>,
    pub reporter_name: Option<String>,
    /// Masked (138****5678) unless the caller's role calls reporters back.
    pub reporter_phone: Option<String>,
    pub anonymous: bool,
    pub reporter_org_id: Option<i64>,
    pub matter_code: String,
    pub matter_name: String,
    /// A dispatcher confirmed or corrected the matter (else it is the classifier's suggestion).
    pub matter_confirmed: bool,
    /// Department kind suggested for an out-of-remit clue.
    pub suggested_department: Option<String>,
    pub street_code: Option<String>,
    pub grid_code: Option<String>,
    /// polygon, compound_name, road_rule, fallback, manual
    pub locate_method: String,
    pub locate_reason: String,
    pub assigned_org_id: Option<i64>,
    pub transferred_to_org_id: Option<i64>,
    /// The clue this one repeats (并案).
    pub duplicate_of: Option<i64>,
    /// How many later clues repeat this one.
    pub repeat_count: i64,
    /// confirmed, unfounded
    pub verification: Option<String>,
    pub verification_note: Option<String>,
    /// file_case, order_correction, no_case, transfer_disposal
    pub disposal: Option<String>,
    pub disposal_note: Option<String>,
    pub recheck_date: Option<String>,
    pub reply: Option<String>,
    pub discovered_at: Option<String>,
    pub under_construction: bool,
    pub received_at: String,
    pub replied_at: Option<String>,
    pub closed_at: Option<String>,
    pub updated_at: String,
}

fn clue_dto(k: &Clue, cat: &Catalogue, show_contact: bool) -> ClueDto {
    ClueDto {
        id: k.id,
        no: k.no.clone(),
        channel: k.channel.code().into(),
        channel_label: k.channel.label().into(),
        source_ref: k.source_ref.clone(),
        work_order_type: k.work_order_type.map(|t| t.code().to_string()),
        status: k.status.code().into(),
        status_label: k.status.label().into(),
        description: k.description.clone(),
        address: k.address.clone(),
        lng: k.lng,
        lat: k.lat,
        compound_id: k.compound_id,
        reporter_name: k.reporter_name.clone(),
        reporter_phone: k
            .reporter_phone
            .as_ref()
            .map(|p| if show_contact { p.clone() } else { mask_phone(p) }),
        anonymous: k.anonymous,
        reporter_org_id: k.reporter_org_id,
        matter_code: k.matter_code.clone(),
        matter_name: cat
            .get(&k.matter_code)
            .map(|m| m.name.clone())
            .unwrap_or_else(|| k.matter_code.clone()),
        matter_confirmed: k.matter_confirmed,
        suggested_department: k.suggested_department.clone(),
        street_code: k.street_code.clone(),
        grid_code: k.grid_code.clone(),
        locate_method: k.locate_method.code().into(),
        locate_reason: k.locate_reason.clone(),
        assigned_org_id: k.assigned_org_id,
        transferred_to_org_id: k.transferred_to_org_id,
        duplicate_of: k.duplicate_of,
        repeat_count: k.repeat_count,
        verification: k.verification.map(|v| v.code().to_string()),
        verification_note: k.verification_note.clone(),
        disposal: k.disposal.map(|d| d.code().to_string()),
        disposal_note: k.disposal_note.clone(),
        recheck_date: k.recheck_date.map(|d| d.to_string()),
        reply: k.reply.clone(),
        discovered_at: k.discovered_at.map(format_ts),
        under_construction: k.under_construction,
        received_at: format_ts(k.received_at),
        replied_at: k.replied_at.map(format_ts),
        closed_at: k.closed_at.map(format_ts),
        updated_at: format_ts(k.updated_at),
    }
}

/// A new clue.
#[derive(Deserialize, ToSchema)]
pub struct ClueIn {
    /// Channel code (hotline_12345, patrol, public_report…). Property companies and grids always
    /// report as property_report / grid_report.
    pub channel: String,
    /// The source's reference (a 12345 work-order number): re-submitting it changes nothing.
    #[serde(default)]
    pub source_ref: Option<String>,
    /// consult, supervise, complaint (default), complex — 12345 only.
    #[serde(default)]
    pub work_order_type: Option<String>,
    pub description: String,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub lng: Option<f64>,
    #[serde(default)]
    pub lat: Option<f64>,
    /// Coordinate system of lng/lat: `wgs84` (GPS) or `gcj02` (Chinese map apps, default).
    #[serde(default)]
    pub crs: Option<String>,
    #[serde(default)]
    pub compound_id: Option<i64>,
    #[serde(default)]
    pub reporter_name: Option<String>,
    #[serde(default)]
    pub reporter_phone: Option<String>,
    #[serde(default)]
    pub anonymous: bool,
    /// When the problem was discovered (RFC 3339, or YYYY-MM-DD[THH:MM] in Asia/Shanghai).
    #[serde(default)]
    pub discovered_at: Option<String>,
    /// When the source received it (12345's own time); default now.
    #[serde(default)]
    pub received_at: Option<String>,
    /// 违建 being built right now (2-hour visit).
    #[serde(default)]
    pub under_construction: bool,
    /// A matter code chosen at intake; otherwise the classifier suggests one.
    #[serde(default)]
    pub matter_code: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct RepeatDto {
    /// The open clue this one repeats.
    pub id: i64,
    pub reasons: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct Registered {
    /// False when the source reference was registered before: nothing changed.
    pub created: bool,
    /// Dispatched automatically to the street team (confident, located, in remit).
    pub auto_dispatched: bool,
    pub repeat_of: Option<RepeatDto>,
    pub clue: ClueDto,
}

fn instant(field: &str, v: &Option<String>) -> ApiResult<Option<jiff::Timestamp>> {
    match v.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(t) => parse_instant(t).map(Some).map_err(|m| bad(field, m)),
    }
}

#[utoipa::path(post, path = "/api/v1/clues", tag = "clues", request_body = ClueIn, responses(
    (status = 201, description = "Registered", body = Registered),
    (status = 200, description = "The source reference was registered before: the existing clue, unchanged", body = Registered),
    (status = 422, body = ApiErrorBody), (status = 403, body = ApiErrorBody)))]
async fn register_clue(
    State(s): State<WebState>,
    ApiUser(a): ApiUser,
    ApiJson(b): ApiJson<ClueIn>,
) -> ApiResult<(StatusCode, Json<Registered>)> {
    let channel =
        Channel::from_code(&b.channel).ok_or_else(|| bad("channel", format!("未知的来源渠道：{}", b.channel)))?;
    let work_order_type = match b.work_order_type.as_deref() {
        None | Some("") => None,
        Some(t) => Some(
            WorkOrderType::from_code(t)
                .or_else(|| WorkOrderType::from_text(t))
                .ok_or_else(|| bad("work_order_type", format!("未知的诉求类型：{t}")))?,
        ),
    };
    let point = match (b.lng, b.lat) {
        (None, None) => None,
        (Some(x), Some(y)) => Some(match b.crs.as_deref().unwrap_or("gcj02") {
            "wgs84" | "WGS84" => Point::Wgs84(x, y),
            "gcj02" | "GCJ02" => Point::Gcj02(x, y),
            other => return Err(bad("crs", format!("坐标系应为 wgs84 或 gcj02：{other}"))),
        }),
        _ => return Err(bad("point", "经度和纬度须同时提供")),
    };
    let n = NewClue {
        source_ref: b.source_ref.clone(),
        work_order_type,
        point,
        compound_id: b.compound_id,
        reporter_name: b.reporter_name.clone(),
        reporter_phone: b.reporter_phone.clone(),
        anonymous: b.anonymous,
        discovered_at: instant("discovered_at", &b.discovered_at)?,
        received_at: instant("received_at", &b.received_at)?,
        under_construction: b.under_construction,
        matter_code: b.matter_code.clone(),
        ..NewClue::new(channel, b.description.clone(), b.address.clone())
    };
    let app = s.app.clone();
    let (r, data, show) = blocking(move || {
        let r = app.register_clue(&a, &n)?;
        Ok((r, app.catalogue(&a)?, sees_reporter_contact(&a.roles)))
    })
    .await?;
    let status = if r.created { StatusCode::CREATED } else { StatusCode::OK };
    Ok((
        status,
        Json(Registered {
            created: r.created,
            auto_dispatched: r.auto_dispatched,
            repeat_of: r.repeat_of.map(|(id, reasons)| RepeatDto { id, reasons }),
            clue: clue_dto(&r.clue, &data.catalogue, show),
        }),
    ))
}

#[derive(Deserialize, IntoParams)]
struct ListParams {
    /// to_accept, to_dispatch, to_sign, to_verify, to_dispose, to_reply, to_close, due_soon, overdue, repeated, mine, transferred, all (default). Lists are newest received first; due_soon and overdue most urgent (earliest due) first.
    queue: Option<String>,
    /// Search in Chinese (two-character words such as 油烟 work), clue numbers, addresses.
    q: Option<String>,
    /// Channel code.
    channel: Option<String>,
    /// Matter code.
    matter: Option<String>,
    /// Street/town code (district users).
    street: Option<String>,
    /// Page size, 1–500 (default 50).
    limit: Option<i64>,
    offset: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct ClockStateDto {
    pub clue_id: i64,
    /// The worst open clock: running, due_soon, overdue, suspended.
    pub state: String,
    /// The soonest due instant of the open clocks.
    pub due_at: String,
}

#[derive(Serialize, ToSchema)]
pub struct ClueListDto {
    pub queue: String,
    pub queue_label: String,
    /// Matches, counted up to 10,000.
    pub total: i64,
    /// True when more than 10,000 match (narrow the filters).
    pub total_capped: bool,
    pub limit: i64,
    pub offset: i64,
    pub items: Vec<ClueDto>,
    /// Open clocks of the listed clues.
    pub clocks: Vec<ClockStateDto>,
}

#[utoipa::path(get, path = "/api/v1/clues", tag = "clues", params(ListParams), responses(
    (status = 200, body = ClueListDto), (status = 422, body = ApiErrorBody)))]
async fn list_clues(
    State(s): State<WebState>,
    ApiUser(a): ApiUser,
    Query(p): Query<ListParams>,
) -> ApiResult<Json<ClueListDto>> {
    let queue = match p.queue.as_deref() {
        None | Some("") => Queue::All,
        Some(q) => Queue::from_code(q).ok_or_else(|| bad("queue", format!("未知的队列：{q}")))?,
    };
    let channel = match p.channel.as_deref() {
        None | Some("") => None,
        Some(c) => Some(Channel::from_code(c).ok_or_else(|| bad("channel", format!("未知的来源渠道：{c}")))?),
    };
    let req = ListRequest {
        queue,
        q: p.q.unwrap_or_default(),
        channel,
        matter_code: p.matter.filter(|m| !m.is_empty()),
        street_code: p.street.filter(|m| !m.is_empty()),
        limit: p.limit.unwrap_or(50).clamp(1, 500),
        offset: p.offset.unwrap_or(0).max(0),
    };
    let (limit, offset) = (req.limit, req.offset);
    let app = s.app.clone();
    let (list, data, show) = blocking(move || {
        let list = app.list_clues(&a, &req)?;
        Ok((list, app.catalogue(&a)?, sees_reporter_contact(&a.roles)))
    })
    .await?;
    Ok(Json(ClueListDto {
        queue: queue.code().into(),
        queue_label: queue.label().into(),
        total: list.total,
        total_capped: list.total_capped,
        limit,
        offset,
        items: list.rows.iter().map(|k| clue_dto(k, &data.catalogue, show)).collect(),
        clocks: list
            .clock_states
            .iter()
            .map(|(id, st, due)| ClockStateDto {
                clue_id: *id,
                state: st.clone(),
                due_at: format_ts(*due),
            })
            .collect(),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct ClueClockDto {
    pub id: i64,
    pub rule: String,
    /// The computation now, with its Chinese explanation.
    pub deadline: DeadlineDto,
}

#[derive(Serialize, ToSchema)]
pub struct EventDto {
    pub at: String,
    pub actor_name: String,
    /// Action code (register, accept, dispatch…).
    pub action: String,
    pub action_label: String,
    pub from_status: Option<String>,
    pub to_status: Option<String>,
    pub note: String,
}

#[derive(Serialize, ToSchema)]
pub struct StepRef {
    pub code: String,
    pub label: String,
    /// The step needs a written reason.
    pub needs_reason: bool,
}

#[derive(Serialize, ToSchema)]
pub struct AttachmentDto {
    pub id: i64,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub uploaded_by: String,
    pub uploaded_at: String,
}

#[derive(Serialize, ToSchema)]
pub struct ClueDetail {
    pub clue: ClueDto,
    pub compound_name: Option<String>,
    pub assigned_org_name: Option<String>,
    pub transferred_to_name: Option<String>,
    pub reporter_org_name: Option<String>,
    /// The classifier's suggestion as stored (see POST /api/v1/classify); `{"given": code}` when
    /// the matter was chosen at intake.
    #[schema(value_type = Object)]
    pub classification: serde_json::Value,
    pub clocks: Vec<ClueClockDto>,
    pub timeline: Vec<EventDto>,
    /// Steps the caller may take now (POST /api/v1/clues/{id}/steps/{code}).
    pub allowed: Vec<StepRef>,
    pub attachments: Vec<AttachmentDto>,
    /// The open clue this one repeats.
    pub primary: Option<ClueDto>,
    /// Clues that repeat this one.
    pub linked: Vec<ClueDto>,
}

#[utoipa::path(get, path = "/api/v1/clues/{id}", tag = "clues", params(("id" = i64, Path, description = "Clue id")), responses(
    (status = 200, body = ClueDetail), (status = 404, body = ApiErrorBody), (status = 403, body = ApiErrorBody)))]
async fn get_clue(State(s): State<WebState>, ApiUser(a): ApiUser, Path(id): Path<i64>) -> ApiResult<Json<ClueDetail>> {
    let app = s.app.clone();
    let (v, data) = blocking(move || Ok((app.clue_view(&a, id)?, app.catalogue(&a)?))).await?;
    Ok(Json(detail(&v, &data.catalogue)))
}

fn detail(v: &jingzhi_app::clues::ClueView, cat: &Catalogue) -> ClueDetail {
    let show = v.show_contact;
    ClueDetail {
        clue: clue_dto(&v.clue, cat, show),
        compound_name: v.compound_name.clone(),
        assigned_org_name: v.assigned_org_name.clone(),
        transferred_to_name: v.transferred_to_name.clone(),
        reporter_org_name: v.reporter_org_name.clone(),
        classification: serde_json::from_str(&v.clue.classification).unwrap_or(serde_json::Value::Null),
        clocks: v
            .clocks
            .iter()
            .map(|c| ClueClockDto {
                id: c.id,
                rule: c.row.rule_code.clone(),
                deadline: deadline_dto(&c.deadline),
            })
            .collect(),
        timeline: v
            .events
            .iter()
            .map(|e| EventDto {
                at: format_ts(e.at),
                actor_name: e.actor_name.clone(),
                action: e.action.clone(),
                action_label: ClueAction::from_code(&e.action)
                    .map(|x| x.label().to_string())
                    .unwrap_or_default(),
                from_status: e.from_status.clone(),
                to_status: e.to_status.clone(),
                note: e.note.clone(),
            })
            .collect(),
        allowed: v
            .allowed
            .iter()
            .map(|x| StepRef {
                code: x.code().into(),
                label: x.label().into(),
                needs_reason: jingzhi_domain::clue::needs_reason(*x),
            })
            .collect(),
        attachments: v
            .attachments
            .iter()
            .map(|x| AttachmentDto {
                id: x.id,
                filename: x.filename.clone(),
                content_type: x.content_type.clone(),
                size: x.size,
                sha256: x.sha256.clone(),
                uploaded_by: x.uploaded_by.clone(),
                uploaded_at: format_ts(x.uploaded_at),
            })
            .collect(),
        primary: v.primary.as_ref().map(|k| clue_dto(k, cat, show)),
        linked: v.linked.iter().map(|k| clue_dto(k, cat, show)).collect(),
    }
}

/// The parameters of a step; each step reads the fields it needs.
#[derive(Deserialize, ToSchema, Default)]
pub struct StepIn {
    /// Required for return_to_source, transfer_out, reassign, send_back, unlink.
    #[serde(default)]
    pub reason: String,
    /// dispatch/reassign: the street team; transfer_out: the department.
    #[serde(default)]
    pub org_id: Option<i64>,
    /// verify: confirmed or unfounded.
    #[serde(default)]
    pub verification: Option<String>,
    /// dispose: file_case, order_correction, no_case, transfer_disposal.
    #[serde(default)]
    pub disposal: Option<String>,
    /// dispose with order_correction: YYYY-MM-DD.
    #[serde(default)]
    pub recheck_date: Option<String>,
    /// reply text; verification or disposal note; note.
    #[serde(default)]
    pub text: String,
    /// reclassify: the matter code.
    #[serde(default)]
    pub matter_code: Option<String>,
    /// relocate: the street/town code.
    #[serde(default)]
    pub street_code: Option<String>,
    /// link: the primary clue's id …
    #[serde(default)]
    pub primary_id: Option<i64>,
    /// … or its number (XS2026000001).
    #[serde(default)]
    pub primary_no: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/clues/{id}/steps/{action}", tag = "clues", request_body = StepIn,
    params(("id" = i64, Path, description = "Clue id"),
           ("action" = String, Path, description = "accept, return_to_source, transfer_out, dispatch, reassign, sign, send_back, verify, dispose, reply, close, link, unlink, reclassify, relocate, note")),
    responses((status = 200, description = "The clue after the step", body = ClueDto),
        (status = 422, body = ApiErrorBody), (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
async fn take_step(
    State(s): State<WebState>,
    ApiUser(a): ApiUser,
    Path((id, action)): Path<(i64, String)>,
    body: Bytes,
) -> ApiResult<Json<ClueDto>> {
    let act = ClueAction::from_code(&action)
        .filter(|x| !matches!(x, ClueAction::Register | ClueAction::Attach))
        .ok_or_else(|| {
            ApiError(AppError::with_message(
                ErrorCode::NotFound,
                format!("没有这个办理环节：{action}"),
            ))
        })?;
    let b: StepIn = if body.iter().all(u8::is_ascii_whitespace) {
        StepIn::default()
    } else {
        serde_json::from_slice(&body).map_err(|e| {
            ApiError(AppError::with_message(
                ErrorCode::BadRequest,
                format!("请求体不是有效的JSON：{e}"),
            ))
        })?
    };
    let code = |field: &str, v: &Option<String>| {
        v.as_deref()
            .filter(|x| !x.is_empty())
            .map(|x| (field.to_string(), x.to_string()))
    };
    let verification = match code("verification", &b.verification) {
        None => None,
        Some((f, v)) => Some(
            Verification::from_code(&v).ok_or_else(|| bad(&f, format!("核查结论应为 confirmed 或 unfounded：{v}")))?,
        ),
    };
    let disposal = match code("disposal", &b.disposal) {
        None => None,
        Some((f, v)) => Some(Disposal::from_code(&v).ok_or_else(|| bad(&f, format!("未知的处置方式：{v}")))?),
    };
    let recheck_date = match code("recheck_date", &b.recheck_date) {
        None => None,
        Some((f, v)) => Some(parse_date(&v).map_err(|m| bad(&f, m))?),
    };
    let mut step = Step {
        reason: b.reason.clone(),
        org_id: b.org_id,
        verification,
        disposal,
        recheck_date,
        text: b.text.clone(),
        matter_code: b.matter_code.clone(),
        street_code: b.street_code.clone(),
        primary_id: b.primary_id,
    };
    let app = s.app.clone();
    let primary_no = b.primary_no.clone().unwrap_or_default();
    let (k, data, show) = blocking(move || {
        if act == ClueAction::Link && step.primary_id.is_none() {
            step.primary_id = Some(find_clue_by_no(&app, &a, &primary_no)?);
        }
        let k = app.clue_step(&a, id, act, &step)?;
        Ok((k, app.catalogue(&a)?, sees_reporter_contact(&a.roles)))
    })
    .await?;
    Ok(Json(clue_dto(&k, &data.catalogue, show)))
}

// ---------------------------------------------------------------- classification

#[derive(Deserialize, ToSchema)]
pub struct ClassifyIn {
    /// A complaint's text, e.g. "楼下饭店油烟太大".
    pub text: String,
}

/// Documentation of the classifier's answer (the body is `jingzhi_domain::classify::Classification`).
#[derive(Serialize, ToSchema)]
#[schema(as = Classification)]
pub struct ClassificationDoc {
    pub matter: MatterRefDoc,
    /// Probability of the suggested matter, 0..1.
    pub confidence: f64,
    /// Why, in Chinese: matched phrases first (命中“油烟”), then the model's view.
    pub reasons: Vec<String>,
    /// The next most likely matters (at most 3).
    pub alternatives: Vec<AlternativeDoc>,
    /// Set when the suggestion is 其他 and an out-of-remit topic matched.
    pub out_of_remit: Option<OutOfRemitDoc>,
}

#[derive(Serialize, ToSchema)]
#[schema(as = MatterRef)]
pub struct MatterRefDoc {
    pub code: String,
    pub name: String,
}

#[derive(Serialize, ToSchema)]
#[schema(as = Alternative)]
pub struct AlternativeDoc {
    pub code: String,
    pub name: String,
    pub confidence: f64,
}

#[derive(Serialize, ToSchema)]
#[schema(as = OutOfRemit)]
pub struct OutOfRemitDoc {
    pub code: String,
    pub topic: String,
    /// Department kind code (housing, ecology, public_security…).
    pub suggested_department: String,
    /// Chinese reply to the reporter / the 退单 reason.
    pub reply: String,
}

#[utoipa::path(post, path = "/api/v1/classify", tag = "clues", request_body = ClassifyIn, responses(
    (status = 200, body = ClassificationDoc), (status = 422, body = ApiErrorBody)))]
async fn classify(
    State(s): State<WebState>,
    ApiUser(a): ApiUser,
    ApiJson(b): ApiJson<ClassifyIn>,
) -> ApiResult<Json<Classification>> {
    let app = s.app.clone();
    Ok(Json(blocking(move || app.classify_text(&a, &b.text)).await?))
}

// ---------------------------------------------------------------- 12345 import

#[derive(Deserialize, IntoParams)]
struct ImportParams {
    /// Validate only (also accepted as a multipart field `dry_run`).
    dry_run: Option<bool>,
}

#[derive(Serialize, ToSchema)]
#[schema(as = HotlineImport)]
pub struct HotlineImportDoc {
    pub dry_run: bool,
    /// Work orders in the file.
    pub rows: usize,
    /// New work orders (registered, or to be registered).
    pub new: usize,
    /// Imported before: left unchanged.
    pub existing: usize,
}

/// The multipart form of an import.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ImportUpload {
    /// The xlsx or CSV (UTF-8) file.
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
    pub dry_run: Option<bool>,
}

#[utoipa::path(post, path = "/api/v1/clues/import-12345", tag = "clues", params(ImportParams),
    request_body(content(
        (String = "text/csv"),
        (ImportUpload = "multipart/form-data")
    ), description = "The work orders: a raw CSV body, or a multipart form with `file` (xlsx or CSV). Header row with the Chinese column names of docs/clues.md."),
    responses((status = 200, body = HotlineImportDoc),
        (status = 422, description = "import_rejected: `fields` lists every bad row (第N行…)", body = ApiErrorBody),
        (status = 403, body = ApiErrorBody)))]
async fn import_12345(
    State(s): State<WebState>,
    ApiUser(a): ApiUser,
    Query(p): Query<ImportParams>,
    req: Request,
) -> ApiResult<Json<HotlineImport>> {
    let multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    let mut dry_run = p.dry_run.unwrap_or(false);
    let bytes: Vec<u8> = if multipart {
        let mut mp = Multipart::from_request(req, &s)
            .await
            .map_err(|_| ApiError(AppError::new(ErrorCode::BadRequest)))?;
        let mut file = None;
        while let Some(field) = mp
            .next_field()
            .await
            .map_err(|e| ApiError(AppError::with_message(ErrorCode::BadRequest, e.body_text())))?
        {
            let name = field.name().unwrap_or_default().to_string();
            let data = field
                .bytes()
                .await
                .map_err(|e| ApiError(AppError::with_message(ErrorCode::BadRequest, e.body_text())))?;
            match name.as_str() {
                "file" => file = Some(data.to_vec()),
                "dry_run" => dry_run = matches!(String::from_utf8_lossy(&data).trim(), "true" | "on" | "1"),
                _ => {}
            }
        }
        file.ok_or_else(|| bad("file", "缺少文件（表单字段 file）"))?
    } else {
        Bytes::from_request(req, &s)
            .await
            .map_err(|e| ApiError(AppError::with_message(ErrorCode::BadRequest, e.body_text())))?
            .to_vec()
    };
    if bytes.is_empty() {
        return Err(bad("file", "文件是空的"));
    }
    let app = s.app.clone();
    let r = blocking(move || {
        let rows = rows_of_file(&bytes)?;
        app.import_12345(&a, &rows, dry_run)
    })
    .await?;
    Ok(Json(r))
}

// ---------------------------------------------------------------- the matter catalogue

#[derive(Serialize, ToSchema)]
pub struct RangeDto {
    pub min: i64,
    pub max: i64,
}

#[derive(Serialize, ToSchema)]
pub struct FinesDto {
    pub main: Option<RangeDto>,
    /// 情节严重
    pub serious: Option<RangeDto>,
    /// 个人
    pub person: Option<RangeDto>,
    /// 单位
    pub org: Option<RangeDto>,
    /// Non-fixed penalties (倍数, 元/㎡…), in Chinese.
    pub formula: Option<String>,
}

fn fines_dto(f: &Fines) -> FinesDto {
    let r = |x: Option<YuanRange>| x.map(|y| RangeDto { min: y.min, max: y.max });
    FinesDto {
        main: r(f.main),
        serious: r(f.serious),
        person: r(f.person),
        org: r(f.org),
        formula: f.formula.clone(),
    }
}

#[derive(Serialize, ToSchema)]
pub struct VariantDto {
    pub code: String,
    pub name: String,
    pub legal_basis: Vec<String>,
    pub penalty_text: String,
    pub fines: FinesDto,
    pub remit: String,
    pub confirmed: bool,
}

#[derive(Serialize, ToSchema)]
pub struct MatterDto {
    pub code: String,
    pub name: String,
    /// chengguan or a department kind code.
    pub remit: String,
    pub remit_label: String,
    pub remit_note: String,
    pub legal_basis: Vec<String>,
    pub penalty_text: String,
    pub fines: FinesDto,
    /// False when the basis or the 城管 power is not confirmed.
    pub confirmed: bool,
    pub confirmed_note: Option<String>,
    /// The law penalises only after an order to correct is ignored.
    pub order_correction_first: bool,
    pub evidence_checklist: Vec<String>,
    pub variants: Vec<VariantDto>,
    pub clock_rules: Vec<String>,
}

#[utoipa::path(get, path = "/api/v1/matters", tag = "clues", responses((status = 200, body = Vec<MatterDto>)))]
async fn list_matters(State(s): State<WebState>, ApiUser(a): ApiUser) -> ApiResult<Json<Vec<MatterDto>>> {
    let app = s.app.clone();
    let data = blocking(move || app.catalogue(&a)).await?;
    Ok(Json(
        data.catalogue
            .matters()
            .iter()
            .map(|m| MatterDto {
                code: m.code.clone(),
                name: m.name.clone(),
                remit: m.remit.code().into(),
                remit_label: m.remit.label().into(),
                remit_note: m.remit_note.clone(),
                legal_basis: m.legal_basis.clone(),
                penalty_text: m.penalty_text.clone(),
                fines: fines_dto(&m.fines),
                confirmed: m.confirmed,
                confirmed_note: m.confirmed_note.clone(),
                order_correction_first: m.order_correction_first,
                evidence_checklist: m.evidence_checklist.clone(),
                variants: m
                    .variants
                    .iter()
                    .map(|v| VariantDto {
                        code: v.code.clone(),
                        name: v.name.clone(),
                        legal_basis: v.legal_basis.clone(),
                        penalty_text: v.penalty_text.clone(),
                        fines: fines_dto(&v.fines),
                        remit: v.remit.code().into(),
                        confirmed: v.confirmed,
                    })
                    .collect(),
                clock_rules: m.clock_rules.clone(),
            })
            .collect(),
    ))
}
