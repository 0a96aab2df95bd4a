//! 线索受理与派单: the queues with counts, filters, Chinese search and Excel export; registration
//! (the staff form, and the phone-first report form of property companies and grid workers); the
//! clue page with its clocks, timeline, attachments and one form per step the viewer may take; the
//! 12345 import (dry run first) and reply export.

use super::auth::forced_change;
use super::page::{FormState, Layout, file_response, render, xlsx_response};
use crate::error::WebError;
use crate::extract::{FormData, User, check_csrf, urlencode};
use crate::{WebState, blocking};
use askama::Template;
use axum::extract::{FromRequest, Multipart, Path, Query, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use jingzhi_app::clocks::remaining_text;
use jingzhi_app::clues::{ClueView, ListRequest, NewClue, Point, Queue, Step};
use jingzhi_app::hotline::{EXPORT_HEADERS, rows_of_file};
use jingzhi_app::{Actor, AppError, ErrorCode, ErrorKind, FieldError};
use jingzhi_domain::authz::{Action, Resource};
use jingzhi_domain::classify::Classification;
use jingzhi_domain::clue::{
    Channel, Clue, ClueAction, ClueStatus, Disposal, Verification, WorkOrderType, mask_phone, roles_for,
};
use jingzhi_domain::matter::Catalogue;
use jingzhi_domain::org::{Compound, OrgKind, OrgUnit, Scope, Street};
use jingzhi_domain::time::{civil_date, civil_datetime, parse_date, parse_instant, short_datetime, start_of_day};
use jingzhi_office::{Cell, Sheet};
use serde::Deserialize;

type Opt = (String, String);

const PAGE_SIZE: i64 = 50;

// ---------------------------------------------------------------- shared helpers

/// Property companies, communities and grids: they report and follow their own reports.
pub fn is_partner(a: &Actor) -> bool {
    matches!(
        a.org.kind,
        OrgKind::PropertyCompany | OrgKind::Grid | OrgKind::Community
    )
}

fn may_register(a: &Actor) -> bool {
    a.roles.iter().any(|r| roles_for(ClueAction::Register).contains(r))
}

/// The queues shown to the actor: partners see only 我的上报.
pub fn queues_of(app: &jingzhi_app::App, a: &Actor) -> Vec<Queue> {
    let mut v = app.queues_for(a);
    if is_partner(a) {
        v.retain(|q| *q == Queue::Mine);
    }
    if v.is_empty() {
        v.push(Queue::All);
    }
    v
}

fn opt(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}

fn street_name(streets: &[Street], code: Option<&str>) -> String {
    code.and_then(|c| streets.iter().find(|s| s.code.as_str() == c))
        .map(|s| s.name.clone())
        .unwrap_or_default()
}

fn matter_name(cat: &Catalogue, code: &str) -> String {
    cat.get(code)
        .map(|m| m.name.clone())
        .unwrap_or_else(|| code.to_string())
}

fn query_string(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", urlencode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// A file sent with a form.
pub struct Upload {
    pub filename: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// A submitted form, URL-encoded or multipart (with files). Empty file inputs are skipped.
pub struct Submitted {
    pub form: FormData,
    pub files: Vec<Upload>,
}

fn multipart_error(e: axum::extract::multipart::MultipartError) -> WebError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        WebError(AppError::with_message(
            ErrorCode::PayloadTooLarge,
            "上传的内容过大（单个文件不超过20MB）",
        ))
    } else {
        WebError(AppError::new(ErrorCode::BadRequest))
    }
}

impl<S: Send + Sync> FromRequest<S> for Submitted {
    type Rejection = WebError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let multipart = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("multipart/form-data"));
        if !multipart {
            let form = FormData::from_request(req, state).await?;
            return Ok(Submitted {
                form,
                files: Vec::new(),
            });
        }
        let mut mp = Multipart::from_request(req, state)
            .await
            .map_err(|_| WebError(AppError::new(ErrorCode::BadRequest)))?;
        let mut fields = Vec::new();
        let mut files = Vec::new();
        while let Some(field) = mp.next_field().await.map_err(multipart_error)? {
            let name = field.name().unwrap_or_default().to_string();
            let filename = field.file_name().map(str::to_string);
            let declared = field.content_type().unwrap_or_default().to_string();
            let bytes = field.bytes().await.map_err(multipart_error)?;
            match filename {
                Some(f) => {
                    if !bytes.is_empty() {
                        files.push(Upload {
                            content_type: content_type_of(&f, &declared),
                            filename: f,
                            bytes: bytes.to_vec(),
                        });
                    }
                }
                None => fields.push((name, String::from_utf8_lossy(&bytes).into_owned())),
            }
        }
        Ok(Submitted {
            form: FormData(fields),
            files,
        })
    }
}

/// The content type of an upload: as declared, or from the file name when the browser sent none.
pub fn content_type_of(filename: &str, declared: &str) -> String {
    if !declared.is_empty() && declared != "application/octet-stream" {
        return declared.to_string();
    }
    let ext = filename.rsplit('.').next().unwrap_or_default().to_ascii_lowercase();
    match ext.as_str() {
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        "webp" => "image/webp",
        "heic" => "image/heic",
        "pdf" => "application/pdf",
        "mp4" => "video/mp4",
        "mp3" => "audio/mpeg",
        "m4a" => "audio/mp4",
        _ => "application/octet-stream",
    }
    .to_string()
}

use jingzhi_app::clues::ATTACHMENT_TYPES as ATTACHABLE;

fn check_uploads(files: &[Upload]) -> Result<(), AppError> {
    for f in files {
        if !ATTACHABLE.contains(&f.content_type.as_str()) {
            return Err(AppError::field(
                "photo",
                format!("不支持的文件类型：{}（可上传照片、PDF、视频、录音）", f.filename),
            ));
        }
        if f.bytes.len() > 20 * 1024 * 1024 {
            return Err(AppError::field("photo", format!("{}超过20MB", f.filename)));
        }
    }
    Ok(())
}

// ---------------------------------------------------------------- the queues

pub struct Tab {
    pub label: &'static str,
    pub count: i64,
    pub active: bool,
    pub href: String,
}

pub struct ClockCell {
    pub class: &'static str,
    pub label: &'static str,
    pub due: String,
}

pub struct Row {
    pub id: i64,
    pub no: String,
    pub channel: &'static str,
    pub matter: String,
    pub address: String,
    pub street: String,
    pub status: &'static str,
    pub received: String,
    pub clock: Option<ClockCell>,
    pub repeats: i64,
    pub linked: bool,
    pub overdue: bool,
}

#[derive(Template)]
#[template(path = "clues/list.html")]
struct ListPage {
    layout: Layout,
    heading: &'static str,
    tabs: Vec<Tab>,
    queue: &'static str,
    queue_label: &'static str,
    rows: Vec<Row>,
    total: i64,
    total_capped: bool,
    q: String,
    channel: String,
    matter: String,
    street: String,
    channels: Vec<Opt>,
    matters: Vec<Opt>,
    streets: Vec<Opt>,
    partner: bool,
    show_street: bool,
    can_export: bool,
    can_import: bool,
    can_register: bool,
    register_label: &'static str,
    export_href: String,
    page: i64,
    pages: i64,
    prev_href: Option<String>,
    next_href: Option<String>,
    filtered: bool,
}

#[derive(Deserialize, Default, Clone)]
pub struct ListQuery {
    #[serde(default)]
    queue: String,
    #[serde(default)]
    q: String,
    #[serde(default)]
    channel: String,
    #[serde(default)]
    matter: String,
    #[serde(default)]
    street: String,
    #[serde(default)]
    page: String,
    #[serde(default)]
    msg: String,
}

impl ListQuery {
    fn request(&self, a: &Actor, queues: &[Queue]) -> ListRequest {
        let queue = Queue::from_code(&self.queue)
            .filter(|x| queues.contains(x))
            .unwrap_or(queues.first().copied().unwrap_or(Queue::All));
        let page = self.page.trim().parse::<i64>().unwrap_or(1).max(1);
        ListRequest {
            queue,
            q: self.q.trim().to_string(),
            channel: Channel::from_code(&self.channel),
            matter_code: opt(&self.matter),
            street_code: if a.scope == Scope::District {
                opt(&self.street)
            } else {
                None
            },
            limit: PAGE_SIZE,
            offset: (page - 1) * PAGE_SIZE,
        }
    }

    fn href(&self, queue: &str, page: i64) -> String {
        let page = if page > 1 { page.to_string() } else { String::new() };
        format!(
            "/clues?{}",
            query_string(&[
                ("queue", queue),
                ("q", &self.q),
                ("channel", &self.channel),
                ("matter", &self.matter),
                ("street", &self.street),
                ("page", &page),
            ])
        )
    }
}

fn clock_cell(state: &str, due: jiff::Timestamp) -> ClockCell {
    let (class, label) = match state {
        "overdue" => ("overdue", "已超期"),
        "due_soon" => ("due-soon", "即将超期"),
        "suspended" => ("muted", "已中止"),
        _ => ("", "计时中"),
    };
    ClockCell {
        class,
        label,
        due: short_datetime(due),
    }
}

fn rows_of(list: &jingzhi_app::clues::ClueList, cat: &Catalogue, streets: &[Street]) -> Vec<Row> {
    list.rows
        .iter()
        .map(|k| {
            let clock = list
                .clock_states
                .iter()
                .find(|(id, _, _)| *id == k.id)
                .map(|(_, s, due)| clock_cell(s, *due));
            Row {
                id: k.id,
                no: k.no.clone(),
                channel: k.channel.label(),
                matter: matter_name(cat, &k.matter_code),
                address: k.address.clone(),
                street: match street_name(streets, k.street_code.as_deref()) {
                    s if s.is_empty() => "未定位".into(),
                    s => s,
                },
                status: k.status.label(),
                received: short_datetime(k.received_at),
                overdue: clock.as_ref().is_some_and(|c| c.class == "overdue"),
                clock,
                repeats: k.repeat_count,
                linked: k.duplicate_of.is_some(),
            }
        })
        .collect()
}

pub async fn list(State(s): State<WebState>, User(a): User, Query(q): Query<ListQuery>) -> Result<Response, WebError> {
    forced_change(&a)?;
    let app = s.app.clone();
    let actor = a.clone();
    let q2 = q.clone();
    let (queues, counts, req, list, data, streets) = blocking(move || {
        let queues = queues_of(&app, &actor);
        let counts = app.clue_queue_counts(&actor)?;
        let req = q2.request(&actor, &queues);
        let list = app.list_clues(&actor, &req)?;
        Ok((
            queues,
            counts,
            req,
            list,
            app.catalogue(&actor)?,
            app.list_streets(&actor)?,
        ))
    })
    .await?;
    let partner = is_partner(&a);
    let tabs = queues
        .iter()
        .map(|qq| Tab {
            label: qq.label(),
            count: counts.iter().find(|(x, _)| x == qq).map(|(_, n)| *n).unwrap_or(0),
            active: *qq == req.queue,
            href: q.href(qq.code(), 1),
        })
        .collect();
    let page = req.offset / PAGE_SIZE + 1;
    let pages = ((list.total + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
    let mut layout = Layout::new(&s, Some(&a), format!("线索 · {}", req.queue.label()), "clues");
    match q.msg.as_str() {
        "imported" => layout = layout.flash_ok("12345工单已导入。"),
        "done" => layout = layout.flash_ok("已办理。该线索已不在您的数据范围内。"),
        _ => {}
    }
    Ok(render(&ListPage {
        layout,
        heading: if partner {
            "我的上报"
        } else {
            "线索受理与派单"
        },
        queue: req.queue.code(),
        queue_label: req.queue.label(),
        rows: rows_of(&list, &data.catalogue, &streets),
        total: list.total,
        total_capped: list.total_capped,
        q: q.q.clone(),
        channel: q.channel.clone(),
        matter: q.matter.clone(),
        street: q.street.clone(),
        channels: Channel::ALL
            .iter()
            .map(|c| (c.code().to_string(), c.label().to_string()))
            .collect(),
        matters: data
            .catalogue
            .matters()
            .iter()
            .map(|m| (m.code.clone(), m.name.clone()))
            .collect(),
        streets: streets.iter().map(|x| (x.code.to_string(), x.name.clone())).collect(),
        partner,
        show_street: a.scope == Scope::District,
        can_export: a.can(Resource::Clue, Action::Export),
        can_import: a.can(Resource::Clue, Action::Import),
        can_register: may_register(&a),
        register_label: if partner { "上报问题" } else { "登记线索" },
        export_href: format!(
            "/clues.xlsx?{}",
            query_string(&[
                ("queue", req.queue.code()),
                ("q", &q.q),
                ("channel", &q.channel),
                ("matter", &q.matter),
                ("street", &q.street),
            ])
        ),
        prev_href: (page > 1).then(|| q.href(req.queue.code(), page - 1)),
        next_href: (page < pages).then(|| q.href(req.queue.code(), page + 1)),
        page,
        pages,
        filtered: !q.q.trim().is_empty() || !q.channel.is_empty() || !q.matter.is_empty() || !q.street.is_empty(),
        tabs,
    }))
}

pub async fn export(
    State(s): State<WebState>,
    User(a): User,
    Query(q): Query<ListQuery>,
) -> Result<Response, WebError> {
    forced_change(&a)?;
    let app = s.app.clone();
    let actor = a.clone();
    let (req, list, data, streets) = blocking(move || {
        let queues = queues_of(&app, &actor);
        let req = q.request(&actor, &queues);
        let list = app.export_clues(&actor, &req)?;
        Ok((req, list, app.catalogue(&actor)?, app.list_streets(&actor)?))
    })
    .await?;
    let rows = rows_of(&list, &data.catalogue, &streets);
    let red_rows = rows
        .iter()
        .enumerate()
        .filter(|(_, r)| r.overdue)
        .map(|(i, _)| i)
        .collect();
    let label = req.queue.label();
    xlsx_response(
        &format!("线索_{label}.xlsx"),
        Sheet {
            name: label.into(),
            title: format!("线索 · {label}（共{}条）", rows.len()),
            headers: [
                "编号",
                "来源",
                "来源编号",
                "事项",
                "地址",
                "街镇",
                "状态",
                "受理时间",
                "期限状态",
                "最近期限",
                "重复投诉次数",
                "问题描述",
            ]
            .map(String::from)
            .to_vec(),
            rows: rows
                .iter()
                .zip(list.rows.iter())
                .map(|(r, k)| {
                    vec![
                        Cell::from(r.no.as_str()),
                        r.channel.into(),
                        k.source_ref.clone().unwrap_or_default().into(),
                        r.matter.as_str().into(),
                        r.address.as_str().into(),
                        r.street.as_str().into(),
                        r.status.into(),
                        r.received.as_str().into(),
                        r.clock.as_ref().map(|c| c.label).unwrap_or_default().into(),
                        r.clock.as_ref().map(|c| c.due.clone()).unwrap_or_default().into(),
                        Cell::Int(r.repeats),
                        k.description.as_str().into(),
                    ]
                })
                .collect(),
            red_rows,
        },
    )
}

// ---------------------------------------------------------------- registration

#[derive(Template)]
#[template(path = "clues/new.html")]
struct NewPage {
    layout: Layout,
    form: FormState,
    channels: Vec<Opt>,
    types: Vec<Opt>,
    compounds: Vec<Opt>,
    matters: Vec<Opt>,
}

#[derive(Template)]
#[template(path = "clues/report.html")]
struct ReportPage {
    layout: Layout,
    channel_label: &'static str,
    property: bool,
    form: FormState,
    compounds: Vec<Opt>,
    quick: Vec<Opt>,
}

/// The matters a property company reports most (its compounds' problems).
const PROPERTY_MATTERS: &[&str] = &[
    "renovation_violation",
    "load_bearing_damage",
    "common_area_occupation",
    "ebike_charging",
    "illegal_construction",
    "group_rental",
];

/// The matters grid workers see most in the street.
const GRID_MATTERS: &[&str] = &[
    "street_vending",
    "disorderly_stalls",
    "cross_door_business",
    "outdoor_signage",
    "construction_waste",
    "shared_bike_parking",
    "ebike_charging",
    "illegal_construction",
    "catering_fumes",
];

fn now_local(s: &WebState) -> String {
    let dt = civil_datetime(s.app.now());
    format!("{}T{:02}:{:02}", dt.date(), dt.hour(), dt.minute())
}

async fn form_data(
    s: &WebState,
    a: &Actor,
) -> Result<(Vec<Compound>, std::sync::Arc<jingzhi_app::intake::IntakeData>), WebError> {
    let app = s.app.clone();
    let actor = a.clone();
    Ok(blocking(move || Ok((app.list_compounds(&actor)?, app.catalogue(&actor)?))).await?)
}

async fn new_page(s: &WebState, a: &Actor, form: FormState) -> Result<Response, WebError> {
    let (compounds, data) = form_data(s, a).await?;
    if is_partner(a) {
        let property = a.org.kind == OrgKind::PropertyCompany;
        let codes = if property { PROPERTY_MATTERS } else { GRID_MATTERS };
        let mut quick: Vec<Opt> = codes
            .iter()
            .filter_map(|c| data.catalogue.get(c))
            .map(|m| (m.code.clone(), m.name.clone()))
            .collect();
        quick.push((String::new(), "其他".into()));
        return Ok(render(&ReportPage {
            layout: Layout::new(s, Some(a), "上报问题", "clues"),
            channel_label: if property {
                Channel::PropertyReport.label()
            } else {
                Channel::GridReport.label()
            },
            property,
            form,
            compounds: compounds
                .iter()
                .filter(|c| c.active)
                .map(|c| (c.id.to_string(), format!("{}（{}）", c.name, c.address)))
                .collect(),
            quick,
        }));
    }
    Ok(render(&NewPage {
        layout: Layout::new(s, Some(a), "登记线索", "clues"),
        form,
        channels: Channel::ALL
            .iter()
            .map(|c| (c.code().to_string(), c.label().to_string()))
            .collect(),
        types: WorkOrderType::ALL
            .iter()
            .map(|t| (t.code().to_string(), t.label().to_string()))
            .collect(),
        compounds: compounds
            .iter()
            .filter(|c| c.active)
            .map(|c| (c.id.to_string(), format!("{}（{}）", c.name, c.address)))
            .collect(),
        matters: data
            .catalogue
            .matters()
            .iter()
            .map(|m| (m.code.clone(), m.name.clone()))
            .collect(),
    }))
}

pub async fn new_form(State(s): State<WebState>, User(a): User) -> Result<Response, WebError> {
    forced_change(&a)?;
    if !may_register(&a) {
        return Err(WebError(AppError::with_message(ErrorCode::Forbidden, "无权登记线索")));
    }
    let mut f = FormState::default();
    if is_partner(&a) {
        f.set("discovered_at", now_local(&s));
    } else {
        use jingzhi_domain::role::Role;
        let channel = if a.has_role(Role::Dispatcher) {
            Channel::Hotline12345
        } else if a.org.kind == OrgKind::Department {
            Channel::DepartmentTransfer
        } else {
            Channel::Patrol
        };
        f.set("channel", channel.code());
        f.set("work_order_type", WorkOrderType::Complaint.code());
        f.set("crs", "gcj02");
    }
    new_page(&s, &a, f).await
}

/// Reads the registration form into a new clue; form problems are collected as field errors.
fn clue_of(f: &FormData, partner: bool) -> (NewClue, Vec<FieldError>) {
    let mut errors = Vec::new();
    let mut fail = |field: &str, m: String| {
        errors.push(FieldError {
            field: field.into(),
            message: m,
        })
    };
    let channel = match Channel::from_code(f.get("channel")) {
        Some(c) => c,
        None if partner => Channel::PropertyReport,
        None => {
            fail("channel", "请选择来源渠道".into());
            Channel::Patrol
        }
    };
    let mut n = NewClue::new(channel, f.get("description").trim(), f.get("address").trim());
    n.source_ref = opt(f.get("source_ref"));
    n.work_order_type = WorkOrderType::from_code(f.get("work_order_type")).filter(|_| channel == Channel::Hotline12345);
    n.compound_id = f.opt_i64("compound_id");
    let (lng, lat) = (f.get("lng").trim(), f.get("lat").trim());
    if !lng.is_empty() || !lat.is_empty() {
        match (lng.parse::<f64>(), lat.parse::<f64>()) {
            (Ok(x), Ok(y)) => {
                n.point = Some(if f.get("crs") == "wgs84" {
                    Point::Wgs84(x, y)
                } else {
                    Point::Gcj02(x, y)
                })
            }
            _ => fail("point", "经纬度应为数字，如 121.4150 和 31.2140".into()),
        }
    }
    n.reporter_name = opt(f.get("reporter_name"));
    n.reporter_phone = opt(f.get("reporter_phone"));
    n.anonymous = f.checked("anonymous");
    if let Some(d) = opt(f.get("discovered_at")) {
        match parse_instant(&d) {
            Ok(t) => n.discovered_at = Some(t),
            Err(m) => fail("discovered_at", m),
        }
    }
    n.under_construction = f.checked("under_construction");
    n.matter_code = opt(f.get("matter_code"));
    (n, errors)
}

pub async fn create(State(s): State<WebState>, User(a): User, sub: Submitted) -> Result<Response, WebError> {
    check_csrf(&a, &sub.form)?;
    let partner = is_partner(&a);
    let (mut n, errors) = clue_of(&sub.form, partner);
    let pairs = sub.form.0.clone();
    if !errors.is_empty() {
        return form_failed(&s, &a, pairs, AppError::fields(errors)).await;
    }
    if let Err(e) = check_uploads(&sub.files) {
        return form_failed(&s, &a, pairs, e).await;
    }
    if !sub.files.is_empty() && !roles_for(ClueAction::Attach).iter().any(|r| a.has_role(*r)) {
        return form_failed(&s, &a, pairs, AppError::field("photo", "您无权上传附件")).await;
    }
    let app = s.app.clone();
    let actor = a.clone();
    let files = sub.files;
    let result = blocking(move || {
        if partner {
            // The place is the compound's address plus where in it (楼号、室号).
            if let Some(id) = n.compound_id {
                let cp = app
                    .list_compounds(&actor)?
                    .into_iter()
                    .find(|c| c.id == id)
                    .ok_or_else(|| AppError::field("compound_id", "只能上报本企业管理的小区"))?;
                let here = n.address.trim().to_string();
                n.address = if here.is_empty() {
                    cp.address.clone()
                } else {
                    format!("{}{}", cp.address, here)
                };
            } else if actor.org.kind == OrgKind::PropertyCompany {
                return Err(AppError::field("compound_id", "请选择发生问题的小区"));
            }
        }
        let r = app.register_clue(&actor, &n)?;
        let mut photo_failed = false;
        for f in &files {
            if app
                .attach_to_clue(&actor, r.clue.id, &f.filename, &f.content_type, &f.bytes)
                .is_err()
            {
                photo_failed = true;
            }
        }
        Ok((r, photo_failed))
    })
    .await;
    match result {
        Ok((r, photo_failed)) => {
            let msg = if photo_failed {
                "photo"
            } else if !r.created {
                "existing"
            } else if r.repeat_of.is_some() {
                "repeat"
            } else if r.auto_dispatched {
                "auto"
            } else {
                "registered"
            };
            Ok(Redirect::to(&format!("/clues/{}?msg={msg}", r.clue.id)).into_response())
        }
        Err(e) if e.kind() == ErrorKind::Invalid => form_failed(&s, &a, pairs, e).await,
        Err(e) => Err(e.into()),
    }
}

/// The registration form again, with what was typed and what is wrong.
async fn form_failed(s: &WebState, a: &Actor, pairs: Vec<(String, String)>, e: AppError) -> Result<Response, WebError> {
    let page = new_page(s, a, FormState::from_pairs(pairs).with_error(&e)).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

// ---------------------------------------------------------------- the clue page

pub struct ClassView {
    pub given: bool,
    pub matter: String,
    pub confidence: String,
    pub reasons: Vec<String>,
    pub alternatives: Vec<String>,
    pub out_of_remit: Option<(String, String, String)>,
}

pub struct ClockRow {
    pub name: String,
    pub class: &'static str,
    pub state: &'static str,
    pub due: String,
    pub explanation: String,
    pub remaining: String,
    pub met: String,
    pub provisional: Option<String>,
}

pub struct AttRow {
    pub id: i64,
    pub filename: String,
    pub size: String,
    pub by: String,
    pub at: String,
    pub image: bool,
}

pub struct EventRow {
    pub at: String,
    pub actor: String,
    pub action: String,
    pub change: String,
    pub note: String,
}

pub struct LinkRow {
    pub id: i64,
    pub no: String,
    pub status: &'static str,
    pub received: String,
}

pub struct StepView {
    pub code: &'static str,
    pub label: &'static str,
    pub open: bool,
    pub form: FormState,
}

#[derive(Template)]
#[template(path = "clues/show.html")]
struct ShowPage {
    layout: Layout,
    id: i64,
    no: String,
    status: &'static str,
    status_code: &'static str,
    facts: Vec<(&'static str, String)>,
    description: String,
    jurisdiction: String,
    locate_method: &'static str,
    locate_reason: String,
    class: Option<ClassView>,
    outcome: Vec<(&'static str, String)>,
    reporter: Vec<(&'static str, String)>,
    primary: Option<LinkRow>,
    linked: Vec<LinkRow>,
    repeat_count: i64,
    clocks: Vec<ClockRow>,
    attachments: Vec<AttRow>,
    can_attach: bool,
    attach_error: Option<String>,
    events: Vec<EventRow>,
    steps: Vec<StepView>,
    teams: Vec<Opt>,
    departments: Vec<Opt>,
    streets: Vec<Opt>,
    matters: Vec<Opt>,
    disposals: Vec<Opt>,
    error: Option<String>,
    /// 立案 from this clue (verified as 属实, not disposed otherwise; for those who may file).
    open_case_href: Option<String>,
    back: String,
}

/// A clue a case may be opened from: verified as 属实 and not disposed of otherwise (the
/// application checks it again when the case is opened).
fn k_verified_for_case(k: &Clue) -> bool {
    k.verification == Some(Verification::Confirmed)
        && matches!(
            k.status,
            ClueStatus::Verified | ClueStatus::Disposed | ClueStatus::Replied | ClueStatus::Closed
        )
        && (k.disposal.is_none() || k.disposal == Some(Disposal::FileCase))
}

/// What failed on the page (re-rendered with the message and what was typed).
enum Failed {
    Step(ClueAction, FormState),
    Attach(String),
}

#[derive(Deserialize, Default)]
pub struct ShowQuery {
    #[serde(default)]
    msg: String,
    #[serde(default)]
    done: String,
}

fn class_view(k: &Clue, cat: &Catalogue) -> Option<ClassView> {
    if let Ok(c) = serde_json::from_str::<Classification>(&k.classification) {
        return Some(ClassView {
            given: false,
            matter: c.matter.name.clone(),
            confidence: format!("{:.0}%", c.confidence * 100.0),
            reasons: c.reasons.clone(),
            alternatives: c
                .alternatives
                .iter()
                .map(|x| format!("{} {:.0}%", x.name, x.confidence * 100.0))
                .collect(),
            out_of_remit: c.out_of_remit.map(|o| {
                (
                    o.topic.clone(),
                    o.suggested_department.label().to_string(),
                    o.reply.clone(),
                )
            }),
        });
    }
    let v = serde_json::from_str::<serde_json::Value>(&k.classification).ok()?;
    let given = v.get("given")?.as_str()?;
    Some(ClassView {
        given: true,
        matter: matter_name(cat, given),
        confidence: String::new(),
        reasons: Vec::new(),
        alternatives: Vec::new(),
        out_of_remit: None,
    })
}

/// The reply a clue outside the remit gets (from the classifier's out-of-remit topic).
fn out_of_remit_reply(k: &Clue) -> Option<String> {
    serde_json::from_str::<Classification>(&k.classification)
        .ok()
        .and_then(|c| c.out_of_remit)
        .map(|o| o.reply)
}

fn link_row(k: &Clue) -> LinkRow {
    LinkRow {
        id: k.id,
        no: k.no.clone(),
        status: k.status.label(),
        received: short_datetime(k.received_at),
    }
}

fn size_text(n: i64) -> String {
    if n >= 1024 * 1024 {
        format!("{:.1} MB", n as f64 / 1024.0 / 1024.0)
    } else {
        format!("{:.0} KB", (n as f64 / 1024.0).ceil())
    }
}

/// The steps that change the status come first and open; the rest fold away.
fn is_primary(a: ClueAction) -> bool {
    matches!(
        a,
        ClueAction::Accept
            | ClueAction::Dispatch
            | ClueAction::Sign
            | ClueAction::Verify
            | ClueAction::Dispose
            | ClueAction::Reply
            | ClueAction::Close
    )
}

struct PageData {
    view: ClueView,
    data: std::sync::Arc<jingzhi_app::intake::IntakeData>,
    streets: Vec<Street>,
    orgs: Vec<OrgUnit>,
}

async fn load(s: &WebState, a: &Actor, id: i64) -> Result<PageData, AppError> {
    let app = s.app.clone();
    let actor = a.clone();
    blocking(move || {
        let view = app.clue_view(&actor, id)?;
        let needs_orgs = view
            .allowed
            .iter()
            .any(|x| matches!(x, ClueAction::Dispatch | ClueAction::Reassign | ClueAction::TransferOut));
        Ok(PageData {
            orgs: if needs_orgs { app.list_orgs(&actor)? } else { Vec::new() },
            data: app.catalogue(&actor)?,
            streets: app.list_streets(&actor)?,
            view,
        })
    })
    .await
}

fn flash_text(m: &ShowQuery, v: &ClueView) -> Option<String> {
    let k = &v.clue;
    let text = match m.msg.as_str() {
        "registered" | "reported" => format!("已登记线索{}。", k.no),
        "auto" => format!(
            "已登记线索{}，并已按辖区自动派单至{}。",
            k.no,
            v.assigned_org_name.clone().unwrap_or_default()
        ),
        "repeat" => format!(
            "已登记线索{}：与线索{}反映的是同一问题，已并案办理。",
            k.no,
            v.primary.as_ref().map(|p| p.no.clone()).unwrap_or_default()
        ),
        "existing" => format!(
            "来源编号{}已登记为线索{}，未重复登记。",
            k.source_ref.clone().unwrap_or_default(),
            k.no
        ),
        "photo" => format!("已登记线索{}，但有照片未能保存，请在本页重新上传。", k.no),
        _ => match ClueAction::from_code(&m.done) {
            Some(ClueAction::Attach) => "附件已上传。".into(),
            Some(a) => format!("已{}。", a.label()),
            None => return None,
        },
    };
    Some(text)
}

fn show_page(s: &WebState, a: &Actor, d: PageData, failed: Option<Failed>, flash: Option<String>) -> ShowPage {
    let PageData {
        view: v,
        data,
        streets,
        orgs,
    } = d;
    let k = &v.clue;
    let cat = &data.catalogue;
    let mut layout = Layout::new(s, Some(a), format!("线索{}", k.no), "clues");
    if let Some(f) = flash {
        layout = layout.flash_ok(f);
    }
    let mut facts: Vec<(&'static str, String)> = vec![("来源", k.channel.label().to_string())];
    if let Some(r) = &k.source_ref {
        facts.push(("来源编号", r.clone()));
    }
    if let Some(t) = k.work_order_type {
        facts.push(("诉求类型", t.label().to_string()));
    }
    facts.push(("受理时间", short_datetime(k.received_at)));
    if let Some(t) = k.discovered_at {
        facts.push(("发现时间", short_datetime(t)));
    }
    facts.push((
        "执法事项",
        format!(
            "{}{}",
            matter_name(cat, &k.matter_code),
            if k.matter_confirmed {
                ""
            } else {
                "（系统建议，待确认）"
            }
        ),
    ));
    facts.push(("地址", k.address.clone()));
    if let Some(n) = &v.compound_name {
        facts.push(("小区", n.clone()));
    }
    if let (Some(x), Some(y)) = (k.lng, k.lat) {
        facts.push(("坐标", format!("{x:.6}, {y:.6}（WGS84）")));
    }
    if let Some(g) = &k.grid_code {
        facts.push(("网格", g.clone()));
    }
    if let Some(n) = &v.reporter_org_name {
        facts.push(("上报单位", n.clone()));
    }
    if let Some(n) = &v.assigned_org_name {
        facts.push(("承办单位", n.clone()));
    }
    if let Some(n) = &v.transferred_to_name {
        facts.push(("移送部门", n.clone()));
    }
    if k.under_construction {
        facts.push(("违建状态", "正在施工".into()));
    }
    let mut outcome: Vec<(&'static str, String)> = Vec::new();
    if let Some(x) = k.verification {
        outcome.push(("核查结论", x.label().to_string()));
    }
    if let Some(x) = &k.verification_note {
        outcome.push(("核查情况", x.clone()));
    }
    if let Some(x) = k.disposal {
        outcome.push(("处置方式", x.label().to_string()));
    }
    if let Some(x) = &k.disposal_note {
        outcome.push(("处置说明", x.clone()));
    }
    if let Some(x) = k.recheck_date {
        outcome.push(("复查日期", x.to_string()));
    }
    if let Some(x) = &k.reply {
        outcome.push(("回复内容", x.clone()));
    }
    if let Some(x) = k.replied_at {
        outcome.push(("回复时间", short_datetime(x)));
    }
    if let Some(x) = k.closed_at {
        outcome.push(("办结时间", short_datetime(x)));
    }
    let mut reporter: Vec<(&'static str, String)> = Vec::new();
    if k.anonymous {
        reporter.push(("举报人", "匿名".into()));
    } else {
        if let Some(n) = &k.reporter_name {
            reporter.push(("举报人", n.clone()));
        }
        if let Some(p) = &k.reporter_phone {
            reporter.push(("联系电话", if v.show_contact { p.clone() } else { mask_phone(p) }));
        }
    }
    let clocks = v
        .clocks
        .iter()
        .map(|c| {
            let d = &c.deadline;
            let class = match d.state.code() {
                "overdue" | "missed" => "overdue",
                "due_soon" => "due-soon",
                "met" => "ok",
                _ => "",
            };
            ClockRow {
                name: d.rule_name.clone(),
                class,
                state: d.state.label(),
                due: short_datetime(d.due_at),
                explanation: d.explanation(),
                remaining: remaining_text(d),
                met: d.met_at.map(short_datetime).unwrap_or_default(),
                provisional: d.provisional.as_ref().map(|p| p.reason.clone()),
            }
        })
        .collect();
    let attachments = v
        .attachments
        .iter()
        .map(|x| AttRow {
            id: x.id,
            filename: x.filename.clone(),
            size: size_text(x.size),
            by: x.uploaded_by.clone(),
            at: short_datetime(x.uploaded_at),
            image: matches!(x.content_type.as_str(), "image/jpeg" | "image/png" | "image/webp"),
        })
        .collect();
    let status_label = |c: &Option<String>| {
        c.as_deref()
            .and_then(ClueStatus::from_code)
            .map(|s| s.label())
            .unwrap_or_default()
    };
    let events = v
        .events
        .iter()
        .map(|e| EventRow {
            at: jingzhi_app::clues::event_time(e),
            actor: e.actor_name.clone(),
            action: ClueAction::from_code(&e.action)
                .map(|x| x.label().to_string())
                .unwrap_or_else(|| e.action.clone()),
            change: match (&e.from_status, &e.to_status) {
                (Some(f), Some(t)) if f != t => {
                    format!("{} → {}", status_label(&e.from_status), status_label(&e.to_status))
                }
                (None, Some(_)) => status_label(&e.to_status).to_string(),
                _ => String::new(),
            },
            note: e.note.clone(),
        })
        .collect();
    let team_code = k.street_code.as_ref().map(|s| format!("team-{s}"));
    let teams: Vec<Opt> = orgs
        .iter()
        .filter(|o| o.kind == OrgKind::StreetTeam && o.active)
        .map(|o| (o.id.to_string(), o.name.clone()))
        .collect();
    let own_team = orgs
        .iter()
        .find(|o| Some(&o.code) == team_code.as_ref())
        .map(|o| o.id.to_string());
    let departments: Vec<Opt> = orgs
        .iter()
        .filter(|o| o.kind == OrgKind::Department && o.active)
        .map(|o| (o.id.to_string(), o.name.clone()))
        .collect();
    let suggested_department = k.suggested_department.as_ref().and_then(|code| {
        orgs.iter()
            .find(|o| o.kind == OrgKind::Department && o.department_kind.map(|d| d.code()) == Some(code.as_str()))
            .map(|o| o.id.to_string())
    });
    let reply = out_of_remit_reply(k);
    let (mut failed_step, mut attach_error, mut error) = (None, None, None);
    match failed {
        Some(Failed::Step(act, f)) => {
            error = f.error.clone();
            failed_step = Some((act, f));
        }
        Some(Failed::Attach(m)) => {
            error = Some(m.clone());
            attach_error = Some(m);
        }
        None => {}
    }
    let steps = v
        .allowed
        .iter()
        .filter(|x| !matches!(x, ClueAction::Attach | ClueAction::Register))
        .map(|&act| {
            let failed_here = failed_step.as_ref().is_some_and(|(x, _)| *x == act);
            let form = if failed_here {
                failed_step.take().map(|(_, f)| f).unwrap_or_default()
            } else {
                let mut f = FormState::default();
                match act {
                    ClueAction::Dispatch => f.set("org_id", own_team.clone().unwrap_or_default()),
                    ClueAction::TransferOut => {
                        f.set("org_id", suggested_department.clone().unwrap_or_default());
                        f.set("reason", reply.clone().unwrap_or_default());
                    }
                    ClueAction::ReturnToSource => f.set("reason", reply.clone().unwrap_or_default()),
                    ClueAction::Reply => f.set("text", reply.clone().unwrap_or_default()),
                    ClueAction::Reclassify => f.set("matter_code", k.matter_code.clone()),
                    ClueAction::Relocate => f.set("street_code", k.street_code.clone().unwrap_or_default()),
                    _ => {}
                }
                f
            };
            StepView {
                code: act.code(),
                label: act.label(),
                open: is_primary(act) || failed_here,
                form,
            }
        })
        .collect();
    ShowPage {
        layout,
        id: k.id,
        no: k.no.clone(),
        status: k.status.label(),
        status_code: k.status.code(),
        facts,
        description: k.description.clone(),
        jurisdiction: match &k.street_code {
            Some(c) => street_name(&streets, Some(c)),
            None => "区指挥中心（未定位到街镇）".into(),
        },
        locate_method: k.locate_method.label(),
        locate_reason: k.locate_reason.clone(),
        class: class_view(k, cat),
        outcome,
        reporter,
        primary: v.primary.as_ref().map(link_row),
        linked: v.linked.iter().map(link_row).collect(),
        repeat_count: k.repeat_count,
        clocks,
        attachments,
        can_attach: v.allowed.contains(&ClueAction::Attach),
        attach_error,
        events,
        steps,
        teams,
        departments,
        streets: streets.iter().map(|x| (x.code.to_string(), x.name.clone())).collect(),
        matters: cat.matters().iter().map(|m| (m.code.clone(), m.name.clone())).collect(),
        disposals: Disposal::ALL
            .iter()
            .map(|d| (d.code().to_string(), d.label().to_string()))
            .collect(),
        error,
        open_case_href: (k_verified_for_case(&v.clue)
            && a.can(Resource::Case, Action::Create)
            && a.roles
                .iter()
                .any(|r| jingzhi_domain::case::roles_for(jingzhi_domain::case::CaseAction::File).contains(r)))
        .then(|| format!("/cases/new?clue={}", v.clue.id)),
        back: if is_partner(a) {
            "/clues?queue=mine".into()
        } else {
            "/clues".into()
        },
    }
}

pub async fn show(
    State(s): State<WebState>,
    User(a): User,
    Path(id): Path<i64>,
    Query(m): Query<ShowQuery>,
) -> Result<Response, WebError> {
    forced_change(&a)?;
    let d = load(&s, &a, id).await?;
    let flash = flash_text(&m, &d.view);
    Ok(render(&show_page(&s, &a, d, None, flash)))
}

/// Re-renders the clue page with what failed, or answers the error itself when the page cannot be
/// shown (out of scope, gone).
async fn show_failed(s: &WebState, a: &Actor, id: i64, e: AppError, failed: Failed) -> Result<Response, WebError> {
    let status = crate::error::status_of(&e);
    match load(s, a, id).await {
        Ok(d) => Ok((status, render(&show_page(s, a, d, Some(failed), None))).into_response()),
        Err(_) => Err(e.into()),
    }
}

fn step_of(f: &FormData) -> Result<Step, AppError> {
    let recheck_date = match opt(f.get("recheck_date")) {
        Some(d) => Some(parse_date(&d).map_err(|m| AppError::field("recheck_date", m))?),
        None => None,
    };
    Ok(Step {
        reason: f.get("reason").trim().to_string(),
        org_id: f.opt_i64("org_id"),
        verification: Verification::from_code(f.get("verification")),
        disposal: Disposal::from_code(f.get("disposal")),
        recheck_date,
        text: f.get("text").trim().to_string(),
        matter_code: opt(f.get("matter_code")),
        street_code: opt(f.get("street_code")),
        primary_id: None,
    })
}

/// Finds a clue by its number in the actor's scope (the link form takes a number).
pub fn find_clue_by_no(app: &jingzhi_app::App, a: &Actor, no: &str) -> Result<i64, AppError> {
    let no = no.trim().to_uppercase();
    if no.is_empty() {
        return Err(AppError::field("primary_id", "请填写要并入的线索编号"));
    }
    let list = app.list_clues(
        a,
        &ListRequest {
            q: no.clone(),
            limit: 20,
            ..Default::default()
        },
    )?;
    list.rows
        .iter()
        .find(|k| k.no == no)
        .map(|k| k.id)
        .ok_or_else(|| AppError::field("primary_id", format!("未找到线索{no}（或不在您的数据范围内）")))
}

pub async fn step(
    State(s): State<WebState>,
    User(a): User,
    Path((id, code)): Path<(i64, String)>,
    form: FormData,
) -> Result<Response, WebError> {
    check_csrf(&a, &form)?;
    let action = ClueAction::from_code(&code)
        .filter(|x| !matches!(x, ClueAction::Register | ClueAction::Attach))
        .ok_or_else(|| WebError(AppError::with_message(ErrorCode::NotFound, "没有这个办理环节")))?;
    let state = FormState::from_pairs(form.0.clone());
    let app = s.app.clone();
    let actor = a.clone();
    let primary_no = form.get("primary_no").to_string();
    let result = blocking(move || {
        let mut step = step_of(&form)?;
        if action == ClueAction::Link {
            step.primary_id = Some(find_clue_by_no(&app, &actor, &primary_no)?);
        }
        app.clue_step(&actor, id, action, &step)?;
        // After some steps (改派 to another street) the actor no longer sees the clue.
        Ok(app.clue_view(&actor, id).is_ok())
    })
    .await;
    match result {
        Ok(true) => Ok(Redirect::to(&format!("/clues/{id}?done={}", action.code())).into_response()),
        Ok(false) => Ok(Redirect::to("/clues?msg=done").into_response()),
        Err(e) if matches!(e.kind(), ErrorKind::Invalid | ErrorKind::Forbidden) => {
            let f = state.with_error(&e);
            show_failed(&s, &a, id, e, Failed::Step(action, f)).await
        }
        Err(e) => Err(e.into()),
    }
}

// ---------------------------------------------------------------- attachments

pub async fn upload(
    State(s): State<WebState>,
    User(a): User,
    Path(id): Path<i64>,
    sub: Submitted,
) -> Result<Response, WebError> {
    check_csrf(&a, &sub.form)?;
    if sub.files.is_empty() {
        let e = AppError::field("file", "请选择要上传的文件");
        return show_failed(&s, &a, id, e.clone(), Failed::Attach(e.message)).await;
    }
    let app = s.app.clone();
    let actor = a.clone();
    let files = sub.files;
    let r = blocking(move || {
        for f in &files {
            app.attach_to_clue(&actor, id, &f.filename, &f.content_type, &f.bytes)?;
        }
        Ok(())
    })
    .await;
    match r {
        Ok(()) => Ok(Redirect::to(&format!("/clues/{id}?done=attach")).into_response()),
        Err(e) if matches!(e.kind(), ErrorKind::Invalid) => {
            let m = e.fields.first().map(|f| f.message.clone()).unwrap_or(e.message.clone());
            show_failed(&s, &a, id, e, Failed::Attach(m)).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn attachment(State(s): State<WebState>, User(a): User, Path(id): Path<i64>) -> Result<Response, WebError> {
    forced_change(&a)?;
    let app = s.app.clone();
    let (att, bytes) = blocking(move || app.clue_attachment(&a, id)).await?;
    Ok(file_response(
        &att.content_type,
        &att.filename,
        bytes,
        "private, max-age=3600",
    ))
}

// ---------------------------------------------------------------- 12345 import and export

#[derive(Template)]
#[template(path = "clues/import.html")]
struct ImportPage {
    layout: Layout,
    form: FormState,
    problems: Vec<String>,
    done: Option<String>,
    checked: bool,
    can_import: bool,
    export_from: String,
    export_to: String,
}

fn import_page(
    s: &WebState,
    a: &Actor,
    form: FormState,
    problems: Vec<String>,
    done: Option<String>,
    checked: bool,
) -> ImportPage {
    let today = civil_date(s.app.now());
    ImportPage {
        layout: Layout::new(s, Some(a), "12345工单导入导出", "clues"),
        form,
        problems,
        done,
        checked,
        can_import: a.can(Resource::Clue, Action::Import),
        export_from: today
            .checked_sub(jiff::Span::new().days(30))
            .unwrap_or(today)
            .to_string(),
        export_to: today.to_string(),
    }
}

pub async fn import_form(State(s): State<WebState>, User(a): User) -> Result<Response, WebError> {
    forced_change(&a)?;
    if !a.can(Resource::Clue, Action::Import) && !a.can(Resource::Clue, Action::Export) {
        return Err(WebError(AppError::with_message(
            ErrorCode::Forbidden,
            "无权导入导出12345工单",
        )));
    }
    let mut f = FormState::default();
    f.set("dry_run", "on");
    Ok(render(&import_page(&s, &a, f, Vec::new(), None, false)))
}

pub async fn import(State(s): State<WebState>, User(a): User, sub: Submitted) -> Result<Response, WebError> {
    check_csrf(&a, &sub.form)?;
    a.require(Resource::Clue, Action::Import)?;
    let dry = sub.form.checked("dry_run");
    let state = FormState::from_pairs(sub.form.0.clone());
    let Some(file) = sub.files.into_iter().next() else {
        let e = AppError::field("file", "请选择要导入的 xlsx 或 CSV 文件");
        return Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            render(&import_page(&s, &a, state.with_error(&e), Vec::new(), None, false)),
        )
            .into_response());
    };
    let app = s.app.clone();
    let actor = a.clone();
    let name = file.filename.clone();
    let r = blocking(move || {
        let rows = rows_of_file(&file.bytes)?;
        app.import_12345(&actor, &rows, dry)
    })
    .await;
    match r {
        Ok(rep) if rep.dry_run => {
            let msg = format!(
                "校验通过（未导入）：{name} 共{}行工单，其中新工单{}条，已导入过{}条（不会重复导入）。取消勾选“只校验”并再次选择该文件提交即可导入。",
                rep.rows, rep.new, rep.existing
            );
            let mut st = state;
            st.set("dry_run", "");
            Ok(render(&import_page(&s, &a, st, Vec::new(), Some(msg), true)))
        }
        Ok(rep) => {
            let msg = format!(
                "已导入：{name} 共{}行，新登记线索{}条，已导入过{}条（未改变）。",
                rep.rows, rep.new, rep.existing
            );
            Ok(render(&import_page(
                &s,
                &a,
                FormState::default(),
                Vec::new(),
                Some(msg),
                false,
            )))
        }
        Err(e) if e.code == ErrorCode::ImportRejected => {
            let problems: Vec<String> = e.fields.iter().map(|f| f.message.clone()).collect();
            let mut st = state;
            st.error = Some(if problems.is_empty() {
                e.message.clone()
            } else {
                format!("文件有 {} 处错误，未导入任何工单。请改正后重新上传。", problems.len())
            });
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                render(&import_page(&s, &a, st, problems, None, false)),
            )
                .into_response())
        }
        Err(e) if e.kind() == ErrorKind::Invalid => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            render(&import_page(&s, &a, state.with_error(&e), Vec::new(), None, false)),
        )
            .into_response()),
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
pub struct RangeQuery {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

pub async fn export_12345(
    State(s): State<WebState>,
    User(a): User,
    Query(q): Query<RangeQuery>,
) -> Result<Response, WebError> {
    forced_change(&a)?;
    let today = civil_date(s.app.now());
    let date = |v: &str, field: &str, default: jiff::civil::Date| -> Result<jiff::civil::Date, WebError> {
        match opt(v) {
            None => Ok(default),
            Some(t) => parse_date(&t).map_err(|m| WebError(AppError::field(field, m))),
        }
    };
    let from = date(
        &q.from,
        "from",
        today.checked_sub(jiff::Span::new().days(30)).unwrap_or(today),
    )?;
    let to = date(&q.to, "to", today)?;
    if to < from {
        return Err(WebError(AppError::field("to", "结束日期不能早于开始日期")));
    }
    let before = start_of_day(
        to.tomorrow()
            .map_err(|_| WebError(AppError::new(ErrorCode::BadRequest)))?,
    );
    let app = s.app.clone();
    let rows = blocking(move || app.export_12345(&a, start_of_day(from), before)).await?;
    xlsx_response(
        &format!("12345工单回复_{from}_{to}.xlsx"),
        Sheet {
            name: "12345工单".into(),
            // No title row: the file keeps the import's shape (the header is the first row).
            title: String::new(),
            headers: EXPORT_HEADERS.iter().map(|h| h.to_string()).collect(),
            rows: rows
                .into_iter()
                .map(|r| r.into_iter().map(Cell::from).collect())
                .collect(),
            red_rows: Vec::new(),
        },
    )
}
